//! What kind of stationary point is x? A verdict with its evidence.
//!
//! # The tests, in order
//! 1. First order: ‖grad f(x)‖ (Riemannian on spheres) > grad tol → `not_stationary`.
//! 2. Second order, on the reduced Hessian (tangent space minus symmetry directions, see
//!    [`crate::spectrum`]): λmax < −eig tol → `local_max`; λmin < −eig tol →
//!    `strict_saddle` (with Lanczos, λmin + its residual < −eig tol, so that the verdict
//!    holds for the true eigenvalue).
//! 3. Value: when f* is known and f(x) ≤ f* + grad tol, x attains the global minimum
//!    value, so it is a `global_min` whatever its higher-order terms (this covers
//!    degenerate global minima such as a PSD singular quadratic with b = 0, or
//!    `tensor_decomposition`'s `truth` with its flat tilts toward free components).
//! 4. λmin > eig tol (second-order sufficient conditions): `spurious_local_min` when f* is
//!    known (then f > f* + tol), `local_min` when it is not.
//! 5. Otherwise λmin ∈ [−tol, tol]: zero modes beyond symmetry. The higher-order test
//!    ([`higher_order`]) probes f along the null space: a proven descent of order ≥ 3
//!    plus an ascent (a positive eigenvalue, or a proven ascent of order ≥ 3) →
//!    `non_strict_saddle`. Everything else is `degenerate`, with the reason: descent but
//!    no ascent anywhere (e.g. the zero-Hessian point of −x⁴: not a minimum, possibly a
//!    degenerate maximum, which finitely many probes cannot prove); ascent along every
//!    probe (possibly a degenerate minimum, likewise not proven); f flat within rounding;
//!    a decrease ∝ t² (a negative eigenvalue inside the tolerance); mixed evidence.
//!
//! # Default tolerances (printed with every verdict, settable)
//! - grad tol = 10⁻⁶·max(1, min(|f(x)|, ‖H‖·‖x‖)): relative to the size a gradient can
//!   have at x without x being stationary in floating point, which is bounded by f's own
//!   scale and, independently of any constant added to f, by the gradient a curvature
//!   ‖H‖ produces over the distance ‖x‖ from the origin (for a quadratic
//!   ½xᵀAx + bᵀx + c stationary at x, ‖b‖ = ‖Ax‖ ≤ ‖H‖‖x‖, so the rounding of
//!   Ax + b is of that order). It does not grow with f alone: far from every stationary
//!   point (f = −x² at x = 10⁷, or a run that ran off to f = −10⁷¹) the gradient is of
//!   order ‖H‖‖x‖ and the point is `not_stationary`;
//! - eig tol = 10⁻⁶·max(1, ‖H‖), ‖H‖ = the largest |λ| of the reduced Hessian.
//!
//! Strict inequalities on both sides: an eigenvalue exactly at ±tol counts as zero.

pub mod higher_order;

use serde::{Deserialize, Serialize};

use crate::display::format_vector;
use crate::error::{ensure_point, Error, Result};
use crate::linalg::norm;
use crate::objective::Objective;
use crate::spectrum::{hessian_spectrum, Method, Spectrum, SpectrumOptions};
use crate::verdict::Verdict;

use higher_order::{probe_null_space, ProbeReport, Trend};

/// The tolerances a verdict was made with.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Tolerances {
    /// ‖grad f‖ ≤ grad: stationary. Also the value tolerance of f ≤ f* + tol.
    pub grad: f64,
    /// |λ| ≤ eig: a zero mode.
    pub eig: f64,
}

/// Options of [`classify`]; `Default` gives the scale-aware tolerances.
#[derive(Clone, Debug, Default)]
pub struct ClassifyOptions {
    /// Gradient tolerance; defaults to 10⁻⁶·max(1, min(|f(x)|, ‖H‖·‖x‖)) (module doc).
    /// Must be finite and positive.
    pub grad_tol: Option<f64>,
    /// Eigenvalue tolerance; defaults to 10⁻⁶·max(1, ‖H‖). Must be finite and positive.
    pub eig_tol: Option<f64>,
    /// How to compute the spectrum (method, k, …); defaults to [`SpectrumOptions`]'s.
    pub spectrum: SpectrumOptions,
    /// Report the escape direction (unit eigenvector of λmin) when λmin < 0.
    pub with_direction: bool,
}

