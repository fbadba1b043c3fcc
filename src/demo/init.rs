//! The gallery's picture of the initialisation experiment (`experiment init` at a small
//! size): zero, small and large initialisation of a deep network on the digits.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::deep::init::{init, InitOptions};
use crate::plot::init::init_figure;

/// Zero, small and large initialisation, four panels (the same size with or without
/// `--quick`).
pub(crate) fn initialisation(_settings: &Settings, dir: &Path) -> Result<Picture> {
    // A small instance (≈ 3 s of CPU): width 8, 120 steps evaluated every 20, the
    // origin classified for H = 2 only.
    let mut options = InitOptions {
        width: 8,
        small_scales: vec![1.0, 0.4, 0.2],
        large_scales: vec![1.0, 16.0],
        classify_width: 2,
        classify_depths: vec![1],
        ..InitOptions::default()
    };
    options.sgd.steps = 120;
    options.sgd.eval_every = 20;
    let report = init(&options)?;
    // Four of the six panels at the gallery's size: the loss from zero, the small
    // scales' losses and plateau lengths, the large scales' losses.
    let mut figure = init_figure(&report);
    figure.charts = [0, 2, 3, 5]
        .iter()
        .filter_map(|&i| figure.charts.get(i).cloned())
        .collect();
    let file = "initialisation.png";
    crate::plot::save(&figure, &dir.join(file), SIZE)?;
    let plateau = |s: &crate::experiments::deep::init::SmallRun| {
        s.plateau
            .map_or(format!("more than {}", options.sgd.steps), |p| {
                p.to_string()
            })
    };
    let small: Vec<String> = report
        .small
        .iter()
        .map(|s| format!("{} steps at s = {}", plateau(s), s.scale))
        .collect();
    let held = report.claims.iter().filter(|c| c.holds).count();
    let zero_ranks = report
        .zero
        .iter()
        .filter(|z| z.initialisation == "zeros")
        .flat_map(|z| z.layers.iter().map(|l| l.rank))
        .max()
        .unwrap_or(0);
    Ok(Picture {
        file: file.into(),
        title: "Initialisation: zero, small, large".into(),
        caption: format!(
            "{} hidden layers of {}: from zeros every trained weight matrix has rank ≤ {}; \
             from s × Kaiming the plateau lasts {}; {} of {} claims hold.",
            options.depth,
            options.width,
            zero_ranks,
            small.join(", "),
            held,
            report.claims.len()
        ),
    })
}
