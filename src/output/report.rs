//! The analytical report (аналитический отчёт): one model built from a run, rendered by two
//! templates — a self-contained HTML page with inline SVG charts and its Markdown twin with
//! the charts as SVG files beside it. Every text comes from here in the user's language; the
//! templates only lay it out. Only school-level figures appear.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::charts::{self, category_colour, CutLine, Point, RankBar};
use crate::identify::{counts_by_municipality, region_counts, shnsu_list, Counts, Dynamics, SchoolRow};
use super::lines::{municipality_line, pct_param, schools_word, share_of, short, MunicipalityLine};
use super::RunOutput;
use crate::config::{Combine, Direction};
use crate::identify::{num1, overview, procedure_label, Category};
use crate::indices::decimal_fraction;

const HTML_TEMPLATE: &str = include_str!("templates/report.html.j2");
const MD_TEMPLATE: &str = include_str!("templates/report.md.j2");
const APPENDIX_HTML: &str = include_str!("templates/appendix.html.j2");
const APPENDIX_MD: &str = include_str!("templates/appendix.md.j2");

/// Schools listed by name in the data-quality section (the rest are counted; schools.csv has all).
const LIST_LIMIT: usize = 100;

#[derive(Serialize)]
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub caption: String,
    /// A standalone SVG document (for report.md's charts/ files).
    pub svg: String,
}

impl Chart {
    /// Inline SVG in HTML needs no namespace declaration: the page then holds no URL at all.
    fn inline(&self) -> String {
        self.svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
    }
}

#[derive(Serialize)]
struct InlineChart {
    id: &'static str,
    title: String,
    caption: String,
    svg: String,
}

#[derive(Serialize)]
struct CategoryLine {
    code: &'static str,
    label: String,
    count: u64,
    share: String,
}

#[derive(Serialize)]
struct ListLine {
    no: usize,
    rank: String,
    school_id: String,
    name: String,
    municipality: String,
    category: String,
    category_code: String,
    inr: String,
    isbsh: String,
    reasons: Vec<String>,
    change: String,
    /// «надёжно» / «неопределённо» / «мало участников» (see `SchoolRow::standing_label`).
    solid: String,
}

#[derive(Serialize)]
struct Param {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct InputLine {
    path: String,
    kind: String,
    format: String,
    read: u64,
    used: u64,
    excluded: u64,
}

#[derive(Serialize)]
struct ReasonLine {
    label: String,
    count: u64,
    by_design: bool,
}

#[derive(Serialize)]
pub(super) struct GapLine {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub why: String,
}

#[derive(Serialize)]
struct CountLine {
    label: String,
    count: usize,
}

/// How the schools of a results file named by name were matched (rows).
#[derive(Serialize)]
struct NameMatchLine {
    path: String,
    #[serde(flatten)]
    counts: crate::model::names::MatchCounts,
}

/// A sheet of a wide form: its schools and the rows skipped, by kind.
#[derive(Serialize)]
struct WideLine {
    path: String,
    sheet: String,
    year: String,
    procedure: String,
    schools: u64,
    totals: usize,
    municipalities: usize,
    other: usize,
    empty_blocks: u64,
}

#[derive(Serialize)]
struct Quality {
    inputs: Vec<InputLine>,
    reasons: Vec<ReasonLine>,
    name_matching: Vec<NameMatchLine>,
    wide_sheets: Vec<WideLine>,
    rows_read: u64,
    rows_used: u64,
    rows_excluded: u64,
    gaps_by_why: Vec<CountLine>,
    gaps: Vec<GapLine>,
    gaps_total: usize,
    gaps_more: usize,
    left_out: Vec<String>,
    response: Vec<Param>,
    low_response: Vec<GapLine>,
}

/// A set objectivity marker as the appendix lists it.
#[derive(Serialize)]
struct ObjectivityLine {
    school_id: String,
    name: String,
    municipality: String,
    procedure: String,
    marker: String,
    numbers: String,
    /// «в перечне ШНОР» / «возможно, скрытые низкие результаты» / empty.
    note: String,
}

#[derive(Serialize)]
struct DynamicsPart {
    source: String,
    headline: Vec<String>,
    entered: Vec<ListLine>,
    left: Vec<ListLine>,
    stayed: usize,
    left_register: Vec<String>,
    /// Schools on the list a second year in a row or longer, longest first.
    tenure: Vec<TenureLine>,
}

/// A school on the list several years in a row, with its ИНР by list year.
#[derive(Serialize)]
struct TenureLine {
    no: usize,
    school_id: String,
    name: String,
    municipality: String,
    years: u32,
    inr_by_year: String,
}

#[derive(Serialize)]
struct Model {
    lang: &'static str,
    t: BTreeMap<&'static str, String>,
    title: String,
    subtitle: String,
    summary: Vec<String>,
    categories: Vec<CategoryLine>,
    method: Vec<String>,
    parameters: Vec<Param>,
    shnor_list: Vec<ListLine>,
    shnsu_list: Vec<ListLine>,
    resilient: Vec<ListLine>,
    municipalities: Vec<MunicipalityLine>,
    region_line: MunicipalityLine,
    charts: Vec<InlineChart>,
    chart_notes: Vec<String>,
    quality: Quality,
    dynamics: Option<DynamicsPart>,
    /// The objectivity screen's set markers, one line each.
    objectivity: Vec<ObjectivityLine>,
    /// The listed schools' risk profiles.
    risk_profiles: Vec<super::risk::Profile>,
    css: &'static str,
    /// The main report's short parts.
    #[serde(flatten)]
    brief: super::brief::Brief,
}

/// The labels of the parts added later: years on the list, the objectivity screen.
fn later_labels() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("tenure", tr!("В перечне несколько лет подряд", "On the list several years in a row")),
        ("tenure_years", tr!("Лет подряд", "Years in a row")),
        ("tenure_inr", tr!("ИНР по годам перечня", "ИНР by list year")),
        ("m_objectivity", tr!("Признаки необъективности результатов (требуют проверки)", "Signs of unreliable results (to be checked)")),
        ("objectivity_procedure", tr!("Процедура", "Procedure")),
        ("objectivity_marker", tr!("Признак", "Sign")),
        ("objectivity_numbers", tr!("Числа", "Numbers")),
        ("objectivity_note", tr!("Отметка", "Note")),
        ("m_risk", tr!("Рисковые профили", "Risk profiles")),
        ("m_bias", tr!("Проверка смещения перечня", "Bias audit of the list")),
        ("risk_factor", tr!("Фактор риска", "Risk factor")),
        ("risk_median", tr!("Медиана региона", "Region's median")),
        ("risk_known", tr!("Школ с данными", "Schools with data")),
        ("risk_actual", tr!("Актуален: школ", "Actual: schools")),
        ("risk_listed", tr!("из них в перечнях", "of them listed")),
        ("risk_directions", tr!("Направления антирисковой программы", "Directions of an anti-risk programme")),
        ("risk_index", tr!("Индекс риска", "Risk index")),
        ("risk_value", tr!("Значение школы", "School's value")),
        ("risk_source", tr!("Источник", "Source")),
        ("risk_computed", tr!("расчёт", "computed")),
        ("risk_none", tr!("Ни один фактор не актуален.", "No factor is actual.")),
        ("risk_profile_of", tr!("актуальных факторов", "actual factors")),
        ("bias_dimension", tr!("Разрез", "Dimension")),
        ("bias_group", tr!("Группа", "Group")),
        ("bias_listed", tr!("В перечне ШНОР", "On the ШНОР list")),
        ("bias_share", tr!("Доля", "Share")),
        ("bias_setting", tr!("Параметр", "Setting")),
        ("bias_change", tr!("В расчёте → сдвиг", "Run → shifted")),
        ("bias_entered", tr!("Войдут", "Enter")),
        ("bias_left", tr!("Выйдут", "Leave")),
    ])
}

