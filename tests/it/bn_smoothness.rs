//! `landscape experiment bn-smoothness`: on a small instance, the landscape of the
//! batch-normalised network is smoother along its training path; (c) is (b) over the
//! step; λmax and λmin are the exact Hessian's; identical on 1 and 2 threads; the CLI's
//! JSON, --out files and bad-input errors.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, cli_json};

use landscape::experiments::normalisation::batchnorm::network_pair;
use landscape::experiments::normalisation::smoothness::{smoothness, SmoothnessOptions};
use landscape::spectrum::{hessian_spectrum, Method, SpectrumOptions};

#[test]
fn batchnorm_smooths_the_path() {
    let o = SmoothnessOptions::quick();
    let r = smoothness(&o).unwrap();
    assert_eq!(r.paths.len(), 2);
    for p in &r.paths {
        assert_eq!(p.points.len(), o.sgd.steps / o.every + 1);
        assert!(p.points.iter().all(|x| x.hvps <= o.lanczos_hvps));
        assert!(p.points.iter().all(|x| x.lambda_min <= x.lambda_max));
    }
    assert_eq!(r.claims.len(), 4);
    // (a), (b) and λmax: the loss and the gradient change less along the gradient, and
    // the full-batch curvature is lower, with BN.
    for q in [0, 1, 3] {
        assert!(r.ratios[q].ratio > 1.0, "{q}: {:?}", r.ratios);
        assert!(r.claims[q].holds);
    }
    for (claim, ratio) in r.claims.iter().zip(&r.ratios) {
        assert_eq!(claim.holds, ratio.ratio > 1.0);
    }
}

#[test]
fn one_step_gives_beta_as_the_change_over_the_step() {
    let mut o = SmoothnessOptions::quick();
    o.step_multiples = vec![2.0];
    o.sgd.steps = 20;
    let r = smoothness(&o).unwrap();
    let s = 2.0 * o.sgd.lr;
    assert_eq!(r.steps, [s]);
    for p in r.paths.iter().flat_map(|p| &p.points) {
        // One step: the range of f over it is 0, and β = ‖Δ∇f‖ / (s‖g‖).
        assert_eq!(p.loss_variation, 0.0);
        let want = p.gradient_change / (s * p.gradient_norm);
        assert!((p.beta_smoothness - want).abs() <= 1e-12 * want, "{p:?}");
    }
}

#[test]
fn lanczos_finds_the_dense_extremes_at_the_start() {
    let mut o = SmoothnessOptions::quick();
    o.network.depth = 2;
    o.network.width = 6;
    o.sgd.steps = 1;
    o.lanczos_hvps = 400;
    let r = smoothness(&o).unwrap();
    let pair = network_pair(&o.network).unwrap();
    let (init_seed, _) = landscape::experiments::deep::kaiming::run_seeds(o.seed, 0);
    for (n, f) in pair.iter().enumerate() {
        let x0 = f.initialise(&o.network.init, init_seed).unwrap();
        let dense = hessian_spectrum(
            f,
            &x0,
            &SpectrumOptions {
                method: Method::Dense,
                project_symmetries: false,
                ..SpectrumOptions::default()
            },
        )
        .unwrap();
        let p = &r.paths[n].points[0];
        let (lo, hi) = (dense.eigenvalues[0], *dense.eigenvalues.last().unwrap());
        assert!(
            (p.lambda_max - hi).abs() <= 1e-6 * hi.abs().max(1.0),
            "{n}: {p:?} vs {hi}"
        );
        assert!(
            (p.lambda_min - lo).abs() <= 1e-6 * hi.abs().max(1.0),
            "{n}: {p:?} vs {lo}"
        );
    }
}

#[test]
fn bn_smoothness_is_identical_on_one_and_two_threads() {
    let mut o = SmoothnessOptions::quick();
    o.sgd.steps = 20;
    o.every = 10;
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| smoothness(&o).unwrap())).unwrap()
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn the_bn_smoothness_cli_writes_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let v = cli_json(&[
        "experiment",
        "bn-smoothness",
        "--quick",
        "--steps",
        "20",
        "--every",
        "10",
        "--json",
        "--out",
        path,
    ]);
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0]["norm"], "none");
    assert_eq!(paths[1]["norm"], "batch");
    assert_eq!(paths[1]["points"].as_array().unwrap().len(), 3);
    assert_eq!(v["ratios"].as_array().unwrap().len(), 5);
    assert_eq!(v["options"]["every"], 10);
    let claims = v["claims"].as_array().unwrap();
    assert!(claims
        .iter()
        .all(|c| c["claim"].is_string() && c["holds"].is_boolean() && c["measured"].is_object()));
    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("bn-smoothness.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written, v);
    let size = (1280, 2 * 460 + 68);
    assert_png_picture(&dir.path().join("bn-smoothness.png"), size);
    assert_svg_picture(&dir.path().join("bn-smoothness.svg"), size);
}

#[test]
fn bn_smoothness_bad_input_is_one_line_naming_the_flag() {
    for (args, needles) in [
        (vec!["--every", "0"], vec!["every"]),
        (vec!["--batch-size", "0"], vec!["batch-size"]),
        (vec!["--batch-size", "2000"], vec!["batch-size", "1438"]),
        (vec!["--lr", "0"], vec!["lr"]),
        (vec!["--lr", "inf"], vec!["lr"]),
        (vec!["--lr", "-0.1"], vec!["lr"]),
        (vec!["--steps", "0"], vec!["steps"]),
        (vec!["--step-multiples", ""], vec!["step-multiples"]),
        (vec!["--step-multiples", "1,0"], vec!["step-multiples"]),
        (vec!["--lanczos-hvps", "0"], vec!["lanczos-hvps"]),
        (vec!["--depth", "0"], vec!["depth"]),
        (vec!["--width", "0"], vec!["width"]),
        (vec!["--momentum", "-0.5"], vec!["momentum"]),
        (vec!["--eval-every", "0"], vec!["eval-every"]),
        (
            vec!["--out", "/nonexistent/dir"],
            vec!["out", "existing directory"],
        ),
    ] {
        let mut all = vec!["experiment", "bn-smoothness", "--quick"];
        all.extend(args);
        assert_bad_input(&all, &needles);
    }
}
