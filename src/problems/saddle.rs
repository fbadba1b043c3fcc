//! `saddle`: the classical 2-D saddle f(x, y) = x² − y².
//!
//! - gradient: ∇f = (2x, −2y);
//! - HVP: ∇²f·v = (2v₁, −2v₂) (the Hessian is diag(2, −2) everywhere);
//! - stationary points: only `origin` = (0, 0), a strict saddle (Hessian eigenvalues
//!   −2 and 2; f decreases along ±y).
//! - f is unbounded below (f(0, t) = −t² → −∞), so there is no f* (`optimum` is None).
//!
//! The function is smooth everywhere. Spec: no fields besides `kind` and `seed` (nothing
//! is random; the seed is accepted and ignored). Layout: one block `x[2]` = (x, y).
//!
//! Reference: the textbook example of a nondegenerate saddle, e.g. Nocedal & Wright,
//! *Numerical Optimization* (2006), §2.1.

use crate::error::Result;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, SeedParams};
use crate::problems::planar::{self, Hessian2};
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "saddle",
    description: "f(x, y) = x² − y²: one strict saddle at the origin, unbounded below",
    fields: params::listing::<SeedParams>,
    shipped_spec: include_str!("../../problems/saddle.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(Saddle::from_spec(spec)?)),
};

/// The Hessian, constant: diag(2, −2).
const HESSIAN: Hessian2 = [[2.0, 0.0], [0.0, -2.0]];

/// f(x, y) = x² − y².
#[derive(Clone, Copy, Debug, Default)]
pub struct Saddle;

impl Saddle {
    /// The saddle (it has no parameters).
    pub fn new() -> Self {
        Saddle
    }

    /// Builds from a spec (no fields; `seed` is validated and ignored).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        spec.params::<SeedParams>()?;
        Ok(Saddle)
    }
}

impl Objective for Saddle {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, x: &[f64]) -> f64 {
        let [x, y] = planar::point(x);
        x * x - y * y
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        let [x, y] = planar::point(x);
        planar::write([2.0 * x, -2.0 * y], grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        debug_assert_eq!(x.len(), 2, "saddle: the point must have length 2");
        planar::apply(&HESSIAN, v, out);
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        vec![KnownPoint::new(
            "origin",
            vec![0.0, 0.0],
            Verdict::StrictSaddle,
        )]
    }

    fn layout(&self) -> Layout {
        planar::layout()
    }
}