fn pct1(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{} %", num1(Some(x * 100.0))),
        None => "—".to_string(),
    }
}

/// A number with up to three decimals and no trailing zeros: 0.7 → «0,7», 10 → «10».
fn labels() -> BTreeMap<&'static str, String> {
    let mut t = later_labels();
    let mut put = |k: &'static str, v: String| {
        t.insert(k, v);
    };
    put("m_summary", tr!("1. Итоги", "1. Results"));
    put("m_method", tr!("2. Как отбирались школы", "2. How the schools were selected"));
    put("m_shnor", tr!("3. Перечень ШНОР", "3. The ШНОР list"));
    put("m_shnsu", tr!("4. Школы в неблагоприятных социальных условиях (ШНСУ)", "4. Schools in adverse social conditions (ШНСУ)"));
    put("m_munis", tr!("5. По муниципалитетам", "5. By municipality"));
    put("m_charts", tr!("6. Графики", "6. Charts"));
    put("m_quality", tr!("7. Качество данных", "7. Data quality"));
    put("short_reason", tr!("Основание: худшие процедуры — доля «2» (95 % интервал; n), критерии", "Reason: worst procedures — share of «2» (95 % interval; n), criteria"));
    put("short_reason_shnsu", tr!("Основание: показатели, сильнее всего снижающие ИСБШ", "Reason: the indicators that pull ИСБШ down most"));
    put("appendix", tr!("Приложение к аналитическому отчёту", "Appendix to the analytical report"));
    put("appendix_note", tr!("Полные основания, все параметры расчёта, качество данных и все графики. Основной отчёт — report.html.", "Full reasons, every parameter, data quality and every chart. The main report is report.html."));
    put("appendix_note_md", tr!("Полные основания, все параметры расчёта, качество данных и все графики. Основной отчёт — report.md.", "Full reasons, every parameter, data quality and every chart. The main report is report.md."));
    put("appendix_link_before", tr!("Полные основания, все параметры и качество данных — в приложении:", "Full reasons, every parameter and data quality are in the appendix:"));
    put("appendix_link_after", tr!(".", "."));
    put("summary", tr!("1. Сводка", "1. Summary"));
    put("method", tr!("2. Методика и параметры", "2. Method and parameters"));
    put("lists", tr!("3. Списки", "3. Lists"));
    put("shnor_list", tr!("3.1. Ранжированный список ШНОР", "3.1. Ranked ШНОР list"));
    put("shnsu_list", tr!("3.2. Список ШНСУ", "3.2. ШНСУ list"));
    put("resilient", tr!("3.3. Резильентные школы", "3.3. Resilient schools"));
    put("municipalities", tr!("4. По муниципалитетам", "4. By municipality"));
    put("charts", tr!("5. Графики", "5. Charts"));
    put("quality", tr!("6. Качество данных", "6. Data quality"));
    put("dynamics", tr!("7. Динамика относительно прошлого года", "7. Changes against last year"));
    put("category", tr!("Категория", "Category"));
    put("schools", tr!("Школ", "Schools"));
    put("share", tr!("Доля", "Share"));
    put("key", tr!("Параметр", "Parameter"));
    put("value", tr!("Значение", "Value"));
    put("rank", tr!("Место", "Rank"));
    put("no", tr!("№", "No."));
    put("school_id", tr!("Логин ОО", "School id"));
    put("name", tr!("Наименование", "Name"));
    put("municipality", tr!("Муниципалитет", "Municipality"));
    put("inr", tr!("ИНР", "ИНР"));
    put("isbsh", tr!("ИСБШ", "ИСБШ"));
    put("reasons", tr!("Основания", "Reasons"));
    put("change", tr!("Изменение", "Change"));
    put("both", tr!("ШНОР+ШНСУ", "ШНОР+ШНСУ"));
    put("shnor", tr!("ШНОР", "ШНОР"));
    put("shnsu", tr!("ШНСУ", "ШНСУ"));
    put("resilient_col", tr!("Резильентные", "Resilient"));
    put("share_list", tr!("Доля в списке ШНОР", "Share on the ШНОР list"));
    put("share_shnsu", tr!("Доля ШНСУ", "Share ШНСУ"));
    put("region_total", tr!("Регион", "Region"));
    put("empty", tr!("Нет школ.", "No schools."));
    put("file", tr!("Файл", "File"));
    put("kind", tr!("Содержание", "Contents"));
    put("format", tr!("Формат", "Format"));
    put("read", tr!("Прочитано строк", "Rows read"));
    put("used", tr!("Использовано", "Used"));
    put("excluded", tr!("Исключено", "Excluded"));
    put("inputs", tr!("6.1. Входные файлы и учёт строк", "6.1. Input files and row accounting"));
    put("by_reason", tr!("6.2. Исключённые строки по причинам", "6.2. Excluded rows by reason"));
    put("by_name", tr!("Школы, названные по наименованию (строк; в широкой форме — записей)", "Schools given by name (rows; records in a wide form)"));
    put("m_exact", tr!("точно", "exact"));
    put("m_normalized", tr!("после нормализации", "normalised"));
    put("m_crosswalk", tr!("по таблице соответствия", "crosswalk"));
    put("m_ambiguous", tr!("неоднозначно", "ambiguous"));
    put("m_unmatched", tr!("не найдено", "not found"));
    put("wide", tr!("Широкие формы (предметы — блоками столбцов): строки листов", "Wide forms (subjects in column blocks): rows of the sheets"));
    put("wide_note", tr!(
        "для широкой формы «прочитано», «использовано» и «исключено» считаются записями «школа × предмет»",
        "for a wide form, read, used and excluded count school × subject records"
    ));
    put("sheet", tr!("Лист", "Sheet"));
    put("year", tr!("Год", "Year"));
    put("procedure", tr!("Процедура", "Procedure"));
    put("w_schools", tr!("строк школ", "school rows"));
    put("w_totals", tr!("итоговых", "total rows"));
    put("w_muns", tr!("муниципалитетов (итоги)", "municipality rows"));
    put("w_other", tr!("прочих пропущенных", "other skipped"));
    put("w_empty", tr!("пустых блоков", "empty blocks"));
    put("reason", tr!("Причина", "Reason"));
    put("rows", tr!("Строк", "Rows"));
    put("by_design_note", tr!("по настройкам методики, не ошибка данных", "by the method's settings, not a data error"));
    put("gaps", tr!("6.3. Школы с недостаточными данными", "6.3. Schools with insufficient data"));
    put("why", tr!("Причина", "Why"));
    put("left_out", tr!("Показатели ИСБШ, исключённые из расчёта (одинаковое значение у всех школ)", "ИСБШ indicators left out (the same value at every school)"));
    put("response", tr!("6.4. Охват анкетированием", "6.4. Questionnaire response rates"));
    put("low_response", tr!("Школы с наименьшим охватом", "Schools with the lowest response rates"));
    put("entered", tr!("Вошли в список ШНОР", "Entered the ШНОР list"));
    put("left", tr!("Вышли из списка ШНОР", "Left the ШНОР list"));
    put("left_register", tr!("Были в прошлогоднем списке, но отсутствуют в реестре", "On last year's list but no longer in the register"));
    put("none", tr!("нет", "none"));
    put("more", tr!("и ещё", "and more:"));
    put("more_note", tr!("полный перечень — в schools.csv и shnor.xlsx", "the full list is in schools.csv and shnor.xlsx"));
    put("chart", tr!("Рисунок", "Figure"));
    t
}

