//! Weight decay, applied by the run loop to any gradient-step method (one with a learning
//! rate, see [`Optimizer::learning_rate`](super::Optimizer::learning_rate)).
//!
//! Two forms, as torch.optim has them (λ ≥ 0, ηₜ the step's learning rate):
//! - **coupled** (`weight_decay` of torch's SGD, Adam, RMSprop, Adagrad, Adadelta): the
//!   gradient handed to the update is g ← g + λx, after clipping. The method then
//!   minimises f + (λ/2)‖x‖² with its own preconditioning of the decay term (for Adam the
//!   decay is divided by √v̂ like the rest of the gradient);
//! - **decoupled** (torch.optim.AdamW; Loshchilov & Hutter 2019): before the update,
//!   x ← x(1 − ηₜλ); the update then uses the unmodified gradient g. `adam` with the
//!   decoupled form is AdamW (torch's AdamW defaults λ to 10⁻², here λ is always given);
//!   with `gd` it is SGDW.
//!
//! The recorded value and gradient norm stay those of f itself (the loss torch reports),
//! so with λ > 0 the iterates approach a stationary point of the regularised objective,
//! where ‖∇f‖ = λ‖x‖ ≠ 0 in general: such a run ends by its iteration cap or target,
//! rarely as `converged`.
//!
//! On sphere-constrained problems ‖x‖ is fixed, the decay term is constant and weight
//! decay is rejected.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where the decay enters the step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecayForm {
    /// g ← g + λx before the update (torch's `weight_decay`).
    #[default]
    Coupled,
    /// x ← x(1 − ηₜλ) before the update (AdamW).
    Decoupled,
}

/// Weight decay λ in one of its two forms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightDecay {
    /// λ ≥ 0.
    pub lambda: f64,
    /// Coupled or decoupled.
    pub form: DecayForm,
}

impl WeightDecay {
    /// The coupled form g ← g + λx.
    pub fn coupled(lambda: f64) -> Self {
        WeightDecay {
            lambda,
            form: DecayForm::Coupled,
        }
    }

    /// The decoupled form x ← x(1 − ηλ).
    pub fn decoupled(lambda: f64) -> Self {
        WeightDecay {
            lambda,
            form: DecayForm::Decoupled,
        }
    }

    /// Rejects a λ that is negative or not finite (field `weight_decay`).
    pub fn validate(&self) -> Result<()> {
        if self.lambda.is_finite() && self.lambda >= 0.0 {
            Ok(())
        } else {
            Err(Error::invalid(
                "weight_decay",
                "a finite number ≥ 0",
                self.lambda,
            ))
        }
    }

    /// The coupled form on the gradient handed to the update: g ← g + λx (nothing for
    /// the decoupled form).
    pub fn apply_to_gradient(&self, x: &[f64], grad: &mut [f64]) {
        if self.form == DecayForm::Coupled {
            let lambda = self.lambda;
            grad.iter_mut().zip(x).for_each(|(g, x)| *g += lambda * x);
        }
    }

    /// The decoupled form on the iterate before the update with rate `lr`:
    /// x ← x(1 − ηλ) (nothing for the coupled form).
    pub fn apply_to_iterate(&self, lr: f64, x: &mut [f64]) {
        if self.form == DecayForm::Decoupled {
            let factor = 1.0 - lr * self.lambda;
            x.iter_mut().for_each(|x| *x *= factor);
        }
    }
}
