//! The Hessian's spectrum with and without batch normalisation, at initialisation and
//! after training (Ghorbani, Krishnan & Xiao 2019, "An investigation into neural net
//! optimization via Hessian eigenvalue density").
//!
//! # The claims
//! Ghorbani et al. find that without batch normalisation a few large eigenvalues, the
//! outliers, separate from the bulk of the spectrum during training, and that batch
//! normalisation removes them (the outliers come from the non-zero mean of the features,
//! which the normalisation subtracts); and that the negative part of the bulk shrinks as
//! training proceeds.
//!
//! # What is measured
//! Two networks of `depth` hidden ReLU layers of `width` units on the digits
//! (cross-entropy), one with batch normalisation and one without, Kaiming-normal weights
//! from the same seed (the networks' layouts differ by γ and β, so their draws differ
//! where the layouts do), each trained by SGD with momentum ([`Sgd`]) with the same
//! settings and minibatch order. At the start and at the end of each (four points), of
//! the full-batch Hessian (batch statistics of the whole training set) in the reduced
//! space (the exact symmetries projected out, [`crate::spectrum`]):
//! - the SLQ spectral density ([`spectral_density`]: `probes` Rademacher probes ×
//!   `lanczos_steps` Lanczos steps, Gaussian smoothing);
//! - the **negative mass**: the quadrature weight of the Ritz nodes below zero
//!   ([`Density::negative_weight`](crate::spectrum::Density)), the SLQ estimate of the
//!   fraction of negative eigenvalues;
//! - the **bulk edge**: the 99% quantile of the SLQ weights (the t where the weight of
//!   the nodes ≤ t first reaches 0.99); a single outlier eigenvalue carries about 1/d of
//!   the weight, so the top 1% is far more than a few outliers;
//! - the top `top` eigenvalues and λmin by restarted Lanczos ([`hessian_spectrum`],
//!   at most `max_hvps` Hessian-vector products; `converged` says whether the residuals
//!   met 10⁻⁸·‖H‖; λmin, much harder to converge among the near-zero eigenvalues, is
//!   then the smallest Ritz value, an upper bound);
//! - the **outliers**: the top eigenvalues above [`OUTLIER_FACTOR`] × the bulk edge, and
//!   the separation λmax / bulk edge.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd};
use crate::experiments::deep::{network, widths, Curve};
use crate::objective::Objective;
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::spectrum::{
    hessian_spectrum, spectral_density, Density, DensityOptions, Method, SpectrumOptions,
};

/// An eigenvalue is an outlier above this many times the bulk edge.
pub const OUTLIER_FACTOR: f64 = 2.0;

/// The bulk edge is this quantile of the SLQ weights.
pub const BULK_QUANTILE: f64 = 0.99;

/// Options of [`bn_spectrum`]; the field names are the flags of `landscape experiment
/// bn-spectrum`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BnSpectrumOptions {
    /// Hidden layers L (default 2).
    pub depth: usize,
    /// Units per hidden layer (default 32).
    pub width: usize,
    /// The seed (default 0).
    pub seed: u64,
    /// The training of both networks (default 1,000 steps of batch 64, η = 0.05,
    /// μ = 0.9, evaluated every 100 steps).
    pub sgd: Sgd,
    /// SLQ probes (default 8).
    pub probes: usize,
    /// Lanczos steps per SLQ probe (default 80).
    pub lanczos_steps: usize,
    /// Top eigenvalues computed by Lanczos (default 10).
    pub top: usize,
    /// Cap on the Hessian-vector products of that Lanczos run (default 600).
    pub max_hvps: usize,
}

impl Default for BnSpectrumOptions {
    fn default() -> Self {
        BnSpectrumOptions {
            depth: 2,
            width: 32,
            seed: 0,
            sgd: Sgd {
                steps: 1000,
                lr: 0.05,
                momentum: 0.9,
                batch_size: 64,
                eval_every: 100,
            },
            probes: 8,
            lanczos_steps: 80,
            top: 10,
            max_hvps: 600,
        }
    }
}

