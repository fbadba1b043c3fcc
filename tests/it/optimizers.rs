//! Optimizers and the run loop: update rules against the formulas written out by hand,
//! the GD contraction theorem, clipping, validation, stopping rules, retraction, and the
//! `landscape run` command.

use crate::common;

use common::{assert_bad_input, cli_json as json, landscape};

use landscape::optim::{
    self, Clip, Hyperparameters, Optimizer, RunOptions, Step, Termination, Trajectory,
};
use landscape::problems::{self, quadratic::Quadratic};
use landscape::{Error, Objective};
use nalgebra::{DMatrix, DVector};

/// f(x) = ½xᵀAx with A = diag(2, 0.5).
fn diagonal_quadratic() -> Quadratic {
    Quadratic::new(
        DMatrix::from_diagonal(&DVector::from_vec(vec![2.0, 0.5])),
        vec![0.0, 0.0],
    )
    .unwrap()
}

/// The test's own gradient of ½xᵀdiag(2, 0.5)x.
fn grad(x: [f64; 2]) -> [f64; 2] {
    [2.0 * x[0], 0.5 * x[1]]
}

const X0: [f64; 2] = [1.0, -1.0];

fn hp_lr(lr: f64) -> Hyperparameters {
    Hyperparameters::new().with("lr", lr)
}

/// Runs `name` for `iters` steps from X0 on the diagonal quadratic, every iterate kept.
fn run_steps(name: &str, hp: &Hyperparameters, iters: usize) -> Trajectory {
    let f = diagonal_quadratic();
    let mut opt = optim::build(name, hp).unwrap();
    let options = RunOptions {
        max_iters: iters,
        record_iterates: true,
        ..Default::default()
    };
    optim::run(&f, opt.as_mut(), &X0, &options).unwrap()
}

/// Asserts the first two iterates of `t` are `x1`, `x2` (to rounding).
fn assert_first_two(t: &Trajectory, x1: [f64; 2], x2: [f64; 2]) {
    assert_eq!(t.records.len(), 3);
    for (record, expected) in t.records.iter().zip([X0, x1, x2]) {
        let x = record.x.as_ref().unwrap();
        for i in 0..2 {
            assert!(
                (x[i] - expected[i]).abs() <= 1e-15 * (1.0 + expected[i].abs()),
                "{} iterate {} [{i}]: found {:e}, expected {:e}",
                t.optimizer,
                record.iter,
                x[i],
                expected[i]
            );
        }
    }
}

#[test]
fn gd_first_two_steps() {
    // η = 0.1: x₁ = (1 − 0.1·2, −1 + 0.1·0.5) = (0.8, −0.95);
    // x₂ = (0.8 − 0.1·1.6, −0.95 + 0.1·0.475) = (0.64, −0.9025).
    let t = run_steps("gd", &hp_lr(0.1), 2);
    assert_first_two(&t, [0.8, -0.95], [0.64, -0.9025]);
    assert_eq!(t.termination, Termination::MaxIters);
    assert!((t.records[1].step_norm - (0.04f64 + 0.0025).sqrt()).abs() < 1e-15);
    assert_eq!(t.records[0].step_norm, 0.0);
}

#[test]
fn heavy_ball_first_two_steps() {
    // η = 0.1, μ = 0.9. b₁ = g₀ = (2, −0.5); x₁ = x₀ − 0.1b₁ = (0.8, −0.95).
    // g₁ = (1.6, −0.475); b₂ = 0.9b₁ + g₁ = (3.4, −0.925); x₂ = x₁ − 0.1b₂ = (0.46, −0.8575).
    let hp = Hyperparameters::new().with("lr", 0.1).with("momentum", 0.9);
    let t = run_steps("heavy_ball", &hp, 2);
    assert_first_two(&t, [0.8, -0.95], [0.46, -0.8575]);
}

#[test]
fn nesterov_first_two_steps() {
    // η = 0.1, μ = 0.9. b₁ = g₀ = (2, −0.5); x₁ = x₀ − 0.1(g₀ + 0.9b₁) = x₀ − 0.19g₀
    // = (0.62, −0.905). g₁ = (1.24, −0.4525); b₂ = 0.9b₁ + g₁ = (3.04, −0.9025);
    // x₂ = x₁ − 0.1(g₁ + 0.9b₂) = (0.62 − 0.3976, −0.905 + 0.126475) = (0.2224, −0.778525).
    let hp = Hyperparameters::new().with("lr", 0.1).with("momentum", 0.9);
    let t = run_steps("nesterov", &hp, 2);
    assert_first_two(&t, [0.62, -0.905], [0.2224, -0.778525]);
}

