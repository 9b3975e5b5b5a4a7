//! Presets: named sets of methodology keys, applied after the configuration file and before
//! `--set` (`--preset robust`), and written into `init`'s template (`init --preset robust`).

use clap::ValueEnum;

/// A named combination of methodology keys.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The robust combination measured against the generator's truth (docs/methodology.md §6):
    /// shrunk ИНР over every procedure, R30 on Wilson lower bounds, BOTTOM by the probability of
    /// being in the worst 14 %.
    Robust,
}

impl Preset {
    /// The keys it sets, as `--set` assignments, in the order applied.
    pub fn assignments(self) -> &'static [&'static str] {
        match self {
            Preset::Robust => &[
                "method.min_participants=1",
                "method.min_school_participants=10",
                "method.inr.basis=shrunk",
                "criteria.r30.basis=lower_bound",
                "criteria.bottom.basis=probability",
                "criteria.bottom.share=0.14",
                "criteria.bottom.min_probability=0.5",
            ],
        }
    }

    /// The name a user types.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Robust => "robust",
        }
    }

    /// The commented template with this preset's values written over the defaults' (each
    /// changed line keeps its comments above it and says which preset set it).
    pub fn template(self, defaults: &str) -> String {
        let mut table = String::new();
        let mut out = String::with_capacity(defaults.len() + 512);
        for line in defaults.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
                table = trimmed.trim_matches(|c| c == '[' || c == ']').to_string();
            }
            let replaced = trimmed.split_once('=').filter(|_| !trimmed.starts_with('#')).and_then(|(key, _)| {
                let full = format!("{table}.{}", key.trim());
                self.assignments().iter().find_map(|a| {
                    let (k, v) = a.split_once('=')?;
                    (k == full).then(|| format!("{} = {}  # --preset {}", key.trim(), toml_value(v), self.name()))
                })
            });
            out.push_str(replaced.as_deref().unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// A `--set` value as TOML: numbers as they are, words quoted.
fn toml_value(v: &str) -> String {
    if v.parse::<f64>().is_ok() || v == "true" || v == "false" {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}

/// `--set` assignments with a preset's first (so that `--set` wins).
pub fn with_preset(preset: Option<Preset>, sets: &[String]) -> Vec<String> {
    preset.map(|p| p.assignments().iter().map(|a| a.to_string()).collect::<Vec<_>>()).unwrap_or_default().into_iter().chain(sets.iter().cloned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BottomBasis, Config, InrBasis, R30Basis, DEFAULTS_TOML};

    #[test]
    fn the_template_and_the_assignments_give_the_same_configuration() {
        let text = Preset::Robust.template(DEFAULTS_TOML);
        let from_template: Config = toml::from_str(&text).unwrap();
        let loaded = Config::defaults().unwrap().with_changes(None, &with_preset(Some(Preset::Robust), &[])).unwrap();
        assert_eq!(from_template.method, loaded.method);
        assert_eq!(from_template.criteria, loaded.criteria);
        assert_eq!(loaded.criteria.bottom.basis, BottomBasis::Probability);
        assert_eq!(loaded.criteria.r30.basis, R30Basis::LowerBound);
        assert_eq!(loaded.method.inr.basis, InrBasis::Shrunk);
        // Every assignment found its line in the template.
        assert_eq!(text.matches("# --preset robust").count(), Preset::Robust.assignments().len());
        // --set after the preset wins.
        let sets = with_preset(Some(Preset::Robust), &["criteria.bottom.share=0.2".to_string()]);
        assert_eq!(sets.last().map(String::as_str), Some("criteria.bottom.share=0.2"));
    }
}

#[cfg(test)]
mod range_tests {
    use crate::config::Config;

    #[test]
    fn uncertainty_keys_are_checked_for_their_range() {
        let base = Config::defaults().unwrap();
        for bad in ["criteria.bottom.min_probability=1.5", "method.uncertainty.rank_interval=-0.1", "method.uncertainty.draws=1000000"] {
            let err = base.with_changes(None, &[bad.to_string()]).err().map(|e| e.to_string()).unwrap_or_default();
            let key = bad.split('=').next().unwrap_or_default();
            assert!(err.contains(key), "{bad}: {err}");
        }
        assert!(base.with_changes(None, &["method.uncertainty.draws=0".to_string()]).is_ok());
    }
}
