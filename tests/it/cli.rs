//! The command-line tool end to end: outputs, and one clear line with exit code 2 for
//! every kind of bad input.

use crate::common;

use common::{assert_bad_input, cli_json as json, landscape};

use std::path::Path;

use landscape::problems;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn eval_json_has_the_contract_fields_and_the_right_numbers() {
    // f(x) = ½xᵀAx − bᵀx with A = diag(2, −1), b = (1, 0): at x = (1, 1),
    // f = ½(2 − 1) − 1 = −½, ∇f = (2·1 − 1, −1) = (1, −1), ∇²f·(1, 2) = (2, −2).
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "q.toml",
        "kind = \"quadratic\"\na = [[2, 0], [0, -1]]\nb = [1, 0]\n",
    );
    let out = json(&[
        "eval",
        "--problem",
        &spec,
        "--point",
        "[1, 1]",
        "--hvp",
        "[1, 2]",
        "--json",
    ]);
    assert_eq!(out["dim"], 2);
    assert!((out["value"].as_f64().unwrap() + 0.5).abs() < 1e-15);
    assert_eq!(out["gradient"], serde_json::json!([1.0, -1.0]));
    assert!((out["grad_norm"].as_f64().unwrap() - 2f64.sqrt()).abs() < 1e-15);
    assert_eq!(out["hvp"], serde_json::json!([2.0, -2.0]));
    let no_hvp = json(&["eval", "--problem", &spec, "--point", "zeros", "--json"]);
    assert!(no_hvp.get("hvp").is_none());
}

#[test]
fn points_json_lists_the_stationary_point() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "q.toml",
        "kind = \"quadratic\"\na = [[2, 0], [0, -1]]\nb = [1, 0]\n",
    );
    let out = json(&["points", "--problem", &spec, "--json"]);
    let p = &out[0];
    assert_eq!(p["name"], "stationary");
    assert_eq!(p["kind"], "strict_saddle");
    assert_eq!(p["x"], serde_json::json!([0.5, 0.0]));
    assert!((p["value"].as_f64().unwrap() + 0.25).abs() < 1e-15);
}

#[test]
fn points_can_be_read_from_json_and_npy_files() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "q.toml",
        "kind = \"quadratic\"\na = [[2, 0], [0, -1]]\n",
    );
    let obj = write(dir.path(), "p.json", "{\"x\": [1.0, 3.0]}");
    let npy = dir.path().join("p.npy");
    std::fs::write(&npy, landscape::npy::to_npy_bytes(&[2], &[1.0, 3.0])).unwrap();
    for point in [obj.as_str(), npy.to_str().unwrap(), "[1.0, 3.0]"] {
        let out = json(&["eval", "--problem", &spec, "--point", point, "--json"]);
        assert_eq!(
            out["gradient"],
            serde_json::json!([2.0, -3.0]),
            "point {point}"
        );
    }
}

#[test]
fn a_float32_fortran_npy_point_is_converted_and_said_so_when_verbose() {
    let dir = tempfile::tempdir().unwrap();
    // np.save of np.asfortranarray(np.float32([[1, 2], [3, 4]])): column-major float32.
    let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let padded = format!("{header:<117}\n");
    bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
    bytes.extend_from_slice(padded.as_bytes());
    for v in [1.0f32, 3.0, 2.0, 4.0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let npy = dir.path().join("p.npy");
    std::fs::write(&npy, bytes).unwrap();
    let point = npy.to_str().unwrap();
    let spec = write(
        dir.path(),
        "q.toml",
        "kind = \"quadratic\"\na = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]\n",
    );
    let args = ["eval", "--problem", &spec];
    for verbose in [false, true] {
        let mut call: Vec<&str> = args.to_vec();
        call.extend(["--point", point, "--json"]);
        if verbose {
            call.push("--verbose");
        }
        let out = landscape(&call);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // f = ½‖x‖² with A = I: the gradient is the point, in C order.
        assert_eq!(report["gradient"], serde_json::json!([1.0, 2.0, 3.0, 4.0]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr.contains("float32 entries widened to float64")
            && stderr.contains("Fortran (column-major) order rearranged to C order");
        assert_eq!(said, verbose, "verbose {verbose}: stderr {stderr}");
    }
}

#[test]
fn set_overrides_a_field_and_data_can_live_in_npy_next_to_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.npy"),
        landscape::npy::to_npy_bytes(&[2, 2], &[3.0, 0.0, 0.0, 5.0]),
    )
    .unwrap();
    let spec = write(
        dir.path(),
        "q.toml",
        "kind = \"quadratic\"\na = \"a.npy\"\n",
    );
    let out = json(&[
        "eval",
        "--problem",
        &spec,
        "--set",
        "b=[3, 5]",
        "--point",
        "[1, 1]",
        "--json",
    ]);
    assert_eq!(out["gradient"], serde_json::json!([0.0, 0.0]));
}

#[test]
fn problems_json_lists_every_kind_with_fields_and_layout() {
    let out = json(&["problems", "--json"]);
    let kinds: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, landscape::problems::kind_names());
    for k in out.as_array().unwrap() {
        assert!(k["dim"].as_u64().unwrap() > 0);
        assert!(!k["layout"].as_str().unwrap().is_empty());
        assert!(k["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "seed"));
    }
    let text = landscape(&["problems"]);
    assert!(text.status.success());
}

#[test]
fn help_explains_every_subcommand() {
    for sub in ["problems", "eval", "points"] {
        let out = landscape(&[sub, "--help"]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn unknown_kind() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", "kind = \"no_such_kind\"\n");
    assert_bad_input(
        &["eval", "--problem", &spec, "--point", "zeros"],
        &["unknown problem kind `no_such_kind`", "quadratic"],
    );
    assert_bad_input(
        &["points", "--problem", "no_such_spec"],
        &["no problem spec `no_such_spec`"],
    );
}

#[test]
fn unknown_field() {
    assert_bad_input(
        &["points", "--problem", "quadratic", "--set", "bogus=1"],
        &["unknown field `bogus`", "eigenvalues"],
    );
}

#[test]
fn missing_field() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", "kind = \"quadratic\"\n");
    assert_bad_input(&["points", "--problem", &spec], &["missing field `a`"]);
    let no_kind = write(dir.path(), "k.toml", "a = [[1]]\n");
    assert_bad_input(
        &["points", "--problem", &no_kind],
        &["missing field `kind`"],
    );
}

#[test]
fn wrong_shape_of_inline_data() {
    let dir = tempfile::tempdir().unwrap();
    let ragged = write(
        dir.path(),
        "r.toml",
        "kind = \"quadratic\"\na = [[1, 2], [3]]\n",
    );
    assert_bad_input(
        &["points", "--problem", &ragged],
        &["invalid field `a`", "row 1 of length 1"],
    );
    let b = write(
        dir.path(),
        "b.toml",
        "kind = \"quadratic\"\na = [[1, 0], [0, 1]]\nb = [1, 2, 3]\n",
    );
    assert_bad_input(
        &["points", "--problem", &b],
        &["invalid field `b`", "length 2"],
    );
    assert_bad_input(
        &["points", "--problem", "quadratic", "--set", "eigenvalues=3"],
        &["invalid field `eigenvalues`"],
    );
    assert_bad_input(
        &["points", "--problem", "quadratic", "--set", "seed=-1"],
        &["invalid field `seed`", "non-negative integer"],
    );
}

#[test]
fn non_finite_data() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "n.toml",
        "kind = \"quadratic\"\na = [[1, 0], [0, 1]]\nb = [nan, 0]\n",
    );
    assert_bad_input(
        &["points", "--problem", &spec],
        &["non-finite", "`b`", "index 0"],
    );
    assert_bad_input(
        &[
            "points",
            "--problem",
            "quadratic",
            "--set",
            "eigenvalues=[1, inf, 2]",
        ],
        &["non-finite", "index 1"],
    );
}

