//! The [`Objective`] contract: value, exact gradient and Hessian-vector product (HVP) on
//! one flat parameter vector, plus what the mathematics knows about the problem.
//!
//! # Parameters
//! Parameters are one flat `f64` vector. A problem with matrix blocks stores each block
//! row-major (numpy's C order) and concatenates the blocks in the order its [`Layout`]
//! lists, so a Python user can write `np.array(x).reshape(n, r)`. In Rust the row-major
//! `n × r` block is, without a copy, the column-major `r × n` matrix Uᵀ
//! (`nalgebra::DMatrixView::from_slice(x, r, n)`).
//!
//! # Derivatives
//! [`Objective::gradient`] and [`Objective::hvp`] are the *Euclidean* ∇f and ∇²f·v of
//! the formula, always analytic. On a sphere-constrained problem ([`Manifold::Spheres`])
//! [`Objective::riemannian_gradient`] and [`Objective::riemannian_hvp`] give the
//! Riemannian ones (see [`Manifold`]).
//!
//! # Panics
//! Derivative methods take slices of length [`Objective::dim`]; a wrong length is a
//! programmer error and may panic (they check with `assert_eq!`/`debug_assert_eq!`).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::manifold::Manifold;
use crate::verdict::Verdict;

/// A continuous symmetry's orbit tangent space in a form that needs no dense directions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymmetryStructure {
    /// (X₁, X₂, …) ↦ (X₁R, X₂R, …), R ∈ O(`rank`): each X_i is the row-major block
    /// `x[range]` with `rank` columns; the tangent directions are (X₁K, X₂K, …), K skew
    /// `rank × rank`, zero outside the blocks.
    Rotation {
        /// The parameter ranges of the rotated blocks.
        blocks: Vec<std::ops::Range<usize>>,
        /// r, the number of columns of every block.
        rank: usize,
    },
}

/// One named block of the flat parameter vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The block's name in the field's words (`U`, `W1`, `u`, `x`).
    pub name: String,
    /// Its shape; a matrix block is stored row-major.
    pub shape: Vec<usize>,
}

impl Block {
    /// A block named `name` with shape `shape`.
    pub fn new(name: impl Into<String>, shape: &[usize]) -> Self {
        Block {
            name: name.into(),
            shape: shape.to_vec(),
        }
    }

    /// Number of parameters in the block.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for a block with no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How the flat parameter vector splits into blocks, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The blocks, concatenated in this order.
    pub blocks: Vec<Block>,
}

impl Layout {
    /// A layout from its blocks.
    pub fn new(blocks: Vec<Block>) -> Self {
        Layout { blocks }
    }

    /// A single block.
    pub fn single(name: &str, shape: &[usize]) -> Self {
        Layout::new(vec![Block::new(name, shape)])
    }

    /// Total number of parameters.
    pub fn dim(&self) -> usize {
        self.blocks.iter().map(Block::len).sum()
    }

