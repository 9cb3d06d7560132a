//! The storage interface: the rows the core keeps, and typed read and write transactions with
//! domain-shaped operations on them. The core (`app`) talks to this module only; it never names
//! a database client.
//!
//! [`Store`] opens the database the `db` setting names ([`DbLocation`]) and lends out
//! transactions: [`Store::read`] a [`ReadTransaction`] (`get_*`, `list_*`, `is_*`, `count_*`,
//! the versions), [`Store::write`] a [`WriteTransaction`] (`insert_*`, `update_*`, `delete_*`,
//! and the atomic operations `rotate_refresh_token`, `take_challenge`,
//! `insert_user_if_absent`, `insert_first_signing_key`, `record_login_failure`). Each backend
//! is one submodule that implements both traits: `sqlite` (the embedded default) and
//! `postgres` (a server that replicas share, issue 12).
//! `pico_auth` reads a pico-auth database for the import; it is a source file, not a backend.
//! This module decides nothing: the rules live in `app`. Kanidm's typed backend transactions
//! (`server/lib/src/be/mod.rs`) are the model.
//!
//! # Invariants
//! - Every change runs in [`Store::write`], and a write transaction is serializable: on SQLite
//!   it holds the database's one write lock from its start; a backend with optimistic
//!   concurrency retries the whole closure on a serialization failure. So a closure given to
//!   `write` may run more than once and must have no effect outside the transaction: hash,
//!   sign and generate keys before it, or make what it does idempotent; it returns the value of
//!   the run that committed.
//! - An invariant that needs "read, then write only if" is an atomic operation of
//!   [`WriteTransaction`] (one `UPDATE … WHERE … RETURNING`, `DELETE … RETURNING`,
//!   `INSERT … ON CONFLICT DO NOTHING`), so it holds without relying on a write lock: a refresh
//!   token rotates once, a challenge is taken once, the first admin and the first key are made
//!   once. The last-superadmin guard is a check and a change in one write transaction, which a
//!   serializable backend keeps or retries.
//! - Calls block; the HTTP door runs them on the blocking pool, never on an async worker.

mod copy;
pub mod pico_auth;
mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

use crate::roles::Role;
pub use copy::{CopiedTable, SealedKey};

// ---------------------------------------------------------------------------------------------
// Accounts.

/// Whether an account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    /// May log in and refresh.
    Active,
    /// Refused at login (403) and at refresh.
    Disabled,
}

impl UserStatus {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    /// The status a stored name means.
    pub fn parse(text: &str) -> UserStatus {
        // Anything that is not plainly active (pico-auth wrote `suspended`) keeps the door shut.
        if text == "active" {
            UserStatus::Active
        } else {
            UserStatus::Disabled
        }
    }
}

/// One account, as stored. Emails are stored lowercased; callers normalise before they look one
/// up.
#[derive(Clone)]
pub struct User {
    /// Opaque, stable id; the `sub` of the user's tokens.
    pub id: String,
    /// Lowercased email, unique.
    pub email: String,
    /// Free-form name shown to people.
    pub display_name: String,
    /// PHC string (argon2id) or a bcrypt hash imported from pico-auth.
    pub password_hash: String,
    /// One of the four user roles.
    pub role: Role,
    /// Organisation the account belongs to (`default` unless set).
    pub org_id: String,
    /// Whether the account may sign in.
    pub status: UserStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last successful login, if any.
    pub last_login_at: Option<i64>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("password_hash", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// An account as `GET /users` lists it, which `picoauth users list --json` prints too.
#[derive(Debug, Serialize)]
pub struct UserSummary<'a> {
    /// The account's id.
    pub id: &'a str,
    /// Its email.
    pub email: &'a str,
    /// Its display name.
    pub display_name: &'a str,
    /// Its role.
    pub role: &'static str,
    /// Its organisation.
    pub org_id: &'a str,
    /// `active` or `disabled`.
    pub status: &'static str,
}

impl User {
    /// The public face of the account, without its password hash.
    pub fn summary(&self) -> UserSummary<'_> {
        UserSummary {
            id: &self.id,
            email: &self.email,
            display_name: &self.display_name,
            role: self.role.as_str(),
            org_id: &self.org_id,
            status: self.status.as_str(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups (API.md §9): named sets of accounts within an organisation, whose ids user tokens
// carry in their `groups` claim.

/// One group, as stored. Its JSON is the item of `GET /groups` (without `created_at`), which
/// `picoauth groups list --json` prints too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Opaque, stable id: 12 lowercase hex characters as pico-auth makes them (imported groups
    /// keep theirs); what `@requires_group` configurations name.
    pub id: String,
    /// Unique within the organisation.
    pub name: String,
    /// Free text, possibly empty.
    pub description: String,
    /// The organisation the group belongs to.
    pub org_id: String,
    /// Unix seconds; not part of the JSON.
    #[serde(skip)]
    pub created_at: i64,
}

/// One membership. Its JSON is an item of `members` in `GET /groups/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    /// The group; not part of the JSON (the members are listed under their group).
    #[serde(skip)]
    pub group_id: String,
    /// The member account.
    pub user_id: String,
    /// When it joined, Unix seconds.
    pub joined_at: i64,
}

/// A group with its members: the body of `GET /groups/{id}`, which `picoauth groups show
/// --json` prints too.
#[derive(Debug, Serialize)]
pub struct GroupDetail<'a> {
    /// The group's own fields.
    #[serde(flatten)]
    pub group: &'a Group,
    /// Its members, in the order they joined.
    pub members: &'a [GroupMember],
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens: keyed hashes, grouped into rotation families. Only hashes are stored; the
// tokens themselves exist only in the hands of their holders.

/// Whose session a refresh token continues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshOwner {
    /// An account, by id.
    User(String),
    /// A wallet, by canonical address and algorithm wire name.
    Wallet {
        /// The wallet's subject: its canonical address, or under `wallet_subject =
        /// "public_key"` its public key's hex, as the session's tokens name it.
        address: String,
        /// The algorithm it signed in with.
        algorithm: String,
    },
}

/// A stored refresh token (by hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRecord {
    /// Every token descended from one login shares this id.
    pub family_id: String,
    /// Whose session it is.
    pub owner: RefreshOwner,
    /// Absolute end of the chain, counted from the login (Unix seconds).
    pub expires_at: i64,
    /// When the token was used (and replaced); a second use is theft.
    pub rotated_at: Option<i64>,
}

/// A refresh token to store: its hash, its chain, and the access token issued with it.
#[derive(Clone, Copy, Debug)]
pub struct NewRefreshToken<'a> {
    /// The keyed hash of the token.
    pub token_hash: &'a [u8],
    /// The chain it belongs to.
    pub family_id: &'a str,
    /// Whose session it is.
    pub owner: &'a RefreshOwner,
    /// The jti of the access token handed out with it.
    pub access_jti: &'a str,
    /// Unix seconds.
    pub issued_at: i64,
    /// The chain's absolute end, Unix seconds.
    pub expires_at: i64,
}

/// What [`WriteTransaction::rotate_refresh_token`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshRotation {
    /// This call marked the token used: the caller, and only it, may continue the chain.
    Rotated(RefreshRecord),
    /// The token had been used before: a replay (RFC 9700 §4.14.2).
    AlreadyRotated(RefreshRecord),
    /// No such token is stored.
    Unknown,
}

