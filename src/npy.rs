//! Reading and writing numpy `.npy` files of `f64` (format versions 1–3, little-endian
//! `<f8`, C order; 0-, 1- or 2-dimensional).

use std::path::Path;

use crate::error::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// An array read from a `.npy` file: its shape and its data in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The entries, row-major.
    pub data: Vec<f64>,
}

/// Reads an `f64` array from a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    parse_npy(&bytes).map_err(|message| Error::Parse {
        what: format!("`{}` as .npy", path.display()),
        message,
    })
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
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    if descr != "<f8" && descr != "f8" {
        return Err(format!("dtype {descr}, expected '<f8' (float64)"));
    }
    let fortran = dict_value(header, "fortran_order").ok_or("header has no 'fortran_order'")?;
    if fortran.trim() != "False" {
        return Err("Fortran order, expected C order (fortran_order: False)".into());
    }
    let shape_text = dict_value(header, "shape").ok_or("header has no 'shape'")?;
    let shape = parse_shape(shape_text)?;
    let count: usize = shape.iter().product();
    let payload = &bytes[data_start..];
    if payload.len() != count * 8 {
        return Err(format!(
            "shape {shape:?} needs {} bytes of data, file has {}",
            count * 8,
            payload.len()
        ));
    }
    let data = payload
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("chunk of 8")))
        .collect();
    Ok(NpyArray { shape, data })
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
    fn wrong_dtype_and_fortran_order_are_rejected() {
        let bytes = to_npy_bytes(&[2], &[1.0, 2.0]);
        let int = patched(&bytes, b"<f8", b"<i8");
        assert!(parse_npy(&int).unwrap_err().contains("<i8"));
        let fortran = patched(&bytes, b"False", b"True ");
        assert!(parse_npy(&fortran).unwrap_err().contains("Fortran"));
        assert!(parse_npy(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .contains("needs 16 bytes"));
    }
}