/// The procedures the latest year's data actually hold (what ИНР and R30 were computed from):
/// «ВПР (классы 4–8, процедур: 11), ОГЭ Математика, ОГЭ Русский язык»; the configured ones when
/// the data say nothing (a report from an older run).
fn procedures_used(run: &RunOutput) -> String {
    let shares = run.ident.procedure_shares().unwrap_or(&[]);
    if shares.is_empty() {
        return run.config.method.procedures.iter().map(|p| p.replace(':', " ")).collect::<Vec<_>>().join(", ");
    }
    let mut by: BTreeMap<&str, Vec<&overview::ProcedureShares>> = BTreeMap::new();
    for p in shares {
        by.entry(p.procedure.as_str()).or_default().push(p);
    }
    by.into_iter()
        .map(|(procedure, v)| {
            let grades: Vec<i64> = v.iter().filter_map(|p| p.grade).collect();
            // ВПР by its grades (many subjects); ОГЭ and ЕГЭ by their subjects.
            match (grades.iter().min(), grades.iter().max()) {
                (Some(lo), Some(hi)) if procedure == "ВПР" => {
                    let g = if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") };
                    tr!("{procedure} (классы {g}, процедур: {})", "{procedure} (grades {g}, {} procedures)", v.len())
                }
                _ => v.iter().map(|p| format!("{procedure} {}", p.subject)).collect::<Vec<_>>().join(", "),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The method in plain words, with the parameters actually used.
fn method_text(run: &RunOutput) -> Vec<String> {
    let c = run.config;
    let m = &c.method;
    let years: Vec<String> = run.ident.years.iter().map(|y| y.to_string()).collect();
    let mut v = Vec::new();
    v.push(tr!(
        "Индекс низких результатов (ИНР) рассчитан по процедурам, которые есть в данных последнего года: {} — за {} (окно {} г.). По каждой процедуре (процедура × класс × предмет × год) школа получает процентиль «плохости» среди школ региона{}: по доле «2» (или не преодолевших минимальный порог) с весом {} и по среднему баллу с весом {}. ИНР года — среднее по процедурам, взвешенное числом участников; ИНР окна — среднее по годам. Процедуры с числом участников меньше {} не учитываются. Чем выше ИНР, тем ниже результаты (0–100).",
        "The low-results index (ИНР) uses the procedures the latest year's data hold: {} — over {} (a window of {} years). For each procedure (procedure × grade × subject × year) a school gets its badness percentile among the region's schools{}: by the share of «2» (or below the minimum score) with weight {} and by the mean score with weight {}. The yearly ИНР is the participant-weighted mean over procedures; the window ИНР is the mean over years. Procedures with fewer than {} participants are left out. A higher ИНР means lower results (0–100).",
        procedures_used(run),
        years.join(", "),
        m.years_window,
        if m.peer_groups.is_empty() { String::new() } else { tr!(" той же группы ({})", " of the same group ({})", m.peer_groups.join(", ")) },
        short(m.inr.w_fail),
        short(m.inr.w_mean),
        m.min_participants
    ));
    let cr = &c.criteria;
    let mut crit = Vec::new();
    if cr.r30.enabled {
        crit.push(tr!(
            "R30 — в {} г. не менее {} процедур с долей «2» не ниже {}, и хотя бы одна такая же процедура с долей не ниже {} в предыдущем году",
            "R30 — in {} at least {} procedures with a «2» share of {} or more, and at least one of them at {} or more in the previous year too",
            run.ident.latest_year,
            cr.r30.min_procedures,
            pct_param(cr.r30.threshold),
            pct_param(cr.r30.threshold)
        ));
    }
    if cr.bottom.enabled {
        crit.push(tr!(
            "BOTTOM — школа среди {} школ с наибольшим ИНР в каждом году окна",
            "BOTTOM — the school is among the {} of schools with the highest ИНР in every year of the window",
            pct_param(cr.bottom.share)
        ));
    }
    let join = match cr.combine {
        Combine::Any => tr!("выполнен хотя бы один критерий", "at least one criterion holds"),
        Combine::All => tr!("выполнены все включённые критерии", "every enabled criterion holds"),
    };
    if crit.is_empty() {
        v.push(tr!("Все критерии ШНОР отключены: список ШНОР пуст.", "Every ШНОР criterion is switched off: the ШНОР list is empty."));
    } else {
        v.push(tr!(
            "Школа относится к ШНОР, если {join}: {}.",
            "A school is ШНОР when {join}: {}.",
            crit.join("; ")
        ));
    }
    let ind: Vec<String> = c
        .isbsh
        .indicators
        .iter()
        .map(|(n, i)| (n, i.direction, i.weight))
        .chain(c.isbsh.context.iter().map(|(n, i)| (n, i.direction, i.weight)))
        .filter(|(_, _, w)| *w > 0.0)
        .map(|(n, d, w)| {
            let sign = if d == Direction::Plus { "+" } else { "−" };
            let n = c.indicator_label(n);
            if (w - 1.0).abs() < 1e-12 { format!("{n} ({sign})") } else { format!("{n} ({sign}, {})", short(w)) }
        })
        .collect();
    if run.ident.rows.iter().all(|r| r.isbsh.is_none()) {
        v.push(tr!(
            "Индекс социального благополучия (ИСБШ) не рассчитан ни для одной школы: нет анкет семей с достаточным числом ответивших (нужно не менее {} по показателю). Поэтому список ШНСУ пуст и резильентных школ нет.",
            "The social well-being index (ИСБШ) is computed for no school: there are no family questionnaires with enough respondents (at least {} per indicator). So the ШНСУ list is empty and no school is resilient.",
            c.isbsh.min_respondents
        ));
    } else {
    v.push(tr!(
        "Индекс социального благополучия (ИСБШ) рассчитан по анкетам семей: по каждому показателю доля семей в школе переводится в z-оценку (знак «−» — показатель неблагополучия), z-оценки усредняются с весами и шкалируются к среднему 100 и стандартному отклонению 15. Показатель учитывается, если ответили не менее {} семей; ИСБШ рассчитывается, если пригодных показателей не меньше {}. Показатели: {}.",
        "The social well-being index (ИСБШ) uses the family questionnaires: each indicator's share of families at a school becomes a z-score (sign «−» — an adversity indicator), the z-scores are averaged with weights and scaled to mean 100 and standard deviation 15. An indicator counts when at least {} families answered; ИСБШ is computed when at least {} indicators are usable. Indicators: {}.",
        c.isbsh.min_respondents,
        c.isbsh.min_indicators,
        ind.join(", ")
    ));
    }
    v.push(tr!(
        "ШНСУ — {} школ с наименьшим ИСБШ. Резильентная школа — среди {} школ с наименьшим ИСБШ и среди {} школ с наименьшим ИНР (лучшие результаты), не попавшая в ШНОР и ШНСУ. Школы с равными значениями (до 9 знаков) на границе ⌈X·n⌉ попадают в группу все вместе.",
        "ШНСУ — the {} of schools with the lowest ИСБШ. A resilient school is among the {} with the lowest ИСБШ and among the {} with the lowest ИНР (best results), and is neither ШНОР nor ШНСУ. Schools with equal values (to 9 decimals) at the ⌈X·n⌉ boundary are all in the group.",
        pct_param(c.isbsh.shnsu_share),
        pct_param(c.resilience.isbsh_worst_share),
        pct_param(c.resilience.inr_best_share)
    ));
    v.push(uncertainty_text(run));
    v.push(tr!(
        "Список ШНОР упорядочен так: сначала ШНОР+ШНСУ, затем ШНОР; внутри — по убыванию ИНР окна, при равенстве — по коду ОО. Все параметры расчёта перечислены в приложении; любой можно изменить в конфигурации.",
        "The ШНОР list is ordered ШНОР+ШНСУ first, then ШНОР; within each, by window ИНР from the highest, ties by school id. Every parameter is listed in the appendix; any can be changed in the configuration."
    ));
    v
}

/// How the report's intervals and probabilities are made and what «надёжно» means, with the
/// bases actually used.
fn uncertainty_text(run: &RunOutput) -> String {
    use crate::config::{BottomBasis, InrBasis, R30Basis};
    let c = run.config;
    let u = &c.method.uncertainty;
    let r30 = match c.criteria.r30.basis {
        R30Basis::Raw => tr!("наблюдаемая доля «2» (официальное правило)", "the observed share (the official rule)"),
        R30Basis::LowerBound => tr!("нижняя граница 95 % интервала Уилсона", "the lower bound of the Wilson 95 % interval"),
        R30Basis::Shrunk => tr!("доля, сжатая к региональной (эмпирический Байес)", "the share shrunk towards the region's (empirical Bayes)"),
    };
    let inr = match c.method.inr.basis {
        InrBasis::Raw => tr!("наблюдаемые доли «2» и средние баллы", "observed shares and mean scores"),
        InrBasis::Shrunk => tr!("сжатые к региональным доли «2» и средние баллы", "shares and mean scores shrunk towards the region's"),
    };
    let bottom = match c.criteria.bottom.basis {
        BottomBasis::Rank => tr!("по месту годового ИНР (официальное правило)", "by the yearly ИНР's rank (the official rule)"),
        BottomBasis::Probability => tr!(
            "по вероятности быть в худших {} не ниже {}",
            "by a probability of being in the worst {} of at least {}",
            pct_param(c.criteria.bottom.share),
            short(c.criteria.bottom.min_probability)
        ),
    };
    let few = match c.method.min_school_participants {
        0 => String::new(),
        k => tr!(" Школы, у которых за окно меньше {k} участников, не ранжируются («мало участников»).", " Schools with fewer than {k} participants over the window are not ranked («few participants»)."),
    };
    tr!(
        "Неопределённость. Каждая доля «2» показана с 95 % доверительным интервалом Уилсона и числом участников n. С порогом R30 сравнивается {r30}; в ИНР входят {inr}; BOTTOM решается {bottom}. По {} случайным испытаниям (начальное число {}) из апостериорного распределения долей «2» и средних баллов для каждой школы рассчитаны вероятность быть в худших {} по ИНР окна, ожидаемое место и {} интервал места. Отбор школы в список ШНОР «надёжен», если сработавший критерий выполняется и без случайности: R30 — по нижним границам интервалов Уилсона, BOTTOM — с вероятностью не ниже {}; иначе «неопределённо» — это признак, требующий проверки, а не вывод о школе.{few}",
        "Uncertainty. Every share of «2» is shown with its Wilson 95 % interval and n. R30 compares {r30} with its threshold; ИНР uses {inr}; BOTTOM is decided {bottom}. From {} draws (seed {}) of the posterior of the shares and mean scores, each school gets its probability of being in the worst {} by window ИНР, its expected rank and its {} rank interval. A listing is «solid» when a criterion that fired holds beyond chance: R30 on the Wilson lower bounds, BOTTOM with probability at least {}; otherwise «uncertain» — a sign that needs checking, not a verdict.{few}",
        u.draws,
        u.seed,
        pct_param(c.criteria.bottom.share),
        pct_param(u.rank_interval),
        short(u.solid_probability)
    )
}

fn list_line(run: &RunOutput, no: usize, r: &SchoolRow) -> ListLine {
    let change = match (r.inr, r.inr_prev) {
        (Some(a), Some(b)) => {
            let d = a - b;
            let s = num1(Some(d.abs()));
            if d >= 0.0 { tr!("ИНР +{s}", "ИНР +{s}") } else { tr!("ИНР −{s}", "ИНР −{s}") }
        }
        _ => String::new(),
    };
    ListLine {
        no,
        rank: r.rank.map(|x| x.to_string()).unwrap_or_default(),
        school_id: r.school_id.clone(),
        name: r.name.clone(),
        municipality: r.municipality.clone(),
        category: r.category.label(),
        category_code: r.category.code().to_string(),
        inr: num1(r.inr),
        isbsh: num1(r.isbsh),
        reasons: run.reason_texts(&r.school_id).to_vec(),
        change,
        solid: r.standing_label(),
    }
}

/// The value at the boundary of the worst (or best) X %: the ⌈X·n⌉-th value in `sorted`
/// (already ordered from the worst end).
fn boundary(sorted: &[f64], x: f64) -> Option<f64> {
    let n = sorted.len() as i128;
    let (p, d) = decimal_fraction(x);
    let k = (i128::from(p) * n + i128::from(d) - 1) / i128::from(d.max(1));
    if k < 1 {
        return None;
    }
    sorted.get(usize::try_from(k - 1).ok()?).copied()
}

/// The ИНР expected from ИСБШ (§4.9) as a line over the scatter, when there is a fit.
fn fit_line(run: &RunOutput) -> Option<charts::FitLine> {
    let f = run.ident.expected_fit.as_ref()?;
    Some(charts::FitLine {
        intercept: f.line.0,
        slope: f.line.1,
        label: tr!("ожидаемый ИНР при данном ИСБШ (регрессия)", "ИНР expected at this ИСБШ (regression)"),
    })
}

fn build_charts(run: &RunOutput, shares: &[overview::ProcedureShares]) -> Result<(Vec<Chart>, Vec<String>)> {
    let c = run.config;
    let rows = &run.ident.rows;
    let mut inr: Vec<f64> = rows.iter().filter_map(|r| r.inr).collect();
    let mut isbsh: Vec<f64> = rows.iter().filter_map(|r| r.isbsh).collect();
    inr.sort_by(|a, b| b.total_cmp(a)); // worst (highest) first
    isbsh.sort_by(|a, b| a.total_cmp(b)); // worst (lowest) first
    let inr_best: Vec<f64> = inr.iter().rev().copied().collect();
    let mut notes = Vec::new();
    let shnsu_cut = boundary(&isbsh, c.isbsh.shnsu_share).map(|v| CutLine {
        value: v,
        label: tr!("ШНСУ: ИСБШ ≤ {}", "ШНСУ: ИСБШ ≤ {}", num1(Some(v))),
    });
    let res_isbsh = boundary(&isbsh, c.resilience.isbsh_worst_share).map(|v| CutLine {
        value: v,
        label: tr!("нижние {}: ИСБШ ≤ {}", "lowest {}: ИСБШ ≤ {}", pct_param(c.resilience.isbsh_worst_share), num1(Some(v))),
    });
    let res_inr = boundary(&inr_best, c.resilience.inr_best_share).map(|v| CutLine {
        value: v,
        label: tr!("лучшие {}: ИНР ≤ {}", "best {}: ИНР ≤ {}", pct_param(c.resilience.inr_best_share), num1(Some(v))),
    });
    let bottom_inr = boundary(&inr, c.criteria.bottom.share).map(|v| CutLine {
        value: v,
        label: tr!("худшие {} по ИНР окна: ≥ {}", "worst {} by window ИНР: ≥ {}", pct_param(c.criteria.bottom.share), num1(Some(v))),
    });
    let legend_label = |c: Category| if c == Category::None { tr!("прочие школы", "other schools") } else { c.label() };
    let legend: Vec<(Category, String)> = Category::ALL.iter().map(|c| (*c, legend_label(*c))).collect();
    let points: Vec<Point> = rows
        .iter()
        .filter_map(|r| Some(Point { x: r.inr?, y: r.isbsh?, category: r.category }))
        .collect();
    let x_cuts: Vec<CutLine> = [res_inr, bottom_inr].into_iter().flatten().collect();
    let y_cuts: Vec<CutLine> = [shnsu_cut, res_isbsh].into_iter().flatten().collect();
    let mut charts = Vec::new();
    let title = tr!("ИНР и ИСБШ школ", "ИНР and ИСБШ of the schools");
    charts.push(Chart {
        id: "inr_isbsh",
        svg: charts::scatter(&title, &tr!("ИНР окна (выше — хуже результаты)", "window ИНР (higher — lower results)"), &tr!("ИСБШ (ниже — хуже условия)", "ИСБШ (lower — worse conditions)"), &points, &legend, &x_cuts, &y_cuts, fit_line(run))?,
        title,
        caption: tr!(
            "Каждая точка — школа, у которой есть оба индекса ({} из {}). Линии — границы категорий: ШНСУ и нижняя часть по ИСБШ (горизонтальные), лучшие по ИНР и худшие по ИНР окна (вертикальные; критерий BOTTOM применяется к ИНР каждого года, линия — ориентир). Наклонная линия — ИНР, ожидаемый при данном ИСБШ (взвешенная регрессия, методика, раздел 10): школы правее неё учатся хуже, чем предсказывают их условия.",
            "Each point is a school with both indices ({} of {}). Lines are the category boundaries: ШНСУ and the lowest part by ИСБШ (horizontal), the best by ИНР and the worst by window ИНР (vertical; BOTTOM applies to each year's ИНР, the line is a guide). The sloping line is the ИНР expected at the ИСБШ (weighted regression, methodology section 10): schools to its right do worse than their conditions predict.",
            points.len(),
            rows.len()
        ),
    });
    let title = tr!("Распределение ИНР", "Distribution of ИНР");
    let cuts: Vec<CutLine> = x_cuts.into_iter().collect();
    charts.push(Chart {
        id: "inr_hist",
        svg: charts::histogram(&title, &tr!("ИНР окна", "window ИНР"), &tr!("школ", "schools"), &inr, 20, category_colour(Category::Shnor), &cuts)?,
        title,
        caption: tr!("ИНР рассчитан для {} {}.", "ИНР is computed for {} {}.", inr.len(), super::lines::schools_word_gen(inr.len() as u64)),
    });
    let title = tr!("Распределение ИСБШ", "Distribution of ИСБШ");
    charts.push(Chart {
        id: "isbsh_hist",
        svg: charts::histogram(&title, "ИСБШ", &tr!("школ", "schools"), &isbsh, 20, category_colour(Category::Shnsu), &y_cuts)?,
        title,
        caption: tr!("ИСБШ рассчитан для {} {}.", "ИСБШ is computed for {} {}.", isbsh.len(), super::lines::schools_word_gen(isbsh.len() as u64)),
    });
    charts.push(municipality_chart(rows, &mut notes)?);
    charts.push(procedures_chart(run, shares)?);
    if let Some(c) = funnel_chart(run, &legend)? {
        charts.push(c);
    }
    if let Some(c) = caterpillar_chart(run, &legend)? {
        charts.push(c);
    }
    Ok((charts, notes))
}

/// Schools per category by municipality: the municipalities with most flagged schools (a note
/// when not all fit).
fn municipality_chart(rows: &[SchoolRow], notes: &mut Vec<String>) -> Result<Chart> {
    let legend_label = |c: Category| if c == Category::None { tr!("прочие школы", "other schools") } else { c.label() };
    let by_mun = counts_by_municipality(rows);
    let mut muns: Vec<(&String, &Counts)> = by_mun.iter().collect();
    muns.sort_by(|a, b| (b.1.on_shnor_list() + b.1.in_shnsu()).cmp(&(a.1.on_shnor_list() + a.1.in_shnsu())).then_with(|| a.0.cmp(b.0)));
    const MAX_MUN: usize = 40;
    if muns.len() > MAX_MUN {
        notes.push(tr!(
            "На рисунке по муниципалитетам — {MAX_MUN} муниципалитетов с наибольшим числом ШНОР и ШНСУ из {}; все — в таблице раздела 4.",
            "The municipality figure shows the {MAX_MUN} municipalities with the most ШНОР and ШНСУ of {}; all are in the table of section 4.",
            muns.len()
        ));
        muns.truncate(MAX_MUN);
    }
    let labels: Vec<String> = muns.iter().map(|(m, _)| (*m).clone()).collect();
    let series: Vec<(String, plotters::style::RGBColor, Vec<f64>)> = Category::ALL
        .iter()
        .map(|category| {
            let v = muns.iter().map(|(_, c)| c.of(*category) as f64).collect();
            (legend_label(*category), category_colour(*category), v)
        })
        .collect();
    let title = tr!("Школы по категориям в муниципалитетах", "Schools per category by municipality");
    Ok(Chart {
        id: "municipalities",
        svg: charts::bars(&title, &tr!("школ", "schools"), &labels, &series, true, false)?,
        title,
        caption: tr!("Число школ каждой категории; муниципалитеты упорядочены по числу ШНОР и ШНСУ.", "Schools of each category; municipalities ordered by the number of ШНОР and ШНСУ."),
    })
}

/// Each school's share of «2» in the latest year against its participants, with the limits
/// within which a school of that size differs from the region by chance.
fn funnel_chart(run: &RunOutput, legend: &[(Category, String)]) -> Result<Option<Chart>> {
    let totals = run.ident.school_totals()?;
    let (f, n) = totals.iter().fold((0i64, 0i64), |(f, n), t| (f + t.failed, n + t.participants));
    if n == 0 {
        return Ok(None);
    }
    let p0 = f as f64 / n as f64;
    let category: std::collections::HashMap<&str, Category> = run.ident.rows.iter().map(|r| (r.school_id.as_str(), r.category)).collect();
    let points: Vec<Point> = totals
        .iter()
        .filter(|t| t.participants > 0)
        .map(|t| Point { x: t.participants as f64, y: t.failed as f64 / t.participants as f64, category: category.get(t.school_id.as_str()).copied().unwrap_or(Category::None) })
        .collect();
    use crate::indices::uncertainty::{binomial_half, Z95, Z998};
    let limits = [(Z95, tr!("95 % — случайные отклонения", "95 % — chance")), (Z998, tr!("99,8 %", "99.8 %"))];
    let title = tr!("Доля «2» и число участников школ, {} г.", "Share of «2» against participants, {}", run.ident.latest_year);
    let above = points.iter().filter(|p| p.y > p0 + binomial_half(p0, p.x, Z998)).count();
    Ok(Some(Chart {
        id: "funnel",
        svg: charts::funnel(&title, &tr!("участников в последнем году (процедуры с числом участников не меньше порога)", "participants in the latest year (procedures over the minimum)"), &tr!("доля «2»", "share of «2»"), &points, legend, p0, &limits)?,
        title,
        caption: tr!(
            "Каждая точка — школа: доля «2» по всем её процедурам последнего года против числа участников. Линия — доля региона ({}); кривые — границы, внутри которых школа такого размера отличается от региона случайно (95 % и 99,8 %). Выше верхней границы 99,8 %: {} {}. У малой школы даже очень высокая доля «2» может оставаться внутри границ.",
            "Each point is a school: the share of «2» over all its procedures of the latest year against its participants. The line is the region's share ({}); the curves are the limits within which a school of that size differs from the region by chance (95 % and 99.8 %). Above the upper 99.8 % limit: {} {}. A small school's share may stay within the limits even when very high.",
            pct1(Some(p0)),
            above,
            schools_word(above as u64)
        ),
    }))
}

/// Schools at most this many in the caterpillar plot (the worst by expected rank first).
const CATERPILLAR_MAX: usize = 150;

/// Rank intervals of the schools on the ШНОР list and of the borderline ones (whose interval
/// reaches the worst share's cut-off), from the posterior draws; none without draws.
fn caterpillar_chart(run: &RunOutput, legend: &[(Category, String)]) -> Result<Option<Chart>> {
    let Some(of) = run.ident.rows.iter().find_map(|r| r.standing.ranked_of) else {
        return Ok(None);
    };
    let share = run.config.criteria.bottom.share;
    let cutoff = crate::indices::ceil_share(share, of as u64) as f64;
    let mut bars: Vec<(&SchoolRow, RankBar)> = run
        .ident
        .rows
        .iter()
        .filter_map(|r| {
            let st = &r.standing;
            let bar = RankBar { expected: st.rank_expected?, low: st.rank_low? as f64, high: st.rank_high? as f64, category: r.category };
            (r.shnor || bar.low <= cutoff).then_some((r, bar))
        })
        .collect();
    bars.sort_by(|a, b| a.1.expected.total_cmp(&b.1.expected).then_with(|| a.0.school_id.cmp(&b.0.school_id)));
    let total = bars.len();
    bars.truncate(CATERPILLAR_MAX);
    let listed = run.ident.rows.iter().filter(|r| r.shnor).count();
    let solid = run.ident.rows.iter().filter(|r| r.shnor && r.solid == Some(true)).count();
    let bars: Vec<RankBar> = bars.into_iter().map(|(_, b)| b).collect();
    let title = tr!("Место школ по ИНР с интервалами неопределённости", "Schools' ИНР ranks with their uncertainty intervals");
    let coverage = pct_param(run.config.method.uncertainty.rank_interval);
    let cut_label = tr!("граница худших {}: место {}", "worst {} cut-off: rank {}", pct_param(share), cutoff);
    Ok(Some(Chart {
        id: "caterpillar",
        svg: charts::caterpillar(&title, &tr!("школы по ожидаемому месту", "schools by expected rank"), &tr!("место по ИНР окна (1 — худшая)", "window ИНР rank (1 — the worst)"), &bars, legend, cutoff, &cut_label)?,
        title,
        caption: tr!(
            "Школы списка ШНОР и пограничные (интервал места достигает границы худших {}): точка — ожидаемое место по ИНР окна в {} испытаниях, черта — {} интервал места. Показано {} из {}. Чем длиннее черта, тем меньше данные говорят о месте школы. Из {} школ списка ШНОР отбор надёжен для {} (docs/methodology.md).",
            "The schools on the ШНОР list and the borderline ones (rank interval reaching the worst {} cut-off): the dot is the expected window ИНР rank over {} draws, the bar its {} interval. Shown {} of {}. The longer the bar, the less the data say about the school's place. Of the {} listed schools, {} are solid (docs/methodology.md).",
            pct_param(share),
            run.config.method.uncertainty.draws,
            coverage,
            bars.len(),
            total,
            listed,
            solid
        ),
    }))
}

/// The region's share of «2» per procedure against the ШНОР list's.
fn procedures_chart(run: &RunOutput, shares: &[overview::ProcedureShares]) -> Result<Chart> {
    let c = run.config;
    let labels: Vec<String> = shares.iter().map(|p| procedure_label(&p.procedure, p.grade, &p.subject)).collect();
    let series = vec![
        (tr!("регион", "region"), category_colour(Category::None), shares.iter().map(|p| p.region.unwrap_or(0.0)).collect()),
        (tr!("школы списка ШНОР", "schools on the ШНОР list"), category_colour(Category::ShnorShnsu), shares.iter().map(|p| p.flagged.unwrap_or(0.0)).collect()),
    ];
    let title = tr!("Доля «2» по процедурам, {} г.", "Share of «2» by procedure, {}", run.ident.latest_year);
    Ok(Chart {
        id: "procedures",
        svg: charts::bars(&title, &tr!("доля «2» (не преодолели порог)", "share of «2» (below the minimum)"), &labels, &series, false, true)?,
        title,
        caption: tr!(
            "Доля «2» (для ЕГЭ — не преодолевших минимальный порог) по всем участникам региона и по участникам из школ списка ШНОР; учтены процедуры с числом участников не меньше {}.",
            "Share of «2» (for ЕГЭ, below the minimum score) over all the region's participants and over those of schools on the ШНОР list; procedures with at least {} participants.",
            c.method.min_participants
        ),
    })
}

fn quality(run: &RunOutput) -> Result<Quality> {
    let inputs = input_lines(run);
    let (gaps, gaps_total, gaps_more, by_why) = gap_lines(run)?;
    let (response, low_response) = response_lines(run);
    Ok(Quality {
        inputs: inputs.inputs,
        reasons: inputs.reasons,
        name_matching: inputs.name_matching,
        wide_sheets: inputs.wide_sheets,
        rows_read: inputs.read,
        rows_used: inputs.used,
        rows_excluded: inputs.excluded,
        gaps_by_why: by_why.into_iter().map(|(label, count)| CountLine { label, count }).collect(),
        gaps,
        gaps_total,
        gaps_more,
        left_out: run.ident.isbsh_left_out.clone(),
        response,
        low_response,
    })
}

/// Every input's accounting, the exclusion reasons over all files, name matching and the
/// sheets of wide forms.
struct InputLines {
    inputs: Vec<InputLine>,
    reasons: Vec<ReasonLine>,
    name_matching: Vec<NameMatchLine>,
    wide_sheets: Vec<WideLine>,
    read: u64,
    used: u64,
    excluded: u64,
}

fn input_lines(run: &RunOutput) -> InputLines {
    let mut inputs = Vec::new();
    let mut reasons: BTreeMap<String, (u64, bool)> = BTreeMap::new();
    let mut name_matching = Vec::new();
    let mut wide_sheets = Vec::new();
    let (mut read, mut used, mut excluded) = (0, 0, 0);
    for r in &run.dataset.reports {
        inputs.push(InputLine {
            path: r.path.clone(),
            kind: r.kind.label(),
            format: r.source.format.clone(),
            read: r.rows_read,
            used: r.rows_used,
            excluded: r.rows_excluded,
        });
        read += r.rows_read;
        used += r.rows_used;
        excluded += r.rows_excluded;
        if let Some(m) = &r.name_matching {
            name_matching.push(NameMatchLine {
                path: r.path.clone(),
                counts: m.clone(),
            });
        }
        for s in r.wide.iter().flat_map(|w| w.sheets.iter()) {
            use crate::layout::SkipKind;
            let count = |k: &[SkipKind]| s.skipped.iter().filter(|x| k.contains(&x.kind)).count();
            wide_sheets.push(WideLine {
                path: r.path.clone(),
                sheet: s.sheet.clone(),
                year: s.year.map_or_else(|| "—".to_string(), |y| y.to_string()),
                procedure: s.procedure.clone().unwrap_or_else(|| "—".to_string()),
                schools: s.school_rows,
                totals: count(&[SkipKind::Total]),
                municipalities: count(&[SkipKind::Municipality]),
                other: count(&[SkipKind::ColumnNumbers, SkipKind::Configured, SkipKind::NoSchool]),
                empty_blocks: s.empty_blocks,
            });
        }
        for e in &r.excluded {
            let reason = crate::model::report::Reason::from_code(&e.reason);
            let by_design = reason.is_some_and(|x| x.by_design());
            let label = reason.map(|x| x.label()).unwrap_or_else(|| e.label.clone());
            let entry = reasons.entry(label).or_insert((0, by_design));
            entry.0 += e.count;
        }
    }
    let mut reasons: Vec<ReasonLine> = reasons.into_iter().map(|(label, (count, by_design))| ReasonLine { label, count, by_design }).collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));

    InputLines { inputs, reasons, name_matching, wide_sheets, read, used, excluded }
}

/// Schools without ИНР or ИСБШ (or ИНР for part of the window), with why: the first
/// `LIST_LIMIT` by id, how many in all, how many more, and the count per kind of gap.
fn gap_lines(run: &RunOutput) -> Result<(Vec<GapLine>, usize, usize, BTreeMap<String, usize>)> {
    let (mut gaps, by_why) = all_gaps(run)?;
    let gaps_total = gaps.len();
    let gaps_more = gaps_total.saturating_sub(LIST_LIMIT);
    gaps.truncate(LIST_LIMIT);
    Ok((gaps, gaps_total, gaps_more, by_why))
}

/// Every school without an index or with one not for every window year, and why (by school id);
/// how many schools each kind of gap concerns.
pub(super) fn all_gaps(run: &RunOutput) -> Result<(Vec<GapLine>, BTreeMap<String, usize>)> {
    let c = run.config;
    let empty = Default::default();
    let with_rows = run.ident.with_results()?.unwrap_or(&empty);
    let years = |r: &SchoolRow| -> Vec<String> {
        run.ident.years.iter().zip(&r.inr_years).filter(|(_, v)| v.is_none()).map(|(y, _)| y.to_string()).collect()
    };
    let mut gaps = Vec::new();
    let mut by_why: BTreeMap<String, usize> = BTreeMap::new();
    for r in &run.ident.rows {
        let mut why = Vec::new();
        let mut kinds = Vec::new();
        if r.inr.is_none() {
            if with_rows.contains(&r.school_id) {
                why.push(tr!("нет ИНР: во всех процедурах меньше {} участников", "no ИНР: fewer than {} participants in every procedure", c.method.min_participants));
                kinds.push(tr!("нет ИНР: мало участников", "no ИНР: too few participants"));
            } else {
                why.push(tr!("нет ИНР: нет результатов за {}", "no ИНР: no results in {}", first_last(&run.ident.years)));
                kinds.push(tr!("нет ИНР: нет результатов", "no ИНР: no results"));
            }
        } else {
            let missing = years(r);
            if !missing.is_empty() {
                why.push(tr!("ИНР без {} г.: BOTTOM не применяется", "ИНР without {}: BOTTOM does not apply", missing.join(", ")));
                kinds.push(tr!("ИНР не за все годы окна", "ИНР not for every window year"));
            }
        }
        if r.isbsh.is_none() {
            match r.isbsh_indicators {
                Some(k) => {
                    why.push(tr!("нет ИСБШ: пригодных показателей {k} из нужных {}", "no ИСБШ: {k} usable indicators of {} needed", c.isbsh.min_indicators));
                    kinds.push(tr!("нет ИСБШ: мало пригодных показателей", "no ИСБШ: too few usable indicators"));
                }
                None => {
                    why.push(tr!("нет ИСБШ: нет анкет с достаточным числом ответивших", "no ИСБШ: no questionnaires with enough respondents"));
                    kinds.push(tr!("нет ИСБШ: нет пригодных анкет", "no ИСБШ: no usable questionnaires"));
                }
            }
        }
        if why.is_empty() {
            continue;
        }
        for k in kinds {
            *by_why.entry(k).or_default() += 1;
        }
        gaps.push(GapLine { school_id: r.school_id.clone(), name: r.name.clone(), municipality: r.municipality.clone(), why: why.join("; ") });
    }
    gaps.sort_by(|a, b| a.school_id.cmp(&b.school_id));
    Ok((gaps, by_why))
}

/// The questionnaires' coverage: a few figures, and the ten schools with the lowest response.
fn response_lines(run: &RunOutput) -> (Vec<Param>, Vec<GapLine>) {
    let mut rates: Vec<(f64, &SchoolRow)> = run.ident.rows.iter().filter_map(|r| Some((r.response_rate?, r))).filter(|(v, _)| v.is_finite()).collect();
    rates.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.school_id.cmp(&b.1.school_id)));
    let mut response = Vec::new();
    let with_q = run.ident.rows.iter().filter(|r| r.isbsh_indicators.is_some()).count();
    response.push(Param { key: tr!("школ с пригодными анкетами", "schools with usable questionnaires"), value: format!("{with_q} / {}", run.ident.rows.len()) });
    if !rates.is_empty() {
        let q = |p: f64| -> f64 {
            let i = ((rates.len() - 1) as f64 * p).round() as usize;
            rates.get(i).map(|x| x.0).unwrap_or(0.0)
        };
        response.push(Param { key: tr!("охват (ответившие семьи / обучающиеся), медиана", "response rate (families / students), median"), value: pct1(Some(q(0.5))) });
        response.push(Param { key: tr!("охват, минимум — максимум", "response rate, min — max"), value: format!("{} — {}", pct1(Some(q(0.0))), pct1(Some(q(1.0)))) });
        let low = rates.iter().filter(|(v, _)| *v < 0.3).count();
        response.push(Param { key: tr!("школ с охватом меньше 30 %", "schools with a response rate below 30 %"), value: low.to_string() });
    }
    let low_response = rates
        .iter()
        .take(10)
        .map(|(v, r)| GapLine { school_id: r.school_id.clone(), name: r.name.clone(), municipality: r.municipality.clone(), why: pct1(Some(*v)) })
        .collect();
    (response, low_response)
}

