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
        let (read, used, excluded) = if r.wide.is_some() {
            (
                tr!("Записей школа × предмет прочитано", "School × subject records read"),
                tr!("Записей использовано", "Records used"),
                tr!("Записей исключено", "Records excluded"),
            )
        } else {
            (tr!("Строк прочитано", "Rows read"), tr!("Строк использовано", "Rows used"), tr!("Строк исключено", "Rows excluded"))
        };
        row(read, r.rows_read.to_string());
        row(used, r.rows_used.to_string());
        row(excluded, r.rows_excluded.to_string());
        for e in &r.excluded {
            row(format!("  · {}", e.label), e.count.to_string());
        }
        if r.empty_rows > 0 {
            row(tr!("Пустых строк пропущено", "Empty rows skipped"), r.empty_rows.to_string());
        }
        if let Some(w) = &r.wide {
            for (k, v) in wide_lines(w) {
                row(k, v);
            }
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

/// The rows of a wide form's summary: per sheet its year, procedure, header rows, blocks and
/// every skipped row by kind.
pub fn wide_lines(w: &crate::ingest::wide::WideSummary) -> Vec<(String, String)> {
    use crate::ingest::wide::SkipKind;
    let mut out = Vec::new();
    for s in &w.sheets {
        let mut lines = vec![tr!(
            "год {}, {}; строка предметов {}, строка показателей {}",
            "year {}, {}; subject row {}, metric row {}",
            s.year.map_or("—".to_string(), |y| y.to_string()),
            s.procedure.clone().unwrap_or_else(|| "—".to_string()),
            s.subject_row,
            s.metric_row
        )];
        let blocks: Vec<String> = s
            .blocks
            .iter()
            .map(|b| {
                let first = b.metrics.first().map(|(l, _)| l.as_str()).unwrap_or("");
                let last = b.metrics.last().map(|(l, _)| l.as_str()).unwrap_or("");
                let place = if first == last { first.to_string() } else { format!("{first}–{last}") };
                let grade = b.grade.map(|g| tr!(", {g} класс", ", grade {g}")).unwrap_or_default();
                format!("{} ({place}{grade})", b.subject)
            })
            .collect();
        lines.push(tr!("предметы: {}", "subjects: {}", blocks.join(", ")));
        let skipped = s.skipped.len() as u64;
        lines.push(tr!(
            "строк под шапкой {}: школ {}, пропущено {}",
            "rows below the header {}: schools {}, skipped {}",
            s.rows,
            s.school_rows,
            skipped
        ));
        for kind in [SkipKind::ColumnNumbers, SkipKind::Total, SkipKind::Municipality, SkipKind::Configured, SkipKind::NoSchool] {
            let rows: Vec<String> = s
                .skipped
                .iter()
                .filter(|k| k.kind == kind)
                .map(|k| match (&k.text, kind) {
                    (Some(t), SkipKind::Total) => format!("{} «{t}»", k.row),
                    _ => k.row.to_string(),
                })
                .collect();
            let word = if rows.len() == 1 { tr!("строка", "row") } else { tr!("строки", "rows") };
            if !rows.is_empty() {
                lines.push(format!("  · {}: {} ({word} {})", kind.label(), rows.len(), rows.join(", ")));
            }
        }
        if s.empty_rows > 0 {
            lines.push(tr!("пустых строк: {}", "empty rows: {}", s.empty_rows));
        }
        if s.empty_blocks > 0 {
            lines.push(tr!(
                "пустых блоков школа × предмет (предмет не сдавали): {}",
                "empty school × subject blocks (subject not taken): {}",
                s.empty_blocks
            ));
        }
        out.push((tr!("Лист «{}»", "Sheet '{}'", s.sheet), lines.join("\n")));
    }
    out
}
