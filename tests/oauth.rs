//! OAuth 2.0 for machines (API.md §10, issue 15): `picoauth clients`, `POST /token`
//! (`client_credentials`, `refresh_token`), client authentication by HTTP Basic and
//! `client_secret_post`, RFC 6749 §5.2 errors, secret rotation with a grace period, the
//! throttle on wrong secrets, introspection (RFC 7662), RFC 7009 revocation, discovery
//! (RFC 8414), and fleet tokens' `scopes`. Every test runs on both backends.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::util::{ADMIN_ENV, Response, Server, TestDir, decode_jwt, encode_jwt, poll, run_on};

pub(crate) const TOKEN: &str = "/api/v1/auth/token";
pub(crate) const INTROSPECT: &str = "/api/v1/auth/introspect";
pub(crate) const REVOKE: &str = "/api/v1/auth/revoke";
const FORM: &str = "application/x-www-form-urlencoded";

/// `picoauth clients add <id> <args…>`: the secret, checking stdout is that one line.
#[track_caller]
pub(crate) fn add_client(dir: &TestDir, client_id: &str, args: &[&str]) -> String {
    let mut all = vec!["clients", "add", client_id];
    all.extend_from_slice(args);
    let run = run_on(dir, &all, &[]);
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout is the secret alone:\n{run}");
    assert!(
        lines[0].len() >= 43,
        "a secret of at least 256 bits:\n{run}"
    );
    lines[0].to_owned()
}

/// `picoauth clients rotate-secret <id> <args…>`: the new secret.
#[track_caller]
fn rotate(dir: &TestDir, client_id: &str, args: &[&str]) -> String {
    let mut all = vec!["clients", "rotate-secret", client_id];
    all.extend_from_slice(args);
    let run = run_on(dir, &all, &[]);
    run.assert_code(0);
    run.stdout.trim().to_owned()
}

pub(crate) fn basic(client_id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    format!("Basic {encoded}")
}

/// A form body from pairs (values percent-encoded where needed).
fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `POST path` with a form body, authenticated by Basic when `client` is given.
pub(crate) fn post_form(
    server: &Server,
    path: &str,
    client: Option<(&str, &str)>,
    pairs: &[(&str, &str)],
) -> Response {
    let mut request = server.request("POST", path);
    if let Some((client_id, secret)) = client {
        request = request.header("Authorization", &basic(client_id, secret));
    }
    request.body(FORM, form(pairs)).send()
}

/// `grant_type=client_credentials` by Basic.
pub(crate) fn client_credentials(server: &Server, client_id: &str, secret: &str) -> Response {
    post_form(
        server,
        TOKEN,
        Some((client_id, secret)),
        &[("grant_type", "client_credentials")],
    )
}

/// Asserts an RFC 6749 §5.2 error: the status, `error`, and `error_description` equal to
/// `detail`, with `Cache-Control: no-store`.
#[track_caller]
pub(crate) fn assert_oauth_error(response: &Response, status: u16, code: &str) {
    response.assert_error(status, code);
    let body = response.json();
    if body["error_description"] != body["detail"] {
        response.fail("expected error_description to be the detail");
    }
    if response.header("cache-control") != Some("no-store") {
        response.fail("expected Cache-Control: no-store");
    }
    if code == "invalid_client"
        && !response
            .header("www-authenticate")
            .is_some_and(|value| value.starts_with("Basic"))
    {
        response.fail("expected WWW-Authenticate: Basic on invalid_client");
    }
}

pub(crate) fn introspect(server: &Server, client: (&str, &str), token: &str) -> Value {
    post_form(server, INTROSPECT, Some(client), &[("token", token)]).ok_json()
}

// --- clients and client_credentials ---

