//! shnor: identification of ШНОР and ШНСУ schools. `main` only parses and maps errors to exit codes.

#[macro_use]
mod i18n;
mod cli;
mod commands;
mod config;
mod error;
mod identify;
mod indices;
mod ingest;
mod model;
mod output;
mod parallel;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    i18n::set_lang(cli.lang);
    i18n::set_verbose(cli.verbose > 0 && !cli.quiet);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", tr!("Ошибка:", "Error:"));
            error::exit_code_of(&err)
        }
    }
}
