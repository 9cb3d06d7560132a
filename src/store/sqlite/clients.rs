//! The `oauth_clients` table: machine clients (API.md §10), their secrets only as keyed hashes.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::OAuthClient;

const COLUMNS: &str = "client_id, role, scopes, ttl, secret_hash, previous_secret_hash, \
                       previous_valid_until, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<OAuthClient> {
    let role_text: String = row.get(1)?;
    let role = Role::parse(&role_text).map_err(|why| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, why.into())
    })?;
    let scopes: String = row.get(2)?;
    let ttl: i64 = row.get(3)?;
    Ok(OAuthClient {
        client_id: row.get(0)?,
        role,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        ttl: ttl.max(0).unsigned_abs(),
        secret_hash: row.get(4)?,
        previous_secret_hash: row.get(5)?,
        previous_valid_until: row.get(6)?,
        created_at: row.get(7)?,
    })
}

/// The client with this id.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn get_client(connection: &Connection, client_id: &str) -> Result<Option<OAuthClient>> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM oauth_clients WHERE client_id = ?1"
        ))?
        .query_row([client_id], from_row)
        .optional()?)
}

/// Every client, by id.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn list_clients(connection: &Connection) -> Result<Vec<OAuthClient>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM oauth_clients ORDER BY client_id"
    ))?;
    let clients = statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(clients)
}

/// Adds a client.
///
/// # Errors
/// `Conflict` if the id exists, `Storage` if SQLite fails.
pub fn insert_client(connection: &Connection, client: &OAuthClient) -> Result<()> {
    connection
        .prepare_cached(&format!(
            "INSERT INTO oauth_clients ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            client.client_id,
            client.role.as_str(),
            client.scopes.join(" "),
            i64::try_from(client.ttl).unwrap_or(i64::MAX),
            client.secret_hash,
            client.previous_secret_hash,
            client.previous_valid_until,
            client.created_at,
        ])
        .map_err(|error| {
            super::conflict_on_unique(error, "a client with this id already exists")
        })?;
    Ok(())
}

/// Replaces a client's secret hashes.
///
/// # Errors
/// `NotFound` for an unknown id, `Storage` if SQLite fails.
pub fn update_client_secret(
    connection: &Connection,
    client_id: &str,
    secret_hash: &[u8],
    previous_secret_hash: Option<&[u8]>,
    previous_valid_until: Option<i64>,
) -> Result<()> {
    let changed = connection
        .prepare_cached(
            "UPDATE oauth_clients SET secret_hash = ?2, previous_secret_hash = ?3, \
             previous_valid_until = ?4 WHERE client_id = ?1",
        )?
        .execute(params![
            client_id,
            secret_hash,
            previous_secret_hash,
            previous_valid_until
        ])?;
    if changed == 0 {
        return Err(Error::new(ErrorKind::NotFound, "no such client"));
    }
    Ok(())
}

/// Deletes a client; whether there was one.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn delete_client(connection: &Connection, client_id: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached("DELETE FROM oauth_clients WHERE client_id = ?1")?
        .execute([client_id])?
        > 0)
}
