//! The matrix problems (`matrix_factorization`, `matrix_factorization_asym`,
//! `matrix_sensing`): exact derivatives on several sizes and options, values and verdicts
//! of the known points against closed forms and the dense Hessian spectrum, the O(r)
//! symmetry, and spec handling.
//!
//! Error budgets: derivatives as in tests/derivatives.rs (1e-6 relative to 1 + ‖∇f‖∞,
//! about 100× above the central-difference error at these sizes); closed-form values
//! 1e-10 relative (sums of a few dozen products of O(1) numbers); gradients at known
//! points 1e-9·(1 + |f|) (eigenvectors from a converged solver, error ~1e-14); Hessian
//! eigenvalues: "zero" means |λ| ≤ 1e-7·(1 + ‖H‖), "negative" means λ ≤ −1e-3 (every
//! predicted negative curvature here is ≤ −0.1).

use crate::common;

use common::{assert_stationary, check_derivatives_at, random_direction, random_point};
use landscape::finite_difference::hessian_from_hvp;
use landscape::linalg::{dot, norm};
use landscape::problems::matrix_factorization::MatrixFactorization;
use landscape::problems::matrix_factorization_asym::MatrixFactorizationAsym;
use landscape::problems::matrix_sensing::MatrixSensing;
use landscape::problems::{self, ProblemSpec};
use landscape::random::{gaussian_matrix, gaussian_vector, rng};
use landscape::{Objective, Verdict};
use nalgebra::{DMatrix, SymmetricEigen};
use proptest::prelude::*;

const BUDGET: f64 = 1e-6;

/// Instances beyond the shipped specs: other sizes, ranks, indefinite M, μ = 0, noise.
const VARIANTS: &[(&str, &[&str])] = &[
    ("matrix_factorization", &[]),
    (
        "matrix_factorization",
        &["n=4", "rank=3", "eigenvalues=[2.0, -1.0, 0.5]"],
    ),
    (
        "matrix_factorization",
        &["n=5", "rank=1", "true_rank=2", "seed=3"],
    ),
    ("matrix_factorization_asym", &[]),
    (
        "matrix_factorization_asym",
        &["n1=3", "n2=5", "rank=2", "mu=0.0"],
    ),
    (
        "matrix_factorization_asym",
        &[
            "n1=4",
            "n2=4",
            "rank=3",
            "mu=2.5",
            "singular_values=[1.0, 0.5]",
        ],
    ),
    ("matrix_sensing", &[]),
    (
        "matrix_sensing",
        &[
            "n=4",
            "rank=3",
            "true_rank=1",
            "measurements=20",
            "noise=0.1",
        ],
    ),
    (
        "matrix_sensing",
        &["n=5", "rank=1", "true_rank=2", "measurements=30", "seed=9"],
    ),
];

fn load(kind: &str, sets: &[&str]) -> Box<dyn Objective> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    problems::load(kind, &sets).unwrap().1
}

fn spec(kind: &str, sets: &[&str]) -> ProblemSpec {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    problems::load_spec(kind, &sets).unwrap()
}

/// Eigenvalues of a symmetric matrix, increasing.
fn eigenvalues(h: DMatrix<f64>) -> Vec<f64> {
    let h = (&h + h.transpose()) * 0.5;
    let eig = SymmetricEigen::try_new(h, 1e-14, 10_000).expect("eigensolver converges");
    let mut values = eig.eigenvalues.as_slice().to_vec();
    values.sort_by(f64::total_cmp);
    values
}

