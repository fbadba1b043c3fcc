//! The convergence bound of GD with η = 1/β on a β-smooth f, checked against a run:
//! summing the descent lemma f(xₛ) − f(xₛ₊₁) ≥ ‖∇f(xₛ)‖²/(2β) over s ≤ t gives
//! (t + 1)·min_{s≤t}‖∇f(xₛ)‖² ≤ 2β(f(x₀) − f(xₜ₊₁)) ≤ 2β(f(x₀) − f*), so
//! min_{s≤t}‖∇f(xₛ)‖ ≤ √(2β(f(x₀) − f*)/(t + 1)) and T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ steps
//! reach ‖∇f‖ ≤ ε. Used by [`bounds`](super::bounds::bounds), which chooses f*.

use serde::{Deserialize, Serialize};

/// The convergence bound against the observed gradient norms, for t = 0 … steps − 1.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConvergenceBound {
    /// min_{s≤t} ‖∇f(xₛ)‖.
    pub min_grad_norm: Vec<f64>,
    /// √(2β(f(x₀) − f*)/(t + 1)).
    pub bound: Vec<f64>,
    /// The t where min_grad_norm > bound·(1 + tolerance).
    pub exceeded: Vec<usize>,
    /// ε.
    pub epsilon: f64,
    /// T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ (a float: it may exceed any integer type; 0 when
    /// f(x₀) ≤ f*).
    pub t_epsilon: f64,
    /// The first t ≤ steps with ‖∇f(xₜ)‖ ≤ ε, if any.
    pub first_below_epsilon: Option<usize>,
}

/// The bound for a run with gradient norms ‖∇f(xₜ)‖ at the steps t = 0 … steps − 1
/// (`grad_norms`) and at the last iterate (`final_grad_norm`), with gap = f(x₀) − f*
/// (clamped at 0).
pub fn convergence(
    grad_norms: &[f64],
    final_grad_norm: f64,
    beta: f64,
    gap: f64,
    epsilon: f64,
    tolerance: f64,
) -> ConvergenceBound {
    let gap = gap.max(0.0);
    let min_grad_norm: Vec<f64> = grad_norms
        .iter()
        .scan(f64::INFINITY, |running, &g| {
            *running = running.min(g);
            Some(*running)
        })
        .collect();
    let bound: Vec<f64> = (0..grad_norms.len())
        .map(|t| (2.0 * beta * gap / (t + 1) as f64).sqrt())
        .collect();
    let exceeded = min_grad_norm
        .iter()
        .zip(&bound)
        .enumerate()
        .filter(|(_, (m, b))| **m > **b * (1.0 + tolerance))
        .map(|(t, _)| t)
        .collect();
    let t_epsilon = if gap == 0.0 {
        0.0
    } else {
        (2.0 * beta * gap / (epsilon * epsilon)).ceil()
    };
    let first_below_epsilon = grad_norms
        .iter()
        .chain(std::iter::once(&final_grad_norm))
        .position(|&g| g <= epsilon);
    ConvergenceBound {
        min_grad_norm,
        bound,
        exceeded,
        epsilon,
        t_epsilon,
        first_below_epsilon,
    }
}
