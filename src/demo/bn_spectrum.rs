//! The gallery's picture of `landscape experiment bn-spectrum`: the Hessian's spectral
//! density with and without batch normalisation, at the start and after training, on
//! the quick instance.

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::normalisation::spectrum::{bn_spectrum, BnSpectrumOptions};
use crate::plot::bn_spectrum::four_densities;

/// The four densities of the quick instance.
pub(crate) fn bn_spectrum_densities(settings: &Settings, dir: &Path) -> Result<Picture> {
    let mut options = BnSpectrumOptions {
        probes: settings.pick(4, 2),
        ..BnSpectrumOptions::quick()
    };
    options.sgd.steps = settings.pick(300, 150);
    let report = bn_spectrum(&options)?;
    let chart = four_densities(&report);
    let file = "bn-spectrum.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let (plain, bn) = (report.at(false, true), report.at(true, true));
    Ok(Picture {
        file: file.into(),
        title: "The Hessian's spectrum with and without batch normalisation".into(),
        caption: format!(
            "After {} steps, λmax/bulk edge {:.1} without and {:.1} with batch normalisation; \
             negative mass {:.3} → {:.3} (no BN) and {:.3} → {:.3} (BN) from start to end.",
            options.sgd.steps,
            plain.separation,
            bn.separation,
            report.at(false, false).negative_mass,
            plain.negative_mass,
            report.at(true, false).negative_mass,
            bn.negative_mass
        ),
    })
}
