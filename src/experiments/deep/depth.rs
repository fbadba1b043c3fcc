//! Depth and gradients (`landscape experiment depth`): at initialisation, how the
//! activations' variance and the gradients change from layer to layer of a deep
//! network, measured and set against mean-field theory.
//!
//! # What is measured
//! A network of L hidden layers of width n on the standardised 8×8 digits (p = 64
//! inputs, so with n = 64 every hidden layer is square; cross-entropy over 10 classes,
//! zero biases), for each activation φ and each initialisation: per hidden layer
//! l = 1…L, from [`Mlp::layer_report`] on the training set (1,437 images), averaged
//! (arithmetic mean) over seeds:
//!
//! - Var\[Aₗ\], the variance of the activations over all samples and units (and Var\[Zₗ\]
//!   of the pre-activations);
//! - ‖∂f/∂Aₗ‖, the gradient backpropagated to the layer's output;
//! - ‖∂f/∂Wₗ‖, the norm of the layer's weight gradient (what the chart draws);
//! - ‖Wₗ‖₂, the spectral norm of the weights (power iteration), for the worst-case bound.
//!
//! # The growth factor per layer
//! Each per-layer sequence is fitted by least squares of log(value) against l over
//! l = 1…L (the output layer excluded; layers where the value is 0 or not finite are
//! left out and counted): log vₗ ≈ a + b·l. The *forward* factor of Var\[Aₗ\] is e^b (per
//! layer towards the output); the *backward* factors of ‖∂f/∂Aₗ‖ and ‖∂f/∂Wₗ‖ are e^{−b}
//! (per layer towards the input, the direction backpropagation goes): below 1 the
//! gradient vanishes on its way to the input, above 1 it explodes.
//!
//! # What theory predicts
//! Mean-field propagation (Poole et al. 2016, Schoenholz et al. 2017), with weights
//! i.i.d. of mean 0 and variance σₗ² and zero biases: the pre-activation Zₗ has, over
//! the weights, mean 0 and variance
//!
//!   qₗ = nₗ₋₁ σₗ² mₗ₋₁,   mₗ = E[φ(√qₗ ξ)²],  ξ ~ N(0, 1),  m₀ = mean of the inputs' squares,
//!
//! the activations have Var\[Aₗ\] = mₗ − E[φ(√qₗ ξ)]², and the backpropagated gradient
//! (assuming, as the theory does, the backward weights independent of the forward ones)
//!
//!   ‖∂f/∂Aₗ₋₁‖² ≈ χₗ ‖∂f/∂Aₗ‖²,   χₗ = nₗ₋₁ σₗ² E[φ′(√qₗ ξ)²],
//!
//! and ‖∂f/∂Wₗ‖² ≈ E[φ′(√qₗ ξ)²] ‖∂f/∂Aₗ‖² · mₗ₋₁ (per sample; this one ignores the
//! correlation between samples). These sequences are computed by quadrature and fitted
//! exactly as the measurements are, so *predicted factor* means the same fit on the
//! theory's sequence. On square layers (nσ² the same in every layer) they give:
//!
//! | φ            | Var\[Aₗ\] factor        | ‖∂f/∂Aₗ‖ factor (towards the input)          |
//! |--------------|-----------------------|----------------------------------------------|
//! | `linear`     | nσ²                   | √(nσ²)                                       |
//! | `relu`       | nσ²/2                 | √(nσ²/2)                                     |
//! | `leaky_relu` | nσ²(1 + α²)/2         | √(nσ²(1 + α²)/2)                             |
//! | `tanh`       | ≤ nσ² (|tanh z| ≤ |z|) | ≤ √(nσ²); → √(nσ²) as q → 0                 |
//! | `sigmoid`    | → 1 (a fixed point q*) | ≤ √(nσ²)/4 (σ′ ≤ ¼); → √(nσ²)/4 as q → 0    |
//! | `gelu`, `softplus` | no constant factor | ≤ 1.13·√(nσ²), ≤ √(nσ²)                 |
//! | `quadratic`  | none: qₗ = 3nσ²qₗ₋₁² (doubly exponential) | none                     |
//!
//! With nσ² = 2 (Kaiming, ReLU's gain √2) ReLU's factors are exactly 1; with Xavier on
//! square layers (σ² = 2/(n + n) = 1/n) the variance halves per layer and the gradient
//! norm shrinks by 1/√2; std 0.01 with n = 64 gives nσ² = 0.0064 (vanishing), std 1
//! gives nσ² = 64 (exploding, unless the activation saturates). The sigmoid bound
//! "at most ¼ per layer" is the mean-field one with nσ² = 1 (Xavier and Kaiming on square
//! layers); the worst-case bound of one matrix is ‖∂f/∂Aₗ₋₁‖ ≤ ¼‖Wₗ‖₂‖∂f/∂Aₗ‖, and
//! ‖Wₗ‖₂ ≈ 2√(nσ²) for a square Gaussian matrix, so that bound is only ½·√(nσ²).
//! Both are in the report.

