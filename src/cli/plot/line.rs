//! `landscape plot line`.

use std::io::Write;

use clap::Args;

use super::OutputArgs;
use crate::cli::ProblemArgs;
use landscape::error::{Error, Result};
use landscape::plot::line::LineFigure;
use landscape::point::resolve_point;

/// Arguments of `landscape plot line`.
#[derive(Debug, Args)]
pub struct LineArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The start: x₀ of x₀ + t·d, or a of (1 − t)·a + t·b (a point: zeros,
    /// name:<point>, random:<scale>:<seed>, init:<scheme>[:<seed>], JSON, .json, .npy).
    #[arg(long, value_name = "X")]
    from: String,
    /// The direction d (a vector, given like a point).
    #[arg(
        long,
        value_name = "D",
        conflicts_with = "to",
        required_unless_present = "to"
    )]
    direction: Option<String>,
    /// The end b of the interpolation (Goodfellow et al. 2015).
    #[arg(long, value_name = "B")]
    to: Option<String>,
    /// The t range LOW,HIGH (default −1,1 along a direction, −0.5,1.5 between points).
    #[arg(
        long,
        value_name = "LOW,HIGH",
        value_delimiter = ',',
        num_args = 1,
        allow_hyphen_values = true
    )]
    t: Option<Vec<f64>>,
    /// Points along the line.
    #[arg(long, default_value_t = 201)]
    resolution: usize,
    /// The title.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot line`.
pub fn run(args: LineArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    if args.resolution < 2 || args.resolution > 100_000 {
        return Err(Error::invalid(
            "resolution",
            "2 to 100000 points",
            args.resolution,
        ));
    }
    let (_, f) = args.problem.load()?;
    let f = f.as_ref();
    let from = resolve_point(&args.from, f, "from point")?;
    let t = super::slice::pair("t", &args.t)?;
    let mut figure = match (&args.direction, &args.to) {
        (Some(d), _) => {
            let d = resolve_point(d, f, "direction")?;
            LineFigure::along(f, &from, &d, t, args.resolution)?
        }
        (None, Some(to)) => {
            let to = resolve_point(to, f, "to point")?;
            LineFigure::between(f, &from, &to, t, args.resolution)?
        }
        (None, None) => unreachable!("clap requires --direction or --to"),
    };
    if let Some(title) = &args.title {
        figure.title = title.clone();
    }
    let to = args.to.as_deref().filter(|_| args.direction.is_none());
    figure.name_marks(&[Some(args.from.as_str()), to]);
    args.output.save(&figure, out)
}
