//! The reduced space at a point and the reduced Hessian as a matrix-free operator.
//!
//! The reduced space is T ∩ S⊥: the tangent space T of the manifold at x (ℝᵈ when
//! unconstrained; on spheres, per block, the vectors orthogonal to x_i) minus the span S
//! of the symmetry directions. Its orthogonal projector is P = P_S⊥ · P_T with the
//! symmetry directions first projected on T and orthonormalised (so P_T and P_S⊥
//! commute), and the reduced Hessian acts as v ↦ P H P v.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::linalg::{axpy, dot, norm, HessianAt, SymmetricOperator};
use crate::objective::Objective;

use super::SYMMETRY_BUDGET;

/// Largest orthonormalisation work (directions² × dimension flops) spent on symmetry
/// directions; beyond it the projection is skipped like beyond [`SYMMETRY_BUDGET`].
const SYMMETRY_WORK_BUDGET: f64 = 2e10;

/// Relative rank tolerance: a symmetry direction whose component outside the span of
/// the earlier ones (and of the normals) is below this times the largest direction's
/// norm adds no new mode.
const RANK_TOL: f64 = 1e-8;

/// Coordinates per parallel task in the projection.
const CHUNK: usize = 4096;

/// Largest distance |‖x_i‖ − 1| from the manifold accepted for a point.
const MANIFOLD_TOL: f64 = 1e-6;

/// The reduced space at x and the reduced Hessian v ↦ P H P v on it, a
/// [`SymmetricOperator`] on ℝᵈ whose domain is the reduced space.
pub struct ReducedSpace<'a> {
    /// The Hessian at x (Riemannian on spheres).
    hessian: HessianAt<'a>,
    /// Orthonormal basis of the symmetry directions projected on the tangent space.
    symmetry: Vec<Vec<f64>>,
    symmetry_projected: bool,
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
            symmetry: Vec::new(),
            symmetry_projected: false,
        };
        if project_symmetries {
            space.project_symmetry_directions();
        }
        Ok(space)
    }

    /// Orthonormalises the tangent parts of the symmetry directions (modified
    /// Gram–Schmidt, twice, dropping dependent ones), within the budgets.
    fn project_symmetry_directions(&mut self) {
        let (f, x) = (self.hessian.objective(), self.hessian.point());
        let manifold = self.hessian.manifold();
        let d = x.len();
        let over_budget = |c: usize| {
            c.saturating_mul(d) > SYMMETRY_BUDGET
                || (c * c) as f64 * d as f64 > SYMMETRY_WORK_BUDGET
        };
        // Check the count before building the directions: they can take gigabytes.
        if over_budget(f.symmetry_count(x)) {
            return;
        }
        let mut directions = f.symmetry_directions(x);
        if over_budget(directions.len()) {
            return;
        }
        self.symmetry_projected = true;
        for s in directions.iter_mut() {
            manifold.project_tangent(x, s);
        }
        let scale = directions.iter().map(|s| norm(s)).fold(0.0, f64::max);
        if scale == 0.0 {
            return;
        }
        for mut s in directions {
            for _ in 0..2 {
                for q in &self.symmetry {
                    axpy(-dot(q, &s), q, &mut s);
                }
            }
            let length = norm(&s);
            if length > RANK_TOL * scale {
                s.iter_mut().for_each(|v| *v /= length);
                self.symmetry.push(s);
            }
        }
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
        self.symmetry.len()
    }

    /// True when the symmetry directions were projected out (asked for and within the
    /// budgets).
    pub fn symmetry_projected(&self) -> bool {
        self.symmetry_projected
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
    /// projection, then v − Σ qᵢ (qᵢᵀv) over the orthonormal symmetry basis (classical
    /// Gram–Schmidt: the coefficients in parallel, then the update by chunks, so the
    /// result does not depend on the thread count).
    fn project(&self, v: &mut [f64]) {
        self.hessian.project(v);
        if self.symmetry.is_empty() {
            return;
        }
        let coefficients: Vec<f64> = self.symmetry.par_iter().map(|q| dot(q, v)).collect();
        v.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
            let start = c * CHUNK;
            for (q, a) in self.symmetry.iter().zip(&coefficients) {
                let q = &q[start..start + chunk.len()];
                chunk.iter_mut().zip(q).for_each(|(v, q)| *v -= a * q);
            }
        });
    }

    /// out = P H v for v already in the reduced space (so = P H P v), H the Euclidean
    /// Hessian on ℝᵈ or the Riemannian one on spheres. Allocates nothing.
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        self.hessian.apply(v, out);
        self.project(out);
    }

    /// An orthonormal basis of the complement of the reduced space: the unit normals of
    /// the sphere blocks, then the symmetry basis.
    fn complement_basis(&self) -> Vec<Vec<f64>> {
        let mut basis = self.hessian.complement_basis();
        basis.extend(self.symmetry.iter().cloned());
        basis
    }
}
