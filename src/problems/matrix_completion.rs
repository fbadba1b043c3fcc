//! `matrix_completion`: positive semidefinite matrix completion with the row-norm
//! regulariser of Ge, Lee & Ma (2016), "Matrix completion has no spurious local minimum"
//! (NeurIPS 2016):
//!
//!   f(U) = (1/(4p)) Σ_{(i,j)∈Ω} ((UUᵀ)ᵢⱼ − Mᵢⱼ)² + λ Σᵢ (‖Uᵢ‖ − α)₊⁴,   U ∈ ℝ^{n×r},
//!
//! Uᵢ the i-th row of U, Ω ⊂ \[n\]×\[n\] a symmetric set of observed entries
//! ((i,j) ∈ Ω ⇔ (j,i) ∈ Ω). The sum runs over *ordered* pairs: an observed off-diagonal
//! entry counts twice (as (i,j) and (j,i)), a diagonal one once. With Ω the full set and
//! p = 1, λ = 0 this is `matrix_factorization`'s ¼‖UUᵀ − M‖²_F.
//!
//! # Derivatives
//! Write S = P_Ω(UUᵀ − M) (the residual on Ω, zero elsewhere; symmetric), ρᵢ = ‖Uᵢ‖ and
//! eᵢ = (ρᵢ − α)₊.
//! - gradient: ∇f(U) = (1/p) S U, plus, per row, λ·4eᵢ³ Uᵢ/ρᵢ;
//! - HVP: ∇²f(U)\[V\] = (1/p) (S V + P_Ω(UVᵀ + VUᵀ) U), plus, per row,
//!   λ[(12eᵢ²/ρᵢ² − 4eᵢ³/ρᵢ³)(Uᵢ·Vᵢ) Uᵢ + (4eᵢ³/ρᵢ) Vᵢ].
//!
//! t ↦ (t − α)₊⁴ is C³, so the gradient and HVP are exact everywhere with ρᵢ > 0. The row
//! norm is not differentiable at Uᵢ = 0, but for α > 0 the regulariser vanishes on the
//! ball ρᵢ ≤ α around it, and for α = 0 it is λ‖Uᵢ‖⁴, a polynomial whose gradient and
//! Hessian vanish at 0; either way the row's regulariser terms are zero whenever ρᵢ ≤ α,
//! which is what the code does (α ≥ 0 is required).
//!
//! Cost: value and gradient O(|Ω| r + n r), the HVP about 2.5× the gradient. Ω is stored
//! as compressed sparse rows (both (i,j) and (j,i)) with the observed values of M; no
//! n×n matrix is ever formed.
//!
//! # Instances
//! - generated (fields `n`, `true_rank`, `p`): with the generator `rng(seed)`, first
//!   U* ∈ ℝ^{n×true_rank} with iid N(0, 1/n) entries (drawn row-major, i.e. the N(0,1)
//!   stream fills U* row by row, then scaled by 1/√n), then for each i ≤ j in row-major
//!   order one uniform u ∈ [0,1): (i,j) ∈ Ω iff u < p, mirrored to (j,i).
//!   M = U*U*ᵀ (only its entries on Ω are stored).
//! - given as data (`m`, n×n symmetric, and `mask`, an n×n symmetric 0/1 matrix, default
//!   all ones): Ω = {(i,j) : maskᵢⱼ = 1}; p defaults to the observed fraction |Ω|/n².
//!
//! Defaults: α = 2·√(maxᵢ Mᵢᵢ) (= twice the largest row norm of U* for M = U*U*ᵀ, so the
//! regulariser vanishes on a neighbourhood of the ground truth and of its whole orbit
//! U*R), λ = 1 (the regulariser then only acts on rows far larger than the truth's, in
//! the spirit of the paper, where it keeps iterates incoherent without biasing the
//! minimiser).
//!
//! # Known points
//! - `truth` (generated instances with rank ≥ true_rank and α ≥ maxᵢ‖U*ᵢ‖): U* padded
//!   with zero columns. The data term and the regulariser vanish there, f ≥ 0, so it is a
//!   `global_min` with f* = 0.
//! - `zeros`: U = 0. S = −P_Ω(M) and every term of ∇f has a factor U, so ∇f(0) = 0; the
//!   Hessian is ∇²f(0)\[V\] = −(1/p) P_Ω(M) V, i.e. −(1/p) P_Ω(M) ⊗ I_r (the regulariser's
//!   Hessian is zero at 0). Its smallest eigenvalue is −λmax(P_Ω(M))/p. If P_Ω(M) has a
//!   positive observed diagonal entry, or is nonzero with non-negative trace (always the
//!   case for PSD M), then λmax(P_Ω(M)) > 0 and 0 is a `strict_saddle`. If P_Ω(M) = 0,
//!   f ≥ 0 = f(0): a `global_min`. Otherwise `zeros` is not listed.
//!
//! # Symmetries
//! f(UR) = f(U) for R ∈ O(r) (UUᵀ and the row norms are invariant), so the directions
//! U·K with K = E_ab − E_ba (a < b) span the tangent space of the orbit.
//!
//! Layout: `U[n×r]`, row-major.

