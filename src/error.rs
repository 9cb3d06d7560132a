//! The crate's one error type: [`Error`] carries an [`ErrorKind`] and an operator-facing detail.
//!
//! Each kind maps once, here, to an HTTP status, a CLI exit code and a stable `code()` string.
//! This module does not know hyper or clap: it hands out plain numbers that the two doors use.
//!
//! # Invariants
//! - The detail is for operators (CLI stderr, server logs); HTTP bodies get [`Error::public_detail`],
//!   which never leaks internals for the 5xx kinds.
//! - Unknown user and wrong password are one error ([`Error::invalid_credentials`]).

use std::fmt;

/// What went wrong, as far as a caller needs to know to react.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed body, bad flag or setting value, unknown role.
    InvalidInput,
    /// No credentials were presented where they are required.
    Unauthorized,
    /// Wrong email or password (the two are deliberately indistinguishable).
    InvalidCredentials,
    /// A bad, expired, forged or revoked token; an unknown or reused refresh token.
    InvalidToken,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// No such user, route or record.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The record exists already, or the change would break an invariant (last superadmin).
    Conflict,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// A request body is not JSON by its `Content-Type` (RFC 9110 §15.5.16).
    UnsupportedMediaType,
    /// The request line and headers are larger than the server accepts (RFC 6585 §5).
    HeadersTooLarge,
    /// Too many requests or failures from this client or for this account; retry later.
    TooManyRequests,
    /// The database is locked past the busy timeout, or the server is shutting down.
    Unavailable,
    /// SQLite failed.
    Storage,
    /// A key file is missing, unreadable or malformed.
    Keys,
    /// A bug or an unexpected failure of the operating system.
    Internal,
}

impl ErrorKind {
    /// The HTTP status this kind is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput => 400,
            ErrorKind::Unauthorized | ErrorKind::InvalidCredentials | ErrorKind::InvalidToken => {
                401
            }
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::HeadersTooLarge => 431,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Storage | ErrorKind::Keys | ErrorKind::Internal => 500,
        }
    }

    /// The process exit code of a CLI command that failed with this kind (API.md §6).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::InvalidInput
            | ErrorKind::UnsupportedMediaType
            | ErrorKind::HeadersTooLarge => 2,
            _ => 1,
        }
    }

    /// The stable machine-readable code sent as `error` in HTTP bodies (API.md §1).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::InvalidToken => "invalid_token",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::HeadersTooLarge => "headers_too_large",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Storage | ErrorKind::Keys | ErrorKind::Internal => "internal",
        }
    }

    /// Whether the detail may be shown to an HTTP client. Server-side failures are not.
    fn detail_is_public(self) -> bool {
        !matches!(
            self,
            ErrorKind::Storage | ErrorKind::Keys | ErrorKind::Internal
        )
    }
}

/// An RFC 6749 §5.2 error code, attached to an [`Error`] by the OAuth 2.0 endpoints (API.md §10).
///
/// The token endpoint answers `{"error": code, "error_description", "detail"}` with this code
/// instead of the kind's own; everything else about the error (status, exit code) follows the kind
/// that [`Error::oauth`] gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthError {
    /// A missing, repeated or malformed parameter, or one the grant does not support
    /// (RFC 8693 §2.2.2 also uses it for a bad subject token).
    InvalidRequest,
    /// Client authentication failed: unknown client, wrong secret, or no authentication.
    InvalidClient,
    /// A bad, expired, revoked or reused grant (here: a refresh token).
    InvalidGrant,
    /// A scope the client (or the subject of a token exchange) does not hold.
    InvalidScope,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// A grant type this server does not implement.
    UnsupportedGrantType,
}

impl OAuthError {
    /// The RFC 6749 §5.2 string sent as `error`.
    pub fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
        }
    }

    /// The kind an error with this code has: `invalid_client` is a 401 (RFC 6749 §5.2), every
    /// other code a 400.
    pub fn kind(self) -> ErrorKind {
        match self {
            OAuthError::InvalidClient => ErrorKind::Unauthorized,
            _ => ErrorKind::InvalidInput,
        }
    }
}

