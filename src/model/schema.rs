//! The canonical tables: their columns, types and accepted aliases (§3 of the spec).

use serde::Serialize;

/// The type a canonical column is parsed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColType {
    Text,
    Int,
    Number,
    Year,
}

impl ColType {
    pub fn label(self) -> String {
        match self {
            ColType::Text => tr!("текст", "text"),
            ColType::Int => tr!("целое", "integer"),
            ColType::Number => tr!("число", "number"),
            ColType::Year => tr!("год", "year"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnDef {
    pub name: &'static str,
    pub ty: ColType,
    pub required: bool,
    pub aliases: &'static [&'static str],
    pub note_ru: &'static str,
    pub note_en: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableDef {
    pub name: &'static str,
    pub title_ru: &'static str,
    pub title_en: &'static str,
    pub columns: &'static [ColumnDef],
}

impl TableDef {
    pub fn title(&self) -> &'static str {
        if crate::i18n::is_en() {
            self.title_en
        } else {
            self.title_ru
        }
    }
}

impl ColumnDef {
    pub fn note(&self) -> &'static str {
        if crate::i18n::is_en() {
            self.note_en
        } else {
            self.note_ru
        }
    }
}

macro_rules! col {
    ($name:literal, $ty:ident, $req:literal, [$($alias:literal),* $(,)?], $ru:literal, $en:literal) => {
        ColumnDef {
            name: $name,
            ty: ColType::$ty,
            required: $req,
            aliases: &[$($alias),*],
            note_ru: $ru,
            note_en: $en,
        }
    };
}

const SCHOOL_ID: ColumnDef = col!(
    "school_id", Text, true,
    ["Логин ОО", "Логин", "Код ОО", "Код школы", "Код образовательной организации", "ИНН", "ИНН ОО", "login", "school id", "id ОО", "Логин школы", "Пользователь", "user"],
    "уникальный идентификатор ОО (ведущие нули сохраняются)", "unique school id (leading zeros kept)"
);

const NAME: ColumnDef = col!("name", Text, true,
    ["Наименование ОО", "Название ОО", "Наименование", "Название", "Образовательная организация", "Полное наименование ОО", "Краткое наименование ОО", "school name", "school"],
    "наименование ОО", "school name");
const MUNICIPALITY: ColumnDef = col!("municipality", Text, true,
    ["Муниципалитет", "Муниципальное образование", "МО", "АТЕ", "Муниципальный район", "Район", "Муниципальный район (городской округ)", "Городской округ"],
    "муниципалитет", "municipality");

/// In results: a school known only by name (and municipality) is matched to the register.
const NAME_IN_RESULTS: ColumnDef = ColumnDef {
    required: false,
    aliases: &["Наименование ОО", "Название ОО", "Наименование", "Название", "Образовательная организация", "Полное наименование ОО", "Краткое наименование ОО", "school name", "school", "Школа", "ОО"],
    note_ru: "наименование ОО — если нет идентификатора, школа ищется в реестре по названию",
    note_en: "school name — without an id the school is looked up in the register by name",
    ..NAME
};
const MUNICIPALITY_IN_RESULTS: ColumnDef = ColumnDef {
    required: false,
    // ФИС ОКО protocols write the municipality under «регион».
    aliases: &["Муниципалитет", "Муниципальное образование", "МО", "АТЕ", "Муниципальный район", "Район", "Муниципальный район (городской округ)", "Городской округ", "регион"],
    note_ru: "муниципалитет — уточняет поиск школы по названию",
    note_en: "municipality — narrows the lookup of a school by name",
    ..MUNICIPALITY
};

pub const SCHOOLS: TableDef = TableDef {
    name: "schools",
    title_ru: "Реестр ОО (одна строка — одна школа)",
    title_en: "School register (one row per school)",
    columns: &[
        SCHOOL_ID,
        NAME,
        MUNICIPALITY,
        col!("school_type", Text, false,
            ["Тип ОО", "Вид ОО", "Тип", "Вид", "type"],
            "тип ОО (НОШ, ООШ, СОШ, гимназия, лицей …) — группа сравнения", "school type (peer group)"),
        col!("locality", Text, false,
            ["Местность", "Тип поселения", "Тип местности", "Городская/сельская", "Город/село"],
            "город / село", "urban / rural"),
        col!("students", Int, false,
            ["Численность обучающихся", "Число обучающихся", "Количество обучающихся", "Контингент", "Обучающихся", "enrolment", "enrollment"],
            "численность обучающихся", "enrolment"),
    ],
};

const YEAR: ColumnDef = col!(
    "year", Year, true, ["Год", "Учебный год", "Год проведения"],
    "год (из «2024/2025» берётся 2025)", "year (2025 from '2024/2025')"
);
const PROCEDURE: ColumnDef = col!(
    "procedure", Text, true,
    ["Процедура", "Вид процедуры", "Экзамен", "Форма ГИА", "Оценочная процедура", "Вид оценочной процедуры"],
    "ВПР, ОГЭ или ЕГЭ", "ВПР, ОГЭ or ЕГЭ"
);
const GRADE: ColumnDef = col!(
    "grade", Int, false, ["Класс", "Параллель", "Наименование класса", "Класс (буква)"],
    "класс (для ОГЭ по умолчанию 9, для ЕГЭ 11)", "grade (ОГЭ defaults to 9, ЕГЭ to 11)"
);
const SUBJECT: ColumnDef = col!(
    "subject", Text, true, ["Предмет", "Учебный предмет", "Предмет ВПР", "Наименование предмета"],
    "предмет (названия приводятся к единым: «РУ» → «Русский язык»)", "subject (normalised: «РУ» → «Русский язык»)"
);

pub const RESULTS_STUDENT: TableDef = TableDef {
    name: "results_student",
    title_ru: "Результаты по ученикам (ВПР, ОГЭ, ЕГЭ; одна строка — одна работа)",
    title_en: "Results per student (ВПР, ОГЭ, ЕГЭ; one row per work)",
    columns: &[
        YEAR,
        SCHOOL_ID,
        NAME_IN_RESULTS,
        MUNICIPALITY_IN_RESULTS,
        PROCEDURE,
        GRADE,
        SUBJECT,
        col!("score", Number, false, ["Первичный балл", "Тестовый балл", "Балл", "Сумма баллов", "Итоговый балл", "Всего баллов", "Итого баллов", "sum"],
            "балл (для ЕГЭ — тестовый)", "score (ЕГЭ: test score)"),
        col!("mark", Int, false, ["Отметка", "Оценка", "Отметка за работу", "Оценка за работу"],
            "отметка 2–5 (для ЕГЭ может отсутствовать)", "mark 2–5 (may be absent for ЕГЭ)"),
        col!("journal_mark", Int, false, ["Отметка по журналу", "Оценка по журналу", "Отметка за предыдущую четверть", "Отметка в журнале",
            "Отметка за предыдущую четверть/триместр", "Отметка за предыдущий триместр", "Отметка за предыдущее полугодие", "otc"],
            "отметка по журналу (только ВПР; «нет отметки» — пусто)", "journal mark (ВПР only; «нет отметки» = none)"),
        col!("variant", Text, false, ["Вариант", "var", "var-1"],
            "вариант работы; «отсутствовал» — участник не писал работу (строка исключается по своей причине)", "variant; «отсутствовал» = the pupil did not write (row excluded by its own reason)"),
    ],
};

/// ВПР conversion scales (§3.6).
pub const SCALES: TableDef = TableDef {
    name: "scales",
    title_ru: "Шкалы перевода первичных баллов ВПР в отметки (одна строка — год × класс × предмет)",
    title_en: "ВПР conversion scales (one row per year × grade × subject)",
    columns: &[
        col!("year", Year, true, ["Год"], "год", "year"),
        col!("grade", Int, true, ["Класс", "Параллель"], "класс", "grade"),
        col!("subject", Text, true, ["Предмет", "Учебный предмет"], "предмет", "subject"),
        col!("min3", Number, true, ["«3» от", "Отметка «3» от", "Мин. балл «3»", "Минимальный балл на «3»", "от «3»", "3 от"],
            "наименьший первичный балл отметки «3» (ниже — «2»)", "lowest primary score of mark 3 (below: mark 2)"),
        col!("min4", Number, true, ["«4» от", "Отметка «4» от", "Мин. балл «4»", "Минимальный балл на «4»", "от «4»", "4 от"],
            "наименьший первичный балл отметки «4»", "lowest primary score of mark 4"),
        col!("min5", Number, true, ["«5» от", "Отметка «5» от", "Мин. балл «5»", "Минимальный балл на «5»", "от «5»", "5 от"],
            "наименьший первичный балл отметки «5»", "lowest primary score of mark 5"),
    ],
};

pub const RESULTS_SCHOOL: TableDef = TableDef {
    name: "results_school",
    title_ru: "Результаты по школам (длинная форма: одна строка — школа × год × процедура)",
    title_en: "Results per school (long form: one row per school × year × procedure)",
    columns: &[
        YEAR,
        SCHOOL_ID,
        NAME_IN_RESULTS,
        MUNICIPALITY_IN_RESULTS,
        PROCEDURE,
        GRADE,
        SUBJECT,
        col!("participants", Int, true, ["Кол-во участников", "Количество участников", "Участники", "Приняло участие", "Число участников", "Участников"],
            "число участников", "participants"),
        col!("mark2", Number, false, ["«2»", "2", "Отметка «2»", "Кол-во «2»", "Количество «2»", "Оценка «2»", "Доля «2»", "«2», %"],
            "число (или доля, %) отметок «2»", "count (or share, %) of mark 2"),
        col!("mark3", Number, false, ["«3»", "3", "Отметка «3»", "Кол-во «3»", "Количество «3»", "Оценка «3»", "Доля «3»", "«3», %"],
            "число (или доля, %) отметок «3»", "count (or share, %) of mark 3"),
        col!("mark4", Number, false, ["«4»", "4", "Отметка «4»", "Кол-во «4»", "Количество «4»", "Оценка «4»", "Доля «4»", "«4», %"],
            "число (или доля, %) отметок «4»", "count (or share, %) of mark 4"),
        col!("mark5", Number, false, ["«5»", "5", "Отметка «5»", "Кол-во «5»", "Количество «5»", "Оценка «5»", "Доля «5»", "«5», %"],
            "число (или доля, %) отметок «5»", "count (or share, %) of mark 5"),
        col!("mean_score", Number, false, ["Средний балл", "Средний первичный балл", "Средний тестовый балл"],
            "средний балл", "mean score"),
        col!("below_min", Number, false, ["Не преодолели минимальный порог", "Не преодолен min порог", "Не преодолели минимальный балл", "Ниже минимума", "Не преодолели порог", "Не сдали"],
            "число (или доля) не преодолевших минимальный порог (ЕГЭ)", "count (or share) below the minimum score (ЕГЭ)"),
    ],
};

pub const QUESTIONNAIRE_FAMILY: TableDef = TableDef {
    name: "questionnaire_family",
    title_ru: "Анкеты семей (одна строка — одна анкета); столбцы ответов задаются в isbsh.indicators",
    title_en: "Family questionnaires (one row per questionnaire); answer columns are defined in isbsh.indicators",
    columns: &[
        col!("year", Year, false, ["Год", "Учебный год", "Год анкетирования"],
            "год (если нет — последний год файла или input.year)", "year (absent: input.year)"),
        SCHOOL_ID,
    ],
};

pub const QUESTIONNAIRE_SCHOOL: TableDef = TableDef {
    name: "questionnaire_school",
    title_ru: "Социальный паспорт школы (одна строка — школа; доли показателей из isbsh.indicators)",
    title_en: "School social passport (one row per school; shares of the isbsh.indicators)",
    columns: &[
        col!("year", Year, false, ["Год", "Учебный год"], "год", "year"),
        SCHOOL_ID,
        col!("respondents", Int, false, ["Число ответивших", "Количество анкет", "Ответили", "Респонденты", "Число анкет"],
            "число заполненных анкет", "questionnaires returned"),
    ],
};

pub const CONTEXT: TableDef = TableDef {
    name: "context",
    title_ru: "Дополнительные показатели ОО (одна строка — школа; любые числовые столбцы)",
    title_en: "School context indicators (one row per school; any numeric columns)",
    columns: &[SCHOOL_ID],
};

/// The schools' self-diagnosis of risk factors (§4.9, the 500+ practice): long (school ×
/// factor → level) or wide (a column per factor, named as in `risk.factors`).
pub const SELFDIAGNOSIS: TableDef = TableDef {
    name: "selfdiagnosis",
    title_ru: "Самодиагностика школ по факторам риска (строка — школа × фактор, или столбец на каждый фактор)",
    title_en: "Schools' self-diagnosis of risk factors (a row per school × factor, or a column per factor)",
    columns: &[
        SCHOOL_ID,
        col!("factor", Text, false, ["Фактор риска", "Фактор", "Рисковый фактор", "Название фактора", "risk factor"],
            "фактор риска — название или ключ из risk.factors (без столбца — столбец на каждый фактор)", "risk factor — a name or key of risk.factors (absent: a column per factor)"),
        col!("level", Text, false, ["Уровень", "Уровень риска", "Актуальность", "Степень выраженности", "Оценка", "risk level"],
            "уровень: высокий / средний / низкий, актуален / неактуален (risk.actual_levels, risk.not_actual_levels)", "level: high / medium / low, actual / not actual (risk.actual_levels, risk.not_actual_levels)"),
    ],
};

/// Crosswalk: ids or names of another source → register ids; it overrides name matching.
pub const CROSSWALK: TableDef = TableDef {
    name: "crosswalk",
    title_ru: "Таблица соответствия ОО (идентификатор или название в источнике → ОО реестра)",
    title_en: "School crosswalk (id or name in a source → register school)",
    columns: &[
        col!("source_id", Text, false, ["Код в источнике", "Идентификатор в источнике", "Код ОО в источнике", "Логин в источнике", "source id"],
            "идентификатор ОО в файле результатов", "school id in the results file"),
        col!("source_name", Text, false, ["Наименование в источнике", "Название в источнике", "Наименование ОО в источнике", "source name"],
            "наименование ОО в файле результатов", "school name in the results file"),
        ColumnDef {
            required: false,
            note_ru: "муниципалитет — соответствие по названию действует только в нём (без него — везде)",
            note_en: "municipality — a name entry holds only there (without it, everywhere)",
            ..MUNICIPALITY
        },
        SCHOOL_ID,
    ],
};

pub const ALL_TABLES: &[&TableDef] = &[
    &SCHOOLS,
    &RESULTS_STUDENT,
    &RESULTS_SCHOOL,
    &QUESTIONNAIRE_FAMILY,
    &QUESTIONNAIRE_SCHOOL,
    &CONTEXT,
    &SELFDIAGNOSIS,
    &CROSSWALK,
    &SCALES,
];

/// Canonical column names that make a results file "per school".
pub const SCHOOL_LEVEL_RESULT_COLUMNS: &[&str] =
    &["participants", "mark2", "mark3", "mark4", "mark5", "below_min"];

/// A canonical column's definition (the first table that has it).
pub fn column_def(canonical: &str) -> Option<&'static ColumnDef> {
    ALL_TABLES.iter().flat_map(|t| t.columns.iter()).find(|c| c.name == canonical)
}

/// A canonical column in the user's words: «Отметка (mark)» in Russian (its first alias),
/// `mark` in English.
pub fn column_words(canonical: &str) -> String {
    match column_def(canonical).and_then(|c| c.aliases.first()) {
        Some(alias) if !crate::i18n::is_en() => format!("«{alias}» ({canonical})"),
        _ => format!("'{canonical}'"),
    }
}

/// Headers of a file that look like a misspelt alias of `canonical` (at most three, closest
/// first): compared by their matching keys, so case, spaces and quotes do not count.
pub fn closest_headers(canonical: &str, headers: &[String]) -> Vec<String> {
    let Some(def) = column_def(canonical) else { return Vec::new() };
    let keys: Vec<String> = std::iter::once(def.name).chain(def.aliases.iter().copied()).map(crate::text::header_key).collect();
    let mut scored: Vec<(f64, &String)> = headers
        .iter()
        .map(|h| {
            let hk = crate::text::header_key(h);
            let best = keys.iter().map(|k| strsim::normalized_damerau_levenshtein(k, &hk)).fold(0.0, f64::max);
            (best, h)
        })
        .filter(|(s, _)| *s >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, h)| h.clone()).collect()
}
