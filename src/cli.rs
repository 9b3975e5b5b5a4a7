//! Raw command-line arguments (clap). Validation into options happens in `config` and the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::i18n::Lang;

#[derive(Parser, Debug)]
#[command(
    name = "shnor",
    version,
    about = "Выявление ШНОР и ШНСУ: школ с низкими образовательными результатами и школ в неблагоприятных социальных условиях",
    long_about = None
)]
pub struct Cli {
    /// Язык сообщений, заголовков и отчёта (ru — по умолчанию, en)
    #[arg(long, global = true, value_enum, default_value = "ru")]
    pub lang: Lang,
    /// Не выводить индикаторы выполнения и пояснения
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Подробный вывод
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Основная работа: чтение, проверка, индексы, выявление ШНОР и ШНСУ, списки и отчёт
    Run(RunArgs),
    /// Проверить входные файлы: формат, кодировка, столбцы, строки, проблемы
    Check(CheckArgs),
    /// Показать канонические таблицы, их столбцы, типы и синонимы
    Schema(SchemaArgs),
    /// Записать шаблон конфигурации с комментариями и шаблоны входных таблиц
    Init(InitArgs),
    /// Пересобрать аналитический отчёт (report.html, report.md) по каталогу результатов прошлого расчёта, не читая исходные файлы
    Report(ReportArgs),
    /// Что если: пересчитать выявление с другими параметрами по каталогу результатов (исходные файлы не читаются) и показать, кто входит в списки и выходит из них
    Whatif(WhatifArgs),
    /// Перебор значений одного или двух параметров: размеры списков и устойчивость статуса каждой школы
    Sweep(SweepArgs),
}

impl WhatifArgs {
    /// The `--set` assignments with the preset's first.
    pub fn sets(&self) -> Vec<String> {
        crate::config::preset::with_preset(self.preset, &self.set)
    }
}

impl InputArgs {
    /// What the configuration is loaded from.
    pub fn sources(&self) -> crate::config::Sources {
        crate::config::Sources {
            config: self.config.clone(),
            schools: self.schools.clone(),
            results: self.results.clone(),
            scales: self.scales.clone(),
            crosswalk: self.crosswalk.clone(),
            questionnaire: self.questionnaire.clone(),
            context: self.context.clone(),
            encoding: self.encoding.clone(),
            set: crate::config::preset::with_preset(self.preset, &self.set),
            allow_excluded: self.allow_excluded,
        }
    }
}

/// Inputs named in a configuration file or directly on the command line.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Файл конфигурации (TOML); без него — встроенная методика
    pub config: Option<PathBuf>,
    /// Реестр ОО (CSV, XLSX, XLS, ODS, Parquet)
    #[arg(long, value_name = "FILE")]
    pub schools: Option<PathBuf>,
    /// Результаты ВПР/ОГЭ/ЕГЭ: файл или каталог (все файлы в нём); можно несколько раз
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub results: Vec<PathBuf>,
    /// Шкалы перевода первичных баллов ВПР в отметки (год, класс, предмет, «3» от, «4» от, «5» от)
    #[arg(long, value_name = "FILE")]
    pub scales: Vec<PathBuf>,
    /// Таблица соответствия ОО: идентификатор или название в источнике → идентификатор реестра
    #[arg(long, value_name = "FILE")]
    pub crosswalk: Option<PathBuf>,
    /// Анкеты социального благополучия семей (можно несколько раз)
    #[arg(long, value_name = "FILE")]
    pub questionnaire: Vec<PathBuf>,
    /// Дополнительные показатели ОО (можно несколько раз)
    #[arg(long, value_name = "FILE")]
    pub context: Vec<PathBuf>,
    /// Кодировка CSV для файлов из командной строки: auto, utf-8, windows-1251, koi8-r, cp866
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<String>,
    /// Изменить параметр конфигурации: ключ=значение (можно несколько раз)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Готовый набор параметров методики поверх конфигурации (--set применяется после него): robust — устойчивая к малым выборкам комбинация (docs/methodology.md)
    #[arg(long, value_enum, value_name = "NAME")]
    pub preset: Option<crate::config::preset::Preset>,
    /// Считать, даже если в файле исключено больше input_checks.max_excluded_share строк из-за проблем данных
    #[arg(long)]
    pub allow_excluded: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Формат вывода
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Сколько примеров проблем показывать на каждую причину
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_problems: usize,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Каталог результатов (по умолчанию output.dir из конфигурации, «shnor-out»)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Прошлогодний список: каталог результатов прошлого расчёта или файл со столбцом «Логин ОО»
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub previous: Option<PathBuf>,
    /// Перезаписать каталог результатов, в котором уже есть прошлый расчёт
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Каталог результатов shnor run (manifest.json и aggregates/)
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Куда записать отчёт (по умолчанию — в тот же каталог)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Прошлогодний список для раздела динамики (по умолчанию — тот, что был указан при расчёте)
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub previous: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WhatifArgs {
    /// Каталог результатов shnor run (manifest.json и aggregates/)
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Изменить параметр методики (можно несколько раз), например criteria.bottom.share=0.15
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Готовый набор параметров методики (--set применяется после него): robust — устойчивая к малым выборкам комбинация (docs/methodology.md)
    #[arg(long, value_enum, value_name = "NAME")]
    pub preset: Option<crate::config::preset::Preset>,
    /// Вторая конфигурация: её параметры методики накладываются на параметры расчёта
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Записать whatif.md и whatif.xlsx (sweep.md, sweep.xlsx, charts/) в каталог
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Формат вывода на экран
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    #[command(flatten)]
    pub base: WhatifArgs,
    /// Перебираемый параметр: ключ=ОТ:ДО:ШАГ или ключ=знач1,знач2,… (один или два раза — сетка)
    #[arg(long = "param", value_name = "KEY=FROM:TO:STEP", required = true)]
    pub param: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Формат вывода
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Каталог, куда записать шаблоны (по умолчанию текущий)
    pub dir: Option<PathBuf>,
    /// Перезаписать существующие файлы
    #[arg(long)]
    pub force: bool,
    /// Записать в шаблон конфигурации готовый набор параметров методики: robust — устойчивая к малым выборкам комбинация (docs/methodology.md)
    #[arg(long, value_enum, value_name = "NAME")]
    pub preset: Option<crate::config::preset::Preset>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

/// The command line parsed with Russian help and error messages (or clap's English ones with
/// `--lang en`). Help and version are printed here; an argument error is printed in the user's
/// language and returned as exit code 2.
pub fn parse() -> Result<Cli, std::process::ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let english = args.windows(2).any(|w| w.first().is_some_and(|a| a == "--lang") && w.get(1).is_some_and(|v| v == "en"))
        || args.iter().any(|a| a == "--lang=en");
    let cmd = if english { Cli::command() } else { russian(Cli::command()) };
    let matches = cmd.clone().try_get_matches_from(args).map_err(|e| report(e, english))?;
    Cli::from_arg_matches(&matches).map_err(|e| report(e, english))
}

