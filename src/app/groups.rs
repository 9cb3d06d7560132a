//! Groups (API.md §9): creating, listing, renaming and deleting groups of accounts, and their
//! memberships, for both doors; the `groups` claim itself is made in `accounts`.
//!
//! # Invariants
//! - A group belongs to one organisation. A superadmin and the CLI reach every group; an
//!   org_admin and every other account reach only their own organisation's. A group out of
//!   reach is `NotFound`, like an unknown one, so its existence is not told.
//! - Reads need a user token of an active account; writes need superadmin or org_admin (or the
//!   CLI). Wallet and fleet tokens reach no group.
//! - An org_admin adds only accounts of its own organisation (another's is `NotFound`); a
//!   superadmin and the CLI may add any account, as pico-auth let them (imported databases hold
//!   such memberships). Removing checks the group and the membership only.
//! - Bounded: at most [`MAX_GROUPS_PER_ORG`] groups per organisation, [`MAX_GROUP_MEMBERS`]
//!   members per group and [`MAX_GROUPS_PER_USER`] groups per account (each is a `groups`
//!   claim entry in every token of the account), names of at most [`MAX_GROUP_NAME_LENGTH`]
//!   and descriptions of at most [`MAX_GROUP_DESCRIPTION_LENGTH`] characters, without control
//!   or format characters. A full table is `Conflict`.
//! - Every check and the change it guards are one write transaction.

use super::{Actor, App, is_hidden_char, token_user};
use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::{Group, GroupMember, ReadTransaction, User, WriteTransaction};

/// The most groups one organisation may have.
pub const MAX_GROUPS_PER_ORG: u64 = 1_000;
/// The most members one group may have.
pub const MAX_GROUP_MEMBERS: u64 = 10_000;
/// The most groups one account may belong to: each is an entry of the `groups` claim of every
/// token it gets, which must stay far below the 16 KiB a request head may carry.
pub const MAX_GROUPS_PER_USER: u64 = 100;
/// The longest group name, in characters (pico-auth's column was `VARCHAR(255)`).
pub const MAX_GROUP_NAME_LENGTH: usize = 255;
/// The longest description, in characters (pico-auth's column was `VARCHAR(500)`).
pub const MAX_GROUP_DESCRIPTION_LENGTH: usize = 500;
/// The longest group id accepted from outside: pico-auth's column was `VARCHAR(36)` (a UUID
/// fits). Each id is an entry of the `groups` claim, so 100 of them must leave even an
/// ML-DSA-87 token (a 4,627-byte signature) well inside the 16 KiB a request head may carry.
const MAX_GROUP_ID_LENGTH: usize = 36;

/// How a caller names a group.
#[derive(Clone, Copy, Debug)]
pub enum GroupRef<'a> {
    /// By id only (the HTTP door, as pico-auth).
    Id(&'a str),
    /// By id, or else by name when one group within reach (of `org_id`, if given) has it
    /// (the CLI); a text that is one group's id and another's name is ambiguous.
    IdOrName {
        /// The id or the name.
        text: &'a str,
        /// Only this organisation's groups, whether an id or a name is meant.
        org_id: Option<&'a str>,
    },
}

/// A new group, as `POST /groups` and `picoauth groups add` ask for it.
#[derive(Clone, Copy, Debug)]
pub struct NewGroup<'a> {
    /// Unique within its organisation.
    pub name: &'a str,
    /// Free text.
    pub description: Option<&'a str>,
    /// The organisation; only a superadmin (or the CLI) may name another than its own.
    /// Without it: the creator's organisation (the default one for the CLI).
    pub org_id: Option<&'a str>,
}

/// What a change of a group asks for (`PUT /groups/{id}`, `picoauth groups rename`).
#[derive(Clone, Copy, Debug, Default)]
pub struct GroupChange<'a> {
    /// A new name, if any.
    pub name: Option<&'a str>,
    /// A new description, if any.
    pub description: Option<&'a str>,
}

impl App {
    /// The groups within the actor's reach (`GET /groups`, `picoauth groups list`), by
    /// organisation and name; `org_id` narrows a superadmin's or the CLI's list to one.
    ///
    /// # Errors
    /// `Forbidden` for an actor that reaches no group.
    pub fn list_groups(&self, actor: Actor<'_>, org_id: Option<&str>) -> Result<Vec<Group>> {
        self.store.read(|transaction| {
            let reach = group_reach(transaction, actor)?;
            match (&reach.org_id, org_id) {
                (Some(own), Some(asked)) if own != asked => Ok(Vec::new()),
                (Some(own), _) => transaction.list_groups(Some(own)),
                (None, asked) => transaction.list_groups(asked),
            }
        })
    }