#[test]
fn adagrad_first_two_steps() {
    // η = 0.1, ε = 1e-10: s ← s + g²; x ← x − η g/(√s + ε).
    let (lr, eps) = (0.1, 1e-10);
    let g0 = grad(X0);
    let s1 = [g0[0] * g0[0], g0[1] * g0[1]];
    let x1 = [
        X0[0] - lr * g0[0] / (s1[0].sqrt() + eps),
        X0[1] - lr * g0[1] / (s1[1].sqrt() + eps),
    ];
    // The first step moves every coordinate by η (up to ε): x₁ ≈ (0.9, −0.9).
    assert!((x1[0] - 0.9).abs() < 1e-10 && (x1[1] + 0.9).abs() < 1e-10);
    let g1 = grad(x1);
    let s2 = [s1[0] + g1[0] * g1[0], s1[1] + g1[1] * g1[1]];
    let x2 = [
        x1[0] - lr * g1[0] / (s2[0].sqrt() + eps),
        x1[1] - lr * g1[1] / (s2[1].sqrt() + eps),
    ];
    let t = run_steps("adagrad", &hp_lr(lr), 2);
    assert_first_two(&t, x1, x2);
    assert_eq!(t.hyperparameters["eps"], 1e-10, "torch's default ε");
}

#[test]
fn rmsprop_first_two_steps() {
    // η = 0.1, α = 0.99, ε = 1e-8: v ← αv + (1 − α)g²; x ← x − η g/(√v + ε).
    let (lr, alpha, eps) = (0.1, 0.99, 1e-8);
    let g0 = grad(X0);
    let v1 = [0.01 * g0[0] * g0[0], 0.01 * g0[1] * g0[1]];
    let x1 = [
        X0[0] - lr * g0[0] / (v1[0].sqrt() + eps),
        X0[1] - lr * g0[1] / (v1[1].sqrt() + eps),
    ];
    // √v₁ = 0.1|g₀|: the first step is η/0.1 = 1 per coordinate, x₁ ≈ (0, 0).
    assert!(x1[0].abs() < 1e-6 && x1[1].abs() < 1e-6);
    let g1 = grad(x1);
    let v2 = [
        alpha * v1[0] + 0.01 * g1[0] * g1[0],
        alpha * v1[1] + 0.01 * g1[1] * g1[1],
    ];
    let x2 = [
        x1[0] - lr * g1[0] / (v2[0].sqrt() + eps),
        x1[1] - lr * g1[1] / (v2[1].sqrt() + eps),
    ];
    let t = run_steps("rmsprop", &hp_lr(lr), 2);
    assert_first_two(&t, x1, x2);
    assert_eq!(t.hyperparameters["alpha"], 0.99);
}

#[test]
fn adadelta_first_two_steps() {
    // Defaults η = 1, ρ = 0.9, ε = 1e-6: v ← ρv + (1−ρ)g²; Δ = √(u+ε)/√(v+ε)·g;
    // u ← ρu + (1−ρ)Δ²; x ← x − ηΔ.
    let (rho, eps): (f64, f64) = (0.9, 1e-6);
    let mut x = X0;
    let (mut v, mut u) = ([0.0; 2], [0.0; 2]);
    let mut expected = Vec::new();
    for _ in 0..2 {
        let g = grad(x);
        for i in 0..2 {
            v[i] = rho * v[i] + (1.0 - rho) * g[i] * g[i];
            let delta = (u[i] + eps).sqrt() / (v[i] + eps).sqrt() * g[i];
            u[i] = rho * u[i] + (1.0 - rho) * delta * delta;
            x[i] -= delta;
        }
        expected.push(x);
    }
    // The first step is √ε/√(0.1g² + ε)·g ≈ 3.16e-3·sign(g): Adadelta starts slowly.
    assert!((X0[0] - expected[0][0] - 1e-3 / 0.1f64.sqrt()).abs() < 1e-8);
    let t = run_steps("adadelta", &Hyperparameters::default(), 2);
    assert_first_two(&t, expected[0], expected[1]);
}

