//! `adam`: Kingma & Ba 2015, in torch.optim.Adam's form (no weight decay, no AMSGrad).
//!
//! torch form (the contract; m₀ = v₀ = 0, t counts steps from 1):
//!
//! mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ,  vₜ = β₂vₜ₋₁ + (1 − β₂)gₜ²,
//! m̂ₜ = mₜ/(1 − β₁ᵗ),  v̂ₜ = vₜ/(1 − β₂ᵗ),
//! xₜ = xₜ₋₁ − η m̂ₜ/(√v̂ₜ + ε)  (elementwise).
//!
//! This is Kingma–Ba's Algorithm 1 exactly (ε outside the root, added to √v̂). With
//! `bias_correction = false` (`--no-bias-correction`) the hats are dropped — the slides'
//! form xₜ = xₜ₋₁ − η mₜ/(√vₜ + ε). When ε is negligible its steps are those of the
//! corrected form times (1 − β₁ᵗ)/√(1 − β₂ᵗ): ≈ 3.16 at t = 1 with the defaults, → 1 as
//! t grows.
//!
//! The arithmetic follows torch's order so that iterates agree to the last digit:
//! m ← lerp(m, g, 1 − β₁), denominator √v/√(1 − β₂ᵗ) + ε, step η/(1 − β₁ᵗ)·m/denominator.
//!
//! Defaults (torch's): η = 10⁻³, β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸, bias correction on.

use serde::{Deserialize, Serialize};

use super::first_order::elementwise_with_two;
use super::{check_decay, check_positive, settle_steps, Params, UpdateRule};
use crate::error::Result;

/// Hyperparameters of Adam.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamParams {
    /// Learning rate η > 0; defaults to 10⁻³.
    pub lr: f64,
    /// First-moment decay β₁ ∈ [0, 1); defaults to 0.9.
    pub beta1: f64,
    /// Second-moment decay β₂ ∈ [0, 1); defaults to 0.999.
    pub beta2: f64,
    /// ε > 0 added to √v̂; defaults to 10⁻⁸.
    pub eps: f64,
    /// Divide the moments by 1 − βᵗ; defaults to true (`--no-bias-correction` sets false).
    pub bias_correction: bool,
}

impl Default for AdamParams {
    fn default() -> Self {
        AdamParams {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            bias_correction: true,
        }
    }
}

impl Params for AdamParams {
    /// η, ε positive and finite; β₁, β₂ ∈ [0, 1).
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_positive(optimizer, "lr", self.lr)?;
        check_decay(optimizer, "beta1", self.beta1)?;
        check_decay(optimizer, "beta2", self.beta2)?;
        check_positive(optimizer, "eps", self.eps)
    }
}

/// Adam state: the moments m and v and the step count t.
#[derive(Clone, Debug)]
pub struct Adam {
    params: AdamParams,
    exp_avg: Vec<f64>,
    exp_avg_sq: Vec<f64>,
    t: u64,
}

/// torch's CPU `lerp(start, end, w)`: start + w(end − start) for |w| < ½, else
/// end − (end − start)(1 − w).
#[inline]
fn lerp(start: f64, end: f64, weight: f64) -> f64 {
    if weight.abs() < 0.5 {
        start + weight * (end - start)
    } else {
        end - (end - start) * (1.0 - weight)
    }
}

impl UpdateRule for Adam {
    const NAME: &'static str = "adam";
    const SUMMARY: &'static str =
        "Adam (Kingma–Ba): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; x ← x − η m̂/(√v̂ + ε)";
    type Params = AdamParams;

    fn new(params: AdamParams) -> Self {
        Adam {
            params,
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
            t: 0,
        }
    }

    fn params(&self) -> &AdamParams {
        &self.params
    }

    fn reset(&mut self, dim: usize) {
        self.exp_avg = vec![0.0; dim];
        self.exp_avg_sq = vec![0.0; dim];
        self.t = 0;
    }

    fn update(&mut self, x: &mut [f64], grad: &[f64]) {
        let AdamParams {
            lr,
            beta1,
            beta2,
            eps,
            bias_correction,
        } = self.params;
        self.t += 1;
        let (correction1, correction2_sqrt) = if bias_correction {
            let t = self.t as f64;
            (1.0 - beta1.powf(t), (1.0 - beta2.powf(t)).sqrt())
        } else {
            (1.0, 1.0)
        };
        let step_size = lr / correction1;
        elementwise_with_two(
            x,
            grad,
            &mut self.exp_avg,
            &mut self.exp_avg_sq,
            |x, g, m, v| {
                *m = lerp(*m, g, 1.0 - beta1);
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                let denominator = v.sqrt() / correction2_sqrt + eps;
                *x -= step_size * *m / denominator;
            },
        );
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.beta1.max(self.params.beta2))
    }
}
