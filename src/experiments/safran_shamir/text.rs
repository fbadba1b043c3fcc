//! The text table of the Safran–Shamir experiment (`landscape experiment safran-shamir`).

use super::SafranShamirReport;

/// The text table of the Safran–Shamir experiment: one line per k.
impl std::fmt::Display for SafranShamirReport {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let report = self;
        let o = &report.options;
        let finish = if o.newton_below > 0.0 {
            format!(
                " (Newton steps on the exact Hessian below {:e})",
                o.newton_below
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "Safran & Shamir 2018: relu_net, teacher vⱼ = eⱼ (d = k), n = k + {}, {} runs per k \
             (seed {}), GD η = {} until maxᵢ‖∇ᵢF‖ ≤ {:.3e}{finish}; spurious: F ≥ {:e} and \
             λmin > 0",
            o.n_extra, o.runs, o.seed, o.lr, o.tol, o.spurious_threshold
        )?;
        writeln!(
            out,
            "{:>3} {:>3} | {:>9} {:>8} | {:>10} {:>10} | {:>10} | {:>8} {:>8} | {:>6} {:>6} {:>6}",
            "k",
            "n",
            "spurious",
            "%",
            "min F",
            "mean F",
            "mean λmin",
            "distinct",
            "up to Q",
            "uncert",
            "no conv",
            "diverg"
        )?;
        let number = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.4e}"));
        for r in &report.rows {
            writeln!(
                out,
                "{:>3} {:>3} | {:>9} {:>7.1}% | {:>10} {:>10} | {:>10} | {:>8} {:>8} | {:>6} {:>6} {:>6}",
                r.k,
                r.n,
                format!("{}/{}", r.spurious, r.runs),
                r.spurious_percent,
                number(r.min_spurious_value),
                number(r.mean_spurious_value),
                number(r.mean_lambda_min),
                r.distinct_minima,
                r.distinct_up_to_coordinates,
                r.uncertified,
                r.not_converged,
                r.diverged,
            )?;
        }
        writeln!(
            out,
            "distinct: up to permutation of the neurons; up to Q: also of the coordinates; \
             uncert: spurious end points that failed the certificate (not counted as minima)"
        )?;
        Ok(())
    }
}
