//! `matrix_sensing`: f(U) = (1/(4m)) Σᵢ (⟨Aᵢ, UUᵀ⟩ − yᵢ)², U ∈ ℝ^{n×r}, i = 1..m,
//! Aᵢ ∈ ℝ^{n×n} with iid N(0, 1) entries, yᵢ = ⟨Aᵢ, M⟩ + σξᵢ, ξᵢ iid N(0, 1).
//!
//! Since UUᵀ is symmetric, ⟨Aᵢ, UUᵀ⟩ = ⟨Sᵢ, UUᵀ⟩ with Sᵢ = (Aᵢ + Aᵢᵀ)/2; only the Sᵢ are
//! stored, packed: the upper triangle of each, off-diagonal entries times √2, so that
//! ⟨Sᵢ, X⟩ = s̃ᵢ·x̃ for symmetric X packed the same way. With the residuals
//! rᵢ = ⟨Sᵢ, UUᵀ⟩ − yᵢ and 𝒜*(z) = Σᵢ zᵢSᵢ:
//! - value: (1/(4m)) Σᵢ rᵢ²;
//! - gradient: ∇f(U) = (1/m) 𝒜*(r) U;
//! - HVP: ∇²f(U)·V = (1/m) [𝒜*(r) V + 𝒜*(2q) U], qᵢ = ⟨Sᵢ, UVᵀ⟩ = ⟨Sᵢ, (UVᵀ + VUᵀ)/2⟩.
//!
//! f is a quartic polynomial: smooth everywhere, no non-differentiable points.
//!
//! Cost: the gradient is one pass over the stored Sᵢ for r (a matrix-vector product with
//! the m × n(n+1)/2 matrix of packed Sᵢ) and one for 𝒜*(r): O(m n²), independent of r, plus
//! O(n²r) to form UUᵀ and 𝒜*(r)U. The HVP makes one fused pass: for each i it forms
//! (s̃ᵢ·p̃, s̃ᵢ·q̃) and adds both multiples of s̃ᵢ while s̃ᵢ is in cache (≈ 1.1 gradients at
//! n = 50, m = 2000).
//!
//! # Known points
//! - `truth` (listed when σ = 0 and r ≥ k = true_rank): U* zero-padded to r columns; f = 0
//!   = f*, `global_min`.
//! - `zeros`: U = 0 is stationary (∇f is linear in U there) and the Hessian is
//!   −Ȳ ⊗ I_r with Ȳ = (1/m) Σᵢ yᵢSᵢ. For Gaussian Aᵢ, E[⟨Aᵢ, M⟩ Sᵢ] = M, so Ȳ → M + σ·noise
//!   as m grows and its top eigenvalue concentrates near λ₁(M) > 0. The verdict is read
//!   from the spectrum of this instance's Ȳ (computed in the constructor, relative
//!   threshold 1e-12·n): `strict_saddle` when λ_max(Ȳ) > 0 and λ_min(Ȳ) ≤ 0, `local_max`
//!   when Ȳ ≻ 0, `global_min` when y = 0, `local_min` when Ȳ ≺ 0, `degenerate` otherwise.
//!
//! # As a finite sum
//! f is the average of the per-measurement losses ℓᵢ(U) = rᵢ²/4 over the N = m
//! measurements, so the minibatch form on a set B of measurements is the same formula
//! over B: f_B(U) = (1/(4|B|)) Σ_{i∈B} rᵢ², ∇f_B(U) = (1/|B|) 𝒜_B*(r) U with
//! 𝒜_B*(z) = Σ_{i∈B} zᵢSᵢ. With B = all measurements f_B = f; over an epoch of disjoint
//! batches, Σ_B |B| ∇f_B = m ∇f. There is no test set.
//!
//! Optimum: f* = 0 when σ = 0 and r ≥ k (the planted U* fits exactly); unknown otherwise.
//! Symmetry: f(UR) = f(U), R ∈ O(r): directions U·K, K = E_ab − E_ba, a < b.
//!
//! # Spec and layout
//! Fields `n`, `rank`, `true_rank` (k, default `rank`, ≤ n), `measurements` (m, default
//! 5·n·k), `noise` (σ ≥ 0, default 0). From one `rng(seed)`, in order: U* =
//! `gaussian_matrix(rng, n, k)`/√n (so E‖U*‖²_F = k), M = U*U*ᵀ; then A₁, …, A_m, each as
//! n² N(0, 1) draws in row-major order; then ξ₁, …, ξ_m (drawn even when σ = 0).
//! [`MatrixSensing::new`] takes explicit Aᵢ and y instead. Layout: `U[n×r]`, row-major.
//!
//! References: Bhojanapalli, Neyshabur & Srebro 2016, "Global optimality of local search
//! for low rank matrix recovery" (NeurIPS); Ge, Jin & Zheng 2017, "No spurious local minima
//! in nonconvex low rank problems: a unified geometric analysis" (ICML).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector, DVectorView};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::dot;
use crate::linalg::symmetric_eigenvalues_of;
use crate::objective::{DataArray, FiniteSum, KnownPoint, Layout, Objective, SymmetryStructure};
use crate::problems::low_rank::{rotation_structure, skew_directions, zero_threshold};
use crate::problems::params::{self, required, DefaultText::*, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{gaussian_matrix, gaussian_vector, rng};
use crate::verdict::Verdict;

/// The spec fields of `matrix_sensing`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatrixSensingParams {
    /// Side of M (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Columns of U (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Rank k of the planted M (default `rank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub true_rank: Option<usize>,
    /// Number of measurements (default 5·n·k).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measurements: Option<usize>,
    /// Noise level σ ≥ 0.
    pub noise: f64,
    /// Seed of U*, the Aᵢ and the noise.
    pub seed: u64,
}

