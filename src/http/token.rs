//! The OAuth 2.0 endpoints (API.md §10): `POST /token` (RFC 6749: `client_credentials`,
//! `refresh_token`; RFC 8693 token exchange is wired to `app::delegation`), `POST /introspect`
//! (RFC 7662) and the RFC 7009 form of `POST /revoke`.
//!
//! This module owns the OAuth wire format: form-encoded bodies, client authentication by HTTP
//! Basic or `client_secret_post` (RFC 6749 §2.3.1), and RFC 6749 §5.2 error bodies
//! `{error, error_description, detail}`. What a grant yields is the core's (`app::clients`).
//!
//! # Invariants
//! - Bodies are read only as `application/x-www-form-urlencoded` (anything else is
//!   `invalid_request`), at most 64 KiB; a parameter given twice is `invalid_request`
//!   (RFC 6749 §3.2), and so is a client authenticating by Basic and by the body at once.
//! - Every answer is `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1); an
//!   `invalid_client` is 401 with `WWW-Authenticate: Basic` (§5.2).
//! - Wrong client secrets are throttled per address like fleet secrets, never per client id
//!   (`throttle`), through an [`Attempt`](super::throttle::Attempt) guard held across the
//!   check; an unknown id and a wrong secret are one answer, counted alike.
//! - The secret is never logged; the audit line names the client id only once it
//!   authenticated.

use std::sync::Arc;

use base64::Engine;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use serde_json::json;

use super::State;
use super::request::{body_bytes, context, percent_decode};
use super::respond::{Body, audit, json, json_bytes};
use super::router::Context;
use super::throttle::{Counter, Failures};
use crate::app::delegation::{ACCESS_TOKEN_TYPE, Actor, ExchangeRequest};
use crate::error::{Error, ErrorKind, OAuthError, Result};
use crate::store::OAuthClient;

/// RFC 8693's grant type.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The grant types `POST /token` answers (for discovery).
pub const GRANT_TYPES: [&str; 3] = ["client_credentials", "refresh_token", TOKEN_EXCHANGE];
/// The client authentication methods (RFC 8414 `token_endpoint_auth_methods_supported`).
pub const AUTH_METHODS: [&str; 2] = ["client_secret_basic", "client_secret_post"];
/// The realm of the Basic challenge.
const BASIC_CHALLENGE: &str = "Basic realm=\"picoauth\", charset=\"UTF-8\"";

/// The most parameters a form may have (RFC 6749 §3.1 has unknown ones ignored, but no grant
/// needs more than a dozen).
const MAX_FORM_PARAMETERS: usize = 64;

/// A form-encoded body: its parameters in order, each at most once.
#[derive(Debug, Default)]
struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Parses `name=value&…` (application/x-www-form-urlencoded), in time linear in the body
    /// (it runs on an async worker, before the client is authenticated): repeats are found
    /// through a set, and at most [`MAX_FORM_PARAMETERS`] parameters are taken (the grants
    /// have a dozen), so 64 KiB of distinct names cannot cost seconds of comparisons.
    fn parse(body: &[u8]) -> Result<Form> {
        let text =
            std::str::from_utf8(body).map_err(|_| invalid_request("the form body is not UTF-8"))?;
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            if pairs.len() == MAX_FORM_PARAMETERS {
                return Err(invalid_request(format!(
                    "the form has more than {MAX_FORM_PARAMETERS} parameters"
                )));
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                percent_decode(text).ok_or_else(|| invalid_request("the form body is malformed"))
            };
            let (name, value) = (decode(name)?, decode(value)?);
            if !names.insert(name.clone()) {
                return Err(invalid_request(format!(
                    "the parameter {} is given more than once",
                    name.chars().take(64).collect::<String>()
                )));
            }
            pairs.push((name, value));
        }
        Ok(Form { pairs })
    }

    /// The value of `name`; an empty value counts as absent (RFC 6749 §3.1).
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, value)| known == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// The value of a required parameter.
    fn require(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| invalid_request(format!("the parameter {name} is required")))
    }
}

/// Client credentials as a request presented them.
struct Presented {
    client_id: String,
    secret: String,
}

fn invalid_request(detail: impl Into<String>) -> Error {
    Error::oauth(OAuthError::InvalidRequest, detail)
}

