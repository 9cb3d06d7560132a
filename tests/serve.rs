//! Black-box tests of the HTTP door: every foundation row of API.md §3, run against `picoauth serve`.
//!
//! Each test starts its own server in its own `TestDir`, so tests share no state and run in parallel.
//! Forged tokens are signed here, with the server's own key file or a fresh key, to prove that
//! the server checks what API.md §2 says it checks; a control test shows the forging is sound.
//! Wallet, fleet, revocation and mint endpoints are not part of the foundation and are not tested here.

use std::os::unix::fs::PermissionsExt;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaPublicKeyComponents,
};
use serde_json::{Value, json};

use crate::util::{
    ADMIN_EMAIL, ADMIN_ENV, Server, Session, TestDir, b64url, b64url_decode, decode_jwt,
    encode_jwt, now, password_for,
};

const DEFAULT_ISSUER: &str = "http://localhost:8100";
const DEFAULT_AUDIENCE: &str = "pico";
const DEFAULT_ACCESS_TTL: u64 = 15 * 60;

// --- helpers ---

/// The JWKS `n` and `e` of the server's one key, as big-endian bytes.
#[track_caller]
fn jwks_components(server: &Server) -> (Vec<u8>, Vec<u8>) {
    let jwks = server.get("/api/v1/auth/jwks").send().ok_json();
    let key = &jwks["keys"][0];
    let n = b64url_decode(key["n"].as_str().expect("JWKS n"));
    let e = b64url_decode(key["e"].as_str().expect("JWKS e"));
    (n, e)
}

/// The server's signing key.
#[track_caller]
fn server_signing_key(dir: &TestDir, server: &Server) -> (String, RsaKeyPair) {
    let kid = server.kid();
    let key = crate::util::signing_key(dir, &kid);
    (kid, key)
}

/// The server's signing key, read from its file `<key_dir>/<kid>.pem` (SQLite only).
#[track_caller]
fn server_signing_key_file(server: &Server) -> (String, RsaKeyPair) {
    let kid = server.kid();
    let path = server.key_dir().join(format!("{kid}.pem"));
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let pem = pem::parse(&text).unwrap_or_else(|e| panic!("{} is not PEM: {e}", path.display()));
    assert_eq!(pem.tag(), "PRIVATE KEY", "{} is PKCS#8", path.display());
    let key = RsaKeyPair::from_pkcs8(pem.contents())
        .unwrap_or_else(|e| panic!("{} is not an RSA PKCS#8 key: {e}", path.display()));
    (kid, key)
}

/// Signs `claims` with RS256 under `header`.
fn sign_rs256(key: &RsaKeyPair, header: &Value, claims: &Value) -> String {
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

/// Signs `claims` with HS256 under `header`, using `secret` as the HMAC key.
fn sign_hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    encode_jwt(header, claims, |message| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hmac::sign(&key, message).as_ref().to_vec()
    })
}

/// The header the server itself uses.
fn rs256_header(kid: &str) -> Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": kid})
}

/// A viewer session and the claims of its access token, the starting point of every forgery.
#[track_caller]
fn viewer(server: &Server) -> (Session, Value) {
    let (_, session) = server.register_and_login("forge@example.com");
    let claims = decode_jwt(&session.access_token).claims;
    (session, claims)
}

/// Asserts that `/me` refuses `token` as an invalid token.
#[track_caller]
fn assert_token_refused(server: &Server, token: &str, what: &str) {
    let response = server.get("/api/v1/auth/me").with_bearer(token).send();
    if response.status != 401 {
        response.fail(&format!("{what}: expected 401 invalid_token"));
    }
    response.assert_error(401, "invalid_token");
    assert_bearer_challenge(&response.header("www-authenticate"), &response);
}

#[track_caller]
fn assert_bearer_challenge(challenge: &Option<&str>, response: &crate::util::Response) {
    if !challenge.is_some_and(|value| value.starts_with("Bearer")) {
        response.fail("a 401 on a Bearer route carries `WWW-Authenticate: Bearer…`");
    }
}

/// The RFC 7638 thumbprint of an RSA key: SHA-256 over the canonical JSON of `e`, `kty`, `n`.
fn rfc7638_thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64url(e), b64url(n));
    b64url(digest(&SHA256, canonical.as_bytes()).as_ref())
}

/// Whether `aud` is `audience` or an array holding it (RFC 7519 §4.1.3 allows both).
fn audience_matches(aud: &Value, audience: &str) -> bool {
    aud == audience
        || aud
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == audience))
}

// --- liveness, keys and discovery ---

#[test]
fn healthz_and_readyz_answer_ok() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let health = server.get("/healthz").send().ok_json();
    assert_eq!(health, json!({"status": "ok"}));
    let ready = server.get("/readyz").send().ok_json();
    assert_eq!(ready, json!({"status": "ready"}));
}

