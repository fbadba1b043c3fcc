//! The landscape atlas: for each problem family, at a size where a no-spurious-minima
//! theorem holds and at one where its hypothesis fails, N seeded runs of descent from
//! random starts, each end point polished and classified, tallied as global minimum,
//! spurious local minimum, saddle or not converged (`landscape atlas`). The user's own
//! specs ([`Subject::own`], `atlas --problem`) run the same way as rows with no
//! prediction stated (`expected` = `unstated`).
//!
//! # One run
//! Run i of entry e starts from x₀ with iid N(0, scale²) entries drawn from
//! `random::stream(seed ^ salt(e), i)` (salt = FNV-1a hash of the entry name, so entries
//! are independent, and each is reproducible on its own), retracted onto the manifold;
//! scale is the census's (the largest |entry| of the known points, or 1). It descends by
//! the census's L-BFGS ([`crate::census::descent`], to ‖g‖ ≤ 10⁻²·grad tol, at most
//! `max_descent_iter` iterations), is polished by the census's root-finder to the
//! rounding floor, and is classified by [`crate::classify::classify`] with the default
//! tolerances.
//!
//! # Tally (verdict → column)
//! - `global_min` → `global_min`;
//! - `spurious_local_min` → `spurious_local_min`;
//! - `local_min` (f* unknown): compared with the empirical optimum f̂ = the lowest value
//!   among the entry's runs that ended at a minimum: f ≤ f̂ + grad tol → `global_min`,
//!   otherwise `spurious_local_min`. Such a row has `optimum_known` = false: its
//!   "global" means "the best any run found";
//! - `strict_saddle`, `non_strict_saddle`, `local_max` → `saddle` (non-strict ones are
//!   also counted in `non_strict_saddle`);
//! - `degenerate` (the classifier's tests are inconclusive: no descent direction proven,
//!   no minimum proven) → the extra column `degenerate`, not a contract column, so the
//!   contract counts add up to `runs` − `degenerate`;
//! - a descent that diverged (f unbounded below, or ‖x‖_∞ > 10⁶·max(1, scale)), a polish
//!   that does not reach ‖grad f‖ ≤ grad tol, or `not_stationary` → `not_converged`.
//!
//! The claim each row tests is "no spurious local minimum"; `holds` is true when no run
//! ended at one (N runs can refute the claim, never prove it).
//!
//! Runs are parallel (rayon) and collected in run order, so the atlas is the same on
//! any number of threads.

pub mod entries;
mod text;

use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::census::descent::Lbfgs;
use crate::census::known_scale;
use crate::census::newton::RootFinder;
use crate::classify::{classify, default_grad_tol, ClassifyOptions};
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::progress::{Progress, Silent};
use crate::random::{gaussian_vector, stream};
use crate::verdict::Verdict;

pub use entries::{select, AtlasEntry, Expectation, Subject, ENTRIES};

/// Options of [`atlas`], with documented defaults.
#[derive(Clone, Debug)]
pub struct AtlasOptions {
    /// Runs per entry; at least 1. Defaults to 20.
    pub runs: usize,
    /// Seed; defaults to 0.
    pub seed: u64,
    /// The entries to run (names from [`ENTRIES`]); all when empty (the default), none
    /// when empty and `own` is not.
    pub only: Vec<String>,
    /// The user's own specs, each a row after the chosen entries; none by default.
    pub own: Vec<Subject>,
    /// Iteration cap of each descent; defaults to 2000.
    pub max_descent_iter: usize,
    /// Cap on the polishing root-finder's trial steps; defaults to 200.
    pub max_polish_steps: usize,
}

impl Default for AtlasOptions {
    fn default() -> Self {
        AtlasOptions {
            runs: 20,
            seed: 0,
            only: Vec::new(),
            own: Vec::new(),
            max_descent_iter: 2000,
            max_polish_steps: 200,
        }
    }
}

/// The tallies of a row as fractions of `runs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fractions {
    /// Fraction ending at a global minimum.
    pub global_min: f64,
    /// Fraction ending at a spurious local minimum.
    pub spurious_local_min: f64,
    /// Fraction ending at a saddle or maximum.
    pub saddle: f64,
    /// Fraction that did not converge.
    pub not_converged: f64,
    /// Fraction ending at a degenerate point.
    pub degenerate: f64,
}

