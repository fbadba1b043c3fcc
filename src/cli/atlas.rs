//! `landscape atlas`: per problem family, where descent from random starts ends.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::outputs::{check_out_dir, write_report};
use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::atlas::{atlas_with_progress, AtlasOptions};
use landscape::plot::atlas::AtlasChart;

/// Arguments of `landscape atlas`.
#[derive(Debug, Args)]
pub struct AtlasArgs {
    /// Runs per entry (run i of an entry uses stream i of the seed salted by the entry).
    #[arg(long, default_value_t = AtlasOptions::default().runs)]
    runs: usize,
    /// Seed of the starts.
    #[arg(long, default_value_t = AtlasOptions::default().seed)]
    seed: u64,
    /// Only these entries (comma-separated names of problems/atlas/*.toml); all by
    /// default.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    only: Vec<String>,
    /// Print JSON (`rows`: each `family`, `spec`, `runs`, `global_min`,
    /// `spurious_local_min`, `saddle`, `not_converged`, `lowest_spurious_value`, and
    /// extras: `degenerate`, `non_strict_saddle`, `claim`, `expected`, `holds`,
    /// `fractions`, …).
    #[arg(long)]
    json: bool,
    /// Also write atlas.json and the chart (atlas.png, atlas.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs the atlas and prints it.
pub fn run(args: AtlasArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let opts = AtlasOptions {
        runs: args.runs,
        seed: args.seed,
        only: args.only,
        ..AtlasOptions::default()
    };
    let result = atlas_with_progress(&opts, &Bar::default())?;
    if let Some(dir) = &args.out {
        let chart = AtlasChart { atlas: &result };
        write_report(dir, "atlas", &result, &chart, chart.size())?;
    }
    if args.json {
        return super::print_json(out, &result);
    }
    write!(out, "{result}").map_err(Error::Output)
}
