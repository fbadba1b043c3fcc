//! The text forms of [`Spectrum`] and [`Density`] (what `landscape spectrum` prints
//! after the problem's name and a colon).

use std::fmt::{self, Display, Formatter};

use super::{Density, Eigenpair, Method, Spectrum};

/// Bands of the density table.
const DENSITY_BANDS: usize = 24;
/// Width of the density table's longest bar.
const DENSITY_BAR: usize = 50;

/// The method, dimensions, convergence and ‖H‖ on one line; every eigenvalue when the
/// spectrum is complete (six per line); then the extreme pairs with their residuals.
impl Display for Spectrum {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        let method = if self.method == Method::Dense {
            "dense"
        } else {
            "lanczos"
        };
        writeln!(
            out,
            "{method}, reduced dimension {} (ambient {}, symmetry modes {}{}), {}, {} HVPs, ‖H‖ ≈ {:.6e}",
            self.reduced_dim,
            self.ambient_dim,
            self.symmetry_modes,
            if self.symmetry_projected { "" } else { ", symmetries not projected" },
            if self.converged { "converged" } else { "NOT converged" },
            self.hvp_count,
            self.hessian_norm
        )?;
        if self.complete {
            writeln!(
                out,
                "eigenvalues (all {}, ascending):",
                self.eigenvalues.len()
            )?;
            for row in self.eigenvalues.chunks(6) {
                let row: Vec<String> = row.iter().map(|v| format!("{v:>14.6e}")).collect();
                writeln!(out, "{}", row.join(" "))?;
            }
        }
        // An end not asked for (`which`) is empty while the other is not: not listed.
        let both_empty = self.smallest.is_empty() && self.largest.is_empty();
        for (title, pairs) in [("smallest", &self.smallest), ("largest", &self.largest)] {
            if both_empty || !pairs.is_empty() {
                write_pairs(out, title, pairs)?;
            }
        }
        Ok(())
    }
}

fn write_pairs(out: &mut Formatter<'_>, title: &str, pairs: &[Eigenpair]) -> fmt::Result {
    writeln!(
        out,
        "{title} {}: {:>20} {:>12}",
        pairs.len(),
        "eigenvalue",
        "residual"
    )?;
    for (i, p) in pairs.iter().enumerate() {
        writeln!(
            out,
            "{:>12} {:>20.12e} {:>12.3e}",
            i + 1,
            p.value,
            p.residual
        )?;
    }
    Ok(())
}

/// A header line, then the density averaged over 24 bands of the grid, each with a bar
/// of `#` proportional to its mean (50 for the highest).
impl Display for Density {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "spectral density, reduced dimension {}, {} probes × {} Lanczos steps, σ = {:.3e}, {} HVPs",
            self.reduced_dim, self.probes, self.steps, self.sigma, self.hvp_count
        )?;
        let per_band = self.grid.len().div_ceil(DENSITY_BANDS);
        let bands: Vec<(f64, f64, f64)> = self
            .grid
            .chunks(per_band)
            .zip(self.density.chunks(per_band))
            .map(|(t, phi)| {
                let mean = phi.iter().sum::<f64>() / phi.len() as f64;
                (t[0], t[t.len() - 1], mean)
            })
            .collect();
        let top = bands.iter().fold(0.0_f64, |m, b| m.max(b.2));
        writeln!(out, "{:>14} {:>14} {:>12}", "from", "to", "density")?;
        for (lo, hi, mean) in bands {
            let bar = if top > 0.0 {
                (mean / top * DENSITY_BAR as f64).round() as usize
            } else {
                0
            };
            writeln!(
                out,
                "{lo:>14.6e} {hi:>14.6e} {mean:>12.4e} {}",
                "#".repeat(bar)
            )?;
        }
        Ok(())
    }
}
