//! Li & Arora (2019), "An exponential learning rate schedule for deep learning": with
//! batch normalisation and weight decay, a learning rate that *grows* exponentially,
//! ηₜ = η₀·αᵗ with α > 1, still trains; without normalisation the same schedule
//! diverges.
//!
//! # The argument
//! Batch normalisation makes f invariant to the scale of each weight matrix Wₗ before it:
//! BN(c·Z) = BN(Z) for c > 0 (the bias bₗ is removed by the mean subtraction), so
//! f(…, cWₗ, …) = f(…, Wₗ, …). Hence ⟨∇_{Wₗ}f, Wₗ⟩ = 0 and ∇_{Wₗ}f(cW) = ∇_{Wₗ}f(W)/c: a
//! gradient step of size η on W moves the direction W/‖W‖ as a step of η/‖W‖² would on
//! the unit sphere. Only this *effective* learning rate η/‖Wₗ‖² matters for such a
//! layer, and weight decay (which shrinks ‖W‖) and a growing η (which, the gradient being
//! orthogonal to W, grows ‖W‖² by η²‖g‖² per step) trade against each other: Li & Arora
//! show that SGD (with or without momentum) with weight decay λ and constant η is
//! equivalent to an exponentially growing schedule, and that the exponential schedule
//! with weight decay keeps η/‖Wₗ‖² in check. Without normalisation nothing absorbs the
//! growth: once ηₜ exceeds 2/λmax of the Hessian the iterates blow up.
//!
//! Precisely, Li & Arora's equivalence trades one for the other: constant η with weight
//! decay λ is the exponentially growing schedule *without* weight decay (the weights'
//! norm then grows instead of being held). With both, as here (the setting),
//! weight decay shrinks ‖Wₗ‖ by (1 − ηₜλ) per step while ηₜ grows, so the effective rate
//! ηₜ/‖Wₗ‖² grows faster than ηₜ: the table reports it at the start and the end. `λ = 0`
//! (`--weight-decay 0`) runs Li & Arora's schedule proper.
//!
//! The ε of the normalisation (σ² + ε, not homogeneous) breaks the invariance by
//! O(ε/σ²), and the layers after the last normalisation (the output layer W_{L+1},
//! b_{L+1}) and the γ, β of the normalisation are not scale invariant at all: their
//! steps grow with ηₜ itself. So the theorem's equivalence covers the pre-norm weights
//! only, and on the rest the exponential schedule runs against each layer's stability
//! limit: over a long enough horizon even the batch-normalised network sees its output
//! layer's step exceed 2/λmax. The claim below is over the stated horizon.
//!
//! # What is measured
//! Two networks of `depth` hidden ReLU layers of `width` units on the digits
//! (cross-entropy), one with batch normalisation and one without, Kaiming-normal weights
//! from the same seed. Both trained by plain SGD, momentum 0 (`heavy_ball` with μ = 0;
//! Li & Arora's theorem covers both, plain SGD is the simplest case), on minibatches,
//! with the run loop's coupled weight decay g ← g + λθ (torch's SGD `weight_decay`, what
//! Li & Arora use; it is the gradient of the spec's `l2` penalty (λ/2)‖θ‖², but keeps it
//! out of the recorded loss, so the curves show the cross-entropy itself), and the run
//! loop's exponential schedule ηₜ = η₀αᵗ (`exp:α`). Every `eval_every` steps: the
//! full-batch training loss, the test accuracy, the norms ‖Wₗ‖ (Frobenius) of the hidden
//! layers and ‖θ‖ of all the parameters, and the effective rate ηₜ/‖Wₗ‖².
//!
//! A run **trains** when its training loss falls below `trains_below` (default
//! 0.1·ln 10 ≈ 0.23) at some evaluation and every evaluated loss is finite; it
//! **diverges** when the run loop stops it as diverged (a non-finite value, gradient or
//! iterate), an evaluated loss is not finite, or the loss blows up above 10·ln 10 (ten
//! times a uniform guess's). The scale invariance itself is measured on the
//! batch-normalised network at its start: |f(θ with Wₗ ← cWₗ) − f(θ)|/f(θ) for every
//! hidden layer l and c ∈ {0.5, 2, 10}, and the same for the output layer.
//!
//! α ≤ 1 is accepted (a constant or decaying schedule; not the experiment's point), any
//! α not finite or ≤ 0 refused.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, LN_10};
use crate::experiments::deep::{network, widths, Curve};
use crate::objective::Objective;
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions, Schedule, WeightDecay};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};

