//! Depth and gradients at initialisation: 50 square layers of 64 on the digits, eight
//! activations × four initialisations (std 0.01, std 1, Xavier, Kaiming), the fitted
//! factor per layer of the activation variance and of the gradients beside mean-field
//! theory's, and the course's claims.
//!
//! `cargo run --release --example depth` prints the table of `landscape experiment
//! depth` (≈ 40 s of CPU: ≈ 25–60 s on 2 threads).

use std::time::Instant;

use landscape::experiments::deep::depth::{depth, DepthOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = depth(&DepthOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
