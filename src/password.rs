//! The one place passwords are hashed and checked: argon2id for new hashes, bcrypt accepted for
//! accounts imported from pico-auth.
//!
//! This module knows nothing of users or the database; `app` decides when to hash, and stores
//! the result. Hashing is slow and memory-hungry on purpose. Every argon2 computation runs on
//! one of a fixed set of hashing threads (one per CPU), each reusing its own 19 MiB of memory
//! while busy and giving it back after a few idle seconds: the memory a login storm can take
//! is bounded and flat, and no hash in a burst pays for fresh pages. (On
//! arbitrary threads, the allocator kept every freed 19 MiB block in a per-thread arena: the
//! resident size grew by hundreds of megabytes under load.)
//!
//! # Invariants
//! - New hashes are argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), as PHC strings.
//! - A hash that is bcrypt or has weaker parameters is reported as needing a rehash, so it is
//!   upgraded at the next successful login.
//! - A login for an unknown account still costs one hash ([`burn_time`]), against a constant
//!   dummy hash with today's parameters: there is no preparation that could fail and leave
//!   unknown emails cheap (a timing oracle for which emails have accounts).
//! - Work whose requester is gone is not started: a hash queued under a [`Requester`] that
//!   has been dropped (the client hung up) is skipped when a hashing thread reaches it, so a
//!   flood of abandoned logins neither burns the CPU nor keeps shutdown waiting.
//! - New passwords have 8 to 1024 characters and are not among the 5,000 most common ones
//!   (`common_passwords.txt`); there are no composition rules (NIST SP 800-63B).

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, mpsc};

use argon2::password_hash::{self, Output, ParamsString, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordVerifier, Version};

use crate::error::{Error, ErrorKind, Result};

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// NIST SP 800-63B §3.1.1.2: at least 8 characters for a new password, no composition rules.
pub const MIN_LENGTH: usize = 8;
/// Generous, but bounded so a single request cannot make hashing arbitrarily expensive.
pub const MAX_LENGTH: usize = 1024;

fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .unwrap_or_else(|_| unreachable!("the constant argon2 parameters are valid"))
}

/// How long a hashing thread keeps its memory without work.
const IDLE_RELEASE: std::time::Duration = std::time::Duration::from_secs(5);

/// A hashing thread's argon2 memory, kept between hashes.
type Memory = Vec<Block>;
/// Work for a hashing thread.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// Work waiting for a hashing thread.
struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    /// Signalled when a job is queued.
    ready: Condvar,
    /// Whether any hashing thread could be started; if none, jobs run on the caller's thread.
    has_threads: AtomicBool,
}

/// The queue of the hashing threads, which are started on first use.
fn hashing_queue() -> &'static Queue {
    static QUEUE: OnceLock<&'static Queue> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let queue: &'static Queue = Box::leak(Box::new(Queue {
            jobs: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            has_threads: AtomicBool::new(false),
        }));
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        for number in 0..threads {
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{number}"))
                .spawn(move || hashing_thread(queue));
            match spawned {
                Ok(_) => queue.has_threads.store(true, Ordering::SeqCst),
                Err(error) => tracing::warn!(%error, "cannot start a hashing thread"),
            }
        }
        queue
    })
}

