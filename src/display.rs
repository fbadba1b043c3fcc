//! Number and vector formats shared by the text forms of the reports (their
//! [`Display`](std::fmt::Display) impls, which the `landscape` command prints) and by the
//! pictures' captions.
//!
//! ```
//! use landscape::display::{format_vector, short};
//!
//! assert_eq!(short(0.123456), "0.1235");
//! assert_eq!(format_vector(&[1.0, -2.0]), "[1.000000e0, -2.000000e0]");
//! ```

/// Entries a [`format_vector`] shows before eliding the rest.
const SHOWN_ENTRIES: usize = 8;

/// A vector for humans: every entry (`{:.6e}`) when there are at most eight, the first
/// eight and a count otherwise.
pub fn format_vector(v: &[f64]) -> String {
    let entries: Vec<String> = v
        .iter()
        .take(SHOWN_ENTRIES)
        .map(|x| format!("{x:.6e}"))
        .collect();
    if v.len() > SHOWN_ENTRIES {
        format!("[{}, … ({} entries)]", entries.join(", "), v.len())
    } else {
        format!("[{}]", entries.join(", "))
    }
}

/// A number in few characters: 4 decimals without trailing zeros in [10⁻³, 10⁵),
/// 4 significant digits in scientific notation otherwise; 0 and non-finite as is.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() {
        format!("{v}")
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.123456), "0.1235");
        assert_eq!(short(1.5e-7), "1.500e-7");
        assert_eq!(short(0.0), "0");
    }

    #[test]
    fn long_vectors_are_elided() {
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        let s = format_vector(&v);
        assert!(s.ends_with(", … (10 entries)]"), "{s}");
        assert_eq!(s.matches("e0").count() + s.matches("e1").count(), 8);
    }
}
