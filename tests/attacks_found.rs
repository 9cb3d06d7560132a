//! Regression tests for holes found by attacking the issue 10 and 11 defences through the real
//! binary (A1). Each asserts the behaviour a user of an auth server expects, so it fails while
//! the hole is open.
//!
//! Many clients are simulated by binding client sockets to 127.0.0.2, 127.0.0.3, … (all of
//! 127.0.0.0/8 is loopback on Linux).

use std::net::{IpAddr, Ipv4Addr};

use serde_json::{Value, json};

use crate::util::{
    Server, TestDir, Wallet, assert_signs_in, challenge_flood_server, challenge_from, hex,
};

const LOGIN: &str = "/api/v1/auth/login";
const SIGN_IN: &str = "/api/v1/auth/sign-in";

/// The loopback address 127.0.0.`n`: one simulated client.
fn client(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// A flooder that holds ONE challenge per address (never more than the victim) fills the
/// table; then every new challenge from a fresh address evicts "the client holding the most".
/// All clients tie at 1, and the tie is broken by the newest `challenge_clients` row (the
/// descending scan of `challenge_clients_by_pending`): the victim who just asked. One flooder
/// request right after the victim's challenge takes it away, so a flood from enough addresses
/// (IPv6 /64s are cheap) shuts wallet sign-in off for everyone. Expected: among the clients
/// holding the most, the oldest challenge goes, so the victim keeps its fresh one.
#[test]
fn a_flood_of_one_challenge_per_address_cannot_evict_a_fresh_challenge() {
    let dir = TestDir::new();
    let server = challenge_flood_server(&dir);
    let remote = server.remote();
    let flooder = Wallet::new(2);
    // 200 addresses, one challenge each: the table is full.
    for n in 2..202u8 {
        challenge_from(&remote, client(n), &flooder.public_key());
    }
    let victim = Wallet::new(1);
    let victim_challenge = challenge_from(&remote, client(1), &victim.public_key());
    // One more flooder challenge, from an address that holds none.
    challenge_from(&remote, client(202), &flooder.public_key());
    assert_signs_in(&remote, client(1), &victim, &victim_challenge);
}

/// `picoauth revoke --force GOOD BAD`: every target is looked up before any is revoked, but the
/// field checks (`required_text`: at most 256 characters, no control characters) run only
/// inside `App::revoke`, one target at a time, each in its own transaction. So GOOD lands on
/// the denylist and the command then fails with exit 2: a partial set, against "a refused
/// revoke writes nothing". Expected: refused as a whole, nothing written.
#[test]
fn revoke_force_with_one_invalid_target_writes_nothing() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let admin = server.admin();
    let good = "0123456789abcdef0123456789abcdef";
    let bad = "f".repeat(300);
    let run = crate::util::run_on(
        &dir,
        &["revoke", "--force", good, &bad],
        &[("USER", Some("operator"))],
    );
    run.assert_code(2);
    let answer = server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_eq!(
        answer["items"],
        json!([]),
        "a refused revoke wrote part of its set\n{run}"
    );
}

/// The mint audit (`mints`) is never pruned, and complete strangers add to it: every wallet
/// sign-in (no account needed) and every `/refresh` writes a row when the access token lives
/// at least `mint_audit_min_ttl` (15 m vs 5 m by default). At the default 100 requests/s per
/// client and bucket, one address adds ~17 million rows a day, forever; the brief's rule is
/// that every table strangers can grow is bounded. Expected: `prune` drops the audit rows of
/// tokens that have expired, as it does their revocations (here with 1 s tokens and
/// `--mint-audit-retention 0`, pruned by the prune that `serve` runs as it starts).
#[test]
fn the_mint_audit_of_expired_tokens_is_pruned() {
    let dir = TestDir::new();
    let args = [
        "--access-token-ttl",
        "1s",
        "--mint-audit-min-ttl",
        "0",
        "--mint-audit-retention",
        "0",
    ];
    let server = Server::start_with(&dir, &args, &[crate::util::ADMIN_ENV]);
    let remote = server.remote();
    for seed in 10..20u8 {
        let wallet = Wallet::new(seed);
        let challenge = challenge_from(&remote, client(1), &wallet.public_key());
        remote
            .post_json_from(client(1), SIGN_IN, &wallet.sign_in_body(&challenge))
            .unwrap_or_else(|e| panic!("sign-in: {e}"))
            .ok_json();
    }
    let listed = || -> usize {
        let run = crate::util::run_on(&dir, &["list-mints", "--json", "--limit", "1000"], &[]);
        run.assert_code(0);
        let value: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("list-mints printed no JSON ({e})\n{run}"));
        value["items"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(listed(), 10, "the control: ten wallet tokens are audited");
    server.stop();
    // Every token above has expired one second after it was minted.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let server = Server::start_with(&dir, &args, &[crate::util::ADMIN_ENV]);
    // The first prune runs as serve starts; a readiness probe after it is not exposed, so
    // poll (bounded) for the rows to go.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut left = listed();
    while left > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        left = listed();
    }
    drop(server);
    assert_eq!(left, 0, "audit rows of expired tokens outlive the prune");
}

