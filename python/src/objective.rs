//! The `Objective` class: a built-in problem or Python callables, behind the library's
//! [`Objective`] trait.
//!
//! A user's objective ([`Callbacks`]) calls `value(x)`, `gradient(x)` and `hvp(x, v)`
//! with float64 arrays of length `dim`, one call at a time, holding the GIL for each. The first
//! exception a callback raises (or a wrong return: not a number, a wrong length) is
//! kept, every later call returns NaN at once so the analysis ends quickly, and the
//! analysis raises that exception when it returns. Without `hvp` the Hessian-vector
//! product is refused the same way: analyses that need second derivatives raise a
//! `ValueError` saying so (derivatives are exact, never finite differences).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use landscape::objective::{Block, KnownPoint, Layout, Objective};
use landscape::problems;
use landscape::Verdict;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::{value_error, vector, Point};

/// Python callables as an [`Objective`].
pub struct Callbacks {
    value: Py<PyAny>,
    gradient: Py<PyAny>,
    hvp: Option<Py<PyAny>>,
    dim: usize,
    layout: Layout,
    optimum: Option<f64>,
    known_points: Vec<KnownPoint>,
    /// Held for each call: one callback runs at a time even where Python code releases
    /// the GIL inside it (PyTorch's operators do, and `functional_call` swaps a shared
    /// module's parameters), so callbacks need not be thread-safe.
    calls: Mutex<()>,
    /// The first exception a callback raised since the last [`Callbacks::take_error`].
    error: Mutex<Option<PyErr>>,
}

impl Callbacks {
    fn failed(&self) -> bool {
        self.error.lock().is_ok_and(|e| e.is_some())
    }

    fn record(&self, err: PyErr) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(err);
        }
    }

    /// The exception a callback raised, if any, clearing it.
    pub fn take_error(&self) -> Option<PyErr> {
        self.error.lock().ok().and_then(|mut e| e.take())
    }

    /// Calls `callable` on `args` (vectors of length `dim`) and writes the returned
    /// vector into `out`; on failure records it and fills `out` with NaN.
    fn call_vector(&self, name: &str, callable: &Py<PyAny>, args: &[&[f64]], out: &mut [f64]) {
        if self.failed() {
            out.fill(f64::NAN);
            return;
        }
        let _one_at_a_time = self.calls.lock();
        let result = Python::attach(|py| -> PyResult<Vec<f64>> {
            let arrays: Vec<_> = args.iter().map(|a| PyArray1::from_slice(py, a)).collect();
            let returned = callable.call1(py, PyTuple::new(py, arrays)?)?;
            let v = vector(returned.bind(py), &format!("{name}'s result"))?;
            if v.len() != out.len() {
                return Err(PyValueError::new_err(format!(
                    "{name} returned a vector of length {}, expected {} (the objective's dim)",
                    v.len(),
                    out.len()
                )));
            }
            Ok(v)
        });
        match result {
            Ok(v) => out.copy_from_slice(&v),
            Err(e) => {
                self.record(e);
                out.fill(f64::NAN);
            }
        }
    }
}

impl Objective for Callbacks {
    fn kind(&self) -> &'static str {
        "objective"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn value(&self, x: &[f64]) -> f64 {
        if self.failed() {
            return f64::NAN;
        }
        let _one_at_a_time = self.calls.lock();
        let result = Python::attach(|py| -> PyResult<f64> {
            let returned = self.value.call1(py, (PyArray1::from_slice(py, x),))?;
            returned.extract::<f64>(py).map_err(|_| {
                PyTypeError::new_err(format!(
                    "value returned {}, expected a float",
                    returned
                        .bind(py)
                        .get_type()
                        .name()
                        .map_or("?".into(), |n| n.to_string())
                ))
            })
        });
        result.unwrap_or_else(|e| {
            self.record(e);
            f64::NAN
        })
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.call_vector("gradient", &self.gradient, &[x], grad);
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        match &self.hvp {
            Some(hvp) => self.call_vector("hvp", hvp, &[x, v], out),
            None => {
                self.record(PyValueError::new_err(
                    "this analysis needs Hessian-vector products; the objective has none \
                     (give hvp= to landscape.objective)",
                ));
                out.fill(f64::NAN);
            }
        }
    }

    fn optimum(&self) -> Option<f64> {
        self.optimum
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        self.known_points.clone()
    }

