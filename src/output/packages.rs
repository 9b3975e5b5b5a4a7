//! A package per municipality, `municipalities/<name>/`, an ОМСУ can be sent as is: the one-page
//! `summary.html` (its counts, its ШНОР and ШНСУ schools by name — at most 20 and 10 — and how
//! many have data notes), `lists.html` (both lists with short reasons and the data notes of its
//! schools; the same template, the report's style) and the same rows in `list.csv`. Counts of
//! people (pupils behind a share) below `output.suppress_below` read «< N».

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::{defuse, Export, RunOutput};
use super::brief::{shnor_line, short_line, ShortLine};
use crate::identify::{shnsu_list, SchoolRow};

const TEMPLATE: &str = include_str!("templates/municipality.html.j2");

pub struct Packages;

#[derive(Serialize)]
struct Page<'a> {
    lang: &'static str,
    t: BTreeMap<&'static str, String>,
    css: &'static str,
    region: &'a str,
    year: i32,
    municipality: &'a str,
    headline: Vec<String>,
    shnor: Vec<ShortLine>,
    shnsu: Vec<ShortLine>,
    gaps: Vec<&'a super::report::GapLine>,
    /// lists.html (everything) or the one-page summary.html (names only, capped).
    full: bool,
    /// In the summary: how many of each list are shown.
    shnor_shown: usize,
    shnsu_shown: usize,
    /// lists.html: schools by risk factor (small counts suppressed) and the listed schools'
    /// risk profiles with the directions of an антирисковая программа.
    risk_counts: Vec<super::risk::MunicipalFactor>,
    risk_profiles: Vec<super::risk::Profile>,
}

/// Schools of each list the one-page summary names (the rest: lists.html).
const SUMMARY_SHNOR: usize = 20;
const SUMMARY_SHNSU: usize = 10;

fn labels() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("title", tr!("Школы с низкими образовательными результатами и в неблагоприятных социальных условиях", "Schools with low results and in adverse social conditions")),
        ("shnor", tr!("Школы перечня ШНОР", "Schools on the ШНОР list")),
        ("shnsu", tr!("Школы в неблагоприятных социальных условиях (ШНСУ)", "Schools in adverse social conditions (ШНСУ)")),
        ("quality", tr!("Замечания к данным школ", "Notes on the schools' data")),
        ("rank", tr!("Место в перечне", "Rank")),
        ("no", tr!("№", "No.")),
        ("name", tr!("Наименование ОО", "School")),
        ("school_id", tr!("Логин ОО", "School id")),
        ("category", tr!("Категория", "Category")),
        ("inr", tr!("ИНР", "ИНР")),
        ("isbsh", tr!("ИСБШ", "ИСБШ")),
        ("why", tr!("Что не так", "What is missing")),
        ("reason", tr!("Основание: худшие процедуры — доля «2» (95 % интервал; n), критерии", "Reason: worst procedures — share of «2» (95 % interval; n), criteria")),
        ("reason_shnsu", tr!("Основание: показатели, сильнее всего снижающие ИСБШ", "Reason: the indicators that pull ИСБШ down most")),
        ("none", tr!("Таких школ нет.", "None.")),
        ("no_gaps", tr!("У всех школ есть ИНР за каждый год окна и ИСБШ.", "Every school has an ИНР for every window year and an ИСБШ.")),
        ("footer", tr!("Полный региональный отчёт — report.html и приложение appendix.html в каталоге результатов.", "The full regional report is report.html with appendix.html in the output folder.")),
        ("solid", tr!("Надёжность отбора", "Solidity")),
        ("more", tr!("Все школы списка с основаниями — в lists.html (и list.csv) рядом.", "Every school of the list with its reasons is in lists.html (and list.csv) beside it.")),
        ("gaps_count", tr!("Школ с замечаниями к данным", "Schools with data notes")),
        ("risk", tr!("Рисковые профили школ", "The schools' risk profiles")),
        ("risk_note", tr!("Сколько школ муниципалитета имеют актуальный фактор риска (число меньше порога показывается как «< N»); ниже — профиль каждой школы перечней с направлениями антирисковой программы.", "How many of the municipality's schools have each risk factor actual (a count below the threshold reads «< N»); below, each listed school's profile with the directions of an anti-risk programme.")),
        ("risk_factor", tr!("Фактор риска", "Risk factor")),
        ("risk_schools", tr!("Школ, где актуален", "Schools where actual")),
        ("risk_listed", tr!("из них в перечнях", "of them listed")),
        ("risk_index", tr!("Индекс риска (0–100)", "Risk index (0–100)")),
        ("risk_value", tr!("Значение школы", "School's value")),
        ("risk_median", tr!("Медиана региона", "Region's median")),
        ("risk_directions", tr!("Направления антирисковой программы", "Directions of an anti-risk programme")),
        ("risk_computed", tr!("расчёт", "computed")),
        ("risk_none", tr!("Ни один фактор не актуален.", "No factor is actual.")),
        ("see_lists", tr!("Основания отбора и замечания к данным по каждой школе — в lists.html рядом.", "The reasons and the data notes of each school are in lists.html beside it.")),
    ])
}

/// A municipality's name as a folder name: characters no file system takes become «_», at most
/// 80 characters; a name already taken gets «-2», «-3», …
fn folder(name: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .chars()
        .take(80)
        .collect();
    if s.is_empty() {
        s = "_".to_string();
    }
    let mut candidate = s.clone();
    let mut k = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{s}-{k}");
        k += 1;
    }
    candidate
}

