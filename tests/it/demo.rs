//! `landscape demo --quick` end to end into a temporary directory: every picture the
//! generated README.md embeds exists and decodes; a missing parent of --out is refused.

use crate::common;

use common::{assert_bad_input, assert_png_picture, landscape};

#[test]
fn quick_demo_renders_every_picture_of_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gallery");
    let run = landscape(&["demo", "--quick", "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let index = std::fs::read_to_string(out.join("README.md")).unwrap();
    let files: Vec<&str> = index
        .lines()
        .filter_map(|l| l.strip_prefix("!["))
        .filter_map(|l| l.split("](").nth(1))
        .map(|l| l.trim_end_matches(')'))
        .collect();
    assert!(files.len() >= 5, "{index}");
    for file in &files {
        assert_png_picture(&out.join(file), landscape::demo::SIZE);
    }
    // Nothing else was written (no temporary files left behind).
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    expected.push("README.md".into());
    expected.sort();
    assert_eq!(written, expected);
}

#[test]
fn a_missing_parent_of_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/gallery");
    assert_bad_input(
        &["demo", "--quick", "--out", out.to_str().unwrap()],
        &["out", "existing directory"],
    );
    assert!(!dir.path().join("no").exists());
}
