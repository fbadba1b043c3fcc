//! `quadratic_net`: a one-hidden-layer network with quadratic activation, trained on a
//! planted teacher (Soltanolkotabi, Javanmard & Lee 2018; Du & Lee 2018, "On the power of
//! over-parametrization in neural networks with quadratic activation").
//!
//! Sample form (N = `samples` > 0), W ∈ ℝ^{k×d} with rows wⱼ, A = diag(a):
//!
//!   f(W) = (1/(2N)) Σᵢ (Σⱼ aⱼ (wⱼᵀxᵢ)² − yᵢ)² + (λ/2)‖W‖²_F,  yᵢ = Σₘ a*ₘ (w*ₘᵀxᵢ)².
//!
//! Population form (`samples` = 0), the expectation over x ~ N(0, I_d):
//!
//!   f(W) = ½(2‖D‖²_F + (tr D)²) + (λ/2)‖W‖²_F,  D = WᵀAW − W*ᵀA*W*,
//!
//! because E[(xᵀDx)²] = 2‖D‖²_F + (tr D)² for symmetric D (Isserlis).
//!
//! # Derivatives
//! Sample form, with Z = WX (zⱼᵢ = wⱼᵀxᵢ) and residuals rᵢ = Σⱼ aⱼ zⱼᵢ² − yᵢ:
//! - ∇f = (2/N) A (Z ∘ 1rᵀ) Xᵀ + λW;
//! - ∇²f·V = (2/N) A (Ż ∘ 1rᵀ + Z ∘ 1ṙᵀ) Xᵀ + λV, Ż = VX, ṙᵢ = 2 Σⱼ aⱼ zⱼᵢ żⱼᵢ
//!   (three k×d×N products against two for the gradient).
//!
//! Population form:
//! - ∇f = AW(4D + 2 tr D·I) + λW;
//! - ∇²f·V = AV(4D + 2 tr D·I) + AW(4Ḋ + 2 tr Ḋ·I) + λV, Ḋ = VᵀAW + WᵀAV.
//!
//! # Known points
//! - `zeros`, W = 0: always stationary (∇f is linear in W through AW or Z). The Hessian
//!   does *not* vanish: ∇²f(0) = blockdiag over rows j of (λI − aⱼM), with
//!   M = 4B + 2 tr B·I (population, B = W*ᵀA*W*) or M = (2/N) Σᵢ yᵢxᵢxᵢᵀ (samples);
//!   i.e. f(tV) = f(0) − (t²/2) Σⱼ aⱼ vⱼᵀMvⱼ + (λt²/2)‖V‖² + O(t⁴). With a* = ones, M ⪰ 0,
//!   so for a = ones and λ = 0 every eigenvalue λ − aⱼμ is negative when M ≻ 0 (the
//!   population form, and the sample form with N ≥ d): W = 0 is then a (strict) local
//!   maximum, f falling along every direction. The eigenvalues of ∇²f(0) are
//!   {λ − aⱼμ : j, μ ∈ spec(M)}; declared `local_max` when all are < 0, `strict_saddle`
//!   when some are < 0 and some > 0, `spurious_local_min`/`local_min` when all are > 0
//!   (f* known / unknown), omitted otherwise (a zero eigenvalue: inconclusive).
//! - `truth`, present when λ = 0 and at least `teacher_k` entries of a are positive: the
//!   m-th positive aⱼ (in index order) gets row wⱼ = w*ₘ/√aⱼ, every other row is 0, so
//!   WᵀAW = W*ᵀW* and f = 0 = f* (`global_min`, both forms, since yᵢ is realisable).
//!
//! f* = 0 exactly in the case where `truth` exists; otherwise unknown (None).
//!
//! # Symmetries
//! f depends on W only through WᵀAW and ‖W‖_F. Directions K·W with:
//! - λ = 0: KᵀA + AK = 0 (W ↦ QW, QᵀAQ = A; a hyperbolic rotation where aᵢaⱼ < 0).
//!   Basis: for i < j with aᵢ, aⱼ ≠ 0, row i += aⱼwⱼ, row j −= aᵢwᵢ; and for each row j
//!   with aⱼ = 0, every coordinate of that row (f does not depend on it);
//! - λ > 0: K skew commuting with A: for i < j with aᵢ = aⱼ, row i += wⱼ, row j −= wᵢ.
//!   Directions that vanish at W are left out.
//!
//! # Instances
//! From `seed`: first the teacher W* (`teacher_k`×d, filled row by row with N(0,1)/√d
//! entries), then the inputs x₁, …, x_N (each d iid N(0,1) entries, sample by sample);
//! a* = ones. Layout: `W[k×d]`, row-major.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::symmetric_eigenvalues_of;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{
    self, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::random::rng;
