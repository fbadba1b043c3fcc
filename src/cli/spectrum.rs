//! `landscape spectrum`: the eigenvalues of the (reduced) Hessian at a point (with
//! eigenvectors on request), its spectral density, or Hutchinson's estimate of its
//! trace.

use std::io::Write;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Args, ValueEnum};

use super::eval::median_seconds;
use super::{MethodArg, ProblemArgs};
use landscape::display::short;
use landscape::error::{Error, Result};
use landscape::linalg::{symmetric_eigen, symmetric_eigen_selected, symmetric_eigenvalues_of};
use landscape::objective::Objective;
use landscape::point::resolve_point;
use landscape::provenance::Provenance;
use landscape::spectrum::{
    dense_matrix, hessian_spectrum, reported_indices, spectral_density, trace_of, DensityOptions,
    Method, ReducedSpace, SpectrumOptions, TraceEstimate, Which,
};
use serde::Serialize;

/// Arguments of `landscape spectrum`.
///
/// The Hessian is restricted to the reduced space: the tangent space of the problem's
/// manifold (the Riemannian Hessian on spheres) minus its declared symmetry directions.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("estimator").args(["density", "trace"])))]
pub struct SpectrumArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON
    /// array, or a .json (array or {"x": [...]}) or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Eigenpairs reported with residuals at each end (smallest and largest), between 1
    /// and the problem's dimension [default: 6, or the dimension if smaller].
    #[arg(long, conflicts_with_all = ["density", "trace"])]
    k: Option<usize>,
    /// `dense`: every eigenvalue of the assembled Hessian; `lanczos`: matrix-free, the k
    /// extreme pairs; `auto`: dense up to --dense-threshold, Lanczos above.
    #[arg(long, conflicts_with_all = ["density", "trace"], value_enum, default_value_t = MethodArg(SpectrumOptions::default().method))]
    method: MethodArg,
    /// The ends reported: `both`, or only the k `smallest` or the k `largest` pairs
    /// (Lanczos then converges only those; the top-k of a Hessian, as PyHessian's power
    /// iteration gives them, are `largest` when its positive end dominates).
    #[arg(long, conflicts_with_all = ["density", "trace"], value_enum, default_value_t = WhichArg(Which::Both))]
    which: WhichArg,
    /// Largest reduced dimension for which `auto` picks dense.
    #[arg(long, conflicts_with_all = ["density", "trace"], default_value_t = SpectrumOptions::default().dense_threshold)]
    dense_threshold: usize,
    /// Lanczos convergence: ‖Hv − λv‖ ≤ tol·‖H‖ (finite, positive).
    #[arg(long, conflicts_with_all = ["density", "trace"], default_value_t = SpectrumOptions::default().tol)]
    tol: f64,
    /// Lanczos cap on Hessian-vector products.
    #[arg(long, conflicts_with_all = ["density", "trace"], default_value_t = SpectrumOptions::default().max_hvps)]
    max_hvps: usize,
    /// Keep the symmetry directions instead of projecting them out.
    #[arg(long)]
    no_symmetry_projection: bool,
    /// With --json: each reported eigenpair (`smallest`, `largest`) carries its unit
    /// eigenvector `vector`, in the problem's coordinates (length the problem's
    /// dimension), lying in the reduced space.
    #[arg(long, conflicts_with_all = ["density", "trace"])]
    vectors: bool,
    /// With --method dense: time N runs of each stage after one warm-up and print the
    /// median seconds instead of the spectrum: the assembly of the reduced Hessian from
    /// HVPs, its eigensolve as the spectrum does it (every eigenvalue, the --k pairs at
    /// each end), the eigenvalues alone, every eigenpair, and the whole spectrum.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with_all = ["density", "trace"])]
    repeat: Option<u32>,
    /// Print the spectral density (stochastic Lanczos quadrature) instead.
    #[arg(long, conflicts_with = "trace")]
    density: bool,
    /// Print Hutchinson's estimate of tr(H) on the reduced space instead: the mean of
    /// zᵀHz over --probes Rademacher probes z (projected onto the reduced space), with
    /// its standard error (sample standard deviation / √probes). One HVP per probe.
    #[arg(long)]
    trace: bool,
    /// Density and trace: number of Rademacher probes [default: 8 for the density,
    /// 100 for the trace, which needs at least 2].
    #[arg(long, requires = "estimator")]
    probes: Option<usize>,
    /// Density: Lanczos steps per probe.
    #[arg(long, requires = "density", default_value_t = DensityOptions::default().steps)]
    steps: usize,
    /// Density: Gaussian smoothing width as a fraction of the spectrum's spread.
    #[arg(long, requires = "density", default_value_t = DensityOptions::default().width)]
    width: f64,
    /// Density: number of grid points.
    #[arg(long, requires = "density", default_value_t = DensityOptions::default().points)]
    points: usize,
    /// Seed of the Lanczos start vector and of the density's and trace's probes.
    #[arg(long, default_value_t = SpectrumOptions::default().seed)]
    seed: u64,
    /// Print JSON: the library's `Spectrum` (`method`, `reduced_dim`, `symmetry_modes`,
    /// `eigenvalues`, `smallest`/`largest` with `value` and `residual`, `converged`,
    /// `hvp_count`, …) or, with --density, its `Density` (`grid`, `density`, `sigma`,
    /// `nodes`, `weights`, …), or with --trace `estimate`, `std_error`, `probes` and
    /// `reduced_dim`.
    #[arg(long)]
    json: bool,
}

