//! Santurkar, Tsipras, Ilyas & Madry (2018), "How does batch normalization help
//! optimization?": batch normalisation makes the landscape smoother along the training
//! path — the loss and its gradient change less along a gradient step, and the gradient
//! is more Lipschitz ("effective β-smoothness").
//!
//! # What is trained
//! The two networks of [`super::batchnorm::network_pair`] (default 8 hidden ReLU layers
//! of 64 units on the digits, cross-entropy; plain, and with batch normalisation on every
//! hidden layer) from the same start ([`paired_starts`], seed i = 0 of
//! [`run_seeds`]), trained by the same SGD ([`Sgd`], plain SGD by default, η = 0.1)
//! on the same minibatch order, for `steps` steps.
//!
//! # What is measured
//! At every k-th step t (`every`; t = 0, k, 2k, …), at the iterate θ = θₜ and on the
//! **minibatch Bₜ of that step** (the batch the update from θₜ uses, replayed from the
//! run's seed), with g = ∇f_B(θ) and the steps s = m·η for the multiples m of
//! `step_multiples` (default ½, 1, 1½, …, 4: Santurkar et al.'s [0.05, 0.4] at their
//! η = 0.1):
//! - (a) **loss variation**: max_s f_B(θ − s g) − min_s f_B(θ − s g);
//! - (b) **gradient predictiveness** (the change of the gradient):
//!   max_s ‖∇f_B(θ) − ∇f_B(θ − s g)‖;
//! - (c) **effective β-smoothness**: max_s ‖∇f_B(θ) − ∇f_B(θ − s g)‖ / ‖s g‖;
//! - (d) **λmax and λmin of the exact Hessian** ∇²f(θ) of the full-batch objective, by
//!   restarted Lanczos with exact Hessian-vector products (`crate::spectrum`, one
//!   eigenvalue per end, no symmetry projection, at most `lanczos_hvps` HVPs per point:
//!   the extremes converge first; the HVPs used and the residuals ‖Hv − λv‖ are
//!   reported).
//!
//! With batch normalisation f_B standardises with the statistics of B, f (and so the
//! Hessian of (d)) with those of the whole training set. The summary gives, per
//! quantity, the median along each path and the ratio plain/BN of the medians; the
//! claims are that (a)–(c) and λmax are smaller with BN. λmin is reported beside them:
//! how negative the curvature is, which the smoothness claims do not speak of.
//! Measurements at different points are independent and run in parallel (rayon),
//! collected in order: the report is the same on any thread count.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::batchnorm::{
    as_flag, check_batch_size, network_pair, paired_starts, PairSpec, NAMES, NORMS,
};
use crate::error::{Error, Result};
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd};
use crate::experiments::deep::Curve;
use crate::linalg::{distance, norm};
use crate::objective::{FiniteSum, Objective};
use crate::optim::minibatch::Batches;
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::spectrum::{hessian_spectrum, Method, SpectrumOptions};

/// Options of [`smoothness`]; the field names are the flags of `landscape experiment
/// bn-smoothness`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmoothnessOptions {
    /// The architecture (default 8 hidden ReLU layers of 64, Kaiming-normal).
    pub network: PairSpec,
    /// The training of both networks (default 300 steps of plain SGD, η = 0.1, batch 64,
    /// full-batch evaluations every 10 steps).
    pub sgd: Sgd,
    /// k: measure at every k-th step (default 30).
    pub every: usize,
    /// The steps s = m·η along −g, as multiples m (default 0.5, 1, …, 4).
    pub step_multiples: Vec<f64>,
    /// Most Hessian-vector products of each point's Lanczos run (default 24).
    pub lanczos_hvps: usize,
    /// The seed of the start, the minibatch order and the Lanczos start vectors
    /// (default 0).
    pub seed: u64,
}

impl Default for SmoothnessOptions {
    fn default() -> Self {
        SmoothnessOptions {
            network: PairSpec::default(),
            sgd: Sgd {
                steps: 300,
                lr: 0.1,
                momentum: 0.0,
                batch_size: 64,
                eval_every: 10,
            },
            every: 30,
            step_multiples: (1..=8).map(|i| 0.5 * i as f64).collect(),
            lanczos_hvps: 24,
            seed: 0,
        }
    }
}

