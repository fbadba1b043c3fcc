//! `pgd`: perturbed gradient descent (Jin, Ge, Netrapalli, Kakade & Jordan 2017, "How
//! to escape saddle points efficiently", Algorithm 2).
//!
//! With t_noise = −t_thres − 1 at the start, iteration t from xₜ:
//!
//! 1. if t − t_noise = t_thres and f(xₜ) − f(x̃) > −f_thres: stop and return x̃, the point
//!    before the last perturbation (termination `pgd_no_decrease`; the loop's last record
//!    is then x̃);
//! 2. if ‖∇f(xₜ)‖ ≤ g_thres and t − t_noise > t_thres: x̃ ← xₜ, t_noise ← t,
//!    xₜ ← x̃ + ξ with ξ uniform in the ball of radius r (an [`Event`] is recorded);
//! 3. xₜ₊₁ = xₜ − η∇f(xₜ) (at the perturbed point after 2: one extra gradient call).
//!
//! Without a perturbation the step is gradient descent's, bit for bit.
//!
//! # Modes
//! - practical: η (`lr`), r (`radius`), g_thres, t_thres, f_thres given directly
//!   (defaults in [`PgdThresholds::default`]: no theory behind them, set them for your
//!   problem);
//! - paper: from ℓ (gradient Lipschitz), ρ (Hessian Lipschitz, `rho_hessian`), the
//!   target ε, the constant c, the failure probability δ and Δf ≥ f(x₀) − f*, with d the
//!   dimension (the tangent dimension on spheres):
//!   χ = 3·max{ln(dℓΔf/(cε²δ)), 4}, η = c/ℓ, r = (√c/χ²)·ε/ℓ, g_thres = (√c/χ²)·ε,
//!   f_thres = (c/χ³)·√(ε³/ρ), t_thres = ⌈(χ/c²)·ℓ/√(ρε)⌉ (rounded up to whole steps).
//!   The paper leaves c an unspecified small absolute constant; the default here is
//!   c = 1, and δ = 0.1.
//!
//! On sphere-constrained problems ξ is drawn in the tangent space (uniform in its ball)
//! and the perturbed point is retracted before its gradient is taken; the loop retracts
//! after the step. The loop does not stop as `converged` for pgd (see
//! [`Optimizer::escapes_stationary_points`]): step 1, a target or the cap ends the run.
//! The perturbations come from `random::stream(seed, stream)`, reset by every `start`.

use rand::rngs::StdRng;
use serde_json::json;

use super::{
    check_non_negative, check_positive, noise, norm, Event, EventKind, Hyperparameters, Optimizer,
    OptimizerEntry, Step, Termination,
};
use crate::error::{Error, Result};
use crate::manifold::Manifold;
use crate::objective::Objective;
use crate::random;

/// The termination reason of step 1 (no decrease after a perturbation).
pub const NO_DECREASE: &str = "pgd_no_decrease";

/// Registry entry.
pub const ENTRY: OptimizerEntry = OptimizerEntry {
    name: "pgd",
    description: "perturbed GD (Jin et al. 2017, Alg. 2): x ← x − ηg; x ← x + ξ, ξ uniform \
in the r-ball, when ‖g‖ ≤ g_thres and none in the last t_thres steps; stops with \
pgd_no_decrease if f fell < f_thres in t_thres steps [lr 1e-3, radius 1e-3, g-thres 1e-3, \
t-thres 1000, f-thres 1e-6, seed 0; or paper mode from ell, rho-hessian, epsilon, delta-f, \
c 1, delta 0.1]",
    accepts: &[
        "lr",
        "radius",
        "g_thres",
        "t_thres",
        "f_thres",
        "ell",
        "rho_hessian",
        "epsilon",
        "c",
        "delta",
        "delta_f",
        "seed",
    ],
    build: |hp| Ok(Box::new(Pgd::new(PgdParams::from_hyperparameters(hp)?)?)),
};

/// The five numbers PGD runs with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PgdThresholds {
    /// Step size η > 0.
    pub lr: f64,
    /// Perturbation radius r > 0.
    pub radius: f64,
    /// Perturb when ‖∇f‖ ≤ g_thres (≥ 0).
    pub g_thres: f64,
    /// Steps between perturbations and length of the decrease test (≥ 1).
    pub t_thres: usize,
    /// The decrease expected over t_thres steps after a perturbation (≥ 0).
    pub f_thres: f64,
}

