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

use rand::rngs::StdRng;
use serde_json::json;

use super::noise::{self, Noise};
use super::{check_positive, Hyperparameters, Optimizer, OptimizerEntry, Step};
use crate::error::Result;
use crate::manifold::Manifold;
use crate::objective::Objective;
use crate::random;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "noisy_gd",
    description: "noisy GD (Ge et al. 2015): x ← x − η(g + ξ), ξ uniform on the sphere of \
radius r, or N(0, r²I) with --noise gaussian [lr 1e-3, radius 1e-2, noise sphere, seed 0]",
    accepts: &["lr", "radius", "noise", "seed"],
    build: |hp| {
        Ok(Box::new(NoisyGd::new(
            NoisyGdParams::from_hyperparameters(hp)?,
        )?))
    },
};

/// Hyperparameters of noisy gradient descent.
#[derive(Clone, Copy, Debug, PartialEq)]
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
    /// (default 0).
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

impl NoisyGdParams {
    /// The defaults, overridden by the fields of `hp` that are set.
    pub fn from_hyperparameters(hp: &Hyperparameters) -> Result<Self> {
        let d = NoisyGdParams::default();
        let params = NoisyGdParams {
            lr: hp.lr.unwrap_or(d.lr),
            radius: hp.radius.unwrap_or(d.radius),
            noise: hp.noise.unwrap_or(d.noise),
            seed: hp.seed.unwrap_or(d.seed),
            stream: d.stream,
        };
        params.validate()?;
        Ok(params)
    }

    /// Rejects a learning rate or radius that is not positive and finite.
    pub fn validate(&self) -> Result<()> {
        check_positive("noisy_gd", "lr", self.lr)?;
        check_positive("noisy_gd", "radius", self.radius)
    }
}

/// Noisy gradient descent: its parameters, noise stream and noise buffer.
#[derive(Clone, Debug)]
pub struct NoisyGd {
    params: NoisyGdParams,
    manifold: Manifold,
    rng: StdRng,
    xi: Vec<f64>,
}

impl NoisyGd {
    /// Noisy GD with validated `params`.
    pub fn new(params: NoisyGdParams) -> Result<Self> {
        params.validate()?;
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
        "noisy_gd"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        let p = &self.params;
        json!({
            "lr": p.lr, "radius": p.radius, "noise": p.noise.as_str(),
            "seed": p.seed, "stream": p.stream,
        })
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
}
