//! Newton's method on the dense Hessian: pure, damped, and saddle-free.
//!
//! With g = ∇f(xₜ) and H = ∇²f(xₜ) (assembled from d exact HVPs, one per basis vector,
//! and symmetrised, (H + Hᵀ)/2):
//!
//! - **pure Newton** (`newton`, η = 1, the default): xₜ₊₁ = xₜ − H⁻¹g. On a quadratic
//!   ½xᵀAx − bᵀx it lands on the stationary point A⁻¹b in one step, whatever the signs
//!   of A's eigenvalues: it is *attracted* to saddles (Dauphin et al. 2014, §3);
//! - **damped Newton** (`newton --lr η`, 0 < η): xₜ₊₁ = xₜ − ηH⁻¹g (η < 1 shortens the
//!   step; the same rule, so it is the same optimizer with its step size set);
//! - **saddle-free Newton** (`saddle_free_newton`, the saddle-aware variant chosen here;
//!   Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio, "Identifying and attacking the
//!   saddle point problem in high-dimensional non-convex optimization", NeurIPS 2014):
//!   with H = QΛQᵀ, |H|_δ = Q·diag(max(|λᵢ|, δ))·Qᵀ and xₜ₊₁ = xₜ − η|H|_δ⁻¹g. Along an
//!   eigenvector of negative curvature the step goes *downhill* (Newton's goes uphill,
//!   towards the saddle), so it escapes saddles; the floor δ > 0 (`--damping`) keeps the
//!   step finite where H is (nearly) singular.
//!
//! Hyperparameters (validated, an error names the offending one):
//! - `lr` η: finite, > 0; default 1.0 (pure Newton);
//! - `damping` δ (saddle-free only): finite, > 0; default 1e-3.
//!
//! # Linear algebra and failures
//! Newton solves Hs = g by Gaussian elimination with partial pivoting (LU) in place on a
//! copy of H: H may be indefinite (Cholesky would refuse a saddle's Hessian). A pivot
//! below d·ε·max|Hᵢⱼ| means H is singular to working precision: the step fails with
//! [`NewtonFailure::SingularHessian`] (a termination reason, never a panic). Saddle-free
//! Newton diagonalises H with the crate's eigensolver ([`crate::linalg::symmetric_eigen`],
//! bounded iterations); its failure is [`NewtonFailure::EigenNotConverged`]. A non-finite entry in H is
//! [`NewtonFailure::NonFiniteHessian`].
//!
//! # Cost and memory
//! A step costs d HVPs plus O(d³) flops, and d² numbers of memory: only affordable for
//! small d, so problems with d > [`MAX_DENSE_DIM`] are refused. The Hessian matrix, the
//! LU factor, the basis vector and the right-hand side are allocated once, when the
//! optimizer first sees the problem's dimension; a Newton step then allocates nothing.
//! What remains: saddle-free Newton's eigendecomposition allocates its own workspace
//! (O(d²)); the eigenvector matrix it returns is recycled as the next step's Hessian
//! buffer.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_positive, Method, Optimizer, Params, Step, Termination};
use crate::error::{Error, Result};
use crate::linalg::{dense_into, symmetric_eigen, HessianAt};
use crate::objective::Objective;

/// Hyperparameters of pure and damped Newton.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewtonParams {
    /// Step size η > 0; defaults to 1 (pure Newton).
    pub lr: f64,
}

impl Default for NewtonParams {
    fn default() -> Self {
        NewtonParams { lr: DEFAULT_LR }
    }
}

impl Params for NewtonParams {
    /// η positive and finite.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)
    }
}

/// Hyperparameters of saddle-free Newton.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SaddleFreeParams {
    /// Step size η > 0; defaults to 1.
    pub lr: f64,
    /// Floor δ > 0 on |λᵢ|; defaults to 10⁻³.
    pub damping: f64,
}

impl Default for SaddleFreeParams {
    fn default() -> Self {
        SaddleFreeParams {
            lr: DEFAULT_LR,
            damping: DEFAULT_DAMPING,
        }
    }
}

impl Params for SaddleFreeParams {
    /// η and δ positive and finite.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_positive(optimizer, "damping", self.damping)
    }
}

/// Pure and damped Newton in the registry.
impl Method for Newton {
    const NAME: &'static str = "newton";
    const SUMMARY: &'static str = "Newton's method: x ← x − ηH⁻¹g on the dense Hessian \
(η = 1, the default: pure; η < 1: damped)";
    type Params = NewtonParams;

