//! Normalisation of a hidden layer's pre-activations Z (N samples × n features,
//! row-major), with its exact Jacobian and second-order term.
//!
//! Every normalisation here splits the N·n cells of Z into groups S and standardises each
//! group with its own mean and biased variance:
//!
//!   μ = mean_S z,  σ² = mean_S (z − μ)²,  s = √(σ² + ε),  ẑ = (z − μ)/s,
//!
//! then applies a per-feature affine map u = γ ⊙ ẑ + β. The kinds differ in the groups:
//! - `batch` (Ioffe & Szegedy 2015): one group per feature, over the samples of the batch;
//! - `layer` (Ba et al. 2016): one group per sample, over its n features;
//! - `group` (Wu & He 2018): per sample, G groups of n/G consecutive features;
//! - `instance` (Ulyanov et al. 2016): the sample's vector viewed as C channels of n/C
//!   features; one group per sample and channel (the same statistics as `group` with
//!   G = C; with a per-feature affine map the two coincide).
//!
//! # Derivatives (one group of m cells)
//! The Jacobian of ẑ(z) is symmetric: J = (1/s)(I − 11ᵀ/m − ẑẑᵀ/m), so both the
//! backward map of an upstream gradient d = ∂f/∂ẑ and the forward map of a tangent ż are
//!
//!   J·d = (d − mean(d) − ẑ·mean(d ⊙ ẑ))/s.
//!
//! For the R-operator (Pearlmutter 1994) along ż with upstream tangent ḋ, using
//! ṡ = mean(ẑ ⊙ ż) and ẑ̇ = J·ż, the derivative of b = J(z)·d is
//!
//!   ḃ = (ḋ − mean(ḋ) − ẑ̇·mean(d ⊙ ẑ) − ẑ·(mean(ḋ ⊙ ẑ) + mean(d ⊙ ẑ̇)))/s − b·ṡ/s.
//!
//! Weight normalisation is a reparametrisation of W, not of Z: see the parent module.

use crate::error::{Error, Result};

/// How a hidden layer's pre-activations are normalised (ε = 1e-5 by default, as torch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Norm {
    /// No normalisation.
    None,
    /// Batch normalisation: statistics per feature over the batch.
    Batch,
    /// Statistics per sample over groups of consecutive features (`layer`: 1 group,
    /// `group`: the spec's `groups`, `instance`: the spec's `channels`).
    PerSample {
        /// Number of groups (divides the width).
        groups: usize,
        /// The spec's name: `layer`, `group` or `instance`.
        name: &'static str,
    },
    /// Weight normalisation (Salimans & Kingma 2016): W's rows are gᵢ vᵢ/‖vᵢ‖.
    Weight,
}

/// The normalisation names the spec accepts.
pub const NAMES: &str = "none, batch, layer, group, instance, weight";

impl Norm {
    /// Parses a name for a layer of `width` features; `groups` and `channels` are the
    /// spec's fields (required by `group` and `instance`).
    pub fn parse(
        name: &str,
        width: usize,
        groups: Option<usize>,
        channels: Option<usize>,
    ) -> Result<Self> {
        let per_sample = |count: Option<usize>, field: &str, name: &'static str| {
            let count = count.ok_or_else(|| Error::MissingField {
                kind: "mlp".into(),
                field: field.into(),
                expected: format!(
                    "norm = \"{name}\" needs `{field}`, a divisor of every normalised width"
                ),
            })?;
            if count == 0 || width % count != 0 {
                return Err(Error::invalid(
                    field,
                    format!("a positive divisor of the hidden width {width}"),
                    count,
                ));
            }
            Ok(Norm::PerSample {
                groups: count,
                name,
            })
        };
        match name {
            "none" => Ok(Norm::None),
            "batch" => Ok(Norm::Batch),
            "layer" => Ok(Norm::PerSample {
                groups: 1,
                name: "layer",
            }),
            "group" => per_sample(groups, "groups", "group"),
            "instance" => per_sample(channels, "channels", "instance"),
            "weight" => Ok(Norm::Weight),
            other => Err(Error::invalid(
                "norm",
                format!("one of {NAMES}"),
                format!("`{other}`"),
            )),
        }
    }

    /// The spec's name.
    pub fn name(self) -> &'static str {
        match self {
            Norm::None => "none",
            Norm::Batch => "batch",
            Norm::PerSample { name, .. } => name,
            Norm::Weight => "weight",
        }
    }

    /// True when the layer standardises Z and has affine parameters γ, β.
    pub fn standardises(self) -> bool {
        matches!(self, Norm::Batch | Norm::PerSample { .. })
    }

    /// Number of groups for a batch of `samples` × `width`.
    pub fn group_count(self, samples: usize, width: usize) -> usize {
        match self {
            Norm::Batch => width,
            Norm::PerSample { groups, .. } => samples * groups,
            _ => 0,
        }
    }

    /// The cells of group `k`: (offset, stride, count) in the row-major N × n buffer.
    #[inline]
    fn group(self, k: usize, samples: usize, width: usize) -> (usize, usize, usize) {
        match self {
            Norm::Batch => (k, width, samples),
            Norm::PerSample { groups, .. } => {
                let size = width / groups;
                (k * size, 1, size)
            }
            _ => unreachable!("only standardising norms have groups"),
        }
    }
}

