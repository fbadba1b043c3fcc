//! Matrix-free Lanczos for the k smallest and k largest eigenpairs of a symmetric
//! operator on its domain (the reduced Hessian, or any [`SymmetricOperator`]), with full
//! reorthogonalisation and thick restarts.
//!
//! The basis V = [v₁ … v_m] is kept orthonormal by classical Gram–Schmidt (full
//! reorthogonalisation), each vᵢ projected on the domain, and W = H V is stored
//! alongside. The first pass's coefficients Vᵀ(H v_m) are the last column of T,
//! already computed; the pass subtracts them and, in the same sweep over V, computes the
//! second pass's coefficients and the new norm. The second pass runs only when the first
//! lost more than a factor [`REORTHOGONALISE`] of the norm ("twice is enough": Daniel,
//! Gragg, Kaufman & Stewart 1976; Parlett, ch. 6). Sums run over fixed chunks of
//! coordinates, added in chunk order, so results do not depend on the thread count. Rayleigh–Ritz on T = Vᵀ H V (symmetrised) gives Ritz pairs
//! (θ, y = V s) whose residuals ‖H y − θ y‖ = ‖W s − θ V s‖ are exact and need no HVP.
//! When the basis reaches its maximum size, it is thick-restarted (Wu & Simon 2000) on
//! the Ritz vectors of both ends and the Krylov expansion continues from the last
//! residual direction, which is orthogonal to every Ritz vector. On breakdown (an
//! invariant subspace) a fresh seeded random direction is added. The run stops when every
//! wanted pair has ‖Hy − θy‖ ≤ tol·‖H‖ (‖H‖ estimated by the largest |θ|), when the
//! basis spans the whole domain (then every eigenvalue is known), or at
//! `max_hvps`. The reported residuals are recomputed with one HVP per pair.

use nalgebra::DMatrix;
use rayon::prelude::*;

use super::{Eigenpair, Method, Spectrum, SpectrumOptions};
use crate::error::Result;
use crate::linalg::{axpy, dot_lanes, norm, symmetric_eigen, SymmetricOperator};
use crate::random::{gaussian_vector, stream};

/// Extra Ritz vectors kept at each end on restart, beyond the k wanted.
const KEEP_EXTRA: usize = 4;
/// Krylov steps added after each restart, beyond the kept vectors.
const EXPANSION: usize = 24;
/// Chunk of coordinates per parallel task in the vector updates.
const CHUNK: usize = 4096;
/// Chunk of coordinates per parallel task in the fused subtract-and-measure sweep (the
/// basis's slices of one chunk stay in cache between the update and the dot products).
const FUSED_CHUNK: usize = 1024;
/// A second Gram–Schmidt pass runs when the first left less than this fraction of the
/// norm (1/√2, the classical choice).
const REORTHOGONALISE: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// A new direction whose orthogonalised norm is below this fraction of its norm lies
/// (numerically) in the span of the basis.
const BREAKDOWN: f64 = 1e-10;

/// The growing orthonormal basis V of the domain, W = H V, and T = Vᵀ H V.
struct Krylov {
    v: Vec<Vec<f64>>,
    w: Vec<Vec<f64>>,
    t: Vec<Vec<f64>>,
    hvps: usize,
}

/// Ritz values ascending, with the coefficient vectors s (y = V s) as columns, and the
/// residuals of the wanted pairs (in the order of [`wanted_indices`]).
struct Ritz {
    values: Vec<f64>,
    coefficients: DMatrix<f64>,
    residuals: Vec<f64>,
}

