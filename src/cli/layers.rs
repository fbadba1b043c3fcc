//! `landscape layers`: the per-layer view of a network at a point (activation
//! statistics, dead or saturated units, gradient norms per layer).

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::ProblemArgs;
use landscape::error::{Error, Result};
use landscape::point::resolve_point;
use landscape::problems::mlp::layers::LayerReport;
use landscape::problems::mlp::Mlp;

/// Arguments of `landscape layers`.
#[derive(Debug, Args)]
pub struct LayersArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `init:<scheme>[:<seed>]` (e.g. `init:kaiming_normal:0`), a trained run's
    /// final point (its .json), `zeros`, `random:<scale>:<seed>`, an inline JSON array or a
    /// .npy file.
    #[arg(long, value_name = "X", default_value = "init:kaiming_normal:0")]
    point: String,
    /// Print JSON: `problem`, `spec`, `point`, then `value`, `grad_norm` and `layers`
    /// (one object per layer with the table's columns).
    #[arg(long)]
    json: bool,
}

/// The JSON output: what produced the report, then the report.
#[derive(Serialize)]
struct Output<'a> {
    problem: &'a str,
    spec: serde_json::Map<String, serde_json::Value>,
    point: &'a str,
    #[serde(flatten)]
    report: &'a LayerReport,
}

/// Computes and prints the per-layer view.
pub fn run(args: LayersArgs, out: &mut dyn Write) -> Result<()> {
    let spec = args.problem.load_spec()?;
    if spec.kind() != "mlp" {
        return Err(Error::invalid(
            "--problem",
            "a network (kind mlp)",
            format!("kind `{}`", spec.kind()),
        ));
    }
    landscape::problems::check(&spec)?;
    let net = Mlp::from_spec(&spec)?;
    let x = resolve_point(&args.point, &net, "point")?;
    let report = net.layer_report(&x);
    if args.json {
        let mut fields = serde_json::Map::new();
        fields.insert("kind".into(), spec.kind().into());
        for name in spec.field_names() {
            if let Some(value) = spec.raw(name) {
                fields.insert(
                    name.to_string(),
                    serde_json::to_value(value).unwrap_or_default(),
                );
            }
        }
        let output = Output {
            problem: &args.problem.problem,
            spec: fields,
            point: &args.point,
            report: &report,
        };
        return super::print_json(out, &output);
    }
    writeln!(
        out,
        "{} (dim {}), point {}",
        spec.kind(),
        net.architecture().dim,
        args.point
    )?;
    write!(out, "{report}")?;
    Ok(())
}
