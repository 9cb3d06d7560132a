//! The connection table: which connections are open, from which client, which of them are idle,
//! and which to shed when the table is full.
//!
//! A connection that has not completed a request head (a new one, a keep-alive one between
//! requests, a slow-loris one trickling its headers, one in its TLS handshake) is *idle*; one
//! with a request in progress is *busy*; one whose client is not taking a response while no
//! handler runs is *stalled*. When `max_connections` are open and another client arrives, the
//! connection idle the longest (else the one stalled the longest) is told to close and the
//! newcomer is served at once; only when every open connection is busy does the newcomer wait
//! (busy connections end within `request_timeout` plus the handler's time, and a write that
//! makes no progress for `request_timeout` fails, see `transport`). A cap that simply stopped
//! accepting would let idle connections, or connections that never read their answers, from
//! many addresses lock everyone else out: that is the denial of service this table exists to
//! prevent.
//!
//! # Invariants
//! - Every admitted connection is counted by an [`Admitted`] guard whose `Drop` removes it, so a
//!   connection task ending anywhere (an error, a panic, a shed) frees its place.
//! - The table holds at most `max_connections` live entries plus those already told to close,
//!   and at most one count per client address with an open connection: strangers cannot grow it.
//! - Busy connections (a handler running, or a request being received) are never shed; a
//!   stalled one is shed only when no idle one is left.
//! - A client address (IPv6: its /64, which one host usually holds whole) holds at most
//!   `max_connections_per_client` connections; addresses in `trusted_proxies` are exempt, since
//!   one proxy carries many clients.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

use crate::config::IpNet;

/// The open connections and the limits they live under.
pub(super) struct Connections {
    table: Mutex<Table>,
    /// Signalled when a connection closes or becomes idle: what an accept loop waiting on a
    /// full table of busy connections, or a shutdown waiting for the last one, waits for.
    changed: Arc<Notify>,
    /// Live connections allowed at once (`max_connections`).
    max: usize,
    /// Connections one client address may hold (`max_connections_per_client`).
    per_client: usize,
    /// Peers exempt from the per-client limit (`trusted_proxies`).
    trusted: Vec<IpNet>,
    /// The origin of the idle clock.
    origin: Instant,
}

struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<ConnState>>,
    by_client: HashMap<IpAddr, usize>,
    /// Entries told to close whose tasks have not ended yet; not counted against `max`.
    shedding: usize,
}

/// What [`Connections::admit`] decided about a new connection.
pub(super) enum Admission {
    /// Serve it; the guard counts it until dropped.
    Admitted(Admitted),
    /// Its client holds `max_connections_per_client` already: refuse it.
    ClientLimit,
    /// Every place is taken by a busy connection: wait for [`Connections::changed`] and ask again.
    Full,
}

/// One connection's state, shared by its transport (which sees request heads and bodies pass),
/// its requests (which say when their handler is done) and the table (which picks whom to shed).
pub(super) struct ConnState {
    /// The client key this connection is counted under.
    client: IpAddr,
    /// Requests whose head has been handed to hyper.
    started: AtomicU64,
    /// Requests whose handler has finished or been dropped.
    finished: AtomicU64,
    /// Handlers running now (hyper called the service; its future is alive).
    handlers: AtomicU64,
    /// When writes last became blocked, in milliseconds of the table's clock.
    blocked_since: AtomicU64,
    /// The transport is between requests: waiting for, or reading, the next head.
    between_requests: AtomicBool,
    /// The client is not taking what the server writes (its window is full).
    write_blocked: AtomicBool,
    /// When the connection last became idle, in milliseconds of the table's clock.
    idle_since: AtomicU64,
    /// Told to close.
    shed_flag: AtomicBool,
    /// Wakes the connection's task to close.
    pub(super) shed: Notify,
    changed: Arc<Notify>,
    origin: Instant,
}

