//! `shnor whatif --from OUT`: identification again with changed parameters, from the stored
//! aggregates of a run (never the raw inputs), compared with the run's own parameters.

use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use crate::cli::{OutputFormat, WhatifArgs};
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::identify::{Aggregates, Session};
use crate::output::whatif::{self, ParamChange};
use crate::output::{self, rows};

/// Rows of entering or leaving schools printed per list; the rest are in --out and JSON.
const PRINT_LIMIT: usize = 30;

pub fn table(head: Vec<String>, rows: Vec<Vec<String>>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled).set_header(head);
    for r in rows {
        t.add_row(r);
    }
    t
}

pub fn no_aggregates(from: &std::path::Path) -> ExitCode {
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

pub fn run(args: &WhatifArgs, quiet: bool) -> Result<ExitCode> {
    let stored = output::load_stored(&args.from)?;
    let Some(agg) = Aggregates::from_dataset(&stored.dataset) else {
        return Ok(no_aggregates(&args.from));
    };
    let new = stored.config.with_changes(args.config.as_deref(), &args.set)?;
    let changed = stored.config.changed_keys(&new)?;
    stored.check_changes(&changed, &new)?;
    let t0 = std::time::Instant::now();
    let mut session = Session::new(&agg);
    if let Some(t) = stored.indices.clone() {
        session.seed(t);
    }
    let before = session.identify(&stored.config, None, false)?;
    let after = session.identify(&new, None, false)?;
    let t1 = std::time::Instant::now();
    let (before, after) = (rows::school_rows(&before)?, rows::school_rows(&after)?);
    crate::i18n::trace(&tr!("строки школ", "school rows"), t1);
    crate::i18n::trace(&tr!("выявление до и после", "identification before and after"), t0);
    let changes = changed.into_iter().map(|(key, before, after)| ParamChange { key, before, after }).collect();
    let w = whatif::compare(&stored.config.region.name, changes, &before, &after);
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&w)?),
        OutputFormat::Text if !quiet => print_text(&w),
        OutputFormat::Text => {}
    }
    if let Some(dir) = &args.out {
        write_files(dir, whatif::files(&w)?, !quiet && args.format == OutputFormat::Text)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Writes the files of --out (each atomically) and says where.
pub fn write_files(dir: &std::path::Path, files: Vec<(std::path::PathBuf, Vec<u8>)>, say: bool) -> Result<()> {
    for (rel, bytes) in files {
        output::write_atomic(&dir.join(rel), &bytes)?;
    }
    if say {
        println!("{}", tr!("Записано: {}", "Written: {}", dir.display()));
    }
    Ok(())
}

/// Prints a table of at most PRINT_LIMIT rows, then how many more there are.
pub fn print_limited(head: Vec<String>, rows: Vec<Vec<String>>) {
    let more = rows.len().saturating_sub(PRINT_LIMIT);
    println!("{}", table(head, rows.into_iter().take(PRINT_LIMIT).collect()));
    if more > 0 {
        println!(
            "{}",
            tr!("… и ещё {more} (все — в --out DIR или --format json)", "… and {more} more (all of them with --out DIR or --format json)")
        );
    }
}

fn print_text(w: &whatif::WhatIf) {
    if w.changes.is_empty() {
        println!("{}", tr!("Параметры не изменены: списки те же, что в расчёте.", "No parameter changed: the lists are those of the run."));
    } else {
        println!("{}", table(whatif::change_headers(), whatif::change_rows(w)));
    }
    println!("{}", table(whatif::list_headers(), whatif::list_rows(w)));
    for l in &w.lists {
        for (title, v) in [(tr!("вошли", "entered"), &l.entered), (tr!("вышли", "left"), &l.left)] {
            if v.is_empty() {
                continue;
            }
            println!("{}: {} ({})", whatif::list_label(l.list), title, v.len());
            print_limited(whatif::move_headers(), v.iter().map(whatif::move_cells).collect());
        }
    }
    let rows = whatif::municipality_rows(w, false);
    if !rows.is_empty() {
        println!("{}", tr!("По муниципалитетам (где числа изменились):", "By municipality (where counts changed):"));
        println!("{}", table(whatif::municipality_headers(), rows));
    }
}
