//! Risk profiles for the writers (§4.9): the listed schools' actual factors with their values,
//! the region's medians and the suggested directions of an антирисковая программа, and the
//! counts of schools by factor (per municipality, with small counts suppressed).

use std::collections::BTreeMap;

use serde::Serialize;

use super::RunOutput;
use crate::identify::risk::{factor_name, value_words};
use crate::identify::{shnor_list, shnsu_list, SchoolRow};

/// The schools that get a risk profile: the ШНОР list in its order, then the ШНСУ schools not on
/// it (both lists are sent to the municipalities).
pub(super) fn profiled(rows: &[SchoolRow]) -> Vec<&SchoolRow> {
    let mut v = shnor_list(rows);
    v.extend(shnsu_list(rows).into_iter().filter(|r| !r.shnor));
    v
}

/// One actual factor of a listed school, as every writer shows it.
#[derive(Serialize, Clone)]
pub(super) struct FactorLine {
    pub factor: String,
    pub value: String,
    pub median: String,
    /// «расчёт» or «самодиагностика: высокий».
    pub source: String,
    pub directions: Vec<String>,
}

/// A listed school's profile.
#[derive(Serialize, Clone)]
pub(super) struct Profile {
    pub rank: String,
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub category: String,
    pub index: String,
    /// «3 из 12».
    pub count: String,
    pub factors: Vec<FactorLine>,
    /// The school against its conditions and its similar schools, in words (empty when
    /// neither is known).
    pub context: String,
}

/// «результаты ниже ожидаемого при её условиях; из 10 похожих школ хуже учатся 2» (the first
/// part only when the prediction interval says so).
fn context_words(r: &SchoolRow) -> String {
    let mut parts = Vec::new();
    if let Some(s) = r.expected.and_then(|e| e.standing()) {
        parts.push(tr!("результаты {} при её условиях", "results {} for its conditions", s.label()));
    }
    if let Some(s) = &r.similar {
        parts.push(tr!(
            "из {} похожих школ хуже учатся {}",
            "of {} similar schools {} do worse",
            s.ids.len(),
            s.worse
        ));
    }
    parts.join("; ")
}

pub(super) fn profile(run: &RunOutput, r: &SchoolRow) -> Profile {
    let config = run.config;
    let factors = r
        .risk
        .iter()
        .flat_map(|k| k.factors.iter())
        .map(|f| FactorLine {
            factor: factor_name(config, &f.factor),
            value: match &f.level {
                Some(l) if f.value.is_none() => l.clone(),
                _ => value_words(config, &f.factor, f.value),
            },
            median: value_words(config, &f.factor, f.median),
            source: match &f.level {
                Some(l) => tr!("самодиагностика: {l}", "self-diagnosis: {l}"),
                None => tr!("расчёт", "computed"),
            },
            directions: config.risk.factors.get(&f.factor).map(|c| c.directions.clone()).unwrap_or_default(),
        })
        .collect();
    Profile {
        rank: r.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".to_string()),
        school_id: r.school_id.clone(),
        name: r.name.clone(),
        municipality: r.municipality.clone(),
        category: r.category.label(),
        index: r.risk.as_ref().map(|k| format!("{:.0}", k.index)).unwrap_or_else(|| "—".to_string()),
        count: r.risk.as_ref().map(|k| tr!("{} из {}", "{} of {}", k.actual, k.known)).unwrap_or_else(|| "—".to_string()),
        factors,
        context: context_words(r),
    }
}

/// A factor across the region: its median, how many schools have it actual among all and among
/// the listed ones, and its directions.
#[derive(Serialize)]
pub(super) struct CatalogueLine {
    pub factor: String,
    pub median: String,
    pub known: usize,
    pub actual: usize,
    pub listed: usize,
    pub directions: Vec<String>,
}

pub(super) fn catalogue(run: &RunOutput) -> Vec<CatalogueLine> {
    let s = &run.ident.risk;
    let mut actual: BTreeMap<&str, usize> = BTreeMap::new();
    let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &run.ident.rows {
        for f in r.risk.iter().flat_map(|k| k.factors.iter()) {
            *actual.entry(f.factor.as_str()).or_default() += 1;
            if r.shnor || r.shnsu {
                *listed.entry(f.factor.as_str()).or_default() += 1;
            }
        }
    }
    let mut lines: Vec<CatalogueLine> = s
        .with_value
        .iter()
        .map(|(key, n)| CatalogueLine {
            factor: factor_name(run.config, key),
            median: value_words(run.config, key, s.medians.get(key).copied().flatten()),
            known: *n,
            actual: actual.get(key.as_str()).copied().unwrap_or(0),
            listed: listed.get(key.as_str()).copied().unwrap_or(0),
            directions: run.config.risk.factors.get(key).map(|c| c.directions.clone()).unwrap_or_default(),
        })
        .collect();
    // Most often actual among the listed schools first.
    lines.sort_by(|a, b| b.listed.cmp(&a.listed).then_with(|| b.actual.cmp(&a.actual)).then_with(|| a.factor.cmp(&b.factor)));
    lines
}