fn first_last(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    }
}

fn model(run: &RunOutput) -> Result<(Model, Vec<Chart>)> {
    let rows = &run.ident.rows;
    let counts = region_counts(rows);
    let n = counts.schools;
    let categories = Category::ALL
        .iter()
        .map(|c| {
            let k = counts.of(*c);
            CategoryLine { code: c.code(), label: c.label(), count: k, share: share_of(k, n) }
        })
        .collect();
    let y = run.ident.latest_year;
    let munis = counts_by_municipality(rows);
    let mut summary = vec![
        tr!(
            "В реестре {n} {}, муниципалитетов: {}. Последний год данных — {y}, окно ИНР — {}.",
            "The register holds {n} {} in {} municipalities. The latest year of data is {y}; the ИНР window is {}.",
            schools_word(n),
            munis.len(),
            first_last(&run.ident.years)
        ),
        tr!(
            "В списке ШНОР: {} {} ({} от всех), из них одновременно ШНСУ: {}. ШНСУ: {} {} ({}). Резильентных школ: {}.",
            "On the ШНОР list: {} {} ({} of all), of them also ШНСУ: {}. ШНСУ: {} {} ({}). Resilient schools: {}.",
            counts.on_shnor_list(),
            schools_word(counts.on_shnor_list()),
            share_of(counts.on_shnor_list(), n),
            counts.shnor_shnsu,
            counts.in_shnsu(),
            schools_word(counts.in_shnsu()),
            share_of(counts.in_shnsu(), n),
            counts.resilient
        ),
    ];
    let shnor = crate::identify::shnor_list(rows);
    let shnor_list = shnor.iter().enumerate().map(|(i, r)| list_line(run, i + 1, r)).collect();
    let shnsu_list_ = shnsu_list(rows)
        .into_iter()
        .enumerate()
        .map(|(i, r)| ListLine { reasons: vec![super::brief::shnsu_reason(run, r)], ..list_line(run, i + 1, r) })
        .collect();
    let mut res: Vec<&SchoolRow> = rows.iter().filter(|r| r.category == Category::Resilient).collect();
    res.sort_by(|a, b| a.municipality.cmp(&b.municipality).then_with(|| a.school_id.cmp(&b.school_id)));
    let resilient = res.iter().enumerate().map(|(i, r)| list_line(run, i + 1, r)).collect();
    let municipalities = munis.iter().map(|(m, c)| municipality_line(m.clone(), c)).collect();
    let shares = run.ident.procedure_shares()?;
    let (charts, chart_notes) = build_charts(run, shares)?;
    let parameters = method_parameters(run)?;
    let dynamics = dynamics_part(run, &counts);
    if let Some(d) = &dynamics {
        summary.extend(d.headline.iter().cloned());
    }
    Ok((Model {
        lang: if crate::i18n::is_en() { "en" } else { "ru" },
        t: labels(),
        title: tr!(
            "Аналитический отчёт по итогам идентификации школ с низкими образовательными результатами (ШНОР) и школ, функционирующих в неблагоприятных социальных условиях (ШНСУ)",
            "Analytical report on the identification of schools with low educational results (ШНОР) and schools in adverse social conditions (ШНСУ)"
        ),
        subtitle: format!("{} — {y}", run.config.region.name),
        summary,
        categories,
        method: method_text(run),
        parameters,
        shnor_list,
        shnsu_list: shnsu_list_,
        resilient,
        municipalities,
        region_line: municipality_line(tr!("Всего по региону", "Region total"), &counts),
        charts: charts.iter().map(|c| InlineChart { id: c.id, title: c.title.clone(), caption: c.caption.clone(), svg: c.inline() }).collect(),
        chart_notes,
        quality: quality(run)?,
        dynamics,
        objectivity: objectivity_lines(run),
        risk_profiles: super::risk::profiled(rows).into_iter().map(|r| super::risk::profile(run, r)).collect(),
        css: CSS,
        brief: super::brief::brief(run),
    }, charts))
}

