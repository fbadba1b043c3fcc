//! Householder reduction of a dense symmetric matrix to tridiagonal form, blocked as in
//! LAPACK's `dsytrd`/`dlatrd` (Dongarra, Hammarling and Sorensen 1989): A = Q T Qᵀ with
//! Q = H₀H₁⋯H_{n−2}, each Hⱼ = I − vⱼvⱼᵀ/tⱼ (faer's convention: vⱼ has a unit entry in
//! row j + 1 and zeros above it, tⱼ = vⱼᵀvⱼ/2, t = ∞ for Hⱼ = I).
//!
//! **One reflector.** With the trailing block B (rows and columns j + 1…) current, v
//! annihilating column j below its subdiagonal and τ = 1/t,
//! p = τBv, w = p − (τ/2)(pᵀv)v, and HBH = B − vwᵀ − wvᵀ.
//!
//! **A panel of `PANEL` reflectors** does not apply those rank-2 updates as it goes:
//! with the panel's earlier vectors V and W (columns 0…i−1), the current trailing block
//! is B₀ − VWᵀ − WVᵀ (B₀ as at the start of the panel), so column j is first brought up
//! to date (minus V times row j of W, minus W times row j of V), and its p is
//! τ(B₀v − V(Wᵀv) − W(Vᵀv)). After
//! the panel the remaining block takes all of them at once, B −= VWᵀ + WVᵀ, a rank-2k
//! matrix product. Half of the (4/3)n³ flops are that product (faer's matmul); the
//! other half are the products B₀v, which read the lower triangle of B₀ once each
//! (`symmetric_product`, four columns per pass over the rows, wide vectors through
//! pulp). An unblocked reduction (faer's `tridiag_in_place`) reads *and writes* the
//! trailing matrix for every column instead.
//!
//! **Parallel and reproducible.** Above a size, B₀v runs as two parts of equal
//! triangle area whose split depends on the size alone, their sums added in a fixed
//! order; the rank-2k product runs at faer's fixed degree. Results are the same on any
//! number of threads. The reduction runs on a pool thread, where forking the product of
//! each column costs a few microseconds (from outside the pool, two thread wake-ups).
//!
//! Only the lower triangle of A is read. On return the matrix holds the subdiagonal of T
//! in (j + 1, j) and vⱼ's entries below it (faer's `tridiag_in_place` layout), so faer's
//! blocked Householder routines apply Q.

use faer::linalg::householder::make_householder_in_place;
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use pulp::{Arch, Simd, WithSimd};

use super::vector::dot;

/// Reflectors per panel (LAPACK's block size for `dsytrd`).
const PANEL: usize = 32;

/// Below this trailing size the symmetric product is one part (no parallel overhead).
const PARALLEL_MIN: usize = 384;

/// The tridiagonal matrix T (diagonal, subdiagonal) and the reflectors' t (length
/// n − 1, ∞ where Hⱼ = I).
pub struct Tridiagonal {
    /// T's diagonal (n).
    pub diagonal: Vec<f64>,
    /// T's subdiagonal (n − 1).
    pub subdiagonal: Vec<f64>,
    /// Each reflector's t = vᵀv/2 (n − 1).
    pub tau: Vec<f64>,
}

/// Reduces the symmetric `a` (n × n, lower triangle read, column-major with unit row
/// stride) to tridiagonal form in place (module docs); `par` runs the rank-2k updates.
///
/// # Panics
/// If `a` is not square or its rows are not contiguous (programmer error).
pub fn tridiagonalise(a: MatMut<'_, f64>, par: Par) -> Tridiagonal {
    // On a pool thread, each column's parallel product is a cheap fork (from outside
    // the pool it would be two thread wake-ups per column). Small matrices never fork.
    if a.nrows() <= PARALLEL_MIN {
        reduce(a, par)
    } else {
        rayon::scope(|_| reduce(a, par))
    }
}

