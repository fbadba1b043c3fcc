//! Gradient clipping against cliffs (Pascanu, Mikolov & Bengio 2013, "On the difficulty
//! of training recurrent neural networks", §3): where the loss rises steeply, one
//! gradient step is huge and throws the iterate far away; clipping the gradient's norm
//! bounds every step by η·c and keeps the run where it was.
//!
//! # The two setups
//! - **The deep scalar chain** f(w) = ½(w₁w₂⋯w_L·x − y)², the `mlp` kind with hidden
//!   widths \[1\]·(L − 1), linear activation, no biases, one sample (x, y) = (1, 1) and the
//!   squared loss (whose (1/2N)Σ‖ŷ − y‖² gives the constant ½), inputs not
//!   standardised. With P = ∏wᵢ, ∂f/∂wᵢ = (P·x − y)·x·P/wᵢ: where P is large the
//!   gradient grows like P², the cliff. The starts are wᵢ iid uniform on [0.5, 1.5]
//!   (run i from `random::stream(seed, i)`), so log P is spread over several units and
//!   some starts sit on the cliff. Plain gradient descent, η = 0.05, L = 20: at the
//!   minimum (wᵢ ≈ 1) the Hessian's top eigenvalue is about L·x²·P² = 20, so η is
//!   stable there (η < 2/20) and only the cliff can throw a run away.
//! - **A deep network**: an `mlp` of `net_depth` hidden layers of `width` units
//!   (`activation`, default relu) on the first `samples` training digits
//!   (cross-entropy, inputs standardised), Kaiming-normal starts
//!   (`Mlp::initialise("kaiming_normal", seed_i)`, seed_i the first draw of
//!   `random::stream(seed, i)`), full-batch gradient descent with a large step `net_lr`.
//!
//! Each start runs once without clipping and once per threshold c of `clip_norms`,
//! clipped by norm in the run loop (`RunOptions::clip`: g ← g·min(1, c/‖g‖), as torch's
//! `clip_grad_norm_`), for the same number of steps from the same point.
//!
//! # What is counted
//! With f(xₜ) the (full-batch) loss recorded at every step:
//! - a run **diverges** when the run loop stops it as `diverged` (a non-finite value,
//!   gradient or iterate) or a recorded value is not finite;
//! - a step **jumps** to a much higher loss when f(xₜ₊₁) > `jump_factor`·f(xₜ)
//!   (default 10) and f(xₜ₊₁) ≥ `jump_floor`·f(x₀) (default 0.1: the loss goes back at
//!   least a tenth of the way to where the run started). The floor keeps the wiggles of
//!   a run that has nearly converged from counting: with a floor of 10⁻³·f(x₀) instead,
//!   the network's runs clipped at c = 0.5 counted 11 of 20 runs as jumping, every one
//!   of them from a loss below 10⁻³ oscillating at η = 1 (seed 0, 20 starts; see the
//!   `largest_rise` column, which counts every step whatever the floor);
//! - a run **fails** when it diverges or has a jump.
//!
//! The report gives, per setup and setting (no clipping, then each c), the runs that
//! diverged, jumped and failed, the median final loss and the largest one-step rise
//! f(xₜ₊₁)/f(xₜ); and f along the steps around the cliff: of the starts whose
//! unclipped run fails, the one that fails latest (the most steps of approach), from 10
//! steps before its first failing step to 20 after, with and without clipping.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{network, widths};
use crate::error::{Error, Result};
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::objective::Objective;
use crate::optim::{self, Clip, Hyperparameters, RunOptions, Termination};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// Steps shown before a cliff.
const BEFORE: usize = 10;
/// Steps shown after it.
const AFTER: usize = 20;

