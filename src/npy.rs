//! Reading and writing numpy `.npy` files (format versions 1–3).
//!
//! Read: what users write with `np.save`: floats (`f4`, `f8`), signed and unsigned
//! integers (1, 2, 4 or 8 bytes), booleans, in either byte order, in C or Fortran order,
//! any number of dimensions; entries become `f64` (exactly: an 8-byte integer beyond
//! 2⁵³ in magnitude is an error) in C order. Written: `<f8`, C order.

use std::path::Path;

use crate::budget::{human, BUDGET_BYTES};
use crate::error::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// An array read from a `.npy` file: its shape and its data in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The entries, row-major.
    pub data: Vec<f64>,
    /// What reading changed, in words (`float32 widened to float64`, `Fortran order
    /// rearranged to C order`); empty for a C-order float64 file.
    pub conversions: Vec<String>,
}

/// Reads an `f64` array from a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes = crate::budget::read_bytes(path)?;
    let array = parse_npy(&bytes).map_err(|message| Error::Parse {
        what: format!("`{}` as .npy", path.display()),
        message,
    })?;
    if !array.conversions.is_empty() {
        crate::verbose::note(|| format!("`{}`: {}", path.display(), array.conversions.join("; ")));
    }
    Ok(array)
}

/// Parses the bytes of a `.npy` file.
pub fn parse_npy(bytes: &[u8]) -> Result<NpyArray, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (bad magic string)".into());
    }
    let major = bytes[6];
    let (header_len, header_start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return Err(format!("unsupported .npy version {major}")),
    };
    let data_start = header_start + header_len;
    let header = bytes
        .get(header_start..data_start)
        .ok_or("truncated header")?;
    let header = std::str::from_utf8(header).map_err(|_| "header is not text")?;
    let descr = dict_value(header, "descr").ok_or("header has no 'descr'")?;
    let dtype = Dtype::parse(descr.trim_matches(|c| c == '\'' || c == '"'))?;
    let fortran = match dict_value(header, "fortran_order").map(str::trim) {
        Some("False") => false,
        Some("True") => true,
        Some(other) => return Err(format!("fortran_order {other}, expected True or False")),
        None => return Err("header has no 'fortran_order'".into()),
    };
    let shape_text = dict_value(header, "shape").ok_or("header has no 'shape'")?;
    let shape = parse_shape(shape_text)?;
    let too_big = || format!("shape {shape:?} has more entries than memory can hold");
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(too_big)?;
    // Read as f64, a 1-byte dtype takes 8 times its file: checked before anything is
    // allocated.
    let widened = count as u128 * 8;
    if widened > BUDGET_BYTES {
        return Err(format!(
            "shape {shape:?} has {count} entries, which as float64 would take {}, \
             more than the memory budget of {}",
            human(widened),
            human(BUDGET_BYTES)
        ));
    }
    let payload = &bytes[data_start..];
    let needed = count.checked_mul(dtype.size).ok_or_else(too_big)?;
    if payload.len() != needed {
        return Err(format!(
            "shape {shape:?} of {} needs {needed} bytes of data, file has {}",
            dtype.name,
            payload.len()
        ));
    }
    let mut data = payload
        .chunks_exact(dtype.size)
        .map(|c| dtype.decode(c))
        .collect::<Result<Vec<f64>, String>>()?;
    let mut conversions = Vec::new();
    if let Some(words) = dtype.conversion() {
        conversions.push(words);
    }
    if fortran && shape.iter().filter(|&&s| s > 1).count() > 1 {
        data = fortran_to_c(&shape, &data);
        conversions.push("Fortran (column-major) order rearranged to C order".to_string());
    }
    Ok(NpyArray {
        shape,
        data,
        conversions,
    })
}

/// Serialises a C-order `f64` array as `.npy` (version 1.0) bytes.
pub fn to_npy_bytes(shape: &[usize], data: &[f64]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        data.len(),
        "shape/data mismatch"
    );
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad so that the data starts on a multiple of 64 bytes, header ending in '\n'.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    data.iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out
}

