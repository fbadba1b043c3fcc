//! `landscape experiment clipping`: on a small instance, runs without clipping fail
//! (diverge or jump) where clipped runs from the same starts do not; the chain is
//! f = ½(∏wᵢ·x − y)²; identical on 1 and 2 threads; the CLI's JSON, --out files and
//! bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::deep::clipping::{clipping, scalar_chain, ClippingOptions};
use landscape::Objective;

#[test]
fn clipping_stops_the_cliffs_throws() {
    let r = clipping(&ClippingOptions::quick()).unwrap();
    // The chain: some unclipped starts sit on the cliff and are thrown; no clipped run is.
    assert!(r.chain.unclipped().failed > 0, "{:?}", r.chain.unclipped());
    for s in r.chain.clipped() {
        assert_eq!(s.failed, 0, "{s:?}");
        assert!(s.largest_rise < 10.0, "{s:?}");
    }
    // Every run of the chain's cliff window starts from the same point.
    let cliff = r.chain.cliff.as_ref().expect("a failing start");
    let first: Vec<_> = cliff.curves.iter().map(|c| c.loss[0]).collect();
    assert!(first.windows(2).all(|p| p[0] == p[1]), "{first:?}");
    // The network: fewer failures with clipping at some threshold than without.
    let none = r.network.unclipped().failed;
    let best = r.network.clipped().iter().map(|s| s.failed).min().unwrap();
    assert!(none > 0 && best < none, "{:?}", r.network.settings);
    assert_eq!(r.claims.len(), 4);
    assert!(r.claims[0].holds && r.claims[1].holds && r.claims[2].holds);
    // A failed run is counted once: diverged or jumped.
    for s in r.chain.settings.iter().chain(&r.network.settings) {
        assert_eq!(s.failed, s.diverged + s.jumped);
        assert_eq!(s.per_run.iter().filter(|o| o.failed()).count(), s.failed);
    }
}

#[test]
fn the_chain_is_the_product_of_its_factors() {
    let f = scalar_chain(20).unwrap();
    let w: Vec<f64> = (0..20).map(|i| 0.9 + 0.01 * i as f64).collect();
    let p: f64 = w.iter().product();
    assert!((f.value(&w) - 0.5 * (p - 1.0).powi(2)).abs() < 1e-12);
}

#[test]
fn clipping_is_identical_on_one_and_two_threads() {
    let options = ClippingOptions {
        seeds: 3,
        chain_seeds: 6,
        net_steps: 15,
        ..ClippingOptions::quick()
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| clipping(&options).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "clipping",
        "--quick",
        "--seeds",
        "2",
        "--chain-seeds",
        "4",
        "--json",
        "--out",
        path,
    ]);
    for setup in ["chain", "network"] {
        let settings = v[setup]["settings"].as_array().unwrap();
        assert_eq!(settings.len(), 4);
        assert!(settings[0]["clip_norm"].is_null());
        assert_eq!(settings[1]["clip_norm"], 0.5);
    }
    assert_eq!(v["options"]["seeds"], 2);
    let claims = v["claims"].as_array().unwrap();
    assert!(claims
        .iter()
        .all(|c| c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object()));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("clipping.json")).unwrap())
            .unwrap();
    assert_eq!(written, v);
    let size = (1920, 528);
    assert_png_picture(&dir.path().join("clipping.png"), size);
    assert_svg_picture(&dir.path().join("clipping.svg"), size);
}

#[test]
fn bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--depth", "0"], vec!["depth", "≥ 2"]),
        (vec!["--net-depth", "0"], vec!["net-depth"]),
        (vec!["--width", "0"], vec!["width"]),
        (vec!["--seeds", "0"], vec!["seeds"]),
        (vec!["--activation", "swish"], vec!["activation"]),
        (vec!["--clip-norms", "0"], vec!["clip-norms"]),
        (vec!["--net-lr", "nan"], vec!["net-lr"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "clipping", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
