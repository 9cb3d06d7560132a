//! The byte stream under hyper: it reads each request head itself, before hyper sees it, so
//! that a malformed or oversized head is answered with API.md §1's JSON instead of hyper's
//! canned response, and it tells the connection table when a connection is idle or busy.
//!
//! Why not hyper's own checks: when hyper 1 fails to parse a head it writes a bare status line
//! with an empty body (`proto/h1/conn.rs`, `on_parse_error`: 400 for a bad method, target,
//! version or header, 431 past `max_buf_size` or 100 headers, 414 for a huge target) and closes;
//! it offers no hook to change that response. So [`Transport`] holds back every head until it
//! has parsed it with the same parser (`httparse`, default settings, 100 headers) and the same
//! follow-up checks hyper makes (method, target, Content-Length, Transfer-Encoding), but with
//! the limit [`MAX_HEAD_BYTES`] set below hyper's buffer: a head that hyper would refuse never
//! reaches hyper. A refused head is kept as an [`Error`]; the transport then reports end of
//! stream, hyper closes the connection without writing anything, and the connection's task
//! writes the JSON answer ([`Transport::take_rejection`]).
//!
//! To find where the next head starts, the transport follows each body: `Content-Length` bytes
//! are counted; a chunked body is passed through as it comes, and its request is given
//! `Connection: close` so that hyper ends the connection after it and no head follows that the
//! transport would have to find in a chunked stream (chunked requests are rare here; bodies are
//! small JSON).
//!
//! # Invariants
//! - hyper is only ever given complete, checked heads, so its parse errors cannot happen.
//! - The bytes held per connection are bounded: one head ([`MAX_HEAD_BYTES`]) and one read.
//! - End of stream for a refused head is reported only when no request is in progress and
//!   hyper has flushed what it wrote, so an earlier pipelined response is never cut short.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use hyper::{Method, Uri};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::connections::ConnState;
use crate::error::{Error, ErrorKind};

/// The most bytes a request line and its headers may take; more is answered 431. Below
/// hyper's read buffer ([`HYPER_BUFFER_BYTES`]), so hyper's own limit is never the one hit.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// hyper's read buffer: room for a whole head and more.
pub const HYPER_BUFFER_BYTES: usize = 4 * MAX_HEAD_BYTES;
/// The most header fields a request may have: hyper's default, which it answers with 431.
const MAX_HEADERS: usize = 100;
/// How much is read from the client at once.
const READ_CHUNK: usize = 8 * 1024;
/// hyper refuses a Content-Length at or above this (`DecodedLength::MAX_LEN`).
const MAX_CONTENT_LENGTH: u64 = u64::MAX - 2;

/// Where the transport is in the stream of requests.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    /// Between requests: the next bytes are a head, held back until it is complete and checked.
    Head,
    /// Inside a body of this many more bytes.
    Length(u64),
    /// Inside a chunked body, after which hyper closes: everything passes through.
    Opaque,
    /// A head was refused: hyper is told the stream ended.
    Rejected,
}

/// The outcome of looking at the bytes of a head.
#[derive(Debug)]
enum Inspection {
    /// Not complete yet.
    Partial,
    /// A head of `length` bytes, then a body of this framing.
    Complete { length: usize, body: Body },
    /// The answer to give instead of serving the request.
    Refused(Error),
}

/// How a request's body is delimited (RFC 9112 §6.3).
#[derive(Debug, PartialEq, Eq)]
enum Body {
    Length(u64),
    Chunked,
}

/// A client stream as hyper reads it; see the module documentation.
pub struct Transport<S> {
    inner: S,
    /// Bytes read from the client that hyper has not taken; the first `released` are hyper's.
    buffer: Vec<u8>,
    released: usize,
    framing: Framing,
    /// How many bytes of a pending head have been searched for a line end: a trickled head is
    /// parsed once per line, not once per byte.
    scanned: usize,
    /// The client closed its side.
    eof: bool,
    /// hyper has written bytes it has not flushed yet.
    unflushed: bool,
    rejection: Option<Error>,
    state: Arc<ConnState>,
}

impl<S> Transport<S> {
    /// Wraps a client stream of the connection whose shared state is `state`.
    pub fn new(inner: S, state: Arc<ConnState>) -> Transport<S> {
        Transport {
            inner,
            buffer: Vec::new(),
            released: 0,
            framing: Framing::Head,
            scanned: 0,
            eof: false,
            unflushed: false,
            rejection: None,
            state,
        }
    }

    /// The answer owed to the client for a refused head, if there is one.
    pub fn take_rejection(&mut self) -> Option<Error> {
        self.rejection.take()
    }

    /// The client stream, for the last answer and the close.
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    fn reject(&mut self, error: Error) {
        self.framing = Framing::Rejected;
        self.rejection = Some(error);
        self.buffer.clear();
        self.released = 0;
    }