fn reduce(mut a: MatMut<'_, f64>, par: Par) -> Tridiagonal {
    let n = a.nrows();
    assert!(a.ncols() == n && (n < 2 || a.row_stride() == 1));
    let mut diagonal = vec![0.0; n];
    let mut subdiagonal = vec![0.0; n.saturating_sub(1)];
    let mut tau = vec![f64::INFINITY; n.saturating_sub(1)];
    // x = [v₀ w₀ v₁ w₁ …] and y = [w₀ v₀ w₁ v₁ …] over the panel's rows k…: then
    // VWᵀ + WVᵀ = x yᵀ, and V(Wᵀu) + W(Vᵀu) = x (yᵀu).
    let mut x = Mat::<f64>::zeros(n, 2 * PANEL);
    let mut y = Mat::<f64>::zeros(n, 2 * PANEL);
    let mut p = vec![0.0; n];
    let mut coefficients = vec![0.0; 2 * PANEL];
    let mut spare = vec![0.0; n];
    let arch = Arch::new();
    let mut k = 0;
    while k < n {
        let width = PANEL.min(n - k);
        let rows = n - k;
        // Columns 2i and 2i + 1 (vᵢ, wᵢ) are written from panel row i + 1 on before
        // anything reads them, and nothing reads above: no clearing needed.
        let (mut xp, mut yp) = (
            x.as_mut().subrows_mut(0, rows),
            y.as_mut().subrows_mut(0, rows),
        );
        for i in 0..width {
            let c = k + i;
            let r = c - k;
            let m = n - c;
            // Column c brought up to date: a[c…, c] −= x[c…, ..2i] y[c, ..2i]ᵀ.
            if i > 0 {
                matmul(
                    a.rb_mut().submatrix_mut(c, c, m, 1),
                    Accum::Add,
                    xp.rb().submatrix(r, 0, m, 2 * i),
                    yp.rb().submatrix(r, 0, 1, 2 * i).transpose(),
                    -1.0,
                    Par::Seq,
                );
            }
            diagonal[c] = a[(c, c)];
            if m == 1 {
                break;
            }
            // The reflector of a[c+1…, c]: β into the subdiagonal, v's tail below it.
            let (mut head, tail) = a
                .rb_mut()
                .col_mut(c)
                .subrows_mut(c + 1, m - 1)
                .split_at_row_mut(1);
            let info = make_householder_in_place(&mut head[0], tail);
            subdiagonal[c] = a[(c + 1, c)];
            tau[c] = info.tau;
            let scale = 1.0 / info.tau;
            let rest = m - 1;
            let v: &mut [f64] = column_mut(xp.rb_mut(), 2 * i, r + 1, rest);
            v[0] = 1.0;
            for (vi, &e) in v[1..].iter_mut().zip(column(a.rb(), c, c + 2, rest - 1)) {
                *vi = e;
            }
            // p = B₀v − x (yᵀv), the current block times v (τ is applied in w).
            let v: &[f64] = column(xp.rb(), 2 * i, r + 1, rest);
            let b0 = a.rb().submatrix(c + 1, c + 1, rest, rest);
            symmetric_product(arch, b0, v, &mut p[..rest], &mut spare);
            if i > 0 {
                let coefficients = &mut coefficients[..2 * i];
                let vcol = xp.rb().submatrix(r + 1, 2 * i, rest, 1);
                matmul(
                    faer::ColMut::from_slice_mut(coefficients).as_mat_mut(),
                    Accum::Replace,
                    yp.rb().submatrix(r + 1, 0, rest, 2 * i).transpose(),
                    vcol,
                    1.0,
                    Par::Seq,
                );
                matmul(
                    faer::ColMut::from_slice_mut(&mut p[..rest]).as_mat_mut(),
                    Accum::Add,
                    xp.rb().submatrix(r + 1, 0, rest, 2 * i),
                    faer::ColRef::from_slice(coefficients).as_mat(),
                    -1.0,
                    Par::Seq,
                );
            }
            // w = τp − (τ/2)(τpᵀv) v, stored as x's column 2i + 1 and y's 2i.
            let half = -0.5 * scale * scale * dot(&p[..rest], v);
            let (vx, wx) = split_pair(xp.rb_mut(), 2 * i, r + 1, rest);
            for ((wj, &pj), &vj) in wx.iter_mut().zip(&p[..rest]).zip(vx.iter()) {
                *wj = scale * pj + half * vj;
            }
            let (wy, vy) = split_pair(yp.rb_mut(), 2 * i, r + 1, rest);
            wy.copy_from_slice(wx);
            vy.copy_from_slice(vx);
        }
        // The rest of the matrix takes the panel's updates: B −= x yᵀ (lower triangle).
        if k + width < n {
            let rest = n - k - width;
            triangular::matmul(
                a.rb_mut().submatrix_mut(k + width, k + width, rest, rest),
                BlockStructure::TriangularLower,
                Accum::Add,
                xp.rb().submatrix(width, 0, rest, 2 * width),
                BlockStructure::Rectangular,
                yp.rb().submatrix(width, 0, rest, 2 * width).transpose(),
                BlockStructure::Rectangular,
                -1.0,
                par,
            );
        }
        k += width;
    }
    super::simd::clear_upper_state();
    Tridiagonal {
        diagonal,
        subdiagonal,
        tau,
    }
}

