//! The Du et al. 2017 experiment: GD's count grows by a constant factor per dimension
//! (the factor predicted by the escape rates), PGD's much more slowly; every reported
//! count is a real hitting time (re-run independently to that iteration); plain f64 GD's
//! underflow is reported as censored, never as a time; identical on 1 and 2 threads; the
//! CLI's JSON contract and its bad-input errors.

use crate::common;

use common::{cli_json, landscape};

use std::f64::consts::E;

use landscape::experiments::du2017::{du2017, gd, start, Du2017Options, Du2017Report, Outcome};
use landscape::optim::pgd::{Pgd, PgdMode, PgdParams, PgdThresholds};
use landscape::optim::{self, RunOptions};
use landscape::problems::octopus::Octopus;
use landscape::Objective;

fn small() -> Du2017Options {
    Du2017Options {
        dims: (2..=5).collect(),
        trials: 5,
        seed: 11,
        ..Du2017Options::default()
    }
}

fn report() -> Du2017Report {
    du2017(&small()).unwrap()
}

#[test]
fn gd_grows_by_a_constant_factor_and_pgd_does_not() {
    let r = report();
    // Predicted factor, written out: 1 + ln 2 / ln(1 + 2ηγ) with η = 1/(4e), γ = 1.
    let predicted = 1.0 + 2f64.ln() / (1.0 + 1.0 / (2.0 * E)).ln();
    assert!((r.predicted_gd_ratio - predicted).abs() < 1e-12);
    for row in &r.rows {
        assert_eq!(row.gd.reached, 1.0, "d = {}: {:?}", row.d, row.gd);
        assert_eq!(row.pgd.reached, 1.0, "d = {}: {:?}", row.d, row.pgd);
        assert_eq!(row.gd.censored + row.pgd.censored, 0);
    }
    for pair in r.rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let gd = b.gd.median.unwrap() / a.gd.median.unwrap();
        let pgd = b.pgd.median.unwrap() / a.pgd.median.unwrap();
        assert_eq!(b.gd_ratio, Some(gd));
        assert!(gd > 1.5, "d = {}: GD ratio {gd}", b.d);
        assert!(pgd < gd / 2.5, "d = {}: PGD ratio {pgd} vs GD {gd}", b.d);
        if b.d >= 4 {
            assert!(
                b.pgd.median < b.gd.median,
                "d = {}: PGD {:?} ≥ GD {:?}",
                b.d,
                b.pgd.median,
                b.gd.median
            );
        }
    }
    // From d = 4 on the escape-rate prediction holds to within 5%.
    let last = r.rows.last().unwrap().gd_ratio.unwrap();
    assert!(
        (last / predicted - 1.0).abs() < 0.05,
        "{last} vs {predicted}"
    );
    // d = 5: the log domain was needed (coordinates below 2⁻⁵⁰⁰) in every run.
    assert_eq!(r.rows[3].gd.underflow_runs, 5);
}

/// Plain GD written out: x ← x − η∇f(x), f − f* checked before each step.
fn plain_gd_values(f: &Octopus, x0: &[f64], lr: f64, steps: usize) -> Vec<f64> {
    let mut x = x0.to_vec();
    let mut g = vec![0.0; x.len()];
    let mut values = Vec::with_capacity(steps + 1);
    for _ in 0..=steps {
        values.push(f.value_and_gradient(&x, &mut g));
        x.iter_mut().zip(&g).for_each(|(x, g)| *x -= lr * g);
    }
    values
}

#[test]
fn every_count_is_a_real_hitting_time() {
    let opts = small();
    let r = du2017(&opts).unwrap();
    let lr = 1.0 / (4.0 * E);
    let tol = opts.tolerance;
    for row in &r.rows {
        let f = Octopus::new(row.d, E, E, 1.0).unwrap();
        let fstar = f.optimum().unwrap();
        for trial in 0..opts.trials {
            let (x0, seed) = start(&opts, row.d, trial);
            assert!(x0.iter().all(|v| v.abs() <= 1.0));
            // GD: plain f64 GD does not underflow before the hitting time for d ≤ 4.
            let t = row.gd.per_trial[trial].iterations;
            if row.d <= 4 {
                let values = plain_gd_values(&f, &x0, lr, t);
                assert!(values[t] - fstar <= tol, "d {} trial {trial}", row.d);
                assert!(values[..t].iter().all(|v| v - fstar > tol));
            }
            // PGD: re-run the registry's pgd with the same seed for t steps, no target.
            let t = row.pgd.per_trial[trial].iterations;
            let trajectory = {
                let mut pgd = Pgd::new(PgdParams {
                    mode: PgdMode::Practical(PgdThresholds {
                        lr,
                        radius: E / 100.0,
                        g_thres: E / 100.0,
                        t_thres: 30,
                        f_thres: 0.0,
                    }),
                    seed,
                    stream: row.d as u64,
                })
                .unwrap();
                let o = RunOptions {
                    max_iters: t,
                    ..RunOptions::default()
                };
                optim::run(&f, &mut pgd, &x0, &o).unwrap()
            };
            let records = &trajectory.records;
            assert_eq!(records.len(), t + 1);
            assert_eq!(trajectory.final_state.iter, t);
            assert!(records[t].value - fstar <= tol, "d {} trial {trial}", row.d);
            assert!(records[..t].iter().all(|r| r.value - fstar > tol));
        }
    }
}

