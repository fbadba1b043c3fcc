//! Small dense linear-algebra helpers shared by the problems.

use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Iteration cap for nalgebra's symmetric eigensolver (it can loop forever on some
/// degenerate matrices without one).
pub const EIGEN_MAX_ITER: usize = 10_000;

/// Eigen-decomposition of a symmetric matrix, eigenvalues sorted in *decreasing* order
/// with the eigenvectors as matching columns; `None` if the solver hit its cap.
pub fn symmetric_eigen_desc(m: &DMatrix<f64>) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let eig = SymmetricEigen::try_new(m.clone(), f64::EPSILON, EIGEN_MAX_ITER)?;
    let n = m.nrows();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i]));
    let values = DVector::from_fn(n, |i, _| eig.eigenvalues[order[i]]);
    let vectors = DMatrix::from_fn(n, n, |r, c| eig.eigenvectors[(r, order[c])]);
    Some((values, vectors))
}

/// Q·diag(λ)·Qᵀ.
pub fn from_eigen(q: &DMatrix<f64>, eigenvalues: &[f64]) -> DMatrix<f64> {
    let scaled = DMatrix::from_fn(q.nrows(), q.ncols(), |r, c| q[(r, c)] * eigenvalues[c]);
    let mut m = &scaled * q.transpose();
    symmetrise(&mut m);
    m
}

/// Replaces a square matrix by (M + Mᵀ)/2.
pub fn symmetrise(m: &mut DMatrix<f64>) {
    let n = m.nrows();
    for i in 0..n {
        for j in (i + 1)..n {
            let avg = 0.5 * (m[(i, j)] + m[(j, i)]);
            m[(i, j)] = avg;
            m[(j, i)] = avg;
        }
    }
}

/// The entries of a matrix in row-major (C) order.
pub fn row_major(m: &DMatrix<f64>) -> Vec<f64> {
    m.transpose().as_slice().to_vec()
}
