//! Attacks on the PostgreSQL deployment (issue 12), black-box, each a regression test of a
//! finding: what an adversary on loopback (or a sick database) did to running replicas.
//!
//! - A database that accepts connections but never answers (frozen, or behind a proxy that
//!   stopped forwarding) held every request that touched it forever (login, JWKS, `/readyz`),
//!   and SIGTERM never ended the process: the client's timeouts (connect, TCP user timeout,
//!   the server-side statement timeout) bound nothing that the server never answers.
//! - A key-encryption-key file that is a FIFO hung `serve` at start forever, before it named
//!   the file.
//!
//! The replicas come from `replicas.rs`'s launcher; the database is the test's own, reached
//! through a proxy of this file's that can stop forwarding without closing anything.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::replicas::{Deployment, Replica, server_of, via};
use crate::util::{Reply, password_for};

/// How long any request may take to be answered once the database stopped answering: the
/// server's deadline for core work (20 s) and some slack.
const FROZEN_ANSWER_BOUND: Duration = Duration::from_secs(28);

/// How long `/readyz` may take then: a readiness probe must answer before a load balancer's
/// own timeout gives up on it.
const FROZEN_READY_BOUND: Duration = Duration::from_secs(8);

/// How long SIGTERM may take to end a replica whose database stopped answering, with a
/// request in flight: that request's deadline, the wait for blocked work, and slack.
const FROZEN_SHUTDOWN_BOUND: Duration = Duration::from_secs(40);

// ---------------------------------------------------------------------------------------------
// A proxy that freezes: bytes stop flowing both ways, every connection stays open.

/// Forwards connections to the database server; while frozen it holds every byte (and every
/// new connection) without closing anything, as a SIGSTOPped server or a wedged proxy does.
struct FreezingProxy {
    addr: SocketAddr,
    frozen: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl FreezingProxy {
    fn start(target: SocketAddr) -> FreezingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let frozen = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let (accept_frozen, accept_stop, accept_streams) =
            (Arc::clone(&frozen), Arc::clone(&stop), Arc::clone(&streams));
        thread::spawn(move || {
            for incoming in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = incoming else { continue };
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                if let (Ok(a), Ok(b)) = (client.try_clone(), server.try_clone()) {
                    accept_streams.lock().unwrap().extend([a, b]);
                }
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    if let (Ok(from), Ok(to)) = (from, to) {
                        let (frozen, stop) = (Arc::clone(&accept_frozen), Arc::clone(&accept_stop));
                        thread::spawn(move || forward(from, to, &frozen, &stop));
                    }
                }
            }
        });
        FreezingProxy {
            addr,
            frozen,
            stop,
            streams,
        }
    }

    /// Bytes stop flowing; nothing is closed.
    fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

