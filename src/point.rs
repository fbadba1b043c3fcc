//! A point of a problem written as text: the one syntax for points and directions
//! (the `landscape` command reads its point arguments with it).
//!
//! [`resolve_point`] accepts:
//! - `zeros`: the origin;
//! - `name:<known point>`: one of the problem's closed-form stationary points
//!   ([`Objective::known_points`]);
//! - `random:<scale>:<seed>`: iid N(0, scale²) entries from the seed (retracted onto
//!   the manifold on constrained problems);
//! - `init:<scheme>[:<seed>]`: an initialisation of a network (`mlp`: `init:kaiming_normal:3`,
//!   `init:normal=0.01`; seed 0 when absent), see [`Objective::initialisation`];
//! - an inline JSON array, e.g. `[1.0, -2.0]`;
//! - a path to a `.npy` file (f64, C order, any shape, flattened);
//! - a path to a JSON file holding a flat array, an object with field `x` (an
//!   evaluation), or a saved trajectory (`run --out traj.json`: its `final.x`, so a
//!   trained network's weights are a point).
//!
//! The result has the problem's dimension and finite entries, or the error says what is
//! wrong, naming the point as the caller calls it.
//!
//! ```
//! use landscape::point::resolve_point;
//!
//! let (_, f) = landscape::problems::load("rosenbrock", &[]).unwrap();
//! assert_eq!(resolve_point("[1, 1]", f.as_ref(), "x").unwrap(), vec![1.0, 1.0]);
//! assert_eq!(resolve_point("zeros", f.as_ref(), "x").unwrap(), vec![0.0, 0.0]);
//! assert_eq!(resolve_point("random:0.1:7", f.as_ref(), "x").unwrap().len(), 2);
//! let err = resolve_point("[1, 2, 3]", f.as_ref(), "start").unwrap_err();
//! assert!(err.to_string().starts_with("start has length 3"));
//! ```

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{ensure_finite, Error, Result};
use crate::npy::read_npy;
use crate::objective::Objective;
use crate::random::{gaussian_vector, rng};

/// Resolves `arg` (any form of the module doc) to a point of `f`: a vector of its
/// dimension with finite entries; `what` names the point in errors (e.g. "point",
/// "hvp direction").
pub fn resolve_point(arg: &str, f: &dyn Objective, what: &str) -> Result<Vec<f64>> {
    let dim = f.dim();
    let x = if arg == "zeros" {
        vec![0.0; dim]
    } else if let Some(name) = arg.strip_prefix("name:") {
        known_point(f, name)?
    } else if let Some(rest) = arg.strip_prefix("random:") {
        random_point(f, rest, what)?
    } else if let Some(rest) = arg.strip_prefix("init:") {
        initialisation(f, rest, what)?
    } else if arg.trim_start().starts_with('[') {
        parse_json_point(arg, &format!("{what} `{arg}`"), dim, what)?
    } else {
        read_point_file(Path::new(arg), dim, what)?
    };
    if x.len() != dim {
        return Err(Error::DimensionMismatch {
            what: what.to_string(),
            expected: dim,
            found: x.len(),
        });
    }
    ensure_finite(what, &x)?;
    Ok(x)
}

