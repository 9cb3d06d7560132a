//! Three `picoauth serve` replicas on one PostgreSQL database (API.md §11), black-box: the
//! invariants that must hold across replicas under concurrency, and what a replica does when a
//! replica dies or the database goes away.
//!
//! Each test has its own database on the server that `PICOAUTH_TEST_POSTGRES` names (as in
//! `postgres.rs`), one key-encryption-key file that every replica and CLI command is given
//! (`PICOAUTH_KEY_ENCRYPTION_KEY_FILE`), and a key directory per replica. Built without the
//! variable, every test here is reported as ignored, with the reason (see `build.rs`).
//!
//! The harness of `util` drives one server on one set of files; the replicas here need their
//! own command lines, so this file has its own small launcher and HTTP client (one request per
//! connection, `Connection: close`, as `util` does), and a TCP proxy for cutting one replica
//! off the database.
//!
//! Each replica has a key directory of its own, which stays empty: on PostgreSQL the signing
//! keys and the refresh-hashing key live in the database, sealed under the key-encryption key
//! that every replica reads from the same file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::postgres::TestDb;
use crate::util::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Reply, Run, TestDir, Wallet, decode_jwt, parse_replies,
    password_for, picoauth,
};

/// The fleet secret every replica is started with.
const FLEET_SECRET: &str = "replica-fleet-secret-0123456789";

/// How long a replica may take to print its readiness line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one HTTP exchange may take before the test fails instead of hanging.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a request may take to answer 503 once the database is gone.
const OUTAGE_ANSWER_BOUND: Duration = Duration::from_secs(10);

/// The longest a replica may take to become ready again once the database is back.
const RECOVERY_BOUND: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// A deployment: one database, one key-encryption key, key directories.

/// The shared part of a deployment: the database, the key-encryption key, the directories.
pub(crate) struct Deployment {
    /// Holds the key-encryption-key file and the key directories.
    pub(crate) dir: TestDir,
    /// The file `PICOAUTH_KEY_ENCRYPTION_KEY_FILE` names for every replica and CLI command.
    pub(crate) kek: PathBuf,
    /// The test's own database; dropped (WITH FORCE) last.
    pub(crate) db: TestDb,
}

impl Deployment {
    /// A fresh database named after `test` and a fresh key-encryption key.
    pub(crate) fn new(test: &str) -> Deployment {
        let db = TestDb::create(&format!("r_{test}")).expect("a test database");
        let dir = TestDir::new();
        let mut random = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut file| file.read_exact(&mut random))
            .expect("32 random bytes");
        let text = base64::engine::general_purpose::STANDARD.encode(random);
        let kek = dir.write("kek.b64", &format!("{text}\n"));
        set_mode_0600(&kek);
        Deployment { dir, kek, db }
    }

    /// The key directory of replica `index`, its own.
    pub(crate) fn key_dir(&self, index: usize) -> PathBuf {
        self.dir.path().join(format!("keys-{index}"))
    }

    /// Starts `picoauth serve` (without waiting for it) on `db_url` with `key_dir`, a known
    /// admin password, the fleet secret, no request-rate limit (the replicas are hammered
    /// from one address; the limit is per replica and not what these tests are about), and
    /// `extra` arguments.
    pub(crate) fn launch(
        &self,
        name: &str,
        key_dir: &Path,
        db_url: &str,
        extra: &[&str],
    ) -> Launch {
        let mut command = picoauth();
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--db", db_url, "--key-dir"])
            .arg(key_dir)
            .args(["--rate-limit-per-second", "0"])
            .args(extra)
            .env("PICOAUTH_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PICOAUTH_FLEET_MINT_SECRET", FLEET_SECRET)
            .env("PICOAUTH_KEY_ENCRYPTION_KEY_FILE", &self.kek);
        Launch::spawn(name, command)
    }

    /// Starts replica `index` on the test's database and waits until it listens.
    #[track_caller]
    pub(crate) fn start(&self, index: usize, extra: &[&str]) -> Replica {
        self.launch(&name_of(index), &self.key_dir(index), &self.db.url, extra)
            .wait()
            .unwrap_or_else(|exit| panic!("replica {index} did not start\n{exit}"))
    }

    /// Starts `count` replicas at once and waits until all listen.
    #[track_caller]
    fn start_all(&self, count: usize, extra: &[&str]) -> Vec<Replica> {
        let launches: Vec<(usize, Launch)> = (0..count)
            .map(|index| {
                let launch =
                    self.launch(&name_of(index), &self.key_dir(index), &self.db.url, extra);
                (index, launch)
            })
            .collect();
        launches
            .into_iter()
            .map(|(index, launch)| {
                launch
                    .wait()
                    .unwrap_or_else(|exit| panic!("replica {index} did not start\n{exit}"))
            })
            .collect()
    }

    /// Runs `picoauth <args> --db <url> --key-dir <replica 0's key dir>` with the
    /// key-encryption key, as an operator on the same database would.
    #[track_caller]
    fn cli(&self, args: &[&str]) -> Run {
        let key_dir = self.key_dir(0);
        let rendered = format!(
            "picoauth {} --db {} --key-dir {}",
            args.join(" "),
            self.db.url,
            key_dir.display()
        );
        let output = picoauth()
            .args(args)
            .args(["--db", &self.db.url, "--key-dir"])
            .arg(&key_dir)
            .env("PICOAUTH_KEY_ENCRYPTION_KEY_FILE", &self.kek)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {rendered}: {e}"));
        Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            command: rendered,
        }
    }

    /// A CLI command that must succeed; its stdout parsed as JSON.
    #[track_caller]
    fn cli_json(&self, args: &[&str]) -> Value {
        let run = self.cli(args);
        run.assert_code(0);
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{run}"))
    }

    /// A connection to the test's database, for checks the API cannot make.
    fn sql(&self) -> postgres::Client {
        postgres::Client::connect(&self.db.url, postgres::NoTls).expect("connect to the test db")
    }
}

/// `A`, `B`, `C`, … for replica 0, 1, 2, …
fn name_of(index: usize) -> String {
    char::from(b'A' + u8::try_from(index % 26).unwrap_or(0)).to_string()
}

fn set_mode_0600(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 0600");
}

// ---------------------------------------------------------------------------------------------
// Replicas: launching, waiting for readiness, killing.

/// A `picoauth serve` started but not yet known to listen.
pub(crate) struct Launch {
    name: String,
    command: String,
    child: Child,
    started: Instant,
    stdout_lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// How a replica that did not start ended.
pub(crate) struct Exit {
    /// `None` if it neither exited nor listened within the timeout (it was killed then).
    pub(crate) status: Option<ExitStatus>,
    /// How long it ran.
    pub(crate) elapsed: Duration,
    pub(crate) stderr: String,
    command: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self
            .status
            .map_or("neither exited nor listened".to_owned(), |s| s.to_string());
        write!(
            f,
            "command: {}\nstatus: {status} after {:?}\n--- stderr ---\n{}",
            self.command, self.elapsed, self.stderr
        )
    }
}