#[test]
fn jwks_publishes_one_rs256_key_whose_kid_is_its_thumbprint() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server.get("/api/v1/auth/jwks").send();
    let jwks = response.ok_json();
    let keys = jwks["keys"].as_array().expect("keys array");
    assert_eq!(keys.len(), 1, "a fresh server has one key: {response}");
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA", "{response}");
    assert_eq!(key["alg"], "RS256", "{response}");
    assert_eq!(key["use"], "sig", "{response}");
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(
            key.get(private).is_none(),
            "JWKS leaks `{private}`: {response}"
        );
    }
    let n = b64url_decode(key["n"].as_str().expect("n"));
    let e = b64url_decode(key["e"].as_str().expect("e"));
    assert_eq!(
        n.len(),
        256,
        "RSA-2048 modulus without a leading zero: {response}"
    );
    assert_ne!(e.first(), Some(&0), "e has no leading zero: {response}");
    assert_eq!(key["kid"], rfc7638_thumbprint(&n, &e), "{response}");
}

#[test]
fn jwks_is_cacheable_with_a_stable_etag() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let first = server.get("/api/v1/auth/jwks").send();
    first.assert_status(200);
    let cache_control = first.header("cache-control").unwrap_or_default();
    if !(cache_control.starts_with("public") && cache_control.contains("max-age=")) {
        first.fail("expected `Cache-Control: public, max-age=…`");
    }
    let Some(etag) = first.header("etag") else {
        first.fail("expected an ETag")
    };
    assert!(!etag.is_empty(), "{first}");
    let second = server.get("/api/v1/auth/jwks").send();
    assert_eq!(second.header("etag"), Some(etag), "{second}");
}

#[test]
fn openid_configuration_is_served_at_both_paths() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server
        .get("/api/v1/auth/.well-known/openid-configuration")
        .send();
    let discovery = response.ok_json();
    let at_root = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(discovery, at_root, "both paths serve the same document");

    assert_eq!(discovery["issuer"], DEFAULT_ISSUER, "{response}");
    assert_eq!(
        discovery["jwks_uri"],
        format!("{DEFAULT_ISSUER}/api/v1/auth/jwks"),
        "{response}"
    );
    assert_eq!(
        discovery["token_endpoint"],
        format!("{DEFAULT_ISSUER}/api/v1/auth/token"),
        "{response}"
    );
    for list in ["response_types_supported", "subject_types_supported"] {
        let non_empty = discovery[list].as_array().is_some_and(|a| !a.is_empty());
        assert!(non_empty, "`{list}` is a non-empty array: {response}");
    }
    let algs = discovery["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap_or_else(|| response.fail("expected id_token_signing_alg_values_supported"));
    assert!(algs.contains(&json!("RS256")), "{response}");
}

// --- register and login ---

#[test]
fn register_creates_an_active_viewer() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "ada@example.com", "password": "analytical-engine", "display_name": "Ada"}),
        )
        .send();
    let user = response.ok_json();
    assert!(
        user["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{response}"
    );
    assert_eq!(user["email"], "ada@example.com", "{response}");
    assert_eq!(user["role"], "viewer", "{response}");
    assert_eq!(user["status"], "active", "{response}");
}

#[test]
fn register_twice_with_one_email_conflicts() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server.register("twice@example.com", "first-password-long");
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "twice@example.com", "password": "second-password-long"}),
        )
        .send()
        .assert_error(409, "conflict");
    // The admin's email exists too.
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": ADMIN_EMAIL, "password": "second-password-long"}),
        )
        .send()
        .assert_error(409, "conflict");
}

#[test]
fn register_refuses_a_short_password() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "short@example.com", "password": "1234567"}),
        )
        .send()
        .assert_error(400, "invalid_request");
    // Eight characters is the minimum, so it is accepted.
    server.register("eight@example.com", "h7#kq2zP");
    // One of the most common passwords is refused whatever its length (NIST SP 800-63B).
    for common in ["password123", "iloveyou", "Qwertyuiop"] {
        server
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": "common@example.com", "password": common}),
            )
            .send()
            .assert_error(400, "invalid_request");
    }
}

#[test]
fn register_is_forbidden_while_registration_is_off() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--registration-enabled", "false"], &[ADMIN_ENV]);
    server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "late@example.com", "password": "too-late-for-this"}),
        )
        .send()
        .assert_error(403, "forbidden");
    // The admin still exists and can log in.
    server.admin();
}

