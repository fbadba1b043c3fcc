//! Linear algebra shared across the crate, one home per concept:
//!
//! - [`vector`]: ⟨a, b⟩ (one running sum, or several for hot loops), ‖a‖₂, ‖a − b‖₂,
//!   y ← y + αx on slices;
//! - [`operator`]: the [`SymmetricOperator`] trait (a plain matrix, the Hessian at a
//!   point, the reduced Hessian) and the one dense assembly of an operator;
//! - [`eigen`]: the symmetric eigensolver, eigenvalues ascending, with every
//!   eigenvector (faer), a few, or none;
//! - [`tridiagonalisation`]: blocked Householder reduction to tridiagonal form (for
//!   [`eigen`]);
//! - [`tridiagonal`]: the tridiagonal eigenproblem: eigenvalues by root-free QL,
//!   eigenvectors by inverse iteration (for [`eigen`]);
//! - [`simd`]: leaving faer's wide-vector kernels cleanly before scalar maths;
//! - here: Q·diag(λ)·Qᵀ, symmetrisation (M + Mᵀ)/2 and row-major entries of a matrix.

use nalgebra::DMatrix;

pub mod eigen;
pub mod operator;
pub mod simd;
pub mod tridiagonal;
pub mod tridiagonalisation;
pub mod vector;

pub use eigen::{
    symmetric_eigen, symmetric_eigen_selected, symmetric_eigenvalues, symmetric_eigenvalues_of,
};
pub use operator::{columns_into, dense, dense_into, HessianAt, SymmetricOperator};
pub use vector::{axpy, distance, dot, dot_lanes, norm};

/// Iteration cap for nalgebra's SVD (it can loop forever on some degenerate matrices
/// without one).
pub const SVD_MAX_ITER: usize = 10_000;

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
