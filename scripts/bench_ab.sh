#!/usr/bin/env bash
# A/B of the criterion benches of two builds, run alternately on the same data, so that both sides see the
# same machine load.
#
#   cargo bench -p voc-benches --no-run            # in a checkout of each side
#   scripts/bench_ab.sh OLD/target NEW/target metrics risk ...
#
# Prints one line per benchmark and run: "side round name  time: [low median high]". Each bench binary runs
# ROUNDS times per side (default 2), old then new; FILTER (optional) selects benchmarks by name as
# criterion does. Summarise with the median of each side's medians.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 OLD_TARGET_DIR NEW_TARGET_DIR BENCH..." >&2
  exit 2
fi
old=$(cd "$1" && pwd)/release/deps
new=$(cd "$2" && pwd)/release/deps
shift 2
rounds=${ROUNDS:-2}
filter=${FILTER:-}
here=$(cd "$(dirname "$0")/.." && pwd)
newest() { ls -t "$1/$2"-* 2>/dev/null | grep -v '\.d$' | head -1; }
for b in "$@"; do
  ob=$(newest "$old" "$b")
  nb=$(newest "$new" "$b")
  if [ -z "$ob" ] || [ -z "$nb" ]; then
    echo "bench binary '$b' missing in $old or $new (run cargo bench -p voc-benches --no-run)" >&2
    exit 1
  fi
  for round in $(seq 1 "$rounds"); do
    for side in old new; do
      bin=$ob
      [ "$side" = new ] && bin=$nb
      (cd "$here/benches" && "$bin" --bench ${filter:+"$filter"} --warm-up-time 1 --measurement-time 4 --noplot 2>/dev/null) |
        awk -v side=$side -v r=$round '/^[^ ]/ {name=$1} /time:/ {print side, r, name, $0}'
    done
  done
done