#[test]
fn login_answers_bearer_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server.register("login@example.com", "login-password-long");
    let response = server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "login@example.com", "password": "login-password-long"}),
        )
        .send();
    let session = Session::from_response(&response);
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{response}"
    );
    assert_eq!(session.body["token_type"], "Bearer", "{response}");
    assert_eq!(session.body["expires_in"], DEFAULT_ACCESS_TTL, "{response}");
    assert_eq!(session.access_token.split('.').count(), 3, "{response}");
    // 256 random bits take at least 43 characters in any printable encoding.
    assert!(session.refresh_token.len() >= 43, "{response}");
}

#[test]
fn login_with_wrong_password_or_unknown_email_is_the_same_error() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server.register("known@example.com", "the-right-password");
    let wrong_password = server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "known@example.com", "password": "the-wrong-password"}),
        )
        .send();
    wrong_password.assert_error(401, "invalid_credentials");
    let unknown_email = server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "unknown@example.com", "password": "the-right-password"}),
        )
        .send();
    unknown_email.assert_error(401, "invalid_credentials");
    assert_eq!(
        wrong_password.json(),
        unknown_email.json(),
        "the two bodies must not tell the cases apart"
    );
}

#[test]
fn admin_is_created_as_superadmin() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&admin.access_token)
        .send();
    let me = response.ok_json();
    assert_eq!(me["email"], ADMIN_EMAIL, "{response}");
    assert_eq!(me["role"], "superadmin", "{response}");
}

#[test]
fn no_admin_exists_when_auto_create_admin_is_off() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--auto-create-admin", "false"], &[ADMIN_ENV]);
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": crate::util::ADMIN_PASSWORD}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
}

/// Words of `stderr` that could be a generated password, in order of appearance.
///
/// The banner's layout is the server's business, so this looks on and just below every line
/// that mentions a password, for long words and for the values of `key=value` words.
fn password_candidates(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut candidates: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.to_lowercase().contains("password") {
            continue;
        }
        for nearby in &lines[i..lines.len().min(i + 3)] {
            for word in nearby.split_whitespace() {
                let value = word.split_once('=').map(|(_, value)| value);
                for word in std::iter::once(word).chain(value) {
                    let word = word.trim_matches(|c: char| "\"'`,.;:()[]<>|*".contains(c));
                    let timestamp =
                        word.chars().take(4).all(|c| c.is_ascii_digit()) && word.contains(':');
                    let plausible =
                        word.len() >= 12 && !timestamp && !word.to_lowercase().contains("password");
                    if plausible && !candidates.iter().any(|c| c == word) {
                        candidates.push(word.to_string());
                    }
                }
            }
        }
    }
    candidates
}

#[test]
fn generated_admin_password_is_shown_once_and_works() {
    let dir = TestDir::new();
    // Stopping the server is the way to be sure all of its stderr has been read.
    let first_stderr = Server::start_with(&dir, &[], &[]).stop();
    let server = Server::start_with(&dir, &[], &[]);
    let second_stderr = server.stop();
    let server = Server::start_with(&dir, &[], &[]);

    let candidates = password_candidates(&first_stderr);
    let password = candidates
        .iter()
        .take(10)
        .find(|candidate| {
            server
                .post_json(
                    "/api/v1/auth/login",
                    &json!({"email": ADMIN_EMAIL, "password": candidate}),
                )
                .send()
                .status
                == 200
        })
        .unwrap_or_else(|| {
            panic!("no word of the first start's banner logs the admin in\n--- first stderr ---\n{first_stderr}")
        });
    assert!(
        !second_stderr.contains(password.as_str()),
        "the second start shows the admin password again\n--- second stderr ---\n{second_stderr}"
    );
}

// --- the access token ---

