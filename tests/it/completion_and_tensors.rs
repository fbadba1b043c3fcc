//! `matrix_completion`, `tensor_decomposition` and `tensor_factorization`: exact
//! derivatives, known points and their verdicts, symmetries and spec handling.
//!
//! Error budgets: derivatives against central differences as in tests/derivatives.rs
//! (1e-6 relative to 1 + ‖·‖∞, about 100× the expected O(ε^{2/3}) error); the dense
//! Hessian assembled from HVPs symmetric to 1e-10. Closed-form values to 1e-12
//! relative; spectra to 1e-9 relative to the Hessian's scale.

use crate::common;

use common::{assert_stationary, check_derivatives_at, random_direction, random_point};
use landscape::finite_difference::hessian_from_hvp;
use landscape::linalg::{dot, norm};
use landscape::problems::matrix_completion::MatrixCompletion;
use landscape::problems::tensor_decomposition::TensorDecomposition;
use landscape::problems::tensor_factorization::TensorFactorization;
use landscape::problems::{self, ProblemSpec};
use landscape::random::{orthogonal_matrix, rng};
use landscape::{Objective, Verdict};
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use proptest::prelude::*;

const BUDGET: f64 = 1e-6;

fn load(kind: &str, sets: &[&str]) -> Box<dyn Objective> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    problems::load(kind, &sets).unwrap().1
}

fn spec_with(kind: &str, sets: &[&str]) -> ProblemSpec {
    let mut spec = ProblemSpec::new(kind);
    for s in sets {
        spec.apply_override(s).unwrap();
    }
    spec
}

fn sorted_eigenvalues(h: DMatrix<f64>) -> Vec<f64> {
    let h = (&h + h.transpose()) * 0.5;
    let eig = SymmetricEigen::try_new(h, 1e-14, 10_000).expect("eigensolver converged");
    let mut values: Vec<f64> = eig.eigenvalues.iter().copied().collect();
    values.sort_by(f64::total_cmp);
    values
}

fn value_at(f: &dyn Objective, name: &str) -> f64 {
    f.value(&f.known_point(name).unwrap().x)
}

const MC_VARIANTS: &[&[&str]] = &[
    &[],
    &[
        "n=7",
        "rank=3",
        "true_rank=2",
        "p=0.7",
        "lambda=2.0",
        "alpha=0.3",
    ],
    &["n=6", "rank=2", "true_rank=1", "p=1.0", "alpha=0"],
    &["n=5", "rank=1", "true_rank=2", "lambda=0"],
];
const TD_VARIANTS: &[&[&str]] = &[&[], &["n=3", "rank=5"], &["n=5", "rank=1"], &["n=4"]];
const TF_VARIANTS: &[&[&str]] = &[
    &[],
    &["order=4"],
    &["n=5", "rank=4", "true_rank=2", "order=3"],
    &["n=4", "rank=2", "true_rank=3", "order=4"],
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn exact_derivatives_on_all_variants(seed in any::<u64>(), scale in 0.1f64..2.0) {
        for (kind, variants) in [
            ("matrix_completion", MC_VARIANTS),
            ("tensor_decomposition", TD_VARIANTS),
            ("tensor_factorization", TF_VARIANTS),
        ] {
            for sets in variants {
                let f = load(kind, sets);
                check_derivatives_at(f.as_ref(), seed, scale, BUDGET);
            }
        }
    }

    #[test]
    fn tensor_decomposition_riemannian_derivatives_along_geodesics(seed in any::<u64>()) {
        for sets in TD_VARIANTS {
            let f = load("tensor_decomposition", sets);
            let x = random_point(f.as_ref(), seed, 1.0);
            let mut v = random_direction(f.as_ref(), seed);
            f.manifold().project_tangent(&x, &mut v);
            let length = norm(&v);
            v.iter_mut().for_each(|v| *v /= length);
            check_geodesic_derivatives(f.as_ref(), &x, &v);
        }
    }
}

// ---------------------------------------------------------------- matrix_completion

