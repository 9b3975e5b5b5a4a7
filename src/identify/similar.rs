//! Similar schools (§4.9): for each school of the ШНОР list, the `similar.k` schools nearest to
//! it by ИСБШ among the schools of the same locality type that have ИНР and ИСБШ, and where it
//! stands among them — «of ten schools in like conditions, N do worse».

use std::collections::BTreeMap;

use super::outcome::{SchoolRow, Similar};

/// One candidate: ИСБШ, id, ИНР.
type Candidate<'a> = (f64, &'a str, f64);

/// The similar schools of every school of the ШНОР list with ИНР and ИСБШ, by school id.
pub fn of(rows: &[SchoolRow], k: usize) -> BTreeMap<String, Similar> {
    let mut by_locality: BTreeMap<&str, Vec<Candidate>> = BTreeMap::new();
    for r in rows {
        if let (Some(isbsh), Some(inr)) = (r.isbsh, r.inr) {
            by_locality.entry(r.locality.trim()).or_default().push((isbsh, r.school_id.as_str(), inr));
        }
    }
    for v in by_locality.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    }
    let mut out = BTreeMap::new();
    if k == 0 {
        return out;
    }
    for r in rows.iter().filter(|r| r.shnor) {
        let (Some(isbsh), Some(inr), Some(pool)) = (r.isbsh, r.inr, by_locality.get(r.locality.trim())) else { continue };
        // The pool is sorted by (ИСБШ, id): the school itself is found by binary search.
        let Ok(at) = pool.binary_search_by(|c| c.0.total_cmp(&isbsh).then(c.1.cmp(r.school_id.as_str()))) else { continue };
        let near = nearest(pool, at, isbsh, k);
        if near.is_empty() {
            continue;
        }
        let mut inrs: Vec<f64> = near.iter().map(|c| c.2).collect();
        inrs.sort_by(f64::total_cmp);
        let mid = inrs.len() / 2;
        let median = if inrs.len() % 2 == 1 { inrs.get(mid).copied() } else { Some((inrs.get(mid - 1).copied().unwrap_or(0.0) + inrs.get(mid).copied().unwrap_or(0.0)) / 2.0) };
        out.insert(
            r.school_id.clone(),
            Similar { ids: near.iter().map(|c| c.1.to_string()).collect(), worse: near.iter().filter(|c| c.2 > inr).count(), median_inr: median.unwrap_or(f64::NAN) },
        );
    }
    out
}

/// The `k` candidates nearest by ИСБШ to the one at `at` of `pool` (sorted by ИСБШ), itself left
/// out: walking outwards from it, the nearer side first (the lower side on a tie).
fn nearest<'a>(pool: &[Candidate<'a>], at: usize, isbsh: f64, k: usize) -> Vec<Candidate<'a>> {
    let mut out = Vec::with_capacity(k);
    let (mut left, mut right) = (at, at + 1);
    while out.len() < k {
        let l = left.checked_sub(1).and_then(|i| pool.get(i).map(|c| (i, c)));
        let r = pool.get(right);
        match (l, r) {
            (Some((i, a)), Some(b)) => {
                if (isbsh - a.0).abs() <= (b.0 - isbsh).abs() {
                    out.push(*a);
                    left = i;
                } else {
                    out.push(*b);
                    right += 1;
                }
            }
            (Some((i, a)), None) => {
                out.push(*a);
                left = i;
            }
            (None, Some(b)) => {
                out.push(*b);
                right += 1;
            }
            (None, None) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::category::Category;

    fn school(id: &str, isbsh: f64, inr: f64, locality: &str, shnor: bool) -> SchoolRow {
        let mut r = SchoolRow::of_category(id, if shnor { Category::Shnor } else { Category::None });
        r.isbsh = Some(isbsh);
        r.inr = Some(inr);
        r.locality = locality.to_string();
        r
    }

    #[test]
    fn the_nearest_by_isbsh_of_the_same_locality_and_how_many_do_worse() {
        let rows = vec![
            school("x", 50.0, 80.0, "село", true),
            school("a", 49.0, 90.0, "село", false),
            school("b", 52.0, 60.0, "село", false),
            school("c", 47.0, 85.0, "село", false),
            school("d", 58.0, 20.0, "село", false),
            // Nearer by ИСБШ but a town school: not similar.
            school("t", 50.0, 10.0, "город", false),
        ];
        let s = of(&rows, 3);
        let x = &s["x"];
        // |Δ| = 1 (a), 2 (b), 3 (c), 8 (d): the three nearest are a, b, c.
        assert_eq!(x.ids, ["a", "b", "c"]);
        // a (90) and c (85) do worse than x (80); b (60) better.
        assert_eq!(x.worse, 2);
        assert_eq!(x.median_inr, 85.0);
        assert_eq!(s.len(), 1, "only listed schools get similar schools");
        // Fewer candidates than k: all of them.
        assert_eq!(of(&rows, 10)["x"].ids.len(), 4);
        assert!(of(&rows, 0).is_empty());
    }
}
