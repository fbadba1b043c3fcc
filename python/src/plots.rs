//! The plot kinds of `landscape plot`, one function each, built from the library's
//! [`landscape::plot`] API with the command's options and defaults.
//!
//! Every function renders the picture in memory and returns `(bytes, format, note)`;
//! with `out` the bytes are also written there atomically (PNG or SVG by the
//! extension), without it they are PNG. The Python layer (`landscape.plot`) wraps them
//! in an `Image`. Inputs the command line reads from JSON files (trajectories, escape
//! and du2017 reports, censuses, bounds reports) come as `(name, text)`: the JSON (or
//! CSV) text and a name for errors, whose extension `.csv` picks CSV.

use std::path::{Path, PathBuf};

use landscape::atomic_file::write_atomic;
use landscape::error::Error;
use landscape::experiments::bounds::{bounds as bounds_of, BoundsOptions, BoundsReport};
use landscape::experiments::rate::{rate, RateOptions};
use landscape::objective::Objective;
use landscape::plot::bounds::{convergence_figure, descent_figure, rate_figure};
use landscape::plot::directions::{EigenPick, PlaneChoice};
use landscape::plot::escape::{check_comparable, EscapeDistribution};
use landscape::plot::inputs::{parse_census, parse_trajectories, parse_trajectory};
use landscape::plot::line::LineFigure;
use landscape::plot::reports::{parse_du2017_report, parse_escape_report};
use landscape::plot::slice::{SliceFigure, SliceOptions, SliceView};
use landscape::plot::spectrum::{spectrum_density, spectrum_histogram};
use landscape::plot::trace::TraceFigure;
use landscape::plot::{check_out_path, check_size, render, style, Figure, ImageFormat};
use landscape::point::{default_start, resolve_point};
use landscape::spectrum::DensityOptions;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::objective::PyObjective;
use crate::value_error;

/// A JSON (or CSV) input: a name for errors and the text.
type Source = (String, String);

/// What a plot function returns: the file's bytes, `"png"` or `"svg"`, and a note
/// (the spectrum's summary line) when there is one.
type Picture<'py> = (Bound<'py, PyBytes>, &'static str, Option<String>);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(plot_slice, m)?)?;
    m.add_function(wrap_pyfunction!(plot_line, m)?)?;
    m.add_function(wrap_pyfunction!(plot_spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(plot_trace, m)?)?;
    m.add_function(wrap_pyfunction!(plot_escape, m)?)?;
    m.add_function(wrap_pyfunction!(plot_bounds, m)?)?;
    m.add_function(wrap_pyfunction!(plot_rate, m)?)?;
    Ok(())
}

/// Where a picture goes, checked before any computation.
struct Output {
    out: Option<PathBuf>,
    format: ImageFormat,
    size: (u32, u32),
}

impl Output {
    fn new(out: Option<PathBuf>, width: Option<u32>, height: Option<u32>) -> PyResult<Self> {
        let size = (
            width.unwrap_or(style::DEFAULT_SIZE.0),
            height.unwrap_or(style::DEFAULT_SIZE.1),
        );
        let format = match &out {
            Some(path) => check_out_path(path).map_err(value_error)?,
            None => ImageFormat::Png,
        };
        check_size(size).map_err(value_error)?;
        Ok(Output { out, format, size })
    }

    /// Renders `figure`, writes it to `out` when given, and returns the bytes.
    fn emit<F: Figure + ?Sized>(&self, figure: &F) -> landscape::Result<Vec<u8>> {
        let bytes = render(figure, self.format, self.size)?;
        if let Some(path) = &self.out {
            write_atomic(path, |w| w.write_all(&bytes))?;
        }
        Ok(bytes)
    }

    fn picture<'py>(&self, py: Python<'py>, bytes: &[u8], note: Option<String>) -> Picture<'py> {
        let format = match self.format {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        };
        (PyBytes::new(py, bytes), format, note)
    }
}

/// A point given as an array, or as a string in any form the command line's points
/// take (`zeros`, `name:<known point>`, `random:<scale>:<seed>`, `init:<scheme>`, JSON,
/// a .json or .npy file).
fn point_arg(f: &PyObjective, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return resolve_point(&s.to_cow()?, f.inner.as_ref(), what).map_err(value_error);
    }
    f.point(obj, what)
}

