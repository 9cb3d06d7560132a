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
pub mod generate;
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use crate::config::{Config, Layers};
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
            print_stdout(&generate::completion(*shell))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::GenerateDocs { dir } => {
            generate::write_all(dir)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Serve => {}
    }
    let config = load_config(&args)?;
    init_logging(&config)?;
    match args.command {
        Command::Serve => serve::run(config),
        Command::Completions { .. } | Command::GenerateDocs { .. } => Ok(ExitCode::SUCCESS),
    }
}

/// Writes a result to stdout. A closed pipe (`picoauth … | head`) is not an error.
fn print_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

/// Resolves the configuration: flags, then `PICOAUTH_*` variables, then the file, then defaults.
fn load_config(args: &Args) -> Result<Config> {
    let file = match &args.global.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("cannot read config file {}", path.display()),
                )
                .with_source(error)
            })?;
            Some((path.clone(), text))
        }
        None => None,
    };
    let env = |name: &str| std::env::var(name).ok();
    Config::resolve(&Layers {
        flags: args.global.settings.given(),
        env: &env,
        file,
    })
}

fn init_logging(config: &Config) -> Result<()> {
    let filter = EnvFilter::try_new(&config.log_level)
        .map_err(|error| Error::invalid_input(format!("invalid value for log_level: {error}")))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    Ok(())
}

/// The current time in Unix seconds: the CLI door's clock.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