#[test]
fn point_of_the_wrong_length_or_form() {
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", "[1, 2]"],
        &["point has length 2, expected 3"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "quadratic",
            "--point",
            "zeros",
            "--hvp",
            "[1]",
        ],
        &["hvp direction has length 1"],
    );
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", "name:nowhere"],
        &["unknown point `nowhere`", "stationary"],
    );
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", "random:x:1"],
        &["random:<scale>:<seed>"],
    );
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", "[1, null, 2]"],
        &["entry 1"],
    );
}

#[test]
fn unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    assert_bad_input(
        &["points", "--problem", missing.to_str().unwrap()],
        &["cannot read", "missing.toml"],
    );
    let bad_toml = write(dir.path(), "bad.toml", "kind = \n");
    assert_bad_input(
        &["points", "--problem", &bad_toml],
        &["cannot parse problem spec"],
    );
    let bad_npy = write(dir.path(), "bad.npy", "not numpy");
    let spec = write(
        dir.path(),
        "s.toml",
        "kind = \"quadratic\"\na = \"bad.npy\"\n",
    );
    assert_bad_input(
        &["points", "--problem", &spec],
        &["bad.npy", "not a .npy file"],
    );
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", &bad_npy],
        &["not a .npy file"],
    );
    let garbage = write(dir.path(), "p.json", "{nope");
    assert_bad_input(
        &["eval", "--problem", "quadratic", "--point", &garbage],
        &["cannot parse point file"],
    );
    let absent = dir.path().join("absent.json");
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "quadratic",
            "--point",
            absent.to_str().unwrap(),
        ],
        &["no such file"],
    );
}

#[test]
fn set_replaces_a_conflicting_shipped_field_and_says_so() {
    // The shipped quadratic is generated from `eigenvalues` (and `seed`); giving `a`
    // replaces both, with a note, and f is the given quadratic's.
    let out = landscape(&[
        "eval",
        "--problem",
        "quadratic",
        "--set",
        "a=[[2, 1], [1, 3]]",
        "--set",
        "b=[0, 0]",
        "--point",
        "[1, -1]",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // ½ xᵀAx at x = (1, −1): ½(2 − 2 + 3) = 1.5.
    assert_eq!(json["value"].as_f64().unwrap(), 1.5);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for field in ["`eigenvalues`", "`seed`"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("note: --set a replaces") && l.contains(field)),
            "{stderr}"
        );
    }
    // The provenance records the spec as built: no `eigenvalues`.
    assert!(json["provenance"]["problem"].get("eigenvalues").is_none());
    // Both given by the user: still a conflict.
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "quadratic",
            "--set",
            "eigenvalues=[1, 2]",
            "--set",
            "a=[[2, 1], [1, 3]]",
            "--point",
            "zeros",
        ],
        &["`a`", "not both"],
    );
    // A spec's own data replaced the other way: linear_net's generated `samples` by x, y.
    let (spec, f) = problems::load(
        "linear_net",
        &[
            "widths=[2, 1]".into(),
            "x=[[1, 0], [0, 1]]".into(),
            "y=[[1, 1]]".into(),
        ],
    )
    .unwrap();
    assert_eq!(f.dim(), 2);
    let replaced: Vec<&str> = spec.replaced().iter().map(|r| r.field.as_str()).collect();
    assert_eq!(replaced, ["samples", "seed"]);
}