#[test]
fn client_credentials_by_basic_and_by_post_mint_scoped_client_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let secret = add_client(
        &dir,
        "billing",
        &["--scopes", "invoices:read invoices:write"],
    );

    let response = client_credentials(&server, "billing", &secret);
    let body = response.ok_json();
    assert_eq!(
        response.header("cache-control"),
        Some("no-store"),
        "{response}"
    );
    assert_eq!(body["token_type"], "Bearer", "{response}");
    assert_eq!(body["expires_in"], 3600, "{response}");
    assert_eq!(body["scope"], "invoices:read invoices:write", "{response}");
    assert!(
        body.get("refresh_token").is_none(),
        "RFC 6749 §4.4.3: {response}"
    );
    let token = body["access_token"].as_str().unwrap().to_owned();
    let claims = decode_jwt(&token).claims;
    assert_eq!(claims["sub"], "billing");
    assert_eq!(claims["client_id"], "billing");
    assert_eq!(claims["role"], "service");
    assert_eq!(claims["scopes"], json!(["invoices:read", "invoices:write"]));
    // The server accepts it: a service token may read the denylist.
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&token)
        .send()
        .ok_json();
    // It is in the mint audit, by the client.
    let mints = run_on(&dir, &["list-mints", "--json"], &[]);
    mints.assert_code(0);
    let items: Value = serde_json::from_str(&mints.stdout).unwrap();
    let jti = claims["jti"].as_str().unwrap();
    let audited = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["jti"] == jti)
        .unwrap_or_else(|| panic!("{jti} is audited:\n{mints}"));
    assert_eq!(audited["sub"], "billing");
    assert_eq!(audited["kind"], "client");

    // client_secret_post, asking for fewer scopes.
    let response = post_form(
        &server,
        TOKEN,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "billing"),
            ("client_secret", &secret),
            ("scope", "invoices:read"),
        ],
    );
    let body = response.ok_json();
    assert_eq!(body["scope"], "invoices:read", "{response}");
    let claims = decode_jwt(body["access_token"].as_str().unwrap()).claims;
    assert_eq!(claims["scope"], "invoices:read");
    assert_eq!(claims["scopes"], json!(["invoices:read"]));
}

#[test]
fn the_token_endpoint_answers_rfc_6749_errors() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let secret = add_client(&dir, "billing", &["--scopes", "a b"]);
    let grant = ("grant_type", "client_credentials");

    assert_oauth_error(
        &client_credentials(&server, "billing", "pcs_wrong"),
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &post_form(&server, TOKEN, None, &[grant]),
        401,
        "invalid_client",
    );
    let response = server
        .request("POST", TOKEN)
        .header("Authorization", "Basic !!!")
        .body(FORM, form(&[grant]))
        .send();
    assert_oauth_error(&response, 401, "invalid_client");
    // Basic and the body at once.
    let both = post_form(
        &server,
        TOKEN,
        Some(("billing", &secret)),
        &[grant, ("client_id", "billing"), ("client_secret", &secret)],
    );
    assert_oauth_error(&both, 400, "invalid_request");
    let scope = post_form(
        &server,
        TOKEN,
        Some(("billing", &secret)),
        &[grant, ("scope", "a c")],
    );
    assert_oauth_error(&scope, 400, "invalid_scope");
    let password = post_form(
        &server,
        TOKEN,
        Some(("billing", &secret)),
        &[
            ("grant_type", "password"),
            ("username", "x"),
            ("password", "y"),
        ],
    );
    assert_oauth_error(&password, 400, "unsupported_grant_type");
    let missing = post_form(
        &server,
        TOKEN,
        Some(("billing", &secret)),
        &[("scope", "a")],
    );
    assert_oauth_error(&missing, 400, "invalid_request");
    let repeated = server
        .request("POST", TOKEN)
        .header("Authorization", &basic("billing", &secret))
        .body(
            FORM,
            b"grant_type=client_credentials&grant_type=client_credentials".to_vec(),
        )
        .send();
    assert_oauth_error(&repeated, 400, "invalid_request");
    let as_json = server
        .request("POST", TOKEN)
        .header("Authorization", &basic("billing", &secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send();
    assert_oauth_error(&as_json, 400, "invalid_request");
    let too_large = server
        .request("POST", TOKEN)
        .body(FORM, vec![b'a'; 70 * 1024])
        .send();
    too_large.assert_status(413);
    // And the right secret still works.
    client_credentials(&server, "billing", &secret).ok_json();
}

#[test]
fn an_unknown_client_and_a_wrong_secret_get_one_answer_in_similar_time() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--login-free-failures", "100"], &[ADMIN_ENV]);
    let secret = add_client(&dir, "billing", &[]);
    let wrong = format!("{}x", &secret[..secret.len() - 1]);
    let answer = |client_id: &str, secret: &str| {
        let started = Instant::now();
        let response = client_credentials(&server, client_id, secret);
        (response, started.elapsed())
    };
    let (unknown, _) = answer("nobody", &secret);
    let (mistaken, _) = answer("billing", &wrong);
    assert_oauth_error(&unknown, 401, "invalid_client");
    assert_eq!(unknown.body, mistaken.body, "{unknown}\n{mistaken}");
    assert_eq!(
        unknown.header("www-authenticate"),
        mistaken.header("www-authenticate")
    );
    // Medians of interleaved rounds: the unknown id costs the hash and the lookup too.
    let mut unknown_times = Vec::new();
    let mut wrong_times = Vec::new();
    for _ in 0..15 {
        unknown_times.push(answer("nobody", &secret).1);
        wrong_times.push(answer("billing", &wrong).1);
    }
    unknown_times.sort();
    wrong_times.sort();
    let (unknown_median, wrong_median) = (unknown_times[7], wrong_times[7]);
    let gap = unknown_median.abs_diff(wrong_median);
    assert!(
        gap < Duration::from_millis(25) + wrong_median.max(unknown_median) / 2,
        "unknown {unknown_median:?} vs wrong {wrong_median:?}"
    );
}

