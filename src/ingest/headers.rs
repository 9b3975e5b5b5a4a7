//! Header normalisation and matching of source columns to canonical names.

use std::collections::BTreeMap;

pub use crate::text::{fold_lookalike, header_key};

/// True when a header says its values are shares or percentages («%», «доля»).
pub fn header_is_share(s: &str) -> bool {
    let k: String = s.chars().map(fold_lookalike).flat_map(char::to_lowercase).collect();
    k.contains('%') || k.contains("доля") || k.contains("процент")
}

/// How a header was matched to a canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The header (its matching key) is a name or alias, or is mapped explicitly.
    Exact(String),
    /// Matched after setting aside numbering, footnote marks and qualifiers, or by a distinctive
    /// part of the header: (canonical, how, in the user's words).
    Loose(String, String),
    /// A distinctive part fits two or more canonical names: never guessed.
    Ambiguous(Vec<String>),
    None,
}

/// Candidate canonical names with their alias keys.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    by_key: BTreeMap<String, String>,
    explicit: BTreeMap<String, String>,
}

/// Aliases shorter than this (in key characters) never match by containment («МО», «2», «год»).
const MIN_STEM: usize = 5;

impl Matcher {
    /// `pairs` are (canonical name, alias) — the canonical name itself always matches.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut by_key = BTreeMap::new();
        for (canon, alias) in pairs {
            by_key.entry(header_key(canon)).or_insert_with(|| canon.to_string());
            by_key.entry(header_key(alias)).or_insert_with(|| canon.to_string());
        }
        Matcher {
            by_key,
            explicit: BTreeMap::new(),
        }
    }

    /// Explicit source-header → canonical mappings (from the configuration) take precedence.
    pub fn with_explicit(mut self, explicit: &BTreeMap<String, String>) -> Self {
        for (src, canon) in explicit {
            self.explicit.insert(header_key(src), canon.clone());
        }
        self
    }

    fn exact(&self, key: &str) -> Option<&str> {
        if key.is_empty() {
            return None;
        }
        self.explicit.get(key).or_else(|| self.by_key.get(key)).map(String::as_str)
    }

    /// The canonical name of a header when it is one of the names or aliases as it stands, or
    /// once numbering, footnote marks and qualifiers are set aside (used to find header rows).
    pub fn canonical_of(&self, header: &str) -> Option<&str> {
        self.exact(&header_key(header)).or_else(|| if is_task_header(header) { None } else { self.exact(&header_key(&strip_qualifiers(header))) })
    }

    /// Every way a header can be matched, in order: as it stands; without numbering («6.\tИНН»),
    /// footnote marks and qualifiers in parentheses or after a comma («Образовательная
    /// организация (школа)», «Русский язык, чел.»); by a distinctive alias contained in it when
    /// exactly one canonical name fits.
    pub fn resolve(&self, header: &str) -> Resolved {
        let key = header_key(header);
        if let Some(c) = self.exact(&key) {
            return Resolved::Exact(c.to_string());
        }
        if key.is_empty() || is_task_header(header) {
            return Resolved::None;
        }
        let bare = strip_qualifiers(header);
        if let Some(c) = self.exact(&header_key(&bare)) {
            return Resolved::Loose(c.to_string(), tr!("без уточнений: «{}»", "without qualifiers: «{}»", bare.trim()));
        }
        // Aliases contained in the header; an alias inside a longer contained alias of another
        // name does not count («отметка» inside «отметка по журналу»).
        let found: Vec<(&String, &String)> = self.by_key.iter().filter(|(k, _)| k.chars().count() >= MIN_STEM && key.contains(k.as_str())).collect();
        let kept: Vec<&(&String, &String)> = found
            .iter()
            .filter(|(k, c)| !found.iter().any(|(k2, c2)| c2 != c && k2.len() > k.len() && k2.contains(k.as_str())))
            .collect();
        let mut names: Vec<String> = kept.iter().map(|(_, c)| (*c).clone()).collect();
        names.sort();
        names.dedup();
        match names.as_slice() {
            [] => Resolved::None,
            [one] => {
                let alias = kept.iter().map(|(k, _)| k.as_str()).max_by_key(|k| k.len()).unwrap_or_default();
                Resolved::Loose(one.clone(), tr!("по части заголовка «{alias}»", "by a part of the header «{alias}»"))
            }
            _ => Resolved::Ambiguous(names),
        }
    }

    /// How many different known headers a row holds (used to find the header row; a data row of
    /// task scores «2», «1», «2» is one name at most, not three).
    pub fn score_row(&self, cells: &[Option<String>]) -> usize {
        let mut names: Vec<&str> = cells.iter().flatten().filter_map(|c| self.canonical_of(c)).collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    }
}

