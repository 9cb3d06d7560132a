//! Black-box tests of `picoauth keygen`: the first key, rotation, listing and retirement (API.md §2, §6).
//!
//! Rotation and retirement are cross-door tests: the CLI changes the keys while `picoauth serve`
//! runs, and the server's JWKS and its acceptance of tokens show that the change arrived without
//! a restart. A token minted by `picoauth mint-fleet` with the operator role is the probe: the
//! server accepts it on `GET /mints` exactly while its key is trusted.
//! The end of the grace period itself is unit-tested in `src/keys/` by moving `now`; nothing here
//! waits for it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::KeyPair as _;
use serde_json::Value;

use crate::util::{
    Run, Server, TestDir, b64url, b64url_decode, decode_jwt, now, run_on, signing_key,
    signing_key_pkcs8,
};

/// How long a running server may take to publish a key change made by the CLI.
/// It polls the key table four times a second; the margin is for a loaded machine.
const KEY_CHANGE_TIMEOUT: Duration = Duration::from_secs(5);
/// The grace period with the default settings: max(access_token_ttl 15m, fleet_max_ttl 30d).
const DEFAULT_GRACE: u64 = 30 * 24 * 3600;

// --- helpers ---

/// Runs `picoauth <args> --db <dir's db> --key-dir <dir>/keys` with no stdin.
#[track_caller]
fn cli(dir: &TestDir, args: &[&str]) -> Run {
    run_on(dir, args, &[])
}

/// Asserts that `run` printed exactly one line, a kid (base64url of a SHA-256), and returns it.
#[track_caller]
fn printed_kid(run: &Run) -> String {
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout is the kid alone\n{run}");
    let kid = lines[0].trim().to_string();
    assert_eq!(
        b64url_decode(&kid).len(),
        32,
        "a kid is a base64url SHA-256\n{run}"
    );
    kid
}

/// Asserts that `run` failed with `code` and printed nothing on stdout.
#[track_caller]
fn assert_failed(run: &Run, code: i32) {
    run.assert_code(code);
    assert!(run.stdout.is_empty(), "nothing on stdout\n{run}");
    assert!(!run.stderr.is_empty(), "one line on stderr\n{run}");
}

/// `keygen --rotate`, returning the new kid.
#[track_caller]
fn rotate(dir: &TestDir) -> String {
    printed_kid(&cli(dir, &["keygen", "--rotate"]))
}

/// `keygen --retire=<kid>`.
///
/// The `=` form, because a kid is base64url and one in 64 starts with `-`; the form with a space
/// is tested by `retire_takes_a_kid_that_starts_with_a_hyphen`.
#[track_caller]
fn retire(dir: &TestDir, kid: &str) -> Run {
    cli(dir, &["keygen", &format!("--retire={kid}")])
}

/// `keygen --list --json`, asserted to succeed and to be `{"keys": [...]}`.
#[track_caller]
fn list_json(dir: &TestDir) -> Vec<Value> {
    let run = cli(dir, &["keygen", "--list", "--json"]);
    run.assert_code(0);
    let body: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("--json prints JSON ({e})\n{run}"));
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("an object\n{run}"));
    assert_eq!(object.len(), 1, "only `keys`\n{run}");
    body["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("a `keys` array\n{run}"))
        .clone()
}

/// The entry of `kid` in a `keygen --list --json` answer.
#[track_caller]
fn listed<'a>(keys: &'a [Value], kid: &str) -> &'a Value {
    keys.iter()
        .find(|key| key["kid"] == kid)
        .unwrap_or_else(|| panic!("{kid} is listed: {keys:?}"))
}

/// A fleet token with the operator role, minted by the CLI: it may read `GET /mints`.
#[track_caller]
fn operator_token(dir: &TestDir, session_id: &str) -> String {
    let run = cli(
        dir,
        &[
            "mint-fleet",
            "--session-id",
            session_id,
            "--agent-id",
            "key-tests",
            "--role",
            "operator",
        ],
    );
    run.assert_code(0);
    let token = run.stdout.trim().to_string();
    assert_eq!(
        token.split('.').count(),
        3,
        "stdout is the token alone\n{run}"
    );
    token
}

