//! Black-box tests of post-quantum access tokens (API.md §8): ML-DSA-65 and ML-DSA-87 signing
//! keys, their AKP JWKS entries, and a running deployment moved from RS256 to ML-DSA without a
//! flag day.
//!
//! Every ML-DSA signature picoauth makes (with aws-lc) is checked here by a second, independent
//! implementation, RustCrypto's `ml-dsa`; RS256 ones by `jsonwebtoken`.

use aws_lc_rs::digest::{SHA256, digest};
use ml_dsa::{EncodedVerifyingKey, MlDsa65, MlDsa87, Signature, VerifyingKey};
use serde_json::{Value, json};

use crate::util::{
    ADMIN_ENV, Server, TestDir, b64url, b64url_decode, decode_jwt, encode_jwt, run_on,
};

/// The JWKS `server` publishes, as a list of keys.
fn jwks(server: &Server) -> Vec<Value> {
    server.get("/api/v1/auth/jwks").send().ok_json()["keys"]
        .as_array()
        .unwrap()
        .clone()
}

/// Checks `token`'s signature against the JWKS entry `jwk` with an implementation other than
/// picoauth's: RustCrypto `ml-dsa` for AKP keys (pure mode, empty context), `jsonwebtoken` for
/// RSA.
#[track_caller]
fn independently_verifies(jwk: &Value, token: &str) -> bool {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let signature = b64url_decode(signature);
    match (jwk["kty"].as_str(), jwk["alg"].as_str()) {
        (Some("AKP"), Some("ML-DSA-65")) => {
            let public = b64url_decode(jwk["pub"].as_str().unwrap());
            let key = VerifyingKey::<MlDsa65>::decode(
                &EncodedVerifyingKey::<MlDsa65>::try_from(public.as_slice()).unwrap(),
            );
            Signature::<MlDsa65>::try_from(signature.as_slice())
                .is_ok_and(|sig| key.verify_with_context(signing_input.as_bytes(), &[], &sig))
        }
        (Some("AKP"), Some("ML-DSA-87")) => {
            let public = b64url_decode(jwk["pub"].as_str().unwrap());
            let key = VerifyingKey::<MlDsa87>::decode(
                &EncodedVerifyingKey::<MlDsa87>::try_from(public.as_slice()).unwrap(),
            );
            Signature::<MlDsa87>::try_from(signature.as_slice())
                .is_ok_and(|sig| key.verify_with_context(signing_input.as_bytes(), &[], &sig))
        }
        (Some("RSA"), Some("RS256")) => {
            let key = jsonwebtoken::DecodingKey::from_rsa_components(
                jwk["n"].as_str().unwrap(),
                jwk["e"].as_str().unwrap(),
            )
            .unwrap();
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            validation.validate_aud = false;
            validation.validate_exp = false;
            validation.required_spec_claims.clear();
            jsonwebtoken::decode::<Value>(token, &key, &validation).is_ok()
        }
        other => panic!("unexpected JWKS entry {other:?}: {jwk}"),
    }
}

/// The RFC 7638 thumbprint of an AKP JWK: over `alg`, `kty`, `pub`, in that order.
fn akp_thumbprint(jwk: &Value) -> String {
    let canonical = format!(
        r#"{{"alg":"{}","kty":"AKP","pub":"{}"}}"#,
        jwk["alg"].as_str().unwrap(),
        jwk["pub"].as_str().unwrap()
    );
    b64url(digest(&SHA256, canonical.as_bytes()).as_ref())
}

#[track_caller]
fn assert_me(server: &Server, token: &str, status: u16) {
    let response = server.get("/api/v1/auth/me").with_bearer(token).send();
    if status == 200 {
        response.ok_json();
    } else {
        response.assert_error(status, "invalid_token");
    }
}