impl Launch {
    fn spawn(name: &str, mut command: Command) -> Launch {
        let rendered = format!("{command:?}");
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {rendered}: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, stdout_lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = sender.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut child_stderr = child.stderr.take().expect("stderr is piped");
        let buffer = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            loop {
                match child_stderr.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buffer.lock().unwrap().extend_from_slice(&chunk[..n]),
                }
            }
        });
        Launch {
            name: name.to_owned(),
            command: rendered,
            child,
            started: Instant::now(),
            stdout_lines,
            stderr,
        }
    }

    /// Waits for `listening on http://ADDR`; the exit (or a timeout) is an `Err`.
    pub(crate) fn wait(mut self) -> Result<Replica, Exit> {
        let deadline = self.started + STARTUP_TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.stdout_lines.recv_timeout(remaining) {
                Ok(line) => {
                    if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                        let addr = addr.parse().expect("an address in the readiness line");
                        return Ok(Replica {
                            name: self.name,
                            addr,
                            child: Mutex::new(self.child),
                            stderr: self.stderr,
                        });
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(self.exit(None));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().expect("wait for the replica");
                    return Err(self.exit(Some(status)));
                }
            }
        }
    }

    fn exit(&self, status: Option<ExitStatus>) -> Exit {
        // The stderr thread ends with the pipe; give it a moment to take the last bytes.
        thread::sleep(Duration::from_millis(50));
        Exit {
            status,
            elapsed: self.started.elapsed(),
            stderr: String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned(),
            command: self.command.clone(),
        }
    }
}

/// A running replica; dropping it kills it.
pub(crate) struct Replica {
    /// `A`, `B`, `C`: how failure messages name it.
    name: String,
    pub(crate) addr: SocketAddr,
    pub(crate) child: Mutex<Child>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Replica {
    /// The last 6,000 bytes of the replica's stderr.
    pub(crate) fn stderr_tail(&self) -> String {
        let stderr = self.stderr.lock().unwrap();
        let start = stderr.len().saturating_sub(6000);
        String::from_utf8_lossy(&stderr[start..]).into_owned()
    }

    /// Everything the replica wrote to stderr so far.
    pub(crate) fn stderr_all(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Sends SIGKILL now, while other threads may still be sending it requests.
    fn sigkill(&self) {
        let pid = self.child.lock().unwrap().id().to_string();
        let status = Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -KILL {pid} failed");
    }

    /// Reaps a killed replica.
    fn reap(&self) {
        let _ = self.child.lock().unwrap().wait();
    }

    /// One exchange; an I/O failure is an `Err` (for requests racing a kill).
    pub(crate) fn try_send(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        prepare(self.addr, method, path, bearer, body)?.fire()
    }

    /// One exchange that must get a complete answer.
    #[track_caller]
    fn send(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Answer<'_> {
        match self.try_send(method, path, bearer, body) {
            Ok(reply) => Answer {
                reply,
                context: format!("{method} {path} on replica {}", self.name),
                replica: self,
            },
            Err(error) => panic!(
                "{method} {path} on replica {} failed: {error}\n--- replica stderr ---\n{}",
                self.name,
                self.stderr_tail()
            ),
        }
    }

    #[track_caller]
    fn get(&self, path: &str, bearer: Option<&str>) -> Answer<'_> {
        self.send("GET", path, bearer, None)
    }

    #[track_caller]
    fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> Answer<'_> {
        self.send("POST", path, bearer, Some(body))
    }

    #[track_caller]
    fn put(&self, path: &str, bearer: Option<&str>, body: &Value) -> Answer<'_> {
        self.send("PUT", path, bearer, Some(body))
    }

    /// Logs in; must succeed.
    #[track_caller]
    pub(crate) fn login(&self, email: &str, password: &str) -> Tokens {
        let body = self
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .ok();
        Tokens::of(&body)
    }

    #[track_caller]
    fn admin(&self) -> Tokens {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    }

    /// Registers `email` with `password_for(email)`; returns the id.
    #[track_caller]
    pub(crate) fn register(&self, email: &str) -> String {
        let body = self
            .post(
                "/api/v1/auth/register",
                None,
                &json!({"email": email, "password": password_for(email)}),
            )
            .ok();
        body["id"].as_str().expect("an id").to_owned()
    }

    /// `GET /jwks`'s body.
    #[track_caller]
    fn jwks(&self) -> Value {
        self.get("/api/v1/auth/jwks", None).ok()
    }

    /// The kids `GET /jwks` publishes, in order.
    #[track_caller]
    fn kids(&self) -> Vec<String> {
        self.jwks()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|key| key["kid"].as_str().expect("kid").to_owned())
            .collect()
    }

    /// A fleet token minted through `POST /fleet/sessions`: (token, jti).
    #[track_caller]
    fn fleet_token(&self, session: &str, role: &str) -> (String, String) {
        let reply = prepare(
            self.addr,
            "POST",
            "/api/v1/auth/fleet/sessions",
            None,
            Some(&json!({"session_id": session, "agent_id": "agent-1", "role": role})),
        )
        .map(|prepared| prepared.header("X-Fleet-Secret", FLEET_SECRET))
        .and_then(Prepared::fire)
        .unwrap_or_else(|e| panic!("fleet session on {}: {e}", self.name));
        let body = Answer {
            reply,
            context: format!("POST /fleet/sessions on replica {}", self.name),
            replica: self,
        }
        .ok();
        (
            body["session_token"]
                .as_str()
                .expect("session_token")
                .to_owned(),
            body["jti"].as_str().expect("jti").to_owned(),
        )
    }

    /// Polls `/readyz` until it answers 200; false if it did not within `bound`.
    fn wait_ready(&self, bound: Duration) -> bool {
        let deadline = Instant::now() + bound;
        while Instant::now() < deadline {
            if self
                .try_send("GET", "/readyz", None, None)
                .is_ok_and(|reply| reply.status == 200)
            {
                return true;
            }
            thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

/// A reply with what is needed to explain it.
struct Answer<'r> {
    reply: Reply,
    context: String,
    replica: &'r Replica,
}

impl Answer<'_> {
    #[track_caller]
    fn fail(&self, message: &str) -> ! {
        panic!(
            "{message}\n{}: status {}\nheaders: {:?}\nbody: {}\n--- replica {} stderr ---\n{}",
            self.context,
            self.reply.status,
            self.reply.headers,
            String::from_utf8_lossy(&self.reply.body),
            self.replica.name,
            self.replica.stderr_tail()
        )
    }

    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_slice(&self.reply.body).unwrap_or_else(|_| self.fail("not JSON"))
    }

    /// Asserts 200 and a JSON object; returns it.
    #[track_caller]
    fn ok(&self) -> Value {
        if self.reply.status != 200 {
            self.fail("expected 200");
        }
        let body = self.json();
        if !body.is_object() {
            self.fail("expected a JSON object");
        }
        body
    }

    /// Asserts API.md §1's error body with `status` and `code`.
    #[track_caller]
    fn error(&self, status: u16, code: &str) {
        if self.reply.status != status {
            self.fail(&format!("expected {status} {code}"));
        }
        let body = self.json();
        if body["error"] != code || body["detail"].as_str().is_none_or(str::is_empty) {
            self.fail(&format!("expected {{\"error\": {code:?}, \"detail\": …}}"));
        }
    }
}

