//! The output contract: on a fixed set of commands, every `--json` output keeps every
//! field and value it had when the set was recorded (`tests/golden/<name>.json`). Later
//! changes may add fields; they never change or drop one.
//!
//! Numbers compare to a relative 1e-9 plus an absolute 1e-13 (a reordered sum may move
//! the last bits, and a quantity that is zero up to rounding, such as the eigenvalue of a
//! symmetry mode, may move in its own rounding; a changed formula moves far more); fields that measure wall-clock time are skipped. To record a
//! command added to [`COMMANDS`]: `LANDSCAPE_BLESS=1 cargo test golden` (it writes only
//! the files that are missing, so recorded values are never overwritten by accident).

use std::path::PathBuf;

use serde_json::Value;

use crate::common::cli_json;

/// (file name, arguments): fast commands that between them print every JSON report.
const COMMANDS: &[(&str, &[&str])] = &[
    ("problems", &["problems", "--json"]),
    (
        "points_mf",
        &["points", "--problem", "matrix_factorization", "--json"],
    ),
    (
        "points_octopus",
        &["points", "--problem", "octopus", "--json"],
    ),
    (
        "eval_mf",
        &[
            "eval",
            "--problem",
            "matrix_factorization",
            "--point",
            "name:eig:2",
            "--hvp",
            "random:1:0",
            "--json",
        ],
    ),
    (
        "classify_mf_saddle",
        &[
            "classify",
            "--problem",
            "matrix_factorization",
            "--point",
            "name:eig:2",
            "--with-direction",
            "--json",
        ],
    ),
    (
        "classify_monkey",
        &[
            "classify",
            "--problem",
            "monkey_saddle",
            "--point",
            "zeros",
            "--json",
        ],
    ),
    (
        "classify_linear_net",
        &[
            "classify",
            "--problem",
            "linear_net",
            "--point",
            "zeros",
            "--json",
        ],
    ),
    (
        "classify_tensor",
        &[
            "classify",
            "--problem",
            "tensor_decomposition",
            "--point",
            "random:1:3",
            "--json",
        ],
    ),
    (
        "spectrum_dense",
        &[
            "spectrum",
            "--problem",
            "relu_net",
            "--point",
            "random:1:0",
            "--json",
        ],
    ),
    (
        "spectrum_lanczos",
        &[
            "spectrum",
            "--problem",
            "matrix_completion",
            "--point",
            "name:truth",
            "--k",
            "4",
            "--json",
        ],
    ),
    (
        "spectrum_density",
        &[
            "spectrum",
            "--problem",
            "relu_net",
            "--point",
            "random:1:0",
            "--density",
            "--json",
        ],
    ),
    (
        "census_himmelblau",
        &[
            "census",
            "--problem",
            "himmelblau",
            "--starts",
            "60",
            "--json",
        ],
    ),
    (
        "census_mf",
        &[
            "census",
            "--problem",
            "matrix_factorization",
            "--starts",
            "6",
            "--json",
        ],
    ),
    (
        "run_gd",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "gd",
            "--lr",
            "1e-3",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "40",
            "--record-every",
            "7",
            "--json",
        ],
    ),
    (
        "run_heavy_ball_clip",
        &[
            "run",
            "--problem",
            "matrix_factorization",
            "--optimizer",
            "heavy_ball",
            "--lr",
            "0.01",
            "--momentum",
            "0.9",
            "--clip-norm",
            "1",
            "--init",
            "random:0.1:7",
            "--iters",
            "40",
            "--record-every",
            "10",
            "--json",
        ],
    ),
    (
        "run_nesterov",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "nesterov",
            "--lr",
            "1e-3",
            "--momentum",
            "0.5",
            "--init",
            "[-1, 1]",
            "--iters",
            "30",
            "--clip-value",
            "5",
            "--json",
        ],
    ),
    (
        "run_adagrad",
        &[
            "run",
            "--problem",
            "himmelblau",
            "--optimizer",
            "adagrad",
            "--init",
            "[0.5, -0.5]",
            "--iters",
            "30",
            "--json",
        ],
    ),
    (
        "run_rmsprop",
        &[
            "run",
            "--problem",
            "himmelblau",
            "--optimizer",
            "rmsprop",
            "--lr",
            "0.01",
            "--init",
            "[0.5, -0.5]",
            "--iters",
            "30",
            "--json",
        ],
    ),
    (
        "run_adadelta",
        &[
            "run",
            "--problem",
            "himmelblau",
            "--optimizer",
            "adadelta",
            "--init",
            "[0.5, -0.5]",
            "--iters",
            "30",
            "--json",
        ],
    ),
    (
        "run_adam",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--init",
            "[-1, 1]",
            "--iters",
            "30",
            "--record-iterates",
            "--json",
        ],
    ),
    (
        "run_adam_no_bias_correction",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--no-bias-correction",
            "--init",
            "[-1, 1]",
            "--iters",
            "30",
            "--json",
        ],
    ),
    (
        "run_newton",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "newton",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "30",
            "--classify-final",
            "--json",
        ],
    ),
    (
        "run_saddle_free_newton",
        &[
            "run",
            "--problem",
            "six_hump_camel",
            "--optimizer",
            "saddle_free_newton",
            "--init",
            "[0.1, 0.1]",
            "--iters",
            "30",
            "--json",
        ],
    ),
    (
        "run_lbfgs",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "lbfgs",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "60",
            "--classify-final",
            "--json",
        ],
    ),
    (
        "run_trust_region",
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "trust_region",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "60",
            "--json",
        ],
    ),
    (
        "run_pgd",
        &[
            "run",
            "--problem",
            "saddle",
            "--optimizer",
            "pgd",
            "--lr",
            "0.1",
            "--init",
            "zeros",
            "--iters",
            "60",
            "--seed",
            "3",
            "--json",
        ],
    ),
    (
        "run_noisy_gd",
        &[
            "run",
            "--problem",
            "saddle",
            "--optimizer",
            "noisy_gd",
            "--lr",
            "0.1",
            "--init",
            "zeros",
            "--iters",
            "40",
            "--seed",
            "3",
            "--json",
        ],
    ),
    (
        "escape_pgd",
        &[
            "escape",
            "--problem",
            "matrix_factorization",
            "--from",
            "name:eig:2",
            "--method",
            "pgd",
            "--trials",
            "6",
            "--lr",
            "0.05",
            "--noise-radius",
            "0.01",
            "--g-thres",
            "0.01",
            "--t-thres",
            "100",
            "--json",
        ],
    ),
    (
        "escape_gd",
        &[
            "escape",
            "--problem",
            "matrix_factorization",
            "--from",
            "name:eig:2",
            "--method",
            "gd",
            "--trials",
            "2",
            "--lr",
            "0.05",
            "--json",
        ],
    ),
    (
        "escape_noisy_gd",
        &[
            "escape",
            "--problem",
            "saddle",
            "--from",
            "zeros",
            "--method",
            "noisy_gd",
            "--trials",
            "6",
            "--max-iters",
            "300",
            "--paths",
            "2",
            "--json",
        ],
    ),
    (
        "bounds_rosenbrock",
        &[
            "bounds",
            "--problem",
            "rosenbrock",
            "--init",
            "[-1.2, 1]",
            "--iters",
            "50",
            "--json",
        ],
    ),
    (
        "bounds_quadratic_small_beta",
        &[
            "bounds",
            "--problem",
            "quadratic",
            "--beta",
            "0.5",
            "--iters",
            "20",
            "--json",
        ],
    ),
    ("atlas", &["atlas", "--runs", "2", "--json"]),
    (
        "kawaguchi",
        &["experiment", "kawaguchi", "--starts", "10", "--json"],
    ),
    (
        "du2017",
        &[
            "experiment",
            "du2017",
            "--dims",
            "2-3",
            "--trials",
            "2",
            "--json",
        ],
    ),
    (
        "safran_shamir",
        &[
            "experiment",
            "safran-shamir",
            "--k",
            "4,5",
            "--runs",
            "3",
            "--json",
        ],
    ),
];

