//! Black-box tests of `picoauth users`: each subcommand alone and against a running server (API.md §2, §6).
//!
//! Most tests are cross-door: an account is changed with the CLI while `picoauth serve` runs on the
//! same files, and the next login, refresh or token shows the change. Passwords only ever reach
//! the CLI through `--password-stdin`; every child runs without a terminal, so a command that
//! would have to ask must refuse instead.
//! `users import` is fed a pico-auth database built here with the schema pico-auth 0.1.x writes.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::util::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Run, Server, Session, TestDir, decode_jwt, password_for,
    picoauth_on,
};

// --- helpers ---

/// Runs `picoauth <args> --db <dir's db> --key-dir <dir>/keys`, with `stdin` piped in or none.
#[track_caller]
fn cli(dir: &TestDir, args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = picoauth_on(dir);
    command
        .args(args)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut rendered = format!(
        "picoauth {} --db {} --key-dir {}",
        args.join(" "),
        dir.db().to_string_lossy(),
        dir.key_dir().display()
    );
    if let Some(input) = stdin {
        rendered.push_str(&format!(" <<< {input:?}"));
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {rendered}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A command that refuses early may exit before reading; its exit code tells the story.
        let _ = pipe.write_all(input.as_bytes());
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for {rendered}: {e}"));
    Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        command: rendered,
    }
}

/// Asserts that `run` failed with `code`, printed nothing on stdout and said why on stderr.
#[track_caller]
fn assert_failed(run: &Run, code: i32) {
    run.assert_code(code);
    assert!(run.stdout.is_empty(), "nothing on stdout\n{run}");
    assert!(!run.stderr.is_empty(), "a reason on stderr\n{run}");
}

/// Creates the database without a server (and without an admin) via `picoauth keygen`.
#[track_caller]
fn init_db(dir: &TestDir) {
    cli(dir, &["keygen"], None).assert_code(0);
}

/// `users add <email> --password-stdin <extra>`, returning the id it printed alone on stdout.
#[track_caller]
fn add(dir: &TestDir, email: &str, password: &str, extra: &[&str]) -> String {
    let mut args = vec!["users", "add", email, "--password-stdin"];
    args.extend_from_slice(extra);
    let run = cli(dir, &args, Some(&format!("{password}\n")));
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout is the id alone\n{run}");
    let id = lines[0].trim();
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "an id\n{run}"
    );
    id.to_string()
}

/// `users list --json`, asserted to succeed.
#[track_caller]
fn list_json(dir: &TestDir) -> Value {
    let run = cli(dir, &["users", "list", "--json"], None);
    run.assert_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("--json prints JSON ({e})\n{run}"))
}

/// The entry of `email` in a `users list --json` answer, if any.
fn find<'a>(list: &'a Value, email: &str) -> Option<&'a Value> {
    list["users"]
        .as_array()
        .and_then(|users| users.iter().find(|user| user["email"] == email))
}

/// The entry of `email` in `users list --json`, which must exist.
#[track_caller]
fn listed(dir: &TestDir, email: &str) -> Value {
    let list = list_json(dir);
    find(&list, email)
        .unwrap_or_else(|| panic!("{email} is listed: {list}"))
        .clone()
}

/// Asserts that `text` holds no password hash (argon2 PHC string or bcrypt).
#[track_caller]
fn assert_no_password_hash(text: &str) {
    for marker in ["$argon2", "$2a$", "$2b$", "$2y$", "password"] {
        assert!(!text.contains(marker), "{marker:?} leaks into:\n{text}");
    }
}

/// `POST /login`, returning the response whatever its status.
fn try_login(server: &Server, email: &str, password: &str) -> crate::util::Response {
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .send()
}

/// The claims of the access token of `session`.
fn claims(session: &Session) -> Value {
    decode_jwt(&session.access_token).claims
}

// --- add and the password rules ---

