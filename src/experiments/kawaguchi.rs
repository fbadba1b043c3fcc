//! Kawaguchi's (2016) claims on deep linear networks, measured: for
//! f(W₁…W_H) = ½‖W_H⋯W₁X − Y‖²_F ("Deep learning without poor local minima", Theorem
//! 2.3), every local minimum is global; for H = 2 every saddle is strict; for H ≥ 3 there
//! are saddles with no negative Hessian eigenvalue (e.g. W = 0: f(tV) = f(0) −
//! t^H⟨V_H⋯V₁X, Y⟩ + O(t^{2H}), gradient and Hessian zero).
//!
//! For the atlas's two instances (`problems/atlas/linear_net_2.toml`, widths 3-4-2, and
//! `linear_net_3.toml`, widths 3-4-4-2), it runs the census ([`crate::census`]: descent
//! and a root-finder from N seeded starts, distinct points classified) and classifies
//! the problem's closed-form stationary points (`zeros`, `truth`). The census's random
//! starts do not reach W = 0 for H = 3: the root-finder converges there only linearly
//! (‖∇f‖ = O(‖W‖²)) and stops first at strict saddles of the set W₃W₂W₁ = 0 with the same
//! value; so the non-strict saddle is the classifier's verdict on the known point, which
//! the report lists separately from the census.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::census::dedup::same_value;
use crate::census::{census_with_progress, CensusOptions};
use crate::classify::{classify, ClassifyOptions};
use crate::error::Result;
use crate::experiments::atlas::ENTRIES;
use crate::progress::{Progress, Silent};
use crate::verdict::Verdict;

/// Options of [`kawaguchi`].
#[derive(Clone, Debug)]
pub struct KawaguchiOptions {
    /// Census starts per depth; at least 1. Defaults to 50.
    pub starts: usize,
    /// Seed of the starts; defaults to 0.
    pub seed: u64,
}

impl Default for KawaguchiOptions {
    fn default() -> Self {
        KawaguchiOptions {
            starts: 50,
            seed: 0,
        }
    }
}

/// A closed-form stationary point: the verdict the mathematics gives and the
/// classifier's.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KnownPointCheck {
    /// Its name (`landscape points`).
    pub name: String,
    /// The verdict of the mathematics.
    pub expected: Verdict,
    /// The classifier's verdict.
    pub measured: Verdict,
    /// f there.
    pub value: f64,
    /// Smallest eigenvalue of the reduced Hessian.
    pub lambda_min: Option<f64>,
}

/// One depth H.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KawaguchiCase {
    /// H, the number of weight matrices.
    pub depth: usize,
    /// The atlas entry (`problems/atlas/<spec>.toml`).
    pub spec: String,
    /// The census's verdict → number of distinct points.
    pub census_counts: BTreeMap<Verdict, usize>,
    /// The known points, classified.
    pub known_points: Vec<KnownPointCheck>,
    /// Global minima among the census's distinct points and the known points (a known
    /// point counts only when the census has no point of the same verdict and value,
    /// i.e. the same orbit up to the census's signature; likewise below).
    pub global_minima: usize,
    /// Local minima that are not global (spurious_local_min or local_min).
    pub spurious_minima: usize,
    /// Strict saddles.
    pub strict_saddles: usize,
    /// Non-strict saddles.
    pub non_strict_saddles: usize,
    /// Degenerate points (inconclusive verdicts).
    pub degenerate: usize,
    /// No local minimum that is not global.
    pub every_minimum_global: bool,
    /// No non-strict saddle.
    pub all_saddles_strict: bool,
}

/// The report (the JSON of `landscape experiment kawaguchi`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KawaguchiReport {
    /// H = 2, then H = 3.
    pub cases: Vec<KawaguchiCase>,
    /// Census starts per depth.
    pub starts: usize,
    /// The seed.
    pub seed: u64,
    /// Every minimum global in both cases, all saddles strict for H = 2 and a
    /// non-strict saddle for H = 3.
    pub claims_hold: bool,
}

