//! `tensor_decomposition`: orthogonal 4th-order tensor decomposition on spheres, the
//! objective of Ge, Huang, Jin & Yuan (2015), "Escaping from saddle points — online
//! stochastic gradient for tensor decomposition" (COLT 2015), §5:
//!
//!   min f(u₁,…,u_r) = Σ_{i≠j} T(uᵢ,uᵢ,uⱼ,uⱼ)   s.t. ‖uᵢ‖ = 1,
//!
//! T = Σₖ aₖ^{⊗4} with a₁…a_n orthonormal, so T(u,u,v,v) = Σₖ (aₖᵀu)²(aₖᵀv)². The sum is
//! over ordered pairs i ≠ j.
//!
//! # Derivatives (Euclidean, of the ambient formula)
//! With cᵢ = Aᵀuᵢ (A = [a₁ … a_n]), sᵢ = cᵢ∘cᵢ and S = Σᵢ sᵢ,
//! f = ‖S‖² − Σᵢ‖sᵢ‖² = Σᵢ sᵢ·(S − sᵢ).
//! - gradient: ∇_{uᵢ} f = A (4 cᵢ∘(S − sᵢ));
//! - HVP, direction (vᵢ), dᵢ = Aᵀvᵢ, dS = Σⱼ 2cⱼ∘dⱼ:
//!   ∇²f\[v\]ᵢ = A (4 dᵢ∘(S − sᵢ) + 4 cᵢ∘(dS − 2cᵢ∘dᵢ)).
//!
//! The Riemannian gradient and Hessian on the product of spheres are the trait's
//! defaults built from these (see [`crate::manifold`]). Cost: two n×n×r products per
//! gradient, three per HVP.
//!
//! # Instance
//! `A` = the Haar-random orthogonal n×n matrix `orthogonal_matrix(rng(seed), n)`; aₖ its
//! columns. `rank` (number of uᵢ) defaults to n.
//!
//! # Known points (all stationary on the product of spheres; in the coordinates cᵢ the
//! condition is that S − sᵢ be constant on the support of cᵢ)
//! - `truth` (rank ≤ n): uᵢ = aᵢ. All sᵢ have disjoint supports, f = 0 = f*: `global_min`.
//!   Its Riemannian Hessian has eigenvalue 4 (multiplicity rank(rank−1), tilting uᵢ toward
//!   an occupied aⱼ) and 0 (multiplicity rank(n−rank), tilting toward a free aₖ: f stays 0).
//! - `uniform` (rank ≥ 2): every uᵢ = (Σₖ aₖ)/√n, f = rank(rank−1)/n. With sᵢ = s + δᵢ,
//!   f − f(0) = ‖Σδᵢ‖² − Σ‖δᵢ‖², and δᵢ = 2cᵢ∘vᵢ·t + O(t²) (with Σₖδᵢₖ = 0) gives the
//!   Riemannian Hessian form (8/n)(‖Σvᵢ‖² − Σ‖vᵢ‖²): eigenvalues −8/n (on Σvᵢ = 0) and
//!   8(rank−1)/n (on v₁ = … = v_r): a `strict_saddle`.
//! - `pair_mix` (2 ≤ rank ≤ n): u₁ = u₂ = (a₁ + a₂)/√2, uᵢ = aᵢ for i ≥ 3; f = 1.
//!   Rotating u₁ toward a₁ and u₂ toward a₂ at unit speed each gives f = cos²(2t):
//!   Hessian form −8 on a tangent vector of norm² 2, so λmin ≤ −4: a `strict_saddle`.
//! - `collision` (2 ≤ rank ≤ n): u₁ = u₂ = a₁, uᵢ = aᵢ for i ≥ 3; f = 2. Rotating u₂
//!   toward the free a₂ gives f = 2cos²t: λmin ≤ −4, a `strict_saddle`.
//!
//! f* = 0 when rank ≤ n (unknown otherwise). No continuous symmetry (signs and
//! permutations of the uᵢ are discrete).
//!
//! Layout: blocks `u1`…`u{rank}`, each `[n]`, on `Manifold::Spheres { count: rank,
//! block_dim: n }`.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::manifold::Manifold;
use crate::objective::{Block, DataArray, KnownPoint, Layout, Objective};
use crate::problems::params::{self, required, DefaultText::*, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{orthogonal_matrix, rng};
use crate::verdict::Verdict;

/// The spec fields of `tensor_decomposition`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TensorDecompositionParams {
    /// Dimension n ≥ 2 (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Number of unit vectors (default n).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Seed of the orthogonal components.
    pub seed: u64,
}

