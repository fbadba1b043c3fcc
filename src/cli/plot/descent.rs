//! `landscape plot descent`.

use std::io::Write;

use clap::Args;

use super::OutputArgs;
use crate::cli::bounds::GdRunArgs;
use landscape::error::Result;
use landscape::plot::bounds::descent_figure;

/// Arguments of `landscape plot descent`.
#[derive(Debug, Args)]
pub struct DescentArgs {
    #[command(flatten)]
    run: GdRunArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot descent`.
pub fn run(args: DescentArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    let (report, _) = args.run.bounds(None)?;
    args.output.save(&descent_figure(&report), out)
}