/// Spectrum of the Hessian restricted to the orthogonal complement of the symmetry
/// directions at x, with ‖H‖ for tolerances.
fn projected_spectrum(f: &dyn Objective, x: &[f64]) -> (Vec<f64>, f64) {
    let h = hessian_from_hvp(f, x);
    let d = f.dim();
    let mut projector = DMatrix::<f64>::identity(d, d);
    // Orthonormal basis of the symmetry span (Gram–Schmidt twice, dropping dependent ones).
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for mut s in f.symmetry_directions(x) {
        let original = norm(&s);
        for _ in 0..2 {
            for b in &basis {
                let c = dot(&s, b);
                s.iter_mut().zip(b).for_each(|(s, b)| *s -= c * b);
            }
        }
        let len = norm(&s);
        if len > 1e-8 * original.max(1e-300) && len > 1e-12 {
            s.iter_mut().for_each(|v| *v /= len);
            basis.push(s);
        }
    }
    for b in &basis {
        let q = nalgebra::DVector::from_column_slice(b);
        projector -= &q * q.transpose();
    }
    let eig = SymmetricEigen::try_new(projector, 1e-14, 10_000).unwrap();
    let complement: Vec<usize> = (0..d).filter(|&i| eig.eigenvalues[i] > 0.5).collect();
    let w = eig.eigenvectors.select_columns(&complement);
    let scale = h.amax() * d as f64;
    (eigenvalues(w.transpose() * &h * &w), scale)
}