    fn layout(&self) -> Layout {
        self.layout.clone()
    }
}

/// An objective: a built-in problem (`landscape.problem`) or your own
/// (`landscape.objective`). Parameters are one flat float64 vector of length `dim`,
/// split into the blocks of `layout` (row-major, in order).
#[pyclass(frozen, name = "Objective", module = "landscape")]
pub struct PyObjective {
    pub(crate) inner: Arc<dyn Objective>,
    /// Set for a Python objective: where its callbacks' exceptions wait.
    pub(crate) callbacks: Option<Arc<Callbacks>>,
}

impl PyObjective {
    /// A point of this objective from a Python object (1-D, length `dim`, finite), or
    /// the `ValueError` the command line prints for it.
    pub(crate) fn point(&self, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
        let x = vector(obj, what)?;
        landscape::error::ensure_point(what, &x, self.inner.dim()).map_err(value_error)?;
        Ok(x)
    }

    /// As [`point`](Self::point), reading a contiguous float64 array in place.
    fn point_in_place<'py>(&self, obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Point<'py>> {
        let x = Point::extract(obj, what)?;
        landscape::error::ensure_point(what, x.as_slice(), self.inner.dim())
            .map_err(value_error)?;
        Ok(x)
    }

    /// Runs `analysis` on the objective with the GIL released; a callback's exception
    /// wins over the library's result, and over a panic that followed it (an objective
    /// that turned to NaN midway can break an invariant the library asserts).
    pub(crate) fn analyse<R: Send>(
        &self,
        py: Python<'_>,
        analysis: impl FnOnce(&dyn Objective) -> landscape::Result<R> + Send,
    ) -> PyResult<R> {
        if let Some(c) = &self.callbacks {
            c.take_error();
        }
        let f = self.inner.clone();
        let result = py.detach(move || catch_unwind(AssertUnwindSafe(|| analysis(f.as_ref()))));
        if let Some(err) = self.callbacks.as_ref().and_then(|c| c.take_error()) {
            return Err(err);
        }
        match result {
            Ok(r) => r.map_err(value_error),
            Err(panic) => resume_unwind(panic),
        }
    }
}

#[pymethods]
impl PyObjective {
    /// Number of parameters.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// The problem kind (`"objective"` for your own).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The global minimum value f* when the mathematics knows it, else None.
    #[getter]
    fn optimum(&self) -> Option<f64> {
        self.inner.optimum()
    }

    /// The blocks of the flat parameter vector, in order: a list of (name, shape).
    #[getter]
    fn layout(&self) -> Vec<(String, Vec<usize>)> {
        self.inner
            .layout()
            .blocks
            .into_iter()
            .map(|b| (b.name, b.shape))
            .collect()
    }

    /// The closed-form stationary points: a dict name → (point, verdict).
    #[getter]
    fn known_points<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for p in self.inner.known_points() {
            dict.set_item(p.name, (PyArray1::from_vec(py, p.x), p.kind.to_string()))?;
        }
        Ok(dict)
    }

    /// The instance's data as a dict name → float64 array (row-major, with its shape):
    /// e.g. matrix_completion's `m` and `mask`, an mlp's `x`, `y`, `test_x`, `test_y`;
    /// empty for problems defined by their formula alone and for your own objectives.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for array in self.inner.data() {
            let flat = PyArray1::from_vec(py, array.values);
            dict.set_item(array.name, flat.reshape(array.shape)?)?;
        }
        Ok(dict)
    }

    /// f(x).
    fn value(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let x = self.point_in_place(x, "point")?;
        let x = x.as_slice();
        self.analyse(py, move |f| Ok(f.value(x)))
    }

    /// The exact gradient ∇f(x) as a float64 array.
    fn gradient<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = self.point_in_place(x, "point")?;
        let x = x.as_slice();
        let g = self.analyse(py, move |f| {
            let mut g = vec![0.0; x.len()];
            f.gradient(x, &mut g);
            Ok(g)
        })?;
        Ok(PyArray1::from_vec(py, g))
    }

    /// The exact Hessian-vector product ∇²f(x)·v as a float64 array.
    fn hvp<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        v: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, v) = (
            self.point_in_place(x, "point")?,
            self.point_in_place(v, "hvp direction")?,
        );
        let (x, v) = (x.as_slice(), v.as_slice());
        let out = self.analyse(py, move |f| {
            let mut out = vec![0.0; x.len()];
            f.hvp(x, v, &mut out);
            Ok(out)
        })?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The Riemannian gradient at x (the gradient projected on the tangent space of
    /// the problem's spheres; the gradient itself on a Euclidean problem), as
    /// `landscape eval` prints it.
    fn riemannian_gradient<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = self.point(x, "point")?;
        let g = self.analyse(py, move |f| {
            let mut g = vec![0.0; x.len()];
            f.riemannian_gradient(&x, &mut g);
            Ok(g)
        })?;
        Ok(PyArray1::from_vec(py, g))
    }

    /// The Riemannian Hessian-vector product at x (the HVP itself on a Euclidean
    /// problem), as `landscape eval` prints it.
    fn riemannian_hvp<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        v: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = self.point(x, "point")?;
        let v = self.point(v, "hvp direction")?;
        let out = self.analyse(py, move |f| {
            let mut out = vec![0.0; x.len()];
            f.riemannian_hvp(&x, &v, &mut out);
            Ok(out)
        })?;
        Ok(PyArray1::from_vec(py, out))
    }

    fn __repr__(&self) -> String {
        format!(
            "landscape.Objective(kind={:?}, dim={}, layout={:?})",
            self.inner.kind(),
            self.inner.dim(),
            self.inner.layout().describe()
        )
    }
}

