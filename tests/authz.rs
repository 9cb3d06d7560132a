//! Black-box tests of authorisation boundaries and the token promises (issue 10): who may list
//! and revoke whose tokens, who the denylist says revoked, refresh reuse, key changes seen on the
//! next request, `mint_audit_min_ttl = 0`, and the `crit` and `nbf` rules of the JWT check.
//!
//! Every test starts its own server. Accounts are put into a second organisation with SQL on the
//! test's own database file (no door sets an organisation yet); tokens with odd headers or claims
//! are signed here with the server's own key file, so only the server's rules can refuse them.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use serde_json::{Value, json};

use crate::util::{
    ADMIN_EMAIL, ADMIN_ENV, Response, Run, Server, Session, TestDir, decode_jwt, encode_jwt, now,
    password_for, run_on, signing_key,
};

const SECRET: &str = "authz-fleet-secret-0123456789";
const SECRET_VAR: &str = "PICOAUTH_FLEET_MINT_SECRET";
/// The OS user the CLI runs as here, so `revoked_by` of the CLI is known.
const CLI_USER: &str = "authz-tester";

// --- helpers ---

/// A server with the fleet secret configured.
#[track_caller]
fn server(dir: &TestDir) -> Server {
    Server::start_with(dir, &[], &[ADMIN_ENV, (SECRET_VAR, SECRET)])
}

/// Runs the CLI on `dir` as `CLI_USER`.
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

/// Registers `email`, gives it `role` and the organisation `org` (by SQL: no door sets one),
/// then logs in, so the token and its audit entry carry that organisation.
#[track_caller]
fn member(server: &Server, dir: &TestDir, email: &str, role: &str, org: &str) -> (String, Session) {
    let id = server.register(email, &password_for(email));
    if role != "viewer" {
        let admin = server.admin();
        server
            .put_json(
                &format!("/api/v1/auth/users/{id}/role"),
                &json!({ "role": role }),
            )
            .with_bearer(&admin.access_token)
            .send()
            .ok_json();
    }
    set_org(dir, &id, org);
    let session = server.login(email, &password_for(email));
    assert_eq!(decode_jwt(&session.access_token).claims["org_id"], org);
    (id, session)
}

/// Moves account `id` into organisation `org`, directly in the database.
fn set_org(dir: &TestDir, id: &str, org: &str) {
    let changed = dir.execute_sql("UPDATE users SET org_id = $1 WHERE id = $2", &[org, id]);
    assert_eq!(changed, 1, "no user {id}");
}

/// A fleet token minted over HTTP with the fleet secret.
#[track_caller]
fn fleet_token(server: &Server, session_id: &str, role: &str) -> String {
    let response = server
        .post_json(
            "/api/v1/auth/fleet/sessions",
            &json!({"session_id": session_id, "agent_id": "agent-1", "role": role}),
        )
        .header("X-Fleet-Secret", SECRET)
        .send();
    match response.ok_json()["session_token"].as_str() {
        Some(token) => token.to_string(),
        None => response.fail("no session_token"),
    }
}

/// `picoauth mint-fleet <args>`: the token on stdout.
#[track_caller]
fn cli_mint(dir: &TestDir, args: &[&str]) -> String {
    let mut all = vec!["mint-fleet"];
    all.extend_from_slice(args);
    let run = cli(dir, &all);
    run.assert_code(0);
    run.stdout.trim().to_string()
}

/// The `jti` claim of `token`.
#[track_caller]
fn jti(token: &str) -> String {
    decode_jwt(token).claims["jti"]
        .as_str()
        .expect("a string jti")
        .to_string()
}

/// `POST /revoke` of `jti` under `token`.
fn revoke(server: &Server, token: &str, jti: &str) -> Response {
    server
        .post_json("/api/v1/auth/revoke", &json!({ "jti": jti }))
        .with_bearer(token)
        .send()
}

/// Revokes and returns the `revoked` entry.
#[track_caller]
fn revoke_ok(server: &Server, token: &str, jti: &str) -> Value {
    let response = revoke(server, token, jti);
    let entry = response.ok_json()["revoked"].clone();
    if entry["jti"] != jti {
        response.fail("the entry is not for the jti sent");
    }
    entry
}

/// The jtis `GET <path>` lists under `token`, in order.
#[track_caller]
fn listed(server: &Server, token: &str, path: &str) -> Vec<String> {
    let response = server.get(path).with_bearer(token).send();
    let body = response.ok_json();
    let Some(items) = body["items"].as_array() else {
        response.fail("no items array")
    };
    items
        .iter()
        .map(|item| item["jti"].as_str().expect("a string jti").to_string())
        .collect()
}

