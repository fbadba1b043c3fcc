//! The one symmetric eigensolver: faer's self-adjoint eigendecomposition, run
//! sequentially (`Par::Seq`, so results do not depend on the thread count), with bounded
//! QR iterations. Eigenvalues come in *ascending* order, eigenvectors as matching unit
//! columns. A solver failure, or a non-finite eigenvalue (from non-finite or overflowing
//! entries), is [`Error::Numerical`]: callers never see a partial or empty spectrum.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::{Mat, Par, Spec};
use nalgebra::DMatrix;

use crate::error::{Error, Result};

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
    let a = Mat::<f64>::from_fn(n, n, |i, j| h[(i, j)]);
    let mut u = Mat::<f64>::zeros(n, n);
    let s = self_adjoint_eigen(&a, Some(&mut u))?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| s[i].total_cmp(&s[j]));
    let values = order.iter().map(|&i| s[i]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| u[(r, order[c])]);
    Ok((values, vectors))
}

/// Eigenvalues ascending of a symmetric nalgebra matrix (only its lower triangle is
/// read), without eigenvectors.
pub fn symmetric_eigenvalues_of(h: &DMatrix<f64>) -> Result<Vec<f64>> {
    let n = h.nrows();
    symmetric_eigenvalues(&Mat::<f64>::from_fn(n, n, |i, j| h[(i, j)]))
}

/// Eigenvalues ascending of a symmetric faer matrix (only its lower triangle is read),
/// without eigenvectors.
pub fn symmetric_eigenvalues(a: &Mat<f64>) -> Result<Vec<f64>> {
    let mut values = self_adjoint_eigen(a, None)?;
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// faer's sequential self-adjoint eigensolver: the eigenvalues in faer's order, and the
/// eigenvectors into `vectors` when given (n×n).
fn self_adjoint_eigen(a: &Mat<f64>, mut vectors: Option<&mut Mat<f64>>) -> Result<Vec<f64>> {
    let n = a.nrows();
    let params = Spec::default();
    let compute = if vectors.is_some() {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let failure = |message: String| Error::Numerical {
        what: "dense symmetric eigensolver".to_string(),
        message,
    };
    let scratch = self_adjoint_evd_scratch::<f64>(n, compute, Par::Seq, params);
    let mut s = Mat::<f64>::zeros(n, n);
    let result = self_adjoint_evd(
        a.as_ref(),
        s.as_mut().diagonal_mut(),
        vectors.as_deref_mut().map(|u| u.as_mut()),
        Par::Seq,
        MemStack::new(&mut MemBuffer::new(scratch)),
        params,
    )
    .map_err(|e| failure(format!("{e:?} (iteration cap reached)")));
    super::simd::clear_upper_state();
    result?;
    let values: Vec<f64> = (0..n).map(|i| s[(i, i)]).collect();
    let finite_vectors = vectors
        .as_deref()
        .is_none_or(|u| (0..n).all(|j| (0..n).all(|i| u[(i, j)].is_finite())));
    if !(finite_vectors && values.iter().all(|v| v.is_finite())) {
        return Err(failure(
            "non-finite eigenvalues or eigenvectors (non-finite or overflowing entries)"
                .to_string(),
        ));
    }
    Ok(values)
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
