//! The landscape atlas and the Kawaguchi report: known answers on small sizes,
//! determinism across thread counts, the CLI's JSON contract and bad input.

use crate::common;

use common::{assert_bad_input, cli_json, landscape};
use landscape::experiments::atlas::{atlas, Atlas, AtlasOptions, AtlasRow};
use landscape::experiments::kawaguchi::{kawaguchi, KawaguchiOptions};
use landscape::problems::linear_net::LinearNet;
use landscape::problems::{build, ProblemSpec};
use landscape::verdict::Verdict;

fn run(only: &[&str], runs: usize, seed: u64) -> Atlas {
    atlas(&AtlasOptions {
        runs,
        seed,
        only: only.iter().map(|s| s.to_string()).collect(),
        ..AtlasOptions::default()
    })
    .unwrap()
}

fn check_counts_add_up(row: &AtlasRow) {
    let total =
        row.global_min + row.spurious_local_min + row.saddle + row.not_converged + row.degenerate;
    assert_eq!(total, row.runs, "{}: counts do not add up", row.spec);
    assert_eq!(row.spurious_values.len(), row.spurious_local_min);
}

#[test]
fn matrix_factorization_has_no_spurious_minima() {
    let result = run(&["matrix_factorization"], 8, 1);
    let row = &result.rows[0];
    check_counts_add_up(row);
    assert_eq!(row.family, "matrix_factorization");
    assert_eq!(row.spurious_local_min, 0);
    assert!(row.lowest_spurious_value.is_none());
    assert!(row.holds);
    assert!(row.global_min > 0);
    // f* = ¼·λ₃(M)² = ¼ for M with eigenvalues 3, 2, 1 fitted at rank 2.
    assert!((row.optimum.unwrap() - 0.25).abs() < 1e-12);
}

#[test]
fn six_hump_camel_spurious_minima_are_the_known_ones() {
    let result = run(&["six_hump_camel"], 24, 0);
    let row = &result.rows[0];
    check_counts_add_up(row);
    assert!(!row.holds && row.spurious_local_min > 0, "{row:?}");
    assert!(row.global_min > 0);
    // Every spurious value reached is the value of one of the problem's closed-form
    // spurious minima (±(1.7036, −0.7961): f ≈ −0.2155; ±(1.6071, 0.5687): f ≈ 2.1043).
    let f = build(&ProblemSpec::new("six_hump_camel")).unwrap();
    let known: Vec<f64> = f
        .known_points()
        .iter()
        .filter(|p| p.kind == Verdict::SpuriousLocalMin)
        .map(|p| f.value(&p.x))
        .collect();
    assert_eq!(known.len(), 4);
    for v in &row.spurious_values {
        assert!(
            known.iter().any(|k| (k - v).abs() < 1e-9),
            "spurious value {v} is not a known minimum's {known:?}"
        );
    }
    let lowest = known.iter().copied().fold(f64::INFINITY, f64::min);
    assert!((row.lowest_spurious_value.unwrap() - lowest).abs() < 1e-9);
    assert!((lowest + 0.2154638).abs() < 1e-6);
}

#[test]
fn the_atlas_is_the_same_on_one_and_two_threads() {
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut result = pool.install(|| run(&["six_hump_camel", "linear_net_2"], 6, 3));
        result.rows.iter_mut().for_each(|r| r.seconds = 0.0);
        result.rows
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn cli_json_has_the_contract_fields() {
    let json = cli_json(&[
        "atlas",
        "--runs",
        "4",
        "--only",
        "matrix_factorization,six_hump_camel",
        "--json",
    ]);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        for field in [
            "runs",
            "global_min",
            "spurious_local_min",
            "saddle",
            "not_converged",
        ] {
            assert!(row[field].is_u64(), "{field} in {row}");
        }
        assert!(row["family"].is_string() && row["spec"].is_string());
        assert_eq!(row["runs"], 4);
        let lowest = &row["lowest_spurious_value"];
        assert!(lowest.is_f64() || lowest.is_null(), "{row}");
        assert_eq!(lowest.is_null(), row["spurious_local_min"] == 0);
    }
    assert_eq!(rows[0]["family"], "matrix_factorization");
    assert_eq!(rows[0]["spec"], "matrix_factorization");
}