use std::fmt;

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{network, widths};
use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::problems::mlp::activation::Activation;
use crate::problems::mlp::init::Scheme;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::random::stream;

/// Relative tolerance on a factor that theory gives exactly (5% per layer).
pub const TOLERANCE: f64 = 0.05;

/// The initialisations by their short names: `small` (normal=0.01), `large` (normal=1),
/// `xavier` (xavier_normal), `kaiming` (kaiming_normal); any other name is taken as a
/// scheme of [`crate::problems::mlp::init`] (e.g. `orthogonal`, `normal=0.1`).
pub fn scheme_of(init: &str) -> Result<String> {
    let scheme = match init {
        "small" => "normal=0.01",
        "large" => "normal=1",
        "xavier" => "xavier_normal",
        "kaiming" => "kaiming_normal",
        other => other,
    };
    Scheme::parse(scheme).map_err(|_| {
        Error::invalid(
            "inits",
            "small, large, xavier, kaiming or a scheme (normal=σ, uniform=a, xavier_uniform, kaiming_uniform, orthogonal, …)",
            format!("`{init}`"),
        )
    })?;
    Ok(scheme.to_string())
}

/// The variance σ² of a weight of a layer with `fan_in` and `fan_out` drawn by
/// `scheme` with `gain`; `None` where the weights do not have mean 0 (constant).
pub fn weight_variance(scheme: Scheme, fan_in: usize, fan_out: usize, gain: f64) -> Option<f64> {
    let (fi, fo) = (fan_in as f64, fan_out as f64);
    Some(match scheme {
        Scheme::Zeros => 0.0,
        Scheme::Constant(c) => {
            if c == 0.0 {
                0.0
            } else {
                return None;
            }
        }
        Scheme::Normal(s) => s * s,
        Scheme::Uniform(a) => a * a / 3.0,
        Scheme::XavierNormal | Scheme::XavierUniform => 2.0 / (fi + fo),
        Scheme::KaimingNormal(out) | Scheme::KaimingUniform(out) => {
            gain * gain / if out { fo } else { fi }
        }
        // Orthonormal rows (or columns): each entry has variance 1/max(fan_in, fan_out).
        Scheme::Orthogonal => 1.0 / fi.max(fo),
    })
}

/// Options of [`depth`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthOptions {
    /// Hidden layers L (≥ 1); default 50.
    pub depth: usize,
    /// Width n of every hidden layer (≥ 1); default 64 (square with the digits' 64 inputs).
    pub width: usize,
    /// Activations (names of the `mlp` kind).
    pub activations: Vec<String>,
    /// Initialisations ([`scheme_of`]).
    pub inits: Vec<String>,
    /// Training images the statistics are taken on (the first of the digits' training
    /// split, 1 to 1,437); default 400.
    pub images: usize,
    /// Seeds averaged over (≥ 1); seed s draws the weights from `random::stream(seed, s)`.
    pub seeds: usize,
    /// The seed.
    pub seed: u64,
}

impl Default for DepthOptions {
    fn default() -> Self {
        DepthOptions {
            depth: 50,
            width: 64,
            activations: [
                "linear",
                "relu",
                "leaky_relu",
                "tanh",
                "sigmoid",
                "softplus",
                "gelu",
                "quadratic",
            ]
            .map(String::from)
            .to_vec(),
            inits: ["small", "large", "xavier", "kaiming"]
                .map(String::from)
                .to_vec(),
            images: 400,
            seeds: 3,
            seed: 0,
        }
    }
}

impl DepthOptions {
    /// The `--quick` size: depth 12, width 32, 200 images, 2 seeds, relu, tanh and
    /// sigmoid.
    pub fn quick() -> Self {
        DepthOptions {
            depth: 12,
            width: 32,
            images: 200,
            activations: ["relu", "tanh", "sigmoid"].map(String::from).to_vec(),
            seeds: 2,
            ..DepthOptions::default()
        }
    }

    fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("seeds", self.seeds),
        ])?;
        if !(1..=DIGITS_TRAIN).contains(&self.images) {
            return Err(Error::invalid(
                "images",
                format!("an integer from 1 to {DIGITS_TRAIN}"),
                self.images,
            ));
        }
        if self.activations.is_empty() {
            return Err(Error::invalid(
                "activations",
                "at least one activation",
                "none",
            ));
        }
        if self.inits.is_empty() {
            return Err(Error::invalid(
                "inits",
                "at least one initialisation",
                "none",
            ));
        }
        for a in &self.activations {
            Activation::parse(a, 0.01)?;
        }
        for i in &self.inits {
            scheme_of(i)?;
        }
        Ok(())
    }
}

/// Images in the digits' training split (80% of 1,797).
pub const DIGITS_TRAIN: usize = 1437;

/// A network of `depth` hidden layers of `width` with `activation` on the digits.
pub fn digits_network(depth: usize, width: usize, activation: &str) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(depth, width)),
        ("activation", activation.into()),
    ])
}

/// Per hidden layer l = 1…L, averaged over seeds (module doc).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerProfile {
    /// Var\[Zₗ\].
    pub pre_activation_variance: Vec<f64>,
    /// Var\[Aₗ\].
    pub activation_variance: Vec<f64>,
    /// ‖∂f/∂Aₗ‖.
    pub grad_output_norm: Vec<f64>,
    /// ‖∂f/∂Wₗ‖.
    pub grad_weight_norm: Vec<f64>,
    /// ‖Wₗ‖₂.
    pub weight_spectral_norm: Vec<f64>,
    /// Fraction of dead ReLU units or saturated tanh/sigmoid cells (where defined).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dead_or_saturated: Vec<f64>,
    /// f at the initialisation, averaged over seeds.
    pub loss: f64,
}

/// Largest singular value of the n × n_in row-major `w`, by 40 steps of power iteration
/// on WᵀW from the all-ones vector.
fn spectral_norm(w: &[f64], n: usize, n_in: usize) -> f64 {
    let mut v = vec![1.0 / (n_in as f64).sqrt(); n_in];
    let mut u = vec![0.0; n];
    let mut sigma = 0.0;
    for _ in 0..40 {
        for (i, ui) in u.iter_mut().enumerate() {
            *ui = w[i * n_in..(i + 1) * n_in]
                .iter()
                .zip(&v)
                .map(|(a, b)| a * b)
                .sum();
        }
        v.fill(0.0);
        for (i, ui) in u.iter().enumerate() {
            for (vj, wij) in v.iter_mut().zip(&w[i * n_in..(i + 1) * n_in]) {
                *vj += wij * ui;
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return if norm == 0.0 { 0.0 } else { f64::NAN };
        }
        sigma = norm.sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
    }
    sigma
}

/// θ of `network` for `init` (a scheme) from seed `seed`, stream `s`; with `gain_scale`
/// every hidden layer's weights are multiplied by it (the activations experiment's He
/// initialisation of gelu).
pub fn draw_init(
    network: &Mlp,
    scheme: &str,
    seed: u64,
    s: usize,
    gain_scale: f64,
) -> Result<Vec<f64>> {
    let draw_seed: u64 = stream(seed, s as u64).random();
    let mut theta = network.initialise(scheme, draw_seed)?;
    if gain_scale != 1.0 {
        let arch = network.architecture();
        for l in 1..=arch.hidden() {
            let w = arch.layers[l - 1].w;
            let len = arch.dims[l] * arch.dims[l - 1];
            theta[w..w + len].iter_mut().for_each(|v| *v *= gain_scale);
        }
    }
    Ok(theta)
}

/// The profile of one θ.
pub fn profile_at(network: &Mlp, theta: &[f64]) -> LayerProfile {
    let report = network.layer_report(theta);
    let arch = network.architecture();
    let hidden = &report.layers[..arch.hidden()];
    LayerProfile {
        pre_activation_variance: hidden.iter().map(|s| s.pre_activation_variance).collect(),
        activation_variance: hidden.iter().map(|s| s.activation_variance).collect(),
        grad_output_norm: hidden.iter().map(|s| s.grad_output_norm).collect(),
        grad_weight_norm: hidden.iter().map(|s| s.grad_weight_norm).collect(),
        weight_spectral_norm: (1..=arch.hidden())
            .map(|l| {
                let (n, n_in) = (arch.dims[l], arch.dims[l - 1]);
                let w = arch.layers[l - 1].w;
                spectral_norm(&theta[w..w + n * n_in], n, n_in)
            })
            .collect(),
        dead_or_saturated: hidden
            .iter()
            .filter_map(|s| s.dead_fraction.or(s.saturated_fraction))
            .collect(),
        loss: report.value,
    }
}

/// The elementwise mean of profiles.
pub fn mean_profile(profiles: &[LayerProfile]) -> LayerProfile {
    let k = profiles.len() as f64;
    let mean = |get: fn(&LayerProfile) -> &Vec<f64>| -> Vec<f64> {
        let len = get(&profiles[0]).len();
        (0..len)
            .map(|i| profiles.iter().map(|p| get(p)[i]).sum::<f64>() / k)
            .collect()
    };
    LayerProfile {
        pre_activation_variance: mean(|p| &p.pre_activation_variance),
        activation_variance: mean(|p| &p.activation_variance),
        grad_output_norm: mean(|p| &p.grad_output_norm),
        grad_weight_norm: mean(|p| &p.grad_weight_norm),
        weight_spectral_norm: mean(|p| &p.weight_spectral_norm),
        dead_or_saturated: mean(|p| &p.dead_or_saturated),
        loss: profiles.iter().map(|p| p.loss).sum::<f64>() / k,
    }
}

/// A log-linear least-squares fit of a per-layer quantity against l = 1…L.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// The factor per layer (e^b forward, e^{−b} backward; module doc); `None` with
    /// fewer than two usable layers.
    pub factor: Option<f64>,
    /// Layers whose value was positive and finite (the ones fitted).
    pub layers: usize,
}