/// The jtis of the mint audit visible to `token`.
#[track_caller]
fn mints(server: &Server, token: &str) -> Vec<String> {
    listed(server, token, "/api/v1/auth/mints?limit=1000")
}

/// Whether `token` is accepted by `GET /me` (user tokens) — 200, or else the refusal.
fn me(server: &Server, token: &str) -> Response {
    server.get("/api/v1/auth/me").with_bearer(token).send()
}

/// The revocation entries under `token` (an admin's), by jti.
#[track_caller]
fn revocations(server: &Server, token: &str) -> Vec<Value> {
    let response = server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(token)
        .send();
    response.ok_json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| response.fail("no items array"))
}

/// Signs an Ed25519 wallet in and returns its session.
#[track_caller]
fn wallet_session(server: &Server, seed: u8) -> Session {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let public_key = key.verifying_key().as_bytes().to_vec();
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &public_key);
    let address = format!("0x{}", &hex(hash.as_ref())[..40]);
    let response = server
        .post_json("/api/v1/auth/challenge", &json!({ "address": address }))
        .send();
    let challenge = response.ok_json()["challenge"]
        .as_str()
        .unwrap_or_else(|| response.fail("no challenge"))
        .to_string();
    let signature = key.sign(challenge.as_bytes()).to_bytes();
    let response = server
        .post_json(
            "/api/v1/auth/sign-in",
            &json!({
                "address": address,
                "public_key": hex(&public_key),
                "signature": hex(&signature),
                "challenge": challenge,
                "algorithm": "Ed25519",
            }),
        )
        .send();
    Session::from_response(&response)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The server's active signing key.
#[track_caller]
fn server_key(dir: &TestDir, server: &Server) -> (String, RsaKeyPair) {
    let kid = server.kid();
    let key = signing_key(dir, &kid);
    (kid, key)
}

/// Signs `claims` under `header` with RS256 and `key`.
fn sign(key: &RsaKeyPair, header: &Value, claims: &Value) -> String {
    encode_jwt(header, claims, |message| {
        let mut signature = vec![0u8; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message,
            &mut signature,
        )
        .expect("RSA signing");
        signature
    })
}

/// The kids `GET /jwks` publishes, in order.
#[track_caller]
fn jwks_kids(server: &Server) -> Vec<String> {
    let response = server.get("/api/v1/auth/jwks").send();
    let body = response.ok_json();
    body["keys"]
        .as_array()
        .unwrap_or_else(|| response.fail("no keys array"))
        .iter()
        .map(|key| key["kid"].as_str().expect("a string kid").to_string())
        .collect()
}

// --- organisation boundaries ---

