//! He et al. (2015), "Delving deep into rectifiers": Kaiming initialisation lets a deep
//! ReLU network without normalisation train where Xavier initialisation stalls.
//!
//! # The argument
//! A hidden layer Zₗ = Aₗ₋₁Wₗᵀ with independent zero-mean weights of variance σ² and
//! Aₗ₋₁ = ReLU(Zₗ₋₁) with Zₗ₋₁ symmetric has Var(Zₗ) = nₗ₋₁σ²·E[ReLU(z)²] =
//! ½nₗ₋₁σ²·Var(Zₗ₋₁). Per layer the forward signal's variance is multiplied by
//! ½·fan_in·σ², and the backward signal's likewise by ½·fan_out·σ². Xavier
//! (Glorot & Bengio 2010) takes σ² = 2/(fan_in + fan_out), i.e. 1/n on a square layer:
//! the factor is ½, and after L layers the signal has shrunk by 2^{−L} (2⁻³⁰ ≈ 10⁻⁹ in
//! variance at depth 30): the logits are the output bias plus almost nothing, the loss
//! sits at the entropy of the class frequencies (≈ ln 10 on the digits), and the
//! gradient reaching the first layers is as small. Kaiming takes σ² = 2/fan_in: the
//! factor is 1 and the signal keeps its size at any depth.
//!
//! # What is measured
//! A network of `depth` hidden ReLU layers of `width` units, biases, no normalisation, on
//! the digits (cross-entropy), trained by SGD with momentum (`heavy_ball`) at one learning
//! rate for both initialisations (`xavier_normal`, `kaiming_normal`), for `seeds` seeds
//! (seed i: the initial weights and the minibatch order from `random::stream(seed, i)`,
//! the same for both initialisations). Per run: the training loss and test accuracy every
//! `eval_every` steps ([`Curve`]) and, at the start, the activation variance of every
//! hidden layer and ‖∂f/∂W‖ of the first and last layer ([`Mlp::layer_report`]); from the
//! variances the per-layer factor (Var A_L / Var A₁)^{1/(L−1)} (predicted ½ for Xavier,
//! 1 for Kaiming).
//!
//! A run *trains* when its training loss reaches half of ln 10 at some evaluation
//! (deep networks without normalisation train unstably: the final loss, which can spike
//! back up, is reported beside it), and *stays near ln 10* when its training loss never
//! falls more than 10% below ln 10; its *plateau* is the first evaluated step with a loss
//! 10% below ln 10 (none: it never left). Runs are
//! independent and run in parallel (rayon), collected in order: the report is the same
//! on any thread count.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{network, widths, Curve};
use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::objective::Objective;
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions, Trajectory};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// ln 10: the cross-entropy of a uniform guess among the digits' ten classes.
pub const LN_10: f64 = std::f64::consts::LN_10;

/// A run trains when its training loss reaches this fraction of ln 10.
pub const TRAINS_BELOW: f64 = 0.5;

/// A run stays near ln 10 when its loss never falls below this fraction of ln 10.
pub const NEAR_LN_10: f64 = 0.9;

/// SGD with momentum on minibatches, as every deep-training run of this module and of
/// [`super::init`] uses it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sgd {
    /// Steps (minibatch updates).
    pub steps: usize,
    /// Learning rate η.
    pub lr: f64,
    /// Momentum μ (torch's form: v ← μv + g, θ ← θ − ηv).
    pub momentum: f64,
    /// Minibatch size.
    pub batch_size: usize,
    /// Full-batch evaluation (training loss, test accuracy) every this many steps.
    pub eval_every: usize,
}

