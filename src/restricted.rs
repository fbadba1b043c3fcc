//! An objective restricted to some blocks of its [`Layout`], the others frozen: what
//! training a subset of the parameters (only γ and β, only the output layer) trains.
//!
//! # The math
//! Split θ = (θ_S, θ_F) into the selected blocks S and the frozen ones F, fixed at θ̄_F.
//! The embedding embed(y) puts y ∈ ℝ^{|S|} into the selected coordinates of θ̄ (the
//! frozen base point): embed(y)_S = y, embed(y)_F = θ̄_F. The restricted objective is
//!
//!   f_S(y) = f(embed(y)),
//!
//! and since embed is affine with derivative the injection E (columns: the unit vectors
//! of S), ∇f_S(y) = Eᵀ∇f(embed(y)), the entries of the full gradient in S, and
//! ∇²f_S(y)·v = Eᵀ∇²f(embed(y))·Ev, the S-block of the full HVP applied to v padded with
//! zeros on F. On a [`FiniteSum`] each minibatch objective restricts the same way, so
//! the minibatch gradient is the restriction of the full network's minibatch gradient
//! (with batch normalisation: the minibatch's statistics, as for the full network); the
//! run loop trains f_S unchanged.
//!
//! The layout of f_S is the selected blocks, in their order in f's layout. Every
//! evaluation embeds into a full-length scratch vector taken from a pool (one per
//! concurrent caller, allocated on first use), so the hot path allocates nothing.

use std::ops::Range;
use std::sync::Mutex;

use crate::error::{ensure_point, Error, Result};
use crate::objective::{Block, FiniteSum, Layout, Objective, TestMetrics};

/// Full-length scratch vectors: the embedded point, a full gradient or HVP, a padded
/// direction.
#[derive(Debug, Default)]
struct Scratch {
    x: Vec<f64>,
    out: Vec<f64>,
    v: Vec<f64>,
}

/// f restricted to the blocks of its layout that a predicate selects, the others frozen
/// at a base point (module doc).
pub struct Restricted<'a> {
    full: &'a dyn Objective,
    base: Vec<f64>,
    ranges: Vec<Range<usize>>,
    layout: Layout,
    dim: usize,
    pool: Mutex<Vec<Scratch>>,
}

impl std::fmt::Debug for Restricted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Restricted")
            .field("kind", &self.full.kind())
            .field("layout", &self.layout.describe())
            .finish()
    }
}

impl<'a> Restricted<'a> {
    /// f restricted to the blocks for which `select` is true, the others frozen at their
    /// value in `base` (a point of f).
    ///
    /// Errors: `base` of the wrong length or not finite (field `point`); no block
    /// selected (field `blocks`).
    pub fn new(
        full: &'a dyn Objective,
        base: &[f64],
        select: impl Fn(&Block) -> bool,
    ) -> Result<Self> {
        ensure_point("point", base, full.dim())?;
        let mut ranges = Vec::new();
        let mut blocks = Vec::new();
        let mut start = 0;
        for block in full.layout().blocks {
            let end = start + block.len();
            if select(&block) && end > start {
                ranges.push(start..end);
                blocks.push(block);
            }
            start = end;
        }
        if blocks.is_empty() {
            return Err(Error::invalid(
                "blocks",
                "at least one non-empty block of the layout",
                "none selected",
            ));
        }
        let dim = ranges.iter().map(|r| r.len()).sum();
        Ok(Restricted {
            full,
            base: base.to_vec(),
            ranges,
            layout: Layout::new(blocks),
            dim,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// embed(y): the base point with y in the selected blocks.
    pub fn embed(&self, y: &[f64]) -> Vec<f64> {
        let mut x = self.base.clone();
        self.scatter(y, &mut x);
        x
    }

    /// The selected entries of a full-length vector (the restriction Eᵀx).
    pub fn restrict(&self, x: &[f64]) -> Vec<f64> {
        let mut y = Vec::with_capacity(self.dim);
        for r in &self.ranges {
            y.extend_from_slice(&x[r.clone()]);
        }
        y
    }

    /// Writes y into the selected coordinates of `x` (the others untouched).
    fn scatter(&self, y: &[f64], x: &mut [f64]) {
        assert_eq!(y.len(), self.dim, "Restricted: point length");
        let mut at = 0;
        for r in &self.ranges {
            x[r.clone()].copy_from_slice(&y[at..at + r.len()]);
            at += r.len();
        }
    }

    /// Writes the selected entries of `x` into `y`.
    fn gather(&self, x: &[f64], y: &mut [f64]) {
        let mut at = 0;
        for r in &self.ranges {
            y[at..at + r.len()].copy_from_slice(&x[r.clone()]);
            at += r.len();
        }
    }

    /// Runs `f` with a scratch whose `x` holds embed(y).
    fn with_embedded<T>(&self, y: &[f64], f: impl FnOnce(&mut Scratch) -> T) -> T {
        let mut s = self
            .pool
            .lock()
            .map(|mut p| p.pop())
            .unwrap_or_default()
            .unwrap_or_default();
        let d = self.base.len();
        if s.x.len() != d {
            s.x = self.base.clone();
            s.out = vec![0.0; d];
            s.v = vec![0.0; d];
        }
        // Only the selected coordinates ever change: the frozen ones keep the base.
        self.scatter(y, &mut s.x);
        let result = f(&mut s);
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(s);
        }
        result
    }
}

impl Objective for Restricted<'_> {
    fn kind(&self) -> &'static str {
        self.full.kind()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn value(&self, y: &[f64]) -> f64 {
        self.with_embedded(y, |s| self.full.value(&s.x))
    }

    fn gradient(&self, y: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(y, grad);
    }

    fn value_and_gradient(&self, y: &[f64], grad: &mut [f64]) -> f64 {
        self.with_embedded(y, |s| {
            let value = self.full.value_and_gradient(&s.x, &mut s.out);
            self.gather(&s.out, grad);
            value
        })
    }

    fn hvp(&self, y: &[f64], v: &[f64], out: &mut [f64]) {
        self.with_embedded(y, |s| {
            s.v.fill(0.0);
            self.scatter(v, &mut s.v);
            self.full.hvp(&s.x, &s.v, &mut s.out);
            self.gather(&s.out, out);
        })
    }

    fn layout(&self) -> Layout {
        self.layout.clone()
    }

    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        self.full.as_finite_sum().map(|_| self as &dyn FiniteSum)
    }
}

