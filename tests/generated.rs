//! The committed man pages, completion scripts and the README's settings table must be what
//! the code generates today, and the install script must put them where the tools look.

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

#[test]
fn readme_settings_table_is_current() {
    let dir = TestDir::new();
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(repository.join("README.md")).expect("README.md");
    std::fs::write(dir.path().join("README.md"), &committed).expect("copy README.md");
    let target = dir.path().to_str().expect("temp dir path is UTF-8");
    run_picoauth(&["generate-docs", target]).assert_code(0);
    let fresh = std::fs::read_to_string(dir.path().join("README.md")).expect("README.md");
    assert!(
        fresh == committed,
        "README.md's settings table is out of date; run `{REFRESH}` and commit the result"
    );
    for row in [
        "| `listen` | `PICOAUTH_LISTEN` | `serve --listen` | `127.0.0.1:8100` |",
        "| `db` | `PICOAUTH_DB` | `--db` | `picoauth.db` |",
        "| `fleet_mint_secret` | `PICOAUTH_FLEET_MINT_SECRET` | none (secret) |",
        "| `tls_cert_file` | `PICOAUTH_TLS_CERT_FILE` | `serve --tls-cert-file` |",
    ] {
        assert!(committed.contains(row), "README.md lacks the row {row}");
    }
}

/// The committed man page `name`.
fn man_page(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The text of section `title` of a man page, up to the next section.
fn section<'a>(page: &'a str, title: &str) -> &'a str {
    let heading = if title.contains(' ') {
        format!(".SH \"{title}\"\n")
    } else {
        format!(".SH {title}\n")
    };
    let Some(start) = page.find(&heading) else {
        panic!("no {title} section in\n{page}")
    };
    let rest = &page[start + heading.len()..];
    &rest[..rest.find("\n.SH ").map_or(rest.len(), |end| end + 1)]
}

#[test]
fn man_pages_have_placeholders_environment_files_exit_status_and_examples() {
    let revoke = man_page("picoauth-revoke.1");
    let synopsis = section(&revoke, "SYNOPSIS");
    assert!(
        synopsis.contains(r"\fB\-\-db\fR \fI<FILE>\fR"),
        "{synopsis}"
    );
    assert!(synopsis.contains(r"\fI<JTI>...\fR"), "{synopsis}");
    assert!(!synopsis.contains("listen"), "{synopsis}");
    let environment = section(&revoke, "ENVIRONMENT");
    for variable in [
        "PICOAUTH_CONFIG",
        "PICOAUTH_DB",
        "PICOAUTH_KEY_DIR",
        "PICOAUTH_FLEET_MAX_TTL",
    ] {
        assert!(
            environment.contains(variable),
            "{variable} missing\n{environment}"
        );
    }
    assert!(
        !environment.contains("PICOAUTH_RATE_LIMIT_PER_SECOND"),
        "{environment}"
    );
    assert!(section(&revoke, "FILES").contains("picoauth.db"));
    let exit_status = section(&revoke, "EXIT STATUS");
    for code in ["\\fB0\\fR", "\\fB1\\fR", "\\fB2\\fR"] {
        assert!(exit_status.contains(code), "{code} missing\n{exit_status}");
    }
    assert!(section(&revoke, "EXAMPLES").contains("picoauth revoke \"$JTI\""));

    let mint = man_page("picoauth-mint-fleet.1");
    assert!(section(&mint, "SYNOPSIS").contains(r"\fB\-\-ttl\fR \fI<DURATION>\fR"));
    let environment = section(&mint, "ENVIRONMENT");
    for variable in [
        "PICOAUTH_ISSUER",
        "PICOAUTH_LISTEN",
        "PICOAUTH_FLEET_SESSION_TTL",
    ] {
        assert!(
            environment.contains(variable),
            "{variable} missing\n{environment}"
        );
    }

    let serve = man_page("picoauth-serve.1");
    let environment = section(&serve, "ENVIRONMENT");
    for variable in [
        "PICOAUTH_ADMIN_PASSWORD",
        "PICOAUTH_FLEET_MINT_SECRET",
        "PICOAUTH_TLS_KEY_FILE",
    ] {
        assert!(
            environment.contains(variable),
            "{variable} missing\n{environment}"
        );
    }
    let users_add = man_page("picoauth-users-add.1");
    assert!(!users_add.contains("PICOAUTH_LISTEN"), "{users_add}");
    assert!(section(&users_add, "SEE ALSO").contains(r"picoauth\-users(1)"));
    let completions = man_page("picoauth-completions.1");
    assert!(
        section(&completions, "FILES").contains("share/bash\\-completion/completions/picoauth"),
        "{completions}"
    );
}

