//! Activations at equal depth (`landscape experiment activations`): per-layer gradient
//! norms at initialisation and training curves for sigmoid, tanh, relu, leaky_relu and
//! gelu, each with the initialisation suited to it.
//!
//! # Setting
//! L hidden layers (default 10) of width n (default 64, square with the digits' 64
//! inputs) on the standardised digits, cross-entropy. The initialisation suited to each
//! activation ([`suited_init`]): Xavier (Glorot & Bengio 2010, designed for the
//! saturating ones) for sigmoid and tanh; Kaiming (He et al. 2015) with torch's gain for
//! relu (√2) and leaky_relu (√(2/(1 + α²))); for gelu, which torch gives no gain, Kaiming
//! with ReLU's gain √2 (gelu behaves as ReLU for large |z|), i.e. `kaiming_normal`
//! scaled by √2 on the hidden layers.
//!
//! # What is measured
//! - At initialisation, averaged over seeds: ‖∂f/∂Wₗ‖ and ‖∂f/∂Aₗ‖ per hidden layer
//!   (as in [`super::depth`]), their fitted factors per layer towards the input and
//!   mean-field theory's, and how much the gradient vanishes: the ratio
//!   ‖∂f/∂W₁‖/‖∂f/∂W_L‖ of the first hidden layer's weight gradient to the last's.
//! - Training: SGD with momentum (`heavy_ball`, torch's form) on minibatches, the same
//!   learning rate, momentum, batch size and step budget for every activation, from the
//!   same seeds; full-batch training loss and test accuracy every `eval_every` steps,
//!   averaged over seeds (a run that diverges keeps its last evaluation, and is counted).
//!
//! Theory: sigmoid's σ′ ≤ ¼ bounds the backpropagated factor by √(nσ²)/4 = ¼ with
//! Xavier on square layers, so its gradient is expected to shrink ~4× per layer; relu
//! and leaky_relu with Kaiming have factor exactly 1; tanh with Xavier (nσ² = 1) sits
//! close to 1 from below (tanh′ ≤ 1, = 1 only at 0).

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::depth::{
    case, digits_network, draw_init, mean_profile, profile_at, Factors, LayerProfile,
};
use super::Curve;
use crate::error::{Error, Result};
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::optim::{self, Hyperparameters, Minibatch, RunOptions, Termination};
use crate::problems::mlp::activation::Activation;
use crate::progress::{Progress, Silent};
use crate::random::stream;
use rand::Rng;

/// The initialisation suited to `activation` (module doc): (description, scheme, factor
/// on the hidden layers' weights).
pub fn suited_init(activation: &str) -> (&'static str, &'static str, f64) {
    match activation {
        "relu" | "leaky_relu" => ("kaiming", "kaiming_normal", 1.0),
        "gelu" => (
            "kaiming (gain √2)",
            "kaiming_normal",
            std::f64::consts::SQRT_2,
        ),
        _ => ("xavier", "xavier_normal", 1.0),
    }
}

/// Options of [`activations`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActivationsOptions {
    /// Hidden layers L (≥ 1); default 10.
    pub depth: usize,
    /// Width of every hidden layer (≥ 1); default 64.
    pub width: usize,
    /// Activations; default sigmoid, tanh, relu, leaky_relu, gelu.
    pub activations: Vec<String>,
    /// Seeds (≥ 1): seed s draws θ₀ and the minibatches from `random::stream(seed, s)`.
    pub seeds: usize,
    /// The seed.
    pub seed: u64,
    /// SGD steps per run (≥ 1).
    pub steps: usize,
    /// Minibatch size (≥ 1).
    pub batch_size: usize,
    /// Learning rate η.
    pub lr: f64,
    /// Momentum μ.
    pub momentum: f64,
    /// Full-batch evaluation every this many steps (≥ 1).
    pub eval_every: usize,
}

