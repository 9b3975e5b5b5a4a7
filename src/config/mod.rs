//! One serde struct tree with embedded defaults. The same keys appear in `init`'s template,
//! in `--set key=value` and (later) in the manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::error::usage;

pub mod preset;
pub mod risk;
pub mod values;

/// What a run is given: a configuration file, inputs named directly, `--set` assignments (the
/// command line fills it; the configuration never depends on how the arguments were parsed).
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub config: Option<PathBuf>,
    pub schools: Option<PathBuf>,
    pub results: Vec<PathBuf>,
    pub scales: Vec<PathBuf>,
    pub crosswalk: Option<PathBuf>,
    pub questionnaire: Vec<PathBuf>,
    pub context: Vec<PathBuf>,
    pub encoding: Option<String>,
    pub set: Vec<String>,
    pub allow_excluded: bool,
}

/// The embedded defaults; also the commented template that `init` writes.
pub const DEFAULTS_TOML: &str = include_str!("defaults.toml");

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub region: Region,
    pub method: Method,
    pub criteria: Criteria,
    pub isbsh: Isbsh,
    pub resilience: Resilience,
    /// Absent in the manifests of runs made before it existed: the embedded defaults.
    #[serde(default)]
    pub objectivity: Objectivity,
    /// Absent in the manifests of runs made before it existed: the embedded defaults.
    #[serde(default)]
    pub similar: Similar,
    /// Absent in the manifests of runs made before it existed: the embedded defaults.
    #[serde(default = "risk::Risk::embedded")]
    pub risk: risk::Risk,
    /// Absent in the manifests of runs made before it existed: the embedded defaults.
    #[serde(default)]
    pub bias: Bias,
    pub output: Output,
    /// Absent in the manifests of runs made before it existed: the embedded defaults.
    #[serde(default = "InputChecks::standard")]
    pub input_checks: InputChecks,
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// ВПР conversion scales written in the configuration (`[[scales]]`), beside scale files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<ScaleRow>,
    #[serde(default)]
    pub input: Vec<InputSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub min_participants: u32,
    pub unreliable_below: u32,
    pub years_window: u32,
    pub peer_groups: Vec<String>,
    pub procedures: Vec<String>,
    pub inr: InrWeights,
    pub ege_min: BTreeMap<String, f64>,
    /// Participants over the window's usable procedures (pooled) below which a school is not
    /// ranked («мало участников»); 0 ranks every school (the official method).
    #[serde(default)]
    pub min_school_participants: u32,
    /// The posterior draws behind P(in the worst X %) and the rank intervals (§4.7).
    #[serde(default)]
    pub uncertainty: Uncertainty,
}

/// The posterior draws (§4.7): how many, from which seed, and the probability from which a flag
/// is «надёжно».
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Number of draws; 0 switches the draws off (no probabilities, no rank intervals).
    pub draws: u32,
    pub seed: u64,
    /// A BOTTOM flag is «надёжно» when P(in the worst X %) is at least this.
    pub solid_probability: f64,
    /// The coverage of the rank interval (0.9: from the 5th to the 95th percentile of the draws).
    pub rank_interval: f64,
}

