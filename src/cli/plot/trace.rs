//! `landscape plot trace`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::OutputArgs;
use landscape::error::{Error, Result};
use landscape::plot::inputs::read_trajectory;
use landscape::plot::trace::TraceFigure;

/// Arguments of `landscape plot trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Trajectory files written by `run --json > FILE` or `run --out FILE.json|csv`
    /// (one or more).
    #[arg(value_name = "TRAJECTORY", required = true)]
    runs: Vec<PathBuf>,
    /// Legend names, one per file, comma-separated (default: the optimizer's name).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    names: Vec<String>,
    /// Draw f on a log scale (needs f > 0 along every run).
    #[arg(long)]
    log_value: bool,
    /// The title.
    #[arg(long, default_value = "f and ‖∇f‖ along the runs")]
    title: String,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot trace`.
pub fn run(args: TraceArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    if !args.names.is_empty() && args.names.len() != args.runs.len() {
        return Err(Error::invalid(
            "names",
            format!("one name per trajectory ({})", args.runs.len()),
            format!("{} names", args.names.len()),
        ));
    }
    let mut runs = args
        .runs
        .iter()
        .map(|path| read_trajectory(path))
        .collect::<Result<Vec<_>>>()?;
    for (run, name) in runs.iter_mut().zip(&args.names) {
        run.name = name.clone();
    }
    let figure = TraceFigure {
        title: args.title,
        runs,
        log_value: args.log_value,
    };
    args.output.save(&figure, out)
}
