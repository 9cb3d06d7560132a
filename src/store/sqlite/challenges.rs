//! The `challenges` table: pending wallet challenges, each usable once, and the bounds that
//! keep strangers from filling it.
//!
//! # Invariants
//! - Each challenge records the client that asked for it (the throttle's client address, IPv6
//!   by /64). A client holds at most `ChallengeLimits::client_quota` pending challenges; a new
//!   one past that evicts the client's own oldest.
//! - The table holds at most `ChallengeLimits::max_pending` challenges; at that bound, expired
//!   ones are deleted first, then a new challenge evicts the oldest challenge of the client
//!   holding the most; among clients holding equally many, of the one whose oldest challenge
//!   is oldest (then the client seen first). A flood therefore costs the flooders their own
//!   challenges, oldest first, never another client its challenge or its answer (there is no
//!   "table full" refusal): even a flood of one challenge per fresh address evicts in order of
//!   arrival, so a challenge lives through at least `max_pending` newer ones.
//! - Counts and each client's oldest come from `challenge_clients` and `counters`, kept by
//!   triggers on `challenges` (migrations 8 and 10): no insert counts or scans the table; the
//!   victim is the first row of the index `challenge_clients_by_pending_oldest`.
//! - "Oldest" is the first stored: `seq`, drawn from a counter in the inserting transaction
//!   (migration 9), not `created_at`, which counts whole seconds.
//! - Plain SQL: one-row subqueries and `ORDER BY … LIMIT 1`, which PostgreSQL shares.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::{ChallengeLimits, Evicted, NewChallenge, PendingChallenge};

/// Stores a new challenge within `limits` (see the module invariants). Run it inside
/// a write transaction, so the counts it reads are the ones it changes.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn insert_challenge(
    connection: &Connection,
    new: &NewChallenge<'_>,
    limits: ChallengeLimits,
) -> Result<Evicted> {
    let mut evicted = Evicted::default();
    let quota = limits.client_quota.max(1);
    while count_client_challenges(connection, new.client)? >= quota {
        if delete_oldest_challenge_of(connection, new.client)? == 0 {
            break;
        }
        evicted.own += 1;
    }
    if count_challenges(connection)? >= limits.max_pending.max(1) {
        evicted.expired = delete_expired_challenges(connection, new.created_at)?;
        while count_challenges(connection)? >= limits.max_pending.max(1) {
            let Some(largest) = largest_client(connection)? else {
                break;
            };
            if delete_oldest_challenge_of(connection, &largest)? == 0 {
                break;
            }
            evicted.largest_client += 1;
        }
    }
    let seq: i64 = connection
        .prepare_cached(
            "UPDATE counters SET value = value + 1 WHERE name = 'challenge_seq' RETURNING value",
        )?
        .query_row([], |row| row.get(0))?;
    connection
        .prepare_cached(
            "INSERT INTO challenges (challenge, address, client, created_at, expires_at, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            new.challenge,
            new.address,
            new.client,
            new.created_at,
            new.expires_at,
            seq
        ])?;
    Ok(evicted)
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

/// How many challenges are stored (pending or expired but not yet pruned), from the counter.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_challenges(connection: &Connection) -> Result<u64> {
    let count: Option<i64> = connection
        .prepare_cached("SELECT value FROM counters WHERE name = 'challenges'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(count.unwrap_or(0).unsigned_abs())
}

/// How many challenges `client` holds, from its count.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn count_client_challenges(connection: &Connection, client: &str) -> Result<u64> {
    let count: Option<i64> = connection
        .prepare_cached("SELECT pending FROM challenge_clients WHERE client = ?1")?
        .query_row([client], |row| row.get(0))
        .optional()?;
    Ok(count.unwrap_or(0).unsigned_abs())
}

/// The client holding the most challenges; among equals, the one whose oldest challenge is
/// oldest, then the one seen first (the index's rowid order). One step down an index.
fn largest_client(connection: &Connection) -> Result<Option<String>> {
    Ok(connection
        .prepare_cached(LARGEST_CLIENT)?
        .query_row([], |row| row.get(0))
        .optional()?)
}

