//! The plane of a slice, x₀ + α·d₁ + β·d₂, and the ways to choose it: one function per
//! choice, and [`PlaneChoice`] naming them for the command line.
//!
//! - [`coordinate_plane`]: d₁ = e₁, d₂ = e₂ (the default on 2-D problems, so the classical
//!   functions appear in their usual coordinates);
//! - [`hessian_plane`]: unit eigenvectors of the Hessian at x₀ (λmin and λmax by default),
//!   from [`crate::spectrum::hessian_spectrum`] (dense up to its threshold, Lanczos above).
//!   The spectrum is that of the *reduced* Hessian: on sphere-constrained problems the
//!   Riemannian Hessian on the tangent space, and with symmetry directions (U ↦ UR)
//!   projected out, so the plane never wastes an axis on a direction along which f is
//!   constant by symmetry;
//! - [`random_plane`]: seeded Gaussian directions with filter normalisation (Li et al.
//!   2018, "Visualizing the loss landscape of neural nets");
//! - [`pca_plane`]: the top two principal directions of trajectory iterates minus x₀
//!   (Li et al. use the final iterate as x₀);
//! - [`points_plane`]: the plane through three points;
//! - [`Plane::new`]: explicit directions.
//!
//! Every plane is checked: finite entries, the problem's dimension, non-zero directions,
//! and directions that are not (nearly) parallel.

use nalgebra::DMatrix;

use crate::error::{ensure_finite, Error, Result};
use crate::linalg::{dot, norm, symmetric_eigen};
use crate::objective::Objective;
use crate::random::{gaussian_vector, stream};
use crate::spectrum::{hessian_spectrum, SpectrumOptions};

/// Directions whose |cos θ| exceeds this are refused as parallel.
pub const PARALLEL_COS: f64 = 1.0 - 1e-8;

/// A plane x₀ + α·d₁ + β·d₂ with axis labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// The centre x₀ (α = β = 0).
    pub x0: Vec<f64>,
    /// The first direction d₁ (the α axis).
    pub d1: Vec<f64>,
    /// The second direction d₂ (the β axis).
    pub d2: Vec<f64>,
    /// What d₁ is, for the α axis label (e.g. "v(λmin = −2.00)").
    pub label1: String,
    /// What d₂ is, for the β axis label.
    pub label2: String,
    /// How the plane was chosen, for titles (e.g. "Hessian eigenvectors at x₀").
    pub description: String,
    /// α and β are the problem's own first two coordinates (x₀ = 0, d₁ = e₁, d₂ = e₂
    /// on a 2-D problem): axes are then labelled by `label1`, `label2` alone.
    pub coordinates: bool,
}

/// The least-squares coordinates of a point in a plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// α.
    pub alpha: f64,
    /// β.
    pub beta: f64,
    /// ‖x − x₀ − α·d₁ − β·d₂‖².
    pub residual_sq: f64,
    /// ‖x − x₀‖².
    pub offset_sq: f64,
}

impl Plane {
    /// A plane with explicit directions; errors on a length other than x₀'s, non-finite
    /// entries, a zero direction, or (nearly) parallel directions.
    pub fn new(
        x0: Vec<f64>,
        d1: Vec<f64>,
        d2: Vec<f64>,
        label1: impl Into<String>,
        label2: impl Into<String>,
    ) -> Result<Plane> {
        for (what, v) in [("direction d1", &d1), ("direction d2", &d2)] {
            if v.len() != x0.len() {
                return Err(Error::DimensionMismatch {
                    what: what.to_string(),
                    expected: x0.len(),
                    found: v.len(),
                });
            }
            ensure_finite(what, v)?;
            if norm(v) == 0.0 {
                return Err(Error::invalid(
                    "directions",
                    "non-zero directions",
                    format!("{what} = 0"),
                ));
            }
        }
        ensure_finite("x0", &x0)?;
        let cos = dot(&d1, &d2) / (norm(&d1) * norm(&d2));
        if cos.is_nan() || cos.abs() >= PARALLEL_COS {
            return Err(Error::invalid(
                "directions",
                "two directions that span a plane",
                format!("directions are parallel (|cos θ| = {:.10})", cos.abs()),
            ));
        }
        Ok(Plane {
            x0,
            d1,
            d2,
            label1: label1.into(),
            label2: label2.into(),
            description: "explicit directions".into(),
            coordinates: false,
        })
    }

