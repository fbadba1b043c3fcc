//! `tensor_factorization`: symmetric CP fit of a symmetric tensor of order q ∈ {3, 4},
//!
//!   f(U) = ½‖Σᵢ uᵢ^{⊗q} − T‖²_F,   T = Σⱼ u*ⱼ^{⊗q},   U ∈ ℝ^{rank×n} (rows uᵢ),
//!
//! unconstrained (Kolda & Bader 2009, "Tensor decompositions and applications", §3;
//! Ge & Ma 2017, "On the optimization landscape of tensor decompositions").
//!
//! The tensor is never formed: ⟨x^{⊗q}, y^{⊗q}⟩ = (xᵀy)^q, so with the Gram matrices
//! G = UUᵀ, K = UU*ᵀ and G* = U*U*ᵀ,
//!   f = ½(Σᵢⱼ Gᵢⱼ^q − 2Σᵢⱼ Kᵢⱼ^q + Σᵢⱼ G*ᵢⱼ^q).
//! Powers ∘ are entrywise.
//! - gradient: ∇f = q(G^{∘(q−1)} U − K^{∘(q−1)} U*);
//! - HVP: with dG = UVᵀ + VUᵀ and dK = VU*ᵀ,
//!   ∇²f\[V\] = q(G^{∘(q−1)} V + (q−1)(G^{∘(q−2)}∘dG) U − (q−1)(K^{∘(q−2)}∘dK) U*).
//!
//! Cost O(rank·(rank + true_rank)·n) for each of value, gradient and HVP.
//!
//! # Instance
//! u*₁…u*_{true_rank} are the rows of a true_rank×n matrix with iid N(0, 1/n) entries,
//! drawn from `rng(seed)` row by row (so ‖u*ⱼ‖ ≈ 1 and they are nearly orthogonal for
//! n ≫ true_rank).
//!
//! # Known points
//! - `truth` (rank ≥ true_rank): rows u*₁…u*_{true_rank}, then zero rows. f = 0 = f*:
//!   `global_min` (with rank > true_rank the zero rows give flat directions: every
//!   term of the Hessian involving a zero row carries a factor G^{∘(q−2)} or K^{∘(q−2)}
//!   that vanishes there).
//! - `zeros`: U = 0. Every term of ∇f and ∇²f carries a factor G^{∘(q−2)} or K^{∘(q−2)}
//!   (q ≥ 3), so the gradient and the Hessian vanish. Along a ray with one nonzero row u,
//!   f(tu) − f(0) = −t^q c(u) + ½t^{2q}‖u‖^{2q}, c(u) = Σⱼ (uᵀu*ⱼ)^q. For q = 4,
//!   c(u*₁) ≥ ‖u*₁‖⁸ > 0; for q = 3 the cubic form c is odd and not identically zero
//!   (a nonzero symmetric tensor has a nonzero form), so c(±u) > 0 for some u. A descent
//!   direction of order q with a zero Hessian: a `non_strict_saddle`, f(0) = ½‖T‖².
//!
//! No continuous symmetry: permutations of the rows, and for q = 4 their signs, are
//! discrete.
//!
//! Layout: `U[rank×n]`, row-major, row i = uᵢ.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::objective::{DataArray, KnownPoint, Layout, Objective};
use crate::problems::params::{self, required, DefaultText::*, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{gaussian_matrix, rng};
use crate::verdict::Verdict;

/// The spec fields of `tensor_factorization`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TensorFactorizationParams {
    /// Dimension of each uᵢ (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Number of fitted terms (default `true_rank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Number of terms of T.
    pub true_rank: usize,
    /// The tensor order q, 3 or 4.
    pub order: usize,
    /// Seed of the u*ⱼ.
    pub seed: u64,
}

impl Default for TensorFactorizationParams {
    fn default() -> Self {
        TensorFactorizationParams {
            n: None,
            rank: None,
            true_rank: 2,
            order: 3,
            seed: 0,
        }
    }
}

