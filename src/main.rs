//! The `picoauth` binary: parse the arguments, run, and choose the exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match picoauth::cli::args::Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match picoauth::cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("picoauth: {error}");
            ExitCode::from(error.kind().exit_code())
        }
    }
}
