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
//! The transport also ends what hyper would not: once a head passes that ends the connection
//! (`Connection: close`, or HTTP/1.0 without `keep-alive`, judged as hyper judges it), nothing
//! after it is parsed or answered (RFC 9112 §9.6); and a write that stays pending with no
//! progress for the write deadline (`request_timeout`) fails, so a client that never reads its
//! answers cannot pin its connection (hyper has no write timeout of its own).
//!
//! # Invariants
//! - hyper is only ever given complete, checked heads, so its parse errors cannot happen.
//! - The bytes held per connection are bounded: one head ([`MAX_HEAD_BYTES`]) and one read.
//! - End of stream for a refused head is reported only when no request is in progress and
//!   hyper has flushed what it wrote, so an earlier pipelined response is never cut short.
//! - A refused head is answered only if hyper was told the stream ended: a connection hyper
//!   closed by itself (after a closing response) answers nothing more.
//! - No write, flush or shutdown stays pending longer than the write deadline without progress.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::{Method, Uri};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

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
/// The most bytes read and dropped after the last request of a connection.
const MAX_DISCARDED_BYTES: usize = 64 * 1024;
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
    /// The last request hyper will serve on this connection has passed (it asked to close):
    /// nothing more is read, and hyper is told the stream ended.
    Closed,
}

/// The outcome of looking at the bytes of a head.
#[derive(Debug)]
enum Inspection {
    /// Not complete yet.
    Partial,
    /// A head of `length` bytes, then a body of this framing; `last` if hyper will close the
    /// connection after answering it.
    Complete {
        length: usize,
        body: Body,
        last: bool,
    },
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
    /// hyper was told the stream ended because of the rejection: it is owed an answer.
    rejection_delivered: bool,
    /// The request whose head passed last ends the connection: after its body, `Closed`.
    last: bool,
    /// Bytes read and dropped after the last request (`Closed`).
    discarded: usize,
    /// How long a write may stay pending with no progress.
    write_timeout: Duration,
    /// Armed when a write, flush or shutdown returns pending; disarmed by any progress.
    write_deadline: Option<Pin<Box<Sleep>>>,
    state: Arc<ConnState>,
}

impl<S> Transport<S> {
    /// Wraps a client stream of the connection whose shared state is `state`; a write that
    /// makes no progress for `write_timeout` fails.
    pub fn new(inner: S, state: Arc<ConnState>, write_timeout: Duration) -> Transport<S> {
        Transport {
            inner,
            buffer: Vec::new(),
            released: 0,
            framing: Framing::Head,
            scanned: 0,
            eof: false,
            unflushed: false,
            rejection: None,
            rejection_delivered: false,
            last: false,
            discarded: 0,
            write_timeout,
            write_deadline: None,
            state,
        }
    }

    /// The answer owed to the client for a refused head, if there is one: only when hyper
    /// ended because it was told the stream ended, not when it closed by itself.
    pub fn take_rejection(&mut self) -> Option<Error> {
        let rejection = self.rejection.take();
        rejection.filter(|_| self.rejection_delivered)
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
                    Inspection::Complete { length, body, last } => {
                        self.scanned = 0;
                        self.released = length;
                        self.last = last;
                        self.framing = match body {
                            Body::Length(0) => self.after_body(),
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
                        if matches!(self.framing, Framing::Head | Framing::Closed) {
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
                    self.after_body()
                } else {
                    Framing::Length(remaining - taken)
                };
                true
            }
            Framing::Opaque => {
                self.released = self.buffer.len();
                self.released > 0
            }
            Framing::Rejected | Framing::Closed => false,
        }
    }

    /// In `Closed`: reads and drops what the client sends, to see it hang up. Ready at its end
    /// of stream; pending otherwise (a waker is registered while the read is pending; past
    /// `MAX_DISCARDED_BYTES` nothing more is read).
    fn discard(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>
    where
        S: AsyncRead + Unpin,
    {
        if self.eof {
            return Poll::Ready(Ok(()));
        }
        while self.discarded < MAX_DISCARDED_BYTES {
            let mut chunk = [0u8; READ_CHUNK];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                self.eof = true;
                return Poll::Ready(Ok(()));
            }
            self.discarded += read.filled().len();
        }
        Poll::Pending
    }

