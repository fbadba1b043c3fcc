//! Escape from a saddle: N seeded runs of gd, noisy_gd or pgd from a saddle X (exactly,
//! or from a point uniform within r₀ of it), and the iterations each takes until
//! f ≤ f(X) − Δ (`landscape escape`).
//!
//! Trial i draws from `random::stream(seed, i)`, in this order: the start offset (only
//! when r₀ > 0: uniform in the ball of radius r₀ of the tangent space at X, then
//! retracted), then one u64 that seeds the method's noise stream (noisy_gd, pgd). Trials
//! run in parallel and are collected in order, so the report is identical on any
//! number of threads.
//!
//! Each trial runs the method for at most T iterations under the run loop's defaults
//! (gd stops as `converged` where ‖∇f‖ ≤ 10⁻⁸; pgd may stop with `pgd_no_decrease`).
//! It has escaped when some iterate within T has f ≤ f(X) − Δ; its `iterations` is the
//! first such t. A run that never gets there — gd started exactly at a saddle, which is
//! `converged` (∇f = 0) or `stalled` (an exact floating-point fixed point) at once, or a
//! run that hits the cap T — has not escaped: its `iterations` is null, never T.
//! The final iterate is classified with [`classify`] (default tolerances); its verdict
//! is null when the run diverged (f → −∞ on a problem unbounded below, e.g. `saddle`).
//! pgd and noisy_gd stop near a stationary point, not at it (pgd's no-decrease rule
//! fires where ‖∇f‖ ≈ g_thres), so a final iterate the classifier calls
//! `not_stationary` is polished first: the census's root-finder
//! ([`crate::census::newton`]) runs from it to the rounding floor (at most
//! [`POLISH_STEPS`] steps), and when it reaches a point within
//! 10⁻²·max(1, ‖x_T‖) of x_T whose verdict is not `not_stationary`, that verdict is the
//! trial's `final_kind` and the distance its `final_polish`.
//!
//! # Defaults that follow from the saddle
//! Every method is compared at the same threshold and the same step unless told
//! otherwise, and pgd's tests are set so that it escapes a strict saddle:
//! - Δ = 10⁻³·max(1, |f(X)|) for every method ([`default_drop`]);
//! - η = 1/(2ℓ) for every method, with ℓ = ‖∇²f(X)‖₂ = max(|λmin|, |λmax|) at the
//!   saddle (half the largest step that is stable on the quadratic model; 10⁻³ when the
//!   Hessian vanishes there) ([`SaddleScale`]);
//! - pgd keeps its practical radius r and g_thres, and takes f_thres and t_thres from
//!   the quadratic model at a strict saddle with γ = −λmin > 0 (below). Paper mode (any
//!   of ell, rho_hessian, epsilon, …) derives all five itself and is left alone.
//!
//! pgd's no-decrease test (stop when f has not fallen by f_thres within t_thres steps of
//! a perturbation) must not fire while the perturbation is still growing. On the
//! quadratic model, the perturbation's component along the eigenvector of λmin is
//! multiplied by (1 + ηγ) per step, and f falls by ½γa² once that component has size a.
//! A perturbation uniform in the r-ball of the d-dimensional tangent space has that
//! component of typical size r/√d, and smaller than 10⁻⁴·r/√d with probability below
//! 10⁻⁴. So f_thres = ½γr² (the fall once the component is back to size r) and
//!
//!   t_thres = ⌈ln(2·10⁴·√d) / ln(1 + ηγ)⌉,
//!
//! the steps that grow a component of 10⁻⁴·r/√d to 2r, where f has fallen by 2γr²
//! minus the perturbation's own rise along the positive directions, at most ½ℓr², which
//! the same steps shrink. At a non-strict saddle or a degenerate point (γ = 0) the
//! practical defaults stay. A trial that pgd stops by the no-decrease rule at a point
//! the classifier calls a strict saddle is counted and reported
//! ([`EscapeReport::stopped_at_strict_saddle`]).

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::census::newton::RootFinder;
use crate::classify::{classify, default_grad_tol, Classification, ClassifyOptions};
use crate::error::{ensure_point, Error, Result};
use crate::linalg::{distance, norm};
use crate::objective::Objective;
use crate::optim::gd::{Gd, GdParams};
use crate::optim::noisy_gd::{NoisyGd, NoisyGdParams};
use crate::optim::pgd::{Pgd, PgdParams, PgdThresholds, NO_DECREASE};
use crate::optim::{
    self, noise, FirstOrder, Hyperparameters, Optimizer, Record, RunOptions, Termination,
};
use crate::progress::{Progress, Silent};
use crate::random;
use crate::verdict::Verdict;

