//! The PostgreSQL backend: one database that `serve` replicas and CLI commands share, with its
//! schema migrations (`schema`), a bounded pool of connections of the sync `postgres` client,
//! serializable write transactions retried on serialization failures, and the SQL of every
//! operation (`transaction`) behind [`ReadTransaction`] and [`WriteTransaction`].
//!
//! # Invariants
//! - Every change runs in [`PgStore::write`]: `BEGIN ISOLATION LEVEL SERIALIZABLE`; a
//!   serialization failure (SQLSTATE 40001) or a deadlock (40P01), or a connection lost before
//!   `COMMIT` was sent (closed, or reset: an I/O error), rolls back and reruns the whole
//!   closure on a fresh transaction, at most [`MAX_TRIES`] times with a small jittered
//!   back-off. A connection lost during `COMMIT` is not retried (the commit may have landed):
//!   it is `Unavailable`.
//! - The first run of a write is optimistic; every rerun first takes [`RERUN_LOCK`] (the
//!   transaction's first statement, so its snapshot is taken after the lock is granted), so the
//!   writers that collided queue instead of colliding again: a row every writer of a kind
//!   updates (the challenge counter, a refresh family) costs waiting, not a 503 for running
//!   out of reruns. Within a process the reruns pass a gate one at a time, so a burst holds
//!   one pooled connection waiting on the lock, not sixteen; the gate waits at most
//!   [`CHECKOUT_TIMEOUT`], then `Unavailable`. First runs never wait on either, so a flood of
//!   one kind of write does not queue the others.
//! - A transaction in which any statement failed is never reported as committed, even if the
//!   closure swallowed the error (PostgreSQL aborts the whole transaction; SQLite would not).
//! - The pool holds at most [`MAX_CONNECTIONS`] connections; a checkout waits at most
//!   [`CHECKOUT_TIMEOUT`], then fails `Unavailable`. A connection that is closed, or idle for
//!   longer than [`IDLE_CHECK`] and does not answer, is dropped at checkout; one that failed
//!   under a statement is dropped with every idle one (what ended one session, a restart or a
//!   cut network, ended the others); a dead database is reconnected to by the next checkout,
//!   so a replica recovers by itself.
//! - [`PgStore::open`] that cannot reach the database says which (`host:port/dbname`, never
//!   the user or password) and why, on one line; `serve` tries again for a while, the CLI
//!   does not.
//! - Refused or lost connections, timeouts, an exhausted pool, a database shutting down or
//!   read-only (a standby) are `Unavailable` (HTTP 503 with `Retry-After`); nothing above this
//!   module sees a `postgres` type. The URL (which may carry a password) is never logged.
//! - `sslmode=disable` speaks plain TCP; `prefer` (the default) and `require` use rustls on
//!   aws-lc-rs with the system's roots, and the server's certificate is always verified
//!   against them and the host name (so `require` is what libpq calls `verify-full`).
//! - Calls block: the sync client drives its own single-threaded runtime inside each call,
//!   which is fine on the blocking pool (`spawn_blocking`) and on CLI threads, never on an
//!   async worker.

mod schema;
mod statements;
mod transaction;

#[cfg(test)]
mod tests;

use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Config, IsolationLevel, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, ErrorKind, Result};
use crate::store::{ReadTransaction, WriteTransaction};
use statements::Connection;
use transaction::PgTransaction;

/// How many times a write closure runs before a serialization failure is given up as
/// `Unavailable`.
const MAX_TRIES: u32 = 10;

/// What a rerun locks first: a table only migrations write, taken `IN EXCLUSIVE MODE`, which
/// conflicts with itself and with writes of that table but not with reads of it, so reruns of
/// every process on the database queue on it one at a time and nothing else waits. It is
/// released with the transaction (commit, rollback or a lost connection), so no pooled
/// connection can keep it. Taken as the transaction's first statement, `LOCK TABLE` takes no
/// snapshot: the rerun sees everything committed before it got the lock.
const RERUN_LOCK: &str = "LOCK TABLE schema_migrations IN EXCLUSIVE MODE";

/// How many connections one process opens at most (readers and writers together).
const MAX_CONNECTIONS: usize = 16;

