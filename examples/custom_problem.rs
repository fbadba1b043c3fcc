//! Your own objective under the toolkit: implement [`Objective`] for a function of your
//! own, then classify its stationary points, look at the Hessian's spectrum, take a
//! census, run an optimizer and draw the landscape.
//!
//! The function is the "egg box" f(x, y) = (x² − 1)² + (y² − 1)² + c·xy with a small
//! coupling c = 0.2: with c = 0 its nine stationary points are the products of
//! {−1, 0, 1}² — four minima at (±1, ±1), four saddles, a maximum at 0 — and the
//! coupling tilts the minima apart while keeping the origin a maximum: the pair with
//! xy < 0 becomes the global one. On the anti-diagonal x = −y, f = 2(x² − 1)² − c·x² is
//! least at x² = 1 + c/4, so f* = −c − c²/8, and the pair with xy > 0 are spurious
//! local minima at f = c − c²/8.
//!
//! ∇f = (4x(x² − 1) + c·y, 4y(y² − 1) + c·x),
//! ∇²f = [[12x² − 4, c], [c, 12y² − 4]].
//!
//! `cargo run --release --example custom_problem` prints the verdicts, the census and
//! the run, and writes `egg_box.png` into the current directory.

use std::path::Path;

use landscape::optim;
use landscape::plot::directions::coordinate_plane;
use landscape::plot::slice::{SliceFigure, SliceOptions};
use landscape::prelude::*;

/// f(x, y) = (x² − 1)² + (y² − 1)² + c·xy.
struct EggBox {
    coupling: f64,
}

impl Objective for EggBox {
    fn kind(&self) -> &'static str {
        "egg_box"
    }

    fn dim(&self) -> usize {
        2
    }

    fn value(&self, p: &[f64]) -> f64 {
        let (x, y) = (p[0], p[1]);
        (x * x - 1.0).powi(2) + (y * y - 1.0).powi(2) + self.coupling * x * y
    }

    fn gradient(&self, p: &[f64], g: &mut [f64]) {
        let (x, y) = (p[0], p[1]);
        g[0] = 4.0 * x * (x * x - 1.0) + self.coupling * y;
        g[1] = 4.0 * y * (y * y - 1.0) + self.coupling * x;
    }

    fn hvp(&self, p: &[f64], v: &[f64], out: &mut [f64]) {
        let (x, y) = (p[0], p[1]);
        out[0] = (12.0 * x * x - 4.0) * v[0] + self.coupling * v[1];
        out[1] = self.coupling * v[0] + (12.0 * y * y - 4.0) * v[1];
    }

    fn optimum(&self) -> Option<f64> {
        let c = self.coupling.abs();
        Some(-c - c * c / 8.0)
    }

    // The origin is stationary for every coupling: a closed-form known point.
    fn known_points(&self) -> Vec<KnownPoint> {
        vec![KnownPoint::new("origin", vec![0.0, 0.0], Verdict::LocalMax)]
    }
}

fn main() -> landscape::Result<()> {
    let f = EggBox { coupling: 0.2 };

    // What kind of point is the origin? And a point that is not stationary?
    for x in [[0.0, 0.0], [0.5, 0.5]] {
        let verdict = classify(&f, &x, &ClassifyOptions::default())?;
        let lambda_min = verdict.lambda_min.unwrap_or(f64::NAN);
        println!(
            "{x:?}: {} (‖∇f‖ = {:.2e}, λmin = {lambda_min:.3})",
            verdict.kind, verdict.grad_norm
        );
    }

    // Every eigenvalue of the Hessian at the origin: −4 ± c.
    let spectrum = hessian_spectrum(&f, &[0.0, 0.0], &SpectrumOptions::default())?;
    println!(
        "Hessian eigenvalues at the origin: {:?}",
        spectrum.eigenvalues
    );

    // Every stationary point that 200 seeded starts lead to, classified and counted.
    let census = census(
        &f,
        &CensusOptions {
            starts: 200,
            ..CensusOptions::default()
        },
    )?;
    print!("{census}");

    // Adam from near the maximum, recording its iterates for the picture.
    let mut adam = optim::build("adam", &optim::Hyperparameters::new().with("lr", 0.02))?;
    let options = RunOptions {
        max_iters: 500,
        record_iterates: true,
        ..RunOptions::default()
    };
    let trajectory = run(&f, adam.as_mut(), &[0.1, 0.05], &options)?;
    println!(
        "adam: {} after {} iterations, f = {:.3e}",
        trajectory.termination, trajectory.final_state.iter, trajectory.final_state.value
    );

    // The landscape with the run and the census on it.
    let figure = SliceFigure::builder(coordinate_plane(&[0.0, 0.0])?)
        .with_run(&trajectory)
        .with_census_result(&census)
        .options(SliceOptions {
            alpha: Some((-1.6, 1.6)),
            beta: Some((-1.6, 1.6)),
            ..SliceOptions::default()
        })
        .build(&f)?;
    landscape::plot::save(&figure, Path::new("egg_box.png"), (900, 700))?;
    println!("wrote egg_box.png");
    Ok(())
}
