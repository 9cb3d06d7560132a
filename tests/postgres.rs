//! `picoauth serve` on PostgreSQL: the real binary against a real server, which
//! `PICOAUTH_TEST_POSTGRES` names (an admin URL; `.ci/run` starts one). Built without it, the test
//! is reported as ignored, with the reason (see `build.rs`). These run in the SQLite run too;
//! the whole suite runs on PostgreSQL with `PICOAUTH_TEST_BACKEND=postgres` (README).
//!
//! Here: what is PostgreSQL's own — the keys sealed in the database under the key-encryption key
//! (API.md §11), shared by replicas that share no key directory, and `migrate-db`.

use base64::Engine;
use serde_json::{Value, json};

use crate::util::{
    PgDatabase, Server, Session, TestDir, run_on, run_picoauth, serve_on_db_until_exit,
};

/// A database of the test's own on the server, dropped after (the replica tests use it too).
pub(crate) struct TestDb {
    /// `picoauth_test_<pid>_<test>`.
    pub(crate) name: String,
    /// The URL of the test's database.
    pub(crate) url: String,
    /// The database itself, dropped with this.
    _database: PgDatabase,
}

impl TestDb {
    /// A fresh database named after `test` (unique within the run); panics without a server.
    pub(crate) fn create(test: &str) -> Option<TestDb> {
        let name = format!("picoauth_test_{}_{test}", std::process::id());
        let database = PgDatabase::create(&name);
        Some(TestDb {
            url: database.url.clone(),
            name,
            _database: database,
        })
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn serve_on_postgres_logs_in_refreshes_and_revokes() {
    let db = PgDatabase::create(&format!("picoauth_test_{}_serve", std::process::id()));
    let dir = TestDir::new();
    let kek = kek_file(&dir, "kek", 1);
    let server = Server::start_on_db(&dir, &db.url, &["--key-encryption-key-file", &kek]);
    server.get("/readyz").send().assert_status(200);
    assert!(
        !dir.path().join("picoauth.db").exists(),
        "no SQLite file is made when db is a URL"
    );

    let admin = server.admin();
    let (_, first) = server.register_and_login("pg@example.com");
    let second = Session::from_response(&server.refresh(&first.refresh_token));
    server
        .get("/api/v1/auth/me")
        .with_bearer(&second.access_token)
        .send()
        .ok_json();
    // The rotated token is spent: a second use is reuse, and it ends the chain.
    server
        .refresh(&first.refresh_token)
        .assert_error(401, "invalid_token");
    server
        .refresh(&second.refresh_token)
        .assert_error(401, "invalid_token");

    // Revoking a live access token takes effect at the next request.
    let third = server.login(
        "pg@example.com",
        &crate::util::password_for("pg@example.com"),
    );
    let jti = crate::util::decode_jwt(&third.access_token).claims["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = server
        .post_json("/api/v1/auth/revoke", &json!({ "jti": jti }))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_eq!(revoked["revoked"]["jti"], jti);
    server
        .get("/api/v1/auth/me")
        .with_bearer(&third.access_token)
        .send()
        .assert_error(401, "invalid_token");
    let denylist = server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert!(
        denylist.to_string().contains(&jti),
        "the denylist names the jti: {denylist}"
    );
    server.stop();
}

/// Writes a key-encryption key (32 bytes of `byte`, base64, as `openssl rand -base64 32` prints)
/// to `name` in `dir`; its path.
fn kek_file(dir: &TestDir, name: &str, byte: u8) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    dir.write(name, &format!("{encoded}\n"))
        .to_string_lossy()
        .into_owned()
}

/// Every row of `sealed_keys`: (name, sealed bytes).
fn sealed_keys(db: &TestDb) -> Vec<(String, Vec<u8>)> {
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    client
        .query("SELECT name, sealed FROM sealed_keys ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

fn jwks(server: &Server) -> Value {
    server.get("/api/v1/auth/jwks").send().ok_json()
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_replica_without_its_key_encryption_key_refuses_to_start_empty_or_populated() {
    let Some(db) = TestDb::create("kek_refusal") else {
        return;
    };
    let dir = TestDir::new();
    let refused = serve_on_db_until_exit(&dir, &db.url, &[]);
    assert_eq!(refused.status.code(), Some(2), "{refused}");
    assert!(
        refused.stderr.contains("key_encryption_key_file")
            && refused.stderr.contains("PICOAUTH_KEY_ENCRYPTION_KEY_FILE"),
        "the refusal names the setting: {refused}"
    );
    // Refused before anything was written: the database is still empty.
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let migrated: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!migrated, "a refused start leaves the database untouched");
    // An admin command on a database picoauth never used refuses it rather than create one.
    let listed = run_picoauth(&["users", "list", "--db", &db.url]);
    assert_eq!(listed.code(), 2, "{listed}");
    assert!(listed.stderr.contains("holds no picoauth data"), "{listed}");
    let migrated: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(
        !migrated,
        "an admin command leaves an unknown database untouched"
    );

    let kek = kek_file(&dir, "kek", 1);
    Server::start_on_db(&dir, &db.url, &["--key-encryption-key-file", &kek]).stop();
    let refused = serve_on_db_until_exit(&dir, &db.url, &[]);
    assert_eq!(refused.status.code(), Some(2), "{refused}");
    assert!(
        refused.stderr.contains("key_encryption_key_file"),
        "{refused}"
    );

    // Another key-encryption key does not open the keys, and says so.
    let other = kek_file(&dir, "other", 2);
    let refused = serve_on_db_until_exit(&dir, &db.url, &["--key-encryption-key-file", &other]);
    assert_eq!(refused.status.code(), Some(1), "{refused}");
    assert!(
        refused.stderr.contains("does not open"),
        "a wrong key-encryption key is named as such: {refused}"
    );
    // A file that is not a key is refused by name, before the database is used.
    let junk = dir
        .write("junk", "not a key\n")
        .to_string_lossy()
        .into_owned();
    let refused = serve_on_db_until_exit(&dir, &db.url, &["--key-encryption-key-file", &junk]);
    assert!(
        !refused.status.success() && refused.stderr.contains("key_encryption_key_file"),
        "{refused}"
    );
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn replicas_with_separate_key_directories_share_the_sealed_keys() {
    let Some(db) = TestDb::create("sealed_keys") else {
        return;
    };
    let (dir_a, dir_b) = (TestDir::new(), TestDir::new());
    let kek = kek_file(&dir_a, "kek", 7);
    let flags = ["--key-encryption-key-file", kek.as_str()];
    let a = Server::start_on_db(&dir_a, &db.url, &flags);
    let b = Server::start_on_db(&dir_b, &db.url, &flags);
    assert_eq!(jwks(&a), jwks(&b), "one key, published by both");
    let kid = a.kid();
    for dir in [&dir_a, &dir_b] {
        let files: Vec<_> = std::fs::read_dir(dir.key_dir())
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok())
                    .map(|e| e.file_name())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            files.is_empty(),
            "no key file on a PostgreSQL replica: {files:?}"
        );
    }
    let rows = sealed_keys(&db);
    let names: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["refresh", &format!("signing:{kid}")]);
    for (name, sealed) in &rows {
        assert!(sealed.starts_with(b"pak1"), "{name} is sealed");
        assert!(
            !String::from_utf8_lossy(sealed).contains("PRIVATE KEY"),
            "{name} holds no PEM"
        );
    }

    // A session begun on A continues on B: the same signing and refresh-token keys.
    let (_, session) = a.register_and_login("shared@example.com");
    b.get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send()
        .ok_json();
    let next = Session::from_response(&b.refresh(&session.refresh_token));
    a.refresh(&session.refresh_token)
        .assert_error(401, "invalid_token");
    a.refresh(&next.refresh_token)
        .assert_error(401, "invalid_token");

    // keygen on the database: refused without the key-encryption key, seen by both replicas
    // at their next request with it.
    let rotate = |extra: &[&str]| {
        let mut args = vec!["keygen", "--rotate", "--db", db.url.as_str()];
        args.extend_from_slice(extra);
        run_picoauth(&args)
    };
    let refused = rotate(&[]);
    assert_eq!(refused.code(), 2, "{refused}");
    assert!(
        refused.stderr.contains("key_encryption_key_file"),
        "{refused}"
    );
    let rotated = rotate(&flags);
    rotated.assert_code(0);
    for server in [&a, &b] {
        let keys = jwks(server)["keys"].as_array().unwrap().len();
        assert_eq!(keys, 2, "the new key and the old one in its grace period");
    }
    let (_, fresh) = b.register_and_login("after@example.com");
    let new_kid = crate::util::decode_jwt(&fresh.access_token).header["kid"].clone();
    assert_ne!(new_kid, json!(kid), "new tokens carry the new key");
    a.get("/api/v1/auth/me")
        .with_bearer(&fresh.access_token)
        .send()
        .ok_json();
    assert_eq!(sealed_keys(&db).len(), 3);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: migrate-db's source is a SQLite deployment (this runs in the SQLite run, with PostgreSQL as the target)"
)]
fn migrate_db_moves_a_populated_sqlite_deployment_and_its_sessions_keep_working() {
    let Some(db) = TestDb::create("migrate") else {
        return;
    };
    let dir = TestDir::new();
    let kek = kek_file(&dir, "kek", 9);
    // A SQLite deployment with a rotated key, a live session, a fleet token and a revocation.
    let sqlite = Server::start(&dir);
    let admin = sqlite.admin();
    let (moved_id, session) = sqlite.register_and_login("moved@example.com");
    // A group with a member: both tables travel, and tokens on the copy carry the group.
    let group = sqlite
        .post_json("/api/v1/groups", &json!({"name": "movers"}))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sqlite
        .post_json(
            &format!("/api/v1/groups/{group}/members"),
            &json!({ "user_id": moved_id }),
        )
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let old_kid = sqlite.kid();
    // To ML-DSA-65: both kinds of key travel, sealed.
    run_on(
        &dir,
        &["keygen", "--rotate", "--algorithm", "ML-DSA-65"],
        &[],
    )
    .assert_code(0);
    let (_, later) = sqlite.register_and_login("later@example.com");
    let fleet = run_on(
        &dir,
        &[
            "mint-fleet",
            "--session-id",
            "ci-1",
            "--agent-id",
            "builder",
            "--ttl",
            "1h",
        ],
        &[],
    );
    fleet.assert_code(0);
    let fleet_token = fleet.stdout.trim().to_owned();
    let revoked_jti = crate::util::decode_jwt(&later.access_token).claims["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    run_on(&dir, &["revoke", &revoked_jti], &[]).assert_code(0);
    // An OAuth client (issue 15): its secret, hashed under the refresh key, works after.
    let client = run_on(&dir, &["clients", "add", "billing", "--scopes", "a b"], &[]);
    client.assert_code(0);
    let client_secret = client.stdout.trim().to_owned();
    let jwks_before = jwks(&sqlite);
    let mints_before = sqlite
        .get("/api/v1/auth/mints")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    // The registration switch set at run time comes along (runtime_settings).
    run_on(&dir, &["users", "registration", "--disable"], &[]).assert_code(0);
    sqlite.stop();

    let migrate = |extra: &[&str]| {
        let mut args = vec!["migrate-db", "--to", db.url.as_str()];
        args.extend_from_slice(extra);
        run_on(&dir, &args, &[])
    };
    // No key-encryption key: refused by name, nothing written.
    let refused = migrate(&[]);
    assert_eq!(refused.code(), 2, "{refused}");
    assert!(
        refused.stderr.contains("key_encryption_key_file"),
        "{refused}"
    );
    let not_postgres = run_on(
        &dir,
        &[
            "migrate-db",
            "--to",
            "/tmp/other.db",
            "--key-encryption-key-file",
            &kek,
        ],
        &[],
    );
    assert_eq!(not_postgres.code(), 2, "{not_postgres}");

    let migrated = migrate(&["--key-encryption-key-file", &kek, "--json"]);
    migrated.assert_code(0);
    let report: Value = serde_json::from_str(migrated.stdout.trim()).unwrap();
    let rows = |table: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["table"] == table)
            .map(|entry| entry["rows"].as_u64().unwrap())
    };
    assert_eq!(rows("users"), Some(3), "{report}");
    assert_eq!(rows("signing_keys"), Some(2), "{report}");
    assert_eq!(rows("revocations"), Some(1), "{report}");
    assert_eq!(
        rows("sealed_keys"),
        Some(3),
        "two signing keys and the refresh key: {report}"
    );
    assert!(rows("mints").unwrap() >= 4, "{report}");
    assert_eq!(rows("groups"), Some(1), "{report}");
    assert_eq!(rows("group_members"), Some(1), "{report}");
    assert_eq!(rows("runtime_settings"), Some(1), "{report}");
    assert_eq!(rows("oauth_clients"), Some(1), "{report}");

