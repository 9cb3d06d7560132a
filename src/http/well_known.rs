//! Public, unauthenticated documents: JWKS, OpenID Connect discovery, liveness and readiness.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::json;

use super::State;
use super::encoding::{self, MIN_GZIP_BYTES};
use super::respond::{Body, json, json_bytes};
use super::router::API_PREFIX;
use super::shared_keys::SharedKeys;
use crate::error::{Error, ErrorKind, Result};

/// How long resource servers may cache the JWKS. Short, because a rotation adds a key; clients
/// such as pico-client-auth also refetch on an unknown kid.
const JWKS_MAX_AGE: &str = "public, max-age=300";

/// `GET /api/v1/auth/jwks`: the active key and every key still in its grace period, gzip
/// when the client takes it (made once per key set, keyed by the ETag).
pub async fn get_jwks<B>(state: Arc<State>, request: Request<B>) -> Result<Response<Body>> {
    // One read of the keys' version (on the blocking pool: it is SQLite) tells whether another
    // process rotated or retired a key; only then are the key files read again. The requests
    // that arrive together share one such read, which starts after each of them arrived.
    let keys = SharedKeys::get(&state).await?;
    let identity_etag = keys.key_ring.jwks_etag();
    let body = keys.key_ring.jwks_json();
    let gzipped = if encoding::accepts_gzip(request.headers()) && body.len() >= MIN_GZIP_BYTES {
        // A few kilobytes, once per key set: cheap enough for the async worker.
        Some(encoding::cached_gzip(
            &state.jwks_gzip,
            identity_etag.to_owned(),
            body,
        )?)
    } else {
        None
    };
    // A strong validator names one representation (RFC 9110 §8.8.3), so the gzip body has its
    // own; a client holding either gets 304 for both.
    let gzip_etag = format!("{}-gzip\"", identity_etag.trim_end_matches('"'));
    let etag = if gzipped.is_some() {
        gzip_etag.as_str()
    } else {
        identity_etag
    };
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',').any(|tag| {
                let tag = tag.trim().trim_start_matches("W/");
                tag == identity_etag || tag == gzip_etag || tag == "*"
            })
        });
    let mut response = if fresh {
        let mut response = json_bytes(StatusCode::NOT_MODIFIED, Bytes::new());
        response.headers_mut().remove(header::CONTENT_TYPE);
        response
    } else if let Some(gzipped) = gzipped {
        let mut response = json_bytes(StatusCode::OK, gzipped);
        encoding::mark_gzip(response.headers_mut());
        response
    } else {
        json_bytes(StatusCode::OK, Bytes::copy_from_slice(body))
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(JWKS_MAX_AGE),
    );
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    encoding::vary(headers);
    Ok(response)
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3). The signing
/// algorithms are those of the keys in the JWKS right now (API.md §8), so it is computed
/// per request from the current key ring.
///
/// # Errors
/// Whatever loading the keys fails with.
pub async fn get_openid_configuration(state: Arc<State>) -> Result<Response<Body>> {
    let document = discovery(&state).await?;
    cached(json(&document))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414 §3): the same metadata as the
/// OpenID document; its `issuer` is the `issuer` setting, as §3.3 requires.
///
/// # Errors
/// Whatever loading the keys fails with.
pub async fn get_oauth_authorization_server(state: Arc<State>) -> Result<Response<Body>> {
    let document = discovery(&state).await?;
    cached(json(&document))
}

/// The claims discovery lists: those of every kind of token picoauth issues.
const CLAIMS_SUPPORTED: &[&str] = &[
    "iss",
    "aud",
    "iat",
    "exp",
    "jti",
    "sub",
    "role",
    "email",
    "org_id",
    "groups",
    "algorithm",
    "wallet_address",
    "session_id",
    "agent_id",
    "scope",
    "scopes",
    "client_id",
    "user_id",
    "task_type",
    "task_id",
    "conversation_id",
    "spend_limit",
    "parent_chain",
    "parent_jtis",
    "act",
];

