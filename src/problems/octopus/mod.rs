//! `octopus`: the d-dimensional function of Du, Jin, Lee, Jordan, Póczos and Singh,
//! "Gradient Descent Can Take Exponential Time to Escape Saddle Points", NeurIPS 2017
//! (arXiv:1705.10412), glued from quadratics and splines, whose d strict saddles plain
//! gradient descent visits one after another, each escape taking longer than the last.
//!
//! # The paper's definition (on the tube)
//! Parameters τ, L, γ > 0 (defaults here: τ = L = e, γ = 1). The paper first defines f
//! on the "tube" D = D₁ ∪ … ∪ D_{d+1} in the positive orthant:
//!
//! - Dᵢ (1 ≤ i ≤ d) = {x : 2τ ≤ x_j ≤ 6τ for j < i, 0 ≤ xᵢ ≤ 2τ, 0 ≤ x_j ≤ τ for j > i},
//!   split into D_{i,1} (xᵢ ≤ τ, near the saddle) and D_{i,2} (τ ≤ xᵢ ≤ 2τ, the way out);
//! - D_{d+1} = {x : 2τ ≤ x_j ≤ 6τ for all j}.
//!
//! With Σ_{j<i} written for Σ_{j=1}^{i−1}:
//!
//! - (6)  on D_{i,1}, i < d: f = Σ_{j<i} L(x_j − 4τ)² − γxᵢ² + Σ_{j>i} Lx_j² − (i−1)ν;
//! - (7)  on D_{i,2}, i < d: f = Σ_{j<i} L(x_j − 4τ)² + g(xᵢ, x_{i+1}) + Σ_{j>i+1} Lx_j² − (i−1)ν;
//! - (8)  on D_{d,1}: f = Σ_{j<d} L(x_j − 4τ)² − γx_d² − (d−1)ν;
//! - (9)  on D_{d,2}: f = Σ_{j<d} L(x_j − 4τ)² + g₁(x_d) − (d−1)ν;
//! - (10) on D_{d+1}: f = Σ_{j=1}^d L(x_j − 4τ)² − dν;
//!
//! where the spline g(xᵢ, x_{i+1}) = g₁(xᵢ) + g₂(xᵢ)·x_{i+1}² glues (6) for i to (6) for
//! i + 1:
//!
//! - g₁(y) = −γy² + (−14L + 10γ)(y − τ)³/(3τ) + (5L − 3γ)(y − τ)⁴/(2τ²),
//! - g₂(y) = −γ − 10(L + γ)(y − 2τ)³/τ³ − 15(L + γ)(y − 2τ)⁴/τ⁴ − 6(L + γ)(y − 2τ)⁵/τ⁵,
//! - ν = −g₁(2τ) + 4Lτ² = (13γ + 37L)τ²/6.
//!
//! g₁ matches −γy² to second order at y = τ and L(y − 4τ)² − ν at y = 2τ; g₂ goes from
//! L (at τ) to −γ (at 2τ) with zero first and second derivatives at both ends. So f is C²
//! on the tube; its third derivatives jump where xᵢ crosses τ or 2τ.
//!
//! The paper then mirrors the tube in every coordinate hyperplane (the "octopus": the
//! saddles become interior points), i.e. f(x) = f(|x₁|, …, |x_d|), and extends f to ℝ^d
//! by the Whitney extension theorem, without a formula.
//!
//! # What this module implements (on all of ℝ^d)
//! A closed form on all of ℝ^d that equals (6)–(10) on the mirrored tube. Write
//! (see [`spline`]):
//!
//! - the profile u(x), y = |x|: −γy² for y ≤ τ, g₁(y) for τ ≤ y ≤ 2τ, L(y − 4τ)² − ν for
//!   y ≥ 2τ (C², decreasing on [0, 4τ], minimum −ν at y = 4τ);
//! - the switch ω(x) = S((|x| − τ)/τ) with the quintic smoothstep S(t) = 10t³ − 15t⁴ + 6t⁵
//!   clamped to [0, 1]: ω = 0 for |x| ≤ τ, 1 for |x| ≥ 2τ; g₂(y) = L − (L + γ)ω(y).
//!
//! Then, with ω̂₁ = 1 and ω̂ₖ = ω(x_{k−1}) for k ≥ 2,
//!
//!   f(x) = Σₖ φₖ,  φₖ = (1 − ω̂ₖ)·L xₖ² + ω̂ₖ·u(xₖ):
//!
//! coordinate k is idle (L xₖ²) until its predecessor escapes past 2τ, then follows the
//! profile. On the mirrored tube this is (6)–(10) term by term (for j < i, ω̂_j = 1 and
//! u = L(x_j − 4τ)² − ν; for xᵢ ≤ τ, ω̂_{i+1} = 0; for τ ≤ xᵢ ≤ 2τ and x_{i+1} ≤ τ,
//! φ_{i+1} = (L − (L + γ)ω(xᵢ))x_{i+1}² = g₂(xᵢ)x_{i+1}²). Off the tube it is our choice
//! of extension (the paper gives none): a blend of quadratics and the paper's splines, C²
//! everywhere (products of C² functions of one coordinate), polynomial on each cell of
//! the grid |xₖ| ∈ {τ, 2τ}, whose third derivatives jump on those hyperplanes; f is even
//! in every coordinate and smooth across xₖ = 0 (u and ω are even polynomials near 0).
//!
//! # Derivatives (tridiagonal Hessian; value, gradient and HVP cost O(d))
//! With R = u − L x² (so φₖ = L xₖ² + ω̂ₖ R(xₖ)):
//!
//! - ∂f/∂xₖ = (1 − ω̂ₖ)·2L xₖ + ω̂ₖ u′(xₖ) + ω′(xₖ)·R(x_{k+1}) (last term for k < d);
//! - ∇²f has diagonal (1 − ω̂ₖ)·2L + ω̂ₖ u″(xₖ) + ω″(xₖ)·R(x_{k+1}) and off-diagonal
//!   ∂²f/∂xₖ∂x_{k+1} = ω′(xₖ)·R′(x_{k+1}); nothing else. The HVP applies this
//!   tridiagonal matrix, computed on the fly, never formed.
//!
//! # Stationary points and f*
//! - f ≥ −dν everywhere: φₖ ≥ (1 − ω̂ₖ)·0 + ω̂ₖ·(−ν) ≥ −ν since ω̂ₖ ∈ [0, 1] and u ≥ −ν
//!   (g₁′ ≤ 0 on [τ, 2τ]: g₁′(y)/τ = −2γ(t − 1)²(3t + 1) + L t²(10t − 14), t = y/τ − 1).
//!   Equality iff every |xₖ| = 4τ, so f* = −dν, attained at the 2^d points {±4τ}^d;
//!   `minimum` = 4τ·𝟏 (global_min, Hessian 2L·I).
//! - The saddles s_i = (4τ, …, 4τ, 0, …, 0) with i leading coordinates at 4τ,
//!   i = 0, …, d − 1: `origin` (i = 0) and `saddle:i`. There every switch is flat
//!   (ω′ = ω″ = 0 at 0 and 4τ), so ∇f = 0 and ∇²f = diag(2L, …, 2L, −2γ, 2L, …, 2L) with
//!   −2γ in position i + 1: strict saddles with one escape direction e_{i+1}
//!   (the paper's "−γx²" has curvature −2γ). For d = 1 the origin is a local maximum.
//!   f(s_i) = −iν.
//! - By the mirror symmetry every sign pattern (±4τ, …, ±4τ, 0, …, 0) is a saddle of the
//!   same kind, and every point of {±4τ}^d a global minimum; only the positive ones are
//!   listed. The paper's analysis concerns the octopus; off it, this extension is not
//!   claimed to have no other stationary points.
//!
//! # Gradient descent
//! From the paper's initialisation (uniform in [−1, 1]^d ⊂ [−τ, τ]^d with τ = e), GD with
//! η = 1/(4L) visits s₀, s₁, … in order (the octopus tests check it for d = 4); while coordinate i escapes (growth factor
//! 1 + 2ηγ per step), the later ones shrink by 1 − 2ηL per step, so each escape takes
//! longer than the last. With η = 1/(4L) idle coordinates halve every step and reach
//! f64 subnormals, then exact zero, from d ≈ 5 on ([`crate::experiments::du2017::gd`]
//! tracks them in the log domain).
//!
//! Spec: `d` (required), `tau`, `l`, `gamma`; no random data (`seed` is unused).
//! Layout: `x[d]`.

