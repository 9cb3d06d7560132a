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
//! - An attempt is counted before it runs ([`Throttle::begin_attempt`]) and refunded if it
//!   was not a wrong secret, so attempts in flight together cannot outrun the count.

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

    /// Starts an attempt that may fail (a password, a fleet secret): refused with the seconds
    /// to wait if any of `counters` says wait, otherwise counted as a failure on all of them
    /// at once, before the attempt runs, so that attempts made in parallel cannot slip past
    /// the count. A success then calls [`Throttle::record_success`] or [`Throttle::refund`].
    pub fn begin_attempt(&self, counters: &[&Failures], now: f64) -> Result<(), u64> {
        let keys: Vec<Key> = counters
            .iter()
            .map(|failures| Key::Failures(normalised(failures)))
            .collect();
        let mut entries = self.lock();
        let wait = keys
            .iter()
            .filter_map(|key| entries.get(key))
            .map(|entry| entry.blocked_until - now)
            .fold(0.0, f64::max);
        if wait > 0.0 {
            return Err(wait.ceil().max(1.0) as u64);
        }
        for key in keys {
            let free = self.free_for(&key);
            let entry = entry(&mut entries, key, now, 0.0);
            if now - entry.touched > FAILURE_MEMORY_SECONDS {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.touched = now;
            entry.blocked_until = self.block_after(entry.failures, free, now);
        }
        Ok(())
    }

    /// Takes back the failure an attempt counted, for an attempt that turned out not to be a
    /// wrong secret (a success from a shared address, or an unrelated error).
    pub fn refund(&self, failures: &Failures, now: f64) {
        let key = Key::Failures(normalised(failures));
        let free = self.free_for(&key);
        let mut entries = self.lock();
        if let Some(entry) = entries.get_mut(&key) {
            entry.failures = entry.failures.saturating_sub(1);
            entry.blocked_until = self
                .block_after(entry.failures, free, now)
                .min(entry.blocked_until);
        }
    }

    /// Clears a counter after a success.
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

    /// Until when the next attempt must wait after `failures`: nothing within the free ones,
    /// then 1 s, 2 s, 4 s, … up to the cap.
    fn block_after(&self, failures: u32, free: u32, now: f64) -> f64 {
        if failures < free {
            return 0.0;
        }
        let doublings = (failures - free).min(62);
        now + 2f64.powi(doublings as i32).min(self.max_delay)
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

    #[test]
    fn failures_double_the_wait_up_to_the_cap_and_success_clears() {
        let throttle = Throttle::new(0, 3, 10);
        let account = Failures::Account("Ada@Example.com".into());
        let attempt = |now| throttle.begin_attempt(&[&account], now);
        for _ in 0..3 {
            assert!(attempt(0.0).is_ok());
        }
        let mut waits = Vec::new();
        let mut now = 0.0;
        for _ in 0..6 {
            let wait = attempt(now).unwrap_err();
            waits.push(wait);
            now += wait as f64;
            assert!(attempt(now).is_ok(), "after the wait, one more attempt");
        }
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        let same = Failures::Account("ada@example.com".into());
        throttle.record_success(&same);
        assert!(attempt(now).is_ok(), "success starts over");
    }

    #[test]
    fn parallel_attempts_are_counted_before_they_run() {
        let throttle = Throttle::new(0, 2, 900);
        let account = Failures::Account("ada@example.com".into());
        let started = (0..10)
            .filter(|_| throttle.begin_attempt(&[&account], 0.0).is_ok())
            .count();
        assert_eq!(
            started, 2,
            "only the free attempts start, however many are in flight"
        );
    }

    #[test]
    fn refunds_undo_an_attempt_and_a_blocked_counter_blocks() {
        let throttle = Throttle::new(0, 1, 900);
        let client = Failures::LoginClient(ip("192.0.2.7"));
        let account = Failures::Account("bob@example.com".into());
        for _ in 0..(LOGIN_CLIENT_FACTOR * 3) {
            assert!(throttle.begin_attempt(&[&client], 0.0).is_ok());
            throttle.refund(&client, 0.0);
        }
        assert!(throttle.begin_attempt(&[&account, &client], 0.0).is_ok());
        assert!(
            throttle.begin_attempt(&[&account, &client], 0.0).is_err(),
            "the account waits"
        );
    }

    #[test]
    fn quiet_forgets_failures() {
        let throttle = Throttle::new(0, 1, 900);
        let client = Failures::LoginClient(ip("2001:db8::1"));
        for _ in 0..=LOGIN_CLIENT_FACTOR {
            let _ = throttle.begin_attempt(&[&client], 0.0);
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
