//! Attacks on post-quantum access tokens (issue 13, API.md §8), black-box, as an adversary on
//! loopback would make them: forged and confused tokens on every protected route, key files an
//! attacker (or an accident) left in the key directory, rotations racing a running server, and
//! the PostgreSQL deployment's sealed keys. Each finding has its regression test here; the
//! forgery battery and the grace-period test guard what held.
//!
//! Findings (each failed before its fix):
//! - A header with a member twice (`alg`, `kid`) was read as its last one, silently: a token
//!   another JOSE library reads differently (first member wins) was accepted. Now refused.
//! - A key file that is a FIFO hung `serve` at start, every CLI command that loads keys, and
//!   every `/readyz` of a running server (each probe left a blocked thread and a database
//!   connection behind, forever); a key file of any size was read whole (a symlink to
//!   `/dev/zero` would have eaten the memory). Key files are now opened like the
//!   key-encryption key: non-blocking, regular files only, at most 64 KiB.
//! - A key file readable by other users was loaded without a word (only the directory's mode
//!   was looked at). `serve` now warns, naming the file.
//! - A sealed key row whose algorithm column was changed failed with "not a usable RSA private
//!   key" and no name: which of the keys, in which row? The error now names the kid.
//! - Discovery claimed `token_endpoint_auth_signing_alg_values_supported: ["RS256"]` on every
//!   deployment, an ML-DSA one too, though no client authentication by signed JWT exists
//!   (`token_endpoint_auth_methods_supported` is `["none"]`). The member is gone.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ML_DSA_65_SIGNING, ML_DSA_87_SIGNING, PqdsaKeyPair};
use serde_json::{Value, json};

use crate::util::{
    ADMIN_ENV, Server, TestDir, b64url, b64url_decode, decode_jwt, picoauth_on, run_on,
    signing_key, signing_key_pkcs8,
};

/// The JWKS `server` publishes.
fn jwks(server: &Server) -> Vec<Value> {
    server.get("/api/v1/auth/jwks").send().ok_json()["keys"]
        .as_array()
        .expect("keys")
        .clone()
}

/// Rotates to a new key of `algorithm` and returns its kid.
#[track_caller]
fn rotate(dir: &TestDir, algorithm: &str, env: &[(&str, Option<&str>)]) -> String {
    let run = run_on(dir, &["keygen", "--rotate", "--algorithm", algorithm], env);
    run.assert_code(0);
    run.stdout.trim().to_owned()
}

/// Signs `signing_input` with the private key `kid` of `dir`, whatever its algorithm, as only
/// the key's holder can: for tokens whose only fault is in their header.
fn sign_as(dir: &TestDir, kid: &str, algorithm: &str, signing_input: &[u8]) -> Vec<u8> {
    let signing = match algorithm {
        "RS256" => {
            let key = signing_key(dir, kid);
            let mut signature = vec![0; key.public_modulus_len()];
            key.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                signing_input,
                &mut signature,
            )
            .expect("RSA signing");
            return signature;
        }
        "ML-DSA-65" => &ML_DSA_65_SIGNING,
        "ML-DSA-87" => &ML_DSA_87_SIGNING,
        other => panic!("no such algorithm {other}"),
    };
    let key = PqdsaKeyPair::from_pkcs8(signing, &signing_key_pkcs8(dir, kid)).expect("ML-DSA key");
    let mut signature = vec![0; signing.signature_len()];
    let written = key
        .sign(signing_input, &mut signature)
        .expect("ML-DSA signing");
    signature.truncate(written);
    signature
}

/// `base64url(header).base64url(claims)` of raw header bytes (which may be JSON no serializer
/// writes, such as a member twice).
fn signing_input(header: &[u8], claims: &Value) -> String {
    format!(
        "{}.{}",
        b64url(header),
        b64url(claims.to_string().as_bytes())
    )
}