impl Default for Uncertainty {
    fn default() -> Self {
        Uncertainty { draws: 1000, seed: 2025, solid_probability: 0.8, rank_interval: 0.9 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InrWeights {
    /// Which fail share enters the percentile (§4.7).
    #[serde(default)]
    pub basis: InrBasis,
    pub w_fail: f64,
    pub w_mean: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    Any,
    All,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    pub combine: Combine,
    pub r30: R30,
    pub bottom: Bottom,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct R30 {
    pub enabled: bool,
    pub threshold: f64,
    pub min_procedures: u32,
    /// What is compared with the threshold (§4.7).
    #[serde(default)]
    pub basis: R30Basis,
}

/// The fail share whose percentile enters ИНР: observed (the official method) or shrunk by
/// empirical Bayes towards the procedure's regional share (small schools' noise damped).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InrBasis {
    #[default]
    Raw,
    Shrunk,
}

/// What R30 compares with its threshold: the observed fail share (the official rule), its
/// Wilson 95 % lower bound, or its empirical-Bayes shrunk value.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum R30Basis {
    #[default]
    Raw,
    LowerBound,
    Shrunk,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bottom {
    pub enabled: bool,
    pub share: f64,
    /// How a school is judged in the worst share (§4.7): by its rank (the official rule) or by
    /// the probability of being there.
    #[serde(default)]
    pub basis: BottomBasis,
    /// With `basis = probability`: P(in the worst share) from which BOTTOM holds.
    #[serde(default = "Bottom::default_min_probability")]
    pub min_probability: f64,
}

impl Bottom {
    fn default_min_probability() -> f64 {
        0.8
    }
}

/// How BOTTOM judges the worst share: the yearly ИНР's rank in every window year (the official
/// rule), or the posterior probability that the window ИНР is in the worst share.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BottomBasis {
    #[default]
    Rank,
    Probability,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Isbsh {
    pub min_respondents: u32,
    pub min_indicators: u32,
    pub shnsu_share: f64,
    pub indicators: BTreeMap<String, Indicator>,
    /// Per-school indicators from the register or context files that enter ИСБШ the same way.
    #[serde(default)]
    pub context: BTreeMap<String, ContextIndicator>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContextIndicator {
    /// A register column (locality, school_type, students, any numeric column) or a context column.
    pub column: String,
    /// For text columns: the indicator is 1 when the value equals this, else 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    pub direction: Direction,
    #[serde(default = "one")]
    pub weight: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum Direction {
    #[serde(rename = "+")]
    Plus,
    #[serde(rename = "-")]
    Minus,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    #[serde(default)]
    pub columns: Vec<String>,
    pub direction: Direction,
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub yes: Vec<String>,
    #[serde(default)]
    pub no: Vec<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resilience {
    pub isbsh_worst_share: f64,
    pub inr_best_share: f64,
    /// Good results measured as ИНР itself, or as ИНР against what the school's conditions
    /// predict (`inr_residual`, §4.9).
    #[serde(default)]
    pub basis: ResilienceBasis,
}

/// Similar schools (§4.9): for each school of the ШНОР list, the `k` schools nearest to it by
/// ИСБШ among the schools of the same locality type (0: none).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Similar {
    pub k: u32,
}

impl Default for Similar {
    fn default() -> Self {
        Similar { k: 10 }
    }
}

/// The bias audit's shifts (§4.9): of the ИНР weights and of the cut-offs (0: not checked).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bias {
    pub weight_step: f64,
    pub cutoff_step: f64,
}

impl Default for Bias {
    fn default() -> Self {
        Bias { weight_step: 0.1, cutoff_step: 0.05 }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ResilienceBasis {
    #[default]
    Absolute,
    Residual,
}

/// The objectivity screen (§4.8): signs of unreliable ВПР results, to be checked, never a verdict.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Objectivity {
    pub enabled: bool,
    /// What a set marker does: only annotate, or set the marked ВПР works aside from ИНР and R30.
    pub effect: ObjectivityEffect,
    /// Benjamini–Hochberg false discovery rate over every test of the run.
    pub q: f64,
    /// M1: pupils with both a ВПР and a journal mark, and the least excess share of pupils.
    pub m1_min_pupils: u32,
    pub m1_min_effect: f64,
    /// M2: the window around a mark boundary b (b − `m2_below` … b + `m2_above`, applied when
    /// the aggregates are built), the least number of a school's pupils in it and the least
    /// excess of its share at b … b + `m2_above` over the region's.
    pub m2_below: u32,
    pub m2_above: u32,
    pub m2_min_window: u32,
    pub m2_min_effect: f64,
    /// M2: the strata of a work's schools by where they stand around the boundary (the share
    /// above the window among their pupils outside it), each compared with its own.
    pub m2_strata: u32,
    /// M3: the least gap between the school's ОГЭ and ВПР percentiles of badness in a subject,
    /// participants in each, and the school types exempt (matched in the type, any case).
    pub m3_rank_gap: f64,
    pub m3_min_participants: u32,
    pub m3_exempt: Vec<String>,
    /// M4: participants in each of the two years and the least change of the fail share.
    pub m4_min_participants: u32,
    pub m4_min_effect: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ObjectivityEffect {
    #[default]
    Note,
    Exclude,
}

impl Default for Objectivity {
    fn default() -> Self {
        Objectivity {
            enabled: true,
            effect: ObjectivityEffect::Note,
            q: 0.05,
            m1_min_pupils: 10,
            m1_min_effect: 0.15,
            m2_below: 2,
            m2_above: 1,
            m2_min_window: 12,
            m2_min_effect: 0.15,
            m2_strata: 5,
            m3_rank_gap: 50.0,
            m3_min_participants: 10,
            m3_exempt: vec!["гимназия".into(), "лицей".into()],
            m4_min_participants: 10,
            m4_min_effect: 0.15,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub dir: PathBuf,
    pub csv_delimiter: String,
    pub csv_decimal: String,
    pub csv_encoding: String,
    /// In the municipal packages, a count of pupils below this reads «n < N».
    #[serde(default = "Output::default_suppress_below")]
    pub suppress_below: u32,
}

/// When a file's excluded rows stop the run (§6: nothing changes the list silently).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputChecks {
    /// A file with at least this share of its rows excluded for problems is fatal.
    pub max_excluded_share: f64,
    /// Run all the same (`--allow-excluded`).
    pub allow_excluded: bool,
}

impl InputChecks {
    fn standard() -> InputChecks {
        InputChecks { max_excluded_share: 0.5, allow_excluded: false }
    }
}

/// One ВПР conversion scale: the lowest primary score of «3», «4» and «5» (§3.6).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScaleRow {
    pub year: i32,
    pub grade: u32,
    pub subject: String,
    pub min3: f64,
    pub min4: f64,
    pub min5: f64,
}

/// What an input file holds.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Schools,
    /// Crosswalk: ids or names of a source → register ids (read before the results).
    Crosswalk,
    /// ВПР conversion scales (read before the results, which take marks from them).
    Scales,
    Results,
    Questionnaire,
    Context,
    /// The schools' self-diagnosis of risk factors (§4.9).
    Selfdiagnosis,
}

impl InputKind {
    pub fn label(self) -> String {
        match self {
            InputKind::Schools => tr!("реестр ОО", "school register"),
            InputKind::Crosswalk => tr!("таблица соответствия ОО", "school crosswalk"),
            InputKind::Scales => tr!("шкалы перевода баллов ВПР в отметки", "ВПР score-to-mark scales"),
            InputKind::Results => tr!("результаты", "results"),
            InputKind::Questionnaire => tr!("анкеты семей", "family questionnaires"),
            InputKind::Context => tr!("показатели ОО", "school context"),
            InputKind::Selfdiagnosis => tr!("самодиагностика школ", "schools' self-diagnosis"),
        }
    }
}

/// Granularity of a results or questionnaire file.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Auto,
    Student,
    School,
    Family,
    /// Per school, subjects in column blocks (a printed regional form): see [`WideConfig`].
    Wide,
}

/// How a wide per-school form is laid out (`[input.wide]`); everything is found in the sheet
/// when not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WideConfig {
    /// Sheets to read (default: every sheet that holds such a table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<String>,
    /// Row (1-based) of the subject headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_row: Option<usize>,
    /// Row (1-based) of the metric sub-headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_row: Option<usize>,
    /// Further rows (1-based) to skip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_rows: Vec<usize>,
    /// Texts that start a total row (default «всего», «итого», «в целом по», «по региону», «по области»).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub total_markers: Vec<String>,
    /// ВПР, ОГЭ or ЕГЭ when neither the sheet name nor the title says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    /// Grade of every block (default: from the block header, 9 for ОГЭ, 11 for ЕГЭ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u32>,
    /// Year per sheet name, when the sheet name and its title do not carry it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub years: BTreeMap<String, i32>,
    /// Metric sub-headers → canonical columns (participants, mark2…mark5, below_min, mean_score),
    /// beyond the built-in aliases.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, String>,
}

/// How per-school mark columns are expressed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ValuesMode {
    #[default]
    Auto,
    Counts,
    Shares,
    Percent,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    pub kind: InputKind,
    pub path: PathBuf,
    #[serde(default = "auto")]
    pub encoding: String,
    #[serde(default = "auto")]
    pub delimiter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<usize>,
    #[serde(default)]
    pub layout: Layout,
    #[serde(default)]
    pub values: ValuesMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// The layout of a wide form (with `layout = "wide"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wide: Option<WideConfig>,
}

fn auto() -> String {
    "auto".to_string()
}

impl InputSpec {
    pub fn new(kind: InputKind, path: PathBuf) -> Self {
        InputSpec {
            kind,
            path,
            encoding: auto(),
            delimiter: auto(),
            sheet: None,
            header_row: None,
            layout: Layout::Auto,
            values: ValuesMode::Auto,
            year: None,
            columns: BTreeMap::new(),
            wide: None,
        }
    }
}

impl Output {
    fn default_suppress_below() -> u32 {
        5
    }
}

/// The most posterior draws a run makes (their ranks are kept: 4 bytes × schools × draws).
const MAX_DRAWS: u32 = 100_000;

/// Tables whose keys are open (the user may add new keys there).
const OPEN_TABLES: &[&str] = &["method.ege_min", "isbsh.indicators", "isbsh.context", "risk.factors", "aliases"];

impl Config {
    /// The embedded defaults.
    pub fn defaults() -> Result<Config> {
        let value = defaults_value()?;
        deserialize(value, "defaults")
    }

    /// Defaults, then the configuration file, then `--set`, then inputs named on the command line.
    pub fn load(args: &Sources) -> Result<Config> {
        let nothing_named = args.config.is_none()
            && args.schools.is_none()
            && args.results.is_empty()
            && args.scales.is_empty()
            && args.crosswalk.is_none()
            && args.questionnaire.is_empty()
            && args.context.is_empty();
        if nothing_named && Path::new("shnor.toml").is_file() {
            let mut with_config = args.clone();
            with_config.config = Some(PathBuf::from("shnor.toml"));
            return Config::load(&with_config);
        }
        let mut value = defaults_value()?;
        let mut base_dir = PathBuf::from(".");
        if let Some(path) = &args.config {
            let user = read_user_toml(path, &value)?;
            merge(&mut value, user);
            if let Some(parent) = path.parent() {
                base_dir = parent.to_path_buf();
            }
        }
        for assignment in &args.set {
            apply_set(&mut value, assignment)?;
        }
        let source = args
            .config
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "--set".to_string());
        let mut config = deserialize(value, &source)?;
        for input in &mut config.input {
            if input.path.is_relative() {
                input.path = base_dir.join(&input.path);
            }
        }
        // A results folder in the configuration: every results file in it, with the folder's settings.
        config.input = std::mem::take(&mut config.input)
            .into_iter()
            .flat_map(|spec| match (spec.kind, files_in(&spec.path)) {
                (InputKind::Results, Some(files)) => files.into_iter().map(|path| InputSpec { path, ..spec.clone() }).collect(),
                _ => vec![spec],
            })
            .collect();
        config.add_cli_inputs(args);
        if args.allow_excluded {
            config.input_checks.allow_excluded = true;
        }
        if nothing_named {
            config.input = discover_inputs(Path::new("."));
        }
        config.validate()?;
        Ok(config)
    }

    /// This configuration with the methodology parameters of another configuration file laid
    /// over it, then `--set` assignments (for `whatif` and `sweep`: the inputs stay those of
    /// the stored run).
    pub fn with_changes(&self, other: Option<&Path>, sets: &[String]) -> Result<Config> {
        let mut value = toml::Value::try_from(self).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        if let Some(path) = other {
            let mut user = read_user_toml(path, &value)?;
            if let Some(t) = user.as_table_mut() {
                t.remove("input");
                t.remove("output");
            }
            merge(&mut value, user);
        }
        for assignment in sets {
            apply_set(&mut value, assignment)?;
        }
        let source = other.map(|p| p.display().to_string()).unwrap_or_else(|| "--set".to_string());
        let config = deserialize(value, &source)?;
        config.validate()?;
        Ok(config)
    }

    /// The methodology keys whose values differ between two configurations, as
    /// (key, value here, value there), in key order.
    pub fn changed_keys(&self, other: &Config) -> Result<Vec<(String, String, String)>> {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        flatten("", &self.parameters_json()?, &mut a);
        flatten("", &other.parameters_json()?, &mut b);
        let a: BTreeMap<String, String> = a.into_iter().collect();
        let b: BTreeMap<String, String> = b.into_iter().collect();
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        Ok(keys
            .into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| (k.clone(), a.get(k).cloned().unwrap_or_default(), b.get(k).cloned().unwrap_or_default()))
            .collect())
    }