/// How long a checkout waits for a connection when all are lent out.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection idle for longer than this is asked whether it still answers before it is lent
/// out, so a database restart costs no request a 503.
const IDLE_CHECK: Duration = Duration::from_secs(2);

/// How long that question may take.
const VALID_TIMEOUT: Duration = Duration::from_secs(2);

/// Connecting gives up after this long unless the URL says `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Unless the URL's `options` set one, statements are cancelled by the server after this long,
/// like SQLite's busy timeout (then `Unavailable`).
const STATEMENT_TIMEOUT_MS: u32 = 5_000;

/// The PostgreSQL database: a pool of connections, and how to open more.
pub(super) struct PgStore {
    /// The connections.
    pool: Pool,
    /// Held by the one rerun of this process that is waiting for (or holding) [`RERUN_LOCK`],
    /// so the reruns of a burst wait here, not each on a pooled connection of their own.
    rerun_gate: Gate,
}

impl PgStore {
    /// Connects to the database `url` names and migrates it (under an advisory lock, so
    /// concurrent first starts migrate once).
    ///
    /// # Errors
    /// `InvalidInput` for a URL that does not parse or an `sslmode` this build cannot honour;
    /// `Unavailable` if the server cannot be reached; `Storage` if it refuses us, the schema is
    /// from a newer picoauth, or a migration fails.
    pub(super) fn open(url: &str) -> Result<PgStore> {
        PgStore::open_with(url, true)
    }

    /// Like [`PgStore::open`], for a database picoauth has used before: one without picoauth's
    /// schema is refused, so a mistyped URL does not become a new, empty deployment.
    ///
    /// # Errors
    /// As [`PgStore::open`], and `InvalidInput` for a database without the schema.
    pub(super) fn open_existing(url: &str) -> Result<PgStore> {
        PgStore::open_with(url, false)
    }

    fn open_with(url: &str, create: bool) -> Result<PgStore> {
        let config = parse_url(url)?;
        let target = describe_target(&config);
        let pool = Pool::new(config)?;
        let migrated = pool.checkout().and_then(|mut lent| {
            if !create && !schema::exists(lent.client())? {
                return Err(Error::invalid_input(format!(
                    "the PostgreSQL database {target} holds no picoauth data — start \
                     `picoauth serve` on it once, or check the URL (PICOAUTH_DB, --db)"
                )));
            }
            schema::migrate(lent.client())
        });
        match migrated {
            Ok(()) => Ok(PgStore {
                pool,
                rerun_gate: Gate::default(),
            }),
            // Said once, at open (the CLI's message, `serve`'s last line): which database, and
            // the whole chain of causes ("connection refused"), never the user or password.
            Err(error) if error.kind() == ErrorKind::Unavailable => Err(Error::new(
                ErrorKind::Unavailable,
                format!("cannot reach the PostgreSQL database {target}"),
            )
            .with_source(std::io::Error::other(causes(&error)))),
            Err(error) => Err(error),
        }
    }

    /// Runs read-only `work` on one pooled connection, each statement in its own snapshot.
    ///
    /// # Errors
    /// Whatever `work` returns, or `Unavailable`/`Storage` if the database fails.
    pub(super) fn read<T>(
        &self,
        work: impl FnOnce(&mut dyn ReadTransaction) -> Result<T>,
    ) -> Result<T> {
        let mut lent = self.pool.checkout()?;
        let (client, statements) = lent.client().parts();
        let mut operations = PgTransaction::new(client, statements);
        let result = work(&mut operations);
        if operations
            .into_failure()
            .is_some_and(|failure| failure.gone)
        {
            // Not given back: the next checkout opens a fresh one.
            lent.discard_with_idle();
        }
        result
    }

