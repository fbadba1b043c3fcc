//! The spectrum of the Hessian at a point, in the reduced space.
//!
//! The reduced space at x is the tangent space of [`Objective::manifold`] (all of ℝᵈ when
//! unconstrained) minus the span of [`Objective::symmetry_directions`] (when
//! [`SpectrumOptions::project_symmetries`]). With Q an orthonormal basis of it, the
//! reduced Hessian is H_red = Qᵀ H Q, where H is the Euclidean Hessian ∇²f(x), or on
//! spheres the Riemannian Hessian Hess f(x) (see [`crate::manifold`]). Projected-out
//! normal and symmetry directions therefore never show up as spurious zero eigenvalues.
//!
//! Methods:
//! - [`Method::Dense`]: H_red assembled from one exact HVP per basis vector, symmetrised,
//!   and diagonalised by faer's self-adjoint eigensolver (bounded iterations);
//! - [`Method::Lanczos`]: matrix-free Lanczos with partial reorthogonalisation and thick
//!   restarts, for the k smallest and k largest eigenpairs with their residuals ‖Hv − λv‖;
//! - [`Method::Auto`]: dense when the reduced dimension is at most
//!   [`SpectrumOptions::dense_threshold`], Lanczos above.
//!
//! Both run on any [`SymmetricOperator`] ([`spectrum_of`]): the reduced Hessian here, a
//! plain matrix in tests. The spectral density (stochastic Lanczos quadrature) and
//! Hutchinson's trace estimator live in [`density`].
//!
//! ```
//! use landscape::problems;
//! use landscape::spectrum::{hessian_spectrum, SpectrumOptions};
//!
//! let (_, f) = problems::load("quadratic", &["eigenvalues = [-1, 2, 3]".into()]).unwrap();
//! let s = hessian_spectrum(f.as_ref(), &[0.0; 3], &SpectrumOptions::default()).unwrap();
//! assert!((s.eigenvalues[0] + 1.0).abs() < 1e-12);
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{ensure_point, Error, Result};
use crate::linalg::SymmetricOperator;
use crate::objective::Objective;

mod dense;
pub mod density;
mod lanczos;
mod reduced;
mod symmetry;
mod text;

pub use dense::{dense_matrix, reported_indices};
pub use density::{
    density_of, hutchinson_trace, spectral_density, trace_of, Density, DensityOptions,
    TraceEstimate,
};
pub use reduced::ReducedSpace;

/// How to compute the spectrum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Dense when the reduced dimension is at most the dense threshold, else Lanczos.
    Auto,
    /// Every eigenvalue of the assembled reduced Hessian.
    Dense,
    /// Matrix-free Lanczos for the extreme eigenpairs.
    Lanczos,
}

impl Method {
    /// Every method, in the order of [`Method::name`]'s list: auto, dense, lanczos.
    pub const ALL: [Method; 3] = [Method::Auto, Method::Dense, Method::Lanczos];

    /// The method's name, as serialised: `auto`, `dense` or `lanczos`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Dense => "dense",
            Method::Lanczos => "lanczos",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Method {
    type Err = Error;

    /// Parses a [`Method::name`]; the error names the field `method`.
    fn from_str(s: &str) -> Result<Self> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::invalid("method", "auto, dense or lanczos", format!("`{s}`")))
    }
}

/// Which ends of the spectrum a run reports (and, for Lanczos, converges).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Which {
    /// The k smallest and the k largest pairs.
    #[default]
    Both,
    /// The k smallest pairs only (`largest` is empty).
    Smallest,
    /// The k largest pairs only (`smallest` is empty): the top-k of a Hessian whose
    /// positive end dominates, as power iteration finds them.
    Largest,
}

impl Which {
    /// Every choice, in the order of [`Which::name`]'s list: both, smallest, largest.
    pub const ALL: [Which; 3] = [Which::Both, Which::Smallest, Which::Largest];