impl Params for MatrixSensingParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("required"),
            doc: "side of M and of the sensing matrices (rows of U)",
        },
        FieldDoc {
            name: "rank",
            default: Text("required"),
            doc: "r, the number of columns of U",
        },
        FieldDoc {
            name: "true_rank",
            default: Text("rank"),
            doc: "k, the rank of the planted M = U*U*ᵀ (U* is n×k)",
        },
        FieldDoc {
            name: "measurements",
            default: Text("5·n·true_rank"),
            doc: "m, the number of Gaussian measurements ⟨Aᵢ, M⟩",
        },
        FieldDoc {
            name: "noise",
            default: Value,
            doc: "σ ≥ 0: yᵢ = ⟨Aᵢ, M⟩ + σξᵢ, ξᵢ iid N(0, 1)",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "matrix_sensing",
    description: "f(U) = (1/(4m)) Σᵢ (⟨Aᵢ, UUᵀ⟩ − yᵢ)², Gaussian Aᵢ (Bhojanapalli et al. 2016; Ge, Jin & Zheng 2017)",
    fields: params::listing::<MatrixSensingParams>,
    shipped_spec: include_str!("../../problems/matrix_sensing.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(MatrixSensing::from_spec(spec)?)),
};

const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// f(U) = (1/(4m)) Σᵢ (⟨Aᵢ, UUᵀ⟩ − yᵢ)².
#[derive(Clone, Debug)]
pub struct MatrixSensing {
    n: usize,
    rank: usize,
    /// Column i: Sᵢ packed (upper triangle by rows, off-diagonals times √2).
    sensing: DMatrix<f64>,
    y: Vec<f64>,
    /// The planted factor U* and the noise level that produced y, when known.
    planted: Option<(DMatrix<f64>, f64)>,
    zeros_verdict: Verdict,
}

impl MatrixSensing {
    /// The problem for sensing matrices `a` (each n×n, not necessarily symmetric),
    /// observations `y` (one per matrix) and `rank` columns.
    pub fn new(a: &[DMatrix<f64>], y: Vec<f64>, rank: usize) -> Result<Self> {
        let n = a.first().map_or(0, |a| a.nrows());
        if n == 0 {
            return Err(Error::invalid(
                "a",
                "at least one non-empty n×n matrix",
                "none",
            ));
        }
        let mut sensing = DMatrix::zeros(packed_len(n), a.len());
        for (i, ai) in a.iter().enumerate() {
            if ai.shape() != (n, n) {
                return Err(Error::invalid(
                    "a",
                    format!("{n}×{n} matrices"),
                    format!("matrix {i} of shape {}×{}", ai.nrows(), ai.ncols()),
                ));
            }
            ensure_finite("a", ai.as_slice())?;
            pack_symmetric_part(|k, l| ai[(k, l)], n, sensing.column_mut(i).as_mut_slice());
        }
        Self::from_packed(n, rank, sensing, y)
    }

    /// Records that y was generated as ⟨Aᵢ, U*U*ᵀ⟩ + σξᵢ with this `u_star` (n×k) and
    /// `noise` σ: with σ = 0 and r ≥ k, f* = 0 and `truth` is a known global minimum.
    pub fn with_planted(mut self, u_star: DMatrix<f64>, noise: f64) -> Result<Self> {
        if u_star.nrows() != self.n || u_star.ncols() == 0 {
            return Err(Error::invalid(
                "truth",
                format!("an {}×k matrix, k ≥ 1", self.n),
                format!("{}×{}", u_star.nrows(), u_star.ncols()),
            ));
        }
        ensure_finite("truth", u_star.as_slice())?;
        if !(noise >= 0.0 && noise.is_finite()) {
            return Err(Error::invalid("noise", "a finite number ≥ 0", noise));
        }
        self.planted = Some((u_star, noise));
        Ok(self)
    }

    /// Builds from a spec (see the module documentation).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: MatrixSensingParams = spec.params()?;
        let n = required(p.n, KIND.name, "n", "a non-negative integer")?;
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        let rank = required(p.rank, KIND.name, "rank", "a non-negative integer")?;
        let k = p.true_rank.unwrap_or(rank);
        if k == 0 || k > n {
            return Err(Error::invalid(
                "true_rank",
                format!("an integer in 1..={n}"),
                k,
            ));
        }
        let m = p.measurements.unwrap_or(5 * n * k);
        if m == 0 {
            return Err(Error::invalid("measurements", "a positive integer", 0));
        }
        let noise = p.noise;
        if noise < 0.0 {
            return Err(Error::invalid("noise", "a number ≥ 0", noise));
        }
        let mut rng = rng(p.seed);
        let u_star = gaussian_matrix(&mut rng, n, k) / (n as f64).sqrt();
        let mut truth = vec![0.0; packed_len(n)];
        let star: Vec<f64> = crate::linalg::row_major(&u_star);
        pack_gram(&star, &star, k, &mut truth);
        let mut sensing = DMatrix::zeros(packed_len(n), m);
        let mut a = vec![0.0; n * n];
        for i in 0..m {
            a.iter_mut().for_each(|v| *v = rng.sample(StandardNormal));
            pack_symmetric_part(|r, c| a[r * n + c], n, sensing.column_mut(i).as_mut_slice());
        }
        let xi = gaussian_vector(&mut rng, m);
        let y = sensing
            .column_iter()
            .zip(&xi)
            .map(|(s, xi)| dot(s.as_slice(), &truth) + noise * xi)
            .collect();
        Self::from_packed(n, rank, sensing, y)?.with_planted(u_star, noise)
    }

    fn from_packed(n: usize, rank: usize, sensing: DMatrix<f64>, y: Vec<f64>) -> Result<Self> {
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        if y.len() != sensing.ncols() {
            return Err(Error::invalid(
                "y",
                format!("{} observations, one per sensing matrix", sensing.ncols()),
                y.len(),
            ));
        }
        ensure_finite("y", &y)?;
        let mut problem = MatrixSensing {
            n,
            rank,
            sensing,
            y,
            planted: None,
            zeros_verdict: Verdict::Degenerate,
        };
        problem.zeros_verdict = problem.classify_zeros();
        Ok(problem)
    }

    /// The number of measurements m.
    pub fn measurements(&self) -> usize {
        self.y.len()
    }

    /// The observations y.
    pub fn observations(&self) -> &[f64] {
        &self.y
    }

    /// Sᵢ = (Aᵢ + Aᵢᵀ)/2, the symmetric part of sensing matrix `i`.
    pub fn sensing_matrix(&self, i: usize) -> DMatrix<f64> {
        unpack(self.sensing.column(i).as_slice(), self.n)
    }

    /// The planted factor U* (n×k), when known.
    pub fn planted(&self) -> Option<&DMatrix<f64>> {
        self.planted.as_ref().map(|(u, _)| u)
    }

    /// The planted factor when it is an exact global minimum: σ = 0 and r ≥ k.
    fn exact_truth(&self) -> Option<&DMatrix<f64>> {
        match &self.planted {
            Some((u, noise)) if *noise == 0.0 && u.ncols() <= self.rank => Some(u),
            _ => None,
        }
    }

    /// Verdict at U = 0 from the spectrum of Ȳ = (1/m) Σ yᵢSᵢ (Hessian −Ȳ ⊗ I).
    fn classify_zeros(&self) -> Verdict {
        if self.y.iter().all(|&v| v == 0.0) {
            return Verdict::GlobalMin;
        }
        let ybar = self.adjoint(&self.y) / self.y.len() as f64;
        let Ok(values) = symmetric_eigenvalues_of(&ybar) else {
            return Verdict::Degenerate;
        };
        let tol = zero_threshold(&values);
        let (bottom, top) = (values[0], values[self.n - 1]);
        if top > tol {
            if bottom > tol {
                Verdict::LocalMax
            } else {
                Verdict::StrictSaddle
            }
        } else if top < -tol {
            Verdict::LocalMin
        } else {
            Verdict::Degenerate
        }
    }

    /// The residuals rᵢ = ⟨Sᵢ, UUᵀ⟩ − yᵢ.
    fn residuals(&self, x: &[f64]) -> DVector<f64> {
        let mut packed = vec![0.0; self.sensing.nrows()];
        pack_gram(x, x, self.rank, &mut packed);
        let mut r = DVector::from_column_slice(&self.y);
        r.gemv_tr(
            1.0,
            &self.sensing,
            &DVectorView::from_slice(&packed, packed.len()),
            -1.0,
        );
        r
    }

    /// 𝒜*(z) = Σᵢ zᵢSᵢ as a symmetric n×n matrix.
    fn adjoint(&self, z: &[f64]) -> DMatrix<f64> {
        let packed = &self.sensing * DVectorView::from_slice(z, z.len());
        unpack(packed.as_slice(), self.n)
    }
}

