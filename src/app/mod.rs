//! [`App`], the core both front doors call: configuration, the store, the keys, and every
//! operation of the product.
//!
//! `App` decides; it does not speak HTTP or parse command lines, and it never reads the clock:
//! every operation takes `now` (Unix seconds) from its caller. Its methods block (SQLite,
//! argon2, RSA), so the HTTP door calls them on the blocking pool. The operations are grouped
//! by what they touch: `accounts` (one's own account and session), `users` (administering
//! accounts), `groups` (groups of accounts and their memberships), `import` (accounts and
//! groups from pico-auth), `migrate` (a SQLite deployment copied to PostgreSQL), `fleet` (fleet
//! tokens, revocation, the mint audit), `operator` (what the operator's commands check first, and `inspect`'s verdict),
//! `signing` (the signing-key life cycle), `wallet` (challenges and wallet sign-in),
//! `login_failures` (the failed-login counters every process on the database shares), `clients`
//! (OAuth 2.0 machine clients, their tokens, introspection and RFC 7009 revocation),
//! `delegation` (RFC 8693 token exchange: agent tokens that only narrow).
//!
//! # Invariants
//! - The first signing key and the refresh-hashing key are created in one write transaction
//!   that records the key only if none is, so two processes starting at once end up with one
//!   key.
//! - Every token with a lifetime of at least `mint_audit_min_ttl` is written to the mint audit
//!   before it is handed out, in the transaction that decides to mint it.
//! - Every bearer token is checked against the revocation list in the database, so a
//!   `picoauth revoke` takes effect on a running server at its next request; likewise every
//!   use of the keys checks the signing keys' version, so `picoauth keygen --rotate` and
//!   `--retire` do too.
//! - Nobody but the CLI and a superadmin lists or revokes tokens outside its reach: an
//!   org_admin's organisation, an operator's own tokens, and fleet and wallet tokens.
//! - Rights are read from the database for user tokens, not from the token, so a demoted or
//!   disabled account loses them at once.
//! - Every user token carries `groups`, its account's group ids as the transaction that mints
//!   it reads them, so a membership change shows in the next token.

mod accounts;
mod clients;
pub mod delegation;
mod fleet;
mod groups;
mod import;
mod login_failures;
mod migrate;
mod operator;
mod shared_read;
mod signing;
mod users;
mod wallet;

use std::sync::{Arc, Mutex};

pub use accounts::{LoginError, MAX_EMAIL_LENGTH, Session, email_pseudonym};
pub use clients::{
    CLIENT_ROLES, ClientToken, DEFAULT_CLIENT_TTL, MAX_CLIENT_ID_LENGTH, NewClient,
    checked_client_id,
};
pub use fleet::{FleetToken, FleetTokenRequest};
pub use groups::{
    GroupChange, GroupRef, MAX_GROUP_DESCRIPTION_LENGTH, MAX_GROUP_MEMBERS, MAX_GROUP_NAME_LENGTH,
    MAX_GROUPS_PER_ORG, MAX_GROUPS_PER_USER, NewGroup,
};
pub use import::ImportReport;
pub use login_failures::{LOGIN_FAILURE_MEMORY_SECONDS, MAX_LOGIN_FAILURES};
pub use migrate::{MigratedTable, Migration};
pub use operator::{Inspection, KnownToken, OperatorRevocation, Rejection};
use shared_read::SharedRead;
use signing::KeyVault;
pub use signing::{KeyInfo, KeyMaterial};
pub use users::{MAX_ORG_ID_LENGTH, NewUser, check_org_id};
pub use wallet::{Challenge, SignInRequest, WalletSession};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::roles::Role;
use crate::store::{
    DbLocation, MintRecord, ReadTransaction, Store, User, UserStatus, WriteTransaction,
};
use crate::tokens::{self, Claims, Stamp, TokenKind};

/// The organisation of accounts created without one (pico-auth's default).
pub const DEFAULT_ORG: &str = "default";