    /// The same plane with another description.
    pub fn described(mut self, description: impl Into<String>) -> Plane {
        self.description = description.into();
        self
    }

    /// The dimension of the ambient space.
    pub fn dim(&self) -> usize {
        self.x0.len()
    }

    /// Writes x₀ + α·d₁ + β·d₂ into `out`.
    pub fn point_into(&self, alpha: f64, beta: f64, out: &mut [f64]) {
        for (((o, x), a), b) in out.iter_mut().zip(&self.x0).zip(&self.d1).zip(&self.d2) {
            *o = x + alpha * a + beta * b;
        }
    }

    /// x₀ + α·d₁ + β·d₂.
    pub fn point(&self, alpha: f64, beta: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.dim()];
        self.point_into(alpha, beta, &mut out);
        out
    }

    /// The least-squares coordinates (α, β) of `x`: the solution of the 2×2 normal
    /// equations in the (d₁, d₂) basis, with the residual.
    #[track_caller]
    pub fn project(&self, x: &[f64]) -> Projection {
        assert_eq!(x.len(), self.dim(), "Plane::project: wrong length");
        let (mut g11, mut g12, mut g22, mut r1, mut r2, mut offset_sq) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (((xi, x0i), a), b) in x.iter().zip(&self.x0).zip(&self.d1).zip(&self.d2) {
            let (a, b, r) = (*a, *b, xi - x0i);
            g11 += a * a;
            g12 += a * b;
            g22 += b * b;
            r1 += a * r;
            r2 += b * r;
            offset_sq += r * r;
        }
        let det = g11 * g22 - g12 * g12;
        let alpha = (g22 * r1 - g12 * r2) / det;
        let beta = (g11 * r2 - g12 * r1) / det;
        let residual_sq = (0..x.len())
            .map(|i| (x[i] - self.x0[i] - alpha * self.d1[i] - beta * self.d2[i]).powi(2))
            .sum();
        Projection {
            alpha,
            beta,
            residual_sq,
            offset_sq,
        }
    }
}

/// Which Hessian eigenvectors span the plane (indices into the ascending spectrum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EigenPick {
    /// The eigenvectors of λmin and λmax (the default: at a saddle, the escape direction
    /// and the stiffest one).
    #[default]
    Extremes,
    /// The eigenvectors of the i-th and j-th smallest eigenvalues (0-based), e.g. (0, 1)
    /// for the two smallest.
    Smallest(usize, usize),
}

