//! Shared arithmetic of the classical 2-D functions (`saddle`, `monkey_saddle`,
//! `himmelblau`, `rosenbrock`, `six_hump_camel`): the point `x[2]` = (x, y), the 2×2
//! Hessian applied to a direction, its closed-form eigenvalues, the Newton polish of
//! published stationary-point approximations and the curvature verdict.

use crate::objective::{KnownPoint, Layout};
use crate::verdict::Verdict;

/// A symmetric 2×2 Hessian, row-major.
pub(crate) type Hessian2 = [[f64; 2]; 2];

/// The flat parameter vector as (x, y).
///
/// # Panics
/// If `x` does not have length 2.
#[track_caller]
pub(crate) fn point(x: &[f64]) -> [f64; 2] {
    assert_eq!(x.len(), 2, "2-D problem: the point must have length 2");
    [x[0], x[1]]
}

/// Writes the 2-vector `g` into `out`.
///
/// # Panics
/// If `out` does not have length 2.
#[track_caller]
pub(crate) fn write(g: [f64; 2], out: &mut [f64]) {
    assert_eq!(out.len(), 2, "2-D problem: the output must have length 2");
    out.copy_from_slice(&g);
}

/// H·v written into `out`.
#[track_caller]
pub(crate) fn apply(h: &Hessian2, v: &[f64], out: &mut [f64]) {
    let v = point(v);
    write(
        [
            h[0][0] * v[0] + h[0][1] * v[1],
            h[1][0] * v[0] + h[1][1] * v[1],
        ],
        out,
    );
}

/// The layout `x[2]`: x then y.
pub(crate) fn layout() -> Layout {
    Layout::single("x", &[2])
}

/// Eigenvalues (λ₁ ≤ λ₂) of a symmetric 2×2 matrix: mean ∓ √(half-difference² + b²).
pub(crate) fn eigenvalues(h: &Hessian2) -> [f64; 2] {
    let mean = 0.5 * (h[0][0] + h[1][1]);
    let radius = (0.5 * (h[0][0] - h[1][1])).hypot(h[0][1]);
    [mean - radius, mean + radius]
}

/// Polishes an approximate nondegenerate stationary point by Newton's method on ∇f = 0
/// with the exact gradient and Hessian: x ← x − H⁻¹∇f, at most 20 steps, stopping once
/// the step is below a few ulps of x. From a 4-decimal approximation of a nondegenerate
/// point the convergence is quadratic, so 3–5 steps reach machine precision.
///
/// # Panics
/// If the Hessian is singular along the way (never for the shipped points, which are all
/// nondegenerate; a programmer error otherwise).
#[track_caller]
pub(crate) fn newton_polish(
    start: [f64; 2],
    gradient: impl Fn([f64; 2]) -> [f64; 2],
    hessian: impl Fn([f64; 2]) -> Hessian2,
) -> [f64; 2] {
    let mut x = start;
    for _ in 0..20 {
        let g = gradient(x);
        let h = hessian(x);
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        assert!(det != 0.0, "Newton polish: singular Hessian at {x:?}");
        let step = [
            (h[1][1] * g[0] - h[0][1] * g[1]) / det,
            (h[0][0] * g[1] - h[1][0] * g[0]) / det,
        ];
        x = [x[0] - step[0], x[1] - step[1]];
        let size = step[0].abs().max(step[1].abs());
        if size <= 4.0 * f64::EPSILON * (1.0 + x[0].abs().max(x[1].abs())) {
            break;
        }
    }
    x
}

/// True when a declared verdict agrees with the signs of the Hessian's eigenvalues at a
/// nondegenerate stationary point: both positive for a minimum, both negative for a
/// local maximum, mixed for a strict saddle.
pub(crate) fn matches_curvature(declared: Verdict, h: &Hessian2) -> bool {
    let [low, high] = eigenvalues(h);
    match declared {
        Verdict::GlobalMin | Verdict::LocalMin | Verdict::SpuriousLocalMin => low > 0.0,
        Verdict::LocalMax => high < 0.0,
        Verdict::StrictSaddle => low < 0.0 && high > 0.0,
        _ => false,
    }
}

/// The known points from a table of (name, published approximation, verdict): each
/// approximation polished by [`newton_polish`]; in debug builds each verdict is checked
/// against the curvature at the polished point.
pub(crate) fn polished_points(
    table: &[(&str, [f64; 2], Verdict)],
    gradient: impl Fn([f64; 2]) -> [f64; 2],
    hessian: impl Fn([f64; 2]) -> Hessian2,
) -> Vec<KnownPoint> {
    table
        .iter()
        .map(|&(name, approximation, verdict)| {
            let x = newton_polish(approximation, &gradient, &hessian);
            debug_assert!(
                matches_curvature(verdict, &hessian(x)),
                "{name}: declared {verdict} but the Hessian at {x:?} disagrees"
            );
            KnownPoint::new(name, x.to_vec(), verdict)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_of_a_known_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let [low, high] = eigenvalues(&[[2.0, 1.0], [1.0, 2.0]]);
        assert!((low - 1.0).abs() < 1e-15 && (high - 3.0).abs() < 1e-15);
    }

    #[test]
    fn newton_finds_the_root_of_a_quadratic_gradient() {
        // f = (x − 1)² + 3(y + 2)² + xy: ∇f = (2(x − 1) + y, 6(y + 2) + x) = 0 at
        // (24/11, −26/11).
        let grad = |p: [f64; 2]| [2.0 * (p[0] - 1.0) + p[1], 6.0 * (p[1] + 2.0) + p[0]];
        let hess = |_: [f64; 2]| [[2.0, 1.0], [1.0, 6.0]];
        let x = newton_polish([0.0, 0.0], grad, hess);
        assert!((x[0] - 24.0 / 11.0).abs() < 1e-14, "{x:?}");
        assert!((x[1] + 26.0 / 11.0).abs() < 1e-14, "{x:?}");
    }
}
