//! `shnor whatif --from OUT`: identification again with changed parameters, from the stored
//! aggregates of a run (never the raw inputs), compared with the run's own parameters.

use std::process::ExitCode;

use anyhow::Result;
use crate::cli::{OutputFormat, WhatifArgs};
use super::{no_aggregates, print_limited, table_with, write_files};
use crate::error::EXIT_OK;
use crate::identify::{Aggregates, Session};
use crate::output::whatif::{self, ParamChange};

pub fn run(args: &WhatifArgs, quiet: bool) -> Result<ExitCode> {
    let stored = crate::store::load(&args.from)?;
    let Some(agg) = Aggregates::from_dataset(&stored.dataset) else {
        return Ok(no_aggregates(&args.from));
    };
    let new = stored.config.with_changes(args.config.as_deref(), &args.sets())?;
    let changed = stored.config.changed_keys(&new)?;
    stored.check_changes(&changed, &new)?;
    let t0 = std::time::Instant::now();
    let mut session = Session::seeded(&agg, stored.indices.clone());
    // With reasons: the draws behind each listed school's solidity are made.
    let before = session.identify(&stored.config, None, true)?;
    let after = session.identify(&new, None, true)?;
    crate::i18n::trace(&tr!("выявление до и после", "identification before and after"), t0);
    let changes = changed.into_iter().map(|(key, before, after)| ParamChange { key, before, after }).collect();
    let w = whatif::compare(&stored.config.region.name, changes, &before.rows, &after.rows);
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&w)?),
        OutputFormat::Text if !quiet => print_text(&w),
        OutputFormat::Text => {}
    }
    if let Some(dir) = &args.out {
        write_files(dir, &w, &whatif::FILES, !quiet && args.format == OutputFormat::Text)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn print_text(w: &whatif::WhatIf) {
    if w.changes.is_empty() {
        println!("{}", tr!("Параметры не изменены: списки те же, что в расчёте.", "No parameter changed: the lists are those of the run."));
    } else {
        println!("{}", table_with(whatif::change_headers(), whatif::change_rows(w)));
    }
    println!("{}", table_with(whatif::list_headers(), whatif::list_rows(w)));
    for l in &w.lists {
        for (title, v) in [(tr!("вошли", "entered"), &l.entered), (tr!("вышли", "left"), &l.left)] {
            if v.is_empty() {
                continue;
            }
            println!("{}: {} ({})", l.list.label(), title, v.len());
            print_limited(whatif::move_headers(), v.iter().map(whatif::move_cells).collect());
        }
    }
    let rows = whatif::municipality_rows(w, false);
    if !rows.is_empty() {
        println!("{}", tr!("По муниципалитетам (где числа изменились):", "By municipality (where counts changed):"));
        println!("{}", table_with(whatif::municipality_headers(), rows));
    }
}