impl Params for TensorFactorizationParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("required"),
            doc: "dimension of each uᵢ (the tensor is n×…×n)",
        },
        FieldDoc {
            name: "rank",
            default: Text("true_rank"),
            doc: "number of rank-one terms uᵢ^{⊗q} fitted",
        },
        FieldDoc {
            name: "true_rank",
            default: Value,
            doc: "number of terms of T; u*ⱼ with iid N(0, 1/n) entries from the seed",
        },
        FieldDoc {
            name: "order",
            default: Value,
            doc: "the tensor order q, 3 or 4",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "tensor_factorization",
    description: "f(U) = ½‖Σᵢ uᵢ^{⊗q} − T‖²_F, symmetric CP fit of T = Σⱼ u*ⱼ^{⊗q}, q = 3 or 4",
    fields: params::listing::<TensorFactorizationParams>,
    shipped_spec: include_str!("../../problems/tensor_factorization.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(TensorFactorization::from_spec(spec)?)),
};

/// ½‖Σᵢ uᵢ^{⊗q} − Σⱼ u*ⱼ^{⊗q}‖²_F through Gram matrices.
#[derive(Clone, Debug)]
pub struct TensorFactorization {
    n: usize,
    rank: usize,
    order: i32,
    /// U*ᵀ: n × true_rank, column j = u*ⱼ.
    truth_t: DMatrix<f64>,
    /// ‖T‖²_F = Σᵢⱼ (G*ᵢⱼ)^q.
    target_norm_sq: f64,
}

impl TensorFactorization {
    /// The fit of T = Σⱼ u*ⱼ^{⊗order}, `u_star` a true_rank×n matrix with rows u*ⱼ, by
    /// `rank` terms.
    ///
    /// Errors if order ∉ {3, 4}, rank = 0, u_star is empty or has a non-finite entry.
    pub fn new(u_star: &DMatrix<f64>, rank: usize, order: usize) -> Result<Self> {
        if order != 3 && order != 4 {
            return Err(Error::invalid("order", "3 or 4", order));
        }
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        if u_star.is_empty() {
            return Err(Error::invalid(
                "u_star",
                "a non-empty true_rank×n matrix",
                format!("{}×{}", u_star.nrows(), u_star.ncols()),
            ));
        }
        ensure_finite("u_star", u_star.as_slice())?;
        let truth_t = u_star.transpose();
        let order = order as i32;
        let gram = truth_t.tr_mul(&truth_t);
        let target_norm_sq = gram.iter().map(|g| g.powi(order)).sum();
        Ok(TensorFactorization {
            n: u_star.ncols(),
            rank,
            order,
            truth_t,
            target_norm_sq,
        })
    }

    /// Builds from a spec (`n`, `rank`, `true_rank`, `order`, `seed`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: TensorFactorizationParams = spec.params()?;
        let n = required(p.n, KIND.name, "n", "a non-negative integer")?;
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        if p.true_rank == 0 {
            return Err(Error::invalid("true_rank", "a positive integer", 0));
        }
        let rank = p.rank.unwrap_or(p.true_rank);
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        if p.order != 3 && p.order != 4 {
            return Err(Error::invalid("order", "3 or 4", p.order));
        }
        Self::new(&Self::generate(n, p.true_rank, p.seed), rank, p.order)
    }

    /// The generated components: a true_rank×n matrix (rows u*ⱼ) with iid N(0, 1/n)
    /// entries, drawn row by row from `rng(seed)`.
    pub fn generate(n: usize, true_rank: usize, seed: u64) -> DMatrix<f64> {
        gaussian_matrix(&mut rng(seed), n, true_rank).transpose() / (n as f64).sqrt()
    }

    /// The components u*ⱼ as the rows of a true_rank×n matrix.
    pub fn components(&self) -> DMatrix<f64> {
        self.truth_t.transpose()
    }

    /// The order q.
    pub fn order(&self) -> usize {
        self.order as usize
    }

    /// ‖T‖²_F.
    pub fn target_norm_sq(&self) -> f64 {
        self.target_norm_sq
    }

    /// Uᵀ (n × rank) as a view of x.
    fn view<'a>(&self, x: &'a [f64]) -> DMatrixView<'a, f64> {
        assert_eq!(x.len(), self.dim(), "tensor_factorization: vector length");
        DMatrixView::from_slice(x, self.n, self.rank)
    }

    fn power(m: &DMatrix<f64>, q: i32) -> DMatrix<f64> {
        m.map(|v| v.powi(q))
    }
}

