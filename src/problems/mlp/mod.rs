//! `mlp`: a fully connected network of any depth on data, with exact gradient and
//! Hessian-vector product through its activations and normalisations.
//!
//! # The network
//! Widths n₀ = p (inputs), n₁…n_L (`widths`, L ≥ 0 hidden layers), n_{L+1} = q
//! (outputs, from the data). On a batch of N samples, rows of A₀ = X (N × p), each hidden
//! layer l = 1…L computes
//!
//!   Zₗ = Aₗ₋₁Wₗᵀ + 1bₗᵀ,  Uₗ = γₗ ⊙ norm(Zₗ) + βₗ (or Uₗ = Zₗ),  Aₗ = φₗ(Uₗ),
//!
//! and the output is Ŷ = A_L W_{L+1}ᵀ + 1b_{L+1}ᵀ (no norm, no activation). The
//! normalisation (see [`norm`]) acts on the pre-activation, Ioffe & Szegedy's placement;
//! `weight` normalisation instead writes row i of Wₗ as gᵢvᵢ/‖vᵢ‖ (Salimans & Kingma
//! 2016; hidden layers only). The objective is
//!
//!   f(θ) = (1/N) Σᵢ ℓ(ŷᵢ, yᵢ) + (λ/2)‖θ‖²,
//!
//! ℓ = ½‖ŷ − y‖² (`squared`) or (Σₖyₖ)·logsumexp(ŷ) − yᵀŷ (`cross_entropy`, softmax
//! cross-entropy; y is the one-hot row of the label). With batch normalisation the
//! statistics are those of the whole training set: f is the full-batch objective, and
//! [`FiniteSum`] gives the minibatch one.
//!
//! # Parameter layout
//! One block per tensor, layer by layer: `W{l}` (nₗ × nₗ₋₁, row-major, as torch's
//! `Linear.weight`) — or `g{l}` (nₗ) then `v{l}` (nₗ × nₗ₋₁) for weight normalisation —,
//! then `b{l}` (nₗ, when `bias`), then `gamma{l}`, `beta{l}` (nₗ each, for batch, layer,
//! group and instance normalisation). The output layer is l = L + 1. A torch
//! `nn.Sequential` of `Linear`, `BatchNorm1d`/`LayerNorm`/`GroupNorm` and activations
//! flattens to the same vector with `torch.cat([p.flatten() for p in
//! model.parameters()])` when its modules are in this order.
//!
//! # Derivatives
//! Backpropagation, with E = ∂f/∂Ŷ (= (Ŷ − Y)/N, or (P ⊙ mass − Y)/N with P the row-wise
//! softmax): Dₗ^U = Dₗ^A ⊙ φ′(Uₗ); through the norm, ∂f/∂γ = Σᵢ Dₗ^U ⊙ Ẑₗ,
//! ∂f/∂β = Σᵢ Dₗ^U, Dₗ^Z = J(Dₗ^U ⊙ γ) ([`norm`]); ∂f/∂Wₗ = Dₗ^Zᵀ Aₗ₋₁,
//! ∂f/∂bₗ = Σᵢ Dₗ^Z, Dₗ₋₁^A = Dₗ^Z Wₗ. Weight normalisation: with G = ∂f/∂W,
//! ∂f/∂gᵢ = Gᵢ·v̂ᵢ and ∂f/∂vᵢ = (gᵢ/‖vᵢ‖)(Gᵢ − (Gᵢ·v̂ᵢ)v̂ᵢ).
//!
//! The Hessian-vector product along θ̇ is Pearlmutter's R-operator: a tangent forward
//! pass (Żₗ = Ȧₗ₋₁Wₗᵀ + Aₗ₋₁Ẇₗᵀ + 1ḃₗᵀ, Ẑ̇ = JŻ, U̇ = γ̇ ⊙ Ẑ + γ ⊙ Ẑ̇ + β̇,
//! Ȧ = φ′(U) ⊙ U̇, Ė = Ŷ̇/N or mass·(P ⊙ (Ŷ̇ − rowsum(P ⊙ Ŷ̇)))/N) and the derivative of
//! every backward line: Ḋ^U = Ḋ^A ⊙ φ′ + D^A ⊙ φ″ ⊙ U̇, the norm's second-order term
//! ([`norm`]), R{∂f/∂W} = Ḋ^Zᵀ A₋ + D^Zᵀ Ȧ₋, Ḋ₋^A = Ḋ^Z W + D^Z Ẇ, and for weight
//! normalisation the derivative of the (g, v) formulas above. It costs eight matrix
//! products per layer against three for the gradient; no Hessian is formed.
//!
//! # Known points and symmetries
//! No known points in closed form in general; f* is unknown. The exact continuous
//! symmetries (rescaling a unit through a homogeneous activation, mixing the units of a
//! linear layer, shifting biases under a mean subtraction, a weight-normalised row's
//! radius, the softmax's shift; none with λ > 0) are in [`symmetry`]. ReLU's kink: φ′(0) = 0 (torch's
//! convention). At vᵢ = 0 a weight-normalised row is taken as 0 with zero derivatives.
//!
//! # Initialisations
//! `init:<scheme>[=<parameter>][:<seed>]` as a point ([`init`]).

