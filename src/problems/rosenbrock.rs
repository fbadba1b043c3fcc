//! `rosenbrock`: f(x, y) = (a − x)² + b(y − x²)² with a = 1, b = 100.
//!
//! - gradient: ∇f = (−2(a − x) − 4bx(y − x²), 2b(y − x²));
//! - HVP: ∇²f·v with the Hessian [[2 − 4b(y − x²) + 8bx², −4bx], [−4bx, 2b]]
//!   (= [[12bx² − 4by + 2, −4bx], [−4bx, 2b]]);
//! - stationary points: ∂f/∂y = 0 forces y = x², then ∂f/∂x = −2(a − x) = 0 forces
//!   x = a: the only one is `minimum` = (1, 1), the global minimum, f* = 0 (f is a sum
//!   of squares that vanishes there). Its Hessian [[802, −400], [−400, 200]] is positive
//!   definite.
//!
//! Value, gradient and Hessian come from the `argmin_testfunctions` crate (0.3), whose
//! `rosenbrock` uses this parametrisation, Σᵢ (a − xᵢ)² + b(xᵢ₊₁ − xᵢ²)² with a = 1,
//! b = 100; the HVP is its 2×2 Hessian times v. Smooth everywhere. Spec: no fields besides
//! `kind` and `seed` (nothing is random; the seed is accepted and ignored). Layout: one
//! block `x[2]` = (x, y).
//!
//! Reference: H. H. Rosenbrock, "An automatic method for finding the greatest or least
//! value of a function", The Computer Journal 3(3), 1960.

use argmin_testfunctions::{rosenbrock, rosenbrock_derivative_const, rosenbrock_hessian_const};

use crate::error::Result;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::problems::params::{self, SeedParams};
use crate::problems::planar;
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "rosenbrock",
    description: "f(x, y) = (1 − x)² + 100(y − x²)²: Rosenbrock's banana valley, minimum at (1, 1)",
    fields: params::listing::<SeedParams>,
    shipped_spec: include_str!("../../problems/rosenbrock.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(Rosenbrock::from_spec(spec)?)),
};

/// f(x, y) = (1 − x)² + 100(y − x²)².
#[derive(Clone, Copy, Debug, Default)]
pub struct Rosenbrock;

impl Rosenbrock {
    /// Rosenbrock's function with a = 1, b = 100 (it has no parameters).
    pub fn new() -> Self {
        Rosenbrock
    }

    /// Builds from a spec (no fields; `seed` is validated and ignored).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        spec.params::<SeedParams>()?;
        Ok(Rosenbrock)
    }
}

impl Objective for Rosenbrock {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, x: &[f64]) -> f64 {
        rosenbrock(&planar::point(x)[..])
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        planar::write(rosenbrock_derivative_const(&planar::point(x)), grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        planar::apply(&rosenbrock_hessian_const(&planar::point(x)), v, out);
    }

    fn optimum(&self) -> Option<f64> {
        Some(0.0)
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        vec![KnownPoint::new(
            "minimum",
            vec![1.0, 1.0],
            Verdict::GlobalMin,
        )]
    }

    fn layout(&self) -> Layout {
        planar::layout()
    }
}