impl SmoothnessOptions {
    /// The `--quick` size: 6 hidden layers of 16 units, 60 steps of batch 32, measured
    /// every 20, Lanczos with at most 16 HVPs.
    pub fn quick() -> Self {
        let mut o = SmoothnessOptions {
            network: PairSpec {
                depth: 6,
                width: 16,
                ..PairSpec::default()
            },
            every: 20,
            lanczos_hvps: 16,
            ..SmoothnessOptions::default()
        };
        o.sgd.steps = 60;
        o.sgd.batch_size = 32;
        o
    }

    /// Checks the options; errors name the flag (`depth`, `width`, `steps`, `lr`,
    /// `momentum`, `batch-size`, `eval-every`, `every`, `step-multiples`,
    /// `lanczos-hvps`).
    pub fn validate(&self) -> Result<()> {
        self.network.validate()?;
        self.sgd.validate().map_err(as_flag)?;
        if self.every == 0 {
            return Err(Error::invalid("every", "an integer k ≥ 1", 0));
        }
        if self.step_multiples.is_empty() {
            return Err(Error::invalid(
                "step-multiples",
                "at least one step",
                "none",
            ));
        }
        for &m in &self.step_multiples {
            if !(m.is_finite() && m > 0.0) {
                return Err(Error::invalid(
                    "step-multiples",
                    "positive finite multiples of η",
                    m,
                ));
            }
        }
        if self.lanczos_hvps < 4 {
            return Err(Error::invalid(
                "lanczos-hvps",
                "an integer ≥ 4",
                self.lanczos_hvps,
            ));
        }
        Ok(())
    }
}

/// The measurements at one step of one path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    /// The step t.
    pub step: usize,
    /// f_B(θₜ) on the step's minibatch.
    pub batch_loss: f64,
    /// ‖∇f_B(θₜ)‖.
    pub gradient_norm: f64,
    /// (a) max − min of f_B(θ − s g) over the steps.
    pub loss_variation: f64,
    /// (b) max ‖∇f_B(θ) − ∇f_B(θ − s g)‖.
    pub gradient_change: f64,
    /// (c) max ‖∇f_B(θ) − ∇f_B(θ − s g)‖ / ‖s g‖.
    pub beta_smoothness: f64,
    /// (d) λmax of ∇²f(θ) (full batch).
    pub lambda_max: f64,
    /// λmin of ∇²f(θ).
    pub lambda_min: f64,
    /// The residuals ‖Hv − λv‖ of λmax and λmin.
    pub residuals: [f64; 2],
    /// Hessian-vector products Lanczos used.
    pub hvps: usize,
}

/// One network's path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Path {
    /// `none` or `batch`.
    pub norm: String,
    /// Parameters.
    pub parameters: usize,
    /// The full-batch training loss and test accuracy along the run.
    pub curve: Curve,
    /// How the run ended.
    pub termination: String,
    /// The measurements, t ascending.
    pub points: Vec<PathPoint>,
    /// Hessian-vector products over the path.
    pub hvps: usize,
}

/// One quantity's medians along the two paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// `loss_variation`, `gradient_change`, `beta_smoothness`, `lambda_max`,
    /// `lambda_min`.
    pub quantity: String,
    /// Its median along the plain path.
    pub plain: f64,
    /// Its median along the BN path.
    pub bn: f64,
    /// plain / BN.
    pub ratio: f64,
}

/// The report (the JSON of `landscape experiment bn-smoothness`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmoothnessReport {
    /// What ran.
    pub options: SmoothnessOptions,
    /// The steps s = m·η probed.
    pub steps: Vec<f64>,
    /// The plain path, then the BN path.
    pub paths: Vec<Path>,
    /// Per quantity, the medians and their ratio plain/BN.
    pub ratios: Vec<Ratio>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// The quantities of a point, by name ([`Ratio::quantity`]).
pub const QUANTITIES: [&str; 5] = [
    "loss_variation",
    "gradient_change",
    "beta_smoothness",
    "lambda_max",
    "lambda_min",
];

impl PathPoint {
    /// The value of quantity `q` of [`QUANTITIES`].
    pub fn get(&self, q: usize) -> f64 {
        [
            self.loss_variation,
            self.gradient_change,
            self.beta_smoothness,
            self.lambda_max,
            self.lambda_min,
        ][q]
    }
}

