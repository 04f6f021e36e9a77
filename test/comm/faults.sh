#!/usr/bin/env bash
# faults.sh MODE LIMIT PROGRAM MPIRUN [FLAGS...]: runs `MPIRUN FLAGS... PROGRAM MODE` (the mpirun
# prefix carries the number of ranks) and checks how the job ends when one rank fails while the
# others wait in an all-reduce (MpiFaultProgram.cpp says how each MODE fails):
#   none         the control: mpirun exits 0
#   abort        mpirun exits with the status given to dl_mpi_abort, 3
#   kill, exit   mpirun exits nonzero
# in every failing mode within LIMIT seconds, and with no rank left running after mpirun. The
# whole run is killed at 2 * LIMIT, so a job that hangs fails here instead of at ctest's timeout.
set -uo pipefail
mode=$1 limit=$2 program=$3
shift 3

pids=$(mktemp -d)
log=$pids/log
trap 'rm -rf "$pids"' EXIT

start=$(date +%s%N)
DL_FAULT_PIDS=$pids timeout -s KILL $((2 * limit)) "$@" "$program" "$mode" >"$log" 2>&1
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
seconds=$(printf '%d.%03d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)))
sed 's/^/  | /' "$log"

fail() { echo "FAIL ($mode): $*"; exit 1; }
case $mode in
  none)  [ "$status" -eq 0 ] || fail "the control run exited $status" ;;
  abort) [ "$status" -eq 3 ] || fail "mpirun exited $status, not dl_mpi_abort's 3" ;;
  *)     [ "$status" -ne 0 ] || fail "mpirun exited 0 although a rank failed" ;;
esac
[ "$elapsed_ms" -le $((limit * 1000)) ] || fail "mpirun took ${seconds} s, more than $limit s"

# mpirun has returned; its ranks must be gone too. A zombie counts as gone: it has ended, and
# mpirun's orphans wait for an init that may be slow to reap them (seconds, in some containers).
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status" 2>/dev/null; }
[ -n "$(ls "$pids" | grep -v '^log$')" ] || fail "no rank wrote its pid"
for file in "$pids"/[0-9]*; do
  pid=$(cat "$file")
  for _ in $(seq 50); do alive "$pid" || continue 2; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  fail "rank $(basename "$file") (pid $pid) outlived mpirun"
done
echo "ok ($mode): mpirun exited $status after $seconds s"
