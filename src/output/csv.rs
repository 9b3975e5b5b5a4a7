//! `schools.csv`: every register school with its indices and flags. UTF-8 with BOM, `;` and a
//! decimal comma by default, so that Russian Excel opens it; all three are configurable.

use std::path::PathBuf;

use anyhow::{anyhow, Result};

use super::{defuse, number, Export, RunOutput};
use crate::identify::criteria::{self, List};

pub struct SchoolsCsv;

/// Column headers: exact English names with `--lang en`, Russian otherwise.
pub fn headers(years: &[i32], worst_share: f64, coverage: f64) -> Vec<String> {
    let en = crate::i18n::is_en();
    let mut h: Vec<String> = if en {
        ["school_id", "name", "municipality", "school_type", "locality"].iter().map(|s| s.to_string()).collect()
    } else {
        ["Логин ОО", "Наименование ОО", "Муниципалитет", "Тип ОО", "Местность"].iter().map(|s| s.to_string()).collect()
    };
    for y in years {
        h.push(if en { format!("inr_{y}") } else { format!("ИНР {y}") });
    }
    for (e, r) in [("inr", "ИНР"), ("isbsh", "ИСБШ")] {
        h.push(if en { e.to_string() } else { r.to_string() });
    }
    for c in criteria::of_list(List::Shnor) {
        h.push(if en { c.flag().to_string() } else { c.column() });
    }
    let pct = |x: f64| crate::identify::words::pct(Some(x));
    let standing: [(&str, String); 6] = [
        ("participants_window", "Участников за окно".to_string()),
        ("p_worst", format!("Вероятность быть в худших {}", pct(worst_share))),
        ("rank_expected", "Ожидаемое место по ИНР (1 — худшая)".to_string()),
        ("rank_low", format!("Место по ИНР: {} интервал, от", pct(coverage))),
        ("rank_high", format!("Место по ИНР: {} интервал, до", pct(coverage))),
        ("flag_solid", "Надёжность отбора".to_string()),
    ];
    let rest: [(&str, &str); 5] = [
        ("shnor", "ШНОР"),
        ("shnsu", "ШНСУ"),
        ("resilient", "Резильентная"),
        ("category", "Категория"),
        ("rank", "Место в списке ШНОР"),
    ];
    for (e, r) in rest.iter() {
        h.push(if en { e.to_string() } else { r.to_string() });
    }
    for (e, r) in standing {
        h.push(if en { e.to_string() } else { r });
    }
    let rest: [(&str, &str); 22] = [
        ("n_procedures", "Процедур в последнем году"),
        ("n_unreliable", "Из них ненадёжных (участников меньше 10)"),
        ("isbsh_indicators", "Показателей ИСБШ"),
        ("response_rate", "Охват анкетированием"),
        ("reasons", "Основания"),
        ("dynamics", "Динамика"),
        ("inr_previous", "ИНР прошлого года"),
        ("isbsh_previous", "ИСБШ прошлого года"),
        ("years_on_list", "Лет в перечне подряд"),
        ("inr_by_year", "ИНР по годам перечня"),
        ("objectivity_markers", "Признаков, требующих проверки"),
        ("inr_expected", "ИНР ожидаемый при условиях школы"),
        ("inr_residual", "ИНР минус ожидаемый"),
        ("inr_residual_low", "ИНР минус ожидаемый: нижняя граница 95 %"),
        ("inr_residual_high", "ИНР минус ожидаемый: верхняя граница 95 %"),
        ("against_expected", "Результаты относительно условий"),
        ("similar_schools", "Похожие школы (ближайшие по ИСБШ, тот же тип местности)"),
        ("similar_worse", "Из них с ИНР хуже, чем у школы"),
        ("similar_median_inr", "Медиана ИНР похожих школ"),
        ("risk_index", "Индекс риска (0–100)"),
        ("risk_factors", "Актуальных факторов риска"),
        ("risk_profile", "Актуальные факторы риска"),
    ];
    for (e, r) in rest.iter() {
        h.push(if en { e.to_string() } else { r.to_string() });
    }
    h
}

/// A flag the way the workbook shows it: «да»/«нет» (with `--lang en`, 1/0 for scripts).
fn flag(b: bool) -> String {
    if crate::i18n::is_en() {
        if b { "1" } else { "0" }.to_string()
    } else if b {
        "да".to_string()
    } else {
        "нет".to_string()
    }
}

/// A number rounded for a person reading the table (the stored aggregates keep full precision).
fn rounded(v: Option<f64>, decimals: i32, decimal: char) -> String {
    let k = 10f64.powi(decimals);
    number(v.map(|x| (x * k).round() / k), decimal)
}

