//! Pre-training as initialisation (Erhan et al. 2010, "Why does unsupervised
//! pre-training help deep learning?"; here supervised, on another task): a network
//! trained first on one task starts the training of another from a better place than a
//! random initialisation.
//!
//! # The tasks
//! The 8×8 digits (`data = "digits"`: 1,438 training and 359 test images, inputs
//! standardised with the statistics of the whole training set) split by label: the
//! **pre-training task** is digits 0–4, the **fine-tuning task** digits 5–9 (the
//! images of each task from the training and test sets respectively). Both tasks use the
//! same network, `depth` hidden layers of `width` units (`activation`, default relu), with
//! the 10 outputs and softmax cross-entropy of the full problem.
//!
//! # The two starts, per seed
//! Start i draws s from `random::stream(seed, i)` and θ₀ = `Mlp::initialise(init, s)`
//! (`init` default `kaiming_normal`, fan-in):
//! - **from scratch**: fine-tune from θ₀;
//! - **pre-trained**: train θ₀ on digits 0–4 for `pretrain_steps`, keep its hidden
//!   layers and **re-initialise the output layer** (W_{L+1}, b_{L+1} as in θ₀), then
//!   fine-tune from there. The two starts differ only in the hidden layers.
//!
//! Every training run (pre-training and both fine-tunings) is SGD with momentum
//! (`heavy_ball`, torch's form) with step `lr` and momentum `momentum` on minibatches of
//! `batch_size` (shuffled with a seed drawn from the same stream; both fine-tunings of a
//! start see the same batches), with the full-batch training loss and the test accuracy
//! every `eval_every` steps ([`Curve`]).
//!
//! # What is measured
//! Per start and arm: the first evaluated step whose full-batch training loss on 5–9 is
//! at most `target` (censored when never within `steps`), the final training loss and
//! the final test accuracy on the test digits 5–9. Summaries: the median steps to the
//! target (a censored run counts as +∞), the mean final test accuracy, and how many
//! starts each arm wins.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{network, widths, Curve};
use crate::error::{Error, Result};
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions};
use crate::problems::mlp::data::Dataset;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// Options of [`pretraining`]; the field names are the flags of `landscape experiment
/// pretraining`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PretrainingOptions {
    /// Hidden layers (≥ 1). Default 4.
    pub depth: usize,
    /// Units per hidden layer (≥ 1). Default 64.
    pub width: usize,
    /// Activation of the hidden layers. Default relu.
    pub activation: String,
    /// The initialisation scheme of θ₀ (`init:` syntax). Default kaiming_normal.
    pub init: String,
    /// Steps of pre-training on digits 0–4 (≥ 1). Default 300.
    pub pretrain_steps: usize,
    /// Steps of fine-tuning on digits 5–9 (≥ 1). Default 300.
    pub steps: usize,
    /// SGD step η. Default 0.02.
    pub lr: f64,
    /// Momentum μ. Default 0.9.
    pub momentum: f64,
    /// Minibatch size (≥ 1). Default 64.
    pub batch_size: usize,
    /// Full-batch evaluations every this many steps (≥ 1). Default 10.
    pub eval_every: usize,
    /// The target training loss on digits 5–9 (finite, > 0). Default 0.05.
    pub target: f64,
    /// Seeded starts (≥ 1). Default 6.
    pub seeds: usize,
    /// The seed. Default 0.
    pub seed: u64,
}

impl Default for PretrainingOptions {
    fn default() -> Self {
        PretrainingOptions {
            depth: 4,
            width: 64,
            activation: "relu".into(),
            init: "kaiming_normal".into(),
            pretrain_steps: 300,
            steps: 300,
            lr: 0.02,
            momentum: 0.9,
            batch_size: 64,
            eval_every: 10,
            target: 0.05,
            seeds: 6,
            seed: 0,
        }
    }
}

impl PretrainingOptions {
    /// The `--quick` size: 2 starts of a 2-layer, 16-unit network, 60 steps each.
    pub fn quick() -> Self {
        PretrainingOptions {
            depth: 2,
            width: 16,
            pretrain_steps: 60,
            steps: 60,
            lr: 0.05,
            target: 0.3,
            seeds: 2,
            ..PretrainingOptions::default()
        }
    }

