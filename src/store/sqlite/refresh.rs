//! The `refresh_tokens` table: keyed hashes of refresh tokens, grouped into rotation families.
//!
//! Only hashes are stored; the tokens themselves exist only in the hands of their holders.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, ErrorKind, Result};
use crate::store::{
    FamilyAccessToken, NewRefreshToken, RefreshOwner, RefreshRecord, RefreshRotation,
};

/// Stores a new refresh token's hash.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_refresh_token(connection: &Connection, token: &NewRefreshToken<'_>) -> Result<()> {
    let NewRefreshToken {
        token_hash,
        family_id,
        owner,
        access_jti,
        issued_at,
        expires_at,
    } = *token;
    let (user_id, wallet_address, wallet_algorithm) = match owner {
        RefreshOwner::User(id) => (Some(id.as_str()), None, None),
        RefreshOwner::Wallet { address, algorithm } => {
            (None, Some(address.as_str()), Some(algorithm.as_str()))
        }
    };
    connection
        .prepare_cached(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, wallet_address, \
             wallet_algorithm, access_jti, issued_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            token_hash,
            family_id,
            user_id,
            wallet_address,
            wallet_algorithm,
            access_jti,
            issued_at,
            expires_at
        ])?;
    Ok(())
}

/// The columns [`record_of`] reads, in its order.
const RECORD_COLUMNS: &str = "family_id, user_id, wallet_address, wallet_algorithm, expires_at, \
                              rotated_at";

/// The stored columns of one refresh token, before their owner is checked.
type RecordRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
);

fn record_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

/// The record a row holds; a row that names no owner is a broken database.
fn record_of(row: RecordRow) -> Result<RefreshRecord> {
    let (family_id, user_id, address, algorithm, expires_at, rotated_at) = row;
    let owner = match (user_id, address, algorithm) {
        (Some(id), _, _) => RefreshOwner::User(id),
        (None, Some(address), Some(algorithm)) => RefreshOwner::Wallet { address, algorithm },
        _ => {
            return Err(Error::new(
                ErrorKind::Storage,
                "a refresh token without an owner",
            ));
        }
    };
    Ok(RefreshRecord {
        family_id,
        owner,
        expires_at,
        rotated_at,
    })
}

/// The record behind a token hash, if it is still stored.
///
/// # Errors
/// `Storage` if SQLite fails or the row names no owner.
pub fn get_refresh_token(
    connection: &Connection,
    token_hash: &[u8],
) -> Result<Option<RefreshRecord>> {
    connection
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM refresh_tokens WHERE token_hash = ?1"
        ))?
        .query_row([token_hash], record_row)
        .optional()?
        .map(record_of)
        .transpose()
}

/// Marks a token used at `now` unless it was used before, in one conditional update, and says
/// which happened.
///
/// # Errors
/// `Storage` if SQLite fails or the row names no owner.
pub fn rotate_refresh_token(
    connection: &Connection,
    token_hash: &[u8],
    now: i64,
) -> Result<RefreshRotation> {
    // Only the call whose update finds `rotated_at` still empty gets a row back: the check and
    // the mark are one statement, on any backend and any isolation level.
    let won = connection
        .prepare_cached(&format!(
            "UPDATE refresh_tokens SET rotated_at = ?2 \
             WHERE token_hash = ?1 AND rotated_at IS NULL RETURNING {RECORD_COLUMNS}"
        ))?
        .query_row(params![token_hash, now], record_row)
        .optional()?;
    if let Some(row) = won {
        return Ok(RefreshRotation::Rotated(record_of(row)?));
    }
    Ok(match get_refresh_token(connection, token_hash)? {
        Some(record) => RefreshRotation::AlreadyRotated(record),
        None => RefreshRotation::Unknown,
    })
}

/// Deletes every chain that issued the access token `access_jti` (its session is revoked).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_families_of_access_token(connection: &Connection, access_jti: &str) -> Result<usize> {
    Ok(connection
        .prepare_cached(
            "DELETE FROM refresh_tokens WHERE family_id IN \
             (SELECT family_id FROM refresh_tokens WHERE access_jti = ?1)",
        )?
        .execute([access_jti])?)
}

/// The access tokens issued along a chain (one per refresh token still stored), with their
/// expiry where the mint audit knows it.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_family_access_tokens(
    connection: &Connection,
    family_id: &str,
) -> Result<Vec<FamilyAccessToken>> {
    access_tokens_of(connection, "family_id", family_id)
}

/// The access tokens issued along every chain of an account.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_user_access_tokens(
    connection: &Connection,
    user_id: &str,
) -> Result<Vec<FamilyAccessToken>> {
    access_tokens_of(connection, "user_id", user_id)
}

/// The access tokens of the refresh tokens whose `column` (`family_id` or `user_id`, never
/// outside input) is `key`.
fn access_tokens_of(
    connection: &Connection,
    column: &'static str,
    key: &str,
) -> Result<Vec<FamilyAccessToken>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT t.access_jti, t.issued_at, m.exp FROM refresh_tokens t \
         LEFT JOIN mints m ON m.jti = t.access_jti \
         WHERE t.{column} = ?1 AND t.access_jti IS NOT NULL"
    ))?;
    let tokens = statement
        .query_map([key], |row| {
            Ok(FamilyAccessToken {
                jti: row.get(0)?,
                issued_at: row.get(1)?,
                exp: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tokens)
}

/// Deletes a whole chain (reuse detected, or its owner is gone).
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

/// Whether `access_jti` was issued with a refresh token whose chain has not ended at `now`:
/// the access token of a live session, which `picoauth revoke` knows even when it was too
/// short-lived for the mint audit.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn has_live_session_of_access_token(
    connection: &Connection,
    access_jti: &str,
    now: i64,
) -> Result<bool> {
    Ok(connection
        .prepare_cached(
            "SELECT 1 FROM refresh_tokens WHERE access_jti = ?1 AND expires_at > ?2 LIMIT 1",
        )?
        .query_row(params![access_jti, now], |_| Ok(()))
        .optional()?
        .is_some())
}
