//! argmin's L-BFGS and trust-region Newton (Steihaug-CG) driven by our run loop.
//!
//! # Design
//! argmin splits a method into a solver (`Solver::init`, `Solver::next_iter`, one
//! iteration each) and an executor that owns the loop. Here *our* run loop is the
//! executor: [`ArgminSolver`] keeps argmin's solver and its `IterState` between steps,
//! and each [`ArgminSolver::iterate`] call performs exactly one argmin iteration, the
//! same calls, in the same order, as argmin's `Executor::run` makes:
//!
//! 1. on the first step (or whenever the iterate handed in is not the one argmin
//!    returned last, i.e. the run was restarted), a fresh copy of the solver is
//!    initialised, `init` then `state.update()`, on `IterState::new().param(x)`;
//! 2. the solver's own stopping test (`Solver::terminate`: L-BFGS stops on ‖g‖ < √ε or
//!    |Δf| < ε) is consulted — argmin's iteration cap and target cost are *not*, our loop
//!    owns those;
//! 3. `next_iter`, then `state.update()` and `state.increment_iter()` (L-BFGS counts
//!    iterations to age its memory); a state that argmin marked terminated (e.g. a
//!    failed line search) ends the run with argmin's reason.
//!
//! The first initialisation takes ∇f(x₀) from the loop (argmin's `init` skips
//! evaluating a gradient the state already holds). The problem is the [`ArgminObjective`]
//! adapter, rebuilt each step from the borrowed objective (two pointers; argmin's
//! `Problem` wrapper allocates nothing when built). After each iteration the value and
//! gradient argmin holds at its new iterate are handed to the loop
//! ([`Step::evaluated`]), so the loop does not evaluate again, and the records, gradient
//! norms and termination reasons are those of every other optimizer. The function
//! evaluations argmin makes (cost, gradient, d HVPs per dense Hessian) go through the
//! objective the loop hands over, which counts them.
//!
//! Allocation: argmin's API is by value, so each iteration allocates new `DVector`s
//! (and, for the trust region, a d × d Hessian); that is argmin's cost, measured in
//! `benches/newton.rs`.
//!
//! # Methods
//! - `lbfgs`: `argmin::solver::quasinewton::LBFGS` with memory m (default 10, as
//!   scipy's L-BFGS-B) and argmin's Moré–Thuente line search
//!   (`MoreThuenteLineSearch`, c₁ = 1e-4, c₂ = 0.9), its step bounded to [√ε, 1e10] so
//!   that an unbounded-below direction ends in finitely many probes;
//! - `trust_region`: `argmin::solver::trustregion::TrustRegion` (initial radius 1, maximal
//!   radius 100, acceptance η = 0.125: argmin's defaults) with the Steihaug truncated-CG
//!   subproblem, capped at 2d + 10 CG iterations. It needs the dense Hessian
//!   ([`ArgminObjective`]'s, from d exact HVPs), so d ≤ [`MAX_DENSE_DIM`](super::newton::MAX_DENSE_DIM). A rejected
//!   trial step leaves x unchanged (a record with step norm 0) and shrinks the radius.
//!
//! argmin's `NewtonCG` is not offered: its inner CG loop (`for iter in 0..`) has no
//! iteration cap, and this crate runs no iterative method without one.
//!
//! Both solvers only see the Euclidean problem: constrained problems (spheres) are
//! rejected when the run starts. They compute their own gradients, so gradient clipping
//! cannot reach them: a run whose loop hands over a gradient that differs from argmin's
//! (i.e. a clipped one) stops with the reason `clipping_unsupported` before moving. A panic inside argmin (its Steihaug and Moré–Thuente code `unwrap` float
//! comparisons, which panic on NaN) is caught and becomes a termination reason, never a
//! crash of the run.

use std::panic::{catch_unwind, AssertUnwindSafe};

