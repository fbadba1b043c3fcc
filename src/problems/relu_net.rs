//! `relu_net`: the population loss of a two-layer ReLU network fitting a ReLU teacher
//! (Safran & Shamir 2018, "Spurious local minima are common in two-layer ReLU neural
//! networks"):
//!
//!   F(W) = ½ E_{x~N(0,I)} (Σᵢ \[wᵢᵀx\]₊ − Σⱼ \[vⱼᵀx\]₊)²
//!        = ½ Σᵢ,ᵢ' g(wᵢ, wᵢ') − Σᵢ,ⱼ g(wᵢ, vⱼ) + ½ Σⱼ,ⱼ' g(vⱼ, vⱼ'),
//!
//! with the arc-cosine kernel g(w, v) = E\[[wᵀx\]₊\[vᵀx\]₊] = ‖w‖‖v‖(sin θ + (π−θ)cos θ)/(2π),
//! θ = ∠(w, v) ∈ [0, π] (computed as atan2(‖P_w v̄‖, w̄ᵀv̄)). g(w, w) = ‖w‖²/2.
//!
//! # Derivatives
//! Writing w̄ = w/‖w‖, P_w = I − w̄w̄ᵀ, p = P_w v̄, q = P_v w̄ (‖p‖ = ‖q‖ = sin θ = s):
//! - ∂g/∂w = (‖v‖ s w̄ + (π−θ) v)/(2π) (the dθ terms cancel);
//! - ∂²g/∂w² = ‖v‖/(2π‖w‖) · (s P_w + ppᵀ/s);
//! - ∂²g/∂w∂v = (s w̄v̄ᵀ + (π−θ) I + pqᵀ/s)/(2π) (maps a change of v to one of ∂g/∂w).
//!
//! The terms ppᵀ/s, pqᵀ/s are O(s): at θ ∈ {0, π} (s = 0) g is still C² (it behaves
//! like wᵀv/2 + O(θ³) or O((π−θ)³)), and the code uses these limits: the /s terms are
//! dropped when s = 0, so nothing is ever divided by zero and values stay finite.
//! Then ∇_{wᵢ}F = wᵢ/2 + Σ_{i'≠i} ∂₁g(wᵢ, wᵢ') − Σⱼ ∂₁g(wᵢ, vⱼ), and the HVP applies the
//! blocks above (the self term ‖wᵢ‖²/4 contributes uᵢ/2).
//!
//! # Non-differentiable points
//! g(·, v) is positively homogeneous of degree 1, so F is not differentiable where some
//! wᵢ = 0 (its value is; g(0, ·) = 0). Convention there: every pair term with wᵢ = 0 —
//! g(wᵢ, ·) or g(·, wᵢ) — contributes 0 to the gradient and to the HVP (the 0
//! subgradient of g(·, v) at 0); the smooth self term ‖wᵢ‖²/4 keeps gradient wᵢ/2 = 0 and
//! Hessian I/2.
//!
//! # Known points
//! - `truth` (n ≥ k): each teacher neuron vⱼ is split into cⱼ parallel copies vⱼ/cⱼ
//!   (rows assigned round-robin: row i copies teacher i mod k), so
//!   Σᵢ \[wᵢᵀx\]₊ = Σⱼ \[vⱼᵀx\]₊ identically and F = 0 = f* (`global_min`, as F ≥ 0). For
//!   n = k this is W = V. No row is zero, so F is twice differentiable there.
//!
//! f* = 0 when n ≥ k. Symmetries: none continuous (permuting the rows is discrete).
//!
//! # Instances
//! `teacher` (k×d, nonzero rows vⱼ), or `k` with d = k and vⱼ = eⱼ; `n` = student width
//! (default k). Nothing is random. Layout: `W[n×d]`, row-major.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::dot;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{
    self, required, Data, DefaultText::*, FieldDoc, OptionalData, Params,
};
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;

/// The spec fields of `relu_net`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReluNetParams {
    /// Student width (default k).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Teacher width (required unless `teacher`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// The teacher's rows vⱼ, k×d (identity when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teacher: Option<Data>,
    /// Unused: the instance is deterministic.
    pub seed: u64,
}

