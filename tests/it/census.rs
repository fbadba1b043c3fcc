//! Known answers of the census: Himmelblau's and the six-hump camel's complete lists of
//! stationary points, tensor decomposition's global minima (signed permutations of the
//! components), matrix factorization up to rotation, thread-count independence, and bad
//! input.

use crate::common;

use common::{cli_json, landscape};

use landscape::census::descent::Lbfgs;
use landscape::census::{census, Census, CensusOptions};
use landscape::objective::Objective;
use landscape::problems::{self, tensor_decomposition::TensorDecomposition};
use landscape::Verdict;

fn load(kind: &str, overrides: &[&str]) -> Box<dyn Objective> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    problems::load(kind, &overrides).unwrap().1
}

fn run(f: &dyn Objective, starts: usize, seed: u64) -> Census {
    let opts = CensusOptions {
        starts,
        seed,
        ..CensusOptions::default()
    };
    census(f, &opts).unwrap()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// The census found exactly the known points: a one-to-one match by distance ≤ 1e-6,
/// with the declared kinds.
fn assert_matches_known_points(f: &dyn Objective, result: &Census) {
    let known = f.known_points();
    assert_eq!(
        result.points.len(),
        known.len(),
        "{}: found {:?}",
        f.kind(),
        result.points
    );
    for p in &known {
        let matches: Vec<_> = result
            .points
            .iter()
            .filter(|q| distance(&q.x, &p.x) <= 1e-6)
            .collect();
        assert_eq!(matches.len(), 1, "{} {}: {matches:?}", f.kind(), p.name);
        assert_eq!(matches[0].kind, p.kind, "{} {}", f.kind(), p.name);
    }
}

#[test]
fn himmelblau_census_finds_its_nine_stationary_points() {
    // Four global minima (f = 0), four strict saddles and one local maximum.
    let f = load("himmelblau", &[]);
    let result = run(f.as_ref(), 400, 0);
    assert_eq!(result.counts.get(&Verdict::GlobalMin), Some(&4));
    assert_eq!(result.counts.get(&Verdict::StrictSaddle), Some(&4));
    assert_eq!(result.counts.get(&Verdict::LocalMax), Some(&1));
    assert_eq!(result.counts.len(), 3);
    assert_matches_known_points(f.as_ref(), &result);
    let hits: usize = result.points.iter().map(|p| p.hits).sum();
    assert_eq!(hits, result.converged);
    // Sorted by value: the maximum (f ≈ 181.6) comes last.
    assert_eq!(result.points.last().unwrap().kind, Verdict::LocalMax);
}

#[test]
fn six_hump_camel_census_finds_all_fifteen_points() {
    let f = load("six_hump_camel", &[]);
    assert_matches_known_points(f.as_ref(), &run(f.as_ref(), 400, 3));
}

#[test]
fn tensor_decomposition_global_minima_are_signed_permutations_of_the_components() {
    // rank = n = 4: f = 0 needs pairwise disjoint supports of the cᵢ = Aᵀuᵢ, i.e. every
    // uᵢ = ±a_π(i) for a permutation π.
    let spec = problems::load_spec("tensor_decomposition", &["n=4".to_string()]).unwrap();
    let f = TensorDecomposition::from_spec(&spec).unwrap();
    let a = f.components().clone();
    let result = run(&f, 40, 1);
    let minima: Vec<_> = result
        .points
        .iter()
        .filter(|p| p.kind == Verdict::GlobalMin)
        .collect();
    assert!(minima.len() >= 10, "only {} global minima", minima.len());
    for p in minima {
        let mut used = Vec::new();
        for u in p.x.chunks(4) {
            // The component u is aligned with, and |⟨u, aₖ⟩| = 1.
            let (k, c) = (0..4)
                .map(|k| (k, (0..4).map(|i| a[(i, k)] * u[i]).sum::<f64>()))
                .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()))
                .unwrap();
            assert!((c.abs() - 1.0).abs() < 1e-8, "block not ±aₖ: ⟨u, a⟩ = {c}");
            used.push(k);
        }
        used.sort();
        assert_eq!(used, vec![0, 1, 2, 3], "not a permutation");
    }
    // Distinct points are distinct signed permutations: all pairwise apart.
    for (i, p) in result.points.iter().enumerate() {
        for q in &result.points[i + 1..] {
            assert!(distance(&p.x, &q.x) > 1e-3);
        }
    }
}

