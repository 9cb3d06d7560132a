//! Copying a SQLite deployment's database into an empty PostgreSQL database, for
//! `picoauth migrate-db` (API.md §11): the one place that reads one backend and writes the
//! other, table by table, in the backends' own types.
//!
//! # Invariants
//! - All or nothing: the copy is one serializable transaction on PostgreSQL, which first
//!   checks that the target holds nothing of a deployment (a second run, or a target some
//!   replica has already started on, is refused with nothing written); the source is read in
//!   one read transaction, so a server still writing to it cannot tear the copy.
//! - What is copied is what outlives a restart: accounts, refresh tokens, signing keys (with the
//!   sealed private keys the caller hands in), the mint audit (with each exchanged token's
//!   `parent_jti`, so revoking a parent still reaches its children), the denylist, groups and
//!   their memberships, the settings changed at run time and the OAuth clients, in the source's
//!   order (the audit pages newest first by insertion). Pending wallet challenges
//!   (minutes of life) and trigger-kept counters are not copied: the target's triggers count
//!   what arrives.
//! - The columns are the target's (its identity columns left to it), read from the source by
//!   name, so a schema drift between the backends fails the copy instead of dropping a column.

use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use crate::error::{Error, ErrorKind, Result};

/// The tables copied, parents before children, each with the order its rows are read in.
const TABLES: &[(&str, &str)] = &[
    ("users", "ORDER BY rowid"),
    ("refresh_tokens", "ORDER BY issued_at"),
    ("signing_keys", "ORDER BY rowid"),
    ("mints", "ORDER BY id"),
    ("revocations", "ORDER BY rowid"),
    ("groups", "ORDER BY rowid"),
    ("group_members", "ORDER BY group_id, user_id"),
    ("runtime_settings", "ORDER BY name"),
    ("oauth_clients", "ORDER BY rowid"),
];

/// Rows per multi-row `INSERT`: few round trips, far below PostgreSQL's 65,535 parameters.
const BATCH_ROWS: usize = 500;

/// A private key sealed for the database, to be stored with the copy.
#[derive(Debug)]
pub struct SealedKey {
    /// `signing:<kid>` or `refresh`.
    pub name: String,
    /// As `keys::KeyEncryptionKey` sealed it.
    pub sealed: Vec<u8>,
}

/// How many rows of one table were copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedTable {
    /// The table.
    pub table: &'static str,
    /// Its rows now in the target.
    pub rows: u64,
}

/// Copies `source` into `target`, which must hold no deployment yet, and stores `keys` with it.
///
/// # Errors
/// `Conflict` if the target is not empty; `Storage` if a table does not match; `Unavailable`
/// if a database is out of reach.
pub(super) fn sqlite_to_postgres(
    source: &SqliteStore,
    target: &PgStore,
    keys: &[SealedKey],
    now: i64,
) -> Result<Vec<CopiedTable>> {
    source.read_snapshot(|sqlite| {
        target.transaction_once(|postgres| {
            refuse_non_empty(postgres)?;
            let mut copied = Vec::with_capacity(TABLES.len() + 1);
            for (table, order) in TABLES {
                let rows = copy_table(sqlite, postgres, table, order)?;
                copied.push(CopiedTable { table, rows });
            }
            for key in keys {
                postgres.execute(
                    "INSERT INTO sealed_keys (name, sealed, created_at) VALUES ($1, $2, $3)",
                    &[&key.name, &key.sealed, &now],
                )?;
            }
            copied.push(CopiedTable {
                table: "sealed_keys",
                rows: keys.len() as u64,
            });
            Ok(copied)
        })
    })
}

/// Refuses a target that holds any row a deployment writes.
fn refuse_non_empty(postgres: &mut postgres::Transaction<'_>) -> Result<()> {
    let mut found = Vec::new();
    for table in TABLES
        .iter()
        .map(|(table, _)| *table)
        .chain(["sealed_keys"])
    {
        let any: bool = postgres
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])?
            .get(0);
        if any {
            found.push(table);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Conflict,
        format!(
            "the target database is not empty (it has rows in {}): migrate-db copies into an \
             empty database only, so nothing was copied; create a new database (or drop this \
             one) and run it again",
            found.join(", ")
        ),
    ))
}

