//! `landscape atlas`: per problem family, where descent from random starts ends.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::outputs::{check_out_dir, write_report};
use super::progress::Bar;
use super::ProblemArgs;
use landscape::error::{Error, Result};
use landscape::experiments::atlas::{atlas_with_progress, AtlasOptions, Subject};
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
    /// default, none when --problem is given.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    only: Vec<String>,
    /// Your own problem as a row (repeatable): a spec file (TOML), a shipped spec's name
    /// or `expr:<formula>`, run like the entries, with no prediction stated. Alone it
    /// replaces the shipped entries; with --only it follows them.
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    problem: Vec<String>,
    /// Override a field of every --problem, e.g. `--set n=20` (repeatable; TOML values).
    #[arg(long = "set", value_name = "KEY=VALUE", requires = "problem")]
    overrides: Vec<String>,
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
    let own = args
        .problem
        .iter()
        .map(|problem| {
            let spec = ProblemArgs {
                problem: problem.clone(),
                overrides: args.overrides.clone(),
            }
            .load_spec()?;
            // Built (and refused if it does not build) by the atlas row itself.
            super::note_replaced(&spec);
            let name = std::iter::once(problem.as_str())
                .chain(args.overrides.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            Ok(Subject::own(name, spec))
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = AtlasOptions {
        runs: args.runs,
        seed: args.seed,
        only: args.only,
        own,
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