#[test]
fn add_prints_the_id_and_the_account_logs_in_over_http() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "ada@example.com";
    let id = add(
        &dir,
        email,
        "analytical-engine",
        &["--role", "operator", "--display-name", "Ada Lovelace"],
    );

    let session = server.login(email, "analytical-engine");
    let claims = claims(&session);
    assert_eq!(claims["sub"], id.as_str(), "{claims}");
    assert_eq!(claims["role"], "operator", "{claims}");
    assert_eq!(claims["email"], email, "{claims}");
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send();
    let me = response.ok_json();
    assert_eq!(me["id"], id.as_str(), "{response}");
    assert_eq!(me["display_name"], "Ada Lovelace", "{response}");
    assert_eq!(me["status"], "active", "{response}");

    let user = listed(&dir, email);
    assert_eq!(user["id"], id.as_str(), "{user}");
    assert_eq!(user["role"], "operator", "{user}");
}

#[test]
fn add_defaults_to_an_active_viewer() {
    let dir = TestDir::new();
    init_db(&dir);
    let id = add(&dir, "plain@example.com", "plain-password", &[]);
    let user = listed(&dir, "plain@example.com");
    assert_eq!(user["id"], id.as_str(), "{user}");
    assert_eq!(user["role"], "viewer", "{user}");
    assert_eq!(user["status"], "active", "{user}");
}

#[test]
fn password_stdin_reads_only_the_first_line() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "lines@example.com";
    let run = cli(
        &dir,
        &["users", "add", email, "--password-stdin"],
        Some("first-line-password\nsecond-line-is-not-it\n"),
    );
    run.assert_code(0);
    server.login(email, "first-line-password");
    try_login(&server, email, "first-line-password\nsecond-line-is-not-it")
        .assert_error(401, "invalid_credentials");
}

#[test]
fn password_stdin_strips_only_the_line_ending() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    // (stdin, the password it carries): `printf '%s'` sends no newline; CRLF is one line ending;
    // spaces are part of the password.
    for (n, (stdin, password)) in [
        ("no-newline-password", "no-newline-password"),
        ("crlf-password\r\n", "crlf-password"),
        ("  spaced password  \n", "  spaced password  "),
    ]
    .into_iter()
    .enumerate()
    {
        let email = format!("stdin{n}@example.com");
        let run = cli(
            &dir,
            &["users", "add", &email, "--password-stdin"],
            Some(stdin),
        );
        run.assert_code(0);
        server.login(&email, password);
    }
    try_login(&server, "stdin1@example.com", "crlf-password\r")
        .assert_error(401, "invalid_credentials");
    try_login(&server, "stdin2@example.com", "spaced password")
        .assert_error(401, "invalid_credentials");
}

#[test]
fn a_password_is_never_taken_from_an_argument() {
    let dir = TestDir::new();
    init_db(&dir);
    let id = add(&dir, "keeps@example.com", "the-real-password", &[]);
    for args in [
        &[
            "users",
            "add",
            "arg@example.com",
            "--password",
            "from-an-argument",
        ][..],
        &[
            "users",
            "add",
            "arg@example.com",
            "--password=from-an-argument",
        ],
        &["users", "add", "arg@example.com", "from-an-argument"],
        &["users", "passwd", &id, "--password", "from-an-argument"],
        &["users", "passwd", &id, "from-an-argument"],
    ] {
        assert_failed(&cli(&dir, args, None), 2);
    }
    let list = list_json(&dir);
    assert!(find(&list, "arg@example.com").is_none(), "{list}");
    assert_eq!(list["total"], 1, "{list}");
}

#[test]
fn without_password_stdin_and_without_a_terminal_nothing_changes() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "asks@example.com";
    let (_, session) = server.register_and_login(email);

    // stdin holds a password, but without --password-stdin the command must not read it.
    for stdin in [None, Some("a-password-on-stdin\n")] {
        assert_failed(&cli(&dir, &["users", "add", "tty@example.com"], stdin), 2);
        assert_failed(&cli(&dir, &["users", "passwd", email], stdin), 2);
    }
    assert!(find(&list_json(&dir), "tty@example.com").is_none());
    server.login(email, &password_for(email));
    Session::from_response(&server.refresh(&session.refresh_token));
}

