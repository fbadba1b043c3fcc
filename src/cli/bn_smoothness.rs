//! `landscape experiment bn-smoothness`: Santurkar et al. 2018, loss variation, gradient
//! predictiveness, effective β-smoothness and the exact Hessian's extreme eigenvalues
//! along the training paths of the same network with and without batch normalisation.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::batchnorm::numbers;
use super::clipping::count;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::normalisation::smoothness::{
    smoothness_with_progress, SmoothnessOptions,
};
use landscape::plot::bn_smoothness::bn_smoothness_chart;

/// Arguments of `landscape experiment bn-smoothness`.
#[derive(Debug, Args)]
pub struct SmoothnessArgs {
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
    /// Initialisation of the weights, the same draw for both networks (`init:` syntax).
    #[arg(long, value_name = "SCHEME", default_value = "kaiming_normal")]
    init: String,
    /// SGD learning rate η, the same for both networks [default: 0.1].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ (0: plain SGD) [default: 0].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// SGD steps [default: 300; 60 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    steps: Option<i64>,
    /// Minibatch size, in [2, 1438] [default: 64; 32 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    batch_size: Option<i64>,
    /// Full-batch training loss and test accuracy every this many steps [default: 10].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    eval_every: Option<i64>,
    /// k: measure at every k-th step, on that step's minibatch [default: 30; 20 with
    /// --quick].
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    every: Option<i64>,
    /// The steps s along −∇f_B as multiples of η, comma-separated, each > 0 [default:
    /// 0.5,1,1.5,2,2.5,3,3.5,4].
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    step_multiples: Option<String>,
    /// Most Hessian-vector products of each point's Lanczos run (≥ 4) [default: 24; 16
    /// with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    lanczos_hvps: Option<i64>,
    /// The seed of the start, the minibatch order and Lanczos.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The small instance of the tests (a few seconds).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`; `steps` (the s probed); `paths`: per network `norm`,
    /// `parameters`, `curve`, `termination`, `hvps`, `points` (per step `step`,
    /// `batch_loss`, `gradient_norm`, `loss_variation`, `gradient_change`,
    /// `beta_smoothness`, `lambda_max`, `lambda_min`, `residuals`, `hvps`); `ratios`: per
    /// quantity `plain`, `bn` (medians) and `ratio`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write bn-smoothness.json and the chart (bn-smoothness.png,
    /// bn-smoothness.svg) into this existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs the experiment and prints it.
pub fn run(args: SmoothnessArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        SmoothnessOptions::quick()
    } else {
        SmoothnessOptions::default()
    };
    let mut o = base.clone();
    o.network.depth = count("depth", args.depth, base.network.depth, 1)?;
    o.network.width = count("width", args.width, base.network.width, 2)?;
    o.network.activation = args.activation;
    o.network.init = args.init;
    o.sgd.lr = args.lr.unwrap_or(base.sgd.lr);
    o.sgd.momentum = args.momentum.unwrap_or(base.sgd.momentum);
    o.sgd.steps = count("steps", args.steps, base.sgd.steps, 1)?;
    o.sgd.batch_size = count("batch-size", args.batch_size, base.sgd.batch_size, 2)?;
    o.sgd.eval_every = count("eval-every", args.eval_every, base.sgd.eval_every, 1)?;
    o.every = count("every", args.every, base.every, 1)?;
    if let Some(list) = &args.step_multiples {
        o.step_multiples = numbers("step-multiples", list)?;
    }
    o.lanczos_hvps = count("lanczos-hvps", args.lanczos_hvps, base.lanczos_hvps, 4)?;
    o.seed = args.seed;
    let report = smoothness_with_progress(&o, &Bar::default())?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "bn-smoothness",
        |r| {
            let chart = bn_smoothness_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