/// Copies one table; the number of rows.
fn copy_table(
    sqlite: &rusqlite::Connection,
    postgres: &mut postgres::Transaction<'_>,
    table: &str,
    order: &str,
) -> Result<u64> {
    let columns: Vec<(String, Type)> = {
        let statement = postgres.prepare(&format!("SELECT * FROM {table} WHERE false"))?;
        let identity: Vec<String> = postgres
            .query(
                "SELECT column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 AND (is_identity = 'YES' OR is_generated = 'ALWAYS')",
                &[&table],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        statement
            .columns()
            .iter()
            .filter(|column| !identity.iter().any(|name| name == column.name()))
            .map(|column| (column.name().to_owned(), column.type_().clone()))
            .collect()
    };
    let names = columns
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut select = sqlite
        .prepare(&format!("SELECT {names} FROM {table} {order}"))
        .map_err(|error| {
            Error::new(
                ErrorKind::Storage,
                format!("the SQLite table {table} does not have the columns {names}"),
            )
            .with_source(error)
        })?;
    let mut rows = select.query([])?;
    let mut batch: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut in_batch = 0;
    let mut copied = 0;
    while let Some(row) = rows.next()? {
        for (index, (name, kind)) in columns.iter().enumerate() {
            batch.push(cell(row.get_ref(index)?, kind, table, name)?);
        }
        in_batch += 1;
        if in_batch == BATCH_ROWS {
            copied += insert_batch(postgres, table, &names, columns.len(), &batch)?;
            batch.clear();
            in_batch = 0;
        }
    }
    if in_batch > 0 {
        copied += insert_batch(postgres, table, &names, columns.len(), &batch)?;
    }
    Ok(copied)
}

/// One multi-row `INSERT` of `values` (row after row, `width` each).
fn insert_batch(
    postgres: &mut postgres::Transaction<'_>,
    table: &str,
    names: &str,
    width: usize,
    values: &[Box<dyn ToSql + Sync>],
) -> Result<u64> {
    let rows = values.len() / width.max(1);
    let tuples = (0..rows)
        .map(|row| {
            let placeholders = (1..=width)
                .map(|column| format!("${}", row * width + column))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({placeholders})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let parameters: Vec<&(dyn ToSql + Sync)> = values.iter().map(|value| value.as_ref()).collect();
    Ok(postgres.execute(
        &format!("INSERT INTO {table} ({names}) VALUES {tuples}"),
        &parameters,
    )?)
}

/// A SQLite value as the PostgreSQL column of `kind` takes it.
fn cell(
    value: ValueRef<'_>,
    kind: &Type,
    table: &str,
    column: &str,
) -> Result<Box<dyn ToSql + Sync>> {
    let mismatch = || {
        Error::new(
            ErrorKind::Storage,
            format!(
                "{table}.{column}: the SQLite value {:?} does not fit the PostgreSQL type {kind}",
                value.data_type()
            ),
        )
    };
    Ok(match (value, kind) {
        (ValueRef::Null, &Type::INT8) => Box::new(None::<i64>),
        (ValueRef::Null, &Type::INT4) => Box::new(None::<i32>),
        (ValueRef::Null, &Type::TEXT) => Box::new(None::<String>),
        (ValueRef::Null, &Type::BYTEA) => Box::new(None::<Vec<u8>>),
        (ValueRef::Null, &Type::BOOL) => Box::new(None::<bool>),
        (ValueRef::Integer(number), &Type::INT8) => Box::new(number),
        (ValueRef::Integer(number), &Type::INT4) => {
            Box::new(i32::try_from(number).map_err(|_| mismatch())?)
        }
        (ValueRef::Integer(number), &Type::BOOL) => Box::new(number != 0),
        (ValueRef::Text(text), &Type::TEXT) => Box::new(
            std::str::from_utf8(text)
                .map_err(|_| mismatch())?
                .to_owned(),
        ),
        (ValueRef::Blob(bytes), &Type::BYTEA) => Box::new(bytes.to_vec()),
        _ => return Err(mismatch()),
    })
}