#[test]
fn a_rotated_secret_works_for_its_grace_period_only() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let first = add_client(&dir, "billing", &[]);
    // The default grace (client_secret_grace, 1h): both work.
    let second = rotate(&dir, "billing", &[]);
    assert_ne!(first, second);
    client_credentials(&server, "billing", &first).ok_json();
    client_credentials(&server, "billing", &second).ok_json();
    // Without grace (a leaked secret): the previous one ends at once, and so does the first.
    let third = rotate(&dir, "billing", &["--grace", "0"]);
    assert_oauth_error(
        &client_credentials(&server, "billing", &second),
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &client_credentials(&server, "billing", &first),
        401,
        "invalid_client",
    );
    client_credentials(&server, "billing", &third).ok_json();
    // A short grace, from the setting: the old secret works, then stops.
    let run = run_on(
        &dir,
        &["clients", "rotate-secret", "billing"],
        &[("PICOAUTH_CLIENT_SECRET_GRACE", Some("2s"))],
    );
    run.assert_code(0);
    let fourth = run.stdout.trim().to_owned();
    client_credentials(&server, "billing", &third).ok_json();
    client_credentials(&server, "billing", &fourth).ok_json();
    poll("the grace period ends", Duration::from_secs(10), || {
        let response = client_credentials(&server, "billing", &third);
        if response.status == 401 {
            Ok(())
        } else {
            Err(response.to_string())
        }
    });
    client_credentials(&server, "billing", &fourth).ok_json();
    assert_eq!(
        run_on(&dir, &["clients", "rotate-secret", "nobody"], &[]).code(),
        1
    );
}

#[test]
fn wrong_client_secrets_are_throttled_per_address_never_per_client_id() {
    let dir = TestDir::new();
    // One free failure: an address gets 4.
    let args = [
        "--login-free-failures",
        "1",
        "--login-max-delay",
        "30s",
        "--trusted-proxies",
        "127.0.0.1",
    ];
    let server = Server::start_with(&dir, &args, &[ADMIN_ENV]);
    let secret = add_client(&dir, "billing", &[]);
    let other_secret = add_client(&dir, "reports", &[]);
    let from = |address: &str, client_id: &str, secret: &str| {
        server
            .request("POST", TOKEN)
            .header("X-Forwarded-For", address)
            .header("Authorization", &basic(client_id, secret))
            .body(FORM, form(&[("grant_type", "client_credentials")]))
            .send()
    };
    // Per address: four wrong secrets (for any ids), then even a right one waits.
    for n in 0..4 {
        assert_oauth_error(
            &from("203.0.113.1", &format!("guess{n}"), "x"),
            401,
            "invalid_client",
        );
    }
    crate::util::assert_throttled(&from("203.0.113.1", "billing", &secret));
    from("203.0.113.2", "billing", &secret).ok_json();
    // Never per client id: wrong secrets for it from twenty addresses hold up neither the
    // client itself (a 256-bit secret needs no per-id cap; one would let strangers lock the
    // client out, tests/attacks_oauth.rs) nor another client.
    for n in 0..20 {
        assert_oauth_error(
            &from(&format!("198.51.100.{n}"), "billing", "x"),
            401,
            "invalid_client",
        );
    }
    from("192.0.2.1", "billing", &secret).ok_json();
    from("192.0.2.2", "reports", &other_secret).ok_json();
}

