//! Du et al. 2017 on the octopus: GD's iterations to the minimum grow by a constant
//! factor per dimension, PGD's about linearly.
//!
//! `cargo run --release --example du2017` prints the table for d = 2..=9, 10 trials,
//! in ≈ 8 s on 2 threads (GD at d = 9 needs ≈ 7·10⁶ steps per run; d = 10 would add
//! ≈ 40–80 s: ≈ 3.4·10⁷ steps per run).

use std::time::Instant;

use landscape::experiments::du2017::{du2017, Du2017Options};

fn main() -> landscape::Result<()> {
    let options = Du2017Options {
        dims: (2..=9).collect(),
        trials: 10,
        seed: 2017,
        ..Du2017Options::default()
    };
    let started = Instant::now();
    let report = du2017(&options)?;
    print!("{report}");
    println!(
        "({:.1} s on {} threads)",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    Ok(())
}
