//! Distinct minima up to symmetry. F(W) of `relu_net` with the identity teacher is
//! unchanged by permuting the students (rows of W) and, since the teacher set {eⱼ} is,
//! by permuting the coordinates (columns): F(PWQᵀ) = F(W) for permutation matrices P, Q.
//!
//! Two points (row-major, rows of length d) are the same up to rows when some bijection
//! of rows brings every entry within `tol`. It is found greedily (each row of `a` takes
//! the first unused row of `b` within `tol`), which is exact whenever distinct rows of a
//! point are more than 2·tol apart in some entry. Up to coordinates as well, column
//! bijections are searched depth-first among the columns whose sorted entries agree
//! within `tol` (a necessary condition, usually leaving one candidate per column), each
//! followed by the row test; at most [`MAX_COLUMN_MATCHINGS`] are tried, beyond which the
//! points count as different (so the count of distinct minima can only be too high).

/// Most column bijections tried by [`same_up_to_rows_and_columns`].
pub const MAX_COLUMN_MATCHINGS: usize = 10_000;

/// Whether some permutation of the rows of `a` is within `tol` of `b` in every entry.
///
/// # Panics
/// If `a` and `b` differ in length or d does not divide it.
#[track_caller]
pub fn same_up_to_rows(a: &[f64], b: &[f64], d: usize, tol: f64) -> bool {
    assert!(
        a.len() == b.len() && d > 0 && a.len() % d == 0,
        "same_up_to_rows: shapes"
    );
    let n = a.len() / d;
    let mut used = vec![false; n];
    a.chunks_exact(d).all(|row| {
        let found = b
            .chunks_exact(d)
            .enumerate()
            .position(|(i, other)| !used[i] && close(row, other, tol));
        found.map(|i| used[i] = true).is_some()
    })
}

/// Whether some permutation of the rows and some permutation of the columns of `a` is
/// within `tol` of `b` in every entry (see the module doc for the search and its cap).
///
/// # Panics
/// If `a` and `b` differ in length or d does not divide it.
#[track_caller]
pub fn same_up_to_rows_and_columns(a: &[f64], b: &[f64], d: usize, tol: f64) -> bool {
    assert!(
        a.len() == b.len() && d > 0 && a.len() % d == 0,
        "same_up_to_rows_and_columns: shapes"
    );
    let (sa, sb) = (sorted_columns(a, d), sorted_columns(b, d));
    let candidates: Vec<Vec<usize>> = sa
        .iter()
        .map(|ca| (0..d).filter(|&j| close(ca, &sb[j], tol)).collect())
        .collect();
    if candidates.iter().any(Vec::is_empty) {
        return false;
    }
    let mut search = ColumnSearch {
        a,
        b,
        d,
        tol,
        candidates,
        target: vec![0; d],
        used: vec![false; d],
        permuted: vec![0.0; a.len()],
        tried: 0,
    };
    search.assign(0)
}

/// Depth-first search over column bijections a's column j → b's column target[j].
struct ColumnSearch<'a> {
    a: &'a [f64],
    b: &'a [f64],
    d: usize,
    tol: f64,
    candidates: Vec<Vec<usize>>,
    target: Vec<usize>,
    used: Vec<bool>,
    permuted: Vec<f64>,
    tried: usize,
}

impl ColumnSearch<'_> {
    fn assign(&mut self, j: usize) -> bool {
        if j == self.d {
            self.tried += 1;
            let d = self.d;
            for (row, out) in self
                .a
                .chunks_exact(d)
                .zip(self.permuted.chunks_exact_mut(d))
            {
                for (jj, &v) in row.iter().enumerate() {
                    out[self.target[jj]] = v;
                }
            }
            return same_up_to_rows(&self.permuted, self.b, d, self.tol);
        }
        for c in 0..self.candidates[j].len() {
            if self.tried >= MAX_COLUMN_MATCHINGS {
                return false;
            }
            let col = self.candidates[j][c];
            if self.used[col] {
                continue;
            }
            self.used[col] = true;
            self.target[j] = col;
            if self.assign(j + 1) {
                return true;
            }
            self.used[col] = false;
        }
        false
    }
}

/// The number of classes of `points` under `same_up_to_rows` (or, with `coordinates`,
/// `same_up_to_rows_and_columns`): each point joins the first earlier representative it
/// matches, else becomes one.
pub fn count_distinct(points: &[&[f64]], d: usize, tol: f64, coordinates: bool) -> usize {
    let mut representatives: Vec<&[f64]> = Vec::new();
    for &p in points {
        let same = |r: &&[f64]| {
            if coordinates {
                same_up_to_rows_and_columns(p, r, d, tol)
            } else {
                same_up_to_rows(p, r, d, tol)
            }
        };
        if !representatives.iter().any(same) {
            representatives.push(p);
        }
    }
    representatives.len()
}

fn sorted_columns(a: &[f64], d: usize) -> Vec<Vec<f64>> {
    (0..d)
        .map(|j| {
            let mut col: Vec<f64> = a.iter().skip(j).step_by(d).copied().collect();
            col.sort_by(f64::total_cmp);
            col
        })
        .collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}
