//! Header normalisation and matching of source columns to canonical names.

use std::collections::BTreeMap;

/// Latin letters that look like Cyrillic ones, mapped to the Cyrillic letter. Applied to
/// aliases and headers alike, so «Логин OO» typed with Latin O matches «Логин ОО».
pub fn fold_lookalike(c: char) -> char {
    match c {
        'A' => 'А', 'B' => 'В', 'C' => 'С', 'E' => 'Е', 'H' => 'Н', 'K' => 'К', 'M' => 'М',
        'O' => 'О', 'P' => 'Р', 'T' => 'Т', 'X' => 'Х', 'Y' => 'У',
        'a' => 'а', 'c' => 'с', 'e' => 'е', 'o' => 'о', 'p' => 'р', 'x' => 'х', 'y' => 'у',
        // Lower-case partners of the upper-case look-alikes, so that case never matters.
        'b' => 'в', 'h' => 'н', 'k' => 'к', 'm' => 'м', 't' => 'т',
        'Ё' => 'Е', 'ё' => 'е',
        other => other,
    }
}

/// The matching key of a header or alias: look-alike letters folded, `ё` → `е`, lower case,
/// only letters and digits kept (spaces, quotes «» "", punctuation and `%` ignored).
pub fn header_key(s: &str) -> String {
    s.chars()
        .map(fold_lookalike)
        .flat_map(char::to_lowercase)
        .map(fold_lookalike)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// True when a header says its values are shares or percentages («%», «доля»).
pub fn header_is_share(s: &str) -> bool {
    let k: String = s.chars().map(fold_lookalike).flat_map(char::to_lowercase).collect();
    k.contains('%') || k.contains("доля") || k.contains("процент")
}

/// Candidate canonical names with their alias keys.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    by_key: BTreeMap<String, String>,
    explicit: BTreeMap<String, String>,
}

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

    pub fn canonical_of(&self, header: &str) -> Option<&str> {
        let k = header_key(header);
        if k.is_empty() {
            return None;
        }
        self.explicit
            .get(&k)
            .or_else(|| self.by_key.get(&k))
            .map(String::as_str)
    }

    /// How many cells of a row look like known headers (used to find the header row).
    pub fn score_row(&self, cells: &[Option<String>]) -> usize {
        cells
            .iter()
            .flatten()
            .filter(|c| self.canonical_of(c).is_some())
            .count()
    }
}

/// Picks the header row among the first rows: the one with the most known headers; the first
/// non-empty row when nothing matches.
pub fn detect_header_row(rows: &[Vec<Option<String>>], matcher: &Matcher) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        let score = matcher.score_row(row);
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
        .or_else(|| rows.iter().position(|r| r.iter().any(Option::is_some)))
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
