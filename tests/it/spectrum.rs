//! The Hessian spectrum: closed forms, dense against Lanczos, symmetry and sphere
//! reductions, the spectral density and trace estimators, and bad input.

use crate::common;

use common::{assert_bad_input, landscape, on_threads};

use landscape::linalg::{from_eigen, SymmetricOperator};
use landscape::problems;
use landscape::random::{gaussian_vector, orthogonal_matrix, rng};
use landscape::spectrum::{
    density_of, hessian_spectrum, hutchinson_trace, spectral_density, spectrum_of, trace_of,
    DensityOptions, Method, SpectrumOptions, Which,
};
use nalgebra::{DMatrix, SymmetricEigen};
use rand::Rng;

fn quadratic(eigenvalues: &[f64], seed: u64) -> Box<dyn landscape::Objective> {
    let list: Vec<String> = eigenvalues.iter().map(|v| format!("{v:?}")).collect();
    let (_, f) = problems::load(
        "quadratic",
        &[
            format!("eigenvalues = [{}]", list.join(", ")),
            format!("seed = {seed}"),
            format!("b = [{}]", vec!["0.0"; eigenvalues.len()].join(", ")),
        ],
    )
    .unwrap();
    f
}

#[test]
fn dense_eigenvalues_of_a_quadratic_are_its_spectrum() {
    // A = Q diag(λ) Qᵀ with Q Haar-random: the Hessian's eigenvalues are exactly λ.
    let lambda = [-3.0, -0.5, 0.0, 0.25, 1.0, 2.0, 7.5];
    let f = quadratic(&lambda, 11);
    let opts = SpectrumOptions {
        method: Method::Dense,
        k: 7,
        with_vectors: true,
        ..Default::default()
    };
    let s = hessian_spectrum(f.as_ref(), &[0.3; 7], &opts).unwrap();
    assert_eq!(s.method, Method::Dense);
    assert!(s.complete && s.converged);
    assert_eq!((s.reduced_dim, s.symmetry_modes), (7, 0));
    for (got, want) in s.eigenvalues.iter().zip(lambda) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    assert_eq!(s.smallest.len(), 7);
    for pair in &s.smallest {
        assert!(pair.residual < 1e-12);
        let v = pair.vector.as_ref().unwrap();
        let mut hv = vec![0.0; 7];
        f.hvp(&[0.0; 7], v, &mut hv);
        let r: f64 = hv
            .iter()
            .zip(v)
            .map(|(h, v)| (h - pair.value * v).powi(2))
            .sum();
        assert!(r.sqrt() < 1e-12);
    }
}

fn load(problem: &str, overrides: &[&str]) -> Box<dyn landscape::Objective> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    problems::load(problem, &overrides).unwrap().1
}

fn random_point(f: &dyn landscape::Objective, seed: u64) -> Vec<f64> {
    let mut x = gaussian_vector(&mut rng(seed), f.dim());
    f.manifold().retract_in_place(&mut x);
    x
}

