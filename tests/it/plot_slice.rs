//! `landscape plot slice` and `plot line`: the planes (Hessian eigenvectors, filter
//! normalisation, PCA, three points), projections, grids and lines against independent
//! computations; pictures that decode, have the requested size and are not blank; bad
//! input refused with exit code 2 and no file.

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, landscape};
use landscape::linalg::{dot, norm};
use landscape::plot::directions::{
    coordinate_plane, hessian_plane, pca_plane, points_plane, random_plane, EigenPick, Plane,
};
use landscape::plot::grid::{evaluate_grid, GridSpec};
use landscape::plot::line::LineFigure;
use landscape::plot::slice::{project_path, SliceFigure, SliceOptions, SliceView};
use landscape::problems;
use landscape::random::{gaussian_vector, rng};
use landscape::verdict::Verdict;

#[test]
fn a_path_in_the_plane_is_captured_fully_and_an_orthogonal_one_not_at_all() {
    let x0 = vec![1.0, -2.0, 0.5, 3.0];
    // Oblique, non-unit directions: the least-squares coordinates must still be exact.
    let d1 = vec![2.0, 0.0, 0.0, 1.0];
    let d2 = vec![1.0, 1.0, 0.0, 0.0];
    let plane = Plane::new(x0.clone(), d1, d2, "a", "b").unwrap();
    let coords = [(0.5, -1.0), (2.0, 3.0), (-0.25, 0.75)];
    let inside: Vec<Vec<f64>> = coords.iter().map(|&(a, b)| plane.point(a, b)).collect();
    let path = project_path(&plane, "in", &inside);
    assert!((path.captured - 1.0).abs() < 1e-12, "{}", path.captured);
    for (&(a, b), &(pa, pb)) in coords.iter().zip(&path.points) {
        assert!((a - pa).abs() < 1e-12 && (b - pb).abs() < 1e-12);
    }
    // e₃ is orthogonal to both directions: nothing of x₀ + s·e₃ lies in the plane.
    let outside: Vec<Vec<f64>> = [1.0, -2.0, 4.0]
        .iter()
        .map(|s| {
            let mut x = x0.clone();
            x[2] += s;
            x
        })
        .collect();
    let path = project_path(&plane, "out", &outside);
    assert!(path.captured.abs() < 1e-12, "{}", path.captured);
    // Half in, half out (equal norms): the plane captures half.
    let mut x = plane.point(0.0, 1.0);
    x[2] += norm(&plane.d2);
    let path = project_path(&plane, "half", &[x]);
    assert!((path.captured - 0.5).abs() < 1e-12, "{}", path.captured);
}

#[test]
fn hessian_directions_at_the_saddle_of_x2_minus_y2_are_the_axes() {
    let (_, f) = problems::load("saddle", &[]).unwrap();
    let plane = hessian_plane(f.as_ref(), &[0.0, 0.0], EigenPick::Extremes).unwrap();
    // ∇²f = diag(2, −2): λmin = −2 along e_y, λmax = 2 along e_x.
    assert!(
        (dot(&plane.d1, &[0.0, 1.0]).abs() - 1.0).abs() < 1e-12,
        "{:?}",
        plane.d1
    );
    assert!(
        (dot(&plane.d2, &[1.0, 0.0]).abs() - 1.0).abs() < 1e-12,
        "{:?}",
        plane.d2
    );
    assert!(plane.label1.contains("λmin = -2.000"), "{}", plane.label1);
    assert!(plane.label2.contains("λmax = 2.000"), "{}", plane.label2);
    // The two smallest of the quadratic with eigenvalues (2, 1, −0.5): −0.5 and 1.
    let (_, q) = problems::load("quadratic", &[]).unwrap();
    let plane = hessian_plane(q.as_ref(), &[0.0; 3], EigenPick::Smallest(0, 1)).unwrap();
    let curvature = |d: &[f64]| {
        let mut hd = vec![0.0; 3];
        q.hvp(&[0.0; 3], d, &mut hd);
        dot(d, &hd) / dot(d, d)
    };
    assert!((curvature(&plane.d1) + 0.5).abs() < 1e-10);
    assert!((curvature(&plane.d2) - 1.0).abs() < 1e-10);
}

