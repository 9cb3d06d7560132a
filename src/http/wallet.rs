//! Handlers for wallet sign-in: challenge and sign-in.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use serde::Deserialize;
use serde_json::json;

use super::State;
use super::request::{context, json_body};
use super::respond::{Body, audit, json};
use crate::app::SignInRequest;
use crate::error::Result;

#[derive(Deserialize)]
pub(super) struct ChallengeBody {
    address: String,
}

#[derive(Deserialize)]
pub(super) struct SignInBody {
    address: String,
    public_key: String,
    signature: String,
    challenge: String,
    #[serde(default)]
    algorithm: Option<String>,
}

impl From<SignInBody> for SignInRequest {
    fn from(body: SignInBody) -> SignInRequest {
        SignInRequest {
            address: body.address,
            public_key: body.public_key,
            signature: body.signature,
            challenge: body.challenge,
            algorithm: body.algorithm,
        }
    }
}

/// `POST /challenge`: `{address}` → `{challenge, ttl}`.
pub async fn post_challenge(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    // The client as the throttle counts it (IPv6 by /64): its quota of pending challenges.
    let client = super::throttle::network(context(&request).client).to_string();
    let body: ChallengeBody = json_body(request).await?;
    let challenge = state
        .run(move |app, now| app.create_challenge(&body.address, &client, now))
        .await?;
    Ok(json(
        &json!({ "challenge": challenge.challenge, "ttl": challenge.ttl }),
    ))
}

/// `POST /sign-in`: a signed challenge → `{access_token, refresh_token, address, algorithm}`.
pub async fn post_sign_in(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let context = context(&request);
    let body: SignInBody = json_body(request).await?;
    let claimed = body.address.clone();
    let sign_in = SignInRequest::from(body);
    let result = state.run(move |app, now| app.sign_in(&sign_in, now)).await;
    let outcome = result
        .as_ref()
        .map_or_else(|error| error.kind().code(), |_| "success");
    // The claimed address is only what the client said; on success, the derived one is logged.
    let subject = result
        .as_ref()
        .map_or(claimed, |session| session.address.to_string());
    audit("sign-in", outcome, &subject, &context);
    let session = result?;
    Ok(json(&json!({
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "token_type": "Bearer",
        "expires_in": session.expires_in,
        "address": session.subject,
        "algorithm": session.algorithm.as_str(),
    })))
}