impl Params for TensorDecompositionParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("required"),
            doc: "dimension n ≥ 2 of each uᵢ and number of components aₖ",
        },
        FieldDoc {
            name: "rank",
            default: Text("n"),
            doc: "number r of unit vectors uᵢ",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "tensor_decomposition",
    description: "min Σ_{i≠j} T(uᵢ,uᵢ,uⱼ,uⱼ), ‖uᵢ‖ = 1, T = Σₖ aₖ^{⊗4} orthogonal (Ge et al. 2015)",
    fields: params::listing::<TensorDecompositionParams>,
    shipped_spec: include_str!("../../problems/tensor_decomposition.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(TensorDecomposition::from_spec(spec)?)),
};

/// Σ_{i≠j} T(uᵢ,uᵢ,uⱼ,uⱼ) on the product of unit spheres, T orthogonally decomposable.
#[derive(Clone, Debug)]
pub struct TensorDecomposition {
    rank: usize,
    /// n×n orthogonal, columns aₖ.
    a: DMatrix<f64>,
}

impl TensorDecomposition {
    /// The problem with components the columns of the orthogonal matrix `a` and `rank`
    /// unit vectors.
    ///
    /// Errors if `a` is not n×n with n ≥ 2, has a non-finite entry, rank = 0 or
    /// ‖AᵀA − I‖_max > 1e-8.
    pub fn new(a: DMatrix<f64>, rank: usize) -> Result<Self> {
        if !a.is_square() || a.nrows() < 2 {
            return Err(Error::invalid(
                "a",
                "an n×n matrix, n ≥ 2",
                format!("{}×{}", a.nrows(), a.ncols()),
            ));
        }
        ensure_finite("a", a.as_slice())?;
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        let n = a.nrows();
        let err = (a.transpose() * &a - DMatrix::<f64>::identity(n, n)).amax();
        if err > 1e-8 {
            return Err(Error::invalid(
                "a",
                "an orthogonal matrix",
                format!("‖AᵀA − I‖ = {err:e}"),
            ));
        }
        Ok(TensorDecomposition { rank, a })
    }

    /// Builds from a spec (`n`, `rank`, `seed`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: TensorDecompositionParams = spec.params()?;
        let n = required(p.n, KIND.name, "n", "a non-negative integer")?;
        if n < 2 {
            return Err(Error::invalid("n", "an integer ≥ 2", n));
        }
        let rank = p.rank.unwrap_or(n);
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        let a = orthogonal_matrix(&mut rng(p.seed), n);
        Self::new(a, rank)
    }

    /// The orthogonal matrix A whose columns are the components aₖ.
    pub fn components(&self) -> &DMatrix<f64> {
        &self.a
    }

    fn n(&self) -> usize {
        self.a.nrows()
    }

    /// C = AᵀX, column i = cᵢ = Aᵀuᵢ.
    fn coordinates(&self, x: &[f64]) -> DMatrix<f64> {
        assert_eq!(x.len(), self.dim(), "tensor_decomposition: point length");
        self.a
            .tr_mul(&DMatrixView::from_slice(x, self.n(), self.rank))
    }

    /// Row sums of C∘C: S = Σᵢ sᵢ.
    fn total_weights(c: &DMatrix<f64>) -> DVector<f64> {
        DVector::from_fn(c.nrows(), |k, _| c.row(k).iter().map(|v| v * v).sum())
    }

    /// The point whose blocks are the given combinations (weights on the aₖ).
    fn point_from_coordinates(&self, c: &DMatrix<f64>) -> Vec<f64> {
        (&self.a * c).as_slice().to_vec()
    }
}

