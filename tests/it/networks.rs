//! The network problems (`quadratic_net`, `linear_net`, `relu_net`): exact derivatives on
//! non-default sizes and options, known points against closed forms and the dense
//! Hessian spectrum, symmetries, the population formulas against Monte-Carlo, and spec
//! handling.
//!
//! Error budgets: derivative checks use 1e-6 relative (see tests/derivatives.rs for the
//! finite-difference error analysis); Monte-Carlo comparisons allow 5 standard errors;
//! exact identities are checked to 1e-10 relative.

use crate::common;

use common::{assert_stationary, check_derivatives_at, random_direction, random_point};
use landscape::finite_difference::{hessian_from_hvp, hvp_fd, relative_error};
use landscape::linalg::dot;
use landscape::problems::linear_net::LinearNet;
use landscape::problems::quadratic_net::QuadraticNet;
use landscape::problems::relu_net::{arccos_kernel, ReluNet};
use landscape::problems::{self, ProblemSpec};
use landscape::random::{gaussian_matrix, gaussian_vector, rng};
use landscape::{Objective, Verdict};
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use proptest::prelude::*;

const BUDGET: f64 = 1e-6;

fn build(toml: &str) -> Box<dyn Objective> {
    let spec = ProblemSpec::from_toml(toml, "test", None).unwrap();
    problems::build(&spec).unwrap()
}

fn build_err(toml: &str) -> landscape::Error {
    let spec = ProblemSpec::from_toml(toml, "test", None).unwrap();
    match problems::build(&spec) {
        Ok(_) => panic!("spec should be rejected:\n{toml}"),
        Err(e) => e,
    }
}

/// Sorted eigenvalues of the symmetrised dense Hessian from exact HVPs.
fn hessian_spectrum(f: &dyn Objective, x: &[f64]) -> Vec<f64> {
    let h = hessian_from_hvp(f, x);
    let h = (&h + h.transpose()) * 0.5;
    let eig = SymmetricEigen::try_new(h, 1e-14, 10_000).expect("eigensolver converges");
    let mut values: Vec<f64> = eig.eigenvalues.iter().copied().collect();
    values.sort_by(f64::total_cmp);
    values
}

fn gradient(f: &dyn Objective, x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; f.dim()];
    f.gradient(x, &mut g);
    g
}