pub mod spline;

use crate::error::{Error, Result};
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, required, DefaultText::*, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use spline::{Jet, Splines};

/// The spec fields of `octopus`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OctopusParams {
    /// Dimension: the number of saddles (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<usize>,
    /// τ > 0, the radius of each saddle's region.
    pub tau: f64,
    /// L > 0, the stable curvature.
    pub l: f64,
    /// γ > 0, the escape curvature.
    pub gamma: f64,
    /// Unused: the instance is deterministic.
    pub seed: u64,
}

impl Default for OctopusParams {
    fn default() -> Self {
        OctopusParams {
            d: None,
            tau: std::f64::consts::E,
            l: std::f64::consts::E,
            gamma: 1.0,
            seed: 0,
        }
    }
}

impl Params for OctopusParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "d",
            default: Text("required"),
            doc: "dimension: the number of saddles (origin, saddle:1 … saddle:d−1)",
        },
        FieldDoc {
            name: "tau",
            default: Text("e = 2.718281828…"),
            doc: "τ > 0: radius of each saddle's region; saddles sit 4τ apart",
        },
        FieldDoc {
            name: "l",
            default: Text("e = 2.718281828…"),
            doc: "L > 0: the stable curvature (Hessian eigenvalue 2L)",
        },
        FieldDoc {
            name: "gamma",
            default: Value,
            doc: "γ > 0: the escape curvature (Hessian eigenvalue −2γ at each saddle)",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "octopus",
    description: "Du et al. 2017: d saddles glued from quadratics and splines that GD visits \
                  one after another, f* = −dν",
    fields: params::listing::<OctopusParams>,
    shipped_spec: include_str!("../../../problems/octopus.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(Octopus::from_spec(spec)?)),
};

/// The octopus function of Du et al. (2017) in dimension d.
#[derive(Clone, Debug)]
pub struct Octopus {
    d: usize,
    splines: Splines,
}

/// What one coordinate contributes: its profile u, its switch ω (for its successor) and
/// x itself.
#[derive(Clone, Copy, Debug)]
struct Local {
    x: f64,
    profile: Jet,
    switch: Jet,
}

impl Octopus {
    /// The octopus in dimension `d` with parameters τ = `tau`, L = `l`, γ = `gamma`.
    ///
    /// Errors if d = 0 or a parameter is not positive and finite.
    pub fn new(d: usize, tau: f64, l: f64, gamma: f64) -> Result<Self> {
        if d == 0 {
            return Err(Error::invalid("d", "a positive integer", 0));
        }
        for (name, value) in [("tau", tau), ("l", l), ("gamma", gamma)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid(name, "a positive number", value));
            }
        }
        Ok(Octopus {
            d,
            splines: Splines::new(tau, l, gamma),
        })
    }

    /// Builds from a spec (`d`, `tau`, `l`, `gamma`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        let p: OctopusParams = spec.params()?;
        let d = required(p.d, KIND.name, "d", "a non-negative integer")?;
        Octopus::new(d, p.tau, p.l, p.gamma)
    }

    /// τ.
    pub fn tau(&self) -> f64 {
        self.splines.tau
    }

    /// L.
    pub fn l(&self) -> f64 {
        self.splines.l
    }

    /// γ.
    pub fn gamma(&self) -> f64 {
        self.splines.gamma
    }

    /// ν = (13γ + 37L)τ²/6, the drop in f between consecutive saddles.
    pub fn nu(&self) -> f64 {
        self.splines.nu
    }

    /// The saddle s_i: the first i coordinates at 4τ, the rest 0 (s_d is the minimum).
    pub fn saddle(&self, i: usize) -> Vec<f64> {
        assert!(i <= self.d, "octopus: saddle index {i} > d = {}", self.d);
        let mut x = vec![0.0; self.d];
        x[..i].fill(4.0 * self.tau());
        x
    }

    fn local(&self, x: f64) -> Local {
        Local {
            x,
            profile: self.splines.profile(x),
            switch: self.splines.switch(x),
        }
    }

    /// Calls `visit(k, ω̂ₖ, local k, local k+1)` for every coordinate, computing each
    /// coordinate's local pieces once.
    #[inline]
    fn sweep(&self, x: &[f64], mut visit: impl FnMut(usize, f64, &Local, Option<&Local>)) {
        assert_eq!(x.len(), self.d, "octopus: point has the wrong length");
        let mut before = 1.0; // ω̂₁ = 1: the first coordinate always follows its profile.
        let mut current = self.local(x[0]);
        for k in 0..self.d {
            let next = (k + 1 < self.d).then(|| self.local(x[k + 1]));
            visit(k, before, &current, next.as_ref());
            before = current.switch.value;
            if let Some(next) = next {
                current = next;
            }
        }
    }

    /// φₖ = (1 − ω̂)·L x² + ω̂·u(x).
    fn term(&self, before: f64, c: &Local) -> f64 {
        (1.0 - before) * self.l() * c.x * c.x + before * c.profile.value
    }

    /// R = u − L x² and R′ = u′ − 2L x of a coordinate.
    fn remainder(&self, c: &Local) -> (f64, f64) {
        let l = self.l();
        (
            c.profile.value - l * c.x * c.x,
            c.profile.d1 - 2.0 * l * c.x,
        )
    }

    /// ∂f/∂xₖ.
    fn partial(&self, before: f64, c: &Local, next: Option<&Local>) -> f64 {
        let own = (1.0 - before) * 2.0 * self.l() * c.x + before * c.profile.d1;
        own + next.map_or(0.0, |n| c.switch.d1 * self.remainder(n).0)
    }
}

