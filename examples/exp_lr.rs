//! An exponentially growing learning rate with weight decay, with and without batch normalisation (Li & Arora 2019).
//!
//! `cargo run --release --example exp_lr` prints the table of the default instance and
//! its claims, with the time it took.

use std::time::Instant;

use landscape::experiments::normalisation::exp_lr::{exp_lr, ExpLrOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let report = exp_lr(&ExpLrOptions::default())?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
