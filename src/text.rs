//! Text keys shared by every layer: how a header or a name is compared (look-alike Latin and
//! Cyrillic letters, `ё`, case, punctuation) and how a user names an encoding. Neutral ground, so
//! that the readers, the indices and the writers need not import one another for them.

use encoding_rs::{Encoding, IBM866, KOI8_R, UTF_8, WINDOWS_1251};

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

/// Resolves a user-given encoding name; `None` means "detect".
pub fn encoding_by_name(name: &str) -> Result<Option<&'static Encoding>, String> {
    let n = name.trim().to_lowercase();
    match n.as_str() {
        "" | "auto" => Ok(None),
        "cp866" | "ibm866" | "866" | "dos" => Ok(Some(IBM866)),
        "cp1251" | "1251" | "win1251" | "windows1251" => Ok(Some(WINDOWS_1251)),
        "utf8" | "utf-8-bom" | "utf8bom" => Ok(Some(UTF_8)),
        "koi8r" => Ok(Some(KOI8_R)),
        _ => Encoding::for_label(n.as_bytes())
            .map(Some)
            .ok_or_else(|| name.to_string()),
    }
}