/// Runs the experiment.
pub fn smoothness(options: &SmoothnessOptions) -> Result<SmoothnessReport> {
    smoothness_with_progress(options, &Silent)
}

/// [`smoothness`], telling `progress` of each training run and each measured point (task
/// `bn-smoothness`).
pub fn smoothness_with_progress(
    options: &SmoothnessOptions,
    progress: &dyn Progress,
) -> Result<SmoothnessReport> {
    options.validate()?;
    let pair = network_pair(&options.network)?;
    check_batch_size(options.sgd.batch_size, pair[0].train().samples)?;
    let (init_seed, batch_seed) = run_seeds(options.seed, 0);
    let starts = paired_starts(&pair, &options.network.init, init_seed)?;
    let points_per_path = options.sgd.steps / options.every + 1;
    progress.start("bn-smoothness", 2 * (1 + points_per_path) as u64);
    let trained: Vec<(optim::Trajectory, Vec<Vec<usize>>)> = (0..2)
        .into_par_iter()
        .map(|n| {
            let t = train(&pair[n], &starts[n], options, batch_seed)?;
            progress.advance(1);
            let batches = replay(&pair[n], options, batch_seed, &t);
            Ok((t, batches))
        })
        .collect::<Result<_>>()?;
    let lr = options.sgd.lr;
    let steps: Vec<f64> = options.step_multiples.iter().map(|m| m * lr).collect();
    let lanczos = SpectrumOptions {
        method: Method::Lanczos,
        k: 1,
        project_symmetries: false,
        tol: 1e-6,
        max_hvps: options.lanczos_hvps,
        seed: options.seed,
        ..SpectrumOptions::default()
    };
    let at: Vec<Vec<(usize, &[f64])>> = trained
        .iter()
        .map(|(t, _)| iterates(t, options.every))
        .collect();
    let jobs: Vec<(usize, usize)> = at
        .iter()
        .enumerate()
        .flat_map(|(n, a)| (0..a.len()).map(move |i| (n, i)))
        .collect();
    let points: Vec<PathPoint> = jobs
        .par_iter()
        .map(|&(n, i)| {
            let (step, x) = at[n][i];
            let p = measure(&pair[n], step, x, &trained[n].1[i], &steps, &lanczos);
            progress.advance(1);
            p
        })
        .collect::<Result<_>>()?;
    progress.finish();
    let mut points = points.into_iter();
    let paths: Vec<Path> = trained
        .iter()
        .enumerate()
        .map(|(n, (t, batches))| {
            let points: Vec<PathPoint> = points.by_ref().take(batches.len()).collect();
            Path {
                norm: NORMS[n].to_string(),
                parameters: pair[n].dim(),
                curve: Curve::of(t),
                termination: t.termination.as_str().to_string(),
                hvps: points.iter().map(|p| p.hvps).sum(),
                points,
            }
        })
        .collect();
    let ratios: Vec<Ratio> = QUANTITIES
        .iter()
        .enumerate()
        .map(|(q, name)| {
            let median_of = |p: &Path| median(p.points.iter().map(|x| x.get(q)).collect());
            let (plain, bn) = (median_of(&paths[0]), median_of(&paths[1]));
            Ratio {
                quantity: name.to_string(),
                plain,
                bn,
                ratio: plain / bn,
            }
        })
        .collect();
    let claims = claims(&ratios, &paths, options);
    Ok(SmoothnessReport {
        options: options.clone(),
        steps,
        paths,
        ratios,
        claims,
    })
}

/// Trains `f` from `x0`, recording the iterate every k-th step.
fn train(
    f: &Mlp,
    x0: &[f64],
    options: &SmoothnessOptions,
    batch_seed: u64,
) -> Result<optim::Trajectory> {
    let sgd = &options.sgd;
    let hp = Hyperparameters::new()
        .with("lr", sgd.lr)
        .with("momentum", sgd.momentum);
    let mut optimizer = optim::build("heavy_ball", &hp)?;
    let run = RunOptions {
        max_iters: sgd.steps,
        grad_tol: f64::MIN_POSITIVE,
        record_every: options.every,
        record_iterates: true,
        minibatch: Some(Minibatch {
            batch_size: sgd.batch_size,
            seed: batch_seed,
        }),
        eval_every: Some(sgd.eval_every),
        ..RunOptions::default()
    };
    optim::run(f, optimizer.as_mut(), x0, &run)
}

