//! `landscape plot spectrum` and `landscape plot escape`: pictures that decode, have the
//! requested size and are not blank; sign counts of the spectrum against closed forms;
//! bad input refused without a file.

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, landscape};
use landscape::plot::spectrum::{spectrum_density, spectrum_histogram, Sign};
use landscape::problems;
use landscape::spectrum::DensityOptions;

type Check = fn(&Path, (u32, u32));
const FORMATS: [(&str, Check); 2] = [
    ("png", assert_png_picture as Check),
    ("svg", assert_svg_picture as Check),
];

fn ok(args: &[&str]) -> String {
    let out = landscape(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn spectrum_histogram_renders_and_counts_the_saddle_of_the_shipped_quadratic() {
    // problems/quadratic.toml: eigenvalues 2, 1, −0.5, so its stationary point is a
    // strict saddle with one negative eigenvalue.
    let dir = tempfile::tempdir().unwrap();
    for (ext, check) in FORMATS {
        let picture = dir.path().join(format!("spectrum.{ext}"));
        let stdout = ok(&[
            "plot",
            "spectrum",
            "--problem",
            "quadratic",
            "--at",
            "name:stationary",
            "--out",
            path_str(&picture),
            "--width",
            "640",
            "--height",
            "480",
        ]);
        assert!(
            stdout.contains("1 negative, 0 zero, 2 positive"),
            "{stdout}"
        );
        assert!(stdout.contains("λmin = -0.5000, λmax = 2.0000"), "{stdout}");
        check(&picture, (640, 480));
    }
}

#[test]
fn histogram_counts_match_the_eigenvalues_of_the_spec() {
    // A = Q diag(λ) Qᵀ with λ given: the counts are those of λ, the bars hold every
    // eigenvalue and no bar mixes signs.
    let lambdas = [-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0];
    let spec = format!(
        "eigenvalues = [{}]",
        lambdas.map(|l| format!("{l:?}")).join(", ")
    );
    let (_, f) = problems::load("quadratic", &[spec, "b = [0, 0, 0, 0, 0, 0, 0]".into()]).unwrap();
    let h = spectrum_histogram(f.as_ref(), &[0.0; 7], 10, "t").unwrap();
    assert_eq!((h.negative, h.zero, h.positive), (3, 1, 3));
    for (got, want) in h.eigenvalues.iter().zip(lambdas) {
        assert!((got - want).abs() < 1e-10, "{got} vs {want}");
    }
    let sum = |s: Sign| -> usize { h.bins.iter().filter(|b| b.sign == s).map(|b| b.count).sum() };
    assert_eq!(sum(Sign::Negative), 3);
    assert_eq!(sum(Sign::Zero), 1);
    assert_eq!(sum(Sign::Positive), 3);
    assert!(h.bins.iter().all(|b| match b.sign {
        Sign::Negative => b.high <= 0.0,
        Sign::Positive => b.low >= 0.0,
        Sign::Zero => true,
    }));
}

#[test]
fn spectrum_density_renders_and_its_negative_mass_is_the_negative_fraction() {
    // 10 eigenvalues −1 and 30 eigenvalues +1: each probe's quadrature puts weight
    // ‖P₋v‖² on −1, so the mass below 0 is the average of those: 1/4 in expectation.
    let mut lambdas = vec![-1.0; 10];
    lambdas.extend([1.0; 30]);
    let spec = format!(
        "eigenvalues = [{}]",
        lambdas
            .iter()
            .map(|l| format!("{l:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let b = format!("b = [{}]", vec!["0.0"; 40].join(", "));
    let (_, f) = problems::load("quadratic", &[spec.clone(), b.clone()]).unwrap();
    let opts = DensityOptions {
        probes: 32,
        ..DensityOptions::default()
    };
    let d = spectrum_density(f.as_ref(), &[0.0; 40], &opts, "t").unwrap();
    let mass = d.negative_mass();
    assert!((mass - 0.25).abs() < 0.08, "negative mass {mass}");

    let dir = tempfile::tempdir().unwrap();
    for (ext, check) in FORMATS {
        let picture = dir.path().join(format!("density.{ext}"));
        let stdout = ok(&[
            "plot",
            "spectrum",
            "--problem",
            "quadratic",
            "--set",
            &spec,
            "--set",
            &b,
            "--at",
            "zeros",
            "--density",
            "--out",
            path_str(&picture),
            "--width",
            "640",
            "--height",
            "480",
        ]);
        assert!(stdout.contains("mass below 0"), "{stdout}");
        check(&picture, (640, 480));
    }
}

fn escape_report(dir: &Path, method: &str) -> PathBuf {
    let path = dir.join(format!("{method}.json"));
    let mut args = vec![
        "escape",
        "--problem",
        "saddle",
        "--from",
        "zeros",
        "--method",
        method,
        "--trials",
        "8",
        "--lr",
        "0.1",
        "--max-iters",
        "200",
        "--json",
    ];
    if method == "pgd" {
        args.extend(["--noise-radius", "0.01"]);
    }
    let stdout = ok(&args);
    std::fs::write(&path, stdout).unwrap();
    path
}

fn du2017_report(dir: &Path) -> PathBuf {
    let path = dir.join("du2017.json");
    let stdout = ok(&[
        "experiment",
        "du2017",
        "--dims",
        "2-3",
        "--trials",
        "2",
        "--json",
    ]);
    std::fs::write(&path, stdout).unwrap();
    path
}

#[test]
fn escape_distribution_and_du2017_chart_render() {
    let dir = tempfile::tempdir().unwrap();
    let gd = escape_report(dir.path(), "gd");
    let pgd = escape_report(dir.path(), "pgd");
    let du = du2017_report(dir.path());
    for (ext, check) in FORMATS {
        let picture = dir.path().join(format!("escape.{ext}"));
        ok(&[
            "plot",
            "escape",
            path_str(&gd),
            path_str(&pgd),
            "--log-iters",
            "--out",
            path_str(&picture),
            "--width",
            "640",
            "--height",
            "480",
        ]);
        check(&picture, (640, 480));
        let chart = dir.path().join(format!("du2017.{ext}"));
        ok(&[
            "plot",
            "escape",
            "--du2017",
            path_str(&du),
            "--out",
            path_str(&chart),
            "--width",
            "640",
            "--height",
            "480",
        ]);
        check(&chart, (640, 480));
    }
}

#[test]
fn escape_reports_at_different_thresholds_or_starts_are_not_overlaid() {
    let dir = tempfile::tempdir().unwrap();
    let gd = escape_report(dir.path(), "gd");
    let png = dir.path().join("e.png");
    let other = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        let mut args = vec![
            "escape",
            "--problem",
            "saddle",
            "--method",
            "noisy_gd",
            "--trials",
            "4",
            "--max-iters",
            "200",
            "--json",
        ];
        args.extend(extra);
        std::fs::write(&path, ok(&args)).unwrap();
        path
    };
    // Another Δ.
    let drop = other("drop.json", &["--from", "zeros", "--drop", "0.5"]);
    assert_bad_input(
        &[
            "plot",
            "escape",
            path_str(&gd),
            path_str(&drop),
            "--out",
            path_str(&png),
        ],
        &["Δ differs", "drop.json"],
    );
    // Another problem and start point, the same Δ.
    let mf = dir.path().join("mf.json");
    std::fs::write(
        &mf,
        ok(&[
            "escape",
            "--problem",
            "matrix_factorization",
            "--from",
            "name:eig:2",
            "--method",
            "gd",
            "--trials",
            "2",
            "--max-iters",
            "10",
            "--drop",
            "1e-3",
            "--json",
        ]),
    )
    .unwrap();
    assert_bad_input(
        &[
            "plot",
            "escape",
            path_str(&gd),
            path_str(&mf),
            "--out",
            path_str(&png),
        ],
        &["differs", "mf.json"],
    );
    assert!(!png.exists());
}

#[test]
fn bad_input_is_refused_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let gd = escape_report(dir.path(), "gd");
    let du = du2017_report(dir.path());
    let gif = dir.path().join("s.gif");
    assert_bad_input(
        &[
            "plot",
            "spectrum",
            "--problem",
            "quadratic",
            "--at",
            "zeros",
            "--out",
            path_str(&gif),
        ],
        &["out", ".png or .svg"],
    );
    assert!(!gif.exists());
    let missing = dir.path().join("no/such/dir/s.png");
    assert_bad_input(
        &["plot", "escape", path_str(&gd), "--out", path_str(&missing)],
        &["out", "existing directory"],
    );
    // Files of the wrong kind, each way round.
    let png = dir.path().join("e.png");
    assert_bad_input(
        &["plot", "escape", path_str(&du), "--out", path_str(&png)],
        &["escape report", "landscape escape --json"],
    );
    assert_bad_input(
        &[
            "plot",
            "escape",
            "--du2017",
            path_str(&gd),
            "--out",
            path_str(&png),
        ],
        &["du2017 report", "experiment du2017 --json"],
    );
    // A point of the wrong length.
    assert_bad_input(
        &[
            "plot",
            "spectrum",
            "--problem",
            "quadratic",
            "--at",
            "[1, 2]",
            "--out",
            path_str(&png),
        ],
        &["3"],
    );
    assert!(!png.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