impl Params for ReluNetParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "n",
            default: Text("k"),
            doc: "student width n (rows of W)",
        },
        FieldDoc {
            name: "k",
            default: Text("required unless `teacher`"),
            doc: "teacher width; then d = k and vⱼ = eⱼ",
        },
        FieldDoc {
            name: "teacher",
            default: Text("identity (vⱼ = eⱼ)"),
            doc: "teacher weights as a k×d matrix (rows vⱼ)",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "relu_net",
    description: "two-layer ReLU network, population loss on a ReLU teacher \
                  (Safran & Shamir 2018): ½E(Σᵢ[wᵢᵀx]₊ − Σⱼ[vⱼᵀx]₊)²",
    fields: params::listing::<ReluNetParams>,
    shipped_spec: include_str!("../../problems/relu_net.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(ReluNet::from_spec(spec)?)),
};

/// The Safran–Shamir population ReLU objective.
#[derive(Clone, Debug)]
pub struct ReluNet {
    n: usize,
    d: usize,
    k: usize,
    /// Teacher rows vⱼ, row-major k×d.
    teacher: Vec<f64>,
    /// Their unit directions and norms.
    teacher_units: Vec<f64>,
    teacher_norms: Vec<f64>,
    /// ½ Σⱼ,ⱼ' g(vⱼ, vⱼ').
    teacher_energy: f64,
}

/// A neuron as its unit direction and norm (unit = 0 when the norm is 0).
#[derive(Clone, Copy)]
struct Neuron<'a> {
    unit: &'a [f64],
    norm: f64,
}

/// Writes the unit rows of the row-major `rows` (rows of length d) into `units` and
/// returns the norms.
fn normalise_rows(rows: &[f64], d: usize, units: &mut [f64]) -> Vec<f64> {
    rows.chunks(d)
        .zip(units.chunks_mut(d))
        .map(|(row, unit)| {
            let norm = dot(row, row).sqrt();
            let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
            unit.iter_mut().zip(row).for_each(|(u, r)| *u = inv * r);
            norm
        })
        .collect()
}

/// The pair quantities of g(w, v) for nonzero w, v.
struct Pair {
    /// cos θ = w̄ᵀv̄.
    c: f64,
    /// sin θ = ‖v̄ − c w̄‖ = ‖P_w v̄‖, computed without the cancellation of √(1 − c²).
    s: f64,
    theta: f64,
}

impl Pair {
    /// None when either vector is zero (the convention of the module doc).
    fn new(w: Neuron, v: Neuron) -> Option<Pair> {
        if w.norm == 0.0 || v.norm == 0.0 {
            return None;
        }
        let c = dot(w.unit, v.unit);
        let s = w
            .unit
            .iter()
            .zip(v.unit)
            .map(|(w, v)| (v - c * w) * (v - c * w))
            .sum::<f64>()
            .sqrt();
        Some(Pair {
            c,
            s,
            theta: s.atan2(c),
        })
    }
}

/// g(w, v) = ‖w‖‖v‖(sin θ + (π−θ)cos θ)/(2π); 0 when either is zero.
pub fn arccos_kernel(w: &[f64], v: &[f64]) -> f64 {
    let (mut wu, mut vu) = (vec![0.0; w.len()], vec![0.0; v.len()]);
    let nw = normalise_rows(w, w.len().max(1), &mut wu)[0];
    let nv = normalise_rows(v, v.len().max(1), &mut vu)[0];
    kernel(
        Neuron {
            unit: &wu,
            norm: nw,
        },
        Neuron {
            unit: &vu,
            norm: nv,
        },
    )
}

fn kernel(w: Neuron, v: Neuron) -> f64 {
    Pair::new(w, v).map_or(0.0, |p| {
        w.norm * v.norm * (p.s + (std::f64::consts::PI - p.theta) * p.theta.cos()) / TWO_PI
    })
}

/// out += sign · ∂g/∂w (w, v) = sign · ‖v‖(s w̄ + (π−θ) v̄)/(2π).
fn add_grad(w: Neuron, v: Neuron, sign: f64, out: &mut [f64]) {
    let Some(p) = Pair::new(w, v) else { return };
    let a = sign * v.norm * p.s / TWO_PI;
    let b = sign * v.norm * (std::f64::consts::PI - p.theta) / TWO_PI;
    out.iter_mut()
        .zip(w.unit.iter().zip(v.unit))
        .for_each(|(o, (w, v))| *o += a * w + b * v);
}

