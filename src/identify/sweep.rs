//! `sweep`: identification over a grid of one or two parameters — the size of each list per
//! setting, how often each school is ШНОР (how robust its status is), and the schools whose
//! status flips inside the grid. The writers are in `output/sweep.rs`.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::whatif::Group;
use super::SchoolRow;
use crate::error::usage;

/// At most this many settings in one grid.
pub const MAX_SETTINGS: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A number written without float noise: 0.15000000000000002 → «0.15».
fn clean(v: f64) -> String {
    let r = (v * 1e10).round() / 1e10;
    format!("{r}")
}

/// `key=FROM:TO:STEP` (inclusive, exact decimal steps) or `key=v1,v2,…` (values as in --set).
pub fn parse_axis(spec: &str) -> Result<Axis> {
    let bad = |why: String| usage(tr!("--param {spec}: {why}", "--param {spec}: {why}"));
    let Some((key, raw)) = spec.split_once('=') else {
        return Err(bad(tr!("ожидается ключ=ОТ:ДО:ШАГ или ключ=знач1,знач2", "expected key=FROM:TO:STEP or key=v1,v2")));
    };
    let key = key.trim().to_string();
    let raw = raw.trim();
    let parts: Vec<&str> = raw.split(':').collect();
    let values = if let (false, [from, to, step]) = (raw.starts_with('['), parts.as_slice()) {
        let num = |s: &str| s.trim().replace(',', ".").parse::<f64>().map_err(|_| bad(tr!("«{s}» — не число", "'{s}' is not a number")));
        let (from, to, step) = (num(from)?, num(to)?, num(step)?);
        if !(step > 0.0) || !from.is_finite() || !to.is_finite() || to < from {
            return Err(bad(tr!("нужно ОТ ≤ ДО и ШАГ > 0", "FROM ≤ TO and STEP > 0 are needed")));
        }
        let n = ((to - from) / step + 1e-9).floor() as usize + 1;
        if n > MAX_SETTINGS {
            return Err(bad(tr!("больше {MAX_SETTINGS} значений", "more than {MAX_SETTINGS} values")));
        }
        (0..n).map(|i| clean(from + step * i as f64)).collect()
    } else if raw.starts_with('[') {
        vec![raw.to_string()]
    } else {
        raw.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect::<Vec<_>>()
    };
    if values.is_empty() {
        return Err(bad(tr!("нет значений", "no values")));
    }
    Ok(Axis { key, values })
}

/// Every setting of the grid, as the values of each axis (the first axis varies slowest).
pub fn grid(axes: &[Axis]) -> Result<Vec<Vec<String>>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for a in axes {
        out = out.into_iter().flat_map(|prefix| a.values.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat())).collect();
        if out.len() > MAX_SETTINGS {
            return Err(usage(tr!("в сетке больше {MAX_SETTINGS} вариантов", "the grid has more than {MAX_SETTINGS} settings")));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub values: Vec<String>,
    /// Schools per list and category.
    pub counts: BTreeMap<Group, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Robustness {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    /// Settings in which the school is on the ШНОР list.
    pub shnor_settings: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub region: String,
    pub params: Vec<String>,
    pub settings: Vec<Setting>,
    pub always: usize,
    pub never: usize,
    /// Schools that are ШНОР in some settings and not in others, least robust first.
    pub flipping: Vec<Robustness>,
    /// Every school that is ШНОР in at least one setting.
    pub schools: Vec<Robustness>,
}


/// Accumulates the outcomes of the settings in grid order.
pub struct Collector {
    names: BTreeMap<String, (String, String)>,
    hits: BTreeMap<String, usize>,
    settings: Vec<Setting>,
}

impl Collector {
    /// `names`: school id → (name, municipality) for every register school.
    pub fn new(names: BTreeMap<String, (String, String)>) -> Self {
        Collector { names, hits: BTreeMap::new(), settings: Vec::new() }
    }

    pub fn add(&mut self, values: Vec<String>, rows: &[SchoolRow]) {
        let mut counts: BTreeMap<Group, u64> = Group::ALL.iter().map(|g| (*g, 0)).collect();
        for r in rows {
            for g in Group::ALL.iter().filter(|g| g.contains(r)) {
                *counts.entry(*g).or_default() += 1;
            }
            if r.shnor {
                *self.hits.entry(r.school_id.clone()).or_default() += 1;
            }
        }
        self.settings.push(Setting { values, counts });
    }

    pub fn finish(self, region: &str, params: Vec<String>) -> Sweep {
        let total = self.settings.len().max(1);
        let mut schools: Vec<Robustness> = self
            .hits
            .iter()
            .map(|(id, n)| {
                let (name, municipality) = self.names.get(id).cloned().unwrap_or_default();
                Robustness { school_id: id.clone(), name, municipality, shnor_settings: *n, share: *n as f64 / total as f64 }
            })
            .collect();
        schools.sort_by(|a, b| b.shnor_settings.cmp(&a.shnor_settings).then_with(|| a.school_id.cmp(&b.school_id)));
        let always = schools.iter().filter(|s| s.shnor_settings == total).count();
        let never = self.names.len().saturating_sub(schools.len());
        let mut flipping: Vec<Robustness> = schools.iter().filter(|s| s.shnor_settings < total).cloned().collect();
        flipping.sort_by(|a, b| {
            (a.share - 0.5).abs().total_cmp(&(b.share - 0.5).abs()).then_with(|| a.school_id.cmp(&b.school_id))
        });
        Sweep { region: region.to_string(), params, settings: self.settings, always, never, flipping, schools }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::Category;

    #[test]
    fn axes_and_grids() {
        let a = parse_axis("criteria.bottom.share=0.05:0.25:0.05").unwrap();
        assert_eq!(a.values, ["0.05", "0.1", "0.15", "0.2", "0.25"]);
        let b = parse_axis("criteria.combine=any,all").unwrap();
        assert_eq!(b.values, ["any", "all"]);
        assert_eq!(parse_axis("k=1:1:1").unwrap().values, ["1"]);
        assert!(parse_axis("k=0.3:0.1:0.05").is_err());
        assert!(parse_axis("k=0:1:0").is_err());
        assert!(parse_axis("k=a:b:c").is_err());
        assert!(parse_axis("novalue").is_err());
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 10);
        assert_eq!(g[0], ["0.05", "any"]);
        assert_eq!(g[1], ["0.05", "all"]);
        assert!(parse_axis("k=0:1:0.0001").is_err());
    }

    #[test]
    fn robustness_counts() {
        let names: BTreeMap<String, (String, String)> =
            ["a", "b", "c"].iter().map(|s| (s.to_string(), (format!("Школа {s}"), "М".to_string()))).collect();
        let mut c = Collector::new(names);
        let rows = |cats: [Category; 3]| -> Vec<SchoolRow> { ["a", "b", "c"].iter().zip(cats).map(|(id, c)| SchoolRow::of_category(id, c)).collect() };
        c.add(vec!["1".into()], &rows([Category::Shnor, Category::Shnor, Category::None]));
        c.add(vec!["2".into()], &rows([Category::Shnor, Category::None, Category::Shnsu]));
        let s = c.finish("R", vec!["k".into()]);
        assert_eq!(s.always, 1);
        assert_eq!(s.never, 1);
        assert_eq!(s.flipping.len(), 1);
        assert_eq!(s.flipping[0].school_id, "b");
        assert_eq!(s.settings[0].counts[&Group::ShnorList], 2);
        assert_eq!(s.settings[1].counts[&Group::Category(Category::Shnsu)], 1);
    }
}
