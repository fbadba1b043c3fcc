//! Typed spec fields: each kind's fields are one serde struct ([`Params`]) whose
//! `Default` holds the defaults. The build reads that struct from a [`ProblemSpec`] and
//! `landscape problems` lists its fields, with the defaults rendered from the same
//! `Default`.
//!
//! Reading a struct from a spec goes through a small serde deserializer over the spec's
//! fields that reports bad values in the registry's words ("invalid field `n`: expected
//! a non-negative integer, found -1"), so every kind validates field types the same way.
//! Data fields (matrices, vectors) are kept as written ([`Data`]: inline numbers or a
//! `.npy` path) and resolved by the build against the spec's folder.

use std::fmt;
use std::path::{Path, PathBuf};

use nalgebra::DMatrix;
use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::npy::read_npy;
use crate::problems::ProblemSpec;

/// One field of a kind's spec as `landscape problems` lists it.
#[derive(Clone, Debug)]
pub struct Field {
    /// The field name in the spec.
    pub name: &'static str,
    /// Its default, in words (`"required"` when there is none).
    pub default: String,
    /// What it means.
    pub doc: &'static str,
}

/// How the listing shows a field's default.
#[derive(Clone, Copy, Debug)]
pub enum DefaultText {
    /// The value in the struct's `Default`.
    Value,
    /// The value in the struct's `Default`, then a note (e.g. `" (population form)"`).
    ValueThen(&'static str),
    /// Words, for a field whose default is absent (`"required"`) or derived from other
    /// fields (`"rank"`, `"5·n·true_rank"`), or a named constant.
    Text(&'static str),
}

/// The documentation of one field of a [`Params`] struct.
#[derive(Clone, Copy, Debug)]
pub struct FieldDoc {
    /// The field name (the struct's field, as serde names it).
    pub name: &'static str,
    /// How its default is shown.
    pub default: DefaultText,
    /// What it means.
    pub doc: &'static str,
}

/// A kind's spec fields as one typed struct: `Default` gives the defaults (`None` for a
/// required field or one whose default derives from others), [`Params::FIELDS`]
/// documents each field except `seed`, which every kind has.
pub trait Params: Serialize + DeserializeOwned + Default {
    /// Every field but `seed`, in listing order.
    const FIELDS: &'static [FieldDoc];
}

/// The documentation of `seed`, the field every kind has.
pub const SEED_DOC: FieldDoc = FieldDoc {
    name: "seed",
    default: DefaultText::Value,
    doc: "seed of every random thing in the instance",
};

/// The fields of `P` as `landscape problems` lists them: [`Params::FIELDS`], then `seed`.
pub fn listing<P: Params>() -> Vec<Field> {
    let defaults = toml::Table::try_from(P::default()).unwrap_or_default();
    P::FIELDS
        .iter()
        .chain(std::iter::once(&SEED_DOC))
        .map(|f| {
            let value = || defaults.get(f.name).map_or_else(String::new, render);
            let default = match f.default {
                DefaultText::Value => value(),
                DefaultText::ValueThen(note) => format!("{}{note}", value()),
                DefaultText::Text(text) => text.to_string(),
            };
            Field {
                name: f.name,
                default,
                doc: f.doc,
            }
        })
        .collect()
}

/// The names `P` accepts, `seed` last.
pub fn field_names<P: Params>() -> Vec<&'static str> {
    P::FIELDS
        .iter()
        .map(|f| f.name)
        .chain(std::iter::once(SEED_DOC.name))
        .collect()
}

/// A default as the listing shows it: integral floats without a fractional part
/// (`1`, not `1.0`), other floats in Rust's shortest form, and `1e-3` style below 1e-2.
fn render(value: &toml::Value) -> String {
    match value {
        toml::Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        toml::Value::Float(x) if *x != 0.0 && x.abs() < 1e-2 => format!("{x:e}"),
        toml::Value::Float(x) => x.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A data field as written: inline numbers (a list, or a list of rows) or the path of a
/// `.npy` file (f64, C order), relative to the spec file's folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Data(pub toml::Value);

impl From<&DMatrix<f64>> for Data {
    fn from(m: &DMatrix<f64>) -> Self {
        Data(toml::Value::Array(
            m.row_iter()
                .map(|row| toml::Value::Array(row.iter().map(|&v| v.into()).collect()))
                .collect(),
        ))
    }
}

impl From<&[f64]> for Data {
    fn from(v: &[f64]) -> Self {
        Data(toml::Value::Array(v.iter().map(|&x| x.into()).collect()))
    }
}

impl From<PathBuf> for Data {
    fn from(path: PathBuf) -> Self {
        Data(toml::Value::String(path.display().to_string()))
    }
}

impl Data {
    /// A vector of finite numbers: an inline list or a `.npy` path (a 1-D array, or a 2-D
    /// array with one row or column) relative to `base_dir`.
    pub fn vector(&self, field: &str, base_dir: Option<&Path>) -> Result<Vec<f64>> {
        let data = match &self.0 {
            toml::Value::String(path) => {
                let array = read_npy(&data_path(base_dir, path))?;
                if array.shape.len() > 1 && array.shape.iter().filter(|&&s| s != 1).count() > 1 {
                    return Err(Error::invalid(
                        field,
                        "a vector",
                        format!("an array of shape {:?}", array.shape),
                    ));
                }
                array.data
            }
            toml::Value::Array(items) => items
                .iter()
                .map(|v| number(field, v))
                .collect::<Result<Vec<_>>>()?,
            other => {
                return Err(Error::invalid(
                    field,
                    "an array of numbers or a .npy path",
                    other,
                ))
            }
        };
        ensure_finite(field, &data)?;
        Ok(data)
    }

    /// A matrix of finite numbers: inline rows or a 2-D `.npy` path relative to
    /// `base_dir`.
    pub fn matrix(&self, field: &str, base_dir: Option<&Path>) -> Result<DMatrix<f64>> {
        let (rows, cols, data) = match &self.0 {
            toml::Value::String(path) => {
                let array = read_npy(&data_path(base_dir, path))?;
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
            toml::Value::Array(rows) => {
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
            other => {
                return Err(Error::invalid(
                    field,
                    "a list of rows or a .npy path",
                    other,
                ))
            }
        };
        ensure_finite(field, &data)?;
        Ok(DMatrix::from_row_slice(rows, cols, &data))
    }

    /// A square symmetric matrix, of side `n` when given (tolerance 1e-10 relative).
    pub fn symmetric(
        &self,
        field: &str,
        n: Option<usize>,
        base_dir: Option<&Path>,
    ) -> Result<DMatrix<f64>> {
        let m = self.matrix(field, base_dir)?;
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
        Ok(m)
    }
}

fn data_path(base_dir: Option<&Path>, path: &str) -> PathBuf {
    let path = Path::new(path);
    match base_dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

fn number(field: &str, v: &toml::Value) -> Result<f64> {
    match v {
        toml::Value::Float(f) => Ok(*f),
        toml::Value::Integer(i) => Ok(*i as f64),
        other => Err(Error::invalid(field, "numbers", other)),
    }
}

/// The error missing required field `field` of `kind`, holding `expected`.
pub fn missing(kind: &str, field: &str, expected: &str) -> Error {
    Error::MissingField {
        kind: kind.into(),
        field: field.into(),
        expected: expected.into(),
    }
}

/// A required field's value, or the "missing field" error.
pub fn required<T>(value: Option<T>, kind: &str, field: &str, expected: &str) -> Result<T> {
    value.ok_or_else(|| missing(kind, field, expected))
}

/// Reads `P` from the spec's fields; values of the wrong type fail with the registry's
/// messages (see [`ProblemSpec`]'s accessors).
pub(crate) fn read<P: Params>(spec: &ProblemSpec) -> Result<P> {
    P::deserialize(SpecFields { spec }).map_err(|e| e.0)
}

/// The serde error of reading a spec: one of the crate's errors.
#[derive(Debug)]
struct SpecError(Error);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SpecError {}

impl de::Error for SpecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SpecError(Error::Parse {
            what: "problem spec".into(),
            message: msg.to_string(),
        })
    }
}

impl From<Error> for SpecError {
    fn from(e: Error) -> Self {
        SpecError(e)
    }
}

/// The spec's fields as a serde map.
struct SpecFields<'a> {
    spec: &'a ProblemSpec,
}

impl<'de> de::Deserializer<'de> for SpecFields<'_> {
    type Error = SpecError;

    fn deserialize_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        visitor.visit_map(FieldsAccess {
            spec: self.spec,
            names: self.spec.field_names().collect(),
            next: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct FieldsAccess<'a> {
    spec: &'a ProblemSpec,
    names: Vec<&'a str>,
    next: usize,
}

impl<'de> MapAccess<'de> for FieldsAccess<'_> {
    type Error = SpecError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> std::result::Result<Option<K::Value>, SpecError> {
        let Some(name) = self.names.get(self.next) else {
            return Ok(None);
        };
        seed.deserialize(name.to_string().into_deserializer())
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> std::result::Result<V::Value, SpecError> {
        let field = self.names[self.next];
        self.next += 1;
        seed.deserialize(FieldValue {
            spec: self.spec,
            field,
        })
    }
}

/// One present field of the spec, read through the spec's typed accessors.
struct FieldValue<'a> {
    spec: &'a ProblemSpec,
    field: &'a str,
}

impl FieldValue<'_> {
    fn raw(&self) -> &toml::Value {
        self.spec
            .raw(self.field)
            .expect("the field is one of the spec's keys")
    }
}

impl<'de> de::Deserializer<'de> for FieldValue<'_> {
    type Error = SpecError;

    fn deserialize_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        let field = self.field;
        self.raw()
            .clone()
            .deserialize_any(visitor)
            .map_err(|e| SpecError(Error::invalid(field, "a value", e.message())))
    }

