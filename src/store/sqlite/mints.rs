//! The `mints` table: the audit of every long-lived token minted, newest first.
//!
//! [`MintSelection`] names the parts of the audit a caller may see; each is one SQL condition
//! here.
//!
//! # Invariants
//! - Every listing pages newest first through an index (the rowid, `mints_by_org` or
//!   `mints_by_sub`), so a page of `limit` rows costs about `limit` rows however large the audit
//!   grows; a caller confined to two parts reads at most `limit` rows of each.
//! - A listing and the check before a revocation use the same conditions, so a caller can revoke
//!   exactly the tokens it can list.
//! - Rows of tokens expired longer than `mint_audit_retention` are deleted in bounded batches
//!   through `mints_by_exp` ([`delete_expired_mints`]): strangers' sign-ins cannot grow the
//!   audit without end.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::{MintRecord, MintSelection};

/// The SQL condition on `m` (the `mints` row) of a selection, and its one parameter, `?3`.
fn condition<'a>(selection: &MintSelection<'a>) -> (&'static str, Option<&'a str>) {
    match *selection {
        MintSelection::All => ("?3 IS NULL", None),
        MintSelection::Organisation(org_id) => (
            "m.org_id = ?3 AND m.kind = 'user' AND m.role <> 'superadmin' AND NOT EXISTS \
             (SELECT 1 FROM users u WHERE u.id = m.sub AND u.role = 'superadmin')",
            Some(org_id),
        ),
        MintSelection::Unowned => (
            "m.org_id IS NULL AND ?3 IS NULL AND m.kind <> 'user' AND m.role <> 'superadmin'",
            None,
        ),
        MintSelection::Account(user_id) => (
            "m.sub = ?3 AND m.kind = 'user' AND m.role <> 'superadmin'",
            Some(user_id),
        ),
    }
}

/// Records a minted token (`id` and `revoked` are ignored: the row gets the next id, and
/// revocation is derived when listing).
///
/// # Errors
/// `Storage` if SQLite fails (including a duplicate jti, which would be a bug).
pub fn insert_mint(connection: &Connection, record: &MintRecord) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO mints (jti, kind, sub, role, iat, exp, scope, agent_id, session_id, \
             minted_by, org_id, parent_jti) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
            record.org_id,
            record.parent_jti,
        ])?;
    Ok(())
}

/// The newest `limit` audited tokens of the union of `selections`; with `active_at`, only
/// those unexpired at that time and not revoked.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_mints(
    connection: &Connection,
    selections: &[MintSelection<'_>],
    limit: u32,
    active_at: Option<i64>,
) -> Result<Vec<MintRecord>> {
    let mut records = Vec::new();
    // One index range per selection, each newest first and cut at `limit`; the newest `limit`
    // of their union are among these.
    for selection in selections {
        let (condition, parameter) = condition(selection);
        let mut statement = connection.prepare_cached(&format!(
            "SELECT m.id, m.jti, m.kind, m.sub, m.role, m.org_id, m.iat, m.exp, m.scope, \
                    m.agent_id, m.session_id, m.minted_by, r.jti IS NOT NULL, m.parent_jti \
             FROM mints m LEFT JOIN revocations r ON r.jti = m.jti \
             WHERE ({condition}) AND (?1 IS NULL OR (m.exp > ?1 AND r.jti IS NULL)) \
             ORDER BY m.id DESC LIMIT ?2"
        ))?;
        let rows = statement
            .query_map(params![active_at, limit, parameter], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        records.extend(rows);
    }
    records.sort_by_key(|record| std::cmp::Reverse(record.id));
    records.dedup_by_key(|record| record.id);
    records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(records)
}

/// Whether the audit knows `jti` and it lies in one of `selections`.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn is_mint_in(
    connection: &Connection,
    jti: &str,
    selections: &[MintSelection<'_>],
) -> Result<bool> {
    for selection in selections {
        let (condition, parameter) = condition(selection);
        let found = connection
            .prepare_cached(&format!(
                "SELECT 1 FROM mints m WHERE m.jti = ?1 AND ({condition})"
            ))?
            // ?2 is unused here; the conditions name their parameter ?3.
            .query_row(params![jti, None::<i64>, parameter], |_| Ok(()))
            .optional()?;
        if found.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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
            "SELECT m.id, m.jti, m.kind, m.sub, m.role, m.org_id, m.iat, m.exp, m.scope, \
                    m.agent_id, m.session_id, m.minted_by, r.jti IS NOT NULL, m.parent_jti \
             FROM mints m LEFT JOIN revocations r ON r.jti = m.jti WHERE m.jti = ?1",
        )?
        .query_row([jti], from_row)
        .optional()?)
}

