//! `relu_net`: the population loss of a two-layer ReLU network fitting a ReLU teacher
//! (Safran & Shamir 2018, "Spurious local minima are common in two-layer ReLU neural
//! networks"):
//!
//!   F(W) = ½ E_{x~N(0,I)} (Σᵢ [wᵢᵀx]₊ − Σⱼ [vⱼᵀx]₊)²
//!        = ½ Σᵢ,ᵢ' g(wᵢ, wᵢ') − Σᵢ,ⱼ g(wᵢ, vⱼ) + ½ Σⱼ,ⱼ' g(vⱼ, vⱼ'),
//!
//! with the arc-cosine kernel g(w, v) = E[[wᵀx]₊[vᵀx]₊] = ‖w‖‖v‖(sin θ + (π−θ)cos θ)/(2π),
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
//!   Σᵢ [wᵢᵀx]₊ = Σⱼ [vⱼᵀx]₊ identically and F = 0 = f* (`global_min`, as F ≥ 0). For
//!   n = k this is W = V. No row is zero, so F is twice differentiable there.
//!
//! f* = 0 when n ≥ k. Symmetries: none continuous (permuting the rows is discrete).
//!
//! # Instances
//! `teacher` (k×d, rows vⱼ), or `k` with d = k and vⱼ = eⱼ; `n` = student width
//! (default k). Nothing is random. Layout: `W[n×d]`, row-major.

use nalgebra::DMatrix;

use crate::error::{Error, Result};
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::{Field, Kind, ProblemSpec};
use crate::verdict::Verdict;

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "relu_net",
    description: "two-layer ReLU network, population loss on a ReLU teacher \
                  (Safran & Shamir 2018): ½E(Σᵢ[wᵢᵀx]₊ − Σⱼ[vⱼᵀx]₊)²",
    fields: &[
        Field {
            name: "n",
            default: "k",
            doc: "student width n (rows of W)",
        },
        Field {
            name: "k",
            default: "required unless `teacher`",
            doc: "teacher width; then d = k and vⱼ = eⱼ",
        },
        Field {
            name: "teacher",
            default: "identity (vⱼ = eⱼ)",
            doc: "teacher weights as a k×d matrix (rows vⱼ)",
        },
    ],
    shipped_spec: include_str!("../../problems/relu_net.toml"),
    build: |spec| Ok(Box::new(ReluNet::from_spec(spec)?)),
};

/// The Safran–Shamir population ReLU objective.
#[derive(Clone, Debug)]
pub struct ReluNet {
    n: usize,
    d: usize,
    /// Teacher rows vⱼ, row-major k×d.
    teacher: Vec<f64>,
    k: usize,
    /// ½ Σⱼ,ⱼ' g(vⱼ, vⱼ').
    teacher_energy: f64,
}

/// The pair quantities of g(w, v) for nonzero w, v.
struct Pair {
    nw: f64,
    nv: f64,
    /// sin θ = ‖P_w v̄‖.
    s: f64,
    theta: f64,
}

impl Pair {
    /// None when either vector is zero (the convention of the module doc).
    fn new(w: &[f64], v: &[f64]) -> Option<Pair> {
        let nw = norm(w);
        let nv = norm(v);
        if nw == 0.0 || nv == 0.0 {
            return None;
        }
        let c = dot(w, v) / (nw * nv);
        // ‖P_w v̄‖² = 1 − c², computed without cancellation as ‖v̄ − c w̄‖.
        let s = w
            .iter()
            .zip(v)
            .map(|(w, v)| {
                let r = v / nv - c * w / nw;
                r * r
            })
            .sum::<f64>()
            .sqrt();
        Some(Pair {
            nw,
            nv,
            s,
            theta: s.atan2(c),
        })
    }

    fn kernel(&self) -> f64 {
        self.nw * self.nv * (self.s + (std::f64::consts::PI - self.theta) * self.theta.cos())
            / TWO_PI
    }
}

