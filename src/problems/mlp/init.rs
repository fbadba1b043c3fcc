//! Initialisations as points: `init:<scheme>[=<parameter>][:<seed>]` (seed 0 when
//! absent), with the distributions of `torch.nn.init`. Every layer's W (or v) is drawn
//! by the scheme, layer after layer from one seeded stream; biases are 0, γ = 1, β = 0,
//! and a weight-normalised layer starts with gᵢ = ‖vᵢ‖ (so W = v, as torch's
//! `weight_norm` does). fan_in and fan_out of a layer are its input and output widths;
//! the gain is `torch.nn.init.calculate_gain` of the activation that follows the layer
//! (1 for the output layer).
//!
//! | scheme                   | W entries                                           |
//! |--------------------------|-----------------------------------------------------|
//! | `zeros`                  | 0                                                   |
//! | `constant=c`             | c                                                   |
//! | `normal=σ`               | N(0, σ²) (σ = 1 when absent)                        |
//! | `uniform=a`              | U(−a, a) (a = 1 when absent)                        |
//! | `xavier_normal`          | N(0, σ²), σ = √(2/(fan_in + fan_out))               |
//! | `xavier_uniform`         | U(−a, a), a = √(6/(fan_in + fan_out))               |
//! | `kaiming_normal[=mode]`  | N(0, σ²), σ = gain/√fan                             |
//! | `kaiming_uniform[=mode]` | U(−a, a), a = gain·√(3/fan)                         |
//! | `orthogonal`             | the Q of a QR of a Gaussian matrix, signs fixed by R's diagonal |
//!
//! Xavier uses gain 1 (torch's default); Kaiming uses the layer's activation gain, with
//! `mode` = `fan_in` (default) or `fan_out`.

use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{StandardNormal, Uniform};

use super::network::Architecture;
use crate::error::{Error, Result};
use crate::random::rng;

/// The scheme names.
pub const SCHEMES: &str = "zeros, constant=c, normal=σ, uniform=a, xavier_normal, xavier_uniform, \
                           kaiming_normal[=fan_in|fan_out], kaiming_uniform[=fan_in|fan_out], orthogonal";

/// A parsed scheme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scheme {
    /// All zero.
    Zeros,
    /// All c.
    Constant(f64),
    /// N(0, σ²).
    Normal(f64),
    /// U(−a, a).
    Uniform(f64),
    /// Glorot & Bengio 2010, normal.
    XavierNormal,
    /// Glorot & Bengio 2010, uniform.
    XavierUniform,
    /// He et al. 2015, normal; true for fan_out.
    KaimingNormal(bool),
    /// He et al. 2015, uniform; true for fan_out.
    KaimingUniform(bool),
    /// Saxe et al. 2014.
    Orthogonal,
}

impl Scheme {
    /// Parses `<scheme>[=<parameter>]`.
    pub fn parse(text: &str) -> Result<Self> {
        let (name, param) = match text.split_once('=') {
            Some((n, p)) => (n, Some(p)),
            None => (text, None),
        };
        let number = |default: f64| -> Result<f64> {
            match param {
                None => Ok(default),
                Some(p) => p
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| {
                        Error::invalid(
                            "init",
                            format!("`{name}=<a non-negative number>`"),
                            format!("`{text}`"),
                        )
                    }),
            }
        };
        let mode = || -> Result<bool> {
            match param {
                None | Some("fan_in") => Ok(false),
                Some("fan_out") => Ok(true),
                Some(other) => Err(Error::invalid(
                    "init",
                    "fan_in or fan_out",
                    format!("`{other}`"),
                )),
            }
        };
        let no_param = |s: Scheme| -> Result<Scheme> {
            match param {
                None => Ok(s),
                Some(_) => Err(Error::invalid(
                    "init",
                    format!("`{name}` without a parameter"),
                    format!("`{text}`"),
                )),
            }
        };
        match name {
            "zeros" => no_param(Scheme::Zeros),
            "constant" => match param {
                Some(p) => p
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(Scheme::Constant)
                    .ok_or_else(|| {
                        Error::invalid("init", "constant=<a number>", format!("`{text}`"))
                    }),
                None => Err(Error::invalid(
                    "init",
                    "constant=<a number>",
                    format!("`{text}`"),
                )),
            },
            "normal" => Ok(Scheme::Normal(number(1.0)?)),
            "uniform" => Ok(Scheme::Uniform(number(1.0)?)),
            "xavier_normal" => no_param(Scheme::XavierNormal),
            "xavier_uniform" => no_param(Scheme::XavierUniform),
            "kaiming_normal" => Ok(Scheme::KaimingNormal(mode()?)),
            "kaiming_uniform" => Ok(Scheme::KaimingUniform(mode()?)),
            "orthogonal" => no_param(Scheme::Orthogonal),
            other => Err(Error::invalid(
                "init",
                format!("one of {SCHEMES}"),
                format!("`{other}`"),
            )),
        }
    }
}

