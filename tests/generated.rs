//! The committed man pages and completion scripts must be what the code generates today.

use std::path::Path;

use crate::util::{TestDir, run_picoauth};

const REFRESH: &str = "cargo run -- generate-docs .";

#[test]
fn committed_man_pages_and_completions_are_current() {
    let dir = TestDir::new();
    let target = dir.path().to_str().expect("temp dir path is UTF-8");
    run_picoauth(&["generate-docs", target]).assert_code(0);
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["man", "completions"] {
        let generated = dir.path().join(folder);
        let committed = repository.join(folder);
        let mut names: Vec<_> = std::fs::read_dir(&generated)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", generated.display()))
            .map(|entry| entry.expect("directory entry").file_name())
            .collect();
        names.sort();
        assert!(!names.is_empty(), "nothing was generated into {folder}/");
        for name in names {
            let fresh = std::fs::read(generated.join(&name)).expect("generated file");
            let stale = std::fs::read(committed.join(&name)).unwrap_or_default();
            assert!(
                fresh == stale,
                "{folder}/{} is missing or out of date; run `{REFRESH}` and commit the result",
                name.to_string_lossy()
            );
        }
    }
}

#[test]
fn completions_print_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = run_picoauth(&["completions", shell]);
        run.assert_code(0);
        assert!(run.stdout.contains("picoauth"), "{run}");
    }
}
