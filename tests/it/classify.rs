//! Known answers of the classifier, from the mathematics: every shipped known point,
//! quadratics of every inertia, the classical saddles, degenerate polynomials, matrix
//! factorization's closed-form spectrum, deep linear networks, and bad input.

use crate::common;

use common::{assert_bad_input, cli_json, landscape};

use landscape::classify::{classify, ClassifyOptions};
use landscape::objective::{Layout, Objective};
use landscape::problems::{self, KINDS};
use landscape::spectrum::{hessian_spectrum, Method, SpectrumOptions};
use landscape::Verdict;

fn load(kind: &str, overrides: &[&str]) -> Box<dyn Objective> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    problems::load(kind, &overrides).unwrap().1
}

fn verdict_at(f: &dyn Objective, x: &[f64]) -> landscape::classify::Classification {
    classify(f, x, &ClassifyOptions::default()).unwrap()
}

/// A declared verdict and a computed one agree. Where f* is unknown, a minimum may be
/// declared `global_min`/`spurious_local_min` but can only be found `local_min`.
fn compatible(declared: Verdict, found: Verdict, optimum_known: bool) -> bool {
    declared == found
        || (!optimum_known
            && found == Verdict::LocalMin
            && matches!(declared, Verdict::GlobalMin | Verdict::SpuriousLocalMin))
}

#[test]
fn every_known_point_of_every_shipped_problem_gets_its_declared_verdict() {
    let mut checked = 0;
    for kind in KINDS {
        let f = load(kind.name, &[]);
        for p in f.known_points() {
            let c = verdict_at(f.as_ref(), &p.x);
            checked += 1;
            assert!(
                compatible(p.kind, c.kind, f.optimum().is_some()),
                "{} {}: declared {}, classified {} ({})",
                kind.name,
                p.name,
                p.kind,
                c.kind,
                c.reason
            );
        }
    }
    assert!(checked >= 60, "only {checked} known points");
}

#[test]
fn quadratics_of_every_inertia() {
    // f = ½xᵀAx − bᵀx, A = Q diag(λ) Qᵀ: the Hessian is A, whose spectrum is λ.
    let cases: [(&str, &str, Verdict); 6] = [
        ("[1.0, 2.0, 3.0]", "[1, 0, 0]", Verdict::GlobalMin),
        ("[-1.0, -2.0, -3.0]", "[1, 0, 0]", Verdict::LocalMax),
        ("[-0.5, 1.0, 2.0]", "[1, 0, 0]", Verdict::StrictSaddle),
        // PSD singular, b = 0: f ≥ 0 = f(0) = f*. f* is known, so x attains it: a global
        // min, although the second-order test alone is inconclusive (a zero mode, and the
        // higher-order terms of a quadratic vanish: the null direction is flat).
        ("[0.0, 1.0, 2.0]", "[0, 0, 0]", Verdict::GlobalMin),
        // NSD singular: λmin = −2 < −tol, so strict_saddle by definition (the flat null
        // direction makes it a non-strict maximum, which the reason mentions).
        ("[0.0, -1.0, -2.0]", "[0, 0, 0]", Verdict::StrictSaddle),
        // A = 0: f ≡ 0 = f*.
        ("[0.0, 0.0, 0.0]", "[0, 0, 0]", Verdict::GlobalMin),
    ];
    for (eigenvalues, b, expected) in cases {
        let f = load(
            "quadratic",
            &[&format!("eigenvalues={eigenvalues}"), &format!("b={b}")],
        );
        let x = f.known_point("stationary").unwrap().x;
        let c = verdict_at(f.as_ref(), &x);
        assert_eq!(c.kind, expected, "λ = {eigenvalues}: {}", c.reason);
        let lambdas: Vec<f64> = serde_json::from_str(eigenvalues).unwrap();
        let lmin = lambdas.iter().copied().fold(f64::INFINITY, f64::min);
        let lmax = lambdas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!((c.lambda_min.unwrap() - lmin).abs() < 1e-12, "λmin {c:?}");
        assert!((c.lambda_max.unwrap() - lmax).abs() < 1e-12, "λmax {c:?}");
        let neg = lambdas.iter().filter(|&&l| l < 0.0).count();
        let zero = lambdas.iter().filter(|&&l| l == 0.0).count();
        assert_eq!(
            (c.negative, c.zero, c.positive),
            (Some(neg), Some(zero), Some(3 - neg - zero))
        );
    }
}

