//! The `login_failures` table: the failed-login counters that every process on the database
//! shares (an account's, and an account's as tried from one client; see `app::login_failures`),
//! each under a fixed-size key.
//!
//! # Invariants
//! - Only failures write: one upsert per counter (`INSERT … ON CONFLICT DO UPDATE … RETURNING`);
//!   a success deletes only counters it found; reading a counter writes nothing.
//! - The table is bounded: `App::prune` deletes counters nobody remembers and then the excess
//!   over a cap, the counters holding the fewest failures first (`login_failures_by_weight`),
//!   never refusing a new one. Keys are 32 bytes (a `CHECK`, and `[u8; 32]` in the interface).
//! - Plain SQL that PostgreSQL shares (`postgres/transaction.rs` runs the same statements).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::LoginFailures;

/// The counter under `key`, if stored.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_login_failures(
    connection: &Connection,
    key: &[u8; 32],
) -> Result<Option<LoginFailures>> {
    Ok(connection
        .prepare_cached("SELECT failures, failed_at_ms FROM login_failures WHERE key = ?1")?
        .query_row([&key[..]], |row| {
            Ok(LoginFailures {
                failures: count(row.get(0)?),
                failed_at_ms: row.get(1)?,
            })
        })
        .optional()?)
}

/// How many counters are stored.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_login_failures(connection: &Connection) -> Result<u64> {
    let n: i64 = connection
        .prepare_cached("SELECT count(*) FROM login_failures")?
        .query_row([], |row| row.get(0))?;
    Ok(n.unsigned_abs())
}

/// Counts one more failure under `key` at `now_ms` (from 1 again if the last was before
/// `forget_before_ms`) and returns the count, in one statement.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn record_login_failure(
    connection: &Connection,
    key: &[u8; 32],
    now_ms: i64,
    forget_before_ms: i64,
) -> Result<u32> {
    let failures: i64 = connection
        .prepare_cached(
            "INSERT INTO login_failures (key, failures, failed_at_ms) VALUES (?1, 1, ?2) \
             ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN failed_at_ms < ?3 THEN 1 ELSE failures + 1 END, \
                 failed_at_ms = max(failed_at_ms, excluded.failed_at_ms) \
             RETURNING failures",
        )?
        .query_row(params![&key[..], now_ms, forget_before_ms], |row| {
            row.get(0)
        })?;
    Ok(count(failures))
}

/// Deletes the counter under `key`; how many went.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_login_failures(connection: &Connection, key: &[u8; 32]) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM login_failures WHERE key = ?1")?
        .execute([&key[..]])?)
}

/// Deletes the counters last failed before `failed_before_ms`.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_expired_login_failures(
    connection: &Connection,
    failed_before_ms: i64,
) -> Result<usize> {
    Ok(connection
        .prepare_cached("DELETE FROM login_failures WHERE failed_at_ms < ?1")?
        .execute([failed_before_ms])?)
}

/// Deletes the counters holding the fewest failures (the least recently failed first among
/// equals) until at most `max_rows` are left.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_excess_login_failures(connection: &Connection, max_rows: u64) -> Result<usize> {
    let excess = count_login_failures(connection)?.saturating_sub(max_rows);
    if excess == 0 {
        return Ok(0);
    }
    Ok(connection
        .prepare_cached(
            "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures \
             ORDER BY failures, failed_at_ms LIMIT ?1)",
        )?
        .execute([i64::try_from(excess).unwrap_or(i64::MAX)])?)
}

/// A stored count as a `u32` (a count cannot grow past it: every failure costs a hash).
fn count(stored: i64) -> u32 {
    u32::try_from(stored.max(0)).unwrap_or(u32::MAX)
}
