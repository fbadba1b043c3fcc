//! Typed hyperparameters: what a caller gives ([`Hyperparameters`], name → value) and
//! what an optimizer takes (its [`Params`] struct).
//!
//! Each optimizer's parameters are one serde struct with
//! `#[serde(default, deny_unknown_fields)]`: its `Default` holds the reference defaults,
//! its [`Params::validate`] the range checks. [`parse`] deserialises such a struct from
//! the given [`Hyperparameters`] — a name that is given overrides the default, a name
//! the struct does not have is rejected by the deserialisation itself (serde's
//! `unknown_field`, which also lists the names it does take) — then validates it. The
//! names an optimizer takes ([`accepted`]) and the defaults shown by
//! `landscape run --help` ([`defaults_text`]) are read off the same struct, so a new
//! hyperparameter is one field, its default and its check.
//!
//! [`Hyperparameters`] keeps f64 values as they are (NaN and ±∞ included: they must reach
//! the range checks and be rejected by name, which a JSON map could not carry).

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, MapAccess, Unexpected,
    Visitor,
};
use serde::{forward_to_deserialize_any, Deserializer, Serialize};

use crate::error::{Error, Result};

/// An optimizer's typed hyperparameters: a serde struct with
/// `#[serde(default, deny_unknown_fields)]` whose `Default` is the reference defaults.
pub trait Params: Serialize + DeserializeOwned + Default + Send + 'static {
    /// Rejects out-of-range values; the error names `optimizer` and the field (use the
    /// [`check_positive`], [`check_non_negative`] and [`check_decay`] helpers).
    fn validate(&self, optimizer: &str) -> Result<()>;

    /// The defaults as `landscape run --help` shows them in brackets (e.g. `lr 1e-3,
    /// momentum 0.9`): by default every field one can set, with its value in
    /// `Self::default()` ([`defaults_text`]). Parameters whose defaults depend on a mode
    /// render their own, still from their `Default`s.
    fn help() -> String {
        defaults_text::<Self>()
    }
}

/// One given hyperparameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum HyperparameterValue {
    /// A real number (NaN and ±∞ are kept, for the range checks to reject).
    Float(f64),
    /// A non-negative integer (a count, a seed).
    Integer(u64),
    /// A switch.
    Bool(bool),
    /// A name (e.g. a noise distribution).
    Text(String),
}

impl HyperparameterValue {
    /// The value as a real number (a float, or an integer converted); None otherwise.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            HyperparameterValue::Float(v) => Some(*v),
            HyperparameterValue::Integer(v) => Some(*v as f64),
            _ => None,
        }
    }
}

impl From<f64> for HyperparameterValue {
    fn from(v: f64) -> Self {
        HyperparameterValue::Float(v)
    }
}

impl From<u64> for HyperparameterValue {
    fn from(v: u64) -> Self {
        HyperparameterValue::Integer(v)
    }
}

impl From<usize> for HyperparameterValue {
    fn from(v: usize) -> Self {
        HyperparameterValue::Integer(v as u64)
    }
}

impl From<bool> for HyperparameterValue {
    fn from(v: bool) -> Self {
        HyperparameterValue::Bool(v)
    }
}

impl From<&str> for HyperparameterValue {
    fn from(v: &str) -> Self {
        HyperparameterValue::Text(v.to_string())
    }
}

impl From<super::noise::Noise> for HyperparameterValue {
    fn from(v: super::noise::Noise) -> Self {
        HyperparameterValue::Text(v.as_str().to_string())
    }
}

impl fmt::Display for HyperparameterValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HyperparameterValue::Float(v) => write!(f, "{v}"),
            HyperparameterValue::Integer(v) => write!(f, "{v}"),
            HyperparameterValue::Bool(v) => write!(f, "{v}"),
            HyperparameterValue::Text(v) => write!(f, "`{v}`"),
        }
    }
}

