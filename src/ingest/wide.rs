//! Wide per-school result forms (§3.2), the way regions print ОГЭ/ЕГЭ/ВПР tables: one row per
//! school, a block of columns per subject under a (merged) subject header, metric sub-headers
//! («приняло участие», «не преодолен min порог», «средний балл»), a row of column numbers under
//! the header, region-total and municipality-subtotal rows mixed in, the municipality written
//! only on its subtotal row. The reader turns every sheet into the long per-school form (one
//! record per school row × subject block) and accounts for every row of every sheet.
//!
//! Forms are small (a region is at most a few thousand rows a sheet), so this works over the
//! grid of cells directly.

use super::ReadError;
use std::collections::BTreeMap;

use polars::prelude::*;
use crate::layout::{Block, SkipKind, SkippedRow, WideSheet, WideSummary};

use super::headers::{fold_lookalike, header_is_share, is_number_row, Matcher};
use super::{Grid, MappedColumn, RawFrame, SourceInfo, ROW_COL};

/// Column carrying the sheet of each record.
pub const SHEET_COL: &str = "__sheet";

/// Canonical columns a metric sub-header can map to.
pub const METRICS: &[&str] = &["participants", "mark2", "mark3", "mark4", "mark5", "below_min", "mean_score"];
/// Count metrics: a blank cell in a block that has data means zero.
const COUNTS: &[&str] = &["participants", "mark2", "mark3", "mark4", "mark5", "below_min"];
/// Canonical columns a label (non-metric) column can map to.
const KEYS: &[&str] = &["year", "school_id", "name", "municipality", "procedure", "grade"];


/// What the configuration says about a wide form (everything optional: found when not given).
#[derive(Debug, Clone, Default)]
pub struct WideOptions {
    /// Sheets to read; empty: every sheet (sheets without a recognisable header are skipped).
    pub sheets: Vec<String>,
    /// 1-based row of the subject headers (default: the nearest filled row above the metrics).
    pub subject_row: Option<usize>,
    /// 1-based row of the metric sub-headers (default: the first row with two known metrics).
    pub metric_row: Option<usize>,
    /// 1-based rows to skip besides the ones recognised (column numbers, totals, subtotals).
    pub skip_rows: Vec<usize>,
    /// Texts that start a total row in any label cell («ВСЕГО по региону», «Итого»).
    pub total_markers: Vec<String>,
    /// The procedure when neither the sheet name, the title rows nor the subject headers say it.
    pub procedure: Option<String>,
    pub grade: Option<u32>,
    /// The year of every sheet (the input's `year`).
    pub year: Option<i32>,
    /// The year per sheet name.
    pub years: BTreeMap<String, i32>,
}

/// Default total markers.
pub const TOTAL_MARKERS: &[&str] = &["всего", "итого", "в целом по", "по региону", "по области", "total"];

/// The column letter of a 0-based index («A», «Z», «AA»).
pub fn column_letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push((b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.iter().rev().collect()
}

fn lower(s: &str) -> String {
    s.chars().map(fold_lookalike).flat_map(char::to_lowercase).map(fold_lookalike).collect()
}

fn is_placeholder(s: &str) -> bool {
    super::PLACEHOLDERS.contains(&s.trim())
}

/// A cell that is a whole number (as a person wrote it).
fn whole(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| t.strip_suffix(".0").and_then(|x| x.parse().ok()))
}

/// ВПР, ОГЭ or ЕГЭ named in a text (a sheet name, a title, a subject header).
pub fn procedure_in(text: &str) -> Option<&'static str> {
    let t = lower(text);
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.iter().any(|w| *w == "егэ" || *w == "ege") || t.contains("гиа-11") || t.contains("гиа 11") {
        Some("ЕГЭ")
    } else if words.iter().any(|w| *w == "огэ" || *w == "oge") || t.contains("гиа-9") || t.contains("гиа 9") {
        Some("ОГЭ")
    } else if words.iter().any(|w| *w == "впр" || *w == "vpr") {
        Some("ВПР")
    } else {
        None
    }
}

/// The last four-digit year (1990–2100) in a text: «ЕГЭ-2025» → 2025, «2024/2025» → 2025.
pub fn year_in(text: &str) -> Option<i32> {
    let mut found = None;
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if digits.len() == 4 {
                if let Ok(y) = digits.parse::<i32>() {
                    if (1990..=2100).contains(&y) {
                        found = Some(y);
                    }
                }
            }
            digits.clear();
        }
    }
    found
}

