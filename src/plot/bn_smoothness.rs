//! The chart of `landscape experiment bn-smoothness`: along the training paths of the
//! plain and the batch-normalised network, (a) the loss variation, (b) the gradient
//! change, (c) the effective β-smoothness and (d) the exact Hessian's λmax (solid) and
//! −λmin (dashed, where λmin < 0), each against the step, on a log axis where the
//! values span more than a decade.

use super::batchnorm::{decades_scale, scale_label};
use super::{LineChart, Panels, Series, Stroke};
use crate::experiments::normalisation::batchnorm::NAMES;
use crate::experiments::normalisation::smoothness::{PathPoint, SmoothnessReport};

/// Titles and y labels of panels (a)–(c).
const PANELS: [(&str, &str); 3] = [
    (
        "(a) loss variation along the gradient",
        "max − min of f_B(θ − s g)",
    ),
    (
        "(b) gradient predictiveness",
        "max ‖∇f_B(θ) − ∇f_B(θ − s g)‖",
    ),
    (
        "(c) effective β-smoothness",
        "max ‖∇f_B(θ) − ∇f_B(θ − s g)‖ / ‖s g‖",
    ),
];

/// The four panels (a)–(d).
pub fn bn_smoothness_chart(report: &SmoothnessReport) -> Panels {
    let mut charts: Vec<LineChart> = (0..3).map(|q| quantity_chart(report, q)).collect();
    charts.push(hessian_chart(report));
    let mut panels = Panels::new(
        format!(
            "Smoothness along the training path, with and without batch normalisation (η = {})",
            report.options.sgd.lr
        ),
        2,
        charts,
    );
    let ratio = |q: usize| format!("{:.2}", report.ratios[q].ratio);
    panels.note = format!(
        "ratios plain/BN of the medians along the path: (a) {}, (b) {}, (c) {}, λmax {}; steps s = {:?}·η",
        ratio(0),
        ratio(1),
        ratio(2),
        ratio(3),
        report.options.step_multiples
    );
    panels
}

fn along(points: &[PathPoint], value: impl Fn(&PathPoint) -> f64) -> Vec<(f64, f64)> {
    points.iter().map(|p| (p.step as f64, value(p))).collect()
}

/// Quantity `q` (0 = (a), 1 = (b), 2 = (c)) against the step, both networks.
pub fn quantity_chart(report: &SmoothnessReport, q: usize) -> LineChart {
    let (title, y) = PANELS[q];
    let mut chart = LineChart::new(title, "step t", y);
    for (n, path) in report.paths.iter().enumerate() {
        chart.series.push(Series::new(
            NAMES[n],
            along(&path.points, |p| p.get(q)),
            Stroke::LinePoints,
            n,
        ));
    }
    log_where_decades(chart)
}

/// A log y axis when the drawn values span more than a decade.
fn log_where_decades(mut chart: LineChart) -> LineChart {
    chart.y_scale = decades_scale(chart.series.iter().flat_map(|s| s.points.iter()));
    chart.y_label = scale_label(&chart.y_label, chart.y_scale);
    chart
}

/// (d): λmax and −λmin of the full-batch Hessian against the step.
pub fn hessian_chart(report: &SmoothnessReport) -> LineChart {
    let mut chart = LineChart::new(
        "(d) extreme eigenvalues of the exact Hessian",
        "step t",
        "λmax (solid), −λmin (dashed, where λmin < 0)",
    );
    for (n, path) in report.paths.iter().enumerate() {
        chart.series.push(Series::new(
            format!("{} λmax", NAMES[n]),
            along(&path.points, |p| p.lambda_max),
            Stroke::LinePoints,
            n,
        ));
        chart.series.push(Series::new(
            format!("{} −λmin", NAMES[n]),
            along(&path.points, |p| -p.lambda_min)
                .into_iter()
                .filter(|p| p.1 > 0.0)
                .collect(),
            Stroke::Dashed,
            n,
        ));
    }
    log_where_decades(chart)
}
