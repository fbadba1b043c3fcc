//! The charts of the depth and activations experiments
//! ([`crate::experiments::deep::depth`], [`crate::experiments::deep::activations`]):
//! ‖∂f/∂Wₗ‖ against the layer on a log axis, one line per initialisation and one panel
//! per activation; and, for the activations, the gradient profiles beside the training
//! curves.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::deep::activations::ActivationsReport;
use crate::experiments::deep::depth::DepthReport;

/// (layer, log₁₀ value) points of a per-layer sequence (layers 1…L), leaving out the
/// values that are 0 or not finite. The depth chart spans hundreds of decades, which a
/// log axis labels badly; log₁₀ on a linear axis reads at every height.
fn by_layer_log10(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite() && **v > 0.0)
        .map(|(i, &v)| ((i + 1) as f64, v.log10()))
        .collect()
}

fn short(v: Option<f64>) -> String {
    v.map_or("-".to_string(), crate::display::short)
}

/// One panel per activation: ‖∂f/∂Wₗ‖ against l (log), a line per initialisation with
/// its fitted factor per layer in the legend.
pub fn depth_chart(report: &DepthReport) -> Panels {
    let o = &report.options;
    let charts = o
        .activations
        .iter()
        .map(|activation| {
            let mut chart = LineChart::new(activation.as_str(), "layer l", "log₁₀ ‖∂f/∂Wₗ‖");
            let stroke = if o.depth > 20 {
                Stroke::Solid
            } else {
                Stroke::LinePoints
            };
            let mut missing = Vec::new();
            for (i, init) in o.inits.iter().enumerate() {
                if let Some(c) = report.case(activation, init) {
                    let points = by_layer_log10(&c.measured.grad_weight_norm);
                    if points.is_empty() {
                        missing.push(format!("{init} ({})", c.gradient));
                        continue;
                    }
                    chart.series.push(Series::new(
                        format!(
                            "{init}: ×{} per layer",
                            short(c.measured_factors.grad_weight_norm.factor)
                        ),
                        points,
                        stroke,
                        i,
                    ));
                }
            }
            if !missing.is_empty() {
                chart.note = format!("not drawn (0 or overflow): {}", missing.join(", "));
            }
            chart
        })
        .collect();
    let columns = if o.activations.len() > 4 {
        4
    } else {
        o.activations.len()
    };
    let mut panels = Panels::new(
        format!(
            "Weight-gradient norm per layer at initialisation: {} hidden layers of {} on the digits",
            o.depth, o.width
        ),
        columns,
        charts,
    );
    panels.note = format!(
        "mean over {} seed(s); ×: fitted ‖∂f/∂Wₗ‖ ratio per layer towards the input; small: std 0.01, large: std 1; xavier, kaiming: normal",
        o.seeds
    );
    panels
}

/// Three panels: ‖∂f/∂Wₗ‖ at initialisation against l, the training loss and the test
/// accuracy against the step, a line per activation.
pub fn activations_chart(report: &ActivationsReport) -> Panels {
    let o = &report.options;
    let mut gradients = LineChart::new("at initialisation", "layer l", "log₁₀ ‖∂f/∂Wₗ‖");
    let mut loss = LineChart::new("training loss (full batch)", "step", "loss");
    loss.y_scale = Scale::Log;
    let mut accuracy = LineChart::new("test accuracy", "step", "accuracy");
    for (i, c) in report.cases.iter().enumerate() {
        gradients.series.push(Series::new(
            format!(
                "{} ({}): first/last {:.1e}",
                c.activation, c.init, c.first_to_last
            ),
            by_layer_log10(&c.at_init.grad_weight_norm),
            Stroke::LinePoints,
            i,
        ));
        let steps = |v: &[f64]| -> Vec<(f64, f64)> {
            c.curve
                .steps
                .iter()
                .zip(v)
                .map(|(&s, &y)| (s as f64, y))
                .collect()
        };
        loss.series.push(Series::new(
            format!(
                "{}: {}",
                c.activation,
                crate::display::short(c.final_loss())
            ),
            steps(&c.curve.train_loss),
            Stroke::Solid,
            i,
        ));
        accuracy.series.push(Series::new(
            format!(
                "{}: {}",
                c.activation,
                c.curve
                    .final_accuracy()
                    .map_or("-".to_string(), |a| format!("{:.1}%", 100.0 * a))
            ),
            steps(&c.curve.test_accuracy),
            Stroke::Solid,
            i,
        ));
    }
    let mut panels = Panels::new(
        format!(
            "Activations at depth {} (width {}) on the digits: gradients at initialisation and training",
            o.depth, o.width
        ),
        3,
        vec![gradients, loss, accuracy],
    );
    panels.note = format!(
        "SGD with momentum η = {}, μ = {}, batches of {}, {} steps; mean over {} seed(s)",
        o.lr, o.momentum, o.batch_size, o.steps, o.seeds
    );
    panels
}
