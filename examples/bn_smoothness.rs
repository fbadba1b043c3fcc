//! Batch normalisation and the smoothness of the landscape (Santurkar et al. 2018):
//! along the training paths of the same 8-layer ReLU network with and without it, the
//! loss variation, gradient predictiveness and effective β-smoothness along the
//! gradient, and the exact Hessian's extreme eigenvalues by Lanczos.
//!
//! `cargo run --release --example bn_smoothness` prints the table of the default
//! instance, the ratios plain/BN and the claims.

use std::time::Instant;

use landscape::experiments::normalisation::smoothness::{smoothness, SmoothnessOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    print!("{}", smoothness(&SmoothnessOptions::default())?);
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
