//! The spectral density of the reduced Hessian by stochastic Lanczos quadrature (SLQ;
//! Ghorbani, Krishnan & Xiao 2019, as in PyHessian), and its trace by Hutchinson's
//! estimator.
//!
//! SLQ: for each probe, a Rademacher vector z (seeded by `random::stream(seed, probe)`),
//! projected on the reduced space and normalised to v, starts m Lanczos steps (with full
//! reorthogonalisation, classical Gram–Schmidt by chunks in parallel). The eigenpairs (θⱼ, sⱼ) of the tridiagonal T_m give Gauss
//! quadrature nodes θⱼ and weights τⱼ = sⱼ\[0]², so vᵀ g(H) v ≈ Σⱼ τⱼ g(θⱼ). Averaging over
//! probes, the density is φ(t) = (1/probes) Σ_probes Σⱼ τⱼ 𝒩(t; θⱼ, σ²), which integrates
//! to 1 because Σⱼ τⱼ = ‖v‖² = 1.
//!
//! The sign of the spectrum is kept: Ritz values lie between λmin and λmax, so a
//! positive semidefinite Hessian gives no node below zero, and the fraction of negative
//! eigenvalues is estimated by the quadrature itself, the weight of the nodes
//! θⱼ < −tol (`negative_weight`; tol = 10⁻⁶·max(1, maxⱼ|θⱼ|), the classifier's eigenvalue
//! tolerance, so rounding at a zero eigenvalue does not count). The smoothing does not
//! carry mass across zero either: each node's Gaussian is cut at 0 and renormalised to
//! its own side (a node within tol of 0 counts as non-negative), so the area of φ below
//! zero equals `negative_weight` (up to the grid's quadrature), where a plain Gaussian
//! would spread the bulk at zero into a negative mass that no eigenvalue has.
//!
//! Hutchinson: tr(H_red) = E[zᵀ P H P z] for Rademacher z (P the projector on the
//! reduced space), estimated by the mean over probes with standard error s/√probes.
//!
//! Both run on any [`SymmetricOperator`] ([`density_of`], [`trace_of`]); on the reduced
//! Hessian of f at x they are [`spectral_density`] and [`hutchinson_trace`].
//!
//! Probes run in parallel and are collected in probe order, so the results are identical
//! on any thread count.

use nalgebra::DMatrix;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::lanczos::gram_schmidt;
use super::{check_tolerance, ReducedSpace};
use crate::error::{ensure_point, Error, Result};
use crate::linalg::{dot, norm, symmetric_eigen, SymmetricOperator};
use crate::objective::Objective;
use crate::random::stream;

/// Options of [`spectral_density`], with documented defaults.
#[derive(Clone, Debug)]
pub struct DensityOptions {
    /// Number of Rademacher probes; defaults to 8.
    pub probes: usize,
    /// Lanczos steps per probe (at most the reduced dimension is used); defaults to 80.
    pub steps: usize,
    /// Gaussian smoothing width σ as a fraction of the spread of the quadrature nodes
    /// (max θ − min θ, or max(1, |θ|) when they coincide); defaults to 0.01.
    pub width: f64,
    /// Number of grid points; defaults to 400.
    pub points: usize,
    /// Seed of the probes; defaults to 0.
    pub seed: u64,
    /// Project out the symmetry directions, as in the spectrum; defaults to true.
    pub project_symmetries: bool,
}

impl Default for DensityOptions {
    fn default() -> Self {
        DensityOptions {
            probes: 8,
            steps: 80,
            width: 0.01,
            points: 400,
            seed: 0,
            project_symmetries: true,
        }
    }
}

/// The smoothed spectral density of the reduced Hessian.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Density {
    /// Grid points t, ascending, from min θ − 5σ to max θ + 5σ.
    pub grid: Vec<f64>,
    /// φ(t) at the grid points (integrates to ≈ 1).
    pub density: Vec<f64>,
    /// The absolute smoothing width σ.
    pub sigma: f64,
    /// Quadrature nodes θ of every probe, probe after probe.
    pub nodes: Vec<f64>,
    /// Their weights τ/probes (summing to 1).
    pub weights: Vec<f64>,
    /// The weight of the nodes θ < −`zero_tol`: the SLQ estimate of the fraction of
    /// negative eigenvalues (module doc).
    #[serde(default)]
    pub negative_weight: f64,
    /// Nodes within this of 0 count as zero (non-negative): 10⁻⁶·max(1, max|θ|).
    #[serde(default)]
    pub zero_tol: f64,
    /// Probes used.
    pub probes: usize,
    /// Lanczos steps per probe (the largest used).
    pub steps: usize,
    /// Dimension of the reduced space.
    pub reduced_dim: usize,
    /// Hessian-vector products used.
    pub hvp_count: usize,
}

