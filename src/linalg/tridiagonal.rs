//! The eigenproblem of a symmetric tridiagonal matrix T (diagonal a, off-diagonal b):
//! every eigenvalue by root-free implicit QL ([`eigenvalues`], the method of LAPACK's
//! `dsterf`), and eigenvectors for eigenvalues already known by inverse iteration
//! ([`eigenvectors`], the method of LAPACK's `dstein`).
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

/// Sweeps of [`eigenvalues`] per eigenvalue before it gives up (LAPACK's `maxit`).
const SWEEPS_PER_EIGENVALUE: usize = 30;

/// Every eigenvalue of T = tridiag(b, a, b), ascending, or `None` if the iteration did
/// not converge (30 n sweeps), T is not finite or an eigenvalue overflows.
///
/// Implicit QL with Wilkinson's shift in the square-root-free form of Pal, Walker and
/// Kahan (the method of LAPACK's `dsterf`): a sweep chases the shift through the
/// unreduced block with rotations whose cosines and sines are carried as c = p/r,
/// s = b²/r, so it needs the squares b² only and no square root. Each unreduced block
/// is first scaled into a safe range, and taken upside down when its top diagonal entry
/// is the smaller (QL then deflates from the end that converges first, which is QR on
/// the block as it stands).
///
/// # Panics
/// If the lengths disagree (programmer error).
pub fn eigenvalues(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let n = a.len();
    assert_eq!(b.len() + 1, n.max(1), "tridiagonal: off-diagonal length");
    if !a.iter().chain(b).all(|v| v.is_finite()) {
        return None;
    }
    let eps = f64::EPSILON / 2.0;
    let safe_max = (1.0 / f64::MIN_POSITIVE).sqrt() / 3.0;
    let safe_min = f64::MIN_POSITIVE.sqrt() / (eps * eps);
    let mut d = a.to_vec();
    let mut e = b.to_vec();
    let mut sweeps_left = SWEEPS_PER_EIGENVALUE * n;
    let mut start = 0;
    while start < n {
        // The unreduced block [start, end]: the first negligible off-diagonal entry.
        let mut end = start;
        while end + 1 < n && e[end].abs() > d[end].abs().sqrt() * d[end + 1].abs().sqrt() * eps {
            end += 1;
        }
        if end + 1 < n {
            e[end] = 0.0;
        }
        let (block_d, block_e) = (&mut d[start..=end], &mut e[start..end]);
        start = end + 1;
        if block_d.len() == 1 {
            continue;
        }
        let norm = block_d
            .iter()
            .chain(block_e.iter())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        if norm == 0.0 {
            continue;
        }
        let scale = if norm > safe_max {
            safe_max / norm
        } else if norm < safe_min {
            safe_min / norm
        } else {
            1.0
        };
        for v in block_d.iter_mut().chain(block_e.iter_mut()) {
            *v *= scale;
        }
        for v in block_e.iter_mut() {
            *v *= *v;
        }
        if block_d[block_d.len() - 1].abs() < block_d[0].abs() {
            block_d.reverse();
            block_e.reverse();
        }
        if !root_free_ql(block_d, block_e, eps, &mut sweeps_left) {
            return None;
        }
        for v in block_d.iter_mut() {
            *v /= scale;
        }
    }
    // Scaled back, eigenvalues of entries near the overflow threshold may overflow.
    if !d.iter().all(|v| v.is_finite()) {
        return None;
    }
    d.sort_by(f64::total_cmp);
    Some(d)
}

/// Eigenvalues of one block (diagonal `d`, squared off-diagonal `e2`) into `d` by
/// root-free implicit QL (see [`eigenvalues`]); false if the sweeps ran out.
fn root_free_ql(d: &mut [f64], e2: &mut [f64], eps: f64, sweeps_left: &mut usize) -> bool {
    let last = d.len() - 1;
    let mut l = 0;
    while l <= last {
        // The first negligible squared off-diagonal entry from l down.
        let mut m = l;
        while m < last && e2[m].abs() > eps * eps * (d[m] * d[m + 1]).abs() {
            m += 1;
        }
        if m < last {
            e2[m] = 0.0;
        }
        if m == l {
            l += 1;
            continue;
        }
        if m == l + 1 {
            let (high, low) = two_by_two(d[l], e2[l].sqrt(), d[l + 1]);
            d[l] = high;
            d[l + 1] = low;
            e2[l] = 0.0;
            l += 2;
            continue;
        }
        if *sweeps_left == 0 {
            return false;
        }
        *sweeps_left -= 1;
        // Wilkinson's shift from the leading 2 × 2 block.
        let root = e2[l].sqrt();
        let t = (d[l + 1] - d[l]) / (2.0 * root);
        let shift = d[l] - root / (t + t.hypot(1.0).copysign(t));
        // One sweep from m up to l.
        let (mut c, mut s) = (1.0, 0.0);
        let mut gamma = d[m] - shift;
        let mut p = gamma * gamma;
        for i in (l..m).rev() {
            let bb = e2[i];
            let r = p + bb;
            if i + 1 != m {
                e2[i + 1] = s * r;
            }
            let old_c = c;
            c = p / r;
            s = bb / r;
            let old_gamma = gamma;
            let alpha = d[i];
            gamma = c * (alpha - shift) - s * old_gamma;
            d[i + 1] = old_gamma + (alpha - gamma);
            p = if c != 0.0 {
                gamma * gamma / c
            } else {
                old_c * bb
            };
        }
        e2[l] = s * p;
        d[l] = shift + gamma;
    }
    true
}

