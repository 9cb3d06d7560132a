//! Content coding (RFC 9110 §8.4): whether a client takes gzip, and gzip bodies made once and
//! kept next to the identity body they encode.
//!
//! Only the large, often-polled public documents are compressed (`GET /revoked-jtis`, which
//! resource servers poll every few seconds and which holds every live revocation, and
//! `GET /jwks`): responses carrying tokens are never compressed, which keeps compression
//! side channels (BREACH) away from secrets.
//!
//! # Invariants
//! - [`cached_gzip`] holds one entry: the body for the current key (JWKS ETag). The denylist's
//!   [`RecentGzip`] holds at most [`RECENT_GZIP_ENTRIES`] bodies (the whole list and a few
//!   `since` slices, each no larger than the whole list), matched by content, so a slice equal
//!   to the whole list (a `since` at or before the oldest entry) is served the whole list's gzip.
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

/// How many denylist bodies [`RecentGzip`] keeps with their gzip.
pub const RECENT_GZIP_ENTRIES: usize = 4;

/// The gzip of the last few denylist bodies, most recent first, matched by content: the body
/// the core hands out for the whole list is the same `Arc` for as long as the list stands (a
/// pointer comparison), and a `since` slice is compared byte for byte, far cheaper than
/// compressing it again. Resource servers polling with the same `since` between changes, or
/// with one before the oldest entry, cost one compression per change, not one per poll.
#[derive(Default)]
pub struct RecentGzip {
    entries: Mutex<std::collections::VecDeque<(Arc<[u8]>, Bytes)>>,
}

impl RecentGzip {
    /// The gzip of `body`, from the cache if a body with the same content is there, else made
    /// now and kept (evicting the least recently used past [`RECENT_GZIP_ENTRIES`]). Blocking
    /// for a large body: call it on the blocking pool.
    ///
    /// # Errors
    /// As [`gzip`].
    pub fn get(&self, body: &Arc<[u8]>) -> Result<Bytes> {
        // Held while compressing: concurrent pollers of one new body wait for one compression
        // instead of each doing it.
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let found = entries
            .iter()
            .position(|(cached, _)| Arc::ptr_eq(cached, body))
            .or_else(|| entries.iter().position(|(cached, _)| **cached == **body));
        if let Some(at) = found
            && let Some(entry) = entries.remove(at)
        {
            let gzipped = entry.1.clone();
            entries.push_front(entry);
            return Ok(gzipped);
        }
        let gzipped = gzip(body)?;
        entries.push_front((Arc::clone(body), gzipped.clone()));
        entries.truncate(RECENT_GZIP_ENTRIES);
        Ok(gzipped)
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

    #[test]
    fn recent_bodies_are_compressed_once_and_matched_by_content() {
        let recent = RecentGzip::default();
        let full: Arc<[u8]> = Arc::from(b"{\"items\":[1]}".repeat(200));
        let first = recent.get(&full).unwrap();
        // A `since` slice equal to the whole list, in another allocation: the same gzip.
        let slice: Arc<[u8]> = Arc::from(full.to_vec());
        let again = recent.get(&slice).unwrap();
        assert_eq!(first.as_ptr(), again.as_ptr(), "not compressed again");
        // More distinct bodies than the bound: the oldest is gone, the size stays bounded.
        for n in 0..RECENT_GZIP_ENTRIES {
            let other: Arc<[u8]> = Arc::from(format!("{n}").repeat(2000).into_bytes());
            let gzipped = recent.get(&other).unwrap();
            assert_eq!(recent.get(&other).unwrap().as_ptr(), gzipped.as_ptr());
        }
        assert_eq!(recent.entries.lock().unwrap().len(), RECENT_GZIP_ENTRIES);
        assert_ne!(recent.get(&full).unwrap().as_ptr(), first.as_ptr());
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&first[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, &full[..]);
    }
}