#[test]
fn filter_normalisation_gives_each_row_the_norm_of_x0s_row() {
    // Two matrix blocks, U (5×2) then V (4×2).
    let (_, f) = problems::load("matrix_factorization_asym", &[]).unwrap();
    let x0 = gaussian_vector(&mut rng(3), f.dim());
    let plane = random_plane(f.as_ref(), &x0, 11).unwrap();
    let mut rows = 0;
    for d in [&plane.d1, &plane.d2] {
        for r in 0..9 {
            let range = 2 * r..2 * r + 2;
            let (want, got) = (norm(&x0[range.clone()]), norm(&d[range]));
            assert!(
                (want - got).abs() <= 1e-12 * want,
                "row {r}: {got} vs {want}"
            );
            rows += 1;
        }
    }
    assert_eq!(rows, 18);
    // Seeded: the same seed gives the same plane, another seed another one.
    assert_eq!(plane, random_plane(f.as_ref(), &x0, 11).unwrap());
    assert_ne!(plane.d1, random_plane(f.as_ref(), &x0, 12).unwrap().d1);
    // A vector block is one row: on a 2-D problem the direction has ‖x₀‖.
    let (_, g) = problems::load("rosenbrock", &[]).unwrap();
    let plane = random_plane(g.as_ref(), &[3.0, 4.0], 0).unwrap();
    assert!((norm(&plane.d1) - 5.0).abs() < 1e-12);
}

#[test]
fn pca_of_points_on_perpendicular_lines_gives_those_lines() {
    let dim = 6;
    let x0 = gaussian_vector(&mut rng(1), dim);
    let u: Vec<f64> = {
        let v = gaussian_vector(&mut rng(2), dim);
        v.iter().map(|x| x / norm(&v)).collect()
    };
    let v: Vec<f64> = {
        let w = gaussian_vector(&mut rng(4), dim);
        let c = dot(&w, &u);
        let w: Vec<f64> = w.iter().zip(&u).map(|(a, b)| a - c * b).collect();
        w.iter().map(|x| x / norm(&w)).collect()
    };
    // Coefficients with Σ tᵢsᵢ = 0 and Σ tᵢ² > Σ sᵢ²: DᵀD = Σt²·uuᵀ + Σs²·vvᵀ exactly.
    let coefficients = [(3.0, 1.0), (-3.0, 1.0), (1.0, -1.0), (-1.0, -1.0)];
    let points: Vec<Vec<f64>> = coefficients
        .iter()
        .map(|(t, s)| (0..dim).map(|i| x0[i] + t * u[i] + s * v[i]).collect())
        .collect();
    let refs: Vec<&[f64]> = points.iter().map(Vec::as_slice).collect();
    let plane = pca_plane(&x0, &refs).unwrap();
    assert!((dot(&plane.d1, &u).abs() - 1.0).abs() < 1e-10, "PC₁ is u");
    assert!((dot(&plane.d2, &v).abs() - 1.0).abs() < 1e-10, "PC₂ is v");
    // Σt² = 20, Σs² = 4: shares 83.3% and 16.7%.
    assert!(plane.label1.contains("83.3%"), "{}", plane.label1);
    assert!(plane.label2.contains("16.7%"), "{}", plane.label2);
    // Points on one line through x₀ do not span a plane.
    let line: Vec<Vec<f64>> = [1.0, 2.0, -1.5]
        .iter()
        .map(|t| (0..dim).map(|i| x0[i] + t * u[i]).collect())
        .collect();
    let refs: Vec<&[f64]> = line.iter().map(Vec::as_slice).collect();
    let err = pca_plane(&x0, &refs).unwrap_err().to_string();
    assert!(err.contains("two directions"), "{err}");
}

