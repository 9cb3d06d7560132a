//! OAuth 2.0 machine clients (API.md §10): adding, listing, rotating and deleting them, checking
//! their secrets, minting their `client_credentials` tokens, introspection (RFC 7662) and
//! revocation of a presented token (RFC 7009).
//!
//! This module decides; the token endpoint's wire format (form bodies, HTTP Basic, RFC 6749
//! §5.2 error bodies) is `http::token`'s. Token exchange (RFC 8693) is `delegation`'s.
//!
//! # Invariants
//! - A client secret is 256 random bits, shown once and stored only as its keyed hash
//!   (`RefreshKey::client_secret_hash`, HMAC-SHA-256 under the refresh-token key, bound to the
//!   client id): a high-entropy secret needs no slow hash, and a copy of the database alone
//!   neither reveals nor recognises one.
//! - Checking a secret costs the same for an unknown client id as for a wrong secret: the hash
//!   is computed and compared (in constant time) against both stored hashes either way, and
//!   both answers are the one `invalid_client`.
//! - After a rotation the previous secret works until `previous_valid_until` and never after;
//!   only one previous secret is kept, so a second rotation ends the first one's at once.
//! - A client never holds `superadmin` (nor the account roles `org_admin` and `viewer`, nor
//!   `wallet`): its roles are [`CLIENT_ROLES`]. One leaked secret must not be every right.
//! - Client tokens carry `client_id` (= `sub`), `scope` and `scopes`, are audited like fleet
//!   tokens (`minted_by` `client:<id>`) and revocable by jti; deleting a client makes its
//!   tokens fail this server's own checks (`App::authenticate`, introspection) at once.

use serde::Serialize;

use super::{App, KeyMaterial, seconds};
use crate::config::Secret;
use crate::error::{Error, ErrorKind, OAuthError, Result};
use crate::roles::Role;
use crate::store::{OAuthClient, Revocation, UserStatus, WriteTransaction};
use crate::tokens::{Claims, TokenKind};

/// The longest client id.
pub const MAX_CLIENT_ID_LENGTH: usize = 64;
/// The most scopes one client may hold.
const MAX_SCOPES: usize = 64;
/// The longest scope.
const MAX_SCOPE_LENGTH: usize = 128;
/// A client's token lifetime when `clients add` names none.
pub const DEFAULT_CLIENT_TTL: u64 = 3600;
/// The shortest token lifetime a client may be given.
const MIN_CLIENT_TTL: u64 = 60;
/// The roles a machine client may hold (API.md §4: `service` and `agent` are the token-only
/// machine roles; `operator` lets a client revoke fleet tokens and read the audit).
pub const CLIENT_ROLES: [Role; 3] = [Role::Service, Role::Agent, Role::Operator];
/// What a client secret starts with, so that secret scanners and people can tell one apart.
const SECRET_PREFIX: &str = "pcs_";

/// What the operator asks of a new client.
#[derive(Clone, Debug, Default)]
pub struct NewClient {
    /// The id: 1 to 64 of `A-Z a-z 0-9 - . _ ~`.
    pub client_id: String,
    /// The role; `service` if not given.
    pub role: Option<String>,
    /// The scopes it may ask for, space-separated (RFC 6749 §3.3).
    pub scopes: Option<String>,
    /// Its tokens' lifetime in seconds; [`DEFAULT_CLIENT_TTL`] if not given.
    pub ttl: Option<u64>,
}

/// A token minted by the `client_credentials` grant: the RFC 6749 §5.1 response members.
#[derive(Clone, Debug, Serialize)]
pub struct ClientToken {
    /// The signed JWT.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Its lifetime in seconds.
    pub expires_in: u64,
    /// The scopes granted, space-separated (RFC 6749 §5.1: sent since it may differ from the
    /// request, here when none was asked).
    pub scope: String,
    /// Its id, for revoking it.
    #[serde(skip)]
    pub jti: String,
}

