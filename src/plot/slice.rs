//! `slice`: f on a plane x₀ + α·d₁ + β·d₂ as a heatmap (viridis, with a colour bar)
//! and/or contour lines, or as a 3-D surface; trajectories projected onto the plane with
//! the share of each path the plane captures; stationary points marked by verdict.
//!
//! ```
//! use landscape::plot::directions::coordinate_plane;
//! use landscape::plot::slice::{SliceFigure, SliceOptions};
//! use landscape::plot::{render, ImageFormat};
//! use landscape::problems;
//!
//! let (_, f) = problems::load("saddle", &[]).unwrap();
//! let plane = coordinate_plane(&[0.0, 0.0]).unwrap();
//! let path = vec![vec![1.0, 1e-3], vec![0.5, 2e-3], vec![0.25, 8e-3]];
//! let figure = SliceFigure::builder(plane)
//!     .with_trajectory("gd", &path)
//!     .options(SliceOptions { resolution: 21, ..SliceOptions::default() })
//!     .build(f.as_ref())
//!     .unwrap();
//! assert_eq!(figure.paths[0].captured, 1.0);
//! let svg = render(&figure, ImageFormat::Svg, (640, 480)).unwrap();
//! assert!(!svg.is_empty());
//! ```

use super::chart::format_tick;
use super::directions::Plane;
use super::grid::{evaluate_grid, Grid, GridSpec};
use crate::census::CensusPoint;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::verdict::Verdict;

/// The most contour levels a slice draws.
pub const MAX_LEVELS: usize = 1000;

/// How the slice is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SliceView {
    /// A heatmap with contour lines over it (the default).
    #[default]
    HeatmapContour,
    /// A heatmap only.
    Heatmap,
    /// Contour lines only, coloured by level.
    Contour,
    /// A 3-D surface coloured by value (f only: paths and points are drawn in the flat
    /// views).
    Surface,
}

/// Options of a slice, with documented defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceOptions {
    /// The α range; defaults (None) to one covering the projected trajectories and
    /// points and the centre, padded by 15%, or [−1, 1] when there are none.
    pub alpha: Option<(f64, f64)>,
    /// The β range; defaults like `alpha`.
    pub beta: Option<(f64, f64)>,
    /// Grid points per axis; defaults to 101.
    pub resolution: usize,
    /// Heatmap, contour lines, both, or a surface; defaults to both.
    pub view: SliceView,
    /// Colour (and contour levels) by log₁₀(f − f_min + ε), ε = 10⁻⁴·(f_max − f_min),
    /// for functions with a narrow valley such as Rosenbrock; defaults to false.
    pub log_color: bool,
    /// Number of contour levels; defaults to 14.
    pub levels: usize,
    /// The title; defaults (None) to one naming the problem, the plane and the centre.
    pub title: Option<String>,
    /// How the centre x₀ was given (`name:eig:2`, `random:1:0`, …): the default title
    /// names it and a cross marks it on a plane through x₀; defaults (None) to neither.
    pub centre: Option<String>,
}

impl Default for SliceOptions {
    fn default() -> Self {
        SliceOptions {
            alpha: None,
            beta: None,
            resolution: 101,
            view: SliceView::default(),
            log_color: false,
            levels: 14,
            title: None,
            centre: None,
        }
    }
}

/// A trajectory projected onto the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedPath {
    /// Its legend name.
    pub name: String,
    /// The (α, β) least-squares coordinates of its iterates.
    pub points: Vec<(f64, f64)>,
    /// The share of the path the plane captures: 1 − Σᵢ‖rᵢ‖² / Σᵢ‖xᵢ − x₀‖², rᵢ the
    /// residual of iterate i (1 when every iterate is x₀).
    pub captured: f64,
}

/// A stationary point projected onto the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedPoint {
    /// Its verdict.
    pub verdict: Verdict,
    /// (α, β).
    pub at: (f64, f64),
    /// Whether it lies on the plane (relative residual ≤ 10⁻⁶); points off it are drawn
    /// hollow.
    pub on_plane: bool,
}

/// Collects what a slice shows; [`SliceBuilder::build`] evaluates the grid.
#[derive(Clone, Debug)]
pub struct SliceBuilder {
    plane: Plane,
    paths: Vec<(String, Vec<Vec<f64>>)>,
    points: Vec<(Verdict, Vec<f64>)>,
    options: SliceOptions,
}

impl SliceBuilder {
    /// Adds a trajectory (its iterates) under a legend name.
    pub fn with_trajectory<X: AsRef<[f64]>>(
        mut self,
        name: impl Into<String>,
        iterates: &[X],
    ) -> Self {
        let xs = iterates.iter().map(|x| x.as_ref().to_vec()).collect();
        self.paths.push((name.into(), xs));
        self
    }

