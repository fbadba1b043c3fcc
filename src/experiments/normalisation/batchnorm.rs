//! Ioffe & Szegedy (2015), "Batch normalization: accelerating deep network training by
//! reducing internal covariate shift": with batch normalisation a network trains at
//! larger learning rates, and reaches a given training loss in fewer steps.
//!
//! # The two networks
//! One architecture, [`network_pair`]: `depth` hidden layers of `width` units
//! (`activation`, default ReLU), biases, on the digits (8×8 images, 1,438 training and
//! 359 test samples, inputs standardised; softmax cross-entropy over the 10 classes),
//! once with `norm = "none"` (*plain*) and once with `norm = "batch"` on every hidden
//! layer (*BN*: each unit's pre-activation standardised over the minibatch, then
//! u = γ ⊙ ẑ + β). The default, 8 hidden ReLU layers of 64 units, is a moderately deep
//! network, the setting of the course's claim (a shallow network trains well either
//! way); it was chosen before any run, not searched for.
//!
//! Both start from the same point ([`paired_starts`]): the initialisation draws every
//! layer's W from one seeded stream, layer after layer, and fills γ = 1, β = 0 outside
//! that stream, so the W entries (and the zero biases) of the two starts are identical;
//! [`paired_starts`] checks it. γ and β are the only extra blocks.
//!
//! # Training
//! Plain SGD (`heavy_ball` with momentum 0 by default, [`Sgd`]), θₜ₊₁ = θₜ − η∇f_{Bₜ}(θₜ),
//! on minibatches of `batch_size` (with BN, f_B normalises with the minibatch's
//! statistics; every full-batch evaluation with those of the whole training set).
//! Plain SGD so that η is the step itself: the stability limit η < 2/λmax(∇²f) speaks
//! of it directly, and [`super::smoothness`] probes exactly the steps −s∇f_B the
//! update takes. (`--momentum` sets μ for those who want torch's momentum SGD.) Seed i
//! draws the initial weights and the minibatch order from `random::stream(seed, i)`
//! ([`run_seeds`]), the same for both networks and for every learning rate.
//!
//! # What is measured
//! Per network, learning rate η of the grid `lrs` and seed, the full-batch training loss
//! and test accuracy every `eval_every` steps ([`Curve`]). A run **trains** when it did
//! not diverge (every evaluated loss finite) and its *final* training loss is at most
//! ½ ln 10 (half the loss of a uniform guess: a run that first falls and then blows up
//! does not train). An η **trains** a network when every seed's run trains. The **steps
//! to the target** are the first evaluated step whose training loss is ≤ `target`
//! (censored: never within `steps`); per (network, η), their median over the seeds
//! (a censored run counts as +∞; no median when half or more are censored). Per
//! network: the **largest trainable η** of the grid, and the **best η**, the trainable
//! one with the fewest median steps to the target (ties: the lower mean final loss).
//! Runs are independent and run in parallel (rayon), collected in order: the report is
//! the same on any thread count.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd, LN_10, TRAINS_BELOW};
use crate::experiments::deep::{network, widths, Curve};
use crate::objective::Objective;
use crate::optim::Termination;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};

/// The two normalisations compared: the plain network, then batch normalisation.
pub const NORMS: [&str; 2] = ["none", "batch"];

/// The networks' names in tables and charts, in the order of [`NORMS`].
pub const NAMES: [&str; 2] = ["plain", "BN"];

/// The architecture shared by the two networks of the normalisation experiments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairSpec {
    /// Hidden layers (≥ 1).
    pub depth: usize,
    /// Units per hidden layer (≥ 2).
    pub width: usize,
    /// The hidden layers' activation.
    pub activation: String,
    /// The initialisation scheme of W (`init:` syntax).
    pub init: String,
}

impl Default for PairSpec {
    /// 8 hidden ReLU layers of 64 units, Kaiming-normal (fan-in) weights.
    fn default() -> Self {
        PairSpec {
            depth: 8,
            width: 64,
            activation: "relu".into(),
            init: "kaiming_normal".into(),
        }
    }
}

impl PairSpec {
    /// Rejects a depth of 0 and a width below 2; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        check_counts(&[("depth", self.depth)])?;
        if self.width < 2 {
            return Err(Error::invalid("width", "an integer ≥ 2", self.width));
        }
        Ok(())
    }
}