/// Every route that takes a bearer token, with a body it would accept from a good token.
fn protected_routes() -> Vec<(&'static str, &'static str, Option<Value>)> {
    vec![
        ("GET", "/api/v1/auth/me", None),
        (
            "POST",
            "/api/v1/auth/me/password",
            Some(json!({"old_password": "x", "new_password": "a long new password 1"})),
        ),
        ("GET", "/api/v1/auth/users", None),
        (
            "PUT",
            "/api/v1/auth/users/no-such-user/role",
            Some(json!({"role": "viewer"})),
        ),
        (
            "POST",
            "/api/v1/auth/revoke",
            Some(json!({"jti": "0".repeat(32)})),
        ),
        ("GET", "/api/v1/auth/revoked-jtis", None),
        ("GET", "/api/v1/auth/mints", None),
    ]
}

/// Sends `token` to `route` of `server`.
fn call(
    server: &Server,
    route: &(&str, &str, Option<Value>),
    token: &str,
) -> crate::util::Response {
    let (method, path, body) = route;
    let request = server.request(method, path).with_bearer(token);
    match body {
        Some(body) => request.json(body).send(),
        None => request.send(),
    }
}

/// A server whose JWKS holds a key of each algorithm, with an admin token signed by each.
struct ThreeKeys {
    dir: TestDir,
    server: Server,
    /// (algorithm, kid, an admin access token it signed), oldest key first.
    tokens: Vec<(&'static str, String, String)>,
}

fn three_keys() -> ThreeKeys {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let mut tokens = vec![("RS256", server.kid(), server.admin().access_token)];
    for algorithm in ["ML-DSA-87", "ML-DSA-65"] {
        let kid = rotate(&dir, algorithm, &[]);
        tokens.push((algorithm, kid, server.admin().access_token));
    }
    for (algorithm, kid, token) in &tokens {
        assert_eq!(decode_jwt(token).header["alg"], *algorithm);
        assert_eq!(decode_jwt(token).header["kid"], kid.as_str());
    }
    ThreeKeys {
        dir,
        server,
        tokens,
    }
}

/// Forgeries made from `token` (of `algorithm`) and the kids of the ring: everything but the
/// private key.
fn forgeries(token: &str, kids: &[(&str, String)], jwks: &[Value]) -> Vec<(String, String)> {
    let jwt = decode_jwt(token);
    let claims = &jwt.claims;
    let signature = &jwt.signature;
    let encoded_signature = token.rsplit_once('.').expect("three parts").1;
    let with = |header: &Value, signature: &[u8]| {
        let input = signing_input(header.to_string().as_bytes(), claims);
        format!("{input}.{}", b64url(signature))
    };
    let mut forged = Vec::new();
    // Every alg name, real or not, under every kid, the signature kept.
    let names = [
        json!("RS256"),
        json!("ML-DSA-65"),
        json!("ML-DSA-87"),
        json!("ML-DSA-44"),
        json!("ml-dsa-65"),
        json!("ML-DSA-65 "),
        json!("none"),
        json!("None"),
        json!("HS256"),
        json!("EdDSA"),
        json!(""),
        json!(null),
        json!(["ML-DSA-65"]),
    ];
    for (_, kid) in kids {
        for alg in &names {
            let header = json!({"alg": alg, "typ": "JWT", "kid": kid});
            if header == jwt.header {
                continue;
            }
            forged.push((format!("alg {alg} kid {kid}"), with(&header, signature)));
        }
        forged.push((
            format!("alg none, no signature, kid {kid}"),
            format!(
                "{}.",
                signing_input(
                    json!({"alg": "none", "kid": kid}).to_string().as_bytes(),
                    claims
                )
            ),
        ));
    }
    // HS256/HS512 keyed with each public key (the AKP `pub`, its raw bytes, RSA's `n`, the JWK).
    for jwk in jwks {
        let public = jwk["pub"].as_str().or(jwk["n"].as_str()).expect("pub or n");
        let materials = [
            public.as_bytes().to_vec(),
            b64url_decode(public),
            jwk.to_string().into_bytes(),
        ];
        for (alg, hmac) in [
            ("HS256", aws_lc_rs::hmac::HMAC_SHA256),
            ("HS512", aws_lc_rs::hmac::HMAC_SHA512),
        ] {
            for material in &materials {
                let header = json!({"alg": alg, "typ": "JWT", "kid": jwk["kid"]});
                let input = signing_input(header.to_string().as_bytes(), claims);
                let tag = aws_lc_rs::hmac::sign(
                    &aws_lc_rs::hmac::Key::new(hmac, material),
                    input.as_bytes(),
                );
                forged.push((
                    format!("{alg} keyed by {}'s public key", jwk["kid"]),
                    format!("{input}.{}", b64url(tag.as_ref())),
                ));
            }
        }
    }
    // Signatures: cut, padded, zeroed, doubled, halved, flipped, empty.
    let mut flipped = signature.clone();
    flipped[signature.len() / 2] ^= 1;
    for (what, bad) in [
        ("truncated", signature[..signature.len() - 1].to_vec()),
        ("padded", [signature.as_slice(), &[0]].concat()),
        ("zeros", vec![0; signature.len()]),
        ("doubled", signature.repeat(2)),
        ("halved", signature[..signature.len() / 2].to_vec()),
        ("flipped", flipped),
        ("empty", Vec::new()),
    ] {
        forged.push((format!("signature {what}"), with(&jwt.header, &bad)));
    }
    // Non-canonical base64url of the real signature and header: `=` padding, the standard
    // alphabet, trailing bits set, whitespace.
    let (header_part, payload_part) = jwt.signing_input.split_once('.').expect("two parts");
    let padding = |text: &str| "=".repeat(((4 - text.len() % 4) % 4).max(1));
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = encoded_signature.chars().last().expect("a signature");
    let last_index = alphabet.find(last).expect("base64url");
    for bits in 1..4 {
        let changed = alphabet.as_bytes()[last_index ^ bits] as char;
        forged.push((
            format!("signature with trailing bits {bits}"),
            format!(
                "{}.{}{changed}",
                jwt.signing_input,
                &encoded_signature[..encoded_signature.len() - 1]
            ),
        ));
    }
    forged.extend([
        (
            "signature padded with =".to_owned(),
            format!("{token}{}", padding(encoded_signature)),
        ),
        (
            "header padded with =".to_owned(),
            format!(
                "{header_part}{}.{payload_part}.{encoded_signature}",
                padding(header_part)
            ),
        ),
        (
            "signature in the standard alphabet".to_owned(),
            format!(
                "{}.{}",
                jwt.signing_input,
                encoded_signature.replace('-', "+").replace('_', "/")
            ),
        ),
        ("a fourth part".to_owned(), format!("{token}.")),
        ("a space inside".to_owned(), token.replacen('.', " .", 1)),
    ]);
    // Header members that ask the verifier to fetch or trust another key, or an extension.
    let own_jwk = jwks
        .iter()
        .find(|jwk| jwk["kid"] == jwt.header["kid"])
        .expect("the token's key is published");
    for (member, value) in [
        ("crit", json!(["exp"])),
        ("jku", json!("http://127.0.0.1:9/jwks")),
        ("jwk", own_jwk.clone()),
        ("x5u", json!("http://127.0.0.1:9/cert")),
        ("x5c", json!(["MIIB"])),
    ] {
        let mut header = jwt.header.clone();
        header[member] = value;
        forged.push((format!("header with {member}"), with(&header, signature)));
    }
    // The claims changed under the real signature.
    for (claim, value) in [
        ("exp", json!(claims["exp"].as_i64().expect("exp") + 86_400)),
        ("role", json!("superadmin")),
        ("sub", json!("someone-else")),
    ] {
        let mut changed = claims.clone();
        changed[claim] = value;
        let input = signing_input(jwt.header.to_string().as_bytes(), &changed);
        forged.push((
            format!("{claim} changed"),
            format!("{input}.{encoded_signature}"),
        ));
    }
    forged
}

#[test]
fn forgeries_of_every_algorithm_are_refused_on_every_protected_route() {
    let keys = three_keys();
    let jwks = jwks(&keys.server);
    assert_eq!(jwks.len(), 3, "{jwks:?}");
    let kids: Vec<(&str, String)> = keys
        .tokens
        .iter()
        .map(|(algorithm, kid, _)| (*algorithm, kid.clone()))
        .collect();
    let routes = protected_routes();
    for (algorithm, _, token) in &keys.tokens {
        // Control: the real token passes authentication on every route (whatever the route
        // then says of its body).
        for route in &routes {
            let response = call(&keys.server, route, token);
            assert!(
                response.status < 500
                    && !(response.status == 401 && response.json()["error"] == "invalid_token"),
                "{algorithm} control on {}: {response}",
                route.1
            );
        }
        let forged = forgeries(token, &kids, &jwks);
        assert!(forged.len() > 60, "{}", forged.len());
        for (what, forgery) in &forged {
            for route in &routes {
                let response = call(&keys.server, route, forgery);
                if response.status != 401 || response.json()["error"] != "invalid_token" {
                    response.fail(&format!("{algorithm} token, {what}, on {}", route.1));
                }
            }
        }
        // The operator's door agrees, and says so without a panic.
        for (what, forgery) in forged.iter().step_by(7) {
            let inspected = run_on(&keys.dir, &["inspect", forgery], &[]);
            assert_eq!(
                inspected.code(),
                1,
                "{algorithm} token, {what}: {inspected}"
            );
            assert!(!inspected.stderr.contains("panic"), "{inspected}");
        }
    }
    let stderr = keys.server.stop();
    assert!(!stderr.contains("panic"), "{stderr}");
}

#[test]
fn a_header_with_a_member_twice_is_refused() {
    let keys = three_keys();
    for (algorithm, kid, token) in &keys.tokens {
        let claims = decode_jwt(token).claims;
        let signed = |header: String| {
            let input = signing_input(header.as_bytes(), &claims);
            let signature = sign_as(&keys.dir, kid, algorithm, input.as_bytes());
            format!("{input}.{}", b64url(&signature))
        };
        // Control: the same key signing a plain header is accepted.
        let plain = signed(format!(
            r#"{{"alg":"{algorithm}","typ":"JWT","kid":"{kid}"}}"#
        ));
        keys.server
            .get("/api/v1/auth/me")
            .with_bearer(&plain)
            .send()
            .ok_json();
        for header in [
            format!(r#"{{"alg":"none","alg":"{algorithm}","typ":"JWT","kid":"{kid}"}}"#),
            format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{kid}","alg":"{algorithm}"}}"#),
            format!(r#"{{"alg":"{algorithm}","typ":"JWT","kid":"elsewhere","kid":"{kid}"}}"#),
            format!(r#"{{"alg":"{algorithm}","typ":"JWT","typ":"JWT","kid":"{kid}"}}"#),
        ] {
            keys.server
                .get("/api/v1/auth/me")
                .with_bearer(&signed(header.clone()))
                .send()
                .assert_error(401, "invalid_token");
        }
    }
}

#[test]
fn the_rsa_key_leaves_when_its_grace_period_ends_and_its_tokens_with_it() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let rsa_kid = server.kid();
    // A token of an hour, then a rotation under settings whose longest lifetime is 2 s: the
    // RSA key's grace ends long before its token would expire.
    let before = server.admin().access_token;
    let short = [
        ("PICOAUTH_ACCESS_TOKEN_TTL", Some("2s")),
        ("PICOAUTH_FLEET_SESSION_TTL", Some("2s")),
        ("PICOAUTH_FLEET_MAX_TTL", Some("2s")),
    ];
    let ml_dsa_kid = rotate(&dir, "ML-DSA-65", &short);
    let kids = |server: &Server| -> Vec<Value> {
        jwks(server).iter().map(|key| key["kid"].clone()).collect()
    };
    assert_eq!(kids(&server), [json!(ml_dsa_kid), json!(rsa_kid)]);
    server
        .get("/api/v1/auth/me")
        .with_bearer(&before)
        .send()
        .ok_json();
    let after = server.admin().access_token;
    assert_eq!(decode_jwt(&after).header["alg"], "ML-DSA-65");

    std::thread::sleep(Duration::from_millis(3_200));
    // No database change marks the end of a grace period: the server must see it by itself.
    assert_eq!(kids(&server), [json!(ml_dsa_kid)]);
    let discovery = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["ML-DSA-65"])
    );
    server
        .get("/api/v1/auth/me")
        .with_bearer(&before)
        .send()
        .assert_error(401, "invalid_token");
    server
        .get("/api/v1/auth/me")
        .with_bearer(&after)
        .send()
        .ok_json();
    let inspected = run_on(&dir, &["inspect", &before], &[]);
    assert_eq!(inspected.code(), 1, "{inspected}");
    assert!(inspected.stderr.contains("retired"), "{inspected}");
}

#[test]
fn the_longest_fleet_token_an_ml_dsa_87_key_mints_is_accepted() {
    // Long claims in four-byte characters: an ML-DSA-87 token of about 15 KB must still fit
    // the server's own request-head limit and token limit; claims too long for that are
    // refused at the mint, never signed into a token every checker would refuse.
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--token-algorithm", "ML-DSA-87"], &[ADMIN_ENV]);
    let id = "\u{1D54F}".repeat(256);
    // Every field at its own bound (a 1,024-character scope, carried twice since fleet tokens
    // got `scopes`) made a token past the 16 KiB head, which this server refused (431): such
    // a mint is refused instead (tests/attacks_oauth.rs, issue 15), and the longest accepted
    // has a shorter scope.
    let too_long = "\u{1D54F}".repeat(1024);
    let refused = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            &id,
            "--agent-id",
            &id,
            "--scope",
            &too_long,
        ],
        &[],
    );
    refused.assert_code(2);
    assert!(refused.stderr.contains("too large"), "{refused}");
    let scope = "\u{1D54F}".repeat(440);
    let minted = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            &id,
            "--agent-id",
            &id,
            "--scope",
            &scope,
            "--ttl",
            "1h",
            "--role",
            "service",
        ],
        &[],
    );
    minted.assert_code(0);
    let token = minted.stdout.trim();
    assert!(token.len() > 14_000, "{}", token.len());
    // `service` may read the denylist: authenticated, then served.
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(token)
        .send()
        .ok_json();
    // Twice that is refused as too large a head (431), never a 500.
    let doubled = format!("{token}{token}");
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&doubled)
        .send()
        .assert_error(431, "headers_too_large");
}