/// The crate's error: a kind, a sentence for a person, and optionally the underlying cause.
pub struct Error {
    kind: ErrorKind,
    detail: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// Seconds the caller should wait before trying again (HTTP `Retry-After`).
    retry_after: Option<u64>,
    /// The RFC 6749 §5.2 code the OAuth 2.0 endpoints answer with; `None` elsewhere.
    oauth: Option<OAuthError>,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with a detail for a person.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            detail: detail.into(),
            source: None,
            retry_after: None,
            oauth: None,
        }
    }

    /// An OAuth 2.0 error (RFC 6749 §5.2): `code` is sent as `error`, `detail` as
    /// `error_description` and `detail`; the kind (status, exit code) is [`OAuthError::kind`].
    pub fn oauth(code: OAuthError, detail: impl Into<String>) -> Error {
        let mut error = Error::new(code.kind(), detail);
        error.oauth = Some(code);
        error
    }

    /// The RFC 6749 §5.2 code attached by [`Error::oauth`], if any.
    pub fn oauth_code(&self) -> Option<OAuthError> {
        self.oauth
    }

    /// Attaches the underlying cause, shown to operators after the detail.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// A 400 for a value the caller sent.
    pub fn invalid_input(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, detail)
    }

    /// The one answer for a wrong email and a wrong password alike.
    pub fn invalid_credentials() -> Error {
        Error::new(ErrorKind::InvalidCredentials, "invalid email or password")
    }

    /// A token that does not check out; `why` is kept general on purpose.
    pub fn invalid_token(why: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidToken, why)
    }

    /// A 429: wait `retry_after` seconds.
    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Error {
        let mut error = Error::new(ErrorKind::TooManyRequests, detail);
        error.retry_after = Some(retry_after.max(1));
        error
    }

    /// How long the caller should wait before trying again, if the error says.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// A 403 with a reason.
    pub fn forbidden(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::Forbidden, detail)
    }

    /// A 404 with a reason.
    pub fn not_found(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, detail)
    }

    /// A bug or OS failure; the detail is for logs only.
    pub fn internal(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, detail)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operator-facing sentence, without the cause.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The sentence an HTTP client may see: the detail, or a fixed text for server-side failures.
    pub fn public_detail(&self) -> &str {
        if self.kind.detail_is_public() {
            &self.detail
        } else if self.kind == ErrorKind::Keys {
            "the signing key is not usable"
        } else {
            "internal server error"
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {self}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        use rusqlite::ErrorCode;
        let busy = matches!(
            error.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        if busy {
            Error::new(ErrorKind::Unavailable, "the database is busy").with_source(error)
        } else {
            Error::new(ErrorKind::Storage, "database error").with_source(error)
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::new(ErrorKind::Internal, "I/O error").with_source(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: ErrorKind, status: u16, exit: u8, code: &str) {
        assert_eq!(kind.http_status(), status, "{kind:?}");
        assert_eq!(kind.exit_code(), exit, "{kind:?}");
        assert_eq!(kind.code(), code, "{kind:?}");
    }

    #[test]
    fn kinds_map_to_the_contract() {
        check(ErrorKind::InvalidInput, 400, 2, "invalid_request");
        check(ErrorKind::Unauthorized, 401, 1, "unauthorized");
        check(ErrorKind::InvalidCredentials, 401, 1, "invalid_credentials");
        check(ErrorKind::InvalidToken, 401, 1, "invalid_token");
        check(ErrorKind::Forbidden, 403, 1, "forbidden");
        check(ErrorKind::NotFound, 404, 1, "not_found");
        check(ErrorKind::Conflict, 409, 1, "conflict");
        check(ErrorKind::PayloadTooLarge, 413, 1, "payload_too_large");
        check(
            ErrorKind::UnsupportedMediaType,
            415,
            2,
            "unsupported_media_type",
        );
        check(ErrorKind::HeadersTooLarge, 431, 2, "headers_too_large");
        check(ErrorKind::TooManyRequests, 429, 1, "too_many_requests");
        check(ErrorKind::Unavailable, 503, 1, "unavailable");
        check(ErrorKind::Storage, 500, 1, "internal");
        check(ErrorKind::Internal, 500, 1, "internal");
    }

    #[test]
    fn oauth_codes_map_to_rfc_6749() {
        let check = |code: OAuthError, text: &str, status: u16| {
            let error = Error::oauth(code, "why");
            assert_eq!(error.oauth_code(), Some(code));
            assert_eq!(code.code(), text);
            assert_eq!(error.kind().http_status(), status, "{code:?}");
            assert_eq!(error.detail(), "why");
        };
        check(OAuthError::InvalidRequest, "invalid_request", 400);
        check(OAuthError::InvalidClient, "invalid_client", 401);
        check(OAuthError::InvalidGrant, "invalid_grant", 400);
        check(OAuthError::InvalidScope, "invalid_scope", 400);
        check(OAuthError::UnauthorizedClient, "unauthorized_client", 400);
        check(
            OAuthError::UnsupportedGrantType,
            "unsupported_grant_type",
            400,
        );
        assert_eq!(Error::invalid_input("x").oauth_code(), None);
    }

    #[test]
    fn server_side_details_stay_private() {
        let error = Error::new(ErrorKind::Storage, "disk I/O error at /var/lib/picoauth.db");
        assert_eq!(error.public_detail(), "internal server error");
        let error = Error::invalid_input("email is required");
        assert_eq!(error.public_detail(), "email is required");
    }
}