fn matrix_toml(m: &DMatrix<f64>) -> String {
    let rows: Vec<String> = m
        .row_iter()
        .map(|r| {
            let v: Vec<String> = r.iter().map(|v| format!("{v:e}")).collect();
            format!("[{}]", v.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

const QUADRATIC_NET_SPECS: &[&str] = &[
    "kind = \"quadratic_net\"\nd = 4\nk = 3\nteacher_k = 2",
    "kind = \"quadratic_net\"\nd = 3\nk = 4\nteacher_k = 1\nweight_decay = 0.3\na = [1.0, -0.5, 2.0, 0.0]\nseed = 5",
    "kind = \"quadratic_net\"\nd = 5\nk = 2\nteacher_k = 3\nsamples = 17\nweight_decay = 0.1\na = [0.7, -1.3]\nseed = 2",
];

const LINEAR_NET_SPECS: &[&str] = &[
    "kind = \"linear_net\"\nwidths = [3, 2]\nsamples = 7",
    "kind = \"linear_net\"\nwidths = [3, 2, 4]\nsamples = 9\nseed = 1",
    "kind = \"linear_net\"\nwidths = [2, 3, 3, 2, 2]\nsamples = 5\nseed = 3",
    "kind = \"linear_net\"\nwidths = [2, 1, 2]\nx = [[1.0, -0.5, 2.0], [0.3, 0.7, -1.1]]\ny = [[0.2, 1.0, -0.4], [1.5, -0.3, 0.8]]",
];

const RELU_NET_SPECS: &[&str] = &[
    "kind = \"relu_net\"\nk = 4\nn = 3",
    "kind = \"relu_net\"\nk = 3\nn = 6",
    "kind = \"relu_net\"\nteacher = [[1.0, 0.5, 0.0, -0.2], [-0.3, 1.2, 0.4, 0.0], [0.0, 0.1, -0.9, 1.0]]\nn = 4",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn network_derivatives_on_other_sizes(seed in any::<u64>(), scale in 0.1f64..2.0) {
        for spec in QUADRATIC_NET_SPECS.iter().chain(LINEAR_NET_SPECS).chain(RELU_NET_SPECS) {
            let f = build(spec);
            check_derivatives_at(f.as_ref(), seed, scale, BUDGET);
        }
    }

    #[test]
    fn symmetry_directions_are_flat(seed in any::<u64>()) {
        let specs = [
            QUADRATIC_NET_SPECS[0],
            "kind = \"quadratic_net\"\nd = 3\nk = 3\nteacher_k = 2\na = [1.0, -0.5, 2.0]",
            "kind = \"quadratic_net\"\nd = 3\nk = 4\nteacher_k = 2\nsamples = 12\na = [1.0, -2.0, 0.0, 1.0]",
            "kind = \"quadratic_net\"\nd = 3\nk = 3\nteacher_k = 2\nweight_decay = 0.5\na = [2.0, 1.0, 2.0]",
            LINEAR_NET_SPECS[1],
            LINEAR_NET_SPECS[2],
        ];
        for spec in specs {
            let f = build(spec);
            let x = random_point(f.as_ref(), seed, 1.0);
            let directions = f.symmetry_directions(&x);
            prop_assert!(!directions.is_empty(), "{spec}: no symmetry directions");
            assert_flat(f.as_ref(), &x, &directions);
        }
    }
}

/// ∇f(x)·d = 0 and f(x + td) − f(x) = O(t²) for every d; a direction with a first-order
/// change would make (f(x + td) − f(x))/t² double when t halves.
pub(crate) fn assert_flat(f: &dyn Objective, x: &[f64], directions: &[Vec<f64>]) {
    let g = gradient(f, x);
    let gnorm = dot(&g, &g).sqrt();
    let f0 = f.value(x);
    for d in directions {
        let dnorm = dot(d, d).sqrt();
        assert!(
            dot(&g, d).abs() <= 1e-10 * (1.0 + gnorm) * dnorm,
            "{}: ∇f·d = {:e}",
            f.kind(),
            dot(&g, d)
        );
        let change = |t: f64| {
            let y: Vec<f64> = x.iter().zip(d).map(|(x, d)| x + t * d / dnorm).collect();
            (f.value(&y) - f0) / (t * t)
        };
        let (r1, r2) = (change(1e-3), change(5e-4));
        assert!(
            (r1 - r2).abs() <= 0.05 * (r1.abs() + r2.abs()) + 1e-4 * (1.0 + f0.abs()),
            "{}: f(x + td) − f(x) is not O(t²): {r1:e} vs {r2:e}",
            f.kind()
        );
    }
}

#[test]
fn a_gradient_direction_fails_the_flatness_check() {
    let f = build(QUADRATIC_NET_SPECS[0]);
    let x = random_point(f.as_ref(), 4, 1.0);
    let g = gradient(f.as_ref(), &x);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_flat(f.as_ref(), &x, &[g])
    }));
    assert!(result.is_err(), "the flatness check must reject ∇f itself");
}

#[test]
fn quadratic_net_symmetry_counts() {
    // λ = 0, a without zeros: dim of {K : KᵀA + AK = 0} = k(k−1)/2.
    let f =
        build("kind = \"quadratic_net\"\nd = 5\nk = 4\nteacher_k = 2\na = [1.0, -0.5, 2.0, 1.0]");
    let x = random_point(f.as_ref(), 1, 1.0);
    assert_eq!(f.symmetry_directions(&x).len(), 6);
    // λ > 0: only rotations among equal aⱼ (rows 0 and 2 here).
    let f = build("kind = \"quadratic_net\"\nd = 3\nk = 3\nteacher_k = 2\nweight_decay = 0.5\na = [2.0, 1.0, 2.0]");
    assert_eq!(f.symmetry_directions(&x[..9]).len(), 1);
    // λ = 0 with a zero output weight: that row is free (d directions) plus the pairs of
    // the nonzero ones.
    let f = build("kind = \"quadratic_net\"\nd = 3\nk = 3\nteacher_k = 1\na = [1.0, 0.0, 3.0]");
    assert_eq!(f.symmetry_directions(&x[..9]).len(), 1 + 3);
}

/// E[(xᵀDx)²] by the brute-force Isserlis sum Σ D_ab D_ce E[x_a x_b x_c x_e].
fn isserlis_fourth_moment(dm: &DMatrix<f64>) -> f64 {
    let n = dm.nrows();
    let delta = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    let mut sum = 0.0;
    for a in 0..n {
        for b in 0..n {
            for c in 0..n {
                for e in 0..n {
                    let moment = delta(a, b) * delta(c, e)
                        + delta(a, c) * delta(b, e)
                        + delta(a, e) * delta(b, c);
                    sum += dm[(a, b)] * dm[(c, e)] * moment;
                }
            }
        }
    }
    sum
}

#[test]
fn quadratic_net_population_formula_is_the_gaussian_expectation() {
    let spec = "kind = \"quadratic_net\"\nd = 3\nk = 2\nteacher_k = 2\na = [1.0, -0.6]\nseed = 9";
    let pop = QuadraticNet::from_spec(&ProblemSpec::from_toml(spec, "t", None).unwrap()).unwrap();
    let w = gaussian_vector(&mut rng(11), 6);
    // Exact: D = WᵀAW − W*ᵀW*, f = ½E[(xᵀDx)²] by Isserlis.
    let wm = DMatrix::from_row_slice(2, 3, &w);
    let a = DMatrix::from_diagonal(&DVector::from_vec(vec![1.0, -0.6]));
    let t = pop.teacher();
    let dm = wm.transpose() * a * &wm - t.transpose() * t;
    let exact = 0.5 * isserlis_fourth_moment(&dm);
    let value = pop.value(&w);
    assert!(
        (value - exact).abs() <= 1e-10 * (1.0 + exact),
        "population {value} vs Isserlis {exact}"
    );
    // Monte-Carlo: the sample form with the same seed has the same teacher.
    let n = 200_000;
    let sample = QuadraticNet::from_spec(
        &ProblemSpec::from_toml(&format!("{spec}\nsamples = {n}"), "t", None).unwrap(),
    )
    .unwrap();
    assert_eq!(sample.teacher(), pop.teacher());
    let x = sample.inputs();
    let half_sq: Vec<f64> = (0..n)
        .map(|i| {
            let xi = x.row(i).transpose();
            let r = xi.dot(&(&dm * &xi));
            0.5 * r * r
        })
        .collect();
    let mean = half_sq.iter().sum::<f64>() / n as f64;
    let var = half_sq.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let stderr = (var / n as f64).sqrt();
    let mc = sample.value(&w);
    assert!(
        (mc - mean).abs() <= 1e-9 * mean,
        "sample form {mc} vs direct mean {mean}"
    );
    assert!(
        (mc - value).abs() <= 5.0 * stderr,
        "Monte-Carlo {mc} ± {stderr} vs population {value}"
    );
}

#[test]
fn quadratic_net_known_points() {
    for (spec, population) in [
        (
            "kind = \"quadratic_net\"\nd = 4\nk = 3\nteacher_k = 2\nseed = 1",
            true,
        ),
        (
            "kind = \"quadratic_net\"\nd = 4\nk = 3\nteacher_k = 2\nsamples = 40\nseed = 1",
            false,
        ),
    ] {
        let f = QuadraticNet::from_spec(&ProblemSpec::from_toml(spec, "t", None).unwrap()).unwrap();
        assert_eq!(f.optimum(), Some(0.0));
        let truth = f.known_point("truth").expect("truth");
        assert_eq!(truth.kind, Verdict::GlobalMin);
        assert!(
            f.value(&truth.x).abs() <= 1e-12,
            "f(truth) = {}",
            f.value(&truth.x)
        );
        assert_stationary(&f, &truth.x, 1e-10);
        // At the global minimum the Hessian is PSD.
        let spectrum = hessian_spectrum(&f, &truth.x);
        assert!(spectrum[0] >= -1e-10, "λmin at truth = {}", spectrum[0]);

        // M ≻ 0 here (population, or N = 40 ≥ d = 4 samples), so every eigenvalue −aⱼμ
        // of ∇²f(0) is negative: W = 0 is a local maximum.
        let zeros = f.known_point("zeros").expect("zeros");
        assert_eq!(zeros.kind, Verdict::LocalMax);
        assert_stationary(&f, &zeros.x, 1e-14);
        // f(0) and λmin(∇²f(0)) = −λmax(M) from the teacher and the samples directly.
        let t = f.teacher();
        let b = t.transpose() * t;
        let (f0, m) = if population {
            let mut m = &b * 4.0;
            for c in 0..4 {
                m[(c, c)] += 2.0 * b.trace();
            }
            (0.5 * (2.0 * b.norm_squared() + b.trace().powi(2)), m)
        } else {
            let x = f.inputs();
            let n = x.nrows();
            let mut f0 = 0.0;
            let mut m = DMatrix::zeros(4, 4);
            for i in 0..n {
                let xi = x.row(i).transpose();
                let yi = (t * &xi).norm_squared();
                f0 += 0.5 * yi * yi / n as f64;
                m += &xi * xi.transpose() * (2.0 * yi / n as f64);
            }
            (f0, m)
        };
        assert!((f.value(&zeros.x) - f0).abs() <= 1e-10 * f0);
        let mu = SymmetricEigen::new(m).eigenvalues;
        let (mu_max, mu_min) = (mu.max(), mu.min());
        assert!(mu_min > 0.0, "M is positive definite");
        let spectrum = hessian_spectrum(&f, &zeros.x);
        let top = spectrum[spectrum.len() - 1];
        assert!(
            (top + mu_min).abs() <= 1e-10 * mu_max,
            "λmax(∇²f(0)) = {top} vs −λmin(M) = {}",
            -mu_min
        );
        assert!(
            (spectrum[0] + mu_max).abs() <= 1e-10 * mu_max,
            "λmin(∇²f(0)) = {} vs −λmax(M) = {}",
            spectrum[0],
            -mu_max
        );
        let (lo, hi) = f.hessian_extremes_at_zero().unwrap();
        assert!((lo + mu_max).abs() <= 1e-10 * mu_max && (hi + mu_min).abs() <= 1e-10 * mu_max);
    }
    // Output weights of both signs: curvature −aⱼμ of both signs, a strict saddle.
    let f = build("kind = \"quadratic_net\"\nd = 3\nk = 2\nteacher_k = 1\na = [1.0, -1.0]");
    let zeros = f.known_point("zeros").unwrap();
    assert_eq!(zeros.kind, Verdict::StrictSaddle);
    let spectrum = hessian_spectrum(f.as_ref(), &zeros.x);
    assert!(spectrum[0] < -0.1 && spectrum[spectrum.len() - 1] > 0.1);
    // With all output weights negative and λ > 0, 0 is a strict local minimum.
    let f = build("kind = \"quadratic_net\"\nd = 3\nk = 2\nteacher_k = 1\na = [-1.0, -2.0]\nweight_decay = 0.1");
    let zeros = f.known_point("zeros").unwrap();
    assert_eq!(zeros.kind, Verdict::LocalMin);
    assert!(hessian_spectrum(f.as_ref(), &zeros.x)[0] > 0.05);
    assert!(f.known_point("truth").is_none() && f.optimum().is_none());
}

#[test]
fn quadratic_net_spec_errors() {
    let base = "kind = \"quadratic_net\"\nd = 3\nk = 2\nteacher_k = 1";
    build_err(&format!("{base}\na = [1.0, 2.0, 3.0]"));
    build_err(&format!("{base}\na = [1.0, nan]"));
    build_err(&format!("{base}\nweight_decay = -1.0"));
    build_err(&format!("{base}\nweight_decay = inf"));
    build_err("kind = \"quadratic_net\"\nk = 2\nteacher_k = 1");
    build_err("kind = \"quadratic_net\"\nd = 0\nk = 2\nteacher_k = 1");
    build_err(&format!("{base}\nsamples = -3"));
}

#[test]
fn linear_net_generated_and_data_agree() {
    let generated = "kind = \"linear_net\"\nwidths = [3, 2, 2]\nsamples = 6\nseed = 4";
    let g = LinearNet::from_spec(&ProblemSpec::from_toml(generated, "t", None).unwrap()).unwrap();
    // Y = AX with the stored teacher.
    let teacher = g.teacher().unwrap();
    assert!((teacher * g.inputs() - g.targets()).amax() <= 1e-12);
    let data = format!(
        "kind = \"linear_net\"\nwidths = [3, 2, 2]\nx = {}\ny = {}",
        matrix_toml(&g.inputs()),
        matrix_toml(&g.targets())
    );
    let d = build(&data);
    for seed in 0..3 {
        let w = random_point(&g, seed, 1.0);
        assert!((g.value(&w) - d.value(&w)).abs() <= 1e-12 * (1.0 + g.value(&w)));
        assert!(relative_error(&gradient(&g, &w), &gradient(d.as_ref(), &w)) <= 1e-12);
    }
    // Same f* both ways: 0 exactly when generated, Eckart–Young (≈ 0) from the data.
    assert_eq!(g.optimum(), Some(0.0));
    assert!(d.optimum().unwrap() <= 1e-10);
}

#[test]
fn linear_net_spec_errors() {
    build_err("kind = \"linear_net\"\nwidths = [3]\nsamples = 4");
    build_err("kind = \"linear_net\"\nwidths = [3, 0, 2]\nsamples = 4");
    build_err("kind = \"linear_net\"\nsamples = 4");
    build_err("kind = \"linear_net\"\nwidths = [2, 2]");
    build_err("kind = \"linear_net\"\nwidths = [2, 2]\nx = [[1.0, 2.0], [3.0, 4.0]]");
    // Wrong shapes and a non-finite value.
    let y = "[[1.0, 2.0], [3.0, 4.0]]";
    build_err(&format!(
        "kind = \"linear_net\"\nwidths = [3, 2]\nx = [[1.0, 2.0], [3.0, 4.0]]\ny = {y}"
    ));
    build_err(&format!(
        "kind = \"linear_net\"\nwidths = [2, 2]\nx = [[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]]\ny = {y}"
    ));
    build_err(&format!(
        "kind = \"linear_net\"\nwidths = [2, 2]\nx = [[1.0, 2.0], [3.0]]\ny = {y}"
    ));
    build_err(&format!(
        "kind = \"linear_net\"\nwidths = [2, 2]\nx = [[1.0, nan], [3.0, 4.0]]\ny = {y}"
    ));
    build_err(&format!(
        "kind = \"linear_net\"\nwidths = [2, 2]\nsamples = 2\nx = {y}\ny = {y}"
    ));
}

/// YXᵀ and the (i, j) of its largest entry.
fn cross_covariance(f: &LinearNet) -> (DMatrix<f64>, usize, usize) {
    let c = f.targets() * f.inputs().transpose();
    let (mut bi, mut bj) = (0, 0);
    for i in 0..c.nrows() {
        for j in 0..c.ncols() {
            if c[(i, j)].abs() > c[(bi, bj)].abs() {
                (bi, bj) = (i, j);
            }
        }
    }
    (c, bi, bj)
}

#[test]
fn linear_net_zeros_strict_saddle_for_two_layers() {
    let spec = "kind = \"linear_net\"\nwidths = [3, 2, 4]\nsamples = 9\nseed = 1";
    let f = LinearNet::from_spec(&ProblemSpec::from_toml(spec, "t", None).unwrap()).unwrap();
    let zeros = f.known_point("zeros").unwrap();
    assert_eq!(zeros.kind, Verdict::StrictSaddle);
    assert_stationary(&f, &zeros.x, 1e-14);
    let y = f.targets();
    assert!((f.value(&zeros.x) - 0.5 * y.norm_squared()).abs() <= 1e-12 * y.norm_squared());
    // ∇²f(0) is the form −2⟨V₂V₁, YXᵀ⟩: eigenvalues ±σᵢ(YXᵀ), so λmin = −σmax.
    let (c, _, _) = cross_covariance(&f);
    let sigma_max = c.singular_values().max();
    let spectrum = hessian_spectrum(&f, &zeros.x);
    assert!(
        (spectrum[0] + sigma_max).abs() <= 1e-10 * sigma_max,
        "λmin = {} vs −σmax(YXᵀ) = {}",
        spectrum[0],
        -sigma_max
    );
}

#[test]
fn linear_net_zeros_non_strict_saddle_for_deep_nets() {
    let spec = "kind = \"linear_net\"\nwidths = [2, 3, 3, 2, 2]\nsamples = 5\nseed = 3";
    let f = LinearNet::from_spec(&ProblemSpec::from_toml(spec, "t", None).unwrap()).unwrap();
    let h = 4;
    let zeros = f.known_point("zeros").unwrap();
    assert_eq!(zeros.kind, Verdict::NonStrictSaddle);
    assert_stationary(&f, &zeros.x, 1e-14);
    // Gradient and Hessian vanish exactly.
    assert!(hessian_from_hvp(&f, &zeros.x).amax() == 0.0);
    // Descent of order H along V_H⋯V₁ = s·e_i e_jᵀ, s = sign of (YXᵀ)_ij:
    // f(tV) − f(0) = −t^H |(YXᵀ)_ij| + O(t^{2H}).
    let (c, i, j) = cross_covariance(&f);
    let sign = c[(i, j)].signum();
    let widths = [2, 3, 3, 2, 2];
    let mut v = Vec::new();
    for l in 1..=h {
        let (rows, cols) = (widths[l], widths[l - 1]);
        let mut block = vec![0.0; rows * cols];
        let (r, col) = match l {
            1 => (0, j),
            l if l == h => (i, 0),
            _ => (0, 0),
        };
        block[r * cols + col] = if l == h { sign } else { 1.0 };
        v.extend(block);
    }
    let f0 = f.value(&zeros.x);
    for t in [0.05, 0.1] {
        let x: Vec<f64> = v.iter().map(|v| t * v).collect();
        let rate = (f0 - f.value(&x)) / t.powi(h as i32);
        assert!(
            (rate - c[(i, j)].abs()).abs() <= 1e-3 * c[(i, j)].abs(),
            "t = {t}: descent rate {rate} vs |(YXᵀ)_ij| = {}",
            c[(i, j)].abs()
        );
    }
}

#[test]
fn linear_net_truth_is_a_global_minimum() {
    let f = build("kind = \"linear_net\"\nwidths = [2, 3, 3, 2]\nsamples = 8\nseed = 6");
    assert_eq!(f.optimum(), Some(0.0));
    let truth = f.known_point("truth").unwrap();
    assert_eq!(truth.kind, Verdict::GlobalMin);
    assert!(f.value(&truth.x) <= 1e-24);
    assert_stationary(f.as_ref(), &truth.x, 1e-12);
    assert!(hessian_spectrum(f.as_ref(), &truth.x)[0] >= -1e-10);
    // A bottleneck narrower than d₀ has no `truth` point.
    let f = build("kind = \"linear_net\"\nwidths = [3, 2, 3]\nsamples = 8");
    assert!(f.known_point("truth").is_none());
}

#[test]
fn linear_net_eckart_young_optimum() {
    // Non-realisable data through a width-1 bottleneck: the minimiser P* = U₁U₁ᵀP̂
    // (P̂ = YXᵀ(XXᵀ)⁻¹, U₁ the top eigenvector of YXᵀ(XXᵀ)⁻¹XYᵀ), factored as
    // W₁ = U₁ᵀP̂, W₂ = U₁, is stationary and attains optimum().
    let mut r = rng(21);
    let x = gaussian_matrix(&mut r, 3, 10);
    let y = gaussian_matrix(&mut r, 3, 10);
    let f = LinearNet::new(vec![3, 1, 3], &x, &y, None).unwrap();
    let xxt = &x * x.transpose();
    let p_hat = &y * x.transpose() * xxt.clone().try_inverse().unwrap();
    let c = &p_hat * &xxt * p_hat.transpose();
    let eig = SymmetricEigen::new(c);
    let top = eig.eigenvalues.imax();
    let u1 = eig.eigenvectors.column(top).into_owned();
    let w1 = u1.transpose() * &p_hat;
    let mut w: Vec<f64> = w1.iter().copied().collect();
    w.extend(u1.iter());
    let fstar = f.optimum().unwrap();
    assert!(fstar > 0.1, "not realisable: f* = {fstar}");
    assert!(
        (f.value(&w) - fstar).abs() <= 1e-10 * fstar,
        "{} vs {fstar}",
        f.value(&w)
    );
    assert_stationary(&f, &w, 1e-9);
    for seed in 0..20 {
        assert!(f.value(&random_point(&f, seed, 1.0)) >= fstar);
    }
}

#[test]
fn relu_kernel_matches_monte_carlo() {
    let n = 200_000;
    let mut r = rng(3);
    let xs = gaussian_matrix(&mut r, 3, n);
    let pairs: [([f64; 3], [f64; 3]); 4] = [
        ([1.0, 0.2, -0.5], [0.3, -1.0, 0.8]),
        ([1.0, 0.0, 0.0], [0.99, 0.05, 0.0]),
        ([1.0, 2.0, 0.0], [-1.0, -1.9, 0.1]),
        ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
    ];
    for (w, v) in pairs {
        let samples: Vec<f64> = (0..n)
            .map(|i| {
                let x = xs.column(i);
                let a = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2]).max(0.0);
                let b = (v[0] * x[0] + v[1] * x[1] + v[2] * x[2]).max(0.0);
                a * b
            })
            .collect();
        let mean = samples.iter().sum::<f64>() / n as f64;
        let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        let stderr = (var / n as f64).sqrt();
        let g = arccos_kernel(&w, &v);
        assert!(
            (g - mean).abs() <= 5.0 * stderr,
            "g({w:?}, {v:?}) = {g} vs Monte-Carlo {mean} ± {stderr}"
        );
    }
    // Exact special angles: θ = 0, π/2, π.
    let w = [0.3, -1.2, 0.4];
    let w2 = dot(&w, &w);
    assert!((arccos_kernel(&w, &w) - 0.5 * w2).abs() <= 1e-15);
    assert!(arccos_kernel(&w, &[-0.6, 2.4, -0.8]).abs() <= 1e-15);
    let orth = [1.2, 0.3, 0.0];
    let expected = w2.sqrt() * dot(&orth, &orth).sqrt() / (2.0 * std::f64::consts::PI);
    assert!((arccos_kernel(&w, &orth) - expected).abs() <= 1e-15);
}

