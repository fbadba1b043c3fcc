//! The classical 2-D functions: `saddle`, `monkey_saddle`, `himmelblau`, `rosenbrock`,
//! `six_hump_camel`.
//!
//! Error budgets:
//! - derivatives: central differences with h = ε^{1/3}·max(1, ‖x‖∞) have relative error
//!   ≈ 1e-10 × (third derivatives, |f|); at points of scale ≤ 5 (Himmelblau's domain
//!   [−5, 5]²) where |f| ≤ 1e5, 1e-6 relative to 1 + ‖∇f‖∞ leaves a margin ≥ 100×; the
//!   dense Hessian from HVPs must match H·v to 1e-10 (pure rounding);
//! - stationarity: the polished points have ‖∇f‖ ≤ 1e-12 (Newton to a few ulps of x,
//!   times Hessian entries ≤ 150, gives ≈ 1e-13);
//! - verdicts are checked twice, independently of the declared ones: by the dense Hessian
//!   spectrum (eigenvalue signs with margin 1e-6 relative to ‖H‖) and by the values of f on
//!   a circle of radius 1e-3 around the point (a change ≈ ½·r²·λ ≥ 1e-7 against rounding
//!   ≈ 1e-13);
//! - f*: Himmelblau's minima have f ≤ 1e-20 (the squares vanish to rounding), the six-hump
//!   camel's global minima f = −1.0316284535 ± 1e-9 (the published value to 10 decimals).

use crate::common;

use common::{assert_stationary, check_derivatives_at};
use landscape::finite_difference::hessian_from_hvp;
use landscape::problems::{self, ProblemSpec};
use landscape::{KnownPoint, Objective, Verdict};
use nalgebra::SymmetricEigen;
use proptest::prelude::*;

const KINDS: [&str; 5] = [
    "saddle",
    "monkey_saddle",
    "himmelblau",
    "rosenbrock",
    "six_hump_camel",
];

const BUDGET: f64 = 1e-6;

fn load(kind: &str) -> Box<dyn Objective> {
    problems::load(kind, &[]).unwrap().1
}

fn point(f: &dyn Objective, name: &str) -> KnownPoint {
    f.known_point(name)
        .unwrap_or_else(|| panic!("{}: no known point `{name}`", f.kind()))
}

/// Literal transcriptions of the formulas (DESIGN.md, "The problems"), a reference for
/// `value`.
fn reference_value(kind: &str, x: f64, y: f64) -> f64 {
    match kind {
        "saddle" => x.powi(2) - y.powi(2),
        "monkey_saddle" => x.powi(3) - 3.0 * x * y.powi(2),
        "himmelblau" => (x.powi(2) + y - 11.0).powi(2) + (x + y.powi(2) - 7.0).powi(2),
        "rosenbrock" => (1.0 - x).powi(2) + 100.0 * (y - x.powi(2)).powi(2),
        "six_hump_camel" => {
            (4.0 - 2.1 * x.powi(2) + x.powi(4) / 3.0) * x.powi(2)
                + x * y
                + (-4.0 + 4.0 * y.powi(2)) * y.powi(2)
        }
        _ => unreachable!(),
    }
}

/// Eigenvalues (ascending) of the dense Hessian assembled from HVPs.
fn hessian_spectrum(f: &dyn Objective, x: &[f64]) -> (Vec<f64>, f64) {
    let h = hessian_from_hvp(f, x);
    let norm = h.amax();
    let eigen = SymmetricEigen::try_new(h, 1e-14, 10_000).expect("2×2 eigen converges");
    let mut values = eigen.eigenvalues.as_slice().to_vec();
    values.sort_by(f64::total_cmp);
    (values, norm)
}

/// f(p + r(cos θ, sin θ)) − f(p) for 72 angles.
fn circle_differences(f: &dyn Objective, p: &[f64], r: f64) -> Vec<f64> {
    let center = f.value(p);
    (0..72)
        .map(|k| {
            let theta = k as f64 * std::f64::consts::TAU / 72.0;
            f.value(&[p[0] + r * theta.cos(), p[1] + r * theta.sin()]) - center
        })
        .collect()
}

/// Newton's method on ∇f = 0 with the dense Hessian from HVPs; the limit if it
/// converges to a stationary point inside the box.
fn newton_from(f: &dyn Objective, start: [f64; 2], bound: f64) -> Option<[f64; 2]> {
    let mut x = start.to_vec();
    let mut g = vec![0.0; 2];
    for _ in 0..60 {
        f.gradient(&x, &mut g);
        let h = hessian_from_hvp(f, &x);
        let step = h.lu().solve(&nalgebra::DVector::from_column_slice(&g))?;
        x[0] -= step[0];
        x[1] -= step[1];
        if x.iter().any(|v| !v.is_finite() || v.abs() > bound) {
            return None;
        }
    }
    f.gradient(&x, &mut g);
    (g[0].hypot(g[1]) <= 1e-9).then_some([x[0], x[1]])
}

