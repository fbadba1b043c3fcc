//! Noisy batch normalisation (Santurkar, Tsipras, Ilyas & Madry 2018, §2.1 and
//! Appendix): after every batch-normalisation layer each activation of each sample is
//! perturbed by i.i.d. noise of non-zero mean and non-unit variance, whose distribution
//! is itself resampled at every step — a distribution shift injected on purpose.
//!
//! # The noise
//! At every step (every minibatch gradient), for every batch-normalised hidden layer l
//! and every unit j, the noise's distribution is drawn:
//!
//!   μⱼ ~ U(−a, a)  (the additive noise's mean),  cⱼ ~ U(1, b)  (the multiplicative
//!   noise's mean),
//!
//! then for every sample i of the minibatch, with ξᵢⱼ, ζᵢⱼ ~ N(0, 1) independent,
//!
//!   mᵢⱼ = μⱼ + √v·ξᵢⱼ,  sᵢⱼ = cⱼ + √v·ζᵢⱼ,  u′ᵢⱼ = sᵢⱼ·uᵢⱼ + mᵢⱼ,
//!
//! where u = γ ⊙ ẑ + β is the layer's batch-normalised output and u′ what its activation
//! receives. a = [`NoiseSettings::mean`] (> 0), b = [`NoiseSettings::scale`] (≥ 1),
//! v = [`NoiseSettings::variance`] (> 0). So the layer's output distribution moves at
//! every step: its per-unit mean to cⱼ·E\[u\] + μⱼ, its spread by a factor about cⱼ.
//!
//! # The gradient
//! The noise is a constant of the step: the minibatch loss f_B(θ; S, M) is a function of
//! θ for the draw (S, M), and its exact gradient is backpropagation through u′ = s ⊙ u +
//! m, ∂f/∂u = s ⊙ ∂f/∂u′ ([`super::network`]). [`NoisyBatchNorm`] wraps an [`Mlp`] as a
//! [`FiniteSum`] whose minibatch gradients are those of the noisy network with a fresh
//! draw at every call (from a seeded generator: a run is deterministic), so the run
//! loop trains it unchanged. Its `value`, `gradient` and `hvp` are the clean full-batch
//! objective of the wrapped network (training-set statistics, no noise), and so are the
//! run loop's evaluations and test metrics.

use std::sync::Mutex;

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::network::LayerNoise;
use super::norm::Norm;
use super::Mlp;
use crate::error::{Error, Result};
use crate::objective::{FiniteSum, Layout, Objective, TestMetrics};
use crate::random::rng;
use crate::random::Generator;

/// The noise's magnitudes (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseSettings {
    /// a: the additive noise's mean is drawn from U(−a, a) per step and unit (> 0).
    pub mean: f64,
    /// b: the multiplicative noise's mean is drawn from U(1, b) per step and unit (≥ 1).
    pub scale: f64,
    /// v: the variance of both noises per sample around their means (> 0).
    pub variance: f64,
}

impl Default for NoiseSettings {
    /// a = 1, b = 2, v = 0.25.
    fn default() -> Self {
        NoiseSettings {
            mean: 1.0,
            scale: 2.0,
            variance: 0.25,
        }
    }
}

impl NoiseSettings {
    /// Checks the magnitudes; errors name the flag (`noise-mean`, `noise-scale`,
    /// `noise-variance`).
    pub fn validate(&self) -> Result<()> {
        if !(self.mean.is_finite() && self.mean > 0.0) {
            return Err(Error::invalid(
                "noise-mean",
                "a positive finite number",
                self.mean,
            ));
        }
        if !(self.scale.is_finite() && self.scale >= 1.0) {
            return Err(Error::invalid(
                "noise-scale",
                "a finite number ≥ 1",
                self.scale,
            ));
        }
        if !(self.variance.is_finite() && self.variance > 0.0) {
            return Err(Error::invalid(
                "noise-variance",
                "a positive finite number",
                self.variance,
            ));
        }
        Ok(())
    }

    /// Draws the noise of one step into `noise` for a batch of `samples` on the
    /// batch-normalised layers of `norms` (widths `dims[1..]`); the other layers get
    /// none. Reuses the buffers.
    pub fn draw(
        &self,
        rng: &mut Generator,
        norms: &[Norm],
        dims: &[usize],
        samples: usize,
        noise: &mut LayerNoise,
    ) {
        let hidden = norms.len();
        noise.scale.resize_with(hidden, Vec::new);
        noise.shift.resize_with(hidden, Vec::new);
        let sd = self.variance.sqrt();
        for l in 0..hidden {
            let (scale, shift) = (&mut noise.scale[l], &mut noise.shift[l]);
            scale.clear();
            shift.clear();
            if norms[l] != Norm::Batch {
                continue;
            }
            let n = dims[l + 1];
            scale.resize(samples * n, 0.0);
            shift.resize(samples * n, 0.0);
            for j in 0..n {
                let mu: f64 = rng.random_range(-self.mean..self.mean);
                let c: f64 = if self.scale > 1.0 {
                    rng.random_range(1.0..self.scale)
                } else {
                    1.0
                };
                for i in 0..samples {
                    let xi: f64 = rng.sample(StandardNormal);
                    let zeta: f64 = rng.sample(StandardNormal);
                    shift[i * n + j] = mu + sd * xi;
                    scale[i * n + j] = c + sd * zeta;
                }
            }
        }
    }
}