/// A grade in a subject header: «4 класс», «4 кл.», «(4 кл)».
pub fn grade_in(text: &str) -> Option<u32> {
    let t = lower(text);
    // «5-й класс», «5-х классов»: an ordinal ending is not a word of its own.
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "й" | "го" | "х" | "ый" | "ой" | "ий" | "ых" | "ом"))
        .collect();
    let grade = |n: &str| n.parse::<u32>().ok().filter(|g| (1..=11).contains(g));
    let class_word = |k: &str| k.starts_with("кл") || k == "класс";
    words.windows(2).find_map(|w| match w {
        // «5 класс», «5 кл.», then «класс 5», «класс: 5».
        [n, k] if class_word(k) => grade(n),
        [k, n] if class_word(k) => grade(n),
        _ => None,
    })
}

/// Words that are units, not part of a subject («чел.», «%», «количество»).
const UNIT_WORDS: &[&str] = &["чел", "человек", "кол", "во", "колво", "количество", "%", "доля", "процент", "в"];

/// The subject of a block header: the procedure, the grade and units taken away
/// («ЕГЭ. Русский язык, чел.» → «Русский язык»; «Математика (профиль)» stays).
fn subject_of(header: &str) -> String {
    let mut text = header.to_string();
    // Parenthesised or comma-separated parts that hold only units, grades or the procedure.
    let droppable = |part: &str| {
        let l = lower(part);
        let words: Vec<&str> = l.split(|c: char| !(c.is_alphanumeric() || c == '%')).filter(|w| !w.is_empty()).collect();
        !words.is_empty()
            && words.iter().all(|w| {
                UNIT_WORDS.contains(w) || w.parse::<u32>().is_ok() || w.starts_with("кл") || *w == "класс" || procedure_in(w).is_some() || year_in(w).is_some()
            })
    };
    // «(чел.)», «(4 класс)»
    while let (Some(open), Some(close)) = (text.find('('), text.find(')')) {
        if close < open {
            break;
        }
        let inner = text.get(open + 1..close).unwrap_or_default().to_string();
        if !droppable(&inner) {
            break;
        }
        text = format!("{}{}", text.get(..open).unwrap_or_default(), text.get(close + 1..).unwrap_or_default());
    }
    let parts: Vec<&str> = text.split([',', '.', ':', ';']).collect();
    let kept: Vec<&str> = parts.into_iter().filter(|p| !p.trim().is_empty() && !droppable(p)).collect();
    let mut joined = kept.join(",");
    // A procedure or grade at the very start: «ЕГЭ Русский язык», «4 класс Математика».
    let words: Vec<&str> = joined.split_whitespace().collect();
    let mut start = 0;
    while let Some(w) = words.get(start) {
        let l = lower(w);
        if procedure_in(w).is_some() || l.starts_with("кл") || l == "класс" || (w.parse::<u32>().is_ok() && words.get(start + 1).is_some_and(|n| lower(n).starts_with("кл"))) {
            start += 1;
        } else {
            break;
        }
    }
    if start > 0 {
        joined = words.get(start..).unwrap_or_default().join(" ");
    }
    joined.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '-' || c == '–' || c == '—').to_string()
}

/// Layout of one sheet's header.
struct Header {
    subject_idx: usize,
    metric_idx: usize,
    /// (column, canonical key) of label columns.
    keys: Vec<(usize, String, String)>,
    blocks: Vec<(Block, Vec<(usize, String)>)>,
    unknown: Vec<String>,
    mapped: Vec<MappedColumn>,
}

fn metric_of<'m>(matcher: &'m Matcher, cell: &str) -> Option<&'m str> {
    matcher.canonical_of(cell).filter(|c| METRICS.contains(c))
}

fn find_metric_row(rows: &[Vec<Option<String>>], matcher: &Matcher) -> Option<usize> {
    rows.iter().take(40).position(|r| {
        !is_number_row(r) && r.iter().flatten().filter(|c| metric_of(matcher, c).is_some()).count() >= 2
    })
}

