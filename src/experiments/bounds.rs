//! The classical bounds of gradient descent, checked along a run (`landscape bounds`).
//!
//! GD with η = 1/β runs T steps from x₀: xₜ₊₁ = xₜ − ∇f(xₜ)/β.
//!
//! **Descent lemma.** If ∇f is β-Lipschitz, each step decreases f by at least
//! ‖∇f(xₜ)‖²/(2β). Per step t the report gives the decrease f(xₜ) − f(xₜ₊₁), the bound
//! ‖∇f(xₜ)‖²/(2β) and their `ratio` = decrease / bound (≥ 1 when the lemma holds).
//!
//! **Convergence.** Summing the lemma over s ≤ t gives
//! min_{s≤t} ‖∇f(xₛ)‖ ≤ √(2β(f(x₀) − f*)/(t + 1)), so T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ steps
//! reach ‖∇f‖ ≤ ε. f* is the known optimum ([`Objective::optimum`]) when the problem
//! knows it (`f_star_known: true`); otherwise it is the lowest value seen along the run
//! (`f_star_known: false`): then the curve is an *a-posteriori* check (it holds whenever
//! the lemma held at every step), not an a-priori guarantee, and T(ε) is only as good
//! as that stand-in for f*.
//!
//! **β.** Given ([`BoundsOptions::beta`]); otherwise exact on `quadratic`
//! (‖A‖₂ = max|λᵢ(A)|, which is λmax for A ⪰ 0; for an indefinite A the smoothness
//! constant is the spectral norm, see [`smoothness`](super::smoothness)); otherwise
//! estimated (`beta_is_estimate: true`): β₀ = ‖∇²f(x₀)‖₂, then GD runs with the current
//! β, ‖∇²f‖₂ is computed at [`EstimateOptions::samples`] evenly spaced iterates, and if
//! their maximum exceeds β the run is repeated from x₀ with that maximum, at most
//! [`EstimateOptions::max_rounds`] runs in all. The report lists every round and says
//! whether the last one `settled` (no sampled iterate above β). A curvature estimate at
//! sampled points is not a Lipschitz constant on the segments between them, so an
//! estimated β can show violations: that is the finding, not a bug.
//!
//! **Floating point.** A computed ratio carries rounding error: evaluating f costs a few
//! ulps of |f| and rounding the iterate costs about ε(‖xₜ‖ + η‖∇f‖)·‖∇f‖. Each step
//! reports that allowance relative to the bound as `rounding` (a heuristic of
//! [`VALUE_ULPS`] ulps on each value plus the first-order iterate term). A step is a
//! violation when ratio < 1 − tolerance − rounding (the shortfall is beyond both), and
//! `min_ratio` is the minimum over the *resolved* steps, those with rounding ≤ tolerance
//! (near a minimum with f* ≠ 0 the decrease drowns in the rounding of f; those steps
//! are counted in `unresolved_steps`). When ∇f(xₜ) = 0 exactly (the bound is 0, the
//! ratio undefined) the run stops as `stationary`; when f, ∇f or the iterate become
//! non-finite it stops as `diverged`, without a record for that step.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::convergence::convergence;
pub use super::convergence::ConvergenceBound;
use super::smoothness::{hessian_norm_at, quadratic_extremes};
use crate::display::short;
use crate::error::{ensure_point, Error, Result};
use crate::linalg::dot;
use crate::objective::Objective;

/// Default number of steps T.
pub const DEFAULT_ITERS: usize = 200;
/// Default relative tolerance on the ratio (a violation is ratio < 1 − tolerance − rounding).
pub const DEFAULT_TOLERANCE: f64 = 1e-9;
/// The default ε when x₀ is stationary (‖∇f(x₀)‖/10 would be 0).
pub const DEFAULT_EPSILON_AT_STATIONARY: f64 = 1e-8;
/// Rounding allowance on each computed value of f, in ulps of |f|.
pub const VALUE_ULPS: f64 = 16.0;
/// Rounding allowance on the iterate update, in ulps (of ‖xₜ‖ + η‖∇f(xₜ)‖).
const STEP_ULPS: f64 = 4.0;

/// How β is estimated when it is neither given nor exact.
#[derive(Clone, Debug, PartialEq)]
pub struct EstimateOptions {
    /// Iterates per run at which ‖∇²f‖₂ is computed (evenly spaced, the last included);
    /// defaults to 10. At least 1.
    pub samples: usize,
    /// Runs at most (the first with β₀ = ‖∇²f(x₀)‖₂ included); defaults to 4. At least 1.
    pub max_rounds: usize,
    /// Seed of the Lanczos start vectors (large problems); defaults to 0.
    pub seed: u64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            samples: 10,
            max_rounds: 4,
            seed: 0,
        }
    }
}

