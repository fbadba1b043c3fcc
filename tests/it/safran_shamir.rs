//! The Safran–Shamir experiment: the fast identity-teacher gradient and Hessian against
//! `relu_net`'s objective; the full protocol at k = n = 6, each spurious end point's certificate
//! checked against an independent finite-difference Hessian and by probing F around it,
//! each global end point a permutation of the teacher; runs at the iteration cap never
//! counted as minima; blow-ups restart with half the step; identical on 1 and 2 threads;
//! dedup up to permutations; the CLI's JSON contract and its bad-input errors.

use crate::common;

use common::{assert_bad_input, cli_json};

use landscape::experiments::safran_shamir::dedup::{
    count_distinct, same_up_to_rows, same_up_to_rows_and_columns,
};
use landscape::experiments::safran_shamir::gradient::IdentityTeacher;
use landscape::experiments::safran_shamir::hessian::{hessian, symmetric_eigenvalues};
use landscape::experiments::safran_shamir::run::{gradient_descent, GdSettings, RunOutcome};
use landscape::experiments::safran_shamir::{
    run_one, safran_shamir, start, RunResult, SafranShamirOptions, SafranShamirReport,
};
use landscape::finite_difference::{hessian_from_hvp, hvp_fd};
use landscape::problems::relu_net::ReluNet;
use landscape::random::{gaussian_vector, rng};
use landscape::Objective;
use nalgebra::{DMatrix, SymmetricEigen};

fn relu_net(n: usize, k: usize) -> ReluNet {
    ReluNet::new(n, &DMatrix::identity(k, k)).unwrap()
}

/// The assembled Hessian equals the one from `relu_net`'s HVPs, and its eigenvalues
/// equal nalgebra's.
fn assert_hessian_as_objective(n: usize, k: usize, w: &[f64]) {
    let fast = hessian(w, k);
    let reference = hessian_from_hvp(&relu_net(n, k), w);
    let dim = n * k;
    for a in 0..dim {
        for b in 0..dim {
            let (x, y) = (fast[(a, b)], reference[(a, b)]);
            assert!(
                (x - y).abs() <= 1e-12,
                "n = {n}, k = {k}: H[{a},{b}] {x} vs {y}"
            );
        }
    }
    let ours = symmetric_eigenvalues(&fast).unwrap();
    let mut theirs: Vec<f64> = SymmetricEigen::new((&reference + reference.transpose()) / 2.0)
        .eigenvalues
        .iter()
        .copied()
        .collect();
    theirs.sort_by(f64::total_cmp);
    for (x, y) in ours.iter().zip(&theirs) {
        assert!((x - y).abs() <= 1e-10, "eigenvalues {x} vs {y}");
    }
}

/// F and ∇F of the fast path and of `relu_net` agree at `w`.
fn assert_same_as_objective(n: usize, k: usize, w: &[f64]) {
    let f = relu_net(n, k);
    let mut fast = IdentityTeacher::new(n, k);
    let (mut g_fast, mut g_ref) = (vec![0.0; n * k], vec![0.0; n * k]);
    let v_fast = fast.value_and_gradient(w, &mut g_fast);
    f.gradient(w, &mut g_ref);
    let v_ref = f.value(w);
    assert!(
        (v_fast - v_ref).abs() <= 1e-13 * (1.0 + v_ref.abs()),
        "n = {n}, k = {k}: F {v_fast} vs {v_ref}"
    );
    for (a, b) in g_fast.iter().zip(&g_ref) {
        assert!((a - b).abs() <= 1e-13, "n = {n}, k = {k}: ∇F {a} vs {b}");
    }
}

