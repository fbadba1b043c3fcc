//! Helpers shared by the low-rank matrix problems (`matrix_factorization`,
//! `matrix_factorization_asym`, `matrix_sensing`, `matrix_completion`), whose parameters
//! are row-major factor blocks X ∈ ℝ^{n×r}:
//!
//! - Gram products XᵀY (r × r) of row-major factors;
//! - the O(r) symmetry X ↦ XR: its tangent directions X·(E_ab − E_ba);
//! - the zero threshold of a spectrum (eigen- or singular values) and the verdict of the
//!   stationary point built from a subset of it (`eig:i,j,…`, `svd:i,j,…`), with the
//!   naming, parsing and enumeration of those subsets.

use nalgebra::DMatrix;

use crate::objective::SymmetryStructure;
use crate::verdict::Verdict;

/// Cap on the number of points `known_points` lists.
pub(crate) const KNOWN_POINTS_CAP: usize = 64;

/// XᵀY (r×r) for row-major X, Y with r columns and the same number of rows.
pub(crate) fn cross_gram(x: &[f64], y: &[f64], r: usize) -> DMatrix<f64> {
    // Column-major: entry (a, b) at a + b·r, each summed over the rows in order.
    let mut g = vec![0.0; r * r];
    for (xi, yi) in x.chunks_exact(r).zip(y.chunks_exact(r)) {
        for (column, &yb) in g.chunks_exact_mut(r).zip(yi) {
            for (gab, &xa) in column.iter_mut().zip(xi) {
                *gab += xa * yb;
            }
        }
    }
    DMatrix::from_vec(r, r, g)
}

/// Threshold below which an eigen- or singular value counts as zero, and two of them as
/// equal: 1e-12 · len · max(1, max |value|).
pub(crate) fn zero_threshold(values: &[f64]) -> f64 {
    let scale = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    1e-12 * values.len() as f64 * scale.max(1.0)
}

/// Verdict of the stationary point built from the 0-based indices `s` into the decreasing
/// `values` (all of them above `tol`), with `rank` columns: `global_min` when the chosen
/// values are a best choice (min(rank, p) of them, none smaller than an omitted positive
/// one by more than `tol`), `strict_saddle` otherwise (see the module documentation).
pub(crate) fn subset_verdict(values: &[f64], s: &[usize], rank: usize, tol: f64) -> Verdict {
    let positive = values.iter().filter(|&&v| v > tol).count();
    if s.len() < rank.min(positive) {
        return Verdict::StrictSaddle;
    }
    let smallest_in = s.iter().map(|&i| values[i]).fold(f64::INFINITY, f64::min);
    let largest_out = (0..positive)
        .filter(|i| !s.contains(i))
        .map(|i| values[i])
        .fold(f64::NEG_INFINITY, f64::max);
    if largest_out > smallest_in + tol {
        Verdict::StrictSaddle
    } else {
        Verdict::GlobalMin
    }
}

/// `prefix:i,j,…` with 1-based indices.
pub(crate) fn subset_name(prefix: &str, s: &[usize]) -> String {
    let ids: Vec<String> = s.iter().map(|i| (i + 1).to_string()).collect();
    format!("{prefix}:{}", ids.join(","))
}

/// Parses `prefix:i,j,…` (or `prefix:<i,j,…>`) into 0-based indices, each in 1..=`count`,
/// distinct, at most `max_len` of them.
pub(crate) fn parse_subset(
    name: &str,
    prefix: &str,
    count: usize,
    max_len: usize,
) -> Option<Vec<usize>> {
    let list = name.strip_prefix(prefix)?.strip_prefix(':')?.trim();
    let list = list
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or(list);
    let mut s = Vec::new();
    for item in list.split(',') {
        let i: usize = item.trim().parse().ok()?;
        if i == 0 || i > count || s.contains(&(i - 1)) {
            return None;
        }
        s.push(i - 1);
    }
    (s.len() <= max_len).then_some(s)
}

/// The empty subset, then the subsets of {0, …, count−1} of size 1..=max_size in
/// increasing size and lexicographic order, at most `cap` in all.
pub(crate) fn index_subsets(count: usize, max_size: usize, cap: usize) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for size in 1..=max_size.min(count) {
        let mut s: Vec<usize> = (0..size).collect();
        loop {
            if all.len() >= cap {
                return all;
            }
            all.push(s.clone());
            // Next combination: bump the rightmost index that can move.
            let Some(k) = (0..size).rev().find(|&k| s[k] < count - size + k) else {
                break;
            };
            s[k] += 1;
            for j in k + 1..size {
                s[j] = s[j - 1] + 1;
            }
        }
    }
    all
}

/// The structured form of the symmetry [`skew_directions`] spans: the rotation of the
/// consecutive blocks of the given lengths, starting at parameter 0.
pub(crate) fn rotation_structure(block_lens: &[usize], r: usize) -> SymmetryStructure {
    let mut start = 0;
    let blocks = block_lens
        .iter()
        .map(|len| {
            start += len;
            start - len..start
        })
        .collect();
    SymmetryStructure::Rotation { blocks, rank: r }
}

/// The tangent directions of (X₁, X₂, …) ↦ (X₁R, X₂R, …), R ∈ O(r): (X₁K, X₂K, …) for
/// K = E_ab − E_ba, a < b, each block row-major with r columns, concatenated. Directions
/// that vanish at x (e.g. both columns a and b zero) are left out.
pub(crate) fn skew_directions(blocks: &[&[f64]], r: usize) -> Vec<Vec<f64>> {
    let total: usize = blocks.iter().map(|b| b.len()).sum();
    let mut directions = Vec::with_capacity(r * r.saturating_sub(1) / 2);
    for a in 0..r {
        for b in a + 1..r {
            let mut d = Vec::with_capacity(total);
            for block in blocks {
                for row in block.chunks_exact(r) {
                    // (XK)_{i,b} = X_{i,a}, (XK)_{i,a} = −X_{i,b}.
                    d.extend((0..r).map(|c| match c {
                        c if c == a => -row[b],
                        c if c == b => row[a],
                        _ => 0.0,
                    }));
                }
            }
            if d.iter().any(|&v| v != 0.0) {
                directions.push(d);
            }
        }
    }
    directions
}
