//! Crash safety: whatever the server acknowledged survives `kill -9` and a restart on the same files.
//!
//! A revocation answered 200 must be on disk before the answer leaves, or a resource server
//! could be told a leaked token is dead while a restart brings it back to life. Each test fires a
//! burst of writes from several threads, sends SIGKILL once enough of them have been
//! acknowledged (so the kill lands mid-burst, with requests in flight), restarts the server on the
//! same database and key directory, and checks that every acknowledged write is still there.

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{ADMIN_ENV, Remote, Response, Server, TestDir};

const SECRET: &str = "crash-fleet-secret-0123456789";
const THREADS: usize = 4;
const PER_THREAD: usize = 100;
/// How many acknowledgements to wait for before the kill; far fewer than `THREADS * PER_THREAD`.
const KILL_AFTER: usize = 50;
/// How long the burst may take to reach `KILL_AFTER` acknowledgements.
const BURST_TIMEOUT: Duration = Duration::from_secs(60);

/// What one request of a burst came to.
enum Attempt {
    /// The server answered 200; the id is what it acknowledged.
    Acknowledged(String),
    /// The connection failed or closed early: the server is gone.
    Dead,
    /// A complete answer that is not an acknowledgement, described for the failure message.
    Unexpected(String),
}

/// What a burst saw.
struct Burst {
    /// Every id the server acknowledged, before or after the kill was sent.
    acknowledged: Vec<String>,
    /// Answers that were neither acknowledgements nor a dead server.
    unexpected: Vec<String>,
}

/// Runs `THREADS` threads, each sending up to `PER_THREAD` requests with `send(thread, index)`,
/// kills the server with SIGKILL after `KILL_AFTER` acknowledgements, and reaps it.
#[track_caller]
fn burst_then_kill(
    server: Server,
    send: impl Fn(&Remote, usize, usize) -> Attempt + Sync,
) -> Burst {
    let (sender, acks) = mpsc::channel::<String>();
    let mut acknowledged = Vec::new();
    let mut unexpected = Vec::new();
    thread::scope(|scope| {
        let mut workers = Vec::new();
        for t in 0..THREADS {
            let sender = sender.clone();
            let (remote, send) = (server.remote(), &send);
            workers.push(scope.spawn(move || {
                for i in 0..PER_THREAD {
                    match send(&remote, t, i) {
                        Attempt::Acknowledged(id) => {
                            let _ = sender.send(id);
                        }
                        Attempt::Dead => return None,
                        Attempt::Unexpected(what) => return Some(what),
                    }
                }
                None
            }));
        }
        drop(sender);

        // Wait for enough acknowledgements, then kill while the other requests are in flight.
        let deadline = Instant::now() + BURST_TIMEOUT;
        while acknowledged.len() < KILL_AFTER {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match acks.recv_timeout(remaining) {
                Ok(id) => acknowledged.push(id),
                // Every worker stopped, or the burst is too slow: kill anyway and let the checks report it.
                Err(_) => break,
            }
        }
        server.sigkill();
        for worker in workers {
            if let Some(what) = worker.join().expect("a burst thread panicked") {
                unexpected.push(what);
            }
        }
    });
    acknowledged.extend(acks.try_iter());
    server.stop();
    Burst {
        acknowledged,
        unexpected,
    }
}

