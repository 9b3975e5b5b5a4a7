//! `shnor init [DIR]`: the commented configuration template and header-only input templates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::InitArgs;
use crate::config::{Config, DEFAULTS_TOML};
use crate::error::usage;
use crate::model::schema::{TableDef, CONTEXT, CROSSWALK, QUESTIONNAIRE_FAMILY, RESULTS_SCHOOL, RESULTS_STUDENT, SCHOOLS};
use crate::output::write_atomic;

/// The header a Russian user expects: the first Russian alias, else the canonical name.
fn header_of(name: &str, aliases: &[&str]) -> String {
    aliases
        .iter()
        .find(|a| a.chars().any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))))
        .map(|a| a.to_string())
        .unwrap_or_else(|| name.to_string())
}

fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains(';') || c.contains('"') {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    format!("\u{feff}{}\r\n", quoted.join(";"))
}

fn table_template(t: &TableDef) -> String {
    let cells: Vec<String> = t.columns.iter().map(|c| header_of(c.name, c.aliases)).collect();
    csv_line(&cells)
}

pub fn run(args: &InitArgs, quiet: bool) -> Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = Config::defaults()?;
    let mut questionnaire: Vec<String> = QUESTIONNAIRE_FAMILY
        .columns
        .iter()
        .map(|c| header_of(c.name, c.aliases))
        .collect();
    for ind in config.isbsh.indicators.values() {
        let name = ind
            .columns
            .iter()
            .find(|c| c.chars().any(|ch| ch.is_alphabetic() && !ch.is_ascii()))
            .or(ind.columns.first());
        if let Some(n) = name {
            questionnaire.push(n.clone());
        }
    }
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("shnor.toml"), args.preset.map(|p| p.template(DEFAULTS_TOML)).unwrap_or_else(|| DEFAULTS_TOML.to_string())),
        (dir.join("templates/schools.csv"), table_template(&SCHOOLS)),
        (dir.join("templates/results_student.csv"), table_template(&RESULTS_STUDENT)),
        (dir.join("templates/results_school.csv"), table_template(&RESULTS_SCHOOL)),
        (dir.join("templates/questionnaire.csv"), csv_line(&questionnaire)),
        (dir.join("templates/context.csv"), table_template(&CONTEXT)),
        (dir.join("templates/crosswalk.csv"), table_template(&CROSSWALK)),
    ];
    if !args.force {
        let existing: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).filter(|p| p.exists()).collect();
        if let Some(p) = existing.first() {
            return Err(usage(tr!(
                "файл {} уже существует; добавьте --force, чтобы перезаписать",
                "{} already exists; add --force to overwrite",
                p.display()
            )));
        }
    }
    for (path, text) in &files {
        write_atomic(path, text.as_bytes())?;
        if !quiet {
            println!("{}", tr!("записан {}", "written {}", path.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}