#[test]
fn three_points_sit_where_the_plane_says() {
    let (p1, p2, p3) = ([1.0, 0.0, 2.0], [2.0, 1.0, 2.0], [0.0, 3.0, 1.0]);
    let plane = points_plane(&p1, &p2, &p3, false).unwrap();
    for (p, at) in [(&p1, (0.0, 0.0)), (&p2, (1.0, 0.0)), (&p3, (0.0, 1.0))] {
        let q = plane.project(p);
        assert!((q.alpha - at.0).abs() < 1e-12 && (q.beta - at.1).abs() < 1e-12);
        assert!(q.residual_sq < 1e-24);
    }
    let plane = points_plane(&p1, &p2, &p3, true).unwrap();
    assert!(dot(&plane.d1, &plane.d2).abs() < 1e-12, "perpendicular");
    let q = plane.project(&p3);
    // c = ⟨p₃ − p₁, d₁⟩/‖d₁‖² = (−1 + 3)/2 = 1.
    assert!((q.alpha - 1.0).abs() < 1e-12 && (q.beta - 1.0).abs() < 1e-12);
    let err = points_plane(&p1, &p2, &[3.0, 2.0, 2.0], true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("directions are parallel"), "{err}");
}

#[test]
fn grid_values_are_f_at_the_grid_points_on_any_thread_count() {
    let (_, f) = problems::load("matrix_factorization", &[]).unwrap();
    let x0 = gaussian_vector(&mut rng(5), f.dim());
    let plane = random_plane(f.as_ref(), &x0, 2).unwrap();
    let spec = GridSpec {
        alpha: (-1.0, 0.5),
        beta: (-0.25, 2.0),
        nx: 7,
        ny: 5,
    };
    let grid = evaluate_grid(f.as_ref(), &plane, &spec).unwrap();
    assert_eq!((grid.alphas.len(), grid.betas.len()), (7, 5));
    assert_eq!((grid.alphas[0], grid.alphas[6]), (-1.0, 0.5));
    assert_eq!((grid.betas[0], grid.betas[4]), (-0.25, 2.0));
    for j in 0..5 {
        for i in 0..7 {
            let (a, b) = (-1.0 + 1.5 * i as f64 / 6.0, -0.25 + 2.25 * j as f64 / 4.0);
            let x: Vec<f64> = (0..f.dim())
                .map(|k| x0[k] + a * plane.d1[k] + b * plane.d2[k])
                .collect();
            let want = f.value(&x);
            assert!(
                (grid.value(i, j) - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "({i}, {j})"
            );
        }
    }
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| evaluate_grid(f.as_ref(), &plane, &spec).unwrap());
    assert_eq!(single, grid, "identical on one thread");
}

#[test]
fn lines_follow_f_along_a_direction_and_between_points() {
    let (_, f) = problems::load("saddle", &[]).unwrap();
    // x² − y² along e_y from (1, 0): f = 1 − t².
    let line = LineFigure::along(f.as_ref(), &[1.0, 0.0], &[0.0, 1.0], None, 21).unwrap();
    assert_eq!(line.samples.len(), 21);
    assert_eq!((line.samples[0].0, line.samples[20].0), (-1.0, 1.0));
    for &(t, v) in &line.samples {
        assert!((v - (1.0 - t * t)).abs() < 1e-12);
    }
    let (a, b) = ([-1.0, 2.0], [3.0, 0.5]);
    let line = LineFigure::between(f.as_ref(), &a, &b, None, 17).unwrap();
    assert_eq!((line.samples[0].0, line.samples[16].0), (-0.5, 1.5));
    for &(t, v) in &line.samples {
        let x = [(1.0 - t) * a[0] + t * b[0], (1.0 - t) * a[1] + t * b[1]];
        assert!((v - (x[0] * x[0] - x[1] * x[1])).abs() < 1e-12);
    }
    let marks: Vec<f64> = line.marks.iter().map(|m| m.x).collect();
    assert_eq!(marks, [0.0, 1.0]);
}