/// The core: one per process, shared by every request or command.
pub struct App {
    /// Resolved settings; read by both doors (listen address, issuer for discovery).
    config: Config,
    /// The database every process on this file shares.
    store: Store,
    /// Where the private keys are: the key directory (SQLite) or the database (PostgreSQL).
    vault: KeyVault,
    /// The key material, loaded once (at open for `serve`, at first use for CLI commands, so
    /// that `revoke` and `list-mints` work without reading any key).
    key_material: Mutex<Option<Arc<KeyMaterial>>>,
    /// Held while keys are reloaded, so that the requests which all notice a rotation at once
    /// parse the key files once, not once each.
    key_reload: Mutex<()>,
    /// The reads of the signing keys' version that concurrent uses of the keys share on
    /// PostgreSQL (see `shared_read`).
    keys_version: SharedRead,
    /// The serialised denylist and the `revocations` version it was read at; see
    /// [`App::denylist_json`].
    denylist_cache: Mutex<Option<(i64, Arc<[u8]>)>>,
}

/// Who is asking.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    /// The operator at the command line, who holds the database file and the keys: all rights.
    /// Carries the operating-system user, for the audit.
    Cli(&'a str),
    /// A caller authenticated by an access token.
    Token(&'a Claims),
    /// A caller that presented a valid fleet secret (`POST /fleet/sessions`).
    FleetSecret,
}

impl Actor<'_> {
    /// How the audit and the denylist name this actor, as `kind:subject` so that no subject
    /// can pass for another kind: `cli:<os user>`, `user:<account id>`, `wallet:<address>`,
    /// `fleet:<session id>`; the fleet secret, which has no subject, is the endpoint it opens
    /// (`POST /fleet/sessions`), as logins are `POST /login`. A token's own claims (a fleet
    /// session id of `admin@pico.local`, say) never stand alone.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Cli(user) => format!("cli:{user}"),
            Actor::Token(claims) => {
                format!("{}:{}", kind_name(claims.kind()), claims.sub)
            }
            Actor::FleetSecret => "POST /fleet/sessions".to_owned(),
        }
    }
}

/// The admin account made on first start, and its password if picoauth generated it.
#[derive(Debug)]
pub struct BootstrappedAdmin {
    /// The admin's email.
    pub email: String,
    /// Set only when no password was configured: shown once, never stored in clear.
    pub generated_password: Option<String>,
}

impl App {
    /// Opens the database and the key directory for `serve`, creating both (and the first
    /// signing key) if they do not exist yet.
    ///
    /// # Errors
    /// `Storage`, `Unavailable` or `Keys` when the files cannot be opened or created.
    pub fn open(config: Config, now: i64) -> Result<App> {
        let location = DbLocation::from_setting(&config.db);
        // Before the database is touched: without its key-encryption key a PostgreSQL
        // deployment refuses to start, empty or not (API.md §11).
        let vault = KeyVault::for_location(&location, &config)?;
        vault.require()?;
        let store = Store::open(&location)?;
        let app = App::with_store(config, store, vault);
        app.create_first_key(app.config.token_algorithm, now)?;
        app.keys(now)?;
        Ok(app)
    }

    /// Opens an existing database for a CLI command; keys are loaded when first needed.
    ///
    /// # Errors
    /// `InvalidInput` if the database file does not exist, or the PostgreSQL database holds no
    /// picoauth schema (a mistyped `--db` must not create a new, empty database), `Storage` or
    /// `Unavailable` if it cannot be opened.
    pub fn open_existing(config: Config) -> Result<App> {
        let location = DbLocation::from_setting(&config.db);
        let vault = KeyVault::for_location(&location, &config)?;
        let store = Store::open_existing(&location)?;
        Ok(App::with_store(config, store, vault))
    }

    /// Opens the database, creating it if missing, without creating a key
    /// (`picoauth keygen` creates the first key itself).
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database cannot be opened or created.
    pub fn open_creating(config: Config) -> Result<App> {
        let location = DbLocation::from_setting(&config.db);
        let vault = KeyVault::for_location(&location, &config)?;
        vault.require()?;
        let store = Store::open(&location)?;
        Ok(App::with_store(config, store, vault))
    }

    fn with_store(config: Config, store: Store, vault: KeyVault) -> App {
        App {
            config,
            store,
            vault,
            key_material: Mutex::new(None),
            key_reload: Mutex::new(()),
            keys_version: SharedRead::default(),
            denylist_cache: Mutex::new(None),
        }
    }

    /// The resolved settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks that the database answers and the active key file is still readable.
    ///
    /// # Errors
    /// `Storage`, `Unavailable` or `Keys` naming what is not usable.
    pub fn check_ready(&self, now: i64) -> Result<()> {
        self.store.ping()?;
        let keys = self.keys(now)?;
        // Reading and parsing the key again, not just finding it: a key that a restart could
        // not load is not ready either.
        self.reload_active_key(keys.key_ring.active().kid())?;
        Ok(())
    }

