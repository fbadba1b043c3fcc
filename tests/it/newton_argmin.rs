//! Newton's method (pure, damped, saddle-free) and argmin's solvers through the shared run
//! loop, against closed forms and formulas written out here.

use crate::common;

use common::landscape;

use argmin::core::{CostFunction, Gradient, Hessian};
use landscape::argmin_interop::ArgminObjective;
use landscape::finite_difference::{hvp_fd, relative_error};
use landscape::optim::{self, Hyperparameters, RunOptions, Termination, Trajectory};
use landscape::problems::{self, quadratic::Quadratic, rosenbrock::Rosenbrock};
use landscape::{Layout, Objective, Verdict};
use nalgebra::{DMatrix, DVector};

/// Runs `name` with `hp` from `x0`, recording every iterate.
fn run(
    f: &dyn Objective,
    name: &str,
    hp: &Hyperparameters,
    x0: &[f64],
    iters: usize,
) -> Trajectory {
    let mut optimizer = optim::build(name, hp).unwrap();
    let options = RunOptions {
        max_iters: iters,
        record_iterates: true,
        ..Default::default()
    };
    optim::run(f, optimizer.as_mut(), x0, &options).unwrap()
}

fn iterate(t: &Trajectory, i: usize) -> Vec<f64> {
    t.records[i].x.clone().expect("record_iterates")
}

fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    let err = relative_error(a, b);
    assert!(
        err <= tol,
        "{what}: {a:?} vs {b:?} (relative error {err:e})"
    );
}

fn lr(value: f64) -> Hyperparameters {
    Hyperparameters::new().with("lr", value)
}

/// f(x, y) = x⁴/4 + y²/2: ∇f = (x³, y), H = diag(3x², 1), so a Newton step with step
/// size η maps (x, y) to ((1 − η/3)x, (1 − η)y).
struct QuarticBowl;

impl Objective for QuarticBowl {
    fn kind(&self) -> &'static str {
        "quartic_bowl"
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        x[0].powi(4) / 4.0 + x[1] * x[1] / 2.0
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        grad[0] = x[0].powi(3);
        grad[1] = x[1];
    }
    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        out[0] = 3.0 * x[0] * x[0] * v[0];
        out[1] = v[1];
    }
    fn layout(&self) -> Layout {
        Layout::single("x", &[2])
    }
}

#[test]
fn pure_newton_solves_an_indefinite_quadratic_in_one_step() {
    // A = [[2, 1, 0], [1, −1, 0], [0, 0, 4]] (eigenvalues of both signs), b = (1, 1, 2):
    // A⁻¹ = [[1/3, 1/3, 0], [1/3, −2/3, 0], [0, 0, 1/4]], so A⁻¹b = (2/3, −1/3, 1/2).
    let a = DMatrix::from_row_slice(3, 3, &[2.0, 1.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.0, 4.0]);
    let f = Quadratic::new(a, vec![1.0, 1.0, 2.0]).unwrap();
    let t = run(
        &f,
        "newton",
        &Hyperparameters::default(),
        &[0.3, -0.7, 1.1],
        10,
    );
    assert_close(&iterate(&t, 1), &[2.0 / 3.0, -1.0 / 3.0, 0.5], 1e-15, "x₁");
    assert_eq!(t.termination, Termination::Converged);
    assert_eq!(t.final_state.iter, 1);
}

#[test]
fn first_two_newton_steps_on_a_quartic_bowl() {
    let x0 = [0.9, -0.6];
    for eta in [1.0, 0.5] {
        let t = run(&QuarticBowl, "newton", &lr(eta), &x0, 2);
        // (x, y) ↦ ((1 − η/3)x, (1 − η)y), twice.
        let (cx, cy) = (1.0 - eta / 3.0, 1.0 - eta);
        assert_close(&iterate(&t, 1), &[cx * x0[0], cy * x0[1]], 1e-15, "x₁");
        assert_close(
            &iterate(&t, 2),
            &[cx * cx * x0[0], cy * cy * x0[1]],
            1e-15,
            "x₂",
        );
    }
}

