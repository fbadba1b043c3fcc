//! The chart of `landscape experiment gamma-beta`: test accuracy and training loss
//! along the three trainings (all parameters, only γ and β, only the output layer), one
//! line per seed, chance dashed.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::normalisation::gamma_beta::{GammaBetaReport, Trained};

/// Two panels: test accuracy (%) and full-batch training loss (log) against the step.
pub fn gamma_beta_chart(report: &GammaBetaReport) -> Panels {
    let o = &report.options;
    let mut accuracy = LineChart::new("Test accuracy", "step", "test accuracy (%)");
    let mut loss = LineChart::new("Training loss", "step", "full-batch training loss (log)");
    loss.y_scale = Scale::Log;
    for (colour, trained) in Trained::ALL.into_iter().enumerate() {
        for (k, run) in report.of(trained).into_iter().enumerate() {
            let label = if k == 0 {
                format!("{} ({} parameters)", trained.name(), run.trained_parameters)
            } else {
                String::new()
            };
            let c = &run.curve;
            let at = |v: &[f64], scale: f64| -> Vec<(f64, f64)> {
                c.steps
                    .iter()
                    .zip(v)
                    .map(|(&s, &y)| (s as f64, scale * y))
                    .collect()
            };
            accuracy.series.push(Series::new(
                label.clone(),
                at(&c.test_accuracy, 100.0),
                Stroke::Solid,
                colour,
            ));
            loss.series.push(Series::new(
                label,
                at(&c.train_loss, 1.0),
                Stroke::Solid,
                colour,
            ));
        }
    }
    let chance = 100.0 * report.chance;
    accuracy.series.push(Series::new(
        format!("chance {chance:.0}%"),
        vec![(0.0, chance), (o.sgd.steps as f64, chance)],
        Stroke::Dashed,
        3,
    ));
    let mut panels = Panels::new(
        "Training only γ and β of a batch-normalised network, weights frozen at their random start",
        2,
        vec![accuracy, loss],
    );
    panels.note = format!(
        "{} hidden ReLU layers of {} units, batch normalisation, digits; heavy_ball η = {}, μ = {}, \
         batch {}, {} steps; {} seeds (one line each), the same start for the three settings",
        o.depth, o.width, o.sgd.lr, o.sgd.momentum, o.sgd.batch_size, o.sgd.steps, o.seeds
    );
    panels
}
