//! The chart of `landscape experiment exp-lr`: the training loss under the exponential
//! schedule with and without batch normalisation, the norms of the hidden layers'
//! weights and of all the parameters, and the learning rate against the effective rate
//! ηₜ/‖W₁‖² of the first (scale-invariant, with batch normalisation) layer.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::normalisation::exp_lr::{ExpLrReport, ExpLrRun};

fn network_name(run: &ExpLrRun) -> &'static str {
    if run.batch_norm {
        "BN"
    } else {
        "no BN"
    }
}

/// Three panels against the step: training loss (log), weight norms (log), learning
/// rates (log).
pub fn exp_lr_chart(report: &ExpLrReport) -> Panels {
    let o = &report.options;
    let mut loss = LineChart::new("Training loss", "step", "full-batch training loss (log)");
    loss.y_scale = Scale::Log;
    let mut norms = LineChart::new(
        "Weight norms (solid: BN, dashed: no BN)",
        "step",
        "‖Wₗ‖ of the hidden layers, ‖θ‖ (log)",
    );
    norms.y_scale = Scale::Log;
    let mut rates = LineChart::new(
        "Learning rate and effective rate of W₁",
        "step",
        "rate (log)",
    );
    rates.y_scale = Scale::Log;
    let layers = o.depth;
    for run in &report.runs {
        let first = run.seed_index == 0;
        let steps: Vec<f64> = run.curve.steps.iter().map(|&s| s as f64).collect();
        let colour = usize::from(run.batch_norm);
        let label = |text: String| if first { text } else { String::new() };
        loss.series.push(Series::new(
            label(network_name(run).to_string()),
            steps
                .iter()
                .copied()
                .zip(run.curve.train_loss.iter().copied())
                .collect(),
            Stroke::Solid,
            colour,
        ));
        let stroke = if run.batch_norm {
            Stroke::Solid
        } else {
            Stroke::Dashed
        };
        for (l, w) in run.weight_norms.iter().enumerate() {
            norms.series.push(Series::new(
                if run.batch_norm {
                    label(format!("‖W{}‖", l + 1))
                } else {
                    String::new()
                },
                steps.iter().copied().zip(w.iter().copied()).collect(),
                stroke,
                l,
            ));
        }
        norms.series.push(Series::new(
            if run.batch_norm {
                label("‖θ‖".into())
            } else {
                String::new()
            },
            steps
                .iter()
                .copied()
                .zip(run.total_norm.iter().copied())
                .collect(),
            stroke,
            layers,
        ));
        if let Some(w1) = run.weight_norms.first() {
            rates.series.push(Series::new(
                label(format!("ηₜ/‖W₁‖², {}", network_name(run))),
                steps
                    .iter()
                    .zip(w1.iter().zip(&run.lr))
                    .map(|(&s, (&n, &eta))| (s, eta / (n * n)))
                    .collect(),
                Stroke::Solid,
                colour,
            ));
        }
    }
    rates.series.push(Series::new(
        "ηₜ = η₀αᵗ",
        (0..=20)
            .map(|k| {
                let t = k as f64 * o.steps as f64 / 20.0;
                (t, o.lr * o.growth.powf(t))
            })
            .collect(),
        Stroke::Dashed,
        3,
    ));
    let mut panels = Panels::new(
        "An exponentially growing learning rate with and without batch normalisation",
        3,
        vec![loss, norms, rates],
    );
    panels.note = format!(
        "{} hidden ReLU layers of {} units, digits; SGD (μ = 0), batch {}, ηₜ = {}·{}ᵗ, weight decay {}; \
         {} seeds; a curve ends where its run diverged",
        o.depth, o.width, o.batch_size, o.lr, o.growth, o.weight_decay, o.seeds
    );
    panels
}
