//! Attacks on issue 14's groups (A14): what a hostile pico-auth database could plant through
//! the import, and what the CLI's naming of groups could be made to reach. Each test failed
//! before its fix; all run on both backends (the pico-auth file is always SQLite).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::groups::{PICO_AUTH_03_SCHEMA, cli, cli_json, import};
use crate::util::{ADMIN_ENV, Server, TestDir, decode_jwt, password_for, picoauth_on};

/// A pico-auth 0.3 database `name` in `dir` from rows that need not be `'static`: accounts
/// `(id, email, org_id)` (viewers, password `password_for(email)`), groups `(id, name, org_id)`
/// and memberships `(group_id, user_id)`.
fn hostile_db(
    dir: &TestDir,
    name: &str,
    users: &[(String, String, String)],
    groups: &[(String, String, String)],
    members: &[(String, String)],
) -> PathBuf {
    let path = dir.path().join(name);
    let connection = rusqlite::Connection::open(&path).expect("create the pico-auth database");
    connection
        .execute_batch(PICO_AUTH_03_SCHEMA)
        .expect("pico-auth 0.3's schema");
    for (id, email, org_id) in users {
        let hash = bcrypt::hash(password_for(email), 4).expect("bcrypt");
        connection
            .execute(
                "INSERT INTO users VALUES (?1, ?2, '', ?3, 'viewer', ?4, 'active', \
                 '2025-03-14T09:26:53+00:00', NULL)",
                rusqlite::params![id, email, hash, org_id],
            )
            .expect("insert a pico-auth user");
    }
    for (id, group_name, org_id) in groups {
        connection
            .execute(
                "INSERT INTO groups VALUES (?1, ?2, '', ?3, '2025-04-01T10:00:00+00:00', \
                 '2025-04-01T10:00:00+00:00')",
                rusqlite::params![id, group_name, org_id],
            )
            .expect("insert a pico-auth group");
    }
    for (group_id, user_id) in members {
        connection
            .execute(
                "INSERT INTO group_members VALUES (?1, ?2, '2025-05-01T12:00:00+00:00')",
                rusqlite::params![group_id, user_id],
            )
            .expect("insert a pico-auth membership");
    }
    path
}

fn row3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_owned(), b.to_owned(), c.to_owned())
}

/// Group ids that do not stand in a URL path as themselves were imported: `DELETE
/// /api/v1/groups/a?b` from any HTTP client reaches group `a` (the query is cut off), `.` and
/// `..` are removed by clients' path normalisation, `%2F` is sent as `%252F`; `"` doubled in
/// every token's JSON. Now an imported id is 1 to 36 unreserved characters (RFC 3986), not `.`
/// or `..`.
#[test]
fn import_skips_group_ids_that_a_url_would_bend() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let bent = [
        "a?b",
        "x#y",
        ".",
        "..",
        "%2F",
        "q\"q",
        "back\\slash",
        "0123456789abcdef0123456789abcdef01234",
    ];
    let mut groups = vec![
        row3("a", "plain a", "default"),
        row3(uuid, "uuid", "default"),
    ];
    for (n, id) in bent.iter().enumerate() {
        groups.push(row3(id, &format!("bent {n}"), "default"));
    }
    let run = import(&dir, &hostile_db(&dir, "bent.db", &[], &groups, &[]));
    for id in ["a", uuid] {
        assert!(
            run.stdout
                .lines()
                .any(|line| line.starts_with("imported group ")
                    && line.ends_with(&format!("({id})"))),
            "{id} is imported\n{run}"
        );
    }
    for id in bent {
        assert!(
            run.stdout
                .lines()
                .any(|line| line.starts_with("skipped group ")
                    && line.contains(&format!("({id}): "))),
            "{id} is skipped\n{run}"
        );
    }
    let admin = server.admin();
    let listed = server
        .get("/api/v1/groups")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_eq!(listed["total"], json!(2), "{listed}");
    // What a client sends for the imported uuid reaches it.
    let group = server
        .get(&format!("/api/v1/groups/{uuid}"))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_eq!(group["name"], json!("uuid"), "{group}");
}

/// An account in 100 groups (the most it may be in) with imported ids: with ids of 64
/// characters full of `"` (each escaped in the claim), its access token was larger than the
/// 16 KiB a request head may carry, so the server refused the token it had just issued (431).
/// With ids bounded at 36 characters even an ML-DSA-87 token of 100 of them is usable.
#[test]
fn a_token_of_an_account_in_100_imported_groups_fits_a_request() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--token-algorithm", "ML-DSA-87"], &[ADMIN_ENV]);
    let users = vec![
        row3("longest00001", "longest@example.com", "default"),
        row3("quoted000001", "quoted@example.com", "default"),
    ];
    let mut groups = Vec::new();
    let mut members = Vec::new();
    for n in 0..100 {
        // The longest ids allowed now.
        let longest = format!("{n:03}{}", "x".repeat(33));
        groups.push(row3(&longest, &format!("longest {n}"), "default"));
        members.push((longest, "longest00001".to_owned()));
        let quoted = format!("{n:03}{}", "\"".repeat(61));
        groups.push(row3(&quoted, &format!("quoted {n}"), "default"));
        members.push((quoted, "quoted000001".to_owned()));
    }
    import(
        &dir,
        &hostile_db(&dir, "hundred.db", &users, &groups, &members),
    );
    for (email, expected) in [("longest@example.com", 100), ("quoted@example.com", 0)] {
        let session = server.login(email, &password_for(email));
        let claim = decode_jwt(&session.access_token).claims["groups"].clone();
        assert_eq!(
            claim.as_array().map(Vec::len),
            Some(expected),
            "{email}: {claim}"
        );
        let me = server
            .get("/api/v1/groups")
            .with_bearer(&session.access_token)
            .send();
        me.assert_status(200);
        assert!(
            session.access_token.len() < 13 * 1024,
            "{email}'s token is {} bytes",
            session.access_token.len()
        );
    }
}

