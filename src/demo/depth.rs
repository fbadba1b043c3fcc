//! The gallery's picture of the depth experiment: ‖∂f/∂Wₗ‖ against the layer at
//! initialisation for relu and sigmoid under four initialisations, on a small
//! instance (20 layers of 32 on 100 digits, one seed: well under a second).

use std::path::Path;

use super::{Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::deep::depth::{depth, DepthOptions};
use crate::plot::depth::depth_chart;

/// The depth experiment's chart, with the fitted factors of this run in the caption.
pub(crate) fn depth_gradients(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = DepthOptions {
        depth: settings.pick(20, 10),
        width: 32,
        images: 100,
        activations: ["relu", "sigmoid"].map(String::from).to_vec(),
        seeds: 1,
        ..DepthOptions::default()
    };
    let report = depth(&options)?;
    let mut chart = depth_chart(&report);
    chart.columns = 2;
    let file = "depth_gradients.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let factor = |a: &str, i: &str, backprop: bool| {
        report
            .case(a, i)
            .and_then(|c| {
                if backprop {
                    c.measured_factors.grad_output_norm.factor
                } else {
                    c.measured_factors.activation_variance.factor
                }
            })
            .map_or("-".to_string(), |f| format!("{f:.3}"))
    };
    let held = report.claims.iter().filter(|c| c.holds).count();
    Ok(Picture {
        file: file.into(),
        title: "Depth and gradients at initialisation".into(),
        caption: format!(
            "{} layers of 32 on the digits. Per layer, the activation variance of ReLU changes by ×{} \
             with Kaiming (theory 1) and ×{} with Xavier (theory ½); the backpropagated gradient, per layer towards the input, \
             by ×{} for sigmoid with Xavier (theory ≤ ¼), ×{} with std 0.01 and ×{} with std 1 for \
             ReLU. ReLU's weight gradients stay level across layers at every scale: the forward \
             and backward factors cancel, so a bad scale shows as the level, not the slope. \
             {held} of {} claims hold (`landscape experiment depth`).",
            options.depth,
            factor("relu", "kaiming", false),
            factor("relu", "xavier", false),
            factor("sigmoid", "xavier", true),
            factor("relu", "small", true),
            factor("relu", "large", true),
            report.claims.len(),
        ),
    })
}

/// Activations at equal depth (`experiment activations --quick`): gradients at
/// initialisation and training curves, with the sigmoid's vanishing in the caption.
pub(crate) fn activation_curves(_settings: &Settings, dir: &Path) -> Result<Picture> {
    use crate::experiments::deep::activations::{activations, ActivationsOptions};
    let options = ActivationsOptions::quick();
    let report = activations(&options)?;
    let mut chart = crate::plot::depth::activations_chart(&report);
    chart.columns = 2;
    let file = "activations.png";
    crate::plot::save(&chart, &dir.join(file), SIZE)?;
    let losses: Vec<String> = report
        .cases
        .iter()
        .map(|c| format!("{} {:.3}", c.activation, c.final_loss()))
        .collect();
    let sigmoid = report
        .case("sigmoid")
        .map_or("–".to_string(), |c| format!("{:.1e}", c.first_to_last));
    let held = report.claims.iter().filter(|c| c.holds).count();
    Ok(Picture {
        file: file.into(),
        title: "Activations at equal depth".into(),
        caption: format!(
            "{} layers of {} on the digits, each activation at its suited initialisation: \
             sigmoid's first-layer weight gradient is {sigmoid} of its last layer's; final \
             training loss after {} steps: {}; {} of {} claims hold (`landscape experiment \
             activations`).",
            options.depth,
            options.width,
            options.steps,
            losses.join(", "),
            held,
            report.claims.len()
        ),
    })
}
