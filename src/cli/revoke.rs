//! `picoauth revoke`: puts jtis on the denylist after checking that this deployment knows
//! them; a running server refuses the tokens at once.
//!
//! The rule (refuse an unknown jti unless `--force`, write nothing when refusing) is the
//! core's, [`App::revoke_known`]; this module shows what was revoked.

use std::process::ExitCode;

use serde_json::json;

use super::args::RevokeArgs;
use super::{os_user, render};
use crate::app::{Actor, App, KnownToken, OperatorRevocation};
use crate::error::Result;

/// Runs the command: every jti is revoked (idempotently), or none is.
///
/// # Errors
/// `NotFound` for a jti this deployment does not know without `--force` (nothing is written),
/// `InvalidInput` for an empty or oversized jti or reason, `Storage`/`Unavailable` if the
/// database fails.
pub fn run(args: RevokeArgs, app: &App) -> Result<ExitCode> {
    let user = os_user();
    let actor = Actor::Cli(&user);
    let now = super::now();
    let revoked = app.revoke_known(actor, &args.jtis, args.reason.as_deref(), args.force, now)?;
    for entry in &revoked {
        if args.json {
            render::print_json(&json!({ "revoked": entry.revocation }))?;
        } else {
            render::print(&format!("{}\n", describe(entry, now)))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line: what was revoked (or found revoked already), and what the token was.
fn describe(entry: &OperatorRevocation, now: i64) -> String {
    let revocation = &entry.revocation;
    let what = match &entry.known {
        KnownToken::Audited(mint) => {
            let mut what = format!("{} token, sub {}, role {}", mint.kind, mint.sub, mint.role);
            if let Some(agent) = &mint.agent_id {
                what.push_str(&format!(", agent {agent}"));
            }
            let expiry = render::moment(mint.exp, now);
            if mint.exp > now {
                what.push_str(&format!(", expires {expiry}"));
            } else {
                what.push_str(&format!(", expired {expiry}"));
            }
            what
        }
        KnownToken::SessionAccessToken => {
            "the access token of a live session, too short-lived for the audit; the session ended"
                .to_owned()
        }
        KnownToken::AlreadyRevoked => "not in the mint audit".to_owned(),
        KnownToken::Unknown => "unknown to this deployment, revoked with --force".to_owned(),
    };
    if entry.added {
        format!("revoked {} ({what})", revocation.jti)
    } else {
        format!(
            "{} was already revoked at {} by {} ({what})",
            revocation.jti,
            render::utc(revocation.revoked_at),
            revocation.revoked_by
        )
    }
}