impl Default for PgdThresholds {
    /// Practical defaults: η = 10⁻³, r = 10⁻³, g_thres = 10⁻³, t_thres = 1000,
    /// f_thres = 10⁻⁶.
    fn default() -> Self {
        PgdThresholds {
            lr: 1e-3,
            radius: 1e-3,
            g_thres: 1e-3,
            t_thres: 1000,
            f_thres: 1e-6,
        }
    }
}

impl PgdThresholds {
    /// Rejects a non-positive η or r, a negative or non-finite g_thres or f_thres, a
    /// zero t_thres.
    pub fn validate(&self) -> Result<()> {
        check_positive("pgd", "lr", self.lr)?;
        check_positive("pgd", "radius", self.radius)?;
        check_non_negative("pgd", "g_thres", self.g_thres)?;
        check_non_negative("pgd", "f_thres", self.f_thres)?;
        if self.t_thres == 0 {
            return Err(Error::InvalidHyperparameter {
                optimizer: "pgd".into(),
                name: "t_thres".into(),
                expected: "an integer ≥ 1".into(),
                found: "0".into(),
            });
        }
        Ok(())
    }
}

/// The constants of the paper's Theorem 3 from which paper mode derives the thresholds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PaperConstants {
    /// ℓ: ∇f is ℓ-Lipschitz.
    pub ell: f64,
    /// ρ: ∇²f is ρ-Lipschitz.
    pub rho: f64,
    /// ε: the target (ε-second-order stationary point).
    pub epsilon: f64,
    /// c: the absolute constant (default 1).
    pub c: f64,
    /// δ: the failure probability, in (0, 1] (default 0.1).
    pub delta: f64,
    /// Δf ≥ f(x₀) − f*.
    pub delta_f: f64,
}

impl PaperConstants {
    /// Rejects non-positive or non-finite constants and δ > 1.
    pub fn validate(&self) -> Result<()> {
        check_positive("pgd", "ell", self.ell)?;
        check_positive("pgd", "rho_hessian", self.rho)?;
        check_positive("pgd", "epsilon", self.epsilon)?;
        check_positive("pgd", "c", self.c)?;
        check_positive("pgd", "delta_f", self.delta_f)?;
        check_positive("pgd", "delta", self.delta)?;
        if self.delta > 1.0 {
            return Err(Error::InvalidHyperparameter {
                optimizer: "pgd".into(),
                name: "delta".into(),
                expected: "a probability in (0, 1]".into(),
                found: self.delta.to_string(),
            });
        }
        Ok(())
    }

    /// χ = 3·max{ln(dℓΔf/(cε²δ)), 4} in dimension `dim`.
    pub fn chi(&self, dim: usize) -> f64 {
        let argument =
            dim as f64 * self.ell * self.delta_f / (self.c * self.epsilon.powi(2) * self.delta);
        3.0 * argument.ln().max(4.0)
    }

    /// The thresholds of Algorithm 2 in dimension `dim` (formulas in the module doc).
    pub fn thresholds(&self, dim: usize) -> PgdThresholds {
        let chi = self.chi(dim);
        let sqrt_c = self.c.sqrt();
        PgdThresholds {
            lr: self.c / self.ell,
            radius: sqrt_c / chi.powi(2) * self.epsilon / self.ell,
            g_thres: sqrt_c / chi.powi(2) * self.epsilon,
            f_thres: self.c / chi.powi(3) * (self.epsilon.powi(3) / self.rho).sqrt(),
            t_thres: (chi / self.c.powi(2) * self.ell / (self.rho * self.epsilon).sqrt()).ceil()
                as usize,
        }
    }
}

/// How the thresholds are given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PgdMode {
    /// Set directly.
    Practical(PgdThresholds),
    /// Derived from the paper's constants and the dimension.
    Paper(PaperConstants),
}

/// Parameters of PGD: its mode and the seed of its perturbations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PgdParams {
    /// Practical or paper mode.
    pub mode: PgdMode,
    /// Seed of the perturbation stream (default 0).
    pub seed: u64,
    /// Index of the perturbation stream: ξ's come from `random::stream(seed, stream)`
    /// (default 0; trial i of an experiment may use i).
    pub stream: u64,
}

impl Default for PgdParams {
    fn default() -> Self {
        PgdParams {
            mode: PgdMode::Practical(PgdThresholds::default()),
            seed: 0,
            stream: 0,
        }
    }
}

