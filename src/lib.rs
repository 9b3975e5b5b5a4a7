//! shnor as a library: the command-line program (`main.rs`) and the fuzz targets (`fuzz/`, through
//! [`fuzzing`]) are built on it. Data flows one way: `ingest` → `model` → `indices` → `identify`
//! → `output`, with `commands` thin on top (ARCHITECTURE.md).

#[macro_use]
pub mod i18n;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fuzzing;
pub mod identify;
pub mod indices;
pub mod ingest;
pub mod layout;
pub mod model;
pub mod output;
pub mod parallel;
pub mod progress;
pub mod store;
pub mod text;
