//===- KernelTestUtil.h - Building kernels and checking their results ---*- C++ -*-===//
//
// Shared by the codegen tests: a small builder for codegen::Kernel specs written by hand, seeded
// random inputs, NumPy-style index helpers for the reference loops the tests compute in double
// precision, and a comparison that reports the first elements that differ.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_CODEGEN_KERNELTESTUTIL_H
#define DLC_TEST_UNIT_CODEGEN_KERNELTESTUTIL_H

#include "compiler/codegen/halide/HalideCodegen.h"
#include "test/unit/codegen/OpenClStandIn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace dl::codegen::test {

using Shape = std::vector<int64_t>;

inline TensorType f32(Shape shape) { return {DType::F32, std::move(shape)}; }
inline TensorType i32(Shape shape) { return {DType::I32, std::move(shape)}; }
inline TensorType i1(Shape shape) { return {DType::I1, std::move(shape)}; }

/// Builds a Kernel value by value: inputs first, then nodes, then outputs.
class KernelBuilder {
public:
  explicit KernelBuilder(std::string name) { kernel_.name = std::move(name); }

  /// Adds an input; returns its value index.
  int input(TensorType type) {
    kernel_.inputs.push_back(std::move(type));
    return static_cast<int>(kernel_.inputs.size()) - 1;
  }
  /// Adds a node; `configure` sets its attributes. Returns its value index.
  int node(const std::string &op, std::vector<int> operands, TensorType type,
           const std::function<void(KernelNode &)> &configure = nullptr) {
    KernelNode n;
    n.op = op;
    n.operands = std::move(operands);
    n.type = std::move(type);
    n.location = "test.dl:" + std::to_string(kernel_.nodes.size() + 1) + ":1";
    if (configure)
      configure(n);
    kernel_.nodes.push_back(std::move(n));
    return static_cast<int>(kernel_.inputs.size() + kernel_.nodes.size()) - 1;
  }
  void output(int value) { kernel_.outputs.push_back(value); }
  const TensorType &typeOf(int v) const { return kernel_.typeOf(v); }
  const Kernel &kernel() const { return kernel_; }

private:
  Kernel kernel_;
};

/// Uniform values in [lo, hi) from a fixed seed, rounded to f32 (what the kernel will see).
inline HostTensor randomTensor(TensorType type, uint32_t seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  HostTensor t;
  t.type = std::move(type);
  t.data.resize(t.type.numElements());
  for (double &v : t.data) {
    v = dist(gen);
    if (t.type.dtype == DType::F32)
      v = static_cast<float>(v);
    else
      v = std::floor(v);
  }
  return t;
}

inline HostTensor tensorOf(TensorType type, std::vector<double> data) {
  return HostTensor{std::move(type), std::move(data)};
}

/// Row-major strides of `shape`.
inline Shape stridesOf(const Shape &shape) {
  Shape s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    s[d - 1] = s[d] * shape[d];
  return s;
}

/// The multi-index of flat element `flat` of `shape`.
inline Shape unflatten(int64_t flat, const Shape &shape) {
  Shape index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] == 0 ? 0 : flat % shape[d];
    flat = shape[d] == 0 ? 0 : flat / shape[d];
  }
  return index;
}

/// The flat index in `in` of the element NumPy broadcasting maps to `outIndex` of a larger shape.
inline int64_t broadcastFlat(const Shape &in, const Shape &outIndex) {
  Shape strides = stridesOf(in);
  size_t lead = outIndex.size() - in.size();
  int64_t flat = 0;
  for (size_t d = 0; d < in.size(); ++d)
    flat += (in[d] == 1 ? 0 : outIndex[lead + d]) * strides[d];
  return flat;
}