#[test]
fn passwords_shorter_than_8_characters_are_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "short@example.com";
    let (_, session) = server.register_and_login(email);

    assert_failed(
        &cli(
            &dir,
            &["users", "add", "seven@example.com", "--password-stdin"],
            Some("1234567\n"),
        ),
        2,
    );
    assert!(find(&list_json(&dir), "seven@example.com").is_none());
    assert_failed(
        &cli(
            &dir,
            &["users", "passwd", email, "--password-stdin"],
            Some("1234567\n"),
        ),
        2,
    );
    assert_failed(
        &cli(
            &dir,
            &["users", "passwd", email, "--password-stdin"],
            Some(""),
        ),
        2,
    );
    server.login(email, &password_for(email));
    Session::from_response(&server.refresh(&session.refresh_token));

    // Eight is enough.
    add(&dir, "eight@example.com", "h7#kq2zP", &[]);
    server.login("eight@example.com", "h7#kq2zP");
}

#[test]
fn add_refuses_an_existing_email_in_any_letter_case() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let id = add(&dir, "taken@example.com", "first-password", &[]);
    for email in ["taken@example.com", "Taken@Example.COM", ADMIN_EMAIL] {
        assert_failed(
            &cli(
                &dir,
                &["users", "add", email, "--password-stdin"],
                Some("second-password\n"),
            ),
            1,
        );
    }
    let session = server.login("taken@example.com", "first-password");
    assert_eq!(claims(&session)["sub"], id.as_str());
    server.admin();
}

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    let dir = TestDir::new();
    init_db(&dir);
    add(&dir, "usage@example.com", "usage-password", &[]);
    let before = list_json(&dir);
    for args in [
        &["users"][..],
        &["users", "no-such-command"],
        &["users", "list", "--no-such-flag"],
        &["users", "add"],
        &["users", "add", "not-an-email", "--password-stdin"],
        &[
            "users",
            "add",
            "role@example.com",
            "--role",
            "root",
            "--password-stdin",
        ],
        &[
            "users",
            "add",
            "role@example.com",
            "--role",
            "wallet",
            "--password-stdin",
        ],
        &["users", "set-role", "usage@example.com"],
        &["users", "set-role", "usage@example.com", "root"],
        &["users", "set-role", "usage@example.com", "agent"],
        &["users", "passwd"],
        &["users", "disable"],
        &["users", "enable"],
        &["users", "delete"],
        &["users", "import"],
    ] {
        assert_failed(&cli(&dir, args, Some("a-long-enough-password\n")), 2);
    }
    assert_eq!(list_json(&dir), before, "usage errors change nothing");
}

#[test]
fn commands_need_an_existing_database() {
    let dir = TestDir::new();
    for args in [
        &["users", "list"][..],
        &["users", "disable", "someone@example.com"],
    ] {
        let run = cli(&dir, args, None);
        assert_ne!(run.code(), 0, "{run}");
        assert!(run.stdout.is_empty(), "{run}");
        assert!(!dir.database_made(), "no database was created\n{run}");
    }
    let run = cli(
        &dir,
        &["users", "add", "early@example.com", "--password-stdin"],
        Some("early-password\n"),
    );
    assert_ne!(run.code(), 0, "{run}");
    assert!(!dir.database_made(), "no database was created\n{run}");
}

// --- list ---

