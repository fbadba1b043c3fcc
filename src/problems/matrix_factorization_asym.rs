//! `matrix_factorization_asym`: f(U, V) = ½‖UVᵀ − M‖²_F + (μ/8)‖UᵀU − VᵀV‖²_F,
//! U ∈ ℝ^{n₁×r}, V ∈ ℝ^{n₂×r}, M ∈ ℝ^{n₁×n₂}.
//!
//! With R = UVᵀ − M and D = UᵀU − VᵀV (r×r, symmetric):
//! - gradient: ∇_U f = RV + (μ/2)UD, ∇_V f = RᵀU − (μ/2)VD, computed as
//!   U(VᵀV) − MV and V(UᵀU) − MᵀU (no n₁×n₂ residual);
//! - HVP along (X, Y), with dD = XᵀU + UᵀX − YᵀV − VᵀY:
//!   ∇²_U = X(VᵀV) + U(YᵀV + VᵀY) − MY + (μ/2)(XD + U·dD),
//!   ∇²_V = Y(UᵀU) + V(XᵀU + UᵀX) − MᵀX − (μ/2)(YD + V·dD);
//!   gradient and HVP each cost two n₁×n₂ by n×r products, O(n₁n₂r);
//! - value: the residual summed entrywise over (i, j) (no cancellation near f = 0).
//!
//! f is a quartic polynomial: smooth everywhere, no non-differentiable points.
//!
//! # Optimum
//! Let M = Σᵢ σᵢ aᵢbᵢᵀ (σ₁ ≥ σ₂ ≥ … ≥ 0). The regulariser is ≥ 0 and vanishes on balanced
//! factors, so by Eckart–Young f* = ½ Σ_{i>r} σᵢ², attained at a balanced rank-r
//! truncated SVD.
//!
//! # Known points
//! - `svd:i,j,…` (1-based indices into the decreasing singular values, only σᵢ > 0, at
//!   most r, any order): U = A_S Σ_S^{1/2}, V = B_S Σ_S^{1/2}, zero-padded to r columns.
//!   It is balanced (UᵀU = VᵀV = Σ_S, so D = 0) and RV = 0, RᵀU = 0: stationary with
//!   f = ½ Σ_{i∉S} σᵢ². *Verdict*: `global_min` when f = f* (min(r, p) indices, p = number
//!   of positive σ, no omitted σ larger than an included one); otherwise `strict_saddle`:
//!   along (X, Y) = (aⱼe_kᵀ, bⱼe_kᵀ), j omitted, D stays 0 and the curvature per unit
//!   ‖(X, Y)‖² is −σⱼ when column k is zero, σᵢ − σⱼ when column k holds component i.
//!   Singular values within the zero threshold (1e-12·min(n₁,n₂)·max(1, σ₁)) count as equal.
//! - `zeros`: U = V = 0, stationary; the Hessian is [[0, −M], [−Mᵀ, 0]] ⊗ I_r with
//!   eigenvalues ±σᵢ: `strict_saddle` when M ≠ 0, `global_min` when M = 0.
//!
//! [`Objective::known_points`] lists `zeros` and every `svd:` subset by increasing size
//! (capped at 64 points); [`Objective::known_point`] parses any `svd:` name.
//!
//! # Symmetry
//! f(UR, VR) = f(U, V) for R ∈ O(r): directions (UK, VK), K = E_ab − E_ba, a < b. With
//! μ = 0 the symmetry grows to (UG, VG⁻ᵀ), G ∈ GL(r): directions (UA, −VAᵀ) for A = E_ab,
//! all a, b (r² of them). Directions that vanish at (U, V) are left out.
//!
//! # Spec and layout
//! `n1`, `n2`, `rank`, `mu` (default 1, ≥ 0); `m` (n₁×n₂, rows or .npy; `n1`, `n2`, if
//! given, must match; the generator fields are then ignored), or generated
//! M = A diag(σ) Bᵀ with A = `orthonormal_columns(rng, n1, k)` then
//! B = `orthonormal_columns(rng, n2, k)` from one `rng(seed)`, σ from `singular_values`
//! (≥ 0, any order, k ≤ min(n₁, n₂); takes precedence over `true_rank`) or from
//! `true_rank` = k (default `rank`):
//! σᵢ = k − i + 1. Layout: `U[n1×r] V[n2×r]`, each row-major, U first.
//!
//! References: Tu, Boczar, Simchowitz, Soltanolkotabi & Recht 2016, "Low-rank solutions
//! of linear matrix equations via Procrustes flow" (ICML); Ge, Jin & Zheng 2017, "No
//! spurious local minima in nonconvex low rank problems: a unified geometric analysis".

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::dot;
use crate::objective::{Block, KnownPoint, Layout, Objective, SymmetryStructure};
use crate::problems::low_rank::{
    cross_gram, index_subsets, parse_subset, rotation_structure, skew_directions, subset_name,
    subset_verdict, zero_threshold, KNOWN_POINTS_CAP,
};
use crate::problems::matrix_factorization::generated_spectrum;
use crate::problems::params::{
    self, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{orthonormal_columns, rng};
use crate::verdict::Verdict;

/// The spec fields of `matrix_factorization_asym`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatrixFactorizationAsymParams {
    /// Rows of M (required unless `m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n1: Option<usize>,
    /// Columns of M (required unless `m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n2: Option<usize>,
    /// Columns of U and V (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Weight μ ≥ 0 of the balancing regulariser.
    pub mu: f64,
    /// The matrix M (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<Data>,
    /// Rank of the generated M (default `rank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub true_rank: Option<usize>,
    /// Nonzero singular values of the generated M.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub singular_values: Option<Data>,
    /// Seed of the generated M.
    pub seed: u64,
}