#[test]
fn access_token_verifies_against_jwks_and_carries_the_claims() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (id, session) = server.register_and_login("claims@example.com");
    let jwt = decode_jwt(&session.access_token);
    let kid = server.kid();

    assert_eq!(jwt.header["alg"], "RS256");
    assert_eq!(jwt.header["typ"], "JWT");
    assert_eq!(jwt.header["kid"], kid.as_str());

    let (n, e) = jwks_components(&server);
    RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .verify(
        &RSA_PKCS1_2048_8192_SHA256,
        jwt.signing_input.as_bytes(),
        &jwt.signature,
    )
    .expect("the access token's signature verifies against the JWKS key");

    let claims = &jwt.claims;
    assert_eq!(claims["iss"], DEFAULT_ISSUER, "{claims}");
    assert!(
        audience_matches(&claims["aud"], DEFAULT_AUDIENCE),
        "{claims}"
    );
    assert_eq!(claims["sub"], id.as_str(), "{claims}");
    assert_eq!(claims["role"], "viewer", "{claims}");
    assert_eq!(claims["email"], "claims@example.com", "{claims}");
    assert!(
        claims.get("org_id").is_some(),
        "org_id is present: {claims}"
    );
    let iat = claims["iat"].as_u64().expect("numeric iat");
    let exp = claims["exp"].as_u64().expect("numeric exp");
    assert!(iat.abs_diff(now()) <= 60, "iat is now: {claims}");
    assert_eq!(exp - iat, DEFAULT_ACCESS_TTL, "{claims}");
    let jti = claims["jti"].as_str().expect("string jti");
    assert!(jti.len() >= 22, "a jti holds at least 128 bits: {claims}");

    let again = server.login("claims@example.com", &password_for("claims@example.com"));
    let other_jti = decode_jwt(&again.access_token).claims["jti"].clone();
    assert_ne!(other_jti, jti, "every token has its own jti");
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: the key file <kid>.pem in key_dir (on PostgreSQL keys live in the database, API.md §11)"
)]
fn signing_key_file_is_pkcs8_named_by_kid_and_matches_jwks() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, key) = server_signing_key_file(&server);
    let (n, e) = jwks_components(&server);
    let public = key.public_key();
    assert_eq!(public.modulus().big_endian_without_leading_zero(), &n[..]);
    assert_eq!(public.exponent().big_endian_without_leading_zero(), &e[..]);
}

#[test]
fn token_signed_with_the_server_key_is_accepted() {
    // The control for the forgery tests below: the harness signs tokens the server accepts,
    // so when one of them is refused, the change the test made is the reason.
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, claims) = viewer(&server);
    let (kid, key) = server_signing_key(&dir, &server);
    let mut claims = claims;
    claims["jti"] = json!(b64url(b"a fresh jti, 128 bits+"));
    let token = sign_rs256(&key, &rs256_header(&kid), &claims);
    let response = server.get("/api/v1/auth/me").with_bearer(&token).send();
    let me = response.ok_json();
    assert_eq!(me["email"], "forge@example.com", "{response}");
}

#[test]
fn expired_token_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, mut claims) = viewer(&server);
    let (kid, key) = server_signing_key(&dir, &server);
    claims["iat"] = json!(now() - 7200);
    claims["exp"] = json!(now() - 3600);
    let token = sign_rs256(&key, &rs256_header(&kid), &claims);
    assert_token_refused(&server, &token, "exp an hour ago");
}

#[test]
fn token_without_exp_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, mut claims) = viewer(&server);
    let (kid, key) = server_signing_key(&dir, &server);
    claims.as_object_mut().expect("claims object").remove("exp");
    let token = sign_rs256(&key, &rs256_header(&kid), &claims);
    assert_token_refused(&server, &token, "no exp");
}

#[test]
fn token_with_wrong_issuer_or_audience_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, claims) = viewer(&server);
    let (kid, key) = server_signing_key(&dir, &server);

    let mut wrong_issuer = claims.clone();
    wrong_issuer["iss"] = json!("http://evil.example");
    let token = sign_rs256(&key, &rs256_header(&kid), &wrong_issuer);
    assert_token_refused(&server, &token, "wrong iss");

    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("not-pico");
    let token = sign_rs256(&key, &rs256_header(&kid), &wrong_audience);
    assert_token_refused(&server, &token, "wrong aud");

    let mut no_audience = claims;
    no_audience
        .as_object_mut()
        .expect("claims object")
        .remove("aud");
    let token = sign_rs256(&key, &rs256_header(&kid), &no_audience);
    assert_token_refused(&server, &token, "no aud");
}

#[test]
fn token_signed_by_another_key_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, claims) = viewer(&server);
    let kid = server.kid();
    let stranger = RsaKeyPair::generate(KeySize::Rsa2048).expect("generate RSA key");
    let token = sign_rs256(&stranger, &rs256_header(&kid), &claims);
    assert_token_refused(
        &server,
        &token,
        "signed by a stranger's key under the server's kid",
    );
}

#[test]
fn unsigned_alg_none_token_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, claims) = viewer(&server);
    let kid = server.kid();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": kid});
        let token = encode_jwt(&header, &claims, |_| Vec::new());
        assert_token_refused(&server, &token, &format!("alg {alg}"));
    }
}