/// A run diverges when its loss exceeds this many times ln 10.
pub const BLOW_UP: f64 = 10.0;

/// The scale factors c of the invariance check.
pub const SCALES: [f64; 3] = [0.5, 2.0, 10.0];

/// Relative change of f under scaling a pre-norm W accepted as "unchanged" (the ε of the
/// normalisation breaks exactness by O(ε/σ²)).
pub const INVARIANCE_TOL: f64 = 1e-4;

/// Options of [`exp_lr`]; the field names are the flags of `landscape experiment
/// exp-lr`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpLrOptions {
    /// Hidden layers L (default 3).
    pub depth: usize,
    /// Units per hidden layer (default 64).
    pub width: usize,
    /// Steps (default 2,000).
    pub steps: usize,
    /// η₀ (default 0.01).
    pub lr: f64,
    /// α, the factor per step (default 1.002: ηₜ grows ×e⁴ ≈ 55 over 2,000 steps).
    pub growth: f64,
    /// Weight decay λ (default 5·10⁻⁴).
    pub weight_decay: f64,
    /// Minibatch size (default 64).
    pub batch_size: usize,
    /// Evaluation every this many steps (default 50).
    pub eval_every: usize,
    /// A run trains when its loss falls below this (default 0.1·ln 10).
    pub trains_below: f64,
    /// Seeds (default 2).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
}

impl Default for ExpLrOptions {
    fn default() -> Self {
        ExpLrOptions {
            depth: 3,
            width: 64,
            steps: 2000,
            lr: 0.01,
            growth: 1.002,
            weight_decay: 5e-4,
            batch_size: 64,
            eval_every: 50,
            trains_below: 0.1 * LN_10,
            seeds: 2,
            seed: 0,
        }
    }
}

impl ExpLrOptions {
    /// The `--quick` size: 2 hidden layers of 32 units, 600 steps with α = 1.008 (the
    /// same ×e^4.8 growth of η), 1 seed.
    pub fn quick() -> Self {
        ExpLrOptions {
            depth: 2,
            width: 32,
            steps: 600,
            growth: 1.008,
            eval_every: 25,
            seeds: 1,
            ..ExpLrOptions::default()
        }
    }

    /// Checks the options; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("steps", self.steps),
            ("batch-size", self.batch_size),
            ("eval-every", self.eval_every),
            ("seeds", self.seeds),
        ])?;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::invalid("lr", "a positive finite number", self.lr));
        }
        if !(self.growth.is_finite() && self.growth > 0.0) {
            return Err(Error::invalid(
                "growth",
                "a positive finite factor α (> 1 for the experiment)",
                self.growth,
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(Error::invalid(
                "weight-decay",
                "a finite number ≥ 0",
                self.weight_decay,
            ));
        }
        if !(self.trains_below.is_finite() && self.trains_below > 0.0) {
            return Err(Error::invalid(
                "trains-below",
                "a positive finite loss",
                self.trains_below,
            ));
        }
        Ok(())
    }
}

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpLrRun {
    /// With batch normalisation.
    pub batch_norm: bool,
    /// The seed index i (stream i of the seed).
    pub seed_index: usize,
    /// Training loss and test accuracy along the run.
    pub curve: Curve,
    /// ηₜ at each evaluation.
    pub lr: Vec<f64>,
    /// ‖Wₗ‖ of hidden layer l = 1…L (outer) at each evaluation (inner).
    pub weight_norms: Vec<Vec<f64>>,
    /// ‖θ‖ at each evaluation.
    pub total_norm: Vec<f64>,
    /// The lowest evaluated training loss (NaN if none was finite).
    pub min_loss: f64,
    /// The module doc's definition.
    pub trains: bool,
    /// The module doc's definition.
    pub diverges: bool,
    /// How the run ended (`max_iters`, `diverged`).
    pub termination: String,
}