use nalgebra::DMatrix;
use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::linalg::dot;
use crate::objective::{DataArray, KnownPoint, Layout, Objective, SymmetryStructure};
use crate::problems::low_rank::{rotation_structure, skew_directions};
use crate::problems::params::{
    self, missing, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{gaussian_matrix, rng, Generator};
use crate::verdict::Verdict;

/// HVPs with at least this many stored-entry × rank terms run in parallel.
const PARALLEL_WORK: usize = 1 << 16;

/// Rows per parallel task of the HVP.
const HVP_ROWS: usize = 256;

/// Rows of the upper triangle per parallel task when drawing Ω.
const PATTERN_ROWS: usize = 64;

/// Uniforms drawn per bulk fill of ChaCha's output when drawing Ω.
const PATTERN_WORDS: usize = 512;

/// The integer form of `u < p` for rand's uniform f64 u = (w >> 11)·2⁻⁵³ of a 64-bit
/// word w: u < p ⇔ (w >> 11) < p·2⁵³ ⇔ (w >> 11) < ⌈p·2⁵³⌉ (p·2⁵³ is exact: a power-of-two
/// scaling). Returns that bound, clamped to [0, 2⁵³].
fn uniform_below(p: f64) -> u64 {
    let t = (p * (1u64 << 53) as f64).ceil();
    if t.is_nan() || t <= 0.0 {
        0
    } else {
        t.min((1u64 << 53) as f64) as u64
    }
}

/// The observed pairs (i, j, m(i, j)), i ≤ j in row-major order, drawn from `rng`'s
/// stream as one uniform u per pair, (i, j) ∈ Ω iff u < p: the same draws, in the same
/// order, as a loop over the pairs would make. The stream is ChaCha's, so a block of rows
/// starts at a known position (each uniform takes two 32-bit words): blocks are drawn in
/// parallel and joined in order, the same on any thread count.
fn observed_pattern(
    rng: &Generator,
    n: usize,
    p: f64,
    m: impl Fn(usize, usize) -> f64 + Sync,
) -> Vec<(usize, usize, f64)> {
    let start = rng.get_word_pos();
    let threshold = uniform_below(p);
    // Pairs before row i: Σ_{a<i} (n − a).
    let before = |i: usize| (i * n - i * i.saturating_sub(1) / 2) as u128;
    let blocks: Vec<Vec<(usize, usize, f64)>> = (0..n.div_ceil(PATTERN_ROWS))
        .into_par_iter()
        .map(|block| {
            let rows = block * PATTERN_ROWS..((block + 1) * PATTERN_ROWS).min(n);
            let mut rng = rng.clone();
            rng.set_word_pos(start + 2 * before(rows.start));
            let mut found = Vec::new();
            let mut bytes = [0u8; 8 * PATTERN_WORDS];
            for i in rows {
                let mut j = i;
                while j < n {
                    // The next uniforms' 64-bit words in bulk: the same stream, two
                    // 32-bit words each, low word first.
                    let take = (n - j).min(PATTERN_WORDS);
                    rng.fill_bytes(&mut bytes[..8 * take]);
                    for (t, word) in bytes[..8 * take].chunks_exact(8).enumerate() {
                        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                        if word >> 11 < threshold {
                            found.push((i, j + t, m(i, j + t)));
                        }
                    }
                    j += take;
                }
            }
            found
        })
        .collect();
    blocks.concat()
}

/// The spec fields of `matrix_completion`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatrixCompletionParams {
    /// Side of M (required unless `m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Columns of U (default `true_rank` when generated; required with `m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Rank of the generated M (not allowed with `m`).
    pub true_rank: usize,
    /// Observation probability (default 0.5 when generated, |Ω|/n² with `mask`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Weight λ ≥ 0 of the regulariser.
    pub lambda: f64,
    /// Row-norm threshold α ≥ 0 (default twice the largest row norm of U*).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// The symmetric matrix M (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<Data>,
    /// Symmetric 0/1 matrix of observed entries (all ones when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<Data>,
    /// Seed of U* and Ω.
    pub seed: u64,
}