#[test]
fn the_slice_library_api_builds_a_figure() {
    let (_, f) = problems::load("saddle", &[]).unwrap();
    let plane = coordinate_plane(&[0.0, 0.0]).unwrap();
    let path = [[1.0, 0.01], [0.5, 0.02], [0.0, 0.5]];
    let figure = SliceFigure::builder(plane)
        .with_trajectory("gd", &path)
        .with_point(Verdict::StrictSaddle, vec![0.0, 0.0])
        .options(SliceOptions {
            resolution: 11,
            view: SliceView::Contour,
            ..SliceOptions::default()
        })
        .build(f.as_ref())
        .unwrap();
    // The default range covers the path: α ∈ [0, 1] and β ∈ [0, 0.5], padded by 15%.
    assert!((figure.grid.alphas[0] + 0.15).abs() < 1e-12);
    assert!((figure.grid.alphas[10] - 1.15).abs() < 1e-12);
    assert!((figure.grid.betas[10] - 0.575).abs() < 1e-12);
    assert_eq!(figure.paths[0].captured, 1.0);
    assert!(figure.points[0].on_plane);
    assert_eq!(figure.alpha_label(), "x");
    // A point of another dimension is refused.
    let plane = coordinate_plane(&[0.0, 0.0]).unwrap();
    let err = SliceFigure::builder(plane)
        .with_trajectory("bad", &[vec![0.0; 3]])
        .build(f.as_ref())
        .unwrap_err();
    assert!(err.to_string().contains("length 3, expected 2"), "{err}");
}

