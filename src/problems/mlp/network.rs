//! The network's passes on a batch: forward, backpropagation, and the R-operator
//! (forward-over-reverse) for the Hessian-vector product. The formulas are in the
//! parent module's doc; this file is their implementation on row-major N × n buffers.
//!
//! All matrix products go through faer's `matmul`; large ones run on the rayon pool.
//! faer splits a product's output (never its inner sum) between threads, so every entry
//! is summed in the same order and results are identical on any thread count (a test
//! checks it). A [`Workspace`] holds every buffer; it grows to the largest batch
//! it has seen and is reused, so a pass allocates nothing in the steady state.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::activation::Activation;
use super::norm::{self, Norm, Tangent};
use crate::linalg::simd::clear_upper_state;

/// The loss on the network's output ŷ (q per sample) against targets y.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// (1/2N) Σᵢ ‖ŷᵢ − yᵢ‖².
    Squared,
    /// (1/N) Σᵢ (Σₖ yᵢₖ)·logsumexp(ŷᵢ) − yᵢ·ŷᵢ (softmax cross-entropy; y one-hot for labels).
    CrossEntropy,
}

impl Loss {
    /// The spec's name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Squared => "squared",
            Loss::CrossEntropy => "cross_entropy",
        }
    }
}

/// Where layer l's parameters sit in θ.
#[derive(Clone, Debug)]
pub struct LayerParams {
    /// W (out×in, row-major), or v for weight normalisation.
    pub w: usize,
    /// g (weight normalisation only).
    pub g: Option<usize>,
    /// b.
    pub b: Option<usize>,
    /// γ (standardising norms only).
    pub gamma: Option<usize>,
    /// β (standardising norms only).
    pub beta: Option<usize>,
}

/// The architecture: widths n₀ (inputs), n₁…n_L (hidden), n_{L+1} (outputs), one
/// activation and norm per hidden layer, where each tensor sits in θ.
#[derive(Clone, Debug)]
pub struct Architecture {
    /// n₀, …, n_{L+1}.
    pub dims: Vec<usize>,
    /// φₗ for the hidden layers l = 1…L.
    pub activations: Vec<Activation>,
    /// The norm of each hidden layer.
    pub norms: Vec<Norm>,
    /// Layers have biases.
    pub bias: bool,
    /// The loss.
    pub loss: Loss,
    /// λ of (λ/2)‖θ‖².
    pub l2: f64,
    /// ε of the standardising norms.
    pub eps: f64,
    /// Parameter offsets of layers 1…L+1.
    pub layers: Vec<LayerParams>,
    /// Number of parameters.
    pub dim: usize,
}

impl Architecture {
    /// Lays the tensors out in θ: layer by layer W (or g, v), b, γ, β.
    pub fn new(
        dims: Vec<usize>,
        activations: Vec<Activation>,
        norms: Vec<Norm>,
        bias: bool,
        loss: Loss,
        l2: f64,
        eps: f64,
    ) -> Option<Self> {
        let mut offset = 0usize;
        let mut take = |len: usize| -> Option<usize> {
            let at = offset;
            offset = offset.checked_add(len)?;
            Some(at)
        };
        let mut layers = Vec::with_capacity(dims.len() - 1);
        for l in 1..dims.len() {
            let (n, n_in) = (dims[l], dims[l - 1]);
            let norm = norms.get(l - 1).copied().unwrap_or(Norm::None);
            let g = if norm == Norm::Weight {
                Some(take(n)?)
            } else {
                None
            };
            let w = take(n.checked_mul(n_in)?)?;
            let b = if bias { Some(take(n)?) } else { None };
            let (gamma, beta) = if norm.standardises() {
                (Some(take(n)?), Some(take(n)?))
            } else {
                (None, None)
            };
            layers.push(LayerParams {
                w,
                g,
                b,
                gamma,
                beta,
            });
        }
        Some(Architecture {
            dims,
            activations,
            norms,
            bias,
            loss,
            l2,
            eps,
            layers,
            dim: offset,
        })
    }

    /// Number of hidden layers L.
    pub fn hidden(&self) -> usize {
        self.dims.len() - 2
    }

    /// The norm of layer l (1-based; the output layer has none).
    pub fn norm(&self, l: usize) -> Norm {
        self.norms.get(l - 1).copied().unwrap_or(Norm::None)
    }
}

/// Per-feature batch statistics (mean, 1/s) of every batch-normalised hidden layer
/// (None for the other layers), as a training-set pass left them.
#[derive(Clone, Debug, Default)]
pub struct BatchStatistics {
    /// One entry per hidden layer.
    pub layers: Vec<Option<(Vec<f64>, Vec<f64>)>>,
}

impl Workspace {
    /// ∂f/∂Ŷ of the last loss evaluation on `n_s` samples of `q` outputs.
    pub fn output_gradient(&self, n_s: usize, q: usize) -> &[f64] {
        &self.e[..n_s * q]
    }

