//! `landscape problems`: the problem library.

use std::io::Write;

use clap::Args;

use crate::error::Result;
use crate::evaluate::describe_kind;
use crate::problems::KINDS;

/// Arguments of `landscape problems`.
#[derive(Debug, Args)]
pub struct ProblemsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Lists every kind.
pub fn run(args: ProblemsArgs, out: &mut dyn Write) -> Result<()> {
    let infos = KINDS
        .iter()
        .map(describe_kind)
        .collect::<Result<Vec<_>>>()?;
    if args.json {
        super::print_json(out, &infos)?;
        return Ok(());
    }
    for info in infos {
        writeln!(out, "{}", info.kind)?;
        writeln!(out, "  {}", info.description)?;
        writeln!(
            out,
            "  shipped instance: dim {}, {}, {}{}",
            info.dim,
            info.layout,
            info.manifold,
            info.optimum
                .map_or(String::new(), |v| format!(", f* = {v}"))
        )?;
        if !info.known_points.is_empty() {
            writeln!(out, "  known points: {}", info.known_points.join(", "))?;
        }
        writeln!(out, "  fields:")?;
        for f in &info.fields {
            writeln!(
                out,
                "    {:<16} {:<28} {}",
                f.name,
                format!("[{}]", f.default),
                f.doc
            )?;
        }
        writeln!(out, "  shipped spec (`--problem {}`):", info.kind)?;
        for line in info.shipped_spec.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
