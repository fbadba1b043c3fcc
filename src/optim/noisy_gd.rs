//! `noisy_gd`: noisy gradient descent (Ge, Huang, Jin & Yuan 2015, "Escaping from saddle
//! points — online stochastic gradient for tensor decomposition"):
//! xₜ₊₁ = xₜ − η(∇f(xₜ) + ξₜ),
//! with ξₜ uniform on the sphere of radius `radius` (the paper's choice, default) or
//! ξₜ ~ N(0, radius²·I) (`noise = gaussian`), drawn from `random::stream(seed, stream)`
//! (reset by every `start`).
//!
//! On sphere-constrained problems ξₜ lies in the tangent space at xₜ (drawn there: see
//! [`super::noise`]) and the loop retracts. The loop does not stop as `converged` (see
//! [`Optimizer::escapes_stationary_points`]): a target or the cap ends the run.

use serde::{Deserialize, Serialize};

use super::noise::{self, Noise};
use super::{check_positive, Method, Optimizer, Params, Step};
use crate::error::Result;
use crate::manifold::Manifold;
use crate::objective::Objective;
use crate::random;
use crate::random::Generator;

/// Hyperparameters of noisy gradient descent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoisyGdParams {
    /// Learning rate η > 0 (default 10⁻³).
    pub lr: f64,
    /// Noise radius (sphere) or standard deviation (Gaussian), > 0 (default 10⁻²).
    pub radius: f64,
    /// Noise distribution (default uniform on the sphere).
    pub noise: Noise,
    /// Seed of the noise stream (default 0).
    pub seed: u64,
    /// Index of the noise stream: ξ's come from `random::stream(seed, stream)`
    /// (default 0; set by a caller running several trials, not a hyperparameter one
    /// gives).
    #[serde(skip_deserializing)]
    pub stream: u64,
}

impl Default for NoisyGdParams {
    fn default() -> Self {
        NoisyGdParams {
            lr: 1e-3,
            radius: 1e-2,
            noise: Noise::Sphere,
            seed: 0,
            stream: 0,
        }
    }
}

impl Params for NoisyGdParams {
    /// Rejects a learning rate or radius that is not positive and finite.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_positive(optimizer, "radius", self.radius)
    }
}

impl Method for NoisyGd {
    const NAME: &'static str = "noisy_gd";
    const SUMMARY: &'static str = "noisy GD (Ge et al. 2015): x ← x − η(g + ξ), ξ uniform on \
the sphere of radius r, or N(0, r²I) with --noise gaussian";
    type Params = NoisyGdParams;

    fn from_params(params: NoisyGdParams) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(NoisyGd::new(params)?))
    }
}

/// Noisy gradient descent: its parameters, noise stream and noise buffer.
#[derive(Clone, Debug)]
pub struct NoisyGd {
    params: NoisyGdParams,
    manifold: Manifold,
    rng: Generator,
    xi: Vec<f64>,
}

impl NoisyGd {
    /// Noisy GD with validated `params`.
    pub fn new(params: NoisyGdParams) -> Result<Self> {
        params.validate(Self::NAME)?;
        Ok(NoisyGd {
            params,
            manifold: Manifold::Euclidean,
            rng: random::stream(params.seed, params.stream),
            xi: Vec::new(),
        })
    }
}

impl Optimizer for NoisyGd {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn hyperparameters(&self) -> serde_json::Value {
        serde_json::to_value(self.params).unwrap_or_default()
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.manifold = f.manifold();
        self.rng = random::stream(self.params.seed, self.params.stream);
        self.xi = vec![0.0; f.dim()];
        Ok(())
    }

    fn step(
        &mut self,
        _f: &dyn Objective,
        x: &mut [f64],
        _value: f64,
        grad: &[f64],
        _next_grad: &mut [f64],
    ) -> Step {
        let p = &self.params;
        match p.noise {
            Noise::Sphere => {
                noise::on_sphere(&mut self.rng, &self.manifold, x, p.radius, &mut self.xi)
            }
            Noise::Gaussian => {
                noise::gaussian(&mut self.rng, &self.manifold, x, p.radius, &mut self.xi)
            }
        }
        let lr = p.lr;
        x.iter_mut()
            .zip(grad.iter().zip(&self.xi))
            .for_each(|(x, (g, xi))| *x -= lr * (g + xi));
        Step::default()
    }

    fn escapes_stationary_points(&self) -> bool {
        true
    }

    fn learning_rate(&self) -> Option<f64> {
        Some(self.params.lr)
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }
}