#[test]
fn hs256_token_keyed_with_the_public_key_is_refused() {
    // The classic algorithm confusion: a verifier that takes `alg` from the token would
    // check an HMAC keyed with the public key, which anyone can fetch.
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, claims) = viewer(&server);
    let (kid, key) = server_signing_key(&dir, &server);
    let (n, e) = jwks_components(&server);
    let spki_der = RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .as_der()
    .expect("SubjectPublicKeyInfo DER")
    .as_ref()
    .to_vec();
    let pkcs1_der = key.public_key().as_ref().to_vec();
    let lf = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    let spki_pem = pem::encode_config(&pem::Pem::new("PUBLIC KEY", spki_der.clone()), lf);
    let spki_pem_crlf = pem::encode(&pem::Pem::new("PUBLIC KEY", spki_der.clone()));
    let pkcs1_pem = pem::encode_config(&pem::Pem::new("RSA PUBLIC KEY", pkcs1_der.clone()), lf);

    let secrets: [(&str, &[u8]); 6] = [
        ("SPKI PEM", spki_pem.as_bytes()),
        (
            "SPKI PEM without final newline",
            spki_pem.trim_end().as_bytes(),
        ),
        ("SPKI PEM with CRLF", spki_pem_crlf.as_bytes()),
        ("SPKI DER", &spki_der),
        ("PKCS#1 PEM", pkcs1_pem.as_bytes()),
        ("PKCS#1 DER", &pkcs1_der),
    ];
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
    for (what, secret) in secrets {
        let token = sign_hs256(secret, &header, &claims);
        assert_token_refused(&server, &token, &format!("HS256 keyed with the {what}"));
    }
}

#[test]
fn garbage_bearer_token_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30."] {
        assert_token_refused(&server, token, token);
    }
}

// --- /me ---

#[test]
fn me_answers_the_profile() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let id = server
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "me@example.com", "password": "my-own-password", "display_name": "Me Myself"}),
        )
        .send()
        .ok_json()["id"]
        .clone();
    let session = server.login("me@example.com", "my-own-password");
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send();
    let me = response.ok_json();
    assert_eq!(me["id"], id, "{response}");
    assert_eq!(me["email"], "me@example.com", "{response}");
    assert_eq!(me["display_name"], "Me Myself", "{response}");
    assert_eq!(me["role"], "viewer", "{response}");
    assert_eq!(me["status"], "active", "{response}");
    assert!(me.get("org_id").is_some(), "org_id is present: {response}");
    let created_at = me["created_at"].as_u64().expect("numeric created_at");
    let last_login_at = me["last_login_at"]
        .as_u64()
        .expect("numeric last_login_at after a login");
    assert!(created_at.abs_diff(now()) <= 60, "{response}");
    assert!(last_login_at >= created_at, "{response}");
}

#[test]
fn me_without_a_token_is_unauthorized() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server.get("/api/v1/auth/me").send();
    response.assert_error(401, "unauthorized");
    assert_bearer_challenge(&response.header("www-authenticate"), &response);
}

// --- refresh ---

#[test]
fn refresh_rotates_and_reuse_kills_the_whole_chain() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, first) = server.register_and_login("rotate@example.com");

    let response = server.refresh(&first.refresh_token);
    let second = Session::from_response(&response);
    assert_ne!(second.refresh_token, first.refresh_token, "{response}");
    assert_eq!(second.body["token_type"], "Bearer", "{response}");
    assert_eq!(second.body["expires_in"], DEFAULT_ACCESS_TTL, "{response}");
    server
        .get("/api/v1/auth/me")
        .with_bearer(&second.access_token)
        .send()
        .ok_json();

    let third = Session::from_response(&server.refresh(&second.refresh_token));

    // The first token was rotated away: presenting it again is theft.
    server
        .refresh(&first.refresh_token)
        .assert_error(401, "invalid_token");
    // So the newest token of the chain is dead as well.
    server
        .refresh(&third.refresh_token)
        .assert_error(401, "invalid_token");
}

#[test]
fn refresh_reuse_leaves_other_logins_alone() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, stolen) = server.register_and_login("two-devices@example.com");
    let other_device = server.login(
        "two-devices@example.com",
        &password_for("two-devices@example.com"),
    );

    let refreshed = server.refresh(&stolen.refresh_token);
    Session::from_response(&refreshed);
    server
        .refresh(&stolen.refresh_token)
        .assert_error(401, "invalid_token");

    let response = server.refresh(&other_device.refresh_token);
    Session::from_response(&response);
}

#[test]
fn refresh_accepts_a_bare_json_string() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (id, session) = server.register_and_login("bare@example.com");
    let response = server
        .post_json("/api/v1/auth/refresh", &json!(session.refresh_token))
        .send();
    let refreshed = Session::from_response(&response);
    assert_ne!(refreshed.refresh_token, session.refresh_token, "{response}");
    assert_eq!(
        decode_jwt(&refreshed.access_token).claims["sub"],
        id.as_str()
    );
}

#[test]
fn refresh_with_an_unknown_token_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let unknown = b64url(&[7u8; 32]);
    server.refresh(&unknown).assert_error(401, "invalid_token");
    // An access token is not a refresh token.
    let admin = server.admin();
    server
        .refresh(&admin.access_token)
        .assert_error(401, "invalid_token");
}

// --- password change ---