impl Default for MatrixCompletionParams {
    fn default() -> Self {
        MatrixCompletionParams {
            n: None,
            rank: None,
            true_rank: 2,
            p: None,
            lambda: 1.0,
            alpha: None,
            m: None,
            mask: None,
            seed: 0,
        }
    }
}

impl Params for MatrixCompletionParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("required unless `m`"),
            doc: "side of the n×n matrix M",
        },
        FieldDoc {
            name: "rank",
            default: Text("true_rank (generated); required with `m`"),
            doc: "number of columns r of U",
        },
        FieldDoc {
            name: "true_rank",
            default: Value,
            doc: "rank of the generated M = U*U*ᵀ, U* with iid N(0, 1/n) entries",
        },
        FieldDoc {
            name: "p",
            default: Text("0.5 (generated); the observed fraction |Ω|/n² with `mask`"),
            doc: "observation probability: each entry (i ≤ j) observed iid with probability p",
        },
        FieldDoc {
            name: "lambda",
            default: Value,
            doc: "weight λ ≥ 0 of the regulariser Σᵢ (‖Uᵢ‖ − α)₊⁴",
        },
        FieldDoc {
            name: "alpha",
            default: Text("2·√(maxᵢ Mᵢᵢ) (twice the largest row norm of U*)"),
            doc: "row-norm threshold α ≥ 0 of the regulariser",
        },
        FieldDoc {
            name: "m",
            default: Text("generated"),
            doc: "the symmetric n×n matrix M (rows, or a .npy path)",
        },
        FieldDoc {
            name: "mask",
            default: Text("all ones (with `m`)"),
            doc: "symmetric n×n 0/1 matrix of observed entries Ω",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "matrix_completion",
    description: "f(U) = (1/(4p)) Σ_Ω ((UUᵀ)ᵢⱼ − Mᵢⱼ)² + λ Σᵢ (‖Uᵢ‖ − α)₊⁴ (Ge, Lee & Ma 2016)",
    fields: params::listing::<MatrixCompletionParams>,
    shipped_spec: include_str!("../../problems/matrix_completion.toml"),
    replaces: &[("m", &["n", "true_rank", "p", "seed"])],
    build: |spec| Ok(Box::new(MatrixCompletion::from_spec(spec)?)),
};

