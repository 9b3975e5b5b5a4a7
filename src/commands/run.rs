//! `shnor run`: ingest → validate → indices → identification → outputs.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::RunArgs;
use crate::config::Config;
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::identify::{self, Aggregates, Category};
use crate::model::{self, report::Severity};
use crate::output::{self, InputFile, RunOutput};

pub fn run(args: &RunArgs, quiet: bool) -> Result<ExitCode> {
    let started = jiff::Timestamp::now().to_string();
    let t_all = std::time::Instant::now();
    let config = Config::load(&args.inputs.sources())?;
    let out_dir = args.out.clone().unwrap_or_else(|| config.output.dir.clone());
    refuse_to_overwrite(&out_dir, args.force, &started)?;
    // The lock is taken first: a second run into the same folder is refused before it computes.
    let staging = crate::store::Staging::begin(&out_dir)?;
    let ds = model::load(&config, 10, identify::first_year_needed)?;
    crate::i18n::trace(&tr!("чтение всех входных файлов", "reading all inputs"), t_all);
    let missing_core = ds.register.is_none() || ds.results.is_none();
    if ds.fatal() || missing_core {
        for r in &ds.reports {
            for p in r.problems.iter().filter(|p| p.severity == Severity::Fatal) {
                eprintln!("[{}] {}", p.severity.label(), p.render());
            }
        }
        for n in ds.notes.iter().filter(|p| p.severity == Severity::Fatal) {
            eprintln!("[{}] {}", n.severity.label(), n.render());
        }
        if missing_core && !ds.fatal() {
            eprintln!(
                "{}",
                tr!(
                    "для расчёта нужны реестр ОО и результаты (--schools и --results или [[input]] в конфигурации)",
                    "the computation needs a school register and results (--schools and --results, or [[input]] in the configuration)"
                )
            );
        }
        eprintln!(
            "{}",
            tr!(
                "Расчёт не выполнен, результаты не записаны. Подробности: shnor check.",
                "Nothing computed, no outputs written. Details: shnor check."
            )
        );
        return Ok(ExitCode::from(EXIT_DATA));
    }
    let Some(agg) = Aggregates::from_dataset(&ds) else {
        return Ok(ExitCode::from(EXIT_DATA));
    };
    let previous = args.previous.as_deref().map(crate::store::read_previous).transpose()?;
    // The inputs' checksums (for the manifest) are computed while the identification runs.
    let hashing = || -> Result<Vec<InputFile>> {
        ds.reports
            .iter()
            .map(|r| InputFile::of(&format!("{:?}", r.kind).to_lowercase(), Path::new(&r.path)))
            .collect()
    };
    let mut session = identify::Session::new(&agg);
    session.audit = true;
    let (ident, inputs) = std::thread::scope(|scope| -> Result<_> {
        let hashes = scope.spawn(hashing);
        let t0 = std::time::Instant::now();
        let spinner = crate::progress::Bar::spinner(&tr!("индексы и выявление", "indices and identification"));
        let ident = session.identify(&config, previous.as_ref(), true)?;
        drop(spinner);
        crate::i18n::trace(&tr!("индексы и выявление", "indices and identification"), t0);
        let inputs = hashes.join().map_err(|_| anyhow::anyhow!("the checksum thread stopped"))??;
        Ok((ident, inputs))
    })?;
    let run = RunOutput::new(&config, &ds, &ident, inputs, started, session.tables());
    let exports: [&dyn output::Export<RunOutput>; 9] = [
        &output::SchoolsCsv,
        &output::ObjectivityCsv,
        &output::Workbook,
        &output::OrderAppendix,
        &output::MunicipalPackages,
        &output::Summary,
        &output::Report,
        &output::AggregatesExport,
        &output::Manifest,
    ];
    let t0 = std::time::Instant::now();
    let spinner = crate::progress::Bar::spinner(&tr!("запись результатов", "writing the outputs"));
    // Every file into a staging folder, then swapped in whole (never a mix of two runs).
    let written = output::write_staged(staging.dir(), &run, &exports)?;
    staging.commit()?;
    drop(spinner);
    crate::i18n::trace(&tr!("запись результатов", "outputs"), t0);
    if !quiet {
        print_summary(&run, &out_dir, written.len());
    }
    crate::i18n::trace(&tr!("всего", "total"), t_all);
    Ok(ExitCode::from(EXIT_OK))
}

