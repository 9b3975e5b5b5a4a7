//! Names of procedures and subjects as regions write them, normalised (§4.6).

use crate::text::fold_lookalike;

/// Canonical procedure names.
pub const VPR: &str = "ВПР";
pub const OGE: &str = "ОГЭ";
pub const EGE: &str = "ЕГЭ";

/// Matching key: look-alike Latin letters folded to Cyrillic, `ё` → `е`, lower case,
/// punctuation as spaces, runs of spaces collapsed.
fn key(s: &str) -> String {
    let folded: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_lookalike)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

const PROCEDURES: &[(&str, &[&str])] = &[
    (VPR, &["ВПР", "vpr"]),
    (OGE, &["ОГЭ", "ГИА-9", "ГИА 9", "oge"]),
    (EGE, &["ЕГЭ", "ГИА-11", "ГИА 11", "ege"]),
];

fn compact(s: &str) -> String {
    key(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// ВПР / ОГЭ / ЕГЭ from the ways exports write them («впр», «ГИА-9», «ЕГЭ (основной период)»);
/// `None` when unknown.
pub fn normalize_procedure(raw: &str) -> Option<&'static str> {
    let k = compact(raw);
    if k.is_empty() {
        return None;
    }
    PROCEDURES
        .iter()
        .find(|(_, aliases)| aliases.iter().any(|a| compact(a) == k))
        .or_else(|| {
            PROCEDURES
                .iter()
                .find(|(_, aliases)| aliases.iter().any(|a| k.starts_with(&compact(a))))
        })
        .map(|(canon, _)| *canon)
}

/// (canonical subject, aliases as keys).
const SUBJECTS: &[(&str, &[&str])] = &[
    ("Русский язык", &["ру", "рус", "русский", "русский язык", "русский яз", "рус яз", "русяз", "русск яз", "russian"]),
    ("Математика", &["ма", "мат", "матем", "математика", "math", "mathematics", "математика огэ", "алгебра и геометрия"]),
    ("Математика профильная", &["мп", "ма п", "мат п", "математика п", "математика профиль", "математика профильная", "математика профильного уровня", "профильная математика", "математика профильный уровень", "математика профильный", "математика проф", "мат проф"]),
    ("Математика базовая", &["мб", "ма б", "мат б", "математика б", "математика база", "математика базовая", "математика базового уровня", "базовая математика", "математика базовый уровень", "математика базовый", "мат баз", "математика баз"]),
    ("Окружающий мир", &["ом", "окр мир", "окружающий мир", "окружающий"]),
    ("Физика", &["фи", "физ", "физика"]),
    ("Химия", &["хи", "хим", "химия"]),
    ("Биология", &["би", "био", "биол", "биология"]),
    ("География", &["ге", "гео", "геогр", "география"]),
    ("История", &["ис", "ист", "история", "история россии"]),
    ("Обществознание", &["об", "общ", "обществ", "обществознание"]),
    ("Литература", &["ли", "лит", "литература"]),
    ("Информатика", &["ин", "инф", "информатика", "информатика и икт", "икт", "кегэ"]),
    ("Английский язык", &["ая", "англ", "английский", "английский язык", "англ яз"]),
    ("Немецкий язык", &["ня", "нем", "немецкий", "немецкий язык", "нем яз"]),
    ("Французский язык", &["фя", "франц", "французский", "французский язык", "фр яз"]),
    ("Испанский язык", &["ия", "исп", "испанский", "испанский язык"]),
    ("Китайский язык", &["кя", "кит", "китайский", "китайский язык"]),
    ("Иностранный язык", &["иностранный язык", "ин яз", "иняз", "иностранный"]),
];

/// A subject name in its canonical form; unknown subjects keep their own (tidied) name.
pub fn normalize_subject(raw: &str) -> String {
    let k = key(raw);
    for (canon, aliases) in SUBJECTS {
        if key(canon) == k || aliases.iter().any(|a| key(a) == k) {
            return (*canon).to_string();
        }
    }
    let tidy = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = tidy.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => tidy,
    }
}

/// One entry of `method.procedures`: a procedure, optionally restricted to a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureFilter {
    pub procedure: &'static str,
    pub subject: Option<String>,
}

/// Parses "ВПР" or "ОГЭ:Русский язык".
pub fn parse_filter(s: &str) -> Option<ProcedureFilter> {
    let (p, subj) = match s.split_once(':') {
        Some((p, subj)) => (p, Some(normalize_subject(subj))),
        None => (s, None),
    };
    Some(ProcedureFilter {
        procedure: normalize_procedure(p)?,
        subject: subj,
    })
}

pub fn in_method(filters: &[ProcedureFilter], procedure: &str, subject: &str) -> bool {
    filters.iter().any(|f| {
        f.procedure == procedure && f.subject.as_deref().is_none_or(|s| s == subject)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures() {
        for (raw, want) in [
            ("ВПР", VPR), ("впр", VPR), ("VPR", VPR), (" ОГЭ ", OGE), ("ГИА-9", OGE), ("ЕГЭ", EGE),
            ("гиа-11", EGE), ("EГЭ", EGE), ("ЕГЭ (основной период)", EGE), ("ГИА-11", EGE),
        ] {
            assert_eq!(normalize_procedure(raw), Some(want), "{raw}");
        }
        assert_eq!(normalize_procedure("НИКО"), None);
    }

    #[test]
    fn subjects_table() {
        let cases = [
            ("РУ", "Русский язык"),
            ("русский яз.", "Русский язык"),
            ("Русский  язык", "Русский язык"),
            ("МА", "Математика"),
            ("Математика (профиль)", "Математика профильная"),
            ("Математика профильного уровня", "Математика профильная"),
            ("Математика (базовый уровень)", "Математика базовая"),
            ("окружающий мир", "Окружающий мир"),
            ("Информатика и ИКТ", "Информатика"),
            ("астрономия", "Астрономия"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_subject(raw), want, "{raw}");
        }
    }

    #[test]
    fn method_filters() {
        let f: Vec<_> = ["ВПР", "ОГЭ:Русский язык", "ЕГЭ:Математика профильная"]
            .iter()
            .filter_map(|s| parse_filter(s))
            .collect();
        assert!(in_method(&f, VPR, "История"));
        assert!(in_method(&f, OGE, "Русский язык"));
        assert!(!in_method(&f, OGE, "Физика"));
        assert!(!in_method(&f, EGE, "Математика базовая"));
    }
}
