//! Routing: `(method, path)` to a handler, and the one log line per request.
//!
//! Route paths are the constants below; a path that exists with another method answers 405
//! with `Allow`, an unknown path 404.

use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};

use super::respond::{Body, error_response};
use super::{State, accounts, fleet, users, wallet, well_known};
use crate::error::{Error, ErrorKind, Result};

/// Every API route lives under this prefix (API.md §3).
pub const API_PREFIX: &str = "/api/v1/auth";

/// The routes of the API, with what they need from the path.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Healthz,
    Readyz,
    OpenidConfiguration,
    Jwks,
    Register,
    Login,
    Refresh,
    Me,
    MePassword,
    Users,
    UserRole(String),
    FleetSessions,
    Revoke,
    RevokedJtis,
    Mints,
    Challenge,
    SignIn,
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        match path {
            "/healthz" => return Some(Route::Healthz),
            "/readyz" => return Some(Route::Readyz),
            // OpenID Connect Discovery 1.0 §4 puts it at the issuer's root; pico-auth served it
            // there too. It is also under the API prefix, where API.md §3 lists it.
            "/.well-known/openid-configuration" => return Some(Route::OpenidConfiguration),
            _ => {}
        }
        let rest = path.strip_prefix(API_PREFIX)?;
        Some(match rest {
            "/.well-known/openid-configuration" => Route::OpenidConfiguration,
            "/jwks" => Route::Jwks,
            "/register" => Route::Register,
            "/login" => Route::Login,
            "/refresh" => Route::Refresh,
            "/me" => Route::Me,
            "/me/password" => Route::MePassword,
            "/users" => Route::Users,
            "/fleet/sessions" => Route::FleetSessions,
            "/revoke" => Route::Revoke,
            "/revoked-jtis" => Route::RevokedJtis,
            "/mints" => Route::Mints,
            "/challenge" => Route::Challenge,
            "/sign-in" => Route::SignIn,
            _ => {
                let id = rest.strip_prefix("/users/")?.strip_suffix("/role")?;
                if id.is_empty() || id.contains('/') {
                    return None;
                }
                Route::UserRole(id.to_owned())
            }
        })
    }

    fn method(&self) -> Method {
        match self {
            Route::Healthz
            | Route::Readyz
            | Route::OpenidConfiguration
            | Route::Jwks
            | Route::Me
            | Route::Users => Method::GET,
            Route::Register
            | Route::Login
            | Route::Refresh
            | Route::MePassword
            | Route::FleetSessions
            | Route::Revoke
            | Route::Challenge
            | Route::SignIn => Method::POST,
            Route::RevokedJtis | Route::Mints => Method::GET,
            Route::UserRole(_) => Method::PUT,
        }
    }
}

/// Answers one request and logs it (method, path, status, time; never headers or bodies).
pub async fn handle(state: Arc<State>, request: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = match dispatch(state, request).await {
        Ok(response) => response,
        Err(error) => {
            if error.kind().http_status() >= 500 {
                tracing::error!(%method, path, error = %error, "request failed");
            }
            error_response(&error)
        }
    };
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

async fn dispatch(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>> {
    let route =
        Route::parse(request.uri().path()).ok_or_else(|| Error::not_found("no such endpoint"))?;
    if *request.method() != route.method() {
        let mut response = error_response(&Error::new(
            ErrorKind::MethodNotAllowed,
            format!("this endpoint only answers {}", route.method()),
        ));
        if let Ok(allow) = HeaderValue::from_str(route.method().as_str()) {
            response.headers_mut().insert(ALLOW, allow);
        }
        return Ok(response);
    }
    match route {
        Route::Healthz => Ok(well_known::get_healthz()),
        Route::Readyz => well_known::get_readyz(state).await,
        Route::OpenidConfiguration => Ok(well_known::get_openid_configuration(&state)),
        Route::Jwks => well_known::get_jwks(&state, &request),
        Route::Register => accounts::post_register(state, request).await,
        Route::Login => accounts::post_login(state, request).await,
        Route::Refresh => accounts::post_refresh(state, request).await,
        Route::Me => accounts::get_me(state, request).await,
        Route::MePassword => accounts::post_me_password(state, request).await,
        Route::Users => users::get_users(state, request).await,
        Route::UserRole(id) => users::put_user_role(state, request, id).await,
        Route::FleetSessions => fleet::post_fleet_sessions(state, request).await,
        Route::Revoke => fleet::post_revoke(state, request).await,
        Route::RevokedJtis => fleet::get_revoked_jtis(state, request).await,
        Route::Mints => fleet::get_mints(state, request).await,
        Route::Challenge => wallet::post_challenge(state, request).await,
        Route::SignIn => wallet::post_sign_in(state, request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, expected: Option<Route>) {
        assert_eq!(Route::parse(path), expected, "{path}");
    }

    #[test]
    fn routes() {
        check("/healthz", Some(Route::Healthz));
        check(
            "/.well-known/openid-configuration",
            Some(Route::OpenidConfiguration),
        );
        check(
            "/api/v1/auth/.well-known/openid-configuration",
            Some(Route::OpenidConfiguration),
        );
        check("/api/v1/auth/jwks", Some(Route::Jwks));
        check(
            "/api/v1/auth/users/abc123/role",
            Some(Route::UserRole("abc123".into())),
        );
        check("/api/v1/auth/users//role", None);
        check("/api/v1/auth/users/a/b/role", None);
        check("/api/v1/auth/jwks/", None);
        check("/jwks", None);
        check("/api/v1/auth", None);
    }
}