#[test]
fn adam_first_two_steps_with_and_without_bias_correction() {
    // η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    let (lr, b1, b2, eps): (f64, f64, f64, f64) = (0.1, 0.9, 0.999, 1e-8);
    for corrected in [true, false] {
        let mut x = X0;
        let (mut m, mut v) = ([0.0; 2], [0.0; 2]);
        let mut expected = Vec::new();
        for t in 1..=2 {
            let g = grad(x);
            let (c1, c2) = if corrected {
                (1.0 - b1.powi(t), 1.0 - b2.powi(t))
            } else {
                (1.0, 1.0)
            };
            for i in 0..2 {
                m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
                let (m_hat, v_hat) = (m[i] / c1, v[i] / c2);
                x[i] -= lr * m_hat / (v_hat.sqrt() + eps);
            }
            expected.push(x);
        }
        if corrected {
            // m̂₁ = g₀, v̂₁ = g₀²: the first step is η·sign(g₀) (up to ε).
            assert!((expected[0][0] - 0.9).abs() < 1e-8);
        } else {
            // Without correction it is η·0.1/√0.001 ≈ 3.16η.
            assert!((X0[0] - expected[0][0] - 0.1 * 0.1 / 0.001f64.sqrt()).abs() < 1e-6);
        }
        let mut hp = hp_lr(lr);
        hp.set_if_given("bias_correction", (!corrected).then_some(false));
        let t = run_steps("adam", &hp, 2);
        assert_first_two(&t, expected[0], expected[1]);
        assert_eq!(t.hyperparameters["bias_correction"], corrected);
    }
}

/// ½xᵀAx, A = Q diag(eigenvalues) Qᵀ with a random Q (the `quadratic` kind).
fn spectral_quadratic(eigenvalues: &[f64]) -> Box<dyn Objective> {
    let list: Vec<String> = eigenvalues.iter().map(|v| format!("{v:?}")).collect();
    let zeros = vec!["0.0"; eigenvalues.len()].join(",");
    let overrides = vec![
        format!("eigenvalues=[{}]", list.join(",")),
        format!("b=[{zeros}]"),
        "seed=3".to_string(),
    ];
    problems::load("quadratic", &overrides).unwrap().1
}

#[test]
fn gd_contracts_at_the_rate_of_the_theorem() {
    // For A ≻ 0 and η ≤ 1/λmax: ‖xₜ‖ ≤ (1 − ηλmin)ᵗ‖x₀‖ at every step.
    let (lambda_max, lambda_min) = (4.0, 0.25);
    let f = spectral_quadratic(&[lambda_max, 1.5, 0.7, lambda_min]);
    let x0 = [1.0, -2.0, 0.5, 3.0];
    let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
    for lr in [1.0 / lambda_max, 0.5 / lambda_max, 0.01] {
        let mut gd = optim::build("gd", &hp_lr(lr)).unwrap();
        let options = RunOptions {
            max_iters: 300,
            grad_tol: 1e-300,
            record_iterates: true,
            ..Default::default()
        };
        let t = optim::run(f.as_ref(), gd.as_mut(), &x0, &options).unwrap();
        assert_eq!(t.records.len(), 301);
        let rate: f64 = 1.0 - lr * lambda_min;
        for r in &t.records {
            let bound = rate.powi(r.iter as i32) * norm(&x0);
            let found = norm(r.x.as_ref().unwrap());
            assert!(
                found <= bound * (1.0 + 1e-12),
                "lr {lr}, iter {}: ‖x‖ = {found:e} > bound {bound:e}",
                r.iter
            );
        }
        // The bound is attained along the λmin eigenvector: the rate is the right one.
        let last = norm(&t.final_state.x);
        assert!(
            last > 0.01 * rate.powi(300) * norm(&x0),
            "lr {lr}: far too fast"
        );
    }
}

/// Wraps an optimizer and records the largest norm and entry of the gradients it gets.
struct Spy {
    inner: Box<dyn Optimizer>,
    max_norm: f64,
    max_entry: f64,
}

