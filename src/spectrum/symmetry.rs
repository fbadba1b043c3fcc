//! The orthogonal projection onto the span S of a symmetry orbit's tangent directions at
//! a point, v ↦ v − P_S v, in one of two forms behind one type:
//!
//! - dense: an orthonormal basis q₁ … q_c of S (modified Gram–Schmidt, twice, of the
//!   directions the problem lists, dependent ones dropped), and P_S v = Σ qᵢ(qᵢᵀv):
//!   c passes over d-vectors;
//! - rotation: for the orbit of (X₁, X₂, …) ↦ (X₁R, X₂R, …), R ∈ O(r), S = {XK : K
//!   skew} with X the blocks stacked (N × r). The projection of v (stacked the same way,
//!   V) is XK* with K* the least-squares solution, whose normal equations are the
//!   Lyapunov-type system G K + K G = C, G = XᵀX, C = XᵀV − VᵀX. In the eigenbasis
//!   G = Q diag(g) Qᵀ it is diagonal: K̃ = QᵀKQ has K̃_ab = C̃_ab / (g_a + g_b), with
//!   C̃ = QᵀCQ, XᵀV = Q(YᵀV) for Y = XQ, and XK = Y(QᵀK). So P_S v costs two passes
//!   over N × r arrays and O(N r²) flops, with no d-vectors at all. G squares X's
//!   conditioning and its computed eigenvectors diagonalise it only to rounding
//!   (relative to ‖G‖, not to a small g_a + g_b), so one step of iterative refinement
//!   on the r × r system (K += solve(C − GK − KG)) follows the diagonal solve. The directions
//!   Y(E_ab − E_ba)Qᵀ / √(g_a + g_b), a < b, are an orthonormal basis of S (their Gram
//!   matrix is tr(K̃ᵀ diag(g) K̃′)), so √(g_a + g_b) are the singular values of the map
//!   K ↦ XK on the pairs E_ab − E_ba. A pair whose √(g_a + g_b) is at most `RANK_TOL`
//!   times the largest direction norm max √(G_aa + G_bb) is dropped (K̃_ab = 0, no mode):
//!   the test the dense path applies to the Gram–Schmidt residual of each direction, here
//!   on the singular values, so the two agree on the modes except for a value within
//!   rounding of the threshold; exactly dependent directions (g_a = g_b = 0, as at a
//!   rank-deficient X) are dropped by both.
//!
//! Both forms give the same projector up to rounding; sums run over fixed chunks of
//! coordinates (rows) in a fixed order, so results do not depend on the thread count.

use std::ops::Range;

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::linalg::simd::clear_upper_state;
use crate::linalg::{axpy, dot, norm, symmetric_eigen};

/// Relative rank tolerance: a symmetry direction whose component outside the span of
/// the earlier ones (dense), or a singular value (rotation), is below this times the
/// largest direction's norm adds no new mode.
pub(super) const RANK_TOL: f64 = 1e-8;

/// Coordinates per parallel task in the dense projection.
const CHUNK: usize = 4096;

/// Rows per parallel task in the rotation projection.
const ROWS: usize = 512;

/// The projection onto the span of the symmetry directions.
pub(super) enum SymmetryProjector {
    /// An orthonormal basis of S as dense d-vectors.
    Dense(Vec<Vec<f64>>),
    /// The rotation orbit in its r × r form.
    Rotation(RotationOrbit),
}

/// The rotation orbit's projector (see the module documentation).
pub(super) struct RotationOrbit {
    /// The parameter ranges of the blocks, each N_i × r row-major.
    blocks: Vec<Range<usize>>,
    r: usize,
    /// Y = XQ, the stacked blocks in G's eigenbasis, N × r row-major.
    y: Vec<f64>,
    /// G = XᵀX.
    gram: DMatrix<f64>,
    /// Q, G's eigenvectors (columns).
    q: DMatrix<f64>,
    /// g_a + g_b (a < b) of the kept pairs, as (a, b, g_a + g_b).
    pairs: Vec<(usize, usize, f64)>,
}

