//! The black-box harness: temporary directories, the `picoauth` command, a server guard and a tiny HTTP/1.1 client.
//!
//! It drives the real binary over real sockets and knows nothing of the crate's internals.
//! It deliberately has no async runtime and no HTTP library: requests are written by hand with
//! `Connection: close`, so a test sees exactly what the server sends.
//!
//! # Invariants
//!
//! - A failing helper prints the command or request, the status, the body and the server's stderr.
//! - Nothing waits on a clock: the server is ready when it prints `listening on http://ADDR`.
//! - The child never inherits a `PICOAUTH_*` variable from the developer's shell; the harness
//!   sets only what the backend needs (`TestDir::store_env`).
//! - One backend per build: SQLite files, or with `PICOAUTH_TEST_BACKEND=postgres` (`build.rs`)
//!   a throwaway PostgreSQL database per `TestDir`. Every `serve` and CLI run of the harness gets
//!   `--db <dir.db()>`; a test that only makes sense on SQLite is ignored on PostgreSQL, with the
//!   reason, and `TestDir::db_file` panics there, so none passes by looking at a missing file.

use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// The admin account every `Server::start` creates.
pub const ADMIN_EMAIL: &str = "admin@pico.local";
/// The admin password `Server::start` passes through `PICOAUTH_ADMIN_PASSWORD`.
pub const ADMIN_PASSWORD: &str = "correct-horse-battery-staple";
/// The environment that gives the admin a known password.
pub const ADMIN_ENV: (&str, &str) = ("PICOAUTH_ADMIN_PASSWORD", ADMIN_PASSWORD);

/// How long a server may take to print its readiness line, generous for a loaded CI machine.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one HTTP exchange may take before the test fails instead of hanging.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether this build of the black-box tests runs picoauth on PostgreSQL: built with
/// `PICOAUTH_TEST_BACKEND=postgres` (see `build.rs`), every `TestDir` is a throwaway database on
/// the server `PICOAUTH_TEST_POSTGRES` names instead of a SQLite file. A test that only makes
/// sense on SQLite says so with
/// `#[cfg_attr(picoauth_test_backend_postgres, ignore = "SQLite only: …")]`.
pub const ON_POSTGRES: bool = cfg!(picoauth_test_backend_postgres);

/// A fresh directory under the system temp dir, removed when dropped; on PostgreSQL
/// (`ON_POSTGRES`) also a database of its own and a key-encryption-key file, dropped with it.
pub struct TestDir {
    path: PathBuf,
    /// The database of this directory when the tests run on PostgreSQL.
    postgres: Option<PgDatabase>,
}

impl TestDir {
    /// Creates an empty directory whose name no other test in this run shares, and on
    /// PostgreSQL an empty database and its key-encryption-key file (outside the directory, so
    /// a test that checks what a command left in the directory sees only picoauth's files).
    pub fn new() -> TestDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("picoauth-test-{}-{n}", std::process::id()));
        // A directory left by an earlier run that had the same pid is stale.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        let postgres = ON_POSTGRES
            .then(|| PgDatabase::create(&format!("picoauth_t_{}_{n}", std::process::id())));
        TestDir { path, postgres }
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the harness passes as `--db`: the SQLite file `<dir>/picoauth.db`, or on
    /// PostgreSQL the URL of this directory's database.
    pub fn db(&self) -> OsString {
        match &self.postgres {
            Some(database) => database.url.clone().into(),
            None => self.db_file().into_os_string(),
        }
    }

    /// The SQLite database file, for a test that only makes sense on SQLite (it opens the
    /// file, checks its mode…); such a test is ignored on PostgreSQL, so this panics there.
    #[track_caller]
    pub fn db_file(&self) -> PathBuf {
        if self.postgres.is_some() {
            panic!(
                "SQLite only: this test looks at the database file; mark it \
                 #[cfg_attr(picoauth_test_backend_postgres, ignore = \"SQLite only: …\")]"
            );
        }
        self.path.join("picoauth.db")
    }

    /// Whether picoauth has made its database yet: the SQLite file exists, or the PostgreSQL
    /// database (which the harness creates empty) holds a table.
    pub fn database_made(&self) -> bool {
        match &self.postgres {
            Some(database) => database.has_tables(),
            None => self.db_file().exists(),
        }
    }

    /// The environment every picoauth run on this directory gets besides `--db` and
    /// `--key-dir`: on PostgreSQL, `PICOAUTH_KEY_ENCRYPTION_KEY_FILE`; on SQLite, nothing.
    pub fn store_env(&self) -> Vec<(&'static str, OsString)> {
        match &self.postgres {
            Some(database) => vec![(
                "PICOAUTH_KEY_ENCRYPTION_KEY_FILE",
                database.key_encryption_key_file().as_os_str().to_owned(),
            )],
            None => Vec::new(),
        }
    }

    /// Runs `statement` (one SQL statement, parameters `$1`, `$2`… bound to `params` as
    /// text) on this directory's database, SQLite file or PostgreSQL, and returns the number of
    /// rows it changed: for a test that sets up a state no door of picoauth can make.
    #[track_caller]
    pub fn execute_sql(&self, statement: &str, params: &[&str]) -> u64 {
        match &self.postgres {
            Some(database) => {
                let mut client = postgres::Client::connect(&database.url, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("connect to the test database: {e}"));
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|param| param as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                client
                    .execute(statement, &params)
                    .unwrap_or_else(|e| panic!("{statement}: {e}"))
            }
            None => {
                let connection =
                    rusqlite::Connection::open(self.db_file()).expect("open the test database");
                connection
                    .busy_timeout(Duration::from_secs(10))
                    .expect("busy timeout");
                let changed = connection
                    .execute(statement, rusqlite::params_from_iter(params))
                    .unwrap_or_else(|e| panic!("{statement}: {e}"));
                changed as u64
            }
        }
    }

    /// The key directory the server is started with; the server creates it.
    pub fn key_dir(&self) -> PathBuf {
        self.path.join("keys")
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        // The database (and its key file) go when `postgres` drops, after this.
    }
}