    fn add_cli_inputs(&mut self, args: &Sources) {
        let mut named: Vec<InputSpec> = Vec::new();
        if let Some(p) = &args.schools {
            named.push(InputSpec::new(InputKind::Schools, p.clone()));
        }
        if let Some(p) = &args.crosswalk {
            named.push(InputSpec::new(InputKind::Crosswalk, p.clone()));
        }
        for p in &args.scales {
            named.push(InputSpec::new(InputKind::Scales, p.clone()));
        }
        for p in &args.results {
            // A folder: every results file in it and its subfolders, in a stable order.
            match files_in(p) {
                Some(files) => named.extend(files.into_iter().map(|f| InputSpec::new(InputKind::Results, f))),
                None => named.push(InputSpec::new(InputKind::Results, p.clone())),
            }
        }
        for p in &args.questionnaire {
            named.push(InputSpec::new(InputKind::Questionnaire, p.clone()));
        }
        for p in &args.context {
            named.push(InputSpec::new(InputKind::Context, p.clone()));
        }
        if let Some(enc) = &args.encoding {
            for spec in &mut named {
                spec.encoding = enc.clone();
            }
        }
        // Inputs of a kind named on the command line replace the configuration's inputs of that kind.
        let kinds: Vec<InputKind> = named.iter().map(|s| s.kind).collect();
        self.input.retain(|s| !kinds.contains(&s.kind));
        self.input.extend(named);
    }

