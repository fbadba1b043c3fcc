//! `landscape bounds` and the plots `descent`, `convergence`, `rate`: the descent lemma,
//! the convergence bound and the linear rate of GD against closed forms.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json, landscape};
use landscape::experiments::bounds::{bounds, BoundsOptions, DEFAULT_TOLERANCE};
use landscape::experiments::rate::{rate, RateOptions};
use landscape::problems::quadratic::Quadratic;
use nalgebra::DMatrix;
use serde_json::Value;

/// A positive definite quadratic with f* ≠ 0 (b ≠ 0).
const PD: [&str; 4] = ["--set", "eigenvalues=[4, 1, 0.25]", "--set", "b=[1, 2, 3]"];

fn bounds_json(extra: &[&str]) -> Value {
    let mut args = vec!["bounds", "--json"];
    args.extend_from_slice(extra);
    cli_json(&args)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

/// The contract fields, and no violation with min ratio ≥ 1 − 1e-9 (a theorem on
/// quadratics with β ≥ ‖A‖₂).
fn assert_no_violation(report: &Value, iters: usize) {
    for field in [
        "beta",
        "beta_is_estimate",
        "min_ratio",
        "violations",
        "steps",
    ] {
        assert!(report.get(field).is_some(), "no `{field}` in {report}");
    }
    assert_eq!(report["beta_is_estimate"], false);
    assert_eq!(report["steps"].as_u64().unwrap() as usize, iters);
    assert_eq!(
        report["violations"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    let min_ratio = report["min_ratio"].as_f64().unwrap();
    assert!(min_ratio >= 1.0 - 1e-9, "min ratio {min_ratio}");
    let steps = report["per_step"].as_array().unwrap();
    assert_eq!(steps.len(), iters);
    for (t, s) in steps.iter().enumerate() {
        assert_eq!(s["step"].as_u64().unwrap() as usize, t);
        assert!(s["ratio"].is_f64(), "step {t} has no ratio: {s}");
    }
}

#[test]
fn quadratics_pd_and_indefinite_have_no_violation() {
    let saddle = bounds_json(&["--problem", "quadratic", "--iters", "40"]);
    assert_no_violation(&saddle, 40);
    // The shipped quadratic is indefinite (eigenvalues 2, 1, −0.5): β = ‖A‖₂ = 2.
    assert!(close(saddle["beta"].as_f64().unwrap(), 2.0, 1e-12));
    assert_eq!(saddle["f_star_known"], false);

    let mut args = vec!["--problem", "quadratic", "--iters", "60"];
    args.extend_from_slice(&PD);
    let pd = bounds_json(&args);
    assert_no_violation(&pd, 60);
    assert!(close(pd["beta"].as_f64().unwrap(), 4.0, 1e-12));
    assert_eq!(pd["f_star_known"], true);
}

#[test]
fn beta_is_the_spectral_norm_even_when_lambda_min_dominates() {
    // Eigenvalues 1 and −3: λmax = 1 but the smoothness constant is ‖A‖₂ = 3.
    let report = bounds_json(&[
        "--problem",
        "quadratic",
        "--set",
        "eigenvalues=[1, -3]",
        "--set",
        "b=[0.5, 0]",
        "--iters",
        "20",
    ]);
    assert!(close(report["beta"].as_f64().unwrap(), 3.0, 1e-12));
    assert!(close(report["eta"].as_f64().unwrap(), 1.0 / 3.0, 1e-12));
    assert_eq!(report["beta_source"], "quadratic");
    assert_no_violation(&report, 20);
}

#[test]
fn per_step_ratio_matches_the_closed_form_on_a_diagonal_quadratic() {
    // f = ½(4x² + y²), β = 4: xₜ₊₁ = (I − A/4)xₜ coordinatewise, and with g = Ax the
    // decrease is Σ ½λᵢxᵢ²(1 − (1 − λᵢ/β)²), the bound Σ λᵢ²xᵢ²/(2β).
    let lambda = [4.0, 1.0];
    let f = Quadratic::new(
        DMatrix::from_diagonal(&nalgebra::dvector![4.0, 1.0]),
        vec![0.0; 2],
    )
    .unwrap();
    let opts = BoundsOptions {
        iters: 25,
        ..BoundsOptions::default()
    };
    let report = bounds(&f, &[1.0, 2.0], &opts).unwrap();
    assert_eq!(report.beta, 4.0);
    let beta = 4.0;
    let mut x = [1.0_f64, 2.0];
    for s in &report.per_step {
        let decrease: f64 = (0..2)
            .map(|i| 0.5 * lambda[i] * x[i] * x[i] * (1.0 - (1.0 - lambda[i] / beta).powi(2)))
            .sum();
        let bound: f64 = (0..2)
            .map(|i| lambda[i] * lambda[i] * x[i] * x[i] / (2.0 * beta))
            .sum();
        assert!(
            close(s.bound, bound, 1e-13),
            "step {}: {} vs {bound}",
            s.step,
            s.bound
        );
        assert!(
            close(s.ratio, decrease / bound, 1e-10),
            "step {}: {} vs {}",
            s.step,
            s.ratio,
            decrease / bound
        );
        for i in 0..2 {
            x[i] *= 1.0 - lambda[i] / beta;
        }
    }
    // After the first step only the λ = 1 coordinate is left: ratio = 2 − 1/4 exactly.
    assert!(close(report.per_step[3].ratio, 1.75, 1e-10));
    assert!(report.violations.is_empty());
}

#[test]
fn a_too_small_beta_violates_and_the_json_lists_the_steps() {
    // β = λmax/4 = 1: along the top eigenvector the ratio is 2 − λ/β = −2.
    let mut args = vec!["--problem", "quadratic", "--iters", "15", "--beta", "1"];
    args.extend_from_slice(&PD);
    let report = bounds_json(&args);
    assert_eq!(report["beta_source"], "given");
    assert_eq!(report["beta_is_estimate"], false);
    let violations: Vec<u64> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(!violations.is_empty());
    let expected: Vec<u64> = report["per_step"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            let r = s["ratio"].as_f64().unwrap();
            r < 1.0 - DEFAULT_TOLERANCE - s["rounding"].as_f64().unwrap()
        })
        .map(|s| s["step"].as_u64().unwrap())
        .collect();
    assert_eq!(violations, expected);
    assert!(report["min_ratio"].as_f64().unwrap() < 0.0);
}

/// ‖∇²f‖₂ of Rosenbrock at (x, y), from its closed-form Hessian.
fn rosenbrock_hessian_norm(x: f64, y: f64) -> f64 {
    let (a, b, c) = (2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x, 200.0);
    let mean = 0.5 * (a + c);
    let radius = (0.25 * (a - c) * (a - c) + b * b).sqrt();
    (mean + radius).abs().max((mean - radius).abs())
}

#[test]
fn the_estimate_on_rosenbrock_is_flagged_and_covers_the_start() {
    let report = bounds_json(&[
        "--problem",
        "rosenbrock",
        "--init",
        "[-1.2, 1]",
        "--iters",
        "200",
    ]);
    assert_eq!(report["beta_is_estimate"], true);
    assert_eq!(report["beta_source"], "estimated");
    let beta = report["beta"].as_f64().unwrap();
    let at_start = rosenbrock_hessian_norm(-1.2, 1.0);
    assert!(beta >= at_start * (1.0 - 1e-12), "β {beta} < {at_start}");
    let estimate = &report["beta_estimate"];
    assert!(close(
        estimate["at_start"].as_f64().unwrap(),
        at_start,
        1e-10
    ));
    let rounds = estimate["rounds"].as_array().unwrap();
    assert!(!rounds.is_empty());
    assert!(close(
        rounds.last().unwrap()["beta"].as_f64().unwrap(),
        beta,
        0.0
    ));
}

#[test]
fn the_convergence_bound_holds_at_every_step_when_f_star_is_known() {
    for args in [
        vec![
            "--problem",
            "rosenbrock",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "300",
        ],
        [vec!["--problem", "quadratic", "--iters", "80"], PD.to_vec()].concat(),
    ] {
        let report = bounds_json(&args);
        assert_eq!(report["f_star_known"], true);
        let beta = report["beta"].as_f64().unwrap();
        let f_star = report["f_star"].as_f64().unwrap();
        let steps = report["per_step"].as_array().unwrap();
        let f0 = steps[0]["value"].as_f64().unwrap();
        let c = &report["convergence"];
        let (min_grad, bound) = (floats(&c["min_grad_norm"]), floats(&c["bound"]));
        assert_eq!(min_grad.len(), steps.len());
        let mut running = f64::INFINITY;
        for (t, s) in steps.iter().enumerate() {
            running = running.min(s["grad_norm"].as_f64().unwrap());
            let expected = (2.0 * beta * (f0 - f_star) / (t + 1) as f64).sqrt();
            assert!(close(bound[t], expected, 1e-12));
            assert_eq!(min_grad[t], running);
            assert!(running <= expected, "t = {t}: {running} > {expected}");
        }
        assert!(c["exceeded"].as_array().unwrap().is_empty());
        let eps = c["epsilon"].as_f64().unwrap();
        let t_eps = (2.0 * beta * (f0 - f_star) / (eps * eps)).ceil();
        assert_eq!(c["t_epsilon"].as_f64().unwrap(), t_eps);
    }
}

#[test]
fn the_rate_is_bounded_on_a_pd_quadratic_and_exact_on_an_eigenvector() {
    let (_, f) = landscape::problems::load(
        "quadratic",
        &["eigenvalues = [4, 1, 0.25]".into(), "b = [1, 2, 3]".into()],
    )
    .unwrap();
    let report = rate(f.as_ref(), &[3.0, -1.0, 2.0], &RateOptions::default()).unwrap();
    // η = 1/λmax: q = 1 − λmin/λmax.
    assert!(close(report.factor, 1.0 - 0.25 / 4.0, 1e-12));
    for s in &report.per_step {
        assert!(s.distance <= s.predicted * (1.0 + 1e-9) + 1e-13, "{s:?}");
    }
    // η = 0.49 > 2/(λmin + λmax): the λmax end sets the factor, ηλmax − 1.
    let fast = RateOptions {
        lr: Some(0.49),
        ..RateOptions::default()
    };
    let report = rate(f.as_ref(), &[3.0, -1.0, 2.0], &fast).unwrap();
    assert!(close(report.factor, 0.49 * 4.0 - 1.0, 1e-12));
    assert!(report.max_observed_over_predicted <= 1.0 + 1e-9);

    // diag(4, 1), b = 0, from the λmin eigenvector: ‖xₜ‖ = (1 − 1/4)ᵗ exactly.
    let g = Quadratic::new(
        DMatrix::from_diagonal(&nalgebra::dvector![4.0, 1.0]),
        vec![0.0; 2],
    )
    .unwrap();
    let opts = RateOptions {
        iters: 40,
        ..RateOptions::default()
    };
    let report = rate(&g, &[0.0, 1.0], &opts).unwrap();
    for s in &report.per_step {
        let exact = 0.75_f64.powi(s.step as i32);
        assert!(close(s.distance, exact, 1e-13), "{s:?}");
        assert!(close(s.predicted, exact, 1e-13), "{s:?}");
    }
}

#[test]
fn descent_convergence_and_rate_render_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let kinds: [(&str, Vec<&str>); 3] = [
        (
            "descent",
            vec!["--problem", "rosenbrock", "--init", "[-1.2, 1]"],
        ),
        (
            "convergence",
            vec![
                "--problem",
                "rosenbrock",
                "--init",
                "[-1.2, 1]",
                "--epsilon",
                "0.5",
            ],
        ),
        (
            "rate",
            [vec!["--problem", "quadratic", "--lr", "0.2"], PD.to_vec()].concat(),
        ),
    ];
    for (kind, args) in kinds {
        for ext in ["png", "svg"] {
            let path = dir.path().join(format!("{kind}.{ext}"));
            let mut all = vec![
                "plot", kind, "--iters", "60", "--width", "500", "--height", "360",
            ];
            all.extend_from_slice(&args);
            all.extend_from_slice(&["--out", path.to_str().unwrap()]);
            let out = landscape(&all);
            assert!(
                out.status.success(),
                "{kind}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if ext == "png" {
                assert_png_picture(&path, (500, 360));
            } else {
                assert_svg_picture(&path, (500, 360));
            }
        }
    }
}

#[test]
fn bad_input_is_refused_with_exit_2_and_no_file() {
    for beta in ["0", "-1", "NaN"] {
        assert_bad_input(
            &["bounds", "--problem", "quadratic", "--beta", beta],
            &["beta", "finite positive"],
        );
    }
    assert_bad_input(
        &["bounds", "--problem", "quadratic", "--iters", "0"],
        &["iters", "at least 1"],
    );
    assert_bad_input(
        &["bounds", "--problem", "quadratic", "--epsilon", "0"],
        &["epsilon"],
    );
    let dir = tempfile::tempdir().unwrap();
    let picture = dir.path().join("rate.png");
    let out = picture.to_str().unwrap();
    // The shipped quadratic is indefinite.
    assert_bad_input(
        &["plot", "rate", "--problem", "quadratic", "--out", out],
        &["positive definite quadratic"],
    );
    assert_bad_input(
        &["plot", "rate", "--problem", "rosenbrock", "--out", out],
        &["positive definite quadratic", "rosenbrock"],
    );
    assert_bad_input(
        &[
            "plot",
            "descent",
            "--problem",
            "quadratic",
            "--beta",
            "-2",
            "--out",
            out,
        ],
        &["beta"],
    );
    assert!(!picture.exists());
    let gif = dir.path().join("descent.gif");
    assert_bad_input(
        &[
            "plot",
            "descent",
            "--problem",
            "quadratic",
            "--out",
            gif.to_str().unwrap(),
        ],
        &["out", ".png or .svg"],
    );
    let missing = dir.path().join("no/such/dir/convergence.svg");
    assert_bad_input(
        &[
            "plot",
            "convergence",
            "--problem",
            "quadratic",
            "--out",
            missing.to_str().unwrap(),
        ],
        &["out"],
    );
    assert!(!gif.exists() && !missing.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_stationary_start_stops_at_once_and_a_runaway_step_is_diverged() {
    // x² − y² at its saddle: ∇f = 0 exactly, the bound is 0 and the ratio undefined.
    let (_, f) = landscape::problems::load("saddle", &[]).unwrap();
    let report = bounds(f.as_ref(), &[0.0, 0.0], &BoundsOptions::default()).unwrap();
    assert_eq!(report.termination.as_str(), "stationary");
    assert_eq!(report.steps, 0);
    assert_eq!(report.min_ratio, None);
    assert!(report.violations.is_empty());
    // β = 0.01 on ‖A‖₂ = 4: the iterate grows by |1 − 4/0.01| = 399 per step and
    // overflows long before 2000 steps; every recorded step violates.
    let mut args = vec![
        "--problem",
        "quadratic",
        "--iters",
        "2000",
        "--beta",
        "0.01",
    ];
    args.extend_from_slice(&PD);
    let report = bounds_json(&args);
    assert_eq!(report["termination"], "diverged");
    let steps = report["steps"].as_u64().unwrap();
    assert!(steps > 10 && steps < 2000, "{steps}");
    assert_eq!(report["violations"].as_array().unwrap().len() as u64, steps);
}
