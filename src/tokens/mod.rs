//! JWT access tokens: the claims of each kind (API.md §2), minting, and checking.
//!
//! This module shapes claims and enforces the acceptance rules; the signature itself is made by
//! `keys`, and whether a jti is revoked or a user still exists is for `app` to ask the store.
//!
//! # Invariants
//! - A token is accepted only with the `kid` of a key in the ring and that key's own algorithm
//!   in `alg` (RS256, ML-DSA-65, ML-DSA-87): `none`, HS* and any algorithm other than the key's
//!   are refused before a signature is checked (no cross-algorithm confusion).
//! - `iss`, `aud` and `exp` are required and checked; `exp` against the `now` passed in (time is
//!   a parameter), with no leeway; so is `nbf` when present (RFC 7519 §4.1.5).
//! - A header with `crit` is refused (RFC 7515 §4.1.11): picoauth understands no extension.
//! - A header that names a member twice is refused (RFC 7515 §4 allows refusing or taking the
//!   last; JOSE libraries that take the first would read such a token otherwise).
//! - Every token gets a fresh 128-bit random `jti`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::keys::{KeyRing, SigningAlgorithm, SigningKey};
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
    /// User tokens: the ids of the account's groups, an empty list when it has none
    /// (API.md §9; pico-client-auth's `@requires_group` reads it). Absent from other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
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
    /// Fleet and client tokens: what the token is for, if given (OAuth: space-separated
    /// scopes). Agent tokens: their scopes,
    /// space-separated (RFC 8693 §4.2), the same as `scopes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Fleet, client and agent tokens (API.md §10): `scope` as the list pico-client-auth's `AgentClaims` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Agent tokens: the account in whose name the agent acts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Agent tokens: what kind of task the agent runs (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_type: Option<String>,
    /// Agent tokens: the task, for the resource servers' spend accounting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Agent tokens: the conversation the task belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Agent tokens: the budget of the task, a decimal string (`"250.00"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_limit: Option<String>,
    /// Agent tokens: the client ids of the agents that delegated before this one, in the order
    /// they did (`[]` for a token exchanged from a user's token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_chain: Option<Vec<String>>,
    /// Agent tokens: the jtis of the tokens this one was exchanged from, the user's first and
    /// the direct parent's last (one per hop, so at most `max_delegation_depth`). Revoking any
    /// of them refuses this token too ([`Claims::chain_jtis`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_jtis: Option<Vec<String>>,
    /// Agent tokens: the RFC 8693 §4.1 actor, nested once per hop (the current actor outermost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<ActClaim>,
    /// Client tokens (OAuth 2.0 `client_credentials`): the client they were issued to
    /// (RFC 9068 §2.2), the same as `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// The RFC 8693 §4.1 `act` claim: who acts, and (nested) who acted before.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActClaim {
    /// The acting client's id.
    pub sub: String,
    /// The previous actor, if this token was exchanged from an agent's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Box<ActClaim>>,
}

/// Which of the kinds of API.md §2 and §10 a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Issued by `/login` and `/refresh` to an account.
    User,
    /// Issued by `/sign-in` to a wallet.
    Wallet,
    /// Issued by `/fleet/sessions` or `picoauth mint-fleet`.
    Fleet,
    /// Issued by `POST /token` to a machine client (API.md §10).
    Client,
    /// Issued by RFC 8693 token exchange to an agent acting for a user (API.md §10).
    Agent,
}

impl Claims {
    /// The kind of token these claims belong to.
    pub fn kind(&self) -> TokenKind {
        // First: an agent token may carry a `session_id` (its conversation's), which would
        // otherwise make it look like a fleet token.
        if self.user_id.is_some() {
            TokenKind::Agent
        } else if self.session_id.is_some() {
            TokenKind::Fleet
        } else if self.client_id.is_some() {
            TokenKind::Client
        } else if self.role == Role::Wallet {
            TokenKind::Wallet
        } else {
            TokenKind::User
        }
    }

