//! Deduplication of the stationary points a census finds.
//!
//! 1. By distance: candidates are taken in start order and join the first group whose
//!    representative (its first member) is within `radius` (Euclidean); otherwise they
//!    found a new group. Groups are indexed by the projection uᵀx on a fixed unit vector
//!    u, which changes by at most ‖x − y‖, so only groups whose projection lies within
//!    `radius` are compared.
//! 2. Up to continuous symmetries (problems declaring `symmetry_directions`): a symmetry
//!    orbit is a continuum of stationary points with the same value, the same verdict
//!    and, since a linear symmetry φ turns the Hessian into the congruent φ⁻ᵀHφ⁻¹, the
//!    same inertia (Sylvester's law; the eigenvalues themselves change under
//!    non-orthogonal symmetries such as the GL(d) rescalings of a deep linear network).
//!    So after classification, groups with the same verdict, number of negative
//!    eigenvalues and value (within 10⁻⁹·max(1, |f|)) are merged (see
//!    [`same_signature`]). The number of zero eigenvalues is left out: it is invariant
//!    in exact arithmetic, but not in floating point, where the eigenvalue tolerance
//!    scales with ‖H‖ and ‖H‖ grows without bound along a non-compact orbit (an
//!    unbalanced deep linear network, W₂A⁻¹ and AW₁ with A far from orthogonal, has
//!    ‖H‖ ≈ 10⁶ where the balanced point of the same orbit has 10⁴, and counts an
//!    eigenvalue 0.06 as zero). Of the merged groups, the first in start order represents
//!    them unless a later one has less than half its ‖H‖ (the better-conditioned point
//!    of the orbit). Two different
//!    orbits that agree on all of these would be merged too: the signature is invariant,
//!    not complete.

use crate::classify::Classification;
use crate::linalg::{distance, dot};

/// A stationary point found from one start.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The point.
    pub x: Vec<f64>,
    /// f(x).
    pub value: f64,
}

/// A group of candidates that are the same point.
#[derive(Clone, Debug)]
pub struct Group {
    /// The first candidate of the group (in start order).
    pub representative: Candidate,
    /// How many candidates joined.
    pub hits: usize,
}

/// Groups candidates (in the given order) by distance ≤ `radius`.
pub fn group_by_distance(candidates: Vec<Candidate>, radius: f64) -> Vec<Group> {
    let Some(first) = candidates.first() else {
        return Vec::new();
    };
    let u = probe_direction(first.x.len());
    let mut groups: Vec<Group> = Vec::new();
    // (projection, group index), sorted by projection.
    let mut index: Vec<(f64, usize)> = Vec::new();
    for candidate in candidates {
        let key = dot(&u, &candidate.x);
        let lo = index.partition_point(|(p, _)| *p < key - radius);
        let hi = index.partition_point(|(p, _)| *p <= key + radius);
        let found = index[lo..hi]
            .iter()
            .map(|&(_, g)| g)
            .filter(|&g| distance(&groups[g].representative.x, &candidate.x) <= radius)
            .min();
        match found {
            Some(g) => groups[g].hits += 1,
            None => {
                let at = index.partition_point(|(p, _)| *p < key);
                index.insert(at, (key, groups.len()));
                groups.push(Group {
                    representative: candidate,
                    hits: 1,
                });
            }
        }
    }
    groups
}

/// True when two classified points agree on the symmetry-invariant numbers the
/// classification gives that rounding does not move: verdict, number of negative
/// eigenvalues and value (module doc: the zero count is left out).
pub fn same_signature(a: &Classification, b: &Classification) -> bool {
    a.kind == b.kind && a.negative == b.negative && same_value(a.value, b.value)
}

/// Two stationary values that are the same up to rounding: |a − b| ≤ 10⁻⁹·max(1, |a|, |b|).
pub fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A fixed unit vector with unequal entries, so that distinct points rarely project
/// alike.
fn probe_direction(dim: usize) -> Vec<f64> {
    // Entries from the golden-ratio sequence, centred: deterministic and irregular.
    let mut u: Vec<f64> = (0..dim)
        .map(|i| ((i as f64 + 1.0) * 0.618_033_988_749_894_9).fract() - 0.5)
        .collect();
    let n = dot(&u, &u).sqrt();
    if n > 0.0 {
        u.iter_mut().for_each(|v| *v /= n);
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_distance_in_order() {
        let c = |x: f64, y: f64| Candidate {
            x: vec![x, y],
            value: 0.0,
        };
        let groups = group_by_distance(
            vec![
                c(0.0, 0.0),
                c(1.0, 0.0),
                c(1e-9, 0.0),
                c(1.0, 1e-9),
                c(0.0, 1.0),
            ],
            1e-6,
        );
        let hits: Vec<usize> = groups.iter().map(|g| g.hits).collect();
        assert_eq!(hits, vec![2, 2, 1]);
        assert_eq!(groups[1].representative.x, vec![1.0, 0.0]);
    }
}
