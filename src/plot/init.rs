//! The charts of the initialisation experiments: `experiment kaiming` (training loss and
//! test accuracy of every seed, Xavier against Kaiming, and the activation variance per
//! layer at the start) and `experiment init` (zero: loss curves and the singular values
//! of a trained matrix; small: loss curves per scale and the plateau length against
//! 1/s; large: activation variance per layer and loss curves per scale).

use super::{LineChart, Panels, Scale, Series, Stroke};
use crate::experiments::deep::init::InitReport;
use crate::experiments::deep::kaiming::{KaimingReport, LN_10};
use crate::experiments::deep::Curve;

fn points(steps: &[usize], values: &[f64]) -> Vec<(f64, f64)> {
    steps
        .iter()
        .zip(values)
        .map(|(&s, &v)| (s as f64, v))
        .collect()
}

fn loss_points(c: &Curve) -> Vec<(f64, f64)> {
    points(&c.steps, &c.train_loss)
}

fn accuracy_points(c: &Curve) -> Vec<(f64, f64)> {
    points(&c.steps, &c.test_accuracy)
}

/// A dashed horizontal line at ln 10 across `steps`.
fn ln_10_line(steps: usize) -> Series {
    Series::new(
        "ln 10",
        vec![(0.0, LN_10), (steps as f64, LN_10)],
        Stroke::Dashed,
        7,
    )
}

/// `experiment kaiming`: training loss and test accuracy per seed (Xavier, Kaiming),
/// and the activation variance of every hidden layer at the start.
pub fn kaiming_figure(r: &KaimingReport) -> Panels {
    let o = &r.options;
    let mut loss = LineChart::new("training loss", "step", "full-batch training loss");
    let mut accuracy = LineChart::new("test accuracy", "step", "test accuracy");
    let mut variance = LineChart::new("activation variance at the start", "hidden layer", "Var Aₗ");
    variance.y_scale = Scale::Log;
    for run in &r.runs {
        let colour = usize::from(run.initialisation == "kaiming_normal");
        // One legend entry per initialisation.
        let name = if run.seed_index == 0 {
            run.initialisation.clone()
        } else {
            String::new()
        };
        loss.series.push(Series::new(
            name.clone(),
            loss_points(&run.curve),
            Stroke::Solid,
            colour,
        ));
        accuracy.series.push(Series::new(
            name.clone(),
            accuracy_points(&run.curve),
            Stroke::Solid,
            colour,
        ));
        variance.series.push(Series::new(
            name,
            run.activation_variance
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v))
                .collect(),
            Stroke::LinePoints,
            colour,
        ));
    }
    loss.series.push(ln_10_line(o.sgd.steps));
    let mut panels = Panels::new(
        format!(
            "{} ReLU layers of {}, no normalisation: Xavier against Kaiming (He et al. 2015), {} seeds",
            o.depth, o.width, o.seeds
        ),
        3,
        vec![loss, accuracy, variance],
    );
    panels.note = format!(
        "heavy_ball η = {}, μ = {}, batch {}; the same η and seeds for both",
        o.sgd.lr, o.sgd.momentum, o.sgd.batch_size
    );
    panels
}

/// `experiment init`: the zero, small and large parts, two panels each.
pub fn init_figure(r: &InitReport) -> Panels {
    let o = &r.options;
    let steps = o.sgd.steps;
    // Zero: loss curves and singular values.
    let mut zero_loss = LineChart::new("zero initialisation", "step", "training loss");
    let mut singular = LineChart::new("singular values of trained W₂ (σᵢ/σ₁)", "i", "σᵢ/σ₁");
    singular.y_scale = Scale::Log;
    for (i, z) in r.zero.iter().enumerate() {
        let name = if z.initialisation == "zeros" {
            format!("{} from 0", z.activation)
        } else {
            format!("{} Kaiming", z.activation)
        };
        zero_loss.series.push(Series::new(
            name.clone(),
            loss_points(&z.curve),
            Stroke::Solid,
            i,
        ));
        // A zero matrix has no singular values to draw; exact zeros fall off a log axis.
        let values: Vec<(f64, f64)> = z
            .singular_values
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_finite())
            .map(|(k, &s)| ((k + 1) as f64, s.max(1e-18)))
            .collect();
        singular
            .series
            .push(Series::new(name, values, Stroke::LinePoints, i));
    }
    zero_loss.series.push(ln_10_line(steps));
    // Small: loss per scale and plateau against 1/s.
    let mut small_loss = LineChart::new(
        "small initialisation (tanh, no bias)",
        "step",
        "training loss",
    );
    let mut plateau = LineChart::new(
        format!(
            "plateau: steps to {}% below the start",
            100.0 * o.plateau_drop
        ),
        "1/s",
        "plateau length (steps)",
    );
    plateau.x_scale = Scale::Log;
    plateau.y_scale = Scale::Log;
    for (i, s) in r.small.iter().enumerate() {
        small_loss.series.push(Series::new(
            format!("s = {}", s.scale),
            loss_points(&s.curve),
            Stroke::Solid,
            i,
        ));
    }
    let measured: Vec<(f64, f64)> = r
        .small
        .iter()
        .filter_map(|s| {
            s.plateau
                .filter(|&p| p > 0)
                .map(|p| (1.0 / s.scale, p as f64))
        })
        .collect();
    if let (Some(&(x0, y0)), Some(k)) = (measured.first(), r.plateau_exponent) {
        // The fitted power law through the first point, and the gradient-flow slope.
        let last = measured.last().map_or(x0, |p| p.0);
        plateau.series.push(Series::new(
            format!("fit: slope {k:.2}"),
            vec![(x0, y0), (last, y0 * (last / x0).powf(k))],
            Stroke::Dashed,
            1,
        ));
        let p = r.predicted_exponent;
        if p > 0.0 {
            plateau.series.push(Series::new(
                format!("slope H − 2 = {p}"),
                vec![(x0, y0), (last, y0 * (last / x0).powf(p))],
                Stroke::Dashed,
                2,
            ));
        }
    }
    plateau
        .series
        .insert(0, Series::new("measured", measured, Stroke::LinePoints, 0));
    // Large: variance per layer and loss per scale.
    let mut variance = LineChart::new(
        "large initialisation: activation variance at the start",
        "hidden layer",
        "Var Aₗ",
    );
    variance.y_scale = Scale::Log;
    let mut large_loss = LineChart::new("large initialisation", "step", "training loss");
    large_loss.y_scale = Scale::Log;
    for (i, l) in r.large.iter().enumerate() {
        let name = format!("{} s = {}", l.activation, l.scale);
        let stroke = if l.activation == "relu" {
            Stroke::Solid
        } else {
            Stroke::Dashed
        };
        variance.series.push(Series::new(
            name.clone(),
            l.activation_variance
                .iter()
                .enumerate()
                .map(|(k, &v)| ((k + 1) as f64, v))
                .collect(),
            if l.activation == "relu" {
                Stroke::LinePoints
            } else {
                Stroke::Dashed
            },
            i,
        ));
        large_loss
            .series
            .push(Series::new(name, loss_points(&l.curve), stroke, i));
    }
    let mut panels = Panels::new(
        format!(
            "Initialisation: zero, small, large ({} hidden layers of {}, digits)",
            o.depth, o.width
        ),
        2,
        vec![
            zero_loss, singular, small_loss, plateau, variance, large_loss,
        ],
    );
    panels.note = format!(
        "heavy_ball η = {}, μ = {}, batch {}, {} steps; s scales Kaiming-normal weights",
        o.sgd.lr, o.sgd.momentum, o.sgd.batch_size, steps
    );
    panels
}
