#!/bin/sh
# Printed pages of the reports, as an official sees them: report.html and appendix.html of the
# sample region and of a generated 1,500-school region printed to PDF with headless Chromium
# (Debian package `chromium`), pages counted. Not part of the tests.
#   sh bench/pages.sh [OUT]      (pages as PNG for a look: pdftoppm -r 60 -png OUT/sample/report.pdf p)
set -eu
OUT=${1:-/tmp/shnor-pages}
cargo build --release -q
BIN=./target/release
mkdir -p "$OUT"
$BIN/shnor run data-samples/region.toml --out "$OUT/sample" -q --force
$BIN/shnor-gen --out "$OUT/gen1500" --schools 1500 --municipalities 60 --seed 7 --csv-only >/dev/null
$BIN/shnor run "$OUT/gen1500/region.toml" --out "$OUT/r1500" -q --force
# With last year's list (the same run moved back a year): every listed school shows its years on
# the list, the longest case for the list's lines.
python3 - "$OUT/r1500/summary.json" "$OUT/prev1500.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["latest_year"] -= 1
for e in s["shnor_list"]:
    for h in e.get("inr_by_year", []):
        h["year"] -= 1
json.dump(s, open(sys.argv[2], "w"), ensure_ascii=False)
PY
$BIN/shnor run "$OUT/gen1500/region.toml" --out "$OUT/r1500prev" --previous "$OUT/prev1500.json" -q --force
for d in sample r1500 r1500prev; do
  for f in report appendix; do
    chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
      --print-to-pdf="$OUT/$d/$f.pdf" "file://$(cd "$OUT/$d" && pwd)/$f.html" >/dev/null 2>&1
    python3 -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(sys.argv[2], len(re.findall(rb'/Type\s*/Page[^s]', d)), 'pages')" "$OUT/$d/$f.pdf" "$d/$f.html"
  done
done
# The order's appendix as Word prints it (LibreOffice, Debian package libreoffice-writer-nogui),
# when LibreOffice is installed.
if command -v soffice >/dev/null 2>&1; then
  for d in sample r1500; do
    soffice --headless --convert-to pdf --outdir "$OUT/$d" "$OUT/$d/prilozhenie.docx" >/dev/null 2>&1
    python3 -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(sys.argv[2], len(re.findall(rb'/Type\s*/Page[^s]', d)), 'pages')" "$OUT/$d/prilozhenie.pdf" "$d/prilozhenie.docx"
  done
fi
# The municipal one-page summaries and their lists: the largest page count over the packages.
for d in sample r1500; do for part in summary lists; do
  max=0
  for f in "$OUT/$d"/municipalities/*/$part.html; do
    chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$OUT/m.pdf" "file://$f" >/dev/null 2>&1
    n=$(python3 -c "import re,sys; print(len(re.findall(rb'/Type\s*/Page[^s]', open(sys.argv[1],'rb').read())))" "$OUT/m.pdf")
    [ "$n" -gt "$max" ] && max=$n
  done
  echo "$d/municipalities/*/$part.html at most $max pages"
done; done