/// The `kid` in the header of `token`.
fn kid_of(token: &str) -> String {
    decode_jwt(token).header["kid"]
        .as_str()
        .unwrap_or_else(|| panic!("the token header names a kid: {token}"))
        .to_string()
}

/// Asserts that the server accepts `token` as a Bearer on `GET /mints`.
#[track_caller]
fn assert_accepted(server: &Server, token: &str) {
    server
        .get("/api/v1/auth/mints")
        .with_bearer(token)
        .send()
        .ok_json();
}

/// Asserts that the server refuses `token` as an invalid token on `GET /mints`.
#[track_caller]
fn assert_refused(server: &Server, token: &str) {
    server
        .get("/api/v1/auth/mints")
        .with_bearer(token)
        .send()
        .assert_error(401, "invalid_token");
}

/// The kids the server's JWKS publishes now.
#[track_caller]
fn jwks_kids(server: &Server) -> Vec<String> {
    let response = server.get("/api/v1/auth/jwks").send();
    let jwks = response.ok_json();
    let Some(keys) = jwks["keys"].as_array() else {
        response.fail("JWKS has a `keys` array")
    };
    keys.iter()
        .map(|key| match key["kid"].as_str() {
            Some(kid) => kid.to_string(),
            None => response.fail("every JWKS key has a string `kid`"),
        })
        .collect()
}

/// The `ETag` the server sends with its JWKS now.
#[track_caller]
fn jwks_etag(server: &Server) -> String {
    let response = server.get("/api/v1/auth/jwks").send();
    response.assert_status(200);
    match response.header("etag") {
        Some(etag) => etag.to_string(),
        None => response.fail("the JWKS is sent with an ETag"),
    }
}

/// Polls the JWKS until `wanted` holds of its kids, failing after `KEY_CHANGE_TIMEOUT`.
#[track_caller]
fn wait_for_jwks(server: &Server, what: &str, wanted: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + KEY_CHANGE_TIMEOUT;
    loop {
        let kids = jwks_kids(server);
        if wanted(&kids) {
            return kids;
        }
        assert!(
            Instant::now() < deadline,
            "the JWKS did not come to {what} within {KEY_CHANGE_TIMEOUT:?}; it publishes {kids:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The permission bits of `path`.
#[track_caller]
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The RFC 7638 thumbprint of the public half of `dir`'s private signing key `kid`.
#[track_caller]
fn thumbprint_of_key(dir: &TestDir, kid: &str) -> String {
    let key = signing_key(dir, kid);
    let public = key.public_key();
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        b64url(public.exponent().big_endian_without_leading_zero()),
        b64url(public.modulus().big_endian_without_leading_zero())
    );
    b64url(digest(&SHA256, canonical.as_bytes()).as_ref())
}

// --- the first key ---

#[test]
fn keygen_in_an_empty_dir_creates_the_database_and_one_private_key() {
    let dir = TestDir::new();
    let kid = printed_kid(&cli(&dir, &["keygen"]));
    assert!(dir.database_made(), "keygen made the database");
    assert_eq!(
        thumbprint_of_key(&dir, &kid),
        kid,
        "the kid is the RFC 7638 thumbprint of the key"
    );

    let keys = list_json(&dir);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["kid"], kid.as_str(), "{keys:?}");
    assert_eq!(keys[0]["state"], "active", "{keys:?}");

    // A server started on the same files signs with that key.
    let server = Server::start(&dir);
    assert_eq!(jwks_kids(&server), [kid.as_str()]);
    assert_eq!(kid_of(&server.admin().access_token), kid);
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: the modes of the database file and of the key files in key_dir"
)]
fn keygen_and_rotate_write_private_files() {
    let dir = TestDir::new();
    let kid = printed_kid(&cli(&dir, &["keygen"]));
    let new_kid = rotate(&dir);
    for kid in [kid, new_kid] {
        let key_file = dir.key_dir().join(format!("{kid}.pem"));
        assert_eq!(mode(&key_file), 0o600, "signing key {}", key_file.display());
    }
    assert_eq!(mode(&dir.key_dir()), 0o700, "key directory");
    for entry in std::fs::read_dir(dir.key_dir()).expect("read key dir") {
        let path = entry.expect("key dir entry").path();
        assert_eq!(mode(&path) & 0o077, 0, "{} is private", path.display());
    }
    assert_eq!(mode(&dir.db_file()), 0o600, "database file");
}

