//! The PostgreSQL backend: one database that `serve` replicas and CLI commands share, with its
//! schema migrations (`schema`), a bounded pool of connections of the sync `postgres` client,
//! serializable write transactions retried on serialization failures, and the SQL of every
//! operation (`transaction`) behind [`ReadTransaction`] and [`WriteTransaction`].
//!
//! # Invariants
//! - Every change runs in [`PgStore::write`]: `BEGIN ISOLATION LEVEL SERIALIZABLE`; a
//!   serialization failure (SQLSTATE 40001) or a deadlock (40P01), or a connection lost before
//!   `COMMIT` was sent, rolls back and reruns the whole closure on a fresh transaction, at most
//!   [`MAX_TRIES`] times with a small jittered back-off. A connection lost during `COMMIT` is
//!   not retried (the commit may have landed): it is `Unavailable`.
//! - A transaction in which any statement failed is never reported as committed, even if the
//!   closure swallowed the error (PostgreSQL aborts the whole transaction; SQLite would not).
//! - The pool holds at most [`MAX_CONNECTIONS`] connections; a checkout waits at most
//!   [`CHECKOUT_TIMEOUT`], then fails `Unavailable`. A connection that is closed, or idle for
//!   longer than [`IDLE_CHECK`] and does not answer, is dropped at checkout; a dead database
//!   is reconnected to by the next checkout, so a replica recovers by itself.
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
        let pool = Pool::new(parse_url(url)?)?;
        {
            let mut lent = pool.checkout()?;
            schema::migrate(lent.client())?;
        }
        Ok(PgStore { pool })
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
        work(&mut PgTransaction::new(client, statements))
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
            match self.write_once(&mut work) {
                Ok(value) => return Ok(value),
                Err(Attempt::Retry(_)) if tries < MAX_TRIES => std::thread::sleep(backoff(tries)),
                Err(Attempt::Retry(error)) => {
                    return Err(Error::new(
                        ErrorKind::Unavailable,
                        format!("the database kept refusing the transaction after {tries} tries"),
                    )
                    .with_source(error));
                }
                Err(Attempt::Final(error)) => return Err(error),
            }
        }
    }

    /// One run of `work` in its own transaction.
    fn write_once<T>(
        &self,
        work: &mut impl FnMut(&mut dyn WriteTransaction) -> Result<T>,
    ) -> std::result::Result<T, Attempt> {
        let mut lent = self.pool.checkout().map_err(Attempt::Final)?;
        let (client, statements) = lent.client().parts();
        let mut transaction = client
            .build_transaction()
            .isolation_level(IsolationLevel::Serializable)
            .start()
            .map_err(|error| Attempt::before_commit(Error::from(error)))?;
        let mut operations = PgTransaction::new(&mut transaction, statements);
        let value = work(&mut operations);
        let failure = operations.into_failure();
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
                Err(error) => Err(Attempt::Final(error.into())),
            },
        }
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

/// Whether the connection died under the statement (closed, a connection exception, or the
/// server ending the session: shutdown, crash, terminated backend).
fn is_connection_gone(error: &postgres::Error) -> bool {
    error.is_closed()
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
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.pool.give_back(client);
        }
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
    /// What PostgreSQL said, for the operator.
    detail: String,
}

impl Failure {
    /// Records `error`.
    fn of(error: &postgres::Error) -> Failure {
        Failure {
            retryable: is_retryable_code(error) || is_connection_gone(error),
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
