//! Charts of the analytical report as SVG (plotters' SVG backend; the browser draws the text,
//! so Cyrillic labels need no fonts). Every function returns one complete `<svg>` element.

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::identify::Category;

/// A category's colour (one definition: [`Category::colour`]).
pub fn category_colour(category: Category) -> RGBColor {
    let (r, g, b) = category.colour();
    RGBColor(r, g, b)
}

const FONT: &str = "sans-serif";
const CUT: RGBColor = RGBColor(0x55, 0x55, 0x55);

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart: {e:?}")
}

/// plotters writes a bare `<svg …>`; a `role` and `aria-label` make it accessible.
fn finish(svg: String, title: &str) -> String {
    let title = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{title}\" "), 1)
}

fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.04;
    (lo - pad, hi + pad)
}

/// Schools as points in their categories' colours, one legend entry per category; the plain
/// schools first, so that the flagged ones stay visible on top.
fn draw_points<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
    points: &[Point],
    legend: &[(Category, String)],
) -> Result<()> {
    for (category, label) in legend.iter().rev() {
        let colour = category_colour(*category);
        let pts: Vec<(f64, f64)> = points.iter().filter(|p| p.category == *category).map(|p| (p.x, p.y)).collect();
        if pts.is_empty() {
            continue;
        }
        // A shape per category as well as a colour: the categories stay apart in black-and-white
        // print.
        let fill = colour.mix(0.85).filled();
        let (solid, line) = (colour.filled(), colour.stroke_width(2));
        let name = label.as_str();
        match category {
            Category::ShnorShnsu => {
                chart.draw_series(pts.into_iter().map(|p| TriangleMarker::new(p, 5, fill))).map_err(err)?.label(name).legend(move |(x, y)| TriangleMarker::new((x + 6, y), 6, solid));
            }
            Category::Shnor => {
                let square = move |p: (f64, f64)| EmptyElement::at(p) + Rectangle::new([(-3, -3), (3, 3)], fill);
                chart.draw_series(pts.into_iter().map(square)).map_err(err)?.label(name).legend(move |(x, y)| Rectangle::new([(x + 2, y - 4), (x + 10, y + 4)], solid));
            }
            Category::Shnsu => {
                chart.draw_series(pts.into_iter().map(|p| Cross::new(p, 4, line))).map_err(err)?.label(name).legend(move |(x, y)| Cross::new((x + 6, y), 5, line));
            }
            Category::Resilient => {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, line))).map_err(err)?.label(name).legend(move |(x, y)| Circle::new((x + 6, y), 4, line));
            }
            Category::None => {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 2, fill))).map_err(err)?.label(name).legend(move |(x, y)| Circle::new((x + 6, y), 3, solid));
            }
        }
    }
    Ok(())
}

/// A titled chart area with f64 axes and room for the axis labels.
fn cartesian<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_area: u32,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>> {
    ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// Axes with whole-number labels and light grid lines (vertical ones only with `x_mesh`).
fn draw_mesh<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
    x_desc: &str,
    y_desc: &str,
    x_mesh: bool,
) -> Result<()> {
    let mut mesh = chart.configure_mesh();
    if !x_mesh {
        mesh.disable_x_mesh();
    }
    mesh.light_line_style(WHITE)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 13))
        .draw()
        .map_err(err)
}

/// The series legend: a framed box on a translucent white background.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(chart: &mut ChartContext<'a, DB, CT>, pos: SeriesLabelPosition) -> Result<()> {
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .draw()
        .map_err(err)
}

/// Cut-off label text, right-aligned when the line is in the right half of the plot.
fn side_style(right: bool) -> TextStyle<'static> {
    let style = TextStyle::from((FONT, 12).into_font()).color(&CUT);
    if right { style.pos(Pos::new(HPos::Right, VPos::Top)) } else { style }
}

/// A vertical or horizontal cut-off line with its label.
pub struct CutLine {
    pub value: f64,
    pub label: String,
}

pub struct Point {
    pub x: f64,
    pub y: f64,
    pub category: Category,
}

