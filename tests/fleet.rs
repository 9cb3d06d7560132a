//! Black-box tests of fleet tokens, revocation and the mint audit (API.md §2–§4, §6), through both doors.
//!
//! Every row of `/fleet/sessions`, `/revoke`, `/revoked-jtis` and `/mints` is driven over HTTP
//! with its failures; `mint-fleet`, `revoke` and `list-mints` are driven as processes on the same
//! files. Cross-door tests act through one door and observe through the other: a token the CLI
//! mints is used against the running server, a jti the CLI revokes is refused on the next request,
//! and `--json` output is compared key by key with the HTTP answer for the same jti.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde_json::{Value, json};

use crate::util::{
    ADMIN_ENV, Response, Run, Server, TestDir, b64url_decode, decode_jwt, now, run_on,
    serve_until_exit,
};

const DEFAULT_ISSUER: &str = "http://localhost:8100";
const DEFAULT_AUDIENCE: &str = "pico";
const SECRET: &str = "first-fleet-secret-0123456789";
const OTHER_SECRET: &str = "second-fleet-secret-9876543210";
const SECRET_VAR: &str = "PICOAUTH_FLEET_MINT_SECRET";
const DEFAULT_FLEET_TTL: u64 = 24 * 60 * 60;
const DEFAULT_FLEET_MAX_TTL: u64 = 30 * 24 * 60 * 60;
const ACCESS_TTL: u64 = 15 * 60;
/// The OS user the CLI runs as in these tests, so `minted_by` and `revoked_by` are known.
const CLI_USER: &str = "fleet-tester";

const FLEET_SESSION_KEYS: [&str; 3] = ["session_token", "exp", "jti"];
const REVOKED_KEYS: [&str; 4] = ["jti", "revoked_at", "reason", "revoked_by"];
const MINT_KEYS: [&str; 12] = [
    "jti",
    "kind",
    "sub",
    "role",
    "org_id",
    "iat",
    "exp",
    "scope",
    "agent_id",
    "session_id",
    "minted_by",
    "revoked",
];

// --- helpers ---

/// A server with the fleet secret `SECRET` configured and `args` on its command line.
#[track_caller]
fn fleet_server(dir: &TestDir, args: &[&str]) -> Server {
    Server::start_with(dir, args, &[ADMIN_ENV, (SECRET_VAR, SECRET)])
}

/// `POST /fleet/sessions` with `body`, sending `X-Fleet-Secret: secret` unless `secret` is `None`.
fn mint(server: &Server, secret: Option<&str>, body: &Value) -> Response {
    let request = server.post_json("/api/v1/auth/fleet/sessions", body);
    match secret {
        Some(secret) => request.header("X-Fleet-Secret", secret).send(),
        None => request.send(),
    }
}

/// Mints with `SECRET` and returns the 200 body, whose keys must be exactly `FLEET_SESSION_KEYS`.
#[track_caller]
fn mint_ok(server: &Server, body: &Value) -> Value {
    let response = mint(server, Some(SECRET), body);
    let answer = response.ok_json();
    if keys(&answer) != key_set(&FLEET_SESSION_KEYS) {
        response.fail("expected exactly {session_token, exp, jti}");
    }
    answer
}

/// The token of a `/fleet/sessions`-shaped answer.
#[track_caller]
fn token_of(answer: &Value) -> String {
    match answer["session_token"].as_str() {
        Some(token) => token.to_string(),
        None => panic!("no string session_token in {answer}"),
    }
}

/// A fresh fleet token of `role`, minted over HTTP with `SECRET`.
#[track_caller]
fn fleet_token(server: &Server, role: &str) -> String {
    token_of(&mint_ok(
        server,
        &json!({"session_id": format!("session-{role}"), "agent_id": "agent-1", "role": role}),
    ))
}

/// The `jti` claim of `token`.
#[track_caller]
fn jti_of(token: &str) -> String {
    let claims = decode_jwt(token).claims;
    match claims["jti"].as_str() {
        Some(jti) => jti.to_string(),
        None => panic!("no string jti in {claims}"),
    }
}

/// `exp - iat` of `token`.
#[track_caller]
fn lifetime_of(token: &str) -> u64 {
    let claims = decode_jwt(token).claims;
    let (Some(iat), Some(exp)) = (claims["iat"].as_u64(), claims["exp"].as_u64()) else {
        panic!("no numeric iat and exp in {claims}")
    };
    exp - iat
}

/// The keys of a JSON object.
fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

fn key_set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// Whether `text` is 32 lowercase hex characters (128 bits).
fn is_hex32(text: &str) -> bool {
    text.len() == 32
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Asserts that `token` verifies against the server's JWKS, under the `kid` of its header.
#[track_caller]
fn assert_verifies_against_jwks(server: &Server, token: &str) {
    let jwt = decode_jwt(token);
    assert_eq!(jwt.header["alg"], "RS256", "{token}");
    assert_eq!(jwt.header["typ"], "JWT", "{token}");
    let jwks = server.get("/api/v1/auth/jwks").send().ok_json();
    let Some(key) = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|key| key["kid"] == jwt.header["kid"]))
    else {
        panic!(
            "no JWKS key has the token's kid {}: {jwks}",
            jwt.header["kid"]
        )
    };
    let n = b64url_decode(key["n"].as_str().expect("JWKS n"));
    let e = b64url_decode(key["e"].as_str().expect("JWKS e"));
    RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .verify(
        &RSA_PKCS1_2048_8192_SHA256,
        jwt.signing_input.as_bytes(),
        &jwt.signature,
    )
    .unwrap_or_else(|_| panic!("the token does not verify against the JWKS: {token}"));
}

/// `POST /revoke` of `jti` (with `reason` if given) under `token`.
fn revoke(server: &Server, token: &str, jti: &str, reason: Option<&str>) -> Response {
    let body = match reason {
        Some(reason) => json!({"jti": jti, "reason": reason}),
        None => json!({"jti": jti}),
    };
    server
        .post_json("/api/v1/auth/revoke", &body)
        .with_bearer(token)
        .send()
}