fn known_point(f: &dyn Objective, name: &str) -> Result<Vec<f64>> {
    if let Some(p) = f.known_point(name) {
        return Ok(p.x);
    }
    let points = f.known_points();
    Err(Error::UnknownPoint {
        name: name.to_string(),
        known: if points.is_empty() {
            "none for this problem".to_string()
        } else {
            points
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

fn random_point(f: &dyn Objective, spec: &str, what: &str) -> Result<Vec<f64>> {
    let bad = || {
        Error::invalid(
            what,
            "random:<scale>:<seed>, e.g. random:0.1:7",
            format!("`random:{spec}`"),
        )
    };
    let (scale, seed) = spec.split_once(':').ok_or_else(bad)?;
    let scale: f64 = scale.parse().map_err(|_| bad())?;
    let seed: u64 = seed.parse().map_err(|_| bad())?;
    if !scale.is_finite() || scale < 0.0 {
        return Err(bad());
    }
    let mut x = gaussian_vector(&mut rng(seed), f.dim());
    x.iter_mut().for_each(|v| *v *= scale);
    f.manifold().retract_in_place(&mut x);
    Ok(x)
}

/// The start a run takes when none is given: `init:kaiming_normal:0` on a problem with
/// initialisations (a network: N(0, 1) weights would be the "large" initialisation that
/// explodes with depth), `random:1:0` otherwise.
pub fn default_start(f: &dyn Objective) -> &'static str {
    if f.initialisation("kaiming_normal", 0).is_some() {
        "init:kaiming_normal:0"
    } else {
        "random:1:0"
    }
}

fn initialisation(f: &dyn Objective, spec: &str, what: &str) -> Result<Vec<f64>> {
    let (scheme, seed) = match spec.rsplit_once(':') {
        Some((scheme, seed)) => {
            let seed = seed.parse::<u64>().map_err(|_| {
                Error::invalid(
                    what,
                    "init:<scheme>[:<seed>] with a non-negative integer seed",
                    format!("`init:{spec}`"),
                )
            })?;
            (scheme, seed)
        }
        None => (spec, 0),
    };
    f.initialisation(scheme, seed).unwrap_or_else(|| {
        Err(Error::invalid(
            what,
            format!(
                "a point of `{}` (init:<scheme> is for networks, e.g. mlp)",
                f.kind()
            ),
            format!("`init:{spec}`"),
        ))
    })
}

fn read_point_file(path: &Path, dim: usize, what: &str) -> Result<Vec<f64>> {
    if path.extension().is_some_and(|e| e == "npy") {
        return Ok(read_npy(path)?.data);
    }
    if !path.exists() {
        return Err(Error::invalid(
            what,
            "zeros, name:<point>, random:<scale>:<seed>, a JSON array, or a .json/.npy file",
            format!("`{}` (no such file)", path.display()),
        ));
    }
    let text = crate::budget::read_text(path)?;
    parse_json_point(
        &text,
        &format!("{what} file `{}`", path.display()),
        dim,
        what,
    )
}

/// Parses a JSON flat array, an object whose field `x` is one, or a saved trajectory
/// (its `final.x`: the trained point of a `run --out traj.json`), as a point of
/// dimension `dim`; `what` names it in a length error, `origin` in a parse error.
///
/// Read as it is parsed, with the memory of the point whatever the text: other fields
/// are skipped unread, and entries past `dim` counted, not kept (a JSON value tree of a
/// 1 GiB file would take 20 times that).
pub fn parse_json_point(text: &str, origin: &str, dim: usize, what: &str) -> Result<Vec<f64>> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let (x, len) = Point { keep: dim }
        .deserialize(&mut reader)
        .and_then(|point| reader.end().map(|()| point))
        .map_err(|e| Error::Parse {
            what: origin.to_string(),
            message: e.to_string(),
        })?;
    if len != dim {
        return Err(Error::DimensionMismatch {
            what: what.to_string(),
            expected: dim,
            found: len,
        });
    }
    Ok(x)
}

/// A point file's top level: an array of numbers or an object with `x` or `final.x`;
/// the first `keep` entries and the array's length.
struct Point {
    keep: usize,
}

/// A saved trajectory's `final` (an evaluation): its `x`.
struct Final {
    keep: usize,
}

/// An array of numbers: its first `keep` entries and its length.
struct Entries {
    keep: usize,
}

/// Entry `i` of an array: a number.
struct Entry(usize);

/// A key of an object, without keeping it.
#[derive(PartialEq)]
enum Key {
    X,
    Final,
    Other,
}

type Kept = (Vec<f64>, usize);

impl<'de> DeserializeSeed<'de> for Point {
    type Value = Kept;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Kept, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Point {
    type Value = Kept;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a flat array, {\"x\": [...]} or a trajectory (final.x)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Kept, A::Error> {
        Entries { keep: self.keep }.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Kept, A::Error> {
        let (mut x, mut final_x) = (None, None);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::X => x = Some(map.next_value_seed(Entries { keep: self.keep })?),
                Key::Final => final_x = map.next_value_seed(Final { keep: self.keep })?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        x.or(final_x).ok_or_else(|| {
            de::Error::custom(
                "an object without field `x`; expected a flat array, {\"x\": [...]} or a \
                 trajectory (final.x)",
            )
        })
    }
}

impl<'de> DeserializeSeed<'de> for Final {
    type Value = Option<Kept>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Final {
    type Value = Option<Kept>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`final` as an object with field `x`")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut x = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == Key::X {
                x = Some(map.next_value_seed(Entries { keep: self.keep })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(x)
    }
}

impl<'de> DeserializeSeed<'de> for Entries {
    type Value = Kept;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Kept, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries {
    type Value = Kept;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Kept, A::Error> {
        let mut kept = Vec::with_capacity(self.keep.min(seq.size_hint().unwrap_or(0)));
        let mut len = 0;
        while let Some(value) = seq.next_element_seed(Entry(len))? {
            if len < self.keep {
                kept.push(value);
            }
            len += 1;
        }
        Ok((kept, len))
    }
}

impl<'de> DeserializeSeed<'de> for Entry {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<f64, D::Error> {
        d.deserialize_f64(self)
    }
}

impl<'de> Visitor<'de> for Entry {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "entry {} to be a number", self.0)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<f64, E> {
        Ok(v as f64)
    }
}

/// Reads an object's key as [`Key`].
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<Key, E> {
        Ok(match key {
            "x" => Key::X,
            "final" => Key::Final,
            _ => Key::Other,
        })
    }
}