/// Rows `start…start+len` of column `j` of a column-major matrix as a slice.
fn column<'a>(m: MatRef<'a, f64>, j: usize, start: usize, len: usize) -> &'a [f64] {
    m.col(j)
        .subrows(start, len)
        .try_as_col_major()
        .expect("contiguous column")
        .as_slice()
}

fn column_mut<'a>(m: MatMut<'a, f64>, j: usize, start: usize, len: usize) -> &'a mut [f64] {
    m.col_mut(j)
        .subrows_mut(start, len)
        .try_as_col_major_mut()
        .expect("contiguous column")
        .as_slice_mut()
}

/// Rows `start…start+len` of columns `j` and `j + 1`, both writable.
fn split_pair<'a>(
    m: MatMut<'a, f64>,
    j: usize,
    start: usize,
    len: usize,
) -> (&'a mut [f64], &'a mut [f64]) {
    let (left, right) = m.split_at_col_mut(j + 1);
    (
        column_mut(left, j, start, len),
        column_mut(right, 0, start, len),
    )
}

/// out = B v for the symmetric B (m × m, lower triangle read). Above `PARALLEL_MIN`
/// in two parts run in parallel: the columns left of s = ⌊m(1 − 1/√2)⌋ (half of the
/// triangle's area; they reach every row) into `out`, and the lower triangle of the
/// trailing block B[s…, s…] (rows s… only) into `spare`, then added in. The split is
/// a function of m alone.
fn symmetric_product(
    arch: Arch,
    b: MatRef<'_, f64>,
    v: &[f64],
    out: &mut [f64],
    spare: &mut [f64],
) {
    let m = v.len();
    out.fill(0.0);
    if m < PARALLEL_MIN {
        arch.dispatch(LowerProduct {
            b,
            v,
            out,
            columns: m,
        });
        return;
    }
    let s = (m as f64 * (1.0 - std::f64::consts::FRAC_1_SQRT_2)) as usize / 4 * 4;
    let trailing = &mut spare[..m - s];
    trailing.fill(0.0);
    rayon::join(
        || {
            arch.dispatch(LowerProduct {
                b,
                v,
                out: &mut *out,
                columns: s,
            })
        },
        || {
            arch.dispatch(LowerProduct {
                b: b.submatrix(s, s, m - s, m - s),
                v: &v[s..],
                out: &mut *trailing,
                columns: m - s,
            })
        },
    );
    for (o, t) in out[s..].iter_mut().zip(trailing.iter()) {
        *o += t;
    }
}

/// out += the part of B v from the lower triangle's columns 0…columns−1: column j's
/// diagonal and the entries below it add to out[j] (a dot product with v) and to
/// out[i], i > j (an axpy). Four columns per pass over the rows.
struct LowerProduct<'a> {
    b: MatRef<'a, f64>,
    v: &'a [f64],
    out: &'a mut [f64],
    columns: usize,
}

