//! Migrating accounts from pico-auth (`picoauth users import --from-pico-auth`).
//!
//! # Invariants
//! - Ids, emails, bcrypt hashes, roles, organisations and statuses are kept, so imported users
//!   log in with their old passwords (rehashed to argon2id at their first login).
//! - Importing is idempotent: an account already here (same id and email) is left alone; one
//!   whose id or email belongs to another account here is reported, never merged or overwritten.
//! - The whole import is one transaction: it lands completely or not at all.

use std::path::Path;

use super::{App, DEFAULT_ORG, accounts};
use crate::error::Result;
use crate::roles::Role;
use crate::store::{User, UserStatus, pico_auth, pico_auth::PicoAuthUser};

/// What an import did, account by account.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Emails of the accounts created.
    pub imported: Vec<String>,
    /// Emails of accounts that were here already (same id).
    pub unchanged: Vec<String>,
    /// Accounts not imported, with the reason.
    pub skipped: Vec<(String, String)>,
}

impl App {
    /// Imports the accounts of the pico-auth database at `path`.
    ///
    /// # Errors
    /// `InvalidInput` if the file is not a pico-auth database; `Storage`/`Unavailable` if this
    /// database fails (nothing is imported then).
    pub fn import_pico_auth(&self, path: &Path, now: i64) -> Result<ImportReport> {
        let rows = pico_auth::read_pico_auth_users(path)?;
        self.store.write(|transaction| {
            // Built afresh on every run of the closure, so a retried transaction reports once.
            let mut report = ImportReport::default();
            for row in &rows {
                let label = if row.email.is_empty() {
                    row.id.clone()
                } else {
                    row.email.clone()
                };
                if let Some(existing) = transaction.get_user_by_id(&row.id)? {
                    if existing.email == row.email.trim().to_ascii_lowercase() {
                        report.unchanged.push(label);
                    } else {
                        let why = format!("its id belongs to {} here", existing.email);
                        report.skipped.push((label, why));
                    }
                    continue;
                }
                let user = match convert(row.clone(), now) {
                    Ok(user) => user,
                    Err(why) => {
                        report.skipped.push((label, why));
                        continue;
                    }
                };
                if transaction.get_user_by_email(&user.email)?.is_some() {
                    report
                        .skipped
                        .push((label, "another account has this email".to_owned()));
                    continue;
                }
                transaction.insert_user(&user)?;
                report.imported.push(user.email);
            }
            Ok(report)
        })
    }
}

fn convert(row: PicoAuthUser, now: i64) -> std::result::Result<User, String> {
    if row.id.trim().is_empty() {
        return Err("it has no id".to_owned());
    }
    let email = accounts::normalise_email(&row.email).map_err(|error| error.detail().to_owned())?;
    let role = Role::parse_user_role(&row.role)?;
    Ok(User {
        id: row.id,
        email,
        display_name: row.display_name,
        password_hash: row.password_hash,
        role,
        org_id: if row.org_id.is_empty() {
            DEFAULT_ORG.to_owned()
        } else {
            row.org_id
        },
        status: if row.status == "active" {
            UserStatus::Active
        } else {
            UserStatus::Disabled
        },
        created_at: row.created_at.unwrap_or(now),
        last_login_at: row.last_login_at,
    })
}
