//! The one symmetric eigensolver. Eigenvalues come in *ascending* order, eigenvectors
//! as matching unit columns. A solver failure, or a non-finite eigenvalue (from
//! non-finite or overflowing entries), is [`Error::Numerical`]: callers never see a
//! partial or empty spectrum. Parallel parts are cut into a fixed number of pieces
//! (`DEGREE`, never the thread count): results do not depend on it.
//!
//! - [`symmetric_eigenvalues`]: A = Q T Qᵀ by the blocked Householder reduction
//!   ([`super::tridiagonalisation`]), then every eigenvalue of T by root-free QL
//!   ([`super::tridiagonal::eigenvalues`]); no vectors.
//! - [`symmetric_eigen_selected`] (the extreme pairs of a spectrum): the same
//!   eigenvalues, the wanted eigenvectors of T by inverse iteration
//!   ([`super::tridiagonal::eigenvectors`]) with their eigenvalues refined to those
//!   vectors' Rayleigh quotients, the vectors mapped back by Q (faer's blocked
//!   Householder product). That skips T's other eigenvectors and the n × n product Q·V,
//!   which together cost about as much as the reduction.
//! - [`symmetric_eigen`] (every pair): the same reduction, every eigenpair of T by
//!   faer's divide and conquer (bounded QR iterations below its recursion threshold),
//!   and Q applied to all of them.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{
    self_adjoint_evd_scratch, tridiagonal_self_adjoint_evd, ComputeEigenvectors,
    SelfAdjointEvdParams,
};
use faer::linalg::householder::{
    apply_block_householder_sequence_on_the_left_in_place_scratch,
    apply_block_householder_sequence_on_the_left_in_place_with_conj, upgrade_householder_factor,
};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::{Col, Conj, Mat, MatMut, Par, Spec};
use nalgebra::DMatrix;

use super::tridiagonal;
use super::tridiagonalisation::{tridiagonalise, Tridiagonal};
use crate::error::{Error, Result};

/// The degree of parallelism given to faer: a constant, never the thread count. faer cuts
/// its parallel work (the reduction's rank-2k updates, the products of the
/// back-transformation and of the full decomposition) into this many parts, each summed
/// in a fixed order, and rayon runs the parts on whatever threads it has: the same
/// results on one thread or many.
const DEGREE: usize = 2;

fn parallel() -> Par {
    Par::rayon(DEGREE)
}

/// Iteration cap of [`symmetric_eigen_recorded`] (nalgebra's solver can loop forever on
/// some degenerate matrices without one).
const RECORDED_MAX_ITER: usize = 10_000;

/// nalgebra's symmetric eigensolver, eigenvalues *decreasing* with the eigenvectors as
/// matching columns; `None` if it hit its iteration cap. Kept for one use only:
/// `matrix_factorization`'s known points are built from these eigenvectors, and the
/// recorded outputs (their coordinates, and the census start scale derived from them)
/// depend on this solver's eigenvector signs and last bits. Everything else uses
/// [`symmetric_eigen`].
pub fn symmetric_eigen_recorded(m: &DMatrix<f64>) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let eig = nalgebra::SymmetricEigen::try_new(m.clone(), f64::EPSILON, RECORDED_MAX_ITER)?;
    let n = m.nrows();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| eig.eigenvectors[(r, order[c])]);
    Some((values, vectors))
}

/// Eigenvalues ascending with matching unit eigenvectors (columns) of a symmetric
/// matrix (only its lower triangle is read).
pub fn symmetric_eigen(h: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let n = h.nrows();
    let mut u = Mat::<f64>::zeros(n, n);
    let s = every_pair(Mat::<f64>::from_fn(n, n, |i, j| h[(i, j)]), &mut u)?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| s[i].total_cmp(&s[j]));
    let values = order.iter().map(|&i| s[i]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| u[(r, order[c])]);
    Ok((values, vectors))
}

/// Below this many eigenvectors per matrix row (wanted × this ≤ n), inverse iteration
/// on the tridiagonal form beats computing every eigenvector.
const SELECTED_FRACTION: usize = 4;

