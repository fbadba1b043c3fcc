//! `linear_net`: a deep linear network, f(W₁, …, W_H) = ½‖W_H⋯W₁X − Y‖²_F
//! (Kawaguchi 2016, "Deep learning without poor local minima"; Baldi & Hornik 1989).
//!
//! Wₗ ∈ ℝ^{dₗ×dₗ₋₁} for l = 1…H, widths = [d₀, …, d_H], X ∈ ℝ^{d₀×N}, Y ∈ ℝ^{d_H×N}.
//!
//! # Derivatives
//! Forward Aₗ = WₗAₗ₋₁ (A₀ = X), residual R = A_H − Y; backward B_H = R,
//! Bₗ₋₁ = WₗᵀBₗ:
//! - ∇_{Wₗ} f = BₗAₗ₋₁ᵀ;
//! - HVP along (V₁, …, V_H): tangents Ȧₗ = VₗAₗ₋₁ + WₗȦₗ₋₁ (Ȧ₀ = 0), Ḃ_H = Ȧ_H,
//!   Ḃₗ₋₁ = VₗᵀBₗ + WₗᵀḂₗ, and (∇²f·V)ₗ = ḂₗAₗ₋₁ᵀ + BₗȦₗ₋₁ᵀ
//!   (8 layer products against 3 for the gradient; nothing bigger than dₗ×N is formed).
//!
//! # Optimum
//! Let r = min(d₀, …, d_H); the product P = W_H⋯W₁ ranges over the d_H×d₀ matrices of
//! rank ≤ r. With V an orthonormal basis of the row space
//! of X, f* = ½‖Y − YVVᵀ‖²_F + ½ Σ_{i>r} σᵢ²(YV) (Eckart–Young; Baldi & Hornik 1989).
//! For generated (realisable) data with r ≥ min(d₀, d_H) ≥ rank(A), f* = 0 exactly;
//! otherwise `optimum()` returns the formula above (clamped at 0), evaluated once in the
//! constructor (an SVD of the N×d₀ matrix Xᵀ).
//!
//! # Known points
//! - `zeros` (H ≥ 2, and YXᵀ ≠ 0): every gradient block contains a product of the other
//!   blocks, so ∇f(0) = 0. Along V, f(tV) = ½‖Y‖² − t^H ⟨V_H⋯V₁X, Y⟩ + O(t^{2H}).
//!   H = 2: the Hessian is the indefinite form −2⟨V₂V₁X, Y⟩ ≠ 0: `strict_saddle`
//!   (λmin = −σ_max(YXᵀ)). H ≥ 3: gradient and Hessian both vanish, and a descent of
//!   order H exists (take V_H⋯V₁ = t·uvᵀ with uᵀYXᵀv > 0): `non_strict_saddle`
//!   (Kawaguchi 2016, Theorem 2.3 (iv)). For H = 1 the objective is convex and 0 is
//!   not stationary unless YXᵀ = 0: omitted.
//! - `truth` (generated data, every hidden width dₗ ≥ d₀): W₁ = [I; 0], Wₗ = [I 0; 0 0]
//!   in between, W_H = [A 0], whose product is the teacher A: f = 0 = f* (`global_min`).
//!
//! # Symmetries
//! For each hidden layer l (1 ≤ l < H) and each dₗ×dₗ unit matrix E_ab: the tangent of
//! Wₗ ↦ GWₗ, Wₗ₊₁ ↦ Wₗ₊₁G⁻¹ at G = I, i.e. (…, E_ab Wₗ, −Wₗ₊₁E_ab, …). That is
//! Σₗ dₗ² directions of length dim (large at realistic sizes).
//!
//! # Instances
//! Data `x` (d₀×N) and `y` (d_H×N), or generated from `samples` = N and `seed`: first
//! the teacher A (d_H×d₀, row by row, entries N(0,1)/√d₀), then X sample by sample
//! (column i: d₀ iid N(0,1)), and Y = AX. Layout: `W1[d₁×d₀] … WH[d_H×d_{H−1}]`,
//! each row-major, W1 first.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::objective::{Block, DataArray, KnownPoint, Layout, Objective};
use crate::problems::params::{
    self, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::random::rng;
use crate::verdict::Verdict;

/// Aᵀ·B through an explicit transpose: nalgebra's `gemm` uses matrixmultiply, its
/// `gemm_tr` (dot products, no blocking) is several times slower at N = 1000. The copy
/// of A (N×dₗ) is cheap next to the product. (Zero-copy strided transposed views are
/// avoided: nalgebra's small-matrix `gemm` path mis-indexes them.)
fn gemm_tr_fast(out: &mut DMatrixViewMut<'_, f64>, a: &DMatrix<f64>, b: &DMatrix<f64>, beta: f64) {
    out.gemm(1.0, &a.transpose(), b, beta);
}

/// The spec fields of `linear_net`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearNetParams {
    /// The layer widths [d₀, …, d_H] (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub widths: Option<Vec<usize>>,
    /// Number of generated samples (required unless `x` and `y`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Inputs, d₀×N (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Data>,
    /// Targets, d_H×N (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<Data>,
    /// Seed of the generated teacher and inputs.
    pub seed: u64,
}