/// A verdict and its evidence (the JSON of `landscape classify`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The verdict.
    pub kind: Verdict,
    /// f(x).
    pub value: f64,
    /// f* when known.
    pub optimum: Option<f64>,
    /// ‖grad f(x)‖ (Riemannian on spheres).
    pub grad_norm: f64,
    /// Smallest eigenvalue of the reduced Hessian.
    pub lambda_min: Option<f64>,
    /// Largest eigenvalue of the reduced Hessian.
    pub lambda_max: Option<f64>,
    /// Eigenvalues < −eig tol (null when the spectrum is incomplete, i.e. Lanczos).
    pub negative: Option<usize>,
    /// Eigenvalues with |λ| ≤ eig tol (null when the spectrum is incomplete).
    pub zero: Option<usize>,
    /// Eigenvalues > eig tol (null when the spectrum is incomplete).
    pub positive: Option<usize>,
    /// Symmetry directions projected out before the second-order test.
    pub symmetry_modes: usize,
    /// How the spectrum was computed.
    pub method: Method,
    /// The tolerances used.
    pub tolerances: Tolerances,
    /// The evidence, in words.
    pub reason: String,
    /// Unit eigenvector of λmin in ambient coordinates (when asked and λmin < 0); its
    /// largest entry is positive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escape_direction: Option<Vec<f64>>,
}

/// The text of `landscape classify`: one `name  value` line per piece of evidence.
impl std::fmt::Display for Classification {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opt = |v: Option<f64>| v.map_or("unknown".to_string(), |v| format!("{v:.12e}"));
        let count = |v: Option<usize>| v.map_or("unknown".to_string(), |v| v.to_string());
        writeln!(out, "verdict         {}", self.kind)?;
        writeln!(out, "value           {:.12e}", self.value)?;
        writeln!(out, "optimum         {}", opt(self.optimum))?;
        writeln!(out, "grad_norm       {:.6e}", self.grad_norm)?;
        writeln!(out, "lambda_min      {}", opt(self.lambda_min))?;
        writeln!(out, "lambda_max      {}", opt(self.lambda_max))?;
        let uncounted = [self.negative, self.zero, self.positive]
            .iter()
            .all(Option::is_none);
        if uncounted && self.lambda_min.is_none() {
            writeln!(out, "inertia         not computed")?;
        } else if uncounted {
            writeln!(
                out,
                "inertia         not counted: {} finds the extreme eigenvalues only \
                 (--method dense counts them all)",
                self.method.name()
            )?;
        } else {
            writeln!(
                out,
                "inertia         {} negative, {} zero, {} positive",
                count(self.negative),
                count(self.zero),
                count(self.positive)
            )?;
        }
        writeln!(out, "symmetry_modes  {}", self.symmetry_modes)?;
        writeln!(out, "method          {}", self.method)?;
        writeln!(
            out,
            "tolerances      grad {:.3e}, eig {:.3e}",
            self.tolerances.grad, self.tolerances.eig
        )?;
        writeln!(out, "reason          {}", self.reason)?;
        if let Some(v) = &self.escape_direction {
            writeln!(out, "escape          {}", format_vector(v))?;
        }
        Ok(())
    }
}

/// The loosest gradient tolerance at a point where f = `value`: 10⁻⁶·max(1, |f|), the
/// census's acceptance of a candidate before the classifier's verdict.
pub fn default_grad_tol(value: f64) -> f64 {
    1e-6 * value.abs().max(1.0)
}

/// The classifier's default gradient tolerance at x, where f = `value` and the reduced
/// Hessian's norm is `hessian_norm`: 10⁻⁶·max(1, min(|f|, ‖H‖·‖x‖)) (module doc).
pub fn stationarity_tol(value: f64, hessian_norm: f64, x_norm: f64) -> f64 {
    let curvature_scale = hessian_norm * x_norm;
    let scale = if curvature_scale.is_finite() {
        value.abs().min(curvature_scale)
    } else {
        value.abs()
    };
    1e-6 * scale.max(1.0)
}

