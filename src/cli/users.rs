//! `picoauth users …`: account administration from the command line, through the same core
//! rules as the HTTP endpoints. Passwords are read without echo, never from an argument.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use serde_json::json;

use super::args::UsersCommand;
use super::{os_user, render};
use crate::app::{Actor, App, NewUser};
use crate::error::{Error, Result};
use crate::store::{User, UserStatus};

/// Runs one `users` subcommand.
///
/// # Errors
/// Whatever the core refuses (`InvalidInput`, `NotFound`, `Conflict`, …), and `InvalidInput`
/// when a password or confirmation is needed but there is no terminal to ask on.
pub fn run(command: UsersCommand, app: &App) -> Result<ExitCode> {
    let user = os_user();
    let actor = Actor::Cli(&user);
    match command {
        UsersCommand::List { json } => {
            let users = app.list_users(actor)?;
            if json {
                let items: Vec<_> = users.iter().map(User::summary).collect();
                render::print_json(&json!({ "total": items.len(), "users": items }))?;
            } else {
                print_table(&users)?;
            }
        }
        UsersCommand::Add {
            email,
            role,
            display_name,
            org,
            password_stdin,
        } => {
            // A typo in the email must not cost the operator a password typed twice.
            app.check_new_user(&email, &role, display_name.as_deref(), org.as_deref())?;
            let password = read_new_password(password_stdin)?;
            let new_user = NewUser {
                email: &email,
                password: &password,
                role: &role,
                display_name: display_name.as_deref(),
                org_id: org.as_deref(),
            };
            let created = app.add_user(actor, new_user, super::now())?;
            render::print(&format!("{}\n", created.id))?;
        }
        UsersCommand::SetRole { user, role } => {
            let changed = app.set_role(actor, &user, &role)?;
            render::print(&format!("{} is now {}\n", changed.email, changed.role))?;
        }
        UsersCommand::Passwd {
            user,
            password_stdin,
        } => {
            // Fail on an unknown account before asking for a password.
            app.find_user(actor, &user)?;
            let password = read_new_password(password_stdin)?;
            let changed = app.set_password(actor, &user, &password, super::now())?;
            render::print(&format!(
                "password of {} changed; its sessions ended\n",
                changed.email
            ))?;
        }
        UsersCommand::Disable { user } => {
            let changed = app.set_status(actor, &user, UserStatus::Disabled)?;
            render::print(&format!(
                "{} is disabled; its sessions ended\n",
                changed.email
            ))?;
        }
        UsersCommand::Enable { user } => {
            let changed = app.set_status(actor, &user, UserStatus::Active)?;
            render::print(&format!("{} is enabled\n", changed.email))?;
        }
        UsersCommand::Delete { user, yes } => {
            let found = app.find_user(actor, &user)?;
            if !yes {
                confirm_delete(&found)?;
            }
            let deleted = app.delete_user(actor, &found.id)?;
            render::print(&format!("deleted {}\n", deleted.email))?;
        }
        UsersCommand::Registration {
            enable,
            disable,
            json,
        } => {
            let enabled = if enable || disable {
                app.set_registration(actor, enable, super::now())?
            } else {
                app.registration(actor)?
            };
            if json {
                render::print_json(&json!({ "registration_enabled": enabled }))?;
            } else {
                let state = if enabled { "open" } else { "closed" };
                render::print(&format!("registration is {state}\n"))?;
            }
        }
        UsersCommand::Import { from_pico_auth } => {
            let report = app.import_pico_auth(&from_pico_auth, super::now())?;
            for email in &report.imported {
                render::print(&format!("imported {email}\n"))?;
            }
            for email in &report.unchanged {
                render::print(&format!("already here {email}\n"))?;
            }
            for (email, why) in &report.skipped {
                render::print(&format!("skipped {email}: {why}\n"))?;
            }
            for group in &report.imported_groups {
                render::print(&format!("imported group {group}\n"))?;
            }
            for group in &report.unchanged_groups {
                render::print(&format!("already here group {group}\n"))?;
            }
            for (group, why) in &report.skipped_groups {
                render::print(&format!("skipped group {group}: {why}\n"))?;
            }
            for (membership, why) in &report.skipped_memberships {
                render::print(&format!("skipped membership {membership}: {why}\n"))?;
            }
            eprintln!(
                "picoauth: {} imported, {} already here, {} skipped",
                report.imported.len(),
                report.unchanged.len(),
                report.skipped.len()
            );
            eprintln!(
                "picoauth: groups: {} imported, {} already here, {} skipped; memberships: {} imported, {} already here, {} skipped",
                report.imported_groups.len(),
                report.unchanged_groups.len(),
                report.skipped_groups.len(),
                report.imported_memberships,
                report.unchanged_memberships,
                report.skipped_memberships.len()
            );
            if report.brought_nothing() {
                eprintln!("picoauth: nothing new to import");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The accounts as a table that fits the terminal: under 120 columns, the name and creation
/// time (both in `--json`) give their room to the rest.
fn print_table(users: &[User]) -> Result<()> {
    let mut header = vec!["id", "email", "role", "org", "status", "last login"];
    let mut table = render::table(&header);
    let wide = table.width().is_none_or(|width| width >= 120);
    if wide {
        header = vec![
            "id",
            "email",
            "name",
            "role",
            "org",
            "status",
            "created",
            "last login",
        ];
        table = render::table(&header);
    }
    // The id and the email are what an operator copies into the next command: never wrapped.
    render::keep_whole(&mut table, &["id", "email"]);
    for user in users {
        let last_login = user
            .last_login_at
            .map(render::utc)
            .unwrap_or_else(|| "never".to_owned());
        let row = if wide {
            vec![
                user.id.clone(),
                user.email.clone(),
                user.display_name.clone(),
                user.role.to_string(),
                user.org_id.clone(),
                user.status.as_str().to_owned(),
                render::utc(user.created_at),
                last_login,
            ]
        } else {
            vec![
                user.id.clone(),
                user.email.clone(),
                user.role.to_string(),
                user.org_id.clone(),
                user.status.as_str().to_owned(),
                last_login,
            ]
        };
        table.add_row(row);
    }
    render::print(&format!("{table}\n"))
}

/// A new password: the first line of stdin with `--password-stdin`, else asked twice without
/// echo on the terminal.
fn read_new_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "no terminal to ask for the password on; pipe it in with --password-stdin",
        ));
    }
    let first = rpassword::prompt_password("New password: ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    if first != second {
        return Err(Error::invalid_input(
            "the two passwords differ; nothing was changed",
        ));
    }
    Ok(first)
}

/// Asks on the terminal for the account's email, and deletes only if that is what is typed:
/// a reflexive `y` is not enough to delete the wrong account. Without a terminal it refuses.
fn confirm_delete(user: &User) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "refusing to delete without confirmation: there is no terminal to ask on; pass --yes",
        ));
    }
    eprint!(
        "Delete {} ({}) and end its sessions? Type its email to confirm: ",
        user.email, user.id
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case(&user.email) {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "the answer is not {}; nothing was deleted",
            user.email
        )))
    }
}
