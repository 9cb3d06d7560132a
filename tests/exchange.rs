//! RFC 8693 token exchange through the real binary and `POST /token` only (API.md §10, issue
//! 15): a user logs in, agent `planner` exchanges the user's token, sub-agent `purchaser`
//! exchanges the planner's, narrower; every claim of §10, every narrowing rule and the depth
//! bound, each refusal with its RFC code and status, expiry inherited from the parent,
//! revocation of a parent refusing its children (at picoauth, in introspection and on the
//! denylist resource servers poll), and a deleted client's agent tokens ending with it. Every
//! test runs on both backends (the harness's switch).

use std::time::Duration;

use serde_json::{Value, json};

use crate::oauth::{
    REVOKE, TOKEN, add_client, assert_oauth_error, client_credentials, introspect, post_form,
};
use crate::util::{ADMIN_ENV, Server, Session, TestDir, decode_jwt, encode_jwt, poll, run_on};

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const ME: &str = "/api/v1/auth/me";
const REVOKED_JTIS: &str = "/api/v1/auth/revoked-jtis";

/// The configuration of every test here: what agents may be given per user role, and a chain
/// of at most two exchanges (a user's token, then the result once more).
const CONFIG: &str = "max_delegation_depth = 2\n\
                      [agent_scopes]\n\
                      viewer = [\"treasury:*\", \"billing:read\"]\n";

/// A server with [`CONFIG`], the two agents of the README (`planner`, `purchaser`), a service
/// client (`poller`, which reads the denylist as pico-client-auth does) and a viewer, logged in.
struct Lab {
    dir: TestDir,
    server: Server,
    planner: String,
    purchaser: String,
    poller: String,
    user_id: String,
    user: Session,
}

impl Lab {
    fn start(serve_args: &[&str]) -> Lab {
        let dir = TestDir::new();
        let config = dir.write("picoauth.toml", CONFIG);
        let mut args = vec!["--config", config.to_str().expect("a UTF-8 path")];
        args.extend_from_slice(serve_args);
        let server = Server::start_with(&dir, &args, &[ADMIN_ENV]);
        let planner = add_client(
            &dir,
            "planner",
            &["--role", "agent", "--scopes", "treasury:*", "--ttl", "1h"],
        );
        let purchaser = add_client(
            &dir,
            "purchaser",
            &[
                "--role",
                "agent",
                "--scopes",
                "treasury:write:budget:* billing:read",
                "--ttl",
                "10m",
            ],
        );
        let poller = add_client(&dir, "poller", &["--role", "service"]);
        let (user_id, user) = server.register_and_login("ada@example.com");
        Lab {
            dir,
            server,
            planner,
            purchaser,
            poller,
            user_id,
            user,
        }
    }

    fn secret(&self, client_id: &str) -> &str {
        match client_id {
            "planner" => &self.planner,
            "purchaser" => &self.purchaser,
            "poller" => &self.poller,
            other => panic!("no client {other} in the lab"),
        }
    }

    /// `POST /token` with the token-exchange grant by `client_id` (HTTP Basic), the subject
    /// token type given, and `extra` parameters.
    fn exchange(
        &self,
        client_id: &str,
        subject: &str,
        extra: &[(&str, &str)],
    ) -> crate::util::Response {
        let mut pairs = vec![
            ("grant_type", EXCHANGE),
            ("subject_token", subject),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ];
        pairs.extend_from_slice(extra);
        post_form(
            &self.server,
            TOKEN,
            Some((client_id, self.secret(client_id))),
            &pairs,
        )
    }

    /// A successful exchange: checks RFC 8693 §2.2.1's answer and returns the token.
    #[track_caller]
    fn exchanged(&self, client_id: &str, subject: &str, extra: &[(&str, &str)]) -> String {
        let response = self.exchange(client_id, subject, extra);
        let body = response.ok_json();
        assert_eq!(body["issued_token_type"], ACCESS_TOKEN_TYPE, "{response}");
        assert_eq!(body["token_type"], "Bearer", "{response}");
        assert_eq!(
            response.header("cache-control"),
            Some("no-store"),
            "{response}"
        );
        assert!(body.get("refresh_token").is_none(), "{response}");
        let token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        let claims = decode_jwt(&token).claims;
        assert_eq!(body["scope"], claims["scope"], "{response}");
        let expires_in = body["expires_in"].as_i64().expect("expires_in");
        let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
        assert!(
            (lifetime - 2..=lifetime).contains(&expires_in),
            "expires_in {expires_in} for a token of {lifetime} s: {response}"
        );
        token
    }