fn invalid_client(detail: impl Into<String>) -> Error {
    Error::oauth(OAuthError::InvalidClient, detail)
}

/// Whether a request's body is form-encoded (`POST /revoke` takes RFC 7009's form beside its
/// JSON).
pub fn is_form<B>(request: &Request<B>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Reads a form-encoded body and the client credentials presented with it.
async fn read_form(request: Request<Incoming>) -> Result<(Form, Option<Presented>)> {
    if !is_form(&request) {
        return Err(invalid_request(
            "the body must be sent as application/x-www-form-urlencoded",
        ));
    }
    let basic = basic_credentials(request.headers())?;
    let form = Form::parse(&body_bytes(request).await?)?;
    let posted = match (form.get("client_id"), form.get("client_secret")) {
        (Some(client_id), Some(secret)) => Some(Presented {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
        }),
        (None, Some(_)) => return Err(invalid_request("client_secret needs a client_id")),
        _ => None,
    };
    let presented = match (basic, posted) {
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                "the client authenticated by HTTP Basic and by the body at once; use one",
            ));
        }
        (Some(basic), None) => {
            if form
                .get("client_id")
                .is_some_and(|client_id| client_id != basic.client_id)
            {
                return Err(invalid_request(
                    "client_id differs from the client of the Authorization header",
                ));
            }
            Some(basic)
        }
        (None, posted) => posted,
    };
    Ok((form, presented))
}

/// The credentials of an `Authorization: Basic` header (RFC 6749 §2.3.1: id and secret each
/// form-urlencoded, then joined by `:` and base64-encoded), if there is one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<Presented>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || invalid_client("the Authorization header is not valid HTTP Basic");
    let value = value.to_str().map_err(|_| malformed())?.trim();
    let (scheme, encoded) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client(
            "the token endpoint takes client credentials by HTTP Basic or in the body",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (client_id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let client_id = percent_decode(client_id).ok_or_else(malformed)?;
    let secret = percent_decode(secret).ok_or_else(malformed)?;
    if client_id.is_empty() {
        return Err(malformed());
    }
    Ok(Some(Presented { client_id, secret }))
}

/// Checks presented client credentials, throttling wrong ones per address like fleet
/// secrets. The attempt is a guard: a dropped request ends it.
async fn authenticated_client(
    state: &Arc<State>,
    context: &Context,
    presented: Presented,
) -> Result<OAuthClient> {
    authenticated(state, context, presented, |app, client_id, secret, now| {
        app.authenticate_client(client_id, secret, now)
    })
    .await
}

/// Runs `work` (which authenticates the presented client first, and may go on in the same
/// blocking task) under the throttle of client secrets: an `invalid_client` from it counts as
/// a wrong secret, anything else ends the attempt.
async fn authenticated<T: Send + 'static>(
    state: &Arc<State>,
    context: &Context,
    presented: Presented,
    work: impl FnOnce(&crate::app::App, &str, &str, i64) -> Result<T> + Send + 'static,
) -> Result<T> {
    // Per address only. A counter per client id (from all addresses together) would cap no
    // guessing a 256-bit secret needs capping, and would let anyone who knows an id (it is
    // every token's `sub`, `act` and `parent_chain`) lock the client itself out by failing for
    // it from a few addresses: the throttle must never refuse the right secret on a stranger's
    // say-so.
    let address = Failures::ClientSecretClient(context.client);
    let attempt = state
        .throttle
        .begin_attempt(&[Counter::Local(&address)], state.clock())
        .map_err(|wait| {
            audit("oauth-client", "throttled", "", context);
            Error::too_many_requests("too many wrong client secrets; wait", wait)
        })?;
    let id = presented.client_id.clone();
    let checked = state
        .run(move |app, now| work(app, &presented.client_id, &presented.secret, now))
        .await;
    match &checked {
        Ok(_) => {
            attempt.finish();
            audit("oauth-client", "success", &id, context);
        }
        Err(error) if error.oauth_code() == Some(OAuthError::InvalidClient) => {
            attempt.failed(state.clock());
            // The id as sent may name no client, or be a secret typed into the wrong field.
            audit("oauth-client", "wrong client id or secret", "", context);
        }
        Err(_) => attempt.finish(),
    }
    checked
}

