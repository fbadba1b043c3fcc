//! The chart of `landscape experiment bn-spectrum`: the four SLQ spectral densities
//! (with and without batch normalisation, at the start and after training) overlaid on
//! one log density axis, the top eigenvalues by Lanczos as dots along the bottom.

use super::{LineChart, Scale, Series, Stroke, VerticalLine};
use crate::experiments::normalisation::spectrum::BnSpectrumReport;
use crate::spectrum::Density;

/// Densities below this fraction of a density's peak are not drawn (the Gaussian tails
/// would stretch the log axis over hundreds of decades).
pub const FLOOR: f64 = 1e-7;

/// Several smoothed densities on one chart, density axis logarithmic: each
/// `(legend, density, stroke, colour)` one line, points below [`FLOOR`] × its peak left
/// out.
pub fn density_overlay(
    title: impl Into<String>,
    densities: &[(String, &Density, Stroke, usize)],
) -> LineChart {
    let mut chart = LineChart::new(title, "eigenvalue λ", "spectral density φ(λ) (log)");
    chart.y_scale = Scale::Log;
    for (name, d, stroke, colour) in densities {
        let peak = d.density.iter().copied().fold(0.0, f64::max);
        let points = d
            .grid
            .iter()
            .zip(&d.density)
            .filter(|(_, &phi)| phi >= FLOOR * peak && phi > 0.0)
            .map(|(&t, &phi)| (t, phi))
            .collect();
        chart
            .series
            .push(Series::new(name.clone(), points, *stroke, *colour));
    }
    chart.vertical_lines.push(VerticalLine {
        x: 0.0,
        label: "λ = 0".into(),
    });
    chart
}

/// The four densities, the top eigenvalues as dots at the bottom.
pub fn bn_spectrum_chart(report: &BnSpectrumReport) -> LineChart {
    let entries: Vec<(String, &Density, Stroke, usize)> = report
        .spectra
        .iter()
        .map(|s| {
            let stroke = if s.trained {
                Stroke::Solid
            } else {
                Stroke::Dashed
            };
            (
                format!(
                    "{}: neg. mass {:.3}, λmax {:.3}",
                    s.name(),
                    s.negative_mass,
                    s.lambda_max()
                ),
                &s.density,
                stroke,
                usize::from(s.batch_norm),
            )
        })
        .collect();
    let o = &report.options;
    let mut chart = density_overlay(
        "Hessian spectral density with and without batch normalisation",
        &entries,
    );
    let bottom = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(f64::INFINITY, f64::min);
    if bottom.is_finite() {
        for s in &report.spectra {
            chart.series.push(Series::new(
                "",
                s.top.iter().map(|&l| (l, bottom)).collect(),
                Stroke::Points,
                usize::from(s.batch_norm),
            ));
        }
    }
    chart.note = format!(
        "{} hidden ReLU layers of {} units, digits; SLQ {} probes × {} Lanczos steps; dashed: \
         start, solid: after {} steps; dots: the top {} eigenvalues by Lanczos",
        o.depth, o.width, o.probes, o.lanczos_steps, o.sgd.steps, o.top
    );
    chart
}
