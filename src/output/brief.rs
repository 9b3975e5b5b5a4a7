//! The main report's short parts (report.html fits 12 A4 pages whatever the region): the
//! headline in words, warnings when a list is empty or a criterion cannot fire, the lists with
//! one short reason line each (capped, the rest in the appendix), the municipalities with most
//! listed schools, data quality in two sentences, and the print header and page numbers.

use serde::Serialize;

use super::RunOutput;
use crate::identify::{num1, region_counts, shnsu_list, words::pct, Counts, Dynamics, SchoolRow};

/// Schools of the ШНОР list shown in the main report (the rest: appendix, prilozhenie.docx).
const SHNOR_MAX: usize = 50;
/// Schools of the ШНСУ list shown in the main report.
const SHNSU_MAX: usize = 25;
/// Municipalities in the main report's table (those with most listed schools).
const MUNICIPALITIES_MAX: usize = 30;

/// One school of a short list (the main report, the municipal packages).
#[derive(Serialize)]
pub(super) struct ShortLine {
    pub no: usize,
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub category: String,
    pub category_code: &'static str,
    pub solid: String,
    /// On the ШНОР list, with a previous list: «3-й год подряд», «впервые».
    pub tenure: String,
    /// ИНР (ШНОР list) or ИСБШ (ШНСУ list), one decimal.
    pub index: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct Brief {
    headline: Vec<String>,
    warnings: Vec<String>,
    shnor_short: Vec<ShortLine>,
    shnor_more: String,
    shnsu_short: Vec<ShortLine>,
    shnsu_more: String,
    municipalities_main: Vec<super::lines::MunicipalityLine>,
    municipalities_more: String,
    quality_words: Vec<String>,
    objectivity_words: Vec<String>,
    expected_words: Vec<String>,
    risk_words: Vec<String>,
    risk_table: Vec<super::risk::CatalogueLine>,
    /// How many factors the main report's table shows (the most frequent among listed schools).
    risk_main: usize,
    risk_more: String,
    bias: super::bias::BiasPart,
    print_css: String,
    main_charts: Vec<&'static str>,
}

pub fn brief(run: &RunOutput) -> Brief {
    let rows = &run.ident.rows;
    let counts = region_counts(rows);
    let shnor = crate::identify::shnor_list(rows);
    let shnsu = shnsu_list(rows);
    let more = |shown: usize, all: usize| {
        if all > shown {
            tr!(
                "Показаны первые {shown} из {all}; полный список с основаниями — в приложении (appendix.html), в prilozhenie.docx и shnor.xlsx.",
                "The first {shown} of {all} are shown; the full list with reasons is in the appendix (appendix.html), prilozhenie.docx and shnor.xlsx."
            )
        } else {
            String::new()
        }
    };
    let (municipalities_main, municipalities_more) = municipalities(rows);
    let risk_table = super::risk::catalogue(run);
    Brief {
        headline: headline(run, &counts, &shnor),
        warnings: warnings(run, &counts),
        shnor_short: shnor.iter().take(SHNOR_MAX).enumerate().map(|(i, r)| shnor_line(run, i + 1, r, crate::identify::short_reason(r))).collect(),
        shnor_more: more(SHNOR_MAX, shnor.len()),
        shnsu_short: shnsu.iter().take(SHNSU_MAX).enumerate().map(|(i, r)| line(i + 1, r, r.isbsh, shnsu_reason(run, r))).collect(),
        shnsu_more: more(SHNSU_MAX, shnsu.len()),
        municipalities_main,
        municipalities_more,
        quality_words: quality_words(run, rows),
        objectivity_words: super::objectivity::summary_words(run),
        expected_words: expected_words(run),
        risk_words: super::risk::summary_words(run, &risk_table),
        risk_more: risk_more(run),
        risk_main: RISK_MAIN,
        risk_table,
        bias: super::bias::part(run),
        print_css: print_css(run),
        main_charts: vec!["inr_isbsh", "caterpillar", "funnel"],
    }
}

/// Factors in the main report's table (the rest: the appendix).
const RISK_MAIN: usize = 8;

fn risk_more(run: &RunOutput) -> String {
    let n = run.ident.risk.with_value.len();
    if n <= RISK_MAIN {
        return String::new();
    }
    tr!(
        "Показаны {RISK_MAIN} факторов, чаще всего актуальных у школ перечней; все {n} с направлениями программ — в приложении.",
        "The {RISK_MAIN} factors most often actual for listed schools are shown; all {n} with the directions of programmes are in the appendix."
    )
}

fn line(no: usize, r: &SchoolRow, index: Option<f64>, reason: String) -> ShortLine {
    short_line(no, r, index, reason, r.standing_label())
}

/// A line of a ШНОР list: the school's short line with its years on the list.
pub(super) fn shnor_line(run: &RunOutput, no: usize, r: &SchoolRow, reason: String) -> ShortLine {
    let mut l = short_line(no, r, r.inr, reason, r.standing_label());
    l.tenure = super::lines::tenure(run, r).map(|t| super::lines::years_in_row(r, t)).unwrap_or_default();
    l
}

/// A school's short line: its number in the list, names, category, `solid` word, index, reason.
pub(super) fn short_line(no: usize, r: &SchoolRow, index: Option<f64>, reason: String, solid: String) -> ShortLine {
    ShortLine {
        tenure: String::new(),
        no,
        school_id: r.school_id.clone(),
        name: r.name.clone(),
        municipality: r.municipality.clone(),
        category: r.category.label(),
        category_code: r.category.code(),
        solid,
        index: num1(index),
        reason,
    }
}

/// Why a school is ШНСУ, in words: the indicators that pull its ИСБШ down most, each with the
/// school's share of families against the region's, then its ИСБШ and how many families answered.
/// «Малоимущая семья — 34 % семей (по региону 12 %); … · ИСБШ 72,9, охват анкетированием 85 %».
pub fn shnsu_reason(run: &RunOutput, r: &SchoolRow) -> String {
    let low: Vec<String> = r
        .isbsh_low
        .iter()
        .map(|l| {
            tr!(
                "{} — {} семей (по региону {})",
                "{} — {} of families (region {})",
                run.config.indicator_label(&l.indicator),
                pct(Some(l.share)),
                pct(Some(l.region))
            )
        })
        .collect();
    let coverage = r.response_rate.map(|x| tr!(", охват анкетированием {}", ", questionnaire coverage {}", pct(Some(x)))).unwrap_or_default();
    let index = tr!("ИСБШ {}{coverage}", "ИСБШ {}{coverage}", num1(r.isbsh));
    if low.is_empty() { index } else { format!("{} · {index}", low.join("; ")) }
}

fn headline(run: &RunOutput, counts: &Counts, shnor: &[&SchoolRow]) -> Vec<String> {
    let (n, listed) = (counts.schools, counts.on_shnor_list());
    let mut v = vec![tr!(
        "В перечень ШНОР вошли {listed} {} из {n} ({}); из них {} одновременно в неблагоприятных социальных условиях (ШНОР+ШНСУ) — первая очередь поддержки.",
        "The ШНОР list holds {listed} {} of {n} ({}); {} of them are also in adverse social conditions (ШНОР+ШНСУ) — the first priority for support.",
        super::lines::schools_word(listed),
        super::lines::share_of(listed, n),
        counts.shnor_shnsu
    )];
    if run.ident.previous.is_some() {
        let count = |d: Dynamics| run.ident.rows.iter().filter(|r| r.dynamics == d).count();
        v.push(tr!(
            "Впервые в перечне — {}, повторно — {}; вышли из перечня — {}.",
            "New on the list — {}, again — {}; left the list — {}.",
            count(Dynamics::Entered),
            count(Dynamics::Stayed),
            count(Dynamics::Left) + run.ident.left_register.len()
        ));
        v.extend(tenure_words(run, shnor));
    }
    let known = shnor.iter().filter(|r| r.solid.is_some()).count();
    if known > 0 {
        let solid = shnor.iter().filter(|r| r.solid == Some(true)).count();
        v.push(tr!(
            "Отбор надёжен для {solid} из {listed}: критерий выполняется и с учётом случайности. Для {} — «неопределённо»: данных мало или школа у границы; это признак, требующий проверки, а не вывод о школе.",
            "The listing is solid for {solid} of {listed}: the criterion holds beyond chance. For {} it is «uncertain»: few data or a school near the cut-off — a sign that needs checking, not a verdict.",
            listed as usize - solid
        ));
    }
    v.push(tr!(
        "В неблагоприятных социальных условиях (ШНСУ) — {} {} ({}); резильентных школ (трудные условия, но результаты среди лучших) — {}.",
        "In adverse social conditions (ШНСУ) — {} {} ({}); resilient schools (hard conditions, results among the best) — {}.",
        counts.in_shnsu(),
        super::lines::schools_word(counts.in_shnsu()),
        super::lines::share_of(counts.in_shnsu(), n),
        counts.resilient
    ));
    let mut by: Vec<(String, u64)> = crate::identify::counts_by_municipality(&run.ident.rows).into_iter().map(|(m, c)| (m, c.on_shnor_list())).filter(|(_, k)| *k > 0).collect();
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if !by.is_empty() {
        let top: Vec<String> = by.iter().take(3).map(|(m, k)| format!("{m} ({k})")).collect();
        v.push(tr!("Больше всего школ перечня: {}.", "Most listed schools: {}.", top.join(", ")));
    }
    v
}

/// How many listed schools are on the list a second year in a row or longer, and the longest.
fn tenure_words(run: &RunOutput, shnor: &[&SchoolRow]) -> Option<String> {
    let years: Vec<u32> = shnor.iter().filter_map(|r| super::lines::tenure(run, r)).map(|t| t.years).collect();
    let long = years.iter().filter(|y| **y >= 2).count() as u64;
    let max = years.iter().copied().max().filter(|m| *m >= 2)?;
    let longest = years.iter().filter(|y| **y == max).count() as u64;
    let years_word = if crate::i18n::is_en() { "years".into() } else { crate::i18n::ru_plural(u64::from(max), "год", "года", "лет").to_string() };
    Some(tr!(
        "В перечне второй год подряд и дольше — {long} {}; дольше всех — {max} {years_word} подряд ({longest} {}).",
        "On the list for a second year in a row or longer — {long} {}; the longest — {max} {years_word} in a row ({longest} {}).",
        super::lines::schools_word(long),
        super::lines::schools_word(longest)
    ))
}

/// An empty list or a criterion that cannot fire on these data, said with the reason (the
/// report's summary and the screen after `run`).
pub fn list_warnings(run: &RunOutput) -> Vec<String> {
    warnings(run, &region_counts(&run.ident.rows))
}

fn warnings(run: &RunOutput, counts: &Counts) -> Vec<String> {
    let rows = &run.ident.rows;
    let c = &run.config.criteria;
    let mut v = Vec::new();
    let with_inr = rows.iter().filter(|r| r.inr.is_some()).count();
    let most_procedures = rows.iter().filter_map(|r| r.n_procedures).max().unwrap_or(0);
    let every_year = rows.iter().filter(|r| !r.inr_years.is_empty() && r.inr_years.iter().all(Option::is_some)).count();
    if c.r30.enabled && most_procedures < i64::from(c.r30.min_procedures) {
        v.push(tr!(
            "Критерий R30 не может сработать на этих данных: ни у одной школы нет {} процедур в {} г. (наибольшее число — {most_procedures}).",
            "R30 cannot fire on these data: no school has {} procedures in {} (the most is {most_procedures}).",
            c.r30.min_procedures,
            run.ident.latest_year
        ));
    }
    if c.bottom.enabled && c.bottom.basis == crate::config::BottomBasis::Rank && every_year == 0 {
        v.push(tr!(
            "Критерий BOTTOM не может сработать: ни у одной школы нет ИНР за каждый год окна ({}).",
            "BOTTOM cannot fire: no school has an ИНР in every year of the window ({}).",
            run.ident.years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    if counts.on_shnor_list() == 0 {
        v.push(tr!(
            "Перечень ШНОР пуст. ИНР рассчитан для {with_inr} из {} школ; проверьте, все ли файлы результатов переданы (shnor check).",
            "The ШНОР list is empty. ИНР is computed for {with_inr} of {} schools; check that every results file is given (shnor check).",
            counts.schools
        ));
    }
    if counts.in_shnsu() == 0 {
        let with_isbsh = rows.iter().filter(|r| r.isbsh.is_some()).count();
        v.push(tr!(
            "Список ШНСУ пуст: ИСБШ рассчитан для {with_isbsh} из {} школ (нужны анкеты семей).",
            "The ШНСУ list is empty: ИСБШ is computed for {with_isbsh} of {} schools (family questionnaires are needed).",
            counts.schools
        ));
    }
    v
}

/// The municipalities with most listed schools (then by name), at most `MUNICIPALITIES_MAX`.
fn municipalities(rows: &[SchoolRow]) -> (Vec<super::lines::MunicipalityLine>, String) {
    let mut by: Vec<(String, Counts)> = crate::identify::counts_by_municipality(rows).into_iter().collect();
    let all = by.len();
    by.sort_by(|a, b| b.1.on_shnor_list().cmp(&a.1.on_shnor_list()).then_with(|| b.1.in_shnsu().cmp(&a.1.in_shnsu())).then_with(|| a.0.cmp(&b.0)));
    let lines = by
        .into_iter()
        .take(MUNICIPALITIES_MAX)
        .map(|(name, c)| super::lines::municipality_line(name, &c))
        .collect();
    let more = if all > MUNICIPALITIES_MAX {
        tr!(
            "Показаны {MUNICIPALITIES_MAX} муниципалитетов из {all} — с наибольшим числом школ в перечне; все — в приложении.",
            "{MUNICIPALITIES_MAX} of {all} municipalities are shown — those with most listed schools; all are in the appendix."
        )
    } else {
        String::new()
    };
    (lines, more)
}

fn quality_words(run: &RunOutput, rows: &[SchoolRow]) -> Vec<String> {
    let (mut read, mut excluded) = (0u64, 0u64);
    for r in &run.dataset.reports {
        read += r.rows_read;
        excluded += r.rows_excluded;
    }
    let n = rows.len() as u64;
    let inr = rows.iter().filter(|r| r.inr.is_some()).count() as u64;
    let isbsh = rows.iter().filter(|r| r.isbsh.is_some()).count() as u64;
    let not_ranked = rows.iter().filter(|r| r.few_participants).count();
    let mut v = vec![tr!(
        "Прочитано строк: {read}, исключено: {excluded} ({}). ИНР рассчитан для {inr} из {n} школ, ИСБШ — для {isbsh}.",
        "Rows read: {read}, excluded: {excluded} ({}). ИНР is computed for {inr} of {n} schools, ИСБШ for {isbsh}.",
        super::lines::share_of(excluded, read)
    )];
    if not_ranked > 0 {
        v.push(tr!("Не ранжированы из-за малого числа участников: {not_ranked}.", "Not ranked for few participants: {not_ranked}."));
    }
    v.push(tr!(
        "Учёт строк по файлам и причинам, школы без индексов и почему, охват анкетированием, все параметры расчёта — в приложении (appendix.html) и в выводе shnor check.",
        "Row accounting by file and reason, schools without indices and why, questionnaire coverage and every parameter are in the appendix (appendix.html) and shnor check."
    ));
    v
}

/// A CSS string: quotes and backslashes escaped, and nothing that could close the style element.
fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("\\3C "),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The running header (region, year, the run's date) and page numbers in print.
fn print_css(run: &RunOutput) -> String {
    let date = run.started.get(..10).map(|d| {
        let p: Vec<&str> = d.split('-').collect();
        if p.len() == 3 { format!("{}.{}.{}", p[2], p[1], p[0]) } else { d.to_string() }
    });
    let header = tr!("{} — ШНОР и ШНСУ, {} г.", "{} — ШНОР and ШНСУ, {}", run.config.region.name, run.ident.latest_year);
    let made = date.map(|d| tr!("расчёт от {d}", "computed on {d}")).unwrap_or_default();
    let page = tr!("стр. ", "page ");
    let of = tr!(" из ", " of ");
    format!(
        "@page {{ @top-left {{ content: {}; font-family: Arial, 'Liberation Sans', 'DejaVu Sans Condensed', sans-serif; font-size: 8pt; color: #666; }} @top-right {{ content: {}; font-family: Arial, 'Liberation Sans', 'DejaVu Sans Condensed', sans-serif; font-size: 8pt; color: #666; }} @bottom-right {{ content: {} counter(page) {} counter(pages); font-size: 8pt; color: #666; }} }}",
        css_string(&header),
        css_string(&made),
        css_string(&page),
        css_string(&of)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_strings_cannot_escape_their_quotes_or_the_style_element() {
        assert_eq!(css_string(r#"Обл. "Н" \ </style>"#), r#""Обл. \"Н\" \\ \3C /style>""#);
    }
}

/// What the report says of results against conditions (§4.9): how much of the differences in
/// ИНР the conditions explain, and how many schools do worse or better than their conditions
/// predict beyond the 95 % interval (of them on the ШНОР list).
fn expected_words(run: &RunOutput) -> Vec<String> {
    use crate::identify::outcome::AgainstExpected;
    let Some(fit) = &run.ident.expected_fit else { return Vec::new() };
    let rows = &run.ident.rows;
    let count = |s: AgainstExpected, listed: bool| rows.iter().filter(|r| r.expected.and_then(|e| e.standing()) == Some(s) && (!listed || r.shnor)).count();
    let terms = std::iter::once(tr!("ИСБШ", "ИСБШ")).chain(fit.categories.iter().map(|c| match *c {
        "тип местности" => tr!("тип местности", "locality"),
        _ => tr!("вид ОО", "school type"),
    })).collect::<Vec<_>>().join(", ");
    let pct = (fit.r2 * 100.0).round();
    vec![tr!(
        "Результаты и условия: условия школы ({terms}) объясняют {pct:.0} % различий ИНР между школами (взвешенная по числу участников регрессия; школ в расчёте: {}). Результаты ниже ожидаемого при своих условиях (ИНР выше ожидаемого за пределами 95-процентного интервала): {}, из них в перечне ШНОР — {}; выше ожидаемого: {}. По каждой школе — столбцы «ИНР ожидаемый при условиях школы» и «Результаты относительно условий» в schools.csv.",
        "Results and conditions: the school's conditions ({terms}) explain {pct:.0} % of the differences in ИНР between schools (regression weighted by participants; schools in the fit: {}). Results below what their conditions predict (ИНР above the expected beyond the 95 % interval): {}, of them on the ШНОР list {}; above expected: {}. Per school: the columns inr_expected and against_expected in schools.csv.",
        fit.n,
        count(AgainstExpected::Below, false),
        count(AgainstExpected::Below, true),
        count(AgainstExpected::Above, false)
    )]
}
