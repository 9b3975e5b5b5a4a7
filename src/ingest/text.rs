//! Encoding detection and transcoding of text tables to UTF-8:
//! BOM (UTF-8, UTF-16) → valid UTF-8 → chardetng among Windows-1251, KOI8-R and CP866.

use encoding_rs::{Encoding, IBM866, KOI8_R, KOI8_U, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1251};

pub use crate::text::encoding_by_name;

pub struct Decoded {
    pub text: String,
    /// Human-readable name of the encoding used.
    pub encoding: &'static str,
    /// True when invalid UTF-8 bytes were replaced (rows with U+FFFD are reported).
    pub lossy: bool,
}

fn display_name(enc: &'static Encoding) -> &'static str {
    if enc == IBM866 {
        "CP866"
    } else if enc == KOI8_U || enc == KOI8_R {
        "KOI8-R"
    } else if enc == WINDOWS_1251 {
        "Windows-1251"
    } else if enc == UTF_8 {
        "UTF-8"
    } else {
        enc.name()
    }
}

/// Decodes bytes of a text table. `forced` overrides detection (a BOM still wins for UTF-16).
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        let name = if enc == UTF_8 {
            "UTF-8 (BOM)"
        } else if enc == UTF_16LE {
            "UTF-16LE (BOM)"
        } else if enc == UTF_16BE {
            "UTF-16BE (BOM)"
        } else {
            display_name(enc)
        };
        return Decoded {
            text: text.into_owned(),
            encoding: name,
            lossy: had_errors,
        };
    }
    if let Some(enc) = forced {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: display_name(enc),
            lossy: had_errors,
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            encoding: "UTF-8",
            lossy: false,
        };
    }
    if mostly_utf8(bytes) {
        let text = String::from_utf8_lossy(bytes).into_owned();
        return Decoded {
            text,
            encoding: "UTF-8",
            lossy: true,
        };
    }
    let enc = guess_cyrillic(bytes);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: display_name(enc),
        lossy: had_errors,
    }
}

/// [`decode`] that keeps the bytes (no copy) when they are valid UTF-8, as most files are.
pub fn decode_owned(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Decoded {
    let utf8_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let utf16_bom = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if utf16_bom || !(forced.is_none() || forced == Some(UTF_8) || utf8_bom) {
        return decode(&bytes, forced);
    }
    match String::from_utf8(bytes) {
        // A UTF-8 BOM stays at the start of the text (readers skip it): removing it would move
        // the whole text.
        Ok(text) => {
            Decoded {
                text,
                encoding: if utf8_bom { "UTF-8 (BOM)" } else { "UTF-8" },
                lossy: false,
            }
        }
        Err(e) => decode(e.as_bytes(), forced),
    }
}

/// A file that is UTF-8 but for a few invalid bytes stays UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multibyte += s.chars().filter(|c| c.len_utf8() > 1).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                valid_multibyte += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| c.len_utf8() > 1).count())
                    .unwrap_or(0);
                let skip = e.error_len().unwrap_or(bad.len()).max(1);
                invalid += 1;
                rest = bad.get(skip..).unwrap_or_default();
                // Each multi-byte character still to come takes at least two bytes: stop as
                // soon as the answer cannot change.
                if invalid * 50 > valid_multibyte + rest.len() / 2 {
                    return false;
                }
                if rest.is_empty() {
                    break;
                }
            }
        }
    }
    valid_multibyte > 0 && invalid * 50 <= valid_multibyte
}

/// chardetng restricted to the Cyrillic single-byte encodings Russian exports use.
/// A window of the text from its first non-ASCII byte is enough (and the whole file would cost
/// ~0.1 s per MB).
fn guess_cyrillic(bytes: &[u8]) -> &'static Encoding {
    const WINDOW: usize = 64 * 1024;
    let start = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let window = bytes.get(start..).unwrap_or_default();
    let window = window.get(..WINDOW).unwrap_or(window);
    let mut det = chardetng::EncodingDetector::new();
    det.feed(window, true);
    let guess = det.guess(Some(b"ru"), false);
    if guess == IBM866 || guess == KOI8_U || guess == KOI8_R || guess == WINDOWS_1251 {
        guess
    } else {
        WINDOWS_1251
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Логин ОО;Наименование ОО;Муниципалитет\nshk001;МБОУ Средняя общеобразовательная школа 1;Северный район\nshk002;Гимназия имени Пушкина;Южный городской округ\n";

    #[test]
    fn detects_each_cyrillic_encoding() {
        for enc in [WINDOWS_1251, KOI8_R, IBM866] {
            let (bytes, _, _) = enc.encode(SAMPLE);
            let d = decode(&bytes, None);
            assert_eq!(d.text, SAMPLE, "{}", enc.name());
            assert!(!d.lossy);
        }
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(SAMPLE.as_bytes(), None);
        assert_eq!(d.encoding, "UTF-8");
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&with_bom, None);
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "UTF-8 (BOM)");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in SAMPLE.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&bytes, None);
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn few_invalid_bytes_stay_utf8() {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes.extend_from_slice(b"shk003;\xff\xfe broken;X\n");
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.lossy);
        assert!(d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn override_wins() {
        let (bytes, _, _) = KOI8_R.encode(SAMPLE);
        let d = decode(&bytes, encoding_by_name("koi8-r").unwrap());
        assert_eq!(d.text, SAMPLE);
        assert!(encoding_by_name("klingon").is_err());
    }
}
