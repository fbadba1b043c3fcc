//! `landscape classify`: the verdict at a point, with its evidence.

use std::io::Write;

use clap::Args;

use super::{MethodArg, ProblemArgs};
use landscape::classify::{classify, ClassifyOptions};
use landscape::error::Result;
use landscape::point::resolve_point;
use landscape::spectrum::SpectrumOptions;

/// Arguments of `landscape classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON
    /// array, or a .json (array or {"x": [...]}) or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Gradient tolerance: ‖grad f‖ above it is `not_stationary`; also the value
    /// tolerance of f ≤ f* + tol. Default 1e-6·max(1, min(|f(x)|, ‖H‖·‖x‖)): it does not grow with f alone.
    #[arg(long, value_name = "G", allow_hyphen_values = true)]
    grad_tol: Option<f64>,
    /// Eigenvalue tolerance: |λ| ≤ it is a zero mode. Default 1e-6·max(1, ‖H‖).
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    eig_tol: Option<f64>,
    /// How to compute the spectrum: dense (every eigenvalue), lanczos (the extremes,
    /// matrix-free), auto (dense up to reduced dimension 1000).
    #[arg(long, value_enum, default_value_t = MethodArg(ClassifyOptions::default().spectrum.method))]
    method: MethodArg,
    /// Also report the escape direction: the unit eigenvector of λmin when λmin < 0.
    #[arg(long)]
    with_direction: bool,
    /// Print JSON (`kind`, `value`, `optimum`, `grad_norm`, `lambda_min`, `lambda_max`,
    /// `negative`, `zero`, `positive`, `symmetry_modes`, `method`, `tolerances`,
    /// `reason`, and `escape_direction` when asked).
    #[arg(long)]
    json: bool,
}

/// Classifies and prints.
pub fn run(args: ClassifyArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    let opts = ClassifyOptions {
        grad_tol: args.grad_tol,
        eig_tol: args.eig_tol,
        spectrum: SpectrumOptions {
            method: args.method.0,
            ..SpectrumOptions::default()
        },
        with_direction: args.with_direction,
    };
    let c = classify(f.as_ref(), &x, &opts)?;
    if args.json {
        let provenance = super::provenance().problem(&spec).start(&args.point);
        return super::print_json_with(out, &c, provenance);
    }
    write!(out, "{c}")?;
    Ok(())
}
