//! The transport, through the real binary: connection limits and shedding under a flood of slow
//! connections, JSON answers to heads hyper would have refused, HEAD, 415, HTTPS with
//! certificate reloads, and gzip.
//!
//! Connections "from many addresses" bind to 127.0.0.2, 127.0.0.3, …: all of 127/8 is loopback
//! on Linux. Counts stay small by lowering `--max-connections`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{
    ADMIN_ENV, Reply, Server, TestDir, parse_replies, raw_connect, read_until_closed, run_on,
    serve_until_exit,
};

const LOGIN: &str = "/api/v1/auth/login";
const JWKS: &str = "/api/v1/auth/jwks";
const REVOKED_JTIS: &str = "/api/v1/auth/revoked-jtis";
/// How long a test waits for something the server does by itself (a reload, a close).
const WAIT_BOUND: Duration = Duration::from_secs(10);
const POLL_STEP: Duration = Duration::from_millis(50);

// --- raw connections ---

/// How long a raw connection waits to connect, read or write before the test fails.
const RAW_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to `addr` from the loopback address `source`.
#[track_caller]
fn connect_from(source: &str, addr: SocketAddr) -> TcpStream {
    raw_connect(source, addr, RAW_TIMEOUT, None)
}

/// Reads exactly one response from a keep-alive connection.
#[track_caller]
fn read_reply(stream: &mut impl Read) -> Reply {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => bytes.push(byte[0]),
            other => panic!(
                "the connection ended in a response head ({other:?}): {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    let head = parse_replies(&bytes).pop().expect("a head");
    let length: usize = head
        .header("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("the response body");
    Reply { body, ..head }
}

/// A keep-alive `GET path` on `stream`.
fn write_get(stream: &mut impl Write, path: &str) {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .expect("write a request");
}

/// Sends `bytes` on a new connection and parses every response until the server closes.
#[track_caller]
fn exchange(server: &Server, bytes: &[u8]) -> Vec<Reply> {
    let mut stream = connect_from("127.0.0.1", server.addr());
    // The server may answer and close before reading everything; the answer is what counts.
    let _ = stream.write_all(bytes);
    parse_replies(&read_until_closed(&mut stream))
}

// --- connections ---

#[test]
fn a_flood_of_slow_connections_from_many_addresses_does_not_lock_out_a_new_client() {
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[
            "--max-connections",
            "16",
            "--max-connections-per-client",
            "4",
            "--request-timeout",
            "60s",
        ],
        &[ADMIN_ENV],
    );
    let addr = server.addr();

    // A request in progress: its head is in, the handler waits for the body (100 Continue
    // proves it), so the connection is busy and must survive the flood.
    let mut busy = connect_from("127.0.0.1", addr);
    let body = json!({"email": "nobody@example.com", "password": "wrong-password"}).to_string();
    busy.write_all(
        format!(
            "POST {LOGIN} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .expect("write the head");
    let mut continued = [0u8; 25];
    busy.read_exact(&mut continued).expect("100 Continue");
    assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");

    // 48 connections from 12 addresses, each stuck halfway through its headers: three times
    // the table.
    let mut slow = Vec::new();
    for n in 0..48 {
        let source = format!("127.0.0.{}", 2 + n / 4);
        let mut stream = connect_from(&source, addr);
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            .expect("write half a head");
        slow.push(stream);
    }

    let started = Instant::now();
    server.get("/healthz").send().assert_status(200);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(1),
        "a fresh client waited {elapsed:?} behind the slow connections"
    );

    // The busy connection was kept: its request completes.
    busy.write_all(body.as_bytes()).expect("write the body");
    let replies = parse_replies(&read_until_closed(&mut busy));
    assert_eq!(replies.len(), 1, "one answer on the busy connection");
    replies[0].assert_error(401, "invalid_credentials");

    // The slow ones paid: the table holds 16, so at least 33 of the 48 were closed.
    let deadline = Instant::now() + WAIT_BOUND;
    let mut open: Vec<TcpStream> = slow;
    let mut closed = 0;
    while closed < 33 {
        assert!(
            Instant::now() < deadline,
            "only {closed} of 48 slow connections were shed"
        );
        let mut still_open = Vec::new();
        for mut stream in open {
            stream
                .set_read_timeout(Some(Duration::from_millis(20)))
                .expect("set read timeout");
            let mut byte = [0u8; 1];
            match stream.read(&mut byte) {
                Ok(0) => closed += 1,
                Err(error) if error.kind() == ErrorKind::ConnectionReset => closed += 1,
                _ => still_open.push(stream),
            }
        }
        open = still_open;
    }
}

#[test]
fn one_address_holds_at_most_its_share_of_connections_unless_it_is_a_trusted_proxy() {
    let dir = TestDir::new();
    let server = Server::start_with(&dir, &["--max-connections-per-client", "2"], &[ADMIN_ENV]);
    let addr = server.addr();
    // Two keep-alive connections, each proved admitted by a request.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect_from("127.0.0.5", addr);
        write_get(&mut stream, "/healthz");
        assert_eq!(read_reply(&mut stream).status, 200);
        held.push(stream);
    }
    let mut third = connect_from("127.0.0.5", addr);
    let replies = parse_replies(&read_until_closed(&mut third));
    assert_eq!(
        replies.len(),
        1,
        "the third connection is refused with one answer"
    );
    replies[0].assert_error(429, "too_many_requests");
    assert!(replies[0].header("retry-after").is_some());
    // Another address is unaffected, and so is the first address once it lets one go.
    let mut other = connect_from("127.0.0.6", addr);
    write_get(&mut other, "/healthz");
    assert_eq!(read_reply(&mut other).status, 200);
    drop(held.pop());
    let deadline = Instant::now() + WAIT_BOUND;
    loop {
        let mut again = connect_from("127.0.0.5", addr);
        write_get(&mut again, "/healthz");
        let replies = parse_replies(&read_until_closed_after_one(&mut again));
        if replies.first().is_some_and(|reply| reply.status == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a freed place is never given back"
        );
        std::thread::sleep(POLL_STEP);
    }
    drop(server);

    // Behind a proxy, one address carries many clients.
    let dir = TestDir::new();
    let server = Server::start_with(
        &dir,
        &[
            "--max-connections-per-client",
            "2",
            "--trusted-proxies",
            "127.0.0.5",
        ],
        &[ADMIN_ENV],
    );
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = connect_from("127.0.0.5", server.addr());
        write_get(&mut stream, "/healthz");
        assert_eq!(read_reply(&mut stream).status, 200);
        held.push(stream);
    }
}