impl Objective for TensorFactorization {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n * self.rank
    }

    fn value(&self, x: &[f64]) -> f64 {
        let xt = self.view(x);
        let q = self.order;
        let fit: f64 = xt.tr_mul(&xt).iter().map(|g| g.powi(q)).sum();
        let cross: f64 = xt.tr_mul(&self.truth_t).iter().map(|k| k.powi(q)).sum();
        0.5 * (fit - 2.0 * cross + self.target_norm_sq)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let xt = self.view(x);
        let q = self.order;
        let g = xt.tr_mul(&xt);
        let k = xt.tr_mul(&self.truth_t);
        let fit: f64 = g.iter().map(|v| v.powi(q)).sum();
        let cross: f64 = k.iter().map(|v| v.powi(q)).sum();
        // ∇fᵀ = q(Uᵀ G^{∘(q−1)} − U*ᵀ (K^{∘(q−1)})ᵀ), n × rank.
        let qf = q as f64;
        assert_eq!(
            grad.len(),
            self.dim(),
            "tensor_factorization: gradient length"
        );
        let mut out = DMatrixViewMut::from_slice(grad, self.n, self.rank);
        out.gemm(qf, &xt, &Self::power(&g, q - 1), 0.0);
        out.gemm(-qf, &self.truth_t, &Self::power(&k, q - 1).transpose(), 1.0);
        0.5 * (fit - 2.0 * cross + self.target_norm_sq)
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let xt = self.view(x);
        let vt = self.view(v);
        let q = self.order;
        let qf = q as f64;
        let g = xt.tr_mul(&xt);
        let k = xt.tr_mul(&self.truth_t);
        let uv = xt.tr_mul(&vt); // (UVᵀ)ᵢⱼ = uᵢ·vⱼ
        let dg = &uv + uv.transpose();
        let dk = vt.tr_mul(&self.truth_t);
        let g_term = Self::power(&g, q - 2).component_mul(&dg);
        let k_term = Self::power(&k, q - 2).component_mul(&dk);
        assert_eq!(out.len(), self.dim(), "tensor_factorization: output length");
        let mut out = DMatrixViewMut::from_slice(out, self.n, self.rank);
        out.gemm(qf, &vt, &Self::power(&g, q - 1), 0.0);
        out.gemm(qf * (qf - 1.0), &xt, &g_term, 1.0);
        out.gemm(-qf * (qf - 1.0), &self.truth_t, &k_term.transpose(), 1.0);
    }

    fn optimum(&self) -> Option<f64> {
        (self.rank >= self.truth_t.ncols()).then_some(0.0)
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let mut points = Vec::new();
        let true_rank = self.truth_t.ncols();
        if self.rank >= true_rank {
            let mut x = vec![0.0; self.dim()];
            x[..true_rank * self.n].copy_from_slice(self.truth_t.as_slice());
            points.push(KnownPoint::new("truth", x, Verdict::GlobalMin));
        }
        let zeros_verdict = if self.target_norm_sq > 0.0 {
            Verdict::NonStrictSaddle
        } else {
            Verdict::GlobalMin
        };
        points.push(KnownPoint::new(
            "zeros",
            vec![0.0; self.dim()],
            zeros_verdict,
        ));
        points
    }

    fn data(&self) -> Vec<DataArray> {
        let u_star = self.truth_t.transpose();
        let mut arrays = vec![DataArray::matrix("u_star", &u_star)];
        // T = Σⱼ u*ⱼ^{⊗q} itself when it is small enough to hold.
        let q = self.order as u32;
        if let Some(size) = self.n.checked_pow(q).filter(|&s| s <= 1 << 20) {
            let mut t = vec![0.0; size];
            for u in u_star.row_iter() {
                for (idx, entry) in t.iter_mut().enumerate() {
                    let (mut rest, mut product) = (idx, 1.0);
                    for _ in 0..q {
                        product *= u[rest % self.n];
                        rest /= self.n;
                    }
                    *entry += product;
                }
            }
            arrays.push(DataArray::new("t", &vec![self.n; q as usize], t));
        }
        arrays
    }

    fn layout(&self) -> Layout {
        Layout::single("U", &[self.rank, self.n])
    }
}