/// Regularised PSD matrix completion, Ω stored as compressed sparse rows.
#[derive(Clone, Debug)]
pub struct MatrixCompletion {
    n: usize,
    rank: usize,
    p: f64,
    lambda: f64,
    alpha: f64,
    /// Row i of Ω is `cols[row_start[i]..row_start[i + 1]]`, sorted.
    row_start: Vec<usize>,
    cols: Vec<usize>,
    /// Mᵢⱼ for each stored (i, j).
    values: Vec<f64>,
    /// The ground truth U* (n × true_rank) of a generated instance.
    truth: Option<DMatrix<f64>>,
}

impl MatrixCompletion {
    /// An instance from its observed entries `(i, j, Mᵢⱼ)`, each unordered pair given once
    /// (either order; mirrored internally), with `rank` columns, observation probability
    /// `p`, regulariser weight `lambda` and threshold `alpha`.
    ///
    /// Errors on n = 0, rank = 0, an index ≥ n, a pair given twice, a non-finite value,
    /// p ∉ (0, 1], λ < 0 or α < 0 (or either not finite).
    pub fn new(
        n: usize,
        rank: usize,
        observed: &[(usize, usize, f64)],
        p: f64,
        lambda: f64,
        alpha: f64,
    ) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        if !(p > 0.0 && p <= 1.0) {
            return Err(Error::invalid("p", "a probability in (0, 1]", p));
        }
        for (field, value) in [("lambda", lambda), ("alpha", alpha)] {
            if !(value >= 0.0 && value.is_finite()) {
                return Err(Error::invalid(field, "a finite number ≥ 0", value));
            }
        }
        let mut entries = Vec::with_capacity(2 * observed.len());
        for &(i, j, m) in observed {
            if i >= n || j >= n {
                return Err(Error::invalid(
                    "observed",
                    format!("entries inside {n}×{n}"),
                    format!("entry ({i}, {j})"),
                ));
            }
            if !m.is_finite() {
                return Err(Error::invalid(
                    "observed",
                    "finite values",
                    format!("M[{i}][{j}] = {m}"),
                ));
            }
            entries.push((i, j, m));
            if i != j {
                entries.push((j, i, m));
            }
        }
        entries.sort_unstable_by_key(|&(i, j, _)| (i, j));
        let mut row_start = vec![0; n + 1];
        if let Some(w) = entries
            .windows(2)
            .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        {
            return Err(Error::invalid(
                "observed",
                "each unordered pair once",
                format!("entry ({}, {}) given twice", w[0].0, w[0].1),
            ));
        }
        for &(i, _, _) in &entries {
            row_start[i + 1] += 1;
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        Ok(MatrixCompletion {
            n,
            rank,
            p,
            lambda,
            alpha,
            row_start,
            cols: entries.iter().map(|e| e.1).collect(),
            values: entries.iter().map(|e| e.2).collect(),
            truth: None,
        })
    }