impl Default for ActivationsOptions {
    fn default() -> Self {
        ActivationsOptions {
            depth: 10,
            width: 64,
            activations: ["sigmoid", "tanh", "relu", "leaky_relu", "gelu"]
                .map(String::from)
                .to_vec(),
            seeds: 1,
            seed: 0,
            steps: 800,
            batch_size: 64,
            lr: 0.01,
            momentum: 0.9,
            eval_every: 100,
        }
    }
}

impl ActivationsOptions {
    /// The `--quick` size: depth 5, width 16, 150 steps.
    pub fn quick() -> Self {
        ActivationsOptions {
            depth: 5,
            width: 16,
            steps: 150,
            eval_every: 50,
            ..ActivationsOptions::default()
        }
    }

    fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("seeds", self.seeds),
            ("steps", self.steps),
            ("batch_size", self.batch_size),
            ("eval_every", self.eval_every),
        ])?;
        if self.activations.is_empty() {
            return Err(Error::invalid(
                "activations",
                "at least one activation",
                "none",
            ));
        }
        for a in &self.activations {
            Activation::parse(a, 0.01)?;
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

/// One activation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActivationCase {
    /// φ.
    pub activation: String,
    /// The initialisation (module doc).
    pub init: String,
    /// Per-layer measurements at initialisation, averaged over seeds.
    pub at_init: LayerProfile,
    /// Their fitted factors per layer.
    pub factors: Factors,
    /// Mean-field theory's factors.
    pub predicted_factors: Option<Factors>,
    /// ‖∂f/∂W₁‖/‖∂f/∂W_L‖ at initialisation (< 1: the gradient vanishes towards the input).
    pub first_to_last: f64,
    /// The training curve averaged over seeds (evaluations every `eval_every` steps).
    pub curve: Curve,
    /// Each seed's curve.
    pub runs: Vec<Curve>,
    /// Runs that diverged (non-finite loss).
    pub diverged: usize,
}

impl ActivationCase {
    /// The mean final training loss.
    pub fn final_loss(&self) -> f64 {
        self.curve.final_loss()
    }
}

/// The report of [`activations`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActivationsReport {
    /// What was run.
    pub options: ActivationsOptions,
    /// One per activation, in the order given.
    pub cases: Vec<ActivationCase>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl ActivationsReport {
    /// The case of `activation`, if run.
    pub fn case(&self, activation: &str) -> Option<&ActivationCase> {
        self.cases.iter().find(|c| c.activation == activation)
    }
}

/// [`activations_with_progress`] without progress.
pub fn activations(options: &ActivationsOptions) -> Result<ActivationsReport> {
    activations_with_progress(options, &Silent)
}

/// The mean of curves evaluated at the same steps (a curve cut short by divergence
/// contributes its last values to the later steps).
fn mean_curve(curves: &[Curve]) -> Curve {
    let longest = curves
        .iter()
        .max_by_key(|c| c.steps.len())
        .cloned()
        .unwrap_or_default();
    let k = curves.len() as f64;
    let at = |v: &[f64], i: usize| v.get(i).or(v.last()).copied().unwrap_or(f64::NAN);
    Curve {
        train_loss: (0..longest.steps.len())
            .map(|i| curves.iter().map(|c| at(&c.train_loss, i)).sum::<f64>() / k)
            .collect(),
        test_accuracy: if curves.iter().all(|c| !c.test_accuracy.is_empty()) {
            (0..longest.steps.len())
                .map(|i| curves.iter().map(|c| at(&c.test_accuracy, i)).sum::<f64>() / k)
                .collect()
        } else {
            Vec::new()
        },
        steps: longest.steps,
    }
}

