//! [`PgTransaction`]: the storage interface's read and write transactions on one PostgreSQL
//! connection (reads) or one serializable transaction (writes), with the SQL of every
//! operation, table by table in the order of `store::ReadTransaction`.
//!
//! The SQL mirrors the SQLite backend's statement for statement, so the atomic operations keep
//! their promises here: `UPDATE … WHERE rotated_at IS NULL RETURNING`, `DELETE … RETURNING`,
//! `INSERT … ON CONFLICT DO NOTHING`, `INSERT … WHERE NOT EXISTS`. Where two writers meet
//! on a row, SERIALIZABLE makes the later one fail with 40001 and `PgStore::write` reruns it,
//! so it sees the winner's commit.
//!
//! Parameters that may be NULL are cast (`$1::TEXT IS NULL`): PostgreSQL must know every
//! parameter's type when it prepares a statement.

use postgres::types::{FromSql, ToSql};
use postgres::{GenericClient, Row, Statement};

use super::Failure;
use super::statements::Statements;
use crate::error::{Error, ErrorKind, Result};
use crate::roles::Role;
use crate::store::{
    ChallengeLimits, Evicted, FamilyAccessToken, Group, GroupMember, LoginFailures, MintRecord,
    MintSelection, NewChallenge, NewRefreshToken, OAuthClient, PendingChallenge,
    REGISTRATION_ENABLED, ReadTransaction, RefreshOwner, RefreshRecord, RefreshRotation,
    Revocation, RuntimeSetting, SigningKeyRecord, User, UserStatus, WriteTransaction, format_bool,
    parse_bool,
};

/// One statement's parameters.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A connection (reads) or an open transaction (writes), lent for one `Store` call.
pub(super) struct PgTransaction<'t, C: GenericClient> {
    /// Where statements go.
    client: &'t mut C,
    /// The statements prepared on that connection (see `statements`).
    statements: &'t mut Statements,
    /// The first statement that failed, if any (a write's transaction is then aborted).
    failure: Option<Failure>,
}

impl<'t, C: GenericClient> PgTransaction<'t, C> {
    /// Wraps a connection or transaction that the caller has put in the right state, with the
    /// statements prepared on that connection.
    pub(super) fn new(client: &'t mut C, statements: &'t mut Statements) -> PgTransaction<'t, C> {
        PgTransaction {
            client,
            statements,
            failure: None,
        }
    }

    /// The first failed statement, if any.
    pub(super) fn into_failure(self) -> Option<Failure> {
        self.failure
    }

    fn failed(&mut self, error: postgres::Error) -> Error {
        if self.failure.is_none() {
            self.failure = Some(Failure::of(&error));
        }
        // Whatever went wrong, the next statements are prepared afresh.
        self.statements.forget();
        Error::from(error)
    }

    /// Runs `sql` as the statement prepared for it on this connection (prepared now if it is
    /// not yet): one round trip instead of two.
    fn run<T>(
        &mut self,
        sql: &str,
        run: impl FnOnce(&mut C, &Statement) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        let outcome = match self.statements.prepared(self.client, sql) {
            Ok(statement) => run(self.client, &statement),
            Err(error) => Err(error),
        };
        outcome.map_err(|error| self.failed(error))
    }

    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<usize> {
        let changed = self.run(sql, |client, statement| client.execute(statement, params))?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        self.run(sql, |client, statement| client.query(statement, params))
    }

    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        self.run(sql, |client, statement| client.query_opt(statement, params))
    }

    fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row> {
        self.run(sql, |client, statement| client.query_one(statement, params))
    }

    /// A count or version: one row, one BIGINT, or 0 without a row.
    fn number(&mut self, sql: &str, params: Params<'_>) -> Result<i64> {
        match self.query_opt(sql, params)? {
            Some(row) => get(&row, 0),
            None => Ok(0),
        }
    }
}

/// Column `index` of `row`; a value of the wrong type is a broken database.
fn get<'r, T: FromSql<'r>>(row: &'r Row, index: usize) -> Result<T> {
    row.try_get(index).map_err(Error::from)
}

// ---------------------------------------------------------------------------------------------
// Row conversions.

const USER_COLUMNS: &str = "id, email, display_name, password_hash, role, org_id, status, \
                            created_at, last_login_at";

fn user_of(row: &Row) -> Result<User> {
    let role_text: String = get(row, 4)?;
    let role = Role::parse(&role_text).map_err(|why| {
        Error::new(
            ErrorKind::Storage,
            format!("a stored account has an unknown role: {why}"),
        )
    })?;
    let status: String = get(row, 6)?;
    Ok(User {
        id: get(row, 0)?,
        email: get(row, 1)?,
        display_name: get(row, 2)?,
        password_hash: get(row, 3)?,
        role,
        org_id: get(row, 5)?,
        status: UserStatus::parse(&status),
        created_at: get(row, 7)?,
        last_login_at: get(row, 8)?,
    })
}

