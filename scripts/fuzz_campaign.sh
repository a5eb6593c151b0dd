#!/usr/bin/env bash
# Runs each cargo-fuzz target for at least SECONDS of CPU time (default 600 = 10 CPU-minutes), one after the
# other, and prints one line per target: CPU seconds, executions, crashes. New inputs go to a scratch folder and
# only those that add coverage are merged into fuzz/corpus/<target>/ (libFuzzer's -merge=1), so the committed
# corpora stay small. Usage: scripts/fuzz_campaign.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-600}
shift || true
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none >/dev/null 2>&1 || cargo fuzz build -s none
bin=target/x86_64-unknown-linux-gnu/release
scratch=${FUZZ_SCRATCH:-$(mktemp -d)}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets < <(cargo fuzz list)
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "artifacts/$t"
  cpu=0
  runs=0
  status=0
  # Wall-clock limits are what libFuzzer offers; repeat until the CPU time reaches the bar.
  while [ "$cpu" -lt "$secs" ]; do
    left=$((secs - cpu + 15))
    start=$(awk '{print $14+$15}' /proc/self/stat)
    /usr/bin/time -f "%U %S" -o "$scratch/$t.time" "$bin/$t" "$scratch/$t" "corpus/$t" \
      -max_total_time="$left" -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$scratch/$t.log" 2>&1 || status=$?
    used=$(awk '{printf "%d", $1 + $2}' "$scratch/$t.time")
    cpu=$((cpu + used))
    runs=$((runs + $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$t.log" | awk '{s+=$2} END {print s+0}')))
    [ "$status" -ne 0 ] && break
    [ "$used" -lt 5 ] && break
  done
  "$bin/$t" -merge=1 "corpus/$t" "$scratch/$t" >/dev/null 2>&1 || true
  crashes=$(find "artifacts/$t" -type f | wc -l)
  printf '%-20s cpu_s=%-5d execs=%-10d crashes=%d exit=%d corpus=%d\n' "$t" "$cpu" "$runs" "$crashes" "$status" \
    "$(find "corpus/$t" -type f | wc -l)"
done
