//! [`SharedKeys`]: the signing keys for the public documents (JWKS, discovery), from one core
//! call shared by the requests that arrive together, never older than a request.
//!
//! Every request for the JWKS must see a rotation another process committed before it (the
//! keys' version is read each time: `App::keys`). Each read is cheap, but going to the blocking
//! pool for it is not: handing the work to a pool thread and back costs two thread wake-ups,
//! several times what the rest of a JWKS answer costs. So, as `app::shared_read` does for the
//! database round trip inside the core, a request that arrives while a read is running waits
//! for it to end and then shares the next one, which starts after the request arrived; a
//! request alone reads at once. Under load, one trip to the pool answers a whole batch.
//!
//! # Invariants
//! - A request only ever gets keys from a read that started after the request did.
//! - At most one read runs at a time, in a task of its own: a request dropped mid-wait stops
//!   no read that others wait for.
//! - A read that fails fails the requests that waited for it (with its error's kind and
//!   detail), and a request waits at most [`super::WORK_DEADLINE`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::watch;

use super::{State, WORK_DEADLINE, past_deadline};
use crate::app::KeyMaterial;
use crate::error::{Error, ErrorKind, Result};

/// The shared reads; see the module documentation.
pub(super) struct SharedKeys {
    reads: Mutex<Reads>,
    /// The number of the last read that ended, and what it found.
    ended: watch::Sender<(u64, Outcome)>,
}

#[derive(Default)]
struct Reads {
    /// Reads started so far; the running one, if any, is number `started`.
    started: u64,
    /// Whether a read is running.
    running: bool,
    /// The highest read number a request waits for.
    wanted: u64,
}

impl Reads {
    /// A request arrives: the number of the read it needs, and whether it must start that read
    /// itself (no read is running).
    fn arrive(&mut self) -> (u64, bool) {
        // The running read (number `started`) may have begun before this request: the one
        // after it is the first that surely did not.
        let needed = self.started + 1;
        self.wanted = self.wanted.max(needed);
        let start = !self.running;
        if start {
            self.running = true;
            self.started = needed;
        }
        (needed, start)
    }

    /// Read `number` ended: the number of the next read to run, if a request waits for one.
    fn end(&mut self, number: u64) -> Option<u64> {
        if self.wanted > number {
            self.started = number + 1;
            Some(self.started)
        } else {
            self.running = false;
            None
        }
    }
}

/// What a read found.
#[derive(Clone)]
enum Outcome {
    Keys(Arc<KeyMaterial>),
    /// The read failed with this kind of error and detail (or has not ended: the state before
    /// the first read, which no request waits for).
    Failed(ErrorKind, String),
}

impl Default for SharedKeys {
    fn default() -> SharedKeys {
        let (ended, _) = watch::channel((
            0,
            Outcome::Failed(ErrorKind::Internal, "no read has ended".to_owned()),
        ));
        SharedKeys {
            reads: Mutex::new(Reads::default()),
            ended,
        }
    }
}

impl SharedKeys {
    fn lock(&self) -> MutexGuard<'_, Reads> {
        self.reads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The signing keys, from a read that started after this call did.
    ///
    /// # Errors
    /// What loading the keys fails with; `Unavailable` past [`WORK_DEADLINE`].
    pub(super) async fn get(state: &Arc<State>) -> Result<Arc<KeyMaterial>> {
        let shared = &state.shared_keys;
        let mut ended = shared.ended.subscribe();
        let (needed, start) = shared.lock().arrive();
        if start {
            tokio::spawn(read_while_wanted(Arc::clone(state), needed));
        }
        let deadline = Instant::now() + WORK_DEADLINE;
        let outcome = tokio::time::timeout_at(
            deadline.into(),
            ended.wait_for(|(number, _)| *number >= needed),
        )
        .await
        .map_err(|_| past_deadline())?
        .map_err(|_| Error::internal("the shared key reads ended"))?
        .1
        .clone();
        match outcome {
            Outcome::Keys(keys) => Ok(keys),
            Outcome::Failed(kind, detail) => Err(Error::new(kind, detail)),
        }
    }
}

/// Runs read `number`, publishes what it found, and goes on with the next while a request
/// waits for one.
async fn read_while_wanted(state: Arc<State>, mut number: u64) {
    loop {
        let outcome = match state.run(|app, now| app.keys(now)).await {
            Ok(keys) => Outcome::Keys(keys),
            Err(error) => {
                if error.kind().http_status() >= 500 {
                    tracing::warn!(error = %error, "loading the signing keys failed");
                }
                Outcome::Failed(error.kind(), error.detail().to_owned())
            }
        };
        state.shared_keys.ended.send_replace((number, outcome));
        match state.shared_keys.lock().end(number) {
            Some(next) => number = next,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_never_takes_a_read_that_started_before_it() {
        let mut reads = Reads::default();
        // Alone: it starts read 1 at once.
        assert_eq!(reads.arrive(), (1, true));
        // During read 1 (which may predate them): both wait for read 2, neither starts one.
        assert_eq!(reads.arrive(), (2, false));
        assert_eq!(reads.arrive(), (2, false));
        // Read 1 ends: read 2 runs for them; one arriving now needs read 3.
        assert_eq!(reads.end(1), Some(2));
        assert_eq!(reads.arrive(), (3, false));
        assert_eq!(reads.end(2), Some(3));
        // Nobody waits past read 3: the reads stop, and the next request starts read 4.
        assert_eq!(reads.end(3), None);
        assert_eq!(reads.arrive(), (4, true));
        assert_eq!(reads.end(4), None);
    }
}