/// The method of an escape experiment, with its parameters (the noise seed is set per
/// trial).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EscapeMethod {
    /// Plain gradient descent.
    Gd(GdParams),
    /// Noisy gradient descent (Ge et al. 2015).
    NoisyGd(NoisyGdParams),
    /// Perturbed gradient descent (Jin et al. 2017).
    Pgd(PgdParams),
}

/// The method names `landscape escape --method` takes.
pub const METHODS: [&str; 3] = ["gd", "noisy_gd", "pgd"];

impl EscapeMethod {
    /// The method `name` with the hyperparameters `hp` (validated as `landscape run`
    /// does: an unknown name, a hyperparameter the method does not take, or one out of
    /// range is an error naming it).
    pub fn from_hyperparameters(name: &str, hp: &Hyperparameters) -> Result<Self> {
        if !METHODS.contains(&name) {
            return Err(Error::invalid(
                "method",
                "one of gd, noisy_gd, pgd",
                format!("`{name}`"),
            ));
        }
        Ok(match name {
            "gd" => EscapeMethod::Gd(optim::parameters::<FirstOrder<Gd>>(hp)?),
            "noisy_gd" => EscapeMethod::NoisyGd(optim::parameters::<NoisyGd>(hp)?),
            _ => EscapeMethod::Pgd(optim::parameters::<Pgd>(hp)?.resolve()?),
        })
    }

    /// The method `name` with the hyperparameters `hp`, what is not given following
    /// from the saddle's `scale` ([`SaddleScale::fill`]; without a scale, the method's
    /// own defaults).
    pub fn at_saddle(
        name: &str,
        hp: &Hyperparameters,
        scale: Option<&SaddleScale>,
    ) -> Result<Self> {
        match scale {
            Some(scale) => Self::from_hyperparameters(name, &scale.fill(name, hp)),
            None => Self::from_hyperparameters(name, hp),
        }
    }

    /// The registry name.
    pub fn name(&self) -> &'static str {
        match self {
            EscapeMethod::Gd(_) => "gd",
            EscapeMethod::NoisyGd(_) => "noisy_gd",
            EscapeMethod::Pgd(_) => "pgd",
        }
    }

    /// The optimizer for one trial, its noise seeded by `noise_seed`.
    pub fn build(&self, noise_seed: u64) -> Result<Box<dyn Optimizer>> {
        Ok(match *self {
            EscapeMethod::Gd(p) => Box::new(FirstOrder::<Gd>::new(p)?),
            EscapeMethod::NoisyGd(p) => Box::new(NoisyGd::new(NoisyGdParams {
                seed: noise_seed,
                stream: 0,
                ..p
            })?),
            EscapeMethod::Pgd(p) => Box::new(Pgd::new(PgdParams {
                seed: noise_seed,
                stream: 0,
                ..p
            })?),
        })
    }
}

/// The default drop Δ from a point where f = `from_value`, the same for every method:
/// 10⁻³·max(1, |f(X)|).
pub fn default_drop(from_value: f64) -> f64 {
    1e-3 * from_value.abs().max(1.0)
}

/// The step used when the Hessian vanishes at the saddle (pgd's practical default).
const FALLBACK_LR: f64 = 1e-3;

/// The Hessian at the saddle X, from which the escape defaults follow (module doc):
/// ℓ = ‖∇²f(X)‖₂ and γ = −λmin (0 unless λmin < 0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaddleScale {
    /// ℓ = max(|λmin|, |λmax|).
    pub ell: f64,
    /// γ = max(0, −λmin).
    pub gamma: f64,
    /// The tangent dimension d.
    pub dim: usize,
}

impl SaddleScale {
    /// The scale from a classification of X (its λmin and λmax), in tangent dimension
    /// `dim`; None when the classification has no eigenvalues.
    pub fn of(c: &Classification, dim: usize) -> Option<Self> {
        let (lmin, lmax) = (c.lambda_min?, c.lambda_max?);
        (lmin.is_finite() && lmax.is_finite()).then(|| SaddleScale {
            ell: lmin.abs().max(lmax.abs()),
            gamma: (-lmin).max(0.0),
            dim,
        })
    }