#[test]
fn keygen_refuses_when_a_key_exists() {
    let dir = TestDir::new();
    let kid = printed_kid(&cli(&dir, &["keygen"]));
    let before = signing_key_pkcs8(&dir, &kid);

    assert_failed(&cli(&dir, &["keygen"]), 1);

    let keys = list_json(&dir);
    assert_eq!(keys.len(), 1, "no second key: {keys:?}");
    assert_eq!(keys[0]["kid"], kid.as_str(), "{keys:?}");
    assert_eq!(
        signing_key_pkcs8(&dir, &kid),
        before,
        "the key is untouched"
    );
}

#[test]
fn keygen_refuses_when_a_server_created_the_key() {
    let dir = TestDir::new();
    let kid = Server::start(&dir).kid();
    assert_failed(&cli(&dir, &["keygen"]), 1);
    let keys = list_json(&dir);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["kid"], kid.as_str(), "{keys:?}");
}

#[test]
fn keygen_usage_errors_exit_2_with_nothing_on_stdout() {
    let dir = TestDir::new();
    let kid = printed_kid(&cli(&dir, &["keygen"]));
    for args in [
        &["keygen", "--rotate", "--list"][..],
        &["keygen", "--rotate", "--retire", &kid],
        &["keygen", "--json"],
        &["keygen", "--retire"],
        &["keygen", "--no-such-flag"],
    ] {
        assert_failed(&cli(&dir, args), 2);
    }
    let keys = list_json(&dir);
    assert_eq!(keys.len(), 1, "nothing was rotated: {keys:?}");
    assert_eq!(keys[0]["state"], "active", "nothing was retired: {keys:?}");
}

// --- listing ---

#[test]
fn list_json_shows_each_key_with_its_state() {
    let dir = TestDir::new();
    let first = printed_kid(&cli(&dir, &["keygen"]));
    let keys = list_json(&dir);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = &keys[0];
    let fields: Vec<&String> = key.as_object().expect("an object").keys().collect();
    for field in ["kid", "algorithm", "state", "created_at", "published_until"] {
        assert!(
            key.get(field).is_some(),
            "`{field}` is present: {key} has {fields:?}"
        );
    }
    assert_eq!(key["kid"], first.as_str(), "{key}");
    assert_eq!(key["algorithm"], "RS256", "{key}");
    assert_eq!(key["state"], "active", "{key}");
    let created_at = key["created_at"].as_u64().expect("numeric created_at");
    assert!(created_at.abs_diff(now()) <= 60, "created now: {key}");
    assert!(
        key["published_until"].is_null(),
        "the active key has no end: {key}"
    );

    let second = rotate(&dir);
    assert_ne!(second, first, "a rotation makes a new key");
    let keys = list_json(&dir);
    assert_eq!(keys.len(), 2, "{keys:?}");
    let active = listed(&keys, &second);
    let graced = listed(&keys, &first);
    assert_eq!(active["state"], "active", "{keys:?}");
    assert!(active["published_until"].is_null(), "{keys:?}");
    assert_eq!(graced["state"], "grace", "{keys:?}");
    let rotated_at = active["created_at"].as_u64().expect("numeric created_at");
    let until = graced["published_until"]
        .as_u64()
        .expect("a key in grace has a numeric published_until");
    assert!(
        until.abs_diff(rotated_at + DEFAULT_GRACE) <= 1,
        "the grace period is max(15m, 30d) from the rotation: {keys:?}"
    );

    printed_kid(&cli(&dir, &["keygen", "--rotate"]));
    retire(&dir, &first).assert_code(0);
    let keys = list_json(&dir);
    assert_eq!(keys.len(), 3, "a retired key is still listed: {keys:?}");
    assert_eq!(listed(&keys, &first)["state"], "retired", "{keys:?}");
    assert_eq!(listed(&keys, &second)["state"], "grace", "{keys:?}");
    let n_active = keys.iter().filter(|key| key["state"] == "active").count();
    assert_eq!(n_active, 1, "exactly one key signs: {keys:?}");
}

