//! Black-box tests of wallet sign-in (API.md §5): `/challenge`, `/sign-in`, and what a wallet
//! session then does with `/refresh`, `/mints` and the JWKS.
//!
//! Every key is generated here from a fixed seed with the same crates a wallet would use, and
//! every signature is made here over the challenge the server handed out: the server is never
//! told anything it could not get from a real client. Each test starts its own server.

use std::time::{Duration, Instant};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde_json::{Value, json};

use crate::util::{ADMIN_ENV, Response, Server, Session, TestDir, b64url_decode, decode_jwt, now};

const CHALLENGE: &str = "/api/v1/auth/challenge";
const SIGN_IN: &str = "/api/v1/auth/sign-in";
const DEFAULT_ISSUER: &str = "http://localhost:8100";
const DEFAULT_AUDIENCE: &str = "pico";
const DEFAULT_ACCESS_TTL: u64 = 15 * 60;
const DEFAULT_CHALLENGE_TTL: u64 = 60;

// --- wallets ---

/// A wallet's private key, of one of the three algorithms of API.md §5.
enum Key {
    MlDsa65(Box<ml_dsa::SigningKey<ml_dsa::MlDsa65>>),
    Ed25519(ed25519_dalek::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
}

/// A wallet as a client holds it: a key, and what it sends for it (also used by
/// `admin_users`'s wallet-subject tests).
pub(crate) struct Wallet {
    key: Key,
}

impl Wallet {
    pub(crate) fn ml_dsa_65(seed: u8) -> Wallet {
        let key = ml_dsa::SigningKey::<ml_dsa::MlDsa65>::from_seed(&ml_dsa::Seed::from([seed; 32]));
        Wallet {
            key: Key::MlDsa65(Box::new(key)),
        }
    }

    pub(crate) fn ed25519(seed: u8) -> Wallet {
        Wallet {
            key: Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32])),
        }
    }

    pub(crate) fn secp256k1(seed: u8) -> Wallet {
        let key =
            k256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("a valid secp256k1 scalar");
        Wallet {
            key: Key::Secp256k1(key),
        }
    }

    /// The algorithm's wire name, as `/sign-in` answers it.
    pub(crate) fn algorithm(&self) -> &'static str {
        match self.key {
            Key::MlDsa65(_) => "ML-DSA-65",
            Key::Ed25519(_) => "Ed25519",
            Key::Secp256k1(_) => "secp256k1",
        }
    }

    /// The canonical public key bytes (secp256k1: the 33-byte compressed point).
    pub(crate) fn public_key(&self) -> Vec<u8> {
        match &self.key {
            Key::MlDsa65(key) => key.expanded_key().verifying_key().encode().to_vec(),
            Key::Ed25519(key) => key.verifying_key().as_bytes().to_vec(),
            Key::Secp256k1(key) => key.verifying_key().to_sec1_point(true).as_bytes().to_vec(),
        }
    }

    /// The 65-byte uncompressed SEC1 point of a secp256k1 wallet.
    pub(crate) fn uncompressed_public_key(&self) -> Vec<u8> {
        let Key::Secp256k1(key) = &self.key else {
            panic!("only secp256k1 keys have an uncompressed form")
        };
        key.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// `0x` and the first 40 hex digits of SHA-256 over the canonical key bytes.
    pub(crate) fn address(&self) -> String {
        let hash = hex(digest(&SHA256, &self.public_key()).as_ref());
        format!("0x{}", &hash[..40])
    }

    /// The signature a wallet sends for `challenge` (secp256k1: DER).
    pub(crate) fn sign(&self, challenge: &str) -> Vec<u8> {
        let message = challenge.as_bytes();
        match &self.key {
            Key::MlDsa65(key) => key
                .expanded_key()
                .sign_deterministic(message, &[])
                .expect("ML-DSA-65 signing")
                .encode()
                .to_vec(),
            Key::Ed25519(key) => {
                use ed25519_dalek::Signer;
                key.sign(message).to_bytes().to_vec()
            }
            Key::Secp256k1(_) => self
                .secp256k1_signature(challenge)
                .to_der()
                .as_bytes()
                .to_vec(),
        }
    }

    /// The low-S ECDSA signature over SHA-256 of `challenge`.
    fn secp256k1_signature(&self, challenge: &str) -> k256::ecdsa::Signature {
        use k256::ecdsa::signature::Signer;
        let Key::Secp256k1(key) = &self.key else {
            panic!("not a secp256k1 wallet")
        };
        let signature: k256::ecdsa::Signature = key.sign(challenge.as_bytes());
        signature.normalize_s()
    }

    /// The `/sign-in` body that signs `challenge` as `address` with the canonical key.
    fn sign_in_body(&self, address: &str, challenge: &str) -> Value {
        json!({
            "address": address,
            "public_key": hex(&self.public_key()),
            "signature": hex(&self.sign(challenge)),
            "challenge": challenge,
            "algorithm": self.algorithm(),
        })
    }
}

