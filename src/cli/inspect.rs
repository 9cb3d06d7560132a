//! `picoauth inspect`: a token's header and claims in human form, and whether this server
//! would accept it now, and why not.
//!
//! The verdict is the core's ([`App::inspect_token`], the checks every bearer token gets);
//! this module only reads the token and renders what the core found.
//!
//! # Invariants
//! - Text taken from the token is printed with control and format characters escaped: a crafted
//!   token cannot send escape sequences to the operator's terminal, nor hide or reorder text.
//! - Exit 0 only when the server would accept the token.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

use super::args::InspectArgs;
use super::render;
use crate::app::{App, Inspection};
use crate::error::{Error, Result};

/// The most bytes read from stdin: far more than any token, little enough to hold.
const MAX_STDIN: u64 = 64 * 1024;

/// Runs the command.
///
/// # Errors
/// `InvalidInput` when there is no token (none given and stdin is a terminal), `Keys` if no
/// signing key can be loaded, `Storage`/`Unavailable` if the database fails. A token the
/// server would refuse is not an error: it is reported, with exit 1.
pub fn run(args: InspectArgs, app: &App) -> Result<ExitCode> {
    let token = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_owned(),
        _ => read_stdin()?,
    };
    let now = super::now();
    let inspection = app.inspect_token(&token, now)?;
    if args.json {
        render::print_json(&as_json(&inspection))?;
    } else {
        render::print(&as_text(&inspection, now))?;
    }
    match &inspection.rejection {
        None => Ok(ExitCode::SUCCESS),
        Some((rejection, detail)) => {
            eprintln!(
                "picoauth: this server would refuse the token ({}): {}",
                rejection.code(),
                clean(detail)
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The token from stdin, which must not be a terminal (nobody types a token).
fn read_stdin() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::invalid_input(
            "no token: give it as the argument, or pipe it in (`printf '%s' \"$TOKEN\" | picoauth inspect`)",
        ));
    }
    let mut bytes = Vec::new();
    stdin.lock().take(MAX_STDIN + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(Error::invalid_input(format!(
            "stdin holds more than {MAX_STDIN} bytes; that is not a token"
        )));
    }
    let token = String::from_utf8_lossy(&bytes).trim().to_owned();
    if token.is_empty() {
        return Err(Error::invalid_input("no token on stdin"));
    }
    Ok(token)
}

/// The stable `--json` object.
fn as_json(inspection: &Inspection) -> Value {
    let (reason, detail) = match &inspection.rejection {
        Some((rejection, detail)) => (Some(rejection.code()), Some(detail.clone())),
        None => (None, None),
    };
    json!({
        "accepted": inspection.rejection.is_none(),
        "reason": reason,
        "detail": detail,
        "header": inspection.header,
        "claims": inspection.claims,
        "kid": inspection.kid,
        "key_state": inspection.key_state,
        "revoked": inspection.revocation.is_some(),
        "revocation": inspection.revocation,
        "mint": inspection.mint,
    })
}

/// The report for a person.
fn as_text(inspection: &Inspection, now: i64) -> String {
    let mut text = String::new();
    match &inspection.header {
        Some(header) => {
            text.push_str("header\n");
            members(&mut text, header, now);
        }
        None => text.push_str("header   (not a decodable JWT header)\n"),
    }
    match &inspection.claims {
        Some(claims) => {
            text.push_str("claims\n");
            members(&mut text, claims, now);
        }
        None => text.push_str("claims   (not decodable)\n"),
    }
    let key = match (&inspection.kid, inspection.key_state) {
        (Some(kid), Some(state)) => {
            let state = match state {
                "active" => "active (signs now)",
                "grace" => "in grace (published, no longer signs)",
                "retired" => "retired (no longer published)",
                _ => "unknown to this deployment",
            };
            format!("{} is {state}", clean(kid))
        }
        _ => "none named".to_owned(),
    };
    text.push_str(&format!("key      {key}\n"));
    let revoked = match &inspection.revocation {
        Some(revocation) => format!(
            "yes, {} by {}{}",
            render::moment(revocation.revoked_at, now),
            revocation.revoked_by,
            if revocation.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", clean(&revocation.reason))
            }
        ),
        None => "no".to_owned(),
    };
    text.push_str(&format!("revoked  {revoked}\n"));
    let audit = match &inspection.mint {
        Some(mint) => format!("{} token minted by {}", mint.kind, mint.minted_by),
        None => "not in the mint audit".to_owned(),
    };
    text.push_str(&format!("audit    {audit}\n"));
    let verdict = match &inspection.rejection {
        None => "accepted: this server would accept the token now".to_owned(),
        Some((rejection, detail)) => format!("refused ({}): {}", rejection.code(), clean(detail)),
    };
    text.push_str(&format!("verdict  {verdict}\n"));
    text
}

/// One line per member, times as moments.
fn members(text: &mut String, object: &Map<String, Value>, now: i64) {
    let width = object
        .keys()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    for (name, value) in object {
        let shown = match (name.as_str(), value.as_i64()) {
            ("exp", Some(time)) if time > now => format!("expires {}", render::moment(time, now)),
            ("exp", Some(time)) => format!("expired {}", render::moment(time, now)),
            ("iat", Some(time)) => format!("issued {}", render::moment(time, now)),
            ("nbf", Some(time)) => format!("valid from {}", render::moment(time, now)),
            _ => match value {
                Value::String(value) => clean(value),
                value => clean(&value.to_string()),
            },
        };
        text.push_str(&format!("  {:width$}  {shown}\n", clean(name)));
    }
}

/// `text` with control and format characters escaped, for a terminal.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::app::is_hidden_char(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