/// The k smallest and k largest eigenpairs by restarted Lanczos.
pub(super) fn spectrum(space: &dyn SymmetricOperator, opts: &SpectrumOptions) -> Result<Spectrum> {
    let n = space.domain_dim();
    let d = space.dim();
    let k = opts.k.min(n);
    let keep_end = (k + KEEP_EXTRA).min(n);
    let max_basis = (2 * keep_end + EXPANSION).min(n);
    let mut krylov = Krylov {
        v: Vec::new(),
        w: Vec::new(),
        t: Vec::new(),
        hvps: 0,
    };
    let mut fresh = 0u64;
    let mut next = (n > 0).then(|| random_direction(space, opts.seed, &mut fresh, &[]));
    let mut ritz = None;
    let mut converged = n == 0;
    while let Some(v) = next.take() {
        krylov.push(space, v);
        let size = krylov.v.len();
        let mut candidate = krylov.next_direction(space);
        if candidate.is_none() && size < n {
            candidate = random_direction_checked(space, opts.seed, &mut fresh, &krylov.v);
        }
        let full = size == max_basis || size == n || candidate.is_none();
        let capped = krylov.hvps + 2 * k >= opts.max_hvps;
        if !(full || capped) {
            next = candidate;
            continue;
        }
        let current = rayleigh_ritz(&krylov, k)?;
        let norm = current.values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        converged = size == n
            || candidate.is_none()
            || current.residuals.iter().all(|r| *r <= opts.tol * norm);
        if converged || capped {
            ritz = Some(current);
            break;
        }
        if size == max_basis {
            krylov.restart(&current, keep_end, d);
        }
        ritz = Some(current);
        next = candidate;
    }
    Ok(report(space, &krylov, ritz, k, converged, opts))
}

impl Krylov {
    /// Appends the unit vector v (in the domain): one HVP and a new column of T.
    fn push(&mut self, space: &dyn SymmetricOperator, v: Vec<f64>) {
        let mut hv = vec![0.0; v.len()];
        space.apply(&v, &mut hv);
        self.hvps += 1;
        // One dot per basis vector, in parallel (each dot is serial: thread-independent).
        let column: Vec<f64> = self.v.par_iter().map(|u| dot_lanes(u, &hv)).collect();
        let diagonal = dot_lanes(&v, &hv);
        for (row, value) in self.t.iter_mut().zip(&column) {
            row.push(*value);
        }
        let mut row = column;
        row.push(diagonal);
        self.t.push(row);
        self.v.push(v);
        self.w.push(hv);
    }

    /// The next Krylov direction: H v_last orthogonalised against V, or `None` on
    /// breakdown.
    fn next_direction(&self, space: &dyn SymmetricOperator) -> Option<Vec<f64>> {
        // W = P H V already lies in the domain, and Vᵀ(H v_m) is T's last row.
        let mut r = self.w.last().expect("non-empty basis").clone();
        let coefficients = self.t.last().expect("non-empty basis").clone();
        orthonormalise_with(space, &mut r, &self.v, coefficients).then_some(r)
    }

    /// Thick restart: keeps the `keep_end` lowest and highest Ritz vectors; T becomes
    /// diagonal with their Ritz values.
    fn restart(&mut self, ritz: &Ritz, keep_end: usize, d: usize) {
        let m = ritz.values.len();
        let mut keep: Vec<usize> = (0..keep_end.min(m)).collect();
        keep.extend((m.saturating_sub(keep_end)..m).filter(|i| *i >= keep_end));
        let combine = |basis: &[Vec<f64>]| -> Vec<Vec<f64>> {
            keep.par_iter()
                .map(|&c| {
                    let mut y = vec![0.0; d];
                    for (i, b) in basis.iter().enumerate() {
                        let s = ritz.coefficients[(i, c)];
                        axpy(s, b, &mut y);
                    }
                    y
                })
                .collect()
        };
        let v = combine(&self.v);
        let w = combine(&self.w);
        self.t = (0..keep.len())
            .map(|i| {
                let mut row = vec![0.0; keep.len()];
                row[i] = ritz.values[keep[i]];
                row
            })
            .collect();
        self.v = v;
        self.w = w;
    }
}

