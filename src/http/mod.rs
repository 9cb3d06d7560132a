//! The HTTP door: a hyper 1 server that parses requests, calls [`App`], and maps the result.
//!
//! This module owns the accept loop, per-connection limits and graceful shutdown. Routing is in
//! `router`, request parsing in `request`, responses in `respond`, and one file per group of
//! handlers. Handlers are thin: parse, call the core on the blocking pool, answer.
//!
//! # Invariants
//! - Only this module and its children know hyper and HTTP statuses.
//! - Core calls run on the blocking pool ([`State::run`]); no SQLite, argon2 or RSA work runs on
//!   an async worker. A request waits for its core work (and the hashing queue before it) at
//!   most [`WORK_DEADLINE`], `/readyz` [`READY_DEADLINE`], then answers 503: a database that
//!   stops answering costs bounded 503s, not requests held for ever.
//! - At most one password hash per CPU runs at once ([`State::run_hashing`]): a login storm
//!   queues as cheap futures instead of exhausting memory (argon2id takes 19 MiB per hash).
//! - On shutdown the listener closes first, in-flight requests finish (and a request already
//!   sent on an open connection is read for [`DRAIN_PICKUP`] and answered), then the process exits.
//! - Every request from an untrusted network is bounded: headers (16 KiB, `request_timeout`),
//!   body (64 KiB, `request_timeout`), connections (`max_connections`, of which
//!   `max_connections_per_client` from one address; see `connections`), and the abuse-prone
//!   routes by client (`throttle`).
//! - Every error a client sees is API.md §1's JSON, including those about a malformed or
//!   oversized request head, which `transport` answers before hyper could (hyper's own answers
//!   have empty bodies).
//! - A full connection table sheds the longest-idle connection for a newcomer; it never stops
//!   accepting while idle connections hold the places (`connections`).

mod accounts;
mod connections;
mod encoding;
mod fleet;
mod groups;
mod metrics;
mod request;
mod respond;
mod router;
mod shared_keys;
mod throttle;
pub mod tls;
mod token;
mod transport;
mod users;
mod wallet;
mod well_known;

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::app::App;
use crate::error::{Error, Result};

/// How long a request waits for its core work (database and hashing) before answering 503:
/// longer than a pool checkout, a statement and a rerun's wait for its turn together (5 s
/// each), so only a database that stopped answering meets it.
pub(crate) const WORK_DEADLINE: Duration = Duration::from_secs(20);
/// How long `/readyz` waits for the database: a readiness probe must answer before the load
/// balancer's own timeout, and a database this slow to answer one `SELECT 1` is not ready.
const READY_DEADLINE: Duration = Duration::from_secs(5);
/// How long in-flight requests get to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often an accept loop waiting on a full table of busy connections asks again.
const FULL_RECHECK: Duration = Duration::from_secs(1);
/// How long a connection keeps reading once shutdown begins before it stops taking requests:
/// a request the client has already sent but this connection has not yet read (a busy server,
/// a connection accepted just before the signal) is read in that time and answered, not cut
/// off as if the connection were idle.
const DRAIN_PICKUP: Duration = Duration::from_millis(500);
/// How long the last answer and the close of a connection may take.
const LAST_WRITE_TIMEOUT: Duration = Duration::from_secs(1);
/// After refusing a head: how long, and how much, the rest of the request is read and dropped.
const LINGER_TIME: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 64 * 1024;

/// What every request handler shares.
pub(crate) struct State {
    /// The core.
    app: Arc<App>,
    /// Permits for password hashing, one per CPU; see the module invariants. Shared with the
    /// blocking task, which holds its permit until its hashing is done.
    hashing: Arc<Semaphore>,
    /// Set when shutdown begins, so `/readyz` turns 503 and load balancers stop sending.
    draining: AtomicBool,
    /// Request rates and failure back-off per client and account.
    throttle: throttle::Throttle,
    /// Counters for `GET /metrics`.
    metrics: Arc<metrics::Metrics>,
    /// The origin of the throttle's monotonic clock.
    started: std::time::Instant,
    /// The TLS certificates, when `serve` speaks HTTPS: `/readyz` reports a failed reload.
    tls: Option<Arc<tls::Tls>>,
    /// The gzip of the whole denylist (next to the JSON the core caches by the table's version)
    /// and of the last few `since` slices, matched by content.
    denylist_gzip: Arc<encoding::RecentGzip>,
    /// The gzip of the JWKS, keyed by its ETag.
    jwks_gzip: std::sync::Mutex<Option<(String, bytes::Bytes)>>,
    /// The signing keys for the JWKS and discovery, one core call per batch of requests.
    shared_keys: shared_keys::SharedKeys,
    /// Discovery's `scopes_supported` (every client's scopes) with when it was read
    /// (`clock`): anonymous requests share one read of the clients every few seconds.
    client_scopes: tokio::sync::Mutex<Option<(f64, Arc<Vec<String>>)>>,
}