fn header(grid: &Grid, matcher: &Matcher, opts: &WideOptions, sheet: &str) -> Result<Header, ReadError> {
    let rows = &grid.rows;
    let (metric_idx, subject_idx) = header_rows(grid, matcher, opts, sheet)?;
    let metric_row = rows.get(metric_idx).cloned().unwrap_or_default();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let first_metric = (0..width).find(|c| metric_row.get(*c).cloned().flatten().is_some_and(|t| metric_of(matcher, &t).is_some())).unwrap_or(0);
    let subjects = filled_subjects(&rows.get(subject_idx).cloned().unwrap_or_default(), width, first_metric);
    let label = |c: usize| -> Option<String> {
        (subject_idx..=metric_idx).rev().find_map(|i| rows.get(i).and_then(|r| r.get(c)).cloned().flatten())
    };
    let mut h = Columns::default();
    for c in 0..width {
        let letter = column_letter(c + grid.first_col);
        let metric_cell = metric_row.get(c).cloned().flatten();
        let metric = metric_cell.as_deref().and_then(|t| metric_of(matcher, t));
        match (metric, subjects.get(c).cloned().flatten()) {
            (Some(m), Some(subj_header)) => h.metric(c, letter, m, metric_cell.unwrap_or_default(), subj_header),
            (Some(_), None) => h.note_unknown(tr!("показатель без предмета над ним", "a metric without a subject above it"), letter),
            (None, _) => {
                if let Some(text) = label(c) {
                    h.label(c, letter, text, matcher);
                }
            }
        }
    }
    h.check(sheet)?;
    let unknown: Vec<String> = h.unknown.into_iter().map(|(text, letters)| format!("{text} — {}", letters.join(", "))).collect();
    Ok(Header { subject_idx, metric_idx, keys: h.keys, blocks: h.blocks, unknown, mapped: h.mapped })
}

/// The indices (in the grid) of the metric row and the subject row above it: as configured,
/// or found.
fn header_rows(grid: &Grid, matcher: &Matcher, opts: &WideOptions, sheet: &str) -> Result<(usize, usize), ReadError> {
    let rows = &grid.rows;
    let index_of = |n: usize| grid.numbers.iter().position(|&r| r == n as u64);
    let metric_idx = match opts.metric_row {
        Some(n) => index_of(n).ok_or_else(|| ReadError::Layout(tr!("лист «{sheet}»: строка показателей {n} пуста или её нет", "sheet '{sheet}': metric row {n} is empty or missing")))?,
        None => find_metric_row(rows, matcher).ok_or_else(|| {
            ReadError::Layout(tr!(
                "лист «{sheet}»: не найдена строка показателей (например, «приняло участие», «не преодолен min порог», «средний балл»); задайте wide.metric_row и wide.metrics",
                "sheet '{sheet}': no row of metrics found (e.g. «приняло участие», «не преодолен min порог», «средний балл»); set wide.metric_row and wide.metrics"
            ))
        })?,
    };
    let metric_row = rows.get(metric_idx).cloned().unwrap_or_default();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let metric_cols: Vec<usize> = (0..width).filter(|c| metric_row.get(*c).cloned().flatten().is_some_and(|t| metric_of(matcher, &t).is_some())).collect();
    let subject_idx = match opts.subject_row {
        Some(n) => index_of(n).ok_or_else(|| ReadError::Layout(tr!("лист «{sheet}»: строка предметов {n} пуста или её нет", "sheet '{sheet}': subject row {n} is empty or missing")))?,
        None => (0..metric_idx)
            .rev()
            .find(|i| rows.get(*i).is_some_and(|r| metric_cols.iter().any(|c| r.get(*c).cloned().flatten().is_some())))
            .ok_or_else(|| {
                ReadError::Layout(tr!(
                    "лист «{sheet}»: над показателями нет строки с предметами; задайте wide.subject_row",
                    "sheet '{sheet}': no row of subjects above the metrics; set wide.subject_row"
                ))
            })?,
    };
    Ok((metric_idx, subject_idx))
}

/// Subjects fill to the right over blank cells (a header centred across its block), from the
/// first metric column on.
fn filled_subjects(subject_row: &[Option<String>], width: usize, first_metric: usize) -> Vec<Option<String>> {
    let mut subjects: Vec<Option<String>> = vec![None; width];
    let mut current: Option<String> = None;
    for (c, slot) in subjects.iter_mut().enumerate() {
        if c < first_metric {
            continue;
        }
        if let Some(v) = subject_row.get(c).cloned().flatten() {
            current = Some(v);
        }
        *slot = current.clone();
    }
    subjects
}

/// The header's columns as they are read left to right: label columns, subject blocks with
/// their metrics, unknown headers (each with the columns it heads).
#[derive(Default)]
struct Columns {
    keys: Vec<(usize, String, String)>,
    blocks: Vec<(Block, Vec<(usize, String)>)>,
    unknown: Vec<(String, Vec<String>)>,
    mapped: Vec<MappedColumn>,
}