/// One Newton step on Rosenbrock (a = 1, b = 100), written out: ∇f = (−2(1 − x) −
/// 400x(y − x²), 200(y − x²)), H = [[2 − 400y + 1200x², −400x], [−400x, 200]], and the
/// 2 × 2 inverse [[p, q], [q, r]]⁻¹ = [[r, −q], [−q, p]] / (pr − q²).
fn rosenbrock_newton_step(x: [f64; 2], eta: f64) -> [f64; 2] {
    let (u, v) = (x[0], x[1]);
    let g = [
        -2.0 * (1.0 - u) - 400.0 * u * (v - u * u),
        200.0 * (v - u * u),
    ];
    let (p, q, r) = (2.0 - 400.0 * v + 1200.0 * u * u, -400.0 * u, 200.0);
    let det = p * r - q * q;
    let s = [(r * g[0] - q * g[1]) / det, (-q * g[0] + p * g[1]) / det];
    [u - eta * s[0], v - eta * s[1]]
}

/// One saddle-free Newton step on Rosenbrock: H's eigenvalues λ± = m ± √(((p − r)/2)² +
/// q²), m = (p + r)/2, eigenvectors (q, λ − p) normalised, and
/// x ← x − η Σ (qᵢᵀg) qᵢ / max(|λᵢ|, δ).
fn rosenbrock_saddle_free_step(x: [f64; 2], eta: f64, delta: f64) -> [f64; 2] {
    let (u, v) = (x[0], x[1]);
    let g = [
        -2.0 * (1.0 - u) - 400.0 * u * (v - u * u),
        200.0 * (v - u * u),
    ];
    let (p, q, r) = (2.0 - 400.0 * v + 1200.0 * u * u, -400.0 * u, 200.0);
    let (m, h) = ((p + r) / 2.0, (((p - r) / 2.0).powi(2) + q * q).sqrt());
    let mut s = [0.0, 0.0];
    for lambda in [m + h, m - h] {
        let e = [q, lambda - p];
        let n = (e[0] * e[0] + e[1] * e[1]).sqrt();
        let e = [e[0] / n, e[1] / n];
        let c = (e[0] * g[0] + e[1] * g[1]) / lambda.abs().max(delta);
        s = [s[0] + c * e[0], s[1] + c * e[1]];
    }
    [u - eta * s[0], v - eta * s[1]]
}

#[test]
fn first_two_newton_steps_on_rosenbrock() {
    let x0 = [-1.2, 1.0];
    for eta in [1.0, 0.5] {
        let t = run(&Rosenbrock::new(), "newton", &lr(eta), &x0, 2);
        let x1 = rosenbrock_newton_step(x0, eta);
        let x2 = rosenbrock_newton_step(x1, eta);
        assert_close(&iterate(&t, 1), &x1, 1e-13, "newton x₁");
        assert_close(&iterate(&t, 2), &x2, 1e-13, "newton x₂");
    }
}

#[test]
fn first_two_saddle_free_steps_on_rosenbrock() {
    // From (0, 1) H = [[−398, 0], [0, 200]] is indefinite, and it stays so at x₁.
    let x0 = [0.1, 1.0];
    let hp = Hyperparameters::new().with("lr", 0.5).with("damping", 1e-3);
    let t = run(&Rosenbrock::new(), "saddle_free_newton", &hp, &x0, 2);
    let x1 = rosenbrock_saddle_free_step(x0, 0.5, 1e-3);
    let x2 = rosenbrock_saddle_free_step(x1, 0.5, 1e-3);
    assert_close(&iterate(&t, 1), &x1, 1e-13, "saddle-free x₁");
    assert_close(&iterate(&t, 2), &x2, 1e-13, "saddle-free x₂");
}

