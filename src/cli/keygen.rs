//! `picoauth keygen`: creates the first signing key, rotates, lists and retires keys.

use std::process::ExitCode;

use serde_json::json;

use super::args::KeygenArgs;
use super::render;
use crate::app::App;
use crate::error::{Error, ErrorKind, Result};

/// Runs the command.
///
/// # Errors
/// `Conflict` when creating a key where one exists or retiring the active key, `NotFound` for
/// an unknown kid, `Keys` if a key cannot be written.
pub fn run(args: KeygenArgs, app: &App) -> Result<ExitCode> {
    let now = super::now();
    if args.list {
        let keys = app.list_keys(now)?;
        if args.json {
            render::print_json(&json!({ "keys": keys }))?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut table = render::table(&["kid", "algorithm", "state", "created"]);
        render::keep_whole(&mut table, &["kid"]);
        for key in keys {
            let state = match (key.state, key.published_until) {
                ("grace", Some(until)) => format!("grace until {}", render::utc(until)),
                (state, _) => state.to_owned(),
            };
            table.add_row(vec![
                key.kid,
                key.algorithm,
                state,
                render::utc(key.created_at),
            ]);
        }
        render::print(&format!("{table}\n"))?;
    } else if args.rotate {
        let kid = app.rotate_key(args.algorithm, now)?;
        render::print(&format!("{kid}\n"))?;
        eprintln!(
            "picoauth: {kid} now signs; the previous key stays in the JWKS for {}",
            render::duration(app.config().longest_token_ttl())
        );
    } else if let Some(kid) = args.retire {
        app.retire_key(&kid, now)?;
        render::print(&format!("retired {kid}\n"))?;
    } else {
        let algorithm = args.algorithm.unwrap_or(app.config().token_algorithm);
        let kid = app.create_first_key(algorithm, now)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Conflict,
                "a signing key exists already; use `picoauth keygen --rotate` to replace it",
            )
        })?;
        render::print(&format!("{kid}\n"))?;
    }
    Ok(ExitCode::SUCCESS)
}
