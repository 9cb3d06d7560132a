//! `picoauth clients …`: OAuth 2.0 machine clients from the command line (API.md §10). A new
//! secret goes to stdout alone, so `SECRET=$(picoauth clients add …)` works; nothing else ever
//! prints one.

use std::process::ExitCode;

use serde_json::json;

use super::args::ClientsCommand;
use super::render;
use crate::app::{App, NewClient};
use crate::config::parse_duration_or_zero;
use crate::error::{Error, Result};
use crate::store::OAuthClient;

/// Runs one `clients` subcommand.
///
/// # Errors
/// Whatever the core refuses (`InvalidInput`, `NotFound`, `Conflict`), `Keys` without the
/// refresh-token key (which hashes the secrets).
pub fn run(command: ClientsCommand, app: &App) -> Result<ExitCode> {
    match command {
        ClientsCommand::Add {
            client_id,
            role,
            scopes,
            ttl,
        } => {
            let ttl = ttl
                .map(|ttl| {
                    crate::config::parse_duration(&ttl)
                        .map_err(|why| Error::invalid_input(format!("--ttl: {why}")))
                })
                .transpose()?;
            let new = NewClient {
                client_id,
                role: Some(role),
                scopes,
                ttl,
            };
            let (client, secret) = app.add_client(&new, super::now())?;
            render::print(&format!("{}\n", secret.expose()))?;
            eprintln!(
                "picoauth: client {} added (role {}); its secret is shown once, above",
                client.client_id, client.role
            );
        }
        ClientsCommand::List { json } => {
            let clients = app.list_clients()?;
            if json {
                let items: Vec<_> = clients.iter().map(summary).collect();
                render::print_json(&json!({ "clients": items }))?;
            } else {
                print_table(&clients)?;
            }
        }
        ClientsCommand::RotateSecret { client_id, grace } => {
            let grace = grace
                .map(|grace| {
                    parse_duration_or_zero(&grace)
                        .map_err(|why| Error::invalid_input(format!("--grace: {why}")))
                })
                .transpose()?;
            let secret = app.rotate_client_secret(&client_id, grace, super::now())?;
            render::print(&format!("{}\n", secret.expose()))?;
            let grace = grace.unwrap_or(app.config().client_secret_grace);
            if grace == 0 {
                eprintln!("picoauth: new secret for {client_id}; the old one no longer works");
            } else {
                eprintln!(
                    "picoauth: new secret for {client_id}; the old one works for {} more",
                    render::duration(grace)
                );
            }
        }
        ClientsCommand::Delete { client_id } => {
            app.delete_client(&client_id)?;
            render::print(&format!("deleted {client_id}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A client as `clients list --json` prints it: never a secret or its hash.
fn summary(client: &OAuthClient) -> serde_json::Value {
    json!({
        "client_id": client.client_id,
        "role": client.role.as_str(),
        "scopes": client.scopes,
        "ttl": client.ttl,
        "created_at": client.created_at,
    })
}

fn print_table(clients: &[OAuthClient]) -> Result<()> {
    let mut table = render::table(&["client id", "role", "scopes", "ttl", "created"]);
    render::keep_whole(&mut table, &["client id"]);
    for client in clients {
        table.add_row(vec![
            client.client_id.clone(),
            client.role.to_string(),
            client.scopes.join(" "),
            render::duration(client.ttl),
            render::utc(client.created_at),
        ]);
    }
    render::print(&format!("{table}\n"))
}