/// Revokes `jti` and returns the `revoked` entry, whose keys must be exactly `REVOKED_KEYS`.
#[track_caller]
fn revoke_ok(server: &Server, token: &str, jti: &str, reason: Option<&str>) -> Value {
    let response = revoke(server, token, jti, reason);
    let body = response.ok_json();
    if keys(&body) != key_set(&["revoked"]) {
        response.fail("expected exactly {revoked}");
    }
    let entry = body["revoked"].clone();
    if keys(&entry) != key_set(&REVOKED_KEYS) {
        response.fail("expected revoked = {jti, revoked_at, reason, revoked_by}");
    }
    if entry["jti"] != jti {
        response.fail("the entry is not for the jti sent");
    }
    entry
}

/// `GET <path>` under `token`, answering the `items` array.
#[track_caller]
fn items(server: &Server, token: &str, path: &str) -> Vec<Value> {
    let response = server.get(path).with_bearer(token).send();
    let body = response.ok_json();
    if keys(&body) != key_set(&["items"]) {
        response.fail("expected exactly {items}");
    }
    match body["items"].as_array() {
        Some(items) => items.clone(),
        None => response.fail("`items` is not an array"),
    }
}

/// The `jti`s of `items`, in order.
fn jtis(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["jti"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The one item of `items` whose `jti` is `jti`.
#[track_caller]
fn item_for<'a>(items: &'a [Value], jti: &str) -> &'a Value {
    let found: Vec<&Value> = items.iter().filter(|item| item["jti"] == jti).collect();
    assert_eq!(found.len(), 1, "expected one item for {jti} in {items:?}");
    found[0]
}

/// Waits until the clock has passed `epoch`, so the next thing the server stamps is later.
///
/// Bounded polling on the wall clock, which the server shares; the stamps have one-second resolution.
#[track_caller]
fn wait_until_after(epoch: u64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while now() <= epoch {
        assert!(Instant::now() < deadline, "the clock did not pass {epoch}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the CLI on `dir` as the OS user `CLI_USER`.
#[track_caller]
fn cli(dir: &TestDir, args: &[&str]) -> Run {
    run_on(
        dir,
        args,
        &[
            ("USER", Some(CLI_USER)),
            ("SUDO_USER", None),
            ("LOGNAME", None),
        ],
    )
}

/// Runs `picoauth mint-fleet <args>` and returns the token, checking stdout is exactly one line.
#[track_caller]
fn cli_mint(dir: &TestDir, args: &[&str]) -> String {
    let mut all = vec!["mint-fleet"];
    all.extend_from_slice(args);
    let run = cli(dir, &all);
    run.assert_code(0);
    let Some(token) = run.stdout.strip_suffix('\n') else {
        panic!("stdout does not end in a newline\n{run}")
    };
    assert!(
        !token.contains('\n') && !token.contains(' ') && token.split('.').count() == 3,
        "stdout is not exactly one line holding a token\n{run}"
    );
    token.to_string()
}

/// Parses each line of `run`'s stdout as JSON.
#[track_caller]
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:?}\n{run}"))
        })
        .collect()
}

/// The JSON object that is the whole of `run`'s stdout.
#[track_caller]
fn json_stdout(run: &Run) -> Value {
    let value: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e})\n{run}"));
    assert!(value.is_object(), "stdout is not a JSON object\n{run}");
    value
}

/// Asserts a usage error: exit 2, nothing on stdout, something on stderr.
#[track_caller]
fn assert_usage_error(run: &Run) {
    run.assert_code(2);
    assert!(
        run.stdout.is_empty(),
        "a usage error prints nothing on stdout\n{run}"
    );
    assert!(
        !run.stderr.is_empty(),
        "a usage error explains itself on stderr\n{run}"
    );
}

// --- POST /fleet/sessions ---

#[test]
fn fleet_sessions_is_not_found_without_a_secret() {
    let body = json!({"session_id": "s", "agent_id": "a"});
    let dir = TestDir::new();
    let server = Server::start(&dir);
    mint(&server, Some(SECRET), &body).assert_error(404, "not_found");
    mint(&server, None, &body).assert_error(404, "not_found");
    drop(server);

    // An empty variable configures no secret either, so the empty header cannot match it.
    let server = Server::start_with(&dir, &[], &[ADMIN_ENV, (SECRET_VAR, "")]);
    mint(&server, Some(""), &body).assert_error(404, "not_found");
    mint(&server, Some(SECRET), &body).assert_error(404, "not_found");
}

#[test]
fn fleet_sessions_refuses_a_missing_or_wrong_secret() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let body = json!({"session_id": "s", "agent_id": "a"});
    mint(&server, None, &body).assert_error(401, "unauthorized");
    for wrong in [
        "",
        "wrong",
        &SECRET[..SECRET.len() - 1],
        &format!("{SECRET}x"),
        &SECRET.to_uppercase(),
    ] {
        let response = mint(&server, Some(wrong), &body);
        if response.status != 401 {
            response.fail(&format!("the secret {wrong:?} must be refused"));
        }
        response.assert_error(401, "unauthorized");
    }
    // The control: the right secret works on the same server.
    mint_ok(&server, &body);
}

#[test]
fn every_configured_fleet_secret_is_valid() {
    let dir = TestDir::new();
    let both = format!("{SECRET},{OTHER_SECRET}");
    let server = Server::start_with(&dir, &[], &[ADMIN_ENV, (SECRET_VAR, &both)]);
    let body = json!({"session_id": "s", "agent_id": "a"});
    for secret in [SECRET, OTHER_SECRET] {
        let response = mint(&server, Some(secret), &body);
        let answer = response.ok_json();
        assert!(answer["session_token"].is_string(), "{response}");
    }
    // The list itself is not a secret.
    mint(&server, Some(&both), &body).assert_error(401, "unauthorized");
}