/// One row of the atlas (one entry's N runs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AtlasRow {
    /// The problem kind.
    pub family: String,
    /// The entry (`problems/atlas/<spec>.toml`), or the name of the user's own spec.
    pub spec: String,
    /// The problem run: its kind and every field (provenance).
    pub problem: serde_json::Value,
    /// Runs.
    pub runs: usize,
    /// Runs that ended at a global minimum.
    pub global_min: usize,
    /// Runs that ended at a spurious local minimum.
    pub spurious_local_min: usize,
    /// Runs that ended at a saddle (strict or not) or a local maximum.
    pub saddle: usize,
    /// Runs that did not reach a stationary point.
    pub not_converged: usize,
    /// The lowest value of a spurious local minimum reached; null when none.
    pub lowest_spurious_value: Option<f64>,
    /// Runs that ended at a degenerate point (not in the contract columns).
    pub degenerate: usize,
    /// Of `saddle`, the runs that ended at a non-strict saddle.
    pub non_strict_saddle: usize,
    /// Every spurious value reached, ascending.
    pub spurious_values: Vec<f64>,
    /// f* (the problem's when known, else the empirical one; null when no run ended at
    /// a minimum).
    pub optimum: Option<f64>,
    /// True when f* is the problem's, false when it is the best value found.
    pub optimum_known: bool,
    /// The claim tested.
    pub claim: String,
    /// What the literature predicts for it.
    pub expected: Expectation,
    /// Why, with the reference.
    pub why: String,
    /// True when no run ended at a spurious local minimum.
    pub holds: bool,
    /// The tallies as fractions of `runs`.
    pub fractions: Fractions,
    /// Standard deviation of the starts' entries.
    pub scale: f64,
    /// Wall-clock seconds for the row.
    pub seconds: f64,
}

/// The atlas (the JSON of `landscape atlas`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Atlas {
    /// One row per entry.
    pub rows: Vec<AtlasRow>,
    /// Runs per entry.
    pub runs: usize,
    /// The seed.
    pub seed: u64,
}

/// The claim every row tests.
pub const CLAIM: &str = "no spurious local minimum";

/// Where one run ended.
#[derive(Clone, Copy, Debug)]
struct RunEnd {
    /// The verdict; `NotStationary` for a run that diverged or whose polish failed.
    verdict: Verdict,
    value: f64,
    /// The value tolerance of the verdict (its grad tol).
    tol: f64,
}

/// Runs the atlas (see the module doc).
///
/// Errors: `runs` = 0, an unknown entry in `only`, and the classifier's errors.
pub fn atlas(opts: &AtlasOptions) -> Result<Atlas> {
    atlas_with_progress(opts, &Silent)
}

/// [`atlas`], telling `progress` of each run done (task `atlas`, one unit per run of
/// each chosen entry; the message names the entry being run).
pub fn atlas_with_progress(opts: &AtlasOptions, progress: &dyn Progress) -> Result<Atlas> {
    check_runs(opts.runs)?;
    let shipped = if opts.only.is_empty() && !opts.own.is_empty() {
        Vec::new()
    } else {
        select(&opts.only)?
    };
    let mut subjects = shipped
        .into_iter()
        .map(AtlasEntry::subject)
        .collect::<Result<Vec<_>>>()?;
    subjects.extend(opts.own.iter().cloned());
    progress.start("atlas", (subjects.len() * opts.runs) as u64);
    let mut rows = Vec::with_capacity(subjects.len());
    for subject in &subjects {
        progress.message(&subject.name);
        rows.push(atlas_row(subject, opts, &|| progress.advance(1))?);
    }
    progress.finish();
    Ok(Atlas {
        rows,
        runs: opts.runs,
        seed: opts.seed,
    })
}