/// A hashing thread: runs queued jobs in its memory; gives the memory back when idle.
fn hashing_thread(queue: &Queue) {
    let mut memory = Memory::new();
    loop {
        let mut jobs = lock(&queue.jobs);
        let job = loop {
            if let Some(job) = jobs.pop_front() {
                break Some(job);
            }
            let (guard, waited) = queue
                .ready
                .wait_timeout(jobs, IDLE_RELEASE)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            jobs = guard;
            if waited.timed_out() && jobs.is_empty() {
                break None;
            }
        };
        drop(jobs);
        match job {
            Some(job) => job(&mut memory),
            // Idle: give the 19 MiB back, so a quiet server stays small.
            None => memory = Memory::new(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The queue is only pushed and popped; a panic elsewhere cannot leave it half-changed.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Someone waiting for hashing work: a request whose future may be dropped before the hash
/// is reached. Hashes started inside [`Requester::scope`] are skipped once the requester's
/// [`RequesterGuard`] has been dropped.
#[derive(Clone, Debug)]
pub struct Requester {
    /// Set by the guard's `Drop`; read by the hashing thread before it starts a job.
    gone: Arc<AtomicBool>,
}

/// Marks its [`Requester`] gone when dropped; held where the answer is awaited, so dropping
/// the awaiting future (the client hung up) is what cancels the queued work.
#[derive(Debug)]
pub struct RequesterGuard {
    gone: Arc<AtomicBool>,
}

impl Drop for RequesterGuard {
    fn drop(&mut self) {
        self.gone.store(true, Ordering::SeqCst);
    }
}

thread_local! {
    /// The requester of the work running on this thread, if any (see [`Requester::scope`]).
    static REQUESTER: RefCell<Option<Requester>> = const { RefCell::new(None) };
}

impl Requester {
    /// A new requester and its guard.
    pub fn new() -> (Requester, RequesterGuard) {
        let gone = Arc::new(AtomicBool::new(false));
        (
            Requester {
                gone: Arc::clone(&gone),
            },
            RequesterGuard { gone },
        )
    }

    /// Whether the guard has been dropped: nobody waits for the answer any more.
    pub fn is_gone(&self) -> bool {
        self.gone.load(Ordering::SeqCst)
    }

    /// Runs `work` on this thread; every hash it starts belongs to this requester.
    pub fn scope<T>(&self, work: impl FnOnce() -> T) -> T {
        /// Restores the previous requester however `work` ends (a panic included).
        struct Restore(Option<Requester>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                REQUESTER.with(|current| *current.borrow_mut() = previous);
            }
        }
        let previous = REQUESTER.with(|current| current.borrow_mut().replace(self.clone()));
        let _restore = Restore(previous);
        work()
    }
}

/// The requester of the work on this thread, if any.
fn current_requester() -> Option<Requester> {
    REQUESTER.with(|current| current.borrow().clone())
}

/// Runs `work` on a hashing thread and waits for its answer; skipped if the requester on this
/// thread is gone by the time its turn comes.
fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce(&mut Memory) -> T + Send + 'static,
) -> Result<T> {
    let requester = current_requester();
    let abandoned = {
        let requester = requester.clone();
        move || requester.as_ref().is_some_and(Requester::is_gone)
    };
    let (reply, answer) = mpsc::sync_channel(1);
    let job: Job = Box::new(move |memory| {
        // Dropping `reply` unanswered tells the waiting thread the job was skipped.
        if !abandoned() {
            let _ = reply.send(work(memory));
        }
    });
    let queue = hashing_queue();
    if queue.has_threads.load(Ordering::SeqCst) {
        lock(&queue.jobs).push_back(job);
        queue.ready.notify_one();
    } else {
        job(&mut Memory::new());
    }
    answer.recv().map_err(|_| {
        if requester.as_ref().is_some_and(Requester::is_gone) {
            Error::new(
                ErrorKind::Unavailable,
                "the request was abandoned before its password hash ran",
            )
        } else {
            Error::internal("a password hashing thread failed")
        }
    })
}

/// argon2 of `password` and `salt` into `out`, with `params`, in `memory` (grown if needed).
fn argon2_into(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Memory,
) -> argon2::Result<()> {
    #[cfg(test)]
    tests::ARGON2_RUNS.with(|runs| runs.set(runs.get() + 1));
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(
        password,
        salt,
        out,
        &mut memory[..blocks],
    )
}

/// The most common passwords (from zxcvbn's frequency list), refused for new passwords as
/// NIST SP 800-63B §3.1.1.2 asks.
fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    COMMON
        .get_or_init(|| {
            include_str!("common_passwords.txt")
                .lines()
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .collect()
        })
        .contains(password.to_lowercase().as_str())
}

/// Checks a new password against the rules: length, and not one of the most common.
///
/// # Errors
/// `InvalidInput` saying which rule failed.
pub fn check_new(password: &str) -> Result<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Error::invalid_input(format!(
            "the password must be at least {MIN_LENGTH} characters long"
        )));
    }
    if length > MAX_LENGTH {
        return Err(Error::invalid_input(format!(
            "the password must be at most {MAX_LENGTH} characters long"
        )));
    }
    if is_common(password) {
        return Err(Error::invalid_input(
            "this password is one of the most commonly used ones, which attackers try first; choose another",
        ));
    }
    Ok(())
}

