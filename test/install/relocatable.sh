#!/usr/bin/env bash
# relocatable.sh PREFIX SOURCE_DIR BUILD_DIR WORK: copies the installed PREFIX to WORK/moved and
# checks that the copy stands alone: no installed file names the source tree or the build tree
# (which holds PREFIX), dl-run loads the copy's own loader, and the copy's dlc compiles a model that
# the copy's dl-run runs, with nothing from the build on PATH.
set -euo pipefail
prefix=$1 source=$2 build=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
cp -a "$prefix" "$work/moved"
moved=$work/moved

leaks=$(grep -rlaF -e "$source/" -e "$build/" "$moved" || true)
if [ -n "$leaks" ]; then
  echo "FAIL: installed files that name the source or build tree:"
  for f in $leaks; do
    echo "  $f:"; grep -aoF -e "$source/" -e "$build/" "$f" | sort -u | head -3 | sed 's/^/    /'
  done
  exit 1
fi

loader=$(realpath "$(ldd "$moved/bin/dl-run" | awk '/libdlrt_loader/ {print $3}')")
case "$loader" in
  "$(realpath "$moved")"/lib/libdlrt_loader.so.0*) ;;
  *) echo "FAIL: the moved dl-run loads '$loader', not $moved/lib/libdlrt_loader.so.0"; exit 1 ;;
esac

cp "$source/examples/xor.dl" "$work/xor.dl"
cd "$work"
run() { env -u DLC_RUNTIME_LIB PATH="$moved/bin:/usr/bin:/bin" "$@"; }
run dlc --version
run dlc xor.dl -o xor.so -H
test -s xor.so && test -s xor.h
run dl-run info xor.so | grep -q train_step
run dl-run bench xor.so --steps 5 --warmup 1
echo "ok: the moved install compiles and runs a model alone"
