#!/usr/bin/env python3
"""Soak: random near-valid region sets through `shnor check` and `shnor run` (docs/reliability.md).

Generates a few small regions with shnor-gen, then, N times, copies one, damages one to three of
its files at random (a cut, flipped bytes, a line dropped or doubled, a column removed, a header
misspelt, text in a number, a stray quote, another encoding or delimiter, an empty or missing
file, …) and runs `check` and `run` on it. Counts exit codes; a panic (exit 101, "panicked"), a
signal, a timeout or `check` and `run` disagreeing on the exit code is a failure, kept with its
set under OUT/failures/. Not a test: a run of 1,000 sets takes ~20–30 minutes.

    python3 bench/soak.py --sets 1000 --out /tmp/soak [--bin target/release/shnor]
"""
import argparse, collections, json, os, random, shutil, subprocess, sys, time

DAMAGES = []


def damage(f):
    DAMAGES.append(f)
    return f


def lines_of(data):
    return data.split(b"\n")


@damage
def cut(data, rng):
    return data[: rng.randrange(len(data) + 1)]


@damage
def flip_bytes(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


@damage
def drop_line(data, rng):
    ls = lines_of(data)
    if len(ls) > 1:
        del ls[rng.randrange(len(ls))]
    return b"\n".join(ls)


@damage
def double_line(data, rng):
    ls = lines_of(data)
    i = rng.randrange(len(ls))
    ls.insert(i, ls[i])
    return b"\n".join(ls)


def split(line, d):
    return line.split(d)


def delim_of(data):
    head = lines_of(data)[0]
    return max([b";", b",", b"\t"], key=head.count)


@damage
def drop_column(data, rng):
    d = delim_of(data)
    ls = lines_of(data)
    n = len(split(ls[0], d))
    k = rng.randrange(max(n, 1))
    return b"\n".join(d.join(c for j, c in enumerate(split(l, d)) if j != k) for l in ls)


@damage
def misspell_header(data, rng):
    ls = lines_of(data)
    h = bytearray(ls[0])
    if len(h) > 2:
        i = rng.randrange(len(h) - 1)
        h[i], h[i + 1] = h[i + 1], h[i]
    ls[0] = bytes(h)
    return b"\n".join(ls)


@damage
def text_in_cell(data, rng):
    d = delim_of(data)
    ls = lines_of(data)
    if len(ls) < 3:
        return data
    i = rng.randrange(1, len(ls) - 1)
    cells = split(ls[i], d)
    cells[rng.randrange(len(cells))] = rng.choice([b"", b"NaN", b"-5", b"1e309", b"\xd0\xbd/\xd0\xb4", b"=1+2", b"99999999999", b"0,5", b"15 %"])
    ls[i] = d.join(cells)
    return b"\n".join(ls)


@damage
def stray_quote(data, rng):
    i = rng.randrange(len(data) + 1)
    return data[:i] + b'"' + data[i:]


@damage
def reencode(data, rng):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    enc = rng.choice(["cp1251", "utf-16", "koi8-r", "utf-8-sig"])
    return text.encode(enc, errors="replace")


@damage
def other_delimiter(data, rng):
    d = delim_of(data)
    return data.replace(d, rng.choice([b",", b"\t", b"|"]))


@damage
def empty(data, rng):
    return b""


@damage
def garbage_rows(data, rng):
    rows = b"\n".join(bytes(rng.randrange(32, 256) for _ in range(rng.randint(1, 80))) for _ in range(rng.randint(1, 5)))
    return data + b"\n" + rows


@damage
def crlf(data, rng):
    return data.replace(b"\n", b"\r\n")


def run(cmd, timeout):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        return p.returncode, p.stderr.decode("utf-8", "replace") + p.stdout.decode("utf-8", "replace"), time.time() - t0
    except subprocess.TimeoutExpired:
        return "timeout", "", time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", type=int, default=1000)
    ap.add_argument("--out", default="/tmp/soak")
    ap.add_argument("--bin", default="target/release/shnor")
    ap.add_argument("--gen", default="target/release/shnor-gen")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bases", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(os.path.join(a.out, "failures"))
    bases = []
    for b in range(a.bases):
        d = os.path.join(a.out, f"base{b}")
        subprocess.run([a.gen, "--out", d, "--schools", str(rng.choice([40, 60, 120])), "--municipalities", "4", "--seed", str(100 + b), "--csv-only"], check=True, capture_output=True)
        bases.append(d)
    codes, failures, damages, slowest = collections.Counter(), [], collections.Counter(), 0.0
    t_start = time.time()
    for i in range(a.sets):
        work = os.path.join(a.out, "work")
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(rng.choice(bases), work)
        files = sorted(f for f in os.listdir(work) if f.endswith(".csv") and f != "latent_truth.csv")
        done = []
        for _ in range(rng.randint(1, 3)):
            f = rng.choice(files)
            p = os.path.join(work, f)
            if rng.random() < 0.03:
                os.remove(p) if os.path.exists(p) else None
                done.append(f"{f}: removed")
                continue
            if not os.path.exists(p):
                continue
            dmg = rng.choice(DAMAGES)
            data = open(p, "rb").read()
            open(p, "wb").write(dmg(data, rng) if data else data)
            done.append(f"{f}: {dmg.__name__}")
            damages[dmg.__name__] += 1
        cfg = os.path.join(work, "region.toml")
        c_code, c_text, c_t = run([a.bin, "check", cfg], a.timeout)
        r_code, r_text, r_t = run([a.bin, "run", cfg, "--out", os.path.join(work, "out"), "-q"], a.timeout)
        slowest = max(slowest, c_t, r_t)
        codes[(c_code, r_code)] += 1
        bad = []
        for name, code, text in (("check", c_code, c_text), ("run", r_code, r_text)):
            if code == "timeout" or code == 101 or (isinstance(code, int) and code < 0) or "panicked" in text:
                bad.append(f"{name}: exit {code}")
        if c_code != r_code:
            bad.append(f"check exit {c_code}, run exit {r_code}")
        if bad:
            keep = os.path.join(a.out, "failures", f"set{i}")
            shutil.copytree(work, keep, ignore=shutil.ignore_patterns("out"))
            failures.append({"set": i, "damage": done, "problems": bad, "message": (c_text + r_text)[:2000]})
        if (i + 1) % 50 == 0:
            print(f"{i + 1} sets, {len(failures)} failures, {time.time() - t_start:.0f} s", file=sys.stderr)
    summary = {
        "sets": a.sets,
        "seconds": round(time.time() - t_start, 1),
        "slowest_command_s": round(slowest, 2),
        "exit_codes_check_run": {f"{c}/{r}": n for (c, r), n in sorted(codes.items(), key=str)},
        "damages": dict(sorted(damages.items())),
        "failures": failures,
    }
    json.dump(summary, open(os.path.join(a.out, "summary.json"), "w"), ensure_ascii=False, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, ensure_ascii=False, indent=1))
    print(f"failures: {len(failures)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
