//! The memory budget: every size a user controls (a spec's size fields, counts of starts,
//! iterations, trials, grid points) is checked against [`BUDGET_BYTES`] before anything
//! is allocated, in checked (`u128`, saturating) arithmetic, and refused with the memory
//! it would take.

use crate::error::{Error, Result};
use crate::problems::ProblemSpec;

/// The most memory one size may claim: 2 GiB.
pub const BUDGET_BYTES: u128 = 2 << 30;

/// Checks that `bytes` (what `field` = `found` would allocate) fits the budget.
pub fn check(field: &str, found: impl std::fmt::Display, bytes: u128) -> Result<()> {
    if bytes <= BUDGET_BYTES {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "a size within the memory budget of {} (this one would take {})",
            human(BUDGET_BYTES),
            human(bytes)
        ),
        found,
    ))
}

/// Checks `count` items of `bytes_each` bytes against the budget.
pub fn check_count(field: &str, count: u128, bytes_each: u128) -> Result<()> {
    check(field, count, count.saturating_mul(bytes_each))
}

/// Bytes in words: `2 GiB`, `6.4e15 bytes`.
pub fn human(bytes: u128) -> String {
    const GIB: u128 = 1 << 30;
    if bytes == u128::MAX {
        "more than 10^38 bytes".to_string()
    } else if bytes >= 1 << 50 {
        format!("{:.1e} bytes", bytes as f64)
    } else if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u128 << 20) as f64)
    }
}

/// The largest file read as input (a point, a spec, a `.npy`, a report): 1 GiB; a
/// longer one (or an endless one, `/dev/zero`) is refused after reading that much.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The largest problem spec file: 16 MiB. Parsed, TOML takes up to 100 times its text
/// (the document keeps each value's text and position), so that a spec stays within
/// [`BUDGET_BYTES`]; larger data goes in `.npy` files, which the spec names.
pub const MAX_SPEC_BYTES: u64 = 16 << 20;

/// Reads a whole input file of at most [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>> {
    read_at_most(path, MAX_FILE_BYTES, "an input file")
}

/// Reads a whole file of at most `limit` bytes; `what` names the kind of file in the
/// error.
fn read_at_most(path: &std::path::Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::read(path, e))?;
    if bytes.len() as u64 > limit {
        let message = format!(
            "longer than {}, the most {what} may hold",
            human(limit as u128)
        );
        return Err(Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        ));
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &std::path::Path) -> Result<String> {
    text(path, read_bytes(path)?)
}

/// A problem spec file's text: at most [`MAX_SPEC_BYTES`], UTF-8.
pub fn read_spec_text(path: &std::path::Path) -> Result<String> {
    let bytes = read_at_most(path, MAX_SPEC_BYTES, "a problem spec (data: a .npy file)")?;
    text(path, bytes)
}

fn text(path: &std::path::Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        let message = "not UTF-8 text";
        Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        )
    })
}

/// Checks a spec's size fields against the budget before its problem is built
/// ([`spec_bytes`]).
pub fn check_spec(spec: &ProblemSpec) -> Result<()> {
    match spec_bytes(spec) {
        Some((field, value, bytes)) => check(field, value, bytes),
        None => Ok(()),
    }
}

