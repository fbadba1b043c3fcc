//! `landscape demo`: the gallery. Every picture is computed in the run (problems,
//! optimizer runs, censuses, experiments), rendered as PNG into one directory, and
//! indexed by a generated `README.md` that shows each picture with one line on what it
//! shows, with the numbers of this run.
//!
//! The output directory may not exist yet (it is then created), but its parent must: a
//! mistyped `--out a/b/c` is an error rather than a tree of new directories. Every file
//! is written atomically; pictures render in parallel (rayon) and the index lists them
//! in a fixed order, so the output does not depend on the thread count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::atomic_file::{check_parent_dir, write_atomic};
use crate::error::{Error, Result};
use crate::progress::{Progress, Silent};

mod batchnorm;
mod bn_noise;
mod bn_spectrum;
mod clipping;
mod depth;
mod exp_lr;
mod gallery;
mod gamma_beta;
mod init;
mod landscapes;
mod norms;
mod pretraining;

/// What to render.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// The output directory (created when missing; its parent must exist).
    pub out: PathBuf,
    /// Smaller grids, fewer trials and iterations (for tests and a quick look).
    pub quick: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            out: PathBuf::from("plots"),
            quick: false,
        }
    }
}

/// One picture of the gallery.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// The file name inside the output directory (PNG).
    pub file: String,
    /// A short title.
    pub title: String,
    /// One line on what it shows, with this run's numbers.
    pub caption: String,
}

/// Size of every gallery picture.
pub const SIZE: (u32, u32) = (960, 680);

/// A gallery entry: renders its picture into the directory and describes it.
pub(crate) type Job = fn(&Settings, &Path) -> Result<Picture>;

/// Sizes that depend on `--quick`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// Quick mode.
    pub quick: bool,
}

impl Settings {
    /// `full` normally, `quick` in quick mode.
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick {
            quick
        } else {
            full
        }
    }
}

/// Renders the gallery into `options.out` and writes its `README.md`; returns the
/// pictures in index order.
///
/// Errors: `out`'s parent directory missing or `out` not a directory
/// ([`Error::InvalidField`] naming `out`), and any picture's failure.
pub fn demo(options: &DemoOptions) -> Result<Vec<Picture>> {
    demo_with_progress(options, &Silent)
}

/// [`demo`], telling `progress` of each picture rendered (task `demo`, one unit per
/// picture, and a note with its file name and rendering time).
pub fn demo_with_progress(options: &DemoOptions, progress: &dyn Progress) -> Result<Vec<Picture>> {
    check_dir(&options.out)?;
    // Everything is drawn into a staging directory beside `out`, moved there only when
    // complete: a failure leaves `out` as it was.
    let staging = crate::atomic_file::staging_dir(&options.out)?;
    let staged = DemoOptions {
        out: staging.clone(),
        ..options.clone()
    };
    match render(&staged, progress) {
        Ok(pictures) => {
            crate::atomic_file::publish_dir(&staging, &options.out)?;
            Ok(pictures)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(in_place_of(e, &staging, &options.out))
        }
    }
}

/// A failure to write a file in the staging directory, told of the file the user asked
/// for (`out/x.png`): the staging directory is gone when the message is read.
fn in_place_of(e: Error, staging: &Path, out: &Path) -> Error {
    match e {
        Error::Io {
            action,
            path,
            source,
        } => {
            let asked = path.strip_prefix(staging).ok().map(|file| out.join(file));
            Error::Io {
                action,
                path: asked.unwrap_or(path),
                source,
            }
        }
        e => e,
    }
}

/// Renders every picture and the index into `options.out`.
fn render(options: &DemoOptions, progress: &dyn Progress) -> Result<Vec<Picture>> {
    let settings = Settings {
        quick: options.quick,
    };
    let jobs = gallery::jobs();
    progress.start("demo", jobs.len() as u64);
    let pictures = jobs
        .par_iter()
        .map(|job| {
            let started = std::time::Instant::now();
            let picture = job(&settings, &options.out)?;
            progress.note(&format!(
                "{:<40} {:>6.2} s",
                picture.file,
                started.elapsed().as_secs_f64()
            ));
            progress.advance(1);
            Ok(picture)
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let index = readme(&pictures, options.quick);
    write_atomic(&options.out.join("README.md"), |w| {
        w.write_all(index.as_bytes())
    })?;
    Ok(pictures)
}

/// Checks that the output directory is one or can be created (its parent exists).
fn check_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        return Err(Error::invalid(
            "out",
            "a directory",
            format!("`{}` (a file)", dir.display()),
        ));
    }
    check_parent_dir("out", dir)
}

/// The index: each picture embedded with its caption.
pub fn readme(pictures: &[Picture], quick: bool) -> String {
    let mut text = String::from("# Gallery\n\n");
    text.push_str(
        "Rendered by `cargo run --release -- demo` (this directory is its output; every \
         number below was computed in that run",
    );
    if quick {
        text.push_str(", here in `--quick` mode: smaller grids, fewer trials");
    }
    text.push_str(
        "). The main README's Pictures section shows the `landscape plot …` commands that \
         draw such pictures from your own runs.\n\n",
    );
    for p in pictures {
        text.push_str(&format!(
            "## {}\n\n![{}]({})\n\n{}\n\n",
            p.title, p.title, p.file, p.caption
        ));
    }
    text
}
