//! `gd`: plain gradient descent, xₜ₊₁ = xₜ − η∇f(xₜ).
//!
//! This is `torch.optim.SGD` with `momentum = 0` (and no weight decay), with torch's
//! default learning rate η = 10⁻³. On f = ½xᵀAx with 0 ≺ A and η ≤ 1/λmax, every step
//! contracts: ‖xₜ‖ ≤ (1 − ηλmin)ᵗ‖x₀‖.
//!
//! On sphere-constrained problems the step uses the Riemannian gradient and the run loop
//! retracts (Riemannian gradient descent).

use serde::{Deserialize, Serialize};

use super::first_order::elementwise;
use super::{check_positive, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of gradient descent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GdParams {
    /// Learning rate η > 0; defaults to 10⁻³ (torch.optim.SGD's default).
    pub lr: f64,
}

impl Default for GdParams {
    fn default() -> Self {
        GdParams { lr: 1e-3 }
    }
}

impl Params for GdParams {
    /// Rejects a learning rate that is not positive and finite.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)
    }
}

/// Gradient descent (memoryless: no state besides its hyperparameters).
#[derive(Clone, Debug)]
pub struct Gd {
    params: GdParams,
}

impl UpdateRule for Gd {
    const NAME: &'static str = "gd";
    const SUMMARY: &'static str = "gradient descent: x ← x − ηg";
    type Params = GdParams;

    fn new(params: GdParams) -> Self {
        Gd { params }
    }

    fn params(&self) -> &GdParams {
        &self.params
    }

    fn reset(&mut self, _dim: usize) {}

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let lr = self.params.lr;
        elementwise(x, grad, |x, g| *x -= lr * g);
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }
}
