//! Failed-login back-off that every process on the database shares (API.md §11): the counters
//! of an account, and of an account as tried from one client, kept in the store, so that N
//! replicas give an attacker no more guesses than one, and a success on one clears them for all.
//!
//! This file names and counts; it decides nothing. The HTTP door's throttle (`http::throttle`)
//! owns the rules: which counters are shared, how many failures are free, how long each wait
//! is, and the attempts in flight (per process, in memory). A counter's name is whatever bytes
//! the throttle names it by (an email's digest, with a client's address for a pair); it is
//! stored under a keyed digest of that name ([`crate::keys::RefreshKey::login_failure_key`]).
//!
//! # Invariants
//! - Only failures write: reading the counters before an attempt writes nothing, and a success
//!   clears only when the read found a counter (the caller knows; see `http::accounts`).
//! - Bounded: [`App::prune`] deletes counters whose last failure is older than anyone
//!   remembers (the longer of [`LOGIN_FAILURE_MEMORY_SECONDS`] and `login_max_delay`), then
//!   evicts past [`MAX_LOGIN_FAILURES`] (fewest failures first, then least recently failed),
//!   never refusing a failure its row. Between two prunes the table grows by at most what a
//!   minute of failures writes, and every failure costs a password hash.
//! - Time is a parameter: Unix milliseconds from the caller.

use std::sync::{Mutex, MutexGuard};

use super::App;
use crate::error::Result;
use crate::store::{LoginFailures, WriteTransaction};

/// After this long without a failure, a failure counter starts again from zero.
pub const LOGIN_FAILURE_MEMORY_SECONDS: u64 = 900;

/// The most failure counters the database keeps (about 100 bytes each, with the indexes).
pub const MAX_LOGIN_FAILURES: u64 = 100_000;

/// Failure writes on one counter, one at a time in this process (by the first byte of its
/// key). On PostgreSQL, SERIALIZABLE writers updating one row at once fail with 40001 and rerun,
/// and a row that many of this process's hashes fail on at once (guesses at one account from
/// many addresses) would use up their reruns: 64 writers on one row lost failures to
/// `Unavailable`. Queued here, the writers racing on a row are at most one per replica.
static WRITING: [Mutex<()>; 256] = [const { Mutex::new(()) }; 256];

impl App {
    /// The counters named `names`, in order (`None` where none is stored), as the store holds
    /// them at `now_ms` (Unix milliseconds); the caller judges whether they are remembered.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails; `Keys` if the keys cannot be loaded.
    pub fn get_login_failures(
        &self,
        names: &[impl AsRef<[u8]>],
        now_ms: i64,
    ) -> Result<Vec<Option<LoginFailures>>> {
        let keys = self.login_failure_keys(names, now_ms)?;
        self.store.read(|transaction| {
            keys.iter()
                .map(|key| transaction.get_login_failures(key))
                .collect()
        })
    }

    /// Counts one failure on each of `names` at `now_ms`, in one write transaction, and
    /// returns their counts after it. A counter quiet for [`LOGIN_FAILURE_MEMORY_SECONDS`]
    /// starts again from 1.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails; `Keys` if the keys cannot be loaded.
    pub fn record_login_failure(
        &self,
        names: &[impl AsRef<[u8]>],
        now_ms: i64,
    ) -> Result<Vec<u32>> {
        let keys = self.login_failure_keys(names, now_ms)?;
        let forget_before_ms = now_ms.saturating_sub(milliseconds(LOGIN_FAILURE_MEMORY_SECONDS));
        let _writing = lock_writing(&keys);
        self.store.write(|transaction| {
            keys.iter()
                .map(|key| transaction.record_login_failure(key, now_ms, forget_before_ms))
                .collect()
        })
    }

    /// Deletes the counters named `names` (a success: failures count only when consecutive,
    /// NIST SP 800-63B §5.2.2). Call it only when a counter was found, so that a success
    /// writes nothing otherwise.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` if the database fails; `Keys` if the keys cannot be loaded.
    pub fn clear_login_failures(&self, names: &[impl AsRef<[u8]>], now_ms: i64) -> Result<()> {
        let keys = self.login_failure_keys(names, now_ms)?;
        self.store.write(|transaction| {
            for key in &keys {
                transaction.delete_login_failures(key)?;
            }
            Ok(())
        })
    }

    /// The part of [`App::prune`] that keeps the counters bounded: deletes those nobody
    /// remembers at `now` (Unix seconds), then the excess over [`MAX_LOGIN_FAILURES`].
    pub(super) fn prune_login_failures(
        &self,
        transaction: &mut dyn WriteTransaction,
        now: i64,
    ) -> Result<usize> {
        // Past both the memory and the longest wait, a counter neither blocks nor counts.
        let horizon = LOGIN_FAILURE_MEMORY_SECONDS.max(self.config.login_max_delay);
        let failed_before_ms = now
            .saturating_mul(1000)
            .saturating_sub(milliseconds(horizon));
        let expired = transaction.delete_expired_login_failures(failed_before_ms)?;
        Ok(expired + transaction.delete_excess_login_failures(MAX_LOGIN_FAILURES)?)
    }

    /// The store keys of `names`, keyed by the refresh-hashing key as loaded (no read).
    fn login_failure_keys(&self, names: &[impl AsRef<[u8]>], now_ms: i64) -> Result<Vec<[u8; 32]>> {
        let material = self.loaded_keys(now_ms.div_euclid(1000))?;
        Ok(names
            .iter()
            .map(|name| material.refresh_key.login_failure_key(name.as_ref()))
            .collect())
    }
}