impl App {
    /// Adds a machine client and returns it with its secret, which is never shown again.
    ///
    /// # Errors
    /// `InvalidInput` for a malformed id, role, scope or lifetime (or a lifetime longer than
    /// `fleet_max_ttl`), `Conflict` if the id exists, `Keys` without the refresh-token key.
    pub fn add_client(&self, new: &NewClient, now: i64) -> Result<(OAuthClient, Secret)> {
        let client_id = checked_client_id(&new.client_id)?;
        let role =
            Role::parse(new.role.as_deref().unwrap_or("service")).map_err(Error::invalid_input)?;
        if !CLIENT_ROLES.contains(&role) {
            let names: Vec<&str> = CLIENT_ROLES.iter().map(|role| role.as_str()).collect();
            return Err(Error::invalid_input(format!(
                "a client may not hold the role `{role}` (allowed: {})",
                names.join(", ")
            )));
        }
        let scopes = checked_scopes(new.scopes.as_deref().unwrap_or(""))?;
        let ttl = new.ttl.unwrap_or(DEFAULT_CLIENT_TTL);
        let max_ttl = self.config.fleet_max_ttl.max(MIN_CLIENT_TTL);
        if !(MIN_CLIENT_TTL..=max_ttl).contains(&ttl) {
            return Err(Error::invalid_input(format!(
                "ttl must be between {MIN_CLIENT_TTL}s and fleet_max_ttl ({max_ttl}s)"
            )));
        }
        let secret = new_secret()?;
        let keys = self.keys(now)?;
        let client = OAuthClient {
            client_id: client_id.to_owned(),
            role,
            scopes,
            ttl,
            secret_hash: keys
                .refresh_key
                .client_secret_hash(client_id, secret.expose())
                .to_vec(),
            previous_secret_hash: None,
            previous_valid_until: None,
            created_at: now,
        };
        self.store
            .write(|transaction| transaction.insert_client(&client))?;
        Ok((client, secret))
    }

    /// Every machine client, by id (without secrets: only hashes are stored).
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails.
    pub fn list_clients(&self) -> Result<Vec<OAuthClient>> {
        self.store.read(|transaction| transaction.list_clients())
    }

    /// Gives a client a new secret, returned once; the current one keeps working for `grace`
    /// seconds (`client_secret_grace` if `None`; 0 ends it at once). A secret from before the
    /// last rotation stops now.
    ///
    /// # Errors
    /// `NotFound` for an unknown client, `Keys` without the refresh-token key.
    pub fn rotate_client_secret(
        &self,
        client_id: &str,
        grace: Option<u64>,
        now: i64,
    ) -> Result<Secret> {
        let grace = grace.unwrap_or(self.config.client_secret_grace);
        let secret = new_secret()?;
        let keys = self.keys(now)?;
        let secret_hash = keys
            .refresh_key
            .client_secret_hash(client_id, secret.expose());
        self.store.write(|transaction| {
            let client = transaction
                .get_client(client_id)?
                .ok_or_else(|| unknown_client(client_id))?;
            let (previous, until) = if grace == 0 {
                (None, None)
            } else {
                (
                    Some(client.secret_hash.as_slice()),
                    Some(now.saturating_add(seconds(grace))),
                )
            };
            transaction.update_client_secret(client_id, &secret_hash, previous, until)
        })?;
        Ok(secret)
    }

    /// Deletes a machine client: its secrets stop working, and its tokens fail this server's
    /// checks from the next request (resource servers that check tokens offline see them until
    /// they expire, unless they are revoked).
    ///
    /// # Errors
    /// `NotFound` for an unknown client.
    pub fn delete_client(&self, client_id: &str) -> Result<()> {
        let deleted = self
            .store
            .write(|transaction| transaction.delete_client(client_id))?;
        if deleted {
            Ok(())
        } else {
            Err(unknown_client(client_id))
        }
    }

    /// Checks a client's id and secret (RFC 6749 §2.3.1); the client if they match.
    ///
    /// # Errors
    /// `invalid_client` (401) for an unknown id and a wrong (or expired previous) secret alike,
    /// in the same time; `Keys`, `Storage` or `Unavailable` if checking is impossible.
    pub fn authenticate_client(
        &self,
        client_id: &str,
        secret: &str,
        now: i64,
    ) -> Result<OAuthClient> {
        self.check_client_secret(&*self.keys(now)?, client_id, secret, now)
    }