    /// A group with its members (`GET /groups/{id}`, `picoauth groups show`).
    ///
    /// # Errors
    /// `NotFound` for an unknown group or one out of reach; `Forbidden` as
    /// [`App::list_groups`]; `InvalidInput` for a name that several groups have.
    pub fn group(
        &self,
        actor: Actor<'_>,
        group: GroupRef<'_>,
    ) -> Result<(Group, Vec<GroupMember>)> {
        self.store.read(|transaction| {
            let reach = group_reach(transaction, actor)?;
            let group = reached_group(transaction, &reach, group)?;
            let members = transaction.list_group_members(&group.id)?;
            Ok((group, members))
        })
    }

    /// Creates a group (`POST /groups`, `picoauth groups add`).
    ///
    /// # Errors
    /// `InvalidInput` for a bad name or description, `Conflict` if the name is taken in the
    /// organisation or it has [`MAX_GROUPS_PER_ORG`] groups, `Forbidden` for an actor that may
    /// not write groups (or an org_admin naming another organisation).
    pub fn create_group(
        &self,
        actor: Actor<'_>,
        new_group: NewGroup<'_>,
        now: i64,
    ) -> Result<Group> {
        let name = check_group_name(new_group.name)?;
        let description = check_description(new_group.description.unwrap_or(""))?;
        let asked_org = new_group.org_id.map(check_org_id).transpose()?;
        self.store.write(|transaction| {
            let reach = group_reach(transaction, actor)?;
            reach.require_write()?;
            let org_id = match (&reach.org_id, &asked_org) {
                (Some(own), Some(asked)) if own != asked => {
                    return Err(Error::forbidden(
                        "only a superadmin can create a group in another organisation",
                    ));
                }
                (_, Some(asked)) => asked.clone(),
                (Some(own), None) => own.clone(),
                (None, None) => reach.own_org.clone(),
            };
            refuse_taken_name(transaction, &org_id, &name, None)?;
            if transaction.count_groups(&org_id)? >= MAX_GROUPS_PER_ORG {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("organisation {org_id} has {MAX_GROUPS_PER_ORG} groups, the most it may have"),
                ));
            }
            // A fresh id per attempt (and per run of the closure): 48 random bits collide
            // rarely, and a collision is found by the insert and drawn again.
            for _ in 0..4 {
                let group = Group {
                    id: new_group_id()?,
                    name: name.clone(),
                    description: description.clone(),
                    org_id: org_id.clone(),
                    created_at: now,
                };
                if transaction.insert_group(&group)? {
                    return Ok(group);
                }
            }
            Err(Error::internal("no free group id after four draws"))
        })
    }

    /// Renames a group or changes its description (`PUT /groups/{id}`, `picoauth groups
    /// rename`); nothing asked changes nothing.
    ///
    /// # Errors
    /// As [`App::create_group`], and `NotFound` as [`App::group`].
    pub fn update_group(
        &self,
        actor: Actor<'_>,
        group: GroupRef<'_>,
        change: GroupChange<'_>,
    ) -> Result<Group> {
        let name = change.name.map(check_group_name).transpose()?;
        let description = change.description.map(check_description).transpose()?;
        self.store.write(|transaction| {
            let reach = group_reach(transaction, actor)?;
            reach.require_write()?;
            let mut found = reached_group(transaction, &reach, group)?;
            if let Some(name) = &name {
                refuse_taken_name(transaction, &found.org_id, name, Some(&found.id))?;
                found.name = name.clone();
            }
            if let Some(description) = &description {
                found.description = description.clone();
            }
            if !transaction.update_group(&found)? {
                return Err(no_group(&found.id));
            }
            Ok(found)
        })
    }

    /// Deletes a group and its memberships (`DELETE /groups/{id}`, `picoauth groups delete`).
    ///
    /// # Errors
    /// `NotFound` as [`App::group`]; `Forbidden` as [`App::create_group`].
    pub fn delete_group(&self, actor: Actor<'_>, group: GroupRef<'_>) -> Result<Group> {
        self.store.write(|transaction| {
            let reach = group_reach(transaction, actor)?;
            reach.require_write()?;
            let found = reached_group(transaction, &reach, group)?;
            if !transaction.delete_group(&found.id)? {
                return Err(no_group(&found.id));
            }
            Ok(found)
        })
    }

    /// Adds an account (by id, or by email) to a group (`POST /groups/{id}/members`,
    /// `picoauth groups members add`); its next token carries the group.
    ///
    /// # Errors
    /// `NotFound` for an unknown group or account, or one out of reach; `Conflict` if it is a
    /// member already, or the group or the account is full; `Forbidden` as
    /// [`App::create_group`].
    pub fn add_group_member(
        &self,
        actor: Actor<'_>,
        group: GroupRef<'_>,
        user: &str,
        now: i64,
    ) -> Result<(Group, User)> {
        self.store.write(|transaction| {
            let reach = group_reach(transaction, actor)?;
            reach.require_write()?;
            let found = reached_group(transaction, &reach, group)?;
            let member = find_user(transaction, user)?
                .filter(|member| {
                    reach
                        .org_id
                        .as_ref()
                        .is_none_or(|own| *own == member.org_id)
                })
                .ok_or_else(|| Error::not_found(format!("no user {user}")))?;
            add_member(
                transaction,
                &mut MemberCounts::default(),
                &found,
                &member.id,
                now,
            )?;
            Ok((found, member))
        })
    }

    /// Removes an account (by id, or by email) from a group (`DELETE
    /// /groups/{id}/members/{user_id}`, `picoauth groups members remove`); the id removed.
    ///
    /// # Errors
    /// `NotFound` for an unknown group or one out of reach, or when the account is not a
    /// member (an unknown account is not a member either, with the same answer); `Forbidden`
    /// as [`App::create_group`].
    pub fn remove_group_member(
        &self,
        actor: Actor<'_>,
        group: GroupRef<'_>,
        user: &str,
    ) -> Result<(Group, String)> {
        self.store.write(|transaction| {
            let reach = group_reach(transaction, actor)?;
            reach.require_write()?;
            let found = reached_group(transaction, &reach, group)?;
            let not_member =
                || Error::not_found(format!("{user} is not a member of group {}", found.id));
            // A member is named by id first: a membership outlives nothing, but an id is what
            // the HTTP door's path carries.
            let user_id = if transaction.is_group_member(&found.id, user)? {
                user.to_owned()
            } else {
                find_user(transaction, user)?.ok_or_else(not_member)?.id
            };
            if !transaction.delete_group_member(&found.id, &user_id)? {
                return Err(not_member());
            }
            Ok((found, user_id))
        })
    }
}