impl Columns {
    fn note_unknown(&mut self, text: String, letter: String) {
        match self.unknown.iter_mut().find(|(t, _)| *t == text) {
            Some((_, letters)) => letters.push(letter),
            None => self.unknown.push((text, vec![letter])),
        }
    }

    /// A metric column `c` under the subject header `subj_header`.
    fn metric(&mut self, c: usize, letter: String, m: &str, metric_text: String, subj_header: String) {
        let share = header_is_share(&metric_text) || header_is_share(&subj_header);
        let same_block = self.blocks.last().is_some_and(|(b, cols)| b.header == subj_header && cols.last().is_some_and(|(lc, _)| *lc < c));
        if !same_block {
            let subject = subject_of(&subj_header);
            self.blocks.push((
                Block {
                    subject: if subject.is_empty() { subj_header.clone() } else { subject },
                    procedure: procedure_in(&subj_header).map(str::to_string),
                    grade: grade_in(&subj_header),
                    header: subj_header.clone(),
                    metrics: Vec::new(),
                },
                Vec::new(),
            ));
        }
        let Some((block, cols)) = self.blocks.last_mut() else { return };
        if cols.iter().any(|(_, have)| have == m) {
            self.note_unknown(tr!("«{metric_text}» (второй столбец «{m}» в блоке)", "«{metric_text}» (a second '{m}' column in the block)"), letter);
            return;
        }
        cols.push((c, m.to_string()));
        block.metrics.push((letter, m.to_string()));
        match self.mapped.iter_mut().find(|x| x.canonical == m) {
            Some(prev) => {
                prev.share = prev.share || share;
                if !prev.source.split(" | ").any(|s| s == metric_text) {
                    prev.source = format!("{} | {metric_text}", prev.source);
                }
            }
            None => self.mapped.push(MappedColumn { source: metric_text, canonical: m.to_string(), share, matched_by: None }),
        }
    }

    /// A column outside the blocks headed `text`: a label column (school, municipality, …) or
    /// unknown.
    fn label(&mut self, c: usize, letter: String, text: String, matcher: &Matcher) {
        let (key, how) = match matcher.resolve(&text) {
            super::headers::Resolved::Exact(k) => (Some(k), None),
            super::headers::Resolved::Loose(k, how) => (Some(k), Some(how)),
            _ => (None, None),
        };
        match key.filter(|k| KEYS.contains(&k.as_str())) {
            Some(k) if !self.keys.iter().any(|(_, have, _)| *have == k) => {
                self.keys.push((c, k.clone(), text.clone()));
                self.mapped.push(MappedColumn { source: text, canonical: k, share: false, matched_by: how });
            }
            _ => self.note_unknown(format!("«{text}»"), letter),
        }
    }

    /// A sheet is read when it has subject blocks with results and a school column.
    fn check(&self, sheet: &str) -> Result<(), ReadError> {
        if self.blocks.is_empty() {
            return Err(ReadError::Layout(tr!("лист «{sheet}»: нет блоков предметов", "sheet '{sheet}': no subject blocks")));
        }
        // One count per subject and no result (e.g. registrations for the exams): not results.
        if !self.blocks.iter().any(|(_, cols)| cols.iter().any(|(_, m)| m != "participants")) {
            return Err(ReadError::Layout(tr!(
                "лист «{sheet}»: по предметам только число участников, без результатов («2», «не преодолен min порог», «средний балл») — это не таблица результатов (например, регистрация на экзамены)",
                "sheet '{sheet}': only a count per subject, no results (mark 2, below the minimum, mean score) — not a results table (e.g. exam registrations)"
            )));
        }
        if !self.keys.iter().any(|(_, k, _)| k == "name" || k == "school_id") {
            return Err(ReadError::Layout(tr!(
                "лист «{sheet}»: нет столбца с названием или кодом ОО (например, «Наименование ОО»)",
                "sheet '{sheet}': no column with the school name or id (e.g. «Наименование ОО»)"
            )));
        }
        Ok(())
    }
}

impl Header {
    /// Whether a label column gives this canonical key.
    fn has_key(&self, k: &str) -> bool {
        self.keys.iter().any(|(_, have, _)| have == k)
    }
}

/// Records of one sheet, column by column.
#[derive(Default)]
struct Records {
    cols: BTreeMap<String, Vec<Option<String>>>,
    sources: BTreeMap<String, Vec<Option<String>>>,
    rows: Vec<u64>,
    sheets: Vec<String>,
}

