//! The Hessian spectrum: closed forms, dense against Lanczos, symmetry and sphere
//! reductions, the spectral density and trace estimators, and bad input.

use landscape::problems;
use landscape::spectrum::{hessian_spectrum, Method, SpectrumOptions};

fn quadratic(eigenvalues: &[f64], seed: u64) -> Box<dyn landscape::Objective> {
    let list: Vec<String> = eigenvalues.iter().map(|v| format!("{v:?}")).collect();
    let (_, f) = problems::load(
        "quadratic",
        &[
            format!("eigenvalues = [{}]", list.join(", ")),
            format!("seed = {seed}"),
            format!("b = [{}]", vec!["0.0"; eigenvalues.len()].join(", ")),
        ],
    )
    .unwrap();
    f
}

#[test]
fn dense_eigenvalues_of_a_quadratic_are_its_spectrum() {
    // A = Q diag(λ) Qᵀ with Q Haar-random: the Hessian's eigenvalues are exactly λ.
    let lambda = [-3.0, -0.5, 0.0, 0.25, 1.0, 2.0, 7.5];
    let f = quadratic(&lambda, 11);
    let opts = SpectrumOptions {
        method: Method::Dense,
        k: 7,
        with_vectors: true,
        ..Default::default()
    };
    let s = hessian_spectrum(f.as_ref(), &[0.3; 7], &opts).unwrap();
    assert_eq!(s.method, Method::Dense);
    assert!(s.complete && s.converged);
    assert_eq!((s.reduced_dim, s.symmetry_modes), (7, 0));
    for (got, want) in s.eigenvalues.iter().zip(lambda) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    assert_eq!(s.smallest.len(), 7);
    for pair in &s.smallest {
        assert!(pair.residual < 1e-12);
        let v = pair.vector.as_ref().unwrap();
        let mut hv = vec![0.0; 7];
        f.hvp(&[0.0; 7], v, &mut hv);
        let r: f64 = hv
            .iter()
            .zip(v)
            .map(|(h, v)| (h - pair.value * v).powi(2))
            .sum();
        assert!(r.sqrt() < 1e-12);
    }
}
