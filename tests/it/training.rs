//! Training: minibatch gradients on finite sums, learning-rate schedules and weight decay,
//! checked against the formulas written out by hand, and their `landscape run` flags.

use crate::common;

use common::{assert_bad_input, cli_json as json, landscape};

use landscape::objective::{FiniteSum, TestMetrics};
use landscape::optim::{
    self, DecayForm, Hyperparameters, Minibatch, RunOptions, Schedule, Termination, Trajectory,
    WeightDecay,
};
use landscape::problems::{self, quadratic::Quadratic};
use landscape::Objective;
use nalgebra::{DMatrix, DVector};

/// The shipped matrix_sensing instance: m = 60 measurements, U ∈ ℝ^{6×2}.
fn sensing() -> Box<dyn Objective> {
    problems::load("matrix_sensing", &[]).unwrap().1
}

fn point(f: &dyn Objective, seed: u64) -> Vec<f64> {
    common::random_point(f, seed, 0.5)
}

fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    let scale = b.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in a.iter().zip(b).enumerate() {
        assert!((a - b).abs() <= tol * scale, "{what}[{i}]: {a} vs {b}");
    }
}

#[test]
fn a_batch_of_every_sample_is_the_full_objective() {
    let f = sensing();
    let fs = f.as_finite_sum().expect("matrix_sensing is a finite sum");
    let m = fs.samples();
    assert_eq!(m, 60);
    let x = point(f.as_ref(), 3);
    let mut full = vec![0.0; f.dim()];
    let value = f.value_and_gradient(&x, &mut full);
    // Any order of the samples.
    let batch: Vec<usize> = (0..m).rev().collect();
    let mut batch_grad = vec![0.0; f.dim()];
    let batch_value = fs.batch_value_and_gradient(&x, &batch, &mut batch_grad);
    assert!(
        (batch_value - value).abs() <= 1e-13 * value,
        "{batch_value} vs {value}"
    );
    assert_close(&batch_grad, &full, 1e-13, "∇f_B");
}

#[test]
fn batch_gradients_weighted_by_size_average_to_the_gradient_over_an_epoch() {
    let f = sensing();
    let fs = f.as_finite_sum().unwrap();
    let x = point(f.as_ref(), 5);
    let mut full = vec![0.0; f.dim()];
    f.gradient(&x, &mut full);
    let order: Vec<usize> = (0..60).map(|i| (i * 37) % 60).collect();
    let mut sum = vec![0.0; f.dim()];
    let mut g = vec![0.0; f.dim()];
    for batch in order.chunks(16) {
        fs.batch_value_and_gradient(&x, batch, &mut g);
        sum.iter_mut()
            .zip(&g)
            .for_each(|(s, g)| *s += batch.len() as f64 / 60.0 * g);
    }
    assert_close(&sum, &full, 1e-13, "Σ|B|∇f_B/m");
    // And a batch gradient is the derivative of the batch value (central differences).
    let batch = &order[..7];
    fs.batch_value_and_gradient(&x, batch, &mut g);
    let v = common::random_direction(f.as_ref(), 1);
    let h = 1e-5;
    let at = |s: f64| {
        let y: Vec<f64> = x.iter().zip(&v).map(|(x, v)| x + s * v).collect();
        fs.batch_value_and_gradient(&y, batch, &mut vec![0.0; y.len()])
    };
    let fd = (at(h) - at(-h)) / (2.0 * h);
    let exact: f64 = g.iter().zip(&v).map(|(g, v)| g * v).sum();
    assert!(
        (fd - exact).abs() <= 1e-7 * (1.0 + exact.abs()),
        "{fd} vs {exact}"
    );
}

fn minibatch_run(
    f: &dyn Objective,
    name: &str,
    hp: &Hyperparameters,
    options: RunOptions,
) -> Trajectory {
    let mut opt = optim::build(name, hp).unwrap();
    let x0 = point(f, 1);
    optim::run(f, opt.as_mut(), &x0, &options).unwrap()
}

fn sgd_options(batch_size: usize, seed: u64, iters: usize) -> RunOptions {
    RunOptions {
        max_iters: iters,
        minibatch: Some(Minibatch { batch_size, seed }),
        ..Default::default()
    }
}

