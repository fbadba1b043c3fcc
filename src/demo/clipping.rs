//! The gallery's picture of `landscape experiment clipping`: f along the steps around
//! the deep network's cliff, with and without clipping, on the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::deep::clipping::{clipping, ClippingOptions};
use crate::plot::clipping::cliff_chart;

/// The cliff of the quick instance (≈ 1 s).
pub(crate) fn clipping_cliff(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = ClippingOptions {
        seeds: settings.pick(6, 3),
        ..ClippingOptions::quick()
    };
    let report = clipping(&options)?;
    let net = &report.network;
    let mut chart = cliff_chart(net);
    chart.title = format!(
        "Gradient descent η = {} on a ReLU network of {} hidden layers: the cliff",
        net.lr, options.net_depth
    );
    let file = "clipping.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let counts: Vec<String> = net
        .settings
        .iter()
        .map(|s| {
            let name = s
                .clip_norm
                .map_or("no clipping".into(), |c| format!("c = {c}"));
            format!("{name}: {} of {}", s.failed, s.runs)
        })
        .collect();
    let chain = report.chain.unclipped();
    Ok(Picture {
        file: file.into(),
        title: "Gradient clipping against cliffs".into(),
        caption: format!(
            "f (log) around the failure of an unclipped run; runs that diverged or jumped \
             (×{} in one step): {}. On the scalar chain ½(w₁⋯w_{}·x − y)² {} of {} unclipped \
             runs failed, {} clipped.",
            options.jump_factor,
            counts.join(", "),
            options.depth,
            chain.failed,
            chain.runs,
            report
                .chain
                .clipped()
                .iter()
                .map(|s| s.failed)
                .sum::<usize>()
        ),
    })
}
