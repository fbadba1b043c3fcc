//! Finite-difference references for checking exact derivatives, and the dense Hessian
//! assembled from exact HVPs.
//!
//! These are slow, obviously-correct references for tests and diagnostics, never used
//! in place of an analytic derivative.

use nalgebra::DMatrix;

use crate::linalg::{columns_into, HessianAt};
use crate::objective::Objective;

/// Central difference step for a point of infinity-norm `scale`: h = ε^{1/3}·max(1, scale),
/// which balances truncation O(h²) against rounding O(ε/h).
pub fn central_step(scale: f64) -> f64 {
    f64::EPSILON.cbrt() * scale.max(1.0)
}

fn inf_norm(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// ∇f(x) by central differences: ∂ᵢf ≈ (f(x + heᵢ) − f(x − heᵢ)) / 2h.
pub fn gradient_fd(f: &dyn Objective, x: &[f64]) -> Vec<f64> {
    let h = central_step(inf_norm(x));
    let mut probe = x.to_vec();
    (0..x.len())
        .map(|i| {
            probe[i] = x[i] + h;
            let plus = f.value(&probe);
            probe[i] = x[i] - h;
            let minus = f.value(&probe);
            probe[i] = x[i];
            (plus - minus) / (2.0 * h)
        })
        .collect()
}

/// ∇²f(x)·v by central differences of the exact gradient:
/// (∇f(x + hv) − ∇f(x − hv)) / 2h, with h scaled by ‖v‖∞.
pub fn hvp_fd(f: &dyn Objective, x: &[f64], v: &[f64]) -> Vec<f64> {
    let vnorm = inf_norm(v);
    if vnorm == 0.0 {
        return vec![0.0; x.len()];
    }
    let h = central_step(inf_norm(x)) / vnorm;
    let shifted = |t: f64| -> Vec<f64> {
        let point: Vec<f64> = x.iter().zip(v).map(|(x, v)| x + t * v).collect();
        let mut g = vec![0.0; x.len()];
        f.gradient(&point, &mut g);
        g
    };
    let (plus, minus) = (shifted(h), shifted(-h));
    plus.iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

/// The Hessian ∇²f(x) as a dense matrix, column j = ∇²f(x)·eⱼ from the exact HVP.
/// Not symmetrised: its asymmetry measures the HVP's consistency.
pub fn hessian_from_hvp(f: &dyn Objective, x: &[f64]) -> DMatrix<f64> {
    let d = x.len();
    let mut h = DMatrix::zeros(d, d);
    columns_into(&HessianAt::euclidean(f, x), &mut vec![0.0; d], &mut h);
    h
}

/// max |aᵢ − bᵢ| / (1 + max(‖a‖∞, ‖b‖∞)): a relative error that stays meaningful when
/// both are near zero.
pub fn relative_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "relative_error: length mismatch");
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    diff / (1.0 + inf_norm(a).max(inf_norm(b)))
}