/// The main report's words on the profiles: the rule, the factors evaluated, and what the
/// listed schools have most often (`table`: the [`catalogue`], most frequent first).
pub(super) fn summary_words(run: &RunOutput, table: &[CatalogueLine]) -> Vec<String> {
    let s = &run.ident.risk;
    if s.with_value.is_empty() {
        return Vec::new();
    }
    let q = crate::identify::words::pct(Some(run.config.risk.quantile));
    let missing = not_evaluated(run);
    let mut out = vec![tr!(
        "Рисковый профиль школы — актуальные для неё факторы риска (практика «500+»): школа в худших {q} школ региона по показателю фактора или за его порогом; индекс риска 0–100 — взвешенная доля актуальных факторов среди известных (методика, раздел 11). Оценено факторов: {} из {}.{}",
        "A school's risk profile is the risk factors actual for it (the 500+ practice): the school is among the region's worst {q} on the factor's value or beyond its threshold; the risk index 0–100 is the weighted share of actual factors among the known ones (methodology, section 11). Factors evaluated: {} of {}.{}",
        s.with_value.len(),
        s.with_value.len() + missing.len(),
        if missing.is_empty() { String::new() } else { tr!(" Нет данных для: {}.", " No data for: {}.", missing.join("; ")) }
    )];
    let listed = profiled(&run.ident.rows);
    let mean = |rows: &mut dyn Iterator<Item = &SchoolRow>| {
        let v: Vec<f64> = rows.filter_map(|r| r.risk.as_ref().map(|k| k.actual as f64)).collect();
        if v.is_empty() { None } else { Some(v.iter().sum::<f64>() / v.len() as f64) }
    };
    let on = mean(&mut listed.iter().copied());
    let off = mean(&mut run.ident.rows.iter().filter(|r| !r.shnor && !r.shnsu));
    let top: Vec<String> = table.iter().filter(|c| c.listed > 0).take(3).map(|c| format!("{} ({})", c.factor, c.listed)).collect();
    if !listed.is_empty() {
        out.push(tr!(
            "У {} школ перечней ШНОР и ШНСУ в среднем {} актуальных факторов, у остальных — {}; чаще всего: {}. Профили школ с направлениями антирисковых программ — в приложении, на листе «Рисковые профили» shnor.xlsx и в пакетах муниципалитетов.",
            "The {} schools of the ШНОР and ШНСУ lists have {} actual factors on average, the other schools {}. Most often actual for listed schools: {}. Each school's profile with the directions of an anti-risk programme is in the appendix (appendix.html), the «Рисковые профили» sheet of shnor.xlsx and the municipal packages.",
            listed.len(),
            crate::identify::num1(on),
            crate::identify::num1(off),
            top.join("; ")
        ));
    }
    let own = run.ident.rows.iter().flat_map(|r| r.risk.iter().flat_map(|k| k.factors.iter())).filter(|f| f.level.is_some()).count();
    if run.dataset.selfdiagnosis.is_some() || own > 0 {
        out.push(tr!(
            "Самодиагностика школ заменила расчёт там, где школа её дала; актуальных по самодиагностике факторов: {own}.",
            "The schools' self-diagnosis replaced the computed factors where a school gave it; factors actual by self-diagnosis: {own}."
        ));
    }
    out
}

/// The factors no data was found for, by name.
pub(super) fn not_evaluated(run: &RunOutput) -> Vec<String> {
    run.ident.risk.not_evaluated.iter().map(|k| factor_name(run.config, k)).collect()
}

/// A count of schools as a municipal package shows it: «< N» for 1 … N − 1 (a small group of
/// schools named by a factor could be told apart), the number otherwise.
pub(super) fn suppressed(n: usize, suppress: u32) -> String {
    if n > 0 && n < suppress as usize {
        format!("<\u{a0}{suppress}")
    } else {
        n.to_string()
    }
}

/// One municipality's schools by factor: (factor name, schools where it is actual, of them
/// listed), catalogue order, suppressed.
#[derive(Serialize)]
pub(super) struct MunicipalFactor {
    pub factor: String,
    pub schools: String,
    pub listed: String,
}

/// Every municipality's schools by factor (one pass over the rows).
pub(super) fn municipal_counts<'r>(run: &'r RunOutput) -> BTreeMap<&'r str, Vec<MunicipalFactor>> {
    let suppress = run.config.output.suppress_below;
    let mut by: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    let mut munis: BTreeMap<&str, ()> = BTreeMap::new();
    for r in &run.ident.rows {
        munis.insert(r.municipality.as_str(), ());
        for f in r.risk.iter().flat_map(|k| k.factors.iter()) {
            let e = by.entry((r.municipality.as_str(), f.factor.as_str())).or_default();
            e.0 += 1;
            e.1 += usize::from(r.shnor || r.shnsu);
        }
    }
    let keys = &run.ident.risk.with_value;
    munis
        .into_keys()
        .map(|m| {
            let lines = keys
                .keys()
                .map(|key| {
                    let (n, l) = by.get(&(m, key.as_str())).copied().unwrap_or((0, 0));
                    MunicipalFactor { factor: factor_name(run.config, key), schools: suppressed(n, suppress), listed: suppressed(l, suppress) }
                })
                .collect();
            (m, lines)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::suppressed;

    #[test]
    fn small_counts_of_schools_are_suppressed() {
        assert_eq!(suppressed(0, 5), "0");
        assert_eq!(suppressed(1, 5), "<\u{a0}5");
        assert_eq!(suppressed(4, 5), "<\u{a0}5");
        assert_eq!(suppressed(5, 5), "5");
        assert_eq!(suppressed(3, 0), "3");
    }
}
