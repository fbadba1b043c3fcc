//! Census and classification speed: a Himmelblau census of 10⁴ starts (goal: well under a
//! second), the census of issue 18 (matrix_factorization n = 100, r = 5, true rank 8,
//! d = 500, 10 starts: the descent's stop at the rounding floor of f, the faer product in
//! the HVP and in the dense spectrum's QᵀAQ; 14 CPU s before, 1.8 after) and one
//! classification at a matrix_factorization saddle.

use criterion::{criterion_group, criterion_main, Criterion};

use landscape::census::{census, CensusOptions};
use landscape::classify::{classify, ClassifyOptions};
use landscape::problems;

fn himmelblau_census(c: &mut Criterion) {
    let (_, f) = problems::load("himmelblau", &[]).unwrap();
    let opts = CensusOptions {
        starts: 10_000,
        ..CensusOptions::default()
    };
    let mut group = c.benchmark_group("census");
    group.sample_size(10);
    group.bench_function("himmelblau_10k_starts", |b| {
        b.iter(|| census(f.as_ref(), &opts).unwrap())
    });
    let overrides = ["n=100", "rank=5", "true_rank=8"].map(String::from);
    let (_, f) = problems::load("matrix_factorization", &overrides).unwrap();
    let opts = CensusOptions {
        starts: 10,
        ..CensusOptions::default()
    };
    group.bench_function("matrix_factorization_d500_10_starts", |b| {
        b.iter(|| census(f.as_ref(), &opts).unwrap())
    });
    group.finish();
}

fn classify_matrix_factorization(c: &mut Criterion) {
    // The shipped instance: n = 6, r = 2, at the strict saddle eig:1,3.
    let (_, f) = problems::load("matrix_factorization", &[]).unwrap();
    let x = f.known_point("eig:1,3").unwrap().x;
    let opts = ClassifyOptions::default();
    c.bench_function("classify/matrix_factorization_eig_1_3", |b| {
        b.iter(|| classify(f.as_ref(), &x, &opts).unwrap())
    });
}

criterion_group!(benches, himmelblau_census, classify_matrix_factorization);
criterion_main!(benches);
