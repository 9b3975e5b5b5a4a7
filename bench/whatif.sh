#!/bin/sh
# Benchmark of whatif and sweep at national scale (40,000 schools), from the stored aggregates
# of one run. Not part of the tests. Needs: cargo, /usr/bin/time (GNU time). About 3 minutes and
# 2 GB of disk in $DIR; the run itself needs about 1.3 GB of memory (see docs/performance.md).
#   sh bench/whatif.sh [DIR]
set -eu
DIR=${1:-/tmp/shnor-bench-40k}
cargo build --release -q
BIN=./target/release
if [ ! -f "$DIR/out/manifest.json" ]; then
  $BIN/shnor-gen --out "$DIR" --schools 40000 --municipalities 2300 --seed 11 --csv-only
  /usr/bin/time -f "run: %e s wall, %M KB peak" $BIN/shnor -v run "$DIR/region.toml" --out "$DIR/out" -q
fi
for i in 1 2 3; do
  /usr/bin/time -f "whatif bottom 15 %%: %e s wall, %M KB peak" \
    $BIN/shnor whatif --from "$DIR/out" --set criteria.bottom.share=0.15 -q
  /usr/bin/time -f "sweep 20 settings of criteria.bottom.share: %e s wall, %M KB peak" \
    $BIN/shnor sweep --from "$DIR/out" --param criteria.bottom.share=0.01:0.20:0.01 -q
done
# Stage times (identification step of run, and of the sweep) with -v:
$BIN/shnor -v whatif --from "$DIR/out" --set criteria.bottom.share=0.15 2>&1 >/dev/null | grep '\['
$BIN/shnor -v sweep --from "$DIR/out" --param criteria.bottom.share=0.01:0.20:0.01 2>&1 >/dev/null | grep '\[' | tail -1
