//! RFC 8693 token exchange (API.md §10): an agent, authenticated as an OAuth client (the
//! actor), trades a user's access token, or a parent agent's, for an agent token that holds
//! at most what both the subject and the client hold.
//!
//! The HTTP door (the token endpoint) authenticates the client and parses the form; this
//! module checks the subject token, applies the narrowing rules and mints. It does not render
//! RFC 6749 errors: it returns [`Error::oauth`] codes for the door to render.
//!
//! # Narrowing rules (each a pure function below, unit-tested)
//! - Scopes: every requested pattern is covered ([`scopes::covers`]) by the subject's scopes
//!   (a user token: what `agent_scopes` grants the account's role today; an agent token: its
//!   `scopes`, and again what its user's role grants today) and by the client's own scopes;
//!   without `scope`, the token gets the intersection of those sets, and an empty
//!   intersection is `invalid_scope`.
//! - `exp` ≤ the subject's `exp` and ≤ now + the client's token lifetime.
//! - `spend_limit` (a decimal string, compared exactly, never as a float) ≤ the subject's; a
//!   child of a limited token asking none inherits the parent's.
//! - Depth: `parent_chain` (the client ids that delegated before) has one entry per earlier
//!   exchange, so a token's depth is `len(parent_chain) + 1`, at most `max_delegation_depth`.
//! - The task context (`task_type`, `task_id`, `conversation_id`, `session_id`) is inherited
//!   from a parent agent token and may not be changed by a child (a new `task_id` would open a
//!   new budget at resource servers that count spending per task); it may be set where the
//!   parent had none.
//!
//! # Invariants
//! - The subject token passes exactly the checks of a bearer token (signature, `iss`, `aud`,
//!   `exp`, the denylist for its own jti and every jti it was exchanged from, and for an agent
//!   token its acting client still existing), the denylist read inside the write transaction
//!   that audits the new token: a revocation of a parent either commits first (and the
//!   exchange is refused) or finds the new token in the audit (and revokes it too).
//! - Only user tokens and agent tokens are subjects; wallet, fleet and client-credentials
//!   tokens act for no user and are refused (`invalid_request`).
//! - Every exchanged token is written to the mint audit, whatever its lifetime, with its
//!   parent's jti (`parent_jti`), before it is signed.
//! - Every agent token carries the jtis of its chain (`parent_jtis`, one per hop, so at most
//!   `max_delegation_depth`), which `App::authenticate` checks with its own in one read.

use super::{App, is_hidden_char, seconds, sign_with};
use crate::error::{Error, OAuthError, Result};
use crate::roles::Role;
use crate::scopes;
use crate::store::{MintRecord, UserStatus};
use crate::tokens::{self, ActClaim, Claims, TokenKind};

/// The only `subject_token_type` accepted (RFC 8693 §3).
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The most scopes one exchange may ask for.
const MAX_REQUESTED_SCOPES: usize = 100;
/// The longest task context value (`task_type`, `task_id`, `conversation_id`, `session_id`).
const MAX_CONTEXT_LENGTH: usize = 256;
/// The longest `spend_limit` accepted, in characters.
const MAX_SPEND_LIMIT_LENGTH: usize = 64;
/// The largest claims (JSON bytes) an agent token may carry: with an ML-DSA-87 signature and
/// base64, the token stays under the 16 KiB that every checker of picoauth's reads.
pub(crate) const MAX_CLAIMS_BYTES: usize = 7 * 1024;

/// The authenticated client that exchanges a token: the actor of RFC 8693 §1.1.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The client's id; the new token's `sub`, and its `act.sub`.
    pub client_id: &'a str,
    /// The client's role; the new token's `role`.
    pub role: Role,
    /// The scope patterns the client holds.
    pub scopes: &'a [String],
    /// The client's token lifetime in seconds.
    pub ttl: u64,
}

/// The token-exchange parameters of the form (RFC 8693 §2.1, API.md §10).
#[derive(Clone, Debug, Default)]
pub struct ExchangeRequest {
    /// The user's (or a parent agent's) access token.
    pub subject_token: String,
    /// Must be [`ACCESS_TOKEN_TYPE`].
    pub subject_token_type: Option<String>,
    /// Space-separated scope patterns asked for; the intersection when absent.
    pub scope: Option<String>,
    /// What kind of task the agent runs.
    pub task_type: Option<String>,
    /// The task.
    pub task_id: Option<String>,
    /// The conversation.
    pub conversation_id: Option<String>,
    /// The session.
    pub session_id: Option<String>,
    /// The task's budget, a decimal string.
    pub spend_limit: Option<String>,
}

/// An exchanged token, as the token endpoint answers it (RFC 8693 §2.2.1).
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The signed agent token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Its scopes, space-separated.
    pub scope: String,
}

