//! Gradient descent on the `octopus` with tiny coordinates tracked in the log domain:
//! the exact GD map, without the floating-point underflow that otherwise freezes GD on
//! a saddle from d ≈ 5 on.
//!
//! # The reformulation
//! GD is xₜ₊₁ = xₜ − η∇f(xₜ). Where |xₖ| ≤ τ the octopus (see
//! [`crate::problems::octopus`]) has u′(xₖ) = −2γxₖ and ω′(xₖ) = 0, so
//!
//!   ∂f/∂xₖ = (1 − ω̂ₖ)·2L xₖ + ω̂ₖ·(−2γ xₖ) = xₖ·(2L − 2(L + γ)ω̂ₖ),
//!
//! with ω̂₁ = 1 and ω̂ₖ = ω(x_{k−1}): the coordinate evolves *multiplicatively*,
//!
//!   xₖ ← mₖ·xₖ,  mₖ = 1 − η(2L − 2(L + γ)ω̂ₖ),
//!
//! a factor that depends on the predecessor only (mₖ = 1 − 2ηL = ½ while idle with
//! η = 1/(4L), mₖ = 1 + 2ηγ while escaping). Once |xₖ| < θ = 2⁻⁵⁰⁰ we therefore store
//! it as (sign, ln|xₖ|) and update ln|xₖ| += ln|mₖ| (sign flips when mₖ < 0; mₖ = 0
//! makes it an exact zero, ln = −∞, which is then a fixed point of the mathematics).
//! When ln|xₖ| rises above ln θ again, xₖ = ±exp(ln|xₖ|) rejoins the ordinary update.
//!
//! What the other coordinates see of a tracked xₖ: ω(xₖ) = 0 (as for the true value,
//! since |xₖ| < τ), and the term ω′(x_{k−1})·R(xₖ) = −ω′(x_{k−1})(L + γ)xₖ² in
//! ∂f/∂x_{k−1}, at most (15/(8τ))(L + γ)θ² ≈ 10⁻³⁰⁰ — below a 10⁻²⁸⁰-th of an ulp of
//! x_{k−1}, which is ≥ τ wherever ω′ ≠ 0. Likewise f drops the terms
//! (1 − ω̂ₖ)Lxₖ² − ω̂ₖγxₖ², |·| ≤ max(L, γ)θ² ≈ 10⁻³⁰⁰. So the tracked coordinates are
//! evaluated as 0 in a "shadow" point handed to the octopus, and this loop computes the
//! same iterates as exact-arithmetic GD up to rounding (one rounding of the logarithm
//! per step instead of one of the product) — and plain f64 GD bit for bit as long as no
//! coordinate falls below θ.
//!
//! # Plain mode
//! With `log_domain = false` this is plain f64 GD (no tracking); a run that stands still
//! bit for bit with f − f* > tol is reported as `stalled` (a censored run), and the first
//! iteration at which some coordinate became subnormal or 0 is recorded.

use serde::{Deserialize, Serialize};

use crate::objective::Objective;
use crate::problems::octopus::spline::Splines;
use crate::problems::octopus::Octopus;

/// θ = 2⁻⁵⁰⁰ ≈ 3·10⁻¹⁵¹: coordinates smaller in magnitude are tracked in the log domain.
pub const LOG_THRESHOLD: f64 = 3.054936363499605e-151;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// f − f* ≤ tol at the reported iteration (the first such iteration).
    Reached,
    /// The iteration cap came first (censored).
    MaxIters,
    /// An exact floating-point fixed point with f − f* > tol (censored; in plain mode
    /// the signature of underflow).
    Stalled,
    /// A non-finite value (censored).
    Diverged,
    /// The optimizer stopped on its own rule before f − f* ≤ tol (censored).
    Stopped,
}

/// One run (GD or PGD): when (and whether) it reached f − f* ≤ tol.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// How it ended.
    pub outcome: Outcome,
    /// The iteration at which it ended: the hitting time when `outcome` is `reached`,
    /// otherwise the iteration of censoring.
    pub iterations: usize,
    /// The first iteration at which some coordinate was below θ (log mode: moved to the
    /// log domain) or subnormal/zero (plain mode); `None` if never.
    pub underflow_at: Option<usize>,
}

