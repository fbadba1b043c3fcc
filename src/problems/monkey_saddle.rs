//! `monkey_saddle`: f(x, y) = x³ − 3xy², the monkey saddle (Re (x + iy)³).
//!
//! - gradient: ∇f = (3x² − 3y², −6xy);
//! - HVP: ∇²f·v = (6x v₁ − 6y v₂, −6y v₁ − 6x v₂), Hessian [[6x, −6y], [−6y, −6x]];
//! - stationary points: only `origin` = (0, 0), since ∇f = 0 ⇔ x² = y² and xy = 0. There
//!   the Hessian is zero, so the second-order test is silent, but the cubic term gives
//!   descent: f(−t, 0) = −t³ < 0 = f(0, 0) for every t > 0 (in polar form
//!   f = r³ cos 3θ, negative on three sectors). Verdict: non-strict saddle.
//! - f is unbounded below, so there is no f* (`optimum` is None).
//!
//! The function is a polynomial, smooth everywhere. Spec: no fields besides `kind` and
//! `seed` (nothing is random; the seed is accepted and ignored). Layout: one block
//! `x[2]` = (x, y).
//!
//! Reference: the classical degenerate saddle of differential geometry; strict saddles
//! (which exclude it) are defined in Ge, Huang, Jin & Yuan, "Escaping from saddle
//! points", COLT 2015, and such higher-order saddles are the subject of Anandkumar & Ge,
//! "Efficient approaches for escaping higher order saddle points in non-convex
//! optimization", COLT 2016.

use crate::error::Result;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, SeedParams};
use crate::problems::planar;
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "monkey_saddle",
    description: "f(x, y) = x³ − 3xy²: a non-strict saddle at the origin (zero Hessian)",
    fields: params::listing::<SeedParams>,
    shipped_spec: include_str!("../../problems/monkey_saddle.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(MonkeySaddle::from_spec(spec)?)),
};

/// f(x, y) = x³ − 3xy².
#[derive(Clone, Copy, Debug, Default)]
pub struct MonkeySaddle;

impl MonkeySaddle {
    /// The monkey saddle (it has no parameters).
    pub fn new() -> Self {
        MonkeySaddle
    }

    /// Builds from a spec (no fields; `seed` is validated and ignored).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        spec.params::<SeedParams>()?;
        Ok(MonkeySaddle)
    }
}

impl Objective for MonkeySaddle {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, x: &[f64]) -> f64 {
        let [x, y] = planar::point(x);
        x * (x * x - 3.0 * y * y)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        let [x, y] = planar::point(x);
        planar::write([3.0 * (x * x - y * y), -6.0 * x * y], grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let [x, y] = planar::point(x);
        let hessian = [[6.0 * x, -6.0 * y], [-6.0 * y, -6.0 * x]];
        planar::apply(&hessian, v, out);
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        vec![KnownPoint::new(
            "origin",
            vec![0.0, 0.0],
            Verdict::NonStrictSaddle,
        )]
    }

    fn layout(&self) -> Layout {
        planar::layout()
    }
}
