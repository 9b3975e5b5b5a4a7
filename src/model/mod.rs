//! Canonical tables and their schema; building them from raw frames with full row accounting.

pub mod bunching;
pub mod checks;
pub mod columns;
pub mod clean;
pub mod context;
pub mod crosswalk;
pub mod names;
pub mod protocol;
pub mod questionnaire;
pub mod register;
pub mod report;
pub mod results;
pub mod results_common;
pub mod scales;
mod schedule;
pub mod selfdiagnosis;
pub mod schema;
pub mod students;
pub mod subjects;

use anyhow::Result;
use polars::prelude::*;

use crate::config::{Config, InputKind, InputSpec};
use crate::error::usage;
use crate::ingest::{self, Matcher, ReadOptions};
use report::{InputReport, Problem, Reason, Severity};
use schedule::{start_order, Awaited};

/// Everything read from the inputs, ready for the indices.
pub struct Dataset {
    pub register: Option<DataFrame>,
    /// school × year × procedure (see `results::combine`).
    pub results: Option<DataFrame>,
    /// school_id, year, indicator, respondents, share, families.
    pub questionnaire: Option<DataFrame>,
    pub context: Vec<DataFrame>,
    /// school_id, factor, level, actual — the schools' self-diagnosis of risk factors (§4.9).
    pub selfdiagnosis: Option<DataFrame>,
    pub reports: Vec<InputReport>,
    /// Problems and data-quality notes about the inputs as a whole.
    pub notes: Vec<Problem>,
    pub latest_year: Option<i32>,
    pub first_year: Option<i32>,
    /// Register schools with no results in the files, and with no questionnaires.
    pub without_results: Vec<RegisterSchool>,
    pub without_questionnaire: Vec<RegisterSchool>,
}

/// A register school, as data-quality lists name it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegisterSchool {
    pub school_id: String,
    pub name: Option<String>,
    pub municipality: Option<String>,
}

/// The register schools whose id is not among `ids`, with a note (`code`, `message` of their
/// number) when there are any.
fn schools_not_in(register: &DataFrame, ids: &Column, notes: &mut Vec<Problem>, code: &str, message: impl Fn(usize) -> String) -> Result<Vec<RegisterSchool>> {
    let missing = register_schools_not_in(register, ids)?;
    if !missing.is_empty() {
        notes.push(Problem::new(Severity::Note, code, message(missing.len())));
    }
    Ok(missing)
}

