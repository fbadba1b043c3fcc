//! The gallery's picture of `landscape experiment exp-lr`: the training loss under an
//! exponentially growing learning rate with and without batch normalisation, on the
//! quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::exp_lr::{exp_lr, ExpLrOptions};
use crate::plot::exp_lr::exp_lr_chart;

/// The loss curves of the quick instance.
pub(crate) fn exp_lr_curves(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = ExpLrOptions {
        steps: settings.pick(600, 300),
        growth: settings.pick(1.008, 1.016),
        ..ExpLrOptions::quick()
    };
    let report = exp_lr(&options)?;
    let mut chart = exp_lr_chart(&report).charts.swap_remove(0);
    chart.title = format!(
        "Training loss, SGD with ηₜ = {}·{}ᵗ and weight decay {}",
        options.lr, options.growth, options.weight_decay
    );
    let file = "exp-lr.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let outcome = |bn: bool| {
        report
            .runs
            .iter()
            .find(|r| r.batch_norm == bn)
            .map_or("–".to_string(), |r| {
                if r.diverges {
                    format!(
                        "diverged (last evaluation at step {:?})",
                        r.curve.steps.last()
                    )
                } else {
                    format!(
                        "reached a loss of {:.3} (and ended at {:.3})",
                        r.min_loss,
                        r.curve.final_loss()
                    )
                }
            })
    };
    Ok(Picture {
        file: file.into(),
        title: "An exponentially growing learning rate (Li & Arora 2019)".into(),
        caption: format!(
            "η grows ×{:.0} over {} steps: with batch normalisation the network {}; without it \
             {}.",
            options.growth.powf(options.steps as f64),
            options.steps,
            outcome(true),
            outcome(false)
        ),
    })
}