impl Objective for MatrixSensing {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n * self.rank
    }

    fn value(&self, x: &[f64]) -> f64 {
        assert_eq!(x.len(), self.dim(), "matrix_sensing: point length");
        self.residuals(x).norm_squared() / (4.0 * self.y.len() as f64)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        assert_eq!(x.len(), self.dim(), "matrix_sensing: point length");
        let m = self.y.len() as f64;
        let r = self.residuals(x);
        let g_matrix = self.adjoint(r.as_slice());
        // ∇fᵀ = (1/m) Uᵀ 𝒜*(r) (𝒜*(r) symmetric).
        let ut = DMatrixView::from_slice(x, self.rank, self.n);
        let mut g = DMatrixViewMut::from_slice(grad, self.rank, self.n);
        g.gemm(1.0 / m, &ut, &g_matrix, 0.0);
        r.norm_squared() / (4.0 * m)
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let (n, rank) = (self.n, self.rank);
        assert_eq!(x.len(), self.dim(), "matrix_sensing: point length");
        assert_eq!(v.len(), self.dim(), "matrix_sensing: direction length");
        let (np, m) = self.sensing.shape();
        // Both passes over the Sᵢ serve two right-hand sides: [UUᵀ, sym(UVᵀ)] packed.
        let (mut p, mut q) = (vec![0.0; np], vec![0.0; np]);
        pack_gram(x, x, rank, &mut p);
        pack_gram(x, v, rank, &mut q);
        let (mut w_residual, mut w_direction) = (vec![0.0; np], vec![0.0; np]);
        for (s, yi) in self.sensing.as_slice().chunks_exact(np).zip(&self.y) {
            let (sp, sq) = dot2(s, &p, &q);
            let (ri, two_qi) = (sp - yi, 2.0 * sq);
            for ((wr, wq), si) in w_residual.iter_mut().zip(&mut w_direction).zip(s) {
                *wr += ri * si;
                *wq += two_qi * si;
            }
        }
        let g_residual = unpack(&w_residual, n);
        let g_direction = unpack(&w_direction, n);
        // (∇²f·V)ᵀ = (1/m)[Vᵀ𝒜*(r) + Uᵀ𝒜*(2q)].
        let inv_m = 1.0 / m as f64;
        let ut = DMatrixView::from_slice(x, rank, n);
        let vt = DMatrixView::from_slice(v, rank, n);
        let mut h = DMatrixViewMut::from_slice(out, rank, n);
        h.gemm(inv_m, &vt, &g_residual, 0.0);
        h.gemm(inv_m, &ut, &g_direction, 1.0);
    }

    fn optimum(&self) -> Option<f64> {
        self.exact_truth().map(|_| 0.0)
    }

    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        skew_directions(&[x], self.rank)
    }

    fn symmetry_structure(&self, x: &[f64]) -> Option<SymmetryStructure> {
        Some(rotation_structure(&[x.len()], self.rank))
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let mut points = vec![KnownPoint::new(
            "zeros",
            vec![0.0; self.dim()],
            self.zeros_verdict,
        )];
        if let Some(u) = self.exact_truth() {
            let (n, r, k) = (self.n, self.rank, u.ncols());
            let mut x = vec![0.0; n * r];
            for row in 0..n {
                for c in 0..k {
                    x[row * r + c] = u[(row, c)];
                }
            }
            points.push(KnownPoint::new("truth", x, Verdict::GlobalMin));
        }
        points
    }

    fn data(&self) -> Vec<DataArray> {
        let (n, m) = (self.n, self.y.len());
        let mut a = Vec::with_capacity(m * n * n);
        for s in self.sensing.column_iter() {
            a.extend(unpack(s.as_slice(), n).transpose().as_slice());
        }
        vec![
            DataArray::new("a", &[m, n, n], a),
            DataArray::new("y", &[m], self.y.clone()),
        ]
    }

    fn layout(&self) -> Layout {
        Layout::single("U", &[self.n, self.rank])
    }

    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        Some(self)
    }
}