impl Optimizer for Spy {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn hyperparameters(&self) -> serde_json::Value {
        self.inner.hyperparameters()
    }
    fn start(&mut self, f: &dyn Objective, x0: &[f64]) -> landscape::Result<()> {
        self.inner.start(f, x0)
    }
    fn step(
        &mut self,
        f: &dyn Objective,
        x: &mut [f64],
        value: f64,
        grad: &[f64],
        next_grad: &mut [f64],
    ) -> Step {
        let n = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        self.max_norm = self.max_norm.max(n);
        let e = grad.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        self.max_entry = self.max_entry.max(e);
        self.inner.step(f, x, value, grad, next_grad)
    }
}

#[test]
fn clipping_bounds_every_gradient_handed_to_every_optimizer() {
    let f = spectral_quadratic(&[10.0, 3.0, 1.0]);
    let x0 = [5.0, -4.0, 3.0];
    let c = 0.5;
    for entry in optim::OPTIMIZERS {
        for clip in [
            Clip {
                norm: Some(c),
                value: None,
            },
            Clip {
                norm: None,
                value: Some(c),
            },
        ] {
            let mut spy = Spy {
                // (argmin-backed optimizers take no learning rate.)
                inner: if entry.accepts().contains(&"lr") {
                    optim::build(entry.name, &hp_lr(0.01)).unwrap()
                } else {
                    optim::build(entry.name, &Hyperparameters::default()).unwrap()
                },
                max_norm: 0.0,
                max_entry: 0.0,
            };
            let options = RunOptions {
                max_iters: 100,
                clip,
                ..Default::default()
            };
            let t = optim::run(f.as_ref(), &mut spy, &x0, &options).unwrap();
            // The recorded grad_norm is the unclipped one, far above c at the start.
            assert!(t.records[0].grad_norm > 10.0 * c);
            if clip.norm.is_some() {
                assert!(
                    spy.max_norm <= c * (1.0 + 1e-12),
                    "{}: {}",
                    entry.name,
                    spy.max_norm
                );
                assert!(spy.max_norm >= c * (1.0 - 1e-12), "clipping was exercised");
            } else {
                assert_eq!(spy.max_entry, c, "{}", entry.name);
            }
        }
    }
}

#[test]
fn clipped_gd_steps_are_at_most_lr_times_c() {
    // For GD the step is η·clip(g): ‖Δx‖/η ≤ c at every record, = c while ‖g‖ > c.
    let f = spectral_quadratic(&[10.0, 3.0, 1.0]);
    let (lr, c) = (0.1, 1.0);
    let mut gd = optim::build("gd", &hp_lr(lr)).unwrap();
    let options = RunOptions {
        max_iters: 300,
        clip: Clip {
            norm: Some(c),
            value: None,
        },
        ..Default::default()
    };
    let t = optim::run(f.as_ref(), gd.as_mut(), &[5.0, -4.0, 3.0], &options).unwrap();
    let mut clipped_steps = 0;
    for pair in t.records.windows(2) {
        let step_grad = pair[1].step_norm / lr;
        // Δx is computed as a difference of iterates of size ≤ 10: rounding ≤ 1e-14.
        assert!(step_grad <= c + 1e-12, "iter {}", pair[1].iter);
        if pair[0].grad_norm > c {
            assert!((step_grad - c).abs() <= 1e-12);
            clipped_steps += 1;
        } else {
            assert!((step_grad - pair[0].grad_norm).abs() <= 1e-12);
        }
    }
    assert!(
        clipped_steps > 10 && clipped_steps + 10 < t.records.len(),
        "{clipped_steps} of {}",
        t.records.len()
    );
}

fn assert_invalid(name: &str, hp: Hyperparameters, field: &str) {
    match optim::build(name, &hp) {
        Err(e @ Error::InvalidHyperparameter { .. }) => {
            let message = e.to_string();
            assert!(message.contains(&format!("`{field}`")), "{message}");
            assert!(message.contains(name), "{message}");
        }
        Err(e) => panic!("{name}: wrong error {e}"),
        Ok(_) => panic!("{name}: {field} accepted: {hp:?}"),
    }
}

