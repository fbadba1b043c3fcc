//! `landscape spectrum`: the eigenvalues of the (reduced) Hessian at a point, or its
//! spectral density.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use crate::error::{Error, Result};
use crate::point::resolve_point;
use crate::spectrum::{
    hessian_spectrum, spectral_density, Density, DensityOptions, Eigenpair, Method, Spectrum,
    SpectrumOptions,
};

/// Eigenpairs at each end when --k is not given (fewer on smaller problems).
const DEFAULT_K: usize = 6;

/// Arguments of `landscape spectrum`.
///
/// The Hessian is restricted to the reduced space: the tangent space of the problem's
/// manifold (the Riemannian Hessian on spheres) minus its declared symmetry directions.
#[derive(Debug, Args)]
pub struct SpectrumArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`, an inline JSON
    /// array, or a .json (array or {"x": [...]}) or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Eigenpairs reported with residuals at each end (smallest and largest), between 1
    /// and the problem's dimension [default: 6, or the dimension if smaller].
    #[arg(long)]
    k: Option<usize>,
    /// `dense`: every eigenvalue of the assembled Hessian; `lanczos`: matrix-free, the k
    /// extreme pairs; `auto`: dense up to --dense-threshold, Lanczos above.
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
    /// Largest reduced dimension for which `auto` picks dense.
    #[arg(long, default_value_t = 1000)]
    dense_threshold: usize,
    /// Lanczos convergence: ‖Hv − λv‖ ≤ tol·‖H‖ (finite, positive).
    #[arg(long, default_value_t = 1e-8)]
    tol: f64,
    /// Lanczos cap on Hessian-vector products.
    #[arg(long, default_value_t = 20_000)]
    max_hvps: usize,
    /// Keep the symmetry directions instead of projecting them out.
    #[arg(long)]
    no_symmetry_projection: bool,
    /// Print the spectral density (stochastic Lanczos quadrature) instead.
    #[arg(long)]
    density: bool,
    /// Density: number of Rademacher probes.
    #[arg(long, default_value_t = 8)]
    probes: usize,
    /// Density: Lanczos steps per probe.
    #[arg(long, default_value_t = 80)]
    steps: usize,
    /// Density: Gaussian smoothing width as a fraction of the spectrum's spread.
    #[arg(long, default_value_t = 0.01)]
    width: f64,
    /// Density: number of grid points.
    #[arg(long, default_value_t = 400)]
    points: usize,
    /// Seed of the Lanczos start vector and of the density's probes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON: the library's `Spectrum` (`method`, `reduced_dim`, `symmetry_modes`,
    /// `eigenvalues`, `smallest`/`largest` with `value` and `residual`, `converged`,
    /// `hvp_count`, …) or, with --density, its `Density` (`grid`, `density`, `sigma`,
    /// `nodes`, `weights`, …).
    #[arg(long)]
    json: bool,
}

/// Computes and prints.
pub fn run(args: SpectrumArgs, out: &mut dyn Write) -> Result<()> {
    let (_, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    if args.density {
        let opts = DensityOptions {
            probes: args.probes,
            steps: args.steps,
            width: args.width,
            points: args.points,
            seed: args.seed,
            project_symmetries: !args.no_symmetry_projection,
        };
        let density = spectral_density(f.as_ref(), &x, &opts).map_err(flag_names)?;
        return if args.json {
            super::print_json(out, &density)
        } else {
            print_density(out, f.kind(), &density)
        };
    }
    let k = args.k.unwrap_or(DEFAULT_K.min(f.dim()));
    if k == 0 || k > f.dim() {
        return Err(Error::invalid(
            "--k",
            format!("between 1 and the problem's dimension {}", f.dim()),
            k,
        ));
    }
    let opts = SpectrumOptions {
        method: args.method,
        dense_threshold: args.dense_threshold,
        k,
        project_symmetries: !args.no_symmetry_projection,
        tol: args.tol,
        max_hvps: args.max_hvps,
        seed: args.seed,
        with_vectors: false,
    };
    let spectrum = hessian_spectrum(f.as_ref(), &x, &opts).map_err(flag_names)?;
    if args.json {
        super::print_json(out, &spectrum)
    } else {
        print_spectrum(out, f.kind(), &spectrum)
    }
}

/// Library option names → the command's flags, in errors.
fn flag_names(e: Error) -> Error {
    match e {
        Error::InvalidField {
            field,
            expected,
            found,
        } if !field.starts_with("--") && field != "point" => Error::InvalidField {
            field: format!("--{}", field.replace('_', "-")),
            expected,
            found,
        },
        e => e,
    }
}

fn print_spectrum(out: &mut dyn Write, kind: &str, s: &Spectrum) -> Result<()> {
    let method = if s.method == Method::Dense {
        "dense"
    } else {
        "lanczos"
    };
    writeln!(
        out,
        "{kind}: {method}, reduced dimension {} (ambient {}, symmetry modes {}{}), {}, {} HVPs, ‖H‖ ≈ {:.6e}",
        s.reduced_dim,
        s.ambient_dim,
        s.symmetry_modes,
        if s.symmetry_projected { "" } else { ", symmetries not projected" },
        if s.converged { "converged" } else { "NOT converged" },
        s.hvp_count,
        s.hessian_norm
    )?;
    if s.complete {
        writeln!(out, "eigenvalues (all {}, ascending):", s.eigenvalues.len())?;
        for row in s.eigenvalues.chunks(6) {
            let row: Vec<String> = row.iter().map(|v| format!("{v:>14.6e}")).collect();
            writeln!(out, "{}", row.join(" "))?;
        }
    }
    print_pairs(out, "smallest", &s.smallest)?;
    print_pairs(out, "largest", &s.largest)
}

fn print_pairs(out: &mut dyn Write, title: &str, pairs: &[Eigenpair]) -> Result<()> {
    writeln!(
        out,
        "{title} {}: {:>20} {:>12}",
        pairs.len(),
        "eigenvalue",
        "residual"
    )?;
    for (i, p) in pairs.iter().enumerate() {
        writeln!(
            out,
            "{:>12} {:>20.12e} {:>12.3e}",
            i + 1,
            p.value,
            p.residual
        )?;
    }
    Ok(())
}

/// A table of the density averaged over a few bands, with a bar per band.
fn print_density(out: &mut dyn Write, kind: &str, d: &Density) -> Result<()> {
    const BANDS: usize = 24;
    const BAR: usize = 50;
    writeln!(
        out,
        "{kind}: spectral density, reduced dimension {}, {} probes × {} Lanczos steps, σ = {:.3e}, {} HVPs",
        d.reduced_dim, d.probes, d.steps, d.sigma, d.hvp_count
    )?;
    let per_band = d.grid.len().div_ceil(BANDS);
    let bands: Vec<(f64, f64, f64)> = d
        .grid
        .chunks(per_band)
        .zip(d.density.chunks(per_band))
        .map(|(t, phi)| {
            let mean = phi.iter().sum::<f64>() / phi.len() as f64;
            (t[0], t[t.len() - 1], mean)
        })
        .collect();
    let top = bands.iter().fold(0.0_f64, |m, b| m.max(b.2));
    writeln!(out, "{:>14} {:>14} {:>12}", "from", "to", "density")?;
    for (lo, hi, mean) in bands {
        let bar = if top > 0.0 {
            (mean / top * BAR as f64).round() as usize
        } else {
            0
        };
        writeln!(
            out,
            "{lo:>14.6e} {hi:>14.6e} {mean:>12.4e} {}",
            "#".repeat(bar)
        )?;
    }
    Ok(())
}