/// One way to write a secp256k1 signature on the wire.
type EncodeSignature = fn(&k256::ecdsa::Signature) -> Vec<u8>;
/// One way to sign a challenge, from the challenge.
type SignChallenge<'a> = dyn Fn(&str) -> Vec<u8> + 'a;

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `s` replaced by `n - s`: the other valid signature, with a high S.
fn high_s(signature: &k256::ecdsa::Signature) -> k256::ecdsa::Signature {
    let (r, s) = signature.split_scalars();
    let negated: k256::Scalar = -*s.as_ref();
    let high = k256::ecdsa::Signature::from_scalars(r.to_bytes(), negated.to_bytes())
        .expect("n - s is a valid S");
    assert!(
        high != *signature && high.normalize_s() == *signature,
        "the negated signature is the high-S twin"
    );
    high
}

// --- helpers ---

/// `POST /challenge` for `address`; asserts a 200 with 64 hex digits and the `ttl`.
#[track_caller]
fn challenge(server: &Server, address: &str, ttl: u64) -> String {
    let response = server
        .post_json(CHALLENGE, &json!({ "address": address }))
        .send();
    let body = response.ok_json();
    let Some(challenge) = body["challenge"].as_str() else {
        response.fail("expected a string `challenge`")
    };
    if challenge.len() != 64 || !challenge.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        response.fail("a challenge is 64 hex characters");
    }
    if body["ttl"] != ttl {
        response.fail(&format!("expected ttl {ttl}"));
    }
    challenge.to_string()
}

/// `POST /sign-in` with `body`.
fn sign_in(server: &Server, body: &Value) -> Response {
    server.post_json(SIGN_IN, body).send()
}

/// Asserts a successful sign-in of `wallet` and returns its session.
#[track_caller]
fn assert_signed_in(response: &Response, wallet: &Wallet) -> Session {
    let session = Session::from_response(response);
    let body = &session.body;
    let expected = [
        ("token_type", json!("Bearer")),
        ("expires_in", json!(DEFAULT_ACCESS_TTL)),
        ("address", json!(wallet.address())),
        ("algorithm", json!(wallet.algorithm())),
    ];
    for (field, value) in expected {
        if body[field] != value {
            response.fail(&format!("expected `{field}` to be {value}"));
        }
    }
    assert_wallet_claims(&session.access_token, wallet);
    session
}