/// Reads one response, or whatever came before the connection closed.
fn read_until_closed_after_one(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set read timeout");
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    while parse_replies(&bytes)
        .iter()
        .all(|reply| reply.body.is_empty())
    {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
    bytes
}

// --- heads hyper would refuse ---

#[test]
fn malformed_request_heads_get_a_json_400() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for raw in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        b"G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n",
        b"POST /api/v1/auth/login HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
    ] {
        let replies = exchange(&server, raw);
        assert_eq!(replies.len(), 1, "{:?}", String::from_utf8_lossy(raw));
        replies[0].assert_error(400, "invalid_request");
        assert_eq!(replies[0].header("content-type"), Some("application/json"));
    }
    // A malformed request after a good one on the same connection: the first is answered
    // in full, then the JSON 400.
    let replies = exchange(
        &server,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nNONSENSE\r\n\r\n",
    );
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].status, 200);
    assert_eq!(replies[0].json()["status"], "ok");
    replies[1].assert_error(400, "invalid_request");
    // The server is unharmed.
    server.get("/healthz").send().assert_status(200);
}

#[test]
fn oversized_request_heads_get_a_json_431() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let padding = "a".repeat(20 * 1024);
    let raw = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: {padding}\r\n\r\n");
    let replies = exchange(&server, raw.as_bytes());
    assert_eq!(replies.len(), 1);
    replies[0].assert_error(431, "headers_too_large");

    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for n in 0..120 {
        many.push_str(&format!("X-Header-{n}: y\r\n"));
    }
    many.push_str("\r\n");
    let replies = exchange(&server, many.as_bytes());
    assert_eq!(replies.len(), 1);
    replies[0].assert_error(431, "headers_too_large");

    // Just under the limit is fine; chunked bodies still work and end the connection.
    let padding = "b".repeat(12 * 1024);
    server
        .get("/healthz")
        .header("X-Padding", &padding)
        .send()
        .assert_status(200);
    let replies = exchange(
        &server,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n",
    );
    assert_eq!(replies.len(), 1, "hyper closes after a chunked request");
    replies[0].assert_error(400, "invalid_request");
}

