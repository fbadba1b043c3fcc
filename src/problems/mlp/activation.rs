//! Activation functions φ with their first and second derivatives, and the gain that
//! `torch.nn.init.calculate_gain` assigns to each (used by Xavier and Kaiming
//! initialisation).
//!
//! | name         | φ(z)                         | φ′(z)                 | φ″(z)                 | gain        |
//! |--------------|------------------------------|-----------------------|-----------------------|-------------|
//! | `linear`     | z                            | 1                     | 0                     | 1           |
//! | `relu`       | max(z, 0)                    | 1\[z > 0\]            | 0                     | √2          |
//! | `leaky_relu` | z (z > 0), αz (z ≤ 0)        | 1 or α                | 0                     | √(2/(1+α²)) |
//! | `tanh`       | tanh z                       | 1 − φ²                | −2φ(1 − φ²)           | 5/3         |
//! | `sigmoid`    | σ(z) = 1/(1 + e⁻ᶻ)           | σ(1 − σ)              | σ(1 − σ)(1 − 2σ)      | 1           |
//! | `quadratic`  | z²                           | 2z                    | 2                     | 1           |
//! | `softplus`   | ln(1 + eᶻ)                   | σ(z)                  | σ(1 − σ)              | 1           |
//! | `gelu`       | z Φ(z)                       | Φ(z) + z ϕ(z)         | ϕ(z)(2 − z²)          | 1           |
//!
//! Φ and ϕ are the standard normal distribution and density (gelu in its exact erf form,
//! torch's default `approximate='none'`). ReLU and leaky ReLU are not differentiable at
//! 0; the convention is torch's: φ′(0) = 0 for relu (α for leaky_relu), φ″ = 0
//! everywhere. softplus is evaluated stably (ln(1 + eᶻ) = max(z, 0) + ln(1 + e^{−|z|}));
//! torch's `Softplus` switches to z above 20, a difference below 2·10⁻⁹.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An activation function (the spec's `activation`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// φ(z) = z.
    Linear,
    /// φ(z) = max(z, 0).
    Relu,
    /// φ(z) = z for z > 0, αz otherwise (α = the spec's `slope`).
    LeakyRelu(f64),
    /// φ(z) = tanh z.
    Tanh,
    /// φ(z) = 1/(1 + e⁻ᶻ).
    Sigmoid,
    /// φ(z) = z².
    Quadratic,
    /// φ(z) = ln(1 + eᶻ).
    Softplus,
    /// φ(z) = z Φ(z).
    Gelu,
}

/// The activation names the spec accepts.
pub const NAMES: &str = "linear, relu, leaky_relu, tanh, sigmoid, quadratic, softplus, gelu";

const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

fn normal_pdf(z: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * z * z).exp()
}

impl Activation {
    /// Parses a name; `slope` is leaky_relu's α.
    pub fn parse(name: &str, slope: f64) -> Result<Self> {
        Ok(match name {
            "linear" => Activation::Linear,
            "relu" => Activation::Relu,
            "leaky_relu" => Activation::LeakyRelu(slope),
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "quadratic" => Activation::Quadratic,
            "softplus" => Activation::Softplus,
            "gelu" => Activation::Gelu,
            other => {
                return Err(Error::invalid(
                    "activation",
                    format!("one of {NAMES}"),
                    format!("`{other}`"),
                ))
            }
        })
    }