/// A throwaway database on the server `PICOAUTH_TEST_POSTGRES` names (an admin URL, which the
/// tests reach with `sslmode=disable`), with a key-encryption-key file of its own; both go when
/// it is dropped (the database `WITH (FORCE)`, so a killed server's connections do not keep it).
pub struct PgDatabase {
    /// The name of the database.
    name: String,
    /// The URL of the database: the admin URL with the database name replaced.
    pub url: String,
    /// The key-encryption-key file, `<temp dir>/<name>.kek`.
    key_file: PathBuf,
}

impl PgDatabase {
    /// Creates the empty database `name` (dropping a stale one of an earlier run) and a fresh
    /// key-encryption key for it.
    ///
    /// Panics if `PICOAUTH_TEST_POSTGRES` is unset: a test that needs PostgreSQL and runs
    /// without it fails, it never passes.
    #[track_caller]
    pub fn create(name: &str) -> PgDatabase {
        let admin = postgres_admin_url();
        admin_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        admin_execute(&format!("CREATE DATABASE {name}"));
        let (base, query) = match admin.find('?') {
            Some(at) => admin.split_at(at),
            None => (admin.as_str(), ""),
        };
        let authority = base.find("://").map_or(0, |at| at + 3);
        let host_end = base[authority..]
            .find('/')
            .map_or(base.len(), |at| authority + at);
        let url = format!("{}/{name}{query}", &base[..host_end]);
        let key_file = std::env::temp_dir().join(format!("{name}.kek"));
        write_key_encryption_key(&key_file);
        PgDatabase {
            name: name.to_owned(),
            url,
            key_file,
        }
    }

    /// The key-encryption-key file, for `PICOAUTH_KEY_ENCRYPTION_KEY_FILE`.
    pub fn key_encryption_key_file(&self) -> &Path {
        &self.key_file
    }

    /// Whether the database holds any table (picoauth's migrations make several).
    fn has_tables(&self) -> bool {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to the test database: {e}"));
        let row = client
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_tables \
                 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                &[],
            )
            .unwrap_or_else(|e| panic!("count the tables: {e}"));
        row.get::<_, i64>(0) > 0
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key_file);
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(error) = try_admin_execute(&drop)
            && !thread::panicking()
        {
            panic!("{drop}: {error}");
        }
    }
}

/// Writes a fresh key-encryption key to `path`: 32 random bytes in base64, as
/// `openssl rand -base64 32` makes it, mode 0600.
fn write_key_encryption_key(path: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut key = [0u8; 32];
    aws_lc_rs::rand::fill(&mut key).expect("random bytes");
    let text = format!(
        "{}\n",
        base64::engine::general_purpose::STANDARD.encode(key)
    );
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The admin URL of the PostgreSQL server the tests use.
#[track_caller]
fn postgres_admin_url() -> String {
    match std::env::var("PICOAUTH_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "no PostgreSQL: set PICOAUTH_TEST_POSTGRES to a server's admin URL \
             (and rebuild) to run this test; README: Run the tests"
        ),
    }
}

/// Runs `statement` on the admin connection, panicking if it fails.
#[track_caller]
fn admin_execute(statement: &str) {
    if let Err(error) = try_admin_execute(statement) {
        panic!("{statement}: {error}");
    }
}

/// Runs `statement` on the one admin connection the tests share (connecting again if it broke).
fn try_admin_execute(statement: &str) -> Result<(), postgres::Error> {
    static ADMIN: Mutex<Option<postgres::Client>> = Mutex::new(None);
    let mut admin = ADMIN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if admin.as_ref().is_none_or(postgres::Client::is_closed) {
        *admin = Some(postgres::Client::connect(
            &postgres_admin_url(),
            postgres::NoTls,
        )?);
    }
    let client = admin.as_mut().expect("connected above");
    let result = client.batch_execute(statement);
    if result.is_err() {
        // The next statement starts on a fresh connection.
        *admin = None;
    }
    result
}

/// The `picoauth` binary under test, with every inherited `PICOAUTH_*` variable removed.
pub fn picoauth() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_picoauth"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PICOAUTH_") {
            command.env_remove(&name);
        }
    }
    command.env("NO_COLOR", "1");
    command
}

/// The `picoauth` binary with what it needs to open `dir`'s database besides `--db` and
/// `--key-dir` (`TestDir::store_env`), and no other inherited `PICOAUTH_*` variable.
pub fn picoauth_on(dir: &TestDir) -> Command {
    let mut command = picoauth();
    command.envs(dir.store_env());
    command
}