impl ConnState {
    fn now_millis(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether the connection may be shed: between requests, no handler running, nothing
    /// waiting to be written.
    fn is_idle(&self) -> bool {
        self.between_requests.load(Ordering::SeqCst)
            && !self.has_request_in_flight()
            && !self.write_blocked.load(Ordering::SeqCst)
    }

    /// Whether the connection is stalled: the client takes nothing written to it and no handler
    /// runs, so only the response already made is at stake. Shed after the idle ones.
    fn is_stalled(&self) -> bool {
        self.write_blocked.load(Ordering::SeqCst) && self.handlers.load(Ordering::SeqCst) == 0
    }

    /// Whether a request's handler is still running.
    pub(super) fn has_request_in_flight(&self) -> bool {
        self.started.load(Ordering::SeqCst) != self.finished.load(Ordering::SeqCst)
    }

    fn became_idle(&self) {
        self.idle_since.store(self.now_millis(), Ordering::SeqCst);
        if self.is_idle() {
            self.changed.notify_one();
        }
    }

    /// The transport handed a complete request head to hyper.
    pub(super) fn request_started(&self) {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.between_requests.store(false, Ordering::SeqCst);
    }

    /// The transport has passed the whole request body; the next bytes are a new head.
    pub(super) fn between_requests(&self) {
        self.between_requests.store(true, Ordering::SeqCst);
        self.became_idle();
    }

    /// Whether writes block on the client; a connection that becomes writable again may be idle.
    pub(super) fn set_write_blocked(&self, blocked: bool) {
        let was = self.write_blocked.swap(blocked, Ordering::SeqCst);
        if !was && blocked {
            self.blocked_since
                .store(self.now_millis(), Ordering::SeqCst);
            if self.is_stalled() {
                self.changed.notify_one();
            }
        }
        if was && !blocked && self.is_idle() {
            self.changed.notify_one();
        }
    }
}

/// Counts one request from the moment hyper hands it to the service until its handler's future
/// completes or is dropped (the client hung up).
pub(super) struct RequestGuard(Arc<ConnState>);

impl RequestGuard {
    /// Starts counting a request of `conn`.
    pub(super) fn new(conn: &Arc<ConnState>) -> RequestGuard {
        conn.handlers.fetch_add(1, Ordering::SeqCst);
        RequestGuard(Arc::clone(conn))
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.handlers.fetch_sub(1, Ordering::SeqCst);
        self.0.finished.fetch_add(1, Ordering::SeqCst);
        self.0.became_idle();
        if self.0.is_stalled() {
            self.0.changed.notify_one();
        }
    }
}

/// An admitted connection's place in the table; dropping it frees the place.
pub(super) struct Admitted {
    connections: Arc<Connections>,
    id: u64,
    /// The connection's shared state.
    pub(super) state: Arc<ConnState>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        {
            let mut table = self.connections.lock();
            if let Some(state) = table.open.remove(&self.id)
                && state.shed_flag.load(Ordering::SeqCst)
            {
                table.shedding = table.shedding.saturating_sub(1);
            }
            let client = self.state.client;
            if let Some(count) = table.by_client.get_mut(&client) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    table.by_client.remove(&client);
                }
            }
        }
        self.connections.changed.notify_one();
    }
}

impl Connections {
    /// A table for at most `max` connections, `per_client` of them from one client address
    /// (peers in `trusted` exempt).
    pub(super) fn new(max: usize, per_client: usize, trusted: Vec<IpNet>) -> Connections {
        Connections {
            table: Mutex::new(Table {
                next_id: 0,
                open: HashMap::new(),
                by_client: HashMap::new(),
                shedding: 0,
            }),
            changed: Arc::new(Notify::new()),
            max: max.max(1),
            per_client: per_client.max(1),
            trusted,
            origin: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Completes when a connection closed or became idle since the last call.
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }

    /// How many connections are open, including those told to close.
    pub(super) fn open(&self) -> usize {
        self.lock().open.len()
    }

    /// Decides about a new connection from `peer`; at the cap, sheds the longest-idle one, or
    /// if none is idle the longest-stalled one.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Admission {
        let client = client_key(peer);
        let exempt = self.trusted.iter().any(|net| net.contains(peer));
        let mut table = self.lock();
        if !exempt && table.by_client.get(&client).copied().unwrap_or(0) >= self.per_client {
            return Admission::ClientLimit;
        }
        if table.open.len() - table.shedding >= self.max {
            let candidates = || {
                table
                    .open
                    .values()
                    .filter(|state| !state.shed_flag.load(Ordering::SeqCst))
            };
            let victim = candidates()
                .filter(|state| state.is_idle())
                .min_by_key(|state| state.idle_since.load(Ordering::SeqCst))
                .or_else(|| {
                    candidates()
                        .filter(|state| state.is_stalled())
                        .min_by_key(|state| state.blocked_since.load(Ordering::SeqCst))
                })
                .cloned();
            let Some(victim) = victim else {
                return Admission::Full;
            };
            victim.shed_flag.store(true, Ordering::SeqCst);
            victim.shed.notify_one();
            table.shedding += 1;
        }
        let state = Arc::new(ConnState {
            client,
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            handlers: AtomicU64::new(0),
            blocked_since: AtomicU64::new(0),
            between_requests: AtomicBool::new(true),
            write_blocked: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            shed_flag: AtomicBool::new(false),
            shed: Notify::new(),
            changed: Arc::clone(&self.changed),
            origin: self.origin,
        });
        state.idle_since.store(state.now_millis(), Ordering::SeqCst);
        let id = table.next_id;
        table.next_id += 1;
        table.open.insert(id, Arc::clone(&state));
        *table.by_client.entry(client).or_default() += 1;
        drop(table);
        Admission::Admitted(Admitted {
            connections: Arc::clone(self),
            id,
            state,
        })
    }
}

