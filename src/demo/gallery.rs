//! The gallery's pictures that need no slice of the landscape: the Hessian spectrum at
//! a saddle of a net, the spectral density of a network before and after training,
//! escape-time distributions, Du et al.'s chart and the optimizers'
//! traces.

use std::path::Path;

use super::{Job, Picture, Settings, SIZE};
use crate::error::Result;
use crate::experiments::du2017::{du2017, Du2017Options};
use crate::experiments::escape::{
    check_saddle, escape, EscapeMethod, EscapeOptions, EscapeReport, SaddleScale,
};
use crate::objective::Objective;
use crate::optim::{self, Hyperparameters, RunOptions, Trajectory};
use crate::plot::escape::{Du2017Chart, EscapeDistribution};
use crate::plot::inputs::TrajectoryFile;
use crate::plot::spectrum::spectrum_histogram;
use crate::plot::trace::TraceFigure;
use crate::plot::{LineChart, Scale, Series, Stroke};
use crate::problems;
use crate::spectrum::{spectral_density, DensityOptions};

/// Every picture, in index order.
pub(crate) fn jobs() -> Vec<Job> {
    let mut jobs: Vec<Job> = vec![escape_matrix_factorization];
    jobs.extend(super::landscapes::jobs());
    jobs.extend([
        optimizers_rosenbrock as Job,
        optimizers_ill_conditioned,
        spectrum_linear_net,
        spectrum_mlp_training,
        du2017_chart,
        super::clipping::clipping_cliff,
        super::pretraining::pretraining_curves,
        super::depth::depth_gradients,
        super::depth::activation_curves,
        super::init::kaiming_xavier,
        super::init::initialisation,
        super::gamma_beta::gamma_beta_curves,
        super::exp_lr::exp_lr_curves,
        super::bn_spectrum::bn_spectrum_densities,
        super::batchnorm::batchnorm_lrs,
        super::batchnorm::bn_smoothness,
        super::bn_noise::bn_noise_shift,
        super::norms::norms_batch_size,
    ]);
    jobs
}

fn save<F: crate::plot::Figure>(figure: &F, dir: &Path, file: &str) -> Result<()> {
    crate::plot::save(figure, &dir.join(file), SIZE)
}

/// A run's records as a trajectory for drawing.
pub(crate) fn trajectory_file(name: &str, run: &Trajectory) -> TrajectoryFile {
    TrajectoryFile {
        name: name.to_string(),
        records: run.records.clone(),
        problem: None,
    }
}

/// Runs optimizer `name` with learning rate `lr` (and momentum when given) from `x0`.
pub(crate) fn run_optimizer(
    f: &dyn Objective,
    name: &str,
    lr: Option<f64>,
    momentum: Option<f64>,
    x0: &[f64],
    iters: usize,
) -> Result<Trajectory> {
    let mut hp = Hyperparameters::new();
    hp.set_if_given("lr", lr);
    hp.set_if_given("momentum", momentum);
    let mut optimizer = optim::build(name, &hp)?;
    let options = RunOptions {
        max_iters: iters,
        record_iterates: true,
        grad_tol: 1e-10,
        ..RunOptions::default()
    };
    optim::run(f, optimizer.as_mut(), x0, &options)
}

/// The optimizers of the gallery on one problem: (legend, name, lr, momentum).
pub(crate) type Lineup = [(&'static str, &'static str, Option<f64>, Option<f64>)];

/// Rosenbrock's optimizers from (−1.2, 1).
pub(crate) const ROSENBROCK_LINEUP: &Lineup = &[
    ("gd η=1e-3", "gd", Some(1e-3), None),
    (
        "heavy ball η=1e-3, μ=0.9",
        "heavy_ball",
        Some(1e-3),
        Some(0.9),
    ),
    ("adam η=0.02", "adam", Some(0.02), None),
    ("newton", "newton", None, None),
    ("lbfgs", "lbfgs", None, None),
];