impl SymmetryProjector {
    /// The dense form from (not necessarily independent) directions in the domain's
    /// ambient space: modified Gram–Schmidt, twice, dropping a direction whose residual is
    /// at most [`RANK_TOL`] times the largest direction's norm.
    pub(super) fn dense(directions: Vec<Vec<f64>>) -> Self {
        SymmetryProjector::Dense(orthonormalise(directions))
    }

    /// The rotation form for the blocks `blocks` (row-major, r columns) of x.
    ///
    /// # Errors
    /// If the r × r eigensolver fails (non-finite x).
    pub(super) fn rotation(
        x: &[f64],
        blocks: Vec<Range<usize>>,
        r: usize,
    ) -> crate::error::Result<Self> {
        let mut stacked: Vec<f64> = Vec::with_capacity(blocks.iter().map(|b| b.len()).sum());
        for b in &blocks {
            assert!(
                b.end <= x.len() && b.len() % r.max(1) == 0,
                "rotation orbit: block {b:?} of a point of length {} with {r} columns",
                x.len()
            );
            stacked.extend_from_slice(&x[b.clone()]);
        }
        let mut orbit = RotationOrbit {
            blocks,
            r,
            y: Vec::new(),
            gram: DMatrix::zeros(r, r),
            q: DMatrix::identity(r, r),
            pairs: Vec::new(),
        };
        if r < 2 {
            return Ok(SymmetryProjector::Rotation(orbit));
        }
        let gram = cross(&stacked, &stacked, r);
        let g = DMatrix::from_row_slice(r, r, &gram);
        let scale = (0..r)
            .flat_map(|a| (a + 1..r).map(move |b| (a, b)))
            .map(|(a, b)| (g[(a, a)] + g[(b, b)]).sqrt())
            .fold(0.0, f64::max);
        let (values, q) = symmetric_eigen(&g)?;
        // Y = XQ, row by row, in place.
        stacked.par_chunks_mut(ROWS * r).for_each(|rows| {
            let mut row_q = vec![0.0; r];
            for row in rows.chunks_exact_mut(r) {
                for (c, out) in row_q.iter_mut().enumerate() {
                    *out = row.iter().enumerate().map(|(a, x)| x * q[(a, c)]).sum();
                }
                row.copy_from_slice(&row_q);
            }
        });
        for a in 0..r {
            for b in a + 1..r {
                let sum = values[a] + values[b];
                if scale > 0.0 && sum > 0.0 && sum.sqrt() > RANK_TOL * scale {
                    orbit.pairs.push((a, b, sum));
                }
            }
        }
        orbit.y = stacked;
        orbit.q = q;
        orbit.gram = g;
        Ok(SymmetryProjector::Rotation(orbit))
    }

    /// dim S: the number of independent directions (modes).
    pub(super) fn modes(&self) -> usize {
        match self {
            SymmetryProjector::Dense(basis) => basis.len(),
            SymmetryProjector::Rotation(orbit) => orbit.pairs.len(),
        }
    }

    /// v ← v − P_S v.
    pub(super) fn remove(&self, v: &mut [f64]) {
        match self {
            SymmetryProjector::Dense(basis) => remove_dense(basis, v),
            SymmetryProjector::Rotation(orbit) => orbit.remove(v),
        }
    }

    /// An orthonormal basis of S as d-vectors (d = `dim`).
    pub(super) fn basis(&self, dim: usize) -> Vec<Vec<f64>> {
        match self {
            SymmetryProjector::Dense(basis) => basis.clone(),
            // The directions are orthonormal only to rounding relative to the smallest
            // kept g_a + g_b: Gram–Schmidt (of nearly orthonormal vectors) cleans them.
            SymmetryProjector::Rotation(orbit) => orthonormalise(orbit.directions(dim)),
        }
    }
}