impl App {
    /// Exchanges `request.subject_token` for an agent token of `actor` (RFC 8693), narrowed by
    /// the rules of this module, and records it in the mint audit with its parent's jti.
    ///
    /// # Errors
    /// [`Error::oauth`] with `invalid_request` for a missing or unsupported
    /// `subject_token_type`; a bad, expired, revoked or foreign subject token, or one that is
    /// neither a user's nor an agent's, or whose account is gone or disabled; a malformed or
    /// higher `spend_limit`; a malformed or changed task context; a chain that would be too
    /// deep, or claims too large for a token. `invalid_scope` for a malformed scope or one the subject or the client does not
    /// hold (or none in common). `unauthorized_client` for a superadmin client. `Keys`,
    /// `Storage`, `Unavailable` as every mint.
    pub fn exchange_token(
        &self,
        actor: Actor<'_>,
        request: ExchangeRequest,
        now: i64,
    ) -> Result<IssuedToken> {
        if actor.role == Role::Superadmin {
            return Err(Error::oauth(
                OAuthError::UnauthorizedClient,
                "a superadmin client may not act for users",
            ));
        }
        match request.subject_token_type.as_deref() {
            Some(ACCESS_TOKEN_TYPE) => {}
            Some(_) => {
                return Err(invalid_request(format!(
                    "subject_token_type must be {ACCESS_TOKEN_TYPE}"
                )));
            }
            None => return Err(invalid_request("subject_token_type is required")),
        }
        let asked = Asked::parse(&request)?;
        // Loaded once, before the write transaction: the subject is checked and the new token
        // signed with the same keys.
        let keys = self.keys(now)?;
        let subject = tokens::verify(
            &keys.key_ring,
            &request.subject_token,
            &self.config.issuer,
            &self.config.audience,
            now,
        )
        .map_err(|error| invalid_request(format!("subject_token: {}", error.detail())))?;
        let kind = subject.kind();
        // A user token names its account's email; client-credentials tokens, which look like
        // user tokens otherwise, act for nobody.
        let is_user = kind == TokenKind::User && subject.email.is_some();
        if !(is_user || kind == TokenKind::Agent) {
            return Err(invalid_request(
                "subject_token must be a user's or an agent's access token",
            ));
        }
        let claims = self.store.write(|transaction| {
            if transaction.is_any_revoked(&subject.chain_jtis())? {
                return Err(invalid_request("subject_token: the token has been revoked"));
            }
            // An agent subject dies with its acting client, as at every door (`authenticate`).
            if super::client_gone(transaction, &subject)? {
                return Err(invalid_request(
                    "subject_token: the client of this token was deleted",
                ));
            }
            let user_id = match kind {
                TokenKind::Agent => subject.user_id.as_deref().unwrap_or_default(),
                _ => subject.sub.as_str(),
            };
            let user = transaction
                .get_user_by_id(user_id)?
                .filter(|user| user.status == UserStatus::Active)
                .ok_or_else(|| {
                    invalid_request("subject_token: its account no longer exists or is disabled")
                })?;
            let role_scopes = self.config.agent_scopes_of(user.role);
            let parent = Parent::of(&subject, kind)?;
            let held: Vec<(&str, &[String])> = match kind {
                TokenKind::Agent => vec![
                    ("the subject token", parent.scopes),
                    ("the account's role (agent_scopes)", role_scopes),
                    ("the client", actor.scopes),
                ],
                _ => vec![
                    ("the account's role (agent_scopes)", role_scopes),
                    ("the client", actor.scopes),
                ],
            };
            let grant = delegate(
                &parent,
                &held,
                &actor,
                &asked,
                self.config.max_delegation_depth,
                now,
            )?;
            let mut claims = self.claims(actor.client_id, actor.role, now, 0)?;
            claims.exp = grant.exp;
            claims.org_id = Some(user.org_id.clone());
            claims.user_id = Some(user.id.clone());
            claims.scope = Some(grant.scopes.join(" "));
            claims.scopes = Some(grant.scopes);
            claims.task_type = grant.context.task_type;
            claims.task_id = grant.context.task_id;
            claims.conversation_id = grant.context.conversation_id;
            claims.session_id = grant.context.session_id;
            claims.spend_limit = grant.spend_limit;
            claims.parent_chain = Some(grant.parent_chain);
            claims.parent_jtis = Some(grant.parent_jtis);
            claims.act = Some(grant.act);
            let size = serde_json::to_vec(&claims)
                .map_err(|error| Error::internal(format!("cannot serialise claims: {error}")))?
                .len();
            if size > MAX_CLAIMS_BYTES {
                return Err(invalid_request(format!(
                    "the agent token would be too large ({size} bytes of claims, at most \
                     {MAX_CLAIMS_BYTES}): ask for fewer scopes"
                )));
            }
            // Every exchanged token, however short-lived: revoking its parent must find it.
            transaction.insert_mint(&MintRecord {
                id: 0,
                jti: claims.jti.clone(),
                kind: "agent".to_owned(),
                sub: claims.sub.clone(),
                role: claims.role.as_str().to_owned(),
                org_id: claims.org_id.clone(),
                iat: claims.iat,
                exp: claims.exp,
                scope: claims.scope.clone(),
                agent_id: None,
                session_id: claims.session_id.clone(),
                minted_by: format!("client:{}", actor.client_id),
                revoked: false,
                parent_jti: Some(subject.jti.clone()),
            })?;
            Ok(claims)
        })?;
        Ok(IssuedToken {
            access_token: sign_with(&keys, &claims)?,
            expires_in: u64::try_from(claims.exp.saturating_sub(now)).unwrap_or(0),
            scope: claims.scope.clone().unwrap_or_default(),
        })
    }
}

/// An `invalid_request` error (RFC 8693 §2.2.2 uses it for a bad subject token too).
fn invalid_request(detail: impl Into<String>) -> Error {
    Error::oauth(OAuthError::InvalidRequest, detail)
}

/// An `invalid_scope` error.
fn invalid_scope(detail: impl Into<String>) -> Error {
    Error::oauth(OAuthError::InvalidScope, detail)
}

/// The task context an agent token carries, each member optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Context {
    task_type: Option<String>,
    task_id: Option<String>,
    conversation_id: Option<String>,
    session_id: Option<String>,
}

/// What the request asks for, its fields checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Asked {
    /// The scopes, if any were asked (minimal, sorted).
    scopes: Option<Vec<String>>,
    /// The spend limit as given, with its parsed value.
    spend_limit: Option<(String, Amount)>,
    /// The task context asked for.
    context: Context,
}

impl Asked {
    /// Checks the request's fields: scopes (`invalid_scope`), spend limit and context
    /// (`invalid_request`). An empty value is taken as absent.
    fn parse(request: &ExchangeRequest) -> Result<Asked> {
        let present = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let scopes = match present(&request.scope) {
            Some(scope) => Some(parse_scope(&scope)?),
            None => None,
        };
        let spend_limit = match present(&request.spend_limit) {
            Some(text) => {
                let amount = Amount::parse(&text).map_err(invalid_request)?;
                Some((text, amount))
            }
            None => None,
        };
        let context_value = |field: &str, value: &Option<String>| -> Result<Option<String>> {
            let Some(value) = present(value) else {
                return Ok(None);
            };
            if value.chars().count() > MAX_CONTEXT_LENGTH || value.chars().any(is_hidden_char) {
                return Err(invalid_request(format!(
                    "{field} must be at most {MAX_CONTEXT_LENGTH} characters, without control or \
                     format characters"
                )));
            }
            Ok(Some(value))
        };
        Ok(Asked {
            scopes,
            spend_limit,
            context: Context {
                task_type: context_value("task_type", &request.task_type)?,
                task_id: context_value("task_id", &request.task_id)?,
                conversation_id: context_value("conversation_id", &request.conversation_id)?,
                session_id: context_value("session_id", &request.session_id)?,
            },
        })
    }
}

