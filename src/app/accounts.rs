//! One's own account and session: register, login, refresh, `/me`, password change.
//!
//! # Invariants
//! - A refresh token is marked used by one conditional update (`rotate_refresh_token`), so it
//!   rotates once on any backend; a second presentation kills its whole family and, in the same
//!   transaction, revokes the family's access tokens that are still alive.
//! - A password change deletes the account's refresh tokens in the same transaction.
//! - An unknown email costs one password hash, like a wrong password, and gets the same error.

use super::{App, DEFAULT_ORG, KeyMaterial, seconds, sign_with, token_user};
use crate::error::{Error, Result};
use crate::keys;
use crate::password::{self, Verdict};
use crate::roles::Role;
use crate::store::{
    FamilyAccessToken, NewRefreshToken, ReadTransaction, RefreshOwner, RefreshRotation, Revocation,
    User, UserStatus, WriteTransaction,
};
use crate::tokens::{self, Claims};
use crate::wallet::WalletAlgorithm;

/// The `revoked_by` of access tokens revoked because their refresh chain was reused: picoauth
/// itself, in the `kind:subject` form every other revoker has.
const REUSE_REVOKER: &str = "picoauth:refresh-reuse";
/// The `reason` of those revocations.
const REUSE_REASON: &str = "refresh token reuse detected";

/// The longest email an account can have (RFC 5321 §4.5.3.1.3); a login naming a longer one
/// is refused without a hash, since no account can match it.
pub const MAX_EMAIL_LENGTH: usize = 254;
const MAX_DISPLAY_NAME_LENGTH: usize = 200;

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

/// A refused [`App::login`]: the error the caller is answered with, and whether the email named
/// an account. Only the HTTP door's audit line reads the latter (the answer never differs), so
/// that text that names no account (a password typed into the email field) is never logged.
#[derive(Debug)]
pub struct LoginError {
    /// What the caller is answered.
    error: Error,
    /// Whether the email was found to name an account.
    account_exists: bool,
}

impl LoginError {
    /// Whether the email named an account (false also when the login failed before it was
    /// looked up).
    pub fn account_exists(&self) -> bool {
        self.account_exists
    }

    /// The error the caller is answered with.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl From<LoginError> for Error {
    fn from(login_error: LoginError) -> Error {
        login_error.error
    }
}