/// Options of [`bounds`].
#[derive(Clone, Debug, PartialEq)]
pub struct BoundsOptions {
    /// Steps T ≥ 1; defaults to [`DEFAULT_ITERS`].
    pub iters: usize,
    /// β, finite and positive; `None` (default) for exact (quadratic) or estimated.
    pub beta: Option<f64>,
    /// ε of T(ε), finite and positive; `None` (default) for ‖∇f(x₀)‖/10 (or
    /// [`DEFAULT_EPSILON_AT_STATIONARY`] when ∇f(x₀) = 0).
    pub epsilon: Option<f64>,
    /// Relative tolerance on the ratio, finite and ≥ 0; defaults to [`DEFAULT_TOLERANCE`].
    pub tolerance: f64,
    /// The estimate's procedure.
    pub estimate: EstimateOptions,
}

impl Default for BoundsOptions {
    fn default() -> Self {
        BoundsOptions {
            iters: DEFAULT_ITERS,
            beta: None,
            epsilon: None,
            tolerance: DEFAULT_TOLERANCE,
            estimate: EstimateOptions::default(),
        }
    }
}

/// Where β came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BetaSource {
    /// [`BoundsOptions::beta`].
    Given,
    /// ‖A‖₂ of a `quadratic` (exact).
    Quadratic,
    /// The largest ‖∇²f‖₂ along the path (an estimate).
    Estimated,
}

/// One run of the estimate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EstimateRound {
    /// The β the run used.
    pub beta: f64,
    /// The largest ‖∇²f‖₂ at its sampled iterates.
    pub path_max: f64,
}

/// How an estimated β was found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BetaEstimate {
    /// ‖∇²f(x₀)‖₂.
    pub at_start: f64,
    /// The runs, in order; the report describes the last.
    pub rounds: Vec<EstimateRound>,
    /// The last run's sampled iterates all had ‖∇²f‖₂ ≤ β.
    pub settled: bool,
}

/// Why the run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// All T steps were taken.
    Completed,
    /// ∇f(xₜ) = 0 (the bound vanished): the ratio is undefined and GD would not move.
    Stationary,
    /// f, ∇f or the iterate became non-finite.
    Diverged,
}

impl Termination {
    /// The name, as in the JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Termination::Completed => "completed",
            Termination::Stationary => "stationary",
            Termination::Diverged => "diverged",
        }
    }
}

/// One GD step xₜ → xₜ₊₁.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DescentStep {
    /// t.
    pub step: usize,
    /// f(xₜ).
    pub value: f64,
    /// ‖∇f(xₜ)‖.
    pub grad_norm: f64,
    /// f(xₜ) − f(xₜ₊₁).
    pub decrease: f64,
    /// The descent-lemma bound ‖∇f(xₜ)‖²/(2β) (> 0).
    pub bound: f64,
    /// decrease / bound.
    pub ratio: f64,
    /// Floating-point allowance on `ratio` (see the module docs).
    pub rounding: f64,
}

/// What [`bounds`] found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BoundsReport {
    /// The problem kind.
    pub problem: String,
    /// Its dimension.
    pub dim: usize,
    /// β.
    pub beta: f64,
    /// β is an estimate (neither given nor exact).
    pub beta_is_estimate: bool,
    /// Where β came from.
    pub beta_source: BetaSource,
    /// The estimate's rounds, when estimated.
    pub beta_estimate: Option<BetaEstimate>,
    /// η = 1/β.
    pub eta: f64,
    /// The relative tolerance on the ratio.
    pub tolerance: f64,
    /// Steps taken (T unless the run stopped early).
    pub steps: usize,
    /// Why the run stopped.
    pub termination: Termination,
    /// Minimum ratio over the resolved steps (rounding ≤ tolerance); null if none.
    pub min_ratio: Option<f64>,
    /// Steps with ratio < 1 − tolerance − rounding.
    pub violations: Vec<usize>,
    /// Steps whose rounding allowance exceeds the tolerance (not in `min_ratio`).
    pub unresolved_steps: usize,
    /// One record per step.
    pub per_step: Vec<DescentStep>,
    /// f at the last iterate.
    pub final_value: f64,
    /// ‖∇f‖ at the last iterate.
    pub final_grad_norm: f64,
    /// f* of the convergence bound.
    pub f_star: f64,
    /// f* is the problem's known optimum (otherwise the lowest value seen on the run).
    pub f_star_known: bool,
    /// The convergence bound.
    pub convergence: ConvergenceBound,
}