/// Every set objectivity marker with its school and what it means for the list.
fn objectivity_lines(run: &RunOutput) -> Vec<ObjectivityLine> {
    super::objectivity::lines(run)
        .into_iter()
        .map(|l| ObjectivityLine {
            school_id: l.school.school_id.clone(),
            name: l.school.name.clone(),
            municipality: l.school.municipality.clone(),
            procedure: l.marker.procedure.clone(),
            marker: l.marker.kind.label(),
            numbers: l.marker.numbers(),
            note: if l.school.shnor {
                tr!("в перечне ШНОР: отбор стоит перепроверить", "on the ШНОР list: recheck the listing")
            } else if l.hidden {
                tr!("возможно, скрытые низкие результаты", "possibly hidden low results")
            } else {
                String::new()
            },
        })
        .collect()
}

/// Last year's list against this year's, when the run had one.
fn dynamics_part(run: &RunOutput, counts: &Counts) -> Option<DynamicsPart> {
    let rows = &run.ident.rows;
    let source = run.ident.previous.as_ref()?;
    let by = |code: Dynamics| -> Vec<&SchoolRow> {
        let mut v: Vec<&SchoolRow> = rows.iter().filter(|r| r.dynamics == code).collect();
        v.sort_by(|a, b| a.school_id.cmp(&b.school_id));
        v
    };
    let (entered, stayed, left) = (by(Dynamics::Entered), by(Dynamics::Stayed), by(Dynamics::Left));
    let before = stayed.len() + left.len() + run.ident.left_register.len();
    let headline = vec![tr!(
        "В прошлогоднем списке ШНОР: {before} {}, в этом: {}. Вошли: {}, остались: {}, вышли: {} (из них нет в реестре: {}).",
        "Last year's ШНОР list: {before} {}, this year's: {}. Entered: {}, stayed: {}, left: {} (of them no longer in the register: {}).",
        schools_word(before as u64),
        counts.on_shnor_list(),
        entered.len(),
        stayed.len(),
        left.len() + run.ident.left_register.len(),
        run.ident.left_register.len()
    )];
    Some(DynamicsPart {
        source: source.clone(),
        headline,
        entered: entered.iter().enumerate().map(|(i, r)| list_line(run, i + 1, r)).collect(),
        left: left.iter().enumerate().map(|(i, r)| list_line(run, i + 1, r)).collect(),
        stayed: stayed.len(),
        left_register: run.ident.left_register.clone(),
        tenure: tenure_lines(run),
    })
}

