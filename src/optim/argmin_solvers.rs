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
//! The problem is the [`ArgminObjective`] adapter, rebuilt each step from the borrowed
//! objective (it is two pointers; argmin's `Problem` wrapper allocates nothing when
//! built). The records, gradient norms and termination reasons are then those of every
//! other optimizer: the run loop evaluates f and ∇f at the iterate argmin returns (one
//! extra evaluation per step, which argmin also made; it is the price of one shared
//! loop).
//!
//! # Methods
//! - `lbfgs`: `argmin::solver::quasinewton::LBFGS` with memory m (default 10, as
//!   scipy's L-BFGS-B) and argmin's Moré–Thuente line search
//!   (`MoreThuenteLineSearch`, c₁ = 1e-4, c₂ = 0.9), its step bounded to [√ε, 1e10] so
//!   that an unbounded-below direction ends in finitely many probes;
//! - `trust-region`: `argmin::solver::trustregion::TrustRegion` (initial radius 1, maximal
//!   radius 100, acceptance η = 0.125: argmin's defaults) with the Steihaug truncated-CG
//!   subproblem, capped at 2d + 10 CG iterations. It needs the dense Hessian
//!   ([`ArgminObjective`]'s, from d exact HVPs), so d ≤ [`MAX_DENSE_DIM`]. A rejected
//!   trial step leaves x unchanged (a record with step norm 0) and shrinks the radius.
//!
//! argmin's `NewtonCG` is not offered: its inner CG loop (`for iter in 0..`) has no
//! iteration cap, and this crate runs no iterative method without one.
//!
//! Both solvers only see the Euclidean problem: constrained problems (spheres) are
//! rejected. A panic inside argmin (its Steihaug and Moré–Thuente code `unwrap` float
//! comparisons, which panic on NaN) is caught and becomes a termination reason, never a
//! crash of the run.

use std::panic::{catch_unwind, AssertUnwindSafe};

use argmin::core::{IterState, Problem, Solver, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use nalgebra::{DMatrix, DVector};

use crate::argmin_interop::ArgminObjective;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::optim::newton::{reject_constrained, MAX_DENSE_DIM};

/// argmin's state for our parameter type: parameters and gradients are `DVector<f64>`,
/// the Hessian type `H` is `()` for L-BFGS and `DMatrix<f64>` for trust region.
pub type ArgminState<H> = IterState<DVector<f64>, DVector<f64>, (), H, (), f64>;

/// argmin's L-BFGS with the Moré–Thuente line search, on `DVector<f64>`.
pub type LbfgsSolver =
    LBFGS<MoreThuenteLineSearch<DVector<f64>, DVector<f64>, f64>, DVector<f64>, DVector<f64>, f64>;

/// argmin's trust-region method with the Steihaug subproblem, on `DVector<f64>`.
pub type TrustRegionSolver = TrustRegion<Steihaug<DVector<f64>, f64>, f64>;

/// Default L-BFGS memory m (number of stored (s, y) pairs).
pub const DEFAULT_LBFGS_MEMORY: usize = 10;

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
}

/// Which argmin method, with its hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArgminMethod {
    /// L-BFGS with memory `memory` (≥ 1).
    Lbfgs {
        /// Number of stored (s, y) pairs.
        memory: usize,
    },
    /// Trust-region Newton with Steihaug-CG.
    TrustRegion,
}

/// An argmin solver and its state, stepped one argmin iteration at a time.
pub struct ArgminSolver<S, H> {
    name: &'static str,
    /// The solver as configured, copied afresh at every (re)start.
    template: S,
    solver: S,
    state: Option<ArgminState<H>>,
}

/// L-BFGS through our loop.
pub type Lbfgs = ArgminSolver<LbfgsSolver, ()>;

/// Trust-region Newton (Steihaug) through our loop.
pub type TrustRegionNewton = ArgminSolver<TrustRegionSolver, DMatrix<f64>>;

