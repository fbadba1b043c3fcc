//! `landscape demo`: render the gallery.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::progress::Bar;
use landscape::demo::{demo_with_progress, DemoOptions};
use landscape::error::Result;

/// Arguments of `landscape demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The gallery's directory: created when missing (its parent must exist); the
    /// pictures (PNG) and README.md in it are replaced atomically.
    #[arg(long, value_name = "DIR", default_value = "plots")]
    out: PathBuf,
    /// Smaller grids, fewer trials and iterations (a few seconds).
    #[arg(long)]
    quick: bool,
}

/// Runs `landscape demo`.
pub fn run(args: DemoArgs, out: &mut dyn Write) -> Result<()> {
    let started = std::time::Instant::now();
    let options = DemoOptions {
        out: args.out,
        quick: args.quick,
    };
    let pictures = demo_with_progress(&options, &Bar::default())?;
    writeln!(
        out,
        "wrote {} pictures and {} in {:.1} s",
        pictures.len(),
        options.out.join("README.md").display(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
