//! Regression tests for what the issue-15 attack found (OAuth 2.0 clients, `POST /token`,
//! token exchange, introspection, RFC 7009), each through the real binary on both backends:
//! - a client deleted and added again under the same id revived the old client's tokens
//!   (its `client_credentials` and agent tokens, with the old role and scopes);
//! - a deleted client's agent token, refused at every door, was still taken as the
//!   `subject_token` of a token exchange by another client;
//! - anyone who knew a client id could lock that client out (its right secret answered 429)
//!   by failing for the id from a few addresses.

use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use crate::util::{ADMIN_ENV, Response, Server, TestDir, run_on};

const TOKEN: &str = "/api/v1/auth/token";
const INTROSPECT: &str = "/api/v1/auth/introspect";
const FORM: &str = "application/x-www-form-urlencoded";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

#[track_caller]
fn add_client(dir: &TestDir, client_id: &str, args: &[&str]) -> String {
    let mut all = vec!["clients", "add", client_id];
    all.extend_from_slice(args);
    let run = run_on(dir, &all, &[]);
    run.assert_code(0);
    run.stdout.trim().to_owned()
}

#[track_caller]
fn delete_client(dir: &TestDir, client_id: &str) {
    run_on(dir, &["clients", "delete", client_id], &[]).assert_code(0);
}

fn basic(client_id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    format!("Basic {encoded}")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn post_form(
    server: &Server,
    path: &str,
    client: (&str, &str),
    pairs: &[(&str, &str)],
) -> Response {
    let body = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    server
        .request("POST", path)
        .header("Authorization", &basic(client.0, client.1))
        .body(FORM, body.into_bytes())
        .send()
}

#[track_caller]
fn client_token(server: &Server, client: (&str, &str)) -> String {
    let body = post_form(
        server,
        TOKEN,
        client,
        &[("grant_type", "client_credentials")],
    )
    .ok_json();
    body["access_token"].as_str().unwrap().to_owned()
}

fn exchange(server: &Server, client: (&str, &str), subject_token: &str) -> Response {
    post_form(
        server,
        TOKEN,
        client,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", subject_token),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ],
    )
}

#[track_caller]
fn introspect(server: &Server, client: (&str, &str), token: &str) -> Value {
    post_form(server, INTROSPECT, client, &[("token", token)]).ok_json()
}

/// A route any service token may call: 200 while the token lives, 401 once it does not.
fn denylist_with(server: &Server, token: &str) -> Response {
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(token)
        .send()
}

#[test]
fn a_client_deleted_and_added_again_does_not_revive_the_old_clients_tokens() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--agent-scopes", "viewer=docs:*"], &[ADMIN_ENV]);
    let old_secret = add_client(
        &dir,
        "planner",
        &["--role", "operator", "--scopes", "docs:* mints:read"],
    );
    let old_token = client_token(&server, ("planner", &old_secret));
    denylist_with(&server, &old_token).ok_json();
    let (_, user) = server.register_and_login("alice@example.com");
    let old_agent = exchange(&server, ("planner", &old_secret), &user.access_token).ok_json();
    let old_agent = old_agent["access_token"].as_str().unwrap().to_owned();
    denylist_with(&server, &old_agent).ok_json();

    delete_client(&dir, "planner");
    denylist_with(&server, &old_token).assert_error(401, "invalid_token");
    // Someone adds a new client under the freed id, with less (tokens carry seconds: the
    // re-added client must be at least a second younger than the old tokens).
    std::thread::sleep(Duration::from_millis(1100));
    let new_secret = add_client(&dir, "planner", &["--role", "service"]);
    let new = ("planner", new_secret.as_str());
    for (what, token) in [("client token", &old_token), ("agent token", &old_agent)] {
        let response = denylist_with(&server, token);
        if response.status != 401 {
            response.fail(&format!(
                "the deleted client's {what} came back to life with the new client"
            ));
        }
        assert_eq!(
            introspect(&server, new, token),
            serde_json::json!({"active": false}),
            "{what}"
        );
    }
    // The old secret stays dead (it was bound to the old client), the new client's own token
    // works.
    post_form(
        &server,
        TOKEN,
        ("planner", &old_secret),
        &[("grant_type", "client_credentials")],
    )
    .assert_error(401, "invalid_client");
    let fresh = client_token(&server, new);
    denylist_with(&server, &fresh).ok_json();
    assert_eq!(introspect(&server, new, &fresh)["active"], true);
}

