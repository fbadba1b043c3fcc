//! The Hessian's SLQ spectral density with and without batch normalisation, at the start and after training (Ghorbani et al. 2019).
//!
//! `cargo run --release --example bn_spectrum` prints the table of the default instance and
//! its claims, with the time it took.

use std::time::Instant;

use landscape::experiments::normalisation::spectrum::{bn_spectrum, BnSpectrumOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = bn_spectrum(&BnSpectrumOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