#[test]
fn pure_newton_is_attracted_to_the_saddle_and_saddle_free_newton_escapes() {
    // f = x² − y², H = diag(2, −2), ∇f = (2x, −2y): Newton maps (x, y) to (0, 0) in one
    // step; saddle-free Newton (|H| = diag(2, 2)) maps it to ((1 − η)x, (1 + η)y).
    let (_, f) = problems::load("saddle", &[]).unwrap();
    let x0 = [0.1, 0.05];
    let t = run(f.as_ref(), "newton", &Hyperparameters::default(), &x0, 10);
    assert_eq!(iterate(&t, 1), vec![0.0, 0.0]);
    assert_eq!(t.termination, Termination::Converged);

    let t = run(f.as_ref(), "saddle_free_newton", &lr(0.5), &x0, 3);
    assert_close(&iterate(&t, 1), &[0.05, 0.075], 1e-15, "saddle-free x₁");
    assert_close(&iterate(&t, 2), &[0.025, 0.1125], 1e-15, "saddle-free x₂");
    let values: Vec<f64> = t.records.iter().map(|r| r.value).collect();
    assert!(
        values.windows(2).all(|w| w[1] < w[0]),
        "f decreases: {values:?}"
    );
}

#[test]
fn on_six_hump_camel_newton_stays_at_a_saddle_and_saddle_free_newton_finds_a_minimum() {
    let (_, f) = problems::load("six_hump_camel", &[]).unwrap();
    let minima: Vec<_> = f
        .known_points()
        .into_iter()
        .filter(|p| matches!(p.kind, Verdict::GlobalMin | Verdict::SpuriousLocalMin))
        .collect();
    for name in ["saddle:1", "saddle:2", "saddle:5"] {
        let saddle = f.known_point(name).unwrap().x;
        let x0 = [saddle[0] + 1e-3, saddle[1] - 2e-3];

        let t = run(f.as_ref(), "newton", &Hyperparameters::default(), &x0, 50);
        assert_eq!(t.termination, Termination::Converged, "{name}");
        assert_close(&t.final_state.x, &saddle, 1e-8, "newton ends at the saddle");

        let t = run(
            f.as_ref(),
            "saddle_free_newton",
            &Hyperparameters::default(),
            &x0,
            200,
        );
        assert_eq!(t.termination, Termination::Converged, "{name}");
        let end = &t.final_state.x;
        let minimum = minima
            .iter()
            .find(|m| relative_error(&m.x, end) < 1e-8)
            .unwrap_or_else(|| {
                panic!("{name}: saddle-free Newton ended at {end:?}, not a minimum")
            });
        assert!(
            f.value(&minimum.x) < f.value(&saddle),
            "{name}: f decreased"
        );
    }
}

#[test]
fn a_singular_hessian_ends_the_run_with_a_reason() {
    // A = [[1, 1], [1, 1]] is singular and b = (1, 0) is not in its range: ∇f never
    // vanishes, so pure Newton must stop on its own.
    let a = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
    let f = Quadratic::new(a, vec![1.0, 0.0]).unwrap();
    let t = run(&f, "newton", &Hyperparameters::default(), &[0.5, 0.5], 10);
    assert_eq!(t.termination.as_str(), "singular_hessian");
    assert_eq!(t.final_state.x, vec![0.5, 0.5]);
    // Saddle-free Newton floors |λ| at δ and steps on.
    let t = run(
        &f,
        "saddle_free_newton",
        &Hyperparameters::default(),
        &[0.5, 0.5],
        3,
    );
    assert_eq!(t.termination, Termination::MaxIters);
}

#[test]
fn argmin_lbfgs_through_our_loop_solves_rosenbrock() {
    let t = run(
        &Rosenbrock::new(),
        "lbfgs",
        &Hyperparameters::default(),
        &[-1.2, 1.0],
        500,
    );
    let x = &t.final_state.x;
    let err = ((x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2)).sqrt();
    assert!(
        err < 1e-6,
        "‖x − (1, 1)‖ = {err:e}, termination {}",
        t.termination
    );
    assert!(
        t.final_state.iter < 100,
        "{} iterations",
        t.final_state.iter
    );
    // The loop recorded every argmin iteration, each with an honest value.
    for r in &t.records {
        let x = r.x.as_ref().unwrap();
        assert_eq!(r.value, Rosenbrock::new().value(x));
    }
}

