//! `landscape eval`: f, ∇f and a Hessian-vector product at a point.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use landscape::error::Result;
use landscape::evaluate::evaluate;
use landscape::linalg::norm;
use landscape::objective::Objective;
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
    /// Time N calls of ∇f (and of the HVP with --hvp) after one warm-up, and print the
    /// median seconds per call (with f and the norms) instead of the vectors.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    repeat: Option<u32>,
}

/// `eval --repeat`: median wall seconds per call, measured in this process.
#[derive(serde::Serialize)]
struct Timing {
    dim: usize,
    repeat: u32,
    value: f64,
    grad_norm: f64,
    gradient_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hvp_norm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hvp_seconds: Option<f64>,
}

/// The median of `repeat` timings of `call`, after one untimed call.
pub(super) fn median_seconds(repeat: u32, mut call: impl FnMut()) -> f64 {
    call();
    let mut times: Vec<f64> = (0..repeat)
        .map(|_| {
            let start = std::time::Instant::now();
            call();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn timing(f: &dyn Objective, x: &[f64], v: Option<&[f64]>, repeat: u32) -> Timing {
    let mut g = vec![0.0; f.dim()];
    let gradient_seconds = median_seconds(repeat, || f.riemannian_gradient(x, &mut g));
    let mut hv = vec![0.0; f.dim()];
    let hvp_seconds = v.map(|v| median_seconds(repeat, || f.riemannian_hvp(x, v, &mut hv)));
    Timing {
        dim: f.dim(),
        repeat,
        value: f.value(x),
        grad_norm: norm(&g),
        gradient_seconds,
        hvp_norm: v.map(|_| norm(&hv)),
        hvp_seconds,
    }
}

/// Evaluates and prints.
pub fn run(args: EvalArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    let v = match &args.hvp {
        Some(arg) => Some(resolve_point(arg, f.as_ref(), "hvp direction")?),
        None => None,
    };
    if let Some(repeat) = args.repeat {
        let t = timing(f.as_ref(), &x, v.as_deref(), repeat);
        if args.json {
            let provenance = super::provenance().problem(&spec).start(&args.point);
            return super::print_json_with(out, &t, provenance);
        }
        writeln!(out, "{} (dim {}), {} calls each", f.kind(), t.dim, repeat)?;
        writeln!(out, "f = {}, ‖∇f‖ = {}", t.value, t.grad_norm)?;
        writeln!(
            out,
            "gradient: {:.3e} s per call (median)",
            t.gradient_seconds
        )?;
        if let Some(s) = t.hvp_seconds {
            writeln!(out, "hvp:      {s:.3e} s per call (median)")?;
        }
        return Ok(());
    }
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
