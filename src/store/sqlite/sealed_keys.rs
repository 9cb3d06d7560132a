//! The `sealed_keys` table: private keys kept in the database, sealed under the
//! key-encryption key (`keys::KeyEncryptionKey`). PostgreSQL deployments keep their keys here;
//! a SQLite deployment keeps them in its key directory and leaves this table empty, but has it
//! so that both backends offer the same interface.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// The sealed key stored under `name`, if any.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_sealed_key(connection: &Connection, name: &str) -> Result<Option<Vec<u8>>> {
    Ok(connection
        .prepare_cached("SELECT sealed FROM sealed_keys WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?)
}

/// Stores `sealed` under `name` unless a key is stored there; whether it was.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_sealed_key(
    connection: &Connection,
    name: &str,
    sealed: &[u8],
    now: i64,
) -> Result<bool> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO sealed_keys (name, sealed, created_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO NOTHING",
        )?
        .execute(params![name, sealed, now])?;
    Ok(inserted == 1)
}
