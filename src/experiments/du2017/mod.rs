//! The experiment of Du, Jin, Lee, Jordan, Póczos and Singh, "Gradient Descent Can Take
//! Exponential Time to Escape Saddle Points", NeurIPS 2017 (arXiv:1705.10412): plain
//! gradient descent (GD) and perturbed gradient descent (PGD, Jin et al. 2017) on the
//! `octopus` ([`crate::problems::octopus`]) from the same random starts near the origin;
//! for each dimension d, the number of iterations until f − f* ≤ tol.
//!
//! What it shows: GD visits the d saddles one after another and each escape takes about
//! a constant factor longer than the previous one — while coordinate k escapes at rate
//! 1 + 2ηγ per step, the next one shrinks at rate 1 − 2ηL, so the next escape needs
//! ≈ ln(1/(1 − 2ηL))/ln(1 + 2ηγ) times as many steps; with the defaults
//! (η = 1/(4L), L = e, γ = 1) the factor is 1 + ln 2/ln(1 + 1/(2e)) ≈ 5.1 per added
//! dimension. PGD re-seeds every coordinate with a perturbation of radius r whenever
//! the gradient is small, so each saddle costs it about the same number of steps: its
//! count grows about linearly in d.
//!
//! # Parameters (defaults)
//! - octopus: τ = e, L = e, γ = 1 (the octopus module's defaults);
//! - start: uniform in [−a, a]^d with a = 1 (inside the first saddle's region |x| ≤ τ;
//!   the paper's uniform-in-a-cube initialisation);
//! - GD and PGD step η = 1/(4L);
//! - PGD (Jin et al.'s Algorithm 2 in practical mode, the registry's `pgd`): r = e/100,
//!   g_thres = γe/100, t_thres = 30, f_thres = 0 (its stopping rule then fires only when
//!   f did not fall at all in the t_thres steps after a perturbation; such a run is
//!   censored as `stopped`). With t_thres = 10, about 1 run in 10 stopped at a saddle (a
//!   perturbation that cancelled the escape component), with 30 none in 280 runs
//!   (d = 2..8, 40 trials); the count per saddle (≈ 50 steps) hardly changes;
//! - tolerance: f − f* ≤ 10⁻³ (f* = −dν ≈ −140.8d); iteration cap 10⁸.
//!
//! The paper's experiments (its Section 6) were not at hand when this was written; its
//! figures are understood to plot f against the iteration for GD and PGD at d = 5 and d = 10 (τ = e,
//! η = 1/(4L), PGD with r = e/100, g_thres = γe/100, t_thres = 1, several (L, γ)), GD
//! showing one plateau per saddle, each longer than the last, and PGD reaching the
//! minimum orders of magnitude sooner. The table printed here (and by
//! `examples/du2017.rs`) makes the same comparison as a function of d, and its GD ratio
//! is checked against the escape-rate prediction above rather than against the paper.
//!
//! # Underflow
//! With η = 1/(4L) idle coordinates halve every GD step; from d = 5 on they fall below
//! the smallest f64 (≈ 2⁻¹⁰⁷⁴ after ≈ 1075 halvings) before their turn to escape, and
//! plain f64 GD then sits on a saddle forever (an exact floating-point fixed point). By
//! default GD runs in the exact log-domain reformulation of [`gd`], which does not
//! underflow; `log_domain = false` runs plain f64 GD instead and reports such runs as
//! censored (`stalled`, with the iteration). A censored run never contributes its
//! iteration count as a hitting time: `median` treats it as +∞ (and is `None` when half
//! the runs or more are censored), `mean` averages the runs that reached the tolerance,
//! and `censored` counts the others.

pub mod gd;
mod text;

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use gd::Outcome;

use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::optim::pgd::{Pgd, PgdMode, PgdParams, PgdThresholds};
use crate::optim::{self, RunOptions, Termination};
use crate::problems::octopus::Octopus;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// PGD's practical-mode parameters in this experiment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PgdSettings {
    /// Perturbation radius r (uniform in the ball of radius r); default e/100.
    pub radius: f64,
    /// Perturb when ‖∇f‖ ≤ g_thres; default γe/100 (γ = 1: e/100).
    pub g_thres: f64,
    /// …and no perturbation happened in the last t_thres steps; default 30.
    pub t_thres: usize,
    /// PGD stops (censored, `stopped`) when f fell by less than f_thres in the t_thres
    /// steps after a perturbation; default 0: only when f did not fall at all.
    pub f_thres: f64,
}

