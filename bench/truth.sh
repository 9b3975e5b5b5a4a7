#!/bin/sh
# How well each setting's ШНОР list finds the truly weak schools of generated regions of 1,500
# schools, against the generator's latent truth (latent_truth.csv, which shnor never reads).
# Not part of the tests. About 15 s per region after the build.
#   sh bench/truth.sh [SEED ...]      (default: 7; docs/methodology.md §6 uses 7 8 9 10)
set -eu
[ $# -gt 0 ] || set -- 7
cargo build --release -q
BIN=./target/release
for SEED in "$@"; do
  DIR=${TRUTH_DIR:-/tmp/shnor-truth}/seed$SEED
  $BIN/shnor-gen --out "$DIR" --schools 1500 --municipalities 60 --seed "$SEED" --csv-only >/dev/null
  run() { name=$1; shift; $BIN/shnor --lang en run "$DIR/region.toml" --out "$DIR/$name" -q "$@" >/dev/null; echo "$name=$DIR/$name/schools.csv"; }
  PROB="--set criteria.bottom.basis=probability"
  echo "seed $SEED"
  python3 bench/truth.py "$DIR/latent_truth.csv" \
    "$(run default)" \
    "$(run r30_only --set criteria.bottom.enabled=false)" \
    "$(run bottom_only --set criteria.r30.enabled=false)" \
    "$(run r30_lower_bound --set criteria.r30.basis=lower_bound)" \
    "$(run inr_and_r30_shrunk --set method.inr.basis=shrunk --set criteria.r30.basis=shrunk)" \
    "$(run bottom_p10_0.8 $PROB --set criteria.r30.enabled=false)" \
    "$(run bottom_p15_0.5 $PROB --set criteria.r30.enabled=false --set criteria.bottom.share=0.15 --set criteria.bottom.min_probability=0.5)" \
    "$(run robust_min5 --preset robust --set method.min_participants=5)" \
    "$(run robust_p0.8 --preset robust --set criteria.bottom.min_probability=0.8)" \
    "$(run robust_13 --preset robust --set criteria.bottom.share=0.13)" \
    "$(run robust --preset robust)"
done