/// `picoauth serve` on a free port, with the database and key directory of `dir`.
fn serve_command(dir: &TestDir, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut command = picoauth_on(dir);
    command
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .args(args)
        .envs(envs.iter().copied());
    command
}

/// `picoauth serve` on a free port, on the database `db` (a URL), with `dir`'s key directory.
fn serve_on_db_command(dir: &TestDir, db: &str, args: &[&str]) -> Command {
    let mut command = picoauth();
    command
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--db", db, "--key-dir"])
        .arg(dir.key_dir())
        .args(args)
        .envs([ADMIN_ENV]);
    command
}

/// A running child whose stdout arrives line by line and whose stderr is collected.
struct Process {
    child: Child,
    /// The command line, for failure messages.
    command: String,
    /// Lines of stdout; disconnected once stdout is closed.
    stdout_lines: Receiver<String>,
    /// All of stderr so far; the drain thread appends to it.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The drain thread; joined to be sure `stderr` is complete after exit.
    stderr_thread: Option<JoinHandle<()>>,
}

/// What a starting server did first.
enum Startup {
    Listening(SocketAddr),
    Exited(ExitStatus),
    TimedOut,
}

impl Process {
    fn spawn(mut command: Command) -> Process {
        let description = format!("{command:?}");
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {description}: {e}"));

        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, stdout_lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // Nobody may be listening any more; keep draining so the child never blocks.
                let _ = sender.send(line);
            }
        });

        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut child_stderr = child.stderr.take().expect("stderr is piped");
        let buffer = Arc::clone(&stderr);
        let stderr_thread = thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            loop {
                match child_stderr.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buffer.lock().unwrap().extend_from_slice(&chunk[..n]),
                }
            }
        });

        Process {
            child,
            command: description,
            stdout_lines,
            stderr,
            stderr_thread: Some(stderr_thread),
        }
    }

    /// Waits for `listening on http://ADDR` (or `https://`), for the child to exit, or for the timeout.
    fn wait_for_startup(&mut self) -> Startup {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.stdout_lines.recv_timeout(remaining) {
                Ok(line) => {
                    let line = line.trim();
                    let addr = line
                        .strip_prefix("listening on http://")
                        .or_else(|| line.strip_prefix("listening on https://"));
                    if let Some(addr) = addr {
                        let addr = addr.parse().unwrap_or_else(|e| {
                            panic!("bad address in {line:?} from {}: {e}", self.command)
                        });
                        return Startup::Listening(addr);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Startup::TimedOut,
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().expect("wait for child");
                    return Startup::Exited(status);
                }
            }
        }
    }

    /// Kills the child (if still running), waits for it and returns its complete stderr.
    fn finish(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(thread) = self.stderr_thread.take() {
            let _ = thread.join();
        }
        self.stderr_text()
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a `picoauth serve` that was expected to refuse to start ended.
pub struct Exit {
    /// The exit status.
    pub status: ExitStatus,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// The command line, for failure messages.
    pub command: String,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "command: {}\nstatus: {}\n--- stderr ---\n{}",
            self.command, self.status, self.stderr
        )
    }
}

/// Runs `picoauth serve` with `args` and `envs` when it is expected to exit before listening.
///
/// Panics, killing the server, if it starts listening instead.
#[track_caller]
pub fn serve_until_exit(dir: &TestDir, args: &[&str], envs: &[(&str, &str)]) -> Exit {
    exit_of(Process::spawn(serve_command(dir, args, envs)))
}

/// Like [`serve_until_exit`], on the database `db` (a URL) as [`Server::start_on_db`] starts it.
#[track_caller]
pub fn serve_on_db_until_exit(dir: &TestDir, db: &str, args: &[&str]) -> Exit {
    exit_of(Process::spawn(serve_on_db_command(dir, db, args)))
}

/// Waits for a `serve` expected to exit before listening.
#[track_caller]
fn exit_of(mut process: Process) -> Exit {
    let startup = process.wait_for_startup();
    let stderr = process.finish();
    match startup {
        Startup::Exited(status) => Exit {
            status,
            stderr,
            command: process.command.clone(),
        },
        Startup::Listening(addr) => panic!(
            "expected {} to refuse to start, but it listens on {addr}\n--- stderr ---\n{stderr}",
            process.command
        ),
        Startup::TimedOut => panic!(
            "expected {} to exit, but it neither exited nor listened within {STARTUP_TIMEOUT:?}\n--- stderr ---\n{stderr}",
            process.command
        ),
    }
}

/// A running `picoauth serve`; dropping it kills the server.
pub struct Server {
    addr: SocketAddr,
    key_dir: PathBuf,
    process: Process,
}

impl Server {
    /// Starts a server on `dir` whose admin has the password `ADMIN_PASSWORD`.
    #[track_caller]
    pub fn start(dir: &TestDir) -> Server {
        Server::start_with(dir, &[], &[ADMIN_ENV])
    }

    /// Starts a server on `dir` with extra command-line `args` and exactly the environment `envs`.
    #[track_caller]
    pub fn start_with(dir: &TestDir, args: &[&str], envs: &[(&str, &str)]) -> Server {
        Server::launch(dir, serve_command(dir, args, envs))
    }

    /// Starts a server like `Server::start`, but on the database `db` (a PostgreSQL URL)
    /// instead of the file in `dir`, with extra `args`; the key directory is still `dir`'s.
    #[track_caller]
    pub fn start_on_db(dir: &TestDir, db: &str, args: &[&str]) -> Server {
        Server::launch(dir, serve_on_db_command(dir, db, args))
    }

