//! The `signing_keys` table: which signing keys exist, by kid, and where each is in its life
//! cycle. The private keys are files in the key directory; this table is what every process on
//! the database agrees on.

use rusqlite::{Connection, Row, params};

use crate::error::{Error, Result};
use crate::store::SigningKeyRecord;

const COLUMNS: &str = "kid, algorithm, created_at, deactivated_at, published_until";

fn from_row(row: &Row<'_>) -> rusqlite::Result<SigningKeyRecord> {
    Ok(SigningKeyRecord {
        kid: row.get(0)?,
        algorithm: row.get(1)?,
        created_at: row.get(2)?,
        deactivated_at: row.get(3)?,
        published_until: row.get(4)?,
    })
}

/// Every signing key, newest first.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_signing_keys(connection: &Connection) -> Result<Vec<SigningKeyRecord>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM signing_keys ORDER BY created_at DESC, rowid DESC"
    ))?;
    let records = statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(records)
}

/// Records a new signing key.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_signing_key(connection: &Connection, record: &SigningKeyRecord) -> Result<()> {
    connection
        .prepare_cached(&format!(
            "INSERT INTO signing_keys ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"
        ))?
        .execute(params![
            record.kid,
            record.algorithm,
            record.created_at,
            record.deactivated_at,
            record.published_until,
        ])?;
    Ok(())
}

/// Records `record` only if the table holds no key yet, in one statement; whether it did.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_first_signing_key(
    connection: &Connection,
    record: &SigningKeyRecord,
) -> Result<bool> {
    let inserted = connection
        .prepare_cached(&format!(
            "INSERT INTO signing_keys ({COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5 \
             WHERE NOT EXISTS (SELECT 1 FROM signing_keys)"
        ))?
        .execute(params![
            record.kid,
            record.algorithm,
            record.created_at,
            record.deactivated_at,
            record.published_until,
        ])?;
    Ok(inserted == 1)
}

/// Stops a key from signing (if it still does) and publishes it until `published_until`.
///
/// # Errors
/// `NotFound` for an unknown kid.
pub fn update_key_retirement(
    connection: &Connection,
    kid: &str,
    now: i64,
    published_until: i64,
) -> Result<()> {
    let changed = connection
        .prepare_cached(
            "UPDATE signing_keys SET deactivated_at = COALESCE(deactivated_at, ?2), \
             published_until = ?3 WHERE kid = ?1",
        )?
        .execute(params![kid, now, published_until])?;
    if changed == 0 {
        return Err(Error::not_found(format!("no signing key with kid {kid}")));
    }
    Ok(())
}

/// The signing keys' version: it changes with every insertion, deletion or update of a row
/// (triggers of the schema keep it), so keys loaded at one version are current while it holds.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_signing_keys_version(connection: &Connection) -> Result<i64> {
    Ok(connection
        .prepare_cached("SELECT version FROM versions WHERE name = 'signing_keys'")?
        .query_row([], |row| row.get(0))?)
}
