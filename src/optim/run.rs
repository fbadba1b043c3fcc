//! The run loop shared by every optimizer, and the trajectory it records.
//!
//! One iteration, from xₜ with f(xₜ) and gₜ = ∇f(xₜ) in hand (Riemannian gradient
//! `f.riemannian_gradient` on sphere-constrained problems):
//!
//! 1. stop if f(xₜ), ‖gₜ‖ or the last step is non-finite (`diverged`), if ‖gₜ‖ ≤
//!    `grad_tol` (`converged`; skipped for the methods that perturb stationary points,
//!    see [`Optimizer::escapes_stationary_points`]), if f(xₜ) ≤ `target` (`target_reached`), if the optimizer
//!    asked to stop at the last step (its own reason), if x has stood bit-for-bit still
//!    for [`Optimizer::stall_patience`] steps with gₜ ≠ 0 (`stalled`: an exact
//!    floating-point fixed point, e.g. coordinates underflowed to subnormals — not a
//!    stationary point of the mathematics), or if t = `max_iters` (`max_iters`);
//! 2. clip a copy of gₜ (by value, then by global norm) when the run clips;
//! 3. `optimizer.step` writes xₜ₊₁; on spheres the loop retracts it block by block
//!    (`Manifold::retract_in_place`);
//! 4. evaluate f and ∇f at xₜ₊₁ (once; skipped when the step reports it has), record
//!    every `record_every` steps.
//!
//! Events a step reports (a perturbation of `pgd`) are collected in
//! [`Trajectory::events`], stamped with the iteration t of the step.
//!
//! The loop counts objective evaluations ([`Trajectory::evaluations`]): one for each
//! value-and-gradient evaluation of its own, plus every call the optimizer makes through
//! the objective it is handed (a [`Counted`] view of `f`: value, gradient,
//! value-and-gradient, HVP and their Riemannian forms count one each).
//!
//! Record 0 is the start; the last iterate is always recorded. The recorded `grad_norm`
//! is the norm of the *unclipped* gradient, and `step_norm` = ‖xₜ − xₜ₋₁‖ (after
//! retraction). The loop allocates nothing per iteration beyond the records themselves.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Optimizer;
use crate::display::format_vector;
use crate::error::{ensure_point, Error, Result};
use crate::linalg::{distance, norm};
use crate::manifold::Manifold;
use crate::objective::{KnownPoint, Layout, Objective};
use crate::progress::{Progress, Silent};

/// Default iteration cap.
pub const DEFAULT_MAX_ITERS: usize = 1000;
/// Default gradient-norm tolerance.
pub const DEFAULT_GRAD_TOL: f64 = 1e-8;
/// The run loop reports its progress every this many iterations.
const PROGRESS_EVERY: usize = 1024;

/// Gradient clipping, applied by the loop to the gradient handed to every optimizer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// Global-norm clipping (`--clip-norm c`): g ← g·min(1, c/‖g‖), so ‖g‖ ≤ c
    /// (up to one rounding of the scale).
    pub norm: Option<f64>,
    /// Elementwise clipping (`--clip-value c`): gᵢ ← max(−c, min(c, gᵢ)).
    pub value: Option<f64>,
}

impl Clip {
    /// True when some clipping is on.
    pub fn is_active(&self) -> bool {
        self.norm.is_some() || self.value.is_some()
    }

    /// Clips `g` in place: by value first, then by global norm (so both bounds hold).
    pub fn apply(&self, g: &mut [f64]) {
        if let Some(c) = self.value {
            g.iter_mut().for_each(|v| *v = v.clamp(-c, c));
        }
        if let Some(c) = self.norm {
            let n = norm(g);
            if n > c {
                let scale = c / n;
                g.iter_mut().for_each(|v| *v *= scale);
            }
        }
    }
}