    fn deserialize_u64<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        let value = self.spec.opt_usize(self.field)?.unwrap_or_default();
        visitor.visit_u64(value as u64)
    }

    fn deserialize_f64<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        let value = self.spec.opt_f64(self.field)?.unwrap_or_default();
        visitor.visit_f64(value)
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        let values = self.spec.opt_usize_list(self.field)?.unwrap_or_default();
        visitor.visit_seq(de::value::SeqDeserializer::new(
            values.into_iter().map(|v| v as u64),
        ))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, SpecError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 char str string
        bytes byte_buf unit unit_struct tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The fields of a kind with nothing to set but `seed` (validated; the instance is
/// fixed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedParams {
    /// Seed of every random thing in the instance.
    pub seed: u64,
}

impl Params for SeedParams {
    const FIELDS: &'static [FieldDoc] = &[];
}

/// Resolving an optional data field: `None` stays `None`.
pub trait OptionalData {
    /// See [`Data::vector`].
    fn vector(&self, field: &str, base_dir: Option<&Path>) -> Result<Option<Vec<f64>>>;
    /// See [`Data::matrix`].
    fn matrix(&self, field: &str, base_dir: Option<&Path>) -> Result<Option<DMatrix<f64>>>;
    /// See [`Data::symmetric`].
    fn symmetric(
        &self,
        field: &str,
        n: Option<usize>,
        base_dir: Option<&Path>,
    ) -> Result<Option<DMatrix<f64>>>;
}

impl OptionalData for Option<Data> {
    fn vector(&self, field: &str, base_dir: Option<&Path>) -> Result<Option<Vec<f64>>> {
        self.as_ref().map(|d| d.vector(field, base_dir)).transpose()
    }

    fn matrix(&self, field: &str, base_dir: Option<&Path>) -> Result<Option<DMatrix<f64>>> {
        self.as_ref().map(|d| d.matrix(field, base_dir)).transpose()
    }

    fn symmetric(
        &self,
        field: &str,
        n: Option<usize>,
        base_dir: Option<&Path>,
    ) -> Result<Option<DMatrix<f64>>> {
        self.as_ref()
            .map(|d| d.symmetric(field, n, base_dir))
            .transpose()
    }
}