/// out += sign · (∂²g/∂w² · u + ∂²g/∂w∂v · u_v), u_v = None for a fixed v (teacher).
fn add_hvp(w: Neuron, v: Neuron, u: &[f64], u_v: Option<&[f64]>, sign: f64, out: &mut [f64]) {
    let Some(Pair { c, s, theta }) = Pair::new(w, v) else {
        return;
    };
    let (wb, vb) = (w.unit, v.unit);
    // p = v̄ − c w̄ = P_w v̄ (‖p‖ = s exactly as computed), q = w̄ − c v̄ = P_v w̄.
    let (mut wb_u, mut p_u) = (0.0, 0.0);
    for i in 0..u.len() {
        wb_u += wb[i] * u[i];
        p_u += (vb[i] - c * wb[i]) * u[i];
    }
    // ∂²g/∂w²·u = ‖v‖/(2π‖w‖) (s (u − w̄ w̄ᵀu) + p pᵀu / s); the last term → 0 as s → 0.
    let outer = sign * v.norm / (TWO_PI * w.norm);
    let p_coef = if s > 0.0 { p_u / s } else { 0.0 };
    for i in 0..u.len() {
        out[i] += outer * (s * (u[i] - wb[i] * wb_u) + (vb[i] - c * wb[i]) * p_coef);
    }
    if let Some(uv) = u_v {
        // ∂²g/∂w∂v·u_v = (s w̄ v̄ᵀu_v + (π−θ) u_v + p qᵀu_v / s)/(2π).
        let (mut vb_uv, mut q_uv) = (0.0, 0.0);
        for i in 0..uv.len() {
            vb_uv += vb[i] * uv[i];
            q_uv += (wb[i] - c * vb[i]) * uv[i];
        }
        let q_coef = if s > 0.0 { q_uv / s } else { 0.0 };
        let (a, b) = (
            sign * s * vb_uv / TWO_PI,
            sign * (std::f64::consts::PI - theta) / TWO_PI,
        );
        let q_coef = sign * q_coef / TWO_PI;
        for i in 0..uv.len() {
            out[i] += a * wb[i] + b * uv[i] + (vb[i] - c * wb[i]) * q_coef;
        }
    }
}

impl ReluNet {
    /// A student of width `n` for the teacher rows of `teacher` (k×d).
    ///
    /// Errors if `n` is 0, the teacher is empty or has a non-finite entry, or a teacher
    /// row is zero.
    pub fn new(n: usize, teacher: &DMatrix<f64>) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        if teacher.is_empty() {
            return Err(Error::invalid(
                "teacher",
                "a non-empty k×d matrix",
                format!("{}×{}", teacher.nrows(), teacher.ncols()),
            ));
        }
        ensure_finite("teacher", teacher.as_slice())?;
        let (k, d) = teacher.shape();
        let rows: Vec<f64> = crate::linalg::row_major(teacher);
        let mut units = vec![0.0; k * d];
        let norms = normalise_rows(&rows, d, &mut units);
        if let Some(j) = norms.iter().position(|&v| v <= 0.0) {
            return Err(Error::invalid(
                "teacher",
                "nonzero rows vⱼ",
                format!("row {j} = 0"),
            ));
        }
        let mut net = ReluNet {
            n,
            d,
            k,
            teacher: rows,
            teacher_units: units,
            teacher_norms: norms,
            teacher_energy: 0.0,
        };
        for j in 0..k {
            for jj in 0..k {
                net.teacher_energy += 0.5 * kernel(net.v(j), net.v(jj));
            }
        }
        Ok(net)
    }

    /// Builds from a spec (`n`, and `k` or `teacher`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: ReluNetParams = spec.params()?;
        let teacher = match p.teacher.matrix("teacher", spec.base_dir())? {
            Some(t) => {
                if t.nrows() == 0 || t.ncols() == 0 {
                    return Err(Error::invalid(
                        "teacher",
                        "a non-empty k×d matrix",
                        format!("{}×{}", t.nrows(), t.ncols()),
                    ));
                }
                if let Some(j) = (0..t.nrows()).find(|&j| t.row(j).iter().all(|&v| v == 0.0)) {
                    return Err(Error::invalid(
                        "teacher",
                        "nonzero rows vⱼ",
                        format!("row {j} = 0"),
                    ));
                }
                if let Some(k) = p.k {
                    if k != t.nrows() {
                        return Err(Error::invalid(
                            "k",
                            format!("the number of teacher rows, {}", t.nrows()),
                            k,
                        ));
                    }
                }
                t
            }
            None => {
                let k = required(p.k, KIND.name, "k", "a non-negative integer")?;
                if k == 0 {
                    return Err(Error::invalid("k", "a positive integer", 0));
                }
                DMatrix::identity(k, k)
            }
        };
        let n = p.n.unwrap_or(teacher.nrows());
        if n == 0 {
            return Err(Error::invalid("n", "a positive integer", 0));
        }
        ReluNet::new(n, &teacher)
    }

    /// Teacher neuron j.
    fn v(&self, j: usize) -> Neuron<'_> {
        Neuron {
            unit: &self.teacher_units[j * self.d..(j + 1) * self.d],
            norm: self.teacher_norms[j],
        }
    }

    /// The student rows as unit directions (written into `units`) and norms.
    fn students<'a>(&self, w: &[f64], units: &'a mut Vec<f64>) -> Vec<Neuron<'a>> {
        units.resize(w.len(), 0.0);
        let norms = normalise_rows(w, self.d, units);
        units
            .chunks(self.d)
            .zip(norms)
            .map(|(unit, norm)| Neuron { unit, norm })
            .collect()
    }
}

