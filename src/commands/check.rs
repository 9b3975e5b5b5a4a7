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
    schools_without_results: &'a [model::RegisterSchool],
    schools_without_questionnaire: &'a [model::RegisterSchool],
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
    let config = Config::load(&args.inputs.sources())?;
    let ds = model::load(&config, args.max_problems, crate::identify::first_year_needed)?;
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
                schools_without_results: &ds.without_results,
                schools_without_questionnaire: &ds.without_questionnaire,
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

/// The first table: every file with its rows read, used and excluded (with shares).
fn print_overview(ds: &Dataset) {
    let mut t = table();
    t.set_header(vec![
        tr!("Файл", "File"),
        tr!("Вид", "Kind"),
        tr!("Прочитано", "Read"),
        tr!("Использовано", "Used"),
        tr!("Исключено", "Excluded"),
        tr!("из них из-за проблем", "of which for problems"),
        tr!("Главная причина", "Main reason"),
    ]);
    let pct = |n: u64, of: u64| if of == 0 { "—".to_string() } else { format!("{} ({} %)", n, crate::i18n::decimal1(n as f64 * 100.0 / of as f64)) };
    for r in &ds.reports {
        let (problems, _) = r.problem_share();
        let status = if r.fatal { tr!(" — ОШИБКА", " — ERROR") } else { String::new() };
        t.add_row(vec![
            format!("{}{status}", r.path),
            r.kind.label(),
            r.rows_read.to_string(),
            pct(r.rows_used, r.rows_read),
            pct(r.rows_excluded, r.rows_read),
            pct(problems, r.rows_read),
            r.main_problem().map(|e| format!("{} ({})", e.label, e.count)).unwrap_or_default(),
        ]);
    }
    println!("{t}");
}

/// Problems of one file, repeated warnings of one kind in one column as one line with a count
/// and the first rows.
fn print_problems(r: &InputReport) {
    let mut problems: Vec<&Problem> = r.problems.iter().collect();
    problems.sort_by_key(|p| (p.severity, p.row));
    let mut shown: Vec<(Severity, &str, Option<&str>, Option<&str>)> = Vec::new();
    for p in &problems {
        let key = (p.severity, p.code.as_str(), p.column.as_deref(), p.sheet.as_deref());
        let same: Vec<&&Problem> = problems.iter().filter(|q| (q.severity, q.code.as_str(), q.column.as_deref(), q.sheet.as_deref()) == key && q.row.is_some()).collect();
        if p.row.is_none() || same.len() < 3 {
            println!("  [{}] {}", p.severity.label(), p.render());
            continue;
        }
        if shown.contains(&key) {
            continue;
        }
        shown.push(key);
        let rows: Vec<String> = same.iter().take(5).filter_map(|q| q.row.map(|r| r.to_string())).collect();
        let mut values: Vec<String> = same.iter().filter_map(|q| q.value.clone()).collect();
        values.sort();
        values.dedup();
        let values = if values.is_empty() { String::new() } else { tr!("; значения: {}", "; values: {}", values.iter().take(5).map(|v| format!("«{v}»")).collect::<Vec<_>>().join(", ")) };
        // The listed rows are a sample: the count is the reason's own where it has one.
        let total = r.excluded.iter().find(|e| e.reason == p.code).map_or(0, |e| e.count).max(same.len() as u64);
        let head: &Problem = same.first().map_or(*p, |q| **q);
        let first = Problem { row: None, value: None, ..head.clone() };
        println!(
            "  [{}] {} — {}",
            p.severity.label(),
            first.render(),
            tr!("строк: {total} (первые: {}{}){values}", "rows: {total} (first: {}{}){values}", rows.join(", "), if total > 5 { ", …" } else { "" })
        );
    }
}

/// Register schools without results or without questionnaires: the first 20 and a count.
fn print_missing(title: String, schools: &[model::RegisterSchool]) {
    if schools.is_empty() {
        return;
    }
    println!("
{title}: {}", schools.len());
    for s in schools.iter().take(20) {
        let name = s.name.clone().unwrap_or_default();
        let place = s.municipality.clone().map(|m| format!(", {m}")).unwrap_or_default();
        println!("  {} — {name}{place}", s.school_id);
    }
    if schools.len() > 20 {
        println!("  {}", tr!("… и ещё {} (все — в shnor check --format json)", "… and {} more (all of them in shnor check --format json)", schools.len() - 20));
    }
}

fn print_text(ds: &Dataset) {
    print_overview(ds);
    for r in &ds.reports {
        println!("\n{} — {}", r.path, r.kind.label());
        println!("{}", file_table(r));
        print_problems(r);
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
    print_notes_and_totals(ds);
}

/// What one file is and how it was read: format, encoding, sheet, header, columns, accounting.
fn file_table(r: &InputReport) -> comfy_table::Table {
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
    if let Some(n) = r.source.number_row {
        row(tr!("Строка номеров столбцов (пропущена)", "Row of column numbers (skipped)"), n.to_string());
    }
    if let Some(l) = &r.layout {
        row(tr!("Вид данных", "Layout"), l.clone());
    }
    if !r.mapped.is_empty() {
        let m: Vec<String> = r
            .mapped
            .iter()
            .map(|m| match &m.matched_by {
                Some(how) => tr!("«{}» → {} (сопоставлен автоматически, {how})", "«{}» → {} (matched automatically, {how})", m.source, m.canonical),
                None => format!("«{}» → {}", m.source, m.canonical),
            })
            .collect();
        row(tr!("Столбцы", "Columns"), m.join("\n"));
    }
    if !r.unknown_columns.is_empty() {
        row(tr!("Неизвестные столбцы", "Unknown columns"), r.unknown_columns.join("\n"));
    }
    if r.task_columns > 0 {
        row(tr!("Столбцы баллов за задания (не используются)", "Task score columns (not used)"), r.task_columns.to_string());
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
    t
}

/// The notes about the inputs as a whole, the schools without results or questionnaires, totals.
fn print_notes_and_totals(ds: &Dataset) {
    if !ds.notes.is_empty() {
        println!("\n{}", tr!("Общие замечания", "General notes"));
        for n in &ds.notes {
            println!("  [{}] {}", n.severity.label(), n.render());
        }
    }
    print_missing(tr!("Школы реестра без результатов", "Register schools without results"), &ds.without_results);
    print_missing(tr!("Школы реестра без анкет", "Register schools without questionnaires"), &ds.without_questionnaire);
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
pub fn wide_lines(w: &crate::layout::WideSummary) -> Vec<(String, String)> {
    use crate::layout::SkipKind;
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
        let title = if s.sheet.is_empty() { tr!("Таблица", "Table") } else { tr!("Лист «{}»", "Sheet '{}'", s.sheet) };
        out.push((title, lines.join("\n")));
    }
    out
}
