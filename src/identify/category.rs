//! The category of a school (§4.4): one definition — its code, its label in both languages, its
//! place in the order of the list and its colours — that every writer uses.

use serde::{Deserialize, Serialize};

/// A school's category, in the precedence order of §4.4 (the first that applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ShnorShnsu,
    Shnor,
    Shnsu,
    Resilient,
    None,
}

impl Category {
    /// Every category, in the order of the list and of every table.
    pub const ALL: [Category; 5] = [Category::ShnorShnsu, Category::Shnor, Category::Shnsu, Category::Resilient, Category::None];

    /// The code written in CSV (`--lang en`), JSON and the stored tables.
    pub fn code(self) -> &'static str {
        match self {
            Category::ShnorShnsu => "shnor_shnsu",
            Category::Shnor => "shnor",
            Category::Shnsu => "shnsu",
            Category::Resilient => "resilient",
            Category::None => "none",
        }
    }

    /// The category of a code; anything else is «none».
    pub fn from_code(code: &str) -> Category {
        Category::ALL.into_iter().find(|c| c.code() == code).unwrap_or(Category::None)
    }

    /// The label a person reads.
    pub fn label(self) -> String {
        match self {
            Category::ShnorShnsu => tr!("ШНОР+ШНСУ", "ШНОР+ШНСУ"),
            Category::Shnor => tr!("ШНОР", "ШНОР"),
            Category::Shnsu => tr!("ШНСУ", "ШНСУ"),
            Category::Resilient => tr!("резильентная", "resilient"),
            Category::None => tr!("—", "none"),
        }
    }

    /// The colour of the category in charts (red, orange, blue, green, grey).
    pub fn colour(self) -> (u8, u8, u8) {
        match self {
            Category::ShnorShnsu => (0xC0, 0x39, 0x2B),
            Category::Shnor => (0xE6, 0x7E, 0x22),
            Category::Shnsu => (0x29, 0x80, 0xB9),
            Category::Resilient => (0x27, 0xAE, 0x60),
            Category::None => (0xA6, 0xAC, 0xAF),
        }
    }

    /// The light fill of the category's cells in spreadsheets (none for «none»).
    pub fn fill(self) -> Option<u32> {
        match self {
            Category::ShnorShnsu => Some(0xF4B6B6),
            Category::Shnor => Some(0xF9D7A8),
            Category::Shnsu => Some(0xFFF2A8),
            Category::Resilient => Some(0xC6E8C6),
            Category::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_serialise_as_codes() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), c);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.code()));
        }
        assert_eq!(Category::from_code("anything"), Category::None);
        assert!(Category::ShnorShnsu < Category::Shnor && Category::Resilient < Category::None);
    }
}
