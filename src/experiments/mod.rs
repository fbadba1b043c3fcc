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
//! - [`deep`]: training deep networks (depth and gradients, initialisation,
//!   activations, clipping, pre-training), each ending in [`claims`].
//! - [`normalisation`]: batch normalisation and its relatives (faster training, a
//!   smoother landscape, not internal covariate shift, only γ and β, exponential
//!   learning rates, the batch size, the spectrum), each ending in [`claims`].
//! - [`safran_shamir`]: how often GD on a two-layer ReLU network with a same-width
//!   teacher ends in a certified spurious local minimum, against k
//!   (`landscape experiment safran-shamir`).

pub mod atlas;
pub mod bounds;
pub mod claims;
pub mod convergence;
pub mod deep;
pub mod du2017;
pub mod escape;
pub mod kawaguchi;
pub mod normalisation;
pub mod rate;
pub mod safran_shamir;
pub mod smoothness;

use crate::error::{Error, Result};

/// Checks that every count is at least 1 and within the memory budget (64 bytes per
/// unit, an upper bound for what one costs here); the error names the first that is not
/// (the experiments' sizes: depth, width, seeds, steps, …).
pub fn check_counts(counts: &[(&str, usize)]) -> Result<()> {
    if let Some((name, _)) = counts.iter().find(|(_, v)| *v == 0) {
        return Err(Error::invalid(*name, "an integer ≥ 1", 0));
    }
    for (name, v) in counts {
        crate::budget::check_count(name, *v as u128, 64)?;
    }
    Ok(())
}

/// Parses a list of positive integers like `2,3,4` or `2-8` (inclusive) or a mix, as
/// the experiments' `--dims` and `--k` take them; errors name `field` and call the
/// entries `what`.
pub fn parse_list(list: &str, field: &str, what: &str) -> Result<Vec<usize>> {
    let bad = || {
        Error::invalid(
            field,
            format!("a comma-separated list of {what} ≥ 1 or ranges a-b, e.g. 2,3,4 or 2-8"),
            format!("`{list}`"),
        )
    };
    let mut items = Vec::new();
    for entry in list.split(',') {
        let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
        match entry.trim().split_once('-') {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                if a > b {
                    return Err(bad());
                }
                crate::budget::check_count(field, (items.len() + b - a) as u128, 64)?;
                items.extend(a..=b);
            }
            None => items.push(number(entry)?),
        }
    }
    for &d in &items {
        crate::budget::check_count(field, d as u128, 64)?;
    }
    if items.contains(&0) {
        return Err(Error::invalid(
            field,
            format!("{what} ≥ 1"),
            format!("`{list}`"),
        ));
    }
    Ok(items)
}
