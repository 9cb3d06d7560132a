//! Abuse limits: how often one client may call an abuse-prone endpoint, and how long a client
//! must wait after wrong passwords (for one account, or for any) or wrong fleet secrets.
//!
//! Two mechanisms, one table. A token bucket per (endpoint group, client) bounds request
//! rates. A failure counter lets its free failures through, then makes each further attempt
//! wait twice as long as the one before, up to `login_max_delay`: slow enough to stop
//! guessing, never a permanent lockout. A login raises three counters: the account from this
//! client (`login_free_failures` free), the account from anywhere (20 times that: NIST SP
//! 800-63B §5.2.2 allows at most 100 consecutive failures per account), and the client on any
//! account (20 times too). So a stranger's wrong passwords make the stranger wait, not the
//! owner logging in from elsewhere, while guessing from many addresses is still capped for the
//! account. A success clears the account's counters; quiet clears any.
//!
//! Where each counter's failures are kept is the caller's choice, per counter ([`Counter`]):
//! the two account counters are [`Counter::Shared`], kept in the database so that every
//! replica sees every replica's failures (API.md §11; the caller reads them, adds them to the
//! attempt with [`Attempt::add`], and records a failure itself, through `App`); the client's
//! own counters, like the request rates, are [`Counter::Local`], kept here per process
//! (per-client limits stay per replica, and an abandoned attempt, counted in `Drop`, can do no
//! database work there). Attempts in flight are always counted here, in this process.
//!
//! # Invariants
//! - Time is a parameter (monotonic seconds from the caller, and a shared counter's age in
//!   seconds); nothing here reads a clock.
//! - Memory is bounded: at most [`MAX_ENTRIES`] entries; stale ones are swept first, and if
//!   the table is still full the oldest are dropped (forgetting a limit, never refusing a
//!   client for lack of room).
//! - IPv6 clients are keyed by their /64, which is what one party usually controls.
//! - Attempts in flight are counted ([`Throttle::begin_attempt`]): once a counter has failed,
//!   parallel attempts cannot outrun what is left of its free failures. For a shared counter
//!   that holds per process: across replicas the bound is on recorded failures, so N replicas
//!   may each have what is left in flight at once.
//! - An attempt in flight is held by an [`Attempt`] guard: a request whose future is dropped
//!   (the client hung up mid-hash) ends its attempt in `Drop`, so abandoned requests can never
//!   keep a counter's in-flight count up (issue 10: five requests locked any account out), and
//!   an abandoned attempt counts against the client's own (local) counters only.
//! - Every key has a bounded size: accounts are keyed by a SHA-256 digest of the normalised
//!   email, clients by their address (or /64), whatever length a stranger sends.
//! - One client's failures on an account make that client wait, not others: only the
//!   account-wide counter (20 × `login_free_failures`) holds everyone up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::store::LoginFailures;

/// The most entries kept; roughly 100 bytes each.
pub const MAX_ENTRIES: usize = 100_000;

/// After this long without a failure, a failure counter starts again from zero (the same
/// for the counters the database keeps, whose rows `App::prune` deletes after it).
const FAILURE_MEMORY_SECONDS: f64 = crate::app::LOGIN_FAILURE_MEMORY_SECONDS as f64;

/// A client address may fail this many times more than one (account, client) pair before it
/// must wait: many people can share one address (offices, NAT), and the per-account limits are
/// what stop guessing one password.
const LOGIN_CLIENT_FACTOR: u32 = 20;
/// An account may fail this many times more, across all clients, than from one client: with
/// the default 5, the 100 consecutive failures NIST SP 800-63B §5.2.2 allows at most. Well
/// above one client's allowance, so one stranger cannot hold the owner up.
const LOGIN_ACCOUNT_FACTOR: u32 = 20;
/// The same for wrong fleet secrets, which only machines send; and for wrong OAuth client
/// secrets from one address.
const FLEET_CLIENT_FACTOR: u32 = 4;

/// Endpoint groups with a request-rate limit of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// `POST /login`.
    Login,
    /// `POST /register`.
    Register,
    /// `POST /refresh`.
    Refresh,
    /// `POST /challenge`.
    Challenge,
    /// `POST /sign-in`.
    SignIn,
    /// `POST /fleet/sessions`.
    FleetSessions,
    /// `POST /token` (OAuth 2.0).
    Token,
}

/// What a failure counter counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Failures {
    /// Wrong passwords for one account from any client: the SHA-256 of its trimmed,
    /// lowercased email (see [`Failures::account`]), 32 bytes however long the email a
    /// stranger sends.
    Account([u8; 32]),
    /// Wrong passwords for one account (its digest, as above) from one client.
    AccountFromClient([u8; 32], IpAddr),
    /// Wrong passwords from one client.
    LoginClient(IpAddr),
    /// Wrong fleet secrets from one client.
    FleetSecretClient(IpAddr),
    /// Wrong OAuth client secrets (or unknown client ids) from one client address.
    ClientSecretClient(IpAddr),
}

