//! The gallery's picture of `landscape experiment bn-noise`: one unit's input
//! distribution along training with batch normalisation and with noisy batch
//! normalisation, on the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::noise::{bn_noise, BnNoiseOptions};
use crate::plot::bn_noise::unit_chart;

/// The unit's distribution on the quick instance (≈ 1 s).
pub(crate) fn bn_noise_shift(settings: &Settings, dir: &Path) -> Result<Picture> {
    let mut options = BnNoiseOptions {
        seeds: 1,
        ..BnNoiseOptions::quick()
    };
    options.sgd.steps = settings.pick(200, 100);
    let report = bn_noise(&options)?;
    let mut chart = unit_chart(&report);
    chart.title = format!(
        "Batch normalisation with and without noise: layer {}, unit 1",
        options.depth
    );
    let file = "bn-noise.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let s = &report.summaries;
    Ok(Picture {
        file: file.into(),
        title: "Noisy batch normalisation: not internal covariate shift".into(),
        caption: format!(
            "The mean (and ± one std) of a unit's input on a fixed batch along training: noise \
             after batch normalisation moves it at every step (mean shift {:.2e} per probe \
             against {:.2e}), yet the final training loss is {:.3} against {:.3} for plain \
             batch normalisation and {:.3} without normalisation ({} steps).",
            s[2].mean_shift,
            s[1].mean_shift,
            s[2].mean_final_loss,
            s[1].mean_final_loss,
            s[0].mean_final_loss,
            options.sgd.steps
        ),
    })
}
