//! The initialisation experiments on small instances: Kaiming trains a deep ReLU
//! network where Xavier stalls near ln 10; from zeros every trained matrix has rank ≤ 1
//! and ReLU's hidden layers do not move; the origin of a bias-free tanh network with
//! H ≥ 3 is a non-strict saddle; the plateau lengthens as the scale shrinks; a large
//! scale explodes ReLU and saturates tanh. Identical on 1 and 2 threads; the CLI's JSON
//! and --out contract and its bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::deep::init::{init, InitOptions};
use landscape::experiments::deep::kaiming::{kaiming, KaimingOptions, LN_10};
use landscape::verdict::Verdict;

fn small_kaiming() -> KaimingOptions {
    let mut o = KaimingOptions::quick();
    o.sgd.steps = 200;
    o
}

fn small_init() -> InitOptions {
    let mut o = InitOptions::quick();
    o.width = 16;
    o.sgd.steps = 300;
    o
}

#[test]
fn kaiming_trains_where_xavier_stalls() {
    let r = kaiming(&small_kaiming()).unwrap();
    assert_eq!(r.runs.len(), 4);
    let (xavier, he) = r.runs.split_at(2);
    for (x, k) in xavier.iter().zip(he) {
        assert_eq!(x.initialisation, "xavier_normal");
        assert!(x.variance_factor < 0.7, "{x:?}");
        assert!(k.variance_factor > 0.75, "{k:?}");
        // Xavier sits near ln 10 longer than Kaiming, and ends higher.
        let plateau = |p: Option<usize>| p.unwrap_or(usize::MAX);
        assert!(plateau(x.plateau) > plateau(k.plateau), "{x:?}\n{k:?}");
        assert!(x.curve.train_loss[1] > 0.95 * LN_10, "{:?}", x.curve);
        assert!(k.min_loss < x.min_loss, "{:?}\n{:?}", k.curve, x.curve);
    }
    assert_eq!(r.claims.len(), 4);
}

#[test]
fn zero_small_and_large_initialisation_behave_as_the_course_says() {
    let r = init(&small_init()).unwrap();
    // Zero: rank ≤ 1 everywhere, ReLU's hidden layers and tanh's did not move, sigmoid's did.
    for z in r.zero.iter().filter(|z| z.initialisation == "zeros") {
        for l in &z.layers {
            assert!(l.rank <= 1, "{} layer {}: {l:?}", z.activation, l.layer);
        }
        let hidden = &z.layers[..r.options.depth];
        let moved = hidden.iter().map(|l| l.weight_moved).fold(0.0, f64::max);
        match z.activation.as_str() {
            "relu" | "tanh" => assert_eq!(moved, 0.0, "{}", z.activation),
            _ => assert!(moved > 0.0, "sigmoid's hidden layers move"),
        }
    }
    let contrast = r.zero.iter().find(|z| z.initialisation != "zeros").unwrap();
    assert!(contrast.layers.iter().all(|l| l.rank == l.full_rank));
    // Origin: strict for H = 2, non-strict for H = 3 (linear, tanh).
    for o in r.origin.iter().filter(|o| o.activation != "relu") {
        let expected = if o.weight_matrices >= 3 {
            Verdict::NonStrictSaddle
        } else {
            Verdict::StrictSaddle
        };
        assert_eq!(o.verdict, expected, "{o:?}");
    }
    // Small: the plateau lengthens as s shrinks.
    let lengths: Vec<usize> = r
        .small
        .iter()
        .map(|s| s.plateau.unwrap_or(usize::MAX))
        .collect();
    assert!(lengths.windows(2).all(|w| w[1] >= w[0]), "{lengths:?}");
    assert!(lengths.last() > lengths.first(), "{lengths:?}");
    // Large: ReLU's last hidden variance grows by at least s², tanh saturates.
    let relu: Vec<_> = r.large.iter().filter(|l| l.activation == "relu").collect();
    let s = relu[1].scale;
    assert!(
        *relu[1].activation_variance.last().unwrap()
            >= s * s * relu[0].activation_variance.last().unwrap()
    );
    let tanh = r.large.iter().rfind(|l| l.activation == "tanh").unwrap();
    assert!(tanh.saturated_fraction.unwrap() > 0.5, "{tanh:?}");
}

#[test]
fn identical_on_one_and_two_threads() {
    let mut o = small_init();
    o.sgd.steps = 60;
    o.classify_depths = vec![2];
    let mut k = small_kaiming();
    k.depth = 4;
    k.sgd.steps = 40;
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    serde_json::to_string(&init(&o).unwrap()).unwrap(),
                    serde_json::to_string(&kaiming(&k).unwrap()).unwrap(),
                )
            })
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn cli_json_out_and_claims() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "kaiming",
        "--quick",
        "--depth",
        "4",
        "--steps",
        "30",
        "--json",
        "--out",
        out,
    ]);
    assert_eq!(v["runs"].as_array().unwrap().len(), 4);
    for c in v["claims"].as_array().unwrap() {
        assert!(c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object());
    }
    let v = cli_json(&[
        "experiment",
        "init",
        "--quick",
        "--width",
        "8",
        "--steps",
        "30",
        "--classify-depths",
        "2",
        "--json",
        "--out",
        out,
    ]);
    assert!(v["claims"].as_array().unwrap().len() >= 5);
    assert_eq!(v["origin"].as_array().unwrap().len(), 3);
    for stem in ["kaiming", "init"] {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("{stem}.json"))).unwrap(),
        )
        .unwrap();
        assert!(json["claims"].is_array());
        let png = image::image_dimensions(dir.path().join(format!("{stem}.png"))).unwrap();
        assert_png_picture(&dir.path().join(format!("{stem}.png")), png);
        assert_svg_picture(&dir.path().join(format!("{stem}.svg")), png);
    }
}

#[test]
fn bad_input_is_one_line() {
    assert_bad_input(
        &["experiment", "kaiming", "--depth", "0"],
        &["depth", "≥ 1"],
    );
    assert_bad_input(&["experiment", "kaiming", "--width", "0"], &["width"]);
    assert_bad_input(&["experiment", "kaiming", "--seeds", "0"], &["seeds"]);
    assert_bad_input(&["experiment", "kaiming", "--lr", "-1"], &["lr"]);
    assert_bad_input(&["experiment", "init", "--depth", "0"], &["depth"]);
    assert_bad_input(
        &["experiment", "init", "--small-scales", "1,x"],
        &["small-scales"],
    );
    assert_bad_input(
        &["experiment", "init", "--large-scales", "0"],
        &["large-scales"],
    );
    assert_bad_input(
        &["experiment", "init", "--classify-depths", "0"],
        &["classify-depths"],
    );
    assert_bad_input(
        &["experiment", "init", "--plateau-drop", "1.5"],
        &["plateau-drop"],
    );
    assert_bad_input(
        &["experiment", "init", "--eval-every", "0"],
        &["eval-every"],
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    assert_bad_input(
        &["experiment", "init", "--out", missing.to_str().unwrap()],
        &["out", "existing directory"],
    );
}