/// An upper estimate of the memory the instance a spec describes holds: the numbers
/// (f64) of its arrays, per kind, in bytes; with the size field a message names (the
/// largest integer field) and its value. `None` when the spec has no size field.
pub fn spec_bytes(spec: &ProblemSpec) -> Option<(&'static str, u128, u128)> {
    let int = |field: &str| -> u128 {
        match spec.raw(field) {
            Some(toml::Value::Integer(i)) if *i > 0 => *i as u128,
            _ => 0,
        }
    };
    let list = |field: &str| -> u128 {
        match spec.raw(field) {
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    toml::Value::Integer(i) if *i > 0 => *i as u128,
                    _ => 0,
                })
                .fold(0u128, u128::saturating_add),
            _ => 0,
        }
    };
    let len = |field: &str| -> u128 {
        match spec.raw(field) {
            Some(toml::Value::Array(items)) => items.len() as u128,
            _ => 0,
        }
    };
    let mul = |a: u128, b: u128| a.saturating_mul(b);
    let add = |a: u128, b: u128| a.saturating_add(b);
    let sq = |a: u128| a.saturating_mul(a);
    // (field, value) of the size a message names: the largest integer field.
    let ints = [
        "n",
        "rank",
        "true_rank",
        "measurements",
        "d",
        "k",
        "teacher_k",
        "samples",
        "inputs",
        "outputs",
        "classes",
        "order",
        "groups",
        "channels",
    ];
    let (field, value) = ints
        .iter()
        .map(|f| (*f, int(f)))
        .chain([
            ("widths", list("widths")),
            ("teacher_widths", list("teacher_widths")),
        ])
        .chain([("eigenvalues", len("eigenvalues"))])
        .max_by_key(|(_, v)| *v)?;
    let (n, r, t) = (int("n"), int("rank"), int("true_rank"));
    let numbers = match spec.kind() {
        "quadratic" => mul(3, sq(len("eigenvalues"))),
        "matrix_factorization" => add(mul(4, sq(n)), mul(n, add(r, t))),
        // Sparse: the observed entries (p·n², below n²) and factors; the largest arrays
        // are `export`'s dense M and mask, n² each.
        "matrix_completion" => add(mul(2, sq(n)), mul(n, add(r, t))),
        "matrix_factorization_asym" => sq(add(r, t)),
        "matrix_sensing" => {
            let m = match int("measurements") {
                0 => mul(mul(5, n), t.max(r)),
                m => m,
            };
            add(mul(add(m, 2), sq(n)), mul(n, add(r, t)))
        }
        "tensor_decomposition" => mul(4, mul(n, n.max(r))),
        "tensor_factorization" => {
            let order = int("order").clamp(3, 64) as u32;
            add(n.saturating_pow(order), mul(n, add(r, t)))
        }
        "quadratic_net" => {
            let widths = add(int("d"), add(int("k"), int("teacher_k")));
            add(mul(int("samples"), widths), sq(widths))
        }
        "linear_net" | "mlp" => {
            let widths = add(
                add(list("widths"), list("teacher_widths")),
                add(add(int("inputs"), int("outputs")), add(int("classes"), 1)),
            );
            add(mul(mul(4, int("samples")), widths), mul(2, sq(widths)))
        }
        "relu_net" => mul(4, sq(add(n, int("k")))),
        "octopus" => mul(16, int("d")),
        _ => sq(value),
    };
    // Low-rank kinds form r×r Gram matrices (UᵀU) too.
    let numbers = add(numbers, mul(2, sq(add(r, t))));
    Some((field, value, mul(numbers, 8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_sizes_are_refused_with_the_memory_they_would_take() {
        let mut spec = ProblemSpec::new("matrix_factorization");
        spec.set_value("n", toml::Value::Integer(1 << 32));
        spec.set_value("rank", toml::Value::Integer(2));
        let e = check_spec(&spec).unwrap_err().to_string();
        assert!(
            e.contains("`n`") && e.contains("would take 5.9e20 bytes"),
            "{e}"
        );
        spec.set_value("n", toml::Value::Integer(100));
        check_spec(&spec).unwrap();
        // matrix_completion is sparse: n = 10⁴ (issue 18's instance, export's dense M and
        // mask 1.6 GB) fits, 2·10⁴ does not.
        let mut spec = ProblemSpec::new("matrix_completion");
        spec.set_value("rank", toml::Value::Integer(10));
        spec.set_value("n", toml::Value::Integer(10_000));
        check_spec(&spec).unwrap();
        spec.set_value("n", toml::Value::Integer(20_000));
        assert!(check_spec(&spec).is_err());
        assert!(check_count("starts", u128::MAX, 8).is_err());
        assert_eq!(human(3 << 30), "3.0 GiB");
    }
}
