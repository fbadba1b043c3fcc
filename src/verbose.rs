//! Verbose notes: what the tool did to the user's input on its own account (a `.npy`
//! file's float32 entries widened to float64, its Fortran order rearranged), printed on
//! stderr only when asked for (`landscape --verbose …`). Off by default, so the library
//! and the Python package stay silent.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns verbose notes on (or off) for the rest of the process.
pub fn set(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether verbose notes are on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Prints `note: {message}` on stderr when verbose notes are on.
pub fn note(message: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("note: {}", message());
    }
}