impl Export<RunOutput<'_>> for Packages {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_template("m", TEMPLATE).map_err(|e| anyhow!("municipality template: {e}"))?;
        let (gaps, _) = super::report::all_gaps(run)?;
        let suppress = run.config.output.suppress_below;
        let mut taken = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let mut risk_counts = super::risk::municipal_counts(run);
        for (m, own) in by_municipality(run, &gaps) {
            let own_shnor: Vec<ShortLine> = own
                .shnor
                .iter()
                .map(|r| shnor_line(run, r.rank.unwrap_or(0) as usize, r, crate::identify::reasons_short_suppressed(r, suppress)))
                .collect();
            let own_shnsu: Vec<ShortLine> = own.shnsu.iter().enumerate().map(|(i, r)| short_line(i + 1, r, r.isbsh, super::brief::shnsu_reason(run, r), String::new())).collect();
            let schools = own.schools;
            let headline = vec![tr!(
                "Школ в реестре: {schools}. В перечне ШНОР: {} (из них ШНОР+ШНСУ: {}); в неблагоприятных социальных условиях (ШНСУ): {}.",
                "Schools in the register: {schools}. On the ШНОР list: {} (of them ШНОР+ШНСУ: {}); in adverse social conditions (ШНСУ): {}.",
                own_shnor.len(),
                own_shnor.iter().filter(|l| l.category_code == crate::identify::Category::ShnorShnsu.code()).count(),
                own_shnsu.len()
            )];
            let mut page = Page {
                lang: if crate::i18n::is_en() { "en" } else { "ru" },
                t: labels(),
                css: super::report::CSS,
                region: &run.config.region.name,
                year: run.ident.latest_year,
                municipality: m,
                headline,
                gaps: own.gaps,
                shnor_shown: own_shnor.len().min(SUMMARY_SHNOR),
                shnsu_shown: own_shnsu.len().min(SUMMARY_SHNSU),
                shnor: own_shnor,
                shnsu: own_shnsu,
                full: false,
                risk_counts: risk_counts.remove(m).unwrap_or_default(),
                risk_profiles: own.profiled.iter().map(|r| super::risk::profile(run, r)).collect(),
            };
            let template = env.get_template("m").map_err(|e| anyhow!("{m}: {e}"))?;
            let render = |page: &Page| template.render(minijinja::Value::from(minijinja::value::Serde(page))).map_err(|e| anyhow!("{m}: {e}"));
            let dir = PathBuf::from("municipalities").join(folder(m, &mut taken));
            out.push((dir.join("summary.html"), render(&page)?.into_bytes()));
            page.full = true;
            out.push((dir.join("lists.html"), render(&page)?.into_bytes()));
            out.push((dir.join("list.csv"), list_csv(&page)?));
        }
        Ok(out)
    }
}

/// One municipality's part of the run, in list order.
#[derive(Default)]
struct Own<'r> {
    schools: usize,
    shnor: Vec<&'r SchoolRow>,
    shnsu: Vec<&'r SchoolRow>,
    profiled: Vec<&'r SchoolRow>,
    gaps: Vec<&'r super::report::GapLine>,
}

/// Every municipality's schools, lists and data gaps, sorted by name, in one pass over each.
fn by_municipality<'r>(run: &'r RunOutput, gaps: &'r [super::report::GapLine]) -> BTreeMap<&'r str, Own<'r>> {
    let mut by: BTreeMap<&str, Own> = BTreeMap::new();
    for r in &run.ident.rows {
        by.entry(r.municipality.as_str()).or_default().schools += 1;
    }
    for r in crate::identify::shnor_list(&run.ident.rows) {
        by.entry(r.municipality.as_str()).or_default().shnor.push(r);
    }
    for r in shnsu_list(&run.ident.rows) {
        by.entry(r.municipality.as_str()).or_default().shnsu.push(r);
    }
    for r in super::risk::profiled(&run.ident.rows) {
        by.entry(r.municipality.as_str()).or_default().profiled.push(r);
    }
    for g in gaps {
        by.entry(g.municipality.as_str()).or_default().gaps.push(g);
    }
    by
}

/// The package's lists as one CSV (UTF-8 with BOM, «;»), for the municipality's own tables.
fn list_csv(page: &Page<'_>) -> Result<Vec<u8>> {
    let mut w = ::csv::WriterBuilder::new().delimiter(b';').terminator(::csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record([tr!("Список", "List"), tr!("№", "No."), tr!("Логин ОО", "School id"), tr!("Наименование ОО", "School"), tr!("Категория", "Category"), tr!("Индекс", "Index"), tr!("Надёжность отбора", "Solidity"), tr!("Основание", "Reason")])?;
    for (list, lines) in [("ШНОР", &page.shnor), ("ШНСУ", &page.shnsu)] {
        for l in lines {
            w.write_record([list.to_string(), l.no.to_string(), defuse(&l.school_id), defuse(&l.name), l.category.clone(), l.index.clone(), l.solid.clone(), defuse(&l.reason)])?;
        }
    }
    w.into_inner().map_err(|e| anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_safe_and_distinct() {
        let mut taken = std::collections::BTreeSet::new();
        assert_eq!(folder("Городской округ «Озёрный»", &mut taken), "Городской округ «Озёрный»");
        assert_eq!(folder("Район А/Б: центр?", &mut taken), "Район А_Б_ центр_");
        assert_eq!(folder("Район А\\Б: центр?", &mut taken), "Район А_Б_ центр_-2");
        assert_eq!(folder(" .. ", &mut taken), "_");
    }
}