const RU_TEMPLATE: &str = "{before-help}{about-with-newline}\nИспользование: {usage}\n\n{all-args}{after-help}";

/// The same command with Russian headings, help and version flags, defaults and possible values.
fn russian(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let name = cmd.get_name().to_string();
    let cmd = cmd
        .help_template(RU_TEMPLATE)
        .subcommand_help_heading("Команды")
        .subcommand_value_name("КОМАНДА")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("Показать справку").global(true))
        .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("Показать версию"))
        .mut_args(russian_arg)
        .mut_subcommands(|sub| {
            let usage = usage_of(&sub, &format!("{name} {}", sub.get_name()));
            sub.help_template(RU_TEMPLATE).disable_help_flag(true).mut_args(russian_arg).override_usage(usage)
        });
    let usage = usage_of(&cmd, &name);
    cmd.override_usage(usage)
}

/// «shnor run [ПАРАМЕТРЫ] [CONFIG]»: the usage line with Russian words for clap's placeholders.
fn usage_of(cmd: &clap::Command, prefix: &str) -> String {
    let mut usage = format!("{prefix} [ПАРАМЕТРЫ]");
    for a in cmd.get_positionals() {
        let name = a.get_value_names().and_then(|v| v.first()).map_or_else(|| a.get_id().to_string().to_uppercase(), ToString::to_string);
        usage.push_str(&if a.is_required_set() { format!(" <{name}>") } else { format!(" [{name}]") });
    }
    if cmd.has_subcommands() {
        usage.push_str(" <КОМАНДА>");
    }
    usage
}

/// One argument's heading, default and possible values in Russian.
fn russian_arg(a: clap::Arg) -> clap::Arg {
    let mut help = a.get_help().map(ToString::to_string).unwrap_or_default();
    let values: Vec<String> = a.get_possible_values().iter().filter(|v| !v.is_hide_set()).map(|v| v.get_name().to_string()).collect();
    if !values.is_empty() && a.get_action().takes_values() {
        help.push_str(&format!(" [варианты: {}]", values.join(", ")));
    }
    let defaults: Vec<String> = a.get_default_values().iter().map(|v| v.to_string_lossy().to_string()).collect();
    if !defaults.is_empty() && a.get_action().takes_values() {
        help.push_str(&format!(" [по умолчанию: {}]", defaults.join(", ")));
    }
    let heading = if a.is_positional() { "Аргументы" } else { "Параметры" };
    let a = a.hide_possible_values(true).hide_default_value(true).help(help);
    if a.get_help_heading().is_none() {
        a.help_heading(heading)
    } else {
        a
    }
}

/// The subcommands, for messages.
const COMMANDS: &[&str] = &["run", "check", "whatif", "sweep", "report", "init", "schema"];

