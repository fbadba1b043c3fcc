//! `landscape experiment batchnorm`: Ioffe & Szegedy 2015, the same deep network with
//! and without batch normalisation over a grid of learning rates.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::clipping::count;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::normalisation::batchnorm::{batchnorm_with_progress, BatchnormOptions};
use landscape::plot::batchnorm::batchnorm_chart;

/// Arguments of `landscape experiment batchnorm`.
#[derive(Debug, Args)]
pub struct BatchnormArgs {
    /// Hidden layers [default: 8; 6 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    depth: Option<i64>,
    /// Units per hidden layer (≥ 2) [default: 64; 16 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    width: Option<i64>,
    /// Activation of the hidden layers (linear, relu, leaky_relu, tanh, sigmoid,
    /// quadratic, softplus, gelu).
    #[arg(long, default_value = "relu")]
    activation: String,
    /// Initialisation of the weights, the same draw for both networks (`init:` syntax:
    /// kaiming_normal, xavier_normal, normal=0.1, …).
    #[arg(long, value_name = "SCHEME", default_value = "kaiming_normal")]
    init: String,
    /// The learning-rate grid, comma-separated, each > 0 [default: 0.01,0.03,0.1,0.3,1,3;
    /// 0.03,0.3,3 with --quick].
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    lrs: Option<String>,
    /// SGD steps per run [default: 300; 120 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    steps: Option<i64>,
    /// Momentum μ (0: plain SGD) [default: 0].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size, in [2, 1438] [default: 64; 32 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    batch_size: Option<i64>,
    /// Full-batch training loss and test accuracy every this many steps [default: 10].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    eval_every: Option<i64>,
    /// The target training loss of the steps to the target [default: 0.2; 0.5 with
    /// --quick].
    #[arg(long, value_name = "LOSS", allow_hyphen_values = true)]
    target: Option<f64>,
    /// Seeds per (network, η) (seed i: the weights and the minibatch order from stream i
    /// of --seed) [default: 3; 2 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seeds: Option<i64>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The small instance of the tests (a few seconds).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`; `parameters` [plain, BN]; `ln_10`; `settings`: per network
    /// (`norm` none or batch) and η `lr`, `trains`, `trained_seeds`,
    /// `median_steps_to_target`, `mean_final_loss`, `mean_final_test_accuracy`, `runs`
    /// (per seed `curve`, `final_loss`, `min_loss`, `steps_to_target`, `trains`,
    /// `termination`); `summaries`: per network `largest_trainable_lr`, `best_lr`,
    /// `best_median_steps`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write batchnorm.json and the chart (batchnorm.png, batchnorm.svg) into this
    /// existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// A comma-separated list of numbers for `flag` (empty: none).
pub(crate) fn numbers(flag: &str, list: &str) -> Result<Vec<f64>> {
    list.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<f64>()
                .map_err(|_| Error::invalid(flag, "comma-separated numbers", format!("`{t}`")))
        })
        .collect()
}

/// Runs the experiment and prints it.
pub fn run(args: BatchnormArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        BatchnormOptions::quick()
    } else {
        BatchnormOptions::default()
    };
    let mut o = base.clone();
    o.network.depth = count("depth", args.depth, base.network.depth, 1)?;
    o.network.width = count("width", args.width, base.network.width, 2)?;
    o.network.activation = args.activation;
    o.network.init = args.init;
    if let Some(list) = &args.lrs {
        o.lrs = numbers("lrs", list)?;
    }
    o.sgd.steps = count("steps", args.steps, base.sgd.steps, 1)?;
    o.sgd.momentum = args.momentum.unwrap_or(base.sgd.momentum);
    o.sgd.batch_size = count("batch-size", args.batch_size, base.sgd.batch_size, 2)?;
    o.sgd.eval_every = count("eval-every", args.eval_every, base.sgd.eval_every, 1)?;
    o.target = args.target.unwrap_or(base.target);
    o.seeds = count("seeds", args.seeds, base.seeds, 1)?;
    o.seed = args.seed;
    let report = batchnorm_with_progress(&o, &Bar::default())?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "batchnorm",
        |r| {
            let chart = batchnorm_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