#[test]
fn list_json_is_the_users_object_of_the_http_api() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server.register("registered@example.com", "registered-password");
    add(
        &dir,
        "added@example.com",
        "added-password",
        &["--role", "org_admin", "--display-name", "Added"],
    );
    add(&dir, "disabled@example.com", "disabled-password", &[]);
    cli(&dir, &["users", "disable", "disabled@example.com"], None).assert_code(0);

    let from_cli = list_json(&dir);
    let response = server
        .get("/api/v1/auth/users")
        .with_bearer(&server.admin().access_token)
        .send();
    let from_http = response.ok_json();
    assert_eq!(from_cli, from_http, "{response}");
    assert_eq!(from_cli["total"], 4, "{from_cli}");
    let user = find(&from_cli, "added@example.com").expect("listed");
    for field in ["id", "email", "display_name", "role", "org_id", "status"] {
        assert!(user.get(field).is_some(), "`{field}` is present: {user}");
    }
    assert_eq!(user["display_name"], "Added", "{user}");
    assert_eq!(user["role"], "org_admin", "{user}");
    assert_eq!(
        find(&from_cli, "disabled@example.com").expect("listed")["status"],
        "disabled",
        "{from_cli}"
    );
    assert_no_password_hash(&from_cli.to_string());
}

#[test]
fn list_table_shows_every_account() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let id = add(
        &dir,
        "tabled@example.com",
        "tabled-password",
        &["--role", "operator"],
    );
    let run = cli(&dir, &["users", "list"], None);
    run.assert_code(0);
    let line = run
        .stdout
        .lines()
        .find(|line| line.contains("tabled@example.com"))
        .unwrap_or_else(|| panic!("the user has a row\n{run}"));
    assert!(line.contains(&id) && line.contains("operator"), "{run}");
    assert!(run.stdout.contains(ADMIN_EMAIL), "{run}");
    assert_no_password_hash(&run.stdout);
}

// --- changes seen by a running server ---

#[test]
fn disable_refuses_logins_and_ends_sessions_until_enable() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "disabled@example.com";
    let password = password_for(email);
    let (_, session) = server.register_and_login(email);

    cli(&dir, &["users", "disable", email], None).assert_code(0);
    try_login(&server, email, &password).assert_error(403, "forbidden");
    try_login(&server, email, "not-the-password").assert_error(401, "invalid_credentials");
    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    assert_eq!(listed(&dir, email)["status"], "disabled");

    cli(&dir, &["users", "enable", email], None).assert_code(0);
    let session = server.login(email, &password);
    Session::from_response(&server.refresh(&session.refresh_token));
    assert_eq!(listed(&dir, email)["status"], "active");
}

#[test]
fn set_role_shows_in_the_next_token_and_ends_sessions() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "promoted@example.com";
    let (id, session) = server.register_and_login(email);
    assert_eq!(claims(&session)["role"], "viewer");

    cli(&dir, &["users", "set-role", &id, "operator"], None).assert_code(0);
    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    let session = server.login(email, &password_for(email));
    assert_eq!(claims(&session)["role"], "operator");
    let refreshed = Session::from_response(&server.refresh(&session.refresh_token));
    assert_eq!(claims(&refreshed)["role"], "operator");
    assert_eq!(listed(&dir, email)["role"], "operator");

    // By email as well as by id.
    cli(&dir, &["users", "set-role", email, "org_admin"], None).assert_code(0);
    let session = server.login(email, &password_for(email));
    assert_eq!(claims(&session)["role"], "org_admin");
}

#[test]
fn set_role_outside_the_four_changes_nothing() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "stays@example.com";
    let (_, session) = server.register_and_login(email);
    for role in ["root", "wallet", "service", "agent", ""] {
        assert_failed(&cli(&dir, &["users", "set-role", email, role], None), 2);
    }
    assert_eq!(listed(&dir, email)["role"], "viewer");
    let refreshed = Session::from_response(&server.refresh(&session.refresh_token));
    assert_eq!(claims(&refreshed)["role"], "viewer");
}

#[test]
fn passwd_replaces_the_password_and_ends_sessions() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "rotated@example.com";
    let old_password = password_for(email);
    let (_, session) = server.register_and_login(email);

    let run = cli(
        &dir,
        &["users", "passwd", email, "--password-stdin"],
        Some("a-brand-new-password\n"),
    );
    run.assert_code(0);
    try_login(&server, email, &old_password).assert_error(401, "invalid_credentials");
    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    server.login(email, "a-brand-new-password");
}

