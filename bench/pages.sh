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
for d in sample r1500; do
  for f in report appendix; do
    chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
      --print-to-pdf="$OUT/$d/$f.pdf" "file://$(cd "$OUT/$d" && pwd)/$f.html" >/dev/null 2>&1
    python3 -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(sys.argv[2], len(re.findall(rb'/Type\s*/Page[^s]', d)), 'pages')" "$OUT/$d/$f.pdf" "$d/$f.html"
  done
done
