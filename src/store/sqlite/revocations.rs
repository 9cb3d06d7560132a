//! The `revocations` table: the durable jti denylist.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::Revocation;

/// Adds `revocation` unless the jti is already revoked; the first entry always stays.
/// Returns the entry that is stored afterwards.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_revocation(
    connection: &Connection,
    revocation: &Revocation,
    expires_at: i64,
) -> Result<Revocation> {
    connection
        .prepare_cached(
            "INSERT INTO revocations (jti, revoked_at, reason, revoked_by, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (jti) DO NOTHING",
        )?
        .execute(params![
            revocation.jti,
            revocation.revoked_at,
            revocation.reason,
            revocation.revoked_by,
            expires_at,
        ])?;
    Ok(connection
        .prepare_cached(
            "SELECT jti, revoked_at, reason, revoked_by FROM revocations WHERE jti = ?1",
        )?
        .query_row([&revocation.jti], |row| {
            Ok(Revocation {
                jti: row.get(0)?,
                revoked_at: row.get(1)?,
                reason: row.get(2)?,
                revoked_by: row.get(3)?,
            })
        })?)
}

/// Whether a jti is on the denylist.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn is_revoked(connection: &Connection, jti: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached("SELECT 1 FROM revocations WHERE jti = ?1")?
        .query_row([jti], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether any of `jtis` is on the denylist, in one statement.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn is_any_revoked(connection: &Connection, jtis: &[&str]) -> Result<bool> {
    if jtis.is_empty() {
        return Ok(false);
    }
    // One cached statement per length; chains are at most `max_delegation_depth` + 1 long.
    let placeholders = vec!["?"; jtis.len()].join(", ");
    Ok(connection
        .prepare_cached(&format!(
            "SELECT 1 FROM revocations WHERE jti IN ({placeholders}) LIMIT 1"
        ))?
        .query_row(rusqlite::params_from_iter(jtis), |_| Ok(()))
        .optional()?
        .is_some())
}

/// The entries revoked at or after `since` that still matter at `now`, newest first.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_revocations(connection: &Connection, since: i64, now: i64) -> Result<Vec<Revocation>> {
    let mut statement = connection.prepare_cached(
        "SELECT jti, revoked_at, reason, revoked_by FROM revocations \
         WHERE revoked_at >= ?1 AND expires_at > ?2 ORDER BY revoked_at DESC, rowid DESC",
    )?;
    let revocations = statement
        .query_map(params![since, now], |row| {
            Ok(Revocation {
                jti: row.get(0)?,
                revoked_at: row.get(1)?,
                reason: row.get(2)?,
                revoked_by: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(revocations)
}

/// The denylist's version: it changes with every insertion, deletion or update of an entry
/// (triggers of the schema keep it), so a copy read at one version is current while it holds.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_revocations_version(connection: &Connection) -> Result<i64> {
    Ok(connection
        .prepare_cached("SELECT version FROM versions WHERE name = 'revocations'")?
        .query_row([], |row| row.get(0))?)
}

/// Deletes entries of tokens that have expired: a dead token needs no denylist entry.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_expired_revocations(connection: &Connection, now: i64) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM revocations WHERE expires_at <= ?1")?
        .execute([now])?)
}

/// The denylist entry of one jti, if it is revoked.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_revocation(connection: &Connection, jti: &str) -> Result<Option<Revocation>> {
    Ok(connection
        .prepare_cached(
            "SELECT jti, revoked_at, reason, revoked_by FROM revocations WHERE jti = ?1",
        )?
        .query_row([jti], |row| {
            Ok(Revocation {
                jti: row.get(0)?,
                revoked_at: row.get(1)?,
                reason: row.get(2)?,
                revoked_by: row.get(3)?,
            })
        })
        .optional()?)
}

/// Puts the unexpired audited descendants of `revocation.jti` (by `parent_jti`, at most
/// `max_depth` hops, at most `limit` rows) on the denylist in one statement, walking
/// `mints_by_parent`; entries already there stay. How many were added.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn revoke_descendants(
    connection: &Connection,
    revocation: &Revocation,
    max_depth: u32,
    limit: u32,
) -> Result<usize> {
    // The SELECT of an upsert needs its WHERE, or SQLite reads ON CONFLICT as a join's ON.
    Ok(connection
        .prepare_cached(
            "WITH RECURSIVE descendants (jti, exp, depth) AS ( \
                 SELECT jti, exp, 1 FROM mints WHERE parent_jti = ?1 \
                 UNION ALL \
                 SELECT m.jti, m.exp, d.depth + 1 FROM mints m \
                 JOIN descendants d ON m.parent_jti = d.jti WHERE d.depth < ?5 \
             ) \
             INSERT INTO revocations (jti, revoked_at, reason, revoked_by, expires_at) \
             SELECT jti, ?2, ?3, ?4, exp FROM descendants d WHERE exp > ?2 \
             AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.jti = d.jti) LIMIT ?6 \
             ON CONFLICT (jti) DO NOTHING",
        )?
        .execute(params![
            revocation.jti,
            revocation.revoked_at,
            revocation.reason,
            revocation.revoked_by,
            max_depth,
            limit,
        ])?)
}
