//! The text table of the atlas (`landscape atlas`).

use super::{Atlas, Expectation};

/// The table: per entry, counts and fractions of each ending and the verdict on the
/// claim.
impl std::fmt::Display for Atlas {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let result = self;
        writeln!(
            out,
            "atlas: {} runs per entry, seed {}; claim tested: no spurious local minimum",
            result.runs, result.seed
        )?;
        // The spec column fits the longest name (a user's formula can be long).
        let width = result
            .rows
            .iter()
            .map(|r| r.spec.chars().count())
            .max()
            .unwrap_or(0)
            .max(32);
        writeln!(
            out,
            "{:<width$} {:<21} {:>10} {:>10} {:>10} {:>10} {:>5} {:>15}  {:<8} measured",
            "spec",
            "family",
            "global",
            "spurious",
            "saddle",
            "not conv.",
            "deg.",
            "lowest spurious",
            "expected",
        )?;
        for row in &result.rows {
            let cell =
                |count: usize| format!("{count} ({:.0}%)", 100.0 * count as f64 / row.runs as f64);
            let lowest = row
                .lowest_spurious_value
                .map_or("–".to_string(), |v| format!("{v:.6e}"));
            let expected = match row.expected {
                Expectation::Holds => "holds",
                Expectation::Fails => "fails",
                Expectation::Open => "open",
                Expectation::Unstated => "none",
            };
            writeln!(
                out,
                "{:<width$} {:<21} {:>10} {:>10} {:>10} {:>10} {:>5} {:>15}  {:<8} {}",
                row.spec,
                row.family,
                cell(row.global_min),
                cell(row.spurious_local_min),
                cell(row.saddle),
                cell(row.not_converged),
                row.degenerate,
                lowest,
                expected,
                measured(row.holds, row.runs, row.not_converged + row.degenerate),
            )?;
        }
        let empirical: Vec<&str> = result
            .rows
            .iter()
            .filter(|r| !r.optimum_known)
            .map(|r| r.spec.as_str())
            .collect();
        if !empirical.is_empty() {
            writeln!(
                out,
                "f* unknown for {}: global = the best value any run found",
                empirical.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The measured column: `fails` when a run ended at a spurious minimum; `holds` when
/// every run ended at a point the classifier resolved and none was spurious; otherwise
/// how many runs the `holds` rests on (the rest did not converge or were degenerate).
fn measured(holds: bool, runs: usize, unresolved: usize) -> String {
    if !holds {
        "fails".into()
    } else if unresolved == 0 {
        "holds".into()
    } else {
        format!("holds in {} of {runs} runs resolved", runs - unresolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holds_resting_on_few_runs_says_so() {
        assert_eq!(measured(true, 20, 0), "holds");
        assert_eq!(measured(true, 20, 8), "holds in 12 of 20 runs resolved");
        assert_eq!(measured(false, 20, 8), "fails");
    }
}