#[test]
fn org_admin_lists_and_revokes_only_its_organisation_and_fleet_tokens() {
    let dir = TestDir::new();
    let server = server(&dir);
    let admin = server.admin();
    let (acme_admin_id, acme_admin) =
        member(&server, &dir, "boss@acme.example", "org_admin", "acme");
    let (_, acme_user) = member(&server, &dir, "worker@acme.example", "viewer", "acme");
    let (_, other_user) = member(
        &server,
        &dir,
        "someone@default.example",
        "viewer",
        "default",
    );
    let (_, other_admin) = member(
        &server,
        &dir,
        "boss@default.example",
        "org_admin",
        "default",
    );
    let fleet = fleet_token(&server, "sess-acme", "agent");
    let wallet = wallet_session(&server, 7);

    let visible = mints(&server, &acme_admin.access_token);
    for (what, token) in [
        ("its own token", &acme_admin.access_token),
        ("its member's token", &acme_user.access_token),
        ("a fleet token", &fleet),
        ("a wallet token", &wallet.access_token),
    ] {
        assert!(visible.contains(&jti(token)), "sees {what}: {visible:?}");
    }
    for (what, token) in [
        ("another organisation's user", &other_user.access_token),
        ("another organisation's admin", &other_admin.access_token),
        ("the superadmin", &admin.access_token),
    ] {
        assert!(
            !visible.contains(&jti(token)),
            "does not see {what}: {visible:?}"
        );
    }
    // Paging stays newest first within what the caller sees.
    let newest = listed(
        &server,
        &acme_admin.access_token,
        "/api/v1/auth/mints?limit=1",
    );
    assert_eq!(newest, visible[..1].to_vec());

    // Out of reach is answered exactly like a jti that was never minted: nothing to probe.
    for target in [
        jti(&other_user.access_token),
        jti(&other_admin.access_token),
        jti(&admin.access_token),
        "never-minted".to_string(),
    ] {
        revoke(&server, &acme_admin.access_token, &target).assert_error(404, "not_found");
    }
    me(&server, &other_user.access_token).ok_json();
    me(&server, &admin.access_token).ok_json();
    let revoked = revocations(&server, &admin.access_token);
    assert!(revoked.is_empty(), "nothing was revoked: {revoked:?}");

    let entry = revoke_ok(
        &server,
        &acme_admin.access_token,
        &jti(&acme_user.access_token),
    );
    assert_eq!(entry["revoked_by"], format!("user:{acme_admin_id}"));
    me(&server, &acme_user.access_token).assert_error(401, "invalid_token");
    revoke_ok(&server, &acme_admin.access_token, &jti(&fleet));
    revoke_ok(
        &server,
        &acme_admin.access_token,
        &jti(&wallet.access_token),
    );

    // The superadmin and the CLI see every organisation.
    let everything = mints(&server, &admin.access_token);
    for token in [&other_user.access_token, &acme_user.access_token, &fleet] {
        assert!(everything.contains(&jti(token)), "{everything:?}");
    }
    let run = cli(&dir, &["list-mints", "--json", "--limit", "1000"]);
    run.assert_code(0);
    let from_cli: Value = serde_json::from_str(&run.stdout).expect("list-mints --json");
    let from_cli: Vec<&str> = from_cli["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["jti"].as_str())
        .collect();
    assert!(from_cli.contains(&jti(&other_user.access_token).as_str()));
    // The audit says whose organisation a user token belongs to.
    let response = server
        .get("/api/v1/auth/mints?limit=1000")
        .with_bearer(&admin.access_token)
        .send();
    let items = response.ok_json()["items"].clone();
    let item = items
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|item| item["jti"] == jti(&acme_user.access_token).as_str())
        })
        .cloned()
        .unwrap_or_else(|| response.fail("the acme user's token is not listed"));
    assert_eq!(item["org_id"], "acme", "{item}");
}

#[test]
fn org_admin_cannot_revoke_a_superadmins_token_nor_end_its_session() {
    let dir = TestDir::new();
    let server = server(&dir);
    let admin = server.admin();
    // An org_admin of the superadmin's own organisation.
    let (_, org_admin) = member(
        &server,
        &dir,
        "boss@default.example",
        "org_admin",
        "default",
    );
    let admin_jti = jti(&admin.access_token);
    assert!(!mints(&server, &org_admin.access_token).contains(&admin_jti));
    revoke(&server, &org_admin.access_token, &admin_jti).assert_error(404, "not_found");
    me(&server, &admin.access_token).ok_json();
    // The session lives on: the failed attempt did not delete its refresh chain.
    Session::from_response(&server.refresh(&admin.refresh_token));

    // Tokens of an account promoted to superadmin after they were minted are protected too.
    let (promoted_id, promoted) =
        member(&server, &dir, "rising@default.example", "viewer", "default");
    let promoted_jti = jti(&promoted.access_token);
    assert!(mints(&server, &org_admin.access_token).contains(&promoted_jti));
    server
        .put_json(
            &format!("/api/v1/auth/users/{promoted_id}/role"),
            &json!({"role": "superadmin"}),
        )
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert!(!mints(&server, &org_admin.access_token).contains(&promoted_jti));
    revoke(&server, &org_admin.access_token, &promoted_jti).assert_error(404, "not_found");

    // A fleet token carrying the superadmin role is a superadmin's token as well.
    let fleet_superadmin = cli_mint(
        &dir,
        &[
            "--session-id",
            "root-job",
            "--agent-id",
            "ci",
            "--role",
            "superadmin",
        ],
    );
    let fleet_jti = jti(&fleet_superadmin);
    assert!(!mints(&server, &org_admin.access_token).contains(&fleet_jti));
    revoke(&server, &org_admin.access_token, &fleet_jti).assert_error(404, "not_found");
    // A superadmin reaches all of them.
    revoke_ok(&server, &admin.access_token, &fleet_jti);
    revoke_ok(&server, &admin.access_token, &promoted_jti);
}