/// What the run loop owns: stopping rules, clipping, recording.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Iteration cap (default [`DEFAULT_MAX_ITERS`]); 0 only evaluates the start.
    pub max_iters: usize,
    /// Stop as `converged` when ‖∇f‖ ≤ this (default [`DEFAULT_GRAD_TOL`]); > 0.
    pub grad_tol: f64,
    /// Stop as `target_reached` when f ≤ this (default none).
    pub target: Option<f64>,
    /// Record every k-th iterate (default 1); ≥ 1.
    pub record_every: usize,
    /// Store x in every record (default false).
    pub record_iterates: bool,
    /// Gradient clipping (default none).
    pub clip: Clip,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_iters: DEFAULT_MAX_ITERS,
            grad_tol: DEFAULT_GRAD_TOL,
            target: None,
            record_every: 1,
            record_iterates: false,
            clip: Clip::default(),
        }
    }
}

impl RunOptions {
    /// Rejects a non-positive or non-finite tolerance or clip, a zero `record_every`, a
    /// non-finite target; the error names the field (`grad_tol`, `clip.norm`, …).
    pub fn validate(&self) -> Result<()> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(name, "a positive finite number", v))
            }
        };
        positive("grad_tol", self.grad_tol)?;
        if let Some(c) = self.clip.norm {
            positive("clip.norm", c)?;
        }
        if let Some(c) = self.clip.value {
            positive("clip.value", c)?;
        }
        if let Some(t) = self.target.filter(|t| !t.is_finite()) {
            return Err(Error::invalid("target", "a finite number", t));
        }
        if self.record_every == 0 {
            return Err(Error::invalid("record_every", "an integer ≥ 1", 0));
        }
        Ok(())
    }
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Termination {
    /// ‖∇f‖ ≤ `grad_tol`.
    Converged,
    /// f ≤ `target`.
    TargetReached,
    /// The iteration cap.
    MaxIters,
    /// A non-finite value, gradient or iterate.
    Diverged,
    /// x unchanged bit-for-bit by the optimizer's patience of steps while ∇f ≠ 0: an
    /// exact floating-point fixed point (a censored run, not a stationary point).
    Stalled,
    /// The optimizer's own reason (e.g. `singular_hessian`, `line_search_failed`).
    Solver(String),
}

impl Termination {
    /// The reason as written in the trajectory (`converged`, `target_reached`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Termination::Converged => "converged",
            Termination::TargetReached => "target_reached",
            Termination::MaxIters => "max_iters",
            Termination::Diverged => "diverged",
            Termination::Stalled => "stalled",
            Termination::Solver(reason) => reason,
        }
    }
}

impl Serialize for Termination {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Termination {
    /// The inverse of `Serialize`: a known reason, else the optimizer's own.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match String::deserialize(d)?.as_str() {
            "converged" => Termination::Converged,
            "target_reached" => Termination::TargetReached,
            "max_iters" => Termination::MaxIters,
            "diverged" => Termination::Diverged,
            "stalled" => Termination::Stalled,
            other => Termination::Solver(other.to_string()),
        })
    }
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded iterate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The iteration t (0 = the start).
    pub iter: usize,
    /// f(xₜ).
    pub value: f64,
    /// ‖∇f(xₜ)‖ (Riemannian on constrained problems; before clipping).
    pub grad_norm: f64,
    /// ‖xₜ − xₜ₋₁‖ (0 at the start).
    pub step_norm: f64,
    /// xₜ, with `record_iterates`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Vec<f64>>,
}

/// What an [`Event`] was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A random perturbation x ← x + ξ, ξ uniform in the ball of radius `radius` (pgd).
    Perturbation,
}

/// Something an optimizer did at one iteration besides its update rule (recorded in
/// [`Trajectory::events`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The iteration t whose step did it (the loop fills it in): the step from xₜ.
    pub iter: usize,
    /// What it was.
    pub kind: EventKind,
    /// The perturbation radius r.
    pub radius: f64,
    /// f(xₜ) just before the event.
    pub value_before: f64,
}