fn ok(args: &[&str]) {
    let out = landscape(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn saddle_run(dir: &Path) -> PathBuf {
    let path = dir.join("gd.json");
    ok(&[
        "run",
        "--problem",
        "saddle",
        "--optimizer",
        "gd",
        "--lr",
        "0.1",
        "--iters",
        "30",
        "--init",
        "[1,0.001]",
        "--record-iterates",
        "--out",
        path.to_str().unwrap(),
    ]);
    path
}

fn census_file(dir: &Path, dim: usize) -> PathBuf {
    let path = dir.join(format!("census{dim}.json"));
    let x = vec![0.0; dim];
    let doc = serde_json::json!({ "points": [
        { "kind": "strict_saddle", "value": 0.0, "x": x },
    ]});
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn check_picture(path: &Path) {
    if path.extension().is_some_and(|e| e == "png") {
        assert_png_picture(path, (480, 360));
    } else {
        assert_svg_picture(path, (480, 360));
    }
}

#[test]
fn slices_render_as_heatmap_contour_and_surface_in_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let run = saddle_run(dir.path());
    let census = census_file(dir.path(), 2);
    let size = ["--width", "480", "--height", "360", "--resolution", "25"];
    for (view, ext) in [
        ("--heatmap", "png"),
        ("--heatmap", "svg"),
        ("--contour", "png"),
        ("--contour", "svg"),
        ("--surface", "png"),
        ("--surface", "svg"),
    ] {
        let picture = dir.path().join(format!("slice{view}.{ext}"));
        let mut args = vec![
            "plot",
            "slice",
            "--problem",
            "saddle",
            view,
            "--trajectory",
            run.to_str().unwrap(),
            "--census",
            census.to_str().unwrap(),
            "--out",
            picture.to_str().unwrap(),
        ];
        args.extend(size);
        ok(&args);
        check_picture(&picture);
    }
    // Hessian (default above 2-D), random and PCA planes with log colours.
    let q = dir.path().join("q.json");
    ok(&[
        "run",
        "--problem",
        "quadratic",
        "--optimizer",
        "gd",
        "--lr",
        "0.1",
        "--iters",
        "20",
        "--init",
        "[1,1,1]",
        "--record-iterates",
        "--out",
        q.to_str().unwrap(),
    ]);
    for directions in ["hessian", "random", "pca"] {
        let picture = dir.path().join(format!("{directions}.png"));
        let mut args = vec![
            "plot",
            "slice",
            "--problem",
            "quadratic",
            "--directions",
            directions,
            "--trajectory",
            q.to_str().unwrap(),
            "--log-color",
            "--out",
            picture.to_str().unwrap(),
        ];
        args.extend(size);
        ok(&args);
        check_picture(&picture);
    }
}

#[test]
fn lines_render_in_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["png", "svg"] {
        let along = dir.path().join(format!("along.{ext}"));
        ok(&[
            "plot",
            "line",
            "--problem",
            "saddle",
            "--from",
            "zeros",
            "--direction",
            "[1,1]",
            "--t",
            "-2,2",
            "--width",
            "480",
            "--height",
            "360",
            "--out",
            along.to_str().unwrap(),
        ]);
        check_picture(&along);
        let between = dir.path().join(format!("between.{ext}"));
        ok(&[
            "plot",
            "line",
            "--problem",
            "himmelblau",
            "--from",
            "[3,2]",
            "--to",
            "[-2.805118,3.131312]",
            "--width",
            "480",
            "--height",
            "360",
            "--out",
            between.to_str().unwrap(),
        ]);
        check_picture(&between);
    }
}

#[test]
fn bad_input_is_refused_with_exit_2_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = saddle_run(dir.path());
    let census3 = census_file(dir.path(), 3);
    let png = dir.path().join("slice.png");
    let out = png.to_str().unwrap();
    let slice = |extra: &[&str], needles: &[&str]| {
        let mut args = vec!["plot", "slice", "--problem", "saddle", "--out", out];
        args.extend(extra);
        assert_bad_input(&args, needles);
        assert!(!png.exists(), "{extra:?} left a file");
    };
    slice(
        &["--d1", "[1,0]", "--d2", "[-2,0]"],
        &["directions are parallel"],
    );
    slice(
        &[
            "--directions",
            "points",
            "--points",
            "[0,0]",
            "[1,1]",
            "[2,2]",
        ],
        &["directions are parallel"],
    );
    slice(&["--directions", "sideways"], &["directions", "hessian"]);
    slice(
        &["--census", census3.to_str().unwrap()],
        &["census", "length 3, expected 2"],
    );
    slice(&["--alpha", "1,-1"], &["alpha", "low < high"]);
    // A trajectory and a census of another problem of the same dimension: refused by
    // their provenance.
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "himmelblau",
            "--trajectory",
            run.to_str().unwrap(),
            "--out",
            out,
        ],
        &["trajectory", "produced on", "saddle", "himmelblau"],
    );
    assert!(!png.exists());
    let census = dir.path().join("himmelblau_census.json");
    let doc = landscape(&[
        "census",
        "--problem",
        "himmelblau",
        "--starts",
        "2",
        "--json",
    ]);
    assert!(doc.status.success());
    std::fs::write(&census, &doc.stdout).unwrap();
    slice(
        &["--census", census.to_str().unwrap()],
        &["census", "produced on", "himmelblau"],
    );
    // A trajectory of the 2-D saddle on the 3-D quadratic.
    let qpng = dir.path().join("q.png");
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "quadratic",
            "--trajectory",
            run.to_str().unwrap(),
            "--out",
            qpng.to_str().unwrap(),
        ],
        &["trajectory", "produced on", "saddle"],
    );
    assert!(!qpng.exists());
    for bad in [
        dir.path().join("slice.gif"),
        dir.path().join("no/such/dir/slice.png"),
    ] {
        let needle = if bad.extension().is_some_and(|e| e == "gif") {
            ".png or .svg"
        } else {
            "existing directory"
        };
        assert_bad_input(
            &[
                "plot",
                "slice",
                "--problem",
                "saddle",
                "--out",
                bad.to_str().unwrap(),
            ],
            &["out", needle],
        );
        assert_bad_input(
            &[
                "plot",
                "line",
                "--problem",
                "saddle",
                "--from",
                "zeros",
                "--direction",
                "[1,0]",
                "--out",
                bad.to_str().unwrap(),
            ],
            &["out", needle],
        );
        assert!(!bad.exists());
    }
    let line_png = dir.path().join("line.png");
    assert_bad_input(
        &[
            "plot",
            "line",
            "--problem",
            "saddle",
            "--from",
            "[1,1]",
            "--to",
            "[1,1]",
            "--out",
            line_png.to_str().unwrap(),
        ],
        &["to", "other than --from"],
    );
    assert!(!line_png.exists());
    let entries = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(entries, 3, "only the run and the census files");
}

