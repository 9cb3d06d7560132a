//! Fleet tokens, revocation and the mint audit: what CI pipelines and on-call operators touch.
//!
//! # Invariants
//! - The fleet secret is compared in constant time against every configured secret; with none
//!   configured, fleet minting over HTTP does not exist (404).
//! - The fleet secret mints only `fleet_allowed_roles`; the CLI, which holds the keys, may mint
//!   any role. Both get a lifetime clamped to [60 s, `fleet_max_ttl`].
//! - Revoking is idempotent: the first entry (time, reason, who) stays.
//! - Listing and revoking are confined to the caller's reach ([`TokenReach`]): the CLI and
//!   superadmins reach every token; an org_admin its organisation's user tokens and fleet and
//!   wallet tokens; an operator fleet and wallet tokens and its own. A superadmin's tokens
//!   (minted with the role, or of an account that is a superadmin today) are reached only by
//!   the CLI and superadmins. A jti outside the reach is answered 404, exactly like a jti the
//!   audit does not know; only the CLI and superadmins revoke jtis the audit does not know.
//! - Revoking an access token of a user or wallet session also deletes that session's refresh
//!   chain, in the same transaction.
//! - A revocation is kept until the token it names has expired: its `exp` from the audit, or,
//!   for a jti the audit does not know, the longest lifetime any token of this server can have.

use std::sync::Arc;

use serde::Serialize;