impl Objective for TensorDecomposition {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n() * self.rank
    }

    fn value(&self, x: &[f64]) -> f64 {
        let c = self.coordinates(x);
        let s = Self::total_weights(&c);
        let own: f64 = c.iter().map(|v| v.powi(4)).sum();
        s.norm_squared() - own
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let mut c = self.coordinates(x);
        let s = Self::total_weights(&c);
        let own: f64 = c.iter().map(|v| v.powi(4)).sum();
        // In place: c_ki ← 4 c_ki (S_k − c_ki²).
        for i in 0..self.rank {
            for k in 0..self.n() {
                let cki = c[(k, i)];
                c[(k, i)] = 4.0 * cki * (s[k] - cki * cki);
            }
        }
        assert_eq!(
            grad.len(),
            self.dim(),
            "tensor_decomposition: gradient length"
        );
        let mut out = DMatrixViewMut::from_slice(grad, self.n(), self.rank);
        out.gemm(1.0, &self.a, &c, 0.0);
        s.norm_squared() - own
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let n = self.n();
        let c = self.coordinates(x);
        let mut d = self.coordinates(v);
        let s = Self::total_weights(&c);
        let ds = DVector::from_fn(n, |k, _| {
            (0..self.rank)
                .map(|i| 2.0 * c[(k, i)] * d[(k, i)])
                .sum::<f64>()
        });
        for i in 0..self.rank {
            for k in 0..n {
                let (cki, dki) = (c[(k, i)], d[(k, i)]);
                d[(k, i)] = 4.0 * (dki * (s[k] - cki * cki) + cki * (ds[k] - 2.0 * cki * dki));
            }
        }
        assert_eq!(out.len(), self.dim(), "tensor_decomposition: output length");
        let mut out = DMatrixViewMut::from_slice(out, n, self.rank);
        out.gemm(1.0, &self.a, &d, 0.0);
    }

    fn optimum(&self) -> Option<f64> {
        (self.rank <= self.n()).then_some(0.0)
    }

    fn manifold(&self) -> Manifold {
        Manifold::Spheres {
            count: self.rank,
            block_dim: self.n(),
        }
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let (n, r) = (self.n(), self.rank);
        let mut points = Vec::new();
        let coordinates = |fill: &dyn Fn(&mut DMatrix<f64>)| {
            let mut c = DMatrix::zeros(n, r);
            fill(&mut c);
            self.point_from_coordinates(&c)
        };
        let identity_from = |c: &mut DMatrix<f64>, first: usize| {
            for i in first..r {
                c[(i, i)] = 1.0;
            }
        };
        if r <= n {
            let x = coordinates(&|c| identity_from(c, 0));
            points.push(KnownPoint::new("truth", x, Verdict::GlobalMin));
        }
        if r >= 2 {
            let x = coordinates(&|c| c.fill(1.0 / (n as f64).sqrt()));
            points.push(KnownPoint::new("uniform", x, Verdict::StrictSaddle));
        }
        if (2..=n).contains(&r) {
            let h = std::f64::consts::FRAC_1_SQRT_2;
            let x = coordinates(&|c| {
                identity_from(c, 2);
                for i in 0..2 {
                    c[(0, i)] = h;
                    c[(1, i)] = h;
                }
            });
            points.push(KnownPoint::new("pair_mix", x, Verdict::StrictSaddle));
            let x = coordinates(&|c| {
                identity_from(c, 2);
                c[(0, 0)] = 1.0;
                c[(0, 1)] = 1.0;
            });
            points.push(KnownPoint::new("collision", x, Verdict::StrictSaddle));
        }
        points
    }

    fn data(&self) -> Vec<DataArray> {
        vec![DataArray::matrix("a", &self.a)]
    }

    fn layout(&self) -> Layout {
        Layout::new(
            (1..=self.rank)
                .map(|i| Block::new(format!("u{i}"), &[self.n()]))
                .collect(),
        )
    }
}
