//! Zero, small and large initialisation of a deep network, measured.
//!
//! # Zero: the symmetry is never broken
//! With every weight and bias 0, all units of a hidden layer compute the same function,
//! receive the same gradient and take the same step, so they stay identical for ever:
//! W₁ has identical rows, a hidden Wₗ identical rows and columns, the output layer
//! identical columns, so every weight matrix has rank ≤ 1 however long it trains. Worse,
//! when φ(0) = 0 the hidden activations are 0, the output weights get ∂f/∂W_{L+1} =
//! Eᵀ A_L = 0 and the hidden layers get Dₗ = E W_{L+1}(⋯) = 0: only the output bias
//! moves (ReLU, tanh). With ReLU also φ′(0) = 0 (torch's convention), which would stop
//! the hidden layers even with W_{L+1} ≠ 0. Sigmoid (φ(0) = ½) moves every layer, in
//! rank one. Measured, per activation (relu, tanh, sigmoid; biases on): ‖Wₗ − Wₗ(0)‖,
//! ‖bₗ − bₗ(0)‖, the numerical rank of each trained Wₗ (singular values above
//! 10⁻⁸·σ_max; 0 for a zero matrix) and the spread of the units it touches,
//! max_i ‖wᵢ − w₁‖/‖W‖ over its rows (hidden units it feeds) and columns (hidden units
//! it reads);
//! and, for contrast, the ranks after the same training from Kaiming initialisation.
//!
//! # Small: a plateau at a non-strict saddle
//! Without biases the origin θ = 0 is stationary for any activation with φ(0) = 0. With
//! H = L + 1 weight matrices and φ linear near 0 (linear, tanh: φ(u) = u + O(u³)),
//! f(tV) = f(0) + t^H·⟨∂ℓ/∂Ŷ(0), V_H⋯V₁X⟩ + O(t^{H+2}): the gradient vanishes, the
//! Hessian is zero for H ≥ 3 (indefinite for H = 2: the cross term of V₂V₁), and f
//! decreases along V and increases along −V at order H. So for H ≥ 3 the origin is a
//! non-strict saddle (Kawaguchi 2016's deep linear nets; here with the cross-entropy
//! loss, whose ∂ℓ/∂Ŷ(0) = (1/q − y)/N is not zero). Near it ‖∇f(θ)‖ = O(‖θ‖^{H−1}):
//! gradient flow from scale s leaves it in a time ∝ s^{−(H−2)} (for ds/dt = s^{H−1}),
//! so the plateau lengthens as the scale shrinks. ReLU has φ′(0) = 0: its network's
//! derivatives at 0 vanish to every order the code computes, while f itself still moves
//! at order t^H along V (ReLU is positively homogeneous); what the classifier makes of
//! that is reported, not claimed.
//!
//! Measured: the classifier ([`classify`]) at the origin of bias-free networks of
//! `classify_depths` hidden layers of `classify_width` units, trained on 10% of the
//! digits (a dense Hessian, one HVP per parameter; the expansion above depends on
//! neither the width nor N) for linear, tanh and relu; then
//! training from s × Kaiming-normal weights (tanh, no biases, `depth` × `width`), for
//! every s in `small_scales`. The *plateau length* is the first evaluated step at which
//! the full-batch training loss is at most (1 − `plateau_drop`)·f(θ₀), i.e. 10% below
//! its starting value by default (evaluations every `eval_every` steps; none within the
//! run: censored). The slope of ln(plateau) against ln(1/s) is reported beside H − 2.
//!
//! # Large: explosion and saturation
//! ReLU is positively homogeneous and the biases start at 0, so scaling every weight by
//! s scales A_l by s^l exactly: Var A_L grows as s^{2L} and the logits as s^{L+1}; the
//! gradient grows as ‖∂f/∂W‖ ∝ s^L. tanh saturates instead: |u| ≫ 1 gives
//! tanh′(u) ≈ 0. Measured for relu and tanh (biases on) at every s in `large_scales`:
//! the activation variance of every hidden layer, the saturated fraction of the last
//! hidden layer (|tanh u| ≥ 0.99) and ‖∇f‖ at the start, and the training run. A run
//! *diverges* when its loss turns non-finite, and *trains* when its training loss
//! reaches ½ ln 10.
//!
//! Every run has its seeds from `random::stream(seed, i)` with i fixed per part, and the
//! runs go in parallel (rayon), collected in order: the same report on any thread count.

