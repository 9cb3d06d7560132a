//! Black-box tests of the operator's commands at 3 a.m.: a `revoke` that refuses what this
//! deployment never issued, `inspect` and its verdicts, tables that fit a terminal, and `users`
//! commands that check before they ask (issue 11).
//!
//! Every test runs the real binary on its own files. Most need no server: `picoauth keygen`
//! creates the database and key, and the CLI mints, revokes and inspects on them directly.
//! Expired and foreign-issuer tokens are signed here with the key file itself.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::process::Stdio;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use serde_json::{Value, json};

use crate::util::{Run, Server, TestDir, decode_jwt, encode_jwt, now, picoauth_on, run_on};

// --- helpers ---

/// Runs the CLI on `dir`'s files as the OS user `operator`, stdin closed.
#[track_caller]
fn cli(dir: &TestDir, args: &[&str]) -> Run {
    run_on(
        dir,
        args,
        &[
            ("USER", Some("operator")),
            ("SUDO_USER", None),
            ("LOGNAME", None),
            ("COLUMNS", None),
        ],
    )
}

/// Runs the CLI on `dir`'s files with `input` on stdin (a pipe) and `env` set.
#[track_caller]
fn cli_fed(dir: &TestDir, args: &[&str], input: &str, env: &[(&str, &str)]) -> Run {
    let mut command = picoauth_on(dir);
    command
        .args(args)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    finish(
        command,
        input,
        None,
        format!("picoauth {} <<< {input:?}", args.join(" ")),
    )
}

/// Runs the CLI on `dir`'s files with a terminal as stdin on which `typed` has been typed.
#[track_caller]
fn cli_on_terminal(dir: &TestDir, args: &[&str], typed: &str) -> Run {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two file descriptors it opened into the two integers; the
    // other arguments may be null (no name wanted, default terminal settings and size).
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned by nobody else.
    let (master, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
    let mut command = picoauth_on(dir);
    command
        .args(args)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .stdin(Stdio::from(slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let rendered = format!(
        "picoauth {} (typed on a terminal: {typed:?})",
        args.join(" ")
    );
    finish(command, "", Some((master, typed)), rendered)
}

/// Spawns `command`, writes `input` to its stdin pipe if it has one, types `typed` into the
/// terminal whose other end is `master` if there is one, and waits for it.
#[track_caller]
fn finish(
    mut command: std::process::Command,
    input: &str,
    terminal: Option<(File, &str)>,
    rendered: String,
) -> Run {
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {rendered}: {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        // A command that refuses early may exit before reading; its exit code tells the story.
        let _ = pipe.write_all(input.as_bytes());
    }
    if let Some((master, typed)) = &terminal {
        // The line waits in the terminal's input queue until the command reads it.
        let mut master: &File = master;
        master
            .write_all(typed.as_bytes())
            .unwrap_or_else(|e| panic!("cannot type into the terminal: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for {rendered}: {e}"));
    // The terminal stays open until the command has exited, so it never reads a hang-up.
    drop(terminal);
    Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        command: rendered,
    }
}

/// A database and first key in `dir`, without a server.
#[track_caller]
fn init(dir: &TestDir) {
    cli(dir, &["keygen"]).assert_code(0);
}

/// `mint-fleet --json` with `args`: the `/fleet/sessions` object.
#[track_caller]
fn mint(dir: &TestDir, args: &[&str]) -> Value {
    let mut all = vec!["mint-fleet", "--json"];
    all.extend_from_slice(args);
    let run = cli(dir, &all);
    run.assert_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{run}"))
}

/// The one JSON object on `run`'s stdout.
#[track_caller]
fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{run}"))
}

/// `inspect <token> --json`, asserting the exit code, and the object it printed.
#[track_caller]
fn inspect(dir: &TestDir, token: &str, code: i32) -> Value {
    let run = cli(dir, &["inspect", token, "--json"]);
    run.assert_code(code);
    let verdict = json_of(&run);
    assert_eq!(verdict["accepted"], code == 0, "{run}");
    verdict
}

/// The kid and key pair of the only signing key in `dir`.
#[track_caller]
fn signing_key(dir: &TestDir) -> (String, RsaKeyPair) {
    let run = run_on(dir, &["keygen", "--list", "--json"], &[]);
    run.assert_code(0);
    let listed: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("--json prints JSON ({e})\n{run}"));
    let keys = listed["keys"].as_array().expect("a `keys` array");
    assert_eq!(keys.len(), 1, "one signing key\n{run}");
    let kid = keys[0]["kid"].as_str().expect("a string kid").to_owned();
    let key = crate::util::signing_key(dir, &kid);
    (kid, key)
}

/// A fleet token signed with `dir`'s key, with `changes` applied to sound claims.
fn crafted(dir: &TestDir, changes: &Value) -> (String, String) {
    let (kid, key) = signing_key(dir);
    let jti = format!("{:032x}", u128::from(now()) << 20 | 0xabc);
    let mut claims = json!({
        "iss": "http://localhost:8100", "aud": "pico", "iat": now() - 600, "exp": now() + 600,
        "jti": jti, "sub": "crafted", "role": "agent", "session_id": "crafted", "agent_id": "a",
    });
    for (name, value) in changes.as_object().expect("changes object") {
        claims[name] = value.clone();
    }
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let token = encode_jwt(&header, &claims, |message| {
        let mut signature = vec![0u8; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message,
            &mut signature,
        )
        .expect("RSA signing");
        signature
    });
    (token, jti)
}

// --- revoke ---

#[test]
fn revoke_refuses_an_unknown_jti_and_writes_nothing_unless_forced() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let denylist = || -> Vec<Value> {
        let answer = server
            .get("/api/v1/auth/revoked-jtis")
            .with_bearer(&admin.access_token)
            .send()
            .ok_json();
        answer["items"].as_array().expect("items").clone()
    };
    let audited = mint(
        &dir,
        &["--session-id", "s", "--agent-id", "a", "--ttl", "1h"],
    );
    let audited_jti = audited["jti"].as_str().expect("jti");
    let unknown = "0123456789abcdef0123456789abcdef";

    let run = cli(&dir, &["revoke", unknown]);
    run.assert_code(1);
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr.contains("--force") && run.stderr.contains("mint audit"),
        "{run}"
    );
    // The README's placeholder, and a typo beside a real jti: refused, and the real one is
    // not revoked either.
    let run = cli(&dir, &["revoke", "<jti>"]);
    run.assert_code(1);
    assert!(run.stderr.contains("32 hex characters"), "{run}");
    cli(&dir, &["revoke", audited_jti, &unknown[1..]]).assert_code(1);
    assert_eq!(
        denylist(),
        Vec::<Value>::new(),
        "a refused revoke writes nothing"
    );

    let run = cli(
        &dir,
        &["revoke", unknown, "--force", "--reason", "never audited"],
    );
    run.assert_code(0);
    assert!(
        run.stdout.starts_with(&format!("revoked {unknown} (")),
        "{run}"
    );
    let items = denylist();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["jti"], unknown);
    assert_eq!(items[0]["reason"], "never audited");
    // On the denylist now, it is known: revoking again needs no --force and changes nothing.
    let run = cli(&dir, &["revoke", unknown, "--json"]);
    run.assert_code(0);
    assert_eq!(json_of(&run)["revoked"], items[0], "{run}");
}