#[test]
fn password_change_kills_refresh_tokens_and_the_old_password() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "change@example.com";
    let old_password = password_for(email);
    let (_, session) = server.register_and_login(email);

    let response = server
        .post_json(
            "/api/v1/auth/me/password",
            &json!({"old_password": old_password, "new_password": "a-brand-new-password"}),
        )
        .with_bearer(&session.access_token)
        .send();
    assert_eq!(
        response.ok_json(),
        json!({"message": "Password changed"}),
        "{response}"
    );

    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": email, "password": old_password}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
    server.login(email, "a-brand-new-password");
}

#[test]
fn password_change_needs_the_right_old_password_and_a_long_new_one() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "careful@example.com";
    let (_, session) = server.register_and_login(email);
    server
        .post_json(
            "/api/v1/auth/me/password",
            &json!({"old_password": "not-the-old-password", "new_password": "a-brand-new-password"}),
        )
        .with_bearer(&session.access_token)
        .send()
        .assert_error(401, "invalid_credentials");
    server
        .post_json(
            "/api/v1/auth/me/password",
            &json!({"old_password": password_for(email), "new_password": "short"}),
        )
        .with_bearer(&session.access_token)
        .send()
        .assert_error(400, "invalid_request");
    server
        .post_json(
            "/api/v1/auth/me/password",
            &json!({"old_password": password_for(email), "new_password": "a-brand-new-password"}),
        )
        .send()
        .assert_error(401, "unauthorized");
    // Nothing above changed the password.
    server.login(email, &password_for(email));
}

// --- users and roles ---

#[test]
fn admin_lists_users() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let id = server.register("listed@example.com", "listed-password");
    let admin = server.admin();
    let response = server
        .get("/api/v1/auth/users")
        .with_bearer(&admin.access_token)
        .send();
    let body = response.ok_json();
    let users = body["users"]
        .as_array()
        .unwrap_or_else(|| response.fail("expected `users`"));
    assert_eq!(
        users.len(),
        2,
        "the admin and one registered user: {response}"
    );
    assert_eq!(body["total"], 2, "{response}");
    let listed = users
        .iter()
        .find(|user| user["id"] == id.as_str())
        .unwrap_or_else(|| response.fail("the registered user is listed"));
    assert_eq!(listed["email"], "listed@example.com", "{response}");
    assert_eq!(listed["role"], "viewer", "{response}");
    assert_eq!(listed["status"], "active", "{response}");
    for field in ["display_name", "org_id"] {
        assert!(
            listed.get(field).is_some(),
            "`{field}` is present: {response}"
        );
    }
    assert!(
        users
            .iter()
            .any(|user| user["email"] == ADMIN_EMAIL && user["role"] == "superadmin"),
        "{response}"
    );
}

#[test]
fn users_needs_a_token_and_an_admin_role() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let response = server.get("/api/v1/auth/users").send();
    response.assert_error(401, "unauthorized");
    assert_bearer_challenge(&response.header("www-authenticate"), &response);

    let (_, viewer) = server.register_and_login("viewer@example.com");
    server
        .get("/api/v1/auth/users")
        .with_bearer(&viewer.access_token)
        .send()
        .assert_error(403, "forbidden");
    let (_, operator) = server.user_with_role("operator@example.com", "operator");
    server
        .get("/api/v1/auth/users")
        .with_bearer(&operator.access_token)
        .send()
        .assert_error(403, "forbidden");
}

#[test]
fn admin_sets_a_role_which_kills_the_users_refresh_tokens() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let email = "promoted@example.com";
    let (id, session) = server.register_and_login(email);
    let admin = server.admin();

    let response = server
        .put_json(
            &format!("/api/v1/auth/users/{id}/role"),
            &json!({"role": "operator"}),
        )
        .with_bearer(&admin.access_token)
        .send();
    assert_eq!(
        response.ok_json(),
        json!({"id": id, "email": email, "role": "operator"}),
        "{response}"
    );
    server
        .refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");

    let fresh = server.login(email, &password_for(email));
    assert_eq!(decode_jwt(&fresh.access_token).claims["role"], "operator");
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&fresh.access_token)
        .send();
    assert_eq!(response.ok_json()["role"], "operator", "{response}");
}

#[test]
fn set_role_accepts_a_bare_json_string() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let id = server.register("bare-role@example.com", "bare-role-password");
    let admin = server.admin();
    let response = server
        .put_json(
            &format!("/api/v1/auth/users/{id}/role"),
            &json!("org_admin"),
        )
        .with_bearer(&admin.access_token)
        .send();
    assert_eq!(response.ok_json()["role"], "org_admin", "{response}");
    let response = server
        .get("/api/v1/auth/users")
        .with_bearer(&admin.access_token)
        .send();
    let users = response.ok_json()["users"].clone();
    let user = users
        .as_array()
        .and_then(|users| users.iter().find(|user| user["id"] == id.as_str()))
        .unwrap_or_else(|| response.fail("the user is listed"));
    assert_eq!(user["role"], "org_admin", "{response}");
}

