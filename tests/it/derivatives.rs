//! Every shipped problem: exact gradient and HVP against finite differences and the
//! dense Hessian, as property tests over random points.
//!
//! Error budget: central differences with h = ε^{1/3}·max(1, ‖x‖∞) have truncation
//! error O(h²) ≈ 4e-11 times the third derivative and rounding error O(ε/h) ≈ 4e-11
//! times |f|; on the shipped sizes and points of scale ≤ 2, 1e-6 relative to
//! 1 + ‖∇f‖∞ leaves a margin of about 100×.

use crate::common;

use common::{assert_stationary, check_derivatives_at};
use landscape::problems::{self, KINDS};
use proptest::prelude::*;

const BUDGET: f64 = 1e-6;

proptest! {
    // A fixed seed: the points are random but the same on every run, so that a
    // piecewise problem (the octopus is C² only across its gluing hyperplanes, where
    // a finite difference straddling a seam sees the third-derivative jump) cannot make
    // CI flaky. Set PROPTEST_RNG_SEED to explore other points.
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn shipped_problems_have_exact_derivatives(seed in any::<u64>(), scale in 0.1f64..2.0) {
        for kind in KINDS {
            let (_, f) = problems::load(kind.name, &[]).unwrap();
            check_derivatives_at(f.as_ref(), seed, scale, BUDGET);
        }
    }
}

#[test]
fn every_shipped_spec_builds_and_its_known_points_are_stationary() {
    for kind in KINDS {
        let (_, f) = problems::load(kind.name, &[]).unwrap();
        assert_eq!(f.kind(), kind.name);
        assert_eq!(
            f.layout().dim(),
            f.dim(),
            "{}: layout and dim disagree",
            kind.name
        );
        let x = common::random_point(f.as_ref(), 3, 1.0);
        let built = f.symmetry_directions(&x).len();
        assert!(
            f.symmetry_count(&x) >= built,
            "{}: symmetry_count {} is not a bound on the {built} directions",
            kind.name,
            f.symmetry_count(&x)
        );
        for p in f.known_points() {
            assert_eq!(
                p.x.len(),
                f.dim(),
                "{}: known point {} has the wrong length",
                kind.name,
                p.name
            );
            let scale = 1.0 + f.value(&p.x).abs();
            assert_stationary(f.as_ref(), &p.x, 1e-8 * scale);
        }
        if let Some(fstar) = f.optimum() {
            for p in f
                .known_points()
                .iter()
                .filter(|p| p.kind == landscape::Verdict::GlobalMin)
            {
                let value = f.value(&p.x);
                assert!(
                    (value - fstar).abs() <= 1e-9 * (1.0 + fstar.abs()),
                    "{}: {} has f = {value}, f* = {fstar}",
                    kind.name,
                    p.name
                );
            }
        }
    }
}
