//! `shnor sweep --from OUT --param key=FROM:TO:STEP [--param …]`: identification over a grid of
//! settings from the stored aggregates of a run (the indices are computed once for all settings
//! that share them).

use std::process::ExitCode;

use anyhow::Result;

use super::{no_aggregates, print_limited, table_with, write_files};
use crate::cli::{OutputFormat, SweepArgs};
use crate::error::{usage, EXIT_OK};
use crate::identify::{Aggregates, Session};
use crate::output::sweep::{self, Collector};

pub fn run(args: &SweepArgs, quiet: bool) -> Result<ExitCode> {
    let base = &args.base;
    if args.param.len() > 2 {
        return Err(usage(tr!("--param: не больше двух параметров", "--param: at most two parameters")));
    }
    let axes = args.param.iter().map(|p| sweep::parse_axis(p)).collect::<Result<Vec<_>>>()?;
    let settings = sweep::grid(&axes)?;
    let stored = crate::store::load(&base.from)?;
    let Some(agg) = Aggregates::from_dataset(&stored.dataset) else {
        return Ok(no_aggregates(&base.from));
    };
    let mut collector = Collector::new(agg.school_names()?);
    let mut session = Session::seeded(&agg, stored.indices.clone());
    let t0 = std::time::Instant::now();
    for values in settings {
        let mut sets = base.sets();
        sets.extend(axes.iter().zip(&values).map(|(a, v)| format!("{}={v}", a.key)));
        let config = stored.config.with_changes(base.config.as_deref(), &sets)?;
        stored.check_changes(&stored.config.changed_keys(&config)?, &config)?;
        let ident = session.identify(&config, None, false)?;
        collector.add(values, &ident.rows);
    }
    crate::i18n::trace(&tr!("выявление по всем вариантам", "identification over the grid"), t0);
    let s = collector.finish(&stored.config.region.name, axes.iter().map(|a| a.key.clone()).collect());
    match base.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        OutputFormat::Text if !quiet => {
            println!("{}", table_with(sweep::setting_headers(&s), sweep::setting_rows(&s)));
            println!("{}", sweep::summary_line(&s));
            if !s.flipping.is_empty() {
                print_limited(sweep::school_headers(), sweep::school_rows(&s.flipping, s.settings.len()));
            }
        }
        OutputFormat::Text => {}
    }
    if let Some(dir) = &base.out {
        write_files(dir, &s, &sweep::FILES, !quiet && base.format == OutputFormat::Text)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}
