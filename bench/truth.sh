#!/bin/sh
# How well each setting's ШНОР list finds the truly weak schools of a generated region of 1,500
# schools, against the generator's latent truth (latent_truth.csv, which shnor never reads).
# Not part of the tests. About a minute after the build.
#   sh bench/truth.sh [DIR]
set -eu
DIR=${1:-/tmp/shnor-truth-1500}
cargo build --release -q
BIN=./target/release
$BIN/shnor-gen --out "$DIR" --schools 1500 --municipalities 60 --seed 7 --csv-only
run() { name=$1; shift; $BIN/shnor --lang en run "$DIR/region.toml" --out "$DIR/$name" -q "$@"; echo "$name=$DIR/$name/schools.csv"; }
set -- \
  "$(run default)" \
  "$(run r30_only --set criteria.bottom.enabled=false)" \
  "$(run bottom_only --set criteria.r30.enabled=false)" \
  "$(run r30_lower_bound --set criteria.r30.basis=lower_bound)" \
  "$(run r30_shrunk --set criteria.r30.basis=shrunk)" \
  "$(run r30_lb_only --set criteria.r30.basis=lower_bound --set criteria.bottom.enabled=false)" \
  "$(run r30_shrunk_only --set criteria.r30.basis=shrunk --set criteria.bottom.enabled=false)" \
  "$(run inr_shrunk --set method.inr.basis=shrunk)" \
  "$(run both_shrunk --set method.inr.basis=shrunk --set criteria.r30.basis=shrunk)" \
  "$(run bottom_shrunk_only --set method.inr.basis=shrunk --set criteria.r30.enabled=false)" \
  "$(run bottom_shrunk_15 --set method.inr.basis=shrunk --set criteria.r30.enabled=false --set criteria.bottom.share=0.15)" \
  "$(run both_shrunk_lb --set method.inr.basis=shrunk --set criteria.r30.basis=lower_bound)"
python3 bench/truth.py "$DIR/latent_truth.csv" "$@"
