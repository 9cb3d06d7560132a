//! Handlers for one's own account: register, login, refresh, me, password change.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::request::{bearer_token, context, json_body, string_or_field};
use super::respond::{Body, audit, json};
use super::throttle::{Counter, Failures, Recorded};
use super::{State, now_ms};
use crate::app::{MAX_EMAIL_LENGTH, Session, email_pseudonym};
use crate::error::{Error, ErrorKind, Result};
use crate::store::User;

#[derive(Deserialize)]
pub(super) struct RegisterRequest {
    email: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Deserialize)]
pub(super) struct PasswordChangeRequest {
    old_password: String,
    new_password: String,
}

/// The body of `/login` and `/refresh` (RFC 6749 §5.1 names).
#[derive(Serialize)]
struct SessionResponse {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

impl From<Session> for SessionResponse {
    fn from(session: Session) -> SessionResponse {
        SessionResponse {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
            token_type: "Bearer",
            expires_in: session.expires_in,
        }
    }
}

/// The `/me` body: the account without its password hash.
#[derive(Serialize)]
struct MeResponse {
    id: String,
    email: String,
    display_name: String,
    role: &'static str,
    org_id: String,
    status: &'static str,
    created_at: i64,
    last_login_at: Option<i64>,
}

impl From<User> for MeResponse {
    fn from(user: User) -> MeResponse {
        MeResponse {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role.as_str(),
            org_id: user.org_id,
            status: user.status.as_str(),
            created_at: user.created_at,
            last_login_at: user.last_login_at,
        }
    }
}

/// `POST /register`.
pub async fn post_register(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    let body: RegisterRequest = json_body(request).await?;
    let user = state
        .run_hashing(move |app, now| {
            app.register(
                &body.email,
                &body.password,
                body.display_name.as_deref(),
                now,
            )
        })
        .await?;
    Ok(json(&json!({
        "id": user.id,
        "email": user.email,
        "role": user.role.as_str(),
        "status": user.status.as_str(),
    })))
}

/// `POST /login`: wrong passwords make the client wait for that account, and past higher marks
/// the account from anywhere and the client on any account (see `throttle`). The two account
/// counters are kept in the database, so every replica counts every replica's failures
/// (API.md §11): read once the attempt has begun on the client's own counter, written only by
/// a failure, and by a success only if the read found one.
pub async fn post_login(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let context = context(&request);
    let body: LoginRequest = json_body(request).await?;
    if body.email.trim().len() > MAX_EMAIL_LENGTH {
        // No account can have this email (RFC 5321 §4.5.3.1.3; register enforces it), so the
        // answer is known without a hash and leaks nothing: refused before it queues for one.
        audit("login", "email too long", &unknown(&body.email), &context);
        return Err(Error::invalid_credentials());
    }
    // The account from this client, the account from anywhere, this client on any account:
    // a stranger's guesses make the stranger wait, not the owner elsewhere (see `throttle`).
    let account_from_client = Failures::account_from(&body.email, context.client);
    let account = Failures::account(&body.email);
    let client = Failures::LoginClient(context.client);
    let throttled = |wait| {
        audit("login", "throttled", &unchecked(&body.email), &context);
        Error::too_many_requests("too many failed logins; wait before trying again", wait)
    };
    // Counted as in flight before anything is awaited, so parallel guesses cannot outrun the
    // count and a hang-up from here on is an abandoned attempt; the guard ends the attempt if
    // this future is dropped (the client hung up). A client already waiting on its own counter
    // is refused here, at no database cost.
    let attempt = state
        .throttle
        .begin_attempt(&[Counter::Local(&client)], state.clock())
        .map_err(throttled)?;
    let email = body.email.clone();
    let abandoned = (unchecked(&email), context.clone());
    let mut attempt = attempt.on_abandon(move || {
        audit("login", "abandoned", &abandoned.0, &abandoned.1);
    });
    // The account's counters, read on the blocking pool like all database work, before the
    // hash queues, then raised like the client's.
    let shared_names = [account_from_client.stored_name(), account.stored_name()];
    let stored = {
        let names = shared_names.clone();
        state
            .run(move |app, _| app.get_login_failures(&names, now_ms()))
            .await
    };
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            attempt.finish();
            return Err(error);
        }
    };
    let read_at = now_ms();
    let shared = [
        Counter::Shared(&account_from_client, Recorded::at(stored[0], read_at)),
        Counter::Shared(&account, Recorded::at(stored[1], read_at)),
    ];
    if let Err(wait) = attempt.add(&shared, state.clock()) {
        attempt.finish();
        return Err(throttled(wait));
    }
    let result = state
        .run_hashing(move |app, now| Ok(app.login(&body.email, &body.password, now)))
        .await;
    // The audit names the account by its email only once the core has found one: what
    // names no account may be a password typed into the wrong field.
    let (result, subject) = match result {
        Ok(Ok(session)) => (Ok(session), email),
        Ok(Err(refused)) if refused.account_exists() => (Err(Error::from(refused)), email),
        Ok(Err(refused)) => (Err(Error::from(refused)), unknown(&email)),
        Err(error) => (Err(error), unchecked(&email)),
    };
    match &result {
        Ok(_) => {
            attempt.succeeded();
            audit("login", "success", &subject, &context);
            if stored.iter().any(Option::is_some) {
                // The session is issued; a counter left behind only makes a later wait longer.
                let cleared = state
                    .run(move |app, _| app.clear_login_failures(&shared_names, now_ms()))
                    .await;
                if let Err(error) = cleared {
                    tracing::warn!(%error, "could not clear the failed-login counters");
                }
            }
        }
        Err(error) if error.kind() == ErrorKind::InvalidCredentials => {
            // Recorded before the attempt ends, so that until every replica can see this
            // failure it still counts as in flight here.
            let recorded = state
                .run(move |app, _| app.record_login_failure(&shared_names, now_ms()))
                .await;
            attempt.failed(state.clock());
            audit("login", "wrong email or password", &subject, &context);
            // Not counted, the failure must not pass for an answer: 503, and the client retries.
            recorded?;
        }
        Err(error) => {
            // Not a wrong password (a disabled account, a busy database): not a guess.
            attempt.finish();
            audit("login", error.kind().code(), &subject, &context);
        }
    }
    Ok(json(&SessionResponse::from(result?)))
}

