//! [`App`], the core both front doors call: configuration, the store, the keys, and every
//! operation of the product (register, login, refresh, password change, user administration).
//!
//! `App` decides; it does not speak HTTP or parse command lines, and it never reads the clock:
//! every operation takes `now` (Unix seconds) from its caller. Its methods block (SQLite,
//! argon2, RSA), so the HTTP door calls them on the blocking pool.
//!
//! # Invariants
//! - The first signing key and the refresh-hashing key are created under the database's write
//!   lock, so two processes starting at once end up with one key.
//! - Reading a refresh token and rotating it happen in one `BEGIN IMMEDIATE` transaction, so a
//!   token can be rotated once; a second presentation kills its whole family.
//! - A password change, a role change (and, later, disabling or deleting) deletes the user's
//!   refresh tokens in the same transaction.
//! - Administrative rights are read from the database, not from the caller's token, so a
//!   demoted or disabled admin loses them at once.

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{self, KeyRing, RefreshKey, SigningKey};
use crate::password::{self, Verdict};
use crate::roles::Role;
use crate::store::{self, Store, users::User, users::UserStatus};
use crate::tokens::{self, Claims, Stamp, TokenKind};

/// The organisation of accounts created without one (pico-auth's default).
pub const DEFAULT_ORG: &str = "default";

const MAX_EMAIL_LENGTH: usize = 254;
const MAX_DISPLAY_NAME_LENGTH: usize = 200;

/// The core: one per process, shared by every request or command.
pub struct App {
    /// Resolved settings; read by both doors (listen address, issuer for discovery).
    config: Config,
    /// The database every process on this file shares.
    store: Store,
    /// Signing keys, parsed once at open so minting never touches the disk.
    key_ring: KeyRing,
    /// Hashes refresh tokens before they reach the store.
    refresh_key: RefreshKey,
}

/// What `/login` and `/refresh` answer.
#[derive(Debug)]
pub struct Session {
    /// A signed JWT.
    pub access_token: String,
    /// Opaque; only its keyed hash is stored.
    pub refresh_token: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

/// Who is asking for an administrative operation.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    /// The operator at the command line, who holds the database file and the keys: all rights.
    Cli,
    /// A caller authenticated by an access token.
    Token(&'a Claims),
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
    /// Opens the database and the key directory, creating both (and the first signing key) if
    /// they do not exist yet.
    ///
    /// # Errors
    /// `Storage`, `Unavailable` or `Keys` when the files cannot be opened or created.
    pub fn open(config: Config, now: i64) -> Result<App> {
        let store = Store::open(&config.db)?;
        keys::ensure_key_dir(&config.key_dir)?;
        let (key_ring, refresh_key) = store.transaction(|transaction| {
            let mut records = store::keys::list_signing_keys(transaction)?;
            if records.is_empty() {
                let (key, der) = SigningKey::generate()?;
                keys::save_signing_key(&config.key_dir, key.kid(), &der)?;
                let record = store::keys::SigningKeyRecord {
                    kid: key.kid().to_owned(),
                    algorithm: keys::RS256.to_owned(),
                    created_at: now,
                };
                store::keys::insert_signing_key(transaction, &record)?;
                tracing::info!(kid = key.kid(), "created the first signing key");
                records.push(record);
            }
            let signing_keys = records
                .iter()
                .map(|record| keys::load_signing_key(&config.key_dir, &record.kid))
                .collect::<Result<Vec<_>>>()?;
            Ok((
                KeyRing::new(signing_keys)?,
                RefreshKey::load_or_create(&config.key_dir)?,
            ))
        })?;
        Ok(App {
            config,
            store,
            key_ring,
            refresh_key,
        })
    }

    /// The resolved settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The JWKS document as JSON bytes.
    pub fn jwks_json(&self) -> &[u8] {
        self.key_ring.jwks_json()
    }

    /// The quoted entity tag of the JWKS document.
    pub fn jwks_etag(&self) -> &str {
        self.key_ring.jwks_etag()
    }

    /// Checks that the database answers and the active key file is still readable.
    ///
    /// # Errors
    /// `Storage`, `Unavailable` or `Keys` naming what is not usable.
    pub fn check_ready(&self) -> Result<()> {
        self.store.ping()?;
        let path = keys::private_key_path(&self.config.key_dir, self.key_ring.active().kid());
        std::fs::metadata(&path).map_err(|error| {
            Error::new(ErrorKind::Keys, format!("cannot read {}", path.display()))
                .with_source(error)
        })?;
        Ok(())
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
            (password::generate()?, true)
        } else {
            (configured.to_owned(), false)
        };
        let email = self.config.admin_email.clone();
        // Hashing first keeps the write lock short; the hash is wasted only when another
        // process bootstrapped in the meantime.
        let password_hash = password::hash(&password)?;
        let created = self.store.transaction(|transaction| {
            if store::users::count_with_role(transaction, Role::Superadmin)? > 0 {
                return Ok(false);
            }
            if store::users::get_user_by_email(transaction, &email)?.is_some() {
                tracing::warn!(email, "not bootstrapping an admin: the admin email belongs to an account that is not a superadmin");
                return Ok(false);
            }
            store::users::insert_user(
                transaction,
                &User {
                    id: new_user_id()?,
                    email: email.clone(),
                    display_name: "Admin".to_owned(),
                    password_hash,
                    role: Role::Superadmin,
                    org_id: DEFAULT_ORG.to_owned(),
                    status: UserStatus::Active,
                    created_at: now,
                    last_login_at: None,
                },
            )?;
            Ok(true)
        })?;
        Ok(created.then(|| BootstrappedAdmin {
            email,
            generated_password: generated.then_some(password),
        }))
    }