/// Hashes a password for storage.
///
/// # Errors
/// `Internal` if the random source or argon2 fails.
pub fn hash(password: &str) -> Result<String> {
    let salt_bytes = crate::keys::random_bytes::<16>()?;
    let password = password.to_owned();
    on_hashing_thread(move |memory| {
        let failed =
            |error: &dyn std::fmt::Display| Error::internal(format!("argon2 failed: {error}"));
        let params = params();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|error| failed(&error))?;
        let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
            argon2_into(&params, password.as_bytes(), &salt_bytes, out, memory)
                .map_err(password_hash::Error::from)
        })
        .map_err(|error| failed(&error))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|error| failed(&error))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    })?
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Wrong password (or an unreadable hash, which no password can match).
    Mismatch,
    /// Right password, hash is current.
    Match,
    /// Right password, but the hash is bcrypt or weaker than today's parameters.
    MatchNeedsRehash,
}

/// Checks `password` against a stored hash (argon2 PHC string or bcrypt `$2a$`/`$2b$`/`$2y$`).
pub fn verify(password: &str, stored: &str) -> Verdict {
    if stored.starts_with("$2") {
        // pico-auth hashed with bcrypt and cut passwords at 72 bytes; `verify` does the same.
        return match bcrypt::verify(password, stored) {
            Ok(true) => Verdict::MatchNeedsRehash,
            _ => Verdict::Mismatch,
        };
    }
    let stored = stored.to_owned();
    let password = password.to_owned();
    on_hashing_thread(move |memory| verify_argon2(&password, &stored, memory))
        .unwrap_or(Verdict::Mismatch)
}

/// Checks an argon2 PHC string. Today's parameters run in the thread's own memory; others
/// (older or foreign hashes) through the library's allocating path.
fn verify_argon2(password: &str, stored: &str, memory: &mut Memory) -> Verdict {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verdict::Mismatch;
    };
    let stored_params = Params::try_from(&parsed).ok();
    let current = parsed.algorithm.as_str() == "argon2id"
        && parsed.version == Some(Version::V0x13.into())
        && stored_params
            .as_ref()
            .is_some_and(|stored| stored.m_cost() >= MEMORY_KIB && stored.t_cost() >= ITERATIONS);
    let matches = match (&stored_params, parsed.salt, parsed.hash) {
        (Some(stored_params), Some(salt), Some(expected)) if current => {
            let mut salt_buffer = [0u8; 64];
            salt.decode_b64(&mut salt_buffer)
                .ok()
                .is_some_and(|salt_bytes| {
                    // Output's equality is constant-time.
                    Output::init_with(expected.len(), |out| {
                        argon2_into(stored_params, password.as_bytes(), salt_bytes, out, memory)
                            .map_err(password_hash::Error::from)
                    })
                    .is_ok_and(|computed| computed == expected)
                })
        }
        // Verification takes its parameters from the stored hash, so older hashes keep working.
        _ => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
    };
    match (matches, current) {
        (false, _) => Verdict::Mismatch,
        (true, true) => Verdict::Match,
        (true, false) => Verdict::MatchNeedsRehash,
    }
}

/// The hash every unknown email is checked against: argon2id with today's parameters (so
/// checking it takes the same path and time as a real account's current hash), of a password
/// nobody knows, salted with a constant. A constant rather than one computed at start-up: a
/// computed dummy could fail to be made, and an unknown email would then cost nothing.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$tIbYH6Aj1CzCVCYwYgYydQ$AY1f+OnMuSqE7+a8OLStq3Q+ZjhCH+F1cI26DTXZq0Q";