#[test]
fn fleet_token_carries_the_claims_and_verifies_against_jwks() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let answer = mint_ok(
        &server,
        &json!({"session_id": "sess-42", "agent_id": "builder-7", "scope": "deploy:staging"}),
    );
    let token = token_of(&answer);
    assert_verifies_against_jwks(&server, &token);
    let jwt = decode_jwt(&token);
    assert_eq!(jwt.header["kid"], server.kid().as_str(), "{}", jwt.header);

    let claims = &jwt.claims;
    assert_eq!(
        keys(claims),
        key_set(&[
            "iss",
            "aud",
            "iat",
            "exp",
            "jti",
            "sub",
            "role",
            "session_id",
            "agent_id",
            "scope",
            "scopes"
        ]),
        "{claims}"
    );
    // Issue 15: the list form of `scope`, for pico-client-auth's `@requires_scope`.
    assert_eq!(claims["scopes"], json!(["deploy:staging"]), "{claims}");
    assert_eq!(claims["iss"], DEFAULT_ISSUER, "{claims}");
    assert_eq!(claims["aud"], DEFAULT_AUDIENCE, "{claims}");
    assert_eq!(claims["sub"], "sess-42", "{claims}");
    assert_eq!(claims["session_id"], "sess-42", "{claims}");
    assert_eq!(claims["agent_id"], "builder-7", "{claims}");
    assert_eq!(claims["role"], "agent", "the default role: {claims}");
    assert_eq!(claims["scope"], "deploy:staging", "{claims}");
    let jti = claims["jti"].as_str().expect("string jti");
    assert!(is_hex32(jti), "jti is 32 hex chars: {claims}");
    assert_eq!(answer["jti"], jti, "the answer names the token's jti");
    assert_eq!(
        answer["exp"], claims["exp"],
        "the answer names the token's exp"
    );
    let iat = claims["iat"].as_u64().expect("numeric iat");
    assert!(iat.abs_diff(now()) <= 60, "iat is now: {claims}");
    assert_eq!(lifetime_of(&token), DEFAULT_FLEET_TTL, "{claims}");

    // Without a scope there is no scope claim, and every token has its own jti.
    let bare = token_of(&mint_ok(
        &server,
        &json!({"session_id": "sess-42", "agent_id": "builder-7"}),
    ));
    let bare_claims = decode_jwt(&bare).claims;
    assert!(bare_claims.get("scope").is_none(), "{bare_claims}");
    assert_ne!(bare_claims["jti"], jti, "{bare_claims}");
}

#[test]
fn fleet_ttl_is_clamped_and_accepts_durations() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    for (ttl, expected) in [
        (None, DEFAULT_FLEET_TTL),
        (Some(json!(0)), DEFAULT_FLEET_TTL),
        (Some(json!(1)), 60),
        (Some(json!(59)), 60),
        (Some(json!(90)), 90),
        (Some(json!("1s")), 60),
        (Some(json!("90s")), 90),
        (Some(json!("1h")), 3600),
        (Some(json!("7d")), 7 * 24 * 3600),
        (Some(json!(1_000_000_000)), DEFAULT_FLEET_MAX_TTL),
        (Some(json!("999d")), DEFAULT_FLEET_MAX_TTL),
    ] {
        let mut body = json!({"session_id": "s", "agent_id": "a"});
        if let Some(ttl) = &ttl {
            body["ttl"] = ttl.clone();
        }
        let answer = mint_ok(&server, &body);
        let token = token_of(&answer);
        assert_eq!(
            lifetime_of(&token),
            expected,
            "ttl {ttl:?} gives exp - iat = {expected}: {}",
            decode_jwt(&token).claims
        );
    }
    for bad in [json!("banana"), json!(-5)] {
        mint(
            &server,
            Some(SECRET),
            &json!({"session_id": "s", "agent_id": "a", "ttl": bad}),
        )
        .assert_error(400, "invalid_request");
    }
}

#[test]
fn fleet_ttl_follows_the_configured_default_and_maximum() {
    let dir = TestDir::new();
    let server = fleet_server(
        &dir,
        &["--fleet-session-ttl", "2h", "--fleet-max-ttl", "3h"],
    );
    for (ttl, expected) in [
        (None, 2 * 3600),
        (Some(json!(0)), 2 * 3600),
        (Some(json!("1h")), 3600),
        (Some(json!("4h")), 3 * 3600),
        (Some(json!(86_400)), 3 * 3600),
    ] {
        let mut body = json!({"session_id": "s", "agent_id": "a"});
        if let Some(ttl) = &ttl {
            body["ttl"] = ttl.clone();
        }
        let token = token_of(&mint_ok(&server, &body));
        assert_eq!(lifetime_of(&token), expected, "ttl {ttl:?}");
    }
}

#[test]
fn fleet_roles_outside_the_allow_list_are_invalid_requests() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    for role in ["agent", "service"] {
        let token = token_of(&mint_ok(
            &server,
            &json!({"session_id": "s", "agent_id": "a", "role": role}),
        ));
        assert_eq!(decode_jwt(&token).claims["role"], role);
    }
    for role in [
        "operator",
        "superadmin",
        "org_admin",
        "viewer",
        "wallet",
        "no-such-role",
        "",
    ] {
        let response = mint(
            &server,
            Some(SECRET),
            &json!({"session_id": "s", "agent_id": "a", "role": role}),
        );
        if response.status != 400 {
            response.fail(&format!("the fleet secret must not mint role {role:?}"));
        }
        response.assert_error(400, "invalid_request");
    }
}

#[test]
fn fleet_allowed_roles_is_configurable() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &["--fleet-allowed-roles", "agent,operator"]);
    let token = token_of(&mint_ok(
        &server,
        &json!({"session_id": "s", "agent_id": "a", "role": "operator"}),
    ));
    assert_eq!(decode_jwt(&token).claims["role"], "operator");
    mint(
        &server,
        Some(SECRET),
        &json!({"session_id": "s", "agent_id": "a", "role": "service"}),
    )
    .assert_error(400, "invalid_request");
}

#[test]
fn fleet_sessions_needs_session_id_and_agent_id() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    for body in [
        json!({"agent_id": "a"}),
        json!({"session_id": "s"}),
        json!({"session_id": "", "agent_id": "a"}),
        json!({"session_id": "s", "agent_id": ""}),
        json!({}),
        json!({"session_id": 7, "agent_id": "a"}),
    ] {
        let response = mint(&server, Some(SECRET), &body);
        if response.status != 400 {
            response.fail(&format!("{body} must be refused"));
        }
        response.assert_error(400, "invalid_request");
    }
}

#[test]
fn fleet_secret_is_never_a_flag() {
    let dir = TestDir::new();
    let exit = serve_until_exit(&dir, &["--fleet-mint-secret", SECRET], &[ADMIN_ENV]);
    assert_eq!(exit.status.code(), Some(2), "{exit}");
    assert!(
        !exit.stderr.contains(SECRET),
        "the refused secret is not echoed\n{exit}"
    );
}