impl FiniteSum for MatrixSensing {
    fn samples(&self) -> usize {
        self.y.len()
    }

    /// One pass over the Sᵢ of the batch, forming rᵢ and adding rᵢSᵢ while Sᵢ is in
    /// cache; O(|B| n² + n²r).
    fn batch_value_and_gradient(&self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        assert_eq!(x.len(), self.dim(), "matrix_sensing: point length");
        assert!(!batch.is_empty(), "matrix_sensing: empty batch");
        let np = self.sensing.nrows();
        let mut gram = vec![0.0; np];
        pack_gram(x, x, self.rank, &mut gram);
        let mut weighted = vec![0.0; np];
        let mut sum_squares = 0.0;
        for &i in batch {
            let s = &self.sensing.as_slice()[i * np..(i + 1) * np];
            let r = dot(s, &gram) - self.y[i];
            sum_squares += r * r;
            weighted.iter_mut().zip(s).for_each(|(w, s)| *w += r * s);
        }
        let size = batch.len() as f64;
        let g_matrix = unpack(&weighted, self.n);
        let ut = DMatrixView::from_slice(x, self.rank, self.n);
        let mut g = DMatrixViewMut::from_slice(grad, self.rank, self.n);
        g.gemm(1.0 / size, &ut, &g_matrix, 0.0);
        sum_squares / (4.0 * size)
    }
}

