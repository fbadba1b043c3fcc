//! Gradient clipping against cliffs: the deep scalar chain ½(w₁⋯w_L·x − y)² and a deep
//! ReLU network with a large step, without clipping and clipped by norm.
//!
//! `cargo run --release --example clipping` prints the table of the default instance
//! (100 chain starts, 16 network starts, thresholds 0.5, 2, 8) and its claims, in
//! ≈ 20 s on 2 threads.

use std::time::Instant;

use landscape::experiments::deep::clipping::{clipping, ClippingOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = clipping(&ClippingOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