// --- methods and media types ---

#[test]
fn head_is_answered_wherever_get_is() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    for path in [
        "/healthz",
        "/readyz",
        JWKS,
        "/.well-known/openid-configuration",
    ] {
        let get = server.get(path).send();
        get.assert_status(200);
        let head = server.request("HEAD", path).send();
        head.assert_status(200);
        assert!(head.body.is_empty(), "HEAD {path} has no body: {head}");
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "HEAD {path}"
        );
        assert_eq!(head.header("content-type"), get.header("content-type"));
    }
    let jwks = server.get(JWKS).send();
    let head = server.request("HEAD", JWKS).send();
    assert_eq!(head.header("etag"), jwks.header("etag"));

    let response = server.request("DELETE", "/healthz").send();
    response.assert_error(405, "method_not_allowed");
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
    let response = server.request("HEAD", LOGIN).send();
    response.assert_status(405);
    assert_eq!(response.header("allow"), Some("POST"));
}

#[test]
fn json_bodies_need_a_json_content_type() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let body = json!({"email": "nobody@example.com", "password": "wrong-password"})
        .to_string()
        .into_bytes();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/json",
    ] {
        server
            .request("POST", LOGIN)
            .body(content_type, body.clone())
            .send()
            .assert_error(415, "unsupported_media_type");
    }
    // No type at all.
    let raw = format!(
        "POST {LOGIN} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        String::from_utf8_lossy(&body)
    );
    server
        .send_raw(raw.as_bytes())
        .assert_error(415, "unsupported_media_type");
    // Bare-string bodies too.
    server
        .request("POST", "/api/v1/auth/refresh")
        .body("text/plain", b"\"token\"".to_vec())
        .send()
        .assert_error(415, "unsupported_media_type");
    // JSON with parameters, or a +json type, is read and judged on its merits.
    for content_type in [
        "application/json; charset=utf-8",
        "application/vnd.pico+json",
    ] {
        server
            .request("POST", LOGIN)
            .body(content_type, body.clone())
            .send()
            .assert_error(401, "invalid_credentials");
    }
}

// --- gzip ---

#[test]
fn the_denylist_and_the_jwks_are_gzipped_for_clients_that_take_it() {
    let dir = TestDir::new();
    let server = Server::start(&dir);
    let jtis: Vec<String> = (0..3000).map(|n| format!("{n:032x}")).collect();
    // Never minted, so only `--force` revokes them.
    let mut args = vec!["revoke", "--force"];
    args.extend(jtis.iter().map(String::as_str));
    args.extend(["--reason", "rotated out in the gzip test"]);
    run_on(&dir, &args, &[]).assert_code(0);
    let admin = server.admin();

    let identity = server
        .get(REVOKED_JTIS)
        .with_bearer(&admin.access_token)
        .send();
    let plain = identity.ok_json();
    assert_eq!(plain["items"].as_array().map(Vec::len), Some(3000));
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.header("vary"), Some("accept-encoding"));

    for accept in ["gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1"] {
        let response = server
            .get(REVOKED_JTIS)
            .with_bearer(&admin.access_token)
            .header("Accept-Encoding", accept)
            .send();
        response.assert_status(200);
        assert_eq!(
            response.header("content-encoding"),
            Some("gzip"),
            "{accept}"
        );
        assert_eq!(response.header("vary"), Some("accept-encoding"));
        let decoded = gunzip(&response.body);
        assert_eq!(decoded, identity.body, "the gzip body is the same JSON");
        assert!(
            response.body.len() * 2 < identity.body.len(),
            "gzip {} bytes, identity {}",
            response.body.len(),
            identity.body.len()
        );
    }
    let refused = server
        .get(REVOKED_JTIS)
        .with_bearer(&admin.access_token)
        .header("Accept-Encoding", "gzip;q=0, identity")
        .send();
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, identity.body);

    // The JWKS of three keys is large enough to be worth it; its gzip has its own ETag, and
    // either ETag revalidates.
    for _ in 0..2 {
        run_on(&dir, &["keygen", "--rotate"], &[]).assert_code(0);
    }
    let deadline = Instant::now() + WAIT_BOUND;
    let jwks = loop {
        let response = server.get(JWKS).send();
        if response.ok_json()["keys"].as_array().map(Vec::len) == Some(3) {
            break response;
        }
        assert!(Instant::now() < deadline, "the rotations never showed");
        std::thread::sleep(POLL_STEP);
    };
    let gzipped = server.get(JWKS).header("Accept-Encoding", "gzip").send();
    gzipped.assert_status(200);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert_eq!(gzipped.header("vary"), Some("accept-encoding"));
    assert_eq!(gunzip(&gzipped.body), jwks.body);
    let gzip_etag = gzipped.header("etag").expect("an ETag").to_owned();
    assert_ne!(Some(gzip_etag.as_str()), jwks.header("etag"));
    for etag in [gzip_etag.as_str(), jwks.header("etag").expect("an ETag")] {
        server
            .get(JWKS)
            .header("Accept-Encoding", "gzip")
            .header("If-None-Match", etag)
            .send()
            .assert_status(304);
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut decoded)
        .expect("a gzip body");
    decoded
}

