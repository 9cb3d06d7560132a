//! The `refresh_tokens` table: keyed hashes of refresh tokens, grouped into rotation families.
//!
//! Only hashes are stored; the tokens themselves exist only in the hands of their holders.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, ErrorKind, Result};

/// Whose session a refresh token continues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshOwner {
    /// An account, by id.
    User(String),
    /// A wallet, by canonical address and algorithm wire name.
    Wallet {
        /// The canonical address.
        address: String,
        /// The algorithm it signed in with.
        algorithm: String,
    },
}

/// A stored refresh token (by hash).
#[derive(Clone, Debug)]
pub struct RefreshRecord {
    /// Every token descended from one login shares this id.
    pub family_id: String,
    /// Whose session it is.
    pub owner: RefreshOwner,
    /// Absolute end of the chain, counted from the login (Unix seconds).
    pub expires_at: i64,
    /// When the token was used (and replaced); a second use is theft.
    pub rotated_at: Option<i64>,
}

/// A refresh token to store: its hash, its chain, and the access token issued with it.
#[derive(Clone, Copy, Debug)]
pub struct NewRefreshToken<'a> {
    /// The keyed hash of the token.
    pub token_hash: &'a [u8],
    /// The chain it belongs to.
    pub family_id: &'a str,
    /// Whose session it is.
    pub owner: &'a RefreshOwner,
    /// The jti of the access token handed out with it.
    pub access_jti: &'a str,
    /// Unix seconds.
    pub issued_at: i64,
    /// The chain's absolute end, Unix seconds.
    pub expires_at: i64,
}

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

/// The record behind a token hash, if it is still stored.
///
/// # Errors
/// `Storage` if SQLite fails or the row names no owner.
pub fn get_refresh_token(
    connection: &Connection,
    token_hash: &[u8],
) -> Result<Option<RefreshRecord>> {
    let row = connection
        .prepare_cached(
            "SELECT family_id, user_id, wallet_address, wallet_algorithm, expires_at, rotated_at \
             FROM refresh_tokens WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()?;
    let Some((family_id, user_id, address, algorithm, expires_at, rotated_at)) = row else {
        return Ok(None);
    };
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
    Ok(Some(RefreshRecord {
        family_id,
        owner,
        expires_at,
        rotated_at,
    }))
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

/// An access token handed out with one refresh token of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyAccessToken {
    /// The access token's jti.
    pub jti: String,
    /// When it was issued with its refresh token, Unix seconds.
    pub issued_at: i64,
    /// Its expiry from the mint audit, if the audit knows it.
    pub exp: Option<i64>,
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
    let mut statement = connection.prepare_cached(
        "SELECT t.access_jti, t.issued_at, m.exp FROM refresh_tokens t \
         LEFT JOIN mints m ON m.jti = t.access_jti \
         WHERE t.family_id = ?1 AND t.access_jti IS NOT NULL",
    )?;
    let tokens = statement
        .query_map([family_id], |row| {
            Ok(FamilyAccessToken {
                jti: row.get(0)?,
                issued_at: row.get(1)?,
                exp: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tokens)
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