    /// Creates an account with role viewer (`POST /register`).
    ///
    /// # Errors
    /// `Forbidden` if registration is off, `InvalidInput` for a bad email, name or password,
    /// `Conflict` if the email is taken.
    pub fn register(
        &self,
        email: &str,
        password: &str,
        display_name: Option<&str>,
        now: i64,
    ) -> Result<User> {
        if !self.config.registration_enabled {
            return Err(Error::forbidden("registration is disabled on this server"));
        }
        let email = normalise_email(email)?;
        let display_name = check_display_name(display_name.unwrap_or(""))?;
        password::check_new(password)?;
        let user = User {
            id: new_user_id()?,
            email,
            display_name,
            password_hash: password::hash(password)?,
            role: Role::Viewer,
            org_id: DEFAULT_ORG.to_owned(),
            status: UserStatus::Active,
            created_at: now,
            last_login_at: None,
        };
        self.store
            .with_connection(|connection| store::users::insert_user(connection, &user))?;
        Ok(user)
    }

    /// Checks an email and password and starts a session (`POST /login`).
    ///
    /// # Errors
    /// `InvalidCredentials` for an unknown email or a wrong password alike (both cost one
    /// hash), `Forbidden` for a disabled account with the right password.
    pub fn login(&self, email: &str, password: &str, now: i64) -> Result<Session> {
        let email = email.trim().to_ascii_lowercase();
        let user = self
            .store
            .with_connection(|connection| store::users::get_user_by_email(connection, &email))?;
        let Some(user) = user else {
            password::burn_time(password);
            return Err(Error::invalid_credentials());
        };
        let verdict = password::verify(password, &user.password_hash);
        if verdict == Verdict::Mismatch {
            return Err(Error::invalid_credentials());
        }
        if user.status != UserStatus::Active {
            return Err(Error::forbidden("this account is disabled"));
        }
        let rehashed = match verdict {
            Verdict::MatchNeedsRehash => Some(password::hash(password)?),
            _ => None,
        };
        let refresh_token = new_refresh_token()?;
        let token_hash = self.refresh_key.hash(&refresh_token);
        let family_id = tokens::new_jti()?;
        let chain_end = now.saturating_add(seconds(self.config.refresh_token_ttl));
        self.store.transaction(|transaction| {
            if let Some(password_hash) = &rehashed {
                store::users::update_password_hash(transaction, &user.id, password_hash)?;
            }
            store::users::update_last_login(transaction, &user.id, now)?;
            store::refresh::insert_refresh_token(
                transaction,
                &token_hash,
                &family_id,
                Some(&user.id),
                now,
                chain_end,
            )
        })?;
        Ok(Session {
            access_token: self.mint_user_token(&user, now)?,
            refresh_token,
            expires_in: self.config.access_token_ttl,
        })
    }

