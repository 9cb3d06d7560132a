//! Attacks on the transport (the head-checking wrapper under hyper, the connection table),
//! through the real binary on loopback. Each test asserts the behaviour a production server
//! owes its clients; each was written against a hole found in review (see the report of the
//! A2 attack session), so it fails until that hole is closed.
//!
//! Connections "from many addresses" bind to 127.0.0.x: all of 127/8 is loopback on Linux.
//! Counts stay small by lowering `--max-connections`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::util::{
    ADMIN_ENV, Reply, Server, TestDir, parse_replies, raw_connect, read_until_closed,
};

const JWKS: &str = "/api/v1/auth/jwks";

/// How long a raw connection waits to connect, read or write before the test fails.
const RAW_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to `addr` from the loopback address `source`, with a receive buffer of
/// `receive_buffer` bytes if given.
#[track_caller]
fn connect_from(source: &str, addr: SocketAddr, receive_buffer: Option<usize>) -> TcpStream {
    raw_connect(source, addr, RAW_TIMEOUT, receive_buffer)
}

/// Sends `bytes` on a new connection and parses every response until the server closes.
#[track_caller]
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<Reply> {
    let mut stream = connect_from("127.0.0.1", addr, None);
    let _ = stream.write_all(bytes);
    parse_replies(&read_until_closed(&mut stream))
}

/// Finding: a client that sends requests and never reads the answers pins its connection
/// forever. Once hyper's writes block, the connection counts as busy (`write_blocked`), so it
/// is never shed, and nothing times it out (`request_timeout` covers only heads and bodies).
/// A handful of such connections fill `max_connections`, after which the accept loop stops
/// accepting anyone, `/healthz` included, for as long as the attacker keeps the sockets open.
#[test]
fn clients_that_never_read_their_answers_cannot_lock_everyone_out() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &["--max-connections", "2", "--request-timeout", "2s"],
        &[ADMIN_ENV],
    );
    let addr = server.addr();
    let pipelined = format!("GET {JWKS} HTTP/1.1\r\nHost: localhost\r\n\r\n").repeat(100);
    let mut hogs = Vec::new();
    for source in ["127.0.0.10", "127.0.0.11"] {
        let mut hog = connect_from(source, addr, Some(4096));
        hog.set_write_timeout(Some(Duration::from_millis(500)))
            .expect("set write timeout");
        // Pipelined requests until the server stops reading them (its answers fill both
        // socket buffers): bounded by the write timeout and by a count.
        for _ in 0..200 {
            if hog.write_all(pipelined.as_bytes()).is_err() {
                break;
            }
        }
        hogs.push(hog);
    }
    // A fresh client must be served within request_timeout and a margin, whatever the
    // two connections that never read do.
    let started = Instant::now();
    let mut fresh = connect_from("127.0.0.12", addr, None);
    fresh
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("write /healthz");
    let replies = parse_replies(&read_until_closed(&mut fresh));
    assert!(
        replies.first().is_some_and(|reply| reply.status == 200),
        "/healthz was not answered within {:?} while two connections refused to read",
        started.elapsed()
    );
    drop(hogs);
}

/// Finding: a `Transfer-Encoding` value with non-ASCII UTF-8 before `chunked`
/// (`Transfer-Encoding: é, chunked`) passes the transport's check (it reads the value as
/// UTF-8) but not hyper's (`HeaderValue::to_str` wants visible ASCII), so hyper answers with
/// its own bare 400 and an empty body: not API.md §1's JSON.
#[test]
fn a_transfer_encoding_with_non_ascii_bytes_gets_a_json_400() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let replies = exchange(
        server.addr(),
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: \xc3\xa9, chunked\r\n\r\n0\r\n\r\n",
    );
    assert_eq!(replies.len(), 1, "one answer");
    replies[0].assert_error(400, "invalid_request");
}

/// Finding: the transport reads and judges heads past the last request hyper will serve.
/// After a response that closes the connection (`Connection: close` asked by the client, or
/// HTTP/1.0 without keep-alive), the server must not process anything more on it (RFC 9112
/// §9.6), yet a malformed head pipelined behind gets a second response written after the one
/// that said `connection: close`.
#[test]
fn nothing_is_answered_after_a_response_that_closes_the_connection() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for first in [
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "GET /healthz HTTP/1.0\r\n\r\n",
    ] {
        let replies = exchange(server.addr(), format!("{first}GARBAGE\r\n\r\n").as_bytes());
        let statuses: Vec<u16> = replies.iter().map(|reply| reply.status).collect();
        assert_eq!(
            statuses,
            [200],
            "after {first:?} the server answered more than the one request it serves"
        );
        assert!(
            replies[0]
                .header("connection")
                .is_none_or(|value| value == "close"),
            "{:?}",
            replies[0].headers
        );
    }
}

/// Finding: on a dual-stack listener (`--listen [::]:PORT`), IPv4 peers arrive as
/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.5`). The per-client key canonicalises them,
/// but the `trusted_proxies` check compares the raw peer, so an IPv4 proxy listed in
/// `trusted_proxies` is not recognised: it is held to `max_connections_per_client` (and its
/// `X-Forwarded-For` is not believed, so every client behind it shares one rate bucket).
#[test]
fn a_trusted_ipv4_proxy_is_exempt_on_a_dual_stack_listener() {
    let dir = TestDir::new();
    // The later --listen wins over the harness's 127.0.0.1:0.
    let server = Server::start_with(
        &dir,
        &[
            "--listen",
            "[::]:0",
            "--max-connections-per-client",
            "2",
            "--trusted-proxies",
            "127.0.0.5",
        ],
        &[ADMIN_ENV],
    );
    let addr = SocketAddr::new("127.0.0.1".parse().expect("loopback"), server.addr().port());
    let mut held = Vec::new();
    for n in 0..4 {
        let mut stream = connect_from("127.0.0.5", addr, None);
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .expect("write a request");
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(read) => bytes.extend_from_slice(&chunk[..read]),
            }
        }
        let replies = parse_replies(&bytes);
        assert_eq!(
            replies.first().map(|reply| reply.status),
            Some(200),
            "connection {n} of the trusted proxy was refused"
        );
        held.push(stream);
    }
}
