//! The `stagegate` command line: argument definitions and the dispatch to one file per
//! subcommand. No logic beyond wiring lives here.

pub mod approve;
mod args;
pub mod attest;
pub mod audit;
mod collect;
pub mod collect_args;
mod command;
pub mod completions;
mod conftest;
mod diagnostic;
mod evaluate;
mod evaluate_args;
mod exit;
pub mod gate;
pub mod history;
pub mod impact;
mod init;
pub mod keygen;
pub mod keyless;
mod logging;
mod output;
pub mod push;
pub mod registry;
pub mod replay;
pub mod revoke;
mod schema;
pub mod serve;
mod signing;
pub mod test;
pub mod verify;
pub mod waiver;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use command::{Cli, Command};
pub use exit::ExitStatus;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    // `test -v` lists every test: that `-v` is the test runner's, not the log's.
    let log_verbosity = match cli.command {
        Command::Test(_) => cli.verbose.saturating_sub(1),
        _ => cli.verbose,
    };
    let log_style = match cli.command {
        Command::Serve(_) => logging::LogStyle::Server,
        _ => logging::LogStyle::Command,
    };
    logging::init(
        log_verbosity,
        cli.color.enabled(std::io::stderr().is_terminal()),
        log_style,
    );
    crate::memory::set_limit(cli.max_memory.unwrap_or_else(crate::memory::default_limit));
    crate::memory::install_fault_handler();
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    install_miette_hook(cli.color.enabled(std::io::stderr().is_terminal()));
    let result = match cli.command {
        Command::Evaluate(args) => evaluate::evaluate(*args, color),
        Command::Collect(args) => collect::collect(*args),
        Command::Init(args) => init::init(args),
        Command::Schema(args) => schema::schema(args),
        Command::Gate(args) => gate::gate(*args, color),
        Command::Verify(args) => verify::verify(args),
        Command::Push(args) => push::push(args),
        Command::Serve(args) => serve::serve(*args),
        Command::Approve(args) => approve::approve(args),
        Command::Attest(args) => attest::attest(*args),
        Command::Revoke(args) => revoke::revoke(*args),
        Command::History(args) => history::history(args),
        Command::Keygen(args) => keygen::keygen(args),
        Command::Audit(args) => audit::audit(args, color),
        Command::Replay(args) => replay::replay(*args),
        Command::Impact(args) => impact::impact(*args),
        Command::Waiver(args) => waiver::waiver(args),
        Command::Completions(args) => completions::completions(args, Cli::command()),
        Command::Man(args) => completions::man(args, Cli::command()),
        Command::Test(mut args) => {
            args.verbose = cli.verbose > 0;
            test::test(args, color)
        }
    };
    match result {
        Ok(status) => status.into(),
        Err(report) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{report:?}");
            }
            ExitStatus::Error.into()
        }
    }
}

/// Diagnostics are wrapped to the terminal's width on a terminal only: in a CI log, a message
/// stays on one line, so it can be searched and the log viewer wraps it.
fn install_miette_hook(color: bool) {
    let terminal = std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .context_lines(2)
                .wrap_lines(terminal)
                .build(),
        )
    }));
}