/// Classifies a response of the burst: 200 with `id` at `pointer` is an acknowledgement.
fn attempt(
    response: Result<Response, String>,
    pointer: &str,
    expected_id: Option<&str>,
) -> Attempt {
    let Ok(response) = response else {
        return Attempt::Dead;
    };
    if response.status != 200 {
        return Attempt::Unexpected(format!("a write of the burst was refused\n{response}"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&response.body) else {
        return Attempt::Unexpected(format!("a 200 that is not JSON\n{response}"));
    };
    match (body.pointer(pointer).and_then(Value::as_str), expected_id) {
        (Some(id), Some(expected)) if id != expected => {
            Attempt::Unexpected(format!("acknowledged {id:?}, not {expected:?}\n{response}"))
        }
        (Some(id), _) => Attempt::Acknowledged(id.to_string()),
        (None, _) => Attempt::Unexpected(format!("a 200 without {pointer}\n{response}")),
    }
}

/// Asserts the burst was really cut short by the kill, with no refusals before it.
#[track_caller]
fn assert_killed_mid_burst(burst: &Burst) {
    assert!(
        burst.unexpected.is_empty(),
        "the burst met answers other than 200:\n{}",
        burst.unexpected.join("\n")
    );
    assert!(
        burst.acknowledged.len() >= KILL_AFTER,
        "only {} of the burst were acknowledged before it stopped",
        burst.acknowledged.len()
    );
    assert!(
        burst.acknowledged.len() < THREADS * PER_THREAD,
        "all {} requests were acknowledged: the kill did not land mid-burst",
        burst.acknowledged.len()
    );
}

/// The `items` of `GET <path>` under `token`.
#[track_caller]
fn items(server: &Server, token: &str, path: &str) -> Vec<Value> {
    let response = server.get(path).with_bearer(token).send();
    let body = response.ok_json();
    match body["items"].as_array() {
        Some(items) => items.clone(),
        None => response.fail("expected an `items` array"),
    }
}

/// The `jti`s of `items`.
fn jtis(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| item["jti"].as_str().map(str::to_string))
        .collect()
}

/// Restarts on `dir` and checks the restarted server is ready.
#[track_caller]
fn restart(dir: &TestDir) -> Server {
    let server = Server::start_with(
        dir,
        &[],
        &[ADMIN_ENV, ("PICOAUTH_FLEET_MINT_SECRET", SECRET)],
    );
    let ready = server.get("/readyz").send().ok_json();
    assert_eq!(
        ready,
        json!({"status": "ready"}),
        "the database opens cleanly after kill -9"
    );
    server
}

#[test]
fn acknowledged_revocations_survive_kill_9() {
    let dir = TestDir::new();
    let server = restart(&dir);
    let token = server.admin().access_token;
    let bearer = format!("Bearer {token}");
    let burst = burst_then_kill(server, |remote, t, i| {
        let jti = format!("crash-{t}-{i:03}");
        let response = remote.try_post_json(
            "/api/v1/auth/revoke",
            &[("Authorization", &bearer)],
            &json!({"jti": jti, "reason": "crash test"}),
        );
        attempt(response, "/revoked/jti", Some(&jti))
    });
    assert_killed_mid_burst(&burst);

    let server = restart(&dir);
    // The database survived, so the admin's password did too; this is a fresh token.
    let admin = server.admin();
    let listed = items(&server, &admin.access_token, "/api/v1/auth/revoked-jtis");
    let listed_jtis = jtis(&listed);
    let lost: Vec<&String> = burst
        .acknowledged
        .iter()
        .filter(|jti| !listed_jtis.contains(*jti))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged revocations were lost by kill -9: {lost:?}",
        lost.len(),
        burst.acknowledged.len()
    );
    // Nothing appears that was never sent, and what survived is whole.
    for item in &listed {
        let jti = item["jti"].as_str().unwrap_or_default();
        assert!(jti.starts_with("crash-"), "unexpected entry {item}");
        assert_eq!(item["reason"], "crash test", "{item}");
        assert!(item["revoked_at"].is_u64(), "{item}");
    }
}

#[test]
fn acknowledged_fleet_mints_survive_kill_9() {
    let dir = TestDir::new();
    let server = restart(&dir);
    let burst = burst_then_kill(server, |remote, t, i| {
        let response = remote.try_post_json(
            "/api/v1/auth/fleet/sessions",
            &[("X-Fleet-Secret", SECRET)],
            &json!({"session_id": format!("crash-{t}-{i:03}"), "agent_id": "crash", "role": "service", "ttl": "1h"}),
        );
        attempt(response, "/jti", None)
    });
    assert_killed_mid_burst(&burst);

    let server = restart(&dir);
    let admin = server.admin();
    let audited = jtis(&items(
        &server,
        &admin.access_token,
        "/api/v1/auth/mints?limit=1000",
    ));
    let lost: Vec<&String> = burst
        .acknowledged
        .iter()
        .filter(|jti| !audited.contains(*jti))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged fleet mints are missing from the audit after kill -9: {lost:?}",
        lost.len(),
        burst.acknowledged.len()
    );
}

#[test]
fn revocation_just_before_kill_9_still_refuses_the_token() {
    let dir = TestDir::new();
    let server = restart(&dir);
    let admin = server.admin();
    let mint = |server: &Server, session: &str| {
        let answer = server
            .post_json(
                "/api/v1/auth/fleet/sessions",
                &json!({"session_id": session, "agent_id": "crash", "role": "service"}),
            )
            .header("X-Fleet-Secret", SECRET)
            .send()
            .ok_json();
        (
            answer["session_token"].as_str().unwrap().to_string(),
            answer["jti"].as_str().unwrap().to_string(),
        )
    };
    let (doomed, doomed_jti) = mint(&server, "doomed");
    let (survivor, _) = mint(&server, "survivor");
    server
        .post_json("/api/v1/auth/revoke", &json!({"jti": doomed_jti}))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    // No other request after the acknowledgement: the kill follows it at once.
    server.sigkill();
    server.stop();

    let server = restart(&dir);
    server
        .get("/api/v1/auth/revoked-jtis")
        .with_bearer(&doomed)
        .send()
        .assert_error(401, "invalid_token");
    // The signing key survived too: a token from before the crash is still accepted.
    let listed = jtis(&items(&server, &survivor, "/api/v1/auth/revoked-jtis"));
    assert!(listed.contains(&doomed_jti), "{listed:?}");
}