    /// Adds the points of a census (`census --json` read by
    /// [`read_census`](super::inputs::read_census)).
    pub fn with_census(mut self, points: &[CensusPoint]) -> Self {
        self.points
            .extend(points.iter().map(|p| (p.kind, p.x.clone())));
        self
    }

    /// Adds a run of [`crate::optim::run`] under its optimizer's name (its recorded
    /// iterates; a run without recorded iterates adds an empty path).
    pub fn with_run(self, trajectory: &crate::optim::Trajectory) -> Self {
        let iterates: Vec<&[f64]> = trajectory
            .records
            .iter()
            .filter_map(|r| r.x.as_deref())
            .collect();
        self.with_trajectory(trajectory.optimizer.clone(), &iterates)
    }

    /// Adds the points of a [`crate::census::census`] result.
    pub fn with_census_result(mut self, census: &crate::census::Census) -> Self {
        self.points
            .extend(census.points.iter().map(|p| (p.kind, p.x.clone())));
        self
    }

    /// Adds one stationary point with its verdict.
    pub fn with_point(mut self, verdict: Verdict, x: Vec<f64>) -> Self {
        self.points.push((verdict, x));
        self
    }

    /// Sets the options.
    pub fn options(mut self, options: SliceOptions) -> Self {
        self.options = options;
        self
    }

    /// Projects the paths and points, chooses the ranges and evaluates f on the grid (in
    /// parallel). Errors: an iterate or point of another dimension than the plane's, a
    /// bad range or resolution, or f of another dimension.
    pub fn build(self, f: &dyn Objective) -> Result<SliceFigure> {
        let plane = self.plane;
        let check = |what: String, x: &[f64]| {
            if x.len() == plane.dim() {
                Ok(())
            } else {
                Err(Error::DimensionMismatch {
                    what,
                    expected: plane.dim(),
                    found: x.len(),
                })
            }
        };
        let mut paths = Vec::new();
        for (name, xs) in &self.paths {
            for x in xs {
                check(format!("an iterate of trajectory `{name}`"), x)?;
            }
            paths.push(project_path(&plane, name, xs));
        }
        let mut points = Vec::new();
        for (verdict, x) in &self.points {
            check(format!("a {} point", verdict.name()), x)?;
            let p = plane.project(x);
            let on_plane = p.residual_sq <= 1e-12 * (1.0 + p.offset_sq);
            points.push(ProjectedPoint {
                verdict: *verdict,
                at: (p.alpha, p.beta),
                on_plane,
            });
        }
        let opts = self.options;
        if opts.levels == 0 && opts.view == SliceView::Contour {
            return Err(Error::invalid("levels", "at least 1 contour level", 0));
        }
        if opts.levels > MAX_LEVELS {
            return Err(Error::invalid(
                "levels",
                format!("at most {MAX_LEVELS} contour levels"),
                opts.levels,
            ));
        }
        let covered: Vec<(f64, f64)> = paths
            .iter()
            .flat_map(|p| p.points.iter().copied())
            .chain(points.iter().map(|p| p.at))
            .chain(std::iter::once((0.0, 0.0)))
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .collect();
        let (alpha, beta) = balance(
            cover(covered.iter().map(|p| p.0)),
            cover(covered.iter().map(|p| p.1)),
        );
        let spec = GridSpec {
            alpha: opts.alpha.unwrap_or(alpha),
            beta: opts.beta.unwrap_or(beta),
            nx: opts.resolution,
            ny: opts.resolution,
        };
        let grid = evaluate_grid(f, &plane, &spec)?;
        Ok(SliceFigure {
            problem: f.kind().to_string(),
            plane,
            grid,
            paths,
            points,
            options: opts,
        })
    }
}

/// A range covering `values` padded by 15% of its span; [−1, 1] when they are all 0.
fn cover(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
        return (-1.0, 1.0);
    }
    let pad = 0.15 * (high - low);
    (low - pad, high + pad)
}

/// Widens the narrower of two default ranges (about its centre) to at least a quarter
/// of the wider one's span, so a path along one direction still shows the landscape
/// across it.
fn balance(alpha: (f64, f64), beta: (f64, f64)) -> ((f64, f64), (f64, f64)) {
    let widen = |r: (f64, f64), span: f64| {
        let (centre, half) = (0.5 * (r.0 + r.1), 0.5 * (r.1 - r.0));
        let half = half.max(0.125 * span);
        (centre - half, centre + half)
    };
    let (sa, sb) = (alpha.1 - alpha.0, beta.1 - beta.0);
    (widen(alpha, sb), widen(beta, sa))
}

/// Projects `iterates` onto `plane`, with the captured share.
pub fn project_path<X: AsRef<[f64]>>(plane: &Plane, name: &str, iterates: &[X]) -> ProjectedPath {
    let (mut residual, mut offset) = (0.0, 0.0);
    let points = iterates
        .iter()
        .map(|x| {
            let p = plane.project(x.as_ref());
            residual += p.residual_sq;
            offset += p.offset_sq;
            (p.alpha, p.beta)
        })
        .collect();
    let captured = if offset > 0.0 {
        (1.0 - residual / offset).clamp(0.0, 1.0)
    } else {
        1.0
    };
    ProjectedPath {
        name: name.to_string(),
        points,
        captured,
    }
}

