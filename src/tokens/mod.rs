//! JWT access tokens: the claims of each kind (API.md §2), minting, and checking.
//!
//! This module shapes claims and enforces the acceptance rules; the signature itself is made by
//! `keys`, and whether a jti is revoked or a user still exists is for `app` to ask the store.
//!
//! # Invariants
//! - Only RS256 is accepted, and only with a `kid` of a key in the ring: `none` and every HS*
//!   algorithm are refused before any key is touched.
//! - `iss`, `aud` and `exp` are required and checked; `exp` against the `now` passed in (time is
//!   a parameter), with no leeway; so is `nbf` when present (RFC 7519 §4.1.5).
//! - A header with `crit` is refused (RFC 7515 §4.1.11): picoauth understands no extension.
//! - Every token gets a fresh 128-bit random `jti`.

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::keys::{KeyRing, SigningKey};
use crate::roles::Role;

/// The claims of every token picoauth issues. Optional members belong to one kind each.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The issuer (`issuer` setting).
    pub iss: String,
    /// The audience (`audience` setting).
    pub aud: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Not before, Unix seconds (RFC 7519 §4.1.5). picoauth never sets it, but honours it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Unique token id, 32 hex characters; what revocation names.
    pub jti: String,
    /// User id, wallet address, or fleet session id.
    pub sub: String,
    /// The holder's role.
    pub role: Role,
    /// User tokens: the account's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// User tokens: the account's organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Wallet tokens: the signature algorithm of the wallet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Wallet tokens: the canonical wallet address (same as `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_address: Option<String>,
    /// Fleet tokens: the session (same as `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Fleet tokens: the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Fleet tokens: what the token is for, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Which of the three kinds of API.md §2 a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Issued by `/login` and `/refresh` to an account.
    User,
    /// Issued by `/sign-in` to a wallet.
    Wallet,
    /// Issued by `/fleet/sessions` or `picoauth mint-fleet`.
    Fleet,
}

impl Claims {
    /// The kind of token these claims belong to.
    pub fn kind(&self) -> TokenKind {
        if self.session_id.is_some() {
            TokenKind::Fleet
        } else if self.role == Role::Wallet {
            TokenKind::Wallet
        } else {
            TokenKind::User
        }
    }
}

/// What every token shares: who issues it, for whom, and when.
#[derive(Clone, Debug)]
pub struct Stamp<'a> {
    /// `iss`.
    pub issuer: &'a str,
    /// `aud`.
    pub audience: &'a str,
    /// `iat`.
    pub now: i64,
    /// `exp - iat`.
    pub ttl: u64,
}

impl Stamp<'_> {
    /// Claims with the shared members filled in and a fresh jti.
    ///
    /// # Errors
    /// `Internal` if the random source fails.
    pub fn claims(&self, sub: &str, role: Role) -> Result<Claims> {
        let ttl =
            i64::try_from(self.ttl).map_err(|_| Error::internal("token lifetime overflows"))?;
        Ok(Claims {
            iss: self.issuer.to_owned(),
            aud: self.audience.to_owned(),
            iat: self.now,
            exp: self.now.saturating_add(ttl),
            nbf: None,
            jti: new_jti()?,
            sub: sub.to_owned(),
            role,
            email: None,
            org_id: None,
            algorithm: None,
            wallet_address: None,
            session_id: None,
            agent_id: None,
            scope: None,
        })
    }
}

/// A fresh token id: 128 random bits as 32 lowercase hex characters.
///
/// # Errors
/// `Internal` if the random source fails.
pub fn new_jti() -> Result<String> {
    Ok(crate::keys::hex(&crate::keys::random_bytes::<16>()?))
}

/// Signs `claims` with `key`.
///
/// # Errors
/// `Internal` if the claims cannot be serialised, `Keys` if signing fails.
pub fn mint(key: &SigningKey, claims: &Claims) -> Result<String> {
    let json = serde_json::to_vec(claims)
        .map_err(|error| Error::internal(format!("cannot serialise claims: {error}")))?;
    key.sign_jwt(&json)
}

