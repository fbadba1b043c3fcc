//! The smoothness constant β of [`bounds`](super::bounds) and [`rate`](super::rate):
//! the largest |λ| of the Hessian, ‖∇²f(x)‖₂.
//!
//! f is β-smooth (∇f is β-Lipschitz) on a convex region exactly when ‖∇²f(x)‖₂ ≤ β there.
//! ‖∇²f‖₂ is the largest *magnitude* eigenvalue max(|λmin|, |λmax|): for an indefinite
//! Hessian it may be −λmin, not λmax. On positive semidefinite Hessians the two coincide.
//!
//! - On `quadratic` the Hessian is A everywhere, so β = ‖A‖₂ = max|λᵢ(A)| is exact
//!   (dense eigenvalues of A assembled from exact HVPs; above the dense limit, Lanczos
//!   with its residual added, which bounds the error of the extreme Ritz value).
//! - Otherwise the largest |λ| at one point is computed by [`hessian_spectrum`] (dense
//!   up to [`ESTIMATE_DENSE_THRESHOLD`], Lanczos above, residual added) on the full
//!   Euclidean Hessian (symmetry directions are *not* projected out: smoothness is about
//!   the whole space).

use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::problems::quadratic;
use crate::spectrum::{hessian_spectrum, Method, Spectrum, SpectrumOptions, DENSE_MAX_DIM};

/// Above this dimension a per-point estimate of ‖∇²f(x)‖₂ uses Lanczos instead of the
/// dense eigensolver (dense costs d HVPs and O(d³) per point).
pub const ESTIMATE_DENSE_THRESHOLD: usize = 200;

/// True when f is the `quadratic` kind, whose Hessian is constant.
pub fn is_quadratic(f: &dyn Objective) -> bool {
    f.kind() == quadratic::KIND.name
}

/// The extreme eigenvalues (λmin, λmax) of ∇²f(x): exact (dense) up to `dense_threshold`,
/// otherwise Lanczos values widened outwards by their residuals.
pub fn extreme_eigenvalues(
    f: &dyn Objective,
    x: &[f64],
    dense_threshold: usize,
    seed: u64,
) -> Result<(f64, f64)> {
    let opts = SpectrumOptions {
        method: Method::Auto,
        dense_threshold,
        k: 1,
        project_symmetries: false,
        seed,
        ..SpectrumOptions::default()
    };
    let spectrum = hessian_spectrum(f, x, &opts)?;
    extremes(&spectrum)
}

fn extremes(spectrum: &Spectrum) -> Result<(f64, f64)> {
    let (smallest, largest) = match (spectrum.smallest.first(), spectrum.largest.first()) {
        (Some(s), Some(l)) => (s, l),
        _ => {
            return Err(Error::Numerical {
                what: "Hessian spectrum".into(),
                message: "no eigenvalue returned".into(),
            })
        }
    };
    if spectrum.method == Method::Dense {
        Ok((smallest.value, largest.value))
    } else {
        // |λ − θ| ≤ ‖Hv − θv‖ for a unit v: the residual widens the interval safely.
        Ok((
            smallest.value - smallest.residual,
            largest.value + largest.residual,
        ))
    }
}

/// ‖∇²f(x)‖₂ = max(|λmin|, |λmax|) at x (see [`extreme_eigenvalues`]).
pub fn hessian_norm_at(f: &dyn Objective, x: &[f64], seed: u64) -> Result<f64> {
    let (low, high) = extreme_eigenvalues(f, x, ESTIMATE_DENSE_THRESHOLD, seed)?;
    Ok(low.abs().max(high.abs()))
}

/// The extreme eigenvalues (λmin, λmax) of A for a `quadratic` f (exact up to
/// [`DENSE_MAX_DIM`]), or `None` when f is not a quadratic.
pub fn quadratic_extremes(f: &dyn Objective) -> Result<Option<(f64, f64)>> {
    if !is_quadratic(f) {
        return Ok(None);
    }
    let origin = vec![0.0; f.dim()];
    extreme_eigenvalues(f, &origin, DENSE_MAX_DIM, 0).map(Some)
}
