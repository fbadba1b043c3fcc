//! The `octopus` of Du et al. (2017): agreement with the paper's piecewise formulas
//! (6)–(10) on the tube, exact derivatives, C¹/C² gluing across the piece boundaries,
//! the known saddles and minimum, and the saddle-to-saddle behaviour of plain GD.
//!
//! Error budgets: derivatives against central differences at points at least 1e-3 from
//! every piece boundary (the FD probes move a coordinate by ≤ ε^{1/3}·‖x‖∞ ≈ 1.2e-4, so
//! they stay inside one polynomial piece): 1e-6 relative to 1 + ‖∇f‖∞, as in
//! tests/derivatives.rs. Formula agreement and closed forms: 1e-12 relative.

use crate::common;

use common::{assert_gradient_matches_fd, assert_hvp_matches_dense, assert_hvp_matches_fd};
use landscape::finite_difference::hessian_from_hvp;
use landscape::problems::octopus::Octopus;
use landscape::problems::{self, ProblemSpec};
use landscape::random::rng;
use landscape::{Objective, Verdict};
use proptest::prelude::*;
use rand::Rng;
use std::f64::consts::E;

const BUDGET: f64 = 1e-6;

/// Instances: the paper's parameters and a few others (L < γ included).
const PARAMS: &[(usize, f64, f64, f64)] = &[
    (1, E, E, 1.0),
    (2, E, E, 1.0),
    (3, 1.0, 2.0, 0.5),
    (5, E, E, 1.0),
    (6, 0.7, 1.5, 3.0),
];

// ---------- the paper's formulas, written out independently ----------

/// The paper's g₁(y) = −γy² + (−14L + 10γ)(y − τ)³/(3τ) + (5L − 3γ)(y − τ)⁴/(2τ²).
fn paper_g1(y: f64, tau: f64, l: f64, gamma: f64) -> f64 {
    -gamma * y.powi(2)
        + (-14.0 * l + 10.0 * gamma) / (3.0 * tau) * (y - tau).powi(3)
        + (5.0 * l - 3.0 * gamma) / (2.0 * tau.powi(2)) * (y - tau).powi(4)
}

/// The paper's g₂(y) = −γ − 10(L+γ)(y−2τ)³/τ³ − 15(L+γ)(y−2τ)⁴/τ⁴ − 6(L+γ)(y−2τ)⁵/τ⁵.
fn paper_g2(y: f64, tau: f64, l: f64, gamma: f64) -> f64 {
    let s = (y - 2.0 * tau) / tau;
    -gamma - (l + gamma) * (10.0 * s.powi(3) + 15.0 * s.powi(4) + 6.0 * s.powi(5))
}

/// The paper's ν = −g₁(2τ) + 4Lτ².
fn paper_nu(tau: f64, l: f64, gamma: f64) -> f64 {
    -paper_g1(2.0 * tau, tau, l, gamma) + 4.0 * l * tau * tau
}

/// Eqs. (6)–(10) at a point of the mirrored tube (f(x) = f(|x₁|, …, |x_d|)), or None
/// outside it.
fn paper_value(x: &[f64], tau: f64, l: f64, gamma: f64) -> Option<f64> {
    let y: Vec<f64> = x.iter().map(|v| v.abs()).collect();
    let d = y.len();
    let nu = paper_nu(tau, l, gamma);
    let done = |j: usize| l * (y[j] - 4.0 * tau).powi(2);
    // The piece: i (0-based) = first coordinate ≤ 2τ; none → D_{d+1}.
    let Some(i) = y.iter().position(|&v| v <= 2.0 * tau) else {
        let in_tube = y.iter().all(|&v| v <= 6.0 * tau);
        return in_tube.then(|| (0..d).map(done).sum::<f64>() - d as f64 * nu);
    };
    let in_tube = y[..i].iter().all(|&v| v <= 6.0 * tau) && y[i + 1..].iter().all(|&v| v <= tau);
    if !in_tube {
        return None;
    }
    let before: f64 = (0..i).map(done).sum::<f64>() - i as f64 * nu;
    let idle = |from: usize| (from..d).map(|j| l * y[j] * y[j]).sum::<f64>();
    let value = if y[i] <= tau {
        // (6), (8)
        before - gamma * y[i] * y[i] + idle(i + 1)
    } else if i + 1 < d {
        // (7): g(xᵢ, x_{i+1}) = g₁(xᵢ) + g₂(xᵢ)x_{i+1}²
        before
            + paper_g1(y[i], tau, l, gamma)
            + paper_g2(y[i], tau, l, gamma) * y[i + 1] * y[i + 1]
            + idle(i + 2)
    } else {
        // (9)
        before + paper_g1(y[i], tau, l, gamma)
    };
    Some(value)
}

