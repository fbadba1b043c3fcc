//! A root-finder for ∇f = 0 that converges to stationary points of every kind:
//! Levenberg–Marquardt on the residual r(x) = grad f(x) (the Riemannian gradient on
//! spheres), whose Jacobian is the symmetric Hessian H:
//!
//!   p = −(H² + μI)⁻¹ H g,   x ← R_x(p)   when ‖g(R_x(p))‖ < ‖g(x)‖,
//!
//! μ shrinking ×⅓ after an accepted step and growing ×4 after a rejected one. With μ → 0
//! it is Newton's method on ∇f = 0 (quadratic convergence to a non-degenerate saddle,
//! maximum or minimum alike); large μ makes it gradient descent on ½‖g‖². Singular H
//! (symmetry directions, degenerate saddles) stays solvable because μ > 0.
//!
//! Below [`DENSE_LIMIT`] parameters, H is assembled from d HVPs
//! ([`crate::linalg::dense_into`] on [`HessianAt`]) and H² + μI factored by
//! Cholesky; above it the system is solved matrix-free by conjugate gradients (two HVPs
//! per CG iteration, at most [`CG_MAX_ITER`]). All scratch is allocated once per solver.

use nalgebra::DMatrix;

use crate::linalg::{dense_into, dot, norm, HessianAt};
use crate::manifold::Manifold;
use crate::objective::Objective;

/// Largest dimension for which the Hessian is assembled densely.
pub const DENSE_LIMIT: usize = 100;
/// Cap on conjugate-gradient iterations per step (matrix-free path).
pub const CG_MAX_ITER: usize = 200;
/// μ beyond this multiple of the mean squared curvature: the solver is stuck.
const MU_MAX_RATIO: f64 = 1e20;
/// μ never drops below this multiple of the mean squared curvature.
const MU_MIN_RATIO: f64 = 1e-12;

/// Where a root-finding run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RootStatus {
    /// ‖grad f‖ at the end.
    pub grad_norm: f64,
    /// f at the end.
    pub value: f64,
    /// Trial steps used (accepted or not).
    pub steps: usize,
}

/// Levenberg–Marquardt on ∇f = 0, with its scratch.
pub struct RootFinder<'a> {
    f: &'a dyn Objective,
    manifold: Manifold,
    dim: usize,
    g: Vec<f64>,
    g_trial: Vec<f64>,
    x_trial: Vec<f64>,
    hg: Vec<f64>,
    step: Vec<f64>,
    /// Dense path: H (symmetric d×d), H² and the Cholesky factor of H² + μI (row-major).
    h: DMatrix<f64>,
    h2: Vec<f64>,
    chol: Vec<f64>,
    unit: Vec<f64>,
    /// Matrix-free path: CG vectors.
    r: Vec<f64>,
    p: Vec<f64>,
    ap: Vec<f64>,
    tmp: Vec<f64>,
}

impl<'a> RootFinder<'a> {
    /// A solver for f with scratch sized to f.dim().
    pub fn new(f: &'a dyn Objective) -> Self {
        let d = f.dim();
        let dense = d <= DENSE_LIMIT;
        let sq = if dense { d * d } else { 0 };
        let cg = if dense { 0 } else { d };
        RootFinder {
            f,
            manifold: f.manifold(),
            dim: d,
            g: vec![0.0; d],
            g_trial: vec![0.0; d],
            x_trial: vec![0.0; d],
            hg: vec![0.0; d],
            step: vec![0.0; d],
            h: if dense {
                DMatrix::zeros(d, d)
            } else {
                DMatrix::zeros(0, 0)
            },
            h2: vec![0.0; sq],
            chol: vec![0.0; sq],
            unit: vec![0.0; if dense { d } else { 0 }],
            r: vec![0.0; cg],
            p: vec![0.0; cg],
            ap: vec![0.0; cg],
            tmp: vec![0.0; cg],
        }
    }

    /// Runs from x (updated in place) until ‖g‖ ≤ `target(f)`, or ‖g‖ ≤ `accept(f)` and a
    /// step fails, or μ blows up, or `max_steps` trial steps.
    pub fn solve(
        &mut self,
        x: &mut [f64],
        target: impl Fn(f64) -> f64,
        accept: impl Fn(f64) -> f64,
        max_steps: usize,
    ) -> RootStatus {
        let mut value = self.gradient_at(x);
        let mut gn = norm(&self.g);
        let mut mu = f64::NAN;
        let mut curvature = 0.0;
        let mut fresh = true;
        let mut steps = 0;
        while steps < max_steps && value.is_finite() && gn.is_finite() && gn > target(value) {
            if fresh {
                curvature = self.prepare(x);
                if curvature.is_nan() || curvature <= 0.0 {
                    break; // H g = 0 with g ≠ 0: no LM direction.
                }
                if mu.is_nan() {
                    mu = 1e-4 * curvature;
                }
                fresh = false;
            }
            steps += 1;
            if !self.solve_step(x, mu) {
                mu *= 4.0;
            } else {
                for ((y, x), p) in self.x_trial.iter_mut().zip(x.iter()).zip(&self.step) {
                    *y = x + p;
                }
                self.manifold.retract_in_place(&mut self.x_trial);
                let trial_value = self.f.value_and_gradient(&self.x_trial, &mut self.g_trial);
                self.manifold
                    .project_tangent(&self.x_trial, &mut self.g_trial);
                let trial_gn = norm(&self.g_trial);
                if trial_value.is_finite() && trial_gn < gn {
                    x.copy_from_slice(&self.x_trial);
                    std::mem::swap(&mut self.g, &mut self.g_trial);
                    (value, gn) = (trial_value, trial_gn);
                    mu = (mu / 3.0).max(MU_MIN_RATIO * curvature);
                    fresh = true;
                    continue;
                }
                if gn <= accept(value) {
                    break; // acceptable and no longer improving: rounding floor.
                }
                mu *= 4.0;
            }
            if mu > MU_MAX_RATIO * curvature {
                break;
            }
        }
        RootStatus {
            grad_norm: gn,
            value,
            steps,
        }
    }