/// The plain network and the same network with batch normalisation on every hidden
/// layer, on the digits with cross-entropy ([`NORMS`] order). An unknown activation
/// errs naming `activation`, an unknown scheme `init`.
pub fn network_pair(spec: &PairSpec) -> Result<[Mlp; 2]> {
    spec.validate()?;
    let build = |norm: &str| {
        network(&[
            ("data", "digits".into()),
            ("widths", widths(spec.depth, spec.width)),
            ("activation", spec.activation.as_str().into()),
            ("loss", "cross_entropy".into()),
            ("norm", norm.into()),
        ])
    };
    let pair = [build(NORMS[0])?, build(NORMS[1])?];
    pair[0].initialise(&spec.init, 0)?;
    Ok(pair)
}

/// The W blocks of θ, layer by layer (hidden layers, then the output layer).
pub fn weight_blocks<'a>(f: &Mlp, x: &'a [f64]) -> Vec<&'a [f64]> {
    let arch = f.architecture();
    arch.layers
        .iter()
        .enumerate()
        .map(|(l, p)| &x[p.w..p.w + arch.dims[l + 1] * arch.dims[l]])
        .collect()
}

/// The biases of θ, layer by layer (empty without biases).
fn bias_blocks<'a>(f: &Mlp, x: &'a [f64]) -> Vec<&'a [f64]> {
    let arch = f.architecture();
    arch.layers
        .iter()
        .enumerate()
        .filter_map(|(l, p)| p.b.map(|b| &x[b..b + arch.dims[l + 1]]))
        .collect()
}

/// The starts of both networks of `pair` for `init_seed`: identical W and biases (γ = 1,
/// β = 0 the extra blocks of BN). Errs (numerical) if the two draws ever differ.
pub fn paired_starts(pair: &[Mlp; 2], init: &str, init_seed: u64) -> Result<[Vec<f64>; 2]> {
    let starts = [
        pair[0].initialise(init, init_seed)?,
        pair[1].initialise(init, init_seed)?,
    ];
    let same = weight_blocks(&pair[0], &starts[0]) == weight_blocks(&pair[1], &starts[1])
        && bias_blocks(&pair[0], &starts[0]) == bias_blocks(&pair[1], &starts[1]);
    if !same {
        return Err(Error::Numerical {
            what: "paired initialisation".into(),
            message: "the plain and batch-normalised starts differ in their weights".into(),
        });
    }
    Ok(starts)
}

/// Checks that every learning rate of a grid is positive and finite and that there is
/// one at least (errors name `flag`).
pub fn check_lrs(flag: &str, lrs: &[f64]) -> Result<()> {
    if lrs.is_empty() {
        return Err(Error::invalid(flag, "at least one learning rate", "none"));
    }
    for &lr in lrs {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(Error::invalid(flag, "positive finite learning rates", lr));
        }
    }
    Ok(())
}

/// Checks a minibatch size for batch normalisation on `samples` training samples: at
/// least 2 (one sample has no variance to standardise by) and at most `samples`.
pub fn check_batch_size(batch_size: usize, samples: usize) -> Result<()> {
    if (2..=samples).contains(&batch_size) {
        Ok(())
    } else {
        Err(Error::invalid(
            "batch-size",
            format!(
                "an integer in [2, {samples}] (batch normalisation needs two samples; the \
                 training set has {samples})"
            ),
            batch_size,
        ))
    }
}

/// Options of [`batchnorm`]; the field names are the flags of `landscape experiment
/// batchnorm`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchnormOptions {
    /// The architecture (default 8 hidden ReLU layers of 64, Kaiming-normal).
    pub network: PairSpec,
    /// The learning-rate grid (each positive, finite). Default 0.01, 0.03, 0.1, 0.3, 1, 3.
    pub lrs: Vec<f64>,
    /// Steps (default 300), momentum (default 0: plain SGD), minibatch size (default
    /// 64), evaluations (default every 10 steps); the `lr` field is unused (the grid's).
    pub sgd: Sgd,
    /// The target training loss of the steps to the target (default 0.2).
    pub target: f64,
    /// Seeds per (network, learning rate) (default 3).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
}