impl Params for LinearNetParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "widths",
            default: Text("required"),
            doc: "[d₀, …, d_H]: input width, hidden widths, output width (H ≥ 1 matrices)",
        },
        FieldDoc {
            name: "samples",
            default: Text("required unless `x` and `y`"),
            doc: "N: Gaussian inputs, targets Y = AX from a Gaussian teacher A (N(0,1)/√d₀)",
        },
        FieldDoc {
            name: "x",
            default: Text("generated"),
            doc: "inputs X as a d₀×N matrix (with `y`, instead of `samples`)",
        },
        FieldDoc {
            name: "y",
            default: Text("generated"),
            doc: "targets Y as a d_H×N matrix (with `x`)",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "linear_net",
    description: "deep linear network ½‖W_H⋯W₁X − Y‖²_F (Kawaguchi 2016)",
    fields: params::listing::<LinearNetParams>,
    shipped_spec: include_str!("../../problems/linear_net.toml"),
    replaces: &[
        ("x", &["samples", "seed"]),
        ("y", &["samples", "seed"]),
        ("samples", &["x", "y"]),
    ],
    build: |spec| Ok(Box::new(LinearNet::from_spec(spec)?)),
};

/// The deep linear network objective.
#[derive(Clone, Debug)]
pub struct LinearNet {
    widths: Vec<usize>,
    /// Offsets of the blocks in the flat vector (length H + 1).
    offsets: Vec<usize>,
    /// Xᵀ (N×d₀): activations are kept transposed, Aₗᵀ = Aₗ₋₁ᵀWₗᵀ, so that the row-major
    /// block Wₗ is used as the column-major view Wₗᵀ without a copy.
    xt: DMatrix<f64>,
    /// Yᵀ (N×d_H).
    yt: DMatrix<f64>,
    /// The teacher A when the data were generated.
    teacher: Option<DMatrix<f64>>,
    /// f*, see the module doc.
    optimum: Option<f64>,
}