use crate::verdict::Verdict;

/// The spec fields of `quadratic_net`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuadraticNetParams {
    /// Input dimension (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<usize>,
    /// Student width (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// Teacher width (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teacher_k: Option<usize>,
    /// Number of samples; 0 is the population form.
    pub samples: usize,
    /// Weight-decay λ ≥ 0.
    pub weight_decay: f64,
    /// Output weights (all ones when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<Data>,
    /// Seed of the teacher and the samples.
    pub seed: u64,
}

impl Params for QuadraticNetParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "d",
            default: Text("required"),
            doc: "input dimension d",
        },
        FieldDoc {
            name: "k",
            default: Text("required"),
            doc: "student width k (rows of W)",
        },
        FieldDoc {
            name: "teacher_k",
            default: Text("required"),
            doc: "teacher width (rows of W*, entries N(0,1)/√d from the seed; a* = ones)",
        },
        FieldDoc {
            name: "samples",
            default: ValueThen(" (population form)"),
            doc: "number N of Gaussian samples; 0 = the expectation over x ~ N(0, I)",
        },
        FieldDoc {
            name: "weight_decay",
            default: Value,
            doc: "λ ≥ 0 of the penalty (λ/2)‖W‖²_F",
        },
        FieldDoc {
            name: "a",
            default: Text("all ones"),
            doc: "output weights of the student, a list of length k",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "quadratic_net",
    description: "quadratic-activation network on a planted teacher (Du & Lee 2018): \
                  (1/2N) Σᵢ (Σⱼ aⱼ (wⱼᵀxᵢ)² − yᵢ)² + (λ/2)‖W‖², or its Gaussian expectation",
    fields: params::listing::<QuadraticNetParams>,
    shipped_spec: include_str!("../../problems/quadratic_net.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(QuadraticNet::from_spec(spec)?)),
};

/// The quadratic-activation network objective.
#[derive(Clone, Debug)]
pub struct QuadraticNet {
    d: usize,
    k: usize,
    a: Vec<f64>,
    weight_decay: f64,
    teacher: DMatrix<f64>,
    /// B = W*ᵀW* (a* = ones), d×d.
    b: DMatrix<f64>,
    /// Samples as an N×d matrix (row i = xᵢᵀ); empty for the population form.
    x: DMatrix<f64>,
    /// The same samples as d×N (column i = xᵢ).
    xt: DMatrix<f64>,
    /// Targets yᵢ.
    y: Vec<f64>,
}

impl QuadraticNet {
    /// A network with teacher `teacher` (teacher_k×d, a* = ones), student output weights
    /// `a` (length k), penalty λ = `weight_decay`, and inputs `inputs` (d×N, one sample a
    /// column) or `None` for the population form.
    ///
    /// Errors on an empty teacher or `a`, inputs that are not d×N, a non-finite entry, or
    /// a negative or non-finite λ.
    pub fn new(
        teacher: DMatrix<f64>,
        a: Vec<f64>,
        weight_decay: f64,
        inputs: Option<DMatrix<f64>>,
    ) -> Result<Self> {
        let d = teacher.ncols();
        if teacher.is_empty() {
            return Err(Error::invalid(
                "teacher",
                "a non-empty teacher_k×d matrix",
                format!("{}×{}", teacher.nrows(), teacher.ncols()),
            ));
        }
        ensure_finite("teacher", teacher.as_slice())?;
        if a.is_empty() {
            return Err(Error::invalid("a", "a non-empty list", "an empty list"));
        }
        ensure_finite("a", &a)?;
        if !(weight_decay >= 0.0 && weight_decay.is_finite()) {
            return Err(Error::invalid(
                "weight_decay",
                "a finite λ ≥ 0",
                weight_decay,
            ));
        }
        if let Some(inputs) = &inputs {
            if inputs.nrows() != d {
                return Err(Error::invalid(
                    "inputs",
                    format!("a d×N matrix with d = {d}"),
                    format!("{}×{}", inputs.nrows(), inputs.ncols()),
                ));
            }
            ensure_finite("inputs", inputs.as_slice())?;
        }
        let b = teacher.tr_mul(&teacher);
        let (x, y) = match inputs {
            Some(inputs) => {
                let x = inputs.transpose();
                let y = (0..x.nrows())
                    .map(|i| {
                        let xi = x.row(i).transpose();
                        xi.dot(&(&b * &xi))
                    })
                    .collect();
                (x, y)
            }
            None => (DMatrix::zeros(0, d), Vec::new()),
        };
        let xt = x.transpose();
        Ok(QuadraticNet {
            d,
            k: a.len(),
            a,
            weight_decay,
            teacher,
            b,
            x,
            xt,
            y,
        })
    }

    /// Builds from a spec (see the module doc for how the instance is generated).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: QuadraticNetParams = spec.params()?;
        let d = required(p.d, KIND.name, "d", "a non-negative integer")?;
        let k = required(p.k, KIND.name, "k", "a non-negative integer")?;
        let teacher_k = required(
            p.teacher_k,
            KIND.name,
            "teacher_k",
            "a non-negative integer",
        )?;
        for (name, value) in [("d", d), ("k", k), ("teacher_k", teacher_k)] {
            if value == 0 {
                return Err(Error::invalid(name, "a positive integer", 0));
            }
        }
        let samples = p.samples;
        let weight_decay = p.weight_decay;
        if weight_decay < 0.0 {
            return Err(Error::invalid("weight_decay", "λ ≥ 0", weight_decay));
        }
        let a =
            p.a.vector("a", spec.base_dir())?
                .unwrap_or_else(|| vec![1.0; k]);
        if a.len() != k {
            return Err(Error::invalid(
                "a",
                format!("a list of length k = {k}"),
                format!("length {}", a.len()),
            ));
        }
        let mut rng = rng(p.seed);
        let scale = 1.0 / (d as f64).sqrt();
        let mut teacher = DMatrix::zeros(teacher_k, d);
        for m in 0..teacher_k {
            for c in 0..d {
                teacher[(m, c)] = scale * rng.sample::<f64, _>(StandardNormal);
            }
        }
        let inputs = (samples > 0).then(|| {
            let mut x = DMatrix::zeros(d, samples);
            for i in 0..samples {
                for c in 0..d {
                    x[(c, i)] = rng.sample(StandardNormal);
                }
            }
            x
        });
        QuadraticNet::new(teacher, a, weight_decay, inputs)
    }

    /// The teacher W* (teacher_k×d).
    pub fn teacher(&self) -> &DMatrix<f64> {
        &self.teacher
    }

    /// The inputs as an N×d matrix (row i = xᵢᵀ); 0×d for the population form.
    pub fn inputs(&self) -> &DMatrix<f64> {
        &self.x
    }

    /// The targets yᵢ (empty for the population form).
    pub fn targets(&self) -> &[f64] {
        &self.y
    }

    fn population(&self) -> bool {
        self.x.nrows() == 0
    }

    /// Wᵀ as a d×k column-major view of the row-major W.
    fn wt<'a>(&self, w: &'a [f64]) -> DMatrixView<'a, f64> {
        DMatrixView::from_slice(w, self.d, self.k)
    }

    /// D = WᵀAW − B (population form).
    fn gap(&self, w: &[f64]) -> DMatrix<f64> {
        let wt = self.wt(w);
        let mut aw = wt.into_owned();
        self.scale_columns_by_a(&mut aw);
        let mut gap = -self.b.clone();
        gap.gemm(1.0, &wt, &aw.transpose(), 1.0);
        gap
    }

    /// Multiplies column j of a d×k matrix (row j of W) by aⱼ.
    fn scale_columns_by_a(&self, m: &mut DMatrix<f64>) {
        for (j, mut col) in m.column_iter_mut().enumerate() {
            col *= self.a[j];
        }
    }

    /// Sample form: Zᵀ = XWᵀ (N×k) and the residuals r.
    fn forward(&self, w: &[f64]) -> (DMatrix<f64>, Vec<f64>) {
        let zt = &self.x * self.wt(w);
        let r = (0..zt.nrows())
            .map(|i| {
                (0..self.k)
                    .map(|j| self.a[j] * zt[(i, j)] * zt[(i, j)])
                    .sum::<f64>()
                    - self.y[i]
            })
            .collect();
        (zt, r)
    }

    fn penalty(&self, w: &[f64]) -> f64 {
        0.5 * self.weight_decay * w.iter().map(|v| v * v).sum::<f64>()
    }

    /// out ← λ·w, then out += Xᵀ M as the d×k view of the gradient (M is N×k).
    fn backward(&self, m: &DMatrix<f64>, w: &[f64], out: &mut [f64]) {
        out.iter_mut()
            .zip(w)
            .for_each(|(o, w)| *o = self.weight_decay * w);
        let mut gt = DMatrixViewMut::from_slice(out, self.d, self.k);
        // X (d×N) is stored too: `gemm_tr` with the N×d copy does not block.
        gt.gemm(1.0, &self.xt, m, 1.0);
    }

    /// Population ∇f into `out`, given D.
    fn population_gradient(&self, w: &[f64], gap: &DMatrix<f64>, out: &mut [f64]) {
        let trace = gap.trace();
        let mut awt = self.wt(w).into_owned();
        self.scale_columns_by_a(&mut awt);
        // (AW(4D + 2 tr D I))ᵀ = (4D + 2 tr D I)(AW)ᵀ, D symmetric.
        let mut gt = DMatrixViewMut::from_slice(out, self.d, self.k);
        gt.copy_from(&awt);
        gt *= 2.0 * trace;
        gt.gemm(4.0, gap, &awt, 1.0);
        gt.zip_apply(&self.wt(w), |g, w| *g += self.weight_decay * w);
    }

    /// The matrix M with ∇²f(0) = blockdiag(λI − aⱼM), see the module doc.
    fn zero_curvature(&self) -> DMatrix<f64> {
        if self.population() {
            let mut m = 4.0 * &self.b;
            let trace = self.b.trace();
            for c in 0..self.d {
                m[(c, c)] += 2.0 * trace;
            }
            m
        } else {
            let n = self.x.nrows() as f64;
            let mut yx = self.x.clone();
            for (i, mut row) in yx.row_iter_mut().enumerate() {
                row *= self.y[i];
            }
            yx.tr_mul(&self.x) * (2.0 / n)
        }
    }

    /// (λmin, λmax) of ∇²f(0) in closed form: the extremes of λ − aⱼμ over the output
    /// weights aⱼ and the eigenvalues μ of M.
    pub fn hessian_extremes_at_zero(&self) -> Option<(f64, f64)> {
        let mu = symmetric_eigenvalues_of(&self.zero_curvature()).ok()?;
        let (mu_min, mu_max) = (mu[0], mu[self.d - 1]);
        let candidates = self.a.iter().flat_map(|&aj| {
            [
                self.weight_decay - aj * mu_max,
                self.weight_decay - aj * mu_min,
            ]
        });
        Some(
            candidates.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            }),
        )
    }

    fn realisable(&self) -> bool {
        self.weight_decay == 0.0
            && self.a.iter().filter(|&&aj| aj > 0.0).count() >= self.teacher.nrows()
    }

    fn truth(&self) -> Vec<f64> {
        let mut w = vec![0.0; self.k * self.d];
        let positive = (0..self.k).filter(|&j| self.a[j] > 0.0);
        for (m, j) in positive.take(self.teacher.nrows()).enumerate() {
            let scale = 1.0 / self.a[j].sqrt();
            for c in 0..self.d {
                w[j * self.d + c] = scale * self.teacher[(m, c)];
            }
        }
        w
    }
}

