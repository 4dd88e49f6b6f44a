//! `authtoken`, the command line: tokens for shells, scripts and CI jobs from any OAuth 2.0 or
//! OpenID Connect provider. A thin front end over `authtoken-core`: the session (stored →
//! refresh → sign-in), the sign-in and its fallbacks, the stores and every check are the
//! core's, so that the command line, C and Rust programs behave alike. Here: the grammar
//! (`args`), the profiles (`profile`), the commands and their output (`commands`), the exit
//! statuses (`failure`), the store (`store`), and how messages name options (`naming`).

pub mod args;
pub mod commands;
pub mod failure;
pub mod man;
pub mod naming;
pub mod profile;
pub mod store;

use authtoken_core::log::{self, Level};
use clap::Parser;
use std::process::ExitCode;

/// The program: parses the command line, runs the command, and gives the exit status (0, the
/// error kind's number, or 1 for a usage error).
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version go to stdout with status 0; usage errors to stderr with 1
            // (clap's own is 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(failure::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    naming::install();
    install_log(cli.verbose);
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("authtoken: {f}");
            ExitCode::from(f.status())
        }
    }
}

/// The core's log on stderr: warnings always (a stored token that cannot be used, a refresh
/// that failed while the token still works), more with -v. The core never logs a secret.
fn install_log(verbose: u8) {
    let level = match verbose {
        0 => Level::Warn,
        1 => Level::Info,
        _ => Level::Debug,
    };
    log::set_sink(
        Some(Box::new(|level, message| {
            let label = match level {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
            };
            eprintln!("authtoken: {label}: {message}");
        })),
        level as u8,
    );
}
