//! What the operator's commands ask the core before they act, and the core's verdict on a
//! token: whether a jti names a token this deployment knows (`picoauth revoke`), whether an
//! account could be created before its password is asked for (`picoauth users add`), and what
//! the server would make of a token now (`picoauth inspect`).
//!
//! None of this is reachable over HTTP: `POST /revoke` keeps accepting any jti, idempotently
//! (API.md §3), because a resource server may need to revoke a token picoauth never audited.
//! The verdict is not a second checker: it runs the HTTP door's own checks
//! ([`App::authenticate`], and for user tokens the account rules of `token_user`), and only
//! when they refuse does it find out why, by asking `tokens::verify` again with one condition
//! relaxed at a time (its own issuer and audience, a `now` just before `exp`).
//!
//! # Invariants
//! - A refused revoke writes nothing: every jti of the command is checked (its fields, and that
//!   the deployment knows it) before any is revoked, and all are revoked in one transaction.
//! - Token text is decoded for display only; nothing decoded without verification decides
//!   whether a token is accepted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{Actor, App, accounts, fleet, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::SigningAlgorithm;
use crate::roles::Role;
use crate::store::{MintRecord, Revocation};
use crate::tokens::{self, Claims};

/// The longest token text inspected or accepted in place of a jti; the HTTP door's header
/// limit (16 KiB) bounds real tokens well below it.
const MAX_TOKEN_LENGTH: usize = 16 * 1024;

/// What this deployment knows of a jti an operator names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KnownToken {
    /// The mint audit has it.
    Audited(Box<MintRecord>),
    /// Not audited, but the access token of a refresh session that has not ended.
    SessionAccessToken,
    /// Neither, but on the denylist already: revoking it again changes nothing.
    AlreadyRevoked,
    /// Nothing knows it: a typo, a placeholder, or a token shorter-lived than
    /// `mint_audit_min_ttl`.
    Unknown,
}

/// One entry written (or found) by [`App::revoke_known`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorRevocation {
    /// The denylist entry: the `/revoke` object.
    pub revocation: Revocation,
    /// What the deployment knew of the jti before revoking it.
    pub known: KnownToken,
    /// Whether this call added the entry; `false` if it was revoked before.
    pub added: bool,
}

/// Why the server would refuse a token; `code()` is the stable name `inspect --json` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Not a compact JWS, or its header or claims are not what picoauth issues.
    Malformed,
    /// An `alg` picoauth does not sign with (`none` and HS* included), or not its key's.
    Algorithm,
    /// A kid this deployment never had (another deployment's key), or no kid.
    UnknownKey,
    /// Signed by a key of this deployment that has been retired from the JWKS.
    RetiredKey,
    /// The signature does not match the key the kid names.
    BadSignature,
    /// Another issuer's token.
    ForeignIssuer,
    /// Issued for another audience.
    ForeignAudience,
    /// `exp` has passed.
    Expired,
    /// The jti is on the denylist.
    Revoked,
    /// A user token whose account was deleted.
    AccountDeleted,
    /// A user token whose account is disabled.
    AccountDisabled,
    /// Refused by a rule not named above; the detail says which.
    Refused,
}

impl Rejection {
    /// The stable machine-readable name.
    pub fn code(self) -> &'static str {
        match self {
            Rejection::Malformed => "malformed",
            Rejection::Algorithm => "algorithm",
            Rejection::UnknownKey => "unknown_key",
            Rejection::RetiredKey => "retired_key",
            Rejection::BadSignature => "bad_signature",
            Rejection::ForeignIssuer => "foreign_issuer",
            Rejection::ForeignAudience => "foreign_audience",
            Rejection::Expired => "expired",
            Rejection::Revoked => "revoked",
            Rejection::AccountDeleted => "account_deleted",
            Rejection::AccountDisabled => "account_disabled",
            Rejection::Refused => "refused",
        }
    }
}

