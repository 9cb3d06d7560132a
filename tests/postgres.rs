//! `picoauth serve` on PostgreSQL: the real binary against a real server, which
//! `PICOAUTH_TEST_POSTGRES` names (an admin URL; `.ci/run` starts one). Built without it, the test
//! is reported as ignored, with the reason (see `build.rs`). This one runs in the SQLite run
//! too; the whole suite runs on PostgreSQL with `PICOAUTH_TEST_BACKEND=postgres` (README).

use serde_json::json;

use crate::util::{PgDatabase, Server, Session, TestDir};

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn serve_on_postgres_logs_in_refreshes_and_revokes() {
    let db = PgDatabase::create(&format!("picoauth_test_{}_serve", std::process::id()));
    let dir = TestDir::new();
    let server = Server::start_on_db(&dir, &db);
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
