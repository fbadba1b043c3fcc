//! The analyses: one Python function per command, keyword options named after the
//! library's option fields (the command's flags in snake_case), results with the
//! command's JSON field names.
//!
//! An option left as `None` takes the library's default, so the defaults live in one
//! place (the options structs' `Default`).

use landscape::census::{census as census_of, CensusOptions};
use landscape::classify::{classify as classify_at, ClassifyOptions};
use landscape::experiments::bounds::{bounds as bounds_of, BoundsOptions, EstimateOptions};
use landscape::experiments::escape::{
    check_saddle, escape as escape_from, EscapeMethod, EscapeOptions, SaddleScale,
};
use landscape::optim::{self, Clip, HyperparameterValue, Hyperparameters, RunOptions};
use landscape::spectrum::{
    hessian_spectrum, hutchinson_trace, spectral_density, DensityOptions, Method, SpectrumOptions,
};
use landscape::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::objective::PyObjective;
use crate::{report_to_py, value_error};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(density, m)?)?;
    m.add_function(wrap_pyfunction!(trace, m)?)?;
    m.add_function(wrap_pyfunction!(census, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(escape, m)?)?;
    m.add_function(wrap_pyfunction!(bounds, m)?)?;
    Ok(())
}

fn method(name: Option<&str>) -> PyResult<Method> {
    name.map_or(Ok(SpectrumOptions::default().method), |m| {
        m.parse().map_err(value_error)
    })
}

/// Keyword hyperparameters as the library's name → value map: bool, non-negative int,
/// float or str.
fn hyperparameters(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Hyperparameters> {
    let mut hp = Hyperparameters::new();
    let Some(kwargs) = kwargs else {
        return Ok(hp);
    };
    for (key, value) in kwargs.iter() {
        let name: String = key.extract()?;
        let v = if value.is_instance_of::<PyBool>() {
            HyperparameterValue::Bool(value.extract()?)
        } else if value.is_instance_of::<PyInt>() {
            match value.extract::<u64>() {
                Ok(n) => HyperparameterValue::Integer(n),
                Err(_) => HyperparameterValue::Float(value.extract()?),
            }
        } else if value.is_instance_of::<PyFloat>() {
            HyperparameterValue::Float(value.extract()?)
        } else if value.is_instance_of::<PyString>() {
            HyperparameterValue::Text(value.extract()?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "hyperparameter `{name}` is a {}, expected a number, a bool or a str",
                value.get_type().name()?
            )));
        };
        hp.set(&name, v);
    }
    Ok(hp)
}

/// The verdict at a point with its evidence (`landscape classify --json`): `kind`,
/// `value`, `optimum`, `grad_norm`, `lambda_min`, `lambda_max`, `negative`, `zero`,
/// `positive`, `symmetry_modes`, `method`, `tolerances`, `reason` and, when asked and
/// λmin < 0, `escape_direction`.
#[pyfunction]
#[pyo3(signature = (f, x, *, grad_tol=None, eig_tol=None, method=None, with_direction=false))]
fn classify<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x: &Bound<'py, PyAny>,
    grad_tol: Option<f64>,
    eig_tol: Option<f64>,
    method: Option<&str>,
    with_direction: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let x = f.point(x, "point")?;
    let opts = ClassifyOptions {
        grad_tol,
        eig_tol,
        spectrum: SpectrumOptions {
            method: self::method(method)?,
            ..SpectrumOptions::default()
        },
        with_direction,
    };
    let c = f.analyse(py, move |f| classify_at(f, &x, &opts))?;
    report_to_py(py, &c)
}

/// The Hessian spectrum at a point (`landscape spectrum --json`): the k extreme
/// eigenpairs of the reduced Hessian (every one when dense), with eigenvectors when
/// `with_vectors`; `which` = "both" (default), "smallest" or "largest" ends.
#[pyfunction]
#[pyo3(signature = (f, x, *, k=None, method=None, dense_threshold=None, tol=None,
    max_hvps=None, project_symmetries=true, seed=None, with_vectors=false, which=None))]