fn pair(what: &str, values: Option<Vec<f64>>) -> PyResult<Option<(f64, f64)>> {
    match values.as_deref() {
        None => Ok(None),
        Some([low, high]) => Ok(Some((*low, *high))),
        Some(other) => Err(value_error(Error::invalid(
            what,
            "two numbers (low, high)",
            format!("{} numbers", other.len()),
        ))),
    }
}

/// f on a plane (`landscape plot slice`).
#[pyfunction]
#[pyo3(signature = (f, *, at=None, directions=None, seed=0, points=None, oblique=false,
    d1=None, d2=None, trajectory=Vec::new(), census=None, range=None, alpha=None, beta=None,
    resolution=None, contour=false, heatmap=false, surface=false, log_color=false,
    levels=None, title=None, out=None, width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_slice<'py>(
    py: Python<'py>,
    f: &PyObjective,
    at: Option<&Bound<'py, PyAny>>,
    directions: Option<String>,
    seed: u64,
    points: Option<Vec<Bound<'py, PyAny>>>,
    oblique: bool,
    d1: Option<&Bound<'py, PyAny>>,
    d2: Option<&Bound<'py, PyAny>>,
    trajectory: Vec<Source>,
    census: Option<Source>,
    range: Option<f64>,
    alpha: Option<Vec<f64>>,
    beta: Option<Vec<f64>>,
    resolution: Option<usize>,
    contour: bool,
    heatmap: bool,
    surface: bool,
    log_color: bool,
    levels: Option<usize>,
    title: Option<String>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    let defaults = SliceOptions::default();
    let resolution = resolution.unwrap_or(defaults.resolution);
    if !(2..=2000).contains(&resolution) {
        return Err(value_error(Error::invalid(
            "resolution",
            "2 to 2000 points per axis",
            resolution,
        )));
    }
    let views = [contour, heatmap, surface].iter().filter(|v| **v).count();
    if views > 1 {
        return Err(value_error(Error::invalid(
            "view",
            "at most one of contour, heatmap and surface",
            "more than one",
        )));
    }
    let dim = f.inner.dim();
    let mut paths = Vec::new();
    for (name, text) in &trajectory {
        let path = Path::new(name);
        for run in parse_trajectories(path, text).map_err(value_error)? {
            run.check_dimension(path, dim).map_err(value_error)?;
            let iterates: Vec<Vec<f64>> = run
                .iterates(path)
                .map_err(value_error)?
                .into_iter()
                .map(<[f64]>::to_vec)
                .collect();
            paths.push((run.name, iterates));
        }
    }
    let census = match &census {
        Some((name, text)) => {
            parse_census(Path::new(name), text, dim)
                .map_err(value_error)?
                .0
        }
        None => Vec::new(),
    };
    let explicit = d1.is_some() || d2.is_some();
    let kind = match (&directions, explicit) {
        (Some(kind), _) => Some(kind.as_str()),
        (None, true) => Some("explicit"),
        (None, false) if points.is_some() => Some("points"),
        (None, false) => None,
    };
    let choice = match kind {
        None => PlaneChoice::default_for(f.inner.as_ref()),
        Some("coordinates") => PlaneChoice::Coordinates,
        Some("hessian") => PlaneChoice::Hessian(EigenPick::Extremes),
        Some("random") => PlaneChoice::Random { seed },
        Some("pca") => {
            if paths.is_empty() {
                return Err(value_error(Error::invalid(
                    "directions",
                    "trajectories (trajectory=) for directions=\"pca\"",
                    "none",
                )));
            }
            PlaneChoice::Pca {
                iterates: paths
                    .iter()
                    .flat_map(|(_, xs)| xs.iter().cloned())
                    .collect(),
            }
        }
        Some("points") => {
            let given = points.unwrap_or_default();
            if given.len() != 3 {
                return Err(value_error(Error::invalid(
                    "points",
                    "three points (A, B, C)",
                    given.len(),
                )));
            }
            let p = |k: usize| point_arg(f, &given[k], &format!("point {}", k + 1));
            PlaneChoice::Points {
                points: [p(0)?, p(1)?, p(2)?],
                orthogonalise: !oblique,
            }
        }
        Some("explicit") => {
            let (Some(d1), Some(d2)) = (d1, d2) else {
                return Err(value_error(Error::invalid(
                    "directions",
                    "both d1 and d2 for explicit directions",
                    "one of them",
                )));
            };
            PlaneChoice::Explicit {
                d1: point_arg(f, d1, "direction d1")?,
                d2: point_arg(f, d2, "direction d2")?,
            }
        }
        Some(other) => {
            let bad = || {
                value_error(Error::invalid(
                    "directions",
                    "coordinates, hessian, hessian:I,J, random, pca, points or explicit",
                    format!("`{other}`"),
                ))
            };
            let (i, j) = other
                .strip_prefix("hessian:")
                .and_then(|s| s.split_once(','))
                .ok_or_else(bad)?;
            let parse = |s: &str| {
                s.trim().parse::<usize>().map_err(|_| {
                    value_error(Error::invalid(
                        "directions",
                        "hessian:I,J with 0-based indices",
                        other,
                    ))
                })
            };
            PlaneChoice::Hessian(EigenPick::Smallest(parse(i)?, parse(j)?))
        }
    };
    let x0 = match (at, &choice) {
        (Some(at), _) => point_arg(f, at, "centre (at)")?,
        (None, PlaneChoice::Pca { .. }) => {
            paths[0].1.last().expect("iterates are non-empty").clone()
        }
        (None, PlaneChoice::Points { points, .. }) => points[0].clone(),
        (None, _) => vec![0.0; dim],
    };
    let (alpha, beta) = match range {
        Some(r) if !(r.is_finite() && r > 0.0) => {
            return Err(value_error(Error::invalid(
                "range",
                "a finite positive half-width R",
                r,
            )))
        }
        Some(r) => (Some((-r, r)), Some((-r, r))),
        None => (pair("alpha", alpha)?, pair("beta", beta)?),
    };
    let view = if surface {
        SliceView::Surface
    } else if contour {
        SliceView::Contour
    } else if heatmap {
        SliceView::Heatmap
    } else {
        SliceView::HeatmapContour
    };
    let options = SliceOptions {
        alpha,
        beta,
        resolution,
        view,
        log_color,
        levels: levels.unwrap_or(defaults.levels),
        title,
        // A centre given by name is named and marked, as on the command line.
        centre: at
            .and_then(|o| o.cast::<PyString>().ok())
            .and_then(|s| s.to_cow().ok().map(|c| c.into_owned())),
    };
    let bytes = f.analyse(py, |f| {
        let plane = choice.plane(f, &x0)?;
        let mut builder = SliceFigure::builder(plane).with_census(&census);
        for (name, iterates) in &paths {
            builder = builder.with_trajectory(name.clone(), iterates);
        }
        output.emit(&builder.options(options).build(f)?)
    })?;
    Ok(output.picture(py, &bytes, None))
}

