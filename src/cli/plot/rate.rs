//! `landscape plot rate`.

use std::io::Write;

use clap::Args;

use super::OutputArgs;
use crate::cli::bounds::GdRunArgs;
use landscape::error::Result;
use landscape::experiments::rate::{rate, RateOptions};
use landscape::plot::bounds::rate_figure;

/// Arguments of `landscape plot rate` (a positive definite `quadratic` only).
#[derive(Debug, Args)]
pub struct RateArgs {
    #[command(flatten)]
    run: GdRunArgs,
    /// The step size η > 0. Default: 1/β (β = --beta, or λmax(A)).
    #[arg(long, value_name = "η", allow_negative_numbers = true)]
    lr: Option<f64>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot rate`.
pub fn run(args: RateArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    let (f, x0, _) = args.run.load()?;
    let options = RateOptions {
        iters: args.run.iters,
        lr: args.lr,
        beta: args.run.beta,
    };
    let report = rate(f.as_ref(), &x0, &options)?;
    args.output.save(&rate_figure(&report), out)
}