    /// The methodology parameters (everything but inputs and output settings) as JSON.
    pub fn parameters_json(&self) -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(self)?;
        if let Some(o) = v.as_object_mut() {
            o.remove("input");
            o.remove("output");
        }
        Ok(v)
    }

    /// `isbsh.context`: what can be told before reading — a column named, a finite
    /// non-negative weight, a non-empty `equals`, a name not taken by a questionnaire indicator
    /// (whether the column exists is known once the register and context files are read).
    fn validate_context_indicators(&self) -> Result<()> {
        for (name, ind) in &self.isbsh.context {
            let key = format!("isbsh.context.{name}");
            if ind.column.trim().is_empty() {
                return Err(usage(tr!("{key}.column: не задан столбец реестра или файла показателей", "{key}.column: no column of the register or a context file is named")));
            }
            if !ind.weight.is_finite() || ind.weight < 0.0 {
                return Err(usage(tr!("{key}.weight: вес должен быть неотрицательным числом", "{key}.weight: a weight must be a non-negative number")));
            }
            if ind.equals.as_deref().is_some_and(|e| e.trim().is_empty()) {
                return Err(usage(tr!("{key}.equals: пустое значение — задайте значение столбца или уберите equals", "{key}.equals: empty — give the column's value or remove equals")));
            }
            if self.isbsh.indicators.contains_key(name) {
                return Err(usage(tr!(
                    "{key}: такое же имя у показателя анкеты isbsh.indicators.{name} — дайте показателю ОО другое имя",
                    "{key}: a questionnaire indicator isbsh.indicators.{name} has the same name — rename the school indicator"
                )));
            }
        }
        Ok(())
    }

    /// An ИСБШ indicator as a person reads it: the first Russian name among its questionnaire
    /// columns («Малоимущая семья»), else its name in the configuration.
    pub fn indicator_label(&self, name: &str) -> String {
        let russian = |s: &&String| s.chars().any(|ch| ch.is_alphabetic() && !ch.is_ascii());
        match self.isbsh.indicators.get(name) {
            Some(i) if !crate::i18n::is_en() => i.columns.iter().find(russian).cloned().unwrap_or_else(|| name.to_string()),
            _ => name.to_string(),
        }
    }

    /// Range checks that serde cannot express.
    pub fn validate(&self) -> Result<()> {
        self.validate_ranges()?;
        self.validate_method()?;
        self.risk.validate()
    }

    /// Shares, probabilities, weights, the wide layouts of inputs and the number of draws.
    fn validate_ranges(&self) -> Result<()> {
        let shares = [
            ("criteria.r30.threshold", self.criteria.r30.threshold),
            ("criteria.bottom.share", self.criteria.bottom.share),
            ("isbsh.shnsu_share", self.isbsh.shnsu_share),
            ("resilience.isbsh_worst_share", self.resilience.isbsh_worst_share),
            ("resilience.inr_best_share", self.resilience.inr_best_share),
            ("input_checks.max_excluded_share", self.input_checks.max_excluded_share),
            ("criteria.bottom.min_probability", self.criteria.bottom.min_probability),
            ("method.uncertainty.solid_probability", self.method.uncertainty.solid_probability),
            ("method.uncertainty.rank_interval", self.method.uncertainty.rank_interval),
            ("objectivity.q", self.objectivity.q),
            ("objectivity.m1_min_effect", self.objectivity.m1_min_effect),
            ("objectivity.m2_min_effect", self.objectivity.m2_min_effect),
            ("objectivity.m4_min_effect", self.objectivity.m4_min_effect),
            ("bias.weight_step", self.bias.weight_step),
            ("bias.cutoff_step", self.bias.cutoff_step),
        ];
        for (key, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(usage(tr!(
                    "параметр {key} = {v}: ожидается доля от 0 до 1 (например, 0,15 или 15 %)",
                    "parameter {key} = {v}: expected a share between 0 and 1 (e.g. 0.15 or 15 %)"
                )));
            }
        }
        let weights = [
            ("method.inr.w_fail", self.method.inr.w_fail),
            ("method.inr.w_mean", self.method.inr.w_mean),
        ];
        for (key, v) in weights {
            if !v.is_finite() || v < 0.0 {
                return Err(usage(tr!(
                    "параметр {key} = {v}: вес должен быть неотрицательным числом",
                    "parameter {key} = {v}: a weight must be a non-negative number"
                )));
            }
        }
        if self.method.inr.w_fail + self.method.inr.w_mean <= 0.0 {
            return Err(usage(tr!(
                "веса method.inr.w_fail и method.inr.w_mean не могут быть оба нулевыми",
                "weights method.inr.w_fail and method.inr.w_mean cannot both be zero"
            )));
        }
        for input in &self.input {
            let place = input.path.display();
            if input.layout == Layout::Wide && input.kind != InputKind::Results {
                return Err(usage(tr!(
                    "{place}: layout = \"wide\" бывает только у результатов (kind = \"results\")",
                    "{place}: layout = \"wide\" is for results only (kind = \"results\")"
                )));
            }
            for (header, canonical) in input.wide.iter().flat_map(|w| w.metrics.iter()) {
                if !crate::ingest::wide::METRICS.contains(&canonical.as_str()) {
                    return Err(usage(tr!(
                        "{place}: wide.metrics.\"{header}\" = \"{canonical}\": ожидается один из {}",
                        "{place}: wide.metrics.\"{header}\" = \"{canonical}\": expected one of {}",
                        crate::ingest::wide::METRICS.join(", ")
                    )));
                }
            }
        }
        if self.method.uncertainty.draws > MAX_DRAWS {
            return Err(usage(tr!(
                "параметр method.uncertainty.draws = {}: не больше {MAX_DRAWS} (1 000 дают вероятность с точностью ±1,6 процентного пункта)",
                "parameter method.uncertainty.draws = {}: at most {MAX_DRAWS} (1,000 give a probability within ±1.6 percentage points)",
                self.method.uncertainty.draws
            )));
        }
        Ok(())
    }

    /// The window, the peer groups and the rest of the method.
    fn validate_method(&self) -> Result<()> {
        if self.method.years_window == 0 {
            return Err(usage(tr!(
                "параметр method.years_window должен быть не меньше 1",
                "parameter method.years_window must be at least 1"
            )));
        }
        for g in &self.method.peer_groups {
            if g != "school_type" && g != "locality" {
                return Err(usage(tr!(
                    "method.peer_groups: неизвестная группа «{g}» (допустимы school_type, locality)",
                    "method.peer_groups: unknown group '{g}' (allowed: school_type, locality)"
                )));
            }
        }
        for (name, ind) in &self.isbsh.indicators {
            if !ind.weight.is_finite() || ind.weight < 0.0 {
                return Err(usage(tr!(
                    "isbsh.indicators.{name}.weight: вес должен быть неотрицательным числом",
                    "isbsh.indicators.{name}.weight: a weight must be a non-negative number"
                )));
            }
        }
        self.validate_context_indicators()?;
        // The output encoding is checked before anything is read (not when the CSV is written).
        let enc = self.output.csv_encoding.trim().to_lowercase();
        let plain_utf8 = matches!(enc.as_str(), "utf-8-bom" | "utf8-bom" | "utf-8 bom" | "utf-8" | "utf8");
        if !plain_utf8 && !matches!(crate::text::encoding_by_name(&enc), Ok(Some(_))) {
            return Err(usage(tr!(
                "output.csv_encoding: неизвестная кодировка «{}» (допустимы utf-8-bom, utf-8, windows-1251)",
                "output.csv_encoding: unknown encoding '{}' (allowed: utf-8-bom, utf-8, windows-1251)",
                self.output.csv_encoding
            )));
        }
        for d in [&self.output.csv_delimiter, &self.output.csv_decimal] {
            if d.chars().count() != 1 {
                return Err(usage(tr!(
                    "output.csv_delimiter и output.csv_decimal должны быть одним символом",
                    "output.csv_delimiter and output.csv_decimal must be a single character"
                )));
            }
        }
        Ok(())
    }
}