/// Every eigenvalue ascending, and unit eigenvectors (columns, in the order given) for
/// the ascending eigenvalue indices `wanted` (strictly increasing, each below n), of a
/// symmetric matrix (only its lower triangle is read). Few indices: tridiagonalisation,
/// QL eigenvalues and inverse iteration (module docs); many: [`symmetric_eigen`]'s
/// columns.
///
/// # Panics
/// If `wanted` is not strictly increasing below n (programmer error).
pub fn symmetric_eigen_selected(
    h: &DMatrix<f64>,
    wanted: &[usize],
) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let n = h.nrows();
    assert!(
        wanted.windows(2).all(|w| w[0] < w[1]) && wanted.last().is_none_or(|&j| j < n),
        "symmetric_eigen_selected: indices"
    );
    let m = wanted.len();
    if n < SELECTED_FRACTION || m * SELECTED_FRACTION > n {
        let (values, vectors) = symmetric_eigen(h)?;
        return Ok((
            values,
            DMatrix::from_fn(n, m, |r, c| vectors[(r, wanted[c])]),
        ));
    }
    let mut reduced = Mat::<f64>::from_fn(n, n, |i, j| h[(i, j)]);
    let t = tridiagonalise(reduced.as_mut(), parallel());
    let mut values = tridiagonal_eigenvalues(&t)?;
    let (a, b) = (&t.diagonal, &t.subdiagonal);
    let picked: Vec<f64> = wanted.iter().map(|&j| values[j]).collect();
    let mut u = vec![0.0; n * m];
    tridiagonal::eigenvectors(a, b, &picked, &mut u);
    // The wanted eigenvalues as Rayleigh quotients of their vectors (T's QR eigenvalues
    // were off by ≈ 150 ε‖A‖ at n = 1000; the quotient of a vector accurate to δ is
    // accurate to ε‖A‖ + ‖A‖δ²), kept between their neighbours: the list stays ascending.
    for (c, &j) in wanted.iter().enumerate() {
        let quotient = tridiagonal::rayleigh(a, b, &u[c * n..(c + 1) * n]);
        let low = if j > 0 {
            values[j - 1]
        } else {
            f64::NEG_INFINITY
        };
        let high = values.get(j + 1).copied().unwrap_or(f64::INFINITY);
        values[j] = quotient.clamp(low, high);
    }
    // Back to A's coordinates.
    apply_q(
        &reduced,
        &t,
        MatMut::from_column_major_slice_mut(&mut u, n, m),
    );
    let vectors = DMatrix::from_vec(n, m, u);
    if !vectors.iter().all(|v| v.is_finite()) {
        return Err(eigen_failure(NON_FINITE.to_string()));
    }
    Ok((values, vectors))
}

const NON_FINITE: &str =
    "non-finite eigenvalues or eigenvectors (non-finite or overflowing entries)";

fn eigen_failure(message: String) -> Error {
    Error::Numerical {
        what: "dense symmetric eigensolver".to_string(),
        message,
    }
}

/// Eigenvalues ascending of a symmetric nalgebra matrix (only its lower triangle is
/// read), without eigenvectors.
pub fn symmetric_eigenvalues_of(h: &DMatrix<f64>) -> Result<Vec<f64>> {
    let n = h.nrows();
    eigenvalues_reducing(Mat::<f64>::from_fn(n, n, |i, j| h[(i, j)]))
}

/// Eigenvalues ascending of a symmetric faer matrix (only its lower triangle is read),
/// without eigenvectors: the blocked tridiagonalisation, then root-free QL on T.
pub fn symmetric_eigenvalues(a: &Mat<f64>) -> Result<Vec<f64>> {
    eigenvalues_reducing(a.clone())
}

/// [`symmetric_eigenvalues`] of a matrix the reduction may overwrite (no second copy).
fn eigenvalues_reducing(mut a: Mat<f64>) -> Result<Vec<f64>> {
    tridiagonal_eigenvalues(&tridiagonalise(a.as_mut(), parallel()))
}

/// Every eigenvalue of the tridiagonal T, ascending ([`tridiagonal::eigenvalues`]).
fn tridiagonal_eigenvalues(t: &Tridiagonal) -> Result<Vec<f64>> {
    tridiagonal::eigenvalues(&t.diagonal, &t.subdiagonal).ok_or_else(|| {
        eigen_failure(
            "the tridiagonal QL iteration did not converge (non-finite or overflowing entries, \
             or the iteration cap)"
                .to_string(),
        )
    })
}

