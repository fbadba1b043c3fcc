//! `landscape experiment kawaguchi`: Kawaguchi's (2016) claims on deep linear nets.

use std::io::Write;

use clap::Args;

use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::kawaguchi::{kawaguchi_with_progress, KawaguchiOptions};

/// Arguments of `landscape experiment kawaguchi`.
#[derive(Debug, Args)]
pub struct KawaguchiArgs {
    /// Census starts per depth.
    #[arg(long, default_value_t = KawaguchiOptions::default().starts)]
    starts: usize,
    /// Seed of the starts.
    #[arg(long, default_value_t = KawaguchiOptions::default().seed)]
    seed: u64,
    /// Print JSON (`cases`: per depth `depth`, `spec`, `census_counts`, `known_points`,
    /// `global_minima`, `spurious_minima`, `strict_saddles`, `non_strict_saddles`,
    /// `degenerate`, `every_minimum_global`, `all_saddles_strict`; `claims_hold`).
    #[arg(long)]
    json: bool,
}

/// Runs the report and prints it.
pub fn run(args: KawaguchiArgs, out: &mut dyn Write) -> Result<()> {
    let report = kawaguchi_with_progress(
        &KawaguchiOptions {
            starts: args.starts,
            seed: args.seed,
        },
        &Bar::default(),
    )?;
    if args.json {
        return super::print_json(out, &report);
    }
    write!(out, "{report}").map_err(landscape::Error::Output)
}