    /// Spawns `command` (a `serve`) and waits until it listens.
    #[track_caller]
    fn launch(dir: &TestDir, command: Command) -> Server {
        let mut process = Process::spawn(command);
        match process.wait_for_startup() {
            Startup::Listening(addr) => Server {
                addr,
                key_dir: dir.key_dir(),
                process,
            },
            Startup::Exited(status) => {
                let stderr = process.finish();
                panic!(
                    "{} exited with {status} before listening\n--- stderr ---\n{stderr}",
                    process.command
                )
            }
            Startup::TimedOut => {
                let stderr = process.finish();
                panic!(
                    "{} did not print `listening on http://ADDR` within {STARTUP_TIMEOUT:?}\n--- stderr ---\n{stderr}",
                    process.command
                )
            }
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key directory the server was started with.
    pub fn key_dir(&self) -> &Path {
        &self.key_dir
    }

    /// Stops the server and returns everything it wrote to stderr.
    pub fn stop(mut self) -> String {
        self.process.finish()
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> Request<'_> {
        self.request("GET", path)
    }

    /// A POST request with a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> Request<'_> {
        self.request("POST", path).json(body)
    }

    /// A PUT request with a JSON body.
    pub fn put_json(&self, path: &str, body: &Value) -> Request<'_> {
        self.request("PUT", path).json(body)
    }

    /// A request with any method and no body yet.
    pub fn request(&self, method: &str, path: &str) -> Request<'_> {
        Request {
            server: self,
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Sends `bytes` as they are and reads the response until the server closes the connection.
    #[track_caller]
    pub fn send_raw(&self, bytes: &[u8]) -> Response {
        let request = abbreviate(bytes);
        let raw = exchange(self.addr, bytes).unwrap_or_else(|e| {
            panic!(
                "HTTP exchange with {} failed: {e}\n--- request ---\n{request}\n--- server stderr ---\n{}",
                self.addr,
                self.process.stderr_text()
            )
        });
        Response::parse(&raw, request, Arc::clone(&self.process.stderr))
    }

    /// Registers `email` with `password` and returns the new user's id.
    #[track_caller]
    pub fn register(&self, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": email, "password": password}),
            )
            .send();
        let body = response.ok_json();
        let Some(id) = body["id"].as_str() else {
            response.fail("register answered no string `id`")
        };
        id.to_string()
    }

    /// Logs in and returns the tokens.
    #[track_caller]
    pub fn login(&self, email: &str, password: &str) -> Session {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password}),
            )
            .send();
        Session::from_response(&response)
    }

    /// `POST /api/v1/auth/refresh` with `{"refresh_token": token}`.
    pub fn refresh(&self, token: &str) -> Response {
        self.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": token }))
            .send()
    }

    /// Logs in as the admin of `Server::start`.
    #[track_caller]
    pub fn admin(&self) -> Session {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    }

    /// Registers `email` with the password `password_for(email)` and logs in.
    #[track_caller]
    pub fn register_and_login(&self, email: &str) -> (String, Session) {
        let id = self.register(email, &password_for(email));
        (id, self.login(email, &password_for(email)))
    }

    /// Registers `email`, has the admin give it `role`, and logs in so the token carries the role.
    #[track_caller]
    pub fn user_with_role(&self, email: &str, role: &str) -> (String, Session) {
        let id = self.register(email, &password_for(email));
        let admin = self.admin();
        self.put_json(
            &format!("/api/v1/auth/users/{id}/role"),
            &json!({"role": role}),
        )
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
        (id, self.login(email, &password_for(email)))
    }

    /// The `kid` of the one key the server publishes.
    #[track_caller]
    pub fn kid(&self) -> String {
        let response = self.get("/api/v1/auth/jwks").send();
        let jwks = response.ok_json();
        match jwks["keys"][0]["kid"].as_str() {
            Some(kid) => kid.to_string(),
            None => response.fail("JWKS has no keys[0].kid"),
        }
    }
}

/// The password the harness gives a registered user: long, and different for every email.
pub fn password_for(email: &str) -> String {
    format!("pw-of-{email}-long-enough")
}

/// The tokens of one login or refresh.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// The whole 200 body.
    pub body: Value,
}

impl Session {
    /// Reads a `/login` or `/refresh` answer, which must be 200 with both tokens.
    #[track_caller]
    pub fn from_response(response: &Response) -> Session {
        let body = response.ok_json();
        let (Some(access_token), Some(refresh_token)) = (
            body["access_token"].as_str(),
            body["refresh_token"].as_str(),
        ) else {
            response.fail("expected `access_token` and `refresh_token` strings")
        };
        Session {
            access_token: access_token.to_string(),
            refresh_token: refresh_token.to_string(),
            body,
        }
    }
}

/// One HTTP request being built; `send` performs it on a fresh connection.
pub struct Request<'a> {
    server: &'a Server,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request<'_> {
    /// Adds `Authorization: Bearer <token>`.
    pub fn with_bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets a JSON body.
    #[track_caller]
    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string().into_bytes())
    }

    /// Sets a body of any bytes with its content type.
    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = Some(body);
        self
    }

    /// Sends the request with `Content-Length` and `Connection: close`.
    #[track_caller]
    pub fn send(self) -> Response {
        let mut bytes = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.method, self.path, self.server.addr
        );
        for (name, value) in &self.headers {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = self.body.unwrap_or_default();
        if !body.is_empty() || self.method != "GET" {
            bytes.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        bytes.push_str("\r\n");
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(&body);
        self.server.send_raw(&bytes)
    }
}