pub mod activation;
pub mod data;
pub mod init;
pub mod layers;
pub mod network;
pub mod noise;
pub mod norm;
pub mod symmetry;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use self::activation::{Activation, PerLayer};
use self::data::Dataset;
use self::network::{Architecture, LayerNoise, Loss, Workspace};
use self::norm::Norm;
use crate::error::{Error, Result};
use crate::objective::{Block, DataArray, FiniteSum, Layout, Objective, TestMetrics};
use crate::problems::params::{self, Data, DefaultText::*, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};

/// The spec fields of `mlp`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpParams {
    /// `teacher`, `spiral`, `digits` (or absent with `x`, `y`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Your own inputs (N × p).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Data>,
    /// Your own targets: integer classes (N) or real targets (N × q).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<Data>,
    /// Samples of synthetic data.
    pub samples: usize,
    /// Teacher input dimension.
    pub inputs: usize,
    /// Teacher outputs.
    pub outputs: usize,
    /// Spiral arms.
    pub classes: usize,
    /// Label noise (teacher) or angle noise (spiral).
    pub noise: f64,
    /// Teacher hidden widths.
    pub teacher_widths: Vec<usize>,
    /// Teacher activation.
    pub teacher_activation: String,
    /// Held-out fraction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_fraction: Option<f64>,
    /// Standardise inputs.
    pub standardize: bool,
    /// Hidden widths.
    pub widths: Vec<usize>,
    /// Activation(s).
    pub activation: PerLayer,
    /// leaky_relu's slope.
    pub slope: f64,
    /// Biases.
    pub bias: bool,
    /// Loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<String>,
    /// l2 weight λ.
    pub l2: f64,
    /// Normalisation(s).
    pub norm: PerLayer,
    /// Groups of `group` normalisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<usize>,
    /// Channels of `instance` normalisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<usize>,
    /// ε of the standardising norms.
    pub eps: f64,
    /// Seed of the data, split and teacher.
    pub seed: u64,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            data: None,
            x: None,
            y: None,
            samples: 200,
            inputs: 4,
            outputs: 1,
            classes: 2,
            noise: 0.0,
            teacher_widths: vec![8],
            teacher_activation: "tanh".into(),
            test_fraction: None,
            standardize: true,
            widths: vec![16, 16],
            activation: PerLayer::One("relu".into()),
            slope: 0.01,
            bias: true,
            loss: None,
            l2: 0.0,
            norm: PerLayer::One("none".into()),
            groups: None,
            channels: None,
            eps: 1e-5,
            seed: 0,
        }
    }
}