    /// Rejects sizes of 0, a non-finite target, a non-positive step; errors name the
    /// flag.
    pub fn validate(&self) -> Result<()> {
        for (flag, v) in [
            ("depth", self.depth),
            ("width", self.width),
            ("pretrain-steps", self.pretrain_steps),
            ("steps", self.steps),
            ("batch-size", self.batch_size),
            ("eval-every", self.eval_every),
            ("seeds", self.seeds),
        ] {
            if v == 0 {
                return Err(Error::invalid(flag, "an integer ≥ 1", v));
            }
        }
        if !(self.target.is_finite() && self.target > 0.0) {
            return Err(Error::invalid(
                "target",
                "a positive finite loss",
                self.target,
            ));
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
        Ok(())
    }
}

/// One arm's fine-tuning from one start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FineTuning {
    /// The first evaluated step with training loss ≤ target (`None`: not within the
    /// steps).
    pub steps_to_target: Option<usize>,
    /// The last full-batch training loss on digits 5–9.
    pub final_train_loss: f64,
    /// The last test accuracy on digits 5–9.
    pub final_test_accuracy: f64,
    /// The evaluations.
    pub curve: Curve,
}

/// One start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartResult {
    /// The start's index i.
    pub start: usize,
    /// Pre-training's final training loss on digits 0–4.
    pub pretrain_loss: f64,
    /// Pre-training's final test accuracy on digits 0–4.
    pub pretrain_test_accuracy: f64,
    /// Fine-tuning from the pre-trained hidden layers.
    pub pretrained: FineTuning,
    /// Fine-tuning from θ₀.
    pub scratch: FineTuning,
}

/// One arm over the starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// Median steps to the target, censored runs as +∞ (`None` when half or more are
    /// censored).
    pub median_steps_to_target: Option<f64>,
    /// Starts that reached the target.
    pub reached: usize,
    /// Mean final training loss.
    pub mean_final_train_loss: f64,
    /// Mean final test accuracy.
    pub mean_final_test_accuracy: f64,
}

/// The report (the JSON of `landscape experiment pretraining`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PretrainingReport {
    /// What ran.
    pub options: PretrainingOptions,
    /// Training and test images of each task: (pre-train train, pre-train test,
    /// fine-tune train, fine-tune test).
    pub samples: [usize; 4],
    /// Every start.
    pub starts: Vec<StartResult>,
    /// The pre-trained arm.
    pub pretrained: ArmSummary,
    /// The scratch arm.
    pub scratch: ArmSummary,
    /// Starts where the pre-trained arm reached the target strictly sooner (a censored
    /// run counting as never).
    pub pretrained_faster: usize,
    /// Starts where its final test accuracy is at least the scratch arm's.
    pub pretrained_at_least_as_accurate: usize,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// The two tasks: networks on digits 0–4 and on digits 5–9 of the same architecture.
pub fn tasks(options: &PretrainingOptions) -> Result<(Mlp, Mlp)> {
    let full = network(&[
        ("data", "digits".into()),
        ("widths", widths(options.depth, options.width)),
        ("activation", options.activation.as_str().into()),
    ])?;
    let test = full.test().expect("digits hold out a test set");
    let task = |keep: fn(usize) -> bool| {
        Mlp::new(
            full.architecture().clone(),
            subset(full.train(), keep),
            Some(subset(test, keep)),
        )
    };
    Ok((task(|c| c < 5), task(|c| c >= 5)))
}

/// The samples of `data` whose label passes `keep`.
fn subset(data: &Dataset, keep: fn(usize) -> bool) -> Dataset {
    let labels = data.labels.as_deref().unwrap_or(&[]);
    let rows: Vec<usize> = (0..data.samples).filter(|&i| keep(labels[i])).collect();
    data.select(&rows)
}

/// Runs the experiment.
pub fn pretraining(options: &PretrainingOptions) -> Result<PretrainingReport> {
    pretraining_with_progress(options, &Silent)
}