/// The account back-off counts every client's failures against one account-wide counter and
/// refuses whoever comes next, the owner with the right password included. A stranger who
/// knows an email sends `login_free_failures` wrong passwords, then one more each time the
/// wait ends (one request per `login_max_delay`, 15 min by default), and the owner cannot log
/// in at all, for as long as the stranger keeps going: the wait the owner sees is unbounded,
/// not `login_max_delay`. Expected: wrong passwords from one client make that client wait
/// for that account; an account-wide limit, if any, sits well above one client's free
/// failures, so the owner's first correct login from its own address goes through.
#[test]
fn a_strangers_wrong_passwords_do_not_lock_the_owner_out() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &["--login-free-failures", "5", "--login-max-delay", "2s"],
        &[crate::util::ADMIN_ENV],
    );
    let remote = server.remote();
    let stranger = client(2);
    let wrong = json!({ "email": crate::util::ADMIN_EMAIL, "password": "a guess" });
    for _ in 0..5 {
        remote
            .post_json_from(stranger, LOGIN, &wrong)
            .unwrap_or_else(|e| panic!("login: {e}"))
            .assert_error(401, "invalid_credentials");
    }
    let right = json!({
        "email": crate::util::ADMIN_EMAIL,
        "password": crate::util::ADMIN_PASSWORD,
    });
    let response = remote
        .post_json_from(client(1), LOGIN, &right)
        .unwrap_or_else(|e| panic!("login: {e}"));
    response.assert_status(200);
}

/// A password typed into the email field (it happens) reached the log: the login audit line
/// named its subject with whatever the client sent as `email`. Expected: a login whose email
/// names no account is logged as `unknown:<first 12 hex of SHA-256 of the normalised email>`,
/// while a failed login of a real account still names its email.
#[test]
fn a_password_typed_as_the_email_is_not_logged() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let typed = "Sup3rSecret-pw!";
    server
        .post_json(LOGIN, &json!({ "email": typed, "password": "whatever" }))
        .send()
        .assert_error(401, "invalid_credentials");
    server
        .post_json(
            LOGIN,
            &json!({ "email": crate::util::ADMIN_EMAIL, "password": "not the password" }),
        )
        .send()
        .assert_error(401, "invalid_credentials");
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        typed.to_ascii_lowercase().as_bytes(),
    );
    let pseudonym = format!("unknown:{}", hex(&digest.as_ref()[..6]));
    let named = format!("subject=\"{}\"", crate::util::ADMIN_EMAIL);
    // Each audit line is written before its answer is sent; the copy of stderr may lag behind.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut stderr = server.stderr_so_far();
    while !(stderr.contains(&pseudonym) && stderr.contains(&named))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
        stderr = server.stderr_so_far();
    }
    assert!(
        stderr.contains(&format!("subject=\"{pseudonym}\"")),
        "no {pseudonym} subject\n{stderr}"
    );
    assert!(
        stderr.contains(&named),
        "a real account's failed login names its email\n{stderr}"
    );
    assert!(
        !stderr
            .to_ascii_lowercase()
            .contains(&typed.to_ascii_lowercase()),
        "the log shows what was typed as the email\n{stderr}"
    );
}