/// Writes `bytes` to a new connection and reads until the server closes it.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    // A server may answer (413) and close before reading a large body, so a failed write
    // is not yet a failure: the answer may already be waiting to be read.
    if let Err(e) = stream.write_all(bytes)
        && !matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset)
    {
        return Err(e);
    }
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => Ok(raw),
        // The reset that follows an early answer may arrive after the answer itself.
        Err(e) if e.kind() == ErrorKind::ConnectionReset && !raw.is_empty() => Ok(raw),
        Err(e) => Err(e),
    }
}

/// One HTTP response, with what is needed to explain a failure.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// The request that produced it, abbreviated.
    request: String,
    /// The server's stderr, read only when a failure is reported.
    server_stderr: Arc<Mutex<Vec<u8>>>,
}

impl Response {
    fn parse(raw: &[u8], request: String, server_stderr: Arc<Mutex<Vec<u8>>>) -> Response {
        let mut response = Response {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
            request,
            server_stderr,
        };
        let Some(head_len) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            response.body = raw.to_vec();
            response.fail("the response has no complete head")
        };
        let head = String::from_utf8_lossy(&raw[..head_len]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        response.status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                response
                    .headers
                    .push((name.trim().to_string(), value.trim().to_string()));
            }
        }
        let rest = &raw[head_len + 4..];
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|value| value.eq_ignore_ascii_case("chunked"));
        response.body = if chunked {
            dechunk(rest).unwrap_or_else(|| {
                response.body = rest.to_vec();
                response.fail("malformed chunked body")
            })
        } else if let Some(length) = response.header("content-length") {
            let length: usize = length.parse().unwrap_or(usize::MAX);
            rest[..length.min(rest.len())].to_vec()
        } else {
            rest.to_vec()
        };
        if response.status == 0 {
            response.fail("the response has no status line")
        }
        response
    }

    /// The value of the first header called `name`, compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        match serde_json::from_slice(&self.body) {
            Ok(value) => value,
            Err(e) => self.fail(&format!("the body is not JSON: {e}")),
        }
    }

    /// Panics with `message`, the request, the response and the server's stderr.
    #[track_caller]
    pub fn fail(&self, message: &str) -> ! {
        panic!("{message}\n{self}")
    }

    /// Asserts the status.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        if self.status != status {
            self.fail(&format!("expected status {status}, got {}", self.status));
        }
        self
    }

    /// Asserts a 200 JSON object and returns it.
    #[track_caller]
    pub fn ok_json(&self) -> Value {
        self.assert_status(200);
        let body = self.json();
        if !body.is_object() {
            self.fail("expected a JSON object");
        }
        body
    }

    /// Asserts an error of `status` whose body is `{"error": code, "detail": <some text>}`.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> &Self {
        self.assert_status(status);
        let body = self.json();
        if body["error"] != code {
            self.fail(&format!("expected error code {code:?}"));
        }
        if body["detail"].as_str().is_none_or(str::is_empty) {
            self.fail("expected a non-empty `detail` string");
        }
        self
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "--- request ---\n{}", self.request)?;
        writeln!(f, "--- response ---\nstatus {}", self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        writeln!(f, "\n{}", abbreviate(&self.body))?;
        let stderr = String::from_utf8_lossy(&self.server_stderr.lock().unwrap()).into_owned();
        write!(f, "--- server stderr ---\n{stderr}")
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Decodes a chunked body (RFC 9112 §7.1), ignoring chunk extensions and trailers.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Text of `bytes` short enough for a failure message.
fn abbreviate(bytes: &[u8]) -> String {
    const LIMIT: usize = 2000;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LIMIT)]).into_owned();
    if bytes.len() > LIMIT {
        format!("{text}… ({} bytes in all)", bytes.len())
    } else {
        text
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Base64url without padding, as JOSE uses it.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding, panicking with the input on failure.
#[track_caller]
pub fn b64url_decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|e| panic!("not base64url ({e}): {text:?}"))
}

/// The parts of a compact JWS.
pub struct Jwt {
    pub header: Value,
    pub claims: Value,
    /// `base64url(header) "." base64url(claims)`, the bytes the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

/// Splits and decodes a compact JWS without checking its signature.
#[track_caller]
pub fn decode_jwt(token: &str) -> Jwt {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token:?}");
    let json = |part: &str| -> Value {
        serde_json::from_slice(&b64url_decode(part))
            .unwrap_or_else(|e| panic!("JWT part is not JSON ({e}): {token:?}"))
    };
    Jwt {
        header: json(parts[0]),
        claims: json(parts[1]),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: b64url_decode(parts[2]),
    }
}

/// Encodes a compact JWS whose signature is `sign(signing_input)`.
pub fn encode_jwt(header: &Value, claims: &Value, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = sign(signing_input.as_bytes());
    format!("{signing_input}.{}", b64url(&signature))
}

