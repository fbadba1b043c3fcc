//! Progress of long computations, reported to an observer.
//!
//! The long-running entry points ([`optim::run`](crate::optim::run), [`census`](crate::census::census),
//! [`escape`](crate::experiments::escape::escape), [`atlas`](crate::experiments::atlas::atlas),
//! [`du2017`](crate::experiments::du2017::du2017),
//! [`safran_shamir`](crate::experiments::safran_shamir::safran_shamir),
//! [`kawaguchi`](crate::experiments::kawaguchi::kawaguchi) and the gallery's `demo`) keep
//! their signatures and run silently; each has a `…_with_progress` variant taking a
//! `&dyn` [`Progress`] as its last argument, which it tells how far it has got:
//!
//! - [`Progress::start`]`(task, total)` when a task of `total` units begins (`task` is the
//!   entry point's name: `run`, `census`, `escape`, `atlas`, `du2017`, `safran_shamir`,
//!   `demo`; the unit is an iteration, a start, a trial, a run or a picture);
//! - [`Progress::advance`]`(n)` after `n` more units (from any thread: parallel work calls
//!   it from rayon's workers, so implementations are `Sync`);
//! - [`Progress::message`] for what is being worked on (e.g. `k = 8`) and
//!   [`Progress::note`] for a finished item worth a line (e.g. a picture and its time);
//! - [`Progress::finish`] when the task ends.
//!
//! Every method has a no-op default, and [`Silent`] is the observer that ignores them
//! all. Observers only watch: results never depend on them (nor on the number of threads).
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use landscape::census::{census_with_progress, CensusOptions};
//! use landscape::progress::Progress;
//!
//! /// Counts the units done.
//! #[derive(Default)]
//! struct Count(AtomicU64);
//!
//! impl Progress for Count {
//!     fn advance(&self, n: u64) {
//!         self.0.fetch_add(n, Ordering::Relaxed);
//!     }
//! }
//!
//! let (_, f) = landscape::problems::load("six_hump_camel", &[]).unwrap();
//! let opts = CensusOptions { starts: 4, ..CensusOptions::default() };
//! let count = Count::default();
//! census_with_progress(f.as_ref(), &opts, &count).unwrap();
//! assert_eq!(count.0.load(Ordering::Relaxed), 4);
//! ```

/// An observer of a long computation's progress (see the module doc). Every method
/// defaults to doing nothing.
pub trait Progress: Sync {
    /// A task of `total` units begins.
    fn start(&self, _task: &str, _total: u64) {}

    /// `n` more units are done.
    fn advance(&self, _n: u64) {}

    /// What is being worked on now.
    fn message(&self, _message: &str) {}

    /// A line about a finished item.
    fn note(&self, _line: &str) {}

    /// The task has ended.
    fn finish(&self) {}
}

/// The observer that ignores everything: what the entry points without `_with_progress`
/// use.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {}