#[test]
fn operator_reaches_fleet_and_wallet_tokens_and_its_own_only() {
    let dir = TestDir::new();
    let server = server(&dir);
    let admin = server.admin();
    let (operator_id, operator) =
        member(&server, &dir, "ops@default.example", "operator", "default");
    let (_, viewer) = member(&server, &dir, "viewer@default.example", "viewer", "default");
    let (_, org_admin) = member(
        &server,
        &dir,
        "boss@default.example",
        "org_admin",
        "default",
    );
    let fleet = fleet_token(&server, "sess-ops", "agent");
    let wallet = wallet_session(&server, 9);

    let visible = mints(&server, &operator.access_token);
    for token in [&operator.access_token, &fleet, &wallet.access_token] {
        assert!(visible.contains(&jti(token)), "{visible:?}");
    }
    for token in [
        &viewer.access_token,
        &org_admin.access_token,
        &admin.access_token,
    ] {
        assert!(!visible.contains(&jti(token)), "{visible:?}");
    }
    for token in [
        &viewer.access_token,
        &org_admin.access_token,
        &admin.access_token,
    ] {
        revoke(&server, &operator.access_token, &jti(token)).assert_error(404, "not_found");
        me(&server, token).ok_json();
    }
    revoke(&server, &operator.access_token, "never-minted").assert_error(404, "not_found");

    let entry = revoke_ok(&server, &operator.access_token, &jti(&fleet));
    assert_eq!(entry["revoked_by"], format!("user:{operator_id}"));
    revoke_ok(&server, &operator.access_token, &jti(&wallet.access_token));
    // The wallet's revoked access token ends its session too.
    server
        .refresh(&wallet.refresh_token)
        .assert_error(401, "invalid_token");

    // A second token of its own, then its own first one: both within reach.
    let second = server.login("ops@default.example", &password_for("ops@default.example"));
    revoke_ok(&server, &second.access_token, &jti(&operator.access_token));
    me(&server, &operator.access_token).assert_error(401, "invalid_token");
}

// --- who revoked ---

#[test]
fn revoked_by_names_the_kind_and_the_subject() {
    let dir = TestDir::new();
    let server = server(&dir);
    let admin = server.admin();
    let admin_id = me(&server, &admin.access_token).ok_json()["id"]
        .as_str()
        .expect("an id")
        .to_string();
    // A fleet session named like the admin's email must not pass for the admin.
    let impostor = cli_mint(
        &dir,
        &[
            "--session-id",
            ADMIN_EMAIL,
            "--agent-id",
            "x",
            "--role",
            "operator",
        ],
    );
    let targets: Vec<String> = (0..3)
        .map(|n| jti(&fleet_token(&server, &format!("victim-{n}"), "agent")))
        .collect();

    let by_fleet = revoke_ok(&server, &impostor, &targets[0]);
    assert_eq!(by_fleet["revoked_by"], format!("fleet:{ADMIN_EMAIL}"));
    let by_user = revoke_ok(&server, &admin.access_token, &targets[1]);
    assert_eq!(by_user["revoked_by"], format!("user:{admin_id}"));
    let run = cli(&dir, &["revoke", "--json", &targets[2]]);
    run.assert_code(0);
    let by_cli: Value = serde_json::from_str(run.stdout.trim()).expect("revoke --json");
    assert_eq!(by_cli["revoked"]["revoked_by"], format!("cli:{CLI_USER}"));

    let listed = revocations(&server, &admin.access_token);
    let by: Vec<&str> = listed
        .iter()
        .filter_map(|entry| entry["revoked_by"].as_str())
        .collect();
    assert!(!by.contains(&ADMIN_EMAIL), "{listed:?}");
}

// --- refresh reuse ---

#[test]
fn reusing_a_refresh_token_revokes_the_familys_access_tokens() {
    let dir = TestDir::new();
    let server = server(&dir);
    let admin = server.admin();
    let (_, first) = server.register_and_login("victim@example.com");
    let bystander = server.login("victim@example.com", &password_for("victim@example.com"));
    let second = Session::from_response(&server.refresh(&first.refresh_token));
    me(&server, &first.access_token).ok_json();
    me(&server, &second.access_token).ok_json();

    // The thief (or the victim) presents the rotated token again.
    server
        .refresh(&first.refresh_token)
        .assert_error(401, "invalid_token");
    for token in [&first.access_token, &second.access_token] {
        me(&server, token).assert_error(401, "invalid_token");
    }
    server
        .refresh(&second.refresh_token)
        .assert_error(401, "invalid_token");
    let listed = revocations(&server, &admin.access_token);
    for token in [&first.access_token, &second.access_token] {
        let entry = listed
            .iter()
            .find(|entry| entry["jti"] == jti(token).as_str())
            .unwrap_or_else(|| panic!("{} is not on the denylist: {listed:?}", jti(token)));
        assert_eq!(entry["revoked_by"], "picoauth:refresh-reuse", "{entry}");
    }
    // Another login of the same account is another family, untouched.
    me(&server, &bystander.access_token).ok_json();
    Session::from_response(&server.refresh(&bystander.refresh_token));
}