/// Rayleigh–Ritz on T, with the exact residuals ‖W s − θ V s‖ of the k lowest and k
/// highest Ritz pairs (in the order of [`wanted_indices`]).
fn rayleigh_ritz(krylov: &Krylov, k: usize) -> Result<Ritz> {
    let m = krylov.v.len();
    let mut t = DMatrix::from_fn(m, m, |i, j| krylov.t[i][j]);
    crate::linalg::symmetrise(&mut t);
    let (values, coefficients) = symmetric_eigen(&t)?;
    let d = krylov.v[0].len();
    let residuals = wanted_indices(m, k)
        .into_par_iter()
        .map(|c| {
            let mut r = vec![0.0; d];
            for i in 0..m {
                let s = coefficients[(i, c)];
                let theta_s = values[c] * s;
                r.iter_mut()
                    .zip(&krylov.w[i])
                    .zip(&krylov.v[i])
                    .for_each(|((r, w), v)| *r += s * w - theta_s * v);
            }
            norm(&r)
        })
        .collect();
    Ok(Ritz {
        values,
        coefficients,
        residuals,
    })
}

/// Indices (into ascending Ritz values) of the k lowest and k highest.
fn wanted_indices(m: usize, k: usize) -> Vec<usize> {
    let mut wanted: Vec<usize> = (0..k.min(m)).collect();
    wanted.extend((m.saturating_sub(k)..m).filter(|i| *i >= k));
    wanted
}

/// Projects r on the domain, removes its components along the orthonormal `basis`,
/// projects again and normalises it; false if nothing independent is left.
fn orthonormalise(space: &dyn SymmetricOperator, r: &mut [f64], basis: &[Vec<f64>]) -> bool {
    space.project(r);
    let coefficients: Vec<f64> = basis.par_iter().map(|b| dot_lanes(b, r)).collect();
    orthonormalise_with(space, r, basis, coefficients)
}

/// As [`orthonormalise`] for r already in the domain with `coefficients` = Vᵀr: one
/// Gram–Schmidt pass, a second only when the first lost more than a factor
/// [`REORTHOGONALISE`] of the norm.
fn orthonormalise_with(
    space: &dyn SymmetricOperator,
    r: &mut [f64],
    basis: &[Vec<f64>],
    coefficients: Vec<f64>,
) -> bool {
    let before = dot_lanes(r, r).sqrt();
    if before == 0.0 || !before.is_finite() {
        return false;
    }
    let (again, squared) = subtract_and_measure(basis, &coefficients, r);
    if squared.sqrt() < REORTHOGONALISE * before {
        subtract(basis, &again, r);
    }
    // Project again: rounding in the orthogonalisation would otherwise leave components
    // outside the domain that grow by ‖H‖/β per step.
    space.project(r);
    let after = dot_lanes(r, r).sqrt();
    if after <= BREAKDOWN * before {
        return false;
    }
    r.iter_mut().for_each(|x| *x /= after);
    true
}

/// r ← r − Σ sᵢ bᵢ, by chunks of coordinates in parallel.
fn subtract(basis: &[Vec<f64>], coefficients: &[f64], r: &mut [f64]) {
    r.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
        let start = c * CHUNK;
        for (b, s) in basis.iter().zip(coefficients) {
            let b = &b[start..start + chunk.len()];
            chunk.iter_mut().zip(b).for_each(|(r, b)| *r -= s * b);
        }
    });
}

/// r ← r − Σ sᵢ bᵢ, returning (bᵢᵀr)ᵢ and ‖r‖² of the result, in one sweep over the
/// basis: per chunk of [`FUSED_CHUNK`] coordinates the update, then the partial dot
/// products of that chunk (in parallel over chunks), the partials added in chunk order.
fn subtract_and_measure(
    basis: &[Vec<f64>],
    coefficients: &[f64],
    r: &mut [f64],
) -> (Vec<f64>, f64) {
    let m = basis.len();
    let chunks = r.len().div_ceil(FUSED_CHUNK);
    let mut partials = vec![0.0; chunks * (m + 1)];
    r.par_chunks_mut(FUSED_CHUNK)
        .zip(partials.par_chunks_mut(m + 1))
        .enumerate()
        .for_each(|(c, (chunk, partial))| {
            let range = c * FUSED_CHUNK..c * FUSED_CHUNK + chunk.len();
            for (b, s) in basis.iter().zip(coefficients) {
                chunk
                    .iter_mut()
                    .zip(&b[range.clone()])
                    .for_each(|(r, b)| *r -= s * b);
            }
            for (p, b) in partial.iter_mut().zip(basis) {
                *p = dot_lanes(&b[range.clone()], chunk);
            }
            partial[m] = dot_lanes(chunk, chunk);
        });
    let mut sums = vec![0.0; m + 1];
    for partial in partials.chunks_exact(m + 1) {
        sums.iter_mut().zip(partial).for_each(|(s, p)| *s += p);
    }
    let squared = sums.pop().expect("the norm's slot");
    (sums, squared)
}