impl BnSpectrumOptions {
    /// The `--quick` size: 2 hidden layers of 12 units, 300 steps, 4 probes × 40 Lanczos
    /// steps, the top 5 eigenvalues within 200 products.
    pub fn quick() -> Self {
        let mut o = BnSpectrumOptions {
            width: 12,
            probes: 4,
            lanczos_steps: 40,
            top: 5,
            max_hvps: 200,
            ..BnSpectrumOptions::default()
        };
        o.sgd.steps = 300;
        o.sgd.eval_every = 50;
        o
    }

    /// Checks the options; errors name the flag.
    pub fn validate(&self) -> Result<()> {
        for (name, v, min) in [
            ("depth", self.depth, 1),
            ("width", self.width, 1),
            ("probes", self.probes, 1),
            ("lanczos-steps", self.lanczos_steps, 2),
            ("top", self.top, 1),
            ("max-hvps", self.max_hvps, 1),
        ] {
            if v < min {
                return Err(Error::invalid(name, format!("an integer ≥ {min}"), v));
            }
        }
        self.sgd.validate()
    }
}

/// The spectrum at one point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpectrumAt {
    /// With batch normalisation.
    pub batch_norm: bool,
    /// After training (false: at the start).
    pub trained: bool,
    /// The full-batch training loss there.
    pub loss: f64,
    /// The SLQ density.
    pub density: Density,
    /// The SLQ estimate of the fraction of negative eigenvalues.
    pub negative_mass: f64,
    /// The 99% quantile of the SLQ weights.
    pub bulk_edge: f64,
    /// The largest eigenvalues by Lanczos, descending.
    pub top: Vec<f64>,
    /// λmin by Lanczos (the smallest Ritz value when not converged).
    pub lambda_min: f64,
    /// The Lanczos run met its tolerance.
    pub converged: bool,
    /// The top eigenvalues above [`OUTLIER_FACTOR`] × the bulk edge.
    pub outliers: usize,
    /// λmax / bulk edge.
    pub separation: f64,
}

impl SpectrumAt {
    /// λmax (the first of `top`).
    pub fn lambda_max(&self) -> f64 {
        self.top.first().copied().unwrap_or(f64::NAN)
    }

    /// A name for tables and legends: `no BN, init` etc.
    pub fn name(&self) -> String {
        format!(
            "{}, {}",
            if self.batch_norm { "BN" } else { "no BN" },
            if self.trained { "trained" } else { "init" }
        )
    }
}

/// The report (the JSON of `landscape experiment bn-spectrum`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BnSpectrumReport {
    /// The options.
    pub options: BnSpectrumOptions,
    /// Parameters without and with batch normalisation.
    pub parameters: [usize; 2],
    /// The two trainings (without, with batch normalisation).
    pub curves: [Curve; 2],
    /// no BN at init, no BN trained, BN at init, BN trained.
    pub spectra: Vec<SpectrumAt>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl BnSpectrumReport {
    /// The spectrum of one network at one point.
    pub fn at(&self, batch_norm: bool, trained: bool) -> &SpectrumAt {
        &self.spectra[2 * usize::from(batch_norm) + usize::from(trained)]
    }
}

/// The network, with or without batch normalisation.
pub fn spectrum_network(depth: usize, width: usize, batch_norm: bool) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(depth, width)),
        ("activation", "relu".into()),
        ("norm", if batch_norm { "batch" } else { "none" }.into()),
        ("loss", "cross_entropy".into()),
    ])
}

/// Runs the experiment.
///
/// Errors: invalid options (naming the flag).
pub fn bn_spectrum(options: &BnSpectrumOptions) -> Result<BnSpectrumReport> {
    bn_spectrum_with_progress(options, &Silent)
}

