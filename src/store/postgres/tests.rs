//! The PostgreSQL backend against a real server, which `PICOAUTH_TEST_POSTGRES` names (an
//! admin URL such as `postgres://postgres@127.0.0.1:54329/postgres`; `.ci/run` starts one).
//! Each test creates its own database and drops it after; built without the variable, each
//! test is ignored with the reason (build.rs sets the `picoauth_test_postgres` cfg).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use super::*;
use crate::roles::Role;
use crate::store::{
    ChallengeLimits, Evicted, MintRecord, MintSelection, NewChallenge, NewRefreshToken,
    RefreshOwner, RefreshRotation, Revocation, SigningKeyRecord, User, UserStatus,
};

/// Databases made by this process so far, for unique names.
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

/// A database of its own for one test, dropped with it.
struct TestDb {
    /// The server's admin URL.
    admin: String,
    /// `picoauth_test_<pid>_<n>`.
    name: String,
    /// The URL of the test's database.
    url: String,
}

impl TestDb {
    /// A fresh database; panics when no server is configured (built without one, the tests
    /// that call this are ignored).
    fn create() -> TestDb {
        // Built without the variable, these tests are ignored; run anyway, they fail.
        let Ok(admin) = std::env::var("PICOAUTH_TEST_POSTGRES") else {
            panic!("no PostgreSQL: set PICOAUTH_TEST_POSTGRES (and rebuild) to run this test");
        };
        let name = format!(
            "picoauth_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = admin_client(&admin);
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = with_dbname(&admin, &name);
        TestDb { admin, name, url }
    }

    fn open(&self) -> PgStore {
        PgStore::open(&self.url).unwrap()
    }

    /// A connection to the test's database, outside any store.
    fn client(&self) -> Client {
        admin_client(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let mut client = admin_client(&self.admin);
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

fn admin_client(url: &str) -> Client {
    Pool::new(parse_url(url).unwrap())
        .unwrap()
        .connect()
        .unwrap()
}

/// `url` with its database name replaced by `name`.
fn with_dbname(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let host_end = base[authority..]
        .find('/')
        .map_or(base.len(), |at| authority + at);
    format!("{}/{name}{query}", &base[..host_end])
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn with_dbname_replaces_only_the_database() {
    assert_eq!(
        with_dbname("postgres://u@h:1/postgres?sslmode=disable", "t"),
        "postgres://u@h:1/t?sslmode=disable"
    );
    assert_eq!(with_dbname("postgres://u@h:1", "t"), "postgres://u@h:1/t");
}

fn user(id: &str, email: &str) -> User {
    User {
        id: id.to_owned(),
        email: email.to_owned(),
        display_name: String::new(),
        password_hash: "x".to_owned(),
        role: Role::Superadmin,
        org_id: "default".to_owned(),
        status: UserStatus::Active,
        created_at: 0,
        last_login_at: None,
    }
}

fn key(kid: &str) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: kid.to_owned(),
        algorithm: "RS256".to_owned(),
        created_at: 0,
        deactivated_at: None,
        published_until: None,
    }
}

/// Stores `challenge` for `client` (address `0xabc`, asked at 5, usable until 65) under
/// `limits`, and returns what that evicted.
fn insert_challenge(
    store: &PgStore,
    limits: ChallengeLimits,
    challenge: &str,
    client: &str,
) -> Evicted {
    store
        .write(|transaction| {
            transaction.insert_challenge(
                &NewChallenge {
                    challenge,
                    address: "0xabc",
                    client,
                    created_at: 5,
                    expires_at: 65,
                },
                limits,
            )
        })
        .unwrap()
}

/// How many challenges are pending in all, and how many of them `client` holds.
fn challenge_counts(store: &PgStore, client: &str) -> (u64, u64) {
    store
        .read(|transaction| {
            Ok((
                transaction.count_challenges()?,
                transaction.count_client_challenges(client)?,
            ))
        })
        .unwrap()
}

/// Runs `work(i)` on `n` threads released at once, and returns their results in order.
fn at_once<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|index| {
                let barrier = &barrier;
                let work = &work;
                scope.spawn(move || {
                    barrier.wait();
                    work(index)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    })
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn migrations_run_exactly_once_under_five_concurrent_opens() {
    let db = TestDb::create();
    let opened = at_once(5, |_| PgStore::open(&db.url).map(|_| ()));
    for result in opened {
        result.unwrap();
    }
    let mut client = db.client();
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, (1..=schema::latest()).collect::<Vec<_>>());
    // Reopening an up-to-date database changes nothing.
    db.open();
    let count: i64 = client
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, schema::latest());
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_database_from_a_newer_picoauth_is_refused() {
    let db = TestDb::create();
    db.open();
    db.client()
        .execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)",
            &[&(schema::latest() + 1)],
        )
        .unwrap();
    let error = PgStore::open(&db.url).err().unwrap();
    assert_eq!(error.kind(), ErrorKind::Storage);
    assert!(error.to_string().contains("newer"), "{error}");
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn sslmode_require_is_never_plaintext() {
    // The test server has no TLS: asking for it must fail, not fall back.
    let db = TestDb::create();
    let separator = if db.url.contains('?') { '&' } else { '?' };
    // A later parameter overrides an earlier one.
    let url = format!("{}{separator}sslmode=require", db.url);
    assert!(PgStore::open(&url).is_err());
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_refresh_token_rotates_once_among_twenty_concurrent_uses() {
    let db = TestDb::create();
    // Two stores: two replicas on one database.
    let stores = [db.open(), db.open()];
    let owner = RefreshOwner::User("u1".to_owned());
    stores[0]
        .write(|transaction| {
            transaction.insert_user(&user("u1", "a@example.com"))?;
            transaction.insert_refresh_token(&NewRefreshToken {
                token_hash: b"hash",
                family_id: "family",
                owner: &owner,
                access_jti: "jti",
                issued_at: 10,
                expires_at: 100,
            })
        })
        .unwrap();
    let outcomes = at_once(20, |index| {
        stores[index % 2]
            .write(|transaction| transaction.rotate_refresh_token(b"hash", 20))
            .unwrap()
    });
    let won = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, RefreshRotation::Rotated(_)))
        .count();
    let replays = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, RefreshRotation::AlreadyRotated(_)))
        .count();
    assert_eq!((won, replays), (1, 19), "{outcomes:?}");
    let unknown = stores[1]
        .write(|transaction| transaction.rotate_refresh_token(b"other", 30))
        .unwrap();
    assert_eq!(unknown, RefreshRotation::Unknown);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_challenge_is_taken_once_among_twenty_concurrent_attempts() {
    let db = TestDb::create();
    let store = db.open();
    let limits = ChallengeLimits {
        max_pending: 10,
        client_quota: 3,
    };
    store
        .write(|transaction| {
            transaction.insert_challenge(
                &NewChallenge {
                    challenge: "c1",
                    address: "0xabc",
                    client: "client",
                    created_at: 0,
                    expires_at: 60,
                },
                limits,
            )
        })
        .unwrap();
    let taken = at_once(20, |_| {
        store
            .write(|transaction| transaction.take_challenge("c1"))
            .unwrap()
    });
    assert_eq!(taken.iter().filter(|taken| taken.is_some()).count(), 1);
    let counts = challenge_counts(&store, "client");
    assert_eq!(counts, (0, 0));
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn challenges_evict_the_clients_own_oldest_first_stored() {
    let db = TestDb::create();
    let store = db.open();
    let limits = ChallengeLimits {
        max_pending: 10,
        client_quota: 3,
    };
    let insert =
        |challenge: &str, client: &str| insert_challenge(&store, limits, challenge, client);
    for challenge in ["z", "y", "x"] {
        assert_eq!(insert(challenge, "flooder").own, 0);
    }
    insert("honest", "honest");
    assert_eq!(insert("w", "flooder").own, 1);
    let pending = |challenge: &str| {
        store
            .write(|transaction| transaction.take_challenge(challenge))
            .unwrap()
            .is_some()
    };
    assert!(!pending("z"), "the first stored went");
    assert!(pending("honest"));
    let counts = challenge_counts(&store, "flooder");
    assert_eq!(counts, (3, 3));
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_user_is_inserted_if_absent_once_among_twenty() {
    let db = TestDb::create();
    let store = db.open();
    let inserted = at_once(20, |index| {
        store
            .write(|transaction| {
                transaction.insert_user_if_absent(&user(&format!("u{index}"), "admin@example.com"))
            })
            .unwrap()
    });
    assert_eq!(inserted.iter().filter(|inserted| **inserted).count(), 1);
    let n_superadmins = store
        .read(|transaction| transaction.count_with_role(Role::Superadmin))
        .unwrap();
    assert_eq!(n_superadmins, 1);
    // A taken email is `Conflict`, and the transaction stays usable after it, as on SQLite.
    let outcome = store
        .write(|transaction| {
            let conflict = transaction
                .insert_user(&user("other", "admin@example.com"))
                .unwrap_err();
            transaction.insert_user(&user("fresh", "fresh@example.com"))?;
            Ok(conflict.kind())
        })
        .unwrap();
    assert_eq!(outcome, ErrorKind::Conflict);
    assert!(
        store
            .read(|transaction| transaction.get_user_by_id("fresh"))
            .unwrap()
            .is_some()
    );
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn only_one_first_signing_key_among_twenty_concurrent_starts() {
    let db = TestDb::create();
    let stores = [db.open(), db.open()];
    let first = at_once(20, |index| {
        stores[index % 2]
            .write(|transaction| transaction.insert_first_signing_key(&key(&format!("k{index}"))))
            .unwrap()
    });
    assert_eq!(first.iter().filter(|first| **first).count(), 1);
    let (keys, version) = stores[0]
        .read(|transaction| {
            Ok((
                transaction.list_signing_keys()?,
                transaction.get_signing_keys_version()?,
            ))
        })
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(version, 1, "the version moved once");
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn revocations_keep_the_first_entry_and_move_the_version() {
    let db = TestDb::create();
    let store = db.open();
    let revocation = |by: &str| Revocation {
        jti: "j1".to_owned(),
        revoked_at: 10,
        reason: String::new(),
        revoked_by: by.to_owned(),
    };
    let mint = MintRecord {
        id: 0,
        jti: "j1".to_owned(),
        kind: "fleet".to_owned(),
        sub: "agent".to_owned(),
        role: "agent".to_owned(),
        org_id: None,
        iat: 0,
        exp: 100,
        scope: None,
        agent_id: Some("agent".to_owned()),
        session_id: None,
        minted_by: "cli:root".to_owned(),
        revoked: false,
        parent_jti: None,
    };
    store
        .write(|transaction| transaction.insert_mint(&mint))
        .unwrap();
    let active = store
        .read(|transaction| transaction.list_mints(&[MintSelection::Unowned], 50, Some(5)))
        .unwrap();
    assert_eq!(active.len(), 1);
    for by in ["cli:first", "cli:second"] {
        let stored = store
            .write(|transaction| transaction.insert_revocation(&revocation(by), 100))
            .unwrap();
        assert_eq!(stored.revoked_by, "cli:first");
    }
    let (version, listed, active, revoked_mint) = store
        .read(|transaction| {
            Ok((
                transaction.get_revocations_version()?,
                transaction.list_revocations(0, 50)?,
                transaction.list_mints(&[MintSelection::All], 50, Some(5))?,
                transaction.get_mint("j1")?,
            ))
        })
        .unwrap();
    assert_eq!(version, 1);
    assert_eq!(listed.len(), 1);
    assert!(active.is_empty(), "a revoked token is not active");
    assert!(revoked_mint.is_some_and(|mint| mint.revoked));
    let pruned = store
        .write(|transaction| transaction.delete_expired_revocations(100))
        .unwrap();
    assert_eq!(pruned, 1);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_rolled_back_write_leaves_nothing() {
    let db = TestDb::create();
    let store = db.open();
    let error = store
        .write(|transaction| {
            transaction.insert_user(&user("u1", "a@example.com"))?;
            Err::<(), _>(Error::invalid_input("changed my mind"))
        })
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let found = store
        .read(|transaction| transaction.get_user_by_id("u1"))
        .unwrap();
    assert!(found.is_none());
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn lost_connections_are_replaced_and_writes_rerun() {
    let db = TestDb::create();
    let store = Arc::new(db.open());
    store
        .write(|transaction| transaction.insert_user(&user("u1", "a@example.com")))
        .unwrap();
    // The server ends every session on the database (as a restart or a failover would).
    let kill = |db: &TestDb| {
        let mut client = admin_client(&db.admin);
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&db.name],
            )
            .unwrap();
    };
    kill(&db);
    // A write whose connection died before COMMIT reruns on a fresh one.
    store
        .write(|transaction| transaction.update_last_login("u1", 5))
        .unwrap();
    kill(&db);
    // A read on a dead connection may fail, as `Unavailable`; the next one works.
    let first = store.read(|transaction| transaction.get_user_by_id("u1"));
    if let Err(error) = &first {
        assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
    }
    let found = store
        .read(|transaction| transaction.get_user_by_id("u1"))
        .unwrap();
    assert_eq!(found.map(|user| user.last_login_at), Some(Some(5)));
    store.ping().unwrap();
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn at_the_bound_ties_evict_the_oldest_challenge_never_the_newest_askers() {
    let db = TestDb::create();
    let store = db.open();
    let limits = ChallengeLimits {
        max_pending: 10,
        client_quota: 3,
    };
    let insert =
        |challenge: &str, client: &str| insert_challenge(&store, limits, challenge, client);
    let pending = |challenge: &str| {
        store
            .read(|transaction| {
                transaction
                    .count_client_challenges(challenge)
                    .map(|n| n > 0)
            })
            .unwrap()
    };
    // A flood of one challenge per fresh address fills the table (each client named after its
    // challenge, so a client's count says whether its challenge is pending).
    for n in 0..10 {
        insert(&format!("f{n}"), &format!("f{n}"));
    }
    insert("victim", "victim");
    assert!(!pending("f0"), "everyone holds one: the first stored goes");
    for n in 10..19 {
        insert(&format!("f{n}"), &format!("f{n}"));
    }
    assert!(pending("victim"), "nine newer challenges later");
    assert!(!pending("f9"), "evicted in order of arrival");
    insert("f19", "f19");
    assert!(!pending("victim"), "ten newer challenges later");
    assert!(pending("f10"));
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn login_failures_count_forget_clear_and_stay_bounded() {
    let db = TestDb::create();
    crate::store::tests::check_login_failures(&crate::store::Store {
        backend: crate::store::Backend::Postgres(db.open()),
    });
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn groups_are_unique_per_organisation_and_memberships_cascade() {
    let db = TestDb::create();
    crate::store::tests::check_groups(&crate::store::Store {
        backend: crate::store::Backend::Postgres(db.open()),
    });
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn the_delegation_audit_finds_and_revokes_descendants() {
    let db = TestDb::create();
    crate::store::tests::check_delegation_audit(&crate::store::Store {
        backend: crate::store::Backend::Postgres(db.open()),
    });
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn clients_are_added_rotated_listed_and_deleted() {
    let db = TestDb::create();
    crate::store::tests::check_clients(&crate::store::Store {
        backend: crate::store::Backend::Postgres(db.open()),
    });
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn the_registration_switch_is_stored_and_replaced() {
    let db = TestDb::create();
    let store = |pg| crate::store::Store {
        backend: crate::store::Backend::Postgres(pg),
    };
    crate::store::tests::check_registration_switch(&store(db.open()), &store(db.open()));
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn wallet_subjects_as_long_as_an_ml_dsa_key_are_audited() {
    // With `wallet_subject = "public_key"` an ML-DSA-65 wallet's `sub` is 3,904 hex digits,
    // more than a B-tree entry holds: the audit must not index it (migration 5).
    let db = TestDb::create();
    let store = db.open();
    let sub = "ab".repeat(1952);
    store
        .write(|transaction| {
            transaction.insert_mint(&MintRecord {
                id: 0,
                jti: "j-wallet".to_owned(),
                kind: "wallet".to_owned(),
                sub: sub.clone(),
                role: "wallet".to_owned(),
                org_id: None,
                iat: 0,
                exp: 100,
                scope: None,
                agent_id: None,
                session_id: None,
                minted_by: "POST /sign-in".to_owned(),
                revoked: false,
                parent_jti: None,
            })
        })
        .unwrap();
    let listed = store
        .read(|transaction| transaction.list_mints(&[MintSelection::Unowned], 10, None))
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].sub, sub);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_statement_is_prepared_once_per_connection_and_outlives_a_rollback() {
    let db = TestDb::create();
    drop(db.open());
    let mut connection = statements::Connection::new(db.client());
    let (client, statements) = connection.parts();
    let sql = "SELECT count(*) FROM users";
    let mut transaction = client.transaction().unwrap();
    let first = statements.prepared(&mut transaction, sql).unwrap();
    transaction.rollback().unwrap();
    let again = statements.prepared(client, sql).unwrap();
    let count: i64 = client.query_one(&again, &[]).unwrap().get(0);
    assert_eq!(count, 0);
    // One statement on the server for both, and it survived the rollback.
    let on_server = client
        .simple_query("SELECT count(*) FROM pg_prepared_statements")
        .unwrap();
    let prepared = on_server.iter().find_map(|message| match message {
        postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    });
    assert_eq!(prepared.as_deref(), Some("1"));
    drop((first, again));
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn writers_colliding_on_one_row_queue_and_all_commit() {
    // Every challenge moves the one `counters` row: three stores (three replicas) with 24
    // writers each collide on it. Reruns queue on the rerun lock, so none runs out of tries.
    let db = TestDb::create();
    let stores: Vec<PgStore> = (0..3).map(|_| db.open()).collect();
    let limits = ChallengeLimits {
        max_pending: 50,
        client_quota: 2,
    };
    for round in 0..3 {
        let results = at_once(72, |index| {
            let challenge = format!("c-{round}-{index}");
            let client = format!("client-{}", index % 30);
            stores[index % 3].write(|transaction| {
                transaction.insert_challenge(
                    &NewChallenge {
                        challenge: &challenge,
                        address: "0xabc",
                        client: &client,
                        created_at: 0,
                        expires_at: 60,
                    },
                    limits,
                )
            })
        });
        let failed: Vec<String> = results
            .iter()
            .filter_map(|result| result.as_ref().err().map(|error| format!("{error:?}")))
            .collect();
        assert!(failed.is_empty(), "round {round}: {failed:?}");
        let mut client = db.client();
        let rows: i64 = client
            .query_one("SELECT count(*) FROM challenges", &[])
            .unwrap()
            .get(0);
        assert_eq!(
            stores[0].read(|t| t.count_challenges()).unwrap(),
            rows.unsigned_abs()
        );
        assert!(rows <= 50, "round {round}: {rows} pending");
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn replicas_racing_on_one_counter_never_lose_a_failure() {
    let db = TestDb::create();
    // Four stores, four replicas on one database, each with one writer at a time on the row
    // (what `App::record_login_failure` queues them to): 25 failures each, none lost. Many more
    // writers on one row at once can use up a write's reruns; see `app::login_failures`.
    let stores = [db.open(), db.open(), db.open(), db.open()].map(|store| crate::store::Store {
        backend: crate::store::Backend::Postgres(store),
    });
    crate::store::tests::check_racing_failures_are_all_counted(&stores, 4, 25);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_pool_whose_sessions_the_server_ended_serves_the_second_read_and_the_next_write() {
    // A terminated backend shows as an I/O error (a reset) with no SQLSTATE, which the client
    // does not mark closed: a write must rerun past such a connection, and neither it nor the
    // pool's other idle connections (ended by the same restart) may be lent out again.
    let db = TestDb::create();
    let store = Arc::new(db.open());
    store
        .write(|transaction| transaction.insert_user(&user("u1", "a@example.com")))
        .unwrap();
    let fill_and_end_the_pool = || {
        // Several connections in the pool, used just now (so not pinged before they are lent).
        at_once(4, |_| {
            store
                .read(|transaction| transaction.get_user_by_id("u1"))
                .unwrap()
        });
        let mut admin = admin_client(&db.admin);
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&db.name],
            )
            .unwrap();
    };
    for round in 0..5 {
        fill_and_end_the_pool();
        // At most one read fails (its connection died with the rest); the next works.
        let first = store.read(|transaction| transaction.get_user_by_id("u1"));
        if let Err(error) = &first {
            assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
        }
        store
            .read(|transaction| transaction.get_user_by_id("u1"))
            .unwrap_or_else(|error| panic!("round {round}: a second read failed: {error:?}"));

        fill_and_end_the_pool();
        store
            .write(|transaction| transaction.update_last_login("u1", round))
            .unwrap_or_else(|error| panic!("round {round}: the write was not rerun: {error:?}"));
        let found = store
            .read(|transaction| transaction.get_user_by_id("u1"))
            .unwrap_or_else(|error| panic!("round {round}: a read after the write: {error:?}"));
        assert_eq!(found.and_then(|user| user.last_login_at), Some(round));
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_statement_whose_table_changed_under_it_is_prepared_afresh() {
    let db = TestDb::create();
    let store = db.open();
    store
        .write(|transaction| transaction.insert_user(&user("u1", "a@example.com")))
        .unwrap();
    store
        .read(|transaction| transaction.get_user_by_id("u1"))
        .unwrap();
    // A migration by another process changes a column's type under the cached plan.
    db.client()
        .batch_execute("ALTER TABLE users ALTER COLUMN display_name TYPE VARCHAR(500)")
        .unwrap();
    // PostgreSQL refuses the cached plan once ("cached plan must not change result type");
    // the failure empties the cache, so the next call prepares afresh and works.
    if let Err(error) = store.read(|transaction| transaction.get_user_by_id("u1")) {
        assert_eq!(error.kind(), ErrorKind::Storage, "{error}");
    }
    let found = store
        .read(|transaction| transaction.get_user_by_id("u1"))
        .unwrap();
    assert_eq!(
        found.map(|user| user.email).as_deref(),
        Some("a@example.com")
    );
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn token_exchange_narrows_and_a_revocation_reaches_every_descendant() {
    use crate::app::delegation::tests::{
        check_a_chain_narrows, check_revoking_a_parent_revokes_its_children,
    };
    use base64::Engine;
    let db = TestDb::create();
    let dir = std::env::temp_dir().join(format!("picoauth-pg-exchange-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let kek = dir.join("kek");
    std::fs::write(
        &kek,
        base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
    )
    .unwrap();
    let config = crate::config::Config {
        db: std::path::PathBuf::from(&db.url),
        key_dir: dir.join("keys"),
        key_encryption_key_file: Some(kek),
        admin_password: crate::config::Secret::new("admin-password-1"),
        agent_scopes: vec![(
            Role::Viewer,
            vec!["treasury:*".to_owned(), "docs:read".to_owned()],
        )],
        max_delegation_depth: 2,
        ..crate::config::Config::default()
    };
    let now = crate::app::testing::NOW;
    let app = crate::app::App::open(config, now).unwrap();
    app.register("ada@example.com", "ada-password-1", None, now)
        .unwrap();
    let user_token = app
        .login("ada@example.com", "ada-password-1", now)
        .unwrap()
        .access_token;
    check_a_chain_narrows(&app, &user_token);
    check_revoking_a_parent_revokes_its_children(&app, &user_token);
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn migrate_db_copies_each_exchanged_tokens_parent_jti() {
    let dir = std::env::temp_dir().join(format!("picoauth-pg-copy-parent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let source =
        crate::store::Store::open(&crate::store::DbLocation::Sqlite(dir.join("picoauth.db")))
            .unwrap();
    let mint = |jti: &str, parent: Option<&str>| MintRecord {
        id: 0,
        jti: jti.to_owned(),
        kind: "agent".to_owned(),
        sub: "planner".to_owned(),
        role: "agent".to_owned(),
        org_id: Some("default".to_owned()),
        iat: 0,
        exp: 100,
        scope: Some("treasury:*".to_owned()),
        agent_id: None,
        session_id: None,
        minted_by: "client:planner".to_owned(),
        revoked: false,
        parent_jti: parent.map(str::to_owned),
    };
    source
        .write(|transaction| {
            transaction.insert_mint(&mint("child", Some("user-jti")))?;
            transaction.insert_mint(&mint("grandchild", Some("child")))
        })
        .unwrap();
    let db = TestDb::create();
    let target = crate::store::Store {
        backend: crate::store::Backend::Postgres(db.open()),
    };
    source.copy_into(&target, &[], 0).unwrap();
    let copied = target
        .read(|transaction| transaction.get_mint("grandchild"))
        .unwrap()
        .unwrap();
    assert_eq!(copied.parent_jti.as_deref(), Some("child"));
    let revoked = target
        .write(|transaction| {
            transaction.revoke_descendants(
                &Revocation {
                    jti: "user-jti".to_owned(),
                    revoked_at: 10,
                    reason: "exchanged from revoked user-jti".to_owned(),
                    revoked_by: "cli:root".to_owned(),
                },
                16,
                100,
            )
        })
        .unwrap();
    assert_eq!(revoked, 2, "the copied chain is followed on the target");
    drop(source);
    let _ = std::fs::remove_dir_all(&dir);
}
