//! `picoauth groups …`: groups and their members from the command line, through the same core
//! rules as `/api/v1/groups`. A group is named by id, or by name when one group has it.

use std::process::ExitCode;

use serde_json::json;

use super::args::{GroupMembersCommand, GroupsCommand};
use super::{os_user, render};
use crate::app::{Actor, App, GroupChange, GroupRef, NewGroup};
use crate::error::Result;
use crate::store::{Group, GroupDetail, GroupMember};

/// Runs one `groups` subcommand.
///
/// # Errors
/// Whatever the core refuses (`InvalidInput`, `NotFound`, `Conflict`, …).
pub fn run(command: GroupsCommand, app: &App) -> Result<ExitCode> {
    let user = os_user();
    let actor = Actor::Cli(&user);
    match command {
        GroupsCommand::List { org, json } => {
            let groups = app.list_groups(actor, org.as_deref())?;
            if json {
                render::print_json(&json!({ "groups": groups, "total": groups.len() }))?;
            } else {
                print_groups(&groups)?;
            }
        }
        GroupsCommand::Add {
            name,
            description,
            org,
            json,
        } => {
            let new_group = NewGroup {
                name: &name,
                description: description.as_deref(),
                org_id: org.as_deref(),
            };
            let group = app.create_group(actor, new_group, super::now())?;
            if json {
                render::print_json(
                    &json!({ "id": group.id, "name": group.name, "org_id": group.org_id }),
                )?;
            } else {
                render::print(&format!("{}\n", group.id))?;
            }
        }
        GroupsCommand::Show { group, org, json } => {
            let (group, members) = app.group(actor, named(&group, &org))?;
            if json {
                render::print_json(&GroupDetail {
                    group: &group,
                    members: &members,
                })?;
            } else {
                print_group(app, &group, &members)?;
            }
        }
        GroupsCommand::Rename {
            group,
            new_name,
            description,
            org,
        } => {
            let change = GroupChange {
                name: new_name.as_deref(),
                description: description.as_deref(),
            };
            let changed = app.update_group(actor, named(&group, &org), change)?;
            render::print(&format!(
                "group {} is {} ({})\n",
                changed.id, changed.name, changed.org_id
            ))?;
        }
        GroupsCommand::Delete { group, org } => {
            let deleted = app.delete_group(actor, named(&group, &org))?;
            render::print(&format!(
                "deleted group {} ({}); its members' next tokens no longer carry it\n",
                deleted.name, deleted.id
            ))?;
        }
        GroupsCommand::Members(GroupMembersCommand::Add { group, user, org }) => {
            let (group, member) =
                app.add_group_member(actor, named(&group, &org), &user, super::now())?;
            render::print(&format!(
                "{} is a member of {} ({}); its next token carries the group\n",
                member.email, group.name, group.id
            ))?;
        }
        GroupsCommand::Members(GroupMembersCommand::Remove { group, user, org }) => {
            let (group, user_id) = app.remove_group_member(actor, named(&group, &org), &user)?;
            render::print(&format!(
                "{user_id} is no longer a member of {} ({})\n",
                group.name, group.id
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A group as the operator names it: by id, or by name (within `org`, if given).
fn named<'a>(text: &'a str, org: &'a Option<String>) -> GroupRef<'a> {
    GroupRef::IdOrName {
        text,
        org_id: org.as_deref(),
    }
}

/// The groups as a table.
fn print_groups(groups: &[Group]) -> Result<()> {
    let mut table = render::table(&["id", "name", "org", "description", "created"]);
    render::keep_whole(&mut table, &["id"]);
    for group in groups {
        table.add_row(vec![
            group.id.clone(),
            group.name.clone(),
            group.org_id.clone(),
            group.description.clone(),
            render::utc(group.created_at),
        ]);
    }
    render::print(&format!("{table}\n"))
}

/// A group's fields, then its members as a table (with their emails where the account is
/// found).
fn print_group(app: &App, group: &Group, members: &[GroupMember]) -> Result<()> {
    let mut text = format!(
        "id:          {}\nname:        {}\norg:         {}\ndescription: {}\ncreated:     {}\nmembers:     {}\n",
        group.id,
        group.name,
        group.org_id,
        group.description,
        render::utc(group.created_at),
        members.len()
    );
    if !members.is_empty() {
        let user = os_user();
        let mut table = render::table(&["user id", "email", "joined"]);
        render::keep_whole(&mut table, &["user id"]);
        for member in members {
            let email = app
                .find_user(Actor::Cli(&user), &member.user_id)
                .map(|found| found.email)
                .unwrap_or_default();
            table.add_row(vec![
                member.user_id.clone(),
                email,
                render::utc(member.joined_at),
            ]);
        }
        text.push_str(&format!("{table}\n"));
    }
    render::print(&text)
}