/// Parses RFC 6749 §3.3's space-separated `scope` into checked patterns (minimal, sorted).
///
/// # Errors
/// `invalid_scope` for a pattern outside the grammar or too many of them.
fn parse_scope(scope: &str) -> Result<Vec<String>> {
    let patterns: Vec<String> = scope
        .split(' ')
        .filter(|pattern| !pattern.is_empty())
        .map(str::to_owned)
        .collect();
    if patterns.len() > MAX_REQUESTED_SCOPES {
        return Err(invalid_scope(format!(
            "at most {MAX_REQUESTED_SCOPES} scopes may be asked for"
        )));
    }
    for pattern in &patterns {
        scopes::check(pattern).map_err(invalid_scope)?;
    }
    Ok(scopes::minimal(patterns))
}

/// What the subject token gives the new one to narrow.
#[derive(Clone, Debug)]
struct Parent<'a> {
    /// The subject's jti.
    jti: &'a str,
    /// The subject's expiry.
    exp: i64,
    /// An agent subject's scopes (a user subject's come from `agent_scopes`, not the token).
    scopes: &'a [String],
    /// An agent subject's spend limit.
    spend_limit: Option<(String, Amount)>,
    /// An agent subject's task context.
    context: Context,
    /// For an agent subject: its `parent_chain`, its `parent_jtis`, its client id and its
    /// `act`; `None` for a user subject.
    agent: Option<ParentAgent<'a>>,
}

/// The delegation members of an agent subject.
#[derive(Clone, Debug)]
struct ParentAgent<'a> {
    /// Its client id (`sub`).
    client_id: &'a str,
    /// Its `parent_chain`.
    parent_chain: &'a [String],
    /// Its `parent_jtis`.
    parent_jtis: &'a [String],
    /// Its `act`.
    act: Option<&'a ActClaim>,
}

impl<'a> Parent<'a> {
    /// Reads the subject's members.
    ///
    /// # Errors
    /// `invalid_request` for an agent token whose spend limit does not parse (none of ours).
    fn of(subject: &'a Claims, kind: TokenKind) -> Result<Parent<'a>> {
        if kind != TokenKind::Agent {
            return Ok(Parent {
                jti: &subject.jti,
                exp: subject.exp,
                scopes: &[],
                spend_limit: None,
                context: Context::default(),
                agent: None,
            });
        }
        let spend_limit = match &subject.spend_limit {
            Some(text) => Some((
                text.clone(),
                Amount::parse(text)
                    .map_err(|why| invalid_request(format!("subject_token: {why}")))?,
            )),
            None => None,
        };
        Ok(Parent {
            jti: &subject.jti,
            exp: subject.exp,
            scopes: subject.scopes.as_deref().unwrap_or_default(),
            spend_limit,
            context: Context {
                task_type: subject.task_type.clone(),
                task_id: subject.task_id.clone(),
                conversation_id: subject.conversation_id.clone(),
                session_id: subject.session_id.clone(),
            },
            agent: Some(ParentAgent {
                client_id: &subject.sub,
                parent_chain: subject.parent_chain.as_deref().unwrap_or_default(),
                parent_jtis: subject.parent_jtis.as_deref().unwrap_or_default(),
                act: subject.act.as_ref(),
            }),
        })
    }
}

/// What the new token is granted.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Grant {
    scopes: Vec<String>,
    exp: i64,
    spend_limit: Option<String>,
    context: Context,
    parent_chain: Vec<String>,
    parent_jtis: Vec<String>,
    act: ActClaim,
}

/// Applies every narrowing rule: what `actor` may be given, exchanging `parent` (whose scopes
/// are the intersection of `held`, each named for the error), asking `asked`.
///
/// # Errors
/// `invalid_scope` for a scope some holder lacks or an empty intersection; `invalid_request`
/// for a spend limit above the parent's, a changed task context, a chain past `max_depth`, or a
/// token that would be born expired.
fn delegate(
    parent: &Parent<'_>,
    held: &[(&str, &[String])],
    actor: &Actor<'_>,
    asked: &Asked,
    max_depth: u32,
    now: i64,
) -> Result<Grant> {
    let scopes = narrow_scopes(held, asked.scopes.as_deref())?;
    let exp = parent.exp.min(now.saturating_add(seconds(actor.ttl)));
    if exp <= now {
        return Err(invalid_request(
            "the token would expire at once (the client's token lifetime is zero)",
        ));
    }
    let spend_limit = narrow_spend_limit(parent.spend_limit.as_ref(), asked.spend_limit.as_ref())?;
    let context = narrow_context(&parent.context, &asked.context)?;
    let (parent_chain, parent_jtis, act) = match &parent.agent {
        None => (
            Vec::new(),
            vec![parent.jti.to_owned()],
            ActClaim {
                sub: actor.client_id.to_owned(),
                act: None,
            },
        ),
        Some(agent) => {
            let mut chain = agent.parent_chain.to_vec();
            chain.push(agent.client_id.to_owned());
            let mut jtis = agent.parent_jtis.to_vec();
            jtis.push(parent.jti.to_owned());
            // RFC 8693 §4.1: the current actor outermost, the earlier ones nested inside.
            let previous = agent.act.cloned().unwrap_or_else(|| ActClaim {
                sub: agent.client_id.to_owned(),
                act: None,
            });
            let act = ActClaim {
                sub: actor.client_id.to_owned(),
                act: Some(Box::new(previous)),
            };
            (chain, jtis, act)
        }
    };
    let depth = parent_chain.len() + 1;
    if depth > usize::try_from(max_depth).unwrap_or(usize::MAX) {
        return Err(invalid_request(format!(
            "the delegation chain would be {depth} exchanges deep; max_delegation_depth is \
             {max_depth}"
        )));
    }
    Ok(Grant {
        scopes,
        exp,
        spend_limit,
        context,
        parent_chain,
        parent_jtis,
        act,
    })
}