#[test]
fn relu_net_truth_is_a_global_minimum() {
    for (n, k) in [(4, 4), (7, 3)] {
        let f = ReluNet::new(n, &DMatrix::identity(k, k)).unwrap();
        assert_eq!(f.optimum(), Some(0.0));
        let truth = f.known_point("truth").unwrap();
        assert_eq!(truth.kind, Verdict::GlobalMin);
        assert!(
            f.value(&truth.x).abs() <= 1e-14,
            "F(truth) = {}",
            f.value(&truth.x)
        );
        assert_stationary(&f, &truth.x, 1e-14);
        // F is C² there (θ ∈ {0, π/2}); the Hessian is PSD.
        let spectrum = hessian_spectrum(&f, &truth.x);
        assert!(spectrum[0] >= -1e-12, "λmin = {}", spectrum[0]);
        // The θ = 0 limit of the Hessian against differences of the gradient (the
        // Hessian is only Lipschitz there, so the difference error is O(h) ≈ 1e-5).
        let v = random_direction(&f, 1);
        let mut hv = vec![0.0; f.dim()];
        f.hvp(&truth.x, &v, &mut hv);
        let err = relative_error(&hv, &hvp_fd(&f, &truth.x, &v));
        assert!(err <= 1e-4, "HVP at truth vs differences: {err:e}");
        // F ≥ 0 = f* everywhere.
        for seed in 0..10 {
            assert!(f.value(&random_point(&f, seed, 1.0)) >= 0.0);
        }
    }
    assert!(ReluNet::new(2, &DMatrix::identity(3, 3))
        .unwrap()
        .known_points()
        .is_empty());
}

