//! Deterministic, seeded generator of a synthetic region for shnor: a register, ВПР per student,
//! ОГЭ/ЕГЭ per school, family questionnaires and context indicators, in the mixed formats real
//! regions send (XLSX with a title row, Windows-1251 `;` CSV with decimal commas, UTF-8 CSV, and
//! ЕГЭ as a printed-style wide workbook that names schools only by name, with a crosswalk).
//!
//! Usage: shnor-gen [--out DIR] [--schools N] [--municipalities M] [--seed S] [--year Y] [--csv-only]
//!
//! `--csv-only` writes every per-student and per-family file as UTF-8 CSV and ОГЭ/ЕГЭ together in
//! one long CSV (for benchmarks; the sample region keeps its mixed formats) and a matching
//! `region.toml`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// Синтетический регион для shnor: реестр, ВПР по ученикам, ОГЭ/ЕГЭ по школам, анкеты семей и
/// показатели (детерминированно: одно зерно — одни и те же файлы).
#[derive(clap::Parser)]
#[command(name = "shnor-gen", version)]
struct Args {
    /// Каталог для файлов
    #[arg(long, default_value = "data-samples")]
    out: PathBuf,
    /// Число школ
    #[arg(long, default_value_t = 300)]
    schools: usize,
    /// Число муниципалитетов
    #[arg(long, default_value_t = 20)]
    municipalities: usize,
    /// Зерно генератора случайных чисел
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Последний год данных
    #[arg(long, default_value_t = 2025)]
    year: i32,
    /// Все построчные файлы — CSV UTF-8 (для замеров) и region.toml к ним
    #[arg(long)]
    csv_only: bool,
    /// Национальный сценарий для замеров: всё по ученикам и семьям в CSV UTF-8 (ОГЭ и ЕГЭ тоже
    /// по ученикам, реестр в CSV, вдвое больше анкет), те же данные в Parquet (parquet/) и
    /// агрегированные по школам (school/), у каждого варианта свой region.toml
    #[arg(long)]
    national: bool,
    /// Заложить искажения результатов в эту долю школ (0 — нет; для проверки признаков
    /// необъективности): завышенные отметки по журналу, завышенные отметки ВПР последнего
    /// года (на балл выше истинной) или баллы, дотянутые до границы «3» или «4»; какие школы и как — в planted_objectivity.csv (shnor его не читает). У остальных
    /// школ отметки по журналу тогда не завышены.
    #[arg(long, default_value_t = 0.0)]
    plant_objectivity: f64,
}

fn parse_args() -> Result<Args> {
    Ok(<Args as clap::Parser>::parse())
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

const DISTRICT_ROOTS: &[&str] = &[
    "Берёзовский", "Озёрный", "Сосновский", "Заречный", "Луговой", "Каменский", "Ольховский",
    "Черноярский", "Светлогорский", "Красноборский", "Ивановский", "Дубравный", "Никольский",
    "Покровский", "Степной", "Верхнереченский", "Тихий", "Кедровый", "Рябиновый", "Полевой",
    "Боровой", "Ключевской", "Медведевский", "Лесной", "Новосельский",
];
const VILLAGES: &[&str] = &[
    "Ивановская", "Петровская", "Сидоровская", "Кузнецовская", "Никольская", "Успенская",
    "Троицкая", "Покровская", "Михайловская", "Васильевская", "Алексеевская", "Георгиевская",
    "Дмитриевская", "Андреевская", "Семёновская", "Знаменская", "Богородская", "Вознесенская",
];

struct Municipality {
    name: String,
    urban: bool,
}

struct School {
    id: String,
    name: String,
    mun: usize,
    kind: &'static str,
    urban: bool,
    students: u32,
    quality: f64,
    social: f64,
    inflation: f64,
    teachers_60: f64,
    /// Planted: the probability that a pupil's ВПР mark of the latest year is written one higher
    /// (the journal keeps the true mark), and how the school was planted.
    vpr_boost: f64,
    /// Planted: the probability that a pupil of the latest year's ВПР scoring one or two points
    /// below the lowest score of «3» or «4» is written at that score.
    boundary_push: f64,
    planted: Option<&'static str>,
}

fn municipalities(n: usize) -> Vec<Municipality> {
    let mut v = Vec::with_capacity(n);
    let cities = (n / 7).max(1);
    for i in 0..n {
        let root = DISTRICT_ROOTS[i % DISTRICT_ROOTS.len()];
        let suffix = if i >= DISTRICT_ROOTS.len() { format!(" {}", i / DISTRICT_ROOTS.len() + 1) } else { String::new() };
        if i < cities {
            let city = root.trim_end_matches("ский").trim_end_matches("ый").trim_end_matches("ой").trim_end_matches("ий");
            v.push(Municipality { name: format!("Городской округ {city}ск{suffix}"), urban: true });
        } else {
            v.push(Municipality { name: format!("{root} муниципальный район{suffix}"), urban: false });
        }
    }
    v
}

fn schools(rng: &mut ChaCha8Rng, n: usize, muns: &[Municipality]) -> Vec<School> {
    let mut out = Vec::with_capacity(n);
    let weights: Vec<f64> = muns.iter().map(|m| if m.urban { 4.0 } else { 1.0 }).collect();
    let total: f64 = weights.iter().sum();
    let mut numbers = vec![0u32; muns.len()];
    for i in 0..n {
        let mut pick = rng.gen::<f64>() * total;
        let mut mun = 0;
        for (j, w) in weights.iter().enumerate() {
            if pick < *w {
                mun = j;
                break;
            }
            pick -= w;
        }
        let m = &muns[mun];
        // District centres have some urban schools too.
        let urban = m.urban || rng.gen::<f64>() < 0.15;
        let r = rng.gen::<f64>();
        let kind = if urban {
            if r < 0.55 { "СОШ" } else if r < 0.72 { "гимназия" } else if r < 0.85 { "лицей" } else { "ООШ" }
        } else if r < 0.45 {
            "СОШ"
        } else if r < 0.85 {
            "ООШ"
        } else {
            "НОШ"
        };
        let students: u32 = match (urban, kind) {
            (true, "ООШ") => rng.gen_range(120..250),
            (true, "лицей") => rng.gen_range(400..800),
            (true, _) => rng.gen_range(400..900),
            (false, "СОШ") => rng.gen_range(60..220),
            (false, "ООШ") => rng.gen_range(20..90),
            _ => rng.gen_range(6..30),
        };
        numbers[mun] += 1;
        let legal = ["МБОУ", "МАОУ", "МКОУ", "МОБУ"][rng.gen_range(0..4)];
        let name = match kind {
            "гимназия" => format!("{legal} «Гимназия № {}»", numbers[mun]),
            "лицей" => format!("{legal} «Лицей № {}»", numbers[mun]),
            k if urban => format!("{legal} «{k} № {}»", numbers[mun]),
            k => {
                // Two schools of one kind in one district never share a village name.
                let pick = rng.gen_range(0..VILLAGES.len());
                let taken = |v: &str| out.iter().any(|o: &School| o.mun == mun && o.kind == k && o.name.contains(&format!("«{v} {k}»")));
                let village = (0..VILLAGES.len()).map(|j| VILLAGES[(pick + j) % VILLAGES.len()]).find(|v| !taken(v));
                match village {
                    Some(v) => format!("{legal} «{v} {k}»"),
                    None => format!("{legal} «{} {k} № {}»", VILLAGES[pick], numbers[mun]),
                }
            }
        };
        let social = normal(rng) * 0.8 - if urban { 0.0 } else { 0.7 } + if kind == "гимназия" || kind == "лицей" { 0.6 } else { 0.0 };
        let quality = 0.6 * social + 0.8 * normal(rng);
        out.push(School {
            id: format!("sch61{:04}", i + 1),
            name,
            mun,
            kind,
            urban,
            students,
            quality,
            social,
            inflation: (normal(rng) * 0.35).max(0.0),
            teachers_60: (rng.gen::<f64>() * 30.0 + if urban { 5.0 } else { 12.0 }).min(60.0),
            vpr_boost: 0.0,
            boundary_push: 0.0,
            planted: None,
        });
    }
    out
}

fn grades_of(kind: &str) -> std::ops::RangeInclusive<u32> {
    match kind {
        "НОШ" => 1..=4,
        "ООШ" => 1..=9,
        _ => 1..=11,
    }
}

fn per_grade(s: &School) -> f64 {
    let g = *grades_of(s.kind).end() as f64;
    f64::from(s.students) / g
}

/// A mark 2–5 from a latent ability.
fn mark_of(ability: f64) -> u32 {
    if ability < -1.25 {
        2
    } else if ability < 0.0 {
        3
    } else if ability < 1.0 {
        4
    } else {
        5
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow::anyhow!("xlsx: {e}")
}

/// A workbook with a fixed creation date, so that the same seed gives the same bytes.
fn workbook() -> Result<Workbook> {
    let mut wb = Workbook::new();
    let fixed = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 9, 1).map_err(xlsx_err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed).set_author("shnor-gen"));
    Ok(wb)
}