impl Objective for ReluNet {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.n * self.d
    }

    fn value(&self, w: &[f64]) -> f64 {
        let mut units = Vec::new();
        let rows = self.students(w, &mut units);
        let mut value = self.teacher_energy;
        for (i, &wi) in rows.iter().enumerate() {
            value += 0.25 * wi.norm * wi.norm;
            for &wii in &rows[i + 1..] {
                value += kernel(wi, wii);
            }
            for j in 0..self.k {
                value -= kernel(wi, self.v(j));
            }
        }
        value
    }

    fn gradient(&self, w: &[f64], grad: &mut [f64]) {
        let d = self.d;
        let mut units = Vec::new();
        let rows = self.students(w, &mut units);
        for (i, (&wi, gi)) in rows.iter().zip(grad.chunks_mut(d)).enumerate() {
            gi.iter_mut()
                .zip(&w[i * d..(i + 1) * d])
                .for_each(|(g, w)| *g = 0.5 * w);
            for (ii, &wii) in rows.iter().enumerate() {
                if ii != i {
                    add_grad(wi, wii, 1.0, gi);
                }
            }
            for j in 0..self.k {
                add_grad(wi, self.v(j), -1.0, gi);
            }
        }
    }

    fn hvp(&self, w: &[f64], u: &[f64], out: &mut [f64]) {
        let d = self.d;
        let mut units = Vec::new();
        let rows = self.students(w, &mut units);
        for (i, (&wi, oi)) in rows.iter().zip(out.chunks_mut(d)).enumerate() {
            let ui = &u[i * d..(i + 1) * d];
            oi.iter_mut().zip(ui).for_each(|(o, u)| *o = 0.5 * u);
            for (ii, &wii) in rows.iter().enumerate() {
                if ii != i {
                    add_hvp(wi, wii, ui, Some(&u[ii * d..(ii + 1) * d]), 1.0, oi);
                }
            }
            for j in 0..self.k {
                add_hvp(wi, self.v(j), ui, None, -1.0, oi);
            }
        }
    }

    fn optimum(&self) -> Option<f64> {
        (self.n >= self.k).then_some(0.0)
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        if self.n < self.k {
            return Vec::new();
        }
        let copies = |j: usize| (self.n - j).div_ceil(self.k);
        let mut w = vec![0.0; self.dim()];
        for i in 0..self.n {
            let j = i % self.k;
            let scale = 1.0 / copies(j) as f64;
            for c in 0..self.d {
                w[i * self.d + c] = scale * self.teacher[j * self.d + c];
            }
        }
        vec![KnownPoint::new("truth", w, Verdict::GlobalMin)]
    }

    fn layout(&self) -> Layout {
        Layout::single("W", &[self.n, self.d])
    }
}