/// How one CLI invocation ended.
pub struct Run {
    /// The exit status.
    pub status: ExitStatus,
    /// Everything it wrote to stdout.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// The command line, for failure messages.
    pub command: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// The exit code, failing the test if the process was killed by a signal.
    #[track_caller]
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal\n{self}"))
    }

    /// Asserts the exit code and returns `self` for more checks.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code(), code, "unexpected exit code\n{self}");
        self
    }
}

/// Runs `picoauth` with `args` (no stdin, no `--db`/`--key-dir` added) and waits for it.
#[track_caller]
pub fn run_picoauth(args: &[&str]) -> Run {
    let mut command = picoauth();
    command.args(args).stdin(Stdio::null());
    run(command, format!("picoauth {}", args.join(" ")))
}

/// Runs `command` to completion; `rendered` names it in failure messages.
#[track_caller]
fn run(mut command: Command, rendered: String) -> Run {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {rendered}: {e}"));
    Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        command: rendered,
    }
}

// --- helpers for the fleet, revocation and crash tests ---

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }

    /// Sends SIGKILL to the server now, while other threads may still be sending it requests.
    ///
    /// The process is reaped by `stop` or by dropping the guard; until then its pid cannot be reused.
    #[track_caller]
    pub fn sigkill(&self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap_or_else(|e| panic!("cannot run `kill -KILL {pid}`: {e}"));
        assert!(status.success(), "`kill -KILL {pid}` failed: {status}");
    }

    /// A handle for sending requests from other threads; a `Server` itself cannot be shared.
    pub fn remote(&self) -> Remote {
        Remote {
            addr: self.addr,
            server_stderr: Arc::clone(&self.process.stderr),
        }
    }
}

/// Sends requests to a server from any thread, for requests racing a server being killed.
#[derive(Clone)]
pub struct Remote {
    addr: SocketAddr,
    server_stderr: Arc<Mutex<Vec<u8>>>,
}

impl Remote {
    /// POSTs `body` as JSON with extra `headers`; a connection that fails or closes before a
    /// whole response has arrived is an `Err` instead of a panic.
    pub fn try_post_json(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Result<Response, String> {
        let body = body.to_string();
        let mut bytes = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        bytes.push_str("\r\n");
        bytes.push_str(&body);
        let raw = exchange(self.addr, bytes.as_bytes()).map_err(|e| e.to_string())?;
        if !is_complete_response(&raw) {
            return Err(format!("incomplete response: {}", abbreviate(&raw)));
        }
        Ok(Response::parse(
            &raw,
            abbreviate(bytes.as_bytes()),
            Arc::clone(&self.server_stderr),
        ))
    }
}

/// Whether `raw` holds a whole response head and as much body as the head announces.
fn is_complete_response(raw: &[u8]) -> bool {
    let Some(head_len) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..head_len]).to_ascii_lowercase();
    let rest = &raw[head_len + 4..];
    let header = |name: &str| {
        head.split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(candidate, _)| candidate.trim() == name)
            .map(|(_, value)| value.trim().to_string())
    };
    if header("transfer-encoding").is_some_and(|value| value == "chunked") {
        dechunk(rest).is_some()
    } else if let Some(length) = header("content-length") {
        length
            .parse::<usize>()
            .is_ok_and(|length| rest.len() >= length)
    } else {
        true
    }
}

/// Runs `picoauth <args> --db <dir's db> --key-dir <dir>/keys` and waits for it.
///
/// `env` sets (`Some`) or removes (`None`) variables on top of the inherited environment,
/// from which every `PICOAUTH_*` variable is already removed, and of `dir.store_env()`.
#[track_caller]
pub fn run_on(dir: &TestDir, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut command = picoauth_on(dir);
    command
        .args(args)
        .arg("--db")
        .arg(dir.db())
        .arg("--key-dir")
        .arg(dir.key_dir())
        .stdin(Stdio::null());
    let mut rendered = String::new();
    for (name, value) in dir.store_env() {
        rendered.push_str(&format!("{name}={value:?} "));
    }
    for (name, value) in env {
        match value {
            Some(value) => {
                command.env(name, value);
                rendered.push_str(&format!("{name}={value:?} "));
            }
            None => {
                command.env_remove(name);
                rendered.push_str(&format!("-u {name} "));
            }
        }
    }
    rendered.push_str(&format!(
        "picoauth {} --db {} --key-dir {}",
        args.join(" "),
        dir.db().to_string_lossy(),
        dir.key_dir().display()
    ));
    run(command, rendered)
}

// --- helpers for the hardening tests ---

impl Server {
    /// Sends SIGTERM to the server, as an init system stopping it would.
    #[track_caller]
    pub fn sigterm(&self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap_or_else(|e| panic!("cannot run `kill -TERM {pid}`: {e}"));
        assert!(status.success(), "`kill -TERM {pid}` failed: {status}");
    }