/// How many violating steps the text summary names.
const SHOWN_VIOLATIONS: usize = 10;

/// The summary `landscape bounds` prints: β and its source (with the estimate's runs),
/// the descent lemma's ratio and violations, f*, the convergence bound and T(ε).
impl std::fmt::Display for BoundsReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self;
        let source = if r.beta_is_estimate {
            "an estimate: the largest |λ| of the Hessian along the path".to_string()
        } else {
            match r.beta_source {
                BetaSource::Given => "given".to_string(),
                _ => "exact: ‖A‖₂ = max|λᵢ(A)|".to_string(),
            }
        };
        writeln!(out, "problem      {} (d = {})", r.problem, r.dim)?;
        writeln!(out, "beta         {} ({source})", short(r.beta))?;
        if let Some(e) = &r.beta_estimate {
            let rounds: Vec<String> = e
                .rounds
                .iter()
                .map(|x| format!("β = {} → path max {}", short(x.beta), short(x.path_max)))
                .collect();
            writeln!(
                out,
                "estimate     ‖∇²f(x₀)‖₂ = {}; runs: {}; {}",
                short(e.at_start),
                rounds.join(", "),
                if e.settled {
                    "settled"
                } else {
                    "NOT settled (a sampled iterate has |λ| above β)"
                }
            )?;
        }
        writeln!(
            out,
            "steps        {} with η = 1/β = {} ({})",
            r.steps,
            short(r.eta),
            r.termination.as_str()
        )?;
        writeln!(
            out,
            "descent      min ratio decrease/bound = {} over {} resolved steps ({} below rounding)",
            r.min_ratio.map_or("n/a".to_string(), short),
            r.steps - r.unresolved_steps,
            r.unresolved_steps
        )?;
        let shown: Vec<String> = r
            .violations
            .iter()
            .take(SHOWN_VIOLATIONS)
            .map(|t| t.to_string())
            .collect();
        let more = if r.violations.len() > SHOWN_VIOLATIONS {
            ", …"
        } else {
            ""
        };
        writeln!(
            out,
            "violations   {} (ratio < 1 − {:e}){}",
            r.violations.len(),
            r.tolerance,
            if r.violations.is_empty() {
                String::new()
            } else {
                format!(" at steps {}{more}", shown.join(", "))
            }
        )?;
        let c = &r.convergence;
        let f_star = if r.f_star_known {
            "known optimum"
        } else {
            "lowest value seen, not a known optimum"
        };
        writeln!(out, "f*           {} ({f_star})", short(r.f_star))?;
        if let (Some(m), Some(b)) = (c.min_grad_norm.last(), c.bound.last()) {
            writeln!(
                out,
                "convergence  at t = {}: min ‖∇f‖ = {} vs bound √(2β(f(x₀) − f*)/(t + 1)) = {}; \
                 exceeded at {} steps",
                r.steps - 1,
                short(*m),
                short(*b),
                c.exceeded.len()
            )?;
        }
        writeln!(
            out,
            "T(ε)         ⌈2β(f(x₀) − f*)/ε²⌉ = {} for ε = {}; observed ‖∇f‖ ≤ ε first at {}",
            short(c.t_epsilon),
            short(c.epsilon),
            c.first_below_epsilon
                .map_or("no step".to_string(), |t| format!("t = {t}"))
        )?;
        Ok(())
    }
}

/// Runs GD with η = 1/β from x₀ and checks the descent lemma and the convergence bound
/// (see the module docs).
///
/// Errors: x₀ of the wrong length or non-finite, or where f or ∇f is not finite; a
/// constrained problem; T = 0; β, ε or the tolerance out of range; an estimate of zero
/// curvature at x₀ (give β).
pub fn bounds(f: &dyn Objective, x0: &[f64], opts: &BoundsOptions) -> Result<BoundsReport> {
    validate(f, x0, opts)?;
    let exact = match opts.beta {
        Some(beta) => Some((beta, BetaSource::Given)),
        None => quadratic_extremes(f)?
            .map(|(low, high)| (low.abs().max(high.abs()), BetaSource::Quadratic)),
    };
    let (beta, source, estimate, path) = match exact {
        Some((0.0, _)) => {
            return Err(Error::invalid(
                "beta",
                "a given β: A = 0 has no curvature",
                "‖A‖₂ = 0",
            ))
        }
        Some((beta, source)) => (beta, source, None, descend(f, x0, beta, opts, &[])),
        None => {
            let (beta, estimate, path) = estimate_beta(f, x0, opts)?;
            (beta, BetaSource::Estimated, Some(estimate), path)
        }
    };
    Ok(report(f, beta, source, estimate, path, opts))
}