/// Options of [`clipping`]; the field names are the flags of `landscape experiment
/// clipping`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClippingOptions {
    /// L, the number of factors of the scalar chain (≥ 2). Default 20.
    pub depth: usize,
    /// The chain's gradient-descent step. Default 0.05.
    pub chain_lr: f64,
    /// Steps per chain run. Default 300.
    pub chain_steps: usize,
    /// Hidden layers of the deep network (≥ 1). Default 8.
    pub net_depth: usize,
    /// Units per hidden layer (≥ 1). Default 32.
    pub width: usize,
    /// The network's activation. Default relu.
    pub activation: String,
    /// Training digits the network fits (≥ 1, at most 1,438). Default 300.
    pub samples: usize,
    /// The network's (large) gradient-descent step. Default 1.0.
    pub net_lr: f64,
    /// Steps per network run. Default 100.
    pub net_steps: usize,
    /// The clipping thresholds c (each > 0). Default 0.5, 2, 8.
    pub clip_norms: Vec<f64>,
    /// Seeded starts of the chain (≥ 1). Default 100.
    pub chain_seeds: usize,
    /// Seeded starts of the network (≥ 1). Default 16.
    pub seeds: usize,
    /// The seed. Default 0.
    pub seed: u64,
    /// A jump multiplies the loss by more than this (> 1). Default 10.
    pub jump_factor: f64,
    /// …to at least this fraction of the start's loss (in [0, 1]). Default 0.1.
    pub jump_floor: f64,
}

impl Default for ClippingOptions {
    fn default() -> Self {
        ClippingOptions {
            depth: 20,
            chain_lr: 0.05,
            chain_steps: 300,
            net_depth: 8,
            width: 32,
            activation: "relu".into(),
            samples: 300,
            net_lr: 1.0,
            net_steps: 100,
            clip_norms: vec![0.5, 2.0, 8.0],
            chain_seeds: 100,
            seeds: 16,
            seed: 0,
            jump_factor: 10.0,
            jump_floor: 0.1,
        }
    }
}

impl ClippingOptions {
    /// The `--quick` size: the chain with 20 starts and 150 steps, an 8-layer network
    /// of width 16 on 120 digits (6 starts, 40 steps).
    pub fn quick() -> Self {
        ClippingOptions {
            chain_steps: 150,
            width: 16,
            samples: 120,
            net_steps: 40,
            chain_seeds: 20,
            seeds: 6,
            ..ClippingOptions::default()
        }
    }

    /// Rejects sizes of 0, non-positive steps or thresholds; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        let at_least = |flag: &str, v: usize, min: usize| {
            if v >= min {
                Ok(())
            } else {
                Err(Error::invalid(flag, format!("an integer ≥ {min}"), v))
            }
        };
        at_least("depth", self.depth, 2)?;
        at_least("chain-steps", self.chain_steps, 1)?;
        at_least("net-depth", self.net_depth, 1)?;
        at_least("width", self.width, 1)?;
        at_least("samples", self.samples, 1)?;
        at_least("net-steps", self.net_steps, 1)?;
        at_least("seeds", self.seeds, 1)?;
        at_least("chain-seeds", self.chain_seeds, 1)?;
        if !(0.0..=1.0).contains(&self.jump_floor) {
            return Err(Error::invalid(
                "jump-floor",
                "a number in [0, 1]",
                self.jump_floor,
            ));
        }
        let positive = |flag: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(flag, "a positive finite number", v))
            }
        };
        positive("chain-lr", self.chain_lr)?;
        positive("net-lr", self.net_lr)?;
        if self.clip_norms.is_empty() {
            return Err(Error::invalid(
                "clip-norms",
                "at least one threshold",
                "none",
            ));
        }
        for &c in &self.clip_norms {
            positive("clip-norms", c)?;
        }
        if !(self.jump_factor.is_finite() && self.jump_factor > 1.0) {
            return Err(Error::invalid(
                "jump-factor",
                "a finite number > 1",
                self.jump_factor,
            ));
        }
        Ok(())
    }
}

/// One run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunOutcome {
    /// The start's index i (stream i of the seed).
    pub start: usize,
    /// Stopped as diverged, or a non-finite loss.
    pub diverged: bool,
    /// Steps that jumped (module doc).
    pub jumps: usize,
    /// The first step t whose f(xₜ₊₁) jumped or was not finite.
    pub first_failure: Option<usize>,
    /// f(x₀).
    pub start_loss: f64,
    /// The last loss, when finite.
    pub final_loss: Option<f64>,
    /// The largest f(xₜ₊₁)/f(xₜ) over finite steps.
    pub largest_rise: f64,
    /// Why the run stopped.
    pub termination: Termination,
}

