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

/// Xavier against Kaiming on a deep ReLU network (`experiment kaiming --quick`: 12
/// layers of 32, 2 seeds, 300 steps; about a second): training loss, test accuracy and
/// the activation variance per layer at the start.
pub(crate) fn kaiming_xavier(_settings: &Settings, dir: &Path) -> Result<Picture> {
    use crate::experiments::deep::kaiming::{kaiming, KaimingOptions};
    let options = KaimingOptions::quick();
    let report = kaiming(&options)?;
    let mut figure = crate::plot::init::kaiming_figure(&report);
    figure.columns = 2;
    let file = "kaiming_xavier.png";
    crate::plot::save(&figure, &dir.join(file), SIZE)?;
    let mean_factor = |scheme: &str| {
        let factors: Vec<f64> = report
            .runs
            .iter()
            .filter(|r| r.initialisation == scheme)
            .map(|r| r.variance_factor)
            .collect();
        factors.iter().sum::<f64>() / factors.len().max(1) as f64
    };
    let min_loss = |scheme: &str| {
        report
            .runs
            .iter()
            .filter(|r| r.initialisation == scheme)
            .map(|r| r.min_loss)
            .fold(f64::INFINITY, f64::min)
    };
    let held = report.claims.iter().filter(|c| c.holds).count();
    Ok(Picture {
        file: file.into(),
        title: "Xavier against Kaiming on a deep ReLU network".into(),
        caption: format!(
            "{} ReLU layers of {}, {} seeds, {} steps at η = {}: the activation variance per \
             layer is multiplied by {:.3} under Xavier (theory ½) and {:.3} under Kaiming \
             (theory 1); lowest training loss {:.3} (Xavier) against {:.3} (Kaiming), ln 10 = \
             2.303; {} of {} claims hold (`landscape experiment kaiming`).",
            options.depth,
            options.width,
            options.seeds,
            options.sgd.steps,
            options.sgd.lr,
            mean_factor("xavier_normal"),
            mean_factor("kaiming_normal"),
            min_loss("xavier_normal"),
            min_loss("kaiming_normal"),
            held,
            report.claims.len()
        ),
    })
}
