//! Experiments on training deep networks (the `mlp` kind): what the course says about
//! depth, initialisation, activations, clipping and pre-training, each measured and
//! ending in a list of [`Claim`](crate::experiments::claims::Claim)s.
//!
//! The pieces they share live here: building a network from spec fields
//! ([`network`]) and reading a training run's full-batch evaluations as curves
//! ([`Curve`]). Training itself is the run loop ([`crate::optim::run()`]) with its
//! minibatches, clipping and schedules, so every experiment trains exactly as
//! `landscape run` does.

pub mod activations;
pub mod clipping;
pub mod depth;
pub mod init;
pub mod kaiming;
pub mod pretraining;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::optim::Trajectory;
use crate::problems::mlp::Mlp;
use crate::problems::ProblemSpec;

/// An `mlp` instance from spec fields (every other field at its default), e.g.
/// `network(&[("data", "digits".into()), ("widths", …)])`.
pub fn network(fields: &[(&str, toml::Value)]) -> Result<Mlp> {
    let mut spec = ProblemSpec::new("mlp");
    for (key, value) in fields {
        spec.set_value(key, value.clone());
    }
    Mlp::from_spec(&spec)
}

/// `widths` as a spec value: `depth` hidden layers of `width` units.
pub fn widths(depth: usize, width: usize) -> toml::Value {
    toml::Value::Array(vec![toml::Value::Integer(width as i64); depth])
}

/// A run's full-batch evaluations (`eval_every`), in step order: what the training
/// curves draw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// The step t of each evaluation (0 = the start).
    pub steps: Vec<usize>,
    /// Full-batch training loss at each.
    pub train_loss: Vec<f64>,
    /// Test accuracy at each (empty without test data or for a regression loss).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_accuracy: Vec<f64>,
}

impl Curve {
    /// The evaluations recorded in `trajectory`.
    pub fn of(trajectory: &Trajectory) -> Self {
        let mut curve = Curve::default();
        for r in &trajectory.records {
            if let Some(loss) = r.train_loss {
                curve.steps.push(r.iter);
                curve.train_loss.push(loss);
                if let Some(a) = r.test_accuracy {
                    curve.test_accuracy.push(a);
                }
            }
        }
        curve
    }

    /// The first evaluated step whose training loss is at most `target`.
    pub fn steps_to(&self, target: f64) -> Option<usize> {
        self.steps
            .iter()
            .zip(&self.train_loss)
            .find(|(_, &l)| l <= target)
            .map(|(&s, _)| s)
    }

    /// The last training loss (NaN for an empty curve).
    pub fn final_loss(&self) -> f64 {
        self.train_loss.last().copied().unwrap_or(f64::NAN)
    }

    /// The last test accuracy, if measured.
    pub fn final_accuracy(&self) -> Option<f64> {
        self.test_accuracy.last().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::Objective;
    use crate::optim::{self, Hyperparameters, Minibatch, RunOptions};

    #[test]
    fn a_short_digits_run_gives_its_curve() {
        let f = network(&[
            ("data", "digits".into()),
            ("widths", widths(2, 16)),
            ("loss", "cross_entropy".into()),
        ])
        .unwrap();
        assert_eq!(f.architecture().hidden(), 2);
        let x0 = f.initialise("kaiming_normal", 0).unwrap();
        let mut opt = optim::build("heavy_ball", &Hyperparameters::new().with("lr", 0.05)).unwrap();
        let options = RunOptions {
            max_iters: 60,
            minibatch: Some(Minibatch {
                batch_size: 64,
                seed: 0,
            }),
            eval_every: Some(20),
            ..RunOptions::default()
        };
        let t = optim::run(&f, opt.as_mut(), &x0, &options).unwrap();
        let c = Curve::of(&t);
        assert_eq!(c.steps, [0, 20, 40, 60]);
        assert_eq!(c.test_accuracy.len(), 4);
        assert!(c.final_loss() < c.train_loss[0], "{c:?}");
        assert_eq!(c.steps_to(f64::INFINITY), Some(0));
        assert_eq!(c.steps_to(-1.0), None);
        assert!(f.dim() > 0);
    }
}
