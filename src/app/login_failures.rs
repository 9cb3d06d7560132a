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

use super::App;
use crate::error::Result;
use crate::store::{LoginFailures, WriteTransaction};

/// After this long without a failure, a failure counter starts again from zero.
pub const LOGIN_FAILURE_MEMORY_SECONDS: u64 = 900;

/// The most failure counters the database keeps (about 100 bytes each, with the indexes).
pub const MAX_LOGIN_FAILURES: u64 = 100_000;

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

/// Seconds as milliseconds, for offsets from a millisecond time.
fn milliseconds(seconds: u64) -> i64 {
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}