/// Runs GD with step `lr` on `f` from `x0` until f − f* ≤ `tol` or `max_iters` steps.
///
/// `log_domain` selects the exact log-domain reformulation (module doc) or plain f64 GD.
/// Allocates once per run.
///
/// # Panics
/// If `x0.len() != f.dim()`.
pub fn run(
    f: &Octopus,
    x0: &[f64],
    lr: f64,
    tol: f64,
    max_iters: usize,
    log_domain: bool,
) -> RunResult {
    let d = f.dim();
    assert_eq!(x0.len(), d, "du2017 gd: start has the wrong length");
    let splines = Splines::new(f.tau(), f.l(), f.gamma());
    let (l, gamma) = (f.l(), f.gamma());
    let threshold = if log_domain { LOG_THRESHOLD } else { 0.0 };
    let target = f.optimum().expect("the octopus knows f*") + tol;
    // x: the shadow point (0 where tracked); tracked coordinates as (sign, ln|x|).
    let mut x = x0.to_vec();
    let mut grad = vec![0.0; d];
    let mut underflow_at = None;
    let tiny = |v: f64| v != 0.0 && v.abs() < threshold;
    // Moves coordinate k (|x_k| < θ) into the log domain at iteration t.
    let track = |k: usize, t: usize, x: &mut [f64], log: &mut Log, at: &mut Option<usize>| {
        log.sign[k] = x[k].signum();
        log.abs[k] = x[k].abs().ln();
        log.tracked[k] = true;
        x[k] = 0.0;
        at.get_or_insert(t);
    };
    let mut log = Log {
        tracked: vec![false; d],
        sign: vec![1.0; d],
        abs: vec![f64::NEG_INFINITY; d],
    };
    // Starts already below θ are tracked from the start.
    for k in 0..d {
        if tiny(x[k]) {
            track(k, 0, &mut x, &mut log, &mut underflow_at);
        }
    }
    let end = |outcome, iterations, underflow_at| RunResult {
        outcome,
        iterations,
        underflow_at,
    };
    let mut t = 0;
    loop {
        let value = f.value_and_gradient(&x, &mut grad);
        if !value.is_finite() {
            return end(Outcome::Diverged, t, underflow_at);
        }
        if value <= target {
            return end(Outcome::Reached, t, underflow_at);
        }
        if t >= max_iters {
            return end(Outcome::MaxIters, t, underflow_at);
        }
        let mut moved = false;
        // Descending k: x[k − 1] still holds xₜ when coordinate k reads its switch.
        for k in (0..d).rev() {
            if log.tracked[k] {
                let before = if k == 0 {
                    1.0
                } else {
                    splines.switch(x[k - 1]).value
                };
                let m = 1.0 - lr * (2.0 * l - 2.0 * (l + gamma) * before);
                let step = m.abs().ln();
                if step != 0.0 && log.abs[k] != f64::NEG_INFINITY {
                    moved = true;
                }
                log.abs[k] += step;
                log.sign[k] *= m.signum();
                if log.abs[k] >= threshold.ln() {
                    x[k] = log.sign[k] * log.abs[k].exp();
                    log.tracked[k] = false;
                }
            } else {
                let new = x[k] - lr * grad[k];
                moved |= new != x[k];
                x[k] = new;
                if tiny(new) {
                    track(k, t + 1, &mut x, &mut log, &mut underflow_at);
                } else if !log_domain && underflow_at.is_none() && new.abs() < f64::MIN_POSITIVE {
                    underflow_at = Some(t + 1);
                }
            }
        }
        t += 1;
        if !moved {
            return end(Outcome::Stalled, t, underflow_at);
        }
    }
}

/// The log-domain coordinates: xₖ = signₖ·exp(absₖ) where `tracked[k]`.
struct Log {
    tracked: Vec<bool>,
    sign: Vec<f64>,
    abs: Vec<f64>,
}