#[test]
fn revoke_shows_what_it_revoked_from_the_audit() {
    let dir = TestDir::new();
    init(&dir);
    let minted = mint(
        &dir,
        &[
            "--session-id",
            "ci-77",
            "--agent-id",
            "builder",
            "--ttl",
            "2h",
        ],
    );
    let jti = minted["jti"].as_str().expect("jti");
    let run = cli(&dir, &["revoke", jti]);
    run.assert_code(0);
    let line = run.stdout.trim_end();
    assert!(
        line.starts_with(&format!("revoked {jti} (fleet token")),
        "{run}"
    );
    for part in ["sub ci-77", "role agent", "agent builder", " UTC))"] {
        assert!(line.contains(part), "{part:?} missing\n{run}");
    }
    // Minted within the second, or just before it.
    assert!(
        line.contains("expires in 2h (") || line.contains("expires in 1h 59m"),
        "{run}"
    );
    let exp = minted["exp"].as_i64().expect("exp");
    let listed = json_of(&cli(&dir, &["list-mints", "--json"]));
    assert_eq!(listed["items"][0]["revoked"], true, "{listed}");
    assert_eq!(listed["items"][0]["exp"], exp);

    // Again: found revoked, nothing new; --json stays the /revoke object.
    let run = cli(&dir, &["revoke", jti, "--json"]);
    run.assert_code(0);
    let answer = json_of(&run);
    let keys: Vec<&String> = answer["revoked"]
        .as_object()
        .expect("revoked")
        .keys()
        .collect();
    assert_eq!(keys, ["jti", "reason", "revoked_at", "revoked_by"], "{run}");
    assert_eq!(answer["revoked"]["revoked_by"], "cli:operator");
    let run = cli(&dir, &["revoke", jti]);
    assert!(run.stdout.contains("was already revoked at"), "{run}");
}