/// Every eigenpair of a symmetric matrix (lower triangle read; reduced in place): the
/// eigenvalues in faer's order, the eigenvectors into `u` (n × n). The blocked
/// reduction, faer's divide and conquer on T (implicit QR below its recursion
/// threshold), Q applied to T's eigenvectors: faer's `self_adjoint_evd` with our
/// reduction in place of its own.
fn every_pair(mut reduced: Mat<f64>, u: &mut Mat<f64>) -> Result<Vec<f64>> {
    let n = reduced.nrows();
    if n == 0 {
        return Ok(Vec::new());
    }
    let t = tridiagonalise(reduced.as_mut(), parallel());
    let params: Spec<SelfAdjointEvdParams, f64> = Spec::default();
    let mut s = Col::<f64>::zeros(n);
    let solved = tridiagonal_self_adjoint_evd(
        Col::<f64>::from_fn(n, |i| t.diagonal[i]).as_diagonal(),
        Col::<f64>::from_fn(n, |i| t.subdiagonal.get(i).copied().unwrap_or(0.0)).as_diagonal(),
        s.as_diagonal_mut(),
        Some(u.as_mut()),
        parallel(),
        MemStack::new(&mut MemBuffer::new(self_adjoint_evd_scratch::<f64>(
            n,
            ComputeEigenvectors::Yes,
            parallel(),
            params,
        ))),
        params,
    );
    super::simd::clear_upper_state();
    solved.map_err(|e| eigen_failure(format!("{e:?} (iteration cap reached)")))?;
    apply_q(&reduced, &t, u.as_mut());
    let values: Vec<f64> = s.iter().copied().collect();
    let finite_vectors = (0..n).all(|j| (0..n).all(|i| u[(i, j)].is_finite()));
    if !(finite_vectors && values.iter().all(|v| v.is_finite())) {
        return Err(eigen_failure(NON_FINITE.to_string()));
    }
    Ok(values)
}