/// The default eigenvalue tolerance for a Hessian of norm `hessian_norm`:
/// 10⁻⁶·max(1, ‖H‖).
pub fn default_eig_tol(hessian_norm: f64) -> f64 {
    1e-6 * hessian_norm.max(1.0)
}

/// Checks that an optional tolerance is finite and positive, naming `field` otherwise.
pub fn check_tolerance(field: &str, tol: Option<f64>) -> Result<()> {
    match tol {
        Some(t) if !(t.is_finite() && t > 0.0) => {
            Err(Error::invalid(field, "a finite positive number", t))
        }
        _ => Ok(()),
    }
}

/// Classifies x (see the module doc for the tests and tolerances).
///
/// Errors: a point of the wrong length or with non-finite entries, a non-finite f or
/// ‖∇f‖ there ([`Error::Numerical`]), a non-positive or
/// non-finite tolerance (naming `grad_tol` or `eig_tol`), and the spectrum's errors.
pub fn classify(f: &dyn Objective, x: &[f64], opts: &ClassifyOptions) -> Result<Classification> {
    ensure_point("point", x, f.dim())?;
    check_tolerance("grad_tol", opts.grad_tol)?;
    check_tolerance("eig_tol", opts.eig_tol)?;

    let mut g = vec![0.0; f.dim()];
    let value = f.value_and_gradient(x, &mut g);
    f.manifold().project_tangent(x, &mut g);
    let grad_norm = norm(&g);
    if !(value.is_finite() && grad_norm.is_finite()) {
        return Err(Error::Numerical {
            what: "classify".into(),
            message: format!(
                "f = {value} and ‖∇f‖ = {grad_norm} at the point: no verdict rests on \
                 non-finite evidence (the point is where f overflows f64)"
            ),
        });
    }
    let mut spectrum_opts = opts.spectrum.clone();
    spectrum_opts.with_vectors |= opts.with_direction;
    // The extremes are all the classifier needs; small problems have fewer than k pairs.
    spectrum_opts.k = spectrum_opts.k.clamp(1, f.dim());
    let spectrum = hessian_spectrum(f, x, &spectrum_opts)?;
    let tolerances = Tolerances {
        grad: opts
            .grad_tol
            .unwrap_or_else(|| stationarity_tol(value, spectrum.hessian_norm, norm(x))),
        eig: opts
            .eig_tol
            .unwrap_or_else(|| default_eig_tol(spectrum.hessian_norm)),
    };
    let evidence = Evidence::new(&spectrum, tolerances.eig);
    let mut c = Classification {
        kind: Verdict::Degenerate,
        value,
        optimum: f.optimum(),
        grad_norm,
        lambda_min: evidence.lambda_min,
        lambda_max: evidence.lambda_max,
        negative: evidence.inertia.map(|i| i.0),
        zero: evidence.inertia.map(|i| i.1),
        positive: evidence.inertia.map(|i| i.2),
        symmetry_modes: spectrum.symmetry_modes,
        method: spectrum.method,
        tolerances,
        reason: String::new(),
        escape_direction: None,
    };
    if opts.with_direction && evidence.lambda_min.is_some_and(|l| l < 0.0) {
        c.escape_direction = spectrum.smallest[0].vector.clone().map(oriented_unit);
    }
    let (kind, reason) = decide(f, x, &c, &spectrum, &evidence, opts)?;
    c.kind = kind;
    c.reason = reason;
    Ok(c)
}

/// What the spectrum says, with the eigenvalue tolerance applied.
struct Evidence {
    lambda_min: Option<f64>,
    lambda_max: Option<f64>,
    /// λmin + its residual: an upper bound on the true smallest eigenvalue.
    lambda_min_upper: f64,
    /// (negative, zero, positive) when the spectrum is complete.
    inertia: Option<(usize, usize, usize)>,
    converged: bool,
}