/// An access token handed out with one refresh token of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyAccessToken {
    /// The access token's jti.
    pub jti: String,
    /// When it was issued with its refresh token, Unix seconds.
    pub issued_at: i64,
    /// Its expiry from the mint audit, if the audit knows it.
    pub exp: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Signing keys: which exist, by kid, and where each is in its life cycle. The private keys are
// files in the key directory; these records are what every process on the database agrees on.

/// A signing key's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// RFC 7638 thumbprint of the public key; also the file name in the key directory.
    pub kid: String,
    /// JWS algorithm name (`RS256`).
    pub algorithm: String,
    /// Unix seconds.
    pub created_at: i64,
    /// When a newer key replaced it; `None` while it signs.
    pub deactivated_at: Option<i64>,
    /// Until when it stays in the JWKS after it stopped signing.
    pub published_until: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// The mint audit and the denylist.

/// One audited token. Its JSON is the item of `GET /mints`, which is also what
/// `picoauth list-mints --json` prints: one type, so the two doors cannot drift apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MintRecord {
    /// The row's place in the audit (newest is highest); not part of the JSON.
    #[serde(skip)]
    pub id: i64,
    /// The token's id.
    pub jti: String,
    /// `user`, `wallet`, `fleet` or `agent`.
    pub kind: String,
    /// The token's subject.
    pub sub: String,
    /// The token's role.
    pub role: String,
    /// User tokens: the organisation of the token's `org_id` claim; `None` for the other kinds.
    pub org_id: Option<String>,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Fleet tokens: the scope, if given.
    pub scope: Option<String>,
    /// Fleet tokens: the agent.
    pub agent_id: Option<String>,
    /// Fleet tokens: the session.
    pub session_id: Option<String>,
    /// Who minted it: the endpoint (`POST /login`, `POST /fleet/sessions`) or `cli:<os user>`.
    pub minted_by: String,
    /// Whether the jti is on the denylist.
    pub revoked: bool,
    /// Agent tokens (RFC 8693 token exchange): the jti of the token it was exchanged from;
    /// revoking that one revokes this one too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_jti: Option<String>,
}

/// A part of the audit, which a backend reads as one index range; `app` decides who gets
/// which. A listing and the check before a revocation use the same parts, so a caller can
/// revoke exactly the tokens it can list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintSelection<'a> {
    /// Every token.
    All,
    /// User tokens of one organisation, except superadmins' tokens: those minted with the
    /// superadmin role and those of an account that is a superadmin today.
    Organisation(&'a str),
    /// Fleet and wallet tokens (they belong to no organisation), except those carrying the
    /// superadmin role.
    Unowned,
    /// One account's own user tokens, except those minted with the superadmin role.
    Account(&'a str),
}

/// One revoked jti. Its JSON is the entry of `POST /revoke` and `GET /revoked-jtis`, which is
/// also what `picoauth revoke --json` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Revocation {
    /// The revoked token's id.
    pub jti: String,
    /// When it was first revoked, Unix seconds.
    pub revoked_at: i64,
    /// Why, as given by whoever revoked it (may be empty).
    pub reason: String,
    /// Who revoked it first, as `kind:subject`: `user:<account id>`, `wallet:<address>`,
    /// `fleet:<session id>`, `cli:<os user>`, or `picoauth:refresh-reuse`.
    pub revoked_by: String,
}

// ---------------------------------------------------------------------------------------------
// Wallet challenges: pending, each usable once, bounded per client and in total.

/// A pending challenge, as taken out of the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChallenge {
    /// The address it was asked for, as the client sent it.
    pub address: String,
    /// When it stops being usable, Unix seconds.
    pub expires_at: i64,
}

/// How many challenges may be pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChallengeLimits {
    /// Across all clients.
    pub max_pending: u64,
    /// For one client.
    pub client_quota: u64,
}

/// A challenge to store.
#[derive(Clone, Copy, Debug)]
pub struct NewChallenge<'a> {
    /// 64 hex characters.
    pub challenge: &'a str,
    /// The address it is for, as the client sent it.
    pub address: &'a str,
    /// The client that asked (its address, IPv6 by /64).
    pub client: &'a str,
    /// When it was asked for, Unix seconds.
    pub created_at: i64,
    /// When it stops being usable, Unix seconds.
    pub expires_at: i64,
}

/// What storing a challenge had to evict to stay within the limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evicted {
    /// The asking client's own oldest challenges (it was at its quota).
    pub own: usize,
    /// Expired challenges deleted because the table was full.
    pub expired: usize,
    /// Challenges of the client holding the most (the table was full).
    pub largest_client: usize,
}

// ---------------------------------------------------------------------------------------------
// Failed logins: the back-off counters that every process on the database shares (API.md §11).

/// One shared failure counter, as stored under its key. Keys are 32-byte keyed digests (the
/// core derives them), so a stranger's email of any length costs one fixed-size row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures since the counter last started.
    pub failures: u32,
    /// When the last of them was recorded, in Unix milliseconds: back-off waits start at one
    /// second, which whole seconds would round away.
    pub failed_at_ms: i64,
}

// ---------------------------------------------------------------------------------------------
// Settings changed at run time: stored in the database, so they survive restarts and every
// process on it sees them (table `runtime_settings`, one row per setting).

/// A setting's value as set at run time, with who set it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeSetting<T> {
    /// The value.
    pub value: T,
    /// When it was set, Unix seconds.
    pub updated_at: i64,
    /// Who set it, as `kind:subject` (`user:<account id>`, `cli:<os user>`).
    pub updated_by: String,
}

/// The `name` of the registration switch's row in `runtime_settings`.
pub const REGISTRATION_ENABLED: &str = "registration_enabled";