#[test]
fn matrix_factorization_census_merges_rotations_of_the_same_point() {
    // r = 2: U ↦ UR (R ∈ O(2)) is a continuous symmetry, so every global minimum
    // U = [√3 q₁, √2 q₂]·R is one orbit; the census must report one global_min
    // with f = ¼·1² (the dropped eigenvalue 1 of M), not one per start.
    let f = load("matrix_factorization", &[]);
    let result = run(f.as_ref(), 30, 0);
    let minima: Vec<_> = result
        .points
        .iter()
        .filter(|p| p.kind == Verdict::GlobalMin)
        .collect();
    assert_eq!(minima.len(), 1, "{:?}", result.counts);
    assert!((minima[0].value - 0.25).abs() < 1e-10);
    assert!(minima[0].hits > 1);
}

#[test]
fn linear_net_census_merges_rescalings_of_one_minimum() {
    // Square widths 4-4-4-4: W₂A⁻¹, AW₁ (A ∈ GL(4)) is a non-compact symmetry, and the
    // global minima (W₃W₂W₁ = the teacher) form one connected set. Starts that end far
    // along it (‖H‖ ≈ 10⁶ against 10⁴) count a small eigenvalue as zero; that must not
    // split the minimum (seed 0 found two before).
    let f = load("linear_net", &["widths=[4,4,4,4]"]);
    let result = run(f.as_ref(), 100, 0);
    let minima: Vec<_> = result
        .points
        .iter()
        .filter(|p| p.kind == Verdict::GlobalMin)
        .collect();
    assert_eq!(minima.len(), 1, "{:?}", result.counts);
    assert!(minima[0].value < 1e-12);
}

/// ½‖x‖² + 10³: at its minimum every step leaves the computed f unchanged.
struct OffsetBowl;

impl Objective for OffsetBowl {
    fn kind(&self) -> &'static str {
        "offset_bowl"
    }
    fn dim(&self) -> usize {
        3
    }
    fn value(&self, x: &[f64]) -> f64 {
        1e3 + 0.5 * x.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) {
        grad.copy_from_slice(x);
    }
    fn hvp(&self, _x: &[f64], v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(v);
    }
}

#[test]
fn descent_stops_at_the_rounding_floor_of_f() {
    // An unreachable target: only the rounding floor of f can end the descent before
    // its cap (it used to run all 2000 iterations, ≈ 50 evaluations each, in place).
    let f = OffsetBowl;
    let mut x = vec![0.3, -0.2, 0.1];
    let s = Lbfgs::new(&f).minimise(&mut x, |_| -1.0, 1.0, 1e6, 2000);
    assert!(!s.diverged);
    assert!(s.iterations < 50, "{s:?}");
    assert!(s.grad_norm < 1e-6, "{s:?}");
    assert_eq!(s.value, f.value(&x));
}

#[test]
fn census_is_identical_on_one_and_two_threads() {
    let f = load("six_hump_camel", &[]);
    let json_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let result = pool.install(|| run(f.as_ref(), 200, 9));
        serde_json::to_string(&result).unwrap()
    };
    assert_eq!(json_on(1), json_on(2));
}

#[test]
fn census_options_are_validated() {
    let f = load("himmelblau", &[]);
    let bad = |opts: CensusOptions, field: &str| {
        let err = census(f.as_ref(), &opts).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    };
    let base = CensusOptions::default;
    bad(
        CensusOptions {
            starts: 0,
            ..base()
        },
        "starts",
    );
    bad(
        CensusOptions {
            scale: Some(0.0),
            ..base()
        },
        "scale",
    );
    bad(
        CensusOptions {
            grad_tol: Some(f64::NAN),
            ..base()
        },
        "grad_tol",
    );
}

#[test]
fn cli_census_json_has_the_contract_fields() {
    let json = cli_json(&[
        "census",
        "--problem",
        "himmelblau",
        "--starts",
        "100",
        "--seed",
        "4",
        "--json",
    ]);
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 9);
    for p in points {
        for field in ["kind", "value", "x", "hits"] {
            assert!(p.get(field).is_some(), "point without `{field}`");
        }
    }
    assert_eq!(json["counts"]["global_min"], 4);
    assert_eq!(json["counts"]["strict_saddle"], 4);
    assert_eq!(json["counts"]["local_max"], 1);
}

#[test]
fn cli_census_bad_input_exits_2_with_one_line() {
    for (args, needle) in [
        (
            vec!["census", "--problem", "himmelblau", "--starts", "0"],
            "starts",
        ),
        (
            vec!["census", "--problem", "himmelblau", "--grad-tol", "0"],
            "grad_tol",
        ),
        (
            vec!["census", "--problem", "himmelblau", "--eig-tol", "inf"],
            "eig_tol",
        ),
        (
            vec!["census", "--problem", "himmelblau", "--scale", "-1"],
            "scale",
        ),
    ] {
        let out = landscape(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
