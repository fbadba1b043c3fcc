//! The chart of `landscape experiment norms`: per normalisation, the final training
//! loss (log) and the epochs to the target against log₂ of the batch size, and the
//! training curves at the smallest and the largest batch size.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::normalisation::relatives::NormsReport;

/// Four panels: final loss and epochs to the target against B; the curves at the
/// smallest and the largest B.
pub fn norms_chart(report: &NormsReport) -> Panels {
    let o = &report.options;
    let sizes = &o.batch_sizes;
    let lo = sizes.iter().min().copied().unwrap_or(1);
    let hi = sizes.iter().max().copied().unwrap_or(1);
    let mut panels = Panels::new(
        "Normalisations against the batch size: batch normalisation degrades at small batches",
        2,
        vec![
            final_loss_chart(report),
            target_chart(report),
            curves_chart(report, lo),
            curves_chart(report, hi),
        ],
    );
    panels.note = format!(
        "{} hidden ReLU layers of {}, digits; {} epochs at every batch size, η_B = {}·B/32, \
         μ = {}; {} seeds",
        o.depth, o.width, o.epochs, o.lr, o.momentum, o.seeds
    );
    panels
}

/// The mean final training loss against the batch size, a line per norm (log-log).
pub fn final_loss_chart(report: &NormsReport) -> LineChart {
    let mut chart = LineChart::new(
        "Final training loss against the batch size",
        "log₂ of the batch size B",
        "mean final training loss (log)",
    );
    chart.y_scale = Scale::Log;
    for (colour, name) in report.options.norms.iter().enumerate() {
        let points = report
            .cells_of(name)
            .map(|c| ((c.batch_size as f64).log2(), c.mean_final_loss))
            .collect();
        chart.series.push(Series::new(
            name.as_str(),
            points,
            Stroke::LinePoints,
            colour,
        ));
    }
    chart.note = "the same samples seen at every B".into();
    chart
}

/// Epochs until the training loss reached the target (seed 0), a line per norm; runs
/// that never reached it are left out.
pub fn target_chart(report: &NormsReport) -> LineChart {
    let mut chart = LineChart::new(
        format!("Epochs to training loss ≤ {}", report.options.target),
        "log₂ of the batch size B",
        "epochs (seed 0)",
    );
    for (colour, name) in report.options.norms.iter().enumerate() {
        let points = report
            .cells_of(name)
            .filter_map(|c| {
                Some((
                    (c.batch_size as f64).log2(),
                    c.epochs_to_target.first().copied()??,
                ))
            })
            .collect();
        chart.series.push(Series::new(
            name.as_str(),
            points,
            Stroke::LinePoints,
            colour,
        ));
    }
    chart.note = "a missing point: the target was not reached".into();
    chart
}

/// Seed 0's training loss against the epoch at batch size `b`, a line per norm (log).
pub fn curves_chart(report: &NormsReport, b: usize) -> LineChart {
    let mut chart = LineChart::new(
        format!("Training at batch size {b}"),
        "epoch",
        "training loss (log)",
    );
    chart.y_scale = Scale::Log;
    for (colour, name) in report.options.norms.iter().enumerate() {
        let Some(c) = report.cells_of(name).find(|c| c.batch_size == b) else {
            continue;
        };
        let per_epoch = c.steps_per_epoch as f64;
        let points = c
            .curve
            .steps
            .iter()
            .zip(&c.curve.train_loss)
            .map(|(&s, &l)| (s as f64 / per_epoch, l))
            .collect();
        chart
            .series
            .push(Series::new(name.as_str(), points, Stroke::Solid, colour));
    }
    chart
}