impl Records {
    fn push(&mut self, values: &BTreeMap<String, Option<String>>, sources: &BTreeMap<String, String>, row: u64, sheet: &str) {
        let n = self.rows.len();
        for (k, v) in values {
            self.cols.entry(k.clone()).or_insert_with(|| vec![None; n]).push(v.clone());
        }
        for (k, col) in self.cols.iter_mut() {
            if !values.contains_key(k) {
                col.push(None);
            }
        }
        for (k, v) in sources {
            self.sources.entry(k.clone()).or_insert_with(|| vec![None; n]).push(Some(v.clone()));
        }
        for (k, col) in self.sources.iter_mut() {
            if !sources.contains_key(k) {
                col.push(None);
            }
        }
        self.rows.push(row);
        self.sheets.push(sheet.to_string());
    }
}

/// The year and the procedure of a sheet: from the configuration, the sheet name or the title
/// rows above the header; an error when neither is known and no column gives them.
fn sheet_year_procedure(grid: &Grid, h: &Header, opts: &WideOptions, sheet: &str) -> Result<(Option<i32>, Option<&'static str>), ReadError> {
    let titles: Vec<String> = grid.rows.iter().take(h.subject_idx).flat_map(|r| r.iter().flatten().cloned()).collect();
    let year = opts
        .year
        .or_else(|| opts.years.iter().find(|(k, _)| lower(k.trim()) == lower(sheet.trim())).map(|(_, y)| *y))
        .or_else(|| year_in(sheet))
        .or_else(|| titles.iter().find_map(|t| year_in(t)));
    if year.is_none() && !h.has_key("year") {
        return Err(ReadError::Layout(tr!(
            "лист «{sheet}»: год не определён (его нет ни в названии листа, ни в заголовке); задайте year или wide.years",
            "sheet '{sheet}': the year is unknown (neither in the sheet name nor in the title); set year or wide.years"
        )));
    }
    let procedure = opts
        .procedure
        .as_deref()
        .and_then(procedure_in)
        .or_else(|| procedure_in(sheet))
        .or_else(|| titles.iter().find_map(|t| procedure_in(t)));
    if procedure.is_none() && !h.has_key("procedure") && h.blocks.iter().any(|(b, _)| b.procedure.is_none()) {
        return Err(ReadError::Layout(tr!(
            "лист «{sheet}»: процедура (ОГЭ, ЕГЭ, ВПР) не определена ни по названию листа, ни по заголовку; задайте wide.procedure",
            "sheet '{sheet}': the procedure (ОГЭ, ЕГЭ, ВПР) is named neither in the sheet name nor in the title; set wide.procedure"
        )));
    }
    Ok((year, procedure))
}

/// Adds a sheet's mapped and unknown columns to the file's (a metric read as shares on one sheet
/// and as counts on another is read as shares, with a warning).
fn merge_columns(h: &Header, sheet: &str, mapped_all: &mut Vec<MappedColumn>, unknown_all: &mut Vec<String>, warnings: &mut Vec<(String, String)>) {
    for m in &h.mapped {
        if let Some(prev) = mapped_all.iter_mut().find(|x| x.canonical == m.canonical) {
            if prev.share != m.share {
                warnings.push((
                    sheet.to_string(),
                    tr!(
                        "«{}»: в одних блоках количества, в других доли — все значения читаются как доли",
                        "'{}': counts in some blocks, shares in others — all values are read as shares",
                        m.canonical
                    ),
                ));
            }
            prev.share = prev.share || m.share;
            for s in m.source.split(" | ") {
                if !prev.source.split(" | ").any(|x| x == s) {
                    prev.source = format!("{} | {s}", prev.source);
                }
            }
        } else {
            mapped_all.push(m.clone());
        }
    }
    for u in &h.unknown {
        let u = format!("{sheet}: {u}");
        if !unknown_all.contains(&u) {
            unknown_all.push(u);
        }
    }
}

/// One sheet being read: its grid, header and what the sheet says of year and procedure.
struct SheetRead<'a> {
    grid: &'a Grid,
    h: &'a Header,
    sheet: &'a str,
    year: Option<i32>,
    procedure: Option<&'static str>,
    opts: &'a WideOptions,
    markers: &'a [String],
}