#[test]
fn a_deployment_started_with_ml_dsa_65_publishes_an_akp_key_and_signs_every_token_with_it() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--token-algorithm", "ML-DSA-65"], &[ADMIN_ENV]);
    let keys = jwks(&server);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let jwk = &keys[0];
    assert_eq!(jwk["kty"], "AKP");
    assert_eq!(jwk["alg"], "ML-DSA-65");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(b64url_decode(jwk["pub"].as_str().unwrap()).len(), 1952);
    assert!(jwk.get("n").is_none() && jwk.get("e").is_none(), "{jwk}");
    assert_eq!(
        jwk["kid"],
        akp_thumbprint(jwk),
        "the kid is the RFC 7638 thumbprint"
    );

    let discovery = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["ML-DSA-65"])
    );

    // User, refreshed and fleet tokens: all ML-DSA-65, all verified by another implementation.
    let (_, session) = server.register_and_login("pq@example.com");
    let refreshed = crate::util::Session::from_response(&server.refresh(&session.refresh_token));
    let fleet = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "pq-ci",
            "--agent-id",
            "builder",
            "--ttl",
            "1h",
        ],
        &[],
    );
    fleet.assert_code(0);
    for token in [
        session.access_token.as_str(),
        refreshed.access_token.as_str(),
        fleet.stdout.trim(),
    ] {
        let decoded = decode_jwt(token);
        assert_eq!(
            decoded.header,
            json!({ "alg": "ML-DSA-65", "typ": "JWT", "kid": jwk["kid"] })
        );
        assert_eq!(decoded.signature.len(), 3309);
        assert!(
            independently_verifies(jwk, token),
            "RustCrypto ml-dsa accepts it"
        );
        let inspected = run_on(&dir, &["inspect", token], &[]);
        inspected.assert_code(0);
    }
    assert_me(&server, &refreshed.access_token, 200);

    // A restart keeps the key.
    server.stop();
    let again = Server::start_with(&dir, &["--token-algorithm", "RS256"], &[ADMIN_ENV]);
    assert_eq!(jwks(&again), keys, "the setting names the first key only");
    assert_me(&again, &refreshed.access_token, 200);
}

#[test]
fn keygen_makes_an_ml_dsa_87_first_key_and_lists_its_algorithm() {
    let dir = TestDir::new();
    let created = run_on(&dir, &["keygen", "--algorithm", "ML-DSA-87"], &[]);
    created.assert_code(0);
    let kid = created.stdout.trim().to_owned();
    let listed = run_on(&dir, &["keygen", "--list", "--json"], &[]);
    listed.assert_code(0);
    let listed: Value = serde_json::from_str(listed.stdout.trim()).unwrap();
    assert_eq!(listed["keys"][0]["kid"], kid);
    assert_eq!(listed["keys"][0]["algorithm"], "ML-DSA-87");
    let table = run_on(&dir, &["keygen", "--list"], &[]);
    assert!(table.stdout.contains("ML-DSA-87"), "{table}");

    let server = Server::start(&dir);
    let keys = jwks(&server);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["alg"], "ML-DSA-87");
    assert_eq!(keys[0]["kid"], kid);
    assert_eq!(b64url_decode(keys[0]["pub"].as_str().unwrap()).len(), 2592);
    let admin = server.admin();
    let decoded = decode_jwt(&admin.access_token);
    assert_eq!(decoded.header["alg"], "ML-DSA-87");
    assert_eq!(decoded.signature.len(), 4627);
    assert!(independently_verifies(&keys[0], &admin.access_token));

    let unknown = run_on(
        &dir,
        &["keygen", "--rotate", "--algorithm", "ML-DSA-44"],
        &[],
    );
    assert_eq!(unknown.code(), 2, "{unknown}");
}