    fn from_params(params: NewtonParams) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(Newton::pure_or_damped(params.lr)?))
    }
}

/// Saddle-free Newton in the registry: a [`Newton`] with the
/// [`NewtonVariant::SaddleFree`] rule (this type only names the registry entry).
pub enum SaddleFreeNewton {}

impl Method for SaddleFreeNewton {
    const NAME: &'static str = "saddle_free_newton";
    const SUMMARY: &'static str =
        "saddle-free Newton (Dauphin et al. 2014): x ← x − η|H|_δ⁻¹g, |λ| floored at δ (--damping)";
    type Params = SaddleFreeParams;

    fn from_params(params: SaddleFreeParams) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(Newton::saddle_free(params.lr, params.damping)?))
    }
}

/// The largest dimension for which the dense Hessian is assembled (d² numbers:
/// 4096² × 8 bytes = 128 MiB).
pub const MAX_DENSE_DIM: usize = 4096;

/// Default step size η: 1, pure Newton.
pub const DEFAULT_LR: f64 = 1.0;

/// Default eigenvalue floor δ of saddle-free Newton.
pub const DEFAULT_DAMPING: f64 = 1e-3;

/// Which Newton rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "variant", rename_all = "snake_case")]
pub enum NewtonVariant {
    /// x ← x − ηH⁻¹g (pure Newton for η = 1, damped otherwise).
    Newton,
    /// x ← x − η|H|_δ⁻¹g, |H|_δ = Q·diag(max(|λᵢ|, δ))·Qᵀ.
    SaddleFree {
        /// The floor δ on |λᵢ|.
        damping: f64,
    },
}

/// Why a Newton step could not be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NewtonFailure {
    /// A pivot of the LU factorisation fell below d·ε·max|Hᵢⱼ|.
    SingularHessian,
    /// The symmetric eigensolver hit its iteration cap.
    EigenNotConverged,
    /// The Hessian has a NaN or infinite entry.
    NonFiniteHessian,
}

impl NewtonFailure {
    /// The snake_case name used as a termination reason.
    pub fn name(self) -> &'static str {
        match self {
            NewtonFailure::SingularHessian => "singular_hessian",
            NewtonFailure::EigenNotConverged => "eigen_not_converged",
            NewtonFailure::NonFiniteHessian => "non_finite_hessian",
        }
    }
}

/// Newton's method (pure, damped or saddle-free) with its preallocated buffers.
#[derive(Clone, Debug)]
pub struct Newton {
    variant: NewtonVariant,
    lr: f64,
    /// ∇²f(x), symmetrised (d × d).
    hessian: DMatrix<f64>,
    /// The LU factor, overwritten in place (d × d; unused by saddle-free Newton).
    factor: DMatrix<f64>,
    /// Scratch basis vector eⱼ for the HVPs.
    basis: Vec<f64>,
    /// Right-hand side, then solution, of the linear system (or Qᵀg for saddle-free).
    solution: Vec<f64>,
}

impl Newton {
    /// Pure (η = 1) or damped Newton, x ← x − ηH⁻¹g. Errors if η is not finite and > 0.
    pub fn pure_or_damped(lr: f64) -> Result<Self> {
        NewtonParams { lr }.validate(<Newton as Method>::NAME)?;
        Ok(Self::with_variant(NewtonVariant::Newton, lr))
    }

    /// Saddle-free Newton, x ← x − η|H|_δ⁻¹g. Errors if η or δ is not finite and > 0.
    pub fn saddle_free(lr: f64, damping: f64) -> Result<Self> {
        SaddleFreeParams { lr, damping }.validate(SaddleFreeNewton::NAME)?;
        Ok(Self::with_variant(
            NewtonVariant::SaddleFree { damping },
            lr,
        ))
    }

    fn with_variant(variant: NewtonVariant, lr: f64) -> Self {
        Newton {
            variant,
            lr,
            hessian: DMatrix::zeros(0, 0),
            factor: DMatrix::zeros(0, 0),
            basis: Vec::new(),
            solution: Vec::new(),
        }
    }

    /// The rule.
    pub fn variant(&self) -> NewtonVariant {
        self.variant
    }