/// A built-in problem from a kind or spec file and `key=value` overrides (TOML values).
#[pyfunction]
pub fn load_problem(problem: &str, overrides: Vec<String>) -> PyResult<PyObjective> {
    let (_, f) = problems::load(problem, &overrides).map_err(value_error)?;
    Ok(PyObjective {
        inner: Arc::from(f),
        callbacks: None,
    })
}

/// Your own objective from Python callables (see the module doc).
#[pyfunction]
#[pyo3(signature = (value, gradient, hvp, dim, layout, optimum, known_points=Vec::new()))]
pub fn from_callables(
    value: Py<PyAny>,
    gradient: Py<PyAny>,
    hvp: Option<Py<PyAny>>,
    dim: usize,
    layout: Option<Vec<(String, Vec<usize>)>>,
    optimum: Option<f64>,
    known_points: Vec<(String, Bound<'_, PyAny>, String)>,
) -> PyResult<PyObjective> {
    if dim == 0 {
        return Err(value_error(landscape::Error::invalid(
            "dim",
            "an integer ≥ 1",
            0,
        )));
    }
    let layout = match layout {
        None => Layout::single("x", &[dim]),
        Some(blocks) => {
            let layout = Layout::new(
                blocks
                    .iter()
                    .map(|(name, shape)| Block::new(name.as_str(), shape))
                    .collect(),
            );
            if layout.dim() != dim {
                return Err(value_error(landscape::Error::invalid(
                    "layout",
                    format!("blocks with {dim} parameters in all (dim)"),
                    format!("{} ({})", layout.dim(), layout.describe()),
                )));
            }
            layout
        }
    };
    if let Some(o) = optimum.filter(|o| !o.is_finite()) {
        return Err(value_error(landscape::Error::invalid(
            "optimum",
            "a finite number",
            o,
        )));
    }
    let mut points = Vec::with_capacity(known_points.len());
    for (name, x, verdict) in known_points {
        let what = format!("known point `{name}`");
        let x = vector(&x, &what)?;
        landscape::error::ensure_point(&what, &x, dim).map_err(value_error)?;
        let kind: Verdict = serde_json::from_value(serde_json::Value::String(verdict.clone()))
            .map_err(|_| {
                value_error(landscape::Error::invalid(
                    "known_points",
                    "verdicts such as strict_saddle, local_min, global_min",
                    format!("`{verdict}` for `{name}`"),
                ))
            })?;
        points.push(KnownPoint::new(name, x, kind));
    }
    let callbacks = Arc::new(Callbacks {
        value,
        gradient,
        hvp,
        dim,
        layout,
        optimum,
        known_points: points,
        calls: Mutex::new(()),
        error: Mutex::new(None),
    });
    Ok(PyObjective {
        inner: callbacks.clone(),
        callbacks: Some(callbacks),
    })
}

/// The names of the built-in problem kinds.
#[pyfunction]
pub fn kinds() -> Vec<&'static str> {
    problems::kind_names()
}
