//! The value and gradient of `relu_net` with the identity teacher (vⱼ = eⱼ, d = k), fast
//! and allocation-free: the inner loop of the Safran–Shamir experiment.
//!
//! With rᵢ = ‖wᵢ‖, ūᵢ = wᵢ/rᵢ and, for every pair, cos θ = c, sin θ = s (module doc of
//! [`crate::problems::relu_net`]):
//!
//!   F(W) = k/4 + k(k−1)/(4π) + Σᵢ rᵢ²/4 + Σ_{i<i'} rᵢr_{i'}(s + (π−θ)c)/(2π)
//!          − Σᵢ,ⱼ rᵢ(s + (π−θ)c)/(2π),
//!   ∇_{wᵢ}F = αᵢ wᵢ + Σ_{i'≠i} βᵢᵢ' w_{i'} − Σⱼ (π−θᵢⱼ)/(2π) eⱼ,
//!   αᵢ = ½ + (Σ_{i'≠i} r_{i'} sᵢᵢ' − Σⱼ sᵢⱼ)/(2π rᵢ),  βᵢᵢ' = (π−θᵢᵢ')/(2π).
//!
//! (The teacher energy ½Σⱼⱼ' g(eⱼ, eⱼ') is k/4 + k(k−1)/(4π): g(e, e) = ½ and
//! g(eⱼ, eⱼ') = 1/(2π) at θ = π/2.) What makes it cheap:
//! - the norms rᵢ and every pair's inner product from one Gram matrix W Wᵀ (a faer
//!   product, vectorised for the CPU it runs on);
//! - one angle per unordered student pair: θ, s are shared by ∂₁g(wᵢ, wᵢ') and
//!   ∂₁g(wᵢ', wᵢ), which enter as the coefficients βᵢᵢ' = βᵢ'ᵢ and two halves of α;
//! - no products with the teacher: eⱼᵀwᵢ = wᵢⱼ;
//! - the gradient is then one small product (αI + β)W minus the teacher matrix;
//! - divisions by 2π are multiplications, the value's sums scaled once.
//!
//! When |c| < 0.9, sin θ = √((1−c)(1+c)) and θ = acos c (both well conditioned there:
//! relative errors ≈ ε/s² ≤ 6ε; acos costs about half of atan2). Otherwise
//! s = ‖v̄ − c w̄‖ (for the teacher, √(Σ_{l≠j} wᵢₗ²)/rᵢ) and θ = atan2(s, c): near θ = 0
//! or π the cheap forms would lose half the digits of θ, and the stopping rule
//! maxᵢ‖∇_{wᵢ}F‖ ≤ 10⁻⁹/(2π) needs them. A zero row contributes nothing to any pair
//! term (the convention of `relu_net`).

use std::f64::consts::PI;

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

use crate::linalg::simd::clear_upper_state;

/// 1/(2π): the divisions by 2π are multiplications (and the value's pair and teacher
/// sums are scaled once, at the end).
const INV_TWO_PI: f64 = 1.0 / (2.0 * PI);

/// Above this |cos θ|, sin θ is computed from the vectors rather than from cos θ.
const ALIGNED: f64 = 0.9;

/// Workspace for F and ∇F of `relu_net` with n students and the identity teacher of
/// width k (d = k); reused across calls, it allocates only in [`IdentityTeacher::new`].
#[derive(Clone, Debug)]
pub struct IdentityTeacher {
    n: usize,
    k: usize,
    /// rᵢ.
    norms: Vec<f64>,
    /// The n×n coefficient matrix (α on the diagonal, β off it), row-major.
    coef: Vec<f64>,
    /// The n×n Gram matrix W Wᵀ, row-major.
    gram: Vec<f64>,
    /// k/4 + k(k−1)/(4π).
    teacher_energy: f64,
}

impl IdentityTeacher {
    /// The workspace for n students and k teacher neurons.
    ///
    /// # Panics
    /// If n or k is 0.
    #[track_caller]
    pub fn new(n: usize, k: usize) -> Self {
        assert!(
            n > 0 && k > 0,
            "IdentityTeacher: n = {n}, k = {k} must be ≥ 1"
        );
        let kf = k as f64;
        IdentityTeacher {
            n,
            k,
            norms: vec![0.0; n],
            coef: vec![0.0; n * n],
            gram: vec![0.0; n * n],
            teacher_energy: kf / 4.0 + kf * (kf - 1.0) / (4.0 * PI),
        }
    }

    /// n·k, the length of W.
    pub fn dim(&self) -> usize {
        self.n * self.k
    }

    /// Student width n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Teacher width k = d.
    pub fn k(&self) -> usize {
        self.k
    }

