"""What an analyst would script instead of shnor: the peers of the benchmark (benches/shnor.rs --peers).

    python bench/peers.py polars|duckdb DIR OUT

Reads every input of DIR/region.toml (as the generator writes them: CSV with its delimiter, or
Parquet) and does the bulk of the method's work on it, the way a Python polars lazy script or a
DuckDB query would:

* results per student → school × year × procedure × grade × subject: participants, failed
  (mark 2), mean mark, mean score; results per school (participants, mark2…mark5, mean_score)
  → the same keys summed, the mean score weighted by participants;
* questionnaires per family → per school: respondents and the share of «да» of every answer
  column; a social passport per school (shares already) → read as is;
* the register and the context table → read.

Each aggregate is written to OUT as Parquet (shnor writes its results too). Not part of the
tests or CI; run in a virtual environment of its own (the bench makes it: pip install polars
duckdb).
"""

import codecs
import csv
import os
import sys
import tomllib

YES = "да"
# The headers of the generator's per-school form (what the analyst's script would name by hand).
ALIASES = {
    "Год": "year", "Логин ОО": "school_id", "Экзамен": "procedure", "Класс": "grade", "Предмет": "subject",
    "Кол-во участников": "participants", "«2»": "mark2", "«3»": "mark3", "«4»": "mark4", "«5»": "mark5",
    "Средний балл": "mean_score",
}
RESULT_KEYS = ["school_id", "year", "procedure", "grade", "subject"]


def inputs(directory, out):
    with open(os.path.join(directory, "region.toml"), "rb") as f:
        config = tomllib.load(f)
    for item in config.get("input", []):
        yield item["kind"], utf8(os.path.join(directory, item["path"]), out)


def utf8(path, out):
    """The file itself, or (polars and DuckDB read UTF-8 only) a UTF-8 copy of a Windows-1251 file
    in OUT, as the bench's floor does too."""
    if not path.lower().endswith((".csv", ".txt", ".tsv")):
        return path
    # The encoding is told by the file's start (an analyst knows it; decoding all of a 600 MB file
    # only to check it would cost the peer seconds).
    with open(path, "rb") as f:
        start = f.read(1 << 16)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        return path
    except UnicodeDecodeError:
        with open(path, "rb") as f:
            data = f.read()
        copy = os.path.join(out, os.path.basename(path) + ".utf8.csv")
        with open(copy, "w", encoding="utf-8") as f:
            f.write(data.decode("cp1251"))
        return copy


