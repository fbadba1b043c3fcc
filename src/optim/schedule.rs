//! Learning-rate schedules, as torch.optim.lr_scheduler defines them.
//!
//! A schedule sets the learning rate ηₜ that step t (t = 0, 1, …) of the optimizer uses,
//! from the optimizer's own η₀ (`--lr`, or its default). It changes the η *inside* the
//! update, as torch's schedulers do (they write `param_group["lr"]`): for a momentum
//! method xₜ₊₁ = xₜ − ηₜbₜ₊₁ with the buffer b accumulating raw gradients, which is not
//! the constant-η run with its steps rescaled.
//!
//! Closed forms (t counts optimizer steps; the scheduler steps after every update, as
//! `scheduler.step()` after `optimizer.step()` in a torch loop):
//! - `constant`: ηₜ = η₀;
//! - `step:s:γ` (StepLR): ηₜ = η₀ γ^⌊t/s⌋, s ≥ 1, γ > 0;
//! - `cosine:T[:η_min]` (CosineAnnealingLR): ηₜ = η_min + (η₀ − η_min)(1 + cos(πt/T))/2,
//!   T ≥ 1, η_min ≥ 0 (default 0); past T it rises again (period 2T), as torch's does;
//! - `exp:γ` (ExponentialLR): ηₜ = η₀ γᵗ, any γ > 0 (γ > 1 grows the rate).
//!
//! [`Scheduler`] computes ηₜ with torch's recurrences (ηₜ from ηₜ₋₁: a multiplication by
//! γ at each decay; cosine's ratio form), so the sequence agrees with torch's to the
//! last digit; [`Schedule::closed_form`] is the formula above, equal to rounding.
//!
//! A step with ηₜ = 0 (cosine at t = T with η_min = 0) leaves x where it is; the run loop
//! does not count it towards `stalled`.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The syntax `--schedule` takes, for error messages and help.
pub const SYNTAX: &str =
    "`constant`, `step:s:γ` (×γ every s steps), `cosine:T[:η_min]` or `exp:γ` (×γ every step)";

/// A learning-rate schedule (see the module documentation for the formulas).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// ηₜ = η₀.
    #[default]
    Constant,
    /// ηₜ = η₀ γ^⌊t/s⌋ (torch's StepLR).
    Step {
        /// s ≥ 1, the steps between decays.
        every: usize,
        /// γ > 0, the factor.
        gamma: f64,
    },
    /// ηₜ = η_min + (η₀ − η_min)(1 + cos(πt/T))/2 (torch's CosineAnnealingLR).
    Cosine {
        /// T ≥ 1, the steps from η₀ down to η_min.
        t_max: usize,
        /// η_min ≥ 0.
        eta_min: f64,
    },
    /// ηₜ = η₀ γᵗ (torch's ExponentialLR), any γ > 0.
    Exponential {
        /// γ > 0, the factor per step.
        gamma: f64,
    },
}

impl Schedule {
    /// Rejects s = 0, T = 0, γ ≤ 0 or non-finite, η_min < 0 or non-finite; the error names
    /// `schedule`.
    pub fn validate(&self) -> Result<()> {
        let bad = |expected: &str| Err(Error::invalid("schedule", expected, self));
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Step { every: 0, .. } => bad("a step count s ≥ 1 in `step:s:γ`"),
            Schedule::Step { gamma, .. } | Schedule::Exponential { gamma }
                if !(gamma.is_finite() && gamma > 0.0) =>
            {
                bad("a positive finite factor γ")
            }
            Schedule::Cosine { t_max: 0, .. } => bad("a period T ≥ 1 in `cosine:T`"),
            Schedule::Cosine { eta_min, .. } if !(eta_min.is_finite() && eta_min >= 0.0) => {
                bad("a finite η_min ≥ 0 in `cosine:T:η_min`")
            }
            _ => Ok(()),
        }
    }

    /// ηₜ by the closed form, from η₀ = `base`.
    pub fn closed_form(&self, base: f64, t: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, gamma } => base * gamma.powi((t / every) as i32),
            Schedule::Cosine { t_max, eta_min } => {
                eta_min + (base - eta_min) * (1.0 + (PI * t as f64 / t_max as f64).cos()) / 2.0
            }
            Schedule::Exponential { gamma } => base * gamma.powf(t as f64),
        }
    }

    /// True for `constant`.
    pub fn is_constant(&self) -> bool {
        matches!(self, Schedule::Constant)
    }
}

/// The command-line form: `constant`, `step:10:0.5`, `cosine:100`, `cosine:100:1e-4`,
/// `exp:0.99`.
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Constant => f.write_str("constant"),
            Schedule::Step { every, gamma } => write!(f, "step:{every}:{gamma}"),
            Schedule::Cosine { t_max, eta_min } if *eta_min == 0.0 => {
                write!(f, "cosine:{t_max}")
            }
            Schedule::Cosine { t_max, eta_min } => write!(f, "cosine:{t_max}:{eta_min}"),
            Schedule::Exponential { gamma } => write!(f, "exp:{gamma}"),
        }
    }
}

impl FromStr for Schedule {
    type Err = Error;

