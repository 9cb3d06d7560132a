//! Black-box tests of admin user management (API.md §9, §4): `POST /users`,
//! `PUT /users/{id}/password`, `GET`/`PUT /users/registration`, `users add --org`, and the
//! `wallet_subject` setting for pico-server-auth 0.2 clients.
//!
//! Every row of §9's admin table is driven with its failures (401 without a token, 403 for a
//! role that administers nothing, for an org_admin reaching past its organisation's limits or
//! a superadmin, 404 for an unknown account or one of another organisation, 409, 400). The
//! registration switch is watched across a restart and from a second process on the same
//! database (a second `serve`, and the CLI). The tests run on both backends.

use serde_json::{Value, json};

use crate::util::{
    ADMIN_ENV, Response, Server, Session, TestDir, decode_jwt, hex, password_for, run_on,
};
use crate::wallet::Wallet;

const USERS: &str = "/api/v1/auth/users";
const REGISTRATION: &str = "/api/v1/auth/users/registration";

// --- helpers ---

/// `POST /users` as `token` with `body`.
fn create(server: &Server, token: &str, body: &Value) -> Response {
    server.post_json(USERS, body).with_bearer(token).send()
}

/// Creates `email` with `role` in `org` as `token` (the superadmin's) and logs it in.
#[track_caller]
fn created_user(
    server: &Server,
    token: &str,
    email: &str,
    role: &str,
    org: &str,
) -> (String, Session) {
    let response = create(
        server,
        token,
        &json!({"email": email, "password": password_for(email), "role": role, "org_id": org}),
    );
    let body = response.ok_json();
    let id = body["id"]
        .as_str()
        .unwrap_or_else(|| response.fail("no `id`"))
        .to_owned();
    (id, server.login(email, &password_for(email)))
}

/// `PUT /users/{id}/password` as `token`.
fn reset(server: &Server, token: &str, id: &str, new_password: &str) -> Response {
    server
        .put_json(
            &format!("{USERS}/{id}/password"),
            &json!({ "new_password": new_password }),
        )
        .with_bearer(token)
        .send()
}

/// `GET /users/registration` as `token`: the switch.
#[track_caller]
fn registration(server: &Server, token: &str) -> bool {
    let response = server.get(REGISTRATION).with_bearer(token).send();
    response.ok_json()["registration_enabled"]
        .as_bool()
        .unwrap_or_else(|| response.fail("no boolean `registration_enabled`"))
}

/// `PUT /users/registration` as `token`.
fn set_registration(server: &Server, token: &str, enabled: bool) -> Response {
    server
        .put_json(REGISTRATION, &json!({ "enabled": enabled }))
        .with_bearer(token)
        .send()
}

/// `POST /register` for `email`.
fn register(server: &Server, email: &str) -> Response {
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": password_for(email)}),
        )
        .send()
}

/// The account `id` as `GET /users` lists it to `token`.
#[track_caller]
fn listed(server: &Server, token: &str, id: &str) -> Option<Value> {
    let body = server.get(USERS).with_bearer(token).send().ok_json();
    body["users"]
        .as_array()
        .expect("a `users` array")
        .iter()
        .find(|user| user["id"] == id)
        .cloned()
}

// --- who may ---