/// The client a request must authenticate as.
async fn required_client(
    state: &Arc<State>,
    context: &Context,
    presented: Option<Presented>,
) -> Result<OAuthClient> {
    let presented = presented.ok_or_else(|| invalid_client("client authentication is required"))?;
    authenticated_client(state, context, presented).await
}

/// The `refresh_token` grant's answer (RFC 6749 §5.1, like `/refresh`).
#[derive(Serialize)]
struct RefreshResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
}

/// The token-exchange grant's answer (RFC 8693 §2.2.1).
#[derive(Serialize)]
struct ExchangeResponse {
    access_token: String,
    issued_token_type: &'static str,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
}

/// `POST /token`.
pub async fn post_token(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    Ok(oauth_answer(token(state, request).await))
}

async fn token(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let context = context(&request);
    let (form, presented) = read_form(request).await?;
    let grant_type = form.require("grant_type")?;
    match grant_type {
        "client_credentials" => {
            let presented =
                presented.ok_or_else(|| invalid_client("client authentication is required"))?;
            let scope = form.get("scope").map(str::to_owned);
            // Authenticated and minted in one blocking task, with the keys loaded once.
            let token = authenticated(&state, &context, presented, move |app, id, secret, now| {
                app.client_credentials(id, secret, scope.as_deref(), now)
            })
            .await?;
            Ok(json(&token))
        }
        "refresh_token" => {
            // RFC 6749 §6: a client that has credentials authenticates; the sessions of
            // `/login` and `/sign-in` belong to public clients, which have none, so the refresh
            // token alone is the grant (as on `/refresh`). Credentials presented are checked.
            if let Some(presented) = presented {
                authenticated_client(&state, &context, presented).await?;
            }
            let refresh_token = form.require("refresh_token")?.to_owned();
            let session = state
                .run(move |app, now| app.refresh(&refresh_token, now))
                .await
                .map_err(|error| {
                    if error.kind() == ErrorKind::InvalidToken {
                        Error::oauth(OAuthError::InvalidGrant, error.detail())
                    } else {
                        error
                    }
                })?;
            Ok(json(&RefreshResponse {
                access_token: session.access_token,
                token_type: "Bearer",
                expires_in: session.expires_in,
                refresh_token: session.refresh_token,
            }))
        }
        TOKEN_EXCHANGE => {
            let client = required_client(&state, &context, presented).await?;
            let text = |name: &str| form.get(name).map(str::to_owned);
            let request = ExchangeRequest {
                subject_token: form.require("subject_token")?.to_owned(),
                subject_token_type: text("subject_token_type"),
                scope: text("scope"),
                task_type: text("task_type"),
                task_id: text("task_id"),
                conversation_id: text("conversation_id"),
                session_id: text("session_id"),
                spend_limit: text("spend_limit"),
            };
            let issued = state
                .run(move |app, now| {
                    let actor = Actor {
                        client_id: &client.client_id,
                        role: client.role,
                        scopes: &client.scopes,
                        ttl: client.ttl,
                    };
                    app.exchange_token(actor, request, now)
                })
                .await?;
            Ok(json(&ExchangeResponse {
                access_token: issued.access_token,
                issued_token_type: ACCESS_TOKEN_TYPE,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                scope: issued.scope,
            }))
        }
        other => Err(Error::oauth(
            OAuthError::UnsupportedGrantType,
            format!(
                "unsupported grant_type {}; supported: {}",
                other.chars().take(64).collect::<String>(),
                GRANT_TYPES.join(", ")
            ),
        )),
    }
}

/// `POST /introspect` (RFC 7662): `{"active": true, …claims}` or `{"active": false}`.
pub async fn post_introspect(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    Ok(oauth_answer(introspect(state, request).await))
}

async fn introspect(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let context = context(&request);
    let (form, presented) = read_form(request).await?;
    required_client(&state, &context, presented).await?;
    let token = form.require("token")?.to_owned();
    let claims = state
        .run(move |app, now| app.introspect(&token, now))
        .await?;
    let Some(claims) = claims else {
        return Ok(json(&json!({ "active": false })));
    };
    let mut body = match serde_json::to_value(&claims) {
        Ok(serde_json::Value::Object(body)) => body,
        _ => return Err(Error::internal("cannot serialise the claims")),
    };
    body.insert("active".to_owned(), json!(true));
    body.insert("token_type".to_owned(), json!("Bearer"));
    Ok(json(&body))
}