#[test]
fn relu_net_is_finite_at_its_non_differentiable_points() {
    let f = ReluNet::new(3, &DMatrix::identity(3, 3)).unwrap();
    // Row 0 zero, row 1 antiparallel to e₂ (θ = π), row 2 parallel to row 1 reversed.
    let x = [0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 2.0, 0.0];
    let g = gradient(&f, &x);
    let v = random_direction(&f, 2);
    let mut hv = vec![0.0; 9];
    f.hvp(&x, &v, &mut hv);
    assert!(g.iter().chain(&hv).all(|v| v.is_finite()));
    assert!(f.value(&x).is_finite());
    // The zero row gets the 0 subgradient and the Hessian ½I of its self term.
    assert_eq!(&g[..3], &[0.0, 0.0, 0.0]);
    for c in 0..3 {
        assert!((hv[c] - 0.5 * v[c]).abs() <= 1e-15);
    }
}

#[test]
fn relu_net_generated_and_data_agree_and_no_symmetries() {
    let generated = build("kind = \"relu_net\"\nk = 3\nn = 2");
    let data = build("kind = \"relu_net\"\nteacher = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\nn = 2");
    let x = random_point(generated.as_ref(), 5, 1.0);
    assert_eq!(generated.value(&x), data.value(&x));
    assert_eq!(
        gradient(generated.as_ref(), &x),
        gradient(data.as_ref(), &x)
    );
    assert!(generated.symmetry_directions(&x).is_empty());
    assert_eq!(generated.optimum(), None);
}