    /// The step size η.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The registry name.
    pub fn registry_name(&self) -> &'static str {
        match self.variant {
            NewtonVariant::Newton => <Newton as Method>::NAME,
            NewtonVariant::SaddleFree { .. } => SaddleFreeNewton::NAME,
        }
    }

    fn resize(&mut self, d: usize) {
        if self.hessian.shape() != (d, d) {
            self.hessian = DMatrix::zeros(d, d);
        }
        if self.factor.shape() != (d, d) && matches!(self.variant, NewtonVariant::Newton) {
            self.factor = DMatrix::zeros(d, d);
        }
        self.basis.resize(d, 0.0);
        self.solution.resize(d, 0.0);
    }

    /// Writes the displacement xₜ₊₁ − xₜ = −η·H⁻¹g (or −η·|H|_δ⁻¹g) at `x`, whose
    /// gradient is `grad`, into `step`. Allocates nothing after the first call for a
    /// dimension (saddle-free: see the module doc).
    ///
    /// # Panics
    /// If the slices' lengths differ from `f.dim()` (programmer error).
    #[track_caller]
    pub fn displacement(
        &mut self,
        f: &dyn Objective,
        x: &[f64],
        grad: &[f64],
        step: &mut [f64],
    ) -> Result<(), NewtonFailure> {
        let d = f.dim();
        assert!(
            x.len() == d && grad.len() == d && step.len() == d,
            "Newton::displacement: slice lengths must equal the dimension {d}"
        );
        self.solve(f, x, grad)?;
        for (s, u) in step.iter_mut().zip(&self.solution) {
            *s = -self.lr * u;
        }
        Ok(())
    }

    /// Leaves H⁻¹g (or |H|_δ⁻¹g) at `x` in `self.solution`.
    fn solve(&mut self, f: &dyn Objective, x: &[f64], grad: &[f64]) -> Result<(), NewtonFailure> {
        self.resize(x.len());
        dense_into(
            &HessianAt::euclidean(f, x),
            &mut self.basis,
            &mut self.hessian,
        );
        if self.hessian.iter().any(|h| !h.is_finite()) {
            return Err(NewtonFailure::NonFiniteHessian);
        }
        match self.variant {
            NewtonVariant::Newton => {
                self.factor.copy_from(&self.hessian);
                self.solution.copy_from_slice(grad);
                if !solve_symmetric_lu(&mut self.factor, &mut self.solution) {
                    return Err(NewtonFailure::SingularHessian);
                }
            }
            NewtonVariant::SaddleFree { damping } => self.saddle_free_solve(grad, damping)?,
        }
        Ok(())
    }

    /// solution = |H|_δ⁻¹g = Q·diag(1/max(|λᵢ|, δ))·Qᵀg.
    fn saddle_free_solve(&mut self, grad: &[f64], damping: f64) -> Result<(), NewtonFailure> {
        let Ok((eigenvalues, q)) = symmetric_eigen(&self.hessian) else {
            return Err(NewtonFailure::EigenNotConverged);
        };
        // cᵢ = (qᵢᵀg) / max(|λᵢ|, δ), then solution = Σᵢ cᵢqᵢ.
        for (i, c) in self.basis.iter_mut().enumerate() {
            let qi = q.column(i);
            let projection: f64 = qi.iter().zip(grad).map(|(a, b)| a * b).sum();
            *c = projection / eigenvalues[i].abs().max(damping);
        }
        self.solution.fill(0.0);
        for (i, c) in self.basis.iter().enumerate() {
            for (s, qi) in self.solution.iter_mut().zip(q.column(i).iter()) {
                *s += c * qi;
            }
        }
        self.basis.fill(0.0);
        self.hessian = q;
        Ok(())
    }
}

impl Optimizer for Newton {
    fn name(&self) -> &'static str {
        self.registry_name()
    }

    fn hyperparameters(&self) -> serde_json::Value {
        match self.variant {
            NewtonVariant::Newton => json!({ "lr": self.lr }),
            NewtonVariant::SaddleFree { damping } => json!({ "lr": self.lr, "damping": damping }),
        }
    }

    /// Rejects constrained problems and those too large for a dense Hessian; allocates.
    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        check_dense_problem(self.registry_name(), f)?;
        self.resize(f.dim());
        Ok(())
    }

    /// x ← x − η·H⁻¹g; on failure x is left as it was and the run stops with the
    /// failure's name (`singular_hessian`, …).
    fn step(
        &mut self,
        f: &dyn Objective,
        x: &mut [f64],
        _value: f64,
        grad: &[f64],
        _next_grad: &mut [f64],
    ) -> Step {
        match self.solve(f, x, grad) {
            Ok(()) => {
                for (x, u) in x.iter_mut().zip(&self.solution) {
                    *x -= self.lr * u;
                }
                Step::default()
            }
            Err(failure) => Step {
                stop: Some(Termination::Solver(failure.name().to_string())),
                ..Step::default()
            },
        }
    }
}