#[test]
fn out_writes_json_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = landscape(&[
        "atlas",
        "--runs",
        "2",
        "--only",
        "six_hump_camel",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("six_hump_camel"), "{table}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("atlas.json")).unwrap()).unwrap();
    assert_eq!(json["rows"][0]["spec"], "six_hump_camel");
    let png = std::fs::read(dir.path().join("atlas.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(dir.path().join("atlas.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("six_hump_camel"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 3, "temporary files left behind");
}

#[test]
fn own_specs_are_rows_with_their_spec_recorded() {
    // Two double wells tilted by xy/4: the minima at ±(a, −a), a² = 17/16, are global
    // (f = −33/128), those at ±(b, b), b² = 15/16, spurious (f = 31/128); 20 starts find
    // both kinds.
    let own = "expr:(x^2 - 1)^2 + (y^2 - 1)^2 + x*y/4";
    let report = cli_json(&["atlas", "--runs", "20", "--problem", own, "--json"]);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the own spec: {rows:?}");
    let row = &rows[0];
    assert_eq!(row["spec"], own);
    assert_eq!(row["expected"], "unstated");
    assert_eq!(row["problem"]["kind"], "expression");
    assert!(row["global_min"].as_u64().unwrap() > 0);
    assert!(row["spurious_local_min"].as_u64().unwrap() > 0);
    assert_eq!(row["holds"], false);
    let lowest = row["lowest_spurious_value"].as_f64().unwrap();
    assert!((lowest - 31.0 / 128.0).abs() < 1e-9, "{lowest}");

    // With --only, the own spec follows the chosen entries; --set applies to it.
    let report = cli_json(&[
        "atlas",
        "--runs",
        "2",
        "--only",
        "matrix_sensing",
        "--problem",
        "matrix_factorization",
        "--set",
        "n=4",
        "--json",
    ]);
    let specs: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["spec"].as_str().unwrap())
        .collect();
    assert_eq!(specs, ["matrix_sensing", "matrix_factorization n=4"]);
    assert_eq!(report["rows"][1]["problem"]["n"], 4);
    assert_bad_input(&["atlas", "--set", "n=4"], &["--problem"]);
    assert_bad_input(
        &[
            "atlas",
            "--problem",
            "matrix_factorization",
            "--set",
            "nope=1",
        ],
        &["nope"],
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    assert_bad_input(
        &["atlas", "--runs", "0", "--out", path],
        &["runs", "at least 1"],
    );
    assert_bad_input(
        &["atlas", "--runs", "2", "--out", &format!("{path}/missing")],
        &["out", "existing directory"],
    );
    assert_bad_input(&["atlas", "--only", "nope"], &["nope", "matrix_sensing"]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_bad_input(&["experiment", "kawaguchi", "--starts", "0"], &["starts"]);
}

#[test]
fn kawaguchi_linear_nets() {
    let report = kawaguchi(&KawaguchiOptions {
        starts: 8,
        ..KawaguchiOptions::default()
    })
    .unwrap();
    let (two, three) = (&report.cases[0], &report.cases[1]);
    assert_eq!((two.depth, three.depth), (2, 3));
    for c in [two, three] {
        assert!(c.every_minimum_global && c.spurious_minima == 0, "{c:?}");
        // One connected set of global minima: the census's and the known `truth` are
        // the same orbit and count once.
        assert_eq!(c.global_minima, 1, "{c:?}");
        assert_eq!(c.degenerate, 0);
        // The classifier agrees with the mathematics on the closed-form points.
        for p in &c.known_points {
            assert_eq!(p.measured, p.expected, "H = {}: {}", c.depth, p.name);
        }
    }
    assert!(two.all_saddles_strict && two.strict_saddles > 0);
    // H = 2 at W = 0: the Hessian is the form V ↦ −2⟨V₂V₁X, Y⟩ = −2 tr(V₂ᵀ(YXᵀ)V₁ᵀ),
    // whose eigenvalues are ±σᵢ(YXᵀ): λmin = −σ_max(YXᵀ), from the instance's data.
    let spec = ProblemSpec::from_toml(
        include_str!("../../problems/atlas/linear_net_2.toml"),
        "linear_net_2",
        None,
    )
    .unwrap();
    let net = LinearNet::from_spec(&spec).unwrap();
    let sigma_max = (net.targets() * net.inputs().transpose())
        .singular_values()
        .max();
    let zeros2 = two.known_points.iter().find(|p| p.name == "zeros").unwrap();
    let lambda_min = zeros2.lambda_min.unwrap();
    assert!(
        (lambda_min + sigma_max).abs() <= 1e-9 * sigma_max,
        "λmin {lambda_min} vs −σ_max(YXᵀ) {}",
        -sigma_max
    );
    assert!(!three.all_saddles_strict && three.non_strict_saddles > 0);
    let zeros = three
        .known_points
        .iter()
        .find(|p| p.name == "zeros")
        .unwrap();
    assert_eq!(zeros.measured, Verdict::NonStrictSaddle);
    assert!(report.claims_hold);
    let json = cli_json(&["experiment", "kawaguchi", "--starts", "3", "--json"]);
    assert_eq!(json["claims_hold"], true);
    assert_eq!(json["cases"][1]["depth"], 3);
}
