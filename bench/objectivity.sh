#!/bin/sh
# The objectivity screen against planted truth: generated regions of 1,500 schools with
# distorted results planted in 10 % of the schools (shnor-gen --plant-objectivity 0.1: inflated
# journal marks, inflated ВПР marks of the latest year or scores pushed over a mark boundary;
# planted_objectivity.csv, which shnor never reads), recall and false alarms among the schools
# large enough to judge.
# Not part of the tests. About 15 s per region after the build.
#   sh bench/objectivity.sh [SEED ...]      (default: 7; docs/methodology.md uses 7 8 9 10)
set -eu
[ $# -gt 0 ] || set -- 7
cargo build --release -q
BIN=./target/release
for SEED in "$@"; do
  DIR=${TRUTH_DIR:-/tmp/shnor-objectivity}/seed$SEED
  $BIN/shnor-gen --out "$DIR" --schools 1500 --municipalities 60 --seed "$SEED" --csv-only --plant-objectivity 0.1 >/dev/null
  $BIN/shnor --lang en run "$DIR/region.toml" --out "$DIR/out" -q --force >/dev/null
  echo "seed $SEED"
  python3 bench/objectivity.py "$DIR/planted_objectivity.csv" "$(ls "$DIR"/vpr_2025.csv)" "$DIR/out/objectivity.csv" "$DIR/latent_truth.csv"
done