/// The listed schools with two or more years on the list in a row: longest first, then by rank.
fn tenure_lines(run: &RunOutput) -> Vec<TenureLine> {
    let mut v: Vec<(&SchoolRow, &crate::identify::dynamics::Tenure)> = crate::identify::shnor_list(&run.ident.rows)
        .into_iter()
        .filter_map(|r| Some((r, super::lines::tenure(run, r).filter(|t| t.years >= 2)?)))
        .collect();
    v.sort_by(|a, b| b.1.years.cmp(&a.1.years).then_with(|| a.0.rank.cmp(&b.0.rank)));
    v.into_iter()
        .enumerate()
        .map(|(i, (r, t))| TenureLine {
            no: i + 1,
            school_id: r.school_id.clone(),
            name: r.name.clone(),
            municipality: r.municipality.clone(),
            years: t.years,
            inr_by_year: super::lines::inr_by_year(t, num1),
        })
        .collect()
}

/// The method's parameters as the report lists them (input mapping left out).
fn method_parameters(run: &RunOutput) -> Result<Vec<Param>> {
    let mut flat = Vec::new();
    crate::config::flatten("", &run.config.parameters_json()?, &mut flat);
    let mut parameters: Vec<Param> = flat.into_iter().map(|(key, value)| Param { key, value }).collect();
    // Column aliases and answer spellings are input mapping, not method: the workbook's
    // parameter sheet and manifest.json keep them.
    parameters.retain(|p| {
        !p.value.is_empty() && !p.key.starts_with("aliases") && ![".columns", ".yes", ".no"].iter().any(|s| p.key.ends_with(s))
    });
    Ok(parameters)
}