impl Export<RunOutput<'_>> for SchoolsCsv {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let out = &run.config.output;
        let delim = out.csv_delimiter.bytes().next().unwrap_or(b';');
        let decimal = out.csv_decimal.chars().next().unwrap_or(',');
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(delim)
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record(headers(&run.ident.years, run.config.criteria.bottom.share, run.config.method.uncertainty.rank_interval))?;
        let en = crate::i18n::is_en();
        for r in &run.ident.rows {
            let mut rec: Vec<String> = vec![
                defuse(&r.school_id),
                defuse(&r.name),
                defuse(&r.municipality),
                defuse(&r.school_type),
                defuse(&r.locality),
            ];
            rec.extend(r.inr_years.iter().map(|v| rounded(*v, 1, decimal)));
            rec.push(rounded(r.inr, 1, decimal));
            rec.push(rounded(r.isbsh, 1, decimal));
            rec.extend(r.flags.0.iter().map(|(_, on)| flag(*on)));
            rec.push(flag(r.shnor));
            rec.push(flag(r.shnsu));
            rec.push(flag(r.resilient));
            rec.push(if en { r.category.code().to_string() } else { r.category.label() });
            rec.push(r.rank.map(|x| x.to_string()).unwrap_or_default());
            let st = &r.standing;
            rec.push(r.participants_window.map(|x| x.to_string()).unwrap_or_default());
            rec.push(rounded(st.p_worst, 3, decimal));
            rec.push(rounded(st.rank_expected, 1, decimal));
            rec.push(st.rank_low.map(|x| x.to_string()).unwrap_or_default());
            rec.push(st.rank_high.map(|x| x.to_string()).unwrap_or_default());
            rec.push(if en { r.solid.map(|s| if s { "1" } else { "0" }.to_string()).unwrap_or_default() } else { r.standing_label() });
            rec.push(r.n_procedures.map(|x| x.to_string()).unwrap_or_default());
            rec.push(r.n_unreliable.map(|x| x.to_string()).unwrap_or_default());
            rec.push(r.isbsh_indicators.map(|x| x.to_string()).unwrap_or_default());
            rec.push(rounded(r.response_rate, 3, decimal));
            rec.push(defuse(&run.reasons_text(&r.school_id)));
            rec.push(if en { r.dynamics.code().to_string() } else { r.dynamics.label() });
            rec.push(rounded(r.inr_prev, 1, decimal));
            rec.push(rounded(r.isbsh_prev, 1, decimal));
            let tenure = super::lines::tenure(run, r);
            rec.push(tenure.map(|t| t.years.to_string()).unwrap_or_default());
            rec.push(tenure.map(|t| super::lines::inr_by_year(t, |v| rounded(v, 1, decimal))).unwrap_or_default());
            rec.push(run.ident.objectivity.markers_of(&r.school_id).len().to_string());
            let ex = r.expected;
            for v in [ex.map(|e| e.value), ex.map(|e| e.residual), ex.map(|e| e.low), ex.map(|e| e.high)] {
                rec.push(rounded(v, 1, decimal));
            }
            let standing = ex.and_then(|e| e.standing());
            rec.push(standing.map(|s| if en { s.code().to_string() } else { s.label() }).unwrap_or_default());
            let near = r.similar.as_ref();
            rec.push(near.map(|n| defuse(&n.ids.join(", "))).unwrap_or_default());
            rec.push(near.map(|n| n.worse.to_string()).unwrap_or_default());
            rec.push(rounded(near.map(|n| n.median_inr), 1, decimal));
            rec.push(rounded(r.risk.as_ref().map(|k| k.index), 0, decimal));
            rec.push(r.risk.as_ref().map(|k| k.actual.to_string()).unwrap_or_default());
            rec.push(defuse(&crate::identify::risk::names(run.config, r.risk.as_ref())));
            w.write_record(&rec)?;
        }
        let text = String::from_utf8(w.into_inner().map_err(|e| anyhow!("{e}"))?)?;
        let bytes = match out.csv_encoding.to_lowercase().as_str() {
            "utf-8-bom" | "utf8-bom" | "utf-8 bom" => {
                let mut b = vec![0xEF, 0xBB, 0xBF];
                b.extend_from_slice(text.as_bytes());
                b
            }
            "utf-8" | "utf8" => text.into_bytes(),
            other => {
                let enc = crate::text::encoding_by_name(other)
                    .ok()
                    .flatten()
                    .ok_or_else(|| crate::error::usage(tr!("output.csv_encoding: неизвестная кодировка «{other}»", "output.csv_encoding: unknown encoding '{other}'")))?;
                enc.encode(&text).0.into_owned()
            }
        };
        Ok(vec![(PathBuf::from("schools.csv"), bytes)])
    }
}