    /// Checks a bearer access token: signature, issuer, audience, expiry, and the denylist,
    /// for its own jti and, for an agent token, every jti it was exchanged from
    /// (`parent_jtis`), in one read.
    ///
    /// # Errors
    /// `InvalidToken` if it does not pass or is revoked; `Keys` if no key can be loaded.
    pub fn authenticate(&self, token: &str, now: i64) -> Result<Claims> {
        // `keys` sees a rotation made by another process at once, so a kid this ring does not
        // know is not ours.
        let keys = self.keys(now)?;
        let claims = tokens::verify(
            &keys.key_ring,
            token,
            &self.config.issuer,
            &self.config.audience,
            now,
        )?;
        let (revoked, client_gone) = self.store.read(|transaction| {
            let revoked = transaction.is_any_revoked(&claims.chain_jtis())?;
            Ok((revoked, client_gone(transaction, &claims)?))
        })?;
        if revoked {
            return Err(Error::invalid_token(if claims.parent_jtis.is_some() {
                "the token, or a token it was exchanged from, has been revoked"
            } else {
                "the token has been revoked"
            }));
        }
        if client_gone {
            return Err(Error::invalid_token("the client of this token was deleted"));
        }
        Ok(claims)
    }

    /// Deletes what has stopped mattering: refresh tokens of ended chains, revocations of
    /// expired tokens, expired challenges, failed-login counters nobody remembers (and any
    /// past [`MAX_LOGIN_FAILURES`]), and the audit rows of tokens expired longer than
    /// `mint_audit_retention` (at most [`MINT_PRUNE_BATCHES`] × [`MINT_PRUNE_BATCH`] a call).
    /// Safe to run from any process at any time.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails.
    pub fn prune(&self, now: i64) -> Result<Pruned> {
        let mut pruned = self.store.write(|transaction| {
            Ok(Pruned {
                refresh_tokens: transaction.delete_expired_refresh_tokens(now)?,
                revocations: transaction.delete_expired_revocations(now)?,
                challenges: transaction.delete_expired_challenges(now)?,
                login_failures: 0,
                mints: 0,
            })
        })?;
        // Its own transaction: the count it takes reads the whole table, which on PostgreSQL
        // may meet a failure being counted and rerun; the rest of the prune need not rerun too.
        pruned.login_failures = self
            .store
            .write(|transaction| self.prune_login_failures(transaction, now))?;
        // The audit of expired tokens, in batches of their own transactions, so the writer is
        // never held for long; a backlog (a flood of sign-ins, a first prune after an upgrade)
        // is worked off over the next calls.
        let expired_by = now.saturating_sub(seconds(self.config.mint_audit_retention));
        for _ in 0..MINT_PRUNE_BATCHES {
            let deleted = self.store.write(|transaction| {
                transaction.delete_expired_mints(expired_by, MINT_PRUNE_BATCH)
            })?;
            pruned.mints += deleted;
            if deleted < MINT_PRUNE_BATCH {
                break;
            }
            // Let the writers that queued behind this batch go first.
            std::thread::yield_now();
        }
        Ok(pruned)
    }