impl LinearNet {
    /// A network with widths [d₀, …, d_H] on data X (d₀×N), Y (d_H×N); `teacher` is the A
    /// with Y = AX when known (it enables f* = 0 and the `truth` point).
    ///
    /// Errors on fewer than two widths, a zero width, shapes that do not match, no
    /// samples or a non-finite entry.
    pub fn new(
        widths: Vec<usize>,
        x: &DMatrix<f64>,
        y: &DMatrix<f64>,
        teacher: Option<DMatrix<f64>>,
    ) -> Result<Self> {
        if widths.len() < 2 || widths.contains(&0) {
            return Err(Error::invalid(
                "widths",
                "at least two positive widths [d₀, …, d_H]",
                format!("{widths:?}"),
            ));
        }
        let h = widths.len() - 1;
        let (d0, dh) = (widths[0], widths[h]);
        if x.nrows() != d0 || x.ncols() == 0 {
            return Err(Error::invalid(
                "x",
                format!("a d₀×N matrix with d₀ = {d0}, N ≥ 1"),
                format!("{}×{}", x.nrows(), x.ncols()),
            ));
        }
        if y.nrows() != dh || y.ncols() != x.ncols() {
            return Err(Error::invalid(
                "y",
                format!("a {dh}×{} matrix (d_H×N)", x.ncols()),
                format!("{}×{}", y.nrows(), y.ncols()),
            ));
        }
        ensure_finite("x", x.as_slice())?;
        ensure_finite("y", y.as_slice())?;
        if let Some(a) = &teacher {
            if a.shape() != (dh, d0) {
                return Err(Error::invalid(
                    "teacher",
                    format!("a {dh}×{d0} matrix (d_H×d₀)"),
                    format!("{}×{}", a.nrows(), a.ncols()),
                ));
            }
            ensure_finite("teacher", a.as_slice())?;
        }
        let mut offsets = vec![0];
        for l in 1..=h {
            offsets.push(offsets[l - 1] + widths[l] * widths[l - 1]);
        }
        let mut net = LinearNet {
            widths,
            offsets,
            xt: x.transpose(),
            yt: y.transpose(),
            teacher,
            optimum: None,
        };
        net.optimum = if net.teacher.is_some() && net.rank_bound() >= d0.min(dh) {
            Some(0.0)
        } else {
            net.eckart_young()
        };
        Ok(net)
    }

