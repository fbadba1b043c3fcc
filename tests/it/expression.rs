//! The `expression` kind: formulas against finite differences, against the built-in
//! kinds they spell out, every command on an `expr:` problem, and one-line errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, check_derivatives_at, cli_json};
use landscape::classify::{classify, ClassifyOptions};
use landscape::problems;
use landscape::spectrum::{hessian_spectrum, SpectrumOptions};
use landscape::{Objective, Verdict};

fn formula(f: &str, overrides: &[&str]) -> Box<dyn Objective> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    problems::load(&format!("expr:{f}"), &overrides).unwrap().1
}

#[test]
fn gradients_and_hvps_of_formulas_match_finite_differences() {
    let formulas = [
        "exp(x*y) + log(1 + x^2) - sin(y)*cos(x)",
        "tanh(2*x - y)^2 + sqrt(1 + x^2 + y^2)",
        "abs(x - 3)*y^3 - x^-2 + 2^y",
        "-x^4/4 + atan(x*y) + sinh(y)/cosh(x) + tan(0.3*x)",
        "x_0^2*x_1 - x_2*exp(x_0) + pi*x_1^3",
    ];
    for f in formulas {
        let f = formula(f, &[]);
        for seed in 0..3 {
            check_derivatives_at(f.as_ref(), seed, 0.8, 1e-6);
        }
    }
}

#[test]
fn x2_minus_y2_is_the_built_in_saddle() {
    let expr = formula("x^2 - y^2", &[]);
    let (_, saddle) = problems::load("saddle", &[]).unwrap();
    let x = [0.7, -1.3];
    let v = [0.2, 0.9];
    assert_eq!(expr.value(&x), saddle.value(&x));
    let (mut g1, mut g2, mut h1, mut h2) = ([0.0; 2], [0.0; 2], [0.0; 2], [0.0; 2]);
    expr.gradient(&x, &mut g1);
    saddle.gradient(&x, &mut g2);
    expr.hvp(&x, &v, &mut h1);
    saddle.hvp(&x, &v, &mut h2);
    assert_eq!((g1, h1), (g2, h2));
    let opts = ClassifyOptions::default();
    for p in [[0.0, 0.0], [0.5, 0.0]] {
        let a = classify(expr.as_ref(), &p, &opts).unwrap();
        let b = classify(saddle.as_ref(), &p, &opts).unwrap();
        assert_eq!(a.kind, b.kind);
    }
    assert_eq!(
        classify(expr.as_ref(), &[0.0, 0.0], &opts).unwrap().kind,
        Verdict::StrictSaddle
    );
}

#[test]
fn himmelblau_and_rosenbrock_as_formulas_agree_with_the_built_ins() {
    let cases = [
        (
            "himmelblau",
            "(x^2 + y - a)^2 + (x + y^2 - b)^2",
            "params={a=11, b=7}",
        ),
        (
            "rosenbrock",
            "(a - x)^2 + b*(y - x^2)^2",
            "params={a=1, b=100}",
        ),
    ];
    let opts = ClassifyOptions::default();
    for (kind, f, params) in cases {
        let (_, built_in) = problems::load(kind, &[]).unwrap();
        let expr = formula(f, &[params, "optimum=0"]);
        for p in built_in.known_points() {
            let a = classify(expr.as_ref(), &p.x, &opts).unwrap();
            let b = classify(built_in.as_ref(), &p.x, &opts).unwrap();
            assert_eq!(a.kind, p.kind, "{kind} {}", p.name);
            assert_eq!(a.kind, b.kind, "{kind} {}", p.name);
            let sa = hessian_spectrum(expr.as_ref(), &p.x, &SpectrumOptions::default()).unwrap();
            let sb =
                hessian_spectrum(built_in.as_ref(), &p.x, &SpectrumOptions::default()).unwrap();
            for (la, lb) in sa.eigenvalues.iter().zip(&sb.eigenvalues) {
                assert!(
                    (la - lb).abs() <= 1e-12 * (1.0 + lb.abs()),
                    "{kind} {}: λ {la} vs {lb}",
                    p.name
                );
            }
        }
    }
}

#[test]
fn vector_variables_params_and_known_points_from_a_spec() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bowl.toml");
    std::fs::write(
        &path,
        r#"kind = "expression"
f = "c*(x_0^2 + x_1^2 + x_2^2) - y^2"
vars = ["x[3]", "y"]
params = { c = 0.5 }

[[known_points]]
name = "origin"
x = [0, 0, 0, 0]
kind = "strict_saddle"
"#,
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let info = cli_json(&[
        "eval",
        "--problem",
        path,
        "--point",
        "[1, 2, 3, 4]",
        "--json",
    ]);
    assert_eq!(info["value"].as_f64().unwrap(), 0.5 * 14.0 - 16.0);
    let c = cli_json(&[
        "classify",
        "--problem",
        path,
        "--point",
        "name:origin",
        "--json",
    ]);
    assert_eq!(c["kind"], "strict_saddle");
    // The variables' order follows `vars`; --set reorders them.
    let swapped = formula("x - 2*y", &["vars=[\"y\", \"x\"]"]);
    assert_eq!(swapped.value(&[1.0, 0.0]), -2.0);
    assert_eq!(swapped.layout().describe(), "y[1] x[1]");
    // Without `vars`, names sort with digit runs as numbers.
    let natural = formula("x_10 + 2*x_2", &[]);
    assert_eq!(natural.value(&[1.0, 0.0]), 2.0);
}

