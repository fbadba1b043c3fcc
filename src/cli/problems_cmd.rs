//! `landscape problems`: the problem library.

use std::io::Write;

use clap::Args;

use landscape::error::Result;
use landscape::evaluate::describe_kind;
use landscape::problems::KINDS;

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
        write!(out, "{info}")?;
    }
    Ok(())
}