    /// Rotates a refresh token (`POST /refresh`): the presented token dies, a new one with the
    /// same absolute end is returned with a fresh access token.
    ///
    /// # Errors
    /// `InvalidToken` for an unknown, expired or already-rotated token (the last also kills
    /// every token of its family), or when the account is gone or disabled.
    pub fn refresh(&self, refresh_token: &str, now: i64) -> Result<Session> {
        let token_hash = self.refresh_key.hash(refresh_token);
        let next_token = new_refresh_token()?;
        let next_hash = self.refresh_key.hash(&next_token);
        // The transaction commits even when the answer is a refusal, because a refusal may have
        // to kill the family; hence the inner Result.
        let rotation: Result<User> = self.store.transaction(|transaction| {
            let Some(record) = store::refresh::get_refresh_token(transaction, &token_hash)? else {
                return Ok(Err(Error::invalid_token("unknown refresh token")));
            };
            if record.rotated_at.is_some() {
                // RFC 9700 §4.14.2: a rotated token presented again means it was stolen.
                store::refresh::delete_family(transaction, &record.family_id)?;
                tracing::warn!(
                    family = record.family_id,
                    "refresh token reuse detected; session revoked"
                );
                return Ok(Err(Error::invalid_token(
                    "refresh token reuse detected; the session has been revoked",
                )));
            }
            if record.expires_at <= now {
                store::refresh::delete_family(transaction, &record.family_id)?;
                return Ok(Err(Error::invalid_token("the refresh token has expired")));
            }
            let user = match &record.user_id {
                Some(user_id) => store::users::get_user_by_id(transaction, user_id)?,
                None => None,
            };
            let Some(user) = user.filter(|user| user.status == UserStatus::Active) else {
                store::refresh::delete_family(transaction, &record.family_id)?;
                return Ok(Err(Error::invalid_token(
                    "the account behind this refresh token is not active",
                )));
            };
            store::refresh::update_rotated(transaction, &token_hash, now)?;
            store::refresh::insert_refresh_token(
                transaction,
                &next_hash,
                &record.family_id,
                Some(&user.id),
                now,
                record.expires_at,
            )?;
            Ok(Ok(user))
        })?;
        let user = rotation?;
        Ok(Session {
            access_token: self.mint_user_token(&user, now)?,
            refresh_token: next_token,
            expires_in: self.config.access_token_ttl,
        })
    }

    /// Checks a bearer access token.
    ///
    /// # Errors
    /// `InvalidToken` if it does not pass (see `tokens::verify`).
    pub fn authenticate(&self, token: &str, now: i64) -> Result<Claims> {
        tokens::verify(
            &self.key_ring,
            token,
            &self.config.issuer,
            &self.config.audience,
            now,
        )
    }

    /// The account behind a user token (`GET /me`).
    ///
    /// # Errors
    /// `Forbidden` for a token that is not a user token or a disabled account, `InvalidToken`
    /// if the account no longer exists.
    pub fn me(&self, claims: &Claims) -> Result<User> {
        self.store
            .with_connection(|connection| token_user(connection, claims))
    }

    /// Changes the caller's password (`POST /me/password`) and ends all their sessions.
    ///
    /// # Errors
    /// `InvalidCredentials` if the old password is wrong, `InvalidInput` if the new one breaks
    /// the rules, and as [`App::me`].
    pub fn change_password(
        &self,
        claims: &Claims,
        old_password: &str,
        new_password: &str,
    ) -> Result<()> {
        let user = self.me(claims)?;
        if password::verify(old_password, &user.password_hash) == Verdict::Mismatch {
            return Err(Error::invalid_credentials());
        }
        password::check_new(new_password)?;
        let password_hash = password::hash(new_password)?;
        self.store.transaction(|transaction| {
            store::users::update_password_hash(transaction, &user.id, &password_hash)?;
            store::refresh::delete_user_refresh_tokens(transaction, &user.id)?;
            Ok(())
        })
    }