    /// The scale at `x`, classified with the default tolerances.
    pub fn at(f: &dyn Objective, x: &[f64]) -> Result<Option<Self>> {
        let c = classify(f, x, &ClassifyOptions::default())?;
        Ok(Self::of(&c, f.manifold().tangent_dim(f.dim())))
    }

    /// η = 1/(2ℓ) (10⁻³ when ℓ = 0).
    pub fn lr(&self) -> f64 {
        if self.ell > 0.0 {
            0.5 / self.ell
        } else {
            FALLBACK_LR
        }
    }

    /// pgd's (t_thres, f_thres) for step `lr` and radius `radius` (module doc); None
    /// unless γ > 0.
    pub fn pgd_tests(&self, lr: f64, radius: f64) -> Option<(usize, f64)> {
        let growth = (lr * self.gamma).ln_1p();
        if !(self.gamma > 0.0 && growth > 0.0) {
            return None;
        }
        let steps = ((2e4 * (self.dim.max(1) as f64).sqrt()).ln() / growth).ceil();
        let t_thres = if steps < 1e12 {
            steps as usize
        } else {
            1e12 as usize
        };
        Some((t_thres.max(1), 0.5 * self.gamma * radius * radius))
    }

    /// `given` with the defaults that follow from the saddle filled in for `method`: lr
    /// for every method; for pgd in practical mode, t_thres and f_thres from the step
    /// and radius it will use. What was given is kept.
    pub fn fill(&self, method: &str, given: &Hyperparameters) -> Hyperparameters {
        const PAPER: [&str; 6] = ["ell", "rho_hessian", "epsilon", "c", "delta", "delta_f"];
        let mut hp = given.clone();
        if method == "pgd" && PAPER.iter().any(|k| given.get(k).is_some()) {
            return hp;
        }
        let number = |name: &str| given.get(name).and_then(|v| v.as_f64());
        let lr = number("lr").unwrap_or_else(|| self.lr());
        if given.get("lr").is_none() {
            hp.set("lr", lr);
        }
        if method == "pgd" {
            let radius = number("radius").unwrap_or(PgdThresholds::default().radius);
            if let Some((t_thres, f_thres)) = self.pgd_tests(lr, radius) {
                if given.get("t_thres").is_none() {
                    hp.set("t_thres", t_thres);
                }
                if given.get("f_thres").is_none() {
                    hp.set("f_thres", f_thres);
                }
            }
        }
        hp
    }
}

/// Options of [`escape`].
#[derive(Clone, Debug, PartialEq)]
pub struct EscapeOptions {
    /// The method.
    pub method: EscapeMethod,
    /// Number of trials N ≥ 1 (default 100).
    pub trials: usize,
    /// The experiment's seed (default 0).
    pub seed: u64,
    /// r₀ ≥ 0: trials start uniformly within r₀ of X; 0 (default) starts exactly at X.
    pub start_radius: f64,
    /// Δ > 0; `None` for the default ([`default_drop`]), the same for every method.
    pub drop: Option<f64>,
    /// Iteration cap T ≥ 1 per trial (default 10 000).
    pub max_iters: usize,
    /// Keep every iterate of the first `paths` trials in their outcome's `path`, for
    /// drawing them (`plot slice --trajectory`); default 0.
    pub paths: usize,
}

impl EscapeOptions {
    /// The defaults for `method`.
    pub fn new(method: EscapeMethod) -> Self {
        EscapeOptions {
            method,
            trials: 100,
            seed: 0,
            start_radius: 0.0,
            drop: None,
            max_iters: 10_000,
            paths: 0,
        }
    }

    /// Rejects N = 0, T = 0, a negative or non-finite r₀, a non-positive or non-finite
    /// Δ; the error names the field.
    pub fn validate(&self) -> Result<()> {
        if self.trials == 0 {
            return Err(Error::invalid("trials", "an integer ≥ 1", 0));
        }
        crate::budget::check_count("trials", self.trials as u128, 512)?;
        if self.max_iters == 0 {
            return Err(Error::invalid("max_iters", "an integer ≥ 1", 0));
        }
        if !(self.start_radius.is_finite() && self.start_radius >= 0.0) {
            return Err(Error::invalid(
                "start_radius",
                "a finite number ≥ 0 (0: start exactly at the saddle)",
                self.start_radius,
            ));
        }
        if let Some(d) = self.drop.filter(|d| !(d.is_finite() && *d > 0.0)) {
            return Err(Error::invalid("drop", "a positive finite number", d));
        }
        Ok(())
    }
}