#[test]
fn invalid_hyperparameters_are_rejected_by_name() {
    for entry in optim::OPTIMIZERS {
        for lr in [-1.0, 0.0, f64::NAN, f64::INFINITY] {
            assert_invalid(entry.name, hp_lr(lr), "lr");
        }
    }
    let nan_eps = || Hyperparameters::new().with("eps", f64::NAN);
    for name in ["adagrad", "rmsprop", "adadelta", "adam"] {
        assert_invalid(name, nan_eps(), "eps");
        let negative = Hyperparameters::new().with("eps", -1e-8);
        assert_invalid(name, negative, "eps");
    }
    for name in ["heavy_ball", "nesterov"] {
        for momentum in [1.0, 1.5, -0.1, f64::NAN] {
            let hp = Hyperparameters::new().with("momentum", momentum);
            assert_invalid(name, hp, "momentum");
        }
    }
    // μ = 0 is plain gradient descent for both (the help says μ ∈ [0, 1)).
    let zero_momentum = Hyperparameters::new().with("momentum", 0.0);
    assert!(optim::build("nesterov", &zero_momentum).is_ok());
    assert!(optim::build("heavy_ball", &zero_momentum).is_ok());
    for (field, hp) in [
        ("beta1", Hyperparameters::new().with("beta1", 1.0)),
        ("beta2", Hyperparameters::new().with("beta2", 1.0)),
    ] {
        assert_invalid("adam", hp, field);
    }
    let alpha = Hyperparameters::new().with("alpha", 1.0);
    assert_invalid("rmsprop", alpha, "alpha");
    let rho = Hyperparameters::new().with("rho", -0.5);
    assert_invalid("adadelta", rho, "rho");
    // A hyperparameter the optimizer does not take is named too.
    let beta1 = Hyperparameters::new().with("beta1", 0.5);
    assert_invalid("gd", beta1, "beta1");
    match optim::build("sgd2", &Hyperparameters::default()) {
        Err(e) => assert!(e.to_string().contains("adam"), "{e}"),
        Ok(_) => panic!("unknown optimizer accepted"),
    }
}

fn run_quadratic(name: &str, lr: f64, options: &RunOptions) -> Trajectory {
    let f = spectral_quadratic(&[2.0, 1.0, 0.5]);
    let mut opt = optim::build(name, &hp_lr(lr)).unwrap();
    optim::run(f.as_ref(), opt.as_mut(), &[1.0, 1.0, 1.0], options).unwrap()
}

#[test]
fn the_loop_stops_on_divergence_with_a_reason() {
    // η = 10 > 2/λmax: |1 − ηλ| ≥ 4 per step, overflow after a few hundred steps.
    let t = run_quadratic("gd", 10.0, &RunOptions::default());
    assert_eq!(t.termination, Termination::Diverged);
    assert!(t.final_state.iter < 1000);
    let last = t.records.last().unwrap();
    assert_eq!(last.iter, t.final_state.iter);
    assert!(!(last.value.is_finite() && last.grad_norm.is_finite()));
    // Every record before the last is finite.
    let before = &t.records[t.records.len() - 2];
    assert!(before.value.is_finite() && before.grad_norm.is_finite());
}

#[test]
fn the_loop_stops_at_the_target_and_at_the_grad_tolerance() {
    let target = RunOptions {
        target: Some(1e-3),
        ..Default::default()
    };
    let t = run_quadratic("gd", 0.1, &target);
    assert_eq!(t.termination, Termination::TargetReached);
    let n = t.records.len();
    assert!(t.records[n - 1].value <= 1e-3 && t.records[n - 2].value > 1e-3);

    let tol = RunOptions {
        grad_tol: 1e-6,
        max_iters: 100_000,
        ..Default::default()
    };
    let t = run_quadratic("gd", 0.1, &tol);
    assert_eq!(t.termination, Termination::Converged);
    let n = t.records.len();
    assert!(t.final_state.grad_norm <= 1e-6 && t.records[n - 2].grad_norm > 1e-6);
    assert_eq!(t.final_state.grad_norm, t.records[n - 1].grad_norm);

    let capped = RunOptions {
        max_iters: 7,
        ..Default::default()
    };
    let t = run_quadratic("adam", 1e-3, &capped);
    assert_eq!(t.termination, Termination::MaxIters);
    assert_eq!(t.final_state.iter, 7);
}

#[test]
fn an_exact_floating_point_fixed_point_is_reported_as_stalled() {
    // η·g = 1e-20·O(1) is below half an ulp of x ≈ 1: x never changes, ∇f ≠ 0.
    let t = run_quadratic("gd", 1e-20, &RunOptions::default());
    assert_eq!(t.termination, Termination::Stalled);
    assert_eq!(t.final_state.iter, 1);
    assert!(t.final_state.grad_norm > 0.1);
}

