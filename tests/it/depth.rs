//! The depth and activations experiments: on small instances the course's directions
//! come out (ReLU with Kaiming keeps the variance, Xavier halves it, sigmoid's gradient
//! shrinks at least 4× per layer with nσ² = 1, std 0.01 vanishes, sigmoid trains
//! slowest), the measured factors agree with mean-field theory, results are identical on
//! 1 and 2 threads, and the CLI's JSON, --out files and bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::deep::activations::{activations, ActivationsOptions};
use landscape::experiments::deep::depth::{depth, DepthOptions, DepthReport};
use landscape::plot::depth::depth_chart;

fn small_depth() -> DepthOptions {
    DepthOptions {
        depth: 30,
        width: 64,
        images: 50,
        activations: ["relu", "sigmoid"].map(String::from).to_vec(),
        seeds: 3,
        seed: 0,
        ..DepthOptions::default()
    }
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn depth_directions_hold_and_match_mean_field_theory() {
    let r = depth(&small_depth()).unwrap();
    let factor = |a: &str, i: &str| r.case(a, i).unwrap().measured_factors;
    let predicted = |a: &str, i: &str| r.case(a, i).unwrap().predicted_factors.unwrap();
    // ReLU: Kaiming keeps Var[A] (theory 1), Xavier halves it (theory ½), within 5%.
    let kaiming = factor("relu", "kaiming")
        .activation_variance
        .factor
        .unwrap();
    let xavier = factor("relu", "xavier").activation_variance.factor.unwrap();
    assert!((kaiming - 1.0).abs() < 0.05, "{kaiming}");
    assert!((xavier - 0.5).abs() < 0.025, "{xavier}");
    // The same draws scaled by 1/√2 per layer (zero biases, ReLU homogeneous): the
    // ratio of the two factors is exactly ½.
    assert!(
        (xavier / kaiming - 0.5).abs() < 1e-9,
        "{xavier} / {kaiming}"
    );
    // Sigmoid with nσ² = 1: the backpropagated gradient shrinks at least 4× per layer.
    for init in ["xavier", "kaiming"] {
        let g = factor("sigmoid", init).grad_output_norm.factor.unwrap();
        assert!(g <= 0.25, "{init}: {g}");
    }
    // std 0.01 vanishes, std 1 explodes for ReLU; sigmoid with std 1 saturates and does not.
    assert_eq!(r.case("relu", "small").unwrap().gradient, "vanishes");
    assert_eq!(r.case("relu", "large").unwrap().gradient, "explodes");
    assert_eq!(r.case("sigmoid", "large").unwrap().gradient, "vanishes");
    // Measured factors within 10% of the mean-field ones.
    for a in ["relu", "sigmoid"] {
        for i in ["small", "large", "xavier", "kaiming"] {
            let (m, p) = (factor(a, i), predicted(a, i));
            let (m, p) = (
                m.grad_output_norm.factor.unwrap(),
                p.grad_output_norm.factor.unwrap(),
            );
            assert!((m / p - 1.0).abs() < 0.1, "{a} {i}: {m} vs {p}");
        }
    }
    // The claims say what the cases say.
    let claim = |needle: &str| r.claims.iter().find(|c| c.claim.contains(needle)).unwrap();
    assert!(claim("ReLU with Kaiming initialisation keeps the activation variance").holds);
    assert!(claim("Xavier initialisation with ReLU halves").holds);
    assert!(claim("small initialisation").holds);
    // Sigmoid with std 1: factor ≈ 0.9 > ¼, so the "every initialisation" claim fails.
    assert!(!claim("With sigmoid").holds);
    assert!(!claim("large initialisation").holds);
}

#[test]
fn depth_is_identical_on_one_and_two_threads() {
    let mut options = small_depth();
    options.depth = 5;
    options.images = 20;
    let json = |threads| {
        on_threads(threads, || {
            serde_json::to_string(&depth(&options).unwrap()).unwrap()
        })
    };
    assert_eq!(json(1), json(2));
}

#[test]
fn activations_sigmoid_vanishes_and_trains_slowest() {
    let options = ActivationsOptions {
        depth: 4,
        width: 16,
        activations: ["sigmoid", "relu", "leaky_relu"].map(String::from).to_vec(),
        steps: 100,
        eval_every: 50,
        ..ActivationsOptions::default()
    };
    let json = |threads| on_threads(threads, || activations(&options).unwrap());
    let r = json(2);
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        serde_json::to_string(&json(1)).unwrap()
    );
    let sigmoid = r.case("sigmoid").unwrap();
    assert!(sigmoid.factors.grad_output_norm.factor.unwrap() <= 0.25);
    assert!(sigmoid.first_to_last < 0.1, "{}", sigmoid.first_to_last);
    assert_eq!(sigmoid.curve.steps, [0, 50, 100]);
    for c in &r.cases[1..] {
        assert!((0.1..=10.0).contains(&c.first_to_last), "{}", c.activation);
        assert!(c.final_loss() < sigmoid.final_loss(), "{}", c.activation);
        assert!(c.final_loss() < c.curve.train_loss[0], "{}", c.activation);
    }
    assert!(r.claims.iter().all(|c| c.holds), "{:?}", r.claims);
}

