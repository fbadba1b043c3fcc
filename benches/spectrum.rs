//! Cost of the Hessian spectrum.
//!
//! - `dense_eigen/1000`: the symmetric eigendecomposition (values and vectors: blocked
//!   reduction, faer's divide and conquer on T) of a random symmetric 1000 × 1000
//!   matrix, alone. Goal: within 1.5× of LAPACK's `dsyevd`
//!   (numpy.linalg.eigh) on the same size. `dense_eigen/1000_values`: the eigenvalues
//!   alone (against `eigvalsh`); `dense_eigen/1000_extremes`: every eigenvalue and the
//!   6 + 6 extreme pairs, what the dense spectrum computes (blocked tridiagonalisation,
//!   root-free QL eigenvalues, inverse iteration).
//! - `dense_spectrum/quadratic_1000`: the whole dense path on a `quadratic` with 1000
//!   eigenvalues: Hessian assembly from 1000 HVPs plus the eigensolve.
//! - `lanczos_lambda_min/matrix_completion_n1e4_r10`: λmin (k = 1) of a matrix_completion
//!   Hessian with n = 10⁴, r = 10 (d = 10⁵), p = 0.01, by thick-restarted Lanczos with
//!   partial reorthogonalisation (the step costs about one HVP), the 45
//!   rotation modes projected out; `…_unprojected`: the same without the projection
//!   (goal: the projected run within 1.2× of it). The HVP counts are printed once.
//! - `symmetry_projection/matrix_completion_n1e4_r10`: one projection P v onto that
//!   reduced space (the rotation orbit in its r × r form), alone.
//!
//! `cargo bench --bench spectrum` (add a filter such as `dense` to run one group).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::linalg::{
    symmetric_eigen, symmetric_eigen_selected, symmetric_eigenvalues_of, SymmetricOperator,
};
use landscape::problems;
use landscape::random::{gaussian_matrix, gaussian_vector, rng};
use landscape::spectrum::{hessian_spectrum, Method, ReducedSpace, SpectrumOptions};

fn dense(c: &mut Criterion) {
    let n = 1000;
    let g = gaussian_matrix(&mut rng(1), n, n);
    let a = (&g + g.transpose()) * 0.5;
    let mut group = c.benchmark_group("dense_eigen");
    group.sample_size(10);
    group.bench_function("1000", |b| {
        b.iter(|| symmetric_eigen(black_box(&a)).unwrap())
    });
    group.bench_function("1000_values", |b| {
        b.iter(|| symmetric_eigenvalues_of(black_box(&a)).unwrap())
    });
    let extremes: Vec<usize> = (0..6).chain(n - 6..n).collect();
    group.bench_function("1000_extremes", |b| {
        b.iter(|| symmetric_eigen_selected(black_box(&a), &extremes).unwrap())
    });
    group.finish();

    let eigenvalues: Vec<String> = (0..n).map(|i| format!("{}", i as f64 - 300.0)).collect();
    let (_, f) = problems::load(
        "quadratic",
        &[
            format!("eigenvalues = [{}]", eigenvalues.join(",")),
            format!("b = [{}]", vec!["0.0"; n].join(",")),
        ],
    )
    .unwrap();
    let x = vec![0.0; n];
    let opts = SpectrumOptions {
        method: Method::Dense,
        ..Default::default()
    };
    let mut group = c.benchmark_group("dense_spectrum");
    group.sample_size(10);
    group.bench_function("quadratic_1000", |b| {
        b.iter(|| hessian_spectrum(f.as_ref(), black_box(&x), &opts).unwrap())
    });
    group.finish();
}

fn lanczos(c: &mut Criterion) {
    let overrides: Vec<String> = ["n=10000", "rank=10", "true_rank=10", "p=0.01", "seed=0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (_, f) = problems::load("matrix_completion", &overrides).unwrap();
    let mut x = gaussian_vector(&mut rng(2), f.dim());
    x.iter_mut().for_each(|v| *v *= 0.3);
    let opts = SpectrumOptions {
        method: Method::Lanczos,
        k: 1,
        tol: 1e-6,
        ..Default::default()
    };
    let unprojected = SpectrumOptions {
        project_symmetries: false,
        ..opts.clone()
    };
    for opts in [&opts, &unprojected] {
        let s = hessian_spectrum(f.as_ref(), &x, opts).unwrap();
        eprintln!(
            "matrix_completion n = 10⁴, r = 10 (d = {}): λmin = {:.6e} (residual {:.1e}), \
             λmax = {:.6e}, converged = {}, {} HVPs, {} symmetry modes",
            f.dim(),
            s.smallest[0].value,
            s.smallest[0].residual,
            s.largest[0].value,
            s.converged,
            s.hvp_count,
            s.symmetry_modes
        );
    }
    let mut group = c.benchmark_group("lanczos_lambda_min");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("matrix_completion_n1e4_r10", |b| {
        b.iter(|| hessian_spectrum(f.as_ref(), black_box(&x), &opts).unwrap())
    });
    group.bench_function("matrix_completion_n1e4_r10_unprojected", |b| {
        b.iter(|| hessian_spectrum(f.as_ref(), black_box(&x), &unprojected).unwrap())
    });
    group.finish();

    let space = ReducedSpace::new(f.as_ref(), &x, true).unwrap();
    let mut v = gaussian_vector(&mut rng(3), f.dim());
    let mut group = c.benchmark_group("symmetry_projection");
    group.bench_function("matrix_completion_n1e4_r10", |b| {
        b.iter(|| space.project(black_box(&mut v)))
    });
    group.finish();
}

criterion_group!(benches, dense, lanczos);
criterion_main!(benches);
