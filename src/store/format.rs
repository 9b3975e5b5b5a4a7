//! The format of the output folder's JSON files: one set of types, serialised by the writers
//! and read back by `report --from`, `whatif` and `sweep`. Field order is the order in the files.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::identify::dynamics::YearInr;
use crate::identify::{Counts, Flags};
use crate::layout::WideSummary;
use crate::model::names::MatchCounts;
use crate::model::report::ExclusionCount;

/// An input file as the manifest names it: kind, path, size and SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputFile {
    pub kind: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl InputFile {
    pub fn of(kind: &str, path: &Path) -> Result<InputFile> {
        let mut f = std::fs::File::open(path)?;
        let size = f.metadata()?.len();
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        let digest = hasher.finalize();
        Ok(InputFile {
            kind: kind.to_string(),
            path: path.display().to_string(),
            size,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

/// One input of `manifest.json` with its row accounting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputEntry {
    #[serde(flatten)]
    pub file: InputFile,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub rows_read: u64,
    #[serde(default)]
    pub rows_used: u64,
    #[serde(default)]
    pub rows_excluded: u64,
    #[serde(default)]
    pub excluded: Vec<ExclusionCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_matching: Option<MatchCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wide: Option<WideSummary>,
}

/// `manifest.json`: the audit trail of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    pub tool: String,
    pub version: String,
    pub started: String,
    pub finished: String,
    pub latest_year: Option<i32>,
    #[serde(default)]
    pub window_years: Vec<i32>,
    /// Last year's list the dynamics compare against, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The full effective configuration (read back as `Config`).
    #[serde(default)]
    pub configuration: serde_json::Value,
    #[serde(default)]
    pub inputs: Vec<InputEntry>,
}

/// What the stored index tables depend on and hold (`aggregates/meta.json`, `indices`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    pub hits_key: String,
    pub key: String,
    #[serde(default)]
    pub left_out: Vec<String>,
    #[serde(default)]
    pub years: Vec<i32>,
}

/// `aggregates/meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AggregatesMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indices: Option<IndexMeta>,
    pub latest_year: i32,
}

/// One school of a list in `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListEntry {
    pub rank: Option<i64>,
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub category: String,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    #[serde(flatten)]
    pub flags: Flags,
    pub reasons: String,
    /// The posterior draws' standing and whether the listing holds beyond chance (absent in
    /// runs made before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_worst: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_low: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_high: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_solid: Option<bool>,
    /// On the ШНОР list: years on it in a row as far as the chain of runs knows (1 without a
    /// previous list), and the window ИНР of each of those list years — what the next year's
    /// run carries forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_on_list: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inr_by_year: Vec<YearInr>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MunicipalityCounts {
    pub municipality: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DynamicsIds {
    pub previous: String,
    pub entered: Vec<String>,
    pub stayed: Vec<String>,
    pub left: Vec<String>,
    pub left_register: Vec<String>,
}

/// `summary.json`: counts, lists and parameters for scripts (no timestamps).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryFile {
    pub region: String,
    pub latest_year: i32,
    pub window_years: Vec<i32>,
    pub schools: u64,
    pub counts: Counts,
    pub on_shnor_list: u64,
    pub in_shnsu: u64,
    pub municipalities: Vec<MunicipalityCounts>,
    pub shnor_list: Vec<ListEntry>,
    pub shnsu_list: Vec<ListEntry>,
    pub resilient: Vec<String>,
    pub isbsh_left_out: Vec<String>,
    pub rows_excluded_by_reason: std::collections::BTreeMap<String, u64>,
    pub dynamics: Option<DynamicsIds>,
    pub parameters: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_of_older_versions_read() {
        // No window_years, inputs without format or accounting, no previous.
        let text = r#"{"tool":"shnor","version":"0.1.0","started":"s","finished":"f","latest_year":2025,
            "configuration":{},"inputs":[{"kind":"results","path":"r.csv","size":1,"sha256":"00"}]}"#;
        let m: ManifestFile = serde_json::from_str(text).unwrap();
        assert_eq!(m.latest_year, Some(2025));
        assert_eq!(m.inputs[0].file.kind, "results");
        assert_eq!(m.inputs[0].rows_read, 0);
        let again: ManifestFile = serde_json::from_slice(&json_bytes(&m).unwrap()).unwrap();
        assert_eq!(again.inputs[0].file.path, "r.csv");
    }

    #[test]
    fn list_entries_round_trip_with_their_flags_in_order() {
        let e = ListEntry {
            rank: Some(1),
            school_id: "a".into(),
            name: "Школа".into(),
            municipality: "М".into(),
            category: "shnor".into(),
            inr: Some(91.5),
            isbsh: None,
            flags: Flags::of([("flag_r30", false), ("flag_bottom", true)]),
            reasons: "BOTTOM: …".into(),
            p_worst: Some(0.93),
            rank_low: None,
            rank_high: None,
            flag_solid: Some(true),
            years_on_list: Some(2),
            inr_by_year: vec![YearInr { year: 2024, inr: Some(88.0) }, YearInr { year: 2025, inr: None }],
        };
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains(r#""isbsh":null,"flag_r30":false,"flag_bottom":true,"reasons""#), "{text}");
        let back: ListEntry = serde_json::from_str(&text).unwrap();
        assert_eq!((back.flags, back.reasons, back.inr), (e.flags, e.reasons, e.inr));
        assert_eq!((back.years_on_list, back.inr_by_year), (e.years_on_list, e.inr_by_year));
    }
}

/// A JSON file as written: pretty, with a final newline.
pub fn json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