/// Fields whose values are wall-clock measurements, not results.
const TIMING_FIELDS: &[&str] = &["seconds"];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn numbers_agree(recorded: f64, now: f64) -> bool {
    recorded == now || (recorded - now).abs() <= 1e-9 * recorded.abs().max(now.abs()) + 1e-13
}

/// Every field and value of `recorded` is in `now` (objects may gain fields).
fn check(recorded: &Value, now: &Value, path: &str, problems: &mut Vec<String>) {
    match (recorded, now) {
        (Value::Object(r), Value::Object(n)) => {
            for (key, r_value) in r {
                if TIMING_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                match n.get(key) {
                    Some(n_value) => check(r_value, n_value, &format!("{path}.{key}"), problems),
                    None => problems.push(format!("{path}.{key}: dropped")),
                }
            }
        }
        (Value::Array(r), Value::Array(n)) => {
            if r.len() != n.len() {
                problems.push(format!("{path}: length {} became {}", r.len(), n.len()));
                return;
            }
            for (i, (r, n)) in r.iter().zip(n).enumerate() {
                check(r, n, &format!("{path}[{i}]"), problems);
            }
        }
        (Value::Number(r), Value::Number(n)) => {
            let (r, n) = (r.as_f64().unwrap(), n.as_f64().unwrap());
            if !numbers_agree(r, n) {
                problems.push(format!("{path}: {r:e} became {n:e}"));
            }
        }
        _ if recorded == now => {}
        _ => problems.push(format!("{path}: {recorded} became {now}")),
    }
}

