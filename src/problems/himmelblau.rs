//! `himmelblau`: f(x, y) = (x² + y − 11)² + (x + y² − 7)², Himmelblau's function.
//!
//! With u = x² + y − 11 and w = x + y² − 7:
//! - gradient: ∇f = (4xu + 2w, 2u + 4yw);
//! - HVP: ∇²f·v with the Hessian [[4u + 8x² + 2, 4(x + y)], [4(x + y), 4w + 8y² + 2]].
//!
//! Stationary points (nine, all nondegenerate): ∇f = 0 is a pair of cubics whose real
//! solutions are
//! - `min:1` = (3, 2) exactly, and `min:2` ≈ (−2.805118, 3.131312), `min:3` ≈
//!   (−3.779310, −3.283186), `min:4` ≈ (3.584428, −1.848126): the four zeros of the two
//!   squares (u = w = 0), hence global minima with f* = 0;
//! - `max` ≈ (−0.270845, −0.923039), f ≈ 181.617, the only local maximum (both Hessian
//!   eigenvalues negative);
//! - `saddle:1` ≈ (0.086677, 2.884255), `saddle:2` ≈ (−3.073026, −0.081353),
//!   `saddle:3` ≈ (−0.127961, −1.953715), `saddle:4` ≈ (3.385154, 0.073852): strict
//!   saddles (Hessian eigenvalues of both signs), each on the ridge between two minima.
//!
//! The points other than (3, 2) are known only numerically: the constructor starts from
//! the six-decimal approximations above and polishes each with Newton steps on ∇f = 0
//! (exact gradient and Hessian) until the step is a few ulps, i.e. to machine precision.
//!
//! Value, gradient and Hessian come from the `argmin_testfunctions` crate (0.3); the HVP is
//! its 2×2 Hessian times v. Smooth everywhere. Spec: no fields besides `kind` and `seed`
//! (nothing is random; the seed is accepted and ignored). Layout: one block `x[2]` =
//! (x, y).
//!
//! Reference: D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972.

use argmin_testfunctions::{himmelblau, himmelblau_derivative, himmelblau_hessian};

use crate::error::Result;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, SeedParams};
use crate::problems::planar;
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "himmelblau",
    description:
        "f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four global minima, one maximum, four saddles",
    fields: params::listing::<SeedParams>,
    shipped_spec: include_str!("../../problems/himmelblau.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(Himmelblau::from_spec(spec)?)),
};

/// The stationary points: name, published six-decimal approximation, verdict.
const STATIONARY: [(&str, [f64; 2], Verdict); 9] = [
    ("min:1", [3.0, 2.0], Verdict::GlobalMin),
    ("min:2", [-2.805118, 3.131312], Verdict::GlobalMin),
    ("min:3", [-3.779310, -3.283186], Verdict::GlobalMin),
    ("min:4", [3.584428, -1.848126], Verdict::GlobalMin),
    ("max", [-0.270845, -0.923039], Verdict::LocalMax),
    ("saddle:1", [0.086677, 2.884255], Verdict::StrictSaddle),
    ("saddle:2", [-3.073026, -0.081353], Verdict::StrictSaddle),
    ("saddle:3", [-0.127961, -1.953715], Verdict::StrictSaddle),
    ("saddle:4", [3.385154, 0.073852], Verdict::StrictSaddle),
];

/// f(x, y) = (x² + y − 11)² + (x + y² − 7)².
#[derive(Clone, Debug)]
pub struct Himmelblau {
    /// The nine stationary points, polished at construction.
    known: Vec<KnownPoint>,
}

impl Default for Himmelblau {
    fn default() -> Self {
        Self::new()
    }
}

impl Himmelblau {
    /// Himmelblau's function (it has no parameters); polishes its stationary points.
    pub fn new() -> Self {
        let known = planar::polished_points(
            &STATIONARY,
            |p| himmelblau_derivative(&p),
            |p| himmelblau_hessian(&p),
        );
        Himmelblau { known }
    }

    /// Builds from a spec (no fields; `seed` is validated and ignored).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        spec.params::<SeedParams>()?;
        Ok(Self::new())
    }
}

impl Objective for Himmelblau {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, x: &[f64]) -> f64 {
        himmelblau(&planar::point(x))
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        planar::write(himmelblau_derivative(&planar::point(x)), grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        planar::apply(&himmelblau_hessian(&planar::point(x)), v, out);
    }

    fn optimum(&self) -> Option<f64> {
        Some(0.0)
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        self.known.clone()
    }

    fn layout(&self) -> Layout {
        planar::layout()
    }
}
