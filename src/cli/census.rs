//! `landscape census`: the stationary points that seeded random starts lead to.

use std::io::Write;

use clap::Args;

use super::progress::Bar;
use super::ProblemArgs;
use landscape::census::{census_with_progress, CensusOptions};
use landscape::error::Result;

/// Arguments of `landscape census`.
#[derive(Debug, Args)]
pub struct CensusArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// Number of random starts; each runs a descent (to minima) and a Newton-type
    /// root-finder on ∇f = 0 (to saddles, maxima and minima).
    #[arg(long, default_value_t = CensusOptions::default().starts)]
    starts: usize,
    /// Seed of the starts (start i uses stream i of it).
    #[arg(long, default_value_t = CensusOptions::default().seed)]
    seed: u64,
    /// Standard deviation of the starts' entries. Default: the largest |entry| of the
    /// problem's known points, or 1 when it has none.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    scale: Option<f64>,
    /// Gradient tolerance for keeping a point and classifying it. Default
    /// 1e-6·max(1, |f|).
    #[arg(long, value_name = "G", allow_hyphen_values = true)]
    grad_tol: Option<f64>,
    /// Eigenvalue tolerance of the classification. Default 1e-6·max(1, ‖H‖).
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    eig_tol: Option<f64>,
    /// Print JSON (`points`: each `kind`, `value`, `x`, `hits`; `counts`: kind → number
    /// of distinct points; `starts`, `converged`, `scale`).
    #[arg(long)]
    json: bool,
}

/// Runs the census and prints it.
pub fn run(args: CensusArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let mut opts = CensusOptions {
        starts: args.starts,
        seed: args.seed,
        scale: args.scale,
        grad_tol: args.grad_tol,
        ..CensusOptions::default()
    };
    opts.classify.eig_tol = args.eig_tol;
    let result = census_with_progress(f.as_ref(), &opts, &Bar::default())?;
    if args.json {
        let provenance = super::provenance().problem(&spec).seed(args.seed);
        return super::print_json_with(out, &result, provenance);
    }
    write!(out, "{}: {result}", f.kind())?;
    Ok(())
}