#[test]
fn indefinite_quadratic_escape_direction_is_the_bottom_eigenvector() {
    let f = load(
        "quadratic",
        &["eigenvalues=[-0.5, 1.0, 2.0]", "b=[1, 0, 0]"],
    );
    let x = f.known_point("stationary").unwrap().x;
    let opts = ClassifyOptions {
        with_direction: true,
        ..ClassifyOptions::default()
    };
    let c = classify(f.as_ref(), &x, &opts).unwrap();
    let v = c.escape_direction.unwrap();
    // A v = −0.5 v, checked with the HVP (A·v), and ‖v‖ = 1.
    let mut av = vec![0.0; 3];
    f.hvp(&x, &v, &mut av);
    let residual: f64 = av.iter().zip(&v).map(|(a, v)| (a + 0.5 * v).powi(2)).sum();
    assert!(residual.sqrt() < 1e-12, "‖Av + ½v‖ = {}", residual.sqrt());
    assert!((v.iter().map(|a| a * a).sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(c.reason.contains("strict saddle"));
}

#[test]
fn x2_minus_y2_is_a_strict_saddle_escaping_along_e_y() {
    // f = x² − y²: H = diag(2, −2), λmin = −2 with eigenvector ±e_y.
    let f = load("saddle", &[]);
    let opts = ClassifyOptions {
        with_direction: true,
        ..ClassifyOptions::default()
    };
    let c = classify(f.as_ref(), &[0.0, 0.0], &opts).unwrap();
    assert_eq!(c.kind, Verdict::StrictSaddle);
    assert!((c.lambda_min.unwrap() + 2.0).abs() < 1e-14);
    let v = c.escape_direction.unwrap();
    assert!(
        v[0].abs() < 1e-14 && (v[1].abs() - 1.0).abs() < 1e-14,
        "{v:?}"
    );
    // Without the flag the direction is absent from the JSON.
    let plain = verdict_at(f.as_ref(), &[0.0, 0.0]);
    let json = serde_json::to_value(&plain).unwrap();
    assert!(json.get("escape_direction").is_none());
    for field in [
        "kind",
        "value",
        "optimum",
        "grad_norm",
        "lambda_min",
        "lambda_max",
        "negative",
        "zero",
        "positive",
        "symmetry_modes",
        "method",
        "tolerances",
        "reason",
    ] {
        assert!(json.get(field).is_some(), "missing `{field}`");
    }
    assert_eq!(json["tolerances"]["grad"], 1e-6);
    assert_eq!(json["method"], "dense");
}

#[test]
fn away_from_a_stationary_point_the_verdict_is_not_stationary() {
    // f = x² − y² at (1, 0): ∇f = (2, 0).
    let f = load("saddle", &[]);
    let c = verdict_at(f.as_ref(), &[1.0, 0.0]);
    assert_eq!(c.kind, Verdict::NotStationary);
    assert!((c.grad_norm - 2.0).abs() < 1e-15);
    assert!(c.reason.contains("not stationary"));
}

#[test]
fn far_from_every_stationary_point_a_large_f_does_not_make_a_point_stationary() {
    // f = x² − y² at (0, 10⁷): ‖∇f‖ = 2·10⁷ and |f| = 10¹⁴; a tolerance that grows with
    // |f| (10⁻⁶·|f| = 10⁸) called this a strict saddle.
    let f = load("saddle", &[]);
    let c = verdict_at(f.as_ref(), &[0.0, 1e7]);
    assert_eq!(c.kind, Verdict::NotStationary, "{}", c.reason);
    assert!(
        c.tolerances.grad <= 1e-6 * 2.0 * 1e7 * (1.0 + 1e-12),
        "{:?}",
        c.tolerances
    );
    // A constant added to f moves no point closer to stationarity: x² + 10¹² at x = 0.5.
    let shifted = load("expr:x^2 + 1e12", &[]);
    let c = verdict_at(shifted.as_ref(), &[0.5]);
    assert_eq!(c.kind, Verdict::NotStationary, "{}", c.reason);
    // …and a stationary point far out stays stationary: ½·2x² − 2·10⁶x at x = 10⁶.
    let far = load("quadratic", &["eigenvalues=[2.0]", "b=[2e6]"]);
    let c = verdict_at(far.as_ref(), &[1e6]);
    assert_eq!(c.kind, Verdict::GlobalMin, "{}", c.reason);
}

#[test]
fn a_diverged_run_is_not_classified() {
    // GD with η = 1 on x² − y² doubles y every step: finite for ~1000 steps, then ±∞.
    let t = cli_json(&[
        "run",
        "--problem",
        "saddle",
        "--optimizer",
        "gd",
        "--lr",
        "1",
        "--init",
        "[0, 1]",
        "--iters",
        "2000",
        "--classify-final",
        "--json",
    ]);
    assert_eq!(t["termination"], "diverged");
    assert!(t["final"].get("classification").is_none(), "{}", t["final"]);
    // Stopped far out before diverging, the end point is not stationary.
    let t = cli_json(&[
        "run",
        "--problem",
        "saddle",
        "--optimizer",
        "gd",
        "--lr",
        "1",
        "--init",
        "[0, 1]",
        "--iters",
        "100",
        "--classify-final",
        "--json",
    ]);
    assert_eq!(t["final"]["classification"]["kind"], "not_stationary");
}

#[test]
fn monkey_saddle_is_a_non_strict_saddle_of_third_order() {
    // f = x³ − 3xy²: zero Hessian at 0; along (cos θ, sin θ), f = t³ cos 3θ.
    let f = load("monkey_saddle", &[]);
    let c = verdict_at(f.as_ref(), &[0.0, 0.0]);
    assert_eq!(c.kind, Verdict::NonStrictSaddle, "{}", c.reason);
    assert_eq!(
        (c.negative, c.zero, c.positive),
        (Some(0), Some(2), Some(0))
    );
    assert!(c.reason.contains("t^3"), "{}", c.reason);
}

#[test]
fn deep_linear_networks_at_zero() {
    // Kawaguchi 2016: with two weight matrices, f(tV) = f(0) − t²⟨V₂V₁X, Y⟩ + O(t⁴)
    // has a negative second-order term (strict saddle); with three, the first non-zero
    // term is −t³⟨V₃V₂V₁X, Y⟩ (non-strict saddle: zero Hessian).
    let two = load("linear_net", &["widths=[3, 4, 2]"]);
    let c = verdict_at(two.as_ref(), &vec![0.0; two.dim()]);
    assert_eq!(c.kind, Verdict::StrictSaddle, "{}", c.reason);
    let three = load("linear_net", &[]);
    let c = verdict_at(three.as_ref(), &vec![0.0; three.dim()]);
    assert_eq!(c.kind, Verdict::NonStrictSaddle, "{}", c.reason);
    assert_eq!(c.lambda_min, Some(0.0));
    assert!(c.reason.contains("t^3"), "{}", c.reason);
}

#[test]
fn tensor_factorization_at_zero_is_a_non_strict_saddle() {
    // f(tV) = f(0) − t³⟨Σvᵢ^{⊗3}, T⟩ + O(t⁶): cubic descent on one side.
    let f = load("tensor_factorization", &[]);
    let c = verdict_at(f.as_ref(), &vec![0.0; f.dim()]);
    assert_eq!(c.kind, Verdict::NonStrictSaddle, "{}", c.reason);
}

#[test]
fn matrix_factorization_rank_one_spectrum_in_closed_form() {
    // f(u) = ¼‖uuᵀ − M‖²: ∇²f[v] = (uuᵀ − M)v + ‖u‖²v + u(uᵀv). At u = √λⱼ qⱼ the
    // eigenvectors are the qₖ: λⱼ − λₖ for k ≠ j, and 2λⱼ for qⱼ. So λmin = λⱼ − λ₁ for
    // j ≠ 1 (a strict saddle), and at j = 1 the spectrum is positive (global min).
    let m = [4.0, 2.5, 1.0, -0.5];
    let f = load(
        "matrix_factorization",
        &["n=4", "rank=1", "eigenvalues=[4, 2.5, 1, -0.5]"],
    );
    for j in 0..3 {
        let x = f.known_point(&format!("eig:{}", j + 1)).unwrap().x;
        let mut expected: Vec<f64> = (0..4)
            .map(|k| if k == j { 2.0 * m[j] } else { m[j] - m[k] })
            .collect();
        expected.sort_by(f64::total_cmp);
        let opts = SpectrumOptions {
            method: Method::Dense,
            k: 4,
            ..SpectrumOptions::default()
        };
        let s = hessian_spectrum(f.as_ref(), &x, &opts).unwrap();
        for (got, want) in s.eigenvalues.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-12, "eig:{}: {got} vs {want}", j + 1);
        }
        let c = verdict_at(f.as_ref(), &x);
        if j == 0 {
            assert_eq!(c.kind, Verdict::GlobalMin, "{}", c.reason);
        } else {
            assert_eq!(c.kind, Verdict::StrictSaddle, "{}", c.reason);
            assert!((c.lambda_min.unwrap() - (m[j] - m[0])).abs() < 1e-12);
        }
    }
}