    /// The `client_credentials` grant in one call: [`App::authenticate_client`], then
    /// [`App::mint_client_token`], with the keys loaded once (the token endpoint's hot path).
    ///
    /// # Errors
    /// As the two.
    pub fn client_credentials(
        &self,
        client_id: &str,
        secret: &str,
        scope: Option<&str>,
        now: i64,
    ) -> Result<ClientToken> {
        let keys = self.keys(now)?;
        let client = self.check_client_secret(&keys, client_id, secret, now)?;
        self.mint_client_token_with(&keys, &client, scope, now)
    }

    /// [`App::authenticate_client`] with keys already loaded.
    fn check_client_secret(
        &self,
        keys: &KeyMaterial,
        client_id: &str,
        secret: &str,
        now: i64,
    ) -> Result<OAuthClient> {
        // Hashed before anything is looked up, whatever the id: the work is the same for an id
        // that names no client.
        let presented = keys.refresh_key.client_secret_hash(client_id, secret);
        let client = if checked_client_id(client_id).is_ok() {
            self.store
                .read(|transaction| transaction.get_client(client_id))?
        } else {
            None
        };
        let unknown = [0u8; 32];
        let current = client
            .as_ref()
            .map_or(&unknown[..], |client| &client.secret_hash[..]);
        let previous = client
            .as_ref()
            .filter(|client| client.previous_valid_until.is_some_and(|until| now < until))
            .and_then(|client| client.previous_secret_hash.as_deref())
            .unwrap_or(&unknown[..]);
        let equal = |stored: &[u8]| {
            aws_lc_rs::constant_time::verify_slices_are_equal(&presented, stored).is_ok()
        };
        // Both compared, always: which one matched takes no time of its own.
        let matched = equal(current) | equal(previous);
        match client {
            Some(client) if matched => Ok(client),
            _ => Err(Error::oauth(
                OAuthError::InvalidClient,
                "client authentication failed",
            )),
        }
    }

    /// Mints a `client_credentials` token (RFC 6749 §4.4) for an authenticated client:
    /// `scope` is the space-separated scopes asked for, each one the client's; none asked gets
    /// all of them.
    ///
    /// # Errors
    /// `invalid_scope` for a scope the client does not hold or a malformed scope, `Keys` if
    /// signing is impossible, `Storage` or `Unavailable` if the audit cannot be written.
    pub fn mint_client_token(
        &self,
        client: &OAuthClient,
        scope: Option<&str>,
        now: i64,
    ) -> Result<ClientToken> {
        self.mint_client_token_with(&*self.keys(now)?, client, scope, now)
    }

    /// [`App::mint_client_token`] with keys already loaded.
    fn mint_client_token_with(
        &self,
        keys: &KeyMaterial,
        client: &OAuthClient,
        scope: Option<&str>,
        now: i64,
    ) -> Result<ClientToken> {
        let granted = granted_scopes(&client.scopes, scope)?;
        let ttl = client.ttl.clamp(
            MIN_CLIENT_TTL,
            self.config.fleet_max_ttl.max(MIN_CLIENT_TTL),
        );
        let mut claims = self.claims(&client.client_id, client.role, now, ttl)?;
        claims.client_id = Some(client.client_id.clone());
        let scope = granted.join(" ");
        claims.scope = (!scope.is_empty()).then(|| scope.clone());
        claims.scopes = Some(granted);
        let minted_by = format!("client:{}", client.client_id);
        self.store
            .write(|transaction| self.audit_mint(transaction, &claims, &minted_by))?;
        Ok(ClientToken {
            access_token: super::sign_with(keys, &claims)?,
            token_type: "Bearer",
            expires_in: ttl,
            scope,
            jti: claims.jti,
        })
    }