#[test]
fn json_outputs_keep_every_recorded_field_and_value() {
    let bless = std::env::var_os("LANDSCAPE_BLESS").is_some();
    let mut failures = Vec::new();
    for (name, args) in COMMANDS {
        let mut now = cli_json(args);
        if *name == "problems" {
            // The registry listing: kinds added later come after the recorded ones.
            let recorded_len = std::fs::read_to_string(golden_dir().join("problems.json"))
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .and_then(|v| v.as_array().map(Vec::len));
            if let (Some(len), Some(kinds)) = (recorded_len, now.as_array_mut()) {
                kinds.truncate(len);
            }
        }
        let file = golden_dir().join(format!("{name}.json"));
        if !file.exists() && bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            let text = serde_json::to_string_pretty(&now).unwrap();
            std::fs::write(&file, text + "\n").unwrap();
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("{}: {e} (record it with LANDSCAPE_BLESS=1)", file.display())
        });
        let recorded: Value = serde_json::from_str(&text).unwrap();
        let mut problems = Vec::new();
        check(&recorded, &now, "", &mut problems);
        if !problems.is_empty() {
            let shown: Vec<&String> = problems.iter().take(10).collect();
            failures.push(format!(
                "`landscape {}`: {} difference(s), first: {shown:?}",
                args.join(" "),
                problems.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_comparison_catches_a_changed_value_and_a_dropped_field() {
    let recorded = serde_json::json!({"a": 1.0, "b": [1, 2], "c": "x", "seconds": 3.0});
    let mut problems = Vec::new();
    let same_plus_field =
        serde_json::json!({"a": 1.0, "b": [1, 2], "c": "x", "d": 0, "seconds": 9.0});
    check(&recorded, &same_plus_field, "", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    let changed = serde_json::json!({"a": 1.0 + 1e-6, "b": [1], "seconds": 3.0});
    check(&recorded, &changed, "", &mut problems);
    assert_eq!(problems.len(), 3, "{problems:?}");
}
