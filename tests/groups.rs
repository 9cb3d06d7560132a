//! Black-box tests of groups (API.md §9): every row of the groups table with its failures, the
//! `groups` claim after membership changes, `picoauth groups`, and the import of a pico-auth
//! 0.3 database with groups (built here with the schema pico-auth 0.3.0.post0's SQLAlchemy
//! models create).
//!
//! Accounts of a second organisation come from such an import, which is how a deployment gets
//! them too; the tests run on both backends.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::util::{Response, Run, Server, Session, TestDir, decode_jwt, password_for, run_on};

// --- a pico-auth 0.3 database ---

/// The tables pico-auth 0.3.0.post0 creates (`AppBase.metadata.create_all` on SQLite, as
/// SQLAlchemy 2 writes them; the service-token and email-credential tables are there, unused).
pub(crate) const PICO_AUTH_03_SCHEMA: &str = "
CREATE TABLE users (
	id VARCHAR(36) NOT NULL,
	email VARCHAR(255) NOT NULL,
	display_name VARCHAR(255) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	role VARCHAR(50) NOT NULL,
	org_id VARCHAR(100) NOT NULL,
	status VARCHAR(50) NOT NULL,
	created_at VARCHAR(50) NOT NULL,
	last_login_at VARCHAR(50),
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_users_email ON users (email);
CREATE TABLE groups (
	id VARCHAR(36) NOT NULL,
	name VARCHAR(255) NOT NULL,
	description VARCHAR(500) NOT NULL,
	org_id VARCHAR(100) NOT NULL,
	created_at VARCHAR(50) NOT NULL,
	updated_at VARCHAR(50) NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_groups_org_id ON groups (org_id);
CREATE INDEX ix_groups_name ON groups (name);
CREATE TABLE group_members (
	group_id VARCHAR(36) NOT NULL,
	user_id VARCHAR(36) NOT NULL,
	joined_at VARCHAR(50) NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ix_group_members_user_id ON group_members (user_id);
CREATE TABLE service_tokens (
	id VARCHAR(36) NOT NULL,
	name VARCHAR(255) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	role VARCHAR(50) NOT NULL,
	org_id VARCHAR(100) NOT NULL,
	description VARCHAR(500) NOT NULL,
	created_at VARCHAR(50) NOT NULL,
	revoked_at VARCHAR(50),
	PRIMARY KEY (id)
);
";

/// An account of the pico-auth database: id, email, role, organisation.
type PicoUser = (&'static str, &'static str, &'static str, &'static str);
/// A group: id, name, description, organisation.
type PicoGroup = (&'static str, &'static str, &'static str, &'static str);
/// A membership: group id, user id, joined_at as pico-auth wrote it.
type PicoMember = (&'static str, &'static str, &'static str);

/// Carol, an org_admin of acme.
const CAROL: PicoUser = ("c0ffee000001", "carol@acme.example", "org_admin", "acme");
/// Dave, a viewer of acme.
const DAVE: PicoUser = ("d00d00000002", "dave@acme.example", "viewer", "acme");
/// Olga, a viewer of the default organisation.
const OLGA: PicoUser = ("0194a0000003", "olga@example.com", "viewer", "default");

/// Writes a pico-auth 0.3 database `name` in `dir`; every account's password is
/// `password_for(email)`.
#[track_caller]
fn pico_auth_03_db(
    dir: &TestDir,
    name: &str,
    users: &[PicoUser],
    groups: &[PicoGroup],
    members: &[PicoMember],
) -> PathBuf {
    let path = dir.path().join(name);
    let connection = rusqlite::Connection::open(&path).expect("create the pico-auth database");
    connection
        .execute_batch(PICO_AUTH_03_SCHEMA)
        .expect("pico-auth 0.3's schema");
    for (id, email, role, org_id) in users {
        let password_hash = bcrypt::hash(password_for(email), 4).expect("bcrypt");
        connection
            .execute(
                "INSERT INTO users VALUES (?1, ?2, '', ?3, ?4, ?5, 'active', \
                 '2025-03-14T09:26:53.589793+00:00', NULL)",
                rusqlite::params![id, email, password_hash, role, org_id],
            )
            .expect("insert a pico-auth user");
    }
    for (id, name, description, org_id) in groups {
        connection
            .execute(
                "INSERT INTO groups VALUES (?1, ?2, ?3, ?4, '2025-04-01T10:00:00.000001+00:00', \
                 '2025-04-01T10:00:00.000001+00:00')",
                rusqlite::params![id, name, description, org_id],
            )
            .expect("insert a pico-auth group");
    }
    for (group_id, user_id, joined_at) in members {
        connection
            .execute(
                "INSERT INTO group_members VALUES (?1, ?2, ?3)",
                rusqlite::params![group_id, user_id, joined_at],
            )
            .expect("insert a pico-auth membership");
    }
    path
}

/// `picoauth users import --from-pico-auth <path>`, asserted to exit 0.
#[track_caller]
pub(crate) fn import(dir: &TestDir, path: &Path) -> Run {
    let path = path.to_str().expect("a UTF-8 path");
    let run = run_on(dir, &["users", "import", "--from-pico-auth", path], &[]);
    run.assert_code(0);
    run
}

// --- helpers ---

/// The `groups` claim of a session's access token.
fn groups_claim(session: &Session) -> Value {
    decode_jwt(&session.access_token).claims["groups"].clone()
}

/// The group ids of a claim, sorted.
fn ids(mut ids: Vec<&str>) -> Value {
    ids.sort_unstable();
    json!(ids)
}

/// `picoauth <args>` on `dir`, asserted to exit with `code`.
#[track_caller]
pub(crate) fn cli(dir: &TestDir, args: &[&str], code: i32) -> Run {
    let run = run_on(dir, args, &[]);
    run.assert_code(code);
    if code != 0 {
        assert!(run.stdout.is_empty(), "nothing on stdout\n{run}");
        assert!(!run.stderr.is_empty(), "a reason on stderr\n{run}");
    }
    run
}

/// stdout of a `--json` command as JSON.
#[track_caller]
pub(crate) fn cli_json(dir: &TestDir, args: &[&str]) -> Value {
    let run = cli(dir, args, 0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("JSON on stdout ({e})\n{run}"))
}

/// `POST /api/v1/groups` with `body` as `token`.
fn create(server: &Server, token: &str, body: &Value) -> Response {
    server
        .post_json("/api/v1/groups", body)
        .with_bearer(token)
        .send()
}

/// Creates a group, asserting 200; its id.
#[track_caller]
fn created(server: &Server, token: &str, body: &Value) -> String {
    let response = create(server, token, body);
    let group = response.ok_json();
    match group["id"].as_str() {
        Some(id) => id.to_owned(),
        None => response.fail("no string id"),
    }
}

fn add_member(server: &Server, token: &str, group: &str, body: &Value) -> Response {
    server
        .post_json(&format!("/api/v1/groups/{group}/members"), body)
        .with_bearer(token)
        .send()
}

fn remove_member(server: &Server, token: &str, group: &str, user: &str) -> Response {
    server
        .request("DELETE", &format!("/api/v1/groups/{group}/members/{user}"))
        .with_bearer(token)
        .send()
}

fn get(server: &Server, token: &str, path: &str) -> Response {
    server.get(path).with_bearer(token).send()
}

/// A server with the admin (superadmin, org `default`), Frank (org_admin of `default`), Erin
/// (viewer of `default`), and from a pico-auth import Carol (org_admin of acme) and Dave
/// (viewer of acme).
struct World {
    dir: TestDir,
    server: Server,
    admin: Session,
    frank: (String, Session),
    erin: (String, Session),
    carol: Session,
    dave: Session,
}

fn world() -> World {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    import(
        &dir,
        &pico_auth_03_db(&dir, "pico-auth.db", &[CAROL, DAVE], &[], &[]),
    );
    let admin = server.admin();
    let frank = server.user_with_role("frank@example.com", "org_admin");
    let erin = server.register_and_login("erin@example.com");
    let carol = server.login(CAROL.1, &password_for(CAROL.1));
    let dave = server.login(DAVE.1, &password_for(DAVE.1));
    World {
        dir,
        server,
        admin,
        frank,
        erin,
        carol,
        dave,
    }
}

// --- every row of API.md §9's groups table ---

#[test]
fn creating_groups_needs_an_admin_of_the_organisation_and_a_free_name() {
    let w = world();
    let (server, frank) = (&w.server, &w.frank.1.access_token);
    server
        .post_json("/api/v1/groups", &json!({"name": "ops"}))
        .send()
        .assert_error(401, "unauthorized");
    create(server, "not-a-token", &json!({"name": "ops"})).assert_error(401, "invalid_token");
    create(server, &w.erin.1.access_token, &json!({"name": "ops"})).assert_error(403, "forbidden");
    create(server, &w.dave.access_token, &json!({"name": "ops"})).assert_error(403, "forbidden");

    let response = create(
        server,
        frank,
        &json!({"name": "ops", "description": "on call"}),
    );
    let group = response.ok_json();
    assert_eq!(group["name"], "ops", "{response}");
    assert_eq!(group["org_id"], "default", "{response}");
    let id = group["id"].as_str().expect("an id");
    assert!(
        id.len() == 12
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "pico-auth's id format: {id}"
    );
    create(server, frank, &json!({"name": "ops"})).assert_error(409, "conflict");
    create(server, &w.admin.access_token, &json!({"name": "ops"})).assert_error(409, "conflict");
    // The same name in another organisation is another group.
    let acme_ops = created(server, &w.carol.access_token, &json!({"name": "ops"}));
    assert_eq!(
        get(
            server,
            &w.carol.access_token,
            &format!("/api/v1/groups/{acme_ops}")
        )
        .ok_json()["org_id"],
        "acme"
    );
    // Only a superadmin chooses another organisation.
    create(server, frank, &json!({"name": "x", "org_id": "acme"})).assert_error(403, "forbidden");
    let response = create(
        server,
        &w.admin.access_token,
        &json!({"name": "billing", "org_id": "acme"}),
    );
    assert_eq!(response.ok_json()["org_id"], "acme", "{response}");

    for bad in [
        json!({"name": ""}),
        json!({"name": "  "}),
        json!({"name": "x".repeat(256)}),
        json!({"name": 7}),
        json!({"description": "no name"}),
        json!({"name": "ok", "description": "d".repeat(501)}),
        json!({"name": "tab\there"}),
        json!("ops"),
    ] {
        create(server, frank, &bad).assert_error(400, "invalid_request");
    }
    server
        .request("PATCH", "/api/v1/groups")
        .with_bearer(frank)
        .send()
        .assert_status(405);
}

#[test]
fn reading_groups_sees_only_the_readers_organisation_and_a_superadmin_all() {
    let w = world();
    let server = &w.server;
    let ops = created(
        server,
        &w.frank.1.access_token,
        &json!({"name": "ops", "description": "on call"}),
    );
    let billing = created(server, &w.carol.access_token, &json!({"name": "billing"}));

    server
        .get("/api/v1/groups")
        .send()
        .assert_error(401, "unauthorized");
    let listed = |token: &str| {
        let response = get(server, token, "/api/v1/groups");
        let body = response.ok_json();
        let ids: Vec<String> = body["groups"]
            .as_array()
            .unwrap_or_else(|| response.fail("a groups array"))
            .iter()
            .map(|group| group["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(body["total"], ids.len(), "{response}");
        ids
    };
    assert_eq!(listed(&w.erin.1.access_token), vec![ops.clone()]);
    assert_eq!(listed(&w.frank.1.access_token), vec![ops.clone()]);
    assert_eq!(listed(&w.dave.access_token), vec![billing.clone()]);
    let mut all = listed(&w.admin.access_token);
    all.sort();
    let mut expected = vec![ops.clone(), billing.clone()];
    expected.sort();
    assert_eq!(all, expected);
    let body = get(server, &w.erin.1.access_token, "/api/v1/groups").ok_json();
    assert_eq!(
        body["groups"][0],
        json!({"id": ops, "name": "ops", "description": "on call", "org_id": "default"})
    );

    // One group: its members, for any reader of its organisation.
    let response = get(
        server,
        &w.erin.1.access_token,
        &format!("/api/v1/groups/{ops}"),
    );
    assert_eq!(
        response.ok_json(),
        json!({"id": ops, "name": "ops", "description": "on call", "org_id": "default", "members": []})
    );
    get(
        server,
        &w.erin.1.access_token,
        &format!("/api/v1/groups/{billing}"),
    )
    .assert_error(404, "not_found");
    get(
        server,
        &w.carol.access_token,
        &format!("/api/v1/groups/{ops}"),
    )
    .assert_error(404, "not_found");
    get(
        server,
        &w.erin.1.access_token,
        "/api/v1/groups/000000000000",
    )
    .assert_error(404, "not_found");
    server
        .get(&format!("/api/v1/groups/{ops}"))
        .send()
        .assert_error(401, "unauthorized");
    get(
        server,
        &w.admin.access_token,
        &format!("/api/v1/groups/{billing}"),
    )
    .ok_json();

    // A fleet token belongs to no organisation: it reads no group.
    let fleet = cli(
        &w.dir,
        &["mint-fleet", "--session-id", "s1", "--agent-id", "a1"],
        0,
    );
    get(server, fleet.stdout.trim(), "/api/v1/groups").assert_error(403, "forbidden");
}

#[test]
fn changing_and_deleting_groups_stays_within_the_organisation() {
    let w = world();
    let (server, frank) = (&w.server, &w.frank.1.access_token);
    let ops = created(server, frank, &json!({"name": "ops"}));
    created(server, frank, &json!({"name": "dev"}));
    let billing = created(server, &w.carol.access_token, &json!({"name": "billing"}));
    let put = |token: &str, id: &str, body: &Value| {
        server
            .put_json(&format!("/api/v1/groups/{id}"), body)
            .with_bearer(token)
            .send()
    };

    server
        .put_json(&format!("/api/v1/groups/{ops}"), &json!({"name": "sre"}))
        .send()
        .assert_error(401, "unauthorized");
    put(&w.erin.1.access_token, &ops, &json!({"name": "sre"})).assert_error(403, "forbidden");
    put(frank, &billing, &json!({"name": "sre"})).assert_error(404, "not_found");
    put(frank, "000000000000", &json!({"name": "sre"})).assert_error(404, "not_found");
    put(frank, &ops, &json!({"name": "dev"})).assert_error(409, "conflict");
    put(frank, &ops, &json!({"name": ""})).assert_error(400, "invalid_request");
    let response = put(frank, &ops, &json!({"name": "sre"}));
    assert_eq!(
        response.ok_json(),
        json!({"id": ops, "name": "sre", "description": ""})
    );
    let response = put(frank, &ops, &json!({"description": "site reliability"}));
    assert_eq!(
        response.ok_json(),
        json!({"id": ops, "name": "sre", "description": "site reliability"})
    );
    assert_eq!(put(frank, &ops, &json!({})).ok_json()["name"], "sre");
    // Its own name again is no clash.
    put(frank, &ops, &json!({"name": "sre"})).ok_json();
    put(
        &w.admin.access_token,
        &billing,
        &json!({"description": "invoices"}),
    )
    .ok_json();

    let delete = |token: &str, id: &str| {
        server
            .request("DELETE", &format!("/api/v1/groups/{id}"))
            .with_bearer(token)
            .send()
    };
    server
        .request("DELETE", &format!("/api/v1/groups/{ops}"))
        .send()
        .assert_error(401, "unauthorized");
    delete(&w.erin.1.access_token, &ops).assert_error(403, "forbidden");
    delete(frank, &billing).assert_error(404, "not_found");
    assert_eq!(
        delete(frank, &ops).ok_json(),
        json!({"message": "Group deleted"})
    );
    delete(frank, &ops).assert_error(404, "not_found");
    get(server, frank, &format!("/api/v1/groups/{ops}")).assert_error(404, "not_found");
    assert_eq!(
        delete(&w.admin.access_token, &billing).ok_json(),
        json!({"message": "Group deleted"})
    );
}

#[test]
fn members_are_added_once_and_removed_once_within_the_organisation() {
    let w = world();
    let (server, frank) = (&w.server, &w.frank.1.access_token);
    let (erin_id, frank_id) = (w.erin.0.clone(), w.frank.0.clone());
    let ops = created(server, frank, &json!({"name": "ops"}));
    let billing = created(server, &w.carol.access_token, &json!({"name": "billing"}));

    server
        .post_json(
            &format!("/api/v1/groups/{ops}/members"),
            &json!({"user_id": erin_id}),
        )
        .send()
        .assert_error(401, "unauthorized");
    add_member(
        server,
        &w.erin.1.access_token,
        &ops,
        &json!({"user_id": erin_id}),
    )
    .assert_error(403, "forbidden");
    assert_eq!(
        add_member(server, frank, &ops, &json!({"user_id": erin_id})).ok_json(),
        json!({"message": "Member added"})
    );
    add_member(server, frank, &ops, &json!({"user_id": erin_id})).assert_error(409, "conflict");
    // pico-auth clients send the bare string.
    assert_eq!(
        add_member(server, frank, &ops, &json!(frank_id)).ok_json(),
        json!({"message": "Member added"})
    );
    add_member(server, frank, &ops, &json!({"user_id": "nobody"})).assert_error(404, "not_found");
    // Dave is of acme: an org_admin of default cannot see him, nor acme's group.
    add_member(server, frank, &ops, &json!({"user_id": DAVE.0})).assert_error(404, "not_found");
    add_member(server, frank, &billing, &json!({"user_id": erin_id}))
        .assert_error(404, "not_found");
    add_member(server, frank, "000000000000", &json!({"user_id": erin_id}))
        .assert_error(404, "not_found");
    add_member(server, frank, &ops, &json!({"member": erin_id}))
        .assert_error(400, "invalid_request");
    add_member(server, &w.carol.access_token, &billing, &json!(DAVE.0)).ok_json();
    // A superadmin may add an account of another organisation (as pico-auth let it).
    add_member(
        server,
        &w.admin.access_token,
        &ops,
        &json!({"user_id": DAVE.0}),
    )
    .ok_json();

    let response = get(
        server,
        &w.erin.1.access_token,
        &format!("/api/v1/groups/{ops}"),
    );
    let members = response.ok_json()["members"].clone();
    let member_ids: Vec<&str> = members
        .as_array()
        .unwrap_or_else(|| response.fail("a members array"))
        .iter()
        .map(|member| {
            let joined_at = member["joined_at"]
                .as_u64()
                .expect("joined_at in epoch seconds");
            assert!(joined_at > 1_700_000_000, "{member}");
            member["user_id"].as_str().expect("a user_id")
        })
        .collect();
    assert_eq!(ids(member_ids), ids(vec![&erin_id, &frank_id, DAVE.0]));

    server
        .request("DELETE", &format!("/api/v1/groups/{ops}/members/{erin_id}"))
        .send()
        .assert_error(401, "unauthorized");
    remove_member(server, &w.erin.1.access_token, &ops, &erin_id).assert_error(403, "forbidden");
    remove_member(server, frank, &billing, DAVE.0).assert_error(404, "not_found");
    assert_eq!(
        remove_member(server, frank, &ops, &erin_id).ok_json(),
        json!({"message": "Member removed"})
    );
    remove_member(server, frank, &ops, &erin_id).assert_error(404, "not_found");
    remove_member(server, frank, &ops, "nobody").assert_error(404, "not_found");
    // A member of its group, though of another organisation: the org_admin may remove it.
    remove_member(server, frank, &ops, DAVE.0).ok_json();
    server
        .request("POST", &format!("/api/v1/groups/{ops}/members/{frank_id}"))
        .with_bearer(frank)
        .send()
        .assert_status(405);
}

// --- the groups claim ---

#[test]
fn the_groups_claim_follows_membership_changes_in_the_next_token() {
    let w = world();
    let (server, admin) = (&w.server, &w.admin.access_token);
    let (erin_id, erin) = (&w.erin.0, &w.erin.1);
    assert_eq!(groups_claim(erin), json!([]), "an empty list, not absent");
    assert_eq!(groups_claim(&w.admin), json!([]));
    let ops = created(server, admin, &json!({"name": "ops"}));
    let dev = created(server, admin, &json!({"name": "dev"}));
    add_member(server, admin, &ops, &json!({"user_id": erin_id})).ok_json();

    let refreshed = Session::from_response(&server.refresh(&erin.refresh_token));
    assert_eq!(groups_claim(&refreshed), json!([ops]));
    let login = server.login("erin@example.com", &password_for("erin@example.com"));
    assert_eq!(groups_claim(&login), json!([ops]));

    // Through the other door: the CLI on the same database, seen by the server's next token.
    cli(
        &w.dir,
        &["groups", "members", "add", &dev, "erin@example.com"],
        0,
    );
    let refreshed = Session::from_response(&server.refresh(&refreshed.refresh_token));
    assert_eq!(groups_claim(&refreshed), ids(vec![&ops, &dev]));
    remove_member(server, admin, &ops, erin_id).ok_json();
    let refreshed = Session::from_response(&server.refresh(&refreshed.refresh_token));
    assert_eq!(groups_claim(&refreshed), json!([dev]));
    server
        .request("DELETE", &format!("/api/v1/groups/{dev}"))
        .with_bearer(admin)
        .send()
        .ok_json();
    let refreshed = Session::from_response(&server.refresh(&refreshed.refresh_token));
    assert_eq!(groups_claim(&refreshed), json!([]));

    // Deleting an account drops its memberships.
    add_member(server, admin, &ops, &json!({"user_id": erin_id})).ok_json();
    cli(&w.dir, &["users", "delete", "erin@example.com", "--yes"], 0);
    let group = get(server, admin, &format!("/api/v1/groups/{ops}")).ok_json();
    assert_eq!(group["members"], json!([]), "{group}");

    // Fleet tokens carry no groups claim.
    let fleet = cli(
        &w.dir,
        &["mint-fleet", "--session-id", "s1", "--agent-id", "a1"],
        0,
    );
    let claims = decode_jwt(fleet.stdout.trim()).claims;
    assert!(claims.get("groups").is_none(), "{claims}");
}

// --- the CLI ---

#[test]
fn groups_cli_adds_lists_shows_renames_and_deletes_like_the_api() {
    let w = world();
    let (server, dir, admin) = (&w.server, &w.dir, &w.admin.access_token);
    let run = cli(
        dir,
        &["groups", "add", "ops", "--description", "on call"],
        0,
    );
    let ops = run.stdout.trim().to_owned();
    assert_eq!(ops.len(), 12, "the id alone on stdout\n{run}");
    let added = cli_json(dir, &["groups", "add", "ops", "--org", "acme", "--json"]);
    assert_eq!(added["org_id"], "acme");
    assert_eq!(added["name"], "ops");
    let acme_ops = added["id"].as_str().expect("an id").to_owned();
    cli(dir, &["groups", "add", "ops"], 1);
    cli(dir, &["groups", "add", ""], 2);

    // --json is the HTTP object.
    let listed = cli_json(dir, &["groups", "list", "--json"]);
    assert_eq!(listed, get(server, admin, "/api/v1/groups").ok_json());
    assert_eq!(listed["total"], 2);
    assert_eq!(
        cli_json(dir, &["groups", "list", "--org", "acme", "--json"])["groups"][0]["id"],
        acme_ops
    );
    let table = cli(dir, &["groups", "list"], 0);
    assert!(
        table.stdout.contains(&ops) && table.stdout.contains(&acme_ops),
        "{table}"
    );

    // Named by id, or by name when one group has it.
    cli(dir, &["groups", "show", "ops"], 2);
    cli(
        dir,
        &[
            "groups",
            "members",
            "add",
            "ops",
            "olga@example.com",
            "--org",
            "default",
        ],
        1,
    );
    cli(
        dir,
        &[
            "groups",
            "members",
            "add",
            "ops",
            "erin@example.com",
            "--org",
            "default",
        ],
        0,
    );
    cli(dir, &["groups", "members", "add", &ops, &w.frank.0], 0);
    cli(
        dir,
        &["groups", "members", "add", &ops, "erin@example.com"],
        1,
    );
    cli(
        dir,
        &["groups", "members", "add", "nothing", "erin@example.com"],
        1,
    );
    let shown = cli_json(dir, &["groups", "show", &ops, "--json"]);
    assert_eq!(
        shown,
        get(server, admin, &format!("/api/v1/groups/{ops}")).ok_json()
    );
    assert_eq!(
        shown["members"].as_array().map(Vec::len),
        Some(2),
        "{shown}"
    );
    let table = cli(dir, &["groups", "show", "ops", "--org", "default"], 0);
    assert!(table.stdout.contains("erin@example.com"), "{table}");

    cli(dir, &["groups", "rename", "ops", "sre", "--org", "acme"], 0);
    assert_eq!(
        get(server, admin, &format!("/api/v1/groups/{acme_ops}")).ok_json()["name"],
        "sre"
    );
    // `--org` narrows an id too (A14): default's group is not reached from acme.
    cli(dir, &["groups", "rename", &ops, "sre", "--org", "acme"], 1);
    cli(
        dir,
        &["groups", "rename", &ops, "sre", "--org", "default"],
        0,
    );
    cli(
        dir,
        &[
            "groups",
            "rename",
            &acme_ops,
            "--description",
            "reliability",
        ],
        0,
    );
    cli(dir, &["groups", "rename", &ops], 2);
    cli(dir, &["groups", "add", "dev"], 0);
    cli(
        dir,
        &["groups", "rename", "dev", "sre", "--org", "default"],
        1,
    );

    cli(
        dir,
        &["groups", "members", "remove", &ops, "erin@example.com"],
        0,
    );
    cli(
        dir,
        &["groups", "members", "remove", &ops, "erin@example.com"],
        1,
    );
    cli(dir, &["groups", "delete", &acme_ops], 0);
    cli(dir, &["groups", "delete", &acme_ops], 1);
    get(server, admin, &format!("/api/v1/groups/{acme_ops}")).assert_error(404, "not_found");
}

// --- importing pico-auth 0.3 ---

#[test]
fn import_of_a_pico_auth_03_database_brings_groups_and_memberships_once() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let source = pico_auth_03_db(
        &dir,
        "pico-auth-0.3.db",
        &[CAROL, DAVE, OLGA],
        &[
            ("a1b2c3d4e5f6", "ops", "on call", "default"),
            ("0f0e0d0c0b0a", "billing", "", "acme"),
            ("badbadbad000", "", "no name", "default"),
        ],
        &[
            ("a1b2c3d4e5f6", OLGA.0, "2025-05-01T12:00:00.000000+00:00"),
            ("0f0e0d0c0b0a", CAROL.0, "2025-05-02T12:00:00+00:00"),
            ("0f0e0d0c0b0a", DAVE.0, "2025-05-03T12:00:00.5+00:00"),
            // pico-auth let a superadmin add an account of another organisation.
            ("a1b2c3d4e5f6", DAVE.0, "2025-05-04T12:00:00+00:00"),
            // Dangling rows: pico-auth kept no foreign keys.
            ("a1b2c3d4e5f6", "gone00000000", "2025-05-05T12:00:00+00:00"),
            ("badbadbad000", OLGA.0, "2025-05-05T12:00:00+00:00"),
        ],
    );

    let run = import(&dir, &source);
    for line in [
        "imported group ops (a1b2c3d4e5f6)",
        "imported group billing (0f0e0d0c0b0a)",
    ] {
        assert!(run.stdout.lines().any(|l| l == line), "{line}\n{run}");
    }
    assert!(
        run.stdout.contains("skipped group  (badbadbad000): "),
        "{run}"
    );
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("skipped membership "))
            .count(),
        2,
        "{run}"
    );
    assert!(
        run.stderr
            .contains("groups: 2 imported, 0 already here, 1 skipped; memberships: 4 imported, 0 already here, 2 skipped"),
        "{run}"
    );

    // The ids are kept: tokens name the groups as pico-auth's did.
    let olga = server.login(OLGA.1, &password_for(OLGA.1));
    assert_eq!(groups_claim(&olga), json!(["a1b2c3d4e5f6"]));
    let dave = server.login(DAVE.1, &password_for(DAVE.1));
    assert_eq!(groups_claim(&dave), json!(["0f0e0d0c0b0a", "a1b2c3d4e5f6"]));
    let carol = server.login(CAROL.1, &password_for(CAROL.1));
    let billing = get(&server, &carol.access_token, "/api/v1/groups/0f0e0d0c0b0a").ok_json();
    assert_eq!(billing["org_id"], "acme");
    assert_eq!(
        billing["members"],
        json!([
            {"user_id": CAROL.0, "joined_at": 1_746_187_200},
            {"user_id": DAVE.0, "joined_at": 1_746_273_600},
        ])
    );
    let admin = server.admin();
    let ops = get(&server, &admin.access_token, "/api/v1/groups/a1b2c3d4e5f6").ok_json();
    assert_eq!(ops["description"], "on call");

    // A second run brings nothing, and says so.
    let before = cli_json(&dir, &["groups", "list", "--json"]);
    let again = import(&dir, &source);
    assert!(again.stderr.contains("nothing new to import"), "{again}");
    assert!(
        again
            .stderr
            .contains("groups: 0 imported, 2 already here, 1 skipped; memberships: 0 imported, 4 already here, 2 skipped"),
        "{again}"
    );
    assert!(
        again
            .stdout
            .contains("already here group ops (a1b2c3d4e5f6)"),
        "{again}"
    );
    assert_eq!(cli_json(&dir, &["groups", "list", "--json"]), before);

    // A group of another database whose name is taken in its organisation is not merged.
    let other = pico_auth_03_db(
        &dir,
        "other.db",
        &[],
        &[("999999999999", "ops", "", "default")],
        &[],
    );
    let run = import(&dir, &other);
    assert!(
        run.stdout.contains("skipped group ops (999999999999): "),
        "{run}"
    );
    get(&server, &admin.access_token, "/api/v1/groups/999999999999").assert_error(404, "not_found");
}