/// What [`App::inspect_token`] found.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The header as sent, if it decodes to a JSON object (unverified).
    pub header: Option<Map<String, Value>>,
    /// The claims as sent, if they decode to a JSON object (unverified).
    pub claims: Option<Map<String, Value>>,
    /// The header's `kid`.
    pub kid: Option<String>,
    /// That key's state here: `active`, `grace`, `retired`, or `unknown` to this deployment.
    pub key_state: Option<&'static str>,
    /// The denylist entry of the claims' jti, if it is revoked.
    pub revocation: Option<Revocation>,
    /// The audit entry of the claims' jti, if the audit has it.
    pub mint: Option<MintRecord>,
    /// `None` if the server would accept the token now; else why not, and a sentence.
    pub rejection: Option<(Rejection, String)>,
}

impl App {
    /// What this deployment knows of `jti`: the audit, a live session, the denylist.
    ///
    /// # Errors
    /// `Storage`/`Unavailable` if the database fails.
    pub fn known_token(&self, jti: &str, now: i64) -> Result<KnownToken> {
        self.store.read(|transaction| {
            if let Some(record) = transaction.get_mint(jti)? {
                return Ok(KnownToken::Audited(Box::new(record)));
            }
            if transaction.has_live_session_of_access_token(jti, now)? {
                return Ok(KnownToken::SessionAccessToken);
            }
            if transaction.get_revocation(jti)?.is_some() {
                return Ok(KnownToken::AlreadyRevoked);
            }
            Ok(KnownToken::Unknown)
        })
    }

    /// Revokes the tokens an operator names (`picoauth revoke`), each by jti or as a whole
    /// token (whose jti is taken), refusing every one of them if any is unknown to this
    /// deployment, unless `force`: a typo or a placeholder must not land on the denylist while
    /// the real token stays live. Tokens living less than `mint_audit_min_ttl` are not audited,
    /// which is what `force` is for.
    ///
    /// # Errors
    /// `NotFound` (nothing written) for an unknown jti without `force`, `InvalidInput`
    /// (nothing written) for a token whose payload has no jti or a jti or reason `revoke`
    /// refuses, and as [`App::revoke`]; any error writes nothing.
    pub fn revoke_known(
        &self,
        actor: Actor<'_>,
        targets: &[String],
        reason: Option<&str>,
        force: bool,
        now: i64,
    ) -> Result<Vec<OperatorRevocation>> {
        // Every target is checked whole (its fields as `revoke` checks them, then whether
        // this deployment knows it) before anything is written, and all are written in one
        // transaction: the command revokes every jti or none.
        let mut checked = Vec::with_capacity(targets.len());
        for target in targets {
            let jti = jti_of(target)?;
            let revocation = fleet::checked_revocation(actor, &jti, reason, now)?;
            let known = self.known_token(&revocation.jti, now)?;
            if known == KnownToken::Unknown && !force {
                return Err(self.unknown_jti(&revocation.jti, targets.len()));
            }
            checked.push((revocation, known));
        }
        self.store.write(|transaction| {
            let mut revoked = Vec::with_capacity(checked.len());
            for (revocation, known) in &checked {
                let before = transaction.get_revocation(&revocation.jti)?;
                let revocation = self.write_revocation(transaction, actor, revocation, now)?;
                revoked.push(OperatorRevocation {
                    added: before.is_none(),
                    revocation,
                    known: known.clone(),
                });
            }
            Ok(revoked)
        })
    }

