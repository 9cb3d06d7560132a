//! `picoauth mint-fleet`: mints a fleet token with the keys on disk; stdout is the token alone.

use std::process::ExitCode;

use super::args::MintFleetArgs;
use super::{os_user, render};
use crate::app::{Actor, App, FleetTokenRequest};
use crate::config::parse_duration;
use crate::error::{Error, Result};

/// Runs the command.
///
/// # Errors
/// `InvalidInput` for a bad `--ttl` or field, `Keys` without a signing key.
pub fn run(args: MintFleetArgs, app: &App) -> Result<ExitCode> {
    let ttl = args
        .ttl
        .as_deref()
        .map(|ttl| parse_duration(ttl).map_err(|why| Error::invalid_input(format!("--ttl: {why}"))))
        .transpose()?;
    let request = FleetTokenRequest {
        session_id: args.session_id,
        agent_id: args.agent_id,
        role: Some(args.role),
        ttl,
        scope: args.scope,
    };
    let user = os_user();
    let token = app.mint_fleet_token(Actor::Cli(&user), &request, super::now())?;
    if let Some(wanted) = ttl.filter(|wanted| *wanted != token.ttl) {
        eprintln!(
            "picoauth: --ttl {} is outside [1m, fleet_max_ttl]; the token lives {}",
            render::duration(wanted),
            render::duration(token.ttl)
        );
    }
    if args.json {
        render::print_json(&token)?;
    } else {
        render::print(&format!("{}\n", token.session_token))?;
    }
    Ok(ExitCode::SUCCESS)
}
