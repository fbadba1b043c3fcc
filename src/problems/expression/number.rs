//! The numbers a formula is evaluated on, and the operators exmex evaluates them with.
//!
//! A hyper-dual number a + b·ε₁ + c·ε₂ + d·ε₁ε₂ (ε₁² = ε₂² = 0, ε₁ε₂ ≠ 0) carries a
//! value with two directional derivatives and their mixed second derivative: evaluating f
//! at x + ε₁v + ε₂eᵢ gives f(x) + ε₁ ∇f·v + ε₂ ∂ᵢf + ε₁ε₂ (∇²f·v)ᵢ, exactly (Fike &
//! Alonso 2011, "The development of hyper-dual numbers for exact second-derivative
//! calculations", AIAA 2011-886). A function g applied to u = a + bε₁ + cε₂ + dε₁ε₂ is
//! g(a) + g′(a)(bε₁ + cε₂ + dε₁ε₂) + g″(a)·bc·ε₁ε₂, so every function is given by g, g′
//! and g″ once ([`Scalar::apply`]) and plain `f64` evaluation uses g alone.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::str::FromStr;

use exmex::{BinOp, MakeOperators, MatchLiteral, Operator};

use super::formula::scan_number;

/// A hyper-dual number: `re` + `e1`·ε₁ + `e2`·ε₂ + `e12`·ε₁ε₂.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct HyperDual {
    pub re: f64,
    pub e1: f64,
    pub e2: f64,
    pub e12: f64,
}

impl HyperDual {
    /// A constant: no derivative parts.
    pub fn constant(re: f64) -> Self {
        HyperDual {
            re,
            ..Self::default()
        }
    }

    fn is_constant(&self) -> bool {
        self.e1 == 0.0 && self.e2 == 0.0 && self.e12 == 0.0
    }
}

impl FromStr for HyperDual {
    type Err = std::num::ParseFloatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(HyperDual::constant)
    }
}

/// What the operators need of a number: arithmetic, and a function applied through its
/// value, first and second derivative.
pub(crate) trait Scalar: Copy + Default + Debug + FromStr + 'static
where
    <Self as FromStr>::Err: Debug,
{
    fn constant(value: f64) -> Self;
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn neg(self) -> Self;
    /// g(self), given g, g′ and g″ (plain numbers use g alone).
    fn apply(
        self,
        g: impl Fn(f64) -> f64,
        dg: impl Fn(f64) -> f64,
        d2g: impl Fn(f64) -> f64,
    ) -> Self;
    fn div(self, other: Self) -> Self;
    fn pow(self, exponent: Self) -> Self;
}

