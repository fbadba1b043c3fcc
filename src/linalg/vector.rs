//! Vector helpers on `f64` slices, each summed left to right in one running sum:
//! ⟨a, b⟩ = Σᵢ aᵢbᵢ, ‖a‖₂ = √⟨a, a⟩, ‖a − b‖₂, and y ← y + αx; and ⟨a, b⟩ in
//! [`LANES`] interleaved running sums ([`dot_lanes`]) for long vectors in hot loops, where
//! one running sum waits on the adder's latency at every term.

/// Running sums of [`dot_lanes`].
pub const LANES: usize = 8;

/// ⟨a, b⟩ of two equal-length slices.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len(), "dot: length mismatch");
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// ⟨a, b⟩ with term i added to running sum i mod [`LANES`], the sums then added in a
/// fixed tree, and the tail (len mod [`LANES`] terms) last: a fixed order, so the same
/// value on every call, but not bit-identical to [`dot`].
#[inline]
pub fn dot_lanes(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len(), "dot_lanes: length mismatch");
    let mut sums = [0.0; LANES];
    let (a_body, a_tail) = a.split_at(a.len() - a.len() % LANES);
    let (b_body, b_tail) = b.split_at(a_body.len());
    for (a, b) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        for l in 0..LANES {
            sums[l] += a[l] * b[l];
        }
    }
    let mut half = LANES / 2;
    while half > 0 {
        for l in 0..half {
            sums[l] += sums[l + half];
        }
        half /= 2;
    }
    sums[0] + dot(a_tail, b_tail)
}

/// ‖a‖₂.
#[inline]
pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// ‖a − b‖₂ of two equal-length slices.
#[inline]
pub fn distance(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len(), "distance: length mismatch");
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// y ← y + αx for equal-length slices.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len(), "axpy: length mismatch");
    y.iter_mut().zip(x).for_each(|(y, x)| *y += alpha * x);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_on_a_small_example() {
        let (a, b) = ([3.0, 4.0], [1.0, 2.0]);
        assert_eq!(dot(&a, &b), 11.0);
        assert_eq!(norm(&a), 5.0);
        assert_eq!(distance(&a, &[0.0, 0.0]), 5.0);
        let mut y = b;
        axpy(-2.0, &a, &mut y);
        assert_eq!(y, [-5.0, -6.0]);
    }

    #[test]
    fn dot_lanes_is_the_dot_product() {
        // Integers: every partial sum exact, so any order gives the exact value.
        for len in [0, 1, 7, 8, 9, 16, 100, 1003] {
            let a: Vec<f64> = (0..len).map(|i| (i % 13) as f64 - 6.0).collect();
            let b: Vec<f64> = (0..len).map(|i| (i % 7) as f64 + 1.0).collect();
            assert_eq!(dot_lanes(&a, &b), dot(&a, &b), "len {len}");
        }
    }
}
