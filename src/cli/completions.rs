//! `stagegate completions SHELL` and `stagegate man [--output DIR]`: shell completion scripts
//! (clap_complete) and manual pages (clap_mangen), both generated from the argument
//! definitions in [`crate::cli::args`], so they never drift from the binary that prints them.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically;

/// `stagegate completions`.
#[derive(Debug, Args)]
#[command(after_help = "Load them, e.g.:\n  \
    bash:       source <(stagegate completions bash)   (or save to /usr/share/bash-completion/completions/stagegate)\n  \
    zsh:        stagegate completions zsh > \"${fpath[1]}/_stagegate\"\n  \
    fish:       stagegate completions fish > ~/.config/fish/completions/stagegate.fish\n  \
    powershell: stagegate completions powershell | Out-String | Invoke-Expression")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `stagegate man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `stagegate.1` and one `stagegate-COMMAND.1` per subcommand into this directory
    /// (created if missing); without it, `stagegate.1` goes to standard output.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs `stagegate completions`: the script on standard output.
/// `command` is the whole command line (`Cli::command()`), handed in by the dispatch so that
/// this file does not import the command line that names it.
pub fn completions(
    args: CompletionsArgs,
    mut command: clap::Command,
) -> Result<ExitStatus, Report> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "stagegate", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .map_err(|e| chain_report(&e))?;
    Ok(ExitStatus::Success)
}

/// Runs `stagegate man`.
pub fn man(args: ManArgs, command: clap::Command) -> Result<ExitStatus, Report> {
    let pages = man_pages(command).map_err(|e| chain_report(&e))?;
    match &args.output {
        Some(dir) => {
            fs_err::create_dir_all(dir).map_err(|e| chain_report(&e))?;
            for (name, page) in &pages {
                write_atomically(&dir.join(name), page)?;
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("Wrote {} manual pages to `{}`", pages.len(), dir.display());
            }
        }
        None => {
            let main = pages
                .first()
                .map(|(_, page)| page.as_slice())
                .unwrap_or(&[]);
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(main)
                .and_then(|()| stdout.flush())
                .map_err(|e| chain_report(&e))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Every manual page as (file name, roff text): `stagegate.1` first, then one page per
/// subcommand and nested subcommand (`stagegate-waiver-sign.1`), as `git` names its pages.
pub fn man_pages(mut command: clap::Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    command.build();
    let mut pages = Vec::new();
    add_pages(&command, "stagegate", &mut pages)?;
    Ok(pages)
}

fn add_pages(
    command: &clap::Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    let page_command = command.clone().name(name.to_owned());
    let mut text = Vec::new();
    clap_mangen::Man::new(page_command).render(&mut text)?;
    pages.push((format!("{name}.1"), text));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        add_pages(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_per_subcommand() {
        let pages =
            man_pages(<crate::cli::Cli as clap::CommandFactory>::command()).unwrap_or_default();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "stagegate.1",
            "stagegate-gate.1",
            "stagegate-verify.1",
            "stagegate-waiver-sign.1",
            "stagegate-completions.1",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let gate = pages
            .iter()
            .find(|(n, _)| n == "stagegate-gate.1")
            .map(|(_, p)| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        assert!(gate.contains(".TH stagegate-gate 1"), "{gate}");
        assert!(gate.contains("bundle\\-out"), "{gate}");
    }
}