    /// Waits up to `timeout` for the server to exit by itself and returns how it ended.
    ///
    /// Panics, killing the server, if it is still running at the deadline.
    #[track_caller]
    pub fn wait_for_exit(mut self, timeout: Duration) -> Exit {
        let deadline = Instant::now() + timeout;
        loop {
            match self.process.child.try_wait() {
                Ok(Some(status)) => {
                    let stderr = self.process.finish();
                    return Exit {
                        status,
                        stderr,
                        command: self.process.command.clone(),
                    };
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                Ok(None) | Err(_) => {
                    let stderr = self.process.finish();
                    panic!(
                        "{} did not exit within {timeout:?}\n--- stderr ---\n{stderr}",
                        self.process.command
                    )
                }
            }
        }
    }
}

// --- helpers for the attack tests ---

impl Server {
    /// Everything the server has written to stderr so far (it keeps running).
    pub fn stderr_so_far(&self) -> String {
        self.process.stderr_text()
    }
}

impl Remote {
    /// POSTs `body` as JSON from the local address `source` (any of 127.0.0.0/8 on Linux), so
    /// one test can be many clients.
    pub fn post_json_from(
        &self,
        source: std::net::IpAddr,
        path: &str,
        body: &Value,
    ) -> Result<Response, String> {
        let bytes = json_request(self.addr, path, body);
        let mut stream = connect_from(source, self.addr).map_err(|e| e.to_string())?;
        stream.write_all(&bytes).map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        if !is_complete_response(&raw) {
            return Err(format!("incomplete response: {}", abbreviate(&raw)));
        }
        Ok(Response::parse(
            &raw,
            abbreviate(&bytes),
            Arc::clone(&self.server_stderr),
        ))
    }

    /// POSTs `body` as JSON from `source` and returns the connection without reading the
    /// answer: dropping it is a client that hangs up mid-request.
    pub fn post_json_unanswered(
        &self,
        source: std::net::IpAddr,
        path: &str,
        body: &Value,
    ) -> std::io::Result<TcpStream> {
        let mut stream = connect_from(source, self.addr)?;
        stream.write_all(&json_request(self.addr, path, body))?;
        Ok(stream)
    }
}

/// A `Connection: close` POST of `body` as JSON.
fn json_request(addr: SocketAddr, path: &str, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A connection to `addr` from the local address `source`.
fn connect_from(source: std::net::IpAddr, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.bind(&SocketAddr::new(source, 0).into())?;
    socket.connect_timeout(&addr.into(), IO_TIMEOUT)?;
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(stream)
}

// --- raw connections (transport and attack tests) ---
//
// These speak HTTP/1.1 by hand on one socket, for tests that need what `Request` hides:
// pipelining, keep-alive, half-written requests, a chosen source address.

/// A connection to `addr` from the loopback address `source` (any of 127.0.0.0/8 on Linux).
///
/// `timeout` bounds the connect, every read and every write, so a server that stops answering
/// fails the test instead of hanging it; `receive_buffer` sets `SO_RCVBUF` (the kernel rounds
/// it up to its minimum), for clients that want the server's writes to block early.
#[track_caller]
pub fn raw_connect(
    source: &str,
    addr: SocketAddr,
    timeout: Duration,
    receive_buffer: Option<usize>,
) -> TcpStream {
    let source: std::net::IpAddr = source.parse().expect("a source address");
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    if let Some(size) = receive_buffer {
        socket.set_recv_buffer_size(size).expect("set SO_RCVBUF");
    }
    socket
        .bind(&SocketAddr::new(source, 0).into())
        .unwrap_or_else(|e| panic!("bind to {source}: {e}"));
    socket
        .connect_timeout(&addr.into(), timeout)
        .unwrap_or_else(|e| panic!("connect from {source} to {addr}: {e}"));
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(timeout))
        .expect("set read timeout");
    stream
        .set_write_timeout(Some(timeout))
        .expect("set write timeout");
    stream
}

/// Everything until the server closes the connection, a reset, or the read timeout.
pub fn read_until_closed(stream: &mut impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return bytes,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => return bytes,
        }
    }
}

/// One response read off a raw connection: status, headers (lowercase names), body.
pub struct Reply {
    /// The status code of the status line.
    pub status: u16,
    /// The header fields in order, names lowercased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, as much of it as Content-Length announced and arrived.
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of the first header field named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON, panicking with the status and body if it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: the body is not JSON ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts API.md §1's error body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        let body = self.json();
        assert_eq!(self.status, status, "{body}");
        assert_eq!(body["error"], code, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty()),
            "{body}"
        );
    }
}

/// Parses the responses in `bytes`, one after another (bodies by Content-Length).
#[track_caller]
pub fn parse_replies(mut bytes: &[u8]) -> Vec<Reply> {
    let mut replies = Vec::new();
    while let Some(head_len) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..head_len]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse::<usize>().ok())
            .unwrap_or(0);
        let rest = &bytes[head_len + 4..];
        let length = length.min(rest.len());
        replies.push(Reply {
            status,
            headers,
            body: rest[..length].to_vec(),
        });
        bytes = &rest[length..];
    }
    replies
}

// --- challenge floods (attack tests) ---

/// An Ed25519 wallet that signs sign-in challenges (API.md wallet sign-in).
pub struct Wallet(ed25519_dalek::SigningKey);