/// Hutchinson's estimate of the trace of the reduced Hessian.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceEstimate {
    /// The mean of zᵀ H z over the probes.
    pub estimate: f64,
    /// The sample standard deviation over √probes.
    pub std_error: f64,
    /// Number of probes.
    pub probes: usize,
}

/// The spectral density of the reduced Hessian of f at x by stochastic Lanczos
/// quadrature. Errors: wrong point length or off the manifold, zero probes, steps or
/// points < 2, a non-finite or non-positive width.
pub fn spectral_density(f: &dyn Objective, x: &[f64], opts: &DensityOptions) -> Result<Density> {
    ensure_point("point", x, f.dim())?;
    validate(opts)?;
    let space = ReducedSpace::new(f, x, opts.project_symmetries)?;
    density_unchecked(&space, opts)
}

/// The spectral density of a symmetric operator on its domain (see
/// [`crate::linalg::operator`]) by stochastic Lanczos quadrature; `project_symmetries`
/// does not apply. Errors: as [`spectral_density`]'s, without the point's.
pub fn density_of(op: &dyn SymmetricOperator, opts: &DensityOptions) -> Result<Density> {
    validate(opts)?;
    density_unchecked(op, opts)
}

/// Checks the options.
fn validate(opts: &DensityOptions) -> Result<()> {
    if opts.probes == 0 {
        return Err(Error::invalid("probes", "a positive count", 0));
    }
    if opts.steps == 0 {
        return Err(Error::invalid("steps", "a positive count", 0));
    }
    if opts.points < 2 {
        return Err(Error::invalid("points", "at least 2", opts.points));
    }
    for (name, count) in [
        ("probes", opts.probes),
        ("steps", opts.steps),
        ("points", opts.points),
    ] {
        crate::budget::check_count(name, count as u128, 64)?;
    }
    check_tolerance("width", opts.width)
}

/// SLQ with options already checked.
fn density_unchecked(space: &dyn SymmetricOperator, opts: &DensityOptions) -> Result<Density> {
    let n = space.domain_dim();
    let steps = opts.steps.min(n);
    let quadratures: Vec<Quadrature> = (0..opts.probes as u64)
        .into_par_iter()
        .map(|probe| quadrature(space, opts.seed, probe, steps))
        .collect::<Result<_>>()?;
    let scale = 1.0 / opts.probes as f64;
    let nodes: Vec<f64> = quadratures.iter().flat_map(|q| q.nodes.clone()).collect();
    let weights: Vec<f64> = quadratures
        .iter()
        .flat_map(|q| q.weights.iter().map(move |w| w * scale))
        .collect();
    let lo = nodes.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = nodes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if nodes.is_empty() {
        (0.0, 0.0)
    } else {
        (lo, hi)
    };
    let spread = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let sigma = opts.width * spread;
    let (start, end) = (lo - 5.0 * sigma, hi + 5.0 * sigma);
    let step = (end - start) / (opts.points - 1) as f64;
    let grid: Vec<f64> = (0..opts.points).map(|i| start + step * i as f64).collect();
    let zero_tol = 1e-6 * lo.abs().max(hi.abs()).max(1.0);
    let negative = |theta: f64| theta < -zero_tol;
    let negative_weight = nodes
        .iter()
        .zip(&weights)
        .filter(|(theta, _)| negative(**theta))
        .map(|(_, w)| w)
        .sum::<f64>()
        + 0.0; // an empty sum is −0.0
               // Each node's Gaussian, cut at 0 and renormalised to the node's side: the mass of
               // 𝒩(θ, σ²) on that side is Φ(θ/σ) (t ≥ 0) or Φ(−θ/σ) (t < 0).
    let kernels: Vec<(f64, f64, bool)> = nodes
        .iter()
        .zip(&weights)
        .map(|(&theta, &w)| {
            let below = negative(theta);
            let side = if below { -theta } else { theta };
            let mass = 0.5 * libm::erfc(-side / (sigma * std::f64::consts::SQRT_2));
            (
                theta,
                w / (mass.max(f64::MIN_POSITIVE) * sigma * (2.0 * std::f64::consts::PI).sqrt()),
                below,
            )
        })
        .collect();
    let density = grid
        .iter()
        .map(|&t| {
            kernels
                .iter()
                .filter(|(_, _, below)| if *below { t < 0.0 } else { t >= 0.0 })
                .map(|(theta, c, _)| c * (-0.5 * ((t - theta) / sigma).powi(2)).exp())
                .sum::<f64>()
                + 0.0 // an empty sum is −0.0
        })
        .collect();
    Ok(Density {
        grid,
        density,
        sigma,
        nodes,
        weights,
        negative_weight,
        zero_tol,
        probes: opts.probes,
        steps: quadratures.iter().map(|q| q.nodes.len()).max().unwrap_or(0),
        reduced_dim: n,
        hvp_count: quadratures.iter().map(|q| q.hvps).sum(),
    })
}

