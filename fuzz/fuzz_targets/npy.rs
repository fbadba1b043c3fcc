//! `.npy` bytes (header and data) through the crate's reader. What it accepts has as
//! many entries as its shape says, and survives a round trip through the writer
//! (bit for bit, as `<f8` in C order).
#![no_main]

use landscape::npy::{parse_npy, to_npy_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(array) = parse_npy(data) else {
        return;
    };
    assert_eq!(array.shape.iter().product::<usize>(), array.data.len());
    let again = parse_npy(&to_npy_bytes(&array.shape, &array.data)).expect("own output reads");
    assert_eq!(again.shape, array.shape);
    assert!(again.conversions.is_empty(), "{:?}", again.conversions);
    let bits = |d: &[f64]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&again.data), bits(&array.data));
});
