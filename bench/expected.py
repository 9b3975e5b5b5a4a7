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

# Risk profiles (§4.9): the risk index against latent low quality (−quality), for every school
# with a profile, and the share of low-quality schools (worst quarter of latent quality) among
# the schools with the highest risk index.
risk = []
for r in csv.DictReader(open(schools_path, encoding="utf-8-sig"), delimiter=";"):
    if r["school_id"] in truth and r.get("risk_index"):
        risk.append((float(r["risk_index"].replace(",", ".")), -truth[r["school_id"]][0], truth[r["school_id"]][1]))
if risk:
    idx, low, soc = [r[0] for r in risk], [r[1] for r in risk], [r[2] for r in risk]
    print(f"schools with a risk index: {len(risk)}")
    print(f"corr(risk_index, latent low quality) = {corr(idx, low):.3f}; corr(risk_index, social) = {corr(idx, soc):.3f}")
    cut = sorted(low)[int(len(low) * 0.75)]
    top = sorted(risk, key=lambda r: -r[0])[: len(risk) // 4]
    hit = sum(1 for r in top if r[1] >= cut) / len(top)
    print(f"  of the quarter with the highest risk index, {hit:.0%} are in the worst quarter of latent quality (25 % by chance)")
