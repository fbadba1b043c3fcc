//! The chart of `landscape experiment bn-noise`: the training curves of the three
//! networks (training loss, log scale; test accuracy) beside the distribution shift the
//! noise causes (one unit's mean and spread on the probe batch along the run, and the
//! shift between consecutive probes, log scale).

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::normalisation::noise::{BnNoiseReport, NoiseRun, NETWORKS};

/// Four panels: training loss, test accuracy, one unit's distribution, the shift.
pub fn bn_noise_chart(report: &BnNoiseReport) -> Panels {
    let (loss, accuracy) = curve_charts(report);
    let o = &report.options;
    let mut panels = Panels::new(
        "Noisy batch normalisation (Santurkar et al. 2018): training and distribution shift",
        2,
        vec![loss, accuracy, unit_chart(report), shift_chart(report)],
    );
    let s = &report.summaries;
    panels.note = format!(
        "{} hidden ReLU layers of {}, digits, {} seeds; noise a = {}, b = {}, v = {}; mean \
         final loss: none {:.3}, batch {:.3}, noisy {:.3}",
        o.depth,
        o.width,
        o.seeds,
        o.noise.mean,
        o.noise.scale,
        o.noise.variance,
        s[0].mean_final_loss,
        s[1].mean_final_loss,
        s[2].mean_final_loss
    );
    panels
}

fn runs_of<'a>(
    report: &'a BnNoiseReport,
    name: &'static str,
) -> impl Iterator<Item = &'a NoiseRun> {
    report.runs.iter().filter(move |r| r.network == name)
}

/// The training curves, one line per run, a colour per network: full-batch training
/// loss (log) and test accuracy.
pub fn curve_charts(report: &BnNoiseReport) -> (LineChart, LineChart) {
    let mut loss = LineChart::new(
        "Training loss (clean, full batch)",
        "step",
        "training loss (log)",
    );
    loss.y_scale = Scale::Log;
    let mut accuracy = LineChart::new("Test accuracy", "step", "test accuracy (%)");
    for (colour, name) in NETWORKS.iter().enumerate() {
        for (k, r) in runs_of(report, name).enumerate() {
            let label = if k == 0 { *name } else { "" };
            let c = &r.curve;
            let at = |v: &[f64], scale: f64| -> Vec<(f64, f64)> {
                c.steps
                    .iter()
                    .zip(v)
                    .map(|(&s, &y)| (s as f64, scale * y))
                    .collect()
            };
            loss.series.push(Series::new(
                label,
                at(&c.train_loss, 1.0),
                Stroke::Solid,
                colour,
            ));
            accuracy.series.push(Series::new(
                label,
                at(&c.test_accuracy, 100.0),
                Stroke::Solid,
                colour,
            ));
        }
    }
    (loss, accuracy)
}

/// Seed 0's trace of one unit of the last hidden layer: its mean on the probe batch
/// (solid) and mean ± std (dashed), batch normalisation against the noisy network.
pub fn unit_chart(report: &BnNoiseReport) -> LineChart {
    let trace_of = |name: &'static str| runs_of(report, name).next().map(|r| &r.trace);
    let layer = trace_of(NETWORKS[1]).map_or(0, |t| t.layer);
    let mut chart = LineChart::new(
        format!("Layer {layer}, unit 1: its input distribution on the probe batch"),
        "step",
        "U′: mean, mean ± std",
    );
    for (colour, name) in NETWORKS.iter().enumerate().skip(1) {
        let Some(t) = trace_of(name) else { continue };
        let line = |sign: f64| -> Vec<(f64, f64)> {
            t.steps
                .iter()
                .zip(t.mean.iter().zip(&t.std))
                .map(|(&s, (&m, &sd))| (s as f64, m + sign * sd))
                .collect()
        };
        chart
            .series
            .push(Series::new(*name, line(0.0), Stroke::Solid, colour));
        chart
            .series
            .push(Series::new("", line(1.0), Stroke::Dashed, colour));
        chart
            .series
            .push(Series::new("", line(-1.0), Stroke::Dashed, colour));
    }
    chart.note = format!(
        "seed 0, every {} steps: mean (solid), mean ± std (dashed); noise drawn afresh",
        report.options.probe_every
    );
    chart
}

/// Seed 0's shift between consecutive probes, mean over layers and units of |Δμ|
/// (solid) and |Δσ| (dashed), per network (log).
pub fn shift_chart(report: &BnNoiseReport) -> LineChart {
    let mut chart = LineChart::new(
        "Distribution shift between consecutive probes",
        "step",
        "mean |Δμ| (solid), |Δσ| (dashed) (log)",
    );
    chart.y_scale = Scale::Log;
    for (colour, name) in NETWORKS.iter().enumerate() {
        let Some(r) = runs_of(report, name).next() else {
            continue;
        };
        let line = |v: &[f64]| -> Vec<(f64, f64)> {
            r.shift_steps
                .iter()
                .zip(v)
                .map(|(&s, &y)| (s as f64, y))
                .collect()
        };
        chart.series.push(Series::new(
            *name,
            line(&r.mean_shift),
            Stroke::Solid,
            colour,
        ));
        chart
            .series
            .push(Series::new("", line(&r.std_shift), Stroke::Dashed, colour));
    }
    chart.note = format!(
        "seed 0; probes {} steps apart on {} samples",
        report.options.probe_every, report.options.probe
    );
    chart
}
