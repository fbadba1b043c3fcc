//! Minima by descent: L-BFGS (Nocedal & Wright 2006, Alg. 7.4, memory [`MEMORY`]) with
//! Armijo backtracking, f(R_x(αd)) ≤ f(x) + 10⁻⁴·α·gᵀd. On spheres the gradient is the
//! Riemannian one, the direction is projected on the tangent space and each step
//! retracts; curvature pairs (s, y) are ambient differences, kept only when
//! sᵀy > 10⁻¹²‖s‖‖y‖, and the memory restarts whenever the direction is not a descent.
//! The first step has length at most the start scale. All scratch is allocated once.
//!
//! # The rounding floor of f
//! Near a minimum the decrease a step can make, ≈ ½gᵀH⁻¹g, falls below the rounding
//! error of the computed f long before ‖g‖ reaches a tight target. The backtracking then
//! halves the step until x + αd rounds to (nearly) x and the Armijo test holds with
//! f(x_new) = f(x): a step that changes nothing, which the next iteration would repeat
//! up to the iteration cap (at d = 500, 2000 iterations of ≈ 35 evaluations each). So the
//! descent stops as soon as an accepted step does not lower the computed f, leaving x
//! where f can still certify a decrease; the census polishes from there by the
//! root-finder, which works on ‖grad f‖ and is not limited by f's rounding.

use crate::linalg::{dot, norm};
use crate::manifold::Manifold;
use crate::objective::Objective;

/// Number of curvature pairs kept.
pub const MEMORY: usize = 6;
/// Halvings of the step before the line search gives up.
const BACKTRACKS: usize = 50;

/// Where a descent ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DescentStatus {
    /// f at the end.
    pub value: f64,
    /// ‖grad f‖ at the end.
    pub grad_norm: f64,
    /// Iterations used.
    pub iterations: usize,
    /// The iterate left the ball of radius `bound` or f became non-finite (f unbounded
    /// below along the path).
    pub diverged: bool,
}

/// L-BFGS with its scratch.
pub struct Lbfgs<'a> {
    f: &'a dyn Objective,
    manifold: Manifold,
    g: Vec<f64>,
    g_new: Vec<f64>,
    x_new: Vec<f64>,
    direction: Vec<f64>,
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    rho: Vec<f64>,
    alpha: Vec<f64>,
}

impl<'a> Lbfgs<'a> {
    /// A solver for f with scratch sized to f.dim().
    pub fn new(f: &'a dyn Objective) -> Self {
        let d = f.dim();
        Lbfgs {
            f,
            manifold: f.manifold(),
            g: vec![0.0; d],
            g_new: vec![0.0; d],
            x_new: vec![0.0; d],
            direction: vec![0.0; d],
            s: vec![vec![0.0; d]; MEMORY],
            y: vec![vec![0.0; d]; MEMORY],
            rho: vec![0.0; MEMORY],
            alpha: vec![0.0; MEMORY],
        }
    }

