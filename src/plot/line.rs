//! `line`: f along a line, either x₀ + t·d, or the interpolation (1 − t)·a + t·b between
//! two points (Goodfellow, Vinyals & Saxe 2015, "Qualitatively characterizing neural
//! network optimization problems"), with t = 0 and t = 1 marked.
//!
//! ```
//! use landscape::plot::line::LineFigure;
//! use landscape::problems;
//!
//! let (_, f) = problems::load("saddle", &[]).unwrap();
//! let line = LineFigure::between(f.as_ref(), &[-1.0, 0.0], &[1.0, 0.0], None, 41).unwrap();
//! // x² − y² along the x axis from −1 to 1: t = 0.5 is the origin.
//! assert!((line.value_at(20) - 0.0).abs() < 1e-12);
//! ```

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use super::chart::{LineChart, Series, Stroke, VerticalLine};
use super::grid::linspace;
use super::output::Figure;
use crate::error::{ensure_point, Error, Result};
use crate::objective::Objective;

/// The default t range along a direction.
pub const DIRECTION_RANGE: (f64, f64) = (-1.0, 1.0);
/// The default t range of an interpolation (Goodfellow et al. go past both ends).
pub const INTERPOLATION_RANGE: (f64, f64) = (-0.5, 1.5);

/// f sampled along a line, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct LineFigure {
    /// The title.
    pub title: String,
    /// The y-axis label, e.g. "f(x₀ + t·d)".
    pub value_label: String,
    /// (t, f) samples, t increasing.
    pub samples: Vec<(f64, f64)>,
    /// Marked values of t (t = 0, and t = 1 for an interpolation).
    pub marks: Vec<VerticalLine>,
}

impl LineFigure {
    /// f(x₀ + t·d) at `n` points of `t_range` (default [`DIRECTION_RANGE`]).
    pub fn along(
        f: &dyn Objective,
        x0: &[f64],
        d: &[f64],
        t_range: Option<(f64, f64)>,
        n: usize,
    ) -> Result<LineFigure> {
        ensure_point("point", x0, f.dim())?;
        ensure_point("direction", d, f.dim())?;
        if d.iter().all(|v| *v == 0.0) {
            return Err(Error::invalid("direction", "a non-zero direction", "0"));
        }
        let samples = sample(f, x0, d, t_range.unwrap_or(DIRECTION_RANGE), n)?;
        Ok(LineFigure {
            title: format!("{}: f along a direction", f.kind()),
            value_label: "f(x₀ + t·d)".into(),
            samples,
            marks: vec![VerticalLine {
                x: 0.0,
                label: " x₀".into(),
            }],
        })
    }

    /// f((1 − t)·a + t·b) at `n` points of `t_range` (default [`INTERPOLATION_RANGE`]).
    pub fn between(
        f: &dyn Objective,
        a: &[f64],
        b: &[f64],
        t_range: Option<(f64, f64)>,
        n: usize,
    ) -> Result<LineFigure> {
        ensure_point("from point", a, f.dim())?;
        ensure_point("to point", b, f.dim())?;
        let d: Vec<f64> = b.iter().zip(a).map(|(p, q)| p - q).collect();
        if d.iter().all(|v| *v == 0.0) {
            return Err(Error::invalid(
                "to",
                "a point other than --from",
                "the same point",
            ));
        }
        let samples = sample(f, a, &d, t_range.unwrap_or(INTERPOLATION_RANGE), n)?;
        Ok(LineFigure {
            title: format!("{}: f on the interpolation between two points", f.kind()),
            value_label: "f((1 − t)·a + t·b)".into(),
            samples,
            marks: vec![
                VerticalLine {
                    x: 0.0,
                    label: " a".into(),
                },
                VerticalLine {
                    x: 1.0,
                    label: " b".into(),
                },
            ],
        })
    }

    /// Names the marked points as they were given (`name:eig:2`, `[3, 2]`): x₀, or a
    /// and b; long names are shortened. `None` leaves a mark as it is.
    pub fn name_marks(&mut self, names: &[Option<&str>]) {
        const MAX: usize = 24;
        for (mark, name) in self.marks.iter_mut().zip(names) {
            if let Some(name) = name {
                let short = if name.chars().count() <= MAX {
                    name.to_string()
                } else {
                    format!("{}…", name.chars().take(MAX - 1).collect::<String>())
                };
                mark.label = format!("{} = {short}", mark.label);
            }
        }
    }

    /// The `k`-th sampled value.
    pub fn value_at(&self, k: usize) -> f64 {
        self.samples[k].1
    }

    /// The chart this figure draws.
    pub fn chart(&self) -> LineChart {
        let mut chart = LineChart::new(self.title.clone(), "t", self.value_label.clone());
        chart
            .series
            .push(Series::new("", self.samples.clone(), Stroke::Solid, 0));
        chart.vertical_lines = self.marks.clone();
        chart
    }
}

impl Figure for LineFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.chart().draw(root)
    }
}

/// f(x₀ + t·d) at `n` evenly spaced t (retracted onto the manifold on constrained
/// problems, as in [`super::grid::evaluate_grid`]), in parallel.
fn sample(
    f: &dyn Objective,
    x0: &[f64],
    d: &[f64],
    (t0, t1): (f64, f64),
    n: usize,
) -> Result<Vec<(f64, f64)>> {
    if !(t0.is_finite() && t1.is_finite() && t0 < t1) {
        return Err(Error::invalid(
            "t",
            "a finite range low,high with low < high",
            format!("{t0},{t1}"),
        ));
    }
    if n < 2 {
        return Err(Error::invalid("resolution", "at least 2 points", n));
    }
    let manifold = f.manifold();
    Ok(linspace((t0, t1), n)
        .into_par_iter()
        .map_init(
            || vec![0.0; x0.len()],
            |x, t| {
                for ((xi, a), b) in x.iter_mut().zip(x0).zip(d) {
                    *xi = a + t * b;
                }
                if !manifold.is_euclidean() {
                    manifold.retract_in_place(x);
                }
                (t, f.value(x))
            },
        )
        .collect())
}