/// Fits log vₗ = a + b·l (l = 1, 2, …) over the positive finite values; the factor is
/// e^b, or e^{−b} when `backward`.
pub fn fit(values: &[f64], backward: bool) -> Fit {
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite() && **v > 0.0)
        .map(|(i, v)| ((i + 1) as f64, v.ln()))
        .collect();
    let k = points.len();
    if k < 2 {
        return Fit {
            factor: None,
            layers: k,
        };
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / k as f64;
    let my = points.iter().map(|p| p.1).sum::<f64>() / k as f64;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = sxy / sxx;
    Fit {
        factor: Some(if backward {
            (-slope).exp()
        } else {
            slope.exp()
        }),
        layers: k,
    }
}

/// E[h(√q ξ)] for ξ ~ N(0, 1), by the midpoint rule on [−12, 12] (4,800 cells, none
/// centred on 0: spectrally accurate for the smooth integrands, exact for ReLU's step φ′
/// whose jump at 0 falls on a cell boundary, O(step²) ≈ 1e-6 relative at ReLU's kink).
fn gaussian_mean(q: f64, h: impl Fn(f64) -> f64) -> f64 {
    const CELLS: usize = 4800;
    let step = 24.0 / CELLS as f64;
    let s = q.sqrt();
    let total: f64 = (0..CELLS)
        .map(|i| {
            let xi = -12.0 + (i as f64 + 0.5) * step;
            (-0.5 * xi * xi).exp() * h(s * xi)
        })
        .sum();
    total * step / (2.0 * std::f64::consts::PI).sqrt()
}

/// The mean-field sequences of the module doc, per hidden layer l = 1…L (the
/// gradient ones up to a common constant: ‖∂f/∂A_L‖ = 1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanField {
    /// qₗ.
    pub pre_activation_variance: Vec<f64>,
    /// Var\[Aₗ\].
    pub activation_variance: Vec<f64>,
    /// ‖∂f/∂Aₗ‖ relative to the last hidden layer's.
    pub grad_output_norm: Vec<f64>,
    /// ‖∂f/∂Wₗ‖ up to a constant.
    pub grad_weight_norm: Vec<f64>,
}

/// The mean-field sequences for `phi` on layers of `dims` (n₀…n_L) with weight
/// variances `sigma2` (layers 1…L) and input second moment `m0`.
pub fn mean_field(phi: Activation, dims: &[usize], sigma2: &[f64], m0: f64) -> MeanField {
    let depth = sigma2.len();
    let mut mf = MeanField::default();
    let mut m = m0;
    let mut slope2 = Vec::with_capacity(depth);
    let mut m_before = Vec::with_capacity(depth);
    for l in 1..=depth {
        let q = dims[l - 1] as f64 * sigma2[l - 1] * m;
        m_before.push(m);
        m = gaussian_mean(q, |z| phi.value(z).powi(2));
        let mean = gaussian_mean(q, |z| phi.value(z));
        mf.pre_activation_variance.push(q);
        mf.activation_variance.push(m - mean * mean);
        slope2.push(gaussian_mean(q, |z| phi.derivatives(z).0.powi(2)));
    }
    // ‖∂f/∂A_L‖² = 1; ‖∂f/∂Aₗ₋₁‖² = nₗ₋₁σₗ²E[φ′(Zₗ)²]‖∂f/∂Aₗ‖².
    let mut b = vec![1.0; depth];
    for l in (1..depth).rev() {
        b[l - 1] = dims[l] as f64 * sigma2[l] * slope2[l] * b[l];
    }
    mf.grad_output_norm = b.iter().map(|v| v.sqrt()).collect();
    mf.grad_weight_norm = (0..depth)
        .map(|i| (slope2[i] * b[i] * m_before[i]).sqrt())
        .collect();
    mf
}

