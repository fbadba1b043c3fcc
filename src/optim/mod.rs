//! Optimizers and the one run loop they share.
//!
//! The split is argmin's: an optimizer holds its hyperparameters, its state and one
//! step; the run loop ([`run()`], in `run.rs`) owns everything else — the iteration cap,
//! the gradient-norm tolerance, the target value, divergence and stall detection,
//! gradient clipping, recording, retraction onto sphere-constrained manifolds, counting
//! objective evaluations, and the [`Termination`] reason.
//!
//! - Hyperparameters are typed: each optimizer has one serde struct implementing
//!   [`Params`] (`Default` = the reference defaults, `validate` = the range checks).
//!   Callers give [`Hyperparameters`] (name → value); [`build`] deserialises the struct
//!   from them, so a name the optimizer does not take is rejected by the deserialisation
//!   and named in the error. The help text's defaults are rendered from the same struct.
//! - A first-order method is an [`UpdateRule`]: x ← u(x, g) with its state, nothing else;
//!   the generic [`FirstOrder`] adapter runs any rule. Methods that need more (Newton's
//!   Hessian, argmin's line searches, pgd's perturbation events, noisy_gd's tangent
//!   noise) implement [`Optimizer`] themselves.
//! - The registry [`OPTIMIZERS`] is one [`entry`] per optimizer, built from its
//!   [`Method`] impl (name, summary, params type, constructor).
//!
//! ```
//! use landscape::optim::{self, Hyperparameters, RunOptions, Termination};
//! use landscape::problems;
//!
//! let (_spec, f) = problems::load("rosenbrock", &[]).unwrap();
//! let mut gd = optim::build("gd", &Hyperparameters::new().with("lr", 1e-3)).unwrap();
//! let options = RunOptions { max_iters: 200, ..Default::default() };
//! let trajectory = optim::run(f.as_ref(), gd.as_mut(), &[-1.0, 1.0], &options).unwrap();
//! assert_eq!(trajectory.termination, Termination::MaxIters);
//! assert!(trajectory.final_state.value < trajectory.records[0].value);
//! ```
//!
//! # Adding an optimizer
//! A first-order method is one file `src/optim/<name>.rs` — its params struct (serde,
//! `Default`, [`Params`]), its state struct implementing [`UpdateRule`] — plus its
//! `pub mod` line and one registry line `entry::<FirstOrder<name::Rule>>()` in
//! [`OPTIMIZERS`]. A hyperparameter name no optimizer had before also needs its flag in
//! `cli/run.rs`. CONTRIBUTING.md walks through an example.

use crate::error::{Error, Result};
use crate::objective::Objective;

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod argmin_solvers;
pub mod first_order;
pub mod gd;
pub mod heavy_ball;
pub mod minibatch;
pub mod nesterov;
pub mod newton;
pub mod noise;
pub mod noisy_gd;
pub mod output;
pub mod params;
pub mod pgd;
pub mod rmsprop;
mod run;
pub mod schedule;
pub mod weight_decay;

pub use first_order::{FirstOrder, UpdateRule};
pub use minibatch::{EvaluationInfo, Minibatch, MinibatchInfo};
pub use params::{
    check_at_least_one, check_decay, check_non_negative, check_positive, HyperparameterValue,
    Hyperparameters, Params,
};
pub use run::{
    run, run_with_progress, Clip, Event, EventKind, FinalState, Record, RunOptions, Termination,
    Trajectory, DEFAULT_GRAD_TOL, DEFAULT_MAX_ITERS,
};
pub use schedule::{Schedule, Scheduler};
pub use weight_decay::{DecayForm, WeightDecay};

/// What one [`Optimizer::step`] did, for the run loop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// `Some(f(x_new))` when the step has already evaluated the objective at the point it
    /// wrote into `x` *and* written the Euclidean gradient ∇f(x_new) into `next_grad`
    /// (a line search or a wrapped solver usually has both). The loop then skips its own
    /// evaluation. Ignored on constrained problems, where the loop retracts `x` after the
    /// step and so must evaluate at the retracted point itself.
    pub evaluated: Option<f64>,
    /// The optimizer asks the loop to stop, with its reason (e.g.
    /// `Termination::Solver("singular_hessian".into())`, a failed line search). `x` is
    /// then taken as it is after the step.
    pub stop: Option<Termination>,
    /// Something to record besides the update (a perturbation); the loop sets its
    /// `iter` and appends it to [`Trajectory::events`].
    pub event: Option<Event>,
}