use argmin::core::{IterState, Problem, Solver, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::newton::{check_dense_problem, reject_constrained};
use super::{check_at_least_one, Method, Optimizer, Params, Step, Termination};
use crate::argmin_interop::{ArgminObjective, EvaluationBudget};
use crate::error::Result;
use crate::finite_difference::relative_error;
use crate::objective::Objective;

/// argmin's state for our parameter type: parameters and gradients are `DVector<f64>`,
/// the Hessian type `H` is `()` for L-BFGS and `DMatrix<f64>` for trust region.
pub type ArgminState<H> = IterState<DVector<f64>, DVector<f64>, (), H, (), f64>;

/// The most evaluations of f or ∇f (d HVPs count as one Hessian) argmin may make in one
/// iteration: Moré–Thuente needs a handful, and has no cap of its own.
pub const ITERATION_EVALUATIONS: usize = 1000;

/// argmin's L-BFGS with the Moré–Thuente line search, on `DVector<f64>`.
pub type LbfgsSolver =
    LBFGS<MoreThuenteLineSearch<DVector<f64>, DVector<f64>, f64>, DVector<f64>, DVector<f64>, f64>;

/// argmin's trust-region method with the Steihaug subproblem, on `DVector<f64>`.
pub type TrustRegionSolver = TrustRegion<Steihaug<DVector<f64>, f64>, f64>;

/// Default L-BFGS memory m (number of stored (s, y) pairs).
pub const DEFAULT_LBFGS_MEMORY: usize = 10;

/// Consecutive rejected trust-region steps (x unchanged) tolerated before the loop calls
/// the run stalled: each rejection shrinks the radius at least fourfold, so 64 of them
/// take it from its maximum, 100, far below the spacing of floating-point numbers.
const TRUST_REGION_PATIENCE: usize = 64;

/// Hyperparameters of L-BFGS.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LbfgsParams {
    /// Memory m ≥ 1, the number of stored (s, y) pairs; defaults to 10.
    pub memory: usize,
}

impl Default for LbfgsParams {
    fn default() -> Self {
        LbfgsParams {
            memory: DEFAULT_LBFGS_MEMORY,
        }
    }
}

impl Params for LbfgsParams {
    /// m ≥ 1, and m pairs' bookkeeping (64 bytes a pair) within the memory budget.
    fn validate(&self, optimizer: &str) -> Result<()> {
        check_at_least_one(optimizer, "memory", self.memory)?;
        crate::budget::check_count("memory", self.memory as u128, 64)
    }
}

/// The trust region takes no hyperparameters (argmin's defaults, listed in its
/// trajectory's `hyperparameters`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustRegionParams {}

impl Params for TrustRegionParams {
    fn validate(&self, _optimizer: &str) -> Result<()> {
        Ok(())
    }
}

impl Method for Lbfgs {
    const NAME: &'static str = "lbfgs";
    const SUMMARY: &'static str = "argmin's L-BFGS with the Moré–Thuente line search";
    type Params = LbfgsParams;

    fn from_params(params: LbfgsParams) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(Lbfgs::lbfgs(params.memory)?))
    }
}

impl Method for TrustRegionNewton {
    const NAME: &'static str = "trust_region";
    const SUMMARY: &'static str =
        "argmin's trust-region Newton with Steihaug's truncated CG on the dense Hessian";
    type Params = TrustRegionParams;

    fn from_params(_params: TrustRegionParams) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(TrustRegionNewton::trust_region()))
    }
}

/// Why an argmin iteration ended the run.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgminStop {
    /// The solver's own convergence test held (argmin's `SolverConverged`).
    Converged(String),
    /// argmin ended the run for another reason (e.g. its line search failed).
    SolverExit(String),
    /// argmin returned an error or panicked.
    Failed(String),
}

impl ArgminStop {
    /// The termination reason's name: `solver_converged`, `solver_exit` or
    /// `solver_error`.
    pub fn name(&self) -> &'static str {
        match self {
            ArgminStop::Converged(_) => "solver_converged",
            ArgminStop::SolverExit(_) => "solver_exit",
            ArgminStop::Failed(_) => "solver_error",
        }
    }

    /// argmin's message.
    pub fn message(&self) -> &str {
        match self {
            ArgminStop::Converged(m) | ArgminStop::SolverExit(m) | ArgminStop::Failed(m) => m,
        }
    }

    /// The run's termination: `solver_converged`, or `solver_exit: <argmin's message>`.
    pub fn termination(&self) -> Termination {
        match self {
            ArgminStop::Converged(_) => Termination::Solver(self.name().to_string()),
            _ => Termination::Solver(format!("{}: {}", self.name(), self.message())),
        }
    }
}

/// How an argmin solver type is configured for a problem of dimension d.
pub trait Configure: Sized {
    /// The solver for dimension `dim`.
    fn configure(&self, dim: usize) -> Self;
}

impl Configure for LbfgsSolver {
    fn configure(&self, _dim: usize) -> Self {
        self.clone()
    }
}

impl Configure for TrustRegionSolver {
    /// Steihaug's CG capped at 2d + 10 iterations (CG is exact in d steps in exact
    /// arithmetic; the slack covers rounding).
    fn configure(&self, dim: usize) -> Self {
        TrustRegion::new(Steihaug::new().with_max_iters(2 * dim as u64 + 10))
    }
}

/// An argmin solver and its state, stepped one argmin iteration at a time.
pub struct ArgminSolver<S, H> {
    name: &'static str,
    hyperparameters: serde_json::Value,
    /// Whether the dense Hessian is formed (trust region).
    dense: bool,
    /// The solver as configured for the current problem, copied afresh at every start.
    template: S,
    solver: S,
    state: Option<ArgminState<H>>,
    /// Scratch: the gradient argmin starts from.
    scratch: Vec<f64>,
}

