//! A load generator for the wallet sign-in flow, which wrk cannot drive: every flow asks for a
//! challenge, signs it, and signs in with the signature.
//!
//! Usage: `loadgen <host:port> <ML-DSA-65|Ed25519> <connections> <seconds>`
//! Prints one JSON line: flows, seconds, errors and flow latency percentiles in milliseconds.
//!
//! `loadgen mixed <host:port> <fleet-secret> <seconds>` mints fleet tokens from four good
//! clients alone, then again while four hostile clients (from 127.0.0.2–5) send garbage JSON,
//! forged tokens, wrong secrets, password guesses and replayed challenges as fast as they can,
//! and the attackers of issue 10 run beside them: one (127.0.0.6) sends wrong passwords for a
//! victim account it registered first and hangs up mid-hash, one (127.0.0.7) logs in with
//! unique 60,000-character emails, and one (127.0.0.8) holds 200 connections open sending
//! their headers a byte at a time. It prints both rates, the statuses the hostile clients got
//! (0: a broken connection), what the issue-10 attackers achieved, and the status of the
//! victim's own login after the attack (200 unless it was locked out).
//!
//! `loadgen refresh <host:port>[,<host:port>…] <email> <password> <connections> <seconds>`
//! logs each connection in once (before the clock starts), then rotates its refresh token with
//! `POST /refresh` as fast as it can, each rotation on the next of the listed servers in turn
//! (replicas of one database: a token issued by one is refreshed at the other), and prints the
//! same JSON line as the wallet flows (one request per refresh).
//!
//! `loadgen argon2 <count> [threads]` instead times picoauth's own password hash, one at a time, and
//! prints the median in milliseconds: the unit the login benchmark is measured against.
//! Each connection is a thread with its own key (generated before the clock starts) and one
//! keep-alive HTTP/1.1 connection.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ed25519_dalek::Signer;

/// A wallet: its public key in hex, and how it signs.
enum Wallet {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// aws-lc's ML-DSA-65: several times faster at signing than the pure-Rust crate, so the
    /// load generator leaves more of the machine to the server (and the server's verifier, the
    /// `ml-dsa` crate, is checked against another implementation on every flow).
    MlDsa65(Box<aws_lc_rs::signature::PqdsaKeyPair>),
}

