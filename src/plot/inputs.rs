//! Reading what other commands wrote, for drawing: trajectories (`run --json` documents,
//! `run --out` JSON/CSV files, the recorded paths of `escape --paths K --json`) and
//! censuses (`census --json`). JSON documents are read into the library types that wrote
//! them ([`Trajectory`], [`EscapeReport`], [`Census`](crate::census::Census)); every failure names the file and
//! what was expected.

use std::path::Path;

use serde::Deserialize;

use crate::census::CensusPoint;
use crate::error::{Error, Result};
use crate::experiments::escape::EscapeReport;
use crate::optim::{Record, Trajectory};
use crate::problems::ProblemSpec;
use crate::provenance::{problem_record, Provenance};

/// A trajectory read back from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryFile {
    /// A name for legends: the optimizer (JSON) or the file stem (CSV).
    pub name: String,
    /// The records, in order.
    pub records: Vec<Record>,
    /// The problem that produced it (kind and spec), when its provenance records one.
    pub problem: Option<serde_json::Value>,
}

impl TrajectoryFile {
    /// The recorded iterates, or an error naming `path` when the run did not record
    /// them.
    pub fn iterates(&self, path: &Path) -> Result<Vec<&[f64]>> {
        self.records
            .iter()
            .map(|r| r.x.as_deref())
            .collect::<Option<Vec<_>>>()
            .filter(|xs| !xs.is_empty())
            .ok_or_else(|| {
                Error::invalid(
                    "trajectory",
                    "a run recorded with --record-iterates (records with `x`)",
                    format!("`{}` without iterates", path.display()),
                )
            })
    }

    /// Checks that every recorded iterate has length `dim`.
    pub fn check_dimension(&self, path: &Path, dim: usize) -> Result<()> {
        match self.records.iter().filter_map(|r| r.x.as_ref()).next() {
            Some(x) if x.len() != dim => Err(Error::DimensionMismatch {
                what: format!("an iterate of trajectory `{}`", path.display()),
                expected: dim,
                found: x.len(),
            }),
            _ => Ok(()),
        }
    }
}

/// Reads a trajectory: JSON (the `run --json` document) or CSV (`run --out x.csv`), by
/// extension.
pub fn read_trajectory(path: &Path) -> Result<TrajectoryFile> {
    let text = crate::budget::read_text(path)?;
    parse_trajectory(path, &text)
}

/// [`read_trajectory`] on text already read: `path` names it in errors, and its
/// extension `.csv` picks CSV.
pub fn parse_trajectory(path: &Path, text: &str) -> Result<TrajectoryFile> {
    let file = match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => TrajectoryFile {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            records: parse_csv(text).map_err(|m| trajectory_error(path, m))?,
            problem: None,
        },
        _ => {
            let doc: Trajectory = serde_json::from_str(text).map_err(|e| {
                trajectory_error(
                    path,
                    format!(
                        "{e} (expected the JSON of `landscape run --json` or `run --out FILE.json`)"
                    ),
                )
            })?;
            TrajectoryFile {
                name: doc.optimizer,
                records: doc.records,
                problem: doc.provenance.and_then(|p| p.problem),
            }
        }
    };
    check_records(path, &file)?;
    Ok(file)
}

/// Reads the paths in a file: one from a trajectory ([`read_trajectory`]), or every
/// recorded trial of a `landscape escape --paths K --json` report (named
/// `<method> trial <i>`).
pub fn read_trajectories(path: &Path) -> Result<Vec<TrajectoryFile>> {
    let text = crate::budget::read_text(path)?;
    parse_trajectories(path, &text)
}

/// [`read_trajectories`] on text already read (`path` names it, as in
/// [`parse_trajectory`]).
pub fn parse_trajectories(path: &Path, text: &str) -> Result<Vec<TrajectoryFile>> {
    let escape_report = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .filter(|v| v.get("per_trial").is_some());
    let Some(report) = escape_report else {
        return parse_trajectory(path, text).map(|file| vec![file]);
    };
    let problem = crate::provenance::recorded_problem(&report).cloned();
    let doc: EscapeReport = serde_json::from_value(report)
        .map_err(|e| trajectory_error(path, format!("{e} (an `escape --json` report)")))?;
    let files: Vec<TrajectoryFile> = doc
        .per_trial
        .into_iter()
        .enumerate()
        .filter_map(|(i, trial)| {
            trial.path.map(|records| TrajectoryFile {
                name: format!("{} trial {i}", doc.method),
                records,
                problem: problem.clone(),
            })
        })
        .collect();
    if files.is_empty() {
        return Err(Error::invalid(
            "trajectory",
            "an escape report recorded with --paths K (trials with `path`)",
            format!("`{}` without paths", path.display()),
        ));
    }
    for file in &files {
        check_records(path, file)?;
    }
    Ok(files)
}