// --- TLS ---

/// A lab CA and the certificates it signs, generated fresh per test.
struct Pki {
    ca_der: Vec<u8>,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "picoauth test CA");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().expect("a CA key");
        let certificate = params.self_signed(&key).expect("the CA certificate");
        Pki {
            ca_der: certificate.der().to_vec(),
            issuer: rcgen::Issuer::new(params, key),
        }
    }

    /// A server certificate for localhost and 127.0.0.1 named `name`: (cert PEM, key PEM, DER).
    fn server(&self, name: &str) -> (String, String, Vec<u8>) {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = rcgen::KeyPair::generate().expect("a server key");
        let certificate = params.signed_by(&key, &self.issuer).expect("signed");
        (
            certificate.pem(),
            key.serialize_pem(),
            certificate.der().to_vec(),
        )
    }
}

/// Replaces a file the way deployment tools do: a new file renamed over the old.
fn replace(path: &Path, contents: &str) {
    let temporary = path.with_extension("new");
    std::fs::write(&temporary, contents).expect("write");
    std::fs::rename(&temporary, path).expect("rename");
}

type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A TLS connection that trusts only `ca_der`, with the given protocol versions.
#[track_caller]
fn tls_connect(
    addr: SocketAddr,
    ca_der: &[u8],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> TlsStream {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(ca_der.to_vec()))
        .expect("the CA");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(versions)
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("a name");
    let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("a client");
    let tcp = connect_from("127.0.0.1", addr);
    let mut stream = rustls::StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .unwrap_or_else(|e| panic!("TLS handshake with {addr}: {e}"));
    }
    stream
}

/// The certificate the server presented on `stream`.
fn presented(stream: &TlsStream) -> Vec<u8> {
    stream
        .conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|certificate| certificate.to_vec())
        .expect("a server certificate")
}

/// `GET path` over a new TLS connection: the reply and the certificate presented.
fn tls_get(addr: SocketAddr, ca_der: &[u8], path: &str) -> (Reply, Vec<u8>) {
    let mut stream = tls_connect(addr, ca_der, rustls::DEFAULT_VERSIONS);
    write_get(&mut stream, path);
    let reply = read_reply(&mut stream);
    (reply, presented(&stream))
}

/// A server speaking HTTPS with a fresh certificate named `first`.
fn tls_server(dir: &TestDir, pki: &Pki) -> (Server, Vec<u8>) {
    let (cert, key, der) = pki.server("first");
    let cert_file = dir.write("server.crt", &cert);
    let key_file = dir.write("server.key", &key);
    let server = Server::start_with(
        dir,
        &[
            "--tls-cert-file",
            cert_file.to_str().expect("a UTF-8 path"),
            "--tls-key-file",
            key_file.to_str().expect("a UTF-8 path"),
        ],
        &[ADMIN_ENV],
    );
    (server, der)
}

/// Polls new handshakes until the server presents `wanted`.
#[track_caller]
fn wait_for_certificate(server: &Server, pki: &Pki, wanted: &[u8]) {
    let deadline = Instant::now() + WAIT_BOUND;
    loop {
        let (reply, certificate) = tls_get(server.addr(), &pki.ca_der, "/healthz");
        assert_eq!(reply.status, 200);
        if certificate == wanted {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the new certificate was never served\n--- stderr ---\n{}",
            server.stderr_so_far()
        );
        std::thread::sleep(POLL_STEP);
    }
}