impl Drop for FreezingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.frozen.store(false, Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Copies `from` to `to`, holding each chunk while `frozen`.
fn forward(mut from: TcpStream, mut to: TcpStream, frozen: &AtomicBool, stop: &AtomicBool) {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        while frozen.load(Ordering::SeqCst) {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        if to.write_all(&chunk[..read]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// Sends SIGTERM to `replica` and waits for it to exit; its exit status, or `None` if it was
/// still running after `bound` (then it is killed when dropped).
fn sigterm_and_wait(replica: &Replica, bound: Duration) -> Option<std::process::ExitStatus> {
    let pid = replica.child.lock().unwrap().id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {pid} failed");
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = replica.child.lock().unwrap().try_wait() {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(100));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// 1. A database that stops answering.

/// One request to send while the database is frozen: method, path, bearer, body, and how long
/// its answer may take.
type Probe<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a serde_json::Value>,
    Duration,
);

/// A database that accepts connections and never answers: every request that needs it is
/// answered 503 with `Retry-After` within a bound (logins, refreshes, `/me`, challenges, the
/// JWKS; `/readyz` within a probe's patience), `/healthz` still 200, and SIGTERM ends the
/// replica with a request in flight. Before the fix each of these requests hung until the
/// database answered again, and SIGTERM waited for them for ever.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_database_that_stops_answering_costs_bounded_503s_and_sigterm_still_ends_the_replica() {
    let deployment = Deployment::new("frozen");
    let proxy = FreezingProxy::start(server_of(&deployment.db.url));
    let replica = deployment
        .launch(
            "A",
            &deployment.key_dir(0),
            &via(&deployment.db.url, proxy.addr),
            &[],
        )
        .wait()
        .unwrap_or_else(|exit| panic!("A did not start through the proxy\n{exit}"));
    let email = "frozen@example.com";
    replica.register(email);
    let password = password_for(email);
    let session = replica.login(email, &password);

    proxy.freeze();
    let login = json!({"email": email, "password": password});
    let refresh = json!({"refresh_token": session.refresh});
    let challenge = json!({"address": crate::util::Wallet::new(7).public_key()});
    let requests: Vec<Probe<'_>> = vec![
        (
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&login),
            FROZEN_ANSWER_BOUND,
        ),
        (
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&login),
            FROZEN_ANSWER_BOUND,
        ),
        (
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&login),
            FROZEN_ANSWER_BOUND,
        ),
        (
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&refresh),
            FROZEN_ANSWER_BOUND,
        ),
        (
            "GET",
            "/api/v1/auth/me",
            Some(&session.access),
            None,
            FROZEN_ANSWER_BOUND,
        ),
        (
            "POST",
            "/api/v1/auth/challenge",
            None,
            Some(&challenge),
            FROZEN_ANSWER_BOUND,
        ),
        ("GET", "/api/v1/auth/jwks", None, None, FROZEN_ANSWER_BOUND),
        ("GET", "/readyz", None, None, FROZEN_READY_BOUND),
    ];
    let answers: Vec<(String, Result<Reply, String>, Duration, Duration)> =
        thread::scope(|scope| {
            let handles: Vec<_> = requests
                .iter()
                .map(|&(method, path, bearer, body, bound)| {
                    let replica = &replica;
                    scope.spawn(move || {
                        let started = Instant::now();
                        let answer = replica.try_send(method, path, bearer, body);
                        (format!("{method} {path}"), answer, started.elapsed(), bound)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
    for (what, answer, took, bound) in &answers {
        match answer {
            Ok(reply) => {
                assert_eq!(
                    reply.status,
                    503,
                    "{what} with a frozen database: {} {}\n{}",
                    reply.status,
                    String::from_utf8_lossy(&reply.body),
                    replica.stderr_tail()
                );
                assert!(
                    reply.header("retry-after").is_some(),
                    "{what}: a 503 without Retry-After"
                );
                assert!(
                    took <= bound,
                    "{what} took {took:?} to answer (bound {bound:?})"
                );
            }
            Err(error) => panic!(
                "{what} with a frozen database got no answer after {took:?}: {error}\n{}",
                replica.stderr_tail()
            ),
        }
    }
    let health = replica
        .try_send("GET", "/healthz", None, None)
        .expect("healthz answers");
    assert_eq!(health.status, 200, "healthz needs no database");

    // A request still in flight when SIGTERM comes: shutdown may wait for it, not for ever.
    let in_flight = thread::scope(|scope| {
        let request = scope.spawn(|| replica.try_send("GET", "/api/v1/auth/jwks", None, None));
        thread::sleep(Duration::from_millis(500));
        let status = sigterm_and_wait(&replica, FROZEN_SHUTDOWN_BOUND);
        assert!(
            status.is_some(),
            "SIGTERM did not end the replica within {FROZEN_SHUTDOWN_BOUND:?} while its \
             database was frozen\n{}",
            replica.stderr_tail()
        );
        assert!(
            status.is_some_and(|status| status.success()),
            "after SIGTERM: {status:?}\n{}",
            replica.stderr_tail()
        );
        request.join().unwrap()
    });
    if let Ok(reply) = in_flight {
        assert_eq!(reply.status, 503, "the request in flight at SIGTERM");
    }
    let log = replica.stderr_all();
    assert!(!log.contains("status=500"), "{}", replica.stderr_tail());
    drop(proxy);
}

// ---------------------------------------------------------------------------------------------
// 2. The key-encryption-key file.

/// A key-encryption-key file that is a FIFO (or any non-regular file) is refused at once,
/// naming the file, on a populated database as on an empty one; a FIFO with no writer used to
/// block the open, so the replica hung at start for ever without a word.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_key_encryption_key_file_that_is_a_fifo_is_refused_at_once() {
    let deployment = Deployment::new("kekfifo");
    let fifo = deployment.dir.path().join("kek.fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    let fifo_arg = fifo.to_str().expect("a UTF-8 path");
    for populated in [false, true] {
        if populated {
            // A first start with the real key, so the database holds sealed keys.
            drop(deployment.start(0, &[]));
        }
        let exit = match deployment
            .launch(
                "F",
                &deployment.key_dir(1),
                &deployment.db.url,
                &["--key-encryption-key-file", fifo_arg],
            )
            .wait()
        {
            Ok(_) => panic!("populated={populated}: serve started with a FIFO as its KEK file"),
            Err(exit) => exit,
        };
        assert!(
            exit.elapsed < Duration::from_secs(20),
            "populated={populated}: took {:?} to refuse the FIFO\n{exit}",
            exit.elapsed
        );
        assert_eq!(
            exit.status.and_then(|status| status.code()),
            Some(1),
            "populated={populated}\n{exit}"
        );
        assert!(
            exit.stderr.contains("kek.fifo") && exit.stderr.contains("not a regular file"),
            "populated={populated}: the refusal names the file and why\n{exit}"
        );
    }
}

/// A populated database that lost its sealed refresh-token key (the `refresh` row) is refused
/// at start, naming the row, and gets no new one: a new refresh-token key would silently void
/// every session's refresh token and reset every failed-login counter (their names are keyed
/// by it), where a lost signing key's row was already refused. Before the fix `serve` sealed a
/// fresh refresh-token key and started.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_populated_database_without_its_refresh_key_row_is_refused_not_given_a_new_key() {
    let deployment = Deployment::new("norefresh");
    {
        let replica = deployment.start(0, &[]);
        replica.register("kept@example.com");
    }
    let mut sql = postgres::Client::connect(&deployment.db.url, postgres::NoTls)
        .expect("connect to the test db");
    let deleted = sql
        .execute("DELETE FROM sealed_keys WHERE name = 'refresh'", &[])
        .expect("delete the refresh row");
    assert_eq!(deleted, 1, "the first start sealed a refresh-token key");
    let exit = match deployment
        .launch("B", &deployment.key_dir(1), &deployment.db.url, &[])
        .wait()
    {
        Ok(replica) => panic!(
            "serve started on a database without its refresh-token key\n{}",
            replica.stderr_tail()
        ),
        Err(exit) => exit,
    };
    assert_eq!(
        exit.status.and_then(|status| status.code()),
        Some(1),
        "{exit}"
    );
    assert!(
        exit.stderr.contains("no refresh-token key"),
        "the refusal says what is missing\n{exit}"
    );
    let rows: i64 = sql
        .query_one(
            "SELECT count(*) FROM sealed_keys WHERE name = 'refresh'",
            &[],
        )
        .expect("count the refresh rows")
        .get(0);
    assert_eq!(rows, 0, "a refused start sealed a new refresh-token key");
}

// ---------------------------------------------------------------------------------------------
// 3. migrate-db.

/// `migrate-db` from a SQLite deployment whose key directory lost `refresh.key` is refused
/// before anything is copied: the target stays empty (no schema, no rows). Before the fix the
/// copy was committed and only the check after it failed, leaving a populated target that
/// every replica refuses (it holds signing keys and no refresh-token key), and that a second
/// `migrate-db` refuses as not empty.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
#[cfg_attr(
    picoauth_test_backend_postgres,
    ignore = "SQLite only: migrate-db's source is a SQLite deployment (this runs in the SQLite run, with PostgreSQL as the target)"
)]
fn migrate_db_from_a_key_directory_without_refresh_key_copies_nothing() {
    let Some(db) = crate::postgres::TestDb::create("a_norefresh") else {
        return;
    };
    let dir = crate::util::TestDir::new();
    let kek = dir.write("kek.b64", "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n");
    let sqlite = crate::util::Server::start(&dir);
    sqlite.register_and_login("moved@example.com");
    sqlite.stop();
    std::fs::remove_file(dir.key_dir().join("refresh.key")).expect("remove refresh.key");

    let kek = kek.to_str().expect("a UTF-8 path");
    let run = crate::util::run_on(
        &dir,
        &[
            "migrate-db",
            "--to",
            db.url.as_str(),
            "--key-encryption-key-file",
            kek,
        ],
        &[],
    );
    assert_ne!(run.code(), 0, "{run}");
    let mut sql = postgres::Client::connect(&db.url, postgres::NoTls).expect("connect");
    let tables: i64 = sql
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'sealed_keys')",
            &[],
        )
        .expect("count tables")
        .get(0);
    if tables > 0 {
        let rows: i64 = sql
            .query_one(
                "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sealed_keys)",
                &[],
            )
            .expect("count rows")
            .get(0);
        assert_eq!(
            rows, 0,
            "a refused migrate-db left rows in the target\n{run}"
        );
    }
    assert!(run.stderr.contains("refresh.key"), "names the file\n{run}");
}