#[allow(clippy::too_many_arguments)]
fn spectrum<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x: &Bound<'py, PyAny>,
    k: Option<usize>,
    method: Option<&str>,
    dense_threshold: Option<usize>,
    tol: Option<f64>,
    max_hvps: Option<usize>,
    project_symmetries: bool,
    seed: Option<u64>,
    with_vectors: bool,
    which: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let x = f.point(x, "point")?;
    let d = SpectrumOptions::default();
    let dim = f.inner.dim();
    let k = k.unwrap_or(d.k.min(dim));
    if k == 0 || k > dim {
        return Err(value_error(Error::invalid(
            "k",
            format!("between 1 and the problem's dimension {dim}"),
            k,
        )));
    }
    let opts = SpectrumOptions {
        method: self::method(method)?,
        dense_threshold: dense_threshold.unwrap_or(d.dense_threshold),
        k,
        project_symmetries,
        tol: tol.unwrap_or(d.tol),
        max_hvps: max_hvps.unwrap_or(d.max_hvps),
        seed: seed.unwrap_or(d.seed),
        with_vectors,
        which: which.map_or(Ok(d.which), |w| w.parse().map_err(value_error))?,
    };
    let s = f.analyse(py, move |f| hessian_spectrum(f, &x, &opts))?;
    report_to_py(py, &s)
}

/// The spectral density of the reduced Hessian by stochastic Lanczos quadrature
/// (`landscape spectrum --density --json`).
#[pyfunction]
#[pyo3(signature = (f, x, *, probes=None, steps=None, width=None, points=None, seed=None,
    project_symmetries=true))]
#[allow(clippy::too_many_arguments)]
fn density<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x: &Bound<'py, PyAny>,
    probes: Option<usize>,
    steps: Option<usize>,
    width: Option<f64>,
    points: Option<usize>,
    seed: Option<u64>,
    project_symmetries: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let x = f.point(x, "point")?;
    let d = DensityOptions::default();
    let opts = DensityOptions {
        probes: probes.unwrap_or(d.probes),
        steps: steps.unwrap_or(d.steps),
        width: width.unwrap_or(d.width),
        points: points.unwrap_or(d.points),
        seed: seed.unwrap_or(d.seed),
        project_symmetries,
    };
    let density = f.analyse(py, move |f| spectral_density(f, &x, &opts))?;
    report_to_py(py, &density)
}

/// Hutchinson's estimate of the trace of the reduced Hessian: `estimate`, `std_error`,
/// `probes` (at least 2; defaults to the density's probe count).
#[pyfunction]
#[pyo3(signature = (f, x, *, probes=None, seed=0))]
fn trace<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x: &Bound<'py, PyAny>,
    probes: Option<usize>,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let x = f.point(x, "point")?;
    let probes = probes.unwrap_or(DensityOptions::default().probes);
    let t = f.analyse(py, move |f| hutchinson_trace(f, &x, probes, seed))?;
    report_to_py(py, &t)
}

/// The stationary points that seeded random starts lead to, deduplicated and classified
/// (`landscape census --json`). Starts run in parallel; with Python callbacks they take
/// turns holding the GIL.
#[pyfunction]
#[pyo3(signature = (f, *, starts=None, seed=None, scale=None, grad_tol=None,
    max_descent_iter=None, max_newton_steps=None, dedup_tol=None))]
#[allow(clippy::too_many_arguments)]
fn census<'py>(
    py: Python<'py>,
    f: &PyObjective,
    starts: Option<usize>,
    seed: Option<u64>,
    scale: Option<f64>,
    grad_tol: Option<f64>,
    max_descent_iter: Option<usize>,
    max_newton_steps: Option<usize>,
    dedup_tol: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = CensusOptions::default();
    let opts = CensusOptions {
        starts: starts.unwrap_or(d.starts),
        seed: seed.unwrap_or(d.seed),
        scale,
        grad_tol,
        max_descent_iter: max_descent_iter.unwrap_or(d.max_descent_iter),
        max_newton_steps: max_newton_steps.unwrap_or(d.max_newton_steps),
        dedup_tol: dedup_tol.unwrap_or(d.dedup_tol),
        classify: d.classify,
    };
    let c = f.analyse(py, move |f| census_of(f, &opts))?;
    report_to_py(py, &c)
}

