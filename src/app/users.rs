//! Administering accounts: listing, creating, changing role, password and status, deleting;
//! for superadmins, org_admins and the CLI. Also the registration switch set at run time
//! (`GET`/`PUT /users/registration`, `picoauth users registration`).
//!
//! # Invariants
//! - An org_admin sees and changes only accounts of its own organisation, and can neither
//!   grant nor take away superadmin, nor change a superadmin in any way; it creates accounts
//!   only in its own organisation (naming another is `Forbidden`).
//! - A role change, a new password, disabling and deleting delete the account's refresh tokens
//!   in the same transaction; a new password set by an admin also revokes the access tokens
//!   still alive that were issued with them (a reset usually means the password leaked).
//! - The registration switch, once set, is a row of the database that wins over the
//!   `registration_enabled` setting; only a superadmin or the CLI sets it.
//! - The last active superadmin cannot be demoted, disabled or deleted.
//! - Accounts are named by id or by email, whichever the caller has.

use super::{Actor, App, DEFAULT_ORG, accounts, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::password;
use crate::roles::Role;
use crate::store::{ReadTransaction, RuntimeSetting, User, UserStatus};

/// The longest organisation id (`users add --org`, `POST /users`'s `org_id`).
pub const MAX_ORG_ID_LENGTH: usize = 64;

/// The `reason` of access tokens revoked by an admin's password reset.
const RESET_REASON: &str = "password reset by an administrator";

impl App {
    /// The accounts the actor may administer (`GET /users`): all of them for a superadmin or
    /// the CLI, those of its own organisation for an org_admin.
    ///
    /// # Errors
    /// `Forbidden` if the actor administers no users.
    pub fn list_users(&self, actor: Actor<'_>) -> Result<Vec<User>> {
        self.store.read(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            transaction.list_users(rights.org_id.as_deref())
        })
    }

    /// The account `user` names (an id or an email), if the actor administers it.
    ///
    /// # Errors
    /// `NotFound` for an unknown account or one outside an org_admin's organisation,
    /// `Forbidden` if the actor administers no accounts.
    pub fn find_user(&self, actor: Actor<'_>, user: &str) -> Result<User> {
        self.store.read(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            administered_user(transaction, &rights, user)
        })
    }

    /// Creates an account with the given role (`picoauth users add`); registration being off
    /// does not matter here.
    ///
    /// # Errors
    /// `InvalidInput` for a bad email, name, role or password, `Conflict` if the email is taken,
    /// `Forbidden` when an org_admin creates a superadmin.
    pub fn add_user(&self, actor: Actor<'_>, new_user: NewUser<'_>, now: i64) -> Result<User> {
        let role = Role::parse_user_role(new_user.role).map_err(Error::invalid_input)?;
        let email = accounts::normalise_email(new_user.email)?;
        let display_name = accounts::check_display_name(new_user.display_name.unwrap_or(""))?;
        let requested_org = new_user.org_id.map(check_org_id).transpose()?;
        password::check_new(new_user.password)?;
        // The rights are checked before the hash too (and again in the transaction, which
        // decides): a caller that may not create this account costs no argon2.
        self.store.read(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            rights.org_for_new_user(requested_org.as_deref(), role)
        })?;
        let password_hash = password::hash(new_user.password)?;
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let org_id = rights.org_for_new_user(requested_org.as_deref(), role)?;
            // A fresh id per run of the closure is harmless: only the committed one is kept.
            let user = User {
                id: accounts::new_user_id()?,
                email: email.clone(),
                display_name: display_name.clone(),
                password_hash: password_hash.clone(),
                role,
                org_id,
                status: UserStatus::Active,
                created_at: now,
                last_login_at: None,
            };
            transaction.insert_user(&user)?;
            Ok(user)
        })
    }

    /// Changes an account's role (`PUT /users/{id}/role`, `picoauth users set-role`) and ends
    /// its sessions.
    ///
    /// # Errors
    /// `InvalidInput` for a role that is not a user role, `NotFound` for an unknown account (or
    /// one outside an org_admin's organisation), `Forbidden` when an org_admin grants or takes
    /// away superadmin, `Conflict` when it would leave no active superadmin.
    pub fn set_role(&self, actor: Actor<'_>, user: &str, role: &str) -> Result<User> {
        let role = Role::parse_user_role(role).map_err(Error::invalid_input)?;
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let mut user = administered_user(transaction, &rights, user)?;
            if !rights.superadmin && (role == Role::Superadmin || user.role == Role::Superadmin) {
                return Err(Error::forbidden(
                    "only a superadmin can grant or take away superadmin",
                ));
            }
            if role != Role::Superadmin {
                keep_a_superadmin(transaction, &user)?;
            }
            if user.role != role {
                transaction.update_role(&user.id, role)?;
                transaction.delete_user_refresh_tokens(&user.id)?;
                user.role = role;
            }
            Ok(user)
        })
    }

    /// Sets an account's password (`PUT /users/{id}/password`, `picoauth users passwd`) and
    /// ends its sessions: its refresh tokens are deleted and the access tokens issued with them
    /// that are still alive are revoked, in one transaction.
    ///
    /// # Errors
    /// `InvalidInput` if the password breaks the rules, `Forbidden` when an org_admin names a
    /// superadmin, and as [`App::find_user`].
    pub fn set_password(
        &self,
        actor: Actor<'_>,
        user: &str,
        password: &str,
        now: i64,
    ) -> Result<User> {
        password::check_new(password)?;
        // Who may do this is known before the hash: a refused caller costs no argon2.
        self.store.read(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let found = administered_user(transaction, &rights, user)?;
            guard_superadmin(&rights, &found)
        })?;
        let password_hash = password::hash(password)?;
        let revoked_by = actor.audit_name();
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let user = administered_user(transaction, &rights, user)?;
            guard_superadmin(&rights, &user)?;
            transaction.update_password_hash(&user.id, &password_hash)?;
            let tokens = transaction.list_user_access_tokens(&user.id)?;
            self.revoke_living_access_tokens(transaction, tokens, RESET_REASON, &revoked_by, now)?;
            transaction.delete_user_refresh_tokens(&user.id)?;
            Ok(user)
        })
    }

    /// Whether `POST /register` is open (`GET /users/registration`): the switch last set at
    /// run time, else the `registration_enabled` setting.
    ///
    /// # Errors
    /// `Forbidden` unless the actor administers accounts (superadmin, org_admin, the CLI).
    pub fn registration(&self, actor: Actor<'_>) -> Result<bool> {
        self.store.read(|transaction| {
            admin_rights(transaction, actor)?;
            self.registration_in(transaction)
        })
    }

    /// Opens or closes `POST /register` (`PUT /users/registration`, `users registration`)
    /// for every process on the database, from its next request, across restarts; returns the
    /// new state.
    ///
    /// # Errors
    /// `Forbidden` unless the actor is a superadmin or the CLI.
    pub fn set_registration(&self, actor: Actor<'_>, enabled: bool, now: i64) -> Result<bool> {
        let setting = RuntimeSetting {
            value: enabled,
            updated_at: now,
            updated_by: actor.audit_name(),
        };
        self.store.write(|transaction| {
            if !admin_rights(transaction, actor)?.superadmin {
                return Err(Error::forbidden(
                    "only a superadmin can open or close registration",
                ));
            }
            transaction.set_registration_enabled(&setting)?;
            Ok(enabled)
        })
    }

    /// Whether registration is open, as `transaction` sees it.
    pub(super) fn registration_in(&self, transaction: &mut dyn ReadTransaction) -> Result<bool> {
        Ok(transaction
            .get_registration_enabled()?
            .map_or(self.config.registration_enabled, |setting| setting.value))
    }

    /// Disables or enables an account (`picoauth users disable / enable`); disabling ends its
    /// sessions and refuses its logins with 403.
    ///
    /// # Errors
    /// `Conflict` when it would leave no active superadmin, and as [`App::find_user`].
    pub fn set_status(&self, actor: Actor<'_>, user: &str, status: UserStatus) -> Result<User> {
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let mut user = administered_user(transaction, &rights, user)?;
            guard_superadmin(&rights, &user)?;
            if status == UserStatus::Disabled {
                keep_a_superadmin(transaction, &user)?;
                transaction.delete_user_refresh_tokens(&user.id)?;
            }
            transaction.update_status(&user.id, status)?;
            user.status = status;
            Ok(user)
        })
    }

    /// Deletes an account and its sessions (`picoauth users delete`).
    ///
    /// # Errors
    /// `Conflict` when it would leave no active superadmin, and as [`App::find_user`].
    pub fn delete_user(&self, actor: Actor<'_>, user: &str) -> Result<User> {
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let user = administered_user(transaction, &rights, user)?;
            guard_superadmin(&rights, &user)?;
            keep_a_superadmin(transaction, &user)?;
            transaction.delete_user_refresh_tokens(&user.id)?;
            transaction.delete_user(&user.id)?;
            Ok(user)
        })
    }
}