impl PgdSettings {
    /// The default g_thres for the octopus with parameter γ: γe/100.
    pub fn default_g_thres(gamma: f64) -> f64 {
        gamma * std::f64::consts::E / 100.0
    }
}

impl Default for PgdSettings {
    fn default() -> Self {
        let e = std::f64::consts::E;
        PgdSettings {
            radius: e / 100.0,
            g_thres: PgdSettings::default_g_thres(1.0),
            t_thres: 30,
            f_thres: 0.0,
        }
    }
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Du2017Options {
    /// The dimensions d (each ≥ 1), in the order reported.
    pub dims: Vec<usize>,
    /// Random starts per dimension (≥ 1); trial i uses `random::stream(seed, i)`.
    pub trials: usize,
    /// The seed.
    pub seed: u64,
    /// Reached when f − f* ≤ this (> 0); default 10⁻³.
    pub tolerance: f64,
    /// Iteration cap per run (≥ 1); a run that hits it is censored. Default 10⁸.
    pub max_iters: usize,
    /// τ (default e).
    pub tau: f64,
    /// L (default e).
    pub l: f64,
    /// γ (default 1).
    pub gamma: f64,
    /// Step η of GD and PGD; `None`: 1/(4L).
    pub lr: Option<f64>,
    /// Starts uniform in [−a, a]^d with this a (default 1).
    pub init_radius: f64,
    /// GD in the exact log-domain reformulation (default) or plain f64 GD.
    pub log_domain: bool,
    /// PGD's parameters.
    pub pgd: PgdSettings,
}

impl Default for Du2017Options {
    fn default() -> Self {
        let e = std::f64::consts::E;
        Du2017Options {
            dims: (2..=8).collect(),
            trials: 20,
            seed: 0,
            tolerance: 1e-3,
            max_iters: 100_000_000,
            tau: e,
            l: e,
            gamma: 1.0,
            lr: None,
            init_radius: 1.0,
            log_domain: true,
            pgd: PgdSettings::default(),
        }
    }
}

impl Du2017Options {
    /// The step η: `lr` or 1/(4L).
    pub fn step(&self) -> f64 {
        self.lr.unwrap_or(1.0 / (4.0 * self.l))
    }

    /// Rejects empty `dims`, d = 0, zero trials or cap, and non-positive or non-finite
    /// numbers; the error names the option as its flag is spelled.
    pub fn validate(&self) -> Result<()> {
        if self.dims.is_empty() {
            return Err(Error::invalid("dims", "at least one dimension", "none"));
        }
        if self.dims.contains(&0) {
            return Err(Error::invalid("dims", "dimensions ≥ 1", 0));
        }
        if self.trials == 0 {
            return Err(Error::invalid("trials", "an integer ≥ 1", 0));
        }
        let dims: u128 = self.dims.iter().map(|&d| d as u128 + 64).sum();
        crate::budget::check_count("trials", self.trials as u128, dims.saturating_mul(16))?;
        if self.pgd.t_thres == 0 {
            return Err(Error::invalid("pgd.t_thres", "an integer ≥ 1", 0));
        }
        if !(self.pgd.f_thres.is_finite() && self.pgd.f_thres >= 0.0) {
            return Err(Error::invalid(
                "pgd.f_thres",
                "a finite number ≥ 0",
                self.pgd.f_thres,
            ));
        }
        if self.max_iters == 0 {
            return Err(Error::invalid("max_iters", "an integer ≥ 1", 0));
        }
        let positive = [
            ("tolerance", self.tolerance),
            ("tau", self.tau),
            ("l", self.l),
            ("gamma", self.gamma),
            ("lr", self.lr.unwrap_or(1.0)),
            ("init_radius", self.init_radius),
            ("pgd.radius", self.pgd.radius),
            ("pgd.g_thres", self.pgd.g_thres),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, "a positive finite number", v));
            }
        }
        // The default step 1/(4L) is the user's L in disguise: name L when it overflows.
        if !self.step().is_finite() {
            return Err(Error::invalid(
                "l",
                "an L whose default step 1/(4L) is finite (L ≥ 5.6e-309), or give the step",
                self.l,
            ));
        }
        // Starts are uniform in [−a, a]: its width 2a must be finite.
        if !(2.0 * self.init_radius).is_finite() {
            return Err(Error::invalid(
                "init_radius",
                "a positive a with a finite width 2a (a ≤ 8.9e307)",
                self.init_radius,
            ));
        }
        Ok(())
    }
}