#[test]
fn fleet_secret_and_tokens_never_reach_the_log() {
    let dir = TestDir::new();
    let both = format!("{SECRET},{OTHER_SECRET}");
    let server = Server::start_with(
        &dir,
        &[],
        &[
            ADMIN_ENV,
            (SECRET_VAR, &both),
            ("PICOAUTH_LOG_LEVEL", "trace"),
        ],
    );
    let token = fleet_token(&server, "service");
    let wrong = "a-wrong-fleet-secret-guess";
    mint(
        &server,
        Some(wrong),
        &json!({"session_id": "s", "agent_id": "a"}),
    )
    .assert_error(401, "unauthorized");
    items(&server, &token, "/api/v1/auth/revoked-jtis");
    let stderr = server.stop();
    for (what, secret) in [
        ("the fleet secret", SECRET),
        ("the second fleet secret", OTHER_SECRET),
        ("a wrong fleet secret", wrong),
        ("a fleet token", token.as_str()),
        (
            "a fleet token's signature",
            token.rsplit('.').next().unwrap(),
        ),
    ] {
        assert!(
            !stderr.contains(secret),
            "the log shows {what}\n--- stderr ---\n{stderr}"
        );
    }
}

// --- who may revoke, list revocations and read the audit ---

#[test]
fn revocation_routes_need_a_token() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let response = server
        .post_json("/api/v1/auth/revoke", &json!({"jti": "x"}))
        .send();
    response.assert_error(401, "unauthorized");
    for path in ["/api/v1/auth/revoked-jtis", "/api/v1/auth/mints"] {
        server.get(path).send().assert_error(401, "unauthorized");
    }
    // A token that is not one of ours is refused as such.
    revoke(&server, "not.a.token", "x", None).assert_error(401, "invalid_token");
}

#[test]
fn revoke_and_mints_need_an_admin_or_operator() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let (_, viewer) = server.register_and_login("viewer@example.com");
    let agent = fleet_token(&server, "agent");
    let service = fleet_token(&server, "service");
    for (who, token) in [
        ("viewer", viewer.access_token.as_str()),
        ("agent", agent.as_str()),
        ("service", service.as_str()),
    ] {
        let response = revoke(&server, token, "some-jti", None);
        if response.status != 403 {
            response.fail(&format!("a {who} may not revoke"));
        }
        response.assert_error(403, "forbidden");
        let response = server.get("/api/v1/auth/mints").with_bearer(token).send();
        if response.status != 403 {
            response.fail(&format!("a {who} may not read the mint audit"));
        }
        response.assert_error(403, "forbidden");
    }
    // Nothing was revoked by the refused attempts.
    let admin = server.admin();
    let listed = items(&server, &admin.access_token, "/api/v1/auth/revoked-jtis");
    assert!(
        !jtis(&listed).contains(&"some-jti".to_string()),
        "{listed:?}"
    );

    let (_, operator) = server.user_with_role("operator@example.com", "operator");
    let (_, org_admin) = server.user_with_role("org-admin@example.com", "org_admin");
    for token in [
        admin.access_token.as_str(),
        org_admin.access_token.as_str(),
        operator.access_token.as_str(),
    ] {
        // Each may revoke a fleet token (what an org_admin or operator may not is in authz.rs).
        let jti = jti_of(&fleet_token(&server, "agent"));
        let entry = revoke_ok(&server, token, &jti, None);
        assert_eq!(entry["jti"], jti.as_str());
        items(&server, token, "/api/v1/auth/mints");
        items(&server, token, "/api/v1/auth/revoked-jtis");
    }
}

#[test]
fn revoke_follows_the_users_current_role() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let set_role = |id: &str, role: &str| {
        server
            .put_json(
                &format!("/api/v1/auth/users/{id}/role"),
                &json!({"role": role}),
            )
            .with_bearer(&admin.access_token)
            .send()
            .ok_json();
    };

    // Fleet tokens, which an operator may revoke.
    let before_demotion = jti_of(&fleet_token(&server, "agent"));
    let after_demotion = jti_of(&fleet_token(&server, "agent"));
    let before_promotion = jti_of(&fleet_token(&server, "agent"));
    let after_promotion = jti_of(&fleet_token(&server, "agent"));

    // A token minted while its user was an operator stops working for /revoke on demotion.
    let (demoted_id, demoted) = server.user_with_role("demoted@example.com", "operator");
    assert_eq!(decode_jwt(&demoted.access_token).claims["role"], "operator");
    revoke_ok(&server, &demoted.access_token, &before_demotion, None);
    set_role(&demoted_id, "viewer");
    revoke(&server, &demoted.access_token, &after_demotion, None).assert_error(403, "forbidden");
    server
        .get("/api/v1/auth/mints")
        .with_bearer(&demoted.access_token)
        .send()
        .assert_error(403, "forbidden");

    // A token minted while its user was a viewer works once the user is promoted.
    let (promoted_id, promoted) = server.register_and_login("promoted@example.com");
    assert_eq!(decode_jwt(&promoted.access_token).claims["role"], "viewer");
    revoke(&server, &promoted.access_token, &before_promotion, None).assert_error(403, "forbidden");
    set_role(&promoted_id, "operator");
    revoke_ok(&server, &promoted.access_token, &after_promotion, None);

    let listed = jtis(&items(
        &server,
        &admin.access_token,
        "/api/v1/auth/revoked-jtis",
    ));
    assert!(listed.contains(&before_demotion), "{listed:?}");
    assert!(listed.contains(&after_promotion), "{listed:?}");
    assert!(!listed.contains(&after_demotion), "{listed:?}");
    assert!(!listed.contains(&before_promotion), "{listed:?}");
}

#[test]
fn operator_fleet_token_from_the_cli_may_revoke() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let operator = cli_mint(
        &dir,
        &[
            "--session-id",
            "ops-1",
            "--agent-id",
            "ops",
            "--role",
            "operator",
        ],
    );
    let target = jti_of(&fleet_token(&server, "agent"));
    let entry = revoke_ok(&server, &operator, &target, Some("drill"));
    assert_eq!(entry["reason"], "drill", "{entry}");
    assert!(
        entry["revoked_by"]
            .as_str()
            .is_some_and(|by| !by.is_empty()),
        "revoked_by names someone: {entry}"
    );
}

// --- POST /revoke ---

