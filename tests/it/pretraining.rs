//! `landscape experiment pretraining`: the tasks split the digits by label, the
//! pre-trained start differs from the scratch start only in its hidden layers (the
//! output layer re-initialised), the report's summaries follow its runs, identical on 1
//! and 2 threads; the CLI's JSON, --out files and bad-input errors.
//!
//! Whether pre-training helps is what the experiment measures (its claims), not
//! something these tests assume.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::deep::pretraining::{pretraining, tasks, PretrainingOptions};
use landscape::Objective;

#[test]
fn the_tasks_are_the_two_halves_of_the_digits() {
    let (pre, fine) = tasks(&PretrainingOptions::quick()).unwrap();
    assert_eq!(pre.dim(), fine.dim());
    assert_eq!(pre.train().outputs, 10);
    assert!(pre.train().labels.as_ref().unwrap().iter().all(|&c| c < 5));
    assert!(fine
        .test()
        .unwrap()
        .labels
        .as_ref()
        .unwrap()
        .iter()
        .all(|&c| c >= 5));
}

#[test]
fn the_report_follows_its_runs() {
    let r = pretraining(&PretrainingOptions::quick()).unwrap();
    assert_eq!(r.starts.len(), 2);
    for s in &r.starts {
        // Pre-training learned its task.
        assert!(s.pretrain_test_accuracy > 0.8, "{s:?}");
        for arm in [&s.pretrained, &s.scratch] {
            assert_eq!(arm.steps_to_target, arm.curve.steps_to(r.options.target));
            assert_eq!(arm.final_train_loss, arm.curve.final_loss());
            assert!(arm.final_train_loss < arm.curve.train_loss[0]);
        }
        // The two fine-tunings start from different hidden layers.
        assert_ne!(
            s.pretrained.curve.train_loss[0],
            s.scratch.curve.train_loss[0]
        );
    }
    let faster = r
        .starts
        .iter()
        .filter(|s| {
            s.pretrained.steps_to_target.unwrap_or(usize::MAX)
                < s.scratch.steps_to_target.unwrap_or(usize::MAX)
        })
        .count();
    assert_eq!(r.pretrained_faster, faster);
    assert_eq!(r.claims.len(), 2);
    let mean = r
        .starts
        .iter()
        .map(|s| s.scratch.final_test_accuracy)
        .sum::<f64>()
        / 2.0;
    assert!((r.scratch.mean_final_test_accuracy - mean).abs() < 1e-12);
    assert_eq!(
        r.claims[1].holds,
        r.pretrained.mean_final_test_accuracy >= r.scratch.mean_final_test_accuracy
    );
}

#[test]
fn pretraining_is_identical_on_one_and_two_threads() {
    let options = PretrainingOptions {
        steps: 20,
        pretrain_steps: 20,
        ..PretrainingOptions::quick()
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| pretraining(&options).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "pretraining",
        "--quick",
        "--steps",
        "20",
        "--pretrain-steps",
        "20",
        "--json",
        "--out",
        path,
    ]);
    assert_eq!(v["samples"].as_array().unwrap().len(), 4);
    assert_eq!(v["starts"].as_array().unwrap().len(), 2);
    assert!(v["starts"][0]["pretrained"]["curve"]["train_loss"].is_array());
    assert_eq!(v["claims"].as_array().unwrap().len(), 2);
    let size = (1280, 528);
    assert_png_picture(&dir.path().join("pretraining.png"), size);
    assert_svg_picture(&dir.path().join("pretraining.svg"), size);
}

#[test]
fn bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--depth", "0"], vec!["depth"]),
        (vec!["--width", "0"], vec!["width"]),
        (vec!["--seeds", "0"], vec!["seeds"]),
        (vec!["--steps", "0"], vec!["steps"]),
        (vec!["--activation", "swish"], vec!["activation"]),
        (vec!["--init", "he_normal"], vec!["init"]),
        (vec!["--target", "inf"], vec!["target", "finite"]),
        (vec!["--target", "nan"], vec!["target"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "pretraining", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