/// `POST /revoke` with RFC 7009's form (`token=…[&token_type_hint=…]`): 200 `{}` whether or not
/// the token was known (§2.2). The hint is not needed: a token's shape says what it is.
pub async fn post_revoke_form(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    Ok(oauth_answer(revoke_form(state, request).await))
}

async fn revoke_form(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let context = context(&request);
    let (form, presented) = read_form(request).await?;
    let client = match presented {
        Some(presented) => Some(authenticated_client(&state, &context, presented).await?),
        None => None,
    };
    let token = form.require("token")?.to_owned();
    state
        .run(move |app, now| app.revoke_presented(client.as_ref(), &token, now))
        .await?;
    Ok(json(&json!({})))
}

/// The answer of an OAuth endpoint: the response, or the error as RFC 6749 §5.2 has it.
fn oauth_answer(result: Result<Response<Body>>) -> Response<Body> {
    let mut response = match result {
        Ok(response) => response,
        Err(error) => {
            if error.kind().http_status() >= 500 {
                tracing::error!(error = %error, "OAuth request failed");
            }
            oauth_error_response(&error)
        }
    };
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An error as RFC 6749 §5.2 has it: `{error, error_description}` (plus API.md §1's `detail`),
/// 400 or 401; the other kinds (429, 413, 503, 500) keep their status and code.
fn oauth_error_response(error: &Error) -> Response<Body> {
    let code = error
        .oauth_code()
        .map_or_else(|| error.kind().code(), |code| code.code());
    let detail = error.public_detail();
    let body = json!({ "error": code, "error_description": detail, "detail": detail });
    let status = StatusCode::from_u16(error.kind().http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_bytes(status, bytes::Bytes::from(body.to_string()));
    let headers = response.headers_mut();
    if error.oauth_code() == Some(OAuthError::InvalidClient) {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(BASIC_CHALLENGE),
        );
    }
    if matches!(
        error.kind(),
        ErrorKind::TooManyRequests | ErrorKind::Unavailable
    ) {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(error.retry_after().unwrap_or(1)),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(value: &str) -> Result<Option<Presented>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        basic_credentials(&headers)
    }

    #[test]
    fn forms_refuse_repeats_and_decode() {
        let form = Form::parse(b"grant_type=client_credentials&scope=a+b%3Ac&empty=").unwrap();
        assert_eq!(form.get("scope"), Some("a b:c"));
        assert_eq!(form.get("empty"), None);
        assert!(form.require("missing").is_err());
        let repeated = Form::parse(b"scope=a&scope=b").unwrap_err();
        assert_eq!(repeated.oauth_code(), Some(OAuthError::InvalidRequest));
        assert!(Form::parse(b"a=%zz").is_err());
        let many: Vec<String> = (0..MAX_FORM_PARAMETERS + 1)
            .map(|n| format!("p{n}="))
            .collect();
        assert!(Form::parse(many[..MAX_FORM_PARAMETERS].join("&").as_bytes()).is_ok());
        let error = Form::parse(many.join("&").as_bytes()).unwrap_err();
        assert_eq!(error.oauth_code(), Some(OAuthError::InvalidRequest));
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let presented = basic(&format!("Basic {}", encode("bill%3Aing:s%2Bcret")))
            .unwrap()
            .unwrap();
        assert_eq!(presented.client_id, "bill:ing");
        assert_eq!(presented.secret, "s+cret");
        for bad in [
            "Basic !!!".to_owned(),
            format!("Basic {}", encode("no-colon")),
            format!("Basic {}", encode(":secret")),
            "Bearer abc".to_owned(),
        ] {
            let error = basic(&bad).err().unwrap();
            assert_eq!(error.oauth_code(), Some(OAuthError::InvalidClient), "{bad}");
        }
        assert!(basic_credentials(&HeaderMap::new()).unwrap().is_none());
    }

    #[test]
    fn oauth_errors_have_the_rfc_shape() {
        let response = oauth_error_response(&invalid_client("no"));
        assert_eq!(response.status(), 401);
        assert!(
            response.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        let response = oauth_error_response(&Error::oauth(OAuthError::InvalidScope, "x"));
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
