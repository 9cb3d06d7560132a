//! The CLI door: turns parsed arguments into calls on the core, and results into stdout,
//! stderr and an exit code.
//!
//! [`run`] resolves the configuration from flags, environment and file, sets up logging, and
//! hands each subcommand to its module. Only this module and its children know clap and the
//! terminal.
//!
//! # Invariants
//! - stdout carries only results; diagnostics and logs go to stderr.
//! - This door reads the clock and the environment and passes them to the core.

pub mod args;
mod clients;
pub mod generate;
mod groups;
mod inspect;
mod keygen;
mod list_mints;
mod migrate_db;
mod mint_fleet;
mod render;
mod revoke;
mod serve;
mod users;

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use crate::app::App;
use crate::config::{self, Config, Layers, LogFormat};
use crate::error::{Error, ErrorKind, Result};
use args::{Args, Command};

/// Runs one invocation.
///
/// # Errors
/// Whatever the subcommand fails with; `main` turns it into a message and an exit code.
pub fn run(args: Args) -> Result<ExitCode> {
    // These two need no configuration: they describe the command line itself.
    match &args.command {
        Command::Completions { shell } => {
            render::print(&String::from_utf8_lossy(&generate::completion(*shell)))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::GenerateDocs { dir } => {
            generate::write_all(dir)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let serving = matches!(args.command, Command::Serve(_));
    let (config, warnings) = load_config(&args)?;
    init_logging(&config, if serving { "info" } else { "warn" })?;
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    if serving {
        return serve::run(config);
    }
    // Creating the first key may also create the database; everything else needs it to exist.
    let creates_first_key = matches!(
        &args.command,
        Command::Keygen(keygen) if !keygen.rotate && !keygen.list && keygen.retire.is_none()
    );
    let app = if creates_first_key {
        App::open_creating(config)?
    } else {
        App::open_existing(config)?
    };
    match args.command {
        Command::Keygen(keygen_args) => keygen::run(keygen_args, &app),
        Command::Users(users_command) => users::run(users_command, &app),
        Command::Groups(groups_command) => groups::run(groups_command, &app),
        Command::Clients(clients_command) => clients::run(clients_command, &app),
        Command::MintFleet(mint_args) => mint_fleet::run(mint_args, &app),
        Command::Revoke(revoke_args) => revoke::run(revoke_args, &app),
        Command::ListMints(list_args) => list_mints::run(list_args, &app),
        Command::MigrateDb(migrate_args) => migrate_db::run(migrate_args, &app),
        Command::Inspect(inspect_args) => inspect::run(inspect_args, &app),
        Command::Serve(_) | Command::Completions { .. } | Command::GenerateDocs { .. } => {
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Resolves the configuration: flags, then `PICOAUTH_*` variables, then the file, then defaults.
///
/// Also returns the warnings to log once logging is set up: unknown `PICOAUTH_*` variables
/// (every command), and an issuer derived from `listen` that clients may not reach (`serve`).
/// If resolution fails the warnings are printed at once, since a misspelt variable may be the
/// reason.
fn load_config(args: &Args) -> Result<(Config, Vec<String>)> {
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .collect();
    let mut warnings = config::unknown_variables(names.iter().map(String::as_str));
    let resolved = read_config_file(args).and_then(|file| {
        let env = |name: &str| std::env::var(name).ok();
        Config::resolve_with_warnings(&Layers {
            flags: args.settings_given(),
            env: &env,
            file,
        })
    });
    match resolved {
        Ok((config, issuer_warnings)) => {
            if matches!(args.command, Command::Serve(_)) {
                warnings.extend(issuer_warnings);
            }
            Ok((config, warnings))
        }
        Err(error) => {
            for warning in warnings {
                eprintln!("picoauth: warning: {warning}");
            }
            Err(error)
        }
    }
}

/// The config file's path and text, if `--config` or `PICOAUTH_CONFIG` names one.
fn read_config_file(args: &Args) -> Result<Option<(std::path::PathBuf, String)>> {
    let Some(path) = &args.global.config else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("cannot read config file {}", path.display()),
        )
        .with_source(error)
    })?;
    Ok(Some((path.clone(), text)))
}

/// Logs go to stderr, filtered by `log_level` or else `default_level`, as text or JSON lines.
fn init_logging(config: &Config, default_level: &str) -> Result<()> {
    let filter = EnvFilter::try_new(config.log_level.as_deref().unwrap_or(default_level))
        .map_err(|error| Error::invalid_input(format!("invalid value for log_level: {error}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match config.log_format {
        LogFormat::Json => builder.json().with_target(true).init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .init(),
    }
    Ok(())
}

/// The operating-system user running the command, for the audit (`cli:<user>`): the user
/// behind `sudo` when there is one, else the login name, else the numeric uid.
pub(crate) fn os_user() -> String {
    use std::os::unix::fs::MetadataExt;
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
        .or_else(|| {
            std::fs::metadata("/proc/self")
                .ok()
                .map(|proc| format!("uid {}", proc.uid()))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The current time in Unix seconds: the CLI door's clock.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