/// The address a per-client count is kept under: an IPv4 address, or an IPv6 /64 (a host is
/// usually given a whole /64, so counting single IPv6 addresses would limit nothing).
fn client_key(peer: IpAddr) -> IpAddr {
    match peer.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn admitted(admission: Admission) -> Admitted {
        match admission {
            Admission::Admitted(admitted) => admitted,
            Admission::ClientLimit => panic!("refused by the per-client limit"),
            Admission::Full => panic!("the table is full"),
        }
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(
            client_key(ip("2001:db8::1")),
            client_key(ip("2001:db8::ffff"))
        );
        assert_ne!(
            client_key(ip("2001:db8::1")),
            client_key(ip("2001:db8:0:1::1"))
        );
        assert_eq!(client_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }

    #[test]
    fn one_client_holds_at_most_its_share_unless_it_is_a_trusted_proxy() {
        let proxy = IpNet::parse("10.0.0.1").unwrap();
        let connections = Arc::new(Connections::new(10, 2, vec![proxy]));
        let first = admitted(connections.admit(ip("192.0.2.1")));
        let _second = admitted(connections.admit(ip("192.0.2.1")));
        assert!(matches!(
            connections.admit(ip("192.0.2.1")),
            Admission::ClientLimit
        ));
        let _other = admitted(connections.admit(ip("192.0.2.2")));
        drop(first);
        let _again = admitted(connections.admit(ip("192.0.2.1")));
        let held: Vec<Admitted> = (0..5)
            .map(|_| admitted(connections.admit(ip("10.0.0.1"))))
            .collect();
        assert_eq!(held.len(), 5);
    }

    #[test]
    fn a_full_table_sheds_the_longest_idle_connection_and_never_a_busy_one() {
        let connections = Arc::new(Connections::new(2, 10, Vec::new()));
        let busy = admitted(connections.admit(ip("192.0.2.1")));
        let idle = admitted(connections.admit(ip("192.0.2.2")));
        // The first connection's request is in progress.
        busy.state.request_started();
        let newcomer = admitted(connections.admit(ip("192.0.2.3")));
        assert!(idle.state.shed_flag.load(Ordering::SeqCst));
        assert!(!busy.state.shed_flag.load(Ordering::SeqCst));
        // The idle one has not closed yet, but it no longer counts: the newcomer was admitted.
        assert_eq!(connections.open(), 3);
        drop(idle);
        // Now both places are busy: a fourth connection waits.
        newcomer.state.request_started();
        assert!(matches!(
            connections.admit(ip("192.0.2.4")),
            Admission::Full
        ));
        // When a request ends, its connection is idle again and may be shed.
        let guard = RequestGuard::new(&busy.state);
        drop(guard);
        busy.state.between_requests();
        let _fourth = admitted(connections.admit(ip("192.0.2.4")));
        assert!(busy.state.shed_flag.load(Ordering::SeqCst));
    }

    #[test]
    fn a_connection_whose_client_takes_nothing_is_shed_when_none_is_idle() {
        let connections = Arc::new(Connections::new(2, 10, Vec::new()));
        let working = admitted(connections.admit(ip("192.0.2.1")));
        let stalled = admitted(connections.admit(ip("192.0.2.2")));
        // One handler runs and its writes block: busy, never shed.
        working.state.request_started();
        let _handler = RequestGuard::new(&working.state);
        working.state.set_write_blocked(true);
        // The other's request is answered, but its client reads nothing: stalled.
        stalled.state.request_started();
        drop(RequestGuard::new(&stalled.state));
        stalled.state.set_write_blocked(true);
        let _newcomer = admitted(connections.admit(ip("192.0.2.3")));
        assert!(stalled.state.shed_flag.load(Ordering::SeqCst));
        assert!(!working.state.shed_flag.load(Ordering::SeqCst));
    }
}