/// Modified Gram–Schmidt, twice, dropping a direction whose residual is at most
/// [`RANK_TOL`] times the largest direction's norm.
fn orthonormalise(directions: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let scale = directions.iter().map(|s| norm(s)).fold(0.0, f64::max);
    let mut basis: Vec<Vec<f64>> = Vec::new();
    if scale == 0.0 {
        return basis;
    }
    for mut s in directions {
        for _ in 0..2 {
            for q in &basis {
                axpy(-dot(q, &s), q, &mut s);
            }
        }
        let length = norm(&s);
        if length > RANK_TOL * scale {
            s.iter_mut().for_each(|v| *v /= length);
            basis.push(s);
        }
    }
    basis
}

/// v ← v − Σ qᵢ(qᵢᵀv) over an orthonormal basis (classical Gram–Schmidt: the
/// coefficients in parallel, then the update by chunks).
fn remove_dense(basis: &[Vec<f64>], v: &mut [f64]) {
    if basis.is_empty() {
        return;
    }
    let coefficients: Vec<f64> = basis.par_iter().map(|q| dot(q, v)).collect();
    v.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
        let start = c * CHUNK;
        for (q, a) in basis.iter().zip(&coefficients) {
            let q = &q[start..start + chunk.len()];
            chunk.iter_mut().zip(q).for_each(|(v, q)| *v -= a * q);
        }
    });
}

impl RotationOrbit {
    /// v ← v − XK*, K̃*_ab = C̃_ab / (g_a + g_b) on the kept pairs.
    fn remove(&self, v: &mut [f64]) {
        if self.pairs.is_empty() {
            return;
        }
        let r = self.r;
        // A = YᵀV, block by block (each block's rows continue Y's).
        let mut a = vec![0.0; r * r];
        let mut row = 0;
        for b in &self.blocks {
            let rows = b.len() / r;
            let part = cross(&self.y[row * r..(row + rows) * r], &v[b.clone()], r);
            a.iter_mut().zip(&part).for_each(|(a, p)| *a += p);
            row += rows;
        }
        // XᵀV = QA, C = XᵀV − VᵀX; K* with one step of iterative refinement, then
        // M = QᵀK* (XK* = Y M).
        let xv = &self.q * DMatrix::from_row_slice(r, r, &a);
        let c = &xv - xv.transpose();
        let mut k = self.solve(&c);
        let residual = &c - (&self.gram * &k + &k * &self.gram);
        k += self.solve(&residual);
        let m = self.q.transpose() * k;
        let m: Vec<f64> = (0..r * r).map(|e| m[(e / r, e % r)]).collect();
        // V ← V − Y M, by fixed chunks of rows.
        let mut row = 0;
        for b in &self.blocks {
            let rows = b.len() / r;
            let y = &self.y[row * r..(row + rows) * r];
            let m = MatRef::from_row_major_slice(&m, r, r);
            v[b.clone()]
                .par_chunks_mut(ROWS * r)
                .zip(y.par_chunks(ROWS * r))
                .for_each(|(v, y)| {
                    let rows = v.len() / r;
                    let y = MatRef::from_row_major_slice(y, rows, r);
                    let v = MatMut::from_row_major_slice_mut(v, rows, r);
                    matmul(v, Accum::Add, y, m, -1.0, Par::Seq);
                    clear_upper_state();
                });
            row += rows;
        }
    }

    /// K with G K + K G = C on the kept pairs (C skew): Q K̃ Qᵀ, K̃_ab = C̃_ab/(g_a + g_b)
    /// for C̃ = QᵀCQ, zero on dropped pairs.
    fn solve(&self, c: &DMatrix<f64>) -> DMatrix<f64> {
        let c = self.q.transpose() * c * &self.q;
        let mut k = DMatrix::<f64>::zeros(self.r, self.r);
        for &(a, b, sum) in &self.pairs {
            let value = 0.5 * (c[(a, b)] - c[(b, a)]) / sum;
            k[(a, b)] = value;
            k[(b, a)] = -value;
        }
        &self.q * k * self.q.transpose()
    }