#[test]
fn fast_gradient_and_hessian_match_relu_net() {
    for (n, k, seed) in [(1, 1, 1), (3, 2, 2), (6, 6, 3), (8, 6, 4), (4, 7, 5)] {
        let w = gaussian_vector(&mut rng(seed), n * k);
        assert_same_as_objective(n, k, &w);
        assert_hessian_as_objective(n, k, &w);
        // Nearly aligned pairs (the accurate sin θ branch): row 0 ≈ 1.3e₀, row 1 ≈ −2·row 0,
        // row 2 ≈ row 0/2.
        let mut w = w.clone();
        w[..k]
            .iter_mut()
            .enumerate()
            .for_each(|(j, v)| *v = if j == 0 { 1.3 } else { 1e-7 * *v });
        for j in 0..k {
            if n > 1 {
                w[k + j] = -2.0 * w[j] * (1.0 + 1e-6 * j as f64);
            }
            if n > 2 {
                w[2 * k + j] = 0.5 * w[j] * (1.0 - 1e-5 * j as f64);
            }
        }
        assert_same_as_objective(n, k, &w);
        assert_hessian_as_objective(n, k, &w);
        // A zero row contributes nothing to the pair terms in either implementation.
        w[(n - 1) * k..].iter_mut().for_each(|v| *v = 0.0);
        assert_same_as_objective(n, k, &w);
        assert_hessian_as_objective(n, k, &w);
    }
    // At the truth (a permutation of I, and I/2 twice for n = 2k), F = 0 and ∇F = 0.
    for (n, k) in [(5, 5), (6, 3)] {
        let truth = &relu_net(n, k).known_points()[0].x;
        let mut fast = IdentityTeacher::new(n, k);
        let mut g = vec![0.0; n * k];
        assert!(fast.value_and_gradient(truth, &mut g).abs() < 1e-14);
        assert!(g.iter().all(|g| g.abs() < 1e-15), "{g:?}");
        assert_hessian_as_objective(n, k, truth);
    }
}

fn options(seed: u64, runs: usize) -> SafranShamirOptions {
    SafranShamirOptions {
        ks: vec![6],
        runs,
        seed,
        ..SafranShamirOptions::default()
    }
}

/// The Hessian of `relu_net` from central differences of its gradient, and its λmin.
fn lambda_min_fd(f: &ReluNet, w: &[f64]) -> f64 {
    let dim = f.dim();
    let mut h = DMatrix::zeros(dim, dim);
    for c in 0..dim {
        let mut e = vec![0.0; dim];
        e[c] = 1.0;
        h.column_mut(c).copy_from_slice(&hvp_fd(f, w, &e));
    }
    let h = (&h + h.transpose()) / 2.0;
    SymmetricEigen::new(h).eigenvalues.min()
}

/// A spurious end point: certificate checked against independent computations.
fn check_spurious(f: &ReluNet, r: &RunResult, opts: &SafranShamirOptions) {
    let w = r.point.as_ref().expect("spurious runs keep the point");
    let c = r.certificate.as_ref().expect("spurious runs are certified");
    assert!(c.certified, "run {}: {c:?}", r.run);
    assert!(r.value >= opts.spurious_threshold);
    assert!((f.value(w) - r.value).abs() < 1e-12);
    assert!(c.max_row_gradient <= 10.0 * opts.tol && r.max_row_gradient <= opts.tol);
    assert!(c.lambda_min > c.eig_tol && c.eig_tol > 0.0);
    let fd = lambda_min_fd(f, w);
    assert!(
        (fd - c.lambda_min).abs() < 1e-6,
        "λmin {} vs finite differences {fd}",
        c.lambda_min
    );
    // A strict local minimum: F rises along random directions, by about ½λ t² at least.
    let t = 1e-3;
    for s in 0..20 {
        let mut v = gaussian_vector(&mut rng(100 + s), w.len());
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let probe: Vec<f64> = w
            .iter()
            .zip(&mut v)
            .map(|(w, v)| w + t * *v / norm)
            .collect();
        let rise = f.value(&probe) - r.value;
        assert!(
            rise >= 0.4 * c.lambda_min * t * t,
            "rise {rise} along direction {s}"
        );
    }
}