impl Default for MatrixFactorizationAsymParams {
    fn default() -> Self {
        MatrixFactorizationAsymParams {
            n1: None,
            n2: None,
            rank: None,
            mu: 1.0,
            m: None,
            true_rank: None,
            singular_values: None,
            seed: 0,
        }
    }
}

impl Params for MatrixFactorizationAsymParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n1",
            default: Text("required unless `m`"),
            doc: "rows of M and of U",
        },
        FieldDoc {
            name: "n2",
            default: Text("required unless `m`"),
            doc: "columns of M, rows of V",
        },
        FieldDoc {
            name: "rank",
            default: Text("required"),
            doc: "r, the number of columns of U and V",
        },
        FieldDoc {
            name: "mu",
            default: Value,
            doc: "weight μ ≥ 0 of the balancing regulariser (μ/8)‖UᵀU − VᵀV‖²",
        },
        FieldDoc {
            name: "m",
            default: Text("generated"),
            doc: "the n1×n2 matrix M (rows, or a .npy path)",
        },
        FieldDoc {
            name: "true_rank",
            default: Text("rank"),
            doc: "k: generated M has singular values k, k−1, …, 1",
        },
        FieldDoc {
            name: "singular_values",
            default: Text("from `true_rank`"),
            doc:
                "nonzero singular values of the generated M (≥ 0, any order); overrides `true_rank`",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "matrix_factorization_asym",
    description:
        "f(U,V) = ½‖UVᵀ − M‖²_F + (μ/8)‖UᵀU − VᵀV‖²_F (Tu et al. 2016; Ge, Jin & Zheng 2017)",
    fields: params::listing::<MatrixFactorizationAsymParams>,
    shipped_spec: include_str!("../../problems/matrix_factorization_asym.toml"),
    replaces: &[("m", &["n1", "n2", "true_rank", "singular_values", "seed"])],
    build: |spec| Ok(Box::new(MatrixFactorizationAsym::from_spec(spec)?)),
};

/// f(U, V) = ½‖UVᵀ − M‖²_F + (μ/8)‖UᵀU − VᵀV‖²_F.
#[derive(Clone, Debug)]
pub struct MatrixFactorizationAsym {
    m: DMatrix<f64>,
    /// Mᵀ, kept so that both M-products are plain column-major GEMMs.
    mt: DMatrix<f64>,
    rank: usize,
    mu: f64,
    /// Singular values, decreasing, with the left (n₁×k) and right (n₂×k) vectors.
    singular_values: Vec<f64>,
    left: DMatrix<f64>,
    right: DMatrix<f64>,
    zero_tol: f64,
}