    /// Parses the command-line form (see [`SYNTAX`]) and validates it.
    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::invalid("schedule", SYNTAX, format!("`{text}`"));
        let parts: Vec<&str> = text.split(':').collect();
        let count = |s: &str| s.parse::<usize>().map_err(|_| bad());
        let real = |s: &str| s.parse::<f64>().map_err(|_| bad());
        let schedule = match parts.as_slice() {
            ["constant"] => Schedule::Constant,
            ["step", every, gamma] => Schedule::Step {
                every: count(every)?,
                gamma: real(gamma)?,
            },
            ["cosine", t_max] => Schedule::Cosine {
                t_max: count(t_max)?,
                eta_min: 0.0,
            },
            ["cosine", t_max, eta_min] => Schedule::Cosine {
                t_max: count(t_max)?,
                eta_min: real(eta_min)?,
            },
            ["exp", gamma] => Schedule::Exponential {
                gamma: real(gamma)?,
            },
            _ => return Err(bad()),
        };
        schedule.validate()?;
        Ok(schedule)
    }
}

/// A schedule in progress: ηₜ by torch's recurrences from η₀.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scheduler {
    schedule: Schedule,
    base: f64,
    lr: f64,
    t: usize,
}

impl Scheduler {
    /// At t = 0, η = `base`.
    pub fn new(schedule: Schedule, base: f64) -> Self {
        Scheduler {
            schedule,
            base,
            lr: base,
            t: 0,
        }
    }

    /// ηₜ, the rate of the current step.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Moves to t + 1 (torch's `scheduler.step()`).
    pub fn step(&mut self) {
        self.t += 1;
        let t = self.t;
        self.lr = match self.schedule {
            Schedule::Constant => self.lr,
            Schedule::Step { every, gamma } if t % every == 0 => self.lr * gamma,
            Schedule::Step { .. } => self.lr,
            Schedule::Exponential { gamma } => self.lr * gamma,
            Schedule::Cosine { t_max, eta_min } => {
                let period = 2 * t_max as i64;
                if (t as i64 - 1 - t_max as i64).rem_euclid(period) == 0 {
                    // Leaving the trough: the ratio form would divide by 1 + cos(π) = 0.
                    self.lr + (self.base - eta_min) * (1.0 - (PI / t_max as f64).cos()) / 2.0
                } else {
                    let cosine = |t: usize| 1.0 + (PI * t as f64 / t_max as f64).cos();
                    cosine(t) / cosine(t - 1) * (self.lr - eta_min) + eta_min
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(schedule: Schedule, base: f64, steps: usize) -> Vec<f64> {
        let mut scheduler = Scheduler::new(schedule, base);
        (0..steps)
            .map(|_| {
                let lr = scheduler.lr();
                scheduler.step();
                lr
            })
            .collect()
    }

    fn assert_matches_closed_form(schedule: Schedule, base: f64, steps: usize) {
        for (t, lr) in sequence(schedule, base, steps).into_iter().enumerate() {
            let exact = schedule.closed_form(base, t);
            assert!(
                (lr - exact).abs() <= 1e-12 * base.max(exact.abs()),
                "{schedule} at t = {t}: recurrence {lr}, closed form {exact}"
            );
        }
    }

    #[test]
    fn recurrences_follow_the_closed_forms() {
        assert_matches_closed_form(Schedule::Constant, 0.1, 10);
        let step = Schedule::Step {
            every: 3,
            gamma: 0.5,
        };
        assert_matches_closed_form(step, 0.1, 20);
        assert_eq!(sequence(step, 1.0, 7), [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
        assert_matches_closed_form(Schedule::Exponential { gamma: 0.9 }, 0.1, 50);
        assert_matches_closed_form(Schedule::Exponential { gamma: 1.1 }, 0.1, 50);
        // Through the trough at t = T and back up over a second period.
        let cosine = Schedule::Cosine {
            t_max: 8,
            eta_min: 0.01,
        };
        assert_matches_closed_form(cosine, 0.1, 40);
        let to_zero = Schedule::Cosine {
            t_max: 4,
            eta_min: 0.0,
        };
        let lrs = sequence(to_zero, 1.0, 9);
        assert_eq!(lrs[0], 1.0);
        assert!((lrs[2] - 0.5).abs() < 1e-15 && lrs[4].abs() < 1e-15);
        assert!((lrs[8] - 1.0).abs() < 1e-15, "{lrs:?}");
    }

    #[test]
    fn the_command_line_form_round_trips_and_bad_forms_are_named() {
        for text in [
            "constant",
            "step:10:0.5",
            "cosine:100",
            "cosine:100:0.001",
            "exp:1.05",
        ] {
            let schedule: Schedule = text.parse().unwrap();
            assert_eq!(schedule.to_string(), text);
        }
        for text in [
            "",
            "linear",
            "step:10",
            "step:0:0.5",
            "cosine:0",
            "exp:0",
            "exp:-1",
        ] {
            let err = text.parse::<Schedule>().unwrap_err().to_string();
            assert!(err.contains("schedule"), "{text}: {err}");
        }
        assert!("exp:x"
            .parse::<Schedule>()
            .unwrap_err()
            .to_string()
            .contains("step:s:γ"));
    }
}