/// Runs the experiment (module doc), telling `progress` of each unit done (task
/// `activations`: one per seed's profile and one per training run).
pub fn activations_with_progress(
    options: &ActivationsOptions,
    progress: &dyn Progress,
) -> Result<ActivationsReport> {
    options.validate()?;
    let networks = options
        .activations
        .iter()
        .map(|a| digits_network(options.depth, options.width, a))
        .collect::<Result<Vec<_>>>()?;
    let jobs: Vec<(usize, usize)> = (0..networks.len())
        .flat_map(|a| (0..options.seeds).map(move |s| (a, s)))
        .collect();
    progress.start("activations", jobs.len() as u64);
    let results = jobs
        .par_iter()
        .map(|&(a, s)| {
            let net = &networks[a];
            let (_, scheme, scale) = suited_init(&options.activations[a]);
            let theta = draw_init(net, scheme, options.seed, s, scale)?;
            let profile = profile_at(net, &theta);
            let mut optimizer = optim::build(
                "heavy_ball",
                &Hyperparameters::new()
                    .with("lr", options.lr)
                    .with("momentum", options.momentum),
            )?;
            let run_options = RunOptions {
                max_iters: options.steps,
                grad_tol: f64::MIN_POSITIVE,
                record_every: options.eval_every,
                minibatch: Some(Minibatch {
                    batch_size: options.batch_size,
                    seed: stream(options.seed ^ 0x5eed, s as u64).random(),
                }),
                eval_every: Some(options.eval_every),
                ..RunOptions::default()
            };
            let run = optim::run(net, optimizer.as_mut(), &theta, &run_options)?;
            progress.advance(1);
            Ok((
                profile,
                Curve::of(&run),
                run.termination == Termination::Diverged,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let train = networks[0].train();
    let m0 = train.x.iter().map(|v| v * v).sum::<f64>() / train.x.len() as f64;
    let mut cases = Vec::new();
    for (a, net) in networks.iter().enumerate() {
        let mine = &results[a * options.seeds..(a + 1) * options.seeds];
        let profiles: Vec<LayerProfile> = mine.iter().map(|r| r.0.clone()).collect();
        let runs: Vec<Curve> = mine.iter().map(|r| r.1.clone()).collect();
        let name = &options.activations[a];
        let (init, scheme, scale) = suited_init(name);
        // Weights scaled by `scale` have scale² times the scheme's variance.
        let depth_case = case(
            net,
            name,
            init,
            scheme,
            scale * scale,
            mean_profile(&profiles),
            m0,
        )?;
        let g = &depth_case.measured.grad_weight_norm;
        cases.push(ActivationCase {
            activation: name.clone(),
            init: init.to_string(),
            first_to_last: g[0] / g[g.len() - 1],
            factors: depth_case.measured_factors,
            predicted_factors: depth_case.predicted_factors,
            at_init: depth_case.measured,
            curve: mean_curve(&runs),
            diverged: mine.iter().filter(|r| r.2).count(),
            runs,
        });
    }
    let claims = activation_claims(&cases);
    Ok(ActivationsReport {
        options: options.clone(),
        cases,
        claims,
    })
}

fn activation_claims(cases: &[ActivationCase]) -> Vec<Claim> {
    let find = |a: &str| cases.iter().find(|c| c.activation == a);
    let mut claims = Vec::new();
    if let Some(s) = find("sigmoid") {
        let layers = s.at_init.grad_weight_norm.len();
        claims.push(Claim::new(
            "With sigmoid (Xavier) the gradients vanish: the backpropagated gradient ‖∂f/∂Aₗ‖ shrinks by at least 4× per layer towards the input (σ′ ≤ ¼)",
            s.factors
                .grad_output_norm
                .factor
                .is_some_and(|f| f <= 0.25),
            json!({
                "factor_per_layer": s.factors.grad_output_norm.factor,
                "predicted_factor": s.predicted_factors.and_then(|p| p.grad_output_norm.factor),
                "first_to_last": s.first_to_last,
                "layers": layers,
            }),
        ));
    }
    let piecewise: Vec<&ActivationCase> = ["relu", "leaky_relu"]
        .iter()
        .filter_map(|a| find(a))
        .collect();
    if !piecewise.is_empty() {
        let measured: serde_json::Map<String, serde_json::Value> = piecewise
            .iter()
            .map(|c| {
                (
                    c.activation.clone(),
                    json!({"first_to_last": c.first_to_last, "factor_per_layer": c.factors.grad_output_norm.factor}),
                )
            })
            .collect();
        claims.push(Claim::new(
            "With relu and leaky_relu under Kaiming initialisation the gradients do not vanish: ‖∂f/∂W₁‖/‖∂f/∂W_L‖ between 0.1 and 10",
            piecewise
                .iter()
                .all(|c| (0.1..=10.0).contains(&c.first_to_last)),
            measured,
        ));
    }
    if let Some(s) = find("sigmoid") {
        if cases.len() > 1 {
            let losses: serde_json::Map<String, serde_json::Value> = cases
                .iter()
                .map(|c| (c.activation.clone(), json!(c.final_loss())))
                .collect();
            let highest = cases
                .iter()
                .filter(|c| c.activation != "sigmoid")
                .all(|c| c.final_loss() < s.final_loss());
            claims.push(Claim::new(
                "Where gradients vanish training is slow: sigmoid ends the same budget with the highest training loss",
                highest,
                losses,
            ));
        }
    }
    claims
}

impl fmt::Display for ActivationsReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Activations at depth {} (width {}) on the standardised digits: gradients at initialisation ({} seed(s)) and SGD with momentum (η = {}, μ = {}, batches of {}, {} steps)",
            o.depth, o.width, o.seeds, o.lr, o.momentum, o.batch_size, o.steps
        )?;
        writeln!(
            out,
            "{:<10} {:<17} | {:>10} {:>10} {:>11} | {:>9} {:>9} | {:>10} {:>10} {:>9} {:>8}",
            "activation",
            "init",
            "‖∇W₁‖",
            "‖∇W_L‖",
            "first/last",
            "‖∂f/∂A‖",
            "predicted",
            "loss t=0",
            "final loss",
            "test acc",
            "diverged"
        )?;
        for c in &self.cases {
            let g = &c.at_init.grad_weight_norm;
            let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
            writeln!(
                out,
                "{:<10} {:<17} | {:>10.3e} {:>10.3e} {:>11.3e} | {:>9} {:>9} | {:>10.4} {:>10.4} {:>9} {:>8}",
                c.activation,
                c.init,
                g[0],
                g[g.len() - 1],
                c.first_to_last,
                f(c.factors.grad_output_norm.factor),
                f(c.predicted_factors.and_then(|p| p.grad_output_norm.factor)),
                c.curve.train_loss.first().copied().unwrap_or(f64::NAN),
                c.final_loss(),
                c.curve
                    .final_accuracy()
                    .map_or("-".to_string(), |a| format!("{:.1}%", 100.0 * a)),
                c.diverged
            )?;
        }
        writeln!(
            out,
            "first/last = ‖∂f/∂W₁‖/‖∂f/∂W_L‖ at initialisation; ‖∂f/∂A‖: fitted factor per layer towards the input (mean-field prediction beside it); losses and accuracy averaged over seeds"
        )?;
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_curve_carries_a_short_run_forward() {
        let a = Curve {
            steps: vec![0, 10, 20],
            train_loss: vec![3.0, 2.0, 1.0],
            test_accuracy: vec![],
        };
        let b = Curve {
            steps: vec![0, 10],
            train_loss: vec![1.0, 4.0],
            test_accuracy: vec![],
        };
        let m = mean_curve(&[a, b]);
        assert_eq!(m.steps, [0, 10, 20]);
        assert_eq!(m.train_loss, [2.0, 3.0, 2.5]);
    }

    #[test]
    fn every_activation_has_a_suited_init() {
        assert_eq!(suited_init("relu").1, "kaiming_normal");
        assert_eq!(suited_init("sigmoid").1, "xavier_normal");
        assert!((suited_init("gelu").2 - 2f64.sqrt()).abs() < 1e-15);
    }
}
