//! Shared checks for the integration tests: exact derivatives against references.

use landscape::finite_difference::{gradient_fd, hessian_from_hvp, hvp_fd, relative_error};
use landscape::random::{gaussian_vector, rng};
use landscape::Objective;

/// A seeded Gaussian point of the problem's dimension, scaled, retracted onto the
/// problem's manifold.
pub fn random_point(f: &dyn Objective, seed: u64, scale: f64) -> Vec<f64> {
    let mut x = gaussian_vector(&mut rng(seed), f.dim());
    x.iter_mut().for_each(|v| *v *= scale);
    f.manifold().retract_in_place(&mut x);
    x
}

/// A seeded Gaussian direction.
pub fn random_direction(f: &dyn Objective, seed: u64) -> Vec<f64> {
    gaussian_vector(&mut rng(seed ^ 0xD1EC_7104), f.dim())
}

/// ∇f(x) against central differences of f: relative error ≤ `budget`.
pub fn assert_gradient_matches_fd(f: &dyn Objective, x: &[f64], budget: f64) {
    let mut g = vec![0.0; f.dim()];
    f.gradient(x, &mut g);
    let fd = gradient_fd(f, x);
    let err = relative_error(&g, &fd);
    assert!(
        err <= budget,
        "{}: gradient vs central differences: relative error {err:e} > {budget:e} at x = {x:?}",
        f.kind()
    );
    let mut g2 = vec![0.0; f.dim()];
    let value = f.value_and_gradient(x, &mut g2);
    assert!(
        relative_error(&g, &g2) <= 1e-12,
        "{}: value_and_gradient disagrees with gradient",
        f.kind()
    );
    assert!(
        (value - f.value(x)).abs() <= 1e-12 * (1.0 + value.abs()),
        "{}: value_and_gradient value disagrees with value",
        f.kind()
    );
}

/// ∇²f(x)·v against central differences of ∇f: relative error ≤ `budget`.
pub fn assert_hvp_matches_fd(f: &dyn Objective, x: &[f64], v: &[f64], budget: f64) {
    let mut hv = vec![0.0; f.dim()];
    f.hvp(x, v, &mut hv);
    let fd = hvp_fd(f, x, v);
    let err = relative_error(&hv, &fd);
    assert!(
        err <= budget,
        "{}: HVP vs differences of the gradient: relative error {err:e} > {budget:e}",
        f.kind()
    );
}

/// The dense Hessian assembled from HVPs is symmetric, and H·v from it equals hvp(v).
pub fn assert_hvp_matches_dense(f: &dyn Objective, x: &[f64], v: &[f64], budget: f64) {
    let h = hessian_from_hvp(f, x);
    let scale = 1.0 + h.amax();
    let asym = (&h - h.transpose()).amax() / scale;
    assert!(
        asym <= budget,
        "{}: Hessian from HVPs is not symmetric: {asym:e}",
        f.kind()
    );
    let dense: Vec<f64> = (&h * nalgebra::DVector::from_column_slice(v))
        .as_slice()
        .to_vec();
    let mut hv = vec![0.0; f.dim()];
    f.hvp(x, v, &mut hv);
    let err = relative_error(&hv, &dense);
    assert!(
        err <= budget,
        "{}: HVP vs dense Hessian·v: {err:e} > {budget:e}",
        f.kind()
    );
}

/// All three derivative checks at a seeded random point of the given scale.
pub fn check_derivatives_at(f: &dyn Objective, seed: u64, scale: f64, budget: f64) {
    let x = random_point(f, seed, scale);
    let v = random_direction(f, seed);
    assert_gradient_matches_fd(f, &x, budget);
    assert_hvp_matches_fd(f, &x, &v, budget);
    assert_hvp_matches_dense(f, &x, &v, 1e-10);
}

/// At a known stationary point the (Riemannian) gradient vanishes.
pub fn assert_stationary(f: &dyn Objective, x: &[f64], tol: f64) {
    let mut g = vec![0.0; f.dim()];
    f.riemannian_gradient(x, &mut g);
    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(
        norm <= tol,
        "{}: ‖grad f‖ = {norm:e} > {tol:e} at a known stationary point",
        f.kind()
    );
}

/// Runs the `landscape` binary with `args`.
pub fn landscape(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_landscape"))
        .args(args)
        .output()
        .expect("run landscape")
}

/// Runs `landscape` with `args`, expecting success and JSON on stdout.
pub fn cli_json(args: &[&str]) -> serde_json::Value {
    let out = landscape(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

/// Bad input: exit code 2, exactly one line on stderr containing every needle, no panic.
pub fn assert_bad_input(args: &[&str], needles: &[&str]) {
    let out = landscape(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: expected exit 2, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: `{needle}` not in: {stderr}"
        );
    }
}

/// A PNG file that decodes, has the requested size and is not blank (at least two
/// colours, and more than 1% of the pixels not white).
pub fn assert_png_picture(path: &std::path::Path, size: (u32, u32)) {
    let picture = image::open(path)
        .unwrap_or_else(|e| panic!("{} does not decode as PNG: {e}", path.display()))
        .to_rgb8();
    assert_eq!(picture.dimensions(), size, "{}: size", path.display());
    let white = picture.pixels().filter(|p| p.0 == [255, 255, 255]).count();
    let total = (size.0 * size.1) as usize;
    assert!(
        total - white > total / 100,
        "{}: blank ({} of {total} pixels white)",
        path.display(),
        white
    );
    let first = picture.get_pixel(0, 0);
    assert!(
        picture.pixels().any(|p| p != first),
        "{}: a single colour",
        path.display()
    );
}

/// An SVG file that parses as XML with an `<svg>` root of the requested size and some
/// drawn elements.
pub fn assert_svg_picture(path: &std::path::Path, size: (u32, u32)) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} does not parse as XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{}: root", path.display());
    assert_eq!(root.attribute("width"), Some(size.0.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(size.1.to_string().as_str()));
    let drawn = root.descendants().filter(|n| n.is_element()).count();
    assert!(drawn > 10, "{}: only {drawn} elements", path.display());
}

/// `work` run inside a rayon pool of `threads` threads (for the tests that results are
/// identical on any thread count).
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(work)
}
