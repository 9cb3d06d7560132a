//! Routing: `(method, path)` to a handler; per request, the client's address, the request id,
//! the rate limit of abuse-prone routes, the metrics and the one log line.
//!
//! A path that exists with another method answers 405 with `Allow`, an unknown path 404.
//! `HEAD` is answered wherever `GET` is (RFC 9110 §9.3.2): the same handler runs, and hyper
//! sends its status and headers (with the `Content-Length` of the body) but not the body.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};

use super::groups::GroupPath;
use super::respond::{Body, error_response};
use super::throttle::Bucket;
use super::{State, accounts, fleet, groups, token, users, wallet, well_known};
use crate::config::IpNet;
use crate::error::{Error, ErrorKind, Result};
use crate::keys;

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
    UserPassword(String),
    Registration,
    FleetSessions,
    Revoke,
    RevokedJtis,
    Mints,
    Challenge,
    SignIn,
    /// The groups family under `/api/v1/groups`, with several methods per path.
    Groups(GroupPath),
    OAuthAuthorizationServer,
    Token,
    Introspect,
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        match path {
            "/healthz" => return Some(Route::Healthz),
            "/readyz" => return Some(Route::Readyz),
            // OpenID Connect Discovery 1.0 §4 puts it at the issuer's root; pico-auth served it
            // there too. It is also under the API prefix, where API.md §3 lists it.
            "/.well-known/openid-configuration" => return Some(Route::OpenidConfiguration),
            // RFC 8414 §3: at the issuer's root (an issuer without a path), and under the API
            // prefix beside the OpenID document.
            "/.well-known/oauth-authorization-server" => {
                return Some(Route::OAuthAuthorizationServer);
            }
            _ => {}
        }
        if let Some(groups) = GroupPath::parse(path) {
            return Some(Route::Groups(groups));
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
            "/users/registration" => Route::Registration,
            "/fleet/sessions" => Route::FleetSessions,
            "/revoke" => Route::Revoke,
            "/revoked-jtis" => Route::RevokedJtis,
            "/mints" => Route::Mints,
            "/challenge" => Route::Challenge,
            "/sign-in" => Route::SignIn,
            "/.well-known/oauth-authorization-server" => Route::OAuthAuthorizationServer,
            "/token" => Route::Token,
            "/introspect" => Route::Introspect,
            _ => {
                let rest = rest.strip_prefix("/users/")?;
                let (id, route): (_, fn(String) -> Route) =
                    if let Some(id) = rest.strip_suffix("/role") {
                        (id, Route::UserRole)
                    } else {
                        (rest.strip_suffix("/password")?, Route::UserPassword)
                    };
                if id.is_empty() || id.contains('/') {
                    return None;
                }
                route(id.to_owned())
            }
        })
    }

    /// The route's name in metrics and logs: a fixed set, whatever the client sends.
    fn name(&self) -> &'static str {
        match self {
            Route::Healthz => "healthz",
            Route::Readyz => "readyz",
            Route::OpenidConfiguration => "openid-configuration",
            Route::Jwks => "jwks",
            Route::Register => "register",
            Route::Login => "login",
            Route::Refresh => "refresh",
            Route::Me => "me",
            Route::MePassword => "me/password",
            Route::Users => "users",
            Route::UserRole(_) => "users/{id}/role",
            Route::UserPassword(_) => "users/{id}/password",
            Route::Registration => "users/registration",
            Route::FleetSessions => "fleet/sessions",
            Route::Revoke => "revoke",
            Route::RevokedJtis => "revoked-jtis",
            Route::Mints => "mints",
            Route::Challenge => "challenge",
            Route::SignIn => "sign-in",
            Route::Groups(groups) => groups.name(),
            Route::OAuthAuthorizationServer => "oauth-authorization-server",
            Route::Token => "token",
            Route::Introspect => "introspect",
        }
    }

    /// The request-rate bucket of the abuse-prone routes.
    fn bucket(&self) -> Option<Bucket> {
        match self {
            Route::Login => Some(Bucket::Login),
            Route::Register => Some(Bucket::Register),
            Route::Refresh => Some(Bucket::Refresh),
            Route::Challenge => Some(Bucket::Challenge),
            Route::SignIn => Some(Bucket::SignIn),
            Route::FleetSessions => Some(Bucket::FleetSessions),
            Route::Token => Some(Bucket::Token),
            _ => None,
        }
    }

    /// Whether the route answers `method`: its own, and `HEAD` where that is `GET`.
    fn answers(&self, method: &Method) -> bool {
        if let Route::Groups(groups) = self {
            return groups.answers(method);
        }
        let own = self.method();
        *method == own
            || (*method == Method::HEAD && own == Method::GET)
            || self.other_method().as_ref() == Some(method)
    }

    /// The second method of a path that answers two (API.md §9: `POST /users` beside
    /// `GET /users`, `PUT /users/registration` beside `GET`).
    fn other_method(&self) -> Option<Method> {
        match self {
            Route::Users => Some(Method::POST),
            Route::Registration => Some(Method::PUT),
            _ => None,
        }
    }

    /// The `Allow` header of a 405 (RFC 9110 §10.2.1).
    fn allow(&self) -> &'static str {
        match self {
            Route::Groups(groups) => return groups.allow(),
            Route::Users => return "GET, HEAD, POST",
            Route::Registration => return "GET, HEAD, PUT",
            _ => {}
        }
        match self.method() {
            Method::GET => "GET, HEAD",
            Method::PUT => "PUT",
            _ => "POST",
        }
    }

    fn method(&self) -> Method {
        match self {
            Route::Healthz
            | Route::Readyz
            | Route::OpenidConfiguration
            | Route::OAuthAuthorizationServer
            | Route::Jwks
            | Route::Me
            | Route::Users
            | Route::Registration => Method::GET,
            Route::Register
            | Route::Login
            | Route::Refresh
            | Route::MePassword
            | Route::FleetSessions
            | Route::Revoke
            | Route::Challenge
            | Route::SignIn
            | Route::Token
            | Route::Introspect => Method::POST,
            Route::RevokedJtis | Route::Mints => Method::GET,
            Route::UserRole(_) | Route::UserPassword(_) => Method::PUT,
            // Several methods: `answers` and `allow` ask the path itself.
            Route::Groups(_) => Method::GET,
        }
    }
}