/// The ill-conditioned quadratic's optimizers.
pub(crate) const QUADRATIC_LINEUP: &Lineup = &[
    ("gd η=1/β", "gd", Some(1.0 / 50.0), None),
    (
        "heavy ball η=1/β, μ=0.7",
        "heavy_ball",
        Some(1.0 / 50.0),
        Some(0.7),
    ),
    (
        "nesterov η=1/β, μ=0.7",
        "nesterov",
        Some(1.0 / 50.0),
        Some(0.7),
    ),
    ("adam η=0.05", "adam", Some(0.05), None),
];

/// The ill-conditioned quadratic f = ½xᵀAx, A with eigenvalues 1 and 50 (a seeded rotation): condition number 50, β = 50.
pub(crate) const ILL_CONDITIONED: [&str; 2] = ["eigenvalues = [1.0, 50.0]", "b = [0.0, 0.0]"];

/// Runs a lineup; returns the trajectories for drawing and a caption fragment
/// "name: f after T iterations" per run.
pub(crate) fn run_lineup(
    f: &dyn Objective,
    lineup: &Lineup,
    x0: &[f64],
    iters: usize,
) -> Result<(Vec<TrajectoryFile>, Vec<String>)> {
    let mut files = Vec::new();
    let mut summary = Vec::new();
    for &(legend, name, lr, momentum) in lineup {
        let run = run_optimizer(f, name, lr, momentum, x0, iters)?;
        let last = run.records.last().expect("a run records its start");
        summary.push(format!(
            "{name} f = {:.1e} at t = {}",
            last.value, last.iter
        ));
        files.push(trajectory_file(legend, &run));
    }
    Ok((files, summary))
}

fn optimizers_rosenbrock(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("rosenbrock", &[])?;
    let iters = settings.pick(3000, 600);
    let (runs, summary) = run_lineup(f.as_ref(), ROSENBROCK_LINEUP, &[-1.2, 1.0], iters)?;
    let file = "trace_rosenbrock.png";
    let figure = TraceFigure {
        title: "Optimizers on Rosenbrock from (−1.2, 1): f − f* and ‖∇f‖".into(),
        runs,
        log_value: true,
    };
    save(&figure, dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Optimizers on Rosenbrock: the traces".into(),
        caption: format!(
            "f and ‖∇f‖ per iteration (log scales, f* = 0): {}.",
            summary.join("; ")
        ),
    })
}

fn optimizers_ill_conditioned(settings: &Settings, dir: &Path) -> Result<Picture> {
    let overrides: Vec<String> = ILL_CONDITIONED.iter().map(|s| s.to_string()).collect();
    let (_, f) = problems::load("quadratic", &overrides)?;
    let iters = settings.pick(400, 200);
    let (runs, summary) = run_lineup(f.as_ref(), QUADRATIC_LINEUP, &[2.0, 1.0], iters)?;
    let file = "trace_ill_conditioned.png";
    let figure = TraceFigure {
        title: "Optimizers on ½xᵀAx, eigenvalues 1 and 50 (condition number 50)".into(),
        runs,
        log_value: true,
    };
    save(&figure, dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Optimizers on an ill-conditioned quadratic: the traces".into(),
        caption: format!(
            "GD with η = 1/β contracts by 1 − 1/κ = 0.98 per step along the eigenvector of λ = 1; momentum is faster: {}.",
            summary.join("; ")
        ),
    })
}

fn spectrum_linear_net(_: &Settings, dir: &Path) -> Result<Picture> {
    let overrides = ["widths = [6, 4, 3]".to_string(), "samples = 30".to_string()];
    let (_, f) = problems::load("linear_net", &overrides)?;
    let x = vec![0.0; f.dim()];
    let histogram = spectrum_histogram(
        f.as_ref(),
        &x,
        40,
        "Hessian spectrum of a linear net (widths 6-4-3) at W = 0",
    )?;
    let file = "spectrum_linear_net.png";
    save(&histogram, dir, file)?;
    let n = histogram.eigenvalues.len();
    Ok(Picture {
        file: file.into(),
        title: "The spectrum at a saddle of a net".into(),
        caption: format!(
            "½‖W₂W₁X − Y‖² at W = 0 is a strict saddle: {} negative, {} zero and {} positive \
             eigenvalues out of {n}, λmin = {:.3} and λmax = {:.3} (the Hessian there is \
             [[0, C], [Cᵀ, 0]] with C built from YXᵀ: eigenvalues ± the singular values of C).",
            histogram.negative,
            histogram.zero,
            histogram.positive,
            histogram.eigenvalues[0],
            histogram.eigenvalues[n - 1],
        ),
    })
}