    /// Descends from x (updated in place) until ‖g‖ ≤ `target(f)`, the line search
    /// fails or reaches the rounding floor of f (module doc), ‖x‖_∞ > `bound`, or
    /// `max_iter` iterations; `first_step` bounds the length of the first step.
    pub fn minimise(
        &mut self,
        x: &mut [f64],
        target: impl Fn(f64) -> f64,
        first_step: f64,
        bound: f64,
        max_iter: usize,
    ) -> DescentStatus {
        let mut value = self.f.value_and_gradient(x, &mut self.g);
        self.manifold.project_tangent(x, &mut self.g);
        let mut gn = norm(&self.g);
        let (mut stored, mut newest) = (0usize, 0usize);
        let mut iterations = 0;
        let mut diverged = !value.is_finite();
        while !diverged && iterations < max_iter && gn > target(value) {
            iterations += 1;
            self.two_loop(stored, newest);
            self.manifold.project_tangent(x, &mut self.direction);
            let mut slope = dot(&self.g, &self.direction);
            if slope.is_nan() || slope >= 0.0 {
                // Not a descent direction: restart from steepest descent.
                stored = 0;
                self.direction
                    .iter_mut()
                    .zip(&self.g)
                    .for_each(|(d, g)| *d = -g);
                slope = -gn * gn;
            }
            let mut step = if stored == 0 {
                (first_step / norm(&self.direction)).min(1.0)
            } else {
                1.0
            };
            let mut accepted = None;
            for _ in 0..BACKTRACKS {
                for ((y, x), d) in self.x_new.iter_mut().zip(x.iter()).zip(&self.direction) {
                    *y = x + step * d;
                }
                self.manifold.retract_in_place(&mut self.x_new);
                let trial = self.f.value(&self.x_new);
                if trial <= value + 1e-4 * step * slope {
                    accepted = Some(trial);
                    break;
                }
                step *= 0.5;
            }
            let Some(trial) = accepted else { break };
            if trial >= value {
                break; // the rounding floor of f (module doc): no decrease to certify.
            }
            let new_value = self.f.value_and_gradient(&self.x_new, &mut self.g_new);
            self.manifold.project_tangent(&self.x_new, &mut self.g_new);
            debug_assert!(new_value == trial || !trial.is_finite());
            // Keep the curvature pair (s, y) only when sᵀy is safely positive.
            let (mut sy, mut ss, mut yy) = (0.0, 0.0, 0.0);
            let pairs = self.x_new.iter().zip(x.iter());
            for ((xn, xo), (gn, go)) in pairs.zip(self.g_new.iter().zip(&self.g)) {
                let (si, yi) = (xn - xo, gn - go);
                (sy, ss, yy) = (sy + si * yi, ss + si * si, yy + yi * yi);
            }
            if sy > 1e-12 * (ss * yy).sqrt() {
                let slot = if stored == 0 {
                    0
                } else {
                    (newest + 1) % MEMORY
                };
                let (s, y) = (&mut self.s[slot], &mut self.y[slot]);
                for (i, (si, yi)) in s.iter_mut().zip(y.iter_mut()).enumerate() {
                    *si = self.x_new[i] - x[i];
                    *yi = self.g_new[i] - self.g[i];
                }
                self.rho[slot] = 1.0 / sy;
                newest = slot;
                stored = (stored + 1).min(MEMORY);
            }
            x.copy_from_slice(&self.x_new);
            std::mem::swap(&mut self.g, &mut self.g_new);
            value = new_value;
            gn = norm(&self.g);
            diverged = !value.is_finite() || x.iter().any(|v| v.is_nan() || v.abs() > bound);
        }
        DescentStatus {
            value,
            grad_norm: gn,
            iterations,
            diverged,
        }
    }

    /// direction = −H_k g by the two-loop recursion over the `stored` newest pairs.
    fn two_loop(&mut self, stored: usize, newest: usize) {
        self.direction
            .iter_mut()
            .zip(&self.g)
            .for_each(|(d, g)| *d = -g);
        let slot = |back: usize| (newest + MEMORY - back) % MEMORY;
        for back in 0..stored {
            let i = slot(back);
            self.alpha[i] = self.rho[i] * dot(&self.s[i], &self.direction);
            let a = self.alpha[i];
            self.direction
                .iter_mut()
                .zip(&self.y[i])
                .for_each(|(d, y)| *d -= a * y);
        }
        if stored > 0 {
            let yy = dot(&self.y[newest], &self.y[newest]);
            let gamma = 1.0 / (self.rho[newest] * yy);
            self.direction.iter_mut().for_each(|d| *d *= gamma);
        }
        for back in (0..stored).rev() {
            let i = slot(back);
            let beta = self.rho[i] * dot(&self.y[i], &self.direction);
            let a = self.alpha[i];
            self.direction
                .iter_mut()
                .zip(&self.s[i])
                .for_each(|(d, s)| *d += (a - beta) * s);
        }
    }
}