    /// Runs `work` in a serializable transaction, committed if it returns `Ok`; reruns it after
    /// a serialization failure, a deadlock or a connection lost before the commit.
    ///
    /// # Errors
    /// Whatever `work` returns (the transaction is rolled back), `Unavailable` if the database
    /// is out of reach or the retries ran out, `Storage` if PostgreSQL fails otherwise.
    pub(super) fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn WriteTransaction) -> Result<T>,
    ) -> Result<T> {
        let mut tries = 0;
        loop {
            tries += 1;
            let run = if tries == 1 {
                self.write_once(&mut work, false)
            } else {
                match self.rerun_gate.enter() {
                    Ok(_entered) => self.write_once(&mut work, true),
                    Err(error) => Err(Attempt::Final(error)),
                }
            };
            match run {
                Ok(value) => return Ok(value),
                Err(Attempt::Retry(_)) if tries < MAX_TRIES => std::thread::sleep(backoff(tries)),
                Err(Attempt::Retry(error)) => {
                    let causes = causes(&error);
                    return Err(Error::new(
                        ErrorKind::Unavailable,
                        "the database kept refusing the transaction",
                    )
                    .with_source(std::io::Error::other(format!(
                        "{tries} tries, the last: {causes}"
                    ))));
                }
                Err(Attempt::Final(error)) => return Err(error),
            }
        }
    }

    /// One run of `work` in its own transaction; a rerun (`queued`) waits for [`RERUN_LOCK`]
    /// first.
    fn write_once<T>(
        &self,
        work: &mut impl FnMut(&mut dyn WriteTransaction) -> Result<T>,
        queued: bool,
    ) -> std::result::Result<T, Attempt> {
        let mut lent = self.pool.checkout().map_err(Attempt::Final)?;
        let gone = std::cell::Cell::new(false);
        let (client, statements) = lent.client().parts();
        let outcome = run_transaction(client, statements, work, queued, &gone);
        if gone.get() {
            // A connection that failed under a statement is not given back to the pool, where
            // the next borrower (a read, which is not rerun) would meet the same failure.
            lent.discard_with_idle();
        }
        outcome
    }

    /// Runs `work` once in a serializable transaction on the driver's own type, committed if it
    /// returns `Ok`: for `store::copy`, which writes tables wholesale and is not rerun (a
    /// serialization failure is `Unavailable`: run the command again).
    ///
    /// # Errors
    /// Whatever `work` returns, or `Unavailable`/`Storage` if the database fails.
    pub(in crate::store) fn transaction_once<T>(
        &self,
        work: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut lent = self.pool.checkout()?;
        let mut transaction = lent
            .client()
            .build_transaction()
            .isolation_level(IsolationLevel::Serializable)
            .start()?;
        // Copying a large audit takes longer than a request may.
        transaction.batch_execute("SET LOCAL statement_timeout = 0")?;
        let value = work(&mut transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// `Unavailable` or `Storage` when it does not.
    pub(super) fn ping(&self) -> Result<()> {
        let mut lent = self.pool.checkout()?;
        lent.client().simple_query("SELECT 1")?;
        Ok(())
    }
}

/// Runs `work` once in a serializable transaction on `client`, after [`RERUN_LOCK`] if
/// `queued`; sets `gone` if the connection failed under a statement.
fn run_transaction<T>(
    client: &mut Client,
    statements: &mut statements::Statements,
    work: &mut impl FnMut(&mut dyn WriteTransaction) -> Result<T>,
    queued: bool,
    gone: &std::cell::Cell<bool>,
) -> std::result::Result<T, Attempt> {
    let lost = |error: postgres::Error| {
        if is_connection_gone(&error) {
            gone.set(true);
        }
        Error::from(error)
    };
    let mut transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::Serializable)
        .start()
        .map_err(|error| Attempt::before_commit(lost(error)))?;
    if queued {
        transaction
            .batch_execute(RERUN_LOCK)
            .map_err(|error| Attempt::before_commit(lost(error)))?;
    }
    let mut operations = PgTransaction::new(&mut transaction, statements);
    let value = work(&mut operations);
    let failure = operations.into_failure();
    if failure.as_ref().is_some_and(|failure| failure.gone) {
        gone.set(true);
    }
    match (value, failure) {
        // Dropping `transaction` rolls it back.
        (Err(error), Some(failure)) if failure.retryable => Err(Attempt::Retry(error)),
        (Err(error), _) => Err(Attempt::before_commit(error)),
        // The closure went on after a failed statement: PostgreSQL has aborted the
        // transaction, so it must not look committed.
        (Ok(_), Some(failure)) => Err(failure.into_attempt()),
        (Ok(value), None) => match transaction.commit() {
            Ok(()) => Ok(value),
            // A serialization failure at commit means nothing was committed; a lost
            // connection leaves it unknown, so that is not retried.
            Err(error) if is_retryable_code(&error) => Err(Attempt::Retry(error.into())),
            Err(error) => Err(Attempt::Final(lost(error))),
        },
    }
}

