//! The atlas's entries: a shipped spec (`problems/atlas/<name>.toml`, embedded) and what
//! the literature predicts for it.
//!
//! Every entry tests the same claim, "descent from a random start never ends at a
//! spurious local minimum" (no spurious local minima), at a size where a theorem says
//! it holds or at one where the theorem's hypothesis fails.
//!
//! # What the default atlas measures (20 runs, seed 0), and what it does not
//! - Every `holds` entry: no spurious minimum, as predicted.
//! - `matrix_completion_sparse` (p = 0.6, n = 10): spurious local minima at f ≈ 9.4·10⁻⁵
//!   and f ≈ 5.1·10⁻² (the census finds both; second-order sufficient conditions hold,
//!   f* = 0). At p = 0.8 (the `holds` entry) none in 100 runs. An earlier candidate at
//!   p = 0.15 showed none in 20 runs: sparse observation does not by itself create
//!   spurious minima here, so the failing entry is the one where they were measured.
//! - `quadratic_net_under` (k = 1 < teacher's 2): about half the runs end at a local
//!   minimum with f ≈ 1.45, above the best minimum found (f ≈ 0.208; f* unknown).
//! - `matrix_sensing_few_measurements` (m = 4): no restricted isometry, yet no spurious
//!   minimum in 100 runs — f can reach 0 on a large set when m ≪ n(n+1)/2, and the
//!   lack of a theorem is not a counterexample. Reported as measured, not tuned.
//! - `tensor_factorization`: ≈40% of the runs do not converge: their components grow
//!   (‖uᵢ‖ ≈ 10 against ≈ 1 at the truth) while f creeps down towards ≈ 0.06 — the
//!   diverging, cancelling terms of a degenerate CP fit (Kolda & Bader 2009, §3.4) — and
//!   the gradient tolerance is not met within 2000 iterations.
//! - `relu_net` (k = n = 8): ≈25% of the runs (≈19% of 100) end at a spurious minimum
//!   with f ≈ 2.15·10⁻² (f* = 0; second-order sufficient conditions hold there).
//! - A rank-one tensor fit with unequal weights is not in the atlas:
//!   `tensor_factorization` has no component weights.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::problems::ProblemSpec;

/// What the literature predicts for an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// A theorem: no spurious local minimum at this size.
    Holds,
    /// Spurious local minima are known to exist (a proof or a published census).
    Fails,
    /// The theorem's hypothesis fails at this size, so nothing is guaranteed, but no
    /// spurious minimum is proven either; the atlas measures what happens.
    Open,
    /// The user's own spec: no prediction is stated; the atlas measures what happens.
    Unstated,
}

/// One row of the atlas before it is run.
#[derive(Clone, Copy, Debug)]
pub struct AtlasEntry {
    /// The name (`problems/atlas/<name>.toml`), the JSON's `spec`.
    pub name: &'static str,
    /// The spec text, embedded.
    pub spec_toml: &'static str,
    /// What the literature predicts.
    pub expectation: Expectation,
    /// Why, in one line, with the reference.
    pub why: &'static str,
}

impl AtlasEntry {
    /// The parsed spec.
    pub fn spec(&self) -> Result<ProblemSpec> {
        ProblemSpec::from_toml(self.spec_toml, &format!("atlas/{}", self.name), None)
    }

    /// The entry as a row to run.
    pub fn subject(&self) -> Result<Subject> {
        Ok(Subject {
            name: self.name.to_string(),
            spec: self.spec()?,
            expectation: self.expectation,
            why: self.why.to_string(),
        })
    }
}

/// What one row of the atlas runs: a spec, its name in the table (the JSON's `spec`),
/// and what is predicted for it. A shipped entry ([`AtlasEntry::subject`]) or the user's
/// own spec ([`Subject::own`]).
#[derive(Clone, Debug)]
pub struct Subject {
    /// The row's name; it also salts the seed of the row's starts.
    pub name: String,
    /// The problem.
    pub spec: ProblemSpec,
    /// What the literature predicts.
    pub expectation: Expectation,
    /// Why, in one line.
    pub why: String,
}