/// Prints an argument error (or the help or version asked for) and gives the exit code.
fn report(e: clap::Error, english: bool) -> std::process::ExitCode {
    use clap::error::ErrorKind as K;
    let code = std::process::ExitCode::from(if e.use_stderr() { crate::error::EXIT_USAGE } else { crate::error::EXIT_OK });
    if english || matches!(e.kind(), K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand) {
        let _ = e.print();
        return code;
    }
    eprintln!("Ошибка: {}\n\nСправка: shnor --help, shnor КОМАНДА --help", russian_error(&e));
    code
}

/// The Russian wording of a clap error, from its kind and context.
fn russian_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ContextValue, ErrorKind as K};
    let get = |k: C| -> Vec<String> {
        match e.get(k) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
            Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
            Some(ContextValue::Number(n)) => vec![n.to_string()],
            _ => Vec::new(),
        }
    };
    let one = |k: C| get(k).first().cloned().unwrap_or_default();
    let quoted = |v: Vec<String>| v.iter().map(|s| format!("«{s}»")).collect::<Vec<_>>().join(", ");
    let hint = |k: C| {
        let s = get(k);
        if s.is_empty() {
            String::new()
        } else {
            format!("; возможно, {}?", quoted(s))
        }
    };
    match e.kind() {
        K::UnknownArgument => format!("неизвестный аргумент «{}»{}", one(C::InvalidArg), hint(C::SuggestedArg)),
        K::InvalidSubcommand => {
            let given = one(C::InvalidSubcommand);
            let mut near = get(C::SuggestedSubcommand);
            if near.is_empty() {
                // clap suggests only close spellings; a swapped pair of letters («rnu») too.
                near.extend(COMMANDS.iter().filter(|c| strsim::damerau_levenshtein(c, &given) <= 1).map(|c| c.to_string()));
            }
            let hint = if near.is_empty() { String::new() } else { format!("; возможно, {}?", quoted(near)) };
            format!("неизвестная команда «{given}»{hint}; команды: {}", COMMANDS.join(", "))
        }
        K::InvalidValue => {
            let valid = get(C::ValidValue);
            let allowed = if valid.is_empty() { String::new() } else { format!("; допустимы: {}", valid.join(", ")) };
            format!("недопустимое значение «{}» у {}{allowed}", one(C::InvalidValue), one(C::InvalidArg))
        }
        K::ValueValidation => format!("неверное значение «{}» у {}", one(C::InvalidValue), one(C::InvalidArg)),
        K::MissingRequiredArgument => format!("не задан обязательный аргумент: {}", get(C::InvalidArg).join(", ")),
        K::MissingSubcommand => format!("не указана команда ({})", COMMANDS.join(", ")),
        K::ArgumentConflict => format!("аргумент {} нельзя сочетать с {}", one(C::InvalidArg), get(C::PriorArg).join(", ")),
        K::TooManyValues => format!("лишнее значение «{}» у {}", one(C::InvalidValue), one(C::InvalidArg)),
        K::TooFewValues | K::WrongNumberOfValues => format!("неверное число значений у {}", one(C::InvalidArg)),
        K::NoEquals => format!("у {} значение задаётся через «=»", one(C::InvalidArg)),
        K::InvalidUtf8 => "аргумент не является текстом UTF-8".to_string(),
        _ => format!("неверные аргументы командной строки ({})", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_help_has_no_english_headings() {
        let mut cmd = russian(<Cli as clap::CommandFactory>::command());
        let help = cmd.render_help().to_string();
        for english in ["Usage:", "Print help", "Commands:", "Options:", "[default:", "[possible values:"] {
            assert!(!help.contains(english), "{english} in\n{help}");
        }
        assert!(help.contains("Использование:") && help.contains("Показать справку"), "{help}");
        let run = russian(<Cli as clap::CommandFactory>::command());
        let help = run.try_get_matches_from(["shnor", "run", "--help"]).unwrap_err().render().to_string();
        assert!(!help.contains("Usage:") && !help.contains("Print help") && !help.contains("Options:"), "{help}");
        assert!(help.contains("[по умолчанию: ru]"), "{help}");
    }

    #[test]
    fn argument_errors_in_russian() {
        let cmd = russian(<Cli as clap::CommandFactory>::command());
        let e = cmd.clone().try_get_matches_from(["shnor", "rnu"]).unwrap_err();
        let m = russian_error(&e);
        assert!(m.contains("неизвестная команда «rnu»") && m.contains("«run»"), "{m}");
        let e = cmd.clone().try_get_matches_from(["shnor", "run", "--shools", "x"]).unwrap_err();
        let m = russian_error(&e);
        assert!(m.contains("неизвестный аргумент «--shools»") && m.contains("--schools"), "{m}");
        let e = cmd.clone().try_get_matches_from(["shnor", "--lang", "de", "run"]).unwrap_err();
        let m = russian_error(&e);
        assert!(m.contains("«de»") && m.contains("ru, en"), "{m}");
    }
}
