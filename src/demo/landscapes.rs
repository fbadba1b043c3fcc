//! The gallery's pictures of the landscape itself (slices with trajectories and
//! census markers) and of the bounds (descent lemma, convergence).

use super::Job;

/// These pictures, in index order.
pub(crate) fn jobs() -> Vec<Job> {
    Vec::new()
}
