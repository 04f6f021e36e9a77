//===- RuntimeObjectTest.cpp - The Halide runtime dlc links, compiled at build time ===//
//
// dlc writes a model's Halide runtime from bytes compiled when dlc was built (RuntimeTarget.h):
// for each target dlc gives its kernels, those bytes must be what Halide compiles now for that
// target without its vector extensions, and a target outside the embedded ones is compiled on the
// spot. The AOT tests of HalideKernelTest link these runtimes with AVX2 and AVX-512 kernels.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace dl::codegen::test {
namespace {

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// writeHalideRuntime(`kernels`) against compileHalideRuntime(`runtime`), byte for byte.
void expectRuntimeOf(const std::string &kernels, const std::string &runtime) {
  TempDir dir;
  std::string written = dir.path() + "/written.o", compiled = dir.path() + "/compiled.o", error;
  ASSERT_TRUE(writeHalideRuntime(kernels, written, error)) << error;
  ASSERT_TRUE(compileHalideRuntime(runtime, compiled, error)) << error;
  std::string a = readBytes(written), b = readBytes(compiled);
  EXPECT_GT(a.size(), 1000u) << kernels;
  EXPECT_EQ(a.substr(0, 4), "\x7f"
                            "ELF");
  EXPECT_TRUE(a == b) << "the runtime written for " << kernels << " (" << a.size()
                      << " bytes) is not Halide's runtime for " << runtime << " (" << b.size()
                      << " bytes)";
}

TEST(RuntimeObject, EveryCpuLevelGetsTheRuntimeWithoutVectorExtensions) {
  for (const char *cpu : {"native", "x86-64-v3", "x86-64-v4"}) {
    std::string target, error;
    ASSERT_TRUE(halideTargetForCpu(cpu, target, error)) << error;
    expectRuntimeOf(target, "x86-64-linux");
  }
}

TEST(RuntimeObject, CudaTargetsGetTheCudaRuntime) {
  for (const char *cpu : {"native", "x86-64-v4"}) {
    std::string target, error;
    ASSERT_TRUE(halideTargetForCuda(cpu, target, error)) << error;
    expectRuntimeOf(target, "x86-64-linux-cuda-cuda_capability_80");
  }
}

TEST(RuntimeObject, OtherTargetsAreCompiledOnTheSpot) {
  // Not embedded: Halide's debug runtime, compiled for the target less its extensions.
  expectRuntimeOf("x86-64-linux-avx-avx2-fma-sse41-debug", "x86-64-linux-debug");
}

TEST(RuntimeObject, ABadTargetIsAnError) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(writeHalideRuntime("x86-64-nonsense", dir.path() + "/r.o", error));
  EXPECT_NE(error.find("x86-64-nonsense"), std::string::npos) << error;
}

} // namespace
} // namespace dl::codegen::test