/// Hutchinson's estimate of tr(H_red) from `probes` Rademacher probes (at least 2),
/// symmetry directions projected out as in the spectrum's default.
pub fn hutchinson_trace(
    f: &dyn Objective,
    x: &[f64],
    probes: usize,
    seed: u64,
) -> Result<TraceEstimate> {
    ensure_point("point", x, f.dim())?;
    check_probes(probes)?;
    let space = ReducedSpace::new(f, x, true)?;
    Ok(trace_unchecked(&space, probes, seed))
}

/// Hutchinson's estimate of the trace of a symmetric operator on its domain,
/// tr(P A P) = E[zᵀ P A P z], from `probes` Rademacher probes (at least 2).
pub fn trace_of(op: &dyn SymmetricOperator, probes: usize, seed: u64) -> Result<TraceEstimate> {
    check_probes(probes)?;
    Ok(trace_unchecked(op, probes, seed))
}

fn check_probes(probes: usize) -> Result<()> {
    if probes < 2 {
        return Err(Error::invalid("probes", "at least 2", probes));
    }
    Ok(())
}

/// The mean of zᵀ P A P z over the probes, with its standard error.
fn trace_unchecked(space: &dyn SymmetricOperator, probes: usize, seed: u64) -> TraceEstimate {
    let samples: Vec<f64> = (0..probes as u64)
        .into_par_iter()
        .map(|probe| {
            let z = rademacher(space, seed, probe);
            let mut hz = vec![0.0; z.len()];
            space.apply(&z, &mut hz);
            dot(&z, &hz)
        })
        .collect();
    let mean = samples.iter().sum::<f64>() / probes as f64;
    let variance = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (probes - 1) as f64;
    TraceEstimate {
        estimate: mean,
        std_error: (variance / probes as f64).sqrt(),
        probes,
    }
}

/// P z for the Rademacher vector z of stream (seed, probe).
fn rademacher(space: &dyn SymmetricOperator, seed: u64, probe: u64) -> Vec<f64> {
    let mut rng = stream(seed, probe);
    let mut z: Vec<f64> = (0..space.dim())
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect();
    space.project(&mut z);
    z
}

/// Gauss quadrature nodes and weights of one probe.
struct Quadrature {
    nodes: Vec<f64>,
    weights: Vec<f64>,
    hvps: usize,
}

/// `steps` Lanczos steps from the normalised projected Rademacher probe, with full
/// reorthogonalisation; stops early on breakdown (an invariant subspace: the quadrature
/// is then exact).
fn quadrature(
    space: &dyn SymmetricOperator,
    seed: u64,
    probe: u64,
    steps: usize,
) -> Result<Quadrature> {
    let mut v = rademacher(space, seed, probe);
    let length = norm(&v);
    if length == 0.0 {
        return Ok(Quadrature {
            nodes: Vec::new(),
            weights: Vec::new(),
            hvps: 0,
        });
    }
    v.iter_mut().for_each(|x| *x /= length);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(steps);
    let (mut alpha, mut beta) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
    let mut w = vec![0.0; v.len()];
    loop {
        space.apply(&v, &mut w);
        alpha.push(dot(&v, &w));
        basis.push(v);
        if basis.len() == steps {
            break;
        }
        // Full reorthogonalisation against every previous Lanczos vector: classical
        // Gram–Schmidt by chunks in parallel, a further pass while the last lost much of
        // the norm (Lanczos's `gram_schmidt`); nothing independent left is a breakdown.
        let before = norm(&w);
        if !gram_schmidt(&mut w, &basis) {
            break;
        }
        space.project(&mut w);
        let b = norm(&w);
        if b <= 1e-10 * before.max(f64::MIN_POSITIVE) || b == 0.0 {
            break;
        }
        beta.push(b);
        v = w.iter().map(|x| x / b).collect();
    }
    let m = alpha.len();
    let t = DMatrix::from_fn(m, m, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j {
            beta[i]
        } else if j + 1 == i {
            beta[j]
        } else {
            0.0
        }
    });
    let (nodes, vectors) = symmetric_eigen(&t)?;
    let weights = (0..m).map(|j| vectors[(0, j)].powi(2)).collect();
    Ok(Quadrature {
        nodes,
        weights,
        hvps: m,
    })
}
