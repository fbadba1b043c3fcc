//! Reading experiment reports back for drawing: `landscape escape --json` (one method
//! each) and `landscape experiment du2017 --json`. Only the fields a picture needs are
//! read, through small views of the library's report structs; every failure names the
//! file and what was expected.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::escape::{Du2017Chart, DuMethodPoint, DuRow, EscapeTimes};
use crate::error::{Error, Result};

#[derive(Deserialize)]
struct TrialView {
    iterations: Option<usize>,
}

#[derive(Deserialize)]
struct EscapeView {
    method: String,
    trials: usize,
    max_iters: usize,
    per_trial: Vec<TrialView>,
    drop: f64,
    from_value: f64,
    #[serde(default)]
    from_point: Vec<f64>,
    #[serde(default)]
    provenance: Option<ProvenanceView>,
}

/// What produced a report: its problem (kind and spec), when recorded.
#[derive(Deserialize)]
struct ProvenanceView {
    #[serde(default)]
    problem: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RunView {
    outcome: String,
    iterations: usize,
}

#[derive(Deserialize)]
struct MethodView {
    median: Option<f64>,
    min: Option<usize>,
    max: Option<usize>,
    censored: usize,
    per_trial: Vec<RunView>,
}

#[derive(Deserialize)]
struct RowView {
    d: usize,
    gd: MethodView,
    pgd: MethodView,
}

#[derive(Deserialize)]
struct OptionsView {
    trials: usize,
}

#[derive(Deserialize)]
struct Du2017View {
    options: OptionsView,
    lr: f64,
    predicted_gd_ratio: f64,
    rows: Vec<RowView>,
}

fn parse_json<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
    expected: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Parse {
        what: format!("{what} `{}`", path.display()),
        message: format!("{e} (expected the JSON of `{expected}`)"),
    })
}

fn malformed(path: &Path, what: &str, message: String) -> Error {
    Error::Parse {
        what: format!("{what} `{}`", path.display()),
        message,
    }
}

/// Reads the escape times of a `landscape escape --json` file.
pub fn read_escape_report(path: &Path) -> Result<EscapeTimes> {
    let text = crate::budget::read_text(path)?;
    parse_escape_report(path, &text)
}

/// [`read_escape_report`] on text already read (`path` names it in errors).
pub fn parse_escape_report(path: &Path, text: &str) -> Result<EscapeTimes> {
    let view: EscapeView = parse_json(path, text, "escape report", "landscape escape --json")?;
    if view.per_trial.len() != view.trials || view.trials == 0 {
        return Err(malformed(
            path,
            "escape report",
            format!(
                "{} trials but {} per-trial outcomes; expected as many, at least one",
                view.trials,
                view.per_trial.len()
            ),
        ));
    }
    Ok(EscapeTimes {
        method: view.method,
        trials: view.trials,
        times: view.per_trial.iter().filter_map(|t| t.iterations).collect(),
        max_iters: view.max_iters,
        drop: view.drop,
        from_value: view.from_value,
        from_point: view.from_point,
        problem: view.provenance.and_then(|p| p.problem),
    })
}

/// Reads the chart data of a `landscape experiment du2017 --json` file (the title is
/// left empty).
pub fn read_du2017_report(path: &Path) -> Result<Du2017Chart> {
    let text = crate::budget::read_text(path)?;
    parse_du2017_report(path, &text)
}

/// [`read_du2017_report`] on text already read (`path` names it in errors).
pub fn parse_du2017_report(path: &Path, text: &str) -> Result<Du2017Chart> {
    let view: Du2017View = parse_json(
        path,
        text,
        "du2017 report",
        "landscape experiment du2017 --json",
    )?;
    if view.rows.is_empty() {
        return Err(malformed(
            path,
            "du2017 report",
            "no rows; expected one per dimension".into(),
        ));
    }
    let point = |m: MethodView| DuMethodPoint {
        median: m.median,
        min: m.min,
        max: m.max,
        censored: m.censored,
        censored_at: m
            .per_trial
            .iter()
            .filter(|r| r.outcome != "reached")
            .map(|r| r.iterations)
            .max(),
    };
    Ok(Du2017Chart {
        title: String::new(),
        rows: view
            .rows
            .into_iter()
            .map(|r| DuRow {
                d: r.d,
                gd: point(r.gd),
                pgd: point(r.pgd),
            })
            .collect(),
        trials: view.options.trials,
        lr: view.lr,
        predicted_gd_ratio: view.predicted_gd_ratio,
    })
}
