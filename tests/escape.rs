//! Saddle escape: perturbed gradient descent (Jin et al. 2017), noisy gradient descent
//! (Ge et al. 2015) and the `landscape escape` experiment, against the paper's formulas
//! written out by hand, plain gradient descent, and the geometry of the saddles.

use landscape::optim::pgd::{PaperConstants, Pgd, PgdMode, PgdParams, PgdThresholds};
use landscape::optim::{self, Hyperparameters, RunOptions};
use landscape::problems::quadratic::Quadratic;
use nalgebra::{DMatrix, DVector};

/// f(x) = ½xᵀAx with A = diag(2, 0.5): a convex bowl, ∇f = (2x₁, 0.5x₂).
fn bowl() -> Quadratic {
    Quadratic::new(
        DMatrix::from_diagonal(&DVector::from_vec(vec![2.0, 0.5])),
        vec![0.0, 0.0],
    )
}

#[test]
fn paper_mode_thresholds_match_hand_computed_values() {
    // d = 2, ℓ = 2, ρ = 4, ε = 0.01, c = 0.5, δ = 0.1, Δf = 1:
    // dℓΔf/(cε²δ) = 4/(0.5·10⁻⁴·0.1) = 8·10⁵; ln(8·10⁵) = ln 8 + 5 ln 10
    // = 2.0794415417 + 11.5129254650 = 13.5923670067 > 4, so χ = 40.7771010200.
    // η = c/ℓ = 0.25; √c/χ² = 0.7071067812/1662.7720 = 4.2525782e-4, so
    // g_thres = 4.2525782e-6 and r = g_thres/ℓ = 2.1262891e-6;
    // f_thres = (c/χ³)·√(ε³/ρ) = (0.5/67803.57)·√(10⁻⁶/4) = 7.374243e-6·5e-4 = 3.6871514e-9;
    // t_thres = ⌈(χ/c²)·ℓ/√(ρε)⌉ = ⌈4χ·2/0.2⌉ = ⌈40χ⌉ = ⌈1631.084⌉ = 1632.
    let p = PaperConstants {
        ell: 2.0,
        rho: 4.0,
        epsilon: 0.01,
        c: 0.5,
        delta: 0.1,
        delta_f: 1.0,
    };
    let close = |found: f64, expected: f64, tol: f64, what: &str| {
        assert!(
            ((found - expected) / expected).abs() < tol,
            "{what}: found {found:e}, expected {expected:e}"
        );
    };
    close(p.chi(2), 40.777_101_020, 1e-10, "χ");
    let t = p.thresholds(2);
    close(t.lr, 0.25, 1e-15, "η");
    close(t.g_thres, 4.252_578_2e-6, 1e-7, "g_thres");
    close(t.radius, 2.126_289_1e-6, 1e-7, "r");
    close(t.f_thres, 3.687_151_4e-9, 1e-7, "f_thres");
    assert_eq!(t.t_thres, 1632);
    // The max{·, 4} branch: d = 1, ℓΔf/(cε²δ) small ⇒ χ = 12.
    let small = PaperConstants {
        epsilon: 1.0,
        delta: 1.0,
        ..p
    };
    // 1·2·1/(0.5·1·1) = 4, ln 4 = 1.386 < 4.
    assert_eq!(small.chi(1), 12.0);
}

#[test]
fn pgd_with_large_gradients_takes_exactly_gd_steps() {
    // From (100, −100) with η = 0.1, ‖∇f(xₜ)‖ ≥ 0.5·100·0.95ᵗ ≫ g_thres = 10⁻³ for the
    // 100 steps, so PGD never perturbs and must equal GD bit for bit.
    let f = bowl();
    let options = RunOptions {
        max_iters: 100,
        record_iterates: true,
        ..Default::default()
    };
    let x0 = [100.0, -100.0];
    let mut gd = optim::build(
        "gd",
        &Hyperparameters {
            lr: Some(0.1),
            ..Default::default()
        },
    )
    .unwrap();
    let mut pgd = Pgd::new(PgdParams {
        mode: PgdMode::Practical(PgdThresholds {
            lr: 0.1,
            g_thres: 1e-3,
            ..Default::default()
        }),
        seed: 7,
        stream: 0,
    })
    .unwrap();
    let a = optim::run(&f, gd.as_mut(), &x0, &options).unwrap();
    let b = optim::run(&f, &mut pgd, &x0, &options).unwrap();
    assert_eq!(a.records.len(), 101);
    assert_eq!(a.records, b.records);
    assert!(b.events.is_empty());
    assert!(b.records.iter().all(|r| r.grad_norm > 1e-3));
}
