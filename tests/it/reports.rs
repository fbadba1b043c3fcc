//! Every JSON report the CLI prints reads back into its library type and re-serialises
//! to the same JSON; the typed spec fields and the constructors' validation.

use std::path::Path;

use landscape::census::Census;
use landscape::classify::Classification;
use landscape::evaluate::{Evaluation, KindInfo, KnownPointReport};
use landscape::experiments::atlas::Atlas;
use landscape::experiments::bounds::BoundsReport;
use landscape::experiments::du2017::Du2017Report;
use landscape::experiments::escape::EscapeReport;
use landscape::experiments::kawaguchi::KawaguchiReport;
use landscape::experiments::safran_shamir::SafranShamirReport;
use landscape::optim::Trajectory;
use landscape::provenance::Provenance;
use landscape::spectrum::{Density, Spectrum};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// `text` → `T` → JSON equals the JSON of `text`; the `provenance` the command line
/// adds reads back into [`Provenance`] (a trajectory holds its own).
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, text: &str) {
    let mut original: Value = serde_json::from_str(text).unwrap();
    if let Some(p) = original.get("provenance") {
        let typed: Provenance = serde_json::from_value(p.clone())
            .unwrap_or_else(|e| panic!("{name}: provenance does not read back: {e}"));
        assert_eq!(
            &serde_json::to_value(typed).unwrap(),
            p,
            "{name}: provenance"
        );
    }
    let typed: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name}: does not read back into its type: {e}"));
    let again = serde_json::to_value(&typed).unwrap();
    if again.get("provenance").is_none() {
        original.as_object_mut().map(|o| o.remove("provenance"));
    }
    assert_eq!(original, again, "{name}: re-serialised JSON differs");
}

/// The recorded `--json` outputs of the CLI (`tests/golden`, checked against the CLI by
/// the golden test), each read back into the library type that printed it.
#[test]
fn every_json_report_reads_back_into_its_library_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = name.split('_').next().unwrap();
        match (kind, name.as_str()) {
            (_, "spectrum_density") => round_trip::<Density>(&name, &text),
            (_, "safran_shamir") => round_trip::<SafranShamirReport>(&name, &text),
            ("atlas", _) => round_trip::<Atlas>(&name, &text),
            ("bounds", _) => round_trip::<BoundsReport>(&name, &text),
            ("census", _) => round_trip::<Census>(&name, &text),
            ("classify", _) => round_trip::<Classification>(&name, &text),
            ("du2017", _) => round_trip::<Du2017Report>(&name, &text),
            ("escape", _) => round_trip::<EscapeReport>(&name, &text),
            ("eval", _) => round_trip::<Evaluation>(&name, &text),
            ("kawaguchi", _) => round_trip::<KawaguchiReport>(&name, &text),
            ("points", _) => round_trip::<Vec<KnownPointReport>>(&name, &text),
            ("run", _) => round_trip::<Trajectory>(&name, &text),
            ("spectrum", _) => round_trip::<Spectrum>(&name, &text),
            ("problems", _) => round_trip::<Vec<KindInfo>>(&name, &text),
            _ => panic!("{name}: no library type for this report"),
        }
        seen += 1;
    }
    assert!(seen >= 36, "only {seen} reports read");
}

#[test]
fn escape_reports_with_paths_read_back() {
    let out = super::common::landscape(&[
        "escape",
        "--problem",
        "saddle",
        "--from",
        "zeros",
        "--method",
        "pgd",
        "--trials",
        "2",
        "--max-iters",
        "50",
        "--lr",
        "0.1",
        "--noise-radius",
        "0.01",
        "--paths",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    round_trip::<EscapeReport>("escape --paths", &String::from_utf8_lossy(&out.stdout));
}

#[test]
fn listed_defaults_come_from_the_params_structs() {
    use landscape::problems::matrix_completion::MatrixCompletionParams;
    use landscape::problems::octopus::OctopusParams;
    use landscape::problems::{self, find_kind, Params, ProblemSpec};
    let fields = (find_kind("matrix_completion").unwrap().fields)();
    let default = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.default.clone())
            .unwrap()
    };
    assert_eq!(default("lambda"), "1");
    assert_eq!(default("true_rank"), "2");
    assert_eq!(default("seed"), "0");
    assert_eq!(MatrixCompletionParams::default().lambda, 1.0);
    assert_eq!(fields.len(), MatrixCompletionParams::FIELDS.len() + 1);
    // Typed parameters build the same instance as the spec they serialise to.
    let params = OctopusParams {
        d: Some(3),
        gamma: 0.5,
        ..OctopusParams::default()
    };
    let spec = ProblemSpec::from_params("octopus", &params).unwrap();
    assert_eq!(spec.params::<OctopusParams>().unwrap(), params);
    let f = problems::build(&spec).unwrap();
    assert_eq!(f.dim(), 3);
    // Wrong types keep the registry's words.
    let mut bad = spec.clone();
    bad.apply_override("gamma=\"x\"").unwrap();
    let err = problems::build(&bad).err().unwrap().to_string();
    assert!(
        err.contains("invalid field `gamma`: expected a number"),
        "{err}"
    );
}