/// Every Lanczos pair is within its residual (plus rounding) of the dense eigenvalue of
/// the same rank, and its residual is small; both lists are sorted.
fn assert_dense_and_lanczos_agree(f: &dyn landscape::Objective, x: &[f64], k: usize) {
    let dense = hessian_spectrum(
        f,
        x,
        &SpectrumOptions {
            method: Method::Dense,
            ..Default::default()
        },
    )
    .unwrap();
    let lanczos = hessian_spectrum(
        f,
        x,
        &SpectrumOptions {
            method: Method::Lanczos,
            k,
            tol: 1e-10,
            seed: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(lanczos.method, Method::Lanczos);
    assert!(lanczos.converged, "{}: Lanczos did not converge", f.kind());
    assert_eq!(lanczos.reduced_dim, dense.reduced_dim);
    assert_eq!(lanczos.symmetry_modes, dense.symmetry_modes);
    assert!(dense.eigenvalues.windows(2).all(|w| w[0] <= w[1]));
    assert!(lanczos.eigenvalues.windows(2).all(|w| w[0] <= w[1]));
    assert!(lanczos
        .smallest
        .windows(2)
        .all(|w| w[0].value <= w[1].value));
    assert!(lanczos.largest.windows(2).all(|w| w[0].value >= w[1].value));
    let norm = dense.hessian_norm;
    let n = dense.eigenvalues.len();
    assert_eq!((lanczos.smallest.len(), lanczos.largest.len()), (k, k));
    let ends = lanczos
        .smallest
        .iter()
        .enumerate()
        .map(|(i, p)| (p, dense.eigenvalues[i]))
        .chain(
            lanczos
                .largest
                .iter()
                .enumerate()
                .map(|(i, p)| (p, dense.eigenvalues[n - 1 - i])),
        );
    for (pair, exact) in ends {
        assert!(
            pair.residual <= 1e-9 * norm,
            "{}: residual {:e} of λ = {} (‖H‖ = {norm})",
            f.kind(),
            pair.residual,
            pair.value
        );
        assert!(
            (pair.value - exact).abs() <= pair.residual + 1e-11 * norm,
            "{}: Lanczos {} vs dense {exact} (residual {:e})",
            f.kind(),
            pair.value,
            pair.residual
        );
    }
}

#[test]
fn dense_and_lanczos_agree_on_a_random_quadratic() {
    // d = 300, eigenvalues ±10^u with u uniform in [−2, 1]: a spread, indefinite spectrum.
    let mut r = rng(5);
    let lambda: Vec<f64> = (0..300)
        .map(|i| {
            let u: f64 = r.random_range(-2.0..1.0);
            if i % 3 == 0 {
                -(10f64.powf(u))
            } else {
                10f64.powf(u)
            }
        })
        .collect();
    let f = quadratic(&lambda, 9);
    let mut sorted = lambda.clone();
    sorted.sort_by(f64::total_cmp);
    let x = random_point(f.as_ref(), 1);
    let dense = hessian_spectrum(
        f.as_ref(),
        &x,
        &SpectrumOptions {
            method: Method::Dense,
            ..Default::default()
        },
    )
    .unwrap();
    for (got, want) in dense.eigenvalues.iter().zip(&sorted) {
        assert!((got - want).abs() < 1e-11, "{got} vs {want}");
    }
    assert_dense_and_lanczos_agree(f.as_ref(), &x, 5);
}

#[test]
fn dense_and_lanczos_agree_on_matrix_factorization() {
    let f = load(
        "matrix_factorization",
        &["n = 30", "rank = 3", "true_rank = 5", "seed = 2"],
    );
    let x = random_point(f.as_ref(), 4);
    assert_dense_and_lanczos_agree(f.as_ref(), &x, 4);
}

#[test]
fn dense_and_lanczos_agree_on_tensor_decomposition_on_its_spheres() {
    let f = load("tensor_decomposition", &["n = 10", "rank = 6", "seed = 1"]);
    let x = random_point(f.as_ref(), 8);
    assert_dense_and_lanczos_agree(f.as_ref(), &x, 4);
}

#[test]
fn lanczos_restarts_on_a_larger_quadratic() {
    // d = 1500 > the dense threshold: auto picks Lanczos; with evenly spaced eigenvalues
    // (relative gap 1/1499 at the ends) the basis must restart many times.
    let lambda: Vec<f64> = (0..1500)
        .map(|i| -2.0 + 4.0 * (i as f64 / 1499.0))
        .collect();
    let f = quadratic(&lambda, 4);
    let s = hessian_spectrum(
        f.as_ref(),
        &vec![0.0; 1500],
        &SpectrumOptions {
            k: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s.method, Method::Lanczos);
    assert!(s.converged && !s.complete);
    assert!(
        s.hvp_count > 40,
        "no restart happened: {} HVPs",
        s.hvp_count
    );
    let want_small = [lambda[0], lambda[1]];
    let want_large = [lambda[1499], lambda[1498]];
    for (pair, want) in s.smallest.iter().zip(want_small) {
        assert!(
            (pair.value - want).abs() <= pair.residual + 1e-10,
            "{} vs {want}",
            pair.value
        );
    }
    for (pair, want) in s.largest.iter().zip(want_large) {
        assert!(
            (pair.value - want).abs() <= pair.residual + 1e-10,
            "{} vs {want}",
            pair.value
        );
    }
}

#[test]
fn symmetry_modes_are_projected_at_a_matrix_factorization_minimum() {
    // M has eigenvalues 3, 2, 1 (distinct) and rank 3 = r: at the global minimum
    // U = V diag(√λ), the Hessian form ½‖UΔᵀ + ΔUᵀ‖²_F vanishes exactly on Δ = UA,
    // A skew: r(r−1)/2 = 3 symmetry modes; on their complement it is positive definite.
    let f = load(
        "matrix_factorization",
        &["n = 6", "rank = 3", "true_rank = 3", "seed = 0"],
    );
    let x = f.known_point("eig:1,2,3").unwrap().x;
    let dense = SpectrumOptions {
        method: Method::Dense,
        ..Default::default()
    };
    let s = hessian_spectrum(f.as_ref(), &x, &dense).unwrap();
    assert_eq!(s.symmetry_modes, 3);
    assert!(s.symmetry_projected);
    assert_eq!(s.reduced_dim, 18 - 3);
    let zero_tol = 1e-8 * s.hessian_norm;
    assert!(s.eigenvalues[0] > zero_tol, "λmin = {}", s.eigenvalues[0]);
    // Without the projection, exactly those three modes show up as zeros.
    let unprojected = hessian_spectrum(
        f.as_ref(),
        &x,
        &SpectrumOptions {
            project_symmetries: false,
            ..dense
        },
    )
    .unwrap();
    assert_eq!(
        (unprojected.symmetry_modes, unprojected.reduced_dim),
        (0, 18)
    );
    assert!(!unprojected.symmetry_projected);
    let zeros = unprojected
        .eigenvalues
        .iter()
        .filter(|v| v.abs() <= zero_tol)
        .count();
    assert_eq!(zeros, 3);
    // The nonzero eigenvalues are unchanged by the projection.
    let nonzero: Vec<f64> = unprojected
        .eigenvalues
        .iter()
        .copied()
        .filter(|v| v.abs() > zero_tol)
        .collect();
    for (a, b) in nonzero.iter().zip(&s.eigenvalues) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
}

#[test]
fn on_spheres_the_spectrum_is_the_riemannian_hessian_on_the_tangent_space() {
    let f = load("tensor_decomposition", &["n = 5", "rank = 3", "seed = 2"]);
    let x = random_point(f.as_ref(), 6);
    let (k, count) = (5, 3);
    let s = hessian_spectrum(
        f.as_ref(),
        &x,
        &SpectrumOptions {
            method: Method::Dense,
            k: 15,
            with_vectors: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s.reduced_dim, f.dim() - count);
    // An explicit tangent basis: per block, Gram–Schmidt of e₁…e_k against x_i.
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for block in 0..count {
        let xi = &x[block * k..(block + 1) * k];
        let mut local: Vec<Vec<f64>> = vec![xi.to_vec()];
        for j in 0..k {
            let mut e = vec![0.0; k];
            e[j] = 1.0;
            for q in &local {
                let along: f64 = q.iter().zip(&e).map(|(a, b)| a * b).sum();
                e.iter_mut().zip(q).for_each(|(e, q)| *e -= along * q);
            }
            let norm = e.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 1e-6 && local.len() < k {
                local.push(e.iter().map(|v| v / norm).collect());
            }
        }
        for t in &local[1..] {
            let mut v = vec![0.0; f.dim()];
            v[block * k..(block + 1) * k].copy_from_slice(t);
            basis.push(v);
        }
    }
    let m = basis.len();
    assert_eq!(m, s.reduced_dim);
    let mut h = DMatrix::zeros(m, m);
    let mut out = vec![0.0; f.dim()];
    for (j, bj) in basis.iter().enumerate() {
        f.riemannian_hvp(&x, bj, &mut out);
        for (i, bi) in basis.iter().enumerate() {
            h[(i, j)] = bi.iter().zip(&out).map(|(a, b)| a * b).sum::<f64>();
        }
    }
    let h = (&h + h.transpose()) * 0.5;
    let mut want: Vec<f64> = SymmetricEigen::new(h).eigenvalues.iter().copied().collect();
    want.sort_by(f64::total_cmp);
    for (got, want) in s.eigenvalues.iter().zip(&want) {
        assert!((got - want).abs() < 1e-10, "{got} vs {want}");
    }
    // The eigenvectors are tangent: orthogonal to each x_i.
    for pair in &s.smallest {
        let v = pair.vector.as_ref().unwrap();
        for block in 0..count {
            let along: f64 = (block * k..(block + 1) * k).map(|i| v[i] * x[i]).sum();
            assert!(along.abs() < 1e-12);
        }
    }
}

#[test]
fn a_degenerate_spectrum_returns_promptly() {
    // Four zero eigenvalues and one 1: dense and Lanczos (which breaks down after two
    // Krylov steps and must draw fresh directions) both finish with the exact spectrum.
    let f = quadratic(&[0.0, 0.0, 0.0, 0.0, 1.0], 3);
    for method in [Method::Dense, Method::Lanczos] {
        let s = hessian_spectrum(
            f.as_ref(),
            &[0.1; 5],
            &SpectrumOptions {
                method,
                k: 5,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(s.converged && s.complete, "{method:?}");
        let want = [0.0, 0.0, 0.0, 0.0, 1.0];
        for (got, want) in s.eigenvalues.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{method:?}: {got} vs {want}");
        }
        assert!(s.hvp_count < 100);
    }
    // The zero matrix too.
    let zero = quadratic(&[0.0; 40], 1);
    let s = hessian_spectrum(
        zero.as_ref(),
        &[0.0; 40],
        &SpectrumOptions {
            method: Method::Lanczos,
            k: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(s.eigenvalues.iter().all(|v| *v == 0.0));
}

#[test]
fn slq_density_puts_its_mass_at_the_eigenvalues() {
    // Eigenvalues −1 (×20), 2 (×50), 5 (×30): with m = 10 steps, Lanczos on a matrix with
    // three distinct eigenvalues is exact after 3 steps, so the nodes are {−1, 2, 5} with
    // expected weights ≈ 0.2, 0.5, 0.3.
    let mut lambda = vec![-1.0; 20];
    lambda.extend(vec![2.0; 50]);
    lambda.extend(vec![5.0; 30]);
    let f = quadratic(&lambda, 6);
    let d = spectral_density(
        f.as_ref(),
        &[0.0; 100],
        &DensityOptions {
            probes: 30,
            steps: 10,
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let step = d.grid[1] - d.grid[0];
    let integral: f64 = d.density.iter().sum::<f64>() * step;
    assert!((integral - 1.0).abs() < 1e-3, "∫φ = {integral}");
    assert!((d.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let mass_near = |c: f64| -> f64 {
        d.nodes
            .iter()
            .zip(&d.weights)
            .filter(|(t, _)| (*t - c).abs() < 1e-6)
            .map(|(_, w)| w)
            .sum()
    };
    let (a, b, c) = (mass_near(-1.0), mass_near(2.0), mass_near(5.0));
    assert!(
        (a + b + c - 1.0).abs() < 1e-9,
        "mass off the spectrum: {}",
        1.0 - a - b - c
    );
    // Each weight is a mean of 30 squared projections of a random unit vector; its
    // standard deviation is ≈ √(2p(1−p)/(n·30)) ≲ 0.02.
    for (got, want) in [(a, 0.2), (b, 0.5), (c, 0.3)] {
        assert!((got - want).abs() < 0.08, "weight {got} vs {want}");
    }
    // The smoothed density peaks at the eigenvalues.
    // The smoothed density peaks at the eigenvalues and is negligible between them.
    let near = |c: f64| {
        d.grid
            .iter()
            .zip(&d.density)
            .filter(|(t, _)| (*t - c).abs() < d.sigma)
            .map(|(_, p)| *p)
            .fold(0.0, f64::max)
    };
    for c in [-1.0, 2.0, 5.0] {
        assert!(near(c) > 1e3 * near(0.5).max(near(3.5)), "no peak at {c}");
    }
}

#[test]
fn hutchinson_estimates_the_trace_within_four_standard_errors() {
    let mut r = rng(12);
    let lambda: Vec<f64> = (0..200).map(|_| r.random_range(-1.0..3.0)).collect();
    let exact: f64 = lambda.iter().sum();
    let f = quadratic(&lambda, 2);
    let t = hutchinson_trace(f.as_ref(), &[0.0; 200], 400, 7).unwrap();
    assert_eq!(t.probes, 400);
    assert!(t.std_error > 0.0);
    assert!(
        (t.estimate - exact).abs() <= 4.0 * t.std_error,
        "estimate {} ± {} vs tr A = {exact}",
        t.estimate,
        t.std_error
    );
}

#[test]
fn results_are_identical_on_one_and_two_threads() {
    let f = load("tensor_decomposition", &["n = 40", "rank = 8", "seed = 3"]);
    let x = random_point(f.as_ref(), 2);
    let run = |threads: usize| {
        on_threads(threads, || {
            let lanczos = hessian_spectrum(
                f.as_ref(),
                &x,
                &SpectrumOptions {
                    method: Method::Lanczos,
                    k: 3,
                    with_vectors: true,
                    ..Default::default()
                },
            )
            .unwrap();
            let dense = hessian_spectrum(
                f.as_ref(),
                &x,
                &SpectrumOptions {
                    method: Method::Dense,
                    ..Default::default()
                },
            )
            .unwrap();
            let density = spectral_density(f.as_ref(), &x, &DensityOptions::default()).unwrap();
            let trace = hutchinson_trace(f.as_ref(), &x, 16, 5).unwrap();
            serde_json::to_string(&(lanczos, dense, density, trace)).unwrap()
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn dense_spectrum_is_identical_on_one_two_and_three_threads() {
    // d = 600: the reduction's symmetric products run as two parallel parts (trailing
    // blocks of 384 rows and more) for its first 216 columns, its rank-2k updates and
    // faer's decomposition at their fixed degree.
    let f = load("matrix_factorization", &["n = 120", "rank = 5"]);
    let x = random_point(f.as_ref(), 3);
    let run = |threads: usize| {
        on_threads(threads, || {
            let every = hessian_spectrum(
                f.as_ref(),
                &x,
                &SpectrumOptions {
                    method: Method::Dense,
                    k: 600,
                    with_vectors: true,
                    project_symmetries: false,
                    ..Default::default()
                },
            )
            .unwrap();
            let extremes = hessian_spectrum(
                f.as_ref(),
                &x,
                &SpectrumOptions {
                    method: Method::Dense,
                    k: 4,
                    with_vectors: true,
                    project_symmetries: false,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(every.eigenvalues.len(), 600);
            serde_json::to_string(&(every, extremes)).unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

#[test]
fn projected_lanczos_is_identical_on_one_and_two_threads() {
    // Several chunks of the rotation projection (512 rows) and of the Gram–Schmidt
    // sweeps (1024 and 4096 coordinates).
    let f = load(
        "matrix_completion",
        &[
            "n = 1500",
            "rank = 4",
            "true_rank = 4",
            "p = 0.05",
            "seed = 1",
        ],
    );
    let x = random_point(f.as_ref(), 4);
    let run = |threads: usize| {
        on_threads(threads, || {
            let s = hessian_spectrum(
                f.as_ref(),
                &x,
                &SpectrumOptions {
                    method: Method::Lanczos,
                    k: 2,
                    with_vectors: true,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(s.symmetry_modes, 6);
            serde_json::to_string(&s).unwrap()
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn bad_input_is_an_error_naming_the_option() {
    let f = quadratic(&[1.0, 2.0, 3.0], 0);
    let x = [0.0; 3];
    let err = |opts: SpectrumOptions| {
        hessian_spectrum(f.as_ref(), &x, &opts)
            .unwrap_err()
            .to_string()
    };
    // k above the dimension means "every pair": min(k, reduced_dim) per end.
    let all = hessian_spectrum(
        f.as_ref(),
        &x,
        &SpectrumOptions {
            k: 4,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((all.smallest.len(), all.largest.len()), (3, 3));
    assert!(err(SpectrumOptions {
        k: 0,
        ..Default::default()
    })
    .contains("`k`"));
    for tol in [0.0, -1e-8, f64::NAN, f64::INFINITY] {
        let message = err(SpectrumOptions {
            tol,
            k: 3,
            ..Default::default()
        });
        assert!(message.contains("`tol`"), "{message}");
    }
    let k3 = SpectrumOptions {
        k: 3,
        ..Default::default()
    };
    let message = hessian_spectrum(f.as_ref(), &[0.0; 4], &k3)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("point") && message.contains("length 4"),
        "{message}"
    );
    let message = hutchinson_trace(f.as_ref(), &x, 1, 0)
        .unwrap_err()
        .to_string();
    assert!(message.contains("probes"), "{message}");
    let message = spectral_density(
        f.as_ref(),
        &x,
        &DensityOptions {
            width: f64::NAN,
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(message.contains("width"), "{message}");
    // A point off the spheres has no Riemannian Hessian.
    let t = load("tensor_decomposition", &["n = 3", "rank = 2"]);
    let message = hessian_spectrum(t.as_ref(), &[1.0; 6], &k3)
        .unwrap_err()
        .to_string();
    assert!(message.contains("manifold"), "{message}");
}

#[test]
fn cli_bad_input_exits_with_2() {
    let q = ["spectrum", "--problem", "quadratic", "--point", "zeros"];
    let with = |extra: &[&'static str]| -> Vec<&str> { q.iter().chain(extra).copied().collect() };
    assert_bad_input(&with(&["--k", "1000"]), &["--k"]);
    assert_bad_input(&with(&["--k", "0"]), &["--k"]);
    assert_bad_input(&with(&["--tol", "0"]), &["--tol"]);
    assert_bad_input(&with(&["--tol", "NaN"]), &["--tol"]);
    assert_bad_input(&with(&["--tol=-1"]), &["--tol"]);
    assert_bad_input(&with(&["--density", "--width", "inf"]), &["--width"]);
    assert_bad_input(&with(&["--density", "--probes", "0"]), &["--probes"]);
    let wrong_length = ["spectrum", "--problem", "quadratic", "--point", "[1, 2]"];
    assert_bad_input(&wrong_length, &["length 2"]);
}

#[test]
fn cli_prints_the_spectrum_and_the_density() {
    // The shipped matrix_factorization: M = V diag(3, 2, 1, 0, 0, 0) Vᵀ, r = 2. At the
    // global minimum eig:1,2 the reduced Hessian has the single symmetry mode removed.
    let out = landscape(&[
        "spectrum",
        "--problem",
        "matrix_factorization",
        "--point",
        "name:eig:1,2",
        "--method",
        "dense",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["method"], "dense");
    assert_eq!(s["symmetry_modes"], 1);
    assert_eq!(s["reduced_dim"], 11);
    assert_eq!(s["eigenvalues"].as_array().unwrap().len(), 11);
    assert!(s["smallest"][0]["residual"].as_f64().unwrap() < 1e-12);
    assert!(s["smallest"][0].get("vector").is_none());
    let out = landscape(&[
        "spectrum",
        "--problem",
        "matrix_factorization",
        "--point",
        "name:eig:1,2",
        "--density",
        "--json",
    ]);
    assert!(out.status.success());
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["grid"].as_array().unwrap().len(), 400);
    let text = landscape(&[
        "spectrum",
        "--problem",
        "matrix_factorization",
        "--point",
        "name:eig:1,2",
        "--method",
        "lanczos",
        "--k",
        "2",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("lanczos") && text.contains("residual"),
        "{text}"
    );
}

/// A = Q diag(λ) Qᵀ for a Haar-random Q (Q = I when `seed` is `None`): a plain matrix
/// with a known spectrum.
fn plain_matrix(lambda: &[f64], seed: Option<u64>) -> DMatrix<f64> {
    match seed {
        None => DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(lambda)),
        Some(s) => from_eigen(&orthogonal_matrix(&mut rng(s), lambda.len()), lambda),
    }
}

#[test]
fn lanczos_finds_the_extremes_of_plain_matrices_with_known_spectra() {
    // 300 eigenvalues: a cluster in [−1, 1] and chosen extremes at both ends.
    let mut r = rng(3);
    let mut lambda: Vec<f64> = (0..292).map(|_| r.random_range(-1.0..1.0)).collect();
    lambda.extend([-9.0, -6.0, -4.0, -2.5, 3.0, 5.0, 8.0, 11.0]);
    let mut sorted = lambda.clone();
    sorted.sort_by(f64::total_cmp);
    for seed in [None, Some(5)] {
        let a = plain_matrix(&lambda, seed);
        let opts = SpectrumOptions {
            method: Method::Lanczos,
            k: 3,
            with_vectors: true,
            ..Default::default()
        };
        let s = spectrum_of(&a, &opts).unwrap();
        assert!(s.converged && !s.complete, "{seed:?}");
        assert_eq!(
            (s.ambient_dim, s.reduced_dim, s.symmetry_modes),
            (300, 300, 0)
        );
        let largest: Vec<f64> = sorted.iter().rev().take(3).copied().collect();
        for (pairs, want) in [(&s.smallest, &sorted[..3]), (&s.largest, &largest[..])] {
            for (p, w) in pairs.iter().zip(want) {
                assert!((p.value - w).abs() < 1e-8, "{seed:?}: {} vs {w}", p.value);
                assert!(p.residual <= 1e-7, "{seed:?}: residual {}", p.residual);
                // The residual is the one of the returned vector for the plain matrix.
                let v = p.vector.as_ref().unwrap();
                let mut av = vec![0.0; v.len()];
                a.apply(v, &mut av);
                let r: f64 = av.iter().zip(v).map(|(a, v)| (a - w * v).powi(2)).sum();
                assert!(r.sqrt() < 1e-7, "{seed:?}: ‖Av − λv‖ = {}", r.sqrt());
            }
        }
        // The dense path on the same operator gives the whole spectrum.
        let dense = spectrum_of(
            &a,
            &SpectrumOptions {
                method: Method::Dense,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(dense.complete);
        for (got, want) in dense.eigenvalues.iter().zip(&sorted) {
            assert!((got - want).abs() < 1e-11, "{seed:?}: {got} vs {want}");
        }
    }
}

#[test]
fn lanczos_finds_clustered_extremes_without_ghosts() {
    // The worst case of a Lanczos run that does not keep its basis orthogonal: an isolated
    // extreme eigenvalue at each end (±100, −50) converges in a few steps, after which
    // the basis loses orthogonality along its eigenvector and, unchecked, ghost copies of
    // it push the clusters below (10, 10 − 10⁻³, 10 − 2·10⁻³, and −5 … −5 + 2·10⁻³) out
    // of the k = 4 extremes. 400 eigenvalues (a bulk in [−1, 1]), so the run restarts.
    let mut r = rng(11);
    let mut lambda: Vec<f64> = (0..392).map(|_| r.random_range(-1.0..1.0)).collect();
    lambda.extend([100.0, 10.0, 10.0 - 1e-3, 10.0 - 2e-3]);
    lambda.extend([-50.0, -5.0, -5.0 + 1e-3, -5.0 + 2e-3]);
    let mut sorted = lambda.clone();
    sorted.sort_by(f64::total_cmp);
    let largest: Vec<f64> = sorted.iter().rev().take(4).copied().collect();
    for seed in [None, Some(7)] {
        let a = plain_matrix(&lambda, seed);
        let s = spectrum_of(
            &a,
            &SpectrumOptions {
                method: Method::Lanczos,
                k: 4,
                with_vectors: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(s.converged && !s.complete, "{seed:?}");
        for (pairs, want) in [(&s.smallest, &sorted[..4]), (&s.largest, &largest[..])] {
            for (p, w) in pairs.iter().zip(want) {
                // The residual bounds the distance to the nearest eigenvalue, and it is
                // far below the cluster's spacing: p is w's pair, not a ghost of another.
                assert!(p.residual < 1e-5, "{seed:?}: residual {}", p.residual);
                assert!(
                    (p.value - w).abs() <= p.residual + 1e-10,
                    "{seed:?}: {} vs {w} (residual {:e})",
                    p.value,
                    p.residual
                );
            }
            // Distinct eigenvalues: orthogonal unit eigenvectors.
            for (i, p) in pairs.iter().enumerate() {
                for q in &pairs[i + 1..] {
                    let (u, v) = (p.vector.as_ref().unwrap(), q.vector.as_ref().unwrap());
                    let overlap: f64 = u.iter().zip(v).map(|(u, v)| u * v).sum();
                    assert!(overlap.abs() < 1e-2, "{seed:?}: overlap {overlap:e}");
                }
            }
        }
    }
}

#[test]
fn slq_and_hutchinson_on_plain_matrices_with_known_spectra() {
    // With as many steps as the dimension, each probe's Lanczos run spans the whole space:
    // its quadrature nodes are the eigenvalues.
    let lambda: Vec<f64> = (0..20).map(|i| (i as f64 - 6.5) * 0.75).collect();
    let trace: f64 = lambda.iter().sum();
    for seed in [None, Some(9)] {
        let a = plain_matrix(&lambda, seed);
        let opts = DensityOptions {
            probes: 4,
            steps: 20,
            ..Default::default()
        };
        let d = density_of(&a, &opts).unwrap();
        assert_eq!((d.reduced_dim, d.steps, d.probes), (20, 20, 4));
        assert!((d.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (probe, nodes) in d.nodes.chunks(20).enumerate() {
            for (got, want) in nodes.iter().zip(&lambda) {
                assert!(
                    (got - want).abs() < 1e-9,
                    "{seed:?} probe {probe}: {got} vs {want}"
                );
            }
        }
        // Σ τθ over a probe is vᵀAv; averaged, ≈ tr A / d (exact for the diagonal matrix,
        // whose Rademacher probes have equal weight on every eigenvector).
        let mean: f64 = d.nodes.iter().zip(&d.weights).map(|(t, w)| t * w).sum();
        if seed.is_none() {
            assert!((mean - trace / 20.0).abs() < 1e-12, "{mean}");
            for w in &d.weights {
                assert!((w - 1.0 / 80.0).abs() < 1e-12, "weight {w}");
            }
        }
        let t = trace_of(&a, 200, 1).unwrap();
        match seed {
            // zᵀ D z = tr D for every Rademacher z.
            None => assert!((t.estimate - trace).abs() < 1e-12 && t.std_error < 1e-12),
            Some(_) => assert!(
                (t.estimate - trace).abs() <= 4.0 * t.std_error,
                "{} ± {} vs {trace}",
                t.estimate,
                t.std_error
            ),
        }
    }
}

/// ∫_{t<0} φ(t) dt by the trapezoid rule on the density's grid.
fn area_below_zero(d: &landscape::spectrum::Density) -> f64 {
    let (t, phi) = (&d.grid, &d.density);
    (1..t.len())
        .filter(|&i| t[i] <= 0.0)
        .map(|i| 0.5 * (phi[i - 1] + phi[i]) * (t[i] - t[i - 1]))
        .sum()
}

#[test]
fn the_density_invents_no_negative_eigenvalues() {
    // relu_net n = k = 30 at random:0.5:0: a positive definite Hessian (dense λmin ≈ 0.07)
    // whose bulk sits near zero; a Gaussian smoothing spread ≈ 0.003 of its mass below 0.
    let f = load("relu_net", &["n=30", "k=30"]);
    let x = landscape::point::resolve_point("random:0.5:0", f.as_ref(), "point").unwrap();
    let dense = hessian_spectrum(
        f.as_ref(),
        &x,
        &SpectrumOptions {
            method: Method::Dense,
            ..SpectrumOptions::default()
        },
    )
    .unwrap();
    assert!(
        dense.eigenvalues[0] > 0.0,
        "λmin = {}",
        dense.eigenvalues[0]
    );
    let d = spectral_density(f.as_ref(), &x, &DensityOptions::default()).unwrap();
    assert_eq!(
        d.negative_weight.to_bits(),
        0.0f64.to_bits(),
        "{}",
        d.negative_weight
    );
    assert_eq!(area_below_zero(&d), 0.0);
    let total: f64 = (1..d.grid.len())
        .map(|i| 0.5 * (d.density[i - 1] + d.density[i]) * (d.grid[i] - d.grid[i - 1]))
        .sum();
    assert!((total - 1.0).abs() < 0.02, "∫φ = {total}");

    // With negative eigenvalues the area below zero is the nodes' negative weight.
    let f = quadratic(&[-2.0, -1.0, 0.5, 1.0, 3.0, 4.0], 3);
    let d = spectral_density(f.as_ref(), &[0.0; 6], &DensityOptions::default()).unwrap();
    assert!(d.negative_weight > 0.1, "{}", d.negative_weight);
    assert!(
        (area_below_zero(&d) - d.negative_weight).abs() < 0.01,
        "{} vs {}",
        area_below_zero(&d),
        d.negative_weight
    );
}

#[test]
fn cli_vectors_are_unit_eigenvectors_of_the_hessian() {
    // A random quadratic: H = Q diag(λ) Qᵀ, so Hv = λv can be checked exactly.
    let eigenvalues = [-3.0, -0.5, 1.0, 2.0, 7.0];
    let f = quadratic(&eigenvalues, 4);
    let spec = "eigenvalues = [-3.0, -0.5, 1.0, 2.0, 7.0]";
    let json = common::cli_json(&[
        "spectrum",
        "--problem",
        "quadratic",
        "--set",
        spec,
        "--set",
        "seed = 4",
        "--set",
        "b = [0.0, 0.0, 0.0, 0.0, 0.0]",
        "--point",
        "random:1:3",
        "--k",
        "2",
        "--vectors",
        "--json",
    ]);
    let x = vec![0.0; 5];
    let mut pairs = 0;
    for end in ["smallest", "largest"] {
        for pair in json[end].as_array().unwrap() {
            let lambda = pair["value"].as_f64().unwrap();
            let v: Vec<f64> = serde_json::from_value(pair["vector"].clone()).unwrap();
            assert_eq!(v.len(), 5);
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            assert!((norm - 1.0).abs() < 1e-12, "‖v‖ = {norm}");
            let mut hv = vec![0.0; 5];
            f.hvp(&x, &v, &mut hv);
            let residual = hv
                .iter()
                .zip(&v)
                .map(|(h, v)| (h - lambda * v).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(residual < 1e-10, "λ = {lambda}: ‖Hv − λv‖ = {residual}");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 4);
    // Without --vectors the JSON has none.
    let plain = common::cli_json(&[
        "spectrum",
        "--problem",
        "saddle",
        "--point",
        "zeros",
        "--json",
    ]);
    assert!(plain["smallest"][0].get("vector").is_none());
}

#[test]
fn cli_trace_agrees_with_the_sum_of_the_eigenvalues() {
    // linear_net away from its critical points: the symmetry-reduced Hessian has a
    // dense, non-diagonal spectrum; Hutchinson's estimate lies within 4 standard errors
    // of Σλ, and its standard error shrinks like 1/√probes.
    let args = ["--problem", "linear_net", "--point", "random:1:0"];
    let dense =
        common::cli_json(&[&["spectrum"], &args[..], &["--method", "dense", "--json"]].concat());
    let sum: f64 = dense["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    let trace = |probes: &str| {
        common::cli_json(
            &[
                &["spectrum"],
                &args[..],
                &["--trace", "--probes", probes, "--json"],
            ]
            .concat(),
        )
    };
    let t = trace("400");
    let (estimate, se) = (
        t["estimate"].as_f64().unwrap(),
        t["std_error"].as_f64().unwrap(),
    );
    assert_eq!(t["reduced_dim"], dense["reduced_dim"]);
    assert!(
        (estimate - sum).abs() <= 4.0 * se,
        "{estimate} ± {se} vs Σλ = {sum}"
    );
    assert!(se > 0.0 && se < 0.1 * sum.abs());
    let few = trace("25")["std_error"].as_f64().unwrap();
    assert!(
        few > 2.0 * se,
        "standard error {few} at 25 probes vs {se} at 400"
    );
    assert_bad_input(
        &[
            "spectrum",
            "--problem",
            "saddle",
            "--point",
            "zeros",
            "--trace",
            "--probes",
            "1",
        ],
        &["--probes", "at least 2"],
    );
}

#[test]
fn cli_repeat_times_the_dense_stages() {
    let args = [
        "spectrum",
        "--problem",
        "matrix_factorization",
        "--set",
        "n=20",
        "--set",
        "rank=2",
        "--point",
        "random:1:0",
        "--no-symmetry-projection",
    ];
    let with =
        |extra: &[&'static str]| -> Vec<&str> { args.iter().chain(extra).copied().collect() };
    let t = common::cli_json(&with(&["--method", "dense", "--repeat", "2", "--json"]));
    assert_eq!(
        (t["reduced_dim"].as_u64(), t["k"].as_u64()),
        (Some(40), Some(6))
    );
    for stage in [
        "assembly",
        "eigensolve",
        "eigenvalues",
        "eigenpairs",
        "spectrum",
    ] {
        let s = t[format!("{stage}_seconds")].as_f64().unwrap();
        assert!(s > 0.0 && s < 60.0, "{stage}: {s}");
    }
    assert_bad_input(
        &with(&["--method", "lanczos", "--repeat", "2"]),
        &["--repeat", "dense"],
    );
    assert_bad_input(
        &with(&["--method", "dense", "--repeat", "0"]),
        &["--repeat"],
    );
}

#[test]
fn one_end_converges_only_that_end_with_fewer_products() {
    // A clustered bottom (20 eigenvalues in [−1, −1 + 2·10⁻³]) behind a separated top
    // (10, 9, 8, 7) and a bulk in [0, 1]: the top-k alone needs far fewer HVPs.
    let mut r = rng(5);
    let mut lambda: Vec<f64> = (0..476).map(|_| r.random_range(0.0..1.0)).collect();
    lambda.extend((0..20).map(|i| -1.0 + 1e-4 * i as f64));
    lambda.extend([10.0, 9.0, 8.0, 7.0]);
    let a = plain_matrix(&lambda, Some(3));
    let run = |which: Which, method: Method| {
        spectrum_of(
            &a,
            &SpectrumOptions {
                method,
                k: 3,
                which,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let both = run(Which::Both, Method::Lanczos);
    let top = run(Which::Largest, Method::Lanczos);
    let bottom = run(Which::Smallest, Method::Lanczos);
    assert!(both.converged && top.converged && bottom.converged);
    assert!(top.smallest.is_empty() && bottom.largest.is_empty());
    let values = |pairs: &[landscape::spectrum::Eigenpair]| -> Vec<f64> {
        pairs.iter().map(|p| p.value).collect()
    };
    for (got, want) in [
        (values(&top.largest), [10.0, 9.0, 8.0]),
        (values(&both.largest), [10.0, 9.0, 8.0]),
        (values(&bottom.smallest), [-1.0, -1.0 + 1e-4, -1.0 + 2e-4]),
        (values(&both.smallest), [-1.0, -1.0 + 1e-4, -1.0 + 2e-4]),
    ] {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-9, "{got:?} vs {want:?}");
        }
    }
    assert!(
        2 * top.hvp_count < both.hvp_count,
        "top only {} HVPs, both ends {}",
        top.hvp_count,
        both.hvp_count
    );
    // The dense path reports the same ends.
    let dense = run(Which::Largest, Method::Dense);
    assert!(dense.smallest.is_empty());
    assert_eq!(dense.largest.len(), 3);
    for (d, l) in dense.largest.iter().zip(&top.largest) {
        assert!((d.value - l.value).abs() <= 1e-9);
    }
}
