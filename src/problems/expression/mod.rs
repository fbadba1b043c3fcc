//! `expression`: a formula as a problem, e.g. f(x, y) = (x² − 1)² + y², with exact
//! derivatives by automatic differentiation of the parsed formula.
//!
//! # The formula
//! `f` is written with numbers (`2`, `0.5`, `1e-3`), names, `+ - * / ^` (powers with
//! `^`, read from the right: `2^3^2` = 2⁹; a leading minus binds looser than `^`:
//! `-x^2` = −(x²)), parentheses, the constants `pi` (`π`) and the functions `exp`, `log`
//! (natural; also `ln`), `sqrt`, `abs`, `sin`, `cos`, `tan`, `sinh`, `cosh`, `tanh` and
//! `atan`, called with parentheses. The parser and evaluator is the `exmex` crate;
//! a formula is checked first so that a mistake is reported with its column. A formula
//! is at most 128 KiB long (the longest command-line argument; parsed, each operand
//! takes about 1.5 KiB).
//!
//! # Variables and parameters
//! `vars` lists the variables in order, the order of the flat parameter vector; `"x"` is
//! a scalar and `"x[3]"` a vector whose entries the formula names `x_0`, `x_1`, `x_2`.
//! Without `vars`, the variables are the formula's names that are neither functions,
//! constants nor parameters, sorted by name with digit runs compared as numbers (`x_2`
//! before `x_10`). `params` is a table name → number of constants substituted into the
//! formula (`params = { a = 1.0 }`). The layout has one block per entry of `vars`, named
//! after it: `x[3] y[1]`.
//!
//! # Derivatives
//! The gradient and the Hessian-vector product are exact: the formula is evaluated on
//! hyper-dual numbers (`number.rs`), x + ε₁v + ε₂eᵢ giving ∂ᵢf and (∇²f·v)ᵢ in one pass
//! per coordinate, so ∇f and ∇²f·v each cost d evaluations of the formula (d the number
//! of variables). exmex also differentiates symbolically (`partial`), but it has no
//! derivative for `abs`, its power rule multiplies by ln(base) even for a constant
//! exponent (0·NaN at a negative base), and symbolic Hessians grow as d(d+1)/2
//! expressions; forward-mode hyper-duals have none of these limits and need no second
//! crate (`num-dual` would bring a second nalgebra). Conventions where a function is not
//! twice differentiable: |u| has derivative sign(u) with sign(0) = 0 and second
//! derivative 0; √u, log u and uⁿ with n < 2 are not differentiable at u = 0 (the
//! derivatives there are infinite or NaN, which the analyses report); uʷ with a
//! non-constant exponent is exp(w·ln u), defined for u > 0.
//!
//! # Known points and f*
//! `known_points` lists named stationary points with the verdict the mathematics gives
//! them (`[[known_points]]` tables of `name`, `x`, `kind`); each is checked at
//! construction to be stationary, ‖∇f‖ ≤ 10⁻⁶·max(1, |f|). `optimum` is f* when known.
//!
//! # Cost
//! exmex evaluates without allocating for formulas of at most 32 operands (numbers and
//! variable occurrences after constant folding) and allocates once per evaluation beyond
//! (measured with a counting allocator: 0 allocations at 32 operands, 1 at 62); the values
//! handed to it are on the stack for up to [`STACK_SLOTS`] variables and parameters, on
//! the heap beyond.

mod formula;
mod number;

use std::collections::BTreeMap;

use exmex::{Express, FlatEx};
use serde::{Deserialize, Deserializer, Serialize};

