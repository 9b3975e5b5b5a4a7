"""Recall and false alarms of the objectivity screen against the generator's planted distortions.

usage: objectivity.py PLANTED.csv VPR_LATEST.csv OBJECTIVITY.csv LATENT_TRUTH.csv
Judged among the schools large enough: at least one ВПР procedure with >= 50 pupils in the
latest year. Recall: planted schools with at least one marker; false alarms: unplanted schools
with a marker (their share of all unplanted); recall among the planted schools where the
distortion altered at least 10 pupils of the latest year; and the false alarms among the weakest
quarter of the unplanted schools by latent quality (markers must not fire on weakness itself).
"""
import collections
import csv
import sys

planted_path, vpr_path, markers_path, truth_path = sys.argv[1:5]
quality = {r["school_id"]: float(r["quality"]) for r in csv.DictReader(open(truth_path, encoding="utf-8"))}
planted_rows = list(csv.DictReader(open(planted_path, encoding="utf-8")))
planted = {r["school_id"]: r["how"] for r in planted_rows}
altered = {r["school_id"]: int(r.get("altered_pupils") or 0) for r in planted_rows}
pupils = collections.Counter()
for r in csv.DictReader(open(vpr_path, encoding="utf-8-sig")):
    pupils[(r["school_id"], r["grade"], r["subject"])] += 1
schools = {s for (s, _, _) in pupils}
big = {s for (s, _, _), n in pupils.items() if n >= 50}
rows = list(csv.DictReader(open(markers_path, encoding="utf-8-sig"), delimiter=";"))
marked = collections.defaultdict(set)
for r in rows:
    marked[r["school_id"]].add(r["marker_code"])
for scope, judged in (("large (>= 50 pupils in a procedure)", big), ("all", schools)):
    p = {s for s in judged if s in planted}
    clean = judged - p
    hit = {s for s in p if s in marked}
    false = {s for s in clean if s in marked}
    print(f"  {scope}: planted {len(p)}, found {len(hit)} (recall {len(hit) / max(1, len(p)):.3f}); "
          f"unplanted {len(clean)}, with a marker {len(false)} (false alarms {len(false) / max(1, len(clean)):.3f})")
    for how in sorted(set(planted.values())):
        ph = {s for s in p if planted[s] == how}
        print(f"    {how}: {len([s for s in ph if s in marked])} of {len(ph)}")
    material = {s for s in p if altered.get(s, 0) >= 10}
    print(f"    planted with >= 10 pupils altered in the latest year: found {len([s for s in material if s in marked])} of {len(material)}"
          f" (recall {len([s for s in material if s in marked]) / max(1, len(material)):.3f})")
    weak = sorted(clean, key=lambda s: quality.get(s, 0.0))[: len(clean) // 4]
    print(f"    weakest quarter of the unplanted: {len([s for s in weak if s in marked])} of {len(weak)} with a marker")
    by = collections.Counter(m for s in judged for m in marked.get(s, ()))
    print("    markers:", dict(sorted(by.items())))
