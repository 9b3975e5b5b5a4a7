//! Names of procedures and subjects as regions write them, normalised (§4.6).

/// Canonical procedure names.
pub const VPR: &str = "ВПР";
pub const OGE: &str = "ОГЭ";
pub const EGE: &str = "ЕГЭ";

fn key(s: &str) -> String {
    let folded: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ё' => 'е',
            'a' => 'а', 'c' => 'с', 'e' => 'е', 'o' => 'о', 'p' => 'р', 'x' => 'х', 'y' => 'у', 'k' => 'к', 'm' => 'м', 't' => 'т', 'b' => 'в', 'h' => 'н',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// ВПР / ОГЭ / ЕГЭ from the ways exports write them; `None` when unknown.
pub fn normalize_procedure(raw: &str) -> Option<&'static str> {
    let k = key(raw);
    let compact: String = k.chars().filter(|c| !c.is_whitespace()).collect();
    match compact.as_str() {
        "впр" | "врр" | "vpr" => Some(VPR),
        "огэ" | "гиа9" | "огэгиа9" | "оgе" | "ое" => Some(OGE),
        "егэ" | "гиа11" | "егэгиа11" => Some(EGE),
        _ => {
            // Latin spellings after folding: "oge" → "огe" etc. handled by the key; fall back to prefixes.
            if compact.starts_with("впр") {
                Some(VPR)
            } else if compact.starts_with("огэ") || compact.starts_with("гиа9") {
                Some(OGE)
            } else if compact.starts_with("егэ") || compact.starts_with("гиа11") {
                Some(EGE)
            } else {
                None
            }
        }
    }
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
        for (raw, want) in [("ВПР", VPR), ("впр", VPR), (" ОГЭ ", OGE), ("ГИА-9", OGE), ("ЕГЭ", EGE), ("гиа-11", EGE), ("EГЭ", EGE)] {
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