// ---------- points ----------

/// A point of the mirrored tube piece D_{i+1, sub} (i 0-based; i = d means D_{d+1}),
/// random signs.
fn tube_point(d: usize, tau: f64, i: usize, sub: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    let mut x: Vec<f64> = (0..d)
        .map(|j| {
            let (lo, hi) = if j < i {
                (2.0, 6.0)
            } else if j == i {
                if sub == 1 {
                    (0.0, 1.0)
                } else {
                    (1.0, 2.0)
                }
            } else {
                (0.0, 1.0)
            };
            tau * r.random_range(lo..hi)
        })
        .collect();
    x.iter_mut().for_each(|v| {
        if r.random_bool(0.5) {
            *v = -*v
        }
    });
    x
}

/// True when every |x_j| is at least `margin` away from the piece boundaries τ and 2τ.
fn away_from_boundaries(x: &[f64], tau: f64, margin: f64) -> bool {
    x.iter().all(|v| {
        let y = v.abs();
        (y - tau).abs() > margin && (y - 2.0 * tau).abs() > margin
    })
}

/// A point anywhere in [−7τ, 7τ]^d (mostly off the tube), nudged away from boundaries.
fn wide_point(d: usize, tau: f64, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    loop {
        let x: Vec<f64> = (0..d).map(|_| tau * r.random_range(-7.0..7.0)).collect();
        if away_from_boundaries(&x, tau, 1e-3) {
            return x;
        }
    }
}

fn direction(d: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed ^ 0x5EED);
    (0..d).map(|_| r.random_range(-1.0..1.0)).collect()
}

fn check_all_derivatives(f: &Octopus, x: &[f64], seed: u64) {
    let v = direction(f.dim(), seed);
    assert_gradient_matches_fd(f, x, BUDGET);
    assert_hvp_matches_fd(f, x, &v, BUDGET);
    assert_hvp_matches_dense(f, x, &v, 1e-10);
}

fn grad(f: &dyn Objective, x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; f.dim()];
    f.gradient(x, &mut g);
    g
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, a| m.max(a.abs()))
}

fn build(d: usize, tau: f64, l: f64, gamma: f64) -> Octopus {
    Octopus::new(d, tau, l, gamma).unwrap()
}

