//! The dense path: assemble the operator in an orthonormal basis Q of its domain,
//! Qᵀ A Q, from one application per basis vector ([`crate::linalg::dense`]), and
//! diagonalise it with the crate's eigensolver ([`crate::linalg::eigen`]): every
//! eigenvalue, and eigenvectors only for the k pairs reported at each wanted end (their
//! residuals, and the vectors on request).
//!
//! Q is the last d − c columns of the full Householder Q of the complement basis C
//! (c columns: sphere normals and symmetry directions for the reduced Hessian), or the
//! identity when C is empty.

use nalgebra::DMatrix;

use super::{Eigenpair, Method, Spectrum, SpectrumOptions, Which, DENSE_MAX_DIM};
use crate::error::{Error, Result};
use crate::linalg::{dense, dot, symmetric_eigen_selected, SymmetricOperator};

/// Every eigenpair of the operator on its domain.
pub(super) fn spectrum(op: &dyn SymmetricOperator, opts: &SpectrumOptions) -> Result<Spectrum> {
    let n = op.domain_dim();
    if n > DENSE_MAX_DIM {
        return Err(Error::invalid(
            "method",
            format!("lanczos (or auto) above reduced dimension {DENSE_MAX_DIM}"),
            format!("dense at reduced dimension {n}"),
        ));
    }
    let basis = domain_basis(op);
    let h = dense(op, basis.as_ref());
    let k = opts.k.min(n);
    let wanted = opts.which.indices(n, k);
    let (values, vectors) = symmetric_eigen_selected(&h, &wanted)?;
    let pair = |j: usize| {
        let w = vectors.column(wanted.binary_search(&j).expect("a reported index"));
        Eigenpair {
            value: values[j],
            residual: residual(&h, w.as_slice(), values[j]),
            vector: opts.with_vectors.then(|| match &basis {
                Some(q) => (q * w).as_slice().to_vec(),
                None => w.as_slice().to_vec(),
            }),
        }
    };
    let smallest = if opts.which.smallest() {
        (0..k).map(pair).collect()
    } else {
        Vec::new()
    };
    let largest = if opts.which.largest() {
        (n - k..n).rev().map(pair).collect()
    } else {
        Vec::new()
    };
    let hessian_norm = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    Ok(Spectrum {
        method: Method::Dense,
        ambient_dim: op.dim(),
        reduced_dim: n,
        symmetry_modes: 0,
        symmetry_projected: false,
        eigenvalues: values,
        complete: true,
        smallest,
        largest,
        converged: true,
        hvp_count: n,
        hessian_norm,
    })
}

/// The operator assembled in an orthonormal basis of its domain (n × n, n the domain's
/// dimension): the matrix the dense path diagonalises.
pub fn dense_matrix(op: &dyn SymmetricOperator) -> DMatrix<f64> {
    dense(op, domain_basis(op).as_ref())
}

/// The ascending eigenvalue indices whose pairs the dense path reports (k at each end of
/// n): 0..k and n − k..n, one range when they meet.
pub fn reported_indices(n: usize, k: usize) -> Vec<usize> {
    Which::Both.indices(n, k)
}

/// An orthonormal basis of the operator's domain as the columns of a d × n matrix, or
/// `None` for the identity (the domain is ℝᵈ).
fn domain_basis(op: &dyn SymmetricOperator) -> Option<DMatrix<f64>> {
    let complement = op.complement_basis();
    if complement.is_empty() {
        return None;
    }
    let (d, c) = (op.dim(), complement.len());
    let cmat = DMatrix::from_fn(d, c, |i, j| complement[j][i]);
    // Rows c.. of the full Qᵀ of C = QR span the orthogonal complement of C's columns.
    let mut qt = DMatrix::<f64>::identity(d, d);
    cmat.qr().q_tr_mul(&mut qt);
    Some(qt.rows(c, d - c).transpose())
}

/// ‖H w − λ w‖.
fn residual(h: &DMatrix<f64>, w: &[f64], lambda: f64) -> f64 {
    let n = h.nrows();
    let mut sum = 0.0;
    for i in 0..n {
        // H is symmetric: row i = column i, contiguous in column-major storage.
        let hw = dot(h.column(i).as_slice(), w);
        sum += (hw - lambda * w[i]).powi(2);
    }
    sum.sqrt()
}
