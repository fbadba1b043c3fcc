//! `matrix_factorization`: f(U) = ¼‖UUᵀ − M‖²_F, U ∈ ℝ^{n×r}, M symmetric n×n.
//!
//! - gradient: ∇f(U) = (UUᵀ − M)U, computed as U(UᵀU) − MU (no n×n residual);
//! - HVP: ∇²f(U)·V = (UVᵀ + VUᵀ)U + (UUᵀ − M)V = U(VᵀU + UᵀV) + V(UᵀU) − MV;
//!   both cost O(n²r) (one n×n by n×r product), the HVP about as much as the gradient;
//! - value: ¼ Σᵢⱼ (uᵢ·uⱼ − Mᵢⱼ)² over the rows uᵢ of U, summed entrywise (not through
//!   the trace identity, which cancels catastrophically near f = 0);
//! - curvature: ∇²f(U)[Δ, Δ] = ½‖UΔᵀ + ΔUᵀ‖²_F + ⟨UUᵀ − M, ΔΔᵀ⟩.
//!
//! f is a quartic polynomial: smooth everywhere, no non-differentiable points.
//!
//! # Optimum
//! Let λ₁ ≥ … ≥ λₙ be the eigenvalues of M with orthonormal eigenvectors vᵢ, p the number
//! of positive ones, and S* = {1, …, min(r, p)}. For every symmetric M
//! f* = ¼ Σ_{i∉S*} λᵢ² = ¼ (Σ_{i>r, λᵢ>0} λᵢ² + Σ_{λᵢ<0} λᵢ²):
//! for X = UUᵀ ⪰ 0 of rank ≤ r with eigenvalues μ₁ ≥ … ≥ μᵣ ≥ 0, von Neumann's trace
//! inequality ⟨X, M⟩ ≤ Σ μᵢλᵢ gives ‖X − M‖² ≥ Σ_{i≤r} (μᵢ − λᵢ)² + Σ_{i>r} λᵢ²
//! ≥ Σ_{i≤r} min(λᵢ, 0)² + Σ_{i>r} λᵢ², with equality at μᵢ = max(λᵢ, 0) (Eckart–Young for
//! PSD M, where f* = ¼ Σ_{i>r} λᵢ²). [`Objective::optimum`] always returns this value.
//!
//! # Known points
//! - `eig:i,j,…` (1-based indices into the decreasing eigenvalues, only λᵢ > 0, at most r of
//!   them, in any order): U whose k-th column is √λ_{s_k} v_{s_k}, zero-padded to r columns.
//!   Then UUᵀ = Σ_{i∈S} λᵢvᵢvᵢᵀ and (UUᵀ − M)vᵢ = 0 for i ∈ S, so ∇f = 0, and
//!   f = ¼ Σ_{i∉S} λᵢ² (all eigenvalues, negative ones included).
//!   *Verdict*: `global_min` when f = f*, i.e. S holds min(r, p) indices and no omitted
//!   positive eigenvalue exceeds an included one. Otherwise `strict_saddle`, with an
//!   explicit direction of negative curvature: if fewer than min(r, p) columns are used,
//!   put vⱼ (j omitted, λⱼ > 0) in a zero column: curvature −λⱼ; if r columns are used and
//!   λⱼ > λᵢ (j omitted, i included), replace column √λᵢvᵢ's direction by vⱼ: curvature
//!   ½‖√λᵢ(vᵢvⱼᵀ + vⱼvᵢᵀ)‖² − λⱼ = λᵢ − λⱼ < 0. Eigenvalues that differ by less than the
//!   zero threshold (1e-12·n·max(1, max|λ|)) count as equal: then both choices give f = f*
//!   (exactly, for exactly repeated eigenvalues) and the verdict is `global_min`, whose
//!   Hessian has zero modes beyond the symmetry ones (rotations inside the eigenspace).
//! - `zeros`: U = 0, Hessian −M ⊗ I_r. `local_max` when M ≻ 0 (λₙ above the threshold);
//!   `strict_saddle` when λ₁ > 0 otherwise (along a kernel or negative direction of M, f
//!   grows at fourth order, so it is no maximum); `global_min` when M has no positive
//!   eigenvalue (then f* = ¼‖M‖²).
//!
//! [`Objective::known_points`] lists `zeros` and every `eig:` subset in increasing order of
//! size (capped at 64 points); [`Objective::known_point`] parses any `eig:` name.
//!
//! # Symmetry
//! f(UR) = f(U) for R ∈ O(r): directions U·K for K = E_ab − E_ba, a < b (r(r−1)/2 of them;
//! those that vanish at U, e.g. when columns a and b are both zero, are left out).
//! At a global minimum of full column rank with λ_r > λ_{r+1} these are exactly the
//! Hessian's zero modes.
//!
//! # Spec and layout
//! `n`, `rank` (columns of U); `m` (n×n symmetric, inline rows or .npy; `n`, if given,
//! must match; the generator fields are then ignored), or generated
//! M = V diag(λ) Vᵀ with V = `orthonormal_columns(rng(seed), n, k)` (Haar), λ from
//! `eigenvalues` (any order, k = its length ≤ n; takes precedence over `true_rank`) or,
//! from `true_rank` = k (default `rank`), λᵢ = k − i + 1 for i = 1..k (k, k−1, …, 1;
//! zeros after). Layout: `U[n×r]`, row-major.
//!
//! Reference: Ge, Jin & Zheng 2017, "No spurious local minima in nonconvex low rank
//! problems: a unified geometric analysis" (ICML); Eckart & Young 1936.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::dot;
use crate::linalg::eigen::symmetric_eigen_recorded;
use crate::linalg::simd::clear_upper_state;
use crate::linalg::{from_eigen, symmetrise};
use crate::objective::{DataArray, KnownPoint, Layout, Objective, SymmetryStructure};
use crate::problems::low_rank::{
    cross_gram, index_subsets, parse_subset, rotation_structure, skew_directions, subset_name,
    subset_verdict, zero_threshold, KNOWN_POINTS_CAP,
};
use crate::problems::params::{
    self, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{orthonormal_columns, rng};
use crate::verdict::Verdict;

/// The spec fields of `matrix_factorization`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatrixFactorizationParams {
    /// Side of M (required unless `m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Columns of U (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// The symmetric matrix M (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<Data>,
    /// Rank of the generated M (default `rank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub true_rank: Option<usize>,
    /// Nonzero eigenvalues of the generated M.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eigenvalues: Option<Data>,
    /// Seed of the generated M.
    pub seed: u64,
}

