//! Black-box tests of configuration (API.md §7): the TOML file, `PICOAUTH_*` variables, flags and their precedence.
//!
//! Settings are observed from outside, through the discovery document's `issuer`, a login's
//! `expires_in` and the token's claims, never by reading the server's own config types.
//! Startup errors are observed through the exit code and a stderr that names the key.

use serde_json::{Value, json};

use crate::util::{
    ADMIN_EMAIL, ADMIN_ENV, Exit, Server, TestDir, decode_jwt, picoauth, run_on, run_picoauth,
    serve_until_exit,
};

// --- helpers ---

/// The `issuer` of the server's discovery document.
#[track_caller]
fn issuer_of(server: &Server) -> Value {
    server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json()["issuer"]
        .clone()
}

/// The `expires_in` of a fresh user's login, checked against the token's own `exp - iat`.
#[track_caller]
fn access_ttl_of(server: &Server) -> u64 {
    let (_, session) = server.register_and_login("ttl@example.com");
    let Some(expires_in) = session.body["expires_in"].as_u64() else {
        panic!("login answered no numeric expires_in: {}", session.body)
    };
    let claims = decode_jwt(&session.access_token).claims;
    let lifetime = claims["exp"].as_u64().unwrap_or(0) - claims["iat"].as_u64().unwrap_or(0);
    assert_eq!(lifetime, expires_in, "exp - iat is expires_in: {claims}");
    expires_in
}

/// Asserts a usage error (exit 2) whose stderr names `key`, in file, flag or variable spelling.
#[track_caller]
fn assert_usage_error_naming(exit: &Exit, key: &str) {
    assert_eq!(exit.status.code(), Some(2), "expected exit code 2\n{exit}");
    let stderr = exit.stderr.to_lowercase();
    let named = stderr.contains(key) || stderr.contains(&key.replace('_', "-"));
    assert!(named, "expected stderr to name `{key}`\n{exit}");
}

// --- startup errors ---

#[test]
fn unknown_config_file_key_is_a_usage_error_naming_it() {
    let dir = TestDir::new();
    let config = dir.write(
        "picoauth.toml",
        "issuer = \"http://ok.example\"\nbogus_setting = 1\n",
    );
    let exit = serve_until_exit(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_usage_error_naming(&exit, "bogus_setting");
}

#[test]
fn invalid_ttl_in_config_file_is_a_usage_error_naming_it() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "access_token_ttl = \"banana\"\n");
    let exit = serve_until_exit(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_usage_error_naming(&exit, "access_token_ttl");
}

#[test]
fn invalid_boolean_in_config_file_is_a_usage_error_naming_it() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "registration_enabled = \"maybe\"\n");
    let exit = serve_until_exit(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_usage_error_naming(&exit, "registration_enabled");
}

#[test]
fn invalid_ttl_in_environment_is_a_usage_error_naming_it() {
    let dir = TestDir::new();
    let exit = serve_until_exit(
        &dir,
        &[],
        &[ADMIN_ENV, ("PICOAUTH_ACCESS_TOKEN_TTL", "banana")],
    );
    assert_usage_error_naming(&exit, "access_token_ttl");
}

#[test]
fn invalid_ttl_flag_is_a_usage_error_naming_it() {
    let dir = TestDir::new();
    let exit = serve_until_exit(&dir, &["--access-token-ttl", "banana"], &[ADMIN_ENV]);
    assert_usage_error_naming(&exit, "access_token_ttl");
}

#[test]
fn secrets_are_not_command_line_flags() {
    let dir = TestDir::new();
    for flag in ["--admin-password", "--fleet-mint-secret"] {
        let exit = serve_until_exit(&dir, &[flag, "a-secret-on-the-command-line"], &[ADMIN_ENV]);
        assert_eq!(exit.status.code(), Some(2), "{flag} must not exist\n{exit}");
        assert!(exit.stderr.contains(flag), "the error names {flag}\n{exit}");
    }
}

// --- precedence, observed through the issuer ---

#[test]
fn issuer_defaults_to_localhost() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    assert_eq!(issuer_of(&server), "http://localhost:8100");
}

