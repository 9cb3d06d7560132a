//! Content coding (RFC 9110 §8.4): whether a client takes gzip, and gzip bodies made once and
//! kept next to the identity body they encode.
//!
//! Only the large, often-polled public documents are compressed (`GET /revoked-jtis`, which
//! resource servers poll every few seconds and which holds every live revocation, and
//! `GET /jwks`): responses carrying tokens are never compressed, which keeps compression
//! side channels (BREACH) away from secrets.
//!
//! # Invariants
//! - A cache holds one entry: the body for the current key (denylist version, JWKS ETag).
//! - Responses that may be compressed say `Vary: Accept-Encoding`, compressed or not, so a
//!   shared cache never hands gzip to a client that did not ask for it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use hyper::HeaderMap;
use hyper::header::{ACCEPT_ENCODING, CONTENT_ENCODING, HeaderValue, VARY};

use crate::error::{Error, Result};

/// Bodies shorter than this are sent as they are: gzip's header and the CPU outweigh the gain.
pub const MIN_GZIP_BYTES: usize = 1024;

/// The one cached gzip body and the key it was made for.
pub type GzipCache<K> = Arc<Mutex<Option<(K, Bytes)>>>;

/// Whether the client's `Accept-Encoding` admits gzip (RFC 9110 §12.5.3): listed (or `*`)
/// with a non-zero weight, and not refused by name.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|parameter| {
                    let (name, value) = parameter.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| value.trim().parse::<f32>().ok())
                        .flatten()
                })
                .next()
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => named = Some(weight > 0.0),
                "*" => any = Some(weight > 0.0),
                _ => {}
            }
        }
    }
    named.or(any).unwrap_or(false)
}

/// `bytes` compressed with gzip (RFC 1952).
///
/// # Errors
/// `Internal` if the encoder fails (it writes to memory, so it does not).
pub fn gzip(bytes: &[u8]) -> Result<Bytes> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(Bytes::from)
        .map_err(|error| Error::internal(format!("cannot gzip a response: {error}")))
}

/// The gzip of `body` from `cache` if it was made for `key`, else made now and kept. Blocking
/// for a large body: call it on the blocking pool.
///
/// # Errors
/// As [`gzip`].
pub fn cached_gzip<K: PartialEq>(
    cache: &Mutex<Option<(K, Bytes)>>,
    key: K,
    body: &[u8],
) -> Result<Bytes> {
    // Held while compressing: concurrent pollers of one new version wait for one compression
    // instead of each doing it.
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached_key, gzipped)) = cache.as_ref()
        && *cached_key == key
    {
        return Ok(gzipped.clone());
    }
    let gzipped = gzip(body)?;
    *cache = Some((key, gzipped.clone()));
    Ok(gzipped)
}

/// A body compared by identity, not content: the core hands out the same `Arc` for as long as
/// the content stands, so identity is the version. Held in the cache, the `Arc` stays alive
/// and its address cannot be reused by a newer body.
pub struct Same(pub Arc<[u8]>);

impl PartialEq for Same {
    fn eq(&self, other: &Same) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Marks a response as gzip-encoded.
pub fn mark_gzip(headers: &mut HeaderMap) {
    headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
}

/// Says that the response depends on `Accept-Encoding`.
pub fn vary(headers: &mut HeaderMap) {
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn check(accept_encoding: &[&str], expected: bool) {
        let mut headers = HeaderMap::new();
        for value in accept_encoding {
            headers.append(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        }
        assert_eq!(accepts_gzip(&headers), expected, "{accept_encoding:?}");
    }

    #[test]
    fn gzip_is_taken_when_the_client_admits_it() {
        check(&[], false);
        check(&["gzip"], true);
        check(&["GZIP"], true);
        check(&["br, gzip;q=0.5"], true);
        check(&["deflate", "gzip"], true);
        check(&["gzip;q=0"], false);
        check(&["gzip; q=0.000"], false);
        check(&["*"], true);
        check(&["*;q=0"], false);
        check(&["*, gzip;q=0"], false);
        check(&["identity"], false);
        check(&["br"], false);
    }

    #[test]
    fn the_cache_compresses_once_per_key() {
        let cache = Mutex::new(None);
        let body = b"{\"items\":[]}".repeat(200);
        let first = cached_gzip(&cache, 1, &body).unwrap();
        let again = cached_gzip(&cache, 1, b"ignored: the key is the same").unwrap();
        assert_eq!(first, again);
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&first[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        assert!(first.len() < body.len() / 2);
        let other = cached_gzip(&cache, 2, b"other").unwrap();
        assert_ne!(first, other);
    }
}