impl Subject {
    /// The user's own spec under `name` (for example the spec's file name or formula):
    /// no prediction; the row reports what descent finds.
    pub fn own(name: impl Into<String>, spec: ProblemSpec) -> Self {
        Subject {
            name: name.into(),
            spec,
            expectation: Expectation::Unstated,
            why: "your own spec: no prediction stated; the atlas measures".to_string(),
        }
    }
}

macro_rules! entry {
    ($name:literal, $expectation:ident, $why:literal) => {
        AtlasEntry {
            name: $name,
            spec_toml: include_str!(concat!("../../../problems/atlas/", $name, ".toml")),
            expectation: Expectation::$expectation,
            why: $why,
        }
    };
}

/// Every entry, in the order of the table.
pub const ENTRIES: &[AtlasEntry] = &[
    entry!(
        "matrix_factorization",
        Holds,
        "¼‖UUᵀ − M‖²: every local minimum is a best rank-r approximation (Eckart–Young; \
         Ge, Jin & Zheng 2017)"
    ),
    entry!(
        "matrix_sensing",
        Holds,
        "m = 60 Gaussian measurements of a rank-2 6×6 matrix: restricted isometry ⇒ no \
         spurious minima (Bhojanapalli et al. 2016)"
    ),
    entry!(
        "matrix_sensing_few_measurements",
        Open,
        "m = 4 < n(n+1)/2 = 21: no restricted isometry, the theorem says nothing"
    ),
    entry!(
        "matrix_completion",
        Holds,
        "p = 0.8 of the entries of a rank-2 10×10 matrix, the dense regime of Ge, Lee & Ma \
         2016 (no spurious minima)"
    ),
    entry!(
        "matrix_completion_sparse",
        Open,
        "p = 0.6 at n = 10: far below the theorem's sample complexity p ≳ poly(μ, r, κ)·log n / n"
    ),
    entry!(
        "tensor_decomposition",
        Holds,
        "orthogonal 4th-order tensor on spheres: all local minima global, saddles strict \
         (Ge, Huang, Jin & Yuan 2015)"
    ),
    entry!(
        "tensor_factorization",
        Open,
        "unconstrained symmetric CP fit, rank 3 in R^8: no general theorem (Ge & Ma 2017 \
         treat other regimes)"
    ),
    entry!(
        "quadratic_net",
        Holds,
        "k = 5 ≥ √(2N) = √20 quadratic neurons: every local minimum global (Du & Lee 2018)"
    ),
    entry!(
        "quadratic_net_under",
        Open,
        "k = 1 < teacher's 2 and < √(2N): the over-parametrisation theorem does not apply"
    ),
    entry!(
        "linear_net_2",
        Holds,
        "deep linear net, H = 2: every local minimum global, saddles strict (Kawaguchi 2016)"
    ),
    entry!(
        "linear_net_3",
        Holds,
        "deep linear net, H = 3: every local minimum global, some saddles non-strict \
         (Kawaguchi 2016)"
    ),
    entry!(
        "relu_net",
        Fails,
        "ReLU net k = n = 8 on a ReLU teacher, Gaussian inputs: spurious minima common \
         (Safran & Shamir 2018)"
    ),
    entry!(
        "six_hump_camel",
        Fails,
        "the six-hump camel has 4 spurious local minima (Dixon & Szegő 1978)"
    ),
];

/// The entries named in `names` (all when empty), in table order.
///
/// Errors: a name that is not an entry, listing the known ones.
pub fn select(names: &[String]) -> Result<Vec<&'static AtlasEntry>> {
    for name in names {
        if !ENTRIES.iter().any(|e| e.name == name) {
            let known: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
            return Err(Error::invalid(
                "only",
                format!("atlas entries among: {}", known.join(", ")),
                format!("`{name}`"),
            ));
        }
    }
    Ok(ENTRIES
        .iter()
        .filter(|e| names.is_empty() || names.iter().any(|n| n == e.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_builds() {
        for e in ENTRIES {
            let spec = e.spec().unwrap();
            crate::problems::build(&spec).unwrap();
        }
    }

    #[test]
    fn unknown_entry_is_an_error() {
        let err = select(&["nope".to_string()]).unwrap_err().to_string();
        assert!(
            err.contains("nope") && err.contains("matrix_sensing"),
            "{err}"
        );
        assert_eq!(select(&[]).unwrap().len(), ENTRIES.len());
    }
}