/// L-BFGS through our loop.
pub type Lbfgs = ArgminSolver<LbfgsSolver, ()>;

/// Trust-region Newton (Steihaug) through our loop.
pub type TrustRegionNewton = ArgminSolver<TrustRegionSolver, DMatrix<f64>>;

impl Lbfgs {
    /// argmin's L-BFGS with memory m ≥ 1 and the Moré–Thuente line search.
    pub fn lbfgs(memory: usize) -> Result<Self> {
        LbfgsParams { memory }.validate(Self::NAME)?;
        let linesearch = MoreThuenteLineSearch::new()
            .with_bounds(f64::EPSILON.sqrt(), 1e10)
            .expect("√ε < 1e10");
        let solver = LBFGS::new(linesearch, memory);
        Ok(Self::from_solver(
            Self::NAME,
            json!({ "memory": memory }),
            false,
            solver,
        ))
    }
}

impl TrustRegionNewton {
    /// argmin's trust region (radius 1, maximal radius 100, η = 0.125) with the Steihaug
    /// subproblem, capped at 2d + 10 CG iterations once the dimension is known.
    pub fn trust_region() -> Self {
        let solver = TrustRegion::new(Steihaug::new().with_max_iters(10));
        let hyperparameters = json!({
            "radius": 1.0,
            "max_radius": 100.0,
            "eta": 0.125,
            "subproblem": "steihaug",
        });
        Self::from_solver(Self::NAME, hyperparameters, true, solver)
    }
}

impl<S: Clone, H> ArgminSolver<S, H> {
    fn from_solver(
        name: &'static str,
        hyperparameters: serde_json::Value,
        dense: bool,
        solver: S,
    ) -> Self {
        ArgminSolver {
            name,
            hyperparameters,
            dense,
            template: solver.clone(),
            solver,
            state: None,
            scratch: Vec::new(),
        }
    }

    /// Number of argmin iterations since the last (re)start.
    pub fn iterations(&self) -> u64 {
        self.state.as_ref().map_or(0, State::get_iter)
    }
}

impl<S, H> ArgminSolver<S, H>
where
    S: Clone + Configure + for<'a> Solver<ArgminObjective<'a>, ArgminState<H>>,
    H: Clone,
{
    /// Configures the solver for `f` (rejecting constrained problems, and for the trust
    /// region problems too large for a dense Hessian) and forgets any previous run.
    pub fn prepare(&mut self, f: &dyn Objective) -> Result<()> {
        if self.dense {
            check_dense_problem(self.name, f)?;
        } else {
            reject_constrained(self.name, f)?;
        }
        self.template = self.template.configure(f.dim());
        self.state = None;
        self.scratch.resize(f.dim(), 0.0);
        Ok(())
    }

    /// One argmin iteration from `x`; on success `x` holds argmin's new iterate, and
    /// [`current`](Self::current) its value and gradient.
    ///
    /// # Panics
    /// If `x.len() != f.dim()` (programmer error).
    #[track_caller]
    pub fn iterate(&mut self, f: &dyn Objective, x: &mut [f64]) -> Result<(), ArgminStop> {
        assert_eq!(x.len(), f.dim(), "ArgminSolver::iterate: point length");
        let budget = EvaluationBudget::new(ITERATION_EVALUATIONS);
        let mut problem = Problem::new(ArgminObjective::with_budget(f, &budget));
        let result = self.iterate_on(&mut problem, x);
        match result {
            Err(ArgminStop::Failed(_) | ArgminStop::SolverExit(_)) if budget.exhausted() => {
                Err(ArgminStop::SolverExit(budget.exhausted_message()))
            }
            other => other,
        }
    }

    fn iterate_on(
        &mut self,
        problem: &mut Problem<ArgminObjective<'_>>,
        x: &mut [f64],
    ) -> Result<(), ArgminStop> {
        let resume = match &self.state {
            Some(state) => state.get_param().is_some_and(|p| p.as_slice() == x),
            None => false,
        };
        let state = match self.state.take() {
            Some(state) if resume => state,
            _ => self.start(
                problem,
                IterState::new().param(DVector::from_column_slice(x)),
            )?,
        };
        if let TerminationStatus::Terminated(reason) = self.solver.terminate(&state) {
            self.state = Some(state);
            return Err(stop_from(reason));
        }
        let solver = &mut self.solver;
        let outcome = catch_unwind(AssertUnwindSafe(|| solver.next_iter(problem, state)));
        let (mut state, _) = match outcome {
            Ok(Ok(next)) => next,
            Ok(Err(e)) => return Err(ArgminStop::Failed(e.to_string())),
            Err(panic) => return Err(ArgminStop::Failed(panic_message(&panic))),
        };
        state.update();
        state.increment_iter();
        if let TerminationStatus::Terminated(reason) = state.get_termination_status().clone() {
            return Err(stop_from(reason));
        }
        match state.get_param() {
            Some(p) => x.copy_from_slice(p.as_slice()),
            None => return Err(ArgminStop::Failed("argmin returned no parameter".into())),
        }
        self.state = Some(state);
        Ok(())
    }

    /// A fresh solver initialised on `state` (argmin's `Executor::run` prologue).
    fn start(
        &mut self,
        problem: &mut Problem<ArgminObjective<'_>>,
        state: ArgminState<H>,
    ) -> Result<ArgminState<H>, ArgminStop> {
        self.solver = self.template.clone();
        let solver = &mut self.solver;
        match catch_unwind(AssertUnwindSafe(|| solver.init(problem, state))) {
            Ok(Ok((mut state, _))) => {
                state.update();
                Ok(state)
            }
            Ok(Err(e)) => Err(ArgminStop::Failed(e.to_string())),
            Err(panic) => Err(ArgminStop::Failed(panic_message(&panic))),
        }
    }

    /// f and ∇f at argmin's current iterate, when its state holds both.
    pub fn current(&self) -> Option<(f64, &DVector<f64>)> {
        let state = self.state.as_ref()?;
        Some((state.get_cost(), state.get_gradient()?))
    }
}