/// A stable pseudonym of an email for logs: the first 12 hex digits (48 bits) of the SHA-256 of
/// the email normalised as login normalises it. The same text always gets the same pseudonym,
/// so an operator can follow it across lines (and check a suspected email against it) without
/// the log ever holding text that may be a password.
pub fn email_pseudonym(email: &str) -> String {
    let email = email.trim().to_ascii_lowercase();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, email.as_bytes());
    digest.as_ref()[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl App {
    /// Creates an account with role viewer (`POST /register`).
    ///
    /// Whether registration is open is read from the database (the switch set at run time,
    /// else the `registration_enabled` setting): before the hash, so a closed door costs no
    /// argon2, and again in the transaction that inserts, so a switch flipped meanwhile holds.
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
        let closed = || Error::forbidden("registration is disabled on this server");
        if !self
            .store
            .read(|transaction| self.registration_in(transaction))?
        {
            return Err(closed());
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
        self.store.write(|transaction| {
            if !self.registration_in(transaction)? {
                return Err(closed());
            }
            transaction.insert_user(&user)
        })?;
        Ok(user)
    }

    /// Checks an email and password and starts a session (`POST /login`).
    ///
    /// # Errors
    /// `InvalidCredentials` for an unknown email or a wrong password alike (both cost one
    /// hash), `Forbidden` for a disabled account with the right password; the
    /// [`LoginError`] also says whether the email named an account, for the audit line only.
    pub fn login(&self, email: &str, password: &str, now: i64) -> Result<Session, LoginError> {
        let email = email.trim().to_ascii_lowercase();
        let unknown = |error| LoginError {
            error,
            account_exists: false,
        };
        if email.len() > MAX_EMAIL_LENGTH {
            return Err(unknown(Error::invalid_credentials()));
        }
        let user = self
            .store
            .read(|transaction| transaction.get_user_by_email(&email))
            .map_err(unknown)?;
        let Some(user) = user else {
            password::burn_time(password);
            return Err(unknown(Error::invalid_credentials()));
        };
        self.login_as(&user, password, now)
            .map_err(|error| LoginError {
                error,
                account_exists: true,
            })
    }

    /// The rest of [`App::login`], once the email has named an account.
    fn login_as(&self, user: &User, password: &str, now: i64) -> Result<Session> {
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
        // Loaded once, before the transaction: the refresh token is hashed and the access token
        // signed with the keys current at this request.
        let keys = self.keys(now)?;
        let (claims, refresh_token) = self.store.write(|transaction| {
            // The password was checked against the hash read before the argon2: an admin's
            // reset, a disable or a role change committed meanwhile must hold.
            let user = verified_account(transaction, user)?;
            if let Some(password_hash) = &rehashed {
                transaction.update_password_hash(&user.id, password_hash)?;
            }
            transaction.update_last_login(&user.id, now)?;
            // The claims (with the account's groups as they are now) are made in the
            // transaction that mints, afresh on every run of the closure.
            let claims = self.user_claims(transaction, &user, now)?;
            self.audit_mint(transaction, &claims, "POST /login")?;
            let owner = RefreshOwner::User(user.id.clone());
            let refresh_token =
                self.start_refresh_chain(transaction, &keys, &owner, &claims.jti, now)?;
            Ok((claims, refresh_token))
        })?;
        Ok(Session {
            access_token: sign_with(&keys, &claims)?,
            refresh_token,
            expires_in: self.config.access_token_ttl,
        })
    }

    /// Issues the first refresh token of a new chain for `owner`, with the access token
    /// `access_jti`, inside the transaction that starts the session, hashed with the refresh key
    /// of `keys` (loaded by the caller before the transaction: a store read inside a write
    /// would hold a second pooled connection). The chain ends `refresh_token_ttl` from now,
    /// however often it rotates. The token is drawn afresh on every run of the transaction's
    /// closure; only the committed run's is handed out.
    pub(super) fn start_refresh_chain(
        &self,
        transaction: &mut dyn WriteTransaction,
        keys: &KeyMaterial,
        owner: &RefreshOwner,
        access_jti: &str,
        now: i64,
    ) -> Result<String> {
        let refresh_token = new_refresh_token()?;
        let token_hash = keys.refresh_key.hash(&refresh_token);
        transaction.insert_refresh_token(&NewRefreshToken {
            token_hash: &token_hash,
            family_id: &tokens::new_jti()?,
            owner,
            access_jti,
            issued_at: now,
            expires_at: now.saturating_add(seconds(self.config.refresh_token_ttl)),
        })?;
        Ok(refresh_token)
    }

    /// Rotates a refresh token (`POST /refresh`): the presented token dies, a new one with the
    /// same absolute end is returned with a fresh access token.
    ///
    /// # Errors
    /// `InvalidToken` for an unknown, expired or already-rotated token (the last also kills
    /// every token of its family), or when the account is gone or disabled, or the wallet's
    /// algorithm has been disabled.
    pub fn refresh(&self, refresh_token: &str, now: i64) -> Result<Session> {
        let keys = self.keys(now)?;
        let token_hash = keys.refresh_key.hash(refresh_token);
        let next_token = new_refresh_token()?;
        let next_hash = keys.refresh_key.hash(&next_token);
        // The transaction commits even when the answer is a refusal, because a refusal may have
        // to kill the family; hence the outcome is a value, not an error.
        let outcome = self.store.write(|transaction| {
            let record = match transaction.rotate_refresh_token(&token_hash, now)? {
                RefreshRotation::Unknown => {
                    return Ok(Rotation::Refused(Error::invalid_token(
                        "unknown refresh token",
                    )));
                }
                RefreshRotation::AlreadyRotated(record) => {
                    // RFC 9700 §4.14.2: a rotated token presented again means it was stolen.
                    // The thief may also hold an access token of the chain: those die with it.
                    let revoked =
                        self.revoke_family_access_tokens(transaction, &record.family_id, now)?;
                    transaction.delete_family(&record.family_id)?;
                    return Ok(Rotation::Reused {
                        family_id: record.family_id,
                        revoked,
                    });
                }
                // This call won the token: marked used, whatever follows. Each refusal below
                // deletes the whole family, mark included.
                RefreshRotation::Rotated(record) => record,
            };
            if record.expires_at <= now {
                transaction.delete_family(&record.family_id)?;
                return Ok(Rotation::Refused(Error::invalid_token(
                    "the refresh token has expired",
                )));
            }
            // Fresh claims (and jti) per run of the closure: only the committed run's are signed.
            let claims = match &record.owner {
                RefreshOwner::User(user_id) => match transaction
                    .get_user_by_id(user_id)?
                    .filter(|user| user.status == UserStatus::Active)
                {
                    Some(user) => Some(self.user_claims(transaction, &user, now)?),
                    None => None,
                },
                RefreshOwner::Wallet { address, algorithm } => WalletAlgorithm::parse(algorithm)
                    .ok()
                    .filter(|algorithm| self.config.wallet_algorithms.contains(algorithm))
                    .map(|algorithm| self.wallet_claims(address, algorithm, now))
                    .transpose()?,
            };
            let Some(claims) = claims else {
                transaction.delete_family(&record.family_id)?;
                return Ok(Rotation::Refused(Error::invalid_token(
                    "the account or wallet behind this refresh token may no longer sign in",
                )));
            };
            transaction.insert_refresh_token(&NewRefreshToken {
                token_hash: &next_hash,
                family_id: &record.family_id,
                owner: &record.owner,
                access_jti: &claims.jti,
                issued_at: now,
                expires_at: record.expires_at,
            })?;
            self.audit_mint(transaction, &claims, "POST /refresh")?;
            Ok(Rotation::Continued(Box::new(claims)))
        })?;
        let claims = match outcome {
            Rotation::Continued(claims) => *claims,
            Rotation::Refused(error) => return Err(error),
            Rotation::Reused { family_id, revoked } => {
                // Logged after the commit: the closure may run more than once.
                tracing::warn!(
                    family = family_id,
                    access_tokens = revoked,
                    "refresh token reuse detected; session revoked"
                );
                return Err(Error::invalid_token(
                    "refresh token reuse detected; the session has been revoked",
                ));
            }
        };
        // Signed with the keys this request loaded first (their version read once per request).
        Ok(Session {
            access_token: sign_with(&keys, &claims)?,
            refresh_token: next_token,
            expires_in: self.config.access_token_ttl,
        })
    }

    /// Puts every still-living access token issued along the chain `family_id` on the
    /// denylist, inside the transaction that detected the reuse. Returns how many.
    fn revoke_family_access_tokens(
        &self,
        transaction: &mut dyn WriteTransaction,
        family_id: &str,
        now: i64,
    ) -> Result<usize> {
        let tokens = transaction.list_family_access_tokens(family_id)?;
        self.revoke_living_access_tokens(transaction, tokens, REUSE_REASON, REUSE_REVOKER, now)
    }

    /// Puts those of `tokens` (access tokens handed out with refresh tokens) that are still
    /// alive at `now` on the denylist, with `reason` and `revoked_by`, inside the caller's
    /// transaction. Returns how many.
    pub(super) fn revoke_living_access_tokens(
        &self,
        transaction: &mut dyn WriteTransaction,
        tokens: Vec<FamilyAccessToken>,
        reason: &str,
        revoked_by: &str,
        now: i64,
    ) -> Result<usize> {
        let mut revoked = 0;
        for token in tokens {
            // An access token the audit does not know lived at most the longest lifetime a
            // token can have from its issue.
            let expires_at = token.exp.unwrap_or_else(|| {
                token
                    .issued_at
                    .saturating_add(seconds(self.config.longest_token_ttl()))
            });
            if expires_at <= now {
                continue;
            }
            let revocation = Revocation {
                jti: token.jti,
                revoked_at: now,
                reason: reason.to_owned(),
                revoked_by: revoked_by.to_owned(),
            };
            transaction.insert_revocation(&revocation, expires_at)?;
            // The agents acting on this session's tokens go with them (RFC 8693 exchange).
            super::fleet::revoke_exchanged(transaction, &revocation)?;
            revoked += 1;
        }
        Ok(revoked)
    }

    /// The account behind a user token (`GET /me`).
    ///
    /// # Errors
    /// `Forbidden` for a token that is not a user token or a disabled account, `InvalidToken`
    /// if the account no longer exists.
    pub fn me(&self, claims: &Claims) -> Result<User> {
        self.store
            .read(|transaction| token_user(transaction, claims))
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
        self.store.write(|transaction| {
            // Only if the hash is still the one the old password matched: a reset by an admin
            // committed during the argon2 wins over a change that checked the old password.
            verified_account(transaction, &user)?;
            transaction.update_password_hash(&user.id, &password_hash)?;
            transaction.delete_user_refresh_tokens(&user.id)?;
            Ok(())
        })
    }

    /// The claims of a user access token (API.md §2), with the account's groups as
    /// `transaction` sees them (API.md §9): read in the transaction that mints, so a
    /// membership change shows in the next token. Every user token is made here.
    pub(super) fn user_claims(
        &self,
        transaction: &mut dyn ReadTransaction,
        user: &User,
        now: i64,
    ) -> Result<Claims> {
        let mut claims = self.claims(&user.id, user.role, now, self.config.access_token_ttl)?;
        claims.email = Some(user.email.clone());
        claims.org_id = Some(user.org_id.clone());
        claims.groups = Some(transaction.list_user_group_ids(&user.id)?);
        Ok(claims)
    }
}

/// How a refresh's transaction ended; it commits in every case.
enum Rotation {
    /// The token rotated: sign these claims.
    Continued(Box<Claims>),
    /// Refused, with the family deleted where the refusal says so.
    Refused(Error),
    /// A replay: the family is gone and `revoked` of its access tokens are on the denylist.
    Reused {
        /// The chain that was killed.
        family_id: String,
        /// How many of its access tokens were revoked.
        revoked: usize,
    },
}

/// Lowercases and checks an email address: one `@` with something on both sides, no spaces,
/// control or format characters ([`super::is_hidden_char`]), at most 254 characters (RFC 5321 §4.5.3.1.3).
/// `checked` (read before a password was verified against its hash, outside the transaction)
/// as `transaction` sees it now, if its password hash is still the one verified and it is
/// still active.
///
/// # Errors
/// `InvalidCredentials` if the account is gone or its password changed since it was read
/// (the password verified is no longer the account's), `Forbidden` if it has been disabled.
fn verified_account(transaction: &mut dyn WriteTransaction, checked: &User) -> Result<User> {
    let current = transaction
        .get_user_by_id(&checked.id)?
        .filter(|current| current.password_hash == checked.password_hash)
        .ok_or_else(Error::invalid_credentials)?;
    if current.status != UserStatus::Active {
        return Err(Error::forbidden("this account is disabled"));
    }
    Ok(current)
}

pub(super) fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_ascii_lowercase();
    let plausible = email.len() <= MAX_EMAIL_LENGTH
        && !email
            .chars()
            .any(|c| c.is_whitespace() || super::is_hidden_char(c))
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if !plausible {
        return Err(Error::invalid_input(
            "email must be an address like name@example.com",
        ));
    }
    // Lookups fold only ASCII case, so a non-ASCII capital (`JÖRG@EXÄMPLE.COM`, stored as
    // `jÖrg@exÄmple.com`) would make a second account for the mailbox of `jörg@exämple.com`;
    // it is refused instead, leaving one spelling per mailbox.
    if email.to_lowercase() != email {
        return Err(Error::invalid_input(
            "email must be written in lower case outside ASCII (one spelling per mailbox)",
        ));
    }
    Ok(email)
}

