//! `landscape export`: f recomputed from the exported .npy files (here, independently of
//! the problem's own code) equals `landscape eval`'s value.

use std::path::Path;

use landscape::npy::read_npy;

use crate::common::{assert_bad_input, cli_json};

fn load(dir: &Path, name: &str) -> (Vec<usize>, Vec<f64>) {
    let a = read_npy(&dir.join(format!("{name}.npy"))).unwrap();
    (a.shape, a.data)
}

fn scalar(dir: &Path, name: &str) -> f64 {
    let (shape, data) = load(dir, name);
    assert!(shape.is_empty(), "{name} is a scalar");
    data[0]
}

/// Exports, checks the manifest against the files, and returns (directory, f from eval).
fn export(kind: &str, sets: &[&str], tag: &str) -> (std::path::PathBuf, f64) {
    let dir =
        std::env::temp_dir().join(format!("landscape-it-export-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = vec!["export", "--problem", kind, "--point", "random:1:3"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = dir.to_str().unwrap().to_string();
    args.extend(["--out", &out]);
    let manifest = cli_json(&args);
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest, on_disk);
    assert_eq!(manifest["provenance"]["problem"]["kind"], kind);
    for file in manifest["files"].as_array().unwrap() {
        let a = read_npy(&dir.join(file["file"].as_str().unwrap())).unwrap();
        let shape: Vec<usize> = serde_json::from_value(file["shape"].clone()).unwrap();
        assert_eq!(a.shape, shape, "{file}");
    }
    let mut eval = vec!["eval", "--problem", kind, "--point", "random:1:3", "--json"];
    for s in sets {
        eval.extend(["--set", s]);
    }
    let value = cli_json(&eval)["value"].as_f64().unwrap();
    assert_eq!(manifest["value"].as_f64().unwrap(), value);
    (dir, value)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
}

/// (UUᵀ)ᵢⱼ from a row-major n×r U.
fn uut(u: &[f64], r: usize, i: usize, j: usize) -> f64 {
    (0..r).map(|c| u[i * r + c] * u[j * r + c]).sum()
}

#[test]
fn matrix_completion_from_exported_csr() {
    let (dir, value) = export(
        "matrix_completion",
        &["n=30", "rank=2", "true_rank=2", "p=0.3"],
        "mc",
    );
    let (shape, u) = load(&dir, "x");
    let (n, r) = (shape[0], shape[1]);
    let (_, indptr) = load(&dir, "indptr");
    let (_, indices) = load(&dir, "indices");
    let (_, values) = load(&dir, "values");
    let (p, lambda, alpha) = (
        scalar(&dir, "p"),
        scalar(&dir, "lambda"),
        scalar(&dir, "alpha"),
    );
    assert_eq!(scalar(&dir, "n") as usize, n);
    let mut data = 0.0;
    for i in 0..n {
        for k in indptr[i] as usize..indptr[i + 1] as usize {
            let j = indices[k] as usize;
            data += (uut(&u, r, i, j) - values[k]).powi(2);
        }
    }
    let reg: f64 = (0..n)
        .map(|i| (uut(&u, r, i, i).sqrt() - alpha).max(0.0).powi(4))
        .sum();
    close(data / (4.0 * p) + lambda * reg, value);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn matrix_factorization_from_exported_target() {
    let (dir, value) = export("matrix_factorization", &["n=12", "rank=3"], "mf");
    let (shape, u) = load(&dir, "x");
    let (n, r) = (shape[0], shape[1]);
    let (_, m) = load(&dir, "m");
    let f: f64 = (0..n * n)
        .map(|k| (uut(&u, r, k / n, k % n) - m[k]).powi(2))
        .sum::<f64>()
        / 4.0;
    close(f, value);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn matrix_sensing_from_exported_measurements() {
    let (dir, value) = export(
        "matrix_sensing",
        &["n=6", "rank=2", "measurements=40"],
        "ms",
    );
    let (shape, u) = load(&dir, "x");
    let (n, r) = (shape[0], shape[1]);
    let (a_shape, a) = load(&dir, "a");
    let (_, y) = load(&dir, "y");
    let m = a_shape[0];
    let f: f64 = (0..m)
        .map(|s| {
            let inner: f64 = (0..n * n)
                .map(|k| a[s * n * n + k] * uut(&u, r, k / n, k % n))
                .sum();
            (inner - y[s]).powi(2)
        })
        .sum::<f64>()
        / (4.0 * m as f64);
    close(f, value);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_into_a_file_is_bad_input() {
    let file =
        std::env::temp_dir().join(format!("landscape-it-export-file-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    assert_bad_input(
        &[
            "export",
            "--problem",
            "quadratic",
            "--point",
            "zeros",
            "--out",
            file.to_str().unwrap(),
        ],
        &["--out", "directory"],
    );
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn every_shipped_problem_exports() {
    for kind in landscape::problems::KINDS {
        let (dir, _) = export(kind.name, &[], &format!("all-{}", kind.name));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A one-hidden-layer tanh network, squared loss: f = (1/2N) Σᵢ ‖W₂ tanh(W₁xᵢ + b₁) + b₂ − yᵢ‖²
/// from `inputs`, `targets` and the flat point (W1, b1, W2, b2, torch's order).
#[test]
fn mlp_from_exported_inputs_and_targets() {
    let (dir, value) = export(
        "mlp",
        &["samples=9", "inputs=3", "outputs=2", "widths=[4]"],
        "mlp",
    );
    let (x_shape, inputs) = load(&dir, "inputs");
    let (y_shape, targets) = load(&dir, "targets");
    let (_, theta) = load(&dir, "x");
    let (n, p, q, h) = (x_shape[0], x_shape[1], y_shape[1], 4);
    assert_eq!((n, p, q, y_shape[0]), (9, 3, 2, 9));
    let (w1, rest) = theta.split_at(h * p);
    let (b1, rest) = rest.split_at(h);
    let (w2, b2) = rest.split_at(q * h);
    let mut f = 0.0;
    for i in 0..n {
        let a: Vec<f64> = (0..h)
            .map(|j| {
                (b1[j]
                    + (0..p)
                        .map(|k| w1[j * p + k] * inputs[i * p + k])
                        .sum::<f64>())
                .tanh()
            })
            .collect();
        for o in 0..q {
            let out = b2[o] + (0..h).map(|j| w2[o * h + j] * a[j]).sum::<f64>();
            f += (out - targets[i * q + o]).powi(2);
        }
    }
    close(f / (2.0 * n as f64), value);
    std::fs::remove_dir_all(&dir).unwrap();
}