#[test]
fn delete_with_yes_removes_the_account_and_its_sessions() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "deleted@example.com";
    let (id, session) = server.register_and_login(email);

    cli(&dir, &["users", "delete", &id, "--yes"], None).assert_code(0);
    try_login(&server, email, &password_for(email)).assert_error(401, "invalid_credentials");
    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    let list = list_json(&dir);
    assert!(find(&list, email).is_none(), "{list}");
    assert_eq!(list["total"], 1, "only the admin is left: {list}");

    // The email is free again.
    add(&dir, email, "a-new-account-password", &[]);
    server.login(email, "a-new-account-password");
}

#[test]
fn delete_without_yes_and_without_a_terminal_refuses() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "kept@example.com";
    let (_, session) = server.register_and_login(email);

    // Not even a "y" on stdin counts as confirmation without a terminal.
    for stdin in [None, Some("y\n"), Some("yes\n")] {
        assert_failed(&cli(&dir, &["users", "delete", email], stdin), 2);
    }
    listed(&dir, email);
    server.login(email, &password_for(email));
    Session::from_response(&server.refresh(&session.refresh_token));
}

#[test]
fn unknown_accounts_fail_with_exit_1() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let before = list_json(&dir);
    for who in ["nobody@example.com", "0123456789abcdef0123456789abcdef"] {
        for (args, stdin) in [
            (&["users", "set-role", who, "operator"][..], None),
            (
                &["users", "passwd", who, "--password-stdin"],
                Some("a-long-enough-password\n"),
            ),
            (&["users", "disable", who], None),
            (&["users", "enable", who], None),
            (&["users", "delete", who, "--yes"], None),
        ] {
            assert_failed(&cli(&dir, args, stdin), 1);
        }
    }
    assert_eq!(list_json(&dir), before);
}

#[test]
fn the_last_active_superadmin_is_protected() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();

    for args in [
        &["users", "set-role", ADMIN_EMAIL, "org_admin"][..],
        &["users", "set-role", ADMIN_EMAIL, "viewer"],
        &["users", "disable", ADMIN_EMAIL],
        &["users", "delete", ADMIN_EMAIL, "--yes"],
    ] {
        assert_failed(&cli(&dir, args, None), 1);
    }
    let user = listed(&dir, ADMIN_EMAIL);
    assert_eq!(user["role"], "superadmin", "{user}");
    assert_eq!(user["status"], "active", "{user}");
    // Nothing changed, so the admin's session lives on.
    let admin = Session::from_response(&server.refresh(&admin.refresh_token));
    assert_eq!(claims(&admin)["role"], "superadmin");

    // With a second superadmin the first may step down; then the second is the last.
    let second = "second@example.com";
    add(&dir, second, "second-superadmin", &["--role", "superadmin"]);
    cli(&dir, &["users", "set-role", ADMIN_EMAIL, "viewer"], None).assert_code(0);
    assert_failed(
        &cli(&dir, &["users", "set-role", second, "viewer"], None),
        1,
    );
    assert_failed(&cli(&dir, &["users", "delete", second, "--yes"], None), 1);
    assert_eq!(listed(&dir, second)["role"], "superadmin");
    server.login(second, "second-superadmin");
}

#[test]
fn a_disabled_superadmin_does_not_count_as_active() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let second = "second@example.com";
    add(&dir, second, "second-superadmin", &["--role", "superadmin"]);

    cli(&dir, &["users", "disable", second], None).assert_code(0);
    for args in [
        &["users", "disable", ADMIN_EMAIL][..],
        &["users", "set-role", ADMIN_EMAIL, "operator"],
        &["users", "delete", ADMIN_EMAIL, "--yes"],
    ] {
        assert_failed(&cli(&dir, args, None), 1);
    }
    server.admin();

    // Enabling the second makes the first free to go.
    cli(&dir, &["users", "enable", second], None).assert_code(0);
    cli(&dir, &["users", "delete", ADMIN_EMAIL, "--yes"], None).assert_code(0);
    try_login(&server, ADMIN_EMAIL, ADMIN_PASSWORD).assert_error(401, "invalid_credentials");
    let session = server.login(second, "second-superadmin");
    assert_eq!(claims(&session)["role"], "superadmin");
}