/// One trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialOutcome {
    /// Whether f ≤ f(X) − Δ within T iterations.
    pub escaped: bool,
    /// The first iteration t with f(xₜ) ≤ f(X) − Δ (null when not escaped).
    pub iterations: Option<usize>,
    /// f at the last iterate.
    pub final_value: f64,
    /// The verdict at the last iterate, or at the stationary point its polish reached
    /// (module doc); null when the last iterate is not finite.
    pub final_kind: Option<Verdict>,
    /// How far the polish moved the last iterate to the point `final_kind` describes;
    /// null when the last iterate was classified as it is.
    pub final_polish: Option<f64>,
    /// Why the run stopped.
    pub termination: Termination,
    /// Number of pgd perturbations.
    pub perturbations: usize,
    /// Every iterate of the run (with `x`), for the first [`EscapeOptions::paths`]
    /// trials; omitted from the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<Record>>,
}

impl TrialOutcome {
    /// pgd's no-decrease rule stopped the trial at (or, polished, next to) a strict
    /// saddle.
    pub fn stopped_at_strict_saddle(&self) -> bool {
        self.termination.as_str() == NO_DECREASE && self.final_kind == Some(Verdict::StrictSaddle)
    }
}

/// Summary of the escape times of the escaped trials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IterationStats {
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The mean.
    pub mean: f64,
    /// The 90th percentile, nearest rank: the ⌈0.9·n⌉-th smallest.
    pub p90: usize,
    /// The largest.
    pub max: usize,
}

impl IterationStats {
    /// The statistics of `counts` (None when empty).
    pub fn from_counts(counts: &[usize]) -> Option<Self> {
        if counts.is_empty() {
            return None;
        }
        let mut sorted = counts.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2] as f64
        } else {
            (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0
        };
        let rank = (9 * n).div_ceil(10);
        Some(IterationStats {
            median,
            mean: sorted.iter().map(|&c| c as f64).sum::<f64>() / n as f64,
            p90: sorted[rank - 1],
            max: sorted[n - 1],
        })
    }
}

/// The report of `landscape escape --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscapeReport {
    /// `gd`, `noisy_gd` or `pgd`.
    pub method: String,
    /// N.
    pub trials: usize,
    /// How many trials escaped.
    pub escaped: usize,
    /// Escape iterations over the escaped trials (null when none escaped).
    pub iterations: Option<IterationStats>,
    /// Every trial, in order.
    pub per_trial: Vec<TrialOutcome>,
    /// f(X).
    pub from_value: f64,
    /// X, the saddle the trials start from (before any start offset).
    pub from_point: Vec<f64>,
    /// Δ used.
    pub drop: f64,
    /// T.
    pub max_iters: usize,
    /// The experiment's seed.
    pub seed: u64,
    /// r₀.
    pub start_radius: f64,
    /// The method's hyperparameters as trial 0 ran them (paper-mode thresholds derived;
    /// the per-trial noise seed left out).
    pub hyperparameters: serde_json::Value,
    /// Trials that pgd's no-decrease rule stopped at (or, after polishing, next to) a
    /// point classified as a strict saddle: its t_thres or f_thres was too small for
    /// that saddle. It may be a lower saddle than X, reached after escaping X.
    pub stopped_at_strict_saddle: usize,
}