/// Checks a bearer token: algorithm, key, signature, issuer, audience and expiry.
///
/// # Errors
/// `InvalidToken` for any token that does not pass, with a reason that gives nothing away
/// beyond what failed.
pub fn verify(
    key_ring: &KeyRing,
    token: &str,
    issuer: &str,
    audience: &str,
    now: i64,
) -> Result<Claims> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| Error::invalid_token("the token is malformed"))?;
    if names_critical_extensions(token) {
        // RFC 7515 §4.1.11: a recipient that does not understand every extension `crit` lists
        // must refuse the JWS. picoauth issues none and understands none.
        return Err(Error::invalid_token(
            "the token requires extensions this server does not support (crit)",
        ));
    }
    if header.alg != Algorithm::RS256 {
        return Err(Error::invalid_token(
            "the token's algorithm is not accepted",
        ));
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| key_ring.find(kid))
        .ok_or_else(|| Error::invalid_token("the token was not signed by a key of this server"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    // Expiry is checked below against the injected `now`, not the library's clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(token, key.decoding_key(), &validation)
        .map_err(|error| {
            use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
            match error.kind() {
                JwtErrorKind::InvalidSignature => {
                    Error::invalid_token("the token's signature is invalid")
                }
                JwtErrorKind::InvalidIssuer => {
                    Error::invalid_token("the token's issuer is not this server")
                }
                JwtErrorKind::InvalidAudience => {
                    Error::invalid_token("the token's audience is not accepted")
                }
                _ => Error::invalid_token("the token is malformed"),
            }
        })?
        .claims;
    if claims.exp <= now {
        return Err(Error::invalid_token("the token has expired"));
    }
    // RFC 7519 §4.1.5, with no leeway, like `exp`: picoauth checks its own tokens on its own
    // clock.
    if claims.nbf.is_some_and(|nbf| nbf > now) {
        return Err(Error::invalid_token("the token is not valid yet"));
    }
    Ok(claims)
}

/// Whether the JOSE header carries a `crit` member at all, whatever its value. jsonwebtoken's
/// `Header` reads `"crit": null` as absent, so the header is read again here as a plain JSON
/// object; a header that does not decode was refused by `decode_header` before this is asked.
fn names_critical_extensions(token: &str) -> bool {
    use base64::Engine;
    let Some(encoded) = token.split('.').next() else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|json| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&json).ok()
        })
        .is_some_and(|header| header.contains_key("crit"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const NOW: i64 = 1_800_000_000;

    fn stamp() -> Stamp<'static> {
        Stamp {
            issuer: "http://localhost:8100",
            audience: "pico",
            now: NOW,
            ttl: 900,
        }
    }

    fn ring() -> KeyRing {
        KeyRing::new(vec![SigningKey::generate().unwrap().0]).unwrap()
    }

    fn check(ring: &KeyRing, token: &str, now: i64) -> Result<Claims> {
        verify(ring, token, "http://localhost:8100", "pico", now)
    }

    #[test]
    fn minted_tokens_verify_until_they_expire() {
        let ring = ring();
        let mut claims = stamp().claims("user-1", Role::Viewer).unwrap();
        claims.email = Some("a@b.c".into());
        let token = mint(ring.active(), &claims).unwrap();
        assert_eq!(check(&ring, &token, NOW).unwrap(), claims);
        assert_eq!(check(&ring, &token, NOW + 899).unwrap().jti, claims.jti);
        let error = check(&ring, &token, NOW + 900).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidToken);
    }

    #[test]
    fn jtis_are_unique_and_128_bits() {
        let first = new_jti().unwrap();
        assert_eq!(first.len(), 32);
        assert_ne!(first, new_jti().unwrap());
    }

    #[test]
    fn tokens_of_another_key_issuer_or_audience_are_refused() {
        let ring = ring();
        let other = self::ring();
        let claims = stamp().claims("user-1", Role::Viewer).unwrap();
        let token = mint(other.active(), &claims).unwrap();
        assert!(check(&ring, &token, NOW).is_err());

        let mut foreign = claims.clone();
        foreign.iss = "http://evil".into();
        assert!(check(&ring, &mint(ring.active(), &foreign).unwrap(), NOW).is_err());
        let mut foreign = claims;
        foreign.aud = "other".into();
        assert!(check(&ring, &mint(ring.active(), &foreign).unwrap(), NOW).is_err());
    }

    #[test]
    fn alg_none_and_hs256_forgeries_are_refused() {
        let ring = ring();
        let claims = stamp().claims("user-1", Role::Superadmin).unwrap();
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let kid = ring.active().kid().to_owned();
        for alg in ["none", "HS256"] {
            let header = serde_json::json!({ "alg": alg, "typ": "JWT", "kid": kid });
            let signing_input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header.to_string()));
            let key = aws_lc_rs::hmac::Key::new(
                aws_lc_rs::hmac::HMAC_SHA256,
                ring.active().jwk().n.as_bytes(),
            );
            let signature = aws_lc_rs::hmac::sign(&key, signing_input.as_bytes());
            for token in [
                format!("{signing_input}."),
                format!(
                    "{signing_input}.{}",
                    URL_SAFE_NO_PAD.encode(signature.as_ref())
                ),
            ] {
                assert_eq!(
                    check(&ring, &token, NOW).unwrap_err().kind(),
                    ErrorKind::InvalidToken
                );
            }
        }
        assert!(check(&ring, "not.a.token", NOW).is_err());
        assert!(check(&ring, "", NOW).is_err());
    }

    /// Signs `claims` under `header` with the ring's active key, as an attacker holding a token
    /// cannot, to show that the checks below are about the header and claims alone.
    fn signed(ring: &KeyRing, header: serde_json::Value, claims: &serde_json::Value) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = ring.active().sign_raw(signing_input.as_bytes()).unwrap();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn any_crit_header_is_refused() {
        let ring = ring();
        let claims = serde_json::to_value(stamp().claims("user-1", Role::Viewer).unwrap()).unwrap();
        let kid = ring.active().kid().to_owned();
        let plain = signed(
            &ring,
            serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid}),
            &claims,
        );
        assert!(
            check(&ring, &plain, NOW).is_ok(),
            "the control token passes"
        );
        for crit in [
            serde_json::json!(["exp"]),
            serde_json::json!(["b64"]),
            serde_json::json!([]),
            serde_json::Value::Null,
        ] {
            let token = signed(
                &ring,
                serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid, "crit": crit, "b64": true}),
                &claims,
            );
            assert_eq!(
                check(&ring, &token, NOW).unwrap_err().kind(),
                ErrorKind::InvalidToken,
                "crit {crit}"
            );
        }
    }

    #[test]
    fn nbf_is_honoured_when_present() {
        let ring = ring();
        let mut claims = stamp().claims("user-1", Role::Viewer).unwrap();
        claims.nbf = Some(NOW + 60);
        let token = mint(ring.active(), &claims).unwrap();
        assert_eq!(
            check(&ring, &token, NOW).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
        assert_eq!(
            check(&ring, &token, NOW + 59).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
        assert_eq!(check(&ring, &token, NOW + 60).unwrap(), claims);
        let minted = stamp().claims("user-1", Role::Viewer).unwrap();
        let json = serde_json::to_value(&minted).unwrap();
        assert!(json.get("nbf").is_none(), "picoauth sets no nbf: {json}");
    }

    #[test]
    fn kinds_follow_the_claims() {
        let mut claims = stamp().claims("s-1", Role::Agent).unwrap();
        claims.session_id = Some("s-1".into());
        assert_eq!(claims.kind(), TokenKind::Fleet);
        assert_eq!(
            stamp().claims("0xabc", Role::Wallet).unwrap().kind(),
            TokenKind::Wallet
        );
        assert_eq!(
            stamp().claims("u", Role::Viewer).unwrap().kind(),
            TokenKind::User
        );
    }
}
