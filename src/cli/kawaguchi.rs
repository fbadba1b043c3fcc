//! `landscape experiment kawaguchi`: Kawaguchi's (2016) claims on deep linear nets.

use std::io::Write;

use clap::Args;

use crate::error::Result;
use crate::experiments::kawaguchi::{kawaguchi, KawaguchiOptions, KawaguchiReport};

/// Arguments of `landscape experiment kawaguchi`.
#[derive(Debug, Args)]
pub struct KawaguchiArgs {
    /// Census starts per depth.
    #[arg(long, default_value_t = 50)]
    starts: usize,
    /// Seed of the starts.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON (`cases`: per depth `depth`, `spec`, `census_counts`, `known_points`,
    /// `global_minima`, `spurious_minima`, `strict_saddles`, `non_strict_saddles`,
    /// `degenerate`, `every_minimum_global`, `all_saddles_strict`; `claims_hold`).
    #[arg(long)]
    json: bool,
}

/// Runs the report and prints it.
pub fn run(args: KawaguchiArgs, out: &mut dyn Write) -> Result<()> {
    let report = kawaguchi(&KawaguchiOptions {
        starts: args.starts,
        seed: args.seed,
        progress: true,
    })?;
    if args.json {
        return super::print_json(out, &report);
    }
    print_report(&report, out)
}

/// The text report: one block per depth, then the verdict on the claims.
pub fn print_report(report: &KawaguchiReport, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "Kawaguchi 2016 on deep linear nets ½‖W_H⋯W₁X − Y‖²: census of {} starts (seed {}) \
         plus the closed-form points",
        report.starts, report.seed
    )?;
    for c in &report.cases {
        let counts: Vec<String> = c
            .census_counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        writeln!(
            out,
            "H = {} ({}): census {}",
            c.depth,
            c.spec,
            counts.join(", ")
        )?;
        for p in &c.known_points {
            writeln!(
                out,
                "  known point {:<6} {:<18} (expected {}), f = {:.6e}, λmin = {}",
                p.name,
                p.measured.name(),
                p.expected.name(),
                p.value,
                p.lambda_min.map_or("–".into(), |l| format!("{l:.3e}"))
            )?;
        }
        writeln!(
            out,
            "  minima: {} global, {} not global → every minimum global: {}; saddles: {} \
             strict, {} non-strict, {} degenerate → all strict: {}",
            c.global_minima,
            c.spurious_minima,
            c.every_minimum_global,
            c.strict_saddles,
            c.non_strict_saddles,
            c.degenerate,
            c.all_saddles_strict
        )?;
    }
    writeln!(
        out,
        "claims (every minimum global; H = 2 saddles strict; H = 3 has a non-strict \
         saddle): {}",
        if report.claims_hold {
            "hold"
        } else {
            "do not all hold"
        }
    )?;
    Ok(())
}