impl WithSimd for LowerProduct<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output {
        let LowerProduct { b, v, out, columns } = self;
        let m = v.len();
        let mut j = 0;
        while j + 4 <= columns {
            let cols = [
                column(b, j, j, m - j),
                column(b, j + 1, j + 1, m - j - 1),
                column(b, j + 2, j + 2, m - j - 2),
                column(b, j + 3, j + 3, m - j - 3),
            ];
            // The 4 × 4 diagonal block, scalar.
            let mut dots = [0.0; 4];
            for q in 0..4 {
                dots[q] += cols[q][0] * v[j + q];
                for s in q + 1..4 {
                    let bsq = cols[q][s - q];
                    dots[q] += bsq * v[j + s];
                    out[j + s] += bsq * v[j + q];
                }
            }
            // Rows j + 4…: wide vectors.
            let start = j + 4;
            let (a0, a1, a2, a3) = (&cols[0][4..], &cols[1][3..], &cols[2][2..], &cols[3][1..]);
            let vr = &v[start..];
            let or = &mut out[start..];
            let (a0h, a0t) = S::as_simd_f64s(a0);
            let (a1h, a1t) = S::as_simd_f64s(a1);
            let (a2h, a2t) = S::as_simd_f64s(a2);
            let (a3h, a3t) = S::as_simd_f64s(a3);
            let (vh, vt) = S::as_simd_f64s(vr);
            let (oh, ot) = S::as_mut_simd_f64s(or);
            let x = [
                simd.splat_f64s(v[j]),
                simd.splat_f64s(v[j + 1]),
                simd.splat_f64s(v[j + 2]),
                simd.splat_f64s(v[j + 3]),
            ];
            let mut acc = [simd.splat_f64s(0.0); 4];
            for (((((o, &b0), &b1), &b2), &b3), &vi) in
                oh.iter_mut().zip(a0h).zip(a1h).zip(a2h).zip(a3h).zip(vh)
            {
                acc[0] = simd.mul_add_e_f64s(b0, vi, acc[0]);
                acc[1] = simd.mul_add_e_f64s(b1, vi, acc[1]);
                acc[2] = simd.mul_add_e_f64s(b2, vi, acc[2]);
                acc[3] = simd.mul_add_e_f64s(b3, vi, acc[3]);
                let mut s = simd.mul_add_e_f64s(b0, x[0], *o);
                s = simd.mul_add_e_f64s(b1, x[1], s);
                s = simd.mul_add_e_f64s(b2, x[2], s);
                *o = simd.mul_add_e_f64s(b3, x[3], s);
            }
            for q in 0..4 {
                dots[q] += simd.reduce_sum_f64s(acc[q]);
            }
            for (i, o) in ot.iter_mut().enumerate() {
                let (b0, b1, b2, b3, vi) = (a0t[i], a1t[i], a2t[i], a3t[i], vt[i]);
                dots[0] += b0 * vi;
                dots[1] += b1 * vi;
                dots[2] += b2 * vi;
                dots[3] += b3 * vi;
                *o += b0 * v[j] + b1 * v[j + 1] + b2 * v[j + 2] + b3 * v[j + 3];
            }
            for q in 0..4 {
                out[j + q] += dots[q];
            }
            j += 4;
        }
        // The last (< 4) columns one at a time.
        while j < columns {
            let col = column(b, j, j, m - j);
            let mut d = col[0] * v[j];
            for (i, &bij) in col.iter().enumerate().skip(1) {
                d += bij * v[j + i];
                out[j + i] += bij * v[j];
            }
            out[j] += d;
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{gaussian_matrix, rng};

    fn symmetric(n: usize, seed: u64) -> Mat<f64> {
        let g = gaussian_matrix(&mut rng(seed), n, n);
        Mat::from_fn(n, n, |i, j| g[(i, j)] + g[(j, i)])
    }

    #[test]
    fn symmetric_product_matches_the_full_matrix() {
        for m in [1, 3, 4, 7, 50, 383, 384, 385, 1001] {
            let b = symmetric(m, m as u64);
            let v: Vec<f64> = (0..m).map(|i| (i as f64 * 0.37).sin()).collect();
            let mut out = vec![0.0; m];
            let mut spare = vec![0.0; m];
            symmetric_product(Arch::new(), b.as_ref(), &v, &mut out, &mut spare);
            for i in 0..m {
                let want: f64 = (0..m).map(|j| b[(i, j)] * v[j]).sum();
                assert!(
                    (out[i] - want).abs() < 1e-12 * (1.0 + want.abs()),
                    "m={m} row {i}"
                );
            }
        }
    }

    /// Q (the reflectors applied to the identity, Q = H₀⋯H_{n−2}) is orthogonal and
    /// Q T Qᵀ = A to rounding; over the first panel the reflectors are faer's unblocked
    /// ones (the same convention, so faer's Householder routines apply Q).
    #[test]
    fn reduces_to_a_similar_tridiagonal_matrix() {
        use faer::dyn_stack::{MemBuffer, MemStack};
        use faer::linalg::evd::tridiag::{tridiag_in_place, tridiag_in_place_scratch};
        for n in [1, 2, 3, 5, 31, 32, 33, 64, 65, 100, 250] {
            let a = symmetric(n, 7 + n as u64);
            let mut reduced = a.clone();
            let t = tridiagonalise(reduced.as_mut(), Par::rayon(2));
            let mut q = Mat::<f64>::identity(n, n);
            for j in (0..n.saturating_sub(1)).rev() {
                let v: Vec<f64> = (0..n)
                    .map(|i| match i {
                        _ if i <= j => 0.0,
                        _ if i == j + 1 => 1.0,
                        _ => reduced[(i, j)],
                    })
                    .collect();
                for col in 0..n {
                    let s: f64 = (0..n).map(|i| v[i] * q[(i, col)]).sum::<f64>() / t.tau[j];
                    for i in 0..n {
                        q[(i, col)] -= s * v[i];
                    }
                }
            }
            let tri = Mat::<f64>::from_fn(n, n, |i, j| match i.abs_diff(j) {
                0 => t.diagonal[i],
                1 => t.subdiagonal[i.min(j)],
                _ => 0.0,
            });
            let back = &q * &tri * q.transpose();
            let identity = q.transpose() * &q;
            let scale = (0..n)
                .map(|j| (0..n).map(|i| a[(i, j)].abs()).fold(0.0, f64::max))
                .fold(0.0, f64::max);
            for j in 0..n {
                for i in 0..n {
                    let unit = if i == j { 1.0 } else { 0.0 };
                    assert!(
                        (identity[(i, j)] - unit).abs() < 1e-13 * n as f64,
                        "n={n} QᵀQ"
                    );
                    let err = (back[(i, j)] - a[(i, j)]).abs();
                    assert!(err < 1e-14 * n as f64 * scale, "n={n} ({i},{j}): {err}");
                }
            }
            let mut theirs = a.clone();
            let mut h = Mat::<f64>::zeros(1, n.saturating_sub(1));
            tridiag_in_place(
                theirs.as_mut(),
                h.as_mut(),
                Par::Seq,
                MemStack::new(&mut MemBuffer::new(tridiag_in_place_scratch::<f64>(
                    n,
                    Par::Seq,
                    Default::default(),
                ))),
                Default::default(),
            );
            for j in 0..n.saturating_sub(1).min(PANEL) {
                assert_eq!(t.subdiagonal[j], reduced[(j + 1, j)]);
                for i in j + 1..n {
                    let d = (reduced[(i, j)] - theirs[(i, j)]).abs();
                    assert!(d <= 1e-12 * (1.0 + theirs[(i, j)].abs()), "n={n} ({i},{j})");
                }
                let (ours, faer) = (t.tau[j], h[(0, j)]);
                assert!(
                    ours == faer || (ours - faer).abs() <= 1e-12 * faer,
                    "n={n} t{j}"
                );
            }
        }
    }
}
