//! The output folder's format and its reading back: `format` holds the types of manifest.json,
//! summary.json and aggregates/meta.json (the writers serialise them, [`load`] reads them);
//! `write` renders the stored Parquet tables; [`load`] reads a previous run (configuration, row
//! accounting, school-level and index tables) and [`read_previous`] last year's list.

pub mod format;
mod previous;
mod run;
mod staging;
mod write;

pub use format::InputFile;
pub use previous::read_previous;
pub use run::load;
pub use staging::{lock, Staging};
pub use write::aggregate_files;