    /// Creates the admin account if `auto_create_admin` is on and no superadmin exists.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails.
    pub fn bootstrap_admin(&self, now: i64) -> Result<Option<BootstrappedAdmin>> {
        if !self.config.auto_create_admin {
            return Ok(None);
        }
        let configured = self.config.admin_password.expose();
        let (password, generated) = if configured.is_empty() {
            (crate::password::generate()?, true)
        } else {
            // The operator's choice is honoured (pico-auth deployments may carry a short one),
            // but not silently.
            if let Err(weak) = crate::password::check_new(configured) {
                tracing::warn!(
                    "the configured admin_password is weak ({}); change it after the first login",
                    weak.detail()
                );
            }
            (configured.to_owned(), false)
        };
        let email = self.config.admin_email.clone();
        // Hashing first keeps the write lock short; the hash is wasted only when another
        // process bootstrapped in the meantime.
        let password_hash = crate::password::hash(&password)?;
        let bootstrap = self.store.write(|transaction| {
            if transaction.count_with_role(Role::Superadmin)? > 0 {
                return Ok(Bootstrap::AdminExists);
            }
            if transaction.get_user_by_email(&email)?.is_some() {
                return Ok(Bootstrap::EmailTaken);
            }
            // Insert-if-absent, so that of two processes bootstrapping at once (on a backend
            // without one write lock) one inserts and the other stands down.
            let inserted = transaction.insert_user_if_absent(&User {
                id: accounts::new_user_id()?,
                email: email.clone(),
                display_name: "Admin".to_owned(),
                password_hash: password_hash.clone(),
                role: Role::Superadmin,
                org_id: DEFAULT_ORG.to_owned(),
                status: UserStatus::Active,
                created_at: now,
                last_login_at: None,
            })?;
            Ok(if inserted {
                Bootstrap::Created
            } else {
                Bootstrap::AdminExists
            })
        })?;
        // Logged after the commit: the closure may run more than once.
        if bootstrap == Bootstrap::EmailTaken {
            tracing::warn!(
                email,
                "not bootstrapping an admin: the admin email belongs to an account that is not a superadmin"
            );
        }
        let created = bootstrap == Bootstrap::Created;
        Ok(created.then(|| BootstrappedAdmin {
            email,
            generated_password: generated.then_some(password),
        }))
    }

    /// Claims with the shared members filled in for a token living `ttl` seconds from `now`.
    fn claims(&self, sub: &str, role: Role, now: i64, ttl: u64) -> Result<Claims> {
        Stamp {
            issuer: &self.config.issuer,
            audience: &self.config.audience,
            now,
            ttl,
        }
        .claims(sub, role)
    }

    /// Writes `claims` to the mint audit if the token lives long enough to be audited. Call it
    /// inside the transaction that decides to mint, before the token is signed.
    fn audit_mint(
        &self,
        transaction: &mut dyn WriteTransaction,
        claims: &Claims,
        minted_by: &str,
    ) -> Result<()> {
        let ttl = claims.exp.saturating_sub(claims.iat);
        if ttl < seconds(self.config.mint_audit_min_ttl) {
            return Ok(());
        }
        transaction.insert_mint(&MintRecord {
            jti: claims.jti.clone(),
            kind: kind_name(claims.kind()).to_owned(),
            sub: claims.sub.clone(),
            role: claims.role.as_str().to_owned(),
            iat: claims.iat,
            exp: claims.exp,
            scope: claims.scope.clone(),
            agent_id: claims.agent_id.clone(),
            session_id: claims.session_id.clone(),
            minted_by: minted_by.to_owned(),
            revoked: false,
            id: 0,
            org_id: claims.org_id.clone(),
            parent_jti: None,
        })
    }

    /// Signs `claims` with the active key.
    fn sign(&self, claims: &Claims) -> Result<String> {
        sign_with(&*self.keys(claims.iat)?, claims)
    }

    /// Fails unless the actor holds one of `allowed` (the CLI holds every role). For user
    /// tokens the role is today's role in the database.
    fn require_role(
        &self,
        transaction: &mut dyn ReadTransaction,
        actor: Actor<'_>,
        allowed: &[Role],
    ) -> Result<()> {
        let role = match actor {
            Actor::Cli(_) => return Ok(()),
            Actor::FleetSecret => None,
            Actor::Token(claims) if claims.kind() == TokenKind::User => {
                Some(token_user(transaction, claims)?.role)
            }
            Actor::Token(claims) => Some(claims.role),
        };
        if role.is_some_and(|role| allowed.contains(&role)) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|role| role.as_str()).collect();
        Err(Error::forbidden(format!(
            "this needs one of the roles {}",
            names.join(", ")
        )))
    }
}

/// How [`App::bootstrap_admin`]'s transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bootstrap {
    /// It made the admin.
    Created,
    /// A superadmin exists (or another process made the admin at the same time).
    AdminExists,
    /// The admin email belongs to an account that is not a superadmin.
    EmailTaken,
}

/// The most audit rows one transaction of [`App::prune`] deletes.
pub const MINT_PRUNE_BATCH: usize = 10_000;
/// The most such transactions one call runs: `serve` prunes every minute, so the audit keeps up
/// with about 16,000 audited tokens a second, several times what RS256 signing reaches.
pub const MINT_PRUNE_BATCHES: usize = 100;