/// The recorded iterates at the steps t = 0, k, 2k, … (those the run reached).
fn iterates(t: &optim::Trajectory, every: usize) -> Vec<(usize, &[f64])> {
    t.records
        .iter()
        .filter(|r| r.iter % every == 0)
        .filter_map(|r| Some((r.iter, r.x.as_deref()?)))
        .collect()
}

/// The minibatch of each measured step, replayed from the run's seed: step t uses the
/// (t + 1)-th batch of the order, as the run loop draws them.
fn replay(
    f: &Mlp,
    options: &SmoothnessOptions,
    batch_seed: u64,
    t: &optim::Trajectory,
) -> Vec<Vec<usize>> {
    let wanted = iterates(t, options.every);
    let mut batches = Batches::new(
        f.samples(),
        Minibatch {
            batch_size: options.sgd.batch_size,
            seed: batch_seed,
        },
    );
    let mut out = Vec::with_capacity(wanted.len());
    let last = wanted.last().map_or(0, |w| w.0);
    for step in 0..=last {
        let batch = batches.next();
        if step % options.every == 0 {
            out.push(batch.to_vec());
        }
    }
    out
}

/// (a)–(d) at θ on the minibatch `batch` (module doc).
fn measure(
    f: &Mlp,
    step: usize,
    x: &[f64],
    batch: &[usize],
    steps: &[f64],
    lanczos: &SpectrumOptions,
) -> Result<PathPoint> {
    let d = x.len();
    let mut g = vec![0.0; d];
    let batch_loss = f.batch_value_and_gradient(x, batch, &mut g);
    let gradient_norm = norm(&g);
    let (mut y, mut gy) = (vec![0.0; d], vec![0.0; d]);
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut gradient_change, mut beta_smoothness) = (0.0_f64, 0.0_f64);
    for &s in steps {
        for ((yi, xi), gi) in y.iter_mut().zip(x).zip(&g) {
            *yi = xi - s * gi;
        }
        let fy = f.batch_value_and_gradient(&y, batch, &mut gy);
        let change = distance(&g, &gy);
        if !(fy.is_finite() && change.is_finite()) {
            // A step into overflow: the variation is unbounded.
            low = f64::NEG_INFINITY;
            high = f64::INFINITY;
            gradient_change = f64::INFINITY;
            beta_smoothness = f64::INFINITY;
            continue;
        }
        low = low.min(fy);
        high = high.max(fy);
        gradient_change = gradient_change.max(change);
        if gradient_norm > 0.0 {
            beta_smoothness = beta_smoothness.max(change / (s * gradient_norm));
        }
    }
    let spectrum = hessian_spectrum(f, x, lanczos)?;
    let (top, bottom) = (&spectrum.largest[0], &spectrum.smallest[0]);
    Ok(PathPoint {
        step,
        batch_loss,
        gradient_norm,
        loss_variation: high - low,
        gradient_change,
        beta_smoothness,
        lambda_max: top.value,
        lambda_min: bottom.value,
        residuals: [top.residual, bottom.residual],
        hvps: spectrum.hvp_count,
    })
}

/// The median (NaN for none).
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn claims(ratios: &[Ratio], paths: &[Path], o: &SmoothnessOptions) -> Vec<Claim> {
    let statements = [
        "BN's loss varies less along the gradient: the range of f_B(θ − s g) over the steps \
         is smaller (median along the path)",
        "BN's gradient is more predictive: the change ‖∇f_B(θ) − ∇f_B(θ − s g)‖ over the \
         steps is smaller (median along the path)",
        "BN's effective β-smoothness max ‖∇f_B(θ) − ∇f_B(θ − s g)‖/‖s g‖ is smaller (median \
         along the path)",
        "BN's exact Hessian has a smaller top eigenvalue λmax (median along the path)",
    ];
    let series = |q: usize, p: &Path| -> Vec<f64> { p.points.iter().map(|x| x.get(q)).collect() };
    statements
        .iter()
        .enumerate()
        .map(|(q, s)| {
            let r = &ratios[q];
            Claim::new(
                format!(
                    "{s}, on the same network trained from the same start with η = {}",
                    o.sgd.lr
                ),
                r.ratio > 1.0,
                json!({
                    "median_plain": r.plain,
                    "median_bn": r.bn,
                    "ratio_plain_over_bn": r.ratio,
                    "plain": series(q, &paths[0]),
                    "bn": series(q, &paths[1]),
                }),
            )
        })
        .collect()
}

