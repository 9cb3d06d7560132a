//! The SQLite backend: one database file that `serve` and every CLI command share, with the
//! schema migrations, a pool of reading connections and one writer, and the SQL of each table
//! (one submodule per table) behind [`ReadTransaction`] and [`WriteTransaction`].
//!
//! # Invariants
//! - Every connection runs in WAL mode with a busy timeout and foreign keys on, so a CLI process
//!   and a running server can use the file at once.
//! - Every change runs in [`SqliteStore::write`]: a `BEGIN IMMEDIATE` transaction on the one
//!   writer connection, so the write lock is taken before anything is read and two processes
//!   can never both win a read-then-write race; the closure runs once. [`SqliteStore::read`] is
//!   for reads only.
//! - The database file is created with mode 0600 (SQLite gives its WAL files the same mode).
//! - Busy and locked errors become `Unavailable` (`error.rs`); nothing above this module sees a
//!   rusqlite type.

mod challenges;
mod clients;
mod groups;
mod keys;
mod login_failures;
mod mints;
mod refresh;
mod revocations;
mod runtime_settings;
mod schema;
mod sealed_keys;
mod transaction;
mod users;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};
use crate::store::{ReadTransaction, WriteTransaction};
use transaction::SqliteTransaction;

/// How long a statement waits for another process's write lock before giving up with
/// `Unavailable` (HTTP 503).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many idle reading connections are kept for reuse; more may exist while a burst lasts.
const MAX_IDLE_READERS: usize = 8;

/// The database file: one connection that writes, and a small pool of connections that read.
pub(super) struct SqliteStore {
    /// Where the file is, for opening more readers.
    path: PathBuf,
    /// The one connection this process writes through. SQLite lets one writer in at a time
    /// anyway; queueing writers on this mutex instead of in SQLite's busy handler (which sleeps
    /// and retries) keeps a burst of mints from stalling. Other processes (CLI commands) still
    /// meet the busy timeout.
    writer: Mutex<Connection>,
    /// Connections not lent out right now for reading. Reusing them keeps their
    /// prepared-statement caches warm.
    readers: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if missing, with mode 0600) the database at `path` and migrates it.
    ///
    /// # Errors
    /// `Storage` if the file cannot be created, opened or migrated; `Unavailable` if another
    /// process holds the write lock past the busy timeout.
    pub(super) fn open(path: &Path) -> Result<SqliteStore> {
        create_private_file(path)?;
        let mut writer = open_connection(path)?;
        if schema::needs_migration(&writer)? {
            let transaction = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
            schema::migrate(&transaction)?;
            transaction.commit()?;
        }
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs read-only `work` in a read transaction on a pooled connection.
    ///
    /// # Errors
    /// Whatever `work` returns, or `Storage` if no connection could be opened.
    pub(super) fn read<T>(
        &self,
        work: impl FnOnce(&mut dyn ReadTransaction) -> Result<T>,
    ) -> Result<T> {
        self.read_connection(|connection| work(&mut SqliteTransaction::new(connection)))
    }

    /// Runs `work` inside a `BEGIN IMMEDIATE` transaction on the writer connection, committed
    /// if `work` returns `Ok`. The write lock makes the transaction serializable, so `work`
    /// runs once.
    ///
    /// # Errors
    /// Whatever `work` returns (the transaction is then rolled back), `Unavailable` if another
    /// process held the write lock past the busy timeout, `Storage` if SQLite fails.
    pub(super) fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn WriteTransaction) -> Result<T>,
    ) -> Result<T> {
        self.write_connection(|connection| work(&mut SqliteTransaction::new(connection)))
    }

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// `Storage` or `Unavailable` when it does not.
    pub(super) fn ping(&self) -> Result<()> {
        self.read_connection(|connection| {
            connection.query_row("SELECT count(*) FROM schema_info", [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// Runs `work` on a reading connection inside one read transaction: one snapshot of the
    /// whole database, however long `work` takes (for `migrate-db`'s copy).
    ///
    /// # Errors
    /// Whatever `work` returns, or `Storage` if SQLite fails.
    pub(in crate::store) fn read_snapshot<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        self.read_connection(|connection| {
            let snapshot = connection.unchecked_transaction()?;
            let value = work(&snapshot)?;
            snapshot.finish()?;
            Ok(value)
        })
    }

    /// Lends a pooled connection for reading (a read transaction's, or a unit test's SQL).
    fn read_connection<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let connection = match lock(&self.readers).pop() {
            Some(connection) => connection,
            None => open_connection(&self.path)?,
        };
        let result = work(&connection);
        let mut readers = lock(&self.readers);
        if readers.len() < MAX_IDLE_READERS {
            readers.push(connection);
        }
        result
    }

    /// Runs `work` in a `BEGIN IMMEDIATE` transaction on the writer connection.
    fn write_connection<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut writer = lock(&self.writer);
        let transaction = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked (a connection, or a
/// Vec of connections that is only pushed and popped).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    // A short-lived CLI process would otherwise checkpoint the WAL, with an fsync, as it closes
    // its last connection; the server's (or the next writer's) automatic checkpoints do that
    // work anyway.
    connection.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
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
