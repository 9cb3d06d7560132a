//! The `refresh_tokens` table: keyed hashes of refresh tokens, grouped into rotation families.
//!
//! Only hashes are stored; the tokens themselves exist only in the hands of their holders.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// A stored refresh token (by hash).
#[derive(Clone, Debug)]
pub struct RefreshRecord {
    /// Every token descended from one login shares this id.
    pub family_id: String,
    /// The account the chain belongs to.
    pub user_id: Option<String>,
    /// Absolute end of the chain, counted from the login (Unix seconds).
    pub expires_at: i64,
    /// When the token was used (and replaced); a second use is theft.
    pub rotated_at: Option<i64>,
}

/// Stores a new refresh token's hash.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_refresh_token(
    connection: &Connection,
    token_hash: &[u8],
    family_id: &str,
    user_id: Option<&str>,
    issued_at: i64,
    expires_at: i64,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            token_hash, family_id, user_id, issued_at, expires_at
        ])?;
    Ok(())
}

/// The record behind a token hash, if it is still stored.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_refresh_token(
    connection: &Connection,
    token_hash: &[u8],
) -> Result<Option<RefreshRecord>> {
    Ok(connection
        .prepare_cached(
            "SELECT family_id, user_id, expires_at, rotated_at FROM refresh_tokens \
             WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |row| {
            Ok(RefreshRecord {
                family_id: row.get(0)?,
                user_id: row.get(1)?,
                expires_at: row.get(2)?,
                rotated_at: row.get(3)?,
            })
        })
        .optional()?)
}

/// Marks a token as used.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn update_rotated(connection: &Connection, token_hash: &[u8], now: i64) -> Result<()> {
    connection
        .prepare_cached("UPDATE refresh_tokens SET rotated_at = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash, now])?;
    Ok(())
}

/// Deletes a whole chain (reuse detected, or logout of that session).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_family(connection: &Connection, family_id: &str) -> Result<()> {
    connection
        .prepare_cached("DELETE FROM refresh_tokens WHERE family_id = ?1")?
        .execute([family_id])?;
    Ok(())
}

/// Deletes every refresh token of an account (password or role change, disable, delete).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_user_refresh_tokens(connection: &Connection, user_id: &str) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM refresh_tokens WHERE user_id = ?1")?
        .execute([user_id])?)
}

/// Deletes the tokens of chains that have ended; their rows can detect nothing any more.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_expired_refresh_tokens(connection: &Connection, now: i64) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM refresh_tokens WHERE expires_at <= ?1")?
        .execute([now])?)
}