/// Where the run ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinalState {
    /// The last iteration.
    pub iter: usize,
    /// The last iterate.
    pub x: Vec<f64>,
    /// f there.
    pub value: f64,
    /// ‖∇f‖ there (before clipping).
    pub grad_norm: f64,
    /// What the last iterate is (`run --classify-final`); the run loop leaves it `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<crate::classify::Classification>,
}

/// A run: what ran, what it saw, where it ended and why (`landscape run --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// The optimizer's registry name.
    pub optimizer: String,
    /// Its hyperparameters, defaults filled in.
    pub hyperparameters: serde_json::Value,
    /// Every `record_every`-th iterate, the start and the last one.
    pub records: Vec<Record>,
    /// The last iterate.
    #[serde(rename = "final")]
    pub final_state: FinalState,
    /// Why the run stopped.
    pub termination: Termination,
    /// The optimizer's events (perturbations), in order; omitted from the JSON when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Objective evaluations: one per iterate by the loop plus the optimizer's own calls
    /// (not part of the JSON contract).
    #[serde(skip)]
    pub evaluations: usize,
}

/// The summary `landscape run` prints under its `optimizer on kind (dim d): termination
/// after t iterations` line: start and final values, the final gradient norm and iterate,
/// and the verdict when classified.
impl std::fmt::Display for Trajectory {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = &self.final_state;
        writeln!(out, "start value  {:.12e}", self.records[0].value)?;
        writeln!(out, "final value  {:.12e}", last.value)?;
        writeln!(out, "grad_norm    {:.6e}", last.grad_norm)?;
        writeln!(out, "x            {}", format_vector(&last.x))?;
        if let Some(c) = &last.classification {
            writeln!(out, "verdict      {} ({})", c.kind, c.reason)?;
        }
        Ok(())
    }
}

/// Runs `optimizer` on `f` from `x0` (retracted onto the manifold first on constrained
/// problems) under `options`.
///
/// Errors: invalid options, or an `x0` of the wrong length or with non-finite entries.
/// Numerical failure is never an error: it ends the run with a [`Termination`].
pub fn run(
    f: &dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    options: &RunOptions,
) -> Result<Trajectory> {
    run_with_progress(f, optimizer, x0, options, &Silent)
}

