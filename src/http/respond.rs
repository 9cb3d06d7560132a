//! Building responses: JSON bodies, the security headers every response carries, and the
//! mapping of [`Error`] to a status and a public body.
//!
//! # Invariants
//! - Every error body is `{"error": code, "detail": sentence}`; 5xx bodies never carry
//!   internals (see `Error::public_detail`).
//! - Responses are `Cache-Control: no-store` unless a handler says otherwise (tokens and
//!   account data must never sit in a cache).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

use super::router::Context;
use crate::error::{Error, ErrorKind};

/// The body type of every response.
pub type Body = Full<Bytes>;

/// A 200 JSON response.
pub fn json(value: &impl Serialize) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(StatusCode::OK, Bytes::from(bytes)),
        Err(error) => error_response(&Error::internal(format!(
            "cannot serialise a response: {error}"
        ))),
    }
}

/// A JSON response from bytes already serialised.
pub fn json_bytes(status: StatusCode, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A response as the bytes of an HTTP/1.1 message that closes the connection, for the answers
/// written outside hyper (a refused request head, a refused connection).
pub async fn wire_bytes(response: Response<Body>) -> Vec<u8> {
    use http_body_util::BodyExt;
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or_default()
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        bytes.extend_from_slice(name.as_str().as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(
        format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(&body);
    bytes
}

/// The response for an error: its status, its public body, and the headers its kind needs.
pub fn error_response(error: &Error) -> Response<Body> {
    let kind = error.kind();
    let body = serde_json::json!({ "error": kind.code(), "detail": error.public_detail() });
    let status =
        StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_bytes(status, Bytes::from(body.to_string()));
    let headers = response.headers_mut();
    match kind {
        // RFC 6750 §3: a 401 on a bearer-protected resource names the scheme.
        ErrorKind::Unauthorized | ErrorKind::InvalidCredentials => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        ErrorKind::InvalidToken => {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        ErrorKind::Unavailable | ErrorKind::TooManyRequests => {
            let seconds = error.retry_after().unwrap_or(1);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        _ => {}
    }
    response
}

/// Writes the audit line of an authentication attempt (target `audit`): what, how it ended,
/// who it was for (an email, address or session; never a secret), the client and the request
/// id. Timestamps are UTC, as on every log line.
pub fn audit(event: &str, outcome: &str, subject: &str, context: &Context) {
    // What a client claims can be long (a public key's hex): the first 120 characters name it.
    let subject: String = subject.chars().take(120).collect();
    tracing::info!(
        target: "audit",
        event,
        outcome,
        subject,
        client = %context.client,
        request_id = context.request_id,
        "authentication"
    );
}