impl Wallet {
    /// The wallet whose secret key is 32 bytes of `seed`: distinct seeds, distinct wallets.
    pub fn new(seed: u8) -> Wallet {
        Wallet(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    /// The public key in lowercase hex, which is also the wallet's address.
    pub fn public_key(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    /// The `POST /sign-in` body answering `challenge`.
    pub fn sign_in_body(&self, challenge: &str) -> Value {
        use ed25519_dalek::Signer;
        json!({
            "address": self.public_key(),
            "public_key": self.public_key(),
            "signature": hex(&self.0.sign(challenge.as_bytes()).to_bytes()),
            "challenge": challenge,
            "algorithm": "Ed25519",
        })
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A server for challenge floods: at most 200 pending challenges, so each client may hold 2.
pub fn challenge_flood_server(dir: &TestDir) -> Server {
    Server::start_with(dir, &["--max-pending-challenges", "200"], &[ADMIN_ENV])
}

/// `POST /challenge` from `source`; asserts a 200 and returns the challenge.
#[track_caller]
pub fn challenge_from(remote: &Remote, source: std::net::IpAddr, address: &str) -> String {
    let response = remote
        .post_json_from(
            source,
            "/api/v1/auth/challenge",
            &json!({ "address": address }),
        )
        .unwrap_or_else(|e| panic!("challenge from {source}: {e}"));
    let body = response.ok_json();
    match body["challenge"].as_str() {
        Some(challenge) => challenge.to_owned(),
        None => response.fail("expected a string `challenge`"),
    }
}

/// Signs `wallet` in from `source` with `challenge`; asserts a 200 naming the wallet's address.
#[track_caller]
pub fn assert_signs_in(
    remote: &Remote,
    source: std::net::IpAddr,
    wallet: &Wallet,
    challenge: &str,
) {
    let response = remote
        .post_json_from(
            source,
            "/api/v1/auth/sign-in",
            &wallet.sign_in_body(challenge),
        )
        .unwrap_or_else(|e| panic!("sign-in: {e}"));
    let body = response.ok_json();
    if body["address"].as_str().is_none() {
        response.fail("expected the wallet's `address`");
    }
}

// --- bounded waits and 429s (hardening and back-off tests) ---

/// Calls `attempt` every 50 ms until it returns `Ok`, failing after `bound`: a bounded wait
/// for behaviour that takes time (a back-off, a refill, a recovery).
#[track_caller]
pub fn poll<T>(what: &str, bound: Duration, mut attempt: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + bound;
    loop {
        match attempt() {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("{what}: not within {bound:?}; last attempt:\n{last}")
            }
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The `Retry-After` of `response` in whole seconds, which must be at least 1.
#[track_caller]
pub fn retry_after(response: &Response) -> u64 {
    let Some(value) = response.header("retry-after") else {
        response.fail("expected a Retry-After header")
    };
    match value.parse::<u64>() {
        Ok(seconds) if seconds >= 1 => seconds,
        _ => response.fail("Retry-After must be a whole number of seconds, at least 1"),
    }
}

/// Asserts a 429 `too_many_requests` with `Retry-After` and returns the seconds to wait.
#[track_caller]
pub fn assert_throttled(response: &Response) -> u64 {
    response.assert_error(429, "too_many_requests");
    retry_after(response)
}

// --- the server's signing keys ---

/// The private half of the signing key `kid` of the picoauth on `dir`, as an RSA key pair: for
/// tests that sign tokens the server must take for its own.
#[track_caller]
pub fn signing_key(dir: &TestDir, kid: &str) -> aws_lc_rs::rsa::KeyPair {
    aws_lc_rs::rsa::KeyPair::from_pkcs8(&signing_key_pkcs8(dir, kid))
        .unwrap_or_else(|e| panic!("the signing key {kid} is not an RSA PKCS#8 key: {e}"))
}

/// The signing key `kid` of the picoauth on `dir` as PKCS#8 DER (see `signing_key`): from
/// `<key_dir>/<kid>.pem` on SQLite; on PostgreSQL from its `sealed_keys` row, opened here with
/// the key-encryption key as API.md §11 and SECURITY.md describe the format (`pak1` ‖ 96-bit
/// nonce ‖ AES-256-GCM ciphertext and tag, the row's name as associated data), independently
/// of picoauth's own code.
#[track_caller]
pub fn signing_key_pkcs8(dir: &TestDir, kid: &str) -> Vec<u8> {
    if let Some(database) = &dir.postgres {
        return database.open_sealed_key(&format!("signing:{kid}"));
    }
    let path = dir.key_dir().join(format!("{kid}.pem"));
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let pem = pem::parse(&text).unwrap_or_else(|e| panic!("{} is not PEM: {e}", path.display()));
    assert_eq!(pem.tag(), "PRIVATE KEY", "{} is PKCS#8", path.display());
    pem.into_contents()
}

impl PgDatabase {
    /// The private key stored as `name` in `sealed_keys`, opened with this database's
    /// key-encryption key.
    #[track_caller]
    pub fn open_sealed_key(&self, name: &str) -> Vec<u8> {
        use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
        use base64::engine::general_purpose::STANDARD;
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to the test database: {e}"));
        let sealed: Vec<u8> = client
            .query_one("SELECT sealed FROM sealed_keys WHERE name = $1", &[&name])
            .unwrap_or_else(|e| panic!("no sealed key {name}: {e}"))
            .get(0);
        let kek_text = std::fs::read_to_string(&self.key_file).unwrap();
        let kek = STANDARD.decode(kek_text.trim()).unwrap();
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &kek).unwrap());
        let rest = sealed
            .strip_prefix(b"pak1")
            .expect("a sealed key starts with pak1");
        let (nonce, ciphertext) = rest.split_at(12);
        let mut in_out = ciphertext.to_vec();
        let plaintext = key
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).unwrap(),
                Aad::from(name.as_bytes()),
                &mut in_out,
            )
            .unwrap_or_else(|_| panic!("the key-encryption key does not open {name}"));
        plaintext.to_vec()
    }
}