fn validate(f: &dyn Objective, x0: &[f64], opts: &BoundsOptions) -> Result<()> {
    ensure_point("init", x0, f.dim())?;
    if !f.manifold().is_euclidean() {
        return Err(Error::invalid(
            "problem",
            "an unconstrained problem (the descent lemma is Euclidean)",
            format!("`{}` on a manifold", f.kind()),
        ));
    }
    if opts.iters == 0 {
        return Err(Error::invalid("iters", "at least 1 step", 0));
    }
    crate::budget::check_count("iters", opts.iters as u128, 8 * f.dim() as u128 + 256)?;
    for (name, value) in [("beta", opts.beta), ("epsilon", opts.epsilon)] {
        if let Some(v) = value {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, "a finite positive number", v));
            }
        }
    }
    if !(opts.tolerance.is_finite() && opts.tolerance >= 0.0) {
        return Err(Error::invalid(
            "tolerance",
            "a finite number ≥ 0",
            opts.tolerance,
        ));
    }
    if opts.estimate.samples == 0 || opts.estimate.max_rounds == 0 {
        return Err(Error::invalid(
            "estimate",
            "samples ≥ 1 and max_rounds ≥ 1",
            format!(
                "samples = {}, max_rounds = {}",
                opts.estimate.samples, opts.estimate.max_rounds
            ),
        ));
    }
    let mut g = vec![0.0; f.dim()];
    let value = f.value_and_gradient(x0, &mut g);
    if !value.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid(
            "init",
            "a point where f and ∇f are finite",
            format!("f(x₀) = {value}"),
        ));
    }
    Ok(())
}

/// The iterates (by step index) at which the estimate samples ‖∇²f‖₂.
fn sample_steps(iters: usize, samples: usize) -> Vec<usize> {
    let mut steps: Vec<usize> = (1..=samples)
        .map(|k| (k * iters).div_ceil(samples).max(1))
        .collect();
    steps.dedup();
    steps
}

fn estimate_beta(
    f: &dyn Objective,
    x0: &[f64],
    opts: &BoundsOptions,
) -> Result<(f64, BetaEstimate, Path)> {
    let seed = opts.estimate.seed;
    let at_start = hessian_norm_at(f, x0, seed)?;
    if !(at_start.is_finite() && at_start > 0.0) {
        return Err(Error::invalid(
            "beta",
            "a given β (--beta): the Hessian at x₀ has no curvature to estimate it from",
            format!("‖∇²f(x₀)‖₂ = {at_start:e}"),
        ));
    }
    let at = sample_steps(opts.iters, opts.estimate.samples);
    let mut beta = at_start;
    let mut rounds = Vec::new();
    loop {
        let path = descend(f, x0, beta, opts, &at);
        let dim = f.dim();
        let norms = path
            .samples
            .par_chunks(dim)
            .map(|x| hessian_norm_at(f, x, seed))
            .collect::<Result<Vec<f64>>>()?;
        let path_max = norms.into_iter().fold(0.0, f64::max);
        rounds.push(EstimateRound { beta, path_max });
        let settled = path_max <= beta;
        if settled || rounds.len() == opts.estimate.max_rounds {
            let estimate = BetaEstimate {
                at_start,
                rounds,
                settled,
            };
            return Ok((beta, estimate, path));
        }
        beta = path_max;
    }
}

/// One GD run's records.
struct Path {
    per_step: Vec<DescentStep>,
    termination: Termination,
    final_value: f64,
    final_grad_norm: f64,
    /// The sampled iterates, concatenated.
    samples: Vec<f64>,
}

