//! Output files that are either complete or absent: written to a temporary file in the
//! same directory, synced, then renamed over the destination. A failed write removes the
//! temporary file and leaves the destination as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` atomically with `write`, which receives a buffered writer.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let temporary = temporary_path(path);
    let written = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&temporary)?;
        let mut writer = std::io::BufWriter::new(file);
        write(&mut writer)?;
        writer
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Checks that the directory `path` would be written in exists (naming `flag`, e.g.
/// `out`, in the error), so that a long computation is not wasted on an output that
/// cannot be written.
pub fn check_parent_dir(flag: &str, path: &Path) -> Result<()> {
    let parent = parent_dir(path);
    if parent.is_dir() {
        Ok(())
    } else {
        Err(Error::invalid(
            flag,
            "a file in an existing directory",
            format!("`{}` (no directory `{}`)", path.display(), parent.display()),
        ))
    }
}

/// The directory of `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.<name>.<pid>.tmp` next to `path`.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(path).join(format!(".{name}.{}.tmp", std::process::id()))
}
