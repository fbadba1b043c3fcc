//! Not internal covariate shift (Santurkar, Tsipras, Ilyas & Madry 2018, §2.1): a
//! network whose batch-normalisation layers are followed by noise that shifts their
//! output distribution at every step trains about as well as plain batch normalisation,
//! although its layers' inputs move far more — so batch normalisation's benefit does not
//! come from keeping those distributions still.
//!
//! # The three networks
//! The same `mlp` on the digits (cross-entropy): `depth` hidden ReLU layers of `width`
//! units, biases, Kaiming-normal starts, with
//! - no normalisation (`none`),
//! - batch normalisation after every hidden layer's affine map (`batch`),
//! - batch normalisation followed by noise (`noisy batch`): at every step, per layer
//!   and unit j, μⱼ ~ U(−a, a) and cⱼ ~ U(1, b), and per sample i, u′ᵢⱼ = sᵢⱼuᵢⱼ + mᵢⱼ
//!   with mᵢⱼ ~ N(μⱼ, v), sᵢⱼ ~ N(cⱼ, v) ([`crate::problems::mlp::noise`], which also
//!   gives the exact gradient of the noisy minibatch loss).
//!
//! Each is trained by SGD with momentum ([`Sgd`]: the same steps, learning rate,
//! momentum, batch size) for `seeds` seeds; seed i gives the initial weights and the
//! minibatch order (`random::stream(seed, i)`, the same for the three networks) and the
//! noise (stream i of the seed with the noise's salt). Every `eval_every` steps the
//! clean full-batch training loss (training-set statistics, no noise) and the test
//! accuracy ([`Curve`]); for the noisy network also, at the end, its training loss
//! with the noise (the whole training set as one batch, one fresh draw): the loss it was
//! trained for, beside the clean one that every comparison uses.
//!
//! # The distribution shift
//! Every `probe_every` steps, the output U′ of every hidden layer (what its activation
//! receives: γ ⊙ ẑ + β with the batch statistics, then the noise for the noisy network,
//! or Z without normalisation) is evaluated at the current θ on a fixed probe batch (the
//! first `probe` training samples, one batch), the noisy network with a fresh draw of
//! the noise from a separate seeded stream. Per layer l and unit j: the mean μₗⱼ(t) and
//! standard deviation σₗⱼ(t) of U′ over the probe batch. The *shift* between
//! consecutive probes t and t + k is mean_j |μₗⱼ(t + k) − μₗⱼ(t)| (of the mean) and
//! mean_j |σₗⱼ(t + k) − σₗⱼ(t)| (of the spread); reported per layer averaged over the
//! run's probes, per probe averaged over layers (the chart), and overall. With plain
//! batch normalisation μₗⱼ = βⱼ and σₗⱼ ≈ |γⱼ| on any batch: its shift is how fast γ
//! and β move. Consecutive probes are `probe_every` steps apart, so batch
//! normalisation's drift over several steps is set against one draw of the noise.
//!
//! # Claims
//! - noisy batch normalisation trains about as well as batch normalisation: its mean
//!   final training loss is within a factor [`ABOUT_AS_WELL`] of batch normalisation's
//!   and its mean final test accuracy within [`ACCURACY_POINTS`] points;
//! - both end with a lower mean training loss than the network without normalisation;
//! - the noise causes a much larger distribution shift than plain batch normalisation
//!   has: the noisy network's mean shift (of the mean, and of the spread) is at least
//!   [`MUCH_LARGER`] times batch normalisation's.
//!
//! Runs are independent and run in parallel (rayon), collected in order: the report is
//! the same on any thread count.

use std::fmt;

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd};
use crate::experiments::deep::{network, widths, Curve};
use crate::objective::Objective;
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions, Trajectory};
use crate::problems::mlp::noise::{NoiseSettings, NoisyBatchNorm};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// "About as well": noisy batch normalisation's mean final training loss is at most
/// this factor of batch normalisation's.
pub const ABOUT_AS_WELL: f64 = 3.0;

