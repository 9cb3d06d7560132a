//! Black-box tests of configuration (API.md §7): the TOML file, `PICOAUTH_*` variables, flags and their precedence.
//!
//! Settings are observed from outside, through the discovery document's `issuer`, a login's
//! `expires_in` and the token's claims, never by reading the server's own config types.
//! Startup errors are observed through the exit code and a stderr that names the key.

use serde_json::{Value, json};

use crate::util::{ADMIN_EMAIL, ADMIN_ENV, Exit, Server, TestDir, decode_jwt, serve_until_exit};

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
