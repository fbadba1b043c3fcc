//! Eigenvectors of a symmetric tridiagonal matrix T (diagonal a, off-diagonal b) for
//! eigenvalues already known, by inverse iteration (the method of LAPACK's `dstein`).
//!
//! For an eigenvalue λ, factor T − σI = P L U with partial pivoting (σ = λ; a pivot
//! below ε‖T‖ is replaced by ±ε‖T‖, so U is invertible) and repeat x ← U⁻¹L⁻¹Pᵀx / ‖·‖
//! from a fixed pseudo-random start. Each solve multiplies the component along the
//! eigenvector by 1/|λ − σ| ≈ 1/(ε‖T‖) and every other by 1/|λᵢ − σ|, so an isolated
//! eigenvalue's vector is exact to rounding after one or two steps (the residual
//! ‖Tx − λx‖ is then O(ε‖T‖)). Close eigenvalues (gaps below 10⁻³‖T‖, `dstein`'s
//! cluster) amplify each other's vectors too: inside such a cluster each iterate is
//! orthogonalised (modified Gram–Schmidt) against the cluster's vectors already found,
//! and equal shifts are pulled apart by 10ε|λ|, so a multiple eigenvalue gets
//! orthonormal vectors spanning its eigenspace.
//!
//! T is scaled to ‖T‖∞ = 1 first (eigenvectors do not change), so a solve cannot
//! overflow. Everything is sequential: the result is one fixed sequence of operations.

use crate::random::{gaussian_vector, rng};

/// Inverse-iteration steps per eigenvector (`dstein` stops after at most 5, typically
/// 3: convergence plus two).
const STEPS: usize = 4;

/// Eigenvalues closer than this (relative to ‖T‖) form a cluster (`dstein`'s `ortol`).
const CLUSTER_GAP: f64 = 1e-3;

/// Unit eigenvectors of the symmetric tridiagonal T = tridiag(b, a, b) (`a` of length n,
/// `b` of length n − 1) for the eigenvalues `values` (ascending), into the columns of
/// `out` (n × m, column-major, m = `values.len()`).
///
/// # Panics
/// If the lengths disagree (programmer error).
pub fn eigenvectors(a: &[f64], b: &[f64], values: &[f64], out: &mut [f64]) {
    let n = a.len();
    assert_eq!(b.len() + 1, n.max(1), "tridiagonal: off-diagonal length");
    assert_eq!(out.len(), n * values.len(), "tridiagonal: output shape");
    assert!(
        values.windows(2).all(|w| w[0] <= w[1]),
        "ascending eigenvalues"
    );
    let norm = (0..n)
        .map(|i| {
            a[i].abs()
                + b.get(i).map_or(0.0, |v| v.abs())
                + i.checked_sub(1).map_or(0.0, |j| b[j].abs())
        })
        .fold(0.0_f64, f64::max);
    out.fill(0.0);
    if n == 0 {
        return;
    }
    if norm == 0.0 || !norm.is_finite() {
        // T = 0: every unit vector is an eigenvector. (Non-finite T: the caller's check
        // of the eigenvalues reports it.)
        for (c, column) in out.chunks_exact_mut(n).enumerate() {
            column[c % n] = 1.0;
        }
        return;
    }
    let a: Vec<f64> = a.iter().map(|v| v / norm).collect();
    let b: Vec<f64> = b.iter().map(|v| v / norm).collect();
    let tiny = f64::EPSILON;
    let mut lu = TridiagonalLu::new(n);
    let mut random = rng(0x5eed);
    let mut cluster_start = 0;
    let mut previous_shift = f64::NEG_INFINITY;
    for c in 0..values.len() {
        let lambda = values[c] / norm;
        if c > 0 && lambda - values[c - 1] / norm > CLUSTER_GAP {
            cluster_start = c;
        }
        let mut shift = lambda;
        if c > cluster_start {
            shift = shift.max(previous_shift + 10.0 * f64::EPSILON * lambda.abs().max(tiny));
        }
        previous_shift = shift;
        lu.factor(&a, &b, shift, tiny);
        let (done, rest) = out.split_at_mut(c * n);
        let x = &mut rest[..n];
        x.copy_from_slice(&gaussian_vector(&mut random, n));
        for _ in 0..STEPS {
            lu.solve(x);
            for p in done[cluster_start * n..].chunks_exact(n) {
                let overlap: f64 = p.iter().zip(x.iter()).map(|(p, x)| p * x).sum();
                x.iter_mut().zip(p).for_each(|(x, p)| *x -= overlap * p);
            }
            let length = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            x.iter_mut().for_each(|v| *v /= length);
        }
    }
}

/// The Rayleigh quotient xᵀTx of a unit vector x.
pub fn rayleigh(a: &[f64], b: &[f64], x: &[f64]) -> f64 {
    let diagonal: f64 = a.iter().zip(x).map(|(a, x)| a * x * x).sum();
    let off: f64 = b
        .iter()
        .zip(x.windows(2))
        .map(|(b, w)| b * w[0] * w[1])
        .sum();
    diagonal + 2.0 * off
}

/// P L U = T − σI of a tridiagonal T with partial pivoting (LAPACK's `dgttrf`): U has
/// the diagonal `d` and two superdiagonals `u1`, `u2`; L is unit lower bidiagonal with
/// multipliers `l`; `swap[i]` says rows i and i + 1 were exchanged at step i.
struct TridiagonalLu {
    d: Vec<f64>,
    u1: Vec<f64>,
    u2: Vec<f64>,
    l: Vec<f64>,
    swap: Vec<bool>,
}