impl Failures {
    /// The account-wide counter of the account with this email, normalised as login
    /// normalises it.
    pub fn account(email: &str) -> Failures {
        Failures::Account(email_digest(email))
    }

    /// The counter of the account with this email as tried from `client`.
    pub fn account_from(email: &str, client: IpAddr) -> Failures {
        Failures::AccountFromClient(email_digest(email), client)
    }

    /// The name this counter is kept under in the database when it is shared: a tag byte,
    /// then the email digest, then for a pair the client's network (IPv6 by /64) as 16 bytes;
    /// at most 49 bytes, which the store keys further (`App::get_login_failures`).
    pub fn stored_name(&self) -> Vec<u8> {
        let (tag, digest, client) = match normalised(self) {
            Failures::Account(digest) => (b'a', Some(digest), None),
            Failures::AccountFromClient(digest, ip) => (b'p', Some(digest), Some(ip)),
            Failures::LoginClient(ip) => (b'c', None, Some(ip)),
            Failures::FleetSecretClient(ip) => (b'f', None, Some(ip)),
            Failures::ClientSecretClient(ip) => (b'o', None, Some(ip)),
        };
        let mut name = vec![tag];
        if let Some(digest) = digest {
            name.extend_from_slice(&digest);
        }
        if let Some(ip) = client {
            let octets = match ip {
                IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
                IpAddr::V6(v6) => v6.octets(),
            };
            name.extend_from_slice(&octets);
        }
        name
    }
}

/// A counter an attempt raises, and where its failures are kept.
#[derive(Clone, Copy, Debug)]
pub enum Counter<'a> {
    /// Failures kept in this process's memory, counted by [`Attempt::failed`] and, for a
    /// client's own counters, by an abandoned attempt.
    Local(&'a Failures),
    /// Failures kept in the database, which every replica shares, as the caller read them for
    /// this attempt. The caller records a failure there itself (`App::record_login_failure`);
    /// here only its attempts in flight are counted.
    Shared(&'a Failures, Recorded),
}

/// A shared counter as the database held it when the attempt began.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Recorded {
    /// Failures since the counter last started; 0 if none is stored.
    pub failures: u32,
    /// Seconds since the last of them.
    pub age: f64,
}

impl Recorded {
    /// What the stored counter (if any) says at `now_ms`, Unix milliseconds. A last failure
    /// in the future (another replica's clock runs ahead) is taken as just now.
    pub fn at(stored: Option<LoginFailures>, now_ms: i64) -> Recorded {
        stored.map_or_else(Recorded::default, |stored| Recorded {
            failures: stored.failures,
            age: now_ms.saturating_sub(stored.failed_at_ms).max(0) as f64 / 1000.0,
        })
    }
}

/// The SHA-256 of an email normalised as login normalises it (trimmed, ASCII-lowercased).
fn email_digest(email: &str) -> [u8; 32] {
    let email = email.trim().to_ascii_lowercase();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, email.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Rate(Bucket, IpAddr),
    Failures(Failures),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Token bucket: tokens left, refilled continuously.
    tokens: f64,
    /// Failure counter: failures since the counter last started.
    failures: u32,
    /// Attempts started and not yet finished.
    pending: u32,
    /// No further attempt is allowed before this time.
    blocked_until: f64,
    /// When the entry last changed.
    touched: f64,
}