/// f along a direction or between two points (`landscape plot line`).
#[pyfunction]
#[pyo3(signature = (f, from_, *, direction=None, to=None, t=None, resolution=201, title=None,
    out=None, width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_line<'py>(
    py: Python<'py>,
    f: &PyObjective,
    from_: &Bound<'py, PyAny>,
    direction: Option<&Bound<'py, PyAny>>,
    to: Option<&Bound<'py, PyAny>>,
    t: Option<Vec<f64>>,
    resolution: usize,
    title: Option<String>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    if !(2..=100_000).contains(&resolution) {
        return Err(value_error(Error::invalid(
            "resolution",
            "2 to 100000 points",
            resolution,
        )));
    }
    let from = point_arg(f, from_, "from point")?;
    // Points given by name (`"name:eig:2"`) are named on the chart, as on the command line.
    let named = |obj: Option<&Bound<'py, PyAny>>| -> Option<String> {
        obj.and_then(|o| o.cast::<PyString>().ok())
            .and_then(|s| s.to_cow().ok().map(|c| c.into_owned()))
    };
    let (from_name, to_name) = (named(Some(from_)), named(to));
    let t = pair("t", t)?;
    let (d, along) = match (direction, to) {
        (Some(d), None) => (point_arg(f, d, "direction")?, true),
        (None, Some(to)) => (point_arg(f, to, "to point")?, false),
        _ => {
            return Err(value_error(Error::invalid(
                "direction",
                "exactly one of direction= and to=",
                if direction.is_some() {
                    "both"
                } else {
                    "neither"
                },
            )))
        }
    };
    let bytes = f.analyse(py, |f| {
        let mut figure = if along {
            LineFigure::along(f, &from, &d, t, resolution)?
        } else {
            LineFigure::between(f, &from, &d, t, resolution)?
        };
        if let Some(title) = title {
            figure.title = title;
        }
        figure.name_marks(&[from_name.as_deref(), to_name.as_deref()]);
        output.emit(&figure)
    })?;
    Ok(output.picture(py, &bytes, None))
}

