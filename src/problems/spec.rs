//! [`ProblemSpec`]: a problem instance as TOML — the `kind`, a `seed`, and the kind's
//! fields — with `--set key=value` overrides and typed, validated field access; a kind
//! reads its fields as one typed struct with [`ProblemSpec::params`] (defaults in the
//! struct's `Default`, see [`Params`]).
//!
//! Data fields (matrices, vectors) are inline TOML arrays (matrices as nested rows) or
//! the path of a `.npy` file (f64, C order), relative to the spec file's folder.

use std::path::{Path, PathBuf};

use nalgebra::DMatrix;

use crate::error::{ensure_finite, Error, Result};
use crate::problems::params::{self, Data, Params};

/// A parsed problem spec.
#[derive(Clone, Debug)]
pub struct ProblemSpec {
    kind: String,
    fields: toml::Table,
    base_dir: Option<PathBuf>,
    replaced: Vec<Replaced>,
}

/// A field of a spec that an override made irrelevant and removed (see
/// [`crate::problems::Kind::replaces`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Replaced {
    /// The removed field.
    pub field: String,
    /// The overridden field that replaced it.
    pub by: String,
}

impl ProblemSpec {
    /// A spec of `kind` with no fields (every field at its default).
    pub fn new(kind: impl Into<String>) -> Self {
        ProblemSpec {
            kind: kind.into(),
            fields: toml::Table::new(),
            base_dir: None,
            replaced: Vec::new(),
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
            replaced: Vec::new(),
        })
    }

    /// Reads a spec file (at most [`crate::budget::MAX_SPEC_BYTES`]).
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = crate::budget::read_spec_text(path)?;
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

    /// Removes `field`, which the override of `by` made irrelevant, and records it
    /// ([`ProblemSpec::replaced`]). Nothing happens when the field is absent.
    pub fn replace_field(&mut self, field: &str, by: &str) {
        if self.fields.remove(field).is_some() {
            self.replaced.push(Replaced {
                field: field.to_string(),
                by: by.to_string(),
            });
        }
    }

    /// The fields overrides removed as irrelevant, in order.
    pub fn replaced(&self) -> &[Replaced] {
        &self.replaced
    }

    /// Applies an override `key=value`; the value is read as TOML (`3`, `0.5`,
    /// `[1, 2]`, `"text"`), or as a plain string when it is not valid TOML. Returns the
    /// key.
    pub fn apply_override(&mut self, assignment: &str) -> Result<String> {
        let (key, raw) = assignment
            .split_once('=')
            .ok_or_else(|| Error::invalid("override", "key=value", format!("`{assignment}`")))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::invalid(
                "override",
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
        if key == "kind" && !value.is_str() {
            return Err(Error::invalid("kind", "a kind's name (a string)", value));
        }
        self.set_value(key, value);
        Ok(key.to_string())
    }

    /// True when the field is present.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// An optional non-negative integer field.
    pub fn opt_usize(&self, field: &str) -> Result<Option<usize>> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if *i >= 0 => Ok(Some(*i as usize)),
            Some(other) => Err(Error::invalid(field, "a non-negative integer", other)),
        }
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

    /// The folder relative `.npy` paths resolve against.
    pub fn base_dir(&self) -> Option<&Path> {
        self.base_dir.as_deref()
    }

    /// A field as written, when present.
    pub fn raw(&self, field: &str) -> Option<&toml::Value> {
        self.fields.get(field)
    }

    /// The kind's typed fields (see [`Params`]); values of the wrong type are errors.
    pub fn params<P: Params>(&self) -> Result<P> {
        params::read(self)
    }

    /// A spec of `kind` holding `params` (data fields as written in them).
    pub fn from_params<P: Params>(kind: impl Into<String>, params: &P) -> Result<Self> {
        let fields = toml::Table::try_from(params).map_err(|e| Error::Parse {
            what: "problem parameters".into(),
            message: e.to_string(),
        })?;
        Ok(ProblemSpec {
            kind: kind.into(),
            fields,
            base_dir: None,
            replaced: Vec::new(),
        })
    }

    fn data(&self, field: &str) -> Option<Data> {
        self.fields.get(field).cloned().map(Data)
    }

    /// An optional vector of finite numbers: an inline array or a `.npy` path (a 1-D
    /// array, or a 2-D array with one row or column).
    pub fn opt_vector(&self, field: &str) -> Result<Option<Vec<f64>>> {
        self.data(field)
            .map(|d| d.vector(field, self.base_dir()))
            .transpose()
    }

    /// An optional matrix of finite numbers: nested inline rows or a 2-D `.npy` path.
    pub fn opt_matrix(&self, field: &str) -> Result<Option<DMatrix<f64>>> {
        self.data(field)
            .map(|d| d.matrix(field, self.base_dir()))
            .transpose()
    }

    /// An optional square symmetric matrix of side `n` (tolerance 1e-10 relative).
    pub fn opt_symmetric(&self, field: &str, n: Option<usize>) -> Result<Option<DMatrix<f64>>> {
        self.data(field)
            .map(|d| d.symmetric(field, n, self.base_dir()))
            .transpose()
    }
}
