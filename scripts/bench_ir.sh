#!/usr/bin/env bash
# Instruction counts of one iteration of each criterion benchmark, old build against new: a measure that the
# machine's load does not move (valgrind cachegrind, one rayon thread). For each benchmark id,
# Ir(bin --test --exact ID) - Ir(bin --test --exact NONE), so the data set-up shared by both runs cancels.
#
#   cargo bench -p voc-benches --no-run            # in a checkout of each side
#   scripts/bench_ir.sh OLD/target NEW/target drivers signals text
#
# Prints "id old_Mi new_Mi new/old" per benchmark (Mi = millions of instructions). Lower the data sizes with
# the benches' own variables (VOC_BENCH_ROWS, VOC_BENCH_CUSTOMERS, VOC_BENCH_TEXTS, ...): valgrind is ~50x slower.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 OLD_TARGET_DIR NEW_TARGET_DIR BENCH..." >&2
  exit 2
fi
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
newest() { ls -t "$1/release/deps/$2"-* 2>/dev/null | grep -v '\.d$' | head -1; }
ir() { RAYON_NUM_THREADS=1 valgrind --trace-children=yes --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/I *refs/ {gsub(",","",$4); s+=$4} END {print s}'; }
cd "$here/benches"
for b in "$@"; do
  ob=$(newest $old $b); nb=$(newest $new $b)
  o0=$(ir $ob --test --exact NONE); n0=$(ir $nb --test --exact NONE)
  for id in $($nb --list 2>/dev/null | awk -F': ' '/: benchmark/ {print $1}'); do
    if $ob --list 2>/dev/null | grep -q "^$id: benchmark"; then
      o=$(ir $ob --test --exact "$id"); n=$(ir $nb --test --exact "$id")
      python3 -c "o=$o-$o0; n=$n-$n0; print(f'$id {o/1e6:.2f} {n/1e6:.2f} {n/o if o else float(\"nan\"):.4f}')"
    else
      echo "$id only-new"
    fi
  done
done