fn print_summary(run: &RunOutput, out_dir: &Path, files: usize) {
    let c = identify::region_counts(&run.ident.rows);
    let years: Vec<String> = run.ident.years.iter().map(|y| y.to_string()).collect();
    println!(
        "{}",
        tr!(
            "{}: школ {}, последний год {}, окно ИНР {}",
            "{}: {} schools, latest year {}, ИНР window {}",
            run.config.region.name,
            c.schools,
            run.ident.latest_year,
            years.join("–")
        )
    );
    let mut t = super::table();
    t.set_header(vec![tr!("Категория", "Category"), tr!("Школ", "Schools"), tr!("Доля", "Share")]);
    for category in Category::ALL {
        let n = c.of(category);
        let share = if c.schools > 0 { n as f64 * 100.0 / c.schools as f64 } else { 0.0 };
        t.add_row(vec![category.label(), n.to_string(), crate::identify::num1(Some(share)) + " %"]);
    }
    println!("{t}");
    let excluded: u64 = run.dataset.reports.iter().map(|r| r.rows_excluded).sum();
    let read: u64 = run.dataset.reports.iter().map(|r| r.rows_read).sum();
    println!(
        "{}",
        tr!(
            "В списке ШНОР: {}; ШНСУ: {}. Строк прочитано {read}, исключено {excluded} (подробности: shnor check).",
            "On the ШНОР list: {}; ШНСУ: {}. Rows read {read}, excluded {excluded} (details: shnor check).",
            c.on_shnor_list(),
            c.in_shnsu()
        )
    );
    print_exclusions(&run.dataset.reports);
    // An empty list or a criterion that cannot fire on these data, said where it is seen.
    for w in output::list_warnings(run) {
        eprintln!("{}: {w}", tr!("Внимание", "Note"));
    }
    let word = crate::i18n::ru_plural(files as u64, "файл", "файла", "файлов");
    println!("{}", tr!("Результаты ({files} {word}): {}", "Outputs ({files} files): {}", out_dir.display()));
}

/// Every file with excluded rows: the share excluded for problems of the data and its main
/// reason, and the rows the method set aside by design.
/// A folder that holds a previous run (its manifest.json) is not written over without `--force`:
/// last year's list may be in it. The hint names a dated folder.
fn refuse_to_overwrite(dir: &Path, force: bool, started: &str) -> Result<()> {
    let holds_run = dir.join("manifest.json").is_file();
    // The folder is replaced whole: one that holds something else is never taken.
    let foreign = dir.exists() && !holds_run && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true);
    if foreign {
        return Err(crate::error::usage(tr!(
            "{}: каталог не пуст и в нём нет результатов shnor (manifest.json), а результаты заменяют каталог целиком; укажите новый или пустой каталог",
            "{}: the folder is not empty and holds no shnor run (manifest.json), while the outputs replace the folder whole; give a new or empty folder",
            dir.display()
        )));
    }
    if force || !holds_run {
        return Ok(());
    }
    let dated = format!("{}-{}", dir.display().to_string().trim_end_matches('/'), started.get(..10).unwrap_or("new"));
    Err(crate::error::usage(tr!(
        "в каталоге {} уже есть результаты прошлого расчёта (manifest.json); укажите другой каталог, например --out {dated}, или добавьте --force, чтобы перезаписать",
        "{} already holds a previous run (manifest.json); give another folder, e.g. --out {dated}, or add --force to overwrite",
        dir.display()
    )))
}

fn print_exclusions(reports: &[crate::model::report::InputReport]) {
    for r in reports.iter().filter(|r| r.rows_excluded > 0) {
        let (problems, share) = r.problem_share();
        let design = r.excluded_by_design();
        let mut parts = Vec::new();
        if problems > 0 {
            let main = r.main_problem_words();
            parts.push(tr!(
                "исключено из-за проблем данных {problems} ({} %){main}",
                "{problems} excluded for problems of the data ({} %){main}",
                crate::i18n::decimal1(share * 100.0)
            ));
        }
        if design > 0 {
            parts.push(tr!("отложено методикой {design}", "{design} set aside by the method"));
        }
        println!("  {}: {}", r.path, parts.join("; "));
    }
}
