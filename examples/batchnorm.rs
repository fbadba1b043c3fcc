//! Batch normalisation and the learning rate (Ioffe & Szegedy 2015): the same 8-layer
//! ReLU network with and without it, from the same weights, plain SGD over a grid of
//! learning rates, three seeds.
//!
//! `cargo run --release --example batchnorm` prints the table of the default instance
//! and its claims.

use std::time::Instant;

use landscape::experiments::normalisation::batchnorm::{batchnorm, BatchnormOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    print!("{}", batchnorm(&BatchnormOptions::default())?);
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
