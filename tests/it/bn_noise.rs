//! `landscape experiment bn-noise`: on a small instance the noise moves the layers'
//! distributions far more than plain batch normalisation while the noisy network still
//! trains; identical on 1 and 2 threads; the CLI's JSON, --out files and bad-input
//! errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::normalisation::noise::{bn_noise, BnNoiseOptions, NETWORKS};

#[test]
fn the_noise_shifts_the_distributions_and_the_network_still_trains() {
    let r = bn_noise(&BnNoiseOptions::quick()).unwrap();
    assert_eq!(r.runs.len(), 3 * r.options.seeds);
    let [none, bn, noisy] = [&r.summaries[0], &r.summaries[1], &r.summaries[2]];
    assert_eq!(
        [&none.network, &bn.network, &noisy.network].map(String::as_str),
        NETWORKS
    );
    // The claim's direction: a much larger shift with the noise, in mean and spread.
    assert!(noisy.mean_shift > 5.0 * bn.mean_shift, "{:?}", r.summaries);
    assert!(noisy.std_shift > 5.0 * bn.std_shift, "{:?}", r.summaries);
    assert!(r.claims[2].holds, "{:?}", r.claims[2]);
    // The noisy network trains: its loss falls far below ln 10 on every seed, and its
    // test accuracy is within a few points of batch normalisation's.
    for run in r.runs.iter().filter(|r| r.network == "noisy batch") {
        assert!(run.final_loss < 0.3, "{run:?}");
        assert!(run.final_noisy_loss.is_some());
    }
    assert!(
        (noisy.mean_final_accuracy - bn.mean_final_accuracy).abs() < 0.05,
        "{:?}",
        r.summaries
    );
    // With plain batch normalisation the probe's per-unit mean is β: it starts at 0.
    let trace = &r.runs[r.options.seeds].trace;
    assert_eq!(trace.steps[0], 0);
    assert!(trace.mean[0].abs() < 1e-12, "{trace:?}");
    assert_eq!(r.claims.len(), 3);
}

#[test]
fn bn_noise_is_identical_on_one_and_two_threads() {
    let mut options = BnNoiseOptions {
        seeds: 1,
        width: 16,
        probe: 32,
        ..BnNoiseOptions::quick()
    };
    options.sgd.steps = 30;
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| bn_noise(&options).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "bn-noise",
        "--quick",
        "--seeds",
        "1",
        "--steps",
        "40",
        "--noise-variance",
        "0.5",
        "--json",
        "--out",
        path,
    ]);
    assert_eq!(v["options"]["noise"]["variance"], 0.5);
    assert_eq!(v["options"]["sgd"]["steps"], 40);
    assert_eq!(v["runs"].as_array().unwrap().len(), 3);
    assert_eq!(v["summaries"][2]["network"], "noisy batch");
    let claims = v["claims"].as_array().unwrap();
    assert!(claims
        .iter()
        .all(|c| c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object()));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bn-noise.json")).unwrap())
            .unwrap();
    assert_eq!(written, v);
    let size = (1280, 988);
    assert_png_picture(&dir.path().join("bn-noise.png"), size);
    assert_svg_picture(&dir.path().join("bn-noise.svg"), size);
}

#[test]
fn bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--noise-variance", "0"], vec!["noise-variance"]),
        (vec!["--noise-variance", "-1"], vec!["noise-variance"]),
        (vec!["--noise-variance", "nan"], vec!["noise-variance"]),
        (vec!["--noise-mean", "0"], vec!["noise-mean"]),
        (vec!["--noise-scale", "0.5"], vec!["noise-scale", "≥ 1"]),
        (vec!["--probe", "1"], vec!["probe"]),
        (vec!["--probe", "5000"], vec!["probe", "1438"]),
        (vec!["--probe-every", "0"], vec!["probe-every"]),
        (vec!["--batch-size", "0"], vec!["batch-size"]),
        (vec!["--batch-size", "5000"], vec!["batch-size", "1438"]),
        (vec!["--lr", "0"], vec!["lr"]),
        (vec!["--momentum", "1"], vec!["momentum"]),
        (vec!["--seeds", "0"], vec!["seeds"]),
        (vec!["--depth", "0"], vec!["depth"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "bn-noise", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