    /// Every jti whose revocation refuses this token: its own, then those it was exchanged
    /// from (`parent_jtis`).
    pub fn chain_jtis(&self) -> Vec<&str> {
        std::iter::once(self.jti.as_str())
            .chain(self.parent_jtis.iter().flatten().map(String::as_str))
            .collect()
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
            groups: None,
            algorithm: None,
            wallet_address: None,
            session_id: None,
            agent_id: None,
            scope: None,
            scopes: None,
            client_id: None,
            user_id: None,
            task_type: None,
            task_id: None,
            conversation_id: None,
            spend_limit: None,
            parent_chain: None,
            parent_jtis: None,
            act: None,
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

/// Signs `claims` with `key`. A token longer than any checker of picoauth's reads
/// ([`MAX_TOKEN_LENGTH`]) is never handed out: with an ML-DSA-87 key, claims of about 7 KiB
/// are the most that fit.
///
/// # Errors
/// `InvalidInput` if the token would be too long to be accepted, `Internal` if the claims
/// cannot be serialised, `Keys` if signing fails.
pub fn mint(key: &SigningKey, claims: &Claims) -> Result<String> {
    let json = serde_json::to_vec(claims)
        .map_err(|error| Error::internal(format!("cannot serialise claims: {error}")))?;
    let token = key.sign_jwt(&json)?;
    if token.len() > MAX_TOKEN_LENGTH {
        return Err(Error::invalid_input(format!(
            "the token would be {} bytes, more than the {MAX_TOKEN_LENGTH} a picoauth server \
             accepts ({} signatures are large): shorten the scope or the ids",
            token.len(),
            key.algorithm().name()
        )));
    }
    Ok(token)
}

/// The longest token this checker reads: an ML-DSA-87 token with generous claims is under
/// 8 KiB; request heads are limited to 16 KiB anyway.
const MAX_TOKEN_LENGTH: usize = 16 * 1024;

/// Checks a bearer token: algorithm, key, signature, issuer, audience and expiry.
///
/// The JWS is read here, not by a JWT library: the header must name a key of the ring by
/// `kid` and that key's own algorithm in `alg` (RS256 with an RSA key, ML-DSA with an AKP key
/// of the same parameter set, API.md §8), so no token is ever checked by an algorithm it
/// chose; `none`, HS* and every other name are refused before any key is used.
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
    let malformed = || Error::invalid_token("the token is malformed");
    if token.len() > MAX_TOKEN_LENGTH {
        return Err(malformed());
    }
    let mut parts = token.split('.');
    let (Some(encoded_header), Some(payload), Some(encoded_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(encoded_header)
        .map_err(|_| malformed())?;
    let UniqueMembers(header) = serde_json::from_slice(&header_json).map_err(|_| malformed())?;
    if header.contains_key("crit") {
        // RFC 7515 §4.1.11: a recipient that does not understand every extension `crit` lists
        // must refuse the JWS. picoauth issues none and understands none.
        return Err(Error::invalid_token(
            "the token requires extensions this server does not support (crit)",
        ));
    }
    let Some(serde_json::Value::String(alg)) = header.get("alg") else {
        return Err(malformed());
    };
    let Some(algorithm) = SigningAlgorithm::from_name(alg) else {
        return Err(Error::invalid_token(
            "the token's algorithm is not accepted",
        ));
    };
    let key = match header.get("kid") {
        Some(serde_json::Value::String(kid)) => key_ring.find(kid),
        _ => None,
    }
    .ok_or_else(|| Error::invalid_token("the token was not signed by a key of this server"))?;
    if key.algorithm() != algorithm {
        return Err(Error::invalid_token(
            "the token's algorithm is not its key's",
        ));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(encoded_signature)
        .map_err(|_| malformed())?;
    // `header.payload`: everything before the last dot.
    let signing_input = &token[..token.len() - encoded_signature.len() - 1];
    if !key.verifies(signing_input.as_bytes(), &signature) {
        return Err(Error::invalid_token("the token's signature is invalid"));
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| malformed())?;
    if claims.iss != issuer {
        return Err(Error::invalid_token(
            "the token's issuer is not this server",
        ));
    }
    if claims.aud != audience {
        return Err(Error::invalid_token("the token's audience is not accepted"));
    }
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

/// A JSON object none of whose members is named twice (a token header, RFC 7515 §4).
struct UniqueMembers(serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for UniqueMembers {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = UniqueMembers;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a JSON object without duplicate members")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> std::result::Result<UniqueMembers, A::Error> {
                let mut members = serde_json::Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    if members.contains_key(&name) {
                        return Err(serde::de::Error::custom("a member named twice"));
                    }
                    let value = access.next_value()?;
                    members.insert(name, value);
                }
                Ok(UniqueMembers(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
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
        ring_of(SigningAlgorithm::Rs256)
    }

    fn ring_of(algorithm: SigningAlgorithm) -> KeyRing {
        KeyRing::new(vec![SigningKey::generate(algorithm).unwrap().0]).unwrap()
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
                ring.active()
                    .jwk()
                    .n
                    .as_deref()
                    .unwrap_or_default()
                    .as_bytes(),
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
    fn ml_dsa_tokens_verify_and_expire_like_rs256_ones() {
        for algorithm in [SigningAlgorithm::MlDsa65, SigningAlgorithm::MlDsa87] {
            let ring = ring_of(algorithm);
            let claims = stamp().claims("fleet-1", Role::Agent).unwrap();
            let token = mint(ring.active(), &claims).unwrap();
            assert_eq!(check(&ring, &token, NOW).unwrap(), claims, "{algorithm}");
            assert!(check(&ring, &token, NOW + 900).is_err());
            let other = ring_of(algorithm);
            assert!(
                check(&other, &token, NOW).is_err(),
                "another key of {algorithm}"
            );
        }
    }

    #[test]
    fn no_token_is_checked_by_an_algorithm_other_than_its_keys() {
        let rsa = SigningKey::generate(SigningAlgorithm::Rs256).unwrap().0;
        let ml_dsa = SigningKey::generate(SigningAlgorithm::MlDsa65).unwrap().0;
        let ml_dsa_87 = SigningKey::generate(SigningAlgorithm::MlDsa87).unwrap().0;
        let (rsa_kid, ml_dsa_kid) = (rsa.kid().to_owned(), ml_dsa.kid().to_owned());
        let ring = KeyRing::new(vec![ml_dsa, rsa, ml_dsa_87]).unwrap();
        let claims =
            serde_json::to_value(stamp().claims("user-1", Role::Superadmin).unwrap()).unwrap();
        let by = |kid: &str| ring.find(kid).unwrap();
        let forge = |header: serde_json::Value, signer: &SigningKey| {
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let signature = signer.sign_raw(signing_input.as_bytes()).unwrap();
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
        };
        // Controls: each key's own tokens pass.
        for kid in [&rsa_kid, &ml_dsa_kid] {
            let key = by(kid);
            let header =
                serde_json::json!({"alg": key.algorithm().name(), "typ": "JWT", "kid": kid});
            assert!(check(&ring, &forge(header, key), NOW).is_ok(), "{kid}");
        }
        let cases = [
            // The header's alg swapped for the other key's, signatures by the named key.
            (
                serde_json::json!({"alg": "RS256", "kid": ml_dsa_kid}),
                by(&ml_dsa_kid),
            ),
            (
                serde_json::json!({"alg": "ML-DSA-65", "kid": rsa_kid}),
                by(&rsa_kid),
            ),
            (
                serde_json::json!({"alg": "ML-DSA-87", "kid": ml_dsa_kid}),
                by(&ml_dsa_kid),
            ),
            // A token of one algorithm naming the other's kid.
            (
                serde_json::json!({"alg": "ML-DSA-65", "kid": ml_dsa_kid}),
                by(&rsa_kid),
            ),
            (
                serde_json::json!({"alg": "RS256", "kid": rsa_kid}),
                by(&ml_dsa_kid),
            ),
            // Names no key, or one outside the ring.
            (serde_json::json!({"alg": "ML-DSA-65"}), by(&ml_dsa_kid)),
            (
                serde_json::json!({"alg": "ML-DSA-44", "kid": ml_dsa_kid}),
                by(&ml_dsa_kid),
            ),
            (
                serde_json::json!({"alg": "EdDSA", "kid": ml_dsa_kid}),
                by(&ml_dsa_kid),
            ),
        ];
        for (header, signer) in cases {
            let error = check(&ring, &forge(header.clone(), signer), NOW).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidToken, "{header}");
        }
        // Truncated, extended or foreign signatures.
        let header = serde_json::json!({"alg": "ML-DSA-65", "typ": "JWT", "kid": ml_dsa_kid});
        let token = forge(header, by(&ml_dsa_kid));
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        for bad in [
            signature[..signature.len() - 1].to_vec(),
            [signature.as_slice(), &[0]].concat(),
            Vec::new(),
            vec![0; signature.len()],
        ] {
            let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(bad));
            assert!(check(&ring, &forged, NOW).is_err());
        }
        assert!(check(&ring, &format!("{token}.extra"), NOW).is_err());
    }

    #[test]
    fn a_header_member_named_twice_is_refused() {
        let ring = ring();
        let kid = ring.active().kid().to_owned();
        let claims =
            serde_json::to_string(&stamp().claims("user-1", Role::Viewer).unwrap()).unwrap();
        let signed = |header: String| {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(&claims)
            );
            let signature = ring.active().sign_raw(input.as_bytes()).unwrap();
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
        };
        let plain = signed(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
        assert!(check(&ring, &plain, NOW).is_ok());
        for header in [
            format!(r#"{{"alg":"none","alg":"RS256","kid":"{kid}"}}"#),
            format!(r#"{{"alg":"RS256","kid":"x","kid":"{kid}"}}"#),
            format!(r#"{{"alg":"RS256","kid":"{kid}","x":1,"x":1}}"#),
        ] {
            let error = check(&ring, &signed(header.clone()), NOW).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidToken, "{header}");
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