impl RunOutcome {
    /// Diverged or jumped.
    pub fn failed(&self) -> bool {
        self.diverged || self.jumps > 0
    }
}

/// The runs of one setting (no clipping, or one threshold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingSummary {
    /// The threshold c; `None` without clipping.
    pub clip_norm: Option<f64>,
    /// Runs.
    pub runs: usize,
    /// Runs that diverged.
    pub diverged: usize,
    /// Runs with a jump that did not diverge.
    pub jumped: usize,
    /// Runs that diverged or jumped.
    pub failed: usize,
    /// failed / runs.
    pub failed_fraction: f64,
    /// The median final loss, a diverged run counting as +∞ (`None` when half or more
    /// diverged).
    pub median_final_loss: Option<f64>,
    /// The largest one-step rise f(xₜ₊₁)/f(xₜ) of any run.
    pub largest_rise: f64,
    /// Every run, by start.
    pub per_run: Vec<RunOutcome>,
}

/// f along the steps of one start around its cliff, in one setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CliffCurve {
    /// The threshold c; `None` without clipping.
    pub clip_norm: Option<f64>,
    /// The steps t.
    pub steps: Vec<usize>,
    /// f(xₜ) (`null` where not finite).
    pub loss: Vec<Option<f64>>,
}

/// The steps around the first failure of the unclipped run that failed latest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CliffWindow {
    /// The start.
    pub start: usize,
    /// The unclipped run's first failing step t (f(xₜ₊₁) jumped or was not finite).
    pub step: usize,
    /// Without clipping, then each threshold.
    pub curves: Vec<CliffCurve>,
}

/// One setup: the chain or the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupReport {
    /// `scalar chain` or `deep network`.
    pub name: String,
    /// What was trained, in a line.
    pub description: String,
    /// The step η.
    pub lr: f64,
    /// Steps per run.
    pub steps: usize,
    /// Without clipping, then each threshold.
    pub settings: Vec<SettingSummary>,
    /// f around the cliff (none when no unclipped run failed).
    pub cliff: Option<CliffWindow>,
}

impl SetupReport {
    /// The unclipped setting.
    pub fn unclipped(&self) -> &SettingSummary {
        &self.settings[0]
    }

    /// The clipped settings.
    pub fn clipped(&self) -> &[SettingSummary] {
        &self.settings[1..]
    }
}

/// The report (the JSON of `landscape experiment clipping`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClippingReport {
    /// What ran.
    pub options: ClippingOptions,
    /// The deep scalar chain.
    pub chain: SetupReport,
    /// The deep network.
    pub network: SetupReport,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// The scalar chain f(w) = ½(w₁⋯w_L·x − y)² with x = y = 1 (module doc).
pub fn scalar_chain(depth: usize) -> Result<Mlp> {
    let one = || toml::Value::Array(vec![toml::Value::Array(vec![1.0.into()])]);
    network(&[
        ("x", one()),
        ("y", one()),
        ("widths", widths(depth - 1, 1)),
        ("activation", "linear".into()),
        ("bias", false.into()),
        ("loss", "squared".into()),
        ("standardize", false.into()),
    ])
}

/// The deep network on the first `samples` training digits.
pub fn digits_network(options: &ClippingOptions) -> Result<Mlp> {
    let full = network(&[
        ("data", "digits".into()),
        ("widths", widths(options.net_depth, options.width)),
        ("activation", options.activation.as_str().into()),
    ])?;
    let n = full.train().samples;
    if options.samples > n {
        return Err(Error::invalid(
            "samples",
            format!("at most {n} (the training digits)"),
            options.samples,
        ));
    }
    let rows: Vec<usize> = (0..options.samples).collect();
    Ok(Mlp::new(
        full.architecture().clone(),
        full.train().select(&rows),
        None,
    ))
}