    /// A generated instance (see the module doc for the exact seeded procedure); `alpha`
    /// defaults to twice the largest row norm of U*.
    ///
    /// Errors as [`MatrixCompletion::new`], and if true_rank = 0 or true_rank > n.
    pub fn generated(
        n: usize,
        rank: usize,
        true_rank: usize,
        p: f64,
        lambda: f64,
        alpha: Option<f64>,
        seed: u64,
    ) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        if true_rank == 0 || true_rank > n {
            return Err(Error::invalid(
                "true_rank",
                format!("an integer in 1..={n}"),
                true_rank,
            ));
        }
        if !(p > 0.0 && p <= 1.0) {
            return Err(Error::invalid("p", "a probability in (0, 1]", p));
        }
        let mut rng = rng(seed);
        // gaussian_matrix fills column-major; draw Uᵀ so that the stream fills U row by row.
        let u_star = gaussian_matrix(&mut rng, true_rank, n).transpose() / (n as f64).sqrt();
        let observed = observed_pattern(&rng, n, p, |i, j| u_star.row(i).dot(&u_star.row(j)));
        let max_row = (0..n).map(|i| u_star.row(i).norm()).fold(0.0, f64::max);
        let mut problem = Self::new(
            n,
            rank,
            &observed,
            p,
            lambda,
            alpha.unwrap_or(2.0 * max_row),
        )?;
        problem.truth = Some(u_star);
        Ok(problem)
    }

    /// Builds from a spec (see [`KIND`] for the fields).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let params: MatrixCompletionParams = spec.params()?;
        let lambda = params.lambda;
        if lambda < 0.0 {
            return Err(Error::invalid("lambda", "a number ≥ 0", lambda));
        }
        let alpha = params.alpha;
        if let Some(a) = alpha.filter(|a| *a < 0.0) {
            return Err(Error::invalid("alpha", "a number ≥ 0", a));
        }
        let p = params.p;
        if let Some(p) = p.filter(|p| !(*p > 0.0 && *p <= 1.0)) {
            return Err(Error::invalid("p", "a probability in (0, 1]", p));
        }
        if params.m.is_some() {
            return Self::from_data(spec, &params, p, lambda, alpha);
        }
        if params.mask.is_some() {
            return Err(Error::invalid(
                "mask",
                "`mask` only together with `m`",
                "a mask without m",
            ));
        }
        let n = required(params.n, KIND.name, "n", "a non-negative integer")?;
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        let true_rank = params.true_rank;
        if true_rank == 0 {
            return Err(Error::invalid("true_rank", "a positive integer", 0));
        }
        if true_rank > n {
            return Err(Error::invalid(
                "true_rank",
                format!("at most n = {n}"),
                true_rank,
            ));
        }
        let rank = params.rank.unwrap_or(true_rank);
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        let p = p.unwrap_or(0.5);
        Self::generated(n, rank, true_rank, p, lambda, alpha, params.seed)
    }

    fn from_data(
        spec: &ProblemSpec,
        params: &MatrixCompletionParams,
        p: Option<f64>,
        lambda: f64,
        alpha: Option<f64>,
    ) -> Result<Self> {
        if spec.has("true_rank") {
            return Err(Error::invalid(
                "true_rank",
                "no `true_rank` when `m` is given",
                "both",
            ));
        }
        let dir = spec.base_dir();
        let Some(m) = params.m.symmetric("m", params.n, dir)? else {
            return Err(missing(KIND.name, "m", "the symmetric matrix M"));
        };
        let n = m.nrows();
        if n == 0 {
            return Err(Error::invalid("m", "a non-empty matrix", "0×0"));
        }
        let mask = match params.mask.symmetric("mask", Some(n), dir)? {
            Some(mask) => mask,
            None => DMatrix::from_element(n, n, 1.0),
        };
        if let Some(bad) = mask.iter().find(|v| **v != 0.0 && **v != 1.0) {
            return Err(Error::invalid("mask", "entries 0 or 1", bad));
        }
        let rank = required(
            params.rank,
            KIND.name,
            "rank",
            "the number of columns of U (required when `m` is given)",
        )?;
        if rank == 0 {
            return Err(Error::invalid("rank", "a positive integer", 0));
        }
        let mut observed = Vec::new();
        for i in 0..n {
            for j in i..n {
                if mask[(i, j)] == 1.0 {
                    observed.push((i, j, m[(i, j)]));
                }
            }
        }
        let count = mask.iter().filter(|v| **v == 1.0).count();
        if count == 0 {
            return Err(Error::invalid(
                "mask",
                "at least one observed entry",
                "all zeros",
            ));
        }
        let p = p.unwrap_or(count as f64 / (n * n) as f64);
        let max_diag = m.diagonal().iter().fold(0.0_f64, |a, &v| a.max(v));
        let alpha = alpha.unwrap_or(2.0 * max_diag.sqrt());
        Self::new(n, rank, &observed, p, lambda, alpha)
    }

    /// The observed entries (i, j, Mᵢⱼ) with i ≤ j.
    pub fn observed(&self) -> Vec<(usize, usize, f64)> {
        (0..self.n)
            .flat_map(|i| {
                (self.row_start[i]..self.row_start[i + 1])
                    .filter(move |&k| self.cols[k] >= i)
                    .map(move |k| (i, self.cols[k], self.values[k]))
            })
            .collect()
    }

    /// |Ω|, counting ordered pairs.
    pub fn observed_count(&self) -> usize {
        self.cols.len()
    }

    /// The observation probability p.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The regulariser's weight λ and threshold α.
    pub fn regulariser(&self) -> (f64, f64) {
        (self.lambda, self.alpha)
    }

    /// The ground truth U* (n × true_rank) of a generated instance.
    pub fn truth(&self) -> Option<&DMatrix<f64>> {
        self.truth.as_ref()
    }

    fn row<'a>(&self, x: &'a [f64], i: usize) -> &'a [f64] {
        &x[i * self.rank..(i + 1) * self.rank]
    }

    /// Σ over rows of the regulariser, optionally adding its gradient into `grad`.
    fn regulariser_value(&self, x: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
        if self.lambda == 0.0 {
            return 0.0;
        }
        let r = self.rank;
        let mut total = 0.0;
        for i in 0..self.n {
            let ui = self.row(x, i);
            let rho = dot(ui, ui).sqrt();
            if rho <= self.alpha {
                continue;
            }
            let e = rho - self.alpha;
            total += e.powi(4);
            if let Some(g) = grad.as_deref_mut() {
                let coef = self.lambda * 4.0 * e.powi(3) / rho;
                g[i * r..(i + 1) * r]
                    .iter_mut()
                    .zip(ui)
                    .for_each(|(g, u)| *g += coef * u);
            }
        }
        self.lambda * total
    }

    /// The data term (1/(4p)) Σ_Ω residual², writing (1/p) S U into `grad` if given.
    fn data_value(&self, x: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
        let r = self.rank;
        let mut total = 0.0;
        for i in 0..self.n {
            let ui = self.row(x, i);
            let mut gi = grad.as_deref_mut().map(|g| &mut g[i * r..(i + 1) * r]);
            if let Some(gi) = gi.as_deref_mut() {
                gi.fill(0.0);
            }
            for k in self.row_start[i]..self.row_start[i + 1] {
                if let Some(&ahead) = self.cols.get(k + PREFETCH_AHEAD) {
                    prefetch_row(x, ahead * r, r);
                }
                let uj = self.row(x, self.cols[k]);
                let residual = dot(ui, uj) - self.values[k];
                total += residual * residual;
                if let Some(gi) = gi.as_deref_mut() {
                    let coef = residual / self.p;
                    gi.iter_mut().zip(uj).for_each(|(g, u)| *g += coef * u);
                }
            }
        }
        total / (4.0 * self.p)
    }

    fn check_len(&self, x: &[f64]) {
        assert_eq!(x.len(), self.dim(), "matrix_completion: point length");
    }

    /// Row i of the HVP (see the module doc): `oi` ← (∇²f(U)[V])ᵢ.
    fn hvp_row(&self, x: &[f64], v: &[f64], i: usize, oi: &mut [f64]) {
        let inv_p = 1.0 / self.p;
        let (ui, vi) = (self.row(x, i), self.row(v, i));
        oi.fill(0.0);
        for k in self.row_start[i]..self.row_start[i + 1] {
            if let Some(&ahead) = self.cols.get(k + PREFETCH_AHEAD) {
                prefetch_row(x, ahead * self.rank, self.rank);
                prefetch_row(v, ahead * self.rank, self.rank);
            }
            let j = self.cols[k];
            let (uj, vj) = (self.row(x, j), self.row(v, j));
            let residual = dot(ui, uj) - self.values[k];
            let d_residual = dot(ui, vj) + dot(vi, uj);
            let (a, b) = (residual * inv_p, d_residual * inv_p);
            for ((o, vj), uj) in oi.iter_mut().zip(vj).zip(uj) {
                *o += a * vj + b * uj;
            }
        }
        if self.lambda == 0.0 {
            return;
        }
        let rho = dot(ui, ui).sqrt();
        if rho <= self.alpha {
            return;
        }
        let e = rho - self.alpha;
        let radial = self.lambda
            * (12.0 * e * e / (rho * rho) - 4.0 * e.powi(3) / rho.powi(3))
            * dot(ui, vi);
        let isotropic = self.lambda * 4.0 * e.powi(3) / rho;
        for ((o, u), v) in oi.iter_mut().zip(ui).zip(vi) {
            *o += radial * u + isotropic * v;
        }
    }

    fn truth_point(&self) -> Option<Vec<f64>> {
        let u_star = self.truth.as_ref()?;
        let max_row = (0..self.n)
            .map(|i| u_star.row(i).norm())
            .fold(0.0, f64::max);
        if u_star.ncols() > self.rank || max_row > self.alpha {
            return None;
        }
        let mut x = vec![0.0; self.dim()];
        for i in 0..self.n {
            for a in 0..u_star.ncols() {
                x[i * self.rank + a] = u_star[(i, a)];
            }
        }
        Some(x)
    }

    /// The verdict at U = 0 when the module doc's argument settles it.
    fn zeros_verdict(&self) -> Option<Verdict> {
        let mut trace = 0.0;
        let mut max_diag = f64::NEG_INFINITY;
        for i in 0..self.n {
            for k in self.row_start[i]..self.row_start[i + 1] {
                if self.cols[k] == i {
                    trace += self.values[k];
                    max_diag = max_diag.max(self.values[k]);
                }
            }
        }
        let nonzero = self.values.iter().any(|&v| v != 0.0);
        if !nonzero {
            Some(Verdict::GlobalMin)
        } else if max_diag > 0.0 || trace >= 0.0 {
            Some(Verdict::StrictSaddle)
        } else {
            None
        }
    }
}