/// How one run of a write closure ended, when it did not commit.
enum Attempt {
    /// Nothing was committed and a rerun may succeed.
    Retry(Error),
    /// The caller gets this error.
    Final(Error),
}

impl Attempt {
    /// Sorts an error raised before `COMMIT` was sent: a serialization failure, a deadlock or
    /// a lost connection is worth a rerun (the server rolls back an unfinished transaction).
    fn before_commit(error: Error) -> Attempt {
        match postgres_cause(&error) {
            Some(cause) if is_retryable_code(cause) || is_connection_gone(cause) => {
                Attempt::Retry(error)
            }
            _ => Attempt::Final(error),
        }
    }
}

/// The `postgres` error somewhere in `error`'s chain of causes, if any.
fn postgres_cause(error: &Error) -> Option<&postgres::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = cause {
        if let Some(found) = current.downcast_ref::<postgres::Error>() {
            return Some(found);
        }
        cause = current.source();
    }
    None
}

/// Whether PostgreSQL refused the transaction in a way a rerun can fix.
fn is_retryable_code(error: &postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}

/// Whether the connection died under the statement (closed, an I/O error on the socket, a
/// connection exception, or the server ending the session: shutdown, crash, terminated
/// backend).
fn is_connection_gone(error: &postgres::Error) -> bool {
    error.is_closed()
        // A reset or broken pipe (a terminated backend, a cut network) is an I/O error with
        // no SQLSTATE; the client does not mark the connection closed for it.
        || (error.code().is_none()
            && std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>()))
        || error.code().is_some_and(|code| {
            code.code().starts_with("08")
                || matches!(
                    code,
                    &SqlState::ADMIN_SHUTDOWN
                        | &SqlState::CRASH_SHUTDOWN
                        | &SqlState::CANNOT_CONNECT_NOW
                )
        })
}

/// The pause before run `tries + 1`: random in [1 ms, 2^tries ms], at most 128 ms, so writers
/// that collided do not collide again in step.
fn backoff(tries: u32) -> Duration {
    let ceiling = 1u64 << tries.min(7);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    Duration::from_millis(1 + random % ceiling)
}

impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Error {
        let unavailable = match error.code() {
            Some(code) => is_unavailable_code(code),
            // No SQLSTATE: the client failed to reach or keep the server (I/O, timeout,
            // closed connection), or a value did not convert (a broken database).
            None => {
                error.is_closed()
                    || std::error::Error::source(&error)
                        .is_some_and(|source| source.is::<std::io::Error>())
                    || error.to_string().contains("timeout")
            }
        };
        if unavailable {
            Error::new(
                ErrorKind::Unavailable,
                "the database is out of reach or busy",
            )
            .with_source(error)
        } else {
            Error::new(ErrorKind::Storage, "database error").with_source(error)
        }
    }
}

/// SQLSTATEs that say "not now" rather than "wrong": retry later (HTTP 503).
fn is_unavailable_code(code: &SqlState) -> bool {
    let class = &code.code()[..2];
    // 08: connection exception; 53: insufficient resources (too many connections, disk full);
    // 57: operator intervention (statement timeout 57014, shutdown 57P01-57P03); 40: the
    // transaction was rolled back (serialization failure, deadlock) and retries ran out.
    matches!(class, "08" | "53" | "57" | "40")
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::READ_ONLY_SQL_TRANSACTION
}