/// Runs the experiment.
pub fn clipping(options: &ClippingOptions) -> Result<ClippingReport> {
    clipping_with_progress(options, &Silent)
}

/// [`clipping`], telling `progress` of each run done (task `clipping`).
pub fn clipping_with_progress(
    options: &ClippingOptions,
    progress: &dyn Progress,
) -> Result<ClippingReport> {
    options.validate()?;
    let chain = scalar_chain(options.depth)?;
    let net = digits_network(options)?;
    let settings: Vec<Option<f64>> = std::iter::once(None)
        .chain(options.clip_norms.iter().map(|&c| Some(c)))
        .collect();
    progress.start(
        "clipping",
        ((options.chain_seeds + options.seeds) * settings.len()) as u64,
    );
    let chain_starts: Vec<Vec<f64>> = (0..options.chain_seeds)
        .map(|i| {
            let mut rng = stream(options.seed, i as u64);
            (0..chain.dim())
                .map(|_| rng.random_range(0.5..1.5))
                .collect()
        })
        .collect();
    let net_starts: Vec<Vec<f64>> = (0..options.seeds)
        .map(|i| {
            let s: u64 = stream(options.seed, i as u64).random();
            net.initialise("kaiming_normal", s)
        })
        .collect::<Result<_>>()?;
    let chain_report = setup(
        "scalar chain",
        format!(
            "f(w) = ½(w₁⋯w_L·x − y)², L = {}, x = y = 1, wᵢ ~ U[0.5, 1.5]",
            options.depth
        ),
        &chain,
        &chain_starts,
        options.chain_lr,
        options.chain_steps,
        &settings,
        (options.jump_factor, options.jump_floor),
        progress,
    )?;
    let net_report = setup(
        "deep network",
        format!(
            "{} hidden layers of {} {} units on {} digits, cross-entropy, Kaiming-normal starts",
            options.net_depth, options.width, options.activation, options.samples
        ),
        &net,
        &net_starts,
        options.net_lr,
        options.net_steps,
        &settings,
        (options.jump_factor, options.jump_floor),
        progress,
    )?;
    progress.finish();
    let claims = vec![
        unclipped_claim(&chain_report, "on the deep scalar chain"),
        clipped_claim(&chain_report, "on the deep scalar chain"),
        unclipped_claim(&net_report, "on a deep network with a large step"),
        clipped_claim(&net_report, "on the deep network"),
    ];
    Ok(ClippingReport {
        options: options.clone(),
        chain: chain_report,
        network: net_report,
        claims,
    })
}

fn unclipped_claim(setup: &SetupReport, where_: &str) -> Claim {
    let s = setup.unclipped();
    Claim::new(
        format!(
            "Without clipping, a cliff throws some runs far away {where_}: they diverge or \
             jump to a much higher loss"
        ),
        s.failed > 0,
        json!({
            "runs": s.runs,
            "diverged": s.diverged,
            "jumped": s.jumped,
            "failed_fraction": s.failed_fraction,
            "largest_rise": s.largest_rise,
        }),
    )
}

fn clipped_claim(setup: &SetupReport, where_: &str) -> Claim {
    let failed: Vec<usize> = setup.clipped().iter().map(|s| s.failed).collect();
    let norms: Vec<f64> = setup.clipped().iter().filter_map(|s| s.clip_norm).collect();
    let rises: Vec<f64> = setup.clipped().iter().map(|s| s.largest_rise).collect();
    Claim::new(
        format!("With clipping by norm, no run diverges or jumps {where_}, at every threshold"),
        failed.iter().all(|&f| f == 0),
        json!({
            "clip_norms": norms,
            "failed": failed,
            "runs": setup.unclipped().runs,
            "largest_rise": rises,
        }),
    )
}

