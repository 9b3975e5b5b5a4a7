//! `shnor report --from OUT`: the analytical report of an earlier run, rebuilt from its stored
//! aggregates and manifest (the same identification code as `run`; raw inputs are not read).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ReportArgs;
use crate::error::EXIT_OK;
use crate::identify::{self, Aggregates};
use crate::output::{self, RunOutput};

pub fn run(args: &ReportArgs, quiet: bool) -> Result<ExitCode> {
    // The folder written into is locked as `run` locks its output folder: a report is never
    // written into (nor, by default, read from) a set while a run swaps it.
    let out_dir = args.out.clone().unwrap_or_else(|| args.from.clone());
    let _lock = crate::store::lock(&out_dir)?;
    let stored = crate::store::load(&args.from)?;
    let Some(agg) = Aggregates::from_dataset(&stored.dataset) else {
        return Ok(super::no_aggregates(&args.from));
    };
    let previous_path = args.previous.clone().or_else(|| stored.previous.clone());
    let previous = match previous_path {
        Some(p) => match crate::store::read_previous(&p) {
            Ok(prev) => Some(prev),
            // The run's own previous list may have moved since; say so and go on without it.
            Err(e) if args.previous.is_none() => {
                eprintln!(
                    "{}",
                    tr!(
                        "прошлогодний список расчёта ({}) недоступен, раздел динамики не строится: {e:#}",
                        "the run's previous list ({}) is not available, no dynamics section: {e:#}",
                        p.display()
                    )
                );
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let mut session = identify::Session::seeded(&agg, stored.indices.clone());
    session.audit = true;
    let ident = session.identify(&stored.config, previous.as_ref(), true)?;
    let run = RunOutput::new(&stored.config, &stored.dataset, &ident, Vec::new(), stored.started.clone(), None);
    let written = output::write_all(&out_dir, &run, &[&output::Report])?;
    if !quiet {
        for p in written.iter().filter(|p| p.extension().is_some_and(|e| e != "svg")) {
            println!("{}", p.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
