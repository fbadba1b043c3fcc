//! One step of each optimizer on a d = 10⁶ diagonal quadratic (elementwise, by chunks in
//! parallel), against a plain copy of the same vectors by the same chunks: criterion's
//! bytes/s throughput is the bandwidth reached, to compare with `copy`'s (GD is
//! memory-bound; rules with a square root and a division per coordinate are not). And
//! the run loop's overhead.
//!
//! `cargo bench --bench optim` (filter: `cargo bench --bench optim -- step/adam`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use landscape::optim::{self, Hyperparameters, RunOptions};
use landscape::{problems, Layout, Objective};
use rayon::prelude::*;

const DIM: usize = 1_000_000;

/// f(x) = ½ Σ λᵢxᵢ², λᵢ ∈ [0.5, 1.5]: a quadratic that fits in memory at d = 10⁶.
struct DiagonalQuadratic {
    diagonal: Vec<f64>,
}

impl DiagonalQuadratic {
    fn new(dim: usize) -> Self {
        let diagonal = (0..dim).map(|i| 0.5 + (i % 101) as f64 / 100.0).collect();
        DiagonalQuadratic { diagonal }
    }
}

impl Objective for DiagonalQuadratic {
    fn kind(&self) -> &'static str {
        "diagonal_quadratic"
    }
    fn dim(&self) -> usize {
        self.diagonal.len()
    }
    fn value(&self, x: &[f64]) -> f64 {
        0.5 * x
            .iter()
            .zip(&self.diagonal)
            .map(|(x, l)| l * x * x)
            .sum::<f64>()
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        grad.iter_mut()
            .zip(x.iter().zip(&self.diagonal))
            .for_each(|(g, (x, l))| *g = l * x);
    }
    fn hvp(&self, _x: &[f64], v: &[f64], out: &mut [f64]) {
        out.iter_mut()
            .zip(v.iter().zip(&self.diagonal))
            .for_each(|(o, (v, l))| *o = l * v);
    }
    fn layout(&self) -> Layout {
        Layout::single("x", &[self.diagonal.len()])
    }
}

/// f64 vectors each step reads plus those it writes (x, g and the state).
fn vectors_touched(name: &str) -> u64 {
    match name {
        "gd" => 3,                                              // read x, g; write x
        "heavy_ball" | "nesterov" | "adagrad" | "rmsprop" => 5, // + one state vector
        _ => 7,                                                 // adadelta, adam: two
    }
}

fn steps(c: &mut Criterion) {
    let f = DiagonalQuadratic::new(DIM);
    let x0: Vec<f64> = (0..DIM).map(|i| ((i % 7) as f64 - 3.0) * 0.1).collect();
    let mut grad = vec![0.0; DIM];
    f.gradient(&x0, &mut grad);
    let mut next_grad = vec![0.0; DIM];
    let bytes = |vectors: u64| Throughput::Bytes(vectors * 8 * DIM as u64);

    let mut group = c.benchmark_group("step");
    group.throughput(bytes(2));
    let mut y = vec![0.0; DIM];
    // The baseline: the same bytes moved by a copy in the same parallel chunks as the
    // steps (all threads: what the memory system gives).
    group.bench_function("copy", |b| {
        b.iter(|| {
            y.par_chunks_mut(1 << 14)
                .zip(black_box(&x0).par_chunks(1 << 14))
                .for_each(|(y, x)| y.copy_from_slice(x));
            black_box(&y);
        })
    });
    for entry in optim::OPTIMIZERS {
        let mut opt = optim::build(entry.name, &Hyperparameters::default()).unwrap();
        let mut x = x0.clone();
        // The second-order and argmin-backed methods refuse d = 10⁶ (dense Hessian):
        // benches/newton.rs measures them at d = 50.
        if opt.start(&f, &x).is_err() {
            continue;
        }
        group.throughput(bytes(vectors_touched(entry.name)));
        group.bench_function(entry.name, |b| {
            b.iter(|| {
                opt.step(&f, &mut x, 0.0, black_box(&grad), &mut next_grad);
                black_box(&x);
            })
        });
    }
    group.finish();
}

fn run_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    // Loop overhead: 1000 GD iterations on the 2-D Rosenbrock (evaluation is cheap).
    let (_, rosenbrock) = problems::load("rosenbrock", &[]).unwrap();
    let options = RunOptions {
        max_iters: 1000,
        grad_tol: 1e-300,
        ..Default::default()
    };
    group.bench_function("gd_rosenbrock_1000_iters", |b| {
        let hp = Hyperparameters::new().with("lr", 1e-4);
        let mut gd = optim::build("gd", &hp).unwrap();
        b.iter(|| optim::run(rosenbrock.as_ref(), gd.as_mut(), &[-1.0, 1.0], &options).unwrap())
    });
    // 10 Adam iterations at d = 10⁶, evaluation included.
    let f = DiagonalQuadratic::new(DIM);
    let x0 = vec![1.0; DIM];
    let options = RunOptions {
        max_iters: 10,
        ..Default::default()
    };
    group.bench_function("adam_diagonal_1e6_10_iters", |b| {
        let mut adam = optim::build("adam", &Hyperparameters::default()).unwrap();
        b.iter(|| optim::run(&f, adam.as_mut(), &x0, &options).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = steps, run_loop
}
criterion_main!(benches);