#[test]
fn records_every_k_steps_plus_the_start_and_the_end() {
    let options = RunOptions {
        max_iters: 23,
        record_every: 5,
        ..Default::default()
    };
    let t = run_quadratic("heavy_ball", 0.01, &options);
    let iters: Vec<usize> = t.records.iter().map(|r| r.iter).collect();
    assert_eq!(iters, vec![0, 5, 10, 15, 20, 23]);
    assert!(t.records.iter().all(|r| r.x.is_none()));
}

#[test]
fn retraction_keeps_tensor_decomposition_on_the_spheres() {
    let (_, f) = problems::load("tensor_decomposition", &[]).unwrap();
    let block = 6; // the shipped spec: n = 6, rank 4
    let mut x0: Vec<f64> = (0..f.dim()).map(|i| ((i * 7 % 11) as f64) - 5.0).collect();
    x0[0] += 0.5;
    for (name, lr) in [("gd", 0.05), ("heavy_ball", 0.05), ("adam", 0.05)] {
        let mut opt = optim::build(name, &hp_lr(lr)).unwrap();
        let options = RunOptions {
            max_iters: 60,
            record_iterates: true,
            ..Default::default()
        };
        let t = optim::run(f.as_ref(), opt.as_mut(), &x0, &options).unwrap();
        assert_eq!(t.records.len(), 61, "{name}: {}", t.termination);
        for r in &t.records {
            for (i, u) in r.x.as_ref().unwrap().chunks(block).enumerate() {
                let n = u.iter().map(|v| v * v).sum::<f64>().sqrt();
                assert!(
                    (n - 1.0).abs() <= 1e-12,
                    "{name} iter {} block {i}: ‖u‖ = {n}",
                    r.iter
                );
            }
        }
        assert!(
            t.final_state.value < t.records[0].value,
            "{name} made progress"
        );
    }
}

// ---- the command line ----

const RUN: &[&str] = &[
    "run",
    "--problem",
    "rosenbrock",
    "--optimizer",
    "adam",
    "--init",
    "[-1, 1]",
    "--iters",
    "50",
];

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    RUN.iter().chain(extra).copied().collect()
}

#[test]
fn run_json_has_exactly_the_contract_fields() {
    let out = json(&with(&[
        "--json",
        "--lr",
        "0.01",
        "--record-iterates",
        "--record-every",
        "10",
    ]));
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&out),
        [
            "final",
            "hyperparameters",
            "optimizer",
            "provenance",
            "records",
            "termination"
        ]
    );
    assert_eq!(out["optimizer"], "adam");
    assert_eq!(out["hyperparameters"]["lr"], 0.01);
    assert_eq!(out["hyperparameters"]["beta2"], 0.999);
    assert_eq!(out["termination"], "max_iters");
    let records = out["records"].as_array().unwrap();
    assert_eq!(records.len(), 6);
    for r in records {
        assert_eq!(keys(r), ["grad_norm", "iter", "step_norm", "value", "x"]);
    }
    assert_eq!(records[0]["iter"], 0);
    assert_eq!(records[0]["x"], serde_json::json!([-1.0, 1.0]));
    // f(−1, 1) = (1 − (−1))² + 100(1 − 1)² = 4.
    assert_eq!(records[0]["value"], 4.0);
    assert_eq!(keys(&out["final"]), ["grad_norm", "iter", "value", "x"]);
    assert_eq!(out["final"]["iter"], 50);
    assert_eq!(out["final"]["x"], records[5]["x"]);
    let plain = json(&with(&["--json"]));
    assert!(plain["records"][0].get("x").is_none());
    assert_eq!(plain["records"].as_array().unwrap().len(), 51);
}