/// …and its mean final test accuracy within this many percentage points.
pub const ACCURACY_POINTS: f64 = 3.0;

/// "Much larger": the noisy network's shift is at least this multiple of batch
/// normalisation's.
pub const MUCH_LARGER: f64 = 5.0;

/// Salt of the noise's streams (training draws; the probes' draws use it plus one).
const NOISE_SALT: u64 = 0x0015_E5EE_D5EE_D000;

/// The three networks, in report order.
pub const NETWORKS: [&str; 3] = ["none", "batch", "noisy batch"];

/// Options of [`bn_noise`]; the field names are the flags of `landscape experiment
/// bn-noise`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BnNoiseOptions {
    /// Hidden layers (default 6).
    pub depth: usize,
    /// Units per hidden layer (default 64).
    pub width: usize,
    /// Seeds per network (default 2).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
    /// The noise's magnitudes (default a = 1, b = 2, v = 0.25).
    pub noise: NoiseSettings,
    /// Samples of the probe batch (default 256).
    pub probe: usize,
    /// Probe the layers' distributions every this many steps (default 10).
    pub probe_every: usize,
    /// The training (default 1,000 steps of batch 64, η = 0.05, μ = 0.9, evaluated
    /// every 25 steps).
    pub sgd: Sgd,
}

impl Default for BnNoiseOptions {
    fn default() -> Self {
        BnNoiseOptions {
            depth: 6,
            width: 64,
            seeds: 2,
            seed: 0,
            noise: NoiseSettings::default(),
            probe: 256,
            probe_every: 10,
            sgd: Sgd {
                steps: 1000,
                lr: 0.05,
                momentum: 0.9,
                batch_size: 64,
                eval_every: 25,
            },
        }
    }
}

impl BnNoiseOptions {
    /// The `--quick` size: 3 layers of 32 units, 2 seeds, 200 steps, a probe of 128.
    pub fn quick() -> Self {
        let mut o = BnNoiseOptions {
            depth: 3,
            width: 32,
            probe: 128,
            ..BnNoiseOptions::default()
        };
        o.sgd.steps = 200;
        o.sgd.eval_every = 20;
        o
    }

    /// Checks the options; errors name the flag (the training's: [`Sgd::validate`]'s
    /// field names).
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("seeds", self.seeds),
            ("probe-every", self.probe_every),
        ])?;
        if self.probe < 2 {
            return Err(Error::invalid("probe", "an integer ≥ 2", self.probe));
        }
        self.noise.validate()?;
        self.sgd.validate()
    }
}

/// How one layer's distribution moved over a run (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerShift {
    /// l, 1-based.
    pub layer: usize,
    /// mean over probes of mean_j |Δμₗⱼ|.
    pub mean_shift: f64,
    /// mean over probes of mean_j |Δσₗⱼ|.
    pub std_shift: f64,
}

/// One unit's distribution on the probe batch along the run (the last hidden layer's
/// first unit).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitTrace {
    /// The layer l.
    pub layer: usize,
    /// The unit j.
    pub unit: usize,
    /// The probed steps.
    pub steps: Vec<usize>,
    /// μₗⱼ at each.
    pub mean: Vec<f64>,
    /// σₗⱼ at each.
    pub std: Vec<f64>,
}

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseRun {
    /// `none`, `batch` or `noisy batch`.
    pub network: String,
    /// The seed index i.
    pub seed_index: usize,
    /// Training loss and test accuracy along the run.
    pub curve: Curve,
    /// The last clean full-batch training loss.
    pub final_loss: f64,
    /// The last test accuracy.
    pub final_accuracy: f64,
    /// The noisy network only: the training loss at the end with noise (the whole
    /// training set as one batch, one fresh draw), the loss the noise trained for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_noisy_loss: Option<f64>,
    /// Per hidden layer, its shift averaged over the run.
    pub layers: Vec<LayerShift>,
    /// The probes after the first (each compared with the one before).
    pub shift_steps: Vec<usize>,
    /// Per probe, mean over layers and units of |Δμ|.
    pub mean_shift: Vec<f64>,
    /// Per probe, mean over layers and units of |Δσ|.
    pub std_shift: Vec<f64>,
    /// The last hidden layer's first unit along the run.
    pub trace: UnitTrace,
    /// How the run ended.
    pub termination: String,
}