/// The member counts of groups and the group counts of accounts that [`add_member`] has read,
/// kept up to date by its inserts, within one write transaction: an import of a million
/// memberships counts each group and account once instead of once per row (a count of a
/// 10,000-member group per row made it quadratic).
#[derive(Debug, Default)]
pub(super) struct MemberCounts {
    per_group: std::collections::HashMap<String, u64>,
    per_user: std::collections::HashMap<String, u64>,
}

/// Adds `user_id` to `group` within the bounds, or says why not; `counts` must not outlive the
/// transaction (a fresh one per call, or one per import).
///
/// # Errors
/// `Conflict` for a member already, a full group or an account in too many groups.
pub(super) fn add_member(
    transaction: &mut dyn WriteTransaction,
    counts: &mut MemberCounts,
    group: &Group,
    user_id: &str,
    joined_at: i64,
) -> Result<()> {
    if transaction.is_group_member(&group.id, user_id)? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("{user_id} is already a member of group {}", group.id),
        ));
    }
    let in_group = match counts.per_group.get(&group.id) {
        Some(count) => *count,
        None => transaction.count_group_members(&group.id)?,
    };
    if in_group >= MAX_GROUP_MEMBERS {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "group {} has {MAX_GROUP_MEMBERS} members, the most it may have",
                group.id
            ),
        ));
    }
    let of_user = match counts.per_user.get(user_id) {
        Some(count) => *count,
        None => transaction.count_user_groups(user_id)?,
    };
    if of_user >= MAX_GROUPS_PER_USER {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("{user_id} is in {MAX_GROUPS_PER_USER} groups, the most an account may be in"),
        ));
    }
    let inserted = transaction.insert_group_member(&GroupMember {
        group_id: group.id.clone(),
        user_id: user_id.to_owned(),
        joined_at,
    })?;
    if !inserted {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("{user_id} is already a member of group {}", group.id),
        ));
    }
    counts.per_group.insert(group.id.clone(), in_group + 1);
    counts.per_user.insert(user_id.to_owned(), of_user + 1);
    Ok(())
}

/// What an actor may do to groups.
struct GroupReach {
    /// The one organisation it is confined to; `None` means all.
    org_id: Option<String>,
    /// Whether it may change groups and memberships.
    write: bool,
    /// Its own organisation: where a group it creates without naming one goes.
    own_org: String,
}

impl GroupReach {
    fn require_write(&self) -> Result<()> {
        if self.write {
            Ok(())
        } else {
            Err(Error::forbidden(
                "changing groups needs the superadmin or org_admin role",
            ))
        }
    }
}

