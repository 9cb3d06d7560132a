//! Abuse limits: how often one client may call an abuse-prone endpoint, and how long an account
//! or client must wait after wrong passwords or wrong fleet secrets.
//!
//! Two mechanisms, one table. A token bucket per (endpoint group, client) bounds request
//! rates. A failure counter per account or client lets `login_free_failures` failures through,
//! then makes each further attempt wait twice as long as the one before, up to
//! `login_max_delay`: slow enough to stop guessing, never a permanent lockout. A success
//! clears an account's counter; quiet clears any.
//!
//! # Invariants
//! - Time is a parameter (monotonic seconds from the caller); nothing here reads a clock.
//! - Memory is bounded: at most [`MAX_ENTRIES`] entries; stale ones are swept first, and if
//!   the table is still full the oldest are dropped (forgetting a limit, never refusing a
//!   client for lack of room).
//! - IPv6 clients are keyed by their /64, which is what one party usually controls.
//! - Attempts in flight are counted ([`Throttle::begin_attempt`]): once a counter has failed,
//!   parallel attempts cannot outrun what is left of its free failures.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The most entries kept; roughly 100 bytes each.
pub const MAX_ENTRIES: usize = 100_000;

/// After this long without a failure, a failure counter starts again from zero.
const FAILURE_MEMORY_SECONDS: f64 = 900.0;

/// A client address may fail this many times more than one account before it must wait:
/// many people can share one address (offices, NAT), and the per-account limit is what
/// stops guessing one password.
const LOGIN_CLIENT_FACTOR: u32 = 20;
/// The same for wrong fleet secrets, which only machines send.
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
}

/// What a failure counter counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Failures {
    /// Wrong passwords for one account (lowercased email).
    Account(String),
    /// Wrong passwords from one client.
    LoginClient(IpAddr),
    /// Wrong fleet secrets from one client.
    FleetSecretClient(IpAddr),
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
    /// lets any number of attempts run at once (many good logins to one account). Every started
    /// attempt ends with [`Throttle::record_failure`] or [`Throttle::finish`].
    pub fn begin_attempt(&self, counters: &[&Failures], now: f64) -> Result<(), u64> {
        let keys: Vec<Key> = counters
            .iter()
            .map(|failures| Key::Failures(normalised(failures)))
            .collect();
        let mut entries = self.lock();
        for key in &keys {
            if let Some(entry) = entries.get(key) {
                if entry.blocked_until > now {
                    return Err((entry.blocked_until - now).ceil().max(1.0) as u64);
                }
                let remembered = now - entry.touched <= FAILURE_MEMORY_SECONDS;
                // In flight, at most what is left of the free failures; in back-off, one at a time.
                if remembered
                    && entry.failures > 0
                    && entry.pending > 0
                    && entry.failures + entry.pending >= self.free_for(key)
                {
                    return Err(1);
                }
            }
        }
        for key in keys {
            let entry = entry(&mut entries, key, now, 0.0);
            if now - entry.touched > FAILURE_MEMORY_SECONDS {
                entry.failures = 0;
                entry.touched = now;
            }
            entry.pending = entry.pending.saturating_add(1);
        }
        Ok(())
    }

    /// Ends an attempt that failed (a wrong password or secret); past the free failures, the
    /// next attempt must wait 1 s, then 2 s, 4 s, … up to the cap.
    pub fn record_failure(&self, failures: &Failures, now: f64) {
        let key = Key::Failures(normalised(failures));
        let free = self.free_for(&key);
        let mut entries = self.lock();
        let entry = entry(&mut entries, key, now, 0.0);
        entry.pending = entry.pending.saturating_sub(1);
        if now - entry.touched > FAILURE_MEMORY_SECONDS {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.touched = now;
        if entry.failures >= free {
            let doublings = (entry.failures - free).min(62);
            entry.blocked_until = now + 2f64.powi(doublings as i32).min(self.max_delay);
        }
    }

    /// Ends an attempt that did not fail on its secret (a success, or an unrelated error).
    pub fn finish(&self, failures: &Failures) {
        let key = Key::Failures(normalised(failures));
        if let Some(entry) = self.lock().get_mut(&key) {
            entry.pending = entry.pending.saturating_sub(1);
        }
    }

    /// Clears a counter after a success (its attempt ends too).
    pub fn record_success(&self, failures: &Failures) {
        self.lock().remove(&Key::Failures(normalised(failures)));
    }

    /// Failures let through for this counter before waits begin.
    fn free_for(&self, key: &Key) -> u32 {
        match key {
            Key::Failures(Failures::LoginClient(_)) => {
                self.free_failures.saturating_mul(LOGIN_CLIENT_FACTOR)
            }
            Key::Failures(Failures::FleetSecretClient(_)) => {
                self.free_failures.saturating_mul(FLEET_CLIENT_FACTOR)
            }
            _ => self.free_failures,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // Entries are plain numbers; a panic elsewhere cannot leave one half-written.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
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

/// IPv6 clients by their /64; IPv4-mapped addresses as IPv4.
fn network(ip: IpAddr) -> IpAddr {
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
        Failures::Account(email) => Failures::Account(email.trim().to_ascii_lowercase()),
        Failures::LoginClient(ip) => Failures::LoginClient(network(*ip)),
        Failures::FleetSecretClient(ip) => Failures::FleetSecretClient(network(*ip)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
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
        throttle.begin_attempt(counters, now)?;
        for failures in counters {
            throttle.record_failure(failures, now);
        }
        Ok(())
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap_and_success_clears() {
        let throttle = Throttle::new(0, 3, 10);
        let account = Failures::Account("Ada@Example.com".into());
        for _ in 0..3 {
            assert!(fail(&throttle, &[&account], 0.0).is_ok());
        }
        let mut waits = Vec::new();
        let mut now = 0.0;
        for _ in 0..6 {
            let wait = throttle.begin_attempt(&[&account], now).unwrap_err();
            waits.push(wait);
            now += wait as f64;
            assert!(
                fail(&throttle, &[&account], now).is_ok(),
                "after the wait, one more"
            );
        }
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        throttle.record_success(&Failures::Account("ada@example.com".into()));
        assert!(
            throttle.begin_attempt(&[&account], now).is_ok(),
            "success starts over"
        );
    }

    #[test]
    fn parallel_guesses_cannot_outrun_the_count_but_good_logins_can_run_together() {
        let throttle = Throttle::new(0, 3, 900);
        let account = Failures::Account("ada@example.com".into());
        let started = (0..20)
            .filter(|_| throttle.begin_attempt(&[&account], 0.0).is_ok())
            .count();
        assert_eq!(
            started, 20,
            "a counter that never failed lets attempts run together"
        );
        for _ in 0..20 {
            throttle.finish(&account);
        }
        assert!(fail(&throttle, &[&account], 0.0).is_ok());
        let started = (0..20)
            .filter(|_| throttle.begin_attempt(&[&account], 0.0).is_ok())
            .count();
        assert_eq!(
            started, 2,
            "after a failure, only what is left of the free ones runs"
        );
    }

    #[test]
    fn finishing_keeps_a_shared_address_free() {
        let throttle = Throttle::new(0, 1, 900);
        let client = Failures::LoginClient(ip("192.0.2.7"));
        for _ in 0..(LOGIN_CLIENT_FACTOR * 3) {
            assert!(throttle.begin_attempt(&[&client], 0.0).is_ok());
            throttle.finish(&client);
        }
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
            throttle.begin_attempt(&[&neighbour], 0.5).is_err(),
            "same /64"
        );
        assert!(throttle.begin_attempt(&[&client], 2000.0).is_ok());
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