#[test]
fn set_role_refuses_roles_outside_the_four() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let id = server.register("roles@example.com", "roles-password");
    let admin = server.admin();
    for role in ["emperor", "wallet", "agent", "service", ""] {
        let response = server
            .put_json(
                &format!("/api/v1/auth/users/{id}/role"),
                &json!({"role": role}),
            )
            .with_bearer(&admin.access_token)
            .send();
        if response.status != 400 {
            response.fail(&format!("role {role:?} must be refused with 400"));
        }
        response.assert_error(400, "invalid_request");
    }
    for body in [json!({}), json!({"role": 5}), json!(["viewer"])] {
        server
            .put_json(&format!("/api/v1/auth/users/{id}/role"), &body)
            .with_bearer(&admin.access_token)
            .send()
            .assert_error(400, "invalid_request");
    }
}

#[test]
fn set_role_of_an_unknown_user_is_not_found() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    server
        .put_json(
            "/api/v1/auth/users/no-such-user/role",
            &json!({"role": "operator"}),
        )
        .with_bearer(&admin.access_token)
        .send()
        .assert_error(404, "not_found");
}

#[test]
fn org_admin_cannot_grant_superadmin() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (org_admin_id, org_admin) = server.user_with_role("org-admin@example.com", "org_admin");
    let target = server.register("target@example.com", "target-password");
    // The token is recognised as an org_admin's.
    server
        .get("/api/v1/auth/users")
        .with_bearer(&org_admin.access_token)
        .send()
        .ok_json();
    for id in [&target, &org_admin_id] {
        server
            .put_json(
                &format!("/api/v1/auth/users/{id}/role"),
                &json!({"role": "superadmin"}),
            )
            .with_bearer(&org_admin.access_token)
            .send()
            .assert_error(403, "forbidden");
    }
}

#[test]
fn viewer_cannot_set_roles() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (id, viewer) = server.register_and_login("climber@example.com");
    let response = server
        .put_json(
            &format!("/api/v1/auth/users/{id}/role"),
            &json!({"role": "superadmin"}),
        )
        .with_bearer(&viewer.access_token)
        .send();
    response.assert_error(403, "forbidden");
    let response = server
        .put_json(
            &format!("/api/v1/auth/users/{id}/role"),
            &json!({"role": "operator"}),
        )
        .send();
    response.assert_error(401, "unauthorized");
}

// --- bodies, routes and methods ---

/// Posts `body` to `path` and expects a 400 `invalid_request`.
#[track_caller]
fn check_bad_body(server: &Server, path: &str, body: &[u8]) {
    let response = server
        .request("POST", path)
        .body("application/json", body.to_vec())
        .send();
    if response.status != 400 {
        response.fail(&format!(
            "expected 400 for {:?}",
            String::from_utf8_lossy(body)
        ));
    }
    response.assert_error(400, "invalid_request");
}

