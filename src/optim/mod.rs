//! Optimizers and the one run loop they share.
//!
//! The split is argmin's: each optimizer file (`gd.rs`, `heavy_ball.rs`, …) holds its
//! hyperparameters (a struct with documented defaults and a `validate()`), its state,
//! and one [`Optimizer::step`]; the run loop ([`run()`], in `run.rs`) owns everything
//! else — the iteration cap, the gradient-norm tolerance, the target value, divergence
//! and stall detection, gradient clipping, recording, retraction onto sphere-constrained
//! manifolds and the [`Termination`] reason.
//!
//! ```
//! use landscape::optim::{self, Hyperparameters, RunOptions, Termination};
//! use landscape::problems;
//!
//! let (_spec, f) = problems::load("rosenbrock", &[]).unwrap();
//! let hp = Hyperparameters { lr: Some(1e-3), ..Default::default() };
//! let mut gd = optim::build("gd", &hp).unwrap();
//! let options = RunOptions { max_iters: 200, ..Default::default() };
//! let trajectory = optim::run(f.as_ref(), gd.as_mut(), &[-1.0, 1.0], &options).unwrap();
//! assert_eq!(trajectory.termination, Termination::MaxIters);
//! assert!(trajectory.final_state.value < trajectory.records[0].value);
//! ```
//!
//! # Adding an optimizer
//! One file `src/optim/<name>.rs` with a hyperparameter struct (`Default` = the
//! reference defaults, `validate()` through the helpers below), a state struct
//! implementing [`Optimizer`], and one entry in [`OPTIMIZERS`]. A hyperparameter that
//! [`Hyperparameters`] lacks is one new `Option` field there (and its flag in
//! `cli/run.rs`).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::objective::Objective;

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod argmin_solvers;
pub mod gd;
pub mod heavy_ball;
pub mod nesterov;
pub mod newton;
pub mod noise;
pub mod noisy_gd;
pub mod output;
pub mod pgd;
pub mod rmsprop;
mod run;

pub use run::{
    run, run_with_progress, Clip, Event, EventKind, FinalState, Record, RunOptions, Termination,
    Trajectory, DEFAULT_GRAD_TOL, DEFAULT_MAX_ITERS,
};

/// What one [`Optimizer::step`] did, for the run loop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// Objective calls made inside the step (value, gradient or HVP), beyond the one
    /// value-and-gradient evaluation per iteration that the loop makes itself: 0 for the
    /// first-order methods; line searches, Hessian builds and wrapped solvers count theirs.
    pub evaluations: usize,
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
///   dense Hessian column by column, counting the calls in [`Step::evaluations`].
/// - A wrapped external solver (argmin's L-BFGS, Newton-CG, trust region) may run its
///   own line search, evaluating `f` as often as it needs, and report the value and
///   gradient it ended with through [`Step::evaluated`] to avoid a double evaluation.
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
}

/// Steps until β^n < 2⁻⁵³, i.e. until an exponential moving average with factor β has
/// forgotten its start to machine precision: ⌈53 ln 2 / −ln β⌉ (1 for β = 0).
pub fn settle_steps(beta: f64) -> usize {
    if beta <= 0.0 {
        return 1;
    }
    (53.0 * std::f64::consts::LN_2 / -beta.ln()).ceil().max(1.0) as usize
}

/// Hyperparameters as given on the command line or by a library caller: `None` means
/// "the optimizer's default". Each optimizer takes the fields it understands and
/// [`build`] rejects those it does not take (naming them), so a typo'd `--beta1` to
/// `gd` is an error rather than silently ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Hyperparameters {
    /// Learning rate (step size) η.
    pub lr: Option<f64>,
    /// Momentum μ (heavy_ball, nesterov).
    pub momentum: Option<f64>,
    /// Adam's first-moment decay β₁.
    pub beta1: Option<f64>,
    /// Adam's second-moment decay β₂.
    pub beta2: Option<f64>,
    /// The ε added to a denominator.
    pub eps: Option<f64>,
    /// RMSprop's smoothing constant α.
    pub alpha: Option<f64>,
    /// Adadelta's decay ρ.
    pub rho: Option<f64>,
    /// Adam's bias correction (`Some(false)` from `--no-bias-correction`).
    pub bias_correction: Option<bool>,
    /// Saddle-free Newton's eigenvalue floor δ.
    pub damping: Option<f64>,
    /// L-BFGS's memory m (number of stored (s, y) pairs).
    pub memory: Option<usize>,
    /// pgd's perturbation radius r; noisy_gd's noise radius (or standard deviation).
    pub radius: Option<f64>,
    /// pgd: perturb when ‖∇f‖ ≤ g_thres.
    pub g_thres: Option<f64>,
    /// pgd: steps between perturbations, and the window of the decrease test.
    pub t_thres: Option<usize>,
    /// pgd: stop when f fell by less than f_thres over t_thres steps.
    pub f_thres: Option<f64>,
    /// pgd paper mode: ℓ, the Lipschitz constant of ∇f.
    pub ell: Option<f64>,
    /// pgd paper mode: ρ, the Lipschitz constant of ∇²f.
    pub rho_hessian: Option<f64>,
    /// pgd paper mode: ε, the target gradient norm of an ε-second-order stationary point.
    pub epsilon: Option<f64>,
    /// pgd paper mode: the absolute constant c.
    pub c: Option<f64>,
    /// pgd paper mode: the failure probability δ.
    pub delta: Option<f64>,
    /// pgd paper mode: Δf ≥ f(x₀) − f*.
    pub delta_f: Option<f64>,
    /// noisy_gd's noise distribution (uniform on the sphere, or Gaussian).
    pub noise: Option<noise::Noise>,
    /// Seed of the random perturbations (pgd, noisy_gd).
    pub seed: Option<u64>,
}