#[test]
fn grace_period_is_the_longer_of_access_and_fleet_lifetimes() {
    let dir = TestDir::new();
    let first = printed_kid(&cli(&dir, &["keygen"]));
    // Access tokens outlive fleet tokens: their lifetime decides.
    // Server settings reach the admin commands through the environment (they are not
    // their flags).
    let second = printed_kid(&run_on(
        &dir,
        &["keygen", "--rotate"],
        &[
            ("PICOAUTH_ACCESS_TOKEN_TTL", Some("2h")),
            ("PICOAUTH_FLEET_SESSION_TTL", Some("30m")),
            ("PICOAUTH_FLEET_MAX_TTL", Some("1h")),
        ],
    ));
    // Fleet tokens outlive access tokens: the fleet maximum decides.
    let third = printed_kid(&run_on(
        &dir,
        &["keygen", "--rotate"],
        &[
            ("PICOAUTH_ACCESS_TOKEN_TTL", Some("5m")),
            ("PICOAUTH_FLEET_SESSION_TTL", Some("30m")),
            ("PICOAUTH_FLEET_MAX_TTL", Some("3h")),
        ],
    ));
    let keys = list_json(&dir);
    let created_at = |kid: &str| {
        listed(&keys, kid)["created_at"]
            .as_u64()
            .expect("created_at")
    };
    let until = |kid: &str| {
        listed(&keys, kid)["published_until"]
            .as_u64()
            .expect("published_until")
    };
    assert!(
        until(&first).abs_diff(created_at(&second) + 2 * 3600) <= 1,
        "max(2h, 1h) after the first rotation: {keys:?}"
    );
    assert!(
        until(&second).abs_diff(created_at(&third) + 3 * 3600) <= 1,
        "max(5m, 3h) after the second rotation: {keys:?}"
    );
    assert_eq!(listed(&keys, &third)["state"], "active", "{keys:?}");
}

#[test]
fn list_table_names_each_key_and_its_state() {
    let dir = TestDir::new();
    let first = printed_kid(&cli(&dir, &["keygen"]));
    let second = rotate(&dir);
    let third = rotate(&dir);
    retire(&dir, &first).assert_code(0);

    let run = cli(&dir, &["keygen", "--list"]);
    run.assert_code(0);
    let line_of = |kid: &str| {
        run.stdout
            .lines()
            .find(|line| line.contains(kid))
            .unwrap_or_else(|| panic!("{kid} has a line\n{run}"))
            .to_string()
    };
    assert!(line_of(&third).contains("active"), "{run}");
    assert!(line_of(&second).contains("grace"), "{run}");
    assert!(line_of(&first).contains("retired"), "{run}");
}

// --- rotation and retirement while the server runs ---

#[test]
fn rotation_reaches_a_running_server_and_old_tokens_still_pass() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let old_kid = server.kid();
    let old_token = operator_token(&dir, "before-rotation");
    assert_eq!(kid_of(&old_token), old_kid);
    assert_accepted(&server, &old_token);
    let admin_before = server.admin();
    assert_eq!(kid_of(&admin_before.access_token), old_kid);
    let etag_before = jwks_etag(&server);

    let new_kid = rotate(&dir);
    assert_ne!(new_kid, old_kid);
    assert_eq!(thumbprint_of_key(&dir, &new_kid), new_kid);

    // A token naming the new kid is accepted at once: the server reloads on an unknown kid.
    let new_token = operator_token(&dir, "after-rotation");
    assert_eq!(
        kid_of(&new_token),
        new_kid,
        "the CLI signs with the new key"
    );
    assert_accepted(&server, &new_token);

    wait_for_jwks(&server, "publish the old and the new key", |kids| {
        kids.len() == 2 && kids.contains(&old_kid) && kids.contains(&new_kid)
    });
    assert_accepted(&server, &old_token);
    assert_accepted(&server, &new_token);
    assert_ne!(
        jwks_etag(&server),
        etag_before,
        "a cache revalidating the JWKS must see the new key"
    );
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&admin_before.access_token)
        .send();
    response.ok_json();

    // Once the server has the new key, it signs with it, for logins and refreshes alike.
    assert_eq!(kid_of(&server.admin().access_token), new_kid);
    let response = server.refresh(&admin_before.refresh_token);
    let refreshed = crate::util::Session::from_response(&response);
    assert_eq!(kid_of(&refreshed.access_token), new_kid);
}