impl SheetRead<'_> {
    /// Every row below the header: a school (its blocks become records), a skipped row with its
    /// kind, or an empty row.
    fn read(&self, records: &mut Records) -> WideSheet {
        let (grid, h) = (self.grid, self.h);
        let mut info = WideSheet {
            sheet: self.sheet.to_string(),
            year: self.year,
            procedure: self.procedure.map(str::to_string),
            subject_row: grid.numbers.get(h.subject_idx).copied().unwrap_or(0),
            metric_row: grid.numbers.get(h.metric_idx).copied().unwrap_or(0),
            blocks: h.blocks.iter().map(|(b, _)| b.clone()).collect(),
            rows: 0,
            school_rows: 0,
            skipped: Vec::new(),
            empty_rows: 0,
            empty_blocks: 0,
        };
        let key_col = |k: &str| h.keys.iter().find(|(_, have, _)| have == k).map(|(c, _, _)| *c);
        let (name_c, id_c, mun_c) = (key_col("name"), key_col("school_id"), key_col("municipality"));
        let label_cols: Vec<usize> = {
            let first_metric = h.blocks.first().and_then(|(_, cols)| cols.first()).map_or(0, |(c, _)| *c);
            let mut v: Vec<usize> = (0..first_metric).collect();
            v.extend(h.keys.iter().map(|(c, _, _)| *c).filter(|c| *c >= first_metric));
            v
        };
        let mut carried: Option<String> = None;
        let mut first_data = true;
        for (row, &number) in grid.rows.iter().zip(grid.numbers.iter()).skip(h.metric_idx + 1) {
            let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).cloned().flatten().filter(|t| !is_placeholder(t));
            if row.iter().all(Option::is_none) {
                info.empty_rows += 1;
                continue;
            }
            info.rows += 1;
            let was_first = std::mem::replace(&mut first_data, false);
            let skip = |kind: SkipKind, text: Option<String>| SkippedRow { row: number, kind, text };
            if self.opts.skip_rows.contains(&(number as usize)) {
                info.skipped.push(skip(SkipKind::Configured, None));
                continue;
            }
            if was_first && is_number_row(row) {
                info.skipped.push(skip(SkipKind::ColumnNumbers, None));
                continue;
            }
            let total = label_cols.iter().filter_map(|c| row.get(*c).cloned().flatten()).find(|t| {
                let l = lower(t);
                self.markers.iter().any(|m| l.starts_with(m.as_str()))
            });
            if let Some(t) = total {
                info.skipped.push(skip(SkipKind::Total, Some(t)));
                continue;
            }
            let (name, id, mun) = (cell(name_c), cell(id_c), cell(mun_c));
            if name.is_none() && id.is_none() {
                match mun {
                    Some(m) => {
                        carried = Some(m.clone());
                        info.skipped.push(skip(SkipKind::Municipality, Some(m)));
                    }
                    None => info.skipped.push(skip(SkipKind::NoSchool, None)),
                }
                continue;
            }
            if let Some(m) = &mun {
                carried = Some(m.clone());
            }
            info.school_rows += 1;
            let mut base: BTreeMap<String, Option<String>> = BTreeMap::new();
            for (c, k, _) in &h.keys {
                let v = if k == "municipality" { mun.clone().or_else(|| carried.clone()) } else { row.get(*c).cloned().flatten() };
                base.insert(k.clone(), v);
            }
            if !h.has_key("municipality") {
                if let Some(m) = &carried {
                    base.insert("municipality".to_string(), Some(m.clone()));
                }
            }
            if !h.has_key("year") {
                base.insert("year".to_string(), self.year.map(|y| y.to_string()));
            }
            info.empty_blocks += self.push_blocks(row, number, &base, records);
        }
        info
    }

    /// The records of one school row, a subject block each; returns the number of empty blocks.
    fn push_blocks(&self, row: &[Option<String>], number: u64, base: &BTreeMap<String, Option<String>>, records: &mut Records) -> u64 {
        let (grid, h) = (self.grid, self.h);
        let mut empty = 0;
        for (block, cols) in &h.blocks {
            let cells: Vec<(&String, Option<String>)> = cols.iter().map(|(c, m)| (m, row.get(*c).cloned().flatten().filter(|t| !is_placeholder(t)))).collect();
            // No count in the block (blank or 0): nobody took the subject there, even where a
            // mean is written as 0 beside the blank count.
            let zero = |v: &Option<String>| v.as_deref().is_none_or(|t| whole(t) == Some(0));
            let nothing = |v: &Option<String>| v.as_deref().is_none_or(|t| t.trim().replace(',', ".").parse::<f64>().is_ok_and(|x| x == 0.0));
            if cells.iter().all(|(m, v)| if COUNTS.contains(&m.as_str()) { zero(v) } else { nothing(v) }) {
                empty += 1;
                continue;
            }
            let mut values = base.clone();
            let mut sources: BTreeMap<String, String> = BTreeMap::new();
            if !h.has_key("procedure") {
                values.insert("procedure".to_string(), block.procedure.clone().or_else(|| self.procedure.map(str::to_string)));
            }
            if !h.has_key("grade") || values.get("grade").is_some_and(Option::is_none) {
                values.insert("grade".to_string(), block.grade.or(self.opts.grade).map(|g| g.to_string()));
            }
            values.insert("subject".to_string(), Some(block.subject.clone()));
            for ((m, v), (c, _)) in cells.into_iter().zip(cols.iter()) {
                let v = match v {
                    None if COUNTS.contains(&m.as_str()) => Some("0".to_string()),
                    other => other,
                };
                values.insert(m.clone(), v);
                let header = grid.rows.get(h.metric_idx).and_then(|r| r.get(*c)).cloned().flatten().unwrap_or_default();
                sources.insert(m.clone(), format!("{}: {} — {}", column_letter(*c + grid.first_col), block.header, header));
            }
            records.push(&values, &sources, number, self.sheet);
        }
        empty
    }
}