/// The scopes granted: those asked, if each is covered by every holder; otherwise the
/// intersection of the holders' sets, which must not be empty.
///
/// # Errors
/// `invalid_scope` naming the scope and the holder that lacks it, or saying that the holders
/// share none.
fn narrow_scopes(held: &[(&str, &[String])], asked: Option<&[String]>) -> Result<Vec<String>> {
    if let Some(asked) = asked {
        for scope in asked {
            if let Some((holder, _)) = held
                .iter()
                .find(|(_, patterns)| !scopes::any_covers(patterns, scope))
            {
                return Err(invalid_scope(format!(
                    "scope `{scope}` is not held by {holder}"
                )));
            }
        }
        return Ok(asked.to_vec());
    }
    let mut common: Option<Vec<String>> = None;
    for (_, patterns) in held {
        common = Some(match common {
            None => scopes::minimal(patterns.to_vec()),
            Some(common) => scopes::intersection(&common, patterns),
        });
    }
    let common = common.unwrap_or_default();
    if common.is_empty() {
        let holders: Vec<&str> = held.iter().map(|(holder, _)| *holder).collect();
        return Err(invalid_scope(format!(
            "{} hold no scope in common",
            holders.join(" and ")
        )));
    }
    Ok(common)
}

/// The spend limit granted: the one asked, if not above the parent's; the parent's when none
/// is asked.
///
/// # Errors
/// `invalid_request` for a limit above the parent's.
fn narrow_spend_limit(
    parent: Option<&(String, Amount)>,
    asked: Option<&(String, Amount)>,
) -> Result<Option<String>> {
    match (parent, asked) {
        (_, None) => Ok(parent.map(|(text, _)| text.clone())),
        (Some((limit, held)), Some((text, amount))) if amount > held => Err(invalid_request(
            format!("spend_limit {text} is above the subject token's {limit}"),
        )),
        (_, Some((text, _))) => Ok(Some(text.clone())),
    }
}

/// The task context granted: the parent's, with what it lacks taken from the request.
///
/// # Errors
/// `invalid_request` for a member the request would change.
fn narrow_context(parent: &Context, asked: &Context) -> Result<Context> {
    let member = |field: &str, held: &Option<String>, asked: &Option<String>| match (held, asked) {
        (Some(held), Some(asked)) if held != asked => Err(invalid_request(format!(
            "{field} is `{held}` in the subject token and may not be changed"
        ))),
        (Some(held), _) => Ok(Some(held.clone())),
        (None, asked) => Ok(asked.clone()),
    };
    Ok(Context {
        task_type: member("task_type", &parent.task_type, &asked.task_type)?,
        task_id: member("task_id", &parent.task_id, &asked.task_id)?,
        conversation_id: member(
            "conversation_id",
            &parent.conversation_id,
            &asked.conversation_id,
        )?,
        session_id: member("session_id", &parent.session_id, &asked.session_id)?,
    })
}

/// A non-negative decimal amount, compared exactly: the digits before the point without
/// leading zeros, and those after it without trailing zeros. No float is ever involved, so
/// `0.1 + 0.2`-style rounding cannot let a child exceed its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Amount {
    /// The integer digits, without leading zeros (empty for zero).
    integer: String,
    /// The fraction digits, without trailing zeros.
    fraction: String,
}

impl Amount {
    /// Parses `digits` or `digits.digits` (at most 64 characters; no sign, exponent or
    /// spaces).
    ///
    /// # Errors
    /// A sentence naming the text.
    fn parse(text: &str) -> std::result::Result<Amount, String> {
        let bad = || {
            format!(
                "spend_limit must be a non-negative decimal such as 250 or 99.50, of at most \
                 {MAX_SPEND_LIMIT_LENGTH} characters: `{}`",
                text.escape_default()
            )
        };
        if text.len() > MAX_SPEND_LIMIT_LENGTH {
            return Err(bad());
        }
        let (integer, fraction) = match text.split_once('.') {
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (text, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(integer) || fraction.is_some_and(|fraction| !digits(fraction)) {
            return Err(bad());
        }
        Ok(Amount {
            integer: integer.trim_start_matches('0').to_owned(),
            fraction: fraction
                .unwrap_or_default()
                .trim_end_matches('0')
                .to_owned(),
        })
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Amount) -> std::cmp::Ordering {
        // Without leading zeros, more integer digits is more; then digit by digit. Without
        // trailing zeros, fractions compare as strings (".5" > ".49", ".5" < ".51").
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(&other.integer))
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Amount) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};
    use crate::error::ErrorKind;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    fn code(result: Result<impl std::fmt::Debug>) -> OAuthError {
        let error = result.unwrap_err();
        error
            .oauth_code()
            .unwrap_or_else(|| panic!("no OAuth code on {error}"))
    }

    fn amount(text: &str) -> Amount {
        Amount::parse(text).unwrap()
    }

    #[test]
    fn amounts_compare_exactly_without_floats() {
        assert_eq!(amount("100"), amount("100.00"));
        assert_eq!(amount("007.50"), amount("7.5"));
        assert_eq!(amount("0"), amount("0.000"));
        assert!(amount("99.999") < amount("100"));
        assert!(amount("0.5") > amount("0.49"));
        assert!(amount("0.5") < amount("0.51"));
        assert!(amount("10") > amount("9.99999999999999999999"));
        // Far beyond f64's 15 to 17 significant digits, still exact.
        assert!(
            amount("12345678901234567890.000000000000000001")
                > amount("12345678901234567890.0000000000000000009")
        );
        assert!(amount("0.30000000000000000001") > amount("0.3"));
        for bad in [
            "", "-1", "+1", "1e3", "1.", ".5", " 1", "1 ", "1,5", "NaN", "inf", "0x10", "1.2.3",
            "١",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Amount::parse(&"9".repeat(MAX_SPEND_LIMIT_LENGTH)).is_ok());
        assert!(Amount::parse(&"9".repeat(MAX_SPEND_LIMIT_LENGTH + 1)).is_err());
    }

