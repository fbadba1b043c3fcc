//! The one-dimensional pieces of the `octopus` (Du et al. 2017): the profile u that a
//! coordinate follows once its predecessor has escaped, and the switch ω that hands a
//! coordinate over from "idle" (L x²) to that profile. See [`super`] (the `octopus` module) for how
//! they assemble into f and why the assembly equals the paper's eqs. (6)–(10).
//!
//! Both are even functions of the signed coordinate (the paper's mirroring), C² on ℝ and
//! polynomial on each of |x| ≤ τ, τ ≤ |x| ≤ 2τ, |x| ≥ 2τ; their third derivatives jump
//! at |x| = τ and |x| = 2τ.

/// A function's value and first two derivatives at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Jet {
    /// The value.
    pub value: f64,
    /// The first derivative.
    pub d1: f64,
    /// The second derivative.
    pub d2: f64,
}

/// The parameters τ, L, γ and the constants of the paper's splines g₁, g₂ and ν.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Splines {
    /// τ: the saddles' neighbourhoods have radius τ, the saddles sit 4τ apart.
    pub tau: f64,
    /// L: the curvature of the stable directions (the Hessian has 2L there).
    pub l: f64,
    /// γ: the curvature of the escape direction (the Hessian has −2γ there).
    pub gamma: f64,
    /// ν = −g₁(2τ) + 4Lτ² = (13γ + 37L)τ²/6: the drop in f from one saddle to the next.
    pub nu: f64,
    /// (−14L + 10γ)/(3τ): the cubic coefficient of g₁.
    cubic: f64,
    /// (5L − 3γ)/(2τ²): the quartic coefficient of g₁.
    quartic: f64,
}

impl Splines {
    /// The splines for τ, L, γ (positive and finite; the caller validates).
    pub fn new(tau: f64, l: f64, gamma: f64) -> Self {
        Splines {
            tau,
            l,
            gamma,
            nu: (13.0 * gamma + 37.0 * l) * tau * tau / 6.0,
            cubic: (-14.0 * l + 10.0 * gamma) / (3.0 * tau),
            quartic: (5.0 * l - 3.0 * gamma) / (2.0 * tau * tau),
        }
    }

    /// The profile u(x) and its derivatives, with y = |x|:
    /// u = −γy² for y ≤ τ, g₁(y) for τ ≤ y ≤ 2τ, L(y − 4τ)² − ν for y ≥ 2τ, where
    /// g₁(y) = −γy² + (−14L + 10γ)(y − τ)³/(3τ) + (5L − 3γ)(y − τ)⁴/(2τ²).
    pub fn profile(&self, x: f64) -> Jet {
        let (tau, l, gamma) = (self.tau, self.l, self.gamma);
        let y = x.abs();
        if y <= tau {
            // Even polynomial in x: no sign bookkeeping needed.
            return Jet {
                value: -gamma * x * x,
                d1: -2.0 * gamma * x,
                d2: -2.0 * gamma,
            };
        }
        let sign = x.signum();
        if y < 2.0 * tau {
            let s = y - tau;
            let (a, b) = (self.cubic, self.quartic);
            Jet {
                value: -gamma * y * y + s * s * s * (a + b * s),
                d1: sign * (-2.0 * gamma * y + s * s * (3.0 * a + 4.0 * b * s)),
                d2: -2.0 * gamma + s * (6.0 * a + 12.0 * b * s),
            }
        } else {
            let e = y - 4.0 * tau;
            Jet {
                value: l * e * e - self.nu,
                d1: sign * 2.0 * l * e,
                d2: 2.0 * l,
            }
        }
    }

    /// The switch ω(x) and its derivatives: the quintic smoothstep S(t) = 10t³ − 15t⁴ + 6t⁵
    /// of t = (|x| − τ)/τ clamped to [0, 1]; ω = 0 for |x| ≤ τ, 1 for |x| ≥ 2τ. The
    /// paper's g₂ is g₂(y) = L − (L + γ)·ω(y).
    pub fn switch(&self, x: f64) -> Jet {
        let tau = self.tau;
        let y = x.abs();
        if y <= tau {
            return Jet::default();
        }
        if y >= 2.0 * tau {
            return Jet {
                value: 1.0,
                d1: 0.0,
                d2: 0.0,
            };
        }
        let t = (y - tau) / tau;
        let u = 1.0 - t;
        Jet {
            value: t * t * t * (10.0 - 15.0 * t + 6.0 * t * t),
            d1: x.signum() * 30.0 * t * t * u * u / tau,
            d2: 60.0 * t * u * (1.0 - 2.0 * t) / (tau * tau),
        }
    }
}
