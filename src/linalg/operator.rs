//! Symmetric linear operators and their one dense assembly.
//!
//! A [`SymmetricOperator`] A acts on vectors of length d = [`dim`](SymmetricOperator::dim)
//! through `apply(v, out)`: out = A v for v in its *domain*, a subspace D ⊆ ℝᵈ with
//! orthogonal projector P ([`project`](SymmetricOperator::project); the identity unless
//! the operator says otherwise) of dimension
//! [`domain_dim`](SymmetricOperator::domain_dim). Seen on all of ℝᵈ it is A P, symmetric
//! when A maps D into D and is symmetric there. Instances:
//!
//! - a plain dense matrix (`DMatrix<f64>`, domain ℝᵈ);
//! - [`HessianAt`]: the Hessian of an objective at a point, ∇²f(x) on ℝᵈ, or on spheres
//!   the Riemannian Hessian on the tangent space (see [`crate::manifold`]);
//! - [`crate::spectrum::ReducedSpace`]: the reduced Hessian P H P, symmetry directions
//!   projected out.
//!
//! The dense assembly builds column j from one `apply` on the j-th basis vector, then
//! symmetrises, (M + Mᵀ)/2: in the standard basis, column j = A(P eⱼ) (a d × d matrix);
//! in the orthonormal basis Q (d × n) of the domain, Qᵀ(A Q) (n × n).

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use nalgebra::{DMatrix, DVectorView, DVectorViewMut};
use rayon::prelude::*;

use super::simd::clear_upper_state;
use super::symmetrise;
use crate::manifold::Manifold;
use crate::objective::Objective;

/// A symmetric linear operator on (a subspace of) ℝᵈ, applied matrix-free.
pub trait SymmetricOperator: Sync {
    /// d, the length of the vectors it acts on.
    fn dim(&self) -> usize;

    /// out = A v for v in the domain. Must not allocate.
    fn apply(&self, v: &[f64], out: &mut [f64]);

    /// Replaces v by its orthogonal projection on the domain; the identity by default.
    fn project(&self, _v: &mut [f64]) {}

    /// out = A v up to a component outside the domain, for v in the domain: `project`
    /// of it is `apply` (for a caller that projects anyway, one projection fewer).
    /// `apply` by default. Must not allocate.
    fn apply_unprojected(&self, v: &[f64], out: &mut [f64]) {
        self.apply(v, out);
    }

    /// Dimension of the domain; d by default.
    fn domain_dim(&self) -> usize {
        self.dim()
    }

    /// An orthonormal basis of the orthogonal complement of the domain (empty by
    /// default).
    fn complement_basis(&self) -> Vec<Vec<f64>> {
        Vec::new()
    }
}

impl SymmetricOperator for DMatrix<f64> {
    fn dim(&self) -> usize {
        self.nrows()
    }

    /// out = M v (the matrix is taken as given: symmetric by the caller's contract).
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let n = self.nrows();
        let mut out = DVectorViewMut::from_slice(out, n);
        out.gemv(1.0, self, &DVectorView::from_slice(v, n), 0.0);
    }
}

/// The Hessian of f at x: the Euclidean ∇²f(x) on ℝᵈ, or on a sphere-constrained
/// problem the Riemannian Hessian Hess f(x) on the tangent space (its domain).
pub struct HessianAt<'a> {
    f: &'a dyn Objective,
    x: &'a [f64],
    manifold: Manifold,
    /// The Euclidean gradient at x, for the Riemannian correction (empty on ℝᵈ).
    grad: Vec<f64>,
}

impl<'a> HessianAt<'a> {
    /// The Hessian on f's manifold: Riemannian on spheres (computes ∇f(x) once),
    /// Euclidean otherwise.
    ///
    /// # Panics
    /// If `x.len() != f.dim()`.
    #[track_caller]
    pub fn new(f: &'a dyn Objective, x: &'a [f64]) -> Self {
        Self::on(f, x, f.manifold())
    }

    /// The Euclidean Hessian ∇²f(x) on ℝᵈ, whatever f's manifold.
    ///
    /// # Panics
    /// If `x.len() != f.dim()`.
    #[track_caller]
    pub fn euclidean(f: &'a dyn Objective, x: &'a [f64]) -> Self {
        Self::on(f, x, Manifold::Euclidean)
    }

    #[track_caller]
    fn on(f: &'a dyn Objective, x: &'a [f64], manifold: Manifold) -> Self {
        assert_eq!(x.len(), f.dim(), "HessianAt: point length");
        let grad = if manifold.is_euclidean() {
            Vec::new()
        } else {
            let mut g = vec![0.0; x.len()];
            f.gradient(x, &mut g);
            g
        };
        HessianAt {
            f,
            x,
            manifold,
            grad,
        }
    }

    /// The objective.
    pub fn objective(&self) -> &'a dyn Objective {
        self.f
    }

    /// The point.
    pub fn point(&self) -> &'a [f64] {
        self.x
    }

    /// The manifold the Hessian lives on.
    pub fn manifold(&self) -> Manifold {
        self.manifold
    }
}