const PAPER_NAMES: [&str; 6] = ["ell", "rho_hessian", "epsilon", "c", "delta", "delta_f"];

impl PgdParams {
    /// Paper mode when any of ell, rho_hessian, epsilon, c, delta, delta_f is set (then
    /// ell, rho_hessian, epsilon and delta_f are required and lr, radius, g_thres,
    /// t_thres, f_thres are refused: they are derived); practical mode otherwise, with
    /// the defaults for what is not set.
    pub fn from_hyperparameters(hp: &Hyperparameters) -> Result<Self> {
        let given = hp.given();
        let paper = given.iter().any(|n| PAPER_NAMES.contains(n));
        let mode = if paper {
            let practical = ["lr", "radius", "g_thres", "t_thres", "f_thres"];
            if let Some(name) = given.iter().find(|n| practical.contains(n)) {
                return Err(Error::InvalidHyperparameter {
                    optimizer: "pgd".into(),
                    name: name.to_string(),
                    expected: "no lr, radius, g_thres, t_thres or f_thres in paper mode \
                               (they are derived from ell, rho_hessian, epsilon, c, delta, \
                               delta_f)"
                        .into(),
                    found: format!("`{name}` given with paper-mode constants"),
                });
            }
            let required = |name: &str, v: Option<f64>| {
                v.ok_or_else(|| Error::InvalidHyperparameter {
                    optimizer: "pgd".into(),
                    name: name.into(),
                    expected: "a value: paper mode needs ell, rho_hessian, epsilon and delta_f"
                        .into(),
                    found: "none".into(),
                })
            };
            PgdMode::Paper(PaperConstants {
                ell: required("ell", hp.ell)?,
                rho: required("rho_hessian", hp.rho_hessian)?,
                epsilon: required("epsilon", hp.epsilon)?,
                c: hp.c.unwrap_or(1.0),
                delta: hp.delta.unwrap_or(0.1),
                delta_f: required("delta_f", hp.delta_f)?,
            })
        } else {
            let d = PgdThresholds::default();
            PgdMode::Practical(PgdThresholds {
                lr: hp.lr.unwrap_or(d.lr),
                radius: hp.radius.unwrap_or(d.radius),
                g_thres: hp.g_thres.unwrap_or(d.g_thres),
                t_thres: hp.t_thres.unwrap_or(d.t_thres),
                f_thres: hp.f_thres.unwrap_or(d.f_thres),
            })
        };
        let params = PgdParams {
            mode,
            seed: hp.seed.unwrap_or(0),
            stream: 0,
        };
        params.validate()?;
        Ok(params)
    }

    /// Validates the thresholds or the constants.
    pub fn validate(&self) -> Result<()> {
        match &self.mode {
            PgdMode::Practical(t) => t.validate(),
            PgdMode::Paper(p) => p.validate(),
        }
    }

    /// The thresholds used on a problem whose tangent space has dimension `dim`.
    pub fn thresholds(&self, dim: usize) -> PgdThresholds {
        match &self.mode {
            PgdMode::Practical(t) => *t,
            PgdMode::Paper(p) => p.thresholds(dim),
        }
    }
}

/// Perturbed gradient descent: parameters, the resolved thresholds, the perturbation
/// stream and the buffers.
#[derive(Clone, Debug)]
pub struct Pgd {
    params: PgdParams,
    /// Resolved by `start` (paper mode needs the dimension).
    thresholds: PgdThresholds,
    dim: Option<usize>,
    manifold: Manifold,
    rng: StdRng,
    /// t − t_noise.
    since: usize,
    /// x̃, the point before the last perturbation, and f(x̃).
    x_tilde: Vec<f64>,
    value_tilde: f64,
    xi: Vec<f64>,
    perturbed_grad: Vec<f64>,
}

impl Pgd {
    /// PGD with validated `params`.
    pub fn new(params: PgdParams) -> Result<Self> {
        params.validate()?;
        Ok(Pgd {
            params,
            thresholds: params.thresholds(1),
            dim: None,
            manifold: Manifold::Euclidean,
            rng: random::stream(params.seed, params.stream),
            since: 0,
            x_tilde: Vec::new(),
            value_tilde: 0.0,
            xi: Vec::new(),
            perturbed_grad: Vec::new(),
        })
    }