/// Who sent a request, for throttling and the logs; stored in the request's extensions.
#[derive(Clone, Debug)]
pub struct Context {
    /// The client's address: the peer, or what a trusted proxy says in `X-Forwarded-For`.
    pub client: IpAddr,
    /// The request id: the caller's `X-Request-Id` if it is sensible, else a new one.
    pub request_id: String,
    /// How long the client may take to send the body (`request_timeout`).
    pub body_timeout: std::time::Duration,
}

/// Answers one request from `peer`, counts it, and logs it (method, path, status, time, client,
/// request id; never headers or bodies).
pub async fn handle(
    state: Arc<State>,
    mut request: Request<Incoming>,
    peer: IpAddr,
) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let route = Route::parse(&path);
    let context = Context {
        client: client_address(&request, peer, &state.app.config().trusted_proxies),
        request_id: request_id(&request),
        body_timeout: std::time::Duration::from_secs(state.app.config().request_timeout),
    };
    request.extensions_mut().insert(context.clone());
    let mut response = match dispatch(Arc::clone(&state), request, route.as_ref(), &context).await {
        Ok(response) => response,
        Err(error) => {
            if error.kind().http_status() >= 500 {
                tracing::error!(%method, path, request_id = context.request_id, error = %error, "request failed");
            }
            error_response(&error)
        }
    };
    if let Ok(value) = HeaderValue::from_str(&context.request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    state.metrics.observe(
        route.as_ref().map_or("unknown", Route::name),
        status,
        elapsed,
    );
    tracing::info!(
        %method,
        path,
        status,
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        client = %context.client,
        request_id = context.request_id,
        "request"
    );
    response
}

/// The header carrying the request id, both ways.
const REQUEST_ID: &str = "x-request-id";

/// The caller's `X-Request-Id` if it is 1 to 128 visible ASCII characters, else a new one.
fn request_id<B>(request: &Request<B>) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=128).contains(&id.len()) && id.bytes().all(|byte| byte.is_ascii_graphic())
        })
        .map(str::to_owned)
        .unwrap_or_else(|| {
            keys::random_bytes::<8>()
                .map(|bytes| keys::hex(&bytes))
                .unwrap_or_default()
        })
}