fn trajectory_error(path: &Path, message: String) -> Error {
    Error::Parse {
        what: format!("trajectory `{}`", path.display()),
        message,
    }
}

/// A trajectory has records, all finite.
fn check_records(path: &Path, file: &TrajectoryFile) -> Result<()> {
    if file.records.is_empty() {
        return Err(trajectory_error(path, "no records".into()));
    }
    for r in &file.records {
        let finite = r.value.is_finite() && r.grad_norm.is_finite();
        let finite_x = r.x.as_ref().is_none_or(|x| x.iter().all(|v| v.is_finite()));
        if !(finite && finite_x) {
            return Err(trajectory_error(
                path,
                format!(
                    "non-finite numbers at iteration {}; expected finite values",
                    r.iter
                ),
            ));
        }
    }
    Ok(())
}

/// Parses `iter,value,grad_norm,step_norm[,x0,…]` rows.
fn parse_csv(text: &str) -> std::result::Result<Vec<Record>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or("empty file")?
        .split(',')
        .map(str::trim)
        .collect();
    if header.get(..3) != Some(&["iter", "value", "grad_norm"][..]) {
        return Err("expected a header starting iter,value,grad_norm".into());
    }
    let x_from = header.iter().position(|h| *h == "x0");
    let step_at = header.iter().position(|h| *h == "step_norm");
    lines
        .enumerate()
        .map(|(row, line)| {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != header.len() {
                return Err(format!(
                    "row {} has {} cells, expected {}",
                    row + 1,
                    cells.len(),
                    header.len()
                ));
            }
            let number = |i: usize| {
                cells[i]
                    .parse::<f64>()
                    .map_err(|_| format!("row {}: `{}` is not a number", row + 1, cells[i]))
            };
            Ok(Record {
                iter: cells[0]
                    .parse()
                    .map_err(|_| format!("row {}: bad iteration `{}`", row + 1, cells[0]))?,
                value: number(1)?,
                grad_norm: number(2)?,
                step_norm: step_at.map(number).transpose()?.unwrap_or(0.0),
                x: match x_from {
                    Some(start) => {
                        Some((start..cells.len()).map(number).collect::<Result<_, _>>()?)
                    }
                    None => None,
                },
                ..Record::default()
            })
        })
        .collect()
}

/// The points of a [`Census`](crate::census::Census) and its provenance: all a picture
/// reads.
#[derive(Deserialize)]
struct CensusPoints {
    points: Vec<CensusPoint>,
    #[serde(default)]
    provenance: Option<Provenance>,
}

/// Refuses a file whose provenance names a problem other than `spec` (a file without a
/// recorded problem, such as a CSV trajectory, is accepted); `what` names the file's
/// role in the error (`trajectory`, `census`).
pub fn check_problem(
    what: &str,
    path: &Path,
    recorded: Option<&serde_json::Value>,
    spec: &ProblemSpec,
) -> Result<()> {
    let drawn = problem_record(spec);
    match recorded {
        Some(p) if *p != drawn => Err(Error::invalid(
            what,
            format!(
                "a file produced on the problem drawn ({drawn}); pass the --problem and \
                 --set the file was produced with"
            ),
            format!("`{}` produced on {p}", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Reads the points of a `census --json` file and checks their dimension; with the
/// problem its provenance records.
pub fn read_census(
    path: &Path,
    dim: usize,
) -> Result<(Vec<CensusPoint>, Option<serde_json::Value>)> {
    let text = crate::budget::read_text(path)?;
    parse_census(path, &text, dim)
}

/// [`read_census`] on text already read (`path` names it in errors).
pub fn parse_census(
    path: &Path,
    text: &str,
    dim: usize,
) -> Result<(Vec<CensusPoint>, Option<serde_json::Value>)> {
    let doc: CensusPoints = serde_json::from_str(text).map_err(|e| Error::Parse {
        what: format!("census `{}`", path.display()),
        message: format!("{e} (expected the JSON of `landscape census --json`)"),
    })?;
    for p in &doc.points {
        if p.x.len() != dim {
            return Err(Error::DimensionMismatch {
                what: format!("a point of census `{}`", path.display()),
                expected: dim,
                found: p.x.len(),
            });
        }
    }
    Ok((doc.points, doc.provenance.and_then(|p| p.problem)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_read_back() {
        let records = parse_csv(
            "iter,value,grad_norm,step_norm,x0,x1\n0,1.5,2,0,0.5,-1\n1,1,1,0.1,0.25,-0.5\n",
        )
        .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].x.as_deref(), Some(&[0.25, -0.5][..]));
        assert_eq!(records[0].value, 1.5);
        assert!(parse_csv("iter,value,grad_norm,step_norm\n0,1\n").is_err());
        assert!(parse_csv("a,b\n").is_err());
    }
}