impl State {
    /// Monotonic seconds since the server started: the throttle's clock.
    fn clock(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Runs core work on the blocking pool with the current time.
    ///
    /// The answer waits at most [`WORK_DEADLINE`], then is `Unavailable` (503 with
    /// `Retry-After`): a database that accepts connections but never answers (frozen, or
    /// behind a proxy that stopped forwarding) would otherwise hold the request, and with it
    /// shutdown, forever; the client's own timeouts bound no statement that the server never
    /// answers. The work itself goes on (a blocking call cannot be cancelled) and ends when the
    /// database answers or the connection fails.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run_within(Instant::now() + WORK_DEADLINE, work).await
    }

    /// Like [`State::run`], answering by `deadline`.
    async fn run_within<T: Send + 'static>(
        self: &Arc<Self>,
        deadline: Instant,
        work: impl FnOnce(&App, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let app = Arc::clone(&self.app);
        let task = tokio::task::spawn_blocking(move || work(&app, now()));
        match tokio::time::timeout_at(deadline.into(), task).await {
            Ok(joined) => joined
                .map_err(|error| Error::internal(format!("a blocking task failed: {error}")))?,
            Err(_) => Err(past_deadline()),
        }
    }

    /// Like [`State::run`], for work that hashes a password: waits for a hashing permit first.
    /// The permit moves into the blocking task, so the hashes queued or running never outnumber
    /// the permits, even when requests are dropped mid-hash; and a hash whose request has been
    /// dropped is skipped (`password::Requester`), so abandoned requests cost no CPU and
    /// shutdown does not wait for them.
    async fn run_hashing<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        // One deadline for the queue and the work: a hash stuck behind a frozen database keeps
        // its permit, and the requests queued behind it must not wait forever either.
        let deadline = Instant::now() + WORK_DEADLINE;
        let permit =
            tokio::time::timeout_at(deadline.into(), Arc::clone(&self.hashing).acquire_owned())
                .await
                .map_err(|_| past_deadline())?
                .map_err(|_| Error::internal("the hashing semaphore was closed"))?;
        // Dropped with this future: marks the requester gone.
        let (requester, _waiting) = crate::password::Requester::new();
        self.run_within(deadline, move |app, now| {
            let _permit = permit;
            if requester.is_gone() {
                return Err(Error::new(
                    crate::error::ErrorKind::Unavailable,
                    "the request was abandoned before its work began",
                ));
            }
            requester.scope(|| work(app, now))
        })
        .await
    }
}

/// The `Unavailable` of core work that did not answer by its deadline.
fn past_deadline() -> Error {
    Error::new(
        crate::error::ErrorKind::Unavailable,
        "the database did not answer in time",
    )
}

/// The current time in Unix seconds: the HTTP door's clock.
pub(crate) fn now() -> i64 {
    now_ms().div_euclid(1000)
}