/// A header without its numbering prefix («6.\tИНН», «1) Год»), footnote marks («Отметка*»,
/// «Год¹») and qualifiers in parentheses or after a comma («… (школа)», «…, чел.»).
pub fn strip_qualifiers(header: &str) -> String {
    let mut t: String = header
        .chars()
        .map(|c| if c.is_whitespace() || c == '\u{a0}' { ' ' } else { c })
        .filter(|c| !matches!(c, '*' | '¹' | '²' | '³' | '⁴' | '⁵' | '†'))
        .collect();
    // Numbering: digits, then «.» or «)», then a space or a letter.
    let trimmed = t.trim_start().to_string();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = trimmed.get(digits..).unwrap_or_default();
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            if r.starts_with(' ') || r.chars().next().is_some_and(char::is_alphabetic) {
                t = r.to_string();
            }
        }
    }
    // Parenthesised parts, anywhere.
    let mut out = String::new();
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // A qualifier after a comma: «Русский язык, чел.».
    let head = out.split(',').next().unwrap_or_default();
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Task columns of ВПР protocols: «балл за 5», «5 (2б)», «10К1 (1б)», «a-3-grade».
pub fn is_task_header(header: &str) -> bool {
    let l: String = header.chars().flat_map(char::to_lowercase).collect();
    let l = l.trim();
    if l.starts_with("балл за") || l.starts_with("баллы за") || l.starts_with("задание") {
        return true;
    }
    // «a-3-grade», «b-12-grade»
    let parts: Vec<&str> = l.split('-').collect();
    if let [a, n, g] = parts.as_slice() {
        if a.len() <= 2 && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && *g == "grade" {
            return true;
        }
    }
    // «10К1 (1б)», «5 (2б)»: a task number, then the maximum in parentheses ending in «б».
    if let Some((num, rest)) = l.split_once('(') {
        let num = num.trim();
        let rest = rest.trim_end_matches(')').trim();
        let task_number = num.chars().next().is_some_and(|c| c.is_ascii_digit()) && num.chars().all(|c| c.is_alphanumeric() || c == '.');
        let max = rest
            .strip_suffix("б.")
            .or_else(|| rest.strip_suffix('б'))
            .map(str::trim)
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        return task_number && max;
    }
    false
}

/// A cell of a column-number row: «1», «12», «2.1», «3а», «2 (1)».
fn numberish(cell: &str) -> Option<i64> {
    let t = cell.trim();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = t.get(digits.len()..).unwrap_or_default().trim();
    let all_digits = |r: &str| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit());
    let tail_ok = rest.is_empty()
        || rest == "."
        || (rest.chars().count() == 1 && rest.chars().all(char::is_alphabetic))
        || rest.strip_prefix('.').is_some_and(all_digits)
        || rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')).is_some_and(all_digits);
    if digits.is_empty() || digits.len() > 3 || !tail_ok {
        return None;
    }
    digits.parse().ok()
}

/// The row of column numbers under a header: at least three filled cells, every one a number
/// (as «1», «2 (1)», «3.1»), starting at 1, counting up by one with restarts (numbering that
/// starts again for each block) or gaps, and mostly by one.
pub fn is_number_row(row: &[Option<String>]) -> bool {
    let cells: Vec<&String> = row.iter().flatten().collect();
    if cells.len() < 3 {
        return false;
    }
    let Some(values) = cells.iter().map(|c| numberish(c)).collect::<Option<Vec<i64>>>() else { return false };
    if values.first() != Some(&1) && values.first() != Some(&0) {
        return false;
    }
    let steps = values.len() - 1;
    let by_one = values.windows(2).filter(|w| matches!(w, [a, b] if *b == *a + 1)).count();
    let repeats = values.windows(2).filter(|w| matches!(w, [a, b] if a == b)).count();
    repeats == 0 && by_one * 2 >= steps
}