/// Hyperparameters as given on the command line or by a library caller: name → value,
/// in the order given; a name not given takes the optimizer's default. Names are the
/// fields of the optimizer's [`Params`] (the flags without `--`, `_` for `-`).
///
/// ```
/// use landscape::optim::Hyperparameters;
///
/// let hp = Hyperparameters::new().with("lr", 0.1).with("momentum", 0.5);
/// assert_eq!(hp.names().collect::<Vec<_>>(), ["lr", "momentum"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hyperparameters {
    given: Vec<(String, HyperparameterValue)>,
}

impl Hyperparameters {
    /// None given: every optimizer's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `self` with `name` set to `value`.
    pub fn with(mut self, name: &str, value: impl Into<HyperparameterValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets `name` to `value` (replacing an earlier value, keeping its place).
    pub fn set(&mut self, name: &str, value: impl Into<HyperparameterValue>) {
        let value = value.into();
        match self.given.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.given.push((name.to_string(), value)),
        }
    }

    /// Sets `name` when `value` is `Some` (an optional flag).
    pub fn set_if_given<V: Into<HyperparameterValue>>(&mut self, name: &str, value: Option<V>) {
        if let Some(value) = value {
            self.set(name, value);
        }
    }

    /// The value given for `name`.
    pub fn get(&self, name: &str) -> Option<&HyperparameterValue> {
        self.given.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The names given, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.given.iter().map(|(n, _)| n.as_str())
    }

    /// True when nothing is given.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

/// `P` from the hyperparameters `given` to the optimizer `optimizer`: the defaults,
/// overridden by the names given, validated. A name `P` does not have, a value of the
/// wrong type or one out of range is an [`Error::InvalidHyperparameter`] naming it.
pub fn parse<P: Params>(optimizer: &str, given: &Hyperparameters) -> Result<P> {
    let params = P::deserialize(GivenDeserializer(given)).map_err(|e| e.into_error(optimizer))?;
    params.validate(optimizer)?;
    Ok(params)
}

/// The names `P` takes: its fields, in declaration order (read from its derived
/// `Deserialize`, the same list that rejects the others).
pub fn accepted<P: Params>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The probe always ends in an error, after recording the struct's field names.
    let _ = P::deserialize(FieldNames(&mut fields));
    fields
}

/// `P`'s defaults as `name value, …`, for the names it takes (`_` shown as `-`, as the
/// flags are spelled); a name whose default is none is shown alone.
pub fn defaults_text<P: Params>() -> String {
    let defaults = serde_json::to_value(P::default()).unwrap_or_default();
    render_fields(&defaults, accepted::<P>())
}

