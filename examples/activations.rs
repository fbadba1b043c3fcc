//! Activations at equal depth: 10 layers of 64 on the digits with sigmoid, tanh, relu,
//! leaky_relu and gelu, each at its suited initialisation; per-layer gradient norms at
//! initialisation and 800 steps of SGD with momentum.
//!
//! `cargo run --release --example activations` prints the table of `landscape experiment
//! activations` (≈ 1 min on 2 threads; the saturating activations dominate).

use std::time::Instant;

use landscape::experiments::deep::activations::{activations, ActivationsOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = activations(&ActivationsOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
