//! Every problem of the library as an [argmin](https://docs.rs/argmin/0.11) problem.
//!
//! [`ArgminObjective`] wraps any `&dyn Objective` and implements argmin's capability
//! traits with `Param = nalgebra::DVector<f64>` (argmin-math's `nalgebra_v0_34`
//! backend):
//!
//! - [`CostFunction`]: f(x), [`Objective::value`];
//! - [`Gradient`]: ∇f(x), [`Objective::gradient`];
//! - [`Hessian`]: the dense ∇²f(x) as a `DMatrix<f64>`, column j = ∇²f(x)·eⱼ from the
//!   *exact* HVP, then symmetrised, (H + Hᵀ)/2 ([`crate::linalg::dense_into`] on
//!   [`HessianAt::euclidean`]). It costs d HVPs and d² numbers, so it is
//!   only affordable for small d (a few thousand at most); the second-order solvers of
//!   [`crate::optim`] refuse larger problems.
//!
//! The derivatives are the Euclidean ones of the formula: on a sphere-constrained problem
//! ([`crate::Manifold::Spheres`]) argmin would optimise the unconstrained function, which
//! is why the argmin-backed optimizers reject such problems.
//!
//! A parameter vector of the wrong length is an argmin error (not a panic), so that a
//! solver reports it through its `Result`. So is an evaluation beyond an
//! [`EvaluationBudget`] ([`ArgminObjective::with_budget`]): argmin's line searches have
//! no cap of their own, and on a function that is linear along the search direction
//! (|x| + |y|) Moré–Thuente's interval never closes.
//!
//! ```
//! use argmin::core::{CostFunction, Gradient};
//! use landscape::argmin_interop::ArgminObjective;
//! use landscape::problems::rosenbrock::Rosenbrock;
//! use nalgebra::DVector;
//!
//! let f = Rosenbrock::new();
//! let problem = ArgminObjective::new(&f);
//! let x = DVector::from_vec(vec![1.0, 1.0]);
//! assert_eq!(problem.cost(&x).unwrap(), 0.0);
//! assert_eq!(problem.gradient(&x).unwrap().norm(), 0.0);
//! ```

use std::cell::Cell;

use argmin::core::{ArgminError, CostFunction, Error as ArgminErrorBox, Gradient, Hessian};
use nalgebra::{DMatrix, DVector};

use crate::linalg::{dense_into, HessianAt};
use crate::objective::Objective;

/// An [`Objective`] seen as an argmin problem (cost, gradient, dense Hessian) on
/// `DVector<f64>` parameters. Cheap to build: it only borrows the objective.
#[derive(Clone, Copy)]
pub struct ArgminObjective<'a> {
    objective: &'a dyn Objective,
    budget: Option<&'a EvaluationBudget>,
}

/// A cap on the evaluations (of f or ∇f) argmin may make through an
/// [`ArgminObjective`]; the one beyond it is an error that says so.
#[derive(Debug)]
pub struct EvaluationBudget {
    limit: usize,
    used: Cell<usize>,
}

impl EvaluationBudget {
    /// A budget of `limit` evaluations.
    pub fn new(limit: usize) -> Self {
        EvaluationBudget {
            limit,
            used: Cell::new(0),
        }
    }

    /// Evaluations made so far.
    pub fn used(&self) -> usize {
        self.used.get()
    }

    /// Whether an evaluation beyond the limit was refused.
    pub fn exhausted(&self) -> bool {
        self.used.get() > self.limit
    }

    /// What went wrong when the budget ran out, in words.
    pub fn exhausted_message(&self) -> String {
        format!(
            "argmin made {} evaluations of f and ∇f in one iteration without an acceptable \
             step (its line search does not end: f is perhaps not smooth, or unbounded, \
             along the search direction)",
            self.limit
        )
    }

    fn spend(&self) -> Result<(), ArgminErrorBox> {
        let used = self.used.get() + 1;
        self.used.set(used);
        if used <= self.limit {
            Ok(())
        } else {
            Err(ArgminError::ConditionViolated {
                text: self.exhausted_message(),
            }
            .into())
        }
    }
}

impl<'a> ArgminObjective<'a> {
    /// The argmin view of `objective`.
    pub fn new(objective: &'a dyn Objective) -> Self {
        ArgminObjective {
            objective,
            budget: None,
        }
    }

    /// The same view, failing once `budget` is spent.
    pub fn with_budget(objective: &'a dyn Objective, budget: &'a EvaluationBudget) -> Self {
        ArgminObjective {
            objective,
            budget: Some(budget),
        }
    }

    /// The wrapped objective.
    pub fn objective(&self) -> &'a dyn Objective {
        self.objective
    }

    /// Rejects a parameter vector whose length is not the problem's dimension.
    fn check(&self, param: &DVector<f64>) -> Result<(), ArgminErrorBox> {
        if let Some(budget) = self.budget {
            budget.spend()?;
        }
        let d = self.objective.dim();
        if param.len() == d {
            Ok(())
        } else {
            Err(ArgminError::InvalidParameter {
                text: format!(
                    "parameter vector has length {}, expected {d} (the dimension of `{}`)",
                    param.len(),
                    self.objective.kind()
                ),
            }
            .into())
        }
    }
}

impl CostFunction for ArgminObjective<'_> {
    type Param = DVector<f64>;
    type Output = f64;

    fn cost(&self, param: &DVector<f64>) -> Result<f64, ArgminErrorBox> {
        self.check(param)?;
        Ok(self.objective.value(param.as_slice()))
    }
}

impl Gradient for ArgminObjective<'_> {
    type Param = DVector<f64>;
    type Gradient = DVector<f64>;

    fn gradient(&self, param: &DVector<f64>) -> Result<DVector<f64>, ArgminErrorBox> {
        self.check(param)?;
        let mut grad = DVector::zeros(param.len());
        self.objective
            .gradient(param.as_slice(), grad.as_mut_slice());
        Ok(grad)
    }
}

impl Hessian for ArgminObjective<'_> {
    type Param = DVector<f64>;
    type Hessian = DMatrix<f64>;

    fn hessian(&self, param: &DVector<f64>) -> Result<DMatrix<f64>, ArgminErrorBox> {
        self.check(param)?;
        let d = param.len();
        let mut h = DMatrix::zeros(d, d);
        let mut basis = vec![0.0; d];
        let hessian = HessianAt::euclidean(self.objective, param.as_slice());
        dense_into(&hessian, &mut basis, &mut h);
        Ok(h)
    }
}
