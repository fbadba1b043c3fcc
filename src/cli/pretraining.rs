//! `landscape experiment pretraining`: pre-training on digits 0–4 as the initialisation
//! for digits 5–9, against a random initialisation from scratch.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::clipping::count;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::deep::pretraining::{pretraining_with_progress, PretrainingOptions};
use landscape::plot::pretraining::pretraining_chart;

/// Arguments of `landscape experiment pretraining`.
#[derive(Debug, Args)]
pub struct PretrainingArgs {
    /// Hidden layers [default: 4; 2 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    depth: Option<i64>,
    /// Units per hidden layer [default: 64; 16 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    width: Option<i64>,
    /// Activation of the hidden layers (linear, relu, leaky_relu, tanh, sigmoid,
    /// quadratic, softplus, gelu).
    #[arg(long, default_value_t = PretrainingOptions::default().activation)]
    activation: String,
    /// Initialisation scheme of the scratch start and of pre-training (`init:` syntax:
    /// kaiming_normal, xavier_uniform, normal=0.1, …).
    #[arg(long, value_name = "SCHEME", default_value_t = PretrainingOptions::default().init)]
    init: String,
    /// Pre-training steps on digits 0–4 [default: 300; 60 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pretrain_steps: Option<i64>,
    /// Fine-tuning steps on digits 5–9 [default: 300; 60 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    steps: Option<i64>,
    /// The target training loss on digits 5–9 [default: 0.05; 0.3 with --quick].
    #[arg(long, value_name = "LOSS", allow_hyphen_values = true)]
    target: Option<f64>,
    /// SGD step η [default: 0.02; 0.05 with --quick].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Seeded starts (start i uses stream i of the seed) [default: 6; 2 with --quick].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seeds: Option<i64>,
    /// The seed.
    #[arg(long, default_value_t = PretrainingOptions::default().seed)]
    seed: u64,
    /// The small instance of the tests (about a second).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`; `samples` [pre-train train, test, fine-tune train, test];
    /// `starts`: per start `pretrain_loss`, `pretrain_test_accuracy`, and `pretrained`
    /// and `scratch` with `steps_to_target`, `final_train_loss`, `final_test_accuracy`,
    /// `curve`; `pretrained`, `scratch`: `median_steps_to_target`, `reached`,
    /// `mean_final_train_loss`, `mean_final_test_accuracy`; `pretrained_faster`,
    /// `pretrained_at_least_as_accurate`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write pretraining.json and the chart (pretraining.png, pretraining.svg)
    /// into this existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs the experiment and prints it.
pub fn run(args: PretrainingArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let base = if args.quick {
        PretrainingOptions::quick()
    } else {
        PretrainingOptions::default()
    };
    let options = PretrainingOptions {
        depth: count("depth", args.depth, base.depth, 1)?,
        width: count("width", args.width, base.width, 1)?,
        pretrain_steps: count(
            "pretrain-steps",
            args.pretrain_steps,
            base.pretrain_steps,
            1,
        )?,
        steps: count("steps", args.steps, base.steps, 1)?,
        seeds: count("seeds", args.seeds, base.seeds, 1)?,
        target: args.target.unwrap_or(base.target),
        lr: args.lr.unwrap_or(base.lr),
        activation: args.activation,
        init: args.init,
        seed: args.seed,
        ..base
    };
    let report = pretraining_with_progress(&options, &Bar::default())?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "pretraining",
        |r| {
            let chart = pretraining_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
