//! `landscape experiment clipping`: gradient clipping against the cliffs of a deep scalar
//! chain and of a deep network with a large step.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::deep::clipping::{clipping_with_progress, ClippingOptions};
use landscape::plot::clipping::clipping_chart;

/// Arguments of `landscape experiment clipping`.
#[derive(Debug, Args)]
pub struct ClippingArgs {
    /// L, the factors of the scalar chain f(w) = ½(w₁⋯w_L·x − y)² [default: 20].
    #[arg(long, value_name = "L", allow_negative_numbers = true)]
    depth: Option<i64>,
    /// Hidden layers of the deep network [default: 8].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    net_depth: Option<i64>,
    /// Units per hidden layer of the deep network [default: 32; 16 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    width: Option<i64>,
    /// The deep network's activation (linear, relu, leaky_relu, tanh, sigmoid, quadratic,
    /// softplus, gelu).
    #[arg(long, default_value_t = ClippingOptions::default().activation)]
    activation: String,
    /// The deep network's gradient-descent step (large on purpose).
    #[arg(long, default_value_t = ClippingOptions::default().net_lr, allow_hyphen_values = true)]
    net_lr: f64,
    /// The chain's gradient-descent step.
    #[arg(long, default_value_t = ClippingOptions::default().chain_lr, allow_hyphen_values = true)]
    chain_lr: f64,
    /// Clipping thresholds c, comma-separated (g ← g·min(1, c/‖g‖)).
    #[arg(long, value_name = "LIST", value_delimiter = ',', allow_hyphen_values = true,
          default_values_t = ClippingOptions::default().clip_norms)]
    clip_norms: Vec<f64>,
    /// Seeded starts of the deep network (start i uses stream i of the seed) [default:
    /// 16; 6 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seeds: Option<i64>,
    /// Seeded starts of the scalar chain [default: 100; 20 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    chain_seeds: Option<i64>,
    /// The seed of the starts.
    #[arg(long, default_value_t = ClippingOptions::default().seed)]
    seed: u64,
    /// A step jumps when it multiplies the loss by more than this.
    #[arg(long, default_value_t = ClippingOptions::default().jump_factor, allow_hyphen_values = true)]
    jump_factor: f64,
    /// …to at least this fraction of the start's loss.
    #[arg(long, default_value_t = ClippingOptions::default().jump_floor, allow_hyphen_values = true)]
    jump_floor: f64,
    /// The small instance of the tests (about a second).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`; `chain` and `network`, each with `name`, `description`,
    /// `lr`, `steps`, `settings` (per setting `clip_norm` (null: none), `runs`,
    /// `diverged`, `jumped`, `failed`, `failed_fraction`, `median_final_loss`,
    /// `largest_rise`, `per_run`) and `cliff` (`start`, `step`, `curves`: per setting
    /// `clip_norm`, `steps`, `loss`); `claims`).
    #[arg(long)]
    json: bool,
    /// Also write clipping.json and the chart (clipping.png, clipping.svg) into this
    /// existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// A count flag: an integer ≥ `min`, or the size's default.
pub(crate) fn count(flag: &str, given: Option<i64>, default: usize, min: usize) -> Result<usize> {
    match given {
        None => Ok(default),
        Some(v) => usize::try_from(v)
            .ok()
            .filter(|&v| v >= min)
            .ok_or_else(|| Error::invalid(flag, format!("an integer ≥ {min}"), v)),
    }
}

/// Runs the experiment and prints it.
pub fn run(args: ClippingArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        ClippingOptions::quick()
    } else {
        ClippingOptions::default()
    };
    let options = ClippingOptions {
        depth: count("depth", args.depth, base.depth, 2)?,
        net_depth: count("net-depth", args.net_depth, base.net_depth, 1)?,
        width: count("width", args.width, base.width, 1)?,
        seeds: count("seeds", args.seeds, base.seeds, 1)?,
        chain_seeds: count("chain-seeds", args.chain_seeds, base.chain_seeds, 1)?,
        jump_floor: args.jump_floor,
        activation: args.activation,
        net_lr: args.net_lr,
        chain_lr: args.chain_lr,
        clip_norms: args.clip_norms,
        seed: args.seed,
        jump_factor: args.jump_factor,
        ..base
    };
    let report = clipping_with_progress(&options, &Bar::default())?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "clipping",
        |r| {
            let chart = clipping_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
