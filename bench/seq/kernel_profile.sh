#!/bin/bash
# kernel_profile.sh — CPU milliseconds per train step of each kernel of one or more model libraries.
#
# Samples `dl-run bench` with `perf record` (cpu-clock at 2 kHz: only while the process runs, so the
# figures hold on a loaded machine, where wall-clock timings do not) and adds up each kernel's
# samples, its parallel-loop bodies (..._par_for_...) included, per step of STEPS timed + WARMUP
# untimed steps (the library's start-up is in "total" too).
#
#   bench/seq/kernel_profile.sh [--threads N] [--steps N] [--top N] LIB.so...
#   e.g. bench/seq/kernel_profile.sh --threads 1 /tmp/old.so /tmp/new.so /tmp/old.so /tmp/new.so
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
threads=1 steps=30 warmup=2 top=16
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
data=$(mktemp)
trap 'rm -f "$data"' EXIT
for lib in "$@"; do
  perf record -q -F 2000 -o "$data" "$here/build/bin/dl-run" bench "$lib" --entry train_step \
    --steps "$steps" --warmup "$warmup" --threads "$threads" >/dev/null 2>&1
  echo "== $lib ($threads thread(s), ms of CPU per step)"
  perf report -i "$data" --no-children --sort symbol -F sample,sym 2>/dev/null | grep -v '^#' |
    grep '\[' | awk -v n=$((steps + warmup)) '
      { s = $3; sub(/_par_for.*/, "", s); a[s] += $1; t += $1 }
      END { for (k in a) if (a[k] / 2 / n > 0.3) printf "%8.2f  %s\n", a[k] / 2 / n, k
            printf "%8.2f  total\n", t / 2 / n }' | sort -rn | head -"$top"
done
