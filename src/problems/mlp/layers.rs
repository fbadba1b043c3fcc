//! The per-layer view of a network at θ on its training set: what the vanishing- and
//! exploding-gradient experiments read.
//!
//! For each layer l = 1…L+1 (L + 1 is the output layer): the mean and variance over all
//! samples and units of the pre-activations Zₗ and of the activations Aₗ (the output
//! layer's are Ŷ); for ReLU layers the fraction of *dead* units (Uₗ ≤ 0 on every sample,
//! so the unit passes no gradient), for tanh and sigmoid the fraction of *saturated*
//! cells (|tanh u| ≥ 0.99, or σ(u) ∉ (0.01, 0.99)); and the norms of the gradient with
//! respect to the layer's weights (W, or v under weight normalisation), its bias, and its
//! output Aₗ (‖∂f/∂Aₗ‖, backpropagated to that layer), with ‖∇W‖/‖W‖.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::activation::Activation;
use super::Mlp;
use crate::objective::Objective;

/// One layer's statistics (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// l, 1-based; the output layer is L + 1.
    pub layer: usize,
    /// Width nₗ.
    pub width: usize,
    /// The activation (`output` for the output layer).
    pub activation: String,
    /// The normalisation.
    pub norm: String,
    /// Mean of Zₗ.
    pub pre_activation_mean: f64,
    /// Variance of Zₗ.
    pub pre_activation_variance: f64,
    /// Mean of Aₗ.
    pub activation_mean: f64,
    /// Variance of Aₗ.
    pub activation_variance: f64,
    /// Fraction of dead units (ReLU layers).
    pub dead_fraction: Option<f64>,
    /// Fraction of saturated cells (tanh, sigmoid layers).
    pub saturated_fraction: Option<f64>,
    /// ‖∂f/∂W‖ (or ‖∂f/∂v‖).
    pub grad_weight_norm: f64,
    /// ‖∂f/∂b‖ (layers with a bias).
    pub grad_bias_norm: Option<f64>,
    /// ‖∂f/∂Aₗ‖ (hidden layers; for the output layer ‖∂f/∂Ŷ‖).
    pub grad_output_norm: f64,
    /// ‖W‖ (or ‖v‖).
    pub weight_norm: f64,
    /// ‖∂f/∂W‖/‖W‖ (infinite when W = 0 and the gradient is not).
    pub grad_to_weight: f64,
}

/// The per-layer view of a network at a point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    /// f(θ).
    pub value: f64,
    /// ‖∇f(θ)‖.
    pub grad_norm: f64,
    /// One entry per layer, input side first.
    pub layers: Vec<LayerStats>,
}

fn mean_variance(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    (mean, v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

impl Mlp {
    /// The per-layer view at θ (module doc).
    pub fn layer_report(&self, x: &[f64]) -> LayerReport {
        let arch = self.architecture();
        let data = self.train();
        let n_s = data.samples;
        let mut grad = vec![0.0; self.dim()];
        self.with_workspace(|ws| {
            // One pass leaves both ∇f and every layer's buffers in the workspace.
            arch.forward(x, None, &data.x, n_s, ws, None);
            let value = arch.loss(&data.y, n_s, false, ws) + self.l2_term(x);
            arch.backward(x, None, &data.x, n_s, ws, &mut grad);
            let hidden = arch.hidden();
            let layers = (1..=hidden + 1)
                .map(|l| {
                    let n = arch.dims[l];
                    let len = n_s * n;
                    let p = &arch.layers[l - 1];
                    let w = p.w..p.w + n * arch.dims[l - 1];
                    let (z, a): (&[f64], &[f64]) = if l <= hidden {
                        (&ws.z[l - 1][..len], &ws.a[l - 1][..len])
                    } else {
                        (&ws.out[..len], &ws.out[..len])
                    };
                    let (zm, zv) = mean_variance(z);
                    let (am, av) = mean_variance(a);
                    let activation = arch.activations.get(l - 1).copied();
                    let dead_fraction = match activation {
                        Some(Activation::Relu) => {
                            let u = &ws.u[l - 1][..len];
                            let dead = (0..n)
                                .filter(|&j| (0..n_s).all(|i| u[i * n + j] <= 0.0))
                                .count();
                            Some(dead as f64 / n as f64)
                        }
                        _ => None,
                    };
                    let saturated_fraction = match activation {
                        Some(Activation::Tanh) => {
                            Some(a.iter().filter(|v| v.abs() >= 0.99).count() as f64 / len as f64)
                        }
                        Some(Activation::Sigmoid) => Some(
                            a.iter().filter(|&&v| v <= 0.01 || v >= 0.99).count() as f64
                                / len as f64,
                        ),
                        _ => None,
                    };
                    let grad_weight_norm = norm(&grad[w.clone()]);
                    let weight_norm = norm(&x[w]);
                    let grad_output_norm = if l <= hidden {
                        ws.d_a_norms[l - 1]
                    } else {
                        norm(ws.output_gradient(n_s, n))
                    };
                    LayerStats {
                        layer: l,
                        width: n,
                        activation: activation.map_or("output", Activation::name).to_string(),
                        norm: if l <= hidden {
                            arch.norms[l - 1].name()
                        } else {
                            "none"
                        }
                        .to_string(),
                        pre_activation_mean: zm,
                        pre_activation_variance: zv,
                        activation_mean: am,
                        activation_variance: av,
                        dead_fraction,
                        saturated_fraction,
                        grad_weight_norm,
                        grad_bias_norm: p.b.map(|b| norm(&grad[b..b + n])),
                        grad_output_norm,
                        weight_norm,
                        grad_to_weight: if weight_norm > 0.0 {
                            grad_weight_norm / weight_norm
                        } else if grad_weight_norm > 0.0 {
                            f64::INFINITY
                        } else {
                            0.0
                        },
                    }
                })
                .collect();
            LayerReport {
                value,
                grad_norm: norm(&grad),
                layers,
            }
        })
    }
}

impl fmt::Display for LayerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "value      {:.12e}", self.value)?;
        writeln!(f, "grad_norm  {:.6e}", self.grad_norm)?;
        writeln!(
            f,
            "{:>5} {:>6} {:>10} {:>8} {:>11} {:>11} {:>11} {:>11} {:>7} {:>11} {:>11} {:>11} {:>11}",
            "layer", "width", "activation", "norm", "mean z", "var z", "mean a", "var a", "dead/sat", "‖∇W‖", "‖∇b‖", "‖∂f/∂A‖", "‖∇W‖/‖W‖"
        )?;
        for s in &self.layers {
            let frac = s
                .dead_fraction
                .or(s.saturated_fraction)
                .map_or("-".to_string(), |v| format!("{v:.3}"));
            let bias = s
                .grad_bias_norm
                .map_or("-".to_string(), |v| format!("{v:.4e}"));
            writeln!(
                f,
                "{:>5} {:>6} {:>10} {:>8} {:>11.4e} {:>11.4e} {:>11.4e} {:>11.4e} {:>7} {:>11.4e} {:>11} {:>11.4e} {:>11.4e}",
                s.layer,
                s.width,
                s.activation,
                s.norm,
                s.pre_activation_mean,
                s.pre_activation_variance,
                s.activation_mean,
                s.activation_variance,
                frac,
                s.grad_weight_norm,
                bias,
                s.grad_output_norm,
                s.grad_to_weight
            )?;
        }
        writeln!(
            f,
            "dead/sat: fraction of dead ReLU units, or of saturated tanh/sigmoid cells"
        )
    }
}