/// The Hessian's eigenvalues as a histogram, or its spectral density
/// (`landscape plot spectrum`).
#[pyfunction]
#[pyo3(signature = (f, at, *, bins=40, density=false, probes=None, steps=None, seed=None,
    title=None, out=None, width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_spectrum<'py>(
    py: Python<'py>,
    f: &PyObjective,
    at: &Bound<'py, PyAny>,
    bins: usize,
    density: bool,
    probes: Option<usize>,
    steps: Option<usize>,
    seed: Option<u64>,
    title: Option<String>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    let named = at
        .cast::<PyString>()
        .map_or_else(|_| "the given point".to_string(), |s| s.to_string());
    let x = point_arg(f, at, "at")?;
    let title =
        title.unwrap_or_else(|| format!("Hessian spectrum of {} at {named}", f.inner.kind()));
    let d = DensityOptions::default();
    let opts = DensityOptions {
        probes: probes.unwrap_or(d.probes),
        steps: steps.unwrap_or(d.steps),
        seed: seed.unwrap_or(d.seed),
        ..d
    };
    let (bytes, note) = f.analyse(py, |f: &dyn Objective| {
        if density {
            let figure = spectrum_density(f, &x, &opts, title)?;
            Ok((output.emit(&figure)?, figure.note()))
        } else {
            let figure = spectrum_histogram(f, &x, bins, title)?;
            Ok((output.emit(&figure)?, figure.note()))
        }
    })?;
    Ok(output.picture(py, &bytes, Some(note)))
}

/// f and ‖∇f‖ against the iteration for several runs (`landscape plot trace`).
#[pyfunction]
#[pyo3(signature = (runs, *, names=Vec::new(), log_value=false,
    title="f and ‖∇f‖ along the runs".to_string(), out=None, width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_trace<'py>(
    py: Python<'py>,
    runs: Vec<Source>,
    names: Vec<String>,
    log_value: bool,
    title: String,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    if runs.is_empty() {
        return Err(value_error(Error::invalid(
            "runs",
            "at least one trajectory",
            "none",
        )));
    }
    if !names.is_empty() && names.len() != runs.len() {
        return Err(value_error(Error::invalid(
            "names",
            format!("one name per trajectory ({})", runs.len()),
            format!("{} names", names.len()),
        )));
    }
    let mut files = runs
        .iter()
        .map(|(name, text)| parse_trajectory(Path::new(name), text))
        .collect::<landscape::Result<Vec<_>>>()
        .map_err(value_error)?;
    for (run, name) in files.iter_mut().zip(names) {
        run.name = name;
    }
    let figure = TraceFigure {
        title,
        runs: files,
        log_value,
    };
    let bytes = py.detach(|| output.emit(&figure)).map_err(value_error)?;
    Ok(output.picture(py, &bytes, None))
}

