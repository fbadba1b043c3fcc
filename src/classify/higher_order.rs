//! The higher-order test: does f decrease along the Hessian's null space?
//!
//! At a stationary point x with no eigenvalue below −tol but zero modes beyond symmetry,
//! the second-order test is silent. Along a unit null direction v,
//!
//!   Δ(t) = f(R_x(t·v)) − f(x) = ½λt² + c₃t³ + c₄t⁴ + …,   |λ| ≤ eig tol,
//!
//! (R_x the manifold's retraction; x + t·v on ℝᵈ). A third-order term is odd, so it
//! lowers f on one side of x; a negative fourth-order term lowers it on both. Either
//! proves a descent direction — the point is not a minimum — provided the decrease is
//! real: it must exceed rounding (|Δ| > 1e-13·max(|f(x)|, |f(x + tv)|)) and scale with a
//! power p ≥ 2.5 of t across the smallest step sizes (p fitted as
//! ln(Δₖ/Δₖ₊₁)/ln(tₖ/tₖ₊₁) between consecutive steps, the last two fits agreeing
//! within 0.5). A decrease ∝ t² is a tolerance-level negative eigenvalue, ∝ t a residual
//! gradient: neither is evidence.
//!
//! Probes: each null vector, the normalised pairwise sums (vᵢ + vⱼ)/√2 of the first
//! [`PAIR_VECTORS`], and [`RANDOM_COMBINATIONS`] seeded random unit combinations of all
//! of them (a descent that needs several null vectors at once — the product W₃W₂W₁ of a
//! deep linear network at 0 — shows only in combinations); each with both signs, at the
//! steps tₖ = s·10^{−k/2}, k = 0…8, s = 0.1·max(1, ‖x‖_∞).

use crate::linalg::{axpy, norm};
use crate::manifold::Manifold;
use crate::objective::Objective;
use crate::random::{gaussian_vector, stream};

/// Null vectors probed one by one (the rest enter through the random combinations).
pub const SINGLE_VECTORS: usize = 24;
/// Null vectors whose pairwise sums are probed.
pub const PAIR_VECTORS: usize = 8;
/// Random unit combinations of the null vectors probed.
pub const RANDOM_COMBINATIONS: usize = 32;
/// Number of step sizes, geometric with ratio √10.
const STEPS: usize = 9;
/// Relative size of rounding in a difference of two values of f.
const ROUNDING: f64 = 1e-13;

/// What f does along one probe direction with one sign.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trend {
    /// f decreases, Δ ≈ coefficient·t^order (coefficient < 0), order ≥ 3.
    Descent {
        /// The fitted power of t.
        order: f64,
        /// Δ/t^order at the smallest step beyond rounding.
        coefficient: f64,
    },
    /// f increases, Δ ≈ coefficient·t^order (coefficient > 0), order ≥ 3.
    Ascent {
        /// The fitted power of t.
        order: f64,
        /// Δ/t^order at the smallest step beyond rounding.
        coefficient: f64,
    },
    /// Δ scales as t² (an eigenvalue inside the tolerance) or t (a residual gradient):
    /// no higher-order evidence either way; carries the fitted power and the sign.
    LowOrder {
        /// The fitted power of t.
        order: f64,
        /// The sign of Δ.
        sign: f64,
    },
    /// |Δ| within rounding at every step.
    Flat,
    /// Mixed signs or powers that do not settle.
    Inconclusive,
}

/// Where a probe looked.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// In words: "null vector 2", "null vectors 1+3", "random combination 5".
    pub direction: String,
    /// +1 or −1: the side of x probed.
    pub sign: f64,
    /// The unit direction (ambient coordinates).
    pub vector: Vec<f64>,
    /// What f does there.
    pub trend: Trend,
}

/// The result of probing the null space.
#[derive(Clone, Debug, Default)]
pub struct ProbeReport {
    /// Every probe, in the order made.
    pub probes: Vec<Probe>,
    /// Null vectors available.
    pub null_vectors: usize,
}

impl ProbeReport {
    /// The proven descent of lowest order (the strongest evidence), if any.
    pub fn best_descent(&self) -> Option<&Probe> {
        self.lowest_order(|t| matches!(t, Trend::Descent { .. }))
    }

    /// The proven ascent of lowest order, if any.
    pub fn best_ascent(&self) -> Option<&Probe> {
        self.lowest_order(|t| matches!(t, Trend::Ascent { .. }))
    }

    fn lowest_order(&self, wanted: impl Fn(&Trend) -> bool) -> Option<&Probe> {
        self.probes
            .iter()
            .filter(|p| wanted(&p.trend))
            .min_by(|a, b| order_of(&a.trend).total_cmp(&order_of(&b.trend)))
    }

    /// Number of probes whose trend satisfies `wanted`.
    pub fn count(&self, wanted: impl Fn(&Trend) -> bool) -> usize {
        self.probes.iter().filter(|p| wanted(&p.trend)).count()
    }
}

fn order_of(t: &Trend) -> f64 {
    match t {
        Trend::Descent { order, .. } | Trend::Ascent { order, .. } => *order,
        _ => f64::INFINITY,
    }
}