impl Scalar for f64 {
    fn constant(value: f64) -> Self {
        value
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn sub(self, other: Self) -> Self {
        self - other
    }
    fn mul(self, other: Self) -> Self {
        self * other
    }
    fn neg(self) -> Self {
        -self
    }
    fn apply(self, g: impl Fn(f64) -> f64, _: impl Fn(f64) -> f64, _: impl Fn(f64) -> f64) -> Self {
        g(self)
    }
    fn div(self, other: Self) -> Self {
        self / other
    }
    fn pow(self, exponent: Self) -> Self {
        self.powf(exponent)
    }
}

impl Scalar for HyperDual {
    fn constant(value: f64) -> Self {
        HyperDual::constant(value)
    }
    fn add(self, o: Self) -> Self {
        HyperDual {
            re: self.re + o.re,
            e1: self.e1 + o.e1,
            e2: self.e2 + o.e2,
            e12: self.e12 + o.e12,
        }
    }
    fn sub(self, o: Self) -> Self {
        self.add(o.neg())
    }
    fn mul(self, o: Self) -> Self {
        HyperDual {
            re: self.re * o.re,
            e1: self.e1 * o.re + self.re * o.e1,
            e2: self.e2 * o.re + self.re * o.e2,
            e12: self.e12 * o.re + self.e1 * o.e2 + self.e2 * o.e1 + self.re * o.e12,
        }
    }
    fn neg(self) -> Self {
        HyperDual {
            re: -self.re,
            e1: -self.e1,
            e2: -self.e2,
            e12: -self.e12,
        }
    }
    fn apply(
        self,
        g: impl Fn(f64) -> f64,
        dg: impl Fn(f64) -> f64,
        d2g: impl Fn(f64) -> f64,
    ) -> Self {
        let (d, d2) = (dg(self.re), d2g(self.re));
        // A zero part stays zero even where g′ or g″ is infinite (√ at 0 along another
        // variable): only the parts that move pick up the derivative.
        let scale = |part: f64| if part == 0.0 { 0.0 } else { d * part };
        let curvature = if self.e1 == 0.0 || self.e2 == 0.0 {
            0.0
        } else {
            d2 * self.e1 * self.e2
        };
        HyperDual {
            re: g(self.re),
            e1: scale(self.e1),
            e2: scale(self.e2),
            e12: scale(self.e12) + curvature,
        }
    }
    fn div(self, o: Self) -> Self {
        if o.is_constant() {
            let r = 1.0 / o.re;
            return HyperDual {
                re: self.re * r,
                e1: self.e1 * r,
                e2: self.e2 * r,
                e12: self.e12 * r,
            };
        }
        self.mul(o.apply(|x| 1.0 / x, |x| -1.0 / (x * x), |x| 2.0 / (x * x * x)))
    }
    fn pow(self, exponent: Self) -> Self {
        if exponent.is_constant() {
            // uⁿ by the power rule, so negative bases with integer n stay real.
            let n = exponent.re;
            return self.apply(
                |x| x.powf(n),
                |x| if n == 0.0 { 0.0 } else { n * x.powf(n - 1.0) },
                |x| {
                    if n == 0.0 || n == 1.0 {
                        0.0
                    } else {
                        n * (n - 1.0) * x.powf(n - 2.0)
                    }
                },
            );
        }
        // uʷ = exp(w·ln u), defined for u > 0.
        exponent
            .mul(self.apply(f64::ln, |x| 1.0 / x, |x| -1.0 / (x * x)))
            .apply(f64::exp, f64::exp, f64::exp)
    }
}

/// The sign, with sign(0) = 0: the derivative of |u| at 0 by convention.
fn sign(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x.signum()
    }
}

/// The functions, each with its first and second derivative: name ↦ (g, g′, g″).
macro_rules! functions {
    ($($name:literal => $g:expr, $dg:expr, $d2g:expr;)*) => {
        /// The function names a formula may call.
        pub(crate) const FUNCTIONS: &[&str] = &[$($name),*];

        fn unary_operators<'a, T: Scalar>() -> Vec<Operator<'a, T>>
        where
            <T as FromStr>::Err: Debug,
        {
            vec![$(Operator::make_unary($name, |a: T| a.apply($g, $dg, $d2g))),*]
        }
    };
}

functions! {
    "exp" => f64::exp, f64::exp, f64::exp;
    "log" => f64::ln, |x: f64| 1.0 / x, |x: f64| -1.0 / (x * x);
    "ln" => f64::ln, |x: f64| 1.0 / x, |x: f64| -1.0 / (x * x);
    "sqrt" => f64::sqrt, |x: f64| 0.5 / x.sqrt(), |x: f64| -0.25 / (x * x.sqrt());
    "abs" => f64::abs, sign, |_: f64| 0.0;
    "sin" => f64::sin, f64::cos, |x: f64| -x.sin();
    "cos" => f64::cos, |x: f64| -x.sin(), |x: f64| -x.cos();
    "tan" => f64::tan, |x: f64| 1.0 + x.tan().powi(2), |x: f64| 2.0 * x.tan() * (1.0 + x.tan().powi(2));
    "sinh" => f64::sinh, f64::cosh, f64::sinh;
    "cosh" => f64::cosh, f64::sinh, f64::cosh;
    "tanh" => f64::tanh, |x: f64| 1.0 - x.tanh().powi(2), |x: f64| -2.0 * x.tanh() * (1.0 - x.tanh().powi(2));
    "atan" => f64::atan, |x: f64| 1.0 / (1.0 + x * x), |x: f64| -2.0 * x / (1.0 + x * x).powi(2);
}

