//! The first-order update rules and the one adapter that runs any of them.
//!
//! A first-order rule maps (xₜ, gₜ, its state) to xₜ₊₁ and nothing else: no objective
//! calls, no stopping of its own, no events. [`UpdateRule`] is that narrow contract —
//! a typed [`Params`] struct, state reset for a dimension, and one in-place update
//! x ← u(x, g) — and [`FirstOrder`] turns any rule into an [`Optimizer`] for the run
//! loop (name, hyperparameters JSON = the serialised params, start = reset for `f.dim()`,
//! step = update).

use rayon::prelude::*;

use super::params::Params;
use super::{Method, Optimizer, Step};
use crate::error::Result;
use crate::objective::Objective;

/// One first-order update rule: its parameters, its state and xₜ₊₁ = u(xₜ, gₜ).
///
/// `gₜ` is the gradient the run loop hands over (Riemannian on constrained problems,
/// clipped when the run clips); the loop retracts x afterwards on spheres.
pub trait UpdateRule: Send + 'static {
    /// The registry name (`gd`, `adam`, …).
    const NAME: &'static str;
    /// One line for `landscape run --help`: what it is and its update; the defaults are
    /// appended from [`Params`].
    const SUMMARY: &'static str;
    /// Its hyperparameters.
    type Params: Params;

    /// The rule with `params` (already validated by [`Params::validate`]).
    fn new(params: Self::Params) -> Self;

    /// The hyperparameters in use (serialised into the trajectory's `hyperparameters`).
    fn params(&self) -> &Self::Params;

    /// Resets the state for a run in dimension `dim` (moments zeroed, step counters back
    /// to 0). Allocates here, never in [`update`](UpdateRule::update).
    fn reset(&mut self, dim: usize);

    /// One step in place: x ← u(x, g), updating the state. Allocates nothing.
    fn update(&mut self, x: &mut [f64], grad: &[f64]);

    /// The learning rate η the next [`update`](UpdateRule::update) uses (its `lr`).
    fn learning_rate(&self) -> f64;

    /// Sets η for the next updates (a schedule's ηₜ; the state is kept).
    fn set_learning_rate(&mut self, lr: f64);

    /// See [`Optimizer::stall_patience`] (1: one unchanged step is a fixed point).
    fn stall_patience(&self) -> usize {
        1
    }
}

/// Coordinates per parallel task of an elementwise update.
const CHUNK: usize = 1 << 14;

/// Updates of at least this many coordinates run in parallel (by chunks of [`CHUNK`]);
/// smaller ones in sequence, where a parallel loop would cost more than it saves.
const PARALLEL_MIN: usize = 1 << 16;

/// `update(xᵢ, gᵢ)` for every coordinate i, in parallel by fixed chunks on large
/// vectors: elementwise, so the result is the same on any thread count.
pub(crate) fn elementwise(x: &mut [f64], grad: &[f64], update: impl Fn(&mut f64, f64) + Sync) {
    let run = |x: &mut [f64], g: &[f64]| x.iter_mut().zip(g).for_each(|(x, g)| update(x, *g));
    if x.len() < PARALLEL_MIN {
        run(x, grad);
    } else {
        x.par_chunks_mut(CHUNK)
            .zip(grad.par_chunks(CHUNK))
            .for_each(|(x, g)| run(x, g));
    }
}

/// [`elementwise`] with one state vector `a`: `update(xᵢ, gᵢ, aᵢ)`.
pub(crate) fn elementwise_with(
    x: &mut [f64],
    grad: &[f64],
    a: &mut [f64],
    update: impl Fn(&mut f64, f64, &mut f64) + Sync,
) {
    let run = |x: &mut [f64], g: &[f64], a: &mut [f64]| {
        x.iter_mut()
            .zip(g)
            .zip(a)
            .for_each(|((x, g), a)| update(x, *g, a))
    };
    if x.len() < PARALLEL_MIN {
        run(x, grad, a);
    } else {
        x.par_chunks_mut(CHUNK)
            .zip(grad.par_chunks(CHUNK))
            .zip(a.par_chunks_mut(CHUNK))
            .for_each(|((x, g), a)| run(x, g, a));
    }
}

/// [`elementwise`] with two state vectors `a`, `b`: `update(xᵢ, gᵢ, aᵢ, bᵢ)`.
pub(crate) fn elementwise_with_two(
    x: &mut [f64],
    grad: &[f64],
    a: &mut [f64],
    b: &mut [f64],
    update: impl Fn(&mut f64, f64, &mut f64, &mut f64) + Sync,
) {
    let run = |x: &mut [f64], g: &[f64], a: &mut [f64], b: &mut [f64]| {
        x.iter_mut()
            .zip(g)
            .zip(a.iter_mut().zip(b))
            .for_each(|((x, g), (a, b))| update(x, *g, a, b))
    };
    if x.len() < PARALLEL_MIN {
        run(x, grad, a, b);
    } else {
        x.par_chunks_mut(CHUNK)
            .zip(grad.par_chunks(CHUNK))
            .zip(a.par_chunks_mut(CHUNK).zip(b.par_chunks_mut(CHUNK)))
            .for_each(|((x, g), (a, b))| run(x, g, a, b));
    }
}

/// Any [`UpdateRule`] as an [`Optimizer`].
#[derive(Clone, Debug)]
pub struct FirstOrder<R> {
    rule: R,
}

impl<R: UpdateRule> FirstOrder<R> {
    /// The rule with `params`, validated (an out-of-range value is an error naming it).
    pub fn new(params: R::Params) -> Result<Self> {
        params.validate(R::NAME)?;
        Ok(FirstOrder {
            rule: R::new(params),
        })
    }

    /// The rule and its state.
    pub fn rule(&self) -> &R {
        &self.rule
    }
}

impl<R: UpdateRule> Method for FirstOrder<R> {
    const NAME: &'static str = R::NAME;
    const SUMMARY: &'static str = R::SUMMARY;
    type Params = R::Params;

    fn from_params(params: R::Params) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(FirstOrder {
            rule: R::new(params),
        }))
    }
}

impl<R: UpdateRule> Optimizer for FirstOrder<R> {
    fn name(&self) -> &'static str {
        R::NAME
    }

    fn hyperparameters(&self) -> serde_json::Value {
        serde_json::to_value(self.rule.params()).unwrap_or_default()
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.rule.reset(f.dim());
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
        self.rule.update(x, grad);
        Step::default()
    }

    fn stall_patience(&self) -> usize {
        self.rule.stall_patience()
    }

    fn learning_rate(&self) -> Option<f64> {
        Some(self.rule.learning_rate())
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.rule.set_learning_rate(lr);
    }
}