    /// The (in exact arithmetic orthonormal) directions Y(E_ab − E_ba)Qᵀ / √(g_a + g_b)
    /// of the kept pairs.
    fn directions(&self, dim: usize) -> Vec<Vec<f64>> {
        let r = self.r;
        self.pairs
            .iter()
            .map(|&(a, b, sum)| {
                let scale = 1.0 / sum.sqrt();
                let mut d = vec![0.0; dim];
                let mut row = 0;
                for block in &self.blocks {
                    for di in d[block.clone()].chunks_exact_mut(r) {
                        let yi = &self.y[row * r..(row + 1) * r];
                        for (c, out) in di.iter_mut().enumerate() {
                            *out = scale * (yi[a] * self.q[(c, b)] - yi[b] * self.q[(c, a)]);
                        }
                        row += 1;
                    }
                }
                d
            })
            .collect()
    }
}

/// Σᵢ xᵢ yᵢᵀ (r × r, row-major) over the rows of two row-major arrays with r columns:
/// partial products XᵀY over fixed chunks of [`ROWS`] rows in parallel (each a
/// sequential faer product), added in chunk order.
fn cross(x: &[f64], y: &[f64], r: usize) -> Vec<f64> {
    debug_assert_eq!(x.len(), y.len(), "cross: length mismatch");
    let partials: Vec<Vec<f64>> = x
        .par_chunks(ROWS * r)
        .zip(y.par_chunks(ROWS * r))
        .map(|(x, y)| {
            let rows = x.len() / r;
            let mut sum = vec![0.0; r * r];
            let x = MatRef::from_row_major_slice(x, rows, r);
            let y = MatRef::from_row_major_slice(y, rows, r);
            let dst = MatMut::from_row_major_slice_mut(&mut sum, r, r);
            matmul(dst, Accum::Replace, x.transpose(), y, 1.0, Par::Seq);
            clear_upper_state();
            sum
        })
        .collect();
    let mut total = vec![0.0; r * r];
    for p in &partials {
        total.iter_mut().zip(p).for_each(|(t, p)| *t += p);
    }
    total
}

