//! The network's exact continuous symmetries: directions along which f is constant,
//! so that a verdict or a spectrum does not count them as degeneracy.
//!
//! With λ = 0 (an `l2` term breaks every one of them):
//! - **Rescaling a unit** (φ positively homogeneous of degree k: relu, leaky_relu and
//!   linear with k = 1, quadratic with k = 2): φ(cu) = cᵏφ(u) for c > 0, so scaling the
//!   parameters that produce unit i's pre-activation uᵢ by c and column i of the next
//!   layer's W by c⁻ᵏ leaves f unchanged. Those parameters are row i of Wₗ and bᵢ
//!   (no norm), gᵢ and bᵢ (weight norm), or γᵢ and βᵢ (batch, layer, group, instance
//!   norm). The next layer's W must be a plain matrix (not weight-normalised, whose rows
//!   are renormalised). Tangent: (those parameters, −k·column i).
//! - **Mixing units of a linear layer** (φ(z) = z, no norm): (Wₗ, bₗ) ↦ M(Wₗ, bₗ),
//!   Wₗ₊₁ ↦ Wₗ₊₁M⁻¹ for any invertible M; the tangent of M = I + tEᵢⱼ adds row j to row
//!   i and subtracts column i of Wₗ₊₁ from its column j (n² directions, rescaling
//!   included).
//! - **Shifting a bias under a mean subtraction**: batch normalisation subtracts each
//!   feature's batch mean, so every bᵢ is free; layer, group and instance normalisation
//!   subtract each sample's group mean, so adding one constant to the biases of a group
//!   is free.
//! - **The radius of a weight-normalised row**: gᵢvᵢ/‖vᵢ‖ does not change with ‖vᵢ‖
//!   (tangent vᵢ).
//! - **Softmax**: cross-entropy is unchanged by adding one constant to every logit
//!   (tangent: the all-ones output bias).
//!
//! The ε of the standardising norms breaks their scale invariance in W (σ² + ε is not
//! homogeneous), so that is not listed: only exact symmetries are. Directions may be
//! linearly dependent (a zero row, say); the spectrum's projection drops those.

use super::activation::Activation;
use super::network::Architecture;
use super::norm::Norm;

/// The degree k of φ's positive homogeneity, when it has one.
fn homogeneity(phi: Activation) -> Option<f64> {
    match phi {
        Activation::Linear | Activation::Relu | Activation::LeakyRelu(_) => Some(1.0),
        Activation::Quadratic => Some(2.0),
        _ => None,
    }
}

/// Number of directions [`directions`] returns (without building them).
pub fn count(arch: &Architecture) -> usize {
    generators(arch).count()
}

/// A basis of the symmetries' tangent space at θ (see the module doc).
pub fn directions(arch: &Architecture, theta: &[f64]) -> Vec<Vec<f64>> {
    generators(arch)
        .map(|generator| {
            let mut d = vec![0.0; arch.dim];
            generator.write(arch, theta, &mut d);
            d
        })
        .collect()
}

/// One symmetry direction, described by where it acts.
enum Generator {
    /// Unit i of hidden layer l rescaled, degree k.
    Rescale { l: usize, i: usize, k: f64 },
    /// Row j of (Wₗ, bₗ) added to row i; column i of Wₗ₊₁ subtracted from column j.
    Mix { l: usize, i: usize, j: usize },
    /// The biases of layer l from `start` to `end` shifted together.
    Shift { l: usize, start: usize, end: usize },
    /// The radius of row i of weight-normalised layer l.
    Radius { l: usize, i: usize },
}

fn generators(arch: &Architecture) -> impl Iterator<Item = Generator> + '_ {
    let hidden = if arch.l2 == 0.0 { arch.hidden() } else { 0 };
    let per_layer = (1..=hidden).flat_map(move |l| {
        let n = arch.dims[l];
        let norm = arch.norm(l);
        let phi = arch.activations[l - 1];
        let plain_next = arch.norm(l + 1) != Norm::Weight;
        let mixing = plain_next && norm == Norm::None && phi == Activation::Linear;
        let rescaling = plain_next && !mixing;
        let mix = (0..n * n)
            .filter(move |_| mixing)
            .map(move |ij| Generator::Mix {
                l,
                i: ij / n,
                j: ij % n,
            });
        let rescale = homogeneity(phi)
            .filter(|_| rescaling)
            .into_iter()
            .flat_map(move |k| (0..n).map(move |i| Generator::Rescale { l, i, k }));
        let groups = match norm {
            Norm::Batch if arch.bias => n,
            Norm::PerSample { groups, .. } if arch.bias => groups,
            _ => 0,
        };
        let shift = (0..groups).map(move |g| Generator::Shift {
            l,
            start: g * n / groups,
            end: (g + 1) * n / groups,
        });
        let radius = (0..n)
            .filter(move |_| norm == Norm::Weight)
            .map(move |i| Generator::Radius { l, i });
        mix.chain(rescale).chain(shift).chain(radius)
    });
    let out = arch.layers.len();
    let softmax = (arch.l2 == 0.0 && arch.bias && arch.loss == super::network::Loss::CrossEntropy)
        .then_some(Generator::Shift {
            l: out,
            start: 0,
            end: arch.dims[out],
        });
    per_layer.chain(softmax)
}

impl Generator {
    fn write(&self, arch: &Architecture, theta: &[f64], d: &mut [f64]) {
        match *self {
            Generator::Rescale { l, i, k } => {
                let p = &arch.layers[l - 1];
                let n_in = arch.dims[l - 1];
                let mut scale = |at: usize| d[at] = theta[at];
                match arch.norm(l) {
                    Norm::None => {
                        (p.w + i * n_in..p.w + (i + 1) * n_in).for_each(&mut scale);
                        p.b.into_iter().for_each(|b| scale(b + i));
                    }
                    Norm::Weight => {
                        p.g.into_iter().for_each(|g| scale(g + i));
                        p.b.into_iter().for_each(|b| scale(b + i));
                    }
                    _ => {
                        p.gamma.into_iter().for_each(|g| scale(g + i));
                        p.beta.into_iter().for_each(|b| scale(b + i));
                    }
                }
                let next = &arch.layers[l];
                let (rows, cols) = (arch.dims[l + 1], arch.dims[l]);
                for r in 0..rows {
                    let at = next.w + r * cols + i;
                    d[at] = -k * theta[at];
                }
            }
            Generator::Mix { l, i, j } => {
                let p = &arch.layers[l - 1];
                let n_in = arch.dims[l - 1];
                for c in 0..n_in {
                    d[p.w + i * n_in + c] = theta[p.w + j * n_in + c];
                }
                if let Some(b) = p.b {
                    d[b + i] = theta[b + j];
                }
                let next = &arch.layers[l];
                let (rows, cols) = (arch.dims[l + 1], arch.dims[l]);
                for r in 0..rows {
                    // (W M⁻¹)' = −W Eᵢⱼ: column j of the product is −(column i of W).
                    d[next.w + r * cols + j] -= theta[next.w + r * cols + i];
                }
            }
            Generator::Shift { l, start, end } => {
                let b = arch.layers[l - 1].b.expect("a shift needs biases");
                d[b + start..b + end].fill(1.0);
            }
            Generator::Radius { l, i } => {
                let n_in = arch.dims[l - 1];
                let v = arch.layers[l - 1].w + i * n_in;
                d[v..v + n_in].copy_from_slice(&theta[v..v + n_in]);
            }
        }
    }
}
