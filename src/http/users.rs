//! Handlers for user administration: list users, change a role.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::json;

use super::State;
use super::request::{bearer_token, string_or_field};
use super::respond::{Body, json};
use crate::app::Actor;
use crate::error::Result;
use crate::store::User;

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