/// [`pretraining`], telling `progress` of each training run done (task `pretraining`,
/// three per start).
pub fn pretraining_with_progress(
    options: &PretrainingOptions,
    progress: &dyn Progress,
) -> Result<PretrainingReport> {
    options.validate()?;
    let (pre, fine) = tasks(options)?;
    // An unknown scheme fails here (field `init`), before any training.
    pre.initialise(&options.init, 0)?;
    progress.start("pretraining", 3 * options.seeds as u64);
    let starts: Vec<StartResult> = (0..options.seeds)
        .into_par_iter()
        .map(|i| one_start(options, &pre, &fine, i, progress))
        .collect::<Result<_>>()?;
    progress.finish();
    let count = |d: &Dataset| d.samples;
    let samples = [
        count(pre.train()),
        pre.test().map_or(0, count),
        count(fine.train()),
        fine.test().map_or(0, count),
    ];
    let pretrained = summarise(starts.iter().map(|s| &s.pretrained));
    let scratch = summarise(starts.iter().map(|s| &s.scratch));
    let never = |f: &FineTuning| f.steps_to_target.unwrap_or(usize::MAX);
    let pretrained_faster = starts
        .iter()
        .filter(|s| never(&s.pretrained) < never(&s.scratch))
        .count();
    let pretrained_at_least_as_accurate = starts
        .iter()
        .filter(|s| s.pretrained.final_test_accuracy >= s.scratch.final_test_accuracy)
        .count();
    let steps = |arm: fn(&StartResult) -> &FineTuning| -> Vec<Option<usize>> {
        starts.iter().map(|s| arm(s).steps_to_target).collect()
    };
    let faster = match (
        pretrained.median_steps_to_target,
        scratch.median_steps_to_target,
    ) {
        (Some(p), Some(s)) => p < s,
        (Some(_), None) => true,
        _ => false,
    };
    let claims = vec![
        Claim::new(
            format!(
                "Pre-training on digits 0–4 is a better initialisation for digits 5–9: \
                 fine-tuning reaches training loss {} in fewer steps than {} from scratch",
                options.target, options.init
            ),
            faster,
            json!({
                "median_steps_pretrained": pretrained.median_steps_to_target,
                "median_steps_scratch": scratch.median_steps_to_target,
                "steps_pretrained": steps(|s| &s.pretrained),
                "steps_scratch": steps(|s| &s.scratch),
                "starts_pretrained_faster": pretrained_faster,
                "starts": options.seeds,
            }),
        ),
        Claim::new(
            "…and the fine-tuned network generalises at least as well: mean final test \
             accuracy on digits 5–9 no lower than from scratch",
            pretrained.mean_final_test_accuracy >= scratch.mean_final_test_accuracy,
            json!({
                "mean_test_accuracy_pretrained": pretrained.mean_final_test_accuracy,
                "mean_test_accuracy_scratch": scratch.mean_final_test_accuracy,
                "starts_pretrained_at_least_as_accurate": pretrained_at_least_as_accurate,
                "starts": options.seeds,
            }),
        ),
    ];
    Ok(PretrainingReport {
        options: options.clone(),
        samples,
        starts,
        pretrained,
        scratch,
        pretrained_faster,
        pretrained_at_least_as_accurate,
        claims,
    })
}

/// Pre-training, then both fine-tunings, from start i.
fn one_start(
    options: &PretrainingOptions,
    pre: &Mlp,
    fine: &Mlp,
    i: usize,
    progress: &dyn Progress,
) -> Result<StartResult> {
    let mut rng = stream(options.seed, i as u64);
    let init_seed: u64 = rng.random();
    let pretrain_batches: u64 = rng.random();
    let fine_batches: u64 = rng.random();
    let theta0 = pre.initialise(&options.init, init_seed)?;
    let pretrained_run = train(
        options,
        pre,
        &theta0,
        options.pretrain_steps,
        pretrain_batches,
    )?;
    progress.advance(1);
    let pre_curve = Curve::of(&pretrained_run);
    let mut start = pretrained_run.final_state.x;
    // Re-initialise the output layer: its weights and bias as in θ₀.
    let out = pre
        .architecture()
        .layers
        .last()
        .expect("a network has an output layer");
    let dims = &pre.architecture().dims;
    let (q, n) = (dims[dims.len() - 1], dims[dims.len() - 2]);
    start[out.w..out.w + q * n].copy_from_slice(&theta0[out.w..out.w + q * n]);
    if let Some(b) = out.b {
        start[b..b + q].copy_from_slice(&theta0[b..b + q]);
    }
    let pretrained = fine_tune(options, fine, &start, fine_batches)?;
    progress.advance(1);
    let scratch = fine_tune(options, fine, &theta0, fine_batches)?;
    progress.advance(1);
    Ok(StartResult {
        start: i,
        pretrain_loss: pre_curve.final_loss(),
        pretrain_test_accuracy: pre_curve.final_accuracy().unwrap_or(f64::NAN),
        pretrained,
        scratch,
    })
}

/// SGD with momentum on minibatches, evaluated every `eval_every` steps.
fn train(
    options: &PretrainingOptions,
    f: &Mlp,
    x0: &[f64],
    steps: usize,
    batch_seed: u64,
) -> Result<optim::Trajectory> {
    let hp = Hyperparameters::new()
        .with("lr", options.lr)
        .with("momentum", options.momentum);
    let mut sgd = optim::build("heavy_ball", &hp)?;
    let run = RunOptions {
        max_iters: steps,
        grad_tol: 1e-300,
        record_every: options.eval_every,
        minibatch: Some(Minibatch {
            batch_size: options.batch_size,
            seed: batch_seed,
        }),
        eval_every: Some(options.eval_every),
        ..RunOptions::default()
    };
    optim::run(f, sgd.as_mut(), x0, &run)
}