impl Objective for QuadraticNet {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.k * self.d
    }

    fn value(&self, w: &[f64]) -> f64 {
        if self.population() {
            let gap = self.gap(w);
            let trace = gap.trace();
            0.5 * (2.0 * gap.norm_squared() + trace * trace) + self.penalty(w)
        } else {
            let (_, r) = self.forward(w);
            r.iter().map(|r| r * r).sum::<f64>() / (2.0 * r.len() as f64) + self.penalty(w)
        }
    }

    fn gradient(&self, w: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(w, grad);
    }

    fn value_and_gradient(&self, w: &[f64], grad: &mut [f64]) -> f64 {
        if self.population() {
            let gap = self.gap(w);
            self.population_gradient(w, &gap, grad);
            let trace = gap.trace();
            return 0.5 * (2.0 * gap.norm_squared() + trace * trace) + self.penalty(w);
        }
        let (mut m, r) = self.forward(w);
        let n = r.len() as f64;
        // M = (2/N) (Zᵀ ∘ r 1ᵀ) A.
        for j in 0..self.k {
            let scale = 2.0 * self.a[j] / n;
            for (i, z) in m.column_mut(j).iter_mut().enumerate() {
                *z *= scale * r[i];
            }
        }
        self.backward(&m, w, grad);
        r.iter().map(|r| r * r).sum::<f64>() / (2.0 * n) + self.penalty(w)
    }

    fn hvp(&self, w: &[f64], v: &[f64], out: &mut [f64]) {
        if self.population() {
            let gap = self.gap(w);
            let trace = gap.trace();
            let (wt, vt) = (self.wt(w), self.wt(v));
            let mut awt = wt.into_owned();
            self.scale_columns_by_a(&mut awt);
            let mut avt = vt.into_owned();
            self.scale_columns_by_a(&mut avt);
            // Ḋ = VᵀAW + WᵀAV; with Vᵀ = vt and (AW)ᵀ = awt, VᵀAW = vt·awtᵀ.
            let mut dgap = vt * awt.transpose();
            for r in 0..self.d {
                for c in 0..=r {
                    let sum = dgap[(r, c)] + dgap[(c, r)];
                    dgap[(r, c)] = sum;
                    dgap[(c, r)] = sum;
                }
            }
            let dtrace = dgap.trace();
            let mut ht = DMatrixViewMut::from_slice(out, self.d, self.k);
            ht.copy_from(&avt);
            ht *= 2.0 * trace;
            ht.gemm(4.0, &gap, &avt, 1.0);
            ht.gemm(4.0, &dgap, &awt, 1.0);
            ht.zip_apply(&awt, |h, aw| *h += 2.0 * dtrace * aw);
            ht.zip_apply(&vt, |h, v| *h += self.weight_decay * v);
            return;
        }
        let (zt, r) = self.forward(w);
        let zdot = &self.x * self.wt(v);
        let n = r.len() as f64;
        let rdot: Vec<f64> = (0..zt.nrows())
            .map(|i| {
                (0..self.k)
                    .map(|j| 2.0 * self.a[j] * zt[(i, j)] * zdot[(i, j)])
                    .sum()
            })
            .collect();
        let mut m = zdot;
        for j in 0..self.k {
            let scale = 2.0 * self.a[j] / n;
            for (i, zd) in m.column_mut(j).iter_mut().enumerate() {
                *zd = scale * (*zd * r[i] + zt[(i, j)] * rdot[i]);
            }
        }
        self.backward(&m, v, out);
    }

    fn optimum(&self) -> Option<f64> {
        self.realisable().then_some(0.0)
    }

    fn symmetry_directions(&self, w: &[f64]) -> Vec<Vec<f64>> {
        let (k, d) = (self.k, self.d);
        let row = |j: usize| &w[j * d..(j + 1) * d];
        let mut directions = Vec::new();
        let hyperbolic = self.weight_decay == 0.0;
        for i in 0..k {
            for j in (i + 1)..k {
                let (ai, aj) = (self.a[i], self.a[j]);
                let (si, sj) = if hyperbolic && ai != 0.0 && aj != 0.0 {
                    (aj, ai)
                } else if ai == aj && !(hyperbolic && ai == 0.0) {
                    (1.0, 1.0)
                } else {
                    continue;
                };
                let mut dir = vec![0.0; k * d];
                for c in 0..d {
                    dir[i * d + c] = si * row(j)[c];
                    dir[j * d + c] = -sj * row(i)[c];
                }
                if dir.iter().any(|&v| v != 0.0) {
                    directions.push(dir);
                }
            }
        }
        if hyperbolic {
            for j in (0..k).filter(|&j| self.a[j] == 0.0) {
                for c in 0..d {
                    let mut dir = vec![0.0; k * d];
                    dir[j * d + c] = 1.0;
                    directions.push(dir);
                }
            }
        }
        directions
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        let mut points = Vec::new();
        if let Some((lambda_min, lambda_max)) = self.hessian_extremes_at_zero() {
            let zeros = vec![0.0; self.dim()];
            let tol = 1e-10 * (1.0 + self.zero_curvature().amax());
            let verdict = if lambda_max < -tol {
                Some(Verdict::LocalMax)
            } else if lambda_min < -tol && lambda_max > tol {
                Some(Verdict::StrictSaddle)
            } else if lambda_min > tol {
                Some(match self.optimum() {
                    Some(_) => Verdict::SpuriousLocalMin,
                    None => Verdict::LocalMin,
                })
            } else {
                None
            };
            if let Some(verdict) = verdict {
                points.push(KnownPoint::new("zeros", zeros, verdict));
            }
        }
        if self.realisable() {
            points.push(KnownPoint::new("truth", self.truth(), Verdict::GlobalMin));
        }
        points
    }

    fn layout(&self) -> Layout {
        Layout::single("W", &[self.k, self.d])
    }
}
