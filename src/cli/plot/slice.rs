//! `landscape plot slice`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::OutputArgs;
use crate::cli::ProblemArgs;
use landscape::error::{Error, Result};
use landscape::objective::Objective;
use landscape::plot::directions::{EigenPick, PlaneChoice};
use landscape::plot::inputs::{check_problem, read_census, read_trajectories};
use landscape::plot::slice::{SliceFigure, SliceOptions, SliceView};
use landscape::point::resolve_point;

/// Arguments of `landscape plot slice`.
#[derive(Debug, Args)]
pub struct SliceArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The centre x₀ (a point: zeros, name:<point>, random:<scale>:<seed>, init:<scheme>[:<seed>], JSON, .json,
    /// .npy); defaults to zeros, or with --directions pca to the final iterate of the
    /// first trajectory (Li et al. 2018).
    #[arg(long, value_name = "X")]
    at: Option<String>,
    /// The plane: coordinates (e₁, e₂; the default on 2-D problems), hessian
    /// (eigenvectors of λmin and λmax at x₀; the default otherwise), hessian:I,J (the
    /// I-th and J-th smallest, 0-based), random (filter-normalised, --seed), pca (of
    /// the --trajectory iterates), points (through --points A B C), or explicit
    /// (--d1, --d2).
    #[arg(long, value_name = "KIND")]
    directions: Option<String>,
    /// Seed of random directions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Three points for --directions points (x₀ = A, d₁ = B − A, d₂ = C − A).
    #[arg(long, num_args = 3, value_names = ["A", "B", "C"])]
    points: Vec<String>,
    /// With --directions points: keep d₂ = C − A as is instead of making it
    /// perpendicular to d₁.
    #[arg(long)]
    oblique: bool,
    /// First explicit direction (a vector, as a point).
    #[arg(long, value_name = "D")]
    d1: Option<String>,
    /// Second explicit direction.
    #[arg(long, value_name = "D")]
    d2: Option<String>,
    /// Trajectory files to overlay (repeatable): `run --record-iterates` output (JSON or
    /// CSV), or an `escape --paths K --json` report (its K recorded trials).
    #[arg(long, value_name = "FILE")]
    trajectory: Vec<PathBuf>,
    /// A `census --json` file whose points are marked by verdict.
    #[arg(long, value_name = "FILE")]
    census: Option<PathBuf>,
    /// Both ranges [−R, R].
    #[arg(long, value_name = "R", conflicts_with_all = ["alpha", "beta"])]
    range: Option<f64>,
    /// The α range LOW,HIGH (default: covering the paths and points).
    #[arg(
        long,
        value_name = "LOW,HIGH",
        value_delimiter = ',',
        num_args = 1,
        allow_hyphen_values = true
    )]
    alpha: Option<Vec<f64>>,
    /// The β range LOW,HIGH.
    #[arg(
        long,
        value_name = "LOW,HIGH",
        value_delimiter = ',',
        num_args = 1,
        allow_hyphen_values = true
    )]
    beta: Option<Vec<f64>>,
    /// Grid points per axis.
    #[arg(long, default_value_t = SliceOptions::default().resolution)]
    resolution: usize,
    /// Contour lines only.
    #[arg(long, conflicts_with_all = ["heatmap", "surface"])]
    contour: bool,
    /// Heatmap only (no contour lines).
    #[arg(long, conflicts_with = "surface")]
    heatmap: bool,
    /// A 3-D surface view.
    #[arg(long)]
    surface: bool,
    /// Colour by log₁₀(f − f_min + ε) (narrow valleys, e.g. Rosenbrock).
    #[arg(long)]
    log_color: bool,
    /// Number of contour levels.
    #[arg(long, default_value_t = SliceOptions::default().levels)]
    levels: usize,
    /// The title (default: names the plane).
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `landscape plot slice`.
pub fn run(args: SliceArgs, out: &mut dyn Write) -> Result<()> {
    args.output.check()?;
    if args.resolution < 2 || args.resolution > 2000 {
        return Err(Error::invalid(
            "resolution",
            "2 to 2000 points per axis",
            args.resolution,
        ));
    }
    let (spec, f) = args.problem.load()?;
    let f = f.as_ref();
    let mut paths = Vec::new();
    for path in &args.trajectory {
        for run in read_trajectories(path)? {
            check_problem("trajectory", path, run.problem.as_ref(), &spec)?;
            run.check_dimension(path, f.dim())?;
            let iterates: Vec<Vec<f64>> = run
                .iterates(path)?
                .into_iter()
                .map(<[f64]>::to_vec)
                .collect();
            paths.push((run.name, iterates));
        }
    }
    let census = match &args.census {
        Some(path) => {
            let (points, problem) = read_census(path, f.dim())?;
            check_problem("census", path, problem.as_ref(), &spec)?;
            points
        }
        None => Vec::new(),
    };
    let choice = plane_choice(&args, f, &paths)?;
    let x0 = match (&args.at, &choice) {
        (Some(at), _) => resolve_point(at, f, "centre (--at)")?,
        (None, PlaneChoice::Pca { .. }) => {
            paths[0].1.last().expect("iterates are non-empty").clone()
        }
        (None, PlaneChoice::Points { points, .. }) => points[0].clone(),
        (None, _) => vec![0.0; f.dim()],
    };
    let plane = choice.plane(f, &x0)?;
    let (alpha, beta) = ranges(&args)?;
    let view = if args.surface {
        SliceView::Surface
    } else if args.contour {
        SliceView::Contour
    } else if args.heatmap {
        SliceView::Heatmap
    } else {
        SliceView::HeatmapContour
    };
    let mut builder = SliceFigure::builder(plane).with_census(&census);
    for (name, iterates) in &paths {
        builder = builder.with_trajectory(name.clone(), iterates);
    }
    let figure = builder
        .options(SliceOptions {
            alpha,
            beta,
            resolution: args.resolution,
            view,
            log_color: args.log_color,
            levels: args.levels,
            title: args.title.clone(),
            centre: args.at.clone(),
        })
        .build(f)?;
    args.output.save(&figure, out)
}