impl Default for BatchnormOptions {
    fn default() -> Self {
        BatchnormOptions {
            network: PairSpec::default(),
            lrs: vec![0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
            sgd: Sgd {
                steps: 300,
                lr: 0.1,
                momentum: 0.0,
                batch_size: 64,
                eval_every: 10,
            },
            target: 0.2,
            seeds: 3,
            seed: 0,
        }
    }
}

impl BatchnormOptions {
    /// The `--quick` size: 6 hidden layers of 16 units, η ∈ {0.03, 0.3, 3}, 2 seeds,
    /// 120 steps of batch 32, target 0.5.
    pub fn quick() -> Self {
        let mut o = BatchnormOptions {
            network: PairSpec {
                depth: 6,
                width: 16,
                ..PairSpec::default()
            },
            lrs: vec![0.03, 0.3, 3.0],
            target: 0.5,
            seeds: 2,
            ..BatchnormOptions::default()
        };
        o.sgd.steps = 120;
        o.sgd.batch_size = 32;
        o
    }

    /// Checks the options; errors name the flag (`depth`, `width`, `lrs`, `steps`,
    /// `momentum`, `batch-size`, `eval-every`, `target`, `seeds`).
    pub fn validate(&self) -> Result<()> {
        self.network.validate()?;
        check_lrs("lrs", &self.lrs)?;
        check_counts(&[("seeds", self.seeds)])?;
        if !(self.target.is_finite() && self.target > 0.0) {
            return Err(Error::invalid(
                "target",
                "a positive finite loss",
                self.target,
            ));
        }
        let sgd = Sgd {
            lr: self.lrs[0],
            ..self.sgd.clone()
        };
        sgd.validate().map_err(as_flag)
    }
}

/// An error of [`Sgd::validate`] naming the flag (`batch-size` for `batch_size`, …).
pub fn as_flag(e: Error) -> Error {
    match e {
        Error::InvalidField {
            field,
            expected,
            found,
        } => Error::InvalidField {
            field: field.replace('_', "-"),
            expected,
            found,
        },
        e => e,
    }
}

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchnormRun {
    /// The seed index i (stream i of the seed).
    pub seed_index: usize,
    /// Training loss and test accuracy along the run.
    pub curve: Curve,
    /// The last training loss (`None`: not finite).
    pub final_loss: Option<f64>,
    /// The lowest training loss evaluated.
    pub min_loss: f64,
    /// The first evaluated step with training loss ≤ target.
    pub steps_to_target: Option<usize>,
    /// Did not diverge and ended at training loss ≤ ½ ln 10.
    pub trains: bool,
    /// How the run ended (`max_iters`, or `diverged`).
    pub termination: String,
}

/// One (network, learning rate): its runs over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    /// `none` or `batch`.
    pub norm: String,
    /// η.
    pub lr: f64,
    /// Every seed's run trains.
    pub trains: bool,
    /// Seeds whose run trains.
    pub trained_seeds: usize,
    /// Median steps to the target, censored runs as +∞ (`None` when half or more are
    /// censored).
    pub median_steps_to_target: Option<f64>,
    /// Mean final training loss (`None` when a run diverged).
    pub mean_final_loss: Option<f64>,
    /// Mean final test accuracy (`None` when a run diverged).
    pub mean_final_test_accuracy: Option<f64>,
    /// The runs, by seed.
    pub runs: Vec<BatchnormRun>,
}

/// One network over the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkSummary {
    /// `none` or `batch`.
    pub norm: String,
    /// The largest η of the grid that trains (none trains: `None`).
    pub largest_trainable_lr: Option<f64>,
    /// The trainable η with the fewest median steps to the target.
    pub best_lr: Option<f64>,
    /// Its median steps to the target.
    pub best_median_steps: Option<f64>,
}

/// The report (the JSON of `landscape experiment batchnorm`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchnormReport {
    /// What ran.
    pub options: BatchnormOptions,
    /// Parameters of the plain network and of the BN network.
    pub parameters: [usize; 2],
    /// ln 10.
    pub ln_10: f64,
    /// The plain network's settings (η ascending), then the BN network's.
    pub settings: Vec<Setting>,
    /// Per network, in the order of [`NORMS`].
    pub summaries: Vec<NetworkSummary>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl BatchnormReport {
    /// The settings of network `n` (0 plain, 1 BN), η ascending.
    pub fn of(&self, n: usize) -> impl Iterator<Item = &Setting> {
        self.settings.iter().filter(move |s| s.norm == NORMS[n])
    }
}

