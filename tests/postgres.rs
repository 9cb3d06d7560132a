//! `picoauth serve` on PostgreSQL: the real binary against a real server, which
//! `PICOAUTH_TEST_POSTGRES` names (an admin URL; `.ci/run` starts one). Built without it, the test
//! is reported as ignored, with the reason (see `build.rs`). The whole suite on PostgreSQL is a later phase (issue 12).

use serde_json::json;

use crate::util::{Server, Session, TestDir};

/// A database of the test's own on the server, dropped after (the replica tests use it too).
pub(crate) struct TestDb {
    /// The server's admin URL, `PICOAUTH_TEST_POSTGRES`.
    pub(crate) admin: String,
    /// `picoauth_test_<pid>_<test>`.
    pub(crate) name: String,
    /// The URL of the test's database.
    pub(crate) url: String,
}

impl TestDb {
    /// A fresh database named after `test` (unique within the run); panics without a server.
    pub(crate) fn create(test: &str) -> Option<TestDb> {
        // Built without the variable, these tests are ignored; run anyway, they fail.
        let Ok(admin) = std::env::var("PICOAUTH_TEST_POSTGRES") else {
            panic!("no PostgreSQL: set PICOAUTH_TEST_POSTGRES (and rebuild) to run this test");
        };
        let name = format!("picoauth_test_{}_{test}", std::process::id());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, query) = match admin.find('?') {
            Some(at) => admin.split_at(at),
            None => (admin.as_str(), ""),
        };
        let authority = base.find("://").map_or(0, |at| at + 3);
        let host_end = base[authority..]
            .find('/')
            .map_or(base.len(), |at| authority + at);
        let url = format!("{}/{name}{query}", &base[..host_end]);
        Some(TestDb { admin, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn serve_on_postgres_logs_in_refreshes_and_revokes() {
    let Some(db) = TestDb::create("serve") else {
        return;
    };
    let dir = TestDir::new();
    let server = Server::start_on_db(&dir, &db.url);
    server.get("/readyz").send().assert_status(200);
    assert!(
        !dir.db().exists(),
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