#[test]
fn unary_minus_and_power_chains_read_as_in_mathematics() {
    assert_eq!(formula("-x^2", &[]).value(&[3.0]), -9.0);
    assert_eq!(formula("2^x^2", &[]).value(&[3.0]), 512.0);
    assert_eq!(formula("x - -x^2", &[]).value(&[3.0]), 12.0);
    assert_eq!(formula("1e-1*x + .5", &[]).value(&[10.0]), 1.5);
}

#[test]
fn abs_has_derivative_zero_at_its_kink() {
    let f = formula("abs(x) + y^2", &[]);
    let (mut g, mut hv) = ([1.0; 2], [1.0; 2]);
    f.gradient(&[0.0, 1.0], &mut g);
    f.hvp(&[0.0, 1.0], &[1.0, 1.0], &mut hv);
    assert_eq!((g, hv), ([0.0, 2.0], [0.0, 2.0]));
}

#[test]
fn every_command_runs_on_a_formula() {
    let p = "expr:(x^2 - 1)^2 + y^2";
    let c = cli_json(&["classify", "--problem", p, "--point", "[1, 0]", "--json"]);
    assert_eq!(c["kind"], "local_min");
    let s = cli_json(&["spectrum", "--problem", p, "--point", "[0, 0]", "--json"]);
    let eigenvalues: Vec<f64> = s["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // ∇²f(0) = diag(−4, 2).
    assert!((eigenvalues[0] + 4.0).abs() < 1e-12 && (eigenvalues[1] - 2.0).abs() < 1e-12);
    let census = cli_json(&["census", "--problem", p, "--starts", "12", "--json"]);
    assert!(!census["points"].as_array().unwrap().is_empty());
    let run = cli_json(&[
        "run",
        "--problem",
        p,
        "--optimizer",
        "gd",
        "--init",
        "[0.5, 0.5]",
        "--iters",
        "50",
        "--json",
    ]);
    assert!(run.is_object());
    let escape = cli_json(&[
        "escape",
        "--problem",
        p,
        "--from",
        "[0, 0]",
        "--method",
        "pgd",
        "--trials",
        "2",
        "--json",
    ]);
    assert_eq!(escape["trials"], 2);
    let bounds = cli_json(&["bounds", "--problem", p, "--iters", "20", "--json"]);
    assert!(bounds.is_object());
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("slice.png");
    let out = common::landscape(&[
        "plot",
        "slice",
        "--problem",
        p,
        "--out",
        png.to_str().unwrap(),
        "--width",
        "320",
        "--height",
        "240",
        "--resolution",
        "40",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_png_picture(&png, (320, 240));
}

#[test]
fn bad_formulas_and_fields_are_one_line_errors() {
    let classify = |problem: &str, extra: &[&str], needles: &[&str]| {
        let mut args = vec!["classify", "--problem", problem, "--point", "zeros"];
        args.extend(extra);
        assert_bad_input(&args, needles);
    };
    classify(
        "expr:(x^2 - 1",
        &[],
        &["formula `(x^2 - 1`", "column 1", "never closed"],
    );
    classify("expr:x^2 - 1)", &[], &["column 8", "no matching `(`"]);
    classify(
        "expr:foo(x) + y",
        &[],
        &["column 1", "unknown function `foo`"],
    );
    classify("expr:2x", &[], &["column 2", "missing operator"]);
    classify(
        "expr:x + z",
        &["--set", "vars=[\"x\"]"],
        &["column 5", "`z`"],
    );
    classify(
        "expr:x + y",
        &["--set", "vars=[\"x\", \"x\"]"],
        &["vars", "twice"],
    );
    classify(
        "expr:a*x",
        &["--set", "params={a=nan}"],
        &["params.a", "finite"],
    );
    classify(
        "expr:x^2",
        &[
            "--set",
            "known_points=[{name=\"m\", x=[0, 1], kind=\"global_min\"}]",
        ],
        &["known_points", "length 1", "`m` of length 2"],
    );
    classify(
        "expr:x^2",
        &[
            "--set",
            "known_points=[{name=\"m\", x=[1], kind=\"global_min\"}]",
        ],
        &["known_points", "stationary", "`m`"],
    );
    classify("expr:", &[], &["formula", "empty"]);
}