/// Asserts that `token` is a wallet access token of `wallet`.
#[track_caller]
fn assert_wallet_claims(token: &str, wallet: &Wallet) {
    let claims = decode_jwt(token).claims;
    let address = wallet.address();
    assert_eq!(claims["sub"], address.as_str(), "{claims}");
    assert_eq!(claims["wallet_address"], address.as_str(), "{claims}");
    assert_eq!(claims["role"], "wallet", "{claims}");
    assert_eq!(claims["algorithm"], wallet.algorithm(), "{claims}");
    assert_eq!(claims["iss"], DEFAULT_ISSUER, "{claims}");
    let aud = &claims["aud"];
    assert!(
        aud == DEFAULT_AUDIENCE
            || aud
                .as_array()
                .is_some_and(|values| values.iter().any(|v| v == DEFAULT_AUDIENCE)),
        "{claims}"
    );
    let iat = claims["iat"].as_u64().expect("numeric iat");
    let exp = claims["exp"].as_u64().expect("numeric exp");
    assert!(iat.abs_diff(now()) <= 60, "iat is now: {claims}");
    assert_eq!(exp - iat, DEFAULT_ACCESS_TTL, "{claims}");
    assert!(
        claims["jti"].as_str().is_some_and(|jti| jti.len() >= 22),
        "a jti of at least 128 bits: {claims}"
    );
}

/// Asks for a challenge as `wallet`'s address, signs it and signs in.
#[track_caller]
fn full_sign_in(server: &Server, wallet: &Wallet) -> Session {
    let address = wallet.address();
    let challenge = challenge(server, &address, DEFAULT_CHALLENGE_TTL);
    assert_signed_in(
        &sign_in(server, &wallet.sign_in_body(&address, &challenge)),
        wallet,
    )
}

/// Asserts that the server accepts `token` as a valid Bearer that lacks the role for `/mints`.
#[track_caller]
fn assert_accepted_without_admin_role(server: &Server, token: &str) {
    server
        .get("/api/v1/auth/mints")
        .with_bearer(token)
        .send()
        .assert_error(403, "forbidden");
}

/// Sends `body` to `/sign-in`, asserts 400 `invalid_request`, then shows that the challenge
/// survived: `wallet` signs in with it.
#[track_caller]
fn assert_bad_request_keeps_challenge(
    server: &Server,
    wallet: &Wallet,
    challenge: &str,
    body: &Value,
) {
    let response = sign_in(server, body);
    if response.status != 400 {
        response.fail(&format!("expected 400 invalid_request for {body}"));
    }
    response.assert_error(400, "invalid_request");
    let retry = sign_in(server, &wallet.sign_in_body(&wallet.address(), challenge));
    if retry.status != 200 {
        retry.fail(&format!(
            "a refused request ({body}) must not consume the challenge"
        ));
    }
    assert_signed_in(&retry, wallet);
}

/// A body with every field of `body` except `field`.
fn without(body: &Value, field: &str) -> Value {
    let mut body = body.clone();
    body.as_object_mut().expect("an object").remove(field);
    body
}

/// A body with `field` set to `value`.
fn with(body: &Value, field: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[field] = value;
    body
}

// --- /challenge ---

#[test]
fn challenges_are_fresh_hex_with_the_default_ttl() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let address = Wallet::ed25519(1).address();
    let first = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let second = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    assert_ne!(first, second, "every challenge is new");
}

#[test]
fn challenge_refuses_an_address_that_is_not_hex() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for body in [
        json!({}),
        json!({"address": ""}),
        json!({"address": "   "}),
        json!({"address": "not hex"}),
        json!({"address": "0xzz11223344556677889900112233445566778899"}),
        json!({"address": "abc"}),
        json!({"address": 42}),
    ] {
        let response = server.post_json(CHALLENGE, &body).send();
        if response.status != 400 {
            response.fail(&format!("expected 400 for {body}"));
        }
        response.assert_error(400, "invalid_request");
    }
}

#[test]
fn challenge_refuses_a_bare_0x_prefix() {
    // "0x" holds no hex digit: it is neither an address nor a public key.
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for address in ["0x", "0X", " 0x "] {
        let body = json!({ "address": address });
        let response = server.post_json(CHALLENGE, &body).send();
        if response.status != 400 {
            response.fail(&format!("expected 400 for {body}"));
        }
        response.assert_error(400, "invalid_request");
    }
}

// --- one full flow per algorithm ---

