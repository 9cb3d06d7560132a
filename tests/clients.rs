//! picoauth against its real clients: pico-client-auth 0.7.1 (PyPI) over HTTPS served by
//! picoauth itself (API.md §12), the way an independent resource server meets it.
//!
//! The test makes the lab CA with the README's own OpenSSL commands (so a README that stops
//! working fails here), starts `serve` with TLS on a free port, and runs
//! `tests/clients/pico_client_auth_check.py` with the interpreter that `PICOAUTH_TEST_PYTHON`
//! names: a Python with pico-client-auth 0.7.1 installed (`.ci/run` makes that venv). The
//! script drives pico-client-auth's validator, denylist poll and FastAPI middleware, and runs
//! the CLI (`mint-fleet`, `revoke`, `keygen --rotate`/`--retire`) on the same files.
//!
//! Without `PICOAUTH_TEST_PYTHON` the test says it skipped and passes; CI always sets it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{ADMIN_EMAIL, ADMIN_ENV, ADMIN_PASSWORD, Server, TestDir};

/// The variable naming the Python that has pico-client-auth installed.
const PYTHON_VARIABLE: &str = "PICOAUTH_TEST_PYTHON";
/// The fleet secret the server is started with, for the script's `POST /fleet/sessions`.
const FLEET_SECRET: &str = "c1-clients-fleet-secret-0123456789";
/// How long the script may run, generous for a loaded CI machine (it takes about 2 s).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// How often the test looks whether the script has ended.
const POLL_STEP: Duration = Duration::from_millis(50);

/// A port that was free a moment ago: the issuer must name the port before the server starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("bind a free port")
}

/// The README's lab-CA commands: the `sh` block after "**A lab CA.**", up to the
/// `picoauth serve` line that follows them.
fn readme_lab_ca_commands() -> String {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("read README.md");
    let after = readme
        .split_once("**A lab CA.**")
        .map(|(_, after)| after)
        .expect("README.md has a **A lab CA.** paragraph");
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, block)| block.split_once("\n```"))
        .map(|(block, _)| block)
        .expect("the lab CA paragraph is followed by a ```sh block");
    let commands: Vec<&str> = block
        .lines()
        .take_while(|line| !line.starts_with("picoauth "))
        .collect();
    assert!(
        commands.iter().any(|line| line.starts_with("openssl ")),
        "no openssl command in the README's lab CA block:\n{block}"
    );
    commands.join("\n") + "\n"
}

/// Runs the README's lab-CA commands in a new directory `tls` of `dir`; returns that directory.
fn make_lab_ca(dir: &TestDir) -> PathBuf {
    let tls = dir.path().join("tls");
    std::fs::create_dir_all(&tls).expect("create the tls directory");
    let script = tls.join("lab-ca.sh");
    std::fs::write(&script, readme_lab_ca_commands()).expect("write lab-ca.sh");
    let output = Command::new("sh")
        .arg("-eu")
        .arg(&script)
        .current_dir(&tls)
        .stdin(Stdio::null())
        .output()
        .expect("run sh (the README's lab CA commands need sh and openssl)");
    assert!(
        output.status.success(),
        "the README's lab CA commands failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for name in ["ca.crt", "server.crt", "server.key"] {
        assert!(
            tls.join(name).is_file(),
            "the README's commands made no {name}"
        );
    }
    tls
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
#[cfg_attr(
    not(picoauth_test_python),
    ignore = "needs pico-client-auth: set PICOAUTH_TEST_PYTHON to a python that has it (.ci/run makes one)"
)]
fn pico_client_auth_validates_polls_and_follows_rotation_over_https() {
    // Built without the variable, this test is ignored; run anyway, it fails.
    let Some(python) = std::env::var_os(PYTHON_VARIABLE) else {
        panic!("set {PYTHON_VARIABLE} to a python with pico-client-auth 0.7.1 (see .ci/run)");
    };
    let dir = TestDir::new();
    let tls = make_lab_ca(&dir);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let cert_file = tls.join("server.crt");
    let key_file = tls.join("server.key");
    // No --issuer: with TLS the default issuer is https://localhost:PORT (README), which is
    // where pico-client-auth looks for the JWKS; the script checks discovery says so.
    let server = Server::start_with(
        &dir,
        &[
            "--listen",
            &listen,
            "--tls-cert-file",
            path_str(&cert_file),
            "--tls-key-file",
            path_str(&key_file),
        ],
        &[
            ADMIN_ENV,
            ("PICOAUTH_FLEET_MINT_SECRET", FLEET_SECRET),
            // What agents may be given for the admin, the user of the token-exchange check.
            ("PICOAUTH_AGENT_SCOPES", "superadmin=treasury:*"),
        ],
    );
    let issuer = format!("https://localhost:{port}");
    let ca_file = tls.join("ca.crt");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/pico_client_auth_check.py");
    let stdout_path = dir.path().join("check.stdout");
    let stderr_path = dir.path().join("check.stderr");
    let db = dir.db();
    let mut command = Command::new(&python);
    command
        .arg(&script)
        .args(["--issuer", &issuer, "--ca", path_str(&ca_file)])
        .args(["--picoauth", env!("CARGO_BIN_EXE_picoauth")])
        .args([
            "--db",
            db.to_str().expect("a UTF-8 db"),
            "--key-dir",
            path_str(&dir.key_dir()),
        ])
        // What picoauth needs besides --db on this backend (the key-encryption-key file on
        // PostgreSQL); the script strips every other PICOAUTH_* variable.
        .args(dir.store_env().into_iter().flat_map(|(name, value)| {
            let mut setting = OsString::from(format!("{name}="));
            setting.push(value);
            [OsString::from("--env"), setting]
        }))
        .args([
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            ADMIN_PASSWORD,
        ])
        .args(["--fleet-secret", FLEET_SECRET])
        // How the README tells operators to trust the lab CA in pico-client-auth (httpx).
        .env("SSL_CERT_FILE", &ca_file)
        .env_remove("SSL_CERT_DIR")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("create check.stdout"))
        .stderr(std::fs::File::create(&stderr_path).expect("create check.stderr"));
    let description = format!("{command:?}");
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {description}: {e}"));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the check script") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(POLL_STEP);
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let server_stderr = server.stop();
    let report = format!(
        "{description}\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}--- server stderr ---\n{server_stderr}"
    );
    match status {
        None => panic!("the check did not finish within {SCRIPT_TIMEOUT:?}\n{report}"),
        Some(status) => assert!(status.success(), "the check failed ({status})\n{report}"),
    }
    assert!(
        stdout
            .lines()
            .any(|line| line.ends_with(" passed, 0 failed")),
        "no closing count in the check's output\n{report}"
    );
    assert!(
        !stdout.lines().any(|line| line.starts_with("FAIL ")),
        "{report}"
    );
    println!("{stdout}");
}