impl<S, H> Optimizer for ArgminSolver<S, H>
where
    S: Clone + Configure + Send + for<'a> Solver<ArgminObjective<'a>, ArgminState<H>>,
    H: Clone + Send,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn hyperparameters(&self) -> serde_json::Value {
        self.hyperparameters.clone()
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        self.prepare(f)
    }

    fn step(
        &mut self,
        f: &dyn Objective,
        x: &mut [f64],
        _value: f64,
        grad: &[f64],
        next_grad: &mut [f64],
    ) -> Step {
        // The gradient argmin will use at x: its own after an iteration, else ∇f(x).
        let (own, seeded) = match self.current() {
            Some((_, g))
                if self
                    .state
                    .as_ref()
                    .and_then(State::get_param)
                    .is_some_and(|p| p.as_slice() == x) =>
            {
                (g.as_slice(), false)
            }
            _ => {
                f.gradient(x, &mut self.scratch);
                (&self.scratch[..], true)
            }
        };
        // Clipping (the only way the loop's gradient can differ from f's) cannot reach
        // argmin's internal gradients: refuse rather than silently ignore it.
        if relative_error(own, grad) > 1e-12 {
            return Step {
                stop: Some(Termination::Solver("clipping_unsupported".to_string())),
                ..Step::default()
            };
        }
        if seeded {
            // Start argmin from the loop's ∇f(x) (its `init` skips evaluating a gradient
            // the state holds). Not from f(x): `init` would record it as both the current
            // and the previous cost, and L-BFGS's |Δf| < ε test would stop at once.
            let state = IterState::new()
                .param(DVector::from_column_slice(x))
                .gradient(DVector::from_column_slice(grad));
            let mut problem = Problem::new(ArgminObjective::new(f));
            match self.start(&mut problem, state) {
                Ok(state) => self.state = Some(state),
                Err(stop) => {
                    return Step {
                        stop: Some(stop.termination()),
                        ..Step::default()
                    }
                }
            }
        }
        if let Err(stop) = self.iterate(f, x) {
            return Step {
                stop: Some(stop.termination()),
                ..Step::default()
            };
        }
        let evaluated = self.current().map(|(cost, g)| {
            next_grad.copy_from_slice(g.as_slice());
            cost
        });
        Step {
            evaluated,
            ..Step::default()
        }
    }

    fn stall_patience(&self) -> usize {
        if self.dense {
            TRUST_REGION_PATIENCE
        } else {
            1
        }
    }
}

/// argmin's message in plain words: its line search's failure ("Line search terminated
/// with: 'Condition violated: \"…\"'") as "the line search failed: …".
fn plain(message: String) -> String {
    let Some(inner) = message.strip_prefix("Line search terminated with: ") else {
        return message;
    };
    let inner = inner.trim_matches('\'');
    let inner = inner.strip_prefix("Condition violated: ").unwrap_or(inner);
    format!("the line search failed: {}", inner.trim_matches('"'))
}

fn stop_from(reason: TerminationReason) -> ArgminStop {
    match reason {
        TerminationReason::SolverConverged => ArgminStop::Converged(reason.to_string()),
        TerminationReason::SolverExit(message) => ArgminStop::SolverExit(plain(message)),
        other => ArgminStop::SolverExit(other.to_string()),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("argmin panicked: {text}")
}
