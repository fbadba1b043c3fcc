//! Batch normalisation's relatives against the batch size: layer (Ba, Kiros & Hinton
//! 2016), weight (Salimans & Kingma 2016), instance (Ulyanov, Vedaldi & Lempitsky 2016)
//! and group normalisation (Wu & He 2018) normalise each sample on its own (or
//! reparametrise the weights), so they behave the same at any batch size, where batch
//! normalisation's statistics over a small batch are noisy and unlike the whole
//! training set's.
//!
//! # What is trained
//! The same `mlp` on the digits (cross-entropy): `depth` hidden ReLU layers of `width`
//! units, biases, Kaiming-normal starts, with each normalisation of `norms` (default
//! none, batch, layer, weight, instance with `channels` channels, group with `groups`
//! groups; `channels` and `groups` divide `width`, and differ, since with a per-feature
//! affine map instance normalisation with C channels is group normalisation with
//! G = C), trained by SGD with momentum ([`Sgd`]) at every batch size B of
//! `batch_sizes` for `seeds` seeds (seed i: the initial weights and the minibatch order
//! from `random::stream(seed, i)`, the same for every norm and batch size).
//!
//! **The same number of samples seen**: every run makes `epochs` passes over the
//! training set, ⌈N/B⌉ steps each, so every run does the same gradient work, and the
//! learning rate follows the linear scaling rule η_B = η·B/32 (Goyal et al. 2017; Wu &
//! He's setting): in the small-step limit SGD then follows the same path whatever B, so
//! a method whose loss depends on B does so through its batch statistics, not through
//! the optimiser. (With the same number of steps instead, a batch of 2 would see 64
//! times fewer samples than one of 128 and every method would degrade.)
//!
//! # What is measured
//! Per (norm, B): the final full-batch training loss (batch normalisation with the
//! whole training set's statistics at θ, as every evaluation), its mean over the seeds,
//! the test accuracy, and the epochs (and steps) until the training loss first reaches
//! `target`, evaluated four times an epoch. A norm's *degradation* is its mean final
//! loss at the smallest batch size over that at the largest.
//!
//! **Batch independence**: at the end of each norm's seed-0 run at the largest batch
//! size, the outputs of each of the first `probe` training samples evaluated alone
//! ([`Mlp::outputs`] on one row) against its row of the outputs of the `probe` samples
//! evaluated as one batch (training mode, batch normalisation with the batch's
//! statistics): the largest absolute difference.
//!
//! # Claims
//! - batch normalisation degrades at small batches: its degradation is at least
//!   [`DEGRADES`];
//! - the batch-independent ones (every other norm, and none) do not: each degradation
//!   is below [`DEGRADES`] and below batch normalisation's;
//! - layer, instance, group and weight normalisation (and none) give each sample the
//!   same outputs alone as in a batch, to rounding (≤ [`ROUNDING`]), and batch
//!   normalisation does not (a difference above [`ROUNDING`]).
//!
//! Runs are independent and run in parallel (rayon), collected in order: the report is
//! the same on any thread count.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd};
use crate::experiments::deep::{network, widths, Curve};
use crate::problems::mlp::norm::NAMES;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};

/// A norm degrades at small batches when its final loss at the smallest batch size is
/// at least this multiple of its final loss at the largest.
pub const DEGRADES: f64 = 2.0;

/// Outputs equal "to rounding": the largest difference at most this.
pub const ROUNDING: f64 = 1e-10;

/// The batch size the learning rate is given for (η_B = η·B/32).
pub const REFERENCE_BATCH: usize = 32;

/// Full-batch evaluations per epoch.
pub const EVALUATIONS_PER_EPOCH: usize = 4;

