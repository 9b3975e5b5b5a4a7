//! User-facing language selection. Everything a user reads goes through [`tr!`].

use std::sync::atomic::{AtomicBool, Ordering};

static ENGLISH: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `-v`: timings of the phases on stderr.
pub fn set_verbose(v: bool) {
    VERBOSE.store(v, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Prints a phase timing on stderr when `-v` is given.
pub fn trace(what: &str, since: std::time::Instant) {
    if verbose() {
        eprintln!("[{:>8.3} s] {what}", since.elapsed().as_secs_f64());
    }
}

/// The language of messages, headers and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

pub fn set_lang(lang: Lang) {
    ENGLISH.store(lang == Lang::En, Ordering::Relaxed);
}

pub fn is_en() -> bool {
    ENGLISH.load(Ordering::Relaxed)
}

/// Picks the Russian or English variant of a message; both are format strings.
#[macro_export]
macro_rules! tr {
    ($ru:literal, $en:literal $(,)?) => {
        if $crate::i18n::is_en() { format!($en) } else { format!($ru) }
    };
    ($ru:literal, $en:literal, $($arg:tt)*) => {
        if $crate::i18n::is_en() { format!($en, $($arg)*) } else { format!($ru, $($arg)*) }
    };
}

/// The Russian plural form after a number: 1 файл, 2 файла, 5 файлов, 11 файлов, 21 файл.
pub fn ru_plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (d, h) = (n % 10, n % 100);
    if d == 1 && h != 11 {
        one
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        few
    } else {
        many
    }
}

/// An operating-system error in the user's language (the system's own text is English).
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => tr!("файл или каталог не найден", "file or directory not found"),
        K::PermissionDenied => tr!("нет прав доступа", "permission denied"),
        K::AlreadyExists => tr!("уже существует", "already exists"),
        K::IsADirectory => tr!("это каталог, а не файл", "this is a directory, not a file"),
        K::NotADirectory => tr!("это файл, а не каталог", "this is a file, not a directory"),
        K::InvalidData => tr!("содержимое не является текстом UTF-8", "the content is not UTF-8 text"),
        K::StorageFull => tr!("на диске нет места", "no space left on the device"),
        K::ReadOnlyFilesystem => tr!("файловая система только для чтения", "read-only file system"),
        K::DirectoryNotEmpty => tr!("каталог не пуст", "the directory is not empty"),
        K::UnexpectedEof => tr!("файл обрывается раньше, чем должен", "the file ends too early"),
        _ => match e.raw_os_error() {
            Some(40) => tr!("слишком много уровней символических ссылок (петля ссылок)", "too many levels of symbolic links (a link loop)"),
            Some(n) => tr!("ошибка операционной системы (код {n})", "operating system error (code {n})"),
            None => tr!("ошибка ввода-вывода: {e}", "input/output error: {e}"),
        },
    }
}

/// A number with one decimal, with the decimal comma in Russian.
pub fn decimal1(x: f64) -> String {
    if is_en() {
        format!("{x:.1}")
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}