#[test]
fn config_file_beats_the_default() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "issuer = \"http://file.example\"\n");
    let server = Server::start_with(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_eq!(issuer_of(&server), "http://file.example");
}

#[test]
fn environment_beats_the_config_file() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "issuer = \"http://file.example\"\n");
    let server = Server::start_with(
        &dir,
        &["--config", config.to_str().unwrap()],
        &[ADMIN_ENV, ("PICOAUTH_ISSUER", "http://env.example")],
    );
    assert_eq!(issuer_of(&server), "http://env.example");
}

#[test]
fn flag_beats_environment_and_config_file() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "issuer = \"http://file.example\"\n");
    let server = Server::start_with(
        &dir,
        &[
            "--config",
            config.to_str().unwrap(),
            "--issuer",
            "http://flag.example",
        ],
        &[ADMIN_ENV, ("PICOAUTH_ISSUER", "http://env.example")],
    );
    assert_eq!(issuer_of(&server), "http://flag.example");
    // The configured issuer is the one tokens carry and the one the server checks.
    let session = server.admin();
    assert_eq!(
        decode_jwt(&session.access_token).claims["iss"],
        "http://flag.example"
    );
    server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send()
        .ok_json();
}

// --- durations, observed through expires_in ---

#[test]
fn access_token_ttl_accepts_seconds_and_human_durations() {
    for (ttl, seconds) in [
        ("45", 45),
        ("90s", 90),
        ("15m", 900),
        ("24h", 86_400),
        ("1d", 86_400),
    ] {
        let dir = TestDir::new();
        let server = Server::start_with(&dir, &["--access-token-ttl", ttl], &[ADMIN_ENV]);
        assert_eq!(access_ttl_of(&server), seconds, "--access-token-ttl {ttl}");
    }
}

#[test]
fn ttl_precedence_is_flag_then_environment_then_file() {
    let dir = TestDir::new();
    let config = dir.write(
        "picoauth.toml",
        "access_token_ttl = \"90s\"\nrefresh_token_ttl = \"7d\"\n",
    );
    let config = config.to_str().unwrap();
    let env_ttl = ("PICOAUTH_ACCESS_TOKEN_TTL", "2m");

    let server = Server::start_with(&dir, &["--config", config], &[ADMIN_ENV]);
    assert_eq!(access_ttl_of(&server), 90, "from the file");
    server.stop();

    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--config", config], &[ADMIN_ENV, env_ttl]);
    assert_eq!(
        access_ttl_of(&server),
        120,
        "the environment beats the file"
    );
    server.stop();

    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &["--config", config, "--access-token-ttl", "15m"],
        &[ADMIN_ENV, env_ttl],
    );
    assert_eq!(
        access_ttl_of(&server),
        900,
        "the flag beats the environment"
    );
}

#[test]
fn config_file_ttl_may_be_a_toml_integer_of_seconds() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "access_token_ttl = 90\n");
    let server = Server::start_with(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_eq!(access_ttl_of(&server), 90);
}

// --- other settings ---

#[test]
fn registration_can_be_turned_off_by_environment() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[],
        &[ADMIN_ENV, ("PICOAUTH_REGISTRATION_ENABLED", "false")],
    );
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "nope@example.com", "password": "registration-is-off"}),
        )
        .send()
        .assert_error(403, "forbidden");
}

#[test]
fn registration_flag_beats_environment() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &["--registration-enabled", "true"],
        &[ADMIN_ENV, ("PICOAUTH_REGISTRATION_ENABLED", "false")],
    );
    server.register("yes@example.com", "registration-is-on");
}

#[test]
fn audience_from_config_file_is_in_tokens() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "audience = \"pico-test\"\n");
    let server = Server::start_with(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    let session = server.admin();
    let aud = decode_jwt(&session.access_token).claims["aud"].clone();
    assert!(
        aud == "pico-test" || aud == json!(["pico-test"]),
        "aud is {aud}"
    );
    server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send()
        .ok_json();
}