use crate::classify::default_grad_tol;
use crate::error::{ensure_finite, Error, Result};
use crate::linalg::norm;
use crate::objective::{Block, KnownPoint, Layout, Objective};
use crate::problems::params::{self, missing, DefaultText::Text, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::verdict::Verdict;

use formula::FormulaError;
use number::{HyperDual, Literal, Operators, CONSTANTS, FUNCTIONS};

/// The prefix of a `--problem` argument that is a formula: `expr:<formula>`.
pub const PREFIX: &str = "expr:";

/// Variables and parameters held on the stack during an evaluation.
pub const STACK_SLOTS: usize = 16;

/// The most variables (entries of all vectors together) a formula may have.
pub const MAX_VARIABLES: usize = 1000;

/// A named stationary point of the formula, as the spec writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownPointSpec {
    /// Its name (`name:<name>` on the command line).
    pub name: String,
    /// The point, in the order of `vars`.
    pub x: Vec<f64>,
    /// Its verdict by the mathematics.
    pub kind: Verdict,
}

/// The spec fields of `expression`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpressionParams {
    /// The formula.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f: Option<String>,
    /// The variables in order (`"x"`, or `"x[3]"` for x_0, x_1, x_2).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "list_of::<_, String>"
    )]
    pub vars: Option<Vec<String>>,
    /// Constants substituted into the formula.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// Named stationary points.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "list_of::<_, KnownPointSpec>"
    )]
    pub known_points: Vec<KnownPointSpec>,
    /// The global minimum value f*, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimum: Option<f64>,
    /// Accepted and ignored (nothing is random).
    pub seed: u64,
}

/// A list field read from its TOML value (the spec reader's own lists are of integers).
fn list_of<'de, D, T>(deserializer: D) -> std::result::Result<T::Out, D::Error>
where
    D: Deserializer<'de>,
    T: ListItem,
{
    let value = toml::Value::deserialize(deserializer)?;
    value.clone().try_into().map_err(|e: toml::de::Error| {
        serde::de::Error::custom(format!(
            "expected {}, found {value} ({})",
            T::EXPECTED,
            e.message().trim()
        ))
    })
}

/// An item of a list field, and what the field holds.
trait ListItem {
    type Out: serde::de::DeserializeOwned;
    const EXPECTED: &'static str;
}

impl ListItem for String {
    type Out = Option<Vec<String>>;
    const EXPECTED: &'static str = "`vars` as a list of names such as [\"x\", \"y[3]\"]";
}

impl ListItem for KnownPointSpec {
    type Out = Vec<KnownPointSpec>;
    const EXPECTED: &'static str = "`known_points` as [[known_points]] tables of name, x and kind";
}

impl Params for ExpressionParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "f",
            default: Text("required"),
            doc: "the formula: + - * / ^, exp log sqrt abs sin cos tan sinh cosh tanh atan, pi",
        },
        FieldDoc {
            name: "vars",
            default: Text("its names, sorted"),
            doc: "the variables in order; \"x[3]\" is a vector written x_0, x_1, x_2",
        },
        FieldDoc {
            name: "params",
            default: Text("none"),
            doc: "constants substituted into f, a table such as { a = 1.0 }",
        },
        FieldDoc {
            name: "known_points",
            default: Text("none"),
            doc: "[[known_points]] name, x, kind: stationary points (checked) and verdicts",
        },
        FieldDoc {
            name: "optimum",
            default: Text("unknown"),
            doc: "the global minimum value f*",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "expression",
    description: "f given as a formula (`--problem 'expr:(x^2 - 1)^2 + y^2'`), exact derivatives by automatic differentiation",
    fields: params::listing::<ExpressionParams>,
    shipped_spec: include_str!("../../../problems/expression.toml"),
    replaces: &[],
    build: |spec| Ok(Box::new(Expression::from_spec(spec)?)),
};

/// The spec of a `--problem` argument `expr:<formula>`, when it is one.
pub fn spec_of_argument(problem: &str) -> Option<ProblemSpec> {
    let formula = problem.strip_prefix(PREFIX)?;
    let mut spec = ProblemSpec::new(KIND.name);
    spec.set_value("f", toml::Value::String(formula.to_string()));
    Some(spec)
}

/// Where exmex's i-th variable (sorted by name) takes its value.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// The coordinate of x.
    Coordinate(usize),
    /// A parameter.
    Constant(f64),
}