impl NoiseRun {
    /// The shift of the mean, averaged over layers and probes.
    pub fn overall_mean_shift(&self) -> f64 {
        mean(&self.mean_shift)
    }

    /// The shift of the spread, averaged over layers and probes.
    pub fn overall_std_shift(&self) -> f64 {
        mean(&self.std_shift)
    }
}

/// One network's runs summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkSummary {
    /// The network.
    pub network: String,
    /// Parameters.
    pub parameters: usize,
    /// Mean final training loss over the seeds.
    pub mean_final_loss: f64,
    /// Mean final test accuracy.
    pub mean_final_accuracy: f64,
    /// Mean shift of the layers' means (over seeds, layers, probes).
    pub mean_shift: f64,
    /// Mean shift of the layers' spreads.
    pub std_shift: f64,
}

/// The report (the JSON of `landscape experiment bn-noise`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BnNoiseReport {
    /// The options.
    pub options: BnNoiseOptions,
    /// The network's spec fields besides `norm` (data, widths, activation).
    pub network: serde_json::Value,
    /// Per network, in [`NETWORKS`] order.
    pub summaries: Vec<NetworkSummary>,
    /// Every run: the seeds of `none`, then `batch`, then `noisy batch`.
    pub runs: Vec<NoiseRun>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// The network of `kind` (`none`, or batch normalisation for the other two).
fn build(options: &BnNoiseOptions, kind: &str) -> Result<Mlp> {
    let norm = if kind == "none" { "none" } else { "batch" };
    network(&[
        ("data", "digits".into()),
        ("widths", widths(options.depth, options.width)),
        ("activation", "relu".into()),
        ("norm", norm.into()),
    ])
}

/// Runs the comparison.
///
/// Errors: invalid options (naming the flag).
pub fn bn_noise(options: &BnNoiseOptions) -> Result<BnNoiseReport> {
    bn_noise_with_progress(options, &Silent)
}

