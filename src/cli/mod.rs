//! The command-line interface: one file per subcommand. The CLI only parses, calls the
//! library and prints; every `--json` output is a serde struct of the library.

use std::io::Write;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use landscape::error::{Error, Result};
use landscape::objective::Objective;
use landscape::problems::{self, ProblemSpec};
use landscape::provenance::Provenance;
use landscape::spectrum::Method;

mod atlas;
mod batchnorm;
mod bn_noise;
mod bn_smoothness;
mod bn_spectrum;
mod bounds;
mod census;
mod classify;
mod clipping;
mod demo;
mod depth;
mod escape;
mod eval;
mod exp_lr;
pub mod experiment;
mod export;
mod gamma_beta;
mod init;
mod kaiming;
mod kawaguchi;
mod layers;
mod norms;
mod outputs;
mod perturbation;
pub mod plot;
mod points;
mod pretraining;
mod problems_cmd;
mod progress;
mod run;
mod spectrum;

/// Landscapes of non-convex objectives: exact derivatives, known stationary points,
/// their classification, optimizers, saddle escape, the atlas of spurious minima, and
/// pictures.
#[derive(Debug, Parser)]
#[command(name = "landscape", version, about, long_about = None)]
pub struct Cli {
    /// Say on stderr what was done to the input on the tool's own account (a float32 or
    /// Fortran-order .npy file converted, …).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every problem kind: formula, fields with defaults, dimension, layout and
    /// shipped spec.
    Problems(problems_cmd::ProblemsArgs),
    /// Evaluate f, ∇f and optionally a Hessian-vector product at a point.
    Eval(eval::EvalArgs),
    /// Write a problem instance's data and a point as .npy files with a JSON manifest,
    /// to recompute f, ∇f or ∇²f·v with NumPy, SciPy, JAX or PyTorch.
    Export(export::ExportArgs),
    /// The per-layer view of a network (mlp) at a point: activation statistics, dead or
    /// saturated units, and gradient norms per layer.
    Layers(layers::LayersArgs),
    /// List a problem's closed-form stationary points with their values and kinds.
    Points(points::PointsArgs),
    /// Run an optimizer (gd, heavy_ball, nesterov, adagrad, rmsprop, adadelta, adam, …)
    /// from an initial point and record its trajectory (JSON or CSV).
    Run(Box<run::RunArgs>),
    /// Eigenvalues of the Hessian at a point (all by dense, or the k extreme ones by
    /// Lanczos with residuals), on the tangent space minus symmetry directions; or its
    /// spectral density (--density).
    Spectrum(spectrum::SpectrumArgs),
    /// Classify a point: not_stationary, global_min, local_min, spurious_local_min,
    /// strict_saddle, non_strict_saddle, local_max or degenerate, with the evidence
    /// (gradient norm, extreme eigenvalues, inertia, higher-order test) and tolerances.
    Classify(classify::ClassifyArgs),
    /// Find and classify the stationary points that seeded random starts lead to
    /// (minima by descent; saddles and maxima by a root-finder on ∇f = 0).
    Census(census::CensusArgs),
    /// From a saddle, N seeded runs of gd, noisy_gd or pgd (perturbed GD, Jin et al.
    /// 2017): how many iterations each takes until f ≤ f(X) − Δ, and where it ends.
    Escape(Box<escape::EscapeArgs>),
    /// The landscape atlas: per problem family (at sizes where a no-spurious-minima
    /// theorem holds and where it fails), N seeded descents from random starts, each end
    /// point polished and classified: fractions at global minima, spurious minima,
    /// saddles, not converged.
    Atlas(atlas::AtlasArgs),
    /// Run a reproducible experiment, each ending in the course's claims checked: saddles
    /// and spurious minima (du2017, safran-shamir, kawaguchi), training deep networks
    /// (depth, activations, kaiming, init, clipping, pretraining) and normalisation
    /// (batchnorm, bn-smoothness, bn-noise, gamma-beta, exp-lr, norms, bn-spectrum).
    Experiment(experiment::ExperimentArgs),
    /// GD with η = 1/β against the descent lemma (decrease ≥ ‖∇f‖²/(2β) per step) and the
    /// convergence bound min‖∇f‖ ≤ √(2β(f(x₀) − f*)/(t + 1)); β exact on quadratics,
    /// given (--beta), or estimated along the path.
    Bounds(Box<bounds::BoundsArgs>),
    /// Draw a picture (PNG or SVG): slices of f, lines, spectra, bounds, traces, escape
    /// statistics.
    Plot(plot::PlotArgs),
    /// Render the gallery (PNG pictures and a README.md index) into a directory.
    Demo(demo::DemoArgs),
}

/// `--problem` and `--set`, shared by every command that works on one problem.
#[derive(Debug, Args)]
pub struct ProblemArgs {
    /// A spec file (TOML), the name of a shipped spec (see `landscape problems`), or
    /// `expr:<formula>`, a formula as a problem of kind `expression`, e.g.
    /// `'expr:(x^2 - 1)^2 + y^2'` (variables sorted by name unless `--set vars=[…]`).
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    pub problem: String,
    /// Override a spec field, e.g. `--set n=50 --set rank=3` (repeatable; values are
    /// TOML: numbers, `[1, 2]`, `"path.npy"`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
}