#[test]
fn https_speaks_tls_1_2_and_1_3_and_defaults_the_issuer_to_https() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (server, der) = tls_server(&dir, &pki);
    for (versions, expected) in [
        (
            &[&rustls::version::TLS12][..],
            rustls::ProtocolVersion::TLSv1_2,
        ),
        (
            &[&rustls::version::TLS13][..],
            rustls::ProtocolVersion::TLSv1_3,
        ),
    ] {
        let mut stream = tls_connect(server.addr(), &pki.ca_der, versions);
        assert_eq!(stream.conn.protocol_version(), Some(expected));
        assert_eq!(presented(&stream), der);
        write_get(&mut stream, "/healthz");
        let reply = read_reply(&mut stream);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["status"], "ok");
    }
    let (reply, _) = tls_get(
        server.addr(),
        &pki.ca_der,
        "/.well-known/openid-configuration",
    );
    assert_eq!(reply.json()["issuer"], "https://localhost:8100");
    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = connect_from("127.0.0.1", server.addr());
    write_get(&mut plain, "/healthz");
    let bytes = read_until_closed(&mut plain);
    assert!(!bytes.starts_with(b"HTTP/1.1 200"), "plain HTTP was served");
}

#[test]
fn a_replaced_certificate_reaches_new_handshakes_and_open_connections_stay() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (server, first) = tls_server(&dir, &pki);
    let mut open = tls_connect(server.addr(), &pki.ca_der, rustls::DEFAULT_VERSIONS);
    write_get(&mut open, "/healthz");
    assert_eq!(read_reply(&mut open).status, 200);

    let (cert, key, second) = pki.server("second");
    replace(&dir.path().join("server.key"), &key);
    replace(&dir.path().join("server.crt"), &cert);
    wait_for_certificate(&server, &pki, &second);

    // The keep-alive connection made before the change still works, on the old certificate.
    write_get(&mut open, "/healthz");
    assert_eq!(read_reply(&mut open).status, 200);
    assert_eq!(presented(&open), first);
    let (reply, _) = tls_get(server.addr(), &pki.ca_der, "/readyz");
    assert_eq!(reply.status, 200);
}

#[test]
fn sighup_reloads_the_certificate() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (server, _) = tls_server(&dir, &pki);
    let (cert, key, second) = pki.server("second");
    replace(&dir.path().join("server.key"), &key);
    replace(&dir.path().join("server.crt"), &cert);
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let deadline = Instant::now() + WAIT_BOUND;
    while !server
        .stderr_so_far()
        .lines()
        .any(|line| line.contains("reloaded the TLS certificate") && line.contains("SIGHUP"))
    {
        assert!(
            Instant::now() < deadline,
            "no reload logged after SIGHUP\n--- stderr ---\n{}",
            server.stderr_so_far()
        );
        std::thread::sleep(POLL_STEP);
    }
    // The server lives on, with the new certificate.
    let (reply, certificate) = tls_get(server.addr(), &pki.ca_der, "/healthz");
    assert_eq!(reply.status, 200);
    assert_eq!(certificate, second);
}

#[test]
fn a_broken_certificate_file_keeps_the_old_one_and_fails_readiness_until_fixed() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (server, first) = tls_server(&dir, &pki);
    replace(&dir.path().join("server.crt"), "not a certificate\n");
    let deadline = Instant::now() + WAIT_BOUND;
    let reply = loop {
        let (reply, certificate) = tls_get(server.addr(), &pki.ca_der, "/readyz");
        assert_eq!(certificate, first, "the old certificate is still served");
        if reply.status == 503 {
            break reply;
        }
        assert!(
            Instant::now() < deadline,
            "readyz never noticed the broken file"
        );
        std::thread::sleep(POLL_STEP);
    };
    reply.assert_error(503, "unavailable");
    let detail = reply.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.contains("tls_cert_file"), "{detail}");
    assert!(
        server.stderr_so_far().lines().any(
            |line| line.contains("ERROR") && line.contains("cannot reload the TLS certificate")
        ),
        "the failure is logged as an error\n{}",
        server.stderr_so_far()
    );

    let (cert, key, second) = pki.server("second");
    replace(&dir.path().join("server.key"), &key);
    replace(&dir.path().join("server.crt"), &cert);
    wait_for_certificate(&server, &pki, &second);
    let (reply, _) = tls_get(server.addr(), &pki.ca_der, "/readyz");
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