fn write_register(path: &Path, schools: &[School], muns: &[Municipality], year: i32) -> Result<()> {
    let mut wb = workbook()?;
    let ws = wb.add_worksheet();
    ws.set_name("Реестр ОО").map_err(xlsx_err)?;
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, 6, &format!("Реестр общеобразовательных организаций Энской области на 01.09.{}", year), &title)
        .map_err(xlsx_err)?;
    let head = Format::new().set_bold().set_text_wrap();
    let headers = ["Логин ОО", "Наименование ОО", "Муниципалитет", "Тип ОО", "Местность", "Численность обучающихся", "Доля педагогов старше 60 лет, %"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head).map_err(xlsx_err)?;
    }
    for (i, s) in schools.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, &s.id).map_err(xlsx_err)?;
        ws.write_string(r, 1, &s.name).map_err(xlsx_err)?;
        ws.write_string(r, 2, &muns[s.mun].name).map_err(xlsx_err)?;
        ws.write_string(r, 3, s.kind).map_err(xlsx_err)?;
        ws.write_string(r, 4, if s.urban { "город" } else { "село" }).map_err(xlsx_err)?;
        ws.write_number(r, 5, f64::from(s.students)).map_err(xlsx_err)?;
        ws.write_number(r, 6, (s.teachers_60 * 10.0).round() / 10.0).map_err(xlsx_err)?;
    }
    ws.set_column_width(1, 40).map_err(xlsx_err)?;
    ws.set_column_width(2, 34).map_err(xlsx_err)?;
    wb.save(path).map_err(xlsx_err)?;
    Ok(())
}

struct VprRow {
    school: String,
    grade: u32,
    subject: &'static str,
    score: u32,
    mark: u32,
    journal: Option<u32>,
    /// Planted: this pupil's journal mark, ВПР mark or score was distorted.
    altered: bool,
}

const VPR_SUBJECTS: &[(u32, &str, &str, u32)] = &[
    // grade, full name, short code, max primary score
    (4, "Русский язык", "РУ", 38), (4, "Математика", "МА", 20), (4, "Окружающий мир", "ОМ", 32),
    (5, "Русский язык", "РУ", 45), (5, "Математика", "МА", 20),
    (6, "Русский язык", "РУ", 51), (6, "Математика", "МА", 20),
    (7, "Русский язык", "РУ", 47), (7, "Математика", "МА", 19),
    (8, "Русский язык", "РУ", 51), (8, "Математика", "МА", 25),
];

/// Plants distorted results in `share` of the schools with their own generator (the main stream
/// stays as without planting): a third of them with inflated journal marks (a pupil's journal
/// mark one above the ВПР mark with probability 0.35–0.7), a third with inflated ВПР marks of the
/// latest year (a pupil's ВПР mark written one higher with probability 0.35–0.7, the journal
/// keeping the true mark), a third with scores pushed over a mark boundary (a pupil one or two
/// points below the lowest score of «3» or «4» written at it with probability 0.35–0.7, the mark
/// with it, the journal keeping the true mark). Every other school's journal is left honest.
fn plant(schools: &mut [School], share: f64, seed: u64) {
    if share <= 0.0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0b1e_c71e);
    for s in schools.iter_mut() {
        s.inflation = 0.0;
        if rng.gen::<f64>() >= share {
            continue;
        }
        match rng.gen_range(0..3u8) {
            0 => {
                s.inflation = rng.gen_range(0.35..0.7);
                s.planted = Some("journal");
            }
            1 => {
                s.vpr_boost = rng.gen_range(0.35..0.7);
                s.planted = Some("vpr_marks");
            }
            _ => {
                s.boundary_push = rng.gen_range(0.35..0.7);
                s.planted = Some("boundary");
            }
        }
    }
}

/// The planted schools, how, with what strength and how many pupils of the latest year's ВПР
/// were altered (`rows`: that year's rows; none in the national scenario).
fn write_planted(path: &Path, schools: &[School], rows: &[VprRow]) -> Result<()> {
    let mut altered: std::collections::BTreeMap<&str, u32> = Default::default();
    for r in rows.iter().filter(|r| r.altered) {
        *altered.entry(r.school.as_str()).or_default() += 1;
    }
    let mut s = String::from("school_id,how,journal_inflation,vpr_boost,boundary_push,altered_pupils\n");
    for sc in schools.iter().filter(|s| s.planted.is_some()) {
        let n = altered.get(sc.id.as_str()).copied().unwrap_or(0);
        let _ = writeln!(s, "{},{},{:.3},{:.3},{:.3},{n}", sc.id, sc.planted.unwrap_or_default(), sc.inflation, sc.vpr_boost, sc.boundary_push);
    }
    std::fs::write(path, s)?;
    Ok(())
}

fn vpr_rows(rng: &mut ChaCha8Rng, schools: &[School], year: i32, short: bool, boost: bool) -> Vec<VprRow> {
    let mut rows = Vec::new();
    let drift = if year % 2 == 0 { -0.05 } else { 0.05 };
    for s in schools {
        let grades = grades_of(s.kind);
        for &(grade, full, code, max) in VPR_SUBJECTS {
            if !grades.contains(&grade) {
                continue;
            }
            let n = (per_grade(s) * rng.gen_range(0.8..0.95)).round() as u32;
            for _ in 0..n {
                let ability = s.quality * 0.9 + drift + normal(rng) * 0.9 + 0.35;
                let mark = mark_of(ability);
                let frac = ((ability + 2.5) / 5.0).clamp(0.0, 1.0);
                let score = (frac * f64::from(max)).round() as u32;
                let mut bumped = false;
                let journal = if rng.gen::<f64>() < 0.97 {
                    let bump = if rng.gen::<f64>() < s.inflation { 1 } else { 0 };
                    let dip = if rng.gen::<f64>() < 0.06 { 1 } else { 0 };
                    bumped = s.planted == Some("journal") && bump == 1 && mark < 5 && dip == 0;
                    Some((mark + bump).saturating_sub(dip).clamp(2, 5))
                } else {
                    None
                };
                // Planted: the ВПР mark written one higher (the journal keeps the pupil's true mark).
                let written = if boost && s.vpr_boost > 0.0 && mark < 5 && rng.gen::<f64>() < s.vpr_boost { mark + 1 } else { mark };
                // Planted: a score one or two points short of a boundary written at it.
                let scale = vpr_scale(max);
                let short_of = scale[..2].iter().copied().find(|b| score + 2 >= *b && score < *b);
                let (new_score, written) = match short_of {
                    Some(b) if boost && s.boundary_push > 0.0 && rng.gen::<f64>() < s.boundary_push => (b, written.max(mark_on(scale, b))),
                    _ => (score, written),
                };
                let altered = boost && (bumped || written != mark || new_score != score);
                let score = new_score;
                rows.push(VprRow {
                    school: s.id.clone(),
                    grade,
                    subject: if short { code } else { full },
                    score,
                    mark: written,
                    journal,
                    altered,
                });
            }
        }
    }
    rows
}