/// What `picoauth users add` asks for.
#[derive(Clone, Copy, Debug)]
pub struct NewUser<'a> {
    /// The email (login name).
    pub email: &'a str,
    /// The first password.
    pub password: &'a str,
    /// One of the four user roles.
    pub role: &'a str,
    /// Shown to people; empty if not given.
    pub display_name: Option<&'a str>,
    /// The organisation; only the CLI and a superadmin may name another than their own.
    /// Unset, the creator's organisation (`default` for the CLI).
    pub org_id: Option<&'a str>,
}

/// Checks an organisation id: 1 to [`MAX_ORG_ID_LENGTH`] ASCII letters, digits, `-`, `_` and
/// `.` (it is compared byte for byte, appears in tokens and tables, and must not pass for
/// another id).
///
/// # Errors
/// `InvalidInput` naming the rule.
pub fn check_org_id(org_id: &str) -> Result<String> {
    let valid = !org_id.is_empty()
        && org_id.len() <= MAX_ORG_ID_LENGTH
        && org_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    if valid {
        Ok(org_id.to_owned())
    } else {
        Err(Error::invalid_input(format!(
            "org_id must be 1 to {MAX_ORG_ID_LENGTH} ASCII letters, digits, `-`, `_` or `.`"
        )))
    }
}

