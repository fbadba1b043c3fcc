//! `six_hump_camel`: f(x, y) = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y², the six-hump
//! camel-back function.
//!
//! - gradient: ∇f = (8x − 8.4x³ + 2x⁵ + y, x − 8y + 16y³);
//! - HVP: ∇²f·v with the Hessian [[8 − 25.2x² + 10x⁴, 1], [1, −8 + 48y²]].
//!
//! f is even, f(−x, −y) = f(x, y), so the stationary points come in ± pairs around the
//! origin. There are exactly fifteen, all nondegenerate: ∂f/∂y = 0 gives x = 8y − 16y³,
//! and substituting into ∂f/∂x = 0 leaves a polynomial of degree 15 in y, which has at
//! most fifteen roots; fifteen distinct real ones are listed here:
//! - `global_min:1` ≈ (0.0898, −0.7126), `global_min:2` ≈ (−0.0898, 0.7126): the global
//!   minima, f* ≈ −1.0316284535;
//! - `local_min:1`, `local_min:2` ≈ ±(1.7036, −0.7961) (f ≈ −0.2155) and `local_min:3`,
//!   `local_min:4` ≈ ±(1.6071, 0.5687) (f ≈ 2.1043): spurious local minima;
//! - `saddle:1` = (0, 0) exactly, `saddle:2`, `saddle:3` ≈ ±(1.1092, −0.7683),
//!   `saddle:4`, `saddle:5` ≈ ±(1.2961, 0.6051), `saddle:6`, `saddle:7` ≈
//!   ±(1.6381, 0.2287): strict saddles (Hessian eigenvalues of both signs);
//! - `max:1`, `max:2` ≈ ±(1.2302, 0.1623): local maxima (both eigenvalues negative).
//!
//! The minima's approximations are the published ones (Dixon & Szegő 1978; Molga &
//! Smutnicki 2005); those of the saddles and maxima come from a grid search with Newton
//! refinement (repeated in the classical-functions tests). The constructor polishes every
//! approximation with Newton steps on ∇f = 0 (exact gradient and Hessian) to machine
//! precision, and f* is f at the polished global minimum.
//!
//! Implemented here (`argmin_testfunctions` 0.3 has no six-hump camel). A polynomial,
//! smooth everywhere. Spec: no fields besides `kind` and `seed` (nothing is random; the
//! seed is accepted and ignored). Layout: one block `x[2]` = (x, y).
//!
//! Reference: L. C. W. Dixon and G. P. Szegő, "The global optimization problem: an
//! introduction", in *Towards Global Optimisation 2*, North-Holland, 1978; M. Molga and
//! C. Smutnicki, "Test functions for optimization needs", 2005.

use crate::error::Result;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, SeedParams};
use crate::problems::planar::{self, Hessian2};
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "six_hump_camel",
    description: "f(x, y) = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²: 2 global and 4 spurious minima, 7 saddles, 2 maxima",
    fields: params::listing::<SeedParams>,
    shipped_spec: include_str!("../../problems/six_hump_camel.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(SixHumpCamel::from_spec(spec)?)),
};

/// The stationary points: name, four-decimal approximation, verdict.
const STATIONARY: [(&str, [f64; 2], Verdict); 15] = [
    ("global_min:1", [0.0898, -0.7126], Verdict::GlobalMin),
    ("global_min:2", [-0.0898, 0.7126], Verdict::GlobalMin),
    ("local_min:1", [1.7036, -0.7961], Verdict::SpuriousLocalMin),
    ("local_min:2", [-1.7036, 0.7961], Verdict::SpuriousLocalMin),
    ("local_min:3", [1.6071, 0.5687], Verdict::SpuriousLocalMin),
    ("local_min:4", [-1.6071, -0.5687], Verdict::SpuriousLocalMin),
    ("saddle:1", [0.0, 0.0], Verdict::StrictSaddle),
    ("saddle:2", [1.1092, -0.7683], Verdict::StrictSaddle),
    ("saddle:3", [-1.1092, 0.7683], Verdict::StrictSaddle),
    ("saddle:4", [1.2961, 0.6051], Verdict::StrictSaddle),
    ("saddle:5", [-1.2961, -0.6051], Verdict::StrictSaddle),
    ("saddle:6", [1.6381, 0.2287], Verdict::StrictSaddle),
    ("saddle:7", [-1.6381, -0.2287], Verdict::StrictSaddle),
    ("max:1", [1.2302, 0.1623], Verdict::LocalMax),
    ("max:2", [-1.2302, -0.1623], Verdict::LocalMax),
];

fn value([x, y]: [f64; 2]) -> f64 {
    let x2 = x * x;
    let y2 = y * y;
    (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
}

fn gradient([x, y]: [f64; 2]) -> [f64; 2] {
    let x2 = x * x;
    [
        x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y,
        x - 8.0 * y + 16.0 * y * y * y,
    ]
}

fn hessian([x, y]: [f64; 2]) -> Hessian2 {
    let x2 = x * x;
    [
        [8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0],
        [1.0, -8.0 + 48.0 * y * y],
    ]
}

/// f(x, y) = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y².
#[derive(Clone, Debug)]
pub struct SixHumpCamel {
    /// The fifteen stationary points, polished at construction.
    known: Vec<KnownPoint>,
    /// f at the polished global minimum.
    optimum: f64,
}

impl Default for SixHumpCamel {
    fn default() -> Self {
        Self::new()
    }
}

impl SixHumpCamel {
    /// The six-hump camel function (it has no parameters); polishes its stationary
    /// points.
    pub fn new() -> Self {
        let known = planar::polished_points(&STATIONARY, gradient, hessian);
        let optimum = value(planar::point(&known[0].x));
        SixHumpCamel { known, optimum }
    }

    /// Builds from a spec (no fields; `seed` is validated and ignored).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        spec.params::<SeedParams>()?;
        Ok(Self::new())
    }
}

impl Objective for SixHumpCamel {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, x: &[f64]) -> f64 {
        value(planar::point(x))
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        planar::write(gradient(planar::point(x)), grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        planar::apply(&hessian(planar::point(x)), v, out);
    }

    fn optimum(&self) -> Option<f64> {
        Some(self.optimum)
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        self.known.clone()
    }

    fn layout(&self) -> Layout {
        planar::layout()
    }
}