fn write_vpr_xlsx(path: &Path, rows: &[VprRow], year: i32) -> Result<()> {
    let mut wb = workbook()?;
    let ws = wb.add_worksheet();
    ws.set_name(&format!("ВПР {year}")).map_err(xlsx_err)?;
    let headers = ["Год", "Логин ОО", "Процедура", "Класс", "Предмет", "Первичный балл", "Отметка", "Отметка по журналу"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).map_err(xlsx_err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number(row, 0, f64::from(year)).map_err(xlsx_err)?;
        ws.write_string(row, 1, &r.school).map_err(xlsx_err)?;
        ws.write_string(row, 2, "ВПР").map_err(xlsx_err)?;
        ws.write_number(row, 3, f64::from(r.grade)).map_err(xlsx_err)?;
        ws.write_string(row, 4, r.subject).map_err(xlsx_err)?;
        ws.write_number(row, 5, f64::from(r.score)).map_err(xlsx_err)?;
        ws.write_number(row, 6, f64::from(r.mark)).map_err(xlsx_err)?;
        if let Some(j) = r.journal {
            ws.write_number(row, 7, f64::from(j)).map_err(xlsx_err)?;
        }
    }
    wb.save(path).map_err(xlsx_err)?;
    Ok(())
}

fn write_vpr_csv(path: &Path, rows: &[VprRow], year: i32) -> Result<()> {
    let mut s = String::from("year,school_id,procedure,grade,subject,score,mark,journal_mark\n");
    for (i, r) in rows.iter().enumerate() {
        let j = r.journal.map(|j| j.to_string()).unwrap_or_default();
        // A handful of realistic defects, so that the accounting has something to show.
        let line = match i {
            1000 => format!("{year},{},ВПР,{},{},{},7,{j}\n", r.school, r.grade, r.subject, r.score),
            2000 => format!("{year},,ВПР,{},{},{},{},{j}\n", r.grade, r.subject, r.score, r.mark),
            3000 => format!("{year},sch619999,ВПР,{},{},{},{},{j}\n", r.grade, r.subject, r.score, r.mark),
            4000 => format!("{year},{},ВПР,{},{},{},н/д,{j}\n", r.school, r.grade, r.subject, r.score),
            _ => format!("{year},{},ВПР,{},{},{},{},{j}\n", r.school, r.grade, r.subject, r.score, r.mark),
        };
        s.push_str(&line);
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// The synthetic conversion scale of a ВПР work with `max` primary points: «3» from a quarter,
/// «4» from a half, «5» from 70 % of the points (the latent ability's cut-offs of [`mark_of`]).
fn vpr_scale(max: u32) -> [u32; 3] {
    let at = |f: f64| (f * f64::from(max)).round() as u32;
    [at(0.25), at(0.5), at(0.7)]
}

/// The mark of a primary score on a scale.
fn mark_on(scale: [u32; 3], score: u32) -> u32 {
    match scale {
        [_, _, m5] if score >= m5 => 5,
        [_, m4, _] if score >= m4 => 4,
        [m3, _, _] if score >= m3 => 3,
        _ => 2,
    }
}

/// The scales file of a year: every ВПР work of [`VPR_SUBJECTS`] (§3.6 columns, Russian headers).
fn write_scales(path: &Path, year: i32) -> Result<()> {
    let mut s = String::from("Год;Класс;Предмет;«3» от;«4» от;«5» от\n");
    for &(grade, full, _, max) in VPR_SUBJECTS {
        let [m3, m4, m5] = vpr_scale(max);
        let _ = writeln!(s, "{year};{grade};{full};{m3};{m4};{m5}");
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// One ВПР work written as a ФИС ОКО per-student protocol (§3.5): a title naming the subject, the
/// grade and the year (no such columns), `code | name` cells for the municipality and the
/// school, pupil codes, class names, the variant («отсутствовал» for absent pupils), task scores,
/// the total primary score and the journal mark («нет отметки»), every cell as text, and no mark:
/// it comes from the conversion scale. The rows' marks are set to the scale's, so the protocol
/// and the scale agree.
fn write_fisoko(path: &Path, rows: &mut [VprRow], schools: &[School], muns: &[Municipality], year: i32, (grade, full, max): (u32, &str, u32), rng: &mut ChaCha8Rng) -> Result<()> {
    let scale = vpr_scale(max);
    let tasks = max.div_ceil(2);
    let mut wb = workbook()?;
    let ws = wb.add_worksheet();
    ws.set_name("Протокол").map_err(xlsx_err)?;
    let dative = match full {
        "Математика" => "математике",
        "Русский язык" => "русскому языку",
        _ => "окружающему миру",
    };
    ws.write_string(0, 0, &format!("Проведение работы по {dative}, {grade} класс. ВПР {year}")).map_err(xlsx_err)?;
    let mut headers: Vec<String> = ["Муниципалитет", "Школа", "номер обучающегося", "класс", "вариант"].iter().map(|h| h.to_string()).collect();
    headers.extend((1..=tasks).map(|t| format!("{t} ({}б)", if t * 2 <= max { 2 } else { 1 })));
    headers.extend(["всего баллов".to_string(), "отметка за предыдущую четверть/триместр".to_string()]);
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, h).map_err(xlsx_err)?;
    }
    let mut r = 3u32;
    let mut pupil = 0u32;
    for row in rows.iter_mut() {
        let Some(school) = schools.iter().find(|s| s.id == row.school) else { continue };
        row.mark = mark_on(scale, row.score);
        let place = format!("reg61_m{:03} | {}", school.mun + 1, muns[school.mun].name);
        let class = format!("{grade}{}", if pupil % 2 == 0 { "А" } else { "Б" });
        // About one pupil in forty was absent: a row of its own, with nothing but «отсутствовал».
        if rng.gen::<f64>() < 0.025 {
            pupil += 1;
            for (c, v) in [place.clone(), format!("{} | {}", school.id, school.name), format!("{:06}", 100_000 + pupil), class.clone(), "отсутствовал".into()].iter().enumerate() {
                ws.write_string(r, c as u16, v).map_err(xlsx_err)?;
            }
            ws.write_string(r, 5 + tasks as u16, "0").map_err(xlsx_err)?;
            ws.write_string(r, 6 + tasks as u16, "нет отметки").map_err(xlsx_err)?;
            r += 1;
        }
        pupil += 1;
        let variant = format!("{}", 1 + pupil % 2);
        for (c, v) in [place, format!("{} | {}", school.id, school.name), format!("{:06}", 100_000 + pupil), class, variant].iter().enumerate() {
            ws.write_string(r, c as u16, v).map_err(xlsx_err)?;
        }
        let mut left = row.score;
        for t in 0..tasks {
            let cap = if (t + 1) * 2 <= max { 2 } else { 1 };
            let got = left.min(cap);
            left -= got;
            ws.write_string(r, 5 + t as u16, &got.to_string()).map_err(xlsx_err)?;
        }
        ws.write_string(r, 5 + tasks as u16, &row.score.to_string()).map_err(xlsx_err)?;
        let journal = row.journal.map_or("нет отметки".to_string(), |j| j.to_string());
        ws.write_string(r, 6 + tasks as u16, &journal).map_err(xlsx_err)?;
        r += 1;
    }
    wb.save(path).map_err(xlsx_err)?;
    Ok(())
}

/// ОГЭ subjects and the share of the grade that sits each.
const OGE_SUBJECTS: &[(&str, f64)] = &[("Русский язык", 1.0), ("Математика", 1.0), ("Обществознание", 0.5)];
/// ЕГЭ subjects and the share of the grade that sits each.
const EGE_SUBJECTS: &[(&str, f64)] = &[("Русский язык", 1.0), ("Математика профильная", 0.45), ("Математика базовая", 0.55), ("Обществознание", 0.5)];

fn fmt_dec(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// One school's ЕГЭ result in one subject.
struct EgeResult {
    year: i32,
    school: usize,
    subject: &'static str,
    n: u32,
    below: u32,
    high: u32,
    hundred: u32,
    mean: Option<f64>,
    marks: [u32; 4],
}

/// ОГЭ and ЕГЭ per school, long form, Windows-1251, `;`, decimal comma. With `ege_apart` the ЕГЭ
/// results are returned instead of written (for the printed-style workbook).
fn write_gia(rng: &mut ChaCha8Rng, path: &Path, schools: &[School], years: &[i32], ege_apart: bool) -> Result<Vec<EgeResult>> {
    let mut ege = Vec::new();
    let mut s = String::from("Год;Логин ОО;Экзамен;Класс;Предмет;Кол-во участников;«2»;«3»;«4»;«5»;Средний балл;Не преодолели минимальный порог\n");
    let mut line_no = 0;
    let mut planted_negative = false;
    let mut planted_exceed = false;
    for &year in years {
        for (si, sc) in schools.iter().enumerate() {
            let grades = grades_of(sc.kind);
            let n9 = (per_grade(sc) * 0.95).round() as u32;
            let n11 = (per_grade(sc) * 0.85).round() as u32;
            if grades.contains(&9) && n9 > 0 {
                for &(subj, share) in OGE_SUBJECTS {
                    let n = if share < 1.0 { (n9 as f64 * share).round() as u32 } else { n9 };
                    if n == 0 {
                        continue;
                    }
                    let mut m = [0u32; 4];
                    let mut total_score = 0.0;
                    for _ in 0..n {
                        let ab = sc.quality * 0.9 + normal(rng) * 0.9 + 0.2;
                        let mk = mark_of(ab);
                        m[(mk - 2) as usize] += 1;
                        total_score += ((ab + 2.5) / 5.0).clamp(0.0, 1.0) * 33.0;
                    }
                    line_no += 1;
                    let mut m2 = m[0].to_string();
                    let mut participants = n;
                    // Two planted defects: a negative count and fewer participants than marks.
                    if line_no >= 50 && !planted_negative {
                        m2 = "-3".to_string();
                        planted_negative = true;
                    } else if line_no >= 90 && !planted_exceed && n >= 2 {
                        participants = m.iter().sum::<u32>() - 1;
                        planted_exceed = true;
                    }
                    let _ = writeln!(s, "{year};{};ОГЭ;9;{subj};{participants};{m2};{};{};{};{};", sc.id, m[1], m[2], m[3], fmt_dec(total_score / f64::from(n)));
                }
            }
            if grades.contains(&11) && n11 > 0 {
                for &(subj, share) in EGE_SUBJECTS {
                    let n = (f64::from(n11) * share).round() as u32;
                    if n == 0 {
                        continue;
                    }
                    let min = match subj {
                        "Русский язык" => 24.0,
                        "Математика профильная" => 27.0,
                        "Обществознание" => 42.0,
                        _ => 0.0,
                    };
                    let mut below = 0;
                    let (mut high, mut hundred) = (0, 0);
                    let mut total = 0.0;
                    let mut m = [0u32; 4];
                    for _ in 0..n {
                        let ab = sc.quality * 0.9 + normal(rng) * 0.9 + 0.5;
                        if subj == "Математика базовая" {
                            let mk = mark_of(ab + 0.3);
                            m[(mk - 2) as usize] += 1;
                        } else {
                            let score = (60.0 + ab * 18.0).clamp(0.0, 100.0);
                            total += score;
                            if score < min {
                                below += 1;
                            }
                            if score >= 99.5 {
                                hundred += 1;
                            } else if score >= 80.0 {
                                high += 1;
                            }
                        }
                    }
                    line_no += 1;
                    if ege_apart {
                        let base = subj == "Математика базовая";
                        // The mean as the CSV would carry it (one decimal).
                        let mean = (!base).then(|| (total / f64::from(n) * 10.0).round() / 10.0);
                        ege.push(EgeResult { year, school: si, subject: subj, n, below, high, hundred, mean, marks: m });
                    } else if subj == "Математика базовая" {
                        let _ = writeln!(s, "{year};{};ЕГЭ;11;{subj};{n};{};{};{};{};;", sc.id, m[0], m[1], m[2], m[3]);
                    } else {
                        let _ = writeln!(s, "{year};{};ЕГЭ;11;{subj};{n};;;;;{};{below}", sc.id, fmt_dec(total / f64::from(n)));
                    }
                }
            }
        }
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&s);
    std::fs::write(path, &bytes)?;
    Ok(ege)
}

/// The register name as a printed form writes it: another quote style, the legal form dropped
/// or spelled out, «№» without a space, or as in the register.
fn printed_name(rng: &mut ChaCha8Rng, s: &School) -> String {
    let (legal, rest) = s.name.split_once(' ').unwrap_or(("", s.name.as_str()));
    let inner = rest.trim_start_matches('«').trim_end_matches('»');
    let spelled = match legal {
        "МАОУ" => "Муниципальное автономное общеобразовательное учреждение",
        "МКОУ" => "Муниципальное казённое общеобразовательное учреждение",
        _ => "Муниципальное бюджетное общеобразовательное учреждение",
    };
    let long_kind = inner.replace("СОШ", "средняя общеобразовательная школа").replace("ООШ", "основная общеобразовательная школа");
    match rng.gen_range(0..6) {
        0 => format!("{legal} \"{inner}\""),
        1 => inner.replace("№ ", "№"),
        2 => format!("{spelled} «{long_kind}»"),
        3 => format!("{legal} {}", inner.replace("№ ", "№")),
        _ => s.name.clone(),
    }
}

/// ЕГЭ results as regions print them: a sheet a year, title rows, a two-level merged header
/// (subject over metrics), a row of column numbers, the region total and municipality subtotals
/// as formulas (with their values), schools by name only, blank cells for zero and «х» where a
/// subject was not taken. The second sheet has one more label column (the layout shifts).
/// Two planted defects: a school written with a typo (reported with the nearest names, never
/// guessed) and a school under its former name (resolved by the crosswalk file written beside).
fn write_ege_wide(path: &Path, crosswalk: &Path, results: &[EgeResult], schools: &[School], muns: &[Municipality], seed: u64) -> Result<()> {
    const SUBJECTS: &[(&str, bool)] = &[
        ("Русский язык", false),
        ("Математика профильная", false),
        ("Математика базовая", true),
        ("Обществознание", false),
    ];
    const SCORE_METRICS: &[&str] = &["приняло участие", "не преодолен min порог", "высокобалльники (80–99 баллов)", "получили 100 баллов", "средний балл"];
    const MARK_METRICS: &[&str] = &["приняло участие", "«2»", "«3»", "«4»", "«5»"];
    let mut names_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_F0F0);
    let printed: Vec<String> = schools.iter().map(|s| printed_name(&mut names_rng, s)).collect();
    // The planted defects: the first city school with ЕГЭ gets a typo, the first gymnasium its
    // former name (a secondary school of the same number).
    let with_ege = |k: &str| results.iter().map(|r| r.school).find(|&i| schools[i].kind == k);
    let typo = with_ege("СОШ");
    let renamed = with_ege("гимназия");
    let mut printed = printed;
    if let Some(i) = typo {
        printed[i] = printed[i].replace("СОШ", "СШО").replace("средняя общеобразовательная школа", "средняя общеобразовательная шкла");
    }
    let mut cw = String::from("Наименование в источнике;Муниципалитет;Логин ОО\n");
    if let Some(i) = renamed {
        let former = schools[i].name.replace("Гимназия", "СОШ");
        printed[i] = former.clone();
        let _ = writeln!(cw, "\"{}\";{};{}", former.replace('"', "\"\""), muns[schools[i].mun].name, schools[i].id);
    }
    std::fs::write(crosswalk, cw)?;

    let mut wb = workbook()?;
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let bold = Format::new().set_bold();
    let mut years: Vec<i32> = results.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    for (sheet_no, &year) in years.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(format!("ЕГЭ-{year}")).map_err(xlsx_err)?;
        let labels: Vec<&str> = if sheet_no == 0 {
            vec!["№ п/п", "Муниципалитет", "Наименование ОО"]
        } else {
            vec!["№ п/п", "Муниципалитет", "Наименование ОО", "Тип поселения"]
        };
        let first = labels.len() as u16;
        let width = first + SUBJECTS.len() as u16 * 5;
        ws.merge_range(0, 0, 0, width - 1, &format!("Результаты ЕГЭ-{year} в Энской области по образовательным организациям"), &title).map_err(xlsx_err)?;
        ws.merge_range(1, 0, 1, width - 1, "(основной период; по данным РЦОИ)", &title).map_err(xlsx_err)?;
        for (c, l) in labels.iter().enumerate() {
            ws.merge_range(3, c as u16, 4, c as u16, l, &head).map_err(xlsx_err)?;
        }
        for (b, (subj, marks)) in SUBJECTS.iter().enumerate() {
            let c0 = first + b as u16 * 5;
            ws.merge_range(3, c0, 3, c0 + 4, &format!("{subj}, чел."), &head).map_err(xlsx_err)?;
            let metrics = if *marks { MARK_METRICS } else { SCORE_METRICS };
            for (k, m) in metrics.iter().enumerate() {
                ws.write_string_with_format(4, c0 + k as u16, *m, &head).map_err(xlsx_err)?;
            }
        }
        for c in 0..width {
            ws.write_number(5, c, f64::from(c + 1)).map_err(xlsx_err)?;
        }
        let here: Vec<&EgeResult> = results.iter().filter(|r| r.year == year).collect();
        // One line a school: the values of each subject block.
        let values = |i: usize| -> Vec<[Option<f64>; 5]> {
            SUBJECTS
                .iter()
                .map(|(subj, marks)| match here.iter().find(|r| r.school == i && r.subject == *subj) {
                    Some(r) if *marks => [Some(f64::from(r.n)), Some(f64::from(r.marks[0])), Some(f64::from(r.marks[1])), Some(f64::from(r.marks[2])), Some(f64::from(r.marks[3]))],
                    Some(r) => [Some(f64::from(r.n)), Some(f64::from(r.below)), Some(f64::from(r.high)), Some(f64::from(r.hundred)), r.mean],
                    None => [None; 5],
                })
                .collect()
        };
        let total_row = 6u32;
        ws.write_string_with_format(total_row, 1, "ВСЕГО по региону", &bold).map_err(xlsx_err)?;
        let mut row = total_row + 1;
        let mut subtotal_rows: Vec<u32> = Vec::new();
        let mut region = vec![[0.0f64; 5]; SUBJECTS.len()];
        let mut number = 0;
        for (mi, m) in muns.iter().enumerate() {
            let members: Vec<usize> = (0..schools.len()).filter(|&i| schools[i].mun == mi && here.iter().any(|r| r.school == i)).collect();
            if members.is_empty() {
                continue;
            }
            let sub_row = row;
            subtotal_rows.push(sub_row);
            ws.write_string_with_format(sub_row, 1, &m.name, &bold).map_err(xlsx_err)?;
            row += 1;
            let (top, bottom) = (row, row + members.len() as u32 - 1);
            let mut sums = vec![[0.0f64; 5]; SUBJECTS.len()];
            for &i in &members {
                number += 1;
                ws.write_number(row, 0, f64::from(number)).map_err(xlsx_err)?;
                ws.write_string(row, 2, &printed[i]).map_err(xlsx_err)?;
                if sheet_no > 0 {
                    ws.write_string(row, 3, if schools[i].urban { "город" } else { "село" }).map_err(xlsx_err)?;
                }
                for (b, cells) in values(i).iter().enumerate() {
                    let c0 = first + b as u16 * 5;
                    let taken = cells[0].is_some_and(|n| n > 0.0);
                    for (k, v) in cells.iter().enumerate() {
                        let c = c0 + k as u16;
                        match v {
                            // Blank means zero in counts; «х» marks a mean that does not exist.
                            Some(v) if *v != 0.0 || (k == 0 && taken) => {
                                ws.write_number(row, c, *v).map_err(xlsx_err)?;
                            }
                            None if k == 4 && !SUBJECTS[b].1 => {
                                ws.write_string(row, c, "х").map_err(xlsx_err)?;
                            }
                            _ => {}
                        }
                        if let Some(v) = v {
                            let w = if k == 4 && !SUBJECTS[b].1 { cells[0].unwrap_or(0.0) } else { 1.0 };
                            sums[b][k] += v * w;
                        }
                    }
                }
                row += 1;
            }
            for (b, sum) in sums.iter().enumerate() {
                let c0 = first + b as u16 * 5;
                for k in 0..5u16 {
                    let c = c0 + k;
                    let letter = rust_xlsxwriter::utility::column_number_to_name(c);
                    let is_mean = k == 4 && !SUBJECTS[b].1;
                    let n_letter = rust_xlsxwriter::utility::column_number_to_name(c0);
                    let (formula, value) = if is_mean {
                        let v = if sum[0] > 0.0 { (sum[4] / sum[0] * 10.0).round() / 10.0 } else { 0.0 };
                        (format!("=IFERROR(ROUND(SUMPRODUCT({n_letter}{}:{n_letter}{},{letter}{}:{letter}{})/{n_letter}{},1),0)", top + 1, bottom + 1, top + 1, bottom + 1, sub_row + 1), v)
                    } else {
                        (format!("=SUM({letter}{}:{letter}{})", top + 1, bottom + 1), sum[k as usize])
                    };
                    ws.write_formula_with_format(sub_row, c, rust_xlsxwriter::Formula::new(formula).set_result(format!("{value}")), &bold).map_err(xlsx_err)?;
                    region[b][k as usize] += if is_mean { sum[4] } else { sum[k as usize] };
                }
            }
        }
        for (b, sum) in region.iter().enumerate() {
            let c0 = first + b as u16 * 5;
            for k in 0..5u16 {
                let c = c0 + k;
                let letter = rust_xlsxwriter::utility::column_number_to_name(c);
                let is_mean = k == 4 && !SUBJECTS[b].1;
                let refs: Vec<String> = subtotal_rows.iter().map(|r| format!("{letter}{}", r + 1)).collect();
                let value = if is_mean { if sum[0] > 0.0 { (sum[4] / sum[0] * 10.0).round() / 10.0 } else { 0.0 } } else { sum[k as usize] };
                let formula = if is_mean { "=\"\"".to_string() } else { format!("={}", refs.join("+")) };
                let result = if is_mean { String::new() } else { format!("{value}") };
                ws.write_formula_with_format(total_row, c, rust_xlsxwriter::Formula::new(formula).set_result(result), &bold).map_err(xlsx_err)?;
            }
        }
        ws.set_column_width(1, 30).map_err(xlsx_err)?;
        ws.set_column_width(2, 45).map_err(xlsx_err)?;
        ws.set_freeze_panes(6, first).map_err(xlsx_err)?;
    }
    wb.save(path).map_err(xlsx_err)?;
    Ok(())
}

/// The register as a UTF-8 `;` CSV (the national scenario: every input readable by polars).
fn write_register_csv(path: &Path, schools: &[School], muns: &[Municipality]) -> Result<()> {
    let mut s = String::from("Логин ОО;Наименование ОО;Муниципалитет;Тип ОО;Местность;Численность обучающихся;Доля педагогов старше 60 лет, %\n");
    for sc in schools {
        let _ = writeln!(
            s,
            "{};{};{};{};{};{};{:.1}",
            sc.id,
            sc.name,
            muns[sc.mun].name,
            sc.kind,
            if sc.urban { "город" } else { "село" },
            sc.students,
            (sc.teachers_60 * 10.0).round() / 10.0
        );
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// The generator's latent truth, a row a school (shnor never reads it): the school quality and
/// social conditions that every result and answer was drawn from, the enrolment and the share
/// of inflated marks. Methods are measured against it (bench/truth.sh).
fn write_truth(path: &Path, schools: &[School]) -> Result<()> {
    let mut s = String::from("school_id,quality,social,students,inflation\n");
    for sc in schools {
        let _ = writeln!(s, "{},{:.6},{:.6},{},{:.6}", sc.id, sc.quality, sc.social, sc.students, sc.inflation);
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// ОГЭ and ЕГЭ per student (the national scenario): the same simulation as [`write_gia`], a row a
/// work — ОГЭ with its primary score and mark, ЕГЭ with its test score (base mathematics with a
/// mark). Returns the number of ОГЭ and ЕГЭ rows of the last year.
fn write_gia_students(rng: &mut ChaCha8Rng, path: &Path, schools: &[School], years: &[i32]) -> Result<(usize, usize)> {
    let mut s = String::from("year,school_id,procedure,grade,subject,score,mark\n");
    let (mut oge, mut ege) = (0usize, 0usize);
    for &year in years {
        (oge, ege) = (0, 0);
        for sc in schools {
            let grades = grades_of(sc.kind);
            let n9 = (per_grade(sc) * 0.95).round() as u32;
            // About 1.4 M ЕГЭ works a year over 40,000 schools (fewer sit it than in the regional sample).
            let n11 = (per_grade(sc) * 0.52).round() as u32;
            if grades.contains(&9) && n9 > 0 {
                for &(subj, share) in OGE_SUBJECTS {
                    let n = if share < 1.0 { (n9 as f64 * share).round() as u32 } else { n9 };
                    for _ in 0..n {
                        let ab = sc.quality * 0.9 + normal(rng) * 0.9 + 0.2;
                        let score = (((ab + 2.5) / 5.0).clamp(0.0, 1.0) * 33.0).round();
                        let _ = writeln!(s, "{year},{},ОГЭ,9,{subj},{score},{}", sc.id, mark_of(ab));
                        oge += 1;
                    }
                }
            }
            if grades.contains(&11) && n11 > 0 {
                for &(subj, share) in EGE_SUBJECTS {
                    let n = (f64::from(n11) * share).round() as u32;
                    for _ in 0..n {
                        let ab = sc.quality * 0.9 + normal(rng) * 0.9 + 0.5;
                        if subj == "Математика базовая" {
                            let _ = writeln!(s, "{year},{},ЕГЭ,11,{subj},,{}", sc.id, mark_of(ab + 0.3));
                        } else {
                            let score = (60.0 + ab * 18.0).clamp(0.0, 100.0).round();
                            let _ = writeln!(s, "{year},{},ЕГЭ,11,{subj},{score},", sc.id);
                        }
                        ege += 1;
                    }
                }
            }
        }
    }
    std::fs::write(path, s)?;
    Ok((oge, ege))
}

/// A CSV written above, as Parquet: each column typed as an integer or a number when all its
/// values are one, text otherwise (as a typed export would be).
fn csv_to_parquet(csv: &Path, parquet: &Path, delimiter: u8) -> Result<()> {
    use polars::prelude::*;
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(delimiter))
        .try_into_reader_with_file_path(Some(csv.to_path_buf()))?
        .finish()?;
    let mut columns: Vec<Column> = Vec::new();
    for c in df.columns() {
        let s = c.as_materialized_series();
        // Identifiers stay text (as exports keep them, leading zeros and all).
        let id = c.name().contains("school_id") || c.name().contains("Логин");
        let typed = [DataType::Int64, DataType::Float64]
            .iter()
            .find_map(|t| s.strict_cast(t).ok())
            .filter(|_| !id && s.null_count() < s.len())
            .unwrap_or_else(|| s.clone());
        columns.push(Column::from(typed));
    }
    let mut out = DataFrame::new_infer_height(columns)?;
    let mut file = std::fs::File::create(parquet)?;
    // Row groups of 256 Ki rows, as exports commonly have (a reader can take a slice of them).
    ParquetWriter::new(&mut file).with_row_group_size(Some(256 * 1024)).finish(&mut out)?;
    Ok(())
}

/// Per-student results as the per-school long table regions also publish: participants, the
/// count of each mark, the mean score and (ЕГЭ) how many were below the subject's minimum.
fn aggregate_results(inputs: &[PathBuf], out: &Path) -> Result<()> {
    use polars::prelude::*;
    let mut parts = Vec::new();
    for p in inputs {
        let lf = LazyCsvReader::new(PlRefPath::new(p.display().to_string()))
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()?;
        parts.push(lf.select([col("year"), col("school_id"), col("procedure"), col("grade"), col("subject"), col("score").cast(DataType::Float64), col("mark")]));
    }
    let mark = col("mark").cast(DataType::Float64);
    let min = when(col("subject").eq(lit("Русский язык")))
        .then(lit(24.0))
        .when(col("subject").eq(lit("Математика профильная")))
        .then(lit(27.0))
        .when(col("subject").eq(lit("Обществознание")))
        .then(lit(42.0))
        .otherwise(lit(NULL).cast(DataType::Float64));
    let count = |e: Expr| e.cast(DataType::Int64).sum();
    let ege_scores = col("procedure").eq(lit("ЕГЭ")).and(col("mark").is_null());
    let mut df = concat(parts, UnionArgs::default())?
        .filter(col("school_id").is_not_null())
        .group_by([col("year"), col("school_id"), col("procedure"), col("grade"), col("subject")])
        .agg([
            len().alias("participants"),
            count(mark.clone().eq(lit(2.0))).alias("mark2"),
            count(mark.clone().eq(lit(3.0))).alias("mark3"),
            count(mark.clone().eq(lit(4.0))).alias("mark4"),
            count(mark.eq(lit(5.0))).alias("mark5"),
            col("score").mean().round(2, RoundMode::HalfAwayFromZero).alias("mean_score"),
            count(ege_scores.clone().and(col("score").lt(min))).alias("below_min"),
            ege_scores.any(true).alias("__ege_scores"),
        ])
        .with_column(when(col("__ege_scores")).then(col("below_min")).otherwise(lit(NULL).cast(DataType::Int64)).alias("below_min"))
        .select([col("year"), col("school_id"), col("procedure"), col("grade"), col("subject"), col("participants"), col("mark2"), col("mark3"), col("mark4"), col("mark5"), col("mean_score"), col("below_min")])
        .sort(["year", "school_id", "procedure", "grade", "subject"], SortMultipleOptions::default())
        .collect()?;
    let mut file = std::fs::File::create(out)?;
    CsvWriter::new(&mut file).finish(&mut df)?;
    Ok(())
}

/// Per-family questionnaires as the social passport of each school: respondents and the share of
/// «да» among the yes/no answers of each indicator.
fn aggregate_questionnaire(input: &Path, out: &Path) -> Result<()> {
    use polars::prelude::*;
    let lf = LazyCsvReader::new(PlRefPath::new(input.display().to_string()))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()?;
    let mut aggs = vec![len().alias("respondents")];
    for (key, q) in QUESTIONS {
        let a = col(*q);
        let answered = a.clone().eq(lit("да")).or(a.clone().eq(lit("нет")));
        aggs.push((a.eq(lit("да")).cast(DataType::Float64).sum() / answered.cast(DataType::Float64).sum()).round(4, RoundMode::HalfAwayFromZero).alias(*key));
    }
    let mut df = lf
        .group_by([col("Год").alias("year"), col("Логин ОО").alias("school_id")])
        .agg(aggs)
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    let mut file = std::fs::File::create(out)?;
    CsvWriter::new(&mut file).finish(&mut df)?;
    Ok(())
}

fn region_toml(title: &str, inputs: &[(&str, String)]) -> String {
    let mut s = format!("[region]\nname = \"{title}\"\n");
    for (kind, path) in inputs {
        let _ = write!(s, "\n[[input]]\nkind = \"{kind}\"\npath = \"{path}\"\n");
    }
    s
}

/// The national scenario: per-student CSV, the same as Parquet, and aggregated per school.
fn national(a: &Args, rng: &mut ChaCha8Rng, schools: &[School], muns: &[Municipality]) -> Result<()> {
    let prev = a.year - 1;
    let dir = &a.out;
    write_register_csv(&dir.join("schools.csv"), schools, muns)?;
    let mut summary = Vec::new();
    for (year, short) in [(prev, false), (a.year, true)] {
        let rows = vpr_rows(rng, schools, year, short, false);
        write_vpr_csv(&dir.join(format!("vpr_{year}.csv")), &rows, year)?;
        summary.push(format!("ВПР {year}: {}", rows.len()));
    }
    let gia = format!("gia_{prev}_{}.csv", a.year);
    let (oge, ege) = write_gia_students(rng, &dir.join(&gia), schools, &[prev, a.year])?;
    summary.push(format!("ОГЭ {}: {oge}, ЕГЭ: {ege}", a.year));
    let anketa = format!("anketa_{}.csv", a.year);
    write_questionnaire(rng, &dir.join(&anketa), schools, a.year, true, (0.45, 0.9))?;
    write_context(rng, &dir.join("context.csv"), schools)?;
    let title = format!("Синтетическая страна ({} школ)", schools.len());
    let vpr = |y: i32| format!("vpr_{y}.csv");
    let csv_inputs = [
        ("schools", "schools.csv".to_string()),
        ("results", vpr(prev)),
        ("results", vpr(a.year)),
        ("results", gia.clone()),
        ("questionnaire", anketa.clone()),
        ("context", "context.csv".to_string()),
    ];
    std::fs::write(dir.join("region.toml"), region_toml(&title, &csv_inputs))?;
    // The same data in Parquet.
    let pq = dir.join("parquet");
    std::fs::create_dir_all(&pq)?;
    let mut pq_inputs = Vec::new();
    for (kind, file) in &csv_inputs {
        let target = file.replace(".csv", ".parquet");
        let delimiter = if *file == "schools.csv" { b';' } else { b',' };
        csv_to_parquet(&dir.join(file), &pq.join(&target), delimiter)?;
        pq_inputs.push((*kind, target));
    }
    std::fs::write(pq.join("region.toml"), region_toml(&format!("{title}, Parquet"), &pq_inputs))?;
    // Aggregated per school.
    let agg = dir.join("school");
    std::fs::create_dir_all(&agg)?;
    aggregate_results(&[dir.join(vpr(prev)), dir.join(vpr(a.year)), dir.join(&gia)], &agg.join("results_school.csv"))?;
    aggregate_questionnaire(&dir.join(&anketa), &agg.join("passport.csv"))?;
    std::fs::copy(dir.join("schools.csv"), agg.join("schools.csv"))?;
    std::fs::copy(dir.join("context.csv"), agg.join("context.csv"))?;
    let agg_inputs = [
        ("schools", "schools.csv".to_string()),
        ("results", "results_school.csv".to_string()),
        ("questionnaire", "passport.csv".to_string()),
        ("context", "context.csv".to_string()),
    ];
    std::fs::write(agg.join("region.toml"), region_toml(&format!("{title}, по школам"), &agg_inputs))?;
    eprintln!("{} schools, {} municipalities; {} → {}", schools.len(), muns.len(), summary.join("; "), dir.display());
    Ok(())
}

const QUESTIONS: &[(&str, &str)] = &[
    ("higher_ed", "Высшее образование хотя бы у одного из родителей"),
    ("single_parent", "Неполная семья"),
    ("low_income", "Семья признана малоимущей"),
    ("unemployed", "Родитель не работает"),
    ("large_family", "Многодетная семья"),
    ("non_russian_home", "Дома говорят не на русском языке"),
    ("disability", "Ребёнок с ОВЗ"),
    ("on_register", "Состоит на учёте"),
    ("books_100", "Больше 100 книг"),
];

fn answer_probability(key: &str, s: &School) -> f64 {
    let x = s.social;
    let logistic = |z: f64| 1.0 / (1.0 + (-z).exp());
    match key {
        "higher_ed" => logistic(0.2 + 1.1 * x),
        "single_parent" => logistic(-1.2 - 0.5 * x),
        "low_income" => logistic(-1.6 - 1.0 * x),
        "unemployed" => logistic(-2.2 - 0.8 * x),
        "large_family" => logistic(-1.8 - 0.4 * x + if s.urban { 0.0 } else { 0.5 }),
        "non_russian_home" => logistic(-3.0 - 0.6 * x),
        "disability" => logistic(-3.0 - 0.2 * x),
        "on_register" => logistic(-3.4 - 0.7 * x),
        "books_100" => logistic(-0.6 + 1.0 * x),
        _ => 0.1,
    }
}

fn write_questionnaire(rng: &mut ChaCha8Rng, path: &Path, schools: &[School], year: i32, csv: bool, families_per_student: (f64, f64)) -> Result<()> {
    let (lo, hi) = families_per_student;
    if csv {
        let mut s = String::from("Год,Логин ОО");
        for (_, q) in QUESTIONS {
            s.push(',');
            s.push_str(q);
        }
        s.push('\n');
        for sc in schools {
            let families = (f64::from(sc.students) * rng.gen_range(lo..hi)).round() as u32;
            for _ in 0..families {
                let _ = write!(s, "{year},{}", sc.id);
                for (key, _) in QUESTIONS {
                    let r = rng.gen::<f64>();
                    let text = if r < 0.03 {
                        ""
                    } else if r < 0.032 {
                        "не знаю"
                    } else if rng.gen::<f64>() < answer_probability(key, sc) {
                        "да"
                    } else {
                        "нет"
                    };
                    s.push(',');
                    s.push_str(text);
                }
                s.push('\n');
            }
        }
        std::fs::write(path, s)?;
        return Ok(());
    }
    let mut wb = workbook()?;
    let ws = wb.add_worksheet();
    ws.set_name("Анкеты").map_err(xlsx_err)?;
    ws.write_string(0, 0, "Год").map_err(xlsx_err)?;
    ws.write_string(0, 1, "Логин ОО").map_err(xlsx_err)?;
    for (i, (_, q)) in QUESTIONS.iter().enumerate() {
        ws.write_string(0, 2 + i as u16, *q).map_err(xlsx_err)?;
    }
    let mut row = 1u32;
    for s in schools {
        let families = (f64::from(s.students) * rng.gen_range(lo..hi)).round() as u32;
        for _ in 0..families {
            ws.write_number(row, 0, f64::from(year)).map_err(xlsx_err)?;
            ws.write_string(row, 1, &s.id).map_err(xlsx_err)?;
            for (i, (key, _)) in QUESTIONS.iter().enumerate() {
                let r = rng.gen::<f64>();
                if r < 0.03 {
                    continue; // blank answer
                }
                let text = if r < 0.032 {
                    "не знаю"
                } else if rng.gen::<f64>() < answer_probability(key, s) {
                    "да"
                } else {
                    "нет"
                };
                ws.write_string(row, 2 + i as u16, text).map_err(xlsx_err)?;
            }
            row += 1;
        }
    }
    wb.save(path).map_err(xlsx_err)?;
    Ok(())
}

fn write_context(rng: &mut ChaCha8Rng, path: &Path, schools: &[School]) -> Result<()> {
    let mut s = String::from("Логин ОО,Вакансии учителей,Расстояние до центра МО (км)\n");
    for sc in schools {
        let vac = if sc.urban { rng.gen_range(0..4) } else { rng.gen_range(0..3) };
        let dist = if sc.urban { rng.gen::<f64>() * 8.0 } else { 5.0 + rng.gen::<f64>() * 70.0 };
        let _ = writeln!(s, "{},{vac},{dist:.1}", sc.id);
    }
    std::fs::write(path, s)?;
    Ok(())
}

fn main() -> Result<()> {
    let a = parse_args()?;
    std::fs::create_dir_all(&a.out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let muns = municipalities(a.municipalities);
    let mut schools = schools(&mut rng, a.schools, &muns);
    plant(&mut schools, a.plant_objectivity, a.seed);
    write_truth(&a.out.join("latent_truth.csv"), &schools)?;
    let prev = a.year - 1;
    if a.national {
        if a.plant_objectivity > 0.0 {
            write_planted(&a.out.join("planted_objectivity.csv"), &schools, &[])?;
        }
        return national(&a, &mut rng, &schools, &muns);
    }
    write_register(&a.out.join("schools.xlsx"), &schools, &muns, a.year)?;
    let rows_prev = vpr_rows(&mut rng, &schools, prev, false, false);
    if a.csv_only {
        write_vpr_csv(&a.out.join(format!("vpr_{prev}.csv")), &rows_prev, prev)?;
    } else {
        write_vpr_xlsx(&a.out.join(format!("vpr_{prev}.xlsx")), &rows_prev, prev)?;
    }
    let rows_cur = vpr_rows(&mut rng, &schools, a.year, true, true);
    if a.plant_objectivity > 0.0 {
        write_planted(&a.out.join("planted_objectivity.csv"), &schools, &rows_cur)?;
    }
    // The sample region: one ВПР work of the latest year as a ФИС ОКО protocol (marks from the
    // scale file), the rest in the CSV.
    let (mut fisoko, rows_cur): (Vec<VprRow>, Vec<VprRow>) = rows_cur.into_iter().partition(|r| !a.csv_only && r.grade == 5 && r.subject == "МА");
    if !fisoko.is_empty() {
        let mut absent = ChaCha8Rng::seed_from_u64(a.seed ^ 0x5eed);
        write_fisoko(&a.out.join(format!("vpr_{}_fisoko_5_math.xlsx", a.year)), &mut fisoko, &schools, &muns, a.year, (5, "Математика", 20), &mut absent)?;
        write_scales(&a.out.join(format!("scales_vpr_{}.csv", a.year)), a.year)?;
    }
    write_vpr_csv(&a.out.join(format!("vpr_{}.csv", a.year)), &rows_cur, a.year)?;
    if a.csv_only {
        write_gia(&mut rng, &a.out.join(format!("gia_{prev}_{}.csv", a.year)), &schools, &[prev, a.year], false)?;
    } else {
        // The sample region: ОГЭ in the long CSV, ЕГЭ in a printed-style workbook by school name.
        let ege = write_gia(&mut rng, &a.out.join(format!("oge_{prev}_{}.csv", a.year)), &schools, &[prev, a.year], true)?;
        write_ege_wide(&a.out.join(format!("ege_{prev}_{}.xlsx", a.year)), &a.out.join("crosswalk.csv"), &ege, &schools, &muns, a.seed)?;
    }
    let anketa = format!("anketa_{}.{}", a.year, if a.csv_only { "csv" } else { "xlsx" });
    write_questionnaire(&mut rng, &a.out.join(&anketa), &schools, a.year, a.csv_only, (0.2, 0.45))?;
    if a.csv_only {
        let cfg = format!(
            "[region]\nname = \"Синтетический регион ({} школ)\"\n\n[[input]]\nkind = \"schools\"\npath = \"schools.xlsx\"\n\n[[input]]\nkind = \"results\"\npath = \"vpr_{prev}.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"vpr_{}.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"gia_{prev}_{}.csv\"\n\n[[input]]\nkind = \"questionnaire\"\npath = \"{anketa}\"\n\n[[input]]\nkind = \"context\"\npath = \"context.csv\"\n",
            schools.len(),
            a.year,
            a.year
        );
        std::fs::write(a.out.join("region.toml"), cfg)?;
    }
    write_context(&mut rng, &a.out.join("context.csv"), &schools)?;
    eprintln!(
        "{} schools, {} municipalities, ВПР rows: {} + {} → {}",
        schools.len(),
        muns.len(),
        rows_prev.len(),
        rows_cur.len() + fisoko.len(),
        a.out.display()
    );
    Ok(())
}
