//! Accounting of every input: rows read, used and excluded by reason, and every problem with
//! file, sheet, row and column.

use serde::Serialize;

use crate::config::InputKind;
use crate::ingest::{MappedColumn, SourceInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The run cannot go on (exit 65).
    Fatal,
    /// The row is excluded and counted.
    Excluded,
    /// A cell was set aside or something looks wrong; the row is kept.
    Warning,
    /// Data quality information.
    Note,
}

impl Severity {
    pub fn label(self) -> String {
        match self {
            Severity::Fatal => tr!("ОШИБКА", "ERROR"),
            Severity::Excluded => tr!("исключено", "excluded"),
            Severity::Warning => tr!("предупреждение", "warning"),
            Severity::Note => tr!("качество данных", "data quality"),
        }
    }
}

/// Why a row is excluded. Codes are stable (JSON); labels follow the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    RaggedRow,
    BlankId,
    BadYear,
    BadProcedure,
    MissingSubject,
    BadGrade,
    BadMark,
    BadJournalMark,
    BadScore,
    NoEgeMinimum,
    BadCount,
    ShareOutOfRange,
    MarksExceedParticipants,
    BelowMinExceedsParticipants,
    NoFailInfo,
    BadMean,
    DuplicateId,
    UnknownSchool,
    UnmatchedName,
    AmbiguousName,
    NoSource,
    ProcedureNotInMethod,
    YearOutsideWindow,
    OldQuestionnaireYear,
    /// A pupil who did not write (ВПР protocols: «отсутствовал»).
    Absent,
    /// A conversion scale whose thresholds are not numbers or decrease.
    BadScale,
    /// Self-diagnosis: a factor that is not in the catalogue (`risk.factors`).
    UnknownFactor,
    /// Self-diagnosis: a level that is in neither `risk.actual_levels` nor `risk.not_actual_levels`.
    UnknownLevel,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::RaggedRow => "ragged_row",
            Reason::BlankId => "blank_id",
            Reason::BadYear => "bad_year",
            Reason::BadProcedure => "bad_procedure",
            Reason::MissingSubject => "missing_subject",
            Reason::BadGrade => "bad_grade",
            Reason::BadMark => "bad_mark",
            Reason::BadJournalMark => "bad_journal_mark",
            Reason::BadScore => "bad_score",
            Reason::NoEgeMinimum => "no_ege_minimum",
            Reason::BadCount => "bad_count",
            Reason::ShareOutOfRange => "share_out_of_range",
            Reason::MarksExceedParticipants => "marks_exceed_participants",
            Reason::BelowMinExceedsParticipants => "below_min_exceeds_participants",
            Reason::NoFailInfo => "no_fail_info",
            Reason::BadMean => "bad_mean",
            Reason::DuplicateId => "duplicate_id",
            Reason::UnknownSchool => "unknown_school",
            Reason::UnmatchedName => "unmatched_name",
            Reason::AmbiguousName => "ambiguous_name",
            Reason::NoSource => "no_source",
            Reason::ProcedureNotInMethod => "procedure_not_in_method",
            Reason::YearOutsideWindow => "year_outside_window",
            Reason::OldQuestionnaireYear => "old_questionnaire_year",
            Reason::Absent => "absent",
            Reason::BadScale => "bad_scale",
            Reason::UnknownFactor => "unknown_factor",
            Reason::UnknownLevel => "unknown_level",
        }
    }

    /// Every reason, in the order the checks of results tables apply them.
    pub const ALL: [Reason; 28] = [
        Reason::RaggedRow, Reason::Absent, Reason::UnmatchedName, Reason::AmbiguousName, Reason::BlankId, Reason::BadYear,
        Reason::BadProcedure, Reason::MissingSubject, Reason::BadGrade, Reason::BadMark, Reason::BadJournalMark,
        Reason::BadScore, Reason::NoEgeMinimum, Reason::BadCount, Reason::ShareOutOfRange, Reason::MarksExceedParticipants,
        Reason::BelowMinExceedsParticipants, Reason::BadMean, Reason::NoFailInfo, Reason::DuplicateId, Reason::UnknownSchool,
        Reason::NoSource, Reason::ProcedureNotInMethod, Reason::YearOutsideWindow, Reason::OldQuestionnaireYear, Reason::BadScale,
        Reason::UnknownFactor, Reason::UnknownLevel,
    ];

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Rows set aside by the method's own settings, not by a defect of the data: counted, but
    /// not listed row by row.
    pub fn by_design(self) -> bool {
        matches!(
            self,
            Reason::ProcedureNotInMethod | Reason::YearOutsideWindow | Reason::OldQuestionnaireYear | Reason::Absent
        )
    }

    /// Rows whose problem is listed once per school name (with the nearest register names),
    /// not row by row.
    pub fn listed_by_name(self) -> bool {
        matches!(self, Reason::UnmatchedName | Reason::AmbiguousName)
    }

    pub fn label(self) -> String {
        match self {
            Reason::RaggedRow => tr!("неверное число полей в строке", "wrong number of fields in the row"),
            Reason::BlankId => tr!("пустой идентификатор ОО", "blank school id"),
            Reason::BadYear => tr!("год отсутствует или невозможен", "year missing or impossible"),
            Reason::BadProcedure => tr!("неизвестная процедура (ожидается ВПР, ОГЭ или ЕГЭ)", "unknown procedure (expected ВПР, ОГЭ or ЕГЭ)"),
            Reason::MissingSubject => tr!("не указан предмет", "subject missing"),
            Reason::BadGrade => tr!("класс отсутствует или вне 1–11", "grade missing or outside 1–11"),
            Reason::BadMark => tr!("отметка отсутствует или вне диапазона 2–5", "mark missing or outside 2–5"),
            Reason::BadJournalMark => tr!("отметка по журналу вне диапазона 2–5", "journal mark outside 2–5"),
            Reason::BadScore => tr!("балл отсутствует, нечисловой или отрицательный", "score missing, non-numeric or negative"),
            Reason::NoEgeMinimum => tr!("для предмета ЕГЭ нет минимального балла (method.ege_min) и нет отметки", "no ЕГЭ minimum score for the subject (method.ege_min) and no mark"),
            Reason::BadCount => tr!("количество нечисловое или отрицательное", "count non-numeric or negative"),
            Reason::ShareOutOfRange => tr!("доля вне 0–1 (процент вне 0–100)", "share outside 0–1 (percentage outside 0–100)"),
            Reason::MarksExceedParticipants => tr!("число участников меньше суммы отметок", "participants fewer than the sum of marks"),
            Reason::BelowMinExceedsParticipants => tr!("не преодолевших порог больше, чем участников", "more below the minimum than participants"),
            Reason::NoFailInfo => tr!("нет ни числа «2», ни числа не преодолевших порог", "neither mark-2 count nor below-minimum count"),
            Reason::BadMean => tr!("средний балл нечисловой или отрицательный", "mean score non-numeric or negative"),
            Reason::DuplicateId => tr!("повтор идентификатора ОО", "duplicate school id"),
            Reason::UnknownSchool => tr!("ОО нет в реестре", "school not in the register"),
            Reason::UnmatchedName => tr!("ОО с таким названием нет в реестре", "no register school has this name"),
            Reason::AmbiguousName => tr!("название подходит к нескольким ОО реестра", "the name fits several register schools"),
            Reason::NoSource => tr!("нет ни идентификатора, ни названия ОО в источнике", "neither a source id nor a source name"),
            Reason::ProcedureNotInMethod => tr!("процедура не входит в методику (method.procedures)", "procedure not in the method (method.procedures)"),
            Reason::YearOutsideWindow => tr!("год вне окна расчёта", "year outside the window"),
            Reason::OldQuestionnaireYear => tr!("анкета не последнего года", "questionnaire of an earlier year"),
            Reason::Absent => tr!("участник отсутствовал (работу не писал)", "the pupil was absent (did not write)"),
            Reason::BadScale => tr!("пороги шкалы не числа или убывают", "scale thresholds are not numbers or decrease"),
            Reason::UnknownFactor => tr!("фактора нет в каталоге risk.factors (впишите его название или ключ)", "the factor is not in the catalogue risk.factors (use its name or key)"),
            Reason::UnknownLevel => tr!("уровень не из risk.actual_levels и не из risk.not_actual_levels", "the level is in neither risk.actual_levels nor risk.not_actual_levels"),
        }
    }
}


