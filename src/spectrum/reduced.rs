//! The reduced space at a point and the reduced Hessian as a matrix-free operator.
//!
//! The reduced space is T ∩ S⊥: the tangent space T of the manifold at x (ℝᵈ when
//! unconstrained; on spheres, per block, the vectors orthogonal to x_i) minus the span S
//! of the symmetry directions. Its orthogonal projector is P = P_S⊥ · P_T with the
//! symmetry directions first projected on T and orthonormalised (so P_T and P_S⊥
//! commute), and the reduced Hessian acts as v ↦ P H P v. P_S is applied in the
//! problem's structured form when it declares one (the rotation orbit of the low-rank
//! matrix problems, on ℝᵈ), otherwise from dense orthonormalised directions (see
//! [`super::symmetry`]).

use crate::error::{Error, Result};
use crate::linalg::{HessianAt, SymmetricOperator};
use crate::objective::{Objective, SymmetryStructure};

use super::symmetry::SymmetryProjector;
use super::SYMMETRY_BUDGET;

/// Largest orthonormalisation work (directions² × dimension flops) spent on symmetry
/// directions; beyond it the projection is skipped like beyond [`SYMMETRY_BUDGET`].
const SYMMETRY_WORK_BUDGET: f64 = 2e10;

/// Largest distance |‖x_i‖ − 1| from the manifold accepted for a point.
const MANIFOLD_TOL: f64 = 1e-6;

/// The reduced space at x and the reduced Hessian v ↦ P H P v on it, a
/// [`SymmetricOperator`] on ℝᵈ whose domain is the reduced space.
pub struct ReducedSpace<'a> {
    /// The Hessian at x (Riemannian on spheres).
    hessian: HessianAt<'a>,
    /// The projection onto the symmetry directions (projected on the tangent space), or
    /// `None` when they are not projected out.
    symmetry: Option<SymmetryProjector>,
}

impl<'a> ReducedSpace<'a> {
    /// The reduced space of f at x; symmetry directions are projected out when
    /// `project_symmetries` and they fit the budgets. Errors if x is off its manifold.
    ///
    /// # Panics
    /// If `x.len() != f.dim()`.
    #[track_caller]
    pub fn new(f: &'a dyn Objective, x: &'a [f64], project_symmetries: bool) -> Result<Self> {
        assert_eq!(x.len(), f.dim(), "ReducedSpace: point length");
        let manifold = f.manifold();
        let violation = manifold.constraint_violation(x);
        if violation > MANIFOLD_TOL {
            return Err(Error::invalid(
                "point",
                format!("a point on the manifold ({})", manifold.describe()),
                format!("distance {violation:e} from it"),
            ));
        }
        let mut space = ReducedSpace {
            hessian: HessianAt::new(f, x),
            symmetry: None,
        };
        if project_symmetries {
            space.symmetry = space.symmetry_projector()?;
        }
        Ok(space)
    }

    /// The symmetry projector: the structured form when f declares one and the space is
    /// Euclidean (no tangent projection to compose with), else the dense directions'
    /// tangent parts orthonormalised, within the budgets (`None` beyond them).
    fn symmetry_projector(&self) -> Result<Option<SymmetryProjector>> {
        let (f, x) = (self.hessian.objective(), self.hessian.point());
        let manifold = self.hessian.manifold();
        if manifold.is_euclidean() {
            if let Some(SymmetryStructure::Rotation { blocks, rank }) = f.symmetry_structure(x) {
                return SymmetryProjector::rotation(x, blocks, rank).map(Some);
            }
        }
        let d = x.len();
        let over_budget = |c: usize| {
            c.saturating_mul(d) > SYMMETRY_BUDGET
                || (c * c) as f64 * d as f64 > SYMMETRY_WORK_BUDGET
        };
        // Check the count before building the directions: they can take gigabytes.
        if over_budget(f.symmetry_count(x)) {
            return Ok(None);
        }
        let mut directions = f.symmetry_directions(x);
        if over_budget(directions.len()) {
            return Ok(None);
        }
        for s in directions.iter_mut() {
            manifold.project_tangent(x, s);
        }
        Ok(Some(SymmetryProjector::dense(directions)))
    }

    /// The objective.
    pub fn objective(&self) -> &dyn Objective {
        self.hessian.objective()
    }

    /// The point.
    pub fn point(&self) -> &[f64] {
        self.hessian.point()
    }

    /// Ambient dimension d = f.dim().
    pub fn ambient_dim(&self) -> usize {
        self.hessian.dim()
    }

    /// Dimension of the tangent space.
    pub fn tangent_dim(&self) -> usize {
        self.hessian.domain_dim()
    }

    /// Number of independent symmetry directions projected out.
    pub fn symmetry_modes(&self) -> usize {
        self.symmetry.as_ref().map_or(0, SymmetryProjector::modes)
    }

    /// True when the symmetry directions were projected out (asked for and within the
    /// budgets).
    pub fn symmetry_projected(&self) -> bool {
        self.symmetry.is_some()
    }

    /// Dimension of the reduced space: tangent dimension minus symmetry modes.
    pub fn reduced_dim(&self) -> usize {
        self.tangent_dim() - self.symmetry_modes()
    }
}

impl SymmetricOperator for ReducedSpace<'_> {
    fn dim(&self) -> usize {
        self.ambient_dim()
    }

    fn domain_dim(&self) -> usize {
        self.reduced_dim()
    }

    /// Replaces v by its orthogonal projection P v on the reduced space: the tangent
    /// projection, then v − P_S v (independent of the thread count).
    fn project(&self, v: &mut [f64]) {
        self.hessian.project(v);
        if let Some(symmetry) = &self.symmetry {
            symmetry.remove(v);
        }
    }

    /// out = P H v for v already in the reduced space (so = P H P v), H the Euclidean
    /// Hessian on ℝᵈ or the Riemannian one on spheres. Allocates nothing.
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        self.hessian.apply(v, out);
        self.project(out);
    }

    /// H v, before the projection P.
    fn apply_unprojected(&self, v: &[f64], out: &mut [f64]) {
        self.hessian.apply(v, out);
    }

    /// An orthonormal basis of the complement of the reduced space: the unit normals of
    /// the sphere blocks, then the symmetry basis.
    fn complement_basis(&self) -> Vec<Vec<f64>> {
        let mut basis = self.hessian.complement_basis();
        if let Some(symmetry) = &self.symmetry {
            basis.extend(symmetry.basis(self.ambient_dim()));
        }
        basis
    }
}