    /// RFC 7662: the claims of `token` if it is an active access token of this server (signed
    /// by a key of its JWKS, its issuer and audience, not expired, not revoked, and its holder
    /// still there: a user token's account active, an agent token's user active, a client
    /// token's client not deleted);
    /// `None` for anything else, refresh tokens included (they are for the token endpoint, not
    /// for resource servers).
    ///
    /// # Errors
    /// `Keys`, `Storage` or `Unavailable` when the answer cannot be known.
    pub fn introspect(&self, token: &str, now: i64) -> Result<Option<Claims>> {
        let claims = match self.authenticate(token, now) {
            Ok(claims) => claims,
            Err(error) if error.kind() == ErrorKind::InvalidToken => return Ok(None),
            Err(error) => return Err(error),
        };
        if claims.kind() == TokenKind::Agent {
            // An agent acts for a user: like the user's own token, it is inactive once the
            // account is gone or disabled (token exchange refuses it then too).
            let user_id = claims.user_id.as_deref().unwrap_or_default();
            let user = self
                .store
                .read(|transaction| transaction.get_user_by_id(user_id))?;
            if !user.is_some_and(|user| user.status == UserStatus::Active) {
                return Ok(None);
            }
        }
        if claims.kind() == TokenKind::User {
            let active = self
                .store
                .read(|transaction| super::token_user(transaction, &claims));
            match active {
                Ok(_) => {}
                Err(error)
                    if matches!(error.kind(), ErrorKind::InvalidToken | ErrorKind::Forbidden) =>
                {
                    return Ok(None);
                }
                Err(error) => return Err(error),
            }
        }
        Ok(Some(claims))
    }

    /// RFC 7009: revokes a presented token, and the tokens exchanged from it. An access token
    /// may be revoked only by the client it was issued to (a client token's `client_id`, an
    /// agent token's acting client, its `sub`); a refresh token by whoever holds it, client or not
    /// (as the `refresh_token` grant needs no client), ending its session and the session's
    /// living access tokens. An unknown, malformed or expired token is no error (§2.2).
    ///
    /// # Errors
    /// `invalid_client` for an access token presented without client authentication,
    /// `unauthorized_client` for a valid access token issued to someone else (§2.1), `Keys`,
    /// `Storage` or `Unavailable` if revoking fails.
    pub fn revoke_presented(
        &self,
        client: Option<&OAuthClient>,
        token: &str,
        now: i64,
    ) -> Result<()> {
        let claims = match self.authenticate(token, now) {
            Ok(claims) => Some(claims),
            Err(error) if error.kind() == ErrorKind::InvalidToken => None,
            Err(error) => return Err(error),
        };
        if let Some(claims) = claims {
            let Some(client) = client else {
                return Err(Error::oauth(
                    OAuthError::InvalidClient,
                    "revoking an access token needs client authentication",
                ));
            };
            // The client it was issued to: a client token's own, an agent token's actor.
            if super::token_client(&claims) != Some(client.client_id.as_str()) {
                return Err(Error::oauth(
                    OAuthError::UnauthorizedClient,
                    "this token was not issued to this client",
                ));
            }
            let revocation = Revocation {
                jti: claims.jti.clone(),
                revoked_at: now,
                reason: "RFC 7009 revocation".to_owned(),
                revoked_by: format!("client:{}", client.client_id),
            };
            self.store.write(|transaction| {
                transaction.delete_families_of_access_token(&revocation.jti)?;
                transaction.insert_revocation(&revocation, claims.exp)?;
                // The tokens exchanged from it go too (resource servers check only their own
                // jti), as with every revocation.
                super::fleet::revoke_exchanged(transaction, &revocation)?;
                Ok(())
            })?;
            return Ok(());
        }
        // Not an access token of ours: perhaps a refresh token.
        let keys = self.keys(now)?;
        let token_hash = keys.refresh_key.hash(token);
        let revoked_by = client.map_or_else(
            || "POST /revoke".to_owned(),
            |client| format!("client:{}", client.client_id),
        );
        // Looked up in a read first: a stranger's random tokens cost no write transaction.
        let known = self
            .store
            .read(|transaction| transaction.get_refresh_token(&token_hash))?;
        if known.is_none() {
            return Ok(());
        }
        self.store.write(|transaction| {
            let Some(record) = transaction.get_refresh_token(&token_hash)? else {
                return Ok(());
            };
            self.end_session(transaction, &record.family_id, &revoked_by, now)
        })
    }

    /// Ends the refresh chain `family_id` and puts its living access tokens on the denylist.
    fn end_session(
        &self,
        transaction: &mut dyn WriteTransaction,
        family_id: &str,
        revoked_by: &str,
        now: i64,
    ) -> Result<()> {
        let tokens = transaction.list_family_access_tokens(family_id)?;
        self.revoke_living_access_tokens(
            transaction,
            tokens,
            "RFC 7009 revocation",
            revoked_by,
            now,
        )?;
        transaction.delete_family(family_id)
    }
}