impl Hyperparameters {
    /// The names of the fields that are set, as their flags are spelled.
    pub fn given(&self) -> Vec<&'static str> {
        let floats = [
            ("lr", self.lr),
            ("momentum", self.momentum),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
            ("eps", self.eps),
            ("alpha", self.alpha),
            ("rho", self.rho),
            ("damping", self.damping),
            ("radius", self.radius),
            ("g_thres", self.g_thres),
            ("f_thres", self.f_thres),
            ("ell", self.ell),
            ("rho_hessian", self.rho_hessian),
            ("epsilon", self.epsilon),
            ("c", self.c),
            ("delta", self.delta),
            ("delta_f", self.delta_f),
        ];
        let mut names: Vec<&'static str> = floats
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect();
        if self.bias_correction.is_some() {
            names.push("bias_correction");
        }
        if self.memory.is_some() {
            names.push("memory");
        }
        if self.t_thres.is_some() {
            names.push("t_thres");
        }
        if self.noise.is_some() {
            names.push("noise");
        }
        if self.seed.is_some() {
            names.push("seed");
        }
        names
    }
}

/// One entry of the optimizer registry.
#[derive(Clone, Copy)]
pub struct OptimizerEntry {
    /// The name given to `--optimizer`.
    pub name: &'static str,
    /// One line: what it is, its update rule and its defaults in brackets (shown by
    /// `landscape run --help`).
    pub description: &'static str,
    /// The [`Hyperparameters`] fields it takes (others are rejected).
    pub accepts: &'static [&'static str],
    /// Builds it from validated hyperparameters.
    pub build: fn(&Hyperparameters) -> Result<Box<dyn Optimizer>>,
}

/// Every optimizer, in the order `landscape run --help` lists them.
pub const OPTIMIZERS: &[OptimizerEntry] = &[
    gd::ENTRY,
    heavy_ball::ENTRY,
    nesterov::ENTRY,
    newton::NEWTON_ENTRY,
    newton::SADDLE_FREE_ENTRY,
    adagrad::ENTRY,
    rmsprop::ENTRY,
    adadelta::ENTRY,
    adam::ENTRY,
    argmin_solvers::LBFGS_ENTRY,
    argmin_solvers::TRUST_REGION_ENTRY,
    pgd::ENTRY,
    noisy_gd::ENTRY,
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
        .map(|e| format!("  {:<width$}{}", e.name, e.description))
        .collect();
    format!(
        "Optimizers (the first-order ones follow torch.optim's update rules exactly; defaults in brackets):\n{}",
        lines.join("\n")
    )
}

/// Builds the optimizer called `name`: an unknown name is an error listing the known
/// ones; a hyperparameter it does not take, or one out of range, is an error naming it.
pub fn build(name: &str, hp: &Hyperparameters) -> Result<Box<dyn Optimizer>> {
    let entry =
        OPTIMIZERS
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| Error::UnknownOptimizer {
                name: name.to_string(),
                known: known_names(),
            })?;
    if let Some(extra) = hp.given().into_iter().find(|n| !entry.accepts.contains(n)) {
        return Err(Error::InvalidHyperparameter {
            optimizer: name.to_string(),
            name: extra.to_string(),
            expected: format!(
                "one of the hyperparameters `{name}` takes ({})",
                if entry.accepts.is_empty() {
                    "none".to_string()
                } else {
                    entry.accepts.join(", ")
                }
            ),
            found: format!("`{extra}`, which it does not take"),
        });
    }
    (entry.build)(hp)
}

fn invalid(optimizer: &str, name: &str, expected: &str, found: f64) -> Error {
    Error::InvalidHyperparameter {
        optimizer: optimizer.to_string(),
        name: name.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks `0 < value < ∞` (a learning rate, an ε).
pub fn check_positive(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a positive finite number", value))
    }
}

/// Checks `0 ≤ value < ∞`.
pub fn check_non_negative(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a finite number ≥ 0", value))
    }
}

/// Checks `0 ≤ value < 1` (a momentum, a decay rate β, α, ρ).
pub fn check_decay(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a number in [0, 1)", value))
    }
}

/// ‖v‖₂.
#[inline]
pub fn norm(v: &[f64]) -> f64 {
    crate::manifold::dot(v, v).sqrt()
}