/// The query of [`largest_client`]; its order is the index `challenge_clients_by_pending_oldest`.
const LARGEST_CLIENT: &str =
    "SELECT client FROM challenge_clients ORDER BY pending DESC, oldest, rowid LIMIT 1";

/// Deletes the oldest challenge of `client` (the first stored); how many were deleted (0 or 1).
fn delete_oldest_challenge_of(connection: &Connection, client: &str) -> Result<usize> {
    Ok(connection
        .prepare_cached(
            "DELETE FROM challenges WHERE challenge = (\
                 SELECT challenge FROM challenges WHERE client = ?1 \
                 ORDER BY seq LIMIT 1)",
        )?
        .execute([client])?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    const LIMITS: ChallengeLimits = ChallengeLimits {
        max_pending: 10,
        client_quota: 3,
    };

    /// A store in a fresh temporary directory (removed when dropped).
    struct TempStore {
        store: SqliteStore,
        dir: std::path::PathBuf,
    }

    impl Drop for TempStore {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn temp_store(name: &str) -> TempStore {
        let dir =
            std::env::temp_dir().join(format!("picoauth-challenges-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqliteStore::open(&dir.join("picoauth.db")).unwrap();
        TempStore { store, dir }
    }

    fn insert(store: &SqliteStore, challenge: &str, client: &str, at: i64) -> Evicted {
        store
            .write_connection(|connection| {
                insert_challenge(
                    connection,
                    &NewChallenge {
                        challenge,
                        address: "0xabc",
                        client,
                        created_at: at,
                        expires_at: at + 60,
                    },
                    LIMITS,
                )
            })
            .unwrap()
    }

    fn pending(store: &SqliteStore, challenge: &str) -> bool {
        store
            .read_connection(|connection| {
                let n: i64 = connection.query_row(
                    "SELECT count(*) FROM challenges WHERE challenge = ?1",
                    [challenge],
                    |row| row.get(0),
                )?;
                Ok(n == 1)
            })
            .unwrap()
    }

    fn counts(store: &SqliteStore, client: &str) -> (u64, u64) {
        store
            .read_connection(|connection| {
                Ok((
                    count_challenges(connection)?,
                    count_client_challenges(connection, client)?,
                ))
            })
            .unwrap()
    }

    #[test]
    fn a_client_over_its_quota_loses_its_own_oldest() {
        let temp = temp_store("quota");
        let store = &temp.store;
        for n in 0..3 {
            assert_eq!(
                insert(store, &format!("f{n}"), "flooder", n),
                Evicted::default()
            );
        }
        insert(store, "honest", "honest", 3);
        let evicted = insert(store, "f3", "flooder", 4);
        assert_eq!(evicted.own, 1);
        assert_eq!(counts(store, "flooder"), (4, 3));
        assert!(!pending(store, "f0"), "the flooder's oldest went");
        assert!(pending(store, "honest"));
    }

    #[test]
    fn the_oldest_is_the_first_stored_even_within_one_second() {
        let temp = temp_store("same-second");
        let store = &temp.store;
        // Names that sort against the order they are stored in, all in one second.
        for challenge in ["z", "y", "x"] {
            insert(store, challenge, "flooder", 5);
        }
        assert_eq!(insert(store, "w", "flooder", 5).own, 1);
        assert!(!pending(store, "z"), "the first stored went");
        for challenge in ["y", "x", "w"] {
            assert!(pending(store, challenge), "{challenge} stays");
        }
    }

    #[test]
    fn a_full_table_evicts_from_the_client_holding_the_most_and_counts_follow() {
        let temp = temp_store("full");
        let store = &temp.store;
        // Four clients fill the table to 10: a and b hold 3, c holds 3, d holds 1.
        for (client, n) in [("a", 3), ("b", 3), ("c", 3), ("d", 1)] {
            for index in 0..n {
                insert(store, &format!("{client}{index}"), client, index);
            }
        }
        assert_eq!(counts(store, "d"), (10, 1));
        let evicted = insert(store, "e0", "e", 10);
        assert_eq!(evicted.largest_client, 1);
        assert_eq!(counts(store, "e"), (10, 1));
        assert_eq!(
            counts(store, "d").1,
            1,
            "the small holder kept its challenge"
        );
        // Expired challenges go first, before anyone's pending one.
        let evicted = insert(store, "late", "e", 10_000);
        assert_eq!(evicted.expired, 10);
        assert_eq!(evicted.largest_client, 0);
        assert_eq!(counts(store, "e"), (1, 1));
        let deleted = store
            .write_connection(|connection| delete_expired_challenges(connection, 20_000))
            .unwrap();
        assert_eq!(deleted, 1);
        assert_eq!(counts(store, "e"), (0, 0));
        let rows: i64 = store
            .read_connection(|connection| {
                Ok(
                    connection.query_row("SELECT count(*) FROM challenge_clients", [], |row| {
                        row.get(0)
                    })?,
                )
            })
            .unwrap();
        assert_eq!(rows, 0, "clients with nothing pending are forgotten");
    }

    #[test]
    fn among_clients_holding_the_most_the_oldest_challenge_goes() {
        let temp = temp_store("tie");
        let store = &temp.store;
        // A flood of one challenge per fresh address fills the table.
        for n in 0..10 {
            insert(store, &format!("f{n}"), &format!("flooder-{n}"), n);
        }
        // Everyone holds one: the oldest goes, not the newest asker's.
        insert(store, "victim", "victim", 10);
        assert!(!pending(store, "f0"));
        for n in 10..19 {
            insert(store, &format!("f{n}"), &format!("flooder-{n}"), 10);
        }
        assert!(pending(store, "victim"), "nine newer challenges later");
        assert!(!pending(store, "f9"), "evicted in order of arrival");
        // Equal timestamps (one second is the clock's grain): the first stored goes.
        insert(store, "f19", "flooder-19", 10);
        assert!(!pending(store, "victim"), "ten newer challenges later");
        assert!(pending(store, "f10"));
    }

    #[test]
    fn the_oldest_is_kept_per_client_and_follows_deletions() {
        let temp = temp_store("oldest");
        let store = &temp.store;
        // a holds 2 (stored 8th and 9th), b holds 2 (1st and 10th), six singles fill the rest.
        insert(store, "b1", "b", 1);
        for n in 0..6 {
            insert(store, &format!("s{n}"), &format!("single-{n}"), 2);
        }
        insert(store, "a5", "a", 5);
        insert(store, "a6", "a", 6);
        insert(store, "b7", "b", 7);
        // b's oldest is older than a's: b loses its oldest, not a newer single's or a's.
        insert(store, "c", "c", 8);
        assert!(!pending(store, "b1"));
        assert!(pending(store, "a5") && pending(store, "b7"));
        // Now a holds the most (2, oldest 5).
        insert(store, "d", "d", 9);
        assert!(!pending(store, "a5"));
        let oldest: Vec<(String, i64, i64)> = store
            .read_connection(|connection| {
                let mut statement = connection.prepare(
                    "SELECT client, pending, oldest FROM challenge_clients \
                     WHERE client IN ('a', 'b') ORDER BY client",
                )?;
                let rows = statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap();
        // Oldest is the first stored (seq): a6 was the 9th challenge stored, b7 the 10th.
        assert_eq!(oldest, [("a".into(), 1, 9), ("b".into(), 1, 10)]);
    }

    #[test]
    fn choosing_the_client_to_evict_reads_one_index_entry() {
        let temp = temp_store("plan");
        let plan: String = temp
            .store
            .read_connection(|connection| {
                let mut statement =
                    connection.prepare(&format!("EXPLAIN QUERY PLAN {LARGEST_CLIENT}"))?;
                let rows = statement
                    .query_map([], |row| row.get::<_, String>(3))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows.join("; "))
            })
            .unwrap();
        assert!(
            plan.contains("challenge_clients_by_pending_oldest") && !plan.contains("TEMP B-TREE"),
            "{plan}"
        );
    }
}
