//! One thin file per subcommand.

mod check;
mod init;
mod report;
mod run;
mod schema;
mod sweep;
mod whatif;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(&args, cli.quiet),
        Command::Check(args) => check::run(&args, cli.quiet),
        Command::Schema(args) => schema::run(&args),
        Command::Init(args) => init::run(&args, cli.quiet),
        Command::Report(args) => report::run(&args, cli.quiet),
        Command::Whatif(args) => whatif::run(&args, cli.quiet),
        Command::Sweep(args) => sweep::run(&args, cli.quiet),
    }
}