/// Runs `picoauth <args>` on `dir`, killing it after `bound`: `None` if it was still running.
fn run_within(dir: &TestDir, args: &[&str], bound: Duration) -> Option<(i32, String)> {
    let mut child = picoauth_on(dir)
        .args(args)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run picoauth");
    let deadline = Instant::now() + bound;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .expect("piped")
                .read_to_string(&mut stderr)
                .expect("stderr");
            return Some((status.code().unwrap_or(-1), stderr));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Replaces `path` by a FIFO nobody writes to.
fn make_fifo(path: &Path) {
    std::fs::remove_file(path).expect("remove the key file");
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

/// The number of threads of process `pid`.
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("a Threads line")
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: on PostgreSQL the keys are sealed rows, not files"
)]
fn a_key_file_that_is_a_fifo_or_huge_is_refused_without_hanging() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--token-algorithm", "ML-DSA-65"], &[ADMIN_ENV]);
    let kid = server.kid();
    let path = dir.key_dir().join(format!("{kid}.pem"));
    let saved = std::fs::read(&path).expect("the key file");
    make_fifo(&path);

    // A running server: every readiness probe answers at once and leaves nothing blocked.
    let threads_before = threads(server.pid());
    for _ in 0..6 {
        let started = Instant::now();
        server.get("/readyz").send().assert_status(503);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "/readyz waited {:?} on a FIFO",
            started.elapsed()
        );
    }
    assert!(
        threads(server.pid()) < threads_before + 4,
        "threads blocked on the FIFO: {} before, {} after",
        threads_before,
        threads(server.pid())
    );
    server.stop();

    // The CLI and a starting server name the file and exit.
    let bound = Duration::from_secs(10);
    for args in [
        &["mint-fleet", "--session-id", "s", "--agent-id", "a"][..],
        &["serve", "--listen", "127.0.0.1:0"][..],
    ] {
        let (code, stderr) = run_within(&dir, args, bound)
            .unwrap_or_else(|| panic!("picoauth {args:?} hung on a FIFO key file"));
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(&format!("{kid}.pem")), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }

    // A key file far larger than any key is refused unread, and so is a directory.
    std::fs::remove_file(&path).expect("remove the FIFO");
    let mut huge = saved.clone();
    huge.resize(2 * 1024 * 1024, b'A');
    std::fs::write(&path, &huge).expect("write");
    let (code, stderr) = run_within(
        &dir,
        &["mint-fleet", "--session-id", "s", "--agent-id", "a"],
        bound,
    )
    .expect("exits");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("too large"), "{stderr}");

    // The real key again: it works as before.
    std::fs::write(&path, &saved).expect("restore");
    let (code, stderr) = run_within(
        &dir,
        &["mint-fleet", "--session-id", "s", "--agent-id", "a"],
        bound,
    )
    .expect("exits");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: on PostgreSQL the keys are sealed rows, not files"
)]
fn a_key_file_open_to_other_users_is_named_in_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new();
    let created = run_on(&dir, &["keygen", "--algorithm", "ML-DSA-87"], &[]);
    created.assert_code(0);
    let kid = created.stdout.trim().to_owned();
    let path = dir.key_dir().join(format!("{kid}.pem"));
    let quiet = Server::start(&dir).stop();
    assert!(!quiet.contains("accessible to other users"), "{quiet}");

    // As a backup restored with the umask's 0644 would leave it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let server = Server::start(&dir);
    server.admin();
    let stderr = server.stop();
    assert!(
        stderr.contains("accessible to other users") && stderr.contains(&format!("{kid}.pem")),
        "{stderr}"
    );
}