/// P_Ω(M) as a dense matrix, from the observed entries.
fn observed_dense(f: &MatrixCompletion, n: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(n, n);
    for (i, j, v) in f.observed() {
        m[(i, j)] = v;
        m[(j, i)] = v;
    }
    m
}

#[test]
fn matrix_completion_known_points() {
    for sets in MC_VARIANTS {
        let spec = problems::load_spec(
            "matrix_completion",
            &sets.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap();
        let f = MatrixCompletion::from_spec(&spec).unwrap();
        let n = f.truth().unwrap().nrows();
        let r = f.dim() / n;
        let p_omega = observed_dense(&f, n);
        // The ordered-pair sum: off-diagonal observed entries count twice.
        let expected_zeros = p_omega.norm_squared() / (4.0 * f.p());
        let zeros = f.known_point("zeros").expect("M ≠ 0 gives a zeros point");
        assert_eq!(zeros.kind, Verdict::StrictSaddle);
        let value = f.value(&zeros.x);
        assert!(
            (value - expected_zeros).abs() <= 1e-12 * expected_zeros,
            "{value} vs {expected_zeros}"
        );
        assert_stationary(&f, &zeros.x, 1e-12);
        // Hessian at 0 = −(1/p) P_Ω(M) ⊗ I_r: λmin = −λmax(P_Ω(M))/p, multiplicity ≥ r.
        let eig = sorted_eigenvalues(hessian_from_hvp(&f, &zeros.x));
        let lmax = *sorted_eigenvalues(p_omega.clone()).last().unwrap();
        let expected = -lmax / f.p();
        assert!(expected < 0.0);
        for e in &eig[..r] {
            assert!(
                (e - expected).abs() <= 1e-9 * expected.abs(),
                "{e} vs {expected}"
            );
        }

        let truth_point = f.known_point("truth");
        let u_star = f.truth().unwrap();
        let max_row = (0..n).map(|i| u_star.row(i).norm()).fold(0.0, f64::max);
        if r < u_star.ncols() || f.regulariser().1 < max_row {
            assert!(
                truth_point.is_none(),
                "rank < true_rank or α < max‖U*ᵢ‖: no truth point"
            );
            assert_eq!(f.optimum(), None);
            continue;
        }
        let truth = truth_point.unwrap();
        assert_eq!(truth.kind, Verdict::GlobalMin);
        assert_eq!(f.optimum(), Some(0.0));
        assert!(
            f.value(&truth.x).abs() <= 1e-14,
            "f(truth) = {}",
            f.value(&truth.x)
        );
        assert_stationary(&f, &truth.x, 1e-12);
        let h = hessian_from_hvp(&f, &truth.x);
        let scale = h.amax();
        let eig = sorted_eigenvalues(h.clone());
        assert!(eig[0] >= -1e-9 * scale, "truth: λmin = {}", eig[0]);
        // The symmetry directions are null vectors of the Hessian at a stationary point.
        for d in f.symmetry_directions(&truth.x) {
            let hd = &h * DVector::from_column_slice(&d);
            assert!(hd.amax() <= 1e-9 * scale * norm(&d), "H·d = {}", hd.amax());
        }
    }
}

#[test]
fn matrix_completion_symmetry_is_flat_to_second_order() {
    for sets in MC_VARIANTS {
        let f = load("matrix_completion", sets);
        let x = random_point(f.as_ref(), 11, 1.0);
        let mut g = vec![0.0; f.dim()];
        f.gradient(&x, &mut g);
        let dirs = f.symmetry_directions(&x);
        let r = f.layout().blocks[0].shape[1];
        assert_eq!(dirs.len(), r * (r - 1) / 2);
        for d in dirs {
            assert!(
                dot(&g, &d).abs() <= 1e-12 * norm(&g) * norm(&d),
                "∇f·d = {}",
                dot(&g, &d)
            );
            let delta = |t: f64| {
                let y: Vec<f64> = x.iter().zip(&d).map(|(x, d)| x + t * d).collect();
                f.value(&y) - f.value(&x)
            };
            // x + t·UK = U(I + tK) and (I + tK)(I + tK)ᵀ = I + t²KKᵀ: Δ(t) = Θ(t²).
            let (big, small) = (delta(1e-3), delta(5e-4));
            let ratio = big / small;
            assert!(
                (3.8..4.2).contains(&ratio),
                "Δ(t)/Δ(t/2) = {ratio} (big {big:e}, small {small:e})"
            );
        }
    }
}

/// A TOML array of rows.
fn toml_matrix(m: &DMatrix<f64>) -> String {
    let rows: Vec<String> = (0..m.nrows())
        .map(|i| {
            let row: Vec<String> = m.row(i).iter().map(|v| format!("{v:e}")).collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

#[test]
fn matrix_completion_generated_equals_data() {
    let sets = [
        "n=8",
        "rank=3",
        "true_rank=2",
        "p=0.5",
        "lambda=0.7",
        "seed=3",
    ];
    let generated = MatrixCompletion::from_spec(&spec_with("matrix_completion", &sets)).unwrap();
    let u = generated.truth().unwrap();
    let m = u * u.transpose();
    let mut mask = DMatrix::zeros(8, 8);
    for (i, j, _) in generated.observed() {
        mask[(i, j)] = 1.0;
        mask[(j, i)] = 1.0;
    }
    let m_set = format!("m={}", toml_matrix(&m));
    let mask_set = format!("mask={}", toml_matrix(&mask));
    let data = MatrixCompletion::from_spec(&spec_with(
        "matrix_completion",
        &["rank=3", "p=0.5", "lambda=0.7", &m_set, &mask_set],
    ))
    .unwrap();
    assert_eq!(data.observed_count(), generated.observed_count());
    let (la, aa) = generated.regulariser();
    let (lb, ab) = data.regulariser();
    assert_eq!(la, lb);
    assert!((aa - ab).abs() <= 1e-12 * aa, "α: {aa} vs {ab}");
    // Large points so the regulariser is active.
    for seed in 0..4 {
        let x = random_point(&generated, seed, 1.5);
        let (mut ga, mut gb) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let va = generated.value_and_gradient(&x, &mut ga);
        let vb = data.value_and_gradient(&x, &mut gb);
        assert!((va - vb).abs() <= 1e-10 * va.abs(), "{va} vs {vb}");
        assert!(landscape::finite_difference::relative_error(&ga, &gb) <= 1e-10);
    }
    // Without p, the data instance's p is the observed fraction |Ω|/n².
    let data_default_p = MatrixCompletion::from_spec(&spec_with(
        "matrix_completion",
        &["rank=3", &m_set, &mask_set],
    ))
    .unwrap();
    assert_eq!(data_default_p.p(), generated.observed_count() as f64 / 64.0);
}

/// The module doc's seeded procedure, written out as one sequential loop over rand's
/// `StdRng`, draws exactly the instance `generated` draws (by blocks of rows in parallel,
/// from ChaCha stream positions): the same U* and the same Ω, on any thread count.
#[test]
fn matrix_completion_generated_follows_the_documented_sequential_draws() {
    // Rows shorter and (n = 700) longer than a bulk draw of 512 uniforms.
    for (n, p, seed) in [(150, 0.1, 5), (700, 0.01, 6)] {
        follows_the_documented_draws(n, 3, p, seed);
    }
}

fn follows_the_documented_draws(n: usize, true_rank: usize, p: f64, seed: u64) {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(seed);
    let mut u = DMatrix::zeros(n, true_rank);
    for i in 0..n {
        for a in 0..true_rank {
            u[(i, a)] = rng.sample::<f64, _>(rand_distr::StandardNormal) / (n as f64).sqrt();
        }
    }
    let mut expected = Vec::new();
    for i in 0..n {
        for j in i..n {
            if rng.random::<f64>() < p {
                expected.push((i, j, u.row(i).dot(&u.row(j))));
            }
        }
    }
    let sets = [
        format!("n={n}"),
        format!("true_rank={true_rank}"),
        format!("p={p}"),
        format!("seed={seed}"),
    ];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    for threads in [1, 3] {
        let mc = common::on_threads(threads, || {
            MatrixCompletion::from_spec(&spec_with("matrix_completion", &sets))
        })
        .unwrap();
        assert_eq!(mc.truth().unwrap(), &u, "U* on {threads} threads");
        assert_eq!(mc.observed(), expected, "Ω on {threads} threads");
    }
}

#[test]
fn matrix_completion_generated_sampling_rate_at_benchmark_size() {
    let f = load(
        "matrix_completion",
        &["n=2000", "rank=10", "true_rank=10", "p=0.05"],
    );
    let mc = MatrixCompletion::from_spec(&spec_with(
        "matrix_completion",
        &["n=2000", "rank=10", "true_rank=10", "p=0.05"],
    ))
    .unwrap();
    // |Ω| = Σ over ordered pairs: mean p·n², standard deviation below √(2p n²).
    let mean = 0.05 * 2000.0 * 2000.0;
    let count = mc.observed_count() as f64;
    assert!(
        (count - mean).abs() <= 6.0 * (2.0 * mean).sqrt(),
        "|Ω| = {count}, mean {mean}"
    );
    let x = random_point(f.as_ref(), 1, 0.1);
    let mut g = vec![0.0; f.dim()];
    assert!(f.value_and_gradient(&x, &mut g).is_finite());
}

#[test]
fn matrix_completion_rejects_bad_specs() {
    let bad: &[&[&str]] = &[
        &["n=0"],
        &["n=4", "true_rank=5"],
        &["n=4", "rank=0"],
        &["n=4", "p=0"],
        &["n=4", "p=1.5"],
        &["n=4", "lambda=-1"],
        &["n=4", "alpha=-0.1"],
        &["n=4", "mask=[[1.0]]"],
        &["rank=1", "m=[[1.0, 2.0, 3.0], [2.0, 1.0, 0.0]]"],
        &["rank=1", "m=[[1.0, 2.0], [0.0, 1.0]]"],
        &["rank=1", "m=[[1.0, nan], [nan, 1.0]]"],
        &["rank=1", "m=[[1.0, inf], [inf, 1.0]]"],
        &[
            "rank=1",
            "m=[[1.0, 0.5], [0.5, 1.0]]",
            "mask=[[1.0, 0.5], [0.5, 1.0]]",
        ],
        &["rank=1", "m=[[1.0, 0.5], [0.5, 1.0]]", "mask=[[1.0]]"],
        &[
            "rank=1",
            "m=[[1.0, 0.5], [0.5, 1.0]]",
            "mask=[[0.0, 0.0], [0.0, 0.0]]",
        ],
        &["m=[[1.0, 0.5], [0.5, 1.0]]"],
        &["rank=1", "true_rank=1", "m=[[1.0, 0.5], [0.5, 1.0]]"],
        &["n=3", "rank=1", "m=[[1.0, 0.5], [0.5, 1.0]]"],
        &[],
    ];
    for sets in bad {
        let result = problems::build(&spec_with("matrix_completion", sets));
        assert!(result.is_err(), "accepted {sets:?}");
    }
}

// ---------------------------------------------------------------- tensor_decomposition

/// The geodesic through x with velocity v, per block: cos(t‖vᵢ‖)xᵢ + sin(t‖vᵢ‖)vᵢ/‖vᵢ‖.
fn geodesic(x: &[f64], v: &[f64], k: usize, t: f64) -> Vec<f64> {
    let mut y = x.to_vec();
    for ((yi, xi), vi) in y.chunks_mut(k).zip(x.chunks(k)).zip(v.chunks(k)) {
        let speed = norm(vi);
        if speed == 0.0 {
            continue;
        }
        let (s, c) = (t * speed).sin_cos();
        for ((y, x), v) in yi.iter_mut().zip(xi).zip(vi) {
            *y = c * x + s * v / speed;
        }
    }
    y
}

fn block_dim(f: &dyn Objective) -> usize {
    match f.manifold() {
        landscape::Manifold::Spheres { block_dim, .. } => block_dim,
        landscape::Manifold::Euclidean => panic!("expected spheres"),
    }
}

/// d/dt f(γ(t)) = ⟨grad f, v⟩ and d²/dt² f(γ(t)) = ⟨Hess f[v], v⟩ at t = 0, by central
/// differences for a unit tangent v (h = 1e-4 and 1e-3: errors ≈ h²·|f'''|/6 ≈ 1e-8·|f|
/// and h²·|f''''|/12 + 4ε|f|/h² ≈ 1e-6·|f|; budgets 1e-6 and 1e-5 relative to 1 + |f|).
fn check_geodesic_derivatives(f: &dyn Objective, x: &[f64], v: &[f64]) {
    let k = block_dim(f);
    let along = |t: f64| f.value(&geodesic(x, v, k, t));
    let mut g = vec![0.0; f.dim()];
    f.riemannian_gradient(x, &mut g);
    let mut hv = vec![0.0; f.dim()];
    f.riemannian_hvp(x, v, &mut hv);
    // v has unit norm, so the derivatives along γ are O(|f|) (a quartic on spheres).
    let scale = 1.0 + f.value(x).abs();
    let h1 = 1e-4;
    let first = (along(h1) - along(-h1)) / (2.0 * h1);
    assert!(
        (first - dot(&g, v)).abs() <= 1e-6 * scale,
        "first: {first} vs {}",
        dot(&g, v)
    );
    let h2 = 1e-3;
    let second = (along(h2) - 2.0 * along(0.0) + along(-h2)) / (h2 * h2);
    assert!(
        (second - dot(&hv, v)).abs() <= 1e-5 * scale,
        "second: {second} vs {}",
        dot(&hv, v)
    );
}

/// An orthonormal basis of the tangent space of the product of spheres at x (columns):
/// per block, the columns 2…k of the Householder reflection that maps xᵢ to ∓e₁.
fn tangent_basis(x: &[f64], k: usize) -> DMatrix<f64> {
    let count = x.len() / k;
    let mut basis = DMatrix::zeros(x.len(), count * (k - 1));
    for (b, xi) in x.chunks(k).enumerate() {
        let mut w = xi.to_vec();
        w[0] += if xi[0] >= 0.0 { 1.0 } else { -1.0 };
        let ww = dot(&w, &w);
        for c in 1..k {
            for r in 0..k {
                let e = if r == c { 1.0 } else { 0.0 };
                basis[(b * k + r, b * (k - 1) + c - 1)] = e - 2.0 * w[r] * w[c] / ww;
            }
        }
    }
    basis
}

/// The Riemannian Hessian restricted to the tangent space, in an orthonormal basis.
fn tangent_hessian(f: &dyn Objective, x: &[f64]) -> DMatrix<f64> {
    let basis = tangent_basis(x, block_dim(f));
    let mut hb = DMatrix::zeros(x.len(), basis.ncols());
    let mut out = vec![0.0; x.len()];
    for j in 0..basis.ncols() {
        f.riemannian_hvp(x, basis.column(j).as_slice(), &mut out);
        hb.column_mut(j).copy_from_slice(&out);
    }
    basis.transpose() * hb
}

fn assert_spectrum(eig: &[f64], expected: &[(f64, usize)], tol: f64) {
    let mut want: Vec<f64> = expected
        .iter()
        .flat_map(|&(v, m)| std::iter::repeat_n(v, m))
        .collect();
    want.sort_by(f64::total_cmp);
    assert_eq!(eig.len(), want.len());
    for (e, w) in eig.iter().zip(&want) {
        assert!(
            (e - w).abs() <= tol,
            "eigenvalue {e} vs {w}; spectrum {eig:?}"
        );
    }
}

#[test]
fn tensor_decomposition_known_points_and_verdicts() {
    for sets in [
        &["n=6", "rank=4"][..],
        &["n=4"],
        &["n=5", "rank=2"],
        &["n=3", "rank=5"],
    ] {
        let f = load("tensor_decomposition", sets);
        let k = block_dim(f.as_ref());
        let r = f.dim() / k;
        let (n, rf, nf) = (k, r as f64, k as f64);
        for p in f.known_points() {
            assert_stationary(f.as_ref(), &p.x, 1e-12);
            assert!(f.manifold().constraint_violation(&p.x) <= 1e-14);
        }
        let eig = |name: &str| {
            sorted_eigenvalues(tangent_hessian(f.as_ref(), &f.known_point(name).unwrap().x))
        };
        let has = |name: &str| f.known_point(name).is_some();
        assert_eq!(has("truth"), r <= n);
        assert_eq!(f.optimum(), (r <= n).then_some(0.0));
        if r <= n {
            assert_eq!(f.known_point("truth").unwrap().kind, Verdict::GlobalMin);
            assert!(value_at(f.as_ref(), "truth").abs() <= 1e-14);
            assert_spectrum(
                &eig("truth"),
                &[(4.0, r * (r - 1)), (0.0, r * (n - r))],
                1e-12,
            );
        }
        // uniform: f = r(r−1)/n; spectrum −8/n ×(r−1)(n−1), 8(r−1)/n ×(n−1).
        assert_eq!(
            f.known_point("uniform").unwrap().kind,
            Verdict::StrictSaddle
        );
        let u = value_at(f.as_ref(), "uniform");
        assert!((u - rf * (rf - 1.0) / nf).abs() <= 1e-12 * u);
        assert_spectrum(
            &eig("uniform"),
            &[
                (-8.0 / nf, (r - 1) * (n - 1)),
                (8.0 * (rf - 1.0) / nf, n - 1),
            ],
            1e-12,
        );
        if !(2..=n).contains(&r) {
            assert!(!has("pair_mix") && !has("collision"));
            continue;
        }
        for (name, value) in [("pair_mix", 1.0), ("collision", 2.0)] {
            let point = f.known_point(name).unwrap();
            assert_eq!(point.kind, Verdict::StrictSaddle);
            assert!((f.value(&point.x) - value).abs() <= 1e-12, "{name}");
            let spectrum = eig(name);
            assert!(
                spectrum[0] <= -4.0 + 1e-10,
                "{name}: λmin = {}",
                spectrum[0]
            );
        }
    }
}

#[test]
fn tensor_decomposition_saddle_escape_curves_match_closed_forms() {
    let td = TensorDecomposition::from_spec(&spec_with(
        "tensor_decomposition",
        &["n=5", "rank=3", "seed=4"],
    ))
    .unwrap();
    let a = td.components().clone();
    let n = 5;
    let col = |k: usize| a.column(k).iter().copied().collect::<Vec<f64>>();
    let h = std::f64::consts::FRAC_1_SQRT_2;
    // pair_mix: v₁ rotates u₁ toward a₁, v₂ rotates u₂ toward a₂, unit speed: f = cos²(2t).
    let x = td.known_point("pair_mix").unwrap().x;
    let mut v = vec![0.0; td.dim()];
    for r in 0..n {
        v[r] = h * (a[(r, 0)] - a[(r, 1)]);
        v[n + r] = h * (a[(r, 1)] - a[(r, 0)]);
    }
    for t in [0.1, 0.3, 0.7] {
        let value = td.value(&geodesic(&x, &v, n, t));
        assert!(
            (value - (2.0 * t).cos().powi(2)).abs() <= 1e-12,
            "t = {t}: {value}"
        );
    }
    let mut hv = vec![0.0; td.dim()];
    td.riemannian_hvp(&x, &v, &mut hv);
    assert!(
        (dot(&hv, &v) + 8.0).abs() <= 1e-11,
        "⟨Hess v, v⟩ = {}",
        dot(&hv, &v)
    );
    // collision: u₂ rotating toward the free a₂: f = 2cos²t.
    let x = td.known_point("collision").unwrap().x;
    let mut v = vec![0.0; td.dim()];
    v[n..2 * n].copy_from_slice(&col(1));
    for t in [0.2, 0.5] {
        let value = td.value(&geodesic(&x, &v, n, t));
        assert!(
            (value - 2.0 * t.cos().powi(2)).abs() <= 1e-12,
            "t = {t}: {value}"
        );
    }
    td.riemannian_hvp(&x, &v, &mut hv);
    assert!((dot(&hv, &v) + 4.0).abs() <= 1e-11);
    // The formula itself: Σ_{i≠j} Σₖ (aₖᵀuᵢ)²(aₖᵀuⱼ)² by a slow double loop.
    let x = random_point(&td, 9, 1.0);
    let mut slow = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            if i != j {
                for k in 0..n {
                    slow += dot(&col(k), &x[i * n..(i + 1) * n]).powi(2)
                        * dot(&col(k), &x[j * n..(j + 1) * n]).powi(2);
                }
            }
        }
    }
    assert!((td.value(&x) - slow).abs() <= 1e-12 * slow);
}

#[test]
fn tensor_decomposition_spec_and_data_agree() {
    let spec = TensorDecomposition::from_spec(&spec_with(
        "tensor_decomposition",
        &["n=4", "rank=3", "seed=7"],
    ))
    .unwrap();
    let data = TensorDecomposition::new(orthogonal_matrix(&mut rng(7), 4), 3).unwrap();
    let x = random_point(&spec, 2, 1.0);
    assert_eq!(spec.value(&x), data.value(&x));
    assert!(spec.symmetry_directions(&x).is_empty());
    assert_eq!(spec.layout().describe(), "u1[4] u2[4] u3[4]");
    let default_rank = problems::build(&spec_with("tensor_decomposition", &["n=5"])).unwrap();
    assert_eq!(default_rank.dim(), 25);
    for sets in [
        &["n=1"][..],
        &["n=4", "rank=0"],
        &[],
        &["n=-2"],
        &["n=3", "rank=1.5"],
    ] {
        assert!(
            problems::build(&spec_with("tensor_decomposition", sets)).is_err(),
            "accepted {sets:?}"
        );
    }
}

// ---------------------------------------------------------------- tensor_factorization

/// Σᵢ uᵢ^{⊗q} as a dense flattened tensor (rows of `u` are the uᵢ).
fn dense_tensor(u: &DMatrix<f64>, q: usize) -> Vec<f64> {
    let n = u.ncols();
    let mut t = vec![0.0; n.pow(q as u32)];
    for i in 0..u.nrows() {
        for (idx, entry) in t.iter_mut().enumerate() {
            let mut prod = 1.0;
            let mut rest = idx;
            for _ in 0..q {
                prod *= u[(i, rest % n)];
                rest /= n;
            }
            *entry += prod;
        }
    }
    t
}

#[test]
fn tensor_factorization_matches_the_dense_tensor() {
    for order in [3, 4] {
        let sets = [
            "n=4",
            "rank=3",
            "true_rank=2",
            &format!("order={order}"),
            "seed=5",
        ];
        let tf = TensorFactorization::from_spec(&spec_with("tensor_factorization", &sets)).unwrap();
        let target = dense_tensor(&tf.components(), order);
        let norm_sq: f64 = target.iter().map(|v| v * v).sum();
        assert!((tf.target_norm_sq() - norm_sq).abs() <= 1e-12 * norm_sq);
        for seed in 0..3 {
            let x = random_point(&tf, seed, 1.0);
            let u = DMatrix::from_row_slice(3, 4, &x);
            let fit = dense_tensor(&u, order);
            let dense: f64 = 0.5
                * fit
                    .iter()
                    .zip(&target)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>();
            assert!(
                (tf.value(&x) - dense).abs() <= 1e-12 * (1.0 + dense),
                "{} vs {dense}",
                tf.value(&x)
            );
        }
        assert!((value_at(&tf, "zeros") - 0.5 * norm_sq).abs() <= 1e-12 * norm_sq);
    }
}

#[test]
fn tensor_factorization_known_points_and_verdicts() {
    for sets in TF_VARIANTS {
        let spec = problems::load_spec(
            "tensor_factorization",
            &sets.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap();
        let tf = TensorFactorization::from_spec(&spec).unwrap();
        let q = tf.order();
        let u_star = tf.components();
        let (true_rank, n) = (u_star.nrows(), u_star.ncols());
        let rank = tf.dim() / n;
        assert!(tf
            .symmetry_directions(&random_point(&tf, 1, 1.0))
            .is_empty());
        // zeros: gradient and Hessian vanish, descent of order q along ±u*₁.
        let zeros = tf.known_point("zeros").unwrap();
        assert_eq!(zeros.kind, Verdict::NonStrictSaddle);
        assert_stationary(&tf, &zeros.x, 1e-15);
        assert_eq!(hessian_from_hvp(&tf, &zeros.x).amax(), 0.0);
        let first: Vec<f64> = u_star.row(0).iter().copied().collect();
        let c: f64 = (0..true_rank)
            .map(|j| dot(&first, u_star.row(j).clone_owned().as_slice()).powi(q as i32))
            .sum();
        let sign = if c > 0.0 || q % 2 == 0 { 1.0 } else { -1.0 };
        let f0 = tf.value(&zeros.x);
        let drop = |t: f64| {
            let mut x = zeros.x.clone();
            x[..n]
                .iter_mut()
                .zip(&first)
                .for_each(|(x, u)| *x = sign * t * u);
            f0 - tf.value(&x)
        };
        let (d1, d2) = (drop(1e-2), drop(2e-2));
        assert!(d1 > 0.0 && d2 > 0.0, "no descent along ±u*₁: {d1}, {d2}");
        let ratio = d2 / d1;
        let want = 2f64.powi(q as i32);
        assert!(
            (ratio - want).abs() <= 0.01 * want,
            "descent of order {}: ratio {ratio}",
            q
        );
        // truth: f = 0 = f*, Hessian PSD.
        if rank < true_rank {
            assert!(tf.known_point("truth").is_none());
            assert_eq!(tf.optimum(), None);
            continue;
        }
        let truth = tf.known_point("truth").unwrap();
        assert_eq!(truth.kind, Verdict::GlobalMin);
        assert_eq!(tf.optimum(), Some(0.0));
        assert!(tf.value(&truth.x).abs() <= 1e-14);
        assert_stationary(&tf, &truth.x, 1e-12);
        let h = hessian_from_hvp(&tf, &truth.x);
        let eig = sorted_eigenvalues(h.clone());
        assert!(eig[0] >= -1e-10 * h.amax(), "truth: λmin = {}", eig[0]);
    }
}

#[test]
fn tensor_factorization_spec_and_data_agree() {
    let spec = TensorFactorization::from_spec(&spec_with(
        "tensor_factorization",
        &["n=5", "rank=2", "true_rank=3", "order=4", "seed=9"],
    ))
    .unwrap();
    let data = TensorFactorization::new(&TensorFactorization::generate(5, 3, 9), 2, 4).unwrap();
    let x = random_point(&spec, 3, 1.0);
    assert_eq!(spec.value(&x), data.value(&x));
    assert_eq!(spec.layout().describe(), "U[2×5]");
    for sets in [
        &["n=4", "order=5"][..],
        &["n=4", "order=2"],
        &["n=0"],
        &["n=4", "rank=0"],
        &["n=4", "true_rank=0"],
        &[],
        &["n=4", "order=3.0"],
    ] {
        assert!(
            problems::build(&spec_with("tensor_factorization", sets)).is_err(),
            "accepted {sets:?}"
        );
    }
}