/// An access token and a refresh token.
#[derive(Clone)]
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

impl Tokens {
    #[track_caller]
    fn of(body: &Value) -> Tokens {
        Tokens {
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }

    fn jti(&self) -> String {
        jti_of(&self.access)
    }
}

fn jti_of(token: &str) -> String {
    decode_jwt(token).claims["jti"]
        .as_str()
        .expect("a jti")
        .to_owned()
}

fn kid_of(token: &str) -> String {
    decode_jwt(token).header["kid"]
        .as_str()
        .expect("a kid")
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// The HTTP client: one request per connection, connected ahead so that many can be fired at
// once.

/// A connection with its request ready to be written.
struct Prepared {
    stream: TcpStream,
    head: String,
    body: Vec<u8>,
}

/// Connects to `addr` and prepares a request (sent by [`Prepared::fire`]).
fn prepare(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Result<Prepared, String> {
    prepare_from(None, addr, method, path, bearer, body)
}

/// Like [`prepare`], from the loopback address `source` (any of 127.0.0.0/8).
fn prepare_from(
    source: Option<IpAddr>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Result<Prepared, String> {
    let stream = match source {
        None => TcpStream::connect_timeout(&addr, IO_TIMEOUT).map_err(|e| e.to_string())?,
        Some(source) => {
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
                .map_err(|e| e.to_string())?;
            socket
                .bind(&SocketAddr::new(source, 0).into())
                .map_err(|e| format!("bind {source}: {e}"))?;
            socket
                .connect_timeout(&addr.into(), IO_TIMEOUT)
                .map_err(|e| e.to_string())?;
            socket.into()
        }
    };
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = bearer {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.map(|body| body.to_string().into_bytes());
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    Ok(Prepared {
        stream,
        head,
        body: body.unwrap_or_default(),
    })
}

impl Prepared {
    /// Adds a header.
    fn header(mut self, name: &str, value: &str) -> Prepared {
        self.head.push_str(&format!("{name}: {value}\r\n"));
        self
    }

    /// Writes the request and reads the whole answer.
    fn fire(mut self) -> Result<Reply, String> {
        let method_has_body = !self.head.starts_with("GET ");
        let mut bytes = self.head.clone();
        if method_has_body {
            bytes.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        bytes.push_str("\r\n");
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(&self.body);
        self.stream.write_all(&bytes).map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        if let Err(error) = self.stream.read_to_end(&mut raw)
            && raw.is_empty()
        {
            return Err(error.to_string());
        }
        let mut replies = parse_replies(&raw);
        if replies.len() != 1 {
            return Err(format!(
                "expected one response, got {}: {:?}",
                replies.len(),
                String::from_utf8_lossy(&raw)
            ));
        }
        let reply = replies.remove(0);
        let announced = reply
            .header("content-length")
            .and_then(|length| length.parse::<usize>().ok());
        if announced.is_some_and(|length| length != reply.body.len()) {
            return Err(format!(
                "incomplete response: {:?}",
                String::from_utf8_lossy(&raw)
            ));
        }
        Ok(reply)
    }
}

/// Fires every request of `requests` at once (all connected first, then released together by
/// a barrier) and returns the answers in order.
fn fire_at_once(requests: Vec<Prepared>) -> Vec<Result<Reply, String>> {
    let barrier = Barrier::new(requests.len());
    thread::scope(|scope| {
        let handles: Vec<_> = requests
            .into_iter()
            .map(|request| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    request.fire()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a request thread panicked"))
            .collect()
    })
}

/// The status and, for errors, the `error` code of an answer (or the I/O failure), for
/// tallying and for failure messages.
fn outcome(result: &Result<Reply, String>) -> String {
    match result {
        Ok(reply) if reply.status == 200 => "200".to_owned(),
        Ok(reply) => {
            let code = serde_json::from_slice::<Value>(&reply.body)
                .ok()
                .and_then(|body| body["error"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&reply.body).into_owned());
            format!("{} {code}", reply.status)
        }
        Err(error) => format!("I/O: {error}"),
    }
}

/// How many answers had each outcome.
fn tally(results: &[Result<Reply, String>]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for result in results {
        *counts.entry(outcome(result)).or_insert(0) += 1;
    }
    counts
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy between one replica and PostgreSQL, which a test can cut and restore.

/// Forwards connections from a local port to the database server; `cut` closes every
/// connection and refuses new ones (reset), `restore` lets them through again.
struct Proxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    /// Both ends of every forwarded connection, for cutting.
    connections: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let open = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (accept_open, accept_connections, accept_stop) = (
            Arc::clone(&open),
            Arc::clone(&connections),
            Arc::clone(&stop),
        );
        thread::spawn(move || {
            for incoming in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = incoming else { continue };
                if !accept_open.load(Ordering::SeqCst) {
                    refuse(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    refuse(client);
                    continue;
                };
                let pairs = [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ];
                {
                    let mut list = accept_connections.lock().unwrap();
                    if let (Ok(a), Ok(b)) = (client.try_clone(), server.try_clone()) {
                        list.push(a);
                        list.push(b);
                    }
                }
                for pair in pairs {
                    if let (Ok(mut from), Ok(mut to)) = pair {
                        thread::spawn(move || {
                            let _ = std::io::copy(&mut from, &mut to);
                            let _ = to.shutdown(Shutdown::Both);
                            let _ = from.shutdown(Shutdown::Both);
                        });
                    }
                }
            }
        });
        Proxy {
            addr,
            open,
            connections,
            stop,
        }
    }

    /// The database is gone: every connection through the proxy is closed, new ones are reset.
    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for stream in self.connections.lock().unwrap().drain(..) {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The database is back.
    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Resets a connection instead of serving it.
fn refuse(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// The `host:port` of a PostgreSQL URL, resolved.
pub(crate) fn server_of(url: &str) -> SocketAddr {
    let authority = url.split("://").nth(1).expect("a URL");
    let authority = authority.split(['/', '?']).next().expect("an authority");
    let host_port = authority.rsplit('@').next().expect("a host");
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    host_port
        .to_socket_addrs()
        .expect("resolve the database host")
        .next()
        .expect("an address")
}

/// `url` with its `host:port` replaced by `addr`.
pub(crate) fn via(url: &str, addr: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let user = authority
        .rsplit_once('@')
        .map_or(String::new(), |(user, _)| format!("{user}@"));
    format!("{scheme}://{user}{addr}{tail}")
}

// ---------------------------------------------------------------------------------------------
// 1. First start.

/// Three replicas started at once on an empty database agree on one admin and one signing key,
/// each with its own key directory (the final design: keys in the database). Until the keys
/// move into the database this fails: the replicas that lose the race find no key file.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn three_replicas_starting_at_once_bootstrap_one_admin_and_one_key() {
    for round in 0..3 {
        let deployment = Deployment::new(&format!("first_start_{round}"));
        let launches: Vec<Launch> = (0..3)
            .map(|index| {
                deployment.launch(
                    &name_of(index),
                    &deployment.key_dir(index),
                    &deployment.db.url,
                    &[],
                )
            })
            .collect();
        let replicas: Vec<Replica> = launches
            .into_iter()
            .enumerate()
            .map(|(index, launch)| {
                launch.wait().unwrap_or_else(|exit| {
                    panic!(
                        "round {round}: replica {index} (own key directory) did not start on an \
                         empty database started at the same time as two others\n{exit}"
                    )
                })
            })
            .collect();
        for replica in &replicas {
            replica.get("/readyz", None).ok();
        }

        // Exactly one account, the admin, whichever replica asks.
        let listed = deployment.cli_json(&["users", "list", "--json"]);
        assert_eq!(listed["total"], 1, "round {round}: one account: {listed}");
        assert_eq!(listed["users"][0]["email"], ADMIN_EMAIL, "{listed}");
        assert_eq!(listed["users"][0]["role"], "superadmin", "{listed}");
        let admins: Vec<Tokens> = replicas.iter().map(Replica::admin).collect();
        for (replica, admin) in replicas.iter().zip(&admins) {
            let users = replica.get("/api/v1/auth/users", Some(&admin.access)).ok();
            assert_eq!(users["total"], 1, "round {round}: {users}");
        }

        // Exactly one signing key, the same JWKS everywhere.
        let jwks = replicas[0].jwks();
        assert_eq!(
            jwks["keys"].as_array().map(Vec::len),
            Some(1),
            "round {round}: one key: {jwks}"
        );
        for replica in &replicas[1..] {
            assert_eq!(
                replica.jwks(),
                jwks,
                "round {round}: replica {} publishes other keys",
                replica.name
            );
        }
        let keys = deployment.cli_json(&["keygen", "--list", "--json"]);
        assert_eq!(
            keys.as_array()
                .map(Vec::len)
                .or(keys["keys"].as_array().map(Vec::len)),
            Some(1),
            "round {round}: keygen --list: {keys}"
        );

        // And each replica's tokens pass at every other.
        for (minted, admin) in admins.iter().enumerate() {
            for replica in &replicas {
                replica.get("/api/v1/auth/me", Some(&admin.access)).ok();
                assert_eq!(
                    kid_of(&admin.access),
                    jwks["keys"][0]["kid"],
                    "minted by {minted}"
                );
            }
        }
        // A refresh token made by one replica rotates on another.
        let rotated = replicas[2]
            .post(
                "/api/v1/auth/refresh",
                None,
                &json!({"refresh_token": admins[0].refresh}),
            )
            .ok();
        assert!(rotated["access_token"].is_string());
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Tokens minted by one replica.

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn tokens_minted_by_one_replica_pass_at_the_others() {
    let deployment = Deployment::new("tokens");
    let replicas = deployment.start_all(3, &[]);
    let [a, b, c] = [&replicas[0], &replicas[1], &replicas[2]];

    // A user registered on A, logged in on B, seen on C.
    let id = a.register("u@example.com");
    let session = b.login("u@example.com", &password_for("u@example.com"));
    for replica in &replicas {
        let me = replica.get("/api/v1/auth/me", Some(&session.access)).ok();
        assert_eq!(me["id"], id.as_str());
    }
    // Its refresh token rotates on C, and the new one on A.
    let second = Tokens::of(
        &c.post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": session.refresh}),
        )
        .ok(),
    );
    let third = Tokens::of(
        &a.post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": second.refresh}),
        )
        .ok(),
    );
    b.get("/api/v1/auth/me", Some(&third.access)).ok();

    // An admin token of each replica administers at every other.
    for minted in &replicas {
        let admin = minted.admin();
        for replica in &replicas {
            replica.get("/api/v1/auth/users", Some(&admin.access)).ok();
        }
    }

    // A fleet token of C (role service) reads the denylist at A and B; so does one minted by
    // the CLI.
    let (fleet, _) = c.fleet_token("session-1", "service");
    let cli_fleet = deployment.cli(&[
        "mint-fleet",
        "--session-id",
        "session-cli",
        "--agent-id",
        "agent-cli",
        "--role",
        "service",
    ]);
    cli_fleet.assert_code(0);
    for token in [fleet.as_str(), cli_fleet.stdout.trim()] {
        for replica in &replicas {
            replica.get("/api/v1/auth/revoked-jtis", Some(token)).ok();
        }
    }

    // A wallet's challenge asked on A is answered on B, and its refresh token rotates on C.
    let wallet = Wallet::new(7);
    let challenge = a
        .post(
            "/api/v1/auth/challenge",
            None,
            &json!({"address": wallet.public_key()}),
        )
        .ok()["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned();
    let signed_in = b
        .post(
            "/api/v1/auth/sign-in",
            None,
            &wallet.sign_in_body(&challenge),
        )
        .ok();
    let refreshed = c
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": signed_in["refresh_token"]}),
        )
        .ok();
    assert_eq!(
        decode_jwt(refreshed["access_token"].as_str().expect("a token")).claims["role"],
        "wallet"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. What one replica or the CLI writes, every replica honours on its next request.

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn revocations_through_one_replica_or_the_cli_are_honoured_by_all() {
    let deployment = Deployment::new("revocations");
    let replicas = deployment.start_all(3, &[]);
    let [a, b, c] = [&replicas[0], &replicas[1], &replicas[2]];
    let admin = a.admin();
    b.register("u@example.com");
    let password = password_for("u@example.com");

    // Revoked through A: refused at B and C (and A) on the next request.
    let session = b.login("u@example.com", &password);
    for replica in &replicas {
        replica.get("/api/v1/auth/me", Some(&session.access)).ok();
    }
    a.post(
        "/api/v1/auth/revoke",
        Some(&admin.access),
        &json!({"jti": session.jti(), "reason": "through A"}),
    )
    .ok();
    for replica in [b, c, a] {
        replica
            .get("/api/v1/auth/me", Some(&session.access))
            .error(401, "invalid_token");
    }
    // Its session went with it: the refresh token is refused everywhere.
    c.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": session.refresh}),
    )
    .error(401, "invalid_token");

    // Revoked by the CLI on the same database: refused at A, B and C, and in every replica's
    // denylist (served from a copy in memory, which each replica has just made).
    let session = c.login("u@example.com", &password);
    for replica in &replicas {
        replica.get("/api/v1/auth/me", Some(&session.access)).ok();
        let listed = replica
            .get("/api/v1/auth/revoked-jtis", Some(&admin.access))
            .ok()
            .to_string();
        assert!(!listed.contains(&session.jti()), "{listed}");
    }
    deployment
        .cli(&["revoke", &session.jti(), "--reason", "by the CLI"])
        .assert_code(0);
    for replica in &replicas {
        replica
            .get("/api/v1/auth/me", Some(&session.access))
            .error(401, "invalid_token");
        let listed = replica
            .get("/api/v1/auth/revoked-jtis", Some(&admin.access))
            .ok()
            .to_string();
        assert!(
            listed.contains(&session.jti()),
            "{}: {listed}",
            replica.name
        );
    }

    // A fleet token minted on A, revoked through B, refused at C.
    let (fleet, jti) = a.fleet_token("session-r", "service");
    c.get("/api/v1/auth/revoked-jtis", Some(&fleet)).ok();
    b.post(
        "/api/v1/auth/revoke",
        Some(&admin.access),
        &json!({"jti": jti}),
    )
    .ok();
    for replica in &replicas {
        replica
            .get("/api/v1/auth/revoked-jtis", Some(&fleet))
            .error(401, "invalid_token");
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn disabling_and_role_changes_are_honoured_by_all_replicas() {
    let deployment = Deployment::new("accounts");
    let replicas = deployment.start_all(3, &[]);
    let [a, b, c] = [&replicas[0], &replicas[1], &replicas[2]];
    let admin = a.admin();
    let id = c.register("u@example.com");
    let password = password_for("u@example.com");

    // Disabled by the CLI: its live access token and its refresh token stop at once everywhere,
    // and it cannot log in anywhere.
    let session = a.login("u@example.com", &password);
    deployment
        .cli(&["users", "disable", "u@example.com"])
        .assert_code(0);
    for replica in &replicas {
        replica
            .get("/api/v1/auth/me", Some(&session.access))
            .error(403, "forbidden");
        replica
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": "u@example.com", "password": password}),
            )
            .error(403, "forbidden");
    }
    b.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": session.refresh}),
    )
    .error(401, "invalid_token");
    deployment
        .cli(&["users", "enable", "u@example.com"])
        .assert_code(0);
    let session = b.login("u@example.com", &password);

    // A viewer made operator through A's admin API gains the operator's rights at B and C with
    // the token it already holds (rights come from the database), and loses them again when the
    // CLI sets it back.
    for replica in &replicas {
        replica
            .get("/api/v1/auth/mints", Some(&session.access))
            .error(403, "forbidden");
    }
    a.put(
        &format!("/api/v1/auth/users/{id}/role"),
        Some(&admin.access),
        &json!({"role": "operator"}),
    )
    .ok();
    for replica in [b, c] {
        replica
            .get("/api/v1/auth/mints", Some(&session.access))
            .ok();
    }
    // The role change ended its sessions (API.md invariant): the refresh token is dead.
    c.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": session.refresh}),
    )
    .error(401, "invalid_token");
    deployment
        .cli(&["users", "set-role", "u@example.com", "viewer"])
        .assert_code(0);
    for replica in &replicas {
        replica
            .get("/api/v1/auth/mints", Some(&session.access))
            .error(403, "forbidden");
    }
    // Made superadmin by the CLI, it administers through every replica.
    deployment
        .cli(&["users", "set-role", "u@example.com", "superadmin"])
        .assert_code(0);
    for replica in &replicas {
        replica
            .get("/api/v1/auth/users", Some(&session.access))
            .ok();
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_key_rotation_by_the_cli_reaches_every_replica_at_its_next_request() {
    let deployment = Deployment::new("rotation");
    let replicas = deployment.start_all(3, &[]);
    let old_kid = replicas[0].kids();
    assert_eq!(old_kid.len(), 1);
    let old_kid = old_kid[0].clone();
    let old_tokens: Vec<Tokens> = replicas.iter().map(Replica::admin).collect();

    let rotated = deployment.cli(&["keygen", "--rotate"]);
    rotated.assert_code(0);
    let listed = deployment.cli_json(&["keygen", "--list", "--json"]);
    let new_kid = active_kid(&listed);
    assert_ne!(new_kid, old_kid, "{listed}");

    for replica in &replicas {
        let kids: BTreeSet<String> = replica.kids().into_iter().collect();
        assert_eq!(
            kids,
            BTreeSet::from([old_kid.clone(), new_kid.clone()]),
            "replica {} publishes both keys right after the rotation",
            replica.name
        );
        let fresh = replica.admin();
        assert_eq!(
            kid_of(&fresh.access),
            new_kid,
            "replica {} signs with the new key",
            replica.name
        );
        // Tokens of the old key, from any replica, still pass; the new ones pass everywhere.
        for token in &old_tokens {
            replica.get("/api/v1/auth/me", Some(&token.access)).ok();
        }
        for other in &replicas {
            other.get("/api/v1/auth/me", Some(&fresh.access)).ok();
        }
    }

    // Retiring the old key takes it out everywhere, and its tokens stop.
    deployment
        .cli(&["keygen", "--retire", &old_kid])
        .assert_code(0);
    for replica in &replicas {
        assert_eq!(replica.kids(), vec![new_kid.clone()], "{}", replica.name);
        replica
            .get("/api/v1/auth/me", Some(&old_tokens[0].access))
            .error(401, "invalid_token");
    }
}

/// The kid `keygen --list --json` shows as active.
#[track_caller]
fn active_kid(listed: &Value) -> String {
    let keys = listed
        .as_array()
        .or_else(|| listed["keys"].as_array())
        .unwrap_or_else(|| panic!("keygen --list --json: {listed}"));
    let active: Vec<&Value> = keys.iter().filter(|key| key["state"] == "active").collect();
    assert_eq!(active.len(), 1, "exactly one active key: {listed}");
    active[0]["kid"].as_str().expect("a kid").to_owned()
}

// ---------------------------------------------------------------------------------------------
// 4. One refresh token, twenty concurrent uses over three replicas.

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn twenty_concurrent_refreshes_over_three_replicas_rotate_once_and_kill_the_family() {
    let deployment = Deployment::new("refresh_race");
    let replicas = deployment.start_all(3, &[]);
    replicas[0].register("u@example.com");
    for round in 0..5 {
        let session = replicas[round % 3].login("u@example.com", &password_for("u@example.com"));
        let requests: Vec<Prepared> = (0..20)
            .map(|index| {
                prepare(
                    replicas[index % 3].addr,
                    "POST",
                    "/api/v1/auth/refresh",
                    None,
                    Some(&json!({"refresh_token": session.refresh})),
                )
                .expect("connect")
            })
            .collect();
        let results = fire_at_once(requests);
        let counts = tally(&results);
        assert_eq!(
            counts,
            BTreeMap::from([("200".to_owned(), 1), ("401 invalid_token".to_owned(), 19)]),
            "round {round}: exactly one of 20 concurrent refreshes wins, the others are refused\n\
             --- replica stderr ---\n{}",
            replicas
                .iter()
                .map(Replica::stderr_tail)
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        let winner = results
            .iter()
            .find_map(|result| result.as_ref().ok().filter(|reply| reply.status == 200))
            .expect("a winner");
        let won = Tokens::of(&winner.json());
        // Reuse detection killed the family: the winner's new refresh token is dead, and so
        // are the access tokens of the chain, the winner's included, on every replica.
        for replica in &replicas {
            replica
                .post(
                    "/api/v1/auth/refresh",
                    None,
                    &json!({"refresh_token": won.refresh}),
                )
                .error(401, "invalid_token");
            for access in [&won.access, &session.access] {
                replica
                    .get("/api/v1/auth/me", Some(access))
                    .error(401, "invalid_token");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. One wallet challenge, submitted to three replicas at once.

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_signed_challenge_submitted_to_every_replica_at_once_signs_in_once() {
    let deployment = Deployment::new("challenge_race");
    let replicas = deployment.start_all(3, &[]);
    let wallet = Wallet::new(9);
    for round in 0..10 {
        let challenge = replicas[round % 3]
            .post(
                "/api/v1/auth/challenge",
                None,
                &json!({"address": wallet.public_key()}),
            )
            .ok()["challenge"]
            .as_str()
            .expect("a challenge")
            .to_owned();
        let body = wallet.sign_in_body(&challenge);
        // Three submissions to each replica, all at once.
        let requests: Vec<Prepared> = (0..9)
            .map(|index| {
                prepare(
                    replicas[index % 3].addr,
                    "POST",
                    "/api/v1/auth/sign-in",
                    None,
                    Some(&body),
                )
                .expect("connect")
            })
            .collect();
        let counts = tally(&fire_at_once(requests));
        assert_eq!(
            counts,
            BTreeMap::from([("200".to_owned(), 1), ("401 invalid_token".to_owned(), 8)]),
            "round {round}: one challenge signs in once"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 6. kill -9 of a replica mid-burst.

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn killing_a_replica_mid_burst_loses_no_acknowledged_write_and_the_others_serve_on() {
    const THREADS: usize = 6;
    const PER_THREAD: usize = 34;
    const KILL_AFTER: usize = 40;
    let deployment = Deployment::new("kill");
    let replicas = deployment.start_all(3, &[]);

    // Each thread sends to replica `t % 3`, alternating fleet mints and registrations.
    let acknowledged_mints = Mutex::new(Vec::<String>::new());
    let acknowledged_users = Mutex::new(Vec::<String>::new());
    let refused = Mutex::new(Vec::<String>::new());
    let acks = AtomicUsize::new(0);
    let killed = AtomicBool::new(false);
    thread::scope(|scope| {
        for t in 0..THREADS {
            let replica = &replicas[t % 3];
            let (mints, users, refused, acks, killed) = (
                &acknowledged_mints,
                &acknowledged_users,
                &refused,
                &acks,
                &killed,
            );
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    let (result, id) = if i % 2 == 0 {
                        let result = prepare(
                            replica.addr,
                            "POST",
                            "/api/v1/auth/fleet/sessions",
                            None,
                            Some(&json!({"session_id": format!("s-{t}-{i}"), "agent_id": "a"})),
                        )
                        .map(|prepared| prepared.header("X-Fleet-Secret", FLEET_SECRET))
                        .and_then(Prepared::fire);
                        (result, None)
                    } else {
                        let email = format!("burst-{t}-{i}@example.com");
                        let result = replica.try_send(
                            "POST",
                            "/api/v1/auth/register",
                            None,
                            Some(&json!({"email": email, "password": password_for(&email)})),
                        );
                        (result, Some(email))
                    };
                    match result {
                        Ok(reply) if reply.status == 200 => {
                            match id {
                                Some(email) => users.lock().unwrap().push(email),
                                None => {
                                    let body: Value =
                                        serde_json::from_slice(&reply.body).expect("JSON");
                                    mints
                                        .lock()
                                        .unwrap()
                                        .push(body["jti"].as_str().expect("jti").to_owned());
                                }
                            }
                            acks.fetch_add(1, Ordering::SeqCst);
                        }
                        // The killed replica's requests fail; that thread stops.
                        Err(_) if t % 3 == 0 && killed.load(Ordering::SeqCst) => return,
                        other => {
                            refused.lock().unwrap().push(format!(
                                "replica {}: {}",
                                replica.name,
                                outcome(&other)
                            ));
                            return;
                        }
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while acks.load(Ordering::SeqCst) < KILL_AFTER && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        killed.store(true, Ordering::SeqCst);
        replicas[0].sigkill();
    });
    replicas[0].reap();
    let refused = refused.into_inner().unwrap();
    assert!(
        refused.is_empty(),
        "the surviving replicas refused or dropped requests: {refused:?}\n--- B ---\n{}\n--- C ---\n{}",
        replicas[1].stderr_tail(),
        replicas[2].stderr_tail()
    );
    let mints = acknowledged_mints.into_inner().unwrap();
    let users = acknowledged_users.into_inner().unwrap();
    assert!(mints.len() + users.len() >= KILL_AFTER);
    assert!(
        mints.len() + users.len() < THREADS * PER_THREAD,
        "the kill did not land mid-burst"
    );

    // Every acknowledged write is there, seen through the survivors.
    let b = &replicas[1];
    let admin = b.admin();
    let audited: BTreeSet<String> = b
        .get("/api/v1/auth/mints?limit=1000", Some(&admin.access))
        .ok()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["jti"].as_str().expect("jti").to_owned())
        .collect();
    let missing: Vec<&String> = mints.iter().filter(|jti| !audited.contains(*jti)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged mints missing from the audit: {missing:?}"
    );
    let listed = b
        .get("/api/v1/auth/users", Some(&admin.access))
        .ok()
        .to_string();
    let missing: Vec<&String> = users
        .iter()
        .filter(|email| !listed.contains(email.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged registrations missing: {missing:?}"
    );
    for replica in &replicas[1..] {
        replica.get("/readyz", None).ok();
        replica.admin();
    }
    // The killed replica comes back on the same database.
    let restarted = deployment.start(0, &[]);
    restarted.get("/readyz", None).ok();
    restarted.admin();
}

// ---------------------------------------------------------------------------------------------
// 7. The database goes away and comes back.

/// Asserts a 503 with `Retry-After` and API.md §1's body, answered within the bound.
#[track_caller]
fn assert_unavailable(
    replica: &Replica,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) {
    let started = Instant::now();
    let answer = replica.send(method, path, bearer, body);
    let took = started.elapsed();
    if took > OUTAGE_ANSWER_BOUND {
        answer.fail(&format!("answered after {took:?} with the database gone"));
    }
    answer.error(503, "unavailable");
    if answer
        .reply
        .header("retry-after")
        .is_none_or(|value| value.parse::<u64>().is_err())
    {
        answer.fail("a 503 without a Retry-After in seconds");
    }
}

#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_replica_that_loses_the_database_answers_503_and_recovers_by_itself() {
    let deployment = Deployment::new("outage");
    let proxy = Proxy::start(server_of(&deployment.db.url));
    let proxied = via(&deployment.db.url, proxy.addr);
    let a = deployment
        .launch("A", &deployment.key_dir(0), &proxied, &[])
        .wait()
        .unwrap_or_else(|exit| panic!("A did not start through the proxy\n{exit}"));
    let b = deployment.start(1, &[]);
    b.register("u@example.com");
    let password = password_for("u@example.com");
    let session = a.login("u@example.com", &password);
    let wallet = Wallet::new(3);

    for outage in 0..2 {
        proxy.cut();
        // Each twice: the first meets the pooled connections the cut closed, the second a
        // database that refuses new ones.
        for _ in 0..2 {
            assert_unavailable(
                &a,
                "POST",
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": "u@example.com", "password": password})),
            );
            assert_unavailable(&a, "GET", "/api/v1/auth/me", Some(&session.access), None);
            assert_unavailable(
                &a,
                "POST",
                "/api/v1/auth/refresh",
                None,
                Some(&json!({"refresh_token": "x".repeat(43)})),
            );
            assert_unavailable(
                &a,
                "POST",
                "/api/v1/auth/challenge",
                None,
                Some(&json!({"address": wallet.public_key()})),
            );
            assert_unavailable(&a, "GET", "/readyz", None, None);
            a.get("/healthz", None).ok();
        }
        // The replica that still has the database serves on.
        b.login("u@example.com", &password);
        b.get("/api/v1/auth/me", Some(&session.access)).ok();

        proxy.restore();
        assert!(
            a.wait_ready(RECOVERY_BOUND),
            "outage {outage}: A is not ready {RECOVERY_BOUND:?} after the database came back\n{}",
            a.stderr_tail()
        );
        let fresh = a.login("u@example.com", &password);
        a.get("/api/v1/auth/me", Some(&fresh.access)).ok();
        a.get("/api/v1/auth/me", Some(&session.access)).ok();
    }
    // Never a 500.
    let log = a.stderr_all();
    assert!(!log.contains("status=500"), "{}", a.stderr_tail());
}

/// A replica started while the database is down waits a bounded time for it, then exits
/// non-zero with a message naming the database (never its password); started while the
/// database is merely slow to come up, it starts once the database is there.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_replica_started_while_the_database_is_down_waits_a_bounded_time_then_exits() {
    let deployment = Deployment::new("down_at_start");
    let proxy = Proxy::start(server_of(&deployment.db.url));
    // A password in the URL must never reach the message (trust authentication ignores it).
    let proxied =
        via(&deployment.db.url, proxy.addr).replacen("postgres@", "postgres:s3cret-pw@", 1);
    proxy.cut();
    let exit = match deployment
        .launch("A", &deployment.key_dir(0), &proxied, &[])
        .wait()
    {
        Ok(_) => panic!("a replica started with the database down"),
        Err(exit) => exit,
    };
    assert_eq!(
        exit.status.and_then(|status| status.code()),
        Some(1),
        "exits 1 (the operation failed)\n{exit}"
    );
    assert!(
        exit.elapsed < Duration::from_secs(40),
        "gives up within a bound\n{exit}"
    );
    assert!(
        exit.elapsed >= Duration::from_secs(5),
        "waits a while for a database that is starting\n{exit}"
    );
    let named = format!("{}/{}", proxy.addr, deployment.db.name);
    assert!(
        exit.stderr.contains(&named),
        "the message names {named}\n{exit}"
    );
    assert!(
        !exit.stderr.contains("s3cret-pw"),
        "the password leaked\n{exit}"
    );
    let last = exit.stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("picoauth: ") && last.contains("database"),
        "one clear last line\n{exit}"
    );

    // Down at the start but back within a couple of seconds: the replica comes up.
    let launch = deployment.launch("B", &deployment.key_dir(1), &proxied, &[]);
    thread::sleep(Duration::from_secs(2));
    proxy.restore();
    let b = launch
        .wait()
        .unwrap_or_else(|exit| panic!("B did not start once the database was back\n{exit}"));
    b.get("/readyz", None).ok();
    b.admin();
}

// ---------------------------------------------------------------------------------------------
// Attacks: invariants of the store under two or three replicas.

/// Two superadmins demote each other at the same moment through two replicas: the last-superadmin
/// guard must leave one (a write skew that only serializable transactions catch).
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn two_superadmins_demoting_each_other_on_two_replicas_leave_one() {
    let deployment = Deployment::new("last_superadmin");
    let replicas = deployment.start_all(3, &[]);
    let [a, b] = [&replicas[0], &replicas[1]];
    let admin_id = a.get("/api/v1/auth/me", Some(&a.admin().access)).ok()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other_id = a.register("root2@example.com");
    for round in 0..8 {
        deployment
            .cli(&["users", "set-role", "root2@example.com", "superadmin"])
            .assert_code(0);
        deployment
            .cli(&["users", "set-role", ADMIN_EMAIL, "superadmin"])
            .assert_code(0);
        let first = a.admin();
        let second = b.login("root2@example.com", &password_for("root2@example.com"));
        // Round by round: demote each other, disable each other, or one of each.
        let (path_a, body_a, path_b, body_b) = (
            format!("/api/v1/auth/users/{other_id}/role"),
            json!({"role": "viewer"}),
            format!("/api/v1/auth/users/{admin_id}/role"),
            json!({"role": if round % 2 == 0 { "viewer" } else { "operator" }}),
        );
        let requests = vec![
            prepare(a.addr, "PUT", &path_a, Some(&first.access), Some(&body_a)).expect("connect"),
            prepare(b.addr, "PUT", &path_b, Some(&second.access), Some(&body_b)).expect("connect"),
        ];
        let results = fire_at_once(requests);
        let listed = deployment.cli_json(&["users", "list", "--json"]);
        let superadmins = listed["users"]
            .as_array()
            .expect("users")
            .iter()
            .filter(|user| user["role"] == "superadmin" && user["status"] == "active")
            .count();
        assert!(
            superadmins >= 1,
            "round {round}: no active superadmin is left after {:?}: {listed}",
            tally(&results)
        );
        let succeeded = results
            .iter()
            .filter(|result| result.as_ref().is_ok_and(|reply| reply.status == 200))
            .count();
        assert_eq!(
            succeeded,
            1,
            "round {round}: exactly one demotion wins: {:?}",
            tally(&results)
        );
    }
    // The CLI racing itself: two disables of the two superadmins at once.
    deployment
        .cli(&["users", "set-role", "root2@example.com", "superadmin"])
        .assert_code(0);
    deployment
        .cli(&["users", "set-role", ADMIN_EMAIL, "superadmin"])
        .assert_code(0);
    let runs: Vec<Run> = thread::scope(|scope| {
        let handles: Vec<_> = [ADMIN_EMAIL, "root2@example.com"]
            .into_iter()
            .map(|email| {
                let deployment = &deployment;
                scope.spawn(move || deployment.cli(&["users", "disable", email]))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("cli thread"))
            .collect()
    });
    let codes: Vec<i32> = runs.iter().map(Run::code).collect();
    let listed = deployment.cli_json(&["users", "list", "--json"]);
    let active_superadmins = listed["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter(|user| user["role"] == "superadmin" && user["status"] == "active")
        .count();
    assert_eq!(active_superadmins, 1, "codes {codes:?}: {listed}");
}

/// Two `keygen --rotate` at the same moment: both succeed, and there is still exactly one
/// signing key, the same on every replica, which publishes all three.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn concurrent_key_rotations_leave_exactly_one_signing_key() {
    let deployment = Deployment::new("rotations");
    let replicas = deployment.start_all(3, &[]);
    for round in 0..3 {
        let runs: Vec<Run> = thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let deployment = &deployment;
                    scope.spawn(move || deployment.cli(&["keygen", "--rotate"]))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("cli thread"))
                .collect()
        });
        for run in &runs {
            run.assert_code(0);
        }
        let printed: BTreeSet<String> = runs
            .iter()
            .map(|run| {
                run.stdout
                    .split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            printed.len(),
            3,
            "round {round}: three new keys: {printed:?}"
        );
        let listed = deployment.cli_json(&["keygen", "--list", "--json"]);
        let active = active_kid(&listed);
        let published: BTreeSet<String> = replicas[0].kids().into_iter().collect();
        assert_eq!(published.len(), 1 + 3 * (round + 1), "{listed}");
        for replica in &replicas {
            let kids: BTreeSet<String> = replica.kids().into_iter().collect();
            assert_eq!(kids, published, "replica {}", replica.name);
            assert_eq!(
                kid_of(&replica.admin().access),
                active,
                "replica {}",
                replica.name
            );
        }
    }
}

/// Many clients asking for challenges on three replicas at once, with a small bound: nobody is
/// refused (eviction, never refusal; no 503 from serialization failures), and the pending
/// count stays within the bound and agrees with the rows.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn the_challenge_bound_holds_under_concurrent_challenges_on_three_replicas() {
    const BOUND: i64 = 100;
    /// Requests per round, from half as many addresses (so each client also evicts its own).
    const REQUESTS: usize = 60;
    let deployment = Deployment::new("challenge_cap");
    let replicas = deployment.start_all(3, &["--max-pending-challenges", "100"]);
    let wallet = Wallet::new(5);
    let body = json!({"address": wallet.public_key()});
    for round in 0..3 {
        // Requests from many addresses over the three replicas, all at once.
        let requests: Vec<Prepared> = (0..REQUESTS)
            .map(|index| {
                let source = IpAddr::V4(Ipv4Addr::new(
                    127,
                    0,
                    10 + round,
                    1 + (index % (REQUESTS / 2)) as u8,
                ));
                prepare_from(
                    Some(source),
                    replicas[index % 3].addr,
                    "POST",
                    "/api/v1/auth/challenge",
                    None,
                    Some(&body),
                )
                .expect("connect")
            })
            .collect();
        let counts = tally(&fire_at_once(requests));
        assert_eq!(
            counts,
            BTreeMap::from([("200".to_owned(), REQUESTS)]),
            "round {round}: every challenge is answered\n{}",
            replicas
                .iter()
                .map(Replica::stderr_tail)
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        let mut sql = deployment.sql();
        let rows: i64 = sql
            .query_one("SELECT count(*) FROM challenges", &[])
            .unwrap()
            .get(0);
        let counted: i64 = sql
            .query_one("SELECT value FROM counters WHERE name = 'challenges'", &[])
            .unwrap()
            .get(0);
        let per_client: i64 = sql
            .query_one(
                "SELECT count(*) FROM (SELECT c.client FROM challenges c \
                 GROUP BY c.client HAVING count(*) <> \
                 coalesce((SELECT pending FROM challenge_clients k WHERE k.client = c.client), 0)) x",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            rows, counted,
            "round {round}: the counter agrees with the rows"
        );
        assert_eq!(per_client, 0, "round {round}: every client's count agrees");
        assert!(
            rows <= BOUND,
            "round {round}: {rows} pending, over the bound {BOUND}"
        );
    }
}

/// The same email registered on three replicas at once: one account, the others 409.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn one_email_registered_on_three_replicas_at_once_makes_one_account() {
    let deployment = Deployment::new("register_race");
    let replicas = deployment.start_all(3, &[]);
    for round in 0..5 {
        let email = format!("same-{round}@example.com");
        let body = json!({"email": email, "password": password_for(&email)});
        let requests: Vec<Prepared> = (0..6)
            .map(|index| {
                prepare(
                    replicas[index % 3].addr,
                    "POST",
                    "/api/v1/auth/register",
                    None,
                    Some(&body),
                )
                .expect("connect")
            })
            .collect();
        let counts = tally(&fire_at_once(requests));
        assert_eq!(
            counts,
            BTreeMap::from([("200".to_owned(), 1), ("409 conflict".to_owned(), 5)]),
            "round {round}"
        );
    }
    let listed = deployment.cli_json(&["users", "list", "--json"]);
    assert_eq!(listed["total"], 6, "{listed}");
}

/// The same jti revoked through three replicas at once: every answer is the first entry.
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn one_jti_revoked_on_three_replicas_at_once_keeps_the_first_entry() {
    let deployment = Deployment::new("revoke_race");
    let replicas = deployment.start_all(3, &[]);
    let admins: Vec<Tokens> = replicas.iter().map(Replica::admin).collect();
    for round in 0..5 {
        let jti = format!("raced-jti-{round}");
        let requests: Vec<Prepared> = (0..6)
            .map(|index| {
                prepare(
                    replicas[index % 3].addr,
                    "POST",
                    "/api/v1/auth/revoke",
                    Some(&admins[index % 3].access),
                    Some(&json!({"jti": jti, "reason": format!("reason {index}")})),
                )
                .expect("connect")
            })
            .collect();
        let results = fire_at_once(requests);
        let entries: BTreeSet<String> = results
            .iter()
            .map(|result| match result {
                Ok(reply) if reply.status == 200 => {
                    let body: Value = serde_json::from_slice(&reply.body).expect("JSON");
                    body["revoked"].to_string()
                }
                other => panic!("round {round}: a revocation failed: {}", outcome(other)),
            })
            .collect();
        assert_eq!(
            entries.len(),
            1,
            "round {round}: one entry for all: {entries:?}"
        );
    }
}

/// A role change through one replica while the same session refreshes on another: whichever
/// commits first, no refresh token of the session survives the change (it ends the account's
/// sessions; a refresh that commits before it must lose its new token with them, one that
/// comes after must find the old token gone).
#[test]
#[cfg_attr(
    not(picoauth_test_postgres),
    ignore = "needs PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL (.ci/run starts one)"
)]
fn a_refresh_racing_a_role_change_on_another_replica_leaves_no_live_session() {
    let deployment = Deployment::new("role_vs_refresh");
    let replicas = deployment.start_all(3, &[]);
    let [a, b] = [&replicas[0], &replicas[1]];
    let admin = a.admin();
    let id = b.register("u@example.com");
    let password = password_for("u@example.com");
    let mut outcomes = BTreeMap::new();
    for round in 0..20 {
        let session = replicas[round % 3].login("u@example.com", &password);
        let role = if round % 2 == 0 { "operator" } else { "viewer" };
        let requests = vec![
            prepare(
                a.addr,
                "PUT",
                &format!("/api/v1/auth/users/{id}/role"),
                Some(&admin.access),
                Some(&json!({ "role": role })),
            )
            .expect("connect"),
            prepare(
                b.addr,
                "POST",
                "/api/v1/auth/refresh",
                None,
                Some(&json!({"refresh_token": session.refresh})),
            )
            .expect("connect"),
        ];
        let results = fire_at_once(requests);
        assert_eq!(
            outcome(&results[0]),
            "200",
            "round {round}: the role change"
        );
        let refreshed = outcome(&results[1]);
        *outcomes.entry(refreshed.clone()).or_insert(0) += 1;
        match &results[1] {
            Ok(reply) if reply.status == 200 => {
                let rotated = Tokens::of(&serde_json::from_slice(&reply.body).expect("JSON"));
                replicas[2]
                    .post(
                        "/api/v1/auth/refresh",
                        None,
                        &json!({"refresh_token": rotated.refresh}),
                    )
                    .error(401, "invalid_token");
            }
            _ => assert_eq!(refreshed, "401 invalid_token", "round {round}"),
        }
    }
    // Both orders should have been seen over the rounds; only informative.
    eprintln!("refreshes racing role changes: {outcomes:?}");
}
