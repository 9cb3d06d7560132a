//! The `users` table: accounts with their password hash, role, organisation and status.
//!
//! Emails are stored lowercased; callers normalise before they look one up.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::{User, UserStatus};

const COLUMNS: &str = "id, email, display_name, password_hash, role, org_id, status, created_at, \
                       last_login_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let role_text: String = row.get(4)?;
    let role = Role::parse(&role_text).map_err(|why| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, why.into())
    })?;
    let status: String = row.get(6)?;
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        display_name: row.get(2)?,
        password_hash: row.get(3)?,
        role,
        org_id: row.get(5)?,
        status: UserStatus::parse(&status),
        created_at: row.get(7)?,
        last_login_at: row.get(8)?,
    })
}

/// Inserts a new account.
///
/// # Errors
/// `Conflict` if the email (or id) exists.
pub fn insert_user(connection: &Connection, user: &User) -> Result<()> {
    connection
        .prepare_cached(&format!(
            "INSERT INTO users ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))?
        .execute(params![
            user.id,
            user.email,
            user.display_name,
            user.password_hash,
            user.role.as_str(),
            user.org_id,
            user.status.as_str(),
            user.created_at,
            user.last_login_at,
        ])
        .map_err(|error| {
            super::conflict_on_unique(error, "a user with this email already exists")
        })?;
    Ok(())
}

/// Inserts a new account unless its email or id is taken, in one statement; whether it was
/// inserted.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_user_if_absent(connection: &Connection, user: &User) -> Result<bool> {
    let inserted = connection
        .prepare_cached(&format!(
            "INSERT INTO users ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT DO NOTHING"
        ))?
        .execute(params![
            user.id,
            user.email,
            user.display_name,
            user.password_hash,
            user.role.as_str(),
            user.org_id,
            user.status.as_str(),
            user.created_at,
            user.last_login_at,
        ])?;
    Ok(inserted == 1)
}

/// The account with this id, if any.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_user_by_id(connection: &Connection, id: &str) -> Result<Option<User>> {
    Ok(connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The account with this (lowercased) email, if any.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_user_by_email(connection: &Connection, email: &str) -> Result<Option<User>> {
    Ok(connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE email = ?1"))?
        .query_row([email], from_row)
        .optional()?)
}

/// Every account, or those of one organisation, oldest first.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_users(connection: &Connection, org_id: Option<&str>) -> Result<Vec<User>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM users WHERE ?1 IS NULL OR org_id = ?1 ORDER BY created_at, id"
    ))?;
    let users = statement
        .query_map([org_id], from_row)?
        .collect::<rusqlite::Result<Vec<User>>>()?;
    Ok(users)
}

/// How many active accounts hold `role`.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_active_with_role(connection: &Connection, role: Role) -> Result<u64> {
    Ok(connection
        .prepare_cached("SELECT count(*) FROM users WHERE role = ?1 AND status = 'active'")?
        .query_row([role.as_str()], |row| row.get::<_, i64>(0))?
        .unsigned_abs())
}

/// How many accounts hold `role`, active or not.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_with_role(connection: &Connection, role: Role) -> Result<u64> {
    Ok(connection
        .prepare_cached("SELECT count(*) FROM users WHERE role = ?1")?
        .query_row([role.as_str()], |row| row.get::<_, i64>(0))?
        .unsigned_abs())
}

/// Sets an account's role.
///
/// # Errors
/// `NotFound` if there is no such account.
pub fn update_role(connection: &Connection, id: &str, role: Role) -> Result<()> {
    let changed = connection
        .prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
        .execute(params![id, role.as_str()])?;
    found(changed)
}

/// Replaces an account's password hash.
///
/// # Errors
/// `NotFound` if there is no such account.
pub fn update_password_hash(connection: &Connection, id: &str, password_hash: &str) -> Result<()> {
    let changed = connection
        .prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
        .execute(params![id, password_hash])?;
    found(changed)
}

/// Sets an account's status.
///
/// # Errors
/// `NotFound` if there is no such account.
pub fn update_status(connection: &Connection, id: &str, status: UserStatus) -> Result<()> {
    let changed = connection
        .prepare_cached("UPDATE users SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status.as_str()])?;
    found(changed)
}

/// Deletes an account; its refresh tokens go with it (foreign key cascade).
///
/// # Errors
/// `NotFound` if there is no such account.
pub fn delete_user(connection: &Connection, id: &str) -> Result<()> {
    let changed = connection
        .prepare_cached("DELETE FROM users WHERE id = ?1")?
        .execute([id])?;
    found(changed)
}

/// Records a successful login.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn update_last_login(connection: &Connection, id: &str, now: i64) -> Result<()> {
    connection
        .prepare_cached("UPDATE users SET last_login_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

fn found(changed: usize) -> Result<()> {
    if changed == 0 {
        Err(Error::new(ErrorKind::NotFound, "no such user"))
    } else {
        Ok(())
    }
}
