//! Configuration values the way Russian users type them (`0,15`, `15 %`, `да`, `вкл`, `или`),
//! "did you mean" for unknown keys, and the TOML and serde messages in the user's language.

/// The closest of `candidates` to `given` (case-insensitive), when it is close enough to be a
/// likely typo.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&given, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// « — возможно, «x»?» or nothing.
pub fn suggestion<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(given, candidates) {
        Some(c) => tr!(" — возможно, «{c}»?", " — did you mean '{c}'?"),
        None => String::new(),
    }
}

/// A number as typed: `0,15`, `0.15`, ` 1 500 `, `15 %`, `15%` (a percentage is divided by 100).
pub fn parse_number(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}').collect();
    let (t, percent) = match t.strip_suffix('%') {
        Some(rest) => (rest.to_string(), true),
        None => (t, false),
    };
    let v: f64 = t.replace(',', ".").parse().ok().filter(|v: &f64| v.is_finite())?;
    Some(if percent { v / 100.0 } else { v })
}

/// A switch as typed: да/нет, вкл/выкл, true/false, yes/no, on/off, 1/0, +/−.
pub fn parse_switch(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "да" | "вкл" | "включить" | "включено" | "true" | "yes" | "on" | "1" | "+" | "истина" => Some(true),
        "нет" | "выкл" | "выключить" | "выключено" | "false" | "no" | "off" | "0" | "-" | "−" | "ложь" => Some(false),
        _ => None,
    }
}

/// `combine` as typed: или/any, и/all.
pub fn parse_combine(text: &str) -> Option<&'static str> {
    match text.trim().to_lowercase().as_str() {
        "или" | "any" | "любой" | "любое" => Some("any"),
        "и" | "all" | "все" | "всё" => Some("all"),
        _ => None,
    }
}

/// `given` made to fit the type of the default value at `key`: a string that reads as a number
/// where a number is expected, as a switch where a switch is, `или`/`и` for `combine`. Anything
/// else is returned unchanged (the type check then names the key).
pub fn coerce(key: &str, default: &toml::Value, given: toml::Value) -> toml::Value {
    use toml::Value as V;
    match (default, given) {
        (V::Float(_), V::Integer(i)) => V::Float(i as f64),
        (V::Float(_), V::String(s)) => parse_number(&s).map_or(V::String(s), V::Float),
        (V::Integer(_), V::String(s)) => match parse_number(&s) {
            Some(v) if v.fract() == 0.0 && v.abs() < 9e15 && !s.contains('%') => V::Integer(v as i64),
            _ => V::String(s),
        },
        (V::Boolean(_), V::String(s)) => parse_switch(&s).map_or(V::String(s), V::Boolean),
        (V::Boolean(_), V::Integer(i)) if i == 0 || i == 1 => V::Boolean(i == 1),
        (V::String(_), V::String(s)) if key.ends_with("combine") => V::String(parse_combine(&s).map_or(s, str::to_string)),
        (_, other) => other,
    }
}

/// Coerces every value of a user's TOML tree against the defaults' tree (tables walked key by
/// key; keys the defaults lack are left for the type check).
pub fn coerce_tree(prefix: &str, default: &toml::Value, given: &mut toml::Value) {
    match (default, given) {
        (toml::Value::Table(d), toml::Value::Table(g)) => {
            for (k, v) in g.iter_mut() {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if let Some(dv) = d.get(k) {
                    coerce_tree(&key, dv, v);
                }
            }
        }
        (d, g) if !d.is_table() => {
            let taken = std::mem::replace(g, toml::Value::Boolean(false));
            *g = coerce(prefix, d, taken);
        }
        _ => {}
    }
}

/// A TOML syntax error in the user's language: line, column and the line itself.
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return tr!("ошибка синтаксиса TOML", "TOML syntax error");
    };
    let before = text.get(..span.start).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let shown = text.lines().nth(line - 1).unwrap_or_default().trim();
    tr!(
        "ошибка синтаксиса TOML в строке {line}, столбце {column}: «{shown}» — проверьте кавычки у текста, знак «=», скобки разделов и запятые в списках",
        "TOML syntax error at line {line}, column {column}: «{shown}» — check quotes around text, the '=' sign, section brackets and commas in lists"
    )
}