#[test]
fn revoke_accepts_a_whole_token() {
    let dir = TestDir::new();
    init(&dir);
    let minted = mint(
        &dir,
        &["--session-id", "s", "--agent-id", "a", "--ttl", "1h"],
    );
    let token = minted["session_token"].as_str().expect("token");
    let run = cli(&dir, &["revoke", token, "--json"]);
    run.assert_code(0);
    assert_eq!(json_of(&run)["revoked"]["jti"], minted["jti"], "{run}");
    let verdict = inspect(&dir, token, 1);
    assert_eq!(verdict["reason"], "revoked", "{verdict}");
}

// --- inspect ---

#[test]
fn inspect_accepts_a_valid_token_and_shows_it() {
    let dir = TestDir::new();
    init(&dir);
    let minted = mint(
        &dir,
        &["--session-id", "s-1", "--agent-id", "a-1", "--ttl", "15m"],
    );
    let token = minted["session_token"].as_str().expect("token");
    let verdict = inspect(&dir, token, 0);
    let fields: Vec<&String> = verdict.as_object().expect("object").keys().collect();
    assert_eq!(
        fields,
        [
            "accepted",
            "claims",
            "detail",
            "header",
            "key_state",
            "kid",
            "mint",
            "reason",
            "revocation",
            "revoked"
        ]
    );
    assert_eq!(verdict["reason"], Value::Null);
    assert_eq!(verdict["key_state"], "active");
    assert_eq!(verdict["revoked"], false);
    assert_eq!(verdict["claims"], decode_jwt(token).claims);
    assert_eq!(verdict["header"]["kid"], verdict["kid"]);
    assert_eq!(verdict["mint"]["jti"], minted["jti"]);

    let run = cli(&dir, &["inspect", token]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("expires in 15m (") || run.stdout.contains("expires in 14m"),
        "{run}"
    );
    assert!(run.stdout.contains(" UTC)"), "{run}");
    assert!(run.stdout.contains("is active"), "{run}");
    assert!(run.stdout.contains("revoked  no"), "{run}");
    assert!(run.stdout.contains("verdict  accepted"), "{run}");

    // From stdin, with `-` or no argument.
    for args in [&["inspect", "-", "--json"][..], &["inspect", "--json"]] {
        let run = cli_fed(&dir, args, &format!("{token}\n"), &[]);
        run.assert_code(0);
        assert_eq!(json_of(&run)["claims"]["jti"], minted["jti"], "{run}");
    }
}

#[test]
fn inspect_refuses_an_expired_a_revoked_a_foreign_and_a_garbage_token() {
    let dir = TestDir::new();
    init(&dir);
    let (expired, _) = crafted(&dir, &json!({"iat": now() - 120, "exp": now() - 60}));
    let verdict = inspect(&dir, &expired, 1);
    assert_eq!(verdict["reason"], "expired", "{verdict}");
    assert_eq!(verdict["key_state"], "active", "{verdict}");
    let run = cli(&dir, &["inspect", &expired]);
    run.assert_code(1);
    assert!(run.stdout.contains("expired 1m"), "{run}");
    assert!(run.stderr.contains("(expired)"), "{run}");

    let (other_issuer, _) = crafted(&dir, &json!({"iss": "https://auth.elsewhere.example"}));
    assert_eq!(inspect(&dir, &other_issuer, 1)["reason"], "foreign_issuer");
    let (other_audience, _) = crafted(&dir, &json!({"aud": "billing"}));
    assert_eq!(
        inspect(&dir, &other_audience, 1)["reason"],
        "foreign_audience"
    );

    let minted = mint(
        &dir,
        &["--session-id", "s", "--agent-id", "a", "--ttl", "1h"],
    );
    let token = minted["session_token"].as_str().expect("token");
    let jti = minted["jti"].as_str().expect("jti");
    cli(&dir, &["revoke", jti, "--reason", "leaked"]).assert_code(0);
    let verdict = inspect(&dir, token, 1);
    assert_eq!(verdict["reason"], "revoked", "{verdict}");
    assert_eq!(verdict["revoked"], true);
    assert_eq!(verdict["revocation"]["reason"], "leaked");

    // Signed by another deployment's key: its kid is unknown here.
    let elsewhere = TestDir::new();
    init(&elsewhere);
    let foreign = mint(&elsewhere, &["--session-id", "s", "--agent-id", "a"]);
    let verdict = inspect(&dir, foreign["session_token"].as_str().expect("token"), 1);
    assert_eq!(verdict["reason"], "unknown_key", "{verdict}");
    assert_eq!(verdict["key_state"], "unknown");
    assert_eq!(verdict["mint"], Value::Null);

    // A tampered signature, and garbage.
    // A character well inside the signature: every bit of it counts (the last one's low bits
    // are padding, and changing those would make the base64 invalid instead).
    let mut tampered = token.as_bytes().to_vec();
    let inside = tampered.len() - 10;
    tampered[inside] = if tampered[inside] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ASCII");
    assert_eq!(inspect(&dir, &tampered, 1)["reason"], "bad_signature");
    for garbage in ["not-a-token", "a.b.c", "\u{1b}[31mred.x.y"] {
        let verdict = inspect(&dir, garbage, 1);
        assert_eq!(verdict["reason"], "malformed", "{verdict}");
        assert_eq!(verdict["claims"], Value::Null);
    }
    // Text from the token never reaches the terminal raw.
    let run = cli(&dir, &["inspect", "\u{1b}[31mred.x.y"]);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
        "{run}"
    );
}