/// The largest |φ′|: the Lipschitz constant behind the gradient bounds (`None`: unbounded).
pub fn max_slope(phi: Activation) -> Option<f64> {
    match phi {
        Activation::Sigmoid => Some(0.25),
        Activation::Quadratic => None,
        // max of Φ(z) + zϕ(z), at z = √2.
        Activation::Gelu => Some(1.128_904_145_3),
        Activation::LeakyRelu(a) => Some(a.abs().max(1.0)),
        _ => Some(1.0),
    }
}

/// The fitted factors of one case, measured or predicted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Factors {
    /// Var\[Aₗ\], per layer towards the output.
    pub activation_variance: Fit,
    /// ‖∂f/∂Aₗ‖, per layer towards the input.
    pub grad_output_norm: Fit,
    /// ‖∂f/∂Wₗ‖, per layer towards the input.
    pub grad_weight_norm: Fit,
}

impl Factors {
    fn of(activation_variance: &[f64], grad_output_norm: &[f64], grad_weight_norm: &[f64]) -> Self {
        Factors {
            activation_variance: fit(activation_variance, false),
            grad_output_norm: fit(grad_output_norm, true),
            grad_weight_norm: fit(grad_weight_norm, true),
        }
    }
}

/// What the backpropagated gradient does towards the input: its fitted factor below
/// 1 − [`TOLERANCE`] (`vanishes`), above 1 + [`TOLERANCE`] (`explodes`), or in between
/// (`steady`); without a fit, `vanishes` when it underflowed to 0 and `explodes` when
/// it overflowed (not finite).
pub fn regime(grad_output_norm: &[f64], fit: Fit) -> &'static str {
    match fit.factor {
        Some(f) if f < 1.0 - TOLERANCE => "vanishes",
        Some(f) if f > 1.0 + TOLERANCE => "explodes",
        Some(_) => "steady",
        None if grad_output_norm.iter().any(|v| !v.is_finite()) => "explodes",
        None => "vanishes",
    }
}

/// One activation × initialisation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthCase {
    /// φ.
    pub activation: String,
    /// The initialisation's name as given.
    pub init: String,
    /// Its scheme.
    pub scheme: String,
    /// n·σ² of the hidden layers 2…L (square; layer 1's fan-in is the input's); `None`
    /// for a scheme without mean-0 weights.
    pub n_sigma2: Option<f64>,
    /// The per-layer measurements, averaged over seeds.
    pub measured: LayerProfile,
    /// The fitted factors of the measurements.
    pub measured_factors: Factors,
    /// Mean-field theory's sequences (`None` without mean-0 weights).
    pub mean_field: Option<MeanField>,
    /// The same fits on theory's sequences.
    pub predicted_factors: Option<Factors>,
    /// The backpropagated gradient's [`regime`].
    pub gradient: String,
    /// max|φ′|·√(nσ²): the mean-field bound on the ‖∂f/∂Aₗ‖ factor.
    pub mean_field_bound: Option<f64>,
    /// max|φ′|·(mean over layers of ‖Wₗ‖₂): the worst-case bound on it.
    pub worst_case_bound: Option<f64>,
}

/// The report of [`depth`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DepthReport {
    /// What was run.
    pub options: DepthOptions,
    /// The inputs' mean square m₀ (standardised digits; constant pixels stay 0).
    pub input_second_moment: f64,
    /// One per activation × initialisation, activation-major.
    pub cases: Vec<DepthCase>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl DepthReport {
    /// The case of `activation` and `init`, if run.
    pub fn case(&self, activation: &str, init: &str) -> Option<&DepthCase> {
        self.cases
            .iter()
            .find(|c| c.activation == activation && c.init == init)
    }
}

/// [`depth_with_progress`] without progress.
pub fn depth(options: &DepthOptions) -> Result<DepthReport> {
    depth_with_progress(options, &Silent)
}

