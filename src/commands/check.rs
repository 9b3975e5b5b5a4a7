//! `shnor check`: validate inputs exactly as `run` would and show the accounting.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::table;
use crate::cli::{CheckArgs, OutputFormat};
use crate::config::Config;
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::model::report::{InputReport, Problem, Severity};
use crate::model::{self, Dataset};

#[derive(Serialize)]
struct Totals {
    files: usize,
    rows_read: u64,
    rows_used: u64,
    rows_excluded: u64,
    fatal_problems: usize,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    ok: bool,
    latest_year: Option<i32>,
    first_year: Option<i32>,
    totals: Totals,
    inputs: &'a [InputReport],
    notes: &'a [Problem],
}

fn totals(ds: &Dataset) -> Totals {
    Totals {
        files: ds.reports.len(),
        rows_read: ds.reports.iter().map(|r| r.rows_read).sum(),
        rows_used: ds.reports.iter().map(|r| r.rows_used).sum(),
        rows_excluded: ds.reports.iter().map(|r| r.rows_excluded).sum(),
        fatal_problems: ds
            .reports
            .iter()
            .flat_map(|r| r.problems.iter())
            .chain(ds.notes.iter())
            .filter(|p| p.severity == Severity::Fatal)
            .count(),
    }
}

pub fn run(args: &CheckArgs, _quiet: bool) -> Result<ExitCode> {
    let config = Config::load(&args.inputs)?;
    let ds = model::load(&config, args.max_problems)?;
    let fatal = ds.fatal();
    match args.format {
        OutputFormat::Json => {
            let out = CheckJson {
                ok: !fatal,
                latest_year: ds.latest_year,
                first_year: ds.first_year,
                totals: totals(&ds),
                inputs: &ds.reports,
                notes: &ds.notes,
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        OutputFormat::Text => print_text(&ds),
    }
    if fatal {
        eprintln!(
            "{}",
            tr!(
                "Найдены ошибки, при которых расчёт невозможен (см. «ОШИБКА» выше). Исправьте входные данные и запустите проверку снова.",
                "Errors found that make the computation impossible (see 'ERROR' above). Fix the inputs and run the check again."
            )
        );
        Ok(ExitCode::from(EXIT_DATA))
    } else {
        Ok(ExitCode::from(EXIT_OK))
    }
}

fn print_text(ds: &Dataset) {
    for r in &ds.reports {
        println!("\n{} — {}", r.path, r.kind.label());
        let mut t = table();
        let mut row = |k: String, v: String| {
            t.add_row(vec![k, v]);
        };
        if !r.source.format.is_empty() {
            row(tr!("Формат", "Format"), r.source.format.clone());
        }
        if let Some(e) = &r.source.encoding {
            row(tr!("Кодировка", "Encoding"), e.clone());
        }
        if let Some(d) = &r.source.delimiter {
            row(tr!("Разделитель", "Delimiter"), d.clone());
        }
        if let Some(s) = &r.source.sheet {
            row(tr!("Лист", "Sheet"), s.clone());
        }
        if let Some(h) = r.source.header_row {
            row(tr!("Строка заголовка", "Header row"), h.to_string());
        }
        if let Some(l) = &r.layout {
            row(tr!("Вид данных", "Layout"), l.clone());
        }
        if !r.mapped.is_empty() {
            let m: Vec<String> = r
                .mapped
                .iter()
                .map(|m| format!("«{}» → {}", m.source, m.canonical))
                .collect();
            row(tr!("Столбцы", "Columns"), m.join("\n"));
        }
        if !r.unknown_columns.is_empty() {
            row(tr!("Неизвестные столбцы", "Unknown columns"), r.unknown_columns.join("\n"));
        }
        row(tr!("Строк прочитано", "Rows read"), r.rows_read.to_string());
        row(tr!("Строк использовано", "Rows used"), r.rows_used.to_string());
        row(tr!("Строк исключено", "Rows excluded"), r.rows_excluded.to_string());
        for e in &r.excluded {
            row(format!("  · {}", e.label), e.count.to_string());
        }
        if r.empty_rows > 0 {
            row(tr!("Пустых строк пропущено", "Empty rows skipped"), r.empty_rows.to_string());
        }
        if let Some(m) = &r.name_matching {
            row(tr!("Школы по названию: строк", "Schools by name: rows"), String::new());
            for (label, n) in [
                (tr!("точное совпадение", "exact match"), m.exact),
                (tr!("после нормализации", "after normalisation"), m.normalized),
                (tr!("по таблице соответствия", "through the crosswalk"), m.crosswalk),
                (tr!("неоднозначно", "ambiguous"), m.ambiguous),
                (tr!("не найдено", "not found"), m.unmatched),
            ] {
                row(format!("  · {label}"), n.to_string());
            }
        }
        println!("{t}");
        let mut problems: Vec<&Problem> = r.problems.iter().collect();
        problems.sort_by_key(|p| (p.severity, p.row));
        for p in problems {
            println!("  [{}] {}", p.severity.label(), p.render());
        }
        if r.problems_not_listed > 0 {
            println!(
                "  {}",
                tr!(
                    "… и ещё {} (показать больше: --max-problems N)",
                    "… and {} more (show more: --max-problems N)",
                    r.problems_not_listed
                )
            );
        }
    }
    if !ds.notes.is_empty() {
        println!("\n{}", tr!("Общие замечания", "General notes"));
        for n in &ds.notes {
            println!("  [{}] {}", n.severity.label(), n.render());
        }
    }
    let t = totals(ds);
    println!(
        "\n{}",
        tr!(
            "Итого: файлов {}, строк прочитано {}, использовано {}, исключено {}; ошибок: {}",
            "Total: {} files, rows read {}, used {}, excluded {}; errors: {}",
            t.files,
            t.rows_read,
            t.rows_used,
            t.rows_excluded,
            t.fatal_problems
        )
    );
}
