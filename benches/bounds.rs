//! `landscape bounds`: GD with η = 1/β and the descent-lemma bookkeeping on a d = 500
//! quadratic for 1000 steps (β exact: dense eigenvalues of A), and with β estimated
//! along the path on a non-convex problem (matrix_factorization, n = 100, r = 3, d = 300,
//! from near the saddle at 0, so the estimate takes two runs:
//! Lanczos for ‖∇²f‖₂ at x₀ and at 10 sampled iterates per run).
//!
//! `cargo bench --bench bounds`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::experiments::bounds::{bounds, BoundsOptions};
use landscape::problems;

fn quadratic(c: &mut Criterion) {
    let d = 500;
    let eigenvalues: Vec<String> = (0..d)
        .map(|i| format!("{}", 1.0 + 99.0 * i as f64 / (d - 1) as f64))
        .collect();
    let overrides = [
        format!("eigenvalues=[{}]", eigenvalues.join(",")),
        format!("b=[{}]", vec!["1"; d].join(",")),
    ];
    let (_, f) = problems::load("quadratic", &overrides).unwrap();
    let x0 = vec![1.0; d];
    let opts = BoundsOptions {
        iters: 1000,
        ..BoundsOptions::default()
    };
    let mut group = c.benchmark_group("bounds");
    group.sample_size(10);
    group.bench_function("quadratic_d500_1000_steps", |b| {
        b.iter(|| bounds(f.as_ref(), black_box(&x0), &opts).unwrap())
    });
    let given = BoundsOptions {
        beta: Some(100.0),
        ..opts.clone()
    };
    group.bench_function("quadratic_d500_1000_steps_beta_given", |b| {
        b.iter(|| bounds(f.as_ref(), black_box(&x0), &given).unwrap())
    });
    group.finish();
}

fn estimate(c: &mut Criterion) {
    let overrides = ["n=100".to_string(), "rank=3".to_string()];
    let (_, f) = problems::load("matrix_factorization", &overrides).unwrap();
    let x0 = landscape::point::resolve_point("random:0.01:1", f.as_ref(), "init").unwrap();
    let opts = BoundsOptions {
        iters: 200,
        ..BoundsOptions::default()
    };
    let mut group = c.benchmark_group("bounds");
    group.sample_size(10);
    group.bench_function("estimate_matrix_factorization_d300_200_steps", |b| {
        b.iter(|| bounds(f.as_ref(), black_box(&x0), &opts).unwrap())
    });
    group.finish();
}

criterion_group!(benches, quadratic, estimate);
criterion_main!(benches);
