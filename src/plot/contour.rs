//! Contour lines of a [`Grid`] by marching squares: in each cell the level crosses the
//! edges whose end values straddle it, at the linearly interpolated point; a cell with
//! four crossings (a saddle cell) is resolved by the mean of its corners. Segments are
//! then joined into polylines through the edges they share.

use std::collections::HashMap;

use super::grid::Grid;

/// A grid edge: horizontal (from (i, j) to (i+1, j)) or vertical (to (i, j+1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct EdgeId {
    vertical: bool,
    i: usize,
    j: usize,
}

/// One contour polyline in (α, β) coordinates.
pub type Polyline = Vec<(f64, f64)>;

/// The polylines where the grid's values equal `level` (cells with a non-finite corner
/// are skipped).
pub fn contour_lines(grid: &Grid, level: f64) -> Vec<Polyline> {
    let segments = segments(grid, level);
    join(&segments)
}

/// The segments of `level`, each as two (edge, point) ends.
fn segments(grid: &Grid, level: f64) -> Vec<[(EdgeId, (f64, f64)); 2]> {
    let (nx, ny) = (grid.alphas.len(), grid.betas.len());
    let mut out = Vec::new();
    for j in 0..ny.saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            // Corners counter-clockwise from (i, j); edge k joins corner k and k+1.
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let values = corners.map(|(a, b)| grid.value(a, b));
            if values.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let above = values.map(|v| v >= level);
            let crossing = |k: usize| above[k] != above[(k + 1) % 4];
            let edge_end = |k: usize| {
                let (a, b) = (corners[k], corners[(k + 1) % 4]);
                let (va, vb) = (values[k], values[(k + 1) % 4]);
                let t = (level - va) / (vb - va);
                let (xa, ya) = (grid.alphas[a.0], grid.betas[a.1]);
                let (xb, yb) = (grid.alphas[b.0], grid.betas[b.1]);
                let low = if a.0 + a.1 <= b.0 + b.1 { a } else { b };
                let id = EdgeId {
                    vertical: a.0 == b.0,
                    i: low.0,
                    j: low.1,
                };
                (id, (xa + t * (xb - xa), ya + t * (yb - ya)))
            };
            let crossed: Vec<usize> = (0..4).filter(|&k| crossing(k)).collect();
            match crossed.len() {
                2 => out.push([edge_end(crossed[0]), edge_end(crossed[1])]),
                4 => {
                    // Cut off the corners on the other side from the cell's centre; corner
                    // k touches edges k−1 and k.
                    let centre_above = values.iter().sum::<f64>() / 4.0 >= level;
                    for k in (0..4).filter(|&k| above[k] != centre_above) {
                        out.push([edge_end((k + 3) % 4), edge_end(k)]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Joins segments that share an edge into polylines.
fn join(segments: &[[(EdgeId, (f64, f64)); 2]]) -> Vec<Polyline> {
    let mut by_edge: HashMap<EdgeId, Vec<usize>> = HashMap::new();
    for (s, ends) in segments.iter().enumerate() {
        for (edge, _) in ends {
            by_edge.entry(*edge).or_default().push(s);
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let [a, b] = segments[start];
        let mut forward = vec![a.1, b.1];
        extend(segments, &by_edge, &mut used, b.0, &mut forward);
        let mut backward = Vec::new();
        extend(segments, &by_edge, &mut used, a.0, &mut backward);
        backward.reverse();
        backward.extend(forward);
        lines.push(backward);
    }
    lines
}

/// Follows unused segments from `edge`, appending their far ends to `line`.
fn extend(
    segments: &[[(EdgeId, (f64, f64)); 2]],
    by_edge: &HashMap<EdgeId, Vec<usize>>,
    used: &mut [bool],
    mut edge: EdgeId,
    line: &mut Polyline,
) {
    while let Some(&next) = by_edge[&edge].iter().find(|&&s| !used[s]) {
        used[next] = true;
        let [a, b] = segments[next];
        let far = if a.0 == edge { b } else { a };
        line.push(far.1);
        edge = far.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::grid::linspace;

    fn grid_of(f: impl Fn(f64, f64) -> f64, n: usize) -> Grid {
        let alphas = linspace((-1.0, 1.0), n);
        let betas = linspace((-1.0, 1.0), n);
        let values = betas
            .iter()
            .flat_map(|&b| alphas.iter().map(move |&a| (a, b)))
            .map(|(a, b)| f(a, b))
            .collect();
        Grid {
            alphas,
            betas,
            values,
        }
    }

    #[test]
    fn a_plane_gives_one_straight_line_exactly() {
        // f = α + 2β is linear, so interpolation is exact: every vertex lies on α + 2β = 0.5.
        let grid = grid_of(|a, b| a + 2.0 * b, 21);
        let lines = contour_lines(&grid, 0.5);
        assert_eq!(lines.len(), 1, "one joined polyline");
        assert!(lines[0].len() > 10);
        for (a, b) in &lines[0] {
            assert!((a + 2.0 * b - 0.5).abs() < 1e-12, "({a}, {b})");
        }
    }

    #[test]
    fn a_circle_closes_and_lies_near_the_radius() {
        let grid = grid_of(|a, b| a * a + b * b, 81);
        let lines = contour_lines(&grid, 0.25);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.first(), line.last(), "a closed loop");
        for (a, b) in line {
            let r = (a * a + b * b).sqrt();
            assert!((r - 0.5).abs() < 2e-3, "r = {r}");
        }
    }

    #[test]
    fn saddle_cells_give_two_branches() {
        // x² − y² = 0 is two crossing lines; level 0.1 gives two branches (left, right).
        let grid = grid_of(|a, b| a * a - b * b, 40);
        let lines = contour_lines(&grid, 0.1);
        assert_eq!(lines.len(), 2);
        for line in &lines {
            for (a, b) in line {
                assert!((a * a - b * b - 0.1).abs() < 5e-3);
            }
        }
    }
}