    /// The batch statistics of the last forward pass.
    pub fn batch_statistics(&self, arch: &Architecture) -> BatchStatistics {
        BatchStatistics {
            layers: (1..=arch.hidden())
                .map(|l| {
                    (arch.norm(l) == Norm::Batch)
                        .then(|| (self.means[l - 1].clone(), self.inv_s[l - 1].clone()))
                })
                .collect(),
        }
    }
}

/// Every buffer of a pass, per hidden layer l = 1…L (index l − 1) unless said.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Rows of the current minibatch (inputs, targets), gathered.
    pub batch_x: Vec<f64>,
    /// Targets of the current minibatch.
    pub batch_y: Vec<f64>,
    /// Effective W of weight-normalised layers (layers 1…L+1; empty otherwise).
    w: Vec<Vec<f64>>,
    /// ‖vᵢ‖ of weight-normalised layers.
    v_norm: Vec<Vec<f64>>,
    /// Ẇ of weight-normalised layers.
    w_dot: Vec<Vec<f64>>,
    /// Pre-activations Z.
    pub z: Vec<Vec<f64>>,
    /// Standardised Ẑ (standardising norms).
    pub zhat: Vec<Vec<f64>>,
    /// 1/s per group.
    pub inv_s: Vec<Vec<f64>>,
    /// Mean per group.
    pub means: Vec<Vec<f64>>,
    /// U = γ⊙Ẑ + β (or Z).
    pub u: Vec<Vec<f64>>,
    /// Activations A = φ(U).
    pub a: Vec<Vec<f64>>,
    /// Tangents.
    z_dot: Vec<Vec<f64>>,
    zhat_dot: Vec<Vec<f64>>,
    u_dot: Vec<Vec<f64>>,
    a_dot: Vec<Vec<f64>>,
    /// Output ŷ (N × q), its tangent, ∂f/∂ŷ and its tangent.
    pub out: Vec<f64>,
    out_dot: Vec<f64>,
    e: Vec<f64>,
    e_dot: Vec<f64>,
    /// Backward buffers of the current layer: ∂f/∂A (and the next one), ∂f/∂U, ∂f/∂Z,
    /// ∂f/∂Ẑ, and their tangents.
    d_a: Vec<f64>,
    d_a_next: Vec<f64>,
    d_u: Vec<f64>,
    d_z: Vec<f64>,
    d_zhat: Vec<f64>,
    dd_a: Vec<f64>,
    dd_a_next: Vec<f64>,
    dd_u: Vec<f64>,
    dd_z: Vec<f64>,
    dd_zhat: Vec<f64>,
    /// ∂f/∂W of a weight-normalised layer during an HVP.
    g_w: Vec<f64>,
    /// ‖∂f/∂A‖, ‖∂f/∂Z‖ of every hidden layer from the last gradient pass (the per-layer
    /// view reads them).
    pub d_a_norms: Vec<f64>,
    /// Noise injected after the normalisation, U′ = S ⊙ U + M, when set (noisy batch
    /// normalisation, [`super::noise`]); none: the plain network.
    pub noise: Option<LayerNoise>,
}

/// A fixed draw of the noise U′ = S ⊙ U + M injected into hidden layers' outputs U
/// (before the activation), per hidden layer l = 1…L (index l − 1): S and M as N × nₗ
/// row-major buffers, or empty for a layer without noise. Being fixed, it is a constant
/// of the pass: ∂f/∂U = S ⊙ ∂f/∂U′, and the tangent U̇′ = S ⊙ U̇.
#[derive(Clone, Debug, Default)]
pub struct LayerNoise {
    /// The multiplicative noise S per layer.
    pub scale: Vec<Vec<f64>>,
    /// The additive noise M per layer.
    pub shift: Vec<Vec<f64>>,
}

impl LayerNoise {
    /// (S, M) of hidden layer l (1-based) on `len` cells, when that layer has noise.
    fn layer(&self, l: usize, len: usize) -> Option<(&[f64], &[f64])> {
        let (s, m) = (self.scale.get(l - 1)?, self.shift.get(l - 1)?);
        (s.len() >= len && m.len() >= len && len > 0).then(|| (&s[..len], &m[..len]))
    }
}

fn sized(buf: &mut Vec<f64>, len: usize) -> &mut [f64] {
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    &mut buf[..len]
}

fn rows(slice: &[f64], r: usize, c: usize) -> MatRef<'_, f64> {
    MatRef::from_row_major_slice(&slice[..r * c], r, c)
}

fn rows_mut(slice: &mut [f64], r: usize, c: usize) -> MatMut<'_, f64> {
    MatMut::from_row_major_slice_mut(&mut slice[..r * c], r, c)
}

