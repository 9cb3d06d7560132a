//! The `challenges` table: pending wallet challenges, each usable once.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// A pending challenge, as taken out of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChallenge {
    /// The address it was asked for, as the client sent it.
    pub address: String,
    /// When it stops being usable, Unix seconds.
    pub expires_at: i64,
}

/// Stores a new challenge.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_challenge(
    connection: &Connection,
    challenge: &str,
    address: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO challenges (challenge, address, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![challenge, address, now, expires_at])?;
    Ok(())
}

/// Removes a challenge and returns it: one statement, so two attempts can never both get it.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn take_challenge(
    connection: &Connection,
    challenge: &str,
) -> Result<Option<PendingChallenge>> {
    Ok(connection
        .prepare_cached(
            "DELETE FROM challenges WHERE challenge = ?1 RETURNING address, expires_at",
        )?
        .query_row([challenge], |row| {
            Ok(PendingChallenge {
                address: row.get(0)?,
                expires_at: row.get(1)?,
            })
        })
        .optional()?)
}

/// How many challenges are stored (pending or expired but not yet pruned).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_challenges(connection: &Connection) -> Result<u64> {
    let count: i64 = connection
        .prepare_cached("SELECT count(*) FROM challenges")?
        .query_row([], |row| row.get(0))?;
    Ok(count.unsigned_abs())
}

/// Deletes the challenges that can no longer be used.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_expired_challenges(connection: &Connection, now: i64) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM challenges WHERE expires_at <= ?1")?
        .execute([now])?)
}