/// One entry's row; `tick` is called after each run.
///
/// Errors: `runs` = 0, a spec that does not build, and the classifier's errors.
pub fn atlas_row(
    entry: &Subject,
    opts: &AtlasOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<AtlasRow> {
    check_runs(opts.runs)?;
    let started = Instant::now();
    let f = crate::problems::build(&entry.spec)?;
    let f = f.as_ref();
    let scale = known_scale(f);
    let seed = opts.seed ^ salt(&entry.name);
    let ends: Vec<RunEnd> = (0..opts.runs)
        .into_par_iter()
        .map(|i| {
            let end = run_once(f, seed, i as u64, scale, opts);
            tick();
            end
        })
        .collect::<Result<_>>()?;
    let mut row = tally(entry, f.kind(), f.optimum(), &ends);
    row.scale = scale;
    row.seconds = started.elapsed().as_secs_f64();
    Ok(row)
}

fn check_runs(runs: usize) -> Result<()> {
    if runs == 0 {
        return Err(Error::invalid("runs", "at least 1", 0));
    }
    crate::budget::check_count("runs", runs as u128, 1024)?;
    Ok(())
}

/// FNV-1a of the entry name: a per-entry salt of the seed.
fn salt(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Descent, polish and verdict of run `index`.
fn run_once(
    f: &dyn Objective,
    seed: u64,
    index: u64,
    scale: f64,
    opts: &AtlasOptions,
) -> Result<RunEnd> {
    let mut x = gaussian_vector(&mut stream(seed, index), f.dim());
    x.iter_mut().for_each(|v| *v *= scale);
    f.manifold().retract_in_place(&mut x);
    let failed = RunEnd {
        verdict: Verdict::NotStationary,
        value: f64::NAN,
        tol: f64::NAN,
    };
    let bound = 1e6 * scale.max(1.0);
    let descent = Lbfgs::new(f).minimise(
        &mut x,
        |v| 1e-2 * default_grad_tol(v),
        scale.max(f64::MIN_POSITIVE),
        bound,
        opts.max_descent_iter,
    );
    if descent.diverged {
        return Ok(failed);
    }
    // Polish to the rounding floor (as the census does), so that the eigenvalues the
    // verdict reads are those of the stationary point, not of a point near it.
    let polish = RootFinder::new(f).solve(&mut x, |_| 0.0, default_grad_tol, opts.max_polish_steps);
    let inside = x.iter().all(|v| v.abs() <= bound);
    if !(polish.value.is_finite() && inside && polish.grad_norm <= default_grad_tol(polish.value)) {
        return Ok(failed);
    }
    let c = classify(f, &x, &ClassifyOptions::default())?;
    Ok(RunEnd {
        verdict: c.kind,
        value: c.value,
        tol: c.tolerances.grad,
    })
}

/// The row's tallies from the runs' ends (see the module doc's mapping).
fn tally(entry: &Subject, family: &str, known: Option<f64>, ends: &[RunEnd]) -> AtlasRow {
    let empirical = ends
        .iter()
        .filter(|e| matches!(e.verdict, Verdict::GlobalMin | Verdict::LocalMin))
        .map(|e| e.value)
        .min_by(f64::total_cmp);
    let optimum = known.or(empirical);
    let (mut global, mut saddle, mut not_converged, mut degenerate, mut non_strict) =
        (0, 0, 0, 0, 0);
    let mut spurious_values = Vec::new();
    for e in ends {
        match e.verdict {
            Verdict::GlobalMin => global += 1,
            Verdict::SpuriousLocalMin => spurious_values.push(e.value),
            Verdict::LocalMin => match optimum {
                Some(best) if e.value > best + e.tol => spurious_values.push(e.value),
                _ => global += 1,
            },
            Verdict::StrictSaddle | Verdict::LocalMax => saddle += 1,
            Verdict::NonStrictSaddle => {
                saddle += 1;
                non_strict += 1;
            }
            Verdict::Degenerate => degenerate += 1,
            Verdict::NotStationary => not_converged += 1,
        }
    }
    spurious_values.sort_by(f64::total_cmp);
    let runs = ends.len();
    let fraction = |count: usize| count as f64 / runs as f64;
    let spurious = spurious_values.len();
    AtlasRow {
        family: family.to_string(),
        spec: entry.name.clone(),
        problem: crate::provenance::problem_record(&entry.spec),
        runs,
        global_min: global,
        spurious_local_min: spurious,
        saddle,
        not_converged,
        lowest_spurious_value: spurious_values.first().copied(),
        degenerate,
        non_strict_saddle: non_strict,
        spurious_values,
        optimum,
        optimum_known: known.is_some(),
        claim: CLAIM.to_string(),
        expected: entry.expectation,
        why: entry.why.clone(),
        holds: spurious == 0,
        fractions: Fractions {
            global_min: fraction(global),
            spurious_local_min: fraction(spurious),
            saddle: fraction(saddle),
            not_converged: fraction(not_converged),
            degenerate: fraction(degenerate),
        },
        scale: 0.0,
        seconds: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(verdict: Verdict, value: f64) -> RunEnd {
        RunEnd {
            verdict,
            value,
            tol: 1e-6,
        }
    }

    #[test]
    fn unknown_optimum_is_the_best_minimum_found() {
        let ends = [
            end(Verdict::LocalMin, 2.0),
            end(Verdict::LocalMin, 1.0 + 5e-7),
            end(Verdict::LocalMin, 1.0),
            end(Verdict::StrictSaddle, 3.0),
            end(Verdict::NonStrictSaddle, 3.0),
            end(Verdict::LocalMax, 4.0),
            end(Verdict::Degenerate, 0.5),
            end(Verdict::NotStationary, f64::NAN),
        ];
        let row = tally(&ENTRIES[0].subject().unwrap(), "k", None, &ends);
        assert_eq!(row.optimum, Some(1.0));
        assert!(!row.optimum_known);
        assert_eq!(
            (row.global_min, row.spurious_local_min, row.saddle),
            (2, 1, 3)
        );
        assert_eq!(
            (row.non_strict_saddle, row.degenerate, row.not_converged),
            (1, 1, 1)
        );
        assert_eq!(row.lowest_spurious_value, Some(2.0));
        assert!(!row.holds);
        assert_eq!(row.fractions.saddle, 3.0 / 8.0);
    }

    #[test]
    fn known_optimum_is_used_as_given() {
        let ends = [
            end(Verdict::GlobalMin, 0.0),
            end(Verdict::SpuriousLocalMin, 0.3),
            end(Verdict::SpuriousLocalMin, 0.1),
        ];
        let row = tally(&ENTRIES[0].subject().unwrap(), "k", Some(0.0), &ends);
        assert!(row.optimum_known);
        assert_eq!(row.spurious_values, vec![0.1, 0.3]);
        assert_eq!(row.lowest_spurious_value, Some(0.1));
        let clean = tally(&ENTRIES[0].subject().unwrap(), "k", Some(0.0), &ends[..1]);
        assert!(clean.holds && clean.lowest_spurious_value.is_none());
    }

    #[test]
    fn salts_differ_between_entries() {
        let salts: std::collections::BTreeSet<u64> = ENTRIES.iter().map(|e| salt(e.name)).collect();
        assert_eq!(salts.len(), ENTRIES.len());
    }
}