/// Every start in every setting, in parallel, collected in order.
#[allow(clippy::too_many_arguments)]
fn setup(
    name: &str,
    description: String,
    f: &dyn Objective,
    starts: &[Vec<f64>],
    lr: f64,
    steps: usize,
    settings: &[Option<f64>],
    jump: (f64, f64),
    progress: &dyn Progress,
) -> Result<SetupReport> {
    let jobs: Vec<(usize, usize)> = (0..settings.len())
        .flat_map(|s| (0..starts.len()).map(move |i| (s, i)))
        .collect();
    let runs: Vec<(RunOutcome, Vec<f64>)> = jobs
        .par_iter()
        .map(|&(s, i)| {
            let out = one_run(f, &starts[i], lr, steps, settings[s], jump, i);
            progress.advance(1);
            out
        })
        .collect::<Result<_>>()?;
    let mut per_setting: Vec<Vec<(RunOutcome, Vec<f64>)>> = vec![Vec::new(); settings.len()];
    for ((s, _), run) in jobs.iter().zip(runs) {
        per_setting[*s].push(run);
    }
    // The failing unclipped run with the most steps before its failure (the first such
    // start on ties): the one that shows the approach to the cliff.
    let cliff = per_setting[0]
        .iter()
        .filter_map(|(o, _)| o.first_failure.map(|t| (o.start, t)))
        .reduce(|best, c| if c.1 > best.1 { c } else { best })
        .map(|(start, step)| {
            let lo = step.saturating_sub(BEFORE);
            let curves = settings
                .iter()
                .zip(&per_setting)
                .map(|(&clip_norm, runs)| {
                    let values = &runs[start].1;
                    let hi = (step + AFTER).min(values.len().saturating_sub(1));
                    let steps: Vec<usize> =
                        (lo..=hi.max(lo)).filter(|&t| t < values.len()).collect();
                    CliffCurve {
                        clip_norm,
                        loss: steps
                            .iter()
                            .map(|&t| Some(values[t]).filter(|v| v.is_finite()))
                            .collect(),
                        steps,
                    }
                })
                .collect();
            CliffWindow {
                start,
                step,
                curves,
            }
        });
    let settings = settings
        .iter()
        .zip(per_setting)
        .map(|(&clip_norm, runs)| summarise(clip_norm, runs.into_iter().map(|r| r.0).collect()))
        .collect();
    Ok(SetupReport {
        name: name.into(),
        description,
        lr,
        steps,
        settings,
        cliff,
    })
}

/// One run of plain gradient descent; its outcome and f(xₜ) at every step.
fn one_run(
    f: &dyn Objective,
    x0: &[f64],
    lr: f64,
    steps: usize,
    clip_norm: Option<f64>,
    jump: (f64, f64),
    start: usize,
) -> Result<(RunOutcome, Vec<f64>)> {
    let mut gd = optim::build("gd", &Hyperparameters::new().with("lr", lr))?;
    let options = RunOptions {
        max_iters: steps,
        grad_tol: 1e-300,
        clip: Clip {
            norm: clip_norm,
            value: None,
        },
        ..RunOptions::default()
    };
    let t = optim::run(f, gd.as_mut(), x0, &options)?;
    let values: Vec<f64> = t.records.iter().map(|r| r.value).collect();
    Ok((outcome(&values, t.termination, jump, start), values))
}

/// Reads a run's losses (module doc: diverged, jumps).
fn outcome(
    values: &[f64],
    termination: Termination,
    (jump_factor, jump_floor): (f64, f64),
    start: usize,
) -> RunOutcome {
    let f0 = values[0];
    let mut jumps = 0;
    let mut first_failure = None;
    let mut largest_rise: f64 = 0.0;
    for (t, pair) in values.windows(2).enumerate() {
        let (before, after) = (pair[0], pair[1]);
        if before.is_finite() && after.is_finite() && before > 0.0 {
            largest_rise = largest_rise.max(after / before);
        }
        let jump = after > jump_factor * before && after >= jump_floor * f0;
        if jump || !after.is_finite() {
            first_failure.get_or_insert(t);
        }
        if jump {
            jumps += 1;
        }
    }
    let diverged = termination == Termination::Diverged || values.iter().any(|v| !v.is_finite());
    RunOutcome {
        start,
        diverged,
        jumps,
        first_failure,
        start_loss: f0,
        final_loss: values.last().copied().filter(|v| v.is_finite()),
        largest_rise,
        termination,
    }
}

