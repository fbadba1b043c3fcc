//! Seeded randomness. Every random thing takes a seed; a stream depends only on
//! (seed, stream index), never on thread scheduling.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

/// The generator of [`rng`]: ChaCha with 12 rounds, the algorithm of rand 0.9's `StdRng`
/// (the same stream for the same seed), named so that a stream's position can be set.
pub type Generator = rand_chacha::ChaCha12Rng;

/// The generator for `seed`.
pub fn rng(seed: u64) -> Generator {
    Generator::seed_from_u64(seed)
}

/// The generator for stream `index` of `seed` (e.g. trial `index` of an experiment).
pub fn stream(seed: u64, index: u64) -> Generator {
    // SplitMix64-style mixing keeps streams of nearby (seed, index) pairs unrelated.
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Generator::seed_from_u64(z ^ (z >> 31))
}

/// A vector of `len` iid N(0, 1) entries.
pub fn gaussian_vector(rng: &mut impl Rng, len: usize) -> Vec<f64> {
    (0..len).map(|_| rng.sample(StandardNormal)).collect()
}

/// A `rows × cols` matrix of iid N(0, 1) entries.
pub fn gaussian_matrix(rng: &mut impl Rng, rows: usize, cols: usize) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| rng.sample(StandardNormal))
}

/// A Haar-random `n × n` orthogonal matrix (QR of a Gaussian matrix, with the signs of
/// R's diagonal moved into Q; Mezzadri 2007).
pub fn orthogonal_matrix(rng: &mut impl Rng, n: usize) -> DMatrix<f64> {
    let qr = gaussian_matrix(rng, n, n).qr();
    let r = qr.r();
    let mut q = qr.q();
    for j in 0..n {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    q
}

/// An `n × k` matrix with orthonormal columns (the first k columns of a Haar-random
/// orthogonal matrix), `k ≤ n`.
pub fn orthonormal_columns(rng: &mut impl Rng, n: usize, k: usize) -> DMatrix<f64> {
    assert!(k <= n, "orthonormal_columns: k = {k} > n = {n}");
    orthogonal_matrix(rng, n).columns(0, k).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_matrix_is_orthogonal_and_seeded() {
        let q = orthogonal_matrix(&mut rng(7), 5);
        let err = (q.transpose() * &q - DMatrix::identity(5, 5)).amax();
        assert!(err < 1e-12, "QᵀQ − I = {err}");
        assert_eq!(q, orthogonal_matrix(&mut rng(7), 5));
        assert_ne!(q, orthogonal_matrix(&mut rng(8), 5));
    }

    #[test]
    fn streams_differ() {
        let a: f64 = stream(1, 0).random();
        let b: f64 = stream(1, 1).random();
        let c: f64 = stream(2, 0).random();
        assert!(a != b && a != c && b != c);
        assert_eq!(a, stream(1, 0).random::<f64>());
    }
}
