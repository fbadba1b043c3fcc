//! The point syntax (`--point`, `--start`, `--direction`: [`resolve_point`]) on four
//! problems (rosenbrock; an mlp, which has initialisations; tensor_decomposition, on
//! spheres; an expression with known points). The first byte picks the problem, the
//! second the form: the rest of the input is the argument itself (`zeros`, `name:…`,
//! `random:…`, `init:…`, a JSON list; an argument that would name a file is skipped),
//! or the contents of a `.json` or a `.npy` file whose path is the argument. What is
//! accepted has the problem's dimension and finite entries.
#![no_main]

use std::path::PathBuf;

use landscape::point::resolve_point;
use landscape::problems;
use landscape::Objective;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static PROBLEMS: Vec<Box<dyn Objective>> = ["rosenbrock", "mlp", "tensor_decomposition", "expression"]
        .iter()
        .map(|name| problems::load(name, &[]).expect("a shipped spec builds").1)
        .collect();
    static DIR: PathBuf = {
        let dir = std::env::temp_dir().join(format!("landscape-fuzz-point-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    };
}

fuzz_target!(|data: &[u8]| {
    let [which, form, rest @ ..] = data else {
        return;
    };
    let arg = match form % 3 {
        0 => {
            let Ok(arg) = std::str::from_utf8(rest) else {
                return;
            };
            let inline = ["name:", "random:", "init:"]
                .iter()
                .any(|p| arg.starts_with(p))
                || arg == "zeros"
                || arg.trim_start().starts_with('[');
            if !inline {
                return;
            }
            arg.to_string()
        }
        form => {
            let file = DIR.with(|dir| dir.join(if form == 1 { "point.json" } else { "point.npy" }));
            std::fs::write(&file, rest).expect("write the point file");
            file.to_str().expect("a UTF-8 path").to_string()
        }
    };
    PROBLEMS.with(|problems| {
        let f = problems[*which as usize % problems.len()].as_ref();
        if let Ok(x) = resolve_point(&arg, f, "point") {
            assert_eq!(x.len(), f.dim());
            assert!(x.iter().all(|v| v.is_finite()));
            let _ = f.value(&x);
        }
    });
});