/// The current time in Unix milliseconds: the clock of the failed-login counters that replicas
/// share, whose waits start at one second.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Serves the API on `listener` (over TLS if `tls` is given; metrics on `metrics_listener`,
/// if given) until `shutdown` completes, then drains in-flight requests.
///
/// # Errors
/// None today; the signature leaves room for fatal listener errors.
pub async fn serve(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    app: Arc<App>,
    tls: Option<Arc<tls::Tls>>,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let hashing_permits = std::thread::available_parallelism().map_or(2, usize::from);
    let config = app.config();
    let throttle = throttle::Throttle::new(
        config.rate_limit_per_second,
        config.login_free_failures,
        config.login_max_delay,
    );
    let request_timeout = Duration::from_secs(config.request_timeout);
    let connections = Arc::new(connections::Connections::new(
        config.max_connections,
        config.max_connections_per_client,
        config.trusted_proxies.clone(),
    ));
    let state = Arc::new(State {
        app,
        hashing: Arc::new(Semaphore::new(hashing_permits)),
        draining: AtomicBool::new(false),
        throttle,
        metrics: Arc::new(metrics::Metrics::default()),
        started: std::time::Instant::now(),
        tls: tls.clone(),
        denylist_gzip: Arc::new(encoding::RecentGzip::default()),
        jwks_gzip: std::sync::Mutex::new(None),
        shared_keys: shared_keys::SharedKeys::default(),
        client_scopes: tokio::sync::Mutex::new(None),
    });
    let refusal = respond::wire_bytes(respond::error_response(&Error::too_many_requests(
        "too many connections from this client",
        1,
    )))
    .await;
    let metrics_server = metrics_listener
        .map(|listener| tokio::spawn(metrics::serve_metrics(listener, Arc::clone(&state.metrics))));
    let (draining, _) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    'accepting: loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // On a dual-stack listener IPv4 clients arrive as `::ffff:a.b.c.d`: mapped back once,
        // here, so the table, `trusted_proxies`, the throttle and the logs all see `a.b.c.d`.
        let peer = std::net::SocketAddr::new(peer.ip().to_canonical(), peer.port());
        let admitted = loop {
            match connections.admit(peer.ip()) {
                connections::Admission::Admitted(admitted) => break Some(admitted),
                connections::Admission::ClientLimit => break None,
                // Every place is busy: this connection waits, and no other is accepted, until
                // one ends or becomes sheddable. Busy ones end within request_timeout plus
                // their handler's time (a stalled write fails after request_timeout); asking
                // again every second as well means a missed signal cannot stall accepting.
                connections::Admission::Full => tokio::select! {
                    () = connections.changed() => {}
                    () = tokio::time::sleep(FULL_RECHECK) => {}
                    () = &mut shutdown => break 'accepting,
                },
            }
        };
        let Some(admitted) = admitted else {
            // One best-effort write into the empty send buffer, never a wait: refusing must
            // cost less than serving. Over TLS there is no plain answer to give; it just closes.
            tracing::debug!(client = %peer.ip(), "refused a connection past the per-client limit");
            if tls.is_none() {
                let _ = stream.try_write(&refusal);
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            state: Arc::clone(&state),
            admitted,
            peer: peer.ip(),
            draining: draining.subscribe(),
            request_timeout,
        };
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                Some(tls) => connection.serve_tls(stream, tls).await,
                None => connection.serve(stream).await,
            }
        });
    }
    state.draining.store(true, Ordering::SeqCst);
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    let _ = draining.send(true);
    let all_closed = async {
        while connections.open() > 0 {
            connections.changed().await;
        }
    };
    tokio::select! {
        () = all_closed => tracing::info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("shutdown grace period over; closing remaining connections");
        }
    }
    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    Ok(())
}

/// One admitted connection and what its task needs.
struct Connection {
    state: Arc<State>,
    /// Its place in the connection table, freed when the task ends, however it ends.
    admitted: connections::Admitted,
    peer: IpAddr,
    /// Turns true when shutdown begins.
    draining: tokio::sync::watch::Receiver<bool>,
    request_timeout: Duration,
}

/// What ended the wait of a connection task.
enum Event<T> {
    Done(T),
    Shed,
    Drain,
}

impl Connection {
    /// Completes the TLS handshake (within `request_timeout`, and sheddable like any idle
    /// connection), then serves.
    async fn serve_tls(self, stream: TcpStream, tls: Arc<tls::Tls>) {
        let handshake = tokio::time::timeout(self.request_timeout, tls.acceptor().accept(stream));
        let event = tokio::select! {
            result = handshake => Event::Done(result),
            () = self.admitted.state.shed.notified() => Event::Shed,
            _ = wait_for_drain(self.draining.clone()) => Event::Drain,
        };
        match event {
            Event::Done(Ok(Ok(stream))) => self.serve(stream).await,
            Event::Done(Ok(Err(error))) => {
                tracing::debug!(client = %self.peer, %error, "TLS handshake failed");
            }
            Event::Done(Err(_)) => tracing::debug!(client = %self.peer, "TLS handshake timed out"),
            Event::Shed | Event::Drain => {}
        }
    }