#[test]
fn argmin_trust_region_through_our_loop_solves_rosenbrock() {
    let f = Rosenbrock::new();
    let t = run(
        &f,
        "trust_region",
        &Hyperparameters::default(),
        &[-1.2, 1.0],
        500,
    );
    assert_eq!(t.termination, Termination::Converged);
    let x = &t.final_state.x;
    let err = ((x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2)).sqrt();
    assert!(err < 1e-6, "‖x − (1, 1)‖ = {err:e}");
}

#[test]
fn the_adapter_is_the_objective() {
    for (kind, sets) in [
        ("rosenbrock", vec![]),
        (
            "matrix_factorization",
            vec!["n=4".to_string(), "rank=2".to_string()],
        ),
        ("relu_net", vec![]),
    ] {
        let (_, f) = problems::load(kind, &sets).unwrap();
        let d = f.dim();
        let x: Vec<f64> = (0..d)
            .map(|i| 0.3 + 0.17 * i as f64 - 0.05 * (i * i) as f64)
            .collect();
        let problem = ArgminObjective::new(f.as_ref());
        let param = DVector::from_column_slice(&x);
        assert_eq!(problem.cost(&param).unwrap(), f.value(&x), "{kind}: cost");
        let mut g = vec![0.0; d];
        f.gradient(&x, &mut g);
        assert_eq!(
            problem.gradient(&param).unwrap().as_slice(),
            &g[..],
            "{kind}: gradient"
        );
        // The dense Hessian against central differences of the gradient, column by column.
        let h = problem.hessian(&param).unwrap();
        assert_eq!(h, h.transpose(), "{kind}: symmetric");
        for j in 0..d {
            let mut e = vec![0.0; d];
            e[j] = 1.0;
            let fd = hvp_fd(f.as_ref(), &x, &e);
            let column: Vec<f64> = h.column(j).iter().copied().collect();
            assert_close(&column, &fd, 1e-6, &format!("{kind}: Hessian column {j}"));
        }
        // A wrong length is an argmin error, not a panic.
        assert!(problem.cost(&DVector::zeros(d + 1)).is_err());
    }
    // Rosenbrock's Hessian in closed form at (−1.2, 1).
    let f = Rosenbrock::new();
    let h = ArgminObjective::new(&f)
        .hessian(&DVector::from_vec(vec![-1.2, 1.0]))
        .unwrap();
    let expected = DMatrix::from_row_slice(2, 2, &[2.0 - 400.0 + 1728.0, 480.0, 480.0, 200.0]);
    assert!((h - expected).abs().max() < 1e-12);
}

#[test]
fn bad_hyperparameters_are_rejected_by_name() {
    let cases: [(&str, Hyperparameters, &str); 6] = [
        ("newton", lr(-1.0), "lr"),
        ("newton", lr(f64::NAN), "lr"),
        (
            "saddle_free_newton",
            Hyperparameters::new().with("damping", -1e-3),
            "damping",
        ),
        (
            "saddle_free_newton",
            Hyperparameters::new().with("damping", f64::INFINITY),
            "damping",
        ),
        (
            "lbfgs",
            Hyperparameters::new().with("memory", 0usize),
            "memory",
        ),
        ("trust_region", lr(0.1), "lr"),
    ];
    for (name, hp, field) in cases {
        let message = optim::build(name, &hp)
            .err()
            .unwrap_or_else(|| panic!("{name} accepted {hp:?}"))
            .to_string();
        assert!(message.contains(&format!("`{field}`")), "{name}: {message}");
    }
}

#[test]
fn constrained_problems_are_rejected_with_a_clear_error() {
    let (_, f) = problems::load("tensor_decomposition", &[]).unwrap();
    let x0 = f
        .known_points()
        .first()
        .map(|p| p.x.clone())
        .unwrap_or_else(|| {
            let mut x = vec![1.0; f.dim()];
            f.manifold().retract_in_place(&mut x);
            x
        });
    for name in ["newton", "saddle_free_newton", "lbfgs", "trust_region"] {
        let mut optimizer = optim::build(name, &Hyperparameters::default()).unwrap();
        let error = optim::run(f.as_ref(), optimizer.as_mut(), &x0, &RunOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name} ran on spheres"));
        let message = error.to_string();
        assert!(
            message.contains(&format!(
                "optimizer `{name}` does not support constrained problems"
            )) && message.contains("tensor_decomposition"),
            "{message}"
        );
    }
}

