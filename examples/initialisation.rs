//! Initialisation, measured: Xavier against Kaiming on a deep ReLU network (He et al.
//! 2015), then zero, small and large initialisation of a 3-hidden-layer network on the
//! digits, each ending with the course's claims and whether they hold.
//!
//! `cargo run --release --example initialisation` runs both at their `--quick` sizes
//! (a few seconds);
//! `landscape experiment kaiming` and `landscape experiment init` run the full sizes.

use std::time::Instant;

use landscape::experiments::deep::init::{init, InitOptions};
use landscape::experiments::deep::kaiming::{kaiming, KaimingOptions};

fn main() -> landscape::Result<()> {
    let started = Instant::now();
    let he = kaiming(&KaimingOptions::quick())?;
    print!("{he}");
    println!();
    let zero_small_large = init(&InitOptions::quick())?;
    print!("{zero_small_large}");
    // What a claim carries: the statement, the verdict and the numbers.
    let plateau = zero_small_large
        .claims
        .iter()
        .find(|c| c.claim.contains("plateau"))
        .expect("the plateau claim");
    println!(
        "plateau claim holds: {}; measured: {}",
        plateau.holds, plateau.measured
    );
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
