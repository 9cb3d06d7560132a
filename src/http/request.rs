//! Reading requests: the body (size-limited, JSON), the bearer token, the query string.
//!
//! Parsing failures become `InvalidInput` (400), `PayloadTooLarge` (413) or
//! `UnsupportedMediaType` (415); nothing here decides anything about identity or rights.
//!
//! # Invariants
//! - A JSON body is read only under a JSON `Content-Type` ([`require_json`]): a cross-site HTML
//!   form can post `text/plain` or form-encoded text that happens to parse as JSON, without a
//!   CORS preflight, so the type is what tells an API call from a forged one. The check sits
//!   where a handler reads a JSON body, not in the router, so form-encoded endpoints (OAuth,
//!   RFC 6749) can live beside the JSON ones.

use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use super::router::Context;
use crate::error::{Error, ErrorKind, Result};

/// The largest request body accepted (API.md §1).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a client may take to send its body when the router has not said (tests).
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the whole body, refusing more than [`MAX_BODY_BYTES`].
pub async fn body_bytes(request: Request<Incoming>) -> Result<bytes::Bytes> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let timeout = request
        .extensions()
        .get::<Context>()
        .map_or(DEFAULT_BODY_TIMEOUT, |context| context.body_timeout);
    let collect = Limited::new(request.into_body(), MAX_BODY_BYTES).collect();
    match tokio::time::timeout(timeout, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(Error::invalid_input("the request body could not be read")),
        Err(_) => Err(Error::invalid_input(
            "the request body did not arrive in time",
        )),
    }
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::PayloadTooLarge,
        format!(
            "the request body is larger than {} KiB",
            MAX_BODY_BYTES / 1024
        ),
    )
}

/// The router's [`Context`] of a request (a default one outside the router, in tests).
pub fn context<B>(request: &Request<B>) -> Context {
    request
        .extensions()
        .get::<Context>()
        .cloned()
        .unwrap_or_else(|| Context {
            client: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            request_id: String::new(),
            body_timeout: DEFAULT_BODY_TIMEOUT,
        })
}

/// Reads a JSON body into `T`.
pub async fn json_body<T: DeserializeOwned>(request: Request<Incoming>) -> Result<T> {
    require_json(&request)?;
    let body = body_bytes(request).await?;
    parse_json(&body)
}

/// Refuses a request whose `Content-Type` is not JSON: `application/json` or a structured
/// `application/<name>+json` (RFC 6839 §3.1), parameters such as `charset` allowed, case
/// ignored (RFC 9110 §8.3.1). Anything else, or no type at all, is 415.
///
/// # Errors
/// `UnsupportedMediaType`.
pub fn require_json<B>(request: &Request<B>) -> Result<()> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if content_type.is_some_and(is_json_media_type) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedMediaType,
            "the request body must be JSON, sent with Content-Type: application/json",
        ))
    }
}

/// Whether a `Content-Type` value names JSON.
fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    if !kind.eq_ignore_ascii_case("application") {
        return false;
    }
    let subtype = subtype.to_ascii_lowercase();
    if subtype == "json" {
        return true;
    }
    subtype.strip_suffix("+json").is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"!#$&-^_.".contains(&byte))
    })
}

/// Parses JSON into `T`, with serde's description of what is wrong as the detail.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|error| Error::invalid_input(format!("invalid JSON body: {error}")))
}

/// Reads a body that is either `{"<field>": "…"}` or the bare JSON string `"…"` (pico-auth
/// clients send the latter to `/refresh` and `/users/{id}/role`).
pub async fn string_or_field(request: Request<Incoming>, field: &str) -> Result<String> {
    require_json(&request)?;
    string_or_field_of(&body_bytes(request).await?, field)
}

/// The value of a `{"<field>": "…"}` or bare-string body.
pub fn string_or_field_of(body: &[u8], field: &str) -> Result<String> {
    let expected =
        || Error::invalid_input(format!("expected {{\"{field}\": \"…\"}} or a JSON string"));
    match parse_json::<serde_json::Value>(body)? {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Object(mut object) => match object.remove(field) {
            Some(serde_json::Value::String(text)) => Ok(text),
            _ => Err(expected()),
        },
        _ => Err(expected()),
    }
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
pub fn bearer_token<B>(request: &Request<B>) -> Result<String> {
    let missing = || Error::new(ErrorKind::Unauthorized, "missing bearer token");
    let value = request
        .headers()
        .get(AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| Error::invalid_token("the Authorization header is not valid text"))?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(missing());
    }
    Ok(token.trim().to_owned())
}

/// The value of query parameter `name`, percent-decoded, if present.
///
/// # Errors
/// `InvalidInput` if the parameter is not valid percent-encoded UTF-8.
pub fn query_param<B>(request: &Request<B>, name: &str) -> Result<Option<String>> {
    let Some(query) = request.uri().query() else {
        return Ok(None);
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == name {
            return percent_decode(value).map(Some).ok_or_else(|| {
                Error::invalid_input(format!("the query parameter {name} is malformed"))
            });
        }
    }
    Ok(None)
}

/// Decodes `%XX` escapes and `+` (as a space) of a query or form value.
pub fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match first {
            b'%' => {
                let hex = tail
                    .get(..2)
                    .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))?;
                bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                rest = &tail[2..];
            }
            b'+' => {
                bytes.push(b' ');
                rest = tail;
            }
            _ => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(uri: &str, name: &str) -> Result<Option<String>> {
        let request = Request::builder().uri(uri).body(()).unwrap();
        query_param(&request, name)
    }

    #[test]
    fn json_media_types() {
        for accepted in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "application/merge-patch+json",
            "application/vnd.api+json ; q=1",
        ] {
            assert!(is_json_media_type(accepted), "{accepted}");
        }
        for refused in [
            "",
            "text/plain",
            "text/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/+json",
            "application/jsonp",
            "application/json-seq",
            "application",
        ] {
            assert!(!is_json_media_type(refused), "{refused}");
        }
    }

    #[test]
    fn query_parameters() {
        assert_eq!(
            param("/x?since=5&limit=2", "limit").unwrap().as_deref(),
            Some("2")
        );
        assert_eq!(param("/x?active", "active").unwrap().as_deref(), Some(""));
        assert_eq!(param("/x?a=%41+b", "a").unwrap().as_deref(), Some("A b"));
        assert_eq!(param("/x", "a").unwrap(), None);
        assert!(param("/x?a=%4", "a").is_err());
        assert!(param("/x?a=%ff", "a").is_err());
    }
}
