//! Training only γ and β of a batch-normalised network with random frozen weights, against training all parameters and only the output layer (Frankle et al. 2020).
//!
//! `cargo run --release --example gamma_beta` prints the table of the default instance and
//! its claims, with the time it took.

use std::time::Instant;

use landscape::experiments::normalisation::gamma_beta::{gamma_beta, GammaBetaOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = gamma_beta(&GammaBetaOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
