//! Cost of the spectrum picture and of the gallery.
//!
//! - `plot_spectrum/histogram_d200_png`: the dense spectrum (200 HVPs and the
//!   eigendecomposition) of a d = 200 indefinite quadratic at 0, binned and rendered to a
//!   960 × 680 PNG in memory.
//! - `plot_spectrum/density_d200_png`: the same problem's SLQ density (8 probes × 80
//!   Lanczos steps), rendered.
//! - `demo/quick`: `landscape demo --quick` into a temporary directory (every picture,
//!   its computations and README.md). Goal: under 15 s on 2 cores (full demo: under
//!   a minute).
//!
//! `cargo bench --bench demo`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::demo::{demo, DemoOptions};
use landscape::plot::spectrum::{spectrum_density, spectrum_histogram};
use landscape::plot::{render, ImageFormat};
use landscape::problems;
use landscape::spectrum::DensityOptions;

fn spectrum(c: &mut Criterion) {
    let n = 200;
    // Eigenvalues −50 … 149: a quarter negative.
    let eigenvalues: Vec<String> = (0..n).map(|i| format!("{}", i as f64 - 50.0)).collect();
    let (_, f) = problems::load(
        "quadratic",
        &[
            format!("eigenvalues = [{}]", eigenvalues.join(",")),
            format!("b = [{}]", vec!["0.0"; n].join(",")),
        ],
    )
    .unwrap();
    let x = vec![0.0; n];
    let mut group = c.benchmark_group("plot_spectrum");
    group.sample_size(10);
    group.bench_function("histogram_d200_png", |b| {
        b.iter(|| {
            let h = spectrum_histogram(f.as_ref(), black_box(&x), 40, "bench").unwrap();
            render(&h, ImageFormat::Png, (960, 680)).unwrap()
        })
    });
    group.bench_function("density_d200_png", |b| {
        b.iter(|| {
            let d = spectrum_density(f.as_ref(), black_box(&x), &DensityOptions::default(), "b")
                .unwrap();
            render(&d, ImageFormat::Png, (960, 680)).unwrap()
        })
    });
    group.finish();
}

fn gallery(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        out: dir.path().join("gallery"),
        quick: true,
    };
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("quick", |b| b.iter(|| demo(black_box(&options)).unwrap()));
    group.finish();
}

criterion_group!(benches, spectrum, gallery);
criterion_main!(benches);