    #[test]
    fn a_spend_limit_never_rises_and_is_inherited_when_absent() {
        let limit = |text: &str| (text.to_owned(), amount(text));
        let parent = limit("100.00");
        assert_eq!(
            narrow_spend_limit(Some(&parent), None).unwrap().as_deref(),
            Some("100.00"),
            "inherited"
        );
        assert_eq!(
            narrow_spend_limit(Some(&parent), Some(&limit("99.99")))
                .unwrap()
                .as_deref(),
            Some("99.99")
        );
        assert_eq!(
            narrow_spend_limit(Some(&parent), Some(&limit("100")))
                .unwrap()
                .as_deref(),
            Some("100"),
            "equal is allowed"
        );
        assert_eq!(
            code(narrow_spend_limit(Some(&parent), Some(&limit("100.001")))),
            OAuthError::InvalidRequest
        );
        // A user's token has no limit: the first agent may be given any, or none.
        assert_eq!(
            narrow_spend_limit(None, Some(&limit("1000000")))
                .unwrap()
                .as_deref(),
            Some("1000000")
        );
        assert_eq!(narrow_spend_limit(None, None).unwrap(), None);
    }

    #[test]
    fn asked_scopes_must_be_held_by_every_holder() {
        let subject = strings(&["treasury:write:*", "docs:read"]);
        let client = strings(&["treasury:*"]);
        let held: Vec<(&str, &[String])> = vec![("the subject", &subject), ("the client", &client)];
        let asked = strings(&["treasury:write:budget:opex"]);
        assert_eq!(narrow_scopes(&held, Some(&asked)).unwrap(), asked);
        let asked = strings(&["treasury:write:*"]);
        assert_eq!(narrow_scopes(&held, Some(&asked)).unwrap(), asked);
        // Broader than the subject's pattern.
        let error = narrow_scopes(&held, Some(&strings(&["treasury:*"]))).unwrap_err();
        assert_eq!(error.oauth_code(), Some(OAuthError::InvalidScope));
        assert!(error.detail().contains("the subject"), "{error}");
        // Held by the subject, not by the client.
        let error = narrow_scopes(&held, Some(&strings(&["docs:read"]))).unwrap_err();
        assert_eq!(error.oauth_code(), Some(OAuthError::InvalidScope));
        assert!(error.detail().contains("the client"), "{error}");
        // Sideways.
        assert_eq!(
            code(narrow_scopes(&held, Some(&strings(&["treasury:read"])))),
            OAuthError::InvalidScope
        );
    }

    #[test]
    fn without_a_scope_the_token_gets_the_intersection_or_nothing() {
        let subject = strings(&["treasury:write:*", "docs:read"]);
        let role = strings(&["treasury:*", "docs:*"]);
        let client = strings(&["treasury:write:budget:*", "treasury:read", "docs:read"]);
        let held: Vec<(&str, &[String])> = vec![
            ("the subject", &subject),
            ("the role", &role),
            ("the client", &client),
        ];
        assert_eq!(
            narrow_scopes(&held, None).unwrap(),
            strings(&["docs:read", "treasury:write:budget:*"])
        );
        let other = strings(&["billing:*"]);
        let held: Vec<(&str, &[String])> = vec![("the subject", &subject), ("the client", &other)];
        let error = narrow_scopes(&held, None).unwrap_err();
        assert_eq!(error.oauth_code(), Some(OAuthError::InvalidScope));
        let none: Vec<String> = Vec::new();
        let held: Vec<(&str, &[String])> = vec![("the role", &none), ("the client", &client)];
        assert_eq!(code(narrow_scopes(&held, None)), OAuthError::InvalidScope);
    }

    #[test]
    fn requested_scopes_are_parsed_against_the_grammar() {
        assert_eq!(
            parse_scope("b:read  a:*  a:x").unwrap(),
            strings(&["a:*", "b:read"])
        );
        assert_eq!(code(parse_scope("a:*:b")), OAuthError::InvalidScope);
        assert_eq!(code(parse_scope("a*")), OAuthError::InvalidScope);
        let many: Vec<String> = (0..=MAX_REQUESTED_SCOPES)
            .map(|n| format!("s{n}"))
            .collect();
        assert_eq!(code(parse_scope(&many.join(" "))), OAuthError::InvalidScope);
        let request = ExchangeRequest {
            scope: Some("  ".into()),
            spend_limit: Some(String::new()),
            ..ExchangeRequest::default()
        };
        assert_eq!(
            Asked::parse(&request).unwrap(),
            Asked::default(),
            "blank is absent"
        );
        for request in [
            ExchangeRequest {
                spend_limit: Some("-5".into()),
                ..ExchangeRequest::default()
            },
            ExchangeRequest {
                task_id: Some("task\u{202E}1".into()),
                ..ExchangeRequest::default()
            },
            ExchangeRequest {
                conversation_id: Some("c".repeat(MAX_CONTEXT_LENGTH + 1)),
                ..ExchangeRequest::default()
            },
        ] {
            assert_eq!(code(Asked::parse(&request)), OAuthError::InvalidRequest);
        }
    }

    #[test]
    fn the_task_context_is_inherited_and_never_changed() {
        let parent = Context {
            task_type: Some("purchase".into()),
            task_id: Some("t-1".into()),
            conversation_id: None,
            session_id: None,
        };
        let asked = Context {
            conversation_id: Some("c-9".into()),
            ..Context::default()
        };
        assert_eq!(
            narrow_context(&parent, &asked).unwrap(),
            Context {
                conversation_id: Some("c-9".into()),
                ..parent.clone()
            }
        );
        let same = Context {
            task_id: Some("t-1".into()),
            ..Context::default()
        };
        assert_eq!(narrow_context(&parent, &same).unwrap(), parent);
        let changed = Context {
            task_id: Some("t-2".into()),
            ..Context::default()
        };
        assert_eq!(
            code(narrow_context(&parent, &changed)),
            OAuthError::InvalidRequest
        );
    }

