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

mod accounts;
mod fleet;
mod request;
mod respond;
mod router;
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

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long in-flight requests get to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every request handler shares.
pub(crate) struct State {
    /// The core.
    app: Arc<App>,
    /// Permits for password hashing, one per CPU; see the module invariants.
    hashing: Semaphore,
    /// Set when shutdown begins, so `/readyz` turns 503 and load balancers stop sending.
    draining: AtomicBool,
}

impl State {
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
    async fn run_hashing<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| Error::internal("the hashing semaphore was closed"))?;
        self.run(work).await
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

/// Serves the API on `listener` until `shutdown` completes, then drains in-flight requests.
///
/// # Errors
/// None today; the signature leaves room for fatal listener errors.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let hashing_permits = std::thread::available_parallelism().map_or(2, usize::from);
    let state = Arc::new(State {
        app,
        hashing: Semaphore::new(hashing_permits),
        draining: AtomicBool::new(false),
    });
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
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
                    async move { Ok::<_, Infallible>(router::handle(state, request).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
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
    Ok(())
}