impl Params for MlpParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "data",
            default: Text("teacher (your own when `x` is given)"),
            doc: "teacher (Gaussian inputs, a teacher mlp's outputs), spiral, digits (8×8 handwritten digits, 1,797 images)",
        },
        FieldDoc {
            name: "x",
            default: Text("none"),
            doc: "your own inputs, N×p: inline rows, a .npy or a .csv path",
        },
        FieldDoc {
            name: "y",
            default: Text("none"),
            doc: "your own targets: a vector of integer classes, or an N×q matrix (real targets, one-hot rows)",
        },
        FieldDoc {
            name: "samples",
            default: Value,
            doc: "N of the synthetic data (teacher, spiral)",
        },
        FieldDoc {
            name: "inputs",
            default: Value,
            doc: "teacher input dimension p",
        },
        FieldDoc {
            name: "outputs",
            default: Value,
            doc: "teacher outputs q",
        },
        FieldDoc {
            name: "classes",
            default: Value,
            doc: "spiral arms (classes)",
        },
        FieldDoc {
            name: "noise",
            default: Value,
            doc: "teacher: std of Gaussian label noise; spiral: std of the angle noise",
        },
        FieldDoc {
            name: "teacher_widths",
            default: Value,
            doc: "the teacher's hidden widths",
        },
        FieldDoc {
            name: "teacher_activation",
            default: Value,
            doc: "the teacher's activation (Kaiming-normal weights, zero biases)",
        },
        FieldDoc {
            name: "test_fraction",
            default: Text("0.2 for digits, 0 otherwise"),
            doc: "fraction of samples held out as a test set (seeded split)",
        },
        FieldDoc {
            name: "standardize",
            default: Value,
            doc: "centre and scale every input feature by the training set's mean and std",
        },
        FieldDoc {
            name: "widths",
            default: Value,
            doc: "hidden widths n₁…n_L (any depth, [] for none)",
        },
        FieldDoc {
            name: "activation",
            default: Value,
            doc: "linear, relu, leaky_relu, tanh, sigmoid, quadratic, softplus, gelu: one, or a list per hidden layer",
        },
        FieldDoc {
            name: "slope",
            default: Value,
            doc: "leaky_relu's negative slope α",
        },
        FieldDoc {
            name: "bias",
            default: Value,
            doc: "layers have biases",
        },
        FieldDoc {
            name: "loss",
            default: Text("cross_entropy for class labels, squared otherwise"),
            doc: "squared ((1/2N)Σ‖ŷ − y‖²) or cross_entropy (softmax, averaged)",
        },
        FieldDoc {
            name: "l2",
            default: Value,
            doc: "λ of the penalty (λ/2)‖θ‖²",
        },
        FieldDoc {
            name: "norm",
            default: Value,
            doc: "none, batch, layer, group, instance, weight: one, or a list per hidden layer",
        },
        FieldDoc {
            name: "groups",
            default: Text("required by group"),
            doc: "groups of group normalisation (divides every group-normalised width)",
        },
        FieldDoc {
            name: "channels",
            default: Text("required by instance"),
            doc: "channels of instance normalisation (divides every instance-normalised width)",
        },
        FieldDoc {
            name: "eps",
            default: Value,
            doc: "ε added to the variance of batch/layer/group/instance normalisation",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "mlp",
    description: "fully connected network of any depth on data (teacher, spiral, digits, your own): \
                  activations, batch/layer/group/instance/weight normalisation, squared or cross-entropy loss",
    fields: params::listing::<MlpParams>,
    shipped_spec: include_str!("../../../problems/mlp.toml"),
    replaces: &[("x", &["data"]), ("y", &["data"]), ("data", &["x", "y"])],
    build: |spec| Ok(Box::new(Mlp::from_spec(spec)?)),
};

/// Largest number of parameters or data entries an instance may hold (8 GiB of f64).
const BUDGET: usize = 1 << 30;

/// A network on its training (and test) data.
#[derive(Debug)]
pub struct Mlp {
    arch: Architecture,
    train: Dataset,
    test: Option<Dataset>,
    layout: Layout,
    /// Workspaces reused across calls (one per concurrent caller).
    pool: Mutex<Vec<Workspace>>,
}

impl Clone for Mlp {
    fn clone(&self) -> Self {
        Mlp {
            arch: self.arch.clone(),
            train: self.train.clone(),
            test: self.test.clone(),
            layout: self.layout.clone(),
            pool: Mutex::new(Vec::new()),
        }
    }
}

fn data_path(base: Option<&Path>, path: &str) -> PathBuf {
    match base {
        Some(dir) if Path::new(path).is_relative() => dir.join(path),
        _ => PathBuf::from(path),
    }
}

