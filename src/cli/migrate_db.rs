//! `picoauth migrate-db`: copies a SQLite deployment into an empty PostgreSQL database.

use std::process::ExitCode;

use super::args::MigrateDbArgs;
use super::render;
use crate::app::App;
use crate::error::Result;

/// Runs the command.
///
/// # Errors
/// Whatever `App::migrate_to` refuses (a non-empty target, no key-encryption key, a missing
/// key file) or fails with.
pub fn run(args: MigrateDbArgs, app: &App) -> Result<ExitCode> {
    let migration = app.migrate_to(&args.to, super::now())?;
    if args.json {
        render::print_json(&migration)?;
    } else {
        let mut table = render::table(&["table", "rows"]);
        for copied in &migration.tables {
            table.add_row(vec![copied.table.to_owned(), copied.rows.to_string()]);
        }
        render::print(&format!("{table}\n"))?;
    }
    for kid in &migration.retired_keys_without_file {
        eprintln!("picoauth: retired key {kid} had no file; it is listed, not copied");
    }
    eprintln!(
        "picoauth: copied. Point db at the PostgreSQL database and key_encryption_key_file at the \
         same key-encryption key on every replica and admin host, then start the replicas; the \
         SQLite file and key directory were left as they were."
    );
    Ok(ExitCode::SUCCESS)
}