/// Rejects, for the optimizer `name`, a sphere-constrained problem (its derivatives
/// would be the unconstrained ones) and one too large for a dense d × d Hessian.
pub(crate) fn check_dense_problem(name: &str, f: &dyn Objective) -> Result<()> {
    reject_constrained(name, f)?;
    let d = f.dim();
    if d > MAX_DENSE_DIM {
        return Err(Error::UnsupportedProblem {
            optimizer: name.to_string(),
            what: format!(
                "problems of dimension > {MAX_DENSE_DIM} (it forms the dense d × d Hessian)"
            ),
            problem: f.kind().to_string(),
            detail: format!("has dimension {d}"),
        });
    }
    Ok(())
}

/// The error for an optimizer that cannot retract asked to run on a sphere-constrained
/// problem.
pub(crate) fn reject_constrained(name: &str, f: &dyn Objective) -> Result<()> {
    if f.manifold().is_euclidean() {
        Ok(())
    } else {
        Err(Error::UnsupportedProblem {
            optimizer: name.to_string(),
            what: "constrained problems".to_string(),
            problem: f.kind().to_string(),
            detail: "on spheres".to_string(),
        })
    }
}

/// Solves H·s = r in place for a *symmetric* H, by Gaussian elimination with partial
/// pivoting: on return `rhs` holds s. `a` holds H and is overwritten by the factor. False
/// if a pivot is below d·ε·max|Hᵢⱼ| (H singular to working precision).
///
/// H = Hᵀ, so the column-major storage of H read row-major is H itself: elimination works
/// on contiguous storage rows (= columns), row_i ← row_i − l·row_k, cache-friendly.
fn solve_symmetric_lu(a: &mut DMatrix<f64>, rhs: &mut [f64]) -> bool {
    let n = rhs.len();
    let m = a.as_mut_slice();
    let scale = m.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
    let tolerance = n as f64 * f64::EPSILON * scale;
    if scale == 0.0 {
        return false;
    }
    for k in 0..n {
        // Partial pivoting: the largest |a[i][k]|, i ≥ k.
        let mut pivot_row = k;
        for i in (k + 1)..n {
            if m[i * n + k].abs() > m[pivot_row * n + k].abs() {
                pivot_row = i;
            }
        }
        if m[pivot_row * n + k].abs() <= tolerance {
            return false;
        }
        if pivot_row != k {
            for j in 0..n {
                m.swap(k * n + j, pivot_row * n + j);
            }
            rhs.swap(k, pivot_row);
        }
        let (upper, lower) = m.split_at_mut((k + 1) * n);
        let row_k = &upper[k * n..];
        let pivot = row_k[k];
        for (offset, row_i) in lower.chunks_exact_mut(n).enumerate() {
            let l = row_i[k] / pivot;
            if l != 0.0 {
                for (a_ij, a_kj) in row_i[k..].iter_mut().zip(&row_k[k..]) {
                    *a_ij -= l * a_kj;
                }
                rhs[k + 1 + offset] -= l * rhs[k];
            }
        }
    }
    // Back substitution on the upper triangle.
    for k in (0..n).rev() {
        let row = &m[k * n..(k + 1) * n];
        let tail: f64 = row[(k + 1)..]
            .iter()
            .zip(&rhs[(k + 1)..])
            .map(|(a, s)| a * s)
            .sum();
        rhs[k] = (rhs[k] - tail) / row[k];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lu_solves_an_indefinite_symmetric_system() {
        // H = [[1, 2, 0], [2, -1, 3], [0, 3, 4]] (indefinite; the first pivot is not the
        // largest), s = (1, −2, 0.5): r = Hs = (−3, 5.5, −4).
        let h = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 2.0, -1.0, 3.0, 0.0, 3.0, 4.0]);
        let mut a = h.clone();
        let mut rhs = vec![-3.0, 5.5, -4.0];
        assert!(solve_symmetric_lu(&mut a, &mut rhs));
        for (s, expected) in rhs.iter().zip([1.0, -2.0, 0.5]) {
            assert!((s - expected).abs() < 1e-14, "{rhs:?}");
        }
    }

    #[test]
    fn lu_reports_a_singular_matrix() {
        // Rank one: [[1, 2], [2, 4]].
        let mut a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        let mut rhs = vec![1.0, 1.0];
        assert!(!solve_symmetric_lu(&mut a, &mut rhs));
        let mut zero = DMatrix::zeros(2, 2);
        assert!(!solve_symmetric_lu(&mut zero, &mut rhs));
    }
}
