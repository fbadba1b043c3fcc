//! The problem spec: TOML text → spec → checks (fields, seed, the memory budget) →
//! the problem built → evaluated ([`common::exercise`]).
//!
//! Specs whose instance the budget estimate puts above [`BUILD_BYTES`] are checked but
//! not built, so that an execution stays fast; with `-malloc_limit_mb` well above it, an
//! instance that allocates far more than the estimate says is found as an OOM.
#![no_main]

use std::path::Path;

use landscape::budget::spec_bytes;
use landscape::problems::{self, ProblemSpec};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// The largest instance (by the budget's estimate) the target builds: 16 MiB.
const BUILD_BYTES: u128 = 16 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Relative `.npy` paths resolve in a folder that does not exist: no file is read.
    let base = Path::new("/nonexistent/landscape-fuzz");
    let Ok(spec) = ProblemSpec::from_toml(text, "fuzz", Some(base)) else {
        return;
    };
    if problems::check(&spec).is_err() {
        return;
    }
    if spec_bytes(&spec).is_some_and(|(_, _, bytes)| bytes > BUILD_BYTES) {
        return;
    }
    if let Ok(f) = problems::build(&spec) {
        common::exercise(f.as_ref());
    }
});
