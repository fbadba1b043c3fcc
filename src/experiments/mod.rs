//! Experiments built on the problem library, the classifier and the run loop: many
//! seeded runs, parallel over trials and identical on any thread count (trial i draws
//! everything random from `random::stream(seed, i)`; results are collected in trial
//! order).
//!
//! - [`escape`]: from a saddle, how many iterations gd, noisy_gd or pgd take to leave it.

pub mod escape;