/// The register schools whose id is not among `ids` (in register order).
fn register_schools_not_in(register: &DataFrame, ids: &Column) -> Result<Vec<RegisterSchool>> {
    let present = DataFrame::new_infer_height(vec![ids.as_materialized_series().cast(&DataType::String)?.unique()?.with_name("school_id".into()).into()])?;
    let missing = register
        .clone()
        .lazy()
        .select([col("school_id"), col("name"), col("municipality")])
        .join(present.lazy(), [col("school_id")], [col("school_id")], JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Anti) })
        .collect()?;
    let text = |c: &str| -> Result<Vec<Option<String>>> {
        Ok(missing.column(c)?.cast(&DataType::String)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let (ids, names, places) = (text("school_id")?, text("name")?, text("municipality")?);
    Ok(ids
        .into_iter()
        .zip(names)
        .zip(places)
        .filter_map(|((id, name), municipality)| id.map(|school_id| RegisterSchool { school_id, name, municipality }))
        .collect())
}

impl Dataset {
    pub fn fatal(&self) -> bool {
        self.reports.iter().any(|r| r.fatal) || self.notes.iter().any(|n| n.severity == Severity::Fatal)
    }
}

/// The matcher of source headers for an input kind: canonical names, built-in aliases, extra
/// aliases from the configuration and the input's explicit column mapping.
pub fn matcher_for(kind: InputKind, config: &Config, spec: &InputSpec) -> Matcher {
    let tables: &[&schema::TableDef] = match kind {
        InputKind::Schools => &[&schema::SCHOOLS],
        InputKind::Crosswalk => &[&schema::CROSSWALK],
        InputKind::Scales => &[&schema::SCALES],
        InputKind::Results => &[&schema::RESULTS_STUDENT, &schema::RESULTS_SCHOOL],
        InputKind::Questionnaire => &[&schema::QUESTIONNAIRE_FAMILY, &schema::QUESTIONNAIRE_SCHOOL],
        InputKind::Context => &[&schema::CONTEXT],
        InputKind::Selfdiagnosis => &[&schema::SELFDIAGNOSIS],
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for t in tables {
        for c in t.columns {
            pairs.push((c.name.to_string(), c.name.to_string()));
            for a in c.aliases {
                pairs.push((c.name.to_string(), a.to_string()));
            }
            if let Some(extra) = config.aliases.get(c.name) {
                for a in extra {
                    pairs.push((c.name.to_string(), a.clone()));
                }
            }
        }
    }
    if kind == InputKind::Questionnaire {
        pairs.extend(questionnaire::indicator_aliases(config));
    }
    let mut explicit = spec.columns.clone();
    if let Some(w) = &spec.wide {
        explicit.extend(w.metrics.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Matcher::new(pairs.iter().map(|(c, a)| (c.as_str(), a.as_str()))).with_explicit(&explicit)
}

/// The reader's options for a wide form, from the input's configuration.
fn wide_options(spec: &InputSpec) -> Option<ingest::wide::WideOptions> {
    if spec.kind != InputKind::Results || (spec.layout != crate::config::Layout::Wide && spec.wide.is_none()) {
        return None;
    }
    let w = spec.wide.clone().unwrap_or_default();
    Some(ingest::wide::WideOptions {
        sheets: w.sheets,
        subject_row: w.subject_row,
        metric_row: w.metric_row,
        skip_rows: w.skip_rows,
        total_markers: w.total_markers,
        procedure: w.procedure,
        grade: w.grade,
        year: spec.year,
        years: w.years,
    })
}

/// Reads a file whole (`blocks` false) or, when it is large, block by block (the decision is
/// `ingest::file`'s), and hands each frame to `on_block` after accounting for what the reader
/// excluded. A file that cannot be read is a fatal problem of the report.
fn read_each(
    spec: &InputSpec,
    config: &Config,
    report: &mut InputReport,
    max_problems: usize,
    blocks: bool,
    on_block: &mut dyn FnMut(ingest::RawFrame, &mut InputReport) -> Result<()>,
) -> Result<()> {
    let encoding = ingest::text::encoding_by_name(&spec.encoding).map_err(|e| {
        usage(tr!("{}: неизвестная кодировка «{e}»", "{}: unknown encoding '{e}'", report.path))
    })?;
    let delimiter = ingest::delimiter_by_name(&spec.delimiter).map_err(|e| {
        usage(tr!("{}: недопустимый разделитель «{}»", "{}: invalid delimiter '{}'", report.path, e.0))
    })?;
    let wide = wide_options(spec);
    let opts = ReadOptions {
        encoding,
        delimiter,
        sheet: spec.sheet.as_deref(),
        header_row: spec.header_row,
        keep_unknown: matches!(spec.kind, InputKind::Schools | InputKind::Context | InputKind::Selfdiagnosis),
        numeric: if spec.kind == InputKind::Results { results::NUMBERS } else { &[] },
        wide: wide.as_ref(),
        codes: matches!(spec.kind, InputKind::Results | InputKind::Questionnaire),
    };
    let matcher = matcher_for(spec.kind, config, spec);
    let plan = ingest::file::Plan {
        blocks,
        may_be_wide: spec.kind == InputKind::Results && spec.layout == crate::config::Layout::Auto,
        year: spec.year,
    };
    let size = std::fs::metadata(&spec.path).map_or(0, |m| m.len());
    let bar = crate::progress::Bar::bytes(&spec.path.display().to_string(), size);
    let read = ingest::file::read_file(&spec.path, &matcher, &opts, plan, &|n| bar.inc(n), &mut |raw, how| {
        checks::account_reader(report, &raw, max_problems);
        if how.wide_detected {
            report.problem(report::Severity::Note, "wide_detected", None, None, None, tr!(
                "прочитан как широкая форма (строка — школа, предметы блоками столбцов): в шапке строка предметов над строкой показателей, а столбца предмета нет (layout не задан)",
                "read as a wide form (a row per school, subjects in column blocks): the header has a row of subjects over a row of metrics and no subject column (no layout given)"
            ));
        }
        // After a fatal problem (a required column missing) the other blocks are only counted.
        if report.fatal && !how.whole {
            return Ok(());
        }
        on_block(raw, report)
    });
    match read {
        Ok(frames) if frames > 1 => report.order_excluded(),
        Ok(_) => {}
        Err(ingest::BlockError::Read(e)) => report.fatal("unreadable", None, e.to_string()),
        Err(ingest::BlockError::Handler(e)) => return Err(e),
    }
    Ok(())
}

/// Reads a file whole.
fn read(spec: &InputSpec, config: &Config, report: &mut InputReport, max_problems: usize) -> Result<Option<ingest::RawFrame>> {
    let mut out = None;
    read_each(spec, config, report, max_problems, false, &mut |raw, _| {
        out = Some(raw);
        Ok(())
    })?;
    Ok(out)
}

/// The first year of results identification needs when the latest is the given one (the
/// window, and earlier years some criterion needs; see `identify::first_year_needed`).
pub type FirstYear = fn(&Config, i32) -> i32;

/// Reads and validates every input, in the order register → results → questionnaires → context.
pub fn load(config: &Config, max_problems: usize, first_year: FirstYear) -> Result<Dataset> {
    let filters = check_inputs(config)?;
    let mut ds = Dataset {
        register: None,
        results: None,
        questionnaire: None,
        context: Vec::new(),
        selfdiagnosis: None,
        reports: Vec::new(),
        notes: Vec::new(),
        latest_year: None,
        first_year: None,
        without_results: Vec::new(),
        without_questionnaire: Vec::new(),
    };
    let mut order: Vec<&InputSpec> = config.input.iter().collect();
    order.sort_by_key(|s| s.kind);
    let (scales, scale_reports) = load_scales(&order, config, max_problems)?;
    let shared = Shared {
        config,
        max_problems,
        filters,
        register: Awaited::new(&order, InputKind::Schools),
        crosswalk: Awaited::new(&order, InputKind::Crosswalk),
        scales,
        scale_reports: std::sync::Mutex::new(scale_reports),
    };
    let (mut parts, mut histograms): (Vec<DataFrame>, Vec<results_common::ScoreHistogram>) = (Vec::new(), Vec::new());
    let mut q_tables: Vec<DataFrame> = Vec::new();
    let mut selfdiagnosis: Vec<DataFrame> = Vec::new();
    // Every file is read two at a time (reading is partly single-threaded); results are kept in
    // the configured order.
    let job = |i: usize, spec: &&InputSpec| shared.load_one(i, spec);
    for (report, loaded) in crate::parallel::in_parallel(&order, &start_order(&order), 2, job)? {
        match loaded {
            Loaded::Register(df) => ds.register = Some(df),
            Loaded::Results(df, s) => {
                parts.push(df);
                histograms.extend(s);
            }
            Loaded::Questionnaire(df) => q_tables.push(df),
            Loaded::Context(df) => ds.context.push(df),
            Loaded::Selfdiagnosis(df) => selfdiagnosis.push(df),
            Loaded::Nothing => {}
        }
        ds.reports.push(report);
    }
    let has_results = order.iter().any(|s| s.kind == InputKind::Results);
    if has_results && ds.register.is_none() && !order.iter().any(|s| s.kind == InputKind::Schools) {
        ds.notes.push(Problem::new(
            Severity::Fatal,
            "no_register",
            tr!(
                "не задан реестр ОО (--schools или input с kind = \"schools\"): без него школы в результатах не распознать",
                "no school register (--schools or an input with kind = \"schools\"): schools in the results cannot be recognised"
            ),
        ));
    }
    let t0 = std::time::Instant::now();
    if has_results {
        combine_results(&mut ds, parts, histograms, shared.scales.as_ref(), config, first_year)?;
    }
    crate::i18n::trace(&tr!("объединение результатов всех файлов", "results of all files combined"), t0);
    gate_excluded(&mut ds, config);
    combine_questionnaires(&mut ds, q_tables)?;
    ds.selfdiagnosis = combine_selfdiagnosis(selfdiagnosis)?;
    Ok(ds)
}

/// The usage checks of the inputs and the method's procedures, before anything is read.
fn check_inputs(config: &Config) -> Result<Vec<subjects::ProcedureFilter>> {
    if config.input.is_empty() {
        return Err(usage(tr!(
            "не заданы входные файлы. Если конфигурация создана командой shnor init, её блоки [[input]] закомментированы: раскомментируйте их (уберите «# » в начале строк) и укажите пути к своим файлам. Или задайте файлы в командной строке: --schools, --results, --questionnaire",
            "no inputs. If the configuration was written by shnor init, its [[input]] blocks are commented out: uncomment them (remove the leading «# ») and give your files' paths. Or name the files on the command line: --schools, --results, --questionnaire"
        )));
    }
    let n_registers = config.input.iter().filter(|s| s.kind == InputKind::Schools).count();
    if n_registers > 1 {
        return Err(usage(tr!(
            "задано {n_registers} реестра ОО; нужен один",
            "{n_registers} school registers given; one is needed"
        )));
    }
    if config.input.iter().filter(|s| s.kind == InputKind::Crosswalk).count() > 1 {
        return Err(usage(tr!(
            "задано несколько таблиц соответствия ОО; нужна одна",
            "several school crosswalks given; one is needed"
        )));
    }
    config
        .method
        .procedures
        .iter()
        .map(|p| {
            subjects::parse_filter(p).ok_or_else(|| {
                usage(tr!(
                    "method.procedures: неизвестная процедура «{p}»",
                    "method.procedures: unknown procedure '{p}'"
                ))
            })
        })
        .collect()
}

/// What every file's reading shares: the register's ids and the crosswalk (published once read;
/// every other file's checks wait for them), the scales and their reports, the method's filters.
struct Shared<'a> {
    config: &'a Config,
    max_problems: usize,
    filters: Vec<subjects::ProcedureFilter>,
    register: Awaited<Known>,
    crosswalk: Awaited<names::Crosswalk>,
    scales: Option<scales::Scales>,
    scale_reports: std::sync::Mutex<std::collections::BTreeMap<usize, InputReport>>,
}

impl Shared<'_> {
    /// Reads, checks and aggregates the `i`-th file of the order by its kind.
    fn load_one(&self, i: usize, spec: &InputSpec) -> Result<(InputReport, Loaded)> {
        let (config, max_problems) = (self.config, self.max_problems);
        let mut report = InputReport::new(spec.kind, spec.path.display().to_string());
        let t0 = std::time::Instant::now();
        let loaded = match spec.kind {
            InputKind::Scales => {
                let read = self.scale_reports.lock().ok().and_then(|mut m| m.remove(&i));
                return Ok((read.unwrap_or(report), Loaded::Nothing));
            }
            InputKind::Schools => {
                // The register is published whatever happens, so that no other file waits for ever.
                let publish = self.register.publisher();
                let loaded = load_register(spec, config, &mut report, max_problems)?;
                if let Loaded::Register(reg) = &loaded {
                    publish.set(Some(Known::new(reg.clone())?));
                }
                return Ok((report, loaded));
            }
            InputKind::Crosswalk => {
                let publish = self.crosswalk.publisher();
                let raw = read(spec, config, &mut report, max_problems)?;
                let ids = self.register.wait().as_ref().map(|k| &k.ids);
                if let Some(raw) = raw {
                    publish.set(crosswalk::build(raw, ids, &mut report, max_problems)?);
                }
                return Ok((report, Loaded::Nothing));
            }
            InputKind::Results => self.load_results(i, spec, &mut report)?,
            InputKind::Questionnaire => {
                let mut parts = Vec::new();
                read_each(spec, config, &mut report, max_problems, true, &mut |raw, report| {
                    let ids = self.register.wait().as_ref().map(|k| &k.ids);
                    if let Some(p) = questionnaire::build_block(raw, config, spec, ids, report, max_problems)? {
                        parts.push(p);
                    }
                    Ok(())
                })?;
                questionnaire::finish(parts, &mut report)?.map_or(Loaded::Nothing, |b| Loaded::Questionnaire(b.table))
            }
            InputKind::Context => {
                let raw = read(spec, config, &mut report, max_problems)?;
                let ids = self.register.wait().as_ref().map(|k| &k.ids);
                match raw {
                    Some(raw) => context::build(raw, ids, &mut report, max_problems)?.map_or(Loaded::Nothing, Loaded::Context),
                    None => Loaded::Nothing,
                }
            }
            InputKind::Selfdiagnosis => {
                let raw = read(spec, config, &mut report, max_problems)?;
                let ids = self.register.wait().as_ref().map(|k| &k.ids);
                match raw {
                    Some(raw) => selfdiagnosis::build(raw, ids, config, &mut report, max_problems)?.map_or(Loaded::Nothing, Loaded::Selfdiagnosis),
                    None => Loaded::Nothing,
                }
            }
        };
        crate::i18n::trace(&tr!("чтение, проверка и агрегирование {}", "read, validated {}", report.path), t0);
        Ok((report, loaded))
    }

    /// A results file, whole or block by block, aggregated to school × year × procedure.
    fn load_results(&self, i: usize, spec: &InputSpec, report: &mut InputReport) -> Result<Loaded> {
        let (mut parts, mut scores): (Vec<DataFrame>, Vec<results_common::ScoreHistogram>) = (Vec::new(), Vec::new());
        read_each(spec, self.config, report, self.max_problems, true, &mut |raw, report| {
            let known = self.register.wait().as_ref();
            let ctx = results::Context {
                config: self.config,
                spec,
                register_ids: known.map(|k| &k.ids),
                register: known,
                crosswalk: self.crosswalk.wait().as_ref(),
                scales: self.scales.as_ref(),
                filters: &self.filters,
                file_index: i as u32,
                max_problems: self.max_problems,
            };
            if let Some(built) = results::build(raw, &ctx, report)? {
                parts.push(built.table);
                scores.extend(built.scores);
            }
            Ok(())
        })?;
        let table = match parts.len() {
            0 => return Ok(Loaded::Nothing),
            1 => parts.pop(),
            _ => Some(concat(parts.into_iter().map(DataFrame::lazy).collect::<Vec<_>>(), UnionArgs::default())?.collect()?),
        };
        Ok(table.map_or(Loaded::Nothing, |table| Loaded::Results(table, scores)))
    }
}

/// The self-diagnosis files as one table; where two files give the same school × factor, the
/// later file (in the configured order) holds.
fn combine_selfdiagnosis(parts: Vec<DataFrame>) -> Result<Option<DataFrame>> {
    if parts.is_empty() {
        return Ok(None);
    }
    let t = concat(parts.into_iter().map(|d| d.lazy()).collect::<Vec<_>>(), UnionArgs::default())?
        .unique_stable(Some(cols(["school_id", "factor"])), UniqueKeepStrategy::Last)
        .sort(["school_id", "factor"], SortMultipleOptions::default())
        .collect()?;
    Ok(Some(t))
}

/// The questionnaire tables of all files as one, and the register schools without any.
fn combine_questionnaires(ds: &mut Dataset, q_tables: Vec<DataFrame>) -> Result<()> {
    if q_tables.is_empty() {
        return Ok(());
    }
    let t = concat(q_tables.into_iter().map(|d| d.lazy()).collect::<Vec<_>>(), UnionArgs::default())?
        .sort(["school_id", "indicator"], SortMultipleOptions::default())
        .collect()?;
    if let Some(reg) = &ds.register {
        ds.without_questionnaire = schools_not_in(reg, t.column("school_id")?, &mut ds.notes, "schools_without_questionnaire", |missing| {
            tr!(
                "школ реестра без анкет: {missing} (для них ИСБШ не рассчитывается)",
                "register schools without questionnaires: {missing} (no ИСБШ for them)"
            )
        })?;
    }
    ds.questionnaire = Some(t);
    Ok(())
}

/// The conversion scales (tiny files) read first, before any results file needs them, with the
/// configuration's own table; their reports by their places in `order`.
fn load_scales(order: &[&InputSpec], config: &Config, max_problems: usize) -> Result<(Option<scales::Scales>, std::collections::BTreeMap<usize, InputReport>)> {
    let mut found = scales::Scales::from_config(&config.scales);
    let mut reports = std::collections::BTreeMap::new();
    for (i, spec) in order.iter().enumerate().filter(|(_, s)| s.kind == InputKind::Scales) {
        let mut report = InputReport::new(spec.kind, spec.path.display().to_string());
        if let Some(raw) = read(spec, config, &mut report, max_problems)? {
            if let Some(more) = scales::build(raw, &mut report, max_problems)? {
                found.merge(more);
            }
        }
        reports.insert(i, report);
    }
    Ok(((!found.map.is_empty()).then_some(found), reports))
}

/// Reads and checks the register.
fn load_register(spec: &InputSpec, config: &Config, report: &mut InputReport, max_problems: usize) -> Result<Loaded> {
    let t0 = std::time::Instant::now();
    let raw = read(spec, config, report, max_problems)?;
    crate::i18n::trace(&tr!("чтение {}", "read {}", report.path), t0);
    let t0 = std::time::Instant::now();
    let reg = match raw {
        Some(raw) => register::build(raw, report, max_problems)?,
        None => None,
    };
    crate::i18n::trace(&tr!("проверка и агрегирование {}", "validated {}", report.path), t0);
    Ok(reg.map_or(Loaded::Nothing, Loaded::Register))
}

/// The register as the other files' checks use it: its ids, and (built when a file first needs
/// it) its names for matching schools known only by name.
pub struct Known {
    pub ids: Series,
    table: DataFrame,
    names: std::sync::OnceLock<names::Register>,
}

impl Known {
    fn new(table: DataFrame) -> Result<Known> {
        Ok(Known {
            ids: table.column("school_id")?.as_materialized_series().clone(),
            table,
            names: std::sync::OnceLock::new(),
        })
    }

    pub fn names(&self) -> &names::Register {
        self.names.get_or_init(|| {
            let text = |c: &str| self.table.column(c).ok().and_then(|c| c.str().ok().cloned());
            let (ids, names, places) = (text("school_id"), text("name"), text("municipality"));
            let mut schools = Vec::new();
            if let (Some(ids), Some(names)) = (ids, names) {
                let places: Vec<Option<&str>> = match &places {
                    Some(p) => p.iter().collect(),
                    None => vec![None; ids.len()],
                };
                for ((id, name), place) in ids.iter().zip(names.iter()).zip(places) {
                    if let (Some(id), Some(name)) = (id, name) {
                        schools.push(names::Candidate {
                            school_id: id.to_string(),
                            name: name.to_string(),
                            municipality: place.map(str::to_string),
                        });
                    }
                }
            }
            names::Register::new(schools)
        })
    }
}

/// What one input file contributed.
enum Loaded {
    Register(DataFrame),
    /// The aggregate, and the score histograms of a per-student file (block by block).
    Results(DataFrame, Vec<results_common::ScoreHistogram>),
    Questionnaire(DataFrame),
    Context(DataFrame),
    Selfdiagnosis(DataFrame),
    Nothing,
}

fn combine_results(ds: &mut Dataset, parts: Vec<DataFrame>, histograms: Vec<results_common::ScoreHistogram>, scales: Option<&scales::Scales>, config: &Config, first_year: FirstYear) -> Result<()> {
    let any_fatal_results = ds.reports.iter().any(|r| r.kind == InputKind::Results && r.fatal);
    let t0 = std::time::Instant::now();
    let combined = results::combine(parts, config, first_year)?;
    crate::i18n::trace(&tr!("сложение строк одинаковых процедур", "rows of the same procedure summed"), t0);
    let Some(c) = combined else {
        if !any_fatal_results {
            ds.notes.push(no_usable_results());
        }
        return Ok(());
    };
    for (file, n) in &c.outside_window {
        if let Some(r) = ds.reports.get_mut(*file as usize) {
            r.move_to_excluded(Reason::YearOutsideWindow, *n);
        }
    }
    let min_p = i64::from(config.method.min_participants);
    let window_start = c.latest_year - config.method.years_window as i32 + 1;
    let stats = c
        .table
        .clone()
        .lazy()
        .select([
            col("participants").lt(lit(min_p)).cast(DataType::UInt64).sum().alias("small"),
            col("participants")
                .gt_eq(lit(min_p))
                .and(col("year").gt_eq(lit(window_start)))
                .cast(DataType::UInt64)
                .sum()
                .alias("usable"),
        ])
        .collect()?;
    let small = stats.column("small")?.u64()?.get(0).unwrap_or(0);
    let usable = stats.column("usable")?.u64()?.get(0).unwrap_or(0);
    let years = if window_start == c.latest_year {
        format!("{}", c.latest_year)
    } else {
        format!("{}–{}", window_start, c.latest_year)
    };
    ds.notes.push(Problem::new(
        Severity::Note,
        "window",
        tr!(
            "последний год результатов: {}; окно расчёта ИНР: {years}; строки до {} года не используются",
            "latest results year: {}; ИНР window: {years}; rows before {} are not used",
            c.latest_year,
            c.first_year
        ),
    ));
    if small > 0 {
        ds.notes.push(Problem::new(
            Severity::Note,
            "insufficient_data",
            tr!(
                "сочетаний школа × год × процедура с числом участников меньше {min_p}: {small} — «недостаточно данных», в расчёт не входят",
                "school × year × procedure combinations with fewer than {min_p} participants: {small} — 'insufficient data', not used"
            ),
        ));
    }
    if let Some(reg) = &ds.register {
        ds.without_results = schools_not_in(reg, c.table.column("school_id")?, &mut ds.notes, "schools_without_results", |missing| {
            tr!("школ реестра без результатов в окне расчёта: {missing}", "register schools without results in the window: {missing}")
        })?;
    }
    if usable == 0 && !any_fatal_results {
        ds.notes.push(no_usable_results());
    }
    ds.latest_year = Some(c.latest_year);
    ds.first_year = Some(c.first_year);
    let t0 = std::time::Instant::now();
    ds.results = Some(bunching::attach(c.table, histograms, scales, c.latest_year, &config.objectivity)?);
    crate::i18n::trace(&tr!("распределения баллов", "score distributions"), t0);
    Ok(())
}

/// §6: a file with at least `input_checks.max_excluded_share` of its rows excluded for problems
/// of the data would change the list silently — fatal unless allowed (then a warning).
fn gate_excluded(ds: &mut Dataset, config: &Config) {
    let limit = config.input_checks.max_excluded_share;
    for r in ds.reports.iter_mut().filter(|r| !r.fatal) {
        let (problems, share) = r.problem_share();
        if problems == 0 || share < limit {
            continue;
        }
        let main = r.main_problem_words();
        let base = r.rows_read.saturating_sub(r.excluded_by_design());
        let pct = crate::i18n::decimal1(share * 100.0);
        let limit_pct = crate::i18n::decimal1(limit * 100.0);
        let (severity, what) = if config.input_checks.allow_excluded {
            (Severity::Warning, tr!("расчёт выполнен, так как разрешено (--allow-excluded)", "computed because it is allowed (--allow-excluded)"))
        } else {
            (
                Severity::Fatal,
                tr!(
                    "такой файл изменил бы список незаметно, расчёт остановлен. Исправьте файл (подробности: shnor check) или, если так и задумано, запустите с --allow-excluded (порог — input_checks.max_excluded_share)",
                    "such a file would change the list silently, so the run stops. Fix the file (details: shnor check) or, if this is intended, run with --allow-excluded (threshold: input_checks.max_excluded_share)"
                ),
            )
        };
        r.problem(
            severity,
            "too_many_excluded",
            None,
            None,
            None,
            tr!(
                "исключено {problems} из {base} строк ({pct} % при пороге {limit_pct} %) из-за проблем данных{main}; {what}",
                "{problems} of {base} rows excluded ({pct} % against a threshold of {limit_pct} %) for problems of the data{main}; {what}"
            ),
        );
    }
}

fn no_usable_results() -> Problem {
    Problem::new(
        Severity::Fatal,
        "no_usable_results",
        tr!(
            "нет пригодных результатов: ни одной процедуры с достаточным числом участников (method.min_participants) у школ реестра",
            "no usable results: no procedure with enough participants (method.min_participants) at register schools"
        ),
    )
}

#[cfg(test)]
mod tests;