/// Runs the experiment.
pub fn batchnorm(options: &BatchnormOptions) -> Result<BatchnormReport> {
    batchnorm_with_progress(options, &Silent)
}

/// [`batchnorm`], telling `progress` of each finished run (task `batchnorm`).
pub fn batchnorm_with_progress(
    options: &BatchnormOptions,
    progress: &dyn Progress,
) -> Result<BatchnormReport> {
    options.validate()?;
    let pair = network_pair(&options.network)?;
    check_batch_size(options.sgd.batch_size, pair[0].train().samples)?;
    let mut lrs = options.lrs.clone();
    lrs.sort_by(f64::total_cmp);
    lrs.dedup();
    let starts: Vec<([Vec<f64>; 2], u64)> = (0..options.seeds)
        .map(|i| {
            let (init_seed, batch_seed) = run_seeds(options.seed, i);
            Ok((
                paired_starts(&pair, &options.network.init, init_seed)?,
                batch_seed,
            ))
        })
        .collect::<Result<_>>()?;
    let jobs: Vec<(usize, usize, usize)> = (0..2)
        .flat_map(|n| (0..lrs.len()).flat_map(move |l| (0..options.seeds).map(move |i| (n, l, i))))
        .collect();
    progress.start("batchnorm", jobs.len() as u64);
    let runs: Vec<BatchnormRun> = jobs
        .par_iter()
        .map(|&(n, l, i)| {
            let sgd = Sgd {
                lr: lrs[l],
                ..options.sgd.clone()
            };
            let (x0, batch_seed) = (&starts[i].0[n], starts[i].1);
            let t = sgd.train(&pair[n], x0, batch_seed)?;
            progress.advance(1);
            Ok(one_run(i, Curve::of(&t), t.termination, options.target))
        })
        .collect::<Result<_>>()?;
    progress.finish();
    let mut runs = runs.into_iter();
    let mut settings = Vec::new();
    for norm in NORMS {
        for &lr in &lrs {
            let of_setting: Vec<BatchnormRun> = runs.by_ref().take(options.seeds).collect();
            settings.push(setting(norm, lr, of_setting));
        }
    }
    let summaries: Vec<NetworkSummary> = NORMS
        .iter()
        .map(|norm| summary(norm, settings.iter().filter(|s| s.norm == *norm)))
        .collect();
    let claims = claims(&settings, &summaries, options);
    Ok(BatchnormReport {
        options: options.clone(),
        parameters: [pair[0].dim(), pair[1].dim()],
        ln_10: LN_10,
        settings,
        summaries,
        claims,
    })
}

fn one_run(seed_index: usize, curve: Curve, termination: Termination, target: f64) -> BatchnormRun {
    let final_loss = Some(curve.final_loss()).filter(|l| l.is_finite());
    let finite = curve.train_loss.iter().all(|l| l.is_finite());
    let diverged = termination == Termination::Diverged || !finite;
    BatchnormRun {
        seed_index,
        min_loss: curve
            .train_loss
            .iter()
            .copied()
            .filter(|l| l.is_finite())
            .fold(f64::INFINITY, f64::min),
        steps_to_target: curve.steps_to(target),
        trains: !diverged && final_loss.is_some_and(|l| l <= TRAINS_BELOW * LN_10),
        termination: termination.as_str().to_string(),
        final_loss,
        curve,
    }
}

/// The median of steps to a target, a censored run counting as +∞; `None` when that
/// median is +∞.
pub fn median_steps(steps: impl Iterator<Item = Option<usize>>) -> Option<f64> {
    let mut s: Vec<f64> = steps
        .map(|s| s.map_or(f64::INFINITY, |s| s as f64))
        .collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let m = if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    };
    Some(m).filter(|m| m.is_finite())
}

/// The mean of `values`, `None` when one is missing.
fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Option<Vec<f64>> = values.collect();
    v.filter(|v| !v.is_empty())
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
}

fn setting(norm: &str, lr: f64, runs: Vec<BatchnormRun>) -> Setting {
    let trained_seeds = runs.iter().filter(|r| r.trains).count();
    Setting {
        norm: norm.to_string(),
        lr,
        trains: trained_seeds == runs.len(),
        trained_seeds,
        median_steps_to_target: median_steps(runs.iter().map(|r| r.steps_to_target)),
        mean_final_loss: mean(runs.iter().map(|r| r.final_loss)),
        mean_final_test_accuracy: mean(
            runs.iter()
                .map(|r| r.final_loss.and(r.curve.final_accuracy())),
        ),
        runs,
    }
}