#[test]
fn admin_account_comes_from_file_and_environment() {
    let dir = TestDir::new();
    let config = dir.write(
        "picoauth.toml",
        "admin_password = \"password-from-the-file\"\n",
    );
    let server = Server::start_with(
        &dir,
        &["--config", config.to_str().unwrap()],
        &[("PICOAUTH_ADMIN_EMAIL", "root@example.com")],
    );
    let session = server.login("root@example.com", "password-from-the-file");
    assert_eq!(
        decode_jwt(&session.access_token).claims["role"],
        "superadmin"
    );
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": "password-from-the-file"}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
}

#[test]
fn admin_password_from_environment_beats_the_file() {
    let dir = TestDir::new();
    let config = dir.write(
        "picoauth.toml",
        "admin_password = \"password-from-the-file\"\n",
    );
    let server = Server::start_with(
        &dir,
        &["--config", config.to_str().unwrap()],
        &[("PICOAUTH_ADMIN_PASSWORD", "password-from-the-env")],
    );
    server.login(ADMIN_EMAIL, "password-from-the-env");
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": "password-from-the-file"}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
}

// --- where each setting is a flag, and what help shows ---

#[test]
fn admin_help_lists_only_what_admin_commands_use() {
    for command in [
        &["users", "--help"][..],
        &["users", "add", "--help"],
        &["revoke", "--help"],
    ] {
        let run = run_picoauth(command);
        run.assert_code(0);
        for shared in [
            "--config <FILE>",
            "--db <FILE>",
            "--key-dir <DIR>",
            "--issuer <URL>",
            "--audience <TEXT>",
        ] {
            assert!(run.stdout.contains(shared), "{shared} missing\n{run}");
        }
        for server_only in [
            "--listen",
            "--fleet-session-ttl",
            "--access-token-ttl",
            "--log-format",
            "--tls-cert-file",
        ] {
            assert!(
                !run.stdout.contains(server_only),
                "{server_only} listed\n{run}"
            );
        }
    }
    let run = run_picoauth(&["users", "add", "--help"]);
    assert!(run.stdout.contains("--role <ROLE>"), "{run}");
    assert!(
        run.stdout.contains("superadmin"),
        "the roles are listed\n{run}"
    );
}

#[test]
fn serve_help_lists_the_server_settings_with_their_defaults() {
    let run = run_picoauth(&["serve", "--help"]);
    run.assert_code(0);
    for expected in [
        "--listen <ADDR>",
        "[default: 127.0.0.1:8100]",
        "[env: PICOAUTH_LISTEN]",
        "--access-token-ttl <DURATION>",
        "[default: 15m]",
        "--fleet-session-ttl <DURATION>",
        "[default: 24h]",
        "--tls-cert-file <FILE>",
        "--tls-key-file <FILE>",
        "--db <FILE>",
        "[default: picoauth.db]",
        "[default: from listen]",
    ] {
        assert!(run.stdout.contains(expected), "{expected} missing\n{run}");
    }
    for secret in ["--admin-password", "--fleet-mint-secret"] {
        assert!(!run.stdout.contains(secret), "{secret} listed\n{run}");
    }
}

#[test]
fn server_settings_are_refused_as_admin_flags() {
    let dir = TestDir::new();
    let run = run_on(&dir, &["list-mints", "--listen", "127.0.0.1:9"], &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("--listen"), "{run}");
}

#[test]
fn admin_commands_read_every_setting_from_the_environment() {
    let dir = TestDir::new();
    let db = dir.path().join("elsewhere.db");
    let key_dir = dir.path().join("elsewhere-keys");
    let env = |command: &mut std::process::Command| {
        command
            .env("PICOAUTH_DB", &db)
            .env("PICOAUTH_KEY_DIR", &key_dir)
            .stdin(std::process::Stdio::null());
    };
    let mut keygen = picoauth();
    keygen.arg("keygen");
    env(&mut keygen);
    let output = keygen.output().expect("run picoauth keygen");
    assert!(output.status.success(), "{output:?}");
    assert!(db.exists(), "PICOAUTH_DB names the database keygen creates");
    let mut mint = picoauth();
    mint.args([
        "mint-fleet",
        "--session-id",
        "s",
        "--agent-id",
        "a",
        "--ttl",
        "10m",
    ])
    .env("PICOAUTH_ISSUER", "https://env.example")
    .env("PICOAUTH_MINT_AUDIT_MIN_TTL", "1h");
    env(&mut mint);
    let output = mint.output().expect("run picoauth mint-fleet");
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert_eq!(decode_jwt(&token).claims["iss"], "https://env.example");
}

