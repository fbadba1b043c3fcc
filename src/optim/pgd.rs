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

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::params::render_fields;
use super::{
    check_non_negative, check_positive, noise, Event, EventKind, Method, Optimizer, Params, Step,
    Termination,
};
use crate::error::{Error, Result};
use crate::manifold::Manifold;
use crate::objective::Objective;
use crate::random;
use crate::random::Generator;

/// The termination reason of step 1 (no decrease after a perturbation).
pub const NO_DECREASE: &str = "pgd_no_decrease";

/// The five numbers PGD runs with.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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

impl PgdParams {
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

/// The default absolute constant c of paper mode.
pub const DEFAULT_C: f64 = 1.0;

/// The default failure probability δ of paper mode.
pub const DEFAULT_DELTA: f64 = 0.1;

/// pgd's hyperparameters as given: practical thresholds or paper-mode constants, and the
/// seed. Giving any paper-mode constant (ell, rho_hessian, epsilon, c, delta, delta_f)
/// selects paper mode: ell, rho_hessian, epsilon and delta_f are then required and lr,
/// radius, g_thres, t_thres, f_thres refused (they are derived); otherwise practical mode,
/// the defaults ([`PgdThresholds::default`]) filling in what is not given.
/// [`resolve`](PgdSettings::resolve) turns them into [`PgdParams`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PgdSettings {
    /// Step size η (practical mode).
    pub lr: Option<f64>,
    /// Perturbation radius r (practical mode).
    pub radius: Option<f64>,
    /// Perturb when ‖∇f‖ ≤ g_thres (practical mode).
    pub g_thres: Option<f64>,
    /// Steps between perturbations (practical mode).
    pub t_thres: Option<usize>,
    /// Decrease expected over t_thres steps (practical mode).
    pub f_thres: Option<f64>,
    /// ℓ (paper mode).
    pub ell: Option<f64>,
    /// ρ, the Hessian's Lipschitz constant (paper mode).
    pub rho_hessian: Option<f64>,
    /// ε (paper mode).
    pub epsilon: Option<f64>,
    /// c (paper mode; default [`DEFAULT_C`]).
    pub c: Option<f64>,
    /// δ (paper mode; default [`DEFAULT_DELTA`]).
    pub delta: Option<f64>,
    /// Δf (paper mode).
    pub delta_f: Option<f64>,
    /// Seed of the perturbations (default 0).
    pub seed: u64,
}

impl PgdSettings {
    /// The mode and thresholds or constants these settings select, validated.
    pub fn resolve(&self) -> Result<PgdParams> {
        let paper = [
            self.ell,
            self.rho_hessian,
            self.epsilon,
            self.c,
            self.delta,
            self.delta_f,
        ]
        .iter()
        .any(Option::is_some);
        let mode = if paper {
            let practical = [
                ("lr", self.lr.is_some()),
                ("radius", self.radius.is_some()),
                ("g_thres", self.g_thres.is_some()),
                ("f_thres", self.f_thres.is_some()),
                ("t_thres", self.t_thres.is_some()),
            ];
            if let Some((name, _)) = practical.iter().find(|(_, given)| *given) {
                return Err(Error::InvalidHyperparameter {
                    optimizer: Pgd::NAME.into(),
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
                    optimizer: Pgd::NAME.into(),
                    name: name.into(),
                    expected: "a value: paper mode needs ell, rho_hessian, epsilon and delta_f"
                        .into(),
                    found: "none".into(),
                })
            };
            PgdMode::Paper(PaperConstants {
                ell: required("ell", self.ell)?,
                rho: required("rho_hessian", self.rho_hessian)?,
                epsilon: required("epsilon", self.epsilon)?,
                c: self.c.unwrap_or(DEFAULT_C),
                delta: self.delta.unwrap_or(DEFAULT_DELTA),
                delta_f: required("delta_f", self.delta_f)?,
            })
        } else {
            let d = PgdThresholds::default();
            PgdMode::Practical(PgdThresholds {
                lr: self.lr.unwrap_or(d.lr),
                radius: self.radius.unwrap_or(d.radius),
                g_thres: self.g_thres.unwrap_or(d.g_thres),
                t_thres: self.t_thres.unwrap_or(d.t_thres),
                f_thres: self.f_thres.unwrap_or(d.f_thres),
            })
        };
        let params = PgdParams {
            mode,
            seed: self.seed,
            stream: 0,
        };
        params.validate()?;
        Ok(params)
    }
}

impl Params for PgdSettings {
    /// The mode rules and ranges of [`resolve`](PgdSettings::resolve).
    fn validate(&self, _optimizer: &str) -> Result<()> {
        self.resolve().map(|_| ())
    }

    /// Practical mode's defaults and the seed's, then the paper-mode constants with
    /// theirs.
    fn help() -> String {
        let practical = serde_json::to_value(PgdThresholds::default()).unwrap_or_default();
        let seed = serde_json::to_value(PgdSettings::default()).unwrap_or_default();
        let paper = serde_json::json!({ "c": DEFAULT_C, "delta": DEFAULT_DELTA });
        format!(
            "{}, {}; or paper mode from {}",
            render_fields(
                &practical,
                &["lr", "radius", "g_thres", "t_thres", "f_thres"]
            ),
            render_fields(&seed, &["seed"]),
            render_fields(
                &paper,
                &["ell", "rho_hessian", "epsilon", "delta_f", "c", "delta"]
            ),
        )
    }
}

impl Method for Pgd {
    const NAME: &'static str = "pgd";
    const SUMMARY: &'static str = "perturbed GD (Jin et al. 2017, Alg. 2): x ← x − ηg; \
x ← x + ξ, ξ uniform in the r-ball, when ‖g‖ ≤ g_thres and none in the last t_thres steps; \
stops with pgd_no_decrease if f fell < f_thres in t_thres steps";
    type Params = PgdSettings;

    fn from_params(settings: PgdSettings) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(Pgd::new(settings.resolve()?)?))
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
    rng: Generator,
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
        Self::NAME
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
        let step = if self.since > t.t_thres && norm_squared(grad) <= t.g_thres * t.g_thres {
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

/// ‖v‖², summed in four independent lanes so that the sum vectorises (a single running
/// sum is latency-bound: the test costs 3× a GD step at d = 1000 otherwise).
fn norm_squared(v: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let chunks = v.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().map(|x| x * x).sum();
    for c in chunks {
        for (lane, x) in lanes.iter_mut().zip(c) {
            *lane += x * x;
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{params::parse, Hyperparameters};

    #[test]
    fn paper_mode_needs_its_constants_and_refuses_practical_ones() {
        let hp = Hyperparameters::new().with("ell", 1.0);
        assert!(parse::<PgdSettings>("pgd", &hp).is_err());
        let hp = Hyperparameters::new()
            .with("ell", 1.0)
            .with("rho_hessian", 1.0)
            .with("epsilon", 0.1)
            .with("delta_f", 1.0)
            .with("lr", 0.1);
        let err = parse::<PgdSettings>("pgd", &hp).unwrap_err().to_string();
        assert!(err.contains("`lr`"), "{err}");
        // c alone selects paper mode too, and then misses ell.
        let err = parse::<PgdSettings>("pgd", &Hyperparameters::new().with("c", 2.0))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`ell`"), "{err}");
    }

    #[test]
    fn help_shows_the_true_defaults() {
        assert_eq!(
            PgdSettings::help(),
            "lr 1e-3, radius 1e-3, g-thres 1e-3, t-thres 1000, f-thres 1e-6, seed 0; \
or paper mode from ell, rho-hessian, epsilon, delta-f, c 1, delta 0.1"
        );
    }
}