/// A data field as a matrix: inline, `.npy` or `.csv`.
fn read_matrix(data: &Data, field: &str, base: Option<&Path>) -> Result<(Vec<f64>, usize, usize)> {
    if let toml::Value::String(path) = &data.0 {
        if path.ends_with(".csv") {
            return data::read_csv(&data_path(base, path), field);
        }
        if let Ok(v) = data.vector(field, base) {
            let n = v.len();
            return Ok((v, n, 1));
        }
    }
    if let toml::Value::Array(items) = &data.0 {
        if items.iter().all(|v| !v.is_array()) {
            let v = data.vector(field, base)?;
            let n = v.len();
            return Ok((v, n, 1));
        }
    }
    let m = data.matrix(field, base)?;
    let (r, c) = m.shape();
    let mut rows = Vec::with_capacity(r * c);
    for i in 0..r {
        rows.extend(m.row(i).iter());
    }
    Ok((rows, r, c))
}

impl Mlp {
    /// Builds the instance a spec describes.
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: MlpParams = spec.params()?;
        let base = spec.base_dir();
        let activation = |name: &str| Activation::parse(name, p.slope);
        let data_kind = match (&p.data, &p.x) {
            (Some(d), None) => d.as_str(),
            (None, None) => "teacher",
            (None, Some(_)) | (Some(_), Some(_)) => "own",
        };
        if data_kind == "own" && p.data.as_deref().is_some_and(|d| d != "own") {
            return Err(Error::invalid(
                "data",
                "absent when `x` and `y` are given",
                format!("`{}`", p.data.as_deref().unwrap_or("")),
            ));
        }
        let dataset = match data_kind {
            "digits" => data::digits()?,
            "spiral" => data::spiral(p.samples, p.classes, p.noise, p.seed)?,
            "teacher" => {
                if p.samples == 0 || p.inputs == 0 || p.outputs == 0 {
                    return Err(Error::invalid(
                        "samples",
                        "positive samples, inputs and outputs",
                        format!("{}, {}, {}", p.samples, p.inputs, p.outputs),
                    ));
                }
                check_budget(&[p.samples, p.inputs.max(p.outputs)])?;
                let x = data::gaussian_inputs(p.samples, p.inputs, p.seed);
                let act = activation(&p.teacher_activation)?;
                let mut dims = vec![p.inputs];
                dims.extend(&p.teacher_widths);
                dims.push(p.outputs);
                if let Some(w) = p.teacher_widths.iter().find(|&&w| w == 0) {
                    return Err(Error::invalid("teacher_widths", "positive widths", w));
                }
                let hidden = p.teacher_widths.len();
                let teacher = Architecture::new(
                    dims,
                    vec![act; hidden],
                    vec![Norm::None; hidden],
                    false,
                    Loss::Squared,
                    0.0,
                    1e-5,
                )
                .ok_or_else(|| {
                    Error::invalid(
                        "teacher_widths",
                        "a size that fits in memory",
                        format!("{:?}", p.teacher_widths),
                    )
                })?;
                check_budget(&[teacher.dim])?;
                let theta = init::initialise(
                    &teacher,
                    init::Scheme::KaimingNormal(false),
                    p.seed ^ 0x7EAC_4E12,
                );
                let mut ws = Workspace::default();
                teacher.forward(&theta, None, &x, p.samples, &mut ws, None);
                let mut y = ws.out[..p.samples * p.outputs].to_vec();
                data::add_noise(&mut y, p.noise, p.seed);
                Dataset {
                    x,
                    y,
                    samples: p.samples,
                    inputs: p.inputs,
                    outputs: p.outputs,
                    labels: None,
                }
            }
            "own" => {
                let x = p
                    .x
                    .as_ref()
                    .ok_or_else(|| params::missing("mlp", "x", "your inputs as an N×p matrix"))?;
                let y = p.y.as_ref().ok_or_else(|| {
                    params::missing("mlp", "y", "your targets: integer classes or an N×q matrix")
                })?;
                let (xs, n, inputs) = read_matrix(x, "x", base)?;
                let (ys, ny, q) = read_matrix(y, "y", base)?;
                if n != ny {
                    return Err(Error::invalid(
                        "y",
                        format!("{n} rows, one per row of x"),
                        format!("{ny} rows"),
                    ));
                }
                if n == 0 || inputs == 0 {
                    return Err(Error::invalid(
                        "x",
                        "a non-empty N×p matrix",
                        format!("{n}×{inputs}"),
                    ));
                }
                let integer = q == 1 && ys.iter().all(|&v| v >= 0.0 && v.fract() == 0.0);
                let wants_classes = match p.loss.as_deref() {
                    Some("squared") => false,
                    Some(_) => integer,
                    None => integer,
                };
                if wants_classes {
                    let labels: Vec<usize> = ys.iter().map(|&v| v as usize).collect();
                    let classes = labels.iter().max().map_or(0, |m| m + 1).max(2);
                    Dataset::classes(xs, inputs, labels, classes)?
                } else {
                    if p.loss.as_deref() == Some("cross_entropy") && q == 1 {
                        return Err(Error::invalid("y", "integer class labels ≥ 0, or an N×q matrix of class probabilities, for cross_entropy", "a vector of non-integers"));
                    }
                    Dataset {
                        x: xs,
                        y: ys,
                        samples: n,
                        inputs,
                        outputs: q,
                        labels: None,
                    }
                }
            }
            other => {
                return Err(Error::invalid(
                    "data",
                    "teacher, spiral or digits (or `x` and `y`)",
                    format!("`{other}`"),
                ));
            }
        };
        let fraction = p
            .test_fraction
            .unwrap_or(if data_kind == "digits" { 0.2 } else { 0.0 });
        let (mut train, mut test) = data::split(&dataset, fraction, p.seed)?;
        if p.standardize {
            data::standardise(&mut train, test.as_mut());
        }
        let loss = match p.loss.as_deref() {
            Some("squared") => Loss::Squared,
            Some("cross_entropy") => Loss::CrossEntropy,
            None if train.labels.is_some() => Loss::CrossEntropy,
            None => Loss::Squared,
            Some(other) => {
                return Err(Error::invalid(
                    "loss",
                    "squared or cross_entropy",
                    format!("`{other}`"),
                ))
            }
        };
        if let Some(w) = p.widths.iter().find(|&&w| w == 0) {
            return Err(Error::invalid("widths", "positive hidden widths", w));
        }
        let hidden = p.widths.len();
        let activations = p
            .activation
            .expand(hidden, "activation")?
            .iter()
            .map(|a| activation(a))
            .collect::<Result<Vec<_>>>()?;
        let norms = p
            .norm
            .expand(hidden, "norm")?
            .iter()
            .zip(&p.widths)
            .map(|(name, &w)| Norm::parse(name, w, p.groups, p.channels))
            .collect::<Result<Vec<_>>>()?;
        if !(p.eps.is_finite() && p.eps > 0.0) {
            return Err(Error::invalid("eps", "a positive number", p.eps));
        }
        if !(p.l2.is_finite() && p.l2 >= 0.0) {
            return Err(Error::invalid("l2", "a non-negative number", p.l2));
        }
        if norms.contains(&Norm::Batch) && train.samples < 2 {
            return Err(Error::invalid(
                "samples",
                "at least 2 training samples for batch normalisation",
                train.samples,
            ));
        }
        let mut dims = vec![train.inputs];
        dims.extend(&p.widths);
        dims.push(train.outputs);
        let arch = Architecture::new(dims.clone(), activations, norms, p.bias, loss, p.l2, p.eps)
            .ok_or_else(|| {
            Error::invalid(
                "widths",
                "sizes whose parameter count fits in memory",
                format!("{:?}", p.widths),
            )
        })?;
        check_budget(&[arch.dim])?;
        for &w in &dims {
            check_budget(&[w, train.samples])?;
        }
        Ok(Mlp::new(arch, train, test))
    }

    /// A network on its data.
    pub fn new(arch: Architecture, train: Dataset, test: Option<Dataset>) -> Self {
        let mut blocks = Vec::new();
        for (i, p) in arch.layers.iter().enumerate() {
            let l = i + 1;
            let (n, n_in) = (arch.dims[l], arch.dims[l - 1]);
            if p.g.is_some() {
                blocks.push(Block::new(format!("g{l}"), &[n]));
                blocks.push(Block::new(format!("v{l}"), &[n, n_in]));
            } else {
                blocks.push(Block::new(format!("W{l}"), &[n, n_in]));
            }
            if p.b.is_some() {
                blocks.push(Block::new(format!("b{l}"), &[n]));
            }
            if p.gamma.is_some() {
                blocks.push(Block::new(format!("gamma{l}"), &[n]));
                blocks.push(Block::new(format!("beta{l}"), &[n]));
            }
        }
        Mlp {
            arch,
            train,
            test,
            layout: Layout::new(blocks),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// The architecture.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// The training data.
    pub fn train(&self) -> &Dataset {
        &self.train
    }

    /// The test data, when held out.
    pub fn test(&self) -> Option<&Dataset> {
        self.test.as_ref()
    }

    /// θ for an initialisation `scheme` (`init:` point syntax, see [`init`]).
    pub fn initialise(&self, scheme: &str, seed: u64) -> Result<Vec<f64>> {
        Ok(init::initialise(
            &self.arch,
            init::Scheme::parse(scheme)?,
            seed,
        ))
    }

    /// Runs `f` with a workspace from the pool (allocated on first use).
    fn with_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> T) -> T {
        let mut ws = self
            .pool
            .lock()
            .map(|mut p| p.pop())
            .unwrap_or_default()
            .unwrap_or_default();
        let out = f(&mut ws);
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(ws);
        }
        out
    }

    fn l2_term(&self, x: &[f64]) -> f64 {
        if self.arch.l2 == 0.0 {
            0.0
        } else {
            0.5 * self.arch.l2 * x.iter().map(|v| v * v).sum::<f64>()
        }
    }

    /// The loss (without the l2 term) and accuracy of θ on a dataset. Batch normalisation
    /// uses the statistics of the *training* set at θ (as a network in evaluation mode
    /// with exact population statistics); the other norms are per sample.
    pub fn evaluate(&self, x: &[f64], data: &Dataset) -> (f64, Option<f64>) {
        assert_eq!(x.len(), self.arch.dim);
        let uses_batch = self.arch.norms.contains(&Norm::Batch);
        self.with_workspace(|ws| {
            let frozen = uses_batch.then(|| {
                self.arch
                    .forward(x, None, &self.train.x, self.train.samples, ws, None);
                ws.batch_statistics(&self.arch)
            });
            self.arch
                .forward(x, None, &data.x, data.samples, ws, frozen.as_ref());
            let loss = self.arch.loss(&data.y, data.samples, false, ws);
            let accuracy = data.labels.as_ref().map(|labels| {
                let q = data.outputs;
                let right = ws.out[..data.samples * q]
                    .chunks_exact(q)
                    .zip(labels)
                    .filter(|(row, &c)| argmax(row) == c)
                    .count();
                right as f64 / data.samples as f64
            });
            (loss, accuracy)
        })
    }
}