impl SymmetricOperator for HessianAt<'_> {
    fn dim(&self) -> usize {
        self.x.len()
    }

    /// ∇²f(x)·v, plus the Riemannian correction on spheres (v tangent).
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        self.f.hvp(self.x, v, out);
        if !self.manifold.is_euclidean() {
            self.manifold
                .riemannian_hvp_correction(self.x, &self.grad, v, out);
        }
    }

    fn project(&self, v: &mut [f64]) {
        self.manifold.project_tangent(self.x, v);
    }

    fn domain_dim(&self) -> usize {
        self.manifold.tangent_dim(self.x.len())
    }

    /// The unit normals x_i/‖x_i‖ of the sphere blocks, each padded to length d.
    fn complement_basis(&self) -> Vec<Vec<f64>> {
        let d = self.x.len();
        let mut basis = Vec::new();
        if let Manifold::Spheres { block_dim, .. } = self.manifold {
            for (i, xi) in self.x.chunks(block_dim).enumerate() {
                let norm = super::norm(xi);
                let mut n = vec![0.0; d];
                n[i * block_dim..(i + 1) * block_dim]
                    .iter_mut()
                    .zip(xi)
                    .for_each(|(n, x)| *n = x / norm);
                basis.push(n);
            }
        }
        basis
    }
}

/// Writes column j = A(P eⱼ) of the operator into `h` (d × d), not symmetrised;
/// `unit` is scratch of length d. Allocates nothing.
///
/// # Panics
/// If `h` is not d × d or `unit` not of length d (programmer error).
#[track_caller]
pub fn columns_into(op: &dyn SymmetricOperator, unit: &mut [f64], h: &mut DMatrix<f64>) {
    let d = op.dim();
    assert_eq!(h.shape(), (d, d), "columns_into: matrix shape");
    assert_eq!(unit.len(), d, "columns_into: scratch length");
    // A column of a column-major DMatrix is a contiguous slice.
    for (j, column) in h.as_mut_slice().chunks_exact_mut(d).enumerate() {
        unit_column(op, j, unit, column);
    }
}

/// The dense operator (M + Mᵀ)/2, M's column j = A(P eⱼ), into `h` (d × d); `unit` is
/// scratch of length d. Allocates nothing: the form for loops (Newton steps,
/// root-finding).
///
/// # Panics
/// If `h` is not d × d or `unit` not of length d (programmer error).
#[track_caller]
pub fn dense_into(op: &dyn SymmetricOperator, unit: &mut [f64], h: &mut DMatrix<f64>) {
    columns_into(op, unit, h);
    symmetrise(h);
}

/// The dense operator, symmetrised, with columns in parallel (each independent, so the
/// result does not depend on the thread count): d × d with column j = A(P eⱼ) when
/// `basis` is `None`; Qᵀ(A Q) (n × n) for an orthonormal basis Q (d × n) of the domain.
pub fn dense(op: &dyn SymmetricOperator, basis: Option<&DMatrix<f64>>) -> DMatrix<f64> {
    let d = op.dim();
    let n = basis.map_or(d, |q| q.ncols());
    let mut aq = DMatrix::<f64>::zeros(d, n);
    let columns = aq.as_mut_slice().par_chunks_mut(d.max(1)).enumerate();
    match basis {
        Some(q) => columns.for_each(|(j, column)| op.apply(q.column(j).as_slice(), column)),
        None => columns.for_each_init(
            || vec![0.0; d],
            |unit, (j, column)| unit_column(op, j, unit, column),
        ),
    }
    let mut h = match basis {
        Some(q) => {
            // QᵀAQ through faer's kernels (nalgebra's ran at a fraction of their speed:
            // at d = 500 this product cost as much as the 490 HVPs).
            let mut h = DMatrix::<f64>::zeros(n, n);
            matmul(
                MatMut::from_column_major_slice_mut(h.as_mut_slice(), n, n),
                Accum::Replace,
                MatRef::from_column_major_slice(q.as_slice(), d, n).transpose(),
                MatRef::from_column_major_slice(aq.as_slice(), d, n),
                1.0,
                Par::Seq,
            );
            clear_upper_state();
            h
        }
        None => aq,
    };
    symmetrise(&mut h);
    h
}

/// column = A(P eⱼ), using `unit` as scratch.
fn unit_column(op: &dyn SymmetricOperator, j: usize, unit: &mut [f64], column: &mut [f64]) {
    unit.fill(0.0);
    unit[j] = 1.0;
    op.project(unit);
    op.apply(unit, column);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dense_assembly_of_a_plain_matrix_is_its_symmetric_part() {
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 4.0, 5.0, 6.0, 2.0, 0.0, 9.0]);
        let sym = (&a + a.transpose()) * 0.5;
        let mut h = DMatrix::zeros(3, 3);
        let mut unit = vec![0.0; 3];
        columns_into(&a, &mut unit, &mut h);
        assert_eq!(h, a);
        dense_into(&a, &mut unit, &mut h);
        assert_eq!(h, sym);
        assert_eq!(dense(&a, None), sym);
        // In the basis Q = [e₃, e₁]: Qᵀ A Q, symmetrised.
        let q = DMatrix::from_row_slice(3, 2, &[0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
        let want = DMatrix::from_row_slice(2, 2, &[9.0, 1.0, 1.0, 1.0]);
        assert_eq!(dense(&a, Some(&q)), want);
    }
}
