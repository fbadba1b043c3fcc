//! The bounds of gradient descent as pictures, from a [`BoundsReport`] or a
//! [`RateReport`]:
//!
//! - [`descent_figure`]: the decrease f(xₜ) − f(xₜ₊₁) per step against the descent-lemma
//!   bound ‖∇f(xₜ)‖²/(2β) (log y), and below it their ratio with the violations marked;
//! - [`convergence_figure`]: min_{s≤t}‖∇f(xₛ)‖ against √(2β(f(x₀) − f*)/(t + 1)), log-log,
//!   with ε and T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ marked;
//! - [`rate_figure`]: ‖xₜ − x*‖ against qᵗ‖x₀ − x*‖ on a quadratic (log y).
//!
//! ```
//! use landscape::experiments::bounds::{bounds, BoundsOptions};
//! use landscape::plot::bounds::{convergence_figure, descent_figure};
//! use landscape::plot::{render, ImageFormat};
//!
//! let (_, f) = landscape::problems::load("rosenbrock", &[]).unwrap();
//! let opts = BoundsOptions { iters: 50, ..BoundsOptions::default() };
//! let report = bounds(f.as_ref(), &[-1.2, 1.0], &opts).unwrap();
//! let png = render(&descent_figure(&report), ImageFormat::Png, (640, 480)).unwrap();
//! assert!(!png.is_empty());
//! let svg = render(&convergence_figure(&report), ImageFormat::Svg, (640, 480)).unwrap();
//! assert!(String::from_utf8(svg).unwrap().contains("<svg"));
//! ```

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{titled_area, LineChart, Scale, Series, Stroke, VerticalLine};
use super::output::Figure;
use crate::display::short;
use crate::error::Result;
use crate::experiments::bounds::{BetaSource, BoundsReport, Termination};
use crate::experiments::rate::RateReport;

/// Palette indices: observed curves, bounds, violations, references.
const OBSERVED: usize = 0;
const VIOLATION: usize = 1;
const BOUND: usize = 2;
const REFERENCE: usize = 6;

/// A T(ε) further than this factor beyond the run is named in the note instead of
/// stretching the axis.
const T_EPSILON_SPAN: f64 = 1e4;

/// The descent figure: two panels sharing the step axis.
#[derive(Clone, Debug)]
pub struct DescentFigure {
    /// The title.
    pub title: String,
    /// The note under the title (β, η, the verdict).
    pub note: String,
    /// Top: decrease and bound per step (log y).
    pub decrease: LineChart,
    /// Bottom: decrease / bound per step, the line ratio = 1, the violations.
    pub ratio: LineChart,
}

impl Figure for DescentFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title, &self.note)?;
        let (_, height) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(height * 11 / 20);
        self.decrease.draw(&top)?;
        self.ratio.draw(&bottom)
    }
}

fn beta_words(report: &BoundsReport) -> String {
    let source = match report.beta_source {
        BetaSource::Given => "given",
        BetaSource::Quadratic => "exact, ‖A‖₂",
        BetaSource::Estimated => "estimated along the path",
    };
    format!("β = {} ({source}), η = 1/β", short(report.beta))
}

/// The descent-lemma figure of a [`bounds`](crate::experiments::bounds::bounds) report.
/// Steps where f went up are drawn as their increase (markers) on the log axis; a zero
/// decrease is not drawn there (the ratio panel shows it); unresolved steps (rounding above the tolerance) are left out of the ratio
/// curve unless they are violations.
pub fn descent_figure(report: &BoundsReport) -> DescentFigure {
    let steps = &report.per_step;
    let mut decrease = LineChart::new("", "step t", "per-step change of f");
    decrease.y_scale = Scale::Log;
    decrease.series = vec![
        Series::new(
            "decrease f(xₜ) − f(xₜ₊₁)",
            steps.iter().map(|s| (s.step as f64, s.decrease)).collect(),
            Stroke::Solid,
            OBSERVED,
        ),
        Series::new(
            "bound ‖∇f(xₜ)‖²/(2β)",
            steps.iter().map(|s| (s.step as f64, s.bound)).collect(),
            Stroke::Dashed,
            BOUND,
        ),
    ];

    let increases: Vec<(f64, f64)> = steps
        .iter()
        .filter(|s| s.decrease < 0.0)
        .map(|s| (s.step as f64, -s.decrease))
        .collect();
    if !increases.is_empty() {
        decrease.series.push(Series::new(
            "increase f(xₜ₊₁) − f(xₜ) (f went up)",
            increases,
            Stroke::Points,
            VIOLATION,
        ));
    }

    let mut ratio = LineChart::new("", "step t", "decrease / bound");
    let resolved: Vec<(f64, f64)> = steps
        .iter()
        .filter(|s| s.rounding <= report.tolerance)
        .map(|s| (s.step as f64, s.ratio))
        .collect();
    let last = steps.last().map_or(1.0, |s| s.step as f64);
    ratio.series = vec![
        Series::new("ratio", resolved, Stroke::Solid, OBSERVED),
        Series::new(
            "ratio = 1 (the lemma)",
            vec![(0.0, 1.0), (last, 1.0)],
            Stroke::Dashed,
            REFERENCE,
        ),
    ];
    if !report.violations.is_empty() {
        ratio.series.push(Series::new(
            format!("violations ({})", report.violations.len()),
            report
                .violations
                .iter()
                .map(|&t| (t as f64, steps[t].ratio))
                .collect(),
            Stroke::Points,
            VIOLATION,
        ));
    }

    let verdict = match (report.violations.len(), report.min_ratio) {
        (0, Some(m)) => format!("no violation, min ratio {}", short(m)),
        (0, None) => "no violation".to_string(),
        (n, Some(m)) => format!("{n} violations, min ratio {}", short(m)),
        (n, None) => format!("{n} violations"),
    };
    let mut note = format!("{}; {} steps, {verdict}", beta_words(report), report.steps);
    if report.unresolved_steps > 0 {
        note.push_str(&format!(
            "; ratio not drawn at {} steps below rounding",
            report.unresolved_steps
        ));
    }
    DescentFigure {
        title: format!("Descent lemma on {}", report.problem),
        note,
        decrease,
        ratio,
    }
}

