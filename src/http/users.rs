//! Handlers for user administration: list, create, change a role, reset a password, and the
//! registration switch.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde::Deserialize;
use serde_json::json;

use super::State;
use super::request::{bearer_token, json_body, string_or_field};
use super::respond::{Body, json};
use crate::app::{Actor, NewUser};
use crate::error::Result;
use crate::store::User;

/// The body of `POST /users`.
#[derive(Deserialize)]
pub(super) struct NewUserRequest {
    email: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    org_id: Option<String>,
}

/// The body of `PUT /users/{id}/password`.
#[derive(Deserialize)]
pub(super) struct PasswordResetRequest {
    new_password: String,
}

/// The body of `PUT /users/registration`.
#[derive(Deserialize)]
pub(super) struct RegistrationRequest {
    enabled: bool,
}

/// `GET /users`: `{users: [...], total}`.
pub async fn get_users(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let users = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.list_users(Actor::Token(&claims))
        })
        .await?;
    let items: Vec<_> = users.iter().map(User::summary).collect();
    Ok(json(&json!({ "total": items.len(), "users": items })))
}

/// `PUT /users/{id}/role`: `{"role": "…"}` or the bare JSON string.
pub async fn put_user_role(
    state: Arc<State>,
    request: Request<Incoming>,
    user_id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let role = string_or_field(request, "role").await?;
    let user = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.set_role(Actor::Token(&claims), &user_id, &role)
        })
        .await?;
    Ok(json(
        &json!({ "id": user.id, "email": user.email, "role": user.role.as_str() }),
    ))
}

/// `POST /users`: `{email, password, display_name?, role?="viewer", org_id?}` →
/// `{id, email, role, status}`.
pub async fn post_users(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let body: NewUserRequest = json_body(request).await?;
    let user = state
        .run_hashing(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            let new_user = NewUser {
                email: &body.email,
                password: &body.password,
                role: body.role.as_deref().unwrap_or("viewer"),
                display_name: body.display_name.as_deref(),
                org_id: body.org_id.as_deref(),
            };
            app.add_user(Actor::Token(&claims), new_user, now)
        })
        .await?;
    Ok(json(&json!({
        "id": user.id,
        "email": user.email,
        "role": user.role.as_str(),
        "status": user.status.as_str(),
    })))
}

/// `PUT /users/{id}/password`: `{new_password}` → `{"message": "Password reset"}`.
pub async fn put_user_password(
    state: Arc<State>,
    request: Request<Incoming>,
    user_id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let body: PasswordResetRequest = json_body(request).await?;
    state
        .run_hashing(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.set_password(Actor::Token(&claims), &user_id, &body.new_password, now)
        })
        .await?;
    Ok(json(&json!({ "message": "Password reset" })))
}

/// `GET /users/registration` → `{registration_enabled}`; `PUT` with `{enabled}` sets it.
pub async fn registration(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let enabled = if request.method() == Method::PUT {
        let body: RegistrationRequest = json_body(request).await?;
        state
            .run(move |app, now| {
                let claims = app.authenticate(&token, now)?;
                app.set_registration(Actor::Token(&claims), body.enabled, now)
            })
            .await?
    } else {
        state
            .run(move |app, now| {
                let claims = app.authenticate(&token, now)?;
                app.registration(Actor::Token(&claims))
            })
            .await?
    };
    Ok(json(&json!({ "registration_enabled": enabled })))
}