def header(path):
    """Column names and delimiter of a CSV file."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        line = f.readline()
    sep = max([";", "\t", ","], key=line.count)
    return next(csv.reader([line], delimiter=sep)), sep


def is_excel(path):
    return path.lower().endswith((".xlsx", ".xls", ".ods"))


def shape(kind, columns):
    if kind == "results":
        return "results_school" if "participants" in columns else "results_student"
    if kind == "questionnaire":
        return "passport" if "respondents" in columns else "families"
    return "table"


# ---------------------------------------------------------------- polars lazy


def run_polars(directory, out):
    import polars as pl

    def scan(path):
        if is_excel(path):
            frame = pl.read_excel(path, infer_schema_length=0)
            return frame.lazy(), frame.columns
        if path.endswith(".parquet"):
            lf = pl.scan_parquet(path)
            return lf, lf.collect_schema().names()
        columns, sep = header(path)
        return pl.scan_csv(path, separator=sep, infer_schema=False), columns

    def num(name, dtype=pl.Float64):
        return pl.col(name).cast(pl.String).str.replace(",", ".").cast(dtype, strict=False)

    plans = []
    for i, (kind, path) in enumerate(inputs(directory, out)):
        lf, columns = scan(path)
        what = shape(kind, [ALIASES.get(c, c) for c in columns])
        if what.startswith("results"):
            lf = lf.rename({c: ALIASES[c] for c in columns if c in ALIASES})
        if what == "results_student":
            mark = num("mark", pl.Int32)
            lf = lf.group_by(RESULT_KEYS).agg(
                participants=pl.len(),
                failed=(mark == 2).sum(),
                mark_mean=mark.mean(),
                score_mean=num("score").mean(),
            )
        elif what == "results_school":
            n = num("participants")
            lf = lf.group_by(RESULT_KEYS).agg(
                participants=n.sum(),
                failed=num("mark2").sum(),
                mark_mean=((2 * num("mark2") + 3 * num("mark3") + 4 * num("mark4") + 5 * num("mark5")).sum() / n.sum()),
                score_mean=(num("mean_score") * n).sum() / n.sum(),
            )
        elif what == "families":
            school, year = columns[1], columns[0]
            answers = [c for c in columns if c not in (school, year)]
            lf = lf.group_by(school).agg([pl.len().alias("respondents")] + [(pl.col(c) == YES).mean().alias(c) for c in answers])
        plans.append((lf, os.path.join(out, f"{i}.parquet")))
    frames = pl.collect_all([lf for lf, _ in plans])
    for frame, (_, target) in zip(frames, plans):
        frame.write_parquet(target)


# ---------------------------------------------------------------- DuckDB


def run_duckdb(directory, out):
    import duckdb

    con = duckdb.connect()

    def source(path):
        if is_excel(path):
            # DuckDB's excel extension is downloaded at first use (no network here): the sheet is
            # read by polars (fastexcel) and queried as a table.
            import polars as pl

            frame = pl.read_excel(path, infer_schema_length=0)
            name = f"sheet_{abs(hash(path))}"
            con.register(name, frame.to_arrow())
            return name, frame.columns
        if path.endswith(".parquet"):
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
            return f"read_parquet('{path}')", names
        columns, sep = header(path)
        return f"read_csv('{path}', header = true, delim = '{sep}', all_varchar = true)", columns

    def num(name):
        return f"TRY_CAST(replace(CAST(\"{name}\" AS VARCHAR), ',', '.') AS DOUBLE)"

    for i, (kind, path) in enumerate(inputs(directory, out)):
        src, columns = source(path)
        what = shape(kind, [ALIASES.get(c, c) for c in columns])
        if what.startswith("results"):
            renamed = ", ".join(f"\"{c}\" AS {ALIASES.get(c, c)}" if c in ALIASES else f"\"{c}\"" for c in columns)
            src = f"(SELECT {renamed} FROM {src})"
        keys = ", ".join(RESULT_KEYS)
        if what == "results_student":
            query = (
                f"SELECT {keys}, count(*) AS participants, count(*) FILTER (WHERE {num('mark')} = 2) AS failed, "
                f"avg({num('mark')}) AS mark_mean, avg({num('score')}) AS score_mean FROM {src} GROUP BY {keys}"
            )
        elif what == "results_school":
            n = num("participants")
            query = (
                f"SELECT {keys}, sum({n}) AS participants, sum({num('mark2')}) AS failed, "
                f"sum(2 * {num('mark2')} + 3 * {num('mark3')} + 4 * {num('mark4')} + 5 * {num('mark5')}) / sum({n}) AS mark_mean, "
                f"sum({num('mean_score')} * {n}) / sum({n}) AS score_mean FROM {src} GROUP BY {keys}"
            )
        elif what == "families":
            school, year = columns[1], columns[0]
            shares = ", ".join(f"avg(CASE WHEN \"{c}\" = '{YES}' THEN 1.0 ELSE 0.0 END) AS \"{c}\"" for c in columns if c not in (school, year))
            query = f"SELECT \"{school}\", count(*) AS respondents, {shares} FROM {src} GROUP BY \"{school}\""
        else:
            query = f"SELECT * FROM {src}"
        con.execute(f"COPY ({query}) TO '{os.path.join(out, f'{i}.parquet')}' (FORMAT parquet)")


if __name__ == "__main__":
    engine, directory, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    {"polars": run_polars, "duckdb": run_duckdb}[engine](directory, out)
