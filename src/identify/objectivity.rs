//! The objectivity screen as typed rows (§4.8): each set marker of a school × procedure with
//! its numbers, and the words the outputs use — «признаки, требующие проверки», never a verdict.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use polars::prelude::DataFrame;

use super::Aggregates;
use crate::config::Config;
use crate::indices::objectivity as ix;
use crate::model::columns::{floats, ints, strs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// M1: the journal mark above the ВПР mark more often than the region's pupils of the same
    /// ВПР marks.
    JournalHigher,
    /// M1: the journal mark below the ВПР mark more often than expected.
    JournalLower,
    /// M2: more of the pupils around the lowest score of «3» (of «4») at or just above it than in
    /// the region.
    BoundaryThree,
    BoundaryFour,
    /// M2 over all the school's works and both boundaries.
    Boundaries,
    /// M3: ВПР results not confirmed by ОГЭ in the same subject.
    OgeNotConfirming,
    /// M4: the fail share changed sharply from the year before.
    Jump,
}

impl MarkerKind {
    fn from_code(code: &str) -> Option<MarkerKind> {
        Some(match code {
            ix::M1_UP => MarkerKind::JournalHigher,
            ix::M1_DOWN => MarkerKind::JournalLower,
            ix::M2_3 => MarkerKind::BoundaryThree,
            ix::M2_4 => MarkerKind::BoundaryFour,
            ix::M2 => MarkerKind::Boundaries,
            ix::M3 => MarkerKind::OgeNotConfirming,
            ix::M4 => MarkerKind::Jump,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            MarkerKind::JournalHigher => ix::M1_UP,
            MarkerKind::JournalLower => ix::M1_DOWN,
            MarkerKind::BoundaryThree => ix::M2_3,
            MarkerKind::BoundaryFour => ix::M2_4,
            MarkerKind::Boundaries => ix::M2,
            MarkerKind::OgeNotConfirming => ix::M3,
            MarkerKind::Jump => ix::M4,
        }
    }

    /// The marker's name in words.
    pub fn label(self) -> String {
        match self {
            MarkerKind::JournalHigher => tr!("M1: отметка по журналу выше отметки ВПР чаще ожидаемого", "M1: journal mark above the ВПР mark more often than expected"),
            MarkerKind::JournalLower => tr!("M1: отметка ВПР выше отметки по журналу чаще ожидаемого", "M1: ВПР mark above the journal mark more often than expected"),
            MarkerKind::BoundaryThree => tr!("M2: скопление баллов у нижней границы «3»", "M2: scores bunched at the lowest score of «3»"),
            MarkerKind::BoundaryFour => tr!("M2: скопление баллов у нижней границы «4»", "M2: scores bunched at the lowest score of «4»"),
            MarkerKind::Boundaries => tr!("M2: скопление баллов у нижних границ «3» и «4»", "M2: scores bunched at the lowest scores of «3» and «4»"),
            MarkerKind::OgeNotConfirming => tr!("M3: результаты ВПР не подтверждаются ОГЭ", "M3: ВПР results not confirmed by ОГЭ"),
            MarkerKind::Jump => tr!("M4: резкое изменение доли «2» за год", "M4: sharp change of the share of «2» in a year"),
        }
    }
}

/// One set marker of a school × procedure.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// «ВПР 5 Математика»; for M3 the subject's ВПР («ВПР Математика»).
    pub procedure: String,
    pub kind: MarkerKind,
    /// The school's value and what it is compared with: M1 — the share of pupils and the share
    /// expected from the region's pupils of the same ВПР marks; M2 — the share of the window's
    /// pupils at or just above the boundary, the school's and the one expected from the schools
    /// that stand alike around the boundary; M3 — the ВПР and the ОГЭ
    /// percentiles of badness; M4 — this year's and last year's share of «2».
    pub value: f64,
    pub reference: f64,
    pub n: i64,
    /// Benjamini–Hochberg q (none for the rank rule M3).
    pub q: Option<f64>,
}

