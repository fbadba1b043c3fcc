//! Matrix-free Lanczos for the k smallest and k largest eigenpairs of a symmetric
//! operator on its domain (the reduced Hessian, or any [`SymmetricOperator`]): the
//! three-term recurrence with partial reorthogonalisation, thick-restarted when the basis
//! reaches its maximum size.
//!
//! **Recurrence.** From a seeded random unit q₀ in the domain, r_j = H q_j − α_j q_j −
//! β_{j−1} q_{j−1} with α_j = q_jᵀ(H q_j − β_{j−1} q_{j−1}), β_j = ‖r_j‖ and
//! q_{j+1} = r_j/β_j, r_j projected on the domain once, after the subtractions (the
//! operator's output is not projected before: P(Hq_j − …) = PHq_j − … for vectors in the
//! domain, and rounding would otherwise leave components outside it that grow by ‖H‖/β
//! per step). T_j = Q_jᵀ H Q_j is tridiagonal (α on the diagonal, β beside it); a step
//! costs one HVP, one projection and a few passes over two vectors, not a sweep over the
//! basis.
//!
//! **Partial reorthogonalisation** (Simon 1984, "The Lanczos algorithm with partial
//! reorthogonalization", Math. Comp. 42; Larsen's PROPACK). In floating point the q_j lose
//! orthogonality as Ritz values converge, and then ghost copies of converged eigenvalues
//! appear. The estimates ω_{j,k} ≈ q_jᵀq_k follow Simon's recurrence
//! β_j ω_{j+1,k} = β_k ω_{j,k+1} + (α_k − α_j) ω_{j,k} + β_{k−1} ω_{j,k−1} − β_{j−1} ω_{j−1,k}
//! ± ε₁(β_k + β_j), ω_{j+1,j} = ε₁‖H‖/β_j (ε₁ = ε√d, the sign taken to increase |ω|, so the
//! estimate is deterministic and pessimistic). When some |ω_{j+1,k}| exceeds
//! a level ω̄ = min(tol/100, √ε) (see [`SEMI_ORTHOGONAL_OF_TOL`]), r_j is
//! orthogonalised against the whole basis (classical Gram–Schmidt, a second pass only when
//! the first lost more than a factor [`REORTHOGONALISE`] of the norm: "twice is enough",
//! Daniel, Gragg, Kaufman & Stewart 1976), and so is the next vector (it inherits the loss
//! through the recurrence); the estimates restart at ε₁. The basis thus stays
//! semi-orthogonal (|q_jᵀq_k| ≤ √ε), and Simon's theorem says that then T_j equals, to
//! O(ε‖H‖), the matrix of H in an orthonormal basis of span(Q_j): the Ritz values are as
//! accurate as with full reorthogonalisation, without ghosts, at the cost of a sweep over
//! the basis only every so many steps.
//!
//! **Thick restart** (Wu & Simon 2000, "Thick-restart Lanczos method for large symmetric
//! eigenvalue problems", SIAM J. Matrix Anal. Appl. 22). When the basis reaches its
//! maximum size, the Ritz vectors y_i = Q s_i of the [`KEEP_EXTRA`] + k lowest and highest
//! Ritz values are kept and the recurrence continues from the pending q_{m+1}: then
//! H y_i = θ_i y_i + σ_i q_{m+1} with σ_i = β_m s_{m,i}, T becomes an arrowhead (θ on the
//! diagonal, σ in the first Lanczos vector's row and column) followed by the tridiagonal
//! part, and the first step after a restart subtracts Σ σ_i y_i in place of β q. Every
//! later vector is orthogonalised against the kept ones (a few vectors, so cheap), and the
//! ω-recurrence runs on the Lanczos vectors of the current cycle.
//!
//! **Convergence.** Every [`CHECK_EVERY`] steps Rayleigh–Ritz on T gives Ritz pairs
//! (θ, y = Q s) whose residual is β_m |s_m| (Paige); when every wanted pair's estimate is
//! ≤ tol·‖H‖ (‖H‖ estimated by the largest |θ|), the pairs are verified with one HVP each:
//! y normalised, its Rayleigh quotient yᵀHy as the eigenvalue and the true ‖Hy − (yᵀHy) y‖
//! as the residual (an eigenvalue of H lies within it). The run stops when the verified
//! residuals meet the tolerance (else it continues), when the basis spans the whole domain
//! (then every eigenvalue is known), or at `max_hvps`. A small β (below [`BREAKDOWN`]
//! ‖H q_j‖) is first orthogonalised against the whole basis; only if nothing independent
//! is left (an invariant subspace) does a fresh seeded random direction, orthogonalised
//! against the basis, continue the run with β = 0. Sums run in a fixed order (dot products serial, vector updates
//! elementwise over fixed chunks), so results do not depend on the thread count.