    /// The registry name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Quadratic => "quadratic",
            Activation::Softplus => "softplus",
            Activation::Gelu => "gelu",
        }
    }

    /// φ(z).
    #[inline]
    pub fn value(self, z: f64) -> f64 {
        match self {
            Activation::Linear => z,
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu(a) => {
                if z > 0.0 {
                    z
                } else {
                    a * z
                }
            }
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => sigmoid(z),
            Activation::Quadratic => z * z,
            Activation::Softplus => z.max(0.0) + (-z.abs()).exp().ln_1p(),
            Activation::Gelu => z * normal_cdf(z),
        }
    }

    /// (φ′(z), φ″(z)).
    #[inline]
    pub fn derivatives(self, z: f64) -> (f64, f64) {
        match self {
            Activation::Linear => (1.0, 0.0),
            Activation::Relu => (if z > 0.0 { 1.0 } else { 0.0 }, 0.0),
            Activation::LeakyRelu(a) => (if z > 0.0 { 1.0 } else { a }, 0.0),
            Activation::Tanh => {
                let t = z.tanh();
                let d = 1.0 - t * t;
                (d, -2.0 * t * d)
            }
            Activation::Sigmoid => {
                let s = sigmoid(z);
                let d = s * (1.0 - s);
                (d, d * (1.0 - 2.0 * s))
            }
            Activation::Quadratic => (2.0 * z, 2.0),
            Activation::Softplus => {
                let s = sigmoid(z);
                (s, s * (1.0 - s))
            }
            Activation::Gelu => {
                let pdf = normal_pdf(z);
                (normal_cdf(z) + z * pdf, pdf * (2.0 - z * z))
            }
        }
    }

    /// torch.nn.init.calculate_gain for this nonlinearity (1 where torch has no entry).
    pub fn gain(self) -> f64 {
        match self {
            Activation::Relu => std::f64::consts::SQRT_2,
            Activation::LeakyRelu(a) => (2.0 / (1.0 + a * a)).sqrt(),
            Activation::Tanh => 5.0 / 3.0,
            _ => 1.0,
        }
    }

    /// True for the activations whose units can be dead (zero derivative on a half-line).
    pub fn can_die(self) -> bool {
        matches!(self, Activation::Relu)
    }

    /// True for the activations that saturate (derivative → 0 as |z| → ∞).
    pub fn saturates(self) -> bool {
        matches!(self, Activation::Tanh | Activation::Sigmoid)
    }
}

/// The spec's `activation`: one name for every hidden layer, or one per layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PerLayer {
    /// The same for every hidden layer.
    One(String),
    /// One per hidden layer.
    Each(Vec<String>),
}

impl PerLayer {
    /// The names for `layers` hidden layers; `field` names the spec field in errors.
    pub fn expand(&self, layers: usize, field: &str) -> Result<Vec<String>> {
        match self {
            PerLayer::One(name) => Ok(vec![name.clone(); layers]),
            PerLayer::Each(names) if names.len() == layers => Ok(names.clone()),
            PerLayer::Each(names) => Err(Error::invalid(
                field,
                format!("one name, or a list of {layers} (one per hidden layer)"),
                format!("a list of {}", names.len()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Activation; 8] = [
        Activation::Linear,
        Activation::Relu,
        Activation::LeakyRelu(0.1),
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Quadratic,
        Activation::Softplus,
        Activation::Gelu,
    ];

    #[test]
    fn derivatives_match_central_differences() {
        let h = 1e-5;
        for a in ALL {
            for z in [-3.1, -0.7, 0.3, 1.9, 25.0, -40.0] {
                let (d1, d2) = a.derivatives(z);
                let fd1 = (a.value(z + h) - a.value(z - h)) / (2.0 * h);
                let fd2 = (a.derivatives(z + h).0 - a.derivatives(z - h).0) / (2.0 * h);
                assert!((d1 - fd1).abs() < 1e-7 * (1.0 + d1.abs()), "{a:?} φ′({z})");
                assert!((d2 - fd2).abs() < 1e-6 * (1.0 + d2.abs()), "{a:?} φ″({z})");
            }
        }
    }

    #[test]
    fn gelu_and_softplus_known_values() {
        // Φ(1) = 0.841344746068543, ln 2 = softplus(0).
        assert!((Activation::Gelu.value(1.0) - 0.841_344_746_068_543).abs() < 1e-15);
        assert!((Activation::Softplus.value(0.0) - std::f64::consts::LN_2).abs() < 1e-16);
        assert!(Activation::Softplus.value(800.0).is_finite());
    }
}