/// ИНР (x) against ИСБШ (y) for every school with both, coloured by category, with the
/// cut-off lines that define the quadrants.
pub fn scatter(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    points: &[Point],
    legend: &[(Category, String)],
    x_cuts: &[CutLine],
    y_cuts: &[CutLine],
    fit: Option<FitLine>,
) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (x0, x1) = span(points.iter().map(|p| p.x).chain(x_cuts.iter().map(|c| c.value)));
        let (y0, y1) = span(points.iter().map(|p| p.y).chain(y_cuts.iter().map(|c| c.value)));
        // An empty band on top holds the legend, so that it never hides a school.
        let y1 = y1 + (y1 - y0) * 0.22;
        let mut chart = cartesian(&root, title, x0..x1, y0..y1, 55)?;
        draw_mesh(&mut chart, x_desc, y_desc, true)?;
        draw_points(&mut chart, points, legend)?;
        for c in x_cuts {
            chart
                .draw_series(LineSeries::new(vec![(c.value, y0), (c.value, y1)], CUT.stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(EmptyElement::at((c.value, y0)) + Text::new(c.label.clone(), (if c.value > (x0 + x1) / 2.0 { -4 } else { 4 }, -16), side_style(c.value > (x0 + x1) / 2.0))))
                .map_err(err)?;
        }
        for c in y_cuts {
            chart
                .draw_series(LineSeries::new(vec![(x0, c.value), (x1, c.value)], CUT.stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(EmptyElement::at((x0, c.value)) + Text::new(c.label.clone(), (4, -15), (FONT, 12).into_font().color(&CUT))))
                .map_err(err)?;
        }
        if let Some(f) = fit {
            // x = a + b·y, over the points' y, inside the plot.
            let (lo, hi) = span(points.iter().map(|p| p.y));
            let line: Vec<(f64, f64)> = (0..=60)
                .map(|i| lo + (hi - lo) * f64::from(i) / 60.0)
                .map(|y| (f.intercept + f.slope * y, y))
                .filter(|(x, _)| (x0..=x1).contains(x))
                .collect();
            chart
                .draw_series(LineSeries::new(line, BLACK.mix(0.7).stroke_width(2)))
                .map_err(err)?
                .label(f.label.clone())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.mix(0.7).stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperMiddle)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

/// A fitted line x = `intercept` + `slope`·y drawn over a scatter, with its legend label.
#[derive(Debug, Clone)]
pub struct FitLine {
    pub intercept: f64,
    pub slope: f64,
    pub label: String,
}

/// A funnel plot: each school's fail share (y) against its participants (x), with the binomial
/// limits around the region's share `p0` at 95 % and 99.8 % — a school outside them differs from
/// the region by more than chance at its size; the ШНОР list's schools drawn in their colours.
pub fn funnel(title: &str, x_desc: &str, y_desc: &str, points: &[Point], legend: &[(Category, String)], p0: f64, limits: &[(f64, String)]) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let x1 = points.iter().map(|p| p.x).fold(10.0f64, f64::max) * 1.04;
        let x0 = points.iter().map(|p| p.x).fold(x1, f64::min).max(1.0) * 0.96;
        // Room above the highest school for the legend.
        let y1 = (points.iter().map(|p| p.y).fold(p0 * 2.0, f64::max) * 1.35).min(1.0).max(0.05);
        let mut chart = cartesian(&root, title, x0..x1, 0.0..y1, 55)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{:.0} %", v * 100.0))
            .label_style((FONT, 13))
            .draw()
            .map_err(err)?;
        draw_points(&mut chart, points, legend)?;
        chart.draw_series(LineSeries::new(vec![(x0, p0), (x1, p0)], CUT.stroke_width(2))).map_err(err)?;
        let steps = 120;
        for (k, (z, label)) in limits.iter().enumerate() {
            let at = |i: usize| x0 * (x1 / x0).powf(i as f64 / steps as f64);
            let half = |n: f64| crate::indices::uncertainty::binomial_half(p0, n, *z);
            let upper: Vec<(f64, f64)> = (0..=steps).map(|i| (at(i), (p0 + half(at(i))).min(y1))).collect();
            let lower: Vec<(f64, f64)> = (0..=steps).map(|i| (at(i), (p0 - half(at(i))).max(0.0))).collect();
            // The wider limit darker and thicker.
            let style = if k == 0 { RGBColor(0xAA, 0xAA, 0xAA).stroke_width(1) } else { CUT.stroke_width(2) };
            chart.draw_series(LineSeries::new(upper, style)).map_err(err)?.label(label.as_str()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
            chart.draw_series(LineSeries::new(lower, style)).map_err(err)?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

/// One school of a caterpillar plot: its expected rank and rank interval (1 = the worst).
pub struct RankBar {
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    pub category: Category,
}

/// A caterpillar plot: schools from left to right by expected rank, each with its rank interval
/// (a vertical bar) and expected rank (a dot in its category's colour); the rank cut-off of the
/// worst share as a horizontal line. Rank 1 (the worst) is at the top.
pub fn caterpillar(title: &str, x_desc: &str, y_desc: &str, bars: &[RankBar], legend: &[(Category, String)], cutoff: f64, cut_label: &str) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = bars.len().max(1) as f64;
        let top = bars.iter().map(|b| b.high).fold(cutoff * 1.5, f64::max) * 1.08 + 1.0;
        let mut chart = cartesian(&root, title, 0.0..n + 1.0, top..0.0, 55)?;
        draw_mesh(&mut chart, x_desc, y_desc, true)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let x = i as f64 + 1.0;
                PathElement::new(vec![(x, b.low), (x, b.high)], category_colour(b.category).mix(0.6).stroke_width(2))
            }))
            .map_err(err)?;
        // The expected ranks in the categories' shapes, as on the scatter (black-and-white print).
        let points: Vec<Point> = bars.iter().enumerate().map(|(i, b)| Point { x: i as f64 + 1.0, y: b.expected, category: b.category }).collect();
        draw_points(&mut chart, &points, legend)?;
        chart
            .draw_series(LineSeries::new(vec![(0.0, cutoff), (n + 1.0, cutoff)], CUT.stroke_width(2)))
            .map_err(err)?
            .label(cut_label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], CUT.stroke_width(2)));
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

