//! One run of the Safran–Shamir protocol: plain gradient descent on `relu_net` with the
//! identity teacher from an N(0, 1/d) start, until maxᵢ‖∇_{wᵢ}F‖ ≤ tol; when ‖∇F‖
//! exceeds the blow-up bound (or F turns non-finite), restart from the same start with
//! half the step.

use serde::{Deserialize, Serialize};

use super::gradient::IdentityTeacher;

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
}

/// Where a GD run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct GdEnd {
    /// How it ended.
    pub outcome: RunOutcome,
    /// Gradient steps taken, over all restarts.
    pub iterations: usize,
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
    loop {
        let value = f.value_and_gradient(&w, &mut grad);
        let (mut total, mut max_row) = (0.0, 0.0f64);
        for row in grad.chunks_exact(d) {
            let sq: f64 = row.iter().map(|g| g * g).sum();
            total += sq;
            max_row = max_row.max(sq);
        }
        let max_row = max_row.sqrt();
        let end = |outcome, w: Vec<f64>| GdEnd {
            outcome,
            iterations,
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
        w.iter_mut().zip(&grad).for_each(|(w, g)| *w -= lr * g);
        iterations += 1;
    }
}
