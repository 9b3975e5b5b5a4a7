//! The output folder as something to read back: a previous run (configuration, row accounting,
//! school-level and index tables) and last year's list. The files themselves are written by the
//! exports of `output/`.

mod previous;
mod run;

pub use previous::read_previous;
pub use run::load;