/// Products of at least this many multiply-adds run in parallel.
const PARALLEL_WORK: usize = 1 << 20;

/// A parallel product is cut into blocks of this many rows of the result, each a
/// sequential product: the blocks are fixed by the shapes, never by the thread count, so
/// the result is the same on any number of threads.
const ROW_BLOCK: usize = 128;

fn accum(add: bool) -> Accum {
    if add {
        Accum::Add
    } else {
        Accum::Replace
    }
}

/// Rows per block of a parallel product whose result has at most [`ROW_BLOCK`] rows (a
/// weight gradient, layer width × fan-in): still a fixed function of the shape.
const SMALL_ROW_BLOCK: usize = 32;

/// dst (+)= lhs · rhs, the shapes taken from the operands; large products in parallel,
/// by blocks of [`ROW_BLOCK`] rows of dst ([`SMALL_ROW_BLOCK`] when dst has at most
/// [`ROW_BLOCK`] rows). Leaves the vector registers clean for the activations' scalar
/// maths ([`clear_upper_state`]).
fn product(dst: &mut [f64], add: bool, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>) {
    let (m, k, n) = (lhs.nrows(), lhs.ncols(), rhs.ncols());
    let dst = &mut dst[..m * n];
    let block = if m <= ROW_BLOCK {
        SMALL_ROW_BLOCK
    } else {
        ROW_BLOCK
    };
    if m.saturating_mul(n).saturating_mul(k) < PARALLEL_WORK || m <= block || n == 0 {
        matmul(rows_mut(dst, m, n), accum(add), lhs, rhs, 1.0, Par::Seq);
        clear_upper_state();
        return;
    }
    dst.par_chunks_mut(block * n)
        .enumerate()
        .for_each(|(index, dst)| {
            let rows_here = dst.len() / n;
            let lhs = lhs.subrows(index * block, rows_here);
            matmul(
                rows_mut(dst, rows_here, n),
                accum(add),
                lhs,
                rhs,
                1.0,
                Par::Seq,
            );
            clear_upper_state();
        });
}

/// dst (N × n) (+)= A (N × n_in) · Wᵀ (W: n × n_in).
fn times_wt(dst: &mut [f64], add: bool, a: &[f64], w: &[f64], n_s: usize, n: usize, n_in: usize) {
    product(dst, add, rows(a, n_s, n_in), rows(w, n, n_in).transpose());
}

/// dst (N × n_in) (+)= D (N × n) · W (n × n_in).
fn times_w(dst: &mut [f64], add: bool, d: &[f64], w: &[f64], n_s: usize, n: usize, n_in: usize) {
    product(dst, add, rows(d, n_s, n), rows(w, n, n_in));
}

/// dst (n × n_in) (+)= Dᵀ (n × N) · A (N × n_in).
fn outer(dst: &mut [f64], add: bool, d: &[f64], a: &[f64], n_s: usize, n: usize, n_in: usize) {
    product(dst, add, rows(d, n_s, n).transpose(), rows(a, n_s, n_in));
}

/// dst[j] (+)= Σᵢ m[i, j] (column sums of N × n).
fn column_sums(dst: &mut [f64], add: bool, m: &[f64], n: usize) {
    if !add {
        dst.fill(0.0);
    }
    for row in m.chunks_exact(n) {
        dst.iter_mut().zip(row).for_each(|(d, v)| *d += v);
    }
}