/// An element type of a `.npy` file: kind, size in bytes, byte order.
struct Dtype<'a> {
    name: &'a str,
    kind: char,
    size: usize,
    big_endian: bool,
}

impl<'a> Dtype<'a> {
    /// A numpy `descr` string such as `<f8`, `|u1`, `>i4`, `|b1`.
    fn parse(descr: &'a str) -> Result<Self, String> {
        let unsupported = || {
            format!(
                "dtype {descr}, expected a float (f4, f8), an integer (i1…i8, u1…u8) \
                 or a bool (b1)"
            )
        };
        let (order, rest) = match descr.chars().next() {
            Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
            _ => ('=', descr),
        };
        let kind = rest.chars().next().ok_or_else(unsupported)?;
        let size: usize = rest[kind.len_utf8()..].parse().map_err(|_| unsupported())?;
        let supported = match kind {
            'f' => matches!(size, 4 | 8),
            'i' | 'u' => matches!(size, 1 | 2 | 4 | 8),
            'b' => size == 1,
            _ => false,
        };
        if !supported {
            return Err(unsupported());
        }
        Ok(Dtype {
            name: descr,
            kind,
            size,
            big_endian: order == '>' || (order == '=' && cfg!(target_endian = "big")),
        })
    }

    /// What decoding to `f64` does to this type, in words; `None` for float64.
    fn conversion(&self) -> Option<String> {
        let what = match (self.kind, self.size) {
            ('f', 8) => return None,
            ('f', _) => "float32 entries widened to float64 (exactly; the precision stays \
                         float32's)"
                .to_string(),
            ('b', _) => "bool entries read as 0.0 and 1.0".to_string(),
            (kind, size) => format!(
                "{}int{} entries converted to float64",
                if kind == 'u' { "u" } else { "" },
                size * 8
            ),
        };
        Some(format!("{what} (dtype {})", self.name))
    }

    /// One element's bytes as an `f64`.
    fn decode(&self, bytes: &[u8]) -> Result<f64, String> {
        let mut b = [0u8; 8];
        b[..self.size].copy_from_slice(bytes);
        if self.big_endian {
            b[..self.size].reverse();
        }
        // Little-endian now; sign-extend signed integers to 8 bytes.
        if self.kind == 'i' && b[self.size - 1] & 0x80 != 0 {
            b[self.size..].fill(0xff);
        }
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2⁵³
        let v = match (self.kind, self.size) {
            ('f', 4) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            ('f', _) => f64::from_le_bytes(b),
            ('i', _) => i64::from_le_bytes(b) as f64,
            ('u', _) => u64::from_le_bytes(b) as f64,
            _ => match b[0] {
                0 => 0.0,
                1 => 1.0,
                other => return Err(format!("bool entry {other}, expected 0 or 1")),
            },
        };
        if matches!(self.kind, 'i' | 'u') && v.abs() > EXACT {
            return Err(format!(
                "integer entry {v:e} is not exactly a float64 (|x| > 2^53)"
            ));
        }
        Ok(v)
    }
}

/// Fortran-order (column-major) data of a shape, in C (row-major) order.
fn fortran_to_c(shape: &[usize], data: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; data.len()];
    let mut index = vec![0usize; shape.len()];
    for &v in data {
        // `index` walks the array in Fortran order: first axis fastest.
        let c = index.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i);
        out[c] = v;
        for (i, &n) in index.iter_mut().zip(shape) {
            *i += 1;
            if *i < n {
                break;
            }
            *i = 0;
        }
    }
    out
}

/// The text after `'key':` in a Python dict literal, up to the next top-level comma.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let start = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = &header[start + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(&rest[..end])
}