/// The summary `landscape escape` prints under its header: f(X) and Δ, the escape
/// iterations' statistics, and how many trials ended at each kind of point.
impl std::fmt::Display for EscapeReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            out,
            "f(X)         {:.12e}, escaped once f ≤ f(X) − Δ, Δ = {:.3e}",
            self.from_value, self.drop
        )?;
        if let Some(fields) = self.hyperparameters.as_object() {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| match v.as_f64() {
                    Some(x) => format!("{k} = {}", crate::display::short(x)),
                    None => format!("{k} = {}", v.as_str().map_or(v.to_string(), String::from)),
                })
                .collect();
            writeln!(out, "{:<12} {}", self.method, fields.join(", "))?;
        }
        match &self.iterations {
            Some(s) => writeln!(
                out,
                "iterations   median {}, mean {:.1}, p90 {}, max {}",
                s.median, s.mean, s.p90, s.max
            )?,
            None => writeln!(out, "iterations   none escaped")?,
        }
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for t in &self.per_trial {
            let name = t.final_kind.map_or("diverged", |k| k.name());
            match kinds.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => *n += 1,
                None => kinds.push((name, 1)),
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let polished = self
            .per_trial
            .iter()
            .filter(|t| t.final_polish.is_some())
            .count();
        let polished = match polished {
            0 => String::new(),
            n => format!(" ({n} after polishing the last iterate to the stationary point near it)"),
        };
        writeln!(out, "final        {}{polished}", kinds.join(", "))?;
        if self.stopped_at_strict_saddle > 0 {
            let later = self
                .per_trial
                .iter()
                .filter(|t| t.escaped && t.stopped_at_strict_saddle())
                .count();
            let later = match later {
                0 => String::new(),
                n => format!(" ({n} at a lower saddle, after escaping X)"),
            };
            writeln!(
                out,
                "note         {} of {} trials stopped by pgd's no-decrease rule at a strict \
                 saddle{later}: t_thres or f_thres is too small for that saddle",
                self.stopped_at_strict_saddle, self.trials
            )?;
        }
        Ok(())
    }
}

/// Checks that `x` is a saddle of `f` (verdict strict_saddle, non_strict_saddle or
/// degenerate, default tolerances); otherwise [`Error::NotASaddle`] says what it is.
pub fn check_saddle(f: &dyn Objective, x: &[f64]) -> Result<Classification> {
    let c = classify(f, x, &ClassifyOptions::default())?;
    match c.kind {
        Verdict::StrictSaddle | Verdict::NonStrictSaddle | Verdict::Degenerate => Ok(c),
        kind => {
            let detail = match (kind, c.lambda_min) {
                (Verdict::NotStationary, _) | (_, None) => {
                    format!("‖grad f‖ = {:.3e}", c.grad_norm)
                }
                (_, Some(l)) => format!("λmin = {l:.3e}"),
            };
            Err(Error::NotASaddle {
                kind: kind.name().to_string(),
                detail,
            })
        }
    }
}

/// Runs the escape experiment from `from` on `f` (see the module doc). `from` is not
/// checked to be a saddle (see [`check_saddle`]).
pub fn escape(f: &dyn Objective, from: &[f64], options: &EscapeOptions) -> Result<EscapeReport> {
    escape_with_progress(f, from, options, &Silent)
}

/// [`escape`], telling `progress` of each trial done (task `escape`, one unit per trial).
pub fn escape_with_progress(
    f: &dyn Objective,
    from: &[f64],
    options: &EscapeOptions,
    progress: &dyn Progress,
) -> Result<EscapeReport> {
    options.validate()?;
    ensure_point("from", from, f.dim())?;
    let mut x = from.to_vec();
    let manifold = f.manifold();
    manifold.retract_in_place(&mut x);
    let mut scratch = vec![0.0; f.dim()];
    let from_value = f.value_and_gradient(&x, &mut scratch);
    let drop = options.drop.unwrap_or_else(|| default_drop(from_value));
    let threshold = from_value - drop;
    let run_options = RunOptions {
        max_iters: options.max_iters,
        ..Default::default()
    };
    progress.start("escape", options.trials as u64);
    let outcomes: Vec<(TrialOutcome, serde_json::Value)> = (0..options.trials)
        .into_par_iter()
        .map(|i| {
            let outcome = trial(f, &x, i as u64, threshold, &run_options, options);
            progress.advance(1);
            outcome
        })
        .collect::<Result<_>>()?;
    progress.finish();
    let mut hyperparameters = outcomes[0].1.clone();
    if let Some(obj) = hyperparameters.as_object_mut() {
        obj.remove("seed");
        obj.remove("stream");
    }
    let per_trial: Vec<TrialOutcome> = outcomes.into_iter().map(|(o, _)| o).collect();
    let counts: Vec<usize> = per_trial.iter().filter_map(|t| t.iterations).collect();
    let stopped_at_strict_saddle = per_trial
        .iter()
        .filter(|t| t.stopped_at_strict_saddle())
        .count();
    Ok(EscapeReport {
        method: options.method.name().to_string(),
        trials: options.trials,
        escaped: counts.len(),
        iterations: IterationStats::from_counts(&counts),
        per_trial,
        from_value,
        from_point: x,
        drop,
        max_iters: options.max_iters,
        seed: options.seed,
        start_radius: options.start_radius,
        hyperparameters,
        stopped_at_strict_saddle,
    })
}

