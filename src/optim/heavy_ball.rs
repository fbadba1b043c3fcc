//! `heavy_ball`: Polyak's momentum, in torch.optim.SGD's form (dampening 0).
//!
//! torch form (the contract), with buffer b (b₁ = g₀ at the first step):
//!
//! bₜ₊₁ = μbₜ + ∇f(xₜ),  xₜ₊₁ = xₜ − η bₜ₊₁.
//!
//! Textbook form (Polyak 1964, the slides): vₜ₊₁ = −∇f(xₜ) + βvₜ, xₜ₊₁ = xₜ + ηvₜ₊₁.
//! The change of variables v = −b, β = μ maps one onto the other exactly, so both
//! produce the same iterates. (Sutskever et al.'s vₜ₊₁ = μvₜ − η∇f(xₜ), xₜ₊₁ = xₜ + vₜ₊₁
//! is v = −ηb, the same for a constant η.)
//!
//! Defaults: η = 10⁻³ (torch's SGD default), μ = 0.9 (torch's SGD default is 0, which is
//! plain `gd`).

use serde::{Deserialize, Serialize};

use super::first_order::elementwise_with;
use super::{check_decay, check_positive, settle_steps, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of the momentum methods (`heavy_ball`; `nesterov` wraps them).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MomentumParams {
    /// Learning rate η > 0; defaults to 10⁻³ (torch.optim.SGD).
    pub lr: f64,
    /// Momentum μ ∈ [0, 1) (nesterov: (0, 1)); defaults to 0.9.
    pub momentum: f64,
}

impl Default for MomentumParams {
    fn default() -> Self {
        MomentumParams {
            lr: 1e-3,
            momentum: 0.9,
        }
    }
}

impl Params for MomentumParams {
    /// η positive and finite, μ ∈ [0, 1).
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_decay(optimizer, "momentum", self.momentum)
    }
}

/// Heavy-ball state: the momentum buffer b.
#[derive(Clone, Debug)]
pub struct HeavyBall {
    params: MomentumParams,
    buffer: Vec<f64>,
    first: bool,
}

/// One fused pass of the momentum update: b ← μb + g (b ← g at the first step, as torch
/// does), then x ← x − η·`direction`(g, b).
#[inline]
pub(crate) fn momentum_step(
    x: &mut [f64],
    buffer: &mut [f64],
    grad: &[f64],
    params: MomentumParams,
    first: bool,
    direction: impl Fn(f64, f64) -> f64 + Sync,
) {
    let MomentumParams { lr, momentum } = params;
    if first {
        elementwise_with(x, grad, buffer, |x, g, b| {
            *b = g;
            *x -= lr * direction(g, *b);
        });
    } else {
        elementwise_with(x, grad, buffer, |x, g, b| {
            *b = momentum * *b + g;
            *x -= lr * direction(g, *b);
        });
    }
}

impl UpdateRule for HeavyBall {
    const NAME: &'static str = "heavy_ball";
    const SUMMARY: &'static str = "Polyak momentum: b ← μb + g; x ← x − ηb";
    type Params = MomentumParams;

    fn new(params: MomentumParams) -> Self {
        HeavyBall {
            params,
            buffer: Vec::new(),
            first: true,
        }
    }

    fn params(&self) -> &MomentumParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.buffer = vec![0.0; dim];
        self.first = true;
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        momentum_step(x, &mut self.buffer, grad, self.params, self.first, |_, b| b);
        self.first = false;
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.momentum)
    }
}
