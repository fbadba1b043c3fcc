//! Cost of value, gradient and HVP for every kind, at the shipped (small) size and at a
//! realistic size. Goal: an HVP costs at most 3× a gradient.
//!
//! `export/matrix_completion_n1e4`: `landscape export`'s library side (the point, a
//! direction and the completion's CSR data as .npy files, d = 10⁵, |Ω| ≈ 10⁵).
//! `instance/matrix_completion_n1e4`: generating that instance (U*, then one uniform draw
//! for each of the n(n+1)/2 = 5·10⁷ pairs i ≤ j, by blocks of rows in parallel).
//!
//! `cargo bench --bench derivatives` (add a filter such as `matrix_completion` to run one
//! kind).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::problems::{self, KINDS};
use landscape::random::{gaussian_vector, rng};

/// `--set` overrides of a realistic instance, per kind (None: the shipped size only).
fn realistic(kind: &str) -> Option<Vec<String>> {
    let sets: &[&str] = match kind {
        "quadratic" => {
            // n = 500, indefinite spectrum ±1..±250, b = 𝟏.
            let n = 500;
            let eigenvalues: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "{}",
                        if i % 2 == 0 { 1.0 } else { -1.0 } * (1 + i / 2) as f64
                    )
                })
                .collect();
            return Some(vec![
                format!("eigenvalues=[{}]", eigenvalues.join(",")),
                format!("b=[{}]", vec!["1.0"; n].join(",")),
            ]);
        }
        "matrix_factorization" => &["n=200", "rank=10"],
        "matrix_factorization_asym" => &["n1=200", "n2=150", "rank=10"],
        "matrix_sensing" => &["n=50", "rank=3", "true_rank=3", "measurements=2000"],
        "matrix_completion" => &["n=2000", "rank=10", "true_rank=10", "p=0.05"],
        "tensor_decomposition" => &["n=50", "rank=50"],
        "tensor_factorization" => &["n=100", "rank=10", "true_rank=10", "order=3"],
        "quadratic_net" => &["d=50", "k=50", "teacher_k=10", "samples=1000"],
        "linear_net" => &["widths=[64,64,64,64,64,64]", "samples=1000"],
        // Depth 10, width 256, a batch of 256: the size compared with PyTorch's CPU
        // backward pass (README, "Performance").
        "mlp" => &[
            "samples=256",
            "inputs=256",
            "outputs=10",
            "widths=[256,256,256,256,256,256,256,256,256,256]",
            "activation=\"relu\"",
        ],
        "relu_net" => &["n=20", "k=20"],
        "octopus" => &["d=1000"],
        _ => return None,
    };
    Some(sets.iter().map(|s| s.to_string()).collect())
}

fn bench_kind(c: &mut Criterion, label: &str, kind: &str, overrides: &[String]) {
    let (_, f) = problems::load(kind, overrides).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let mut x = gaussian_vector(&mut rng(1), f.dim());
    f.manifold().retract_in_place(&mut x);
    let v = gaussian_vector(&mut rng(2), f.dim());
    let mut out = vec![0.0; f.dim()];
    let mut group = c.benchmark_group(format!("{kind}/{label} (dim {})", f.dim()));
    group.bench_function("value", |b| b.iter(|| f.value(black_box(&x))));
    group.bench_function("gradient", |b| {
        b.iter(|| f.gradient(black_box(&x), &mut out))
    });
    group.bench_function("hvp", |b| {
        b.iter(|| f.hvp(black_box(&x), black_box(&v), &mut out))
    });
    group.finish();
}

fn derivatives(c: &mut Criterion) {
    for kind in KINDS {
        bench_kind(c, "shipped", kind.name, &[]);
        if let Some(overrides) = realistic(kind.name) {
            bench_kind(c, "realistic", kind.name, &overrides);
        }
    }
}

fn export(c: &mut Criterion) {
    let sets = ["n=10000", "rank=10", "true_rank=10", "p=0.001"].map(String::from);
    c.bench_function("instance/matrix_completion_n1e4", |b| {
        b.iter(|| black_box(problems::load("matrix_completion", &sets).unwrap()))
    });
    let (_, f) = problems::load("matrix_completion", &sets).unwrap();
    let x = gaussian_vector(&mut rng(1), f.dim());
    let dir = tempfile::tempdir().unwrap();
    c.bench_function("export/matrix_completion_n1e4", |b| {
        b.iter(|| landscape::export::write_instance(dir.path(), f.as_ref(), &x, Some(&x)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = derivatives, export
}
criterion_main!(benches);