#[test]
fn clients_are_listed_without_secrets_and_deleting_one_ends_its_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let secret = add_client(
        &dir,
        "planner",
        &[
            "--role",
            "agent",
            "--scopes",
            "t:read t:write:*",
            "--ttl",
            "15m",
        ],
    );
    add_client(&dir, "billing", &[]);
    let run = run_on(&dir, &["clients", "list", "--json"], &[]);
    run.assert_code(0);
    assert!(!run.stdout.contains(&secret), "{run}");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let planner = listed["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|client| client["client_id"] == "planner")
        .cloned()
        .unwrap_or_else(|| panic!("{run}"));
    let created_at = planner["created_at"].clone();
    assert!(created_at.is_i64(), "{run}");
    assert_eq!(
        planner,
        json!({"client_id": "planner", "role": "agent", "scopes": ["t:read", "t:write:*"],
               "ttl": 900, "created_at": created_at})
    );
    let table = run_on(&dir, &["clients", "list"], &[]);
    table.assert_code(0);
    assert!(
        table.stdout.contains("planner") && !table.stdout.contains(&secret),
        "{table}"
    );
    // Refused: a taken id, a role a client may not hold, a malformed id.
    assert_eq!(run_on(&dir, &["clients", "add", "planner"], &[]).code(), 1);
    assert_eq!(
        run_on(&dir, &["clients", "add", "x", "--role", "superadmin"], &[]).code(),
        2
    );
    assert_eq!(run_on(&dir, &["clients", "add", "a:b"], &[]).code(), 2);

    let body = client_credentials(&server, "planner", &secret).ok_json();
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(decode_jwt(&token).claims["role"], "agent");
    assert_eq!(body["expires_in"], 900);
    run_on(&dir, &["clients", "delete", "planner"], &[]).assert_code(0);
    assert_eq!(
        run_on(&dir, &["clients", "delete", "planner"], &[]).code(),
        1
    );
    assert_oauth_error(
        &client_credentials(&server, "planner", &secret),
        401,
        "invalid_client",
    );
    let billing_secret = rotate(&dir, "billing", &[]);
    let inactive = introspect(&server, ("billing", &billing_secret), &token);
    assert_eq!(inactive, json!({"active": false}));
}

// --- the refresh_token grant ---

#[test]
fn the_refresh_token_grant_rotates_like_refresh() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let session = server.admin();
    let response = post_form(
        &server,
        TOKEN,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &session.refresh_token),
        ],
    );
    let body = response.ok_json();
    assert_eq!(body["token_type"], "Bearer", "{response}");
    assert!(
        body["expires_in"].as_u64().is_some_and(|ttl| ttl > 0),
        "{response}"
    );
    let next = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, session.refresh_token);
    server
        .get("/api/v1/auth/me")
        .with_bearer(body["access_token"].as_str().unwrap())
        .send()
        .ok_json();
    // The old one again is reuse: invalid_grant, and the chain is dead.
    let reused = post_form(
        &server,
        TOKEN,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &session.refresh_token),
        ],
    );
    assert_oauth_error(&reused, 400, "invalid_grant");
    let after = post_form(
        &server,
        TOKEN,
        None,
        &[("grant_type", "refresh_token"), ("refresh_token", &next)],
    );
    assert_oauth_error(&after, 400, "invalid_grant");
    let missing = post_form(&server, TOKEN, None, &[("grant_type", "refresh_token")]);
    assert_oauth_error(&missing, 400, "invalid_request");
    // Credentials presented are checked, even where none are needed.
    let fresh = server.admin();
    let wrong_client = post_form(
        &server,
        TOKEN,
        Some(("nobody", "x")),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &fresh.refresh_token),
        ],
    );
    assert_oauth_error(&wrong_client, 401, "invalid_client");
}

// --- introspection ---