/// The plane through x₀ spanned by unit Hessian eigenvectors (see the module doc for the
/// reduced space). Errors when the reduced space has fewer than two dimensions, or the
/// picked indices are out of range.
pub fn hessian_plane(f: &dyn Objective, x0: &[f64], pick: EigenPick) -> Result<Plane> {
    let wanted = match pick {
        EigenPick::Extremes => 1,
        EigenPick::Smallest(i, j) => {
            if i == j {
                return Err(Error::invalid(
                    "eigenvectors",
                    "two different eigenvector indices",
                    format!("{i},{j} (directions are parallel)"),
                ));
            }
            i.max(j) + 1
        }
    };
    let opts = SpectrumOptions {
        k: wanted.min(f.dim()).max(1),
        with_vectors: true,
        ..SpectrumOptions::default()
    };
    let spectrum = hessian_spectrum(f, x0, &opts)?;
    if spectrum.reduced_dim < 2 {
        return Err(Error::invalid(
            "directions",
            "a reduced space of at least two dimensions for two eigenvectors",
            format!("{} dimension(s)", spectrum.reduced_dim),
        ));
    }
    let (a, b, name_a, name_b) = match pick {
        EigenPick::Extremes => (
            &spectrum.smallest[0],
            &spectrum.largest[0],
            "λmin".to_string(),
            "λmax".to_string(),
        ),
        EigenPick::Smallest(i, j) => {
            let get = |k: usize| {
                spectrum.smallest.get(k).ok_or_else(|| {
                    Error::invalid(
                        "eigenvectors",
                        format!("indices below {}", spectrum.smallest.len()),
                        k,
                    )
                })
            };
            (
                get(i)?,
                get(j)?,
                format!("λ{}", subscript(i + 1)),
                format!("λ{}", subscript(j + 1)),
            )
        }
    };
    let vector = |p: &crate::spectrum::Eigenpair| p.vector.clone().expect("with_vectors was set");
    Ok(Plane::new(
        x0.to_vec(),
        vector(a),
        vector(b),
        format!("v({name_a} = {:.3})", a.value),
        format!("v({name_b} = {:.3})", b.value),
    )?
    .described("Hessian eigenvectors at x₀"))
}

fn subscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// The coordinate plane through x₀: d₁ = e₁, d₂ = e₂.
pub fn coordinate_plane(x0: &[f64]) -> Result<Plane> {
    if x0.len() < 2 {
        return Err(Error::invalid(
            "directions",
            "a problem of dimension at least 2 for a coordinate plane",
            x0.len(),
        ));
    }
    let unit = |k: usize| {
        (0..x0.len())
            .map(|i| if i == k { 1.0 } else { 0.0 })
            .collect()
    };
    let (l1, l2) = if x0.len() == 2 {
        ("x", "y")
    } else {
        ("e₁", "e₂")
    };
    let mut plane =
        Plane::new(x0.to_vec(), unit(0), unit(1), l1, l2)?.described("coordinate plane");
    plane.coordinates = x0.len() == 2 && x0.iter().all(|v| *v == 0.0);
    Ok(plane)
}

/// Seeded Gaussian directions with filter normalisation (Li et al. 2018): the problem's
/// [`layout`](Objective::layout) cuts the vector into blocks; a matrix block's rows
/// (shape\[0] rows of the product of the other dimensions) and a vector block as one row
/// are each rescaled so that the direction's row has the norm of x₀'s same row. Where
/// x₀'s row is zero (e.g. at the origin) the row is scaled to unit norm instead, so the
/// plane does not collapse. The directions are streams 0 and 1 of `seed`.
pub fn random_plane(f: &dyn Objective, x0: &[f64], seed: u64) -> Result<Plane> {
    check_point(f, x0)?;
    let layout = f.layout();
    let direction = |index: u64| {
        let mut d = gaussian_vector(&mut stream(seed, index), x0.len());
        filter_normalise(&layout, x0, &mut d);
        d
    };
    Ok(Plane::new(
        x0.to_vec(),
        direction(0),
        direction(1),
        "δ₁ (filter-normalised)",
        "δ₂ (filter-normalised)",
    )?
    .described(format!("random directions, seed {seed}")))
}

/// Rescales each row of each block of `d` to the norm of the same row of `x0` (unit
/// norm where x₀'s row is zero); see [`random_plane`].
pub fn filter_normalise(layout: &crate::objective::Layout, x0: &[f64], d: &mut [f64]) {
    let mut start = 0;
    for block in &layout.blocks {
        let len = block.len();
        let rows = if block.shape.len() >= 2 {
            block.shape[0].max(1)
        } else {
            1
        };
        let row_len = len / rows;
        for r in 0..rows {
            let range = start + r * row_len..start + (r + 1) * row_len;
            let target = norm(&x0[range.clone()]);
            let target = if target > 0.0 { target } else { 1.0 };
            let current = norm(&d[range.clone()]);
            if current > 0.0 {
                d[range].iter_mut().for_each(|v| *v *= target / current);
            }
        }
        start += len;
    }
}

