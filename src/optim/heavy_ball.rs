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

use serde_json::json;

use super::{
    check_decay, check_positive, settle_steps, Hyperparameters, Optimizer, OptimizerEntry, Step,
};
use crate::error::Result;
use crate::objective::Objective;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "heavy_ball",
    description: "Polyak momentum (torch SGD, dampening 0): b ← μb + g; x ← x − ηb",
    accepts: &["lr", "momentum"],
    build: |hp| {
        Ok(Box::new(HeavyBall::new(
            MomentumParams::from_hyperparameters("heavy_ball", hp)?,
        )))
    },
};

/// Hyperparameters of the momentum methods (`heavy_ball`, `nesterov`).
#[derive(Clone, Copy, Debug, PartialEq)]
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

impl MomentumParams {
    /// The defaults overridden by `hp`, validated for `optimizer`.
    pub fn from_hyperparameters(optimizer: &str, hp: &Hyperparameters) -> Result<Self> {
        let d = MomentumParams::default();
        let params = MomentumParams {
            lr: hp.lr.unwrap_or(d.lr),
            momentum: hp.momentum.unwrap_or(d.momentum),
        };
        params.validate(optimizer)?;
        Ok(params)
    }

    /// η positive and finite, μ ∈ [0, 1); errors name `optimizer` and the field.
    pub fn validate(&self, optimizer: &str) -> Result<()> {
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

impl HeavyBall {
    /// Heavy ball with `params` (validate them first, e.g. through
    /// [`MomentumParams::from_hyperparameters`]).
    pub fn new(params: MomentumParams) -> Self {
        HeavyBall {
            params,
            buffer: Vec::new(),
            first: true,
        }
    }
}

/// b ← μb + g (b ← g at the first step, as torch does).
pub(crate) fn update_buffer(buffer: &mut [f64], grad: &[f64], momentum: f64, first: bool) {
    if first {
        buffer.copy_from_slice(grad);
    } else {
        buffer
            .iter_mut()
            .zip(grad)
            .for_each(|(b, g)| *b = momentum * *b + g);
    }
}

impl Optimizer for HeavyBall {
    fn name(&self) -> &'static str {
        "heavy_ball"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        json!({ "lr": self.params.lr, "momentum": self.params.momentum })
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.buffer = vec![0.0; f.dim()];
        self.first = true;
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
        let MomentumParams { lr, momentum } = self.params;
        update_buffer(&mut self.buffer, grad, momentum, self.first);
        self.first = false;
        x.iter_mut()
            .zip(&self.buffer)
            .for_each(|(x, b)| *x -= lr * b);
        Step::default()
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.momentum)
    }
}
