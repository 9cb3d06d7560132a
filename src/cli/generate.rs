//! Man pages and shell completions, generated from the clap definitions in `args`, so help,
//! man pages and completions share one source. The committed copies in `man/` and
//! `completions/` are checked against this by a test.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Args;
use crate::error::{Error, Result};

/// The shells `picoauth completions` supports, with the file name each script is committed as.
pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "picoauth.bash"),
    (Shell::Zsh, "_picoauth"),
    (Shell::Fish, "picoauth.fish"),
    (Shell::Elvish, "picoauth.elv"),
    (Shell::PowerShell, "_picoauth.ps1"),
];

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "picoauth", &mut script);
    script
}

/// Every man page: `picoauth.1` and one `picoauth-<subcommand>.1` per visible subcommand, nested
/// ones included (`picoauth-users-add.1`).
///
/// # Errors
/// `Internal` if rendering fails.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut command = Args::command();
    // Building propagates the global options into each subcommand's page.
    command.build();
    let mut pages = vec![("picoauth.1".to_owned(), render(command.clone())?)];
    add_subcommand_pages(&command, "picoauth", &mut pages)?;
    Ok(pages)
}

fn add_subcommand_pages(
    parent: &clap::Command,
    prefix: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> Result<()> {
    for subcommand in parent.get_subcommands() {
        if subcommand.is_hide_set() || subcommand.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix}-{}", subcommand.get_name());
        let page = subcommand
            .clone()
            .name(name.clone())
            .display_name(name.clone());
        pages.push((format!("{name}.1"), render(page)?));
        add_subcommand_pages(subcommand, &name, pages)?;
    }
    Ok(())
}

fn render(command: clap::Command) -> Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|error| Error::internal("cannot render a man page").with_source(error))?;
    Ok(page)
}

/// Writes `man/` and `completions/` under `root` (the repository, when refreshing them).
///
/// # Errors
/// `Internal` if a file cannot be written.
pub fn write_all(root: &Path) -> Result<()> {
    let write = |folder: &str, name: &str, contents: &[u8]| -> Result<()> {
        let folder = root.join(folder);
        std::fs::create_dir_all(&folder)?;
        std::fs::File::create(folder.join(name))?.write_all(contents)?;
        Ok(())
    };
    for (name, page) in man_pages()? {
        write("man", &name, &page)?;
    }
    for (shell, name) in SHELLS {
        write("completions", name, &completion(shell))?;
    }
    Ok(())
}