    /// Checks what `users add` can check before it asks for a password: the email's syntax,
    /// that no account has it yet, the role, the display name and the organisation id.
    ///
    /// # Errors
    /// `InvalidInput` for a bad email, role, name or organisation id, `Conflict` if the email
    /// is taken.
    pub fn check_new_user(
        &self,
        email: &str,
        role: &str,
        display_name: Option<&str>,
        org_id: Option<&str>,
    ) -> Result<()> {
        let email = accounts::normalise_email(email)?;
        Role::parse_user_role(role).map_err(Error::invalid_input)?;
        accounts::check_display_name(display_name.unwrap_or(""))?;
        org_id.map(super::check_org_id).transpose()?;
        let taken = self
            .store
            .read(|transaction| transaction.get_user_by_email(&email))?
            .is_some();
        if taken {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("an account with the email {email} exists already"),
            ));
        }
        Ok(())
    }

    /// Decodes `token` and says whether this server would accept it at `now` as a bearer
    /// token, and if not, why: the same checks as every authenticated request.
    ///
    /// # Errors
    /// `Keys` if no signing key can be loaded, `Storage`/`Unavailable` if the database fails.
    /// A token that does not pass is not an error: it is a [`Rejection`].
    pub fn inspect_token(&self, token: &str, now: i64) -> Result<Inspection> {
        let token = token.trim();
        let (header, claims) = if token.len() > MAX_TOKEN_LENGTH {
            (None, None)
        } else {
            (decode_part(token, 0), decode_part(token, 1))
        };
        let kid = text_member(header.as_ref(), "kid");
        let key_state = match &kid {
            Some(kid) => Some(
                self.list_keys(now)?
                    .into_iter()
                    .find(|key| &key.kid == kid)
                    .map_or("unknown", |key| key.state),
            ),
            None => None,
        };
        let jti = text_member(claims.as_ref(), "jti").filter(|jti| jti.len() <= MAX_TOKEN_LENGTH);
        let (revocation, mint) = match &jti {
            Some(jti) => self.store.read(|transaction| {
                Ok((transaction.get_revocation(jti)?, transaction.get_mint(jti)?))
            })?,
            None => (None, None),
        };
        let mut inspection = Inspection {
            header,
            claims,
            kid,
            key_state,
            revocation,
            mint,
            rejection: None,
        };
        inspection.rejection = self.rejection(token, &inspection, now)?;
        Ok(inspection)
    }

    /// Why the server would refuse `token`, or `None` if it would accept it.
    fn rejection(
        &self,
        token: &str,
        inspection: &Inspection,
        now: i64,
    ) -> Result<Option<(Rejection, String)>> {
        let refused = match self.authenticate(token, now) {
            Ok(claims) => {
                // What `/me` and every right of a user token also require: the account.
                if claims.kind() != tokens::TokenKind::User {
                    return Ok(None);
                }
                match self
                    .store
                    .read(|transaction| token_user(transaction, &claims))
                {
                    Ok(_) => return Ok(None),
                    Err(error) if error.kind() == ErrorKind::Forbidden => {
                        return Ok(Some((
                            Rejection::AccountDisabled,
                            error.detail().to_owned(),
                        )));
                    }
                    Err(error) if error.kind() == ErrorKind::InvalidToken => {
                        return Ok(Some((Rejection::AccountDeleted, error.detail().to_owned())));
                    }
                    Err(error) => return Err(error),
                }
            }
            Err(error) if error.kind() == ErrorKind::InvalidToken => error,
            Err(error) => return Err(error),
        };
        let detail = refused.detail().to_owned();
        let Some(header) = &inspection.header else {
            return Ok(Some((Rejection::Malformed, detail)));
        };
        let alg = header.get("alg").and_then(Value::as_str);
        if alg.and_then(SigningAlgorithm::from_name).is_none() {
            return Ok(Some((Rejection::Algorithm, detail)));
        }
        match (&inspection.kid, inspection.key_state) {
            (Some(kid), Some("retired")) => {
                return Ok(Some((
                    Rejection::RetiredKey,
                    format!(
                        "the token was signed by {kid}, a key of this deployment that has been retired"
                    ),
                )));
            }
            (Some(kid), Some("unknown")) => {
                return Ok(Some((
                    Rejection::UnknownKey,
                    format!("the token was signed by {kid}, a key this deployment does not know"),
                )));
            }
            (None, _) => {
                return Ok(Some((
                    Rejection::UnknownKey,
                    "the token names no key (no kid)".to_owned(),
                )));
            }
            _ => {}
        }
        let Some(claims) = inspection
            .claims
            .clone()
            .and_then(|claims| serde_json::from_value::<Claims>(Value::Object(claims)).ok())
        else {
            return Ok(Some((Rejection::Malformed, detail)));
        };
        let key_ring = &self.keys(now)?.key_ring;
        if let Some(key) = inspection.kid.as_deref().and_then(|kid| key_ring.find(kid))
            && Some(key.algorithm().name()) != alg
        {
            return Ok(Some((
                Rejection::Algorithm,
                format!(
                    "the token says alg {} but its key {} is {}",
                    alg.unwrap_or_default(),
                    key.kid(),
                    key.algorithm()
                ),
            )));
        }
        let config = &self.config;
        if tokens::verify(key_ring, token, &config.issuer, &config.audience, now).is_ok() {
            // `authenticate` adds only the denylist to what `verify` checks.
            return Ok(Some((Rejection::Revoked, detail)));
        }
        // Relax issuer, audience and time at once: what still fails is the token itself.
        let before_expiry = claims.exp.saturating_sub(1);
        if let Err(error) = tokens::verify(key_ring, token, &claims.iss, &claims.aud, before_expiry)
        {
            let rejection = if error.detail().contains("signature") {
                Rejection::BadSignature
            } else {
                Rejection::Refused
            };
            return Ok(Some((rejection, error.detail().to_owned())));
        }
        if claims.iss != config.issuer {
            return Ok(Some((
                Rejection::ForeignIssuer,
                format!(
                    "the token's issuer {:?} is not this server's {:?}",
                    claims.iss, config.issuer
                ),
            )));
        }
        if claims.aud != config.audience {
            return Ok(Some((
                Rejection::ForeignAudience,
                format!(
                    "the token's audience {:?} is not {:?}",
                    claims.aud, config.audience
                ),
            )));
        }
        if claims.exp <= now {
            return Ok(Some((
                Rejection::Expired,
                "the token has expired".to_owned(),
            )));
        }
        Ok(Some((Rejection::Refused, detail)))
    }

    /// The refusal of an unknown jti, with the hint that fits it.
    fn unknown_jti(&self, jti: &str, n_targets: usize) -> Error {
        let nothing = if n_targets > 1 {
            "nothing was revoked (not even the other jtis)"
        } else {
            "nothing was revoked"
        };
        let why = if looks_like_jti(jti) {
            format!(
                "{jti} is not in the mint audit nor the access token of a live session; {nothing}. \
                 Check it with `picoauth list-mints --json` or `picoauth inspect <token>`; tokens \
                 living less than mint_audit_min_ttl ({}s) are never audited: use --force to \
                 revoke a token that was never audited",
                self.config.mint_audit_min_ttl
            )
        } else {
            format!(
                "{jti:?} is not in the mint audit, and does not look like a jti: jtis picoauth \
                 issues are 32 hex characters; {nothing}. Take the jti from `picoauth list-mints \
                 --json` or `picoauth inspect <token>`, or use --force to revoke it anyway"
            )
        };
        Error::not_found(why)
    }
}