/// The client's address. `X-Forwarded-For` is believed only from a trusted proxy, and then
/// read from the right: the first address that is not itself a trusted proxy is the client.
/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`), from the peer or the header, are taken as
/// the IPv4 address they carry, so one client has one address for the throttle and the logs.
fn client_address<B>(request: &Request<B>, peer: IpAddr, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

async fn dispatch(
    state: Arc<State>,
    request: Request<Incoming>,
    route: Option<&Route>,
    context: &Context,
) -> Result<Response<Body>> {
    let route = route.ok_or_else(|| Error::not_found("no such endpoint"))?;
    if !route.answers(request.method()) {
        let mut response = error_response(&Error::new(
            ErrorKind::MethodNotAllowed,
            format!("this endpoint only answers {}", route.allow()),
        ));
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static(route.allow()));
        return Ok(response);
    }
    if let Some(bucket) = route.bucket() {
        state
            .throttle
            .check_rate(bucket, context.client, state.clock())
            .map_err(|wait| Error::too_many_requests("too many requests from this client", wait))?;
    }
    match route {
        Route::Healthz => Ok(well_known::get_healthz()),
        Route::Readyz => well_known::get_readyz(state).await,
        Route::OpenidConfiguration => well_known::get_openid_configuration(state).await,
        Route::Jwks => well_known::get_jwks(state, request).await,
        Route::Register => accounts::post_register(state, request).await,
        Route::Login => accounts::post_login(state, request).await,
        Route::Refresh => accounts::post_refresh(state, request).await,
        Route::Me => accounts::get_me(state, request).await,
        Route::MePassword => accounts::post_me_password(state, request).await,
        Route::Users if request.method() == Method::POST => users::post_users(state, request).await,
        Route::Users => users::get_users(state, request).await,
        Route::UserRole(id) => users::put_user_role(state, request, id.clone()).await,
        Route::UserPassword(id) => users::put_user_password(state, request, id.clone()).await,
        Route::Registration => users::registration(state, request).await,
        Route::FleetSessions => fleet::post_fleet_sessions(state, request).await,
        // RFC 7009's form beside API.md §3's JSON: the body's type says which.
        Route::Revoke if token::is_form(&request) => token::post_revoke_form(state, request).await,
        Route::Revoke => fleet::post_revoke(state, request).await,
        Route::RevokedJtis => fleet::get_revoked_jtis(state, request).await,
        Route::Mints => fleet::get_mints(state, request).await,
        Route::Challenge => wallet::post_challenge(state, request).await,
        Route::SignIn => wallet::post_sign_in(state, request).await,
        Route::Groups(path) => groups::handle(state, request, path).await,
        Route::OAuthAuthorizationServer => well_known::get_oauth_authorization_server(state).await,
        Route::Token => token::post_token(state, request).await,
        Route::Introspect => token::post_introspect(state, request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, expected: Option<Route>) {
        assert_eq!(Route::parse(path), expected, "{path}");
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let request = Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 10.0.0.7")
            .body(())
            .unwrap();
        let trusted = [IpNet::parse("10.0.0.0/8").unwrap()];
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            client_address(&request, peer, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_address(&request, peer, &[]),
            peer,
            "ignored by default"
        );
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_address(&request, stranger, &trusted), stranger);
    }

    #[test]
    fn ipv4_mapped_addresses_are_taken_as_ipv4() {
        let request = Request::builder()
            .header("x-forwarded-for", "::ffff:203.0.113.9, ::ffff:10.0.0.7")
            .body(())
            .unwrap();
        let trusted = [IpNet::parse("10.0.0.0/8").unwrap()];
        let mapped_proxy: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(
            client_address(&request, mapped_proxy, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let mapped_stranger: IpAddr = "::ffff:198.51.100.1".parse().unwrap();
        assert_eq!(
            client_address(&request, mapped_stranger, &trusted),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        let mapped_net = IpNet::parse("::ffff:10.0.0.0/104").unwrap();
        assert!(mapped_net.contains("10.1.2.3".parse().unwrap()));
        assert!(!mapped_net.contains("11.0.0.1".parse().unwrap()));
        assert!(!mapped_net.contains("::ffff:11.0.0.1".parse().unwrap()));
        assert!(
            IpNet::parse("::/0")
                .unwrap()
                .contains("10.1.2.3".parse().unwrap())
        );
    }

    #[test]
    fn request_ids_are_taken_when_sensible() {
        let given = Request::builder()
            .header("x-request-id", "abc-123")
            .body(())
            .unwrap();
        assert_eq!(request_id(&given), "abc-123");
        let spaced = Request::builder()
            .header("x-request-id", "a b")
            .body(())
            .unwrap();
        assert_eq!(request_id(&spaced).len(), 16);
        assert_eq!(request_id(&Request::new(())).len(), 16);
    }

    #[test]
    fn head_is_answered_wherever_get_is() {
        assert!(Route::Jwks.answers(&Method::HEAD));
        assert!(Route::Healthz.answers(&Method::GET));
        assert!(!Route::Login.answers(&Method::HEAD));
        assert_eq!(Route::Jwks.allow(), "GET, HEAD");
        assert_eq!(Route::Login.allow(), "POST");
        assert_eq!(Route::UserRole("x".into()).allow(), "PUT");
        assert!(Route::Users.answers(&Method::POST));
        assert!(!Route::Users.answers(&Method::PUT));
        assert!(Route::Registration.answers(&Method::PUT));
        assert!(Route::Registration.answers(&Method::HEAD));
        assert!(!Route::Registration.answers(&Method::POST));
        assert_eq!(Route::Registration.allow(), "GET, HEAD, PUT");
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
        check("/api/v1/auth/token", Some(Route::Token));
        check("/api/v1/auth/introspect", Some(Route::Introspect));
        check(
            "/.well-known/oauth-authorization-server",
            Some(Route::OAuthAuthorizationServer),
        );
        check(
            "/api/v1/auth/users/abc123/role",
            Some(Route::UserRole("abc123".into())),
        );
        check(
            "/api/v1/auth/users/abc123/password",
            Some(Route::UserPassword("abc123".into())),
        );
        check("/api/v1/auth/users/registration", Some(Route::Registration));
        check("/api/v1/auth/users//password", None);
        check("/api/v1/auth/users/a/b/password", None);
        check("/api/v1/auth/users//role", None);
        check("/api/v1/auth/users/a/b/role", None);
        check("/api/v1/auth/jwks/", None);
        check("/jwks", None);
        check("/api/v1/auth", None);
        check("/api/v1/groups", Some(Route::Groups(GroupPath::Collection)));
        check("/api/v1/auth/groups", None);
    }
}