#[test]
fn the_cli_prints_json_and_writes_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "depth",
        "--quick",
        "--depth",
        "4",
        "--activations",
        "relu,gelu",
        "--inits",
        "kaiming,normal=0.5",
        "--json",
        "--out",
        out,
    ]);
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    assert_eq!(cases[1]["scheme"], "normal=0.5");
    assert_eq!(
        cases[0]["measured"]["grad_weight_norm"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    for claim in v["claims"].as_array().unwrap() {
        assert!(claim["claim"].is_string() && claim["holds"].is_boolean());
        assert!(claim["measured"].is_object());
    }
    let report: DepthReport =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("depth.json")).unwrap())
            .unwrap();
    let size = depth_chart(&report).size();
    assert_png_picture(&dir.path().join("depth.png"), size);
    assert_svg_picture(&dir.path().join("depth.svg"), size);

    let text = common::landscape(&[
        "experiment",
        "activations",
        "--quick",
        "--steps",
        "20",
        "--eval-every",
        "10",
        "--activations",
        "sigmoid,relu",
        "--out",
        out,
    ]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("claims (") && stdout.contains("sigmoid"),
        "{stdout}"
    );
    for file in ["activations.json", "activations.png", "activations.svg"] {
        assert!(dir.path().join(file).exists(), "{file}");
    }
}

#[test]
fn bad_input_is_one_line_naming_the_flag() {
    let bad: &[(&[&str], &[&str])] = &[
        (&["experiment", "depth", "--depth", "0"], &["depth", "≥ 1"]),
        (&["experiment", "depth", "--width", "0"], &["width"]),
        (&["experiment", "depth", "--seeds", "0"], &["seeds"]),
        (&["experiment", "depth", "--images", "5000"], &["images"]),
        (
            &["experiment", "depth", "--activations", "swish"],
            &["activations", "relu"],
        ),
        (
            &["experiment", "depth", "--inits", "medium"],
            &["inits", "kaiming"],
        ),
        (
            &["experiment", "depth", "--out", "/no/such/dir"],
            &["out", "existing directory"],
        ),
        (&["experiment", "activations", "--depth", "0"], &["depth"]),
        (&["experiment", "activations", "--steps", "0"], &["steps"]),
        (
            &["experiment", "activations", "--batch-size", "0"],
            &["batch-size"],
        ),
        (&["experiment", "activations", "--lr", "nan"], &["lr"]),
        (
            &["experiment", "activations", "--activations", "relu,swish"],
            &["activations"],
        ),
    ];
    for (args, needles) in bad {
        assert_bad_input(args, needles);
    }
}