use nalgebra::DMatrix;
use rayon::prelude::*;

use super::{Eigenpair, Method, Spectrum, SpectrumOptions, Which};
use crate::error::Result;
use crate::linalg::{dot_lanes, symmetric_eigen, SymmetricOperator};
use crate::random::{gaussian_vector, stream};

/// Extra Ritz vectors kept at each end on restart, beyond the k wanted.
const KEEP_EXTRA: usize = 4;
/// Lanczos steps in a cycle between restarts, beyond the kept vectors.
const EXPANSION: usize = 100;
/// Steps between two Rayleigh–Ritz convergence checks.
const CHECK_EVERY: usize = 4;
/// Largest estimated |q_jᵀq_k| let through before a full reorthogonalisation, as a
/// fraction of the residual tolerance, and never above Simon's √ε. Simon's √ε keeps the
/// Ritz values exact to O(ε‖H‖), but the Ritz vectors y = Q s of a basis orthogonal only
/// to ω carry residuals of up to about ω‖H‖ (each reorthogonalisation's correction, of
/// the size of the loss times β, is missing from T): ω ≤ tol/100 keeps that floor two
/// orders below the residual asked for, so verification does not fail on it, and costs
/// a sweep over the basis only every several steps (a tol of 1e-8 lets through 1e-10;
/// ε^{3/4} took one every other step at d = 10⁵, as often as the floor is far below
/// any tolerance).
const SEMI_ORTHOGONAL_OF_TOL: f64 = 1e-2;
/// Simon's bound √ε on the semi-orthogonality level.
const SQRT_EPSILON: f64 = 1.49e-8;
/// Chunk of coordinates per parallel task in the vector updates.
const CHUNK: usize = 4096;
/// Chunk of coordinates per parallel task in the fused subtract-and-measure sweep and the
/// restart's combinations (the basis's slices of one chunk stay in cache).
const FUSED_CHUNK: usize = 1024;
/// A second Gram–Schmidt pass runs when the first left less than this fraction of the
/// norm (1/√2, the classical choice).
const REORTHOGONALISE: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// A β below this fraction of ‖H q‖ (a near-invariant subspace) calls for a full
/// orthogonalisation first; a random direction whose orthogonalised norm is below this
/// fraction of its norm lies (numerically) in the span of the basis.
const BREAKDOWN: f64 = 1e-10;

/// The basis Q = [kept Ritz vectors | Lanczos vectors of this cycle], the entries of T,
/// the orthogonality estimates, and the pending next Lanczos vector.
struct Krylov {
    /// Basis vectors: the first `kept` are Ritz vectors kept by the last restart.
    v: Vec<Vec<f64>>,
    kept: usize,
    /// T on the kept vectors: diagonal θ, coupling σ with the first Lanczos vector.
    theta: Vec<f64>,
    sigma: Vec<f64>,
    /// α_j of each Lanczos vector; β_j couples Lanczos vectors j and j + 1 (the last one
    /// couples the last vector with `pending`).
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// ω estimates: q_jᵀq_k and q_{j−1}ᵀq_k over this cycle's Lanczos vectors k.
    omega: Vec<f64>,
    omega_old: Vec<f64>,
    /// Reorthogonalise the next vector fully (the step after one that needed it).
    reorthogonalise_next: bool,
    /// Running estimate of ‖H‖ (largest |α| + β seen), for the ω-recurrence.
    h_norm: f64,
    /// ε√d, the rounding unit of an inner product.
    eps1: f64,
    /// ω̄: the largest estimated loss of orthogonality let through.
    semi_orthogonal: f64,
    /// Largest remainder dropped at a breakdown (β set to 0) in this cycle.
    dropped: f64,
    /// The next Lanczos vector (unit, in the domain), `None` when none is left.
    pending: Option<Vec<f64>>,
    /// Vectors of dropped bases, reused as storage.
    spare: Vec<Vec<f64>>,
    hvps: usize,
    /// The ends wanted.
    which: Which,
}