    /// Moves the framing forward over the bytes not yet given to hyper (`released` is 0 here);
    /// returns whether anything changed.
    fn advance(&mut self) -> bool {
        debug_assert_eq!(self.released, 0);
        match self.framing {
            Framing::Head => {
                if self.buffer.is_empty() {
                    return false;
                }
                let new_line = self.buffer[self.scanned.min(self.buffer.len())..].contains(&b'\n');
                self.scanned = self.buffer.len();
                if !new_line && self.buffer.len() <= MAX_HEAD_BYTES {
                    return false;
                }
                match inspect(&self.buffer) {
                    Inspection::Partial if self.buffer.len() > MAX_HEAD_BYTES => {
                        self.reject(too_large());
                        true
                    }
                    Inspection::Partial => false,
                    Inspection::Refused(error) => {
                        self.reject(error);
                        true
                    }
                    Inspection::Complete { length, body } => {
                        self.scanned = 0;
                        self.released = length;
                        self.framing = match body {
                            Body::Length(0) => Framing::Head,
                            Body::Length(length) => Framing::Length(length),
                            Body::Chunked => {
                                let at = close_insertion_point(&self.buffer[..length]);
                                self.buffer
                                    .splice(at..at, b"connection: close\r\n".iter().copied());
                                self.released += b"connection: close\r\n".len();
                                Framing::Opaque
                            }
                        };
                        self.state.request_started();
                        if self.framing == Framing::Head {
                            self.state.between_requests();
                        }
                        true
                    }
                }
            }
            Framing::Length(remaining) => {
                if self.buffer.is_empty() {
                    return false;
                }
                let taken = remaining.min(self.buffer.len() as u64);
                // `taken` is at most the buffer's length, so it fits a usize.
                self.released = usize::try_from(taken).unwrap_or(self.buffer.len());
                self.framing = if taken == remaining {
                    self.state.between_requests();
                    Framing::Head
                } else {
                    Framing::Length(remaining - taken)
                };
                true
            }
            Framing::Opaque => {
                self.released = self.buffer.len();
                self.released > 0
            }
            Framing::Rejected => false,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Transport<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.released > 0 {
                let n = this.released.min(buf.remaining());
                buf.put_slice(&this.buffer[..n]);
                this.buffer.drain(..n);
                this.released -= n;
                return Poll::Ready(Ok(()));
            }
            if this.framing == Framing::Rejected {
                // An earlier request's response may still be on its way: hyper would take the
                // end of stream for a client that hung up and drop it. It polls again after
                // its next flush (see `poll_flush`).
                if this.state.has_request_in_flight() || this.unflushed {
                    return Poll::Pending;
                }
                return Poll::Ready(Ok(()));
            }
            if this.advance() {
                continue;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; READ_CHUNK];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.eof = true;
            } else {
                this.buffer.extend_from_slice(read.filled());
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Transport<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.note_write(&result);
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.note_write(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        match &result {
            Poll::Pending => this.state.set_write_blocked(true),
            Poll::Ready(_) => {
                this.unflushed = false;
                this.state.set_write_blocked(false);
                if this.framing == Framing::Rejected {
                    // `poll_read` may be waiting for this flush to report the end of stream.
                    cx.waker().wake_by_ref();
                }
            }
        }
        result
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S> Transport<S> {
    fn note_write(&mut self, result: &Poll<io::Result<usize>>) {
        match result {
            Poll::Pending => self.state.set_write_blocked(true),
            Poll::Ready(Ok(n)) => {
                if *n > 0 {
                    self.unflushed = true;
                }
                self.state.set_write_blocked(false);
            }
            Poll::Ready(Err(_)) => {}
        }
    }
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::HeadersTooLarge,
        format!(
            "the request line and headers are larger than {} KiB",
            MAX_HEAD_BYTES / 1024
        ),
    )
}

/// Parses a head the way hyper will (`proto/h1/role.rs`, `Server::parse`) and decides whether
/// hyper may have it.
fn inspect(bytes: &[u8]) -> Inspection {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(bytes) {
        Ok(httparse::Status::Partial) => return Inspection::Partial,
        Ok(httparse::Status::Complete(length)) => length,
        Err(httparse::Error::TooManyHeaders) => {
            return Inspection::Refused(Error::new(
                ErrorKind::HeadersTooLarge,
                format!("a request may have at most {MAX_HEADERS} header fields"),
            ));
        }
        Err(error) => {
            return Inspection::Refused(Error::invalid_input(format!(
                "the request line or a header is malformed ({error})"
            )));
        }
    };
    if length > MAX_HEAD_BYTES {
        return Inspection::Refused(too_large());
    }
    match check(&request) {
        Ok(body) => Inspection::Complete { length, body },
        Err(error) => Inspection::Refused(error),
    }
}

/// hyper's checks after `httparse`: the method and target must parse, and the body's framing
/// must be unambiguous (RFC 9112 §6.3). Stricter than hyper in one place: Transfer-Encoding
/// together with Content-Length is refused (RFC 9112 §6.1 allows it), the shape of request
/// smuggling.
fn check(request: &httparse::Request<'_, '_>) -> Result<Body, Error> {
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(Error::invalid_input("the request line is incomplete"));
    };
    Method::from_bytes(method.as_bytes())
        .map_err(|_| Error::invalid_input("the request method is malformed"))?;
    target
        .parse::<Uri>()
        .map_err(|_| Error::invalid_input("the request target is malformed"))?;
    let mut content_length: Option<u64> = None;
    let mut transfer_encoding = false;
    let mut chunked = false;
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if version == 0 {
                return Err(Error::invalid_input(
                    "HTTP/1.0 requests cannot use Transfer-Encoding",
                ));
            }
            transfer_encoding = true;
            // As hyper: the last Transfer-Encoding line decides, and chunked must come last.
            chunked = std::str::from_utf8(header.value).is_ok_and(|value| {
                value
                    .rsplit(',')
                    .next()
                    .is_some_and(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
            });
        } else if header.name.eq_ignore_ascii_case("content-length") {
            let length = digits(header.value)
                .ok_or_else(|| Error::invalid_input("the Content-Length is malformed"))?;
            if content_length.is_some_and(|previous| previous != length) {
                return Err(Error::invalid_input(
                    "the request has differing Content-Length headers",
                ));
            }
            if length >= MAX_CONTENT_LENGTH {
                return Err(Error::new(
                    ErrorKind::PayloadTooLarge,
                    "the request body is too large",
                ));
            }
            content_length = Some(length);
        }
    }
    match (transfer_encoding, chunked, content_length) {
        (true, false, _) => Err(Error::invalid_input(
            "a request's Transfer-Encoding must end with chunked",
        )),
        (true, true, Some(_)) => Err(Error::invalid_input(
            "a request cannot have both Transfer-Encoding and Content-Length",
        )),
        (true, true, None) => Ok(Body::Chunked),
        (false, _, length) => Ok(Body::Length(length.unwrap_or(0))),
    }
}

/// A Content-Length value: ASCII digits only, no sign or space (as hyper's `from_digits`).
fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |total, byte| {
        if byte.is_ascii_digit() {
            total.checked_mul(10)?.checked_add(u64::from(byte - b'0'))
        } else {
            None
        }
    })
}