/// The convergence-bound figure of a [`bounds`](crate::experiments::bounds::bounds)
/// report: against t + 1 (log-log), the observed min_{s≤t}‖∇f(xₛ)‖ and the bound, the
/// bound continued to T(ε), the level ε, T(ε) as a vertical line (named in the note
/// instead when it lies beyond 10⁴ times the run), and the run's end marked with why it
/// stopped there.
pub fn convergence_figure(report: &BoundsReport) -> LineChart {
    let c = &report.convergence;
    let gap = (report
        .per_step
        .first()
        .map_or(report.final_value, |s| s.value)
        - report.f_star)
        .max(0.0);
    let steps = report.steps.max(1) as f64;
    let on_chart = c.t_epsilon.is_finite() && c.t_epsilon <= T_EPSILON_SPAN * steps;
    let end = if on_chart {
        steps.max(c.t_epsilon)
    } else {
        steps
    };
    // The bound is a formula in t: draw it on log-spaced points up to `end`.
    let samples = 200;
    let bound: Vec<(f64, f64)> = (0..=samples)
        .map(|i| end.powf(i as f64 / samples as f64))
        .map(|t1| (t1, (2.0 * report.beta * gap / t1).sqrt()))
        .collect();
    let mut chart = LineChart::new(
        format!("Convergence bound on {}", report.problem),
        "iterations t + 1",
        "gradient norm",
    );
    chart.x_scale = Scale::Log;
    chart.y_scale = Scale::Log;
    chart.series = vec![
        Series::new(
            "min over s ≤ t of ‖∇f(xₛ)‖",
            c.min_grad_norm
                .iter()
                .enumerate()
                .map(|(t, g)| ((t + 1) as f64, *g))
                .collect(),
            Stroke::Solid,
            OBSERVED,
        ),
        Series::new("√(2β(f(x₀) − f*)/(t + 1))", bound, Stroke::Dashed, BOUND),
        run_end(report),
        Series::new(
            format!("ε = {}", short(c.epsilon)),
            // Past T(ε), so that its label at the foot of the line stays on the chart.
            vec![(1.0, c.epsilon), (3.0 * end, c.epsilon)],
            Stroke::Dashed,
            REFERENCE,
        ),
    ];
    let t_words = format!("T(ε) = {}", short(c.t_epsilon));
    if on_chart && c.t_epsilon >= 1.0 {
        chart.vertical_lines.push(VerticalLine {
            x: c.t_epsilon,
            label: format!(" {t_words}"),
        });
    }
    let f_star = if report.f_star_known {
        format!("f* = {} (known)", short(report.f_star))
    } else {
        format!(
            "f* = lowest value seen, {} (not a known optimum)",
            short(report.f_star)
        )
    };
    chart.note = format!("{}; {f_star}", beta_words(report));
    if !on_chart {
        chart.note.push_str(&format!("; {t_words}, off the chart"));
    }
    chart
}

/// The observed curve's last point, marked and named with why the run ended there: the
/// axis may run on to T(ε), and the curve must not seem cut short by the drawing.
fn run_end(report: &BoundsReport) -> Series {
    let c = &report.convergence;
    let last = c.min_grad_norm.len();
    let point = c.min_grad_norm.last().map(|&g| (last as f64, g));
    let why = match report.termination {
        Termination::Completed => format!("run ends: all {} steps taken", report.steps),
        Termination::Stationary => format!("run ends: ∇f = 0 at step {}", report.steps),
        Termination::Diverged => format!("run ends: diverged at step {}", report.steps),
    };
    Series::new(why, point.into_iter().collect(), Stroke::Points, OBSERVED)
}

/// The linear-rate figure of a [`rate`](crate::experiments::rate::rate) report: ‖xₜ − x*‖
/// against qᵗ‖x₀ − x*‖ (log y).
pub fn rate_figure(report: &RateReport) -> LineChart {
    let mut chart = LineChart::new(
        "Linear rate of GD on a positive definite quadratic",
        "step t",
        "distance to x*",
    );
    chart.y_scale = Scale::Log;
    let factor = if (report.factor - report.one_minus_eta_lambda_min).abs()
        <= 1e-15 * report.factor.abs().max(1.0)
    {
        format!(
            "(1 − ηλmin)ᵗ‖x₀ − x*‖, 1 − ηλmin = {}",
            short(report.factor)
        )
    } else {
        format!("max|1 − ηλᵢ|ᵗ ‖x₀ − x*‖, factor {}", short(report.factor))
    };
    chart.series = vec![
        Series::new(
            "‖xₜ − x*‖",
            report
                .per_step
                .iter()
                .map(|s| (s.step as f64, s.distance))
                .collect(),
            Stroke::Solid,
            OBSERVED,
        ),
        Series::new(
            factor,
            report
                .per_step
                .iter()
                .map(|s| (s.step as f64, s.predicted))
                .collect(),
            Stroke::Dashed,
            BOUND,
        ),
    ];
    chart.note = format!(
        "{}, d = {}: η = {}, λmin = {}, λmax = {}",
        report.problem,
        report.dim,
        short(report.eta),
        short(report.lambda_min),
        short(report.lambda_max)
    );
    chart
}
