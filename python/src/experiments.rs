//! The experiments of `landscape experiment NAME --json`, one function each, keyword
//! options named after the command's flags in snake_case, results with its JSON fields.
//! They run with the GIL released, in parallel over trials as on the command line.

use landscape::error::Error;
use landscape::experiments::atlas::{atlas as atlas_of, AtlasOptions, Subject};
use landscape::experiments::du2017::{du2017, Du2017Options, PgdSettings};
use landscape::experiments::kawaguchi::{kawaguchi, KawaguchiOptions};
use landscape::experiments::safran_shamir::{safran_shamir, SafranShamirOptions};
use pyo3::prelude::*;

use crate::{report_to_py, value_error};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(experiment_du2017, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_kawaguchi, m)?)?;
    m.add_function(wrap_pyfunction!(atlas, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_safran_shamir, m)?)?;
    Ok(())
}

/// An error naming an options field renamed to the keyword that sets it.
fn renamed(e: Error, names: &[(&str, &str)]) -> PyErr {
    value_error(match e {
        Error::InvalidField {
            field,
            expected,
            found,
        } => Error::InvalidField {
            field: names
                .iter()
                .find(|(name, _)| *name == field)
                .map_or(field, |(_, keyword)| keyword.to_string()),
            expected,
            found,
        },
        e => e,
    })
}

/// [`parse_list`](landscape::experiments::parse_list) with the error as a `ValueError`.
fn parse_list(list: &str, field: &str, what: &str) -> PyResult<Vec<usize>> {
    landscape::experiments::parse_list(list, field, what).map_err(value_error)
}

/// Du et al. 2017 on the octopus (`landscape experiment du2017 --json`).
#[pyfunction]
#[pyo3(signature = (*, dims="2-8", trials=None, seed=None, tolerance=None, max_iters=None,
    lr=None, init_radius=None, tau=None, l=None, gamma=None, radius=None, g_thres=None,
    t_thres=None, f_thres=None, plain_gd=false))]
#[allow(clippy::too_many_arguments)]
fn experiment_du2017<'py>(
    py: Python<'py>,
    dims: &str,
    trials: Option<usize>,
    seed: Option<u64>,
    tolerance: Option<f64>,
    max_iters: Option<usize>,
    lr: Option<f64>,
    init_radius: Option<f64>,
    tau: Option<f64>,
    l: Option<f64>,
    gamma: Option<f64>,
    radius: Option<f64>,
    g_thres: Option<f64>,
    t_thres: Option<usize>,
    f_thres: Option<f64>,
    plain_gd: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let d = Du2017Options::default();
    let p = PgdSettings::default();
    let gamma = gamma.unwrap_or(d.gamma);
    let options = Du2017Options {
        dims: parse_list(dims, "dims", "dimensions")?,
        trials: trials.unwrap_or(d.trials),
        seed: seed.unwrap_or(d.seed),
        tolerance: tolerance.unwrap_or(d.tolerance),
        max_iters: max_iters.unwrap_or(d.max_iters),
        tau: tau.unwrap_or(d.tau),
        l: l.unwrap_or(d.l),
        gamma,
        lr,
        init_radius: init_radius.unwrap_or(d.init_radius),
        log_domain: !plain_gd,
        pgd: PgdSettings {
            radius: radius.unwrap_or(p.radius),
            g_thres: g_thres.unwrap_or_else(|| PgdSettings::default_g_thres(gamma)),
            t_thres: t_thres.unwrap_or(p.t_thres),
            f_thres: f_thres.unwrap_or(p.f_thres),
        },
    };
    let report = py.detach(|| du2017(&options)).map_err(|e| {
        renamed(
            e,
            &[
                ("pgd.t_thres", "t_thres"),
                ("pgd.f_thres", "f_thres"),
                ("pgd.radius", "radius"),
                ("pgd.g_thres", "g_thres"),
            ],
        )
    })?;
    report_to_py(py, &report)
}

/// Kawaguchi 2016 on deep linear nets (`landscape experiment kawaguchi --json`).
#[pyfunction]
#[pyo3(signature = (*, starts=None, seed=None))]
fn experiment_kawaguchi<'py>(
    py: Python<'py>,
    starts: Option<usize>,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = KawaguchiOptions::default();
    let options = KawaguchiOptions {
        starts: starts.unwrap_or(d.starts),
        seed: seed.unwrap_or(d.seed),
    };
    let report = py.detach(|| kawaguchi(&options)).map_err(value_error)?;
    report_to_py(py, &report)
}

/// Safran & Shamir 2018 on two-layer ReLU networks
/// (`landscape experiment safran-shamir --json`).
#[pyfunction]
#[pyo3(signature = (*, k="6-20", n_extra=None, runs=None, seed=None, max_iters=None, newton_below=None))]
fn experiment_safran_shamir<'py>(
    py: Python<'py>,
    k: &str,
    n_extra: Option<usize>,
    runs: Option<usize>,
    seed: Option<u64>,
    max_iters: Option<usize>,
    newton_below: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = SafranShamirOptions::default();
    let runs = runs.unwrap_or(d.runs);
    if runs == 0 {
        return Err(value_error(Error::invalid("runs", "an integer N ≥ 1", 0)));
    }
    let options = SafranShamirOptions {
        ks: parse_list(k, "k", "widths")?,
        n_extra: n_extra.unwrap_or(d.n_extra),
        runs,
        seed: seed.unwrap_or(d.seed),
        max_iters: max_iters.unwrap_or(d.max_iters),
        newton_below: newton_below.unwrap_or(d.newton_below),
        ..d
    };
    let report = py
        .detach(|| safran_shamir(&options))
        .map_err(|e| renamed(e, &[]))?;
    report_to_py(py, &report)
}

/// The landscape atlas (`landscape atlas --json`): per problem family, the fractions of
/// runs from random starts that end at a global minimum, a spurious minimum or a saddle.
/// `only` names entries (problems/atlas/*.toml); all when absent, none when `problems`
/// (your own specs: files, shipped names or `expr:` formulas, each a row with no
/// prediction stated) is given alone.
#[pyfunction]
#[pyo3(signature = (*, runs=None, seed=None, only=None, problems=None))]
fn atlas<'py>(
    py: Python<'py>,
    runs: Option<usize>,
    seed: Option<u64>,
    only: Option<Vec<String>>,
    problems: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = AtlasOptions::default();
    let own = problems
        .unwrap_or_default()
        .into_iter()
        .map(|problem| {
            let spec = landscape::problems::load_spec(&problem, &[]).map_err(value_error)?;
            Ok(Subject::own(problem, spec))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let options = AtlasOptions {
        runs: runs.unwrap_or(d.runs),
        seed: seed.unwrap_or(d.seed),
        only: only.unwrap_or_default(),
        own,
        ..d
    };
    let report = py.detach(|| atlas_of(&options)).map_err(value_error)?;
    report_to_py(py, &report)
}
