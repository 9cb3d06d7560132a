//! `picoauth serve`: opens the core, bootstraps the admin, loads the TLS certificate if one is
//! configured, binds, and runs the HTTP door (HTTPS with TLS) until SIGTERM or SIGINT; SIGHUP
//! re-reads the certificate files.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::app::{App, Pruned};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};

/// How often expired refresh tokens and revocations are pruned.
const PRUNE_INTERVAL: Duration = Duration::from_secs(60);
/// How long, once every connection is closed, `serve` waits for core work still running on
/// the blocking pool before it exits anyway (work blocked on a frozen database never ends).
const BLOCKED_WORK_GRACE: Duration = Duration::from_secs(5);

/// How long `serve` waits at start for a database that is out of reach (a PostgreSQL server
/// still starting, or failing over) before it exits with the reason; an orchestrator restarts
/// it either way, but a deployment whose replicas and database start together should not
/// crash-loop.
const DATABASE_PATIENCE: Duration = Duration::from_secs(10);

/// The longest pause between two tries to reach the database at start.
const DATABASE_RETRY_CEILING: Duration = Duration::from_secs(2);

/// Runs the server.
///
/// # Errors
/// `Storage`, `Keys` if the files cannot be opened; `Unavailable` if the database stayed out of
/// reach for [`DATABASE_PATIENCE`]; `Internal` if the address cannot be bound.
pub fn run(config: Config) -> Result<ExitCode> {
    let app = Arc::new(open_patiently(config)?);
    if let Some(admin) = app.bootstrap_admin(super::now())? {
        match &admin.generated_password {
            Some(password) => print_admin_banner(&admin.email, password),
            None => tracing::info!(
                email = admin.email,
                "created the admin account with the configured password"
            ),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::internal("cannot start the async runtime").with_source(error))?;
    let result = runtime.block_on(serve(Arc::clone(&app)));
    // The last reference to the app, and with it the store, goes here, after the runtime and
    // every task that held one: the PostgreSQL client's connections close by blocking on a
    // runtime of their own, which panics on a thread inside ours (and aborts the process, from
    // a worker thread, instead of exiting 0 after SIGTERM). Work still blocked on a database
    // that stopped answering is left behind after a moment (its requests were answered 503),
    // so SIGTERM ends the process however the database is; the app it holds is then never
    // dropped, which is only the process ending with its connections open.
    runtime.shutdown_timeout(BLOCKED_WORK_GRACE);
    drop(app);
    result?;
    Ok(ExitCode::SUCCESS)
}

/// `App::open`, tried again while the database is out of reach, for at most
/// [`DATABASE_PATIENCE`].
fn open_patiently(config: Config) -> Result<App> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(250);
    loop {
        let error = match App::open(config.clone(), super::now()) {
            Err(error) if error.kind() == ErrorKind::Unavailable => error,
            opened => return opened,
        };
        if started.elapsed() + pause > DATABASE_PATIENCE {
            return Err(Error::new(
                ErrorKind::Unavailable,
                format!(
                    "{error} (gave up after {} s)",
                    started.elapsed().as_secs().max(1)
                ),
            ));
        }
        tracing::warn!(error = %error, "the database is out of reach; trying again");
        std::thread::sleep(pause);
        pause = (pause * 2).min(DATABASE_RETRY_CEILING);
    }
}

async fn serve(app: Arc<App>) -> Result<()> {
    // Loaded before binding: a bad certificate is a startup error naming the setting.
    let tls = match (&app.config().tls_cert_file, &app.config().tls_key_file) {
        (Some(cert_file), Some(key_file)) => {
            Some(Arc::new(crate::http::tls::Tls::load(cert_file, key_file)?))
        }
        _ => None,
    };
    let address = app.config().listen;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| {
            Error::new(ErrorKind::Internal, format!("cannot listen on {address}"))
                .with_source(error)
        })?;
    let bound = listener.local_addr()?;
    // Registered before the readiness line: a signal sent right after it must reach these
    // handlers, not the default action (which would end the process mid-start).
    let shutdown = ShutdownSignals::register();
    let hangup = crate::http::tls::hangup_signal();
    tracing::info!(address = %bound, issuer = app.config().issuer, "serving");
    // The one line on stdout: scripts and tests wait for it to know the port.
    let mut stdout = std::io::stdout();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let _ = writeln!(stdout, "listening on {scheme}://{bound}");
    let _ = stdout.flush();

    let metrics_listener = match app.config().metrics_listen {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|error| {
                    Error::new(
                        ErrorKind::Internal,
                        format!("cannot listen on {address} for metrics"),
                    )
                    .with_source(error)
                })?;
            tracing::info!(address = %listener.local_addr()?, "serving metrics at /metrics");
            Some(listener)
        }
        None => None,
    };
    let pruner = tokio::spawn(every(PRUNE_INTERVAL, Arc::clone(&app), "pruning", prune));
    let tls_watcher = tokio::spawn(crate::http::tls::watch(tls.clone(), hangup));
    let result =
        crate::http::serve(listener, metrics_listener, app, tls, shutdown.received()).await;
    pruner.abort();
    tls_watcher.abort();
    result
}

/// Runs `work` on the blocking pool every `period`, logging failures; it never stops the
/// server.
async fn every(
    period: Duration,
    app: Arc<App>,
    what: &'static str,
    work: fn(&App, i64) -> Result<()>,
) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let app = Arc::clone(&app);
        match tokio::task::spawn_blocking(move || work(&app, super::now())).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "{what} failed"),
            Err(error) => tracing::warn!(%error, "{what} task failed"),
        }
    }
}

fn prune(app: &App, now: i64) -> Result<()> {
    let pruned = app.prune(now)?;
    if pruned != Pruned::default() {
        tracing::info!(
            refresh_tokens = pruned.refresh_tokens,
            revocations = pruned.revocations,
            challenges = pruned.challenges,
            login_failures = pruned.login_failures,
            mints = pruned.mints,
            "pruned expired entries"
        );
    }
    Ok(())
}

/// Completes on SIGTERM or SIGINT.
/// SIGTERM and SIGINT, the signals that stop `serve` gracefully.
struct ShutdownSignals {
    terminate: Option<tokio::signal::unix::Signal>,
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignals {
    /// Installs the handlers now (see `serve`).
    fn register() -> ShutdownSignals {
        use tokio::signal::unix::{SignalKind, signal};
        let install = |kind, name: &str| match signal(kind) {
            Ok(signal) => Some(signal),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for {name}");
                None
            }
        };
        ShutdownSignals {
            terminate: install(SignalKind::terminate(), "SIGTERM"),
            interrupt: install(SignalKind::interrupt(), "SIGINT"),
        }
    }

    /// Completes when either signal arrives.
    async fn received(mut self) {
        async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            () = next(self.terminate.as_mut()) => tracing::info!("SIGTERM received"),
            () = next(self.interrupt.as_mut()) => tracing::info!("SIGINT received"),
        }
    }
}

/// Shows the generated admin password once, on stderr, where the operator starting the server
/// sees it; it is never logged through `tracing`, never stored in clear.
fn print_admin_banner(email: &str, password: &str) {
    let rule = "=".repeat(72);
    eprintln!(
        "{rule}\n\
         picoauth created the admin account {email}\n\
         with the generated password:\n\n    {password}\n\n\
         It is shown only this once. Log in and change it (POST /api/v1/auth/me/password),\n\
         or set PICOAUTH_ADMIN_PASSWORD before the first start next time.\n\
         {rule}"
    );
}
