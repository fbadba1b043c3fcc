//! The chart of `landscape experiment batchnorm`: the training curves of the plain and
//! the batch-normalised network at every learning rate of the grid (one panel each,
//! log scale, a colour per η), and against η the final training loss and the median
//! steps to the target of both networks. A loss above 10·ln 10 (a run blowing up) or
//! not finite (diverged) is drawn at 10·ln 10, so that one run's overflow does not
//! squash every other curve.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::deep::kaiming::{LN_10, TRAINS_BELOW};
use crate::experiments::normalisation::batchnorm::{BatchnormReport, NAMES};

/// A log axis when the positive values of `points` span more than a decade, else linear.
pub fn decades_scale<'a>(points: impl Iterator<Item = &'a (f64, f64)>) -> Scale {
    let (lo, hi) = points
        .map(|p| p.1)
        .filter(|y| y.is_finite() && *y > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(l, h), y| (l.min(y), h.max(y)));
    if hi > 10.0 * lo {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// `label`, with ` (log)` on a log axis.
pub fn scale_label(label: &str, scale: Scale) -> String {
    match scale {
        Scale::Log => format!("{label} (log)"),
        Scale::Linear => label.to_string(),
    }
}

/// The ceiling of the drawn losses: 10·ln 10.
const CEILING: f64 = 10.0 * LN_10;

/// A loss as drawn: at most [`CEILING`], a non-finite one at it.
fn drawn(loss: f64) -> f64 {
    if loss.is_finite() {
        loss.min(CEILING)
    } else {
        CEILING
    }
}

/// Four panels: the curves of each network, the final loss and the steps to the target
/// against η.
pub fn batchnorm_chart(report: &BatchnormReport) -> Panels {
    let (finals, steps) = lr_charts(report);
    let mut panels = Panels::new(
        "Batch normalisation: the same network with and without it over a grid of learning rates",
        2,
        vec![
            curves_chart(report, 0),
            curves_chart(report, 1),
            finals,
            steps,
        ],
    );
    let lr = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
    let (p, b) = (&report.summaries[0], &report.summaries[1]);
    panels.note = format!(
        "{} seeds; largest trainable η: plain {}, BN {}; best η: plain {}, BN {}",
        report.options.seeds,
        lr(p.largest_trainable_lr),
        lr(b.largest_trainable_lr),
        lr(p.best_lr),
        lr(b.best_lr),
    );
    panels
}

/// Network `n`'s training curves (log), a colour per η, every seed.
pub fn curves_chart(report: &BatchnormReport, n: usize) -> LineChart {
    let o = &report.options;
    let mut chart = LineChart::new(
        format!(
            "{}: training loss, {} hidden layers of {}",
            NAMES[n], o.network.depth, o.network.width
        ),
        "step",
        "full-batch training loss (log)",
    );
    chart.y_scale = Scale::Log;
    chart.note = "losses above 10·ln 10 or not finite drawn at 10·ln 10".into();
    for (k, s) in report.of(n).enumerate() {
        for (i, run) in s.runs.iter().enumerate() {
            let c = &run.curve;
            let points = c
                .steps
                .iter()
                .zip(&c.train_loss)
                .map(|(&t, &l)| (t as f64, drawn(l)))
                .collect();
            let label = if i == 0 {
                format!("η = {}", s.lr)
            } else {
                String::new()
            };
            chart
                .series
                .push(Series::new(label, points, Stroke::Solid, k));
        }
    }
    chart.series.push(Series::new(
        format!("target {}", o.target),
        vec![(0.0, o.target), (o.sgd.steps as f64, o.target)],
        Stroke::Dashed,
        report.options.lrs.len(),
    ));
    chart
}

/// Against η (log): the mean final training loss (a mean over a diverged run: at the
/// ceiling) with ½ ln 10 dashed, and the median steps to the target (censored: not
/// drawn).
pub fn lr_charts(report: &BatchnormReport) -> (LineChart, LineChart) {
    let mut finals = LineChart::new(
        "Final training loss against η",
        "learning rate η (log)",
        "mean final training loss (log)",
    );
    finals.x_scale = Scale::Log;
    finals.y_scale = Scale::Log;
    finals.note = "diverged or above 10·ln 10: drawn at 10·ln 10".into();
    let mut steps = LineChart::new(
        format!("Steps to training loss {}", report.options.target),
        "learning rate η (log)",
        "median steps to the target",
    );
    steps.x_scale = Scale::Log;
    steps.note = "a missing point: the median run never reached it".into();
    for (n, name) in NAMES.iter().enumerate() {
        let f = report
            .of(n)
            .map(|s| (s.lr, drawn(s.mean_final_loss.unwrap_or(f64::INFINITY))))
            .collect();
        finals
            .series
            .push(Series::new(*name, f, Stroke::LinePoints, n));
        let t = report
            .of(n)
            .filter_map(|s| Some((s.lr, s.median_steps_to_target?)))
            .collect();
        steps
            .series
            .push(Series::new(*name, t, Stroke::LinePoints, n));
    }
    let (lo, hi) = report
        .settings
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), s| {
            (l.min(s.lr), h.max(s.lr))
        });
    finals.series.push(Series::new(
        "½ ln 10 (trains below)",
        vec![(lo, TRAINS_BELOW * LN_10), (hi, TRAINS_BELOW * LN_10)],
        Stroke::Dashed,
        2,
    ));
    (finals, steps)
}