/// How a boolean runtime setting is stored: the words, so the table reads the same on both
/// backends.
fn format_bool(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// A stored boolean runtime setting.
fn parse_bool(value: &str) -> Result<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Error::new(
            crate::error::ErrorKind::Storage,
            format!("a runtime setting holds `{other}`, not true or false"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 machine clients (API.md §10).

/// A machine client: what `picoauth clients add` made, with its secret only as keyed hashes.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// The client's id (`client_id`, and `sub` of its tokens).
    pub client_id: String,
    /// The role its tokens carry.
    pub role: Role,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// Its tokens' lifetime in seconds.
    pub ttl: u64,
    /// The keyed hash of its current secret.
    pub secret_hash: Vec<u8>,
    /// The keyed hash of the secret it had before the last rotation, accepted until
    /// `previous_valid_until`.
    pub previous_secret_hash: Option<Vec<u8>>,
    /// When the previous secret stops working, Unix seconds.
    pub previous_valid_until: Option<i64>,
    /// When it was added, Unix seconds.
    pub created_at: i64,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("role", &self.role)
            .field("scopes", &self.scopes)
            .field("ttl", &self.ttl)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// The transactions.

/// What a read transaction can see: committed data. Each call sees what was committed when it
/// ran (SQLite reads outside a transaction, one snapshot per statement); work that needs several
/// reads to agree reads a version first and reads again when it moves, or runs in
/// [`Store::write`].
///
/// Every method fails with `Storage` if the backend fails, or `Unavailable` if it is out of
/// reach (SQLite: locked past the busy timeout).
pub trait ReadTransaction {
    /// The account with this id, if any.
    fn get_user_by_id(&mut self, id: &str) -> Result<Option<User>>;
    /// The account with this (lowercased) email, if any.
    fn get_user_by_email(&mut self, email: &str) -> Result<Option<User>>;
    /// Every account, or those of one organisation, oldest first.
    fn list_users(&mut self, org_id: Option<&str>) -> Result<Vec<User>>;
    /// How many active accounts hold `role`.
    fn count_active_with_role(&mut self, role: Role) -> Result<u64>;
    /// How many accounts hold `role`, active or not.
    fn count_with_role(&mut self, role: Role) -> Result<u64>;

    /// The record behind a token hash, if it is still stored (`Storage` if it names no owner).
    fn get_refresh_token(&mut self, token_hash: &[u8]) -> Result<Option<RefreshRecord>>;
    /// The access tokens issued along a chain (one per refresh token still stored), with their
    /// expiry where the mint audit knows it.
    fn list_family_access_tokens(&mut self, family_id: &str) -> Result<Vec<FamilyAccessToken>>;
    /// The access tokens issued along every chain of an account (one per refresh token still
    /// stored), with their expiry where the mint audit knows it: what an admin's password
    /// reset revokes with the sessions.
    fn list_user_access_tokens(&mut self, user_id: &str) -> Result<Vec<FamilyAccessToken>>;
    /// Whether `access_jti` was issued with a refresh token whose chain has not ended at `now`:
    /// the access token of a live session, which `picoauth revoke` knows even when it was too
    /// short-lived for the mint audit.
    fn has_live_session_of_access_token(&mut self, access_jti: &str, now: i64) -> Result<bool>;

    /// Every signing key, newest first.
    fn list_signing_keys(&mut self) -> Result<Vec<SigningKeyRecord>>;
    /// The signing keys' version: it changes with every change of a key record, so keys
    /// loaded at one version are current while it holds.
    fn get_signing_keys_version(&mut self) -> Result<i64>;
    /// A private key kept in the database, sealed (`signing:<kid>`, `refresh`); PostgreSQL
    /// deployments keep their keys here, SQLite ones in the key directory.
    fn get_sealed_key(&mut self, name: &str) -> Result<Option<Vec<u8>>>;

    /// The newest `limit` audited tokens of the union of `selections`; with `active_at`, only
    /// those unexpired at that time and not revoked. Each part is read newest first through an
    /// index, so a page costs about `limit` rows per part however large the audit grows.
    fn list_mints(
        &mut self,
        selections: &[MintSelection<'_>],
        limit: u32,
        active_at: Option<i64>,
    ) -> Result<Vec<MintRecord>>;
    /// Whether the audit knows `jti` and it lies in one of `selections`.
    fn is_mint_in(&mut self, jti: &str, selections: &[MintSelection<'_>]) -> Result<bool>;
    /// The expiry of an audited token, if the audit knows the jti.
    fn get_mint_exp(&mut self, jti: &str) -> Result<Option<i64>>;
    /// The audit entry of one jti, if the audit knows it.
    fn get_mint(&mut self, jti: &str) -> Result<Option<MintRecord>>;

    /// Whether a jti is on the denylist.
    fn is_revoked(&mut self, jti: &str) -> Result<bool>;
    /// Whether any of `jtis` is on the denylist, in one statement: a token and the tokens it
    /// was exchanged from (at most `max_delegation_depth` + 1 jtis).
    fn is_any_revoked(&mut self, jtis: &[&str]) -> Result<bool>;

    /// The denylist entry of one jti, if it is revoked.
    fn get_revocation(&mut self, jti: &str) -> Result<Option<Revocation>>;
    /// The entries revoked at or after `since` that still matter at `now`, newest first.
    fn list_revocations(&mut self, since: i64, now: i64) -> Result<Vec<Revocation>>;
    /// The denylist's version: it changes with every change of an entry, so a copy read at one
    /// version is current while it holds.
    fn get_revocations_version(&mut self) -> Result<i64>;

    /// How many challenges are stored (pending, or expired and not yet pruned).
    fn count_challenges(&mut self) -> Result<u64>;
    /// How many challenges `client` holds.
    fn count_client_challenges(&mut self, client: &str) -> Result<u64>;

    /// The failure counter stored under `key`, if any (it may be older than anyone remembers:
    /// pruning is periodic).
    fn get_login_failures(&mut self, key: &[u8; 32]) -> Result<Option<LoginFailures>>;
    /// How many failure counters are stored.
    fn count_login_failures(&mut self) -> Result<u64>;

    /// The group with this id, if any.
    fn get_group(&mut self, id: &str) -> Result<Option<Group>>;
    /// Every group, or those of one organisation, by organisation and name.
    fn list_groups(&mut self, org_id: Option<&str>) -> Result<Vec<Group>>;
    /// The groups called `name` (exactly), in one organisation or in any.
    fn list_groups_named(&mut self, name: &str, org_id: Option<&str>) -> Result<Vec<Group>>;
    /// The members of a group, in the order they joined.
    fn list_group_members(&mut self, group_id: &str) -> Result<Vec<GroupMember>>;
    /// The ids of the groups an account belongs to, in id order: its `groups` claim.
    fn list_user_group_ids(&mut self, user_id: &str) -> Result<Vec<String>>;
    /// How many groups an organisation has.
    fn count_groups(&mut self, org_id: &str) -> Result<u64>;
    /// How many members a group has.
    fn count_group_members(&mut self, group_id: &str) -> Result<u64>;
    /// How many groups an account belongs to.
    fn count_user_groups(&mut self, user_id: &str) -> Result<u64>;
    /// Whether an account is a member of a group.
    fn is_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool>;
    /// Whether `POST /register` is open, as last set at run time (`PUT /users/registration`,
    /// `picoauth users registration`); `None` while it was never set, when the
    /// `registration_enabled` setting decides.
    fn get_registration_enabled(&mut self) -> Result<Option<RuntimeSetting<bool>>>;
    /// The machine client with this id.
    fn get_client(&mut self, client_id: &str) -> Result<Option<OAuthClient>>;
    /// Every machine client, by id.
    fn list_clients(&mut self) -> Result<Vec<OAuthClient>>;
}

/// What a write transaction can change, on top of what it can read. Run only inside
/// [`Store::write`], whose closure may run more than once (see the module invariants).
///
/// Every method fails as the [`ReadTransaction`] ones do, plus the kinds it names.
pub trait WriteTransaction: ReadTransaction {
    /// Inserts a new account; `Conflict` if the email (or id) exists.
    fn insert_user(&mut self, user: &User) -> Result<()>;
    /// Inserts an account unless its email or id is taken; whether it was inserted. Atomic, so
    /// of two processes bootstrapping the same admin at once exactly one inserts it.
    fn insert_user_if_absent(&mut self, user: &User) -> Result<bool>;
    /// Sets an account's role; `NotFound` if there is no such account.
    fn update_role(&mut self, id: &str, role: Role) -> Result<()>;
    /// Replaces an account's password hash; `NotFound` if there is no such account.
    fn update_password_hash(&mut self, id: &str, password_hash: &str) -> Result<()>;
    /// Sets an account's status; `NotFound` if there is no such account.
    fn update_status(&mut self, id: &str, status: UserStatus) -> Result<()>;
    /// Deletes an account, its refresh tokens and its group memberships (foreign keys
    /// cascade); `NotFound` if there is no such account.
    fn delete_user(&mut self, id: &str) -> Result<()>;
    /// Records a successful login.
    fn update_last_login(&mut self, id: &str, now: i64) -> Result<()>;

    /// Stores a new refresh token's hash.
    fn insert_refresh_token(&mut self, token: &NewRefreshToken<'_>) -> Result<()>;
    /// Marks the token used at `now` if it has not been used: one conditional update
    /// (`… WHERE rotated_at IS NULL RETURNING …`), so of any number of concurrent calls for one
    /// token exactly one gets [`RefreshRotation::Rotated`]; the others see a replay.
    fn rotate_refresh_token(&mut self, token_hash: &[u8], now: i64) -> Result<RefreshRotation>;
    /// Deletes a whole chain (reuse detected, expired, or its owner may no longer sign in).
    fn delete_family(&mut self, family_id: &str) -> Result<()>;
    /// Deletes every chain that issued the access token `access_jti` (its session is
    /// revoked); how many refresh tokens went.
    fn delete_families_of_access_token(&mut self, access_jti: &str) -> Result<usize>;
    /// Deletes every refresh token of an account (password or role change, disable, delete).
    fn delete_user_refresh_tokens(&mut self, user_id: &str) -> Result<usize>;
    /// Deletes the tokens of chains that have ended at `now`; they can detect nothing any more.
    fn delete_expired_refresh_tokens(&mut self, now: i64) -> Result<usize>;

    /// Records a new signing key.
    fn insert_signing_key(&mut self, record: &SigningKeyRecord) -> Result<()>;
    /// Records `record` only if no signing key is recorded yet; whether it was. Of two
    /// processes starting on an empty database at once, one key wins.
    fn insert_first_signing_key(&mut self, record: &SigningKeyRecord) -> Result<bool>;
    /// Stops a key from signing (if it still does) and publishes it until `published_until`;
    /// `NotFound` for an unknown kid.
    fn update_key_retirement(&mut self, kid: &str, now: i64, published_until: i64) -> Result<()>;
    /// Stores a sealed private key under `name` unless one is stored there already; whether it
    /// was (two processes creating the refresh-token key at once keep the first).
    fn insert_sealed_key(&mut self, name: &str, sealed: &[u8], now: i64) -> Result<bool>;

    /// Records a minted token (`id` and `revoked` are ignored: the row gets the next place in
    /// the audit, and revocation is derived when listing).
    fn insert_mint(&mut self, record: &MintRecord) -> Result<()>;
    /// Deletes at most `limit` audit rows of tokens that expired at or before `expired_by`
    /// (through an index on `exp`); how many were deleted.
    fn delete_expired_mints(&mut self, expired_by: i64, limit: usize) -> Result<usize>;

    /// Adds `revocation` unless the jti is already revoked (the first entry always stays);
    /// returns the entry stored afterwards. `expires_at` is when the entry stops mattering.
    fn insert_revocation(&mut self, revocation: &Revocation, expires_at: i64)
    -> Result<Revocation>;
    /// Deletes entries of tokens that have expired at `now`: a dead token needs no entry.
    fn delete_expired_revocations(&mut self, now: i64) -> Result<usize>;
    /// Puts on the denylist, as `revocation` says (its `jti` is the parent's), the audited
    /// tokens exchanged from that jti, directly or through others (by `parent_jti`, at most
    /// `max_depth` hops down), that have not expired at `revocation.revoked_at` and are not
    /// on it yet: at most `limit`, in one statement, each kept until its own `exp`. How many
    /// were added.
    fn revoke_descendants(
        &mut self,
        revocation: &Revocation,
        max_depth: u32,
        limit: u32,
    ) -> Result<usize>;

    /// Stores a new challenge within `limits`: a client at its quota loses its own oldest; a
    /// full store loses its expired challenges first, then the oldest of the client holding
    /// the most. Never refuses.
    fn insert_challenge(
        &mut self,
        new: &NewChallenge<'_>,
        limits: ChallengeLimits,
    ) -> Result<Evicted>;
    /// Removes a challenge and returns it, in one statement (`DELETE … RETURNING`), so two
    /// attempts can never both get it.
    fn take_challenge(&mut self, challenge: &str) -> Result<Option<PendingChallenge>>;
    /// Deletes the challenges that can no longer be used at `now`.
    fn delete_expired_challenges(&mut self, now: i64) -> Result<usize>;

    /// Counts one more failure on the counter under `key`, recorded at `now_ms`, and returns
    /// its count: one statement (`INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1
    /// … RETURNING`), so processes racing on one counter never lose an increment. A counter
    /// whose last failure was before `forget_before_ms` starts again from 1.
    fn record_login_failure(
        &mut self,
        key: &[u8; 32],
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32>;
    /// Deletes the counter under `key` (a success); how many went (0 or 1).
    fn delete_login_failures(&mut self, key: &[u8; 32]) -> Result<usize>;
    /// Deletes the counters whose last failure was before `failed_before_ms`.
    fn delete_expired_login_failures(&mut self, failed_before_ms: i64) -> Result<usize>;
    /// Deletes counters until at most `max_rows` are left: those holding the fewest failures
    /// first, and of those the least recently failed (index `login_failures_by_weight`), so
    /// that flushing a counter that holds many failures takes as many counters holding as many.
    /// Never refuses a new counter; how many went.
    fn delete_excess_login_failures(&mut self, max_rows: u64) -> Result<usize>;

    /// Inserts a group unless its id, or its name in its organisation, is taken; whether it
    /// was (`INSERT … ON CONFLICT DO NOTHING`: a taken name leaves the transaction usable).
    fn insert_group(&mut self, group: &Group) -> Result<bool>;
    /// Sets a group's name and description (by id); whether the group exists. The caller
    /// checks the name is free first (`Conflict` if it is not, where the backend can say so).
    fn update_group(&mut self, group: &Group) -> Result<bool>;
    /// Deletes a group and its memberships; whether it existed.
    fn delete_group(&mut self, id: &str) -> Result<bool>;
    /// Adds a membership unless it exists; whether it was added. The group and the account
    /// must exist (foreign keys).
    fn insert_group_member(&mut self, member: &GroupMember) -> Result<bool>;
    /// Deletes a membership; whether it existed.
    fn delete_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool>;
    /// Stores whether `POST /register` is open, replacing what was set before; it wins over
    /// the `registration_enabled` setting from then on, for every process on the database.
    fn set_registration_enabled(&mut self, setting: &RuntimeSetting<bool>) -> Result<()>;
    /// Adds a machine client; `Conflict` if the id exists.
    fn insert_client(&mut self, client: &OAuthClient) -> Result<()>;
    /// Replaces a client's secret hashes (a rotation); `NotFound` for an unknown id.
    fn update_client_secret(
        &mut self,
        client_id: &str,
        secret_hash: &[u8],
        previous_secret_hash: Option<&[u8]>,
        previous_valid_until: Option<i64>,
    ) -> Result<()>;
    /// Deletes a machine client; whether there was one.
    fn delete_client(&mut self, client_id: &str) -> Result<bool>;
}

// ---------------------------------------------------------------------------------------------
// The store.

/// Where the database is, as the `db` setting names it.
#[derive(Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL (which may carry a password).
    Postgres(String),
}

impl DbLocation {
    /// Reads the `db` setting: a `postgres://` or `postgresql://` URL names PostgreSQL
    /// (API.md §11), anything else is the path of a SQLite file.
    pub fn from_setting(db: &Path) -> DbLocation {
        match db.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                DbLocation::Postgres(url.to_owned())
            }
            _ => DbLocation::Sqlite(db.to_owned()),
        }
    }

    /// Reads a value that must name a PostgreSQL database (`migrate-db --to`).
    ///
    /// # Errors
    /// `InvalidInput` for anything but a `postgres://` or `postgresql://` URL.
    pub fn migration_target(url: &str) -> Result<DbLocation> {
        match DbLocation::from_setting(Path::new(url)) {
            location @ DbLocation::Postgres(_) => Ok(location),
            DbLocation::Sqlite(_) => Err(Error::invalid_input(
                "--to must be a postgres:// or postgresql:// URL",
            )),
        }
    }
}

impl std::fmt::Debug for DbLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbLocation::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            // The URL may carry a password.
            DbLocation::Postgres(_) => f.write_str("Postgres([redacted])"),
        }
    }
}

/// The database: one backend, chosen at open.
pub struct Store {
    /// The backend every transaction runs on.
    backend: Backend,
}

/// The backends picoauth can store in.
enum Backend {
    /// One SQLite file (WAL, one writer per process).
    Sqlite(sqlite::SqliteStore),
    /// A PostgreSQL database (a pool of connections, serializable writes retried).
    Postgres(postgres::PgStore),
}

impl Store {
    /// Opens the database at `location`, creating and migrating it as needed (a SQLite file is
    /// created with mode 0600).
    ///
    /// # Errors
    /// `InvalidInput` for a PostgreSQL URL that does not parse; `Storage` if the database
    /// cannot be created, opened or migrated (or is from a newer picoauth); `Unavailable` if
    /// another process holds the write lock past the busy timeout, or the PostgreSQL server
    /// cannot be reached.
    pub fn open(location: &DbLocation) -> Result<Store> {
        match location {
            DbLocation::Sqlite(path) => Ok(Store {
                backend: Backend::Sqlite(sqlite::SqliteStore::open(path)?),
            }),
            DbLocation::Postgres(url) => Ok(Store {
                backend: Backend::Postgres(postgres::PgStore::open(url)?),
            }),
        }
    }

    /// Opens a database picoauth has used before, for admin commands: a SQLite file that does
    /// not exist, or a PostgreSQL database without picoauth's schema, is refused (a mistyped
    /// `--db` must not become a new, empty deployment). Migrates it if it is older.
    ///
    /// # Errors
    /// `InvalidInput` for a missing database; otherwise as [`Store::open`].
    pub fn open_existing(location: &DbLocation) -> Result<Store> {
        match location {
            DbLocation::Sqlite(path) if !path.exists() => Err(Error::invalid_input(format!(
                "no database at {} — start `picoauth serve` once, or point --db (PICOAUTH_DB) at it",
                path.display()
            ))),
            DbLocation::Sqlite(_) => Store::open(location),
            DbLocation::Postgres(url) => Ok(Store {
                backend: Backend::Postgres(postgres::PgStore::open_existing(url)?),
            }),
        }
    }

    /// Runs read-only `work` in a read transaction. Use [`Store::write`] for anything that
    /// changes the database.
    ///
    /// # Errors
    /// Whatever `work` returns, or `Storage`/`Unavailable` if the backend fails.
    pub fn read<T>(&self, work: impl FnOnce(&mut dyn ReadTransaction) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.read(work),
            Backend::Postgres(postgres) => postgres.read(work),
        }
    }

    /// Runs `work` in a serializable write transaction, committed if `work` returns `Ok` and
    /// rolled back if it returns `Err`.
    ///
    /// `work` may run more than once: a backend with optimistic concurrency (PostgreSQL
    /// SERIALIZABLE) runs it again after a serialization failure, on a fresh transaction. It
    /// must therefore do nothing outside the transaction that a second run would repeat
    /// harmfully: hash, sign and generate keys before calling `write`, log after it returns.
    /// Fresh random ids generated inside are fine, since only the committed run's survive.
    ///
    /// # Errors
    /// Whatever `work` returns, `Unavailable` if the database stayed locked or out of reach,
    /// `Storage` if the backend fails.
    pub fn write<T>(&self, work: impl FnMut(&mut dyn WriteTransaction) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.write(work),
            Backend::Postgres(postgres) => postgres.write(work),
        }
    }

    /// Copies this database (SQLite) into `target` (PostgreSQL, empty), with `keys` sealed for
    /// it, in one transaction (`picoauth migrate-db`); the rows copied per table.
    ///
    /// # Errors
    /// `InvalidInput` unless this is SQLite and `target` PostgreSQL; `Conflict` if `target`
    /// is not empty (nothing is written then); `Storage`/`Unavailable` if a database fails.
    pub fn copy_into(
        &self,
        target: &Store,
        keys: &[SealedKey],
        now: i64,
    ) -> Result<Vec<CopiedTable>> {
        match (&self.backend, &target.backend) {
            (Backend::Sqlite(source), Backend::Postgres(target)) => {
                copy::sqlite_to_postgres(source, target, keys, now)
            }
            _ => Err(Error::invalid_input(
                "migrate-db copies a SQLite database into a PostgreSQL one",
            )),
        }
    }

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// `Storage` or `Unavailable` when it does not.
    pub fn ping(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.ping(),
            Backend::Postgres(postgres) => postgres.ping(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The atomic operations' promises, through the backend-neutral interface.

    use super::*;
    use crate::error::{Error, ErrorKind};

    /// A store on a fresh SQLite file, removed when dropped.
    struct TempStore {
        store: Store,
        dir: PathBuf,
    }

    impl Drop for TempStore {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn temp_store(name: &str) -> TempStore {
        let dir =
            std::env::temp_dir().join(format!("picoauth-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&DbLocation::Sqlite(dir.join("picoauth.db"))).unwrap();
        TempStore { store, dir }
    }

    fn user(id: &str, email: &str) -> User {
        User {
            id: id.to_owned(),
            email: email.to_owned(),
            display_name: String::new(),
            password_hash: "x".to_owned(),
            role: Role::Superadmin,
            org_id: "default".to_owned(),
            status: UserStatus::Active,
            created_at: 0,
            last_login_at: None,
        }
    }

    #[test]
    fn a_refresh_token_rotates_once_and_the_second_call_sees_a_replay() {
        let temp = temp_store("rotate");
        let owner = RefreshOwner::Wallet {
            address: "0xabc".to_owned(),
            algorithm: "Ed25519".to_owned(),
        };
        temp.store
            .write(|transaction| {
                transaction.insert_refresh_token(&NewRefreshToken {
                    token_hash: b"hash",
                    family_id: "family",
                    owner: &owner,
                    access_jti: "jti",
                    issued_at: 10,
                    expires_at: 100,
                })
            })
            .unwrap();
        let first = temp
            .store
            .write(|transaction| transaction.rotate_refresh_token(b"hash", 20))
            .unwrap();
        let record = RefreshRecord {
            family_id: "family".to_owned(),
            owner: owner.clone(),
            expires_at: 100,
            rotated_at: Some(20),
        };
        assert_eq!(first, RefreshRotation::Rotated(record.clone()));
        let second = temp
            .store
            .write(|transaction| transaction.rotate_refresh_token(b"hash", 30))
            .unwrap();
        assert_eq!(second, RefreshRotation::AlreadyRotated(record));
        let unknown = temp
            .store
            .write(|transaction| transaction.rotate_refresh_token(b"other", 30))
            .unwrap();
        assert_eq!(unknown, RefreshRotation::Unknown);
    }

    #[test]
    fn a_challenge_is_taken_once() {
        let temp = temp_store("take");
        let limits = ChallengeLimits {
            max_pending: 10,
            client_quota: 3,
        };
        temp.store
            .write(|transaction| {
                transaction.insert_challenge(
                    &NewChallenge {
                        challenge: "c1",
                        address: "0xabc",
                        client: "client",
                        created_at: 0,
                        expires_at: 60,
                    },
                    limits,
                )
            })
            .unwrap();
        let take = || {
            temp.store
                .write(|transaction| transaction.take_challenge("c1"))
                .unwrap()
        };
        assert_eq!(
            take(),
            Some(PendingChallenge {
                address: "0xabc".to_owned(),
                expires_at: 60,
            })
        );
        assert_eq!(take(), None);
        let counts = temp
            .store
            .read(|transaction| {
                Ok((
                    transaction.count_challenges()?,
                    transaction.count_client_challenges("client")?,
                ))
            })
            .unwrap();
        assert_eq!(counts, (0, 0));
    }

    #[test]
    fn a_user_is_inserted_if_absent_once() {
        let temp = temp_store("user-if-absent");
        let insert = |id: &str, email: &str| {
            temp.store
                .write(|transaction| transaction.insert_user_if_absent(&user(id, email)))
                .unwrap()
        };
        assert!(insert("u1", "admin@example.com"));
        assert!(!insert("u2", "admin@example.com"), "the email is taken");
        assert!(!insert("u1", "other@example.com"), "the id is taken");
        let n_superadmins = temp
            .store
            .read(|transaction| transaction.count_with_role(Role::Superadmin))
            .unwrap();
        assert_eq!(n_superadmins, 1);
        let error = temp
            .store
            .write(|transaction| transaction.insert_user(&user("u3", "admin@example.com")))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
    }

    #[test]
    fn only_the_first_signing_key_is_inserted_as_first() {
        let temp = temp_store("first-key");
        let record = |kid: &str| SigningKeyRecord {
            kid: kid.to_owned(),
            algorithm: "RS256".to_owned(),
            created_at: 0,
            deactivated_at: None,
            published_until: None,
        };
        let first = |kid: &str| {
            temp.store
                .write(|transaction| transaction.insert_first_signing_key(&record(kid)))
                .unwrap()
        };
        assert!(first("k1"));
        assert!(!first("k2"));
        let kids: Vec<String> = temp
            .store
            .read(|transaction| transaction.list_signing_keys())
            .unwrap()
            .into_iter()
            .map(|record| record.kid)
            .collect();
        assert_eq!(kids, ["k1"]);
        let version = temp
            .store
            .read(|transaction| transaction.get_signing_keys_version())
            .unwrap();
        assert_eq!(version, 1, "the version moved once");
    }

    /// The failed-login counters' promises, on whichever backend `store` is.
    pub(super) fn check_login_failures(store: &Store) {
        let record = |key: &[u8; 32], now_ms: i64, forget_before_ms: i64| {
            store
                .write(|transaction| {
                    transaction.record_login_failure(key, now_ms, forget_before_ms)
                })
                .unwrap()
        };
        let get = |key: &[u8; 32]| {
            store
                .read(|transaction| transaction.get_login_failures(key))
                .unwrap()
        };
        let delete = |key: &[u8; 32]| {
            store
                .write(|transaction| transaction.delete_login_failures(key))
                .unwrap()
        };
        let count = || {
            store
                .read(|transaction| transaction.count_login_failures())
                .unwrap()
        };
        let key = [1u8; 32];
        assert_eq!(get(&key), None);
        assert_eq!(record(&key, 1_000, 0), 1);
        assert_eq!(record(&key, 2_000, 0), 2);
        // A replica whose clock runs behind counts too, without moving the time back.
        assert_eq!(record(&key, 1_500, 0), 3);
        let three = LoginFailures {
            failures: 3,
            failed_at_ms: 2_000,
        };
        assert_eq!(get(&key), Some(three));
        assert_eq!(get(&[2u8; 32]), None, "keys are compared whole");
        // Quiet since before the memory horizon: it starts again.
        assert_eq!(record(&key, 10_000, 5_000), 1);
        assert_eq!(
            get(&key),
            Some(LoginFailures {
                failures: 1,
                failed_at_ms: 10_000
            })
        );
        assert_eq!(delete(&key), 1);
        assert_eq!(delete(&key), 0);
        assert_eq!(get(&key), None);

        // Pruning: strictly before the horizon goes.
        for (n, failed_at_ms) in [(1u8, 1_000), (2, 2_000), (3, 3_000)] {
            record(&[n; 32], failed_at_ms, 0);
        }
        let expired = store
            .write(|transaction| transaction.delete_expired_login_failures(2_000))
            .unwrap();
        assert_eq!(expired, 1);
        assert_eq!(get(&[1; 32]), None);
        assert_eq!(count(), 2);

        // The cap evicts the counters holding fewest failures, the least recent first.
        record(&[3; 32], 3_100, 0);
        record(&[3; 32], 3_200, 0); // 3 failures, at 3,200
        record(&[4; 32], 4_000, 0); // 1 failure, the newest
        record(&[5; 32], 500, 0);
        record(&[5; 32], 600, 0); // 2 failures, the oldest
        // [2]: 1 failure at 2,000.
        let evicted = store
            .write(|transaction| transaction.delete_excess_login_failures(2))
            .unwrap();
        assert_eq!(evicted, 2);
        assert_eq!(count(), 2);
        assert_eq!(get(&[2; 32]), None, "one failure, and older than [4]'s");
        assert_eq!(get(&[4; 32]), None, "one failure, however new");
        assert_eq!(get(&[3; 32]).map(|stored| stored.failures), Some(3));
        assert_eq!(get(&[5; 32]).map(|stored| stored.failures), Some(2));
        let evicted = store
            .write(|transaction| transaction.delete_excess_login_failures(2))
            .unwrap();
        assert_eq!(evicted, 0, "within the cap nothing goes");
    }

    /// `n` threads, each counting `per_thread` failures on one key through `stores` in turn:
    /// the counts returned are exactly 1 to n × per_thread, each once.
    pub(super) fn check_racing_failures_are_all_counted(
        stores: &[Store],
        n: usize,
        per_thread: usize,
    ) {
        let key = [7u8; 32];
        let barrier = std::sync::Barrier::new(n);
        let mut counts: Vec<u32> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n)
                .map(|index| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        (0..per_thread)
                            .map(|_| {
                                stores[index % stores.len()]
                                    .write(|transaction| {
                                        transaction.record_login_failure(&key, 1_000, 0)
                                    })
                                    .unwrap()
                            })
                            .collect::<Vec<u32>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap())
                .collect()
        });
        counts.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(n * per_thread).unwrap()).collect();
        assert_eq!(counts, expected, "no increment lost, none counted twice");
        let stored = stores[0]
            .read(|transaction| transaction.get_login_failures(&key))
            .unwrap();
        assert_eq!(
            stored.map(|stored| stored.failures),
            expected.last().copied()
        );
    }

    /// The registration switch's promises, on whichever backend `store` is: unset until set,
    /// then the last value written, by whom and when; seen by a second store on the database.
    pub(super) fn check_registration_switch(store: &Store, second: &Store) {
        let get = |store: &Store| {
            store
                .read(|transaction| transaction.get_registration_enabled())
                .unwrap()
        };
        assert_eq!(get(store), None, "never set");
        for (value, at) in [(false, 10), (true, 20), (false, 30)] {
            let setting = RuntimeSetting {
                value,
                updated_at: at,
                updated_by: format!("cli:op{at}"),
            };
            store
                .write(|transaction| transaction.set_registration_enabled(&setting))
                .unwrap();
            assert_eq!(get(store), Some(setting.clone()));
            assert_eq!(get(second), Some(setting), "another process sees it");
        }
    }

    #[test]
    fn the_registration_switch_is_stored_and_replaced() {
        let temp = temp_store("registration");
        let second = Store::open(&DbLocation::Sqlite(temp.dir.join("picoauth.db"))).unwrap();
        check_registration_switch(&temp.store, &second);
    }

    /// The delegation audit's promises (RFC 8693 token exchange), on whichever backend
    /// `store` is: `parent_jti` is kept, a chain's jtis are checked in one read, and revoking
    /// a jti puts its live descendants on the denylist, within the depth and count bounds.
    pub(super) fn check_delegation_audit(store: &Store) {
        let mint = |jti: &str, parent: Option<&str>, exp: i64| MintRecord {
            id: 0,
            jti: jti.to_owned(),
            kind: "agent".to_owned(),
            sub: "planner".to_owned(),
            role: "agent".to_owned(),
            org_id: Some("default".to_owned()),
            iat: 0,
            exp,
            scope: Some("treasury:*".to_owned()),
            agent_id: None,
            session_id: None,
            minted_by: "client:planner".to_owned(),
            revoked: false,
            parent_jti: parent.map(str::to_owned),
        };
        // `user` (never audited) → a → b → c; `user` → expired; `other` stands apart.
        store
            .write(|transaction| {
                for record in [
                    mint("a", Some("user"), 100),
                    mint("b", Some("a"), 100),
                    mint("c", Some("b"), 90),
                    mint("expired", Some("user"), 5),
                    mint("other", None, 100),
                ] {
                    transaction.insert_mint(&record)?;
                }
                Ok(())
            })
            .unwrap();
        let stored = store
            .read(|transaction| transaction.get_mint("b"))
            .unwrap()
            .unwrap();
        assert_eq!(stored.parent_jti.as_deref(), Some("a"));
        let any_revoked = |jtis: &[&str]| {
            store
                .read(|transaction| transaction.is_any_revoked(jtis))
                .unwrap()
        };
        assert!(!any_revoked(&[]));
        assert!(!any_revoked(&["user", "a", "b"]));
        let revocation = |jti: &str, at: i64| Revocation {
            jti: jti.to_owned(),
            revoked_at: at,
            reason: format!("exchanged from revoked {jti}"),
            revoked_by: "cli:root".to_owned(),
        };
        let revoke = |jti: &str, at: i64, max_depth: u32, limit: u32| {
            store
                .write(|transaction| {
                    transaction.revoke_descendants(&revocation(jti, at), max_depth, limit)
                })
                .unwrap()
        };
        // Bounded in depth, then in count.
        assert_eq!(revoke("user", 10, 1, 100), 1, "a only: one hop");
        assert!(any_revoked(&["other", "a"]));
        assert!(!any_revoked(&["b", "c", "expired", "user", "other"]));
        assert_eq!(revoke("user", 11, 16, 1), 1, "b only: a is there already");
        assert!(any_revoked(&["b"]));
        assert_eq!(
            revoke("user", 12, 16, 100),
            1,
            "c: the expired one needs no entry"
        );
        assert_eq!(revoke("user", 13, 16, 100), 0, "idempotent");
        assert!(!any_revoked(&["expired"]));
        assert!(
            !any_revoked(&["user"]),
            "the parent's own entry is its caller's"
        );
        let entry = store
            .read(|transaction| transaction.get_revocation("c"))
            .unwrap()
            .unwrap();
        assert_eq!(entry.revoked_at, 12);
        assert_eq!(entry.reason, "exchanged from revoked user");
        // Each entry lasts as long as its own token.
        let pruned = store
            .write(|transaction| transaction.delete_expired_revocations(90))
            .unwrap();
        assert_eq!(pruned, 1, "c expired at 90");
        assert!(any_revoked(&["a"]) && any_revoked(&["b"]));
    }

    #[test]
    fn the_delegation_audit_finds_and_revokes_descendants() {
        let temp = temp_store("delegation");
        check_delegation_audit(&temp.store);
    }

    #[test]
    fn login_failures_count_forget_clear_and_stay_bounded() {
        let temp = temp_store("login-failures");
        check_login_failures(&temp.store);
    }

    /// The groups' promises, on whichever backend `store` is: names unique per organisation
    /// (a clash leaves the transaction usable), memberships once, and both foreign keys
    /// cascading (deleting an account through `delete_user`, or a group, drops its memberships).
    pub(super) fn check_groups(store: &Store) {
        let group = |id: &str, org_id: &str, name: &str| Group {
            id: id.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            org_id: org_id.to_owned(),
            created_at: 5,
        };
        store
            .write(|transaction| {
                transaction.insert_user(&user("u1", "a@example.com"))?;
                transaction.insert_user(&user("u2", "b@example.com"))?;
                assert!(transaction.insert_group(&group("g1", "default", "ops"))?);
                assert!(transaction.insert_group(&group("g2", "acme", "ops"))?);
                assert!(
                    !transaction.insert_group(&group("g3", "default", "ops"))?,
                    "the name is taken in its organisation"
                );
                assert!(
                    !transaction.insert_group(&group("g1", "acme", "other"))?,
                    "the id is taken"
                );
                // Still usable after the refused inserts.
                assert!(transaction.insert_group(&group("g3", "default", "dev"))?);
                for (group_id, user_id, joined_at) in [
                    ("g1", "u1", 10),
                    ("g1", "u2", 11),
                    ("g2", "u1", 12),
                    ("g3", "u1", 13),
                ] {
                    assert!(transaction.insert_group_member(&GroupMember {
                        group_id: group_id.to_owned(),
                        user_id: user_id.to_owned(),
                        joined_at,
                    })?);
                }
                assert!(!transaction.insert_group_member(&GroupMember {
                    group_id: "g1".to_owned(),
                    user_id: "u1".to_owned(),
                    joined_at: 20,
                })?);
                Ok(())
            })
            .unwrap();
        store
            .read(|transaction| {
                let names: Vec<String> = transaction
                    .list_groups(None)?
                    .into_iter()
                    .map(|group| format!("{}/{}", group.org_id, group.name))
                    .collect();
                assert_eq!(names, ["acme/ops", "default/dev", "default/ops"]);
                assert_eq!(transaction.list_groups(Some("acme"))?.len(), 1);
                assert_eq!(transaction.list_groups_named("ops", None)?.len(), 2);
                assert_eq!(
                    transaction.list_groups_named("ops", Some("default"))?[0].id,
                    "g1"
                );
                assert_eq!(
                    transaction.get_group("g2")?,
                    Some(group("g2", "acme", "ops"))
                );
                assert_eq!(transaction.list_user_group_ids("u1")?, ["g1", "g2", "g3"]);
                let members: Vec<(String, i64)> = transaction
                    .list_group_members("g1")?
                    .into_iter()
                    .map(|member| (member.user_id, member.joined_at))
                    .collect();
                assert_eq!(members, [("u1".to_owned(), 10), ("u2".to_owned(), 11)]);
                assert_eq!(transaction.count_groups("default")?, 2);
                assert_eq!(transaction.count_group_members("g1")?, 2);
                assert_eq!(transaction.count_user_groups("u1")?, 3);
                assert!(transaction.is_group_member("g1", "u2")?);
                Ok(())
            })
            .unwrap();
        store
            .write(|transaction| {
                let mut renamed = group("g3", "default", "sre");
                renamed.description = "on call".to_owned();
                assert!(transaction.update_group(&renamed)?);
                assert!(!transaction.update_group(&group("nope", "default", "x"))?);
                assert!(transaction.delete_group_member("g1", "u2")?);
                assert!(!transaction.delete_group_member("g1", "u2")?);
                transaction.delete_user("u1")?;
                assert!(transaction.delete_group("g2")?);
                assert!(!transaction.delete_group("g2")?);
                Ok(())
            })
            .unwrap();
        store
            .read(|transaction| {
                assert_eq!(transaction.get_group("g3")?.unwrap().description, "on call");
                assert!(transaction.list_user_group_ids("u1")?.is_empty());
                assert_eq!(transaction.count_group_members("g1")?, 0);
                assert_eq!(transaction.count_group_members("g2")?, 0);
                assert_eq!(transaction.count_groups("acme")?, 0);
                Ok(())
            })
            .unwrap();
        // The foreign keys are enforced (SQLite: the connection's `foreign_keys` is on).
        for (group_id, user_id) in [("g1", "nobody"), ("nothing", "u2")] {
            let refused = store.write(|transaction| {
                transaction.insert_group_member(&GroupMember {
                    group_id: group_id.to_owned(),
                    user_id: user_id.to_owned(),
                    joined_at: 30,
                })
            });
            assert!(refused.is_err(), "{group_id}/{user_id}: {refused:?}");
        }
    }

    #[test]
    fn groups_are_unique_per_organisation_and_memberships_cascade() {
        let temp = temp_store("groups");
        check_groups(&temp.store);
    }

    /// The machine clients' promises, on whichever backend `store` is.
    pub(super) fn check_clients(store: &Store) {
        let client = OAuthClient {
            client_id: "billing".to_owned(),
            role: Role::Service,
            scopes: vec!["invoices:read".to_owned(), "invoices:write".to_owned()],
            ttl: 3600,
            secret_hash: vec![1; 32],
            previous_secret_hash: None,
            previous_valid_until: None,
            created_at: 7,
        };
        store
            .write(|transaction| transaction.insert_client(&client))
            .unwrap();
        let again = store
            .write(|transaction| transaction.insert_client(&client))
            .unwrap_err();
        assert_eq!(again.kind(), ErrorKind::Conflict);
        let get = |id: &str| {
            store
                .read(|transaction| transaction.get_client(id))
                .unwrap()
        };
        assert_eq!(get("billing"), Some(client.clone()));
        assert_eq!(get("nobody"), None);
        store
            .write(|transaction| {
                transaction.update_client_secret("billing", &[2; 32], Some(&[1; 32]), Some(99))
            })
            .unwrap();
        let rotated = get("billing").unwrap();
        assert_eq!(rotated.secret_hash, vec![2; 32]);
        assert_eq!(rotated.previous_secret_hash, Some(vec![1; 32]));
        assert_eq!(rotated.previous_valid_until, Some(99));
        let unknown = store
            .write(|transaction| transaction.update_client_secret("nobody", &[2; 32], None, None))
            .unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::NotFound);
        let listed = store
            .read(|transaction| transaction.list_clients())
            .unwrap();
        assert_eq!(listed, [rotated]);
        assert!(
            store
                .write(|transaction| transaction.delete_client("billing"))
                .unwrap()
        );
        assert!(
            !store
                .write(|transaction| transaction.delete_client("billing"))
                .unwrap()
        );
        assert_eq!(get("billing"), None);
    }

    #[test]
    fn clients_are_added_rotated_listed_and_deleted() {
        let temp = temp_store("clients");
        check_clients(&temp.store);
    }

    #[test]
    fn two_processes_on_one_file_never_lose_a_failure() {
        let temp = temp_store("login-failures-race");
        let second = Store::open(&DbLocation::Sqlite(temp.dir.join("picoauth.db"))).unwrap();
        let stores = [
            Store::open(&DbLocation::Sqlite(temp.dir.join("picoauth.db"))).unwrap(),
            second,
        ];
        check_racing_failures_are_all_counted(&stores, 8, 10);
    }

    #[test]
    fn a_rolled_back_write_leaves_nothing() {
        let temp = temp_store("rollback");
        let error = temp
            .store
            .write(|transaction| {
                transaction.insert_user(&user("u1", "a@example.com"))?;
                Err::<(), _>(Error::invalid_input("changed my mind"))
            })
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        let found = temp
            .store
            .read(|transaction| transaction.get_user_by_id("u1"))
            .unwrap();
        assert!(found.is_none());
    }

    #[test]
    fn a_postgres_url_is_not_a_path() {
        // Port 1 on loopback refuses at once: out of reach, which is `Unavailable` (503).
        for url in [
            "postgres://u:secret@127.0.0.1:1/picoauth?sslmode=disable",
            "postgresql://127.0.0.1:1/picoauth?sslmode=disable",
        ] {
            let location = DbLocation::from_setting(Path::new(url));
            assert_eq!(location, DbLocation::Postgres(url.to_owned()));
            assert!(!format!("{location:?}").contains("secret"));
            let error = Store::open(&location).err().unwrap();
            assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
            assert!(!format!("{error} {error:?}").contains("secret"));
        }
        for url in [
            "postgres://db/picoauth?sslmode=verify-full",
            "postgres://u:secret@db:notaport/picoauth",
        ] {
            let error = Store::open(&DbLocation::from_setting(Path::new(url)))
                .err()
                .unwrap();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
            assert!(!format!("{error} {error:?}").contains("secret"));
        }
        assert_eq!(
            DbLocation::from_setting(Path::new("postgres.db")),
            DbLocation::Sqlite(PathBuf::from("postgres.db"))
        );
    }

    /// The core names no database client: every backend detail stays behind the traits.
    #[test]
    fn the_core_names_no_database_client() {
        let app_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
        let mut files = Vec::new();
        let mut dirs = vec![app_dir];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|extension| extension == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 5, "found the core's files: {files:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for client in ["rusqlite", "postgres"] {
                assert!(
                    !text.contains(client),
                    "{} mentions {client}: the core talks to store's traits only",
                    path.display()
                );
            }
        }
    }
}
