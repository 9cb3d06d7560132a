//! The HTTP door: a hyper 1 server that parses requests, calls [`App`], and maps the result.
//!
//! This module owns the accept loop, per-connection limits and graceful shutdown. Routing is in
//! `router`, request parsing in `request`, responses in `respond`, and one file per group of
//! handlers. Handlers are thin: parse, call the core on the blocking pool, answer.
//!
//! # Invariants
//! - Only this module and its children know hyper and HTTP statuses.
//! - Core calls run on the blocking pool ([`State::run`]); no SQLite, argon2 or RSA work runs on
//!   an async worker.
//! - At most one password hash per CPU runs at once ([`State::run_hashing`]): a login storm
//!   queues as cheap futures instead of exhausting memory (argon2id takes 19 MiB per hash).
//! - On shutdown the listener closes first, in-flight requests finish, then the process exits.
//! - Every request from an untrusted network is bounded: headers (16 KiB, `request_timeout`),
//!   body (64 KiB, `request_timeout`), connections (`max_connections`), and the abuse-prone
//!   routes by client (`throttle`).

mod accounts;
mod fleet;
mod metrics;
mod request;
mod respond;
mod router;
mod throttle;
mod users;
mod wallet;
mod well_known;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::App;
use crate::error::{Error, Result};

/// The most header bytes a request may have; more is answered 431.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// How long in-flight requests get to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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
}

impl State {
    /// Monotonic seconds since the server started: the throttle's clock.
    fn clock(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Runs core work on the blocking pool with the current time.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let app = Arc::clone(&self.app);
        tokio::task::spawn_blocking(move || work(&app, now()))
            .await
            .map_err(|error| Error::internal(format!("a blocking task failed: {error}")))?
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
        let permit = Arc::clone(&self.hashing)
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("the hashing semaphore was closed"))?;
        // Dropped with this future: marks the requester gone.
        let (requester, _waiting) = crate::password::Requester::new();
        self.run(move |app, now| {
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

/// The current time in Unix seconds: the HTTP door's clock.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Serves the API on `listener` (and metrics on `metrics_listener`, if given) until
/// `shutdown` completes, then drains in-flight requests.
///
/// # Errors
/// None today; the signature leaves room for fatal listener errors.
pub async fn serve(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    app: Arc<App>,
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
    let connections = Arc::new(Semaphore::new(config.max_connections));
    let state = Arc::new(State {
        app,
        hashing: Arc::new(Semaphore::new(hashing_permits)),
        draining: AtomicBool::new(false),
        throttle,
        metrics: Arc::new(metrics::Metrics::default()),
        started: std::time::Instant::now(),
    });
    let metrics_server = metrics_listener
        .map(|listener| tokio::spawn(metrics::serve_metrics(listener, Arc::clone(&state.metrics))));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // At most max_connections at once: past that, new ones wait in the kernel's backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let state = Arc::clone(&state);
                let service = service_fn(move |request| {
                    let state = Arc::clone(&state);
                    async move { Ok::<_, Infallible>(router::handle(state, request, peer.ip()).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(request_timeout)
                    .max_buf_size(MAX_HEADER_BYTES)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    state.draining.store(true, Ordering::SeqCst);
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("shutdown grace period over; closing remaining connections");
        }
    }
    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    Ok(())
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
