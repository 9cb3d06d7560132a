//! Wallet sign-in (API.md §5): a challenge for anyone who asks, and a session for whoever signs
//! it with the key behind the address.
//!
//! # Invariants
//! - The identity (`sub`, `wallet_address`) is derived from the verified public key; the
//!   client's `address` is only checked against it. It is the canonical address, or with
//!   `wallet_subject = "public_key"` the lowercase hex of the key's bytes as sent; a wallet's
//!   refresh tokens are stored under that subject, so its sessions refresh to the same one.
//! - A challenge is taken out of the database by the first sign-in attempt that names it,
//!   right or wrong, in one statement, before the signature is checked: it works once.
//! - Asking for a challenge never cancels another client's pending one and is never refused
//!   for lack of room: each client (the HTTP door's client address, IPv6 by /64) may hold 1% of
//!   `max_pending_challenges`, past which it loses its own oldest; at the global bound a new
//!   challenge evicts the oldest of the client holding the most (`WriteTransaction::insert_challenge`). A flood
//!   costs the flooders their challenges, not everyone else theirs. Expired ones are pruned.
//! - Requests that are malformed (bad hex, a key of the wrong length, an unknown or disabled
//!   algorithm, an address that is not the key's) are refused before a challenge is touched.

use super::{App, sign_with};
use crate::error::{Error, Result};
use crate::keys;
use crate::roles::Role;
use crate::store::{ChallengeLimits, NewChallenge, RefreshOwner};
use crate::tokens::Claims;
use crate::wallet::{self, WalletAddress, WalletAlgorithm, address_matches};

/// One client may hold this fraction of `max_pending_challenges` (1 in 100): filling the table
/// takes at least that many clients, and even then only the largest holders lose challenges.
const CLIENT_SHARE: u64 = 100;
/// The longest `address` accepted: `0x` and the hex of an ML-DSA-65 public key.
const MAX_ADDRESS_LENGTH: usize = 2 + 2 * 1952;
/// Challenges are 64 hex characters; anything much longer is not one of ours.
const MAX_CHALLENGE_LENGTH: usize = 128;

/// A challenge handed out by `POST /challenge`.
#[derive(Clone, Debug)]
pub struct Challenge {
    /// 64 hex characters: what the wallet signs, as UTF-8 bytes.
    pub challenge: String,
    /// Seconds it stays usable.
    pub ttl: u64,
}

/// What `POST /sign-in` carries.
#[derive(Clone, Debug, Default)]
pub struct SignInRequest {
    /// The canonical address, or the public key's hex as sent.
    pub address: String,
    /// The public key, hex.
    pub public_key: String,
    /// The signature over the challenge's UTF-8 bytes, hex.
    pub signature: String,
    /// The challenge.
    pub challenge: String,
    /// The algorithm's wire name; `ML-DSA-65` if not given.
    pub algorithm: Option<String>,
}

/// A wallet's new session.
#[derive(Debug)]
pub struct WalletSession {
    /// A wallet access token (role `wallet`).
    pub access_token: String,
    /// Opaque; rotated by `/refresh`.
    pub refresh_token: String,
    /// The canonical address derived from the key.
    pub address: WalletAddress,
    /// What the tokens name the wallet by (`wallet_subject`): the canonical address, or the
    /// lowercase hex of the public key as sent. `/sign-in` answers it as `address`.
    pub subject: String,
    /// The algorithm the wallet signed with.
    pub algorithm: WalletAlgorithm,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

impl App {
    /// Hands out a fresh single-use challenge for `address` (`POST /challenge`) to `client`,
    /// the party asking (the HTTP door passes the throttle's client address, IPv6 by /64).
    ///
    /// # Errors
    /// `InvalidInput` for an address that is neither a wallet address nor a public key in hex.
    pub fn create_challenge(&self, address: &str, client: &str, now: i64) -> Result<Challenge> {
        let address = address.trim();
        if address.is_empty() {
            return Err(Error::invalid_input("address is required"));
        }
        let digits = wallet::decode_hex("address", address).unwrap_or_default();
        if address.len() > MAX_ADDRESS_LENGTH || digits.is_empty() {
            return Err(Error::invalid_input(
                "address must be a wallet address (0x and 40 hex digits) or a public key in hex",
            ));
        }
        let challenge = keys::hex(&keys::random_bytes::<32>()?);
        let ttl = self.config.challenge_ttl;
        let expires_at = now.saturating_add(super::seconds(ttl));
        let max_pending = self.config.max_pending_challenges.max(1);
        let limits = ChallengeLimits {
            max_pending,
            client_quota: (max_pending / CLIENT_SHARE).max(1),
        };
        let new = NewChallenge {
            challenge: &challenge,
            address,
            client,
            created_at: now,
            expires_at,
        };
        let evicted = self
            .store
            .write(|transaction| transaction.insert_challenge(&new, limits))?;
        if evicted.own > 0 || evicted.largest_client > 0 {
            tracing::debug!(
                client,
                own = evicted.own,
                largest_client = evicted.largest_client,
                "pending challenges evicted to stay within bounds"
            );
        }
        Ok(Challenge { challenge, ttl })
    }

