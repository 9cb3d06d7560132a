//! [`SharedRead`]: one read of a small value (the signing keys' version) shared by the callers
//! that need it at the same moment, without ever handing a caller a value older than its call.
//!
//! Every use of the keys reads the signing keys' version, so that a rotation by another
//! process is seen by the very next request. On PostgreSQL that read is a round trip; under
//! load, many requests need it at once, and each doing its own read costs the database and the
//! process more than the read is worth. Like a group commit, a caller that arrives while a read
//! is running waits for it to end and then shares the next one, which starts after the caller
//! arrived: so it sees every change committed before its call, exactly as a read of its own
//! would.
//!
//! # Invariants
//! - A caller only ever gets a value read by a read that started after the caller did.
//! - At most one read runs at a time; a caller alone reads at once, as without sharing.
//! - A read that fails (or panics) fails the callers that waited for it too (a failure cannot
//!   be stale; and so a caller waits for at most two reads, never for a retry of its own), and
//!   none waits forever.

use std::sync::{Condvar, Mutex, MutexGuard};

use crate::error::{Error, ErrorKind, Result};

/// Reads shared by concurrent callers; see the module documentation.
#[derive(Default)]
pub(super) struct SharedRead {
    /// Which reads have started and ended, and what the last one found.
    state: Mutex<State>,
    /// Signalled whenever a read ends.
    ended: Condvar,
}

#[derive(Default)]
struct State {
    /// Reads started so far; the running one, if any, is number `started`.
    started: u64,
    /// Whether a read is running.
    running: bool,
    /// The number of the last read that ended, and what it found.
    last: (u64, Outcome),
}

/// What a read found: a value, or how it failed.
#[derive(Clone, Debug, Default)]
enum Outcome {
    /// It found this.
    Value(i64),
    /// It failed (or panicked, or has not ended: the state before the first read).
    #[default]
    Failed,
    /// It failed with this kind of error, detail and cause.
    Error(ErrorKind, String, String),
}

impl SharedRead {
    /// The value, from a read (`read`) that started after this call did: this caller's own, or
    /// one shared with the callers that arrived with it.
    ///
    /// # Errors
    /// What `read` returns when this caller's own read fails.
    pub(super) fn get(&self, read: impl FnOnce() -> Result<i64>) -> Result<i64> {
        let mut state = self.lock();
        // Reads numbered from here on start after this call: any of them will do. The one
        // running now, if any, started before: its value will not, its failure will.
        let wanted = state.started + 1;
        let running_before = state.running.then_some(state.started);
        loop {
            let (number, outcome) = &state.last;
            if *number >= wanted || Some(*number) == running_before {
                match outcome {
                    Outcome::Value(value) if *number >= wanted => return Ok(*value),
                    Outcome::Value(_) => {}
                    Outcome::Failed => {
                        return Err(Error::internal(
                            "the shared read of the signing keys' version failed",
                        ));
                    }
                    Outcome::Error(kind, detail, cause) => {
                        return Err(Error::new(*kind, detail.clone())
                            .with_source(std::io::Error::other(cause.clone())));
                    }
                }
            }
            if !state.running {
                state.started += 1;
                state.running = true;
                let mut ending = Ending {
                    shared: self,
                    number: state.started,
                    outcome: Outcome::Failed,
                };
                drop(state);
                let result = read();
                ending.outcome = match &result {
                    Ok(value) => Outcome::Value(*value),
                    Err(error) => {
                        Outcome::Error(error.kind(), error.detail().to_owned(), error.to_string())
                    }
                };
                return result;
            }
            state = self
                .ended
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Three plain fields, each changed in one step: consistent even after a panic.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ends a read however it ends, a panic included: records it and wakes the waiters.
struct Ending<'s> {
    /// Where it is recorded.
    shared: &'s SharedRead,
    /// The read's number.
    number: u64,
    /// What it found; `Failed` until it ended.
    outcome: Outcome,
}

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.running = false;
        state.last = (self.number, std::mem::take(&mut self.outcome));
        drop(state);
        self.shared.ended.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    use std::time::Duration;

    use super::SharedRead;
    use crate::error::{Error, ErrorKind};

    #[test]
    fn a_caller_alone_reads_for_itself_every_time() {
        let shared = SharedRead::default();
        let reads = AtomicUsize::new(0);
        for expected in 1..=5 {
            let value = shared
                .get(|| Ok(reads.fetch_add(1, Ordering::SeqCst) as i64 + 1))
                .unwrap();
            assert_eq!(value, expected);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn callers_at_once_share_reads_and_never_get_a_value_older_than_their_call() {
        // The "database": a version that writers bump; a read returns it as of the read's
        // start, after a round trip's pause.
        let version = AtomicI64::new(0);
        let reads = AtomicUsize::new(0);
        let shared = SharedRead::default();
        let callers = 32;
        let start = Barrier::new(callers);
        std::thread::scope(|scope| {
            for _ in 0..callers {
                scope.spawn(|| {
                    start.wait();
                    for _ in 0..20 {
                        // A change committed before the call...
                        let committed = version.fetch_add(1, Ordering::SeqCst) + 1;
                        let seen = shared
                            .get(|| {
                                reads.fetch_add(1, Ordering::SeqCst);
                                let value = version.load(Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(1));
                                Ok(value)
                            })
                            .unwrap();
                        // ...is seen by it.
                        assert!(seen >= committed, "saw {seen}, committed {committed}");
                    }
                });
            }
        });
        let reads = reads.load(Ordering::SeqCst);
        assert!(
            reads < callers * 20,
            "{reads} reads for {} calls",
            callers * 20
        );
    }

    #[test]
    fn a_failed_or_panicking_read_fails_its_waiters_and_wedges_nobody() {
        let shared = SharedRead::default();
        let error = shared
            .get(|| Err(Error::new(ErrorKind::Unavailable, "the database is away")))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unavailable);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared.get(|| panic!("a bug in the read"))
        }));
        assert!(panicked.is_err());
        // The next caller is neither stuck behind the panicked read nor handed its outcome.
        assert_eq!(shared.get(|| Ok(7)).unwrap(), 7);
        // Callers that wait for a failing read get its failure, without reading again.
        let reads = AtomicUsize::new(0);
        let callers = 8;
        let start = Barrier::new(callers);
        std::thread::scope(|scope| {
            for _ in 0..callers {
                scope.spawn(|| {
                    start.wait();
                    let error = shared
                        .get(|| {
                            reads.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            Err(Error::new(ErrorKind::Unavailable, "the database is away"))
                        })
                        .unwrap_err();
                    assert_eq!(error.kind(), ErrorKind::Unavailable);
                    assert_eq!(error.detail(), "the database is away");
                });
            }
        });
        let reads = reads.load(Ordering::SeqCst);
        assert!(reads < callers, "{reads} reads for {callers} callers");
        assert_eq!(shared.get(|| Ok(8)).unwrap(), 8);
    }
}