#[cfg(test)]
// A list of one block is `&[0..len]` here, not a list of indices.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::random::{gaussian_vector, rng};

    /// The skew directions of the stacked blocks (X K for K = E_ab − E_ba).
    fn directions(x: &[f64], blocks: &[Range<usize>], r: usize) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        for a in 0..r {
            for b in a + 1..r {
                let mut d = vec![0.0; x.len()];
                for block in blocks {
                    for (di, xi) in d[block.clone()]
                        .chunks_exact_mut(r)
                        .zip(x[block.clone()].chunks_exact(r))
                    {
                        di[b] = xi[a];
                        di[a] = -xi[b];
                    }
                }
                out.push(d);
            }
        }
        out
    }

    /// The rotation and dense projectors agree (to 1e-12 relative) on the modes, the
    /// projection of random vectors and the spanned subspace.
    fn assert_forms_agree(x: &[f64], blocks: &[Range<usize>], r: usize, seed: u64) {
        let dense = SymmetryProjector::dense(directions(x, blocks, r));
        let rotation = SymmetryProjector::rotation(x, blocks.to_vec(), r).unwrap();
        assert_projectors_agree(x, &dense, &rotation, seed);
    }

    fn assert_projectors_agree(
        x: &[f64],
        dense: &SymmetryProjector,
        rotation: &SymmetryProjector,
        seed: u64,
    ) {
        assert_eq!(rotation.modes(), dense.modes(), "modes");
        for s in 0..3 {
            let v = gaussian_vector(&mut rng(seed + s), x.len());
            let (mut a, mut b) = (v.clone(), v.clone());
            dense.remove(&mut a);
            rotation.remove(&mut b);
            let gap = a
                .iter()
                .zip(&b)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                gap <= 1e-12 * norm(&v),
                "seed {seed}: projections differ by {gap:e}"
            );
        }
        // The rotation basis is orthonormal and inside S (the dense form removes it).
        let basis = rotation.basis(x.len());
        for (i, p) in basis.iter().enumerate() {
            for (j, q) in basis.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot(p, q) - want).abs() < 1e-12, "Gram ({i}, {j})");
            }
            let mut rest = p.clone();
            dense.remove(&mut rest);
            assert!(norm(&rest) < 1e-12, "basis vector {i} outside S");
        }
    }

    #[test]
    fn rotation_projection_equals_dense_gram_schmidt() {
        // One block (symmetric factorization, sensing, completion), two blocks of
        // different heights (asymmetric factorization), with a tail outside the blocks.
        let r = 5;
        let x = gaussian_vector(&mut rng(1), 40 * r);
        assert_forms_agree(&x, &[0..40 * r], r, 10);
        let x = gaussian_vector(&mut rng(2), 70 * r + 7);
        assert_forms_agree(&x, &[0..30 * r, 30 * r..70 * r], r, 20);
        // Chunks beyond one task of ROWS rows.
        let x = gaussian_vector(&mut rng(3), 1500 * 3);
        assert_forms_agree(&x, &[0..1500 * 3], 3, 30);
    }

    #[test]
    fn every_declared_rotation_spans_the_problems_symmetry_directions() {
        // Each matrix kind whose symmetry is the rotation orbit, at a random point.
        let kinds: &[(&str, &[&str])] = &[
            ("matrix_factorization", &["n=6", "rank=3"]),
            (
                "matrix_factorization_asym",
                &["n1=4", "n2=6", "rank=3", "mu=2.5"],
            ),
            ("matrix_sensing", &["n=5", "rank=3"]),
            ("matrix_completion", &["n=8", "rank=3"]),
        ];
        for (i, (kind, sets)) in kinds.iter().enumerate() {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            let (_, f) = crate::problems::load(kind, &sets).unwrap();
            let x = gaussian_vector(&mut rng(80 + i as u64), f.dim());
            let Some(crate::objective::SymmetryStructure::Rotation { blocks, rank }) =
                f.symmetry_structure(&x)
            else {
                panic!("{kind}: no rotation structure");
            };
            let dense = SymmetryProjector::dense(f.symmetry_directions(&x));
            let rotation = SymmetryProjector::rotation(&x, blocks, rank).unwrap();
            assert_eq!(dense.modes(), rank * (rank - 1) / 2, "{kind}");
            assert_projectors_agree(&x, &dense, &rotation, 90 + i as u64);
        }
        // μ = 0: GL(r), no rotation structure (its directions stay dense).
        let sets = ["n1=3", "n2=5", "rank=2", "mu=0.0"].map(String::from);
        let (_, f) = crate::problems::load("matrix_factorization_asym", &sets).unwrap();
        assert!(f.symmetry_structure(&vec![1.0; f.dim()]).is_none());
    }

    #[test]
    fn rotation_projection_handles_rank_deficient_and_near_degenerate_points() {
        let (n, r) = (30, 4);
        // Two zero columns: g = (0, 0, +, +); the pair of zero columns spans nothing.
        let mut x = gaussian_vector(&mut rng(4), n * r);
        x.chunks_exact_mut(r).for_each(|row| {
            row[1] = 0.0;
            row[3] = 0.0;
        });
        assert_forms_agree(&x, &[0..n * r], r, 40);
        // Equal columns (rank 3, G singular but no zero column) and a column at 1e-3
        // relative: g nearly degenerate, every pair still independent.
        let mut x = gaussian_vector(&mut rng(5), n * r);
        x.chunks_exact_mut(r).for_each(|row| {
            row[2] = row[0];
            row[3] *= 1e-3;
        });
        assert_forms_agree(&x, &[0..n * r], r, 50);
        // Orthogonal columns of equal norm: G = cI, all g equal (a repeated eigenvalue).
        let mut x = vec![0.0; n * r];
        for c in 0..r {
            x[c * r + c] = 2.0;
        }
        assert_forms_agree(&x, &[0..n * r], r, 60);
        // x = 0: no modes.
        assert_forms_agree(&vec![0.0; n * r], &[0..n * r], r, 70);
    }
}
