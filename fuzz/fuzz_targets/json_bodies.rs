//! Fuzzes the JSON request bodies of the HTTP door (API.md): any body is parsed into each
//! request shape or refused, never a panic; what parses is then taken through the same
//! library checks the handlers and `App` use, as far as they go without a database.
//!
//! The bodies are parsed by the HTTP door's own parsers (`picoauth::http::fuzzing`), so this
//! target follows the code as it changes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picoauth::app::SignInRequest;
use picoauth::roles::Role;
use picoauth::tokens::Claims;
use picoauth::wallet::{WalletAddress, WalletAlgorithm, address_matches, decode_hex};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        // Not compared with the original: without serde_json's `float_roundtrip` feature a
        // float may come back one ulp off (2.22e35 does), which is serde_json's, not ours.
        let text = serde_json::to_vec(&value).expect("a Value serialises");
        serde_json::from_slice::<serde_json::Value>(&text).expect("serialised JSON parses");
    }

    // The HTTP door's own parsers, on every body type it reads.
    let sign_in_request = picoauth::http::fuzzing::parse_bodies(data);

    if let Ok(role) = serde_json::from_slice::<Role>(data) {
        let text = serde_json::to_string(&role).expect("a role serialises");
        assert_eq!(serde_json::from_str::<Role>(&text).ok(), Some(role));
    }

    if let Ok(claims) = serde_json::from_slice::<Claims>(data) {
        let _ = claims.kind();
        let text = serde_json::to_vec(&claims).expect("claims serialise");
        let again: Claims = serde_json::from_slice(&text).expect("serialised claims parse");
        assert_eq!(again, claims);
    }

    if let Some(request) = sign_in_request {
        sign_in(&request);
    }
});

/// The checks of `App::sign_in` that come before the challenge is looked up, then the
/// signature over the challenge as given.
fn sign_in(body: &SignInRequest) {
    let requested = body
        .algorithm
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or("ML-DSA-65");
    let Ok(algorithm) = WalletAlgorithm::parse(requested) else {
        return;
    };
    let Ok(key_bytes) = decode_hex("public_key", &body.public_key) else {
        return;
    };
    let Ok(key) = algorithm.parse_key(&key_bytes) else {
        return;
    };
    let Ok(signature) = decode_hex("signature", &body.signature) else {
        return;
    };
    let address = WalletAddress::of(key.as_ref());
    if !address_matches(&body.address, &address, &body.public_key) {
        return;
    }
    key.verify(body.challenge.trim().as_bytes(), &signature);
}
