#!/usr/bin/env bash
# Builds the runtime, the data readers, dl-run and their GoogleTests under AddressSanitizer and
# UndefinedBehaviorSanitizer next to a main build, then runs those tests.
#
#   test/sanitize/build_and_run.sh BUILD_DIR [CTEST_ARGUMENTS...]
#
# BUILD_DIR is a main build of dlc; the sanitizer build goes to BUILD_DIR/asan (the same CMake
# project configured with -DDLC_SANITIZE=ON, see SanitizeBuild.cmake), incrementally and through
# ccache like the main build. Its tests run with ctest, DL_SANITIZE_JOBS (default 2) at a time; any
# CTEST_ARGUMENTS go to that ctest (`-R DataReadersTest`, `-V`). A finding (heap overflow, use after
# free, leak, undefined behaviour) stops the test that met it and fails the script; the test's output
# holds the sanitizer's report. Rerun one test with BUILD_DIR/asan/bin/<Test> --gtest_filter=...
#
# Exit status: 0 when every test passed, 1 on a failure or a build failure, 77 when the compiler
# cannot build and run a sanitized program (libasan or libubsan missing; ctest reports a skip).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [CTEST_ARGUMENTS...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/asan

# The main build's compiler, so the sanitizer build shares its ccache and its libstdc++.
cxx=${DL_SANITIZE_CXX:-$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)}
cc=${DL_SANITIZE_CC:-$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)}
cxx=${cxx:-c++}
cc=${cc:-cc}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main(int argc, char **) { return argc - 1; }' >"$probe/probe.cpp"
if ! "$cxx" -fsanitize=address,undefined "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1 ||
   ! "$probe/probe"; then
  echo "sanitize: $cxx cannot build and run a program with -fsanitize=address,undefined" \
       "(libasan and libubsan come with g++); skipping"
  exit 77
fi

# Build (quietly unless it fails).
mkdir -p "$out"
log=$out/build.log
if ! { cmake -S "$src" -B "$out" -G Ninja -DDLC_SANITIZE=ON -DCMAKE_BUILD_TYPE= \
         -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" &&
       cmake --build "$out" -j "${DL_SANITIZE_BUILD_JOBS:-2}"; } \
     >"$log" 2>&1; then
  cat "$log" >&2
  echo "sanitize: building the sanitizer build failed" >&2
  exit 1
fi

# Leaks count (LeakSanitizer is on by default); every report comes with its stack trace. A failed
# allocation returns null, as the C library's does, instead of stopping the process: the runtime
# turns it into DL_ERR_OUT_OF_MEMORY, which InstanceTest checks by asking for 128 TiB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$out"
if ! ctest --output-on-failure -j "${DL_SANITIZE_JOBS:-2}" "$@"; then
  echo "sanitize: a test failed under ASan/UBSan; its output above holds the report" >&2
  exit 1
fi
echo "sanitize: no findings"
