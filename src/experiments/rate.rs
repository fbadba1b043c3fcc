//! The linear rate of gradient descent on a positive definite quadratic
//! f(x) = ½ xᵀAx − bᵀx (`landscape plot rate`).
//!
//! With x* = A⁻¹b, GD xₜ₊₁ = xₜ − η(Axₜ − b) gives xₜ₊₁ − x* = (I − ηA)(xₜ − x*), so
//! ‖xₜ − x*‖ ≤ qᵗ‖x₀ − x*‖ with q = ‖I − ηA‖₂ = max|1 − ηλᵢ| = max(|1 − ηλmin|, |1 − ηλmax|),
//! with equality when x₀ − x* is an eigenvector of the extreme factor. For
//! η ≤ 2/(λmin + λmax) — in particular the default η = 1/β = 1/λmax — q = 1 − ηλmin (the
//! issue's (1 − ηλmin)ᵗ; with η = 1/λmax it is 1 − λmin/λmax = 1 − 1/κ). For a larger η
//! the λmax end dominates, q = ηλmax − 1, and the report's `predicted` uses that q;
//! `one_minus_eta_lambda_min` keeps 1 − ηλmin for reference.
//!
//! λmin and λmax are those of A (dense, exact, up to [`DENSE_MAX_DIM`](crate::spectrum::DENSE_MAX_DIM));
//! x* is the problem's `stationary` known point (A⁻¹b by LU). A problem that is not a
//! positive definite `quadratic` is an error.

use serde::{Deserialize, Serialize};

use super::smoothness::quadratic_extremes;
use crate::error::{ensure_point, Error, Result};
use crate::linalg::dot;
use crate::objective::Objective;

/// Default number of steps of [`rate`].
pub const DEFAULT_RATE_ITERS: usize = 100;

/// Options of [`rate`].
#[derive(Clone, Debug, PartialEq)]
pub struct RateOptions {
    /// Steps T ≥ 1; defaults to [`DEFAULT_RATE_ITERS`].
    pub iters: usize,
    /// η, finite and positive; `None` (default) for 1/β.
    pub lr: Option<f64>,
    /// β for η = 1/β when `lr` is not given, finite and positive; `None` (default) for
    /// λmax(A).
    pub beta: Option<f64>,
}

impl Default for RateOptions {
    fn default() -> Self {
        RateOptions {
            iters: DEFAULT_RATE_ITERS,
            lr: None,
            beta: None,
        }
    }
}

/// ‖xₜ − x*‖ and its prediction at one step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RateStep {
    /// t.
    pub step: usize,
    /// ‖xₜ − x*‖.
    pub distance: f64,
    /// qᵗ‖x₀ − x*‖.
    pub predicted: f64,
}

/// What [`rate`] found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RateReport {
    /// The problem kind (`quadratic`).
    pub problem: String,
    /// Its dimension.
    pub dim: usize,
    /// λmin(A) > 0.
    pub lambda_min: f64,
    /// λmax(A).
    pub lambda_max: f64,
    /// The step size η.
    pub eta: f64,
    /// q = max|1 − ηλᵢ|, the contraction factor of the prediction.
    pub factor: f64,
    /// 1 − ηλmin (equal to `factor` when η ≤ 2/(λmin + λmax)).
    pub one_minus_eta_lambda_min: f64,
    /// Steps taken (T unless the iterate became non-finite).
    pub steps: usize,
    /// t = 0 … steps.
    pub per_step: Vec<RateStep>,
    /// max over t of distance / predicted (≤ 1 up to rounding, by the theorem).
    pub max_observed_over_predicted: f64,
}

/// Runs GD with step η on a positive definite quadratic and records ‖xₜ − x*‖ against
/// qᵗ‖x₀ − x*‖ (see the module docs).
///
/// Errors: a problem that is not a positive definite `quadratic`; x₀ of the wrong length
/// or non-finite; T = 0; η or β not finite and positive.
pub fn rate(f: &dyn Objective, x0: &[f64], opts: &RateOptions) -> Result<RateReport> {
    validate(f, x0, opts)?;
    let not_pd = |found: String| {
        Error::invalid(
            "problem",
            "a positive definite quadratic (rate needs one: x* = A⁻¹b, λmin(A) > 0)",
            found,
        )
    };
    let Some((lambda_min, lambda_max)) = quadratic_extremes(f)? else {
        return Err(not_pd(format!("`{}`, not a quadratic", f.kind())));
    };
    let zero = 1e-12 * lambda_max.abs().max(1.0) * f.dim() as f64;
    if lambda_min <= zero {
        return Err(not_pd(format!(
            "a quadratic with λmin = {lambda_min:e} (not positive definite)"
        )));
    }
    let x_star = f
        .known_point("stationary")
        .ok_or_else(|| not_pd("a quadratic without a unique minimiser".into()))?
        .x;
    let eta = opts.lr.unwrap_or(1.0 / opts.beta.unwrap_or(lambda_max));
    let factor = (1.0 - eta * lambda_min)
        .abs()
        .max((1.0 - eta * lambda_max).abs());

    let mut x = x0.to_vec();
    let mut g = vec![0.0; x.len()];
    let mut diff = vec![0.0; x.len()];
    let distance = |x: &[f64], diff: &mut [f64]| {
        for ((d, xi), si) in diff.iter_mut().zip(x).zip(&x_star) {
            *d = xi - si;
        }
        dot(diff, diff).sqrt()
    };
    let start = distance(&x, &mut diff);
    let mut per_step = Vec::with_capacity(opts.iters + 1);
    per_step.push(RateStep {
        step: 0,
        distance: start,
        predicted: start,
    });
    for t in 1..=opts.iters {
        f.gradient(&x, &mut g);
        x.iter_mut().zip(&g).for_each(|(xi, gi)| *xi -= eta * gi);
        let d = distance(&x, &mut diff);
        if !d.is_finite() {
            break;
        }
        per_step.push(RateStep {
            step: t,
            distance: d,
            predicted: factor.powf(t as f64) * start,
        });
    }
    let max_observed_over_predicted = per_step
        .iter()
        .filter(|s| s.predicted > 0.0)
        .map(|s| s.distance / s.predicted)
        .fold(0.0, f64::max);
    Ok(RateReport {
        problem: f.kind().to_string(),
        dim: f.dim(),
        lambda_min,
        lambda_max,
        eta,
        factor,
        one_minus_eta_lambda_min: 1.0 - eta * lambda_min,
        steps: per_step.len() - 1,
        per_step,
        max_observed_over_predicted,
    })
}

fn validate(f: &dyn Objective, x0: &[f64], opts: &RateOptions) -> Result<()> {
    ensure_point("init", x0, f.dim())?;
    if opts.iters == 0 {
        return Err(Error::invalid("iters", "at least 1 step", 0));
    }
    crate::budget::check_count("iters", opts.iters as u128, 8 * f.dim() as u128 + 256)?;
    for (name, value) in [("lr", opts.lr), ("beta", opts.beta)] {
        if let Some(v) = value {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, "a finite positive number", v));
            }
        }
    }
    Ok(())
}