#[test]
fn the_seed_fixes_the_shuffling() {
    let f = sensing();
    let hp = Hyperparameters::new().with("lr", 0.05);
    let run = |seed| minibatch_run(f.as_ref(), "gd", &hp, sgd_options(16, seed, 20));
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a, b);
    assert_ne!(a.final_state.x, c.final_state.x);
}

#[test]
fn a_minibatch_run_records_batch_losses_and_evaluates_the_full_batch_every_epoch() {
    let f = sensing();
    let hp = Hyperparameters::new().with("lr", 0.05);
    let t = minibatch_run(f.as_ref(), "gd", &hp, sgd_options(16, 0, 10));
    assert_eq!(t.termination, Termination::MaxIters);
    let info = t.minibatch.as_ref().unwrap();
    assert_eq!(
        (
            info.batch_size,
            info.samples,
            info.steps_per_epoch,
            info.last_batch
        ),
        (16, 60, 4, 12)
    );
    assert_eq!(t.evaluation.as_ref().unwrap().every, 4);
    assert_eq!(t.evaluation.as_ref().unwrap().test, None);
    let evaluated: Vec<usize> = t
        .records
        .iter()
        .filter(|r| r.train_loss.is_some())
        .map(|r| r.iter)
        .collect();
    assert_eq!(evaluated, [0, 4, 8, 10]);
    // The final state is the full batch; a record's value is its batch's.
    let last = t.records.last().unwrap();
    let mut g = vec![0.0; f.dim()];
    let full = f.value_and_gradient(&t.final_state.x, &mut g);
    assert_eq!(t.final_state.value, full);
    assert_eq!(last.train_loss, Some(full));
    assert_ne!(last.value, full);
    assert!(t.records.iter().all(|r| r.test_loss.is_none()));
}

/// f(x) = (1/N) Σᵢ ½(aᵢ·x − yᵢ)², a finite sum with held-out samples.
struct LeastSquares {
    a: Vec<[f64; 2]>,
    y: Vec<f64>,
    test: Vec<([f64; 2], f64)>,
}

impl LeastSquares {
    fn new() -> Self {
        LeastSquares {
            a: vec![[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 0.5]],
            y: vec![1.0, -2.0, 0.5, 1.5, -0.5],
            test: vec![([1.0, 1.0], 1.0), ([1.0, -1.0], -1.0)],
        }
    }
}

impl Objective for LeastSquares {
    fn kind(&self) -> &'static str {
        "least_squares"
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.value_and_gradient(x, &mut [0.0; 2])
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }
    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let all: Vec<usize> = (0..self.a.len()).collect();
        self.batch_value_and_gradient(x, &all, grad)
    }
    fn hvp(&self, _x: &[f64], v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for a in &self.a {
            let av = a[0] * v[0] + a[1] * v[1];
            out[0] += a[0] * av / self.a.len() as f64;
            out[1] += a[1] * av / self.a.len() as f64;
        }
    }
    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        Some(self)
    }
}

impl FiniteSum for LeastSquares {
    fn samples(&self) -> usize {
        self.a.len()
    }
    fn batch_value_and_gradient(&self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        grad.fill(0.0);
        let mut value = 0.0;
        let n = batch.len() as f64;
        for &i in batch {
            let r = self.a[i][0] * x[0] + self.a[i][1] * x[1] - self.y[i];
            value += 0.5 * r * r / n;
            grad[0] += r * self.a[i][0] / n;
            grad[1] += r * self.a[i][1] / n;
        }
        value
    }
    /// Squared error, and the fraction of signs predicted right.
    fn test_metrics(&self, x: &[f64]) -> Option<TestMetrics> {
        let predict = |a: &[f64; 2]| a[0] * x[0] + a[1] * x[1];
        let n = self.test.len() as f64;
        let loss = self
            .test
            .iter()
            .map(|(a, y)| 0.5 * (predict(a) - y).powi(2))
            .sum::<f64>()
            / n;
        let right = self
            .test
            .iter()
            .filter(|(a, y)| predict(a) * y > 0.0)
            .count();
        Some(TestMetrics {
            loss,
            accuracy: Some(right as f64 / n),
        })
    }
    fn test_protocol(&self) -> String {
        "squared error on two held-out points".to_string()
    }
}