/// A formula f(x) with exact derivatives.
#[derive(Clone, Debug)]
pub struct Expression {
    formula: String,
    layout: Layout,
    dim: usize,
    values: FlatEx<f64, Operators<f64>, Literal>,
    duals: FlatEx<HyperDual, Operators<HyperDual>, Literal>,
    /// exmex's variables in its order.
    slots: Vec<Slot>,
    /// For each coordinate, its slot (None when the formula does not use it).
    slot_of: Vec<Option<usize>>,
    known: Vec<KnownPoint>,
    optimum: Option<f64>,
}

/// `name` or `name[n]`: the name and the length (None for a scalar).
fn split_variable(entry: &str) -> Result<(&str, Option<usize>)> {
    let bad = || {
        Error::invalid(
            "vars",
            "names such as \"x\" or \"x[3]\" (letters, digits, _; not starting with a digit)",
            format!("\"{entry}\""),
        )
    };
    let (name, len) = match entry.split_once('[') {
        None => (entry, None),
        Some((name, rest)) => {
            let n = rest
                .strip_suffix(']')
                .and_then(|n| n.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
                .ok_or_else(bad)?;
            (name, Some(n))
        }
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !valid {
        return Err(bad());
    }
    if FUNCTIONS.contains(&name) || CONSTANTS.iter().any(|&(c, _)| c == name) {
        return Err(Error::invalid(
            "vars",
            "names that are not functions or constants",
            format!("\"{name}\""),
        ));
    }
    Ok((name, len))
}

/// Names in natural order: digit runs compare as numbers (`x_2` before `x_10`).
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let text_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at(text_len);
        let digits_len = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (digits, tail) = tail.split_at(digits_len);
        key.push((text.to_string(), digits.parse().unwrap_or(0)));
        rest = tail;
    }
    key
}

/// A formula error, naming the formula (its first 100 characters when longer).
fn formula_error(formula: &str, e: FormulaError) -> Error {
    let shown = match formula.char_indices().nth(100) {
        Some((end, _)) => format!("{}…", &formula[..end]),
        None => formula.to_string(),
    };
    Error::Parse {
        what: format!("formula `{shown}`"),
        message: match e.column {
            Some(column) => format!("at column {column}: {}", e.message),
            None => e.message,
        },
    }
}