// ---------- the definition ----------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// On every piece of the mirrored tube, f equals the paper's eqs. (6)–(10).
    #[test]
    fn equals_the_papers_formulas_on_the_tube(seed in any::<u64>()) {
        for &(d, tau, l, gamma) in PARAMS {
            let f = build(d, tau, l, gamma);
            for i in 0..=d {
                for sub in [1, 2] {
                    let x = tube_point(d, tau, i, sub, seed ^ (i as u64 * 7 + sub as u64));
                    let expected = paper_value(&x, tau, l, gamma).expect("tube point");
                    let value = f.value(&x);
                    prop_assert!(
                        (value - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
                        "d={d} piece D_({},{sub}): f = {value}, paper = {expected}", i + 1
                    );
                }
            }
        }
    }

    #[test]
    fn exact_derivatives_on_the_tube(seed in any::<u64>()) {
        for &(d, tau, l, gamma) in PARAMS {
            let f = build(d, tau, l, gamma);
            for i in 0..=d {
                for sub in [1, 2] {
                    let x = tube_point(d, tau, i, sub, seed ^ (i as u64 * 7 + sub as u64));
                    if away_from_boundaries(&x, tau, 1e-3) {
                        check_all_derivatives(&f, &x, seed);
                    }
                }
            }
        }
    }

    /// Off the tube (our extension): derivatives are still exact.
    #[test]
    fn exact_derivatives_everywhere(seed in any::<u64>()) {
        for &(d, tau, l, gamma) in PARAMS {
            let f = build(d, tau, l, gamma);
            check_all_derivatives(&f, &wide_point(d, tau, seed), seed);
        }
    }

    /// f, ∇f and ∇²f are continuous across every piece boundary |x_k| ∈ {τ, 2τ}, on and
    /// off the tube: over a gap of 2ε, f jumps by ≤ 2ε·|∂ₖf|, ∇f by ≤ 2ε·max|H|, and the
    /// Hessian's jump shrinks in proportion to ε (a discontinuity would not shrink).
    #[test]
    fn glued_c2_across_boundaries(seed in any::<u64>()) {
        let across = |x: &[f64], k: usize, boundary: f64, eps: f64| {
            let (mut lo, mut hi) = (x.to_vec(), x.to_vec());
            lo[k] = boundary - eps;
            hi[k] = boundary + eps;
            (lo, hi)
        };
        for &(d, tau, l, gamma) in PARAMS {
            let f = build(d, tau, l, gamma);
            let base = [wide_point(d, tau, seed), tube_point(d, tau, seed as usize % (d + 1), 2, seed)];
            for x in base {
                for k in 0..d {
                    for boundary in [tau, -tau, 2.0 * tau, -2.0 * tau] {
                        let eps = 1e-7;
                        let (lo, hi) = across(&x, k, boundary, eps);
                        let (glo, ghi) = (grad(&f, &lo), grad(&f, &hi));
                        let (hlo, hhi) = (hessian_from_hvp(&f, &lo), hessian_from_hvp(&f, &hi));
                        let hscale = 1.0 + hlo.amax().max(hhi.amax());
                        let fscale = 1.0 + f.value(&lo).abs();
                        let jump_f = (f.value(&hi) - f.value(&lo)).abs();
                        let jump_g = glo.iter().zip(&ghi).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
                        prop_assert!(jump_f <= 4.0 * eps * (1.0 + glo[k].abs()) + 1e-13 * fscale,
                            "d={d}: f jumps by {jump_f:e} at x_{k} = {boundary}");
                        prop_assert!(jump_g <= 4.0 * eps * hscale + 1e-12 * (1.0 + inf_norm(&glo)),
                            "d={d}: ∇f jumps by {jump_g:e} at x_{k} = {boundary}");
                        let jump_h_small = (&hhi - &hlo).amax();
                        let (wlo, whi) = across(&x, k, boundary, 100.0 * eps);
                        let jump_h_wide = (&hessian_from_hvp(&f, &whi) - &hessian_from_hvp(&f, &wlo)).amax();
                        prop_assert!(jump_h_small <= 0.03 * jump_h_wide + 1e-11 * hscale,
                            "d={d}: ∇²f jumps by {jump_h_small:e} over 2ε, {jump_h_wide:e} over 200ε, at x_{k} = {boundary}");
                    }
                }
            }
        }
    }

    /// The mirroring: f is even in every coordinate, ∇f odd in it; f ≥ f* = −dν.
    #[test]
    fn mirror_symmetry_and_lower_bound(seed in any::<u64>()) {
        for &(d, tau, l, gamma) in PARAMS {
            let f = build(d, tau, l, gamma);
            let x = wide_point(d, tau, seed);
            let g = grad(&f, &x);
            let k = seed as usize % d;
            let mut y = x.clone();
            y[k] = -y[k];
            let gy = grad(&f, &y);
            prop_assert!((f.value(&x) - f.value(&y)).abs() <= 1e-12 * (1.0 + f.value(&x).abs()));
            for j in 0..d {
                let expected = if j == k { -g[j] } else { g[j] };
                prop_assert!((gy[j] - expected).abs() <= 1e-12 * (1.0 + inf_norm(&g)));
            }
            let fstar = -(d as f64) * paper_nu(tau, l, gamma);
            prop_assert!(f.value(&x) >= fstar);
        }
    }
}

#[test]
fn hessian_is_tridiagonal() {
    let f = build(6, E, E, 1.0);
    for seed in 0..5 {
        for x in [wide_point(6, E, seed), tube_point(6, E, 2, 2, seed)] {
            let h = hessian_from_hvp(&f, &x);
            for i in 0..6_usize {
                for j in 0..6_usize {
                    if i.abs_diff(j) > 1 {
                        assert_eq!(h[(i, j)], 0.0, "H[{i},{j}] ≠ 0");
                    }
                }
            }
        }
    }
}

// ---------- known points ----------

#[test]
fn nu_and_optimum_match_the_papers_closed_form() {
    for &(d, tau, l, gamma) in PARAMS {
        let f = build(d, tau, l, gamma);
        let nu = paper_nu(tau, l, gamma);
        assert!((f.nu() - nu).abs() <= 1e-12 * nu, "ν = {} vs {nu}", f.nu());
        let fstar = -(d as f64) * nu;
        assert!((f.optimum().unwrap() - fstar).abs() <= 1e-12 * fstar.abs());
        let min = f.known_point("minimum").unwrap();
        assert_eq!(min.kind, Verdict::GlobalMin);
        assert!((f.value(&min.x) - fstar).abs() <= 1e-12 * fstar.abs());
        assert!(min.x.iter().all(|&v| v == 4.0 * tau));
    }
}