use super::{Actor, App, seconds, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::{MintRecord, MintSelection, ReadTransaction, Revocation, WriteTransaction};
use crate::tokens::TokenKind;

/// The shortest lifetime a fleet token is given.
const MIN_FLEET_TTL: u64 = 60;
/// The longest identifiers (session, agent, jti) accepted.
const MAX_ID_LENGTH: usize = 256;
/// The longest scope or revocation reason accepted.
const MAX_TEXT_LENGTH: usize = 1024;
/// The most audit rows one listing returns.
const MAX_MINTS_LIMIT: u32 = 1000;

/// Who may revoke tokens and read the mint audit (API.md §3).
const OPERATORS: [Role; 3] = [Role::Superadmin, Role::OrgAdmin, Role::Operator];
/// Who may read the denylist: the operators and resource servers' `service` tokens.
const DENYLIST_READERS: [Role; 4] = [
    Role::Service,
    Role::Superadmin,
    Role::OrgAdmin,
    Role::Operator,
];

/// What a caller asks of a fleet token.
#[derive(Clone, Debug, Default)]
pub struct FleetTokenRequest {
    /// The session the token is for; becomes `sub` and `session_id`.
    pub session_id: String,
    /// The agent holding the session.
    pub agent_id: String,
    /// The role; `agent` if not given.
    pub role: Option<String>,
    /// The wanted lifetime in seconds; `fleet_session_ttl` if not given (or zero).
    pub ttl: Option<u64>,
    /// What the token is for, free text.
    pub scope: Option<String>,
}

/// A minted fleet token: the `POST /fleet/sessions` body, which `mint-fleet --json` prints too.
#[derive(Clone, Debug, Serialize)]
pub struct FleetToken {
    /// The signed JWT.
    pub session_token: String,
    /// When it expires, Unix seconds.
    pub exp: i64,
    /// Its id, for revoking it.
    pub jti: String,
    /// The lifetime granted after clamping, in seconds.
    #[serde(skip)]
    pub ttl: u64,
}

impl App {
    /// Checks the `X-Fleet-Secret` a caller presented.
    ///
    /// # Errors
    /// `NotFound` while no fleet secret is configured (the endpoint is off), `Unauthorized`
    /// for a missing or wrong secret.
    pub fn check_fleet_secret(&self, presented: Option<&str>) -> Result<()> {
        let secrets = &self.config.fleet_mint_secrets;
        if secrets.is_empty() {
            return Err(Error::not_found(
                "fleet minting is off: no fleet_mint_secret is configured",
            ));
        }
        let wrong = || Error::new(ErrorKind::Unauthorized, "missing or wrong X-Fleet-Secret");
        let presented = presented.ok_or_else(wrong)?;
        // Comparing digests makes every comparison the same length; checking every secret
        // without stopping early keeps the time independent of which one matched.
        let digest =
            |text: &str| aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
        let presented = digest(presented);
        let mut matched = false;
        for secret in secrets {
            let equal = aws_lc_rs::constant_time::verify_slices_are_equal(
                presented.as_ref(),
                digest(secret.expose()).as_ref(),
            )
            .is_ok();
            matched |= equal;
        }
        if matched { Ok(()) } else { Err(wrong()) }
    }

    /// Mints a fleet token and records it in the audit (API.md §2 fleet tokens).
    ///
    /// # Errors
    /// `InvalidInput` for missing or oversized fields or a role the actor may not mint,
    /// `Forbidden` for an actor that is neither the CLI nor the fleet secret, `Keys` if signing
    /// is impossible.
    pub fn mint_fleet_token(
        &self,
        actor: Actor<'_>,
        request: &FleetTokenRequest,
        now: i64,
    ) -> Result<FleetToken> {
        let session_id = required_text("session_id", &request.session_id, MAX_ID_LENGTH)?;
        let agent_id = required_text("agent_id", &request.agent_id, MAX_ID_LENGTH)?;
        let scope = match request.scope.as_deref() {
            Some(scope) if !scope.is_empty() => {
                Some(required_text("scope", scope, MAX_TEXT_LENGTH)?)
            }
            _ => None,
        };
        let role = Role::parse(request.role.as_deref().unwrap_or("agent"))
            .map_err(Error::invalid_input)?;
        match actor {
            Actor::Cli(_) => {}
            Actor::FleetSecret if self.config.fleet_allowed_roles.contains(&role) => {}
            Actor::FleetSecret => {
                let allowed: Vec<&str> = self
                    .config
                    .fleet_allowed_roles
                    .iter()
                    .map(|role| role.as_str())
                    .collect();
                return Err(Error::invalid_input(format!(
                    "the fleet secret may not mint role `{role}` (allowed: {})",
                    allowed.join(", ")
                )));
            }
            Actor::Token(_) => {
                return Err(Error::forbidden(
                    "fleet tokens are minted with the fleet secret or the CLI",
                ));
            }
        }
        let ttl = match request.ttl {
            None | Some(0) => self.config.fleet_session_ttl,
            Some(ttl) => ttl,
        }
        .clamp(MIN_FLEET_TTL, self.config.fleet_max_ttl.max(MIN_FLEET_TTL));
        let mut claims = self.claims(session_id, role, now, ttl)?;
        claims.session_id = Some(session_id.to_owned());
        claims.agent_id = Some(agent_id.to_owned());
        claims.scope = scope.map(str::to_owned);
        // The list form, which pico-client-auth's `@requires_scope` reads (issue 15).
        claims.scopes = scope.map(|scope| scope.split_whitespace().map(str::to_owned).collect());
        // Each field within its bound is not enough: with `scope` twice (as text and as a
        // list) the longest fields made an ML-DSA-87 token past the 16 KiB request head, a
        // token its own server refused (431). The bound token exchange uses keeps it under.
        let size = serde_json::to_vec(&claims)
            .map_err(|error| Error::internal(format!("cannot serialise claims: {error}")))?
            .len();
        let max = super::delegation::MAX_CLAIMS_BYTES;
        if size > max {
            return Err(Error::invalid_input(format!(
                "the fleet token would be too large ({size} bytes of claims, at most {max}): shorten session_id, agent_id or scope"
            )));
        }
        // Signed first, so that a token too large to be accepted leaves no audit row; handed
        // out only once audited.
        let session_token = self.sign(&claims)?;
        self.store
            .write(|transaction| self.audit_mint(transaction, &claims, &actor.audit_name()))?;
        Ok(FleetToken {
            session_token,
            exp: claims.exp,
            jti: claims.jti,
            ttl,
        })
    }

    /// Puts a jti on the denylist; revoking it again returns the first entry unchanged.
    ///
    /// # Errors
    /// `Forbidden` unless the actor is an operator (superadmin, org_admin, operator) or the CLI,
    /// `NotFound` for a jti outside the actor's reach or, for all but the CLI and superadmins,
    /// unknown to the audit, `InvalidInput` for an empty or oversized jti or reason.
    pub fn revoke(
        &self,
        actor: Actor<'_>,
        jti: &str,
        reason: Option<&str>,
        now: i64,
    ) -> Result<Revocation> {
        let revocation = checked_revocation(actor, jti, reason, now)?;
        self.store
            .write(|transaction| self.write_revocation(transaction, actor, &revocation, now))
    }

    /// Writes a revocation checked by [`checked_revocation`] inside `transaction`: the reach
    /// check, the session's refresh chain, the denylist entry. `picoauth revoke` calls it once
    /// per jti in one transaction, so a refused jti leaves nothing of the others behind.
    ///
    /// # Errors
    /// As [`App::revoke`], except the field checks, which come first.
    pub(super) fn write_revocation(
        &self,
        transaction: &mut dyn WriteTransaction,
        actor: Actor<'_>,
        revocation: &Revocation,
        now: i64,
    ) -> Result<Revocation> {
        let jti = revocation.jti.as_str();
        let unknown_until = now.saturating_add(seconds(self.config.longest_token_ttl()));
        let reach = token_reach(transaction, actor)?;
        // Outside the caller's reach and unknown to the audit get the same answer, so the
        // answer tells nothing of other organisations' tokens.
        if let Some(selections) = reach.selections()
            && !transaction.is_mint_in(jti, &selections)?
        {
            return Err(Error::not_found(format!(
                "no token {jti} that you may revoke in the mint audit"
            )));
        }
        let expires_at = transaction.get_mint_exp(jti)?.unwrap_or(unknown_until);
        // Revoking an access token ends the session it came from, for good: its refresh
        // chain goes now, not just while the denylist entry lasts.
        transaction.delete_families_of_access_token(jti)?;
        let stored = transaction.insert_revocation(revocation, expires_at)?;
        revoke_exchanged(transaction, revocation)?;
        Ok(stored)
    }

    /// The denylist: entries revoked at or after `since` whose tokens have not expired yet,
    /// newest first.
    ///
    /// # Errors
    /// `Forbidden` unless the actor is a `service` token, an operator or the CLI.
    pub fn revocations(&self, actor: Actor<'_>, since: i64, now: i64) -> Result<Vec<Revocation>> {
        self.store.read(|transaction| {
            self.require_role(transaction, actor, &DENYLIST_READERS)?;
            transaction.list_revocations(since, now)
        })
    }

    /// The denylist as the JSON body of `GET /revoked-jtis` (`{"items": [...]}`), entries
    /// revoked at or after `since`. The whole list (`since` 0, what resource servers poll every
    /// few seconds) is served from memory while the table's version is unchanged: at 100,000
    /// entries, reading and serialising it costs far more than checking one version number.
    /// Entries of tokens that expired since the last prune may be listed until the next one (at
    /// most a minute); they name dead tokens.
    ///
    /// # Errors
    /// `Forbidden` unless the actor is a `service` token, an operator or the CLI.
    pub fn denylist_json(&self, actor: Actor<'_>, since: i64, now: i64) -> Result<Arc<[u8]>> {
        let serialise = |items: Vec<Revocation>| -> Result<Arc<[u8]>> {
            serde_json::to_vec(&serde_json::json!({ "items": items }))
                .map(Arc::from)
                .map_err(|error| Error::internal(format!("cannot serialise the denylist: {error}")))
        };
        self.store.read(|transaction| {
            self.require_role(transaction, actor, &DENYLIST_READERS)?;
            if since > 0 {
                return serialise(transaction.list_revocations(since, now)?);
            }
            let version = transaction.get_revocations_version()?;
            let mut cache = self
                .denylist_cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((cached_version, json)) = cache.as_ref()
                && *cached_version == version
            {
                return Ok(Arc::clone(json));
            }
            // Read after the version: a change in between makes the next call read again.
            let json = serialise(transaction.list_revocations(0, now)?)?;
            *cache = Some((version, Arc::clone(&json)));
            Ok(json)
        })
    }

    /// The newest `limit` (at most 1000) entries of the mint audit within the actor's reach;
    /// with `active`, only tokens that are neither expired nor revoked.
    ///
    /// # Errors
    /// `Forbidden` unless the actor is an operator or the CLI.
    pub fn mints(
        &self,
        actor: Actor<'_>,
        limit: u32,
        active: bool,
        now: i64,
    ) -> Result<Vec<MintRecord>> {
        let limit = limit.min(MAX_MINTS_LIMIT);
        self.store.read(|transaction| {
            let reach = token_reach(transaction, actor)?;
            let selections = reach
                .selections()
                .unwrap_or_else(|| vec![MintSelection::All]);
            transaction.list_mints(&selections, limit, active.then_some(now))
        })
    }
}

/// The most tokens exchanged from one revoked jti that its revocation puts on the denylist
/// with it. Past it, picoauth still refuses them (each carries its chain's jtis, which every
/// check reads), but resource servers, which read only a token's own jti in the denylist,
/// would not see the rest.
pub(super) const MAX_REVOKED_DESCENDANTS: u32 = 10_000;

/// Puts the live tokens exchanged from `revocation.jti` (RFC 8693 token exchange, found by
/// `parent_jti` in the audit, down the whole chain) on the denylist too, in the revocation's
/// transaction, naming the parent in the reason: resource servers running pico-client-auth
/// check only a token's own jti against the denylist they poll.
pub(super) fn revoke_exchanged(
    transaction: &mut dyn WriteTransaction,
    revocation: &Revocation,
) -> Result<usize> {
    let descendants = Revocation {
        jti: revocation.jti.clone(),
        revoked_at: revocation.revoked_at,
        reason: format!("exchanged from revoked {}", revocation.jti),
        revoked_by: revocation.revoked_by.clone(),
    };
    transaction.revoke_descendants(
        &descendants,
        crate::config::MAX_DELEGATION_DEPTH,
        MAX_REVOKED_DESCENDANTS,
    )
}

/// Whose tokens an actor may list in the mint audit and revoke (API.md §3 names the roles;
/// which tokens each reaches follows who administers whom, `app::users`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenReach {
    /// Every token, including jtis the audit does not know: the CLI and superadmins.
    All,
    /// An org_admin: user tokens of its organisation's accounts that are not superadmins, and
    /// fleet and wallet tokens.
    Organisation(String),
    /// An operator (or a fleet token with the org_admin or operator role, which belongs to no
    /// organisation): fleet and wallet tokens, and the account's own user tokens.
    Fleet {
        /// The operator's account; `None` for a fleet token.
        own_account: Option<String>,
    },
}