impl Expression {
    /// Builds from a spec (`f`, `vars`, `params`, `known_points`, `optimum`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        Self::from_params(&spec.params()?)
    }

    /// Builds from typed fields: checks and parses the formula, its variables and
    /// parameters, and checks that the known points are stationary.
    pub fn from_params(p: &ExpressionParams) -> Result<Self> {
        let formula = p.f.as_deref().ok_or_else(|| {
            missing(
                KIND.name,
                "f",
                "the formula, e.g. f = \"(x^2 - 1)^2 + y^2\"",
            )
        })?;
        for (name, &value) in &p.params {
            split_variable(name).map_err(|_| {
                Error::invalid(
                    "params",
                    "names of letters, digits and _ that are not functions or constants",
                    format!("\"{name}\""),
                )
            })?;
            ensure_finite(&format!("params.{name}"), &[value])?;
        }
        // The declared variables, expanded to scalar names.
        let declared = match &p.vars {
            Some(vars) => {
                let mut blocks = Vec::new();
                let mut names: Vec<String> = Vec::new();
                for entry in vars {
                    let (name, len) = split_variable(entry)?;
                    let scalars: Vec<String> = match len {
                        None => vec![name.to_string()],
                        Some(n) => (0..n).map(|i| format!("{name}_{i}")).collect(),
                    };
                    blocks.push(Block::new(name, &[len.unwrap_or(1)]));
                    names.extend(scalars);
                }
                Some((blocks, names))
            }
            None => None,
        };
        let mut names: Vec<String> = declared
            .as_ref()
            .map(|(_, names)| names.clone())
            .unwrap_or_default();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(Error::invalid(
                    "vars",
                    "distinct variables",
                    format!("`{name}` twice"),
                ));
            }
            if p.params.contains_key(name) {
                return Err(Error::invalid(
                    "vars",
                    "variables that are not parameters",
                    format!("`{name}`, also in `params`"),
                ));
            }
        }
        if names.len() > MAX_VARIABLES {
            return Err(Error::invalid(
                "vars",
                format!("at most {MAX_VARIABLES} variables"),
                names.len(),
            ));
        }
        let allowed: Option<Vec<String>> = declared
            .as_ref()
            .map(|(_, names)| names.iter().chain(p.params.keys()).cloned().collect());
        let checked =
            formula::check(formula, allowed.as_deref()).map_err(|e| formula_error(formula, e))?;
        let layout = match declared {
            Some((blocks, _)) => Layout::new(blocks),
            None => {
                names = checked
                    .names
                    .iter()
                    .filter(|n| !p.params.contains_key(*n))
                    .cloned()
                    .collect();
                names.sort_by_key(|n| natural_key(n));
                Layout::new(names.iter().map(|n| Block::new(n.as_str(), &[1])).collect())
            }
        };
        if names.is_empty() {
            return Err(Error::invalid(
                "f",
                "a formula with at least one variable",
                format!("`{formula}`"),
            ));
        }
        let parse_error = |e: exmex::ExError| {
            formula_error(
                formula,
                FormulaError {
                    column: None,
                    message: e.msg().to_string(),
                },
            )
        };
        let values =
            FlatEx::<f64, Operators<f64>, Literal>::parse(&checked.text).map_err(parse_error)?;
        let duals = FlatEx::<HyperDual, Operators<HyperDual>, Literal>::parse(&checked.text)
            .map_err(parse_error)?;
        let slots = values
            .var_names()
            .iter()
            .map(|name| match names.iter().position(|n| n == name) {
                Some(i) => Ok(Slot::Coordinate(i)),
                None => p
                    .params
                    .get(name)
                    .map(|&v| Slot::Constant(v))
                    .ok_or_else(|| {
                        formula_error(
                            formula,
                            FormulaError {
                                column: None,
                                message: format!("`{name}` is not a variable or parameter"),
                            },
                        )
                    }),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut slot_of = vec![None; names.len()];
        for (s, slot) in slots.iter().enumerate() {
            if let Slot::Coordinate(i) = slot {
                slot_of[*i] = Some(s);
            }
        }
        let mut f = Expression {
            formula: formula.to_string(),
            layout,
            dim: names.len(),
            values,
            duals,
            slots,
            slot_of,
            known: Vec::new(),
            optimum: p.optimum,
        };
        f.known = p
            .known_points
            .iter()
            .map(|k| f.known_point_of(k, &p.known_points))
            .collect::<Result<_>>()?;
        Ok(f)
    }

    /// A declared known point, checked: a unique name, the right length, finite,
    /// stationary.
    fn known_point_of(&self, k: &KnownPointSpec, all: &[KnownPointSpec]) -> Result<KnownPoint> {
        let field = "known_points";
        if k.name.is_empty() || all.iter().filter(|o| o.name == k.name).count() > 1 {
            return Err(Error::invalid(
                field,
                "distinct non-empty names",
                format!("\"{}\"", k.name),
            ));
        }
        if k.x.len() != self.dim {
            return Err(Error::invalid(
                field,
                format!("points of length {} (the number of variables)", self.dim),
                format!("`{}` of length {}", k.name, k.x.len()),
            ));
        }
        ensure_finite(&format!("known_points.{}", k.name), &k.x)?;
        let mut g = vec![0.0; self.dim];
        let value = self.value_and_gradient(&k.x, &mut g);
        let (grad_norm, tol) = (norm(&g), default_grad_tol(value));
        if grad_norm.is_nan() || grad_norm > tol {
            return Err(Error::invalid(
                field,
                format!("stationary points (‖∇f‖ ≤ 1e-6·max(1, |f|) = {tol:.1e})"),
                format!("`{}` with ‖∇f‖ = {grad_norm:.3e}", k.name),
            ));
        }
        Ok(KnownPoint::new(k.name.clone(), k.x.clone(), k.kind))
    }

    /// The formula as written.
    pub fn formula(&self) -> &str {
        &self.formula
    }

    /// Runs `eval` on exmex's variable values, `value` of each slot, held on the stack
    /// when there are at most [`STACK_SLOTS`].
    fn with_slots<T: Copy + Default, R>(
        &self,
        value: impl Fn(Slot) -> T,
        eval: impl FnOnce(&mut [T]) -> R,
    ) -> R {
        let n = self.slots.len();
        if n <= STACK_SLOTS {
            let mut buffer = [T::default(); STACK_SLOTS];
            for (b, &s) in buffer.iter_mut().zip(&self.slots) {
                *b = value(s);
            }
            eval(&mut buffer[..n])
        } else {
            let mut buffer: Vec<T> = self.slots.iter().map(|&s| value(s)).collect();
            eval(&mut buffer)
        }
    }

    /// One hyper-dual pass per coordinate at x + ε₁v + ε₂eᵢ: `visit(i, result)`.
    fn dual_passes(&self, x: &[f64], v: Option<&[f64]>, mut visit: impl FnMut(usize, HyperDual)) {
        assert_eq!(
            x.len(),
            self.dim,
            "expression: the point has the wrong length"
        );
        let slot = |s: Slot| match s {
            Slot::Coordinate(i) => HyperDual {
                re: x[i],
                e1: v.map_or(0.0, |v| v[i]),
                ..HyperDual::default()
            },
            Slot::Constant(c) => HyperDual::constant(c),
        };
        self.with_slots(slot, |buffer| {
            for (i, s) in self.slot_of.iter().enumerate() {
                let Some(s) = *s else {
                    visit(i, HyperDual::default());
                    continue;
                };
                buffer[s].e2 = 1.0;
                let r = self.duals.eval(buffer).expect("one value per variable");
                buffer[s].e2 = 0.0;
                visit(i, r);
            }
        })
    }
}