/// The text report of `landscape experiment kawaguchi`: one block per depth, then the
/// verdict on the claims.
impl std::fmt::Display for KawaguchiReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let report = self;
        writeln!(
            out,
            "Kawaguchi 2016 on deep linear nets ½‖W_H⋯W₁X − Y‖²: census of {} starts (seed {}) \
             plus the closed-form points",
            report.starts, report.seed
        )?;
        for c in &report.cases {
            let counts: Vec<String> = c
                .census_counts
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            writeln!(
                out,
                "H = {} ({}): census {}",
                c.depth,
                c.spec,
                counts.join(", ")
            )?;
            for p in &c.known_points {
                writeln!(
                    out,
                    "  known point {:<6} {:<18} (expected {}), f = {:.6e}, λmin = {}",
                    p.name,
                    p.measured.name(),
                    p.expected.name(),
                    p.value,
                    p.lambda_min.map_or("–".into(), |l| format!("{l:.3e}"))
                )?;
            }
            writeln!(
                out,
                "  minima: {} global, {} not global → every minimum global: {}; saddles: {} \
                 strict, {} non-strict, {} degenerate → all strict: {}",
                c.global_minima,
                c.spurious_minima,
                c.every_minimum_global,
                c.strict_saddles,
                c.non_strict_saddles,
                c.degenerate,
                c.all_saddles_strict
            )?;
        }
        writeln!(
            out,
            "claims (every minimum global; H = 2 saddles strict; H = 3 has a non-strict \
             saddle): {}",
            if report.claims_hold {
                "hold"
            } else {
                "do not all hold"
            }
        )?;
        Ok(())
    }
}

/// Runs the census and the known-point checks for H = 2 and H = 3.
///
/// Errors: `starts` = 0 and the census's and the classifier's errors.
pub fn kawaguchi(opts: &KawaguchiOptions) -> Result<KawaguchiReport> {
    kawaguchi_with_progress(opts, &Silent)
}

/// [`kawaguchi`], telling `progress` of each census (task `census`, once per depth).
pub fn kawaguchi_with_progress(
    opts: &KawaguchiOptions,
    progress: &dyn Progress,
) -> Result<KawaguchiReport> {
    let cases = [(2, "linear_net_2"), (3, "linear_net_3")]
        .into_iter()
        .map(|(depth, name)| case(depth, name, opts, progress))
        .collect::<Result<Vec<_>>>()?;
    let claims_hold = cases.iter().all(|c| c.every_minimum_global)
        && cases[0].all_saddles_strict
        && cases[1].non_strict_saddles > 0;
    Ok(KawaguchiReport {
        cases,
        starts: opts.starts,
        seed: opts.seed,
        claims_hold,
    })
}

fn case(
    depth: usize,
    name: &str,
    opts: &KawaguchiOptions,
    progress: &dyn Progress,
) -> Result<KawaguchiCase> {
    let entry = ENTRIES
        .iter()
        .find(|e| e.name == name)
        .expect("the linear_net atlas entries exist");
    let f = crate::problems::build(&entry.spec()?)?;
    let f = f.as_ref();
    let found = census_with_progress(
        f,
        &CensusOptions {
            starts: opts.starts,
            seed: opts.seed,
            ..CensusOptions::default()
        },
        progress,
    )?;
    let known_points = f
        .known_points()
        .into_iter()
        .map(|p| {
            let c = classify(f, &p.x, &ClassifyOptions::default())?;
            Ok(KnownPointCheck {
                name: p.name,
                expected: p.kind,
                measured: c.kind,
                value: c.value,
                lambda_min: c.lambda_min,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let verdicts: Vec<Verdict> = found
        .points
        .iter()
        .map(|p| p.kind)
        .chain(
            known_points
                .iter()
                .filter(|k| {
                    !found
                        .points
                        .iter()
                        .any(|p| p.kind == k.measured && same_value(p.value, k.value))
                })
                .map(|k| k.measured),
        )
        .collect();
    let count = |kinds: &[Verdict]| verdicts.iter().filter(|v| kinds.contains(v)).count();
    let spurious_minima = count(&[Verdict::SpuriousLocalMin, Verdict::LocalMin]);
    let non_strict_saddles = count(&[Verdict::NonStrictSaddle]);
    Ok(KawaguchiCase {
        depth,
        spec: name.to_string(),
        census_counts: found.counts,
        known_points,
        global_minima: count(&[Verdict::GlobalMin]),
        spurious_minima,
        strict_saddles: count(&[Verdict::StrictSaddle]),
        non_strict_saddles,
        degenerate: count(&[Verdict::Degenerate]),
        every_minimum_global: spurious_minima == 0,
        all_saddles_strict: non_strict_saddles == 0,
    })
}
