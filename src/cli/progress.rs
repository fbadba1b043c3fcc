//! The commands' progress bars: an indicatif bar on stderr for each task the library
//! reports (see `landscape::progress`) when stderr is a terminal; otherwise (piped,
//! redirected to a log) a plain line every [`LINE_INTERVAL`] once a task has run that
//! long, so a long run still shows signs of life and a short one prints nothing.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use landscape::progress::Progress;

/// `run` shows a bar only for runs of at least this many iterations.
const RUN_BAR_MIN_ITERS: u64 = 10_000;

/// Without a terminal, a progress line at most this often.
pub const LINE_INTERVAL: Duration = Duration::from_secs(10);

/// A bar per task on stderr when it is a terminal; plain lines otherwise.
#[derive(Debug, Default)]
pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
    lines: Mutex<Option<Lines>>,
}

/// The state of the plain lines of the task now running.
#[derive(Debug)]
struct Lines {
    task: String,
    total: u64,
    done: u64,
    started: Instant,
    last: Instant,
}

impl Lines {
    /// Counts `n` more units; the line to print, when one is due.
    fn advance(&mut self, n: u64, now: Instant) -> Option<String> {
        self.done += n;
        if now.duration_since(self.last) < LINE_INTERVAL {
            return None;
        }
        self.last = now;
        let percent = 100.0 * self.done as f64 / self.total.max(1) as f64;
        Some(format!(
            "{}: {}/{} ({percent:.0}%) after {:.0} s",
            self.task,
            self.done,
            self.total,
            now.duration_since(self.started).as_secs_f64()
        ))
    }
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
        let terminal = std::io::stderr().is_terminal();
        if let Ok(mut lines) = self.lines.lock() {
            let now = Instant::now();
            *lines = (!terminal && template(task, total).is_some()).then(|| Lines {
                task: task.to_string(),
                total,
                done: 0,
                started: now,
                last: now,
            });
        }
        let bar = template(task, total).filter(|_| terminal).map(|template| {
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
        let line = self
            .lines
            .lock()
            .ok()
            .and_then(|mut lines| lines.as_mut()?.advance(n, Instant::now()));
        if let Some(line) = line {
            eprintln!("{line}");
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
        if let Ok(mut lines) = self.lines.lock() {
            *lines = None;
        }
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_come_only_once_the_interval_has_passed() {
        let start = Instant::now();
        let mut lines = Lines {
            task: "census".into(),
            total: 200,
            done: 0,
            started: start,
            last: start,
        };
        assert_eq!(lines.advance(10, start + Duration::from_secs(3)), None);
        let line = lines.advance(30, start + LINE_INTERVAL + Duration::from_secs(1));
        assert_eq!(line.as_deref(), Some("census: 40/200 (20%) after 11 s"));
        // The next one waits another interval.
        assert_eq!(
            lines.advance(1, start + LINE_INTERVAL + Duration::from_secs(5)),
            None
        );
    }
}