#[test]
fn revoke_answers_the_entry_and_is_idempotent() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    // A fleet token: an operator may revoke it too (see authz.rs for what it may not).
    let leaked = jti_of(&fleet_token(&server, "agent"));
    let first = revoke_ok(&server, &admin.access_token, &leaked, Some("leaked in CI"));
    assert_eq!(first["reason"], "leaked in CI", "{first}");
    let revoked_at = first["revoked_at"].as_u64().expect("numeric revoked_at");
    assert!(
        revoked_at.abs_diff(now()) <= 60,
        "revoked_at is now: {first}"
    );
    assert!(
        first["revoked_by"]
            .as_str()
            .is_some_and(|by| !by.is_empty()),
        "revoked_by names someone: {first}"
    );

    // Again, later, by someone else, with another reason: the first entry, unchanged.
    wait_until_after(revoked_at);
    let (_, operator) = server.user_with_role("op@example.com", "operator");
    let again = revoke_ok(&server, &operator.access_token, &leaked, Some("other"));
    assert_eq!(again, first, "revoking again returns the first entry");
    let again = revoke_ok(&server, &admin.access_token, &leaked, None);
    assert_eq!(again, first, "revoking again returns the first entry");

    let listed = items(&server, &admin.access_token, "/api/v1/auth/revoked-jtis");
    let matching: Vec<&Value> = listed
        .iter()
        .filter(|i| i["jti"] == leaked.as_str())
        .collect();
    assert_eq!(matching, vec![&first], "listed once, as first revoked");
}

#[test]
fn revoke_needs_a_jti() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    for body in [
        json!({}),
        json!({"jti": ""}),
        json!({"reason": "x"}),
        json!({"jti": 5}),
    ] {
        let response = server
            .post_json("/api/v1/auth/revoke", &body)
            .with_bearer(&admin.access_token)
            .send();
        if response.status != 400 {
            response.fail(&format!("{body} must be refused"));
        }
        response.assert_error(400, "invalid_request");
    }
}

#[test]
fn revoked_user_token_is_refused_on_the_next_request() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let (_, victim) = server.register_and_login("victim@example.com");
    server
        .get("/api/v1/auth/me")
        .with_bearer(&victim.access_token)
        .send()
        .ok_json();
    revoke_ok(
        &server,
        &admin.access_token,
        &jti_of(&victim.access_token),
        None,
    );
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&victim.access_token)
        .send();
    response.assert_error(401, "invalid_token");

    // An admin can revoke the token it is using; the next request with it is refused too.
    let second = server.admin();
    revoke_ok(
        &server,
        &second.access_token,
        &jti_of(&second.access_token),
        None,
    );
    server
        .get("/api/v1/auth/mints")
        .with_bearer(&second.access_token)
        .send()
        .assert_error(401, "invalid_token");
    // Other tokens of the same user are untouched.
    items(&server, &admin.access_token, "/api/v1/auth/mints");
}

#[test]
fn revoked_fleet_token_is_refused_on_the_next_request() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let service = fleet_token(&server, "service");
    items(&server, &service, "/api/v1/auth/revoked-jtis");
    revoke_ok(
        &server,
        &admin.access_token,
        &jti_of(&service),
        Some("rotated"),
    );
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&service)
        .send()
        .assert_error(401, "invalid_token");
}

// --- GET /revoked-jtis ---

#[test]
fn agent_token_cannot_read_revoked_jtis_but_service_can() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let entry = revoke_ok(&server, &admin.access_token, "seen-by-service", Some("why"));
    let agent = fleet_token(&server, "agent");
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&agent)
        .send()
        .assert_error(403, "forbidden");
    let (_, viewer) = server.register_and_login("viewer@example.com");
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&viewer.access_token)
        .send()
        .assert_error(403, "forbidden");

    let service = fleet_token(&server, "service");
    let listed = items(&server, &service, "/api/v1/auth/revoked-jtis");
    assert_eq!(item_for(&listed, "seen-by-service"), &entry);
    for item in &listed {
        assert_eq!(keys(item), key_set(&REVOKED_KEYS), "{item}");
    }
}

#[test]
fn revoked_jtis_lists_newest_first_and_since_keeps_the_later_ones() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let token = admin.access_token.as_str();
    let old = revoke_ok(&server, token, "old", None);
    let old_at = old["revoked_at"].as_u64().expect("numeric revoked_at");
    wait_until_after(old_at);
    let middle = revoke_ok(&server, token, "middle", None);
    let middle_at = middle["revoked_at"].as_u64().expect("numeric revoked_at");
    wait_until_after(middle_at);
    let new = revoke_ok(&server, token, "new", None);
    let new_at = new["revoked_at"].as_u64().expect("numeric revoked_at");

    let all = items(&server, token, "/api/v1/auth/revoked-jtis");
    assert_eq!(
        jtis(&all),
        ["new", "middle", "old"],
        "newest first: {all:?}"
    );
    assert_eq!(all, [new.clone(), middle.clone(), old.clone()]);

    let since = |epoch: u64| {
        jtis(&items(
            &server,
            token,
            &format!("/api/v1/auth/revoked-jtis?since={epoch}"),
        ))
    };
    assert_eq!(since(0), ["new", "middle", "old"]);
    assert_eq!(
        since(old_at),
        ["new", "middle", "old"],
        "since is inclusive"
    );
    assert_eq!(since(middle_at), ["new", "middle"], "since is inclusive");
    assert_eq!(since(old_at + 1), ["new", "middle"]);
    assert_eq!(since(new_at), ["new"]);
    assert!(since(new_at + 1).is_empty());

    server
        .get("/api/v1/auth/revoked-jtis?since=yesterday")
        .with_bearer(token)
        .send()
        .assert_error(400, "invalid_request");
}