/// The eigenvalues of [[x, y], [y, z]], the larger in magnitude first (LAPACK's `dlae2`:
/// the smaller from the determinant, so it keeps its relative accuracy).
fn two_by_two(x: f64, y: f64, z: f64) -> (f64, f64) {
    let sum = x + z;
    let root = (x - z).hypot(2.0 * y);
    let (big, small) = if x.abs() > z.abs() { (x, z) } else { (z, x) };
    if sum == 0.0 {
        return (0.5 * root, -0.5 * root);
    }
    let high = 0.5 * (sum + root.copysign(sum));
    let low = (big / high) * small - (y / high) * y;
    (high, low)
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

    /// faer's implicit QR with rotations (a different algorithm) on the same T.
    fn reference(a: &[f64], b: &[f64]) -> Vec<f64> {
        use faer::dyn_stack::{MemBuffer, MemStack};
        use faer::linalg::evd::{
            self_adjoint_evd_scratch, tridiagonal_self_adjoint_evd, ComputeEigenvectors,
        };
        use faer::{Col, Par, Spec};
        let n = a.len();
        let params = Spec::default();
        let mut s = Col::<f64>::zeros(n);
        tridiagonal_self_adjoint_evd(
            Col::<f64>::from_fn(n, |i| a[i]).as_diagonal(),
            Col::<f64>::from_fn(n, |i| b.get(i).copied().unwrap_or(0.0)).as_diagonal(),
            s.as_diagonal_mut(),
            None,
            Par::Seq,
            MemStack::new(&mut MemBuffer::new(self_adjoint_evd_scratch::<f64>(
                n,
                ComputeEigenvectors::No,
                Par::Seq,
                params,
            ))),
            params,
        )
        .unwrap();
        let mut values: Vec<f64> = s.iter().copied().collect();
        values.sort_by(f64::total_cmp);
        values
    }

    fn max_difference(x: &[f64], y: &[f64]) -> f64 {
        assert_eq!(x.len(), y.len());
        x.iter()
            .zip(y)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn eigenvalues_of_the_second_difference_matrix_are_known() {
        // tridiag(−1, 2, −1) of order n: 2 − 2cos(kπ/(n + 1)), k = 1…n.
        for n in [1, 2, 3, 10, 257] {
            let got = eigenvalues(&vec![2.0; n], &vec![-1.0; n - 1]).unwrap();
            let want: Vec<f64> = (1..=n)
                .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
                .collect();
            assert!(
                max_difference(&got, &want) < 1e-14 * 4.0 * n as f64,
                "n={n}"
            );
        }
    }

    #[test]
    fn eigenvalues_agree_with_rotation_qr() {
        let mut r = rng(11);
        for n in [2, 3, 5, 64, 300] {
            let a = gaussian_vector(&mut r, n);
            let mut b = gaussian_vector(&mut r, n - 1);
            if n > 10 {
                // Split into blocks, one of them of size 1 and one of size 2.
                b[3] = 0.0;
                b[4] = 0.0;
                b[7] = 0.0;
            }
            let got = eigenvalues(&a, &b).unwrap();
            assert!(got.windows(2).all(|w| w[0] <= w[1]));
            let scale = got[n - 1].abs().max(got[0].abs());
            assert!(
                max_difference(&got, &reference(&a, &b)) < 1e-13 * scale,
                "n={n}"
            );
            // Scaled to the ends of the floating-point range: the same eigenvalues scaled.
            for factor in [1e300, 1e-300] {
                let sa: Vec<f64> = a.iter().map(|v| v * factor).collect();
                let sb: Vec<f64> = b.iter().map(|v| v * factor).collect();
                let scaled = eigenvalues(&sa, &sb).unwrap();
                for (s, g) in scaled.iter().zip(&got) {
                    assert!((s / factor - g).abs() < 1e-13 * scale, "n={n} ×{factor}");
                }
            }
        }
        // Graded: diagonal 10⁻ⁱ, off-diagonal 10⁻ⁱ⁻¹ (taken upside down inside).
        let a: Vec<f64> = (0..20).map(|i| 10f64.powi(-i)).collect();
        let b: Vec<f64> = (0..19).map(|i| 10f64.powi(-i - 1)).collect();
        let got = eigenvalues(&a, &b).unwrap();
        let want = reference(&a, &b);
        // Each eigenvalue to high relative accuracy, the smallest (10⁻¹⁹) too.
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-13 * w.abs(), "{g} vs {w}");
        }
        assert_eq!(eigenvalues(&[0.0; 4], &[0.0; 3]).unwrap(), vec![0.0; 4]);
        assert_eq!(eigenvalues(&[], &[]).unwrap(), Vec::<f64>::new());
        assert!(eigenvalues(&[1.0, f64::NAN], &[1.0]).is_none());
        assert!(eigenvalues(&[1.0, 2.0], &[f64::INFINITY]).is_none());
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
