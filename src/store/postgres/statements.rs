//! Prepared statements kept per pooled connection, so a statement is parsed and planned by the
//! server once per connection rather than once per call.
//!
//! `postgres::Client::execute(&str, …)` and its siblings prepare the SQL text on every call: a
//! round trip (Parse, Describe) before the one that runs it, and a Close after. A [`Connection`]
//! keeps, beside its client, the [`Statement`]s it has prepared, by SQL text, and
//! `PgTransaction` runs those instead: one round trip per statement.
//!
//! # Invariants
//! - A statement belongs to the connection that prepared it (server-side prepared statements
//!   are per session), so the cache lives and dies with its [`Connection`]: a reconnected
//!   client starts with an empty one. Prepared statements are not transactional: a rolled-back
//!   transaction leaves them usable.
//! - Any statement that fails empties the cache (a migration by a newer picoauth may have
//!   changed a table under a cached plan; PostgreSQL then refuses the plan), so the next call
//!   prepares afresh. The cache holds at most [`MAX_STATEMENTS`] statements (the SQL texts are
//!   a fixed set, but a bound keeps a mistake from growing it).

use std::collections::HashMap;

use postgres::{Client, GenericClient, Statement};

/// Statements one connection keeps at most; past it the cache starts over.
const MAX_STATEMENTS: usize = 128;

/// A pooled connection: the client and the statements prepared on it.
pub(super) struct Connection {
    /// The connection.
    client: Client,
    /// What it has prepared.
    statements: Statements,
}

impl Connection {
    /// A fresh connection, nothing prepared yet.
    pub(super) fn new(client: Client) -> Connection {
        Connection {
            client,
            statements: Statements::default(),
        }
    }

    /// The client and its statements, borrowed apart (a transaction borrows the client while
    /// its statements are looked up).
    pub(super) fn parts(&mut self) -> (&mut Client, &mut Statements) {
        (&mut self.client, &mut self.statements)
    }
}

impl std::ops::Deref for Connection {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// The statements one connection has prepared, by SQL text.
#[derive(Default)]
pub(super) struct Statements {
    prepared: HashMap<String, Statement>,
}

impl Statements {
    /// The statement for `sql`, prepared on `client` (the connection these statements belong
    /// to, or a transaction on it) if it is not yet.
    ///
    /// # Errors
    /// What PostgreSQL says when preparing it.
    pub(super) fn prepared<C: GenericClient>(
        &mut self,
        client: &mut C,
        sql: &str,
    ) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        if self.prepared.len() >= MAX_STATEMENTS {
            self.prepared.clear();
        }
        self.prepared.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Drops every statement (after a failure), so the next calls prepare afresh.
    pub(super) fn forget(&mut self) {
        self.prepared.clear();
    }
}