#[test]
fn discovery_claims_no_algorithm_the_deployment_does_not_use() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--token-algorithm", "ML-DSA-65"], &[ADMIN_ENV]);
    let discovery = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["ML-DSA-65"])
    );
    // Since the OAuth token endpoint (issue 15), clients authenticate to it.
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
    assert!(
        discovery
            .get("token_endpoint_auth_signing_alg_values_supported")
            .is_none(),
        "no signed-JWT client authentication exists: {discovery}"
    );
    assert!(
        !discovery.to_string().contains("RS256"),
        "an ML-DSA-65 deployment claims RS256: {discovery}"
    );
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: the key file is rewritten in place"
)]
fn an_ml_dsa_key_file_in_the_expanded_or_an_inconsistent_form_never_signs_a_bad_token() {
    #![allow(deprecated)]
    use ml_dsa::MlDsa65;
    let dir = TestDir::new();
    let created = run_on(&dir, &["keygen", "--algorithm", "ML-DSA-65"], &[]);
    created.assert_code(0);
    let kid = created.stdout.trim().to_owned();
    let path = dir.key_dir().join(format!("{kid}.pem"));
    let seed_der = signing_key_pkcs8(&dir, &kid);
    assert_eq!(seed_der.len(), 54, "the seed form");
    let seed: [u8; 32] = seed_der[22..].try_into().expect("32 bytes");
    let expanded_of = |seed: [u8; 32]| -> Vec<u8> {
        ml_dsa::ExpandedSigningKey::<MlDsa65>::from_seed(&seed.into())
            .to_expanded()
            .to_vec()
    };
    let der = |inner: Vec<u8>| -> Vec<u8> {
        // PrivateKeyInfo { version 0, id-ml-dsa-65, OCTET STRING { inner } }
        let mut octets = vec![0x04, 0x82];
        octets.extend(u16::try_from(inner.len()).expect("short").to_be_bytes());
        octets.extend(inner);
        let mut body = vec![
            0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
            0x03, 0x12,
        ];
        body.extend(octets);
        let mut all = vec![0x30, 0x82];
        all.extend(u16::try_from(body.len()).expect("short").to_be_bytes());
        all.extend(body);
        all
    };
    let octet_string = |bytes: &[u8]| -> Vec<u8> {
        let mut out = if bytes.len() < 128 {
            vec![0x04, u8::try_from(bytes.len()).expect("short")]
        } else {
            let mut head = vec![0x04, 0x82];
            head.extend(u16::try_from(bytes.len()).expect("short").to_be_bytes());
            head
        };
        out.extend(bytes);
        out
    };
    let both = |seed: [u8; 32], expanded: Vec<u8>| -> Vec<u8> {
        let mut members = octet_string(&seed);
        members.extend(octet_string(&expanded));
        let mut sequence = vec![0x30, 0x82];
        sequence.extend(u16::try_from(members.len()).expect("short").to_be_bytes());
        sequence.extend(members);
        sequence
    };
    let other_seed = [7u8; 32];
    let write = |der: Vec<u8>| {
        std::fs::write(&path, pem::encode(&pem::Pem::new("PRIVATE KEY", der))).expect("write");
    };
    let jwk = |server: &Server| jwks(server)[0].clone();
    for (what, form) in [
        ("expanded", der(octet_string(&expanded_of(seed)))),
        ("both, consistent", der(both(seed, expanded_of(seed)))),
        (
            "both, another key's expanded form",
            der(both(seed, expanded_of(other_seed))),
        ),
        (
            "both, another seed",
            der(both(other_seed, expanded_of(seed))),
        ),
    ] {
        write(form);
        let minted = run_on(
            &dir,
            &["mint-fleet", "--session-id", "s", "--agent-id", "a"],
            &[],
        );
        if minted.code() != 0 {
            // Refused: it must say which file.
            assert!(
                minted.stderr.contains(&format!("{kid}.pem")),
                "{what}: {minted}"
            );
            continue;
        }
        // Accepted: then every token it signs passes both here and elsewhere.
        let token = minted.stdout.trim().to_owned();
        let server = Server::start(&dir);
        let key = jwk(&server);
        assert_eq!(key["kid"], kid.as_str(), "{what}");
        let public = b64url_decode(key["pub"].as_str().expect("pub"));
        let verifying = ml_dsa::VerifyingKey::<MlDsa65>::decode(
            &ml_dsa::EncodedVerifyingKey::<MlDsa65>::try_from(public.as_slice()).expect("1952"),
        );
        let jwt = decode_jwt(&token);
        let signature =
            ml_dsa::Signature::<MlDsa65>::try_from(jwt.signature.as_slice()).expect("3309");
        assert!(
            verifying.verify_with_context(jwt.signing_input.as_bytes(), &[], &signature),
            "{what}: a token that no verifier accepts"
        );
        server
            .get("/api/v1/auth/revoked-jtis")
            .with_bearer(&token)
            .send()
            .assert_error(403, "forbidden");
        server.stop();
    }
}