#[test]
fn malformed_bodies_are_bad_requests() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let login = "/api/v1/auth/login";
    check_bad_body(&server, login, br#"{"email": "#);
    check_bad_body(&server, login, b"");
    check_bad_body(&server, login, b"null");
    check_bad_body(&server, login, b"[]");
    check_bad_body(&server, login, br#""a string""#);
    check_bad_body(
        &server,
        login,
        br#"{"email": 5, "password": "long-enough-pw"}"#,
    );
    check_bad_body(&server, login, br#"{"email": "a@example.com"}"#);
    let register = "/api/v1/auth/register";
    check_bad_body(&server, register, br#"{"password": "long-enough-pw"}"#);
    check_bad_body(
        &server,
        register,
        br#"{"email": "a@example.com", "password": true}"#,
    );
    let refresh = "/api/v1/auth/refresh";
    check_bad_body(&server, refresh, b"{}");
    check_bad_body(&server, refresh, br#"{"refresh_token": 5}"#);
    check_bad_body(&server, refresh, b"{not json");
}

#[test]
fn oversized_bodies_are_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let padding = "a".repeat(70 * 1024);
    let body = format!(r#"{{"email":"big@example.com","password":"{padding}"}}"#);
    server
        .request("POST", "/api/v1/auth/login")
        .body("application/json", body.clone().into_bytes())
        .send()
        .assert_error(413, "payload_too_large");

    // Without Content-Length the limit still holds.
    let mut raw = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.addr()
    )
    .into_bytes();
    for chunk in body.as_bytes().chunks(8 * 1024) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    server.send_raw(&raw).assert_error(413, "payload_too_large");

    // A body just under the limit is read and judged on its merits.
    let padding = "a".repeat(60 * 1024);
    let body = format!(r#"{{"email":"big@example.com","password":"{padding}"}}"#);
    let response = server
        .request("POST", "/api/v1/auth/login")
        .body("application/json", body.into_bytes())
        .send();
    if response.status == 413 {
        response.fail("a 60 KiB body is within the 64 KiB limit");
    }
}

#[test]
fn unknown_routes_are_not_found() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for path in [
        "/nope",
        "/api/v1/auth/nope",
        "/api/v1/auth",
        "/api/v2/auth/login",
    ] {
        let response = server.get(path).send();
        response.assert_error(404, "not_found");
        assert!(
            response
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{response}"
        );
    }
}

#[test]
fn wrong_methods_are_not_allowed() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    server
        .get("/api/v1/auth/login")
        .send()
        .assert_error(405, "method_not_allowed");
    server
        .request("DELETE", "/api/v1/auth/jwks")
        .send()
        .assert_error(405, "method_not_allowed");
    server
        .post_json("/healthz", &json!({}))
        .send()
        .assert_error(405, "method_not_allowed");
}

// --- files and restarts ---

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: the modes of the database file and of the key files in key_dir"
)]
fn files_are_private_to_the_owner() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let kid = server.kid();
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&dir.db_file()), 0o600, "database file");
    assert_eq!(mode(&dir.key_dir()), 0o700, "key directory");
    assert_eq!(
        mode(&dir.key_dir().join(format!("{kid}.pem"))),
        0o600,
        "signing key"
    );
    for entry in std::fs::read_dir(dir.key_dir()).expect("read key dir") {
        let path = entry.expect("key dir entry").path();
        assert_eq!(mode(&path) & 0o077, 0, "{} is private", path.display());
    }
    for entry in std::fs::read_dir(dir.path()).expect("read test dir") {
        let path = entry.expect("test dir entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("picoauth.db") {
            assert_eq!(mode(&path) & 0o077, 0, "{} is private", path.display());
        }
    }
}

#[test]
fn restart_keeps_the_key_the_users_and_the_sessions() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let kid = server.kid();
    let (id, session) = server.register_and_login("stays@example.com");
    server.stop();

    let server = Server::start(&dir);
    assert_eq!(server.kid(), kid, "the signing key survives a restart");
    let response = server
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send();
    assert_eq!(response.ok_json()["id"], id.as_str(), "{response}");
    let response = server.refresh(&session.refresh_token);
    Session::from_response(&response);
    server.login("stays@example.com", &password_for("stays@example.com"));
}

#[test]
fn secrets_never_reach_the_log() {
    let dir = TestDir::new();
    // `log_level` is not in the contract; where the server has it, it is turned all the way up.
    let server = Server::start_with(&dir, &[], &[ADMIN_ENV, ("PICOAUTH_LOG_LEVEL", "trace")]);
    let email = "secretive@example.com";
    let (_, first) = server.register_and_login(email);
    let second = Session::from_response(&server.refresh(&first.refresh_token));
    server
        .post_json(
            "/api/v1/auth/me/password",
            &json!({"old_password": password_for(email), "new_password": "the-next-secret-pw"}),
        )
        .with_bearer(&second.access_token)
        .send()
        .ok_json();
    // Failures are logged too, so they must not echo what was sent either.
    server
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": email, "password": "a-wrong-secret-pw"}),
        )
        .send()
        .assert_error(401, "invalid_credentials");
    server
        .refresh(&first.refresh_token)
        .assert_error(401, "invalid_token");
    let (kid, _) = server_signing_key(&dir, &server);
    // The first line of the key's PEM body, which a leak of the PEM text would show.
    let key_line = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        crate::util::signing_key_pkcs8(&dir, &kid),
    )[..64]
        .to_string();
    let stderr = server.stop();

    let secrets = [
        (
            "the admin password",
            crate::util::ADMIN_PASSWORD.to_string(),
        ),
        ("the user's password", password_for(email)),
        ("the new password", "the-next-secret-pw".to_string()),
        ("a wrong password", "a-wrong-secret-pw".to_string()),
        ("an access token", first.access_token.clone()),
        (
            "an access token's signature",
            first.access_token.rsplit('.').next().unwrap().to_string(),
        ),
        ("a refresh token", first.refresh_token.clone()),
        ("a rotated refresh token", second.refresh_token.clone()),
        ("the private key", key_line),
    ];
    for (what, secret) in secrets {
        assert!(
            !stderr.contains(&secret),
            "the log shows {what}\n--- stderr ---\n{stderr}"
        );
    }
}