impl MatrixFactorizationAsym {
    /// The problem for `m` (n₁×n₂), `rank` columns and regulariser weight `mu` ≥ 0.
    pub fn new(m: DMatrix<f64>, rank: usize, mu: f64) -> Result<Self> {
        if m.nrows() == 0 || m.ncols() == 0 {
            return Err(Error::invalid(
                "m",
                "a non-empty matrix",
                format!("{}×{}", m.nrows(), m.ncols()),
            ));
        }
        ensure_finite("m", m.as_slice())?;
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        if !(mu >= 0.0 && mu.is_finite()) {
            return Err(Error::invalid("mu", "a finite number ≥ 0", mu));
        }
        let svd = m
            .clone()
            .try_svd(true, true, f64::EPSILON, crate::linalg::SVD_MAX_ITER)
            .ok_or_else(|| Error::invalid("m", "a matrix whose SVD converges", "no convergence"))?;
        let (Some(left), Some(vt)) = (svd.u, svd.v_t) else {
            return Err(Error::invalid("m", "a matrix with an SVD", "none"));
        };
        // `try_svd` sorts decreasingly; sort again so that nothing depends on it.
        let k = svd.singular_values.len();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&i, &j| svd.singular_values[j].total_cmp(&svd.singular_values[i]));
        let singular_values: Vec<f64> = order.iter().map(|&i| svd.singular_values[i]).collect();
        let left = DMatrix::from_fn(m.nrows(), k, |r, c| left[(r, order[c])]);
        let right = DMatrix::from_fn(m.ncols(), k, |r, c| vt[(order[c], r)]);
        let zero_tol = zero_threshold(&singular_values);
        Ok(MatrixFactorizationAsym {
            mt: m.transpose(),
            m,
            rank,
            mu,
            singular_values,
            left,
            right,
            zero_tol,
        })
    }

    /// Builds from a spec (see the module documentation).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: MatrixFactorizationAsymParams = spec.params()?;
        let dir = spec.base_dir();
        let rank = required(p.rank, KIND.name, "rank", "a non-negative integer")?;
        let mu = p.mu;
        if let Some(m) = p.m.matrix("m", dir)? {
            for (field, given, size) in [("n1", p.n1, m.nrows()), ("n2", p.n2, m.ncols())] {
                if let Some(given) = given {
                    if given != size {
                        return Err(Error::invalid(
                            "m",
                            format!("{field} = {given} to match the shape of `m`"),
                            format!("{}×{}", m.nrows(), m.ncols()),
                        ));
                    }
                }
            }
            return Self::new(m, rank, mu);
        }
        let n1 = required(p.n1, KIND.name, "n1", "a non-negative integer")?;
        let n2 = required(p.n2, KIND.name, "n2", "a non-negative integer")?;
        for (field, size) in [("n1", n1), ("n2", n2)] {
            if size == 0 {
                return Err(Error::invalid(field, "a positive integer", 0));
            }
        }
        let sigma = generated_spectrum(
            p.singular_values.vector("singular_values", dir)?,
            "singular_values",
            p.true_rank,
            rank,
            n1.min(n2),
        )?;
        if let Some(bad) = sigma.iter().find(|&&s| s < 0.0) {
            return Err(Error::invalid("singular_values", "values ≥ 0", bad));
        }
        let mut rng = rng(p.seed);
        let a = orthonormal_columns(&mut rng, n1, sigma.len());
        let b = orthonormal_columns(&mut rng, n2, sigma.len());
        let scaled = DMatrix::from_fn(n1, sigma.len(), |i, c| a[(i, c)] * sigma[c]);
        Self::new(scaled * b.transpose(), rank, mu)
    }

    /// The matrix M.
    pub fn m(&self) -> &DMatrix<f64> {
        &self.m
    }

    /// Singular values of M in decreasing order.
    pub fn singular_values(&self) -> &[f64] {
        &self.singular_values
    }

    fn sizes(&self) -> (usize, usize, usize) {
        (self.m.nrows(), self.m.ncols(), self.rank)
    }

    fn positive_count(&self) -> usize {
        let tol = self.zero_tol;
        self.singular_values.iter().filter(|&&s| s > tol).count()
    }

    fn svd_known_point(&self, s: &[usize]) -> KnownPoint {
        let (n1, n2, r) = self.sizes();
        let mut x = vec![0.0; (n1 + n2) * r];
        let (u, v) = x.split_at_mut(n1 * r);
        for (k, &i) in s.iter().enumerate() {
            let scale = self.singular_values[i].sqrt();
            for row in 0..n1 {
                u[row * r + k] = scale * self.left[(row, i)];
            }
            for row in 0..n2 {
                v[row * r + k] = scale * self.right[(row, i)];
            }
        }
        if s.is_empty() {
            let verdict = if self.positive_count() == 0 {
                Verdict::GlobalMin
            } else {
                Verdict::StrictSaddle
            };
            return KnownPoint::new("zeros", x, verdict);
        }
        let verdict = subset_verdict(&self.singular_values, s, r, self.zero_tol);
        KnownPoint::new(subset_name("svd", s), x, verdict)
    }
}