impl Sgd {
    /// Checks the settings; errors name the field (`steps`, `lr`, `momentum`,
    /// `batch_size`, `eval_every`).
    pub fn validate(&self) -> Result<()> {
        if self.steps == 0 {
            return Err(Error::invalid("steps", "an integer ≥ 1", 0));
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
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "an integer ≥ 1", 0));
        }
        if self.eval_every == 0 {
            return Err(Error::invalid("eval_every", "an integer ≥ 1", 0));
        }
        Ok(())
    }

    /// Rejects a minibatch larger than the `samples` training samples (field
    /// `batch_size`; the run loop would silently use all of them).
    pub fn check_batch_size(&self, samples: usize) -> Result<()> {
        if self.batch_size > samples {
            return Err(Error::invalid(
                "batch_size",
                format!("at most the {samples} training samples"),
                self.batch_size,
            ));
        }
        Ok(())
    }

    /// Trains `f` from `x0`, minibatches drawn from `batch_seed`. A run whose loss turns
    /// non-finite ends there (the run loop's termination); its curve stops with it.
    pub fn train(&self, f: &dyn Objective, x0: &[f64], batch_seed: u64) -> Result<Trajectory> {
        let hp = Hyperparameters::new()
            .with("lr", self.lr)
            .with("momentum", self.momentum);
        let mut optimizer = optim::build("heavy_ball", &hp)?;
        let options = RunOptions {
            max_iters: self.steps,
            // Never stop on a small gradient: a plateau is what is measured.
            grad_tol: f64::MIN_POSITIVE,
            record_every: self.steps,
            minibatch: Some(Minibatch {
                batch_size: self.batch_size,
                seed: batch_seed,
            }),
            eval_every: Some(self.eval_every),
            ..RunOptions::default()
        };
        optim::run(f, optimizer.as_mut(), x0, &options)
    }
}

/// Options of [`kaiming`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KaimingOptions {
    /// Hidden layers L (default 30).
    pub depth: usize,
    /// Units per hidden layer (default 64).
    pub width: usize,
    /// Seeds per initialisation (default 3).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
    /// The training (default 1,000 steps of batch 64, η = 0.005, μ = 0.9, evaluated
    /// every 25 steps).
    pub sgd: Sgd,
}

impl Default for KaimingOptions {
    fn default() -> Self {
        KaimingOptions {
            depth: 30,
            width: 64,
            seeds: 3,
            seed: 0,
            sgd: Sgd {
                steps: 1000,
                lr: 0.005,
                momentum: 0.9,
                batch_size: 64,
                eval_every: 25,
            },
        }
    }
}

impl KaimingOptions {
    /// The `--quick` size: 12 layers of 32 units, 2 seeds, 300 steps.
    pub fn quick() -> Self {
        let mut o = KaimingOptions {
            depth: 12,
            width: 32,
            seeds: 2,
            ..KaimingOptions::default()
        };
        o.sgd.steps = 300;
        o.sgd.eval_every = 25;
        o
    }

    /// Checks the options; errors name the field (`depth`, `width`, `seeds`, and
    /// [`Sgd::validate`]'s).
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("seeds", self.seeds),
        ])?;
        self.sgd.validate()
    }
}

/// The two initialisations compared.
pub const SCHEMES: [&str; 2] = ["xavier_normal", "kaiming_normal"];

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KaimingRun {
    /// `xavier_normal` or `kaiming_normal`.
    pub initialisation: String,
    /// The seed index i (stream i of the seed).
    pub seed_index: usize,
    /// Activation variance of hidden layers 1…L at the start.
    pub activation_variance: Vec<f64>,
    /// (Var A_L / Var A₁)^{1/(L−1)} at the start (1 for L = 1).
    pub variance_factor: f64,
    /// ‖∂f/∂W₁‖ at the start (full batch).
    pub first_layer_grad: f64,
    /// ‖∂f/∂W_{L+1}‖ at the start.
    pub last_layer_grad: f64,
    /// Training loss and test accuracy along the run.
    pub curve: Curve,
    /// The lowest training loss evaluated.
    pub min_loss: f64,
    /// The first evaluated step with a training loss ≤ 0.9 ln 10 (none: never).
    pub plateau: Option<usize>,
    /// The training loss reached ½ ln 10.
    pub trains: bool,
    /// Training loss never below 0.9 ln 10.
    pub near_ln_10: bool,
    /// How the run ended (`max_iters`, or a numerical failure).
    pub termination: String,
}