/// The SLQ spectral density of a ReLU network's Hessian on the digits, at its Kaiming
/// initialisation and after training with Adam on minibatches of 64.
fn spectrum_mlp_training(settings: &Settings, dir: &Path) -> Result<Picture> {
    let spec = crate::problems::ProblemSpec::from_toml(
        "kind = \"mlp\"\ndata = \"digits\"\nwidths = [32, 32]\nactivation = \"relu\"",
        "the demo's digits network",
        None,
    )?;
    let f = problems::build(&spec)?;
    let init = "kaiming_normal";
    let x0 = f
        .initialisation(init, 0)
        .expect("an mlp has initialisations")?;
    let steps = settings.pick(600, 150);
    let mut hp = Hyperparameters::new();
    hp.set_if_given("lr", Some(1e-3));
    let mut adam = optim::build("adam", &hp)?;
    let options = RunOptions {
        max_iters: steps,
        grad_tol: 1e-12,
        minibatch: Some(optim::Minibatch {
            batch_size: 64,
            seed: 0,
        }),
        ..RunOptions::default()
    };
    let trained = optim::run(f.as_ref(), adam.as_mut(), &x0, &options)?;
    let density = DensityOptions {
        probes: settings.pick(4, 2),
        steps: settings.pick(60, 30),
        ..DensityOptions::default()
    };
    let at = |x: &[f64]| spectral_density(f.as_ref(), x, &density);
    let (before, after) = rayon::join(|| at(&x0), || at(&trained.final_state.x));
    let (before, after) = (before?, after?);
    let sum = f.as_finite_sum().expect("an mlp is a finite sum");
    let accuracy = |x: &[f64]| {
        sum.test_metrics(x)
            .and_then(|m| m.accuracy)
            .map_or(f64::NAN, |a| 100.0 * a)
    };
    // Log density: the bulk near 0 and the few outliers that carry the curvature; one
    // floor for both curves, at the bottom of the axis.
    let peak = before
        .density
        .iter()
        .chain(&after.density)
        .cloned()
        .fold(0.0, f64::max);
    let floor = 1e-5 * peak;
    let curve = |d: &crate::spectrum::Density| -> Vec<(f64, f64)> {
        d.grid
            .iter()
            .zip(&d.density)
            .map(|(&t, &phi)| (t, phi.max(floor)))
            .collect()
    };
    // The quadrature weight on clearly negative Ritz values (below −1% of the largest):
    // the smoothed mass below 0 would count half the bulk at 0.
    let negative_weight = |d: &crate::spectrum::Density| {
        let top = d.nodes.iter().cloned().fold(0.0, f64::max);
        d.nodes
            .iter()
            .zip(&d.weights)
            .filter(|(&t, _)| t < -0.01 * top)
            .map(|(_, w)| w)
            .sum::<f64>()
            + 0.0 // an empty sum is −0.0
    };
    let (f0, f1) = (f.value(&x0), trained.final_state.value);
    let mut chart = LineChart::new(
        format!(
            "Hessian spectral density of a ReLU net on the digits (d = {})",
            f.dim()
        ),
        "eigenvalue λ",
        "density (log)",
    );
    chart.y_scale = Scale::Log;
    chart.series.push(Series::new(
        format!("at {init} init: f = {f0:.3}"),
        curve(&before),
        Stroke::Solid,
        0,
    ));
    chart.series.push(Series::new(
        format!("after {steps} Adam steps: f = {f1:.3}"),
        curve(&after),
        Stroke::Solid,
        1,
    ));
    chart.note = format!(
        "SLQ: {} probes × {} Lanczos steps, σ = 1% of the spread; densities below 1e-5 of the peak drawn at the floor",
        before.probes, before.steps
    );
    let file = "spectrum_mlp_training.png";
    save(&chart, dir, file)?;
    let extremes = |d: &crate::spectrum::Density| {
        let lo = d.nodes.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = d.nodes.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let ((lo0, hi0), (lo1, hi1)) = (extremes(&before), extremes(&after));
    Ok(Picture {
        file: file.into(),
        title: "A deep network's spectrum before and after training".into(),
        caption: format!(
            "Two hidden ReLU layers of 32 on the 8×8 digits (cross-entropy, {} parameters): at \
             the Kaiming initialisation the Ritz values span [{lo0:.3}, {hi0:.3}] (f = {f0:.3}, \
             test accuracy {:.1}%); after {steps} Adam steps (η = 1e-3, batches of 64) they \
             span [{lo1:.3}, {hi1:.3}] (f = {f1:.3}, test accuracy {:.1}%). The SLQ weight \
             on eigenvalues below −1% of λmax goes from {:.3} to {:.3}.",
            f.dim(),
            accuracy(&x0),
            accuracy(&trained.final_state.x),
            negative_weight(&before),
            negative_weight(&after),
        ),
    })
}

fn escape_matrix_factorization(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("matrix_factorization", &[])?;
    let from = f
        .known_point("eig:2")
        .expect("matrix_factorization has the saddle eig:2")
        .x;
    let trials = settings.pick(100, 20);
    let c = check_saddle(f.as_ref(), &from)?;
    let scale = SaddleScale::of(&c, f.dim());
    // Every method at the defaults that follow from the saddle: one Δ, one η.
    let reports = ["gd", "noisy_gd", "pgd"]
        .into_iter()
        .map(|name| {
            let method = EscapeMethod::at_saddle(name, &Hyperparameters::new(), scale.as_ref())?;
            let options = EscapeOptions {
                trials,
                max_iters: 1000,
                ..EscapeOptions::new(method)
            };
            escape(f.as_ref(), &from, &options)
        })
        .collect::<Result<Vec<EscapeReport>>>()?;
    let mut figure = EscapeDistribution::from_reports(
        "Escape from the saddle eig:2 of matrix factorization",
        &reports,
    );
    figure.log_iters = true;
    let file = "escape_matrix_factorization.png";
    save(&figure, dir, file)?;
    let describe = |r: &EscapeReport| match &r.iterations {
        Some(s) => format!(
            "{} escapes in {}/{} trials (median {} iterations)",
            r.method, r.escaped, r.trials, s.median
        ),
        None => format!("{} escapes in none of {} trials", r.method, r.trials),
    };
    Ok(Picture {
        file: file.into(),
        title: "Escaping a strict saddle: GD, noisy GD, perturbed GD".into(),
        caption: format!(
            "Fraction of trials with f ≤ f(X) − Δ by iteration t, from exactly the saddle, \
             every method at the defaults that follow from the Hessian there (Δ = {}, \
             η = 1/(2‖∇²f(X)‖) = {}): {}.",
            crate::display::short(reports[0].drop),
            scale.map_or("1e-3".into(), |s| crate::display::short(s.lr())),
            reports.iter().map(describe).collect::<Vec<_>>().join("; ")
        ),
    })
}

fn du2017_chart(settings: &Settings, dir: &Path) -> Result<Picture> {
    let options = Du2017Options {
        dims: settings.pick((2..=7).collect(), (2..=5).collect()),
        trials: settings.pick(8, 4),
        ..Du2017Options::default()
    };
    let report = du2017(&options)?;
    let chart = Du2017Chart::from_report(
        "GD against perturbed GD on the octopus (Du et al. 2017)",
        &report,
    );
    let file = "du2017.png";
    save(&chart, dir, file)?;
    let last = report.rows.last().expect("at least one dimension");
    let median = |m: Option<f64>| m.map_or("censored".to_string(), |v| format!("{v:.0}"));
    Ok(Picture {
        file: file.into(),
        title: "Du et al. 2017: GD takes exponential time, PGD does not".into(),
        caption: format!(
            "Median iterations to f − f* ≤ 10⁻³ over {} starts per d: at d = {} GD needs {} and \
             PGD {}; GD's median grows ×{} per dimension (predicted ×{:.2}).",
            options.trials,
            last.d,
            median(last.gd.median),
            median(last.pgd.median),
            last.gd_ratio.map_or("?".to_string(), |r| format!("{r:.2}")),
            report.predicted_gd_ratio
        ),
    })
}
