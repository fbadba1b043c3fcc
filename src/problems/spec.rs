//! [`ProblemSpec`]: a problem instance as TOML — the `kind`, a `seed`, and the kind's
//! fields — with `--set key=value` overrides and typed, validated field access.
//!
//! Data fields (matrices, vectors) are inline TOML arrays (matrices as nested rows) or
//! the path of a `.npy` file (f64, C order), relative to the spec file's folder.

use std::path::{Path, PathBuf};

use nalgebra::DMatrix;

use crate::error::{ensure_finite, Error, Result};
use crate::npy::read_npy;

/// A parsed problem spec.
#[derive(Clone, Debug)]
pub struct ProblemSpec {
    kind: String,
    fields: toml::Table,
    base_dir: Option<PathBuf>,
}

impl ProblemSpec {
    /// A spec of `kind` with no fields (every field at its default).
    pub fn new(kind: impl Into<String>) -> Self {
        ProblemSpec {
            kind: kind.into(),
            fields: toml::Table::new(),
            base_dir: None,
        }
    }

    /// Parses TOML text; relative `.npy` paths resolve against `base_dir`.
    pub fn from_toml(text: &str, origin: &str, base_dir: Option<&Path>) -> Result<Self> {
        let mut fields: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            let message: Vec<&str> = e.message().lines().map(str::trim).collect();
            Error::Parse {
                what: format!("problem spec `{origin}`"),
                message: match line {
                    Some(line) => format!("line {line}: {}", message.join("; ")),
                    None => message.join("; "),
                },
            }
        })?;
        let kind = match fields.remove("kind") {
            Some(toml::Value::String(kind)) => kind,
            Some(other) => return Err(Error::invalid("kind", "a string", other)),
            None => {
                return Err(Error::MissingField {
                    kind: "?".into(),
                    field: "kind".into(),
                    expected: "every spec names its problem kind, e.g. kind = \"quadratic\"".into(),
                })
            }
        };
        Ok(ProblemSpec {
            kind,
            fields,
            base_dir: base_dir.map(Path::to_path_buf),
        })
    }

    /// Reads a spec file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        Self::from_toml(&text, &path.display().to_string(), path.parent())
    }

    /// The problem kind.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The names of the fields present (excluding `kind`).
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// Sets a field to a TOML value.
    pub fn set_value(&mut self, key: &str, value: toml::Value) -> &mut Self {
        if key == "kind" {
            if let toml::Value::String(kind) = value {
                self.kind = kind;
            }
        } else {
            self.fields.insert(key.to_string(), value);
        }
        self
    }

    /// Applies an override `key=value`; the value is read as TOML (`3`, `0.5`,
    /// `[1, 2]`, `"text"`), or as a plain string when it is not valid TOML.
    pub fn apply_override(&mut self, assignment: &str) -> Result<()> {
        let (key, raw) = assignment
            .split_once('=')
            .ok_or_else(|| Error::invalid("--set", "key=value", format!("`{assignment}`")))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::invalid(
                "--set",
                "key=value with a key",
                format!("`{assignment}`"),
            ));
        }
        let raw = raw.trim();
        let value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.to_string()));
        self.set_value(key, value);
        Ok(())
    }

    /// True when the field is present.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    fn missing(&self, field: &str, expected: &str) -> Error {
        Error::MissingField {
            kind: self.kind.clone(),
            field: field.into(),
            expected: expected.into(),
        }
    }

    /// The `seed` field (default 0).
    pub fn seed(&self) -> Result<u64> {
        Ok(self.opt_usize("seed")?.unwrap_or(0) as u64)
    }

    /// An optional non-negative integer field.
    pub fn opt_usize(&self, field: &str) -> Result<Option<usize>> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if *i >= 0 => Ok(Some(*i as usize)),
            Some(other) => Err(Error::invalid(field, "a non-negative integer", other)),
        }
    }

    /// A required non-negative integer field.
    pub fn usize(&self, field: &str) -> Result<usize> {
        self.opt_usize(field)?
            .ok_or_else(|| self.missing(field, "a non-negative integer"))
    }

    /// A non-negative integer field with a default.
    pub fn usize_or(&self, field: &str, default: usize) -> Result<usize> {
        Ok(self.opt_usize(field)?.unwrap_or(default))
    }

    /// A positive integer field with a default.
    pub fn positive_usize_or(&self, field: &str, default: usize) -> Result<usize> {
        let value = self.usize_or(field, default)?;
        if value == 0 {
            return Err(Error::invalid(field, "a positive integer", 0));
        }
        Ok(value)
    }

    /// An optional finite number (integers are accepted).
    pub fn opt_f64(&self, field: &str) -> Result<Option<f64>> {
        let value = match self.fields.get(field) {
            None => return Ok(None),
            Some(toml::Value::Float(f)) => *f,
            Some(toml::Value::Integer(i)) => *i as f64,
            Some(other) => return Err(Error::invalid(field, "a number", other)),
        };
        ensure_finite(field, &[value])?;
        Ok(Some(value))
    }

    /// A finite number with a default.
    pub fn f64_or(&self, field: &str, default: f64) -> Result<f64> {
        Ok(self.opt_f64(field)?.unwrap_or(default))
    }

    /// An optional list of non-negative integers.
    pub fn opt_usize_list(&self, field: &str) -> Result<Option<Vec<usize>>> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    toml::Value::Integer(i) if *i >= 0 => Ok(*i as usize),
                    other => Err(Error::invalid(
                        field,
                        "a list of non-negative integers",
                        other,
                    )),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(Error::invalid(
                field,
                "a list of non-negative integers",
                other,
            )),
        }
    }

    fn data_path(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        match &self.base_dir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// An optional vector of finite numbers: an inline array or a `.npy` path (a 1-D
    /// array, or a 2-D array with one row or column).
    pub fn opt_vector(&self, field: &str) -> Result<Option<Vec<f64>>> {
        let data = match self.fields.get(field) {
            None => return Ok(None),
            Some(toml::Value::String(path)) => {
                let array = read_npy(&self.data_path(path))?;
                if array.shape.len() > 1 && array.shape.iter().filter(|&&s| s != 1).count() > 1 {
                    return Err(Error::invalid(
                        field,
                        "a vector",
                        format!("an array of shape {:?}", array.shape),
                    ));
                }
                array.data
            }
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| number(field, v))
                .collect::<Result<Vec<_>>>()?,
            Some(other) => {
                return Err(Error::invalid(
                    field,
                    "an array of numbers or a .npy path",
                    other,
                ))
            }
        };
        ensure_finite(field, &data)?;
        Ok(Some(data))
    }

    /// An optional matrix of finite numbers: nested inline rows or a 2-D `.npy` path.
    pub fn opt_matrix(&self, field: &str) -> Result<Option<DMatrix<f64>>> {
        let (rows, cols, data) = match self.fields.get(field) {
            None => return Ok(None),
            Some(toml::Value::String(path)) => {
                let array = read_npy(&self.data_path(path))?;
                match array.shape[..] {
                    [r, c] => (r, c, array.data),
                    _ => {
                        return Err(Error::invalid(
                            field,
                            "a 2-D array",
                            format!("an array of shape {:?} in `{path}`", array.shape),
                        ))
                    }
                }
            }
            Some(toml::Value::Array(rows)) => {
                let mut data = Vec::new();
                let mut cols = None;
                for (i, row) in rows.iter().enumerate() {
                    let toml::Value::Array(row) = row else {
                        return Err(Error::invalid(
                            field,
                            "a matrix as a list of rows",
                            format!("row {i} = {row}"),
                        ));
                    };
                    if *cols.get_or_insert(row.len()) != row.len() {
                        return Err(Error::invalid(
                            field,
                            format!("rows of equal length {}", cols.unwrap_or(0)),
                            format!("row {i} of length {}", row.len()),
                        ));
                    }
                    for v in row {
                        data.push(number(field, v)?);
                    }
                }
                (rows.len(), cols.unwrap_or(0), data)
            }
            Some(other) => {
                return Err(Error::invalid(
                    field,
                    "a list of rows or a .npy path",
                    other,
                ))
            }
        };
        ensure_finite(field, &data)?;
        Ok(Some(DMatrix::from_row_slice(rows, cols, &data)))
    }

    /// An optional square symmetric matrix of side `n` (tolerance 1e-10 relative).
    pub fn opt_symmetric(&self, field: &str, n: Option<usize>) -> Result<Option<DMatrix<f64>>> {
        let Some(m) = self.opt_matrix(field)? else {
            return Ok(None);
        };
        if !m.is_square() || n.is_some_and(|n| m.nrows() != n) {
            let side = n.map_or("a square".to_string(), |n| format!("an {n}×{n}"));
            return Err(Error::invalid(
                field,
                format!("{side} symmetric matrix"),
                format!("{}×{}", m.nrows(), m.ncols()),
            ));
        }
        let asym = (&m - m.transpose()).amax();
        if asym > 1e-10 * m.amax().max(1.0) {
            return Err(Error::invalid(
                field,
                "a symmetric matrix",
                format!("max |A − Aᵀ| = {asym:e}"),
            ));
        }
        Ok(Some(m))
    }
}

fn number(field: &str, v: &toml::Value) -> Result<f64> {
    match v {
        toml::Value::Float(f) => Ok(*f),
        toml::Value::Integer(i) => Ok(*i as f64),
        other => Err(Error::invalid(field, "numbers", other)),
    }
}
