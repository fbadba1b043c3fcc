//! `gd`: plain gradient descent, xₜ₊₁ = xₜ − η∇f(xₜ).
//!
//! This is `torch.optim.SGD` with `momentum = 0` (and no weight decay), with torch's
//! default learning rate η = 10⁻³. On f = ½xᵀAx with 0 ≺ A and η ≤ 1/λmax, every step
//! contracts: ‖xₜ‖ ≤ (1 − ηλmin)ᵗ‖x₀‖.
//!
//! On sphere-constrained problems the step uses the Riemannian gradient and the run loop
//! retracts (Riemannian gradient descent).

use serde_json::json;

use super::{check_positive, Hyperparameters, Optimizer, OptimizerEntry, Step};
use crate::error::Result;
use crate::objective::Objective;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "gd",
    description: "gradient descent: x ← x − η∇f(x) (torch SGD, momentum 0)",
    accepts: &["lr"],
    build: |hp| Ok(Box::new(Gd::new(GdParams::from_hyperparameters(hp)?)?)),
};

/// Hyperparameters of gradient descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GdParams {
    /// Learning rate η > 0; defaults to 10⁻³ (torch.optim.SGD's default).
    pub lr: f64,
}

impl Default for GdParams {
    fn default() -> Self {
        GdParams { lr: 1e-3 }
    }
}

impl GdParams {
    /// The defaults, overridden by the fields of `hp` that are set.
    pub fn from_hyperparameters(hp: &Hyperparameters) -> Result<Self> {
        let d = GdParams::default();
        let params = GdParams {
            lr: hp.lr.unwrap_or(d.lr),
        };
        params.validate()?;
        Ok(params)
    }

    /// Rejects a learning rate that is not positive and finite.
    pub fn validate(&self) -> Result<()> {
        check_positive("gd", "lr", self.lr)
    }
}

/// Gradient descent (memoryless: no state besides its hyperparameters).
#[derive(Clone, Debug)]
pub struct Gd {
    params: GdParams,
}

impl Gd {
    /// Gradient descent with validated `params`.
    pub fn new(params: GdParams) -> Result<Self> {
        params.validate()?;
        Ok(Gd { params })
    }
}

impl Optimizer for Gd {
    fn name(&self) -> &'static str {
        "gd"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        json!({ "lr": self.params.lr })
    }

    fn start(&mut self, _f: &dyn Objective, _x0: &[f64]) -> Result<()> {
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
        let lr = self.params.lr;
        x.iter_mut().zip(grad).for_each(|(x, g)| *x -= lr * g);
        Step::default()
    }
}
