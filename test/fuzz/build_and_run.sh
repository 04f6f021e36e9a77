#!/usr/bin/env bash
# Builds the frontend's libFuzzer target next to a main build and fuzzes it for a while.
#
#   test/fuzz/build_and_run.sh BUILD_DIR SECONDS [JOBS]
#
# BUILD_DIR is a main build of dlc (after `cmake --build BUILD_DIR`); the fuzzer is built in
# BUILD_DIR/fuzz with clang-19 and its own CMake project (test/fuzz/CMakeLists.txt), incrementally.
# It then runs for SECONDS over a corpus in BUILD_DIR/fuzz/corpus, seeded with examples/*.dl and
# test/lit/frontend/*.dl and kept between runs. JOBS (default 1) fuzzing processes run in
# parallel, each for SECONDS. A finding is written to BUILD_DIR/fuzz/artifacts and fails the script;
# reproduce it with BUILD_DIR/fuzz/dl-frontend-fuzzer FILE.
#
# Exit status: 0 when the run found nothing, 1 on a finding or a build failure, 77 when clang-19 or
# its fuzzer runtime is not installed (ctest reports the test as skipped).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [JOBS]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-1}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/fuzz

clang=${DL_FUZZ_CLANG:-/usr/bin/clang++-19}
if [ ! -x "$clang" ] || [ ! -e /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
  echo "fuzz: $clang or libclang-rt-19-dev is not installed; skipping (scripts/setup.sh installs them)"
  exit 77
fi

# Build (quietly unless it fails).
mkdir -p "$out"
log=$out/build.log
if ! { cmake -S "$src/test/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE= \
         -DCMAKE_CXX_COMPILER="$clang" -DDLC_BUILD_DIR="$build" -DDLC_SOURCE_DIR="$src" &&
       cmake --build "$out" -j "${DL_FUZZ_BUILD_JOBS:-2}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "fuzz: building the fuzzer failed" >&2
  exit 1
fi

# The corpus: the seeds, plus whatever earlier runs kept.
corpus=$out/corpus
rm -rf "$out/artifacts"
mkdir -p "$corpus" "$out/artifacts"
# Prefixed by origin: an example and a lit test may share a file name (gan.dl).
for f in "$src"/examples/*.dl; do cp "$f" "$corpus/example-$(basename "$f")"; done
for f in "$src"/test/lit/frontend/*.dl; do cp "$f" "$corpus/lit-$(basename "$f")"; done

echo "fuzz: running for ${seconds}s (${jobs} job(s)) over $(ls "$corpus" | wc -l) inputs"
args=(-dict="$src/test/fuzz/dl.dict" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds"
      -artifact_prefix="$out/artifacts/" -print_final_stats=1)
status=0
if [ "$jobs" -le 1 ]; then
  "$out/dl-frontend-fuzzer" "${args[@]}" "$corpus" >"$out/fuzz.log" 2>&1 || status=$?
else
  (cd "$out" && "$out/dl-frontend-fuzzer" "${args[@]}" -jobs="$jobs" -workers="$jobs" "$corpus") \
    >"$out/fuzz.log" 2>&1 || status=$?
  cat "$out"/fuzz-*.log >>"$out/fuzz.log" 2>/dev/null || true
fi
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "$out/fuzz.log" || true
if [ $status -ne 0 ] || ls "$out/artifacts" | grep -q .; then
  tail -n 60 "$out/fuzz.log" >&2
  echo "fuzz: findings in $out/artifacts:" >&2
  ls "$out/artifacts" >&2
  exit 1
fi
echo "fuzz: no findings"