/// Serde's messages about a configuration value in the user's language («invalid type: string
/// "abc", expected u32» → «неверный тип: текст "abc", ожидается целое число»), with "did you mean"
/// for unknown keys and values.
pub fn serde_message(msg: &str) -> String {
    // The deserialiser's own «in `key`» line repeats the key the caller names.
    let msg = msg.lines().next().unwrap_or(msg);
    if crate::i18n::is_en() {
        return msg.to_string();
    }
    let ticks = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    // «unknown field `x`, expected one of `a`, `b`»: the given name, then the allowed ones.
    let unknown = |rest: &str, what: &str, allowed_words: &str| {
        let names = ticks(rest);
        let (given, allowed) = names.split_first().map_or((String::new(), Vec::new()), |(g, a)| (g.clone(), a.to_vec()));
        let hint = suggestion(&given, allowed.iter().map(String::as_str));
        format!("{what} «{given}»{hint}; {allowed_words}: {}", allowed.join(", "))
    };
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        return unknown(rest, "неизвестный ключ", "допустимые ключи");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        return unknown(rest, "недопустимое значение", "допустимы");
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("не задан обязательный ключ «{}»", ticks(rest).first().cloned().unwrap_or_default());
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: ")) {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("неверное значение: {}, ожидается {}", type_words(got), type_words(want));
    }
    if let Some(rest) = msg.strip_prefix("duplicate field ") {
        return format!("ключ «{}» задан дважды", ticks(rest).first().cloned().unwrap_or_default());
    }
    format!("неверное значение ({msg})")
}

/// Serde's names of types and values in Russian words.
fn type_words(s: &str) -> String {
    let t = s.trim();
    let words = [
        ("string", "текст"),
        ("a string", "текст"),
        ("integer", "целое число"),
        ("floating point", "число"),
        ("boolean", "да/нет (true/false)"),
        ("a boolean", "да/нет (true/false)"),
        ("u32", "целое неотрицательное число"),
        ("u64", "целое неотрицательное число"),
        ("usize", "целое неотрицательное число"),
        ("i32", "целое число"),
        ("i64", "целое число"),
        ("f64", "число"),
        ("a sequence", "список в квадратных скобках"),
        ("sequence", "список"),
        ("a map", "раздел (таблица)"),
        ("map", "раздел (таблица)"),
        ("struct", "раздел"),
    ];
    for (en, ru) in words {
        if t == en {
            return ru.to_string();
        }
        if let Some(rest) = t.strip_prefix(en).filter(|r| r.starts_with(' ')) {
            return format!("{ru}{rest}");
        }
    }
    t.replace("struct ", "раздел ")
        .replace("enum ", "")
        .replace("one of ", "одно из: ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_typed() {
        assert_eq!(parse_number("0,15"), Some(0.15));
        assert_eq!(parse_number("0.15"), Some(0.15));
        assert_eq!(parse_number("15 %"), Some(0.15));
        assert_eq!(parse_number("15%"), Some(0.15));
        assert_eq!(parse_number(" 1 500 "), Some(1500.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
    }

    #[test]
    fn coerced_by_the_default_type() {
        use toml::Value as V;
        assert_eq!(coerce("criteria.bottom.share", &V::Float(0.1), V::String("0,15".into())), V::Float(0.15));
        assert_eq!(coerce("criteria.bottom.share", &V::Float(0.1), V::String("15 %".into())), V::Float(0.15));
        assert_eq!(coerce("criteria.r30.enabled", &V::Boolean(true), V::String("нет".into())), V::Boolean(false));
        assert_eq!(coerce("criteria.r30.enabled", &V::Boolean(false), V::String("ВКЛ".into())), V::Boolean(true));
        assert_eq!(coerce("criteria.combine", &V::String("any".into()), V::String("или".into())), V::String("any".into()));
        assert_eq!(coerce("criteria.combine", &V::String("any".into()), V::String("И".into())), V::String("all".into()));
        assert_eq!(coerce("method.min_participants", &V::Integer(5), V::String("7".into())), V::Integer(7));
        // What does not read stays as given (the type check names the key).
        assert_eq!(coerce("method.min_participants", &V::Integer(5), V::String("abc".into())), V::String("abc".into()));
        assert_eq!(coerce("criteria.r30.enabled", &V::Boolean(true), V::String("может".into())), V::String("может".into()));
    }

    #[test]
    fn typos_get_suggestions() {
        assert_eq!(did_you_mean("min_participantz", ["min_participants", "years_window"]), Some("min_participants"));
        assert_eq!(did_you_mean("colour", ["enabled", "share"]), None);
        assert_eq!(did_you_mean("shar", ["enabled", "share"]), Some("share"));
    }

    #[test]
    fn serde_messages_in_russian() {
        let m = serde_message("unknown field `shar`, expected `enabled` or `share`");
        assert!(m.contains("«shar»") && m.contains("возможно, «share»"), "{m}");
        let m = serde_message("invalid type: string \"abc\", expected u32");
        assert!(m.contains("текст \"abc\"") && m.contains("целое неотрицательное число"), "{m}");
        let m = serde_message("invalid type: string \"abc\", expected f64\nin `criteria.bottom.share`");
        assert_eq!(m, "неверное значение: текст \"abc\", ожидается число");
        let m = serde_message("unknown variant `maybe`, expected `any` or `all`");
        assert!(m.contains("«maybe»") && m.contains("any"), "{m}");
    }
}