fn argmax(row: &[f64]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
        .0
}

fn check_budget(sizes: &[usize]) -> Result<()> {
    let total = sizes
        .iter()
        .try_fold(1usize, |acc, &s| acc.checked_mul(s.max(1)));
    match total {
        Some(t) if t <= BUDGET => Ok(()),
        _ => Err(Error::invalid(
            "widths",
            format!("an instance of at most {BUDGET} numbers per array (8 GiB)"),
            format!("sizes {sizes:?}"),
        )),
    }
}

impl Objective for Mlp {
    fn kind(&self) -> &'static str {
        "mlp"
    }

    fn dim(&self) -> usize {
        self.arch.dim
    }

    fn value(&self, x: &[f64]) -> f64 {
        assert_eq!(x.len(), self.arch.dim);
        let d = &self.train;
        self.with_workspace(|ws| {
            self.arch.forward(x, None, &d.x, d.samples, ws, None);
            self.arch.loss(&d.y, d.samples, false, ws)
        }) + self.l2_term(x)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        assert_eq!(x.len(), self.arch.dim);
        let d = &self.train;
        self.with_workspace(|ws| {
            self.arch.forward(x, None, &d.x, d.samples, ws, None);
            let loss = self.arch.loss(&d.y, d.samples, false, ws);
            self.arch.backward(x, None, &d.x, d.samples, ws, grad);
            loss
        }) + self.l2_term(x)
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        assert_eq!(x.len(), self.arch.dim);
        let d = &self.train;
        self.with_workspace(|ws| {
            self.arch.forward(x, Some(v), &d.x, d.samples, ws, None);
            self.arch.loss(&d.y, d.samples, true, ws);
            self.arch.backward(x, Some(v), &d.x, d.samples, ws, out);
        });
    }

    fn data(&self) -> Vec<DataArray> {
        let mut arrays = Vec::new();
        for (prefix, set) in [("", Some(&self.train)), ("test_", self.test.as_ref())] {
            if let Some(set) = set {
                let (n, p, q) = (set.samples, set.inputs, set.outputs);
                arrays.push(DataArray::new(format!("{prefix}x"), &[n, p], set.x.clone()));
                arrays.push(DataArray::new(format!("{prefix}y"), &[n, q], set.y.clone()));
            }
        }
        arrays
    }

    /// As [`data`](Objective::data), named `inputs`, `targets` (and `test_inputs`,
    /// `test_targets`): the export's `x` is the point.
    fn export_data(&self) -> Vec<DataArray> {
        crate::export::network_data_names(self.data())
    }

    fn layout(&self) -> Layout {
        self.layout.clone()
    }

    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        Some(self)
    }

    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        symmetry::directions(&self.arch, x)
    }

    fn symmetry_count(&self, _x: &[f64]) -> usize {
        symmetry::count(&self.arch)
    }

    fn initialisation(&self, scheme: &str, seed: u64) -> Option<Result<Vec<f64>>> {
        Some(self.initialise(scheme, seed))
    }
}

