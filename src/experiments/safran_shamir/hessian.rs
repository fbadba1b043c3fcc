//! The exact dense Hessian of `relu_net` with the identity teacher (vⱼ = eⱼ, d = k),
//! assembled block by block, and its eigenvalues: the certificate of a spurious end
//! point. Assembling it costs O(n²d²) instead of the n·d Hessian-vector products of the
//! generic path (each O(n²d)); the eigenvalues are computed without eigenvectors.
//!
//! With the notation of [`crate::problems::relu_net`] (p = v̄ − c w̄, q = w̄ − c v̄,
//! ‖p‖ = ‖q‖ = s):
//!
//!   ∇²_{wᵢwᵢ}F = ½I + Σ_{i'≠i} ∂²₁₁g(wᵢ, wᵢ') − Σⱼ ∂²₁₁g(wᵢ, eⱼ),
//!   ∇²_{wᵢwᵢ'}F = ∂²₁₂g(wᵢ, wᵢ') (i ≠ i'),
//!   ∂²₁₁g(w, v) = ‖v‖/(2π‖w‖)·(s(I − w̄w̄ᵀ) + ppᵀ/s),
//!   ∂²₁₂g(w, v) = (s w̄v̄ᵀ + (π−θ)I + pqᵀ/s)/(2π),
//!
//! the /s terms dropped at s = 0 and every pair term with a zero row omitted (the
//! conventions of `relu_net`); ∂²₁₂g(wᵢ', wᵢ) = ∂²₁₂g(wᵢ, wᵢ')ᵀ fills the other triangle.

use std::f64::consts::PI;

use faer::Mat;

/// The eigenvalues of the certificate's Hessian, ascending (the crate's dense eigensolver).
pub use crate::linalg::symmetric_eigenvalues;

const TWO_PI: f64 = 2.0 * PI;

/// The Hessian ∇²F(W), (n·k)×(n·k), for W row-major n×k (parameter i·k + l is wᵢₗ).
///
/// # Panics
/// If `w.len()` is not n·k or k = 0.
#[track_caller]
pub fn hessian(w: &[f64], k: usize) -> Mat<f64> {
    assert!(k > 0 && w.len() % k == 0, "hessian: W must be n×k");
    let (n, d) = (w.len() / k, k);
    let mut h = Mat::<f64>::zeros(n * d, n * d);
    let units: Vec<(Vec<f64>, f64)> = w
        .chunks_exact(d)
        .map(|row| {
            let r = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            let inv = if r > 0.0 { 1.0 / r } else { 0.0 };
            (row.iter().map(|v| v * inv).collect(), r)
        })
        .collect();
    let mut teacher = vec![0.0; d];
    for i in 0..n {
        for a in 0..d {
            h[(i * d + a, i * d + a)] = 0.5;
        }
        let (wb, rw) = (&units[i].0, units[i].1);
        if rw == 0.0 {
            continue;
        }
        for (ii, (vb, rv)) in units.iter().enumerate() {
            let rv = *rv;
            if ii == i || rv == 0.0 {
                continue;
            }
            add_diagonal_block(&mut h, i, wb, rw, vb, rv, 1.0);
            if ii > i {
                add_cross_blocks(&mut h, i, ii, wb, vb);
            }
        }
        for j in 0..d {
            teacher.iter_mut().for_each(|t| *t = 0.0);
            teacher[j] = 1.0;
            add_diagonal_block(&mut h, i, wb, rw, &teacher, 1.0, -1.0);
        }
    }
    h
}

/// (c, s, θ, p) of the pair of unit vectors w̄, v̄: p = v̄ − c w̄ and s = ‖p‖.
fn pair(wb: &[f64], vb: &[f64]) -> (f64, f64, f64, Vec<f64>) {
    let c = wb
        .iter()
        .zip(vb)
        .map(|(a, b)| a * b)
        .sum::<f64>()
        .clamp(-1.0, 1.0);
    let p: Vec<f64> = wb.iter().zip(vb).map(|(w, v)| v - c * w).collect();
    let s = p.iter().map(|v| v * v).sum::<f64>().sqrt();
    (c, s, s.atan2(c), p)
}

/// H_ii += sign · ∂²₁₁g(w, v).
fn add_diagonal_block(
    h: &mut Mat<f64>,
    i: usize,
    wb: &[f64],
    rw: f64,
    vb: &[f64],
    rv: f64,
    sign: f64,
) {
    let d = wb.len();
    let (_, s, _, p) = pair(wb, vb);
    let scale = sign * rv / (TWO_PI * rw);
    let inv_s = if s > 0.0 { 1.0 / s } else { 0.0 };
    for a in 0..d {
        for b in 0..d {
            let identity = if a == b { 1.0 } else { 0.0 };
            h[(i * d + a, i * d + b)] +=
                scale * (s * (identity - wb[a] * wb[b]) + p[a] * p[b] * inv_s);
        }
    }
}

/// H_{i,i'} = ∂²₁₂g(wᵢ, wᵢ') and H_{i',i} its transpose.
fn add_cross_blocks(h: &mut Mat<f64>, i: usize, ii: usize, wb: &[f64], vb: &[f64]) {
    let d = wb.len();
    let (c, s, theta, p) = pair(wb, vb);
    let inv_s = if s > 0.0 { 1.0 / s } else { 0.0 };
    for a in 0..d {
        for b in 0..d {
            let identity = if a == b { 1.0 } else { 0.0 };
            let q_b = wb[b] - c * vb[b];
            let value = (s * wb[a] * vb[b] + (PI - theta) * identity + p[a] * q_b * inv_s) / TWO_PI;
            h[(i * d + a, ii * d + b)] = value;
            h[(ii * d + b, i * d + a)] = value;
        }
    }
}