/// Small polynomials with a zero Hessian direction at 0, for the higher-order test.
struct Polynomial {
    /// f(x, y) = a·x² + b·x⁴ + c·y⁴.
    a: f64,
    b: f64,
    c: f64,
    optimum: Option<f64>,
}

impl Objective for Polynomial {
    fn kind(&self) -> &'static str {
        "polynomial"
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.a * x[0] * x[0] + self.b * x[0].powi(4) + self.c * x[1].powi(4)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * self.a * x[0] + 4.0 * self.b * x[0].powi(3);
        g[1] = 4.0 * self.c * x[1].powi(3);
    }
    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        out[0] = (2.0 * self.a + 12.0 * self.b * x[0] * x[0]) * v[0];
        out[1] = 12.0 * self.c * x[1] * x[1] * v[1];
    }
    fn optimum(&self) -> Option<f64> {
        self.optimum
    }
    fn layout(&self) -> Layout {
        Layout::single("x", &[2])
    }
}

#[test]
fn quartic_points_get_honest_verdicts() {
    let verdict = |a, b, c, optimum| {
        let f = Polynomial { a, b, c, optimum };
        verdict_at(&f, &[0.0, 0.0])
    };
    // x⁴ + y⁴ with f* = 0 known: attains f*, a global min.
    assert_eq!(verdict(0.0, 1.0, 1.0, Some(0.0)).kind, Verdict::GlobalMin);
    // x⁴ + y⁴ with f* unknown: every probe rises ∝ t⁴, which suggests but does not prove
    // a minimum: degenerate, saying so.
    let c = verdict(0.0, 1.0, 1.0, None);
    assert_eq!(c.kind, Verdict::Degenerate);
    assert!(c.reason.contains("degenerate local min"), "{}", c.reason);
    // −x⁴ − y⁴: descent ∝ −t⁴ everywhere, no ascent: not a minimum, possibly a max.
    let c = verdict(0.0, -1.0, -1.0, None);
    assert_eq!(c.kind, Verdict::Degenerate);
    assert!(c.reason.contains("degenerate local max"), "{}", c.reason);
    // x² − y⁴: λ = 2 > 0 along x and a fourth-order descent along y.
    let c = verdict(1.0, 0.0, -1.0, None);
    assert_eq!(c.kind, Verdict::NonStrictSaddle, "{}", c.reason);
    assert!(c.reason.contains("t^4"), "{}", c.reason);
    // x² + y⁴: positive eigenvalue and a fourth-order rise: degenerate (likely a min).
    let c = verdict(1.0, 0.0, 1.0, None);
    assert_eq!(c.kind, Verdict::Degenerate, "{}", c.reason);
}