fn group_reach(transaction: &mut dyn ReadTransaction, actor: Actor<'_>) -> Result<GroupReach> {
    let claims = match actor {
        Actor::Cli(_) => {
            return Ok(GroupReach {
                org_id: None,
                write: true,
                own_org: super::DEFAULT_ORG.to_owned(),
            });
        }
        Actor::FleetSecret => return Err(Error::forbidden("the fleet secret reaches no group")),
        Actor::Token(claims) => claims,
    };
    // A user token of an active account: wallet and fleet tokens belong to no organisation.
    let user = token_user(transaction, claims)?;
    Ok(match user.role {
        Role::Superadmin => GroupReach {
            org_id: None,
            write: true,
            own_org: user.org_id,
        },
        Role::OrgAdmin => GroupReach {
            org_id: Some(user.org_id.clone()),
            write: true,
            own_org: user.org_id,
        },
        _ => GroupReach {
            org_id: Some(user.org_id.clone()),
            write: false,
            own_org: user.org_id,
        },
    })
}

/// The group `group` names, if it is within reach.
fn reached_group(
    transaction: &mut dyn ReadTransaction,
    reach: &GroupReach,
    group: GroupRef<'_>,
) -> Result<Group> {
    let in_reach = |found: &Group| reach.org_id.as_ref().is_none_or(|own| *own == found.org_id);
    let (text, name_org) = match group {
        GroupRef::Id(id) => {
            return transaction
                .get_group(id)?
                .filter(in_reach)
                .ok_or_else(|| no_group(id));
        }
        GroupRef::IdOrName { text, org_id } => (text, org_id),
    };
    // `--org` narrows the id as well as the name: `groups delete X --org B` never reaches a
    // group of another organisation whose id happens to be X.
    let in_org = |found: &Group| name_org.is_none_or(|org| org == found.org_id);
    let by_id = transaction.get_group(text)?.filter(in_reach).filter(in_org);
    let name: String = {
        use unicode_normalization::UnicodeNormalization;
        text.nfc().collect()
    };
    let named: Vec<Group> = transaction
        .list_groups_named(&name, name_org)?
        .into_iter()
        .filter(in_reach)
        .filter(|group| {
            by_id
                .as_ref()
                .is_none_or(|id_match| id_match.id != group.id)
        })
        .collect();
    match (by_id, named.as_slice()) {
        (Some(found), []) => Ok(found),
        // A name that is also another group's id (a group may be called anything) names two
        // groups: neither is guessed.
        (Some(found), [other, ..]) => Err(Error::invalid_input(format!(
            "{text} is the id of group {} (of {}) and the name of group {} (of {}): give --org, or rename one by its id",
            found.name, found.org_id, other.id, other.org_id
        ))),
        (None, []) => Err(no_group(text)),
        (None, [one]) => Ok(one.clone()),
        (None, several) => {
            let orgs: Vec<&str> = several.iter().map(|group| group.org_id.as_str()).collect();
            Err(Error::invalid_input(format!(
                "several groups are called {text} (in organisations {}); give its id, or --org",
                orgs.join(", ")
            )))
        }
    }
}

fn no_group(group: &str) -> Error {
    Error::not_found(format!("no group {group}"))
}

/// The account with this id, or else this email, if any.
fn find_user(transaction: &mut dyn ReadTransaction, user: &str) -> Result<Option<User>> {
    match transaction.get_user_by_id(user)? {
        Some(found) => Ok(Some(found)),
        None => transaction.get_user_by_email(&user.trim().to_ascii_lowercase()),
    }
}

/// Refuses `name` if another group of `org_id` (than `except`) has it.
fn refuse_taken_name(
    transaction: &mut dyn ReadTransaction,
    org_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<()> {
    let taken = transaction
        .list_groups_named(name, Some(org_id))?
        .iter()
        .any(|group| Some(group.id.as_str()) != except);
    if taken {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("a group called {name} exists in organisation {org_id}"),
        ));
    }
    Ok(())
}

/// A new group id as pico-auth makes them (`uuid4().hex[:12]`): 12 lowercase hex characters,
/// 48 random bits.
fn new_group_id() -> Result<String> {
    Ok(crate::keys::hex(&crate::keys::random_bytes::<6>()?))
}