/// An optimizer from `x0` (`landscape run --json`): `optimizer`, `hyperparameters`,
/// `records`, `final`, `termination` (and `events`). Hyperparameters are keywords
/// (`lr=0.01`, `momentum=0.9`, …); a name the optimizer does not take is an error.
#[pyfunction]
#[pyo3(signature = (f, x0, optimizer, *, max_iters=None, grad_tol=None, target=None,
    record_every=None, record_iterates=false, clip_norm=None, clip_value=None,
    classify_final=false, **hyperparameters))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x0: &Bound<'py, PyAny>,
    optimizer: &str,
    max_iters: Option<usize>,
    grad_tol: Option<f64>,
    target: Option<f64>,
    record_every: Option<usize>,
    record_iterates: bool,
    clip_norm: Option<f64>,
    clip_value: Option<f64>,
    classify_final: bool,
    hyperparameters: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut method =
        optim::build(optimizer, &self::hyperparameters(hyperparameters)?).map_err(value_error)?;
    let d = RunOptions::default();
    let options = RunOptions {
        max_iters: max_iters.unwrap_or(d.max_iters),
        grad_tol: grad_tol.unwrap_or(d.grad_tol),
        target,
        record_every: record_every.unwrap_or(d.record_every),
        record_iterates,
        clip: Clip {
            norm: clip_norm,
            value: clip_value,
        },
        ..d
    };
    let x0 = f.point(x0, "initial point")?;
    let trajectory = f.analyse(py, move |f| {
        let mut t = optim::run(f, method.as_mut(), &x0, &options)?;
        if classify_final {
            let verdict = classify_at(f, &t.final_state.x, &ClassifyOptions::default())?;
            t.final_state.classification = Some(verdict);
        }
        Ok(t)
    })?;
    report_to_py(py, &trajectory)
}

/// Saddle escape (`landscape escape --json`): `trials` seeded runs of `method` (gd,
/// noisy_gd or pgd) from the saddle `from_`; the method's hyperparameters are keywords.
/// Unless `force`, the start must be a saddle.
#[pyfunction]
#[pyo3(signature = (f, from_, method, *, trials=None, seed=None, start_radius=None, drop=None,
    max_iters=None, paths=None, force=false, **hyperparameters))]
#[allow(clippy::too_many_arguments)]
fn escape<'py>(
    py: Python<'py>,
    f: &PyObjective,
    from_: &Bound<'py, PyAny>,
    method: &str,
    trials: Option<usize>,
    seed: Option<u64>,
    start_radius: Option<f64>,
    drop: Option<f64>,
    max_iters: Option<usize>,
    paths: Option<usize>,
    force: bool,
    hyperparameters: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let hp = self::hyperparameters(hyperparameters)?;
    // Checked before any work: the method's name and the options' ranges.
    let d =
        EscapeOptions::new(EscapeMethod::from_hyperparameters(method, &hp).map_err(value_error)?);
    let options = EscapeOptions {
        trials: trials.unwrap_or(d.trials),
        seed: seed.unwrap_or(d.seed),
        start_radius: start_radius.unwrap_or(d.start_radius),
        drop,
        max_iters: max_iters.unwrap_or(d.max_iters),
        paths: paths.unwrap_or(d.paths),
        ..d
    };
    options.validate().map_err(value_error)?;
    let from = f.point(from_, "from")?;
    let name = method.to_string();
    let report = f.analyse(py, move |f| {
        let scale = if force {
            SaddleScale::at(f, &from)?
        } else {
            let c = check_saddle(f, &from)?;
            SaddleScale::of(&c, f.manifold().tangent_dim(f.dim()))
        };
        let options = EscapeOptions {
            method: EscapeMethod::at_saddle(&name, &hp, scale.as_ref())?,
            ..options
        };
        escape_from(f, &from, &options)
    })?;
    report_to_py(py, &report)
}

/// The descent lemma and the convergence bound of gradient descent with η = 1/β from
/// `x0` (`landscape bounds --json`).
#[pyfunction]
#[pyo3(signature = (f, x0, *, iters=None, beta=None, epsilon=None, tolerance=None,
    samples=None, max_rounds=None, seed=None))]
#[allow(clippy::too_many_arguments)]
fn bounds<'py>(
    py: Python<'py>,
    f: &PyObjective,
    x0: &Bound<'py, PyAny>,
    iters: Option<usize>,
    beta: Option<f64>,
    epsilon: Option<f64>,
    tolerance: Option<f64>,
    samples: Option<usize>,
    max_rounds: Option<usize>,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = BoundsOptions::default();
    let opts = BoundsOptions {
        iters: iters.unwrap_or(d.iters),
        beta,
        epsilon,
        tolerance: tolerance.unwrap_or(d.tolerance),
        estimate: EstimateOptions {
            samples: samples.unwrap_or(d.estimate.samples),
            max_rounds: max_rounds.unwrap_or(d.estimate.max_rounds),
            seed: seed.unwrap_or(d.estimate.seed),
        },
    };
    let x0 = f.point(x0, "x0")?;
    let report = f.analyse(py, move |f| bounds_of(f, &x0, &opts))?;
    report_to_py(py, &report)
}
