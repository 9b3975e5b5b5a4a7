//! Typed errors and their exit codes (documented in the README).

use std::process::ExitCode;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for a runtime error (I/O on outputs, internal failures).
pub const EXIT_RUNTIME: u8 = 1;
/// Exit code for a usage error (bad arguments, bad configuration).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for invalid input data (sysexits EX_DATAERR).
pub const EXIT_DATA: u8 = 65;

#[derive(thiserror::Error, Debug)]
pub enum ShnorError {
    /// Wrong arguments or configuration: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Input data that cannot be used: exit 65.
    #[error("{0}")]
    Data(String),
}

/// Maps any error to the documented exit code.
pub fn exit_code_of(err: &anyhow::Error) -> ExitCode {
    match err.downcast_ref::<ShnorError>() {
        Some(ShnorError::Usage(_)) => ExitCode::from(EXIT_USAGE),
        Some(ShnorError::Data(_)) => ExitCode::from(EXIT_DATA),
        None => ExitCode::from(EXIT_RUNTIME),
    }
}

pub fn usage(msg: String) -> anyhow::Error {
    ShnorError::Usage(msg).into()
}

pub fn data(msg: String) -> anyhow::Error {
    ShnorError::Data(msg).into()
}

/// An error with its causes, as the user reads it: operating-system errors (writing an output,
/// reading a file) in the user's language instead of the system's English text.
pub fn render(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| match cause.downcast_ref::<std::io::Error>() {
            Some(io) => crate::i18n::io_message(io),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}