/// The spreadsheet and table files under a folder (recursively, sorted by path); None when the
/// path is not a folder. Hidden files and Excel's lock files («~$…») are passed over.
pub fn files_in(dir: &Path) -> Option<Vec<PathBuf>> {
    if !dir.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if DATA_EXTENSIONS.contains(&path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase().as_str()) {
                out.push(path);
            }
        }
    }
    out.sort();
    Some(out)
}

/// Extensions of the files shnor reads (formats are told by content; these only pick files).
const DATA_EXTENSIONS: &[&str] = &["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods", "parquet"];

/// Inputs found in a directory by their names (used when nothing is named): `schools.*` or
/// `реестр*`; `crosswalk*`, `соответств*`; `results*`, `vpr*`, `впр*`, `oge*`, `огэ*`, `ege*`, `егэ*`, `gia*`, `гиа*`;
/// `questionnaire*`, `anketa*`, `анкет*`; `context*`, `контекст*`.
pub fn discover_inputs(dir: &Path) -> Vec<InputSpec> {
    const KINDS: &[(InputKind, &[&str])] = &[
        (InputKind::Schools, &["schools", "реестр"]),
        (InputKind::Crosswalk, &["crosswalk", "соответств"]),
        (InputKind::Scales, &["scales", "шкал"]),
        (InputKind::Results, &["results", "vpr", "впр", "oge", "огэ", "ege", "егэ", "gia", "гиа"]),
        (InputKind::Questionnaire, &["questionnaire", "anketa", "анкет"]),
        (InputKind::Context, &["context", "контекст"]),
        (InputKind::Selfdiagnosis, &["selfdiagnosis", "самодиагност"]),
    ];
    const EXTENSIONS: &[&str] = DATA_EXTENSIONS;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut found = Vec::new();
    for path in names {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
        if !EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_lowercase();
        if let Some((kind, _)) = KINDS.iter().find(|(_, prefixes)| prefixes.iter().any(|p| stem.starts_with(p))) {
            if matches!(kind, InputKind::Schools | InputKind::Crosswalk) && found.iter().any(|s: &InputSpec| s.kind == *kind) {
                continue;
            }
            found.push(InputSpec::new(*kind, path));
        }
    }
    found
}

