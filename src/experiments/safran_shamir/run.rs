//! One run of the Safran–Shamir protocol: plain gradient descent on `relu_net` with the
//! identity teacher from an N(0, 1/d) start, until maxᵢ‖∇_{wᵢ}F‖ ≤ tol; when ‖∇F‖
//! exceeds the blow-up bound (or F turns non-finite), restart from the same start with
//! half the step.
//!
//! # Newton finish
//! Near a strict minimum GD converges linearly, with rate 1 − ηλmin per step: with
//! λmin ≈ 10⁻² (the spurious minima) each decade of the gradient costs ≈ 2·10³ steps,
//! and the decades below 10⁻⁴ down to tol were about half of the experiment's steps. Once
//! maxᵢ‖∇_{wᵢ}F‖ ≤ `newton_below`, the run tries Newton steps W ← W − H⁻¹∇F on the exact
//! Hessian ([`super::hessian::hessian`], Cholesky): taken while H is positive definite
//! and every step at least halves maxᵢ‖∇_{wᵢ}F‖, until it is ≤ tol (quadratic
//! convergence: two or three steps). A Newton step's length is ‖H⁻¹∇F‖ ≤ ‖∇F‖/λmin,
//! inside the basin GD was converging in, so both end at the same minimum, Newton's to a
//! smaller gradient. If any step fails those tests the run goes on by GD from the point
//! where Newton began, exactly as without it (near a saddle: an indefinite Hessian; a
//! degenerate minimum), and Newton is tried again once the gradient has fallen tenfold.

use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use super::gradient::IdentityTeacher;
use super::hessian::hessian;
use faer::linalg::solvers::Solve;

/// Newton steps tried at most (quadratic convergence needs two or three).
const MAX_NEWTON_STEPS: usize = 8;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// maxᵢ‖∇_{wᵢ}F‖ ≤ tol.
    Converged,
    /// The iteration cap came first: not a minimum, never counted as one.
    NotConverged,
    /// The step was halved `max_restarts` times and GD still blew up.
    Diverged,
}

/// The GD settings of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GdSettings {
    /// Initial step η.
    pub lr: f64,
    /// Stop when maxᵢ‖∇_{wᵢ}F‖ ≤ tol.
    pub tol: f64,
    /// Restart with η/2 when ‖∇F‖ > blow_up.
    pub blow_up: f64,
    /// Iteration cap (over all restarts of the run).
    pub max_iters: usize,
    /// Most restarts before the run is `Diverged`.
    pub max_restarts: usize,
    /// Try the Newton finish once maxᵢ‖∇_{wᵢ}F‖ ≤ this (0: plain GD to the end).
    pub newton_below: f64,
}

/// Where a GD run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct GdEnd {
    /// How it ended.
    pub outcome: RunOutcome,
    /// Gradient steps taken, over all restarts.
    pub iterations: usize,
    /// Newton steps of the finish (0 when it was not taken).
    pub newton_steps: usize,
    /// Restarts with a halved step.
    pub restarts: usize,
    /// The step of the final attempt.
    pub lr: f64,
    /// The final point W (row-major n×k).
    pub point: Vec<f64>,
    /// F at it.
    pub value: f64,
    /// maxᵢ‖∇_{wᵢ}F‖ at it.
    pub max_row_gradient: f64,
}

/// Runs GD from `w0` with the workspace `f` (allocates the iterate and gradient once).
pub fn gradient_descent(f: &mut IdentityTeacher, w0: &[f64], settings: &GdSettings) -> GdEnd {
    let d = f.k();
    let mut w = w0.to_vec();
    let mut grad = vec![0.0; w.len()];
    let mut lr = settings.lr;
    let (mut iterations, mut restarts) = (0, 0);
    // The gradient level at which Newton is tried next (a tenth of the last failed try's).
    let mut newton_at = settings.newton_below;
    loop {
        let value = f.value_and_gradient(&w, &mut grad);
        let (total, max_row) = gradient_norms(&grad, d);
        let end = |outcome, w: Vec<f64>| GdEnd {
            outcome,
            iterations,
            newton_steps: 0,
            restarts,
            lr,
            point: w,
            value,
            max_row_gradient: max_row,
        };
        if !value.is_finite() || !total.is_finite() || total.sqrt() > settings.blow_up {
            if restarts == settings.max_restarts {
                return end(RunOutcome::Diverged, w);
            }
            restarts += 1;
            lr /= 2.0;
            w.copy_from_slice(w0);
            continue;
        }
        if max_row <= settings.tol {
            return end(RunOutcome::Converged, w);
        }
        if iterations == settings.max_iters {
            return end(RunOutcome::NotConverged, w);
        }
        if max_row <= newton_at {
            newton_at = max_row / 10.0;
            if let Some(finish) = newton_finish(f, &w, &grad, max_row, settings.tol) {
                return GdEnd {
                    outcome: RunOutcome::Converged,
                    iterations,
                    newton_steps: finish.steps,
                    restarts,
                    lr,
                    point: finish.point,
                    value: finish.value,
                    max_row_gradient: finish.max_row_gradient,
                };
            }
        }
        w.iter_mut().zip(&grad).for_each(|(w, g)| *w -= lr * g);
        iterations += 1;
    }
}

/// ‖∇F‖² and maxᵢ‖∇_{wᵢ}F‖ of a row-major gradient with rows of length d.
fn gradient_norms(grad: &[f64], d: usize) -> (f64, f64) {
    let (mut total, mut max_row) = (0.0, 0.0f64);
    for row in grad.chunks_exact(d) {
        let sq: f64 = row.iter().map(|g| g * g).sum();
        total += sq;
        max_row = max_row.max(sq);
    }
    (total, max_row.sqrt())
}

/// Where a Newton finish ended.
struct NewtonFinish {
    point: Vec<f64>,
    value: f64,
    max_row_gradient: f64,
    steps: usize,
}

/// Newton steps from `w` (gradient `grad`, maxᵢ‖∇_{wᵢ}F‖ = `max_row`) until
/// maxᵢ‖∇_{wᵢ}F‖ ≤ tol; `None` as soon as the Hessian is not positive definite, a step
/// does not halve maxᵢ‖∇_{wᵢ}F‖ (or leaves F non-finite), or [`MAX_NEWTON_STEPS`] pass.
fn newton_finish(
    f: &mut IdentityTeacher,
    w: &[f64],
    grad: &[f64],
    max_row: f64,
    tol: f64,
) -> Option<NewtonFinish> {
    let d = f.k();
    let (mut point, mut g, mut max_row) = (w.to_vec(), grad.to_vec(), max_row);
    for steps in 1..=MAX_NEWTON_STEPS {
        let cholesky = hessian(&point, d).llt(Side::Lower).ok()?;
        let mut step = Mat::<f64>::from_fn(g.len(), 1, |i, _| g[i]);
        cholesky.solve_in_place(step.as_mut());
        point
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x -= step[(i, 0)]);
        let value = f.value_and_gradient(&point, &mut g);
        let (total, next) = gradient_norms(&g, d);
        if !(value.is_finite() && total.is_finite() && next <= 0.5 * max_row) {
            return None;
        }
        max_row = next;
        if max_row <= tol {
            return Some(NewtonFinish {
                point,
                value,
                max_row_gradient: max_row,
                steps,
            });
        }
    }
    None
}