/// The declared verdict of a known point against the dense Hessian spectrum.
fn assert_verdict_from_hessian(f: &dyn Objective, name: &str, x: &[f64], verdict: Verdict) {
    let (projected, scale) = projected_spectrum(f, x);
    let zero = 1e-7 * (1.0 + scale);
    let (lo, hi) = (projected[0], projected[projected.len() - 1]);
    let context = format!(
        "{} at {name}: projected spectrum [{lo:e}, {hi:e}]",
        f.kind()
    );
    match verdict {
        Verdict::GlobalMin | Verdict::LocalMin => assert!(lo >= -zero, "{context}: not PSD"),
        Verdict::StrictSaddle => {
            assert!(lo <= -1e-3, "{context}: no negative curvature");
            assert!(hi >= -zero, "{context}: negative definite, not a saddle");
        }
        Verdict::LocalMax => {
            let full = eigenvalues(hessian_from_hvp(f, x));
            assert!(
                full[full.len() - 1] <= -1e-3,
                "{context}: not negative definite"
            );
        }
        other => panic!("{context}: unexpected verdict {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn exact_derivatives_on_several_instances(seed in any::<u64>(), scale in 0.1f64..2.0) {
        for (kind, sets) in VARIANTS {
            let f = load(kind, sets);
            check_derivatives_at(f.as_ref(), seed, scale, BUDGET);
        }
    }

    #[test]
    fn symmetry_directions_are_flat(seed in any::<u64>()) {
        for (kind, sets) in VARIANTS {
            let f = load(kind, sets);
            let x = random_point(f.as_ref(), seed, 1.0);
            let mut g = vec![0.0; f.dim()];
            f.gradient(&x, &mut g);
            let directions = f.symmetry_directions(&x);
            let r = f.layout().blocks[0].shape[1];
            let expected = if sets.contains(&"mu=0.0") { r * r } else { r * (r - 1) / 2 };
            prop_assert_eq!(directions.len(), expected);
            let fx = f.value(&x);
            let change = |d: &[f64], t: f64| {
                let y: Vec<f64> = x.iter().zip(d).map(|(x, d)| x + t * d).collect();
                f.value(&y) - fx
            };
            for d in &directions {
                let slope = dot(&g, d);
                prop_assert!(slope.abs() <= 1e-10 * (1.0 + norm(&g) * norm(d)),
                    "{kind} {sets:?}: ∇f·d = {slope:e}");
                // f(x + td) − f(x) = ct² + O(t³): the ratio for t = 1e-2 and 1e-3 is ≈ 100
                // (≈ 10 for a direction of first-order change). c can vanish only by accident.
                let (big, small) = (change(d, 1e-2), change(d, 1e-3));
                if big.abs() > 1e-9 * (1.0 + fx.abs()) {
                    let ratio = big / small;
                    prop_assert!((80.0..125.0).contains(&ratio),
                        "{kind} {sets:?}: Δf ratio {ratio} along a symmetry direction");
                }
            }
            // Negative control: the check above tells a first-order change from a
            // second-order one. Along the unit gradient f changes by ‖∇f‖t + ct², so the
            // ratio stays below 80 unless |c| > 3500‖∇f‖ (a random direction is no
            // control: its slope ∇f·d can be small by chance).
            let gn = norm(&g);
            let d: Vec<f64> = g.iter().map(|g| g / gn).collect();
            let ratio = change(&d, 1e-2) / change(&d, 1e-3);
            prop_assert!(ratio < 80.0, "{kind} {sets:?}: Δf ratio {ratio} along ∇f (‖∇f‖ = {gn:e})");
        }
    }
}

/// f(eig:S) = ¼ Σ_{i∉S} λᵢ² and f* = ¼ Σ over all but the top min(r, p) positive ones,
/// with the eigenvalues written in the spec (not read back from the code).
#[test]
fn matrix_factorization_known_values() {
    // (overrides, eigenvalues sorted decreasing incl. the implied zeros, f*)
    let cases: &[(&[&str], &[f64], f64)] = &[
        (&[], &[3.0, 2.0, 1.0, 0.0, 0.0, 0.0], 0.25),
        (
            &["n=5", "rank=2", "eigenvalues=[3.0, -2.0, 1.0, 0.5]"],
            &[3.0, 1.0, 0.5, 0.0, -2.0],
            0.25 * (0.25 + 4.0),
        ),
        (
            &["n=4", "rank=3", "true_rank=2"],
            &[2.0, 1.0, 0.0, 0.0],
            0.0,
        ),
    ];
    for (sets, lambda, fstar) in cases {
        let f = load("matrix_factorization", sets);
        let optimum = f.optimum().unwrap();
        assert!(
            (optimum - fstar).abs() <= 1e-10,
            "{sets:?}: f* = {optimum}, expected {fstar}"
        );
        let points = f.known_points();
        let positive = lambda.iter().filter(|&&l| l > 0.0).count();
        let r = f.layout().blocks[0].shape[1];
        let subsets: usize = (0..=r.min(positive)).map(|k| binomial(positive, k)).sum();
        assert_eq!(
            points.len(),
            subsets,
            "{sets:?}: every eig subset and zeros"
        );
        for p in &points {
            let chosen: Vec<usize> = match p.name.strip_prefix("eig:") {
                Some(list) => list
                    .split(',')
                    .map(|i| i.parse::<usize>().unwrap() - 1)
                    .collect(),
                None => Vec::new(),
            };
            let expected: f64 = 0.25
                * (0..lambda.len())
                    .filter(|i| !chosen.contains(i))
                    .map(|i| lambda[i] * lambda[i])
                    .sum::<f64>();
            let value = f.value(&p.x);
            assert!(
                (value - expected).abs() <= 1e-10 * (1.0 + expected),
                "{sets:?} {}: f = {value}, expected {expected}",
                p.name
            );
            assert_stationary(f.as_ref(), &p.x, 1e-9 * (1.0 + value));
            assert_eq!(
                p.kind == Verdict::GlobalMin,
                (expected - fstar).abs() < 1e-9,
                "{sets:?} {}: {}",
                p.name,
                p.kind
            );
            assert_eq!(f.known_point(&p.name).as_ref(), Some(p));
        }
    }
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

/// Gradient descent from random starts never goes below f* and reaches it: an independent
/// check of the f* formula for an indefinite M.
#[test]
fn matrix_factorization_optimum_is_reached_and_not_beaten() {
    let f = load(
        "matrix_factorization",
        &["n=5", "rank=2", "eigenvalues=[3.0, -2.0, 1.0, 0.5]"],
    );
    let fstar = f.optimum().unwrap();
    let mut best = f64::INFINITY;
    for seed in 0..4 {
        let mut x = random_point(f.as_ref(), seed, 0.5);
        let mut g = vec![0.0; f.dim()];
        for _ in 0..20_000 {
            f.gradient(&x, &mut g);
            x.iter_mut().zip(&g).for_each(|(x, g)| *x -= 0.02 * g);
        }
        let value = f.value(&x);
        assert!(
            value >= fstar - 1e-12,
            "GD found f = {value} < f* = {fstar}"
        );
        best = best.min(value);
    }
    assert!(best - fstar <= 1e-8, "GD best {best}, f* = {fstar}");
}

#[test]
fn matrix_factorization_asym_known_values() {
    let sigma = [3.0, 2.0, 1.0];
    let f = load("matrix_factorization_asym", &[]);
    let fstar = 0.5 * 1.0;
    assert!((f.optimum().unwrap() - fstar).abs() <= 1e-10);
    let points = f.known_points();
    assert_eq!(points.len(), 1 + 3 + 3);
    for p in &points {
        let chosen: Vec<usize> = match p.name.strip_prefix("svd:") {
            Some(list) => list
                .split(',')
                .map(|i| i.parse::<usize>().unwrap() - 1)
                .collect(),
            None => Vec::new(),
        };
        let expected: f64 = 0.5
            * (0..3)
                .filter(|i| !chosen.contains(i))
                .map(|i| sigma[i] * sigma[i])
                .sum::<f64>();
        let value = f.value(&p.x);
        assert!(
            (value - expected).abs() <= 1e-10 * (1.0 + expected),
            "{}: f = {value}, expected {expected}",
            p.name
        );
        assert_stationary(f.as_ref(), &p.x, 1e-9 * (1.0 + value));
        assert_eq!(
            p.kind == Verdict::GlobalMin,
            p.name == "svd:1,2",
            "{}",
            p.name
        );
    }
    let swapped = f.known_point("svd:2,1").unwrap();
    assert!((f.value(&swapped.x) - fstar).abs() <= 1e-10);
    for bad in ["svd:0", "svd:4", "svd:1,1", "svd:1,2,3", "svd:x", "eig:1"] {
        assert!(f.known_point(bad).is_none(), "{bad} accepted");
    }
}

#[test]
fn matrix_sensing_known_values() {
    let f = load("matrix_sensing", &[]);
    assert_eq!(f.optimum(), Some(0.0));
    let truth = f.known_point("truth").unwrap();
    assert_eq!(truth.kind, Verdict::GlobalMin);
    assert!(
        f.value(&truth.x) <= 1e-24,
        "f(truth) = {}",
        f.value(&truth.x)
    );
    assert_stationary(f.as_ref(), &truth.x, 1e-10);
    let zeros = f.known_point("zeros").unwrap();
    assert_eq!(zeros.kind, Verdict::StrictSaddle);
    assert_stationary(f.as_ref(), &zeros.x, 1e-12);
    // With noise or r < k, f* is unknown and the planted factor is not listed.
    for sets in [&["noise=0.1"][..], &["rank=1", "true_rank=2"][..]] {
        let g = load("matrix_sensing", sets);
        assert_eq!(g.optimum(), None, "{sets:?}");
        assert!(g.known_point("truth").is_none(), "{sets:?}");
    }
}

/// Every known point's verdict against the Hessian spectrum with symmetries projected out.
#[test]
fn known_point_verdicts_match_the_hessian() {
    let instances: &[(&str, &[&str])] = &[
        ("matrix_factorization", &[]),
        (
            "matrix_factorization",
            &["n=5", "rank=2", "eigenvalues=[3.0, -2.0, 1.0, 0.5]"],
        ),
        // Repeated eigenvalue: eig:1 and eig:2 are both global minima.
        (
            "matrix_factorization",
            &["n=4", "rank=1", "eigenvalues=[2.0, 2.0, 1.0]"],
        ),
        // M ≻ 0: zeros is a local maximum.
        (
            "matrix_factorization",
            &["n=3", "rank=2", "eigenvalues=[3.0, 2.0, 1.0]"],
        ),
        ("matrix_factorization_asym", &[]),
        (
            "matrix_factorization_asym",
            &["n1=3", "n2=4", "rank=1", "mu=0.0"],
        ),
        ("matrix_sensing", &[]),
        (
            "matrix_sensing",
            &["n=4", "rank=2", "true_rank=1", "measurements=40"],
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (kind, sets) in instances {
        let f = load(kind, sets);
        for p in f.known_points() {
            seen.insert(p.kind);
            assert_verdict_from_hessian(f.as_ref(), &p.name, &p.x, p.kind);
        }
    }
    assert!(seen.contains(&Verdict::LocalMax) && seen.contains(&Verdict::StrictSaddle));
    let tied = load(
        "matrix_factorization",
        &["n=4", "rank=1", "eigenvalues=[2.0, 2.0, 1.0]"],
    );
    for name in ["eig:1", "eig:2"] {
        assert_eq!(tied.known_point(name).unwrap().kind, Verdict::GlobalMin);
    }
    assert_eq!(
        tied.known_point("eig:3").unwrap().kind,
        Verdict::StrictSaddle
    );
}

/// At a full-rank global minimum with a spectral gap the Hessian's zero modes are exactly
/// the r(r−1)/2 symmetry directions (for the asymmetric problem only with μ > 0).
#[test]
fn zero_modes_at_full_rank_minima_are_the_symmetry() {
    for (kind, sets, name) in [
        (
            "matrix_factorization",
            &["rank=3", "true_rank=4"][..],
            "eig:1,2,3",
        ),
        ("matrix_factorization", &[][..], "eig:1,2"),
        ("matrix_factorization_asym", &[][..], "svd:1,2"),
        ("matrix_sensing", &["rank=2", "true_rank=2"][..], "truth"),
    ] {
        let f = load(kind, sets);
        let p = f.known_point(name).unwrap();
        assert_eq!(p.kind, Verdict::GlobalMin);
        let h = hessian_from_hvp(f.as_ref(), &p.x);
        let scale = h.amax() * f.dim() as f64;
        let full = eigenvalues(h);
        let r = f.layout().blocks[0].shape[1];
        let zero_modes = full
            .iter()
            .filter(|l| l.abs() <= 1e-7 * (1.0 + scale))
            .count();
        assert_eq!(
            zero_modes,
            r * (r - 1) / 2,
            "{kind} {name}: spectrum {full:?}"
        );
        assert!(full[0] >= -1e-7 * (1.0 + scale), "{kind} {name}: {full:?}");
        let (projected, _) = projected_spectrum(f.as_ref(), &p.x);
        assert!(
            projected[0] > 1e-3,
            "{kind} {name}: projected λmin = {}",
            projected[0]
        );
    }
}

fn inline_matrix(m: &DMatrix<f64>) -> toml::Value {
    toml::Value::Array(
        m.row_iter()
            .map(|row| toml::Value::Array(row.iter().map(|&v| toml::Value::Float(v)).collect()))
            .collect(),
    )
}

/// Same values, gradients, HVPs, optima and known points.
fn assert_same_problem(a: &dyn Objective, b: &dyn Objective) {
    assert_eq!(a.dim(), b.dim());
    assert_eq!(a.optimum().is_some(), b.optimum().is_some());
    if let (Some(x), Some(y)) = (a.optimum(), b.optimum()) {
        assert!((x - y).abs() <= 1e-10 * (1.0 + x.abs()));
    }
    for seed in 0..3 {
        let x = random_point(a, seed, 1.0);
        let v = random_direction(a, seed);
        let (fa, fb) = (a.value(&x), b.value(&x));
        assert!((fa - fb).abs() <= 1e-10 * (1.0 + fa.abs()), "{fa} vs {fb}");
        let (mut ga, mut gb, mut ha, mut hb) = (
            vec![0.0; a.dim()],
            vec![0.0; a.dim()],
            vec![0.0; a.dim()],
            vec![0.0; a.dim()],
        );
        a.gradient(&x, &mut ga);
        b.gradient(&x, &mut gb);
        a.hvp(&x, &v, &mut ha);
        b.hvp(&x, &v, &mut hb);
        assert!(landscape::finite_difference::relative_error(&ga, &gb) <= 1e-10);
        assert!(landscape::finite_difference::relative_error(&ha, &hb) <= 1e-10);
    }
    let (pa, pb) = (a.known_points(), b.known_points());
    assert_eq!(pa.len(), pb.len());
    for (p, q) in pa.iter().zip(&pb) {
        assert_eq!((&p.name, p.kind), (&q.name, q.kind));
        assert!((a.value(&p.x) - b.value(&q.x)).abs() <= 1e-10 * (1.0 + a.value(&p.x)));
    }
}

#[test]
fn given_data_and_generated_instances_agree() {
    let generated = MatrixFactorization::from_spec(&spec("matrix_factorization", &[])).unwrap();
    let mut given = ProblemSpec::new("matrix_factorization");
    given.set_value("rank", toml::Value::Integer(2));
    given.set_value("m", inline_matrix(generated.m()));
    let given = problems::build(&given).unwrap();
    assert_same_problem(&generated, given.as_ref());
    // And the generated M has the documented spectrum.
    let lambda = generated.eigenvalues();
    for (l, e) in lambda.iter().zip([3.0, 2.0, 1.0, 0.0, 0.0, 0.0]) {
        assert!((l - e).abs() <= 1e-12, "{lambda:?}");
    }

    let generated =
        MatrixFactorizationAsym::from_spec(&spec("matrix_factorization_asym", &[])).unwrap();
    let mut given = ProblemSpec::new("matrix_factorization_asym");
    given.set_value("rank", toml::Value::Integer(2));
    given.set_value("n1", toml::Value::Integer(5));
    given.set_value("m", inline_matrix(generated.m()));
    let given = problems::build(&given).unwrap();
    assert_same_problem(&generated, given.as_ref());
    for (s, e) in generated.singular_values().iter().zip([3.0, 2.0, 1.0, 0.0]) {
        assert!((s - e).abs() <= 1e-12);
    }

    let generated = MatrixSensing::from_spec(&spec("matrix_sensing", &[])).unwrap();
    let a: Vec<DMatrix<f64>> = (0..generated.measurements())
        .map(|i| generated.sensing_matrix(i))
        .collect();
    let given = MatrixSensing::new(&a, generated.observations().to_vec(), 2)
        .unwrap()
        .with_planted(generated.planted().unwrap().clone(), 0.0)
        .unwrap();
    assert_same_problem(&generated, &given);
}

/// The packed implementation against the formula with non-symmetric Aᵢ, term by term.
#[test]
fn matrix_sensing_matches_the_naive_formula() {
    let (n, r, m) = (4, 2, 15);
    let mut g = rng(42);
    let a: Vec<DMatrix<f64>> = (0..m).map(|_| gaussian_matrix(&mut g, n, n)).collect();
    let y = gaussian_vector(&mut g, m);
    let f = MatrixSensing::new(&a, y.clone(), r).unwrap();
    for seed in 0..3 {
        let x = random_point(&f, seed, 1.0);
        let u = DMatrix::from_row_slice(n, r, &x);
        let uut = &u * u.transpose();
        let naive: f64 = a
            .iter()
            .zip(&y)
            .map(|(ai, yi)| (ai.component_mul(&uut).sum() - yi).powi(2))
            .sum::<f64>()
            / (4.0 * m as f64);
        let value = f.value(&x);
        assert!(
            (value - naive).abs() <= 1e-12 * (1.0 + naive),
            "{value} vs {naive}"
        );
        check_derivatives_at(&f, seed, 1.0, BUDGET);
    }
}

#[test]
fn bad_specs_are_errors() {
    let cases: &[(&str, &str)] = &[
        ("kind = \"matrix_factorization\"\nn = 3", "missing rank"),
        ("kind = \"matrix_factorization\"\nrank = 1\nm = [[1.0, 2.0], [3.0, 1.0]]", "asymmetric m"),
        ("kind = \"matrix_factorization\"\nrank = 1\nm = [[1.0, 2.0, 0.0], [2.0, 1.0, 0.0]]", "non-square m"),
        ("kind = \"matrix_factorization\"\nrank = 1\nm = [[1.0, nan], [nan, 1.0]]", "NaN in m"),
        ("kind = \"matrix_factorization\"\nrank = 1\nm = [[1.0, inf], [inf, 1.0]]", "inf in m"),
        ("kind = \"matrix_factorization\"\nrank = 1\nn = 3\nm = [[1.0, 0.0], [0.0, 1.0]]", "n ≠ side of m"),
        ("kind = \"matrix_factorization\"\nrank = 0\nn = 3", "rank 0"),
        ("kind = \"matrix_factorization\"\nrank = 1\nn = 2\neigenvalues = [1.0, 2.0, 3.0]", "too many eigenvalues"),
        ("kind = \"matrix_factorization\"\nrank = 1\nn = 2\ntrue_rank = 3", "true_rank > n"),
        ("kind = \"matrix_factorization\"\nrank = 1\nn = 2\neigenvalues = [1.0, nan]", "NaN eigenvalue"),
        ("kind = \"matrix_factorization_asym\"\nrank = 1\nm = [[1.0, 2.0], [3.0]]", "ragged m"),
        ("kind = \"matrix_factorization_asym\"\nrank = 1\nm = [[1.0, nan]]", "NaN in m"),
        ("kind = \"matrix_factorization_asym\"\nrank = 1\nn1 = 3\nm = [[1.0, 2.0]]", "n1 ≠ rows of m"),
        ("kind = \"matrix_factorization_asym\"\nrank = 1\nn1 = 2\nn2 = 2\nmu = -1.0", "negative mu"),
        ("kind = \"matrix_factorization_asym\"\nrank = 1\nn1 = 2\nn2 = 3\nsingular_values = [1.0, -1.0]", "negative σ"),
        ("kind = \"matrix_sensing\"\nn = 3\nrank = 1\nnoise = -0.5", "negative noise"),
        ("kind = \"matrix_sensing\"\nn = 3\nrank = 1\ntrue_rank = 4", "true_rank > n"),
        ("kind = \"matrix_sensing\"\nn = 3\nrank = 1\nmeasurements = 0", "no measurements"),
        ("kind = \"matrix_sensing\"\nn = 3\nrank = 1\nm = 5", "unknown field"),
    ];
    for (text, what) in cases {
        let spec = ProblemSpec::from_toml(text, what, None).unwrap();
        assert!(problems::build(&spec).is_err(), "{what}: accepted");
    }
    // Explicit data through the constructors.
    let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
    assert!(MatrixFactorization::new(nan.clone(), 1).is_err());
    assert!(MatrixFactorizationAsym::new(nan.clone(), 1, 1.0).is_err());
    assert!(MatrixFactorizationAsym::new(DMatrix::identity(2, 3), 1, f64::NAN).is_err());
    let a = vec![DMatrix::identity(2, 2), DMatrix::identity(3, 3)];
    assert!(
        MatrixSensing::new(&a, vec![1.0, 1.0], 1).is_err(),
        "mixed shapes"
    );
    assert!(
        MatrixSensing::new(&[nan], vec![1.0], 1).is_err(),
        "NaN in A"
    );
    let ok = vec![DMatrix::identity(2, 2)];
    assert!(
        MatrixSensing::new(&ok, vec![1.0, 2.0], 1).is_err(),
        "y too long"
    );
    assert!(
        MatrixSensing::new(&ok, vec![f64::INFINITY], 1).is_err(),
        "inf in y"
    );
    let f = MatrixSensing::new(&ok, vec![1.0], 1).unwrap();
    assert!(
        f.clone().with_planted(DMatrix::zeros(3, 1), 0.0).is_err(),
        "U* of wrong height"
    );
}

/// The `eig:` family is parsed, not only listed: order, brackets, and invalid names.
#[test]
fn eig_names_are_parsed() {
    let f = load("matrix_factorization", &["n=8", "rank=3", "true_rank=8"]);
    assert_eq!(f.known_points().len(), 64, "enumeration is capped");
    let p = f.known_point("eig:<8,1>").unwrap();
    assert_eq!(p.kind, Verdict::StrictSaddle);
    let lambda: [f64; 8] = [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
    let expected = 0.25 * lambda[1..7].iter().map(|l| l * l).sum::<f64>();
    assert!((f.value(&p.x) - expected).abs() <= 1e-9 * expected);
    assert_eq!(f.known_point("eig:3,1,2").unwrap().kind, Verdict::GlobalMin);
    for bad in [
        "eig:",
        "eig:0",
        "eig:9",
        "eig:1,1",
        "eig:1,2,3,4",
        "eig:a",
        "svd:1",
    ] {
        assert!(f.known_point(bad).is_none(), "{bad} accepted");
    }
}
