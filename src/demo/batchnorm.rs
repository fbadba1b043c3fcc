//! The gallery's pictures of the normalisation experiments on their quick instances:
//! `batchnorm` (final training loss against the learning rate, with and without batch
//! normalisation) and `bn-smoothness` (the effective β-smoothness along both training
//! paths).

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::batchnorm::{batchnorm, BatchnormOptions};
use crate::experiments::normalisation::smoothness::{smoothness, SmoothnessOptions};
use crate::plot::batchnorm::lr_charts;
use crate::plot::bn_smoothness::quantity_chart;

/// The final loss against η of the quick instance (≈ 1 s).
pub(crate) fn batchnorm_lrs(settings: &Settings, dir: &Path) -> Result<Picture> {
    let mut options = BatchnormOptions::quick();
    options.seeds = settings.pick(2, 1);
    let report = batchnorm(&options)?;
    let (mut chart, _) = lr_charts(&report);
    chart.title = format!(
        "{} hidden ReLU layers of {}, with and without batch normalisation: final loss against η",
        options.network.depth, options.network.width
    );
    let file = "batchnorm.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let lr = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
    let (p, b) = (&report.summaries[0], &report.summaries[1]);
    Ok(Picture {
        file: file.into(),
        title: "Batch normalisation trains at larger learning rates".into(),
        caption: format!(
            "Mean final training loss after {} SGD steps against η, from the same weights; \
             largest η that trains (final loss ≤ ½ ln 10 on every seed): plain {}, BN {}.",
            options.sgd.steps,
            lr(p.largest_trainable_lr),
            lr(b.largest_trainable_lr),
        ),
    })
}

/// The effective β-smoothness along both paths of the quick instance (≈ 1 s).
pub(crate) fn bn_smoothness(settings: &Settings, dir: &Path) -> Result<Picture> {
    let mut options = SmoothnessOptions::quick();
    options.sgd.steps = settings.pick(60, 40);
    let report = smoothness(&options)?;
    let mut chart = quantity_chart(&report, 2);
    chart.title = format!(
        "Effective β-smoothness along the training path (η = {})",
        options.sgd.lr
    );
    let file = "bn-smoothness.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let r = &report.ratios;
    Ok(Picture {
        file: file.into(),
        title: "Smoothness along the path with and without batch normalisation".into(),
        caption: format!(
            "max ‖∇f_B(θ) − ∇f_B(θ − s g)‖/‖s g‖ over s ∈ [½η, 4η] every {} steps; median \
             ratios plain/BN: loss variation {:.2}, gradient change {:.2}, β-smoothness \
             {:.2}, λmax of the exact Hessian {:.2}.",
            options.every, r[0].ratio, r[1].ratio, r[2].ratio, r[3].ratio
        ),
    })
}