/// Options of [`norms`]; the field names are the flags of `landscape experiment norms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormsOptions {
    /// The normalisations (default none, batch, layer, weight, instance, group).
    pub norms: Vec<String>,
    /// The batch sizes B (default 2, 4, 8, 32, 128).
    pub batch_sizes: Vec<usize>,
    /// Hidden layers (default 3).
    pub depth: usize,
    /// Units per hidden layer (default 32).
    pub width: usize,
    /// Groups of group normalisation (default 4).
    pub groups: usize,
    /// Channels of instance normalisation (default 8).
    pub channels: usize,
    /// Passes over the training set per run (default 10).
    pub epochs: usize,
    /// The learning rate η at batch size 32 (η_B = η·B/32; default 0.02).
    pub lr: f64,
    /// Momentum μ of heavy_ball (default 0.9).
    pub momentum: f64,
    /// Seeds per (norm, batch size) (default 2).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
    /// The training loss whose first crossing is counted (default 0.1).
    pub target: f64,
    /// Samples of the batch-independence check (default 32).
    pub probe: usize,
}

impl Default for NormsOptions {
    fn default() -> Self {
        NormsOptions {
            norms: ["none", "batch", "layer", "weight", "instance", "group"]
                .map(String::from)
                .to_vec(),
            batch_sizes: vec![2, 4, 8, 32, 128],
            depth: 3,
            width: 32,
            groups: 4,
            channels: 8,
            epochs: 10,
            lr: 0.02,
            momentum: 0.9,
            seeds: 2,
            seed: 0,
            target: 0.1,
            probe: 32,
        }
    }
}

impl NormsOptions {
    /// The `--quick` size: 2 layers of 16 units (2 groups, 4 channels), batch sizes 2,
    /// 8, 128, 3 epochs, 1 seed.
    pub fn quick() -> Self {
        NormsOptions {
            batch_sizes: vec![2, 8, 128],
            depth: 2,
            width: 16,
            groups: 2,
            channels: 4,
            epochs: 3,
            seeds: 1,
            ..NormsOptions::default()
        }
    }

    /// Checks the options; errors name the flag. The norms themselves (a name, groups
    /// and channels that divide the width) are checked when the networks are built.
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("epochs", self.epochs),
            ("seeds", self.seeds),
            ("probe", self.probe),
        ])?;
        if self.norms.is_empty() {
            return Err(Error::invalid("norms", format!("some of {NAMES}"), "none"));
        }
        if self.batch_sizes.is_empty() {
            return Err(Error::invalid("batch-sizes", "at least one size", "none"));
        }
        if let Some(&b) = self.batch_sizes.iter().find(|&&b| b == 0) {
            return Err(Error::invalid("batch-sizes", "sizes ≥ 1", b));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::invalid("lr", "a positive finite number", self.lr));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(Error::invalid(
                "momentum",
                "a number in [0, 1)",
                self.momentum,
            ));
        }
        if !(self.target.is_finite() && self.target > 0.0) {
            return Err(Error::invalid(
                "target",
                "a positive finite number",
                self.target,
            ));
        }
        Ok(())
    }

    /// The training at batch size `b` on `samples` training samples: `epochs`·⌈N/B⌉
    /// steps at η·B/32, evaluated four times an epoch.
    pub fn sgd(&self, b: usize, samples: usize) -> Sgd {
        let per_epoch = samples.div_ceil(b);
        Sgd {
            steps: self.epochs * per_epoch,
            lr: self.lr * b as f64 / REFERENCE_BATCH as f64,
            momentum: self.momentum,
            batch_size: b,
            eval_every: per_epoch.div_ceil(EVALUATIONS_PER_EPOCH).max(1),
        }
    }
}

/// One (norm, batch size): its runs over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormCell {
    /// The normalisation.
    pub norm: String,
    /// The batch size B.
    pub batch_size: usize,
    /// η_B.
    pub lr: f64,
    /// Steps per run.
    pub steps: usize,
    /// ⌈N/B⌉.
    pub steps_per_epoch: usize,
    /// The final training loss of each seed.
    pub final_loss: Vec<f64>,
    /// Their mean.
    pub mean_final_loss: f64,
    /// The mean final test accuracy.
    pub mean_final_accuracy: f64,
    /// Steps until the training loss reached the target, per seed (none: never).
    pub steps_to_target: Vec<Option<usize>>,
    /// The same in epochs (steps/⌈N/B⌉).
    pub epochs_to_target: Vec<Option<f64>>,
    /// Seed 0's curve.
    pub curve: Curve,
}

