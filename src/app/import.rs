//! Migrating accounts from pico-auth (`picoauth users import --from-pico-auth`), and from
//! pico-auth 0.2/0.3 their groups and memberships.
//!
//! # Invariants
//! - Ids, emails, bcrypt hashes, roles, organisations and statuses are kept, so imported users
//!   log in with their old passwords (rehashed to argon2id at their first login).
//! - Importing is idempotent: an account already here (same id and email) is left alone; one
//!   whose id or email belongs to another account here is reported, never merged or overwritten.
//! - Groups keep their ids (what `@requires_group` configurations name), names, descriptions and
//!   organisations; a group here with the same id, organisation and name is left alone, one
//!   whose id or name (in its organisation) belongs to another group here is reported, never
//!   merged. Memberships come along for the accounts and groups this import brought or found
//!   here unchanged, within the bounds of `groups` (as pico-auth let them, a member may be of
//!   another organisation than its group); a membership already here is left alone.
//! - The whole import is one transaction: it lands completely or not at all.

use std::collections::HashMap;
use std::path::Path;

use super::{App, DEFAULT_ORG, accounts, groups};
use crate::error::Result;
use crate::roles::Role;
use crate::store::pico_auth::{PicoAuthGroup, PicoAuthUser};
use crate::store::{Group, User, UserStatus, WriteTransaction, pico_auth};

/// What an import did, account by account.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Emails of the accounts created.
    pub imported: Vec<String>,
    /// Emails of accounts that were here already (same id).
    pub unchanged: Vec<String>,
    /// Accounts not imported, with the reason.
    pub skipped: Vec<(String, String)>,
    /// The groups created, as `name (id)`.
    pub imported_groups: Vec<String>,
    /// Groups that were here already (same id, organisation and name).
    pub unchanged_groups: Vec<String>,
    /// Groups not imported, with the reason.
    pub skipped_groups: Vec<(String, String)>,
    /// How many memberships were created.
    pub imported_memberships: usize,
    /// How many were here already.
    pub unchanged_memberships: usize,
    /// Memberships not imported (`group_id/user_id`), with the reason.
    pub skipped_memberships: Vec<(String, String)>,
}

impl ImportReport {
    /// Whether the import created nothing (a second run of the same import).
    pub fn brought_nothing(&self) -> bool {
        self.imported.is_empty()
            && self.imported_groups.is_empty()
            && self.imported_memberships == 0
    }
}

