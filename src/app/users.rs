//! Administering accounts: listing them and changing roles, for superadmins, org_admins and
//! the CLI.
//!
//! # Invariants
//! - An org_admin sees and changes only accounts of its own organisation, and can neither
//!   grant nor take away superadmin.
//! - A role change deletes the account's refresh tokens in the same transaction.
//! - The last active superadmin cannot be demoted.

use super::{Actor, App, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::{self, users::User, users::UserStatus};

impl App {
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