/// Organisations were imported unchecked: a group or an account of organisation
/// `acme\u{202e}...` (a bidirectional override) or one with a line break reads as another in
/// `groups list`. Now an imported organisation is checked as `--org` is.
#[test]
fn import_skips_organisations_with_hidden_characters() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let users = vec![
        row3("fine00000001", "fine@example.com", "acme"),
        row3("rtl000000001", "rtl@example.com", "acme\u{202e}evil"),
    ];
    let groups = vec![
        row3("g00000000001", "fine", "acme"),
        row3("g00000000002", "rtl", "emca\u{202e}acme"),
        row3("g00000000003", "broken", "two\nlines"),
    ];
    let run = import(&dir, &hostile_db(&dir, "orgs.db", &users, &groups, &[]));
    assert!(
        run.stdout
            .lines()
            .any(|line| line == "imported fine@example.com"),
        "{run}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|line| line.starts_with("skipped rtl@example.com: ")),
        "{run}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|line| line == "imported group fine (g00000000001)"),
        "{run}"
    );
    for id in ["g00000000002", "g00000000003"] {
        assert!(
            run.stdout
                .lines()
                .any(|line| line.starts_with("skipped group ") && line.contains(id)),
            "{id} is skipped\n{run}"
        );
    }
    let listed = cli_json(&dir, &["groups", "list", "--json"]);
    let orgs: Vec<&Value> = listed["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| &group["org_id"])
        .collect();
    assert_eq!(orgs, [&json!("acme")], "{listed}");
}

/// `picoauth groups show|delete X --org B` took a group of another organisation whose id is X
/// before looking at B's names, so `groups delete ops1 --org other` deleted `default`'s group
/// with the id `ops1`. Now `--org` narrows ids as well, and a text that is one group's id and
/// another's name is ambiguous (exit 2) rather than taken as the id.
#[test]
fn cli_group_names_never_reach_another_group_by_its_id() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let groups = vec![row3("ops1", "operations", "default")];
    import(&dir, &hostile_db(&dir, "ops.db", &[], &groups, &[]));
    // In another organisation, a group is called what the first one's id is.
    let other = cli(&dir, &["groups", "add", "ops1", "--org", "other"], 0)
        .stdout
        .trim()
        .to_owned();

    let shown = cli_json(
        &dir,
        &["groups", "show", "ops1", "--org", "other", "--json"],
    );
    assert_eq!(shown["id"], json!(other), "{shown}");
    let shown = cli_json(
        &dir,
        &["groups", "show", "ops1", "--org", "default", "--json"],
    );
    assert_eq!(shown["id"], json!("ops1"), "{shown}");

    let refused = cli(&dir, &["groups", "delete", "ops1"], 2);
    assert!(refused.stderr.contains("--org"), "{refused}");
    cli(&dir, &["groups", "delete", "ops1", "--org", "other"], 0);
    let listed = cli_json(&dir, &["groups", "list", "--json"]);
    assert_eq!(listed["groups"][0]["id"], json!("ops1"), "{listed}");
    assert_eq!(listed["total"], json!(1), "{listed}");
    // Alone, the id names its group again.
    cli(&dir, &["groups", "delete", "ops1"], 0);
}

