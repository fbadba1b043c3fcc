//! The census of a landscape: the stationary points of every kind that N seeded random
//! starts lead to.
//!
//! Each start x₀ (iid N(0, scale²) entries from `random::stream(seed, start)`, retracted
//! onto the manifold) runs two searches, each capped:
//! - descent ([`descent`], L-BFGS) to a minimum, then polished by the root-finder;
//! - the root-finder ([`newton`], Levenberg–Marquardt on ∇f = 0) straight from x₀,
//!   which converges to saddles and maxima as readily as to minima.
//!
//! A search's end point is kept when ‖grad f‖ ≤ the gradient tolerance (the classifier's:
//! `grad_tol`, default 10⁻⁶·max(1, |f|)); the polish runs until a root-finder step no
//! longer lowers ‖grad f‖ (the rounding floor) or its step cap. Kept points
//! are deduplicated ([`dedup`]: distance ≤ `dedup_tol`·max(1, scale), then, on problems
//! with declared continuous symmetries, by a symmetry-invariant signature), each distinct
//! point is classified ([`crate::classify`]), and its hits (searches that ended there)
//! are counted.
//!
//! Starts run in parallel (rayon) and are merged in start order, so the result is the
//! same on any number of threads.
//!
//! # Scale of the starts
//! `scale` when given; otherwise the largest |entry| over the problem's known points
//! (the region where the mathematics puts its stationary points), or 1 when there are
//! none or they are all 0.

pub mod dedup;
pub mod descent;
pub mod newton;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::classify::{check_tolerance, classify, default_grad_tol, ClassifyOptions};
use crate::display::format_vector;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::progress::{Progress, Silent};
use crate::random::{gaussian_vector, stream};
use crate::verdict::Verdict;

use dedup::{group_by_distance, same_signature, Candidate};
use descent::Lbfgs;
use newton::RootFinder;

/// Options of [`census`], with documented defaults.
#[derive(Clone, Debug)]
pub struct CensusOptions {
    /// Number of random starts; at least 1. Defaults to 100.
    pub starts: usize,
    /// Seed of the starts; defaults to 0.
    pub seed: u64,
    /// Standard deviation of the starts' entries; defaults to the known points' scale
    /// (see the module doc). Must be finite and positive.
    pub scale: Option<f64>,
    /// Gradient tolerance for keeping a point; defaults to the classifier's,
    /// 10⁻⁶·max(1, |f|). Must be finite and positive.
    pub grad_tol: Option<f64>,
    /// Iteration cap of each descent; defaults to 2000.
    pub max_descent_iter: usize,
    /// Cap on root-finder trial steps per search; defaults to 200.
    pub max_newton_steps: usize,
    /// Points closer than `dedup_tol`·max(1, scale) are the same; defaults to 10⁻⁵.
    pub dedup_tol: f64,
    /// How each distinct point is classified (its `grad_tol` is replaced by this
    /// census's).
    pub classify: ClassifyOptions,
}

impl Default for CensusOptions {
    fn default() -> Self {
        CensusOptions {
            starts: 100,
            seed: 0,
            scale: None,
            grad_tol: None,
            max_descent_iter: 2000,
            max_newton_steps: 200,
            dedup_tol: 1e-5,
            classify: ClassifyOptions::default(),
        }
    }
}

/// One distinct stationary point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CensusPoint {
    /// Its verdict.
    pub kind: Verdict,
    /// f there.
    pub value: f64,
    /// The point (the first search to reach it).
    pub x: Vec<f64>,
    /// Searches (two per start) that ended there (0 when a file does not record it).
    #[serde(default)]
    pub hits: usize,
}

/// The result of [`census`] (the JSON of `landscape census`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Census {
    /// Distinct points, by increasing value.
    pub points: Vec<CensusPoint>,
    /// Verdict → number of distinct points.
    pub counts: BTreeMap<Verdict, usize>,
    /// Starts run.
    pub starts: usize,
    /// Searches (two per start) that ended at a point within the gradient tolerance.
    pub converged: usize,
    /// Standard deviation of the starts' entries.
    pub scale: f64,
}

/// The text of `landscape census` after the problem's name and a colon: the counts of
/// starts and converged searches, one line per distinct point, the counts per kind.
impl std::fmt::Display for Census {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            out,
            "{} starts (scale {:.3e}), {} of {} searches converged, {} distinct points",
            self.starts,
            self.scale,
            self.converged,
            2 * self.starts,
            self.points.len()
        )?;
        writeln!(out, "{:<20} {:>20} {:>6}  x", "kind", "value", "hits")?;
        for p in &self.points {
            writeln!(
                out,
                "{:<20} {:>20.12e} {:>6}  {}",
                p.kind.name(),
                p.value,
                p.hits,
                format_vector(&p.x)
            )?;
        }
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        writeln!(out, "counts: {}", counts.join(", "))
    }
}

/// Runs the census (see the module doc).
///
/// Errors: `starts` = 0, a non-positive or non-finite `scale`, `grad_tol` or
/// `dedup_tol` (each naming the option), and the classifier's errors.
pub fn census(f: &dyn Objective, opts: &CensusOptions) -> Result<Census> {
    census_with_progress(f, opts, &Silent)
}