#[test]
fn tls_settings_come_in_pairs_and_bad_files_stop_the_start() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (cert, key, _) = pki.server("only");
    let cert_file = dir.write("server.crt", &cert);
    let key_file = dir.write("server.key", &key);
    let cert_path = cert_file.to_str().expect("a UTF-8 path");
    let key_path = key_file.to_str().expect("a UTF-8 path");

    let exit = serve_until_exit(&dir, &["--tls-cert-file", cert_path], &[ADMIN_ENV]);
    assert_eq!(exit.status.code(), Some(2), "{exit}");
    assert!(
        exit.stderr.contains("tls_cert_file") && exit.stderr.contains("tls_key_file"),
        "{exit}"
    );

    let missing = dir.path().join("missing.crt");
    let exit = serve_until_exit(
        &dir,
        &[
            "--tls-cert-file",
            missing.to_str().expect("a UTF-8 path"),
            "--tls-key-file",
            key_path,
        ],
        &[ADMIN_ENV],
    );
    assert_eq!(exit.status.code(), Some(2), "{exit}");
    assert!(exit.stderr.contains("tls_cert_file"), "{exit}");

    // A key that is not the certificate's.
    let (_, other_key, _) = pki.server("other");
    let other_key_file = dir.write("other.key", &other_key);
    let exit = serve_until_exit(
        &dir,
        &[
            "--tls-cert-file",
            cert_path,
            "--tls-key-file",
            other_key_file.to_str().expect("a UTF-8 path"),
        ],
        &[ADMIN_ENV],
    );
    assert_eq!(exit.status.code(), Some(2), "{exit}");
    assert!(exit.stderr.contains("tls_key_file"), "{exit}");
}

/// Polls the server's log until a line contains `needle`.
#[track_caller]
fn wait_for_log(server: &Server, needle: &str) {
    let deadline = Instant::now() + WAIT_BOUND;
    while !server
        .stderr_so_far()
        .lines()
        .any(|line| line.contains(needle))
    {
        assert!(
            Instant::now() < deadline,
            "no log line with {needle:?}\n--- stderr ---\n{}",
            server.stderr_so_far()
        );
        std::thread::sleep(POLL_STEP);
    }
}

/// Finding (issue 10): the reloader read whole files, so a FIFO put in the certificate's place
/// blocked it for good (no later reload) and a huge file was read whole into memory. Now only
/// regular files of at most 1 MiB are read, opened without blocking; either is a failed load
/// that keeps the old certificate and fails readiness, and a good file is picked up after.
#[test]
fn a_fifo_or_a_huge_file_as_certificate_fails_the_reload_without_stalling_it() {
    let dir = TestDir::new();
    let pki = Pki::new();
    let (server, first) = tls_server(&dir, &pki);
    let cert_file = dir.path().join("server.crt");
    let fifo = cert_file.with_extension("fifo");
    let path = std::ffi::CString::new(fifo.to_str().expect("a UTF-8 path")).expect("no NUL");
    // SAFETY: `path` is a valid NUL-terminated string for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    std::fs::rename(&fifo, &cert_file).expect("rename the FIFO");
    wait_for_log(&server, "not a regular file");
    let (reply, certificate) = tls_get(server.addr(), &pki.ca_der, "/readyz");
    assert_eq!(certificate, first, "the old certificate is still served");
    reply.assert_error(503, "unavailable");

    replace(&cert_file, &"A".repeat(2 * 1024 * 1024));
    wait_for_log(&server, "larger than 1024 KiB");
    let (reply, certificate) = tls_get(server.addr(), &pki.ca_der, "/readyz");
    assert_eq!(certificate, first);
    reply.assert_error(503, "unavailable");

    // The reloader is not stuck: a good pair is served, and readiness returns.
    let (cert, key, second) = pki.server("second");
    replace(&dir.path().join("server.key"), &key);
    replace(&cert_file, &cert);
    wait_for_certificate(&server, &pki, &second);
    let (reply, _) = tls_get(server.addr(), &pki.ca_der, "/readyz");
    assert_eq!(reply.status, 200);
}