impl Evidence {
    fn new(s: &Spectrum, tol: f64) -> Self {
        let inertia = s.complete.then(|| {
            let negative = s.eigenvalues.iter().filter(|&&l| l < -tol).count();
            let positive = s.eigenvalues.iter().filter(|&&l| l > tol).count();
            (
                negative,
                s.eigenvalues.len() - negative - positive,
                positive,
            )
        });
        let smallest = s.smallest.first();
        Evidence {
            lambda_min: smallest.map(|p| p.value),
            lambda_max: s.largest.first().map(|p| p.value),
            lambda_min_upper: smallest.map_or(f64::INFINITY, |p| p.value + p.residual),
            inertia,
            converged: s.converged,
        }
    }
}

/// The verdict and its reason, following the module doc's order of tests.
fn decide(
    f: &dyn Objective,
    x: &[f64],
    c: &Classification,
    spectrum: &Spectrum,
    evidence: &Evidence,
    opts: &ClassifyOptions,
) -> Result<(Verdict, String)> {
    let tol = c.tolerances;
    if c.grad_norm > tol.grad {
        return Ok((
            Verdict::NotStationary,
            format!(
                "‖grad f‖ = {} > grad tol {}: not stationary",
                num(c.grad_norm),
                num(tol.grad)
            ),
        ));
    }
    let (Some(lmin), Some(lmax)) = (c.lambda_min, c.lambda_max) else {
        return Ok((
            Verdict::Degenerate,
            "the reduced space is empty (every direction is normal or a symmetry): \
             no second-order test"
                .to_string(),
        ));
    };
    if evidence.lambda_min_upper < -tol.eig {
        if lmax < -tol.eig {
            let why = format!("λmax = {} < −{}: local max", num(lmax), num(tol.eig));
            return Ok((Verdict::LocalMax, why));
        }
        let mut why = format!("λmin = {} < −{}: strict saddle", num(lmin), num(tol.eig));
        if lmax <= tol.eig {
            why.push_str(" (no positive eigenvalue: zero modes may make it a degenerate max)");
        }
        return Ok((Verdict::StrictSaddle, why));
    }
    if !evidence.converged {
        return Ok((
            Verdict::Degenerate,
            format!(
                "Lanczos did not converge within max_hvps ({} HVPs): λmin ≈ {} is not \
                 reliable enough to decide",
                spectrum.hvp_count,
                num(lmin)
            ),
        ));
    }
    if let Some(fstar) = c.optimum {
        if c.value <= fstar + tol.grad {
            let why = format!(
                "f − f* = {} ≤ {} and λmin = {} ≥ −{}: global min",
                num(c.value - fstar),
                num(tol.grad),
                num(lmin),
                num(tol.eig)
            );
            return Ok((Verdict::GlobalMin, why));
        }
    }
    if lmin > tol.eig {
        let base = format!("λmin = {} > {}", num(lmin), num(tol.eig));
        return Ok(match c.optimum {
            Some(fstar) => (
                Verdict::SpuriousLocalMin,
                format!(
                    "{base} and f − f* = {} > {}: spurious local min",
                    num(c.value - fstar),
                    num(tol.grad)
                ),
            ),
            None => (Verdict::LocalMin, format!("{base}: local min (f* unknown)")),
        });
    }
    higher_order_verdict(f, x, spectrum, lmax, tol.eig, opts)
}