    fn actor<'a>(client_id: &'a str, scopes: &'a [String], ttl: u64) -> Actor<'a> {
        Actor {
            client_id,
            role: Role::Agent,
            scopes,
            ttl,
        }
    }

    #[test]
    fn expiry_depth_chain_and_act_follow_the_parent() {
        let everything = strings(&["*"]);
        let held: Vec<(&str, &[String])> = vec![("the client", &everything)];
        let user = Parent {
            jti: "user-jti",
            exp: NOW + 900,
            scopes: &[],
            spend_limit: None,
            context: Context::default(),
            agent: None,
        };
        let planner = actor("planner", &everything, 3600);
        let first = delegate(&user, &held, &planner, &Asked::default(), 1, NOW).unwrap();
        assert_eq!(first.exp, NOW + 900, "never past the subject's exp");
        assert!(first.parent_chain.is_empty());
        assert_eq!(first.parent_jtis, ["user-jti"]);
        assert_eq!(
            first.act,
            ActClaim {
                sub: "planner".into(),
                act: None
            }
        );
        let short = actor("planner", &everything, 60);
        assert_eq!(
            delegate(&user, &held, &short, &Asked::default(), 1, NOW)
                .unwrap()
                .exp,
            NOW + 60,
            "nor past the client's own lifetime"
        );
        let zero = actor("planner", &everything, 0);
        assert_eq!(
            code(delegate(&user, &held, &zero, &Asked::default(), 1, NOW)),
            OAuthError::InvalidRequest
        );

        let planner_chain: Vec<String> = Vec::new();
        let planner_jtis = strings(&["user-jti"]);
        let planner_act = first.act.clone();
        let agent = Parent {
            jti: "planner-jti",
            exp: NOW + 900,
            scopes: &everything,
            spend_limit: None,
            context: Context::default(),
            agent: Some(ParentAgent {
                client_id: "planner",
                parent_chain: &planner_chain,
                parent_jtis: &planner_jtis,
                act: Some(&planner_act),
            }),
        };
        let researcher = actor("researcher", &everything, 3600);
        assert_eq!(
            code(delegate(
                &agent,
                &held,
                &researcher,
                &Asked::default(),
                1,
                NOW
            )),
            OAuthError::InvalidRequest,
            "max_delegation_depth 1: one exchange only"
        );
        let second = delegate(&agent, &held, &researcher, &Asked::default(), 2, NOW).unwrap();
        assert_eq!(second.parent_chain, ["planner"]);
        assert_eq!(second.parent_jtis, ["user-jti", "planner-jti"]);
        assert_eq!(
            serde_json::to_value(&second.act).unwrap(),
            serde_json::json!({"sub": "researcher", "act": {"sub": "planner"}})
        );
    }

    /// Adds the clients these tests act as (an agent token dies with its client, so they must
    /// exist), made a minute before [`NOW`]; those already there are kept.
    pub(crate) fn add_acting_clients(app: &App) {
        for client_id in ["planner", "purchaser", "researcher", "sub-agent"] {
            let new = crate::app::clients::NewClient {
                client_id: client_id.to_owned(),
                role: Some("agent".to_owned()),
                ..Default::default()
            };
            match app.add_client(&new, NOW - 60) {
                Ok(_) => {}
                Err(error) if error.kind() == ErrorKind::Conflict => {}
                Err(error) => panic!("adding client {client_id}: {error}"),
            }
        }
    }

    /// The core with `viewer = ["treasury:*", "docs:read"]` and a depth of 2, and Ada's
    /// access token.
    fn delegating_app(name: &str) -> (crate::app::testing::TestApp, String) {
        let mut test = test_app(name);
        test.app.config.agent_scopes = vec![(Role::Viewer, strings(&["treasury:*", "docs:read"]))];
        test.app.config.max_delegation_depth = 2;
        add_acting_clients(&test.app);
        let session = test
            .app
            .login("ada@example.com", "ada-password-1", NOW)
            .unwrap();
        (test, session.access_token)
    }

    fn exchange(subject_token: &str) -> ExchangeRequest {
        ExchangeRequest {
            subject_token: subject_token.to_owned(),
            subject_token_type: Some(ACCESS_TOKEN_TYPE.to_owned()),
            ..ExchangeRequest::default()
        }
    }

    #[test]
    fn a_user_delegates_to_an_agent_which_delegates_narrower() {
        let (test, user_token) = delegating_app("exchange-chain");
        check_a_chain_narrows(&test.app, &user_token);
    }