/// `host:port/dbname` of a connection configuration (every host, comma-separated): what an
/// operator needs to know which database is meant, without the user or the password.
fn describe_target(config: &Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(index, host)| {
            let host = match host {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            let port = ports
                .get(index)
                .or_else(|| ports.first())
                .copied()
                .unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(",")
    };
    format!("{hosts}/{}", config.get_dbname().unwrap_or("(default)"))
}

/// `error` and its causes, each once, joined by `: ` (the `postgres` client keeps the I/O error
/// that says "connection refused" a level below its own sentence).
fn causes(error: &Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = cause {
        // One line: PostgreSQL's DETAIL and HINT come on lines of their own.
        let text = current
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        cause = current.source();
    }
    if parts.is_empty() {
        error.detail().to_owned()
    } else {
        parts.join(": ")
    }
}

/// Reads the `db` URL, refusing what this build cannot honour, and sets our defaults.
fn parse_url(url: &str) -> Result<Config> {
    // The parser's error names the bad option, never the URL (which may carry a password).
    let mut config = Config::from_str(url).map_err(|error| {
        Error::invalid_input(
            "db is not a valid PostgreSQL URL (postgres://user@host/dbname?sslmode=disable)",
        )
        .with_source(error)
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    // A server that vanished without a reset is noticed within seconds, not hours.
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    config.tcp_user_timeout(Duration::from_secs(15));
    if config.get_application_name().is_none() {
        config.application_name("picoauth");
    }
    let statement_timeout_set = config
        .get_options()
        .is_some_and(|options| options.contains("statement_timeout"));
    if !statement_timeout_set {
        let options = match config.get_options() {
            Some(options) => format!("{options} -c statement_timeout={STATEMENT_TIMEOUT_MS}"),
            None => format!("-c statement_timeout={STATEMENT_TIMEOUT_MS}"),
        };
        config.options(&options);
    }
    Ok(config)
}

/// How connections are wrapped: plain TCP for `sslmode=disable`, else rustls.
enum Tls {
    /// `sslmode=disable`.
    Off,
    /// `prefer` or `require`: rustls on aws-lc-rs, verifying against the system's roots.
    Rustls(MakeRustlsConnect),
}

impl Tls {
    fn for_config(config: &Config) -> Result<Tls> {
        if config.get_ssl_mode() == postgres::config::SslMode::Disable {
            return Ok(Tls::Off);
        }
        let mut roots = rustls::RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(loaded.certs);
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let client_config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| Error::internal("TLS to the database").with_source(error))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Tls::Rustls(MakeRustlsConnect::new(client_config)))
    }
}

/// At most [`MAX_CONNECTIONS`] connections; idle ones wait in a stack (the most recently used
/// first, so a quiet server keeps few warm).
struct Pool {
    /// What every connection connects with.
    config: Config,
    /// Whether and how connections are encrypted.
    tls: Tls,
    /// The idle connections and how many exist.
    state: Mutex<PoolState>,
    /// Signalled whenever a connection comes back or a place frees up.
    returned: Condvar,
}

/// The counted part of the pool.
struct PoolState {
    /// Connections not lent out, with when they were last given back.
    idle: Vec<(Connection, Instant)>,
    /// Connections that exist (idle, lent out, or being opened).
    open: usize,
}

impl Pool {
    fn new(config: Config) -> Result<Pool> {
        let tls = Tls::for_config(&config)?;
        Ok(Pool {
            config,
            tls,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        })
    }

    /// Lends a connection: an idle one that still works, else a new one if there is room,
    /// else the first one given back within [`CHECKOUT_TIMEOUT`].
    fn checkout(&self) -> Result<Lent<'_>> {
        let deadline = Instant::now() + CHECKOUT_TIMEOUT;
        let mut state = lock(&self.state);
        loop {
            if let Some((client, since)) = state.idle.pop() {
                drop(state);
                let mut lent = Lent {
                    pool: self,
                    client: Some(client),
                };
                let usable = !lent.client().is_closed()
                    && (since.elapsed() < IDLE_CHECK
                        || lent.client().is_valid(VALID_TIMEOUT).is_ok());
                if usable {
                    return Ok(lent);
                }
                lent.discard();
                state = lock(&self.state);
                continue;
            }
            if state.open < MAX_CONNECTIONS {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(client) => Ok(Lent {
                        pool: self,
                        client: Some(Connection::new(client)),
                    }),
                    Err(error) => {
                        self.forget_one();
                        Err(error)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "every database connection is busy",
                ));
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Opens one connection.
    fn connect(&self) -> Result<Client> {
        let connected = match &self.tls {
            Tls::Off => self.config.connect(NoTls),
            Tls::Rustls(tls) => self.config.connect(tls.clone()),
        };
        Ok(connected?)
    }

    /// One connection stopped existing.
    fn forget_one(&self) {
        let mut state = lock(&self.state);
        state.open = state.open.saturating_sub(1);
        drop(state);
        self.returned.notify_one();
    }

    /// Takes back a lent connection, keeping it if it still works.
    fn give_back(&self, client: Connection) {
        if client.is_closed() {
            drop(client);
            self.forget_one();
            return;
        }
        lock(&self.state).idle.push((client, Instant::now()));
        self.returned.notify_one();
    }
}

/// A connection lent out; given back (or counted out, if it broke) when dropped, however the
/// borrower ends, panics included.
struct Lent<'p> {
    /// The pool it goes back to.
    pool: &'p Pool,
    /// The connection; `None` only while dropping or after `discard`.
    client: Option<Connection>,
}

impl Lent<'_> {
    /// The connection (a `Client`, with the statements prepared on it).
    fn client(&mut self) -> &mut Connection {
        match self.client.as_mut() {
            Some(client) => client,
            None => unreachable!("a lent connection is present until it is dropped"),
        }
    }

    /// Closes the connection instead of giving it back.
    fn discard(mut self) {
        if let Some(client) = self.client.take() {
            drop(client);
            self.pool.forget_one();
        }
    }

    /// Closes the connection, which the database lost, and every idle one with it: what ended
    /// one session (a restart, a failover, a cut network) has most likely ended the others,
    /// and a read lent one of them would fail without a rerun.
    fn discard_with_idle(self) {
        let pool = self.pool;
        self.discard();
        let idle = std::mem::take(&mut lock(&pool.state).idle);
        for _ in idle {
            pool.forget_one();
        }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.pool.give_back(client);
        }
    }
}