fn summarise(clip_norm: Option<f64>, per_run: Vec<RunOutcome>) -> SettingSummary {
    let runs = per_run.len();
    let diverged = per_run.iter().filter(|r| r.diverged).count();
    let failed = per_run.iter().filter(|r| r.failed()).count();
    let mut finals: Vec<f64> = per_run
        .iter()
        .map(|r| r.final_loss.unwrap_or(f64::INFINITY))
        .collect();
    finals.sort_by(f64::total_cmp);
    let median = if runs % 2 == 1 {
        finals[runs / 2]
    } else {
        0.5 * (finals[runs / 2 - 1] + finals[runs / 2])
    };
    SettingSummary {
        clip_norm,
        runs,
        diverged,
        jumped: failed - diverged,
        failed,
        failed_fraction: failed as f64 / runs as f64,
        median_final_loss: Some(median).filter(|m| m.is_finite()),
        largest_rise: per_run.iter().map(|r| r.largest_rise).fold(0.0, f64::max),
        per_run,
    }
}

/// A setting's name in the table.
pub fn setting_name(clip_norm: Option<f64>) -> String {
    clip_norm.map_or("no clipping".into(), |c| format!("clip ‖g‖ ≤ {c}"))
}

impl std::fmt::Display for ClippingReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            out,
            "Gradient clipping against cliffs (Pascanu et al. 2013), seed {}: a run fails when it \
             diverges or a step multiplies the loss by more than {} (to at least {} of the \
             start's loss)",
            self.options.seed, self.options.jump_factor, self.options.jump_floor
        )?;
        for s in [&self.chain, &self.network] {
            writeln!(
                out,
                "\n{}: {}; gradient descent η = {}, {} steps",
                s.name, s.description, s.lr, s.steps
            )?;
            writeln!(
                out,
                "  {:<18} {:>5} {:>9} {:>7} {:>7} {:>18} {:>14}",
                "setting",
                "runs",
                "diverged",
                "jumped",
                "failed",
                "median final loss",
                "largest rise"
            )?;
            for r in &s.settings {
                writeln!(
                    out,
                    "  {:<18} {:>5} {:>9} {:>7} {:>7} {:>18} {:>14}",
                    setting_name(r.clip_norm),
                    r.runs,
                    r.diverged,
                    r.jumped,
                    format!("{:.0}%", 100.0 * r.failed_fraction),
                    r.median_final_loss
                        .map_or("diverged".into(), |m| format!("{m:.3e}")),
                    format!("×{:.3e}", r.largest_rise),
                )?;
            }
            if let Some(c) = &s.cliff {
                writeln!(
                    out,
                    "  the cliff: start {} fails at step {} without clipping (f around it in the chart)",
                    c.start, c.step
                )?;
            }
        }
        writeln!(out)?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_is_half_the_squared_residual_of_the_product() {
        let f = scalar_chain(4).unwrap();
        assert_eq!(f.dim(), 4);
        let w = [1.5, 0.5, 2.0, 1.2];
        let p: f64 = w.iter().product();
        assert!((f.value(&w) - 0.5 * (p - 1.0).powi(2)).abs() < 1e-12);
        let mut g = [0.0; 4];
        f.gradient(&w, &mut g);
        for i in 0..4 {
            let want = (p - 1.0) * p / w[i];
            assert!((g[i] - want).abs() < 1e-12, "{i}: {} vs {want}", g[i]);
        }
    }

    #[test]
    fn a_jump_needs_the_factor_and_the_floor() {
        let j = (10.0, 1e-3);
        let o = outcome(&[1.0, 0.5, 6.0, 1.0], Termination::MaxIters, j, 0);
        assert_eq!((o.jumps, o.first_failure, o.diverged), (1, Some(1), false));
        let tiny = outcome(&[1.0, 1e-8, 1e-6], Termination::MaxIters, j, 0);
        assert_eq!(tiny.jumps, 0);
        let nan = outcome(&[1.0, 2.0, f64::NAN], Termination::Diverged, j, 0);
        assert!(nan.diverged && nan.failed());
        assert_eq!(nan.first_failure, Some(1));
    }
}
