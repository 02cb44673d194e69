//! The `stagegate` binary: parse arguments, start tracing, run, turn the result into an exit
//! code. Everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    stagegate::cli::main()
}