#[test]
fn every_admin_endpoint_wants_a_token_and_an_admin_role() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let (viewer_id, viewer) = server.register_and_login("viewer@example.com");
    let (_, operator) = server.user_with_role("operator@example.com", "operator");
    let new = json!({"email": "new@example.com", "password": password_for("new@example.com")});
    let reset_body = json!({"new_password": "a-new-password-long-enough"});
    let password_path = format!("{USERS}/{viewer_id}/password");
    let calls: [(&str, &str, Option<&Value>); 4] = [
        ("POST", USERS, Some(&new)),
        ("PUT", &password_path, Some(&reset_body)),
        ("GET", REGISTRATION, None),
        ("PUT", REGISTRATION, Some(&json!({"enabled": false}))),
    ];
    for (method, path, body) in calls {
        let request = |token: Option<&str>| {
            let mut request = server.request(method, path);
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(token) = token {
                request = request.with_bearer(token);
            }
            request.send()
        };
        let response = request(None);
        response.assert_error(401, "unauthorized");
        assert!(
            response.header("www-authenticate").is_some(),
            "{method} {path}: {response}"
        );
        request(Some("not-a-token")).assert_error(401, "invalid_token");
        for token in [&viewer.access_token, &operator.access_token] {
            request(Some(token)).assert_error(403, "forbidden");
        }
    }
    for (method, path, allow) in [
        ("DELETE", REGISTRATION, "GET, HEAD, PUT"),
        ("PUT", USERS, "GET, HEAD, POST"),
        ("GET", password_path.as_str(), "PUT"),
    ] {
        let response = server
            .request(method, path)
            .with_bearer(&admin.access_token)
            .send();
        response.assert_error(405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some(allow), "{response}");
    }
    // Nothing was done by the refused calls.
    assert!(registration(&server, &admin.access_token));
    server.login("viewer@example.com", &password_for("viewer@example.com"));
    let users = server.get(USERS).with_bearer(&admin.access_token).send();
    assert_eq!(users.ok_json()["total"], 3, "{users}");
}

// --- POST /users ---

#[test]
fn a_superadmin_creates_accounts_in_any_organisation() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let token = &admin.access_token;

    // The defaults: viewer, the creator's organisation.
    let response = create(
        &server,
        token,
        &json!({"email": " Plain@Example.com", "password": password_for("plain@example.com")}),
    );
    let body = response.ok_json();
    assert_eq!(body["email"], "plain@example.com", "{response}");
    assert_eq!(body["role"], "viewer", "{response}");
    assert_eq!(body["status"], "active", "{response}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["email", "id", "role", "status"], "{response}");
    let plain = listed(&server, token, body["id"].as_str().unwrap()).unwrap();
    assert_eq!(plain["org_id"], "default");

    let (acme_id, acme) = created_user(&server, token, "boss@acme.example", "org_admin", "acme");
    let claims = decode_jwt(&acme.access_token).claims;
    assert_eq!(claims["org_id"], "acme", "{claims}");
    assert_eq!(claims["role"], "org_admin", "{claims}");
    assert_eq!(
        listed(&server, token, &acme_id).unwrap()["display_name"],
        ""
    );
    let named = create(
        &server,
        token,
        &json!({"email": "named@example.com", "password": password_for("named@example.com"),
                "display_name": "Named One", "role": "superadmin"}),
    );
    assert_eq!(named.ok_json()["role"], "superadmin");

    // 409 for a taken email, in any letter case; 400 for what breaks the rules.
    create(
        &server,
        token,
        &json!({"email": "BOSS@acme.example", "password": password_for("x@y.z")}),
    )
    .assert_error(409, "conflict");
    for bad in [
        json!({"email": "weak@example.com", "password": "short"}),
        json!({"email": "common@example.com", "password": "password123"}),
        json!({"email": "not-an-email", "password": password_for("a@b.c")}),
        json!({"email": "role@example.com", "password": password_for("a@b.c"), "role": "wallet"}),
        json!({"email": "org@example.com", "password": password_for("a@b.c"), "org_id": "a b"}),
        json!({"email": "org@example.com", "password": password_for("a@b.c"), "org_id": ""}),
        json!({"email": "org@example.com", "password": password_for("a@b.c"),
               "org_id": "x".repeat(65)}),
        json!({"email": "nopassword@example.com"}),
        json!({"email": 7, "password": password_for("a@b.c")}),
    ] {
        create(&server, token, &bad).assert_error(400, "invalid_request");
    }
    let total = server.get(USERS).with_bearer(token).send().ok_json()["total"].clone();
    assert_eq!(
        total, 4,
        "admin, plain, boss, named: nothing else was created"
    );
}