/// A fresh directory under the test's temporary directory (TMPDIR) for build products, removed
/// with its contents when it goes; path() is empty if it could not be made.
class TempDir {
public:
  explicit TempDir(const std::string &prefix = "dlc_halide") {
    std::string pattern = ::testing::TempDir() + prefix + "_XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    path_ = mkdtemp(buffer.data()) ? buffer.data() : "";
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  ~TempDir() {
    if (!path_.empty())
      std::system(("rm -rf '" + path_ + "'").c_str());
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

/// |actual - expected| <= atol + rtol |expected| for every element (NaNs must match, infinities
/// must be equal); lists the first few that are not.
inline ::testing::AssertionResult allClose(const HostTensor &actual,
                                           const std::vector<double> &expected, double rtol,
                                           double atol = 0.0) {
  if (actual.data.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.data.size() << " elements, expected " << expected.size();
  std::ostringstream bad;
  int failures = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    double a = actual.data[i], e = expected[i];
    bool ok;
    if (std::isnan(e) || std::isnan(a))
      ok = std::isnan(e) && std::isnan(a);
    else if (std::isinf(e) || std::isinf(a))
      ok = a == e;
    else {
      ok = std::fabs(a - e) <= atol + rtol * std::fabs(e);
    }
    if (!ok && ++failures <= 5)
      bad << "\n  [" << i << "] = " << a << ", expected " << e;
  }
  if (failures)
    return ::testing::AssertionFailure()
           << failures << " of " << expected.size() << " elements differ:" << bad.str();
  return ::testing::AssertionSuccess();
}

/// Runs `kernel` with the JIT; fails the test (and returns empty outputs) on error. Where the
/// OpenCL stand-in is present, the kernel's GPU schedule runs too, and its outputs must agree with
/// the host's within 1e-5 relative and absolute (they sum in other orders and compute
/// transcendental functions differently).
inline std::vector<HostTensor> run(const Kernel &kernel, const std::vector<HostTensor> &inputs,
                                   uint64_t seed = 0, uint32_t step = 0) {
  std::vector<HostTensor> outputs, onGpu;
  std::string error;
  EXPECT_TRUE(runKernel(kernel, inputs, seed, step, outputs, error)) << error;
  if (outputs.empty() || !openClStandInAvailable(error))
    return outputs;
  EXPECT_TRUE(runOnOpenClStandIn(kernel, inputs, seed, step, onGpu, error)) << error;
  for (size_t p = 0; p < onGpu.size() && p < outputs.size(); ++p)
    EXPECT_TRUE(allClose(onGpu[p], outputs[p].data, 1e-5, 1e-5))
        << "output " << p << " of the GPU schedule, against the host's";
  return outputs;
}

/// run(), compiled for the Halide target of `cpu` ("x86-64-v3", "x86-64-v4", "native"), or with the
/// GPU schedule on the OpenCL stand-in (kGpuStandIn).
inline std::vector<HostTensor> runOn(const std::string &cpu, const Kernel &kernel,
                                     const std::vector<HostTensor> &inputs) {
  std::vector<HostTensor> outputs;
  std::string target, error;
  if (cpu == kGpuStandIn) {
    EXPECT_TRUE(runOnOpenClStandIn(kernel, inputs, 0, 0, outputs, error)) << error;
    return outputs;
  }
  EXPECT_TRUE(halideTargetForCpu(cpu, target, error)) << error;
  EXPECT_TRUE(runKernelForTarget(kernel, target, inputs, 0, 0, outputs, error)) << error;
  return outputs;
}

/// The schedules the host can run: x86-64-v3; x86-64-v4 where the host has AVX-512; the GPU
/// schedule where an OpenCL device stands in for the GPU.
inline std::vector<std::string> runnableCpus() {
  std::string target, error;
  std::vector<std::string> cpus = {"x86-64-v3"};
  if (halideTargetForCpu("native", target, error) &&
      target.find("avx512_skylake") != std::string::npos)
    cpus.push_back("x86-64-v4");
  if (openClStandInAvailable(error))
    cpus.push_back(kGpuStandIn);
  return cpus;
}

} // namespace dl::codegen::test

#endif // DLC_TEST_UNIT_CODEGEN_KERNELTESTUTIL_H