    /// f(x), leaving grad f(x) in `self.g`.
    fn gradient_at(&mut self, x: &[f64]) -> f64 {
        let value = self.f.value_and_gradient(x, &mut self.g);
        self.manifold.project_tangent(x, &mut self.g);
        value
    }

    /// Computes H g (and on the dense path H and H²); returns the mean squared curvature
    /// ‖H‖²_F/d (dense) or (‖Hg‖/‖g‖)² (matrix-free), the scale of μ.
    fn prepare(&mut self, x: &[f64]) -> f64 {
        let d = self.dim;
        if self.h.is_empty() {
            self.f.riemannian_hvp(x, &self.g, &mut self.hg);
            let ratio = norm(&self.hg) / norm(&self.g);
            return ratio * ratio;
        }
        dense_into(&HessianAt::new(self.f, x), &mut self.unit, &mut self.h);
        // H is symmetric: row i is column i, a contiguous slice.
        let h = self.h.as_slice();
        let row = |i: usize| &h[i * d..(i + 1) * d];
        for i in 0..d {
            for j in 0..d {
                self.h2[i * d + j] = dot(row(i), row(j));
            }
        }
        for i in 0..d {
            self.hg[i] = dot(row(i), &self.g);
        }
        (0..d).map(|i| self.h2[i * d + i]).sum::<f64>() / d as f64
    }

    /// Solves (H² + μI) p = −H g into `self.step`; false if the solve failed.
    fn solve_step(&mut self, x: &[f64], mu: f64) -> bool {
        if self.h.is_empty() {
            self.conjugate_gradients(x, mu)
        } else {
            self.cholesky_solve(mu)
        }
    }

    fn cholesky_solve(&mut self, mu: f64) -> bool {
        let d = self.dim;
        let (a, l) = (&self.h2, &mut self.chol);
        for i in 0..d {
            for j in 0..=i {
                let mut s = a[i * d + j] + if i == j { mu } else { 0.0 };
                for k in 0..j {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if i == j {
                    if s.is_nan() || s <= 0.0 {
                        return false;
                    }
                    l[i * d + i] = s.sqrt();
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        // L y = −H g, then Lᵀ p = y.
        for i in 0..d {
            let s = -self.hg[i] - dot(&l[i * d..i * d + i], &self.step[..i]);
            self.step[i] = s / l[i * d + i];
        }
        for i in (0..d).rev() {
            let mut s = self.step[i];
            for k in (i + 1)..d {
                s -= l[k * d + i] * self.step[k];
            }
            self.step[i] = s / l[i * d + i];
        }
        self.step.iter().all(|v| v.is_finite())
    }

    /// Conjugate gradients on (H² + μI) p = −H g, from p = 0.
    fn conjugate_gradients(&mut self, x: &[f64], mu: f64) -> bool {
        self.step.iter_mut().for_each(|v| *v = 0.0);
        self.r.iter_mut().zip(&self.hg).for_each(|(r, hg)| *r = -hg);
        self.p.copy_from_slice(&self.r);
        let b_norm = norm(&self.r);
        let mut rr = dot(&self.r, &self.r);
        for _ in 0..CG_MAX_ITER.min(2 * self.dim) {
            if rr.sqrt() <= 1e-10 * b_norm {
                break;
            }
            self.f.riemannian_hvp(x, &self.p, &mut self.tmp);
            self.f.riemannian_hvp(x, &self.tmp, &mut self.ap);
            self.ap
                .iter_mut()
                .zip(&self.p)
                .for_each(|(a, p)| *a += mu * p);
            let pap = dot(&self.p, &self.ap);
            if pap.is_nan() || pap <= 0.0 {
                break;
            }
            let alpha = rr / pap;
            self.step
                .iter_mut()
                .zip(&self.p)
                .for_each(|(s, p)| *s += alpha * p);
            self.r
                .iter_mut()
                .zip(&self.ap)
                .for_each(|(r, a)| *r -= alpha * a);
            let rr_new = dot(&self.r, &self.r);
            let beta = rr_new / rr;
            rr = rr_new;
            self.p
                .iter_mut()
                .zip(&self.r)
                .for_each(|(p, r)| *p = r + beta * *p);
        }
        self.manifold.project_tangent(x, &mut self.step);
        self.step.iter().all(|v| v.is_finite()) && dot(&self.step, &self.step) > 0.0
    }
}
