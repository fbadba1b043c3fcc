//! The gallery's picture of `landscape experiment pretraining`: fine-tuning on digits
//! 5–9 from a start pre-trained on 0–4 and from scratch, on the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::deep::pretraining::{pretraining, PretrainingOptions};
use crate::plot::pretraining::fine_tuning_charts;

/// The training-loss curves of the quick instance (≈ 0.5 s).
pub(crate) fn pretraining_curves(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = PretrainingOptions {
        steps: settings.pick(60, 30),
        pretrain_steps: settings.pick(60, 30),
        ..PretrainingOptions::quick()
    };
    let report = pretraining(&options)?;
    let (chart, _) = fine_tuning_charts(&report);
    let file = "pretraining.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let median = |m: Option<f64>| m.map_or("never".into(), |m| format!("{m}"));
    Ok(Picture {
        file: file.into(),
        title: "Pre-training on digits 0–4 as the initialisation for 5–9".into(),
        caption: format!(
            "Training loss on digits 5–9, {} starts: median steps to loss {} {} pre-trained \
             (hidden layers from 0–4, output layer re-initialised), {} from scratch; mean test \
             accuracy {:.1}% and {:.1}%.",
            options.seeds,
            options.target,
            median(report.pretrained.median_steps_to_target),
            median(report.scratch.median_steps_to_target),
            100.0 * report.pretrained.mean_final_test_accuracy,
            100.0 * report.scratch.mean_final_test_accuracy,
        ),
    })
}
