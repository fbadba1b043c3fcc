//! `landscape experiment batchnorm`: on a small instance, batch normalisation trains at
//! a larger learning rate than the same network without it, from identical weights;
//! identical on 1 and 2 threads; the CLI's JSON, --out files and bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::normalisation::batchnorm::{
    batchnorm, network_pair, paired_starts, weight_blocks, BatchnormOptions, PairSpec,
};
use landscape::Objective;

#[test]
fn batchnorm_trains_at_a_larger_learning_rate() {
    let o = BatchnormOptions::quick();
    let r = batchnorm(&o).unwrap();
    assert_eq!(r.settings.len(), 2 * o.lrs.len());
    assert_eq!(r.claims.len(), 3);
    let (plain, bn) = (&r.summaries[0], &r.summaries[1]);
    let largest = |s: Option<f64>| s.unwrap_or(0.0);
    assert!(
        largest(bn.largest_trainable_lr) > largest(plain.largest_trainable_lr),
        "{:?}",
        r.summaries
    );
    assert!(r.claims[0].holds, "{:?}", r.claims[0]);
    // The verdicts are the table's: a setting trains when every seed does.
    for s in &r.settings {
        assert_eq!(s.trains, s.runs.iter().all(|run| run.trains));
        assert_eq!(s.runs.len(), o.seeds);
    }
    // The largest plain η of the grid diverges or ends high.
    let top = r.of(0).last().unwrap();
    assert!(!top.trains, "{top:?}");
}

#[test]
fn both_networks_start_from_the_same_weights() {
    let pair = network_pair(&PairSpec::default()).unwrap();
    assert_eq!(pair[1].dim() - pair[0].dim(), 2 * 8 * 64);
    let [plain, bn] = paired_starts(&pair, "kaiming_normal", 3).unwrap();
    assert_eq!(
        weight_blocks(&pair[0], &plain),
        weight_blocks(&pair[1], &bn)
    );
    // Same weights, different functions: BN standardises the pre-activations.
    assert_ne!(pair[0].value(&plain), pair[1].value(&bn));
}

#[test]
fn batchnorm_is_identical_on_one_and_two_threads() {
    let mut o = BatchnormOptions::quick();
    o.lrs = vec![0.1, 1.0];
    o.sgd.steps = 30;
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| batchnorm(&o).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_batchnorm_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "batchnorm",
        "--quick",
        "--lrs",
        "0.1,1",
        "--steps",
        "40",
        "--seeds",
        "1",
        "--json",
        "--out",
        path,
    ]);
    let settings = v["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 4);
    assert_eq!(settings[0]["norm"], "none");
    assert_eq!(settings[3]["norm"], "batch");
    assert_eq!(settings[3]["lr"], 1.0);
    assert_eq!(v["options"]["network"]["depth"], 6);
    assert_eq!(v["options"]["sgd"]["steps"], 40);
    let claims = v["claims"].as_array().unwrap();
    assert!(claims
        .iter()
        .all(|c| c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object()));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("batchnorm.json")).unwrap())
            .unwrap();
    assert_eq!(written, v);
    let size = (1280, 2 * 460 + 68);
    assert_png_picture(&dir.path().join("batchnorm.png"), size);
    assert_svg_picture(&dir.path().join("batchnorm.svg"), size);
}

#[test]
fn batchnorm_bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--batch-size", "0"], vec!["batch-size"]),
        (vec!["--batch-size", "1"], vec!["batch-size"]),
        (vec!["--batch-size", "5000"], vec!["batch-size", "1438"]),
        (vec!["--lrs", ""], vec!["lrs", "at least one"]),
        (vec!["--lrs", "0.1,0"], vec!["lrs", "positive"]),
        (vec!["--lrs", "nan"], vec!["lrs"]),
        (vec!["--lrs", "-1"], vec!["lrs"]),
        (vec!["--lrs", "0.1,x"], vec!["lrs"]),
        (vec!["--depth", "0"], vec!["depth"]),
        (vec!["--width", "1"], vec!["width"]),
        (vec!["--steps", "0"], vec!["steps"]),
        (vec!["--seeds", "0"], vec!["seeds"]),
        (vec!["--eval-every", "0"], vec!["eval-every"]),
        (vec!["--momentum", "1"], vec!["momentum"]),
        (vec!["--target", "0"], vec!["target"]),
        (vec!["--target", "inf"], vec!["target"]),
        (vec!["--activation", "swish"], vec!["activation"]),
        (vec!["--init", "bogus"], vec!["init"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "batchnorm", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
