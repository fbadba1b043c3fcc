//! Pre-training as initialisation: a network pre-trained on digits 0–4 (output layer
//! re-initialised) against the same network from its Kaiming start, fine-tuned on
//! digits 5–9.
//!
//! `cargo run --release --example pretraining` prints the per-start table of the default
//! instance (6 starts, 4 × 64 ReLU, 300 + 300 steps) and its claims, in ≈ 10 s on 2
//! threads.

use std::time::Instant;

use landscape::experiments::deep::pretraining::{pretraining, PretrainingOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = pretraining(&PretrainingOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
