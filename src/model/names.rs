//! Schools known only by name (§3.2): normalisation of names, matching to the register (within
//! the municipality when one is known) and the crosswalk file that overrides both. Matching runs
//! over the distinct names of a file (a few thousand at most), never over its rows.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// Legal-form abbreviations dropped from names (МБОУ «СОШ № 5» = СОШ № 5).
const LEGAL_FORMS: &[&str] = &[
    "мбоу", "мобу", "маоу", "мкоу", "моу", "гбоу", "гаоу", "гкоу", "гоу", "фгбоу", "ноу", "чоу", "ано", "аноо", "мбоо", "маоо", "мкоо",
    "мбу", "мау", "мку", "гбу", "оу",
];

/// Words of spelled-out legal forms («муниципальное бюджетное общеобразовательное учреждение»).
const LEGAL_WORDS: &[&str] = &[
    "муниципальное", "государственное", "негосударственное", "частное", "федеральное", "областное", "краевое", "городское",
    "бюджетное", "автономное", "казенное", "общеобразовательное", "образовательное", "учреждение", "организация",
];

/// Spelled-out school kinds and their abbreviations (both sides of a match use the short form).
const KINDS: &[(&str, &str)] = &[
    ("средняя общеобразовательная школа", "сош"),
    ("основная общеобразовательная школа", "оош"),
    ("начальная общеобразовательная школа", "нош"),
    ("средняя школа", "сш"),
    ("основная школа", "ош"),
    ("начальная школа", "нш"),
    ("имени", "им"),
];