/// The report (the JSON of `landscape experiment kaiming`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KaimingReport {
    /// The options.
    pub options: KaimingOptions,
    /// Parameters of the network.
    pub parameters: usize,
    /// ln 10.
    pub ln_10: f64,
    /// Every run: Xavier's seeds, then Kaiming's.
    pub runs: Vec<KaimingRun>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// Runs the comparison.
///
/// Errors: invalid options (naming the field).
pub fn kaiming(options: &KaimingOptions) -> Result<KaimingReport> {
    kaiming_with_progress(options, &Silent)
}

/// [`kaiming`], telling `progress` of each finished run (task `kaiming`).
pub fn kaiming_with_progress(
    options: &KaimingOptions,
    progress: &dyn Progress,
) -> Result<KaimingReport> {
    options.validate()?;
    let f = network(&[
        ("data", "digits".into()),
        ("widths", widths(options.depth, options.width)),
        ("activation", "relu".into()),
    ])?;
    let jobs: Vec<(usize, usize)> = (0..SCHEMES.len())
        .flat_map(|s| (0..options.seeds).map(move |i| (s, i)))
        .collect();
    progress.start("kaiming", jobs.len() as u64);
    let runs = jobs
        .par_iter()
        .map(|&(s, i)| {
            let r = one_run(&f, SCHEMES[s], i, options);
            progress.advance(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let claims = claims(&runs, options);
    Ok(KaimingReport {
        options: options.clone(),
        parameters: crate::objective::Objective::dim(&f),
        ln_10: LN_10,
        runs,
        claims,
    })
}

/// The seeds of run i: (initial weights, minibatch order), from `stream(seed, i)`.
pub fn run_seeds(seed: u64, i: usize) -> (u64, u64) {
    use rand::Rng;
    let mut rng = stream(seed, i as u64);
    (rng.random(), rng.random())
}

fn one_run(f: &Mlp, scheme: &str, i: usize, options: &KaimingOptions) -> Result<KaimingRun> {
    let (init_seed, batch_seed) = run_seeds(options.seed, i);
    let x0 = f.initialise(scheme, init_seed)?;
    let start = f.layer_report(&x0);
    let hidden = &start.layers[..start.layers.len() - 1];
    let activation_variance: Vec<f64> = hidden.iter().map(|l| l.activation_variance).collect();
    let variance_factor = per_layer_factor(&activation_variance);
    let t = options.sgd.train(f, &x0, batch_seed)?;
    let curve = Curve::of(&t);
    let min_loss = curve
        .train_loss
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    Ok(KaimingRun {
        initialisation: scheme.to_string(),
        seed_index: i,
        variance_factor,
        first_layer_grad: start.layers[0].grad_weight_norm,
        last_layer_grad: start.layers[start.layers.len() - 1].grad_weight_norm,
        activation_variance,
        min_loss,
        plateau: curve.steps_to(NEAR_LN_10 * LN_10),
        trains: min_loss <= TRAINS_BELOW * LN_10,
        near_ln_10: min_loss >= NEAR_LN_10 * LN_10,
        termination: t.termination.as_str().to_string(),
        curve,
    })
}

/// (v_last / v_first)^{1/(n−1)}: the geometric mean factor per layer (1 for one layer).
pub fn per_layer_factor(v: &[f64]) -> f64 {
    match v {
        [first, .., last] => (last / first).powf(1.0 / (v.len() - 1) as f64),
        _ => 1.0,
    }
}

fn claims(runs: &[KaimingRun], options: &KaimingOptions) -> Vec<Claim> {
    let of = |scheme: &str| -> Vec<&KaimingRun> {
        runs.iter().filter(|r| r.initialisation == scheme).collect()
    };
    let (xavier, he) = (of(SCHEMES[0]), of(SCHEMES[1]));
    let finals =
        |rs: &[&KaimingRun]| -> Vec<f64> { rs.iter().map(|r| r.curve.final_loss()).collect() };
    let accuracies = |rs: &[&KaimingRun]| -> Vec<Option<f64>> {
        rs.iter().map(|r| r.curve.final_accuracy()).collect()
    };
    let factors =
        |rs: &[&KaimingRun]| -> Vec<f64> { rs.iter().map(|r| r.variance_factor).collect() };
    let depth = options.depth;
    vec![
        Claim::new(
            format!(
                "Per ReLU layer the forward variance is multiplied by ½·fan_in·σ²: ½ under \
                 Xavier, 1 under Kaiming (measured over the {depth} hidden layers at the start)"
            ),
            depth >= 2
                && xavier
                    .iter()
                    .all(|r| (0.4..=0.6).contains(&r.variance_factor))
                && he.iter().all(|r| (0.8..=1.25).contains(&r.variance_factor)),
            json!({
                "xavier_factor": factors(&xavier),
                "kaiming_factor": factors(&he),
                "predicted": [0.5, 1.0],
                "accepted": [[0.4, 0.6], [0.8, 1.25]],
            }),
        ),
        Claim::new(
            format!(
                "With Xavier initialisation a {depth}-layer ReLU network does not train: its \
                 training loss stays near ln 10 (never 10% below) on every seed"
            ),
            xavier.iter().all(|r| r.near_ln_10),
            json!({
                "ln_10": LN_10,
                "min_loss": xavier.iter().map(|r| r.min_loss).collect::<Vec<_>>(),
                "final_loss": finals(&xavier),
                "final_test_accuracy": accuracies(&xavier),
            }),
        ),
        Claim::new(
            format!(
                "With Kaiming initialisation the same network, at the same learning rate \
                 {}, trains: its training loss reaches ½ ln 10 on every seed",
                options.sgd.lr
            ),
            he.iter().all(|r| r.trains),
            json!({
                "min_loss": he.iter().map(|r| r.min_loss).collect::<Vec<_>>(),
                "final_loss": finals(&he),
                "final_test_accuracy": accuracies(&he),
                "threshold": TRAINS_BELOW * LN_10,
            }),
        ),
        Claim::new(
            "Xavier's plateau at ln 10 outlasts Kaiming's on every seed (steps until the loss \
             is 10% below ln 10; never = longer than the run)",
            xavier.iter().zip(&he).all(|(x, k)| {
                let steps = |r: &KaimingRun| r.plateau.map_or(f64::INFINITY, |p| p as f64);
                steps(x) > steps(k)
            }),
            json!({
                "xavier_plateau": xavier.iter().map(|r| r.plateau).collect::<Vec<_>>(),
                "kaiming_plateau": he.iter().map(|r| r.plateau).collect::<Vec<_>>(),
                "steps": options.sgd.steps,
            }),
        ),
    ]
}

impl fmt::Display for KaimingReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "He et al. 2015: {} hidden ReLU layers of {} units ({} parameters), no \
             normalisation, digits; heavy_ball η = {}, μ = {}, batch {}, {} steps; {} seeds",
            o.depth,
            o.width,
            self.parameters,
            o.sgd.lr,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.seeds
        )?;
        writeln!(
            out,
            "{:<15} {:>4} {:>10} {:>11} {:>11} {:>8} {:>8} {:>8} {:>8} {:>9}  end",
            "init",
            "seed",
            "var factor",
            "‖∇W₁‖₀",
            "‖∇W_out‖₀",
            "loss₀",
            "plateau",
            "min loss",
            "loss_T",
            "test acc"
        )?;
        for r in &self.runs {
            let acc = r
                .curve
                .final_accuracy()
                .map_or("–".to_string(), |a| format!("{:.1}%", 100.0 * a));
            writeln!(
                out,
                "{:<15} {:>4} {:>10.3} {:>11.3e} {:>11.3e} {:>8.4} {:>8} {:>8.4} {:>8.4} {:>9}  {}",
                r.initialisation,
                r.seed_index,
                r.variance_factor,
                r.first_layer_grad,
                r.last_layer_grad,
                r.curve.train_loss.first().copied().unwrap_or(f64::NAN),
                r.plateau
                    .map_or(format!(">{}", o.sgd.steps), |p| p.to_string()),
                r.min_loss,
                r.curve.final_loss(),
                acc,
                r.termination
            )?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}