/// Fills `w` (n × n_in, row-major) by `scheme` with the given gain.
fn draw(scheme: Scheme, w: &mut [f64], n: usize, n_in: usize, gain: f64, rng: &mut impl Rng) {
    let normal = |w: &mut [f64], std: f64, rng: &mut dyn rand::RngCore| {
        w.iter_mut()
            .for_each(|v| *v = std * rng.sample::<f64, _>(StandardNormal));
    };
    let uniform = |w: &mut [f64], a: f64, rng: &mut dyn rand::RngCore| {
        if a == 0.0 {
            w.fill(0.0);
            return;
        }
        let dist = Uniform::new(-a, a).expect("a > 0");
        w.iter_mut().for_each(|v| *v = rng.sample(dist));
    };
    let (fan_in, fan_out) = (n_in as f64, n as f64);
    match scheme {
        Scheme::Zeros => w.fill(0.0),
        Scheme::Constant(c) => w.fill(c),
        Scheme::Normal(std) => normal(w, std, rng),
        Scheme::Uniform(a) => uniform(w, a, rng),
        Scheme::XavierNormal => normal(w, (2.0 / (fan_in + fan_out)).sqrt(), rng),
        Scheme::XavierUniform => uniform(w, (6.0 / (fan_in + fan_out)).sqrt(), rng),
        Scheme::KaimingNormal(out) => {
            normal(w, gain / if out { fan_out } else { fan_in }.sqrt(), rng)
        }
        Scheme::KaimingUniform(out) => uniform(
            w,
            gain * (3.0 / if out { fan_out } else { fan_in }).sqrt(),
            rng,
        ),
        Scheme::Orthogonal => {
            // torch: QR of the (larger × smaller) Gaussian matrix, Q·sign(diag R), transposed back.
            let (r, c) = if n < n_in { (n_in, n) } else { (n, n_in) };
            let g = DMatrix::from_fn(r, c, |_, _| rng.sample::<f64, _>(StandardNormal));
            let qr = g.qr();
            let mut q = qr.q();
            let rdiag = qr.r().diagonal();
            for (j, d) in rdiag.iter().enumerate() {
                if *d < 0.0 {
                    q.column_mut(j).neg_mut();
                }
            }
            for i in 0..n {
                for j in 0..n_in {
                    w[i * n_in + j] = if n < n_in { q[(j, i)] } else { q[(i, j)] };
                }
            }
        }
    }
}

/// θ for `scheme` from `seed` (module doc).
pub fn initialise(arch: &Architecture, scheme: Scheme, seed: u64) -> Vec<f64> {
    let mut theta = vec![0.0; arch.dim];
    let mut rng = rng(seed);
    let layers = arch.dims.len() - 1;
    for l in 1..=layers {
        let (n, n_in) = (arch.dims[l], arch.dims[l - 1]);
        let p = &arch.layers[l - 1];
        let gain = arch.activations.get(l - 1).map_or(1.0, |a| a.gain());
        draw(
            scheme,
            &mut theta[p.w..p.w + n * n_in],
            n,
            n_in,
            gain,
            &mut rng,
        );
        if let Some(g) = p.g {
            for i in 0..n {
                let row = &theta[p.w + i * n_in..p.w + (i + 1) * n_in];
                theta[g + i] = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            }
        }
        if let Some(gamma) = p.gamma {
            theta[gamma..gamma + n].fill(1.0);
        }
    }
    theta
}