    // Twice: refused, naming why, with nothing changed.
    let again = migrate(&["--key-encryption-key-file", &kek]);
    assert_eq!(again.code(), 1, "{again}");
    assert!(again.stderr.contains("not empty"), "{again}");
    assert_eq!(sealed_keys(&db).len(), 3);

    // A replica on the copy: same keys, same sessions, same denylist, same audit.
    let replica_dir = TestDir::new();
    let replica = Server::start_on_db(&replica_dir, &db.url, &["--key-encryption-key-file", &kek]);
    assert_eq!(jwks(&replica), jwks_before);
    assert_ne!(replica.kid(), old_kid, "the rotated-to key still signs");
    replica
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "closed@example.com", "password": "closed-door-password"}),
        )
        .send()
        .assert_error(403, "forbidden");
    replica
        .get("/api/v1/auth/me")
        .with_bearer(&session.access_token)
        .send()
        .ok_json();
    replica
        .get("/api/v1/auth/me")
        .with_bearer(&later.access_token)
        .send()
        .assert_error(401, "invalid_token");
    let refreshed = Session::from_response(&replica.refresh(&session.refresh_token));
    assert_eq!(
        crate::util::decode_jwt(&refreshed.access_token).claims["groups"],
        json!([group])
    );
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("billing:{client_secret}"));
    let token = replica
        .request("POST", "/api/v1/auth/token")
        .header("Authorization", &format!("Basic {basic}"))
        .body(
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials".to_vec(),
        )
        .send()
        .ok_json();
    assert_eq!(token["scope"], "a b", "{token}");
    // The CLI on the copy, with the key-encryption key, accepts the fleet token minted before.
    let inspected = run_picoauth(&[
        "inspect",
        &fleet_token,
        "--db",
        &db.url,
        "--key-encryption-key-file",
        &kek,
    ]);
    inspected.assert_code(0);
    let admin = replica.admin();
    let mints_after = replica
        .get("/api/v1/auth/mints")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let jtis = |mints: &Value| -> Vec<Value> {
        mints["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["jti"].clone())
            .collect()
    };
    let after = jtis(&mints_after);
    assert_eq!(
        after[after.len() - jtis(&mints_before).len()..],
        jtis(&mints_before)[..],
        "the audit keeps its order, newest first"
    );
}

/// Stands for the PostgreSQL half of the suite in a SQLite run, so that `cargo test` alone
/// reports that half as ignored, with how to run it, and never as passed.
#[cfg(not(picoauth_test_backend_postgres))]
#[test]
#[ignore = "the black-box suite on PostgreSQL is a second run: PICOAUTH_TEST_BACKEND=postgres PICOAUTH_TEST_POSTGRES=<admin URL> cargo test --test tests (README: Run the tests; .ci/run does it)"]
fn the_suite_on_postgres_is_a_second_run() {
    panic!(
        "this build runs the black-box tests on SQLite; build and run them again with \
         PICOAUTH_TEST_BACKEND=postgres and PICOAUTH_TEST_POSTGRES to run them on PostgreSQL"
    );
}
