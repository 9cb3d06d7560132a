//! Administering accounts: listing, creating, changing role, password and status, deleting;
//! for superadmins, org_admins and the CLI.
//!
//! # Invariants
//! - An org_admin sees and changes only accounts of its own organisation, and can neither
//!   grant nor take away superadmin, nor change a superadmin in any way.
//! - A role change, a new password, disabling and deleting delete the account's refresh tokens
//!   in the same transaction.
//! - The last active superadmin cannot be demoted, disabled or deleted.
//! - Accounts are named by id or by email, whichever the caller has.

use super::{Actor, App, DEFAULT_ORG, accounts, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::password;
use crate::roles::Role;
use crate::store::{ReadTransaction, User, UserStatus};

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
        password::check_new(new_user.password)?;
        let password_hash = password::hash(new_user.password)?;
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            if !rights.superadmin && role == Role::Superadmin {
                return Err(Error::forbidden(
                    "only a superadmin can create a superadmin",
                ));
            }
            // A fresh id per run of the closure is harmless: only the committed one is kept.
            let user = User {
                id: accounts::new_user_id()?,
                email: email.clone(),
                display_name: display_name.clone(),
                password_hash: password_hash.clone(),
                role,
                org_id: rights.org_id.unwrap_or_else(|| DEFAULT_ORG.to_owned()),
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

    /// Sets an account's password (`picoauth users passwd`) and ends its sessions.
    ///
    /// # Errors
    /// `InvalidInput` if the password breaks the rules, and as [`App::find_user`].
    pub fn set_password(&self, actor: Actor<'_>, user: &str, password: &str) -> Result<User> {
        password::check_new(password)?;
        let password_hash = password::hash(password)?;
        self.store.write(|transaction| {
            let rights = admin_rights(transaction, actor)?;
            let user = administered_user(transaction, &rights, user)?;
            guard_superadmin(&rights, &user)?;
            transaction.update_password_hash(&user.id, &password_hash)?;
            transaction.delete_user_refresh_tokens(&user.id)?;
            Ok(user)
        })
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
}

fn admin_rights(transaction: &mut dyn ReadTransaction, actor: Actor<'_>) -> Result<AdminRights> {
    let claims = match actor {
        Actor::Cli(_) => {
            return Ok(AdminRights {
                superadmin: true,
                org_id: None,
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