/// A fresh client secret: [`SECRET_PREFIX`] and 256 random bits in base64url.
fn new_secret() -> Result<Secret> {
    use base64::Engine;
    let bytes = zeroize::Zeroizing::new(crate::keys::random_bytes::<32>()?);
    Ok(Secret::new(format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*bytes)
    )))
}

fn unknown_client(client_id: &str) -> Error {
    Error::not_found(format!("no client {client_id}"))
}

/// Checks a client id: 1 to [`MAX_CLIENT_ID_LENGTH`] of `A-Z a-z 0-9 - . _ ~` (URL-safe, so
/// it needs no encoding in HTTP Basic or a form, and reads back unambiguously).
///
/// # Errors
/// `InvalidInput`.
pub fn checked_client_id(client_id: &str) -> Result<&str> {
    let valid = (1..=MAX_CLIENT_ID_LENGTH).contains(&client_id.len())
        && client_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    if valid {
        Ok(client_id)
    } else {
        Err(Error::invalid_input(format!(
            "a client id is 1 to {MAX_CLIENT_ID_LENGTH} of A-Z a-z 0-9 - . _ ~"
        )))
    }
}

/// Whether `scope` is an RFC 6749 §3.3 scope token (`%x21 / %x23-5B / %x5D-7E`) of at most
/// [`MAX_SCOPE_LENGTH`] bytes.
fn is_scope_token(scope: &str) -> bool {
    (1..=MAX_SCOPE_LENGTH).contains(&scope.len())
        && scope.bytes().all(|byte| {
            byte == 0x21 || (0x23..=0x5b).contains(&byte) || (0x5d..=0x7e).contains(&byte)
        })
}

/// The scopes of a space-separated list, each checked, without repeats, in the order given.
///
/// # Errors
/// `InvalidInput` for a malformed scope or more than [`MAX_SCOPES`].
fn checked_scopes(text: &str) -> Result<Vec<String>> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in text.split_whitespace() {
        if !is_scope_token(scope) {
            return Err(Error::invalid_input(format!(
                "a scope is 1 to {MAX_SCOPE_LENGTH} printable ASCII characters without spaces, \
                 `\"` or `\\`"
            )));
        }
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    if scopes.len() > MAX_SCOPES {
        return Err(Error::invalid_input(format!(
            "a client holds at most {MAX_SCOPES} scopes"
        )));
    }
    Ok(scopes)
}

