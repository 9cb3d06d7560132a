//! The command line as a whole: help, usage errors and exit codes (API.md §6).

use crate::util::run_picoauth;

#[test]
fn help_lists_the_subcommands_on_stdout() {
    let run = run_picoauth(&["--help"]);
    run.assert_code(0);
    assert!(run.stdout.contains("serve"), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
}

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    for args in [
        &["no-such-command"][..],
        &[],
        &["serve", "--no-such-flag"],
        &["completions", "tcsh"],
    ] {
        let run = run_picoauth(args);
        run.assert_code(2);
        assert!(run.stdout.is_empty(), "{run}");
        assert!(!run.stderr.is_empty(), "{run}");
    }
}

#[test]
fn version_is_printed() {
    let run = run_picoauth(&["--version"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("picoauth "), "{run}");
}