/// Runs the experiment (module doc), telling `progress` of each seed done (task
/// `depth`, one unit per activation × initialisation × seed).
pub fn depth_with_progress(options: &DepthOptions, progress: &dyn Progress) -> Result<DepthReport> {
    options.validate()?;
    let networks = options
        .activations
        .iter()
        .map(|a| {
            let full = digits_network(options.depth, options.width, a)?;
            let rows: Vec<usize> = (0..options.images).collect();
            Ok(Mlp::new(
                full.architecture().clone(),
                full.train().select(&rows),
                None,
            ))
        })
        .collect::<Result<Vec<Mlp>>>()?;
    let schemes = options
        .inits
        .iter()
        .map(|i| scheme_of(i))
        .collect::<Result<Vec<String>>>()?;
    let jobs: Vec<(usize, usize, usize)> = (0..networks.len())
        .flat_map(|a| {
            (0..schemes.len()).flat_map(move |i| (0..options.seeds).map(move |s| (a, i, s)))
        })
        .collect();
    progress.start("depth", jobs.len() as u64);
    let profiles = jobs
        .par_iter()
        .map(|&(a, i, s)| {
            let theta = draw_init(&networks[a], &schemes[i], options.seed, s, 1.0)?;
            let p = profile_at(&networks[a], &theta);
            progress.advance(1);
            Ok(p)
        })
        .collect::<Result<Vec<LayerProfile>>>()?;
    progress.finish();
    let train = networks[0].train();
    let m0 = train.x.iter().map(|v| v * v).sum::<f64>() / train.x.len() as f64;
    let mut cases = Vec::new();
    for (a, net) in networks.iter().enumerate() {
        for (i, scheme) in schemes.iter().enumerate() {
            let start = (a * schemes.len() + i) * options.seeds;
            let measured = mean_profile(&profiles[start..start + options.seeds]);
            cases.push(case(
                net,
                &options.activations[a],
                &options.inits[i],
                scheme,
                1.0,
                measured,
                m0,
            )?);
        }
    }
    let claims = depth_claims(&cases);
    Ok(DepthReport {
        options: options.clone(),
        input_second_moment: m0,
        cases,
        claims,
    })
}

/// A case's fits, theory and bounds from its measured profile; `sigma2_scale`
/// multiplies the scheme's weight variance (for weights drawn by it and rescaled).
pub fn case(
    net: &Mlp,
    activation: &str,
    init: &str,
    scheme: &str,
    sigma2_scale: f64,
    measured: LayerProfile,
    m0: f64,
) -> Result<DepthCase> {
    let arch = net.architecture();
    let phi = arch.activations[0];
    let parsed = Scheme::parse(scheme)?;
    let depth = arch.hidden();
    let sigma2: Option<Vec<f64>> = (1..=depth)
        .map(|l| {
            weight_variance(parsed, arch.dims[l - 1], arch.dims[l], phi.gain())
                .map(|v| v * sigma2_scale)
        })
        .collect();
    let n_sigma2 = sigma2.as_ref().map(|s| {
        let l = depth.min(2);
        arch.dims[l - 1] as f64 * s[l - 1]
    });
    let mean_field = sigma2
        .as_ref()
        .map(|s| mean_field(phi, &arch.dims[..=depth], s, m0));
    // Quadratic has no constant factor (qₗ = 3nσ²qₗ₋₁²): no fit to predict.
    let predicted_factors = mean_field
        .as_ref()
        .filter(|_| phi != Activation::Quadratic)
        .map(|mf| {
            Factors::of(
                &mf.activation_variance,
                &mf.grad_output_norm,
                &mf.grad_weight_norm,
            )
        });
    let measured_factors = Factors::of(
        &measured.activation_variance,
        &measured.grad_output_norm,
        &measured.grad_weight_norm,
    );
    let mean_norm = measured.weight_spectral_norm.iter().sum::<f64>()
        / measured.weight_spectral_norm.len().max(1) as f64;
    Ok(DepthCase {
        activation: activation.to_string(),
        init: init.to_string(),
        scheme: scheme.to_string(),
        n_sigma2,
        gradient: regime(
            &measured.grad_output_norm,
            measured_factors.grad_output_norm,
        )
        .to_string(),
        measured_factors,
        mean_field,
        predicted_factors,
        mean_field_bound: max_slope(phi).zip(n_sigma2).map(|(s, v)| s * v.sqrt()),
        worst_case_bound: max_slope(phi).map(|s| s * mean_norm),
        measured,
    })
}

fn within(measured: Option<f64>, expected: f64) -> bool {
    measured.is_some_and(|m| (m / expected - 1.0).abs() <= TOLERANCE)
}

