//! The `runtime_settings` table: settings changed at run time (the registration switch), one
//! row per setting, read by every process on the database at its next request.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::{REGISTRATION_ENABLED, RuntimeSetting, format_bool, parse_bool};

/// The registration switch, if it was ever set.
///
/// # Errors
/// `Storage` if SQLite fails or the stored value is not `true` or `false`.
pub fn get_registration_enabled(connection: &Connection) -> Result<Option<RuntimeSetting<bool>>> {
    let row: Option<(String, i64, String)> = connection
        .prepare_cached(
            "SELECT value, updated_at, updated_by FROM runtime_settings WHERE name = ?1",
        )?
        .query_row([REGISTRATION_ENABLED], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    row.map(|(value, updated_at, updated_by)| {
        Ok(RuntimeSetting {
            value: parse_bool(&value)?,
            updated_at,
            updated_by,
        })
    })
    .transpose()
}

/// Stores the registration switch, replacing the row set before.
///
/// # Errors
/// `Storage` if SQLite fails.
pub fn set_registration_enabled(
    connection: &Connection,
    setting: &RuntimeSetting<bool>,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO runtime_settings (name, value, updated_at, updated_by) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )?
        .execute(params![
            REGISTRATION_ENABLED,
            format_bool(setting.value),
            setting.updated_at,
            setting.updated_by
        ])?;
    Ok(())
}