/// Trims and checks a group name: 1 to 255 characters, no control or format characters; in
/// Unicode normalization form C, so that two names that read alike (`é` precomposed, or `e`
/// and a combining accent) are one name, and taken once in an organisation.
pub(super) fn check_group_name(name: &str) -> Result<String> {
    use unicode_normalization::UnicodeNormalization;
    let name: String = name.trim().nfc().collect();
    let name = name.as_str();
    if name.is_empty()
        || name.chars().count() > MAX_GROUP_NAME_LENGTH
        || name.chars().any(is_hidden_char)
    {
        return Err(Error::invalid_input(format!(
            "a group name must be 1 to {MAX_GROUP_NAME_LENGTH} characters, without control or format characters"
        )));
    }
    Ok(name.to_owned())
}

/// Trims and checks a description: at most 500 characters, no control or format characters.
pub(super) fn check_description(description: &str) -> Result<String> {
    let description = description.trim();
    if description.chars().count() > MAX_GROUP_DESCRIPTION_LENGTH
        || description.chars().any(is_hidden_char)
    {
        return Err(Error::invalid_input(format!(
            "a group description must be at most {MAX_GROUP_DESCRIPTION_LENGTH} characters, without control or format characters"
        )));
    }
    Ok(description.to_owned())
}

/// Checks a group id from outside (an import): 1 to 36 of RFC 3986's unreserved characters
/// (letters, digits, `-`, `.`, `_`, `~`), and not `.` or `..`, so that it stands in a URL path
/// as itself. `/groups/{id}` is not percent-decoded, and a client would cut an id with `?` or
/// `#` short (`DELETE /groups/a?b` reaching group `a`), drop `.` and `..` segments, or send
/// `%` as `%25`; `"` and `\` would double in the token's JSON.
pub(super) fn check_group_id(id: &str) -> std::result::Result<(), String> {
    let valid = !id.is_empty()
        && id.len() <= MAX_GROUP_ID_LENGTH
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "its id is not 1 to {MAX_GROUP_ID_LENGTH} letters, digits, -, ., _ or ~ (nor . or ..)"
        ))
    }
}

/// Checks an organisation named by a superadmin, the operator or an imported row.
pub(super) fn check_org_id(org_id: &str) -> Result<String> {
    let org_id = org_id.trim();
    if org_id.is_empty() || org_id.chars().count() > 100 || org_id.chars().any(is_hidden_char) {
        return Err(Error::invalid_input(
            "an organisation id must be 1 to 100 characters, without control or format characters",
        ));
    }
    Ok(org_id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    #[test]
    fn names_descriptions_and_ids_are_bounded() {
        assert_eq!(check_group_name("  admins ").unwrap(), "admins");
        assert_eq!(check_group_name("cafe\u{301}").unwrap(), "caf\u{e9}");
        for bad in ["", "   ", "a\u{202e}b", "line\nbreak"] {
            assert!(check_group_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_group_name(&"x".repeat(255)).is_ok());
        assert!(check_group_name(&"x".repeat(256)).is_err());
        assert!(check_description("").is_ok());
        assert!(check_description(&"x".repeat(501)).is_err());
        assert!(check_group_id("a1b2c3d4e5f6").is_ok());
        assert!(check_group_id("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in [
            "",
            "a/b",
            "a b",
            "a?b",
            "a#b",
            "%2F",
            ".",
            "..",
            "a\"b",
            "a\\b",
            "é",
            &"x".repeat(37),
        ] {
            assert!(check_group_id(bad).is_err(), "{bad:?}");
        }
        let id = new_group_id().unwrap();
        assert_eq!(id.len(), 12);
        assert!(
            id.bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase())
        );
    }

    #[test]
    fn memberships_show_in_the_next_token_and_go_with_their_account() {
        let test = test_app("groups-claim");
        let app = &test.app;
        let cli = Actor::Cli("root");
        let group = app
            .create_group(
                cli,
                NewGroup {
                    name: "ops",
                    description: None,
                    org_id: None,
                },
                NOW,
            )
            .unwrap();
        let groups_claim = |now| {
            let session = app.login("ada@example.com", "ada-password-1", now).unwrap();
            app.authenticate(&session.access_token, now).unwrap().groups
        };
        assert_eq!(groups_claim(NOW), Some(Vec::new()));
        app.add_group_member(cli, GroupRef::Id(&group.id), "ada@example.com", NOW)
            .unwrap();
        assert_eq!(groups_claim(NOW + 1), Some(vec![group.id.clone()]));
        let error = app
            .add_group_member(cli, GroupRef::Id(&group.id), "ada@example.com", NOW)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
        let ada = app.find_user(cli, "ada@example.com").unwrap();
        app.delete_user(cli, &ada.id).unwrap();
        let (_, members) = app.group(cli, GroupRef::Id(&group.id)).unwrap();
        assert!(members.is_empty(), "the membership went with the account");
    }
}