#[test]
fn clipping_cannot_reach_argmin_and_says_so() {
    // At (−1.2, 1) ‖∇f‖ ≈ 232: a clip at 1 binds, and argmin would ignore it.
    let mut optimizer = optim::build("lbfgs", &Hyperparameters::default()).unwrap();
    let mut options = RunOptions::default();
    options.clip.norm = Some(1.0);
    let t = optim::run(
        &Rosenbrock::new(),
        optimizer.as_mut(),
        &[-1.2, 1.0],
        &options,
    )
    .unwrap();
    assert_eq!(t.termination.as_str(), "clipping_unsupported");
    assert_eq!(t.final_state.x, vec![-1.2, 1.0]);
    // A clip that never binds changes nothing.
    options.clip.norm = Some(1e6);
    let t = optim::run(
        &Rosenbrock::new(),
        optimizer.as_mut(),
        &[-1.2, 1.0],
        &options,
    )
    .unwrap();
    assert_ne!(t.termination.as_str(), "clipping_unsupported");
    assert!(t.final_state.grad_norm <= 1e-8, "{}", t.termination);
}

#[test]
fn cli_runs_lbfgs_and_the_newton_family() {
    for (optimizer, extra) in [
        ("lbfgs", vec!["--memory", "5"]),
        ("trust_region", vec![]),
        ("newton", vec!["--lr", "0.5"]),
        ("saddle_free_newton", vec!["--damping", "1e-2"]),
    ] {
        let mut args = vec![
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            optimizer,
            "--init",
            "[-1.2, 1]",
            "--iters",
            "500",
            "--json",
        ];
        args.extend(extra);
        let out = landscape(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{optimizer}: {stderr}");
        let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(t["optimizer"], optimizer);
        assert_eq!(t["termination"], "converged", "{optimizer}");
        let x = t["final"]["x"].as_array().unwrap();
        let err = x
            .iter()
            .map(|v| (v.as_f64().unwrap() - 1.0).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err < 1e-6, "{optimizer}: ‖x − (1, 1)‖ = {err:e}");
        assert_eq!(t["records"][0]["iter"], 0);
    }
}

#[test]
fn cli_rejects_bad_newton_input_in_one_line() {
    for (args, needle) in [
        (
            vec!["--optimizer", "saddle_free_newton", "--damping", "-1"],
            "`damping`",
        ),
        (vec!["--optimizer", "lbfgs", "--memory", "0"], "`memory`"),
        (
            vec!["--optimizer", "newton", "--damping", "0.1"],
            "`damping`",
        ),
        (
            vec!["--optimizer", "newton", "--problem", "tensor_decomposition"],
            "does not support constrained problems",
        ),
    ] {
        let mut full = vec!["run", "--json"];
        if !args.contains(&"--problem") {
            full.extend(["--problem", "rosenbrock"]);
        }
        full.extend(args);
        let out = landscape(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{full:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_line_search_that_never_ends_is_stopped_and_said_in_words() {
    // |x| + |y| is linear along L-BFGS's direction from (3, −2): Moré–Thuente's interval
    // never closes, and the run hung inside one iteration. Now one iteration may make
    // at most ITERATION_EVALUATIONS evaluations, and the reason is plain words.
    let json = crate::common::cli_json(&[
        "run",
        "--problem",
        "expr:abs(x) + abs(y)",
        "--optimizer",
        "lbfgs",
        "--init",
        "[3, -2]",
        "--json",
    ]);
    let termination = json["termination"].as_str().unwrap();
    assert!(
        termination.starts_with("solver_exit: argmin made 1000 evaluations")
            && termination.contains("line search does not end"),
        "{termination}"
    );
    assert!(!termination.contains("Condition violated"), "{termination}");
}
