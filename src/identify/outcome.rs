//! What identification gives the writers: one typed row per register school, with each
//! criterion's flag and structured reasons (rendered to text only when a writer asks), and the
//! counts every writer shows. No polars type crosses from here to `output/`.

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use super::Category;

/// A procedure of one grade and subject: «ВПР 4 Русский язык».
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Procedure {
    pub procedure: String,
    pub grade: Option<i64>,
    pub subject: String,
}

impl Procedure {
    /// «ВПР 4 Русский язык»; ОГЭ and ЕГЭ without the grade.
    pub fn label(&self) -> String {
        super::words::procedure_label(&self.procedure, self.grade, &self.subject)
    }
}

/// What a fact is in its criterion's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A procedure over the criterion's threshold in the latest year (R30).
    OverThreshold,
    /// A procedure over the threshold in both Y−1 and Y (R30): `previous` → `school`.
    Repeated,
    /// The school's yearly ИНР in one year of the window (BOTTOM).
    YearIndex,
    /// One of the school's procedures with the highest fail share in the latest year (BOTTOM).
    WorstProcedure,
}

/// One fact a reason rests on: the school's value against the region's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub role: Role,
    pub procedure: Option<Procedure>,
    pub year: i32,
    /// The school's value (a fail share, or ИНР for `YearIndex`).
    pub school: Option<f64>,
    /// The region's value of the same procedure and year.
    pub region: Option<f64>,
    /// The same procedure's value a year earlier (`Repeated`).
    pub previous: Option<f64>,
    /// Participants behind `previous`.
    pub previous_n: Option<i64>,
    /// Participants behind the school's value, when known.
    pub n: Option<i64>,
}

/// Why one criterion flags a school: its facts, the latest year and the cut-off it applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The criterion's flag column («flag_r30»).
    pub criterion: &'static str,
    pub year: i32,
    /// The threshold or share the criterion applied.
    pub cutoff: f64,
    pub facts: Vec<Fact>,
    /// Whether the flag holds beyond chance (§4.7): «надёжно» / «неопределённо»; unknown
    /// without draws.
    pub solid: Option<bool>,
    /// The school's standing in the posterior draws, for the criteria that rank (BOTTOM).
    pub standing: Option<Standing>,
}

/// Where the posterior draws put a school (§4.7): P(its window ИНР is in the worst X %), its
/// expected rank and rank interval (1 = the worst of `ranked_of` schools).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Standing {
    pub p_worst: Option<f64>,
    /// The X of «the worst X %».
    pub share: f64,
    pub rank_expected: Option<f64>,
    pub rank_low: Option<i64>,
    pub rank_high: Option<i64>,
    pub ranked_of: Option<i64>,
    /// The rank interval's coverage (0.9).
    pub coverage: f64,
}

impl Reason {
    /// The facts of one role.
    pub fn facts_of(&self, role: Role) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(move |f| f.role == role)
    }
}

/// Whether a school entered, stayed on or left the ШНОР list against last year's (§4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dynamics {
    Entered,
    Stayed,
    Left,
    #[default]
    #[serde(rename = "")]
    None,
}

impl Dynamics {
    pub fn code(self) -> &'static str {
        match self {
            Dynamics::Entered => "entered",
            Dynamics::Stayed => "stayed",
            Dynamics::Left => "left",
            Dynamics::None => "",
        }
    }

    pub fn from_code(code: &str) -> Dynamics {
        [Dynamics::Entered, Dynamics::Stayed, Dynamics::Left].into_iter().find(|d| d.code() == code).unwrap_or(Dynamics::None)
    }

    pub fn label(self) -> String {
        match self {
            Dynamics::Entered => tr!("вошла в список", "entered"),
            Dynamics::Stayed => tr!("осталась в списке", "stayed"),
            Dynamics::Left => tr!("вышла из списка", "left"),
            Dynamics::None => String::new(),
        }
    }
}

/// The flags of the ШНОР-list criteria by flag column, in the order of `criteria::ALL`;
/// serialised as `"flag_r30": true, …` in that order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Flags(pub Vec<(Cow<'static, str>, bool)>);

impl Flags {
    /// Each flag column with its value.
    pub fn of(flags: impl IntoIterator<Item = (&'static str, bool)>) -> Flags {
        Flags(flags.into_iter().map(|(f, on)| (Cow::Borrowed(f), on)).collect())
    }

    #[cfg(test)]
    pub fn get(&self, flag: &str) -> bool {
        self.0.iter().any(|(f, on)| f == flag && *on)
    }

    /// The flag columns that are set.
    pub fn set(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter(|(_, on)| *on).map(|(f, _)| f.as_ref())
    }
}

impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (flag, on) in &self.0 {
            m.serialize_entry(flag.as_ref(), on)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Flags {
    /// The flags in the order read (keys whose value is not true or false are ignored).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map: Vec<(String, serde_json::Value)> = serde::de::Deserializer::deserialize_map(d, PairsVisitor)?;
        Ok(Flags(map.into_iter().filter_map(|(k, v)| Some((Cow::Owned(k), v.as_bool()?))).collect()))
    }
}

/// A JSON object read as its (key, value) pairs in file order.
struct PairsVisitor;

impl<'de> serde::de::Visitor<'de> for PairsVisitor {
    type Value = Vec<(String, serde_json::Value)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(pair) = m.next_entry::<String, serde_json::Value>()? {
            out.push(pair);
        }
        Ok(out)
    }
}

