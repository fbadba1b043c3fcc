//! The chart of `landscape experiment bn-smoothness`: along the training paths of the
//! plain and the batch-normalised network, (a) the loss variation, (b) the gradient
//! change, (c) the effective β-smoothness and (d) the exact Hessian's λmax (solid) and
//! −λmin (dashed, where λmin < 0), each against the step, log scale.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::normalisation::batchnorm::NAMES;
use crate::experiments::normalisation::smoothness::{PathPoint, SmoothnessReport};

/// Titles and y labels of panels (a)–(c).
const PANELS: [(&str, &str); 3] = [
    (
        "(a) loss variation along the gradient",
        "max − min of f_B(θ − s g) (log)",
    ),
    (
        "(b) gradient predictiveness",
        "max ‖∇f_B(θ) − ∇f_B(θ − s g)‖ (log)",
    ),
    (
        "(c) effective β-smoothness",
        "max ‖∇f_B(θ) − ∇f_B(θ − s g)‖ / ‖s g‖ (log)",
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
    chart.y_scale = Scale::Log;
    for (n, path) in report.paths.iter().enumerate() {
        chart.series.push(Series::new(
            NAMES[n],
            along(&path.points, |p| p.get(q)),
            Stroke::LinePoints,
            n,
        ));
    }
    chart
}

/// (d): λmax and −λmin of the full-batch Hessian against the step.
pub fn hessian_chart(report: &SmoothnessReport) -> LineChart {
    let mut chart = LineChart::new(
        "(d) extreme eigenvalues of the exact Hessian",
        "step t",
        "λmax (solid), −λmin (dashed) (log)",
    );
    chart.y_scale = Scale::Log;
    for (n, path) in report.paths.iter().enumerate() {
        chart.series.push(Series::new(
            format!("{} λmax", NAMES[n]),
            along(&path.points, |p| p.lambda_max),
            Stroke::LinePoints,
            n,
        ));
        chart.series.push(Series::new(
            format!("{} −λmin", NAMES[n]),
            along(&path.points, |p| -p.lambda_min),
            Stroke::Dashed,
            n,
        ));
    }
    chart
}
