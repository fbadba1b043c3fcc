//! The chart of `landscape experiment bn-spectrum`: the four SLQ spectral densities
//! (with and without batch normalisation, at the start and after training) overlaid on
//! one log density axis, the top eigenvalues by Lanczos as dots along the bottom, and
//! beside it the two after training on their own eigenvalue scale.

use super::{LineChart, Panels, Scale, Series, Stroke, VerticalLine};
use crate::experiments::normalisation::spectrum::{BnSpectrumReport, SpectrumAt};
use crate::spectrum::Density;

/// Densities below this fraction of a density's peak are drawn at it (the Gaussian
/// tails would stretch the log axis over hundreds of decades).
pub const FLOOR: f64 = 1e-7;

/// Several smoothed densities on one chart, density axis logarithmic: each
/// `(legend, density, stroke, colour)` one line, raised to [`FLOOR`] × its peak where it
/// is below (a gap between separated eigenvalues runs along that floor).
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
            .map(|(&t, &phi)| (t, phi.max(FLOOR * peak)))
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

/// One line per spectrum of `report` that `keep` selects, its top eigenvalues as dots
/// along the bottom.
fn overlay(
    report: &BnSpectrumReport,
    title: &str,
    keep: impl Fn(&SpectrumAt) -> bool,
) -> LineChart {
    let kept: Vec<&SpectrumAt> = report.spectra.iter().filter(|s| keep(s)).collect();
    let entries: Vec<(String, &Density, Stroke, usize)> = kept
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
    let mut chart = density_overlay(title, &entries);
    let bottom = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(f64::INFINITY, f64::min);
    if bottom.is_finite() {
        for s in kept {
            chart.series.push(Series::new(
                "",
                s.top.iter().map(|&l| (l, bottom)).collect(),
                Stroke::Points,
                usize::from(s.batch_norm),
            ));
        }
    }
    chart
}

/// The four densities on one chart, the top eigenvalues as dots at the bottom (the
/// gallery's picture).
pub fn four_densities(report: &BnSpectrumReport) -> LineChart {
    let mut chart = overlay(
        report,
        "Hessian spectral density with and without batch normalisation",
        |_| true,
    );
    chart.note = format!(
        "dashed: at the start, solid: after {} steps; dots: the top {} eigenvalues by Lanczos",
        report.options.sgd.steps, report.options.top
    );
    chart
}

/// Two panels: the four densities on one chart, and the two after training on their
/// own (smaller) eigenvalue scale.
pub fn bn_spectrum_chart(report: &BnSpectrumReport) -> Panels {
    let o = &report.options;
    let mut panels = Panels::new(
        "Hessian spectral density with and without batch normalisation",
        2,
        vec![
            overlay(
                report,
                "At the start (dashed) and after training (solid)",
                |_| true,
            ),
            overlay(report, "After training, on its own scale", |s| s.trained),
        ],
    );
    panels.note = format!(
        "{} hidden ReLU layers of {} units, digits, {} SGD steps; SLQ {} probes × {} Lanczos \
         steps; dots: the top {} eigenvalues by Lanczos",
        o.depth, o.width, o.sgd.steps, o.probes, o.lanczos_steps, o.top
    );
    panels
}