/// Picks the header row among the first rows: the one with the most known headers; the first
/// non-empty row when nothing matches.
pub fn detect_header_row(rows: &[Vec<Option<String>>], matcher: &Matcher) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        // A row of column numbers is never the header (its «2»…«5» look like mark columns).
        if is_number_row(row) {
            continue;
        }
        let score = matcher.score_row(row);
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
        .or_else(|| rows.iter().position(|r| r.iter().any(Option::is_some) && !is_number_row(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_space_quotes_yo_and_lookalikes() {
        assert_eq!(header_key("Логин ОО"), header_key("логин  оо"));
        assert_eq!(header_key("Логин OO"), header_key("Логин ОО")); // Latin O
        assert_eq!(header_key("Учёбный год"), header_key("учебный ГОД"));
        assert_eq!(header_key("«2»"), "2");
        assert_eq!(header_key("Отметка \"2\""), header_key("Отметка «2»"));
        assert_eq!(header_key("school_id"), header_key("School ID"));
    }

    #[test]
    fn shares_detected_from_header() {
        assert!(header_is_share("«2», %"));
        assert!(header_is_share("Доля «2»"));
        assert!(!header_is_share("Кол-во «2»"));
    }

    #[test]
    fn matcher_prefers_explicit_mapping() {
        let mut explicit = BTreeMap::new();
        explicit.insert("Логин".to_string(), "name".to_string());
        let m = Matcher::new([("school_id", "Логин"), ("name", "Наименование ОО")])
            .with_explicit(&explicit);
        assert_eq!(m.canonical_of("ЛОГИН"), Some("name"));
        assert_eq!(m.canonical_of("наименование оо"), Some("name"));
        assert_eq!(m.canonical_of("что-то"), None);
    }

    proptest::proptest! {
        /// Matching ignores case, runs of spaces, quotes and ё/е.
        #[test]
        fn header_key_is_insensitive(s in "[а-яёА-ЯЁa-zA-Z0-9 «»\"]{0,20}") {
            let variant = s.to_uppercase().replace('Ё', "Е").replace(' ', "  ").replace('«', "\"");
            proptest::prop_assert_eq!(header_key(&s), header_key(&variant));
            proptest::prop_assert_eq!(header_key(&header_key(&s)), header_key(&s));
        }
    }

    #[test]
    fn headers_as_forms_write_them() {
        let m = Matcher::new([
            ("school_id", "ИНН"),
            ("school_id", "Логин ОО"),
            ("name", "Образовательная организация"),
            ("name", "Наименование ОО"),
            ("mark", "Отметка"),
            ("journal_mark", "Отметка по журналу"),
            ("year", "Год"),
            ("municipality", "Муниципалитет"),
            ("participants", "Количество участников"),
            ("score", "Первичный балл"),
        ]);
        let loose = |h: &str| match m.resolve(h) {
            Resolved::Exact(c) | Resolved::Loose(c, _) => Some(c),
            _ => None,
        };
        assert_eq!(loose("Образовательная организация (школа)").as_deref(), Some("name"));
        assert_eq!(loose("Наименование ОО (полностью)").as_deref(), Some("name"));
        assert_eq!(loose("6.\tИНН").as_deref(), Some("school_id"));
        assert_eq!(loose("1. Год").as_deref(), Some("year"));
        assert_eq!(loose("Отметка*").as_deref(), Some("mark"));
        assert_eq!(loose("Отметка\nпо\u{a0}журналу").as_deref(), Some("journal_mark"));
        assert_eq!(loose("Количество участников, чел.").as_deref(), Some("participants"));
        // A distinctive stem inside a longer header, when only one name fits.
        assert_eq!(loose("Муниципалитет - управление образования").as_deref(), Some("municipality"));
        assert_eq!(loose("Отметка по журналу за четверть").as_deref(), Some("journal_mark"));
        assert_eq!(loose("Логин ОО в ФИС ОКО").as_deref(), Some("school_id"));
        // Two names fit: never guessed.
        assert!(matches!(m.resolve("Отметка и первичный балл"), Resolved::Ambiguous(v) if v.len() == 2));
        // Task columns and short aliases never match by containment.
        assert_eq!(m.resolve("балл за 5"), Resolved::None);
        assert_eq!(m.resolve("Годовой план"), Resolved::None);
    }

    #[test]
    fn task_headers() {
        for h in ["балл за 5", "5 (2б)", "10К1 (1б)", "a-3-grade", "2.1 (1б)"] {
            assert!(is_task_header(h), "{h}");
        }
        for h in ["Отметка", "Класс", "Вариант", "2", "(школа)"] {
            assert!(!is_task_header(h), "{h}");
        }
    }

    #[test]
    fn column_number_rows() {
        let s = |v: &[&str]| v.iter().map(|c| if c.is_empty() { None } else { Some(c.to_string()) }).collect::<Vec<_>>();
        assert!(is_number_row(&s(&["1", "2", "3", "", "4"])));
        assert!(is_number_row(&s(&["1", "2", "3", "4", "5", "6", "7", "8", "9", "5", "6", "7", "8", "9"])));
        assert!(is_number_row(&s(&["1", "2 (1)", "3", "4", "6", "7"])));
        assert!(!is_number_row(&s(&["2", "3", "4", "5", "2", "3"])));
        assert!(!is_number_row(&s(&["1", "2"])));
        assert!(!is_number_row(&s(&["1", "Школа", "3"])));
        assert!(!is_number_row(&s(&["1", "5", "3", "0", "2", "0"])));
        assert!(!is_number_row(&s(&["1", "1", "1"])));
        // Header detection passes over it even though «2»…«5» are mark aliases.
        let m = Matcher::new([("mark2", "2"), ("mark3", "3"), ("mark4", "4"), ("mark5", "5"), ("name", "Наименование ОО")]);
        let rows = vec![s(&["Наименование ОО", "2", "3"]), s(&["1", "2", "3", "4", "5", "6"])];
        assert_eq!(detect_header_row(&rows, &m), Some(0));
    }

    #[test]
    fn header_row_found_below_titles() {
        let m = Matcher::new([("school_id", "Логин ОО"), ("name", "Наименование ОО")]);
        let rows = vec![
            vec![Some("Реестр школ на 01.09.2025".to_string()), None],
            vec![None, None],
            vec![Some("Логин ОО".to_string()), Some("Наименование ОО".to_string())],
            vec![Some("s1".to_string()), Some("Школа".to_string())],
        ];
        assert_eq!(detect_header_row(&rows, &m), Some(2));
    }
}
