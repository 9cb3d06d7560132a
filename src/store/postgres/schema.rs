//! The PostgreSQL schema: its own ordered migrations (the SQLite schema's tables, as they are
//! after SQLite's migration 9, in PostgreSQL types), tracked in `schema_migrations`, applied
//! on open under an advisory lock.
//!
//! # Invariants
//! - Migrations are append-only: a released one is never edited, a change is a new entry.
//! - Whichever process gets there first migrates, exactly once: the migrating transaction
//!   takes `pg_advisory_xact_lock(MIGRATION_LOCK)` and reads the version again under it, so
//!   concurrent first starts queue and the later ones find nothing left to do. Opening an
//!   up-to-date database takes no lock.
//! - A database written by a newer picoauth (a higher version) is refused.
//! - Counters are kept by triggers, as on SQLite: `versions` ('revocations', 'signing_keys')
//!   moves with every row changed in its table, `counters` ('challenges') and
//!   `challenge_clients` follow `challenges`. A challenge's `seq` is an identity column (the
//!   order of storage, without a counter row every writer updates).

use postgres::Client;

use crate::error::{Error, ErrorKind, Result};

/// The advisory-lock key of migrations ("picoauth" in ASCII, as an i64).
const MIGRATION_LOCK: i64 = 0x7069_636f_6175_7468;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: everything SQLite's migrations 1 to 9 built.
    r#"
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        org_id TEXT NOT NULL DEFAULT 'default',
        status TEXT NOT NULL DEFAULT 'active',
        created_at BIGINT NOT NULL,
        last_login_at BIGINT
    );

    -- One row per refresh token issued and not yet pruned; a chain shares family_id, and
    -- rotated_at marks a used token, so a second use is detected as theft.
    CREATE TABLE refresh_tokens (
        token_hash BYTEA PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        wallet_address TEXT,
        wallet_algorithm TEXT,
        access_jti TEXT,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        rotated_at BIGINT
    );
    CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
    CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
    CREATE INDEX refresh_tokens_by_access_jti ON refresh_tokens (access_jti);

    -- The signing keys every process on this database knows; seq orders keys created in the
    -- same second, as SQLite's rowid does.
    CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        deactivated_at BIGINT,
        published_until BIGINT,
        seq BIGINT GENERATED ALWAYS AS IDENTITY
    );

    -- The mint audit; id orders rows by insertion, which "newest first" pages through, and
    -- each listing is one index range read backwards.
    CREATE TABLE mints (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        jti TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        sub TEXT NOT NULL,
        role TEXT NOT NULL,
        iat BIGINT NOT NULL,
        exp BIGINT NOT NULL,
        scope TEXT,
        agent_id TEXT,
        session_id TEXT,
        minted_by TEXT NOT NULL,
        org_id TEXT
    );
    CREATE INDEX mints_by_org ON mints (org_id, id);
    CREATE INDEX mints_by_sub ON mints (sub, id);
    CREATE INDEX mints_by_exp ON mints (exp);

    -- Revoked jtis; expires_at is when an entry stops mattering.
    CREATE TABLE revocations (
        jti TEXT PRIMARY KEY,
        revoked_at BIGINT NOT NULL,
        reason TEXT NOT NULL,
        revoked_by TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        seq BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX revocations_by_time ON revocations (revoked_at);
    CREATE INDEX revocations_by_expiry ON revocations (expires_at);

    CREATE TABLE challenges (
        challenge TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        client TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        seq BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX challenges_by_expiry ON challenges (expires_at);
    CREATE INDEX challenges_by_client ON challenges (client, seq);

    -- Each client's count and the seq of its oldest challenge: at the global bound the victim is
    -- the first row of (pending DESC, oldest), so ties go oldest first (SQLite migration 10).
    CREATE TABLE challenge_clients (
        client TEXT PRIMARY KEY,
        pending BIGINT NOT NULL,
        oldest BIGINT NOT NULL
    );
    CREATE INDEX challenge_clients_by_pending_oldest ON challenge_clients (pending DESC, oldest);
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('challenges', 0);

    -- Versions that every change of their table bumps, by trigger, so no writer can forget.
    CREATE TABLE versions (
        name TEXT PRIMARY KEY,
        version BIGINT NOT NULL
    );
    INSERT INTO versions (name, version) VALUES ('revocations', 0), ('signing_keys', 0);

    CREATE FUNCTION picoauth_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE versions SET version = version + 1 WHERE name = TG_ARGV[0];
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER revocations_changed AFTER INSERT OR UPDATE OR DELETE ON revocations
        FOR EACH ROW EXECUTE FUNCTION picoauth_bump_version('revocations');
    CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
        FOR EACH ROW EXECUTE FUNCTION picoauth_bump_version('signing_keys');

    CREATE FUNCTION picoauth_challenge_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'challenges';
        INSERT INTO challenge_clients (client, pending, oldest) VALUES (NEW.client, 1, NEW.seq)
            ON CONFLICT (client) DO UPDATE SET pending = challenge_clients.pending + 1,
                oldest = least(challenge_clients.oldest, NEW.seq);
        RETURN NULL;
    END
    $$;
    CREATE FUNCTION picoauth_challenge_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'challenges';
        UPDATE challenge_clients SET
            pending = pending - 1,
            oldest = CASE WHEN OLD.seq <= oldest THEN coalesce(
                (SELECT min(seq) FROM challenges WHERE client = OLD.client), oldest)
                ELSE oldest END
            WHERE client = OLD.client;
        DELETE FROM challenge_clients WHERE client = OLD.client AND pending <= 0;
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER challenges_inserted AFTER INSERT ON challenges
        FOR EACH ROW EXECUTE FUNCTION picoauth_challenge_inserted();
    CREATE TRIGGER challenges_deleted AFTER DELETE ON challenges
        FOR EACH ROW EXECUTE FUNCTION picoauth_challenge_deleted();
    "#,
    // 2: private keys sealed under the key-encryption key, by name (`signing:<kid>`,
    // `refresh`): a PostgreSQL deployment's keys, shared by every replica (API.md §11).
    r#"
    CREATE TABLE sealed_keys (
        name TEXT PRIMARY KEY,
        sealed BYTEA NOT NULL,
        created_at BIGINT NOT NULL
    );
    "#,
    // 3: SQLite's migration 13, the failed-login counters
    // that every replica shares (API.md §11). No trigger-kept count: a counter row that every
    // new failure updated would make concurrent failures of different accounts conflict under
    // SERIALIZABLE; the cap is enforced by the periodic prune, which counts.
    r#"
    CREATE TABLE login_failures (
        key BYTEA PRIMARY KEY CHECK (octet_length(key) = 32),
        failures BIGINT NOT NULL,
        failed_at_ms BIGINT NOT NULL
    );
    CREATE INDEX login_failures_by_time ON login_failures (failed_at_ms);
    CREATE INDEX login_failures_by_weight ON login_failures (failures, failed_at_ms);
    "#,
    // 4: SQLite's migration 14, groups and their memberships (API.md §9); a membership goes
    // with its group or its account (ON DELETE CASCADE).
    r#"
    CREATE TABLE groups (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        UNIQUE (org_id, name)
    );
    CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        joined_at BIGINT NOT NULL,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE INDEX group_members_by_user ON group_members (user_id);
    "#,
    // 5: SQLite's migration 15, settings changed at run time (`PUT /users/registration`).
    // And the mint audit's index by subject only over user tokens, the only ones read through
    // it (`MintSelection::Account`): with `wallet_subject = "public_key"` a wallet token's
    // `sub` is the hex of its key, 3,904 characters for ML-DSA-65, past the 2,704 bytes a
    // B-tree entry may hold, so indexing wallet subjects would refuse those mints.
    r#"
    CREATE TABLE runtime_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    DROP INDEX mints_by_sub;
    CREATE INDEX mints_by_sub ON mints (sub, id) WHERE kind = 'user';
    "#,
    // 6: SQLite's migration 16, the OAuth 2.0 machine clients (API.md §10).
    r#"
    CREATE TABLE oauth_clients (
        client_id TEXT PRIMARY KEY CHECK (length(client_id) BETWEEN 1 AND 64),
        role TEXT NOT NULL,
        scopes TEXT NOT NULL DEFAULT '',
        ttl BIGINT NOT NULL,
        secret_hash BYTEA NOT NULL CHECK (octet_length(secret_hash) = 32),
        previous_secret_hash BYTEA CHECK (octet_length(previous_secret_hash) = 32),
        previous_valid_until BIGINT,
        created_at BIGINT NOT NULL
    );
    "#,
    // 7: SQLite's migration 17, the jti each exchanged (agent) token was exchanged from, indexed
    // for the revocation of a delegation chain. No foreign key, as on SQLite.
    r#"
    ALTER TABLE mints ADD COLUMN parent_jti TEXT;
    CREATE INDEX mints_by_parent ON mints (parent_jti) WHERE parent_jti IS NOT NULL;
    "#,
];

/// The schema version this picoauth writes.
pub(super) fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Whether picoauth's schema is in the database (any migration applied).
///
/// # Errors
/// `Unavailable` or `Storage` if the database cannot be asked.
pub(super) fn exists(client: &mut Client) -> Result<bool> {
    Ok(current_version(client)? > 0)
}

/// The version the database is at: 0 before the first migration.
fn current_version(client: &mut impl postgres::GenericClient) -> Result<i64> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT COALESCE(max(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?
        .try_get(0)?)
}

fn refuse_newer(version: i64) -> Result<()> {
    if version > latest() {
        return Err(Error::new(
            ErrorKind::Storage,
            format!(
                "the database has schema version {version}, newer than this picoauth knows ({}); \
                 upgrade picoauth",
                latest()
            ),
        ));
    }
    Ok(())
}

/// Brings the schema up to date: checks without a lock first, then migrates in one
/// transaction under the advisory lock, reading the version again once it holds it.
///
/// # Errors
/// `Storage` if the schema is newer than this picoauth or a migration fails; `Unavailable` if
/// the database is out of reach.
pub(super) fn migrate(client: &mut Client) -> Result<()> {
    let version = current_version(client)?;
    refuse_newer(version)?;
    if version == latest() {
        return Ok(());
    }
    let mut transaction = client.transaction()?;
    // A first start may wait for another's migration; the default statement timeout is for
    // requests, not for this.
    transaction.batch_execute("SET LOCAL statement_timeout = '60s'")?;
    // A process that queued behind another's migration finds the table made: PostgreSQL's
    // "already exists, skipping" notice is no news for the operator's log.
    transaction.batch_execute("SET LOCAL client_min_messages = warning")?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    transaction.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            applied_at BIGINT NOT NULL
        )",
    )?;
    let version = current_version(&mut transaction)?;
    refuse_newer(version)?;
    let applied = usize::try_from(version).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        transaction.batch_execute(migration)?;
        let number = i64::try_from(index + 1).unwrap_or(i64::MAX);
        transaction.execute(
            "INSERT INTO schema_migrations (version, applied_at) \
             VALUES ($1, extract(epoch FROM now())::BIGINT)",
            &[&number],
        )?;
    }
    transaction.commit()?;
    Ok(())
}