// --- unknown names ---

#[test]
fn unknown_environment_variable_warns_with_the_nearest_and_the_server_starts() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[],
        &[ADMIN_ENV, ("PICOAUTH_FLEET_SECRET", "not-the-right-name")],
    );
    // The endpoint stays off: the misspelt secret was not taken.
    server
        .post_json(
            "/api/v1/auth/fleet/sessions",
            &json!({"session_id": "s", "agent_id": "a"}),
        )
        .header("X-Fleet-Secret", "not-the-right-name")
        .send()
        .assert_status(404);
    let stderr = server.stop();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("PICOAUTH_FLEET_SECRET"))
        .collect();
    assert_eq!(lines.len(), 1, "one warning line\n{stderr}");
    assert!(lines[0].contains("WARN"), "{stderr}");
    assert!(
        lines[0].contains("did you mean PICOAUTH_FLEET_MINT_SECRET?"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-right-name"),
        "the value is not printed\n{stderr}"
    );
}

#[test]
fn unknown_config_file_key_suggests_the_nearest() {
    let dir = TestDir::new();
    let config = dir.write("picoauth.toml", "acess_token_ttl = \"5m\"\n");
    let exit = serve_until_exit(&dir, &["--config", config.to_str().unwrap()], &[ADMIN_ENV]);
    assert_usage_error_naming(&exit, "acess_token_ttl");
    assert!(
        exit.stderr.contains("did you mean `access_token_ttl`?"),
        "{exit}"
    );
}

// --- the issuer follows listen ---

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("bind a free port")
}

#[test]
fn issuer_follows_listen_and_discovery_follows_the_issuer() {
    let dir = TestDir::new();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_with(&dir, &["--listen", &listen], &[ADMIN_ENV]);
    let expected = format!("http://localhost:{port}");
    assert_eq!(issuer_of(&server), expected.as_str());
    let discovery = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(
        discovery["jwks_uri"],
        format!("{expected}/api/v1/auth/jwks"),
        "{discovery}"
    );
    let session = server.admin();
    assert_eq!(
        decode_jwt(&session.access_token).claims["iss"],
        expected.as_str()
    );
    let stderr = server.stop();
    // The admin commands cannot see --listen: serve says so.
    assert!(stderr.contains("follows --listen"), "{stderr}");
}

#[test]
fn issuer_from_listen_in_the_environment_is_shared_with_the_admin_commands() {
    let dir = TestDir::new();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_with(
        &dir,
        &[],
        &[ADMIN_ENV, ("PICOAUTH_LISTEN", listen.as_str())],
    );
    // The test harness's own --listen 127.0.0.1:0 wins over the variable: any free port
    // leaves the issuer at the default port, for the server and the admin commands alike.
    assert_eq!(issuer_of(&server), "http://localhost:8100");
    let run = run_on(
        &dir,
        &["mint-fleet", "--session-id", "s", "--agent-id", "a"],
        &[("PICOAUTH_LISTEN", Some(listen.as_str()))],
    );
    run.assert_code(0);
    assert_eq!(
        decode_jwt(run.stdout.trim()).claims["iss"],
        format!("http://localhost:{port}").as_str()
    );
    drop(server);
}

#[test]
fn a_non_loopback_listen_without_an_issuer_warns() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--listen", "0.0.0.0:0"], &[ADMIN_ENV]);
    let stderr = server.stop();
    assert!(stderr.contains("issuer is not set"), "{stderr}");
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[
            "--listen",
            "0.0.0.0:0",
            "--issuer",
            "https://auth.example.com",
        ],
        &[ADMIN_ENV],
    );
    let stderr = server.stop();
    assert!(!stderr.contains("issuer is not set"), "{stderr}");
}