const RECORD_COLUMNS: &str = "family_id, user_id, wallet_address, wallet_algorithm, expires_at, \
                              rotated_at";

fn refresh_record_of(row: &Row) -> Result<RefreshRecord> {
    let user_id: Option<String> = get(row, 1)?;
    let address: Option<String> = get(row, 2)?;
    let algorithm: Option<String> = get(row, 3)?;
    let owner = match (user_id, address, algorithm) {
        (Some(id), _, _) => RefreshOwner::User(id),
        (None, Some(address), Some(algorithm)) => RefreshOwner::Wallet { address, algorithm },
        _ => {
            return Err(Error::new(
                ErrorKind::Storage,
                "a refresh token without an owner",
            ));
        }
    };
    Ok(RefreshRecord {
        family_id: get(row, 0)?,
        owner,
        expires_at: get(row, 4)?,
        rotated_at: get(row, 5)?,
    })
}

const KEY_COLUMNS: &str = "kid, algorithm, created_at, deactivated_at, published_until";

fn key_of(row: &Row) -> Result<SigningKeyRecord> {
    Ok(SigningKeyRecord {
        kid: get(row, 0)?,
        algorithm: get(row, 1)?,
        created_at: get(row, 2)?,
        deactivated_at: get(row, 3)?,
        published_until: get(row, 4)?,
    })
}

const MINT_COLUMNS: &str = "m.id, m.jti, m.kind, m.sub, m.role, m.org_id, m.iat, m.exp, \
                            m.scope, m.agent_id, m.session_id, m.minted_by, r.jti IS NOT NULL, \
                            m.parent_jti";

fn mint_of(row: &Row) -> Result<MintRecord> {
    Ok(MintRecord {
        id: get(row, 0)?,
        jti: get(row, 1)?,
        kind: get(row, 2)?,
        sub: get(row, 3)?,
        role: get(row, 4)?,
        org_id: get(row, 5)?,
        iat: get(row, 6)?,
        exp: get(row, 7)?,
        scope: get(row, 8)?,
        agent_id: get(row, 9)?,
        session_id: get(row, 10)?,
        minted_by: get(row, 11)?,
        revoked: get(row, 12)?,
        parent_jti: get(row, 13)?,
    })
}

const GROUP_COLUMNS: &str = "id, org_id, name, description, created_at";

/// A row of `access_jti, issued_at, exp` (a refresh token's access token and its expiry).
fn family_access_token_of(row: &Row) -> Result<FamilyAccessToken> {
    Ok(FamilyAccessToken {
        jti: get(row, 0)?,
        issued_at: get(row, 1)?,
        exp: get(row, 2)?,
    })
}

fn group_of(row: &Row) -> Result<Group> {
    Ok(Group {
        id: get(row, 0)?,
        org_id: get(row, 1)?,
        name: get(row, 2)?,
        description: get(row, 3)?,
        created_at: get(row, 4)?,
    })
}

const CLIENT_COLUMNS: &str = "client_id, role, scopes, ttl, secret_hash, previous_secret_hash, \
                              previous_valid_until, created_at";

fn client_of(row: &Row) -> Result<OAuthClient> {
    let role_text: String = get(row, 1)?;
    let role = Role::parse(&role_text).map_err(|why| {
        Error::new(
            ErrorKind::Storage,
            format!("oauth_clients.role holds an unknown role: {why}"),
        )
    })?;
    let scopes: String = get(row, 2)?;
    let ttl: i64 = get(row, 3)?;
    Ok(OAuthClient {
        client_id: get(row, 0)?,
        role,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        ttl: ttl.max(0).unsigned_abs(),
        secret_hash: get(row, 4)?,
        previous_secret_hash: get(row, 5)?,
        previous_valid_until: get(row, 6)?,
        created_at: get(row, 7)?,
    })
}

fn revocation_of(row: &Row) -> Result<Revocation> {
    Ok(Revocation {
        jti: get(row, 0)?,
        revoked_at: get(row, 1)?,
        reason: get(row, 2)?,
        revoked_by: get(row, 3)?,
    })
}

/// The SQL condition on `m` (the `mints` row) of a selection, naming its one parameter `$3`
/// (typed, even where a selection ignores it, so every statement has the same parameters).
fn mint_condition<'a>(selection: &MintSelection<'a>) -> (&'static str, Option<&'a str>) {
    match *selection {
        MintSelection::All => ("$3::TEXT IS NULL", None),
        MintSelection::Organisation(org_id) => (
            "m.org_id = $3::TEXT AND m.kind = 'user' AND m.role <> 'superadmin' AND NOT EXISTS \
             (SELECT 1 FROM users u WHERE u.id = m.sub AND u.role = 'superadmin')",
            Some(org_id),
        ),
        MintSelection::Unowned => (
            "m.org_id IS NULL AND $3::TEXT IS NULL AND m.kind <> 'user' \
             AND m.role <> 'superadmin'",
            None,
        ),
        MintSelection::Account(user_id) => (
            "m.sub = $3::TEXT AND m.kind = 'user' AND m.role <> 'superadmin'",
            Some(user_id),
        ),
    }
}

