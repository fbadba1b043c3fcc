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
//!
//! Training options, for gradient-step methods only (those with a learning rate, see
//! [`Optimizer::learning_rate`]; the others are rejected with an error naming the option):
//! - a learning-rate [`Schedule`]: step t runs with ηₜ set in the optimizer, recorded as
//!   each record's `lr` (see [`schedule`](super::schedule));
//! - [`WeightDecay`], coupled (g ← g + λx after clipping) or decoupled (x ← x(1 − ηₜλ)
//!   before the step; see [`weight_decay`](super::weight_decay));
//! - [`Minibatch`]es on a [`FiniteSum`](crate::objective::FiniteSum): each step's gradient
//!   is a minibatch gradient, and the stopping rules read the full batch at the periodic
//!   evaluations (see [`minibatch`](super::minibatch)).
//!
//! `eval_every` (default: once per epoch in a minibatch run, never otherwise) adds
//! full-batch `train_loss` and `train_grad_norm` to every k-th record and, on a finite
//! sum with test data, `test_loss` and `test_accuracy`.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::minibatch::{Batches, EvaluationInfo, Minibatch, MinibatchInfo};
use super::schedule::{Schedule, Scheduler};
use super::weight_decay::{DecayForm, WeightDecay};
use super::Optimizer;
use crate::display::format_vector;
use crate::error::{ensure_point, Error, Result};
use crate::linalg::{distance, norm};
use crate::manifold::Manifold;
use crate::objective::{KnownPoint, Layout, Objective, TestMetrics};
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
    /// Learning-rate schedule (default none: the optimizer's constant η).
    pub schedule: Option<Schedule>,
    /// Weight decay (default none).
    pub weight_decay: Option<WeightDecay>,
    /// Minibatch gradients on a finite sum (default none: full-batch gradients).
    pub minibatch: Option<Minibatch>,
    /// Full-batch train and test evaluation every k steps (default: once per epoch in a
    /// minibatch run, none otherwise); ≥ 1.
    pub eval_every: Option<usize>,
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
            schedule: None,
            weight_decay: None,
            minibatch: None,
            eval_every: None,
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
        if self.eval_every == Some(0) {
            return Err(Error::invalid("eval_every", "an integer ≥ 1", 0));
        }
        if let Some(schedule) = &self.schedule {
            schedule.validate()?;
        }
        if let Some(decay) = &self.weight_decay {
            decay.validate()?;
        }
        if let Some(minibatch) = &self.minibatch {
            minibatch.validate()?;
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// ηₜ, the learning rate of the step from xₜ, when a schedule sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Full-batch f(xₜ), at the evaluations (`eval_every`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_loss: Option<f64>,
    /// Full-batch ‖∇f(xₜ)‖, at the evaluations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_grad_norm: Option<f64>,
    /// Test loss at xₜ, at the evaluations of a problem with test data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<f64>,
    /// Test accuracy at xₜ, at the evaluations of a classification problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f64>,
}

/// One full-batch evaluation (`eval_every`).
#[derive(Clone, Copy, Debug)]
struct Evaluation {
    train_loss: f64,
    train_grad_norm: f64,
    test: Option<TestMetrics>,
}

impl Record {
    fn add_evaluation(&mut self, evaluation: &Evaluation) {
        self.train_loss = Some(evaluation.train_loss);
        self.train_grad_norm = Some(evaluation.train_grad_norm);
        self.test_loss = evaluation.test.map(|t| t.loss);
        self.test_accuracy = evaluation.test.and_then(|t| t.accuracy);
    }
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
    /// The learning-rate schedule, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// The weight decay, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_decay: Option<WeightDecay>,
    /// The batches of a minibatch run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minibatch: Option<MinibatchInfo>,
    /// How the records' train and test metrics were computed, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<EvaluationInfo>,
    /// Objective evaluations: one per iterate by the loop plus the optimizer's own calls
    /// (not part of the JSON contract).
    #[serde(skip)]
    pub evaluations: usize,
    /// What produced the run (the command line sets it: problem, start, seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
}