    /// Builds from a spec (`widths`, and `samples` + `seed` or `x` + `y`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: LinearNetParams = spec.params()?;
        let dir = spec.base_dir();
        let widths = required(
            p.widths,
            KIND.name,
            "widths",
            "the list [d₀, …, d_H] of at least two positive widths",
        )?;
        if widths.len() < 2 || widths.contains(&0) {
            return Err(Error::invalid(
                "widths",
                "at least two positive widths [d₀, …, d_H]",
                format!("{widths:?}"),
            ));
        }
        let (d0, dh) = (widths[0], widths[widths.len() - 1]);
        match (p.x.matrix("x", dir)?, p.y.matrix("y", dir)?) {
            (Some(x), Some(y)) => {
                if p.samples.is_some() {
                    return Err(Error::invalid(
                        "samples",
                        "either `samples` or the data `x`, `y`, not both",
                        "both",
                    ));
                }
                // `new` checks the shapes against the widths.
                LinearNet::new(widths, &x, &y, None)
            }
            (Some(_), None) | (None, Some(_)) => Err(Error::invalid(
                if p.x.is_some() { "y" } else { "x" },
                "both data fields `x` and `y`",
                "only one of them",
            )),
            (None, None) => {
                let n = required(p.samples, KIND.name, "samples", "a non-negative integer")?;
                if n == 0 {
                    return Err(Error::invalid("samples", "a positive integer", 0));
                }
                let mut rng = rng(p.seed);
                let scale = 1.0 / (d0 as f64).sqrt();
                let mut a = DMatrix::zeros(dh, d0);
                for r in 0..dh {
                    for c in 0..d0 {
                        a[(r, c)] = scale * rng.sample::<f64, _>(StandardNormal);
                    }
                }
                let mut x = DMatrix::zeros(d0, n);
                for i in 0..n {
                    for c in 0..d0 {
                        x[(c, i)] = rng.sample(StandardNormal);
                    }
                }
                let y = &a * &x;
                LinearNet::new(widths, &x, &y, Some(a))
            }
        }
    }

    /// The inputs X (d₀×N).
    pub fn inputs(&self) -> DMatrix<f64> {
        self.xt.transpose()
    }

    /// The targets Y (d_H×N).
    pub fn targets(&self) -> DMatrix<f64> {
        self.yt.transpose()
    }

    /// The teacher A of generated data.
    pub fn teacher(&self) -> Option<&DMatrix<f64>> {
        self.teacher.as_ref()
    }

    /// Number of weight matrices H.
    pub fn depth(&self) -> usize {
        self.widths.len() - 1
    }

    /// Wₗᵀ (dₗ₋₁×dₗ) as a view of block l (1-based) of `x`.
    fn block_t<'a>(&self, x: &'a [f64], l: usize) -> DMatrixView<'a, f64> {
        let s = &x[self.offsets[l - 1]..self.offsets[l]];
        DMatrixView::from_slice(s, self.widths[l - 1], self.widths[l])
    }

    /// Wₗ (dₗ×dₗ₋₁), copied out of the row-major block l of `x`.
    fn block(&self, x: &[f64], l: usize) -> DMatrix<f64> {
        self.block_t(x, l).transpose()
    }

    fn block_t_mut<'a>(&self, x: &'a mut [f64], l: usize) -> DMatrixViewMut<'a, f64> {
        let s = &mut x[self.offsets[l - 1]..self.offsets[l]];
        DMatrixViewMut::from_slice(s, self.widths[l - 1], self.widths[l])
    }

    /// Transposed activations A₀ᵀ … A_Hᵀ (N×dₗ each).
    fn forward(&self, w: &[f64]) -> Vec<DMatrix<f64>> {
        let mut acts = Vec::with_capacity(self.widths.len());
        acts.push(self.xt.clone());
        for l in 1..=self.depth() {
            let next = &acts[l - 1] * self.block_t(w, l);
            acts.push(next);
        }
        acts
    }

    /// The rank bound r of the product W_H⋯W₁.
    fn rank_bound(&self) -> usize {
        *self.widths.iter().min().unwrap_or(&0)
    }

    /// Eckart–Young: ½‖Y − YVVᵀ‖² + ½ Σ_{i>r} σᵢ²(YV), V a basis of X's row space.
    fn eckart_young(&self) -> Option<f64> {
        // X = UΣVᵀ: the rows of Vᵀ (for σ > tol) span X's row space; YV = Yᵀᵀ V.
        let svd = self.xt.clone().svd(true, false);
        let u = svd.u?; // N×m, the left factor of Xᵀ = VΣUᵀ.
        let sigma_max = svd.singular_values.max();
        let tol = sigma_max * 1e-12 * self.xt.nrows().max(self.xt.ncols()) as f64;
        let kept: Vec<usize> = (0..svd.singular_values.len())
            .filter(|&i| svd.singular_values[i] > tol)
            .collect();
        let basis = u.select_columns(kept.iter());
        let yv = self.yt.tr_mul(&basis); // d_H × rank
        let explained = yv.norm_squared();
        let mut sigma: Vec<f64> = yv.singular_values().iter().copied().collect();
        sigma.sort_by(|a, b| b.total_cmp(a));
        let residual = self.yt.norm_squared() - explained;
        let tail: f64 = sigma.iter().skip(self.rank_bound()).map(|s| s * s).sum();
        Some((0.5 * (residual + tail)).max(0.0))
    }

    fn truth(&self) -> Option<Vec<f64>> {
        let a = self.teacher.as_ref()?;
        let h = self.depth();
        let d0 = self.widths[0];
        if self.widths[1..h].iter().any(|&w| w < d0) {
            return None;
        }
        let mut w = vec![0.0; self.dim()];
        for l in 1..=h {
            let mut block = self.block_t_mut(&mut w, l); // Wₗᵀ
            if l == h {
                for r in 0..self.widths[h] {
                    for c in 0..d0 {
                        block[(c, r)] = a[(r, c)];
                    }
                }
            } else {
                for c in 0..d0 {
                    block[(c, c)] = 1.0;
                }
            }
        }
        Some(w)
    }
}