/// Reads the sheets of a wide form into the long per-school form.
pub(crate) fn read(grids: Vec<Grid>, matcher: &Matcher, opts: &WideOptions, explicit_sheets: bool) -> Result<RawFrame, ReadError> {
    let markers: Vec<String> = if opts.total_markers.is_empty() {
        TOTAL_MARKERS.iter().map(|m| lower(m)).collect()
    } else {
        opts.total_markers.iter().map(|m| lower(m.trim())).collect()
    };
    let mut summary = WideSummary::default();
    let mut records = Records::default();
    let mut mapped_all: Vec<MappedColumn> = Vec::new();
    let mut unknown_all: Vec<String> = Vec::new();
    let mut format = String::new();
    let mut empty_total = 0u64;
    for grid in &grids {
        let sheet = grid.info.sheet.clone().unwrap_or_default();
        format.clone_from(&grid.info.format);
        let h = match header(grid, matcher, opts, &sheet) {
            Ok(h) => h,
            Err(e) if !explicit_sheets && grids.len() > 1 => {
                summary.passed_over.push((sheet.clone(), e.to_string()));
                continue;
            }
            Err(e) => return Err(e),
        };
        let (year, procedure) = sheet_year_procedure(grid, &h, opts, &sheet)?;
        merge_columns(&h, &sheet, &mut mapped_all, &mut unknown_all, &mut summary.warnings);
        let sheet_ctx = SheetRead { grid, h: &h, sheet: &sheet, year, procedure, opts, markers: &markers };
        let info = sheet_ctx.read(&mut records);
        empty_total += info.empty_rows;
        summary.sheets.push(info);
    }
    if summary.sheets.is_empty() {
        let why: Vec<String> = summary.passed_over.iter().map(|(_, e)| e.clone()).collect();
        return Err(ReadError::Layout(tr!(
            "ни на одном листе не найдена широкая таблица результатов: {}",
            "no sheet holds a wide results table: {}",
            why.join("; ")
        )));
    }
    let rows_read = records.rows.len() as u64;
    let mut columns: Vec<Column> = Vec::new();
    for (k, v) in records.cols {
        columns.push(Column::new(k.as_str().into(), v));
    }
    for (k, v) in records.sources {
        columns.push(Column::new(format!("__src_{k}").as_str().into(), v));
    }
    columns.push(Column::new(SHEET_COL.into(), records.sheets));
    columns.push(Column::new(ROW_COL.into(), records.rows));
    let df = DataFrame::new_infer_height(columns)?;
    let sheets: Vec<String> = summary.sheets.iter().map(|s| s.sheet.clone()).collect();
    Ok(RawFrame {
        df,
        info: SourceInfo {
            format,
            encoding: grids.first().and_then(|g| g.info.encoding.clone()),
            delimiter: grids.first().and_then(|g| g.info.delimiter.clone()),
            // A CSV form has no sheet name.
            sheet: Some(sheets.join(", ")).filter(|s| !s.is_empty()),
            header_row: None,
            number_row: None,
        },
        mapped: mapped_all,
        unknown: unknown_all,
        rows_read,
        ragged: Vec::new(),
        bad_utf8_rows: Vec::new(),
        empty_rows: empty_total,
        wide: Some(summary),
        titles: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn subjects_from_block_headers() {
        for (raw, want) in [
            ("Русский язык, чел.", "Русский язык"),
            ("Русский язык (чел.)", "Русский язык"),
            ("ЕГЭ. Математика профильная", "Математика профильная"),
            ("Математика (профильный уровень), чел.", "Математика (профильный уровень)"),
            ("4 класс. Русский язык", "Русский язык"),
            ("ВПР 5 кл Математика", "Математика"),
            ("Обществознание", "Обществознание"),
            ("Иностранный язык (английский), %", "Иностранный язык (английский)"),
        ] {
            assert_eq!(subject_of(raw), want, "{raw}");
        }
        assert_eq!(grade_in("4 класс. Русский язык"), Some(4));
        assert_eq!(grade_in("ВПР 5 кл Математика"), Some(5));
        assert_eq!(grade_in("Русский язык"), None);
        assert_eq!(grade_in("ВПР по истории, 7-й класс"), Some(7));
        assert_eq!(grade_in("Класс: 6"), Some(6));
        assert_eq!(grade_in("Класс 12"), None);
    }

    fn grid(rows: Vec<Vec<Option<String>>>, sheet: &str) -> Grid {
        let numbers = (1..=rows.len() as u64).collect();
        Grid {
            rows,
            numbers,
            info: SourceInfo { format: "XLSX".to_string(), sheet: Some(sheet.to_string()), ..SourceInfo::default() },
            lossy: false,
            first_col: 0,
        }
    }

    fn matcher() -> Matcher {
        Matcher::new([
            ("name", "Наименование ОО"),
            ("municipality", "Муниципалитет"),
            ("participants", "приняло участие"),
            ("below_min", "не преодолен min порог"),
            ("mean_score", "средний балл"),
            ("mark2", "«2»"),
        ])
    }

    proptest::proptest! {
        /// Whatever the cells, the reader never panics, and every row below the header of every
        /// sheet read is a school row, a skipped row (with its kind) or an empty row.
        #[test]
        fn every_row_is_accounted_for(
            body in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::strategy::Just(None),
                        proptest::sample::select(vec!["ВСЕГО", "Итого по МО", "Район А", "СОШ № 1", "х", "1", "2", "3", "12,5", "-4", "Гимназия", "приняло участие"]).prop_map(|s| Some(s.to_string())),
                    ],
                    0..7,
                ),
                0..25,
            ),
            shift in 0usize..2,
        ) {
            let mut rows: Vec<Vec<Option<String>>> = vec![
                vec![Some("ЕГЭ 2025".to_string())],
                vec![None; shift],
                vec![None; shift],
            ];
            let s = |t: &str| Some(t.to_string());
            rows[1].extend([s("Муниципалитет"), s("Наименование ОО"), s("Русский язык"), None, s("Математика"), None]);
            rows[2].extend([s("Муниципалитет"), s("Наименование ОО"), s("приняло участие"), s("средний балл"), s("приняло участие"), s("«2»")]);
            rows.extend(body);
            let g = grid(rows, "ЕГЭ-2025");
            if let Ok(frame) = read(vec![g], &matcher(), &WideOptions::default(), true) {
                let w = frame.wide.unwrap();
                for sh in &w.sheets {
                    proptest::prop_assert_eq!(sh.rows, sh.school_rows + sh.skipped.len() as u64);
                    proptest::prop_assert!(frame.rows_read + sh.empty_blocks <= sh.school_rows * 2);
                }
                proptest::prop_assert_eq!(frame.df.height() as u64, frame.rows_read);
            }
        }
    }

    #[test]
    fn years_procedures_number_rows() {
        assert_eq!(year_in("ЕГЭ-2025"), Some(2025));
        assert_eq!(year_in("2024/2025"), Some(2025));
        assert_eq!(year_in("Лист1"), None);
        assert_eq!(year_in("на 01.07.2024"), Some(2024));
        assert_eq!(procedure_in("Результаты ЕГЭ-2025"), Some("ЕГЭ"));
        assert_eq!(procedure_in("ГИА-9 2024"), Some("ОГЭ"));
        assert_eq!(procedure_in("огэ"), Some("ОГЭ"));
        assert_eq!(procedure_in("Математика"), None);
    }
}
