//! Handlers for groups under `/api/v1/groups` (API.md §9), and the paths they answer: a
//! family of routes with several methods each, which the router hands here whole.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde::Deserialize;
use serde_json::json;

use super::State;
use super::request::{bearer_token, json_body, string_or_field};
use super::respond::{Body, json};
use crate::app::{Actor, GroupChange, GroupRef, NewGroup};
use crate::error::Result;
use crate::store::GroupDetail;

/// Where the groups live (API.md §9: not under `/api/v1/auth`, as in pico-auth).
pub const GROUPS_PREFIX: &str = "/api/v1/groups";

/// A path of the groups family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupPath {
    /// `/api/v1/groups`: GET lists, POST creates.
    Collection,
    /// `/api/v1/groups/{id}`: GET, PUT, DELETE.
    Group(String),
    /// `/api/v1/groups/{id}/members`: POST adds.
    Members(String),
    /// `/api/v1/groups/{id}/members/{user_id}`: DELETE removes.
    Member(String, String),
}

impl GroupPath {
    /// The groups path `path` is, if any.
    pub fn parse(path: &str) -> Option<GroupPath> {
        let rest = path.strip_prefix(GROUPS_PREFIX)?;
        if rest.is_empty() {
            return Some(GroupPath::Collection);
        }
        let segments: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
        if segments.iter().any(|segment| segment.is_empty()) {
            return None;
        }
        match segments.as_slice() {
            [id] => Some(GroupPath::Group((*id).to_owned())),
            [id, "members"] => Some(GroupPath::Members((*id).to_owned())),
            [id, "members", user_id] => {
                Some(GroupPath::Member((*id).to_owned(), (*user_id).to_owned()))
            }
            _ => None,
        }
    }

    /// The route's name in metrics and logs.
    pub fn name(&self) -> &'static str {
        match self {
            GroupPath::Collection => "groups",
            GroupPath::Group(_) => "groups/{id}",
            GroupPath::Members(_) => "groups/{id}/members",
            GroupPath::Member(..) => "groups/{id}/members/{user_id}",
        }
    }

    /// The methods the path answers, `HEAD` included where `GET` is.
    fn methods(&self) -> &'static [&'static str] {
        match self {
            GroupPath::Collection => &["GET", "HEAD", "POST"],
            GroupPath::Group(_) => &["GET", "HEAD", "PUT", "DELETE"],
            GroupPath::Members(_) => &["POST"],
            GroupPath::Member(..) => &["DELETE"],
        }
    }

    /// Whether the path answers `method`.
    pub fn answers(&self, method: &Method) -> bool {
        self.methods().contains(&method.as_str())
    }

    /// The `Allow` header of a 405 (RFC 9110 §10.2.1).
    pub fn allow(&self) -> &'static str {
        match self {
            GroupPath::Collection => "GET, HEAD, POST",
            GroupPath::Group(_) => "GET, HEAD, PUT, DELETE",
            GroupPath::Members(_) => "POST",
            GroupPath::Member(..) => "DELETE",
        }
    }
}

/// Answers a request on a groups path (its method already checked by the router).
pub async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    path: &GroupPath,
) -> Result<Response<Body>> {
    let method = request.method().clone();
    match (path, method) {
        (GroupPath::Collection, Method::POST) => post_group(state, request).await,
        (GroupPath::Collection, _) => get_groups(state, request).await,
        (GroupPath::Group(id), Method::PUT) => put_group(state, request, id.clone()).await,
        (GroupPath::Group(id), Method::DELETE) => delete_group(state, request, id.clone()).await,
        (GroupPath::Group(id), _) => get_group(state, request, id.clone()).await,
        (GroupPath::Members(id), _) => post_group_member(state, request, id.clone()).await,
        (GroupPath::Member(id, user_id), _) => {
            delete_group_member(state, request, id.clone(), user_id.clone()).await
        }
    }
}

/// The body of `POST /groups`.
#[derive(Deserialize)]
struct NewGroupBody {
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// A superadmin's choice of organisation (an extension of API.md §9, as `POST /users`
    /// takes it); an org_admin may name only its own.
    #[serde(default)]
    org_id: Option<String>,
}