fn parse_shape(text: &str) -> Result<Vec<usize>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("bad shape {text}"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<usize>().map_err(|_| format!("bad shape {text}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_matrix_and_vector() {
        let data = vec![1.0, -2.5, 3.0, 4.0, 5.0, 6.25];
        for shape in [vec![2, 3], vec![6], vec![3, 2]] {
            let parsed = parse_npy(&to_npy_bytes(&shape, &data)).unwrap();
            assert_eq!(parsed.shape, shape);
            assert_eq!(parsed.data, data);
        }
    }

    #[test]
    fn numpy_header_is_parsed() {
        // The exact header numpy 1.26 writes for np.arange(6.).reshape(2, 3).
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[1, 0]);
        let padded = format!("{header:<117}\n");
        bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
        bytes.extend_from_slice(padded.as_bytes());
        for i in 0..6 {
            bytes.extend_from_slice(&(i as f64).to_le_bytes());
        }
        let parsed = parse_npy(&bytes).unwrap();
        assert_eq!(parsed.shape, vec![2, 3]);
        assert_eq!(parsed.data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    /// Replaces the first occurrence of `from` by `to` (same length) in the bytes.
    fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
        let mut out = bytes.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    #[test]
    fn bad_dtypes_and_truncated_data_are_rejected() {
        let bytes = to_npy_bytes(&[2], &[1.0, 2.0]);
        let complex = patched(&bytes, b"<f8", b"<c8");
        assert!(parse_npy(&complex).unwrap_err().contains("<c8"));
        let half = patched(&bytes, b"<f8", b"<f2");
        assert!(parse_npy(&half).unwrap_err().contains("expected a float"));
        assert!(parse_npy(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .contains("needs 16 bytes"));
        let huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 8), }";
        assert!(parse_npy(&file(huge, &[]))
            .unwrap_err()
            .contains("more entries"));
    }

    #[test]
    fn entries_beyond_the_memory_budget_as_f64_are_refused_before_reading() {
        // A 1-byte dtype takes 8 times its file as f64: 2³¹/8 + 1 entries of u1 would take
        // more than the 2 GiB budget (a 1 GiB file, within the input limit, would take
        // 8 GiB).
        let header =
            |n: u64| format!("{{'descr': '|u1', 'fortran_order': False, 'shape': ({n},), }}");
        let e = parse_npy(&file(&header((1 << 28) + 1), &[])).unwrap_err();
        assert!(e.contains("memory budget of 2.0 GiB"), "{e}");
        let e = parse_npy(&file(&header(1 << 28), &[])).unwrap_err();
        assert!(e.contains("needs 268435456 bytes"), "{e}");
    }

    /// A v1 file with the given header dict and payload.
    fn file(header: &str, payload: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[1, 0]);
        let padded = format!("{header:<117}\n");
        bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
        bytes.extend_from_slice(padded.as_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn other_dtypes_and_orders_become_c_order_f64() {
        let read = |descr: &str, order: &str, shape: &str, payload: Vec<u8>| {
            let header =
                format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
            parse_npy(&file(&header, &payload)).unwrap()
        };
        let f32s: Vec<u8> = [0.5f32, -1.25, 3.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            read("<f4", "False", "(3,)", f32s).data,
            vec![0.5, -1.25, 3.0]
        );
        let i64s: Vec<u8> = [-3i64, 7].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(read("<i8", "False", "(2,)", i64s).data, vec![-3.0, 7.0]);
        let i16_be: Vec<u8> = [-2i16, 300].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(read(">i2", "False", "(2,)", i16_be).data, vec![-2.0, 300.0]);
        assert_eq!(
            read("|u1", "False", "(3,)", vec![0, 9, 255]).data,
            vec![0.0, 9.0, 255.0]
        );
        assert_eq!(
            read("|b1", "False", "(2,)", vec![1, 0]).data,
            vec![1.0, 0.0]
        );
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        let fortran: Vec<u8> = [0i32, 3, 1, 4, 2, 5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let m = read("<i4", "True", "(2, 3)", fortran);
        assert_eq!(
            (m.shape, m.data),
            (vec![2, 3], vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
        );
        let big: Vec<u8> = (1u64 << 60).to_le_bytes().to_vec();
        let header = "{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }";
        assert!(parse_npy(&file(header, &big)).unwrap_err().contains("2^53"));
    }
}