#[test]
fn a_rotation_is_in_the_very_next_jwks_while_other_clients_fetch_it() {
    // JWKS requests that arrive together share one read of the keys (http/shared_keys.rs); a
    // request must never be answered from a read that started before it. Four clients keep
    // reads running all the time, so each probe below arrives during one.
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let addr = server.addr();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                use std::io::{Read, Write};
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // A plain fetch per connection; the answer itself is not this test's probe.
                    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
                        continue;
                    };
                    let request =
                        "GET /api/v1/auth/jwks HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
                    if stream.write_all(request.as_bytes()).is_ok() {
                        let _ = stream.read_to_end(&mut Vec::new());
                    }
                }
            });
        }
        let probes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for round in 0..3 {
                let new_kid = rotate(&dir);
                // The CLI has committed the rotation: the next answer must publish the key.
                let kids = jwks_kids(&server);
                assert!(
                    kids.contains(&new_kid),
                    "round {round}: the JWKS after the rotation lacks {new_kid}: {kids:?}"
                );
            }
        }));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Err(panic) = probes {
            std::panic::resume_unwind(panic);
        }
    });
}

#[test]
fn restart_after_rotation_signs_with_the_new_key_and_publishes_both() {
    let dir = TestDir::new();
    let old_kid = Server::start(&dir).kid();
    let new_kid = rotate(&dir);

    let server = Server::start(&dir);
    let kids = jwks_kids(&server);
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert!(
        kids.contains(&old_kid) && kids.contains(&new_kid),
        "{kids:?}"
    );
    assert_eq!(kid_of(&server.admin().access_token), new_kid);
}

#[test]
fn retiring_the_old_key_drops_it_and_refuses_its_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let old_kid = server.kid();
    let old_token = operator_token(&dir, "signed-by-the-old-key");
    assert_accepted(&server, &old_token);

    let new_kid = rotate(&dir);
    let new_token = operator_token(&dir, "signed-by-the-new-key");
    wait_for_jwks(&server, "publish both keys", |kids| {
        kids.contains(&old_kid) && kids.contains(&new_kid)
    });
    assert_accepted(&server, &old_token);

    retire(&dir, &old_kid).assert_code(0);
    wait_for_jwks(&server, "drop the retired key", |kids| {
        kids == [new_kid.clone()]
    });
    assert_refused(&server, &old_token);
    assert_accepted(&server, &new_token);
    assert_eq!(listed(&list_json(&dir), &old_kid)["state"], "retired");
}

#[test]
fn retiring_the_active_or_an_unknown_key_fails() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let old_kid = server.kid();
    let new_kid = rotate(&dir);
    let new_token = operator_token(&dir, "signed-by-the-active-key");

    assert_failed(&retire(&dir, &new_kid), 1);
    let unknown = b64url(&[7u8; 32]);
    assert_failed(&retire(&dir, &unknown), 1);

    let keys = list_json(&dir);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(listed(&keys, &new_kid)["state"], "active", "{keys:?}");
    assert_eq!(listed(&keys, &old_kid)["state"], "grace", "{keys:?}");
    assert_accepted(&server, &new_token);
    assert!(jwks_kids(&server).contains(&new_kid));
}

#[test]
fn retire_takes_a_kid_that_starts_with_a_hyphen() {
    // base64url uses `-`, so one kid in 64 starts with it, and operators paste kids from
    // `keygen --list` after `--retire `. Such a kid is a value, not a flag: an unknown one is
    // the operation failing (1), not a usage error (2).
    let dir = TestDir::new();
    printed_kid(&cli(&dir, &["keygen"]));
    rotate(&dir);
    let unknown = format!("-{}", &b64url(&[7u8; 32])[1..]);
    assert_failed(&retire(&dir, &unknown), 1);
    assert_failed(&cli(&dir, &["keygen", "--retire", &unknown]), 1);
}

#[test]
fn rotate_and_list_need_an_existing_database() {
    let dir = TestDir::new();
    for args in [&["keygen", "--rotate"][..], &["keygen", "--list"]] {
        let run = cli(&dir, args);
        assert_ne!(run.code(), 0, "{run}");
        assert!(run.stdout.is_empty(), "{run}");
        assert!(
            !dir.database_made(),
            "{} created no database\n{run}",
            args[1]
        );
    }
}