impl Params for MatrixFactorizationParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("required unless `m`"),
            doc: "side of M (rows of U)",
        },
        FieldDoc {
            name: "rank",
            default: Text("required"),
            doc: "r, the number of columns of U",
        },
        FieldDoc {
            name: "m",
            default: Text("generated"),
            doc: "the symmetric n×n matrix M (rows, or a .npy path)",
        },
        FieldDoc {
            name: "true_rank",
            default: Text("rank"),
            doc: "k: generated M has eigenvalues k, k−1, …, 1 and n − k zeros",
        },
        FieldDoc {
            name: "eigenvalues",
            default: Text("from `true_rank`"),
            doc: "nonzero eigenvalues of the generated M (any order, at most n); overrides `true_rank`",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "matrix_factorization",
    description: "f(U) = ¼‖UUᵀ − M‖²_F, U ∈ ℝ^{n×r}, M symmetric (Ge, Jin & Zheng 2017)",
    fields: params::listing::<MatrixFactorizationParams>,
    shipped_spec: include_str!("../../problems/matrix_factorization.toml"),
    replaces: &[("m", &["n", "true_rank", "eigenvalues", "seed"])],
    build: |spec| Ok(Box::new(MatrixFactorization::from_spec(spec)?)),
};

/// f(U) = ¼‖UUᵀ − M‖²_F.
#[derive(Clone, Debug)]
pub struct MatrixFactorization {
    m: DMatrix<f64>,
    rank: usize,
    /// Eigenvalues of M, decreasing, and the matching eigenvectors as columns.
    eigenvalues: Vec<f64>,
    eigenvectors: DMatrix<f64>,
    zero_tol: f64,
}