impl Objective for LinearNet {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.offsets[self.depth()]
    }

    fn value(&self, w: &[f64]) -> f64 {
        let out = self.forward(w).pop().unwrap_or_default();
        0.5 * (out - &self.yt).norm_squared()
    }

    fn gradient(&self, w: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(w, grad);
    }

    fn value_and_gradient(&self, w: &[f64], grad: &mut [f64]) -> f64 {
        let h = self.depth();
        let mut acts = self.forward(w);
        let mut back = acts.pop().unwrap_or_default() - &self.yt; // Bₗᵀ, from R.
        let value = 0.5 * back.norm_squared();
        for l in (1..=h).rev() {
            // ∇Wₗᵀ = Aₗ₋₁Bₗᵀ = (Aₗ₋₁ᵀ)ᵀ(Bₗᵀ).
            gemm_tr_fast(&mut self.block_t_mut(grad, l), &acts[l - 1], &back, 0.0);
            if l > 1 {
                back = &back * self.block(w, l);
            }
        }
        value
    }

    fn hvp(&self, w: &[f64], v: &[f64], out: &mut [f64]) {
        let h = self.depth();
        let acts = self.forward(w);
        // Tangents Ȧₗᵀ = Aₗ₋₁ᵀVₗᵀ + Ȧₗ₋₁ᵀWₗᵀ.
        let mut tangents: Vec<DMatrix<f64>> = Vec::with_capacity(h + 1);
        tangents.push(DMatrix::zeros(self.xt.nrows(), self.widths[0]));
        for l in 1..=h {
            let mut next = &acts[l - 1] * self.block_t(v, l);
            if l > 1 {
                next.gemm(1.0, &tangents[l - 1], &self.block_t(w, l), 1.0);
            }
            tangents.push(next);
        }
        let mut back = &acts[h] - &self.yt;
        let mut dback = tangents[h].clone();
        for l in (1..=h).rev() {
            let mut block = self.block_t_mut(out, l);
            gemm_tr_fast(&mut block, &acts[l - 1], &dback, 0.0);
            if l > 1 {
                gemm_tr_fast(&mut block, &tangents[l - 1], &back, 1.0);
                let wl = self.block(w, l);
                let mut next_dback = &dback * &wl;
                next_dback.gemm(1.0, &back, &self.block(v, l), 1.0);
                back = &back * &wl;
                dback = next_dback;
            }
        }
    }

    fn optimum(&self) -> Option<f64> {
        self.optimum
    }

    fn symmetry_directions(&self, w: &[f64]) -> Vec<Vec<f64>> {
        let mut directions = Vec::new();
        for l in 1..self.depth() {
            let (d_prev, d_l, d_next) = (self.widths[l - 1], self.widths[l], self.widths[l + 1]);
            let (lo, mid) = (self.offsets[l - 1], self.offsets[l]);
            for a in 0..d_l {
                for b in 0..d_l {
                    let mut dir = vec![0.0; self.dim()];
                    // (E_ab Wₗ): row a of the block gets row b of Wₗ.
                    for c in 0..d_prev {
                        dir[lo + a * d_prev + c] = w[lo + b * d_prev + c];
                    }
                    // −(Wₗ₊₁E_ab): column b of the block gets −column a of Wₗ₊₁.
                    for r in 0..d_next {
                        dir[mid + r * d_l + b] = -w[mid + r * d_l + a];
                    }
                    directions.push(dir);
                }
            }
        }
        directions
    }

    fn symmetry_count(&self, _w: &[f64]) -> usize {
        (1..self.depth())
            .map(|l| self.widths[l] * self.widths[l])
            .sum()
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let mut points = Vec::new();
        let h = self.depth();
        let yx_nonzero = self.yt.tr_mul(&self.xt).amax() > 0.0;
        if h >= 2 && yx_nonzero {
            let verdict = if h == 2 {
                Verdict::StrictSaddle
            } else {
                Verdict::NonStrictSaddle
            };
            points.push(KnownPoint::new("zeros", vec![0.0; self.dim()], verdict));
        }
        if let Some(w) = self.truth() {
            points.push(KnownPoint::new("truth", w, Verdict::GlobalMin));
        }
        points
    }

    fn data(&self) -> Vec<DataArray> {
        vec![
            DataArray::matrix("x", &self.xt.transpose()),
            DataArray::matrix("y", &self.yt.transpose()),
        ]
    }

    /// As [`data`](Objective::data), named `inputs` and `targets`: the export's `x` is
    /// the point.
    fn export_data(&self) -> Vec<DataArray> {
        crate::export::network_data_names(self.data())
    }

    fn layout(&self) -> Layout {
        Layout::new(
            (1..=self.depth())
                .map(|l| Block::new(format!("W{l}"), &[self.widths[l], self.widths[l - 1]]))
                .collect(),
        )
    }
}
