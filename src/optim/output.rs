//! Writing a [`Trajectory`] to a file: JSON (the `run --json` document) or CSV (one row
//! per record), chosen by the extension, written atomically.

use std::io::Write;
use std::path::Path;

use super::{Record, Trajectory};
use crate::atomic_file::{check_parent_dir, write_atomic};
use crate::error::{Error, Result};

/// A trajectory file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The JSON document of `run --json`.
    Json,
    /// One row per record: `iter,value,grad_norm,step_norm[,lr,train_loss,…][,x0,x1,…]`.
    Csv,
}

impl Format {
    /// The format of `path` by its extension (`.json`, `.csv`); anything else is an
    /// error naming `--out`.
    pub fn from_path(path: &Path) -> Result<Self> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            _ => Err(Error::invalid(
                "out",
                "a file name ending in .json or .csv",
                format!("`{}`", path.display()),
            )),
        }
    }
}

/// One optional number of a record.
type RecordField = fn(&Record) -> Option<f64>;

/// Writes the records as CSV: a header `iter,value,grad_norm,step_norm`, then those of
/// the optional columns `lr,train_loss,train_grad_norm,test_loss,test_accuracy` that some
/// record has (a cell is empty where its record has none), then `x0,x1,…` when the
/// records hold iterates; then one row per record. Numbers are written in Rust's
/// shortest round-trip form, so they read back bit-for-bit.
pub fn write_csv(trajectory: &Trajectory, out: &mut dyn Write) -> std::io::Result<()> {
    let width = trajectory
        .records
        .first()
        .and_then(|r| r.x.as_ref())
        .map_or(0, Vec::len);
    let optional: [(&str, RecordField); 5] = [
        ("lr", |r| r.lr),
        ("train_loss", |r| r.train_loss),
        ("train_grad_norm", |r| r.train_grad_norm),
        ("test_loss", |r| r.test_loss),
        ("test_accuracy", |r| r.test_accuracy),
    ];
    let columns: Vec<_> = optional
        .into_iter()
        .filter(|(_, get)| trajectory.records.iter().any(|r| get(r).is_some()))
        .collect();
    write!(out, "iter,value,grad_norm,step_norm")?;
    for (name, _) in &columns {
        write!(out, ",{name}")?;
    }
    for i in 0..width {
        write!(out, ",x{i}")?;
    }
    writeln!(out)?;
    for r in &trajectory.records {
        write!(
            out,
            "{},{},{},{}",
            r.iter, r.value, r.grad_norm, r.step_norm
        )?;
        for (_, get) in &columns {
            match get(r) {
                Some(v) => write!(out, ",{v}")?,
                None => write!(out, ",")?,
            }
        }
        for v in r.x.iter().flatten() {
            write!(out, ",{v}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Writes the trajectory as pretty JSON.
pub fn write_json(trajectory: &Trajectory, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, trajectory).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// Checks before a run that `path` has a known extension and a directory that exists,
/// so that a long run is not wasted on an output that cannot be written.
pub fn check_output_path(path: &Path) -> Result<Format> {
    let format = Format::from_path(path)?;
    check_parent_dir("out", path)?;
    Ok(format)
}

/// Writes the trajectory to `path` in the format its extension names, atomically (see
/// [`crate::atomic_file`]): on any error `path` is left as it was.
pub fn write_trajectory(trajectory: &Trajectory, path: &Path) -> Result<()> {
    let format = Format::from_path(path)?;
    write_atomic(path, |out| match format {
        Format::Json => write_json(trajectory, out),
        Format::Csv => write_csv(trajectory, out),
    })
}