    /// Human-readable form, e.g. `U[4×2] V[3×2]`.
    pub fn describe(&self) -> String {
        self.blocks
            .iter()
            .map(|b| {
                let dims: Vec<String> = b.shape.iter().map(usize::to_string).collect();
                format!("{}[{}]", b.name, dims.join("×"))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A stationary point that the mathematics gives in closed form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownPoint {
    /// Its name, used as `name:<name>` on the command line.
    pub name: String,
    /// The point.
    pub x: Vec<f64>,
    /// What it is, by the mathematics (not by a numerical test).
    pub kind: Verdict,
}

impl KnownPoint {
    /// A known point.
    pub fn new(name: impl Into<String>, x: Vec<f64>, kind: Verdict) -> Self {
        KnownPoint {
            name: name.into(),
            x,
            kind,
        }
    }
}

/// A named array of an instance's data, row-major: what [`Objective::data`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct DataArray {
    /// Its name (the spec field's, where there is one).
    pub name: String,
    /// The shape; empty for a scalar.
    pub shape: Vec<usize>,
    /// The entries, row-major (`shape`'s product of them).
    pub values: Vec<f64>,
}

impl DataArray {
    /// An array from row-major `values`; panics if their number is not `shape`'s product.
    pub fn new(name: impl Into<String>, shape: &[usize], values: Vec<f64>) -> Self {
        assert_eq!(
            values.len(),
            shape.iter().product::<usize>(),
            "DataArray: values for the shape"
        );
        DataArray {
            name: name.into(),
            shape: shape.to_vec(),
            values,
        }
    }

    /// A scalar.
    pub fn scalar(name: impl Into<String>, value: f64) -> Self {
        DataArray::new(name, &[], vec![value])
    }

    /// A matrix (nalgebra stores it column-major; the array is row-major).
    pub fn matrix(name: impl Into<String>, m: &nalgebra::DMatrix<f64>) -> Self {
        DataArray::new(
            name,
            &[m.nrows(), m.ncols()],
            m.transpose().as_slice().to_vec(),
        )
    }
}

/// A differentiable objective on a flat parameter vector with exact derivatives.
///
/// A first-order method needs only [`value`](Objective::value) and
/// [`gradient`](Objective::gradient); the HVP is there for second-order methods and the
/// spectrum. Five methods are required; the rest have defaults (Euclidean, no
/// symmetries, no known points, f* unknown, one block `x[d]`).
///
/// ```
/// use landscape::prelude::*;
///
/// /// f(x, y) = x²y² + (x − 1)²: minima along nothing but (1, 0), where f* = 0.
/// struct Valley;
///
/// impl Objective for Valley {
///     fn kind(&self) -> &'static str {
///         "valley"
///     }
///     fn dim(&self) -> usize {
///         2
///     }
///     fn value(&self, x: &[f64]) -> f64 {
///         x[0] * x[0] * x[1] * x[1] + (x[0] - 1.0).powi(2)
///     }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
///         g[0] = 2.0 * x[0] * x[1] * x[1] + 2.0 * (x[0] - 1.0);
///         g[1] = 2.0 * x[0] * x[0] * x[1];
///     }
///     fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
///         // ∇²f = [[2y² + 2, 4xy], [4xy, 2x²]]
///         let (h11, h12, h22) = (2.0 * x[1] * x[1] + 2.0, 4.0 * x[0] * x[1], 2.0 * x[0] * x[0]);
///         out[0] = h11 * v[0] + h12 * v[1];
///         out[1] = h12 * v[0] + h22 * v[1];
///     }
///     fn optimum(&self) -> Option<f64> {
///         Some(0.0)
///     }
/// }
///
/// let verdict = classify(&Valley, &[1.0, 0.0], &ClassifyOptions::default()).unwrap();
/// assert_eq!(verdict.kind, Verdict::GlobalMin);
/// assert_eq!(Valley.layout().describe(), "x[2]");
/// ```
pub trait Objective: Send + Sync {
    /// The problem kind (the registry name, e.g. `matrix_factorization`).
    fn kind(&self) -> &'static str;

    /// Number of parameters.
    fn dim(&self) -> usize;

    /// f(x).
    fn value(&self, x: &[f64]) -> f64;

    /// Writes the Euclidean gradient ∇f(x) into `grad`.
    fn gradient(&self, x: &[f64], grad: &mut [f64]);

    /// Writes the exact Euclidean Hessian-vector product ∇²f(x)·v into `out`.
    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]);

    /// f(x), writing ∇f(x) into `grad`; problems that share work override it.
    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient(x, grad);
        self.value(x)
    }

    /// The global minimum value f* when the mathematics knows it.
    fn optimum(&self) -> Option<f64> {
        None
    }

    /// The parameter manifold (Euclidean unless the problem is constrained).
    fn manifold(&self) -> Manifold {
        Manifold::Euclidean
    }

    /// A basis (not necessarily orthonormal) of the tangent space at x of the orbit of a
    /// continuous symmetry of f (e.g. U ↦ UR, R ∈ O(r)): directions along which f is
    /// constant, which are not evidence of degeneracy.
    fn symmetry_directions(&self, _x: &[f64]) -> Vec<Vec<f64>> {
        Vec::new()
    }

    /// An upper bound on the number of vectors [`symmetry_directions`](Objective::symmetry_directions)
    /// returns at x, without building them. The default builds them and counts; a problem
    /// whose set can be large (deep linear nets: Σ d_l² vectors of length d) overrides
    /// it, so callers can check a memory budget first.
    fn symmetry_count(&self, x: &[f64]) -> usize {
        self.symmetry_directions(x).len()
    }