fn summary<'a>(norm: &str, settings: impl Iterator<Item = &'a Setting>) -> NetworkSummary {
    let trainable: Vec<&Setting> = settings.filter(|s| s.trains).collect();
    let key = |s: &Setting| {
        (
            s.median_steps_to_target.unwrap_or(f64::INFINITY),
            s.mean_final_loss.unwrap_or(f64::INFINITY),
        )
    };
    let best = trainable.iter().copied().reduce(|best, s| {
        let (a, b) = (key(s), key(best));
        if a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) {
            s
        } else {
            best
        }
    });
    NetworkSummary {
        norm: norm.to_string(),
        largest_trainable_lr: trainable.last().map(|s| s.lr),
        best_lr: best.map(|s| s.lr),
        best_median_steps: best.and_then(|s| s.median_steps_to_target),
    }
}

fn claims(settings: &[Setting], summaries: &[NetworkSummary], o: &BatchnormOptions) -> Vec<Claim> {
    let (plain, bn) = (&summaries[0], &summaries[1]);
    let trains = |norm: &str| -> Vec<(f64, usize)> {
        settings
            .iter()
            .filter(|s| s.norm == norm)
            .map(|s| (s.lr, s.trained_seeds))
            .collect()
    };
    let larger = match (bn.largest_trainable_lr, plain.largest_trainable_lr) {
        (Some(b), Some(p)) => b > p,
        (Some(_), None) => true,
        _ => false,
    };
    // Every η where both train and one at least reaches the target.
    let shared: Vec<(f64, Option<f64>, Option<f64>)> = settings
        .iter()
        .filter(|s| s.norm == NORMS[0] && s.trains)
        .filter_map(|p| {
            let b = settings
                .iter()
                .find(|b| b.norm == NORMS[1] && b.lr == p.lr && b.trains)?;
            Some((p.lr, p.median_steps_to_target, b.median_steps_to_target))
        })
        .filter(|(_, p, b)| p.is_some() || b.is_some())
        .collect();
    let fewer_at_equal = !shared.is_empty()
        && shared
            .iter()
            .all(|(_, p, b)| b.unwrap_or(f64::INFINITY) < p.unwrap_or(f64::INFINITY));
    let best_fewer = match (bn.best_median_steps, plain.best_median_steps) {
        (Some(b), Some(p)) => b < p,
        (Some(_), None) => true,
        _ => false,
    };
    vec![
        Claim::new(
            format!(
                "With batch normalisation the {}-layer network trains at larger learning \
                 rates: the largest η of the grid at which every seed trains (ends below \
                 ½ ln 10 without diverging) is larger with BN",
                o.network.depth
            ),
            larger,
            json!({
                "largest_trainable_lr_plain": plain.largest_trainable_lr,
                "largest_trainable_lr_bn": bn.largest_trainable_lr,
                "trained_seeds_plain": trains(NORMS[0]),
                "trained_seeds_bn": trains(NORMS[1]),
                "seeds": o.seeds,
            }),
        ),
        Claim::new(
            format!(
                "At equal learning rate BN reaches training loss {} in fewer steps: at every \
                 η where both train (and one reaches it), BN's median steps are fewer",
                o.target
            ),
            fewer_at_equal,
            json!({
                "compared": shared
                    .iter()
                    .map(|(lr, p, b)| json!({"lr": lr, "median_steps_plain": p, "median_steps_bn": b}))
                    .collect::<Vec<_>>(),
            }),
        ),
        Claim::new(
            format!(
                "At each network's best learning rate BN reaches training loss {} in fewer \
                 steps than the plain network",
                o.target
            ),
            best_fewer,
            json!({
                "best_lr_plain": plain.best_lr,
                "median_steps_plain": plain.best_median_steps,
                "best_lr_bn": bn.best_lr,
                "median_steps_bn": bn.best_median_steps,
            }),
        ),
    ]
}

