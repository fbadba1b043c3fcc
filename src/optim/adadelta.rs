//! `adadelta`: Zeiler 2012, in torch.optim.Adadelta's form.
//!
//! torch form (the contract; v₀ = u₀ = 0):
//!
//! vₜ₊₁ = ρvₜ + (1 − ρ)gₜ²,
//! Δₜ = √(uₜ + ε) / √(vₜ₊₁ + ε) · gₜ,
//! uₜ₊₁ = ρuₜ + (1 − ρ)Δₜ²,
//! xₜ₊₁ = xₜ − ηΔₜ  (elementwise).
//!
//! Textbook form (Zeiler 2012, Algorithm 1): Δxₜ = −RMS\[Δx]ₜ₋₁ / RMS\[g]ₜ · gₜ with
//! RMS\[y] = √(E\[y²] + ε), xₜ₊₁ = xₜ + Δxₜ — no learning rate. torch's Δ is −Δx, and
//! torch scales the applied step by η (the accumulator u stores the unscaled Δ²), so
//! η = 1 is Zeiler's method.
//!
//! Defaults (torch's): η = 1, ρ = 0.9, ε = 10⁻⁶.

use serde::{Deserialize, Serialize};

use super::first_order::elementwise_with_two;
use super::{check_decay, check_positive, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of Adadelta.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdadeltaParams {
    /// Learning rate η > 0 (a scale on Δ); defaults to 1.
    pub lr: f64,
    /// Decay ρ ∈ [0, 1); defaults to 0.9.
    pub rho: f64,
    /// ε > 0 inside both roots; defaults to 10⁻⁶.
    pub eps: f64,
}

impl Default for AdadeltaParams {
    fn default() -> Self {
        AdadeltaParams {
            lr: 1.0,
            rho: 0.9,
            eps: 1e-6,
        }
    }
}

impl Params for AdadeltaParams {
    /// η, ε positive and finite; ρ ∈ [0, 1).
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_decay(optimizer, "rho", self.rho)?;
        check_positive(optimizer, "eps", self.eps)
    }
}

/// Adadelta state: the averages of squared gradients v and of squared updates u.
#[derive(Clone, Debug)]
pub struct Adadelta {
    params: AdadeltaParams,
    square_avg: Vec<f64>,
    acc_delta: Vec<f64>,
}

impl UpdateRule for Adadelta {
    const NAME: &'static str = "adadelta";
    const SUMMARY: &'static str =
        "Adadelta: v ← ρv + (1−ρ)g²; Δ = √(u+ε)/√(v+ε)·g; u ← ρu + (1−ρ)Δ²; x ← x − ηΔ";
    type Params = AdadeltaParams;

    fn new(params: AdadeltaParams) -> Self {
        Adadelta {
            params,
            square_avg: Vec::new(),
            acc_delta: Vec::new(),
        }
    }

    fn params(&self) -> &AdadeltaParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.square_avg = vec![0.0; dim];
        self.acc_delta = vec![0.0; dim];
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let AdadeltaParams { lr, rho, eps } = self.params;
        elementwise_with_two(
            x,
            grad,
            &mut self.square_avg,
            &mut self.acc_delta,
            |x, g, v, u| {
                *v = rho * *v + (1.0 - rho) * g * g;
                let delta = (*u + eps).sqrt() / (*v + eps).sqrt() * g;
                *u = rho * *u + (1.0 - rho) * delta * delta;
                *x -= lr * delta;
            },
        );
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    /// While x stands still, u keeps growing towards g² (at a rate set by ε/g², possibly
    /// very slowly) and with it the step: no number of unchanged steps proves a fixed
    /// point, so stall detection is off.
    fn stall_patience(&self) -> usize {
        usize::MAX
    }
}