/// Deletes at most `limit` audit rows of tokens that expired at or before `expired_by`, through
/// the index `mints_by_exp`; how many were deleted. A bounded batch keeps the write lock short
/// however many rows are due.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_expired_mints(
    connection: &Connection,
    expired_by: i64,
    limit: usize,
) -> Result<usize> {
    Ok(connection
        .prepare_cached(DELETE_EXPIRED_MINTS)?
        .execute(params![
            expired_by,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])?)
}

/// The statement of [`delete_expired_mints`].
const DELETE_EXPIRED_MINTS: &str =
    "DELETE FROM mints WHERE id IN (SELECT id FROM mints WHERE exp <= ?1 LIMIT ?2)";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MintRecord> {
    Ok(MintRecord {
        id: row.get(0)?,
        jti: row.get(1)?,
        kind: row.get(2)?,
        sub: row.get(3)?,
        role: row.get(4)?,
        org_id: row.get(5)?,
        iat: row.get(6)?,
        exp: row.get(7)?,
        scope: row.get(8)?,
        agent_id: row.get(9)?,
        session_id: row.get(10)?,
        minted_by: row.get(11)?,
        revoked: row.get(12)?,
        parent_jti: row.get(13)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    /// The query plan of one listing, as SQLite explains it.
    fn plan(connection: &Connection, selection: MintSelection<'_>) -> String {
        let (condition, parameter) = condition(&selection);
        let mut statement = connection
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT m.id FROM mints m \
                 LEFT JOIN revocations r ON r.jti = m.jti \
                 WHERE ({condition}) AND (?1 IS NULL OR (m.exp > ?1 AND r.jti IS NULL)) \
                 ORDER BY m.id DESC LIMIT ?2"
            ))
            .unwrap();
        statement
            .query_map(params![None::<i64>, 50, parameter], |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("; ")
    }

    #[test]
    fn every_listing_pages_through_an_index_without_sorting() {
        let dir = std::env::temp_dir().join(format!("picoauth-mints-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir.join("picoauth.db")).unwrap();
        store
            .read_connection(|connection| {
                for (selection, index) in [
                    (MintSelection::All, None),
                    (MintSelection::Organisation("org"), Some("mints_by_org")),
                    (MintSelection::Unowned, Some("mints_by_org")),
                    (MintSelection::Account("user"), Some("mints_by_sub")),
                ] {
                    let plan = plan(connection, selection);
                    assert!(!plan.contains("TEMP B-TREE"), "{selection:?}: {plan}");
                    if let Some(index) = index {
                        assert!(plan.contains(index), "{selection:?}: {plan}");
                    } else {
                        assert!(plan.contains("SCAN m"), "{selection:?}: {plan}");
                    }
                }
                Ok(())
            })
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn expired_rows_are_deleted_in_bounded_batches_through_the_expiry_index() {
        let dir = std::env::temp_dir().join(format!("picoauth-mints-exp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir.join("picoauth.db")).unwrap();
        store
            .write_connection(|connection| {
                for n in 0..25i64 {
                    insert_mint(
                        connection,
                        &MintRecord {
                            id: 0,
                            jti: format!("jti-{n}"),
                            kind: "wallet".into(),
                            sub: "0xabc".into(),
                            role: "viewer".into(),
                            org_id: None,
                            iat: n,
                            exp: 100 + n,
                            scope: None,
                            agent_id: None,
                            session_id: None,
                            minted_by: "POST /sign-in".into(),
                            revoked: false,
                            parent_jti: None,
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let delete = |expired_by, limit| {
            store
                .write_connection(|connection| delete_expired_mints(connection, expired_by, limit))
                .unwrap()
        };
        assert_eq!(delete(99, 10), 0, "nothing has expired by 99");
        assert_eq!(delete(119, 10), 10, "a batch stops at its limit");
        assert_eq!(delete(119, 10), 10);
        assert_eq!(delete(119, 10), 0, "exp 120 and later stay");
        let left = store
            .read_connection(|connection| get_mint_exp(connection, "jti-20"))
            .unwrap();
        assert_eq!(left, Some(120));
        let plan: String = store
            .read_connection(|connection| {
                let mut statement =
                    connection.prepare(&format!("EXPLAIN QUERY PLAN {DELETE_EXPIRED_MINTS}"))?;
                let rows = statement
                    .query_map(params![0, 10], |row| row.get::<_, String>(3))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows.join("; "))
            })
            .unwrap();
        assert!(plan.contains("mints_by_exp"), "{plan}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
