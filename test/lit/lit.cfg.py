# -*- Python -*-
# The lit suite of dlc: dl-opt tests of the dialect and its passes (*.mlir) and dlc tests of the
# frontend and later stages (*.dl), one folder per layer.
#
# Run it through a build, which knows where the tools are:
#   /usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv <build>/test/lit
# (or `ctest -R lit`, or `cmake --build <build> --target check-lit`). A single file or folder runs as
# <build>/test/lit/<path under test/lit>, e.g. <build>/test/lit/dialect/shape.mlir.
#
# RUN lines call the tools by name: dl-opt, dlc (from the build's bin folder), FileCheck, not,
# split-file (from LLVM 19's bin folder); %cc and %cxx are the system's C and C++ compilers (for
# headers dlc writes). Files in folders named Inputs are not tests.
# Features: `ptxas` when CUDA's ptxas is installed, `cuda-gpu` when an NVIDIA GPU is usable.
import os
import shutil
import subprocess

import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".dl"]
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py"]

if not hasattr(config, "dl_tools_dir"):
    lit_config.fatal(
        "run the suite through a build: lit <build>/test/lit (lit.site.cfg.py is written by CMake)")

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dl_obj_root, "test", "lit")

# The build's tools come first, then LLVM 19's FileCheck and not, so that no other LLVM on the
# machine's PATH (Halide's LLVM 14, for one) is picked up.
config.environment["PATH"] = os.pathsep.join(
    [config.dl_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])

if not os.path.exists(os.path.join(config.dl_tools_dir, "dl-opt")):
    lit_config.fatal("dl-opt is not built in %s; run cmake --build first" % config.dl_tools_dir)

config.substitutions.append(("%python", config.python_executable))

# The C and C++ compilers a user of a generated header would have: cc and c++, else gcc/g++, else
# clang. The link step of dlc needs a C++ driver anyway, so one is always there.
def first_program(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    lit_config.fatal("none of %s is on PATH" % ", ".join(names))
config.substitutions.append(("%cxx", first_program("c++", "g++", "clang++")))
config.substitutions.append(("%cc", first_program("cc", "gcc", "clang")))
config.substitutions.append(("%dl_src_root", config.dl_src_root))

# Hardware and toolchain features, for `REQUIRES:` lines.
cuda_bin = "/usr/local/cuda/bin"
if os.path.exists(os.path.join(cuda_bin, "ptxas")) or shutil.which("ptxas"):
    config.available_features.add("ptxas")
    config.environment["PATH"] += os.pathsep + cuda_bin
nvidia_smi = shutil.which("nvidia-smi")
if nvidia_smi:
    try:
        if subprocess.run([nvidia_smi, "-L"], capture_output=True, timeout=30).returncode == 0:
            config.available_features.add("cuda-gpu")
    except (OSError, subprocess.SubprocessError):
        pass

# Debian's dataset-fashion-mnist (scripts/setup.sh installs it), for the tests that train on it.
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