// --- import from pico-auth ---

/// One row of a pico-auth `users` table.
struct PicoUser {
    id: &'static str,
    email: &'static str,
    display_name: &'static str,
    password: &'static str,
    role: &'static str,
    org_id: &'static str,
    status: &'static str,
    created_at: &'static str,
    last_login_at: Option<&'static str>,
}

/// Alice: an operator who has logged in before.
const ALICE: PicoUser = PicoUser {
    id: "896266873fcf",
    email: "alice@example.com",
    display_name: "Alice",
    password: "alice-old-password",
    role: "operator",
    org_id: "default",
    status: "active",
    created_at: "2025-03-14T09:26:53.589793+00:00",
    last_login_at: Some("2026-11-23T13:26:35.595390+00:00"),
};
/// `created_at` of `ALICE` in seconds since the Unix epoch.
const ALICE_CREATED_AT: u64 = 1_741_944_413;

/// Bob: a suspended viewer who never logged in.
const BOB: PicoUser = PicoUser {
    id: "1a2b3c4d5e6f",
    email: "bob@example.com",
    display_name: "Bob",
    password: "bob-old-password",
    role: "viewer",
    org_id: "default",
    status: "suspended",
    created_at: "2025-04-01T00:00:00.000001+00:00",
    last_login_at: None,
};

/// Carol: an org_admin of another org.
const CAROL: PicoUser = PicoUser {
    id: "c0ffee000001",
    email: "carol@example.com",
    display_name: "Carol",
    password: "carol-old-password",
    role: "org_admin",
    org_id: "acme",
    status: "active",
    created_at: "2025-05-05T05:05:05.050505+00:00",
    last_login_at: Some("2025-06-06T06:06:06.060606+00:00"),
};

/// Writes a pico-auth 0.1.x database `name` in `dir` holding `users` and returns its path.
#[track_caller]
fn pico_auth_db(dir: &TestDir, name: &str, users: &[PicoUser]) -> PathBuf {
    let path = dir.path().join(name);
    let connection = rusqlite::Connection::open(&path)
        .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    connection
        .execute_batch(
            "CREATE TABLE users (
                id VARCHAR(36) NOT NULL PRIMARY KEY,
                email VARCHAR(255) NOT NULL UNIQUE,
                display_name VARCHAR(255) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                role VARCHAR(50) NOT NULL,
                org_id VARCHAR(100) NOT NULL,
                status VARCHAR(50) NOT NULL,
                created_at VARCHAR(50) NOT NULL,
                last_login_at VARCHAR(50)
            )",
        )
        .expect("create the pico-auth users table");
    for user in users {
        let password_hash = bcrypt::hash(user.password, 4).expect("bcrypt");
        assert!(password_hash.starts_with("$2b$"), "{password_hash}");
        connection
            .execute(
                "INSERT INTO users (id, email, display_name, password_hash, role, org_id, status, created_at, last_login_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    user.id,
                    user.email,
                    user.display_name,
                    password_hash,
                    user.role,
                    user.org_id,
                    user.status,
                    user.created_at,
                    user.last_login_at,
                ],
            )
            .expect("insert a pico-auth user");
    }
    path
}