#[test]
fn log_domain_gd_agrees_with_plain_gd_where_plain_does_not_underflow() {
    // d = 4: coordinates pass below θ = 2⁻⁵⁰⁰ (log domain) in some runs but never reach
    // subnormals, so plain f64 GD is exact there: same outcome, same hitting time.
    let mut used_log_domain = 0;
    let f = Octopus::new(4, E, E, 1.0).unwrap();
    let opts = small();
    let lr = 1.0 / (4.0 * E);
    for trial in 0..5 {
        let (x0, _) = start(&opts, 4, trial);
        let log = gd::run(&f, &x0, lr, 1e-3, 100_000, true);
        let plain = gd::run(&f, &x0, lr, 1e-3, 100_000, false);
        assert_eq!(
            (log.outcome, log.iterations),
            (plain.outcome, plain.iterations)
        );
        assert_eq!(log.outcome, Outcome::Reached);
        assert_eq!(plain.underflow_at, None);
        used_log_domain += usize::from(log.underflow_at.is_some());
    }
    assert!(
        used_log_domain > 0,
        "the comparison never exercised the log domain"
    );
}

#[test]
fn plain_gd_underflows_at_d5_and_is_reported_censored() {
    let opts = Du2017Options {
        dims: vec![5],
        log_domain: false,
        ..small()
    };
    let row = &du2017(&opts).unwrap().rows[0];
    assert_eq!(row.gd.median, None);
    assert_eq!(row.gd.mean, None);
    assert_eq!(row.gd.reached, 0.0);
    assert_eq!(row.gd.censored, 5);
    assert_eq!(row.gd.censored_stalled, 5);
    for run in &row.gd.per_trial {
        assert_eq!(run.outcome, Outcome::Stalled);
        // 2⁻¹⁰⁷⁴ after ≈ 1075 halvings from |x| ≤ 1: subnormal from ≈ 1022 steps on.
        let at = run.underflow_at.unwrap();
        assert!((1000..1100).contains(&at), "{run:?}");
        assert!(run.iterations < opts.max_iters);
    }
    // PGD is unaffected.
    assert_eq!(row.pgd.reached, 1.0);
}

#[test]
fn identical_on_one_and_two_threads() {
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(report)
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn cli_json_has_the_contract_fields() {
    let v = cli_json(&[
        "experiment",
        "du2017",
        "--dims",
        "2,3",
        "--trials",
        "3",
        "--seed",
        "4",
        "--json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, d) in rows.iter().zip([2, 3]) {
        assert_eq!(row["d"], d);
        for method in ["gd", "pgd"] {
            let m = &row[method];
            assert!(m["median"].as_f64().unwrap() > 0.0, "{m}");
            assert!(m["mean"].as_f64().unwrap() > 0.0);
            assert_eq!(m["reached"].as_f64(), Some(1.0));
            assert_eq!(m["censored"], 0);
            assert_eq!(m["per_trial"].as_array().unwrap().len(), 3);
        }
    }
    let text = landscape(&["experiment", "du2017", "--dims", "2-3", "--trials", "3"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("GD median") && text.contains("GD(d)/GD(d−1)"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for (args, needle) in [
        (vec!["--dims", ""], "dims"),
        (vec!["--dims", "0,2"], "dims"),
        (vec!["--dims", "3-2"], "dims"),
        (vec!["--trials", "0"], "trials"),
        (vec!["--tolerance", "-1"], "tolerance"),
        (vec!["--max-iters", "0"], "max-iters"),
    ] {
        let mut all = vec!["experiment", "du2017"];
        all.extend(&args);
        let out = landscape(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
}
