#!/bin/bash
# Every GPU check and timing of dlc, in one go, on a machine with an NVIDIA GPU:
#   bench/gpu/run.sh ARTIFACTS
# ARTIFACTS comes from bench/gpu/prepare.sh (which needs dlc, not a GPU). Runs:
#   1. parity: 20 train steps of every example on the GPU against the CPU library (parity.py);
#   2. Fashion-MNIST: the MLP and the CNN trained for 2 epochs on the GPU (their test accuracy);
#   3. timings: `dl-run bench` of the MLP, CNN and LSTM train steps on the GPU, and of a wide MLP
#      whose step is large products (wide_mlp.dl), then PyTorch's, eager and under torch.compile
#      (torch_peer.py), with the ratios.
# Exits 1 when a parity run failed. PARITY_ONLY=1 stops after step 1; NO_COMPILE=1 skips
# torch.compile.
set -uo pipefail
ARTIFACTS=$(realpath "${1:?usage: run.sh ARTIFACTS}")
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
RUN="$ARTIFACTS/bin/dl-run"
export LD_LIBRARY_PATH="$ARTIFACTS/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null ||
  echo "nvidia-smi: not available"

echo "== parity: 20 steps, GPU against CPU"
"$PYTHON" "$HERE/parity.py" "$ARTIFACTS"
parity=$?
[ "${PARITY_ONLY:-0}" = 1 ] && exit $parity

echo "== Fashion-MNIST on the GPU, 2 epochs"
for name in fashion_mlp fashion_cnn; do
  echo "-- $name"
  "$RUN" train "$ARTIFACTS/models/$name.cuda.so" --data "$ARTIFACTS/data" --epochs 2 2>&1 |
    grep -E "^epoch|accuracy|error" | sed 's/\r//'
done

echo "== train step timings"
declare -A dlc_ms
for pair in mlp:fashion_mlp cnn:fashion_cnn lstm:char_lstm wide:wide_mlp; do
  short=${pair%%:*} name=${pair#*:}
  line=$("$RUN" bench "$ARTIFACTS/models/$name.cuda.so" --steps 200 --warmup 20 2>&1 | grep median)
  echo "dlc $short: $line"
  dlc_ms[$short]=$(sed -E 's/.*median ([0-9.eE+-]+) ms.*/\1/' <<<"$line")
done
compile_flag=""
[ "${NO_COMPILE:-0}" = 1 ] && compile_flag="--no-compile"
"$PYTHON" "$HERE/torch_peer.py" $compile_flag | tee /tmp/dlc-torch-peer.txt
echo "== ratios (PyTorch ms / dlc ms; above 1: dlc faster)"
while read -r _ model mode _ ms _; do
  [ -n "${dlc_ms[$model]:-}" ] && [[ $ms =~ ^[0-9.]+$ ]] &&
    awk -v m="$model" -v o="$mode" -v t="$ms" -v d="${dlc_ms[$model]}" \
      'BEGIN { printf "%-5s vs torch %-8s %6.2fx (torch %.4g ms, dlc %.4g ms)\n", m, o, t / d, t, d }'
done < <(grep -E "^torch (mlp|cnn|lstm|wide) " /tmp/dlc-torch-peer.txt)
exit $parity