impl fmt::Display for SmoothnessReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        let n = &o.network;
        writeln!(
            out,
            "Santurkar et al. 2018: {} hidden {} layers of {} units, plain and BN from the same \
             {} start, digits; SGD η = {}, μ = {}, batch {}, {} steps; every {} steps, on the \
             step's minibatch, steps s = {:?}·η along −∇f_B; λ of the full-batch Hessian by \
             Lanczos (≤ {} HVPs)",
            n.depth,
            n.activation,
            n.width,
            n.init,
            o.sgd.lr,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.every,
            o.step_multiples,
            o.lanczos_hvps
        )?;
        writeln!(
            out,
            "{:<7} {:>5} {:>9} {:>9} {:>11} {:>11} {:>11} {:>10} {:>10} {:>5}",
            "network",
            "step",
            "f_B",
            "‖∇f_B‖",
            "(a) Δf",
            "(b) Δ‖∇f‖",
            "(c) β",
            "λmax",
            "λmin",
            "HVPs"
        )?;
        for (name, p) in NAMES.iter().zip(&self.paths) {
            for x in &p.points {
                writeln!(
                    out,
                    "{:<7} {:>5} {:>9.4} {:>9.3e} {:>11.3e} {:>11.3e} {:>11.3e} {:>10.3e} {:>10.3e} {:>5}",
                    name,
                    x.step,
                    x.batch_loss,
                    x.gradient_norm,
                    x.loss_variation,
                    x.gradient_change,
                    x.beta_smoothness,
                    x.lambda_max,
                    x.lambda_min,
                    x.hvps
                )?;
            }
            writeln!(
                out,
                "{name}: final training loss {:.4} ({}), {} HVPs in all",
                p.curve.final_loss(),
                p.termination,
                p.hvps
            )?;
        }
        writeln!(
            out,
            "{:<16} {:>11} {:>11} {:>9}",
            "median", "plain", "BN", "plain/BN"
        )?;
        for r in &self.ratios {
            writeln!(
                out,
                "{:<16} {:>11.3e} {:>11.3e} {:>9.3}",
                r.quantity, r.plain, r.bn, r.ratio
            )?;
        }
        let negative: Vec<String> = self
            .paths
            .iter()
            .map(|p| {
                let n = p.points.iter().filter(|x| x.lambda_min < 0.0).count();
                format!("{n}/{}", p.points.len())
            })
            .collect();
        writeln!(
            out,
            "λmin < 0 (negative curvature) at {} plain and {} BN points; median λmin plain \
             {:.3e}, BN {:.3e}",
            negative[0], negative[1], self.ratios[4].plain, self.ratios[4].bn
        )?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replayed_batches_are_the_runs() {
        // A full-batch check of the replay: the recorded batch loss of step t is f_B(θₜ)
        // on the replayed batch.
        let mut o = SmoothnessOptions::quick();
        o.network.depth = 2;
        o.network.width = 4;
        o.sgd.steps = 9;
        o.every = 3;
        let pair = network_pair(&o.network).unwrap();
        let x0 = pair[1].initialise("kaiming_normal", 1).unwrap();
        let t = train(&pair[1], &x0, &o, 5).unwrap();
        let batches = replay(&pair[1], &o, 5, &t);
        let at = iterates(&t, 3);
        assert_eq!(at.iter().map(|a| a.0).collect::<Vec<_>>(), [0, 3, 6, 9]);
        assert_eq!(batches.len(), 4);
        let mut g = vec![0.0; x0.len()];
        for ((step, x), b) in at.iter().zip(&batches) {
            let r = t.records.iter().find(|r| r.iter == *step).unwrap();
            let v = pair[1].batch_value_and_gradient(x, b, &mut g);
            assert_eq!(v, r.value, "step {step}");
        }
    }

    #[test]
    fn the_median_of_an_even_count_is_the_midpoint() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