/// The batch-independence check of one norm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndependenceCheck {
    /// The normalisation.
    pub norm: String,
    /// The samples compared, alone and in one batch.
    pub samples: usize,
    /// The largest |output alone − output in the batch|.
    pub max_difference: f64,
}

/// A norm's degradation (mean final loss at the smallest B over that at the largest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Degradation {
    /// The normalisation.
    pub norm: String,
    /// Mean final loss at the smallest batch size.
    pub small_batch_loss: f64,
    /// …at the largest.
    pub large_batch_loss: f64,
    /// Their ratio.
    pub ratio: f64,
}

/// The report (the JSON of `landscape experiment norms`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormsReport {
    /// The options.
    pub options: NormsOptions,
    /// The network's spec fields besides `norm`.
    pub network: serde_json::Value,
    /// Training samples N.
    pub samples: usize,
    /// Every (norm, batch size), norm by norm, batch sizes in the given order.
    pub cells: Vec<NormCell>,
    /// Per norm.
    pub degradation: Vec<Degradation>,
    /// Per norm.
    pub independence: Vec<IndependenceCheck>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl NormsReport {
    /// The cells of one norm, in batch-size order.
    pub fn cells_of<'a>(&'a self, norm: &'a str) -> impl Iterator<Item = &'a NormCell> + 'a {
        self.cells.iter().filter(move |c| c.norm == norm)
    }
}

/// The network with normalisation `norm`.
pub fn norm_network(options: &NormsOptions, norm: &str) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(options.depth, options.width)),
        ("activation", "relu".into()),
        ("norm", norm.into()),
        ("groups", (options.groups as i64).into()),
        ("channels", (options.channels as i64).into()),
    ])
}

/// Runs the comparison.
///
/// Errors: invalid options (naming the flag), a norm the network cannot hold (`norm`,
/// `groups`, `channels`), a batch size above the training samples.
pub fn norms(options: &NormsOptions) -> Result<NormsReport> {
    norms_with_progress(options, &Silent)
}

