//! `nesterov`: Nesterov's accelerated gradient in torch.optim.SGD's form
//! (`nesterov=True`, dampening 0).
//!
//! torch form (the contract), with buffer b (b₁ = g₀ at the first step):
//!
//! bₜ₊₁ = μbₜ + ∇f(xₜ),  xₜ₊₁ = xₜ − η(∇f(xₜ) + μbₜ₊₁).
//!
//! Textbook look-ahead form (Nesterov 1983; Sutskever et al. 2013):
//! vₜ₊₁ = μvₜ − η∇f(yₜ + μvₜ), yₜ₊₁ = yₜ + vₜ₊₁, the gradient taken at the look-ahead
//! point yₜ + μvₜ. torch's iterate is that look-ahead point, xₜ = yₜ + μvₜ, with
//! v = −ηb: then xₜ₊₁ = yₜ₊₁ + μvₜ₊₁ = xₜ + μvₜ₊₁ − η∇f(xₜ) = xₜ − η(∇f(xₜ) + μbₜ₊₁).
//! So the two forms visit the same look-ahead points, and the gradient is only ever
//! needed at the iterate.
//!
//! Defaults: η = 10⁻³ (torch's SGD default), μ = 0.9 (torch requires μ > 0 for
//! Nesterov, and so do we).

use serde_json::json;

use super::heavy_ball::{update_buffer, MomentumParams};
use super::{settle_steps, Hyperparameters, Optimizer, OptimizerEntry, Step};
use crate::error::{Error, Result};
use crate::objective::Objective;

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "nesterov",
    description: "Nesterov momentum (torch SGD nesterov=True): b ← μb + g; x ← x − η(g + μb)",
    accepts: &["lr", "momentum"],
    build: |hp| Ok(Box::new(Nesterov::new(nesterov_params(hp)?))),
};

/// [`MomentumParams`] for Nesterov: as heavy ball's, and μ > 0.
pub fn nesterov_params(hp: &Hyperparameters) -> Result<MomentumParams> {
    let params = MomentumParams::from_hyperparameters("nesterov", hp)?;
    if params.momentum == 0.0 {
        return Err(Error::InvalidHyperparameter {
            optimizer: "nesterov".to_string(),
            name: "momentum".to_string(),
            expected: "a number in (0, 1) (Nesterov momentum needs μ > 0)".to_string(),
            found: "0".to_string(),
        });
    }
    Ok(params)
}

/// Nesterov state: the momentum buffer b.
#[derive(Clone, Debug)]
pub struct Nesterov {
    params: MomentumParams,
    buffer: Vec<f64>,
    first: bool,
}

impl Nesterov {
    /// Nesterov momentum with `params` (validate them first, e.g. through
    /// [`nesterov_params`]).
    pub fn new(params: MomentumParams) -> Self {
        Nesterov {
            params,
            buffer: Vec::new(),
            first: true,
        }
    }
}

impl Optimizer for Nesterov {
    fn name(&self) -> &'static str {
        "nesterov"
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
            .zip(grad)
            .zip(&self.buffer)
            .for_each(|((x, g), b)| *x -= lr * (g + momentum * b));
        Step::default()
    }

    fn stall_patience(&self) -> usize {
        settle_steps(self.params.momentum)
    }
}