impl MatrixFactorization {
    /// The problem for a symmetric `m` (symmetrised, tolerance 1e-10 relative) and `rank`
    /// columns.
    pub fn new(m: DMatrix<f64>, rank: usize) -> Result<Self> {
        if !m.is_square() || m.nrows() == 0 {
            return Err(Error::invalid(
                "m",
                "a non-empty square matrix",
                format!("{}×{}", m.nrows(), m.ncols()),
            ));
        }
        ensure_finite("m", m.as_slice())?;
        let asym = (&m - m.transpose()).amax();
        if asym > 1e-10 * m.amax().max(1.0) {
            return Err(Error::invalid(
                "m",
                "a symmetric matrix",
                format!("max |M − Mᵀ| = {asym:e}"),
            ));
        }
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        let mut m = m;
        symmetrise(&mut m);
        let (eigenvalues, eigenvectors) = symmetric_eigen_recorded(&m).ok_or_else(|| {
            Error::invalid(
                "m",
                "a matrix whose eigen-decomposition converges",
                "no convergence",
            )
        })?;
        let zero_tol = zero_threshold(&eigenvalues);
        Ok(MatrixFactorization {
            m,
            rank,
            eigenvalues,
            eigenvectors,
            zero_tol,
        })
    }

    /// Builds from a spec (see the module documentation).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: MatrixFactorizationParams = spec.params()?;
        let dir = spec.base_dir();
        let rank = required(p.rank, KIND.name, "rank", "a non-negative integer")?;
        if let Some(m) = p.m.symmetric("m", p.n, dir)? {
            // They shape only a generated M: given with `m`, they would be ignored.
            if let Some(field) = ["eigenvalues", "true_rank"]
                .into_iter()
                .find(|f| spec.has(f))
            {
                return Err(Error::invalid(
                    field,
                    "no such field with `m` (it shapes only a generated M)",
                    "a value",
                ));
            }
            return Self::new(m, rank);
        }
        let n = required(p.n, KIND.name, "n", "a non-negative integer")?;
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        let lambda = generated_spectrum(
            p.eigenvalues.vector("eigenvalues", dir)?,
            "eigenvalues",
            p.true_rank,
            rank,
            n,
        )?;
        let v = orthonormal_columns(&mut rng(p.seed), n, lambda.len());
        Self::new(from_eigen(&v, &lambda), rank)
    }

    /// The matrix M.
    pub fn m(&self) -> &DMatrix<f64> {
        &self.m
    }

    /// Eigenvalues of M in decreasing order.
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigenvalues
    }

    fn n(&self) -> usize {
        self.m.nrows()
    }

    fn positive_count(&self) -> usize {
        self.eigenvalues
            .iter()
            .filter(|&&l| l > self.zero_tol)
            .count()
    }

    /// The point `eig:` of the 0-based indices `s`.
    fn eig_point(&self, s: &[usize]) -> Vec<f64> {
        let (n, r) = (self.n(), self.rank);
        let mut x = vec![0.0; n * r];
        for (k, &i) in s.iter().enumerate() {
            let scale = self.eigenvalues[i].sqrt();
            for row in 0..n {
                x[row * r + k] = scale * self.eigenvectors[(row, i)];
            }
        }
        x
    }

    fn zeros_verdict(&self) -> Verdict {
        let (first, last) = (self.eigenvalues[0], self.eigenvalues[self.n() - 1]);
        if first <= self.zero_tol {
            Verdict::GlobalMin
        } else if last > self.zero_tol {
            Verdict::LocalMax
        } else {
            Verdict::StrictSaddle
        }
    }

    fn eig_known_point(&self, s: &[usize]) -> KnownPoint {
        if s.is_empty() {
            return KnownPoint::new(
                "zeros",
                vec![0.0; self.n() * self.rank],
                self.zeros_verdict(),
            );
        }
        let verdict = subset_verdict(&self.eigenvalues, s, self.rank, self.zero_tol);
        KnownPoint::new(subset_name("eig", s), self.eig_point(s), verdict)
    }
}