#[test]
fn one_batch_of_everything_is_full_batch_descent_and_stops_on_the_full_gradient() {
    let f = LeastSquares::new();
    let hp = Hyperparameters::new().with("lr", 0.3);
    let x0 = [0.0, 0.0];
    let options = RunOptions {
        max_iters: 500,
        grad_tol: 1e-10,
        record_iterates: true,
        ..Default::default()
    };
    let mut gd = optim::build("gd", &hp).unwrap();
    let full = optim::run(&f, gd.as_mut(), &x0, &options).unwrap();
    let batched = RunOptions {
        minibatch: Some(Minibatch {
            batch_size: 5,
            seed: 0,
        }),
        ..options.clone()
    };
    let t = optim::run(&f, gd.as_mut(), &x0, &batched).unwrap();
    assert_eq!(full.termination, Termination::Converged);
    assert_eq!(t.termination, Termination::Converged);
    assert_eq!(t.final_state.iter, full.final_state.iter);
    assert_close(&t.final_state.x, &full.final_state.x, 1e-12, "x");
    // Test metrics at every evaluation (every step: one batch per epoch), said how.
    assert_eq!(
        t.evaluation.as_ref().unwrap().test.as_deref(),
        Some("squared error on two held-out points")
    );
    let last = t.records.last().unwrap();
    let expected = f.test_metrics(&t.final_state.x).unwrap();
    assert_eq!(last.test_loss, Some(expected.loss));
    assert_eq!(last.test_accuracy, expected.accuracy);
    assert!(t.records.iter().all(|r| r.test_loss.is_some()));
    // Evaluation in a full-batch run: train_loss is the value.
    let evaluated = RunOptions {
        eval_every: Some(10),
        ..options
    };
    let t = optim::run(&f, gd.as_mut(), &x0, &evaluated).unwrap();
    assert!(t.minibatch.is_none());
    let evaluated: Vec<&_> = t
        .records
        .iter()
        .filter(|r| r.train_loss.is_some())
        .collect();
    assert_eq!(evaluated[1].iter, 10);
    assert!(evaluated.iter().all(|r| r.train_loss == Some(r.value)));
}

/// f(x) = ½xᵀdiag(2, 0.5)x and its gradient.
fn quadratic() -> Quadratic {
    Quadratic::new(
        DMatrix::from_diagonal(&DVector::from_vec(vec![2.0, 0.5])),
        vec![0.0, 0.0],
    )
    .unwrap()
}

fn grad(x: [f64; 2]) -> [f64; 2] {
    [2.0 * x[0], 0.5 * x[1]]
}

const X0: [f64; 2] = [1.0, -1.0];

fn run_quadratic(name: &str, hp: Hyperparameters, options: RunOptions) -> Trajectory {
    let mut opt = optim::build(name, &hp).unwrap();
    let options = RunOptions {
        record_iterates: true,
        ..options
    };
    optim::run(&quadratic(), opt.as_mut(), &X0, &options).unwrap()
}

fn iterates(t: &Trajectory) -> Vec<[f64; 2]> {
    t.records
        .iter()
        .map(|r| {
            let x = r.x.as_ref().unwrap();
            [x[0], x[1]]
        })
        .collect()
}

fn assert_iterates(t: &Trajectory, expected: &[[f64; 2]]) {
    let found = iterates(t);
    assert_eq!(found.len(), expected.len());
    for (t, (a, b)) in found.iter().zip(expected).enumerate() {
        assert_close(a, b, 1e-15, &format!("x{t}"));
    }
}

#[test]
fn a_schedule_sets_the_rate_inside_the_momentum_update() {
    // heavy_ball with η halved every step: b₁ = g₀, x₁ = x₀ − η₀b₁; b₂ = μb₁ + g₁,
    // x₂ = x₁ − η₁b₂ (not the constant-η run's step scaled).
    let (eta, mu) = (0.1, 0.9);
    let hp = Hyperparameters::new().with("lr", eta).with("momentum", mu);
    let options = RunOptions {
        max_iters: 2,
        schedule: Some("step:1:0.5".parse().unwrap()),
        ..Default::default()
    };
    let t = run_quadratic("heavy_ball", hp, options);
    let g0 = grad(X0);
    let b1 = g0;
    let x1 = [X0[0] - eta * b1[0], X0[1] - eta * b1[1]];
    let g1 = grad(x1);
    let b2 = [mu * b1[0] + g1[0], mu * b1[1] + g1[1]];
    let x2 = [x1[0] - eta / 2.0 * b2[0], x1[1] - eta / 2.0 * b2[1]];
    assert_iterates(&t, &[X0, x1, x2]);
    let lrs: Vec<Option<f64>> = t.records.iter().map(|r| r.lr).collect();
    assert_eq!(lrs, [Some(0.1), Some(0.05), Some(0.025)]);
    // The recorded hyperparameters are the given ones.
    assert_eq!(t.hyperparameters["lr"], 0.1);
    assert_eq!(
        t.schedule,
        Some(Schedule::Step {
            every: 1,
            gamma: 0.5
        })
    );
}