/// One problem, located as precisely as the source allows.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(severity: Severity, code: &str, message: String) -> Self {
        Problem {
            severity,
            code: code.to_string(),
            file: None,
            sheet: None,
            row: None,
            column: None,
            value: None,
            message,
        }
    }

    /// «файл, лист «…», строка N, столбец «…»: сообщение»
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(f) = &self.file {
            parts.push(f.clone());
        }
        if let Some(s) = &self.sheet {
            parts.push(tr!("лист «{s}»", "sheet '{s}'"));
        }
        if let Some(r) = self.row {
            parts.push(tr!("строка {r}", "row {r}"));
        }
        if let Some(c) = &self.column {
            parts.push(tr!("столбец «{c}»", "column '{c}'"));
        }
        let place = parts.join(", ");
        let value = match &self.value {
            Some(v) => tr!(" (значение «{v}»)", " (value '{v}')"),
            None => String::new(),
        };
        if place.is_empty() {
            format!("{}{value}", self.message)
        } else {
            format!("{place}: {}{value}", self.message)
        }
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ExclusionCount {
    pub reason: String,
    pub label: String,
    pub count: u64,
}

/// Everything `check` shows about one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    pub kind: InputKind,
    pub path: String,
    #[serde(flatten)]
    pub source: SourceInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    pub mapped: Vec<MappedColumn>,
    pub unknown_columns: Vec<String>,
    /// Columns of task scores (ВПР protocols), recognised and left aside.
    #[serde(skip_serializing_if = "is_zero")]
    pub task_columns: u64,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_excluded: u64,
    pub excluded: Vec<ExclusionCount>,
    pub empty_rows: u64,
    pub problems: Vec<Problem>,
    /// Problems not listed (beyond the per-reason sample).
    pub problems_not_listed: u64,
    pub fatal: bool,
    /// Rows of a results file whose schools are known by name: how each was matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_matching: Option<super::names::MatchCounts>,
    /// A wide form: its sheets, subject blocks and every skipped row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wide: Option<crate::layout::WideSummary>,
}