/// `name value, …` for the `names` of the JSON object `values` (absent or null values:
/// the name alone).
pub fn render_fields(values: &serde_json::Value, names: &[&str]) -> String {
    names
        .iter()
        .map(|name| {
            let flag = name.replace('_', "-");
            match values.get(name).and_then(render_value) {
                Some(value) => format!("{flag} {value}"),
                None => flag,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A default as written in help text: the shorter of f64's plain and scientific forms
/// (`1e-3`, `0.9`, `1`), integers, switches and names as they are.
fn render_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => n.as_f64().map(|v| {
            let plain = format!("{v}");
            let scientific = format!("{v:e}");
            if scientific.len() < plain.len() {
                scientific
            } else {
                plain
            }
        }),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn invalid(optimizer: &str, name: &str, expected: &str, found: f64) -> Error {
    Error::InvalidHyperparameter {
        optimizer: optimizer.to_string(),
        name: name.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks `0 < value < ∞` (a learning rate, an ε).
pub fn check_positive(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a positive finite number", value))
    }
}

/// Checks `0 ≤ value < ∞`.
pub fn check_non_negative(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a finite number ≥ 0", value))
    }
}

/// Checks `0 ≤ value < 1` (a momentum, a decay rate β, α, ρ).
pub fn check_decay(optimizer: &str, name: &str, value: f64) -> Result<()> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(invalid(optimizer, name, "a number in [0, 1)", value))
    }
}

/// Checks an integer ≥ 1 (a memory, a window length).
pub fn check_at_least_one(optimizer: &str, name: &str, value: usize) -> Result<()> {
    if value >= 1 {
        Ok(())
    } else {
        Err(Error::InvalidHyperparameter {
            optimizer: optimizer.to_string(),
            name: name.to_string(),
            expected: "an integer ≥ 1".to_string(),
            found: value.to_string(),
        })
    }
}

/// What went wrong deserialising a [`Params`] struct, kept structured so that it becomes
/// the same [`Error::InvalidHyperparameter`] as a failed range check.
#[derive(Debug)]
enum ParamError {
    /// A name the struct does not have, and those it does (serde's `unknown_field`).
    Unknown {
        name: String,
        accepted: &'static [&'static str],
    },
    /// A value of the wrong type or an unknown variant; the name is filled in by the map
    /// access that was reading it.
    Invalid {
        name: Option<String>,
        expected: String,
        found: String,
    },
    /// Anything else serde reports.
    Message(String),
}

impl ParamError {
    /// The error attached to the hyperparameter `name` given as `value`.
    fn at(self, name: &str, value: &HyperparameterValue) -> Self {
        match self {
            ParamError::Invalid {
                name: None,
                expected,
                found,
            } => ParamError::Invalid {
                name: Some(name.to_string()),
                expected,
                found,
            },
            ParamError::Message(message) => ParamError::Invalid {
                name: Some(name.to_string()),
                expected: message,
                found: value.to_string(),
            },
            other => other,
        }
    }

    fn into_error(self, optimizer: &str) -> Error {
        match self {
            ParamError::Unknown { name, accepted } => Error::InvalidHyperparameter {
                optimizer: optimizer.to_string(),
                expected: format!(
                    "one of the hyperparameters `{optimizer}` takes ({})",
                    if accepted.is_empty() {
                        "none".to_string()
                    } else {
                        accepted.join(", ")
                    }
                ),
                found: format!("`{name}`, which it does not take"),
                name,
            },
            ParamError::Invalid {
                name,
                expected,
                found,
            } => Error::InvalidHyperparameter {
                optimizer: optimizer.to_string(),
                name: name.unwrap_or_else(|| "hyperparameters".to_string()),
                expected,
                found,
            },
            ParamError::Message(message) => Error::InvalidHyperparameter {
                optimizer: optimizer.to_string(),
                name: "hyperparameters".to_string(),
                expected: "hyperparameters it takes".to_string(),
                found: message,
            },
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown { name, .. } => write!(f, "unknown hyperparameter `{name}`"),
            ParamError::Invalid {
                expected, found, ..
            } => write!(f, "expected {expected}, found {found}"),
            ParamError::Message(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ParamError {}

impl de::Error for ParamError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ParamError::Message(msg.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        ParamError::Invalid {
            name: None,
            expected: expected.to_string(),
            found: unexpected.to_string(),
        }
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::invalid_type(unexpected, expected)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let names: Vec<String> = expected.iter().map(|v| format!("`{v}`")).collect();
        ParamError::Invalid {
            name: None,
            expected: format!("one of {}", names.join(", ")),
            found: format!("`{variant}`"),
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        ParamError::Unknown {
            name: field.to_string(),
            accepted: expected,
        }
    }
}

/// [`Hyperparameters`] seen by serde as a map.
struct GivenDeserializer<'a>(&'a Hyperparameters);

impl<'de> Deserializer<'de> for GivenDeserializer<'_> {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_map(GivenEntries {
            entries: self.0.given.iter(),
            current: None,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        enum identifier ignored_any
    }
}

struct GivenEntries<'a> {
    entries: std::slice::Iter<'a, (String, HyperparameterValue)>,
    current: Option<&'a (String, HyperparameterValue)>,
}

impl<'de> MapAccess<'de> for GivenEntries<'_> {
    type Error = ParamError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ParamError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some(entry);
        let key: StrDeserializer<'_, ParamError> = entry.0.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ParamError> {
        let (name, value) = self
            .current
            .take()
            .ok_or_else(|| <ParamError as de::Error>::custom("a value without its name"))?;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| e.at(name, value))
    }
}