impl TokenReach {
    /// The parts of the audit this reach covers; `None` for everything.
    fn selections(&self) -> Option<Vec<MintSelection<'_>>> {
        match self {
            TokenReach::All => None,
            TokenReach::Organisation(org_id) => Some(vec![
                MintSelection::Organisation(org_id),
                MintSelection::Unowned,
            ]),
            TokenReach::Fleet { own_account } => {
                let mut selections = vec![MintSelection::Unowned];
                if let Some(user_id) = own_account {
                    selections.push(MintSelection::Account(user_id));
                }
                Some(selections)
            }
        }
    }
}

/// The reach of `actor`; rights of user tokens come from the account as it is today.
///
/// # Errors
/// `Forbidden` for the fleet secret and for roles other than superadmin, org_admin, operator.
fn token_reach(transaction: &mut dyn ReadTransaction, actor: Actor<'_>) -> Result<TokenReach> {
    let refused = || {
        let names: Vec<&str> = OPERATORS.iter().map(|role| role.as_str()).collect();
        Error::forbidden(format!("this needs one of the roles {}", names.join(", ")))
    };
    let claims = match actor {
        Actor::Cli(_) => return Ok(TokenReach::All),
        Actor::FleetSecret => return Err(refused()),
        Actor::Token(claims) => claims,
    };
    if claims.kind() == TokenKind::User {
        let user = token_user(transaction, claims)?;
        return match user.role {
            Role::Superadmin => Ok(TokenReach::All),
            Role::OrgAdmin => Ok(TokenReach::Organisation(user.org_id)),
            Role::Operator => Ok(TokenReach::Fleet {
                own_account: Some(user.id),
            }),
            _ => Err(refused()),
        };
    }
    match claims.role {
        Role::Superadmin => Ok(TokenReach::All),
        Role::OrgAdmin | Role::Operator => Ok(TokenReach::Fleet { own_account: None }),
        _ => Err(refused()),
    }
}