impl Objective for MatrixCompletion {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n * self.rank
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.check_len(x);
        self.data_value(x, None) + self.regulariser_value(x, None)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.check_len(x);
        assert_eq!(grad.len(), self.dim(), "matrix_completion: gradient length");
        self.data_value(x, Some(grad)) + self.regulariser_value(x, Some(grad))
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        self.check_len(x);
        assert_eq!(v.len(), self.dim(), "matrix_completion: direction length");
        assert_eq!(out.len(), self.dim(), "matrix_completion: output length");
        let r = self.rank;
        // Rows are independent: blocks of rows in parallel once there is enough work,
        // each row computed exactly as in sequence (the result does not depend on the
        // thread count).
        if self.observed_count() * r < PARALLEL_WORK {
            out.chunks_mut(r)
                .enumerate()
                .for_each(|(i, oi)| self.hvp_row(x, v, i, oi));
        } else {
            out.par_chunks_mut(HVP_ROWS * r)
                .enumerate()
                .for_each(|(block, rows)| {
                    for (i, oi) in rows.chunks_mut(r).enumerate() {
                        self.hvp_row(x, v, block * HVP_ROWS + i, oi);
                    }
                });
        }
    }

    fn optimum(&self) -> Option<f64> {
        let zero_data = self.values.iter().all(|&v| v == 0.0);
        (zero_data || self.truth_point().is_some()).then_some(0.0)
    }

    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        self.check_len(x);
        skew_directions(&[x], self.rank)
    }

    fn symmetry_structure(&self, x: &[f64]) -> Option<SymmetryStructure> {
        Some(rotation_structure(&[x.len()], self.rank))
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let mut points = Vec::new();
        if let Some(x) = self.truth_point() {
            points.push(KnownPoint::new("truth", x, Verdict::GlobalMin));
        }
        if let Some(verdict) = self.zeros_verdict() {
            points.push(KnownPoint::new("zeros", vec![0.0; self.dim()], verdict));
        }
        points
    }

    fn data(&self) -> Vec<DataArray> {
        let n = self.n;
        let (mut m, mut mask) = (vec![0.0; n * n], vec![0.0; n * n]);
        for i in 0..n {
            for k in self.row_start[i]..self.row_start[i + 1] {
                m[i * n + self.cols[k]] = self.values[k];
                mask[i * n + self.cols[k]] = 1.0;
            }
        }
        vec![
            DataArray::new("m", &[n, n], m),
            DataArray::new("mask", &[n, n], mask),
            DataArray::scalar("p", self.p),
            DataArray::scalar("lambda", self.lambda),
            DataArray::scalar("alpha", self.alpha),
        ]
    }

    /// Ω as compressed sparse rows (scipy.sparse's `csr_matrix((values, indices,
    /// indptr))`; indices as exact floats), instead of the dense n×n `m` and `mask`.
    fn export_data(&self) -> Vec<DataArray> {
        let index = |v: &[usize]| v.iter().map(|&i| i as f64).collect::<Vec<_>>();
        vec![
            DataArray::new("indptr", &[self.n + 1], index(&self.row_start)),
            DataArray::new("indices", &[self.cols.len()], index(&self.cols)),
            DataArray::new("values", &[self.values.len()], self.values.clone()),
            DataArray::scalar("n", self.n as f64),
            DataArray::scalar("p", self.p),
            DataArray::scalar("lambda", self.lambda),
            DataArray::scalar("alpha", self.alpha),
        ]
    }

    fn layout(&self) -> Layout {
        Layout::single("U", &[self.n, self.rank])
    }
}