/// Inputs that used to panic in the constructors are errors naming the field.
#[test]
fn constructors_reject_bad_sizes_and_values() {
    use landscape::problems::linear_net::LinearNet;
    use landscape::problems::matrix_completion::MatrixCompletion;
    use landscape::problems::octopus::Octopus;
    use landscape::problems::quadratic::Quadratic;
    use landscape::problems::quadratic_net::QuadraticNet;
    use landscape::problems::relu_net::ReluNet;
    use landscape::problems::tensor_decomposition::TensorDecomposition;
    use landscape::problems::tensor_factorization::TensorFactorization;
    use nalgebra::DMatrix;
    let names = |r: landscape::Result<()>, field: &str| {
        let err = r.expect_err("an error").to_string();
        assert!(err.contains(&format!("`{field}`")), "{err}");
    };
    names(
        Quadratic::new(DMatrix::zeros(2, 3), vec![0.0; 2]).map(drop),
        "a",
    );
    names(
        Quadratic::new(DMatrix::identity(2, 2), vec![0.0; 3]).map(drop),
        "b",
    );
    names(Quadratic::new(DMatrix::zeros(0, 0), vec![]).map(drop), "a");
    names(Octopus::new(0, 1.0, 1.0, 1.0).map(drop), "d");
    names(Octopus::new(2, -1.0, 1.0, 1.0).map(drop), "tau");
    names(Octopus::new(2, 1.0, f64::NAN, 1.0).map(drop), "l");
    names(Octopus::new(2, 1.0, 1.0, f64::INFINITY).map(drop), "gamma");
    names(ReluNet::new(0, &DMatrix::identity(2, 2)).map(drop), "n");
    names(ReluNet::new(2, &DMatrix::zeros(0, 2)).map(drop), "teacher");
    names(ReluNet::new(2, &DMatrix::zeros(2, 2)).map(drop), "teacher");
    let x = DMatrix::identity(2, 2);
    names(LinearNet::new(vec![2], &x, &x, None).map(drop), "widths");
    names(
        LinearNet::new(vec![2, 0, 2], &x, &x, None).map(drop),
        "widths",
    );
    names(LinearNet::new(vec![3, 2], &x, &x, None).map(drop), "x");
    names(LinearNet::new(vec![2, 3], &x, &x, None).map(drop), "y");
    let teacher = DMatrix::identity(2, 2);
    names(
        QuadraticNet::new(teacher.clone(), vec![], 0.0, None).map(drop),
        "a",
    );
    names(
        QuadraticNet::new(teacher.clone(), vec![1.0], -1.0, None).map(drop),
        "weight_decay",
    );
    names(
        QuadraticNet::new(teacher.clone(), vec![1.0], 0.0, Some(DMatrix::zeros(3, 4))).map(drop),
        "inputs",
    );
    names(
        TensorDecomposition::new(DMatrix::identity(1, 1), 1).map(drop),
        "a",
    );
    names(
        TensorDecomposition::new(DMatrix::identity(3, 3), 0).map(drop),
        "rank",
    );
    names(
        TensorDecomposition::new(DMatrix::from_element(3, 3, 1.0), 1).map(drop),
        "a",
    );
    let u = DMatrix::identity(2, 3);
    names(TensorFactorization::new(&u, 1, 5).map(drop), "order");
    names(TensorFactorization::new(&u, 0, 3).map(drop), "rank");
    names(
        TensorFactorization::new(&DMatrix::zeros(0, 3), 1, 3).map(drop),
        "u_star",
    );
    names(
        MatrixCompletion::new(3, 0, &[], 0.5, 1.0, 1.0).map(drop),
        "rank",
    );
    names(
        MatrixCompletion::new(3, 1, &[], 0.0, 1.0, 1.0).map(drop),
        "p",
    );
    names(
        MatrixCompletion::new(3, 1, &[], 0.5, -1.0, 1.0).map(drop),
        "lambda",
    );
    names(
        MatrixCompletion::new(3, 1, &[], 0.5, 1.0, f64::NAN).map(drop),
        "alpha",
    );
    names(
        MatrixCompletion::new(3, 1, &[(3, 0, 1.0)], 0.5, 1.0, 1.0).map(drop),
        "observed",
    );
    names(
        MatrixCompletion::new(3, 1, &[(0, 1, 1.0), (1, 0, 1.0)], 0.5, 1.0, 1.0).map(drop),
        "observed",
    );
    names(
        MatrixCompletion::generated(3, 1, 4, 0.5, 1.0, None, 0).map(drop),
        "true_rank",
    );
    names(
        MatrixCompletion::generated(0, 1, 1, 0.5, 1.0, None, 0).map(drop),
        "n",
    );
}