/// Every known point: stationary, f(s_i) = −iν, and the dense Hessian spectrum is
/// {−2γ once, 2L (d − 1) times} at a saddle, {2L} at the minimum — matching the verdict.
#[test]
fn known_points_are_stationary_with_the_declared_verdicts() {
    for &(d, tau, l, gamma) in PARAMS {
        let f = build(d, tau, l, gamma);
        let nu = paper_nu(tau, l, gamma);
        let points = f.known_points();
        assert_eq!(points.len(), d + 1);
        for (i, p) in points.iter().enumerate() {
            let expected_name = match i {
                0 => "origin".to_string(),
                i if i == d => "minimum".to_string(),
                i => format!("saddle:{i}"),
            };
            assert_eq!(p.name, expected_name);
            assert_eq!(f.known_point(&p.name).as_ref(), Some(p));
            let expected_x: Vec<f64> = (0..d)
                .map(|j| if j < i { 4.0 * tau } else { 0.0 })
                .collect();
            assert_eq!(p.x, expected_x);
            let scale = 1.0 + nu * d as f64;
            assert!(
                inf_norm(&grad(&f, &p.x)) <= 1e-12 * scale,
                "{}: not stationary",
                p.name
            );
            let value = f.value(&p.x);
            assert!(
                (value + i as f64 * nu).abs() <= 1e-12 * scale,
                "{}: f = {value}",
                p.name
            );

            let h = hessian_from_hvp(&f, &p.x);
            let eig = nalgebra::SymmetricEigen::try_new(h, 1e-14, 10_000).expect("eigen");
            let mut lambda: Vec<f64> = eig.eigenvalues.iter().copied().collect();
            lambda.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let tol = 1e-10 * (l + gamma);
            if i < d {
                assert!(
                    (lambda[0] + 2.0 * gamma).abs() <= tol,
                    "{}: λmin = {}",
                    p.name,
                    lambda[0]
                );
                assert!(lambda[1..].iter().all(|&v| (v - 2.0 * l).abs() <= tol));
                let verdict = if d == 1 {
                    Verdict::LocalMax
                } else {
                    Verdict::StrictSaddle
                };
                assert_eq!(p.kind, verdict, "{}", p.name);
            } else {
                assert!(lambda.iter().all(|&v| (v - 2.0 * l).abs() <= tol));
                assert_eq!(p.kind, Verdict::GlobalMin);
            }
            // The mirror image with all signs flipped is the same kind of point.
            let mirrored: Vec<f64> = p.x.iter().map(|v| -v).collect();
            assert!(inf_norm(&grad(&f, &mirrored)) <= 1e-12 * scale);
            assert!((f.value(&mirrored) - value).abs() <= 1e-12 * scale);
        }
        assert!(f.known_point("saddle:0").is_none());
        assert!(f.known_point(&format!("saddle:{d}")).is_none());
        assert!(f.symmetry_directions(&vec![1.0; d]).is_empty());
    }
}

// ---------- gradient descent visits the saddles in order ----------