    /// User → planner → purchaser, each narrower, on whichever backend `app` runs: `app` has
    /// `viewer = ["treasury:*", "docs:read"]`, and `user_token` is a viewer's.
    pub(crate) fn check_a_chain_narrows(app: &App, user_token: &str) {
        add_acting_clients(app);
        let user_token = user_token.to_owned();
        let user = app.authenticate(&user_token, NOW).unwrap();
        let planner_scopes = strings(&["treasury:*"]);
        let planner = actor("planner", &planner_scopes, 3600);
        let issued = app
            .exchange_token(
                planner,
                ExchangeRequest {
                    scope: Some("treasury:write:*".into()),
                    spend_limit: Some("100.00".into()),
                    task_type: Some("purchase".into()),
                    task_id: Some("t-1".into()),
                    ..exchange(&user_token)
                },
                NOW,
            )
            .unwrap();
        assert_eq!(issued.scope, "treasury:write:*");
        let first = app.authenticate(&issued.access_token, NOW).unwrap();
        assert_eq!(first.kind(), TokenKind::Agent);
        assert_eq!(first.sub, "planner");
        assert_eq!(first.role, Role::Agent);
        assert_eq!(first.user_id.as_deref(), Some(user.sub.as_str()));
        assert_eq!(first.org_id.as_deref(), Some("default"));
        assert_eq!(first.scopes, Some(strings(&["treasury:write:*"])));
        assert_eq!(first.spend_limit.as_deref(), Some("100.00"));
        assert_eq!(first.task_type.as_deref(), Some("purchase"));
        assert_eq!(first.parent_chain, Some(Vec::new()));
        assert_eq!(first.parent_jtis, Some(vec![user.jti.clone()]));
        assert_eq!(first.exp, user.exp, "the user's token ends first");
        assert_eq!(issued.expires_in, u64::try_from(user.exp - NOW).unwrap());
        assert!(first.email.is_none(), "the agent's token is not the user's");

        // The sub-agent asks nothing: it gets the intersection, and inherits the limit.
        let purchaser_scopes = strings(&["treasury:write:budget:*", "treasury:read"]);
        let purchaser = actor("purchaser", &purchaser_scopes, 60);
        let issued = app
            .exchange_token(purchaser, exchange(&issued.access_token), NOW + 10)
            .unwrap();
        assert_eq!(issued.scope, "treasury:write:budget:*");
        let second = app.authenticate(&issued.access_token, NOW + 10).unwrap();
        assert_eq!(second.sub, "purchaser");
        assert_eq!(second.spend_limit.as_deref(), Some("100.00"));
        assert_eq!(second.task_id.as_deref(), Some("t-1"));
        assert_eq!(second.parent_chain, Some(strings(&["planner"])));
        assert_eq!(
            second.parent_jtis,
            Some(vec![user.jti.clone(), first.jti.clone()])
        );
        assert_eq!(second.exp, NOW + 70, "the client's 60 s");
        let json = serde_json::to_value(&second).unwrap();
        assert_eq!(
            json["act"],
            serde_json::json!({"sub": "purchaser", "act": {"sub": "planner"}})
        );
        assert_eq!(
            json["scopes"],
            serde_json::json!(["treasury:write:budget:*"])
        );

        // Both are in the audit with their parents, however short-lived.
        let mints = app
            .mints(crate::app::Actor::Cli("root"), 10, false, NOW)
            .unwrap();
        let parent_of = |jti: &str| {
            mints
                .iter()
                .find(|record| record.jti == jti)
                .map(|record| (record.kind.as_str(), record.parent_jti.as_deref()))
        };
        assert_eq!(
            parent_of(&first.jti),
            Some(("agent", Some(user.jti.as_str())))
        );
        assert_eq!(
            parent_of(&second.jti),
            Some(("agent", Some(first.jti.as_str())))
        );
    }