/// `users import --from-pico-auth <source>`, asserted to exit 0, returning its stdout lines sorted.
#[track_caller]
fn import(dir: &TestDir, source: &std::path::Path) -> Vec<String> {
    let source = source.to_str().expect("a UTF-8 path");
    let run = cli(dir, &["users", "import", "--from-pico-auth", source], None);
    run.assert_code(0);
    let mut lines: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn imported_users_keep_their_ids_and_log_in_with_their_old_passwords() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let source = pico_auth_db(&dir, "pico-auth.db", &[ALICE, BOB, CAROL]);

    assert_eq!(
        import(&dir, &source),
        [
            "imported alice@example.com",
            "imported bob@example.com",
            "imported carol@example.com",
        ]
    );

    for user in [&ALICE, &CAROL] {
        let session = server.login(user.email, user.password);
        let claims = claims(&session);
        assert_eq!(claims["sub"], user.id, "{claims}");
        assert_eq!(claims["role"], user.role, "{claims}");
        assert_eq!(claims["email"], user.email, "{claims}");
        assert_eq!(claims["org_id"], user.org_id, "{claims}");
        Session::from_response(&server.refresh(&session.refresh_token));
    }
    let session = server.login(ALICE.email, ALICE.password);
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send();
    let me = response.ok_json();
    assert_eq!(me["id"], ALICE.id, "{response}");
    assert_eq!(me["display_name"], ALICE.display_name, "{response}");
    assert_eq!(me["created_at"], ALICE_CREATED_AT, "{response}");

    // Suspended in pico-auth: the right password is forbidden, a wrong one stays unauthorized.
    try_login(&server, BOB.email, BOB.password).assert_error(403, "forbidden");
    try_login(&server, BOB.email, "not-bobs-password").assert_error(401, "invalid_credentials");
    let bob = listed(&dir, BOB.email);
    assert_eq!(bob["id"], BOB.id, "{bob}");
    assert_eq!(bob["status"], "disabled", "as after `users disable`: {bob}");

    // Imported accounts are ordinary accounts: the CLI finds them by their old ids.
    cli(&dir, &["users", "enable", BOB.id], None).assert_code(0);
    let session = server.login(BOB.email, BOB.password);
    assert_eq!(claims(&session)["sub"], BOB.id);
}

#[test]
fn import_is_idempotent() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let source = pico_auth_db(&dir, "pico-auth.db", &[ALICE, BOB]);
    import(&dir, &source);
    let after_first = list_json(&dir);
    assert_eq!(
        after_first["total"], 3,
        "the admin and two imports: {after_first}"
    );

    assert_eq!(
        import(&dir, &source),
        [
            "already here alice@example.com",
            "already here bob@example.com"
        ]
    );
    assert_eq!(list_json(&dir), after_first, "nothing new was imported");
    let session = server.login(ALICE.email, ALICE.password);
    assert_eq!(claims(&session)["sub"], ALICE.id);
}

#[test]
fn import_keeps_changes_made_since_the_first_run() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let source = pico_auth_db(&dir, "pico-auth.db", &[ALICE]);
    import(&dir, &source);
    let run = cli(
        &dir,
        &["users", "passwd", ALICE.email, "--password-stdin"],
        Some("alice-new-password\n"),
    );
    run.assert_code(0);
    cli(&dir, &["users", "set-role", ALICE.id, "viewer"], None).assert_code(0);

    assert_eq!(import(&dir, &source), ["already here alice@example.com"]);
    try_login(&server, ALICE.email, ALICE.password).assert_error(401, "invalid_credentials");
    let session = server.login(ALICE.email, "alice-new-password");
    assert_eq!(claims(&session)["role"], "viewer");
}