/// Ritz values ascending, with the coefficient vectors s (y = Q s) as columns, and the
/// residual estimates β|s_m| of the wanted pairs (in the order of [`Which::indices`]).
struct Ritz {
    values: Vec<f64>,
    coefficients: DMatrix<f64>,
    estimates: Vec<f64>,
}

/// The k smallest and k largest eigenpairs by thick-restarted Lanczos with partial
/// reorthogonalisation.
pub(super) fn spectrum(space: &dyn SymmetricOperator, opts: &SpectrumOptions) -> Result<Spectrum> {
    let n = space.domain_dim();
    let d = space.dim();
    let k = opts.k.min(n);
    if n == 0 {
        let outcome = Outcome {
            pairs: Vec::new(),
            m: 0,
            all: Some(Vec::new()),
            converged: true,
            h_norm: 0.0,
        };
        return Ok(assemble(d, n, k, 0, opts.which, outcome));
    }
    let keep_end = (k + KEEP_EXTRA).min(n);
    let which = opts.which;
    let wanted_count = if which == Which::Both { 2 * k } else { k };
    let max_basis = (2 * keep_end + EXPANSION).min(n);
    let mut fresh = 0u64;
    let start = random_direction_checked(space, opts.seed, &mut fresh, &[])
        .expect("a random direction has a component in a non-empty domain");
    let mut krylov = Krylov {
        v: vec![start],
        kept: 0,
        theta: Vec::new(),
        sigma: Vec::new(),
        alpha: Vec::new(),
        beta: Vec::new(),
        omega: vec![1.0],
        omega_old: Vec::new(),
        reorthogonalise_next: false,
        h_norm: 0.0,
        eps1: f64::EPSILON * (d as f64).sqrt(),
        semi_orthogonal: (SEMI_ORTHOGONAL_OF_TOL * opts.tol).clamp(f64::EPSILON, SQRT_EPSILON),
        dropped: 0.0,
        pending: None,
        spare: Vec::new(),
        hvps: 0,
        which,
    };
    let mut verify_from = 0;
    loop {
        let size = krylov.v.len();
        krylov.step(space, opts.seed, &mut fresh, size == n);
        // No next vector: the basis spans the domain, or (numerically) an invariant
        // subspace no random direction escapes.
        let exhausted = krylov.pending.is_none();
        let capped = krylov.hvps + wanted_count >= opts.max_hvps;
        let check = exhausted || capped || size == max_basis || size % CHECK_EVERY == 0;
        if check {
            let ritz = krylov.rayleigh_ritz(k)?;
            let h_norm = ritz.values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let estimated = ritz.estimates.iter().all(|r| *r <= opts.tol * h_norm);
            // The wanted ends' k pairs need k Ritz values each (else the run goes on to
            // the whole domain).
            let enough = size >= wanted_count;
            if exhausted || capped || (enough && estimated && krylov.hvps >= verify_from) {
                let pairs = krylov.verify(space, &ritz, k, opts.with_vectors);
                let verified = pairs.iter().all(|(_, p)| p.residual <= opts.tol * h_norm);
                if exhausted || capped || verified {
                    let outcome = Outcome {
                        pairs,
                        m: ritz.values.len(),
                        all: (size == n).then_some(ritz.values),
                        converged: exhausted || verified,
                        h_norm,
                    };
                    return Ok(assemble(d, n, k, krylov.hvps, which, outcome));
                }
                // Verify again only after the basis has grown a little.
                verify_from = krylov.hvps + CHECK_EVERY.max(size / 8);
            }
            if size == max_basis {
                krylov.restart(&ritz, keep_end);
                continue;
            }
        }
        krylov.advance();
    }
}

impl Krylov {
    /// Index of the first Lanczos vector of this cycle, and their count.
    fn lanczos(&self) -> (usize, usize) {
        (self.kept, self.v.len() - self.kept)
    }

    /// A zeroed vector of length d from the spare storage (or newly allocated).
    fn take(&mut self, d: usize) -> Vec<f64> {
        match self.spare.pop() {
            Some(mut v) => {
                v.iter_mut().for_each(|x| *x = 0.0);
                v
            }
            None => vec![0.0; d],
        }
    }

