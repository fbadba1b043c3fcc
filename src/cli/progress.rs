//! The commands' progress bars: an indicatif bar on stderr for each task the library
//! reports (see `landscape::progress`), drawn only when stderr is a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use landscape::progress::Progress;

/// `run` shows a bar only for runs of at least this many iterations.
const RUN_BAR_MIN_ITERS: u64 = 10_000;

/// A bar per task on stderr when it is a terminal; nothing otherwise.
#[derive(Debug, Default)]
pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    /// The bar of the task now running, if one is drawn.
    fn current(&self) -> Option<ProgressBar> {
        self.bar.lock().map_or(None, |bar| bar.clone())
    }
}

/// The bar's template for a task of the library, or `None` when the task shows none.
fn template(task: &str, total: u64) -> Option<&'static str> {
    Some(match task {
        "run" if total >= RUN_BAR_MIN_ITERS => "{bar:40} {pos}/{len} iterations {eta}",
        "batchnorm" => "batchnorm {bar:40} {pos}/{len} runs ({eta})",
        "bn-smoothness" => "bn-smoothness {bar:40} {pos}/{len} trainings and points ({eta})",
        "census" => "census {bar:40} {pos}/{len} starts ({eta})",
        "escape" => "{bar:40} {pos}/{len} trials {eta}",
        "atlas" => "atlas {bar:40} {pos}/{len} runs {msg} ({eta})",
        "activations" => "activations {bar:40} {pos}/{len} runs ({eta})",
        "bn-noise" => "bn-noise {bar:40} {pos}/{len} runs ({eta})",
        "clipping" => "clipping {bar:40} {pos}/{len} runs ({eta})",
        "depth" => "depth {bar:40} {pos}/{len} networks ({eta})",
        "du2017" => "{bar:40} {pos}/{len} runs {eta}",
        "init" => "init {bar:40} {pos}/{len} runs ({eta})",
        "kaiming" => "kaiming {bar:40} {pos}/{len} runs ({eta})",
        "norms" => "norms {bar:40} {pos}/{len} runs ({eta})",
        "safran_shamir" => "{bar:40} {pos}/{len} runs {msg} {eta}",
        "pretraining" => "pretraining {bar:40} {pos}/{len} training runs ({eta})",
        "gamma-beta" => "gamma-beta {bar:40} {pos}/{len} training runs ({eta})",
        "exp-lr" => "exp-lr {bar:40} {pos}/{len} training runs ({eta})",
        "bn-spectrum" => "bn-spectrum {bar:40} {pos}/{len} trainings and spectra ({eta})",
        "demo" => "{bar:40} {pos}/{len} pictures {elapsed}",
        _ => return None,
    })
}

impl Progress for Bar {
    fn start(&self, task: &str, total: u64) {
        let bar = template(task, total)
            .filter(|_| std::io::stderr().is_terminal())
            .map(|template| {
                let bar = ProgressBar::new(total);
                bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
                bar
            });
        if let Ok(mut slot) = self.bar.lock() {
            *slot = bar;
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.current() {
            bar.inc(n);
        }
    }

    fn message(&self, message: &str) {
        if let Some(bar) = self.current() {
            bar.set_message(message.to_string());
        }
    }

    fn note(&self, line: &str) {
        if let Some(bar) = self.current() {
            bar.println(line);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