    /// The name, as serialised: `both`, `smallest` or `largest`.
    pub fn name(self) -> &'static str {
        match self {
            Which::Both => "both",
            Which::Smallest => "smallest",
            Which::Largest => "largest",
        }
    }

    /// The smallest pairs are wanted.
    pub fn smallest(self) -> bool {
        self != Which::Largest
    }

    /// The largest pairs are wanted.
    pub fn largest(self) -> bool {
        self != Which::Smallest
    }

    /// The ascending indices, among n ascending values, of the k smallest and the k
    /// largest as wanted (one range when both ends meet).
    pub fn indices(self, n: usize, k: usize) -> Vec<usize> {
        (0..n)
            .filter(|&j| (self.smallest() && j < k) || (self.largest() && j + k >= n))
            .collect()
    }
}

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Which {
    type Err = Error;

    /// Parses a [`Which::name`]; the error names the field `which`.
    fn from_str(s: &str) -> Result<Self> {
        Which::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| Error::invalid("which", "both, smallest or largest", format!("`{s}`")))
    }
}

/// Options of [`hessian_spectrum`], with documented defaults.
#[derive(Clone, Debug)]
pub struct SpectrumOptions {
    /// The method; defaults to [`Method::Auto`].
    pub method: Method,
    /// [`Method::Auto`] picks dense when the reduced dimension is at most this; defaults
    /// to 1000.
    pub dense_threshold: usize,
    /// Eigenpairs wanted at each end (smallest and largest); defaults to 6. At least 1;
    /// at most the reduced dimension are returned, so k ≥ it gives every pair (dense).
    pub k: usize,
    /// Project out `f.symmetry_directions(x)`; defaults to true.
    pub project_symmetries: bool,
    /// Lanczos convergence: residual ‖Hv − λv‖ ≤ tol·‖H‖; defaults to 1e-8. Must be
    /// finite and positive.
    pub tol: f64,
    /// Lanczos cap on Hessian-vector products; defaults to 20 000.
    pub max_hvps: usize,
    /// Seed of the Lanczos start vector; defaults to 0.
    pub seed: u64,
    /// Fill [`Eigenpair::vector`]; defaults to false.
    pub with_vectors: bool,
    /// The ends reported: both (the default), or only the smallest or the largest k
    /// pairs (Lanczos then converges only those: fewer HVPs when the other end is
    /// clustered). The list of an end not wanted is empty.
    pub which: Which,
}

impl Default for SpectrumOptions {
    fn default() -> Self {
        SpectrumOptions {
            method: Method::Auto,
            dense_threshold: 1000,
            k: 6,
            project_symmetries: true,
            tol: 1e-8,
            max_hvps: 20_000,
            seed: 0,
            with_vectors: false,
            which: Which::Both,
        }
    }
}

/// One eigenpair of the reduced Hessian.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Eigenpair {
    /// The eigenvalue λ.
    pub value: f64,
    /// ‖Hv − λv‖ for the reduced (projected) Hessian, v unit.
    pub residual: f64,
    /// The unit eigenvector in ambient coordinates (length `f.dim()`), lying in the
    /// reduced space, so `x + t·v` is a probe direction for f.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<Vec<f64>>,
}

/// The spectrum of the reduced Hessian at a point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spectrum {
    /// The method used: [`Method::Dense`] or [`Method::Lanczos`].
    pub method: Method,
    /// `f.dim()`.
    pub ambient_dim: usize,
    /// Tangent-space dimension minus `symmetry_modes`.
    pub reduced_dim: usize,
    /// Rank of the projected-out symmetry directions within the tangent space.
    pub symmetry_modes: usize,
    /// False when symmetry directions were not projected: switched off, or too many in
    /// dense form (more than [`SYMMETRY_BUDGET`] numbers; a structured orbit such as the
    /// matrix kinds' rotation has no such limit); then `symmetry_modes` is 0.
    pub symmetry_projected: bool,
    /// Ascending: every eigenvalue (dense) or the computed extreme ones (Lanczos).
    pub eigenvalues: Vec<f64>,
    /// `eigenvalues` is the whole spectrum of the reduced Hessian.
    pub complete: bool,
    /// The min(k, reduced_dim) smallest pairs, ascending (empty when only the largest
    /// were asked for).
    pub smallest: Vec<Eigenpair>,
    /// The min(k, reduced_dim) largest pairs, descending (empty when only the smallest
    /// were asked for).
    pub largest: Vec<Eigenpair>,
    /// Dense: always true; Lanczos: every wanted pair met the tolerance.
    pub converged: bool,
    /// Hessian-vector products used (dense: one per basis vector).
    pub hvp_count: usize,
    /// max |λ| seen (an estimate for Lanczos).
    pub hessian_norm: f64,
}