/// The course's statements on the cases that were run (a statement whose cases are
/// missing is left out).
fn depth_claims(cases: &[DepthCase]) -> Vec<Claim> {
    let find = |a: &str, i: &str| cases.iter().find(|c| c.activation == a && c.init == i);
    let mut claims = Vec::new();
    if let Some(c) = find("relu", "kaiming") {
        let var = c.measured_factors.activation_variance.factor;
        let grad = c.measured_factors.grad_output_norm.factor;
        claims.push(Claim::new(
            "ReLU with Kaiming initialisation keeps the activation variance constant through depth (factor 1 per layer, ± 5%)",
            within(var, 1.0),
            json!({"factor": var, "predicted": 1.0, "tolerance": TOLERANCE, "layers": c.measured_factors.activation_variance.layers}),
        ));
        claims.push(Claim::new(
            "ReLU with Kaiming initialisation keeps the backpropagated gradient norm constant through depth (factor 1 per layer, ± 5%)",
            within(grad, 1.0),
            json!({"factor": grad, "predicted": 1.0, "tolerance": TOLERANCE}),
        ));
    }
    if let Some(c) = find("relu", "xavier") {
        let var = c.measured_factors.activation_variance.factor;
        let predicted = c
            .predicted_factors
            .and_then(|p| p.activation_variance.factor);
        claims.push(Claim::new(
            "Xavier initialisation with ReLU halves the activation variance per layer on square layers (factor ½, ± 5%)",
            within(var, 0.5),
            json!({"factor": var, "predicted": predicted, "tolerance": TOLERANCE}),
        ));
    }
    let sigmoid: Vec<&DepthCase> = cases.iter().filter(|c| c.activation == "sigmoid").collect();
    if !sigmoid.is_empty() {
        let factors: serde_json::Map<String, serde_json::Value> = sigmoid
            .iter()
            .map(|c| {
                (
                    c.init.clone(),
                    json!({
                        "factor": c.measured_factors.grad_output_norm.factor,
                        "mean_field_bound": c.mean_field_bound,
                        "worst_case_bound": c.worst_case_bound,
                    }),
                )
            })
            .collect();
        let holds = sigmoid.iter().all(|c| {
            c.measured_factors
                .grad_output_norm
                .factor
                .is_some_and(|f| f <= 0.25)
        });
        claims.push(Claim::new(
            "With sigmoid the gradient norm shrinks by at least 4× per layer towards the input (σ′ ≤ ¼), for every initialisation",
            holds,
            factors,
        ));
    }
    for (init, word) in [("small", "vanishes"), ("large", "explodes")] {
        let of_init: Vec<&DepthCase> = cases.iter().filter(|c| c.init == init).collect();
        if of_init.is_empty() {
            continue;
        }
        let measured: serde_json::Map<String, serde_json::Value> = of_init
            .iter()
            .map(|c| {
                (
                    c.activation.clone(),
                    json!({"factor": c.measured_factors.grad_output_norm.factor, "gradient": c.gradient}),
                )
            })
            .collect();
        let std = if init == "small" { "0.01" } else { "1" };
        claims.push(Claim::new(
            format!(
                "With a {init} initialisation (std {std}) the gradient {word} with depth (factor per layer towards the input {}, or under/overflow), for every activation",
                if init == "small" { "below 1 − 5%" } else { "above 1 + 5%" }
            ),
            of_init.iter().all(|c| c.gradient == word),
            measured,
        ));
    }
    claims
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| {
        if v != 0.0 && !(1e-3..1e4).contains(&v.abs()) {
            format!("{v:.2e}")
        } else {
            format!("{v:.3}")
        }
    })
}

