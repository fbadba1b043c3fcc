//! The dense path: assemble H_red = Qᵀ H Q from one exact HVP per basis vector,
//! symmetrise, and diagonalise with faer's self-adjoint eigensolver.
//!
//! Q is an orthonormal basis of the reduced space: the last d − c columns of the full
//! Householder Q of the complement basis C (normals and symmetry directions, c columns),
//! or the identity when C is empty. The eigensolver runs sequentially (`Par::Seq`), so
//! the result does not depend on the thread count; its QR iterations are bounded and a
//! failure to converge is returned as [`Error::Numerical`].

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::{Mat, Par, Spec};
use nalgebra::DMatrix;
use rayon::prelude::*;

use super::{Eigenpair, Method, ReducedSpace, Spectrum, SpectrumOptions, DENSE_MAX_DIM};
use crate::error::{Error, Result};

/// Every eigenpair of the reduced Hessian.
pub(super) fn spectrum(space: &ReducedSpace, opts: &SpectrumOptions) -> Result<Spectrum> {
    let n = space.dim();
    if n > DENSE_MAX_DIM {
        return Err(Error::invalid(
            "method",
            format!("lanczos (or auto) above reduced dimension {DENSE_MAX_DIM}"),
            format!("dense at reduced dimension {n}"),
        ));
    }
    let basis = reduced_basis(space);
    let h = reduced_hessian(space, basis.as_ref());
    let (values, vectors) = symmetric_eigen(&h)?;
    let k = opts.k.min(n);
    let pair = |j: usize| Eigenpair {
        value: values[j],
        residual: residual(&h, vectors.column(j).as_slice(), values[j]),
        vector: opts.with_vectors.then(|| {
            let w = vectors.column(j);
            match &basis {
                Some(q) => (q * w).as_slice().to_vec(),
                None => w.as_slice().to_vec(),
            }
        }),
    };
    let smallest = (0..k).map(pair).collect();
    let largest = (n - k..n).rev().map(pair).collect();
    let hessian_norm = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    Ok(Spectrum {
        method: Method::Dense,
        ambient_dim: space.ambient_dim(),
        reduced_dim: n,
        symmetry_modes: space.symmetry_modes(),
        symmetry_projected: space.symmetry_projected(),
        eigenvalues: values,
        complete: true,
        smallest,
        largest,
        converged: true,
        hvp_count: n,
        hessian_norm,
    })
}

/// An orthonormal basis of the reduced space as the columns of a d × n matrix, or
/// `None` for the identity (nothing projected out).
pub(super) fn reduced_basis(space: &ReducedSpace) -> Option<DMatrix<f64>> {
    let complement = space.complement_basis();
    if complement.is_empty() {
        return None;
    }
    let (d, c) = (space.ambient_dim(), complement.len());
    let cmat = DMatrix::from_fn(d, c, |i, j| complement[j][i]);
    // Rows c.. of the full Qᵀ of C = QR span the orthogonal complement of C's columns.
    let mut qt = DMatrix::<f64>::identity(d, d);
    cmat.qr().q_tr_mul(&mut qt);
    Some(qt.rows(c, d - c).transpose())
}

/// H_red = Qᵀ (H Q), symmetrised; column j of H Q from one HVP, columns in parallel
/// (each independent, so the result does not depend on the thread count).
pub(super) fn reduced_hessian(space: &ReducedSpace, basis: Option<&DMatrix<f64>>) -> DMatrix<f64> {
    let (d, n) = (space.ambient_dim(), space.dim());
    let mut hq = DMatrix::<f64>::zeros(d, n);
    hq.as_mut_slice()
        .par_chunks_mut(d)
        .enumerate()
        .for_each(|(j, column)| match basis {
            Some(q) => space.apply(q.column(j).as_slice(), column),
            None => {
                let mut e = vec![0.0; d];
                e[j] = 1.0;
                space.apply(&e, column);
            }
        });
    let mut h = match basis {
        Some(q) => q.tr_mul(&hq),
        None => hq,
    };
    crate::linalg::symmetrise(&mut h);
    h
}

/// Eigenvalues ascending with matching unit eigenvectors (columns) of a symmetric
/// matrix (only its lower triangle is read), by faer's sequential self-adjoint
/// eigensolver; [`Error::Numerical`] if it hits its iteration cap.
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

/// Eigenvalues ascending of a symmetric faer matrix (only its lower triangle is read),
/// without eigenvectors; [`Error::Numerical`] if the solver hits its iteration cap.
pub fn symmetric_eigenvalues(a: &Mat<f64>) -> Result<Vec<f64>> {
    let mut values = self_adjoint_eigen(a, None)?;
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// faer's sequential self-adjoint eigensolver: the eigenvalues in faer's order, and the
/// eigenvectors into `vectors` when given (n×n).
fn self_adjoint_eigen(a: &Mat<f64>, vectors: Option<&mut Mat<f64>>) -> Result<Vec<f64>> {
    let n = a.nrows();
    let params = Spec::default();
    let compute = if vectors.is_some() {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let scratch = self_adjoint_evd_scratch::<f64>(n, compute, Par::Seq, params);
    let mut s = Mat::<f64>::zeros(n, n);
    self_adjoint_evd(
        a.as_ref(),
        s.as_mut().diagonal_mut(),
        vectors.map(|u| u.as_mut()),
        Par::Seq,
        MemStack::new(&mut MemBuffer::new(scratch)),
        params,
    )
    .map_err(|e| Error::Numerical {
        what: "dense symmetric eigensolver".to_string(),
        message: format!("{e:?} (iteration cap reached)"),
    })?;
    Ok((0..n).map(|i| s[(i, i)]).collect())
}

/// ‖H w − λ w‖.
fn residual(h: &DMatrix<f64>, w: &[f64], lambda: f64) -> f64 {
    let n = h.nrows();
    let mut sum = 0.0;
    for i in 0..n {
        // H is symmetric: row i = column i, contiguous in column-major storage.
        let row = h.column(i);
        let hw: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
        sum += (hw - lambda * w[i]).powi(2);
    }
    sum.sqrt()
}