/// The discovery metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2), one document for
/// both addresses.
async fn discovery(state: &Arc<State>) -> Result<serde_json::Value> {
    let keys = SharedKeys::get(state).await?;
    let algorithms: Vec<&str> = keys
        .key_ring
        .algorithms()
        .into_iter()
        .map(|algorithm| algorithm.name())
        .collect();
    let issuer = &state.app.config().issuer;
    let base = format!("{}{API_PREFIX}", issuer.trim_end_matches('/'));
    let scopes = client_scopes(state).await?;
    Ok(json!({
        "issuer": issuer,
        "jwks_uri": format!("{base}/jwks"),
        // API.md §10: the OAuth 2.0 token endpoint (RFC 6749 §3.2); `/login` stays for
        // passwords, which take JSON.
        "token_endpoint": format!("{base}/token"),
        "introspection_endpoint": format!("{base}/introspect"),
        "registration_endpoint": format!("{base}/register"),
        "revocation_endpoint": format!("{base}/revoke"),
        "revoked_jtis_endpoint": format!("{base}/revoked-jtis"),
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        "grant_types_supported": super::token::GRANT_TYPES,
        "token_endpoint_auth_methods_supported": super::token::AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": super::token::AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": super::token::AUTH_METHODS,
        "scopes_supported": *scopes,
        // Every claim a token of picoauth may carry: user, wallet, fleet, client and (API.md
        // §10) agent tokens, whose members pico-client-auth's `AgentClaims` reads.
        "claims_supported": CLAIMS_SUPPORTED,
    }))
}

/// How long one read of the clients answers discovery's `scopes_supported`, in seconds.
const CLIENT_SCOPES_FRESH_FOR: f64 = 5.0;

/// Every client's scopes, sorted, for `scopes_supported`: read at most once per
/// [`CLIENT_SCOPES_FRESH_FOR`], by one request while the others wait for its read (the
/// document is anonymous, and reading every client per request let anyone make the server
/// read the whole table as fast as they could ask: seconds each with 10^5 clients).
async fn client_scopes(state: &Arc<State>) -> Result<Arc<Vec<String>>> {
    let mut cached = state.client_scopes.lock().await;
    if let Some((read_at, scopes)) = cached.as_ref()
        && state.clock() - read_at < CLIENT_SCOPES_FRESH_FOR
    {
        return Ok(Arc::clone(scopes));
    }
    let scopes = Arc::new(
        state
            .run(|app, _| {
                let mut scopes: Vec<String> = app
                    .list_clients()?
                    .into_iter()
                    .flat_map(|client| client.scopes)
                    .collect();
                scopes.sort();
                scopes.dedup();
                Ok(scopes)
            })
            .await?,
    );
    *cached = Some((state.clock(), Arc::clone(&scopes)));
    Ok(scopes)
}

/// A discovery response, cacheable like the JWKS.
fn cached(mut response: Response<Body>) -> Result<Response<Body>> {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(JWKS_MAX_AGE),
    );
    Ok(response)
}

/// `GET /healthz`: the process is serving.
pub fn get_healthz() -> Response<Body> {
    json(&json!({ "status": "ok" }))
}

/// `GET /readyz`: the database and the signing key are usable, and shutdown has not begun.
pub async fn get_readyz(state: Arc<State>) -> Result<Response<Body>> {
    if state.draining.load(Ordering::SeqCst) {
        return Err(Error::new(ErrorKind::Unavailable, "shutting down"));
    }
    if let Some(problem) = state.tls.as_ref().and_then(|tls| tls.problem()) {
        // The old certificate is still served, but the files on disk are broken: the next
        // restart would fail. The reason names the setting; paths and details are in the log.
        tracing::warn!(reason = problem, "not ready");
        return Err(Error::new(ErrorKind::Unavailable, problem));
    }
    let deadline = std::time::Instant::now() + super::READY_DEADLINE;
    match state
        .run_within(deadline, |app, now| app.check_ready(now))
        .await
    {
        Ok(()) => Ok(json(&json!({ "status": "ready" }))),
        Err(error) => {
            // Readiness exists to say what is wrong, so the reason is shown, but only its
            // category: paths and OS errors go to the log.
            tracing::warn!(error = %error, "not ready");
            let reason = match error.kind() {
                ErrorKind::Keys => "the signing key is not readable",
                ErrorKind::Unavailable => "the database is busy or out of reach",
                _ => "the database is not usable",
            };
            Err(Error::new(ErrorKind::Unavailable, reason))
        }
    }
}