impl TridiagonalLu {
    fn new(n: usize) -> Self {
        TridiagonalLu {
            d: vec![0.0; n],
            u1: vec![0.0; n],
            u2: vec![0.0; n],
            l: vec![0.0; n],
            swap: vec![false; n],
        }
    }

    /// Factors T − σI; pivots of magnitude below `tiny` become ±`tiny`.
    fn factor(&mut self, a: &[f64], b: &[f64], sigma: f64, tiny: f64) {
        let n = a.len();
        let Self { d, u1, u2, l, swap } = self;
        for i in 0..n {
            d[i] = a[i] - sigma;
            u2[i] = 0.0;
        }
        u1[..n - 1].copy_from_slice(b);
        l[..n - 1].copy_from_slice(b);
        for i in 0..n - 1 {
            swap[i] = d[i].abs() < l[i].abs();
            if swap[i] {
                let f = d[i] / l[i];
                d[i] = l[i];
                l[i] = f;
                let t = u1[i];
                u1[i] = d[i + 1];
                d[i + 1] = t - f * d[i + 1];
                if i + 2 < n {
                    u2[i] = u1[i + 1];
                    u1[i + 1] *= -f;
                }
            } else {
                let f = if d[i] == 0.0 { 0.0 } else { l[i] / d[i] };
                l[i] = f;
                d[i + 1] -= f * u1[i];
            }
        }
        for p in d.iter_mut() {
            if p.abs() < tiny {
                *p = if *p < 0.0 { -tiny } else { tiny };
            }
        }
    }

    /// x ← (T − σI)⁻¹ x with the factors.
    fn solve(&self, x: &mut [f64]) {
        let n = x.len();
        for i in 0..n - 1 {
            if self.swap[i] {
                let t = x[i];
                x[i] = x[i + 1];
                x[i + 1] = t - self.l[i] * x[i];
            } else {
                x[i + 1] -= self.l[i] * x[i];
            }
        }
        for i in (0..n).rev() {
            let mut v = x[i];
            if i + 1 < n {
                v -= self.u1[i] * x[i + 1];
            }
            if i + 2 < n {
                v -= self.u2[i] * x[i + 2];
            }
            x[i] = v / self.d[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::symmetric_eigenvalues_of;
    use nalgebra::DMatrix;

    fn dense(a: &[f64], b: &[f64]) -> DMatrix<f64> {
        let n = a.len();
        DMatrix::from_fn(n, n, |i, j| match i.abs_diff(j) {
            0 => a[i],
            1 => b[i.min(j)],
            _ => 0.0,
        })
    }

    /// Residuals ‖Tx − λx‖ / ‖T‖ and ‖XᵀX − I‖ of the vectors for `wanted` eigenvalues.
    fn check(a: &[f64], b: &[f64], wanted: &[usize]) -> (f64, f64) {
        let t = dense(a, b);
        let all = symmetric_eigenvalues_of(&t).unwrap();
        let values: Vec<f64> = wanted.iter().map(|&j| all[j]).collect();
        let n = a.len();
        let mut out = vec![0.0; n * values.len()];
        eigenvectors(a, b, &values, &mut out);
        let x = DMatrix::from_column_slice(n, values.len(), &out);
        let scale = t.norm();
        let residual = (0..values.len())
            .map(|c| (&t * x.column(c) - x.column(c) * values[c]).norm() / scale)
            .fold(0.0, f64::max);
        let gram = x.transpose() * &x - DMatrix::identity(values.len(), values.len());
        (residual, gram.amax())
    }

    #[test]
    fn vectors_of_a_random_tridiagonal_match_its_eigenvalues() {
        let mut r = rng(3);
        let a = gaussian_vector(&mut r, 200);
        let b = gaussian_vector(&mut r, 199);
        let wanted: Vec<usize> = (0..6).chain(194..200).collect();
        let (residual, orthogonality) = check(&a, &b, &wanted);
        assert!(residual < 1e-14, "residual {residual}");
        assert!(orthogonality < 1e-12, "orthogonality {orthogonality}");
    }

    #[test]
    fn a_multiple_eigenvalue_gets_an_orthonormal_basis_of_its_eigenspace() {
        // Three decoupled blocks with the same eigenvalues (b = 0 between them: λ = 1
        // and 3 each three times), then the same blocks weakly coupled (a cluster).
        for coupling in [0.0, 1e-9] {
            let a = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
            let b = [1.0, coupling, 1.0, coupling, 1.0];
            let (residual, orthogonality) = check(&a, &b, &[0, 1, 2, 3]);
            assert!(residual < 1e-14, "residual {residual}");
            assert!(orthogonality < 1e-12, "orthogonality {orthogonality}");
        }
        // The identity: every vector is an eigenvector; they must still be orthonormal.
        let (residual, orthogonality) = check(&[1.0; 8], &[0.0; 7], &[0, 1, 2, 5, 6, 7]);
        assert!(residual < 1e-15 && orthogonality < 1e-12);
    }

    #[test]
    fn the_zero_matrix_gets_unit_vectors() {
        let mut out = vec![7.0; 6];
        eigenvectors(&[0.0; 3], &[0.0; 2], &[0.0, 0.0], &mut out);
        assert_eq!(out, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }
}