/// One optimization method: its state and one iteration.
///
/// The run loop calls [`start`](Optimizer::start) once, then, at each iteration with
/// x = xₜ, f(xₜ) and gₜ = ∇f(xₜ) (Riemannian on constrained problems, clipped when the
/// run clips), calls [`step`](Optimizer::step), which must overwrite `x` with xₜ₊₁. The
/// loop then retracts x on sphere-constrained problems, evaluates f and ∇f at xₜ₊₁
/// (unless the step did, see [`Step::evaluated`]), records, and decides whether to stop.
///
/// - A first-order method reads only `grad` and its own state.
/// - A second-order method may call `f.hvp` (or `f.riemannian_hvp`) at `x`, or build a
///   dense Hessian column by column.
/// - A wrapped external solver (argmin's L-BFGS, Newton-CG, trust region) may run its
///   own line search, evaluating `f` as often as it needs, and report the value and
///   gradient it ended with through [`Step::evaluated`] to avoid a double evaluation.
///
/// The `f` handed to `start` and `step` counts the calls made through it (value,
/// gradient, value-and-gradient, HVP: one each), so an optimizer does no bookkeeping of
/// its own for [`Trajectory::evaluations`].
///
/// The hot loop must not allocate: allocate buffers of length `f.dim()` in `start`.
pub trait Optimizer: Send {
    /// The registry name (`gd`, `adam`, …).
    fn name(&self) -> &'static str;

    /// The hyperparameters in use, defaults filled in, as a JSON object (written into
    /// the trajectory's `hyperparameters`).
    fn hyperparameters(&self) -> serde_json::Value;

    /// Resets the state for a new run from `x0` on `f` (allocating the buffers, zeroing
    /// moments and step counters). Called once by the run loop before the first step;
    /// an optimizer can be reused for several runs.
    fn start(&mut self, f: &dyn Objective, x0: &[f64]) -> Result<()>;

    /// One iteration: overwrites `x` (= xₜ) with xₜ₊₁, given `value` = f(xₜ) and `grad`,
    /// the gradient at xₜ handed over by the loop (Riemannian on constrained problems,
    /// clipped when the run clips). `next_grad` is a buffer of length `f.dim()` that the
    /// step may fill with ∇f(xₜ₊₁) (see [`Step::evaluated`]); otherwise leave it alone.
    fn step(
        &mut self,
        f: &dyn Objective,
        x: &mut [f64],
        value: f64,
        grad: &[f64],
        next_grad: &mut [f64],
    ) -> Step;

    /// Number of consecutive steps leaving x bit-for-bit unchanged (with a non-zero
    /// gradient) after which the loop stops with [`Termination::Stalled`]. For a
    /// memoryless method such as GD one unchanged step is an exact floating-point fixed
    /// point, so the default is 1; a method whose state keeps evolving while x stands
    /// still (momentum, moving averages) returns the number of steps its state takes to
    /// settle to machine precision (see [`settle_steps`]).
    fn stall_patience(&self) -> usize {
        1
    }

    /// True for the methods that perturb (near-)stationary points to escape saddles
    /// (`pgd`, `noisy_gd`): the loop then does not stop as `converged` when ‖∇f‖ ≤
    /// `grad_tol` (at an exact saddle that would end the run before the first
    /// perturbation); their own rule, the target or the cap ends the run.
    fn escapes_stationary_points(&self) -> bool {
        false
    }

    /// The learning rate η of a *gradient-step method*: one whose step reads only the
    /// gradient the loop hands over (no objective calls of its own) and scales its update
    /// by η. Such a method can take a learning-rate schedule, weight decay and minibatch
    /// gradients from the run loop; the others (Newton-type, line searches, pgd's
    /// perturbation checks) return `None`, the default, and the loop rejects those
    /// options for them.
    fn learning_rate(&self) -> Option<f64> {
        None
    }

    /// Sets η for the following steps (a schedule's ηₜ). Called only when
    /// [`learning_rate`](Optimizer::learning_rate) is `Some`; the default ignores it.
    fn set_learning_rate(&mut self, _lr: f64) {}
}

/// Steps until β^n < 2⁻⁵³, i.e. until an exponential moving average with factor β has
/// forgotten its start to machine precision: ⌈53 ln 2 / −ln β⌉ (1 for β = 0).
pub fn settle_steps(beta: f64) -> usize {
    if beta <= 0.0 {
        return 1;
    }
    (53.0 * std::f64::consts::LN_2 / -beta.ln()).ceil().max(1.0) as usize
}