#[test]
fn ml_dsa_65_signs_in_and_is_the_default_algorithm() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ml_dsa_65(7);
    assert_eq!(wallet.public_key().len(), 1952);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let signature = wallet.sign(&challenge);
    assert_eq!(signature.len(), 3309);
    // No `algorithm` field: ML-DSA-65 is the default.
    let body = without(&wallet.sign_in_body(&address, &challenge), "algorithm");
    let session = assert_signed_in(&sign_in(&server, &body), &wallet);
    assert_accepted_without_admin_role(&server, &session.access_token);
}

#[test]
fn ed25519_signs_in_with_the_algorithm_in_any_letter_case() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(2);
    let address = wallet.address();
    for spelling in ["Ed25519", "ED25519", "ed25519"] {
        let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
        let body = with(
            &wallet.sign_in_body(&address, &challenge),
            "algorithm",
            json!(spelling),
        );
        let session = assert_signed_in(&sign_in(&server, &body), &wallet);
        assert_accepted_without_admin_role(&server, &session.access_token);
    }
}

#[test]
fn ml_dsa_65_accepts_its_name_in_any_letter_case() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ml_dsa_65(8);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let body = with(
        &wallet.sign_in_body(&address, &challenge),
        "algorithm",
        json!("ml-dsa-65"),
    );
    assert_signed_in(&sign_in(&server, &body), &wallet);
}

#[test]
fn secp256k1_signs_in_with_a_compressed_key_and_a_der_signature() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::secp256k1(3);
    assert_eq!(wallet.public_key().len(), 33);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let body = with(
        &wallet.sign_in_body(&address, &challenge),
        "algorithm",
        json!("SECP256K1"),
    );
    let signature = &body["signature"];
    assert!(
        signature.as_str().is_some_and(|s| s.starts_with("30")),
        "the default secp256k1 signature is DER: {signature}"
    );
    let session = assert_signed_in(&sign_in(&server, &body), &wallet);
    assert_accepted_without_admin_role(&server, &session.access_token);
}

#[test]
fn secp256k1_uncompressed_key_with_a_raw_signature_is_the_same_wallet() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::secp256k1(4);
    let uncompressed = wallet.uncompressed_public_key();
    assert_eq!(uncompressed.len(), 65);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let raw = wallet.secp256k1_signature(&challenge).to_bytes();
    assert_eq!(raw.len(), 64);
    let body = json!({
        "address": address,
        "public_key": hex(&uncompressed),
        "signature": hex(&raw),
        "challenge": challenge,
        "algorithm": "secp256k1",
    });
    // The address answered is that of the 33-byte compressed point.
    assert_signed_in(&sign_in(&server, &body), &wallet);
}

#[test]
fn secp256k1_accepts_high_s_signatures_der_and_raw() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::secp256k1(5);
    let address = wallet.address();
    let encodings: [(&str, EncodeSignature); 2] = [
        ("DER", |signature| signature.to_der().as_bytes().to_vec()),
        ("r‖s", |signature| signature.to_bytes().to_vec()),
    ];
    for (encoding, encode) in encodings {
        let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
        let signature = high_s(&wallet.secp256k1_signature(&challenge));
        let body = with(
            &wallet.sign_in_body(&address, &challenge),
            "signature",
            json!(hex(&encode(&signature))),
        );
        let response = sign_in(&server, &body);
        if response.status != 200 {
            response.fail(&format!("a high-S {encoding} signature is valid"));
        }
        assert_signed_in(&response, &wallet);
    }
}

// --- the address ---

#[test]
fn address_may_be_the_hex_of_the_public_key() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for wallet in [
        Wallet::ed25519(10),
        Wallet::secp256k1(11),
        Wallet::ml_dsa_65(12),
    ] {
        let key_hex = hex(&wallet.public_key());
        let challenge = challenge(&server, &key_hex, DEFAULT_CHALLENGE_TTL);
        let response = sign_in(&server, &wallet.sign_in_body(&key_hex, &challenge));
        // `address`, `sub` and `wallet_address` are still the canonical address.
        assert_signed_in(&response, &wallet);
    }

    // The uncompressed secp256k1 key, sent as such and named by its own hex.
    let wallet = Wallet::secp256k1(13);
    let key_hex = hex(&wallet.uncompressed_public_key());
    let challenge = challenge(&server, &key_hex, DEFAULT_CHALLENGE_TTL);
    let body = with(
        &wallet.sign_in_body(&key_hex, &challenge),
        "public_key",
        json!(key_hex),
    );
    assert_signed_in(&sign_in(&server, &body), &wallet);
}

