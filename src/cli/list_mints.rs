//! `picoauth list-mints`: the mint audit as a table that fits the terminal, or as the `/mints`
//! object with `--json`.

use std::process::ExitCode;

use serde_json::json;

use super::args::ListMintsArgs;
use super::{os_user, render};
use crate::app::{Actor, App};
use crate::error::Result;

/// From this many columns on, the table also shows scope and minter.
const WIDE: u16 = 120;

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
    // and the status says how long a live token has left. Under 120 columns, scope and
    // minter (also in --json) give their room to the rest, so the table stays legible at 80.
    let mut header = vec!["jti", "kind", "sub", "role", "agent", "status"];
    let mut table = render::table(&header);
    let wide = table.width().is_none_or(|width| width >= WIDE);
    if wide {
        header.extend(["scope", "minted by"]);
        table = render::table(&header);
    }
    render::keep_whole(&mut table, &["jti"]);
    for item in &items {
        let status = if item.revoked {
            "revoked".to_owned()
        } else if item.exp <= now {
            "expired".to_owned()
        } else {
            format!("{} left", render::span(item.exp.abs_diff(now)))
        };
        let mut row = vec![
            item.jti.clone(),
            item.kind.clone(),
            shortened(&item.sub),
            item.role.clone(),
            item.agent_id.clone().unwrap_or_default(),
            status,
        ];
        if wide {
            row.extend([
                item.scope.clone().unwrap_or_default(),
                item.minted_by.clone(),
            ]);
        }
        table.add_row(row);
    }
    render::print(&format!("{table}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// The longest subject the table shows whole: a wallet named by its public key
/// (`wallet_subject = "public_key"`) has one of up to 3,904 hex digits, which `--json` prints.
const MAX_SHOWN_SUB: usize = 72;

/// `sub` as the table shows it: whole, or its head and tail around `…` when longer than
/// [`MAX_SHOWN_SUB`] (subjects are ASCII hex there; other text is cut on character bounds).
fn shortened(sub: &str) -> String {
    let n_chars = sub.chars().count();
    if n_chars <= MAX_SHOWN_SUB {
        return sub.to_owned();
    }
    let head: String = sub.chars().take(24).collect();
    let tail: String = sub.chars().skip(n_chars - 8).collect();
    format!("{head}…{tail} ({n_chars} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_subjects_are_shortened_in_the_table() {
        assert_eq!(shortened("0xabc"), "0xabc");
        let sub = format!("{}{}", "a".repeat(3896), "bcdefghi");
        assert_eq!(
            shortened(&sub),
            format!("{}…bcdefghi (3904 characters)", "a".repeat(24))
        );
        assert_eq!(shortened(&"é".repeat(72)), "é".repeat(72));
    }
}