#[test]
fn an_org_admin_creates_accounts_only_in_its_own_organisation_and_no_superadmin() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let (_, boss) = created_user(
        &server,
        &admin.access_token,
        "boss@acme.example",
        "org_admin",
        "acme",
    );
    let token = &boss.access_token;
    let body = |email: &str, extra: Value| {
        let mut body = json!({"email": email, "password": password_for(email)});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // Without org_id, or naming its own: its organisation.
    for (email, extra) in [
        ("one@acme.example", json!({})),
        (
            "two@acme.example",
            json!({"org_id": "acme", "role": "operator"}),
        ),
        ("three@acme.example", json!({"role": "org_admin"})),
    ] {
        let response = create(&server, token, &body(email, extra));
        let id = response.ok_json()["id"].as_str().unwrap().to_owned();
        assert_eq!(
            listed(&server, &admin.access_token, &id).unwrap()["org_id"],
            "acme",
            "{response}"
        );
        let login = server.login(email, &password_for(email));
        assert_eq!(decode_jwt(&login.access_token).claims["org_id"], "acme");
    }
    // Another organisation, or a superadmin: refused, and nothing is created.
    create(
        &server,
        token,
        &body("other@acme.example", json!({"org_id": "default"})),
    )
    .assert_error(403, "forbidden");
    create(
        &server,
        token,
        &body("root@acme.example", json!({"role": "superadmin"})),
    )
    .assert_error(403, "forbidden");
    // Its own listing holds only its organisation.
    let users = server.get(USERS).with_bearer(token).send().ok_json();
    assert_eq!(users["total"], 4, "{users}");
    let logins = ["other@acme.example", "root@acme.example"].map(|email| {
        server
            .post_json(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password_for(email)}),
            )
            .send()
    });
    for response in logins {
        response.assert_error(401, "invalid_credentials");
    }
}

// --- PUT /users/{id}/password ---

#[test]
fn a_password_reset_ends_every_session_of_the_account() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let email = "ada@example.com";
    let (id, first) = server.register_and_login(email);
    let second = server.login(email, &password_for(email));
    let rotated = Session::from_response(&server.refresh(&second.refresh_token));
    let other = server.register_and_login("other@example.com").1;

    reset(&server, &admin.access_token, &id, "short").assert_error(400, "invalid_request");
    server
        .put_json(&format!("{USERS}/{id}/password"), &json!({}))
        .with_bearer(&admin.access_token)
        .send()
        .assert_error(400, "invalid_request");
    // The refused resets changed nothing.
    let still = server.refresh(&first.refresh_token);
    let first = Session::from_response(&still);

    let response = reset(&server, &admin.access_token, &id, "a-brand-new-password");
    assert_eq!(
        response.ok_json(),
        json!({"message": "Password reset"}),
        "{response}"
    );
    for session in [&first, &rotated] {
        server
            .refresh(&session.refresh_token)
            .assert_error(401, "invalid_token");
        server
            .get("/api/v1/auth/me")
            .with_bearer(&session.access_token)
            .send()
            .assert_error(401, "invalid_token");
    }
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password_for(email)}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
    let fresh = server.login(email, "a-brand-new-password");
    server
        .get("/api/v1/auth/me")
        .with_bearer(&fresh.access_token)
        .send()
        .ok_json();
    // Another account's sessions live on.
    server.refresh(&other.refresh_token).ok_json();
    // The revoked access tokens are on the denylist, revoked by the admin.
    let revoked = server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let jti = decode_jwt(&first.access_token).claims["jti"].clone();
    let entry = revoked["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["jti"] == jti)
        .cloned()
        .unwrap_or_else(|| panic!("{jti} is not in {revoked}"));
    let admin_id = decode_jwt(&admin.access_token).claims["sub"].clone();
    assert_eq!(
        entry["revoked_by"],
        format!("user:{}", admin_id.as_str().unwrap())
    );
    reset(
        &server,
        &admin.access_token,
        "no-such-id",
        "a-brand-new-password",
    )
    .assert_error(404, "not_found");
}