/// `escape --paths K --json` keeps the first K trials' iterates, starting at the saddle;
/// `plot slice --trajectory` draws them; a report without paths is refused.
#[test]
fn escape_reports_with_paths_are_drawn_on_slices() {
    let dir = tempfile::tempdir().unwrap();
    let escape_json = |paths: &str| {
        let out = landscape(&[
            "escape",
            "--problem",
            "saddle",
            "--from",
            "zeros",
            "--method",
            "pgd",
            "--trials",
            "5",
            "--max-iters",
            "200",
            "--lr",
            "0.1",
            "--noise-radius",
            "0.01",
            "--paths",
            paths,
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let report = escape_json("2");
    let trials = report["per_trial"].as_array().unwrap();
    for (i, trial) in trials.iter().enumerate() {
        let path = trial.get("path");
        assert_eq!(path.is_some(), i < 2, "trial {i}");
        if let Some(path) = path {
            let first = &path.as_array().unwrap()[0];
            assert_eq!(
                first["x"],
                serde_json::json!([0.0, 0.0]),
                "starts at the saddle"
            );
            assert_eq!(first["iter"], 0);
        }
    }
    let with_paths = dir.path().join("escape.json");
    std::fs::write(&with_paths, report.to_string()).unwrap();
    let picture = dir.path().join("escape_paths.png");
    ok(&[
        "plot",
        "slice",
        "--problem",
        "saddle",
        "--trajectory",
        with_paths.to_str().unwrap(),
        "--out",
        picture.to_str().unwrap(),
        "--width",
        "500",
        "--height",
        "400",
    ]);
    assert_png_picture(&picture, (500, 400));

    let without = dir.path().join("no_paths.json");
    std::fs::write(&without, escape_json("0").to_string()).unwrap();
    let refused = dir.path().join("refused.png");
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "saddle",
            "--trajectory",
            without.to_str().unwrap(),
            "--out",
            refused.to_str().unwrap(),
        ],
        &["--paths"],
    );
    assert!(!refused.exists());
}

#[test]
fn titles_and_labels_name_the_problem_and_the_points() {
    let dir = tempfile::tempdir().unwrap();
    let text_of = |args: &[&str], name: &str| {
        let path = dir.path().join(name);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--out", path.to_str().unwrap()]);
        ok(&all);
        std::fs::read_to_string(&path).unwrap()
    };
    let slice = text_of(
        &[
            "plot",
            "slice",
            "--problem",
            "matrix_factorization",
            "--at",
            "name:eig:2",
        ],
        "slice.svg",
    );
    assert!(slice.contains("matrix_factorization: f on x₀"), "title");
    assert!(slice.contains("x₀ = name:eig:2"), "the centre named");
    assert!(slice.contains(">\nx₀\n</text>"), "the centre marked");
    let line = text_of(
        &[
            "plot",
            "line",
            "--problem",
            "himmelblau",
            "--from",
            "[3,2]",
            "--to",
            "name:min:2",
        ],
        "line.svg",
    );
    assert!(line.contains("himmelblau: f on the interpolation"), "title");
    assert!(
        line.contains("a = [3,2]") && line.contains("b = name:min:2"),
        "ends named"
    );
}