/// The audit subject of an email that names no account: `unknown:` and its pseudonym.
fn unknown(email: &str) -> String {
    format!("unknown:{}", email_pseudonym(email))
}

/// The audit subject of an email not looked up yet (a throttled or abandoned attempt):
/// `unchecked:` and its pseudonym, the same digits `unknown:` would carry.
fn unchecked(email: &str) -> String {
    format!("unchecked:{}", email_pseudonym(email))
}

/// `POST /refresh`: `{"refresh_token": "…"}` or the bare JSON string.
pub async fn post_refresh(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let refresh_token = string_or_field(request, "refresh_token").await?;
    let session = state
        .run(move |app, now| app.refresh(&refresh_token, now))
        .await?;
    Ok(json(&SessionResponse::from(session)))
}

/// `GET /me`.
pub async fn get_me(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let user = state
        .run(move |app, now| app.me(&app.authenticate(&token, now)?))
        .await?;
    Ok(json(&MeResponse::from(user)))
}

/// `POST /me/password`.
///
/// The old password is a guess like a login's: a wrong one counts on the account's
/// failed-login counters (and this client's), and a counter in its back-off refuses with 429
/// before any hash, so a stolen access token is no way around the login throttle.
pub async fn post_me_password(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>> {
    let context = context(&request);
    let token = bearer_token(&request)?;
    let body: PasswordChangeRequest = json_body(request).await?;
    // The account is known from the token, without a hash.
    let email = {
        let token = token.clone();
        state
            .run(move |app, now| Ok(app.me(&app.authenticate(&token, now)?)?.email))
            .await?
    };
    let account_from_client = Failures::account_from(&email, context.client);
    let account = Failures::account(&email);
    let client = Failures::LoginClient(context.client);
    let throttled = |wait| {
        audit("password change", "throttled", &email, &context);
        Error::too_many_requests("too many wrong passwords; wait before trying again", wait)
    };
    let mut attempt = state
        .throttle
        .begin_attempt(&[Counter::Local(&client)], state.clock())
        .map_err(throttled)?;
    let shared_names = [account_from_client.stored_name(), account.stored_name()];
    let stored = {
        let names = shared_names.clone();
        state
            .run(move |app, _| app.get_login_failures(&names, now_ms()))
            .await
    };
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            attempt.finish();
            return Err(error);
        }
    };
    let read_at = now_ms();
    let shared = [
        Counter::Shared(&account_from_client, Recorded::at(stored[0], read_at)),
        Counter::Shared(&account, Recorded::at(stored[1], read_at)),
    ];
    if let Err(wait) = attempt.add(&shared, state.clock()) {
        attempt.finish();
        return Err(throttled(wait));
    }
    let result = state
        .run_hashing(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.change_password(&claims, &body.old_password, &body.new_password)
        })
        .await;
    match &result {
        Ok(()) => attempt.succeeded(),
        Err(error) if error.kind() == ErrorKind::InvalidCredentials => {
            let recorded = state
                .run(move |app, _| app.record_login_failure(&shared_names, now_ms()))
                .await;
            attempt.failed(state.clock());
            audit("password change", "wrong password", &email, &context);
            recorded?;
        }
        Err(_) => attempt.finish(),
    }
    result?;
    Ok(json(&json!({ "message": "Password changed" })))
}
