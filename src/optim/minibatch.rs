//! Minibatch training: the order in which the run loop visits the training samples of a
//! [`FiniteSum`](crate::objective::FiniteSum), and what it reports about it.
//!
//! The objective f is the full-batch one. With batch size B the run loop's step t uses
//! the minibatch gradient ∇f_{Bₜ}(xₜ) (`FiniteSum::batch_value_and_gradient`) instead of
//! ∇f(xₜ):
//! - **epochs without replacement**: at the start of each epoch the sample indices
//!   0..N are shuffled (rand's Fisher–Yates `SliceRandom::shuffle`, one generator from
//!   [`random::rng`]`(seed)` for the whole run) and cut into
//!   consecutive batches of B; the last batch of an epoch keeps the N mod B samples that
//!   remain (torch's DataLoader default, `drop_last=False`), so an epoch is ⌈N/B⌉ steps
//!   and visits every sample once. B ≥ N makes every batch the whole training set.
//! - Over an epoch, the batch gradients weighted by batch size average to ∇f when f_B is
//!   the average of per-sample losses over B (no coupling between samples).
//!
//! A minibatch gradient norm says nothing about convergence, so in a minibatch run the
//! records' `value` and `grad_norm` are the step's batch loss f_{Bₜ}(xₜ) and ‖∇f_{Bₜ}(xₜ)‖
//! (what a training loop logs), and the stopping rules read the full batch: every
//! `eval_every` steps (default: once per epoch) the loop evaluates f and ∇f at xₜ on
//! the whole training set (`train_loss`, `train_grad_norm`) and the problem's test
//! metrics (`test_loss`, `test_accuracy`), and stops as `converged` when that ‖∇f‖ ≤
//! `grad_tol`, as `target_reached` when that f ≤ `target`. `stalled` needs x unchanged
//! for a whole epoch (at least), since another batch may still move it. The final state
//! is always the full-batch f and ∇f at the last iterate.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random;
use crate::random::Generator;

/// Minibatch settings of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minibatch {
    /// Samples per batch B ≥ 1.
    pub batch_size: usize,
    /// Seed of the shuffling.
    pub seed: u64,
}

impl Minibatch {
    /// Rejects B = 0 (field `batch_size`).
    pub fn validate(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "an integer ≥ 1", 0));
        }
        Ok(())
    }
}

/// What a minibatch run records about its batches (the trajectory's `minibatch`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinibatchInfo {
    /// B.
    pub batch_size: usize,
    /// N, the training samples.
    pub samples: usize,
    /// ⌈N/B⌉, the steps of one epoch.
    pub steps_per_epoch: usize,
    /// Samples in the last batch of an epoch (N − B(⌈N/B⌉ − 1); kept, as torch does).
    pub last_batch: usize,
    /// Seed of the shuffling.
    pub seed: u64,
}

/// How the records' `train_loss`, `test_loss`, … were computed (the trajectory's
/// `evaluation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationInfo {
    /// Every this many steps (and at the start and the end).
    pub every: usize,
    /// How the problem computes its test metrics
    /// ([`FiniteSum::test_protocol`](crate::objective::FiniteSum::test_protocol)); absent
    /// when it holds no test data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
}

/// The sample order of a minibatch run: one shuffled permutation per epoch, cut into
/// batches (allocated once; [`Batches::next`] allocates nothing).
pub(crate) struct Batches {
    order: Vec<usize>,
    size: usize,
    position: usize,
    rng: Generator,
}

impl Batches {
    /// Batches of `minibatch.batch_size` over `samples` samples.
    pub(crate) fn new(samples: usize, minibatch: Minibatch) -> Self {
        Batches {
            order: (0..samples).collect(),
            size: minibatch.batch_size.min(samples.max(1)),
            position: 0,
            rng: random::rng(minibatch.seed),
        }
    }

    /// What the run records about these batches.
    pub(crate) fn info(&self, seed: u64) -> MinibatchInfo {
        let samples = self.order.len();
        let steps_per_epoch = self.steps_per_epoch();
        MinibatchInfo {
            batch_size: self.size,
            samples,
            steps_per_epoch,
            last_batch: samples - self.size * (steps_per_epoch - 1),
            seed,
        }
    }

    /// ⌈N/B⌉.
    pub(crate) fn steps_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.size).max(1)
    }

    /// The next batch; the first of an epoch reshuffles.
    pub(crate) fn next(&mut self) -> &[usize] {
        if self.position == 0 {
            self.order.shuffle(&mut self.rng);
        }
        let start = self.position;
        let end = (start + self.size).min(self.order.len());
        self.position = if end == self.order.len() { 0 } else { end };
        &self.order[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_visits_every_sample_once_and_keeps_the_last_partial_batch() {
        let mut batches = Batches::new(
            10,
            Minibatch {
                batch_size: 4,
                seed: 3,
            },
        );
        assert_eq!(batches.steps_per_epoch(), 3);
        assert_eq!(batches.info(3).last_batch, 2);
        let mut epochs = Vec::new();
        for _ in 0..2 {
            let mut seen: Vec<usize> = Vec::new();
            let sizes: Vec<usize> = (0..3)
                .map(|_| {
                    let batch = batches.next();
                    seen.extend(batch);
                    batch.len()
                })
                .collect();
            assert_eq!(sizes, [4, 4, 2]);
            epochs.push(seen.clone());
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        }
        assert_ne!(epochs[0], epochs[1], "each epoch reshuffles");
    }

    #[test]
    fn a_batch_larger_than_the_data_is_the_whole_set() {
        let mut batches = Batches::new(
            5,
            Minibatch {
                batch_size: 8,
                seed: 0,
            },
        );
        assert_eq!(batches.next().len(), 5);
        assert_eq!(batches.info(0).last_batch, 5);
        assert_eq!(batches.info(0).batch_size, 5);
    }
}