#[test]
fn relu_net_spec_errors() {
    build_err("kind = \"relu_net\"\nn = 3");
    build_err("kind = \"relu_net\"\nk = 0");
    build_err("kind = \"relu_net\"\nk = 3\nn = 0");
    build_err("kind = \"relu_net\"\nteacher = [[1.0, 0.0], [0.0]]");
    build_err("kind = \"relu_net\"\nteacher = [[1.0, nan], [0.0, 1.0]]");
    build_err("kind = \"relu_net\"\nteacher = [[1.0, 0.0], [0.0, 1.0]]\nk = 3");
    build_err("kind = \"relu_net\"\nteacher = \"missing.npy\"");
    build_err("kind = \"relu_net\"\nteacher = [[1.0, 0.0], [0.0, 0.0]]");
}

/// linear_net counts its symmetry directions without building them: Σ over hidden layers
/// of d_l² (the GL(d_l) tangent), equal to what `symmetry_directions` builds.
#[test]
fn linear_net_symmetry_count_matches_the_directions() {
    let f = build("kind = \"linear_net\"\nwidths = [3, 4, 5, 2]\nsamples = 10");
    let x = random_point(f.as_ref(), 11, 1.0);
    assert_eq!(f.symmetry_count(&x), 4 * 4 + 5 * 5);
    assert_eq!(f.symmetry_directions(&x).len(), f.symmetry_count(&x));
}
