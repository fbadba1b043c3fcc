//! What produced a result: the tool and its version, the command line, the problem (its
//! kind and every field of its spec, overrides applied; a formula is the `formula` field
//! of the `expression` kind), the start point as it was given, and the seed. The command
//! line writes it as the `provenance` object of every JSON report, so that a result can
//! be reproduced from its file alone, and `plot` refuses to draw a file of one problem on
//! the landscape of another.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::problems::ProblemSpec;

/// Where a result came from. Absent parts were not given or do not apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// `landscape <version>`.
    pub tool: String,
    /// The command's arguments after the program's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The problem: `kind` and every spec field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Value>,
    /// The start point (or the point analysed), in the point syntax it was given in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The seed of everything random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Default for Provenance {
    fn default() -> Self {
        Self::new()
    }
}

impl Provenance {
    /// This version of the tool, nothing else.
    pub fn new() -> Self {
        Provenance {
            tool: format!("landscape {}", env!("CARGO_PKG_VERSION")),
            command: None,
            problem: None,
            start: None,
            seed: None,
        }
    }

    /// With the command's arguments.
    pub fn command(mut self, args: Vec<String>) -> Self {
        self.command = Some(args);
        self
    }

    /// With the problem.
    pub fn problem(mut self, spec: &ProblemSpec) -> Self {
        self.problem = Some(problem_record(spec));
        self
    }

    /// With the start point's syntax.
    pub fn start(mut self, start: &str) -> Self {
        self.start = Some(start.to_string());
        self
    }

    /// With the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Adds itself as the `provenance` field of a JSON object (other values are left
    /// as they are).
    pub fn attach(&self, report: &mut Value) {
        if let Value::Object(fields) = report {
            let me = serde_json::to_value(self).unwrap_or(Value::Null);
            fields.insert("provenance".into(), me);
        }
    }
}

/// A spec as JSON: `{"kind": …, <field>: …}`.
pub fn problem_record(spec: &ProblemSpec) -> Value {
    let mut record = serde_json::Map::new();
    record.insert("kind".into(), Value::String(spec.kind().to_string()));
    for name in spec.field_names() {
        if let Some(v) = spec.raw(name) {
            record.insert(
                name.to_string(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            );
        }
    }
    Value::Object(record)
}

/// The problem recorded in a JSON report's provenance, if any.
pub fn recorded_problem(report: &Value) -> Option<&Value> {
    report.get("provenance")?.get("problem")
}

/// Whether a report's recorded problem (if any) is `spec`: true when none is recorded.
pub fn same_problem(report: &Value, spec: &ProblemSpec) -> bool {
    recorded_problem(report).is_none_or(|p| *p == problem_record(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_holds_the_kind_and_every_field() {
        let mut spec = ProblemSpec::new("matrix_factorization");
        spec.set_value("n", 4.into());
        spec.set_value("rank", 2.into());
        let p = Provenance::new().problem(&spec).start("name:eig:2").seed(7);
        let mut report = serde_json::json!({"value": 1.0});
        p.attach(&mut report);
        let prov = &report["provenance"];
        assert_eq!(prov["problem"]["kind"], "matrix_factorization");
        assert_eq!(prov["problem"]["n"], 4);
        assert_eq!(prov["start"], "name:eig:2");
        assert_eq!(prov["seed"], 7);
        assert!(prov["tool"].as_str().unwrap().starts_with("landscape "));
        assert!(same_problem(&report, &spec));
        spec.set_value("n", 5.into());
        assert!(!same_problem(&report, &spec));
        assert!(same_problem(&serde_json::json!({}), &spec));
    }
}