/// The account named by an id or an email, within the actor's reach.
fn administered_user(
    transaction: &mut dyn ReadTransaction,
    rights: &AdminRights,
    user: &str,
) -> Result<User> {
    let found = match transaction.get_user_by_id(user)? {
        Some(found) => Some(found),
        None => transaction.get_user_by_email(&user.trim().to_ascii_lowercase())?,
    };
    found
        .filter(|found| {
            rights
                .org_id
                .as_ref()
                .is_none_or(|org| *org == found.org_id)
        })
        .ok_or_else(|| Error::not_found(format!("no user {user}")))
}

/// Only a superadmin may change a superadmin's password, status or existence.
fn guard_superadmin(rights: &AdminRights, user: &User) -> Result<()> {
    if user.role == Role::Superadmin && !rights.superadmin {
        return Err(Error::forbidden(
            "only a superadmin can change a superadmin",
        ));
    }
    Ok(())
}

/// Refuses a change that takes `user` out of the active superadmins if it is the last one.
/// The count and the change that follows it are one write transaction: serializable, so two
/// admins demoting each other at once cannot both pass (SQLite holds its write lock, a
/// serializable backend retries the loser, which then counts one).
fn keep_a_superadmin(transaction: &mut dyn ReadTransaction, user: &User) -> Result<()> {
    if user.role == Role::Superadmin
        && user.status == UserStatus::Active
        && transaction.count_active_with_role(Role::Superadmin)? <= 1
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("{} is the last active superadmin", user.email),
        ));
    }
    Ok(())
}

/// What an actor may do to accounts.
struct AdminRights {
    /// Whether superadmin may be granted or taken away.
    superadmin: bool,
    /// The one organisation an org_admin is confined to; `None` means all.
    org_id: Option<String>,
    /// The actor's own organisation, where the accounts it creates go unless it names one
    /// (`default` for the CLI).
    own_org: String,
}

impl AdminRights {
    /// The organisation of an account this actor creates with `role`, having asked for
    /// `requested`: any for the CLI and a superadmin, only its own for an org_admin, which
    /// creates no superadmin either.
    fn org_for_new_user(&self, requested: Option<&str>, role: Role) -> Result<String> {
        if !self.superadmin && role == Role::Superadmin {
            return Err(Error::forbidden(
                "only a superadmin can create a superadmin",
            ));
        }
        match (requested, &self.org_id) {
            (Some(requested), Some(own)) if requested != own => Err(Error::forbidden(
                "an org_admin creates accounts only in its own organisation",
            )),
            (Some(requested), _) => Ok(requested.to_owned()),
            (None, _) => Ok(self.own_org.clone()),
        }
    }
}

fn admin_rights(transaction: &mut dyn ReadTransaction, actor: Actor<'_>) -> Result<AdminRights> {
    let claims = match actor {
        Actor::Cli(_) => {
            return Ok(AdminRights {
                superadmin: true,
                org_id: None,
                own_org: DEFAULT_ORG.to_owned(),
            });
        }
        Actor::FleetSecret => {
            return Err(Error::forbidden("the fleet secret administers no accounts"));
        }
        Actor::Token(claims) => claims,
    };
    let user = token_user(transaction, claims)?;
    match user.role {
        Role::Superadmin => Ok(AdminRights {
            superadmin: true,
            org_id: None,
            own_org: user.org_id,
        }),
        Role::OrgAdmin => Ok(AdminRights {
            superadmin: false,
            org_id: Some(user.org_id.clone()),
            own_org: user.org_id,
        }),
        _ => Err(Error::forbidden(
            "this needs the superadmin or org_admin role",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    #[test]
    fn the_last_active_superadmin_cannot_be_demoted() {
        let test = test_app("last-admin");
        let app = &test.app;
        app.bootstrap_admin(NOW).unwrap().unwrap();
        let admin = app
            .list_users(Actor::Cli("root"))
            .unwrap()
            .into_iter()
            .find(|user| user.role == Role::Superadmin)
            .unwrap();
        let error = app
            .set_role(Actor::Cli("root"), &admin.id, "viewer")
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(
            app.bootstrap_admin(NOW).unwrap().is_none(),
            "bootstraps only once"
        );
    }
}
