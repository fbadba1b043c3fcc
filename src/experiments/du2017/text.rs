//! The text table of the Du et al. 2017 experiment (`landscape experiment du2017`).

use super::{Du2017Report, Outcome};

/// The text table: d | GD median | PGD median | GD(d)/GD(d−1), with reached counts.
impl std::fmt::Display for Du2017Report {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let report = self;
        let o = &report.options;
        writeln!(
            out,
            "Du et al. 2017 on the octopus (τ = {:.4}, L = {:.4}, γ = {}), η = {:.4e}, {} trials, \
             starts uniform in [−{a}, {a}]^d, reached: f − f* ≤ {:e}; GD {}",
            o.tau,
            o.l,
            o.gamma,
            report.lr,
            o.trials,
            o.tolerance,
            if o.log_domain {
                "in the log domain (no underflow)"
            } else {
                "in plain f64"
            },
            a = o.init_radius,
        )?;
        writeln!(
            out,
            "{:>3} | {:>12} {:>7} | {:>10} {:>7} | {:>13} | {:>15}",
            "d",
            "GD median",
            "reached",
            "PGD median",
            "reached",
            "GD(d)/GD(d−1)",
            "PGD(d)/PGD(d−1)"
        )?;
        let number = |v: Option<f64>, digits: usize| match v {
            Some(v) => format!("{v:.digits$}"),
            None => "censored".to_string(),
        };
        let ratio = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.2}"));
        let count = |reached: f64| format!("{}/{}", (reached * o.trials as f64).round(), o.trials);
        for row in &report.rows {
            writeln!(
                out,
                "{:>3} | {:>12} {:>7} | {:>10} {:>7} | {:>13} | {:>15}",
                row.d,
                number(row.gd.median, 1),
                count(row.gd.reached),
                number(row.pgd.median, 1),
                count(row.pgd.reached),
                ratio(row.gd_ratio),
                ratio(row.pgd_ratio),
            )?;
        }
        for row in &report.rows {
            for (name, m) in [("GD", &row.gd), ("PGD", &row.pgd)] {
                if m.censored == 0 {
                    continue;
                }
                let at: Vec<String> = m
                    .per_trial
                    .iter()
                    .filter(|r| r.outcome != Outcome::Reached)
                    .map(|r| format!("{:?} at {}", r.outcome, r.iterations))
                    .collect();
                writeln!(
                    out,
                    "d = {}: {name} censored {}/{} ({}){}",
                    row.d,
                    m.censored,
                    o.trials,
                    at.join(", "),
                    if m.censored_stalled > 0 {
                        " — stalled: an exact floating-point fixed point (underflow), not a \
                         saddle of the mathematics"
                    } else {
                        ""
                    }
                )?;
            }
        }
        writeln!(
            out,
            "predicted GD ratio 1 + ln(1/(1 − 2ηL))/ln(1 + 2ηγ) = {:.3}; censored runs count as \
             +∞ in the median",
            report.predicted_gd_ratio
        )?;
        Ok(())
    }
}