/// A user's configuration file as a TOML tree, its values coerced to the types of `defaults`
/// (`"15 %"`, `"да"`, `"или"`). Unreadable files and syntax errors are usage errors in the
/// user's language.
fn read_user_toml(path: &Path, defaults: &toml::Value) -> Result<toml::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(tr!(
            "не удалось прочитать конфигурацию {}: {}",
            "cannot read configuration {}: {}",
            path.display(),
            crate::i18n::io_message(&e)
        ))
    })?;
    let mut user: toml::Value = toml::from_str(&text)
        .map_err(|e| usage(tr!("конфигурация {}: {}", "configuration {}: {}", path.display(), values::toml_error(&text, &e))))?;
    values::coerce_tree("", defaults, &mut user);
    Ok(user)
}

fn defaults_value() -> Result<toml::Value> {
    toml::from_str(DEFAULTS_TOML)
        .map_err(|e| anyhow::anyhow!("embedded defaults are not valid TOML: {e}"))
}

fn deserialize(value: toml::Value, source: &str) -> Result<Config> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = values::serde_message(&e.into_inner().to_string());
        usage(tr!(
            "ошибка в конфигурации ({source}), ключ {path}: {inner}",
            "error in configuration ({source}), key {path}: {inner}"
        ))
    })
}