pub(super) fn check_display_name(display_name: &str) -> Result<String> {
    let display_name = display_name.trim();
    if display_name.chars().count() > MAX_DISPLAY_NAME_LENGTH
        || display_name.chars().any(super::is_hidden_char)
    {
        return Err(Error::invalid_input(format!(
            "display_name must be at most {MAX_DISPLAY_NAME_LENGTH} characters, without control or format characters"
        )));
    }
    Ok(display_name.to_owned())
}

/// A new account id: 128 random bits as 32 hex characters (ids are opaque strings; accounts
/// imported from pico-auth keep their 12-character ones).
pub(super) fn new_user_id() -> Result<String> {
    tokens::new_jti()
}

/// A new refresh token: 256 random bits, base64url.
fn new_refresh_token() -> Result<String> {
    use base64::Engine;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(keys::random_bytes::<32>()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};
    use crate::error::ErrorKind;

    #[test]
    fn a_refused_login_says_whether_the_email_named_an_account() {
        let test = test_app("login-exists");
        let app = &test.app;
        let unknown = app.login("Sup3rSecret-pw!", "whatever", NOW).unwrap_err();
        assert!(!unknown.account_exists());
        assert_eq!(unknown.error().kind(), ErrorKind::InvalidCredentials);
        let wrong = app.login(" Ada@Example.com ", "not-it", NOW).unwrap_err();
        assert!(wrong.account_exists());
        assert_eq!(Error::from(wrong).kind(), ErrorKind::InvalidCredentials);
        // SHA-256("abc") = ba7816bf 8f01cfea …, of the normalised text.
        assert_eq!(email_pseudonym(" ABC "), "ba7816bf8f01");
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
    fn reuse_revokes_the_familys_living_access_tokens() {
        let test = test_app("reuse-access");
        let app = &test.app;
        let cli = crate::app::Actor::Cli("root");
        let first = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let other = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let second = app.refresh(&first.refresh_token, NOW + 1).unwrap();
        let jti = |session: &Session| {
            app.authenticate(&session.access_token, NOW + 2)
                .unwrap()
                .jti
        };
        let (first_jti, second_jti, other_jti) = (jti(&first), jti(&second), jti(&other));
        assert!(app.refresh(&first.refresh_token, NOW + 2).is_err());
        for session in [&first, &second] {
            assert_eq!(
                app.authenticate(&session.access_token, NOW + 3)
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidToken
            );
        }
        assert!(app.authenticate(&other.access_token, NOW + 3).is_ok());
        let revoked = app.revocations(cli, 0, NOW + 3).unwrap();
        let mut jtis: Vec<&str> = revoked.iter().map(|entry| entry.jti.as_str()).collect();
        jtis.sort_unstable();
        let mut expected = [first_jti.as_str(), second_jti.as_str()];
        expected.sort_unstable();
        assert_eq!(jtis, expected);
        assert!(!jtis.contains(&other_jti.as_str()));
        assert!(
            revoked
                .iter()
                .all(|entry| entry.revoked_by == REUSE_REVOKER)
        );
        // Access tokens that had expired by the reuse are not listed at all.
        let late = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        app.refresh(&late.refresh_token, NOW + 1).unwrap();
        let ttl = seconds(app.config().access_token_ttl);
        assert!(app.refresh(&late.refresh_token, NOW + ttl + 5).is_err());
        assert_eq!(app.revocations(cli, 0, NOW + ttl + 5).unwrap().len(), 0);
    }

    #[test]
    fn revoking_an_access_token_of_a_session_ends_the_session() {
        let test = test_app("revoked-session");
        let app = &test.app;
        let session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let other = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let rotated = app.refresh(&session.refresh_token, NOW + 1).unwrap();
        let first_jti = app
            .authenticate(&session.access_token, NOW + 1)
            .unwrap()
            .jti;
        app.revoke(crate::app::Actor::Cli("root"), &first_jti, None, NOW + 2)
            .unwrap();
        let error = app.refresh(&rotated.refresh_token, NOW + 3).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidToken);
        assert!(
            app.refresh(&other.refresh_token, NOW + 3).is_ok(),
            "other sessions live on"
        );
    }

    #[test]
    fn pruning_removes_only_ended_chains() {
        let test = test_app("prune");
        let app = &test.app;
        let session = app.login("ada@example.com", "ada-password-1", NOW).unwrap();
        let ttl = seconds(app.config().refresh_token_ttl);
        assert_eq!(app.prune(NOW + ttl - 1).unwrap().refresh_tokens, 0);
        assert!(app.refresh(&session.refresh_token, NOW + 10).is_ok());
        assert_eq!(app.prune(NOW + ttl).unwrap().refresh_tokens, 2);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        assert_eq!(
            normalise_email("Jörg@Exämple.COM").unwrap(),
            "jörg@exämple.com"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a b@c.d",
            "a@b@c",
            &format!("{}@x.y", "a".repeat(260)),
            "JÖRG@example.com",
            "jorg@EXÄMPLE.com",
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
