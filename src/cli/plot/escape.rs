//! `landscape plot escape`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::OutputArgs;
use landscape::error::{Error, Result};
use landscape::plot::escape::{check_comparable, EscapeDistribution};
use landscape::plot::reports::{read_du2017_report, read_escape_report};

/// Arguments of `landscape plot escape`.
#[derive(Debug, Args)]
pub struct EscapePlotArgs {
    /// `landscape escape --json` reports, one per method (gd, noisy_gd, pgd): the
    /// fraction of trials escaped by iteration t, per method.
    #[arg(value_name = "ESCAPE_JSON", required_unless_present = "du2017")]
    reports: Vec<PathBuf>,
    /// Instead, Du et al.'s chart from a `landscape experiment du2017 --json` report:
    /// iterations against d on a log axis, GD and PGD.
    #[arg(long, value_name = "FILE", conflicts_with = "reports")]
    du2017: Option<PathBuf>,
    /// Escape distributions: iterations on a log axis.
    #[arg(long)]
    log_iters: bool,
    /// The title.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot escape`.
pub fn run(args: EscapePlotArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    if let Some(path) = &args.du2017 {
        let mut chart = read_du2017_report(path)?;
        chart.title = args
            .title
            .unwrap_or_else(|| "GD against perturbed GD on the octopus (Du et al. 2017)".into());
        return args.output.save(&chart, out);
    }
    let methods = args
        .reports
        .iter()
        .map(|p| read_escape_report(p))
        .collect::<Result<Vec<_>>>()?;
    if methods.is_empty() {
        return Err(Error::invalid(
            "reports",
            "at least one `escape --json` file",
            "none",
        ));
    }
    let names: Vec<String> = args
        .reports
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    check_comparable(&methods, &names)?;
    let figure = EscapeDistribution {
        title: args
            .title
            .unwrap_or_else(|| "Escape from the saddle: fraction of trials escaped".into()),
        methods,
        log_iters: args.log_iters,
    };
    args.output.save(&figure, out)
}
