//! `picoauth revoke`: puts jtis on the denylist; a running server refuses them at once.

use std::process::ExitCode;

use serde_json::json;

use super::args::RevokeArgs;
use super::{os_user, render};
use crate::app::{Actor, App};
use crate::error::Result;

/// Runs the command: every jti is revoked (idempotently) or the first failure is reported.
///
/// # Errors
/// `InvalidInput` for an empty or oversized jti or reason; `Storage`/`Unavailable` if the
/// database fails.
pub fn run(args: RevokeArgs, app: &App) -> Result<ExitCode> {
    let user = os_user();
    let actor = Actor::Cli(&user);
    let now = super::now();
    for jti in &args.jtis {
        let revocation = app.revoke(actor, jti, args.reason.as_deref(), now)?;
        if args.json {
            render::print_json(&json!({ "revoked": revocation }))?;
        } else if revocation.revoked_at == now && revocation.revoked_by == actor.audit_name() {
            render::print(&format!("revoked {}\n", revocation.jti))?;
        } else {
            render::print(&format!(
                "{} was already revoked at {} by {}\n",
                revocation.jti,
                render::utc(revocation.revoked_at),
                revocation.revoked_by
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