impl Lbfgs {
    /// argmin's L-BFGS with memory m ≥ 1 and the Moré–Thuente line search.
    pub fn lbfgs(memory: usize) -> Result<Self> {
        if memory == 0 {
            return Err(Error::invalid("memory", "an integer ≥ 1", memory));
        }
        let linesearch = MoreThuenteLineSearch::new()
            .with_bounds(f64::EPSILON.sqrt(), 1e10)
            .map_err(|e| Error::invalid("line search bounds", "valid bounds", e))?;
        Ok(Self::from_solver("lbfgs", LBFGS::new(linesearch, memory)))
    }
}

impl TrustRegionNewton {
    /// argmin's trust region with the Steihaug subproblem capped at 2d + 10 iterations.
    pub fn trust_region(dim: usize) -> Self {
        let cap = 2 * dim as u64 + 10;
        Self::from_solver(
            "trust-region",
            TrustRegion::new(Steihaug::new().with_max_iters(cap)),
        )
    }
}

impl<S: Clone, H> ArgminSolver<S, H> {
    fn from_solver(name: &'static str, solver: S) -> Self {
        ArgminSolver {
            name,
            template: solver.clone(),
            solver,
            state: None,
        }
    }

    /// The registry name (`lbfgs`, `trust-region`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Number of argmin iterations since the last (re)start.
    pub fn iterations(&self) -> u64 {
        self.state.as_ref().map_or(0, State::get_iter)
    }
}

impl<S, H> ArgminSolver<S, H>
where
    S: Clone + for<'a> Solver<ArgminObjective<'a>, ArgminState<H>>,
    H: Clone,
{
    /// One argmin iteration from `x`; on success `x` holds argmin's new iterate.
    ///
    /// # Panics
    /// If `x.len() != f.dim()` (programmer error).
    #[track_caller]
    pub fn iterate(&mut self, f: &dyn Objective, x: &mut [f64]) -> Result<(), ArgminStop> {
        assert_eq!(x.len(), f.dim(), "ArgminSolver::iterate: point length");
        let mut problem = Problem::new(ArgminObjective::new(f));
        let resume = match &self.state {
            Some(state) => state.get_param().is_some_and(|p| p.as_slice() == x),
            None => false,
        };
        let state = match self.state.take() {
            Some(state) if resume => state,
            _ => self.start(&mut problem, x)?,
        };
        if let TerminationStatus::Terminated(reason) = self.solver.terminate(&state) {
            let stop = stop_from(reason);
            self.state = Some(state);
            return Err(stop);
        }
        let solver = &mut self.solver;
        let outcome = catch_unwind(AssertUnwindSafe(|| solver.next_iter(&mut problem, state)));
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

    /// A fresh solver initialised at `x` (argmin's `Executor::run` prologue).
    fn start(
        &mut self,
        problem: &mut Problem<ArgminObjective<'_>>,
        x: &[f64],
    ) -> Result<ArgminState<H>, ArgminStop> {
        self.solver = self.template.clone();
        let state = IterState::new().param(DVector::from_column_slice(x));
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
}

/// Builds the argmin-backed optimizer `method` for `f`: rejects constrained problems,
/// and (trust region) problems too large for a dense Hessian.
pub fn check_problem(name: &str, method: ArgminMethod, f: &dyn Objective) -> Result<()> {
    reject_constrained(name, f)?;
    if matches!(method, ArgminMethod::TrustRegion) && f.dim() > MAX_DENSE_DIM {
        return Err(Error::invalid(
            "optimizer",
            format!("a problem of dimension ≤ {MAX_DENSE_DIM} for `{name}` (it forms the dense d × d Hessian)"),
            format!("dimension {}", f.dim()),
        ));
    }
    Ok(())
}

fn stop_from(reason: TerminationReason) -> ArgminStop {
    match reason {
        TerminationReason::SolverConverged => ArgminStop::Converged(reason.to_string()),
        TerminationReason::SolverExit(message) => ArgminStop::SolverExit(message),
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