/// The scopes granted for a request: those asked for, each one the client holds; all of the
/// client's when none are asked (API.md §10).
///
/// # Errors
/// `invalid_scope` for a scope the client does not hold or a malformed one.
fn granted_scopes(held: &[String], asked: Option<&str>) -> Result<Vec<String>> {
    let asked = match asked.map(str::trim) {
        None | Some("") => return Ok(held.to_vec()),
        Some(asked) => asked,
    };
    let refused = || {
        Error::oauth(
            OAuthError::InvalidScope,
            "a requested scope is not granted to this client",
        )
    };
    let asked = checked_scopes(asked).map_err(|_| refused())?;
    if asked.iter().all(|scope| held.contains(scope)) {
        Ok(asked)
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    fn new_client(id: &str, scopes: &str) -> NewClient {
        NewClient {
            client_id: id.to_owned(),
            scopes: Some(scopes.to_owned()),
            ..NewClient::default()
        }
    }

    #[test]
    fn client_ids_and_scopes_are_bounded() {
        assert!(checked_client_id("billing-svc.v2_~").is_ok());
        for bad in ["", "a b", "a:b", "ä", &"x".repeat(65)] {
            assert!(checked_client_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            checked_scopes(" a  b a treasury:write:*").unwrap(),
            ["a", "b", "treasury:write:*"]
        );
        assert!(checked_scopes("a\"b").is_err());
        assert!(checked_scopes("a\\b").is_err());
        assert!(checked_scopes(&format!("x {}", "y".repeat(MAX_SCOPE_LENGTH))).is_ok());
        assert!(checked_scopes(&"y".repeat(MAX_SCOPE_LENGTH + 1)).is_err());
        let many: Vec<String> = (0..65).map(|n| format!("s{n}")).collect();
        assert!(checked_scopes(&many.join(" ")).is_err());
    }

    #[test]
    fn scopes_granted_are_a_subset_or_all() {
        let held = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(granted_scopes(&held, None).unwrap(), held);
        assert_eq!(granted_scopes(&held, Some("  ")).unwrap(), held);
        assert_eq!(granted_scopes(&held, Some("b")).unwrap(), ["b"]);
        let refused = granted_scopes(&held, Some("a c")).unwrap_err();
        assert_eq!(refused.oauth_code(), Some(OAuthError::InvalidScope));
    }

    #[test]
    fn a_secret_authenticates_its_client_only_and_rotation_has_a_grace() {
        let test = test_app("clients-secret");
        let app = &test.app;
        let (client, secret) = app.add_client(&new_client("billing", "a b"), NOW).unwrap();
        assert_eq!(client.role, Role::Service);
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        assert!(secret.expose().len() >= SECRET_PREFIX.len() + 43);
        let check = |id: &str, secret: &str, now: i64| app.authenticate_client(id, secret, now);
        assert!(check("billing", secret.expose(), NOW).is_ok());
        for (id, wrong) in [("billing", "pcs_wrong"), ("nobody", secret.expose())] {
            let refused = check(id, wrong, NOW).unwrap_err();
            assert_eq!(refused.oauth_code(), Some(OAuthError::InvalidClient));
            assert_eq!(refused.kind().http_status(), 401);
        }
        let second = app.rotate_client_secret("billing", Some(60), NOW).unwrap();
        assert!(check("billing", second.expose(), NOW).is_ok());
        assert!(
            check("billing", secret.expose(), NOW + 59).is_ok(),
            "in grace"
        );
        assert!(
            check("billing", secret.expose(), NOW + 60).is_err(),
            "grace over"
        );
        let third = app.rotate_client_secret("billing", Some(0), NOW).unwrap();
        assert!(check("billing", second.expose(), NOW).is_err(), "no grace");
        assert!(check("billing", secret.expose(), NOW).is_err());
        assert!(check("billing", third.expose(), NOW).is_ok());
        assert_eq!(
            app.rotate_client_secret("nobody", None, NOW)
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn clients_never_hold_superadmin_and_ttls_are_bounded() {
        let test = test_app("clients-add");
        let app = &test.app;
        for role in ["superadmin", "org_admin", "viewer", "wallet", "nonsense"] {
            let mut new = new_client("c", "");
            new.role = Some(role.to_owned());
            assert_eq!(
                app.add_client(&new, NOW).unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{role}"
            );
        }
        let mut long = new_client("c", "");
        long.ttl = Some(app.config().fleet_max_ttl + 1);
        assert!(app.add_client(&long, NOW).is_err());
        app.add_client(&new_client("c", ""), NOW).unwrap();
        assert_eq!(
            app.add_client(&new_client("c", ""), NOW)
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
    }

    #[test]
    fn client_tokens_carry_their_client_and_die_with_it() {
        let test = test_app("clients-token");
        let app = &test.app;
        let (client, _) = app.add_client(&new_client("billing", "a b"), NOW).unwrap();
        let token = app.mint_client_token(&client, Some("b"), NOW).unwrap();
        assert_eq!(token.scope, "b");
        assert_eq!(token.expires_in, DEFAULT_CLIENT_TTL);
        let claims = app.authenticate(&token.access_token, NOW).unwrap();
        assert_eq!(claims.kind(), TokenKind::Client);
        assert_eq!(claims.sub, "billing");
        assert_eq!(claims.client_id.as_deref(), Some("billing"));
        assert_eq!(claims.scopes, Some(vec!["b".to_owned()]));
        assert!(app.introspect(&token.access_token, NOW).unwrap().is_some());
        app.delete_client("billing").unwrap();
        assert!(app.authenticate(&token.access_token, NOW).is_err());
        assert!(app.introspect(&token.access_token, NOW).unwrap().is_none());
        assert!(app.introspect("not a token", NOW).unwrap().is_none());
    }
}