/// Largest number of f64 entries (directions × dimension) of symmetry directions that
/// are orthonormalised and projected out; beyond it the projection is skipped and
/// reported through [`Spectrum::symmetry_projected`].
pub const SYMMETRY_BUDGET: usize = 50_000_000;

/// Largest reduced dimension that [`Method::Dense`] accepts (its matrices take
/// 8·d² bytes each).
pub const DENSE_MAX_DIM: usize = 8_000;

/// The spectrum of the Hessian of f at x restricted to the reduced space: the tangent
/// space of `f.manifold()` at x (the Riemannian Hessian on spheres) minus the span of the
/// symmetry directions (when `opts.project_symmetries`).
///
/// Errors: a point of the wrong length or with non-finite entries, or off its manifold;
/// k = 0 or k > f.dim(); a non-finite or non-positive tol; max_hvps = 0 (each an
/// [`Error::InvalidField`] naming the option); dense on a reduced dimension above
/// [`DENSE_MAX_DIM`]; the dense eigensolver hitting its iteration cap
/// ([`Error::Numerical`]). Lanczos never errs on non-convergence: it returns
/// `converged = false`.
pub fn hessian_spectrum(f: &dyn Objective, x: &[f64], opts: &SpectrumOptions) -> Result<Spectrum> {
    ensure_point("point", x, f.dim())?;
    validate(opts)?;
    let space = ReducedSpace::new(f, x, opts.project_symmetries)?;
    let mut spectrum = spectrum_unchecked(&space, opts)?;
    spectrum.symmetry_modes = space.symmetry_modes();
    spectrum.symmetry_projected = space.symmetry_projected();
    Ok(spectrum)
}

/// The spectrum of a symmetric operator on its domain (see [`crate::linalg::operator`]),
/// by the method of `opts` (`project_symmetries` does not apply: the operator's domain is
/// what it is). The report's `ambient_dim` is `op.dim()`, its `reduced_dim`
/// `op.domain_dim()`, and `symmetry_modes` 0.
///
/// Errors: as [`hessian_spectrum`]'s, without the point's.
pub fn spectrum_of(op: &dyn SymmetricOperator, opts: &SpectrumOptions) -> Result<Spectrum> {
    validate(opts)?;
    spectrum_unchecked(op, opts)
}

/// Dense or Lanczos by `opts.method`, options already checked.
fn spectrum_unchecked(op: &dyn SymmetricOperator, opts: &SpectrumOptions) -> Result<Spectrum> {
    let method = match opts.method {
        Method::Auto if op.domain_dim() <= opts.dense_threshold => Method::Dense,
        Method::Auto => Method::Lanczos,
        m => m,
    };
    match method {
        Method::Dense => dense::spectrum(op, opts),
        _ => lanczos::spectrum(op, opts),
    }
}

/// Checks the options.
fn validate(opts: &SpectrumOptions) -> Result<()> {
    // k is "at most k": the defaults must work on 2-D problems too. The CLI rejects an
    // explicit --k above the dimension itself.
    if opts.k == 0 {
        return Err(Error::invalid("k", "at least 1 eigenpair per end", opts.k));
    }
    check_tolerance("tol", opts.tol)?;
    if opts.max_hvps == 0 {
        return Err(Error::invalid("max_hvps", "a positive count", 0));
    }
    Ok(())
}

/// A tolerance must be finite and positive.
pub(crate) fn check_tolerance(field: &str, tol: f64) -> Result<()> {
    if tol.is_finite() && tol > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(field, "a finite positive number", tol))
    }
}