impl Objective for Octopus {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn value(&self, x: &[f64]) -> f64 {
        let mut total = 0.0;
        self.sweep(x, |_, before, c, _| total += self.term(before, c));
        total
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        assert_eq!(grad.len(), self.d, "octopus: gradient has the wrong length");
        let mut total = 0.0;
        self.sweep(x, |k, before, c, next| {
            total += self.term(before, c);
            grad[k] = self.partial(before, c, next);
        });
        total
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        assert_eq!(v.len(), self.d, "octopus: direction has the wrong length");
        assert_eq!(out.len(), self.d, "octopus: output has the wrong length");
        let l = self.l();
        // H_{k−1,k}, carried from the previous coordinate.
        let mut upper_before = 0.0;
        self.sweep(x, |k, before, c, next| {
            let mut diagonal = (1.0 - before) * 2.0 * l + before * c.profile.d2;
            let mut upper = 0.0;
            if let Some(n) = next {
                let (r, dr) = self.remainder(n);
                diagonal += c.switch.d2 * r;
                upper = c.switch.d1 * dr;
            }
            let mut hv = diagonal * v[k];
            if k > 0 {
                hv += upper_before * v[k - 1];
            }
            if k + 1 < self.d {
                hv += upper * v[k + 1];
            }
            out[k] = hv;
            upper_before = upper;
        });
    }

    fn optimum(&self) -> Option<f64> {
        Some(-(self.d as f64) * self.nu())
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        std::iter::once("origin".to_string())
            .chain((1..self.d).map(|i| format!("saddle:{i}")))
            .chain(std::iter::once("minimum".to_string()))
            .filter_map(|name| self.known_point(&name))
            .collect()
    }

    fn known_point(&self, name: &str) -> Option<KnownPoint> {
        let saddle_verdict = if self.d == 1 {
            Verdict::LocalMax
        } else {
            Verdict::StrictSaddle
        };
        let (i, verdict) = match name {
            "origin" => (0, saddle_verdict),
            "minimum" => (self.d, Verdict::GlobalMin),
            _ => {
                let i: usize = name.strip_prefix("saddle:")?.parse().ok()?;
                if i == 0 || i >= self.d {
                    return None;
                }
                (i, Verdict::StrictSaddle)
            }
        };
        Some(KnownPoint::new(name, self.saddle(i), verdict))
    }

    fn layout(&self) -> Layout {
        Layout::single("x", &[self.d])
    }
}
