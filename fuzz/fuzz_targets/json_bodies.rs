//! Fuzzes the JSON request bodies of the HTTP door (API.md): any body is parsed into each
//! request shape or refused, never a panic; what parses is then taken through the same
//! library checks the handlers and `App` use, as far as they go without a database.
//!
//! The body types of `picoauth::http` are private, so their shapes are copied here; keep them
//! in step with `src/http/accounts.rs`, `fleet.rs`, `wallet.rs` and `request.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picoauth::config::parse_duration;
use picoauth::roles::Role;
use picoauth::tokens::Claims;
use picoauth::wallet::{WalletAddress, WalletAlgorithm, address_matches, decode_hex};
use serde::Deserialize;

/// `POST /register`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct RegisterRequest {
    email: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// `POST /login`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct LoginRequest {
    email: String,
    password: String,
}

/// `POST /password`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PasswordChangeRequest {
    old_password: String,
    new_password: String,
}

/// `POST /fleet/sessions`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FleetSessionRequest {
    session_id: String,
    agent_id: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    ttl: Option<Ttl>,
    #[serde(default)]
    scope: Option<String>,
}

/// A fleet token's lifetime: seconds, or a duration as text.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Ttl {
    Seconds(u64),
    Text(String),
}

/// `POST /revoke`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct RevokeRequest {
    jti: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /challenge`.
#[derive(Deserialize)]
struct ChallengeBody {
    address: String,
}

/// `POST /sign-in`.
#[derive(Deserialize)]
struct SignInBody {
    address: String,
    public_key: String,
    signature: String,
    challenge: String,
    #[serde(default)]
    algorithm: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        // Not compared with the original: without serde_json's `float_roundtrip` feature a
        // float may come back one ulp off (2.22e35 does), which is serde_json's, not ours.
        let text = serde_json::to_vec(&value).expect("a Value serialises");
        serde_json::from_slice::<serde_json::Value>(&text).expect("serialised JSON parses");
        refresh_token(value);
    }

    let _ = serde_json::from_slice::<RegisterRequest>(data);
    let _ = serde_json::from_slice::<LoginRequest>(data);
    let _ = serde_json::from_slice::<PasswordChangeRequest>(data);
    let _ = serde_json::from_slice::<RevokeRequest>(data);

    if let Ok(body) = serde_json::from_slice::<FleetSessionRequest>(data) {
        if let Some(role) = &body.role {
            let _ = Role::parse(role);
        }
        if let Some(Ttl::Text(text)) = &body.ttl {
            let _ = parse_duration(text);
        }
    }

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

    if let Ok(body) = serde_json::from_slice::<ChallengeBody>(data) {
        let _ = decode_hex("address", &body.address);
    }

    if let Ok(body) = serde_json::from_slice::<SignInBody>(data) {
        sign_in(&body);
    }
});

/// `/refresh` and `/users/{id}/role` take `{"<field>": "…"}` or a bare JSON string.
fn refresh_token(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Object(mut object) => match object.remove("refresh_token") {
            Some(serde_json::Value::String(text)) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

/// The checks of `App::sign_in` that come before the challenge is looked up, then the
/// signature over the challenge as given.
fn sign_in(body: &SignInBody) {
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
