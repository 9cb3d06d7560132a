//! The `signing_keys` table: which signing keys exist, by kid. The private keys are files in the
//! key directory; this table is what every process on the database agrees on.

use rusqlite::{Connection, params};

use crate::error::Result;

/// A signing key's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// RFC 7638 thumbprint of the public key; also the file name in the key directory.
    pub kid: String,
    /// JWS algorithm name (`RS256`).
    pub algorithm: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Every signing key, newest first (the newest signs).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_signing_keys(connection: &Connection) -> Result<Vec<SigningKeyRecord>> {
    let mut statement = connection.prepare_cached(
        "SELECT kid, algorithm, created_at FROM signing_keys ORDER BY created_at DESC, rowid DESC",
    )?;
    let records = statement
        .query_map([], |row| {
            Ok(SigningKeyRecord {
                kid: row.get(0)?,
                algorithm: row.get(1)?,
                created_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(records)
}

/// Records a new signing key.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_signing_key(connection: &Connection, record: &SigningKeyRecord) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO signing_keys (kid, algorithm, created_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![record.kid, record.algorithm, record.created_at])?;
    Ok(())
}
