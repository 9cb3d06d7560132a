//! The schema: ordered migrations, applied on open, tracked in `PRAGMA user_version`.
//!
//! # Invariants
//! - Migrations are append-only: a released one is never edited, a change is a new entry.
//! - A database written by a newer picoauth (higher version) is refused rather than guessed at.

use rusqlite::Transaction;

use crate::error::{Error, ErrorKind, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: users, refresh tokens, signing keys.
    r#"
    CREATE TABLE schema_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        created_at INTEGER NOT NULL
    );
    INSERT INTO schema_info (id, created_at) VALUES (1, unixepoch());

    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        org_id TEXT NOT NULL DEFAULT 'default',
        status TEXT NOT NULL DEFAULT 'active',
        created_at INTEGER NOT NULL,
        last_login_at INTEGER
    );

    -- One row per refresh token ever issued and not yet pruned. A chain of rotations shares a
    -- family_id; rotated_at marks a token that was used, so a second use is detected as theft.
    CREATE TABLE refresh_tokens (
        token_hash BLOB PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        rotated_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
    CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);

    -- The signing keys known to every process on this database; the private keys themselves
    -- are files in the key directory, named by kid.
    CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    "#,
    // 2: the mint audit and the revocation denylist.
    r#"
    -- Every token minted with a lifetime of at least mint_audit_min_ttl. The rowid orders rows
    -- by insertion, which is what "newest first" pages through.
    CREATE TABLE mints (
        id INTEGER PRIMARY KEY,
        jti TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        sub TEXT NOT NULL,
        role TEXT NOT NULL,
        iat INTEGER NOT NULL,
        exp INTEGER NOT NULL,
        scope TEXT,
        agent_id TEXT,
        session_id TEXT,
        minted_by TEXT NOT NULL
    );

    -- Revoked jtis. expires_at is when the entry stops mattering: the token's exp when the
    -- audit knows it, otherwise the revocation time plus the longest lifetime a token can have.
    CREATE TABLE revocations (
        jti TEXT PRIMARY KEY,
        revoked_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        revoked_by TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX revocations_by_time ON revocations (revoked_at);
    CREATE INDEX revocations_by_expiry ON revocations (expires_at);
    "#,
    // 3: the signing-key life cycle. A key stops signing at deactivated_at (a rotation) and
    // stays published in the JWKS until published_until; the active key has neither.
    r#"
    ALTER TABLE signing_keys ADD COLUMN deactivated_at INTEGER;
    ALTER TABLE signing_keys ADD COLUMN published_until INTEGER;
    "#,
    // 4: wallet sign-in: pending challenges, and refresh tokens owned by a wallet.
    r#"
    CREATE TABLE challenges (
        challenge TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX challenges_by_expiry ON challenges (expires_at);

    ALTER TABLE refresh_tokens ADD COLUMN wallet_address TEXT;
    ALTER TABLE refresh_tokens ADD COLUMN wallet_algorithm TEXT;
    "#,
    // 5: a version of the denylist that every change bumps (by trigger, so no writer can
    // forget), letting the server serve GET /revoked-jtis from memory until it changes.
    r#"
    CREATE TABLE versions (
        name TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    INSERT INTO versions (name, version) VALUES ('revocations', 0);
    CREATE TRIGGER revocations_inserted AFTER INSERT ON revocations BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'revocations';
    END;
    CREATE TRIGGER revocations_deleted AFTER DELETE ON revocations BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'revocations';
    END;
    CREATE TRIGGER revocations_updated AFTER UPDATE ON revocations BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'revocations';
    END;
    "#,
    // 6: the access token minted with each refresh token, so revoking any access token of a
    // session ends the session.
    r#"
    ALTER TABLE refresh_tokens ADD COLUMN access_jti TEXT;
    "#,
    // 7: authorisation boundaries and key freshness. Each audited user token keeps the
    // organisation of its `org_id` claim, so an org_admin's view of the audit is an index range
    // (fleet and wallet tokens have none); an index by subject serves an account's own tokens.
    // Tokens of accounts deleted before this migration get no organisation: only superadmins
    // and the CLI reach them.
    // A version of the signing keys that every change bumps (by trigger, like the denylist's)
    // lets a running server see `keygen --rotate` and `--retire` on its next request.
    r#"
    ALTER TABLE mints ADD COLUMN org_id TEXT;
    UPDATE mints SET org_id = (SELECT users.org_id FROM users WHERE users.id = mints.sub)
        WHERE kind = 'user';
    CREATE INDEX mints_by_org ON mints (org_id);
    CREATE INDEX mints_by_sub ON mints (sub);

    INSERT INTO versions (name, version) VALUES ('signing_keys', 0);
    CREATE TRIGGER signing_keys_inserted AFTER INSERT ON signing_keys BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'signing_keys';
    END;
    CREATE TRIGGER signing_keys_deleted AFTER DELETE ON signing_keys BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'signing_keys';
    END;
    CREATE TRIGGER signing_keys_updated AFTER UPDATE ON signing_keys BEGIN
        UPDATE versions SET version = version + 1 WHERE name = 'signing_keys';
    END;
    "#,
    // 8: pending challenges per client (the throttle's client address, IPv6 by /64), and
    // counts kept by trigger, so that limiting a flood never counts the table under the writer.
    r#"
    ALTER TABLE challenges ADD COLUMN client TEXT NOT NULL DEFAULT '';
    CREATE INDEX challenges_by_client ON challenges (client, created_at);

    CREATE TABLE challenge_clients (
        client TEXT PRIMARY KEY,
        pending INTEGER NOT NULL
    );
    CREATE INDEX challenge_clients_by_pending ON challenge_clients (pending);
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO challenge_clients (client, pending)
        SELECT client, count(*) FROM challenges GROUP BY client;
    INSERT INTO counters (name, value) VALUES ('challenges', (SELECT count(*) FROM challenges));

    CREATE TRIGGER challenges_inserted AFTER INSERT ON challenges BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'challenges';
        UPDATE challenge_clients SET pending = pending + 1 WHERE client = NEW.client;
        INSERT INTO challenge_clients (client, pending)
            SELECT NEW.client, 1
            WHERE NOT EXISTS (SELECT 1 FROM challenge_clients WHERE client = NEW.client);
    END;
    CREATE TRIGGER challenges_deleted AFTER DELETE ON challenges BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'challenges';
        UPDATE challenge_clients SET pending = pending - 1 WHERE client = OLD.client;
        DELETE FROM challenge_clients WHERE client = OLD.client AND pending <= 0;
    END;
    "#,
    // 9: the order challenges were stored in. `created_at` counts seconds, so "a client's
    // oldest" was any one of its challenges of the same second; `seq`, drawn from a counter,
    // orders them as they were stored (challenges pending at the upgrade share 0).
    r#"
    ALTER TABLE challenges ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    DROP INDEX challenges_by_client;
    CREATE INDEX challenges_by_client ON challenges (client, seq);
    INSERT INTO counters (name, value) VALUES ('challenge_seq', 0);
    "#,
    // 10: each client's oldest pending challenge, kept by the triggers, so that at the global
    // bound the clients holding the most are told apart by who has waited longest: a flood of
    // one challenge per fresh address then evicts oldest first, never the newest asker's. The
    // oldest is the first stored (`seq`, migration 9), recomputed from `challenges_by_client`
    // only when it is the one deleted.
    r#"
    ALTER TABLE challenge_clients ADD COLUMN oldest INTEGER NOT NULL DEFAULT 0;
    UPDATE challenge_clients SET oldest = coalesce(
        (SELECT min(seq) FROM challenges WHERE challenges.client = challenge_clients.client),
        0);
    DROP INDEX challenge_clients_by_pending;
    CREATE INDEX challenge_clients_by_pending_oldest ON challenge_clients (pending DESC, oldest);

    DROP TRIGGER challenges_inserted;
    DROP TRIGGER challenges_deleted;
    CREATE TRIGGER challenges_inserted AFTER INSERT ON challenges BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'challenges';
        UPDATE challenge_clients SET pending = pending + 1, oldest = min(oldest, NEW.seq)
            WHERE client = NEW.client;
        INSERT INTO challenge_clients (client, pending, oldest)
            SELECT NEW.client, 1, NEW.seq
            WHERE NOT EXISTS (SELECT 1 FROM challenge_clients WHERE client = NEW.client);
    END;
    CREATE TRIGGER challenges_deleted AFTER DELETE ON challenges BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'challenges';
        UPDATE challenge_clients SET
            pending = pending - 1,
            oldest = CASE WHEN OLD.seq <= oldest THEN coalesce(
                (SELECT min(seq) FROM challenges WHERE client = OLD.client), oldest)
                ELSE oldest END
            WHERE client = OLD.client;
        DELETE FROM challenge_clients WHERE client = OLD.client AND pending <= 0;
    END;
    "#,
    // 11: the mint audit by expiry, so that pruning the rows of long-expired tokens reads only
    // the rows it deletes.
    r#"
    CREATE INDEX mints_by_exp ON mints (exp);
    "#,
    // 12: private keys sealed under the key-encryption key, by name (`signing:<kid>`,
    // `refresh`): where a PostgreSQL deployment keeps its keys (API.md §11). Unused on SQLite,
    // whose keys are files in the key directory; here so both backends have one schema.
    r#"
    CREATE TABLE sealed_keys (
        name TEXT PRIMARY KEY,
        sealed BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    "#,
    // 13: failed-login back-off that every process on the
    // database shares (API.md §11). One row per counter (an account's, or an account's as tried
    // from one client) under a 32-byte keyed digest; `failed_at_ms` is Unix milliseconds,
    // because the waits start at one second. By time for pruning what nobody remembers, by
    // weight (fewest failures, then oldest) for evicting past the cap.
    r#"
    CREATE TABLE login_failures (
        key BLOB PRIMARY KEY CHECK (length(key) = 32),
        failures INTEGER NOT NULL,
        failed_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX login_failures_by_time ON login_failures (failed_at_ms);
    CREATE INDEX login_failures_by_weight ON login_failures (failures, failed_at_ms);
    "#,
    // 14: groups of accounts within an organisation (API.md §9), names unique per
    // organisation, and their memberships, which belong to both their group and their account:
    // deleting either deletes the membership. By account for the `groups` claim.
    r#"
    CREATE TABLE groups (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        UNIQUE (org_id, name)
    );
    CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX group_members_by_user ON group_members (user_id);
    "#,
    // 15: settings changed at run time (`PUT /users/registration`), one row per setting, so
    // they survive restarts and every process on the database reads the same value. Only
    // names picoauth knows are written (one row each), so the table stays tiny.
    r#"
    CREATE TABLE runtime_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 16: OAuth 2.0 machine clients (API.md §10). Secrets only as 32-byte keyed hashes (HMAC-
    // SHA-256 under the refresh-token key); the previous secret's hash is accepted until
    // `previous_valid_until` (rotation grace). Scopes are space-separated, as in OAuth.
    r#"
    CREATE TABLE oauth_clients (
        client_id TEXT PRIMARY KEY CHECK (length(client_id) BETWEEN 1 AND 64),
        role TEXT NOT NULL,
        scopes TEXT NOT NULL DEFAULT '',
        ttl INTEGER NOT NULL,
        secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
        previous_secret_hash BLOB CHECK (length(previous_secret_hash) = 32),
        previous_valid_until INTEGER,
        created_at INTEGER NOT NULL
    );
    "#,
    // 17: RFC 8693 token exchange. Each exchanged (agent) token's audit row names the jti it was
    // exchanged from, so revoking a token finds, through this index, every token delegated
    // from it. No foreign key: the parent may be a short-lived token the audit never held, or
    // one already pruned.
    r#"
    ALTER TABLE mints ADD COLUMN parent_jti TEXT;
    CREATE INDEX mints_by_parent ON mints (parent_jti) WHERE parent_jti IS NOT NULL;
    "#,
];

/// Whether the database is behind this picoauth's schema (or newer, which `migrate` refuses).
/// Checked first so that opening an up-to-date database takes no write lock.
pub(super) fn needs_migration(connection: &rusqlite::Connection) -> Result<bool> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(version != MIGRATIONS.len() as i64)
}

/// Brings the schema up to date inside `transaction` (which must be `BEGIN IMMEDIATE`).
pub(super) fn migrate(transaction: &Transaction<'_>) -> Result<()> {
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if version > latest {
        return Err(Error::new(
            ErrorKind::Storage,
            format!(
                "the database has schema version {version}, newer than this picoauth knows ({}); \
                 upgrade picoauth",
                latest
            ),
        ));
    }
    let applied = usize::try_from(version).unwrap_or(0);
    for migration in &MIGRATIONS[applied..] {
        transaction.execute_batch(migration)?;
    }
    transaction.pragma_update(None, "user_version", latest)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::sqlite::SqliteStore;

    #[test]
    fn migrations_apply_once_and_reopening_is_a_no_op() {
        let dir = std::env::temp_dir().join(format!("picoauth-schema-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("picoauth.db");
        for _ in 0..2 {
            let store = SqliteStore::open(&path).unwrap();
            store
                .read_connection(|connection| {
                    assert!(!super::needs_migration(connection)?);
                    Ok(())
                })
                .unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn migration_10_gives_each_client_its_oldest_challenge() {
        let dir = std::env::temp_dir().join(format!("picoauth-schema-10-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("picoauth.db");
        {
            let connection = rusqlite::Connection::open(&path).unwrap();
            for migration in &super::MIGRATIONS[..9] {
                connection.execute_batch(migration).unwrap();
            }
            connection.pragma_update(None, "user_version", 9).unwrap();
            connection
                .execute_batch(
                    "INSERT INTO challenges \
                     (challenge, address, client, created_at, expires_at, seq) \
                     VALUES ('c1', 'a', 'x', 3, 99, 2), ('c2', 'a', 'x', 3, 99, 1), \
                     ('c3', 'a', 'y', 5, 99, 3);",
                )
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let rows: Vec<(String, i64, i64)> = store
            .read_connection(|connection| {
                let mut statement = connection.prepare(
                    "SELECT client, pending, oldest FROM challenge_clients ORDER BY client",
                )?;
                let rows = statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap();
        assert_eq!(rows, [("x".to_owned(), 2, 1), ("y".to_owned(), 1, 3)]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn migration_7_gives_audited_user_tokens_their_organisation() {
        let dir = std::env::temp_dir().join(format!("picoauth-schema-7-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("picoauth.db");
        {
            let connection = rusqlite::Connection::open(&path).unwrap();
            for migration in &super::MIGRATIONS[..6] {
                connection.execute_batch(migration).unwrap();
            }
            connection.pragma_update(None, "user_version", 6).unwrap();
            connection
                .execute_batch(
                    "INSERT INTO users (id, email, password_hash, role, org_id, created_at) \
                     VALUES ('u1', 'a@b.c', 'x', 'viewer', 'acme', 0);
                     INSERT INTO mints (jti, kind, sub, role, iat, exp, minted_by) VALUES \
                     ('j-user', 'user', 'u1', 'viewer', 0, 1, 'POST /login'), \
                     ('j-gone', 'user', 'deleted', 'viewer', 0, 1, 'POST /login'), \
                     ('j-fleet', 'fleet', 'u1', 'agent', 0, 1, 'cli:root');",
                )
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let orgs: Vec<(String, Option<String>)> = store
            .read_connection(|connection| {
                let mut statement =
                    connection.prepare("SELECT jti, org_id FROM mints ORDER BY id")?;
                let rows = statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap();
        assert_eq!(
            orgs,
            [
                ("j-user".to_owned(), Some("acme".to_owned())),
                ("j-gone".to_owned(), None),
                ("j-fleet".to_owned(), None),
            ]
        );
        let version = store
            .read_connection(super::super::keys::get_signing_keys_version)
            .unwrap();
        assert_eq!(version, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
