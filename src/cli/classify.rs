//! `landscape classify`: the verdict at a point, with its evidence.

use std::io::Write;

use clap::Args;

use super::{format_vector, ProblemArgs};
use crate::classify::{classify, ClassifyOptions};
use crate::error::Result;
use crate::point::resolve_point;
use crate::spectrum::{Method, SpectrumOptions};

/// Arguments of `landscape classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, an inline JSON
    /// array, or a .json (array or {"x": [...]}) or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Gradient tolerance: ‖grad f‖ above it is `not_stationary`; also the value
    /// tolerance of f ≤ f* + tol. Default 1e-6·max(1, |f(x)|).
    #[arg(long, value_name = "G", allow_hyphen_values = true)]
    grad_tol: Option<f64>,
    /// Eigenvalue tolerance: |λ| ≤ it is a zero mode. Default 1e-6·max(1, ‖H‖).
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    eig_tol: Option<f64>,
    /// How to compute the spectrum: dense (every eigenvalue), lanczos (the extremes,
    /// matrix-free), auto (dense up to reduced dimension 1000).
    #[arg(long, value_enum, default_value = "auto")]
    method: Method,
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
    let (_, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    let opts = ClassifyOptions {
        grad_tol: args.grad_tol,
        eig_tol: args.eig_tol,
        spectrum: SpectrumOptions {
            method: args.method,
            ..SpectrumOptions::default()
        },
        with_direction: args.with_direction,
    };
    let c = classify(f.as_ref(), &x, &opts)?;
    if args.json {
        return super::print_json(out, &c);
    }
    let opt = |v: Option<f64>| v.map_or("unknown".to_string(), |v| format!("{v:.12e}"));
    let count = |v: Option<usize>| v.map_or("?".to_string(), |v| v.to_string());
    writeln!(out, "verdict         {}", c.kind)?;
    writeln!(out, "value           {:.12e}", c.value)?;
    writeln!(out, "optimum         {}", opt(c.optimum))?;
    writeln!(out, "grad_norm       {:.6e}", c.grad_norm)?;
    writeln!(out, "lambda_min      {}", opt(c.lambda_min))?;
    writeln!(out, "lambda_max      {}", opt(c.lambda_max))?;
    writeln!(
        out,
        "inertia         {} negative, {} zero, {} positive",
        count(c.negative),
        count(c.zero),
        count(c.positive)
    )?;
    writeln!(out, "symmetry_modes  {}", c.symmetry_modes)?;
    writeln!(out, "method          {}", method_name(c.method))?;
    writeln!(
        out,
        "tolerances      grad {:.3e}, eig {:.3e}",
        c.tolerances.grad, c.tolerances.eig
    )?;
    writeln!(out, "reason          {}", c.reason)?;
    if let Some(v) = &c.escape_direction {
        writeln!(out, "escape          {}", format_vector(v))?;
    }
    Ok(())
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Auto => "auto",
        Method::Dense => "dense",
        Method::Lanczos => "lanczos",
    }
}
