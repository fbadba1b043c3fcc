//! Vector helpers on `f64` slices, each summed left to right in one running sum:
//! ⟨a, b⟩ = Σᵢ aᵢbᵢ, ‖a‖₂ = √⟨a, a⟩, ‖a − b‖₂, and y ← y + αx.

/// ⟨a, b⟩ of two equal-length slices.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len(), "dot: length mismatch");
    a.iter().zip(b).map(|(a, b)| a * b).sum()
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
}