    /// The thresholds in use (after `start`; in paper mode they depend on the dimension).
    pub fn thresholds(&self) -> PgdThresholds {
        self.thresholds
    }
}

impl Optimizer for Pgd {
    fn name(&self) -> &'static str {
        "pgd"
    }

    fn hyperparameters(&self) -> serde_json::Value {
        let t = &self.thresholds;
        let mut value = json!({
            "mode": match self.params.mode {
                PgdMode::Practical(_) => "practical",
                PgdMode::Paper(_) => "paper",
            },
            "lr": t.lr,
            "radius": t.radius,
            "g_thres": t.g_thres,
            "t_thres": t.t_thres,
            "f_thres": t.f_thres,
            "seed": self.params.seed,
            "stream": self.params.stream,
        });
        if let (PgdMode::Paper(p), Some(dim)) = (&self.params.mode, self.dim) {
            let extra = json!({
                "ell": p.ell, "rho_hessian": p.rho, "epsilon": p.epsilon, "c": p.c,
                "delta": p.delta, "delta_f": p.delta_f, "chi": p.chi(dim), "dim": dim,
            });
            if let (Some(obj), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
                obj.extend(extra.clone());
            }
        }
        value
    }

    fn start(&mut self, f: &dyn Objective, _x0: &[f64]) -> Result<()> {
        let dim = f.dim();
        self.manifold = f.manifold();
        let tangent = self.manifold.tangent_dim(dim);
        self.thresholds = self.params.thresholds(tangent);
        self.dim = Some(tangent);
        self.rng = random::stream(self.params.seed, self.params.stream);
        // t_noise = −t_thres − 1: a perturbation is allowed at t = 0.
        self.since = self.thresholds.t_thres.saturating_add(1);
        self.x_tilde = vec![0.0; dim];
        self.value_tilde = f64::NAN;
        self.xi = vec![0.0; dim];
        self.perturbed_grad = vec![0.0; dim];
        Ok(())
    }

    fn step(
        &mut self,
        f: &dyn Objective,
        x: &mut [f64],
        value: f64,
        grad: &[f64],
        _next_grad: &mut [f64],
    ) -> Step {
        let t = self.thresholds;
        if self.since == t.t_thres && value - self.value_tilde > -t.f_thres {
            x.copy_from_slice(&self.x_tilde);
            return Step {
                stop: Some(Termination::Solver(NO_DECREASE.to_string())),
                ..Step::default()
            };
        }
        let lr = t.lr;
        let step = if self.since > t.t_thres && norm(grad) <= t.g_thres {
            self.x_tilde.copy_from_slice(x);
            self.value_tilde = value;
            self.since = 0;
            noise::in_ball(&mut self.rng, &self.manifold, x, t.radius, &mut self.xi);
            x.iter_mut().zip(&self.xi).for_each(|(x, xi)| *x += xi);
            self.manifold.retract_in_place(x);
            if self.manifold.is_euclidean() {
                f.gradient(x, &mut self.perturbed_grad);
            } else {
                f.riemannian_gradient(x, &mut self.perturbed_grad);
            }
            x.iter_mut()
                .zip(&self.perturbed_grad)
                .for_each(|(x, g)| *x -= lr * g);
            Step {
                evaluations: 1,
                event: Some(Event {
                    iter: 0,
                    kind: EventKind::Perturbation,
                    radius: t.radius,
                    value_before: value,
                }),
                ..Step::default()
            }
        } else {
            x.iter_mut().zip(grad).for_each(|(x, g)| *x -= lr * g);
            Step::default()
        };
        self.since = self.since.saturating_add(1);
        step
    }

    /// x may stand still for up to t_thres steps (at an exact stationary point after a
    /// perturbation) before step 1 or a new perturbation moves or stops it.
    fn stall_patience(&self) -> usize {
        self.thresholds.t_thres.saturating_add(1)
    }

    fn escapes_stationary_points(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_mode_needs_its_constants_and_refuses_practical_ones() {
        let hp = Hyperparameters {
            ell: Some(1.0),
            ..Default::default()
        };
        assert!(PgdParams::from_hyperparameters(&hp).is_err());
        let hp = Hyperparameters {
            ell: Some(1.0),
            rho_hessian: Some(1.0),
            epsilon: Some(0.1),
            delta_f: Some(1.0),
            lr: Some(0.1),
            ..Default::default()
        };
        let err = PgdParams::from_hyperparameters(&hp)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`lr`"), "{err}");
    }
}