/// At most this many iterates enter [`pca_plane`] (evenly subsampled beyond it), so the
/// Gram matrix stays small.
pub const PCA_MAX_POINTS: usize = 2000;

/// The plane through x₀ spanned by the top two principal directions of the iterates
/// minus x₀ (uncentred, as in Li et al. 2018, who take x₀ = the final iterate): the top
/// right singular vectors of the matrix whose rows are xᵢ − x₀. The labels give the
/// share of Σ‖xᵢ − x₀‖² each direction explains. Errors when the iterates span fewer
/// than two directions.
pub fn pca_plane(x0: &[f64], iterates: &[&[f64]]) -> Result<Plane> {
    ensure_finite("x0", x0)?;
    let dim = x0.len();
    if let Some(bad) = iterates.iter().find(|x| x.len() != dim) {
        return Err(Error::DimensionMismatch {
            what: "an iterate for PCA".into(),
            expected: dim,
            found: bad.len(),
        });
    }
    let step = iterates.len().div_ceil(PCA_MAX_POINTS).max(1);
    let rows: Vec<&[f64]> = iterates.iter().step_by(step).copied().collect();
    let n = rows.len();
    let diff = DMatrix::from_fn(n, dim, |i, j| rows[i][j] - x0[j]);
    let total: f64 = diff.iter().map(|v| v * v).sum();
    // Top right singular vectors from the smaller Gram matrix.
    let (values, vectors): (Vec<f64>, Vec<Vec<f64>>) = if n <= dim {
        let (values, u) = symmetric_eigen(&(&diff * diff.transpose()))?;
        let top = |k: usize| {
            let v = diff.transpose() * u.column(n - 1 - k);
            let s = v.norm();
            (
                values[n - 1 - k],
                v.as_slice().iter().map(|x| x / s).collect(),
            )
        };
        if n < 2 {
            (vec![values.last().copied().unwrap_or(0.0), 0.0], vec![])
        } else {
            let (a, b) = (top(0), top(1));
            (vec![a.0, b.0], vec![a.1, b.1])
        }
    } else {
        let (values, v) = symmetric_eigen(&(diff.transpose() * &diff))?;
        let top = |k: usize| {
            (
                values[dim - 1 - k],
                v.column(dim - 1 - k).iter().copied().collect(),
            )
        };
        let (a, b) = (top(0), top(1));
        (vec![a.0, b.0], vec![a.1, b.1])
    };
    if total == 0.0 || vectors.len() < 2 || values[1] <= 1e-12 * values[0] {
        return Err(Error::invalid(
            "pca",
            "trajectories whose iterates minus x₀ span at least two directions",
            "iterates on a line through x₀ (or at x₀)",
        ));
    }
    let share = |v: f64| 100.0 * v / total;
    let (l1, l2) = (
        format!("PC₁ ({:.1}%)", share(values[0])),
        format!("PC₂ ({:.1}%)", share(values[1])),
    );
    let mut vectors = vectors.into_iter();
    let (d1, d2) = (vectors.next().expect("two"), vectors.next().expect("two"));
    Ok(Plane::new(x0.to_vec(), d1, d2, l1, l2)?.described("PCA plane of the trajectories"))
}