#[test]
fn a_growing_exponential_schedule_follows_its_closed_form() {
    let schedule = Schedule::Exponential { gamma: 1.5 };
    let options = RunOptions {
        max_iters: 6,
        schedule: Some(schedule),
        ..Default::default()
    };
    let t = run_quadratic("gd", Hyperparameters::new().with("lr", 0.01), options);
    let mut x = X0;
    let mut expected = vec![x];
    for (step, record) in t.records.iter().enumerate().take(6) {
        let lr = schedule.closed_form(0.01, step);
        assert!((record.lr.unwrap() - lr).abs() <= 1e-16 * lr.max(1.0));
        let g = grad(x);
        x = [
            x[0] - record.lr.unwrap() * g[0],
            x[1] - record.lr.unwrap() * g[1],
        ];
        expected.push(x);
    }
    assert_iterates(&t, &expected);
}

#[test]
fn coupled_weight_decay_adds_lambda_x_to_the_gradient() {
    let (eta, lambda) = (0.1, 0.3);
    let options = RunOptions {
        max_iters: 1,
        weight_decay: Some(WeightDecay::coupled(lambda)),
        ..Default::default()
    };
    let t = run_quadratic(
        "gd",
        Hyperparameters::new().with("lr", eta),
        options.clone(),
    );
    let g = grad(X0);
    let x1 = [
        X0[0] - eta * (g[0] + lambda * X0[0]),
        X0[1] - eta * (g[1] + lambda * X0[1]),
    ];
    assert_iterates(&t, &[X0, x1]);
    // Adam's first step with g' = g + λx: x₁ = x₀ − η g'/(|g'| + ε) (m̂ = g', v̂ = g'²).
    let t = run_quadratic("adam", Hyperparameters::new().with("lr", eta), options);
    let coupled = [g[0] + lambda * X0[0], g[1] + lambda * X0[1]];
    let x1 = [
        X0[0] - eta * coupled[0] / (coupled[0].abs() + 1e-8),
        X0[1] - eta * coupled[1] / (coupled[1].abs() + 1e-8),
    ];
    assert_iterates(&t, &[X0, x1]);
}

#[test]
fn decoupled_weight_decay_is_adamw() {
    // torch.optim.AdamW, two steps by hand: x ← x(1 − ηλ), then Adam's update with the
    // gradient at the point before the shrink.
    let (eta, lambda, b1, b2, eps) = (0.1, 0.5, 0.9, 0.999, 1e-8);
    let options = RunOptions {
        max_iters: 2,
        weight_decay: Some(WeightDecay::decoupled(lambda)),
        ..Default::default()
    };
    let t = run_quadratic("adam", Hyperparameters::new().with("lr", eta), options);
    assert_eq!(t.weight_decay.unwrap().form, DecayForm::Decoupled);
    let (mut x, mut m, mut v) = (X0, [0.0; 2], [0.0; 2]);
    let mut expected = vec![x];
    for step in 1..=2 {
        let g = grad(x);
        for i in 0..2 {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            let m_hat = m[i] / (1.0 - b1.powi(step));
            let v_hat = v[i] / (1.0 - b2.powi(step));
            x[i] = x[i] * (1.0 - eta * lambda) - eta * m_hat / (v_hat.sqrt() + eps);
        }
        expected.push(x);
    }
    let found = iterates(&t);
    for (a, b) in found.iter().zip(&expected) {
        assert_close(a, b, 1e-14, "AdamW iterate");
    }
}