/// A process-local turnstile: one holder at a time, a bounded wait for the others.
#[derive(Default)]
struct Gate {
    /// Whether someone holds it.
    taken: Mutex<bool>,
    /// Signalled when the holder leaves.
    left: Condvar,
}

/// Holding the [`Gate`]; leaving it on drop, panics included.
struct Entered<'g>(&'g Gate);

impl Gate {
    /// Waits up to [`CHECKOUT_TIMEOUT`] to be the holder.
    ///
    /// # Errors
    /// `Unavailable` when the wait runs out (the database is that slow to take the writes).
    fn enter(&self) -> Result<Entered<'_>> {
        let deadline = Instant::now() + CHECKOUT_TIMEOUT;
        let mut taken = lock(&self.taken);
        while *taken {
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "too many writes are waiting for the database",
                ));
            }
            taken = self
                .left
                .wait_timeout(taken, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        *taken = true;
        Ok(Entered(self))
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        *lock(&self.0.taken) = false;
        self.0.left.notify_one();
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked (a stack of idle
/// connections and a count, each changed in one step).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The first statement that failed inside a write transaction, kept because the closure may
/// have swallowed its error.
pub(super) struct Failure {
    /// A serialization failure, a deadlock or a lost connection: a rerun may succeed.
    retryable: bool,
    /// The connection is lost: it must not go back to the pool.
    gone: bool,
    /// What PostgreSQL said, for the operator.
    detail: String,
}

impl Failure {
    /// Records `error`.
    fn of(error: &postgres::Error) -> Failure {
        Failure {
            retryable: is_retryable_code(error) || is_connection_gone(error),
            gone: is_connection_gone(error),
            detail: error.to_string(),
        }
    }

    /// What the writer does about a transaction whose closure returned `Ok` past it.
    fn into_attempt(self) -> Attempt {
        if self.retryable {
            Attempt::Retry(Error::new(ErrorKind::Unavailable, self.detail))
        } else {
            Attempt::Final(Error::new(
                ErrorKind::Storage,
                format!("a statement failed inside the transaction: {}", self.detail),
            ))
        }
    }
}