#[test]
fn k6_protocol_certifies_what_it_finds() {
    let f = relu_net(6, 6);
    let identity: Vec<f64> = DMatrix::<f64>::identity(6, 6).as_slice().to_vec();
    let mut workspace = IdentityTeacher::new(6, 6);
    for seed in [0, 1, 2] {
        let opts = options(seed, 12);
        let report = safran_shamir(&opts).unwrap();
        let row = &report.rows[0];
        assert_eq!((row.k, row.n, row.runs), (6, 6, 12));
        assert_eq!(
            row.global + row.spurious + row.uncertified + row.not_converged + row.diverged,
            row.runs
        );
        assert_eq!(row.spurious_percent, 100.0 * row.spurious as f64 / 12.0);
        for r in &row.per_run {
            assert_eq!(r.outcome, RunOutcome::Converged, "run {}", r.run);
            if r.spurious {
                check_spurious(&f, r, &opts);
            } else {
                // Global: the end point is the teacher up to a permutation of the neurons,
                // recomputed from the run's start.
                let end = gradient_descent(
                    &mut workspace,
                    &start(seed, 6, 6, r.run),
                    &opts.gd_settings(),
                );
                assert_eq!(end.iterations, r.iterations);
                assert!(r.value.abs() < 1e-12, "run {}: F = {}", r.run, r.value);
                assert!(same_up_to_rows(&end.point, &identity, 6, 1e-7));
            }
        }
    }
    // Runs 503 and 612 of seed 0 (found by `--k 6 --runs 1000`, 2 spurious in 1000)
    // end in spurious minima related by a permutation of the coordinates.
    let opts = options(0, 1000);
    let runs: Vec<RunResult> = [503, 612]
        .iter()
        .map(|&r| run_one(&opts, 6, 6, r, &mut workspace, &f).unwrap())
        .collect();
    for r in &runs {
        assert!(r.spurious, "run {} ended at F = {}", r.run, r.value);
        check_spurious(&f, r, &opts);
    }
    let row = landscape::experiments::safran_shamir::summarise(&opts, 6, 6, runs);
    assert_eq!((row.spurious, row.global), (2, 0));
    assert_eq!(row.distinct_up_to_coordinates, 1);
    let values = [row.per_run[0].value, row.per_run[1].value];
    assert_eq!(row.min_spurious_value, Some(values[0].min(values[1])));
    assert!((row.mean_spurious_value.unwrap() - (values[0] + values[1]) / 2.0).abs() < 1e-15);
}

#[test]
fn capped_runs_are_not_minima_and_blow_ups_restart() {
    let report = safran_shamir(&SafranShamirOptions {
        max_iters: 50,
        ..options(3, 4)
    })
    .unwrap();
    let row = &report.rows[0];
    assert_eq!((row.not_converged, row.spurious, row.global), (4, 0, 0));
    assert!(row.per_run.iter().all(|r| r.certificate.is_none()));
    // η = 40 blows up; halving it (restarting from the same start) until GD is stable
    // converges to the same end as starting with the final step.
    let mut f = IdentityTeacher::new(6, 6);
    let w0 = start(3, 6, 6, 0);
    let settings = GdSettings {
        lr: 40.0,
        tol: 1e-9 / (2.0 * std::f64::consts::PI),
        blow_up: 1e4,
        max_iters: 1_000_000,
        max_restarts: 30,
        newton_below: 1e-6,
    };
    let end = gradient_descent(&mut f, &w0, &settings);
    assert!(end.restarts > 0 && end.outcome == RunOutcome::Converged);
    assert_eq!(end.lr, 40.0 / 2f64.powi(end.restarts as i32));
    let direct = gradient_descent(
        &mut f,
        &w0,
        &GdSettings {
            lr: end.lr,
            max_restarts: 0,
            ..settings
        },
    );
    assert_eq!(direct.point, end.point);
    assert_eq!(direct.restarts, 0);
}

#[test]
fn identical_on_one_and_two_threads() {
    let opts = SafranShamirOptions {
        ks: vec![6, 7],
        ..options(5, 6)
    };
    let run = |threads| -> SafranShamirReport {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| safran_shamir(&opts).unwrap())
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn dedup_counts_permuted_copies_once() {
    let (n, d) = (4, 3);
    let a = gaussian_vector(&mut rng(9), n * d);
    let rows = |p: &[usize], cols: &[usize]| -> Vec<f64> {
        let mut out = vec![0.0; n * d];
        for (i, &pi) in p.iter().enumerate() {
            for (j, &cj) in cols.iter().enumerate() {
                out[i * d + j] = a[pi * d + cj];
            }
        }
        out
    };
    let row_perm = rows(&[2, 0, 3, 1], &[0, 1, 2]);
    let both = rows(&[1, 3, 0, 2], &[2, 0, 1]);
    let mut nudged = row_perm.clone();
    nudged[5] += 1e-3;
    assert!(same_up_to_rows(&a, &row_perm, d, 1e-9));
    assert!(!same_up_to_rows(&a, &both, d, 1e-9));
    assert!(same_up_to_rows_and_columns(&a, &both, d, 1e-9));
    assert!(!same_up_to_rows_and_columns(&a, &nudged, d, 1e-5));
    let points: Vec<&[f64]> = vec![&a, &row_perm, &both, &nudged];
    assert_eq!(count_distinct(&points, d, 1e-5, false), 3);
    assert_eq!(count_distinct(&points, d, 1e-5, true), 2);
}

#[test]
fn cli_json_has_the_contract_fields() {
    let json = cli_json(&[
        "experiment",
        "safran-shamir",
        "--k",
        "3,4",
        "--n-extra",
        "1",
        "--runs",
        "3",
        "--seed",
        "7",
        "--json",
    ]);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, k) in rows.iter().zip([3, 4]) {
        for field in [
            "k",
            "n",
            "runs",
            "spurious",
            "spurious_percent",
            "min_spurious_value",
            "mean_spurious_value",
            "mean_lambda_min",
            "distinct_minima",
        ] {
            assert!(row.get(field).is_some(), "missing `{field}` in {row}");
        }
        assert_eq!(row["k"], k);
        assert_eq!(row["n"], k + 1);
        assert_eq!(row["runs"], 3);
    }
}

