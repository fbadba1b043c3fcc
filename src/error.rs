//! The crate's one error type.
//!
//! Every variant names what was wrong and what was expected, so that the command-line
//! tool can print it as one line and exit with code 2 (bad input).

use std::path::PathBuf;

/// Everything that can go wrong when building a problem, reading data or a point.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem kind that the registry does not know.
    #[error("unknown problem kind `{kind}`; expected one of: {known}")]
    UnknownKind {
        /// The kind that was asked for.
        kind: String,
        /// The known kinds, comma-separated.
        known: String,
    },
    /// A `--problem` argument that is neither a file nor a shipped spec.
    #[error(
        "no problem spec `{name}`: not a readable file and not a shipped spec (shipped: {known})"
    )]
    UnknownSpec {
        /// What was given.
        name: String,
        /// The shipped spec names.
        known: String,
    },
    /// A spec field that the kind does not have.
    #[error("unknown field `{field}` for kind `{kind}`; expected one of: {expected}")]
    UnknownField {
        /// The problem kind.
        kind: String,
        /// The offending field.
        field: String,
        /// The fields the kind accepts.
        expected: String,
    },
    /// A required spec field that is absent.
    #[error("missing field `{field}` for kind `{kind}`: {expected}")]
    MissingField {
        /// The problem kind.
        kind: String,
        /// The missing field.
        field: String,
        /// What the field should hold.
        expected: String,
    },
    /// A field whose value has the wrong type, shape or range.
    #[error("invalid field `{field}`: expected {expected}, found {found}")]
    InvalidField {
        /// The field (or an override's key, or a data path).
        field: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// NaN or ±∞ in input data.
    #[error("non-finite value {value} in `{field}` at index {index}; expected finite numbers")]
    NonFinite {
        /// The field or file holding the value.
        field: String,
        /// Flat (row-major) index of the value.
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// A point or direction whose length does not match the problem's dimension.
    #[error("{what} has length {found}, expected {expected} (the problem's dimension)")]
    DimensionMismatch {
        /// Which vector (e.g. "point", "hvp direction").
        what: String,
        /// The problem's dimension.
        expected: usize,
        /// The vector's length.
        found: usize,
    },
    /// A named point that the problem does not know.
    #[error("unknown point `{name}`; known points: {known}")]
    UnknownPoint {
        /// The requested name.
        name: String,
        /// The known point names, comma-separated.
        known: String,
    },
    /// A file that could not be read or written.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An optimizer name that the registry does not know.
    #[error("unknown optimizer `{name}`; expected one of: {known}")]
    UnknownOptimizer {
        /// The name that was asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A hyperparameter out of its range (negative, NaN, β ≥ 1, …), or one the optimizer
    /// does not take, or a required one that is missing.
    #[error("invalid hyperparameter `{name}` for optimizer `{optimizer}`: expected {expected}, found {found}")]
    InvalidHyperparameter {
        /// The optimizer.
        optimizer: String,
        /// The hyperparameter (as its command-line flag is spelled, without `--`).
        name: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An optimizer asked to run on a problem it cannot handle (e.g. a second-order
    /// method on a sphere-constrained problem).
    #[error("optimizer `{optimizer}` does not support {what} (`{problem}` {detail})")]
    UnsupportedProblem {
        /// The optimizer.
        optimizer: String,
        /// What it does not support, e.g. "constrained problems".
        what: String,
        /// The problem kind.
        problem: String,
        /// Why this problem is such a one, e.g. "on spheres".
        detail: String,
    },
    /// Standard output could not be written (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
    /// A numerical method that failed (e.g. an eigensolver that hit its iteration cap).
    #[error("numerical failure in {what}: {message}")]
    Numerical {
        /// The method.
        what: String,
        /// What happened.
        message: String,
    },
    /// An escape experiment asked to start from a point that is not a saddle.
    #[error("the --from point is not a saddle: its verdict is `{kind}` ({detail}); use --force to run anyway")]
    NotASaddle {
        /// The verdict at the point (`global_min`, `not_stationary`, …).
        kind: String,
        /// The evidence, e.g. `λmin = 2e0`.
        detail: String,
    },
    /// A drawing failed (a plotting backend error; not expected with valid input).
    #[error("cannot draw the picture: {message}")]
    Plot {
        /// The backend's message.
        message: String,
    },
    /// A file or argument whose contents could not be parsed.
    #[error("cannot parse {what}: {message}")]
    Parse {
        /// What was being parsed (a file path or an argument).
        what: String,
        /// The parser's message.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::InvalidField`] from anything displayable (a number that `Display`
    /// spells with more than 20 digits, 1e308 or 1e-320, is shown as `1e308`).
    pub fn invalid(
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl std::fmt::Display,
    ) -> Self {
        let mut found = toml_dates(found.to_string());
        if found.len() > 20 {
            if let Ok(v) = found.parse::<f64>() {
                found = format!("{v:e}");
            }
        }
        Error::InvalidField {
            field: field.into(),
            expected: expected.into(),
            found,
        }
    }

    /// An [`Error::Io`] for reading `path`.
    pub fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action: "read",
            path: path.into(),
            source,
        }
    }
}

/// A TOML date as written (`1979-05-27`): `toml::Value`'s `Display` shows it as the
/// serde wrapper `{ "$__toml_private_datetime" = "1979-05-27" }`.
fn toml_dates(mut text: String) -> String {
    const OPEN: &str = "{ \"$__toml_private_datetime\" = \"";
    while let Some(start) = text.find(OPEN) {
        let inner = start + OPEN.len();
        let Some(end) = text[inner..].find("\" }") else {
            break;
        };
        let date = text[inner..inner + end].to_string();
        text.replace_range(start..inner + end + 3, &date);
    }
    text
}

/// Check that `x` is a point of a problem of dimension `dim`: the right length
/// ([`Error::DimensionMismatch`]) and finite entries ([`Error::NonFinite`]), both naming
/// `what`.
pub fn ensure_point(what: &str, x: &[f64], dim: usize) -> Result<()> {
    if x.len() != dim {
        return Err(Error::DimensionMismatch {
            what: what.to_string(),
            expected: dim,
            found: x.len(),
        });
    }
    ensure_finite(what, x)
}

/// Check that every entry of `values` is finite, naming `field` otherwise.
pub fn ensure_finite(field: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite {
            field: field.to_string(),
            index,
            value: values[index],
        }),
    }
}

impl From<std::io::Error> for Error {
    /// I/O errors without a path are errors writing the command's output.
    fn from(e: std::io::Error) -> Self {
        Error::Output(e)
    }
}