/// [`bn_spectrum`], telling `progress` of each training and each spectrum (task
/// `bn-spectrum`, 6 steps).
pub fn bn_spectrum_with_progress(
    options: &BnSpectrumOptions,
    progress: &dyn Progress,
) -> Result<BnSpectrumReport> {
    options.validate()?;
    let nets = [
        spectrum_network(options.depth, options.width, false)?,
        spectrum_network(options.depth, options.width, true)?,
    ];
    options.sgd.check_batch_size(nets[0].train().samples)?;
    progress.start("bn-spectrum", 6);
    let (init_seed, batch_seed) = run_seeds(options.seed, 0);
    let trained = nets
        .par_iter()
        .map(|f| -> Result<(Vec<f64>, Vec<f64>, Curve)> {
            let x0 = f.initialise("kaiming_normal", init_seed)?;
            let t = options.sgd.train(f, &x0, batch_seed)?;
            progress.advance(1);
            Ok((x0, t.final_state.x.clone(), Curve::of(&t)))
        })
        .collect::<Result<Vec<_>>>()?;
    let jobs: Vec<(usize, bool)> = vec![(0, false), (0, true), (1, false), (1, true)];
    let spectra = jobs
        .par_iter()
        .map(|&(n, after)| {
            let x = if after { &trained[n].1 } else { &trained[n].0 };
            let s = spectrum_at(&nets[n], x, n == 1, after, options);
            progress.advance(1);
            s
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let claims = claims(&spectra);
    let mut curves = trained.into_iter().map(|t| t.2);
    Ok(BnSpectrumReport {
        options: options.clone(),
        parameters: [nets[0].dim(), nets[1].dim()],
        curves: [
            curves.next().unwrap_or_default(),
            curves.next().unwrap_or_default(),
        ],
        spectra,
        claims,
    })
}

/// The `q`-quantile of the SLQ weights: the smallest node t with weight(nodes ≤ t) ≥ q.
pub fn weight_quantile(density: &Density, q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = density
        .nodes
        .iter()
        .copied()
        .zip(density.weights.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for &(t, w) in &pairs {
        acc += w;
        if acc >= q * total {
            return t;
        }
    }
    pairs.last().map_or(f64::NAN, |p| p.0)
}

fn spectrum_at(
    f: &Mlp,
    x: &[f64],
    batch_norm: bool,
    trained: bool,
    o: &BnSpectrumOptions,
) -> Result<SpectrumAt> {
    let density = spectral_density(
        f,
        x,
        &DensityOptions {
            probes: o.probes,
            steps: o.lanczos_steps,
            seed: o.seed,
            ..DensityOptions::default()
        },
    )?;
    let spectrum = hessian_spectrum(
        f,
        x,
        &SpectrumOptions {
            method: Method::Lanczos,
            k: o.top.min(f.dim()),
            max_hvps: o.max_hvps,
            seed: o.seed,
            ..SpectrumOptions::default()
        },
    )?;
    let top: Vec<f64> = spectrum.largest.iter().map(|p| p.value).collect();
    let bulk_edge = weight_quantile(&density, BULK_QUANTILE);
    let lambda_max = top.first().copied().unwrap_or(f64::NAN);
    Ok(SpectrumAt {
        batch_norm,
        trained,
        loss: f.value(x),
        negative_mass: density.negative_weight,
        bulk_edge,
        outliers: top
            .iter()
            .filter(|&&l| l > OUTLIER_FACTOR * bulk_edge)
            .count(),
        separation: lambda_max / bulk_edge,
        lambda_min: spectrum.smallest.first().map_or(f64::NAN, |p| p.value),
        converged: spectrum.converged,
        top,
        density,
    })
}

fn claims(s: &[SpectrumAt]) -> Vec<Claim> {
    let at = |bn: bool, trained: bool| &s[2 * usize::from(bn) + usize::from(trained)];
    let facts = |x: &SpectrumAt| {
        json!({
            "outliers": x.outliers,
            "lambda_max": x.lambda_max(),
            "bulk_edge": x.bulk_edge,
            "separation": x.separation,
        })
    };
    let (plain_t, bn_t) = (at(false, true), at(true, true));
    let (plain_0, bn_0) = (at(false, false), at(true, false));
    vec![
        Claim::new(
            format!(
                "Without batch normalisation, after training, a few large eigenvalues \
                 separate from the bulk (outliers: above {OUTLIER_FACTOR}× the bulk edge, the \
                 {BULK_QUANTILE} quantile of the SLQ density)"
            ),
            plain_t.outliers >= 1,
            facts(plain_t),
        ),
        Claim::new(
            "Batch normalisation removes the outliers: with it, at the start and after \
             training, fewer outliers and λmax closer to the bulk edge than without",
            [(bn_0, plain_0), (bn_t, plain_t)]
                .iter()
                .all(|(b, p)| b.outliers < p.outliers && b.separation < p.separation),
            json!({
                "init": {"no_bn": facts(plain_0), "bn": facts(bn_0)},
                "trained": {"no_bn": facts(plain_t), "bn": facts(bn_t)},
            }),
        ),
        Claim::new(
            "The negative mass of the spectrum (SLQ weight of the Ritz values below 0) \
             shrinks with training, with and without batch normalisation",
            plain_t.negative_mass < plain_0.negative_mass
                && bn_t.negative_mass < bn_0.negative_mass,
            json!({
                "no_bn": [plain_0.negative_mass, plain_t.negative_mass],
                "bn": [bn_0.negative_mass, bn_t.negative_mass],
                "order": "[init, trained]",
            }),
        ),
    ]
}

impl fmt::Display for BnSpectrumReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Ghorbani et al. 2019: {} hidden ReLU layers of {} units ({} parameters without, \
             {} with batch normalisation), digits; heavy_ball η = {}, μ = {}, batch {}, {} \
             steps; SLQ {} probes × {} Lanczos steps; top {} eigenvalues by Lanczos (≤ {} \
             products)",
            o.depth,
            o.width,
            self.parameters[0],
            self.parameters[1],
            o.sgd.lr,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.probes,
            o.lanczos_steps,
            o.top,
            o.max_hvps
        )?;
        writeln!(
            out,
            "{:<15} {:>8} {:>10} {:>11} {:>10} {:>10} {:>10} {:>8} {:>9}  top eigenvalues",
            "network",
            "loss",
            "neg. mass",
            "λmin",
            "bulk edge",
            "λmax",
            "λmax/edge",
            "outliers",
            "converged"
        )?;
        for s in &self.spectra {
            let top: Vec<String> = s.top.iter().map(|v| format!("{v:.3}")).collect();
            writeln!(
                out,
                "{:<15} {:>8.4} {:>10.4} {:>11.3e} {:>10.4} {:>10.4} {:>10.2} {:>8} {:>9}  {}",
                s.name(),
                s.loss,
                s.negative_mass,
                s.lambda_min,
                s.bulk_edge,
                s.lambda_max(),
                s.separation,
                s.outliers,
                s.converged,
                top.join(" ")
            )?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_reads_the_cumulative_weight() {
        let d = Density {
            grid: vec![0.0, 1.0],
            density: vec![0.0, 0.0],
            sigma: 1.0,
            nodes: vec![3.0, -1.0, 0.5, 10.0],
            weights: vec![0.2, 0.1, 0.69, 0.01],
            negative_weight: 0.1,
            zero_tol: 1e-6,
            probes: 1,
            steps: 4,
            reduced_dim: 4,
            hvp_count: 4,
        };
        assert_eq!(weight_quantile(&d, 0.5), 0.5);
        assert_eq!(weight_quantile(&d, 0.98), 3.0);
        assert_eq!(weight_quantile(&d, 1.0), 10.0);
        assert_eq!(weight_quantile(&d, 0.05), -1.0);
    }
}