/// One method's runs at one d.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodSummary {
    /// Median hitting time, censored runs counted as +∞; `None` when at least half the
    /// runs are censored.
    pub median: Option<f64>,
    /// Mean hitting time over the runs that reached the tolerance; `None` if none did.
    pub mean: Option<f64>,
    /// Fraction of runs that reached f − f* ≤ tol.
    pub reached: f64,
    /// Number of runs that did not (iteration cap, stall, divergence, own stop).
    pub censored: usize,
    /// Runs censored by the iteration cap.
    pub censored_max_iters: usize,
    /// Runs censored as an exact floating-point fixed point (plain GD's underflow).
    pub censored_stalled: usize,
    /// Runs in which some coordinate fell below 2⁻⁵⁰⁰ (log mode: tracked in the log
    /// domain) or became subnormal (plain mode); GD only.
    pub underflow_runs: usize,
    /// Smallest and largest hitting time among the runs that reached the tolerance.
    pub min: Option<usize>,
    /// See `min`.
    pub max: Option<usize>,
    /// Every run, in trial order.
    pub per_trial: Vec<gd::RunResult>,
}

impl MethodSummary {
    /// Statistics of `runs` (in trial order).
    pub fn new(runs: Vec<gd::RunResult>) -> Self {
        let mut times: Vec<f64> = runs
            .iter()
            .map(|r| match r.outcome {
                Outcome::Reached => r.iterations as f64,
                _ => f64::INFINITY,
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let n = times.len();
        let median = if n % 2 == 1 {
            times[n / 2]
        } else {
            (times[n / 2 - 1] + times[n / 2]) / 2.0
        };
        let hits: Vec<usize> = runs
            .iter()
            .filter(|r| r.outcome == Outcome::Reached)
            .map(|r| r.iterations)
            .collect();
        let count = |o: Outcome| runs.iter().filter(|r| r.outcome == o).count();
        MethodSummary {
            median: median.is_finite().then_some(median),
            mean: (!hits.is_empty())
                .then(|| hits.iter().map(|&t| t as f64).sum::<f64>() / hits.len() as f64),
            reached: hits.len() as f64 / n as f64,
            censored: n - hits.len(),
            censored_max_iters: count(Outcome::MaxIters),
            censored_stalled: count(Outcome::Stalled),
            underflow_runs: runs.iter().filter(|r| r.underflow_at.is_some()).count(),
            min: hits.iter().copied().min(),
            max: hits.iter().copied().max(),
            per_trial: runs,
        }
    }
}

/// One dimension's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Du2017Row {
    /// The dimension.
    pub d: usize,
    /// f* = −dν.
    pub f_star: f64,
    /// Gradient descent.
    pub gd: MethodSummary,
    /// Perturbed gradient descent.
    pub pgd: MethodSummary,
    /// GD median at d over GD median at d − 1 (when the previous row is d − 1 and both
    /// medians exist).
    pub gd_ratio: Option<f64>,
    /// The same for PGD.
    pub pgd_ratio: Option<f64>,
}

/// The experiment's result (`landscape experiment du2017 --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Du2017Report {
    /// What ran (η filled in).
    pub options: Du2017Options,
    /// The step η used by GD and PGD.
    pub lr: f64,
    /// The theoretical GD growth factor per dimension, 1 + ln|1/(1 − 2ηL)|/ln(1 + 2ηγ).
    pub predicted_gd_ratio: f64,
    /// One row per d, in the order of `options.dims`.
    pub rows: Vec<Du2017Row>,
}

/// The start of trial `trial` at dimension d: d uniforms in [−a, a] from
/// `random::stream(seed, trial)` (so the start at d is a prefix of the start at d + 1),
/// then the seed of PGD's perturbations.
pub fn start(options: &Du2017Options, d: usize, trial: usize) -> (Vec<f64>, u64) {
    let mut rng = stream(options.seed, trial as u64);
    let a = options.init_radius;
    let x0 = (0..d).map(|_| rng.random_range(-a..=a)).collect();
    (x0, rng.random())
}

