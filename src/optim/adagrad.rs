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

use serde_json::json;

use super::{check_positive, Hyperparameters, Optimizer, OptimizerEntry, Step};
use crate::error::Result;
use crate::objective::Objective;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "adagrad",
    description: "Adagrad (torch): s ← s + g²; x ← x − η g/(√s + ε)",
    accepts: &["lr", "eps"],
    build: |hp| {
        Ok(Box::new(Adagrad::new(AdagradParams::from_hyperparameters(
            hp,
        )?)))
    },
};

/// Hyperparameters of Adagrad.
#[derive(Clone, Copy, Debug, PartialEq)]
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

impl AdagradParams {
    /// The defaults overridden by `hp`, validated.
    pub fn from_hyperparameters(hp: &Hyperparameters) -> Result<Self> {
        let d = AdagradParams::default();
        let params = AdagradParams {
            lr: hp.lr.unwrap_or(d.lr),
            eps: hp.eps.unwrap_or(d.eps),
        };
        params.validate()?;
        Ok(params)
    }

    /// η and ε positive and finite.
    pub fn validate(&self) -> Result<()> {
        check_positive("adagrad", "lr", self.lr)?;
        check_positive("adagrad", "eps", self.eps)
    }
}

/// Adagrad state: the sum of squared gradients s.
#[derive(Clone, Debug)]
pub struct Adagrad {
    params: AdagradParams,
    sum_squares: Vec<f64>,
}

impl Adagrad {
    /// Adagrad with validated `params`.
    pub fn new(params: AdagradParams) -> Self {
        Adagrad {
            params,
            sum_squares: Vec::new(),
        }
    }
}

impl Optimizer for Adagrad {
    fn name(&self) -> &'static str {
        "adagrad"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        json!({ "lr": self.params.lr, "eps": self.params.eps })
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.sum_squares = vec![0.0; f.dim()];
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
        let AdagradParams { lr, eps } = self.params;
        x.iter_mut()
            .zip(grad)
            .zip(&mut self.sum_squares)
            .for_each(|((x, g), s)| {
                *s += g * g;
                *x -= lr * g / (s.sqrt() + eps);
            });
        Step::default()
    }

    // With x standing still the gradient is fixed and s only grows, so every later step
    // is no longer than the one that left x unchanged: one unchanged step is a fixed
    // point (the default patience of 1).
}