/// Σ over a group of f(index).
#[inline]
fn group_sum(offset: usize, stride: usize, count: usize, f: impl Fn(usize) -> f64) -> f64 {
    (0..count).map(|k| f(offset + k * stride)).sum()
}

/// Standardises `z` (N × n) group by group: writes ẑ into `zhat`, and each group's mean
/// and 1/s into `means` and `inv_s`.
#[allow(clippy::too_many_arguments)]
pub fn standardise(
    norm: Norm,
    eps: f64,
    samples: usize,
    width: usize,
    z: &[f64],
    zhat: &mut [f64],
    means: &mut [f64],
    inv_s: &mut [f64],
) {
    for (g, (inv, mu)) in inv_s.iter_mut().zip(means.iter_mut()).enumerate() {
        let (o, st, m) = norm.group(g, samples, width);
        let mean = group_sum(o, st, m, |i| z[i]) / m as f64;
        let var = group_sum(o, st, m, |i| (z[i] - mean).powi(2)) / m as f64;
        *inv = 1.0 / (var + eps).sqrt();
        *mu = mean;
        for k in 0..m {
            let i = o + k * st;
            zhat[i] = (z[i] - mean) * *inv;
        }
    }
}

/// Batch normalisation with given per-feature statistics (inference): ẑ = (z − μⱼ)/sⱼ.
pub fn standardise_with(width: usize, z: &[f64], means: &[f64], inv_s: &[f64], zhat: &mut [f64]) {
    for (zr, hr) in z.chunks_exact(width).zip(zhat.chunks_exact_mut(width)) {
        for j in 0..width {
            hr[j] = (zr[j] - means[j]) * inv_s[j];
        }
    }
}

/// out = J·input, group by group (the backward map of ∂f/∂ẑ, and the forward map of ż).
pub fn jacobian(
    norm: Norm,
    samples: usize,
    width: usize,
    zhat: &[f64],
    inv_s: &[f64],
    input: &[f64],
    out: &mut [f64],
) {
    for (g, &inv) in inv_s.iter().enumerate() {
        let (o, st, m) = norm.group(g, samples, width);
        let mean = group_sum(o, st, m, |i| input[i]) / m as f64;
        let corr = group_sum(o, st, m, |i| input[i] * zhat[i]) / m as f64;
        for k in 0..m {
            let i = o + k * st;
            out[i] = inv * (input[i] - mean - zhat[i] * corr);
        }
    }
}

/// The tangents of one standardisation at a point: ż (the pre-activation's tangent) and
/// ẑ̇ = J·ż.
pub struct Tangent<'a> {
    /// ż.
    pub z: &'a [f64],
    /// ẑ̇ = J·ż.
    pub zhat: &'a [f64],
}

