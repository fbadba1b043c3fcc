//! `landscape points`: the closed-form stationary points of a problem.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use landscape::error::Result;
use landscape::evaluate::known_point_reports;

/// Arguments of `landscape points`.
#[derive(Debug, Args)]
pub struct PointsArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// Print JSON (a list of {`name`, `kind`, `value`, `grad_norm`, `x`}).
    #[arg(long)]
    json: bool,
}

/// Lists the known points.
pub fn run(args: PointsArgs, out: &mut dyn Write) -> Result<()> {
    let (_, f) = args.problem.load()?;
    let reports = known_point_reports(f.as_ref());
    if args.json {
        super::print_json(out, &reports)?;
        return Ok(());
    }
    if reports.is_empty() {
        writeln!(out, "{}: no closed-form stationary points", f.kind())?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<24} {:<20} {:>20} {:>12}",
        "name", "kind", "value", "grad_norm"
    )?;
    for p in reports {
        writeln!(
            out,
            "{:<24} {:<20} {:>20.12e} {:>12.3e}",
            p.name,
            p.kind.name(),
            p.value,
            p.grad_norm
        )?;
    }
    if let Some(fstar) = f.optimum() {
        writeln!(out, "f* = {fstar:.12e}")?;
    }
    Ok(())
}
