//! Issue 17: every failure class the fuzzer (`fuzz/fuzz.py`) found — hangs, allocation
//! aborts, segfaults, panics, partial output, silently accepted input, multi-line
//! messages — is now one clean line and exit 2 (or a correct result).

use std::path::PathBuf;

use crate::common::{assert_bad_input, landscape};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("landscape-robust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn huge_sizes_are_refused_before_allocating_with_the_memory_they_would_take() {
    // Wrapping n·n used to give a small buffer written out of bounds (a segfault).
    for n in ["4294967296", "9223372036854775807"] {
        assert_bad_input(
            &[
                "eval",
                "--problem",
                "matrix_factorization",
                "--set",
                &format!("n={n}"),
                "--point",
                "zeros",
            ],
            &["`n`", "memory budget", "would take"],
        );
    }
    for (kind, field) in [
        ("relu_net", "k=4294967296"),
        ("linear_net", "widths=[3, 4294967296, 2]"),
        ("matrix_factorization", "rank=1000000"),
        ("tensor_factorization", "n=100000"),
        ("matrix_sensing", "n=100000"),
    ] {
        assert_bad_input(
            &[
                "eval",
                "--problem",
                kind,
                "--set",
                field,
                "--point",
                "zeros",
            ],
            &["memory budget", "would take"],
        );
    }
    assert_bad_input(
        &[
            "census",
            "--problem",
            "rosenbrock",
            "--starts",
            "100000000000000",
        ],
        &["`starts`", "would take"],
    );
    assert_bad_input(
        &[
            "bounds",
            "--problem",
            "quadratic",
            "--iters",
            "1000000000000",
        ],
        &["`iters`", "would take"],
    );
    assert_bad_input(
        &["layers", "--problem", "mlp", "--set", "outputs=1000000"],
        &["`outputs`", "would take"],
    );
    assert_bad_input(
        &[
            "run",
            "--problem",
            "rosenbrock",
            "--optimizer",
            "lbfgs",
            "--memory",
            "4294967296",
        ],
        &["memory", "would take"],
    );
    assert_bad_input(
        &["experiment", "du2017", "--dims", "1000000000"],
        &["dims", "would take"],
    );
}

#[test]
fn a_run_whose_records_would_outgrow_memory_is_refused_and_record_every_fixes_it() {
    let run = [
        "run",
        "--problem",
        "rosenbrock",
        "--optimizer",
        "gd",
        "--lr",
        "1e-4",
    ];
    let long = [&run[..], &["--iters", "100000000000"]].concat();
    assert_bad_input(&long, &["record-every", "GiB", "100000000002 records"]);
    let sparse = [
        &long[..],
        &[
            "--record-every",
            "1000000000",
            "--grad-tol",
            "1e-2",
            "--json",
        ],
    ]
    .concat();
    let out = landscape(&sparse);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unbounded_inputs_are_bounded() {
    // Reading /dev/zero as a point used to read forever.
    assert_bad_input(
        &["eval", "--problem", "rosenbrock", "--point", "/dev/zero"],
        &["/dev/zero", "longer than 1.0 GiB"],
    );
    // An infinite axis width used to spin in the tick loop.
    let dir = scratch("range");
    let png = dir.join("y.png");
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "rosenbrock",
            "--range",
            "1e308",
            "--out",
            png.to_str().unwrap(),
        ],
        &["range", "finite width", "found 1e308"],
    );
    assert!(!png.exists());
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "rosenbrock",
            "--alpha=-1e308,1e308",
            "--out",
            png.to_str().unwrap(),
        ],
        &["alpha", "finite width"],
    );
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "rosenbrock",
            "--contour",
            "--levels",
            "18446744073709551615",
            "--out",
            png.to_str().unwrap(),
        ],
        &["levels", "at most 1000"],
    );
}

#[test]
fn no_panic_on_extreme_experiment_options() {
    assert_bad_input(
        &["experiment", "du2017", "--init-radius", "1e308"],
        &["init-radius", "finite width"],
    );
    // The default step 1/(4L) overflows: the message names L, the flag given.
    assert_bad_input(
        &["experiment", "du2017", "--l", "1e-320"],
        &["`l`", "1e-320"],
    );
}

#[test]
fn no_verdict_on_non_finite_evidence() {
    assert_bad_input(
        &["classify", "--problem", "saddle", "--point", "[1e200, 0]"],
        &["classify", "‖∇f‖ = inf", "non-finite"],
    );
}