    /// One Lanczos step from the last basis vector q_j: one HVP, α_j, β_j, the ω
    /// estimates, the reorthogonalisation they call for, and the pending q_{j+1}
    /// (`None` when `last`: the basis already spans the domain, or when no independent
    /// direction is left).
    fn step(&mut self, space: &dyn SymmetricOperator, seed: u64, fresh: &mut u64, last: bool) {
        let d = space.dim();
        let (first, count) = self.lanczos();
        let j = count - 1;
        let mut r = self.take(d);
        let q = self.v.last().expect("non-empty basis");
        // H q_j before the projection: r is projected once below, after the subtractions
        // (P(Hq − αq − βq′) = PHq − αq − βq′ for q, q′ in the domain).
        space.apply_unprojected(q, &mut r);
        self.hvps += 1;
        let before = dot_lanes(&r, &r).sqrt();
        // r ← H q_j − β_{j−1} q_{j−1} (or − Σ σ_i y_i right after a restart), then − α_j q_j.
        if j > 0 {
            let (b, p) = (self.beta[j - 1], &self.v[first + j - 1]);
            subtract(std::slice::from_ref(p), &[b], &mut r);
        } else if first > 0 {
            subtract(&self.v[..first], &self.sigma, &mut r);
        }
        let q = self.v.last().expect("non-empty basis");
        let a = dot_lanes(q, &r);
        subtract(std::slice::from_ref(q), &[a], &mut r);
        self.alpha.push(a);
        if last {
            self.beta.push(0.0);
            self.spare.push(r);
            return;
        }
        // The kept Ritz vectors are always removed (they are few; the first converged).
        if first > 0 {
            gram_schmidt(&mut r, &self.v[..first]);
        }
        space.project(&mut r);
        let mut b = dot_lanes(&r, &r).sqrt();
        self.h_norm = self
            .h_norm
            .max(a.abs() + b + if j > 0 { self.beta[j - 1] } else { 0.0 });
        // ω_{j+1,k} by Simon's recurrence (k < j), then ω_{j+1,j} and ω_{j+1,j+1} = 1.
        let mut next = vec![0.0; count + 1];
        let (alpha, beta) = (&self.alpha, &self.beta);
        let worst = if b > 0.0 {
            for k in 0..j {
                let mut t = beta[k] * self.omega[k + 1] + (alpha[k] - a) * self.omega[k]
                    - beta[j - 1] * self.omega_old[k];
                if k > 0 {
                    t += beta[k - 1] * self.omega[k - 1];
                }
                t += t.signum() * (self.eps1 * (beta[k] + b) + 2.0 * self.dropped);
                next[k] = t / b;
            }
            next[j] = self.eps1 * self.h_norm / b;
            next[..=j].iter().fold(0.0_f64, |m, w| m.max(w.abs()))
        } else {
            f64::INFINITY
        };
        // A small β (a near-invariant subspace) is first cleared of what the basis spans;
        // if nothing independent is left, the remainder is rounding.
        let small = b <= BREAKDOWN * before;
        let mut spanned = false;
        if small || self.reorthogonalise_next || worst > self.semi_orthogonal {
            spanned = !gram_schmidt(&mut r, &self.v);
            space.project(&mut r);
            b = dot_lanes(&r, &r).sqrt();
            next[..=j].iter_mut().for_each(|w| *w = self.eps1);
            // The next vector inherits the loss through the recurrence: reorthogonalise
            // it too, unless this one was that second reorthogonalisation.
            self.reorthogonalise_next = !self.reorthogonalise_next;
        }
        next[count] = 1.0;
        if spanned || b == 0.0 {
            // An invariant subspace: continue from a fresh direction, coupled by β = 0.
            // The dropped remainder perturbs H Q = Q T + … like rounding does: the
            // ω-recurrence counts it in its noise.
            self.dropped = self.dropped.max(b);
            self.spare.push(r);
            self.beta.push(0.0);
            self.pending = random_direction_checked(space, seed, fresh, &self.v);
            next[..=j].iter_mut().for_each(|w| *w = self.eps1);
            self.reorthogonalise_next = false;
        } else {
            r.iter_mut().for_each(|x| *x /= b);
            self.beta.push(b);
            self.pending = Some(r);
        }
        self.omega_old = std::mem::replace(&mut self.omega, next);
    }

    /// Appends the pending vector to the basis.
    fn advance(&mut self) {
        let q = self.pending.take().expect("a pending Lanczos vector");
        self.v.push(q);
    }

