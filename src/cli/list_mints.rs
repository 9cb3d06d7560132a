//! `picoauth list-mints`: the mint audit as a table that fits the terminal, or as the `/mints`
//! object with `--json`.

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
    // Issue time and session id are in --json; the table keeps what an operator scans for,
    // and the status says how long a live token has left.
    let mut table = render::table(&[
        "jti",
        "kind",
        "sub",
        "role",
        "agent",
        "scope",
        "status",
        "minted by",
    ]);
    render::keep_whole(&mut table, &["jti"]);
    for item in &items {
        let status = if item.revoked {
            "revoked".to_owned()
        } else if item.exp <= now {
            format!("expired {} ago", render::span(item.exp.abs_diff(now)))
        } else {
            format!("active, {} left", render::span(item.exp.abs_diff(now)))
        };
        table.add_row(vec![
            item.jti.clone(),
            item.kind.clone(),
            item.sub.clone(),
            item.role.clone(),
            item.agent_id.clone().unwrap_or_default(),
            item.scope.clone().unwrap_or_default(),
            status,
            item.minted_by.clone(),
        ]);
    }
    render::print(&format!("{table}\n"))?;
    Ok(ExitCode::SUCCESS)
}