    /// The accounts the actor may administer (`GET /users`): all of them for a superadmin or
    /// the CLI, those of its own organisation for an org_admin.
    ///
    /// # Errors
    /// `Forbidden` if the actor administers no users.
    pub fn list_users(&self, actor: Actor<'_>) -> Result<Vec<User>> {
        self.store.with_connection(|connection| {
            let rights = admin_rights(connection, actor)?;
            store::users::list_users(connection, rights.org_id.as_deref())
        })
    }

    /// Changes an account's role (`PUT /users/{id}/role`) and ends its sessions.
    ///
    /// # Errors
    /// `InvalidInput` for a role that is not a user role, `NotFound` for an unknown account (or
    /// one outside an org_admin's organisation), `Forbidden` when an org_admin grants or takes
    /// away superadmin, `Conflict` when it would leave no active superadmin.
    pub fn set_role(&self, actor: Actor<'_>, user_id: &str, role: &str) -> Result<User> {
        let role = Role::parse_user_role(role).map_err(Error::invalid_input)?;
        self.store.transaction(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let mut user = store::users::get_user_by_id(transaction, user_id)?
                .filter(|user| rights.org_id.as_ref().is_none_or(|org| *org == user.org_id))
                .ok_or_else(|| Error::not_found("no such user"))?;
            if !rights.superadmin && (role == Role::Superadmin || user.role == Role::Superadmin) {
                return Err(Error::forbidden(
                    "only a superadmin can grant or take away superadmin",
                ));
            }
            if user.role == Role::Superadmin
                && role != Role::Superadmin
                && user.status == UserStatus::Active
                && store::users::count_active_with_role(transaction, Role::Superadmin)? <= 1
            {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    "this is the last active superadmin",
                ));
            }
            if user.role != role {
                store::users::update_role(transaction, &user.id, role)?;
                store::refresh::delete_user_refresh_tokens(transaction, &user.id)?;
                user.role = role;
            }
            Ok(user)
        })
    }

    /// Deletes refresh tokens whose chain has ended. Safe to run from any process at any time.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails.
    pub fn prune(&self, now: i64) -> Result<usize> {
        self.store.with_connection(|connection| {
            store::refresh::delete_expired_refresh_tokens(connection, now)
        })
    }

    fn mint_user_token(&self, user: &User, now: i64) -> Result<String> {
        let mut claims = self
            .stamp(now, self.config.access_token_ttl)
            .claims(&user.id, user.role)?;
        claims.email = Some(user.email.clone());
        claims.org_id = Some(user.org_id.clone());
        tokens::mint(self.key_ring.active(), &claims)
    }

    fn stamp(&self, now: i64, ttl: u64) -> Stamp<'_> {
        Stamp {
            issuer: &self.config.issuer,
            audience: &self.config.audience,
            now,
            ttl,
        }
    }
}

/// What an actor may do to accounts.
struct AdminRights {
    /// Whether superadmin may be granted or taken away.
    superadmin: bool,
    /// The one organisation an org_admin is confined to; `None` means all.
    org_id: Option<String>,
}

fn admin_rights(connection: &rusqlite::Connection, actor: Actor<'_>) -> Result<AdminRights> {
    let claims = match actor {
        Actor::Cli => {
            return Ok(AdminRights {
                superadmin: true,
                org_id: None,
            });
        }
        Actor::Token(claims) => claims,
    };
    let user = token_user(connection, claims)?;
    match user.role {
        Role::Superadmin => Ok(AdminRights {
            superadmin: true,
            org_id: None,
        }),
        Role::OrgAdmin => Ok(AdminRights {
            superadmin: false,
            org_id: Some(user.org_id),
        }),
        _ => Err(Error::forbidden(
            "this needs the superadmin or org_admin role",
        )),
    }
}

/// The active account behind a user token.
fn token_user(connection: &rusqlite::Connection, claims: &Claims) -> Result<User> {
    if claims.kind() != TokenKind::User {
        return Err(Error::forbidden("this needs a user's access token"));
    }
    let user = store::users::get_user_by_id(connection, &claims.sub)?
        .ok_or_else(|| Error::invalid_token("the account behind this token no longer exists"))?;
    if user.status != UserStatus::Active {
        return Err(Error::forbidden("this account is disabled"));
    }
    Ok(user)
}