#[test]
fn run_is_deterministic() {
    let args = [
        "run",
        "--problem",
        "matrix_factorization",
        "--optimizer",
        "nesterov",
        "--lr",
        "0.01",
        "--init",
        "random:0.5:4",
        "--iters",
        "100",
        "--json",
    ];
    let a = landscape(&args);
    let b = landscape(&args);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn run_writes_csv_and_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    let out = landscape(&with(&[
        "--record-every",
        "7",
        "--record-iterates",
        "--out",
        csv.to_str().unwrap(),
    ]));
    assert!(out.status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "iter,value,grad_norm,step_norm,x0,x1");
    // Records 0, 7, …, 49 and the last, 50: one row each.
    assert_eq!(lines.len(), 1 + 9);
    assert!(lines[1].starts_with("0,4,"));
    assert!(lines[9].starts_with("50,"));
    let json_path = dir.path().join("t.json");
    let out = landscape(&with(&["--out", json_path.to_str().unwrap()]));
    assert!(out.status.success());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(doc["records"].as_array().unwrap().len(), 51);
    // Nothing else left in the directory (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn run_bad_input_is_one_line_and_exit_2_with_nothing_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    assert_bad_input(&with(&["--lr", "-1"]), &["lr", "adam"]);
    let mut unknown = RUN.to_vec();
    unknown[4] = "sgdd";
    assert_bad_input(&unknown, &["sgdd", "heavy_ball"]);
    assert_bad_input(&with(&["--eps", "NaN"]), &["eps"]);
    assert_bad_input(&with(&["--beta2", "1"]), &["beta2"]);
    assert_bad_input(&with(&["--momentum", "0.9"]), &["momentum"]);
    assert_bad_input(&with(&["--grad-tol", "0"]), &["grad-tol"]);
    assert_bad_input(&with(&["--clip-norm", "-1"]), &["clip-norm"]);
    assert_bad_input(&with(&["--record-every", "0"]), &["record-every"]);
    let mut long_init = RUN.to_vec();
    long_init[6] = "[1, 2, 3]";
    assert_bad_input(&long_init, &["init", "3"]);
    let txt = dir.path().join("t.txt");
    assert_bad_input(&with(&["--out", txt.to_str().unwrap()]), &["out", ".csv"]);
    let missing = dir.path().join("no/such/dir/t.json");
    assert_bad_input(&with(&["--out", missing.to_str().unwrap()]), &["out"]);
    // A directory in the place of the file: the rename fails after the run.
    let occupied = dir.path().join("taken.json");
    std::fs::create_dir(&occupied).unwrap();
    std::fs::write(occupied.join("keep"), "x").unwrap();
    assert_bad_input(&with(&["--out", occupied.to_str().unwrap()]), &["write"]);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("taken.json")],
        "{left:?}"
    );
}

#[test]
fn run_help_lists_every_registered_optimizer_and_the_flags() {
    let out = landscape(&["run", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for entry in optim::OPTIMIZERS {
        assert!(help.contains(entry.name), "{} missing", entry.name);
    }
    for flag in [
        "--lr",
        "--momentum",
        "--beta1",
        "--beta2",
        "--eps",
        "--alpha",
        "--rho",
        "--clip-norm",
        "--clip-value",
        "--iters",
        "--grad-tol",
        "--init",
        "--record-every",
        "--record-iterates",
        "--out",
        "--json",
        "--target",
        "--no-bias-correction",
    ] {
        assert!(help.contains(flag), "{flag} missing");
    }
}

/// GD started on the stable manifold of x² − y² (y = 0) converges to the strict saddle,
/// and `--classify-final` says so; L-BFGS on Rosenbrock ends at the global minimum.
#[test]
fn classify_final_reports_the_verdict_of_the_last_iterate() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = landscape(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let saddle = json(&[
        "run",
        "--problem",
        "saddle",
        "--optimizer",
        "gd",
        "--lr",
        "0.1",
        "--init",
        "[0.5, 0]",
        "--iters",
        "2000",
        "--grad-tol",
        "1e-12",
        "--classify-final",
        "--json",
    ]);
    assert_eq!(saddle["termination"], "converged");
    assert_eq!(saddle["final"]["classification"]["kind"], "strict_saddle");
    assert_eq!(saddle["final"]["classification"]["lambda_min"], -2.0);
    let rosenbrock = json(&[
        "run",
        "--problem",
        "rosenbrock",
        "--optimizer",
        "lbfgs",
        "--init",
        "[-1.2, 1]",
        "--iters",
        "200",
        "--classify-final",
        "--json",
    ]);
    assert_eq!(rosenbrock["final"]["classification"]["kind"], "global_min");
    let plain = json(&[
        "run",
        "--problem",
        "rosenbrock",
        "--optimizer",
        "gd",
        "--iters",
        "3",
        "--json",
    ]);
    assert!(plain["final"].get("classification").is_none());
}

#[test]
fn the_loop_counts_every_objective_call() {
    // gd: one value-and-gradient per iterate, made by the loop.
    let t = run_steps("gd", &hp_lr(0.1), 5);
    assert_eq!(t.evaluations, 6);
    // Newton on a 2-d quadratic: d = 2 HVPs for the Hessian, then the loop's evaluation
    // at the minimiser, where it stops as converged.
    let t = run_steps("newton", &Hyperparameters::new(), 5);
    assert_eq!(t.termination, Termination::Converged);
    assert_eq!(t.final_state.iter, 1);
    assert_eq!(t.evaluations, 1 + 2 + 1);
}

#[test]
fn unknown_hyperparameters_keep_their_message_and_help_shows_the_true_defaults() {
    let message = optim::build("gd", &Hyperparameters::new().with("beta1", 0.5))
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        message,
        "invalid hyperparameter `beta1` for optimizer `gd`: expected one of the \
         hyperparameters `gd` takes (lr), found `beta1`, which it does not take"
    );
    let message = optim::build("trust_region", &hp_lr(0.1))
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("takes (none)"), "{message}");
    let line = |name: &str| {
        optim::OPTIMIZERS
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .description()
    };
    assert!(
        line("adam").ends_with("[lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, bias-correction true]"),
        "{}",
        line("adam")
    );
    assert!(line("adadelta").ends_with("[lr 1, rho 0.9, eps 1e-6]"));
    assert!(line("lbfgs").ends_with("[memory 10]"));
    assert!(line("noisy_gd").ends_with("[lr 1e-3, radius 0.01, noise sphere, seed 0]"));
    assert!(line("trust_region").ends_with("on the dense Hessian"));
    for entry in optim::OPTIMIZERS {
        for name in entry.accepts() {
            let flag = name.replace('_', "-");
            assert!(
                entry.description().contains(&flag),
                "{}: {flag}",
                entry.name
            );
        }
    }
}

