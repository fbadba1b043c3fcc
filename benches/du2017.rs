//! The Du et al. 2017 experiment, small: one GD run in the log domain at d = 6
//! (≈ 5·10⁴ steps: the cost per GD step on the octopus, log tracking included), one PGD
//! run through the run loop at d = 6, and the whole experiment at d = 5 with 4 trials.
//!
//! `cargo bench --bench du2017` (filter: `cargo bench --bench du2017 -- gd`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use landscape::experiments::du2017::{du2017, gd, run_pgd, start, Du2017Options};
use landscape::problems::octopus::Octopus;

fn bench(c: &mut Criterion) {
    let e = std::f64::consts::E;
    let options = Du2017Options {
        dims: vec![5],
        trials: 4,
        ..Du2017Options::default()
    };
    let f = Octopus::new(6, e, e, 1.0).unwrap();
    let (x0, seed) = start(&options, 6, 0);
    let lr = options.step();
    let steps = gd::run(&f, &x0, lr, options.tolerance, options.max_iters, true).iterations;

    let mut group = c.benchmark_group("du2017");
    group
        .measurement_time(Duration::from_secs(5))
        .sample_size(10);
    group.throughput(Throughput::Elements(steps as u64));
    group.bench_function("gd_log_domain/d=6", |b| {
        b.iter(|| gd::run(&f, black_box(&x0), lr, 1e-3, 100_000_000, true))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("pgd/d=6", |b| {
        b.iter(|| run_pgd(&f, black_box(&x0), seed, &options).unwrap())
    });
    group.bench_function("experiment/d=5,trials=4", |b| {
        b.iter(|| du2017(black_box(&options)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