/// Plain GD, η = 1/(4L), from the paper's initialisation (uniform in [−1, 1]^d): each
/// coordinate leaves its saddle (|x_k| ≥ τ/2, above every initial |x_k| ≤ 1) only after
/// all earlier coordinates sit at 4τ; the trajectory passes close to every saddle; the
/// escapes take longer and longer; GD ends at the minimum.
#[test]
fn gradient_descent_visits_the_saddles_in_order() {
    let d = 4;
    let f = build(d, E, E, 1.0);
    let tau = f.tau();
    let eta = 1.0 / (4.0 * f.l());
    for seed in 0..4 {
        let mut r = rng(100 + seed);
        let mut x: Vec<f64> = (0..d).map(|_| r.random_range(-1.0..1.0)).collect();
        let mut g = vec![0.0; d];
        let mut leave: Vec<Option<usize>> = vec![None; d];
        let mut closest = vec![f64::INFINITY; d]; // min_t ‖|x_t| − s_i‖∞
        let mut previous = f.value(&x);
        for t in 0..20_000 {
            for (k, time) in leave.iter_mut().enumerate() {
                if time.is_none() && x[k].abs() >= tau / 2.0 {
                    *time = Some(t);
                    // Every earlier coordinate has reached ≈ 4τ; later ones are still near 0.
                    for (j, v) in x.iter().enumerate().take(k) {
                        assert!(
                            (v.abs() - 4.0 * tau).abs() <= 1e-3,
                            "seed {seed}: x_{k} leaves at t = {t} while |x_{j}| = {}",
                            v.abs()
                        );
                    }
                    // (x_1 leaves after a few halvings only: check from x_2 on.)
                    for (j, v) in x.iter().enumerate().skip(k + 1).filter(|_| k >= 1) {
                        assert!(v.abs() < 1e-3, "seed {seed}: x_{j} = {v} when x_{k} leaves");
                    }
                }
            }
            for (i, c) in closest.iter_mut().enumerate() {
                let dist = x.iter().enumerate().fold(0.0_f64, |m, (j, v)| {
                    let target = if j < i { 4.0 * tau } else { 0.0 };
                    m.max((v.abs() - target).abs())
                });
                *c = c.min(dist);
            }
            let value = f.value_and_gradient(&x, &mut g);
            assert!(
                value <= previous + 1e-12,
                "seed {seed}: f increased at t = {t}"
            );
            previous = value;
            x.iter_mut().zip(&g).for_each(|(x, g)| *x -= eta * g);
        }
        let times: Vec<usize> = leave
            .iter()
            .map(|t| t.expect("every coordinate escapes"))
            .collect();
        for k in 1..d {
            assert!(
                times[k] > times[k - 1],
                "seed {seed}: escape times {times:?}"
            );
        }
        for k in 2..d {
            assert!(
                times[k] - times[k - 1] > 2 * (times[k - 1] - times[k - 2]),
                "seed {seed}: escapes do not slow down: {times:?}"
            );
        }
        for (i, c) in closest.iter().enumerate().skip(1) {
            assert!(
                *c <= 0.1,
                "seed {seed}: GD never came within 0.1 of saddle {i} ({c})"
            );
        }
        let fstar = f.optimum().unwrap();
        assert!(x.iter().all(|v| (v.abs() - 4.0 * tau).abs() <= 1e-9));
        assert!((f.value(&x) - fstar).abs() <= 1e-9 * fstar.abs());
        eprintln!("seed {seed}: escape times {times:?}, closest {closest:?}");
    }
}

// ---------- spec handling ----------

#[test]
fn spec_builds_the_same_instance() {
    let mut spec = ProblemSpec::new("octopus");
    spec.set_value("d", toml::Value::Integer(5));
    spec.set_value("tau", toml::Value::Float(1.5));
    spec.set_value("gamma", toml::Value::Integer(2));
    let from_spec = problems::build(&spec).unwrap();
    let direct = build(5, 1.5, E, 2.0);
    for seed in 0..3 {
        let x = wide_point(5, 1.5, seed);
        assert_eq!(from_spec.value(&x), direct.value(&x));
        assert_eq!(grad(from_spec.as_ref(), &x), grad(&direct, &x));
    }
    let (_, shipped) = problems::load("octopus", &[]).unwrap();
    let paper = build(10, E, E, 1.0);
    let x = wide_point(10, E, 9);
    assert_eq!(shipped.value(&x), paper.value(&x));
    assert_eq!(shipped.layout().describe(), "x[10]");
}

#[test]
fn bad_specs_are_errors() {
    let bad: &[(&str, toml::Value)] = &[
        ("d", toml::Value::Integer(0)),
        ("d", toml::Value::Integer(-3)),
        ("d", toml::Value::Float(2.5)),
        ("tau", toml::Value::Float(0.0)),
        ("l", toml::Value::Float(-1.0)),
        ("gamma", toml::Value::Float(f64::NAN)),
        ("tau", toml::Value::Float(f64::INFINITY)),
        ("gamma", toml::Value::String("one".into())),
        ("width", toml::Value::Integer(1)),
    ];
    for (field, value) in bad {
        let mut spec = ProblemSpec::new("octopus");
        spec.set_value("d", toml::Value::Integer(3));
        spec.set_value(field, value.clone());
        assert!(
            problems::build(&spec).is_err(),
            "{field} = {value} accepted"
        );
    }
    assert!(
        problems::build(&ProblemSpec::new("octopus")).is_err(),
        "missing d accepted"
    );
}