/// A slice ready to draw.
#[derive(Clone, Debug)]
pub struct SliceFigure {
    /// The problem's kind, named in the default title.
    pub problem: String,
    /// The plane.
    pub plane: Plane,
    /// f on the grid.
    pub grid: Grid,
    /// The projected trajectories.
    pub paths: Vec<ProjectedPath>,
    /// The projected stationary points.
    pub points: Vec<ProjectedPoint>,
    /// The options it was built with.
    pub options: SliceOptions,
}

impl SliceFigure {
    /// Starts a slice of the plane.
    pub fn builder(plane: Plane) -> SliceBuilder {
        SliceBuilder {
            plane,
            paths: Vec::new(),
            points: Vec::new(),
            options: SliceOptions::default(),
        }
    }

    /// The title: the option's, or one naming the problem, the plane and the centre.
    pub fn title(&self) -> String {
        self.options.title.clone().unwrap_or_else(|| {
            if self.plane.coordinates {
                format!(
                    "{}: f({}, {})",
                    self.problem, self.plane.label1, self.plane.label2
                )
            } else {
                let at = match &self.options.centre {
                    Some(c) => format!(", x₀ = {c}"),
                    None => String::new(),
                };
                format!(
                    "{}: f on x₀ + α·d₁ + β·d₂ ({}{at})",
                    self.problem, self.plane.description
                )
            }
        })
    }

    /// Whether a cross marks x₀ (a plane through a named centre).
    pub fn marks_centre(&self) -> bool {
        self.options.centre.is_some() && !self.plane.coordinates
    }

    /// The α axis label, e.g. "α · v(λmin = −2.000)".
    pub fn alpha_label(&self) -> String {
        if self.plane.coordinates {
            return self.plane.label1.clone();
        }
        format!("α · {}", self.plane.label1)
    }

    /// The β axis label.
    pub fn beta_label(&self) -> String {
        if self.plane.coordinates {
            return self.plane.label2.clone();
        }
        format!("β · {}", self.plane.label2)
    }

    /// The colour scale: the grid's values mapped to what is coloured (f, or
    /// log₁₀(f − f_min + ε)), with its finite range and the colour-bar label.
    pub fn colour_scale(&self) -> ColourScale {
        let (fmin, fmax) = self.grid.finite_range().unwrap_or((0.0, 1.0));
        if self.options.log_color {
            let epsilon = 1e-4 * (fmax - fmin) + f64::MIN_POSITIVE;
            ColourScale {
                offset: Some((fmin, epsilon)),
                low: epsilon.log10(),
                high: (fmax - fmin + epsilon).log10(),
                label: "log₁₀(f − f_min + ε)".into(),
            }
        } else {
            ColourScale {
                offset: None,
                low: fmin,
                high: fmax,
                label: "f".into(),
            }
        }
    }

    /// The note under the title: the captured share of each path and the marker legend.
    pub(crate) fn note(&self) -> String {
        let mut parts = Vec::new();
        if !self.paths.is_empty() {
            parts.push("paths projected: ○ start, ● end".to_string());
        }
        if self.points.iter().any(|p| !p.on_plane) {
            parts.push("hollow markers: points off the plane, projected".into());
        }
        if self.options.log_color {
            let (fmin, fmax) = self.grid.finite_range().unwrap_or((0.0, 1.0));
            parts.push(format!("ε = {}", format_tick(1e-4 * (fmax - fmin))));
        }
        parts.join("; ")
    }
}

/// What the colours encode.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourScale {
    /// For log colouring: (f_min, ε) in log₁₀(f − f_min + ε).
    pub offset: Option<(f64, f64)>,
    /// The lowest coloured value.
    pub low: f64,
    /// The highest.
    pub high: f64,
    /// The colour bar's label.
    pub label: String,
}

impl ColourScale {
    /// The coloured value of f.
    pub fn map(&self, f: f64) -> f64 {
        match self.offset {
            Some((fmin, epsilon)) => (f - fmin + epsilon).max(epsilon).log10(),
            None => f,
        }
    }

    /// Where `f` falls in [0, 1].
    pub fn unit(&self, f: f64) -> f64 {
        if self.high > self.low {
            (self.map(f) - self.low) / (self.high - self.low)
        } else {
            0.5
        }
    }

    /// `count` contour levels in coloured units, evenly inside (low, high).
    pub fn levels(&self, count: usize) -> Vec<f64> {
        (0..count)
            .map(|k| self.low + (self.high - self.low) * (k as f64 + 0.5) / count as f64)
            .collect()
    }
}
