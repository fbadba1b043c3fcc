//! `landscape experiment bn-noise`: Santurkar et al. 2018, noisy batch normalisation —
//! a distribution shift injected at every step, and training as good as plain batch
//! normalisation.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::normalisation::noise::{bn_noise_with_progress, BnNoiseOptions};
use landscape::plot::bn_noise::bn_noise_chart;

/// BnNoiseOptions' fields and the flags.
const FLAGS: &[(&str, &str)] = &[
    ("steps", "steps"),
    ("lr", "lr"),
    ("momentum", "momentum"),
    ("batch_size", "batch-size"),
    ("eval_every", "eval-every"),
];

/// Arguments of `landscape experiment bn-noise`.
#[derive(Debug, Args)]
pub struct BnNoiseArgs {
    /// Hidden ReLU layers, each batch-normalised (or not) [default: 6; --quick 3].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 64; --quick 32].
    #[arg(long)]
    width: Option<usize>,
    /// Seeds per network (seed i: the weights, the minibatch order and the noise from
    /// stream i of --seed) [default: 2].
    #[arg(long)]
    seeds: Option<usize>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// a: per step and unit the additive noise's mean is drawn from U(−a, a) (> 0)
    /// [default: 1].
    #[arg(long, allow_hyphen_values = true)]
    noise_mean: Option<f64>,
    /// b: per step and unit the multiplicative noise's mean is drawn from U(1, b) (≥ 1)
    /// [default: 2].
    #[arg(long, allow_hyphen_values = true)]
    noise_scale: Option<f64>,
    /// v: the variance of both noises per sample around their means (> 0) [default:
    /// 0.25].
    #[arg(long, allow_hyphen_values = true)]
    noise_variance: Option<f64>,
    /// Samples of the fixed probe batch on which the layers' distributions are measured
    /// [default: 256; --quick 128].
    #[arg(long)]
    probe: Option<usize>,
    /// Measure the layers' distributions every this many steps [default: 10].
    #[arg(long)]
    probe_every: Option<usize>,
    /// SGD steps [default: 1000; --quick 200].
    #[arg(long)]
    steps: Option<usize>,
    /// Learning rate η, the same for the three networks [default: 0.05].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch training loss and test accuracy every this many steps [default: 25;
    /// --quick 20].
    #[arg(long)]
    eval_every: Option<usize>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `network`, `summaries`: per network `network`,
    /// `parameters`, `mean_final_loss`, `mean_final_accuracy`, `mean_shift`,
    /// `std_shift`; `runs`: per run `network`, `seed_index`, `curve`, `final_loss`,
    /// `final_accuracy`, `layers` (per layer `mean_shift`, `std_shift`), `shift_steps`,
    /// `mean_shift`, `std_shift`, `trace` (`layer`, `unit`, `steps`, `mean`, `std`),
    /// `termination`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write bn-noise.json and the chart (bn-noise.png, bn-noise.svg) into this
    /// existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl BnNoiseArgs {
    fn options(&self) -> BnNoiseOptions {
        let mut o = if self.quick {
            BnNoiseOptions::quick()
        } else {
            BnNoiseOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.seeds, self.seeds);
        set(&mut o.noise.mean, self.noise_mean);
        set(&mut o.noise.scale, self.noise_scale);
        set(&mut o.noise.variance, self.noise_variance);
        set(&mut o.probe, self.probe);
        set(&mut o.probe_every, self.probe_every);
        set(&mut o.sgd.steps, self.steps);
        set(&mut o.sgd.lr, self.lr);
        set(&mut o.sgd.momentum, self.momentum);
        set(&mut o.sgd.batch_size, self.batch_size);
        set(&mut o.sgd.eval_every, self.eval_every);
        o
    }
}

/// Runs the experiment and prints it.
pub fn run(args: BnNoiseArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options();
    let report = bn_noise_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, FLAGS))?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "bn-noise",
        |r| {
            let figure = bn_noise_chart(r);
            let size = figure.size();
            (figure, size)
        },
    )
}