/// The named constants a formula may use.
pub(crate) const CONSTANTS: &[(&str, f64)] =
    &[("pi", std::f64::consts::PI), ("π", std::f64::consts::PI)];

/// exmex's operator table for numbers `T`: `^ * / + -` (unary `-` and `+` too), the
/// [`FUNCTIONS`] and the [`CONSTANTS`].
#[derive(Clone, Debug)]
pub(crate) struct Operators<T>(PhantomData<T>);

impl<T: Scalar> MakeOperators<T> for Operators<T>
where
    <T as FromStr>::Err: Debug,
{
    fn make<'a>() -> Vec<Operator<'a, T>> {
        let bin = |prio, is_commutative, apply: fn(T, T) -> T| BinOp {
            apply,
            prio,
            is_commutative,
        };
        // exmex's priorities for floats: `/` above `*`, `-` above `+`, so that chains
        // read left to right.
        let mut ops = vec![
            Operator::make_bin("^", bin(4, false, |a, b| a.pow(b))),
            Operator::make_bin("*", bin(2, true, |a, b| a.mul(b))),
            Operator::make_bin("/", bin(3, false, |a, b| a.div(b))),
            Operator::make_bin_unary("+", bin(0, true, |a, b| a.add(b)), |a| a),
            Operator::make_bin_unary("-", bin(1, false, |a, b| a.sub(b)), |a| a.neg()),
        ];
        ops.extend(unary_operators::<T>());
        ops.extend(
            CONSTANTS
                .iter()
                .map(|&(name, value)| Operator::make_constant(name, T::constant(value))),
        );
        ops
    }
}

/// Number literals: `2`, `0.5`, `.5`, `1e-3`, `2.5E+2`.
#[derive(Clone, Debug)]
pub(crate) struct Literal;

impl MatchLiteral for Literal {
    fn is_literal(text: &str) -> Option<&str> {
        let len = scan_number(text);
        (len > 0).then(|| &text[..len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hd(re: f64, e1: f64, e2: f64) -> HyperDual {
        HyperDual {
            re,
            e1,
            e2,
            e12: 0.0,
        }
    }

    #[test]
    fn products_and_quotients_carry_mixed_second_derivatives() {
        // f(x, y) = x·y at (2, 3) along ε₁ = x, ε₂ = y: ∂²f/∂x∂y = 1.
        let f = hd(2.0, 1.0, 0.0).mul(hd(3.0, 0.0, 1.0));
        assert_eq!(
            f,
            HyperDual {
                re: 6.0,
                e1: 3.0,
                e2: 2.0,
                e12: 1.0
            }
        );
        // f(x) = 1/x at 2 along ε₁ = ε₂ = x: f′ = −1/4, f″ = 2/8.
        let f = HyperDual::constant(1.0).div(hd(2.0, 1.0, 1.0));
        assert_eq!(
            f,
            HyperDual {
                re: 0.5,
                e1: -0.25,
                e2: -0.25,
                e12: 0.25
            }
        );
    }

    #[test]
    fn constant_powers_of_negative_bases_stay_real() {
        // x³ at −2: 3x² = 12, 6x = −12.
        let f = hd(-2.0, 1.0, 1.0).pow(HyperDual::constant(3.0));
        assert_eq!(
            f,
            HyperDual {
                re: -8.0,
                e1: 12.0,
                e2: 12.0,
                e12: -12.0
            }
        );
        // x² at 0: derivative 0, second derivative 2.
        let f = hd(0.0, 1.0, 1.0).pow(HyperDual::constant(2.0));
        assert_eq!(
            f,
            HyperDual {
                re: 0.0,
                e1: 0.0,
                e2: 0.0,
                e12: 2.0
            }
        );
    }

    #[test]
    fn literals_take_exponents() {
        assert_eq!(Literal::is_literal("1e-3*x"), Some("1e-3"));
        assert_eq!(Literal::is_literal(".5+x"), Some(".5"));
        assert_eq!(Literal::is_literal("x"), None);
    }
}
