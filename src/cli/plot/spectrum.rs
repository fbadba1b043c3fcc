//! `landscape plot spectrum`.

use std::io::Write;

use clap::Args;

use super::OutputArgs;
use crate::cli::ProblemArgs;
use landscape::error::Result;
use landscape::plot::spectrum::{spectrum_density, spectrum_histogram};
use landscape::point::resolve_point;
use landscape::spectrum::DensityOptions;

/// Arguments of `landscape plot spectrum`.
#[derive(Debug, Args)]
pub struct SpectrumPlotArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON
    /// array, or a .json or .npy file.
    #[arg(long, value_name = "X")]
    at: String,
    /// Histogram bins (about; zero is always a bin edge).
    #[arg(long, default_value_t = 40)]
    bins: usize,
    /// Draw the spectral density (stochastic Lanczos quadrature) instead of the
    /// histogram of every eigenvalue: for large d.
    #[arg(long)]
    density: bool,
    /// Density: Rademacher probes.
    #[arg(long, default_value_t = DensityOptions::default().probes)]
    probes: usize,
    /// Density: Lanczos steps per probe.
    #[arg(long, default_value_t = DensityOptions::default().steps)]
    steps: usize,
    /// Seed of the density's probes.
    #[arg(long, default_value_t = DensityOptions::default().seed)]
    seed: u64,
    /// The title (default: the problem and the point).
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot spectrum`.
pub fn run(args: SpectrumPlotArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    let (_, f) = args.problem.load()?;
    let x = resolve_point(&args.at, f.as_ref(), "at")?;
    let title = args
        .title
        .unwrap_or_else(|| format!("Hessian spectrum of {} at {}", f.kind(), args.at));
    if args.density {
        let opts = DensityOptions {
            probes: args.probes,
            steps: args.steps,
            seed: args.seed,
            ..DensityOptions::default()
        };
        let figure = spectrum_density(f.as_ref(), &x, &opts, title)?;
        args.output.save(&figure, out)?;
        writeln!(out, "{}", figure.note())?;
    } else {
        let figure = spectrum_histogram(f.as_ref(), &x, args.bins, title)?;
        args.output.save(&figure, out)?;
        writeln!(out, "{}", figure.note())?;
    }
    Ok(())
}