/// Step 5: the null-space probe and what it proves.
fn higher_order_verdict(
    f: &dyn Objective,
    x: &[f64],
    spectrum: &Spectrum,
    lmax: f64,
    eig_tol: f64,
    opts: &ClassifyOptions,
) -> Result<(Verdict, String)> {
    let (null, limited) = null_vectors(f, x, spectrum, eig_tol, opts)?;
    let report = probe_null_space(f, x, &null, opts.spectrum.seed);
    let zero_modes = match spectrum.complete {
        true => format!("{} zero modes beyond symmetry", null.len()),
        false => format!("≥ {} zero modes beyond symmetry", null.len()),
    };
    let limited = if limited {
        " (test limited to the null vectors Lanczos returned)"
    } else {
        ""
    };
    let positive = lmax > eig_tol;
    let descent = report.best_descent();
    let ascent = report.best_ascent();
    let describe = |p: &higher_order::Probe| match p.trend {
        Trend::Descent { order, coefficient } | Trend::Ascent { order, coefficient } => format!(
            "f(x {} t·v) − f(x) ≈ {}·t^{} along {} (fitted order {:.2})",
            if p.sign > 0.0 { "+" } else { "−" },
            num(coefficient),
            order.round(),
            p.direction,
            order
        ),
        _ => String::new(),
    };
    let (verdict, evidence) = match (descent, ascent) {
        (Some(d), a) if positive || a.is_some() => {
            let up = match a {
                Some(a) if !positive => format!("; ascent: {}", describe(a)),
                _ => format!("; λmax = {} > {}", num(lmax), num(eig_tol)),
            };
            (
                Verdict::NonStrictSaddle,
                format!("{}{up}: non-strict saddle", describe(d)),
            )
        }
        (Some(d), _) => (
            Verdict::Degenerate,
            format!(
                "not a minimum ({}), but no ascent in {} probes and no positive eigenvalue: \
                 possibly a degenerate local max, which finitely many probes cannot prove",
                describe(d),
                report.probes.len()
            ),
        ),
        (None, _) => (Verdict::Degenerate, no_descent_reason(&report, positive)),
    };
    Ok((verdict, format!("{zero_modes}{limited}; {evidence}")))
}

/// Why a probe that found no descent is inconclusive.
fn no_descent_reason(report: &ProbeReport, positive: bool) -> String {
    let n = report.probes.len();
    let ascents = report.count(|t| matches!(t, Trend::Ascent { .. }));
    let flat = report.count(|t| matches!(t, Trend::Flat));
    let low_descent = report.count(|t| matches!(t, Trend::LowOrder { sign, .. } if *sign < 0.0));
    if low_descent > 0 {
        format!(
            "f decreases ∝ t² or t along {low_descent} of {n} probes: a negative eigenvalue \
             within the tolerance or a residual gradient; lower --eig-tol or polish the point"
        )
    } else if ascents == n {
        format!(
            "no descent: f increases at order ≥ 3 along all {n} probes: possibly a degenerate \
             local min, which finitely many probes cannot prove"
        )
    } else if flat == n {
        format!(
            "f is flat within rounding along all {n} probes{}: a flat valley, not classifiable",
            if positive {
                ""
            } else {
                " and no eigenvalue is positive"
            }
        )
    } else {
        format!(
            "no descent proven in {n} probes ({ascents} ascending, {flat} flat, {} unsettled)",
            n - ascents - flat
        )
    }
}

/// The unit eigenvectors with |λ| ≤ tol, and whether the search was limited (Lanczos:
/// only the k smallest pairs).
fn null_vectors(
    f: &dyn Objective,
    x: &[f64],
    spectrum: &Spectrum,
    eig_tol: f64,
    opts: &ClassifyOptions,
) -> Result<(Vec<Vec<f64>>, bool)> {
    let dense = spectrum.method == Method::Dense;
    let mut wanted = opts.spectrum.clone();
    wanted.with_vectors = true;
    if dense {
        wanted.method = Method::Dense;
        wanted.k = spectrum.reduced_dim.clamp(1, f.dim());
    }
    let full = hessian_spectrum(f, x, &wanted)?;
    let null = full
        .smallest
        .iter()
        .filter(|p| p.value.abs() <= eig_tol)
        .filter_map(|p| p.vector.clone())
        .collect();
    Ok((null, !dense))
}

/// A unit vector whose largest-magnitude entry is positive (a deterministic sign).
fn oriented_unit(mut v: Vec<f64>) -> Vec<f64> {
    let length = norm(&v);
    let largest = v
        .iter()
        .copied()
        .fold(0.0_f64, |m, a| if a.abs() > m.abs() { a } else { m });
    let scale = if largest < 0.0 {
        -1.0 / length
    } else {
        1.0 / length
    };
    v.iter_mut().for_each(|a| *a *= scale);
    v
}

/// A number for a reason string: fixed point for moderate magnitudes, else scientific.
pub(crate) fn num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if (1e-3..1e4).contains(&a) {
        format!("{v:.6}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.3e}")
    }
}
