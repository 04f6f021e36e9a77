#!/usr/bin/env bash
# cmake_package.sh PREFIX PROJECT WORK: builds the outside project PROJECT (a copy in WORK/src)
# against the dlc installed in PREFIX, runs its programs (the one on dlc::mpi alone, as one rank),
# then edits a file the model imports and checks that only then the model is compiled again;
# finally builds generic.c with pkg-config.
set -euo pipefail
prefix=$1 project=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp -r "$project" "$work/src"
src=$work/src build=$work/build

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build" | tee "$work/build1.log"
grep -q "Compiling model regressor" "$work/build1.log"
"$build/typed" | tee "$work/typed1.txt"
grep -qx "x \[8, 3\]" "$work/typed1.txt"          # DEFINES B=8
grep -qx "f.a.W \[3, 24\]" "$work/typed1.txt"     # DEFINES H=24 reaches the imported constant
grep -qx "steps 20, loss finite" "$work/typed1.txt"
"$build/generic" "$build/dlc_models/regressor/libregressor.so" | tee "$work/generic.txt"
grep -qx "model regressor: forward eval train_step train_step_grad train_step_apply" "$work/generic.txt"

# dlc::mpi without mpirun: a communicator of one rank.
env -u OMPI_COMM_WORLD_SIZE -u PMIX_RANK -u PMI_SIZE -u PMI_RANK "$build/ranks" | tee "$work/ranks.txt"
grep -qx "rank 0 of 1, launched 0, sum 1" "$work/ranks.txt"

# Nothing changed: nothing is rebuilt.
cmake --build "$build" | tee "$work/build2.log"
if grep -q "Compiling model" "$work/build2.log"; then
  echo "FAIL: the model was compiled again with nothing changed"; exit 1
fi

# An edit to the imported file recompiles the model (dlc --depfile), and the program sees it.
sleep 1 # file times of one second's resolution
sed -i 's/act = tanh/act = relu/' "$src/layers/mlp.dl"
cmake --build "$build" | tee "$work/build3.log"
grep -q "Compiling model regressor" "$work/build3.log"

# A find_package asking for a version this dlc is not compatible with fails.
mkdir -p "$work/too-new"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(p NONE)\nfind_package(dlc 9.0 REQUIRED)\n' \
  > "$work/too-new/CMakeLists.txt"
if cmake -S "$work/too-new" -B "$work/too-new/build" -DCMAKE_PREFIX_PATH="$prefix" \
     >"$work/too-new.log" 2>&1; then
  echo "FAIL: find_package(dlc 9.0) succeeded"; exit 1
fi
grep -q "dlc" "$work/too-new.log"

# pkg-config: the loader and its header, from the prefix alone.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c11 -Wall -Werror "$src/generic.c" -o "$work/generic-pc" $(pkg-config --cflags --libs dlc) \
   -Wl,-rpath,"$(pkg-config --variable=libdir dlc)"
"$work/generic-pc" "$build/dlc_models/regressor/libregressor.so" | grep -qx \
  "model regressor: forward eval train_step train_step_grad train_step_apply"
echo "ok: find_package(dlc), dlc_add_model and pkg-config"