/// An optimizer as the registry knows it: its name, summary, typed parameters and
/// constructor. [`FirstOrder`] implements it for every [`UpdateRule`]; the methods that
/// implement [`Optimizer`] themselves implement it directly.
pub trait Method: 'static {
    /// The registry name (`--optimizer`).
    const NAME: &'static str;
    /// One line for `landscape run --help`: what it is and its update (the defaults are
    /// appended from [`Params::help`]).
    const SUMMARY: &'static str;
    /// Its hyperparameters.
    type Params: Params;

    /// The optimizer with `params` (already validated by [`Params::validate`]).
    fn from_params(params: Self::Params) -> Result<Box<dyn Optimizer>>;
}

/// One entry of the optimizer registry (made by [`entry`]).
#[derive(Clone, Copy)]
pub struct OptimizerEntry {
    /// The name given to `--optimizer`.
    pub name: &'static str,
    /// What it is and its update rule (without the defaults).
    pub summary: &'static str,
    accepts: fn() -> &'static [&'static str],
    defaults: fn() -> String,
    build: fn(&Hyperparameters) -> Result<Box<dyn Optimizer>>,
}

/// The registry entry of the method `M`.
pub const fn entry<M: Method>() -> OptimizerEntry {
    OptimizerEntry {
        name: M::NAME,
        summary: M::SUMMARY,
        accepts: params::accepted::<M::Params>,
        defaults: <M::Params as Params>::help,
        build: build_method::<M>,
    }
}

fn build_method<M: Method>(given: &Hyperparameters) -> Result<Box<dyn Optimizer>> {
    M::from_params(parameters::<M>(given)?)
}

impl OptimizerEntry {
    /// The hyperparameter names it takes (others are rejected).
    pub fn accepts(&self) -> &'static [&'static str] {
        (self.accepts)()
    }

    /// The summary with the defaults in brackets (a line of `landscape run --help`).
    pub fn description(&self) -> String {
        let defaults = (self.defaults)();
        if defaults.is_empty() {
            self.summary.to_string()
        } else {
            format!("{} [{defaults}]", self.summary)
        }
    }

    /// Builds it from `given` (see [`build`]).
    pub fn build(&self, given: &Hyperparameters) -> Result<Box<dyn Optimizer>> {
        (self.build)(given)
    }
}

/// Every optimizer, in the order `landscape run --help` lists them.
pub const OPTIMIZERS: &[OptimizerEntry] = &[
    entry::<FirstOrder<gd::Gd>>(),
    entry::<FirstOrder<heavy_ball::HeavyBall>>(),
    entry::<FirstOrder<nesterov::Nesterov>>(),
    entry::<newton::Newton>(),
    entry::<newton::SaddleFreeNewton>(),
    entry::<FirstOrder<adagrad::Adagrad>>(),
    entry::<FirstOrder<rmsprop::RmsProp>>(),
    entry::<FirstOrder<adadelta::Adadelta>>(),
    entry::<FirstOrder<adam::Adam>>(),
    entry::<argmin_solvers::Lbfgs>(),
    entry::<argmin_solvers::TrustRegionNewton>(),
    entry::<pgd::Pgd>(),
    entry::<noisy_gd::NoisyGd>(),
];

/// The names of the known optimizers, comma-separated.
pub fn known_names() -> String {
    OPTIMIZERS
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The optimizer list of `landscape run --help`: one line per registry entry.
pub fn help_text() -> String {
    let width = OPTIMIZERS.iter().map(|e| e.name.len()).max().unwrap_or(0) + 2;
    let lines: Vec<String> = OPTIMIZERS
        .iter()
        .map(|e| format!("  {:<width$}{}", e.name, e.description()))
        .collect();
    format!(
        "Optimizers (the first-order ones follow torch.optim's update rules exactly; defaults in brackets):\n{}",
        lines.join("\n")
    )
}

/// The entry of the optimizer called `name`; names are written with `_`, and `-` is read
/// as `_` (`trust-region` is `trust_region`).
pub fn find(name: &str) -> Option<&'static OptimizerEntry> {
    let name = name.replace('-', "_");
    OPTIMIZERS.iter().find(|e| e.name == name)
}

/// Builds the optimizer called `name` from the hyperparameters `given`: an unknown name
/// is an error listing the known ones; a hyperparameter it does not take, one of the
/// wrong type or out of range, is an error naming it.
pub fn build(name: &str, given: &Hyperparameters) -> Result<Box<dyn Optimizer>> {
    let entry = find(name).ok_or_else(|| Error::UnknownOptimizer {
        name: name.to_string(),
        known: known_names(),
    })?;
    entry.build(given)
}

/// The typed, validated parameters of the method `M` from the hyperparameters `given`
/// (as [`build`] reads them), for a caller that builds `M` itself (e.g. once per trial).
pub fn parameters<M: Method>(given: &Hyperparameters) -> Result<M::Params> {
    params::parse(M::NAME, given)
}