    /// Where the stream is after a request's body: at the next head, or closed after the last.
    fn after_body(&mut self) -> Framing {
        if self.last {
            // Nothing after the last request is hyper's: drop what was read ahead of it.
            self.buffer.truncate(self.released);
            Framing::Closed
        } else {
            Framing::Head
        }
    }

    /// Notes a write's outcome for the deadline: progress disarms it; pending arms it (once)
    /// and fails once it passed.
    fn deadline<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match result {
            Poll::Ready(result) => {
                self.write_deadline = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let timeout = self.write_timeout;
                let deadline = self
                    .write_deadline
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        self.write_deadline = None;
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client took nothing written to it within the write deadline",
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
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
            if this.framing == Framing::Closed {
                // Nothing more is served, but a client hanging up must still reach hyper, which
                // drops the request's handler then: what the client sends is read and dropped
                // (up to `MAX_DISCARDED_BYTES`) to see the end of its stream.
                match this.discard(cx) {
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Ready(Ok(())) => return Poll::Ready(Ok(())),
                    Poll::Pending => {}
                }
            }
            if matches!(this.framing, Framing::Rejected | Framing::Closed) {
                // An earlier request's response may still be on its way: hyper would take the
                // end of stream for a client that hung up and drop it. It polls again after
                // its next flush (see `poll_flush`).
                if this.state.has_request_in_flight() || this.unflushed {
                    return Poll::Pending;
                }
                if this.framing == Framing::Rejected {
                    this.rejection_delivered = true;
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
        this.deadline(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.note_write(&result);
        this.deadline(cx, result)
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
                if matches!(this.framing, Framing::Rejected | Framing::Closed) {
                    // `poll_read` may be waiting for this flush to report the end of stream.
                    cx.waker().wake_by_ref();
                }
            }
        }
        this.deadline(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.deadline(cx, result)
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
        Ok((body, keep_alive)) => Inspection::Complete {
            length,
            body,
            last: !keep_alive,
        },
        Err(error) => Inspection::Refused(error),
    }
}

/// Header fields whose values hyper reads as text (`HeaderValue::to_str`) or whose meaning it
/// acts on; a value hyper cannot read as text would be misread, so it is refused here.
const TEXT_HEADERS: [&str; 4] = [
    "transfer-encoding",
    "content-length",
    "connection",
    "expect",
];

/// hyper's rule for a header value it can read as text (`http`'s `is_visible_ascii`): visible
/// ASCII, space and tab.
fn is_text(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&byte| (32..127).contains(&byte) || byte == b'\t')
}

/// Whether a comma-separated header value lists `token` (hyper's `connection_has`).
fn lists(value: &[u8], token: &str) -> bool {
    std::str::from_utf8(value).is_ok_and(|value| {
        value
            .split(',')
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    })
}

/// hyper's checks after `httparse`: the method and target must parse, and the body's framing
/// must be unambiguous (RFC 9112 §6.3). Stricter than hyper in two places: Transfer-Encoding
/// together with Content-Length is refused (RFC 9112 §6.1 allows it), the shape of request
/// smuggling; and a framing or connection header hyper cannot read as text is refused instead
/// of being misread. Also decides, as hyper does (`proto/h1/role.rs`), whether the connection
/// stays open after this request: HTTP/1.1 unless a `Connection` line lists `close`, HTTP/1.0
/// only if one lists `keep-alive` (RFC 9112 §9.3), and never again once `close` was seen.
fn check(request: &httparse::Request<'_, '_>) -> Result<(Body, bool), Error> {
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
    let mut keep_alive = version == 1;
    let mut saw_close = false;
    for header in request.headers.iter() {
        if TEXT_HEADERS
            .iter()
            .any(|name| header.name.eq_ignore_ascii_case(name))
            && !is_text(header.value)
        {
            return Err(Error::invalid_input(format!(
                "the {} header holds bytes that are not visible ASCII",
                header.name.to_ascii_lowercase()
            )));
        }
        if header.name.eq_ignore_ascii_case("connection") {
            if saw_close || lists(header.value, "close") {
                saw_close = true;
                keep_alive = false;
            } else if !keep_alive {
                keep_alive = lists(header.value, "keep-alive");
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
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
        (true, true, None) => Ok((Body::Chunked, keep_alive)),
        (false, _, length) => Ok((Body::Length(length.unwrap_or(0)), keep_alive)),
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

    fn last(bytes: &[u8]) -> bool {
        match inspect(bytes) {
            Inspection::Complete { last, .. } => last,
            other => panic!("{other:?} for {}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn framing_and_connection_headers_must_be_text_as_hyper_reads_them() {
        for head in [
            &b"POST / HTTP/1.1\r\nTransfer-Encoding: \xc3\xa9, chunked\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nContent-Length: 1\xff\r\n\r\n",
            b"GET / HTTP/1.1\r\nConnection: close\x80\r\n\r\n",
            b"POST / HTTP/1.1\r\nExpect: 100-continue\xc3\xa9\r\n\r\n",
        ] {
            assert_eq!(
                code(head),
                Some("invalid_request"),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        // Other headers may carry such bytes (hyper keeps them as opaque values).
        assert_eq!(
            body(b"GET / HTTP/1.1\r\nX-Name: \xc3\xa9\r\nConnection: keep-alive,\tx\r\n\r\n"),
            Body::Length(0)
        );
    }

    #[test]
    fn the_last_request_of_a_connection_is_known_as_hyper_knows_it() {
        assert!(!last(b"GET / HTTP/1.1\r\n\r\n"));
        assert!(last(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"));
        assert!(last(b"GET / HTTP/1.1\r\nConnection: x, close\r\n\r\n"));
        // Once a line says close, a later keep-alive does not undo it.
        assert!(last(
            b"GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n"
        ));
        assert!(last(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(!last(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    }

    fn conn_state() -> (Arc<super::super::connections::Connections>, Arc<ConnState>) {
        use super::super::connections::{Admission, Connections};
        let connections = Arc::new(Connections::new(1, 1, Vec::new()));
        let Admission::Admitted(admitted) = connections.admit("192.0.2.1".parse().unwrap()) else {
            panic!("not admitted");
        };
        let state = Arc::clone(&admitted.state);
        // The place is freed at once; the state lives on for the transport.
        drop(admitted);
        (connections, state)
    }

    #[tokio::test]
    async fn a_write_the_client_never_takes_fails_at_the_deadline() {
        use tokio::io::AsyncWriteExt;
        let (_connections, state) = conn_state();
        // The peer end is kept open and never read: after 64 bytes every write is pending.
        let (near, _far) = tokio::io::duplex(64);
        let mut transport = Transport::new(near, state, Duration::from_millis(200));
        let written =
            tokio::time::timeout(Duration::from_secs(5), transport.write_all(&[b'x'; 4096]))
                .await
                .expect("the write deadline ended the write");
        let error = written.expect_err("a write nobody reads cannot succeed");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn nothing_after_the_last_request_is_read_but_a_hang_up_is_seen() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (_connections, state) = conn_state();
        let (near, mut far) = tokio::io::duplex(1024);
        let mut transport = Transport::new(near, state, Duration::from_secs(5));
        let head = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
        far.write_all(head).await.unwrap();
        far.write_all(b"GARBAGE\r\n\r\n").await.unwrap();
        drop(far);
        // The request is in flight (no handler finished it), yet the hang-up is reported.
        let mut seen = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), transport.read_to_end(&mut seen))
            .await
            .expect("the end of stream reached hyper")
            .unwrap();
        assert_eq!(seen, head);
        assert!(
            transport.take_rejection().is_none(),
            "nothing judged after it"
        );
    }

    #[tokio::test]
    async fn a_slow_but_steady_reader_is_not_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (_connections, state) = conn_state();
        let (near, mut far) = tokio::io::duplex(64);
        let mut transport = Transport::new(near, state, Duration::from_secs(1));
        let reader = tokio::spawn(async move {
            let mut taken = Vec::new();
            let mut chunk = [0u8; 64];
            while taken.len() < 4096 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let n = far.read(&mut chunk).await.unwrap();
                taken.extend_from_slice(&chunk[..n]);
            }
            taken
        });
        // 64 waits of 20 ms: longer in all than the deadline, each far shorter.
        transport.write_all(&[b'y'; 4096]).await.unwrap();
        assert_eq!(reader.await.unwrap(), vec![b'y'; 4096]);
    }

    #[test]
    fn connection_close_goes_before_the_final_empty_line() {
        assert_eq!(close_insertion_point(b"GET / HTTP/1.1\r\n\r\n"), 16);
        assert_eq!(close_insertion_point(b"GET / HTTP/1.1\n\n"), 15);
    }
}