    /// A refused exchange: the RFC 6749 §5.2 error with its status, and the description.
    #[track_caller]
    fn refused(
        &self,
        client_id: &str,
        subject: &str,
        extra: &[(&str, &str)],
        status: u16,
        code: &str,
    ) -> String {
        let response = self.exchange(client_id, subject, extra);
        assert_oauth_error(&response, status, code);
        response.json()["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A service token of `poller`, which may read the denylist.
    fn poller_token(&self) -> String {
        client_credentials(&self.server, "poller", &self.poller).ok_json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The jtis on `GET /revoked-jtis`, read as pico-client-auth does (a service token).
    fn denylisted(&self) -> Vec<String> {
        let listing = self
            .server
            .get(REVOKED_JTIS)
            .with_bearer(&self.poller_token())
            .send()
            .ok_json();
        listing["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["jti"].as_str().expect("jti").to_owned())
            .collect()
    }

    /// `GET /me` with `token`: 403 while an agent token is accepted (it authenticates but is
    /// not a user's), 401 `invalid_token` once it is refused.
    fn me_status(&self, token: &str) -> u16 {
        self.server.get(ME).with_bearer(token).send().status
    }

    fn introspect(&self, token: &str) -> Value {
        introspect(&self.server, ("poller", &self.poller), token)
    }
}

fn jti(token: &str) -> String {
    decode_jwt(token).claims["jti"].as_str().unwrap().to_owned()
}

fn exp(token: &str) -> i64 {
    decode_jwt(token).claims["exp"].as_i64().unwrap()
}

// --- the chain and its claims ---

#[test]
fn a_users_token_is_exchanged_by_an_agent_and_again_narrower_by_a_sub_agent() {
    let lab = Lab::start(&[]);
    let user_claims = decode_jwt(&lab.user.access_token).claims;

    // The planner, for Ada: only treasury writes, one task, a budget.
    let planner = lab.exchanged(
        "planner",
        &lab.user.access_token,
        &[
            ("scope", "treasury:write:*"),
            ("task_type", "interactive_purchase"),
            ("task_id", "po-4711"),
            ("conversation_id", "conv-9"),
            ("session_id", "sess-3"),
            ("spend_limit", "250.00"),
        ],
    );
    let claims = decode_jwt(&planner).claims;
    assert_eq!(claims["sub"], "planner");
    assert_eq!(claims["role"], "agent");
    assert_eq!(claims["user_id"], lab.user_id.as_str());
    assert_eq!(claims["org_id"], "default");
    assert_eq!(claims["scope"], "treasury:write:*");
    assert_eq!(claims["scopes"], json!(["treasury:write:*"]));
    assert_eq!(claims["task_type"], "interactive_purchase");
    assert_eq!(claims["task_id"], "po-4711");
    assert_eq!(claims["conversation_id"], "conv-9");
    assert_eq!(claims["session_id"], "sess-3");
    assert_eq!(claims["spend_limit"], "250.00", "a string, as given");
    assert_eq!(claims["parent_chain"], json!([]));
    assert_eq!(claims["act"], json!({"sub": "planner"}));
    assert_eq!(claims["parent_jtis"], json!([user_claims["jti"]]));
    assert_eq!(claims["iss"], user_claims["iss"]);
    assert_eq!(claims["aud"], user_claims["aud"]);
    assert!(claims.get("email").is_none(), "{claims}");
    // The user's token (15 minutes) ends before the planner's lifetime (1 hour) would.
    assert_eq!(claims["exp"], user_claims["exp"], "exp is the subject's");

    // The purchaser, asking nothing: the intersection of the planner's token, Ada's role and
    // its own client; budget and task inherited.
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    let child = decode_jwt(&purchaser).claims;
    assert_eq!(child["sub"], "purchaser");
    assert_eq!(child["role"], "agent");
    assert_eq!(child["user_id"], lab.user_id.as_str());
    assert_eq!(child["org_id"], "default");
    assert_eq!(child["scopes"], json!(["treasury:write:budget:*"]));
    assert_eq!(child["scope"], "treasury:write:budget:*");
    assert_eq!(child["task_type"], "interactive_purchase");
    assert_eq!(child["task_id"], "po-4711");
    assert_eq!(child["conversation_id"], "conv-9");
    assert_eq!(child["session_id"], "sess-3");
    assert_eq!(child["spend_limit"], "250.00", "inherited");
    assert_eq!(child["parent_chain"], json!(["planner"]));
    assert_eq!(
        child["act"],
        json!({"sub": "purchaser", "act": {"sub": "planner"}})
    );
    assert_eq!(
        child["parent_jtis"],
        json!([user_claims["jti"], claims["jti"]])
    );
    // The purchaser's own lifetime (10 minutes) is shorter than what its parent has left.
    let lifetime = child["exp"].as_i64().unwrap() - child["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 600, "{child}");
    assert!(child["exp"].as_i64() < claims["exp"].as_i64());

    // Narrower on purpose: one scope under the parent's, a lower budget, the same task.
    let narrow = lab.exchanged(
        "purchaser",
        &planner,
        &[
            ("scope", "treasury:write:budget:opex"),
            ("spend_limit", "99.5"),
            ("task_id", "po-4711"),
        ],
    );
    let narrow = decode_jwt(&narrow).claims;
    assert_eq!(narrow["scopes"], json!(["treasury:write:budget:opex"]));
    assert_eq!(narrow["spend_limit"], "99.5");
    // A spend limit equal to the parent's, written otherwise, is not higher.
    lab.exchanged("purchaser", &planner, &[("spend_limit", "250")]);

    // Both are live agent tokens at picoauth: they authenticate (403 on a user-only route,
    // not 401) and introspect active with their agent claims.
    for token in [&planner, &purchaser] {
        assert_eq!(lab.me_status(token), 403, "an accepted agent token");
    }
    let active = lab.introspect(&purchaser);
    assert_eq!(active["active"], true, "{active}");
    for member in [
        "sub",
        "user_id",
        "scope",
        "scopes",
        "parent_chain",
        "act",
        "spend_limit",
        "task_id",
        "jti",
        "exp",
    ] {
        assert_eq!(active[member], child[member], "{member}: {active}");
    }

    // Both are in the mint audit as agent tokens, by their clients.
    let mints = run_on(&lab.dir, &["list-mints", "--json"], &[]);
    mints.assert_code(0);
    let items: Value = serde_json::from_str(&mints.stdout).unwrap();
    for (token, client) in [(&planner, "planner"), (&purchaser, "purchaser")] {
        let jti = jti(token);
        let audited = items["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["jti"] == jti.as_str())
            .unwrap_or_else(|| panic!("{jti} is audited:\n{mints}"));
        assert_eq!(audited["kind"], "agent", "{audited}");
        assert_eq!(audited["sub"], client, "{audited}");
    }

    // Discovery names every claim the agent tokens carry.
    let discovery = lab
        .server
        .get("/.well-known/openid-configuration")
        .send()
        .ok_json();
    let supported = discovery["claims_supported"]
        .as_array()
        .expect("claims_supported");
    for claim in [
        "user_id",
        "task_type",
        "task_id",
        "conversation_id",
        "session_id",
        "spend_limit",
        "parent_chain",
        "parent_jtis",
        "act",
        "scopes",
    ] {
        assert!(supported.contains(&json!(claim)), "{claim}: {discovery}");
    }

    // The depth bound: max_delegation_depth = 2, so the purchaser's token is exchanged no more.
    let why = lab.refused("planner", &purchaser, &[], 400, "invalid_request");
    assert!(why.contains("max_delegation_depth"), "{why}");
}

#[test]
fn every_narrowing_rule_is_refused_with_its_rfc_code() {
    let lab = Lab::start(&[]);
    let user = lab.user.access_token.clone();

    // Scopes: not granted to the user's role by agent_scopes; not held by the client.
    let why = lab.refused(
        "planner",
        &user,
        &[("scope", "payroll:read")],
        400,
        "invalid_scope",
    );
    assert!(why.contains("agent_scopes"), "{why}");
    let why = lab.refused(
        "planner",
        &user,
        &[("scope", "billing:read")],
        400,
        "invalid_scope",
    );
    assert!(why.contains("client"), "{why}");
    // Nothing in common between the role's grant and the client's scopes, none asked.
    let stranger = add_client(
        &lab.dir,
        "stranger",
        &["--role", "agent", "--scopes", "hr:*"],
    );
    let response = post_form(
        &lab.server,
        TOKEN,
        None,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &user),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("client_id", "stranger"),
            ("client_secret", &stranger),
        ],
    );
    assert_oauth_error(&response, 400, "invalid_scope");
    // A malformed pattern.
    lab.refused(
        "planner",
        &user,
        &[("scope", "a:*:b")],
        400,
        "invalid_scope",
    );

    let planner = lab.exchanged(
        "planner",
        &user,
        &[
            ("scope", "treasury:write:*"),
            ("task_id", "po-1"),
            ("spend_limit", "100.00"),
        ],
    );
    // A sub-agent asks for more than its parent's token holds (the client and the role would
    // allow `billing:read`; the planner's token does not).
    let why = lab.refused(
        "purchaser",
        &planner,
        &[("scope", "billing:read")],
        400,
        "invalid_scope",
    );
    assert!(why.contains("subject token"), "{why}");
    // Wider than the parent: the pattern above the parent's.
    lab.refused(
        "purchaser",
        &planner,
        &[("scope", "treasury:*")],
        400,
        "invalid_scope",
    );

    // spend_limit: higher than the parent's (by a cent, and compared exactly), or malformed.
    for higher in ["100.01", "100.000000000000000001", "101"] {
        let why = lab.refused(
            "purchaser",
            &planner,
            &[("spend_limit", higher)],
            400,
            "invalid_request",
        );
        assert!(why.contains("spend_limit"), "{higher}: {why}");
    }
    for malformed in ["-1", "1e3", "ten", "1,5", ".5", "NaN"] {
        let why = lab.refused(
            "purchaser",
            &planner,
            &[("spend_limit", malformed)],
            400,
            "invalid_request",
        );
        assert!(why.contains("spend_limit"), "{malformed}: {why}");
        lab.refused(
            "planner",
            &user,
            &[("spend_limit", malformed)],
            400,
            "invalid_request",
        );
    }
    // The task context is inherited and may not be changed.
    lab.refused(
        "purchaser",
        &planner,
        &[("task_id", "po-2")],
        400,
        "invalid_request",
    );
}

#[test]
fn bad_subject_tokens_and_client_authentication_are_refused_with_their_rfc_codes() {
    let lab = Lab::start(&[]);
    let user = lab.user.access_token.clone();
    let client = ("planner", lab.planner.as_str());

    // subject_token_type: missing, or another type.
    let missing_type = post_form(
        &lab.server,
        TOKEN,
        Some(client),
        &[("grant_type", EXCHANGE), ("subject_token", &user)],
    );
    assert_oauth_error(&missing_type, 400, "invalid_request");
    for other in [
        "urn:ietf:params:oauth:token-type:refresh_token",
        "urn:ietf:params:oauth:token-type:jwt",
        "access_token",
    ] {
        let response = post_form(
            &lab.server,
            TOKEN,
            Some(client),
            &[
                ("grant_type", EXCHANGE),
                ("subject_token", &user),
                ("subject_token_type", other),
            ],
        );
        assert_oauth_error(&response, 400, "invalid_request");
    }
    // subject_token: missing, malformed, or a refresh token.
    let no_subject = post_form(
        &lab.server,
        TOKEN,
        Some(client),
        &[
            ("grant_type", EXCHANGE),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ],
    );
    assert_oauth_error(&no_subject, 400, "invalid_request");
    for bad in ["abc", "a.b.c", &lab.user.refresh_token] {
        lab.refused("planner", bad, &[], 400, "invalid_request");
    }

    // Forged: our kid and claims, not our signature.
    let jwt = decode_jwt(&user);
    let forged = encode_jwt(&jwt.header, &jwt.claims, |_| vec![7; 256]);
    lab.refused("planner", &forged, &[], 400, "invalid_request");
    // Foreign: a genuine user token of another picoauth (another key).
    let other_dir = TestDir::new();
    let other = Server::start(&other_dir);
    let foreign = other.admin().access_token;
    let why = lab.refused("planner", &foreign, &[], 400, "invalid_request");
    assert!(why.contains("subject_token"), "{why}");
    drop(other);

    // Tokens that act for no user: a client's own, a fleet token.
    let service = lab.poller_token();
    lab.refused("planner", &service, &[], 400, "invalid_request");
    let fleet = run_on(
        &lab.dir,
        &["mint-fleet", "--session-id", "s1", "--agent-id", "a1"],
        &[],
    );
    fleet.assert_code(0);
    lab.refused("planner", fleet.stdout.trim(), &[], 400, "invalid_request");

    // Revoked: the user's token, revoked by the admin (POST /revoke, JSON).
    let (_, revoked_user) = lab.server.register_and_login("bob@example.com");
    let admin = lab.server.admin();
    lab.server
        .post_json(REVOKE, &json!({"jti": jti(&revoked_user.access_token)}))
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    let why = lab.refused(
        "planner",
        &revoked_user.access_token,
        &[],
        400,
        "invalid_request",
    );
    assert!(why.contains("revoked"), "{why}");

    // Client authentication: none, an unknown client, a wrong secret, a bad header.
    let form = [
        ("grant_type", EXCHANGE),
        ("subject_token", user.as_str()),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
    ];
    assert_oauth_error(
        &post_form(&lab.server, TOKEN, None, &form),
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &post_form(&lab.server, TOKEN, Some(("ghost", &lab.planner)), &form),
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &post_form(&lab.server, TOKEN, Some(("planner", "pcs_wrong")), &form),
        401,
        "invalid_client",
    );
    let bad_header = lab
        .server
        .request("POST", TOKEN)
        .header("Authorization", "Basic !!!")
        .body(
            "application/x-www-form-urlencoded",
            format!(
                "grant_type={}&subject_token={user}&subject_token_type={}",
                EXCHANGE.replace(':', "%3A"),
                ACCESS_TOKEN_TYPE.replace(':', "%3A")
            )
            .into_bytes(),
        )
        .send();
    assert_oauth_error(&bad_header, 401, "invalid_client");
    // client_secret_post works for the exchange too.
    let posted = post_form(
        &lab.server,
        TOKEN,
        None,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &user),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("client_id", "planner"),
            ("client_secret", &lab.planner),
        ],
    );
    assert_eq!(
        decode_jwt(posted.ok_json()["access_token"].as_str().unwrap()).claims["sub"],
        "planner"
    );
}

// --- time ---

#[test]
fn an_agent_token_never_outlives_its_parent_and_an_expired_subject_is_refused() {
    // User tokens of 4 s: the whole chain ends with the user's token.
    let lab = Lab::start(&["--access-token-ttl", "4s"]);
    let user = lab.user.access_token.clone();
    let planner = lab.exchanged("planner", &user, &[("scope", "treasury:write:*")]);
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    assert_eq!(exp(&planner), exp(&user), "capped by the user's token");
    assert_eq!(exp(&purchaser), exp(&user), "capped by the planner's token");
    assert_eq!(
        lab.me_status(&purchaser),
        403,
        "accepted while the user's token lives"
    );

    poll("the user's token expires", Duration::from_secs(20), || {
        if lab.me_status(&user) == 401 {
            Ok(())
        } else {
            Err("still accepted".to_owned())
        }
    });
    for token in [&planner, &purchaser] {
        assert_eq!(lab.me_status(token), 401, "expired with its parent");
        assert_eq!(lab.introspect(token), json!({"active": false}));
    }
    let why = lab.refused("planner", &user, &[], 400, "invalid_request");
    assert!(why.contains("subject_token"), "{why}");
    lab.refused("purchaser", &planner, &[], 400, "invalid_request");
}

// --- revocation ---

/// Checks that `tokens` are refused everywhere a revocation must reach: at picoauth (401),
/// in introspection (inactive), and on the denylist resource servers poll (their own jtis).
#[track_caller]
fn assert_refused_everywhere(lab: &Lab, tokens: &[&str]) {
    let denylisted = lab.denylisted();
    for token in tokens {
        let response = lab.server.get(ME).with_bearer(token).send();
        response.assert_error(401, "invalid_token");
        assert_eq!(lab.introspect(token), json!({"active": false}));
        let jti = jti(token);
        assert!(
            denylisted.contains(&jti),
            "{jti} is not on /revoked-jtis: {denylisted:?}"
        );
    }
}

#[test]
fn revoking_a_users_token_refuses_its_agents_everywhere_by_post_revoke_and_by_the_cli() {
    let lab = Lab::start(&[]);
    let admin = lab.server.admin();

    // POST /revoke (JSON, API.md §3) of the user's token's jti, by the superadmin.
    let user = lab.user.access_token.clone();
    let planner = lab.exchanged("planner", &user, &[]);
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    let before = lab.denylisted();
    assert!(!before.contains(&jti(&planner)) && !before.contains(&jti(&purchaser)));
    lab.server
        .post_json(
            REVOKE,
            &json!({"jti": jti(&user), "reason": "t15: session ended"}),
        )
        .with_bearer(&admin.access_token)
        .send()
        .ok_json();
    assert_refused_everywhere(&lab, &[&user, &planner, &purchaser]);
    lab.refused("purchaser", &planner, &[], 400, "invalid_request");

    // `picoauth revoke <jti>` of another session's token, on the running server's database.
    let (_, second) = lab.server.register_and_login("eve@example.com");
    let planner = lab.exchanged("planner", &second.access_token, &[]);
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    assert_eq!(lab.me_status(&purchaser), 403);
    run_on(&lab.dir, &["revoke", &jti(&second.access_token)], &[]).assert_code(0);
    assert_refused_everywhere(&lab, &[&second.access_token, &planner, &purchaser]);

    // Revoking the middle of a chain: the grandchild goes, the user's token stays.
    let (_, third) = lab.server.register_and_login("joan@example.com");
    let planner = lab.exchanged("planner", &third.access_token, &[]);
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    run_on(&lab.dir, &["revoke", &jti(&planner)], &[]).assert_code(0);
    assert_refused_everywhere(&lab, &[&planner, &purchaser]);
    lab.server
        .get(ME)
        .with_bearer(&third.access_token)
        .send()
        .ok_json();
    assert_eq!(
        lab.introspect(&third.access_token)["active"],
        true,
        "the parent of a revoked token lives on"
    );
    // A fresh exchange of the live user's token works; the revoked one's is refused.
    lab.exchanged("planner", &third.access_token, &[]);
    lab.refused("purchaser", &planner, &[], 400, "invalid_request");
}

#[test]
fn rfc_7009_revocation_of_an_agent_token_by_its_client_refuses_its_children() {
    let lab = Lab::start(&[]);
    let planner = lab.exchanged("planner", &lab.user.access_token, &[]);
    let purchaser = lab.exchanged("purchaser", &planner, &[]);
    // RFC 7009 by the planner, the client the agent token was issued to (its `sub`).
    let response = post_form(
        &lab.server,
        REVOKE,
        Some(("planner", &lab.planner)),
        &[("token", &planner)],
    );
    assert_eq!(response.ok_json(), json!({}), "{response}");
    assert_refused_everywhere(&lab, &[&planner, &purchaser]);
    assert_eq!(lab.introspect(&lab.user.access_token)["active"], true);
    // Another client may not revoke the planner's token (RFC 7009 §2.1).
    let planner = lab.exchanged("planner", &lab.user.access_token, &[]);
    let refused = post_form(
        &lab.server,
        REVOKE,
        Some(("purchaser", &lab.purchaser)),
        &[("token", &planner)],
    );
    assert_oauth_error(&refused, 400, "unauthorized_client");
    assert_eq!(lab.me_status(&planner), 403, "still accepted");
}

#[test]
fn deleting_the_acting_client_ends_its_agent_tokens() {
    let lab = Lab::start(&[]);
    let planner = lab.exchanged("planner", &lab.user.access_token, &[]);
    let _purchaser = lab.exchanged("purchaser", &planner, &[]);
    assert_eq!(lab.me_status(&planner), 403);
    run_on(&lab.dir, &["clients", "delete", "planner"], &[]).assert_code(0);
    let response = lab.server.get(ME).with_bearer(&planner).send();
    response.assert_error(401, "invalid_token");
    assert_eq!(lab.introspect(&planner), json!({"active": false}));
    // Its agent token exchanges no more (the subject is refused like any bearer token); the
    // deleted client itself cannot authenticate.
    lab.refused("purchaser", &planner, &[], 400, "invalid_request");
    let gone = post_form(
        &lab.server,
        TOKEN,
        Some(("planner", &lab.planner)),
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &lab.user.access_token),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ],
    );
    assert_oauth_error(&gone, 401, "invalid_client");
    // The user's token is untouched. (The purchaser's token, exchanged from the deleted
    // client's, is not checked here: picoauth checks only the acting client, `sub`.)
    assert_eq!(lab.introspect(&lab.user.access_token)["active"], true);
}
