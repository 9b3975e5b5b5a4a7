//! `shnor schema`: the canonical tables, columns, types, required/optional and aliases.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{OutputFormat, SchemaArgs};
use crate::model::schema::ALL_TABLES;

pub fn run(args: &SchemaArgs) -> Result<ExitCode> {
    if args.format == OutputFormat::Json {
        println!("{}", serde_json::to_string_pretty(ALL_TABLES)?);
        return Ok(ExitCode::SUCCESS);
    }
    for t in ALL_TABLES {
        println!("\n{} — {}", t.name, t.title());
        let mut table = super::table();
        table.set_header(vec![
                tr!("Столбец", "Column"),
                tr!("Тип", "Type"),
                tr!("Обязательный", "Required"),
                tr!("Синонимы", "Aliases"),
                tr!("Описание", "Description"),
            ]);
        for c in t.columns {
            table.add_row(vec![
                c.name.to_string(),
                c.ty.label(),
                if c.required { tr!("да", "yes") } else { tr!("нет", "no") },
                c.aliases.join(", "),
                c.note().to_string(),
            ]);
        }
        println!("{table}");
    }
    println!(
        "\n{}",
        tr!(
            "Названия столбцов сравниваются без учёта регистра, пробелов, кавычек, знаков препинания и различия ё/е; латинские буквы, похожие на русские, считаются русскими. Дополнительные синонимы — в разделе [aliases] конфигурации, явное сопоставление — в input.columns. Показатели анкеты и их синонимы — в isbsh.indicators (shnor init).",
            "Column names are compared ignoring case, spaces, quotes, punctuation and ё/е; Latin letters that look Cyrillic count as Cyrillic. Extra aliases go into the [aliases] section of the configuration, explicit mappings into input.columns. Questionnaire indicators and their aliases are in isbsh.indicators (shnor init)."
        )
    );
    Ok(ExitCode::SUCCESS)
}