#[test]
fn address_is_accepted_in_any_letter_case() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(14);
    let lower = wallet.address();
    let upper = format!("0x{}", lower[2..].to_ascii_uppercase());
    assert_ne!(lower, upper, "the address has letters to change");

    let challenge_upper = challenge(&server, &upper, DEFAULT_CHALLENGE_TTL);
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&upper, &challenge_upper)),
        &wallet,
    );

    // A challenge for one spelling is finished with the other.
    let challenge_lower = challenge(&server, &lower, DEFAULT_CHALLENGE_TTL);
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&upper, &challenge_lower)),
        &wallet,
    );
    let challenge_upper = challenge(&server, &upper, DEFAULT_CHALLENGE_TTL);
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&lower, &challenge_upper)),
        &wallet,
    );
}

#[test]
fn address_that_is_not_the_keys_is_a_bad_request_that_keeps_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(15);
    let other = Wallet::ed25519(16);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);

    // The other wallet claims this wallet's address with its own key and a valid signature.
    let body = other.sign_in_body(&address, &challenge);
    assert_bad_request_keeps_challenge(&server, &wallet, &challenge, &body);

    // This wallet's key and signature, naming another wallet's address or key, or nobody's.
    let challenge = self::challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    for claimed in [
        other.address(),
        format!("0x{}", "ab".repeat(20)),
        hex(&other.public_key()),
    ] {
        let body = with(
            &wallet.sign_in_body(&address, &challenge),
            "address",
            json!(claimed),
        );
        let response = sign_in(&server, &body);
        if response.status != 400 {
            response.fail(&format!("expected 400 for the address {claimed}"));
        }
        response.assert_error(400, "invalid_request");
    }
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&address, &challenge)),
        &wallet,
    );
}

#[test]
fn challenge_issued_for_another_address_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let victim = Wallet::ed25519(17);
    let attacker = Wallet::ed25519(18);
    let challenge = challenge(&server, &victim.address(), DEFAULT_CHALLENGE_TTL);
    // The attacker signs the victim's challenge correctly, as itself.
    let body = attacker.sign_in_body(&attacker.address(), &challenge);
    sign_in(&server, &body).assert_error(401, "invalid_token");
}

// --- single use and expiry ---

#[test]
fn challenge_works_once() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(20);
    let address = wallet.address();
    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let body = wallet.sign_in_body(&address, &challenge);
    assert_signed_in(&sign_in(&server, &body), &wallet);
    sign_in(&server, &body).assert_error(401, "invalid_token");
}

#[test]
fn unknown_challenge_is_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(21);
    let address = wallet.address();
    // A pending challenge exists for the address, but this is not it.
    challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let made_up = "ab".repeat(32);
    sign_in(&server, &wallet.sign_in_body(&address, &made_up)).assert_error(401, "invalid_token");
}