#[test]
fn import_skips_an_email_taken_by_another_account_and_an_invalid_role() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin_id = listed(&dir, ADMIN_EMAIL)["id"].clone();
    // pico-auth bootstraps the same admin email, under another id and password.
    let pico_admin = PicoUser {
        id: "aaaaaaaaaaaa",
        email: ADMIN_EMAIL,
        display_name: "Admin",
        password: "pico-auth-admin-password",
        role: "superadmin",
        org_id: "default",
        status: "active",
        created_at: "2025-01-01T00:00:00.000000+00:00",
        last_login_at: None,
    };
    let taken_id = add(&dir, "taken@example.com", "picoauth-password", &[]);
    let taken = PicoUser {
        id: "bbbbbbbbbbbb",
        email: "taken@example.com",
        password: "pico-auth-password",
        ..BOB
    };
    add(&dir, "case@example.com", "picoauth-password", &[]);
    let other_case = PicoUser {
        id: "dddddddddddd",
        email: "Case@Example.COM",
        password: "pico-auth-password",
        ..ALICE
    };
    let rootless = PicoUser {
        id: "cccccccccccc",
        email: "root@example.com",
        password: "root-password",
        role: "root",
        ..ALICE
    };
    let source = pico_auth_db(
        &dir,
        "pico-auth.db",
        &[pico_admin, taken, other_case, rootless, ALICE],
    );

    for _ in 0..2 {
        let lines = import(&dir, &source);
        assert_eq!(lines.len(), 5, "one line per account: {lines:?}");
        for email in [
            ADMIN_EMAIL,
            "taken@example.com",
            "Case@Example.COM",
            "root@example.com",
        ] {
            assert!(
                lines
                    .iter()
                    .any(|line| line.starts_with(&format!("skipped {email}: "))),
                "{email} is skipped: {lines:?}"
            );
        }
        assert!(
            lines
                .iter()
                .any(|line| line.ends_with(" alice@example.com")),
            "{lines:?}"
        );
    }

    let list = list_json(&dir);
    assert_eq!(list["total"], 4, "the admin, taken, case and alice: {list}");
    assert!(find(&list, "root@example.com").is_none(), "{list}");
    assert_eq!(find(&list, ADMIN_EMAIL).expect("admin")["id"], admin_id);
    assert_eq!(
        find(&list, "taken@example.com").expect("taken")["id"],
        taken_id.as_str()
    );
    server.admin();
    try_login(&server, ADMIN_EMAIL, "pico-auth-admin-password")
        .assert_error(401, "invalid_credentials");
    server.login("taken@example.com", "picoauth-password");
    server.login("case@example.com", "picoauth-password");
    server.login(ALICE.email, ALICE.password);
}

#[test]
fn import_skips_an_id_taken_by_an_account_with_another_email() {
    // Two pico-auth databases (two orgs' deployments, say) may hold the same 12-hex id.
    let dir = TestDir::new();
    let server = Server::start(&dir);
    import(&dir, &pico_auth_db(&dir, "first.db", &[ALICE]));
    let mallory = PicoUser {
        email: "mallory@example.com",
        password: "mallory-password",
        ..ALICE
    };
    let second = pico_auth_db(&dir, "second.db", &[mallory]);

    let lines = import(&dir, &second);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("skipped mallory@example.com: "),
        "mallory is not here, so she is not `already here`: {lines:?}"
    );
    let list = list_json(&dir);
    assert!(find(&list, "mallory@example.com").is_none(), "{list}");
    assert_eq!(find(&list, ALICE.email).expect("alice")["id"], ALICE.id);
    let session = server.login(ALICE.email, ALICE.password);
    assert_eq!(claims(&session)["email"], ALICE.email);
}

#[test]
fn import_from_a_file_that_is_not_a_pico_auth_database_fails() {
    let dir = TestDir::new();
    init_db(&dir);
    let missing = dir.path().join("missing.db");
    let garbage = dir.write("garbage.db", "this is not SQLite\n");
    let empty = dir.path().join("empty.db");
    rusqlite::Connection::open(&empty)
        .and_then(|connection| connection.execute_batch("CREATE TABLE other (x)"))
        .expect("create a database without a users table");
    for source in [&missing, &garbage, &empty] {
        let source = source.to_str().expect("a UTF-8 path");
        let run = cli(&dir, &["users", "import", "--from-pico-auth", source], None);
        assert_ne!(run.code(), 0, "{run}");
        assert!(run.stdout.is_empty(), "{run}");
    }
    assert!(!missing.exists(), "the source is never created");
    assert_eq!(list_json(&dir)["total"], 0);
}