impl InputReport {
    pub fn new(kind: InputKind, path: String) -> Self {
        InputReport {
            kind,
            path,
            source: SourceInfo::default(),
            layout: None,
            mapped: Vec::new(),
            unknown_columns: Vec::new(),
            task_columns: 0,
            rows_read: 0,
            rows_used: 0,
            rows_excluded: 0,
            excluded: Vec::new(),
            empty_rows: 0,
            problems: Vec::new(),
            problems_not_listed: 0,
            fatal: false,
            name_matching: None,
            wide: None,
        }
    }

    /// A problem located in this file.
    pub fn problem(&mut self, severity: Severity, code: &str, row: Option<u64>, column: Option<&str>, value: Option<String>, message: String) {
        self.problem_in(None, severity, code, row, column, value, message);
    }

    /// A problem on a given sheet of this file (a workbook read sheet by sheet); without one, the
    /// file's sheet.
    #[allow(clippy::too_many_arguments)]
    pub fn problem_in(&mut self, sheet: Option<&str>, severity: Severity, code: &str, row: Option<u64>, column: Option<&str>, value: Option<String>, message: String) {
        if severity == Severity::Fatal {
            self.fatal = true;
        }
        self.problems.push(Problem {
            severity,
            code: code.to_string(),
            file: Some(self.path.clone()),
            sheet: sheet.map(str::to_string).or_else(|| self.source.sheet.clone()),
            row,
            column: column.map(str::to_string),
            value,
            message,
        });
    }