/// A seeded random unit direction in the domain, orthogonal to `basis`
/// (stream `fresh` of the seed; tries a few streams).
fn random_direction(
    space: &dyn SymmetricOperator,
    seed: u64,
    fresh: &mut u64,
    basis: &[Vec<f64>],
) -> Vec<f64> {
    random_direction_checked(space, seed, fresh, basis)
        .expect("a random direction has a component in a non-empty domain")
}

/// As [`random_direction`], `None` when three draws fall in the span of the basis.
fn random_direction_checked(
    space: &dyn SymmetricOperator,
    seed: u64,
    fresh: &mut u64,
    basis: &[Vec<f64>],
) -> Option<Vec<f64>> {
    for _ in 0..3 {
        let mut r = gaussian_vector(&mut stream(seed, *fresh), space.dim());
        *fresh += 1;
        if orthonormalise(space, &mut r, basis) {
            return Some(r);
        }
    }
    None
}

/// The spectrum from the last Rayleigh–Ritz, residuals recomputed with one HVP each.
fn report(
    space: &dyn SymmetricOperator,
    krylov: &Krylov,
    ritz: Option<Ritz>,
    k: usize,
    converged: bool,
    opts: &SpectrumOptions,
) -> Spectrum {
    let n = space.domain_dim();
    let d = space.dim();
    let (values, pairs, norm) = match ritz {
        None => (Vec::new(), Vec::new(), 0.0),
        Some(ritz) => {
            let m = ritz.values.len();
            let wanted = wanted_indices(m, k);
            let pairs: Vec<(usize, Eigenpair)> = wanted
                .par_iter()
                .map(|&c| {
                    let mut y = vec![0.0; d];
                    for (i, v) in krylov.v.iter().enumerate() {
                        let s = ritz.coefficients[(i, c)];
                        axpy(s, v, &mut y);
                    }
                    let mut hy = vec![0.0; d];
                    space.apply(&y, &mut hy);
                    let theta = ritz.values[c];
                    let residual = hy
                        .iter()
                        .zip(&y)
                        .map(|(h, y)| (h - theta * y).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    let pair = Eigenpair {
                        value: theta,
                        residual,
                        vector: opts.with_vectors.then_some(y),
                    };
                    (c, pair)
                })
                .collect();
            let norm = ritz.values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            (ritz.values, pairs, norm)
        }
    };
    let complete = krylov.v.len() == n && n > 0 || n == 0;
    let extra_hvps = pairs.len();
    let smallest: Vec<Eigenpair> = pairs.iter().take(k).map(|(_, p)| p.clone()).collect();
    let mut largest: Vec<Eigenpair> = pairs
        .iter()
        .filter(|(c, _)| *c + k >= values.len())
        .map(|(_, p)| p.clone())
        .collect();
    largest.reverse();
    let eigenvalues = if complete {
        values
    } else {
        pairs.iter().map(|(_, p)| p.value).collect()
    };
    Spectrum {
        method: Method::Lanczos,
        ambient_dim: d,
        reduced_dim: n,
        symmetry_modes: 0,
        symmetry_projected: false,
        eigenvalues,
        complete,
        smallest,
        largest,
        converged,
        hvp_count: krylov.hvps + extra_hvps,
        hessian_norm: norm,
    }
}