/// The normalised form of a school name: lower case, `ё` → `е`, without quotes, punctuation
/// and legal-form words, «№ 5» → «№5», spelled-out kinds abbreviated.
pub fn normalize(name: &str) -> String {
    let lower = name.to_lowercase().replace('ё', "е");
    let spaced: String = lower
        .chars()
        .map(|c| match c {
            '№' => " № ".to_string(),
            c if c.is_alphanumeric() => c.to_string(),
            _ => " ".to_string(),
        })
        .collect();
    // Legal-form words go first, so that the words around one can form a kind, and a second
    // normalisation changes nothing (found by fuzzing: «начальная учреждение школа»).
    let kept: Vec<&str> = spaced.split_whitespace().filter(|t| !LEGAL_FORMS.contains(t) && !LEGAL_WORDS.contains(t)).collect();
    let mut text = format!(" {} ", kept.join(" "));
    // Until nothing changes: `replace` passes over a kind right after another (they share the
    // space between them: «начальная школа начальная школа»).
    loop {
        let before = text.clone();
        for (long, short) in KINDS {
            text = text.replace(&format!(" {long} "), &format!(" {short} "));
        }
        if text == before {
            break;
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut number_sign = false;
    for token in text.split_whitespace() {
        if token == "№" {
            number_sign = true;
            continue;
        }
        if number_sign {
            out.push(format!("№{token}"));
            number_sign = false;
        } else {
            out.push(token.to_string());
        }
    }
    if number_sign {
        out.push("№".to_string());
    }
    out.join(" ")
}

/// A municipality name for comparison: lower case, `ё` → `е`, letters and digits only.
pub fn normalize_place(name: &str) -> String {
    let lower = name.to_lowercase().replace('ё', "е");
    lower.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Words of municipality names that say what kind of place or body it is, not which one
/// («муниципальный район», «г.», «Управление образования администрации …»).
const PLACE_WORDS: &[&str] = &[
    "муниципальный", "муниципальное", "муниципального", "муниципальной", "район", "района", "округ", "округа", "городской", "городского",
    "городское", "город", "города", "г", "гор", "мо", "мр", "мо", "го", "мрн", "р", "н", "рн", "образование", "образования", "образованию",
    "управление", "управления", "комитет", "комитета", "отдел", "отдела", "департамент", "по", "администрации", "администрация", "и",
    "поселение", "поселения", "сельское", "сельского", "края", "области", "республики", "автономного", "муниципалитет", "ато", "зато",
];

/// The words of a municipality name that tell which place it is (kind words dropped).
fn place_words(name: &str) -> Vec<String> {
    normalize_place(name).split(' ').filter(|w| !w.is_empty() && !PLACE_WORDS.contains(w)).map(str::to_string).collect()
}

/// Two words are one in different grammatical forms («северный» / «северного», «южный» /
/// «южного»): they share all but at most the last three letters of the shorter, and at least three.
fn same_word(a: &str, b: &str) -> bool {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= 3.max(shorter.saturating_sub(3)) || a == b
}

/// Whether a municipality name as another source writes it names this register municipality:
/// every telling word of the register's name is in it (in any form).
fn place_fits(register_words: &[String], other_words: &[String]) -> bool {
    !register_words.is_empty() && register_words.iter().all(|r| other_words.iter().any(|o| same_word(r, o)))
}

/// How a name was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    Exact,
    Normalized,
    Crosswalk,
    Ambiguous,
    Unmatched,
}

impl How {
    /// The integer code carried by rows (`__match`).
    pub fn code(self) -> u32 {
        self as u32
    }
}

/// The answer for one distinct name.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub school_id: Option<String>,
    pub how: How,
    /// For an ambiguous or unmatched name: the register schools it may be (at most three).
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub school_id: String,
    pub name: String,
    pub municipality: Option<String>,
}

impl Candidate {
    pub fn label(&self) -> String {
        match &self.municipality {
            Some(m) => format!("«{}» ({}, {m})", self.name, self.school_id),
            None => format!("«{}» ({})", self.name, self.school_id),
        }
    }
}

/// The register, indexed for name matching.
pub struct Register {
    schools: Vec<Candidate>,
    /// Normalised municipality of each school.
    places: Vec<Option<String>>,
    exact: HashMap<String, Vec<usize>>,
    normalized: HashMap<String, Vec<usize>>,
    normal_names: Vec<String>,
    /// Each distinct normalised municipality with its telling words.
    distinct_places: BTreeMap<String, Vec<String>>,
}

impl Register {
    pub fn new(schools: Vec<Candidate>) -> Register {
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut normalized: HashMap<String, Vec<usize>> = HashMap::new();
        let mut normal_names = Vec::with_capacity(schools.len());
        for (i, s) in schools.iter().enumerate() {
            exact.entry(s.name.trim().to_string()).or_default().push(i);
            let n = normalize(&s.name);
            normalized.entry(n.clone()).or_default().push(i);
            normal_names.push(n);
        }
        let places: Vec<Option<String>> = schools.iter().map(|s| s.municipality.as_deref().map(normalize_place)).collect();
        let distinct_places = places.iter().flatten().map(|p| (p.clone(), place_words(p))).collect();
        Register {
            schools,
            places,
            exact,
            normalized,
            normal_names,
            distinct_places,
        }
    }

    /// The register municipality a municipality name of another source stands for: the same
    /// after normalisation, or — names that drift between files and years («муниципальный район»
    /// / «муниципальный округ», «г.» / «город», an education authority «Комитет по образованию
    /// Северного района») — the one register municipality whose telling words it holds. None
    /// when the register does not know it or two register municipalities fit.
    pub fn register_place(&self, name: &str) -> Option<String> {
        let normal = normalize_place(name);
        if self.distinct_places.contains_key(&normal) {
            return Some(normal);
        }
        let words = place_words(name);
        let fits: Vec<&String> = self.distinct_places.iter().filter(|(_, w)| place_fits(w, &words)).map(|(p, _)| p).collect();
        match fits.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// The register's own spelling of a normalised municipality (for messages).
    pub fn place_label(&self, normal: &str) -> Option<&str> {
        self.places.iter().position(|p| p.as_deref() == Some(normal)).and_then(|i| self.schools.get(i)).and_then(|s| s.municipality.as_deref())
    }

    /// Narrows candidates to the given municipality. A municipality the register knows is
    /// binding (a name found only elsewhere is no match: it is never guessed); one the register
    /// does not know (names of municipalities differ between sources: «Северный район» /
    /// «Северный муниципальный район») narrows nothing.
    fn within(&self, found: &[usize], place: Option<&str>) -> Vec<usize> {
        let Some(place) = place else { return found.to_vec() };
        if !self.distinct_places.contains_key(place) {
            return found.to_vec();
        }
        found
            .iter()
            .copied()
            .filter(|i| self.places.get(*i).and_then(|p| p.as_deref()) == Some(place))
            .collect()
    }

    fn candidates(&self, idx: &[usize]) -> Vec<Candidate> {
        idx.iter().filter_map(|i| self.schools.get(*i).cloned()).take(3).collect()
    }

    /// The three register schools with the most similar normalised names.
    fn nearest(&self, normal: &str) -> Vec<Candidate> {
        let mut scored: Vec<(f64, usize)> = self
            .normal_names
            .iter()
            .enumerate()
            .map(|(i, n)| (strsim::normalized_levenshtein(normal, n), i))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let idx: Vec<usize> = scored.into_iter().take(3).map(|(_, i)| i).collect();
        self.candidates(&idx)
    }

    /// Matches a name (and a municipality, if known): exactly, then after normalisation.
    pub fn find(&self, name: &str, municipality: Option<&str>) -> Match {
        let place = municipality.map(|m| self.register_place(m).unwrap_or_else(|| normalize_place(m))).filter(|p| !p.is_empty());
        let normal = normalize(name);
        let steps: [(How, Option<&Vec<usize>>); 2] = [
            (How::Exact, self.exact.get(name.trim())),
            (How::Normalized, self.normalized.get(&normal)),
        ];
        for (how, found) in steps {
            let Some(found) = found else { continue };
            let hits = self.within(found, place.as_deref());
            match hits.as_slice() {
                [one] => {
                    return Match {
                        school_id: self.schools.get(*one).map(|s| s.school_id.clone()),
                        how,
                        candidates: Vec::new(),
                    }
                }
                [] => {}
                many => {
                    return Match {
                        school_id: None,
                        how: How::Ambiguous,
                        candidates: self.candidates(many),
                    }
                }
            }
        }
        Match {
            school_id: None,
            how: How::Unmatched,
            candidates: self.nearest(&normal),
        }
    }
}

/// The crosswalk: source ids and source names mapped to register ids; it overrides matching.
#[derive(Debug, Default)]
pub struct Crosswalk {
    pub by_id: BTreeMap<String, String>,
    /// Keyed by the normalised source name and the normalised municipality (empty when the
    /// crosswalk row names none: then it holds in every municipality).
    pub by_name: BTreeMap<(String, String), String>,
}

impl Crosswalk {
    /// The register id of a source name (in a municipality, when the source gives one): an entry
    /// for that municipality first, then one for any.
    pub fn name(&self, name: &str, municipality: Option<&str>) -> Option<&String> {
        let n = normalize(name);
        let place = municipality.map(normalize_place).unwrap_or_default();
        if !place.is_empty() {
            if let Some(id) = self.by_name.get(&(n.clone(), place)) {
                return Some(id);
            }
        }
        self.by_name.get(&(n, String::new()))
    }
}

/// Rows matched each way, for `check` and the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatchCounts {
    pub exact: u64,
    pub normalized: u64,
    pub crosswalk: u64,
    pub ambiguous: u64,
    pub unmatched: u64,
}

impl MatchCounts {
    pub fn add(&mut self, other: &MatchCounts) {
        self.exact += other.exact;
        self.normalized += other.normalized;
        self.crosswalk += other.crosswalk;
        self.ambiguous += other.ambiguous;
        self.unmatched += other.unmatched;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let same = [
            ("МБОУ «СОШ № 5»", "сош №5"),
            ("Муниципальное бюджетное общеобразовательное учреждение \"Средняя общеобразовательная школа №5\"", "сош №5"),
            ("МАОУ СОШ №5", "сош №5"),
            ("средняя общеобразовательная школа № 5", "сош №5"),
            ("МОБУ 'ООШ №12' им. А.С. Пушкина", "оош №12 им а с пушкина"),
            ("Основная общеобразовательная школа №12 имени А. С. Пушкина", "оош №12 им а с пушкина"),
            ("Гимназия № 1", "гимназия №1"),
            ("ГИМНАЗИЯ №1", "гимназия №1"),
            ("Лицей «Ёлочка»", "лицей елочка"),
            ("МКОУ НОШ с. Берёзовка", "нош с березовка"),
            ("Начальная общеобразовательная школа с.Березовка", "нош с березовка"),
            ("  Школа   №  7 ", "школа №7"),
            ("", ""),
        ];
        for (raw, want) in same {
            assert_eq!(normalize(raw), want, "{raw}");
        }
        assert_ne!(normalize("СОШ № 5"), normalize("СОШ № 15"));
        assert_ne!(normalize("Лицей № 1"), normalize("Гимназия № 1"));
    }

    /// Normalising twice changes nothing (fuzzing found both: a legal word inside a kind, and a
    /// kind right after another; fuzz/regressions/names/).
    #[test]
    fn normalisation_is_idempotent() {
        for raw in ["начальная учреждение школа № 3", "Начальная школа начальная школа", "средняя школа-средняя школа", "№ № 5 №", "ООШ ОУ основная школа"] {
            let once = normalize(raw);
            assert_eq!(normalize(&once), once, "{raw}");
        }
        assert_eq!(normalize("начальная учреждение школа № 3"), "нш №3");
        assert_eq!(normalize("Начальная школа начальная школа"), "нш нш");
    }

    fn register() -> Register {
        let c = |id: &str, name: &str, m: &str| Candidate {
            school_id: id.to_string(),
            name: name.to_string(),
            municipality: Some(m.to_string()),
        };
        Register::new(vec![
            c("s1", "МБОУ «СОШ № 1»", "Северный район"),
            c("s2", "МБОУ «СОШ № 1»", "Южный район"),
            c("s3", "МАОУ «Гимназия № 2»", "Северный район"),
            c("s4", "МКОУ ООШ с. Берёзовка", "Южный район"),
        ])
    }

    #[test]
    fn exact_normalised_within_municipality() {
        let r = register();
        let m = r.find("МАОУ «Гимназия № 2»", None);
        assert_eq!((m.school_id.as_deref(), m.how), (Some("s3"), How::Exact));
        let m = r.find("Гимназия №2", None);
        assert_eq!((m.school_id.as_deref(), m.how), (Some("s3"), How::Normalized));
        let m = r.find("основная общеобразовательная школа с.Березовка", Some("ЮЖНЫЙ РАЙОН"));
        assert_eq!((m.school_id.as_deref(), m.how), (Some("s4"), How::Normalized));
        // The same name in two municipalities: the municipality decides…
        let m = r.find("СОШ №1", Some("Южный район"));
        assert_eq!((m.school_id.as_deref(), m.how), (Some("s2"), How::Normalized));
        // …and without it the name is ambiguous, never guessed.
        let m = r.find("СОШ №1", None);
        assert_eq!(m.how, How::Ambiguous);
        assert_eq!(m.school_id, None);
        let ids: Vec<&str> = m.candidates.iter().map(|c| c.school_id.as_str()).collect();
        assert_eq!(ids, ["s1", "s2"]);
        // An unknown municipality name does not hide an otherwise unique name…
        let m = r.find("Гимназия № 2", Some("Северный муниципальный район"));
        assert_eq!(m.school_id.as_deref(), Some("s3"));
        // …but a known one is binding: the only «Гимназия № 2» is in another municipality.
        let m = r.find("Гимназия № 2", Some("Южный район"));
        assert_eq!((m.school_id.as_deref(), m.how), (None, How::Unmatched));
        assert_eq!(m.candidates.first().map(|c| c.school_id.as_str()), Some("s3"));
    }

    #[test]
    fn crosswalk_by_name_within_municipality_first() {
        let mut cw = Crosswalk::default();
        cw.by_name.insert((normalize("СОШ № 1"), normalize_place("Южный район")), "s2".to_string());
        cw.by_name.insert((normalize("СОШ № 1"), String::new()), "s1".to_string());
        assert_eq!(cw.name("МБОУ «СОШ №1»", Some("ЮЖНЫЙ район")).map(String::as_str), Some("s2"));
        assert_eq!(cw.name("СОШ № 1", Some("Северный район")).map(String::as_str), Some("s1"));
        assert_eq!(cw.name("СОШ № 1", None).map(String::as_str), Some("s1"));
        assert_eq!(cw.name("СОШ № 2", None), None);
    }

    #[test]
    fn municipality_names_that_drift() {
        let r = register();
        for drifted in ["Северный муниципальный округ", "СЕВЕРНЫЙ МУНИЦИПАЛЬНЫЙ РАЙОН", "Комитет по образованию администрации Северного района", "Северный р-н"] {
            assert_eq!(r.register_place(drifted).as_deref(), Some("северный район"), "{drifted}");
        }
        assert_eq!(r.register_place("Западный район"), None);
        // The same school name in two municipalities: a drifted spelling still decides.
        let m = r.find("СОШ №1", Some("Управление образования Южного муниципального округа"));
        assert_eq!(m.school_id.as_deref(), Some("s2"));
        // Two register municipalities that both fit: never guessed.
        let two = Register::new(vec![
            Candidate { school_id: "a".into(), name: "СОШ".into(), municipality: Some("г. Северный".into()) },
            Candidate { school_id: "b".into(), name: "ООШ".into(), municipality: Some("Северный район".into()) },
        ]);
        assert_eq!(two.register_place("Северный муниципальный округ"), None);
        assert!(same_word("быстроистокский", "быстроистокского"));
        assert!(!same_word("северный", "южный"));
    }

    #[test]
    fn unmatched_names_come_with_the_nearest_three() {
        let r = register();
        let m = r.find("Гимназия № 3", None);
        assert_eq!(m.how, How::Unmatched);
        assert_eq!(m.school_id, None);
        assert_eq!(m.candidates.len(), 3);
        assert_eq!(m.candidates.first().map(|c| c.school_id.as_str()), Some("s3"));
    }
}
