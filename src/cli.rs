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

/// Inputs named in a configuration file or directly on the command line.
#[derive(Args, Debug, Default, Clone)]
pub struct InputArgs {
    /// Файл конфигурации (TOML); без него — встроенная методика
    pub config: Option<PathBuf>,
    /// Реестр ОО (CSV, XLSX, XLS, ODS, Parquet)
    #[arg(long, value_name = "FILE")]
    pub schools: Option<PathBuf>,
    /// Результаты ВПР/ОГЭ/ЕГЭ (можно несколько раз)
    #[arg(long, value_name = "FILE")]
    pub results: Vec<PathBuf>,
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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}
