//! The failed-login back-off shared through the database (API.md §11): two `picoauth serve`
//! processes on one database, a SQLite file or a PostgreSQL database, count each other's wrong
//! passwords, so that N replicas give an attacker no more guesses than one, and a success on
//! one clears the account's counters on all.
//!
//! Both replicas share the key directory as well as the database: the counters are stored under
//! digests keyed by the refresh-token key, which replicas on one SQLite file share as a file
//! and replicas on PostgreSQL share through the database once keys live there (issue 12), so
//! these tests hold either way. Clients are told apart by `X-Forwarded-For` from the trusted
//! loopback.

use std::time::Duration;

use serde_json::json;

use crate::util::{
    ADMIN_ENV, Response, Server, TestDir, assert_throttled, password_for, poll, retry_after,
};

const LOGIN: &str = "/api/v1/auth/login";

/// A key-encryption key for the replicas on PostgreSQL (API.md §11: 32 bytes in base64).
const KEK: &str = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=\n";

/// The longest a test waits for a back-off to end.
const WAIT_BOUND: Duration = Duration::from_secs(10);

/// Small limits: 2 free failures per (account, client), 40 per account, waits up to 2 s.
const ARGS: &[&str] = &[
    "--rate-limit-per-second",
    "0",
    "--login-free-failures",
    "2",
    "--login-max-delay",
    "2s",
    "--trusted-proxies",
    "127.0.0.1",
];

/// `POST /login` as the client `client`.
fn login(server: &Server, client: &str, email: &str, password: &str) -> Response {
    server
        .post_json(LOGIN, &json!({ "email": email, "password": password }))
        .header("X-Forwarded-For", client)
        .send()
}

fn wrong(server: &Server, client: &str, email: &str) {
    login(server, client, email, "a-wrong-password").assert_error(401, "invalid_credentials");
}

/// Guesses on A, then B makes the guesser wait; the waits double across replicas; a success
/// on one clears the counters on both.
fn check_shared_back_off(a: &Server, b: &Server) {
    let email = "shared@example.com";
    let right = password_for(email);
    let guesser = "203.0.113.7";
    a.register(email, &right);
    wrong(a, guesser, email);
    wrong(a, guesser, email);
    // Two failures on A: the guesser's free ones are used up, and B knows it.
    let throttled = login(b, guesser, email, &right);
    assert_eq!(assert_throttled(&throttled), 1, "the first wait is 1 s");
    // After the wait, one more guess on B doubles the wait on A.
    poll("B lets the guesser try again", WAIT_BOUND, || {
        let response = login(b, guesser, email, "a-wrong-password");
        match response.status {
            429 => Err(response.to_string()),
            _ => {
                response.assert_error(401, "invalid_credentials");
                Ok(())
            }
        }
    });
    let throttled = login(a, guesser, email, &right);
    assert_eq!(
        retry_after(&throttled),
        2,
        "the third failure, counted on B, makes A wait 2 s: {throttled}"
    );
    // The owner elsewhere is not held up, on either replica.
    login(a, "198.51.100.1", email, &right).assert_status(200);
    // The guesser's right password after the wait clears its counters everywhere: on the other
    // replica its free failures are free again.
    poll("A lets the guesser try again", WAIT_BOUND, || {
        let response = login(a, guesser, email, &right);
        match response.status {
            429 => Err(response.to_string()),
            _ => Ok(response.assert_status(200).json()),
        }
    });
    wrong(b, guesser, email);
    wrong(b, guesser, email);
    assert_throttled(&login(a, guesser, email, &right));
}

/// The account-wide counter (20 × 2 = 40 failures from anywhere) adds up what both replicas
/// counted: 20 on each, which alone would leave each replica far from it.
fn check_account_wide_cap_is_shared(a: &Server, b: &Server) {
    let email = "wide@example.com";
    a.register(email, &password_for(email));
    for n in 0..20 {
        // Each address stays within its own 2 free failures.
        let client = format!("198.51.100.{n}");
        wrong(a, &client, email);
        wrong(b, &client, email);
    }
    let fresh = "192.0.2.200";
    assert_throttled(&login(a, fresh, email, &password_for(email)));
    assert_throttled(&login(b, fresh, email, &password_for(email)));
}