#[test]
fn cli_prints_the_table() {
    let out = common::landscape(&["experiment", "safran-shamir", "--k", "4,5", "--runs", "2"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Safran & Shamir 2018"), "{text}");
    assert!(lines[1].contains("spurious") && lines[1].contains("distinct"));
    // One row per k: k, n, then spurious/runs.
    for (line, k) in lines[2..4].iter().zip([4, 5]) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[..3], [k.to_string().as_str(), &k.to_string(), "|"]);
        assert!(fields[3].ends_with("/2"), "{line}");
    }
}

#[test]
fn bad_input_exits_2() {
    let base = ["experiment", "safran-shamir"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    assert_bad_input(&with(&["--k", "0"]), &["`k`", "≥ 1"]);
    assert_bad_input(&with(&["--k", "6-x"]), &["`k`", "6-x"]);
    assert_bad_input(&with(&["--n-extra", "-1"]), &["n-extra", "-1"]);
    assert_bad_input(&with(&["--runs", "0"]), &["runs", "≥ 1"]);
}

/// The Newton finish ends where plain GD ends (the same minimum: every entry within GD's
/// own accuracy, tol/λmin ≈ 10⁻⁸), at a smaller gradient and in fewer steps; the
/// spurious runs 503 and 612 of seed 0 at k = 6 and a few global ones.
#[test]
fn newton_finish_ends_at_plain_gds_minimum() {
    let f = relu_net(6, 6);
    let mut workspace = IdentityTeacher::new(6, 6);
    let newton = options(0, 1000);
    let plain = SafranShamirOptions {
        newton_below: 0.0,
        ..newton.clone()
    };
    let (mut gd_steps, mut newton_steps) = (0, 0);
    for run in [503, 612, 0, 1, 2] {
        let fast = run_one(&newton, 6, 6, run, &mut workspace, &f).unwrap();
        let slow = run_one(&plain, 6, 6, run, &mut workspace, &f).unwrap();
        assert_eq!(
            (fast.outcome, fast.spurious),
            (slow.outcome, slow.spurious),
            "run {run}"
        );
        assert!(fast.newton_steps > 0 && slow.newton_steps == 0, "run {run}");
        assert!(fast.max_row_gradient <= slow.max_row_gradient, "run {run}");
        assert!((fast.value - slow.value).abs() <= 1e-12, "run {run}");
        let end = |o: &SafranShamirOptions| {
            gradient_descent(
                &mut IdentityTeacher::new(6, 6),
                &start(0, 6, 6, run),
                &o.gd_settings(),
            )
            .point
        };
        let (a, b) = (end(&newton), end(&plain));
        let gap = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(gap < 1e-7, "run {run}: end points {gap:e} apart");
        if fast.spurious {
            check_spurious(&f, &fast, &newton);
        }
        gd_steps += slow.iterations;
        newton_steps += fast.iterations + fast.newton_steps;
    }
    assert!(
        10 * newton_steps < 7 * gd_steps,
        "{newton_steps} vs {gd_steps} steps"
    );
}

/// With one extra student the global minima are degenerate (a teacher neuron split
/// between two parallel students is a continuous family): the Hessian there is singular,
/// and every run still converges to a global minimum, by Newton or by GD.
#[test]
fn newton_finish_at_degenerate_minima_still_converges() {
    let report = safran_shamir(&SafranShamirOptions {
        n_extra: 1,
        ks: vec![4],
        ..options(1, 6)
    })
    .unwrap();
    for r in &report.rows[0].per_run {
        assert_eq!(r.outcome, RunOutcome::Converged, "run {}", r.run);
        assert!(r.max_row_gradient <= 1e-9 / (2.0 * std::f64::consts::PI));
    }
}