fn not_found_user(changed: usize) -> Result<()> {
    if changed == 0 {
        Err(Error::new(ErrorKind::NotFound, "no such user"))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Reads.

impl<C: GenericClient> ReadTransaction for PgTransaction<'_, C> {
    fn get_user_by_id(&mut self, id: &str) -> Result<Option<User>> {
        self.query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            &[&id],
        )?
        .as_ref()
        .map(user_of)
        .transpose()
    }

    fn get_user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        self.query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"),
            &[&email],
        )?
        .as_ref()
        .map(user_of)
        .transpose()
    }

    fn list_users(&mut self, org_id: Option<&str>) -> Result<Vec<User>> {
        self.query(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE $1::TEXT IS NULL OR org_id = $1 \
                 ORDER BY created_at, id"
            ),
            &[&org_id],
        )?
        .iter()
        .map(user_of)
        .collect()
    }

    fn count_active_with_role(&mut self, role: Role) -> Result<u64> {
        let count = self.number(
            "SELECT count(*) FROM users WHERE role = $1 AND status = 'active'",
            &[&role.as_str()],
        )?;
        Ok(count.unsigned_abs())
    }

    fn count_with_role(&mut self, role: Role) -> Result<u64> {
        let count = self.number(
            "SELECT count(*) FROM users WHERE role = $1",
            &[&role.as_str()],
        )?;
        Ok(count.unsigned_abs())
    }

    fn get_refresh_token(&mut self, token_hash: &[u8]) -> Result<Option<RefreshRecord>> {
        self.query_opt(
            &format!("SELECT {RECORD_COLUMNS} FROM refresh_tokens WHERE token_hash = $1"),
            &[&token_hash],
        )?
        .as_ref()
        .map(refresh_record_of)
        .transpose()
    }

    fn list_family_access_tokens(&mut self, family_id: &str) -> Result<Vec<FamilyAccessToken>> {
        self.query(
            "SELECT t.access_jti, t.issued_at, m.exp FROM refresh_tokens t \
             LEFT JOIN mints m ON m.jti = t.access_jti \
             WHERE t.family_id = $1 AND t.access_jti IS NOT NULL",
            &[&family_id],
        )?
        .iter()
        .map(family_access_token_of)
        .collect()
    }

    fn list_user_access_tokens(&mut self, user_id: &str) -> Result<Vec<FamilyAccessToken>> {
        self.query(
            "SELECT t.access_jti, t.issued_at, m.exp FROM refresh_tokens t \
             LEFT JOIN mints m ON m.jti = t.access_jti \
             WHERE t.user_id = $1 AND t.access_jti IS NOT NULL",
            &[&user_id],
        )?
        .iter()
        .map(family_access_token_of)
        .collect()
    }

    fn has_live_session_of_access_token(&mut self, access_jti: &str, now: i64) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM refresh_tokens WHERE access_jti = $1 AND expires_at > $2 LIMIT 1",
                &[&access_jti, &now],
            )?
            .is_some())
    }

    fn list_signing_keys(&mut self) -> Result<Vec<SigningKeyRecord>> {
        self.query(
            &format!("SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY created_at DESC, seq DESC"),
            &[],
        )?
        .iter()
        .map(key_of)
        .collect()
    }

    fn get_signing_keys_version(&mut self) -> Result<i64> {
        self.number(
            "SELECT version FROM versions WHERE name = 'signing_keys'",
            &[],
        )
    }

    fn get_sealed_key(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        self.query_opt("SELECT sealed FROM sealed_keys WHERE name = $1", &[&name])?
            .map(|row| get(&row, 0))
            .transpose()
    }

    fn list_mints(
        &mut self,
        selections: &[MintSelection<'_>],
        limit: u32,
        active_at: Option<i64>,
    ) -> Result<Vec<MintRecord>> {
        let mut records = Vec::new();
        // One index range per selection, each newest first and cut at `limit`; the newest
        // `limit` of their union are among these.
        for selection in selections {
            let (condition, parameter) = mint_condition(selection);
            let rows = self.query(
                &format!(
                    "SELECT {MINT_COLUMNS} FROM mints m LEFT JOIN revocations r ON r.jti = m.jti \
                     WHERE ({condition}) \
                     AND ($1::BIGINT IS NULL OR (m.exp > $1 AND r.jti IS NULL)) \
                     ORDER BY m.id DESC LIMIT $2"
                ),
                &[&active_at, &i64::from(limit), &parameter],
            )?;
            for row in &rows {
                records.push(mint_of(row)?);
            }
        }
        records.sort_by_key(|record| std::cmp::Reverse(record.id));
        records.dedup_by_key(|record| record.id);
        records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(records)
    }

    fn is_mint_in(&mut self, jti: &str, selections: &[MintSelection<'_>]) -> Result<bool> {
        for selection in selections {
            let (condition, parameter) = mint_condition(selection);
            // $2 is not used by this statement; the conditions name their parameter $3.
            let found = self.query_opt(
                &format!(
                    "SELECT 1 FROM mints m WHERE m.jti = $1 AND ($2::BIGINT IS NULL) \
                     AND ({condition})"
                ),
                &[&jti, &None::<i64>, &parameter],
            )?;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn get_mint_exp(&mut self, jti: &str) -> Result<Option<i64>> {
        self.query_opt("SELECT exp FROM mints WHERE jti = $1", &[&jti])?
            .map(|row| get(&row, 0))
            .transpose()
    }

    fn get_mint(&mut self, jti: &str) -> Result<Option<MintRecord>> {
        self.query_opt(
            &format!(
                "SELECT {MINT_COLUMNS} FROM mints m LEFT JOIN revocations r ON r.jti = m.jti \
                 WHERE m.jti = $1"
            ),
            &[&jti],
        )?
        .as_ref()
        .map(mint_of)
        .transpose()
    }

    fn is_revoked(&mut self, jti: &str) -> Result<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM revocations WHERE jti = $1", &[&jti])?
            .is_some())
    }

    fn is_any_revoked(&mut self, jtis: &[&str]) -> Result<bool> {
        if jtis.is_empty() {
            return Ok(false);
        }
        let jtis: Vec<&str> = jtis.to_vec();
        Ok(self
            .query_opt(
                "SELECT 1 FROM revocations WHERE jti = ANY($1::TEXT[]) LIMIT 1",
                &[&jtis],
            )?
            .is_some())
    }

    fn get_revocation(&mut self, jti: &str) -> Result<Option<Revocation>> {
        self.query_opt(
            "SELECT jti, revoked_at, reason, revoked_by FROM revocations WHERE jti = $1",
            &[&jti],
        )?
        .as_ref()
        .map(revocation_of)
        .transpose()
    }

    fn list_revocations(&mut self, since: i64, now: i64) -> Result<Vec<Revocation>> {
        self.query(
            "SELECT jti, revoked_at, reason, revoked_by FROM revocations \
             WHERE revoked_at >= $1 AND expires_at > $2 ORDER BY revoked_at DESC, seq DESC",
            &[&since, &now],
        )?
        .iter()
        .map(revocation_of)
        .collect()
    }

    fn get_revocations_version(&mut self) -> Result<i64> {
        self.number(
            "SELECT version FROM versions WHERE name = 'revocations'",
            &[],
        )
    }

    fn count_challenges(&mut self) -> Result<u64> {
        let count = self.number("SELECT value FROM counters WHERE name = 'challenges'", &[])?;
        Ok(count.unsigned_abs())
    }

    fn count_client_challenges(&mut self, client: &str) -> Result<u64> {
        let count = self.number(
            "SELECT pending FROM challenge_clients WHERE client = $1",
            &[&client],
        )?;
        Ok(count.unsigned_abs())
    }

    fn get_login_failures(&mut self, key: &[u8; 32]) -> Result<Option<LoginFailures>> {
        self.query_opt(
            "SELECT failures, failed_at_ms FROM login_failures WHERE key = $1",
            &[&&key[..]],
        )?
        .map(|row| {
            Ok(LoginFailures {
                failures: failure_count(get(&row, 0)?),
                failed_at_ms: get(&row, 1)?,
            })
        })
        .transpose()
    }

    fn count_login_failures(&mut self) -> Result<u64> {
        let count = self.number("SELECT count(*) FROM login_failures", &[])?;
        Ok(count.unsigned_abs())
    }

    fn get_group(&mut self, id: &str) -> Result<Option<Group>> {
        self.query_opt(
            &format!("SELECT {GROUP_COLUMNS} FROM groups WHERE id = $1"),
            &[&id],
        )?
        .as_ref()
        .map(group_of)
        .transpose()
    }

    fn list_groups(&mut self, org_id: Option<&str>) -> Result<Vec<Group>> {
        self.query(
            &format!(
                "SELECT {GROUP_COLUMNS} FROM groups WHERE $1::TEXT IS NULL OR org_id = $1 \
                 ORDER BY org_id, name, id"
            ),
            &[&org_id],
        )?
        .iter()
        .map(group_of)
        .collect()
    }

    fn list_groups_named(&mut self, name: &str, org_id: Option<&str>) -> Result<Vec<Group>> {
        self.query(
            &format!(
                "SELECT {GROUP_COLUMNS} FROM groups WHERE name = $1 \
                 AND ($2::TEXT IS NULL OR org_id = $2) ORDER BY org_id, id"
            ),
            &[&name, &org_id],
        )?
        .iter()
        .map(group_of)
        .collect()
    }

    fn list_group_members(&mut self, group_id: &str) -> Result<Vec<GroupMember>> {
        self.query(
            "SELECT group_id, user_id, joined_at FROM group_members WHERE group_id = $1 \
             ORDER BY joined_at, user_id",
            &[&group_id],
        )?
        .iter()
        .map(|row| {
            Ok(GroupMember {
                group_id: get(row, 0)?,
                user_id: get(row, 1)?,
                joined_at: get(row, 2)?,
            })
        })
        .collect()
    }

    fn list_user_group_ids(&mut self, user_id: &str) -> Result<Vec<String>> {
        self.query(
            "SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id",
            &[&user_id],
        )?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }

    fn count_groups(&mut self, org_id: &str) -> Result<u64> {
        let count = self.number("SELECT count(*) FROM groups WHERE org_id = $1", &[&org_id])?;
        Ok(count.unsigned_abs())
    }

    fn count_group_members(&mut self, group_id: &str) -> Result<u64> {
        let count = self.number(
            "SELECT count(*) FROM group_members WHERE group_id = $1",
            &[&group_id],
        )?;
        Ok(count.unsigned_abs())
    }

    fn count_user_groups(&mut self, user_id: &str) -> Result<u64> {
        let count = self.number(
            "SELECT count(*) FROM group_members WHERE user_id = $1",
            &[&user_id],
        )?;
        Ok(count.unsigned_abs())
    }

    fn is_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2",
                &[&group_id, &user_id],
            )?
            .is_some())
    }

    fn get_registration_enabled(&mut self) -> Result<Option<RuntimeSetting<bool>>> {
        self.query_opt(
            "SELECT value, updated_at, updated_by FROM runtime_settings WHERE name = $1",
            &[&REGISTRATION_ENABLED],
        )?
        .map(|row| {
            let value: String = get(&row, 0)?;
            Ok(RuntimeSetting {
                value: parse_bool(&value)?,
                updated_at: get(&row, 1)?,
                updated_by: get(&row, 2)?,
            })
        })
        .transpose()
    }

    fn get_client(&mut self, client_id: &str) -> Result<Option<OAuthClient>> {
        self.query_opt(
            &format!("SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE client_id = $1"),
            &[&client_id],
        )?
        .as_ref()
        .map(client_of)
        .transpose()
    }

    fn list_clients(&mut self) -> Result<Vec<OAuthClient>> {
        self.query(
            &format!("SELECT {CLIENT_COLUMNS} FROM oauth_clients ORDER BY client_id"),
            &[],
        )?
        .iter()
        .map(client_of)
        .collect()
    }
}

