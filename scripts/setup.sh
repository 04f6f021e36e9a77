#!/usr/bin/env bash
# Installs the Debian packages dlc needs to build and test, when any is missing: the toolchain,
# MLIR/LLVM 19 and Halide 14, Fashion-MNIST (the main job's data), NumPy (the Python package's one
# dependency), PyTorch (the parity test's reference, run with /usr/bin/python3), pocl, an OpenCL
# device on the CPU on which the kernel tests run the GPU schedules, and Open MPI (libdlrt_mpi,
# data-parallel training, and mpirun for its tests), and ONNX (libonnx-dev and libprotobuf-dev for
# `dlc import` and --emit=onnx; python3-onnx and libonnx-testdata for its tests; Node.js (with npm)
# for ONNX Runtime, below). Idempotent, and quiet when everything is
# present. Needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  cmake ninja-build ccache g++ pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19 libclang-rt-19-dev
  libhalide14-0-dev libgtest-dev zlib1g-dev libzstd-dev
  dataset-fashion-mnist python3-numpy python3-torch ocl-icd-libopencl1 pocl-opencl-icd
  libopenmpi-dev openmpi-bin
  libonnx-dev libprotobuf-dev python3-onnx libonnx-testdata nodejs
)

# ONNX Runtime (the ONNX tests check dlc's exports with it; bench/onnx times it): npm's
# onnxruntime-node into node_modules/ at the top of the checkout, where the tests' Node.js script
# finds it. --ignore-scripts: its install script only fetches GPU binaries; the CPU library ships in
# the package. Where npm or the registry is unreachable the ONNX Runtime tests skip, saying why.
onnxruntime() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  [ -d "$root/node_modules/onnxruntime-node" ] && return 0
  if ! command -v npm >/dev/null; then # Debian's nodejs comes without it; nodesource's with it.
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null 2>&1 || true
  fi
  if ! command -v npm >/dev/null; then
    echo "setup: no npm; the tests that need ONNX Runtime will skip"
    return 0
  fi
  echo "setup: installing onnxruntime-node (npm) into $root/node_modules"
  npm install --prefix "$root" --ignore-scripts --no-save --no-package-lock --no-audit --no-fund \
    onnxruntime-node >/dev/null 2>&1 || echo "setup: npm install onnxruntime-node failed; the tests that need it will skip"
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  onnxruntime
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
onnxruntime
