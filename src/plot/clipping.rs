//! The chart of `landscape experiment clipping`: f along the steps around the cliff of
//! the scalar chain and of the deep network, with and without clipping (log scale), and
//! the fraction of runs that failed against the clipping threshold.

use super::{LineChart, Panels, Scale, Series, Stroke, VerticalLine};
use crate::experiments::deep::clipping::{setting_name, ClippingReport, SetupReport};

/// The three panels.
pub fn clipping_chart(report: &ClippingReport) -> Panels {
    let mut failures = LineChart::new(
        "Runs that diverged or jumped",
        "clipping threshold c (log)",
        "failed runs (%)",
    );
    failures.x_scale = Scale::Log;
    let norms = &report.options.clip_norms;
    let (lo, hi) = norms
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), &c| (l.min(c), h.max(c)));
    for (k, setup) in [&report.chain, &report.network].into_iter().enumerate() {
        let clipped = setup
            .clipped()
            .iter()
            .filter_map(|s| Some((s.clip_norm?, 100.0 * s.failed_fraction)))
            .collect();
        failures.series.push(Series::new(
            format!("{}, clipped", setup.name),
            clipped,
            Stroke::LinePoints,
            k,
        ));
        let none = 100.0 * setup.unclipped().failed_fraction;
        failures.series.push(Series::new(
            format!("{}, no clipping", setup.name),
            vec![(lo, none), (hi, none)],
            Stroke::Dashed,
            k,
        ));
    }
    let mut panels = Panels::new(
        "Gradient clipping against cliffs: f around the first failure, and how many runs fail",
        3,
        vec![
            cliff_chart(&report.chain),
            cliff_chart(&report.network),
            failures,
        ],
    );
    panels.note = format!(
        "{} seeded starts of the chain, {} of the network; a run fails when it diverges or one step \
         multiplies the loss by > {} (to at least {} of its start's loss)",
        report.options.chain_seeds,
        report.options.seeds,
        report.options.jump_factor,
        report.options.jump_floor
    );
    panels
}

/// f along the steps around one setup's cliff, one line per setting (log scale).
pub fn cliff_chart(setup: &SetupReport) -> LineChart {
    let mut chart = LineChart::new(
        format!("{}: f around the cliff", setup.name),
        "step t",
        "f(xₜ) (log)",
    );
    chart.y_scale = Scale::Log;
    match &setup.cliff {
        None => chart.note = "no unclipped run failed".into(),
        Some(cliff) => {
            chart.note = format!(
                "start {}: no clipping fails at step {} (η = {})",
                cliff.start, cliff.step, setup.lr
            );
            for (k, curve) in cliff.curves.iter().enumerate() {
                let points = curve
                    .steps
                    .iter()
                    .zip(&curve.loss)
                    .filter_map(|(&t, l)| Some((t as f64, (*l)?)))
                    .collect();
                let stroke = if curve.clip_norm.is_none() {
                    Stroke::LinePoints
                } else {
                    Stroke::Solid
                };
                chart.series.push(Series::new(
                    setting_name(curve.clip_norm),
                    points,
                    stroke,
                    k,
                ));
            }
            chart.vertical_lines.push(VerticalLine {
                x: cliff.step as f64,
                label: "cliff".into(),
            });
        }
    }
    chart
}