/// g(w, v); 0 when either is zero.
pub fn arccos_kernel(w: &[f64], v: &[f64]) -> f64 {
    Pair::new(w, v).map_or(0.0, |p| p.kernel())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// out += sign · ∂g/∂w (w, v).
fn add_grad(w: &[f64], v: &[f64], sign: f64, out: &mut [f64]) {
    let Some(p) = Pair::new(w, v) else { return };
    let a = sign * p.nv * p.s / (p.nw * TWO_PI);
    let b = sign * (std::f64::consts::PI - p.theta) / TWO_PI;
    out.iter_mut()
        .zip(w.iter().zip(v))
        .for_each(|(o, (w, v))| *o += a * w + b * v);
}

/// out += sign · (∂²g/∂w² · u + ∂²g/∂w∂v · u_v), u_v = None for a fixed v (teacher).
fn add_hvp(w: &[f64], v: &[f64], u: &[f64], u_v: Option<&[f64]>, sign: f64, out: &mut [f64]) {
    let Some(pair) = Pair::new(w, v) else { return };
    let Pair { nw, nv, s, theta } = pair;
    let cos = theta.cos();
    let (wbar, vbar) = (|i: usize| w[i] / nw, |i: usize| v[i] / nv);
    let d = w.len();
    // p = v̄ − cos θ w̄ = P_w v̄, q = w̄ − cos θ v̄ = P_v w̄.
    let p = |i: usize| vbar(i) - cos * wbar(i);
    let q = |i: usize| wbar(i) - cos * vbar(i);
    let wbar_u: f64 = (0..d).map(|i| wbar(i) * u[i]).sum();
    let p_u: f64 = (0..d).map(|i| p(i) * u[i]).sum();
    // ∂²g/∂w²·u = ‖v‖/(2π‖w‖) (s (u − w̄ w̄ᵀu) + p pᵀu / s).
    let outer = sign * nv / (TWO_PI * nw);
    let p_coef = if s > 0.0 { p_u / s } else { 0.0 };
    for i in 0..d {
        out[i] += outer * (s * (u[i] - wbar(i) * wbar_u) + p(i) * p_coef);
    }
    if let Some(uv) = u_v {
        let vbar_uv: f64 = (0..d).map(|i| vbar(i) * uv[i]).sum();
        let q_uv: f64 = (0..d).map(|i| q(i) * uv[i]).sum();
        let q_coef = if s > 0.0 { q_uv / s } else { 0.0 };
        let pi_minus = std::f64::consts::PI - theta;
        for i in 0..d {
            out[i] += sign / TWO_PI * (s * wbar(i) * vbar_uv + pi_minus * uv[i] + p(i) * q_coef);
        }
    }
}

impl ReluNet {
    /// A student of width `n` for the teacher rows of `teacher` (k×d).
    ///
    /// # Panics
    /// If `n` or the teacher is empty.
    #[track_caller]
    pub fn new(n: usize, teacher: &DMatrix<f64>) -> Self {
        assert!(n > 0, "relu_net: n must be positive");
        assert!(
            teacher.nrows() > 0 && teacher.ncols() > 0,
            "relu_net: empty teacher"
        );
        let (k, d) = teacher.shape();
        let rows: Vec<f64> = crate::linalg::row_major(teacher);
        let row = |j: usize| &rows[j * d..(j + 1) * d];
        let mut energy = 0.0;
        for j in 0..k {
            for jj in 0..k {
                energy += 0.5 * arccos_kernel(row(j), row(jj));
            }
        }
        ReluNet {
            n,
            d,
            teacher: rows,
            k,
            teacher_energy: energy,
        }
    }

    /// Builds from a spec (`n`, and `k` or `teacher`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let teacher = match spec.opt_matrix("teacher")? {
            Some(t) => {
                if t.nrows() == 0 || t.ncols() == 0 {
                    return Err(Error::invalid(
                        "teacher",
                        "a non-empty k×d matrix",
                        format!("{}×{}", t.nrows(), t.ncols()),
                    ));
                }
                if let Some(k) = spec.opt_usize("k")? {
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
                let k = spec.usize("k")?;
                if k == 0 {
                    return Err(Error::invalid("k", "a positive integer", 0));
                }
                DMatrix::identity(k, k)
            }
        };
        let n = spec.positive_usize_or("n", teacher.nrows())?;
        Ok(ReluNet::new(n, &teacher))
    }

    fn v(&self, j: usize) -> &[f64] {
        &self.teacher[j * self.d..(j + 1) * self.d]
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
        let d = self.d;
        let row = |i: usize| &w[i * d..(i + 1) * d];
        let mut value = self.teacher_energy;
        for i in 0..self.n {
            value += 0.25 * dot(row(i), row(i));
            for ii in (i + 1)..self.n {
                value += arccos_kernel(row(i), row(ii));
            }
            for j in 0..self.k {
                value -= arccos_kernel(row(i), self.v(j));
            }
        }
        value
    }

    fn gradient(&self, w: &[f64], grad: &mut [f64]) {
        let d = self.d;
        for i in 0..self.n {
            let wi = &w[i * d..(i + 1) * d];
            let gi = &mut grad[i * d..(i + 1) * d];
            gi.iter_mut().zip(wi).for_each(|(g, w)| *g = 0.5 * w);
            for ii in (0..self.n).filter(|&ii| ii != i) {
                add_grad(wi, &w[ii * d..(ii + 1) * d], 1.0, gi);
            }
            for j in 0..self.k {
                add_grad(wi, self.v(j), -1.0, gi);
            }
        }
    }

    fn hvp(&self, w: &[f64], u: &[f64], out: &mut [f64]) {
        let d = self.d;
        for i in 0..self.n {
            let (wi, ui) = (&w[i * d..(i + 1) * d], &u[i * d..(i + 1) * d]);
            let oi = &mut out[i * d..(i + 1) * d];
            oi.iter_mut().zip(ui).for_each(|(o, u)| *o = 0.5 * u);
            for ii in (0..self.n).filter(|&ii| ii != i) {
                let (wii, uii) = (&w[ii * d..(ii + 1) * d], &u[ii * d..(ii + 1) * d]);
                add_hvp(wi, wii, ui, Some(uii), 1.0, oi);
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
                w[i * self.d + c] = scale * self.v(j)[c];
            }
        }
        vec![KnownPoint::new("truth", w, Verdict::GlobalMin)]
    }

    fn layout(&self) -> Layout {
        Layout::single("W", &[self.n, self.d])
    }
}