#[test]
fn optimizer_names_are_written_with_underscores_and_read_with_either() {
    for e in optim::OPTIMIZERS {
        assert!(!e.name.contains('-'), "{}", e.name);
    }
    let hyphenated = optim::build("trust-region", &optim::Hyperparameters::new()).unwrap();
    assert_eq!(hyphenated.name(), "trust_region");
    assert_eq!(optim::find("heavy-ball").unwrap().name, "heavy_ball");
    assert!(optim::find("heavy ball").is_none());
}

/// f(x) = ½ Σ xᵢ² in any dimension (for the updates' parallel path).
struct Squares(usize);

impl Objective for Squares {
    fn kind(&self) -> &'static str {
        "squares"
    }
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &[f64]) -> f64 {
        0.5 * x.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        grad.copy_from_slice(x);
    }
    fn hvp(&self, _x: &[f64], v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(v);
    }
    fn layout(&self) -> landscape::Layout {
        landscape::Layout::single("x", &[self.0])
    }
}

#[test]
fn large_updates_run_in_parallel_with_the_sequential_results() {
    // Above 2¹⁶ coordinates an update runs by chunks in parallel; it is elementwise, so
    // each coordinate follows the same path as in a small (sequential) problem, on any
    // number of threads.
    let (large, small) = ((1 << 17) + 123, 40);
    let start = |d: usize| -> Vec<f64> { (0..d).map(|i| ((i % 7) as f64 - 3.0) * 0.1).collect() };
    let steps = |name: &str, d: usize| -> Vec<f64> {
        let f = Squares(d);
        let mut opt = optim::build(name, &Hyperparameters::default()).unwrap();
        let mut x = start(d);
        opt.start(&f, &x).unwrap();
        let (mut g, mut next) = (vec![0.0; d], vec![0.0; d]);
        for _ in 0..3 {
            f.gradient(&x, &mut g);
            let value = f.value(&x);
            opt.step(&f, &mut x, value, &g, &mut next);
        }
        x
    };
    for name in [
        "gd",
        "heavy_ball",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adadelta",
        "adam",
    ] {
        let one = common::on_threads(1, || steps(name, large));
        let three = common::on_threads(3, || steps(name, large));
        assert_eq!(one, three, "{name}: 1 vs 3 threads");
        let sequential = steps(name, small);
        assert_eq!(
            &one[..small],
            &sequential[..],
            "{name}: parallel vs sequential path"
        );
        assert_ne!(one[..small], start(small)[..], "{name}: the steps moved x");
    }
}
