//! `landscape experiment depth` and `landscape experiment activations`: gradients
//! through depth at initialisation, and activations at equal depth.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::deep::activations::{activations_with_progress, ActivationsOptions};
use landscape::experiments::deep::depth::{depth_with_progress, DepthOptions};
use landscape::plot::depth::{activations_chart, depth_chart};

/// Option fields and their flags.
const FLAGS: &[(&str, &str)] = &[
    ("activation", "activations"),
    ("init", "inits"),
    ("batch_size", "batch-size"),
    ("eval_every", "eval-every"),
];

/// Arguments of `landscape experiment depth`.
#[derive(Debug, Args)]
pub struct DepthArgs {
    /// Hidden layers L [default: 50; 12 with --quick].
    #[arg(long, value_name = "L")]
    depth: Option<usize>,
    /// Width of every hidden layer (64 is square with the digits' 64 inputs) [default:
    /// 64; 32 with --quick].
    #[arg(long, value_name = "N")]
    width: Option<usize>,
    /// Activations, comma-separated [default: linear, relu, leaky_relu, tanh, sigmoid,
    /// softplus, gelu, quadratic; relu, tanh, sigmoid with --quick].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    activations: Vec<String>,
    /// Initialisations, comma-separated: small (std 0.01), large (std 1), xavier,
    /// kaiming, or any scheme (normal=σ, orthogonal, …) [default: small, large, xavier,
    /// kaiming].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    inits: Vec<String>,
    /// Training images the statistics are taken on (the first of the digits' training
    /// split, at most 1437) [default: 400; 200 with --quick].
    #[arg(long, value_name = "N")]
    images: Option<usize>,
    /// Seeds averaged over (seed s draws from stream s of --seed) [default: 3; 2 with
    /// --quick].
    #[arg(long, value_name = "K")]
    seeds: Option<usize>,
    /// The seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The small size (for tests): depth 12, width 32, 200 images, relu, tanh and sigmoid, 2 seeds.
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `input_second_moment`, `cases`: per activation × init
    /// `activation`, `init`, `scheme`, `n_sigma2`, `gradient` (vanishes, explodes, steady), `measured` (per layer
    /// `pre_activation_variance`, `activation_variance`, `grad_output_norm`,
    /// `grad_weight_norm`, `weight_spectral_norm`, `dead_or_saturated`, `loss`),
    /// `measured_factors` and `predicted_factors` (`activation_variance`,
    /// `grad_output_norm`, `grad_weight_norm`: each `factor`, `layers`), `mean_field`,
    /// `mean_field_bound`, `worst_case_bound`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write depth.json and the chart (depth.png, depth.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Arguments of `landscape experiment activations`.
#[derive(Debug, Args)]
pub struct ActivationsArgs {
    /// Hidden layers L [default: 10; 5 with --quick].
    #[arg(long, value_name = "L")]
    depth: Option<usize>,
    /// Width of every hidden layer [default: 64; 16 with --quick].
    #[arg(long, value_name = "N")]
    width: Option<usize>,
    /// Activations, comma-separated, each with its suited initialisation (Xavier for
    /// sigmoid and tanh, Kaiming for relu and leaky_relu, Kaiming with gain √2 for gelu,
    /// Xavier for the others) [default: sigmoid, tanh, relu, leaky_relu, gelu].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    activations: Vec<String>,
    /// Seeds (seed s draws θ₀ and the minibatches from stream s of --seed) [default: 1].
    #[arg(long, value_name = "K")]
    seeds: Option<usize>,
    /// The seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SGD steps per run [default: 800; 150 with --quick].
    #[arg(long, value_name = "T")]
    steps: Option<usize>,
    /// Minibatch size.
    #[arg(long, default_value_t = ActivationsOptions::default().batch_size)]
    batch_size: usize,
    /// Learning rate η of SGD with momentum.
    #[arg(long, default_value_t = ActivationsOptions::default().lr, allow_negative_numbers = true)]
    lr: f64,
    /// Momentum μ.
    #[arg(long, default_value_t = ActivationsOptions::default().momentum, allow_negative_numbers = true)]
    momentum: f64,
    /// Full-batch evaluation every this many steps [default: 100; 50 with --quick].
    #[arg(long, value_name = "K")]
    eval_every: Option<usize>,
    /// The small size (for tests): depth 5, width 16, 150 steps.
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `cases`: per activation `activation`, `init`, `at_init`
    /// (per layer as in `experiment depth`), `factors`, `predicted_factors`,
    /// `first_to_last`, `curve` (`steps`, `train_loss`, `test_accuracy`, mean over
    /// seeds), `runs`, `diverged`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write activations.json and the chart (activations.png, activations.svg)
    /// into this existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs `experiment depth` and prints it.
pub fn run_depth(args: DepthArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        DepthOptions::quick()
    } else {
        DepthOptions::default()
    };
    let options = DepthOptions {
        depth: args.depth.unwrap_or(base.depth),
        width: args.width.unwrap_or(base.width),
        activations: non_empty(args.activations, base.activations),
        inits: non_empty(args.inits, base.inits),
        images: args.images.unwrap_or(base.images),
        seeds: args.seeds.unwrap_or(base.seeds),
        seed: args.seed,
    };
    let report =
        depth_with_progress(&options, &Bar::default()).map_err(|e| super::flag_names(e, FLAGS))?;
    finish(out, &report, args.json, args.out.as_deref(), "depth", |r| {
        let chart = depth_chart(r);
        let size = chart.size();
        (chart, size)
    })
}

/// Runs `experiment activations` and prints it.
pub fn run_activations(args: ActivationsArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        ActivationsOptions::quick()
    } else {
        ActivationsOptions::default()
    };
    let options = ActivationsOptions {
        depth: args.depth.unwrap_or(base.depth),
        width: args.width.unwrap_or(base.width),
        activations: non_empty(args.activations, base.activations),
        seeds: args.seeds.unwrap_or(base.seeds),
        seed: args.seed,
        steps: args.steps.unwrap_or(base.steps),
        batch_size: args.batch_size,
        lr: args.lr,
        momentum: args.momentum,
        eval_every: args.eval_every.unwrap_or(base.eval_every),
    };
    let report = activations_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, FLAGS))?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "activations",
        |r| {
            let chart = activations_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}

/// The given list, or the default when none was given.
fn non_empty(given: Vec<String>, default: Vec<String>) -> Vec<String> {
    if given.is_empty() {
        default
    } else {
        given
    }
}