/// [`bn_noise`], telling `progress` of each finished run (task `bn-noise`).
pub fn bn_noise_with_progress(
    options: &BnNoiseOptions,
    progress: &dyn Progress,
) -> Result<BnNoiseReport> {
    options.validate()?;
    let plain = build(options, "none")?;
    let normalised = build(options, "batch")?;
    let n = plain.train().samples;
    if options.probe > n {
        return Err(Error::invalid(
            "probe",
            format!("at most {n} (the training digits)"),
            options.probe,
        ));
    }
    if options.sgd.batch_size > n {
        return Err(Error::invalid(
            "batch-size",
            format!("at most {n} (the training digits)"),
            options.sgd.batch_size,
        ));
    }
    let jobs: Vec<(usize, usize)> = (0..NETWORKS.len())
        .flat_map(|k| (0..options.seeds).map(move |i| (k, i)))
        .collect();
    progress.start("bn-noise", jobs.len() as u64);
    let runs = jobs
        .par_iter()
        .map(|&(k, i)| {
            let f = if k == 0 { &plain } else { &normalised };
            let r = one_run(f, k, i, options);
            progress.advance(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let summaries = NETWORKS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let rs: Vec<&NoiseRun> = runs.iter().filter(|r| r.network == *name).collect();
            let avg = |g: fn(&NoiseRun) -> f64| mean(&rs.iter().map(|r| g(r)).collect::<Vec<_>>());
            NetworkSummary {
                network: name.to_string(),
                parameters: if k == 0 {
                    plain.dim()
                } else {
                    normalised.dim()
                },
                mean_final_loss: avg(|r| r.final_loss),
                mean_final_accuracy: avg(|r| r.final_accuracy),
                mean_shift: avg(NoiseRun::overall_mean_shift),
                std_shift: avg(NoiseRun::overall_std_shift),
            }
        })
        .collect::<Vec<_>>();
    let claims = claims(&summaries, options);
    Ok(BnNoiseReport {
        options: options.clone(),
        network: json!({
            "data": "digits",
            "widths": vec![options.width; options.depth],
            "activation": "relu",
            "norm": ["none", "batch", "batch + noise"],
            "init": "kaiming_normal",
        }),
        summaries,
        runs,
        claims,
    })
}

/// SGD with momentum on `f`, recording θ every `probe_every` steps.
fn train(
    sgd: &Sgd,
    f: &dyn Objective,
    x0: &[f64],
    batch_seed: u64,
    probe_every: usize,
) -> Result<Trajectory> {
    let hp = Hyperparameters::new()
        .with("lr", sgd.lr)
        .with("momentum", sgd.momentum);
    let mut optimizer = optim::build("heavy_ball", &hp)?;
    let options = RunOptions {
        max_iters: sgd.steps,
        grad_tol: f64::MIN_POSITIVE,
        record_every: probe_every,
        record_iterates: true,
        minibatch: Some(Minibatch {
            batch_size: sgd.batch_size,
            seed: batch_seed,
        }),
        eval_every: Some(sgd.eval_every),
        ..RunOptions::default()
    };
    optim::run(f, optimizer.as_mut(), x0, &options)
}

/// One layer's per-unit (mean, std) on the probe batch.
type Moments = (Vec<f64>, Vec<f64>);

/// Per hidden layer, the per-unit (mean, std) of an N × n output.
fn moments(outputs: &[Vec<f64>], dims: &[usize]) -> Vec<Moments> {
    outputs
        .iter()
        .enumerate()
        .map(|(l, u)| {
            let n = dims[l + 1];
            let samples = (u.len() / n) as f64;
            let mut mu = vec![0.0; n];
            for row in u.chunks_exact(n) {
                mu.iter_mut().zip(row).for_each(|(m, v)| *m += v / samples);
            }
            let mut var = vec![0.0; n];
            for row in u.chunks_exact(n) {
                for j in 0..n {
                    var[j] += (row[j] - mu[j]).powi(2) / samples;
                }
            }
            (mu, var.into_iter().map(f64::sqrt).collect())
        })
        .collect()
}

fn one_run(f: &Mlp, kind: usize, i: usize, options: &BnNoiseOptions) -> Result<NoiseRun> {
    let (init_seed, batch_seed) = run_seeds(options.seed, i);
    let mut noise_seeds = stream(options.seed ^ NOISE_SALT, i as u64);
    let (train_noise, probe_noise): (u64, u64) = (noise_seeds.random(), noise_seeds.random());
    let x0 = f.initialise("kaiming_normal", init_seed)?;
    let noisy = NoisyBatchNorm::new(f, options.noise, train_noise)?;
    let t = if kind == 2 {
        train(&options.sgd, &noisy, &x0, batch_seed, options.probe_every)?
    } else {
        train(&options.sgd, f, &x0, batch_seed, options.probe_every)?
    };
    let curve = Curve::of(&t);
    // The probes: θ every `probe_every` steps, the noisy network with its own draws.
    let probe_draws = NoisyBatchNorm::new(f, options.noise, probe_noise)?;
    let rows: Vec<usize> = (0..options.probe).collect();
    let dims = &f.architecture().dims;
    let hidden = f.architecture().hidden();
    let probes: Vec<(usize, Vec<Moments>)> = t
        .records
        .iter()
        .filter(|r| r.iter % options.probe_every == 0)
        .filter_map(|r| Some((r.iter, r.x.as_ref()?)))
        .map(|(step, x)| {
            let noise = (kind == 2).then(|| probe_draws.draw(rows.len()));
            (step, moments(&noisy.hidden_outputs(x, &rows, noise), dims))
        })
        .collect();
    let mut layers: Vec<LayerShift> = (1..=hidden)
        .map(|layer| LayerShift {
            layer,
            mean_shift: 0.0,
            std_shift: 0.0,
        })
        .collect();
    let (mut shift_steps, mut mean_shift, mut std_shift) = (Vec::new(), Vec::new(), Vec::new());
    for pair in probes.windows(2) {
        let (before, after) = (&pair[0].1, &pair[1].1);
        let (mut dm, mut ds) = (0.0, 0.0);
        for (l, ((m0, s0), (m1, s1))) in before.iter().zip(after).enumerate() {
            let diff = |a: &[f64], b: &[f64]| {
                a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
            };
            let (lm, ls) = (diff(m0, m1), diff(s0, s1));
            layers[l].mean_shift += lm;
            layers[l].std_shift += ls;
            dm += lm / hidden as f64;
            ds += ls / hidden as f64;
        }
        shift_steps.push(pair[1].0);
        mean_shift.push(dm);
        std_shift.push(ds);
    }
    let pairs = probes.len().saturating_sub(1).max(1) as f64;
    for l in &mut layers {
        l.mean_shift /= pairs;
        l.std_shift /= pairs;
    }
    let final_noisy_loss = (kind == 2).then(|| {
        let all: Vec<usize> = (0..f.train().samples).collect();
        let mut noise = probe_draws.draw(all.len());
        let mut grad = vec![0.0; f.dim()];
        noisy.batch_value_and_gradient_with(&t.final_state.x, &all, &mut noise, &mut grad)
    });
    let trace = UnitTrace {
        layer: hidden,
        unit: 0,
        steps: probes.iter().map(|p| p.0).collect(),
        mean: probes.iter().map(|p| p.1[hidden - 1].0[0]).collect(),
        std: probes.iter().map(|p| p.1[hidden - 1].1[0]).collect(),
    };
    Ok(NoiseRun {
        network: NETWORKS[kind].to_string(),
        seed_index: i,
        final_loss: curve.final_loss(),
        final_accuracy: curve.final_accuracy().unwrap_or(f64::NAN),
        final_noisy_loss,
        curve,
        layers,
        shift_steps,
        mean_shift,
        std_shift,
        trace,
        termination: t.termination.as_str().to_string(),
    })
}

fn claims(summaries: &[NetworkSummary], options: &BnNoiseOptions) -> Vec<Claim> {
    let (none, bn, noisy) = (&summaries[0], &summaries[1], &summaries[2]);
    let n = options.noise;
    vec![
        Claim::new(
            format!(
                "Batch normalisation followed by noise of non-zero mean and non-unit variance, \
                 resampled at every step (a = {}, b = {}, v = {}), trains about as well as \
                 plain batch normalisation: final training loss within a factor {ABOUT_AS_WELL} \
                 and test accuracy within {ACCURACY_POINTS} points (means over seeds)",
                n.mean, n.scale, n.variance
            ),
            noisy.mean_final_loss <= ABOUT_AS_WELL * bn.mean_final_loss
                && (100.0 * (noisy.mean_final_accuracy - bn.mean_final_accuracy)).abs()
                    <= ACCURACY_POINTS,
            json!({
                "final_loss": {"batch": bn.mean_final_loss, "noisy_batch": noisy.mean_final_loss},
                "loss_ratio": noisy.mean_final_loss / bn.mean_final_loss,
                "test_accuracy": {"batch": bn.mean_final_accuracy, "noisy_batch": noisy.mean_final_accuracy},
            }),
        ),
        Claim::new(
            "Both batch normalisation and noisy batch normalisation end with a lower training \
             loss than the same network without normalisation (means over seeds)",
            bn.mean_final_loss < none.mean_final_loss
                && noisy.mean_final_loss < none.mean_final_loss,
            json!({
                "final_loss": {
                    "none": none.mean_final_loss,
                    "batch": bn.mean_final_loss,
                    "noisy_batch": noisy.mean_final_loss,
                },
                "test_accuracy": {
                    "none": none.mean_final_accuracy,
                    "batch": bn.mean_final_accuracy,
                    "noisy_batch": noisy.mean_final_accuracy,
                },
            }),
        ),
        Claim::new(
            format!(
                "The noise causes a much larger distribution shift of the layers' outputs than \
                 plain batch normalisation has: at least {MUCH_LARGER}× in the per-unit mean and \
                 in the spread, between probes {} steps apart",
                options.probe_every
            ),
            noisy.mean_shift >= MUCH_LARGER * bn.mean_shift
                && noisy.std_shift >= MUCH_LARGER * bn.std_shift,
            json!({
                "mean_shift": {
                    "none": none.mean_shift,
                    "batch": bn.mean_shift,
                    "noisy_batch": noisy.mean_shift,
                },
                "std_shift": {
                    "none": none.std_shift,
                    "batch": bn.std_shift,
                    "noisy_batch": noisy.std_shift,
                },
                "ratio": [noisy.mean_shift / bn.mean_shift, noisy.std_shift / bn.std_shift],
            }),
        ),
    ]
}

impl fmt::Display for BnNoiseReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Santurkar et al. 2018, noisy batch normalisation: {} hidden ReLU layers of {} units \
             on the digits; heavy_ball η = {}, μ = {}, batch {}, {} steps; {} seeds; noise \
             a = {}, b = {}, v = {}; probe of {} samples every {} steps",
            o.depth,
            o.width,
            o.sgd.lr,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.seeds,
            o.noise.mean,
            o.noise.scale,
            o.noise.variance,
            o.probe,
            o.probe_every
        )?;
        writeln!(
            out,
            "{:<12} {:>4} {:>9} {:>9} {:>13} {:>9} {:>11} {:>11}  end",
            "network",
            "seed",
            "loss₀",
            "loss_T",
            "noisy loss_T",
            "test acc",
            "|Δμ| shift",
            "|Δσ| shift"
        )?;
        for r in &self.runs {
            writeln!(
                out,
                "{:<12} {:>4} {:>9.4} {:>9.4} {:>13} {:>8.1}% {:>11.3e} {:>11.3e}  {}",
                r.network,
                r.seed_index,
                r.curve.train_loss.first().copied().unwrap_or(f64::NAN),
                r.final_loss,
                r.final_noisy_loss
                    .map_or("–".to_string(), |l| format!("{l:.4}")),
                100.0 * r.final_accuracy,
                r.overall_mean_shift(),
                r.overall_std_shift(),
                r.termination
            )?;
        }
        writeln!(
            out,
            "loss_T: the clean training loss; noisy loss_T: with one draw of the noise on the \
             whole training set"
        )?;
        writeln!(
            out,
            "shift per layer (mean over seeds and probes, |Δμ| / |Δσ|):"
        )?;
        for name in NETWORKS {
            let rs: Vec<&NoiseRun> = self.runs.iter().filter(|r| r.network == name).collect();
            let per_layer: Vec<String> = (0..o.depth)
                .map(|l| {
                    let m = mean(
                        &rs.iter()
                            .map(|r| r.layers[l].mean_shift)
                            .collect::<Vec<_>>(),
                    );
                    let s = mean(&rs.iter().map(|r| r.layers[l].std_shift).collect::<Vec<_>>());
                    format!("{}: {m:.2e}/{s:.2e}", l + 1)
                })
                .collect();
            writeln!(out, "  {:<12} {}", name, per_layer.join("  "))?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_per_unit_mean_and_std() {
        let m = moments(&[vec![1.0, 10.0, 3.0, 10.0]], &[0, 2]);
        assert_eq!(m[0].0, [2.0, 10.0]);
        assert_eq!(m[0].1, [1.0, 0.0]);
    }
}