/// The plane through three points: x₀ = p₁, d₁ = p₂ − p₁, d₂ = p₃ − p₁, so p₁, p₂, p₃
/// sit at (0, 0), (1, 0), (0, 1). With `orthogonalise`, d₂ loses its component along d₁
/// (Gram–Schmidt, not rescaled), so the axes are perpendicular and p₃ sits at (c, 1)
/// with c = ⟨p₃ − p₁, d₁⟩/‖d₁‖².
pub fn points_plane(p1: &[f64], p2: &[f64], p3: &[f64], orthogonalise: bool) -> Result<Plane> {
    for (what, p) in [("point p2", p2), ("point p3", p3)] {
        if p.len() != p1.len() {
            return Err(Error::DimensionMismatch {
                what: what.into(),
                expected: p1.len(),
                found: p.len(),
            });
        }
    }
    let d1: Vec<f64> = p2.iter().zip(p1).map(|(a, b)| a - b).collect();
    let mut d2: Vec<f64> = p3.iter().zip(p1).map(|(a, b)| a - b).collect();
    if orthogonalise && norm(&d1) > 0.0 {
        let c = dot(&d1, &d2) / dot(&d1, &d1);
        // Parallel inputs stay parallel to within rounding; refuse them before projecting.
        let cos = dot(&d1, &d2) / (norm(&d1) * norm(&d2));
        if cos.abs() >= PARALLEL_COS || !cos.is_finite() {
            return Plane::new(p1.to_vec(), d1, d2, "", "");
        }
        d2.iter_mut().zip(&d1).for_each(|(b, a)| *b -= c * a);
    }
    Ok(Plane::new(p1.to_vec(), d1, d2, "p₂ − p₁", "p₃ − p₁")?
        .described("plane through three points"))
}

/// A choice of plane, for callers that pick one by name (the CLI's `--directions`).
#[derive(Clone, Debug, PartialEq)]
pub enum PlaneChoice {
    /// [`coordinate_plane`] through x₀.
    Coordinates,
    /// [`hessian_plane`] at x₀.
    Hessian(EigenPick),
    /// [`random_plane`] at x₀.
    Random {
        /// The seed of the two directions.
        seed: u64,
    },
    /// [`pca_plane`] of these iterates through x₀.
    Pca {
        /// The iterates (of every trajectory).
        iterates: Vec<Vec<f64>>,
    },
    /// [`points_plane`] through these points (x₀ is the first; the given centre is
    /// ignored).
    Points {
        /// p₁, p₂, p₃.
        points: [Vec<f64>; 3],
        /// Make d₂ perpendicular to d₁.
        orthogonalise: bool,
    },
    /// [`Plane::new`] with these directions through x₀.
    Explicit {
        /// d₁.
        d1: Vec<f64>,
        /// d₂.
        d2: Vec<f64>,
    },
}

impl PlaneChoice {
    /// The default: the coordinate plane on 2-D problems, the Hessian eigenvectors of
    /// λmin and λmax otherwise.
    pub fn default_for(f: &dyn Objective) -> PlaneChoice {
        if f.dim() == 2 {
            PlaneChoice::Coordinates
        } else {
            PlaneChoice::Hessian(EigenPick::Extremes)
        }
    }

    /// The plane this choice gives through `x0` on `f`.
    pub fn plane(&self, f: &dyn Objective, x0: &[f64]) -> Result<Plane> {
        check_point(f, x0)?;
        match self {
            PlaneChoice::Coordinates => coordinate_plane(x0),
            PlaneChoice::Hessian(pick) => hessian_plane(f, x0, *pick),
            PlaneChoice::Random { seed } => random_plane(f, x0, *seed),
            PlaneChoice::Pca { iterates } => {
                let refs: Vec<&[f64]> = iterates.iter().map(Vec::as_slice).collect();
                pca_plane(x0, &refs)
            }
            PlaneChoice::Points {
                points,
                orthogonalise,
            } => points_plane(&points[0], &points[1], &points[2], *orthogonalise),
            PlaneChoice::Explicit { d1, d2 } => {
                Plane::new(x0.to_vec(), d1.clone(), d2.clone(), "d₁", "d₂")
            }
        }
    }
}

fn check_point(f: &dyn Objective, x0: &[f64]) -> Result<()> {
    if x0.len() != f.dim() {
        return Err(Error::DimensionMismatch {
            what: "centre x0".into(),
            expected: f.dim(),
            found: x0.len(),
        });
    }
    ensure_finite("x0", x0)
}
