//! `landscape._landscape`: the native half of the Python package.
//!
//! An [`objective::PyObjective`] is either a built-in problem (a spec and its
//! overrides, built by the library's registry) or a user's objective whose value,
//! gradient and Hessian-vector product are Python callables
//! ([`objective::Callbacks`]). Every analysis takes either: it runs the library function
//! with the GIL released, so rayon's workers run built-in problems in parallel as on
//! the command line, while a callback reacquires the GIL (so Python code runs one call
//! at a time). Results are the library's reports serialised as the command line's JSON
//! and turned into Python objects ([`json_to_py`]), float vectors and matrices as NumPy
//! arrays.
//!
//! Errors: a library [`landscape::Error`] becomes a `ValueError` carrying the line the
//! command line prints after `error: `; a Python exception raised by a callback stops
//! the analysis (the library sees NaN from then on) and is raised again when it returns.

mod analyses;
mod experiments;
mod objective;
mod plots;

use numpy::{
    AllowTypeChange, PyArray1, PyArray2, PyArrayLikeDyn, PyArrayMethods, PyReadonlyArray1,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// A library error as the `ValueError` whose message is the command line's line.
pub(crate) fn value_error(e: landscape::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A flat float64 vector from anything NumPy can read as a 1-D array; `what` names it in
/// the error for any other shape.
pub(crate) fn vector(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    let array = obj.extract::<PyArrayLikeDyn<'_, f64, AllowTypeChange>>()?;
    if array.ndim() != 1 {
        return Err(PyValueError::new_err(format!(
            "{what} has shape {:?}, expected a 1-D array",
            array.shape()
        )));
    }
    // A contiguous array is one copy; iterating a dynamic-rank view costs several ns per
    // entry (milliseconds at a network's size).
    Ok(match array.as_slice() {
        Ok(entries) => entries.to_vec(),
        Err(_) => array.as_array().iter().copied().collect(),
    })
}

/// A 1-D float64 argument read in place: the caller's array itself when it is a
/// contiguous float64 array (read while the GIL is released, as NumPy's own operations
/// read theirs), else a converted copy. Saves a copy and its fresh pages per call: a
/// millisecond or more at a deep network's size.
pub(crate) enum Point<'py> {
    Borrowed(PyReadonlyArray1<'py, f64>),
    Owned(Vec<f64>),
}

impl<'py> Point<'py> {
    pub(crate) fn extract(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        if let Ok(array) = obj.cast::<PyArray1<f64>>() {
            let array = array.try_readonly()?;
            if array.as_slice().is_ok() {
                return Ok(Point::Borrowed(array));
            }
        }
        vector(obj, what).map(Point::Owned)
    }

    pub(crate) fn as_slice(&self) -> &[f64] {
        match self {
            // Contiguous: checked in `extract`.
            Point::Borrowed(array) => array.as_slice().unwrap_or_default(),
            Point::Owned(v) => v,
        }
    }
}

/// A JSON value as a Python object: objects as dicts, arrays of floats as 1-D float64
/// arrays, arrays of equally long float arrays as 2-D arrays, other arrays as lists.
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            if let Some(v) = float_vector(items) {
                return Ok(PyArray1::from_vec(py, v).into_any());
            }
            let rows: Option<Vec<Vec<f64>>> = items
                .iter()
                .map(|row| row.as_array().and_then(|r| float_vector(r)))
                .collect();
            if let Some(rows) = rows.filter(|r| !r.is_empty()) {
                if let Ok(m) = PyArray2::from_vec2(py, &rows) {
                    return Ok(m.into_any());
                }
            }
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// The entries of a non-empty array of JSON floats (serde_json keeps an `f64` field a
/// float even when it is integral, so counts and shapes stay lists of ints).
fn float_vector(items: &[Value]) -> Option<Vec<f64>> {
    if items.is_empty() || !items.iter().all(|v| v.is_f64()) {
        return None;
    }
    items.iter().map(Value::as_f64).collect()
}

/// A serialisable library report as a Python object.
pub(crate) fn report_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    report: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(report)
        .map_err(|e| PyValueError::new_err(format!("cannot serialise the report: {e}")))?;
    json_to_py(py, &value)
}

/// The native module.
#[pymodule]
fn _landscape(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<objective::PyObjective>()?;
    m.add_function(wrap_pyfunction!(objective::load_problem, m)?)?;
    m.add_function(wrap_pyfunction!(objective::from_callables, m)?)?;
    m.add_function(wrap_pyfunction!(objective::kinds, m)?)?;
    analyses::register(m)?;
    plots::register(m)?;
    experiments::register(m)?;
    Ok(())
}