impl FiniteSum for Mlp {
    fn samples(&self) -> usize {
        self.train.samples
    }

    fn batch_value_and_gradient(&self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        self.batch_pass(x, batch, grad, None)
    }

    fn test_metrics(&self, x: &[f64]) -> Option<TestMetrics> {
        let test = self.test.as_ref()?;
        let (loss, accuracy) = self.evaluate(x, test);
        Some(TestMetrics { loss, accuracy })
    }

    fn test_protocol(&self) -> String {
        let batch = if self.arch.norms.contains(&Norm::Batch) {
            "; batch normalisation with the statistics of the whole training set at θ"
        } else {
            ""
        };
        format!(
            "loss (without l2) and accuracy on the {} held-out test samples{batch}",
            self.test.as_ref().map_or(0, |t| t.samples)
        )
    }
}

impl Mlp {
    /// f_B and ∇f_B on the training rows `batch` (batch normalisation with the batch's
    /// statistics), with `noise` injected after the hidden layers when given (its buffers
    /// are lent to the workspace for the pass and handed back).
    fn batch_pass(
        &self,
        x: &[f64],
        batch: &[usize],
        grad: &mut [f64],
        mut noise: Option<&mut LayerNoise>,
    ) -> f64 {
        let d = &self.train;
        let (p, q) = (d.inputs, d.outputs);
        let n_s = batch.len();
        self.with_workspace(|ws| {
            let mut bx = std::mem::take(&mut ws.batch_x);
            let mut by = std::mem::take(&mut ws.batch_y);
            bx.clear();
            by.clear();
            for &i in batch {
                bx.extend_from_slice(&d.x[i * p..(i + 1) * p]);
                by.extend_from_slice(&d.y[i * q..(i + 1) * q]);
            }
            if let Some(noise) = noise.as_deref_mut() {
                ws.noise = Some(std::mem::take(noise));
            }
            self.arch.forward(x, None, &bx, n_s, ws, None);
            let loss = self.arch.loss(&by, n_s, false, ws);
            self.arch.backward(x, None, &bx, n_s, ws, grad);
            if let Some(noise) = noise {
                *noise = ws.noise.take().unwrap_or_default();
            }
            ws.batch_x = bx;
            ws.batch_y = by;
            loss
        }) + self.l2_term(x)
    }

    /// The network's outputs ŷ (`rows.len()` × q, row-major) at θ on the training
    /// samples `rows`, evaluated together as one batch: batch normalisation uses the
    /// statistics of these rows (training mode), the per-sample norms each row's own.
    /// Evaluating a sample alone (`&[i]`) or inside a batch gives the same row exactly
    /// when the network's outputs are batch-independent.
    pub fn outputs(&self, x: &[f64], rows: &[usize]) -> Vec<f64> {
        assert_eq!(x.len(), self.arch.dim);
        let d = &self.train;
        let p = d.inputs;
        let batch: Vec<f64> = rows
            .iter()
            .flat_map(|&i| d.x[i * p..(i + 1) * p].iter().copied())
            .collect();
        self.with_workspace(|ws| {
            self.arch.forward(x, None, &batch, rows.len(), ws, None);
            ws.out[..rows.len() * d.outputs].to_vec()
        })
    }
}