    /// The structured form of the same orbit's tangent space at x, when it has one, so
    /// that projections onto it need not build [`symmetry_directions`](Objective::symmetry_directions)
    /// (see [`SymmetryStructure`]). `None` by default; when `Some`, its span must equal
    /// the span of `symmetry_directions(x)`.
    fn symmetry_structure(&self, _x: &[f64]) -> Option<SymmetryStructure> {
        None
    }

    /// Named closed-form stationary points.
    fn known_points(&self) -> Vec<KnownPoint> {
        Vec::new()
    }

    /// The known point called `name`. The default searches
    /// [`known_points`](Objective::known_points); a problem whose family of known points is
    /// too large to list (e.g. `eig:<i,j,…>` subsets) overrides it to parse the name.
    fn known_point(&self, name: &str) -> Option<KnownPoint> {
        self.known_points().into_iter().find(|p| p.name == name)
    }

    /// The instance's data as named row-major arrays (a completion's observed matrix
    /// and mask, a network's inputs and targets, …), so that f can be recomputed
    /// elsewhere; empty by default (problems defined by their formula alone).
    fn data(&self) -> Vec<DataArray> {
        Vec::new()
    }

    /// The data as `landscape export` writes it: [`data`](Objective::data) unless a
    /// problem has a more compact form (a completion's observed entries as compressed
    /// sparse rows instead of dense n×n arrays).
    fn export_data(&self) -> Vec<DataArray> {
        self.data()
    }

    /// The blocks of the parameter vector; the default is one block `x[d]`.
    fn layout(&self) -> Layout {
        Layout::single("x", &[self.dim()])
    }

    /// θ drawn by the initialisation `scheme` from `seed` (the `init:<scheme>[:<seed>]`
    /// point syntax), for problems that define initialisations (`mlp`); `None` otherwise.
    fn initialisation(&self, _scheme: &str, _seed: u64) -> Option<Result<Vec<f64>>> {
        None
    }

    /// This objective as a finite sum over training samples, when it is one (the `mlp`
    /// kind): what minibatch training needs. The default is `None`.
    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        None
    }

    /// The Riemannian gradient: the Euclidean gradient projected on the tangent space.
    fn riemannian_gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.gradient(x, grad);
        self.manifold().project_tangent(x, grad);
    }

    /// The Riemannian Hessian applied to the tangent projection of `v` (see
    /// [`Manifold::riemannian_hvp_correction`]). Allocates scratch on constrained problems.
    fn riemannian_hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        let manifold = self.manifold();
        if manifold.is_euclidean() {
            self.hvp(x, v, out);
            return;
        }
        let mut grad = vec![0.0; x.len()];
        self.gradient(x, &mut grad);
        let mut tangent = v.to_vec();
        manifold.project_tangent(x, &mut tangent);
        self.hvp(x, &tangent, out);
        manifold.riemannian_hvp_correction(x, &grad, &tangent, out);
    }
}

/// Held-out evaluation of a model at x: the test loss and, for classification, the
/// fraction of test samples classified correctly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestMetrics {
    /// The loss on the test set (without the l2 term).
    pub loss: f64,
    /// Test accuracy in [0, 1] (classification losses only).
    pub accuracy: Option<f64>,
}

/// An objective that is an average over N training samples,
/// f(x) = (1/N) Σᵢ ℓᵢ(x) (+ a regulariser), whose minibatch form f_B can be evaluated on
/// any subset B of sample indices. For a network with batch normalisation the samples are
/// coupled through the batch statistics, so f_B is *not* the average of the ℓᵢ over B: it
/// is the same formula with B as the whole training set (statistics over B, as in
/// training). With B = all samples f_B = f.
pub trait FiniteSum: Objective {
    /// Number of training samples N.
    fn samples(&self) -> usize;

    /// f_B(x) on the samples `batch` (indices < N, non-empty), writing ∇f_B(x) into
    /// `grad`.
    fn batch_value_and_gradient(&self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64;

    /// Test loss and accuracy at x when the problem holds test data.
    fn test_metrics(&self, _x: &[f64]) -> Option<TestMetrics> {
        None
    }

    /// How [`test_metrics`](FiniteSum::test_metrics) computes them, in a few words for
    /// the output (e.g. with batch normalisation, whose statistics it uses).
    fn test_protocol(&self) -> String {
        "the loss on the held-out test samples".to_string()
    }
}
