"""Results against conditions (§4.9) measured on the generator's latent truth.

usage: expected.py LATENT_TRUTH.csv SCHOOLS.csv   (schools.csv of `shnor --lang en run`)
Prints the correlation of inr_residual with the latent quality net of conditions (the part of
`quality` that `social` does not explain, least squares), of ИНР with quality and social, and
the mean net quality of the schools labelled below / above expected. Needs only the standard
library. Not part of the tests.
"""
import csv
import statistics
import sys

truth_path, schools_path = sys.argv[1:3]
truth = {r["school_id"]: (float(r["quality"]), float(r["social"])) for r in csv.DictReader(open(truth_path, encoding="utf-8"))}
rows = []
for r in csv.DictReader(open(schools_path, encoding="utf-8-sig"), delimiter=";"):
    num = lambda c: float(r[c].replace(",", ".")) if r[c] else None
    if r["school_id"] in truth and num("inr_residual") is not None:
        q, s = truth[r["school_id"]]
        rows.append((num("inr"), num("inr_residual"), q, s, r["against_expected"]))
q = [r[2] for r in rows]
s = [r[3] for r in rows]
mq, ms = statistics.fmean(q), statistics.fmean(s)
slope = sum((a - mq) * (b - ms) for a, b in zip(q, s)) / sum((b - ms) ** 2 for b in s)
net = [a - mq - slope * (b - ms) for a, b in zip(q, s)]
corr = statistics.correlation
print(f"schools with a residual: {len(rows)}")
print(f"corr(inr_residual, quality net of conditions) = {corr([r[1] for r in rows], net):.3f}")
print(f"corr(inr, quality) = {corr([r[0] for r in rows], q):.3f}; corr(inr, social) = {corr([r[0] for r in rows], s):.3f}")
print(f"corr(inr_residual, social) = {corr([r[1] for r in rows], s):.3f}")
for label in ("below_expected", "above_expected", ""):
    v = [n for n, r in zip(net, rows) if r[4] == label]
    print(f"  {label or 'no label'}: {len(v)} schools, mean net quality {statistics.fmean(v) if v else float('nan'):.2f}")