impl Objective for Expression {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn value(&self, x: &[f64]) -> f64 {
        assert_eq!(
            x.len(),
            self.dim,
            "expression: the point has the wrong length"
        );
        let slot = |s: Slot| match s {
            Slot::Coordinate(i) => x[i],
            Slot::Constant(c) => c,
        };
        self.with_slots(slot, |buffer| {
            self.values.eval(buffer).expect("one value per variable")
        })
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.dual_passes(x, None, |i, r| grad[i] = r.e2);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let value = self.value(x);
        self.gradient(x, grad);
        value
    }

    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        assert_eq!(
            v.len(),
            self.dim,
            "expression: the direction has the wrong length"
        );
        self.dual_passes(x, Some(v), |i, r| out[i] = r.e12);
    }

    fn optimum(&self) -> Option<f64> {
        self.optimum
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        self.known.clone()
    }

    fn layout(&self) -> Layout {
        self.layout.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut names = vec!["x_10", "y", "x_2", "x_1"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(names, ["x_1", "x_2", "x_10", "y"]);
    }

    #[test]
    fn vector_variables_expand_and_name_their_blocks() {
        let p = ExpressionParams {
            f: Some("x_0^2 + 2*x_1^2 + x_2*y".into()),
            vars: Some(vec!["x[3]".into(), "y".into()]),
            ..ExpressionParams::default()
        };
        let f = Expression::from_params(&p).unwrap();
        assert_eq!(f.dim(), 4);
        assert_eq!(f.layout().describe(), "x[3] y[1]");
        // f(1, 2, 3, 4) = 1 + 8 + 12.
        assert_eq!(f.value(&[1.0, 2.0, 3.0, 4.0]), 21.0);
    }
}