impl App {
    /// Imports the accounts of the pico-auth database at `path`.
    ///
    /// # Errors
    /// `InvalidInput` if the file is not a pico-auth database; `Storage`/`Unavailable` if this
    /// database fails (nothing is imported then).
    pub fn import_pico_auth(&self, path: &Path, now: i64) -> Result<ImportReport> {
        let rows = pico_auth::read_pico_auth_users(path)?;
        let (group_rows, membership_rows) = pico_auth::read_pico_auth_groups(path)?;
        self.store.write(|transaction| {
            // Built afresh on every run of the closure, so a retried transaction reports once.
            let mut report = ImportReport::default();
            // The accounts a membership may name: those imported now or found here unchanged
            // (an id that belongs to another account here must not gain its memberships).
            let mut known_users = std::collections::HashSet::new();
            for row in &rows {
                let label = if row.email.is_empty() {
                    row.id.clone()
                } else {
                    row.email.clone()
                };
                if let Some(existing) = transaction.get_user_by_id(&row.id)? {
                    if existing.email == row.email.trim().to_ascii_lowercase() {
                        known_users.insert(existing.id);
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
                known_users.insert(user.id);
                report.imported.push(user.email);
            }
            let known_groups = import_groups(transaction, &group_rows, now, &mut report)?;
            let mut counts = groups::MemberCounts::default();
            for row in &membership_rows {
                let label = format!("{}/{}", row.group_id, row.user_id);
                let Some(group) = known_groups.get(&row.group_id) else {
                    let why = "its group was not imported".to_owned();
                    report.skipped_memberships.push((label, why));
                    continue;
                };
                if !known_users.contains(&row.user_id) {
                    let why = "its account was not imported".to_owned();
                    report.skipped_memberships.push((label, why));
                    continue;
                }
                if transaction.is_group_member(&group.id, &row.user_id)? {
                    report.unchanged_memberships += 1;
                    continue;
                }
                let joined_at = row.joined_at.unwrap_or(now);
                match groups::add_member(transaction, &mut counts, group, &row.user_id, joined_at) {
                    Ok(()) => report.imported_memberships += 1,
                    Err(error) => report
                        .skipped_memberships
                        .push((label, error.detail().to_owned())),
                }
            }
            Ok(report)
        })
    }
}

/// Imports the groups of `rows`; the groups memberships may name (imported, or here unchanged),
/// by id: a hostile file's million memberships must not each scan every group.
fn import_groups(
    transaction: &mut dyn WriteTransaction,
    rows: &[PicoAuthGroup],
    now: i64,
    report: &mut ImportReport,
) -> Result<HashMap<String, Group>> {
    let mut known = HashMap::new();
    for row in rows {
        let label = format!("{} ({})", row.name, row.id);
        let group = match convert_group(row, now) {
            Ok(group) => group,
            Err(why) => {
                report.skipped_groups.push((label, why));
                continue;
            }
        };
        if let Some(existing) = transaction.get_group(&group.id)? {
            if existing.org_id == group.org_id && existing.name == group.name {
                report.unchanged_groups.push(label);
                known.insert(existing.id.clone(), existing);
            } else {
                let why = format!(
                    "its id belongs to group {} of organisation {} here",
                    existing.name, existing.org_id
                );
                report.skipped_groups.push((label, why));
            }
            continue;
        }
        if !transaction
            .list_groups_named(&group.name, Some(&group.org_id))?
            .is_empty()
        {
            let why = format!(
                "another group of organisation {} has this name here",
                group.org_id
            );
            report.skipped_groups.push((label, why));
            continue;
        }
        if transaction.count_groups(&group.org_id)? >= groups::MAX_GROUPS_PER_ORG {
            let why = format!(
                "organisation {} has {} groups, the most it may have",
                group.org_id,
                groups::MAX_GROUPS_PER_ORG
            );
            report.skipped_groups.push((label, why));
            continue;
        }
        if !transaction.insert_group(&group)? {
            report
                .skipped_groups
                .push((label, "its id or name is taken here".to_owned()));
            continue;
        }
        report.imported_groups.push(label);
        known.insert(group.id.clone(), group);
    }
    Ok(known)
}

fn convert_group(row: &PicoAuthGroup, now: i64) -> std::result::Result<Group, String> {
    groups::check_group_id(&row.id)?;
    let name = groups::check_group_name(&row.name).map_err(|error| error.detail().to_owned())?;
    let description =
        groups::check_description(&row.description).map_err(|error| error.detail().to_owned())?;
    Ok(Group {
        id: row.id.clone(),
        name,
        description,
        org_id: import_org_id(&row.org_id)?,
        created_at: row.created_at.unwrap_or(now),
    })
}

fn convert(row: PicoAuthUser, now: i64) -> std::result::Result<User, String> {
    if row.id.trim().is_empty() {
        return Err("it has no id".to_owned());
    }
    let email = accounts::normalise_email(&row.email).map_err(|error| error.detail().to_owned())?;
    let role = Role::parse_user_role(&row.role)?;
    let org_id = import_org_id(&row.org_id)?;
    Ok(User {
        id: row.id,
        email,
        display_name: row.display_name,
        password_hash: row.password_hash,
        role,
        org_id,
        status: if row.status == "active" {
            UserStatus::Active
        } else {
            UserStatus::Disabled
        },
        created_at: row.created_at.unwrap_or(now),
        last_login_at: row.last_login_at,
    })
}

/// An imported row's organisation: the default one when empty (pico-auth 0.1 had none), else
/// checked as an operator's `--org` is (1 to 100 characters without control or format
/// characters, trimmed), so a hostile database cannot plant an organisation that reads as
/// another in `groups list` or breaks its lines. Accounts and groups go through the same check,
/// so an account still reaches the groups of its organisation.
fn import_org_id(org_id: &str) -> std::result::Result<String, String> {
    if org_id.is_empty() {
        return Ok(DEFAULT_ORG.to_owned());
    }
    groups::check_org_id(org_id).map_err(|error| error.detail().to_owned())
}
