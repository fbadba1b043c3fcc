//! Random perturbations for the saddle-escaping methods (`pgd`, `noisy_gd`): uniform in
//! a ball, uniform on a sphere, Gaussian — in ℝᵈ or in the tangent space of a
//! sphere-constrained problem.
//!
//! - uniform direction: u = z/‖z‖ with z ~ N(0, I) (the Gaussian is rotation invariant);
//! - uniform in the ball of radius r in ℝᵏ: r·U^{1/k}·u with U ~ U(0, 1), since the
//!   volume within radius s grows as sᵏ;
//! - on spheres, z is projected on the tangent space first: P z is an isotropic Gaussian
//!   there (P an orthogonal projection), so the same formulas hold with k = the tangent
//!   dimension.

use std::str::FromStr;

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::manifold::Manifold;

/// The distribution of noisy_gd's noise ξ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Noise {
    /// Uniform on the sphere of radius `radius` (Ge et al. 2015): ‖ξ‖ = radius exactly.
    #[default]
    Sphere,
    /// N(0, radius²·I) (on spheres, projected on the tangent space).
    Gaussian,
}

impl Noise {
    /// The name as written on the command line and in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Noise::Sphere => "sphere",
            Noise::Gaussian => "gaussian",
        }
    }
}

impl FromStr for Noise {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "sphere" => Ok(Noise::Sphere),
            "gaussian" => Ok(Noise::Gaussian),
            _ => Err(Error::invalid(
                "noise",
                "`sphere` or `gaussian`",
                format!("`{s}`"),
            )),
        }
    }
}

/// Fills `out` with iid N(0, 1) entries projected on the tangent space at `x`.
fn tangent_gaussian(rng: &mut impl Rng, manifold: &Manifold, x: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = rng.sample(StandardNormal));
    manifold.project_tangent(x, out);
}

/// Scales `out` to norm `length` (a zero vector — probability zero — stays zero).
fn rescale(out: &mut [f64], length: f64) {
    let n = crate::linalg::norm(out);
    if n > 0.0 {
        let scale = length / n;
        out.iter_mut().for_each(|v| *v *= scale);
    }
}

/// ξ uniform on the sphere of radius `radius` (in the tangent space at `x`).
pub fn on_sphere(rng: &mut impl Rng, manifold: &Manifold, x: &[f64], radius: f64, out: &mut [f64]) {
    tangent_gaussian(rng, manifold, x, out);
    rescale(out, radius);
}

/// ξ uniform in the ball of radius `radius` (in the tangent space at `x`).
pub fn in_ball(rng: &mut impl Rng, manifold: &Manifold, x: &[f64], radius: f64, out: &mut [f64]) {
    tangent_gaussian(rng, manifold, x, out);
    let k = manifold.tangent_dim(x.len()).max(1) as f64;
    let u: f64 = rng.random();
    rescale(out, radius * u.powf(1.0 / k));
}

/// ξ ~ N(0, std²·I) (projected on the tangent space at `x`).
pub fn gaussian(rng: &mut impl Rng, manifold: &Manifold, x: &[f64], std: f64, out: &mut [f64]) {
    tangent_gaussian(rng, manifold, x, out);
    out.iter_mut().for_each(|v| *v *= std);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::stream;

    #[test]
    fn ball_samples_stay_inside_and_fill_it() {
        // In ℝ³, P(‖ξ‖ ≤ r/2) = (1/2)³ = 1/8.
        let mut rng = stream(3, 0);
        let mut out = [0.0; 3];
        let n = 20_000;
        let mut inner = 0;
        for _ in 0..n {
            in_ball(&mut rng, &Manifold::Euclidean, &[0.0; 3], 2.0, &mut out);
            let r = crate::linalg::norm(&out);
            assert!(r <= 2.0 * (1.0 + 1e-15));
            inner += usize::from(r <= 1.0);
        }
        let fraction = inner as f64 / n as f64;
        // Binomial standard deviation √(pq/n) ≈ 0.0023: 5σ.
        assert!((fraction - 0.125).abs() < 0.012, "fraction {fraction}");
    }

    #[test]
    fn disk_samples_fall_in_a_strip_with_its_area_fraction() {
        // Uniform in the unit disk: P(|y| < 0.1) = area of the strip / π
        // = 2(0.1·√0.99 + asin 0.1)/π = 0.127108.
        let mut rng = stream(5, 0);
        let mut out = [0.0; 2];
        let n = 200_000;
        let mut inside = 0;
        for _ in 0..n {
            in_ball(&mut rng, &Manifold::Euclidean, &[0.0; 2], 1.0, &mut out);
            inside += usize::from(out[1].abs() < 0.1);
        }
        let fraction = inside as f64 / n as f64;
        let expected = 2.0 * (0.1 * 0.99f64.sqrt() + 0.1f64.asin()) / std::f64::consts::PI;
        // σ = √(pq/n) ≈ 7.4e-4: 5σ.
        assert!(
            (fraction - expected).abs() < 3.7e-3,
            "{fraction} vs {expected}"
        );
    }

    #[test]
    fn tangent_noise_is_tangent() {
        let m = Manifold::Spheres {
            count: 1,
            block_dim: 3,
        };
        let x = [0.0, 0.6, 0.8];
        let mut out = [0.0; 3];
        on_sphere(&mut stream(1, 2), &m, &x, 0.5, &mut out);
        let along: f64 = x.iter().zip(&out).map(|(a, b)| a * b).sum();
        assert!(along.abs() < 1e-15);
        assert!((crate::linalg::norm(&out) - 0.5).abs() < 1e-15);
    }
}