impl Objective for MatrixFactorization {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n() * self.rank
    }

    fn value(&self, x: &[f64]) -> f64 {
        let (n, r) = (self.n(), self.rank);
        assert_eq!(x.len(), n * r, "matrix_factorization: point length");
        let m = self.m.as_slice();
        let mut sum = 0.0;
        for j in 0..n {
            let uj = &x[j * r..(j + 1) * r];
            let diag = dot(uj, uj) - m[j * n + j];
            sum += diag * diag;
            for i in 0..j {
                let d = dot(&x[i * r..(i + 1) * r], uj) - m[j * n + i];
                sum += 2.0 * d * d;
            }
        }
        0.25 * sum
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        let (n, r) = (self.n(), self.rank);
        assert_eq!(x.len(), n * r, "matrix_factorization: point length");
        // Row-major U[n×r] is the column-major Uᵀ[r×n]; ∇fᵀ = (UᵀU)Uᵀ − UᵀM (M = Mᵀ).
        let ut = DMatrixView::from_slice(x, r, n);
        let gram = cross_gram(x, x, r);
        let mut g = DMatrixViewMut::from_slice(grad, r, n);
        g.gemm(-1.0, &ut, &self.m, 0.0);
        g.gemm(1.0, &gram, &ut, 1.0);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let (n, r) = (self.n(), self.rank);
        assert_eq!(x.len(), n * r, "matrix_factorization: point length");
        assert_eq!(v.len(), n * r, "matrix_factorization: direction length");
        // (∇²f·V)ᵀ = (VᵀU + UᵀV)Uᵀ + (UᵀU)Vᵀ − VᵀM. The n×n by n×r product −MV (the
        // bulk of the work) through faer's kernels: nalgebra's runs as n² axpys of
        // length r.
        matmul(
            MatMut::from_row_major_slice_mut(out, n, r),
            Accum::Replace,
            MatRef::from_column_major_slice(self.m.as_slice(), n, n),
            MatRef::from_row_major_slice(v, n, r),
            -1.0,
            Par::Seq,
        );
        clear_upper_state();
        let ut = DMatrixView::from_slice(x, r, n);
        let vt = DMatrixView::from_slice(v, r, n);
        let gram = cross_gram(x, x, r);
        let uv = cross_gram(x, v, r);
        let sym = &uv + uv.transpose();
        let mut h = DMatrixViewMut::from_slice(out, r, n);
        h.gemm(1.0, &sym, &ut, 1.0);
        h.gemm(1.0, &gram, &vt, 1.0);
    }

    fn optimum(&self) -> Option<f64> {
        let best = self.rank.min(self.positive_count());
        Some(0.25 * self.eigenvalues[best..].iter().map(|l| l * l).sum::<f64>())
    }

    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        skew_directions(&[x], self.rank)
    }

    fn symmetry_structure(&self, x: &[f64]) -> Option<SymmetryStructure> {
        Some(rotation_structure(&[x.len()], self.rank))
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        index_subsets(self.positive_count(), self.rank, KNOWN_POINTS_CAP)
            .iter()
            .map(|s| self.eig_known_point(s))
            .collect()
    }

    fn known_point(&self, name: &str) -> Option<KnownPoint> {
        if name == "zeros" {
            return Some(self.eig_known_point(&[]));
        }
        let s = parse_subset(name, "eig", self.positive_count(), self.rank)?;
        Some(self.eig_known_point(&s))
    }

    fn data(&self) -> Vec<DataArray> {
        vec![DataArray::matrix("m", &self.m)]
    }

    fn layout(&self) -> Layout {
        Layout::single("U", &[self.n(), self.rank])
    }
}

// ---- spec helper shared with `matrix_factorization_asym` ----

/// The spectrum of a generated matrix: the list `values` of field `field` when present
/// (any order, at most `max_len` entries, sorted decreasing here; it takes precedence over
/// `true_rank`), else k, k−1, …, 1 for k = `true_rank` (default `rank`).
pub(crate) fn generated_spectrum(
    values: Option<Vec<f64>>,
    field: &str,
    true_rank: Option<usize>,
    rank: usize,
    max_len: usize,
) -> Result<Vec<f64>> {
    let mut values = match values {
        Some(values) => values,
        None => {
            let k = true_rank.unwrap_or(rank);
            if k == 0 || k > max_len {
                return Err(Error::invalid(
                    "true_rank",
                    format!("an integer in 1..={max_len}"),
                    k,
                ));
            }
            (1..=k).rev().map(|i| i as f64).collect()
        }
    };
    if values.is_empty() || values.len() > max_len {
        return Err(Error::invalid(
            field,
            format!("between 1 and {max_len} values"),
            format!("{} values", values.len()),
        ));
    }
    values.sort_by(|a, b| b.total_cmp(a));
    Ok(values)
}