#[test]
fn training_options_need_a_gradient_step_method_and_a_finite_sum() {
    let message = |name: &str, problem: &str, options: RunOptions| {
        let (_, f) = problems::load(problem, &[]).unwrap();
        let mut opt = optim::build(name, &Hyperparameters::new()).unwrap();
        let x0 = point(f.as_ref(), 0);
        optim::run(f.as_ref(), opt.as_mut(), &x0, &options)
            .unwrap_err()
            .to_string()
    };
    let scheduled = RunOptions {
        schedule: Some(Schedule::Exponential { gamma: 0.9 }),
        ..Default::default()
    };
    let err = message("newton", "rosenbrock", scheduled);
    assert!(
        err.contains("schedule") && err.contains("`newton`"),
        "{err}"
    );
    let err = message("gd", "rosenbrock", sgd_options(4, 0, 10));
    assert!(
        err.contains("batch_size") && err.contains("`rosenbrock`"),
        "{err}"
    );
    let decayed = RunOptions {
        weight_decay: Some(WeightDecay::coupled(0.1)),
        ..Default::default()
    };
    let err = message("gd", "tensor_decomposition", decayed);
    assert!(err.contains("weight_decay"), "{err}");
    let err = message("gd", "matrix_sensing", sgd_options(0, 0, 10));
    assert!(err.contains("batch_size"), "{err}");
}

#[test]
fn run_trains_on_minibatches_with_a_schedule_and_weight_decay() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    let args = [
        "run",
        "--problem",
        "matrix_sensing",
        "--optimizer",
        "adam",
        "--lr",
        "0.01",
        "--batch-size",
        "16",
        "--seed",
        "2",
        "--schedule",
        "cosine:12:0.001",
        "--weight-decay",
        "1e-3",
        "--decoupled-weight-decay",
        "--iters",
        "12",
        "--record-every",
        "5",
    ];
    let j = json(&[&args[..], &["--json"]].concat());
    assert_eq!(j["schedule"]["kind"], "cosine");
    assert_eq!(j["schedule"]["t_max"], 12);
    assert_eq!(j["weight_decay"]["form"], "decoupled");
    assert_eq!(j["minibatch"]["seed"], 2);
    assert_eq!(j["minibatch"]["steps_per_epoch"], 4);
    assert_eq!(j["evaluation"]["every"], 4);
    assert_eq!(j["hyperparameters"]["lr"], 0.01);
    let iters: Vec<u64> = j["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["iter"].as_u64().unwrap())
        .collect();
    assert_eq!(iters, [0, 4, 5, 8, 10, 12]);
    assert_eq!(j["records"][0]["lr"], 0.01);
    assert!(j["records"][1]["train_loss"].is_f64());
    assert!(j["records"][2].get("train_loss").is_none());
    // The table says how the metrics were computed; the CSV carries them.
    let out = landscape(&[&args[..], &["--out", csv.to_str().unwrap()]].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("16 of 60 samples") && text.contains("full-batch"),
        "{text}"
    );
    let header = std::fs::read_to_string(&csv).unwrap();
    assert!(
        header.starts_with("iter,value,grad_norm,step_norm,lr,train_loss,train_grad_norm\n"),
        "{header}"
    );
}

#[test]
fn run_rejects_bad_training_flags() {
    let run = ["run", "--problem", "matrix_sensing", "--optimizer", "gd"];
    let with = |extra: &[&'static str]| [&run[..], extra].concat();
    assert_bad_input(&with(&["--batch-size", "0"]), &["batch-size", "≥ 1"]);
    assert_bad_input(
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--batch-size",
            "4",
        ],
        &["batch-size", "finite sum", "`rosenbrock`"],
    );
    assert_bad_input(&with(&["--schedule", "cos:3"]), &["schedule", "cosine:T"]);
    assert_bad_input(&with(&["--schedule", "step:0:0.5"]), &["schedule", "s ≥ 1"]);
    assert_bad_input(&with(&["--weight-decay", "-1"]), &["weight-decay", "≥ 0"]);
    assert_bad_input(&with(&["--eval-every", "0"]), &["eval-every", "≥ 1"]);
    assert_bad_input(
        &[
            "run",
            "--problem",
            "matrix_sensing",
            "--optimizer",
            "lbfgs",
            "--schedule",
            "exp:0.9",
        ],
        &["schedule", "learning rate", "`lbfgs`"],
    );
}
