//! Experiments built on the problem library, the classifier and the run loop: many
//! seeded runs, parallel over trials and identical on any thread count (trial i draws
//! everything random from `random::stream(seed, i)`; results are collected in trial
//! order). Each is a library function returning a serde report.
//!
//! - [`escape`]: from a saddle, how many iterations gd, noisy_gd or pgd take to leave it
//!   (`landscape escape`);
//! - [`bounds`]: the descent lemma and the convergence bound of GD with η = 1/β along a
//!   run, and [`rate`]: GD's linear rate on a positive definite quadratic
//!   (`landscape bounds`, `landscape plot descent|convergence|rate`); β from
//!   [`smoothness`], the bound's arithmetic in [`convergence`];
//! - [`du2017`]: GD against perturbed GD on Du et al.'s octopus, iterations against d
//!   (`landscape experiment du2017`);
//! - [`atlas`]: per problem family, how often descent from random starts ends at a
//!   global minimum, a spurious minimum or a saddle (`landscape atlas`);
//! - [`kawaguchi`]: Kawaguchi 2016 on deep linear nets, every minimum global, saddles
//!   strict for H = 2, not all strict for H = 3 (`landscape experiment kawaguchi`).
//! - [`safran_shamir`]: how often GD on a two-layer ReLU network with a same-width
//!   teacher ends in a certified spurious local minimum, against k
//!   (`landscape experiment safran-shamir`).

pub mod atlas;
pub mod bounds;
pub mod convergence;
pub mod du2017;
pub mod escape;
pub mod kawaguchi;
pub mod rate;
pub mod safran_shamir;
pub mod smoothness;