impl Objective for MatrixFactorizationAsym {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        let (n1, n2, r) = self.sizes();
        (n1 + n2) * r
    }

    fn value(&self, x: &[f64]) -> f64 {
        let (n1, _, r) = self.sizes();
        assert_eq!(
            x.len(),
            self.dim(),
            "matrix_factorization_asym: point length"
        );
        let (u, v) = x.split_at(n1 * r);
        let m = self.m.as_slice();
        let mut fit = 0.0;
        for (j, vj) in v.chunks_exact(r).enumerate() {
            let column = &m[j * n1..(j + 1) * n1];
            for (ui, mij) in u.chunks_exact(r).zip(column) {
                let d = dot(ui, vj) - mij;
                fit += d * d;
            }
        }
        let d = cross_gram(u, u, r) - cross_gram(v, v, r);
        0.5 * fit + self.mu / 8.0 * d.norm_squared()
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        let (n1, n2, r) = self.sizes();
        assert_eq!(
            x.len(),
            self.dim(),
            "matrix_factorization_asym: point length"
        );
        let (u, v) = x.split_at(n1 * r);
        let (ut, vt) = (
            DMatrixView::from_slice(u, r, n1),
            DMatrixView::from_slice(v, r, n2),
        );
        let (uu, vv) = (cross_gram(u, u, r), cross_gram(v, v, r));
        let half_mu_d = (&uu - &vv) * (0.5 * self.mu);
        let (gu, gv) = grad.split_at_mut(n1 * r);
        // (∇_U f)ᵀ = (VᵀV + (μ/2)D)Uᵀ − VᵀMᵀ;  (∇_V f)ᵀ = (UᵀU − (μ/2)D)Vᵀ − UᵀM.
        let mut gu = DMatrixViewMut::from_slice(gu, r, n1);
        gu.gemm(-1.0, &vt, &self.mt, 0.0);
        gu.gemm(1.0, &(&vv + &half_mu_d), &ut, 1.0);
        let mut gv = DMatrixViewMut::from_slice(gv, r, n2);
        gv.gemm(-1.0, &ut, &self.m, 0.0);
        gv.gemm(1.0, &(&uu - &half_mu_d), &vt, 1.0);
    }

    fn hvp(&self, x: &[f64], dir: &[f64], out: &mut [f64]) {
        let (n1, n2, r) = self.sizes();
        assert_eq!(
            x.len(),
            self.dim(),
            "matrix_factorization_asym: point length"
        );
        assert_eq!(
            dir.len(),
            self.dim(),
            "matrix_factorization_asym: direction length"
        );
        let (u, v) = x.split_at(n1 * r);
        let (xu, yv) = dir.split_at(n1 * r);
        let view = |s, cols| DMatrixView::from_slice(s, r, cols);
        let (ut, vt, xt, yt) = (view(u, n1), view(v, n2), view(xu, n1), view(yv, n2));
        let (uu, vv) = (cross_gram(u, u, r), cross_gram(v, v, r));
        let (ux, vy) = (cross_gram(u, xu, r), cross_gram(v, yv, r));
        let (ux_sym, vy_sym) = (&ux + ux.transpose(), &vy + vy.transpose());
        let half_mu = 0.5 * self.mu;
        let half_mu_d = (&uu - &vv) * half_mu;
        let half_mu_dd = (&ux_sym - &vy_sym) * half_mu;
        let (hu, hv) = out.split_at_mut(n1 * r);
        // (∇²_U)ᵀ = (VᵀV + (μ/2)D)Xᵀ + (VᵀY + YᵀV + (μ/2)dD)Uᵀ − YᵀMᵀ.
        let mut hu = DMatrixViewMut::from_slice(hu, r, n1);
        hu.gemm(-1.0, &yt, &self.mt, 0.0);
        hu.gemm(1.0, &(&vv + &half_mu_d), &xt, 1.0);
        hu.gemm(1.0, &(&vy_sym + &half_mu_dd), &ut, 1.0);
        // (∇²_V)ᵀ = (UᵀU − (μ/2)D)Yᵀ + (UᵀX + XᵀU − (μ/2)dD)Vᵀ − XᵀM.
        let mut hv = DMatrixViewMut::from_slice(hv, r, n2);
        hv.gemm(-1.0, &xt, &self.m, 0.0);
        hv.gemm(1.0, &(&uu - &half_mu_d), &yt, 1.0);
        hv.gemm(1.0, &(&ux_sym - &half_mu_dd), &vt, 1.0);
    }

    fn optimum(&self) -> Option<f64> {
        let tail = &self.singular_values[self.rank.min(self.singular_values.len())..];
        Some(0.5 * tail.iter().map(|s| s * s).sum::<f64>())
    }

    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let (n1, _, r) = self.sizes();
        let (u, v) = x.split_at(n1 * r);
        if self.mu > 0.0 {
            return skew_directions(&[u, v], r);
        }
        // μ = 0: (UA, −VAᵀ) for A = E_ab: column b of UA is column a of U, column a of
        // VAᵀ is column b of V.
        let mut directions = Vec::with_capacity(r * r);
        for a in 0..r {
            for b in 0..r {
                let mut d = vec![0.0; x.len()];
                let (du, dv) = d.split_at_mut(n1 * r);
                for (drow, row) in du.chunks_exact_mut(r).zip(u.chunks_exact(r)) {
                    drow[b] = row[a];
                }
                for (drow, row) in dv.chunks_exact_mut(r).zip(v.chunks_exact(r)) {
                    drow[a] = -row[b];
                }
                if d.iter().any(|&v| v != 0.0) {
                    directions.push(d);
                }
            }
        }
        directions
    }

    fn symmetry_structure(&self, _x: &[f64]) -> Option<SymmetryStructure> {
        // μ = 0: the orbit is GL(r)'s, not a rotation; its directions stay dense.
        let (n1, n2, r) = self.sizes();
        (self.mu > 0.0).then(|| rotation_structure(&[n1 * r, n2 * r], r))
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        index_subsets(self.positive_count(), self.rank, KNOWN_POINTS_CAP)
            .iter()
            .map(|s| self.svd_known_point(s))
            .collect()
    }

    fn known_point(&self, name: &str) -> Option<KnownPoint> {
        if name == "zeros" {
            return Some(self.svd_known_point(&[]));
        }
        let s = parse_subset(name, "svd", self.positive_count(), self.rank)?;
        Some(self.svd_known_point(&s))
    }

    fn layout(&self) -> Layout {
        let (n1, n2, r) = self.sizes();
        Layout::new(vec![Block::new("U", &[n1, r]), Block::new("V", &[n2, r])])
    }
}
