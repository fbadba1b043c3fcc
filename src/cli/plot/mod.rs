//! `landscape plot <kind>`: pictures as PNG or SVG (by the extension of `--out`). One
//! file per plot kind; each parses its arguments, calls the library and saves.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use landscape::error::Result;
use landscape::plot;

mod convergence;
mod descent;
mod line;
mod rate;
mod slice;
mod trace;
// demo: spectrum and escape
mod escape;
mod spectrum;

/// Arguments of `landscape plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// What to draw.
    #[command(subcommand)]
    kind: PlotKind,
}

/// The plot kinds.
#[derive(Debug, Subcommand)]
enum PlotKind {
    /// f and ‖∇f‖ against the iteration for several runs (`run --json` or `run --out`
    /// files) on one chart.
    Trace(trace::TraceArgs),
    /// The decrease f(xₜ) − f(xₜ₊₁) per step of GD with η = 1/β against the descent-lemma
    /// bound ‖∇f(xₜ)‖²/(2β), and their ratio with the violations marked.
    Descent(descent::DescentArgs),
    /// min_{s≤t}‖∇f(xₛ)‖ of GD with η = 1/β against √(2β(f(x₀) − f*)/(t + 1)), log-log,
    /// with T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ marked.
    Convergence(convergence::ConvergenceArgs),
    /// On a positive definite quadratic, ‖xₜ − x*‖ of GD against (1 − ηλmin)ᵗ‖x₀ − x*‖.
    Rate(rate::RateArgs),
    /// f on a plane x₀ + α·d₁ + β·d₂ (heatmap, contours or a 3-D surface) with
    /// trajectories projected and stationary points marked by verdict.
    Slice(Box<slice::SliceArgs>),
    /// f along a direction x₀ + t·d or the interpolation (1 − t)·a + t·b.
    Line(line::LineArgs),
    // demo: spectrum and escape
    /// Histogram of the Hessian's eigenvalues at a point (negative part highlighted,
    /// zero marked), or its spectral density (--density) for large d.
    Spectrum(spectrum::SpectrumPlotArgs),
    /// Escape-iteration distributions per method (`escape --json` files), or Du et
    /// al.'s iterations-against-d chart (--du2017 FILE).
    Escape(escape::EscapePlotArgs),
}

/// Where the picture goes and how large it is, shared by every plot kind.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// The picture: FILE.png or FILE.svg (written atomically; the directory must exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = plot::style::DEFAULT_SIZE.0)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = plot::style::DEFAULT_SIZE.1)]
    pub height: u32,
}

impl OutputArgs {
    /// Checks the output path and size before any computation.
    pub fn check(&self) -> Result<()> {
        plot::check_out_path(&self.out)?;
        plot::check_size(self.size())
    }

    /// (width, height).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Saves `figure` and says where on `out`.
    pub fn save<F: plot::Figure>(&self, figure: &F, out: &mut dyn Write) -> Result<()> {
        plot::save(figure, &self.out, self.size())?;
        writeln!(out, "wrote {}", self.out.display())?;
        Ok(())
    }
}

/// Runs `landscape plot`.
pub fn run(args: PlotArgs, out: &mut dyn Write) -> Result<()> {
    match args.kind {
        PlotKind::Trace(args) => trace::run(args, out),
        PlotKind::Descent(args) => descent::run(args, out),
        PlotKind::Convergence(args) => convergence::run(args, out),
        PlotKind::Rate(args) => rate::run(args, out),
        PlotKind::Slice(args) => slice::run(*args, out),
        PlotKind::Line(args) => line::run(args, out),
        // demo: spectrum and escape
        PlotKind::Spectrum(args) => spectrum::run(args, out),
        PlotKind::Escape(args) => escape::run(args, out),
    }
}