/// `users import --from-pico-auth` of a FIFO waited forever for a writer (SQLite's open
/// blocks); now anything but a regular file (or a link to one) is refused at once.
#[test]
fn import_of_a_fifo_is_refused_not_waited_on() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let fifo = dir.path().join("pico-auth.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let (code, stderr) = import_within(&dir, &fifo, Duration::from_secs(20));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// Runs the import of `source` on `dir`, killed after `limit`: its exit code (`None` if it had
/// to be killed) and stderr.
fn import_within(dir: &TestDir, source: &Path, limit: Duration) -> (Option<i32>, String) {
    let mut child = picoauth_on(dir)
        .args(["users", "import", "--from-pico-auth"])
        .arg(source)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn picoauth users import");
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for the import") {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    (code, stderr)
}

/// A hostile pico-auth file of 5,000 groups and a million memberships (10,000 accounts in 100
/// groups, each group full): each membership scanned every imported group for its own and
/// counted its group's members again, so the import (one write transaction, holding SQLite's
/// writer the whole time) ran for more than ten minutes. Now groups are found by id and the
/// counts kept as the import goes; it is bounded by the rows, and the bounds still hold.
#[test]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: a million single-row inserts are a timing test of the import's own work, not of PostgreSQL round trips"
)]
fn import_of_a_million_memberships_is_linear() {
    let dir = TestDir::new();
    let _server = Server::start(&dir);
    let path = dir.path().join("million.db");
    let mut connection = rusqlite::Connection::open(&path).expect("create the pico-auth database");
    connection
        .execute_batch(PICO_AUTH_03_SCHEMA)
        .expect("pico-auth 0.3's schema");
    let hash = bcrypt::hash("not used", 4).expect("bcrypt");
    let rows = connection.transaction().expect("a transaction");
    for n in 0..10_001 {
        rows.execute(
            "INSERT INTO users VALUES (?1, ?2, '', ?3, 'viewer', 'default', 'active', \
             '2025-03-14T09:26:53+00:00', NULL)",
            rusqlite::params![format!("u{n:06}"), format!("u{n}@example.com"), hash],
        )
        .expect("insert a pico-auth user");
    }
    for n in 0..5_000 {
        rows.execute(
            "INSERT INTO groups VALUES (?1, ?2, '', ?3, '2025-04-01T10:00:00+00:00', \
             '2025-04-01T10:00:00+00:00')",
            rusqlite::params![
                format!("g{n:05}"),
                format!("group {n}"),
                format!("org{}", n / 1_000)
            ],
        )
        .expect("insert a pico-auth group");
    }
    // The last 100 groups (the last the import's list holds), each with 10,001 accounts: the
    // 10,001st of each is one too many.
    for group in 4_900..5_000 {
        for user in 0..10_001 {
            rows.execute(
                "INSERT INTO group_members VALUES (?1, ?2, '2025-05-01T12:00:00+00:00')",
                rusqlite::params![format!("g{group:05}"), format!("u{user:06}")],
            )
            .expect("insert a pico-auth membership");
        }
    }
    // And the first account in a first group as well: 101 groups, one too many.
    rows.execute(
        "INSERT INTO group_members VALUES ('g00000', 'u000000', '2025-05-01T12:00:00+00:00')",
        [],
    )
    .expect("insert a pico-auth membership");
    rows.commit().expect("commit the pico-auth database");
    drop(connection);

    let started = Instant::now();
    let (code, stderr) = import_within(&dir, &path, Duration::from_secs(240));
    assert_eq!(code, Some(0), "in {:?}: {stderr}", started.elapsed());
    assert!(
        stderr.contains(
            "groups: 5000 imported, 0 already here, 0 skipped; memberships: 1000001 imported, 0 already here, 100 skipped"
        ),
        "{stderr}"
    );
    // Memberships come in order of group: g00000, g04900, …, so u000000 is refused the last,
    // g04999, which then has room for u010000; the 99 groups before it are full without it.
    let members = |group: &str| -> Vec<String> {
        let shown = cli_json(&dir, &["groups", "show", group, "--json"]);
        shown["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|member| member["user_id"].as_str().expect("a user id").to_owned())
            .collect()
    };
    for (group, has, lacks) in [
        ("g04998", "u000000", "u010000"),
        ("g04999", "u010000", "u000000"),
    ] {
        let members = members(group);
        assert_eq!(members.len(), 10_000, "{group} is full");
        assert!(members.iter().any(|id| id == has), "{group} has {has}");
        assert!(
            !members.iter().any(|id| id == lacks),
            "{group} lacks {lacks}"
        );
    }
}

/// Two groups of one organisation could have names that read alike: `café` with a precomposed
/// `é` and with `e` and a combining accent were two names (over HTTP and through the import).
/// Names are now kept in Unicode normalization form C, so the second is a taken name (409, or
/// skipped by the import), and the CLI finds the group by either spelling.
#[test]
fn group_names_that_read_alike_are_one_name() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let composed = "caf\u{e9}";
    let decomposed = "cafe\u{301}";
    let created = server
        .post_json("/api/v1/groups", &json!({ "name": composed }))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let taken = server
        .post_json("/api/v1/groups", &json!({ "name": decomposed }))
        .with_bearer(&admin.access_token)
        .send();
    taken.assert_error(409, "conflict");
    let shown = cli_json(&dir, &["groups", "show", decomposed, "--json"]);
    assert_eq!(shown["id"], created["id"], "{shown}");

    let groups = vec![
        row3("g00000000001", "t\u{e9}a", "acme"),
        row3("g00000000002", "te\u{301}a", "acme"),
    ];
    let run = import(&dir, &hostile_db(&dir, "alike.db", &[], &groups, &[]));
    assert!(
        run.stdout
            .lines()
            .any(|line| line.starts_with("imported group ") && line.contains("g00000000001")),
        "{run}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|line| line.starts_with("skipped group ") && line.contains("g00000000002")),
        "{run}"
    );
}