#[test]
fn expired_challenge_is_refused() {
    // Expiry is observed, not slept through: challenges are issued up front and spent one by
    // one, newest first, until the server refuses one; every older one has then expired too.
    // A 2 s ttl leaves at least one whole second of validity even when the server counts in
    // whole seconds.
    const TTL: u64 = 2;
    const POOL: usize = 40;
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--challenge-ttl", "2s"], &[ADMIN_ENV]);
    let wallet = Wallet::ed25519(22);
    let address = wallet.address();
    let first_issued = Instant::now();
    let mut pool: Vec<String> = (0..POOL)
        .map(|_| challenge(&server, &address, TTL))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);

    // Fresh, they work: even the oldest.
    let oldest = pool.remove(0);
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&address, &oldest)),
        &wallet,
    );

    loop {
        let Some(newest) = pool.pop() else {
            panic!(
                "all {POOL} challenges were accepted within {:?}",
                first_issued.elapsed()
            )
        };
        let response = sign_in(&server, &wallet.sign_in_body(&address, &newest));
        if response.status != 200 {
            response.assert_error(401, "invalid_token");
            break;
        }
        assert_signed_in(&response, &wallet);
        assert!(
            Instant::now() < deadline,
            "challenges with a {TTL} s ttl were still accepted {:?} after they were issued",
            first_issued.elapsed()
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        first_issued.elapsed() >= Duration::from_secs(1),
        "a challenge with a {TTL} s ttl expired only {:?} after it was issued",
        first_issued.elapsed()
    );
    // The challenges issued before the refused one have expired as well.
    for older in &pool {
        sign_in(&server, &wallet.sign_in_body(&address, older)).assert_error(401, "invalid_token");
    }
    // The refusal was about age: a new challenge works.
    let fresh = challenge(&server, &address, TTL);
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&address, &fresh)),
        &wallet,
    );
}

#[test]
fn many_pending_challenges_for_one_address_are_each_usable_in_any_order() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(23);
    let address = wallet.address();
    let challenges: Vec<String> = (0..50)
        .map(|_| challenge(&server, &address, DEFAULT_CHALLENGE_TTL))
        .collect();
    let mut distinct = challenges.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), challenges.len(), "every challenge is new");

    // Newest first, then odd indices before even ones: no order is privileged.
    let order = (0..50)
        .rev()
        .filter(|i| i % 2 == 1)
        .chain((0..50).filter(|i| i % 2 == 0));
    let mut jtis = Vec::new();
    for index in order {
        let response = sign_in(&server, &wallet.sign_in_body(&address, &challenges[index]));
        if response.status != 200 {
            response.fail(&format!("pending challenge #{index} of 50 is usable"));
        }
        let session = assert_signed_in(&response, &wallet);
        jtis.push(decode_jwt(&session.access_token).claims["jti"].clone());
    }
    jtis.sort_by_key(|jti| jti.to_string());
    jtis.dedup();
    assert_eq!(jtis.len(), 50, "every sign-in mints its own token");
}

// --- bad signatures ---

#[test]
fn wrong_signature_is_refused_and_burns_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let pairs = [
        (Wallet::ed25519(31), Wallet::ed25519(34)),
        (Wallet::secp256k1(32), Wallet::secp256k1(35)),
        (Wallet::ml_dsa_65(33), Wallet::ml_dsa_65(36)),
    ];
    for (wallet, stranger) in &pairs {
        let address = wallet.address();
        let wrong_signatures: [(&str, &SignChallenge); 3] = [
            ("a signature over another message", &|_| {
                wallet.sign(&"00".repeat(32))
            }),
            ("the right signature with one bit flipped", &|challenge| {
                let mut signature = wallet.sign(challenge);
                let middle = signature.len() / 2;
                signature[middle] ^= 0x01;
                signature
            }),
            ("another key's signature over the challenge", &|challenge| {
                stranger.sign(challenge)
            }),
        ];
        for (what, wrong_signature) in wrong_signatures {
            let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
            let body = with(
                &wallet.sign_in_body(&address, &challenge),
                "signature",
                json!(hex(&wrong_signature(&challenge))),
            );
            let response = sign_in(&server, &body);
            if response.status != 401 {
                response.fail(&format!("{}: {what} is refused", wallet.algorithm()));
            }
            response.assert_error(401, "invalid_token");
            // The attempt consumed the challenge: the right signature now comes too late.
            let retry = sign_in(&server, &wallet.sign_in_body(&address, &challenge));
            if retry.status != 401 {
                retry.fail(&format!(
                    "{}: {what} consumes the challenge",
                    wallet.algorithm()
                ));
            }
            retry.assert_error(401, "invalid_token");
        }
    }
}

// --- malformed requests: 400, and the challenge survives ---