/// Runs the experiment: for each d, `trials` starts, GD and PGD from each, in parallel
/// over trials (identical results on any number of threads).
pub fn du2017(options: &Du2017Options) -> Result<Du2017Report> {
    du2017_with_progress(options, &Silent)
}

/// [`du2017`], telling `progress` of each trial done (task `du2017`, one unit per trial
/// of each dimension: its GD and PGD runs).
pub fn du2017_with_progress(
    options: &Du2017Options,
    progress: &dyn Progress,
) -> Result<Du2017Report> {
    options.validate()?;
    let lr = options.step();
    let total = (options.dims.len() * options.trials) as u64;
    progress.start("du2017", total);
    let mut rows: Vec<Du2017Row> = Vec::with_capacity(options.dims.len());
    for &d in &options.dims {
        let f = Octopus::new(d, options.tau, options.l, options.gamma)?;
        let runs: Vec<(gd::RunResult, gd::RunResult)> = (0..options.trials)
            .into_par_iter()
            .map(|trial| {
                let (x0, pgd_seed) = start(options, d, trial);
                let g = gd::run(
                    &f,
                    &x0,
                    lr,
                    options.tolerance,
                    options.max_iters,
                    options.log_domain,
                );
                let p = run_pgd(&f, &x0, pgd_seed, options)?;
                progress.advance(1);
                Ok((g, p))
            })
            .collect::<Result<_>>()?;
        let (gd_runs, pgd_runs): (Vec<_>, Vec<_>) = runs.into_iter().unzip();
        let (gd, pgd) = (MethodSummary::new(gd_runs), MethodSummary::new(pgd_runs));
        let previous = rows.last().filter(|r| r.d + 1 == d);
        let ratio = |now: Option<f64>, before: Option<f64>| Some(now? / before?);
        rows.push(Du2017Row {
            d,
            f_star: f.optimum().expect("the octopus knows f*"),
            gd_ratio: previous.and_then(|p| ratio(gd.median, p.gd.median)),
            pgd_ratio: previous.and_then(|p| ratio(pgd.median, p.pgd.median)),
            gd,
            pgd,
        });
    }
    progress.finish();
    let shrink = (1.0 - 2.0 * lr * options.l).abs();
    Ok(Du2017Report {
        options: Du2017Options {
            lr: Some(lr),
            ..options.clone()
        },
        lr,
        predicted_gd_ratio: 1.0 + (1.0 / shrink).ln() / (1.0 + 2.0 * lr * options.gamma).ln(),
        rows,
    })
}

/// One PGD run from `x0` (perturbations from `random::stream(seed, d)`), until
/// f − f* ≤ tol, through the shared run loop and the registry's `pgd` in practical mode.
pub fn run_pgd(
    f: &Octopus,
    x0: &[f64],
    seed: u64,
    options: &Du2017Options,
) -> Result<gd::RunResult> {
    let s = &options.pgd;
    let params = PgdParams {
        mode: PgdMode::Practical(PgdThresholds {
            lr: options.step(),
            radius: s.radius,
            g_thres: s.g_thres,
            t_thres: s.t_thres,
            f_thres: s.f_thres,
        }),
        seed,
        stream: f.dim() as u64,
    };
    let mut pgd = Pgd::new(params)?;
    let run_options = RunOptions {
        max_iters: options.max_iters,
        target: Some(f.optimum().expect("the octopus knows f*") + options.tolerance),
        record_every: options.max_iters,
        ..RunOptions::default()
    };
    let trajectory = optim::run(f, &mut pgd, x0, &run_options)?;
    let outcome = match trajectory.termination {
        Termination::TargetReached => Outcome::Reached,
        Termination::MaxIters => Outcome::MaxIters,
        Termination::Stalled => Outcome::Stalled,
        Termination::Diverged => Outcome::Diverged,
        Termination::Converged | Termination::Solver(_) => Outcome::Stopped,
    };
    Ok(gd::RunResult {
        outcome,
        iterations: trajectory.final_state.iter,
        underflow_at: None,
    })
}