use std::fmt;

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::kaiming::{run_seeds, Sgd, LN_10, TRAINS_BELOW};
use super::{network, widths, Curve};
use crate::classify::{classify, ClassifyOptions};
use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::objective::Objective;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::verdict::Verdict;

/// Singular values above this fraction of the largest count toward the rank.
pub const RANK_TOL: f64 = 1e-8;

/// The networks whose origin is classified hold out this fraction of the digits (they
/// train on the other 10%).
pub const CLASSIFY_TEST_FRACTION: f64 = 0.9;

/// Options of [`init`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InitOptions {
    /// Hidden layers L of the trained networks (default 3, so H = 4 weight matrices).
    pub depth: usize,
    /// Units per hidden layer (default 64).
    pub width: usize,
    /// The base seed (default 0).
    pub seed: u64,
    /// The training (default 400 steps of batch 64, η = 0.05, μ = 0.9, evaluated every
    /// 10 steps).
    pub sgd: Sgd,
    /// Scales s of the small initialisation (× Kaiming normal), decreasing.
    pub small_scales: Vec<f64>,
    /// Scales s of the large initialisation (× Kaiming normal), increasing; 1 is the
    /// reference.
    pub large_scales: Vec<f64>,
    /// Hidden widths of the networks whose origin is classified (default 4).
    pub classify_width: usize,
    /// Hidden layers of the networks whose origin is classified (default 1, 2, 3: H =
    /// 2, 3, 4).
    pub classify_depths: Vec<usize>,
    /// The plateau ends when the loss is (1 − this)·f(θ₀) (default 0.1).
    pub plateau_drop: f64,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            depth: 3,
            width: 64,
            seed: 0,
            sgd: Sgd {
                steps: 400,
                lr: 0.05,
                momentum: 0.9,
                batch_size: 64,
                eval_every: 10,
            },
            small_scales: vec![1.0, 0.5, 0.3, 0.2, 0.1],
            large_scales: vec![1.0, 4.0, 16.0],
            classify_width: 4,
            classify_depths: vec![1, 2, 3],
            plateau_drop: 0.1,
        }
    }
}

impl InitOptions {
    /// The `--quick` size: width 32, 300 steps, three small scales, H = 2 and 3 classified.
    pub fn quick() -> Self {
        let mut o = InitOptions {
            width: 32,
            small_scales: vec![1.0, 0.5, 0.25],
            large_scales: vec![1.0, 16.0],
            classify_width: 3,
            classify_depths: vec![1, 2],
            ..InitOptions::default()
        };
        o.sgd.steps = 300;
        o
    }

    /// Checks the options; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("classify_width", self.classify_width),
        ])?;
        if self.classify_depths.is_empty() || self.classify_depths.contains(&0) {
            return Err(Error::invalid(
                "classify_depths",
                "a non-empty list of integers ≥ 1",
                format!("{:?}", self.classify_depths),
            ));
        }
        for (name, scales) in [
            ("small_scales", &self.small_scales),
            ("large_scales", &self.large_scales),
        ] {
            if scales.is_empty() || scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                return Err(Error::invalid(
                    name,
                    "a non-empty list of positive finite numbers",
                    format!("{scales:?}"),
                ));
            }
        }
        if !(self.plateau_drop > 0.0 && self.plateau_drop < 1.0) {
            return Err(Error::invalid(
                "plateau_drop",
                "a number in (0, 1)",
                self.plateau_drop,
            ));
        }
        self.sgd.validate()
    }
}

/// One weight matrix after training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainedLayer {
    /// l (the output layer is L + 1).
    pub layer: usize,
    /// ‖Wₗ(T) − Wₗ(0)‖_F.
    pub weight_moved: f64,
    /// ‖bₗ(T) − bₗ(0)‖ (0 without biases).
    pub bias_moved: f64,
    /// Singular values above [`RANK_TOL`]·σ_max.
    pub rank: usize,
    /// min(rows, columns): the largest rank possible.
    pub full_rank: usize,
    /// σ₂/σ₁ (0 for rank ≤ 1 in exact arithmetic; NaN for a zero matrix).
    pub second_singular_ratio: f64,
    /// The spread of the hidden units this matrix touches, relative to ‖W‖: maxᵢ
    /// ‖wᵢ − w₁‖ over its rows (l ≤ L: the units it feeds) and over its columns
    /// (l ≥ 2: the units it reads); 0 when they are identical or W = 0.
    pub unit_spread: f64,
}