#[test]
fn missing_or_empty_fields_are_bad_requests_that_keep_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(40);
    let address = wallet.address();
    for field in ["address", "public_key", "signature", "challenge"] {
        for broken in ["missing", "empty", "number"] {
            let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
            let body = wallet.sign_in_body(&address, &challenge);
            let body = match broken {
                "missing" => without(&body, field),
                "empty" => with(&body, field, json!("")),
                _ => with(&body, field, json!(5)),
            };
            assert_bad_request_keeps_challenge(&server, &wallet, &challenge, &body);
        }
    }
}

#[test]
fn bad_hex_is_a_bad_request_that_keeps_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(41);
    let address = wallet.address();
    let key_hex = hex(&wallet.public_key());
    let odd_key = key_hex[1..].to_string();
    let not_hex_key = format!("zz{}", &key_hex[2..]);
    for (field, value) in [
        ("public_key", odd_key),
        ("public_key", not_hex_key),
        ("public_key", "not hex at all".to_string()),
        ("signature", "xyz".to_string()),
        ("signature", "abc".to_string()),
        ("signature", "g".repeat(128)),
    ] {
        let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
        let body = with(
            &wallet.sign_in_body(&address, &challenge),
            field,
            json!(value),
        );
        assert_bad_request_keeps_challenge(&server, &wallet, &challenge, &body);
    }
}

#[test]
fn key_of_the_wrong_length_is_a_bad_request_that_keeps_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for (wallet, lengths) in [
        (Wallet::ed25519(42), vec![31, 33, 64]),
        (Wallet::secp256k1(43), vec![32, 34, 64, 66]),
        (Wallet::ml_dsa_65(44), vec![32, 1951, 1953]),
    ] {
        let address = wallet.address();
        for length in lengths {
            let mut key = wallet.public_key();
            key.resize(length, 0x42);
            let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
            let body = with(
                &wallet.sign_in_body(&address, &challenge),
                "public_key",
                json!(hex(&key)),
            );
            assert_bad_request_keeps_challenge(&server, &wallet, &challenge, &body);
        }
    }
}

#[test]
fn unknown_algorithm_is_a_bad_request_that_keeps_the_challenge() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(45);
    let address = wallet.address();
    for algorithm in ["RSA", "Ed448", "ML-DSA-44", "secp256r1", "Ed25519-ph"] {
        let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
        let body = with(
            &wallet.sign_in_body(&address, &challenge),
            "algorithm",
            json!(algorithm),
        );
        assert_bad_request_keeps_challenge(&server, &wallet, &challenge, &body);
    }
}

#[test]
fn disabled_algorithms_are_bad_requests_naming_the_enabled_ones() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--wallet-algorithms", "Ed25519"], &[ADMIN_ENV]);
    for wallet in [Wallet::ml_dsa_65(46), Wallet::secp256k1(47)] {
        let address = wallet.address();
        // Anyone may still ask for a challenge: it names no algorithm.
        let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
        let body = wallet.sign_in_body(&address, &challenge);
        // ML-DSA-65 is also refused when it is only the default.
        let bodies = if wallet.algorithm() == "ML-DSA-65" {
            vec![body.clone(), without(&body, "algorithm")]
        } else {
            vec![body]
        };
        for body in bodies {
            let response = sign_in(&server, &body);
            response.assert_error(400, "invalid_request");
            let detail = response.json()["detail"].clone();
            if !detail.as_str().is_some_and(|d| d.contains("Ed25519")) {
                response.fail("the detail names the enabled algorithm, Ed25519");
            }
        }
    }
    let wallet = Wallet::ed25519(48);
    full_sign_in(&server, &wallet);
}

#[test]
fn oversized_bodies_are_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(49);
    let address = wallet.address();
    let megabyte = "ab".repeat(512 * 1024);

    let body = json!({"address": format!("0x{megabyte}")});
    server
        .post_json(CHALLENGE, &body)
        .send()
        .assert_error(413, "payload_too_large");

    let challenge = challenge(&server, &address, DEFAULT_CHALLENGE_TTL);
    let body = with(
        &wallet.sign_in_body(&address, &challenge),
        "signature",
        json!(megabyte),
    );
    sign_in(&server, &body).assert_error(413, "payload_too_large");
    // The oversized request was refused whole: the challenge is untouched.
    assert_signed_in(
        &sign_in(&server, &wallet.sign_in_body(&address, &challenge)),
        &wallet,
    );
}

