//! `picoauth list-mints`: the mint audit as a table, or as the `/mints` object with `--json`.

use std::process::ExitCode;

use serde_json::json;

use super::args::ListMintsArgs;
use super::{os_user, render};
use crate::app::{Actor, App};
use crate::error::Result;

/// Runs the command.
///
/// # Errors
/// `Storage`/`Unavailable` if the database fails.
pub fn run(args: ListMintsArgs, app: &App) -> Result<ExitCode> {
    let user = os_user();
    let now = super::now();
    let items = app.mints(Actor::Cli(&user), args.limit, args.active, now)?;
    if args.json {
        render::print_json(&json!({ "items": items }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        eprintln!(
            "picoauth: no audited tokens{}",
            if args.active { " are active" } else { "" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = render::table(&[
        "jti",
        "kind",
        "sub",
        "role",
        "issued",
        "expires",
        "agent",
        "scope",
        "status",
        "minted by",
    ]);
    for item in &items {
        let status = if item.revoked {
            "revoked"
        } else if item.exp <= now {
            "expired"
        } else {
            "active"
        };
        table.add_row(vec![
            item.jti.clone(),
            item.kind.clone(),
            item.sub.clone(),
            item.role.clone(),
            render::utc(item.iat),
            render::utc(item.exp),
            item.agent_id.clone().unwrap_or_default(),
            item.scope.clone().unwrap_or_default(),
            status.to_owned(),
            item.minted_by.clone(),
        ]);
    }
    render::print(&format!("{table}\n"))?;
    Ok(ExitCode::SUCCESS)
}