/// A run from zero initialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZeroRun {
    /// The hidden activation.
    pub activation: String,
    /// The scheme (`zeros`, or `kaiming_normal` for the contrast run).
    pub initialisation: String,
    /// Every weight matrix after training.
    pub layers: Vec<TrainedLayer>,
    /// The training curve.
    pub curve: Curve,
    /// Singular values of W₂ (the first hidden-to-hidden matrix, or W₁ when L = 1)
    /// relative to the largest, after training (what the chart draws).
    pub singular_values: Vec<f64>,
}

/// The classifier at the origin of a bias-free network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OriginCheck {
    /// The activation.
    pub activation: String,
    /// Hidden layers L.
    pub hidden_layers: usize,
    /// H = L + 1 weight matrices.
    pub weight_matrices: usize,
    /// What the expansion predicts (linear and tanh: strict saddle for H = 2,
    /// non-strict for H ≥ 3); none for ReLU (reported only).
    pub expected: Option<Verdict>,
    /// The classifier's verdict.
    pub verdict: Verdict,
    /// f(0).
    pub value: f64,
    /// ‖∇f(0)‖.
    pub grad_norm: f64,
    /// λmin of the reduced Hessian.
    pub lambda_min: Option<f64>,
    /// λmax.
    pub lambda_max: Option<f64>,
    /// The classifier's reason.
    pub reason: String,
}

/// A run from a small initialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmallRun {
    /// s (× Kaiming normal).
    pub scale: f64,
    /// f(θ₀).
    pub start_loss: f64,
    /// The plateau length: the first evaluated step with loss ≤ (1 − drop)·f(θ₀); none
    /// when not within the run.
    pub plateau: Option<usize>,
    /// ‖∇f(θ₀)‖ (full batch).
    pub start_grad_norm: f64,
    /// The training curve.
    pub curve: Curve,
}

/// A run from a large (or the reference) initialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LargeRun {
    /// The hidden activation.
    pub activation: String,
    /// s (× Kaiming normal).
    pub scale: f64,
    /// Activation variance of hidden layers 1…L at the start.
    pub activation_variance: Vec<f64>,
    /// Fraction of saturated cells of the last hidden layer at the start (tanh).
    pub saturated_fraction: Option<f64>,
    /// ‖∇f(θ₀)‖ (full batch).
    pub start_grad_norm: f64,
    /// f(θ₀).
    pub start_loss: f64,
    /// The training curve (it stops where the loss turned non-finite).
    pub curve: Curve,
    /// The lowest training loss evaluated.
    pub min_loss: f64,
    /// The loss turned non-finite.
    pub diverged: bool,
    /// The training loss reached ½ ln 10.
    pub trains: bool,
    /// How the run ended.
    pub termination: String,
}

/// The report (the JSON of `landscape experiment init`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InitReport {
    /// The options.
    pub options: InitOptions,
    /// Zero initialisation per activation, then the Kaiming contrast (relu).
    pub zero: Vec<ZeroRun>,
    /// The classifier at the origin.
    pub origin: Vec<OriginCheck>,
    /// Small initialisations, in the order of `small_scales`.
    pub small: Vec<SmallRun>,
    /// Least-squares slope of ln(plateau) against ln(1/s) over the uncensored runs.
    pub plateau_exponent: Option<f64>,
    /// H − 2, the exponent of the gradient-flow escape time.
    pub predicted_exponent: f64,
    /// Large initialisations: relu at each scale, then tanh.
    pub large: Vec<LargeRun>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

/// The activations of the zero part.
pub const ZERO_ACTIVATIONS: [&str; 3] = ["relu", "tanh", "sigmoid"];
/// The activations classified at the origin.
pub const ORIGIN_ACTIVATIONS: [&str; 3] = ["linear", "tanh", "relu"];
/// The activations of the large part.
pub const LARGE_ACTIVATIONS: [&str; 2] = ["relu", "tanh"];

/// Runs the three parts.
///
/// Errors: invalid options (naming the field) and the classifier's errors.
pub fn init(options: &InitOptions) -> Result<InitReport> {
    init_with_progress(options, &Silent)
}

