//! `landscape plot trace` and the plotting foundation: pictures that decode, have the
//! requested size and are not blank; bad output paths are refused before anything is
//! written.

use crate::common;

use common::{assert_bad_input, assert_png_picture, assert_svg_picture, landscape};

fn write_run(dir: &std::path::Path, optimizer: &str, lr: &str) -> String {
    let path = dir.join(format!("{optimizer}.json"));
    let out = landscape(&[
        "run",
        "--problem",
        "rosenbrock",
        "--optimizer",
        optimizer,
        "--lr",
        lr,
        "--iters",
        "300",
        "--init",
        "[-1.2,1]",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.to_str().unwrap().to_string()
}

#[test]
fn trace_renders_png_and_svg_of_several_runs() {
    let dir = tempfile::tempdir().unwrap();
    let gd = write_run(dir.path(), "gd", "0.001");
    let adam = write_run(dir.path(), "adam", "0.01");
    for (name, check) in [
        (
            "trace.png",
            assert_png_picture as fn(&std::path::Path, (u32, u32)),
        ),
        ("trace.svg", assert_svg_picture),
    ] {
        let picture = dir.path().join(name);
        let out = landscape(&[
            "plot",
            "trace",
            &gd,
            &adam,
            "--out",
            picture.to_str().unwrap(),
            "--width",
            "640",
            "--height",
            "480",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check(&picture, (640, 480));
    }
}

#[test]
fn bad_output_paths_and_trajectories_are_refused_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let gd = write_run(dir.path(), "gd", "0.001");
    let gif = dir.path().join("trace.gif");
    assert_bad_input(
        &["plot", "trace", &gd, "--out", gif.to_str().unwrap()],
        &["out", ".png or .svg"],
    );
    assert!(!gif.exists());
    let missing = dir.path().join("no/such/dir/trace.png");
    assert_bad_input(
        &["plot", "trace", &gd, "--out", missing.to_str().unwrap()],
        &["out", "existing directory"],
    );
    let png = dir.path().join("trace.png");
    let not_a_run = dir.path().join("nothing.json");
    std::fs::write(&not_a_run, "{\"points\": []}").unwrap();
    assert_bad_input(
        &[
            "plot",
            "trace",
            not_a_run.to_str().unwrap(),
            "--out",
            png.to_str().unwrap(),
        ],
        &["trajectory", "run --json"],
    );
    assert!(!png.exists());
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        entries.len(),
        2,
        "only the run and the bad file: {entries:?}"
    );
}