// --- the wallet session ---

#[test]
fn wallet_token_verifies_against_jwks() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let session = full_sign_in(&server, &Wallet::secp256k1(50));
    let jwt = decode_jwt(&session.access_token);
    assert_eq!(jwt.header["alg"], "RS256", "{}", jwt.header);
    assert_eq!(jwt.header["typ"], "JWT", "{}", jwt.header);
    assert_eq!(jwt.header["kid"], server.kid().as_str(), "{}", jwt.header);

    let jwks = server.get("/api/v1/auth/jwks").send().ok_json();
    let key = jwks["keys"]
        .as_array()
        .expect("keys array")
        .iter()
        .find(|key| key["kid"] == jwt.header["kid"])
        .unwrap_or_else(|| panic!("no JWKS key has the token's kid: {jwks}"));
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
    .expect("the wallet token's signature verifies against the JWKS key");
}

#[test]
fn wallet_refresh_rotates_and_reuse_kills_the_chain() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ml_dsa_65(51);
    let first = full_sign_in(&server, &wallet);

    let response = server.refresh(&first.refresh_token);
    let second = Session::from_response(&response);
    assert_ne!(second.refresh_token, first.refresh_token, "{response}");
    assert_eq!(second.body["token_type"], "Bearer", "{response}");
    assert_eq!(second.body["expires_in"], DEFAULT_ACCESS_TTL, "{response}");
    assert_wallet_claims(&second.access_token, &wallet);
    assert_ne!(
        decode_jwt(&second.access_token).claims["jti"],
        decode_jwt(&first.access_token).claims["jti"],
        "a refresh mints a new token"
    );
    assert_accepted_without_admin_role(&server, &second.access_token);

    let third = Session::from_response(&server.refresh(&second.refresh_token));
    assert_wallet_claims(&third.access_token, &wallet);

    // The first token was rotated away: presenting it again is theft.
    server
        .refresh(&first.refresh_token)
        .assert_error(401, "invalid_token");
    // So the newest token of the chain is dead as well.
    server
        .refresh(&third.refresh_token)
        .assert_error(401, "invalid_token");

    // Another sign-in of the same wallet is another chain, untouched.
    let other = full_sign_in(&server, &wallet);
    Session::from_response(&server.refresh(&other.refresh_token));
}

#[test]
fn wallet_tokens_are_listed_in_mints() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let wallet = Wallet::ed25519(52);
    let signed_in = full_sign_in(&server, &wallet);
    let refreshed = Session::from_response(&server.refresh(&signed_in.refresh_token));
    let admin = server.admin();

    for query in ["", "?active=true"] {
        let response = server
            .get(&format!("/api/v1/auth/mints{query}"))
            .with_bearer(&admin.access_token)
            .send();
        let body = response.ok_json();
        let Some(items) = body["items"].as_array() else {
            response.fail("expected an `items` array")
        };
        for session in [&signed_in, &refreshed] {
            let claims = decode_jwt(&session.access_token).claims;
            let Some(item) = items.iter().find(|item| item["jti"] == claims["jti"]) else {
                response.fail(&format!("the wallet token {} is not listed", claims["jti"]))
            };
            let expected = [
                ("kind", json!("wallet")),
                ("sub", json!(wallet.address())),
                ("role", json!("wallet")),
                ("iat", claims["iat"].clone()),
                ("exp", claims["exp"].clone()),
                ("revoked", json!(false)),
            ];
            for (field, value) in expected {
                if item[field] != value {
                    response.fail(&format!(
                        "the wallet token's `{field}` should be {value}: {item}"
                    ));
                }
            }
        }
    }
}