/// The body of `PUT /groups/{id}`.
#[derive(Deserialize)]
struct GroupChangeBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// `POST /groups`: `{id, name, org_id}`.
async fn post_group(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let body: NewGroupBody = json_body(request).await?;
    let group = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            let new_group = NewGroup {
                name: &body.name,
                description: body.description.as_deref(),
                org_id: body.org_id.as_deref(),
            };
            app.create_group(Actor::Token(&claims), new_group, now)
        })
        .await?;
    Ok(json(
        &json!({ "id": group.id, "name": group.name, "org_id": group.org_id }),
    ))
}

/// `GET /groups`: `{groups: [{id, name, description, org_id}], total}`.
async fn get_groups(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let groups = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.list_groups(Actor::Token(&claims), None)
        })
        .await?;
    Ok(json(&json!({ "groups": groups, "total": groups.len() })))
}

/// `GET /groups/{id}`: `{id, name, description, org_id, members: [{user_id, joined_at}]}`.
async fn get_group(
    state: Arc<State>,
    request: Request<Incoming>,
    id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let (group, members) = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.group(Actor::Token(&claims), GroupRef::Id(&id))
        })
        .await?;
    Ok(json(&GroupDetail {
        group: &group,
        members: &members,
    }))
}

/// `PUT /groups/{id}`: `{id, name, description}`.
async fn put_group(
    state: Arc<State>,
    request: Request<Incoming>,
    id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let body: GroupChangeBody = json_body(request).await?;
    let group = state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            let change = GroupChange {
                name: body.name.as_deref(),
                description: body.description.as_deref(),
            };
            app.update_group(Actor::Token(&claims), GroupRef::Id(&id), change)
        })
        .await?;
    Ok(json(
        &json!({ "id": group.id, "name": group.name, "description": group.description }),
    ))
}

/// `DELETE /groups/{id}`: `{"message": "Group deleted"}`.
async fn delete_group(
    state: Arc<State>,
    request: Request<Incoming>,
    id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.delete_group(Actor::Token(&claims), GroupRef::Id(&id))
        })
        .await?;
    Ok(json(&json!({ "message": "Group deleted" })))
}

/// `POST /groups/{id}/members`: `{"user_id": "…"}` or the bare JSON string (pico-auth clients
/// send that); `{"message": "Member added"}`.
async fn post_group_member(
    state: Arc<State>,
    request: Request<Incoming>,
    id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    let user_id = string_or_field(request, "user_id").await?;
    state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.add_group_member(Actor::Token(&claims), GroupRef::Id(&id), &user_id, now)
        })
        .await?;
    Ok(json(&json!({ "message": "Member added" })))
}

/// `DELETE /groups/{id}/members/{user_id}`: `{"message": "Member removed"}`.
async fn delete_group_member(
    state: Arc<State>,
    request: Request<Incoming>,
    id: String,
    user_id: String,
) -> Result<Response<Body>> {
    let token = bearer_token(&request)?;
    state
        .run(move |app, now| {
            let claims = app.authenticate(&token, now)?;
            app.remove_group_member(Actor::Token(&claims), GroupRef::Id(&id), &user_id)
        })
        .await?;
    Ok(json(&json!({ "message": "Member removed" })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, expected: Option<GroupPath>) {
        assert_eq!(GroupPath::parse(path), expected, "{path}");
    }

    #[test]
    fn paths() {
        check("/api/v1/groups", Some(GroupPath::Collection));
        check("/api/v1/groups/abc", Some(GroupPath::Group("abc".into())));
        check(
            "/api/v1/groups/abc/members",
            Some(GroupPath::Members("abc".into())),
        );
        check(
            "/api/v1/groups/abc/members/u1",
            Some(GroupPath::Member("abc".into(), "u1".into())),
        );
        check("/api/v1/groups/", None);
        check("/api/v1/groups//members", None);
        check("/api/v1/groups/abc/members/", None);
        check("/api/v1/groups/abc/other", None);
        check("/api/v1/groups/a/members/u/x", None);
        check("/api/v1/groupsx", None);
        assert!(GroupPath::Collection.answers(&Method::HEAD));
        assert!(!GroupPath::Members("a".into()).answers(&Method::GET));
        assert_eq!(GroupPath::Member("a".into(), "b".into()).allow(), "DELETE");
    }
}
