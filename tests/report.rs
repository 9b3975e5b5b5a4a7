//! The analytical report: well-formed, self-contained, escaped, rebuilt from stored aggregates.

use std::path::Path;

mod common;
use common::{hand_region, read_csv, samples, shnor, HOSTILE_NAME};

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every chart is a non-empty SVG: it draws shapes, not just a frame.
fn assert_charts(doc: &roxmltree::Document, expected: usize) {
    let svgs: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("svg")).collect();
    assert_eq!(svgs.len(), expected, "number of charts");
    for svg in svgs {
        let shapes = svg
            .descendants()
            .filter(|n| ["rect", "circle", "polyline", "path", "line"].iter().any(|t| n.has_tag_name(*t)))
            .count();
        assert!(shapes > 5, "chart {:?} has only {shapes} shapes", svg.attribute("aria-label"));
    }
}

#[test]
fn report_is_well_formed_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = hand_region(dir.path());
    let first = dir.path().join("first");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&first).assert().success();
    let out = dir.path().join("out");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&out).arg("--previous").arg(&first).assert().success();

    // Both the main report and the appendix: well-formed (parsed as XML, which is stricter than
    // HTML), without any URL, the hostile name shown verbatim.
    for (file, charts, sections) in [
        ("report.html", 3, &["summary", "lists", "municipalities", "charts"][..]),
        ("appendix.html", 7, &["summary", "method", "lists", "municipalities", "charts", "quality", "dynamics"][..]),
    ] {
        let html = read(&out.join(file));
        let opts = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
        let doc = roxmltree::Document::parse_with_options(&html, opts).unwrap_or_else(|e| panic!("{file} is not well-formed: {e}"));
        assert!(!html.contains("http://") && !html.contains("https://"), "a URL in {file}");
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
        assert_charts(&doc, charts);
        let verbatim = doc.descendants().filter_map(|n| n.text()).any(|t| t.contains(HOSTILE_NAME));
        assert!(verbatim, "{file}: the school name is not shown verbatim");
        assert!(html.contains("&lt;script&gt;alert("));
        for section in sections {
            assert!(doc.descendants().any(|n| n.attribute("id") == Some(*section)), "{file}: section {section}");
        }
    }
    let main = read(&out.join("report.html"));
    assert!(main.contains("Аналитический отчёт") && main.contains("href=\"appendix.html\""));
    // The print header and page numbers.
    assert!(main.contains("@top-left") && main.contains("counter(pages)"));

    for file in ["report.md", "appendix.md"] {
        let md = read(&out.join(file));
        assert!(!md.contains("<script"), "raw markup in {file}");
        assert!(md.contains("=HYPERLINK(\"x\") &lt;script&gt;alert('x')&lt;/script&gt; &amp; \"Школа\" \\| \\*1\\* \\[a\\](b)"), "{file}");
    }
    let md = read(&out.join("appendix.md"));
    // Every table row of the ranked list has the same number of cells as its header.
    let list: Vec<&str> = md.lines().skip_while(|l| !l.starts_with("### 3.1")).skip(2).take_while(|l| l.starts_with('|')).collect();
    assert!(list.len() >= 4, "{list:?}");
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(list.iter().all(|l| cells(l) == cells(list[0])), "{list:#?}");
    let main_md = read(&out.join("report.md"));
    let short: Vec<&str> = main_md.lines().skip_while(|l| !l.starts_with("## 3.")).skip(2).take_while(|l| l.starts_with('|')).collect();
    assert!(short.len() >= 4 && short.iter().all(|l| cells(l) == cells(short[0])), "{short:#?}");
    for chart in ["inr_isbsh", "inr_hist", "isbsh_hist", "municipalities", "procedures"] {
        assert!(md.contains(&format!("](charts/{chart}.svg)")), "{chart} not referenced");
        let svg = read(&out.join("charts").join(format!("{chart}.svg")));
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{chart}.svg: {e}"));
    }
    assert!(md.contains("## 7. Динамика"));

    // CSV: the name is data, never a formula; XLSX: a text cell with the name as it is.
    let rows = read_csv(&out.join("schools.csv"));
    assert!(rows.iter().any(|r| r.get(1).map(String::as_str) == Some(&format!("'{HOSTILE_NAME}"))));
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(out.join("shnor.xlsx")).unwrap();
    let first_sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first_sheet).unwrap();
    assert!(range.used_cells().any(|(_, _, c)| *c == Data::String(HOSTILE_NAME.to_string())));
    let formulas = wb.worksheet_formula(&first_sheet).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "a formula in the workbook");
}

#[test]
fn report_from_an_earlier_run_is_the_same_and_follows_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().arg("run").arg(samples().join("region.toml")).arg("--out").arg(&out).arg("-q").assert().success();
    let again = dir.path().join("again");
    shnor().args(["report", "-q", "--from"]).arg(&out).arg("--out").arg(&again).assert().success();
    for f in ["report.md", "report.html", "appendix.md", "appendix.html", "charts/inr_isbsh.svg", "charts/procedures.svg"] {
        assert_eq!(read(&out.join(f)), read(&again.join(f)), "{f} differs when rebuilt from the aggregates");
    }
    let en = dir.path().join("en");
    shnor().args(["--lang", "en", "report", "-q", "--from"]).arg(&out).arg("--out").arg(&en).assert().success();
    let md = read(&en.join("appendix.md"));
    assert!(md.contains("## 1. Summary") && md.contains("## 6. Data quality"), "not English");
    assert!(read(&en.join("report.md")).contains("## 1. Results"), "not English");
    assert!(md.contains("R30: in 2025"), "reasons not in English");
    // A folder another shnor is writing (its lock held): refused at once, nothing written.
    let held = std::fs::File::create(dir.path().join(".again.lock")).unwrap();
    held.try_lock().unwrap();
    std::fs::remove_file(again.join("report.md")).unwrap();
    shnor()
        .args(["report", "-q", "--from"])
        .arg(&out)
        .arg("--out")
        .arg(&again)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("сейчас пишет другой запуск shnor"));
    assert!(!again.join("report.md").exists());
    drop(held);
    // Not an output directory: a usage error naming it.
    shnor()
        .args(["report", "--from"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("manifest.json"));
}

#[test]
fn sample_region_report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Relative paths, so that the input table of the report is the same on any machine.
    shnor()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "data-samples/region.toml", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    insta::assert_snapshot!(read(&out.join("report.md")));
}
