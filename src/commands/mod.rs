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
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use crate::cli::{Cli, Command};
use crate::error::EXIT_DATA;
use crate::output;

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

/// Every table the commands print: compact lines, no wrapping.
fn table() -> Table {
    let mut t = Table::new();
    // Wrapped to the terminal's width when printed to one; whole lines into a pipe or a file.
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t
}

/// Rows of entering or leaving schools printed per list; the rest are in --out and JSON.
const PRINT_LIMIT: usize = 30;

/// A table with a header and rows, in the style of `table`.
fn table_with(head: Vec<String>, rows: Vec<Vec<String>>) -> Table {
    let mut t = table();
    t.set_header(head);
    for r in rows {
        t.add_row(r);
    }
    t
}

/// `report`, `whatif`, `sweep`: the output directory has no usable stored tables.
fn no_aggregates(from: &std::path::Path) -> ExitCode {
    eprintln!(
        "{}",
        tr!(
            "{}: в сохранённых таблицах нет реестра, результатов или последнего года",
            "{}: the stored tables lack the register, the results or the latest year",
            from.display()
        )
    );
    ExitCode::from(EXIT_DATA)
}

/// Writes the files of --out (each atomically) and says where.
fn write_files<I: Sync>(dir: &std::path::Path, input: &I, exports: &[&dyn output::Export<I>], say: bool) -> Result<()> {
    output::write_all(dir, input, exports)?;
    if say {
        println!("{}", tr!("Записано: {}", "Written: {}", dir.display()));
    }
    Ok(())
}

/// Prints a table of at most PRINT_LIMIT rows, then how many more there are.
fn print_limited(head: Vec<String>, rows: Vec<Vec<String>>) {
    let more = rows.len().saturating_sub(PRINT_LIMIT);
    println!("{}", table_with(head, rows.into_iter().take(PRINT_LIMIT).collect()));
    if more > 0 {
        println!(
            "{}",
            tr!("… и ещё {more} (все — в --out DIR или --format json)", "… and {more} more (all of them with --out DIR or --format json)")
        );
    }
}