/// Takes the [`WRITING`] locks of `keys`, in ascending order (so two writers never wait for
/// each other's), each once.
fn lock_writing(keys: &[[u8; 32]]) -> Vec<MutexGuard<'static, ()>> {
    let mut stripes: Vec<usize> = keys.iter().map(|key| usize::from(key[0])).collect();
    stripes.sort_unstable();
    stripes.dedup();
    stripes
        .into_iter()
        .map(|stripe| {
            // A unit behind the lock: a panic elsewhere cannot leave it inconsistent.
            WRITING[stripe]
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        })
        .collect()
}

/// Seconds as milliseconds, for offsets from a millisecond time.
fn milliseconds(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    const NOW_MS: i64 = NOW * 1000;

    #[test]
    fn counters_are_counted_read_and_cleared_by_name() {
        let test = test_app("login-failures");
        let app = &test.app;
        let names = [b"pair".to_vec(), b"account".to_vec()];
        assert_eq!(
            app.get_login_failures(&names, NOW_MS).unwrap(),
            [None, None]
        );
        assert_eq!(app.record_login_failure(&names, NOW_MS).unwrap(), [1, 1]);
        assert_eq!(
            app.record_login_failure(&names[1..], NOW_MS + 5).unwrap(),
            [2]
        );
        let stored = app.get_login_failures(&names, NOW_MS + 10).unwrap();
        assert_eq!(
            stored,
            [
                Some(LoginFailures {
                    failures: 1,
                    failed_at_ms: NOW_MS
                }),
                Some(LoginFailures {
                    failures: 2,
                    failed_at_ms: NOW_MS + 5
                }),
            ]
        );
        // Quiet for the memory, a counter starts again.
        let later = NOW_MS + milliseconds(LOGIN_FAILURE_MEMORY_SECONDS) + 6;
        assert_eq!(app.record_login_failure(&names[1..], later).unwrap(), [1]);
        app.clear_login_failures(&names, later).unwrap();
        assert_eq!(app.get_login_failures(&names, later).unwrap(), [None, None]);
    }

    #[test]
    fn a_counter_is_stored_under_a_keyed_digest_not_its_name_or_a_plain_hash() {
        // A password typed into the email field must not land in the database as a digest
        // anyone could search with.
        let test = test_app("login-failures-keyed");
        let app = &test.app;
        let name = b"a correct horse battery staple".to_vec();
        app.record_login_failure(std::slice::from_ref(&name), NOW_MS)
            .unwrap();
        let plain = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &name);
        let mut plain_key = [0u8; 32];
        plain_key.copy_from_slice(plain.as_ref());
        let keyed = app.login_failure_keys(&[&name], NOW_MS).unwrap()[0];
        assert_ne!(keyed, plain_key);
        let found = |key: &[u8; 32]| {
            app.store
                .read(|transaction| transaction.get_login_failures(key))
                .unwrap()
        };
        assert!(found(&plain_key).is_none());
        assert_eq!(found(&keyed).map(|stored| stored.failures), Some(1));
    }

    #[test]
    fn prune_deletes_counters_nobody_remembers_after_the_memory_or_the_longest_wait() {
        let test = test_app("login-failures-prune");
        let app = &test.app;
        let names = [b"quiet".to_vec()];
        app.record_login_failure(&names, NOW_MS).unwrap();
        let memory = i64::try_from(LOGIN_FAILURE_MEMORY_SECONDS).unwrap();
        // `login_max_delay` is 15 min by default, the same as the memory.
        assert_eq!(app.prune(NOW + memory).unwrap().login_failures, 0);
        assert!(app.get_login_failures(&names, NOW_MS).unwrap()[0].is_some());
        assert_eq!(app.prune(NOW + memory + 1).unwrap().login_failures, 1);
        assert!(app.get_login_failures(&names, NOW_MS).unwrap()[0].is_none());
    }

    #[test]
    fn a_flood_past_the_cap_is_evicted_by_prune_and_spares_the_counters_that_hold_most() {
        let test = test_app("login-failures-cap");
        let app = &test.app;
        let victim = [b"victim's account".to_vec()];
        for n in 0..100 {
            app.record_login_failure(&victim, NOW_MS + n).unwrap();
        }
        // A flood of fresh names, one failure each, all newer than the victim's last failure.
        let flood = usize::try_from(MAX_LOGIN_FAILURES).unwrap() + 10;
        app.store
            .write(|transaction| {
                for n in 0..flood {
                    let mut key = [0u8; 32];
                    key[..8].copy_from_slice(&(n as u64).to_be_bytes());
                    transaction.record_login_failure(&key, NOW_MS + 1_000, 0)?;
                }
                Ok(())
            })
            .unwrap();
        let pruned = app.prune(NOW + 2).unwrap();
        assert_eq!(pruned.login_failures, 11);
        let count = app
            .store
            .read(|transaction| transaction.count_login_failures())
            .unwrap();
        assert_eq!(count, MAX_LOGIN_FAILURES);
        let kept = app.get_login_failures(&victim, NOW_MS).unwrap()[0];
        assert_eq!(kept.map(|stored| stored.failures), Some(100));
    }

    #[test]
    fn a_longer_max_delay_keeps_a_counter_until_its_wait_is_over() {
        let dir = std::env::temp_dir().join(format!(
            "picoauth-unit-{}-login-failures-delay",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let config = crate::config::Config {
            db: dir.join("picoauth.db"),
            key_dir: dir.join("keys"),
            login_max_delay: 3600,
            ..crate::config::Config::default()
        };
        let app = App::open(config, NOW).unwrap();
        let names = [b"blocked".to_vec()];
        app.record_login_failure(&names, NOW_MS).unwrap();
        assert_eq!(app.prune(NOW + 3600).unwrap().login_failures, 0);
        assert_eq!(app.prune(NOW + 3601).unwrap().login_failures, 1);
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