#[test]
fn explicit_tolerances_are_used_and_reported() {
    // At (1e-7, 0), f = x² − y² has ‖∇f‖ = 2e-7: stationary for the default grad tol
    // (1e-6), not for 1e-8.
    let f = load("saddle", &[]);
    let x = [1e-7, 0.0];
    assert_eq!(verdict_at(f.as_ref(), &x).kind, Verdict::StrictSaddle);
    let opts = ClassifyOptions {
        grad_tol: Some(1e-8),
        eig_tol: Some(3.0),
        ..ClassifyOptions::default()
    };
    let c = classify(f.as_ref(), &x, &opts).unwrap();
    assert_eq!(c.kind, Verdict::NotStationary);
    assert_eq!((c.tolerances.grad, c.tolerances.eig), (1e-8, 3.0));
    // With eig tol 3 > |λ| = 2 both eigenvalues count as zero modes.
    assert_eq!(c.zero, Some(2));
}

#[test]
fn bad_tolerances_and_points_are_errors_naming_the_field() {
    let f = load("saddle", &[]);
    for (grad_tol, eig_tol, field) in [
        (Some(0.0), None, "grad_tol"),
        (Some(-1.0), None, "grad_tol"),
        (None, Some(f64::NAN), "eig_tol"),
        (None, Some(f64::INFINITY), "eig_tol"),
    ] {
        let opts = ClassifyOptions {
            grad_tol,
            eig_tol,
            ..ClassifyOptions::default()
        };
        let err = classify(f.as_ref(), &[0.0, 0.0], &opts).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    }
    let err = classify(f.as_ref(), &[0.0; 3], &ClassifyOptions::default()).unwrap_err();
    assert!(err.to_string().contains("length 3, expected 2"), "{err}");
}

