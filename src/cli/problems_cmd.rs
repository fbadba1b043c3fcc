//! `landscape problems`: the problem library.

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
pub fn run(args: ProblemsArgs) -> Result<()> {
    let infos = KINDS
        .iter()
        .map(describe_kind)
        .collect::<Result<Vec<_>>>()?;
    if args.json {
        super::print_json(&infos);
        return Ok(());
    }
    for info in infos {
        println!("{}", info.kind);
        println!("  {}", info.description);
        println!(
            "  shipped instance: dim {}, {}, {}{}",
            info.dim,
            info.layout,
            info.manifold,
            info.optimum
                .map_or(String::new(), |v| format!(", f* = {v}"))
        );
        if !info.known_points.is_empty() {
            println!("  known points: {}", info.known_points.join(", "));
        }
        println!("  fields:");
        for f in &info.fields {
            println!(
                "    {:<16} {:<28} {}",
                f.name,
                format!("[{}]", f.default),
                f.doc
            );
        }
        println!("  shipped spec (`--problem {}`):", info.kind);
        for line in info.shipped_spec.lines() {
            println!("    {line}");
        }
        println!();
    }
    Ok(())
}