/// Computes and prints.
pub fn run(args: SpectrumArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let provenance = super::provenance()
        .problem(&spec)
        .start(&args.point)
        .seed(args.seed);
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    if args.density {
        let opts = DensityOptions {
            probes: args.probes.unwrap_or(DensityOptions::default().probes),
            steps: args.steps,
            width: args.width,
            points: args.points,
            seed: args.seed,
            project_symmetries: !args.no_symmetry_projection,
        };
        let density = spectral_density(f.as_ref(), &x, &opts).map_err(flag_names)?;
        return if args.json {
            super::print_json_with(out, &density, provenance)
        } else {
            write!(out, "{}: {density}", f.kind()).map_err(Error::Output)
        };
    }
    if args.trace {
        return trace(&args, f.as_ref(), &x, provenance, out);
    }
    let k = args.k.unwrap_or(SpectrumOptions::default().k.min(f.dim()));
    if k == 0 || k > f.dim() {
        return Err(Error::invalid(
            "--k",
            format!("between 1 and the problem's dimension {}", f.dim()),
            k,
        ));
    }
    let opts = SpectrumOptions {
        method: args.method.0,
        dense_threshold: args.dense_threshold,
        k,
        project_symmetries: !args.no_symmetry_projection,
        tol: args.tol,
        max_hvps: args.max_hvps,
        seed: args.seed,
        with_vectors: args.vectors,
        which: args.which.0,
    };
    if let Some(repeat) = args.repeat {
        if opts.method != Method::Dense {
            return Err(Error::invalid(
                "--repeat",
                "--method dense",
                "another method",
            ));
        }
        let timing = dense_timing(f.as_ref(), &x, &opts, repeat).map_err(flag_names)?;
        return if args.json {
            super::print_json_with(out, &timing, provenance)
        } else {
            writeln!(out, "{}: {timing}", f.kind()).map_err(Error::Output)
        };
    }
    let spectrum = hessian_spectrum(f.as_ref(), &x, &opts).map_err(flag_names)?;
    if args.json {
        super::print_json_with(out, &spectrum, provenance)
    } else {
        write!(out, "{}: {spectrum}", f.kind()).map_err(Error::Output)?;
        if args.vectors {
            writeln!(out, "(eigenvectors: in the --json output)").map_err(Error::Output)?;
        }
        Ok(())
    }
}

/// `spectrum --method dense --repeat`: median wall seconds of the dense path's stages,
/// measured in this process.
#[derive(Serialize)]
struct DenseTiming {
    reduced_dim: usize,
    k: usize,
    repeat: u32,
    /// The reduced Hessian assembled from `reduced_dim` HVPs (in parallel).
    assembly_seconds: f64,
    /// Its eigensolve as the spectrum does it: every eigenvalue, k pairs at each end.
    eigensolve_seconds: f64,
    /// The eigenvalues alone.
    eigenvalues_seconds: f64,
    /// Every eigenvalue and eigenvector.
    eigenpairs_seconds: f64,
    /// The whole `hessian_spectrum` call (reduced space, assembly, eigensolve, residuals).
    spectrum_seconds: f64,
}