#[test]
fn a_run_that_diverged_reports_it_instead_of_failing() {
    // f stays finite (≈1e197) while ∇f overflows: the run diverged, the command succeeds.
    let args = [
        "run",
        "--problem",
        "rosenbrock",
        "--optimizer",
        "gd",
        "--lr",
        "0.1",
        "--iters",
        "200",
        "--classify-final",
        "--init",
        "[3, 3]",
    ];
    let out = landscape(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("verdict      none: the run diverged"),
        "{stdout}"
    );
}

#[test]
fn invalid_input_is_refused_not_dropped() {
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "rosenbrock",
            "--set",
            "kind=5",
            "--point",
            "zeros",
        ],
        &["`kind`", "found 5"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "rosenbrock",
            "--set",
            "seed=-1",
            "--point",
            "zeros",
        ],
        &["`seed`", "non-negative integer"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "matrix_factorization",
            "--set",
            "n=2",
            "--set",
            "m=[[1, 0], [0, 1]]",
            "--set",
            "true_rank=1",
            "--point",
            "zeros",
        ],
        &["`true_rank`", "with `m`"],
    );
    assert_bad_input(
        &[
            "spectrum",
            "--problem",
            "saddle",
            "--point",
            "zeros",
            "--density",
            "--tol",
            "1",
        ],
        &["--density", "--tol"],
    );
    assert_bad_input(
        &[
            "spectrum",
            "--problem",
            "saddle",
            "--point",
            "zeros",
            "--probes",
            "3",
        ],
        &["--density"],
    );
    let png = scratch("d1").join("x.png");
    assert_bad_input(
        &[
            "plot",
            "slice",
            "--problem",
            "rosenbrock",
            "--directions",
            "coordinates",
            "--d1",
            "[1,",
            "--out",
            png.to_str().unwrap(),
        ],
        &["directions", "--d1"],
    );
    // μ = 0 is plain gradient descent, as the help's μ ∈ [0, 1) says.
    let out = landscape(&[
        "run",
        "--problem",
        "saddle",
        "--optimizer",
        "nesterov",
        "--momentum",
        "0",
        "--lr",
        "0.1",
        "--iters",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn messages_are_one_line() {
    // The argument parser's errors (were 3–5 lines), with its tip and usage kept.
    assert_bad_input(
        &["eval", "--problem", "saddle", "--pont", "zeros"],
        &[
            "unexpected argument '--pont'",
            "'--point'",
            "usage: landscape eval",
        ],
    );
    // A negative number is a value.
    assert_bad_input(
        &[
            "run",
            "--problem",
            "saddle",
            "--optimizer",
            "gd",
            "--lr",
            "-1",
        ],
        &["`lr`", "found -1"],
    );
    let dir = scratch("toml");
    let spec = dir.join("nl.toml");
    std::fs::write(&spec, "kind = \"rosen\\nbrock\"\n").unwrap();
    assert_bad_input(
        &["points", "--problem", spec.to_str().unwrap()],
        &["rosen\\nbrock"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "matrix_factorization",
            "--set",
            "n=1979-05-27",
            "--point",
            "zeros",
        ],
        &["found 1979-05-27"],
    );
    assert_bad_input(
        &["experiment", "du2017", "--tolerance", "1e-400"],
        &["tolerance"],
    );
}

#[test]
fn a_multi_file_report_is_written_whole_or_not_at_all() {
    // atlas.png cannot be written (a directory is in its way): no atlas.json either.
    let dir = scratch("atlas");
    std::fs::create_dir(dir.join("atlas.png")).unwrap();
    let out = landscape(&[
        "atlas",
        "--runs",
        "1",
        "--only",
        "linear_net_2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("atlas.json").exists());
    assert!(!dir.join("atlas.svg").exists());
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

/// Runs `landscape` with `args` under a file-size limit of `kib` KiB (`ulimit -f`, in
/// 512-byte blocks in POSIX `sh`): a write past it fails with EFBIG instead of killing
/// the process, since the ignored SIGXFSZ is inherited across `exec`. One thread, so
/// that the gallery's pictures are rendered in index order.
#[cfg(unix)]
fn landscape_with_file_limit(kib: u32, args: &[&str]) -> std::process::Output {
    landscape_under_limit(&format!("-f {}", 2 * kib), args)
}

/// Runs `landscape` with `args` under `ulimit LIMIT` (e.g. `-v 262144`), on one thread.
#[cfg(unix)]
fn landscape_under_limit(limit: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", r#"trap '' XFSZ; ulimit $1; shift; exec "$@""#, "sh"])
        .arg(limit)
        .arg(env!("CARGO_BIN_EXE_landscape"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("run landscape under sh")
}

/// Exit 2 and one `error:` line saying that writing `file` (the destination, not a
/// temporary name) failed with EFBIG.
#[cfg(unix)]
fn assert_refused_write(run: &std::process::Output, file: &str) {
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot write"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains(file), "{stderr}");
    assert!(
        !stderr.contains("staging") && !stderr.contains(".tmp"),
        "{stderr}"
    );
}

#[cfg(unix)]
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_demo_whose_write_fails_part_way_leaves_nothing_behind() {
    // 128 KiB: the gallery's first picture (escape_matrix_factorization.png, ~75 KiB) is
    // written into the staging directory, the second (saddle_gd_pgd.png, ~185 KiB) is
    // refused part-way through its write.
    let dir = scratch("demo-efbig");
    let out = dir.join("gallery");
    let args = ["demo", "--quick", "--out", out.to_str().unwrap()];
    assert_refused_write(
        &landscape_with_file_limit(128, &args),
        "gallery/saddle_gd_pgd.png",
    );
    // Neither the gallery nor its staging directory.
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
    // An existing gallery is left as it was.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("README.md"), "the old index").unwrap();
    assert_refused_write(
        &landscape_with_file_limit(128, &args),
        "gallery/saddle_gd_pgd.png",
    );
    assert_eq!(listing(&dir), ["gallery"]);
    assert_eq!(listing(&out), ["README.md"]);
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "the old index"
    );
}

#[cfg(unix)]
#[test]
fn an_atlas_whose_write_fails_part_way_leaves_nothing_behind() {
    // 16 KiB: atlas.json (~1 KiB) is written to its temporary file, atlas.png (~45 KiB)
    // is refused; the temporary atlas.json goes too.
    let dir = scratch("atlas-efbig");
    let args = [
        "atlas",
        "--runs",
        "1",
        "--only",
        "linear_net_2",
        "--out",
        dir.to_str().unwrap(),
    ];
    assert_refused_write(&landscape_with_file_limit(16, &args), "atlas.png");
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
}

#[cfg(unix)]
#[test]
fn a_long_json_point_is_read_in_the_memory_of_the_point() {
    // 10⁷ entries (20 MB of text): as a JSON value tree they took 320 MB, an allocation
    // abort under a 256 MiB address space; read entry by entry, a length error.
    let dir = scratch("json-point");
    let file = dir.join("long.json");
    std::fs::write(&file, format!("[{}0]", "0,".repeat(9_999_999))).unwrap();
    let run = landscape_under_limit(
        "-v 262144",
        &[
            "eval",
            "--problem",
            "rosenbrock",
            "--point",
            file.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: point has length 10000000, expected 2 (the problem's dimension)"
    );
    // The other forms still read: final.x of a trajectory, fields around it skipped.
    std::fs::write(
        &file,
        r#"{"records": [{"x": [5, 5]}], "final": {"value": 1, "x": [1, 1e-3]}, "n": {}}"#,
    )
    .unwrap();
    let run = landscape(&[
        "eval",
        "--problem",
        "rosenbrock",
        "--point",
        file.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_bad_input(
        &["eval", "--problem", "rosenbrock", "--point", r#"[1, "a"]"#],
        &["entry 1 to be a number"],
    );
}

#[test]
fn an_overlong_formula_is_refused_in_one_short_line() {
    // A 1 GiB formula in a spec file took about 1.5 KiB of memory per operand.
    let dir = scratch("long-formula");
    let spec = dir.join("long.toml");
    let formula = "x+".repeat(100_000) + "x";
    std::fs::write(&spec, format!("kind = \"expression\"\nf = \"{formula}\"\n")).unwrap();
    let run = landscape(&[
        "eval",
        "--problem",
        spec.to_str().unwrap(),
        "--point",
        "zeros",
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("200001 bytes long, more than the 131072"),
        "{stderr}"
    );
    assert!(stderr.len() < 400, "{stderr}");
}

#[test]
fn a_spec_file_is_refused_past_16_mib_before_it_is_parsed() {
    // Parsed, TOML took 100 bytes per byte of text: a 1 GiB spec (the input limit) would
    // have taken 100 GiB; 10 MB took 1 GB and 15 s.
    let dir = scratch("long-spec");
    let spec = dir.join("long.toml");
    let entries = "0,".repeat(8 << 20);
    std::fs::write(
        &spec,
        format!("kind = \"quadratic\"\neigenvalues = [{entries}0]\n"),
    )
    .unwrap();
    assert_bad_input(
        &[
            "eval",
            "--problem",
            spec.to_str().unwrap(),
            "--point",
            "zeros",
        ],
        &["longer than 16.0 MiB, the most a problem spec (data: a .npy file) may hold"],
    );
}