/// Markdown-safe text for tables and paragraphs: HTML-significant characters become entities,
/// Markdown punctuation is backslash-escaped, line breaks become spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn env() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.add_filter("md", |s: String| md_escape(&s));
    env.add_template("report.html", HTML_TEMPLATE).map_err(|e| anyhow!("report template: {e}"))?;
    env.add_template("report.md", MD_TEMPLATE).map_err(|e| anyhow!("report template: {e}"))?;
    env.add_template("appendix.html", APPENDIX_HTML).map_err(|e| anyhow!("report template: {e}"))?;
    env.add_template("appendix.md", APPENDIX_MD).map_err(|e| anyhow!("report template: {e}"))?;
    Ok(env)
}

/// The analytical report: report.html (self-contained), report.md and charts/*.svg for it.
pub struct Report;

impl super::Export<RunOutput<'_>> for Report {
    fn files(&self, run: &RunOutput) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
        render(run)
    }
}

fn render(run: &RunOutput) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    let (model, charts) = model(run)?;
    let env = env()?;
    let value = minijinja::Value::from(minijinja::value::Serde(&model));
    let mut files = Vec::new();
    for name in ["report.html", "report.md", "appendix.html", "appendix.md"] {
        let text = env.get_template(name).and_then(|t| t.render(value.clone())).map_err(|e| anyhow!("{name}: {e}"))?;
        let text = if name.ends_with(".md") { text.trim_end().to_string() + "\n" } else { text };
        files.push((std::path::PathBuf::from(name), text.into_bytes()));
    }
    for c in charts {
        files.push((std::path::PathBuf::from(format!("charts/{}.svg", c.id)), c.svg.into_bytes()));
    }
    Ok(files)
}

