//! Optimizers and the run loop: update rules against the formulas written out by hand,
//! the GD contraction theorem, clipping, validation, stopping rules and retraction.

use landscape::optim::{self, Hyperparameters, RunOptions, Termination, Trajectory};
use landscape::problems::quadratic::Quadratic;
use nalgebra::DMatrix;

/// f(x) = ½xᵀAx with A = diag(2, 0.5): ∇f(x) = (2x₁, 0.5x₂).
fn diagonal_quadratic() -> Quadratic {
    Quadratic::new(
        DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![2.0, 0.5])),
        vec![0.0, 0.0],
    )
}

const X0: [f64; 2] = [1.0, -1.0];

/// Runs `name` for `iters` steps from X0 recording every iterate.
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

fn iterate(t: &Trajectory, iter: usize) -> Vec<f64> {
    let r = &t.records[iter];
    assert_eq!(r.iter, iter);
    r.x.clone().unwrap()
}

fn assert_close(found: &[f64], expected: &[f64], what: &str) {
    for (i, (a, b)) in found.iter().zip(expected).enumerate() {
        assert!(
            (a - b).abs() <= 1e-15 * (1.0 + b.abs()),
            "{what}[{i}]: found {a:e}, expected {b:e}"
        );
    }
}

#[test]
fn gd_first_two_steps() {
    // η = 0.1: x₁ = x₀ − η(2x₀₁, 0.5x₀₂) = (1 − 0.2, −1 + 0.05) = (0.8, −0.95);
    // x₂ = (0.8 − 0.1·1.6, −0.95 + 0.1·0.475) = (0.64, −0.9025).
    let hp = Hyperparameters {
        lr: Some(0.1),
        ..Default::default()
    };
    let t = run_steps("gd", &hp, 2);
    assert_close(&iterate(&t, 0), &[1.0, -1.0], "x0");
    assert_close(&iterate(&t, 1), &[0.8, -0.95], "x1");
    assert_close(&iterate(&t, 2), &[0.64, -0.9025], "x2");
    assert_eq!(t.termination, Termination::MaxIters);
    // step_norm of the first step: ‖(−0.2, 0.05)‖.
    assert!((t.records[1].step_norm - (0.04f64 + 0.0025).sqrt()).abs() < 1e-15);
}
