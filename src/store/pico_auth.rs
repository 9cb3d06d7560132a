//! Reading a pico-auth database for `picoauth users import --from-pico-auth`: the only SQL
//! against a file picoauth does not own. It is opened read-only; nothing is written there.
//! pico-auth 0.1 has `users`; 0.2 and 0.3 add `groups` and `group_members` (their SQLAlchemy
//! models: ids `VARCHAR(36)`, times ISO-8601 text), read when present.

use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, ErrorKind, Result};

/// One row of pico-auth's `users` table, with its timestamps converted to Unix seconds.
#[derive(Clone, Debug)]
pub struct PicoAuthUser {
    /// pico-auth's id (12 hex characters), kept so existing tokens' `sub` stays meaningful.
    pub id: String,
    /// The email.
    pub email: String,
    /// The display name.
    pub display_name: String,
    /// A bcrypt hash (`$2b$12$…`).
    pub password_hash: String,
    /// pico-auth's role string.
    pub role: String,
    /// The organisation.
    pub org_id: String,
    /// `active`, `suspended`, …
    pub status: String,
    /// Unix seconds, if the stored time could be read.
    pub created_at: Option<i64>,
    /// Unix seconds, if any.
    pub last_login_at: Option<i64>,
}

/// Every account of the pico-auth database at `path`.
///
/// # Errors
/// `InvalidInput` if the file is missing or has no pico-auth `users` table.
pub fn read_pico_auth_users(path: &Path) -> Result<Vec<PicoAuthUser>> {
    let not_pico_auth = |error: rusqlite::Error| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} is not a readable pico-auth database", path.display()),
        )
        .with_source(error)
    };
    let connection = open_read_only(path)?.map_err(not_pico_auth)?;
    let mut statement = connection
        .prepare(
            "SELECT id, email, display_name, password_hash, role, org_id, status, created_at, \
             last_login_at FROM users ORDER BY created_at, id",
        )
        .map_err(not_pico_auth)?;
    let users = statement
        .query_map([], |row| {
            Ok(PicoAuthUser {
                id: text(row.get(0)?),
                email: text(row.get(1)?),
                display_name: text(row.get(2)?),
                password_hash: text(row.get(3)?),
                role: text(row.get(4)?),
                org_id: text(row.get(5)?),
                status: text(row.get(6)?),
                created_at: timestamp(row.get(7)?),
                last_login_at: timestamp(row.get(8)?),
            })
        })
        .map_err(not_pico_auth)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(not_pico_auth)?;
    Ok(users)
}

/// One row of pico-auth's `groups` table (0.2 and later).
#[derive(Clone, Debug)]
pub struct PicoAuthGroup {
    /// pico-auth's id (12 hex characters), kept: `@requires_group` configurations name it.
    pub id: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// The organisation.
    pub org_id: String,
    /// Unix seconds, if the stored time could be read.
    pub created_at: Option<i64>,
}

/// One row of pico-auth's `group_members` table (0.2 and later).
#[derive(Clone, Debug)]
pub struct PicoAuthMembership {
    /// The group's id.
    pub group_id: String,
    /// The account's id.
    pub user_id: String,
    /// Unix seconds, if the stored time could be read.
    pub joined_at: Option<i64>,
}