#[test]
fn an_org_admin_resets_only_its_organisation_and_never_a_superadmin() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let token = &admin.access_token;
    let (_, boss) = created_user(&server, token, "boss@acme.example", "org_admin", "acme");
    let (member_id, member) = created_user(&server, token, "m@acme.example", "viewer", "acme");
    let (root_id, root) = created_user(&server, token, "root@acme.example", "superadmin", "acme");
    let (outsider_id, outsider) = server.register_and_login("outsider@example.com");
    let new_password = "a-brand-new-password";

    reset(&server, &boss.access_token, &outsider_id, new_password).assert_error(404, "not_found");
    reset(&server, &boss.access_token, "no-such-id", new_password).assert_error(404, "not_found");
    reset(&server, &boss.access_token, &root_id, new_password).assert_error(403, "forbidden");
    // Those sessions were not touched.
    server.refresh(&outsider.refresh_token).ok_json();
    server.refresh(&root.refresh_token).ok_json();

    reset(&server, &boss.access_token, &member_id, new_password).ok_json();
    server
        .refresh(&member.refresh_token)
        .assert_error(401, "invalid_token");
    server.login("m@acme.example", new_password);
    // A superadmin resets a superadmin, of any organisation.
    reset(&server, token, &root_id, new_password).ok_json();
    server.login("root@acme.example", new_password);
}

// --- the registration switch ---

#[test]
fn the_registration_switch_is_for_admins_and_honoured_at_once() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let (_, boss) = created_user(
        &server,
        &admin.access_token,
        "boss@acme.example",
        "org_admin",
        "acme",
    );
    assert!(
        registration(&server, &admin.access_token),
        "the setting's default"
    );
    assert!(
        registration(&server, &boss.access_token),
        "org_admins may read it"
    );
    set_registration(&server, &boss.access_token, false).assert_error(403, "forbidden");
    register(&server, "early@example.com").ok_json();

    let response = set_registration(&server, &admin.access_token, false);
    assert_eq!(
        response.ok_json(),
        json!({"registration_enabled": false}),
        "{response}"
    );
    register(&server, "late@example.com").assert_error(403, "forbidden");
    assert!(!registration(&server, &boss.access_token));
    // An admin still creates accounts while the door is closed.
    create(
        &server,
        &admin.access_token,
        &json!({"email": "late@example.com", "password": password_for("late@example.com")}),
    )
    .ok_json();
    for bad in [json!({}), json!({"enabled": "no"}), json!(false)] {
        set_registration(&server, &admin.access_token, true);
        server
            .put_json(REGISTRATION, &bad)
            .with_bearer(&admin.access_token)
            .send()
            .assert_error(400, "invalid_request");
    }
    set_registration(&server, &admin.access_token, true).ok_json();
    register(&server, "later@example.com").ok_json();
}

#[test]
fn the_registration_switch_outlives_a_restart_wins_over_the_setting_and_every_process_sees_it() {
    let dir = TestDir::new();
    let closed = ["--registration-enabled", "false"];
    let open = ["--registration-enabled", "true"];
    let first = Server::start_with(&dir, &closed, &[ADMIN_ENV]);
    let admin = first.admin();
    // The setting is the initial value.
    assert!(!registration(&first, &admin.access_token));
    register(&first, "a@example.com").assert_error(403, "forbidden");
    // A second process on the same database (on PostgreSQL, a second replica), started with
    // the opposite setting.
    let second = Server::start_with(&dir, &open, &[ADMIN_ENV]);
    register(&second, "b@example.com").ok_json();

    // Set on one, seen by the other at its next request.
    set_registration(&first, &admin.access_token, false).ok_json();
    register(&second, "c@example.com").assert_error(403, "forbidden");
    assert!(!registration(&second, &admin.access_token));
    set_registration(&second, &admin.access_token, true).ok_json();
    register(&first, "d@example.com").ok_json();
    set_registration(&first, &admin.access_token, false).ok_json();

    // Across a restart with the setting saying the opposite: the stored switch wins.
    first.stop();
    second.stop();
    let restarted = Server::start_with(&dir, &open, &[ADMIN_ENV]);
    let admin = restarted.admin();
    assert!(!registration(&restarted, &admin.access_token));
    register(&restarted, "e@example.com").assert_error(403, "forbidden");

    // The CLI reads and sets the same switch while the server runs.
    let shown = run_on(&dir, &["users", "registration", "--json"], &[]);
    shown.assert_code(0);
    let shown: Value = serde_json::from_str(&shown.stdout).expect("JSON on stdout");
    assert_eq!(shown, json!({"registration_enabled": false}));
    run_on(&dir, &["users", "registration", "--enable"], &[]).assert_code(0);
    register(&restarted, "f@example.com").ok_json();
    let text = run_on(&dir, &["users", "registration"], &[]);
    text.assert_code(0);
    assert_eq!(text.stdout, "registration is open\n", "{text}");
    run_on(&dir, &["users", "registration", "--disable"], &[]).assert_code(0);
    register(&restarted, "g@example.com").assert_error(403, "forbidden");
    run_on(
        &dir,
        &["users", "registration", "--enable", "--disable"],
        &[],
    )
    .assert_code(2);
}

