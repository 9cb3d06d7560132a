//! Fuzzes `tokens::verify`, the check every bearer token goes through: bytes in, a verdict out,
//! never a panic, and never a token accepted with the wrong issuer, audience or expiry.
//!
//! The first byte picks how the rest becomes a token, so the fuzzer reaches past each layer:
//! - `0`: the rest as text, as a client would send it;
//! - `1`: header JSON, payload JSON and signature bytes (split at `\0`), each base64url-encoded
//!   and joined with dots, so header parsing and the algorithm and kid checks see real JSON;
//! - `2`: claims JSON signed by one of the ring's keys (the second byte picks RS256 or
//!   ML-DSA-65), so claim parsing and the issuer, audience and expiry checks are reached with a
//!   valid signature;
//! - `3`: like `1`, with the header fixed to one key's kid and an algorithm the second byte picks
//!   (its own or the other key's), so the algorithm-confusion check and both signature checks
//!   see fuzzed payloads and signatures.

#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use picoauth::keys::{KeyRing, SigningAlgorithm, SigningKey};

const ISSUER: &str = "http://localhost:8100";
const AUDIENCE: &str = "pico";
/// The injected clock: 2023-11-14T22:13:20Z. The seed claims expire around it.
const NOW: i64 = 1_700_000_000;

/// One ML-DSA-65 and one RSA key for the whole run (as during a rotation from RS256):
/// generating keys per input would drown the fuzzer.
static KEY_RING: LazyLock<KeyRing> = LazyLock::new(|| {
    let keys = [SigningAlgorithm::MlDsa65, SigningAlgorithm::Rs256]
        .map(|algorithm| SigningKey::generate(algorithm).expect("a key can be generated").0);
    KeyRing::new(keys.into()).expect("a ring of two keys")
});

/// The ring's keys, by a selector byte.
fn key(selector: u8) -> &'static SigningKey {
    &KEY_RING.keys()[usize::from(selector) % 2]
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = match mode % 4 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => {
            let mut parts = rest.splitn(3, |byte| *byte == 0);
            let header = parts.next().unwrap_or_default();
            let payload = parts.next().unwrap_or_default();
            let signature = parts.next().unwrap_or_default();
            join(header, payload, signature)
        }
        2 => {
            let Some((&selector, rest)) = rest.split_first() else {
                return;
            };
            key(selector).sign_jwt(rest).expect("signing succeeds")
        }
        _ => {
            let Some((&selector, rest)) = rest.split_first() else {
                return;
            };
            let alg = key(selector >> 1).algorithm();
            let header = format!(
                r#"{{"alg":"{alg}","typ":"JWT","kid":"{}"}}"#,
                key(selector).kid()
            );
            let mut parts = rest.splitn(2, |byte| *byte == 0);
            let payload = parts.next().unwrap_or_default();
            let signature = parts.next().unwrap_or_default();
            join(header.as_bytes(), payload, signature)
        }
    };
    if let Ok(claims) = picoauth::tokens::verify(&KEY_RING, &token, ISSUER, AUDIENCE, NOW) {
        // Whatever got through must satisfy the acceptance rules of `tokens`.
        assert_eq!(claims.iss, ISSUER, "accepted a foreign issuer: {token}");
        assert_eq!(claims.aud, AUDIENCE, "accepted a foreign audience: {token}");
        assert!(claims.exp > NOW, "accepted an expired token: {token}");
        // The keys are made afresh each run, so only mode 2, which signs with them, can pass:
        // anything else getting through is a forgery.
        assert_eq!(mode % 4, 2, "forged token accepted: {token}");
        // What picoauth mints from these claims verifies back to the same claims, with either key.
        for selector in 0..2 {
            let minted = picoauth::tokens::mint(key(selector), &claims).expect("minting succeeds");
            let again = picoauth::tokens::verify(&KEY_RING, &minted, ISSUER, AUDIENCE, NOW)
                .expect("a re-minted token verifies");
            assert_eq!(again, claims);
        }
    }
});

fn join(header: &[u8], payload: &[u8], signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}