pub(super) const CSS: &str = include_str!("templates/report.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping() {
        assert_eq!(md_escape("Школа <b>&\"1\"</b>"), "Школа &lt;b&gt;&amp;\"1\"&lt;/b&gt;");
        assert_eq!(md_escape("a|b *c* [x](y)"), "a\\|b \\*c\\* \\[x\\](y)");
        assert_eq!(md_escape("=1+1\nB"), "=1+1 B");
    }

    #[test]
    fn russian_plurals() {
        let words: Vec<String> = [1, 2, 5, 11, 12, 21, 22, 25, 51, 111, 300].iter().map(|n| schools_word(*n)).collect();
        assert_eq!(words, ["школа", "школы", "школ", "школ", "школ", "школа", "школы", "школ", "школа", "школ", "школ"]);
        assert_eq!(crate::output::lines::schools_word_gen(21), "школы");
        assert_eq!(crate::output::lines::schools_word_gen(250), "школ");
    }

    #[test]
    fn boundaries_are_exact() {
        let v = [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0];
        assert_eq!(boundary(&v, 0.1), Some(9.0));
        assert_eq!(boundary(&v, 0.3), Some(7.0));
        assert_eq!(boundary(&v, 0.25), Some(7.0)); // ⌈2.5⌉ = 3
        assert_eq!(boundary(&v, 0.0), None);
        assert_eq!(boundary(&[], 0.1), None);
        assert_eq!(pct_param(0.1), "10 %");
        assert_eq!(pct_param(0.3), "30 %");
        assert_eq!(pct_param(0.125), "12,5 %");
        assert_eq!(short(10.0), "10");
        assert_eq!(short(0.7), "0,7");
    }
}