    /// F(W), writing ∇F(W) into `grad` (W row-major n×k).
    ///
    /// # Panics
    /// If `w` or `grad` does not have length n·k.
    #[track_caller]
    pub fn value_and_gradient(&mut self, w: &[f64], grad: &mut [f64]) -> f64 {
        let (n, d) = (self.n, self.k);
        assert!(
            w.len() == n * d && grad.len() == n * d,
            "IdentityTeacher: W and the gradient must have length n·k = {}",
            n * d
        );
        // The Gram matrix W Wᵀ: the norms and every pair's inner product.
        let wm = MatRef::from_row_major_slice(w, n, d);
        matmul(
            MatMut::from_row_major_slice_mut(&mut self.gram, n, n),
            Accum::Replace,
            wm,
            wm.transpose(),
            1.0,
            Par::Seq,
        );
        clear_upper_state();
        for (i, r) in self.norms.iter_mut().enumerate() {
            *r = self.gram[i * n + i].sqrt();
        }
        // Σᵢ rᵢ²/4, and the pair and teacher sums before their common factor 1/(2π).
        let mut squares = 0.0;
        let mut pairs = 0.0;
        let mut teachers = 0.0;
        // α accumulates Σ r_{i'} s and −Σⱼ s (divided by 2π rᵢ below).
        self.coef.iter_mut().for_each(|c| *c = 0.0);
        for i in 0..n {
            let ri = self.norms[i];
            squares += ri * ri;
            if ri == 0.0 {
                continue;
            }
            let inv_ri = 1.0 / ri;
            let wi = &w[i * d..(i + 1) * d];
            for ii in i + 1..n {
                let rii = self.norms[ii];
                if rii == 0.0 {
                    continue;
                }
                let inv_rii = 1.0 / rii;
                let wii = &w[ii * d..(ii + 1) * d];
                let c = (self.gram[i * n + ii] * (inv_ri * inv_rii)).clamp(-1.0, 1.0);
                let (s, theta) = if c.abs() < ALIGNED {
                    (((1.0 - c) * (1.0 + c)).sqrt(), c.acos())
                } else {
                    let s = wi
                        .iter()
                        .zip(wii)
                        .map(|(a, b)| {
                            let e = b * inv_rii - c * a * inv_ri;
                            e * e
                        })
                        .sum::<f64>()
                        .sqrt();
                    (s, s.atan2(c))
                };
                pairs += ri * rii * (s + (PI - theta) * c);
                let beta = (PI - theta) * INV_TWO_PI;
                self.coef[i * n + ii] = beta;
                self.coef[ii * n + i] = beta;
                self.coef[i * n + i] += rii * s;
                self.coef[ii * n + ii] += ri * s;
            }
        }
        // Teacher terms: cos θᵢⱼ = wᵢⱼ/rᵢ; ∇ gets −(π−θ)/(2π) in coordinate j.
        for i in 0..n {
            let ri = self.norms[i];
            let gi = &mut grad[i * d..(i + 1) * d];
            if ri == 0.0 {
                gi.iter_mut().for_each(|g| *g = 0.0);
                continue;
            }
            let inv_ri = 1.0 / ri;
            let wi = &w[i * d..(i + 1) * d];
            let mut s_sum = 0.0;
            let mut row = 0.0;
            for (j, (g, &wij)) in gi.iter_mut().zip(wi).enumerate() {
                let c = (wij * inv_ri).clamp(-1.0, 1.0);
                let (s, theta) = if c.abs() < ALIGNED {
                    (((1.0 - c) * (1.0 + c)).sqrt(), c.acos())
                } else {
                    let others: f64 = wi[..j].iter().chain(&wi[j + 1..]).map(|v| v * v).sum();
                    let s = others.sqrt() * inv_ri;
                    (s, s.atan2(c))
                };
                row += s + (PI - theta) * c;
                s_sum += s;
                *g = -(PI - theta) * INV_TWO_PI;
            }
            teachers += ri * row;
            let alpha = &mut self.coef[i * n + i];
            *alpha = 0.5 + (*alpha - s_sum) * INV_TWO_PI * inv_ri;
        }
        let value = self.teacher_energy + 0.25 * squares + (pairs - teachers) * INV_TWO_PI;
        // ∇F += (αI + β) W (a zero row's coefficients are all zero, its gradient row too).
        matmul(
            MatMut::from_row_major_slice_mut(grad, n, d),
            Accum::Add,
            MatRef::from_row_major_slice(&self.coef, n, n),
            MatRef::from_row_major_slice(w, n, d),
            1.0,
            Par::Seq,
        );
        clear_upper_state();
        value
    }
}