#[test]
fn a_deleted_clients_agent_token_cannot_be_exchanged_by_another_client() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--agent-scopes", "viewer=docs:*"], &[ADMIN_ENV]);
    let planner = add_client(&dir, "planner", &["--role", "agent", "--scopes", "docs:*"]);
    let worker = add_client(&dir, "worker", &["--role", "agent", "--scopes", "docs:*"]);
    let (_, user) = server.register_and_login("alice@example.com");
    let agent = exchange(&server, ("planner", &planner), &user.access_token).ok_json();
    let agent = agent["access_token"].as_str().unwrap().to_owned();

    delete_client(&dir, "planner");
    denylist_with(&server, &agent).assert_error(401, "invalid_token");
    // Laundering the dead client's token through a living one must fail like presenting it.
    let response = exchange(&server, ("worker", &worker), &agent);
    if response.status == 200 {
        response.fail("a deleted client's agent token was exchanged for a fresh one");
    }
    response.assert_error(400, "invalid_request");
    assert!(
        response.json()["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("deleted")),
        "{response}"
    );
    // The user's own token still delegates to the living client.
    exchange(&server, ("worker", &worker), &user.access_token).ok_json();
}

#[test]
fn failing_for_a_client_id_from_many_addresses_does_not_lock_the_client_out() {
    let dir = TestDir::new();
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
    let from = |address: &str, secret: &str| {
        server
            .request("POST", TOKEN)
            .header("X-Forwarded-For", address)
            .header("Authorization", &basic("billing", secret))
            .body(FORM, b"grant_type=client_credentials".to_vec())
            .send()
    };
    // A stranger who knows the id (it is every token's `sub`) fails for it from 60 addresses,
    // far past the 20 × login_free_failures a per-id counter allowed.
    for n in 0..60 {
        let response = from(&format!("198.51.100.{n}"), "wrong");
        if ![401, 429].contains(&response.status) {
            response.fail("expected invalid_client (or the stranger's own back-off)");
        }
    }
    // The client, from its own address, is not held up by them.
    let response = from("192.0.2.1", &secret);
    if response.status == 429 {
        response.fail("strangers' wrong secrets locked the client itself out");
    }
    response.ok_json();
    // Each stranger address is still throttled on its own (4 × login_free_failures).
    for _ in 0..4 {
        from("203.0.113.9", "wrong").assert_error(401, "invalid_client");
    }
    crate::util::assert_throttled(&from("203.0.113.9", "wrong"));
}

#[test]
fn an_acting_client_revokes_its_agent_token_by_rfc_7009_and_its_children_go_on_the_denylist() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--agent-scopes", "viewer=docs:*"], &[ADMIN_ENV]);
    let planner = add_client(&dir, "planner", &["--role", "agent", "--scopes", "docs:*"]);
    let worker = add_client(&dir, "worker", &["--role", "agent", "--scopes", "docs:*"]);
    let poller = add_client(&dir, "poller", &["--role", "service"]);
    let (planner, worker) = (("planner", planner.as_str()), ("worker", worker.as_str()));
    let (_, user) = server.register_and_login("alice@example.com");
    let parent = exchange(&server, planner, &user.access_token).ok_json();
    let parent = parent["access_token"].as_str().unwrap().to_owned();
    let child = exchange(&server, worker, &parent).ok_json();
    let child = child["access_token"].as_str().unwrap().to_owned();

    // Another client may not revoke it; the client it was issued to (its actor) may.
    post_form(
        &server,
        "/api/v1/auth/revoke",
        worker,
        &[("token", &parent)],
    )
    .assert_error(400, "unauthorized_client");
    let response = post_form(
        &server,
        "/api/v1/auth/revoke",
        planner,
        &[("token", &parent)],
    );
    if response.status != 200 {
        response.fail("the acting client could not revoke its own agent token (RFC 7009)");
    }
    assert_eq!(introspect(&server, planner, &parent)["active"], false);
    assert_eq!(introspect(&server, worker, &child)["active"], false);
    // Resource servers check only a token's own jti: the child must be on the denylist.
    let service = client_token(&server, ("poller", &poller));
    let listed = denylist_with(&server, &service).ok_json();
    let jtis: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["jti"].as_str())
        .collect();
    for (what, token) in [("the revoked token", &parent), ("its child", &child)] {
        let jti = crate::util::decode_jwt(token).claims["jti"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            jtis.contains(&jti.as_str()),
            "{what} is not denylisted: {listed}"
        );
    }
}