/// One given value seen by serde.
struct ValueDeserializer<'a>(&'a HyperparameterValue);

impl<'de> Deserializer<'de> for ValueDeserializer<'_> {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self.0 {
            HyperparameterValue::Float(v) => visitor.visit_f64(*v),
            HyperparameterValue::Integer(v) => visitor.visit_u64(*v),
            HyperparameterValue::Bool(v) => visitor.visit_bool(*v),
            HyperparameterValue::Text(v) => visitor.visit_str(v),
        }
    }

    /// A given value is always present: `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_some(self)
    }

    /// A unit variant by its name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        match self.0 {
            HyperparameterValue::Text(v) => {
                let variant: StrDeserializer<'_, ParamError> = v.as_str().into_deserializer();
                visitor.visit_enum(variant)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// A deserializer that only records the field names of the struct asked for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, ParamError> {
        Err(de::Error::custom("hyperparameters are a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, ParamError> {
        *self.0 = fields;
        Err(de::Error::custom("field names recorded"))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Example {
        lr: f64,
        memory: usize,
        bias_correction: bool,
        noise: super::super::noise::Noise,
        #[serde(skip_deserializing)]
        stream: u64,
    }

    impl Default for Example {
        fn default() -> Self {
            Example {
                lr: 1e-3,
                memory: 10,
                bias_correction: true,
                noise: Default::default(),
                stream: 0,
            }
        }
    }

    impl Params for Example {
        fn validate(&self, optimizer: &str) -> Result<()> {
            check_positive(optimizer, "lr", self.lr)
        }
    }

    #[test]
    fn given_names_override_the_defaults_and_the_rest_stay() {
        let given = Hyperparameters::new()
            .with("memory", 3usize)
            .with("noise", "gaussian")
            .with("bias_correction", false);
        let p: Example = parse("x", &given).unwrap();
        assert_eq!(
            p,
            Example {
                lr: 1e-3,
                memory: 3,
                bias_correction: false,
                noise: super::super::noise::Noise::Gaussian,
                stream: 0,
            }
        );
    }

    #[test]
    fn unknown_names_wrong_types_and_bad_values_are_named() {
        let message =
            |given: Hyperparameters| parse::<Example>("x", &given).unwrap_err().to_string();
        let unknown = message(Hyperparameters::new().with("beta1", 0.5));
        assert!(unknown.contains("`beta1`"), "{unknown}");
        assert!(
            unknown.contains("(lr, memory, bias_correction, noise)"),
            "{unknown}"
        );
        // `stream` is not a hyperparameter one gives.
        assert!(message(Hyperparameters::new().with("stream", 1u64)).contains("`stream`"));
        let wrong_type = message(Hyperparameters::new().with("memory", 1.5));
        assert!(
            wrong_type.contains("`memory`") && wrong_type.contains("1.5"),
            "{wrong_type}"
        );
        let variant = message(Hyperparameters::new().with("noise", "cauchy"));
        assert!(
            variant.contains("`noise`") && variant.contains("`cauchy`"),
            "{variant}"
        );
        let nan = message(Hyperparameters::new().with("lr", f64::NAN));
        assert!(nan.contains("`lr`") && nan.contains("NaN"), "{nan}");
    }

    #[test]
    fn accepted_names_and_defaults_come_from_the_struct() {
        assert_eq!(
            accepted::<Example>(),
            ["lr", "memory", "bias_correction", "noise"]
        );
        assert_eq!(
            defaults_text::<Example>(),
            "lr 1e-3, memory 10, bias-correction true, noise sphere"
        );
    }
}
