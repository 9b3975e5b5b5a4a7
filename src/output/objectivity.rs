//! `objectivity.csv` and the words of the objectivity screen (§4.8) the report and the workbook
//! share: one row per set marker of a school × procedure — signs that need checking, never a
//! verdict.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, Result};

use super::{defuse, number, Export, RunOutput};
use crate::identify::objectivity::Marker;
use crate::identify::SchoolRow;

pub struct ObjectivityCsv;

/// One set marker with its school.
pub(super) struct Line<'a> {
    pub school: &'a SchoolRow,
    pub marker: &'a Marker,
    /// Not on the ШНОР list, with a ГИА fail share above the region's: low results may be hidden.
    pub hidden: bool,
}

/// Every set marker, by school id then marker.
pub(super) fn lines<'a>(run: &'a RunOutput) -> Vec<Line<'a>> {
    let by_id: BTreeMap<&str, &SchoolRow> = run.ident.rows.iter().map(|r| (r.school_id.as_str(), r)).collect();
    let screen = &run.ident.objectivity;
    screen
        .by_school
        .iter()
        .filter_map(|(id, markers)| Some((*by_id.get(id.as_str())?, markers)))
        .flat_map(|(school, markers)| {
            let hidden = !school.shnor && screen.gia_failing.contains(&school.school_id);
            markers.iter().map(move |marker| Line { school, marker, hidden })
        })
        .collect()
}

/// The column headers of objectivity.csv and the workbook's sheet.
pub(super) fn headers() -> Vec<String> {
    let (ru, en): (&[&str], &[&str]) = (
        &["Логин ОО", "Наименование ОО", "Муниципалитет", "Процедура", "Признак (требует проверки)", "Код признака", "Значение школы", "С чем сравнивается", "n", "q (поправка Бенджамини — Хохберга)", "В перечне ШНОР", "Возможно, скрытые низкие результаты"],
        &["school_id", "name", "municipality", "procedure", "marker", "marker_code", "value", "reference", "n", "q", "on_shnor_list", "possibly_hidden"],
    );
    (if crate::i18n::is_en() { en } else { ru }).iter().map(|s| s.to_string()).collect()
}

impl Export<RunOutput<'_>> for ObjectivityCsv {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let out = &run.config.output;
        let delim = out.csv_delimiter.bytes().next().unwrap_or(b';');
        let decimal = out.csv_decimal.chars().next().unwrap_or(',');
        let mut w = ::csv::WriterBuilder::new().delimiter(delim).terminator(::csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
        w.write_record(headers())?;
        let yes = super::lines::yes;
        for l in lines(run) {
            let (s, m) = (l.school, l.marker);
            let round = |x: f64| number(Some((x * 1000.0).round() / 1000.0), decimal);
            w.write_record([
                defuse(&s.school_id),
                defuse(&s.name),
                defuse(&s.municipality),
                m.procedure.clone(),
                m.kind.label(),
                m.kind.code().to_string(),
                round(m.value),
                round(m.reference),
                m.n.to_string(),
                m.q.map(|q| number(Some((q * 1e6).round() / 1e6), decimal)).unwrap_or_default(),
                yes(s.shnor),
                yes(l.hidden),
            ])?;
        }
        Ok(vec![(PathBuf::from("objectivity.csv"), w.into_inner().map_err(|e| anyhow!("{e}"))?)])
    }
}

/// What the main report says of the screen: how many were checked, how many schools carry
/// markers, of them on the ШНОР list, and the possibly hidden ones — as signs that need checking.
pub(super) fn summary_words(run: &RunOutput) -> Vec<String> {
    let screen = &run.ident.objectivity;
    if !screen.enabled {
        return Vec::new();
    }
    let all = lines(run);
    let schools: std::collections::BTreeSet<&str> = all.iter().map(|l| l.school.school_id.as_str()).collect();
    let listed = all.iter().filter(|l| l.school.shnor).map(|l| l.school.school_id.as_str()).collect::<std::collections::BTreeSet<_>>().len();
    let hidden: std::collections::BTreeSet<&str> = all.iter().filter(|l| l.hidden).map(|l| l.school.name.as_str()).collect();
    let mut v = vec![tr!(
        "Проверено сочетаний «школа × процедура × признак»: {}. Признаки, требующие проверки, есть у {} {}; из них в перечне ШНОР — {listed} (их результаты, возможно, искажены, отбор стоит перепроверить). Это признаки для проверки, а не вывод о школе; все — в приложении и в objectivity.csv.",
        "School × procedure × marker checks: {}. Signs that need checking are found at {} {}; of them on the ШНОР list — {listed} (their results may be distorted; their listing is worth rechecking). These are signs to check, not a verdict; all are in the appendix and objectivity.csv.",
        screen.checked,
        schools.len(),
        super::lines::schools_word_gen(schools.len() as u64)
    )];
    if screen.set_aside > 0 {
        v.push(tr!(
            "Работы ВПР, на которые указывают признаки, в этом расчёте не учитывались в ИНР и критерии R30: отложено {} результатов «школа × работа» (по умолчанию признаки только отмечаются).",
            "The ВПР works the signs point at were set aside from ИНР and R30 in this run: {} school × work results (by default the signs only annotate).",
            screen.set_aside
        ));
    }
    if !hidden.is_empty() {
        let names: Vec<&str> = hidden.iter().take(10).copied().collect();
        let more = if hidden.len() > 10 { tr!(" и ещё {}", " and {} more", hidden.len() - 10) } else { String::new() };
        v.push(tr!(
            "Возможно, скрытые низкие результаты (признаки есть, доля «2» в ГИА выше региональной, в перечень не вошли): {}{more}.",
            "Possibly hidden low results (signs found, ГИА share of «2» above the region's, not on the list): {}{more}.",
            names.join(", ")
        ));
    }
    v
}