/// [`run`], telling `progress` of the iterations done (task `run`, `max_iters` units,
/// reported every 1024 iterations).
pub fn run_with_progress(
    f: &dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<Trajectory> {
    options.validate()?;
    let dim = f.dim();
    ensure_point("initial point", x0, dim)?;
    let manifold = f.manifold();
    let euclidean = manifold.is_euclidean();
    let evaluate = |x: &[f64], grad: &mut [f64]| {
        if euclidean {
            f.value_and_gradient(x, grad)
        } else {
            f.riemannian_gradient(x, grad);
            f.value(x)
        }
    };

    let counted = Counted::new(f);
    let mut x = x0.to_vec();
    manifold.retract_in_place(&mut x);
    optimizer.start(&counted, &x)?;
    let mut grad = vec![0.0; dim];
    let mut next_grad = vec![0.0; dim];
    let mut clipped = if options.clip.is_active() {
        vec![0.0; dim]
    } else {
        Vec::new()
    };
    let mut previous = vec![0.0; dim];

    let record = |iter, value, grad_norm, step_norm, x: &[f64]| Record {
        iter,
        value,
        grad_norm,
        step_norm,
        x: options.record_iterates.then(|| x.to_vec()),
    };
    let mut value = evaluate(&x, &mut grad);
    let mut grad_norm = norm(&grad);
    let mut step_norm = 0.0;
    let mut evaluations = 1;
    let mut records = vec![record(0, value, grad_norm, step_norm, &x)];
    let mut iter = 0;
    let mut solver_stop = None;
    let mut unchanged_steps = 0;
    let patience = optimizer.stall_patience().max(1);
    let stops_at_stationary = !optimizer.escapes_stationary_points();
    let mut events = Vec::new();
    progress.start("run", options.max_iters as u64);

    let termination = loop {
        if !(value.is_finite() && grad_norm.is_finite() && step_norm.is_finite()) {
            break Termination::Diverged;
        }
        if stops_at_stationary && grad_norm <= options.grad_tol {
            break Termination::Converged;
        }
        if options.target.is_some_and(|t| value <= t) {
            break Termination::TargetReached;
        }
        if let Some(reason) = solver_stop.take() {
            break reason;
        }
        if unchanged_steps >= patience {
            break Termination::Stalled;
        }
        if iter >= options.max_iters {
            break Termination::MaxIters;
        }

        previous.copy_from_slice(&x);
        let step_grad: &[f64] = if options.clip.is_active() {
            clipped.copy_from_slice(&grad);
            options.clip.apply(&mut clipped);
            &clipped
        } else {
            &grad
        };
        let step = optimizer.step(&counted, &mut x, value, step_grad, &mut next_grad);
        if let Some(mut event) = step.event {
            event.iter = iter;
            events.push(event);
        }
        manifold.retract_in_place(&mut x);
        iter += 1;
        solver_stop = step.stop;

        step_norm = distance(&x, &previous);
        match step.evaluated {
            Some(v) if euclidean => {
                value = v;
                std::mem::swap(&mut grad, &mut next_grad);
            }
            _ => {
                value = evaluate(&x, &mut grad);
                evaluations += 1;
            }
        }
        grad_norm = norm(&grad);
        unchanged_steps = if step_norm == 0.0 {
            unchanged_steps + 1
        } else {
            0
        };
        if iter % options.record_every == 0 {
            records.push(record(iter, value, grad_norm, step_norm, &x));
        }
        if iter % PROGRESS_EVERY == 0 {
            progress.advance(PROGRESS_EVERY as u64);
        }
    };
    progress.finish();
    if records.last().is_some_and(|r| r.iter != iter) {
        records.push(record(iter, value, grad_norm, step_norm, &x));
    }
    Ok(Trajectory {
        optimizer: optimizer.name().to_string(),
        hyperparameters: optimizer.hyperparameters(),
        records,
        final_state: FinalState {
            iter,
            x,
            value,
            grad_norm,
            classification: None,
        },
        termination,
        events,
        evaluations: evaluations + counted.calls(),
    })
}

/// `f` as the optimizer sees it: every value, gradient or HVP call is counted (relaxed
/// atomics, as [`Objective`] is `Sync`; an optimizer may evaluate from several threads).
/// Everything else is passed through.
struct Counted<'a> {
    inner: &'a dyn Objective,
    calls: AtomicUsize,
}

impl<'a> Counted<'a> {
    fn new(inner: &'a dyn Objective) -> Self {
        Counted {
            inner,
            calls: AtomicUsize::new(0),
        }
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

impl Objective for Counted<'_> {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.count();
        self.inner.value(x)
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.count();
        self.inner.gradient(x, grad)
    }
    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        self.count();
        self.inner.hvp(x, v, out)
    }
    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.count();
        self.inner.value_and_gradient(x, grad)
    }
    fn optimum(&self) -> Option<f64> {
        self.inner.optimum()
    }
    fn manifold(&self) -> Manifold {
        self.inner.manifold()
    }
    fn symmetry_directions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        self.inner.symmetry_directions(x)
    }
    fn symmetry_count(&self, x: &[f64]) -> usize {
        self.inner.symmetry_count(x)
    }
    fn known_points(&self) -> Vec<KnownPoint> {
        self.inner.known_points()
    }
    fn known_point(&self, name: &str) -> Option<KnownPoint> {
        self.inner.known_point(name)
    }
    fn layout(&self) -> Layout {
        self.inner.layout()
    }
    fn riemannian_gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.count();
        self.inner.riemannian_gradient(x, grad)
    }
    fn riemannian_hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        self.count();
        self.inner.riemannian_hvp(x, v, out)
    }
}