// --- key changes seen on the next request ---

#[test]
fn rotation_and_retirement_are_seen_by_the_very_next_request() {
    let dir = TestDir::new();
    let server = server(&dir);
    let old_kid = server.kid();
    let before = server.admin();
    assert_eq!(
        decode_jwt(&before.access_token).header["kid"],
        old_kid.as_str()
    );

    cli(&dir, &["keygen", "--rotate"]).assert_code(0);
    let kids = jwks_kids(&server);
    assert_eq!(
        kids.len(),
        2,
        "the new key and the old one in its grace: {kids:?}"
    );
    assert_eq!(kids[1], old_kid, "{kids:?}");
    let new_kid = kids[0].clone();
    assert_ne!(new_kid, old_kid);
    // The very next token is signed with the new key, and both verify.
    let after = server.admin();
    assert_eq!(
        decode_jwt(&after.access_token).header["kid"],
        new_kid.as_str()
    );
    me(&server, &after.access_token).ok_json();
    me(&server, &before.access_token).ok_json();

    cli(&dir, &["keygen", "--retire", &old_kid]).assert_code(0);
    assert_eq!(jwks_kids(&server), [new_kid]);
    me(&server, &before.access_token).assert_error(401, "invalid_token");
    me(&server, &after.access_token).ok_json();
}

// --- the mint audit ---

#[test]
fn mint_audit_min_ttl_zero_audits_the_shortest_tokens() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[],
        &[
            ADMIN_ENV,
            (SECRET_VAR, SECRET),
            ("PICOAUTH_MINT_AUDIT_MIN_TTL", "0"),
        ],
    );
    let admin = server.admin();
    // 60 s is the shortest fleet token; by default (5 min) it is not audited.
    let response = server
        .post_json(
            "/api/v1/auth/fleet/sessions",
            &json!({"session_id": "brief", "agent_id": "a", "ttl": 1}),
        )
        .header("X-Fleet-Secret", SECRET)
        .send();
    let short = response.ok_json();
    let short_jti = short["jti"].as_str().expect("a jti").to_string();
    let claims = decode_jwt(short["session_token"].as_str().expect("a token")).claims;
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        60
    );
    // The CLI reads its own configuration: it audits every token when told so too.
    let run = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "s",
            "--agent-id",
            "a",
            "--ttl",
            "60s",
        ],
        &[("PICOAUTH_MINT_AUDIT_MIN_TTL", Some("0"))],
    );
    run.assert_code(0);
    let cli_short = run.stdout.trim().to_string();
    let audited = mints(&server, &admin.access_token);
    assert!(audited.contains(&short_jti), "{audited:?}");
    assert!(audited.contains(&jti(&cli_short)), "{audited:?}");
}

// --- the JWT check ---

#[test]
fn crit_headers_and_future_nbf_are_refused() {
    let dir = TestDir::new();
    let server = server(&dir);
    let (_, session) = server.register_and_login("jwt@example.com");
    let (kid, key) = server_key(&dir, &server);
    let claims = decode_jwt(&session.access_token).claims;
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});

    // Control: the same claims re-signed here pass, so refusals below are the server's rules.
    me(&server, &sign(&key, &header, &claims)).ok_json();
    let mut past_nbf = claims.clone();
    past_nbf["nbf"] = json!(now() - 10);
    me(&server, &sign(&key, &header, &past_nbf)).ok_json();

    let mut crit = header.clone();
    crit["crit"] = json!(["exp"]);
    me(&server, &sign(&key, &crit, &claims)).assert_error(401, "invalid_token");
    let mut unknown = header.clone();
    unknown["crit"] = json!(["urn:example:unknown"]);
    unknown["urn:example:unknown"] = json!(true);
    me(&server, &sign(&key, &unknown, &claims)).assert_error(401, "invalid_token");

    let mut future_nbf = claims.clone();
    future_nbf["nbf"] = json!(now() + 3600);
    me(&server, &sign(&key, &header, &future_nbf)).assert_error(401, "invalid_token");
}