/// (s·a, s·b) in one pass, with four partial sums each (vectorisable).
fn dot2(s: &[f64], a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut sa, mut sb) = ([0.0; 4], [0.0; 4]);
    let (s4, a4, b4) = (s.chunks_exact(4), a.chunks_exact(4), b.chunks_exact(4));
    let (s_tail, a_tail, b_tail) = (s4.remainder(), a4.remainder(), b4.remainder());
    for ((s, a), b) in s4.zip(a4).zip(b4) {
        for k in 0..4 {
            sa[k] += s[k] * a[k];
            sb[k] += s[k] * b[k];
        }
    }
    let tail = |t: &[f64]| s_tail.iter().zip(t).map(|(s, t)| s * t).sum::<f64>();
    (
        sa.iter().sum::<f64>() + tail(a_tail),
        sb.iter().sum::<f64>() + tail(b_tail),
    )
}

/// n(n+1)/2, the length of a packed symmetric n×n matrix.
fn packed_len(n: usize) -> usize {
    n * (n + 1) / 2
}

/// Packs (A + Aᵀ)/2 for A given entrywise by `entry(row, col)`.
fn pack_symmetric_part(entry: impl Fn(usize, usize) -> f64, n: usize, out: &mut [f64]) {
    let mut idx = 0;
    for k in 0..n {
        out[idx] = entry(k, k);
        idx += 1;
        for l in k + 1..n {
            out[idx] = SQRT_2 * 0.5 * (entry(k, l) + entry(l, k));
            idx += 1;
        }
    }
}

/// Packs (XYᵀ + YXᵀ)/2 for row-major X, Y with `r` columns.
fn pack_gram(x: &[f64], y: &[f64], r: usize, out: &mut [f64]) {
    let rows = x.len() / r;
    let mut idx = 0;
    for k in 0..rows {
        let (xk, yk) = (&x[k * r..(k + 1) * r], &y[k * r..(k + 1) * r]);
        out[idx] = dot(xk, yk);
        idx += 1;
        for l in k + 1..rows {
            let (xl, yl) = (&x[l * r..(l + 1) * r], &y[l * r..(l + 1) * r]);
            out[idx] = SQRT_2 * 0.5 * (dot(xk, yl) + dot(yk, xl));
            idx += 1;
        }
    }
}

/// The symmetric n×n matrix of a packed vector.
fn unpack(packed: &[f64], n: usize) -> DMatrix<f64> {
    let mut g = DMatrix::zeros(n, n);
    let mut idx = 0;
    for k in 0..n {
        g[(k, k)] = packed[idx];
        idx += 1;
        for l in k + 1..n {
            let value = packed[idx] / SQRT_2;
            g[(k, l)] = value;
            g[(l, k)] = value;
            idx += 1;
        }
    }
    g
}
