//! The Safran–Shamir experiment's inner loop: F and ∇F of `relu_net` with the identity
//! teacher, through the `Objective` implementation (`relu_net/…`) and through the
//! allocation-free [`IdentityTeacher`] (`identity_teacher/…`), at k = n = 6, 10, 20;
//! and one whole run of the protocol at k = 6 (GD to maxᵢ‖∇ᵢF‖ ≤ 10⁻⁹/(2π)).
//!
//! `cargo bench --bench safran_shamir` (filter: `-- identity_teacher`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::experiments::safran_shamir::gradient::IdentityTeacher;
use landscape::experiments::safran_shamir::{run_one, start, SafranShamirOptions};
use landscape::problems::relu_net::ReluNet;
use landscape::Objective;
use nalgebra::DMatrix;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("safran_shamir");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for k in [6, 10, 20] {
        let w = start(0, k, k, 0);
        let f = ReluNet::new(k, &DMatrix::identity(k, k)).unwrap();
        let mut grad = vec![0.0; k * k];
        group.bench_function(format!("relu_net/value_and_gradient/k=n={k}"), |b| {
            b.iter(|| f.value_and_gradient(black_box(&w), &mut grad))
        });
        let mut fast = IdentityTeacher::new(k, k);
        group.bench_function(
            format!("identity_teacher/value_and_gradient/k=n={k}"),
            |b| b.iter(|| fast.value_and_gradient(black_box(&w), &mut grad)),
        );
    }
    let options = SafranShamirOptions::default();
    let f = ReluNet::new(6, &DMatrix::identity(6, 6)).unwrap();
    let mut workspace = IdentityTeacher::new(6, 6);
    group.sample_size(20);
    group.bench_function("run/k=n=6", |b| {
        b.iter(|| run_one(&options, 6, 6, black_box(0), &mut workspace, &f).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