#[test]
fn completions_offer_values_and_files_only_where_files_are_meant() {
    let run = run_picoauth(&["completions", "bash"]);
    run.assert_code(0);
    let bash = &run.stdout;
    // `picoauth users <TAB>` lists the subcommands before the options.
    assert!(
        bash.contains(
            "opts=\"list add set-role passwd disable enable delete registration import help -h"
        ),
        "{bash}"
    );
    assert!(
        bash.contains("compgen -W \"superadmin org_admin operator viewer\""),
        "user roles for users add --role"
    );
    assert!(
        bash.contains("compgen -W \"ML-DSA-65 Ed25519 secp256k1\""),
        "wallet algorithms"
    );
    assert!(
        bash.contains("opts=\"bash elvish fish powershell zsh -h"),
        "shells first for `picoauth completions <TAB>`"
    );
    // A duration or a jti is not a file name; a database is.
    let option = |name: &str| {
        let start = bash
            .find(&format!("                {name})\n"))
            .unwrap_or_else(|| panic!("no case for {name}"));
        let rest = &bash[start..];
        rest[..rest.find(";;").unwrap_or(rest.len())].to_owned()
    };
    assert!(
        !option("--ttl").contains("compgen -f"),
        "{}",
        option("--ttl")
    );
    assert!(!option("--access-token-ttl").contains("compgen -f"));
    assert!(option("--db").contains("compgen -f"), "{}", option("--db"));
    assert!(option("--tls-cert-file").contains("compgen -f"));

    let run = run_picoauth(&["completions", "fish"]);
    let fish = &run.stdout;
    let start = fish
        .find("__fish_picoauth_using_subcommand mint-fleet\" -l role")
        .unwrap_or_else(|| panic!("no --role completion for mint-fleet\n{run}"));
    let rest = &fish[start..];
    let role = &rest[..rest[1..]
        .find("complete -c")
        .map_or(rest.len(), |end| end + 1)];
    // -f: no file names; -a: the roles.
    assert!(
        role.contains("-r -f -a") && role.contains("service"),
        "{role}"
    );
}

#[test]
fn install_script_puts_pages_and_completions_where_tools_look() {
    let dir = TestDir::new();
    let prefix = dir.path().join("prefix");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = repository.join("scripts/install");
    // Twice: the second run must succeed and leave the same files.
    for _ in 0..2 {
        let output = std::process::Command::new("sh")
            .arg(&script)
            .arg("--prefix")
            .arg(&prefix)
            .output()
            .expect("run scripts/install");
        assert!(
            output.status.success(),
            "scripts/install failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let same = |installed: &str, committed: &str| {
        let installed_bytes = std::fs::read(prefix.join(installed))
            .unwrap_or_else(|e| panic!("{installed} was not installed: {e}"));
        let committed_bytes = std::fs::read(repository.join(committed)).expect("committed file");
        assert!(
            installed_bytes == committed_bytes,
            "{installed} differs from {committed}"
        );
    };
    same("share/man/man1/picoauth.1", "man/picoauth.1");
    same("share/man/man1/picoauth-revoke.1", "man/picoauth-revoke.1");
    same(
        "share/man/man1/picoauth-users-add.1",
        "man/picoauth-users-add.1",
    );
    same(
        "share/bash-completion/completions/picoauth",
        "completions/picoauth.bash",
    );
    same(
        "share/zsh/site-functions/_picoauth",
        "completions/_picoauth",
    );
    same(
        "share/fish/vendor_completions.d/picoauth.fish",
        "completions/picoauth.fish",
    );

    let bad = std::process::Command::new("sh")
        .arg(&script)
        .arg("--prefix")
        .output()
        .expect("run scripts/install");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "--prefix without a directory is a usage error"
    );

    // `man` finds the page under the prefix, where the machine has man at all.
    let has_man = std::process::Command::new("sh")
        .args(["-c", "command -v man"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_man {
        eprintln!("skipping the `man -M` check: man is not installed on this machine");
        return;
    }
    let output = std::process::Command::new("man")
        .arg("-M")
        .arg(prefix.join("share/man"))
        .args(["-w", "picoauth-revoke"])
        .output()
        .expect("run man");
    let found = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && found.trim().ends_with("man1/picoauth-revoke.1"),
        "man -M did not find picoauth-revoke: {found}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
