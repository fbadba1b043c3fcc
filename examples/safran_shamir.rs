//! Safran & Shamir 2018: plain gradient descent on a two-layer ReLU network fitting a
//! teacher of the same width k often ends in a spurious local minimum, and more often as
//! k grows; every spurious end point is certified (tiny gradient, λmin of the exact
//! Hessian > 0).
//!
//! `cargo run --release --example safran_shamir` prints the table for n = k = 6..=12
//! with 60 runs each, in ≈ 4 s on 2 idle threads. The paper's full table (k = 6..=20, 1000
//! runs each) is `landscape experiment safran-shamir` (720 CPU seconds: ≈ 6 min on 2 cores).

use std::time::Instant;

use landscape::experiments::safran_shamir::{safran_shamir, SafranShamirOptions};

fn main() -> landscape::Result<()> {
    let options = SafranShamirOptions {
        ks: (6..=12).collect(),
        runs: 60,
        seed: 2018,
        ..SafranShamirOptions::default()
    };
    let started = Instant::now();
    let report = safran_shamir(&options)?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
