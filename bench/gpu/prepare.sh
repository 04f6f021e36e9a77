#!/bin/bash
# Builds what bench/gpu/run.sh needs into one folder, on any machine with dlc built (no GPU needed):
#   bench/gpu/prepare.sh BUILD OUT
# OUT gets bin/dl-run and its loader, every example compiled twice (models/NAME.cpu.so for
# x86-64-v3, which any x86-64 server runs, and models/NAME.cuda.so) with its `dl-run info`
# (models/NAME.info), bench/gpu/wide_mlp.dl for the GPU alone (models/wide_mlp.cuda.so, timed
# only), and Fashion-MNIST (data/). About 50 MB. Copy OUT to the GPU machine and run
#   bench/gpu/run.sh OUT
# there (or bench/gpu.sh on a machine that has both dlc and a GPU).
set -euo pipefail
BUILD=$(realpath "${1:?usage: prepare.sh BUILD OUT}")
OUT=${2:?usage: prepare.sh BUILD OUT}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXAMPLES=${EXAMPLES:-"xor fashion_mlp fashion_cnn fashion_cnn_bn fashion_cnn_augment vae gan char_lstm tiny_transformer"}

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/models" "$OUT/inputs" "$OUT/data"
cp "$BUILD/bin/dl-run" "$OUT/bin/"
cp "$BUILD"/lib/libdlrt_loader.so* "$OUT/lib/"
cp /usr/share/datasets/fashion-mnist/*.gz "$OUT/data/"
for name in $EXAMPLES; do
  echo "prepare: $name" >&2
  "$BUILD/bin/dlc" "$ROOT/examples/$name.dl" --cpu=x86-64-v3 -o "$OUT/models/$name.cpu.so"
  "$BUILD/bin/dlc" "$ROOT/examples/$name.dl" --target=cuda --cpu=x86-64-v3 -o "$OUT/models/$name.cuda.so"
  "$BUILD/bin/dl-run" info "$OUT/models/$name.cpu.so" >"$OUT/models/$name.info"
done
"$BUILD/bin/dlc" "$ROOT/bench/gpu/wide_mlp.dl" --target=cuda --cpu=x86-64-v3 \
  -o "$OUT/models/wide_mlp.cuda.so"
du -sh "$OUT" >&2