/// Entries of Ω ahead whose rows of U (and V) are prefetched: the rows uⱼ, vⱼ are
/// scattered over the whole of U and V, so each entry would otherwise wait on cache misses.
const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to bring the cache lines of x[start..start + len] in (a hint; no effect
/// on results). x86-64 only.
#[inline(always)]
fn prefetch_row(x: &[f64], start: usize, len: usize) {
    #[cfg(target_arch = "x86_64")]
    if start + len <= x.len() && len > 0 {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let first = x[start..].as_ptr() as *const i8;
        let last = x[start + len - 1..].as_ptr() as *const i8;
        // SAFETY: prefetching is a hint that never faults; both addresses are in bounds.
        unsafe {
            _mm_prefetch(first, _MM_HINT_T0);
            _mm_prefetch(last, _MM_HINT_T0);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (x, start, len);
}

#[cfg(test)]
mod tests {
    use super::*;

    use rand::Rng;

    /// (w >> 11) < uniform_below(p) decides exactly as rand's `random::<f64>() < p`, at
    /// random words and at the words on either side of the bound.
    #[test]
    fn integer_threshold_matches_the_uniform_comparison() {
        let scale = 1.0 / (1u64 << 53) as f64;
        let uniform = |w: u64| (w >> 11) as f64 * scale;
        let mut r = rng(3);
        let mut ps = vec![
            0.0,
            1e-300,
            1e-17,
            1e-3,
            0.1,
            0.25,
            1.0 / 3.0,
            0.5,
            0.999,
            1.0,
            2.0,
        ];
        ps.extend((0..50).map(|_| r.random::<f64>()));
        for p in ps {
            let t = uniform_below(p);
            let mut words: Vec<u64> = (0..2000).map(|_| r.next_u64()).collect();
            for k in [t.saturating_sub(1), t, t + 1] {
                words.push(k << 11);
                words.push((k << 11) | 0x7ff);
            }
            for w in words {
                assert_eq!(w >> 11 < t, uniform(w) < p, "p = {p}, w = {w:#x}");
            }
        }
    }
}
