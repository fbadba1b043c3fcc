//! Cost of a slice: grid evaluation and rendering.
//!
//! - `slice_grid/matrix_factorization_200x200`: f on a 200 × 200 grid of a random
//!   filter-normalised plane of the shipped `matrix_factorization` problem (rows in
//!   parallel with rayon).
//! - `slice_render/png_200x200` and `slice_render/svg_200x200`: rendering that grid as a
//!   960 × 680 heatmap with contour lines (no grid evaluation).
//! - `slice_render/surface_png`: the 3-D surface view of the same grid.
//!
//! `cargo bench --bench plot`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use landscape::plot::directions::random_plane;
use landscape::plot::grid::{evaluate_grid, GridSpec};
use landscape::plot::slice::{SliceFigure, SliceOptions, SliceView};
use landscape::plot::{render, ImageFormat};
use landscape::problems;
use landscape::random::{gaussian_vector, rng};

fn slice(c: &mut Criterion) {
    let (_, f) = problems::load("matrix_factorization", &[]).unwrap();
    let x0 = gaussian_vector(&mut rng(1), f.dim());
    let plane = random_plane(f.as_ref(), &x0, 0).unwrap();
    let spec = GridSpec {
        alpha: (-1.0, 1.0),
        beta: (-1.0, 1.0),
        nx: 200,
        ny: 200,
    };
    let mut group = c.benchmark_group("slice_grid");
    group.bench_function("matrix_factorization_200x200", |b| {
        b.iter(|| evaluate_grid(f.as_ref(), black_box(&plane), &spec).unwrap())
    });
    group.finish();

    let figure = |view| {
        SliceFigure::builder(plane.clone())
            .options(SliceOptions {
                alpha: Some((-1.0, 1.0)),
                beta: Some((-1.0, 1.0)),
                resolution: 200,
                view,
                ..SliceOptions::default()
            })
            .build(f.as_ref())
            .unwrap()
    };
    let flat = figure(SliceView::HeatmapContour);
    let surface = figure(SliceView::Surface);
    let mut group = c.benchmark_group("slice_render");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for (name, format) in [
        ("png_200x200", ImageFormat::Png),
        ("svg_200x200", ImageFormat::Svg),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| render(black_box(&flat), format, (960, 680)).unwrap())
        });
    }
    group.bench_function("surface_png", |b| {
        b.iter(|| render(black_box(&surface), ImageFormat::Png, (960, 680)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, slice);
criterion_main!(benches);
