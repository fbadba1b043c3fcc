//! The chart of `landscape experiment pretraining`: the fine-tuning curves on digits 5–9
//! from the pre-trained start and from scratch, one line per start: the full-batch
//! training loss (log scale, the target dashed) and the test accuracy.

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::deep::pretraining::{FineTuning, PretrainingReport, StartResult};

/// Two panels: training loss and test accuracy against the step.
pub fn pretraining_chart(report: &PretrainingReport) -> Panels {
    let (loss, accuracy) = fine_tuning_charts(report);
    let median = |m: Option<f64>| m.map_or("censored".into(), |m| format!("{m}"));
    let mut panels = Panels::new(
        "Pre-training on digits 0–4 as the initialisation for digits 5–9",
        2,
        vec![loss, accuracy],
    );
    panels.note = format!(
        "{} starts; median steps to the target: pre-trained {}, scratch {}; mean test accuracy {:.1}% vs {:.1}%",
        report.options.seeds,
        median(report.pretrained.median_steps_to_target),
        median(report.scratch.median_steps_to_target),
        100.0 * report.pretrained.mean_final_test_accuracy,
        100.0 * report.scratch.mean_final_test_accuracy,
    );
    panels
}

/// The fine-tuning curves, one line per start and arm: training loss (log, with the
/// target dashed) and test accuracy.
pub fn fine_tuning_charts(report: &PretrainingReport) -> (LineChart, LineChart) {
    let o = &report.options;
    let mut loss = LineChart::new(
        "Fine-tuning on digits 5–9: training loss",
        "step",
        "full-batch training loss (log)",
    );
    loss.y_scale = Scale::Log;
    let mut accuracy = LineChart::new(
        "Fine-tuning on digits 5–9: test accuracy",
        "step",
        "test accuracy (%)",
    );
    type Arm = fn(&StartResult) -> &FineTuning;
    let arms: [(&str, usize, Arm); 2] = [
        ("pre-trained on 0–4", 0, |s| &s.pretrained),
        ("from scratch", 1, |s| &s.scratch),
    ];
    for (name, colour, arm) in arms {
        for (k, start) in report.starts.iter().enumerate() {
            let c = &arm(start).curve;
            let label = if k == 0 { name } else { "" };
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
    loss.series.push(Series::new(
        format!("target {}", o.target),
        vec![(0.0, o.target), (o.steps as f64, o.target)],
        Stroke::Dashed,
        2,
    ));
    (loss, accuracy)
}