/// A JSON tree as flat `a.b.c = value` pairs (arrays as one value).
pub fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, x, out);
            }
        }
        serde_json::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect();
            out.push((prefix.to_string(), items.join(", ")));
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Deep merge: tables merge key by key, any other value replaces.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Applies one `--set key=value`. The value is read as TOML (number, boolean, array, quoted
/// string) and otherwise taken as a plain string. Unknown keys are refused, naming the key.
pub fn apply_set(root: &mut toml::Value, assignment: &str) -> Result<()> {
    let Some((key, raw)) = assignment.split_once('=') else {
        return Err(usage(tr!(
            "--set {assignment}: ожидается ключ=значение",
            "--set {assignment}: expected key=value"
        )));
    };
    let key = key.trim();
    // `input` holds the [[input]] files; its two checks live in [input_checks].
    let key = match key.strip_prefix("input.") {
        Some(rest @ ("max_excluded_share" | "allow_excluded")) => format!("input_checks.{rest}"),
        _ => key.to_string(),
    };
    let key = key.as_str();
    let raw = raw.trim();
    let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.to_string()),
    };
    let parts: Vec<&str> = key.split('.').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) || key == "input" || key.starts_with("input.") {
        return Err(usage(tr!(
            "--set: недопустимый ключ «{key}» (входные файлы задаются в конфигурации или флагами --schools, --results …)",
            "--set: invalid key '{key}' (inputs are named in the configuration or with --schools, --results …)"
        )));
    }
    let mut node = root;
    let mut walked = String::new();
    for (i, part) in parts.iter().enumerate() {
        let is_last = i + 1 == parts.len();
        let open = OPEN_TABLES.contains(&walked.as_str());
        let unknown = |known: Vec<&str>| {
            let hint = values::suggestion(part, known);
            usage(tr!(
                "--set: неизвестный ключ «{key}»{hint}",
                "--set: unknown key '{key}'{hint}"
            ))
        };
        let table = node.as_table_mut().ok_or_else(|| unknown(Vec::new()))?;
        if !table.contains_key(*part) {
            if !open {
                return Err(unknown(table.keys().map(String::as_str).collect()));
            }
            let fresh = if is_last {
                value.clone()
            } else {
                toml::Value::Table(toml::Table::new())
            };
            table.insert(part.to_string(), fresh);
        }
        let next = table.get_mut(*part).ok_or_else(|| unknown(Vec::new()))?;
        if is_last {
            if next.is_table() && !value.is_table() {
                return Err(usage(tr!(
                    "--set: «{key}» — это раздел, а не параметр",
                    "--set: '{key}' is a section, not a parameter"
                )));
            }
            // Typed the Russian way («0,15», «15 %», «нет», «или»), or an integer for a float.
            *next = values::coerce(key, next, value.clone());
            return Ok(());
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        node = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_with_sets(sets: &[&str]) -> Sources {
        Sources {
            set: sets.iter().map(|s| s.to_string()).collect(),
            ..Sources::default()
        }
    }

    #[test]
    fn defaults_match_spec() {
        let c = Config::defaults().unwrap();
        assert_eq!(c.method.min_participants, 5);
        assert_eq!(c.method.years_window, 2);
        assert_eq!(c.method.inr.w_fail, 0.7);
        assert_eq!(c.method.inr.w_mean, 0.3);
        assert_eq!(c.criteria.r30.threshold, 0.30);
        assert_eq!(c.criteria.r30.min_procedures, 2);
        assert_eq!(c.criteria.bottom.share, 0.10);
        assert_eq!(c.criteria.combine, Combine::Any);
        assert_eq!(c.isbsh.min_respondents, 10);
        assert_eq!(c.isbsh.min_indicators, 5);
        assert_eq!(c.isbsh.indicators.len(), 9);
        assert_eq!(c.method.ege_min.get("Русский язык"), Some(&24.0));
        assert_eq!(c.method.ege_min.get("Обществознание"), Some(&42.0));
        assert_eq!(c.resilience.isbsh_worst_share, 0.25);
        // A manifest without [input_checks] (older runs) reads with the same embedded values.
        assert_eq!(c.input_checks, InputChecks::standard());
        assert_eq!(c.input_checks.max_excluded_share, 0.5);
    }

    #[test]
    fn set_overrides_and_coerces() {
        let c = Config::load(&args_with_sets(&[
            "criteria.bottom.share=0.15",
            "criteria.combine=all",
            "method.min_participants=7",
            "resilience.inr_best_share=1",
            "method.ege_min.Астрономия=30",
        ]))
        .unwrap();
        assert_eq!(c.criteria.bottom.share, 0.15);
        assert_eq!(c.criteria.combine, Combine::All);
        assert_eq!(c.method.min_participants, 7);
        assert_eq!(c.resilience.inr_best_share, 1.0);
        assert_eq!(c.method.ege_min.get("Астрономия"), Some(&30.0));
    }

    #[test]
    fn russian_values_in_set() {
        for (set, share) in [("criteria.bottom.share=0,15", 0.15), ("criteria.bottom.share=15 %", 0.15), ("criteria.bottom.share=15%", 0.15)] {
            let c = Config::load(&args_with_sets(&[set])).unwrap();
            assert!((c.criteria.bottom.share - share).abs() < 1e-12, "{set}");
        }
        let c = Config::load(&args_with_sets(&["criteria.r30.enabled=нет", "criteria.combine=или", "criteria.bottom.enabled=вкл"])).unwrap();
        assert!(!c.criteria.r30.enabled && c.criteria.bottom.enabled);
        assert_eq!(c.criteria.combine, Combine::Any);
        let c = Config::load(&args_with_sets(&["criteria.combine=и", "criteria.r30.enabled=выкл"])).unwrap();
        assert_eq!(c.criteria.combine, Combine::All);
        assert!(!c.criteria.r30.enabled);
        // The same spellings inside a configuration file (as strings).
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[criteria]\ncombine = \"и\"\n[criteria.bottom]\nshare = \"20 %\"\nenabled = \"да\"\n").unwrap();
        let c = Config::load(&Sources { config: Some(p), ..Sources::default() }).unwrap();
        assert!((c.criteria.bottom.share - 0.2).abs() < 1e-12);
        assert_eq!(c.criteria.combine, Combine::All);
    }

    #[test]
    fn messages_in_russian_with_suggestions() {
        let err = Config::load(&args_with_sets(&["criteria.bottom.shar=0.2"])).unwrap_err().to_string();
        assert!(err.contains("возможно, «share»"), "{err}");
        let err = Config::load(&args_with_sets(&["method.min_participants=abc"])).unwrap_err().to_string();
        assert!(err.contains("ожидается") && !err.contains("expected"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[criteria.bottom]\nshare = = 0.2\n").unwrap();
        let err = Config::load(&Sources { config: Some(p.clone()), ..Sources::default() }).unwrap_err().to_string();
        assert!(err.contains("строке 2") && !err.contains("expected"), "{err}");
        std::fs::write(&p, "[criteria.botom]\nshare = 0.2\n").unwrap();
        let err = Config::load(&Sources { config: Some(p.clone()), ..Sources::default() }).unwrap_err().to_string();
        assert!(err.contains("возможно, «bottom»"), "{err}");
        let err = Config::load(&Sources { config: Some(dir.path().join("нет.toml")), ..Sources::default() }).unwrap_err().to_string();
        assert!(err.contains("не найден") && !err.contains("os error"), "{err}");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::load(&args_with_sets(&["method.min_participantz=7"])).unwrap_err();
        assert!(err.to_string().contains("method.min_participantz"), "{err}");
        assert!(err.to_string().contains("min_participants»?"), "{err}");
        assert_eq!(crate::error::exit_code_of(&err), std::process::ExitCode::from(2));
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Config::load(&args_with_sets(&["method.min_participants=abc"])).unwrap_err();
        assert!(err.to_string().contains("method.min_participants"), "{err}");
        let err = Config::load(&args_with_sets(&["criteria.combine=maybe"])).unwrap_err();
        assert!(err.to_string().contains("criteria.combine"), "{err}");
    }

    #[test]
    fn unknown_output_encoding_is_refused_before_reading() {
        let err = Config::load(&args_with_sets(&["output.csv_encoding=klingon"])).unwrap_err().to_string();
        assert!(err.contains("output.csv_encoding") && err.contains("klingon"), "{err}");
        assert!(Config::load(&args_with_sets(&["output.csv_encoding=windows-1251"])).is_ok());
    }

    #[test]
    fn out_of_range_share_is_refused() {
        let err = Config::load(&args_with_sets(&["criteria.bottom.share=15"])).unwrap_err();
        assert!(err.to_string().contains("criteria.bottom.share"), "{err}");
    }

    #[test]
    fn inputs_discovered_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["schools.xlsx", "vpr_2025.csv", "ГИА_2025.csv", "anketa.xlsx", "notes.txt", "context.csv"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let found: Vec<(InputKind, String)> = discover_inputs(dir.path())
            .into_iter()
            .map(|s| (s.kind, s.path.file_name().unwrap().to_string_lossy().to_string()))
            .collect();
        assert_eq!(
            found,
            vec![
                (InputKind::Questionnaire, "anketa.xlsx".to_string()),
                (InputKind::Context, "context.csv".to_string()),
                (InputKind::Schools, "schools.xlsx".to_string()),
                (InputKind::Results, "vpr_2025.csv".to_string()),
                (InputKind::Results, "ГИА_2025.csv".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_key_in_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[criteria.bottom]\nshare = 0.2\ncolour = 1\n").unwrap();
        let args = Sources {
            config: Some(p),
            ..Sources::default()
        };
        let err = Config::load(&args).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("criteria.bottom") && msg.contains("colour"), "{msg}");
    }

    #[test]
    fn context_indicators_are_checked_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        let load = |text: &str| {
            std::fs::write(&p, text).unwrap();
            Config::load(&Sources { config: Some(p.clone()), ..Sources::default() }).map(|_| ()).map_err(|e| e.to_string())
        };
        assert!(load("[isbsh.context.rural]\ncolumn = \"locality\"\nequals = \"село\"\ndirection = \"-\"\n").is_ok());
        let err = load("[isbsh.context.rural]\ncolumn = \" \"\ndirection = \"-\"\n").unwrap_err();
        assert!(err.contains("isbsh.context.rural.column"), "{err}");
        let err = load("[isbsh.context.rural]\ncolumn = \"locality\"\nequals = \"\"\ndirection = \"-\"\n").unwrap_err();
        assert!(err.contains("isbsh.context.rural.equals"), "{err}");
        let err = load("[isbsh.context.rural]\ncolumn = \"locality\"\nweight = -1\ndirection = \"-\"\n").unwrap_err();
        assert!(err.contains("isbsh.context.rural.weight"), "{err}");
        let err = load("[isbsh.context.low_income]\ncolumn = \"locality\"\ndirection = \"-\"\n").unwrap_err();
        assert!(err.contains("isbsh.indicators.low_income"), "{err}");
    }
}
