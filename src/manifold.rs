//! Parameter manifolds: ℝᵈ, or a product of unit spheres.
//!
//! For the product of `count` unit spheres S^{k−1} ⊂ ℝᵏ, block i being
//! x_i = x[i·k .. (i+1)·k] with ‖x_i‖ = 1:
//!
//! - tangent projection, per block: P_x(v) = v − (x_iᵀv_i) x_i;
//! - Riemannian gradient: grad f(x) = P_x(∇f(x));
//! - Riemannian Hessian on a tangent v (Absil, Mahony & Sepulchre 2008, §5.5):
//!   Hess f(x)\[v\] = P_x(∇²f(x)·v) − (x_iᵀ∇_i f(x)) v_i per block;
//! - retraction: R_x(ξ) = normalise each block of x + ξ.

use serde::{Deserialize, Serialize};

use crate::linalg::dot;

/// Where the parameters live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Manifold {
    /// Unconstrained ℝᵈ.
    Euclidean,
    /// A product of `count` unit spheres, each in ℝ^`block_dim`, stored one after another.
    Spheres {
        /// Number of spheres.
        count: usize,
        /// Ambient dimension of each sphere.
        block_dim: usize,
    },
}

impl Manifold {
    /// True for ℝᵈ.
    pub fn is_euclidean(&self) -> bool {
        matches!(self, Manifold::Euclidean)
    }

    /// Human-readable form, e.g. `(S^2)^3`.
    pub fn describe(&self) -> String {
        match self {
            Manifold::Euclidean => "euclidean".to_string(),
            Manifold::Spheres { count, block_dim } => {
                format!("product of {count} unit spheres in R^{block_dim}")
            }
        }
    }

    /// Dimension of the tangent space at any point of a manifold embedded in ℝ^`dim`.
    pub fn tangent_dim(&self, dim: usize) -> usize {
        match self {
            Manifold::Euclidean => dim,
            Manifold::Spheres { count, .. } => dim - count,
        }
    }

    fn blocks<'a>(&self, x: &'a [f64]) -> impl Iterator<Item = &'a [f64]> {
        let k = match self {
            Manifold::Euclidean => x.len().max(1),
            Manifold::Spheres { block_dim, .. } => *block_dim,
        };
        x.chunks(k)
    }

    /// Replaces `v` by its projection on the tangent space at `x`.
    #[track_caller]
    pub fn project_tangent(&self, x: &[f64], v: &mut [f64]) {
        if let Manifold::Spheres { block_dim, .. } = self {
            assert_eq!(x.len(), v.len(), "project_tangent: length mismatch");
            for (xi, vi) in x.chunks(*block_dim).zip(v.chunks_mut(*block_dim)) {
                let along = dot(xi, vi);
                vi.iter_mut().zip(xi).for_each(|(v, x)| *v -= along * x);
            }
        }
    }

    /// Given `out` = ∇²f(x)·v for a tangent `v`, turns it into the Riemannian Hessian
    /// Hess f(x)\[v\] = P_x(∇²f(x)·v) − (x_iᵀ∇_i f(x)) v_i, using the Euclidean gradient.
    #[track_caller]
    pub fn riemannian_hvp_correction(&self, x: &[f64], grad: &[f64], v: &[f64], out: &mut [f64]) {
        if let Manifold::Spheres { block_dim, .. } = self {
            self.project_tangent(x, out);
            let k = *block_dim;
            for (((xi, gi), vi), oi) in x
                .chunks(k)
                .zip(grad.chunks(k))
                .zip(v.chunks(k))
                .zip(out.chunks_mut(k))
            {
                let radial = dot(xi, gi);
                oi.iter_mut().zip(vi).for_each(|(o, v)| *o -= radial * v);
            }
        }
    }

    /// Maps `x` back onto the manifold (normalises each sphere block; a zero block
    /// becomes the first basis vector).
    pub fn retract_in_place(&self, x: &mut [f64]) {
        if let Manifold::Spheres { block_dim, .. } = self {
            for xi in x.chunks_mut(*block_dim) {
                let norm = dot(xi, xi).sqrt();
                if norm > 0.0 && norm.is_finite() {
                    xi.iter_mut().for_each(|v| *v /= norm);
                } else if norm == 0.0 {
                    xi[0] = 1.0;
                }
            }
        }
    }

    /// Largest deviation |‖x_i‖ − 1| over the sphere blocks (0 on ℝᵈ).
    pub fn constraint_violation(&self, x: &[f64]) -> f64 {
        match self {
            Manifold::Euclidean => 0.0,
            Manifold::Spheres { .. } => self
                .blocks(x)
                .map(|xi| (dot(xi, xi).sqrt() - 1.0).abs())
                .fold(0.0, f64::max),
        }
    }
}