/// [`census`], telling `progress` of each start searched (task `census`, one unit per
/// start).
pub fn census_with_progress(
    f: &dyn Objective,
    opts: &CensusOptions,
    progress: &dyn Progress,
) -> Result<Census> {
    if opts.starts == 0 {
        return Err(Error::invalid("starts", "at least 1", 0));
    }
    // Two candidates per start, each a point and its evidence.
    let per_start = 2 * (8 * f.dim() as u128 + 256);
    crate::budget::check_count("starts", opts.starts as u128, per_start)?;
    check_tolerance("scale", opts.scale)?;
    check_tolerance("grad_tol", opts.grad_tol)?;
    check_tolerance("dedup_tol", Some(opts.dedup_tol))?;
    check_tolerance("eig_tol", opts.classify.eig_tol)?;
    let scale = opts.scale.unwrap_or_else(|| known_scale(f));
    progress.start("census", opts.starts as u64);
    let found: Vec<[Option<Candidate>; 2]> = (0..opts.starts)
        .into_par_iter()
        .map(|start| {
            let result = search_from(f, start, scale, opts);
            progress.advance(1);
            result
        })
        .collect();
    progress.finish();
    let candidates: Vec<Candidate> = found.into_iter().flatten().flatten().collect();
    let converged = candidates.len();
    let groups = group_by_distance(candidates, opts.dedup_tol * scale.max(1.0));
    let mut classify_opts = opts.classify.clone();
    classify_opts.grad_tol = opts.grad_tol;
    let classified: Vec<_> = groups
        .par_iter()
        .map(|g| classify(f, &g.representative.x, &classify_opts))
        .collect::<Result<_>>()?;
    let mut points: Vec<(CensusPoint, crate::classify::Classification)> = Vec::new();
    for (group, c) in groups.into_iter().zip(classified) {
        let symmetric = f.symmetry_count(&group.representative.x) > 0;
        if symmetric {
            if let Some((p, other)) = points
                .iter_mut()
                .find(|(_, other)| same_signature(&c, other))
            {
                p.hits += group.hits;
                // A clear gain only: along an orthogonal symmetry ‖H‖ is the same up
                // to rounding, and the first in start order stays.
                if hessian_scale(&c) < 0.5 * hessian_scale(other) {
                    p.x = group.representative.x;
                    p.value = c.value;
                    *other = c;
                }
                continue;
            }
        }
        let point = CensusPoint {
            kind: c.kind,
            value: c.value,
            x: group.representative.x,
            hits: group.hits,
        };
        points.push((point, c));
    }
    let mut points: Vec<CensusPoint> = points.into_iter().map(|(p, _)| p).collect();
    points.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then_with(|| lexicographic(&a.x, &b.x))
    });
    let mut counts = BTreeMap::new();
    for p in &points {
        *counts.entry(p.kind).or_insert(0) += 1;
    }
    Ok(Census {
        points,
        counts,
        starts: opts.starts,
        converged,
        scale,
    })
}

/// The two searches from one start: [descent then polish, root-finder].
fn search_from(
    f: &dyn Objective,
    start: usize,
    scale: f64,
    opts: &CensusOptions,
) -> [Option<Candidate>; 2] {
    let mut x0 = gaussian_vector(&mut stream(opts.seed, start as u64), f.dim());
    x0.iter_mut().for_each(|v| *v *= scale);
    let manifold = f.manifold();
    manifold.retract_in_place(&mut x0);
    let accept = |value: f64| opts.grad_tol.unwrap_or_else(|| default_grad_tol(value));
    // Polish to the rounding floor: near a degenerate point λ shrinks only like
    // ‖x − x*‖ while ‖grad f‖ shrinks like its square, so stopping at a gradient
    // target would leave spurious eigenvalues above the eigenvalue tolerance.
    let polish = |_: f64| 0.0;
    let bound = 1e6 * scale.max(1.0);
    let mut root = RootFinder::new(f);
    let keep = |x: Vec<f64>, value: f64, grad_norm: f64| {
        let ok =
            value.is_finite() && grad_norm <= accept(value) && x.iter().all(|v| v.abs() <= bound);
        ok.then_some(Candidate { x, value })
    };

    let mut x = x0.clone();
    let descent = Lbfgs::new(f).minimise(
        &mut x,
        |v| 1e-2 * accept(v),
        scale.max(f64::MIN_POSITIVE),
        bound,
        opts.max_descent_iter,
    );
    let by_descent = if descent.diverged {
        None
    } else {
        let s = root.solve(&mut x, polish, accept, opts.max_newton_steps);
        keep(x, s.value, s.grad_norm)
    };

    let mut x = x0;
    let s = root.solve(&mut x, polish, accept, opts.max_newton_steps);
    let by_root = keep(x, s.value, s.grad_norm);
    [by_descent, by_root]
}

/// The default scale of random starts: the largest |entry| over the known points, or 1.
pub fn known_scale(f: &dyn Objective) -> f64 {
    let largest = f
        .known_points()
        .iter()
        .flat_map(|p| p.x.iter().map(|v| v.abs()))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if largest > 0.0 {
        largest
    } else {
        1.0
    }
}

/// ‖H‖ as the classification saw it (the larger |extreme eigenvalue|; unknown counts as ∞).
fn hessian_scale(c: &crate::classify::Classification) -> f64 {
    match (c.lambda_min, c.lambda_max) {
        (Some(lo), Some(hi)) => lo.abs().max(hi.abs()),
        _ => f64::INFINITY,
    }
}

fn lexicographic(a: &[f64], b: &[f64]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}