// --- users add --org ---

#[test]
fn users_add_sets_the_organisation_and_users_list_shows_it() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let add = |email: &str, extra: &[&str]| {
        let mut command = crate::util::picoauth_on(&dir);
        command
            .args(["users", "add", email, "--password-stdin"])
            .args(extra)
            .arg("--db")
            .arg(dir.db())
            .arg("--key-dir")
            .arg(dir.key_dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("picoauth runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let _ = writeln!(stdin, "{}", password_for(email));
        }
        child.wait_with_output().expect("picoauth exits")
    };
    let output = add(
        "chief@corp.example",
        &["--org", "acme", "--role", "org_admin"],
    );
    assert!(output.status.success(), "{output:?}");
    let output = add("plain@example.com", &[]);
    assert!(output.status.success(), "{output:?}");
    for bad in ["a b", "", "x/y", &"x".repeat(65)] {
        let output = add("bad@example.com", &["--org", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {output:?}");
    }

    let boss = server.login("chief@corp.example", &password_for("chief@corp.example"));
    assert_eq!(decode_jwt(&boss.access_token).claims["org_id"], "acme");
    let listing = run_on(&dir, &["users", "list", "--json"], &[]);
    listing.assert_code(0);
    let listing: Value = serde_json::from_str(&listing.stdout).unwrap();
    let org_of = |email: &str| {
        listing["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user["email"] == email)
            .map(|user| user["org_id"].clone())
    };
    assert_eq!(org_of("chief@corp.example"), Some(json!("acme")));
    assert_eq!(org_of("plain@example.com"), Some(json!("default")));
    assert_eq!(org_of("bad@example.com"), None, "never created");
    let table = run_on(&dir, &["users", "list"], &[("COLUMNS", Some("200"))]);
    table.assert_code(0);
    assert!(table.stdout.contains("org"), "{table}");
    let boss_line = table
        .stdout
        .lines()
        .find(|line| line.contains("chief@corp.example"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(boss_line.contains("acme"), "{table}");
    // The org_admin's view is its organisation.
    let users = server
        .get(USERS)
        .with_bearer(&boss.access_token)
        .send()
        .ok_json();
    assert_eq!(users["total"], 1, "{users}");
}

// --- wallet subjects ---

/// Signs `wallet` in on `server`, sending `public_key` (hex) and naming itself `address`.
#[track_caller]
fn wallet_sign_in(server: &Server, wallet: &Wallet, public_key: &str, address: &str) -> Response {
    let response = server
        .post_json("/api/v1/auth/challenge", &json!({ "address": address }))
        .send();
    let challenge = response.ok_json()["challenge"]
        .as_str()
        .unwrap_or_else(|| response.fail("no challenge"))
        .to_owned();
    server
        .post_json(
            "/api/v1/auth/sign-in",
            &json!({
                "address": address,
                "public_key": public_key,
                "signature": hex(&wallet.sign(&challenge)),
                "challenge": challenge,
                "algorithm": wallet.algorithm(),
            }),
        )
        .send()
}

/// Asserts that a sign-in (or refresh) answered tokens naming the wallet `subject`.
#[track_caller]
fn assert_subject(response: &Response, subject: &str, with_address: bool) -> Session {
    let session = Session::from_response(response);
    if with_address {
        assert_eq!(session.body["address"], subject, "{response}");
    }
    let claims = decode_jwt(&session.access_token).claims;
    assert_eq!(claims["sub"], subject, "{claims}");
    assert_eq!(claims["wallet_address"], subject, "{claims}");
    assert_eq!(claims["role"], "wallet", "{claims}");
    session
}

/// Each algorithm's wallets, and the public keys they may send (secp256k1: both encodings).
fn wallets() -> Vec<(Wallet, Vec<Vec<u8>>)> {
    let secp256k1 = Wallet::secp256k1(5);
    let encodings = vec![secp256k1.public_key(), secp256k1.uncompressed_public_key()];
    let ml_dsa = Wallet::ml_dsa_65(5);
    let ml_dsa_key = vec![ml_dsa.public_key()];
    let ed25519 = Wallet::ed25519(5);
    let ed25519_key = vec![ed25519.public_key()];
    vec![
        (ml_dsa, ml_dsa_key),
        (ed25519, ed25519_key),
        (secp256k1, encodings),
    ]
}

#[test]
fn wallet_subject_public_key_names_wallets_by_their_key_s_hex_and_their_sessions_keep_it() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--wallet-subject", "public_key"], &[ADMIN_ENV]);
    let admin = server.admin();
    for (wallet, keys) in wallets() {
        for key in keys {
            let key_hex = hex(&key);
            // Sent in upper case with `0x`, named by its hex or by the canonical address: the
            // subject is the lowercase hex of the key as sent.
            let sent = format!("0x{}", key_hex.to_uppercase());
            for address in [key_hex.clone(), wallet.address(), sent.clone()] {
                let response = wallet_sign_in(&server, &wallet, &sent, &address);
                let session = assert_subject(&response, &key_hex, true);
                assert_eq!(session.body["algorithm"], wallet.algorithm());
                // The server takes its own token, and its refresh keeps the subject.
                server
                    .get("/api/v1/auth/mints")
                    .with_bearer(&session.access_token)
                    .send()
                    .assert_error(403, "forbidden");
                let refreshed =
                    assert_subject(&server.refresh(&session.refresh_token), &key_hex, false);
                // Revoking an access token of the session ends the session.
                let jti = decode_jwt(&refreshed.access_token).claims["jti"].clone();
                server
                    .post_json("/api/v1/auth/revoke", &json!({ "jti": jti }))
                    .with_bearer(&admin.access_token)
                    .send()
                    .ok_json();
                server
                    .refresh(&refreshed.refresh_token)
                    .assert_error(401, "invalid_token");
            }
            // Another wallet's key hex is not this wallet's address.
            let stranger = hex(&Wallet::ed25519(99).public_key());
            wallet_sign_in(&server, &wallet, &key_hex, &stranger)
                .assert_error(400, "invalid_request");
        }
    }
    // The audit lists the wallet tokens under their subjects.
    let mints = server
        .get("/api/v1/auth/mints?limit=1000")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let ml_dsa_hex = hex(&Wallet::ml_dsa_65(5).public_key());
    assert!(
        mints["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["kind"] == "wallet" && item["sub"] == ml_dsa_hex.as_str()),
        "the ML-DSA-65 wallet's tokens are audited under its key"
    );
    // The CLI's table shortens a subject that long; its --json keeps it whole.
    let table = run_on(&dir, &["list-mints"], &[("COLUMNS", Some("300"))]);
    table.assert_code(0);
    assert!(!table.stdout.contains(&ml_dsa_hex), "{table}");
    assert!(table.stdout.contains("(3904 characters)"), "{table}");
    let listed = run_on(&dir, &["list-mints", "--json"], &[]);
    listed.assert_code(0);
    assert!(listed.stdout.contains(&ml_dsa_hex), "{listed}");
}

#[test]
fn wallet_subject_address_is_the_default_whatever_the_client_sends() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for (wallet, keys) in wallets() {
        for key in keys {
            let key_hex = hex(&key);
            for address in [key_hex.clone(), wallet.address()] {
                let response = wallet_sign_in(&server, &wallet, &key_hex, &address);
                let session = assert_subject(&response, &wallet.address(), true);
                assert_subject(
                    &server.refresh(&session.refresh_token),
                    &wallet.address(),
                    false,
                );
            }
        }
    }
    let run = run_on(&dir, &["serve", "--wallet-subject", "pubkey"], &[]);
    run.assert_code(2);
}