/// Escape-iteration distributions per method, or Du et al.'s chart
/// (`landscape plot escape`).
#[pyfunction]
#[pyo3(signature = (reports, *, du2017=None, log_iters=false, title=None, out=None,
    width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_escape<'py>(
    py: Python<'py>,
    reports: Vec<Source>,
    du2017: Option<Source>,
    log_iters: bool,
    title: Option<String>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    let bytes = if let Some((name, text)) = du2017 {
        if !reports.is_empty() {
            return Err(value_error(Error::invalid(
                "du2017",
                "either escape reports or a du2017 report",
                "both",
            )));
        }
        let mut chart = parse_du2017_report(Path::new(&name), &text).map_err(value_error)?;
        chart.title = title
            .unwrap_or_else(|| "GD against perturbed GD on the octopus (Du et al. 2017)".into());
        py.detach(|| output.emit(&chart))
    } else {
        let methods = reports
            .iter()
            .map(|(name, text)| parse_escape_report(Path::new(name), text))
            .collect::<landscape::Result<Vec<_>>>()
            .map_err(value_error)?;
        if methods.is_empty() {
            return Err(value_error(Error::invalid(
                "reports",
                "at least one escape report",
                "none",
            )));
        }
        let names: Vec<String> = reports.iter().map(|(name, _)| name.clone()).collect();
        check_comparable(&methods, &names).map_err(value_error)?;
        let figure = EscapeDistribution {
            title: title
                .unwrap_or_else(|| "Escape from the saddle: fraction of trials escaped".into()),
            methods,
            log_iters,
        };
        py.detach(|| output.emit(&figure))
    }
    .map_err(value_error)?;
    Ok(output.picture(py, &bytes, None))
}

/// The start of a GD run with η = 1/β: `init`, or the command line's default.
fn init_point(f: &PyObjective, init: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<f64>> {
    match init {
        Some(init) => point_arg(f, init, "init"),
        None => resolve_point(default_start(f.inner.as_ref()), f.inner.as_ref(), "init")
            .map_err(value_error),
    }
}

/// The descent lemma (`kind = "descent"`, `landscape plot descent`) or the convergence
/// bound (`"convergence"`, `landscape plot convergence`) of GD with η = 1/β: from a
/// run on `f`, or from a bounds report (`report`, the JSON of `landscape bounds`).
#[pyfunction]
#[pyo3(signature = (kind, f=None, report=None, *, init=None, iters=None, beta=None,
    epsilon=None, out=None, width=None, height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_bounds<'py>(
    py: Python<'py>,
    kind: &str,
    f: Option<&PyObjective>,
    report: Option<Source>,
    init: Option<&Bound<'py, PyAny>>,
    iters: Option<usize>,
    beta: Option<f64>,
    epsilon: Option<f64>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    let report: BoundsReport = match (f, report) {
        (Some(f), None) => {
            let x0 = init_point(f, init)?;
            let opts = BoundsOptions {
                iters: iters.unwrap_or(BoundsOptions::default().iters),
                beta,
                epsilon,
                ..BoundsOptions::default()
            };
            f.analyse(py, move |f| bounds_of(f, &x0, &opts))?
        }
        (None, Some((name, text))) => serde_json::from_str(&text).map_err(|e| {
            value_error(Error::Parse {
                what: format!("bounds report `{name}`"),
                message: format!("{e} (expected the JSON of `landscape bounds --json`)"),
            })
        })?,
        _ => {
            return Err(value_error(Error::invalid(
                "report",
                "an objective or a bounds report",
                "neither or both",
            )))
        }
    };
    let bytes = py
        .detach(|| match kind {
            "descent" => output.emit(&descent_figure(&report)),
            _ => output.emit(&convergence_figure(&report)),
        })
        .map_err(value_error)?;
    Ok(output.picture(py, &bytes, None))
}

/// GD's linear rate on a positive definite quadratic (`landscape plot rate`).
#[pyfunction]
#[pyo3(signature = (f, *, init=None, iters=None, beta=None, lr=None, out=None, width=None,
    height=None))]
#[allow(clippy::too_many_arguments)]
fn plot_rate<'py>(
    py: Python<'py>,
    f: &PyObjective,
    init: Option<&Bound<'py, PyAny>>,
    iters: Option<usize>,
    beta: Option<f64>,
    lr: Option<f64>,
    out: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
) -> PyResult<Picture<'py>> {
    let output = Output::new(out, width, height)?;
    let x0 = init_point(f, init)?;
    let options = RateOptions {
        iters: iters.unwrap_or(BoundsOptions::default().iters),
        lr,
        beta,
    };
    let bytes = f.analyse(py, |f| output.emit(&rate_figure(&rate(f, &x0, &options)?)))?;
    Ok(output.picture(py, &bytes, None))
}
