//! Leaving wide-vector code cleanly. faer's matrix kernels use AVX-512 (or AVX2)
//! registers and may return with their upper halves still marked in use; on many x86
//! cores every legacy-SSE instruction that follows then pays a state-transition or
//! merge penalty, until a `vzeroupper`. glibc's `exp`, `tanh` and `expm1` wrappers are
//! SSE code: measured here, a 64 × 64 product followed by 4,096 `exp` calls ran 25×
//! slower than with a `vzeroupper` between them (a sigmoid network's training step 20×
//! slower than a ReLU network's). [`clear_upper_state`] after a product fixes it.

/// Marks the upper halves of the vector registers unused (`vzeroupper`) on x86-64 CPUs
/// with AVX; does nothing elsewhere. Cheap (a cycle or so): call it after a faer product
/// that is followed by scalar maths.
#[inline]
pub fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked above), the one requirement of
        // `vzeroupper`, which changes no register our code holds live across the call
        // (the compiler saves nothing in the upper halves across a function call).
        unsafe { vzeroupper() }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn vzeroupper() {
    std::arch::x86_64::_mm256_zeroupper();
}
