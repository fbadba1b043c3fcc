//! Atlas speed: one entry's 20 runs (descent, polish, classification) for a cheap and a
//! costly entry, and the whole default atlas (goal: well under a minute on 2 cores).

use criterion::{criterion_group, criterion_main, Criterion};

use landscape::experiments::atlas::{atlas, atlas_row, AtlasOptions, ENTRIES};

fn entry_rows(c: &mut Criterion) {
    let opts = AtlasOptions::default();
    let mut group = c.benchmark_group("atlas");
    group.sample_size(10);
    for name in ["matrix_factorization", "relu_net"] {
        let entry = ENTRIES
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .subject()
            .unwrap();
        group.bench_function(format!("{name}_20_runs"), |b| {
            b.iter(|| atlas_row(&entry, &opts, &|| ()).unwrap())
        });
    }
    group.bench_function("default_atlas", |b| b.iter(|| atlas(&opts).unwrap()));
    group.finish();
}

criterion_group!(benches, entry_rows);
criterion_main!(benches);