#[test]
fn a_running_rs256_deployment_moves_to_ml_dsa_65_and_no_token_in_flight_dies() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let (_, before) = server.register_and_login("mover@example.com");
    let rsa_kid = server.kid();
    assert_eq!(decode_jwt(&before.access_token).header["alg"], "RS256");

    let rotated = run_on(
        &dir,
        &["keygen", "--rotate", "--algorithm", "ML-DSA-65"],
        &[],
    );
    rotated.assert_code(0);
    let ml_dsa_kid = rotated.stdout.trim().to_owned();

    // The next request sees both keys: the new one first, the RSA one in its grace period.
    let keys = jwks(&server);
    let algorithms: Vec<&str> = keys
        .iter()
        .map(|key| key["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["ML-DSA-65", "RS256"]);
    assert_eq!(keys[0]["kid"], ml_dsa_kid);
    assert_eq!(keys[1]["kid"], rsa_kid);
    let discovery = server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["ML-DSA-65", "RS256"])
    );

    // The RS256 token and its session live on; new tokens are ML-DSA-65.
    assert_me(&server, &before.access_token, 200);
    assert!(independently_verifies(&keys[1], &before.access_token));
    let after = crate::util::Session::from_response(&server.refresh(&before.refresh_token));
    let header = decode_jwt(&after.access_token).header;
    assert_eq!(header["alg"], "ML-DSA-65");
    assert_eq!(header["kid"], ml_dsa_kid);
    assert!(independently_verifies(&keys[0], &after.access_token));
    assert_me(&server, &after.access_token, 200);

    // A plain `--rotate` keeps the active key's algorithm.
    let kept = run_on(&dir, &["keygen", "--rotate"], &[]);
    kept.assert_code(0);
    let keys = jwks(&server);
    assert_eq!(keys.len(), 3);
    assert_eq!(keys[0]["alg"], "ML-DSA-65");

    // When the RSA key leaves the JWKS (here retired at once, as the end of its grace period
    // would), its tokens stop passing and ML-DSA ones still do.
    run_on(&dir, &["keygen", &format!("--retire={rsa_kid}")], &[]).assert_code(0);
    assert!(jwks(&server).iter().all(|key| key["alg"] == "ML-DSA-65"));
    assert_me(&server, &before.access_token, 401);
    assert_me(&server, &after.access_token, 200);
}

#[test]
fn forged_and_confused_ml_dsa_tokens_are_refused() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let rsa_token = server.admin().access_token;
    run_on(
        &dir,
        &["keygen", "--rotate", "--algorithm", "ML-DSA-65"],
        &[],
    )
    .assert_code(0);
    let ml_dsa_token = server.admin().access_token;
    let keys = jwks(&server);
    let (ml_dsa_kid, rsa_kid) = (keys[0]["kid"].clone(), keys[1]["kid"].clone());
    assert_me(&server, &ml_dsa_token, 200);
    assert_me(&server, &rsa_token, 200);

    let ml_dsa = decode_jwt(&ml_dsa_token);
    let rsa = decode_jwt(&rsa_token);
    let with = |header: Value, claims: &Value, signature: &[u8]| {
        encode_jwt(&header, claims, |_| signature.to_vec())
    };
    let mut elevated = ml_dsa.claims.clone();
    elevated["exp"] = json!(elevated["exp"].as_i64().unwrap() + 86_400);
    let forgeries = [
        // The algorithm swapped in the header, the signature kept.
        with(
            json!({"alg": "RS256", "typ": "JWT", "kid": ml_dsa_kid}),
            &ml_dsa.claims,
            &ml_dsa.signature,
        ),
        with(
            json!({"alg": "ML-DSA-87", "typ": "JWT", "kid": ml_dsa_kid}),
            &ml_dsa.claims,
            &ml_dsa.signature,
        ),
        // A token of one algorithm naming the other's kid.
        with(
            json!({"alg": "ML-DSA-65", "typ": "JWT", "kid": rsa_kid}),
            &rsa.claims,
            &rsa.signature,
        ),
        with(
            json!({"alg": "RS256", "typ": "JWT", "kid": rsa_kid}),
            &ml_dsa.claims,
            &ml_dsa.signature,
        ),
        // Truncated, foreign and empty signatures.
        with(
            ml_dsa.header.clone(),
            &ml_dsa.claims,
            &ml_dsa.signature[..ml_dsa.signature.len() - 1],
        ),
        with(ml_dsa.header.clone(), &ml_dsa.claims, &[7u8; 3309]),
        with(ml_dsa.header.clone(), &ml_dsa.claims, &[]),
        // The claims changed under a real signature.
        with(ml_dsa.header.clone(), &elevated, &ml_dsa.signature),
    ];
    for forged in &forgeries {
        assert_me(&server, forged, 401);
        let inspected = run_on(&dir, &["inspect", forged], &[]);
        assert_eq!(inspected.code(), 1, "inspect refuses it too: {inspected}");
    }
}