/// The groups and memberships of the pico-auth database at `path`: none from a pico-auth 0.1
/// database, which has no `groups` table.
///
/// # Errors
/// `InvalidInput` if the file cannot be read, or its group tables lack pico-auth's columns.
pub fn read_pico_auth_groups(path: &Path) -> Result<(Vec<PicoAuthGroup>, Vec<PicoAuthMembership>)> {
    let not_pico_auth = |error: rusqlite::Error| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} has unreadable pico-auth group tables", path.display()),
        )
        .with_source(error)
    };
    let connection = open_read_only(path)?.map_err(not_pico_auth)?;
    let has_table = |name: &str| -> Result<bool> {
        connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |row| row.get::<_, i64>(0),
            )
            .map(|count| count > 0)
            .map_err(not_pico_auth)
    };
    let mut groups = Vec::new();
    if has_table("groups")? {
        let mut statement = connection
            .prepare("SELECT id, name, description, org_id, created_at FROM groups ORDER BY created_at, id")
            .map_err(not_pico_auth)?;
        groups = statement
            .query_map([], |row| {
                Ok(PicoAuthGroup {
                    id: text(row.get(0)?),
                    name: text(row.get(1)?),
                    description: text(row.get(2)?),
                    org_id: text(row.get(3)?),
                    created_at: timestamp(row.get(4)?),
                })
            })
            .map_err(not_pico_auth)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(not_pico_auth)?;
    }
    let mut memberships = Vec::new();
    if has_table("group_members")? {
        let mut statement = connection
            .prepare("SELECT group_id, user_id, joined_at FROM group_members ORDER BY joined_at, group_id, user_id")
            .map_err(not_pico_auth)?;
        memberships = statement
            .query_map([], |row| {
                Ok(PicoAuthMembership {
                    group_id: text(row.get(0)?),
                    user_id: text(row.get(1)?),
                    joined_at: timestamp(row.get(2)?),
                })
            })
            .map_err(not_pico_auth)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(not_pico_auth)?;
    }
    Ok((groups, memberships))
}

/// Opens the file at `path` read-only, if it is a regular file (a symbolic link is followed):
/// SQLite's open of a FIFO would wait for a writer forever, and a device or a directory is no
/// database either.
///
/// # Errors
/// `InvalidInput` if `path` is missing or not a regular file; the open's own failure is the
/// inner result, for the caller to word.
fn open_read_only(path: &Path) -> Result<rusqlite::Result<Connection>> {
    let metadata = std::fs::metadata(path).map_err(|error| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} is not a readable pico-auth database", path.display()),
        )
        .with_source(error)
    })?;
    if !metadata.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is not a pico-auth database: not a regular file",
                path.display()
            ),
        ));
    }
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    ))
}

/// A text column as text: numbers as their digits, anything else as empty.
fn text(value: Value) -> String {
    match value {
        Value::Text(text) => text,
        Value::Integer(number) => number.to_string(),
        _ => String::new(),
    }
}

/// pico-auth stored `datetime.isoformat()` strings (`2026-11-23T13:26:35.595390+00:00`);
/// numbers are taken as Unix seconds.
fn timestamp(value: Value) -> Option<i64> {
    match value {
        Value::Integer(seconds) => Some(seconds),
        Value::Real(seconds) => Some(seconds as i64),
        Value::Text(text) => parse_iso8601(&text),
        _ => None,
    }
}

/// Parses an ISO-8601 date and time with an optional `Z` or `±HH:MM` offset (none means UTC).
fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    let (local, offset_seconds) = match text
        .char_indices()
        .skip(19)
        .find(|(_, c)| matches!(c, '+' | '-' | 'Z'))
    {
        Some((at, 'Z')) => (&text[..at], 0),
        Some((at, sign)) => {
            let (hours, minutes) = text[at + 1..].split_once(':')?;
            let magnitude = hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60;
            (
                &text[..at],
                if sign == '-' { -magnitude } else { magnitude },
            )
        }
        None => (text, 0),
    };
    let time = humantime::parse_rfc3339_weak(local).ok()?;
    let seconds = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds)
        .ok()
        .map(|seconds| seconds - offset_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pico_auth_timestamps() {
        assert_eq!(
            parse_iso8601("2026-11-23T13:26:35.595390+00:00"),
            Some(1_795_440_395)
        );
        assert_eq!(parse_iso8601("2026-11-23T13:26:35Z"), Some(1_795_440_395));
        assert_eq!(parse_iso8601("2026-11-23 13:26:35"), Some(1_795_440_395));
        assert_eq!(
            parse_iso8601("2026-11-23T15:26:35+02:00"),
            Some(1_795_440_395)
        );
        assert_eq!(
            parse_iso8601("2026-11-23T11:26:35.5-02:00"),
            Some(1_795_440_395)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(timestamp(Value::Integer(42)), Some(42));
        assert_eq!(timestamp(Value::Null), None);
    }
}