/// A stored failure count as a `u32` (it cannot grow past one: every failure costs a hash).
fn failure_count(stored: i64) -> u32 {
    u32::try_from(stored.max(0)).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------
// Writes.

impl<C: GenericClient> PgTransaction<'_, C> {
    /// The client holding the most challenges.
    fn largest_challenge_client(&mut self) -> Result<Option<String>> {
        self.query_opt(
            "SELECT client FROM challenge_clients ORDER BY pending DESC, oldest LIMIT 1",
            &[],
        )?
        .map(|row| get(&row, 0))
        .transpose()
    }

    /// Deletes the oldest (first stored) challenge of `client`; how many went (0 or 1).
    fn delete_oldest_challenge_of(&mut self, client: &str) -> Result<usize> {
        self.execute(
            "DELETE FROM challenges WHERE challenge = (\
                 SELECT challenge FROM challenges WHERE client = $1 ORDER BY seq LIMIT 1)",
            &[&client],
        )
    }

    fn insert_user_row(&mut self, user: &User, on_conflict: &str) -> Result<usize> {
        self.execute(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 {on_conflict}"
            ),
            &[
                &user.id,
                &user.email,
                &user.display_name,
                &user.password_hash,
                &user.role.as_str(),
                &user.org_id,
                &user.status.as_str(),
                &user.created_at,
                &user.last_login_at,
            ],
        )
    }
}