/// What [`App::prune`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Refresh tokens of ended chains.
    pub refresh_tokens: usize,
    /// Denylist entries of expired tokens.
    pub revocations: usize,
    /// Challenges past their lifetime.
    pub challenges: usize,
    /// Failed-login counters nobody remembers, and any past the cap.
    pub login_failures: usize,
    /// Audit rows of tokens expired longer than `mint_audit_retention`.
    pub mints: usize,
}

/// How the audit and `kind:subject` names call a kind of token.
fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::User => "user",
        TokenKind::Wallet => "wallet",
        TokenKind::Fleet => "fleet",
        TokenKind::Client => "client",
        TokenKind::Agent => "agent",
    }
}

/// Signs `claims` with the active key of `keys`: for a request that loaded its keys once and
/// uses them throughout (one read of the signing keys' version per request).
fn sign_with(keys: &KeyMaterial, claims: &Claims) -> Result<String> {
    tokens::mint(keys.key_ring.active(), claims)
}

/// The active account behind a user token.
/// The machine client a token was issued to: a `client_credentials` token's `client_id`, an
/// exchanged agent token's acting client (`sub`); `None` for the other kinds.
fn token_client(claims: &Claims) -> Option<&str> {
    match claims.kind() {
        TokenKind::Client => claims.client_id.as_deref(),
        TokenKind::Agent => Some(claims.sub.as_str()),
        _ => None,
    }
}

/// Whether the machine client of a token is gone (API.md §10: a deleted client's tokens end
/// with it): its own `client_credentials` tokens, and those it got as an actor by token
/// exchange (`sub` is the acting client). A client deleted and added again under the same id
/// is another client: tokens issued before its `created_at` were the old one's and stay dead
/// (a re-added id must not revive them, with the old role and scopes).
fn client_gone(transaction: &mut dyn ReadTransaction, claims: &Claims) -> Result<bool> {
    let Some(client_id) = token_client(claims) else {
        return Ok(false);
    };
    Ok(transaction
        .get_client(client_id)?
        .is_none_or(|client| claims.iat < client.created_at))
}

fn token_user(transaction: &mut dyn ReadTransaction, claims: &Claims) -> Result<User> {
    if claims.kind() != TokenKind::User {
        return Err(Error::forbidden("this needs a user's access token"));
    }
    let user = transaction
        .get_user_by_id(&claims.sub)?
        .ok_or_else(|| Error::invalid_token("the account behind this token no longer exists"))?;
    if user.status != UserStatus::Active {
        return Err(Error::forbidden("this account is disabled"));
    }
    Ok(user)
}

/// Whether `c` is refused in text that operators read back (emails, display names, jtis,
/// agent and session ids, scopes, reasons): a control character (general category Cc), a
/// format character (Cf) or a line or paragraph separator (Zl, Zp). Format characters are
/// invisible or reorder the text after them (the bidirectional overrides of "Trojan Source",
/// CVE-2021-42574; Unicode Technical Report #36 §2), so one value could pass for another in
/// `list-mints` or `inspect`.
pub fn is_hidden_char(c: char) -> bool {
    // Every Cf code point of Unicode 15.1, by range; the ranges are small and stable.
    const FORMAT: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x2028, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
    ];
    let code = u32::from(c);
    c.is_control()
        || FORMAT
            .iter()
            .any(|&(first, last)| (first..=last).contains(&code))
}

/// A TTL setting as a signed offset for timestamps; settings are bounded to 100 years.
fn seconds(ttl: u64) -> i64 {
    i64::try_from(ttl).unwrap_or(i64::MAX)
}

#[cfg(test)]
pub(crate) mod testing {
    //! A core on a fresh database and key directory, for unit tests of the operations.

    use super::*;

    /// A fixed `now` for unit tests.
    pub const NOW: i64 = 1_800_000_000;

    /// An app on a fresh database and key directory, removed when dropped.
    pub struct TestApp {
        pub app: App,
        dir: std::path::PathBuf,
    }

    impl Drop for TestApp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    /// A new core with one registered account, `ada@example.com` / `ada-password-1`.
    pub fn test_app(name: &str) -> TestApp {
        let dir = std::env::temp_dir().join(format!("picoauth-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = Config {
            db: dir.join("picoauth.db"),
            key_dir: dir.join("keys"),
            admin_password: crate::config::Secret::new("admin-password-1"),
            ..Config::default()
        };
        let app = App::open(config, NOW).unwrap();
        app.register("ada@example.com", "ada-password-1", None, NOW)
            .unwrap();
        TestApp { app, dir }
    }
}
