//! How results look on stdout: tables (comfy-table), `--json` lines, and times.
//!
//! # Invariants
//! - `--json` output is the object the matching HTTP endpoint returns, one per line.
//! - A closed stdout pipe (`picoauth … | head`) ends output quietly; it is not an error.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::error::{Error, Result};

/// Writes `text` to stdout.
///
/// # Errors
/// `Internal` if stdout fails for another reason than a closed pipe.
pub fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

/// Writes `value` as one line of JSON.
///
/// # Errors
/// `Internal` if it cannot be serialised or written.
pub fn print_json(value: &impl Serialize) -> Result<()> {
    let mut line = serde_json::to_string(value)
        .map_err(|error| Error::internal(format!("cannot serialise the output: {error}")))?;
    line.push('\n');
    print(&line)
}

/// A table with `header`, drawn with box characters on a terminal and plain ASCII in a pipe.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    if std::io::stdout().is_terminal() {
        table.load_style(presets::UTF8_FULL_CONDENSED);
    } else {
        table.load_style(presets::ASCII_FULL_CONDENSED);
    }
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// A Unix time as UTC, to the second (`2026-11-23 13:37:06Z`).
pub fn utc(seconds: i64) -> String {
    let Ok(seconds) = u64::try_from(seconds) else {
        return seconds.to_string();
    };
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .replacen('T', " ", 1)
}

/// A lifetime in the largest whole unit that fits (`30d`, `90m`, `45s`).
pub fn duration(seconds: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00Z");
        assert_eq!(duration(30 * 86_400), "30d");
        assert_eq!(duration(5400), "90m");
        assert_eq!(duration(61), "61s");
    }
}
