//! Saddle escape: 100 PGD trials from the `saddle` origin (the whole `landscape escape`
//! experiment, parallel over trials), and one PGD step against one GD step.
//!
//! `cargo bench --bench escape` (filter: `cargo bench --bench escape -- step`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::experiments::escape::{escape, EscapeMethod, EscapeOptions};
use landscape::optim::gd::{Gd, GdParams};
use landscape::optim::pgd::{Pgd, PgdMode, PgdParams, PgdThresholds};
use landscape::optim::{FirstOrder, Optimizer};
use landscape::problems::{self, saddle::Saddle};

fn pgd(g_thres: f64, t_thres: usize) -> Pgd {
    Pgd::new(PgdParams {
        mode: PgdMode::Practical(PgdThresholds {
            lr: 0.01,
            radius: 0.01,
            g_thres,
            t_thres,
            f_thres: 1e-6,
        }),
        ..Default::default()
    })
    .unwrap()
}

fn trials(c: &mut Criterion) {
    let f = Saddle::new();
    let method = EscapeMethod::Pgd(PgdParams {
        mode: PgdMode::Practical(PgdThresholds {
            lr: 0.01,
            radius: 0.01,
            t_thres: 1000,
            ..Default::default()
        }),
        ..Default::default()
    });
    let options = EscapeOptions {
        trials: 100,
        max_iters: 2000,
        ..EscapeOptions::new(method)
    };
    c.bench_function("escape/pgd_100_trials_saddle", |b| {
        b.iter(|| escape(&f, black_box(&[0.0, 0.0]), &options).unwrap())
    });
}

/// One step on matrix_factorization with n = 200, r = 5 (d = 1000) from a point with a
/// large gradient: GD; PGD without perturbing (its step is GD's plus one norm and a
/// counter); PGD perturbing every other step (t_thres = 1, g_thres = 10³⁰⁰: a ball sample
/// and one extra gradient, alternating with the decrease test's reset to x̃).
fn steps(c: &mut Criterion) {
    let overrides = [
        "n=200".to_string(),
        "rank=5".to_string(),
        "true_rank=5".to_string(),
    ];
    let (_, f) = problems::load("matrix_factorization", &overrides).unwrap();
    let d = f.dim();
    let x0: Vec<f64> = (0..d)
        .map(|i| ((i * 37 % 101) as f64 - 50.0) / 50.0)
        .collect();
    let mut grad = vec![0.0; d];
    let value = f.value_and_gradient(&x0, &mut grad);
    let mut next = vec![0.0; d];
    let mut group = c.benchmark_group("step");
    let mut gd = FirstOrder::<Gd>::new(GdParams { lr: 1e-6 }).unwrap();
    let mut quiet = pgd(0.0, 1000);
    let mut perturbing = pgd(1e300, 1);
    let mut x = x0.clone();
    let methods: [(&str, &mut dyn Optimizer); 3] = [
        ("gd", &mut gd),
        ("pgd_no_perturbation", &mut quiet),
        ("pgd_perturbing", &mut perturbing),
    ];
    for (name, opt) in methods {
        opt.start(f.as_ref(), &x0).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                x.copy_from_slice(&x0);
                opt.step(f.as_ref(), black_box(&mut x), value, &grad, &mut next)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, trials, steps);
criterion_main!(benches);
