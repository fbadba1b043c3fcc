//! `landscape experiment norms`: on a small instance batch normalisation degrades at
//! small batches and the per-sample norms do not; layer, instance, group and weight
//! normalisation give a sample the same outputs alone as in a batch; identical on 1 and
//! 2 threads; the CLI's JSON, --out files and bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::normalisation::relatives::{norm_network, norms, NormsOptions};
use landscape::{FiniteSum, Objective};

#[test]
fn batch_normalisation_degrades_at_small_batches_and_the_others_do_not() {
    let r = norms(&NormsOptions::quick()).unwrap();
    let o = &r.options;
    assert_eq!(r.cells.len(), o.norms.len() * o.batch_sizes.len());
    let ratio = |n: &str| r.degradation.iter().find(|d| d.norm == n).unwrap().ratio;
    for other in ["none", "layer", "weight", "instance", "group"] {
        assert!(ratio("batch") > ratio(other), "{:?}", r.degradation);
    }
    assert!(r.claims[0].holds && r.claims[1].holds, "{:?}", r.claims);
    // The batch-independence check, and batch normalisation's contrast.
    for c in &r.independence {
        if c.norm == "batch" {
            assert!(c.max_difference > 1e-3, "{c:?}");
        } else {
            assert!(c.max_difference <= 1e-10, "{c:?}");
        }
    }
    assert!(r.claims[2].holds, "{:?}", r.claims[2]);
    // Every run saw the same samples: epochs·⌈N/B⌉ steps.
    for c in &r.cells {
        assert_eq!(c.steps, o.epochs * r.samples.div_ceil(c.batch_size));
    }
}

#[test]
fn per_sample_norms_give_a_sample_the_same_outputs_alone_as_in_a_batch() {
    let o = NormsOptions::quick();
    let rows: Vec<usize> = (0..16).collect();
    for norm in ["layer", "instance", "group", "weight", "batch"] {
        let f = norm_network(&o, norm).unwrap();
        let x = f.initialise("kaiming_normal", 7).unwrap();
        let together = f.outputs(&x, &rows);
        let q = f.train().outputs;
        let largest = rows
            .iter()
            .flat_map(|&i| {
                let alone = f.outputs(&x, &[i]);
                let row = together[i * q..(i + 1) * q].to_vec();
                alone.into_iter().zip(row).map(|(a, b)| (a - b).abs())
            })
            .fold(0.0, f64::max);
        if norm == "batch" {
            assert!(largest > 1e-3, "{norm}: {largest}");
        } else {
            assert!(largest <= 1e-12, "{norm}: {largest}");
        }
    }
}

/// A minibatch pass after a larger one (the run loop's full-batch evaluations) reads
/// only its own groups' statistics: the same gradient as on a fresh network.
#[test]
fn a_minibatch_gradient_after_a_full_batch_pass_is_unchanged() {
    let o = NormsOptions::quick();
    for norm in ["layer", "group", "instance"] {
        let f = norm_network(&o, norm).unwrap();
        let fresh = f.clone();
        let x = f.initialise("kaiming_normal", 3).unwrap();
        let mut g = vec![0.0; f.dim()];
        f.value_and_gradient(&x, &mut g);
        let batch = [5, 9];
        let (mut a, mut b) = (vec![0.0; f.dim()], vec![0.0; f.dim()]);
        let va = f.batch_value_and_gradient(&x, &batch, &mut a);
        let vb = fresh.batch_value_and_gradient(&x, &batch, &mut b);
        assert_eq!(va, vb, "{norm}");
        assert_eq!(a, b, "{norm}");
    }
}

#[test]
fn norms_is_identical_on_one_and_two_threads() {
    let options = NormsOptions {
        norms: vec!["batch".into(), "layer".into()],
        batch_sizes: vec![4, 128],
        epochs: 1,
        probe: 8,
        ..NormsOptions::quick()
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| norms(&options).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "norms",
        "--quick",
        "--norms",
        "none,batch,group",
        "--batch-sizes",
        "4,64",
        "--epochs",
        "1",
        "--json",
        "--out",
        path,
    ]);
    assert_eq!(v["options"]["batch_sizes"], serde_json::json!([4, 64]));
    assert_eq!(v["cells"].as_array().unwrap().len(), 6);
    assert_eq!(v["independence"].as_array().unwrap().len(), 3);
    let claims = v["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 3);
    assert!(claims
        .iter()
        .all(|c| c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object()));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("norms.json")).unwrap())
            .unwrap();
    assert_eq!(written, v);
    let size = (1280, 988);
    assert_png_picture(&dir.path().join("norms.png"), size);
    assert_svg_picture(&dir.path().join("norms.svg"), size);
}

#[test]
fn bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--batch-sizes", "0"], vec!["batch-sizes", "≥ 1"]),
        (vec!["--batch-sizes", "2,-3"], vec!["batch-sizes"]),
        (vec!["--batch-sizes", "2,5000"], vec!["batch-sizes", "1438"]),
        (vec!["--groups", "5"], vec!["groups", "divisor"]),
        (vec!["--channels", "3"], vec!["channels", "divisor"]),
        (vec!["--norms", "batch,foo"], vec!["norm", "foo"]),
        (vec!["--epochs", "0"], vec!["epochs"]),
        (vec!["--seeds", "0"], vec!["seeds"]),
        (vec!["--lr", "0"], vec!["lr"]),
        (vec!["--lr", "inf"], vec!["lr"]),
        (vec!["--momentum", "1"], vec!["momentum"]),
        (vec!["--target", "0"], vec!["target"]),
        (vec!["--probe", "0"], vec!["probe"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "norms", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