type Range = Option<(f64, f64)>;

fn ranges(args: &SliceArgs) -> Result<(Range, Range)> {
    if let Some(r) = args.range {
        if !(r.is_finite() && r > 0.0 && (2.0 * r).is_finite()) {
            return Err(Error::invalid(
                "range",
                "a positive half-width R with a finite width 2R (R ≤ 8.9e307)",
                r,
            ));
        }
        return Ok((Some((-r, r)), Some((-r, r))));
    }
    Ok((pair("alpha", &args.alpha)?, pair("beta", &args.beta)?))
}

/// A LOW,HIGH option as a pair.
pub(super) fn pair(what: &str, values: &Option<Vec<f64>>) -> Result<Range> {
    match values.as_deref() {
        None => Ok(None),
        Some([low, high]) => Ok(Some((*low, *high))),
        Some(other) => Err(Error::invalid(
            what,
            "two numbers LOW,HIGH",
            format!("{} numbers", other.len()),
        )),
    }
}

fn plane_choice(
    args: &SliceArgs,
    f: &dyn Objective,
    paths: &[(String, Vec<Vec<f64>>)],
) -> Result<PlaneChoice> {
    const EXPECTED: &str = "coordinates, hessian, hessian:I,J, random, pca, points or explicit";
    let explicit = args.d1.is_some() || args.d2.is_some();
    let kind = match (&args.directions, explicit) {
        // --d1/--d2 with another plane would be ignored: refused instead.
        (Some(kind), true) if kind != "explicit" => {
            return Err(Error::invalid(
                "directions",
                "explicit (or no --directions) with --d1 and --d2",
                kind,
            ));
        }
        (Some(kind), _) => kind.as_str(),
        (None, true) => "explicit",
        (None, false) if !args.points.is_empty() => "points",
        (None, false) => return Ok(PlaneChoice::default_for(f)),
    };
    Ok(match kind {
        "coordinates" => PlaneChoice::Coordinates,
        "hessian" => PlaneChoice::Hessian(EigenPick::Extremes),
        "random" => PlaneChoice::Random { seed: args.seed },
        "pca" => {
            if paths.is_empty() {
                return Err(Error::invalid(
                    "directions",
                    "--trajectory files for --directions pca",
                    "none",
                ));
            }
            PlaneChoice::Pca {
                iterates: paths
                    .iter()
                    .flat_map(|(_, xs)| xs.iter().cloned())
                    .collect(),
            }
        }
        "points" => {
            if args.points.len() != 3 {
                return Err(Error::invalid(
                    "points",
                    "three points --points A B C",
                    args.points.len(),
                ));
            }
            let p = |k: usize| resolve_point(&args.points[k], f, &format!("point {}", k + 1));
            PlaneChoice::Points {
                points: [p(0)?, p(1)?, p(2)?],
                orthogonalise: !args.oblique,
            }
        }
        "explicit" => {
            let (Some(d1), Some(d2)) = (&args.d1, &args.d2) else {
                return Err(Error::invalid(
                    "directions",
                    "both --d1 and --d2 for explicit directions",
                    "one of them",
                ));
            };
            PlaneChoice::Explicit {
                d1: resolve_point(d1, f, "direction d1")?,
                d2: resolve_point(d2, f, "direction d2")?,
            }
        }
        other => match other
            .strip_prefix("hessian:")
            .and_then(|s| s.split_once(','))
        {
            Some((i, j)) => {
                let parse = |s: &str| {
                    s.trim().parse::<usize>().map_err(|_| {
                        Error::invalid("directions", "hessian:I,J with 0-based indices", other)
                    })
                };
                PlaneChoice::Hessian(EigenPick::Smallest(parse(i)?, parse(j)?))
            }
            None => return Err(Error::invalid("directions", EXPECTED, format!("`{other}`"))),
        },
    })
}
