//! The `expr:` formula parser: a formula (`--problem 'expr:…'`) → checked, parsed,
//! differentiated (hyper-dual numbers) → evaluated ([`common::exercise`]).
#![no_main]

use landscape::problems::{self, expression};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(formula) = std::str::from_utf8(data) else {
        return;
    };
    let spec = expression::spec_of_argument(&format!("{}{formula}", expression::PREFIX))
        .expect("an expr: argument");
    if let Ok(f) = problems::build(&spec) {
        common::exercise(f.as_ref());
    }
});
