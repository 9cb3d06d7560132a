//! How results look on stdout: tables (comfy-table), `--json` lines, and times.
//!
//! # Invariants
//! - `--json` output is the object the matching HTTP endpoint returns, one per line.
//! - A closed stdout pipe (`picoauth … | head`) ends output quietly; it is not an error.

use std::io::{IsTerminal, Write};

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
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

/// The width a table gets when stdout is not a terminal and `COLUMNS` says nothing usable.
const PIPE_WIDTH: u16 = 100;

/// A table with `header`, drawn with box characters on a terminal and plain ASCII in a pipe,
/// wrapping cells so that it fits the terminal's width (or `COLUMNS`, or 100 columns in a
/// pipe).
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    let terminal = std::io::stdout().is_terminal();
    if terminal {
        table.load_style(presets::UTF8_FULL_CONDENSED);
    } else {
        table.load_style(presets::ASCII_FULL_CONDENSED);
    }
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<u16>().ok())
        .filter(|columns| (20..=1000).contains(columns));
    match columns {
        Some(columns) => {
            table.set_width(columns);
        }
        // On a terminal comfy-table asks it for its width.
        None if terminal => {}
        None => {
            table.set_width(PIPE_WIDTH);
        }
    }
    table
}

/// Never wraps the columns of `table` named in `whole`: they hold ids that get copied and
/// grepped.
pub fn keep_whole(table: &mut Table, whole: &[&str]) {
    let header: Vec<String> = table
        .header()
        .map(|row| row.cell_iter().map(|cell| cell.content()).collect())
        .unwrap_or_default();
    for (index, name) in header.iter().enumerate() {
        if whole.contains(&name.as_str())
            && let Some(column) = table.column_mut(index)
        {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
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

/// How far `seconds` is from zero in at most two units (`14m`, `1h 5m`, `6d 23h`, `45s`).
pub fn span(seconds: u64) -> String {
    let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];
    for (index, (unit, size)) in units.iter().enumerate() {
        if seconds >= *size {
            let whole = seconds / size;
            let rest = seconds % size;
            return match units.get(index + 1) {
                Some((next_unit, next_size)) if rest / next_size > 0 => {
                    format!("{whole}{unit} {}{next_unit}", rest / next_size)
                }
                _ => format!("{whole}{unit}"),
            };
        }
    }
    "0s".to_owned()
}

/// A moment relative to `now`, then in UTC: `in 14m (2026-12-01 12:00:00 UTC)`,
/// `3h 2m ago (…)`.
pub fn moment(seconds: i64, now: i64) -> String {
    let distance = span(seconds.abs_diff(now));
    let at = utc(seconds);
    let at = at
        .strip_suffix('Z')
        .map_or(at.clone(), |at| format!("{at} UTC"));
    if seconds > now {
        format!("in {distance} ({at})")
    } else if seconds == now {
        format!("now ({at})")
    } else {
        format!("{distance} ago ({at})")
    }
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
        assert_eq!(span(14 * 60), "14m");
        assert_eq!(span(3900), "1h 5m");
        assert_eq!(span(7 * 86_400 - 3_600), "6d 23h");
        assert_eq!(span(0), "0s");
        assert_eq!(
            moment(1_800_000_840, 1_800_000_000),
            "in 14m (2027-01-15 08:14:00 UTC)"
        );
        assert_eq!(
            moment(1_800_000_000, 1_800_000_061),
            "1m 1s ago (2027-01-15 08:00:00 UTC)"
        );
    }
}