/// The scale invariance of the batch-normalised network at its start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invariance {
    /// max over c of |f(cWₗ) − f|/f, per hidden layer l.
    pub pre_norm: Vec<f64>,
    /// The same for the output layer W_{L+1}.
    pub output: f64,
}

/// The report (the JSON of `landscape experiment exp-lr`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpLrReport {
    /// The options.
    pub options: ExpLrOptions,
    /// Parameters of the network without and with batch normalisation.
    pub parameters: [usize; 2],
    /// η at the last step, η₀α^{T−1}.
    pub final_lr: f64,
    /// Per seed the plain run, then the batch-normalised one.
    pub runs: Vec<ExpLrRun>,
    /// The batch-normalised network's scale invariance (seed 0's start).
    pub invariance: Invariance,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// The network, with or without batch normalisation.
pub fn exp_lr_network(depth: usize, width: usize, batch_norm: bool) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(depth, width)),
        ("activation", "relu".into()),
        ("norm", if batch_norm { "batch" } else { "none" }.into()),
        ("loss", "cross_entropy".into()),
    ])
}

/// Runs the experiment.
///
/// Errors: invalid options (naming the flag).
pub fn exp_lr(options: &ExpLrOptions) -> Result<ExpLrReport> {
    exp_lr_with_progress(options, &Silent)
}

