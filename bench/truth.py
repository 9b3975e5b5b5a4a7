#!/usr/bin/env python3
"""How well a list finds the truly weak schools, against the generator's latent truth.

Reads the generator's latent_truth.csv and one or more schools.csv written by
`shnor run --lang en` (delimiter «;», decimal comma), and prints for each: the share of schools
on the ШНОР list, precision (listed schools truly in the bottom 20 % by latent quality), recall
(of the true bottom 10 %, the share listed), and the listing rate of small schools (under 300
pupils) against large ones. Not a test: a measurement (see bench/truth.sh).

    python3 bench/truth.py latent_truth.csv name=out/schools.csv [name=out2/schools.csv ...]
"""
import csv
import math
import sys


def truth(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {r["school_id"]: (float(r["quality"]), int(r["students"])) for r in csv.DictReader(f)}


def listed(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["school_id"]: r["shnor"] == "1" for r in csv.DictReader(f, delimiter=";")}


def measure(t, on):
    ids = sorted(t, key=lambda i: (t[i][0], i))  # lowest quality (worst) first
    n = len(ids)
    bottom20 = set(ids[: math.ceil(0.20 * n)])
    bottom10 = set(ids[: math.ceil(0.10 * n)])
    flagged = {i for i in ids if on.get(i)}
    small = [i for i in ids if t[i][1] < 300]
    large = [i for i in ids if t[i][1] >= 300]
    rate = lambda g: sum(1 for i in g if i in flagged) / len(g) if g else float("nan")
    precision = len(flagged & bottom20) / len(flagged) if flagged else float("nan")
    recall = len(flagged & bottom10) / len(bottom10)
    ratio = rate(small) / rate(large) if rate(large) > 0 else float("inf")
    return len(flagged) / n, precision, recall, rate(small), rate(large), ratio, len(flagged)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    t = truth(sys.argv[1])
    ids = sorted(t, key=lambda i: (t[i][0], i))
    bottom10 = set(ids[: math.ceil(0.10 * len(ids))])
    small = [i for i in ids if t[i][1] < 300]
    large = [i for i in ids if t[i][1] >= 300]
    rs = sum(i in bottom10 for i in small) / len(small)
    rl = sum(i in bottom10 for i in large) / len(large)
    print(f"truth: small schools are {rs / rl:.2f} times as often in the true bottom 10 % as large ones")
    print(f"{'setting':<24} {'listed':>7} {'share':>7} {'precision':>10} {'recall':>7} {'small':>7} {'large':>7} {'small/large':>12}")
    for arg in sys.argv[2:]:
        name, _, path = arg.partition("=")
        share, p, r, s, l, ratio, k = measure(t, listed(path))
        print(f"{name:<24} {k:>7} {share:>7.3f} {p:>10.3f} {r:>7.3f} {s:>7.3f} {l:>7.3f} {ratio:>12.2f}")


if __name__ == "__main__":
    main()
