//! `adagrad`: Duchi, Hazan & Singer 2011, in torch.optim.Adagrad's form.
//!
//! torch form (the contract; no learning-rate decay, initial accumulator 0):
//!
//! sₜ₊₁ = sₜ + gₜ²,  xₜ₊₁ = xₜ − η gₜ / (√sₜ₊₁ + ε)  (elementwise).
//!
//! Textbook form: xₜ₊₁ = xₜ − η gₜ / √(Gₜ + ε) with Gₜ = Σ_{τ≤t} g_τ²; torch keeps ε
//! *outside* the square root, which only matters while √s is comparable to ε.
//!
//! Defaults (torch's): η = 0.01, ε = 10⁻¹⁰.

use serde::{Deserialize, Serialize};

use super::first_order::elementwise_with;
use super::{check_positive, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of Adagrad.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdagradParams {
    /// Learning rate η > 0; defaults to 0.01.
    pub lr: f64,
    /// ε > 0 added to √s; defaults to 10⁻¹⁰.
    pub eps: f64,
}

impl Default for AdagradParams {
    fn default() -> Self {
        AdagradParams {
            lr: 0.01,
            eps: 1e-10,
        }
    }
}

impl Params for AdagradParams {
    /// η and ε positive and finite.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_positive(optimizer, "eps", self.eps)
    }
}

/// Adagrad state: the sum of squared gradients s.
#[derive(Clone, Debug)]
pub struct Adagrad {
    params: AdagradParams,
    sum_squares: Vec<f64>,
}

impl UpdateRule for Adagrad {
    const NAME: &'static str = "adagrad";
    const SUMMARY: &'static str = "Adagrad: s ← s + g²; x ← x − η g/(√s + ε)";
    type Params = AdagradParams;

    fn new(params: AdagradParams) -> Self {
        Adagrad {
            params,
            sum_squares: Vec::new(),
        }
    }

    fn params(&self) -> &AdagradParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.sum_squares = vec![0.0; dim];
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let AdagradParams { lr, eps } = self.params;
        elementwise_with(x, grad, &mut self.sum_squares, |x, g, s| {
            *s += g * g;
            *x -= lr * g / (s.sqrt() + eps);
        });
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    // With x standing still the gradient is fixed and s only grows, so every later step
    // is no longer than the one that left x unchanged: one unchanged step is a fixed
    // point (the default patience of 1).
}
