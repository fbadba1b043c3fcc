//! The problem library and its registry: kind name → fields, shipped spec, constructor.
//!
//! Adding a problem costs one file (`src/problems/<kind>.rs` exporting its [`Params`]
//! struct and a `pub const KIND: Kind`), its shipped spec (`problems/<kind>.toml`) and one line in
//! [`KINDS`].

use std::path::Path;

use crate::error::{Error, Result};
use crate::objective::Objective;

pub mod expression;
pub mod himmelblau;
pub mod linear_net;
mod low_rank;
pub mod matrix_completion;
pub mod matrix_factorization;
pub mod matrix_factorization_asym;
pub mod matrix_sensing;
pub mod mlp;
pub mod monkey_saddle;
pub mod octopus;
pub mod params;
mod planar;
pub mod quadratic;
pub mod quadratic_net;
pub mod relu_net;
pub mod rosenbrock;
pub mod saddle;
pub mod six_hump_camel;
pub mod spec;
pub mod tensor_decomposition;
pub mod tensor_factorization;

pub use params::{Data, DefaultText, Field, FieldDoc, Params};
pub use spec::ProblemSpec;

/// A problem kind: its name, description, fields, shipped spec and constructor.
#[derive(Clone, Copy)]
pub struct Kind {
    /// The registry name (the spec's `kind`).
    pub name: &'static str,
    /// One line: the formula and the reference.
    pub description: &'static str,
    /// Its spec fields (`kind` aside), `seed` last: [`params::listing`] of its
    /// [`Params`] struct.
    pub fields: fn() -> Vec<Field>,
    /// The shipped spec (`problems/<name>.toml`), embedded in the binary.
    pub shipped_spec: &'static str,
    /// Alternative ways to give the instance: a field that gives its data directly,
    /// with the fields of the other way that it makes irrelevant (`a` replaces the
    /// generated quadratic's `eigenvalues`). A `--set` of the first removes the others
    /// from the spec it is applied to, unless an earlier `--set` gave them
    /// ([`load_spec`]; [`ProblemSpec::replaced`] says what went).
    pub replaces: &'static [(&'static str, &'static [&'static str])],
    /// Builds an instance from a validated spec.
    pub build: fn(&ProblemSpec) -> Result<Box<dyn Objective>>,
}

/// Every kind, in the order `landscape problems` lists them.
pub const KINDS: &[Kind] = &[
    quadratic::KIND,
    saddle::KIND,
    monkey_saddle::KIND,
    himmelblau::KIND,
    rosenbrock::KIND,
    six_hump_camel::KIND,
    matrix_factorization::KIND,
    matrix_factorization_asym::KIND,
    matrix_sensing::KIND,
    matrix_completion::KIND,
    tensor_decomposition::KIND,
    tensor_factorization::KIND,
    quadratic_net::KIND,
    linear_net::KIND,
    relu_net::KIND,
    octopus::KIND,
    mlp::KIND,
    expression::KIND,
];

/// Looks a kind up by name.
pub fn find_kind(name: &str) -> Result<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.name == name)
        .ok_or_else(|| Error::UnknownKind {
            kind: name.to_string(),
            known: kind_names().join(", "),
        })
}

/// The names of all kinds.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// Builds the problem a spec describes, after [`check`]ing it.
pub fn build(spec: &ProblemSpec) -> Result<Box<dyn Objective>> {
    check(spec)?;
    (find_kind(spec.kind())?.build)(spec)
}

/// Checks a spec before its kind's constructor runs: every field known, the seed a
/// non-negative integer, the sizes within the memory budget ([`crate::budget`]).
pub fn check(spec: &ProblemSpec) -> Result<()> {
    let kind = find_kind(spec.kind())?;
    let fields = (kind.fields)();
    for field in spec.field_names() {
        if !fields.iter().any(|f| f.name == field) {
            let expected: Vec<&str> = fields.iter().map(|f| f.name).collect();
            return Err(Error::UnknownField {
                kind: kind.name.to_string(),
                field: field.to_string(),
                expected: expected.join(", "),
            });
        }
    }
    // Every kind has a seed, used or not: it is checked either way.
    match spec.raw("seed") {
        None | Some(toml::Value::Integer(0..)) => {}
        Some(other) => return Err(Error::invalid("seed", "a non-negative integer", other)),
    }
    crate::budget::check_spec(spec)
}

/// The shipped spec of a kind, parsed.
pub fn shipped_spec(name: &str) -> Result<ProblemSpec> {
    let kind = find_kind(name)?;
    ProblemSpec::from_toml(kind.shipped_spec, &format!("shipped:{name}"), None)
}

/// Resolves a `--problem` argument — `expr:<formula>` (a spec of kind `expression` with
/// `f` set), a spec file's path or a shipped spec's name — and applies `--set key=value`
/// overrides.
pub fn load_spec(problem: &str, overrides: &[String]) -> Result<ProblemSpec> {
    let path = Path::new(problem);
    let looks_like_path = path.extension().is_some() || problem.contains(std::path::MAIN_SEPARATOR);
    let mut spec = if let Some(spec) = expression::spec_of_argument(problem) {
        spec
    } else if path.is_file() || looks_like_path {
        ProblemSpec::from_file(path)?
    } else if KINDS.iter().any(|k| k.name == problem) {
        shipped_spec(problem)?
    } else {
        return Err(Error::UnknownSpec {
            name: problem.to_string(),
            known: kind_names().join(", "),
        });
    };
    let mut given: Vec<String> = Vec::new();
    for assignment in overrides {
        let key = spec.apply_override(assignment)?;
        let replaced = find_kind(spec.kind())
            .ok()
            .and_then(|kind| kind.replaces.iter().find(|(field, _)| *field == key))
            .map_or(&[][..], |(_, replaced)| *replaced);
        for field in replaced {
            if !given.iter().any(|g| g == field) {
                spec.replace_field(field, &key);
            }
        }
        given.push(key);
    }
    Ok(spec)
}

/// [`load_spec`] then [`build`].
pub fn load(problem: &str, overrides: &[String]) -> Result<(ProblemSpec, Box<dyn Objective>)> {
    let spec = load_spec(problem, overrides)?;
    let objective = build(&spec)?;
    Ok((spec, objective))
}