/// `picoauth <args>` on `deployment`'s database with its key-encryption key.
fn on_postgres(deployment: &crate::replicas::Deployment, args: &[&str]) -> std::process::Command {
    let mut command = crate::util::picoauth();
    command
        .args(args)
        .args(["--db", &deployment.db.url, "--key-dir"])
        .arg(deployment.key_dir(0))
        .env("PICOAUTH_KEY_ENCRYPTION_KEY_FILE", &deployment.kek)
        .stdin(Stdio::null());
    command
}

/// Runs `picoauth <args>` on `deployment`: (exit code, stdout, stderr).
fn run_on_postgres(
    deployment: &crate::replicas::Deployment,
    args: &[&str],
) -> (i32, String, String) {
    let output = on_postgres(deployment, args)
        .output()
        .expect("run picoauth");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn concurrent_rotations_leave_one_active_key_and_a_tampered_sealed_key_is_refused_by_name() {
    let deployment = crate::replicas::Deployment::new("pqc_rotations");
    let (code, stdout, stderr) = run_on_postgres(&deployment, &["keygen"]);
    assert_eq!(code, 0, "{stderr}");
    let rsa_kid = stdout.trim().to_owned();

    // Four operators rotate at once, to both ML-DSA sets: every one succeeds, one key signs.
    let children: Vec<_> = ["ML-DSA-65", "ML-DSA-87", "ML-DSA-65", "ML-DSA-87"]
        .iter()
        .map(|algorithm| {
            on_postgres(
                &deployment,
                &["keygen", "--rotate", "--algorithm", algorithm],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keygen --rotate")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("keygen --rotate");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (code, listed, stderr) = run_on_postgres(&deployment, &["keygen", "--list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let listed: Value = serde_json::from_str(&listed).expect("JSON");
    let keys = listed["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 5, "{listed}");
    let active: Vec<&Value> = keys.iter().filter(|key| key["state"] == "active").collect();
    assert_eq!(active.len(), 1, "{listed}");
    let active_kid = active[0]["kid"].as_str().expect("kid").to_owned();
    let active_algorithm = active[0]["algorithm"]
        .as_str()
        .expect("algorithm")
        .to_owned();
    let mint = || {
        run_on_postgres(
            &deployment,
            &["mint-fleet", "--session-id", "s", "--agent-id", "a"],
        )
    };
    let (code, token, stderr) = mint();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        decode_jwt(token.trim()).header["alg"],
        active_algorithm.as_str()
    );
    assert_eq!(decode_jwt(token.trim()).header["kid"], active_kid.as_str());

    let mut sql = postgres::Client::connect(&deployment.db.url, postgres::NoTls).expect("connect");
    // The active ML-DSA key's row says RS256: refused, naming the key.
    sql.execute(
        "UPDATE signing_keys SET algorithm = 'RS256' WHERE kid = $1",
        &[&active_kid],
    )
    .expect("update");
    let (code, _, stderr) = mint();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&active_kid), "names the key: {stderr}");
    sql.execute(
        "UPDATE signing_keys SET algorithm = $2 WHERE kid = $1",
        &[&active_kid, &active_algorithm],
    )
    .expect("restore");

    // The ML-DSA key's sealed bytes swapped with the RSA key's: neither opens, nothing is
    // misparsed as the other.
    let swap = "UPDATE sealed_keys AS target SET sealed = source.sealed FROM sealed_keys AS source \
                WHERE (target.name, source.name) IN (($1, $2), ($2, $1))";
    let (ml_dsa_name, rsa_name) = (
        format!("signing:{active_kid}"),
        format!("signing:{rsa_kid}"),
    );
    assert_eq!(
        sql.execute(swap, &[&ml_dsa_name, &rsa_name]).expect("swap"),
        2
    );
    let (code, _, stderr) = mint();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&active_kid), "names the key: {stderr}");
    let refused = deployment
        .launch("A", &deployment.key_dir(0), &deployment.db.url, &[])
        .wait();
    assert!(
        refused.is_err(),
        "a replica started on a swapped sealed key"
    );
    assert_eq!(
        sql.execute(swap, &[&ml_dsa_name, &rsa_name])
            .expect("swap back"),
        2
    );
    let (code, _, stderr) = mint();
    assert_eq!(code, 0, "{stderr}");
}
