//! The `landscape` command: parse, call the library, print; bad input exits with 2.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = landscape::cli::Cli::parse();
    match landscape::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