/// A histogram of `values` in `bins` equal bins, with cut-off lines.
pub fn histogram(title: &str, x_desc: &str, y_desc: &str, values: &[f64], bins: usize, colour: RGBColor, cuts: &[CutLine]) -> Result<String> {
    let (lo, hi) = span(values.iter().copied().chain(cuts.iter().map(|c| c.value)));
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = cartesian(&root, title, lo..hi, 0.0..top, 55)?;
        draw_mesh(&mut chart, x_desc, y_desc, false)?;
        chart
            .draw_series(counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
                let a = lo + width * i as f64;
                Rectangle::new([(a, 0.0), (a + width, *c as f64)], colour.mix(0.8).filled())
            }))
            .map_err(err)?;
        // Each cut's label on its own line, so that labels of close cuts never overlap.
        for (k, c) in cuts.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(vec![(c.value, 0.0), (c.value, top)], CUT.stroke_width(2)))
                .map_err(err)?;
            let right = c.value > (lo + hi) / 2.0;
            chart
                .draw_series(std::iter::once(EmptyElement::at((c.value, top)) + Text::new(c.label.clone(), (if right { -4 } else { 4 }, 2 + 15 * k as i32), side_style(right))))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

/// Horizontal bars: one row per label (first row on top), one or more series side by side
/// (`stacked = false`) or stacked (`stacked = true`). `series` are (legend, colour, one value
/// per row). Row labels are drawn right-aligned left of the plot.
pub fn bars(title: &str, x_desc: &str, labels: &[String], series: &[(String, RGBColor, Vec<f64>)], stacked: bool, percent: bool) -> Result<String> {
    let n = labels.len().max(1);
    let value = |s: &(String, RGBColor, Vec<f64>), i: usize| s.2.get(i).copied().filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0);
    let max = if stacked {
        (0..n).map(|i| series.iter().map(|s| value(s, i)).sum::<f64>()).fold(0.0, f64::max)
    } else {
        series.iter().flat_map(|s| (0..n).map(move |i| value(s, i))).fold(0.0, f64::max)
    };
    // Head room on the right for the legend.
    let max = if max <= 0.0 { 1.0 } else { max * if series.len() > 1 { 1.5 } else { 1.08 } };
    let row = if stacked || series.len() < 2 { 22 } else { 12 * series.len() as u32 + 8 };
    let height = 130 + row * n as u32;
    let names: Vec<String> = labels
        .iter()
        .map(|l| if l.chars().count() > 45 { l.chars().take(44).collect::<String>() + "…" } else { l.clone() })
        .collect();
    let label_width = names.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32 * 7 + 16;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = cartesian(&root, title, 0.0..max, 0.0..n as f64, label_width)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(0)
            .x_desc(x_desc)
            .x_label_formatter(&|v| if percent { format!("{:.0} %", v * 100.0) } else { format!("{v:.0}") })
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        let k = series.len().max(1) as f64;
        for (si, s) in series.iter().enumerate() {
            let colour = s.1;
            let corners: Vec<[(f64, f64); 2]> = (0..n)
                .filter(|i| value(s, *i) > 0.0)
                .map(|i| {
                    let start = if stacked { series.iter().take(si).map(|t| value(t, i)).sum() } else { 0.0 };
                    let top = (n - i) as f64;
                    let (a, b) = if stacked || k < 2.0 { (0.15, 0.85) } else { (0.1 + 0.8 * si as f64 / k, 0.1 + 0.8 * (si as f64 + 1.0) / k) };
                    [(start, top - a), (start + value(s, i), top - b)]
                })
                .collect();
            // A texture per series (plain, vertical stripes, horizontal stripes, both) and each
            // segment outlined in white: the categories stay apart in black-and-white print.
            let (vertical, horizontal) = match si % 4 {
                1 => (true, false),
                2 => (false, true),
                3 => (true, true),
                _ => (false, false),
            };
            let ink = |on: bool| if on { WHITE.mix(1.0) } else { TRANSPARENT };
            let (v_ink, h_ink) = (ink(vertical), ink(horizontal));
            chart
                .draw_series(corners.iter().map(|c| Rectangle::new(*c, colour.filled())))
                .map_err(err)?
                .label(s.0.as_str())
                .legend(move |(x, y)| {
                    let v = |d: i32| PathElement::new(vec![(d, -5), (d, 5)], v_ink.stroke_width(1));
                    let h = |d: i32| PathElement::new(vec![(0, d), (12, d)], h_ink.stroke_width(1));
                    EmptyElement::at((x, y)) + Rectangle::new([(0, -5), (12, 5)], colour.filled()) + h(-2) + h(2) + v(3) + v(7) + v(11)
                });
            for [a, b] in corners {
                let ((x0, y0), (x1, y1)) = (chart.backend_coord(&a), chart.backend_coord(&b));
                let (x0, x1, y0, y1) = (x0.min(x1), x0.max(x1), y0.min(y1), y0.max(y1));
                let mut lines: Vec<[(i32, i32); 2]> = Vec::new();
                if vertical {
                    lines.extend((x0 + 3..x1).step_by(4).map(|px| [(px, y0), (px, y1)]));
                }
                if horizontal {
                    lines.extend((y0 + 3..y1).step_by(4).map(|py| [(x0, py), (x1, py)]));
                }
                for l in lines {
                    root.draw(&PathElement::new(l.to_vec(), WHITE.stroke_width(1))).map_err(err)?;
                }
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1))).map_err(err)?;
            }
        }
        let style = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, (n - i) as f64 - 0.5));
            root.draw(&Text::new(name.clone(), (px - 6, py), style.clone())).map_err(err)?;
        }
        if series.len() > 1 {
            draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

/// Lines over the settings of a grid: x = the settings in order (labelled with their values),
/// one line per series.
pub fn lines(title: &str, x_desc: &str, y_desc: &str, x_labels: &[String], series: &[(String, RGBColor, Vec<f64>)]) -> Result<String> {
    let n = x_labels.len().max(1);
    // Head room on top for the legend.
    let top = series.iter().flat_map(|s| s.2.iter().copied()).filter(|v| v.is_finite()).fold(0.0, f64::max).max(1.0) * 1.45;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 450)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = cartesian(&root, title, -0.5..(n as f64 - 0.5), 0.0..top, 55)?;
        let labels = x_labels.to_vec();
        let fmt = move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 { labels.get(i as usize).cloned().unwrap_or_default() } else { String::new() }
        };
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(n.min(25) + 1)
            .x_label_formatter(&fmt)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        for (label, colour, values) in series {
            let colour = *colour;
            let pts: Vec<(f64, f64)> = values.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(err)?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, colour.filled()))).map_err(err)?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_complete_svg_with_escaped_text() {
        let pts = [Point { x: 10.0, y: 90.0, category: Category::Shnor }, Point { x: 80.0, y: 110.0, category: Category::None }];
        let legend = [(Category::Shnor, "ШНОР".to_string()), (Category::None, "<прочие> & \"другие\"".to_string())];
        let cut = [CutLine { value: 50.0, label: "порог".into() }];
        let s = scatter("ИНР & ИСБШ", "ИНР", "ИСБШ", &pts, &legend, &cut, &cut, None).unwrap();
        assert!(s.starts_with("<svg "));
        assert!(s.trim_end().ends_with("</svg>"));
        assert!(s.contains("&lt;прочие&gt; &amp;"));
        assert!(s.contains("aria-label=\"ИНР &amp; ИСБШ\""));
        roxmltree::Document::parse(&s).unwrap();
        let h = histogram("h", "x", "y", &[1.0, 2.0, 2.5, 9.0], 4, RGBColor(0, 0, 0), &[]).unwrap();
        // The background and two non-empty bins (three values in the first, one in the last).
        assert_eq!(h.matches("<rect").count(), 3);
        roxmltree::Document::parse(&h).unwrap();
        let labels = vec!["Район <А>".to_string(), "Б".to_string()];
        let b = bars("b", "x", &labels, &[("s".into(), RGBColor(1, 2, 3), vec![3.0, 0.0]), ("t".into(), RGBColor(4, 5, 6), vec![1.0, 2.0])], true, false).unwrap();
        assert!(b.contains("Район &lt;А&gt;"));
        roxmltree::Document::parse(&b).unwrap();
        let l = lines("l", "x", "y", &["0.1".into(), "0.15".into()], &[("s".into(), RGBColor(1, 2, 3), vec![5.0, 7.0])]).unwrap();
        assert!(l.contains("<polyline"));
        roxmltree::Document::parse(&l).unwrap();
        // Nothing at all still draws an empty, valid chart.
        let e = bars("e", "x", &[], &[], false, true).unwrap();
        roxmltree::Document::parse(&e).unwrap();
    }
}