/// Σᵢ a[i, j]·b[i, j] per column j, added to dst.
fn column_dots(dst: &mut [f64], a: &[f64], b: &[f64], n: usize) {
    for (ra, rb) in a.chunks_exact(n).zip(b.chunks_exact(n)) {
        for ((d, x), y) in dst.iter_mut().zip(ra).zip(rb) {
            *d += x * y;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Architecture {
    /// The effective W of layer l (1-based) at θ: θ's block, or gᵢvᵢ/‖vᵢ‖ built in
    /// `reparametrised` (the workspace's `w`).
    fn weights<'a>(&self, l: usize, theta: &'a [f64], reparametrised: &'a [Vec<f64>]) -> &'a [f64] {
        let p = &self.layers[l - 1];
        if p.g.is_some() {
            &reparametrised[l - 1]
        } else {
            &theta[p.w..p.w + self.dims[l] * self.dims[l - 1]]
        }
    }

    /// Builds W = diag(g/‖v‖)·v for the weight-normalised layers (and Ẇ along `dir`).
    fn reparametrise(&self, theta: &[f64], dir: Option<&[f64]>, ws: &mut Workspace) {
        let layers = self.dims.len() - 1;
        ws.w.resize_with(layers, Vec::new);
        ws.v_norm.resize_with(layers, Vec::new);
        ws.w_dot.resize_with(layers, Vec::new);
        for l in 1..=layers {
            let p = &self.layers[l - 1];
            let Some(g_at) = p.g else { continue };
            let (n, n_in) = (self.dims[l], self.dims[l - 1]);
            let v = &theta[p.w..p.w + n * n_in];
            let g = &theta[g_at..g_at + n];
            let w = sized(&mut ws.w[l - 1], n * n_in);
            let norms = sized(&mut ws.v_norm[l - 1], n);
            for i in 0..n {
                let vi = &v[i * n_in..(i + 1) * n_in];
                let nv = dot(vi, vi).sqrt();
                norms[i] = nv;
                let scale = if nv > 0.0 { g[i] / nv } else { 0.0 };
                w[i * n_in..(i + 1) * n_in]
                    .iter_mut()
                    .zip(vi)
                    .for_each(|(wij, vij)| *wij = scale * vij);
            }
            if let Some(dir) = dir {
                let dv = &dir[p.w..p.w + n * n_in];
                let dg = &dir[g_at..g_at + n];
                let wd = sized(&mut ws.w_dot[l - 1], n * n_in);
                for i in 0..n {
                    let nv = norms[i];
                    let row = i * n_in..(i + 1) * n_in;
                    if nv == 0.0 {
                        wd[row].fill(0.0);
                        continue;
                    }
                    let (vi, dvi) = (&v[row.clone()], &dv[row.clone()]);
                    let along = dot(vi, dvi) / (nv * nv);
                    for ((wdj, vj), dvj) in wd[row].iter_mut().zip(vi).zip(dvi) {
                        // Ẇᵢ = ġᵢ v̂ᵢ + (gᵢ/‖vᵢ‖)(v̇ᵢ − (v̂ᵢ·v̇ᵢ) v̂ᵢ)
                        *wdj = dg[i] * vj / nv + g[i] / nv * (dvj - along * vj);
                    }
                }
            }
        }
    }

    /// The forward pass on `n_s` samples `x` (N × n₀), with the tangent pass along `dir`
    /// when given. Leaves ŷ in `ws.out` (and ŷ̇ in `ws.out_dot`). With `frozen`, batch
    /// normalisation uses those per-feature statistics instead of the batch's (inference;
    /// no tangent).
    pub fn forward(
        &self,
        theta: &[f64],
        dir: Option<&[f64]>,
        x: &[f64],
        n_s: usize,
        ws: &mut Workspace,
        frozen: Option<&BatchStatistics>,
    ) {
        let hidden = self.hidden();
        for buffers in [
            &mut ws.z,
            &mut ws.zhat,
            &mut ws.inv_s,
            &mut ws.means,
            &mut ws.u,
            &mut ws.a,
            &mut ws.z_dot,
            &mut ws.zhat_dot,
            &mut ws.u_dot,
            &mut ws.a_dot,
        ] {
            buffers.resize_with(hidden, Vec::new);
        }
        self.reparametrise(theta, dir, ws);
        let tangent = dir.is_some();
        for l in 1..=hidden + 1 {
            let (n, n_in) = (self.dims[l], self.dims[l - 1]);
            let p = &self.layers[l - 1];
            // Z = A₋ Wᵀ + 1bᵀ, and Ż = Ȧ₋ Wᵀ + A₋ Ẇᵀ + 1ḃᵀ.
            let mut z = std::mem::take(if l <= hidden {
                &mut ws.z[l - 1]
            } else {
                &mut ws.out
            });
            let mut z_dot = std::mem::take(if l <= hidden {
                &mut ws.z_dot[l - 1]
            } else {
                &mut ws.out_dot
            });
            {
                let a_prev: &[f64] = if l == 1 { x } else { &ws.a[l - 2] };
                let w = self.weights(l, theta, &ws.w);
                let zs = sized(&mut z, n_s * n);
                times_wt(zs, false, a_prev, w, n_s, n, n_in);
                if let Some(b) = p.b {
                    let b = &theta[b..b + n];
                    zs.chunks_exact_mut(n)
                        .for_each(|row| row.iter_mut().zip(b).for_each(|(z, b)| *z += b));
                }
                if let Some(dir) = dir {
                    let zd = sized(&mut z_dot, n_s * n);
                    let w_dot: &[f64] = if p.g.is_some() {
                        &ws.w_dot[l - 1]
                    } else {
                        &dir[p.w..p.w + n * n_in]
                    };
                    times_wt(zd, false, a_prev, w_dot, n_s, n, n_in);
                    if l > 1 {
                        times_wt(zd, true, &ws.a_dot[l - 2], w, n_s, n, n_in);
                    }
                    if let Some(b) = p.b {
                        let b = &dir[b..b + n];
                        zd.chunks_exact_mut(n)
                            .for_each(|row| row.iter_mut().zip(b).for_each(|(z, b)| *z += b));
                    }
                }
            }
            if l > hidden {
                ws.out = z;
                ws.out_dot = z_dot;
                break;
            }
            // U = γ⊙Ẑ + β (standardising norms) or Z; A = φ(U).
            let norm = self.norm(l);
            let len = n_s * n;
            let mut u = std::mem::take(&mut ws.u[l - 1]);
            let mut u_dot = std::mem::take(&mut ws.u_dot[l - 1]);
            let us = sized(&mut u, len);
            if norm.standardises() {
                let groups = norm.group_count(n_s, n);
                let zhat = sized(&mut ws.zhat[l - 1], len);
                let inv_s = sized(&mut ws.inv_s[l - 1], groups);
                let means = sized(&mut ws.means[l - 1], groups);
                match frozen.and_then(|f| f.layers[l - 1].as_ref()) {
                    Some((mu, inv)) if norm == Norm::Batch => {
                        means.copy_from_slice(mu);
                        inv_s.copy_from_slice(inv);
                        norm::standardise_with(n, &z[..len], mu, inv, zhat);
                    }
                    _ => norm::standardise(norm, self.eps, n_s, n, &z[..len], zhat, means, inv_s),
                }
                let gamma = &theta[p.gamma.unwrap()..p.gamma.unwrap() + n];
                let beta = &theta[p.beta.unwrap()..p.beta.unwrap() + n];
                for (ur, zr) in us.chunks_exact_mut(n).zip(zhat.chunks_exact(n)) {
                    for j in 0..n {
                        ur[j] = gamma[j] * zr[j] + beta[j];
                    }
                }
                if let Some(dir) = dir {
                    let zhat_dot = sized(&mut ws.zhat_dot[l - 1], len);
                    norm::jacobian(norm, n_s, n, zhat, inv_s, &z_dot[..len], zhat_dot);
                    let g_dot = &dir[p.gamma.unwrap()..p.gamma.unwrap() + n];
                    let b_dot = &dir[p.beta.unwrap()..p.beta.unwrap() + n];
                    let ud = sized(&mut u_dot, len);
                    for ((ur, zr), zdr) in ud
                        .chunks_exact_mut(n)
                        .zip(zhat.chunks_exact(n))
                        .zip(zhat_dot.chunks_exact(n))
                    {
                        for j in 0..n {
                            ur[j] = g_dot[j] * zr[j] + gamma[j] * zdr[j] + b_dot[j];
                        }
                    }
                }
            } else {
                us.copy_from_slice(&z[..len]);
                if tangent {
                    sized(&mut u_dot, len).copy_from_slice(&z_dot[..len]);
                }
            }
            // U′ = S ⊙ U + M (and U̇′ = S ⊙ U̇) where noise is set.
            if let Some((s, m)) = ws.noise.as_ref().and_then(|nz| nz.layer(l, len)) {
                for ((u, s), m) in us.iter_mut().zip(s).zip(m) {
                    *u = s * *u + m;
                }
                if tangent {
                    u_dot[..len].iter_mut().zip(s).for_each(|(u, s)| *u *= s);
                }
            }
            let phi = self.activations[l - 1];
            let a = sized(&mut ws.a[l - 1], len);
            a.iter_mut()
                .zip(us.iter())
                .for_each(|(a, &u)| *a = phi.value(u));
            if tangent {
                let ad = sized(&mut ws.a_dot[l - 1], len);
                for ((ad, &u), &ud) in ad.iter_mut().zip(us.iter()).zip(&u_dot[..len]) {
                    *ad = phi.derivatives(u).0 * ud;
                }
            }
            ws.z[l - 1] = z;
            ws.z_dot[l - 1] = z_dot;
            ws.u[l - 1] = u;
            ws.u_dot[l - 1] = u_dot;
        }
    }

    /// The loss of `ws.out` against `y` (N × q) without the l2 term; writes ∂f/∂ŷ into
    /// `ws.e` (and its tangent into `ws.e_dot` when `tangent`).
    pub fn loss(&self, y: &[f64], n_s: usize, tangent: bool, ws: &mut Workspace) -> f64 {
        let q = *self.dims.last().unwrap();
        let len = n_s * q;
        let inv_n = 1.0 / n_s as f64;
        let e = sized(&mut ws.e, len);
        let out = &ws.out[..len];
        let mut total = 0.0;
        match self.loss {
            Loss::Squared => {
                for ((e, o), t) in e.iter_mut().zip(out).zip(&y[..len]) {
                    let r = o - t;
                    total += r * r;
                    *e = r * inv_n;
                }
                total *= 0.5 * inv_n;
                if tangent {
                    let ed = sized(&mut ws.e_dot, len);
                    ed.iter_mut()
                        .zip(&ws.out_dot[..len])
                        .for_each(|(e, o)| *e = o * inv_n);
                }
            }
            Loss::CrossEntropy => {
                for ((er, or), tr) in e
                    .chunks_exact_mut(q)
                    .zip(out.chunks_exact(q))
                    .zip(y[..len].chunks_exact(q))
                {
                    let max = or.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let sum: f64 = or.iter().map(|o| (o - max).exp()).sum();
                    let lse = max + sum.ln();
                    let mass: f64 = tr.iter().sum();
                    total += mass * lse - dot(tr, or);
                    for k in 0..q {
                        er[k] = (mass * (or[k] - lse).exp() - tr[k]) * inv_n;
                    }
                }
                total *= inv_n;
                if tangent {
                    let ed = sized(&mut ws.e_dot, len);
                    for (((edr, or), odr), tr) in ed
                        .chunks_exact_mut(q)
                        .zip(out.chunks_exact(q))
                        .zip(ws.out_dot[..len].chunks_exact(q))
                        .zip(y[..len].chunks_exact(q))
                    {
                        // (Σy)(diag p − ppᵀ)ŷ̇
                        let max = or.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let sum: f64 = or.iter().map(|o| (o - max).exp()).sum();
                        let mass: f64 = tr.iter().sum();
                        let pd: f64 = or
                            .iter()
                            .zip(odr)
                            .map(|(o, d)| (o - max).exp() / sum * d)
                            .sum();
                        for k in 0..q {
                            let p = (or[k] - max).exp() / sum;
                            edr[k] = mass * p * (odr[k] - pd) * inv_n;
                        }
                    }
                }
            }
        }
        total
    }

    /// Backpropagation after [`forward`](Self::forward) and [`loss`](Self::loss): writes
    /// ∇f into `out` when `dir` is None, and ∇²f·dir (the R-operator) when it is Some
    /// (then the forward pass must have run with the same `dir`). Adds the l2 term.
    pub fn backward(
        &self,
        theta: &[f64],
        dir: Option<&[f64]>,
        x: &[f64],
        n_s: usize,
        ws: &mut Workspace,
        out: &mut [f64],
    ) {
        let hidden = self.hidden();
        let q = self.dims[hidden + 1];
        ws.d_a_norms.resize(hidden, 0.0);
        // Start from ∂f/∂ŷ (and its tangent) as "∂f/∂Z" of the output layer.
        let mut d_z = std::mem::take(&mut ws.d_z);
        let mut dd_z = std::mem::take(&mut ws.dd_z);
        sized(&mut d_z, n_s * q).copy_from_slice(&ws.e[..n_s * q]);
        if dir.is_some() {
            sized(&mut dd_z, n_s * q).copy_from_slice(&ws.e_dot[..n_s * q]);
        }
        for l in (1..=hidden + 1).rev() {
            let (n, n_in) = (self.dims[l], self.dims[l - 1]);
            let p = &self.layers[l - 1];
            let len = n_s * n;
            if l <= hidden {
                // ∂f/∂U = ∂f/∂A ⊙ φ′(U); tangent Ḋ_A ⊙ φ′ + D_A ⊙ φ″ ⊙ U̇.
                let phi = self.activations[l - 1];
                let u = &ws.u[l - 1][..len];
                let d_a = &ws.d_a[..len];
                ws.d_a_norms[l - 1] = dot(d_a, d_a).sqrt();
                let d_u = sized(&mut ws.d_u, len);
                let dd_u = if dir.is_some() {
                    Some(sized(&mut ws.dd_u, len))
                } else {
                    None
                };
                match dd_u {
                    None => {
                        for ((du, &da), &u) in d_u.iter_mut().zip(d_a).zip(u) {
                            *du = da * phi.derivatives(u).0;
                        }
                    }
                    Some(dd_u) => {
                        let dd_a = &ws.dd_a[..len];
                        let u_dot = &ws.u_dot[l - 1][..len];
                        for i in 0..len {
                            let (d1, d2) = phi.derivatives(u[i]);
                            d_u[i] = d_a[i] * d1;
                            dd_u[i] = dd_a[i] * d1 + d_a[i] * d2 * u_dot[i];
                        }
                    }
                }
                // Through the noise: ∂f/∂U = S ⊙ ∂f/∂U′ (S is a constant of the pass).
                if let Some((s, _)) = ws.noise.as_ref().and_then(|nz| nz.layer(l, len)) {
                    ws.d_u[..len].iter_mut().zip(s).for_each(|(d, s)| *d *= s);
                    if dir.is_some() {
                        ws.dd_u[..len].iter_mut().zip(s).for_each(|(d, s)| *d *= s);
                    }
                }
                let norm = self.norm(l);
                if norm.standardises() {
                    let (gi, bi) = (p.gamma.unwrap(), p.beta.unwrap());
                    let gamma = &theta[gi..gi + n];
                    let zhat = &ws.zhat[l - 1][..len];
                    // This pass's groups only: the buffer may hold a larger batch's.
                    let inv_s = &ws.inv_s[l - 1][..norm.group_count(n_s, n)];
                    let d_zhat = sized(&mut ws.d_zhat, len);
                    for (dr, ur) in d_zhat
                        .chunks_exact_mut(n)
                        .zip(ws.d_u[..len].chunks_exact(n))
                    {
                        dr.iter_mut()
                            .zip(ur)
                            .zip(gamma)
                            .for_each(|((d, u), g)| *d = u * g);
                    }
                    let dz = sized(&mut d_z, len);
                    norm::jacobian(norm, n_s, n, zhat, inv_s, d_zhat, dz);
                    match dir {
                        None => {
                            // ∂f/∂γ = Σ ∂f/∂U ⊙ Ẑ, ∂f/∂β = Σ ∂f/∂U.
                            let og = &mut out[gi..gi + n];
                            og.fill(0.0);
                            column_dots(og, &ws.d_u[..len], zhat, n);
                            column_sums(&mut out[bi..bi + n], false, &ws.d_u[..len], n);
                        }
                        Some(dir) => {
                            let g_dot = &dir[gi..gi + n];
                            let zhat_dot = &ws.zhat_dot[l - 1][..len];
                            // R{∂f/∂γ} = Σ Ḋ_U ⊙ Ẑ + D_U ⊙ Ẑ̇, R{∂f/∂β} = Σ Ḋ_U.
                            let og = &mut out[gi..gi + n];
                            og.fill(0.0);
                            column_dots(og, &ws.dd_u[..len], zhat, n);
                            column_dots(og, &ws.d_u[..len], zhat_dot, n);
                            column_sums(&mut out[bi..bi + n], false, &ws.dd_u[..len], n);
                            // Ḋ_Ẑ = Ḋ_U ⊙ γ + D_U ⊙ γ̇.
                            let dd_zhat = sized(&mut ws.dd_zhat, len);
                            for (dr, (ur, udr)) in dd_zhat.chunks_exact_mut(n).zip(
                                ws.d_u[..len]
                                    .chunks_exact(n)
                                    .zip(ws.dd_u[..len].chunks_exact(n)),
                            ) {
                                for j in 0..n {
                                    dr[j] = udr[j] * gamma[j] + ur[j] * g_dot[j];
                                }
                            }
                            let tangent = Tangent {
                                z: &ws.z_dot[l - 1][..len],
                                zhat: zhat_dot,
                            };
                            let ddz = sized(&mut dd_z, len);
                            norm::jacobian_tangent(
                                norm,
                                n_s,
                                n,
                                zhat,
                                inv_s,
                                &ws.d_zhat[..len],
                                &d_z[..len],
                                &tangent,
                                &ws.dd_zhat[..len],
                                ddz,
                            );
                        }
                    }
                } else {
                    sized(&mut d_z, len).copy_from_slice(&ws.d_u[..len]);
                    if dir.is_some() {
                        sized(&mut dd_z, len).copy_from_slice(&ws.dd_u[..len]);
                    }
                }
            }
            // Weight and bias blocks, then ∂f/∂A of the layer below.
            let a_prev: &[f64] = if l == 1 {
                x
            } else {
                &ws.a[l - 2][..n_s * n_in]
            };
            let w = self.weights(l, theta, &ws.w);
            let wn = p.g.is_some();
            match dir {
                None => {
                    let gw: &mut [f64] = if wn {
                        sized(&mut ws.g_w, n * n_in)
                    } else {
                        &mut out[p.w..p.w + n * n_in]
                    };
                    outer(gw, false, &d_z[..len], a_prev, n_s, n, n_in);
                    if let Some(b) = p.b {
                        column_sums(&mut out[b..b + n], false, &d_z[..len], n);
                    }
                    if wn {
                        self.weight_norm_gradient(l, theta, None, ws, out);
                    }
                    if l > 1 {
                        let d_a = sized(&mut ws.d_a_next, n_s * n_in);
                        times_w(d_a, false, &d_z[..len], w, n_s, n, n_in);
                        std::mem::swap(&mut ws.d_a, &mut ws.d_a_next);
                    }
                }
                Some(dir) => {
                    let w_dot: &[f64] = if wn {
                        &ws.w_dot[l - 1]
                    } else {
                        &dir[p.w..p.w + n * n_in]
                    };
                    // R{∂f/∂W} = Ḋ_Zᵀ A₋ + D_Zᵀ Ȧ₋ (Ȧ₀ = 0).
                    let mut gw_dot = std::mem::take(&mut ws.dd_a_next);
                    {
                        let gd = sized(&mut gw_dot, n * n_in);
                        outer(gd, false, &dd_z[..len], a_prev, n_s, n, n_in);
                        if l > 1 {
                            outer(
                                gd,
                                true,
                                &d_z[..len],
                                &ws.a_dot[l - 2][..n_s * n_in],
                                n_s,
                                n,
                                n_in,
                            );
                        }
                    }
                    if let Some(b) = p.b {
                        column_sums(&mut out[b..b + n], false, &dd_z[..len], n);
                    }
                    if wn {
                        let gw = sized(&mut ws.g_w, n * n_in);
                        outer(gw, false, &d_z[..len], a_prev, n_s, n, n_in);
                        self.weight_norm_gradient(
                            l,
                            theta,
                            Some((dir, &gw_dot[..n * n_in])),
                            ws,
                            out,
                        );
                    } else {
                        out[p.w..p.w + n * n_in].copy_from_slice(&gw_dot[..n * n_in]);
                    }
                    ws.dd_a_next = gw_dot;
                    if l > 1 {
                        // ∂f/∂A₋ = D_Z W; tangent Ḋ_Z W + D_Z Ẇ.
                        let d_a = sized(&mut ws.d_a_next, n_s * n_in);
                        times_w(d_a, false, &d_z[..len], w, n_s, n, n_in);
                        std::mem::swap(&mut ws.d_a, &mut ws.d_a_next);
                        let dd_a = sized(&mut ws.dd_a_next, n_s * n_in);
                        times_w(dd_a, false, &dd_z[..len], w, n_s, n, n_in);
                        times_w(dd_a, true, &d_z[..len], w_dot, n_s, n, n_in);
                        std::mem::swap(&mut ws.dd_a, &mut ws.dd_a_next);
                    }
                }
            }
        }
        ws.d_z = d_z;
        ws.dd_z = dd_z;
        let source = dir.unwrap_or(theta);
        if self.l2 != 0.0 {
            out.iter_mut()
                .zip(source)
                .for_each(|(o, t)| *o += self.l2 * t);
        }
    }

    /// The (g, v) blocks of a weight-normalised layer from G = ∂f/∂W in `ws.g_w`:
    /// ∂f/∂gᵢ = Gᵢ·v̂ᵢ, ∂f/∂vᵢ = (gᵢ/‖vᵢ‖)(Gᵢ − (Gᵢ·v̂ᵢ)v̂ᵢ); with `hvp` = (dir, Ġ) their
    /// R-derivatives (parent module doc).
    fn weight_norm_gradient(
        &self,
        l: usize,
        theta: &[f64],
        hvp: Option<(&[f64], &[f64])>,
        ws: &Workspace,
        out: &mut [f64],
    ) {
        let p = &self.layers[l - 1];
        let g_at = p.g.unwrap();
        let (n, n_in) = (self.dims[l], self.dims[l - 1]);
        let v = &theta[p.w..p.w + n * n_in];
        let g = &theta[g_at..g_at + n];
        let norms = &ws.v_norm[l - 1];
        let big_g = &ws.g_w[..n * n_in];
        for i in 0..n {
            let row = i * n_in..(i + 1) * n_in;
            let nv = norms[i];
            if nv == 0.0 {
                out[g_at + i] = 0.0;
                out[p.w + row.start..p.w + row.end].fill(0.0);
                continue;
            }
            let (vi, gi) = (&v[row.clone()], &big_g[row.clone()]);
            let gv = dot(gi, vi) / nv; // Gᵢ·v̂ᵢ
            match hvp {
                None => {
                    out[g_at + i] = gv;
                    let s = g[i] / nv;
                    for ((o, gij), vij) in out[p.w + row.start..p.w + row.end]
                        .iter_mut()
                        .zip(gi)
                        .zip(vi)
                    {
                        *o = s * (gij - gv * vij / nv);
                    }
                }
                Some((dir, g_dot)) => {
                    let (dvi, gdi) = (&dir[p.w + row.start..p.w + row.end], &g_dot[row.clone()]);
                    let dg = dir[g_at + i];
                    let along = dot(vi, dvi) / nv; // v̂ᵢ·v̇ᵢ
                                                   // v̂̇ = (v̇ − (v̂·v̇)v̂)/‖v‖; G·v̂̇ and Ġ·v̂.
                    let g_vhat_dot = (dot(gi, dvi) - along * gv) / nv;
                    let gd_v = dot(gdi, vi) / nv;
                    out[g_at + i] = gd_v + g_vhat_dot;
                    let coef = dg / nv - g[i] * along / (nv * nv);
                    let s = g[i] / nv;
                    for j in 0..n_in {
                        let vhat = vi[j] / nv;
                        let vhat_dot = (dvi[j] - along * vhat) / nv;
                        out[p.w + row.start + j] = coef * (gi[j] - gv * vhat)
                            + s * (gdi[j] - (gd_v + g_vhat_dot) * vhat - gv * vhat_dot);
                    }
                }
            }
        }
    }
}