/// [`norms`], telling `progress` of each finished run (task `norms`).
pub fn norms_with_progress(options: &NormsOptions, progress: &dyn Progress) -> Result<NormsReport> {
    options.validate()?;
    let nets = options
        .norms
        .iter()
        .map(|n| norm_network(options, n))
        .collect::<Result<Vec<_>>>()?;
    let n = nets[0].train().samples;
    if let Some(&b) = options.batch_sizes.iter().find(|&&b| b > n) {
        return Err(Error::invalid(
            "batch-sizes",
            format!("sizes at most {n} (the training digits)"),
            b,
        ));
    }
    if options.probe > n {
        return Err(Error::invalid(
            "probe",
            format!("at most {n} (the training digits)"),
            options.probe,
        ));
    }
    let jobs: Vec<(usize, usize, usize)> = (0..nets.len())
        .flat_map(|k| {
            (0..options.batch_sizes.len())
                .flat_map(move |b| (0..options.seeds).map(move |i| (k, b, i)))
        })
        .collect();
    progress.start("norms", jobs.len() as u64);
    let largest = (0..options.batch_sizes.len())
        .max_by_key(|&b| options.batch_sizes[b])
        .unwrap_or(0);
    let runs = jobs
        .par_iter()
        .map(|&(k, b, i)| {
            let f = &nets[k];
            let (init_seed, batch_seed) = run_seeds(options.seed, i);
            let x0 = f.initialise("kaiming_normal", init_seed)?;
            let sgd = options.sgd(options.batch_sizes[b], n);
            let t = sgd.train(f, &x0, batch_seed)?;
            let check =
                (i == 0 && b == largest).then(|| independence(f, &t.final_state.x, options));
            progress.advance(1);
            Ok((Curve::of(&t), check))
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let mut cells = Vec::new();
    let mut checks = Vec::new();
    let mut runs = runs.into_iter();
    for name in &options.norms {
        for &b in &options.batch_sizes {
            let sgd = options.sgd(b, n);
            let per_epoch = n.div_ceil(b);
            let seeds: Vec<(Curve, Option<IndependenceCheck>)> =
                runs.by_ref().take(options.seeds).collect();
            let finals: Vec<f64> = seeds.iter().map(|(c, _)| c.final_loss()).collect();
            let to_target: Vec<Option<usize>> = seeds
                .iter()
                .map(|(c, _)| c.steps_to(options.target))
                .collect();
            let accuracy = mean(
                &seeds
                    .iter()
                    .map(|(c, _)| c.final_accuracy().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>(),
            );
            let mut curve = Curve::default();
            for (k, (c, check)) in seeds.into_iter().enumerate() {
                if k == 0 {
                    curve = c;
                }
                if let Some(mut check) = check {
                    check.norm = name.clone();
                    checks.push(check);
                }
            }
            cells.push(NormCell {
                norm: name.clone(),
                batch_size: b,
                lr: sgd.lr,
                steps: sgd.steps,
                steps_per_epoch: per_epoch,
                mean_final_loss: mean(&finals),
                final_loss: finals,
                mean_final_accuracy: accuracy,
                epochs_to_target: to_target
                    .iter()
                    .map(|s| s.map(|s| s as f64 / per_epoch as f64))
                    .collect(),
                steps_to_target: to_target,
                curve,
            });
        }
    }
    let small = (0..options.batch_sizes.len())
        .min_by_key(|&b| options.batch_sizes[b])
        .unwrap_or(0);
    let degradation = options
        .norms
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let at = |b: usize| cells[k * options.batch_sizes.len() + b].mean_final_loss;
            let (s, l) = (at(small), at(largest));
            Degradation {
                norm: name.clone(),
                small_batch_loss: s,
                large_batch_loss: l,
                ratio: s / l,
            }
        })
        .collect::<Vec<_>>();
    let claims = claims(&degradation, &checks, options);
    Ok(NormsReport {
        options: options.clone(),
        network: json!({
            "data": "digits",
            "widths": vec![options.width; options.depth],
            "activation": "relu",
            "groups": options.groups,
            "channels": options.channels,
            "init": "kaiming_normal",
        }),
        samples: n,
        cells,
        degradation,
        independence: checks,
        claims,
    })
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Each of the first `probe` samples alone against the same samples as one batch.
fn independence(f: &Mlp, x: &[f64], options: &NormsOptions) -> IndependenceCheck {
    let rows: Vec<usize> = (0..options.probe).collect();
    let together = f.outputs(x, &rows);
    let q = f.train().outputs;
    let max_difference = rows
        .iter()
        .map(|&i| {
            let alone = f.outputs(x, &[i]);
            alone
                .iter()
                .zip(&together[i * q..(i + 1) * q])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max);
    IndependenceCheck {
        norm: String::new(),
        samples: rows.len(),
        max_difference,
    }
}

fn claims(
    degradation: &[Degradation],
    checks: &[IndependenceCheck],
    options: &NormsOptions,
) -> Vec<Claim> {
    let (lo, hi) = (
        options.batch_sizes.iter().min().copied().unwrap_or(0),
        options.batch_sizes.iter().max().copied().unwrap_or(0),
    );
    let bn = degradation.iter().find(|d| d.norm == "batch");
    let others: Vec<&Degradation> = degradation.iter().filter(|d| d.norm != "batch").collect();
    let ratios = |ds: &[&Degradation]| -> serde_json::Map<String, serde_json::Value> {
        ds.iter()
            .map(|d| (d.norm.clone(), json!(d.ratio)))
            .collect()
    };
    let mut claims = Vec::new();
    if let Some(bn) = bn {
        claims.push(Claim::new(
            format!(
                "Batch normalisation degrades at small batches: its final training loss at \
                 batch {lo} is at least {DEGRADES}× its loss at batch {hi} (the same samples seen)"
            ),
            bn.ratio >= DEGRADES,
            json!({
                "small_batch_loss": bn.small_batch_loss,
                "large_batch_loss": bn.large_batch_loss,
                "ratio": bn.ratio,
            }),
        ));
    }
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|d| d.norm.as_str()).collect();
        claims.push(Claim::new(
            format!(
                "The batch-independent ones ({}) do not: each one's loss at batch {lo} is \
                 less than {DEGRADES}× its loss at batch {hi}{}",
                names.join(", "),
                if bn.is_some() {
                    ", and less than batch normalisation's ratio"
                } else {
                    ""
                }
            ),
            others
                .iter()
                .all(|d| d.ratio < DEGRADES && bn.is_none_or(|bn| d.ratio < bn.ratio)),
            json!({
                "ratio": ratios(&others),
                "batch_ratio": bn.map(|b| b.ratio),
            }),
        ));
    }
    let per_sample: Vec<&IndependenceCheck> = checks.iter().filter(|c| c.norm != "batch").collect();
    let bn_check = checks.iter().find(|c| c.norm == "batch");
    if !per_sample.is_empty() {
        let largest = per_sample
            .iter()
            .map(|c| c.max_difference)
            .fold(0.0, f64::max);
        let names: Vec<&str> = per_sample.iter().map(|c| c.norm.as_str()).collect();
        claims.push(Claim::new(
            format!(
                "{} give each sample the same outputs alone as inside a batch of {} (to \
                 rounding, ≤ {ROUNDING:e}){}",
                names.join(", "),
                options.probe,
                if bn_check.is_some() {
                    "; batch normalisation does not"
                } else {
                    ""
                }
            ),
            largest <= ROUNDING && bn_check.is_none_or(|c| c.max_difference > ROUNDING),
            json!({
                "max_difference": per_sample
                    .iter()
                    .map(|c| (c.norm.clone(), json!(c.max_difference)))
                    .collect::<serde_json::Map<_, _>>(),
                "batch_max_difference": bn_check.map(|c| c.max_difference),
            }),
        ));
    }
    claims
}

impl fmt::Display for NormsReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Normalisations against the batch size: {} hidden ReLU layers of {} units on the \
             digits (N = {}), group: {} groups, instance: {} channels; heavy_ball μ = {}, \
             η_B = {}·B/{REFERENCE_BATCH}, {} epochs at every B (the same samples seen); {} seeds",
            o.depth,
            o.width,
            self.samples,
            o.groups,
            o.channels,
            o.momentum,
            o.lr,
            o.epochs,
            o.seeds
        )?;
        writeln!(
            out,
            "mean final training loss (epochs to loss ≤ {}, seed 0; – never):",
            o.target
        )?;
        write!(out, "{:<10}", "norm")?;
        for b in &o.batch_sizes {
            write!(out, " {:>18}", format!("B = {b}"))?;
        }
        writeln!(out, " {:>12}", "degradation")?;
        for (name, d) in o.norms.iter().zip(&self.degradation) {
            write!(out, "{name:<10}")?;
            for c in self.cells_of(name) {
                let epochs = c
                    .epochs_to_target
                    .first()
                    .copied()
                    .flatten()
                    .map_or("–".to_string(), |e| format!("{e:.2}"));
                write!(
                    out,
                    " {:>18}",
                    format!("{:.4} ({epochs})", c.mean_final_loss)
                )?;
            }
            writeln!(out, " {:>12}", format!("×{:.2}", d.ratio))?;
        }
        writeln!(
            out,
            "batch independence (outputs alone vs in one batch, largest difference):"
        )?;
        for c in &self.independence {
            writeln!(
                out,
                "  {:<10} {:.3e} over {} samples",
                c.norm, c.max_difference, c.samples
            )?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_samples_are_seen_at_every_batch_size() {
        let o = NormsOptions::default();
        let (a, b) = (o.sgd(2, 1438), o.sgd(128, 1438));
        assert_eq!(a.steps, 10 * 719);
        assert_eq!(b.steps, 10 * 12);
        assert!((a.lr - 0.02 / 16.0).abs() < 1e-15 && (b.lr - 0.08).abs() < 1e-15);
        assert_eq!(b.eval_every, 3);
    }
}