/// Where a header line can be added to a complete head: before its final empty line, which
/// is `\r\n` or a bare `\n` (both accepted, RFC 9112 §2.2).
fn close_insertion_point(head: &[u8]) -> usize {
    if head.ends_with(b"\r\n") {
        head.len() - 2
    } else {
        head.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(bytes: &[u8]) -> Option<&'static str> {
        match inspect(bytes) {
            Inspection::Refused(error) => Some(error.kind().code()),
            _ => None,
        }
    }

    fn body(bytes: &[u8]) -> Body {
        match inspect(bytes) {
            Inspection::Complete { body, .. } => body,
            other => panic!("{other:?} for {}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn heads_hyper_would_refuse_are_refused_here() {
        assert_eq!(code(b"GARBAGE\r\n\r\n"), Some("invalid_request"));
        assert_eq!(code(b"GET / HTTP/9.9\r\n\r\n"), Some("invalid_request"));
        assert_eq!(code(b"G(T / HTTP/1.1\r\n\r\n"), Some("invalid_request"));
        assert_eq!(
            code(b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
            Some("invalid_request")
        );
        assert_eq!(
            code(b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551614\r\n\r\n"),
            Some("payload_too_large")
        );
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for n in 0..=MAX_HEADERS {
            many.extend_from_slice(format!("x-{n}: y\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(code(&many), Some("headers_too_large"));
    }

    #[test]
    fn well_formed_heads_pass_with_their_framing() {
        assert_eq!(
            body(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
            Body::Length(0)
        );
        assert_eq!(body(b"\r\nGET / HTTP/1.0\n\n"), Body::Length(0));
        assert_eq!(
            body(b"POST / HTTP/1.1\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n"),
            Body::Length(12)
        );
        assert_eq!(
            body(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"),
            Body::Chunked
        );
        assert!(matches!(
            inspect(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            Inspection::Partial
        ));
    }

    #[test]
    fn connection_close_goes_before_the_final_empty_line() {
        assert_eq!(close_insertion_point(b"GET / HTTP/1.1\r\n\r\n"), 16);
        assert_eq!(close_insertion_point(b"GET / HTTP/1.1\n\n"), 15);
    }
}
