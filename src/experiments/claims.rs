//! What an experiment set out to show, and whether it came out: each experiment of the
//! deep-training and normalisation families ends its report with a list of [`Claim`]s,
//! the course's statement in a sentence, `holds` as measured, and the numbers behind
//! it, in the JSON (`claims`) and at the foot of the printed table ([`ClaimsTable`]).
//! A claim that does not hold is reported as such: settings are never tuned until it
//! does.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One statement of the course, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The statement, in a sentence.
    pub claim: String,
    /// Whether the measurements bear it out.
    pub holds: bool,
    /// The numbers behind the verdict (an object of named values).
    pub measured: Value,
}

impl Claim {
    /// A claim with its verdict and measurements (anything serialisable, usually
    /// `serde_json::json!({…})`).
    pub fn new(claim: impl Into<String>, holds: bool, measured: impl Serialize) -> Self {
        Claim {
            claim: claim.into(),
            holds,
            measured: serde_json::to_value(measured).unwrap_or(Value::Null),
        }
    }
}

/// The claims as the printed tables end: one line per claim, `holds` or `does not
/// hold`, then its measurements on the next line.
pub struct ClaimsTable<'a>(pub &'a [Claim]);

impl fmt::Display for ClaimsTable<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.0.iter().filter(|c| c.holds).count();
        writeln!(out, "claims ({held} of {} hold):", self.0.len())?;
        for c in self.0 {
            let verdict = if c.holds {
                "holds        "
            } else {
                "DOES NOT HOLD"
            };
            writeln!(out, "  [{verdict}] {}", c.claim)?;
            writeln!(out, "                  measured: {}", compact(&c.measured))?;
        }
        Ok(())
    }
}

/// JSON on one line with numbers in few characters ([`short`](crate::display::short); the JSON keeps every digit).
fn compact(value: &Value) -> String {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => crate::display::short(f),
            _ => n.to_string(),
        },
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", compact(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_names_each_verdict_and_its_numbers() {
        let claims = [
            Claim::new("a holds", true, json!({"ratio": 0.123456789})),
            Claim::new("b fails", false, json!({"steps": [10, 20]})),
        ];
        let text = ClaimsTable(&claims).to_string();
        assert!(text.starts_with("claims (1 of 2 hold):"));
        assert!(text.contains("[holds        ] a holds"));
        assert!(text.contains("[DOES NOT HOLD] b fails"));
        assert!(text.contains("ratio: 0.1235"), "{text}");
        assert!(text.contains("steps: [10, 20]"));
        let back: Claim =
            serde_json::from_str(&serde_json::to_string(&claims[0]).unwrap()).unwrap();
        assert_eq!(back, claims[0]);
    }
}