/// The jti an operator means by `target`: the `jti` claim of a whole token, else the text.
fn jti_of(target: &str) -> Result<String> {
    let target = target.trim();
    if target.len() <= MAX_TOKEN_LENGTH
        && let Some(claims) = decode_part(target, 1)
    {
        return text_member(Some(&claims), "jti")
            .ok_or_else(|| Error::invalid_input("the token given has no jti claim"));
    }
    Ok(target.to_owned())
}

/// Whether `jti` has the shape of the jtis picoauth issues: 32 lowercase hex characters.
fn looks_like_jti(jti: &str) -> bool {
    jti.len() == 32
        && jti
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Part `index` of a compact JWS (RFC 7515 §7.1) decoded as a JSON object, unverified.
fn decode_part(token: &str, index: usize) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    if token.split('.').count() != 3 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(parts.nth(index)?).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// A string member of a decoded JSON object.
fn text_member(object: Option<&Map<String, Value>>, name: &str) -> Option<String> {
    object?.get(name)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::FleetTokenRequest;
    use crate::app::testing::{NOW, test_app};

    fn fleet(app: &App, ttl: u64) -> crate::app::FleetToken {
        let request = FleetTokenRequest {
            session_id: "s".into(),
            agent_id: "a".into(),
            ttl: Some(ttl),
            ..FleetTokenRequest::default()
        };
        app.mint_fleet_token(Actor::Cli("root"), &request, NOW)
            .unwrap()
    }

    fn rejection(app: &App, token: &str, now: i64) -> Option<Rejection> {
        app.inspect_token(token, now)
            .unwrap()
            .rejection
            .map(|(rejection, _)| rejection)
    }

    #[test]
    fn unknown_jtis_are_refused_and_nothing_is_written() {
        let test = test_app("revoke-known");
        let app = &test.app;
        let cli = Actor::Cli("root");
        let audited = fleet(app, 3600);
        let targets = [
            audited.jti.clone(),
            "0123456789abcdef0123456789abcdef".into(),
        ];
        let error = app
            .revoke_known(cli, &targets, None, false, NOW)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert!(error.detail().contains("--force"), "{}", error.detail());
        assert!(app.revocations(cli, 0, NOW).unwrap().is_empty());
        // A target `revoke` would refuse (too long, a hidden character) refuses them all, even
        // with --force and behind a good one.
        for bad in ["f".repeat(300), "abc\u{202E}def".to_owned()] {
            let with_bad = [audited.jti.clone(), bad];
            let error = app
                .revoke_known(cli, &with_bad, None, true, NOW)
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(app.revocations(cli, 0, NOW).unwrap().is_empty());
        }
        let error = app
            .revoke_known(cli, &targets, Some("bad\u{7}reason"), true, NOW)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(app.revocations(cli, 0, NOW).unwrap().is_empty());
        let error = app
            .revoke_known(cli, &["<jti>".to_owned()], None, false, NOW)
            .unwrap_err();
        assert!(
            error.detail().contains("32 hex characters"),
            "{}",
            error.detail()
        );

        let done = app.revoke_known(cli, &targets, None, true, NOW).unwrap();
        assert!(matches!(&done[0].known, KnownToken::Audited(record) if record.exp == audited.exp));
        assert_eq!(done[1].known, KnownToken::Unknown);
        assert!(done.iter().all(|entry| entry.added));
        // Known now (on the denylist), and revoking again adds nothing.
        let again = app
            .revoke_known(cli, &targets[1..], None, false, NOW + 1)
            .unwrap();
        assert_eq!(again[0].known, KnownToken::AlreadyRevoked);
        assert!(!again[0].added);
        // A whole token names its jti.
        let whole = fleet(app, 3600);
        let done = app
            .revoke_known(cli, &[whole.session_token], None, false, NOW)
            .unwrap();
        assert_eq!(done[0].revocation.jti, whole.jti);
    }

    #[test]
    fn short_lived_session_access_tokens_are_known() {
        let mut test = test_app("revoke-session");
        test.app.config.mint_audit_min_ttl = 3600;
        let app = &test.app;
        let session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let jti = app.authenticate(&session.access_token, NOW).unwrap().jti;
        assert_eq!(
            app.known_token(&jti, NOW).unwrap(),
            KnownToken::SessionAccessToken
        );
    }

    #[test]
    fn the_verdict_names_why() {
        let test = test_app("inspect");
        let app = &test.app;
        let token = fleet(app, 3600);
        let inspection = app.inspect_token(&token.session_token, NOW).unwrap();
        assert!(inspection.rejection.is_none());
        assert_eq!(inspection.key_state, Some("active"));
        assert_eq!(
            inspection.mint.map(|mint| mint.jti),
            Some(token.jti.clone())
        );
        assert_eq!(
            rejection(app, &token.session_token, token.exp),
            Some(Rejection::Expired)
        );
        assert_eq!(rejection(app, "garbage", NOW), Some(Rejection::Malformed));
        // A character well inside the signature: every bit of it counts (the last one's low
        // bits are padding, and changing those would make the base64 invalid instead).
        let mut tampered = token.session_token.clone().into_bytes();
        let inside = tampered.len() - 10;
        tampered[inside] = if tampered[inside] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            rejection(app, &tampered, NOW),
            Some(Rejection::BadSignature)
        );
        app.revoke(Actor::Cli("root"), &token.jti, None, NOW)
            .unwrap();
        assert_eq!(
            rejection(app, &token.session_token, NOW),
            Some(Rejection::Revoked)
        );
    }

    #[test]
    fn user_tokens_need_their_account() {
        let test = test_app("inspect-account");
        let app = &test.app;
        let session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        assert_eq!(rejection(app, &session.access_token, NOW), None);
        app.set_status(
            Actor::Cli("root"),
            "ada@example.com",
            crate::store::UserStatus::Disabled,
        )
        .unwrap();
        assert_eq!(
            rejection(app, &session.access_token, NOW),
            Some(Rejection::AccountDisabled)
        );
    }
}
