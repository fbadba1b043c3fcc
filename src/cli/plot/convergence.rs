//! `landscape plot convergence`.

use std::io::Write;

use clap::Args;

use super::OutputArgs;
use crate::cli::bounds::GdRunArgs;
use landscape::error::Result;
use landscape::plot::bounds::convergence_figure;

/// Arguments of `landscape plot convergence`.
#[derive(Debug, Args)]
pub struct ConvergenceArgs {
    #[command(flatten)]
    run: GdRunArgs,
    /// ε of T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ (> 0), marked on the chart. Default: ‖∇f(x₀)‖/10.
    #[arg(long, value_name = "ε", allow_negative_numbers = true)]
    epsilon: Option<f64>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot convergence`.
pub fn run(args: ConvergenceArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    let (report, _) = args.run.bounds(args.epsilon)?;
    args.output.save(&convergence_figure(&report), out)
}