impl ProblemArgs {
    /// Loads the spec (with the overrides applied) without building it.
    pub fn load_spec(&self) -> Result<ProblemSpec> {
        problems::load_spec(&self.problem, &self.overrides)
            .map_err(|e| flag_names(e, &[("override", "--set")]))
    }

    /// Loads and builds the problem; once it is built, says on standard error which
    /// fields a `--set` made irrelevant and removed.
    pub fn load(&self) -> Result<(ProblemSpec, Box<dyn Objective>)> {
        let spec = self.load_spec()?;
        let f = problems::build(&spec).map_err(|e| flag_names(e, &[("override", "--set")]))?;
        note_replaced(&spec);
        Ok((spec, f))
    }
}

/// Says on standard error which fields of `spec` a `--set` made irrelevant and removed.
pub fn note_replaced(spec: &ProblemSpec) {
    for r in spec.replaced() {
        eprintln!(
            "note: --set {} replaces the spec's `{}`, which is dropped",
            r.by, r.field
        );
    }
}

/// `--method` of `spectrum` and `classify`: the library's [`Method`], parsed by clap.
#[derive(Clone, Copy, Debug)]
pub struct MethodArg(pub Method);

impl ValueEnum for MethodArg {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            MethodArg(Method::Auto),
            MethodArg(Method::Dense),
            MethodArg(Method::Lanczos),
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self.0 {
            Method::Auto => {
                "Dense when the reduced dimension is at most the dense threshold, else Lanczos"
            }
            Method::Dense => "Every eigenvalue of the assembled reduced Hessian",
            Method::Lanczos => "Matrix-free Lanczos for the extreme eigenpairs",
        };
        Some(PossibleValue::new(self.0.name()).help(help))
    }
}

impl std::fmt::Display for MethodArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Runs a parsed command line, writing its results to `out` (errors are returned, for
/// the caller to print on stderr).
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    landscape::verbose::set(cli.verbose);
    let result = match cli.command {
        Command::Problems(args) => problems_cmd::run(args, out),
        Command::Eval(args) => eval::run(args, out),
        Command::Export(args) => export::run(args, out),
        Command::Points(args) => points::run(args, out),
        Command::Layers(args) => layers::run(args, out),
        Command::Run(args) => run::run(*args, out),
        Command::Spectrum(args) => spectrum::run(args, out),
        Command::Classify(args) => classify::run(args, out),
        Command::Census(args) => census::run(args, out),
        Command::Escape(args) => escape::run(*args, out),
        Command::Experiment(args) => experiment::run(args, out),
        Command::Bounds(args) => bounds::run(*args, out),
        Command::Plot(args) => plot::run(args, out),
        Command::Demo(args) => demo::run(args, out),
        Command::Atlas(args) => atlas::run(args, out),
    };
    result.and_then(|()| out.flush().map_err(Error::Output))
}

/// The library's errors name option fields (`grad_tol`, `pgd.t_thres`); a command names
/// its flags. `flags` maps the command's fields to its flags' names (as its errors have
/// always spelled them); other errors pass through.
pub(crate) fn flag_names(e: Error, flags: &[(&str, &str)]) -> Error {
    rename_field(e, |field| {
        flags
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, flag)| flag.to_string())
    })
}

/// The one place an error's field becomes a flag: `rename` gives the new name of a field
/// (or `None` to keep it).
pub(crate) fn rename_field(e: Error, rename: impl Fn(&str) -> Option<String>) -> Error {
    match e {
        Error::InvalidField {
            field,
            expected,
            found,
        } => Error::InvalidField {
            field: rename(&field).unwrap_or(field),
            expected,
            found,
        },
        Error::InvalidHyperparameter {
            optimizer,
            name,
            expected,
            found,
        } => Error::InvalidHyperparameter {
            optimizer,
            name: rename(&name).unwrap_or(name),
            expected,
            found,
        },
        e => e,
    }
}

/// Writes a serde value as pretty JSON, a report object with its `provenance` (the tool
/// and the command line).
pub(crate) fn print_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    print_json_with(out, value, provenance())
}

/// [`print_json`] with the given provenance (the problem, start and seed added).
pub(crate) fn print_json_with<T: serde::Serialize>(
    out: &mut dyn Write,
    value: &T,
    provenance: Provenance,
) -> Result<()> {
    writeln!(out, "{}", json_text(value, provenance)).map_err(Error::Output)
}

/// A report as pretty JSON, its fields in their order and then `provenance` (a value
/// that is not an object, such as a list, is written as it is).
pub(crate) fn json_text<T: serde::Serialize>(value: &T, provenance: Provenance) -> String {
    #[derive(serde::Serialize)]
    struct WithProvenance<'a, T> {
        #[serde(flatten)]
        report: &'a T,
        provenance: Provenance,
    }
    let is_object =
        serde_json::to_value(value).is_ok_and(|v| v.is_object() && v.get("provenance").is_none());
    let text = if is_object {
        serde_json::to_string_pretty(&WithProvenance {
            report: value,
            provenance,
        })
    } else {
        serde_json::to_string_pretty(value)
    };
    text.expect("report structs serialise")
}

/// The provenance of this invocation: the tool and the command line.
pub(crate) fn provenance() -> Provenance {
    Provenance::new().command(std::env::args().skip(1).collect())
}