fn fine_tune(
    options: &PretrainingOptions,
    f: &Mlp,
    x0: &[f64],
    batch_seed: u64,
) -> Result<FineTuning> {
    let curve = Curve::of(&train(options, f, x0, options.steps, batch_seed)?);
    Ok(FineTuning {
        steps_to_target: curve.steps_to(options.target),
        final_train_loss: curve.final_loss(),
        final_test_accuracy: curve.final_accuracy().unwrap_or(f64::NAN),
        curve,
    })
}

fn summarise<'a>(runs: impl Iterator<Item = &'a FineTuning>) -> ArmSummary {
    let runs: Vec<&FineTuning> = runs.collect();
    let n = runs.len();
    let mut steps: Vec<f64> = runs
        .iter()
        .map(|r| r.steps_to_target.map_or(f64::INFINITY, |s| s as f64))
        .collect();
    steps.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        steps[n / 2]
    } else {
        0.5 * (steps[n / 2 - 1] + steps[n / 2])
    };
    let mean = |v: fn(&FineTuning) -> f64| runs.iter().map(|r| v(r)).sum::<f64>() / n as f64;
    ArmSummary {
        median_steps_to_target: Some(median).filter(|m| m.is_finite()),
        reached: runs.iter().filter(|r| r.steps_to_target.is_some()).count(),
        mean_final_train_loss: mean(|r| r.final_train_loss),
        mean_final_test_accuracy: mean(|r| r.final_test_accuracy),
    }
}

impl std::fmt::Display for PretrainingReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Pre-training as initialisation: {} hidden layers of {} {} units, 10 outputs; \
             pre-train on digits 0–4 ({} train / {} test images) for {} steps, re-initialise \
             the output layer, fine-tune on digits 5–9 ({} / {}) for {} steps; against {} \
             from scratch",
            o.depth,
            o.width,
            o.activation,
            self.samples[0],
            self.samples[1],
            o.pretrain_steps,
            self.samples[2],
            self.samples[3],
            o.steps,
            o.init
        )?;
        writeln!(
            out,
            "SGD with momentum η = {}, μ = {}, batches of {}, evaluated every {} steps; \
             {} starts (seed {}); target training loss {}",
            o.lr, o.momentum, o.batch_size, o.eval_every, o.seeds, o.seed, o.target
        )?;
        writeln!(
            out,
            "{:>6} {:>13} {:>12} | {:>14} {:>11} {:>9} | {:>14} {:>11} {:>9}",
            "start",
            "pre loss 0–4",
            "pre acc 0–4",
            "pre: steps",
            "train loss",
            "test acc",
            "scratch: steps",
            "train loss",
            "test acc"
        )?;
        let steps = |s: Option<usize>| s.map_or(format!(">{}", o.steps), |s| s.to_string());
        for s in &self.starts {
            writeln!(
                out,
                "{:>6} {:>13.4e} {:>11.2}% | {:>14} {:>11.4e} {:>8.2}% | {:>14} {:>11.4e} {:>8.2}%",
                s.start,
                s.pretrain_loss,
                100.0 * s.pretrain_test_accuracy,
                steps(s.pretrained.steps_to_target),
                s.pretrained.final_train_loss,
                100.0 * s.pretrained.final_test_accuracy,
                steps(s.scratch.steps_to_target),
                s.scratch.final_train_loss,
                100.0 * s.scratch.final_test_accuracy,
            )?;
        }
        let median = |m: Option<f64>| m.map_or("censored".into(), |m| format!("{m}"));
        for (name, arm) in [
            ("pre-trained", &self.pretrained),
            ("scratch", &self.scratch),
        ] {
            writeln!(
                out,
                "{name:>12}: median steps to loss ≤ {} {} ({} of {} reached), mean final \
                 train loss {:.4e}, mean test accuracy {:.2}%",
                o.target,
                median(arm.median_steps_to_target),
                arm.reached,
                o.seeds,
                arm.mean_final_train_loss,
                100.0 * arm.mean_final_test_accuracy
            )?;
        }
        writeln!(out)?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::Objective;

    #[test]
    fn the_tasks_split_the_digits_by_label() {
        let (pre, fine) = tasks(&PretrainingOptions::quick()).unwrap();
        assert_eq!(pre.dim(), fine.dim());
        let labels = |m: &Mlp| m.train().labels.clone().unwrap();
        assert!(labels(&pre).iter().all(|&c| c < 5));
        assert!(labels(&fine).iter().all(|&c| c >= 5));
        let total = pre.train().samples + fine.train().samples;
        let held_out = pre.test().unwrap().samples + fine.test().unwrap().samples;
        assert_eq!(total + held_out, 1797);
        assert_eq!(held_out, 359);
    }
}