#[test]
fn inspect_without_a_token_is_a_usage_error() {
    let dir = TestDir::new();
    init(&dir);
    let run = cli_fed(&dir, &["inspect"], "", &[]);
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{run}");
}

// --- tables ---

#[test]
fn list_mints_fits_the_width_and_keeps_jtis_whole() {
    let dir = TestDir::new();
    init(&dir);
    let minted = mint(
        &dir,
        &[
            "--session-id",
            "a-rather-long-session-identifier-from-ci",
            "--agent-id",
            "builder-with-a-long-name",
            "--scope",
            "deploy to the production cluster in eu-west",
            "--ttl",
            "2h",
        ],
    );
    let jti = minted["jti"].as_str().expect("jti");
    for (columns, env) in [(100, &[][..]), (80, &[("COLUMNS", "80")][..])] {
        let run = cli_fed(&dir, &["list-mints"], "", env);
        run.assert_code(0);
        for line in run.stdout.lines() {
            assert!(
                line.chars().count() <= columns,
                "wider than {columns}: {line:?}\n{run}"
            );
        }
        assert!(run.stdout.contains(jti), "the jti is whole\n{run}");
        assert!(run.stdout.contains("left"), "{run}");
    }
    // From 120 columns on, scope and minter have room too.
    let run = cli_fed(&dir, &["list-mints"], "", &[("COLUMNS", "160")]);
    assert!(
        run.stdout.contains("minted by") && run.stdout.contains("cli:operator"),
        "{run}"
    );
}

// --- users ---

#[test]
fn users_delete_asks_for_the_email_and_refuses_y() {
    let dir = TestDir::new();
    init(&dir);
    let email = "gone@example.com";
    let run = cli_fed(
        &dir,
        &["users", "add", email, "--password-stdin"],
        "a-long-enough-password\n",
        &[],
    );
    run.assert_code(0);
    let listed = || cli(&dir, &["users", "list", "--json"]).stdout;

    for answer in ["y\n", "yes\n", "\n"] {
        let run = cli_on_terminal(&dir, &["users", "delete", email], answer);
        run.assert_code(2);
        assert!(
            run.stderr.contains("Type its email"),
            "the prompt asks for the email\n{run}"
        );
        assert!(run.stderr.contains("nothing was deleted"), "{run}");
        assert!(listed().contains(email), "{answer:?} deleted the account");
    }
    let run = cli_on_terminal(&dir, &["users", "delete", email], "Gone@Example.com\n");
    run.assert_code(0);
    assert_eq!(run.stdout, format!("deleted {email}\n"), "{run}");
    assert!(!listed().contains(email));
}

#[test]
fn users_add_checks_the_email_before_asking_for_a_password() {
    let dir = TestDir::new();
    init(&dir);
    // Stdin is closed: had it asked for a password first, it would have failed for want of a
    // terminal instead.
    let run = cli(&dir, &["users", "add", "not-an-email"]);
    run.assert_code(2);
    assert!(run.stderr.contains("email"), "{run}");
    assert!(
        !run.stderr.contains("terminal"),
        "it did not get to the password\n{run}"
    );

    let run = cli_fed(
        &dir,
        &["users", "add", "ada@example.com", "--password-stdin"],
        "a-long-enough-password\n",
        &[],
    );
    run.assert_code(0);
    let run = cli(&dir, &["users", "add", "ADA@example.com"]);
    run.assert_code(1);
    assert!(run.stderr.contains("exists already"), "{run}");
    let run = cli(
        &dir,
        &["users", "add", "bob@example.com", "--role", "emperor"],
    );
    run.assert_code(2);
    assert!(!run.stderr.contains("terminal"), "{run}");
}
