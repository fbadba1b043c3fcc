//! `nesterov`: Nesterov's accelerated gradient in torch.optim.SGD's form
//! (`nesterov=True`, dampening 0).
//!
//! torch form (the contract), with buffer b (b₁ = g₀ at the first step):
//!
//! bₜ₊₁ = μbₜ + ∇f(xₜ),  xₜ₊₁ = xₜ − η(∇f(xₜ) + μbₜ₊₁).
//!
//! Textbook look-ahead form (Nesterov 1983; Sutskever et al. 2013):
//! vₜ₊₁ = μvₜ − η∇f(yₜ + μvₜ), yₜ₊₁ = yₜ + vₜ₊₁, the gradient taken at the look-ahead
//! point yₜ + μvₜ. torch's iterate is that look-ahead point, xₜ = yₜ + μvₜ, with
//! v = −ηb: then xₜ₊₁ = yₜ₊₁ + μvₜ₊₁ = xₜ + μvₜ₊₁ − η∇f(xₜ) = xₜ − η(∇f(xₜ) + μbₜ₊₁).
//! So the two forms visit the same look-ahead points, and the gradient is only ever
//! needed at the iterate.
//!
//! Defaults: η = 10⁻³ (torch's SGD default), μ = 0.9. μ ∈ [0, 1) as for heavy ball
//! (torch refuses μ = 0 with Nesterov; here μ = 0 is plain gradient descent, exactly).

use serde::{Deserialize, Serialize};

use super::heavy_ball::{momentum_step, MomentumParams};
use super::{settle_steps, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of Nesterov momentum: heavy ball's ([`MomentumParams`], the same
/// names, defaults and checks, μ ∈ [0, 1)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NesterovParams(pub MomentumParams);

impl Params for NesterovParams {
    /// As heavy ball's.
    fn validate(&self, optimizer: &str) -> Result<()> {
        self.0.validate(optimizer)
    }
}

/// Nesterov state: the momentum buffer b.
#[derive(Clone, Debug)]
pub struct Nesterov {
    params: NesterovParams,
    buffer: Vec<f64>,
    first: bool,
}

impl UpdateRule for Nesterov {
    const NAME: &'static str = "nesterov";
    const SUMMARY: &'static str = "Nesterov momentum: b ← μb + g; x ← x − η(g + μb)";
    type Params = NesterovParams;

    fn new(params: NesterovParams) -> Self {
        Nesterov {
            params,
            buffer: Vec::new(),
            first: true,
        }
    }

    fn params(&self) -> &NesterovParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.buffer = vec![0.0; dim];
        self.first = true;
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let NesterovParams(params) = self.params;
        let momentum = params.momentum;
        momentum_step(x, &mut self.buffer, grad, params, self.first, |g, b| {
            g + momentum * b
        });
        self.first = false;
    }

    fn learning_rate(&self) -> f64 {
        self.params.0.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.0.lr = lr;
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.0.momentum)
    }
}
