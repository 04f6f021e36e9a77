#!/bin/bash
# Every GPU check and timing in one go, on a machine with dlc built and an NVIDIA GPU:
#   bench/gpu.sh [BUILD]        (BUILD: the build folder, ./build by default)
# bench/gpu/prepare.sh compiles the examples for the CPU and for CUDA into a scratch folder, and
# bench/gpu/run.sh runs the parity checks, the Fashion-MNIST training and the timings there. Where
# the GPU machine has no dlc, run the two halves on either side (see bench/gpu/prepare.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
ARTIFACTS=$(mktemp -d)
trap 'rm -rf "$ARTIFACTS"' EXIT
"$HERE/gpu/prepare.sh" "$BUILD" "$ARTIFACTS"
"$HERE/gpu/run.sh" "$ARTIFACTS"
