//! `rmsprop`: Hinton's RMSprop, in torch.optim.RMSprop's form (not centered, no
//! momentum).
//!
//! torch form (the contract; v₀ = 0):
//!
//! vₜ₊₁ = αvₜ + (1 − α)gₜ²,  xₜ₊₁ = xₜ − η gₜ / (√vₜ₊₁ + ε)  (elementwise).
//!
//! Textbook form (Tieleman & Hinton 2012, lecture 6e): E\[g²] ← 0.9E\[g²] + 0.1g²,
//! x ← x − η g/√(E\[g²] + ε): the same moving average with α = 0.9, ε inside the root;
//! torch puts ε outside and defaults α to 0.99.
//!
//! Defaults (torch's): η = 0.01, α = 0.99, ε = 10⁻⁸.

use serde::{Deserialize, Serialize};

use super::first_order::elementwise_with;
use super::{check_decay, check_positive, settle_steps, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of RMSprop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RmsPropParams {
    /// Learning rate η > 0; defaults to 0.01.
    pub lr: f64,
    /// Smoothing constant α ∈ [0, 1); defaults to 0.99.
    pub alpha: f64,
    /// ε > 0 added to √v; defaults to 10⁻⁸.
    pub eps: f64,
}

impl Default for RmsPropParams {
    fn default() -> Self {
        RmsPropParams {
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
        }
    }
}

impl Params for RmsPropParams {
    /// η, ε positive and finite; α ∈ [0, 1).
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_decay(optimizer, "alpha", self.alpha)?;
        check_positive(optimizer, "eps", self.eps)
    }
}

/// RMSprop state: the moving average of squared gradients v.
#[derive(Clone, Debug)]
pub struct RmsProp {
    params: RmsPropParams,
    square_avg: Vec<f64>,
}

impl UpdateRule for RmsProp {
    const NAME: &'static str = "rmsprop";
    const SUMMARY: &'static str = "RMSprop: v ← αv + (1−α)g²; x ← x − η g/(√v + ε)";
    type Params = RmsPropParams;

    fn new(params: RmsPropParams) -> Self {
        RmsProp {
            params,
            square_avg: Vec::new(),
        }
    }

    fn params(&self) -> &RmsPropParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.square_avg = vec![0.0; dim];
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let RmsPropParams { lr, alpha, eps } = self.params;
        elementwise_with(x, grad, &mut self.square_avg, |x, g, v| {
            *v = alpha * *v + (1.0 - alpha) * g * g;
            *x -= lr * g / (v.sqrt() + eps);
        });
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.alpha)
    }
}
