//! `quadratic`: f(x) = ½ xᵀAx − bᵀx, A symmetric (possibly indefinite).
//!
//! - gradient: ∇f(x) = Ax − b;
//! - HVP: ∇²f(x)·v = Av (the Hessian is A everywhere);
//! - stationary points: the solutions of Ax = b. When A is nonsingular the only one is
//!   `stationary` = A⁻¹b: a global minimum (f* = −½ bᵀA⁻¹b) if A ≻ 0, a local maximum if
//!   A ≺ 0, a strict saddle otherwise. When A is singular and b = 0, `stationary` = 0
//!   (f* = 0 when A ⪰ 0).
//!
//! Spec: `a` (n×n symmetric) or `eigenvalues` (A = Q diag(λ) Qᵀ with Q Haar-random from
//! `seed`); `b` (default zeros). Layout: `x[n]`.

use std::path::Path;

use nalgebra::{DMatrix, DVectorView, DVectorViewMut};
use serde::{Deserialize, Serialize};

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::{from_eigen, symmetric_eigenvalues_of, symmetrise};
use crate::objective::{DataArray, KnownPoint, Layout, Objective};
use crate::problems::params::{self, missing, Data, DefaultText::Text, FieldDoc, Params};
use crate::problems::{Kind, ProblemSpec};
use crate::random::{orthogonal_matrix, rng};
use crate::verdict::Verdict;

/// The spec fields of `quadratic`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuadraticParams {
    /// The symmetric matrix A.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<Data>,
    /// The spectrum of A, when A is generated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eigenvalues: Option<Data>,
    /// The linear term (zeros when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<Data>,
    /// Seed of the generated Q.
    pub seed: u64,
}

impl Params for QuadraticParams {
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc {
            name: "a",
            default: Text("required unless `eigenvalues`"),
            doc: "the symmetric matrix A (rows, or a .npy path)",
        },
        FieldDoc {
            name: "eigenvalues",
            default: Text("required unless `a`"),
            doc: "spectrum of A; A = Q diag(λ) Qᵀ with Q Haar-random from the seed",
        },
        FieldDoc {
            name: "b",
            default: Text("zeros"),
            doc: "the linear term b",
        },
    ];
}

/// Registry entry.
pub const KIND: Kind = Kind {
    name: "quadratic",
    description: "f(x) = ½ xᵀAx − bᵀx, A symmetric, possibly indefinite",
    fields: params::listing::<QuadraticParams>,
    shipped_spec: include_str!("../../problems/quadratic.toml"),
    replaces: &[("a", &["eigenvalues", "seed"]), ("eigenvalues", &["a"])],
    build: |spec| Ok(Box::new(Quadratic::from_spec(spec)?)),
};

/// f(x) = ½ xᵀAx − bᵀx.
#[derive(Clone, Debug)]
pub struct Quadratic {
    a: DMatrix<f64>,
    b: Vec<f64>,
    /// Eigenvalues of A, ascending.
    eigenvalues: Vec<f64>,
}

impl Quadratic {
    /// A quadratic with a non-empty square matrix `a` (symmetrised) and linear term `b`
    /// of its side, all entries finite.
    pub fn new(a: DMatrix<f64>, b: Vec<f64>) -> Result<Self> {
        let n = a.nrows();
        if n == 0 || !a.is_square() {
            return Err(Error::invalid(
                "a",
                "a non-empty square matrix",
                format!("{}×{}", a.nrows(), a.ncols()),
            ));
        }
        ensure_finite("a", a.as_slice())?;
        if b.len() != n {
            return Err(Error::invalid(
                "b",
                format!("a vector of length {n}"),
                format!("length {}", b.len()),
            ));
        }
        ensure_finite("b", &b)?;
        let mut a = a;
        symmetrise(&mut a);
        // The known point's verdict and f* come from the spectrum: a failed eigen-solve
        // (overflowing entries) is an error, never an empty list that passes "all positive".
        let eigenvalues = symmetric_eigenvalues_of(&a)?;
        Ok(Quadratic { a, b, eigenvalues })
    }

    /// Builds from a spec (`a` or `eigenvalues`, `b`, `seed`).
    pub fn from_spec(spec: &ProblemSpec) -> Result<Self> {
        Self::from_params(&spec.params()?, spec.base_dir())
    }

