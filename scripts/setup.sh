#!/usr/bin/env bash
# Installs the Debian packages dlc needs to build and test, when any is missing: the toolchain,
# MLIR/LLVM 19 and Halide 14, Fashion-MNIST (the main job's data), NumPy (the Python package's one
# dependency), PyTorch (the parity test's reference, run with /usr/bin/python3), pocl, an OpenCL
# device on the CPU on which the kernel tests run the GPU schedules, and Open MPI (libdlrt_mpi,
# data-parallel training, and mpirun for its tests), and ONNX (libonnx-dev and libprotobuf-dev for
# `dlc import`; python3-onnx and libonnx-testdata for its tests). Idempotent, and quiet when everything is
# present. Needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  cmake ninja-build ccache g++ pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19 libclang-rt-19-dev
  libhalide14-0-dev libgtest-dev zlib1g-dev libzstd-dev
  dataset-fashion-mnist python3-numpy python3-torch ocl-icd-libopencl1 pocl-opencl-icd
  libopenmpi-dev openmpi-bin
  libonnx-dev libprotobuf-dev python3-onnx libonnx-testdata
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