/// A generator and the noise buffers it fills.
#[derive(Debug)]
struct NoiseState {
    rng: Generator,
    noise: LayerNoise,
}

/// An [`Mlp`] with batch normalisation, trained with noise after its batch-normalisation
/// layers (module doc): minibatch gradients of the noisy network, a fresh draw per call;
/// `value`, `gradient`, `hvp` and the test metrics of the clean network.
#[derive(Debug)]
pub struct NoisyBatchNorm<'a> {
    mlp: &'a Mlp,
    settings: NoiseSettings,
    state: Mutex<NoiseState>,
}

impl<'a> NoisyBatchNorm<'a> {
    /// The noisy version of `mlp`, its noise drawn from `seed`.
    ///
    /// Errors: invalid settings (naming the flag).
    pub fn new(mlp: &'a Mlp, settings: NoiseSettings, seed: u64) -> Result<Self> {
        settings.validate()?;
        Ok(NoisyBatchNorm {
            mlp,
            settings,
            state: Mutex::new(NoiseState {
                rng: rng(seed),
                noise: LayerNoise::default(),
            }),
        })
    }

    /// The wrapped network.
    pub fn mlp(&self) -> &Mlp {
        self.mlp
    }

    /// The noise's magnitudes.
    pub fn settings(&self) -> NoiseSettings {
        self.settings
    }

    /// f_B and ∇f_B on the training rows `batch` with the given noise draw (which
    /// must fit the batch); what every minibatch gradient computes after drawing.
    pub fn batch_value_and_gradient_with(
        &self,
        x: &[f64],
        batch: &[usize],
        noise: &mut LayerNoise,
        grad: &mut [f64],
    ) -> f64 {
        self.mlp.batch_pass(x, batch, grad, Some(noise))
    }

    /// A fresh draw for a batch of `samples`, from the wrapper's generator.
    pub fn draw(&self, samples: usize) -> LayerNoise {
        let mut noise = LayerNoise::default();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let arch = self.mlp.architecture();
        self.settings
            .draw(&mut state.rng, &arch.norms, &arch.dims, samples, &mut noise);
        noise
    }

    /// The hidden layers' outputs U′ (what each activation receives) at θ on the
    /// training rows `rows` as one batch (batch statistics of these rows), with `noise`
    /// injected when given: per hidden layer an N × nₗ row-major matrix.
    pub fn hidden_outputs(
        &self,
        x: &[f64],
        rows: &[usize],
        noise: Option<LayerNoise>,
    ) -> Vec<Vec<f64>> {
        let mlp = self.mlp;
        let arch = mlp.architecture();
        let d = mlp.train();
        let p = d.inputs;
        let batch: Vec<f64> = rows
            .iter()
            .flat_map(|&i| d.x[i * p..(i + 1) * p].iter().copied())
            .collect();
        mlp.with_workspace(|ws| {
            ws.noise = noise;
            arch.forward(x, None, &batch, rows.len(), ws, None);
            ws.noise = None;
            (1..=arch.hidden())
                .map(|l| ws.u[l - 1][..rows.len() * arch.dims[l]].to_vec())
                .collect()
        })
    }
}

impl Objective for NoisyBatchNorm<'_> {
    fn kind(&self) -> &'static str {
        "mlp"
    }

    fn dim(&self) -> usize {
        self.mlp.dim()
    }

    /// The clean full-batch objective f(θ) (no noise).
    fn value(&self, x: &[f64]) -> f64 {
        self.mlp.value(x)
    }

    /// ∇f of the clean full-batch objective.
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        self.mlp.gradient(x, grad);
    }

    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.mlp.value_and_gradient(x, grad)
    }

    /// ∇²f·v of the clean full-batch objective.
    fn hvp(&self, x: &[f64], v: &[f64], out: &mut [f64]) {
        self.mlp.hvp(x, v, out);
    }

    fn layout(&self) -> Layout {
        self.mlp.layout()
    }

    fn as_finite_sum(&self) -> Option<&dyn FiniteSum> {
        Some(self)
    }
}