    /// Builds from typed fields; relative `.npy` paths resolve against `base_dir`.
    pub fn from_params(p: &QuadraticParams, base_dir: Option<&Path>) -> Result<Self> {
        let a = match (&p.a, &p.eigenvalues) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "a",
                    "either `a` or `eigenvalues`, not both",
                    "both",
                ))
            }
            (Some(a), None) => a.symmetric("a", None, base_dir)?,
            (None, Some(lambda)) => {
                let lambda = lambda.vector("eigenvalues", base_dir)?;
                let q = orthogonal_matrix(&mut rng(p.seed), lambda.len());
                from_eigen(&q, &lambda)
            }
            (None, None) => {
                return Err(missing(
                    KIND.name,
                    "a",
                    "the matrix `a` or the list `eigenvalues`",
                ))
            }
        };
        let n = a.nrows();
        if n == 0 {
            return Err(Error::invalid("a", "a non-empty matrix", "0×0"));
        }
        let b = match &p.b {
            Some(b) => b.vector("b", base_dir)?,
            None => vec![0.0; n],
        };
        Quadratic::new(a, b)
    }

    /// The matrix A.
    pub fn a(&self) -> &DMatrix<f64> {
        &self.a
    }

    /// Eigenvalues of A in ascending order.
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigenvalues
    }

    /// Relative threshold below which an eigenvalue of A counts as zero.
    fn zero_threshold(&self) -> f64 {
        let scale = self.eigenvalues.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        1e-12 * scale.max(1.0) * self.a.nrows() as f64
    }

    fn is_singular(&self) -> bool {
        self.eigenvalues
            .iter()
            .any(|v| v.abs() <= self.zero_threshold())
    }

    fn b_is_zero(&self) -> bool {
        self.b.iter().all(|&v| v == 0.0)
    }

    /// The stationary point and its verdict, when determined.
    fn stationary(&self) -> Option<(Vec<f64>, Verdict)> {
        let tol = self.zero_threshold();
        let positive = self.eigenvalues.iter().all(|&v| v > tol);
        let negative = self.eigenvalues.iter().all(|&v| v < -tol);
        let semidefinite_pos = self.eigenvalues.iter().all(|&v| v >= -tol);
        let semidefinite_neg = self.eigenvalues.iter().all(|&v| v <= tol);
        let n = self.a.nrows();
        let x = if self.is_singular() {
            if !self.b_is_zero() {
                return None;
            }
            vec![0.0; n]
        } else {
            let solution = self
                .a
                .clone()
                .lu()
                .solve(&nalgebra::DVector::from_column_slice(&self.b))?;
            solution.as_slice().to_vec()
        };
        let verdict = if positive || semidefinite_pos {
            Verdict::GlobalMin
        } else if negative || semidefinite_neg {
            Verdict::LocalMax
        } else {
            Verdict::StrictSaddle
        };
        Some((x, verdict))
    }
}

impl Objective for Quadratic {
    fn kind(&self) -> &'static str {
        KIND.name
    }

    fn dim(&self) -> usize {
        self.b.len()
    }

    fn value(&self, x: &[f64]) -> f64 {
        let n = self.dim();
        let xv = DVectorView::from_slice(x, n);
        // xᵀAx column by column, without a temporary vector.
        let quadratic_form: f64 = self
            .a
            .column_iter()
            .zip(x)
            .map(|(column, xj)| xj * column.dot(&xv))
            .sum();
        0.5 * quadratic_form - xv.dot(&DVectorView::from_slice(&self.b, n))
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.hvp(x, x, grad);
        grad.iter_mut().zip(&self.b).for_each(|(g, b)| *g -= b);
    }

    fn hvp(&self, _x: &[f64], v: &[f64], out: &mut [f64]) {
        let n = self.dim();
        let mut out = DVectorViewMut::from_slice(out, n);
        out.gemv(1.0, &self.a, &DVectorView::from_slice(v, n), 0.0);
    }

    fn optimum(&self) -> Option<f64> {
        match self.stationary() {
            Some((x, Verdict::GlobalMin)) => Some(self.value(&x)),
            _ => None,
        }
    }

    fn known_points(&self) -> Vec<KnownPoint> {
        self.stationary()
            .map(|(x, kind)| vec![KnownPoint::new("stationary", x, kind)])
            .unwrap_or_default()
    }

    fn data(&self) -> Vec<DataArray> {
        vec![
            DataArray::matrix("a", &self.a),
            DataArray::new("b", &[self.b.len()], self.b.clone()),
        ]
    }

    fn layout(&self) -> Layout {
        Layout::single("x", &[self.dim()])
    }
}