/// One unit of work: every job of the three parts, run in parallel.
enum Job {
    Zero(&'static str, &'static str),
    Origin(&'static str, usize),
    Small(f64),
    Large(&'static str, f64),
}

enum Done {
    Zero(ZeroRun),
    Origin(OriginCheck),
    Small(SmallRun),
    Large(LargeRun),
}

/// [`init`], telling `progress` of each finished run or classification (task `init`).
pub fn init_with_progress(options: &InitOptions, progress: &dyn Progress) -> Result<InitReport> {
    options.validate()?;
    let mut jobs: Vec<Job> = ZERO_ACTIVATIONS
        .iter()
        .map(|a| Job::Zero(a, "zeros"))
        .collect();
    jobs.push(Job::Zero("relu", "kaiming_normal"));
    for a in ORIGIN_ACTIVATIONS {
        jobs.extend(options.classify_depths.iter().map(|&l| Job::Origin(a, l)));
    }
    jobs.extend(options.small_scales.iter().map(|&s| Job::Small(s)));
    for a in LARGE_ACTIVATIONS {
        jobs.extend(options.large_scales.iter().map(|&s| Job::Large(a, s)));
    }
    progress.start("init", jobs.len() as u64);
    let done = jobs
        .par_iter()
        .map(|job| {
            let r = match *job {
                Job::Zero(a, scheme) => zero_run(a, scheme, options).map(Done::Zero),
                Job::Origin(a, l) => origin_check(a, l, options).map(Done::Origin),
                Job::Small(s) => small_run(s, options).map(Done::Small),
                Job::Large(a, s) => large_run(a, s, options).map(Done::Large),
            };
            progress.advance(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let (mut zero, mut origin, mut small, mut large) = (vec![], vec![], vec![], vec![]);
    for d in done {
        match d {
            Done::Zero(r) => zero.push(r),
            Done::Origin(r) => origin.push(r),
            Done::Small(r) => small.push(r),
            Done::Large(r) => large.push(r),
        }
    }
    let plateau_exponent = fitted_exponent(&small);
    let mut report = InitReport {
        options: options.clone(),
        zero,
        origin,
        small,
        plateau_exponent,
        predicted_exponent: options.depth as f64 - 1.0,
        large,
        claims: Vec::new(),
    };
    report.claims = claims(&report);
    Ok(report)
}

/// The trained network of the zero, small and large parts.
fn trained_network(activation: &str, bias: bool, options: &InitOptions) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(options.depth, options.width)),
        ("activation", activation.into()),
        ("bias", bias.into()),
    ])
}

/// s × the scheme's θ (biases are 0, so they stay 0).
fn scaled_start(f: &Mlp, scheme: &str, scale: f64, init_seed: u64) -> Result<Vec<f64>> {
    let mut x = f.initialise(scheme, init_seed)?;
    x.iter_mut().for_each(|v| *v *= scale);
    Ok(x)
}

/// Layer l's weight matrix (rows = units) and bias in θ.
fn layer_tensors<'a>(f: &Mlp, x: &'a [f64], l: usize) -> (usize, usize, &'a [f64], &'a [f64]) {
    let arch = f.architecture();
    let (n, n_in) = (arch.dims[l], arch.dims[l - 1]);
    let p = &arch.layers[l - 1];
    let w = &x[p.w..p.w + n * n_in];
    let b = p.b.map_or(&x[0..0], |b| &x[b..b + n]);
    (n, n_in, w, b)
}

/// Singular values of an n × m row-major matrix, largest first.
pub fn singular_values(w: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mut s: Vec<f64> = DMatrix::from_row_slice(n, m, w)
        .singular_values()
        .iter()
        .copied()
        .collect();
    s.sort_by(|a, b| b.total_cmp(a));
    s
}