/// Spends the time of one verification, so that a login for an unknown email takes as long as
/// one for a known email with a wrong password. Always one full argon2 computation.
pub fn burn_time(password: &str) {
    let _ = verify(password, DUMMY_HASH);
}

/// A random password for the bootstrapped admin: 24 URL-safe characters (144 bits).
///
/// # Errors
/// `Internal` if the random source fails.
pub fn generate() -> Result<String> {
    use base64::Engine;
    let bytes = crate::keys::random_bytes::<18>()?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    thread_local! {
        /// argon2 computations run on this thread.
        pub(super) static ARGON2_RUNS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn an_unknown_email_always_costs_one_full_hash_with_todays_parameters() {
        // The dummy is a constant: nothing is prepared, so nothing can fail and be cached.
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, ITERATIONS, LANES)
        );
        let mut memory = Memory::new();
        for attempt in 1..=3 {
            let before = ARGON2_RUNS.with(std::cell::Cell::get);
            assert_eq!(
                verify_argon2("a guess", DUMMY_HASH, &mut memory),
                Verdict::Mismatch
            );
            assert_eq!(
                ARGON2_RUNS.with(std::cell::Cell::get),
                before + 1,
                "check {attempt} of the dummy ran argon2 once, in its own memory"
            );
        }
        assert_eq!(memory.len(), params.block_count(), "the full 19 MiB");
    }

    #[test]
    fn hashes_of_a_requester_that_is_gone_are_skipped() {
        let (requester, guard) = Requester::new();
        assert!(requester.scope(|| hash("still waited for")).is_ok());
        drop(guard);
        let error = requester.scope(|| hash("nobody waits")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unavailable);
        assert_eq!(
            requester.scope(|| verify("x", DUMMY_HASH)),
            Verdict::Mismatch
        );
        assert!(hash("outside the scope").is_ok(), "the scope ended");
    }

    #[test]
    fn argon2id_round_trip() {
        let stored = hash("correct horse battery").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert_eq!(verify("correct horse battery", &stored), Verdict::Match);
        assert_eq!(verify("correct horse batterY", &stored), Verdict::Mismatch);
    }

    #[test]
    fn hashes_agree_with_the_argon2_library_both_ways() {
        let ours = hash("interoperable secret").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"interoperable secret", &parsed)
                .is_ok()
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"interoperable secret", &salt)
            .unwrap()
            .to_string();
        assert_eq!(verify("interoperable secret", &theirs), Verdict::Match);
        assert_eq!(verify("interoperable secreT", &theirs), Verdict::Mismatch);
    }

    #[test]
    fn bcrypt_from_pico_auth_matches_and_asks_for_rehash() {
        let stored = bcrypt::hash("legacy-password", 4).unwrap();
        assert_eq!(
            verify("legacy-password", &stored),
            Verdict::MatchNeedsRehash
        );
        assert_eq!(verify("legacy-passwore", &stored), Verdict::Mismatch);
    }

    #[test]
    fn weaker_argon2_parameters_ask_for_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let stored = weak
            .hash_password(b"some password", &salt)
            .unwrap()
            .to_string();
        assert_eq!(verify("some password", &stored), Verdict::MatchNeedsRehash);
    }

    #[test]
    fn garbage_hashes_never_match() {
        assert_eq!(verify("", ""), Verdict::Mismatch);
        assert_eq!(verify("x", "$2b$garbage"), Verdict::Mismatch);
        assert_eq!(verify("x", "$argon2id$nonsense"), Verdict::Mismatch);
    }

    #[test]
    fn length_and_commonness_rules() {
        assert!(check_new("h7#kq2z").is_err(), "seven characters");
        assert!(check_new("h7#kq2zP").is_ok());
        assert!(check_new(&"x".repeat(MAX_LENGTH + 1)).is_err());
        for common in ["12345678", "password", "Password", "iloveyou", "qwertyuiop"] {
            assert!(check_new(common).is_err(), "{common}");
        }
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let first = generate().unwrap();
        assert_eq!(first.len(), 24);
        assert_ne!(first, generate().unwrap());
    }
}