/// One register school after identification (school-level aggregates only).
#[derive(Debug, Clone)]
pub struct SchoolRow {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub school_type: String,
    pub locality: String,
    /// The yearly ИНР, one per window year.
    pub inr_years: Vec<Option<f64>>,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    /// Each ШНОР-list criterion's flag.
    pub flags: Flags,
    pub shnor: bool,
    pub shnsu: bool,
    pub resilient: bool,
    pub category: Category,
    pub rank: Option<i64>,
    pub n_procedures: Option<i64>,
    pub n_unreliable: Option<i64>,
    pub isbsh_indicators: Option<i64>,
    pub response_rate: Option<f64>,
    /// Each flagging criterion's reason (empty when identified without reasons).
    pub reasons: Vec<Reason>,
    pub inr_prev: Option<f64>,
    pub isbsh_prev: Option<f64>,
    pub dynamics: Dynamics,
    /// Participants over the window's usable procedures (pooled).
    pub participants_window: Option<i64>,
    /// Fewer participants than `method.min_school_participants`: not ranked («мало участников»).
    pub few_participants: bool,
    /// The posterior draws' standing (none without draws).
    pub standing: Standing,
    /// For a school on the ШНОР list: whether its listing holds beyond chance («надёжно»).
    pub solid: Option<bool>,
    /// The indicators that pull its ИСБШ down most, weakest first (the ШНСУ reason).
    pub isbsh_low: Vec<LowIndicator>,
    /// For a school on the ШНОР list: its years on the list in a row and ИНР by list year.
    pub tenure: Option<super::dynamics::Tenure>,
    /// Its ИНР against what its conditions predict (§4.9; none without ИСБШ or a fit).
    pub expected: Option<Expected>,
    /// For a school on the ШНОР list: the schools in like conditions and where it stands.
    pub similar: Option<Similar>,
    /// Its risk profile (§4.9; none when identified without reasons or with no factor known).
    pub risk: Option<Risk>,
}

/// A school's risk profile (`identify::risk`): the risk index, how many factors are actual and
/// known, and the actual ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// 0–100: the weighted share of actual factors among the known ones.
    pub index: f64,
    pub actual: usize,
    pub known: usize,
    /// The actual factors, in the catalogue's order.
    pub factors: Vec<RiskFactor>,
}

/// One actual factor of a school: its key in `risk.factors`, the school's value and the
/// region's median (none when only the self-diagnosis knows it), and the self-diagnosis level
/// when that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskFactor {
    pub factor: String,
    pub value: Option<f64>,
    pub median: Option<f64>,
    pub level: Option<String>,
}

/// A listed school's similar schools (`identify::similar`).
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    /// Their ids, nearest first.
    pub ids: Vec<String>,
    /// How many of them have a higher (worse) ИНР than the school.
    pub worse: usize,
    /// The median of their ИНР.
    pub median_inr: f64,
}

/// A school's ИНР against the ИНР its conditions predict (weighted least squares on ИСБШ, and
/// locality and school type when known): the prediction, ИНР − prediction and the 95 %
/// prediction interval of that difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    pub value: f64,
    pub residual: f64,
    pub low: f64,
    pub high: f64,
}

/// Where a school's results stand against its conditions, when the interval says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgainstExpected {
    /// ИНР above the prediction beyond the interval: results worse than the conditions predict.
    Below,
    /// ИНР below the prediction beyond the interval: results better than predicted.
    Above,
}

impl Expected {
    pub fn standing(&self) -> Option<AgainstExpected> {
        if self.low > 0.0 {
            Some(AgainstExpected::Below)
        } else if self.high < 0.0 {
            Some(AgainstExpected::Above)
        } else {
            None
        }
    }
}

impl AgainstExpected {
    pub fn code(self) -> &'static str {
        match self {
            AgainstExpected::Below => "below_expected",
            AgainstExpected::Above => "above_expected",
        }
    }

    pub fn label(self) -> String {
        match self {
            AgainstExpected::Below => tr!("ниже ожидаемого", "below expected"),
            AgainstExpected::Above => tr!("выше ожидаемого", "above expected"),
        }
    }
}

/// One questionnaire indicator of a school against the region's schools.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowIndicator {
    /// The indicator's name in the configuration («low_income»).
    pub indicator: String,
    pub share: f64,
    /// The mean share over the region's schools.
    pub region: f64,
}

impl SchoolRow {
    /// What the uncertainty says of this school in one word: «надёжно» / «неопределённо» for a
    /// school on the ШНОР list (when known), «мало участников» for one not ranked, else empty.
    pub fn standing_label(&self) -> String {
        match (self.solid, self.few_participants) {
            (Some(s), _) if self.shnor => super::words::solid_word(s),
            (_, true) => tr!("мало участников", "few participants"),
            _ => String::new(),
        }
    }

