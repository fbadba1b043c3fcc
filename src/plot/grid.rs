//! f on an (α, β) grid of a [`Plane`], evaluated in parallel: one rayon task per row of
//! β, each with its own point buffer, so the values do not depend on the thread count.

use rayon::prelude::*;

use super::directions::Plane;
use crate::error::{Error, Result};
use crate::objective::Objective;

/// The grid's extent and resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSpec {
    /// α from `alpha.0` to `alpha.1`.
    pub alpha: (f64, f64),
    /// β from `beta.0` to `beta.1`.
    pub beta: (f64, f64),
    /// Points along α.
    pub nx: usize,
    /// Points along β.
    pub ny: usize,
}

impl GridSpec {
    /// Checks that both ranges are finite and increasing and both counts at least 2.
    pub fn check(&self) -> Result<()> {
        for (what, (low, high)) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(low.is_finite() && high.is_finite() && low < high && (high - low).is_finite()) {
                return Err(Error::invalid(
                    what,
                    "a range low,high with low < high and a finite width high − low",
                    format!("{low},{high}"),
                ));
            }
        }
        if self.nx < 2 || self.ny < 2 {
            return Err(Error::invalid(
                "resolution",
                "at least 2 points per axis",
                format!("{}×{}", self.nx, self.ny),
            ));
        }
        Ok(())
    }
}

/// f sampled on a grid: `values[j * alphas.len() + i]` = f(x₀ + αᵢ·d₁ + βⱼ·d₂).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The α coordinates, increasing.
    pub alphas: Vec<f64>,
    /// The β coordinates, increasing.
    pub betas: Vec<f64>,
    /// The values, row-major by β.
    pub values: Vec<f64>,
}

impl Grid {
    /// f at (αᵢ, βⱼ).
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.alphas.len() + i]
    }

    /// The smallest and largest finite values (None when there are none).
    pub fn finite_range(&self) -> Option<(f64, f64)> {
        let mut range = None;
        for &v in self.values.iter().filter(|v| v.is_finite()) {
            let (low, high) = range.unwrap_or((v, v));
            range = Some((v.min(low), v.max(high)));
        }
        range
    }
}

/// `n` evenly spaced points from `low` to `high` inclusive.
pub fn linspace((low, high): (f64, f64), n: usize) -> Vec<f64> {
    let last = (n.max(2) - 1) as f64;
    (0..n)
        .map(|i| low + (high - low) * i as f64 / last)
        .collect()
}

/// Evaluates f on the grid. On a constrained problem ([`Objective::manifold`] not
/// Euclidean) each grid point is retracted onto the manifold first, so the picture shows
/// f on the constraint set (a chart of it around x₀) rather than the formula off it.
pub fn evaluate_grid(f: &dyn Objective, plane: &Plane, spec: &GridSpec) -> Result<Grid> {
    spec.check()?;
    if plane.dim() != f.dim() {
        return Err(Error::DimensionMismatch {
            what: "plane".into(),
            expected: f.dim(),
            found: plane.dim(),
        });
    }
    let alphas = linspace(spec.alpha, spec.nx);
    let betas = linspace(spec.beta, spec.ny);
    let manifold = f.manifold();
    let mut values = vec![0.0; spec.nx * spec.ny];
    values
        .par_chunks_mut(spec.nx)
        .zip(betas.par_iter())
        .for_each(|(row, &beta)| {
            let mut x = vec![0.0; plane.dim()];
            for (value, &alpha) in row.iter_mut().zip(&alphas) {
                plane.point_into(alpha, beta, &mut x);
                if !manifold.is_euclidean() {
                    manifold.retract_in_place(&mut x);
                }
                *value = f.value(&x);
            }
        });
    Ok(Grid {
        alphas,
        betas,
        values,
    })
}