    /// T = Qᵀ H Q: the kept block (diagonal θ, coupling σ to the first Lanczos vector)
    /// and the tridiagonal part.
    fn projected_matrix(&self) -> DMatrix<f64> {
        let m = self.v.len();
        let (first, count) = self.lanczos();
        let mut t = DMatrix::zeros(m, m);
        for i in 0..first {
            t[(i, i)] = self.theta[i];
            t[(i, first)] = self.sigma[i];
            t[(first, i)] = self.sigma[i];
        }
        for j in 0..count {
            t[(first + j, first + j)] = self.alpha[j];
            if j + 1 < count {
                t[(first + j, first + j + 1)] = self.beta[j];
                t[(first + j + 1, first + j)] = self.beta[j];
            }
        }
        t
    }

    /// Rayleigh–Ritz on T, with the residual estimates β_m|s_m| of the k lowest and k
    /// highest Ritz pairs.
    fn rayleigh_ritz(&self, k: usize) -> Result<Ritz> {
        let m = self.v.len();
        let (values, coefficients) = symmetric_eigen(&self.projected_matrix())?;
        let b = self.beta.last().copied().unwrap_or(0.0);
        let estimates = self
            .which
            .indices(m, k)
            .into_iter()
            .map(|c| (b * coefficients[(m - 1, c)]).abs())
            .collect();
        Ok(Ritz {
            values,
            coefficients,
            estimates,
        })
    }

    /// The wanted Ritz vectors y = Q s normalised, with their Rayleigh quotients yᵀHy and
    /// residuals ‖Hy − (yᵀHy) y‖: one HVP each.
    fn verify(
        &mut self,
        space: &dyn SymmetricOperator,
        ritz: &Ritz,
        k: usize,
        with_vectors: bool,
    ) -> Vec<(usize, Eigenpair)> {
        let wanted = self.which.indices(ritz.values.len(), k);
        let d = space.dim();
        let mut ys = combine(&self.v, &ritz.coefficients, &wanted, d);
        let pairs = ys
            .par_iter_mut()
            .zip(wanted.par_iter())
            .map(|(y, &c)| {
                let length = dot_lanes(y, y).sqrt();
                y.iter_mut().for_each(|x| *x /= length);
                let mut hy = vec![0.0; d];
                space.apply(y, &mut hy);
                let value = dot_lanes(y, &hy);
                let residual = hy
                    .iter()
                    .zip(y.iter())
                    .map(|(h, y)| (h - value * y).powi(2))
                    .sum::<f64>()
                    .sqrt();
                let pair = Eigenpair {
                    value,
                    residual,
                    vector: with_vectors.then(|| y.clone()),
                };
                (c, pair)
            })
            .collect();
        self.hvps += wanted.len();
        pairs
    }

    /// Thick restart: keeps the Ritz vectors of the `keep_end` lowest and highest Ritz
    /// values; the pending vector becomes the first Lanczos vector of the new cycle.
    fn restart(&mut self, ritz: &Ritz, keep_end: usize) {
        let m = ritz.values.len();
        let d = self.v[0].len();
        let keep = self.which.indices(m, keep_end);
        let kept = combine(&self.v, &ritz.coefficients, &keep, d);
        let b = self.beta.last().copied().unwrap_or(0.0);
        self.theta = keep.iter().map(|&c| ritz.values[c]).collect();
        self.sigma = keep
            .iter()
            .map(|&c| b * ritz.coefficients[(m - 1, c)])
            .collect();
        let mut q = self.pending.take().expect("a pending Lanczos vector");
        gram_schmidt(&mut q, &kept);
        let length = dot_lanes(&q, &q).sqrt();
        q.iter_mut().for_each(|x| *x /= length);
        let old = std::mem::replace(&mut self.v, kept);
        self.spare.extend(old);
        self.kept = self.v.len();
        self.v.push(q);
        self.alpha.clear();
        self.beta.clear();
        self.omega = vec![1.0];
        self.omega_old.clear();
        self.reorthogonalise_next = false;
        self.dropped = 0.0;
    }
}