    /// A school with only its id and category (and the lists the category implies), for tests.
    #[cfg(test)]
    pub fn of_category(id: &str, category: Category) -> SchoolRow {
        SchoolRow {
            school_id: id.to_string(),
            name: format!("Школа {id}"),
            municipality: "М".to_string(),
            school_type: String::new(),
            locality: String::new(),
            inr_years: Vec::new(),
            inr: None,
            isbsh: None,
            flags: Flags::default(),
            shnor: matches!(category, Category::ShnorShnsu | Category::Shnor),
            shnsu: matches!(category, Category::ShnorShnsu | Category::Shnsu),
            resilient: category == Category::Resilient,
            category,
            rank: None,
            n_procedures: None,
            n_unreliable: None,
            isbsh_indicators: None,
            response_rate: None,
            reasons: Vec::new(),
            inr_prev: None,
            isbsh_prev: None,
            dynamics: Dynamics::None,
            participants_window: None,
            few_participants: false,
            standing: Standing::default(),
            solid: None,
            isbsh_low: Vec::new(),
            tenure: None,
            expected: None,
            similar: None,
            risk: None,
        }
    }

}

/// Counts per category for one municipality (or the region).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub schools: u64,
    pub shnor_shnsu: u64,
    pub shnor: u64,
    pub shnsu: u64,
    pub resilient: u64,
    pub none: u64,
}

impl Counts {
    pub fn add(&mut self, category: Category) {
        self.schools += 1;
        *self.slot(category) += 1;
    }

    fn slot(&mut self, category: Category) -> &mut u64 {
        match category {
            Category::ShnorShnsu => &mut self.shnor_shnsu,
            Category::Shnor => &mut self.shnor,
            Category::Shnsu => &mut self.shnsu,
            Category::Resilient => &mut self.resilient,
            Category::None => &mut self.none,
        }
    }

    /// Schools of one category.
    pub fn of(&self, category: Category) -> u64 {
        match category {
            Category::ShnorShnsu => self.shnor_shnsu,
            Category::Shnor => self.shnor,
            Category::Shnsu => self.shnsu,
            Category::Resilient => self.resilient,
            Category::None => self.none,
        }
    }

    /// Schools on the ШНОР list (both categories) and in ШНСУ (both categories).
    pub fn on_shnor_list(&self) -> u64 {
        self.shnor_shnsu + self.shnor
    }

    pub fn in_shnsu(&self) -> u64 {
        self.shnor_shnsu + self.shnsu
    }
}

/// The ШНОР list in its order (by rank: ШНОР+ШНСУ first, then ШНОР, worst ИНР first).
pub fn shnor_list(rows: &[SchoolRow]) -> Vec<&SchoolRow> {
    let mut v: Vec<&SchoolRow> = rows.iter().filter(|r| r.shnor).collect();
    v.sort_by_key(|r| r.rank);
    v
}

/// The ШНСУ list: lowest ИСБШ first, ties by school_id.
pub fn shnsu_list(rows: &[SchoolRow]) -> Vec<&SchoolRow> {
    let mut v: Vec<&SchoolRow> = rows.iter().filter(|r| r.shnsu).collect();
    v.sort_by(|a, b| {
        a.isbsh
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.isbsh.unwrap_or(f64::INFINITY))
            .then_with(|| a.school_id.cmp(&b.school_id))
    });
    v
}

pub fn counts_by_municipality(rows: &[SchoolRow]) -> std::collections::BTreeMap<String, Counts> {
    let mut m: std::collections::BTreeMap<String, Counts> = std::collections::BTreeMap::new();
    for r in rows {
        m.entry(r.municipality.clone()).or_default().add(r.category);
    }
    m
}

pub fn region_counts(rows: &[SchoolRow]) -> Counts {
    let mut c = Counts::default();
    for r in rows {
        c.add(r.category);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_serialise_in_criteria_order() {
        let f = Flags::of([("flag_r30", true), ("flag_bottom", false)]);
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"flag_r30":true,"flag_bottom":false}"#);
        assert!(f.get("flag_r30") && !f.get("flag_bottom") && !f.get("other"));
        assert_eq!(f.set().collect::<Vec<_>>(), vec!["flag_r30"]);
        let back: Flags = serde_json::from_str(r#"{"flag_bottom":true,"flag_r30":false,"other":"x"}"#).unwrap();
        assert_eq!(back, Flags::of([("flag_bottom", true), ("flag_r30", false)]));
    }

    #[test]
    fn dynamics_codes_round_trip() {
        for d in [Dynamics::Entered, Dynamics::Stayed, Dynamics::Left, Dynamics::None] {
            assert_eq!(Dynamics::from_code(d.code()), d);
        }
        assert_eq!(serde_json::to_string(&Dynamics::None).unwrap(), "\"\"");
    }
}