/// Trial `index`: its start, its run, its verdict.
fn trial(
    f: &dyn Objective,
    from: &[f64],
    index: u64,
    threshold: f64,
    run_options: &RunOptions,
    options: &EscapeOptions,
) -> Result<(TrialOutcome, serde_json::Value)> {
    let mut rng = random::stream(options.seed, index);
    let mut x0 = from.to_vec();
    if options.start_radius > 0.0 {
        let mut offset = vec![0.0; from.len()];
        noise::in_ball(
            &mut rng,
            &f.manifold(),
            from,
            options.start_radius,
            &mut offset,
        );
        x0.iter_mut().zip(&offset).for_each(|(x, o)| *x += o);
    }
    let noise_seed: u64 = rng.random();
    let mut optimizer = options.method.build(noise_seed)?;
    let keep_path = (index as usize) < options.paths;
    let trajectory = if keep_path {
        let recording = RunOptions {
            record_iterates: true,
            ..run_options.clone()
        };
        optim::run(f, optimizer.as_mut(), &x0, &recording)?
    } else {
        optim::run(f, optimizer.as_mut(), &x0, run_options)?
    };
    let iterations = trajectory
        .records
        .iter()
        .find(|r| r.value <= threshold)
        .map(|r| r.iter);
    let last = &trajectory.final_state;
    // A trial that ran off to where f or ∇f overflows has no verdict.
    let finite = last.value.is_finite()
        && last.grad_norm.is_finite()
        && last.x.iter().all(|v| v.is_finite());
    let (final_kind, final_polish) = if finite {
        let kind = classify(f, &last.x, &ClassifyOptions::default())?.kind;
        match kind {
            Verdict::NotStationary => match polished(f, &last.x)? {
                Some((kind, moved)) => (Some(kind), Some(moved)),
                None => (Some(kind), None),
            },
            kind => (Some(kind), None),
        }
    } else {
        (None, None)
    };
    let outcome = TrialOutcome {
        escaped: iterations.is_some(),
        iterations,
        final_value: last.value,
        final_kind,
        final_polish,
        termination: trajectory.termination.clone(),
        perturbations: trajectory.events.len(),
        path: keep_path.then(|| trajectory.records.clone()),
    };
    Ok((outcome, trajectory.hyperparameters))
}

/// Cap on the root-finder's trial steps when polishing a final iterate.
pub const POLISH_STEPS: usize = 100;

/// The verdict of the stationary point the root-finder reaches from x and how far it
/// moved, when that is within 10⁻²·max(1, ‖x‖) and the verdict is not `not_stationary`
/// (module doc).
fn polished(f: &dyn Objective, x: &[f64]) -> Result<Option<(Verdict, f64)>> {
    let mut y = x.to_vec();
    let status = RootFinder::new(f).solve(&mut y, |_| 0.0, default_grad_tol, POLISH_STEPS);
    let moved = distance(x, &y);
    if !status.value.is_finite() || moved > 1e-2 * norm(x).max(1.0) {
        return Ok(None);
    }
    let kind = classify(f, &y, &ClassifyOptions::default())?.kind;
    Ok((kind != Verdict::NotStationary).then_some((kind, moved)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_by_hand() {
        // Sorted 1, 2, 3, 10: median (2 + 3)/2, mean 16/4, p90 the ⌈3.6⌉ = 4th, max 10.
        let s = IterationStats::from_counts(&[10, 2, 1, 3]).unwrap();
        assert_eq!(s.median, 2.5);
        assert_eq!(s.mean, 4.0);
        assert_eq!(s.p90, 10);
        assert_eq!(s.max, 10);
        // 1..=10: ⌈9⌉ = 9th smallest is 9; median of 5 and 6.
        let s = IterationStats::from_counts(&(1..=10).collect::<Vec<_>>()).unwrap();
        assert_eq!((s.median, s.p90), (5.5, 9));
        assert!(IterationStats::from_counts(&[]).is_none());
    }
}
