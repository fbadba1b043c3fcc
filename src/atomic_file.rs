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

/// Writes several files as one: each to its temporary file first; only when every one is
/// written are they renamed over their destinations. A failure removes the temporary
/// files and leaves every destination as it was.
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<()> {
    // A rename over a directory fails: found before anything is renamed.
    if let Some((path, _)) = files.iter().find(|(path, _)| path.is_dir()) {
        return Err(Error::Io {
            action: "write",
            path: path.clone(),
            source: std::io::Error::other("a directory is in the way"),
        });
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, bytes) in files {
        let temporary = temporary_path(path);
        let result = (|| -> std::io::Result<()> {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        written.push(temporary);
        if let Err(source) = result {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err(Error::Io {
                action: "write",
                path: path.clone(),
                source,
            });
        }
    }
    for (i, (path, _)) in files.iter().enumerate() {
        if let Err(source) = std::fs::rename(&written[i], path) {
            for t in &written[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(Error::Io {
                action: "write",
                path: path.clone(),
                source,
            });
        }
    }
    Ok(())
}

/// A new empty directory `.<name>.<pid>.staging` beside `path`, to build a multi-file
/// output in before [`publish_dir`] moves it to `path`.
pub fn staging_dir(path: &Path) -> Result<PathBuf> {
    let staging = temporary_path(path).with_extension("staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(|source| Error::Io {
        action: "write",
        path: staging.clone(),
        source,
    })?;
    Ok(staging)
}

/// Moves a complete staging directory's files to `dir`: by one rename when `dir` does not
/// exist, else file by file (each rename atomic). The staging directory is removed
/// either way.
pub fn publish_dir(staging: &Path, dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        action: "write",
        path: dir.to_path_buf(),
        source,
    };
    let moved = if dir.exists() {
        (|| -> std::io::Result<()> {
            for entry in std::fs::read_dir(staging)? {
                let entry = entry?;
                std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
            }
            std::fs::remove_dir(staging)
        })()
    } else {
        std::fs::rename(staging, dir)
    };
    moved.map_err(|e| {
        let _ = std::fs::remove_dir_all(staging);
        io(e)
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
