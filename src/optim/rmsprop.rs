//! `rmsprop`: Hinton's RMSprop, in torch.optim.RMSprop's form (not centered, no
//! momentum).
//!
//! torch form (the contract; v₀ = 0):
//!
//! vₜ₊₁ = αvₜ + (1 − α)gₜ²,  xₜ₊₁ = xₜ − η gₜ / (√vₜ₊₁ + ε)  (elementwise).
//!
//! Textbook form (Tieleman & Hinton 2012, lecture 6e): E[g²] ← 0.9E[g²] + 0.1g²,
//! x ← x − η g/√(E[g²] + ε): the same moving average with α = 0.9, ε inside the root;
//! torch puts ε outside and defaults α to 0.99.
//!
//! Defaults (torch's): η = 0.01, α = 0.99, ε = 10⁻⁸.

use serde_json::json;

use super::{
    check_decay, check_positive, settle_steps, Hyperparameters, Optimizer, OptimizerEntry, Step,
};
use crate::error::Result;
use crate::objective::Objective;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "rmsprop",
    description: "RMSprop (torch): v ← αv + (1−α)g²; x ← x − η g/(√v + ε)",
    accepts: &["lr", "alpha", "eps"],
    build: |hp| {
        Ok(Box::new(RmsProp::new(RmsPropParams::from_hyperparameters(
            hp,
        )?)))
    },
};

/// Hyperparameters of RMSprop.
#[derive(Clone, Copy, Debug, PartialEq)]
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

impl RmsPropParams {
    /// The defaults overridden by `hp`, validated.
    pub fn from_hyperparameters(hp: &Hyperparameters) -> Result<Self> {
        let d = RmsPropParams::default();
        let params = RmsPropParams {
            lr: hp.lr.unwrap_or(d.lr),
            alpha: hp.alpha.unwrap_or(d.alpha),
            eps: hp.eps.unwrap_or(d.eps),
        };
        params.validate()?;
        Ok(params)
    }

    /// η, ε positive and finite; α ∈ [0, 1).
    pub fn validate(&self) -> Result<()> {
        check_positive("rmsprop", "lr", self.lr)?;
        check_decay("rmsprop", "alpha", self.alpha)?;
        check_positive("rmsprop", "eps", self.eps)
    }
}

/// RMSprop state: the moving average of squared gradients v.
#[derive(Clone, Debug)]
pub struct RmsProp {
    params: RmsPropParams,
    square_avg: Vec<f64>,
}

impl RmsProp {
    /// RMSprop with validated `params`.
    pub fn new(params: RmsPropParams) -> Self {
        RmsProp {
            params,
            square_avg: Vec::new(),
        }
    }
}

impl Optimizer for RmsProp {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        json!({ "lr": self.params.lr, "alpha": self.params.alpha, "eps": self.params.eps })
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.square_avg = vec![0.0; f.dim()];
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
        let RmsPropParams { lr, alpha, eps } = self.params;
        x.iter_mut()
            .zip(grad)
            .zip(&mut self.square_avg)
            .for_each(|((x, g), v)| {
                *v = alpha * *v + (1.0 - alpha) * g * g;
                *x -= lr * g / (v.sqrt() + eps);
            });
        Step::default()
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.alpha)
    }
}