impl Marker {
    /// The marker's numbers in words: «67 % учеников (ожидалось 21 %), n = 30, q = 0,001».
    pub fn numbers(&self) -> String {
        let pct = |x: f64| super::words::pct(Some(x)).replace(' ', "\u{a0}");
        let q = self.q.map(|q| format!(", q\u{a0}=\u{a0}{}", fmt_q(q))).unwrap_or_default();
        match self.kind {
            MarkerKind::JournalHigher | MarkerKind::JournalLower => {
                tr!("{} учеников (ожидалось {}), n\u{a0}=\u{a0}{}{q}", "{} of pupils ({} expected), n\u{a0}=\u{a0}{}{q}", pct(self.value), pct(self.reference), self.n)
            }
            MarkerKind::BoundaryThree | MarkerKind::BoundaryFour | MarkerKind::Boundaries => tr!(
                "{} учеников около границы — на ней или на балл выше (ожидалось {}), n\u{a0}=\u{a0}{}{q}",
                "{} of the pupils around the boundary at it or one point above ({} expected), n\u{a0}=\u{a0}{}{q}",
                pct(self.value),
                pct(self.reference),
                self.n
            ),
            MarkerKind::OgeNotConfirming => tr!(
                "процентиль по доле «2»: ВПР {:.0}, ОГЭ {:.0}, n\u{a0}≥\u{a0}{}",
                "percentile by the share of «2»: ВПР {:.0}, ОГЭ {:.0}, n\u{a0}≥\u{a0}{}",
                self.value,
                self.reference,
                self.n
            ),
            MarkerKind::Jump => tr!("доля «2» {} (год назад {}), n\u{a0}=\u{a0}{}{q}", "share of «2» {} (a year before {}), n\u{a0}=\u{a0}{}{q}", pct(self.value), pct(self.reference), self.n),
        }
    }
}

fn fmt_q(q: f64) -> String {
    let s = if q < 0.001 { "<0.001".to_string() } else { format!("{q:.3}") };
    if crate::i18n::is_en() { s } else { s.replace('.', ",") }
}

/// The screen of one run: the set markers by school (in school order) and the schools whose ГИА
/// fail share is above the region's.
#[derive(Debug, Clone, Default)]
pub struct Screen {
    pub by_school: BTreeMap<String, Vec<Marker>>,
    pub gia_failing: BTreeSet<String>,
    /// Tests and rank comparisons made, and whether the screen ran at all.
    pub checked: usize,
    pub enabled: bool,
    /// Results rows (school × procedure) set aside from ИНР and R30 by the markers.
    pub set_aside: usize,
}

impl Screen {
    pub fn markers_of(&self, school_id: &str) -> &[Marker] {
        self.by_school.get(school_id).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The screen from its markers table (`indices::objectivity::compute` over `agg`); `set_aside`:
/// the results rows its markers set aside (`objectivity.effect = "exclude"`).
pub fn screen_of(df: &DataFrame, agg: &Aggregates, config: &Config, set_aside: usize) -> Result<Screen> {
    let (ids, procs, subjects, markers) = (strs(&df, "school_id")?, strs(&df, "procedure")?, strs(&df, "subject")?, strs(&df, "marker")?);
    let (grades, n) = (ints(&df, "grade")?, ints(&df, "n")?);
    let (value, reference, q) = (floats(&df, "value")?, floats(&df, "reference")?, floats(&df, "q")?);
    let flagged: Vec<bool> = df.column("flagged")?.bool()?.iter().map(|b| b.unwrap_or(false)).collect();
    let mut by_school: BTreeMap<String, Vec<Marker>> = BTreeMap::new();
    for i in (0..df.height()).filter(|i| flagged.get(*i).copied().unwrap_or(false)) {
        let (Some(kind), Some(Some(v)), Some(Some(r))) = (markers.get(i).and_then(|m| MarkerKind::from_code(m)), value.get(i), reference.get(i)) else {
            continue;
        };
        let (Some(id), Some(p), Some(s)) = (ids.get(i), procs.get(i), subjects.get(i)) else { continue };
        by_school.entry(id.clone()).or_default().push(Marker {
            procedure: if s.is_empty() { tr!("ВПР, все работы школы", "ВПР, all the school's works") } else { super::words::procedure_label(p, grades.get(i).copied().flatten(), s) },
            kind,
            value: *v,
            reference: *r,
            n: n.get(i).copied().flatten().unwrap_or(0),
            q: q.get(i).copied().flatten(),
        });
    }
    Ok(Screen {
        by_school,
        gia_failing: ix::gia_failing(agg.results, agg.latest_year)?.into_iter().collect(),
        checked: df.height(),
        enabled: config.objectivity.enabled,
        set_aside,
    })
}
