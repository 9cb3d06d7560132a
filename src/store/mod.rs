//! The SQLite database: the only module that speaks SQL.
//!
//! [`Store`] opens the one database file that `serve` and every CLI command share, applies the
//! schema migrations, and lends out connections. It does not decide anything: the rules live in
//! `app`, which calls the `insert_*`, `get_*`, `list_*`, `update_*` and `delete_*` functions of
//! the submodules inside the connections and transactions lent here.
//!
//! # Invariants
//! - Every connection runs in WAL mode with a busy timeout and foreign keys on, so a CLI process
//!   and a running server can use the file at once.
//! - Read-then-write work runs in [`Store::transaction`], a `BEGIN IMMEDIATE` transaction: the write
//!   lock is taken before the read, so two processes can never both win.
//! - The database file is created with mode 0600 (SQLite gives its WAL files the same mode).
//! - Calls block; the HTTP door runs them on the blocking pool, never on an async worker.

pub mod challenges;
pub mod keys;
pub mod mints;
pub mod pico_auth;
pub mod refresh;
pub mod revocations;
mod schema;
pub mod users;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};

/// How long a statement waits for another process's write lock before giving up with
/// `Unavailable` (HTTP 503).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many idle connections are kept for reuse; more may exist while a burst lasts.
const MAX_IDLE_CONNECTIONS: usize = 8;

/// The database file and a small pool of open connections to it.
pub struct Store {
    /// Where the file is; `None` for an in-memory database (unit tests), which has exactly one
    /// connection.
    path: Option<PathBuf>,
    /// Connections not lent out right now. Opening a connection costs a few syscalls and the
    /// pragmas; reusing one keeps its prepared-statement cache warm.
    idle: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if missing, with mode 0600) the database at `path` and migrates it.
    ///
    /// # Errors
    /// `Storage` if the file cannot be created, opened or migrated; `Unavailable` if another
    /// process holds the write lock past the busy timeout.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        let connection = open_connection(path)?;
        let store = Store {
            path: Some(path.to_owned()),
            idle: Mutex::new(Vec::new()),
        };
        store.migrate(connection)?;
        Ok(store)
    }

    /// A fresh, migrated in-memory database for unit tests.
    ///
    /// # Errors
    /// `Storage` if SQLite fails.
    pub fn open_in_memory() -> Result<Store> {
        let connection = Connection::open_in_memory()?;
        configure(&connection)?;
        let store = Store {
            path: None,
            idle: Mutex::new(Vec::new()),
        };
        store.migrate(connection)?;
        Ok(store)
    }

    fn migrate(&self, mut connection: Connection) -> Result<()> {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        schema::migrate(&transaction)?;
        transaction.commit()?;
        self.give_back(connection);
        Ok(())
    }

    /// Runs `work` on a pooled connection (reads, and single-statement writes).
    ///
    /// # Errors
    /// Whatever `work` returns, or `Storage` if no connection could be opened.
    pub fn with_connection<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let connection = self.take()?;
        let result = work(&connection);
        self.give_back(connection);
        result
    }

    /// Runs `work` inside a `BEGIN IMMEDIATE` transaction, committed if `work` returns `Ok`.
    ///
    /// # Errors
    /// Whatever `work` returns (the transaction is then rolled back), `Unavailable` if the write
    /// lock could not be had within the busy timeout, `Storage` if SQLite fails.
    pub fn transaction<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.take()?;
        let result = (|| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&transaction)?;
            transaction.commit()?;
            Ok(value)
        })();
        self.give_back(connection);
        result
    }

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// `Storage` or `Unavailable` when it does not.
    pub fn ping(&self) -> Result<()> {
        self.with_connection(|connection| {
            connection.query_row("SELECT count(*) FROM schema_info", [], |_| Ok(()))?;
            Ok(())
        })
    }

    fn take(&self) -> Result<Connection> {
        if let Some(connection) = self.lock_idle().pop() {
            return Ok(connection);
        }
        match &self.path {
            Some(path) => open_connection(path),
            None => Err(Error::internal(
                "the in-memory database has one connection and it is in use",
            )),
        }
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self.lock_idle();
        if idle.len() < MAX_IDLE_CONNECTIONS || self.path.is_none() {
            idle.push(connection);
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while holding this lock cannot leave the Vec half-updated, so a poisoned
        // lock is still safe to use.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let connection = Connection::open(path).map_err(|error| {
        Error::new(
            ErrorKind::Storage,
            format!("cannot open database {}", path.display()),
        )
        .with_source(error)
    })?;
    configure(&connection)?;
    Ok(connection)
}

fn configure(connection: &Connection) -> Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers and one writer work at once across processes. NORMAL sync in WAL mode
    // never corrupts the file and loses nothing when a process dies; only a power cut can roll
    // back the last commits.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Creates the database file (and its missing parent folders, mode 0700) with mode 0600 before
/// SQLite opens it, so it never exists with wider permissions.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|error| {
                Error::new(
                    ErrorKind::Storage,
                    format!("cannot create folder {}", parent.display()),
                )
                .with_source(error)
            })?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| {
            Error::new(
                ErrorKind::Storage,
                format!("cannot create database {}", path.display()),
            )
            .with_source(error)
        })?;
    Ok(())
}

/// Maps a UNIQUE-constraint failure to `Conflict` with `detail`, and anything else as usual.
pub(crate) fn conflict_on_unique(error: rusqlite::Error, detail: &str) -> Error {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        Error::new(ErrorKind::Conflict, detail)
    } else {
        Error::from(error)
    }
}