#[test]
fn cli_classify_bad_input_exits_2_with_one_line() {
    let base = ["classify", "--problem", "saddle", "--point", "zeros"];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    assert_bad_input(&with(&["--grad-tol", "0"]), &["grad_tol"]);
    assert_bad_input(&with(&["--grad-tol", "-1e-3"]), &["grad_tol"]);
    assert_bad_input(&with(&["--eig-tol", "nan"]), &["eig_tol"]);
    assert_bad_input(
        &["classify", "--problem", "saddle", "--point", "[1, 2, 3]"],
        &["expected 2"],
    );
}

#[test]
fn cli_classify_prints_the_verdict_and_json() {
    let json = cli_json(&[
        "classify",
        "--problem",
        "himmelblau",
        "--point",
        "name:saddle:1",
        "--with-direction",
        "--json",
    ]);
    assert_eq!(json["kind"], "strict_saddle");
    assert_eq!(json["escape_direction"].as_array().unwrap().len(), 2);
    assert_eq!(json["optimum"], 0.0);
    let text = landscape(&["classify", "--problem", "monkey_saddle", "--point", "zeros"]);
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in ["non_strict_saddle", "tolerances", "reason", "inertia"] {
        assert!(text.contains(needle), "`{needle}` not in {text}");
    }
}

#[test]
fn a_quadratic_whose_eigen_solve_fails_is_an_error_not_a_verdict() {
    // A's eigenvalues (2·10³⁰⁸ and 0) overflow: no spectrum, so no known point, verdict
    // or f* (an empty eigenvalue list used to pass "all positive": a global min).
    let mut spec = problems::ProblemSpec::new("quadratic");
    let row = toml::Value::Array(vec![toml::Value::Float(1e308); 2]);
    spec.set_value("a", toml::Value::Array(vec![row.clone(), row]));
    match problems::build(&spec) {
        Err(landscape::Error::Numerical { what, .. }) => {
            assert!(what.contains("eigensolver"), "{what}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(f) => panic!(
            "a problem without a spectrum: known points {:?}, f* {:?}",
            f.known_points(),
            f.optimum()
        ),
    }
}
