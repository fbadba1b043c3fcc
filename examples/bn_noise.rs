//! Not internal covariate shift (Santurkar et al. 2018): the same network without
//! normalisation, with batch normalisation, and with noise after every batch
//! normalisation that shifts the layers' distributions at every step.
//!
//! `cargo run --release --example bn_noise` prints the table of the default instance
//! (6 hidden layers of 64 on the digits, 1,000 steps, 2 seeds per network) and its
//! claims.

use std::time::Instant;

use landscape::experiments::normalisation::noise::{bn_noise, BnNoiseOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = bn_noise(&BnNoiseOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