/// The number of singular values above `RANK_TOL`·σ_max (0 for a zero matrix).
pub fn numerical_rank(singular: &[f64]) -> usize {
    let top = singular.first().copied().unwrap_or(0.0);
    if top == 0.0 {
        return 0;
    }
    singular.iter().filter(|&&s| s > RANK_TOL * top).count()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// maxᵢ ‖wᵢ − w₁‖ over the rows of a matrix with `m` columns.
fn row_spread(w: &[f64], m: usize) -> f64 {
    let first = &w[..m];
    w.chunks_exact(m)
        .map(|row| distance(row, first))
        .fold(0.0, f64::max)
}

fn trained_layer(f: &Mlp, x0: &[f64], x: &[f64], l: usize) -> (TrainedLayer, Vec<f64>) {
    let (n, m, w, b) = layer_tensors(f, x, l);
    let (_, _, w0, b0) = layer_tensors(f, x0, l);
    let s = singular_values(w, n, m);
    let norm = s.iter().map(|v| v * v).sum::<f64>().sqrt();
    // Units of a hidden layer are rows of its W (l ≤ L) and columns of the next W (l ≥ 2).
    let hidden = f.architecture().dims.len() - 2;
    let rows = if l <= hidden { row_spread(w, m) } else { 0.0 };
    let columns = if l >= 2 {
        let transposed: Vec<f64> = (0..m)
            .flat_map(|j| (0..n).map(move |i| w[i * m + j]))
            .collect();
        row_spread(&transposed, n)
    } else {
        0.0
    };
    let unit_spread = if norm == 0.0 {
        0.0
    } else {
        rows.max(columns) / norm
    };
    let layer = TrainedLayer {
        layer: l,
        weight_moved: distance(w, w0),
        bias_moved: distance(b, b0),
        rank: numerical_rank(&s),
        full_rank: n.min(m),
        second_singular_ratio: s.get(1).map_or(0.0, |s2| s2 / s[0]),
        unit_spread,
    };
    (layer, s)
}

fn zero_run(activation: &str, scheme: &str, options: &InitOptions) -> Result<ZeroRun> {
    let f = trained_network(activation, true, options)?;
    let (init_seed, batch_seed) = run_seeds(options.seed, 0);
    let x0 = f.initialise(scheme, init_seed)?;
    let t = options.sgd.train(&f, &x0, batch_seed)?;
    let x = &t.final_state.x;
    let layer_count = f.architecture().dims.len() - 1;
    let shown = if layer_count > 2 { 2 } else { 1 };
    let mut singular = Vec::new();
    let layers = (1..=layer_count)
        .map(|l| {
            let (layer, s) = trained_layer(&f, &x0, x, l);
            if l == shown {
                let top = s.first().copied().unwrap_or(0.0);
                singular = s.iter().map(|v| v / top).collect();
            }
            layer
        })
        .collect();
    Ok(ZeroRun {
        activation: activation.to_string(),
        initialisation: scheme.to_string(),
        layers,
        curve: Curve::of(&t),
        singular_values: singular,
    })
}

fn origin_check(activation: &str, hidden: usize, options: &InitOptions) -> Result<OriginCheck> {
    // 10% of the digits as training set: the expansion at 0 does not depend on N, and
    // the dense Hessian costs one HVP over the training set per parameter.
    let f = network(&[
        ("data", "digits".into()),
        ("test_fraction", CLASSIFY_TEST_FRACTION.into()),
        ("widths", widths(hidden, options.classify_width)),
        ("activation", activation.into()),
        ("bias", false.into()),
    ])?;
    let x = vec![0.0; f.dim()];
    let c = classify(&f, &x, &ClassifyOptions::default())?;
    let h = hidden + 1;
    let expected = (activation != "relu").then_some(if h >= 3 {
        Verdict::NonStrictSaddle
    } else {
        Verdict::StrictSaddle
    });
    Ok(OriginCheck {
        activation: activation.to_string(),
        hidden_layers: hidden,
        weight_matrices: h,
        expected,
        verdict: c.kind,
        value: c.value,
        grad_norm: c.grad_norm,
        lambda_min: c.lambda_min,
        lambda_max: c.lambda_max,
        reason: c.reason,
    })
}

fn small_run(scale: f64, options: &InitOptions) -> Result<SmallRun> {
    let f = trained_network("tanh", false, options)?;
    let (init_seed, batch_seed) = run_seeds(options.seed, 1);
    let x0 = scaled_start(&f, "kaiming_normal", scale, init_seed)?;
    let mut g = vec![0.0; f.dim()];
    let start_loss = f.value_and_gradient(&x0, &mut g);
    let t = options.sgd.train(&f, &x0, batch_seed)?;
    let curve = Curve::of(&t);
    Ok(SmallRun {
        scale,
        start_loss,
        plateau: curve.steps_to((1.0 - options.plateau_drop) * start_loss),
        start_grad_norm: crate::linalg::norm(&g),
        curve,
    })
}

fn large_run(activation: &str, scale: f64, options: &InitOptions) -> Result<LargeRun> {
    let f = trained_network(activation, true, options)?;
    let (init_seed, batch_seed) = run_seeds(options.seed, 2);
    let x0 = scaled_start(&f, "kaiming_normal", scale, init_seed)?;
    let start = f.layer_report(&x0);
    let hidden = &start.layers[..start.layers.len() - 1];
    let t = options.sgd.train(&f, &x0, batch_seed)?;
    let curve = Curve::of(&t);
    let min_loss = curve
        .train_loss
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let diverged = t.termination == crate::optim::Termination::Diverged
        || curve.train_loss.iter().any(|l| !l.is_finite());
    Ok(LargeRun {
        activation: activation.to_string(),
        scale,
        activation_variance: hidden.iter().map(|l| l.activation_variance).collect(),
        saturated_fraction: hidden.last().and_then(|l| l.saturated_fraction),
        start_grad_norm: start.grad_norm,
        start_loss: start.value,
        min_loss,
        diverged,
        trains: min_loss <= TRAINS_BELOW * LN_10,
        termination: t.termination.as_str().to_string(),
        curve,
    })
}

/// Least-squares slope of ln(plateau) against ln(1/s) over the uncensored runs (at least
/// two distinct scales).
fn fitted_exponent(small: &[SmallRun]) -> Option<f64> {
    let points: Vec<(f64, f64)> = small
        .iter()
        .filter_map(|r| {
            r.plateau
                .filter(|&p| p > 0)
                .map(|p| ((1.0 / r.scale).ln(), (p as f64).ln()))
        })
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

fn claims(r: &InitReport) -> Vec<Claim> {
    let zeros: Vec<&ZeroRun> = r
        .zero
        .iter()
        .filter(|z| z.initialisation == "zeros")
        .collect();
    let contrast = r.zero.iter().find(|z| z.initialisation != "zeros");
    let ranks = |z: &ZeroRun| -> Vec<usize> { z.layers.iter().map(|l| l.rank).collect() };
    let hidden_layers = r.options.depth;
    let mut claims = vec![Claim::new(
        "From zero initialisation the units of a layer stay identical (the symmetry is never \
         broken): every trained weight matrix has rank ≤ 1",
        zeros.iter().all(|z| {
            z.layers
                .iter()
                .all(|l| l.rank <= 1 && l.unit_spread <= RANK_TOL)
        }),
        json!({
            "rank_per_layer": zeros.iter().map(|z| (z.activation.clone(), ranks(z))).collect::<std::collections::BTreeMap<_, _>>(),
            "max_unit_spread": zeros.iter().map(|z| z.layers.iter().map(|l| l.unit_spread).fold(0.0, f64::max)).collect::<Vec<_>>(),
            "kaiming_ranks_for_contrast": contrast.map(ranks),
            "full_rank": zeros.first().map(|z| z.layers.iter().map(|l| l.full_rank).collect::<Vec<_>>()),
        }),
    )];
    if let Some(relu) = zeros.iter().find(|z| z.activation == "relu") {
        let hidden = &relu.layers[..hidden_layers];
        claims.push(Claim::new(
            "With ReLU (φ′(0) = 0) and zero initialisation the hidden layers never move",
            hidden
                .iter()
                .all(|l| l.weight_moved == 0.0 && l.bias_moved == 0.0),
            json!({
                "hidden_weight_moved": hidden.iter().map(|l| l.weight_moved).collect::<Vec<_>>(),
                "hidden_bias_moved": hidden.iter().map(|l| l.bias_moved).collect::<Vec<_>>(),
                "output_bias_moved": relu.layers.last().map(|l| l.bias_moved),
                "final_loss": relu.curve.final_loss(),
            }),
        ));
    }
    // Kawaguchi: linear and tanh, no bias.
    let kawaguchi: Vec<&OriginCheck> = r.origin.iter().filter(|o| o.expected.is_some()).collect();
    let relu_origin: Vec<String> = r
        .origin
        .iter()
        .filter(|o| o.expected.is_none())
        .map(|o| format!("H={}: {}", o.weight_matrices, o.verdict.name()))
        .collect();
    claims.push(Claim::new(
        "At the origin of a bias-free deep network (linear or tanh) the classifier finds a \
         non-strict saddle for H ≥ 3 weight matrices and a strict saddle for H = 2 \
         (Kawaguchi 2016)",
        !kawaguchi.is_empty() && kawaguchi.iter().all(|o| Some(o.verdict) == o.expected),
        json!({
            "verdicts": kawaguchi.iter().map(|o| format!("{} H={}: {}", o.activation, o.weight_matrices, o.verdict.name())).collect::<Vec<_>>(),
            "relu_reported_not_claimed": relu_origin,
        }),
    ));
    let plateaus: Vec<Option<usize>> = r.small.iter().map(|s| s.plateau).collect();
    claims.push(Claim::new(
        format!(
            "From a small initialisation training starts on a plateau that lengthens as the \
             scale shrinks (steps until the loss is {}% below its start)",
            100.0 * r.options.plateau_drop
        ),
        lengthens(&r.small),
        json!({
            "scales": r.small.iter().map(|s| s.scale).collect::<Vec<_>>(),
            "plateau_steps": plateaus,
            "fitted_exponent": r.plateau_exponent,
            "gradient_flow_exponent": r.predicted_exponent,
        }),
    ));
    let of = |a: &str| -> Vec<&LargeRun> { r.large.iter().filter(|l| l.activation == a).collect() };
    let (relu, tanh) = (of("relu"), of("tanh"));
    if let (Some(one), Some(big)) = (reference(&relu), largest(&relu)) {
        let s = big.scale;
        let var_ratio = big.activation_variance.last().copied().unwrap_or(f64::NAN)
            / one.activation_variance.last().copied().unwrap_or(f64::NAN);
        let grad_ratio = big.start_grad_norm / one.start_grad_norm;
        claims.push(Claim::new(
            format!(
                "A large ReLU initialisation explodes activations and gradients (×{s} weights: \
                 Var A_L grows as s^{{2L}}, ‖∇f‖ grows)"
            ),
            s > 1.0 && var_ratio >= s * s && grad_ratio >= s,
            json!({
                "scale": s,
                "last_hidden_variance_ratio": var_ratio,
                "predicted_variance_ratio": s.powi(2 * hidden_layers as i32),
                "grad_norm_ratio": grad_ratio,
            }),
        ));
    }
    if let (Some(one), Some(big)) = (reference(&tanh), largest(&tanh)) {
        claims.push(Claim::new(
            format!(
                "A large tanh initialisation saturates the units (×{} weights: most of the \
                 last hidden layer has |tanh u| ≥ 0.99)",
                big.scale
            ),
            big.scale > 1.0 && big.saturated_fraction.is_some_and(|f| f >= 0.5),
            json!({
                "scale": big.scale,
                "saturated_fraction": big.saturated_fraction,
                "saturated_fraction_at_1": one.saturated_fraction,
            }),
        ));
    }
    for (name, runs) in [("ReLU", &relu), ("tanh", &tanh)] {
        if let (Some(one), Some(big)) = (reference(runs), largest(runs)) {
            claims.push(Claim::new(
                format!(
                    "Training a {name} network from a large initialisation (×{} weights) \
                     diverges or stalls (its loss never reaches ½ ln 10), where the Kaiming \
                     scale trains at the same learning rate",
                    big.scale
                ),
                big.scale > 1.0 && !big.trains && one.trains,
                json!({
                    "scale": big.scale,
                    "diverged": big.diverged,
                    "start_loss": big.start_loss,
                    "min_loss": big.min_loss,
                    "final_loss": big.curve.final_loss(),
                    "kaiming_min_loss": one.min_loss,
                }),
            ));
        }
    }
    claims
}

/// The run at scale 1 (the Kaiming reference).
fn reference<'a>(runs: &[&'a LargeRun]) -> Option<&'a LargeRun> {
    runs.iter().find(|l| l.scale == 1.0).copied()
}

