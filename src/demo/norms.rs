//! The gallery's picture of `landscape experiment norms`: the final training loss of
//! each normalisation against the batch size, on the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::relatives::{norms, NormsOptions};
use crate::plot::norms::final_loss_chart;

/// The final losses of the quick instance (≈ 1 s).
pub(crate) fn norms_batch_size(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = NormsOptions {
        epochs: settings.pick(3, 2),
        ..NormsOptions::quick()
    };
    let report = norms(&options)?;
    let mut chart = final_loss_chart(&report);
    chart.title = format!(
        "Normalisations against the batch size ({} epochs at every size)",
        options.epochs
    );
    let file = "norms.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let ratios: Vec<String> = report
        .degradation
        .iter()
        .map(|d| format!("{} ×{:.2}", d.norm, d.ratio))
        .collect();
    let (lo, hi) = (
        options.batch_sizes.iter().min().copied().unwrap_or(0),
        options.batch_sizes.iter().max().copied().unwrap_or(0),
    );
    Ok(Picture {
        file: file.into(),
        title: "Batch normalisation and its relatives against the batch size".into(),
        caption: format!(
            "Final training loss (log) of the same network with each normalisation, the same \
             samples seen at every batch size; loss at batch {lo} over loss at batch {hi}: {}.",
            ratios.join(", ")
        ),
    })
}