/// [`exp_lr`], telling `progress` of each finished run (task `exp-lr`).
pub fn exp_lr_with_progress(
    options: &ExpLrOptions,
    progress: &dyn Progress,
) -> Result<ExpLrReport> {
    options.validate()?;
    let nets = [
        exp_lr_network(options.depth, options.width, false)?,
        exp_lr_network(options.depth, options.width, true)?,
    ];
    let jobs: Vec<(usize, usize)> = (0..options.seeds)
        .flat_map(|i| (0..2).map(move |n| (i, n)))
        .collect();
    let samples = nets[0].train().samples;
    if options.batch_size > samples {
        return Err(Error::invalid(
            "batch-size",
            format!("at most the {samples} training samples"),
            options.batch_size,
        ));
    }
    progress.start("exp-lr", jobs.len() as u64);
    let runs = jobs
        .par_iter()
        .map(|&(i, n)| {
            let r = one_run(&nets[n], n == 1, i, options);
            progress.advance(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let (init_seed, _) = run_seeds(options.seed, 0);
    let invariance = scale_invariance(
        &nets[1],
        &nets[1].initialise("kaiming_normal", init_seed)?,
        options.depth,
    );
    let claims = claims(&runs, &invariance, options);
    Ok(ExpLrReport {
        options: options.clone(),
        parameters: [nets[0].dim(), nets[1].dim()],
        final_lr: options.lr * options.growth.powf(options.steps as f64 - 1.0),
        runs,
        invariance,
        claims,
    })
}

/// The index range of block `name` in f's layout.
fn block_range(f: &dyn Objective, name: &str) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    for b in f.layout().blocks {
        if b.name == name {
            return Some(start..start + b.len());
        }
        start += b.len();
    }
    None
}

/// max over c ∈ [`SCALES`] of |f(θ with W_l ← cW_l) − f(θ)|/|f(θ)|, per hidden layer,
/// and for the output layer.
pub fn scale_invariance(f: &Mlp, theta: &[f64], depth: usize) -> Invariance {
    let f0 = f.value(theta);
    let change = |l: usize| -> f64 {
        let Some(range) = block_range(f, &format!("W{l}")) else {
            return f64::NAN;
        };
        SCALES
            .iter()
            .map(|&c| {
                let mut x = theta.to_vec();
                x[range.clone()].iter_mut().for_each(|w| *w *= c);
                ((f.value(&x) - f0) / f0).abs()
            })
            .fold(0.0, f64::max)
    };
    Invariance {
        pre_norm: (1..=depth).map(change).collect(),
        output: change(depth + 1),
    }
}

fn one_run(f: &Mlp, batch_norm: bool, i: usize, o: &ExpLrOptions) -> Result<ExpLrRun> {
    let (init_seed, batch_seed) = run_seeds(o.seed, i);
    let x0 = f.initialise("kaiming_normal", init_seed)?;
    let hp = Hyperparameters::new()
        .with("lr", o.lr)
        .with("momentum", 0.0);
    let mut sgd = optim::build("heavy_ball", &hp)?;
    let options = RunOptions {
        max_iters: o.steps,
        grad_tol: f64::MIN_POSITIVE,
        record_every: o.eval_every,
        record_iterates: true,
        schedule: Some(Schedule::Exponential { gamma: o.growth }),
        weight_decay: Some(WeightDecay::coupled(o.weight_decay)),
        minibatch: Some(Minibatch {
            batch_size: o.batch_size,
            seed: batch_seed,
        }),
        eval_every: Some(o.eval_every),
        ..RunOptions::default()
    };
    let t = optim::run(f, sgd.as_mut(), &x0, &options)?;
    let curve = Curve::of(&t);
    let ranges: Vec<_> = (1..=o.depth)
        .filter_map(|l| block_range(f, &format!("W{l}")))
        .collect();
    let mut weight_norms = vec![Vec::new(); ranges.len()];
    let mut total_norm = Vec::new();
    let mut lr = Vec::new();
    for r in t.records.iter().filter(|r| r.train_loss.is_some()) {
        let Some(x) = &r.x else { continue };
        for (norms, range) in weight_norms.iter_mut().zip(&ranges) {
            norms.push(crate::linalg::norm(&x[range.clone()]));
        }
        total_norm.push(crate::linalg::norm(x));
        lr.push(o.lr * o.growth.powf(r.iter as f64));
    }
    let min_loss = curve
        .train_loss
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(f64::NAN, f64::min);
    let finite = curve.train_loss.iter().all(|l| l.is_finite());
    let termination = t.termination.as_str().to_string();
    let diverges = termination == "diverged"
        || !finite
        || curve.train_loss.iter().any(|&l| l > BLOW_UP * LN_10);
    Ok(ExpLrRun {
        batch_norm,
        seed_index: i,
        trains: finite && min_loss <= o.trains_below,
        diverges,
        min_loss,
        lr,
        weight_norms,
        total_norm,
        termination,
        curve,
    })
}

fn claims(runs: &[ExpLrRun], invariance: &Invariance, o: &ExpLrOptions) -> Vec<Claim> {
    let of = |bn: bool| -> Vec<&ExpLrRun> { runs.iter().filter(|r| r.batch_norm == bn).collect() };
    let (plain, bn) = (of(false), of(true));
    let summary = |rs: &[&ExpLrRun]| {
        json!({
            "min_loss": rs.iter().map(|r| r.min_loss).collect::<Vec<_>>(),
            "final_loss": rs.iter().map(|r| r.curve.final_loss()).collect::<Vec<_>>(),
            "last_step": rs.iter().map(|r| r.curve.steps.last().copied()).collect::<Vec<_>>(),
            "termination": rs.iter().map(|r| r.termination.clone()).collect::<Vec<_>>(),
        })
    };
    let schedule = format!(
        "ηₜ = {}·{}ᵗ (×{:.1} over {} steps), weight decay λ = {}",
        o.lr,
        o.growth,
        o.growth.powf(o.steps as f64),
        o.steps,
        o.weight_decay
    );
    let worst = invariance.pre_norm.iter().copied().fold(0.0, f64::max);
    vec![
        Claim::new(
            format!(
                "With batch normalisation, SGD with {schedule} trains: the training loss \
                 falls below {:.3} and stays finite, on every seed",
                o.trains_below
            ),
            bn.iter().all(|r| r.trains && !r.diverges),
            summary(&bn),
        ),
        Claim::new(
            format!(
                "Without normalisation the same schedule diverges: a non-finite loss or one \
                 above {BLOW_UP}·ln 10, on every seed"
            ),
            plain.iter().all(|r| r.diverges),
            summary(&plain),
        ),
        Claim::new(
            format!(
                "With batch normalisation f is unchanged when a hidden layer's W is scaled \
                 by c ∈ {SCALES:?} (relative change ≤ {INVARIANCE_TOL:e}, the ε of the \
                 normalisation aside); the output layer is not scale invariant"
            ),
            worst <= INVARIANCE_TOL && invariance.output > INVARIANCE_TOL,
            json!({
                "pre_norm_relative_change": invariance.pre_norm,
                "output_relative_change": invariance.output,
            }),
        ),
    ]
}

impl fmt::Display for ExpLrReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Li & Arora 2019: {} hidden ReLU layers of {} units ({} parameters without, {} \
             with batch normalisation), digits; SGD (μ = 0), batch {}, ηₜ = {}·{}ᵗ (η at \
             step {}: {:.3e}), weight decay {} (coupled); {} seeds",
            o.depth,
            o.width,
            self.parameters[0],
            self.parameters[1],
            o.batch_size,
            o.lr,
            o.growth,
            o.steps,
            self.final_lr,
            o.weight_decay,
            o.seeds
        )?;
        writeln!(
            out,
            "{:<8} {:>4} {:>9} {:>9} {:>10} {:>9} {:>9} {:>11} {:>11} {:>7} {:>8}  end",
            "network",
            "seed",
            "min loss",
            "loss_T",
            "test acc",
            "‖W₁‖₀",
            "‖W₁‖_T",
            "η/‖W₁‖² ₀",
            "η/‖W₁‖² _T",
            "trains",
            "diverges"
        )?;
        for r in &self.runs {
            let w = r.weight_norms.first();
            let at = |k: usize| -> (f64, f64) {
                match (w.and_then(|w| w.get(k)), r.lr.get(k)) {
                    (Some(&n), Some(&eta)) => (n, eta / (n * n)),
                    _ => (f64::NAN, f64::NAN),
                }
            };
            let last = r.lr.len().saturating_sub(1);
            let ((n0, e0), (nt, et)) = (at(0), at(last));
            writeln!(
                out,
                "{:<8} {:>4} {:>9.4} {:>9.4} {:>10} {:>9.3} {:>9.3} {:>11.3e} {:>11.3e} {:>7} {:>8}  {}",
                if r.batch_norm { "BN" } else { "plain" },
                r.seed_index,
                r.min_loss,
                r.curve.final_loss(),
                r.curve
                    .final_accuracy()
                    .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a)),
                n0,
                nt,
                e0,
                et,
                r.trains,
                r.diverges,
                r.termination
            )?;
        }
        writeln!(
            out,
            "scale invariance at the start (max over c of |f(cWₗ) − f|/f): hidden layers {:?}, output layer {:.3e}",
            self.invariance
                .pre_norm
                .iter()
                .map(|v| format!("{v:.1e}"))
                .collect::<Vec<_>>(),
            self.invariance.output
        )?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_norm_makes_f_scale_invariant_in_each_hidden_w_exactly_at_tiny_eps() {
        let f = network(&[
            ("data", "digits".into()),
            ("widths", widths(2, 8)),
            ("norm", "batch".into()),
            ("eps", 1e-300.into()),
        ])
        .unwrap();
        let x = f.initialise("kaiming_normal", 5).unwrap();
        let inv = scale_invariance(&f, &x, 2);
        assert!(inv.pre_norm.iter().all(|&c| c < 1e-12), "{inv:?}");
        assert!(inv.output > 1e-3, "{inv:?}");
        // And without normalisation scaling a hidden W changes f.
        let plain = exp_lr_network(2, 8, false).unwrap();
        let x = plain.initialise("kaiming_normal", 5).unwrap();
        assert!(scale_invariance(&plain, &x, 2).pre_norm[0] > 1e-3);
    }
}