impl fmt::Display for BatchnormReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        let n = &o.network;
        writeln!(
            out,
            "Ioffe & Szegedy 2015: {} hidden {} layers of {} units ({} parameters plain, {} with \
             BN), {} start, digits; SGD μ = {}, batch {}, {} steps; {} seeds; trains: no \
             divergence and final loss ≤ ½ ln 10 = {:.3}; target loss {}",
            n.depth,
            n.activation,
            n.width,
            self.parameters[0],
            self.parameters[1],
            n.init,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.seeds,
            TRAINS_BELOW * LN_10,
            o.target
        )?;
        writeln!(
            out,
            "{:<7} {:>8} {:>8} {:>14} {:>12} {:>10}",
            "network", "η", "trains", "steps→target", "final loss", "test acc"
        )?;
        for s in &self.settings {
            let name = NAMES[NORMS.iter().position(|n| *n == s.norm).unwrap_or(0)];
            writeln!(
                out,
                "{:<7} {:>8} {:>8} {:>14} {:>12} {:>10}",
                name,
                s.lr,
                format!("{}/{}", s.trained_seeds, s.runs.len()),
                s.median_steps_to_target
                    .map_or(format!(">{}", o.sgd.steps), |m| format!("{m}")),
                s.mean_final_loss.map_or("diverged".into(), |l| if l < 1e4 {
                    format!("{l:.4}")
                } else {
                    format!("{l:.3e}")
                }),
                s.mean_final_test_accuracy
                    .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a)),
            )?;
        }
        for (name, s) in NAMES.iter().zip(&self.summaries) {
            let lr = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
            writeln!(
                out,
                "{name}: largest trainable η {}, best η {} ({} median steps to {})",
                lr(s.largest_trainable_lr),
                lr(s.best_lr),
                s.best_median_steps
                    .map_or(format!(">{}", o.sgd.steps), |m| m.to_string()),
                o.target
            )?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_starts_share_every_weight_and_bias() {
        let spec = PairSpec {
            depth: 3,
            width: 5,
            ..PairSpec::default()
        };
        let pair = network_pair(&spec).unwrap();
        let [plain, bn] = paired_starts(&pair, "kaiming_normal", 7).unwrap();
        // BN's extra blocks are γ and β: two vectors per hidden layer.
        assert_eq!(bn.len() - plain.len(), 2 * 3 * 5);
        let (wp, wb) = (
            weight_blocks(&pair[0], &plain),
            weight_blocks(&pair[1], &bn),
        );
        assert_eq!(wp.len(), 4);
        assert_eq!(wp, wb);
        assert!(wp[0].iter().any(|&w| w != 0.0));
        let arch = pair[1].architecture();
        for p in &arch.layers[..3] {
            let (g, b) = (p.gamma.unwrap(), p.beta.unwrap());
            assert!(bn[g..g + 5].iter().all(|&v| v == 1.0));
            assert!(bn[b..b + 5].iter().all(|&v| v == 0.0));
        }
        // Another seed, other weights.
        let [other, _] = paired_starts(&pair, "kaiming_normal", 8).unwrap();
        assert_ne!(weight_blocks(&pair[0], &other), wp);
    }

    #[test]
    fn medians_count_censored_runs_as_never() {
        assert_eq!(
            median_steps([Some(10), None, Some(30)].into_iter()),
            Some(30.0)
        );
        assert_eq!(median_steps([Some(10), None].into_iter()), None);
        assert_eq!(median_steps([Some(10), Some(20)].into_iter()), Some(15.0));
    }

    #[test]
    fn a_run_trains_when_it_ends_low_without_diverging() {
        let curve = |losses: &[f64]| Curve {
            steps: (0..losses.len()).map(|i| 10 * i).collect(),
            train_loss: losses.to_vec(),
            test_accuracy: Vec::new(),
        };
        let ok = one_run(0, curve(&[2.3, 0.9, 0.4]), Termination::MaxIters, 0.5);
        assert!(ok.trains);
        assert_eq!(ok.steps_to_target, Some(20));
        let back_up = one_run(0, curve(&[2.3, 0.4, 2.0]), Termination::MaxIters, 0.5);
        assert!(!back_up.trains);
        assert_eq!(back_up.steps_to_target, Some(10));
        let nan = one_run(0, curve(&[2.3, f64::NAN]), Termination::Diverged, 0.5);
        assert!(!nan.trains && nan.final_loss.is_none());
    }
}