impl<C: GenericClient> WriteTransaction for PgTransaction<'_, C> {
    fn insert_user(&mut self, user: &User) -> Result<()> {
        // A taken email must be `Conflict` and leave the transaction usable, as on SQLite
        // (where a failed statement does not abort the transaction): so no unique violation
        // is raised at all; the conflict is found by `ON CONFLICT DO NOTHING`.
        let inserted = self.insert_user_row(user, "ON CONFLICT DO NOTHING")?;
        if inserted == 0 {
            return Err(Error::new(
                ErrorKind::Conflict,
                "a user with this email already exists",
            ));
        }
        Ok(())
    }

    fn insert_user_if_absent(&mut self, user: &User) -> Result<bool> {
        Ok(self.insert_user_row(user, "ON CONFLICT DO NOTHING")? == 1)
    }

    fn update_role(&mut self, id: &str, role: Role) -> Result<()> {
        let changed = self.execute(
            "UPDATE users SET role = $2 WHERE id = $1",
            &[&id, &role.as_str()],
        )?;
        not_found_user(changed)
    }

    fn update_password_hash(&mut self, id: &str, password_hash: &str) -> Result<()> {
        let changed = self.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            &[&id, &password_hash],
        )?;
        not_found_user(changed)
    }

    fn update_status(&mut self, id: &str, status: UserStatus) -> Result<()> {
        let changed = self.execute(
            "UPDATE users SET status = $2 WHERE id = $1",
            &[&id, &status.as_str()],
        )?;
        not_found_user(changed)
    }

    fn delete_user(&mut self, id: &str) -> Result<()> {
        // The account's refresh tokens go with it (ON DELETE CASCADE).
        let changed = self.execute("DELETE FROM users WHERE id = $1", &[&id])?;
        not_found_user(changed)
    }

    fn update_last_login(&mut self, id: &str, now: i64) -> Result<()> {
        self.execute(
            "UPDATE users SET last_login_at = $2 WHERE id = $1",
            &[&id, &now],
        )?;
        Ok(())
    }

    fn insert_refresh_token(&mut self, token: &NewRefreshToken<'_>) -> Result<()> {
        let (user_id, wallet_address, wallet_algorithm) = match token.owner {
            RefreshOwner::User(id) => (Some(id.as_str()), None, None),
            RefreshOwner::Wallet { address, algorithm } => {
                (None, Some(address.as_str()), Some(algorithm.as_str()))
            }
        };
        self.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, wallet_address, \
             wallet_algorithm, access_jti, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &token.token_hash,
                &token.family_id,
                &user_id,
                &wallet_address,
                &wallet_algorithm,
                &token.access_jti,
                &token.issued_at,
                &token.expires_at,
            ],
        )?;
        Ok(())
    }

    fn rotate_refresh_token(&mut self, token_hash: &[u8], now: i64) -> Result<RefreshRotation> {
        // Only the call whose update finds `rotated_at` still empty gets a row back. A
        // concurrent winner's commit makes this statement fail with 40001 under SERIALIZABLE;
        // the rerun then sees the token used.
        let won = self.query_opt(
            &format!(
                "UPDATE refresh_tokens SET rotated_at = $2 \
                 WHERE token_hash = $1 AND rotated_at IS NULL RETURNING {RECORD_COLUMNS}"
            ),
            &[&token_hash, &now],
        )?;
        if let Some(row) = won {
            return Ok(RefreshRotation::Rotated(refresh_record_of(&row)?));
        }
        Ok(match self.get_refresh_token(token_hash)? {
            Some(record) => RefreshRotation::AlreadyRotated(record),
            None => RefreshRotation::Unknown,
        })
    }

    fn delete_family(&mut self, family_id: &str) -> Result<()> {
        self.execute(
            "DELETE FROM refresh_tokens WHERE family_id = $1",
            &[&family_id],
        )?;
        Ok(())
    }

    fn delete_families_of_access_token(&mut self, access_jti: &str) -> Result<usize> {
        self.execute(
            "DELETE FROM refresh_tokens WHERE family_id IN \
             (SELECT family_id FROM refresh_tokens WHERE access_jti = $1)",
            &[&access_jti],
        )
    }

    fn delete_user_refresh_tokens(&mut self, user_id: &str) -> Result<usize> {
        self.execute("DELETE FROM refresh_tokens WHERE user_id = $1", &[&user_id])
    }

    fn delete_expired_refresh_tokens(&mut self, now: i64) -> Result<usize> {
        self.execute("DELETE FROM refresh_tokens WHERE expires_at <= $1", &[&now])
    }

    fn insert_signing_key(&mut self, record: &SigningKeyRecord) -> Result<()> {
        self.execute(
            &format!("INSERT INTO signing_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[
                &record.kid,
                &record.algorithm,
                &record.created_at,
                &record.deactivated_at,
                &record.published_until,
            ],
        )?;
        Ok(())
    }

    fn insert_first_signing_key(&mut self, record: &SigningKeyRecord) -> Result<bool> {
        // Two writers that both see an empty table form a read-write cycle, which
        // SERIALIZABLE breaks by failing one with 40001; its rerun sees the other's key.
        let inserted = self.execute(
            &format!(
                "INSERT INTO signing_keys ({KEY_COLUMNS}) \
                 SELECT $1::TEXT, $2::TEXT, $3::BIGINT, $4::BIGINT, $5::BIGINT \
                 WHERE NOT EXISTS (SELECT 1 FROM signing_keys)"
            ),
            &[
                &record.kid,
                &record.algorithm,
                &record.created_at,
                &record.deactivated_at,
                &record.published_until,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn update_key_retirement(&mut self, kid: &str, now: i64, published_until: i64) -> Result<()> {
        let changed = self.execute(
            "UPDATE signing_keys SET deactivated_at = COALESCE(deactivated_at, $2), \
             published_until = $3 WHERE kid = $1",
            &[&kid, &now, &published_until],
        )?;
        if changed == 0 {
            return Err(Error::not_found(format!("no signing key with kid {kid}")));
        }
        Ok(())
    }

    fn insert_sealed_key(&mut self, name: &str, sealed: &[u8], now: i64) -> Result<bool> {
        let inserted = self.execute(
            "INSERT INTO sealed_keys (name, sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
            &[&name, &sealed, &now],
        )?;
        Ok(inserted == 1)
    }

    fn insert_mint(&mut self, record: &MintRecord) -> Result<()> {
        self.execute(
            "INSERT INTO mints (jti, kind, sub, role, iat, exp, scope, agent_id, session_id, \
             minted_by, org_id, parent_jti) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &record.jti,
                &record.kind,
                &record.sub,
                &record.role,
                &record.iat,
                &record.exp,
                &record.scope,
                &record.agent_id,
                &record.session_id,
                &record.minted_by,
                &record.org_id,
                &record.parent_jti,
            ],
        )?;
        Ok(())
    }

    fn insert_revocation(
        &mut self,
        revocation: &Revocation,
        expires_at: i64,
    ) -> Result<Revocation> {
        self.execute(
            "INSERT INTO revocations (jti, revoked_at, reason, revoked_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (jti) DO NOTHING",
            &[
                &revocation.jti,
                &revocation.revoked_at,
                &revocation.reason,
                &revocation.revoked_by,
                &expires_at,
            ],
        )?;
        let row = self.query_one(
            "SELECT jti, revoked_at, reason, revoked_by FROM revocations WHERE jti = $1",
            &[&revocation.jti],
        )?;
        revocation_of(&row)
    }

    fn delete_expired_mints(&mut self, expired_by: i64, limit: usize) -> Result<usize> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.execute(
            "DELETE FROM mints WHERE id IN (SELECT id FROM mints WHERE exp <= $1 LIMIT $2)",
            &[&expired_by, &limit],
        )
    }

    fn delete_expired_revocations(&mut self, now: i64) -> Result<usize> {
        self.execute("DELETE FROM revocations WHERE expires_at <= $1", &[&now])
    }

    fn revoke_descendants(
        &mut self,
        revocation: &Revocation,
        max_depth: u32,
        limit: u32,
    ) -> Result<usize> {
        self.execute(
            "WITH RECURSIVE descendants (jti, exp, depth) AS ( \
                 SELECT jti, exp, 1::BIGINT FROM mints WHERE parent_jti = $1 \
                 UNION ALL \
                 SELECT m.jti, m.exp, d.depth + 1 FROM mints m \
                 JOIN descendants d ON m.parent_jti = d.jti WHERE d.depth < $5::BIGINT \
             ) \
             INSERT INTO revocations (jti, revoked_at, reason, revoked_by, expires_at) \
             SELECT jti, $2, $3, $4, exp FROM descendants d WHERE exp > $2 \
             AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.jti = d.jti) LIMIT $6 \
             ON CONFLICT (jti) DO NOTHING",
            &[
                &revocation.jti,
                &revocation.revoked_at,
                &revocation.reason,
                &revocation.revoked_by,
                &i64::from(max_depth),
                &i64::from(limit),
            ],
        )
    }

    fn insert_challenge(
        &mut self,
        new: &NewChallenge<'_>,
        limits: ChallengeLimits,
    ) -> Result<Evicted> {
        // The SQLite backend's algorithm, statement for statement (see sqlite/challenges.rs).
        let mut evicted = Evicted::default();
        let quota = limits.client_quota.max(1);
        while self.count_client_challenges(new.client)? >= quota {
            if self.delete_oldest_challenge_of(new.client)? == 0 {
                break;
            }
            evicted.own += 1;
        }
        if self.count_challenges()? >= limits.max_pending.max(1) {
            evicted.expired = self.delete_expired_challenges(new.created_at)?;
            while self.count_challenges()? >= limits.max_pending.max(1) {
                let Some(largest) = self.largest_challenge_client()? else {
                    break;
                };
                if self.delete_oldest_challenge_of(&largest)? == 0 {
                    break;
                }
                evicted.largest_client += 1;
            }
        }
        // `seq` is an identity column: the order challenges were stored in, drawn without
        // a row every writer would update.
        self.execute(
            "INSERT INTO challenges (challenge, address, client, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &new.challenge,
                &new.address,
                &new.client,
                &new.created_at,
                &new.expires_at,
            ],
        )?;
        Ok(evicted)
    }

    fn take_challenge(&mut self, challenge: &str) -> Result<Option<PendingChallenge>> {
        self.query_opt(
            "DELETE FROM challenges WHERE challenge = $1 RETURNING address, expires_at",
            &[&challenge],
        )?
        .map(|row| {
            Ok(PendingChallenge {
                address: get(&row, 0)?,
                expires_at: get(&row, 1)?,
            })
        })
        .transpose()
    }

    fn delete_expired_challenges(&mut self, now: i64) -> Result<usize> {
        self.execute("DELETE FROM challenges WHERE expires_at <= $1", &[&now])
    }

    fn record_login_failure(
        &mut self,
        key: &[u8; 32],
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32> {
        // Two replicas counting on one row: the later waits for the earlier's row lock, then
        // fails with 40001 under SERIALIZABLE, and its rerun counts on top. No increment is lost.
        let row = self.query_one(
            "INSERT INTO login_failures AS counter (key, failures, failed_at_ms) \
             VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN counter.failed_at_ms < $3 THEN 1 \
                     ELSE counter.failures + 1 END, \
                 failed_at_ms = GREATEST(counter.failed_at_ms, EXCLUDED.failed_at_ms) \
             RETURNING failures",
            &[&&key[..], &now_ms, &forget_before_ms],
        )?;
        Ok(failure_count(get(&row, 0)?))
    }

    fn delete_login_failures(&mut self, key: &[u8; 32]) -> Result<usize> {
        self.execute("DELETE FROM login_failures WHERE key = $1", &[&&key[..]])
    }

    fn delete_expired_login_failures(&mut self, failed_before_ms: i64) -> Result<usize> {
        self.execute(
            "DELETE FROM login_failures WHERE failed_at_ms < $1",
            &[&failed_before_ms],
        )
    }

    fn delete_excess_login_failures(&mut self, max_rows: u64) -> Result<usize> {
        let excess = self.count_login_failures()?.saturating_sub(max_rows);
        if excess == 0 {
            return Ok(0);
        }
        self.execute(
            "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures \
             ORDER BY failures, failed_at_ms LIMIT $1)",
            &[&i64::try_from(excess).unwrap_or(i64::MAX)],
        )
    }

    fn insert_group(&mut self, group: &Group) -> Result<bool> {
        // A taken id or name must leave the transaction usable, as on SQLite: no unique
        // violation is raised, the conflict is found by `ON CONFLICT DO NOTHING`.
        let inserted = self.execute(
            &format!(
                "INSERT INTO groups ({GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT DO NOTHING"
            ),
            &[
                &group.id,
                &group.org_id,
                &group.name,
                &group.description,
                &group.created_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn update_group(&mut self, group: &Group) -> Result<bool> {
        let changed = self.execute(
            "UPDATE groups SET name = $2, description = $3 WHERE id = $1",
            &[&group.id, &group.name, &group.description],
        )?;
        Ok(changed == 1)
    }

    fn delete_group(&mut self, id: &str) -> Result<bool> {
        // The memberships go with it (ON DELETE CASCADE).
        Ok(self.execute("DELETE FROM groups WHERE id = $1", &[&id])? == 1)
    }

    fn insert_group_member(&mut self, member: &GroupMember) -> Result<bool> {
        let inserted = self.execute(
            "INSERT INTO group_members (group_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
            &[&member.group_id, &member.user_id, &member.joined_at],
        )?;
        Ok(inserted == 1)
    }

    fn delete_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool> {
        let changed = self.execute(
            "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
            &[&group_id, &user_id],
        )?;
        Ok(changed == 1)
    }

    fn set_registration_enabled(&mut self, setting: &RuntimeSetting<bool>) -> Result<()> {
        self.execute(
            "INSERT INTO runtime_settings (name, value, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            &[
                &REGISTRATION_ENABLED,
                &format_bool(setting.value),
                &setting.updated_at,
                &setting.updated_by,
            ],
        )?;
        Ok(())
    }

    fn insert_client(&mut self, client: &OAuthClient) -> Result<()> {
        // As `insert_user`: no unique violation is raised, so the transaction stays usable.
        let inserted = self.execute(
            &format!(
                "INSERT INTO oauth_clients ({CLIENT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            ),
            &[
                &client.client_id,
                &client.role.as_str(),
                &client.scopes.join(" "),
                &i64::try_from(client.ttl).unwrap_or(i64::MAX),
                &client.secret_hash,
                &client.previous_secret_hash,
                &client.previous_valid_until,
                &client.created_at,
            ],
        )?;
        if inserted == 0 {
            return Err(Error::new(
                ErrorKind::Conflict,
                "a client with this id already exists",
            ));
        }
        Ok(())
    }

    fn update_client_secret(
        &mut self,
        client_id: &str,
        secret_hash: &[u8],
        previous_secret_hash: Option<&[u8]>,
        previous_valid_until: Option<i64>,
    ) -> Result<()> {
        let changed = self.execute(
            "UPDATE oauth_clients SET secret_hash = $2, previous_secret_hash = $3, \
             previous_valid_until = $4 WHERE client_id = $1",
            &[
                &client_id,
                &secret_hash,
                &previous_secret_hash,
                &previous_valid_until,
            ],
        )?;
        if changed == 0 {
            return Err(Error::new(ErrorKind::NotFound, "no such client"));
        }
        Ok(())
    }

    fn delete_client(&mut self, client_id: &str) -> Result<bool> {
        Ok(self.execute(
            "DELETE FROM oauth_clients WHERE client_id = $1",
            &[&client_id],
        )? > 0)
    }
}