impl std::fmt::Display for DenseTiming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |s: f64| format!("{:.2} ms", s * 1e3);
        write!(
            f,
            "dense path at reduced dimension {}, medians of {}: assembly {}, eigensolve \
             ({} pairs at each end) {}, eigenvalues alone {}, every pair {}, whole spectrum {}",
            self.reduced_dim,
            self.repeat,
            ms(self.assembly_seconds),
            self.k,
            ms(self.eigensolve_seconds),
            ms(self.eigenvalues_seconds),
            ms(self.eigenpairs_seconds),
            ms(self.spectrum_seconds)
        )
    }
}

fn dense_timing(
    f: &dyn Objective,
    x: &[f64],
    opts: &SpectrumOptions,
    repeat: u32,
) -> Result<DenseTiming> {
    let space = ReducedSpace::new(f, x, opts.project_symmetries)?;
    let mut h = dense_matrix(&space);
    let assembly_seconds = median_seconds(repeat, || h = dense_matrix(&space));
    let n = h.nrows();
    let k = opts.k.min(n);
    let wanted = reported_indices(n, k);
    // Once for the errors, then timed.
    hessian_spectrum(f, x, opts)?;
    let mut ok = true;
    let mut time = |call: &mut dyn FnMut() -> bool| median_seconds(repeat, || ok &= call());
    let eigensolve_seconds = time(&mut || symmetric_eigen_selected(&h, &wanted).is_ok());
    let eigenvalues_seconds = time(&mut || symmetric_eigenvalues_of(&h).is_ok());
    let eigenpairs_seconds = time(&mut || symmetric_eigen(&h).is_ok());
    let spectrum_seconds = time(&mut || hessian_spectrum(f, x, opts).is_ok());
    if !ok {
        return Err(Error::Numerical {
            what: "dense symmetric eigensolver".to_string(),
            message: "failed on a timed run".to_string(),
        });
    }
    Ok(DenseTiming {
        reduced_dim: n,
        k,
        repeat,
        assembly_seconds,
        eigensolve_seconds,
        eigenvalues_seconds,
        eigenpairs_seconds,
        spectrum_seconds,
    })
}

/// The trace's default number of probes: 100 HVPs, a standard error of about a tenth of
/// the per-probe spread.
const TRACE_PROBES: usize = 100;

/// Hutchinson's trace estimate, the JSON of `spectrum --trace`.
#[derive(Serialize)]
struct TraceReport {
    #[serde(flatten)]
    estimate: TraceEstimate,
    /// Dimension of the space the trace is over.
    reduced_dim: usize,
    /// Whether the symmetry directions were projected out.
    symmetry_projection: bool,
}

fn trace(
    args: &SpectrumArgs,
    f: &dyn Objective,
    x: &[f64],
    provenance: Provenance,
    out: &mut dyn Write,
) -> Result<()> {
    let space = ReducedSpace::new(f, x, !args.no_symmetry_projection)?;
    let estimate =
        trace_of(&space, args.probes.unwrap_or(TRACE_PROBES), args.seed).map_err(flag_names)?;
    let report = TraceReport {
        estimate,
        reduced_dim: space.reduced_dim(),
        symmetry_projection: !args.no_symmetry_projection,
    };
    if args.json {
        return super::print_json_with(out, &report, provenance);
    }
    let e = &report.estimate;
    writeln!(
        out,
        "{}: tr(H) ≈ {} ± {} (Hutchinson, {} Rademacher probes, reduced dimension {})",
        f.kind(),
        short(e.estimate),
        short(e.std_error),
        e.probes,
        report.reduced_dim
    )
    .map_err(Error::Output)
}

/// Library option names → the command's flags (`max_hvps` → `--max-hvps`), in errors.
fn flag_names(e: Error) -> Error {
    super::rename_field(e, |field| {
        (!field.starts_with("--") && field != "point")
            .then(|| format!("--{}", field.replace('_', "-")))
    })
}

/// `--which` of `spectrum`: the library's [`Which`], parsed by clap.
#[derive(Clone, Copy, Debug)]
struct WhichArg(Which);

impl ValueEnum for WhichArg {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            WhichArg(Which::Both),
            WhichArg(Which::Smallest),
            WhichArg(Which::Largest),
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self.0 {
            Which::Both => "The k smallest and the k largest pairs",
            Which::Smallest => "The k smallest pairs only",
            Which::Largest => "The k largest pairs only",
        };
        Some(PossibleValue::new(self.0.name()).help(help))
    }
}

impl std::fmt::Display for WhichArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