impl FiniteSum for Restricted<'_> {
    /// The full objective's N (a restriction exists only on a finite sum's as_finite_sum).
    fn samples(&self) -> usize {
        self.full.as_finite_sum().map_or(0, |s| s.samples())
    }

    fn batch_value_and_gradient(&self, y: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        let sum = self
            .full
            .as_finite_sum()
            .expect("Restricted is a finite sum only when f is");
        self.with_embedded(y, |s| {
            let value = sum.batch_value_and_gradient(&s.x, batch, &mut s.out);
            self.gather(&s.out, grad);
            value
        })
    }

    fn test_metrics(&self, y: &[f64]) -> Option<TestMetrics> {
        let sum = self.full.as_finite_sum()?;
        self.with_embedded(y, |s| sum.test_metrics(&s.x))
    }

    fn test_protocol(&self) -> String {
        self.full
            .as_finite_sum()
            .map_or_else(String::new, |s| s.test_protocol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::deep::{network, widths};
    use crate::finite_difference::{gradient_fd, hvp_fd, relative_error};

    fn bn_net() -> crate::problems::mlp::Mlp {
        network(&[
            ("data", "spiral".into()),
            ("samples", 40.into()),
            ("widths", widths(2, 5)),
            ("norm", "batch".into()),
            ("activation", "tanh".into()),
        ])
        .unwrap()
    }

    #[test]
    fn the_gradient_and_hvp_are_the_full_ones_restricted() {
        let f = bn_net();
        let x = f.initialise("kaiming_normal", 3).unwrap();
        let r = Restricted::new(&f, &x, |b| b.name.starts_with("gamma") || b.name == "W3").unwrap();
        assert_eq!(r.layout().describe(), "gamma1[5] gamma2[5] W3[2×5]");
        let mut y = r.restrict(&x);
        y.iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v += 0.1 * (i as f64).sin());
        let xe = r.embed(&y);
        let (mut full_g, mut g) = (vec![0.0; f.dim()], vec![0.0; r.dim()]);
        let fv = f.value_and_gradient(&xe, &mut full_g);
        assert_eq!(r.value_and_gradient(&y, &mut g), fv);
        assert_eq!(g, r.restrict(&full_g));
        let v: Vec<f64> = (0..r.dim()).map(|i| (0.7 * i as f64).cos()).collect();
        let mut padded = vec![0.0; f.dim()];
        r.scatter(&v, &mut padded);
        let (mut full_h, mut h) = (vec![0.0; f.dim()], vec![0.0; r.dim()]);
        f.hvp(&xe, &padded, &mut full_h);
        r.hvp(&y, &v, &mut h);
        assert_eq!(h, r.restrict(&full_h));
        // And against finite differences of f_S itself.
        assert!(relative_error(&g, &gradient_fd(&r, &y)) < 1e-6);
        assert!(relative_error(&h, &hvp_fd(&r, &y, &v)) < 1e-5);
        // The frozen blocks keep the base point.
        let moved: Vec<usize> = (0..f.dim()).filter(|&i| xe[i] != x[i]).collect();
        assert!(!moved.is_empty());
        assert!(moved
            .iter()
            .all(|&i| r.ranges.iter().any(|range| range.contains(&i))));
    }

    #[test]
    fn the_minibatch_gradient_is_forwarded() {
        let f = bn_net();
        let x = f.initialise("kaiming_normal", 1).unwrap();
        let r = Restricted::new(&f, &x, |b| b.name.starts_with("beta")).unwrap();
        let sum = r.as_finite_sum().unwrap();
        assert_eq!(sum.samples(), 40);
        let y = r.restrict(&x);
        let batch = [0, 3, 7, 11];
        let (mut g, mut full_g) = (vec![0.0; r.dim()], vec![0.0; f.dim()]);
        let v = sum.batch_value_and_gradient(&y, &batch, &mut g);
        let fv = f.batch_value_and_gradient(&x, &batch, &mut full_g);
        assert_eq!((v, g), (fv, r.restrict(&full_g)));
    }

    #[test]
    fn selecting_nothing_or_a_bad_base_is_an_error() {
        let f = bn_net();
        let x = f.initialise("kaiming_normal", 0).unwrap();
        assert!(Restricted::new(&f, &x, |_| false).is_err());
        assert!(Restricted::new(&f, &x[1..], |_| true).is_err());
    }
}
