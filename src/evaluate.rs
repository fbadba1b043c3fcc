//! One-point evaluations: what `landscape eval` and `landscape points` report.

use serde::{Deserialize, Serialize};

use crate::display::format_vector;
use crate::linalg::norm;
use crate::objective::Objective;
use crate::problems::{self, Kind};
use crate::verdict::Verdict;
use crate::Result;

/// f, ∇f and optionally ∇²f·v at one point (`landscape eval --json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Evaluation {
    /// The problem's dimension.
    pub dim: usize,
    /// The point x.
    pub point: Vec<f64>,
    /// The direction v of the HVP, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Vec<f64>>,
    /// f(x).
    pub value: f64,
    /// ∇f(x) (Riemannian on constrained problems).
    pub gradient: Vec<f64>,
    /// ‖∇f(x)‖₂.
    pub grad_norm: f64,
    /// ∇²f(x)·v when a direction was given (Riemannian on constrained problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hvp: Option<Vec<f64>>,
}

/// The text of `landscape eval` after its `kind (dim d)` line: value, gradient norm,
/// gradient and the Hessian-vector product when computed.
impl std::fmt::Display for Evaluation {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(out, "value      {:.12e}", self.value)?;
        writeln!(out, "grad_norm  {:.6e}", self.grad_norm)?;
        writeln!(out, "gradient   {}", format_vector(&self.gradient))?;
        if let Some(hv) = &self.hvp {
            writeln!(out, "hvp        {}", format_vector(hv))?;
        }
        Ok(())
    }
}

/// Evaluates f, its gradient, and the HVP along `direction` when given.
pub fn evaluate(f: &dyn Objective, x: &[f64], direction: Option<&[f64]>) -> Evaluation {
    let mut gradient = vec![0.0; f.dim()];
    f.riemannian_gradient(x, &mut gradient);
    let hvp = direction.map(|v| {
        let mut out = vec![0.0; f.dim()];
        f.riemannian_hvp(x, v, &mut out);
        out
    });
    Evaluation {
        dim: f.dim(),
        point: x.to_vec(),
        direction: direction.map(<[f64]>::to_vec),
        value: f.value(x),
        grad_norm: norm(&gradient),
        gradient,
        hvp,
    }
}

/// A known point with its value (`landscape points --json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KnownPointReport {
    /// The name (use as `name:<name>`).
    pub name: String,
    /// Its kind by the mathematics.
    pub kind: Verdict,
    /// f there.
    pub value: f64,
    /// ‖∇f‖ there (≈ 0: a check of the closed form).
    pub grad_norm: f64,
    /// The point.
    pub x: Vec<f64>,
}

/// The known points of a problem with their values.
pub fn known_point_reports(f: &dyn Objective) -> Vec<KnownPointReport> {
    f.known_points()
        .into_iter()
        .map(|p| {
            let e = evaluate(f, &p.x, None);
            KnownPointReport {
                name: p.name,
                kind: p.kind,
                value: e.value,
                grad_norm: e.grad_norm,
                x: p.x,
            }
        })
        .collect()
}

/// A spec field as `landscape problems --json` lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FieldInfo {
    /// Field name.
    pub name: String,
    /// Default, in words.
    pub default: String,
    /// Meaning.
    pub doc: String,
}

/// A problem kind as `landscape problems --json` lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KindInfo {
    /// Registry name.
    pub kind: String,
    /// Formula and reference.
    pub description: String,
    /// Spec fields with defaults (including `seed`).
    pub fields: Vec<FieldInfo>,
    /// Dimension of the shipped instance.
    pub dim: usize,
    /// Blocks of the shipped instance, e.g. `U[4×2]`.
    pub layout: String,
    /// The parameter manifold.
    pub manifold: String,
    /// f* of the shipped instance, when known.
    pub optimum: Option<f64>,
    /// Names of the shipped instance's known points.
    pub known_points: Vec<String>,
    /// The shipped spec (TOML).
    pub shipped_spec: String,
}

/// The text of one kind in `landscape problems`: name, description, the shipped
/// instance, known points, fields with defaults and the shipped spec, then a blank line.
impl std::fmt::Display for KindInfo {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(out, "{}", self.kind)?;
        writeln!(out, "  {}", self.description)?;
        writeln!(
            out,
            "  shipped instance: dim {}, {}, {}{}",
            self.dim,
            self.layout,
            self.manifold,
            self.optimum
                .map_or(String::new(), |v| format!(", f* = {v}"))
        )?;
        if !self.known_points.is_empty() {
            writeln!(out, "  known points: {}", self.known_points.join(", "))?;
        }
        writeln!(out, "  fields:")?;
        for f in &self.fields {
            writeln!(
                out,
                "    {:<16} {:<28} {}",
                f.name,
                format!("[{}]", f.default),
                f.doc
            )?;
        }
        writeln!(out, "  shipped spec (`--problem {}`):", self.kind)?;
        for line in self.shipped_spec.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)
    }
}

/// Describes a kind through its shipped instance.
pub fn describe_kind(kind: &Kind) -> Result<KindInfo> {
    let (_, f) = problems::load(kind.name, &[])?;
    Ok(KindInfo {
        kind: kind.name.into(),
        description: kind.description.into(),
        fields: (kind.fields)()
            .into_iter()
            .map(|f| FieldInfo {
                name: f.name.into(),
                default: f.default,
                doc: f.doc.into(),
            })
            .collect(),
        dim: f.dim(),
        layout: f.layout().describe(),
        manifold: f.manifold().describe(),
        optimum: f.optimum(),
        known_points: f.known_points().into_iter().map(|p| p.name).collect(),
        shipped_spec: kind.shipped_spec.into(),
    })
}
