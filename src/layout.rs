//! What reading found about a file's layout, kept for `check`, the report and manifest.json:
//! a wide form's sheets, subject blocks and the rows that were not schools. Neutral: `ingest`
//! fills it, `model`, `store` and the writers read it.

use serde::{Deserialize, Serialize};

/// Why a row of a sheet was not read as a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// «ВСЕГО по региону», «Итого …».
    Total,
    /// A municipality name with an empty school cell: its subtotal (the name is carried down).
    Municipality,
    /// The row of column numbers under the header.
    ColumnNumbers,
    /// Listed in `wide.skip_rows`.
    Configured,
    /// Values, but neither a school name nor an id nor a municipality.
    NoSchool,
}

impl SkipKind {
    pub fn label(self) -> String {
        match self {
            SkipKind::Total => tr!("итоговая строка (всего / итого)", "total row (total / subtotal)"),
            SkipKind::Municipality => tr!("строка муниципалитета (итог по МО; название перенесено на его школы)", "municipality row (its subtotal; the name is carried down to its schools)"),
            SkipKind::ColumnNumbers => tr!("строка с номерами столбцов", "row of column numbers"),
            SkipKind::Configured => tr!("пропущена по настройке wide.skip_rows", "skipped by wide.skip_rows"),
            SkipKind::NoSchool => tr!("нет ни названия, ни кода ОО", "neither a school name nor an id"),
        }
    }
}

/// One skipped row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkippedRow {
    pub row: u64,
    pub kind: SkipKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A subject block as found in a sheet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Block {
    /// The subject header as written.
    pub header: String,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<u32>,
    /// Columns (letters) and the canonical metric each holds.
    pub metrics: Vec<(String, String)>,
}

/// How one sheet was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WideSheet {
    pub sheet: String,
    pub year: Option<i32>,
    pub procedure: Option<String>,
    pub subject_row: u64,
    pub metric_row: u64,
    pub blocks: Vec<Block>,
    /// Data rows below the header (empty rows not counted).
    pub rows: u64,
    pub school_rows: u64,
    pub skipped: Vec<SkippedRow>,
    pub empty_rows: u64,
    /// School row × subject blocks with no value at all (the subject was not taken there).
    pub empty_blocks: u64,
}

/// The whole form: its sheets and the sheets that were passed over.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WideSummary {
    pub sheets: Vec<WideSheet>,
    /// (sheet, why) for sheets not read.
    pub passed_over: Vec<(String, String)>,
    /// Warnings about the layout (sheet, message).
    pub warnings: Vec<(String, String)>,
}