    #[test]
    fn every_narrowing_rule_refuses_with_its_code() {
        let (test, user_token) = delegating_app("exchange-refusals");
        let app = &test.app;
        let planner_scopes = strings(&["treasury:*"]);
        let planner = actor("planner", &planner_scopes, 3600);
        let parent = app
            .exchange_token(
                planner,
                ExchangeRequest {
                    scope: Some("treasury:write:*".into()),
                    spend_limit: Some("100".into()),
                    task_id: Some("t-1".into()),
                    ..exchange(&user_token)
                },
                NOW,
            )
            .unwrap()
            .access_token;
        let everything = strings(&["*"]);
        let sub_agent = actor("sub-agent", &everything, 3600);
        let refused = |actor: Actor<'_>, request: ExchangeRequest| {
            code(app.exchange_token(actor, request, NOW + 1))
        };
        let cases = [
            // Scopes.
            (
                "broader than the parent token",
                sub_agent,
                ExchangeRequest {
                    scope: Some("treasury:*".into()),
                    ..exchange(&parent)
                },
                OAuthError::InvalidScope,
            ),
            (
                "outside the user's role",
                sub_agent,
                ExchangeRequest {
                    scope: Some("billing:read".into()),
                    ..exchange(&user_token)
                },
                OAuthError::InvalidScope,
            ),
            (
                "outside the client's scopes",
                planner,
                ExchangeRequest {
                    scope: Some("docs:read".into()),
                    ..exchange(&user_token)
                },
                OAuthError::InvalidScope,
            ),
            (
                "malformed",
                sub_agent,
                ExchangeRequest {
                    scope: Some("treasury:*:write".into()),
                    ..exchange(&parent)
                },
                OAuthError::InvalidScope,
            ),
            // Spend limit.
            (
                "a higher spend limit",
                sub_agent,
                ExchangeRequest {
                    spend_limit: Some("100.01".into()),
                    ..exchange(&parent)
                },
                OAuthError::InvalidRequest,
            ),
            (
                "a malformed spend limit",
                sub_agent,
                ExchangeRequest {
                    spend_limit: Some("1e9".into()),
                    ..exchange(&parent)
                },
                OAuthError::InvalidRequest,
            ),
            // Context.
            (
                "another task",
                sub_agent,
                ExchangeRequest {
                    task_id: Some("t-2".into()),
                    ..exchange(&parent)
                },
                OAuthError::InvalidRequest,
            ),
            // The subject token itself.
            (
                "no subject_token_type",
                sub_agent,
                ExchangeRequest {
                    subject_token_type: None,
                    ..exchange(&parent)
                },
                OAuthError::InvalidRequest,
            ),
            (
                "another subject_token_type",
                sub_agent,
                ExchangeRequest {
                    subject_token_type: Some(
                        "urn:ietf:params:oauth:token-type:refresh_token".into(),
                    ),
                    ..exchange(&parent)
                },
                OAuthError::InvalidRequest,
            ),
            (
                "a malformed token",
                sub_agent,
                exchange("not-a-token"),
                OAuthError::InvalidRequest,
            ),
        ];
        for (what, actor, request, expected) in cases {
            assert_eq!(refused(actor, request), expected, "{what}");
        }
        // Claims too large for a token: many long scopes, all held.
        let long: Vec<String> = (0..40)
            .map(|n| format!("treasury:{n}:{}", "x".repeat(200)))
            .collect();
        assert_eq!(
            refused(
                sub_agent,
                ExchangeRequest {
                    scope: Some(long.join(" ")),
                    ..exchange(&user_token)
                }
            ),
            OAuthError::InvalidRequest
        );
        // A superadmin client acts for nobody.
        let root = Actor {
            role: Role::Superadmin,
            ..sub_agent
        };
        assert_eq!(
            refused(root, exchange(&parent)),
            OAuthError::UnauthorizedClient
        );
        // Depth 2: the sub-agent's token cannot be exchanged again.
        let child = app
            .exchange_token(sub_agent, exchange(&parent), NOW + 1)
            .unwrap()
            .access_token;
        assert_eq!(
            refused(sub_agent, exchange(&child)),
            OAuthError::InvalidRequest
        );
        // Expired.
        let user = app.authenticate(&user_token, NOW).unwrap();
        assert_eq!(
            code(app.exchange_token(sub_agent, exchange(&user_token), user.exp)),
            OAuthError::InvalidRequest
        );
        // Foreign: signed by another deployment's key.
        let (other, foreign_token) = delegating_app("exchange-foreign");
        drop(other);
        assert_eq!(
            refused(sub_agent, exchange(&foreign_token)),
            OAuthError::InvalidRequest
        );
        // A fleet token acts for no user.
        let fleet = app
            .mint_fleet_token(
                crate::app::Actor::Cli("root"),
                &crate::app::FleetTokenRequest {
                    session_id: "s-1".into(),
                    agent_id: "a-1".into(),
                    ..crate::app::FleetTokenRequest::default()
                },
                NOW,
            )
            .unwrap();
        assert_eq!(
            refused(sub_agent, exchange(&fleet.session_token)),
            OAuthError::InvalidRequest
        );
        // A disabled account delegates nothing more, even through an agent's token.
        let ada = app.authenticate(&user_token, NOW).unwrap().sub;
        app.set_status(crate::app::Actor::Cli("root"), &ada, UserStatus::Disabled)
            .unwrap();
        assert_eq!(
            refused(sub_agent, exchange(&parent)),
            OAuthError::InvalidRequest
        );
    }

    #[test]
    fn revoking_a_parent_refuses_and_denylists_every_token_exchanged_from_it() {
        let (test, user_token) = delegating_app("exchange-revoke");
        check_revoking_a_parent_revokes_its_children(&test.app, &user_token);
    }

    /// Revoking the middle, then the root, of a chain, on whichever backend `app` runs.
    pub(crate) fn check_revoking_a_parent_revokes_its_children(app: &App, user_token: &str) {
        add_acting_clients(app);
        let user_token = user_token.to_owned();
        let everything = strings(&["*"]);
        let agent = actor("planner", &everything, 3600);
        let first = app
            .exchange_token(agent, exchange(&user_token), NOW)
            .unwrap()
            .access_token;
        let second = app
            .exchange_token(actor("purchaser", &everything, 3600), exchange(&first), NOW)
            .unwrap()
            .access_token;
        let jti = |token: &str| app.authenticate(token, NOW).unwrap().jti;
        let (user_jti, first_jti, second_jti) = (jti(&user_token), jti(&first), jti(&second));

        // The chain's jtis alone: a denylist entry for a parent that no cascade followed (as
        // past the cascade's bound) still refuses the child, here and in every exchange.
        let other_session = app
            .login("ada@example.com", "ada-password-1", NOW)
            .unwrap()
            .access_token;
        let side = app
            .exchange_token(agent, exchange(&other_session), NOW)
            .unwrap()
            .access_token;
        let other_jti = jti(&other_session);
        app.store
            .write(|transaction| {
                transaction.insert_revocation(
                    &crate::store::Revocation {
                        jti: other_jti.clone(),
                        revoked_at: NOW,
                        reason: String::new(),
                        revoked_by: "cli:test".to_owned(),
                    },
                    NOW + 3600,
                )
            })
            .unwrap();
        let listed = app
            .revocations(crate::app::Actor::Cli("root"), 0, NOW)
            .unwrap();
        assert_eq!(listed.len(), 1, "only the parent is on the denylist");
        assert_eq!(
            app.authenticate(&side, NOW).unwrap_err().kind(),
            ErrorKind::InvalidToken,
            "refused through parent_jtis"
        );
        assert_eq!(
            code(app.exchange_token(agent, exchange(&side), NOW)),
            OAuthError::InvalidRequest,
            "a depth the bound allows, refused through parent_jtis"
        );

        // The middle of the chain: the user's token lives on, the child does not.
        app.revoke(crate::app::Actor::Cli("root"), &first_jti, None, NOW + 1)
            .unwrap();
        assert!(app.authenticate(&user_token, NOW + 1).is_ok());
        for token in [&first, &second] {
            let error = app.authenticate(token, NOW + 1).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidToken);
        }
        let denylisted = |now| -> Vec<(String, String)> {
            app.revocations(crate::app::Actor::Cli("root"), 0, now)
                .unwrap()
                .into_iter()
                .map(|entry| (entry.jti, entry.reason))
                .collect()
        };
        assert!(
            denylisted(NOW + 1).contains(&(
                second_jti.clone(),
                format!("exchanged from revoked {first_jti}")
            )),
            "resource servers see the child's own jti: {:?}",
            denylisted(NOW + 1)
        );
        assert_eq!(
            code(app.exchange_token(agent, exchange(&first), NOW + 1)),
            OAuthError::InvalidRequest,
            "a revoked token cannot be exchanged"
        );

        // The root: a new chain from the same user token dies with it.
        let again = app
            .exchange_token(agent, exchange(&user_token), NOW + 2)
            .unwrap()
            .access_token;
        let again_jti = jti(&again);
        app.revoke(crate::app::Actor::Cli("root"), &user_jti, None, NOW + 3)
            .unwrap();
        assert_eq!(
            app.authenticate(&again, NOW + 3).unwrap_err().kind(),
            ErrorKind::InvalidToken
        );
        let listed: Vec<String> = denylisted(NOW + 3)
            .into_iter()
            .map(|(jti, _)| jti)
            .collect();
        for jti in [&user_jti, &first_jti, &second_jti, &again_jti] {
            assert!(listed.contains(jti), "{jti} in {listed:?}");
        }
    }
}