    /// Signs a wallet in with a signed challenge (`POST /sign-in`).
    ///
    /// # Errors
    /// `InvalidInput` for missing fields, bad hex, a key of the wrong length, an unknown or
    /// disabled algorithm, or an address that does not match the key; `InvalidToken` for an
    /// unknown, used or expired challenge, one issued for another address, or a bad signature.
    pub fn sign_in(&self, request: &SignInRequest, now: i64) -> Result<WalletSession> {
        let algorithm = self.enabled_algorithm(request.algorithm.as_deref())?;
        for (field, value) in [
            ("address", &request.address),
            ("public_key", &request.public_key),
            ("signature", &request.signature),
            ("challenge", &request.challenge),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_input(format!("{field} is required")));
            }
        }
        let key_bytes =
            wallet::decode_hex("public_key", &request.public_key).map_err(Error::invalid_input)?;
        let key = algorithm
            .parse_key(&key_bytes)
            .map_err(Error::invalid_input)?;
        let signature =
            wallet::decode_hex("signature", &request.signature).map_err(Error::invalid_input)?;
        let address = WalletAddress::of(key.as_ref());
        if !address_matches(&request.address, &address, &request.public_key) {
            return Err(Error::invalid_input(format!(
                "address does not match the public key (its address is {address})"
            )));
        }
        let challenge = request.challenge.trim();
        let pending = if challenge.len() > MAX_CHALLENGE_LENGTH {
            None
        } else {
            self.store
                .write(|transaction| transaction.take_challenge(challenge))?
        };
        let pending = pending
            .filter(|pending| pending.expires_at > now)
            .ok_or_else(|| Error::invalid_token("unknown, used or expired challenge"))?;
        if !address_matches(&pending.address, &address, &request.public_key) {
            return Err(Error::invalid_token(
                "the challenge was issued for another address",
            ));
        }
        if !key.verify(challenge.as_bytes(), &signature) {
            return Err(Error::invalid_token("signature verification failed"));
        }
        // The refresh chain keeps the subject it started with, so a session signed in under
        // one `wallet_subject` refreshes to the same `sub` after the setting changes.
        let subject = self.config.wallet_subject.of(&address, &key_bytes);
        let claims = self.wallet_claims(&subject, algorithm, now)?;
        let owner = RefreshOwner::Wallet {
            address: subject.clone(),
            algorithm: algorithm.as_str().to_owned(),
        };
        let keys = self.keys(now)?;
        let refresh_token = self.store.write(|transaction| {
            self.audit_mint(transaction, &claims, "POST /sign-in")?;
            self.start_refresh_chain(transaction, &keys, &owner, &claims.jti, now)
        })?;
        Ok(WalletSession {
            access_token: sign_with(&keys, &claims)?,
            refresh_token,
            address,
            subject,
            algorithm,
            expires_in: self.config.access_token_ttl,
        })
    }

    /// The claims of a wallet access token (API.md §2).
    pub(super) fn wallet_claims(
        &self,
        address: &str,
        algorithm: WalletAlgorithm,
        now: i64,
    ) -> Result<Claims> {
        let mut claims = self.claims(address, Role::Wallet, now, self.config.access_token_ttl)?;
        claims.algorithm = Some(algorithm.as_str().to_owned());
        claims.wallet_address = Some(address.to_owned());
        Ok(claims)
    }

    /// The requested algorithm (ML-DSA-65 by default), if this server accepts it.
    fn enabled_algorithm(&self, requested: Option<&str>) -> Result<WalletAlgorithm> {
        let enabled = &self.config.wallet_algorithms;
        let refuse = |why: String| {
            Error::invalid_input(format!(
                "{why}; this server accepts {}",
                wallet::names(enabled)
            ))
        };
        let requested = requested
            .filter(|name| !name.trim().is_empty())
            .unwrap_or("ML-DSA-65");
        let algorithm = WalletAlgorithm::parse(requested).map_err(refuse)?;
        if !enabled.contains(&algorithm) {
            return Err(refuse(format!(
                "the wallet algorithm {algorithm} is disabled"
            )));
        }
        Ok(algorithm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};
    use crate::error::ErrorKind;
    use crate::tokens::TokenKind;

    /// The client asking, as the HTTP door names it.
    const CLIENT: &str = "192.0.2.1";

    #[test]
    fn a_flood_costs_the_flooders_their_challenges_not_others_theirs() {
        let mut test = test_app("wallet-flood");
        // Quota 1% of 300: each client may hold 3.
        test.app.config.max_pending_challenges = 300;
        let app = &test.app;
        let (public_key, sign) = ed25519_wallet(7);
        let honest = app
            .create_challenge(&public_key, "198.51.100.7", NOW)
            .unwrap()
            .challenge;
        let first_flooded = app
            .create_challenge(&public_key, "203.0.113.1", NOW)
            .unwrap();
        // 150 flooding clients, each asking five times: twice the table, never a refusal.
        for flooder in 0..150 {
            for _ in 0..5 {
                app.create_challenge(&public_key, &format!("203.0.113.{flooder}"), NOW + 1)
                    .unwrap();
            }
        }
        let signed = request(&public_key, &public_key, &honest, sign(&honest));
        assert!(
            app.sign_in(&signed, NOW + 2).is_ok(),
            "the honest client's survived"
        );
        let flooded = request(
            &public_key,
            &public_key,
            &first_flooded.challenge,
            sign(&first_flooded.challenge),
        );
        assert_eq!(
            app.sign_in(&flooded, NOW + 2).unwrap_err().kind(),
            ErrorKind::InvalidToken,
            "the flooder lost its oldest"
        );
    }

    /// An Ed25519 wallet: its public key hex and a signer.
    fn ed25519_wallet(seed: u8) -> (String, impl Fn(&str) -> String) {
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let public_key = keys::hex(signing_key.verifying_key().as_bytes());
        let sign = move |message: &str| {
            use ed25519_dalek::Signer;
            keys::hex(&signing_key.sign(message.as_bytes()).to_bytes())
        };
        (public_key, sign)
    }

    fn request(
        address: &str,
        public_key: &str,
        challenge: &str,
        signature: String,
    ) -> SignInRequest {
        SignInRequest {
            address: address.to_owned(),
            public_key: public_key.to_owned(),
            signature,
            challenge: challenge.to_owned(),
            algorithm: Some("Ed25519".to_owned()),
        }
    }

    #[test]
    fn a_signed_challenge_signs_in_once_as_the_key_s_address() {
        let test = test_app("wallet-flow");
        let app = &test.app;
        let (public_key, sign) = ed25519_wallet(1);
        let address = WalletAddress::of(
            WalletAlgorithm::Ed25519
                .parse_key(&wallet::decode_hex("k", &public_key).unwrap())
                .unwrap()
                .as_ref(),
        );
        let challenge = app.create_challenge(address.as_str(), CLIENT, NOW).unwrap();
        assert_eq!(challenge.challenge.len(), 64);
        let signed = request(
            &address.as_str().to_uppercase().replacen("0X", "0x", 1),
            &public_key,
            &challenge.challenge,
            sign(&challenge.challenge),
        );
        let session = app.sign_in(&signed, NOW + 1).unwrap();
        assert_eq!(session.address, address);
        let claims = app.authenticate(&session.access_token, NOW + 2).unwrap();
        assert_eq!(claims.kind(), TokenKind::Wallet);
        assert_eq!(claims.sub, address.as_str());
        assert_eq!(claims.algorithm.as_deref(), Some("Ed25519"));
        assert_eq!(claims.wallet_address.as_deref(), Some(address.as_str()));

        let error = app.sign_in(&signed, NOW + 2).unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidToken,
            "a challenge works once"
        );

        let refreshed = app.refresh(&session.refresh_token, NOW + 3).unwrap();
        let claims = app.authenticate(&refreshed.access_token, NOW + 3).unwrap();
        assert_eq!(claims.role, Role::Wallet);
        assert_eq!(claims.sub, address.as_str());
        let audit = app
            .mints(super::super::Actor::Cli("root"), 10, false, NOW + 3)
            .unwrap();
        assert_eq!(audit.iter().filter(|mint| mint.kind == "wallet").count(), 2);
    }

    #[test]
    fn the_public_key_hex_is_an_address_too_and_pending_challenges_coexist() {
        let test = test_app("wallet-key-address");
        let app = &test.app;
        let (public_key, sign) = ed25519_wallet(2);
        let first = app.create_challenge(&public_key, CLIENT, NOW).unwrap();
        let second = app.create_challenge(&public_key, CLIENT, NOW).unwrap();
        let signed = request(
            &public_key,
            &public_key,
            &first.challenge,
            sign(&first.challenge),
        );
        assert!(app.sign_in(&signed, NOW).is_ok());
        let signed = request(
            &public_key,
            &public_key,
            &second.challenge,
            sign(&second.challenge),
        );
        assert!(
            app.sign_in(&signed, NOW).is_ok(),
            "the second challenge was not cancelled"
        );
    }

    #[test]
    fn a_wrong_signature_burns_the_challenge_but_a_malformed_request_does_not() {
        let test = test_app("wallet-wrong");
        let app = &test.app;
        let (public_key, sign) = ed25519_wallet(3);
        let (stranger_key, _) = ed25519_wallet(4);
        let challenge = app
            .create_challenge(&public_key, CLIENT, NOW)
            .unwrap()
            .challenge;

        let mismatched = request(&stranger_key, &public_key, &challenge, sign(&challenge));
        assert_eq!(
            app.sign_in(&mismatched, NOW).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let bad_hex = request(&public_key, &public_key, &challenge, "zz".to_owned());
        assert_eq!(
            app.sign_in(&bad_hex, NOW).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let short_key = request(
            &public_key[..62],
            &public_key[..62],
            &challenge,
            sign(&challenge),
        );
        assert_eq!(
            app.sign_in(&short_key, NOW).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );

        let forged = request(&public_key, &public_key, &challenge, sign("something else"));
        assert_eq!(
            app.sign_in(&forged, NOW).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
        let honest = request(&public_key, &public_key, &challenge, sign(&challenge));
        assert_eq!(
            app.sign_in(&honest, NOW).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
    }

    #[test]
    fn challenges_expire_and_belong_to_their_address() {
        let test = test_app("wallet-expiry");
        let app = &test.app;
        let (public_key, sign) = ed25519_wallet(5);
        let (other_key, _) = ed25519_wallet(6);
        let ttl = super::super::seconds(app.config().challenge_ttl);
        let challenge = app
            .create_challenge(&public_key, CLIENT, NOW)
            .unwrap()
            .challenge;
        let late = request(&public_key, &public_key, &challenge, sign(&challenge));
        assert_eq!(
            app.sign_in(&late, NOW + ttl).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );

        let foreign = app
            .create_challenge(&other_key, CLIENT, NOW)
            .unwrap()
            .challenge;
        let stolen = request(&public_key, &public_key, &foreign, sign(&foreign));
        assert_eq!(
            app.sign_in(&stolen, NOW).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
        assert_eq!(
            app.prune(NOW + ttl).unwrap().challenges,
            0,
            "both were consumed"
        );
        app.create_challenge(&public_key, CLIENT, NOW).unwrap();
        assert_eq!(app.prune(NOW + ttl).unwrap().challenges, 1);
    }

    #[test]
    fn ml_dsa_65_is_the_default_and_disabled_algorithms_are_refused() {
        let mut test = test_app("wallet-mldsa");
        let seed = ml_dsa::Seed::from([9u8; 32]);
        let signing_key = ml_dsa::SigningKey::<ml_dsa::MlDsa65>::from_seed(&seed);
        let public_key = keys::hex(&signing_key.expanded_key().verifying_key().encode());
        let challenge = test
            .app
            .create_challenge(&public_key, CLIENT, NOW)
            .unwrap()
            .challenge;
        let signature = signing_key
            .expanded_key()
            .sign_deterministic(challenge.as_bytes(), &[])
            .unwrap();
        let mut signed = request(
            &public_key,
            &public_key,
            &challenge,
            keys::hex(&signature.encode()),
        );
        signed.algorithm = None;
        let session = test.app.sign_in(&signed, NOW).unwrap();
        assert_eq!(session.algorithm, WalletAlgorithm::MlDsa65);

        test.app.config.wallet_algorithms = vec![WalletAlgorithm::Secp256k1];
        let error = test.app.sign_in(&signed, NOW).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.detail().contains("secp256k1"), "{error}");
        let error = test.app.refresh(&session.refresh_token, NOW).unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidToken,
            "the algorithm was disabled"
        );
    }
}
