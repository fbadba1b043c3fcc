//! The gallery's picture of `landscape experiment gamma-beta`: test accuracy when
//! training all parameters, only γ and β, or only the output layer of a batch-normalised
//! network, on the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::gamma_beta::{gamma_beta, GammaBetaOptions, Trained};
use crate::plot::gamma_beta::gamma_beta_chart;

/// The accuracy curves of the quick instance.
pub(crate) fn gamma_beta_curves(settings: &Settings, dir: &Path) -> Result<Picture> {
    let mut options = GammaBetaOptions {
        seeds: 1,
        ..GammaBetaOptions::quick()
    };
    options.sgd.steps = settings.pick(300, 150);
    let report = gamma_beta(&options)?;
    let mut chart = gamma_beta_chart(&report).charts.swap_remove(0);
    chart.title = format!(
        "Test accuracy, {} BN layers of {} units, weights frozen but for the trained set",
        options.depth, options.width
    );
    let file = "gamma-beta.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let accuracy = |t: Trained| {
        report
            .of(t)
            .first()
            .map_or(f64::NAN, |r| 100.0 * r.test_accuracy)
    };
    Ok(Picture {
        file: file.into(),
        title: "Training only γ and β (Frankle et al. 2020)".into(),
        caption: format!(
            "From one random start, {} SGD steps: all parameters {:.1}%, only γ and β {:.1}%, \
             only the output layer {:.1}% test accuracy (chance 10%).",
            options.sgd.steps,
            accuracy(Trained::All),
            accuracy(Trained::GammaBeta),
            accuracy(Trained::Output)
        ),
    })
}