#[test]
fn revoked_jtis_orders_revocations_of_one_second_newest_first() {
    // revoked_at has one-second resolution; within one second "newest first" still means
    // the order in which they were revoked, not the order of the jtis' spelling.
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let token = admin.access_token.as_str();
    let order = ["tie-a", "tie-m", "tie-z"];
    let stamps: Vec<u64> = order
        .iter()
        .map(|jti| {
            revoke_ok(&server, token, jti, None)["revoked_at"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let listed = jtis(&items(&server, token, "/api/v1/auth/revoked-jtis"));
    if stamps.iter().all(|stamp| *stamp == stamps[0]) {
        assert_eq!(
            listed,
            ["tie-z", "tie-m", "tie-a"],
            "three revocations in one second, listed newest first"
        );
    } else {
        // A second boundary fell between them; the order is then fixed by revoked_at alone.
        let mut expected = order.map(String::from).to_vec();
        expected.reverse();
        assert_eq!(listed, expected, "newest first across seconds");
    }
}

// --- GET /mints ---

#[test]
fn mints_lists_logins_and_fleet_tokens_newest_first() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let (user_id, user) = server.register_and_login("audited@example.com");
    let fleet = mint_ok(
        &server,
        &json!({"session_id": "sess-9", "agent_id": "agent-9", "role": "service", "scope": "poll", "ttl": "2h"}),
    );
    // Shorter than mint_audit_min_ttl (5m): not audited.
    let short = mint_ok(
        &server,
        &json!({"session_id": "short", "agent_id": "agent-9", "ttl": 60}),
    );
    let admin = server.admin();

    let listed = items(&server, &admin.access_token, "/api/v1/auth/mints");
    for item in &listed {
        assert_eq!(keys(item), key_set(&MINT_KEYS), "{item}");
    }
    let order = jtis(&listed);
    let admin_jti = jti_of(&admin.access_token);
    let fleet_jti = fleet["jti"].as_str().unwrap().to_string();
    let user_jti = jti_of(&user.access_token);
    assert_eq!(
        order[..3],
        [admin_jti.clone(), fleet_jti.clone(), user_jti.clone()],
        "newest first: {listed:?}"
    );
    let iats: Vec<u64> = listed.iter().map(|i| i["iat"].as_u64().unwrap()).collect();
    assert!(
        iats.windows(2).all(|w| w[0] >= w[1]),
        "iat descends: {iats:?}"
    );
    assert!(
        !order.contains(&short["jti"].as_str().unwrap().to_string()),
        "a 60 s token is not audited: {listed:?}"
    );

    let user_claims = decode_jwt(&user.access_token).claims;
    assert_eq!(
        item_for(&listed, &user_jti),
        &json!({
            "jti": user_jti,
            "kind": "user",
            "sub": user_id,
            "role": "viewer",
            "org_id": "default",
            "iat": user_claims["iat"],
            "exp": user_claims["exp"],
            "scope": null,
            "agent_id": null,
            "session_id": null,
            "minted_by": "POST /login",
            "revoked": false,
        })
    );
    assert_eq!(lifetime_of(&user.access_token), ACCESS_TTL);

    let fleet_claims = decode_jwt(&token_of(&fleet)).claims;
    assert_eq!(
        item_for(&listed, &fleet_jti),
        &json!({
            "jti": fleet_jti,
            "kind": "fleet",
            "sub": "sess-9",
            "role": "service",
            "org_id": null,
            "iat": fleet_claims["iat"],
            "exp": fleet["exp"],
            "scope": "poll",
            "agent_id": "agent-9",
            "session_id": "sess-9",
            "minted_by": "POST /fleet/sessions",
            "revoked": false,
        })
    );
    let admin_item = item_for(&listed, &admin_jti);
    assert_eq!(admin_item["kind"], "user", "{admin_item}");
    assert_eq!(admin_item["role"], "superadmin", "{admin_item}");
}

#[test]
fn mints_limit_and_active_filter() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let minted: Vec<String> = (0..205)
        .map(|i| {
            let answer = mint_ok(
                &server,
                &json!({"session_id": format!("s{i}"), "agent_id": "bulk", "role": "service"}),
            );
            answer["jti"].as_str().unwrap().to_string()
        })
        .collect();
    let token = admin.access_token.as_str();

    let default = items(&server, token, "/api/v1/auth/mints");
    assert_eq!(default.len(), 200, "the default limit is 200");
    let mut newest: Vec<String> = minted.iter().rev().take(200).cloned().collect();
    assert_eq!(jtis(&default), newest, "the 200 newest, newest first");

    let all = items(&server, token, "/api/v1/auth/mints?limit=1000");
    assert_eq!(all.len(), 206, "205 fleet tokens and the admin's login");
    let one = items(&server, token, "/api/v1/auth/mints?limit=1");
    assert_eq!(jtis(&one), [minted[204].clone()], "limit=1 is the newest");

    let revoked_jti = minted[204].clone();
    revoke_ok(&server, token, &revoked_jti, None);
    let active = items(&server, token, "/api/v1/auth/mints?limit=3&active=true");
    newest = minted.iter().rev().skip(1).take(3).cloned().collect();
    assert_eq!(jtis(&active), newest, "active leaves the revoked one out");
    let with_revoked = items(&server, token, "/api/v1/auth/mints?limit=1");
    assert_eq!(with_revoked[0]["jti"], revoked_jti.as_str());
    assert_eq!(with_revoked[0]["revoked"], true, "{with_revoked:?}");
}

#[test]
fn discovery_names_the_revocation_endpoint() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server.get("/.well-known/openid-configuration").send();
    let discovery = response.ok_json();
    assert_eq!(
        discovery["revocation_endpoint"],
        format!("{DEFAULT_ISSUER}/api/v1/auth/revoke"),
        "{response}"
    );
}

// --- picoauth mint-fleet ---

#[test]
fn mint_fleet_prints_one_token_line_that_the_server_accepts() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let token = cli_mint(
        &dir,
        &[
            "--session-id",
            "cli-sess",
            "--agent-id",
            "cli-agent",
            "--role",
            "operator",
            "--ttl",
            "2h",
            "--scope",
            "ops",
        ],
    );
    assert_verifies_against_jwks(&server, &token);
    let claims = decode_jwt(&token).claims;
    assert_eq!(claims["iss"], DEFAULT_ISSUER, "{claims}");
    assert_eq!(claims["aud"], DEFAULT_AUDIENCE, "{claims}");
    assert_eq!(claims["sub"], "cli-sess", "{claims}");
    assert_eq!(claims["session_id"], "cli-sess", "{claims}");
    assert_eq!(claims["agent_id"], "cli-agent", "{claims}");
    assert_eq!(claims["role"], "operator", "{claims}");
    assert_eq!(claims["scope"], "ops", "{claims}");
    assert!(
        is_hex32(claims["jti"].as_str().unwrap_or_default()),
        "{claims}"
    );
    assert_eq!(lifetime_of(&token), 2 * 3600, "{claims}");

    // The running server accepts the CLI's operator token on an operator route,
    // and its own audit entry is there, minted by the CLI's OS user.
    let listed = items(&server, &token, "/api/v1/auth/mints");
    let entry = item_for(&listed, &jti_of(&token));
    assert_eq!(entry["kind"], "fleet", "{entry}");
    assert_eq!(entry["role"], "operator", "{entry}");
    assert_eq!(entry["scope"], "ops", "{entry}");
    assert_eq!(entry["minted_by"], format!("cli:{CLI_USER}"), "{entry}");
    assert_eq!(entry["revoked"], false, "{entry}");
}