impl fmt::Display for DepthReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Depth and gradients at initialisation: {} hidden layers of {} on {} standardised digits (mean input square m₀ = {:.3}), {} seed(s)",
            o.depth, o.width, o.images, self.input_second_moment, o.seeds
        )?;
        writeln!(
            out,
            "factor per layer: log-linear least squares over layers 1…L (output layer excluded); Var[A] towards the output, ‖∂f/∂A‖ and ‖∇W‖ towards the input; predicted = the same fit on mean-field theory"
        )?;
        writeln!(
            out,
            "{:<10} {:<8} {:>8} | {:>9} {:>9} | {:>9} {:>9} {:>8} {:>8} | {:>9} {:>9} | {:>10} {:>10}  gradient",
            "activation",
            "init",
            "nσ²",
            "Var[A]",
            "predicted",
            "‖∂f/∂A‖",
            "predicted",
            "MF bound",
            "WC bound",
            "‖∇W‖",
            "predicted",
            "‖∇W₁‖",
            "‖∇W_L‖",
        )?;
        for c in &self.cases {
            let m = &c.measured_factors;
            let p = c.predicted_factors;
            let g = &c.measured.grad_weight_norm;
            writeln!(
                out,
                "{:<10} {:<8} {:>8} | {:>9} {:>9} | {:>9} {:>9} {:>8} {:>8} | {:>9} {:>9} | {:>10.3e} {:>10.3e}  {}",
                c.activation,
                c.init,
                opt(c.n_sigma2),
                opt(m.activation_variance.factor),
                opt(p.and_then(|p| p.activation_variance.factor)),
                opt(m.grad_output_norm.factor),
                opt(p.and_then(|p| p.grad_output_norm.factor)),
                opt(c.mean_field_bound),
                opt(c.worst_case_bound),
                opt(m.grad_weight_norm.factor),
                opt(p.and_then(|p| p.grad_weight_norm.factor)),
                g.first().copied().unwrap_or(f64::NAN),
                g.last().copied().unwrap_or(f64::NAN),
                c.gradient,
            )?;
        }
        writeln!(
            out,
            "MF bound = max|φ′|·√(nσ²) (mean-field); WC bound = max|φ′|·mean ‖Wₗ‖₂ (worst case); '-': no fit (fewer than 2 finite layers) or no theory"
        )?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_recovers_a_geometric_factor_and_skips_unusable_layers() {
        let v: Vec<f64> = (1..=10).map(|l| 3.0 * 0.5f64.powi(l)).collect();
        let f = fit(&v, false);
        assert!((f.factor.unwrap() - 0.5).abs() < 1e-12);
        assert!((fit(&v, true).factor.unwrap() - 2.0).abs() < 1e-12);
        let mut w = v.clone();
        w[3] = f64::INFINITY;
        w[5] = 0.0;
        let g = fit(&w, false);
        assert_eq!(g.layers, 8);
        assert!((g.factor.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(fit(&[1.0, f64::NAN], false).factor, None);
    }

    #[test]
    fn mean_field_gives_the_closed_forms() {
        let dims = [64; 11];
        let relu = Activation::Relu;
        // Kaiming: σ² = 2/n → every factor 1; Xavier: σ² = 1/n → ½ and 1/√2.
        for (s2, var, grad) in [(2.0 / 64.0, 1.0, 1.0), (1.0 / 64.0, 0.5, 0.5f64.sqrt())] {
            let mf = mean_field(relu, &dims, &[s2; 10], 1.0);
            let f = Factors::of(
                &mf.activation_variance,
                &mf.grad_output_norm,
                &mf.grad_weight_norm,
            );
            assert!(
                (f.activation_variance.factor.unwrap() - var).abs() < 1e-9,
                "{f:?}"
            );
            assert!(
                (f.grad_output_norm.factor.unwrap() - grad).abs() < 1e-9,
                "{f:?}"
            );
            // Forward and backward factors cancel in ‖∇W‖ for ReLU.
            assert!(
                (f.grad_weight_norm.factor.unwrap() - 1.0).abs() < 1e-9,
                "{f:?}"
            );
        }
        // E[relu(z)²] = q/2 and Var = q(½ − 1/(2π)).
        let mf = mean_field(relu, &[64, 64], &[1.0 / 64.0], 2.0);
        assert!((mf.pre_activation_variance[0] - 2.0).abs() < 1e-12);
        let expected = 2.0 * (0.5 - 1.0 / (2.0 * std::f64::consts::PI));
        assert!((mf.activation_variance[0] / expected - 1.0).abs() < 1e-5);
        // Sigmoid with nσ² = 1: gradient factor below ¼, approaching it as q → 0.
        let mf = mean_field(Activation::Sigmoid, &dims, &[1.0 / 64.0; 10], 1.0);
        let g = fit(&mf.grad_output_norm, true).factor.unwrap();
        assert!(g < 0.25 && g > 0.2, "{g}");
    }

    #[test]
    fn spectral_norm_of_a_diagonal_matrix() {
        let w = [3.0, 0.0, 0.0, 0.0, -5.0, 0.0];
        assert!((spectral_norm(&w, 2, 3) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn weight_variances_follow_the_schemes() {
        let v = |s: &str, g: f64| weight_variance(Scheme::parse(s).unwrap(), 64, 64, g).unwrap();
        assert_eq!(v("normal=0.01", 1.0), 1e-4);
        assert_eq!(v("xavier_normal", 1.0), 1.0 / 64.0);
        assert!((v("kaiming_normal", 2f64.sqrt()) - 2.0 / 64.0).abs() < 1e-15);
        assert!((v("uniform=3", 1.0) - 3.0).abs() < 1e-15);
        assert_eq!(weight_variance(Scheme::Constant(0.5), 4, 4, 1.0), None);
        assert!(scheme_of("medium").is_err());
        assert_eq!(scheme_of("small").unwrap(), "normal=0.01");
    }
}