/// The limits and the table of clients and accounts.
pub struct Throttle {
    /// Sustained requests per second per client and bucket; 0 means no rate limit.
    rate: f64,
    /// Failures let through before waits begin.
    free_failures: u32,
    /// The longest wait, in seconds.
    max_delay: f64,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Throttle {
    /// A throttle with these limits.
    pub fn new(rate_per_second: u32, free_failures: u32, max_delay_seconds: u64) -> Throttle {
        Throttle {
            rate: f64::from(rate_per_second),
            free_failures,
            max_delay: max_delay_seconds as f64,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the client's bucket. `Err` carries the seconds to wait.
    pub fn check_rate(&self, bucket: Bucket, client: IpAddr, now: f64) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let burst = self.rate * 2.0;
        let mut entries = self.lock();
        let entry = entry(&mut entries, Key::Rate(bucket, network(client)), now, burst);
        entry.tokens = (entry.tokens + (now - entry.touched) * self.rate).min(burst);
        entry.touched = now;
        if entry.tokens >= 1.0 {
            entry.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - entry.tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }

    /// Starts an attempt that may fail (a password, a fleet secret). Refused, with the seconds
    /// to wait, while any of `counters` is in its back-off, and also once a counter has failed
    /// before and the attempts already in flight could use up what is left of its free ones:
    /// guesses sent in parallel cannot outrun the count, while a counter that has never failed
    /// lets any number of attempts run at once (many good logins to one account). The attempt
    /// stays in flight until the returned [`Attempt`] is resolved or dropped.
    pub fn begin_attempt(&self, counters: &[Counter<'_>], now: f64) -> Result<Attempt<'_>, u64> {
        let mut attempt = Attempt {
            throttle: self,
            keys: Vec::new(),
            began: now,
            on_abandon: None,
        };
        attempt.add(counters, now)?;
        Ok(attempt)
    }

    /// Raises `keys` for an attempt, unless one of them refuses it: checked and raised under
    /// one lock, so of two attempts racing on a counter's last free failure one gets it.
    fn raise(&self, keys: &[(Key, Option<Recorded>)], now: f64) -> Result<(), u64> {
        let mut entries = self.lock();
        if let Some(wait) = self.refusal(&entries, keys, now) {
            return Err(wait);
        }
        for (key, _) in keys {
            let entry = entry(&mut entries, key.clone(), now, 0.0);
            if now - entry.touched > FAILURE_MEMORY_SECONDS {
                entry.failures = 0;
                entry.touched = now;
            }
            entry.pending = entry.pending.saturating_add(1);
        }
        Ok(())
    }

    /// The seconds to wait if any of `keys` refuses an attempt now: one in its back-off, or
    /// one that has failed before whose free failures the attempts in flight could use up.
    fn refusal(
        &self,
        entries: &HashMap<Key, Entry>,
        keys: &[(Key, Option<Recorded>)],
        now: f64,
    ) -> Option<u64> {
        for (key, recorded) in keys {
            let entry = entries.get(key);
            let pending = entry.map_or(0, |entry| entry.pending);
            // The failures remembered now, and how long the counter's back-off still lasts.
            let (failures, blocked_for) = match (recorded, entry) {
                (Some(recorded), _) => {
                    let remembered = recorded.age <= FAILURE_MEMORY_SECONDS;
                    (
                        if remembered { recorded.failures } else { 0 },
                        self.delay(key, recorded.failures) - recorded.age,
                    )
                }
                (None, Some(entry)) => {
                    let remembered = now - entry.touched <= FAILURE_MEMORY_SECONDS;
                    (
                        if remembered { entry.failures } else { 0 },
                        entry.blocked_until - now,
                    )
                }
                (None, None) => (0, 0.0),
            };
            if blocked_for > 0.0 {
                return Some(blocked_for.ceil().max(1.0) as u64);
            }
            // In flight, at most what is left of the free failures; in back-off, one at a time.
            if failures > 0 && pending > 0 && failures + pending >= self.free_for(key) {
                return Some(1);
            }
        }
        None
    }

    /// Ends an attempt that failed on `key`; past the free failures, the next attempt must
    /// wait 1 s, then 2 s, 4 s, … up to the cap.
    fn record_failure(&self, key: &Key, now: f64) {
        let free = self.free_for(key);
        let mut entries = self.lock();
        let entry = entry(&mut entries, key.clone(), now, 0.0);
        entry.pending = entry.pending.saturating_sub(1);
        if now - entry.touched > FAILURE_MEMORY_SECONDS {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.touched = now;
        if entry.failures >= free {
            entry.blocked_until = now + self.delay(key, entry.failures);
        }
    }

    /// The wait after a counter's `failures`th failure: none within its free failures, then
    /// 1 s, 2 s, 4 s, … up to the cap.
    fn delay(&self, key: &Key, failures: u32) -> f64 {
        let free = self.free_for(key);
        if failures < free {
            return 0.0;
        }
        let doublings = (failures - free).min(62);
        2f64.powi(doublings as i32).min(self.max_delay)
    }

    /// Ends an attempt on `key` that did not fail on its secret.
    fn finish(&self, key: &Key) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.pending = entry.pending.saturating_sub(1);
        }
    }

    /// Clears a counter after a success (its attempt ends too).
    fn record_success(&self, key: &Key) {
        self.lock().remove(key);
    }

    /// Failures let through for this counter before waits begin.
    fn free_for(&self, key: &Key) -> u32 {
        match key {
            Key::Failures(Failures::LoginClient(_)) => {
                self.free_failures.saturating_mul(LOGIN_CLIENT_FACTOR)
            }
            Key::Failures(Failures::Account(_)) => {
                self.free_failures.saturating_mul(LOGIN_ACCOUNT_FACTOR)
            }
            Key::Failures(Failures::FleetSecretClient(_) | Failures::ClientSecretClient(_)) => {
                self.free_failures.saturating_mul(FLEET_CLIENT_FACTOR)
            }
            Key::Failures(Failures::AccountFromClient(..)) | Key::Rate(..) => self.free_failures,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // Entries are plain numbers; a panic elsewhere cannot leave one half-written.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An attempt in flight (see [`Throttle::begin_attempt`]), counted until it is resolved with
/// [`Attempt::failed`], [`Attempt::succeeded`] or [`Attempt::finish`], or dropped.
///
/// Dropping it unresolved is what happens when hyper drops a handler's future because the
/// client hung up: the attempt then ends as neither a failure nor a success (nobody learnt an
/// answer), and the abandonment is reported through [`Attempt::on_abandon`]. The guard, not
/// code after an `.await`, is what lowers the count, so no exit path can leave it raised.
#[must_use = "an attempt ends when this guard is resolved or dropped"]
pub struct Attempt<'a> {
    /// The table whose counters this attempt raised.
    throttle: &'a Throttle,
    /// The normalised counters it raised, each with whether it is shared (its failures kept in
    /// the database, by the caller); emptied once resolved.
    keys: Vec<(Key, bool)>,
    /// When it began: the time an abandoned attempt is counted at.
    began: f64,
    /// Called if the guard is dropped unresolved (an audit line, in the handlers).
    on_abandon: Option<Box<dyn FnOnce() + Send + 'a>>,
}

impl<'a> Attempt<'a> {
    /// Adds `counters` to the attempt, as [`Throttle::begin_attempt`] would have: refused, with
    /// the seconds to wait, if one of them refuses it (the attempt keeps what it had; resolve
    /// it). A login begins on the client's own counter before anything is awaited, so a
    /// hang-up while the shared counters are read is an abandoned attempt, then adds those.
    pub fn add(&mut self, counters: &[Counter<'_>], now: f64) -> Result<(), u64> {
        let keys = keys_of(counters);
        self.throttle.raise(&keys, now)?;
        self.keys.extend(
            keys.into_iter()
                .map(|(key, recorded)| (key, recorded.is_some())),
        );
        Ok(())
    }

    /// Calls `report` if the attempt is dropped before it is resolved.
    pub fn on_abandon(mut self, report: impl FnOnce() + Send + 'a) -> Attempt<'a> {
        self.on_abandon = Some(Box::new(report));
        self
    }

    /// The attempt failed on its secret (a wrong password or fleet secret): counted against
    /// every local counter it raised. Record it against the shared ones first (so that until
    /// it is recorded it stays in flight), then call this.
    pub fn failed(mut self, now: f64) {
        for (key, shared) in std::mem::take(&mut self.keys) {
            if shared {
                self.throttle.finish(&key);
            } else {
                self.throttle.record_failure(&key, now);
            }
        }
    }

    /// The secret was right: the account's counters start over (failures must be consecutive
    /// to count, as NIST SP 800-63B §5.2.2 counts them); a client's attempt just ends (one good
    /// login does not excuse an address's other guesses).
    pub fn succeeded(mut self) {
        for (key, _) in std::mem::take(&mut self.keys) {
            match key {
                Key::Failures(Failures::Account(_) | Failures::AccountFromClient(..)) => {
                    self.throttle.record_success(&key)
                }
                _ => self.throttle.finish(&key),
            }
        }
    }

    /// The attempt ended without a verdict on its secret (a disabled account, a busy database).
    pub fn finish(mut self) {
        for (key, _) in std::mem::take(&mut self.keys) {
            self.throttle.finish(&key);
        }
    }
}

impl std::fmt::Debug for Attempt<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Attempt")
            .field("counters", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        for (key, shared) in std::mem::take(&mut self.keys) {
            match key {
                // An abandoned attempt may still have cost a hash (the client hung up while it
                // ran), so a client that keeps hanging up is counted as if it had guessed:
                // against its own address's counters only, which allow 20 times an account's
                // free failures, so the owner of an account it targets is never locked out by
                // it, while hanging up cannot buy unlimited hashes.
                // (A shared counter is never one of those: `Drop` can do no database work.)
                Key::Failures(
                    Failures::LoginClient(_)
                    | Failures::FleetSecretClient(_)
                    | Failures::ClientSecretClient(_),
                ) if !shared => {
                    self.throttle.record_failure(&key, self.began);
                }
                _ => self.throttle.finish(&key),
            }
        }
        if let Some(report) = self.on_abandon.take() {
            report();
        }
    }
}

/// The normalised keys of `counters`, each with what the database held for it if shared.
fn keys_of(counters: &[Counter<'_>]) -> Vec<(Key, Option<Recorded>)> {
    counters
        .iter()
        .map(|counter| match counter {
            Counter::Local(failures) => (Key::Failures(normalised(failures)), None),
            Counter::Shared(failures, recorded) => {
                (Key::Failures(normalised(failures)), Some(*recorded))
            }
        })
        .collect()
}

/// The entry for `key`, made room for and created (with a full bucket) if missing.
fn entry(entries: &mut HashMap<Key, Entry>, key: Key, now: f64, tokens: f64) -> &mut Entry {
    if !entries.contains_key(&key) && entries.len() >= MAX_ENTRIES {
        make_room(entries, now);
    }
    entries.entry(key).or_insert(Entry {
        tokens,
        failures: 0,
        pending: 0,
        blocked_until: 0.0,
        touched: now,
    })
}

/// Drops entries that no longer limit anyone; if that is not enough, the least recently
/// touched tenth.
fn make_room(entries: &mut HashMap<Key, Entry>, now: f64) {
    entries.retain(|key, entry| match key {
        Key::Rate(..) => now - entry.touched < 60.0,
        Key::Failures(_) => {
            entry.blocked_until > now || now - entry.touched < FAILURE_MEMORY_SECONDS
        }
    });
    if entries.len() >= MAX_ENTRIES {
        let mut ages: Vec<f64> = entries.values().map(|entry| entry.touched).collect();
        let cut = ages.len() / 10;
        ages.select_nth_unstable_by(cut, f64::total_cmp);
        let oldest_kept = ages[cut];
        entries.retain(|_, entry| entry.touched > oldest_kept);
    }
}

/// IPv6 clients by their /64; IPv4-mapped addresses as IPv4: what one party usually controls,
/// and so the unit every per-client limit counts (the throttle's, and the wallet challenges').
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !u128::from(u64::MAX),
            )),
        },
        v4 => v4,
    }
}

fn normalised(failures: &Failures) -> Failures {
    match failures {
        Failures::Account(digest) => Failures::Account(*digest),
        Failures::AccountFromClient(digest, ip) => {
            Failures::AccountFromClient(*digest, network(*ip))
        }
        Failures::LoginClient(ip) => Failures::LoginClient(network(*ip)),
        Failures::FleetSecretClient(ip) => Failures::FleetSecretClient(network(*ip)),
        Failures::ClientSecretClient(ip) => Failures::ClientSecretClient(network(*ip)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// Attempts on counters kept in memory, as the tests of the rules use them.
    trait BeginLocal {
        fn begin_local(&self, counters: &[&Failures], now: f64) -> Result<Attempt<'_>, u64>;
    }

    impl BeginLocal for Throttle {
        fn begin_local(&self, counters: &[&Failures], now: f64) -> Result<Attempt<'_>, u64> {
            let counters: Vec<Counter<'_>> = counters
                .iter()
                .map(|failures| Counter::Local(failures))
                .collect();
            self.begin_attempt(&counters, now)
        }
    }

    #[test]
    fn buckets_allow_bursts_then_the_rate() {
        let throttle = Throttle::new(10, 5, 900);
        let client = ip("192.0.2.1");
        for _ in 0..20 {
            assert!(throttle.check_rate(Bucket::Login, client, 100.0).is_ok());
        }
        assert_eq!(throttle.check_rate(Bucket::Login, client, 100.0), Err(1));
        assert!(
            throttle.check_rate(Bucket::Register, client, 100.0).is_ok(),
            "buckets are separate"
        );
        assert!(
            throttle
                .check_rate(Bucket::Login, ip("192.0.2.2"), 100.0)
                .is_ok(),
            "clients too"
        );
        assert!(
            throttle.check_rate(Bucket::Login, client, 100.2).is_ok(),
            "refilled within 0.2 s"
        );
        assert!(
            Throttle::new(0, 5, 900)
                .check_rate(Bucket::Login, client, 0.0)
                .is_ok()
        );
    }

    /// One attempt that fails.
    fn fail(throttle: &Throttle, counters: &[&Failures], now: f64) -> Result<(), u64> {
        throttle.begin_local(counters, now)?.failed(now);
        Ok(())
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap_and_success_clears() {
        let throttle = Throttle::new(0, 3, 10);
        let account = Failures::account_from("Ada@Example.com", ip("192.0.2.1"));
        for _ in 0..3 {
            assert!(fail(&throttle, &[&account], 0.0).is_ok());
        }
        let mut waits = Vec::new();
        let mut now = 0.0;
        for _ in 0..6 {
            let wait = throttle.begin_local(&[&account], now).unwrap_err();
            waits.push(wait);
            now += wait as f64;
            assert!(
                fail(&throttle, &[&account], now).is_ok(),
                "after the wait, one more"
            );
        }
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        now += 10.0;
        throttle
            .begin_local(
                &[&Failures::account_from(" ada@example.com", ip("192.0.2.1"))],
                now,
            )
            .unwrap()
            .succeeded();
        assert!(
            throttle.begin_local(&[&account], now).is_ok(),
            "success starts over"
        );
    }

    #[test]
    fn parallel_guesses_cannot_outrun_the_count_but_good_logins_can_run_together() {
        let throttle = Throttle::new(0, 3, 900);
        let account = Failures::account_from("ada@example.com", ip("192.0.2.1"));
        let started: Vec<Attempt<'_>> = (0..20)
            .filter_map(|_| throttle.begin_local(&[&account], 0.0).ok())
            .collect();
        assert_eq!(
            started.len(),
            20,
            "a counter that never failed lets attempts run together"
        );
        started.into_iter().for_each(Attempt::finish);
        assert!(fail(&throttle, &[&account], 0.0).is_ok());
        let started: Vec<Attempt<'_>> = (0..20)
            .filter_map(|_| throttle.begin_local(&[&account], 0.0).ok())
            .collect();
        assert_eq!(
            started.len(),
            2,
            "after a failure, only what is left of the free ones runs"
        );
    }

    #[test]
    fn finishing_keeps_a_shared_address_free() {
        let throttle = Throttle::new(0, 1, 900);
        let client = Failures::LoginClient(ip("192.0.2.7"));
        for _ in 0..(LOGIN_CLIENT_FACTOR * 3) {
            throttle.begin_local(&[&client], 0.0).unwrap().finish();
        }
    }

    #[test]
    fn dropped_attempts_end_and_report_so_aborted_requests_cannot_lock_an_account_out() {
        // Issue 10: one wrong password, then four attempts whose requests were dropped.
        let throttle = Throttle::new(0, 5, 900);
        let account = Failures::account_from("root@example.com", ip("192.0.2.1"));
        assert!(fail(&throttle, &[&account], 0.0).is_ok());
        let abandoned = std::sync::atomic::AtomicU32::new(0);
        for _ in 0..4 {
            let attempt = throttle
                .begin_local(&[&account], 0.0)
                .unwrap()
                .on_abandon(|| {
                    abandoned.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                });
            drop(attempt);
        }
        assert_eq!(abandoned.load(std::sync::atomic::Ordering::SeqCst), 4);
        for _ in 0..3 {
            // Resolved attempts do not report abandonment.
            throttle
                .begin_local(&[&account], 1.0)
                .unwrap()
                .on_abandon(|| panic!("resolved, not abandoned"))
                .finish();
        }
        throttle
            .begin_local(&[&account], 1.0)
            .expect("the owner is not locked out")
            .succeeded();
    }

    #[test]
    fn hanging_up_counts_against_the_clients_own_address_so_it_cannot_buy_unlimited_hashes() {
        let throttle = Throttle::new(0, 5, 900);
        let client = Failures::LoginClient(ip("192.0.2.9"));
        let account = Failures::account_from("root@example.com", ip("192.0.2.9"));
        let free = 5 * LOGIN_CLIENT_FACTOR;
        for n in 0..free {
            let attempt = throttle.begin_local(&[&account, &client], f64::from(n) / 1000.0);
            drop(attempt.expect("within the address's free failures"));
        }
        assert!(
            throttle.begin_local(&[&client], 1.0).is_err(),
            "after as many hang-ups as an address may fail, it waits"
        );
        let owner = Failures::account_from("root@example.com", ip("192.0.2.10"));
        throttle
            .begin_local(&[&owner, &Failures::LoginClient(ip("192.0.2.10"))], 1.0)
            .expect("the account's owner elsewhere is not held up")
            .succeeded();
    }

    /// The counters a login raises, as `post_login` raises them.
    fn login_counters(email: &str, client: &str) -> [Failures; 3] {
        [
            Failures::account_from(email, ip(client)),
            Failures::account(email),
            Failures::LoginClient(ip(client)),
        ]
    }

    fn login_fail(throttle: &Throttle, email: &str, client: &str, now: f64) -> Result<(), u64> {
        let [pair, account, address] = login_counters(email, client);
        fail(throttle, &[&pair, &account, &address], now)
    }

    fn login_begin<'a>(
        throttle: &'a Throttle,
        email: &str,
        client: &str,
        now: f64,
    ) -> Result<Attempt<'a>, u64> {
        let [pair, account, address] = login_counters(email, client);
        throttle.begin_local(&[&pair, &account, &address], now)
    }

    #[test]
    fn a_strangers_failures_make_the_stranger_wait_not_the_owner() {
        let throttle = Throttle::new(0, 5, 900);
        let email = "ada@example.com";
        for _ in 0..5 {
            assert!(login_fail(&throttle, email, "198.51.100.9", 0.0).is_ok());
        }
        assert_eq!(
            login_begin(&throttle, email, "198.51.100.9", 0.0).unwrap_err(),
            1,
            "the stranger waits"
        );
        assert!(
            login_begin(&throttle, email, "2001:db8::9", 0.0).is_ok(),
            "the owner, elsewhere, does not"
        );
        assert!(
            login_begin(&throttle, "bob@example.com", "198.51.100.9", 0.0).is_ok(),
            "nor does the stranger on another account (its own count is 5 of 100)"
        );
    }

    #[test]
    fn guessing_from_many_addresses_is_capped_for_the_account() {
        let throttle = Throttle::new(0, 5, 900);
        let email = "ada@example.com";
        // 20 addresses × 5 free failures: 100, NIST SP 800-63B §5.2.2's bound.
        for n in 0..20u8 {
            for _ in 0..5 {
                let client = format!("198.51.100.{n}");
                assert!(login_fail(&throttle, email, &client, 0.0).is_ok());
            }
        }
        assert!(
            login_begin(&throttle, email, "203.0.113.1", 0.0).is_err(),
            "the account waits, from anywhere"
        );
        assert!(login_begin(&throttle, "bob@example.com", "203.0.113.1", 0.0).is_ok());
        // The wait ends; a success clears the account's counters, from one client's view.
        let attempt = login_begin(&throttle, email, "203.0.113.1", 1.0).unwrap();
        attempt.succeeded();
        assert!(login_begin(&throttle, email, "203.0.113.2", 1.0).is_ok());
        // A stranger's own pair is not cleared by the owner's success: its next failure
        // doubles its wait.
        assert!(login_fail(&throttle, email, "198.51.100.0", 1.0).is_ok());
        assert_eq!(
            login_begin(&throttle, email, "198.51.100.0", 1.0).unwrap_err(),
            2
        );
    }

    #[test]
    fn account_keys_are_bounded_digests_of_the_normalised_email() {
        let long = format!("{}@example.com", "a".repeat(65_000));
        let Failures::Account(digest) = Failures::account(&long) else {
            unreachable!()
        };
        assert_eq!(digest.len(), 32);
        assert_eq!(
            Failures::account(" Ada@Example.COM "),
            Failures::account("ada@example.com")
        );
        assert_ne!(
            Failures::account("ada@example.com"),
            Failures::account("bob@example.com")
        );
    }

    #[test]
    fn quiet_forgets_failures() {
        let throttle = Throttle::new(0, 1, 900);
        let client = Failures::LoginClient(ip("2001:db8::1"));
        for _ in 0..LOGIN_CLIENT_FACTOR {
            let _ = fail(&throttle, &[&client], 0.0);
        }
        let neighbour = Failures::LoginClient(ip("2001:db8::ffff"));
        assert!(
            throttle.begin_local(&[&neighbour], 0.5).is_err(),
            "same /64"
        );
        assert!(throttle.begin_local(&[&client], 2000.0).is_ok());
    }

    /// A shared counter as the database held it: `failures`, the last `age` seconds ago.
    fn recorded(failures: u32, age: f64) -> Recorded {
        Recorded { failures, age }
    }

    #[test]
    fn a_shared_counter_waits_on_the_failures_the_database_holds() {
        let throttle = Throttle::new(0, 5, 10);
        let account = Failures::account("ada@example.com");
        let shared = |failures, age| Counter::Shared(&account, recorded(failures, age));
        // The 20 × 5 free failures of an account, counted by other replicas: no wait yet.
        throttle
            .begin_attempt(&[shared(99, 0.0)], 0.0)
            .unwrap()
            .finish();
        // The 100th started the back-off: 1 s after it, then 2 s, 4 s, … up to the cap.
        assert_eq!(
            throttle
                .begin_attempt(&[shared(100, 0.2)], 0.0)
                .unwrap_err(),
            1
        );
        assert_eq!(
            throttle
                .begin_attempt(&[shared(102, 1.0)], 0.0)
                .unwrap_err(),
            3
        );
        assert_eq!(
            throttle
                .begin_attempt(&[shared(200, 0.0)], 0.0)
                .unwrap_err(),
            10
        );
        throttle
            .begin_attempt(&[shared(102, 4.0)], 0.0)
            .expect("the wait is over")
            .finish();
        // A quiet counter is forgotten, whatever it held.
        throttle
            .begin_attempt(&[shared(99, 901.0)], 0.0)
            .unwrap()
            .finish();
        assert_eq!(Recorded::at(None, 5_000), Recorded::default());
        let stored = LoginFailures {
            failures: 3,
            failed_at_ms: 6_000,
        };
        assert_eq!(
            Recorded::at(Some(stored), 5_000),
            recorded(3, 0.0),
            "a replica whose clock runs ahead does not make the wait longer"
        );
        assert_eq!(Recorded::at(Some(stored), 7_500), recorded(3, 1.5));
    }

    #[test]
    fn a_shared_counters_failures_are_the_callers_to_record_but_its_attempts_in_flight_count_here()
    {
        let throttle = Throttle::new(0, 5, 900);
        let pair = Failures::account_from("ada@example.com", ip("192.0.2.1"));
        let client = Failures::LoginClient(ip("192.0.2.1"));
        for _ in 0..10 {
            throttle
                .begin_attempt(
                    &[
                        Counter::Shared(&pair, Recorded::default()),
                        Counter::Local(&client),
                    ],
                    0.0,
                )
                .unwrap()
                .failed(0.0);
        }
        // Ten failures, none held here for the pair (the database holds them): with nothing
        // recorded it still lets attempts through; the local counter did count them.
        let attempt = throttle
            .begin_attempt(&[Counter::Shared(&pair, Recorded::default())], 0.0)
            .expect("the database said nothing failed");
        attempt.finish();
        assert_eq!(throttle.lock()[&Key::Failures(client.clone())].failures, 10);
        // Three failures recorded, two free left: two guesses may be in flight, not a third.
        let three = Counter::Shared(&pair, recorded(3, 0.0));
        let first = throttle.begin_attempt(&[three], 0.0).unwrap();
        let second = throttle.begin_attempt(&[three], 0.0).unwrap();
        assert_eq!(throttle.begin_attempt(&[three], 0.0).unwrap_err(), 1);
        // A hang-up ends the attempt; it counts against nothing shared.
        drop(first);
        second.failed(0.0);
        throttle
            .begin_attempt(&[three], 0.0)
            .expect("nothing left in flight")
            .finish();
        // Even a client's counter counts no abandoned attempt when it is shared: `Drop` can
        // do no database work, so sharing one is the caller's promise to record it.
        let shared_client = Counter::Shared(&client, Recorded::default());
        drop(throttle.begin_attempt(&[shared_client], 0.0).unwrap());
        assert_eq!(throttle.lock()[&Key::Failures(client.clone())].failures, 10);
    }

    #[test]
    fn counters_added_to_an_attempt_are_checked_and_raised_like_those_it_began_with() {
        let throttle = Throttle::new(0, 5, 900);
        let client = Failures::LoginClient(ip("192.0.2.1"));
        let account = Failures::account("ada@example.com");
        // 99 failures recorded, one free left: of two attempts, the first to add it gets it.
        let one_left = Counter::Shared(&account, recorded(99, 0.0));
        let mut first = throttle
            .begin_attempt(&[Counter::Local(&client)], 0.0)
            .unwrap();
        let mut second = throttle
            .begin_attempt(&[Counter::Local(&client)], 0.0)
            .unwrap();
        first.add(&[one_left], 0.0).unwrap();
        assert_eq!(second.add(&[one_left], 0.0).unwrap_err(), 1);
        // The refused one keeps only its client's counter: finishing it counts nothing.
        second.finish();
        first.failed(0.0);
        assert_eq!(throttle.lock()[&Key::Failures(client.clone())].failures, 1);
        assert_eq!(throttle.lock()[&Key::Failures(account.clone())].pending, 0);
        // Dropped after the add (a hang-up while hashing): the client's counter counts it,
        // the shared one only stops counting it in flight.
        let mut attempt = throttle
            .begin_attempt(&[Counter::Local(&client)], 1.0)
            .unwrap();
        attempt
            .add(&[Counter::Shared(&account, recorded(1, 0.0))], 1.0)
            .unwrap();
        drop(attempt);
        assert_eq!(throttle.lock()[&Key::Failures(client.clone())].failures, 2);
        assert_eq!(throttle.lock()[&Key::Failures(account.clone())].pending, 0);
    }

    #[test]
    fn stored_names_are_bounded_and_tell_counters_apart() {
        let long = format!("{}@example.com", "a".repeat(65_000));
        let names = [
            Failures::account(&long).stored_name(),
            Failures::account_from(&long, ip("2001:db8::1")).stored_name(),
            Failures::account_from(&long, ip("192.0.2.1")).stored_name(),
            Failures::LoginClient(ip("192.0.2.1")).stored_name(),
        ];
        assert!(names.iter().all(|name| name.len() <= 49), "{names:?}");
        for (n, name) in names.iter().enumerate() {
            assert!(names[n + 1..].iter().all(|other| other != name));
        }
        assert_eq!(
            Failures::account_from(" Ada@Example.com", ip("2001:db8::1")).stored_name(),
            Failures::account_from("ada@example.com", ip("2001:db8::ffff")).stored_name(),
            "one name for the normalised email and the /64"
        );
        assert_eq!(
            Failures::account_from("ada@example.com", ip("::ffff:192.0.2.1")).stored_name(),
            Failures::account_from("ada@example.com", ip("192.0.2.1")).stored_name(),
        );
    }

    #[test]
    fn memory_stays_bounded() {
        let throttle = Throttle::new(1, 5, 900);
        for n in 0..(MAX_ENTRIES as u32 + 5000) {
            let client = IpAddr::V4(std::net::Ipv4Addr::from(n));
            let _ = throttle.check_rate(Bucket::SignIn, client, f64::from(n) / 1000.0);
        }
        assert!(throttle.lock().len() <= MAX_ENTRIES);
    }
}