#[test]
fn introspection_tells_active_tokens_from_expired_revoked_foreign_and_malformed_ones() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--access-token-ttl", "4s"], &[ADMIN_ENV]);
    let secret = add_client(&dir, "gateway", &["--scopes", "read"]);
    let client = ("gateway", secret.as_str());
    let token = client_credentials(&server, "gateway", &secret).ok_json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = decode_jwt(&token).claims;
    let active = introspect(&server, client, &token);
    assert_eq!(active["active"], true, "{active}");
    for member in [
        "sub",
        "scope",
        "client_id",
        "exp",
        "iat",
        "jti",
        "iss",
        "aud",
        "role",
    ] {
        assert_eq!(active[member], claims[member], "{member}: {active}");
    }
    assert_eq!(active["token_type"], "Bearer");

    // A user's token is active until it expires (4 s here).
    let session = server.admin();
    let user = introspect(&server, client, &session.access_token);
    assert_eq!(user["active"], true, "{user}");
    assert_eq!(user["sub"], decode_jwt(&session.access_token).claims["sub"]);
    poll("the user token expires", Duration::from_secs(20), || {
        let answer = introspect(&server, client, &session.access_token);
        if answer == json!({"active": false}) {
            Ok(())
        } else {
            Err(answer.to_string())
        }
    });
    // A refresh token is not an access token.
    assert_eq!(
        introspect(&server, client, &session.refresh_token),
        json!({"active": false})
    );

    // Revoked.
    run_on(&dir, &["revoke", claims["jti"].as_str().unwrap()], &[]).assert_code(0);
    assert_eq!(
        introspect(&server, client, &token),
        json!({"active": false})
    );

    // Foreign: our kid, not our signature; and a kid we never had.
    let fresh = client_credentials(&server, "gateway", &secret).ok_json();
    let jwt = decode_jwt(fresh["access_token"].as_str().unwrap());
    let forged = encode_jwt(&jwt.header, &jwt.claims, |_| vec![7; 256]);
    assert_eq!(
        introspect(&server, client, &forged),
        json!({"active": false})
    );
    let mut other_header = jwt.header.clone();
    other_header["kid"] = json!("someone-elses-key");
    let foreign = encode_jwt(&other_header, &jwt.claims, |_| vec![7; 256]);
    assert_eq!(
        introspect(&server, client, &foreign),
        json!({"active": false})
    );
    // Malformed.
    for malformed in ["abc", "a.b.c", "🦀"] {
        assert_eq!(
            introspect(&server, client, malformed),
            json!({"active": false})
        );
    }

    // Only clients introspect; a token parameter is required.
    let anonymous = post_form(&server, INTROSPECT, None, &[("token", &token)]);
    assert_oauth_error(&anonymous, 401, "invalid_client");
    let missing = post_form(&server, INTROSPECT, Some(client), &[]);
    assert_oauth_error(&missing, 400, "invalid_request");
}

// --- RFC 7009 ---

#[test]
fn rfc_7009_revokes_a_clients_own_tokens_and_refresh_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let secret = add_client(&dir, "billing", &[]);
    let other_secret = add_client(&dir, "reports", &[]);
    let mint = |client_id: &str, secret: &str| {
        client_credentials(&server, client_id, secret).ok_json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let token = mint("billing", &secret);
    let others = mint("reports", &other_secret);

    // Another client's token: refused (RFC 7009 §2.1), and it stays valid.
    let refused = post_form(
        &server,
        REVOKE,
        Some(("billing", &secret)),
        &[("token", &others)],
    );
    assert_oauth_error(&refused, 400, "unauthorized_client");
    assert_eq!(
        introspect(&server, ("reports", &other_secret), &others)["active"],
        true
    );
    // An access token needs client authentication.
    let anonymous = post_form(&server, REVOKE, None, &[("token", &token)]);
    assert_oauth_error(&anonymous, 401, "invalid_client");

    // Its own: revoked, with the hint or without.
    let response = post_form(
        &server,
        REVOKE,
        Some(("billing", &secret)),
        &[("token", &token), ("token_type_hint", "access_token")],
    );
    assert_eq!(response.ok_json(), json!({}));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(
        introspect(&server, ("billing", &secret), &token),
        json!({"active": false})
    );
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&token)
        .send()
        .assert_error(401, "invalid_token");
    // Again, and unknown or malformed tokens: 200 all the same (§2.2).
    for token in [token.as_str(), "not-a-token", "a.b.c"] {
        post_form(
            &server,
            REVOKE,
            Some(("billing", &secret)),
            &[("token", token)],
        )
        .ok_json();
    }
    let missing = post_form(&server, REVOKE, Some(("billing", &secret)), &[]);
    assert_oauth_error(&missing, 400, "invalid_request");

    // A refresh token, by its holder (no client needed): the session ends.
    let session = server.admin();
    post_form(&server, REVOKE, None, &[("token", &session.refresh_token)]).ok_json();
    server.refresh(&session.refresh_token).assert_status(401);
    server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send()
        .assert_error(401, "invalid_token");

    // The JSON form of API.md §3 is unchanged.
    let admin = server.admin();
    let jti = decode_jwt(&others).claims["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .post_json(REVOKE, &json!({"jti": jti}))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_eq!(
        introspect(&server, ("reports", &other_secret), &others),
        json!({"active": false})
    );
}

