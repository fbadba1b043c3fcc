//! `--out DIR` of the commands that write a report with its chart (`atlas`, the
//! experiments): the directory must exist (checked before any work), and
//! `<stem>.json`, `<stem>.png` and `<stem>.svg` are each written atomically, after both
//! pictures have rendered, so a failure leaves no file behind.

use std::path::Path;

use landscape::error::{Error, Result};
use landscape::plot::{render, Figure, ImageFormat};
use serde::Serialize;

/// `--out` must name an existing directory.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::invalid(
            "out",
            "an existing directory",
            format!("`{}`", dir.display()),
        ))
    }
}

/// Writes `<stem>.json` (the report), `<stem>.png` and `<stem>.svg` (the chart at
/// `size`) into `dir`.
pub fn write_report<F: Figure>(
    dir: &Path,
    stem: &str,
    report: &impl Serialize,
    chart: &F,
    size: (u32, u32),
) -> Result<()> {
    let text = super::json_text(report, super::provenance());
    let png = render(chart, ImageFormat::Png, size)?;
    let svg = render(chart, ImageFormat::Svg, size)?;
    // All three or none: a failed picture leaves no report behind.
    let files: Vec<(std::path::PathBuf, &[u8])> = [
        ("json", text.as_bytes()),
        ("png", &png[..]),
        ("svg", &svg[..]),
    ]
    .into_iter()
    .map(|(extension, bytes)| (dir.join(format!("{stem}.{extension}")), bytes))
    .collect();
    landscape::atomic_file::write_all_atomic(&files)
}

/// The end of every command that has a report and a chart: with `--out`, write
/// `<stem>.json/.png/.svg` into `dir` (the chart drawn by `chart`); then print the
/// report as JSON (`--json`) or as its table.
pub fn finish<R: Serialize + std::fmt::Display, F: Figure>(
    out: &mut dyn std::io::Write,
    report: &R,
    json: bool,
    dir: Option<&Path>,
    stem: &str,
    chart: impl FnOnce(&R) -> (F, (u32, u32)),
) -> Result<()> {
    if let Some(dir) = dir {
        let (figure, size) = chart(report);
        write_report(dir, stem, report, &figure, size)?;
    }
    if json {
        return super::print_json(out, report);
    }
    write!(out, "{report}").map_err(Error::Output)
}