/// x ← Q x for the columns of `x` (n × m), Q = H₀⋯H_{n−2} of the reduction that left
/// `reduced` and `t`: rows 1… by faer's blocked Householder product, its reflectors
/// gathered into blocks (the block factors faer's own reduction leaves).
fn apply_q(reduced: &Mat<f64>, t: &Tridiagonal, x: MatMut<'_, f64>) {
    let n = reduced.nrows();
    if n < 2 {
        return;
    }
    let m = x.ncols();
    let essentials = reduced.as_ref().submatrix(1, 0, n - 1, n - 1);
    let bs = recommended_block_size::<f64>(n, n);
    let mut householder = Mat::<f64>::zeros(bs, n - 1);
    let mut j = 0;
    while j < n - 1 {
        let width = bs.min(n - 1 - j);
        let mut block = householder.as_mut().submatrix_mut(0, j, width, width);
        for k in 0..width {
            block[(k, k)] = t.tau[j + k];
        }
        upgrade_householder_factor(
            block,
            essentials.submatrix(j, j, n - 1 - j, width),
            width,
            1,
            parallel(),
        );
        j += width;
    }
    apply_block_householder_sequence_on_the_left_in_place_with_conj(
        essentials,
        householder.as_ref(),
        Conj::No,
        x.subrows_mut(1, n - 1),
        parallel(),
        MemStack::new(&mut MemBuffer::new(
            apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(n - 1, bs, m),
        )),
    );
    super::simd::clear_upper_state();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascending_pairs_of_a_small_matrix() {
        let h = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let (values, vectors) = symmetric_eigen(&h).unwrap();
        assert!((values[0] - 1.0).abs() < 1e-14 && (values[1] - 3.0).abs() < 1e-14);
        let v = vectors.column(0);
        assert!((v[0] + v[1]).abs() < 1e-14 && (v.norm() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn selected_pairs_match_the_full_decomposition() {
        use crate::random::{gaussian_matrix, rng};
        let g = gaussian_matrix(&mut rng(5), 120, 120);
        let mut h = &g + g.transpose();
        let (full_values, full_vectors) = symmetric_eigen(&h).unwrap();
        let wanted: Vec<usize> = (0..5).chain(115..120).collect();
        let (values, vectors) = symmetric_eigen_selected(&h, &wanted).unwrap();
        // The unwanted eigenvalues are those of the eigenvalue-only path, bit for bit;
        // all agree with the full decomposition's.
        let plain = symmetric_eigenvalues_of(&h).unwrap();
        assert!((5..115).all(|j| values[j] == plain[j]));
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        let scale = full_values[119].abs().max(full_values[0].abs());
        for (j, (v, w)) in values.iter().zip(&full_values).enumerate() {
            assert!((v - w).abs() <= 1e-13 * scale, "λ{j}: {v} vs {w}");
        }
        for (c, &j) in wanted.iter().enumerate() {
            let x = vectors.column(c);
            assert!((&h * x - x * values[j]).norm() <= 1e-14 * scale, "pair {j}");
            // Simple eigenvalues: the same vector up to sign.
            assert!((x.dot(&full_vectors.column(j)).abs() - 1.0).abs() < 1e-10);
        }
        let gram = vectors.transpose() * &vectors - DMatrix::identity(10, 10);
        assert!(gram.amax() < 1e-12);

        // A triple eigenvalue μ at the bottom (the three lowest moved to μ): any
        // orthonormal basis of its eigenspace will do.
        let mu = full_values[0] - 1.0;
        for (i, lambda) in full_values.iter().enumerate().take(3) {
            let q = full_vectors.column(i);
            h += q * q.transpose() * (mu - lambda);
        }
        let (values, vectors) = symmetric_eigen_selected(&h, &[0, 1, 2, 3]).unwrap();
        for (c, lambda) in values.iter().enumerate().take(4) {
            let x = vectors.column(c);
            assert!((&h * x - x * *lambda).norm() <= 1e-12 * scale, "pair {c}");
        }
        assert!((vectors.transpose() * &vectors - DMatrix::identity(4, 4)).amax() < 1e-12);
        assert!((values[0] - values[2]).abs() <= 1e-12 * scale);
        // Many pairs: the full decomposition's columns.
        let all: Vec<usize> = (0..120).collect();
        let (values, vectors) = symmetric_eigen_selected(&h, &all).unwrap();
        assert_eq!((values, vectors), symmetric_eigen(&h).unwrap());
    }

    #[test]
    fn every_pair_is_an_orthonormal_eigenbasis() {
        use crate::random::{gaussian_matrix, rng};
        // n = 300: divide and conquer on T (faer's recursion threshold is below).
        let g = gaussian_matrix(&mut rng(12), 300, 300);
        let h = &g + g.transpose();
        let (values, u) = symmetric_eigen(&h).unwrap();
        let scale = values[299].abs().max(values[0].abs());
        let residual = &h * &u - &u * DMatrix::from_diagonal(&values.clone().into());
        assert!(residual.amax() < 1e-12 * scale, "{}", residual.amax());
        assert!((u.transpose() * &u - DMatrix::identity(300, 300)).amax() < 1e-12);
        let plain = symmetric_eigenvalues_of(&h).unwrap();
        assert!(values
            .iter()
            .zip(&plain)
            .all(|(a, b)| (a - b).abs() < 1e-12 * scale));
    }

    #[test]
    fn eigenvalues_are_identical_on_one_two_and_three_threads() {
        use crate::random::{gaussian_matrix, rng};
        let g = gaussian_matrix(&mut rng(9), 500, 500);
        let h = &g + g.transpose();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| symmetric_eigenvalues_of(&h).unwrap())
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_eq!(one, on(3));
        // And they are the eigenvalues (faer's full decomposition, another algorithm).
        let (full, _) = symmetric_eigen(&h).unwrap();
        let scale = full[499].abs().max(full[0].abs());
        assert!(one
            .iter()
            .zip(&full)
            .all(|(a, b)| (a - b).abs() < 1e-12 * scale));
    }

    #[test]
    fn overflowing_entries_are_an_error() {
        let big = f64::MAX;
        let h = DMatrix::from_row_slice(2, 2, &[big, big, big, -big]);
        assert!(matches!(
            symmetric_eigenvalues_of(&h),
            Err(Error::Numerical { .. })
        ));
        assert!(symmetric_eigen(&DMatrix::from_element(2, 2, f64::NAN)).is_err());
    }
}