// --- discovery and fleet scopes ---

#[test]
fn discovery_names_the_oauth_endpoints_and_rfc_8414_metadata_matches_the_issuer() {
    let dir = TestDir::new();
    let issuer = "https://auth.example.test";
    let server = Server::start_with(&dir, &["--issuer", issuer], &[ADMIN_ENV]);
    run_on(
        &dir,
        &["clients", "add", "billing", "--scopes", "invoices:read"],
        &[("PICOAUTH_ISSUER", Some(issuer))],
    )
    .assert_code(0);
    let metadata = server
        .get("/.well-known/oauth-authorization-server")
        .send()
        .ok_json();
    let under_prefix = server
        .get("/api/v1/auth/.well-known/oauth-authorization-server")
        .send()
        .ok_json();
    assert_eq!(metadata, under_prefix);
    let openid = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(metadata["issuer"], issuer, "RFC 8414 §3.3: {metadata}");
    let base = format!("{issuer}/api/v1/auth");
    for document in [&metadata, &openid] {
        assert_eq!(document["token_endpoint"], format!("{base}/token"));
        assert_eq!(
            document["introspection_endpoint"],
            format!("{base}/introspect")
        );
        assert_eq!(document["revocation_endpoint"], format!("{base}/revoke"));
        let grants = document["grant_types_supported"].as_array().unwrap();
        for grant in ["client_credentials", "refresh_token"] {
            assert!(grants.contains(&json!(grant)), "{document}");
        }
        assert_eq!(
            document["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post"])
        );
        assert!(
            document["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("invoices:read")),
            "{document}"
        );
    }
}

#[test]
fn fleet_tokens_carry_their_scope_as_a_list_too() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let run = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "s1",
            "--agent-id",
            "a1",
            "--scope",
            "read:a write:b",
        ],
        &[],
    );
    run.assert_code(0);
    let claims = decode_jwt(run.stdout.trim()).claims;
    assert_eq!(claims["scope"], "read:a write:b");
    assert_eq!(claims["scopes"], json!(["read:a", "write:b"]));
}

// --- a real OAuth 2.0 client library ---

/// authlib (PyPI) drives `client_credentials`, introspection and revocation through the RFC
/// 8414 metadata, and pico-client-auth checks the token (`tests/clients/oauth_library_check.py`),
/// with the Python that `PICOAUTH_TEST_PYTHON` names (`.ci/run` installs authlib in it). A
/// Python without authlib makes the test say SKIPPED on stderr and pass.
#[test]
#[cfg_attr(
    not(picoauth_test_python),
    ignore = "needs authlib and pico-client-auth: set PICOAUTH_TEST_PYTHON to a python that has them (.ci/run makes one)"
)]
fn authlib_fetches_introspects_and_revokes_client_credentials_tokens() {
    let Some(python) = std::env::var_os("PICOAUTH_TEST_PYTHON") else {
        panic!(
            "set PICOAUTH_TEST_PYTHON to a python with authlib and pico-client-auth (see .ci/run)"
        );
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("bind a free port");
    let dir = TestDir::new();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_with(&dir, &["--listen", &listen], &[ADMIN_ENV]);
    // The issuer follows listen (http://localhost:PORT): the CLI must stamp the same one.
    let issuer = format!("http://localhost:{port}");
    let env = [("PICOAUTH_ISSUER", Some(issuer.as_str()))];
    let run = run_on(
        &dir,
        &[
            "clients",
            "add",
            "billing",
            "--scopes",
            "invoices:read invoices:write",
        ],
        &env,
    );
    run.assert_code(0);
    let secret = run.stdout.trim().to_owned();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/oauth_library_check.py");
    let output = std::process::Command::new(&python)
        .arg(&script)
        .args([
            "--issuer",
            &issuer,
            "--client-id",
            "billing",
            "--client-secret",
            &secret,
        ])
        .args(["--scopes", "invoices:read invoices:write"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the OAuth library check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = format!(
        "--- stdout ---\n{stdout}--- stderr ---\n{}--- server ---\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.stop()
    );
    if output.status.code() == Some(3) {
        eprintln!("SKIPPED: {}", stdout.trim());
        return;
    }
    assert!(output.status.success(), "the check failed\n{report}");
    assert!(
        stdout.lines().any(|line| line == "7 passed, 0 failed"),
        "{report}"
    );
    println!("{stdout}");
}
