//! shnor: identification of ШНОР and ШНСУ schools. `main` only parses and maps errors to exit
//! codes; everything else is the library (`lib.rs`).

use shnor::{cli, commands, error, i18n, progress, tr};

use std::process::ExitCode;

/// jemalloc, as polars recommends: measured a third less peak memory on the country than the
/// system allocator at the same speed (docs/performance.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Output piped into `head` and the like: a closed pipe ends the program quietly, as it does
/// other command-line tools, instead of a failed write (Rust ignores SIGPIPE by default, and
/// `println!` then panics with "Broken pipe").
#[cfg(unix)]
fn end_quietly_on_closed_pipe() {
    // SAFETY: sets the default action of one signal, before any other thread exists; no Rust
    // state is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn end_quietly_on_closed_pipe() {}

fn main() -> ExitCode {
    end_quietly_on_closed_pipe();
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    i18n::set_lang(cli.lang);
    i18n::set_verbose(cli.verbose > 0 && !cli.quiet);
    progress::init(!cli.quiet && cli.verbose == 0 && std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {}", tr!("Ошибка:", "Error:"), error::render(&err));
            error::exit_code_of(&err)
        }
    }
}
