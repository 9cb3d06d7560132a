//! A load generator for the wallet sign-in flow, which wrk cannot drive: every flow asks for a
//! challenge, signs it, and signs in with the signature.
//!
//! Usage: `loadgen <host:port> <ML-DSA-65|Ed25519> <connections> <seconds>`
//! Prints one JSON line: flows, seconds, errors and flow latency percentiles in milliseconds.
//!
//! `loadgen argon2 <count>` instead times picoauth's own password hash, one at a time, and
//! prints the median in milliseconds: the unit the login benchmark is measured against.
//! Each connection is a thread with its own key (generated before the clock starts) and one
//! keep-alive HTTP/1.1 connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ed25519_dalek::Signer;

/// A wallet: its public key in hex, and how it signs.
enum Wallet {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    MlDsa65(Box<ml_dsa::SigningKey<ml_dsa::MlDsa65>>),
}

impl Wallet {
    fn new(algorithm: &str, seed: u8) -> Wallet {
        match algorithm {
            "Ed25519" => {
                Wallet::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&[seed; 32])))
            }
            "ML-DSA-65" => Wallet::MlDsa65(Box::new(ml_dsa::SigningKey::from_seed(
                &ml_dsa::Seed::from([seed; 32]),
            ))),
            other => panic!("unknown algorithm {other}"),
        }
    }

    fn public_key_hex(&self) -> String {
        match self {
            Wallet::Ed25519(key) => hex(key.verifying_key().as_bytes()),
            Wallet::MlDsa65(key) => hex(&key.expanded_key().verifying_key().encode()),
        }
    }

    fn sign_hex(&self, message: &[u8]) -> String {
        match self {
            Wallet::Ed25519(key) => hex(&key.sign(message).to_bytes()),
            Wallet::MlDsa65(key) => hex(&key
                .expanded_key()
                .sign_deterministic(message, &[])
                .expect("an empty context is valid")
                .encode()),
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
        let stream = TcpStream::connect(host).expect("cannot connect");
        stream.set_nodelay(true).expect("nodelay");
        Connection {
            host: host.to_owned(),
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        }
    }

    /// POSTs a JSON body and returns the status and body.
    fn post(&mut self, path: &str, body: &str) -> (u16, String) {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.writer.write_all(request.as_bytes()).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
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
        self.reader.read_exact(&mut body).expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }
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
