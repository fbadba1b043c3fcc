//! `landscape eval`: f, ∇f and a Hessian-vector product at a point.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use landscape::error::Result;
use landscape::evaluate::evaluate;
use landscape::point::resolve_point;

/// Arguments of `landscape eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON
    /// array, or a .json (array or {"x": [...]}) or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Also compute ∇²f(x)·v for this direction (same forms as --point).
    #[arg(long, value_name = "V")]
    hvp: Option<String>,
    /// Print JSON (`dim`, `point`, `direction` (with --hvp), `value`, `gradient`,
    /// `grad_norm`, `hvp`).
    #[arg(long)]
    json: bool,
}

/// Evaluates and prints.
pub fn run(args: EvalArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    let v = match &args.hvp {
        Some(arg) => Some(resolve_point(arg, f.as_ref(), "hvp direction")?),
        None => None,
    };
    let report = evaluate(f.as_ref(), &x, v.as_deref());
    if args.json {
        let provenance = super::provenance().problem(&spec).start(&args.point);
        super::print_json_with(out, &report, provenance)?;
        return Ok(());
    }
    writeln!(out, "{} (dim {})", f.kind(), report.dim)?;
    write!(out, "{report}")?;
    Ok(())
}
