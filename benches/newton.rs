//! Cost of the second-order and argmin-backed optimizers at d = 50
//! (`matrix_factorization`, n = 25, rank 2: f(U) = ¼‖UUᵀ − M‖²_F):
//!
//! - `newton_step` / `saddle_free_step`: one step's displacement at a fixed point
//!   (d HVPs for the dense Hessian, then LU or the eigendecomposition);
//! - `lbfgs` / `trust_region`: 20 argmin iterations from a fixed start through our
//!   one-iteration driver (throughput = iterations per second);
//! - `adapter/*`: argmin's view of the objective ([`ArgminObjective`]: a fresh `DVector`
//!   per call, a length check) against calling the `Objective` directly.
//!
//! `cargo bench --bench newton` (add a filter such as `adapter` to run one group).

use std::hint::black_box;
use std::time::Duration;

use argmin::core::{CostFunction, Gradient, Hessian};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use landscape::argmin_interop::ArgminObjective;
use landscape::linalg::{dense_into, HessianAt};
use landscape::optim::argmin_solvers::{Lbfgs, TrustRegionNewton, DEFAULT_LBFGS_MEMORY};
use landscape::optim::newton::{Newton, DEFAULT_DAMPING};
use landscape::problems;
use landscape::random::{gaussian_vector, rng};
use nalgebra::{DMatrix, DVector};

const ITERATIONS: usize = 20;

fn problem() -> Box<dyn landscape::Objective> {
    let overrides = ["n=25".to_string(), "rank=2".to_string()];
    let (_, f) = problems::load("matrix_factorization", &overrides).expect("shipped kind");
    assert_eq!(f.dim(), 50);
    f
}

fn newton_steps(c: &mut Criterion) {
    let f = problem();
    let x = gaussian_vector(&mut rng(1), f.dim());
    let mut grad = vec![0.0; f.dim()];
    f.gradient(&x, &mut grad);
    let mut step = vec![0.0; f.dim()];
    let mut group = c.benchmark_group("newton (dim 50)");
    let mut newton = Newton::pure_or_damped(1.0).unwrap();
    group.bench_function("newton_step", |b| {
        b.iter(|| newton.displacement(f.as_ref(), black_box(&x), &grad, &mut step))
    });
    let mut saddle_free = Newton::saddle_free(1.0, DEFAULT_DAMPING).unwrap();
    group.bench_function("saddle_free_step", |b| {
        b.iter(|| saddle_free.displacement(f.as_ref(), black_box(&x), &grad, &mut step))
    });
    group.throughput(Throughput::Elements(ITERATIONS as u64));
    group.bench_function("lbfgs", |b| {
        b.iter(|| {
            let mut solver = Lbfgs::lbfgs(DEFAULT_LBFGS_MEMORY).unwrap();
            solver.prepare(f.as_ref()).unwrap();
            let mut y = x.clone();
            for _ in 0..ITERATIONS {
                if solver.iterate(f.as_ref(), &mut y).is_err() {
                    break;
                }
            }
            y
        })
    });
    group.bench_function("trust_region", |b| {
        b.iter(|| {
            let mut solver = TrustRegionNewton::trust_region();
            solver.prepare(f.as_ref()).unwrap();
            let mut y = x.clone();
            for _ in 0..ITERATIONS {
                if solver.iterate(f.as_ref(), &mut y).is_err() {
                    break;
                }
            }
            y
        })
    });
    group.finish();
}

fn adapter(c: &mut Criterion) {
    let f = problem();
    let d = f.dim();
    let x = gaussian_vector(&mut rng(1), d);
    let param = DVector::from_column_slice(&x);
    let problem = ArgminObjective::new(f.as_ref());
    let mut out = vec![0.0; d];
    let mut basis = vec![0.0; d];
    let mut h = DMatrix::zeros(d, d);
    let mut group = c.benchmark_group("adapter (dim 50)");
    group.bench_function("value/direct", |b| b.iter(|| f.value(black_box(&x))));
    group.bench_function("value/argmin", |b| {
        b.iter(|| problem.cost(black_box(&param)).unwrap())
    });
    group.bench_function("gradient/direct", |b| {
        b.iter(|| f.gradient(black_box(&x), &mut out))
    });
    group.bench_function("gradient/argmin", |b| {
        b.iter(|| problem.gradient(black_box(&param)).unwrap())
    });
    group.bench_function("hessian/direct", |b| {
        b.iter(|| {
            dense_into(
                &HessianAt::euclidean(f.as_ref(), black_box(&x)),
                &mut basis,
                &mut h,
            )
        })
    });
    group.bench_function("hessian/argmin", |b| {
        b.iter(|| problem.hessian(black_box(&param)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = newton_steps, adapter
}
criterion_main!(benches);