/// Probes f around x along `null_vectors` (unit, tangent, in ambient coordinates), their
/// pairwise sums and seeded random combinations (see the module doc).
pub fn probe_null_space(
    f: &dyn Objective,
    x: &[f64],
    null_vectors: &[Vec<f64>],
    seed: u64,
) -> ProbeReport {
    let mut report = ProbeReport {
        probes: Vec::new(),
        null_vectors: null_vectors.len(),
    };
    if null_vectors.is_empty() {
        return report;
    }
    let manifold = f.manifold();
    let f0 = f.value(x);
    let scale = 0.1 * x.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    let mut prober = Prober {
        f,
        manifold,
        x,
        f0,
        scale,
        trial: vec![0.0; x.len()],
    };
    let mut push = |direction: String, v: Vec<f64>, prober: &mut Prober| {
        for sign in [1.0, -1.0] {
            let trend = prober.trend(&v, sign);
            report.probes.push(Probe {
                direction: direction.clone(),
                sign,
                vector: v.clone(),
                trend,
            });
        }
    };
    for (i, v) in null_vectors.iter().take(SINGLE_VECTORS).enumerate() {
        push(format!("null vector {}", i + 1), v.clone(), &mut prober);
    }
    let paired = null_vectors.len().min(PAIR_VECTORS);
    for i in 0..paired {
        for j in (i + 1)..paired {
            let v = unit_combination(null_vectors, |k| if k == i || k == j { 1.0 } else { 0.0 });
            push(format!("null vectors {}+{}", i + 1, j + 1), v, &mut prober);
        }
    }
    if null_vectors.len() > 1 {
        for c in 0..RANDOM_COMBINATIONS {
            let weights = gaussian_vector(&mut stream(seed, c as u64), null_vectors.len());
            let v = unit_combination(null_vectors, |k| weights[k]);
            push(format!("random combination {}", c + 1), v, &mut prober);
        }
    }
    report
}

/// Σₖ wₖ vₖ, normalised.
fn unit_combination(vectors: &[Vec<f64>], weight: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut v = vec![0.0; vectors[0].len()];
    for (k, u) in vectors.iter().enumerate() {
        axpy(weight(k), u, &mut v);
    }
    let length = norm(&v);
    if length > 0.0 {
        v.iter_mut().for_each(|a| *a /= length);
    }
    v
}

/// Evaluates Δ(t) along one direction and fits its power.
struct Prober<'a> {
    f: &'a dyn Objective,
    manifold: Manifold,
    x: &'a [f64],
    f0: f64,
    scale: f64,
    trial: Vec<f64>,
}

impl Prober<'_> {
    /// Δ(tₖ) for every step, `None` where it is within rounding.
    fn differences(&mut self, v: &[f64], sign: f64) -> [Option<(f64, f64)>; STEPS] {
        let mut out = [None; STEPS];
        for (k, slot) in out.iter_mut().enumerate() {
            let t = self.scale * 10f64.powf(-(k as f64) / 2.0);
            for ((y, x), d) in self.trial.iter_mut().zip(self.x).zip(v) {
                *y = x + sign * t * d;
            }
            self.manifold.retract_in_place(&mut self.trial);
            let ft = self.f.value(&self.trial);
            let delta = ft - self.f0;
            let noise = ROUNDING * self.f0.abs().max(ft.abs());
            if delta.is_finite() && delta.abs() > noise {
                *slot = Some((t, delta));
            }
        }
        out
    }

    fn trend(&mut self, v: &[f64], sign: f64) -> Trend {
        fit_trend(&self.differences(v, sign))
    }
}

/// Fits the power of t on the run of steps beyond rounding that reaches the smallest t.
fn fit_trend(samples: &[Option<(f64, f64)>]) -> Trend {
    let Some(last) = samples.iter().rposition(Option::is_some) else {
        return Trend::Flat;
    };
    let first = samples[..=last]
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |k| k + 1);
    let run: Vec<(f64, f64)> = samples[first..=last].iter().flatten().copied().collect();
    if run.len() < 3 {
        return Trend::Inconclusive;
    }
    let tail = &run[run.len() - 3..];
    let sign = tail[2].1.signum();
    if tail.iter().any(|(_, d)| d.signum() != sign) {
        return Trend::Inconclusive;
    }
    let power = |a: (f64, f64), b: (f64, f64)| (a.1 / b.1).ln() / (a.0 / b.0).ln();
    let (p1, p2) = (power(tail[0], tail[1]), power(tail[1], tail[2]));
    if !(p1.is_finite() && p2.is_finite()) || (p1 - p2).abs() > 0.5 {
        return Trend::Inconclusive;
    }
    let order = 0.5 * (p1 + p2);
    let (t, delta) = tail[2];
    let coefficient = delta / t.powf(order.round());
    if order < 2.5 {
        Trend::LowOrder { order, sign }
    } else if sign < 0.0 {
        Trend::Descent { order, coefficient }
    } else {
        Trend::Ascent { order, coefficient }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(delta: impl Fn(f64) -> f64) -> Vec<Option<(f64, f64)>> {
        (0..STEPS)
            .map(|k| {
                let t = 0.1 * 10f64.powf(-(k as f64) / 2.0);
                let d = delta(t);
                (d.abs() > 1e-13).then_some((t, d))
            })
            .collect()
    }

    #[test]
    fn fits_the_power_of_the_leading_term() {
        // −2t³ + t⁶: descent of order 3 with coefficient −2.
        match fit_trend(&samples(|t| -2.0 * t.powi(3) + t.powi(6))) {
            Trend::Descent { order, coefficient } => {
                assert!((order - 3.0).abs() < 0.05, "order {order}");
                assert!(
                    (coefficient + 2.0).abs() < 1e-3,
                    "coefficient {coefficient}"
                );
            }
            other => panic!("expected descent, got {other:?}"),
        }
        assert!(matches!(
            fit_trend(&samples(|t| 5.0 * t.powi(4))),
            Trend::Ascent { order, .. } if (order - 4.0).abs() < 0.05
        ));
        // A tolerance-level eigenvalue: ½·(−1e-7)·t², not higher-order evidence.
        assert!(matches!(
            fit_trend(&samples(|t| -0.5e-7 * t * t)),
            Trend::LowOrder { sign, .. } if sign < 0.0
        ));
        assert_eq!(fit_trend(&samples(|_| 0.0)), Trend::Flat);
    }
}