/// Guesses at one account sent all at once, from 20 addresses to both replicas: every one is
/// answered 401 or 429, none 503 (a failure the database could not count would be a free
/// guess), and the account's counter holds exactly the 401s. `most_failures` reads the largest
/// count stored, which is the account's.
fn check_parallel_guesses_are_all_counted(a: &Server, b: &Server, most_failures: impl Fn() -> i64) {
    let email = "parallel@example.com";
    a.register(email, &password_for(email));
    let remotes = [a.remote(), b.remote()];
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|n| {
                let remotes = &remotes;
                scope.spawn(move || {
                    let client = format!("198.51.100.{n}");
                    (0..2)
                        .map(|guess| {
                            remotes[(n + guess) % 2]
                                .try_post_json(
                                    LOGIN,
                                    &[("X-Forwarded-For", client.as_str())],
                                    &json!({ "email": email, "password": "a-wrong-password" }),
                                )
                                .unwrap_or_else(|e| panic!("login: {e}"))
                                .status
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect()
    });
    assert!(
        statuses.iter().all(|status| matches!(status, 401 | 429)),
        "only 401 and 429: {statuses:?}"
    );
    let failures = statuses.iter().filter(|status| **status == 401).count();
    assert_eq!(
        most_failures(),
        i64::try_from(failures).unwrap(),
        "{statuses:?}"
    );
}

/// Two replicas on the PostgreSQL database `url`, sharing `dir`'s key directory, with [`ARGS`]
/// and the key-encryption key that replicas on PostgreSQL need (API.md §11).
fn two_on_postgres(dir: &TestDir, url: &str) -> (Server, Server) {
    let kek = dir.write("kek", KEK);
    let mut args = ARGS.to_vec();
    args.extend(["--key-encryption-key-file", kek.to_str().unwrap()]);
    (
        Server::start_on_db(dir, url, &args),
        Server::start_on_db(dir, url, &args),
    )
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: two replicas on one SQLite file (on PostgreSQL: the *_on_postgres_* tests)"
)]
fn two_replicas_on_one_sqlite_file_share_the_back_off() {
    let dir = TestDir::new();
    let a = Server::start_with(&dir, ARGS, &[ADMIN_ENV]);
    let b = Server::start_with(&dir, ARGS, &[ADMIN_ENV]);
    check_shared_back_off(&a, &b);
    check_account_wide_cap_is_shared(&a, &b);
}

#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: two replicas on one SQLite file (on PostgreSQL: the *_on_postgres_* tests)"
)]
fn parallel_guesses_on_two_replicas_on_one_sqlite_file_are_all_counted() {
    let dir = TestDir::new();
    let a = Server::start_with(&dir, ARGS, &[ADMIN_ENV]);
    let b = Server::start_with(&dir, ARGS, &[ADMIN_ENV]);
    let db = rusqlite::Connection::open(dir.db()).unwrap();
    check_parallel_guesses_are_all_counted(&a, &b, || {
        db.query_row("SELECT max(failures) FROM login_failures", [], |row| {
            row.get(0)
        })
        .unwrap()
    });
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn two_replicas_on_postgres_share_the_back_off() {
    let Some(db) = crate::postgres::TestDb::create("backoff") else {
        return;
    };
    let dir = TestDir::new();
    let (a, b) = two_on_postgres(&dir, &db.url);
    check_shared_back_off(&a, &b);
    check_account_wide_cap_is_shared(&a, &b);
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn parallel_guesses_on_two_replicas_on_postgres_are_all_counted() {
    let Some(db) = crate::postgres::TestDb::create("backoff_parallel") else {
        return;
    };
    let dir = TestDir::new();
    let (a, b) = two_on_postgres(&dir, &db.url);
    let client =
        std::sync::Mutex::new(postgres::Client::connect(&db.url, postgres::NoTls).unwrap());
    check_parallel_guesses_are_all_counted(&a, &b, || {
        client
            .lock()
            .unwrap()
            .query_one("SELECT max(failures) FROM login_failures", &[])
            .unwrap()
            .get(0)
    });
}