/// The run at the largest scale.
fn largest<'a>(runs: &[&'a LargeRun]) -> Option<&'a LargeRun> {
    runs.iter()
        .copied()
        .max_by(|a, b| a.scale.total_cmp(&b.scale))
}

/// Plateau lengths (censored = longer than the run) never shorten as the scale shrinks,
/// and at least two runs end their plateau with the smaller scale's strictly longer.
fn lengthens(small: &[SmallRun]) -> bool {
    let mut runs: Vec<&SmallRun> = small.iter().collect();
    runs.sort_by(|a, b| b.scale.total_cmp(&a.scale));
    let length = |r: &SmallRun| r.plateau.map_or(f64::INFINITY, |p| p as f64);
    let finite: Vec<f64> = runs
        .iter()
        .map(|r| length(r))
        .filter(|l| l.is_finite())
        .collect();
    runs.windows(2).all(|w| length(w[1]) >= length(w[0]))
        && finite.len() >= 2
        && finite.last() > finite.first()
}

impl fmt::Display for InitReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Initialisation: {} hidden layers of {} units on the digits; heavy_ball η = {}, \
             μ = {}, batch {}, {} steps",
            o.depth, o.width, o.sgd.lr, o.sgd.momentum, o.sgd.batch_size, o.sgd.steps
        )?;
        writeln!(
            out,
            "\nzero initialisation (biases on): trained weight matrices"
        )?;
        writeln!(
            out,
            "{:<8} {:<15} {:>5} {:>12} {:>12} {:>6} {:>10} {:>10} {:>9}",
            "act", "init", "layer", "‖W−W₀‖", "‖b−b₀‖", "rank", "σ₂/σ₁", "spread", "test acc"
        )?;
        for z in &self.zero {
            let acc = z
                .curve
                .final_accuracy()
                .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a));
            for (i, l) in z.layers.iter().enumerate() {
                writeln!(
                    out,
                    "{:<8} {:<15} {:>5} {:>12.4e} {:>12.4e} {:>3}/{:<2} {:>10.2e} {:>10.2e} {:>9}",
                    z.activation,
                    z.initialisation,
                    l.layer,
                    l.weight_moved,
                    l.bias_moved,
                    l.rank,
                    l.full_rank,
                    l.second_singular_ratio,
                    l.unit_spread,
                    if i == 0 { acc.as_str() } else { "" }
                )?;
            }
        }
        writeln!(
            out,
            "\nthe origin of bias-free networks of width {}, classified",
            o.classify_width
        )?;
        writeln!(
            out,
            "{:<8} {:>2} {:<18} {:<18} {:>11} {:>11}",
            "act", "H", "verdict", "expected", "λmin", "λmax"
        )?;
        for c in &self.origin {
            let l = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2e}"));
            writeln!(
                out,
                "{:<8} {:>2} {:<18} {:<18} {:>11} {:>11}",
                c.activation,
                c.weight_matrices,
                c.verdict.name(),
                c.expected.map_or("(reported)", |e| e.name()),
                l(c.lambda_min),
                l(c.lambda_max)
            )?;
        }
        writeln!(
            out,
            "\nsmall initialisation (tanh, no biases, s × Kaiming normal): plateau = steps to a \
             loss {}% below the start",
            100.0 * o.plateau_drop
        )?;
        writeln!(
            out,
            "{:>8} {:>10} {:>11} {:>10} {:>10} {:>9}",
            "s", "loss₀", "‖∇f‖₀", "plateau", "loss_T", "test acc"
        )?;
        for s in &self.small {
            writeln!(
                out,
                "{:>8} {:>10.4} {:>11.3e} {:>10} {:>10.4} {:>9}",
                s.scale,
                s.start_loss,
                s.start_grad_norm,
                s.plateau
                    .map_or(format!(">{}", o.sgd.steps), |p| p.to_string()),
                s.curve.final_loss(),
                s.curve
                    .final_accuracy()
                    .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a))
            )?;
        }
        writeln!(
            out,
            "plateau ∝ (1/s)^k: fitted k = {}, gradient flow near the origin: k = H − 2 = {}",
            self.plateau_exponent
                .map_or("–".into(), |k| format!("{k:.2}")),
            self.predicted_exponent
        )?;
        writeln!(
            out,
            "\nlarge initialisation (biases on, s × Kaiming normal)"
        )?;
        writeln!(
            out,
            "{:<6} {:>6} {:>11} {:>10} {:>11} {:>11} {:>10}  end",
            "act", "s", "Var A_L", "saturated", "‖∇f‖₀", "loss₀", "loss_T"
        )?;
        for l in &self.large {
            writeln!(
                out,
                "{:<6} {:>6} {:>11.3e} {:>10} {:>11.3e} {:>11.4e} {:>10.4}  {}",
                l.activation,
                l.scale,
                l.activation_variance.last().copied().unwrap_or(f64::NAN),
                l.saturated_fraction
                    .map_or("–".into(), |f| format!("{:.1}%", 100.0 * f)),
                l.start_grad_norm,
                l.start_loss,
                l.curve.final_loss(),
                l.termination
            )?;
        }
        writeln!(out)?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}