/// Every stationary point found by Newton from a (n+1)² grid on [−bound, bound]²,
/// deduplicated.
fn grid_stationary_points(f: &dyn Objective, bound: f64, n: usize) -> Vec<[f64; 2]> {
    let mut found: Vec<[f64; 2]> = Vec::new();
    for i in 0..=n {
        for j in 0..=n {
            let start = [
                -bound + 2.0 * bound * i as f64 / n as f64,
                -bound + 2.0 * bound * j as f64 / n as f64,
            ];
            if let Some(p) = newton_from(f, start, 2.0 * bound) {
                if found
                    .iter()
                    .all(|q| (p[0] - q[0]).hypot(p[1] - q[1]) > 1e-7)
                {
                    found.push(p);
                }
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn derivatives_match_finite_differences(seed in any::<u64>(), scale in 0.05f64..5.0) {
        for kind in KINDS {
            check_derivatives_at(load(kind).as_ref(), seed, scale, BUDGET);
        }
    }

    #[test]
    fn derivatives_near_known_points(seed in any::<u64>(), offset in 1e-4f64..0.1) {
        // Near stationary points the gradient is small; relative_error is taken against
        // 1 + ‖∇f‖∞, so the check stays meaningful there.
        for kind in KINDS {
            let f = load(kind);
            for p in f.known_points() {
                let x: Vec<f64> = p.x.iter().zip(common::random_direction(f.as_ref(), seed))
                    .map(|(x, d)| x + offset * d)
                    .collect();
                common::assert_gradient_matches_fd(f.as_ref(), &x, BUDGET);
                let v = common::random_direction(f.as_ref(), seed ^ 1);
                common::assert_hvp_matches_fd(f.as_ref(), &x, &v, BUDGET);
                common::assert_hvp_matches_dense(f.as_ref(), &x, &v, 1e-10);
            }
        }
    }

    #[test]
    fn values_match_the_design_formulas(x in -6.0f64..6.0, y in -6.0f64..6.0) {
        for kind in KINDS {
            let value = load(kind).value(&[x, y]);
            let reference = reference_value(kind, x, y);
            prop_assert!(
                (value - reference).abs() <= 1e-12 * (1.0 + reference.abs()),
                "{kind}: f({x}, {y}) = {value}, formula gives {reference}"
            );
        }
    }

    #[test]
    fn monkey_saddle_descends_along_minus_x(t in 1e-6f64..10.0) {
        let f = load("monkey_saddle");
        // f(−t, 0) = −t³ < 0 = f(0, 0).
        let value = f.value(&[-t, 0.0]);
        prop_assert!(value < 0.0);
        prop_assert!((value + t.powi(3)).abs() <= 1e-12 * t.powi(3));
    }

    #[test]
    fn no_continuous_symmetry_and_six_hump_camel_is_even(x in -3.0f64..3.0, y in -3.0f64..3.0) {
        for kind in KINDS {
            prop_assert!(load(kind).symmetry_directions(&[x, y]).is_empty());
        }
        let f = load("six_hump_camel");
        prop_assert_eq!(f.value(&[x, y]), f.value(&[-x, -y]));
        let saddle = load("saddle");
        prop_assert_eq!(saddle.value(&[x, y]), saddle.value(&[-x, y]));
        prop_assert_eq!(saddle.value(&[x, y]), saddle.value(&[x, -y]));
    }
}

#[test]
fn known_points_are_stationary_to_1e_12() {
    for kind in KINDS {
        let f = load(kind);
        assert!(!f.known_points().is_empty(), "{kind}: no known points");
        for p in f.known_points() {
            assert_eq!(p.x.len(), 2);
            assert_stationary(f.as_ref(), &p.x, 1e-12);
            assert_eq!(f.known_point(&p.name).as_ref(), Some(&p));
        }
    }
}

#[test]
fn verdicts_agree_with_the_hessian_spectrum() {
    for kind in KINDS {
        let f = load(kind);
        for p in f.known_points() {
            let (lambda, norm) = hessian_spectrum(f.as_ref(), &p.x);
            let margin = 1e-6 * norm.max(1.0);
            let (low, high) = (lambda[0], lambda[1]);
            match p.kind {
                Verdict::GlobalMin | Verdict::SpuriousLocalMin => {
                    assert!(low > margin, "{kind} {}: λ = {lambda:?}", p.name)
                }
                Verdict::LocalMax => assert!(high < -margin, "{kind} {}: λ = {lambda:?}", p.name),
                Verdict::StrictSaddle => assert!(
                    low < -margin && high > margin,
                    "{kind} {}: λ = {lambda:?}",
                    p.name
                ),
                Verdict::NonStrictSaddle => assert!(
                    low.abs() <= 1e-14 && high.abs() <= 1e-14,
                    "{kind} {}: a non-strict saddle needs no negative curvature, λ = {lambda:?}",
                    p.name
                ),
                other => panic!("{kind} {}: unexpected verdict {other}", p.name),
            }
        }
    }
}

#[test]
fn verdicts_agree_with_values_on_a_small_circle() {
    for kind in KINDS {
        let f = load(kind);
        for p in f.known_points() {
            let diffs = circle_differences(f.as_ref(), &p.x, 1e-3);
            let above = diffs.iter().filter(|&&d| d > 0.0).count();
            let below = diffs.iter().filter(|&&d| d < 0.0).count();
            let what = format!("{kind} {}: {above} above, {below} below", p.name);
            match p.kind {
                Verdict::GlobalMin | Verdict::SpuriousLocalMin => assert_eq!(above, 72, "{what}"),
                Verdict::LocalMax => assert_eq!(below, 72, "{what}"),
                Verdict::StrictSaddle | Verdict::NonStrictSaddle => {
                    assert!(above > 0 && below > 0, "{what}")
                }
                other => panic!("{kind} {}: unexpected verdict {other}", p.name),
            }
        }
    }
    // The monkey saddle's cubic f = r³ cos 3θ changes sign six times around the origin.
    let f = load("monkey_saddle");
    let diffs = circle_differences(f.as_ref(), &[0.0, 0.0], 1e-3);
    let changes = (0..diffs.len())
        .filter(|&k| (diffs[k] > 0.0) != (diffs[(k + 1) % diffs.len()] > 0.0))
        .count();
    assert_eq!(changes, 6);
}

#[test]
fn global_and_spurious_minima_agree_with_f_star() {
    for kind in KINDS {
        let f = load(kind);
        for p in f.known_points() {
            let value = f.value(&p.x);
            match (p.kind, f.optimum()) {
                (Verdict::GlobalMin, Some(fstar)) => assert!(
                    (value - fstar).abs() <= 1e-12 * (1.0 + fstar.abs()),
                    "{kind} {}: f = {value}, f* = {fstar}",
                    p.name
                ),
                (Verdict::SpuriousLocalMin, Some(fstar)) => {
                    assert!(value > fstar + 0.1, "{kind} {}: f = {value}", p.name)
                }
                (Verdict::GlobalMin | Verdict::SpuriousLocalMin, None) => {
                    panic!("{kind}: a minimum verdict needs f*")
                }
                _ => {}
            }
        }
    }
}

#[test]
fn saddles_are_unbounded_below() {
    // Along the rays (0, t) and (−t, 0) they fall like −t² and −t³.
    for (kind, ray) in [("saddle", [0.0, 1.0]), ("monkey_saddle", [-1.0, 0.0])] {
        let f = load(kind);
        assert_eq!(f.optimum(), None, "{kind}");
        assert!(f.value(&[1e3 * ray[0], 1e3 * ray[1]]) <= -1e6, "{kind}");
    }
    let f = load("saddle");
    assert_eq!(f.value(&[0.0, 3.0]), -9.0);
    assert_eq!(point(f.as_ref(), "origin").kind, Verdict::StrictSaddle);
    let monkey = load("monkey_saddle");
    let origin = point(monkey.as_ref(), "origin");
    assert_eq!(origin.kind, Verdict::NonStrictSaddle);
    assert_eq!(origin.x, vec![0.0, 0.0]);
    // The Hessian vanishes at the origin: the second-order test is silent.
    assert_eq!(hessian_from_hvp(monkey.as_ref(), &origin.x).amax(), 0.0);
}

#[test]
fn rosenbrock_minimum_is_one_one_with_f_star_zero() {
    let f = load("rosenbrock");
    let p = point(f.as_ref(), "minimum");
    assert_eq!(p.x, vec![1.0, 1.0]);
    assert_eq!(f.value(&p.x), 0.0);
    assert_eq!(f.optimum(), Some(0.0));
    // The Hessian at (1, 1) is [[802, −400], [−400, 200]] (a = 1, b = 100).
    let h = hessian_from_hvp(f.as_ref(), &p.x);
    assert_eq!(h.as_slice(), &[802.0, -400.0, -400.0, 200.0]);
}

#[test]
fn himmelblau_points_match_the_published_values() {
    let f = load("himmelblau");
    assert_eq!(f.optimum(), Some(0.0));
    let published = [
        ("min:1", [3.0, 2.0]),
        ("min:2", [-2.805118, 3.131312]),
        ("min:3", [-3.779310, -3.283186]),
        ("min:4", [3.584428, -1.848126]),
        ("max", [-0.270845, -0.923039]),
    ];
    for (name, approx) in published {
        let p = point(f.as_ref(), name);
        assert!(
            (p.x[0] - approx[0]).abs() <= 1e-6 && (p.x[1] - approx[1]).abs() <= 1e-6,
            "himmelblau {name}: {:?} vs published {approx:?}",
            p.x
        );
    }
    assert_eq!(point(f.as_ref(), "min:1").x, vec![3.0, 2.0]);
    for name in ["min:1", "min:2", "min:3", "min:4"] {
        let value = f.value(&point(f.as_ref(), name).x);
        assert!(value <= 1e-20, "himmelblau {name}: f = {value:e}");
    }
    assert_eq!(point(f.as_ref(), "max").kind, Verdict::LocalMax);
}

#[test]
fn six_hump_camel_global_minimum_matches_the_published_value() {
    const PUBLISHED: f64 = -1.0316284535;
    let f = load("six_hump_camel");
    let fstar = f.optimum().unwrap();
    assert!((fstar - PUBLISHED).abs() <= 1e-9, "f* = {fstar}");
    for name in ["global_min:1", "global_min:2"] {
        let p = point(f.as_ref(), name);
        assert!((f.value(&p.x) - PUBLISHED).abs() <= 1e-9, "{name}");
        assert!((p.x[0].abs() - 0.0898).abs() < 1e-4 && (p.x[1].abs() - 0.7126).abs() < 1e-4);
    }
    // The published spurious minima: f ≈ −0.2155 and 2.1043.
    for (name, published) in [("local_min:1", -0.2155), ("local_min:3", 2.1043)] {
        let value = f.value(&point(f.as_ref(), name).x);
        assert!((value - published).abs() < 1e-4, "{name}: f = {value}");
    }
}

/// The known points are exactly the stationary points found by an independent grid
/// search with Newton refinement: same count, each within 1e-8 of a known one.
#[test]
fn known_points_are_all_the_stationary_points() {
    for (kind, bound, count) in [
        ("himmelblau", 6.0, 9),
        ("rosenbrock", 3.0, 1),
        ("six_hump_camel", 3.0, 15),
    ] {
        let f = load(kind);
        let found = grid_stationary_points(f.as_ref(), bound, 40);
        let known = f.known_points();
        assert_eq!(found.len(), count, "{kind}: grid search found {found:?}");
        assert_eq!(known.len(), count, "{kind}: known points");
        for q in &found {
            assert!(
                known
                    .iter()
                    .any(|p| (p.x[0] - q[0]).hypot(p.x[1] - q[1]) <= 1e-8),
                "{kind}: stationary point {q:?} is not a known point"
            );
        }
    }
    let camel = load("six_hump_camel");
    let count = |verdict| {
        camel
            .known_points()
            .iter()
            .filter(|p| p.kind == verdict)
            .count()
    };
    assert_eq!(count(Verdict::GlobalMin), 2);
    assert_eq!(count(Verdict::SpuriousLocalMin), 4);
    assert_eq!(count(Verdict::StrictSaddle), 7);
    assert_eq!(count(Verdict::LocalMax), 2);
}

#[test]
fn spec_handling() {
    for kind in KINDS {
        // A bare spec, the shipped one and one with a seed build the same function.
        let bare = problems::build(&ProblemSpec::new(kind)).unwrap();
        let seeded = problems::load(kind, &["seed=7".to_string()]).unwrap().1;
        let x = [0.3, -1.7];
        assert_eq!(bare.value(&x), load(kind).value(&x));
        assert_eq!(bare.value(&x), seeded.value(&x));
        assert_eq!(bare.layout().describe(), "x[2]");
        assert_eq!(bare.dim(), 2);
        // No fields: anything else is an error naming it, and so is a bad seed.
        let err = problems::load(kind, &["a=2".to_string()]).err();
        assert!(
            matches!(err, Some(landscape::Error::UnknownField { .. })),
            "{kind}: {err:?}"
        );
        assert!(problems::load(kind, &["seed=-1".to_string()]).is_err());
        assert!(problems::load(kind, &["seed=\"x\"".to_string()]).is_err());
    }
}

#[test]
fn constructors_without_a_spec_match_the_registry() {
    use landscape::problems::{
        himmelblau::Himmelblau, monkey_saddle::MonkeySaddle, rosenbrock::Rosenbrock,
        saddle::Saddle, six_hump_camel::SixHumpCamel,
    };
    let direct: [Box<dyn Objective>; 5] = [
        Box::new(Saddle::new()),
        Box::new(MonkeySaddle::new()),
        Box::new(Himmelblau::new()),
        Box::new(Rosenbrock::new()),
        Box::new(SixHumpCamel::new()),
    ];
    for (f, kind) in direct.iter().zip(KINDS) {
        assert_eq!(f.kind(), kind);
        assert_eq!(f.known_points(), load(kind).known_points());
        assert_eq!(f.optimum(), load(kind).optimum());
    }
}
