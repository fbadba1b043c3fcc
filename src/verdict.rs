//! The names of the kinds of stationary point; [`crate::classify`] gives the rules that
//! assign one to a point.

use serde::{Deserialize, Serialize};

/// What a point is. Known points carry the verdict the mathematics gives; the
/// classifier ([`crate::classify::classify`]) gives one from the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// ‖∇f‖ above tolerance.
    NotStationary,
    /// A minimum with f = f*.
    GlobalMin,
    /// A local minimum where f* is unknown.
    LocalMin,
    /// A local minimum with f > f* + tol.
    SpuriousLocalMin,
    /// λmin < −tol.
    StrictSaddle,
    /// No negative eigenvalue, but a descent direction of higher order.
    NonStrictSaddle,
    /// A local maximum.
    LocalMax,
    /// The tests are inconclusive.
    Degenerate,
}

impl Verdict {
    /// The snake_case name used in JSON and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::NotStationary => "not_stationary",
            Verdict::GlobalMin => "global_min",
            Verdict::LocalMin => "local_min",
            Verdict::SpuriousLocalMin => "spurious_local_min",
            Verdict::StrictSaddle => "strict_saddle",
            Verdict::NonStrictSaddle => "non_strict_saddle",
            Verdict::LocalMax => "local_max",
            Verdict::Degenerate => "degenerate",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