/// The combinations Σ_i S[i, c] bᵢ for the columns c, by chunks of coordinates (each
/// chunk of the basis read once, the terms added in basis order).
fn combine(basis: &[Vec<f64>], s: &DMatrix<f64>, columns: &[usize], d: usize) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; d]; columns.len()];
    let chunks = d.div_ceil(FUSED_CHUNK);
    let pieces: Vec<Vec<Vec<f64>>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let range = c * FUSED_CHUNK..((c + 1) * FUSED_CHUNK).min(d);
            columns
                .iter()
                .map(|&col| {
                    let mut y = vec![0.0; range.len()];
                    for (i, b) in basis.iter().enumerate() {
                        let s = s[(i, col)];
                        y.iter_mut()
                            .zip(&b[range.clone()])
                            .for_each(|(y, b)| *y += s * b);
                    }
                    y
                })
                .collect()
        })
        .collect();
    for (c, piece) in pieces.into_iter().enumerate() {
        for (y, p) in out.iter_mut().zip(piece) {
            y[c * FUSED_CHUNK..c * FUSED_CHUNK + p.len()].copy_from_slice(&p);
        }
    }
    out
}

/// r ← r − Σ (bᵢᵀr) bᵢ over the (semi-)orthonormal `basis` by classical Gram–Schmidt:
/// a further pass while the last one lost more than a factor [`REORTHOGONALISE`] of the
/// norm or left components above rounding (a semi-orthogonal basis, |bᵢᵀbₖ| ≤ √ε, leaves
/// √ε times the coefficients), at most three. False when the third still lost that much:
/// r lies (numerically) in the span of the basis (Daniel, Gragg, Kaufman & Stewart).
pub(super) fn gram_schmidt(r: &mut [f64], basis: &[Vec<f64>]) -> bool {
    let mut last = dot_lanes(r, r).sqrt();
    if last == 0.0 || !last.is_finite() {
        return false;
    }
    if basis.is_empty() {
        return true;
    }
    let eps1 = f64::EPSILON * (r.len() as f64).sqrt();
    let mut coefficients: Vec<f64> = basis.par_iter().map(|b| dot_lanes(b, r)).collect();
    for _ in 0..3 {
        let (again, squared) = subtract_and_measure(basis, &coefficients, r);
        let now = squared.sqrt();
        let left = again.iter().map(|c| c * c).sum::<f64>().sqrt();
        if now >= REORTHOGONALISE * last && left <= eps1 * now {
            return true;
        }
        last = now;
        coefficients = again;
    }
    false
}

/// Projects r on the domain, removes its components along the orthonormal `basis`,
/// projects again and normalises it; false if nothing independent is left.
fn orthonormalise(space: &dyn SymmetricOperator, r: &mut [f64], basis: &[Vec<f64>]) -> bool {
    space.project(r);
    let before = dot_lanes(r, r).sqrt();
    if !gram_schmidt(r, basis) {
        return false;
    }
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

/// A seeded random unit direction in the domain, orthogonal to `basis` (stream `fresh`
/// of the seed; tries three streams), `None` when all three fall in the span of the
/// basis.
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

/// The verified pairs of a finished run, indexed by their Ritz value's rank among `m`.
struct Outcome {
    pairs: Vec<(usize, Eigenpair)>,
    m: usize,
    /// Every Ritz value, when the basis spans the domain.
    all: Option<Vec<f64>>,
    converged: bool,
    h_norm: f64,
}

/// The spectrum of a finished run (d ambient, n the domain's dimension).
fn assemble(d: usize, n: usize, k: usize, hvps: usize, which: Which, outcome: Outcome) -> Spectrum {
    let Outcome {
        pairs,
        m,
        all,
        converged,
        h_norm,
    } = outcome;
    let by_value = |a: &Eigenpair, b: &Eigenpair| a.value.total_cmp(&b.value);
    let mut smallest: Vec<Eigenpair> = pairs
        .iter()
        .filter(|(c, _)| which.smallest() && *c < k)
        .map(|(_, p)| p.clone())
        .collect();
    smallest.sort_by(by_value);
    let mut largest: Vec<Eigenpair> = pairs
        .iter()
        .filter(|(c, _)| which.largest() && *c + k >= m)
        .map(|(_, p)| p.clone())
        .collect();
    largest.sort_by(|a, b| by_value(b, a));
    let complete = all.is_some();
    let eigenvalues = all.unwrap_or_else(|| {
        let mut values: Vec<f64> = pairs.iter().map(|(_, p)| p.value).collect();
        values.sort_by(f64::total_cmp);
        values
    });
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
        hvp_count: hvps,
        hessian_norm: h_norm,
    }
}
