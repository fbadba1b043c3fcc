//! `landscape experiment gamma-beta`: Frankle et al. 2020, training only the batch
//! normalisation's γ and β of a network whose weights stay at their random start.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::normalisation::gamma_beta::{
    gamma_beta_with_progress, GammaBetaOptions,
};
use landscape::plot::gamma_beta::gamma_beta_chart;

/// Arguments of `landscape experiment gamma-beta`.
#[derive(Debug, Args)]
pub struct GammaBetaArgs {
    /// Hidden ReLU layers L, each batch-normalised [default: 4; --quick 2].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 64; --quick 32].
    #[arg(long)]
    width: Option<usize>,
    /// Seeds (seed i: the start and the minibatch order from stream i of --seed, the same
    /// for the three settings) [default: 3; --quick 2].
    #[arg(long)]
    seeds: Option<usize>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SGD steps of every setting [default: 2000; --quick 300].
    #[arg(long)]
    steps: Option<usize>,
    /// Learning rate η, the same for the three settings [default: 0.05].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size, at most the 1,438 training digits [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch training loss and test accuracy every this many steps [default: 100;
    /// --quick 50].
    #[arg(long)]
    eval_every: Option<usize>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `parameters`, `chance`, `runs`: per run `trained` (`all`,
    /// `gamma_beta`, `output`), `seed_index`, `trained_parameters`, `curve` {`steps`,
    /// `train_loss`, `test_accuracy`}, `test_accuracy`, `termination`; `claims`: each
    /// `claim`, `holds`, `measured`).
    #[arg(long)]
    json: bool,
    /// Also write gamma-beta.json and the chart (gamma-beta.png, gamma-beta.svg) into this
    /// existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl GammaBetaArgs {
    fn options(&self) -> GammaBetaOptions {
        let mut o = if self.quick {
            GammaBetaOptions::quick()
        } else {
            GammaBetaOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.seeds, self.seeds);
        set(&mut o.sgd.steps, self.steps);
        set(&mut o.sgd.lr, self.lr);
        set(&mut o.sgd.momentum, self.momentum);
        set(&mut o.sgd.batch_size, self.batch_size);
        set(&mut o.sgd.eval_every, self.eval_every);
        o
    }
}

/// Runs the experiment and prints it.
pub fn run(args: GammaBetaArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options();
    let report = gamma_beta_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, super::kaiming::FLAGS))?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "gamma-beta",
        |r| {
            let chart = gamma_beta_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
