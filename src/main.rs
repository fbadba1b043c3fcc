//! The `landscape` command: parse, call the library, print; bad input exits with 2.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};

mod cli;

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => return e,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match cli::run(cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`landscape problems | head`): not an error of ours.
        Err(landscape::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

/// Parses the command line; negative numbers are values wherever a flag takes one. Help
/// and version print as clap prints them; an argument error is one line (exit 2).
fn parse() -> Result<cli::Cli, ExitCode> {
    fn negatives(cmd: clap::Command) -> clap::Command {
        cmd.allow_negative_numbers(true).mut_subcommands(negatives)
    }
    let matches = negatives(cli::Cli::command()).try_get_matches();
    match matches.and_then(|m| cli::Cli::from_arg_matches(&m)) {
        Ok(cli) => Ok(cli),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            eprintln!("{}", clap_line(&e.render().to_string()));
            Err(ExitCode::from(2))
        }
    }
}

/// clap's message (error, tip, usage over several lines) as one line.
fn clap_line(text: &str) -> String {
    let mut line = String::new();
    for part in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if part.starts_with("For more information") {
            continue;
        }
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        match part.strip_prefix("Usage: ") {
            Some(usage) => line.push_str(&format!("usage: {usage}")),
            None => line.push_str(part),
        }
    }
    let line = one_line(&line);
    if line.starts_with("error:") {
        line
    } else {
        format!("error: {line}")
    }
}

/// A message on one line: newlines and other control characters shown escaped.
fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}
