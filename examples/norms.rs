//! Batch normalisation's relatives against the batch size: none, batch, layer, weight,
//! instance and group normalisation trained at batch sizes 2, 4, 8, 32 and 128 with the
//! same samples seen, and each sample's outputs alone against inside a batch.
//!
//! `cargo run --release --example norms` prints the table of the default instance and
//! its claims.

use std::time::Instant;

use landscape::experiments::normalisation::relatives::{norms, NormsOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = norms(&NormsOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
