//! The `mints` table: the audit of every long-lived token minted, newest first.
//!
//! [`MintRecord`] serialises to the item of `GET /mints`, which is also what
//! `picoauth list-mints --json` prints: one type, so the two doors cannot drift apart.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::Result;

/// One audited token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MintRecord {
    /// The token's id.
    pub jti: String,
    /// `user`, `wallet` or `fleet`.
    pub kind: String,
    /// The token's subject.
    pub sub: String,
    /// The token's role.
    pub role: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Fleet tokens: the scope, if given.
    pub scope: Option<String>,
    /// Fleet tokens: the agent.
    pub agent_id: Option<String>,
    /// Fleet tokens: the session.
    pub session_id: Option<String>,
    /// Who minted it: the endpoint (`POST /fleet/sessions`) or `cli:<os user>`.
    pub minted_by: String,
    /// Whether the jti is on the denylist.
    pub revoked: bool,
}

/// Records a minted token (`revoked` is ignored: it is derived when listing).
///
/// # Errors
/// `Storage` if SQLite fails (including a duplicate jti, which would be a bug).
pub fn insert_mint(connection: &Connection, record: &MintRecord) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO mints (jti, kind, sub, role, iat, exp, scope, agent_id, session_id, \
             minted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            record.jti,
            record.kind,
            record.sub,
            record.role,
            record.iat,
            record.exp,
            record.scope,
            record.agent_id,
            record.session_id,
            record.minted_by,
        ])?;
    Ok(())
}

/// The newest `limit` audited tokens; with `active_at`, only those unexpired at that time and
/// not revoked.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_mints(
    connection: &Connection,
    limit: u32,
    active_at: Option<i64>,
) -> Result<Vec<MintRecord>> {
    let mut statement = connection.prepare_cached(
        "SELECT m.jti, m.kind, m.sub, m.role, m.iat, m.exp, m.scope, m.agent_id, m.session_id, \
                m.minted_by, r.jti IS NOT NULL \
         FROM mints m LEFT JOIN revocations r ON r.jti = m.jti \
         WHERE ?1 IS NULL OR (m.exp > ?1 AND r.jti IS NULL) \
         ORDER BY m.id DESC LIMIT ?2",
    )?;
    let records = statement
        .query_map(params![active_at, limit], |row| {
            Ok(MintRecord {
                jti: row.get(0)?,
                kind: row.get(1)?,
                sub: row.get(2)?,
                role: row.get(3)?,
                iat: row.get(4)?,
                exp: row.get(5)?,
                scope: row.get(6)?,
                agent_id: row.get(7)?,
                session_id: row.get(8)?,
                minted_by: row.get(9)?,
                revoked: row.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(records)
}

/// The expiry of an audited token, if the audit knows the jti.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_mint_exp(connection: &Connection, jti: &str) -> Result<Option<i64>> {
    Ok(connection
        .prepare_cached("SELECT exp FROM mints WHERE jti = ?1")?
        .query_row([jti], |row| row.get(0))
        .optional()?)
}

/// The audit entry of one jti, if the audit knows it (`picoauth revoke` and `inspect` show it).
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_mint(connection: &Connection, jti: &str) -> Result<Option<MintRecord>> {
    Ok(connection
        .prepare_cached(
            "SELECT m.jti, m.kind, m.sub, m.role, m.iat, m.exp, m.scope, m.agent_id, \
                    m.session_id, m.minted_by, r.jti IS NOT NULL \
             FROM mints m LEFT JOIN revocations r ON r.jti = m.jti WHERE m.jti = ?1",
        )?
        .query_row([jti], |row| {
            Ok(MintRecord {
                jti: row.get(0)?,
                kind: row.get(1)?,
                sub: row.get(2)?,
                role: row.get(3)?,
                iat: row.get(4)?,
                exp: row.get(5)?,
                scope: row.get(6)?,
                agent_id: row.get(7)?,
                session_id: row.get(8)?,
                minted_by: row.get(9)?,
                revoked: row.get(10)?,
            })
        })
        .optional()?)
}