/// The denylist entry `actor` asks for, its fields checked (a jti of at most 256 characters, a
/// reason of at most 1024, neither with control or format characters); nothing is written.
///
/// # Errors
/// `InvalidInput` for an empty or oversized jti or reason.
pub(super) fn checked_revocation(
    actor: Actor<'_>,
    jti: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<Revocation> {
    let jti = required_text("jti", jti, MAX_ID_LENGTH)?;
    let reason = match reason {
        Some(reason) if !reason.is_empty() => required_text("reason", reason, MAX_TEXT_LENGTH)?,
        _ => "",
    };
    Ok(Revocation {
        jti: jti.to_owned(),
        revoked_at: now,
        reason: reason.to_owned(),
        revoked_by: actor.audit_name(),
    })
}

/// Checks a required text field: present, not longer than `max` characters, no control or
/// format characters ([`super::is_hidden_char`]).
fn required_text<'a>(field: &str, value: &'a str, max: usize) -> Result<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("{field} is required")));
    }
    if value.chars().count() > max || value.chars().any(super::is_hidden_char) {
        return Err(Error::invalid_input(format!(
            "{field} must be at most {max} characters, without control or format characters"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    fn request(role: &str, ttl: Option<u64>) -> FleetTokenRequest {
        FleetTokenRequest {
            session_id: "session-1".into(),
            agent_id: "agent-1".into(),
            role: Some(role.into()),
            ttl,
            scope: None,
        }
    }

    #[test]
    fn format_characters_are_refused_like_control_characters() {
        let spoofs = [
            "agent\u{202E}1-tnega",
            "agent\u{200B}-1",
            "\u{FEFF}agent-1",
            "agent\u{2066}-1\u{2069}",
            "agent\u{00AD}-1",
            "agent\u{E0041}",
            "agent\u{2028}-1",
            "agent\u{7}-1",
        ];
        for spoof in spoofs {
            let refused = required_text("agent_id", spoof, MAX_ID_LENGTH).unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{spoof:?}");
            let refused = crate::app::accounts::check_display_name(spoof).unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{spoof:?}");
            let email = format!("{spoof}@example.com");
            assert!(
                crate::app::accounts::normalise_email(&email).is_err(),
                "{spoof:?}"
            );
        }
        for fine in ["agent-1", "Zoë Ørsted", "日本語", "مرحبا", "deploy 🚀"] {
            assert_eq!(
                required_text("agent_id", fine, MAX_ID_LENGTH).unwrap(),
                fine
            );
            assert_eq!(
                crate::app::accounts::check_display_name(fine).unwrap(),
                fine
            );
        }
        let test = test_app("fleet-format");
        let mut spoofing = request("agent", None);
        spoofing.scope = Some("deploy\u{202E}lanretni".into());
        let refused = test
            .app
            .mint_fleet_token(Actor::Cli("root"), &spoofing, NOW)
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidInput);
        let refused = test
            .app
            .revoke(Actor::Cli("root"), "jti", Some("why\u{200F}"), NOW)
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn fleet_lifetimes_are_clamped() {
        let test = test_app("fleet-clamp");
        let app = &test.app;
        let cli = Actor::Cli("root");
        assert_eq!(
            app.mint_fleet_token(cli, &request("agent", Some(1)), NOW)
                .unwrap()
                .ttl,
            60
        );
        assert_eq!(
            app.mint_fleet_token(cli, &request("agent", None), NOW)
                .unwrap()
                .ttl,
            86400
        );
        let longest = app
            .mint_fleet_token(cli, &request("agent", Some(u64::MAX)), NOW)
            .unwrap();
        assert_eq!(longest.ttl, app.config().fleet_max_ttl);
        assert_eq!(longest.exp, NOW + seconds(app.config().fleet_max_ttl));
    }

    #[test]
    fn the_fleet_secret_mints_only_allowed_roles_and_the_cli_any() {
        let test = test_app("fleet-roles");
        let app = &test.app;
        let error = app
            .mint_fleet_token(Actor::FleetSecret, &request("operator", None), NOW)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            app.mint_fleet_token(Actor::FleetSecret, &request("service", None), NOW)
                .is_ok()
        );
        assert!(
            app.mint_fleet_token(Actor::Cli("root"), &request("operator", None), NOW)
                .is_ok()
        );
    }

    #[test]
    fn revocations_are_idempotent_and_pruned_once_the_token_is_dead() {
        let test = test_app("revoke");
        let app = &test.app;
        let cli = Actor::Cli("root");
        let token = app
            .mint_fleet_token(cli, &request("agent", Some(3600)), NOW)
            .unwrap();
        let first = app
            .revoke(cli, &token.jti, Some("leaked"), NOW + 5)
            .unwrap();
        let again = app
            .revoke(
                Actor::Cli("someone-else"),
                &token.jti,
                Some("again"),
                NOW + 9,
            )
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(first.revoked_by, "cli:root");
        // A jti the audit does not know is kept for the longest lifetime a token can have.
        app.revoke(cli, "not-audited", None, NOW).unwrap();
        let longest = seconds(app.config().longest_token_ttl());

        let listed = |now| app.revocations(cli, 0, now).unwrap().len();
        assert_eq!(listed(NOW + 3599), 2);
        assert_eq!(app.prune(NOW + 3600).unwrap().revocations, 1);
        assert_eq!(listed(NOW + 3600), 1);
        assert_eq!(app.prune(NOW + longest).unwrap().revocations, 1);
        assert_eq!(listed(NOW + longest), 0);
    }

    #[test]
    fn the_audit_of_expired_tokens_is_pruned_after_the_retention() {
        let mut test = test_app("audit-retention");
        let cli = Actor::Cli("root");
        let token = test
            .app
            .mint_fleet_token(cli, &request("agent", Some(3600)), NOW)
            .unwrap();
        let retention = seconds(test.app.config().mint_audit_retention);
        assert_eq!(retention, 90 * 86400, "the default");
        let listed = |app: &App| app.mints(cli, 10, false, NOW).unwrap().len();
        assert_eq!(test.app.prune(NOW + 3600).unwrap().mints, 0);
        assert_eq!(test.app.prune(token.exp + retention - 1).unwrap().mints, 0);
        assert_eq!(listed(&test.app), 1, "kept while within the retention");
        assert_eq!(test.app.prune(token.exp + retention).unwrap().mints, 1);
        assert_eq!(listed(&test.app), 0);

        test.app.config.mint_audit_retention = 0;
        let token = test
            .app
            .mint_fleet_token(cli, &request("agent", Some(3600)), NOW)
            .unwrap();
        assert_eq!(
            test.app.prune(token.exp - 1).unwrap().mints,
            0,
            "still live"
        );
        assert_eq!(
            test.app.prune(token.exp).unwrap().mints,
            1,
            "0: gone at expiry"
        );
    }

    #[test]
    fn the_cached_denylist_follows_every_change() {
        let test = test_app("denylist-cache");
        let app = &test.app;
        let cli = Actor::Cli("root");
        let listed = |now| -> Vec<String> {
            let json = app.denylist_json(cli, 0, now).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
            value["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["jti"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(listed(NOW).is_empty());
        app.revoke(cli, "first", None, NOW).unwrap();
        assert_eq!(listed(NOW), ["first"]);
        assert_eq!(listed(NOW), ["first"], "served again from the cache");
        app.revoke(cli, "second", None, NOW + 1).unwrap();
        assert_eq!(listed(NOW + 1), ["second", "first"]);
        let longest = seconds(app.config().longest_token_ttl());
        app.prune(NOW + longest + 1).unwrap();
        assert!(
            listed(NOW + longest + 1).is_empty(),
            "pruning invalidates it too"
        );
    }

    #[test]
    fn since_filters_and_newest_come_first() {
        let test = test_app("since");
        let app = &test.app;
        let cli = Actor::Cli("root");
        for (jti, at) in [("a", NOW), ("b", NOW + 10), ("c", NOW + 20)] {
            app.revoke(cli, jti, None, at).unwrap();
        }
        let jtis = |since| -> Vec<String> {
            app.revocations(cli, since, NOW + 30)
                .unwrap()
                .into_iter()
                .map(|entry| entry.jti)
                .collect()
        };
        assert_eq!(jtis(0), ["c", "b", "a"]);
        assert_eq!(jtis(NOW + 10), ["c", "b"]);
        assert_eq!(jtis(NOW + 21), Vec::<String>::new());
    }

    #[test]
    fn the_audit_lists_newest_first_and_knows_what_is_active() {
        let test = test_app("audit");
        let app = &test.app;
        let cli = Actor::Cli("root");
        let short = app
            .mint_fleet_token(cli, &request("agent", Some(60)), NOW)
            .unwrap();
        let long = app
            .mint_fleet_token(cli, &request("agent", Some(7200)), NOW)
            .unwrap();
        let revoked = app
            .mint_fleet_token(cli, &request("agent", Some(7200)), NOW)
            .unwrap();
        app.revoke(cli, &revoked.jti, None, NOW).unwrap();
        let all = app.mints(cli, 10, false, NOW + 100).unwrap();
        // The 60 s token is shorter than mint_audit_min_ttl (5 min) and is not audited.
        let jtis: Vec<&str> = all.iter().map(|record| record.jti.as_str()).collect();
        assert_eq!(jtis, [revoked.jti.as_str(), long.jti.as_str()]);
        assert!(all[0].revoked && !all[1].revoked);
        assert!(!jtis.contains(&short.jti.as_str()));
        let active = app.mints(cli, 10, true, NOW + 100).unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].jti, long.jti);
        assert_eq!(active[0].minted_by, "cli:root");
        assert!(app.mints(cli, 10, true, NOW + 7200).unwrap().is_empty());
    }

    #[test]
    fn secrets_are_checked_against_each_configured_one() {
        let mut test = test_app("secret");
        assert_eq!(
            test.app.check_fleet_secret(Some("x")).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        test.app.config.fleet_mint_secrets = vec![
            crate::config::Secret::new("old-secret"),
            crate::config::Secret::new("new-secret"),
        ];
        let app = &test.app;
        assert!(app.check_fleet_secret(Some("old-secret")).is_ok());
        assert!(app.check_fleet_secret(Some("new-secret")).is_ok());
        for wrong in [Some("new-secre"), Some(""), None] {
            assert_eq!(
                app.check_fleet_secret(wrong).unwrap_err().kind(),
                ErrorKind::Unauthorized
            );
        }
    }
}
