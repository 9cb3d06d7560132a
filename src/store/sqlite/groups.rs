//! The `groups` and `group_members` tables: groups of accounts within an organisation, and who
//! belongs to each (API.md §9).
//!
//! A membership belongs to its group and its account: both foreign keys cascade, so deleting a
//! group or an account deletes its memberships (the connection runs with `foreign_keys` on).
//! Names are unique within an organisation (`UNIQUE (org_id, name)`), compared exactly.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::Result;
use crate::store::{Group, GroupMember};

const COLUMNS: &str = "id, org_id, name, description, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        id: row.get(0)?,
        org_id: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        created_at: row.get(4)?,
    })
}

/// The group with this id, if any.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_group(connection: &Connection, id: &str) -> Result<Option<Group>> {
    Ok(connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM groups WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// Every group, or those of one organisation, by organisation and name.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_groups(connection: &Connection, org_id: Option<&str>) -> Result<Vec<Group>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM groups WHERE ?1 IS NULL OR org_id = ?1 ORDER BY org_id, name, id"
    ))?;
    let groups = statement
        .query_map([org_id], from_row)?
        .collect::<rusqlite::Result<Vec<Group>>>()?;
    Ok(groups)
}

/// The groups called `name`, in one organisation or in any, by organisation.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_groups_named(
    connection: &Connection,
    name: &str,
    org_id: Option<&str>,
) -> Result<Vec<Group>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM groups WHERE name = ?1 AND (?2 IS NULL OR org_id = ?2) \
         ORDER BY org_id, id"
    ))?;
    let groups = statement
        .query_map(params![name, org_id], from_row)?
        .collect::<rusqlite::Result<Vec<Group>>>()?;
    Ok(groups)
}

/// The members of a group, in the order they joined.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_group_members(connection: &Connection, group_id: &str) -> Result<Vec<GroupMember>> {
    let mut statement = connection.prepare_cached(
        "SELECT group_id, user_id, joined_at FROM group_members WHERE group_id = ?1 \
         ORDER BY joined_at, user_id",
    )?;
    let members = statement
        .query_map([group_id], |row| {
            Ok(GroupMember {
                group_id: row.get(0)?,
                user_id: row.get(1)?,
                joined_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<GroupMember>>>()?;
    Ok(members)
}

/// The ids of the groups an account belongs to, in id order (the `groups` claim).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_user_group_ids(connection: &Connection, user_id: &str) -> Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT group_id FROM group_members WHERE user_id = ?1 ORDER BY group_id",
    )?;
    let ids = statement
        .query_map([user_id], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// How many groups an organisation has.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_groups(connection: &Connection, org_id: &str) -> Result<u64> {
    count(
        connection,
        "SELECT count(*) FROM groups WHERE org_id = ?1",
        org_id,
    )
}

/// How many members a group has.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_group_members(connection: &Connection, group_id: &str) -> Result<u64> {
    count(
        connection,
        "SELECT count(*) FROM group_members WHERE group_id = ?1",
        group_id,
    )
}

/// How many groups an account belongs to.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_user_groups(connection: &Connection, user_id: &str) -> Result<u64> {
    count(
        connection,
        "SELECT count(*) FROM group_members WHERE user_id = ?1",
        user_id,
    )
}

fn count(connection: &Connection, sql: &str, key: &str) -> Result<u64> {
    Ok(connection
        .prepare_cached(sql)?
        .query_row([key], |row| row.get::<_, i64>(0))?
        .unsigned_abs())
}

/// Whether an account is a member of a group.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn is_group_member(connection: &Connection, group_id: &str, user_id: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached("SELECT 1 FROM group_members WHERE group_id = ?1 AND user_id = ?2")?
        .query_row([group_id, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Inserts a group unless its id, or its name in its organisation, is taken; whether it was.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_group(connection: &Connection, group: &Group) -> Result<bool> {
    let inserted = connection
        .prepare_cached(&format!(
            "INSERT INTO groups ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"
        ))?
        .execute(params![
            group.id,
            group.org_id,
            group.name,
            group.description,
            group.created_at,
        ])?;
    Ok(inserted == 1)
}

/// Sets a group's name and description; whether the group exists.
///
/// # Errors
/// `Conflict` if another group of its organisation has the name; `Storage` if SQLite fails.
pub fn update_group(connection: &Connection, group: &Group) -> Result<bool> {
    let changed = connection
        .prepare_cached("UPDATE groups SET name = ?2, description = ?3 WHERE id = ?1")?
        .execute(params![group.id, group.name, group.description])
        .map_err(|error| {
            super::conflict_on_unique(error, "a group with this name exists in the organisation")
        })?;
    Ok(changed == 1)
}

/// Deletes a group; its memberships go with it (foreign key cascade). Whether it existed.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_group(connection: &Connection, id: &str) -> Result<bool> {
    let changed = connection
        .prepare_cached("DELETE FROM groups WHERE id = ?1")?
        .execute([id])?;
    Ok(changed == 1)
}

/// Adds a membership unless it exists; whether it was added.
///
/// # Errors
/// `Storage` if SQLite fails (a group or account that does not exist breaks a foreign key).
pub fn insert_group_member(connection: &Connection, member: &GroupMember) -> Result<bool> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO group_members (group_id, user_id, joined_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )?
        .execute(params![member.group_id, member.user_id, member.joined_at])?;
    Ok(inserted == 1)
}

/// Deletes a membership; whether it existed.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_group_member(connection: &Connection, group_id: &str, user_id: &str) -> Result<bool> {
    let changed = connection
        .prepare_cached("DELETE FROM group_members WHERE group_id = ?1 AND user_id = ?2")?
        .execute([group_id, user_id])?;
    Ok(changed == 1)
}
