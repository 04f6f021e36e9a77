#!/usr/bin/env bash
# Builds dlc's libFuzzer targets next to a main build and fuzzes them for a while.
#
#   test/fuzz/build_and_run.sh BUILD_DIR SECONDS [JOBS] [TARGET...]
#
# TARGET is one of
#   frontend    the .dl frontend (FrontendFuzzer.cpp; the default when no TARGET is given)
#   checkpoint  the safetensors checkpoint reader (runtime/CheckpointFuzzer.cpp)
#   npy idx csv the data readers of dl-run (runtime/NpyFuzzer.cpp, IdxFuzzer.cpp, CsvFuzzer.cpp)
#   text        the character text of language models (runtime/TextFuzzer.cpp)
#   elf         the model-library check before dlopen (runtime/ElfFuzzer.cpp)
#   runtime     all six above but the frontend
# Each target runs for SECONDS, one after the other, in JOBS (default 1) parallel processes.
#
# BUILD_DIR is a main build of dlc (after `cmake --build BUILD_DIR`); the fuzzers are built in
# BUILD_DIR/fuzz with clang-19 and their own CMake project (test/fuzz/CMakeLists.txt),
# incrementally, only those asked for. Each target's corpus, BUILD_DIR/fuzz/corpus/TARGET, is kept
# between runs and seeded every time: the frontend's with examples/*.dl and test/lit/frontend/*.dl,
# the others' with test/fuzz/corpus/TARGET (small valid files and near misses). A finding is
# written to BUILD_DIR/fuzz/artifacts/TARGET and fails the script; reproduce it with
# BUILD_DIR/fuzz/dl-TARGET-fuzzer FILE.
#
# Exit status: 0 when the runs found nothing, 1 on a finding or a build failure, 2 for a wrong
# command line, 77 when clang-19 or its fuzzer runtime is not installed (ctest reports a skip).
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR SECONDS [JOBS] [frontend|checkpoint|npy|idx|csv|text|elf|runtime]..." >&2
  exit 2
}
[ $# -ge 2 ] || usage
build=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-1}
shift $(($# < 3 ? $# : 3))
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/fuzz

runtime_targets=(checkpoint npy idx csv text elf)
targets=()
for t in "${@:-frontend}"; do
  case $t in
    runtime) targets+=("${runtime_targets[@]}") ;;
    frontend|checkpoint|npy|idx|csv|text|elf) targets+=("$t") ;;
    *) usage ;;
  esac
done

clang=${DL_FUZZ_CLANG:-/usr/bin/clang++-19}
if [ ! -x "$clang" ] || [ ! -e /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
  echo "fuzz: $clang or libclang-rt-19-dev is not installed; skipping (scripts/setup.sh installs them)"
  exit 77
fi

# Build (quietly unless it fails). Two runs of this script share BUILD_DIR/fuzz (ctest runs the
# frontend's and the runtime's tests in parallel), so the build step takes a lock; the runs do not.
mkdir -p "$out"
log=$out/build-$$.log
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "dl-$t-fuzzer"); done
if ! (flock 9 &&
      cmake -S "$src/test/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE= \
        -DCMAKE_CXX_COMPILER="$clang" -DDLC_BUILD_DIR="$build" -DDLC_SOURCE_DIR="$src" &&
      cmake --build "$out" -j "${DL_FUZZ_BUILD_JOBS:-2}" "${build_targets[@]}") \
     9>"$out/build.lock" >"$log" 2>&1; then
  cat "$log" >&2
  echo "fuzz: building the fuzzers failed" >&2
  exit 1
fi
rm -f "$log"

# seed TARGET CORPUS: copies the target's seeds into its corpus.
seed() {
  if [ "$1" = frontend ]; then
    # Prefixed by origin: an example and a lit test may share a file name (gan.dl).
    for f in "$src"/examples/*.dl; do cp "$f" "$2/example-$(basename "$f")"; done
    for f in "$src"/test/lit/frontend/*.dl; do cp "$f" "$2/lit-$(basename "$f")"; done
  else
    cp "$src/test/fuzz/corpus/$1"/* "$2/"
  fi
}

status=0
for t in "${targets[@]}"; do
  corpus=$out/corpus/$t
  artifacts=$out/artifacts/$t
  logs=$out/logs/$t
  rm -rf "$artifacts" "$logs"
  mkdir -p "$corpus" "$artifacts" "$logs"
  seed "$t" "$corpus"
  args=(-max_len=4096 -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds"
        -artifact_prefix="$artifacts/" -print_final_stats=1)
  if [ "$t" = frontend ]; then
    args+=(-dict="$src/test/fuzz/dl.dict")
  else
    # An input holds at most 4 KiB (a gzip file at most 4 MiB once inflated): an allocation of
    # 64 MiB means a reader believed a header before checking it against the file.
    args+=(-malloc_limit_mb=64)
    [ -e "$src/test/fuzz/runtime/$t.dict" ] && args+=(-dict="$src/test/fuzz/runtime/$t.dict")
  fi
  echo "fuzz $t: running for ${seconds}s (${jobs} job(s)) over $(ls "$corpus" | wc -l) inputs"
  run=0
  if [ "$jobs" -le 1 ]; then
    "$out/dl-$t-fuzzer" "${args[@]}" "$corpus" >"$logs/fuzz.log" 2>&1 || run=$?
  else
    (cd "$logs" && "$out/dl-$t-fuzzer" "${args[@]}" -jobs="$jobs" -workers="$jobs" "$corpus") \
      >"$logs/fuzz.log" 2>&1 || run=$?
    cat "$logs"/fuzz-*.log >>"$logs/fuzz.log" 2>/dev/null || true
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "$logs/fuzz.log" || true
  if [ $run -ne 0 ] || ls "$artifacts" | grep -q .; then
    tail -n 60 "$logs/fuzz.log" >&2
    echo "fuzz $t: findings in $artifacts (reproduce with $out/dl-$t-fuzzer FILE):" >&2
    ls "$artifacts" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "fuzz: no findings"
exit $status