#[test]
fn mint_fleet_may_mint_any_role_and_defaults_to_agent() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let agent = cli_mint(&dir, &["--session-id", "s", "--agent-id", "a"]);
    let claims = decode_jwt(&agent).claims;
    assert_eq!(claims["role"], "agent", "{claims}");
    assert!(claims.get("scope").is_none(), "{claims}");
    assert_eq!(lifetime_of(&agent), DEFAULT_FLEET_TTL);

    let service = cli_mint(
        &dir,
        &["--session-id", "s", "--agent-id", "a", "--role", "service"],
    );
    items(&server, &service, "/api/v1/auth/revoked-jtis");
    let superadmin = cli_mint(
        &dir,
        &[
            "--session-id",
            "s",
            "--agent-id",
            "a",
            "--role",
            "superadmin",
        ],
    );
    revoke_ok(&server, &superadmin, "by-a-cli-superadmin", None);
}

#[test]
fn mint_fleet_clamps_the_ttl_like_the_server() {
    let dir = TestDir::new();
    let _server = fleet_server(&dir, &[]);
    for (ttl, expected) in [
        ("1s", 60),
        ("1", 60),
        ("90s", 90),
        ("24h", DEFAULT_FLEET_TTL),
        ("999d", DEFAULT_FLEET_MAX_TTL),
    ] {
        let token = cli_mint(
            &dir,
            &["--session-id", "s", "--agent-id", "a", "--ttl", ttl],
        );
        assert_eq!(lifetime_of(&token), expected, "--ttl {ttl}");
    }
    let run = cli(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "s",
            "--agent-id",
            "a",
            "--ttl",
            "banana",
        ],
    );
    assert_usage_error(&run);
}

#[test]
fn mint_fleet_json_is_the_fleet_sessions_object() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let http = mint_ok(&server, &json!({"session_id": "s", "agent_id": "a"}));
    let run = cli(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "s",
            "--agent-id",
            "a",
            "--json",
        ],
    );
    run.assert_code(0);
    let answer = json_stdout(&run);
    assert_eq!(keys(&answer), keys(&http), "{run}");
    let token = token_of(&answer);
    assert_verifies_against_jwks(&server, &token);
    let claims = decode_jwt(&token).claims;
    assert_eq!(answer["jti"], claims["jti"], "{run}");
    assert_eq!(answer["exp"], claims["exp"], "{run}");
    assert!(
        answer["exp"].is_u64(),
        "exp is a number, as over HTTP: {run}"
    );
}

#[test]
fn mint_fleet_minted_by_names_the_os_user() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let args = [
        "mint-fleet",
        "--session-id",
        "s",
        "--agent-id",
        "a",
        "--json",
    ];
    let mut expected = Vec::new();
    for (env, user) in [
        (
            [
                ("SUDO_USER", Some("sudoer")),
                ("USER", Some("root")),
                ("LOGNAME", Some("root")),
            ],
            "sudoer",
        ),
        (
            [
                ("SUDO_USER", None),
                ("USER", Some("plain")),
                ("LOGNAME", Some("other")),
            ],
            "plain",
        ),
        (
            [
                ("SUDO_USER", None),
                ("USER", None),
                ("LOGNAME", Some("logname")),
            ],
            "logname",
        ),
    ] {
        let run = run_on(&dir, &args, &env);
        run.assert_code(0);
        let jti = json_stdout(&run)["jti"].as_str().unwrap().to_string();
        expected.push((jti, format!("cli:{user}")));
    }
    let listed = items(&server, &admin.access_token, "/api/v1/auth/mints");
    for (jti, minted_by) in expected {
        assert_eq!(item_for(&listed, &jti)["minted_by"], minted_by.as_str());
    }
}

#[test]
fn mint_fleet_without_session_or_agent_is_a_usage_error() {
    let dir = TestDir::new();
    let _server = fleet_server(&dir, &[]);
    assert_usage_error(&cli(&dir, &["mint-fleet", "--agent-id", "a"]));
    assert_usage_error(&cli(&dir, &["mint-fleet", "--session-id", "s"]));
}

// --- picoauth revoke ---

#[test]
fn cli_revoke_is_refused_by_the_running_server_on_the_next_request() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let service = fleet_token(&server, "service");
    let (_, user) = server.register_and_login("cli-revoked@example.com");
    items(&server, &service, "/api/v1/auth/revoked-jtis");

    let run = cli(
        &dir,
        &[
            "revoke",
            &jti_of(&service),
            &jti_of(&user.access_token),
            "--reason",
            "cli drill",
        ],
    );
    run.assert_code(0);

    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&service)
        .send()
        .assert_error(401, "invalid_token");
    server
        .get("/api/v1/auth/me")
        .with_bearer(&user.access_token)
        .send()
        .assert_error(401, "invalid_token");

    let listed = items(&server, &admin.access_token, "/api/v1/auth/revoked-jtis");
    for jti in [jti_of(&service), jti_of(&user.access_token)] {
        let entry = item_for(&listed, &jti);
        assert_eq!(entry["reason"], "cli drill", "{entry}");
        assert_eq!(entry["revoked_by"], format!("cli:{CLI_USER}"), "{entry}");
    }
    let audit = items(&server, &admin.access_token, "/api/v1/auth/mints");
    assert_eq!(item_for(&audit, &jti_of(&service))["revoked"], true);
}