/// The summary `landscape run` prints under its `optimizer on kind (dim d): termination
/// after t iterations` line: start and final values, the final gradient norm and iterate,
/// and the verdict when classified.
///
/// A training run adds its schedule, weight decay and batches, and a table of the
/// evaluations saying how they were computed.
impl std::fmt::Display for Trajectory {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = &self.final_state;
        let start = &self.records[0];
        writeln!(
            out,
            "start value  {:.12e}",
            start.train_loss.unwrap_or(start.value)
        )?;
        writeln!(out, "final value  {:.12e}", last.value)?;
        writeln!(out, "grad_norm    {:.6e}", last.grad_norm)?;
        writeln!(out, "x            {}", format_vector(&last.x))?;
        if let Some(c) = &last.classification {
            writeln!(out, "verdict      {} ({})", c.kind, c.reason)?;
        }
        if let Some(schedule) = &self.schedule {
            writeln!(out, "schedule     {schedule}")?;
        }
        if let Some(decay) = &self.weight_decay {
            let form = match decay.form {
                DecayForm::Coupled => "coupled: g ← g + λx",
                DecayForm::Decoupled => "decoupled: x ← x(1 − ηλ)",
            };
            writeln!(out, "weight decay λ = {} ({form})", decay.lambda)?;
        }
        if let Some(m) = &self.minibatch {
            writeln!(
                out,
                "minibatch    {} of {} samples, {} steps per epoch (last batch {}), \
                 shuffled with seed {}; the values above are full-batch",
                m.batch_size, m.samples, m.steps_per_epoch, m.last_batch, m.seed
            )?;
        }
        if let Some(evaluation) = &self.evaluation {
            writeln!(
                out,
                "evaluated every {} steps: train = full-batch f and ‖∇f‖; test = {}",
                evaluation.every,
                evaluation.test.as_deref().unwrap_or("none (no test data)")
            )?;
            writeln!(
                out,
                "{:>8}  {:>11}  {:>19}  {:>12}  {:>19}  {:>8}",
                "iter", "lr", "train_loss", "train ‖∇f‖", "test_loss", "test_acc"
            )?;
            let cell = |v: Option<f64>, precision: usize| {
                v.map_or("-".to_string(), |v| format!("{v:.precision$e}"))
            };
            for r in self.records.iter().filter(|r| r.train_loss.is_some()) {
                writeln!(
                    out,
                    "{:>8}  {:>11}  {:>19}  {:>12}  {:>19}  {:>8}",
                    r.iter,
                    cell(r.lr, 4),
                    cell(r.train_loss, 12),
                    cell(r.train_grad_norm, 5),
                    cell(r.test_loss, 12),
                    r.test_accuracy
                        .map_or("-".to_string(), |a| format!("{:.2}%", 100.0 * a)),
                )?;
            }
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

/// Refuses a run whose records could outgrow the memory budget: at most
/// ⌊max_iters / record_every⌋ + 2 records (plus one per evaluation), each a [`Record`]
/// and, with `record_iterates`, the iterate. The message names `record_every`, the knob
/// that keeps a long run's trajectory small.
fn check_records_budget(dim: usize, options: &RunOptions) -> Result<()> {
    let every = |k: usize| (options.max_iters / k.max(1)) as u128 + 2;
    let records = every(options.record_every) + options.eval_every.map_or(0, every);
    let iterate = if options.record_iterates {
        dim as u128 * 8
    } else {
        0
    };
    let bytes = records.saturating_mul(std::mem::size_of::<Record>() as u128 + iterate);
    crate::budget::check(
        "record_every",
        format!(
            "{} with {} iterations ({records} records; record fewer, or lower the iterations)",
            options.record_every, options.max_iters
        ),
        bytes,
    )
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
    check_training_options(f, optimizer, options)?;
    check_records_budget(dim, options)?;
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
    let finite_sum = f.as_finite_sum();
    let mut batches = options
        .minibatch
        .zip(finite_sum)
        .map(|(m, fs)| Batches::new(fs.samples(), m));
    let minibatch = batches
        .as_ref()
        .zip(options.minibatch)
        .map(|(b, m)| b.info(m.seed));
    let eval_every = options
        .eval_every
        .or(minibatch.as_ref().map(|m| m.steps_per_epoch));
    let base_lr = optimizer.learning_rate();
    let mut scheduler = options
        .schedule
        .zip(base_lr)
        .map(|(schedule, base)| Scheduler::new(schedule, base));

    // f and ∇f at the point the loop is at: on the step's minibatch in a minibatch run.
    let mut step_evaluate = |x: &[f64], grad: &mut [f64]| match (batches.as_mut(), finite_sum) {
        (Some(batches), Some(finite_sum)) => {
            let value = finite_sum.batch_value_and_gradient(x, batches.next(), grad);
            manifold.project_tangent(x, grad);
            value
        }
        _ => evaluate(x, grad),
    };
    let mut full_grad = if minibatch.is_some() {
        vec![0.0; dim]
    } else {
        Vec::new()
    };
    // The full-batch evaluation at x, whose (f, ‖∇f‖) a full-batch run already has.
    let mut full_evaluate = |x: &[f64], value: f64, grad_norm: f64| {
        let (train_loss, train_grad_norm) = if minibatch.is_some() {
            let loss = evaluate(x, &mut full_grad);
            (loss, norm(&full_grad))
        } else {
            (value, grad_norm)
        };
        Evaluation {
            train_loss,
            train_grad_norm,
            test: finite_sum.and_then(|fs| fs.test_metrics(x)),
        }
    };

    let counted = Counted::new(f);
    let mut x = x0.to_vec();
    manifold.retract_in_place(&mut x);
    optimizer.start(&counted, &x)?;
    let mut grad = vec![0.0; dim];
    let mut next_grad = vec![0.0; dim];
    let decay = options.weight_decay;
    let coupled_decay = decay.filter(|d| d.form == DecayForm::Coupled);
    let mut step_grad_buffer = if options.clip.is_active() || coupled_decay.is_some() {
        vec![0.0; dim]
    } else {
        Vec::new()
    };
    let mut previous = vec![0.0; dim];

    let record = |iter, value, grad_norm, step_norm, x: &[f64], lr| Record {
        iter,
        value,
        grad_norm,
        step_norm,
        x: options.record_iterates.then(|| x.to_vec()),
        lr,
        ..Record::default()
    };
    let mut value = step_evaluate(&x, &mut grad);
    let mut grad_norm = norm(&grad);
    let mut step_norm = 0.0;
    let mut evaluations = 1;
    let mut records = Vec::new();
    let mut iter = 0;
    let mut solver_stop = None;
    let mut unchanged_steps = 0;
    let mut patience = optimizer.stall_patience().max(1);
    if let Some(m) = &minibatch {
        patience = patience.max(m.steps_per_epoch);
    }
    let stops_at_stationary = !optimizer.escapes_stationary_points();
    let mut events = Vec::new();
    let mut evaluation: Option<Evaluation>;
    progress.start("run", options.max_iters as u64);

    let termination = loop {
        let lr = scheduler.as_ref().map(Scheduler::lr);
        evaluation = eval_every
            .filter(|k| iter % k == 0)
            .map(|_| full_evaluate(&x, value, grad_norm));
        if minibatch.is_some() && evaluation.is_some() {
            evaluations += 1;
        }
        if iter % options.record_every == 0 || evaluation.is_some() {
            let mut r = record(iter, value, grad_norm, step_norm, &x, lr);
            if let Some(e) = &evaluation {
                r.add_evaluation(e);
            }
            records.push(r);
        }
        // What the stopping rules read: f and ∇f on the full batch, which a minibatch run
        // has only at its evaluations.
        let full = if minibatch.is_some() {
            evaluation.map(|e| (e.train_loss, e.train_grad_norm))
        } else {
            Some((value, grad_norm))
        };
        let finite = |(v, g): (f64, f64)| v.is_finite() && g.is_finite();
        if !(finite((value, grad_norm)) && step_norm.is_finite() && full.is_none_or(finite)) {
            break Termination::Diverged;
        }
        if let Some((full_value, full_grad_norm)) = full {
            if stops_at_stationary && full_grad_norm <= options.grad_tol {
                break Termination::Converged;
            }
            if options.target.is_some_and(|t| full_value <= t) {
                break Termination::TargetReached;
            }
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
        let step_grad: &[f64] = if step_grad_buffer.is_empty() {
            &grad
        } else {
            step_grad_buffer.copy_from_slice(&grad);
            options.clip.apply(&mut step_grad_buffer);
            if let Some(decay) = &coupled_decay {
                decay.apply_to_gradient(&x, &mut step_grad_buffer);
            }
            &step_grad_buffer
        };
        if let Some(lr) = lr {
            optimizer.set_learning_rate(lr);
        }
        if let (Some(decay), Some(lr)) = (&decay, optimizer.learning_rate()) {
            decay.apply_to_iterate(lr, &mut x);
        }
        let step = optimizer.step(&counted, &mut x, value, step_grad, &mut next_grad);
        if let Some(scheduler) = scheduler.as_mut() {
            scheduler.step();
        }
        if let Some(mut event) = step.event {
            event.iter = iter;
            events.push(event);
        }
        manifold.retract_in_place(&mut x);
        iter += 1;
        solver_stop = step.stop;

        step_norm = distance(&x, &previous);
        match step.evaluated {
            Some(v) if euclidean && minibatch.is_none() => {
                value = v;
                std::mem::swap(&mut grad, &mut next_grad);
            }
            _ => {
                value = step_evaluate(&x, &mut grad);
                evaluations += 1;
            }
        }
        grad_norm = norm(&grad);
        // A step with η = 0 (a schedule's) stands still by design.
        unchanged_steps = if step_norm == 0.0 && lr != Some(0.0) {
            unchanged_steps + 1
        } else {
            0
        };
        if iter % PROGRESS_EVERY == 0 {
            progress.advance(PROGRESS_EVERY as u64);
        }
    };
    progress.finish();
    // The trajectory's hyperparameters are the given ones, η₀ included.
    if let Some(base) = base_lr.filter(|_| scheduler.is_some()) {
        optimizer.set_learning_rate(base);
    }
    let final_evaluation = match evaluation {
        Some(e) => Some(e),
        None if eval_every.is_some() => {
            if minibatch.is_some() {
                evaluations += 1;
            }
            Some(full_evaluate(&x, value, grad_norm))
        }
        None => None,
    };
    let lr = scheduler.as_ref().map(Scheduler::lr);
    match records.last_mut() {
        Some(last) if last.iter == iter => {
            if let Some(e) = &final_evaluation {
                last.add_evaluation(e);
            }
        }
        _ => {
            let mut r = record(iter, value, grad_norm, step_norm, &x, lr);
            if let Some(e) = &final_evaluation {
                r.add_evaluation(e);
            }
            records.push(r);
        }
    }
    let (value, grad_norm) = match (&minibatch, &final_evaluation) {
        (Some(_), Some(e)) => (e.train_loss, e.train_grad_norm),
        _ => (value, grad_norm),
    };
    let evaluation = eval_every.map(|every| EvaluationInfo {
        every,
        test: records[0]
            .test_loss
            .and(finite_sum)
            .map(|fs| fs.test_protocol()),
    });
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
        schedule: options.schedule,
        weight_decay: options.weight_decay,
        minibatch,
        evaluation,
        evaluations: evaluations + counted.calls(),
        provenance: None,
    })
}

/// Rejects training options the optimizer or the problem cannot take: a schedule, weight
/// decay or minibatches for a method without a learning rate, weight decay on a
/// constrained problem, minibatches on a problem that is not a finite sum.
fn check_training_options(
    f: &dyn Objective,
    optimizer: &dyn Optimizer,
    options: &RunOptions,
) -> Result<()> {
    let given = [
        ("schedule", options.schedule.is_some()),
        ("weight_decay", options.weight_decay.is_some()),
        ("batch_size", options.minibatch.is_some()),
    ];
    if optimizer.learning_rate().is_none() {
        if let Some((name, _)) = given.iter().find(|(_, given)| *given) {
            return Err(Error::invalid(
                *name,
                "a gradient-step optimizer with a learning rate (gd, heavy_ball, nesterov, \
                 adagrad, rmsprop, adadelta, adam, noisy_gd)",
                format!("`{}`", optimizer.name()),
            ));
        }
    }
    if options.weight_decay.is_some() && !f.manifold().is_euclidean() {
        return Err(Error::invalid(
            "weight_decay",
            "an unconstrained problem (on spheres ‖x‖ is fixed and the decay term constant)",
            format!("`{}`, which is sphere-constrained", f.kind()),
        ));
    }
    if options.minibatch.is_some() && f.as_finite_sum().is_none() {
        return Err(Error::invalid(
            "batch_size",
            "a problem that is a finite sum over training samples (e.g. matrix_sensing)",
            format!("`{}`, which is not", f.kind()),
        ));
    }
    Ok(())
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
    fn symmetry_structure(&self, x: &[f64]) -> Option<crate::objective::SymmetryStructure> {
        self.inner.symmetry_structure(x)
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