#[test]
fn an_agent_token_is_inactive_at_introspection_once_its_user_is_disabled_or_deleted() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--agent-scopes", "viewer=docs:*"], &[ADMIN_ENV]);
    let planner = add_client(&dir, "planner", &["--role", "agent", "--scopes", "docs:*"]);
    let planner = ("planner", planner.as_str());
    let (_, user) = server.register_and_login("alice@example.com");
    let agent = exchange(&server, planner, &user.access_token).ok_json();
    let agent = agent["access_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(&server, planner, &agent)["active"], true);

    run_on(&dir, &["users", "disable", "alice@example.com"], &[]).assert_code(0);
    assert_eq!(
        introspect(&server, planner, &user.access_token)["active"],
        false
    );
    let body = introspect(&server, planner, &agent);
    assert_eq!(
        body["active"], false,
        "an agent acting for a disabled user is still active: {body}"
    );
    run_on(&dir, &["users", "enable", "alice@example.com"], &[]).assert_code(0);
    assert_eq!(introspect(&server, planner, &agent)["active"], true);
    run_on(
        &dir,
        &["users", "delete", "alice@example.com", "--yes"],
        &[],
    )
    .assert_code(0);
    assert_eq!(introspect(&server, planner, &agent)["active"], false);
}

/// A form of `count` distinct short parameter names after `grant_type`, under 64 KiB.
fn distinct_names_form(count: usize) -> Vec<u8> {
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    let mut body = String::from("grant_type=client_credentials");
    let mut n = 0usize;
    while n < count {
        let (mut index, mut name) = (n, String::new());
        loop {
            name.push(alphabet[index % alphabet.len()]);
            index /= alphabet.len();
            if index == 0 {
                break;
            }
        }
        body.push('&');
        body.push_str(&name);
        n += 1;
    }
    body.into_bytes()
}

#[test]
fn a_form_of_many_distinct_parameters_is_refused_without_quadratic_work() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let secret = add_client(&dir, "billing", &[]);
    // 15,000 distinct names in under 64 KiB: comparing each with every earlier one took
    // seconds per request, on an async worker, before any client was authenticated.
    let body = distinct_names_form(15_000);
    assert!(body.len() < 64 * 1024);
    for path in [TOKEN, INTROSPECT, "/api/v1/auth/revoke"] {
        let started = std::time::Instant::now();
        let response = server
            .request("POST", path)
            .header("Authorization", &basic("billing", &secret))
            .body(FORM, body.clone())
            .send();
        let took = started.elapsed();
        response.assert_error(400, "invalid_request");
        assert!(
            took < Duration::from_secs(2),
            "{path}: a 64 KiB form took {took:?}"
        );
    }
    // A form of the parameters a grant uses still works, unknown ones ignored.
    let response = server
        .request("POST", TOKEN)
        .header("Authorization", &basic("billing", &secret))
        .body(FORM, distinct_names_form(40))
        .send();
    response.ok_json();
}

#[test]
fn discovery_does_not_read_every_client_for_every_anonymous_request() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    add_client(&dir, "billing", &["--scopes", "invoices:read"]);
    // Many clients, as no door makes them quickly: one statement.
    let statement = if crate::util::ON_POSTGRES {
        "INSERT INTO oauth_clients (client_id, role, scopes, ttl, secret_hash, created_at) \
         SELECT 'bulk' || n, 'service', 'bulk' || n || ':read shared:read', 3600, \
         decode(md5(n::text) || md5(n::text), 'hex'), 0 FROM generate_series(1, 40000) AS n"
    } else {
        "WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 40000) \
         INSERT INTO oauth_clients (client_id, role, scopes, ttl, secret_hash, created_at) \
         SELECT 'bulk' || n, 'service', 'bulk' || n || ':read shared:read', 3600, \
         randomblob(32), 0 FROM n"
    };
    assert_eq!(dir.execute_sql(statement, &[]), 40000);
    let path = "/.well-known/oauth-authorization-server";
    let started = std::time::Instant::now();
    let first = server.get(path).send().ok_json();
    let one = started.elapsed();
    assert!(
        first["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("bulk40000:read")),
        "the clients' scopes are listed"
    );
    // Ten more strangers' requests right after: sharing one read, not ten.
    let started = std::time::Instant::now();
    for _ in 0..10 {
        server.get(path).send().ok_json();
    }
    let ten = started.elapsed();
    assert!(
        ten < one * 4,
        "ten discovery requests took {ten:?}, one took {one:?}: each reads every client"
    );
}