#[test]
fn cli_revoke_json_is_the_revoke_object_and_is_idempotent() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let over_http = revoke_ok(&server, &admin.access_token, "http-first", Some("http"));

    // One object per jti, one per line, in argument order; the HTTP entry comes back unchanged.
    let run = cli(
        &dir,
        &[
            "revoke",
            "http-first",
            "cli-first",
            "cli-second",
            "--reason",
            "cli",
            "--json",
            // Neither cli-first nor cli-second was ever minted: the CLI revokes them only when
            // told to (tests/operator.rs checks the refusal).
            "--force",
        ],
    );
    run.assert_code(0);
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 3, "{run}");
    for line in &lines {
        assert_eq!(keys(line), key_set(&["revoked"]), "{run}");
        assert_eq!(keys(&line["revoked"]), key_set(&REVOKED_KEYS), "{run}");
    }
    assert_eq!(lines[0]["revoked"], over_http, "{run}");
    assert_eq!(lines[1]["revoked"]["jti"], "cli-first", "{run}");
    assert_eq!(lines[1]["revoked"]["reason"], "cli", "{run}");
    assert_eq!(
        lines[1]["revoked"]["revoked_by"],
        format!("cli:{CLI_USER}"),
        "{run}"
    );
    assert_eq!(lines[2]["revoked"]["jti"], "cli-second", "{run}");

    // The same entries over HTTP, and again from the CLI: nothing changes.
    let listed = items(&server, &admin.access_token, "/api/v1/auth/revoked-jtis");
    for line in &lines {
        let entry = &line["revoked"];
        assert_eq!(item_for(&listed, entry["jti"].as_str().unwrap()), entry);
    }
    wait_until_after(lines[1]["revoked"]["revoked_at"].as_u64().unwrap());
    let again = revoke_ok(&server, &admin.access_token, "cli-first", Some("later"));
    assert_eq!(
        again, lines[1]["revoked"],
        "HTTP returns the CLI's first entry"
    );
    let run_again = cli(
        &dir,
        &[
            "revoke",
            "http-first",
            "cli-first",
            "cli-second",
            "--reason",
            "again",
            "--json",
        ],
    );
    run_again.assert_code(0);
    assert_eq!(json_lines(&run_again), lines, "{run_again}");

    // Without --json the jtis are still revoked, idempotently, with exit 0.
    let plain = cli(&dir, &["revoke", "cli-first", "plain-new", "--force"]);
    plain.assert_code(0);
    let listed = jtis(&items(
        &server,
        &admin.access_token,
        "/api/v1/auth/revoked-jtis",
    ));
    assert!(listed.contains(&"plain-new".to_string()), "{listed:?}");
    assert_eq!(
        listed.iter().filter(|jti| *jti == "cli-first").count(),
        1,
        "{listed:?}"
    );
}

#[test]
fn cli_revoke_without_a_jti_is_a_usage_error() {
    let dir = TestDir::new();
    let _server = fleet_server(&dir, &[]);
    assert_usage_error(&cli(&dir, &["revoke"]));
    assert_usage_error(&cli(&dir, &["revoke", "--reason", "why"]));
}

// --- picoauth list-mints ---

#[test]
fn http_revoke_shows_in_list_mints_json() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let admin = server.admin();
    let kept = mint_ok(
        &server,
        &json!({"session_id": "kept", "agent_id": "a", "scope": "s"}),
    );
    let gone = mint_ok(&server, &json!({"session_id": "gone", "agent_id": "a"}));
    let gone_jti = gone["jti"].as_str().unwrap();
    let kept_jti = kept["jti"].as_str().unwrap();
    revoke_ok(&server, &admin.access_token, gone_jti, None);

    let run = cli(&dir, &["list-mints", "--json"]);
    run.assert_code(0);
    let answer = json_stdout(&run);
    assert_eq!(keys(&answer), key_set(&["items"]), "{run}");
    let cli_items = answer["items"].as_array().expect("items array").clone();
    assert_eq!(item_for(&cli_items, gone_jti)["revoked"], true, "{run}");
    assert_eq!(item_for(&cli_items, kept_jti)["revoked"], false, "{run}");

    // The same entries, key for key and value for value, as GET /mints.
    let http_items = items(&server, &admin.access_token, "/api/v1/auth/mints");
    for jti in [gone_jti, kept_jti, jti_of(&admin.access_token).as_str()] {
        let (from_cli, from_http) = (item_for(&cli_items, jti), item_for(&http_items, jti));
        assert_eq!(keys(from_cli), key_set(&MINT_KEYS), "{from_cli}");
        assert_eq!(
            from_cli, from_http,
            "list-mints --json and GET /mints agree on {jti}"
        );
    }
    // Both list the same entries in the same order, newest first.
    assert_eq!(jtis(&cli_items), jtis(&http_items[..cli_items.len()]));

    let active = json_stdout(&cli(&dir, &["list-mints", "--active", "--json"]));
    let active = jtis(active["items"].as_array().expect("items array"));
    assert!(active.contains(&kept_jti.to_string()), "{active:?}");
    assert!(!active.contains(&gone_jti.to_string()), "{active:?}");

    let one = json_stdout(&cli(&dir, &["list-mints", "--limit", "1", "--json"]));
    assert_eq!(one["items"].as_array().map(Vec::len), Some(1), "{one}");
}

#[test]
fn list_mints_prints_a_table_naming_each_jti() {
    let dir = TestDir::new();
    let server = fleet_server(&dir, &[]);
    let minted = mint_ok(&server, &json!({"session_id": "table", "agent_id": "a"}));
    let run = cli(&dir, &["list-mints"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(minted["jti"].as_str().unwrap()),
        "the table names the jti\n{run}"
    );
    assert!(
        serde_json::from_str::<Value>(&run.stdout).is_err(),
        "without --json the output is a table\n{run}"
    );
}

#[test]
fn list_mints_limit_out_of_range_is_a_usage_error() {
    let dir = TestDir::new();
    let _server = fleet_server(&dir, &[]);
    for limit in ["0", "1001", "-1", "many"] {
        assert_usage_error(&cli(&dir, &["list-mints", "--limit", limit]));
        assert_usage_error(&cli(&dir, &["list-mints", "--limit", limit, "--json"]));
    }
    cli(&dir, &["list-mints", "--limit", "1000", "--json"]).assert_code(0);
}

// --- the CLI without a database ---

#[test]
fn cli_without_a_database_is_a_usage_error() {
    let dir = TestDir::new();
    for args in [
        &["mint-fleet", "--session-id", "s", "--agent-id", "a"][..],
        &[
            "mint-fleet",
            "--session-id",
            "s",
            "--agent-id",
            "a",
            "--json",
        ],
        &["revoke", "some-jti"],
        &["revoke", "some-jti", "--json"],
        &["list-mints"],
        &["list-mints", "--json"],
    ] {
        let run = cli(&dir, args);
        assert_usage_error(&run);
        assert!(!dir.database_made(), "the CLI creates no database\n{run}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path())
            .expect("read test dir")
            .count(),
        0,
        "the CLI leaves nothing behind"
    );
}