/// Lowercases and checks an email address: one `@` with something on both sides, no spaces or
/// control characters, at most 254 characters (RFC 5321 §4.5.3.1.3).
fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_ascii_lowercase();
    let plausible = email.len() <= MAX_EMAIL_LENGTH
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if plausible {
        Ok(email)
    } else {
        Err(Error::invalid_input(
            "email must be an address like name@example.com",
        ))
    }
}

fn check_display_name(display_name: &str) -> Result<String> {
    let display_name = display_name.trim();
    if display_name.chars().count() > MAX_DISPLAY_NAME_LENGTH
        || display_name.chars().any(char::is_control)
    {
        return Err(Error::invalid_input(format!(
            "display_name must be at most {MAX_DISPLAY_NAME_LENGTH} characters, without control characters"
        )));
    }
    Ok(display_name.to_owned())
}

/// A new account id: 128 random bits as 32 hex characters (ids are opaque strings; accounts
/// imported from pico-auth keep their 12-character ones).
fn new_user_id() -> Result<String> {
    tokens::new_jti()
}

/// A new refresh token: 256 random bits, base64url.
fn new_refresh_token() -> Result<String> {
    use base64::Engine;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(keys::random_bytes::<32>()?))
}

/// A TTL setting as a signed offset for timestamps; settings are bounded to 100 years.
fn seconds(ttl: u64) -> i64 {
    i64::try_from(ttl).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    /// An app on a fresh database and key directory, removed when dropped.
    struct TestApp {
        app: App,
        dir: std::path::PathBuf,
    }

    impl Drop for TestApp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn test_app(name: &str) -> TestApp {
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

    #[test]
    fn refresh_chains_end_at_their_absolute_lifetime() {
        let test = test_app("chain-end");
        let app = &test.app;
        let ttl = seconds(app.config().refresh_token_ttl);
        let mut session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        // Rotating shortly before the end does not extend the chain.
        for at in [NOW + 1, NOW + ttl / 2, NOW + ttl - 1] {
            session = app.refresh(&session.refresh_token, at).unwrap();
        }
        let error = app.refresh(&session.refresh_token, NOW + ttl).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidToken);
    }

    #[test]
    fn reuse_kills_the_family_but_not_other_logins() {
        let test = test_app("reuse");
        let app = &test.app;
        let first = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let other = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let second = app.refresh(&first.refresh_token, NOW + 1).unwrap();
        assert_eq!(
            app.refresh(&first.refresh_token, NOW + 2)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidToken
        );
        assert_eq!(
            app.refresh(&second.refresh_token, NOW + 3)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidToken
        );
        assert!(app.refresh(&other.refresh_token, NOW + 4).is_ok());
    }

    #[test]
    fn pruning_removes_only_ended_chains() {
        let test = test_app("prune");
        let app = &test.app;
        let session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let ttl = seconds(app.config().refresh_token_ttl);
        assert_eq!(app.prune(NOW + ttl - 1).unwrap(), 0);
        assert!(app.refresh(&session.refresh_token, NOW + 10).is_ok());
        assert_eq!(app.prune(NOW + ttl).unwrap(), 2);
    }

    #[test]
    fn the_last_active_superadmin_cannot_be_demoted() {
        let test = test_app("last-admin");
        let app = &test.app;
        app.bootstrap_admin(NOW).unwrap().unwrap();
        let admin = app
            .list_users(Actor::Cli)
            .unwrap()
            .into_iter()
            .find(|user| user.role == Role::Superadmin)
            .unwrap();
        let error = app.set_role(Actor::Cli, &admin.id, "viewer").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(
            app.bootstrap_admin(NOW).unwrap().is_none(),
            "bootstraps only once"
        );
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a b@c.d",
            "a@b@c",
            &format!("{}@x.y", "a".repeat(260)),
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_names_are_bounded() {
        assert_eq!(check_display_name(" Ada ").unwrap(), "Ada");
        assert!(check_display_name(&"x".repeat(201)).is_err());
        assert!(check_display_name("line\nbreak").is_err());
    }
}