/// out = ḃ, the derivative of b = J(z)·d along ż when d moves along ḋ (module doc);
/// `b` = J·d.
#[allow(clippy::too_many_arguments)]
pub fn jacobian_tangent(
    norm: Norm,
    samples: usize,
    width: usize,
    zhat: &[f64],
    inv_s: &[f64],
    d: &[f64],
    b: &[f64],
    tangent: &Tangent<'_>,
    d_dot: &[f64],
    out: &mut [f64],
) {
    for (g, &inv) in inv_s.iter().enumerate() {
        let (o, st, m) = norm.group(g, samples, width);
        let mf = m as f64;
        let mean_dd = group_sum(o, st, m, |i| d_dot[i]) / mf;
        let c_d = group_sum(o, st, m, |i| d[i] * zhat[i]) / mf;
        let c_dd = group_sum(o, st, m, |i| d_dot[i] * zhat[i]) / mf;
        let c_dz = group_sum(o, st, m, |i| d[i] * tangent.zhat[i]) / mf;
        let s_dot = group_sum(o, st, m, |i| zhat[i] * tangent.z[i]) / mf;
        for k in 0..m {
            let i = o + k * st;
            out[i] = inv
                * (d_dot[i]
                    - mean_dd
                    - tangent.zhat[i] * c_d
                    - zhat[i] * (c_dd + c_dz)
                    - b[i] * s_dot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(z) = Σ wᵢ ẑᵢ² + cᵢ ẑᵢ: checks J and the second-order term against differences.
    #[test]
    fn jacobian_and_its_derivative_match_differences() {
        let (n_s, n_f) = (4, 6);
        let z: Vec<f64> = (0..n_s * n_f)
            .map(|i| ((i * 7 % 11) as f64).sin() * 2.0)
            .collect();
        let dir: Vec<f64> = (0..n_s * n_f)
            .map(|i| ((i * 5 % 13) as f64).cos())
            .collect();
        let upstream: Vec<f64> = (0..n_s * n_f).map(|i| (i as f64 * 0.37).sin()).collect();
        for norm in [
            Norm::Batch,
            Norm::PerSample {
                groups: 1,
                name: "layer",
            },
            Norm::PerSample {
                groups: 3,
                name: "group",
            },
        ] {
            let groups = norm.group_count(n_s, n_f);
            let eps = 1e-5;
            let standard = |z: &[f64]| {
                let mut zhat = vec![0.0; z.len()];
                let mut inv = vec![0.0; groups];
                let mut means = vec![0.0; groups];
                standardise(norm, eps, n_s, n_f, z, &mut zhat, &mut means, &mut inv);
                (zhat, inv)
            };
            // b(z) = J(z)·d with d = upstream (fixed) and ḋ = 0, then with ḋ ≠ 0 below.
            let b_of = |z: &[f64], d: &[f64]| {
                let (zhat, inv) = standard(z);
                let mut b = vec![0.0; z.len()];
                jacobian(norm, n_s, n_f, &zhat, &inv, d, &mut b);
                b
            };
            let h = 1e-6;
            let shifted =
                |t: f64| -> Vec<f64> { z.iter().zip(&dir).map(|(a, b)| a + t * b).collect() };
            let (zhat, inv) = standard(&z);
            // J·ż against the difference of ẑ.
            let mut jz = vec![0.0; z.len()];
            jacobian(norm, n_s, n_f, &zhat, &inv, &dir, &mut jz);
            let (zp, _) = standard(&shifted(h));
            let (zm, _) = standard(&shifted(-h));
            for i in 0..z.len() {
                let fd = (zp[i] - zm[i]) / (2.0 * h);
                assert!(
                    (jz[i] - fd).abs() < 1e-6,
                    "{norm:?} J·ż[{i}]: {} vs {fd}",
                    jz[i]
                );
            }
            // ḃ against the difference of b(z + tż, d + tḋ).
            let d_dot: Vec<f64> = (0..z.len()).map(|i| (i as f64 * 0.11).cos()).collect();
            let b = b_of(&z, &upstream);
            let mut out = vec![0.0; z.len()];
            let tangent = Tangent { z: &dir, zhat: &jz };
            jacobian_tangent(
                norm, n_s, n_f, &zhat, &inv, &upstream, &b, &tangent, &d_dot, &mut out,
            );
            let moved = |t: f64| -> Vec<f64> {
                upstream
                    .iter()
                    .zip(&d_dot)
                    .map(|(a, b)| a + t * b)
                    .collect()
            };
            let bp = b_of(&shifted(h), &moved(h));
            let bm = b_of(&shifted(-h), &moved(-h));
            for i in 0..z.len() {
                let fd = (bp[i] - bm[i]) / (2.0 * h);
                assert!(
                    (out[i] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                    "{norm:?} ḃ[{i}]: {} vs {fd}",
                    out[i]
                );
            }
        }
    }
}
