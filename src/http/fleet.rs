//! Handlers for fleet tokens, revocation and the mint audit.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::request::{bearer_token, context, json_body, query_param};
use super::respond::{Body, audit, json, json_bytes};
use super::throttle::{Counter, Failures};
use super::{State, encoding};
use crate::app::{Actor, FleetTokenRequest};
use crate::config::parse_duration;
use crate::error::{Error, ErrorKind, Result};

/// The header carrying the fleet secret.
const FLEET_SECRET_HEADER: &str = "x-fleet-secret";
/// `GET /mints` without `limit`.
const DEFAULT_MINTS_LIMIT: u32 = 200;

#[derive(Deserialize)]
pub(super) struct FleetSessionRequest {
    session_id: String,
    agent_id: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    pub(super) ttl: Option<Ttl>,
    #[serde(default)]
    scope: Option<String>,
}

/// A lifetime as seconds (pico-server-auth clients send a number) or a human duration.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Ttl {
    Seconds(u64),
    Text(String),
}

#[derive(Deserialize)]
pub(super) struct RevokeRequest {
    jti: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /fleet/sessions`: `X-Fleet-Secret` → `{session_token, exp, jti}`.
pub async fn post_fleet_sessions(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    // The secret is checked before the body is read: a wrong secret learns nothing else.
    let context = context(&request);
    let client = Failures::FleetSecretClient(context.client);
    let attempt = state
        .throttle
        .begin_attempt(&[Counter::Local(&client)], state.clock())
        .map_err(|wait| {
            audit("fleet-secret", "throttled", "", &context);
            Error::too_many_requests("too many wrong fleet secrets; wait", wait)
        })?;
    let presented = request
        .headers()
        .get(FLEET_SECRET_HEADER)
        .map(|value| value.to_str().unwrap_or_default().to_owned());
    // The attempt is resolved before the first await, so no dropped future can hold it.
    if let Err(error) = state.app.check_fleet_secret(presented.as_deref()) {
        if error.kind() == ErrorKind::Unauthorized {
            attempt.failed(state.clock());
            audit("fleet-secret", "wrong secret", "", &context);
        } else {
            attempt.finish();
        }
        return Err(error);
    }
    attempt.finish();
    let body: FleetSessionRequest = json_body(request).await?;
    let ttl = requested_ttl(body.ttl)?;
    let token_request = FleetTokenRequest {
        session_id: body.session_id,
        agent_id: body.agent_id,
        role: body.role,
        ttl,
        scope: body.scope,
    };
    let session_id = token_request.session_id.clone();
    let token = state
        .run(move |app, now| app.mint_fleet_token(Actor::FleetSecret, &token_request, now))
        .await?;
    audit("fleet-session", "success", &session_id, &context);
    Ok(json(&token))
}

/// A requested fleet-token lifetime in seconds.
pub(super) fn requested_ttl(ttl: Option<Ttl>) -> Result<Option<u64>> {
    match ttl {
        None => Ok(None),
        Some(Ttl::Seconds(seconds)) => Ok(Some(seconds)),
        Some(Ttl::Text(text)) => parse_duration(&text)
            .map(Some)
            .map_err(|why| Error::invalid_input(format!("ttl: {why}"))),
    }
}

/// `POST /revoke`: `{jti, reason?}` → `{revoked: {...}}`.
pub async fn post_revoke(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let body: RevokeRequest = json_body(request).await?;
    let revoked = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.revoke(
                Actor::Token(&claims),
                &body.jti,
                body.reason.as_deref(),
                now,
            )
        })
        .await?;
    Ok(json(&json!({ "revoked": revoked })))
}

/// `GET /revoked-jtis?since=`: `{items: [...]}`, newest first.
pub async fn get_revoked_jtis(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let since = query_param(&request, "since")?
        .map(|since| {
            since
                .parse::<f64>()
                .ok()
                .filter(|since| since.is_finite())
                .ok_or_else(|| Error::invalid_input("since must be seconds since the epoch"))
        })
        .transpose()?
        // pico-server-auth wrote fractional epochs; an entry revoked within the second counts.
        .map_or(0, |since| since.floor() as i64);
    let gzip = encoding::accepts_gzip(request.headers());
    let cache = Arc::clone(&state.denylist_gzip);
    let (body, gzipped) = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            let body = app.denylist_json(Actor::Token(&claims), since, now)?;
            if !gzip || body.len() < encoding::MIN_GZIP_BYTES {
                return Ok((body, None));
            }
            // The whole list (what resource servers poll) is compressed once per version, and
            // so is each of the last few `since` slices (one equal to the whole list, a `since`
            // at or before the oldest entry, shares its gzip): `encoding::RecentGzip`.
            Ok((body.clone(), Some(cache.get(&body)?)))
        })
        .await?;
    let mut response = match gzipped {
        Some(gzipped) => {
            let mut response = json_bytes(StatusCode::OK, gzipped);
            encoding::mark_gzip(response.headers_mut());
            response
        }
        None => json_bytes(StatusCode::OK, Bytes::from_owner(body)),
    };
    encoding::vary(response.headers_mut());
    Ok(response)
}

/// `GET /mints?limit=&active=`: `{items: [...]}`, newest first.
pub async fn get_mints(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let limit = match query_param(&request, "limit")? {
        None => DEFAULT_MINTS_LIMIT,
        Some(limit) => limit
            .parse::<u32>()
            .ok()
            .filter(|limit| *limit > 0)
            .ok_or_else(|| Error::invalid_input("limit must be a positive whole number"))?,
    };
    let active = match query_param(&request, "active")?.as_deref() {
        None | Some("false" | "0") => false,
        Some("true" | "1" | "") => true,
        Some(_) => return Err(Error::invalid_input("active must be true or false")),
    };
    let items = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.mints(Actor::Token(&claims), limit, active, now)
        })
        .await?;
    Ok(json(&json!({ "items": items })))
}