    /// Serves HTTP/1.1 on `stream` until the client leaves, the connection is shed or
    /// shutdown drains it; then answers a refused head, if there was one, and closes.
    async fn serve<S>(mut self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let conn = Arc::clone(&self.admitted.state);
        let transport = transport::Transport::new(stream, Arc::clone(&conn), self.request_timeout);
        let state = Arc::clone(&self.state);
        let peer = self.peer;
        let service = service_fn(move |request| {
            let state = Arc::clone(&state);
            // Counted from here, so a future dropped before it ran still counts as finished.
            let guard = connections::RequestGuard::new(&conn);
            Box::pin(async move {
                let response = router::handle(state, request, peer).await;
                drop(guard);
                Ok::<_, Infallible>(response)
            })
        });
        let mut connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.request_timeout)
            .max_buf_size(transport::HYPER_BUFFER_BYTES)
            .serve_connection(TokioIo::new(transport), service);
        // Shutdown: keep reading for DRAIN_PICKUP (a request already sent is taken in), then
        // stop taking new ones; hyper finishes the one in flight.
        let mut draining = *self.draining.borrow();
        let pickup = tokio::time::sleep(if draining {
            DRAIN_PICKUP
        } else {
            Duration::MAX / 4
        });
        let mut pickup = std::pin::pin!(pickup);
        let mut stopped_taking = false;
        let result = loop {
            let event = tokio::select! {
                result = std::future::poll_fn(|cx| connection.poll_without_shutdown(cx)) => {
                    Event::Done(result)
                }
                () = self.admitted.state.shed.notified() => Event::Shed,
                _ = self.draining.changed(), if !draining => Event::Drain,
                () = &mut pickup, if draining && !stopped_taking => {
                    stopped_taking = true;
                    std::pin::Pin::new(&mut connection).graceful_shutdown();
                    continue;
                }
            };
            match event {
                Event::Done(result) => break result,
                Event::Shed => {
                    tracing::debug!(client = %self.peer, "closed an idle or stalled connection to make room");
                    return;
                }
                Event::Drain => {
                    draining = true;
                    pickup
                        .as_mut()
                        .reset(tokio::time::Instant::now() + DRAIN_PICKUP);
                }
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, "connection ended with an error");
        }
        let mut transport = connection.into_parts().io.into_inner();
        match transport.take_rejection() {
            Some(error) => self.reject(transport.inner_mut(), &error).await,
            None => {
                let _ = tokio::time::timeout(LAST_WRITE_TIMEOUT, transport.inner_mut().shutdown())
                    .await;
            }
        }
    }

    /// Answers a head the transport refused with its JSON error, then closes gracefully: the
    /// rest of what the client sent is read and dropped for a moment, because closing with
    /// unread bytes makes the kernel send a reset that can destroy the answer before the
    /// client reads it (RFC 9112 §9.6).
    async fn reject<S: AsyncRead + AsyncWrite + Unpin>(&self, stream: &mut S, error: &Error) {
        let response = respond::error_response(error);
        let status = response.status().as_u16();
        tracing::info!(status, client = %self.peer, error = error.detail(), "refused a malformed request");
        self.state
            .metrics
            .observe("unknown", status, Duration::ZERO);
        let bytes = respond::wire_bytes(response).await;
        let answered = async {
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            stream.shutdown().await
        };
        if tokio::time::timeout(LAST_WRITE_TIMEOUT, answered)
            .await
            .is_err()
        {
            return;
        }
        let drain = async {
            let mut chunk = [0u8; 4096];
            let mut left = LINGER_BYTES;
            while left > 0 {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => left = left.saturating_sub(n),
                }
            }
        };
        let _ = tokio::time::timeout(LINGER_TIME, drain).await;
    }
}

/// Completes when shutdown begins (or the sender is gone).
async fn wait_for_drain(mut draining: tokio::sync::watch::Receiver<bool>) {
    while !*draining.borrow() {
        if draining.changed().await.is_err() {
            return;
        }
    }
}

/// What the fuzz targets (`fuzz/`) need of the HTTP door: its real body parsers, so that they
/// fuzz the code that runs rather than copies of it. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    use super::request::{parse_json, string_or_field_of};
    use super::{accounts, fleet, wallet};
    use crate::app::SignInRequest;

    /// Parses `body` as each request body the handlers read; returns the sign-in request if
    /// the body is one, for the wallet checks that follow.
    pub fn parse_bodies(body: &[u8]) -> Option<SignInRequest> {
        let _ = parse_json::<accounts::RegisterRequest>(body);
        let _ = parse_json::<accounts::LoginRequest>(body);
        let _ = parse_json::<accounts::PasswordChangeRequest>(body);
        let _ = parse_json::<fleet::RevokeRequest>(body);
        let _ = parse_json::<wallet::ChallengeBody>(body);
        let _ = string_or_field_of(body, "refresh_token");
        let _ = string_or_field_of(body, "role");
        if let Ok(fleet_session) = parse_json::<fleet::FleetSessionRequest>(body) {
            let _ = fleet::requested_ttl(fleet_session.ttl);
        }
        parse_json::<wallet::SignInBody>(body)
            .ok()
            .map(SignInRequest::from)
    }
}