    pub fn fatal(&mut self, code: &str, column: Option<&str>, message: String) {
        self.problem(Severity::Fatal, code, None, column, None, message);
    }

    /// Adds excluded rows of a reason (counts merge).
    pub fn exclude(&mut self, reason: Reason, count: u64) {
        if count == 0 {
            return;
        }
        self.rows_excluded += count;
        if let Some(e) = self.excluded.iter_mut().find(|e| e.reason == reason.code()) {
            e.count += count;
        } else {
            self.excluded.push(ExclusionCount {
                reason: reason.code().to_string(),
                label: reason.label(),
                count,
            });
        }
    }

    /// The source column a canonical column was read from (for messages).
    pub fn source_column(&self, canonical: &str) -> Option<String> {
        self.mapped
            .iter()
            .find(|m| m.canonical == canonical)
            .map(|m| m.source.clone())
    }

    /// Moves rows from "used" to "excluded" (when a later step sets rows aside).
    pub fn move_to_excluded(&mut self, reason: Reason, count: u64) {
        self.rows_used = self.rows_used.saturating_sub(count);
        self.exclude(reason, count);
    }

    /// Puts the excluded counts in the order of [`Reason::ALL`] (a file read block by block meets
    /// its reasons in the order of its blocks).
    pub fn order_excluded(&mut self) {
        self.excluded.sort_by_key(|e| Reason::from_code(&e.reason).and_then(|r| Reason::ALL.iter().position(|x| *x == r)));
    }

    /// Rows excluded by the method's own settings (not for a problem of the data).
    pub fn excluded_by_design(&self) -> u64 {
        self.excluded.iter().filter(|e| Reason::from_code(&e.reason).is_some_and(Reason::by_design)).map(|e| e.count).sum()
    }

    /// Rows excluded for problems of the data, and the share they are of the rows the method
    /// would have used (rows read less those set aside by design).
    pub fn problem_share(&self) -> (u64, f64) {
        let problems = self.rows_excluded.saturating_sub(self.excluded_by_design());
        let base = self.rows_read.saturating_sub(self.excluded_by_design());
        (problems, if base == 0 { 0.0 } else { problems as f64 / base as f64 })
    }

    /// The reason that excluded the most rows for a problem of the data, with its count.
    pub fn main_problem(&self) -> Option<&ExclusionCount> {
        self.excluded
            .iter()
            .filter(|e| !Reason::from_code(&e.reason).is_some_and(Reason::by_design))
            .max_by(|a, b| a.count.cmp(&b.count).then_with(|| b.reason.cmp(&a.reason)))
    }

    /// «, больше всего — «label» (count)» for the main problem reason, or nothing.
    pub fn main_problem_words(&self) -> String {
        self.main_problem().map(|e| tr!(", больше всего — «{}» ({})", ", most of them '{}' ({})", e.label, e.count)).unwrap_or_default()
    }

    /// A data-quality note once a file, however many blocks the file is read in: nothing is
    /// added when the same note (code, column, value, text) is already there.
    pub fn note_once(&mut self, code: &str, column: Option<&str>, value: Option<String>, message: String) {
        let seen = self.problems.iter().any(|p| p.code == code && p.column.as_deref() == column && p.value == value && p.message == message);
        if !seen {
            self.problem(Severity::Note, code, None, column, value, message);
        }
    }

    /// Excluded counts keyed by reason code.
    #[cfg(test)]
    pub fn excluded_map(&self) -> std::collections::BTreeMap<String, u64> {
        self.excluded.iter().map(|e| (e.reason.clone(), e.count)).collect()
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
