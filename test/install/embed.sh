#!/usr/bin/env bash
# embed.sh PREFIX EMBED_DIR WORK: configures examples/embed against the installed dlc in PREFIX (as
# an outside project would), builds it (dlc_add_model compiles xor.dl) and runs it.
set -euo pipefail
prefix=$1 source=$2 work=$3
rm -rf "$work"
cmake -S "$source" -B "$work" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work"
"$work/xor_embed" "$work/xor.safetensors"