impl Wallet {
    fn new(algorithm: &str, seed: u8) -> Wallet {
        match algorithm {
            "Ed25519" => {
                Wallet::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&[seed; 32])))
            }
            "ML-DSA-65" => Wallet::MlDsa65(Box::new(
                aws_lc_rs::signature::PqdsaKeyPair::generate(
                    &aws_lc_rs::signature::ML_DSA_65_SIGNING,
                )
                .expect("ML-DSA-65 key generation"),
            )),
            other => panic!("unknown algorithm {other}"),
        }
    }

    fn public_key_hex(&self) -> String {
        match self {
            Wallet::Ed25519(key) => hex(key.verifying_key().as_bytes()),
            Wallet::MlDsa65(key) => {
                use aws_lc_rs::signature::KeyPair;
                hex(key.public_key().as_ref())
            }
        }
    }

    fn sign_hex(&self, message: &[u8]) -> String {
        match self {
            Wallet::Ed25519(key) => hex(&key.sign(message).to_bytes()),
            Wallet::MlDsa65(key) => {
                let mut signature = vec![0; 3309];
                let length = key
                    .sign(message, &mut signature)
                    .expect("ML-DSA-65 signing");
                hex(&signature[..length])
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// One keep-alive connection.
struct Connection {
    host: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Connection {
    fn open(host: &str) -> Connection {
        Connection::open_from(host, None).expect("cannot connect")
    }

    /// Connects from `source` (another loopback address plays another client) if given.
    fn open_from(host: &str, source: Option<std::net::IpAddr>) -> std::io::Result<Connection> {
        let address: std::net::SocketAddr = host.parse().map_err(std::io::Error::other)?;
        let stream = match source {
            None => TcpStream::connect(address)?,
            Some(source) => {
                let socket =
                    socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
                socket.bind(&std::net::SocketAddr::new(source, 0).into())?;
                socket.connect(&address.into())?;
                socket.into()
            }
        };
        stream.set_nodelay(true)?;
        Ok(Connection {
            host: host.to_owned(),
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    /// POSTs a JSON body and returns the status and body.
    fn post(&mut self, path: &str, body: &str) -> (u16, String) {
        self.send("POST", path, &[], body).expect("request")
    }

    /// Sends one request and reads the whole response.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.writer.write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status line"))?;
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// Good clients mint fleet tokens from 127.0.0.1 until `deadline`; returns how many.
fn good_client(host: &str, secret: &str, worker: u8, deadline: Instant) -> u64 {
    // A fleet of good agents, not one address: each worker keeps GOOD_ADDRESSES keep-alive
    // connections from addresses of its own (127.0.1.x) and takes turns, so that every address
    // stays under the default per-client request rate, as real agents on many hosts do.
    let source = |index: u8| {
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(
            127,
            0,
            1,
            worker * GOOD_ADDRESSES + index + 1,
        ))
    };
    let open = |index| Connection::open_from(host, Some(source(index))).expect("cannot connect");
    let mut connections: Vec<Connection> = (0..GOOD_ADDRESSES).map(open).collect();
    let body = r#"{"session_id":"good","agent_id":"good","ttl":3600}"#;
    let mut minted = 0;
    let mut turn = 0usize;
    while Instant::now() < deadline {
        turn = (turn + 1) % connections.len();
        match connections[turn].send(
            "POST",
            "/api/v1/auth/fleet/sessions",
            &[("X-Fleet-Secret", secret)],
            body,
        ) {
            Ok((200, _)) => minted += 1,
            Ok(_) => {}
            Err(_) => connections[turn] = open(u8::try_from(turn).unwrap_or(0)),
        }
    }
    minted
}

/// How many source addresses each good worker spreads its requests over.
const GOOD_ADDRESSES: u8 = 8;

/// One hostile request: method, path, headers, body.
type Attack<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);

/// A hostile client from `source`: garbage JSON, forged tokens, wrong secrets and replayed
/// challenges, as fast as it can. Returns the count of each status, 0 for a broken connection.
fn bad_client(host: &str, source: std::net::IpAddr, deadline: Instant) -> BTreeMap<u16, u64> {
    let forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6InN1cGVyYWRtaW4ifQ.";
    let bearer = format!("Bearer {forged}");
    let attacks: [Attack<'_>; 5] = [
        ("POST", "/api/v1/auth/login", vec![], "{\"email\": [1, 2"),
        (
            "GET",
            "/api/v1/auth/me",
            vec![("Authorization", bearer.as_str())],
            "",
        ),
        (
            "POST",
            "/api/v1/auth/fleet/sessions",
            vec![("X-Fleet-Secret", "guess")],
            "{}",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            vec![],
            r#"{"email":"admin@pico.local","password":"guess-guess"}"#,
        ),
        (
            "POST",
            "/api/v1/auth/sign-in",
            vec![],
            r#"{"address":"0xabc","public_key":"00","signature":"00","challenge":"replayed","algorithm":"Ed25519"}"#,
        ),
    ];
    let mut statuses = BTreeMap::new();
    let mut connection = Connection::open_from(host, Some(source)).ok();
    let mut turn = 0;
    while Instant::now() < deadline {
        let (method, path, headers, body) = &attacks[turn % attacks.len()];
        turn += 1;
        let outcome = match connection.as_mut() {
            Some(open) => open.send(method, path, headers, body),
            None => Err(std::io::Error::other("not connected")),
        };
        match outcome {
            Ok((status, _)) => *statuses.entry(status).or_insert(0) += 1,
            Err(_) => {
                *statuses.entry(0).or_insert(0) += 1;
                connection = Connection::open_from(host, Some(source)).ok();
            }
        }
    }
    statuses
}

/// Sends `body` to `path` from `source` and hangs up at once, without reading the answer.
fn post_and_hang_up(host: &str, source: std::net::IpAddr, path: &str, body: &str) -> bool {
    let Ok(mut connection) = Connection::open_from(host, Some(source)) else {
        return false;
    };
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    connection.writer.write_all(request.as_bytes()).is_ok()
        && connection.writer.shutdown(std::net::Shutdown::Both).is_ok()
}

/// The account the aborted-login attacker goes after (the other hostile clients guess the
/// admin's password, whose back-off would hide a lockout).
const VICTIM: &str = r#"{"email":"victim@bench.local","password":"victim-password-1"}"#;

/// Issue 10's lockout: one wrong password for the victim, then, over and over, four wrong
/// passwords whose connections close right after sending. Returns how many it hung up on.
fn aborted_login_client(host: &str, source: std::net::IpAddr, deadline: Instant) -> u64 {
    let body = r#"{"email":"victim@bench.local","password":"wrong-wrong"}"#;
    if let Ok(mut connection) = Connection::open_from(host, Some(source)) {
        let _ = connection.send("POST", "/api/v1/auth/login", &[], body);
    }
    let mut sent = 0;
    while Instant::now() < deadline {
        for _ in 0..4 {
            sent += u64::from(post_and_hang_up(host, source, "/api/v1/auth/login", body));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    sent
}

/// Issue 10's memory attack: logins with unique 60,000-character emails. Returns the count of
/// each status.
fn long_email_client(
    host: &str,
    source: std::net::IpAddr,
    deadline: Instant,
) -> BTreeMap<u16, u64> {
    let padding = "a".repeat(60_000);
    let mut statuses = BTreeMap::new();
    let mut connection = Connection::open_from(host, Some(source)).ok();
    let mut index = 0u64;
    while Instant::now() < deadline {
        index += 1;
        let body = format!(r#"{{"email":"{index}-{padding}@example.com","password":"guess"}}"#);
        let outcome = match connection.as_mut() {
            Some(open) => open.send("POST", "/api/v1/auth/login", &[], &body),
            None => Err(std::io::Error::other("not connected")),
        };
        match outcome {
            Ok((status, _)) => *statuses.entry(status).or_insert(0) += 1,
            Err(_) => {
                *statuses.entry(0).or_insert(0) += 1;
                connection = Connection::open_from(host, Some(source)).ok();
            }
        }
    }
    statuses
}

/// A slow-connection flood: `connections` connections from `source`, each sending a request's
/// headers one byte at a time, every 100 ms. Returns how many connections the server closed
/// (the header timeout doing its work).
fn slow_header_client(
    host: &str,
    source: std::net::IpAddr,
    connections: usize,
    deadline: Instant,
) -> u64 {
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\nX-Padding: {}\r\n",
        "p".repeat(4096)
    );
    let request = request.as_bytes();
    let open = || {
        Connection::open_from(host, Some(source))
            .ok()
            .map(|connection| (connection, 0usize))
    };
    let mut open_connections: Vec<Option<(Connection, usize)>> =
        (0..connections).map(|_| open()).collect();
    let mut closed_by_server = 0;
    while Instant::now() < deadline {
        for slot in &mut open_connections {
            let alive = match slot.as_mut() {
                Some((connection, sent)) => {
                    let byte = request[*sent % request.len()];
                    *sent += 1;
                    connection.writer.write_all(&[byte]).is_ok()
                }
                None => false,
            };
            if !alive {
                closed_by_server += u64::from(slot.is_some());
                *slot = open();
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    closed_by_server
}

/// Runs good clients alone, then with hostile clients, for `seconds` each; then checks that
/// the victim of the aborted-login attacker can still log in.
fn mixed(host: &str, secret: &str, seconds: u64) {
    let (registered, _) = Connection::open(host)
        .send("POST", "/api/v1/auth/register", &[], VICTIM)
        .expect("register the victim");
    assert!(
        matches!(registered, 200 | 409),
        "registering the victim: {registered}"
    );
    let good_workers = 4;
    let run_good = |deadline| -> u64 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..good_workers)
                .map(|worker| scope.spawn(move || good_client(host, secret, worker, deadline)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("good client"))
                .sum()
        })
    };
    let clean = run_good(Instant::now() + Duration::from_secs(seconds));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let local = |last| std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last));
    let (mixed, statuses, aborted_sent, long_email_statuses, slow_closed) =
        std::thread::scope(|scope| {
            let bad: Vec<_> = (2..=5u8)
                .map(|last| scope.spawn(move || bad_client(host, local(last), deadline)))
                .collect();
            let aborted = scope.spawn(move || aborted_login_client(host, local(6), deadline));
            let long_emails = scope.spawn(move || long_email_client(host, local(7), deadline));
            let slow = scope.spawn(move || slow_header_client(host, local(8), 200, deadline));
            let good = run_good(deadline);
            let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
            for handle in bad {
                for (status, count) in handle.join().expect("bad client") {
                    *statuses.entry(status).or_insert(0) += count;
                }
            }
            (
                good,
                statuses,
                aborted.join().expect("aborted-login client"),
                long_emails.join().expect("long-email client"),
                slow.join().expect("slow-header client"),
            )
        });
    // The victim's own login once the attack is over: 200 unless the attack locked it out.
    let owner_login_status = Connection::open(host)
        .send("POST", "/api/v1/auth/login", &[], VICTIM)
        .map_or(0, |(status, _)| status);
    let seconds = seconds as f64;
    println!(
        "{}",
        serde_json::json!({
            "clean_per_second": clean as f64 / seconds,
            "mixed_per_second": mixed as f64 / seconds,
            "hostile_per_second": statuses.values().sum::<u64>() as f64 / seconds,
            "hostile_statuses": statuses,
            "aborted_logins_sent": aborted_sent,
            "long_email_statuses": long_email_statuses,
            "slow_connections_closed_by_server": slow_closed,
            "owner_login_status": owner_login_status,
        })
    );
}

/// Runs flows until `deadline`; returns flow latencies in microseconds and the error count.
fn run(host: &str, wallet: &Wallet, algorithm: &str, deadline: Instant) -> (Vec<u64>, u64) {
    let mut connection = Connection::open(host);
    let public_key = wallet.public_key_hex();
    let challenge_body = format!(r#"{{"address":"{public_key}"}}"#);
    let mut latencies = Vec::new();
    let mut errors = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let (status, body) = connection.post("/api/v1/auth/challenge", &challenge_body);
        let challenge = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value["challenge"].as_str().map(str::to_owned));
        let Some(challenge) = challenge.filter(|_| status == 200) else {
            errors += 1;
            continue;
        };
        let sign_in = serde_json::json!({
            "address": public_key,
            "public_key": public_key,
            "signature": wallet.sign_hex(challenge.as_bytes()),
            "challenge": challenge,
            "algorithm": algorithm,
        });
        let (status, _) = connection.post("/api/v1/auth/sign-in", &sign_in.to_string());
        if status == 200 {
            latencies.push(started.elapsed().as_micros() as u64);
        } else {
            errors += 1;
        }
    }
    (latencies, errors)
}

/// Logs in on `connection`; returns the refresh token.
fn log_in(connection: &mut Connection, login_body: &str) -> Option<String> {
    let (status, body) = connection.post("/api/v1/auth/login", login_body);
    if status != 200 {
        return None;
    }
    refresh_token_of(&body)
}

fn refresh_token_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value["refresh_token"].as_str().map(str::to_owned))
}

/// One refreshing client: logs in, waits for the others at `start`, then refreshes its chain
/// until `deadline`, alternating over `hosts` (starting at host `first`). Returns refresh
/// latencies in microseconds and the error count; after an error it logs in again.
fn refresher(
    hosts: &[String],
    first: usize,
    login_body: &str,
    start: &std::sync::Barrier,
    seconds: u64,
) -> (Vec<u64>, u64) {
    let mut connections: Vec<Connection> =
        hosts.iter().map(|host| Connection::open(host)).collect();
    let mut token = log_in(&mut connections[first], login_body).expect("the first login");
    start.wait();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut turn = first;
    while Instant::now() < deadline {
        turn = (turn + 1) % connections.len();
        let body = serde_json::json!({ "refresh_token": token }).to_string();
        let started = Instant::now();
        let (status, reply) = connections[turn].post("/api/v1/auth/refresh", &body);
        match refresh_token_of(&reply).filter(|_| status == 200) {
            Some(next) => {
                latencies.push(started.elapsed().as_micros() as u64);
                token = next;
            }
            None => {
                errors += 1;
                if errors <= 3 {
                    eprintln!(
                        "refresh answered {status}: {}",
                        reply.chars().take(200).collect::<String>()
                    );
                }
                // A new chain (the old one may be dead); if even that fails, the next turn
                // counts another error and tries again.
                if let Some(next) = log_in(&mut connections[turn], login_body) {
                    token = next;
                }
            }
        }
    }
    (latencies, errors)
}

/// `loadgen refresh …`: see the module documentation.
fn refresh(hosts: &str, email: &str, password: &str, connections: usize, seconds: u64) {
    let hosts: Vec<String> = hosts.split(',').map(str::to_owned).collect();
    let login_body = serde_json::json!({ "email": email, "password": password }).to_string();
    // Every worker and this thread: the clock starts once every worker has logged in.
    let start = std::sync::Barrier::new(connections + 1);
    let (results, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..connections)
            .map(|worker| {
                let (hosts, login_body, start) = (&hosts, &login_body, &start);
                scope.spawn(move || {
                    refresher(hosts, worker % hosts.len(), login_body, start, seconds)
                })
            })
            .collect();
        start.wait();
        let started = Instant::now();
        let results: Vec<(Vec<u64>, u64)> = handles
            .into_iter()
            .map(|handle| handle.join().expect("refresher"))
            .collect();
        (results, started.elapsed().as_secs_f64())
    });
    print_summary(&results, elapsed);
}

/// Prints the JSON line of a run: requests, seconds, errors, latency percentiles (ms).
fn print_summary(results: &[(Vec<u64>, u64)], elapsed: f64) {
    let mut latencies: Vec<u64> = results
        .iter()
        .flat_map(|(latencies, _)| latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    let errors: u64 = results.iter().map(|(_, errors)| errors).sum();
    println!(
        "{}",
        serde_json::json!({
            "requests": latencies.len(),
            "seconds": elapsed,
            "errors": errors,
            "p50": percentile(&latencies, 0.50),
            "p90": percentile(&latencies, 0.90),
            "p99": percentile(&latencies, 0.99),
        })
    );
}

fn percentile(sorted: &[u64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index] as f64 / 1000.0
}

/// The median time of one `picoauth::password::hash`, in milliseconds.
fn time_argon2(count: usize) -> f64 {
    let mut times: Vec<f64> = (0..count)
        .map(|_| {
            let started = Instant::now();
            picoauth::password::hash("benchmark password").expect("hash");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 5 && args[1] == "mixed" {
        let seconds = args[4].parse().expect("seconds");
        mixed(&args[2], &args[3], seconds);
        return;
    }
    if args.len() == 7 && args[1] == "refresh" {
        let connections = args[5].parse().expect("connections");
        let seconds = args[6].parse().expect("seconds");
        refresh(&args[2], &args[3], &args[4], connections, seconds);
        return;
    }
    if args.len() >= 3 && args[1] == "argon2" {
        let count = args[2].parse().expect("count");
        let threads: usize = args
            .get(3)
            .map_or(1, |threads| threads.parse().expect("threads"));
        let started = Instant::now();
        let medians: Vec<f64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| scope.spawn(|| time_argon2(count)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("hasher"))
                .collect()
        });
        let rate = (count * threads) as f64 / started.elapsed().as_secs_f64();
        println!(
            "{}",
            serde_json::json!({ "ms": medians[0], "per_second": rate })
        );
        return;
    }
    if args.len() != 5 {
        eprintln!("usage: loadgen <host:port> <ML-DSA-65|Ed25519> <connections> <seconds>");
        std::process::exit(2);
    }
    let (host, algorithm) = (args[1].clone(), args[2].clone());
    let connections: u8 = args[3].parse().expect("connections");
    let seconds: u64 = args[4].parse().expect("seconds");
    let wallets: Vec<Wallet> = (1..=connections)
        .map(|seed| Wallet::new(&algorithm, seed))
        .collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let results: Vec<(Vec<u64>, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = wallets
            .iter()
            .map(|wallet| {
                let (host, algorithm) = (&host, &algorithm);
                scope.spawn(move || run(host, wallet, algorithm, deadline))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("worker"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    print_summary(&results, elapsed);
}