/// GD with η = 1/β for at most `opts.iters` steps, copying the iterates x_t for t in
/// `sample_at` (sorted) into the path's samples. Allocates nothing per step.
fn descend(
    f: &dyn Objective,
    x0: &[f64],
    beta: f64,
    opts: &BoundsOptions,
    sample_at: &[usize],
) -> Path {
    let dim = f.dim();
    let eta = 1.0 / beta;
    let mut x = x0.to_vec();
    let mut next = vec![0.0; dim];
    let mut g = vec![0.0; dim];
    let mut g_next = vec![0.0; dim];
    let mut samples = Vec::with_capacity(sample_at.len() * dim);
    let mut pending = sample_at.iter().peekable();
    let mut per_step = Vec::with_capacity(opts.iters);
    let mut value = f.value_and_gradient(&x, &mut g);
    let mut grad_sq = dot(&g, &g);
    let mut termination = Termination::Completed;
    for t in 0..opts.iters {
        let bound = grad_sq / (2.0 * beta);
        if bound == 0.0 {
            termination = Termination::Stationary;
            break;
        }
        for ((n, xi), gi) in next.iter_mut().zip(&x).zip(&g) {
            *n = xi - eta * gi;
        }
        let next_value = f.value_and_gradient(&next, &mut g_next);
        let next_grad_sq = dot(&g_next, &g_next);
        let x_norm = dot(&x, &x).sqrt();
        if !(next_value.is_finite() && next_grad_sq.is_finite() && dot(&next, &next).is_finite()) {
            termination = Termination::Diverged;
            break;
        }
        let grad_norm = grad_sq.sqrt();
        let value_error = VALUE_ULPS * f64::EPSILON * (value.abs() + next_value.abs());
        let step_error = STEP_ULPS
            * f64::EPSILON
            * (x_norm + eta * grad_norm)
            * (grad_norm + next_grad_sq.sqrt());
        let decrease = value - next_value;
        per_step.push(DescentStep {
            step: t,
            value,
            grad_norm,
            decrease,
            bound,
            ratio: decrease / bound,
            rounding: (value_error + step_error) / bound,
        });
        std::mem::swap(&mut x, &mut next);
        std::mem::swap(&mut g, &mut g_next);
        value = next_value;
        grad_sq = next_grad_sq;
        if pending.next_if_eq(&&(t + 1)).is_some() {
            samples.extend_from_slice(&x);
        }
    }
    if samples.is_empty() && !sample_at.is_empty() {
        // Stopped before the first sample: the last iterate stands in.
        samples.extend_from_slice(&x);
    }
    Path {
        per_step,
        termination,
        final_value: value,
        final_grad_norm: grad_sq.sqrt(),
        samples,
    }
}

fn report(
    f: &dyn Objective,
    beta: f64,
    source: BetaSource,
    beta_estimate: Option<BetaEstimate>,
    path: Path,
    opts: &BoundsOptions,
) -> BoundsReport {
    let tolerance = opts.tolerance;
    let resolved = path.per_step.iter().filter(|s| s.rounding <= tolerance);
    let min_ratio = resolved.map(|s| s.ratio).reduce(f64::min);
    let violations = path
        .per_step
        .iter()
        .filter(|s| s.ratio < 1.0 - tolerance - s.rounding)
        .map(|s| s.step)
        .collect();
    let unresolved_steps = path
        .per_step
        .iter()
        .filter(|s| s.rounding > tolerance)
        .count();
    let (f_star, f_star_known) = match f.optimum() {
        Some(v) => (v, true),
        None => (
            path.per_step
                .iter()
                .map(|s| s.value)
                .fold(path.final_value, f64::min),
            false,
        ),
    };
    let (f0, g0) = path
        .per_step
        .first()
        .map_or((path.final_value, path.final_grad_norm), |s| {
            (s.value, s.grad_norm)
        });
    let grad_norms: Vec<f64> = path.per_step.iter().map(|s| s.grad_norm).collect();
    let epsilon = opts.epsilon.unwrap_or(if g0 > 0.0 {
        g0 / 10.0
    } else {
        DEFAULT_EPSILON_AT_STATIONARY
    });
    let convergence = convergence(
        &grad_norms,
        path.final_grad_norm,
        beta,
        f0 - f_star,
        epsilon,
        opts.tolerance,
    );
    BoundsReport {
        problem: f.kind().to_string(),
        dim: f.dim(),
        beta,
        beta_is_estimate: source == BetaSource::Estimated,
        beta_source: source,
        beta_estimate,
        eta: 1.0 / beta,
        tolerance,
        steps: path.per_step.len(),
        termination: path.termination,
        min_ratio,
        violations,
        unresolved_steps,
        per_step: path.per_step,
        final_value: path.final_value,
        final_grad_norm: path.final_grad_norm,
        f_star,
        f_star_known,
        convergence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_evenly_spaced_and_end_at_t() {
        assert_eq!(sample_steps(100, 4), vec![25, 50, 75, 100]);
        assert_eq!(sample_steps(3, 10), vec![1, 2, 3]);
        assert_eq!(sample_steps(1, 1), vec![1]);
    }
}