impl FiniteSum for NoisyBatchNorm<'_> {
    fn samples(&self) -> usize {
        self.mlp.train().samples
    }

    /// The noisy minibatch loss and its gradient, with a fresh draw of the noise.
    fn batch_value_and_gradient(&self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let NoiseState { rng, noise } = &mut *state;
        let arch = self.mlp.architecture();
        self.settings
            .draw(rng, &arch.norms, &arch.dims, batch.len(), noise);
        self.mlp.batch_pass(x, batch, grad, Some(noise))
    }

    fn test_metrics(&self, x: &[f64]) -> Option<TestMetrics> {
        self.mlp.test_metrics(x)
    }

    fn test_protocol(&self) -> String {
        self.mlp.test_protocol()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::deep::{network, widths};

    fn small() -> Mlp {
        network(&[
            ("data", "spiral".into()),
            ("samples", 40.into()),
            ("widths", widths(2, 6)),
            ("activation", "tanh".into()),
            ("norm", "batch".into()),
        ])
        .unwrap()
    }

    /// The noisy minibatch gradient for a fixed draw against central differences of
    /// the noisy minibatch loss with the same draw.
    #[test]
    fn the_noisy_minibatch_gradient_matches_differences() {
        let f = small();
        let noisy = NoisyBatchNorm::new(&f, NoiseSettings::default(), 3).unwrap();
        let x = f.initialise("kaiming_normal", 1).unwrap();
        let batch = [3, 7, 11, 19, 23, 31];
        let mut noise = noisy.draw(batch.len());
        assert!(noise.scale.iter().all(|s| s.len() == batch.len() * 6));
        let mut grad = vec![0.0; f.dim()];
        let value = noisy.batch_value_and_gradient_with(&x, &batch, &mut noise, &mut grad);
        let mut scratch = vec![0.0; f.dim()];
        let clean = f.batch_value_and_gradient(&x, &batch, &mut scratch);
        assert!((value - clean).abs() > 1e-3, "the noise changes the loss");
        let h = 1e-6;
        for k in 0..f.dim() {
            let mut at = |t: f64| {
                let mut y = x.clone();
                y[k] += t;
                noisy.batch_value_and_gradient_with(&y, &batch, &mut noise, &mut scratch)
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (grad[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "∂f/∂θ[{k}]: {} vs {fd}",
                grad[k]
            );
        }
        // The wrapper's full-batch objective is the clean one.
        assert_eq!(noisy.value(&x), f.value(&x));
    }

    /// Hessian-vector products through a fixed noise draw (the R-operator's noise lines)
    /// against differences of the noisy gradient.
    #[test]
    fn the_noisy_hvp_matches_differences_of_the_gradient() {
        let f = small();
        let noisy = NoisyBatchNorm::new(&f, NoiseSettings::default(), 5).unwrap();
        let arch = f.architecture();
        let x = f.initialise("kaiming_normal", 2).unwrap();
        let v: Vec<f64> = (0..f.dim()).map(|i| (i as f64 * 0.7).sin()).collect();
        let rows: Vec<usize> = (0..8).collect();
        let noise = noisy.draw(rows.len());
        let d = f.train();
        let bx: Vec<f64> = rows
            .iter()
            .flat_map(|&i| d.x[i * d.inputs..(i + 1) * d.inputs].to_vec())
            .collect();
        let by: Vec<f64> = rows
            .iter()
            .flat_map(|&i| d.y[i * d.outputs..(i + 1) * d.outputs].to_vec())
            .collect();
        let mut ws = super::super::network::Workspace::default();
        ws.noise = Some(noise);
        let n = rows.len();
        let mut pass = |theta: &[f64], dir: Option<&[f64]>| {
            let mut out = vec![0.0; f.dim()];
            arch.forward(theta, dir, &bx, n, &mut ws, None);
            arch.loss(&by, n, dir.is_some(), &mut ws);
            arch.backward(theta, dir, &bx, n, &mut ws, &mut out);
            out
        };
        let hv = pass(&x, Some(&v));
        let h = 1e-5;
        let shifted = |t: f64| -> Vec<f64> { x.iter().zip(&v).map(|(a, b)| a + t * b).collect() };
        let gp = pass(&shifted(h), None);
        let gm = pass(&shifted(-h), None);
        for k in 0..f.dim() {
            let fd = (gp[k] - gm[k]) / (2.0 * h);
            assert!(
                (hv[k] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "(∇²f v)[{k}]: {} vs {fd}",
                hv[k]
            );
        }
    }

    #[test]
    fn the_settings_refuse_a_variance_that_is_not_positive() {
        for (s, flag) in [
            (
                NoiseSettings {
                    variance: 0.0,
                    ..NoiseSettings::default()
                },
                "noise-variance",
            ),
            (
                NoiseSettings {
                    mean: -1.0,
                    ..NoiseSettings::default()
                },
                "noise-mean",
            ),
            (
                NoiseSettings {
                    scale: 0.5,
                    ..NoiseSettings::default()
                },
                "noise-scale",
            ),
        ] {
            let e = s.validate().unwrap_err().to_string();
            assert!(e.contains(flag), "{e}");
        }
    }
}
