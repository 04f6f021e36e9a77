//===- HalideKernelTest.cpp - Kernels as whole pipelines, JIT and AOT ------===//
//
// Tests of what the op-family tests do not cover: a kernel with several outputs of different shapes
// (an optimizer update of two parameters), in-place updates through the compiled object (the input
// and output sharing one buffer, as the memory planner arranges), the ahead-of-time path for
// x86-64-v3 and x86-64-v4 (objects that link into a shared library with Halide's runtime and are
// called with KernelSpec.h's signature), kernels of any length (one object for buffers of every
// length, as KernelSharing.h shares them), the lowered statement, the CPU target names and errors.
//
// The AOT tests link with the C++ compiler that built this test (DLC_TEST_CXX) and load the result
// with dlopen; HalideRuntime.h (plain C, no LLVM) gives halide_buffer_t.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include "HalideRuntime.h"

#include <gmock/gmock.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

namespace dl::codegen::test {
namespace {

using ::testing::HasSubstr;

/// An SGD-with-momentum step of a weight [rows, cols] and a bias [cols] in one kernel:
///   v' = 0.9 v + g,  p' = p - lr v'  (for both), outputs interleaved: W', b', vW', vb'.
/// W and b reach only their own outputs, element-wise: the planner may update them in place.
Kernel momentumKernel(int64_t rows, int64_t cols) {
  KernelBuilder b("momentum_step");
  int w = b.input(f32({rows, cols})), vw = b.input(f32({rows, cols})),
      gw = b.input(f32({rows, cols}));
  int bias = b.input(f32({cols})), vb = b.input(f32({cols})), gb = b.input(f32({cols}));
  int lr = b.input(f32({}));
  int mu = b.node("constant", {}, f32({}), [](KernelNode &n) {
    n.constant = {0.9};
    n.splat = true;
  });
  auto update = [&](int p, int v, int g, const Shape &shape, int &newP, int &newV) {
    int scaled = b.node("mul", {v, mu}, f32(shape));
    newV = b.node("add", {scaled, g}, f32(shape));
    int step = b.node("mul", {newV, lr}, f32(shape));
    newP = b.node("sub", {p, step}, f32(shape));
  };
  int newW, newVw, newB, newVb;
  update(w, vw, gw, {rows, cols}, newW, newVw);
  update(bias, vb, gb, {cols}, newB, newVb);
  b.output(newW);
  b.output(newB);
  b.output(newVw);
  b.output(newVb);
  return b.kernel();
}

/// The reference of momentumKernel's outputs for inputs `in`.
std::vector<std::vector<double>> momentumReference(const std::vector<HostTensor> &in) {
  std::vector<std::vector<double>> out(4);
  double lr = in[6].data[0];
  for (int which = 0; which < 2; ++which) {
    const HostTensor &p = in[3 * which], &v = in[3 * which + 1], &g = in[3 * which + 2];
    for (size_t i = 0; i < p.data.size(); ++i) {
      double nv = static_cast<float>(0.9) * v.data[i] + g.data[i];
      out[2 + which].push_back(nv);
      out[which].push_back(p.data[i] - lr * nv);
    }
  }
  return out;
}

std::vector<HostTensor> momentumInputs(int64_t rows, int64_t cols) {
  std::vector<HostTensor> in;
  for (uint32_t s = 0; s < 3; ++s)
    in.push_back(randomTensor(f32({rows, cols}), 40 + s));
  for (uint32_t s = 0; s < 3; ++s)
    in.push_back(randomTensor(f32({cols}), 50 + s));
  in.push_back(tensorOf(f32({}), {0.125}));
  return in;
}

TEST(Pipeline, OutputsOfDifferentShapesInTheKernelsOrder) {
  std::vector<HostTensor> in = momentumInputs(37, 29);
  std::vector<HostTensor> r = run(momentumKernel(37, 29), in);
  ASSERT_EQ(r.size(), 4u);
  std::vector<std::vector<double>> expected = momentumReference(in);
  EXPECT_EQ(r[1].type.shape, Shape({29}));
  for (size_t k = 0; k < 4; ++k)
    EXPECT_TRUE(allClose(r[k], expected[k], 1e-6, 1e-7)) << "output " << k;
}

//===----------------------------------------------------------------------===//
// Ahead of time: objects, a shared library, calls through KernelSpec.h's signature.
//===----------------------------------------------------------------------===//

bool hostHasAvx512() {
  std::string target, error;
  return halideTargetForCpu("native", target, error) &&
         target.find("avx512_skylake") != std::string::npos;
}

/// A dense halide_buffer_t over `data` with dl shape `shape` (dimension 0 innermost).
struct Buffer {
  std::vector<halide_dimension_t> dims;
  halide_buffer_t raw{};

  Buffer(float *data, const Shape &shape) {
    int32_t stride = 1;
    for (size_t h = 0; h < shape.size(); ++h) {
      int32_t extent = static_cast<int32_t>(shape[shape.size() - 1 - h]);
      dims.push_back(halide_dimension_t(0, extent, stride));
      stride *= extent;
    }
    raw.host = reinterpret_cast<uint8_t *>(data);
    raw.type = halide_type_t(halide_type_float, 32);
    raw.dimensions = static_cast<int32_t>(dims.size());
    raw.dim = dims.empty() ? nullptr : dims.data();
  }
};

/// Compiles `kernel` for `cpu`, links it with Halide's runtime into a shared library in `dir` and
/// loads it; returns the kernel's function, or null after recording a failure.
void *buildAndLoad(const Kernel &kernel, const std::string &cpu, const TempDir &dir,
                   void *&library) {
  std::string target, error;
  EXPECT_TRUE(halideTargetForCpu(cpu, target, error)) << error;
  std::string object = dir.path() + "/" + kernel.name + ".o";
  std::string runtime = dir.path() + "/runtime.o", shared = dir.path() + "/kernel.so";
  EXPECT_TRUE(compileKernel(kernel, target, object, error)) << error;
  // The runtime dlc links: compiled without the vector extensions, when dlc was built.
  EXPECT_TRUE(writeHalideRuntime(target, runtime, error)) << error;
  std::ifstream file(object, std::ios::binary);
  char magic[4] = {};
  file.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "\x7f"
                                   "ELF")
      << object;
  std::string link = std::string(DLC_TEST_CXX) + " -shared -o '" + shared + "' '" + object + "' '" +
                     runtime + "' -lpthread -ldl";
  EXPECT_EQ(std::system(link.c_str()), 0) << link;
  library = dlopen(shared.c_str(), RTLD_NOW | RTLD_LOCAL);
  EXPECT_NE(library, nullptr) << dlerror();
  if (!library)
    return nullptr;
  void *fn = dlsym(library, kernelSymbol(kernel.name).c_str());
  EXPECT_NE(fn, nullptr) << kernel.name;
  return fn;
}

using MomentumFn = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                           halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                           halide_buffer_t *, uint64_t, uint32_t, halide_buffer_t *,
                           halide_buffer_t *, halide_buffer_t *, halide_buffer_t *);

/// Runs the momentum step compiled for `cpu` with W and b updated in place.
void checkInPlaceMomentum(const std::string &cpu) {
  // Large enough to run in parallel, with vector tails in both shapes.
  const int64_t rows = 301, cols = 203;
  Kernel kernel = momentumKernel(rows, cols);
  kernel.name = "momentum_" + std::string(cpu == "x86-64-v4" ? "v4" : "v3");
  TempDir dir;
  void *library = nullptr;
  auto fn = reinterpret_cast<MomentumFn>(buildAndLoad(kernel, cpu, dir, library));
  ASSERT_NE(fn, nullptr);

  std::vector<HostTensor> in = momentumInputs(rows, cols);
  std::vector<std::vector<float>> data;
  for (const HostTensor &t : in)
    data.emplace_back(t.data.begin(), t.data.end());
  std::vector<float> newVw(rows * cols), newVb(cols);
  Buffer w(data[0].data(), {rows, cols}), vw(data[1].data(), {rows, cols});
  Buffer gw(data[2].data(), {rows, cols}), b(data[3].data(), {cols}), vb(data[4].data(), {cols});
  Buffer gb(data[5].data(), {cols}), lr(data[6].data(), {});
  Buffer outVw(newVw.data(), {rows, cols}), outVb(newVb.data(), {cols});
  // W' is written over W and b' over b: the same halide_buffer_t as input and output.
  int status = fn(&w.raw, &vw.raw, &gw.raw, &b.raw, &vb.raw, &gb.raw, &lr.raw, 0, 0, &w.raw, &b.raw,
                  &outVw.raw, &outVb.raw);
  ASSERT_EQ(status, 0);

  std::vector<std::vector<double>> expected = momentumReference(in);
  std::vector<std::vector<float>> actual = {data[0], data[3], newVw, newVb};
  for (size_t k = 0; k < 4; ++k) {
    HostTensor t{f32({}), std::vector<double>(actual[k].begin(), actual[k].end())};
    EXPECT_TRUE(allClose(t, expected[k], 1e-6, 1e-7)) << cpu << " output " << k;
  }
  dlclose(library);
}

TEST(AheadOfTime, X86_64_V3ObjectLinksAndUpdatesInPlace) { checkInPlaceMomentum("x86-64-v3"); }

TEST(AheadOfTime, X86_64_V4ObjectLinksAndUpdatesInPlace) {
  if (!hostHasAvx512()) {
    // The object must still compile where it cannot run.
    std::string target, error;
    TempDir dir;
    ASSERT_TRUE(halideTargetForCpu("x86-64-v4", target, error)) << error;
    EXPECT_TRUE(compileKernel(momentumKernel(8, 8), target, dir.path() + "/k.o", error)) << error;
    GTEST_SKIP() << "the host has no AVX-512 to run x86-64-v4 code";
  }
  checkInPlaceMomentum("x86-64-v4");
}

TEST(AheadOfTime, MatmulObjectForBothTargets) {
  KernelBuilder b("dense_relu");
  int x = b.input(f32({128, 784})), w = b.input(f32({784, 256}));
  b.output(b.node("relu", {b.node("matmul", {x, w}, f32({128, 256}))}, f32({128, 256})));
  TempDir dir;
  for (const char *cpu : {"x86-64-v3", "x86-64-v4"}) {
    std::string target, error, object = dir.path() + "/" + cpu + ".o";
    ASSERT_TRUE(halideTargetForCpu(cpu, target, error)) << error;
    ASSERT_TRUE(compileKernel(b.kernel(), target, object, error)) << error;
    std::ifstream file(object, std::ios::binary | std::ios::ate);
    EXPECT_GT(file.tellg(), 1000) << cpu;
  }
}

//===----------------------------------------------------------------------===//
// Kernels of any length (Kernel::anyLength): one compiled kernel for buffers of every length.
//===----------------------------------------------------------------------===//

/// The momentum step of one parameter, 1-D of any length: p' = p - lr (0.9 v + g), v' = 0.9 v + g;
/// outputs p', v'. Its types read [n].
Kernel momentumOfAnyLength(int64_t n) {
  KernelBuilder b("momentum_any");
  int p = b.input(f32({n})), v = b.input(f32({n})), g = b.input(f32({n})), lr = b.input(f32({}));
  int mu = b.node("constant", {}, f32({}), [](KernelNode &c) {
    c.constant = {0.9};
    c.splat = true;
  });
  int newV = b.node("add", {b.node("mul", {v, mu}, f32({n})), g}, f32({n}));
  int newP = b.node("sub", {p, b.node("mul", {newV, lr}, f32({n}))}, f32({n}));
  b.output(newP);
  b.output(newV);
  Kernel k = b.kernel();
  k.anyLength = true;
  return k;
}

/// momentumOfAnyLength's inputs of length n (a NaN and an infinity among the last elements, so that
/// the vector tail carries them), and the expected p', v'.
std::vector<HostTensor> momentumInputsOfLength(int64_t n, std::vector<std::vector<double>> &expected) {
  std::vector<HostTensor> in;
  for (uint32_t s = 0; s < 3; ++s)
    in.push_back(randomTensor(f32({n}), 60 + s));
  if (n >= 3) {
    in[2].data[n - 1] = std::nan("");
    in[1].data[n - 2] = INFINITY;
  }
  in.push_back(tensorOf(f32({}), {0.125}));
  expected.assign(2, {});
  for (int64_t i = 0; i < n; ++i) {
    double nv = static_cast<float>(0.9) * in[1].data[i] + in[2].data[i];
    expected[0].push_back(in[0].data[i] - 0.125 * nv);
    expected[1].push_back(nv);
  }
  return in;
}

TEST(AnyLength, OneKernelRunsAtEveryLength) {
  // Lengths of no full vector, of whole vectors, with tails, and long enough for the threads.
  Kernel kernel = momentumOfAnyLength(16);
  for (int64_t n : {1, 7, 16, 17, 100, 1000, 40000, 40011}) {
    std::vector<std::vector<double>> expected;
    std::vector<HostTensor> in = momentumInputsOfLength(n, expected);
    for (const std::string &cpu : runnableCpus()) {
      std::vector<HostTensor> out = runOn(cpu, kernel, in);
      ASSERT_EQ(out.size(), 2u) << cpu << " n=" << n;
      EXPECT_EQ(out[0].type.shape, Shape({n}));
      for (size_t k = 0; k < 2; ++k)
        EXPECT_TRUE(allClose(out[k], expected[k], 1e-6, 1e-7)) << cpu << " n=" << n << " output " << k;
    }
  }
}

TEST(AnyLength, InputsOfUnequalLengthsAreRefused) {
  Kernel kernel = momentumOfAnyLength(16);
  std::vector<std::vector<double>> expected;
  std::vector<HostTensor> in = momentumInputsOfLength(16, expected);
  in[2] = randomTensor(f32({15}), 1);
  std::vector<HostTensor> out;
  std::string error;
  EXPECT_FALSE(runKernel(kernel, in, 0, 0, out, error));
  EXPECT_THAT(error, HasSubstr("input #2"));
}

TEST(AnyLength, StatementTakesTheLengthFromTheBuffers) {
  std::string target, stmt, error;
  ASSERT_TRUE(halideTargetForCpu("x86-64-v3", target, error)) << error;
  ASSERT_TRUE(lowerKernel(momentumOfAnyLength(16), target, stmt, error)) << error;
  EXPECT_THAT(stmt, HasSubstr("extent.0")); // read from the buffer, not the constant 16
  EXPECT_THAT(stmt, HasSubstr("halide_do_par_for")); // the specialization for long buffers
  EXPECT_THAT(stmt, HasSubstr("x8("));
}

using MomentumAnyFn = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                              halide_buffer_t *, uint64_t, uint32_t, halide_buffer_t *,
                              halide_buffer_t *);

TEST(AnyLength, ObjectUpdatesInPlaceAtEveryLength) {
  // One object, called as the glue calls it for parameters of several sizes, p' over p.
  Kernel kernel = momentumOfAnyLength(16);
  TempDir dir;
  void *library = nullptr;
  auto fn = reinterpret_cast<MomentumAnyFn>(buildAndLoad(kernel, "x86-64-v3", dir, library));
  ASSERT_NE(fn, nullptr);
  for (int64_t n : {5, 203, 40011}) {
    std::vector<std::vector<double>> expected;
    std::vector<HostTensor> in = momentumInputsOfLength(n, expected);
    std::vector<std::vector<float>> data;
    for (const HostTensor &t : in)
      data.emplace_back(t.data.begin(), t.data.end());
    std::vector<float> newV(n);
    Buffer p(data[0].data(), {n}), v(data[1].data(), {n}), g(data[2].data(), {n});
    Buffer lr(data[3].data(), {}), outV(newV.data(), {n});
    ASSERT_EQ(fn(&p.raw, &v.raw, &g.raw, &lr.raw, 0, 0, &p.raw, &outV.raw), 0) << n;
    HostTensor gotP{f32({n}), std::vector<double>(data[0].begin(), data[0].end())};
    HostTensor gotV{f32({n}), std::vector<double>(newV.begin(), newV.end())};
    EXPECT_TRUE(allClose(gotP, expected[0], 1e-6, 1e-7)) << n;
    EXPECT_TRUE(allClose(gotV, expected[1], 1e-6, 1e-7)) << n;
  }
  dlclose(library);
}

//===----------------------------------------------------------------------===//
// The lowered statement, target names and errors.
//===----------------------------------------------------------------------===//

TEST(Lowering, StatementShowsParallelVectorizedLoops) {
  KernelBuilder b("dense");
  int x = b.input(f32({128, 784})), w = b.input(f32({784, 256})), bias = b.input(f32({256}));
  int z = b.node("matmul", {x, w}, f32({128, 256}));
  b.output(b.node("add", {z, bias}, f32({128, 256})));
  std::string target, stmt, error;
  ASSERT_TRUE(halideTargetForCpu("x86-64-v3", target, error)) << error;
  ASSERT_TRUE(lowerKernel(b.kernel(), target, stmt, error)) << error;
  EXPECT_THAT(stmt, HasSubstr("dense"));
  EXPECT_THAT(stmt, HasSubstr("parallel"));
  EXPECT_THAT(stmt, HasSubstr("x8(")); // 8-wide AVX2 vectors
  EXPECT_THAT(stmt, HasSubstr("n0_matmul"));
}

TEST(Targets, CpuNamesMapToHalideTargets) {
  std::string target, error;
  ASSERT_TRUE(halideTargetForCpu("x86-64-v3", target, error));
  EXPECT_EQ(target, "x86-64-linux-avx-avx2-fma-f16c-sse41");
  ASSERT_TRUE(halideTargetForCpu("x86-64-v4", target, error));
  EXPECT_THAT(target, HasSubstr("avx512_skylake"));
  ASSERT_TRUE(halideTargetForCpu("native", target, error));
  EXPECT_THAT(target, HasSubstr("x86-64-linux"));
  EXPECT_FALSE(halideTargetForCpu("pentium", target, error));
  EXPECT_THAT(error, HasSubstr("pentium"));
}

TEST(GpuStandIn, RunsTheGpuScheduleOnAnOpenClDevice) {
  std::string why;
  if (!openClStandInAvailable(why))
    GTEST_SKIP() << "no OpenCL stand-in for the GPU, so no kernel test runs a GPU schedule: "
                 << why;
  KernelBuilder b("dense_tanh");
  int x = b.input(f32({33, 70})), w = b.input(f32({70, 45}));
  b.output(b.node("tanh", {b.node("matmul", {x, w}, f32({33, 45}))}, f32({33, 45})));
  std::string target, stmt, error;
  ASSERT_TRUE(halideTargetForCpu("x86-64-v3", target, error)) << error;
  ASSERT_TRUE(lowerKernel(b.kernel(), target + "-opencl", stmt, error)) << error;
  EXPECT_THAT(stmt, HasSubstr("halide_opencl_run")); // the GPU schedule, not the CPU one
  HostTensor xs = randomTensor(f32({33, 70}), 1), ws = randomTensor(f32({70, 45}), 2);
  std::vector<HostTensor> onGpu;
  ASSERT_TRUE(runOnOpenClStandIn(b.kernel(), {xs, ws}, 0, 0, onGpu, error)) << error;
  std::vector<double> expected;
  for (int i = 0; i < 33; ++i)
    for (int j = 0; j < 45; ++j) {
      double z = 0;
      for (int k = 0; k < 70; ++k)
        z += xs.data[i * 70 + k] * ws.data[k * 45 + j];
      expected.push_back(std::tanh(z));
    }
  ASSERT_EQ(onGpu.size(), 1u);
  EXPECT_TRUE(allClose(onGpu[0], expected, 1e-5, 1e-6));
}

TEST(KernelNames, NamesOfLibmAndRuntimeFunctionsCompileAndRun) {
  // Halide's module for a kernel declares libm's and its runtime's functions: a kernel named like
  // one of them failed to compile ("Symbol not found: out0.buffer"), ahead of time on the host and
  // for the GPU schedule. Each runs tanh of [4, 5], ahead of time and on the OpenCL stand-in.
  using TanhFn = int (*)(halide_buffer_t *, uint64_t, uint32_t, halide_buffer_t *);
  HostTensor xs = randomTensor(f32({4, 5}), 7);
  std::vector<double> expected;
  for (double v : xs.data)
    expected.push_back(std::tanh(v));
  std::string why;
  bool standIn = openClStandInAvailable(why);
  for (const char *name : {"tanh", "acos", "atan2", "sinh", "halide_error"}) {
    KernelBuilder b(name);
    int x = b.input(f32({4, 5}));
    b.output(b.node("tanh", {x}, f32({4, 5})));
    TempDir dir;
    void *library = nullptr;
    auto fn = reinterpret_cast<TanhFn>(buildAndLoad(b.kernel(), "x86-64-v3", dir, library));
    ASSERT_NE(fn, nullptr) << name;
    std::vector<float> in(xs.data.begin(), xs.data.end()), out(20);
    Buffer input(in.data(), {4, 5}), output(out.data(), {4, 5});
    ASSERT_EQ(fn(&input.raw, 0, 0, &output.raw), 0) << name;
    EXPECT_TRUE(allClose(HostTensor{f32({4, 5}), std::vector<double>(out.begin(), out.end())},
                         expected, 1e-6, 1e-7))
        << name << " ahead of time";
    dlclose(library);
    if (!standIn)
      continue;
    std::vector<HostTensor> onGpu;
    std::string error;
    ASSERT_TRUE(runOnOpenClStandIn(b.kernel(), {xs}, 0, 0, onGpu, error)) << name << ": " << error;
    ASSERT_EQ(onGpu.size(), 1u);
    EXPECT_TRUE(allClose(onGpu[0], expected, 1e-5, 1e-6)) << name << " on the OpenCL stand-in";
  }
}

TEST(Errors, AreReportedNotThrown) {
  std::string error, stmt;
  std::vector<HostTensor> outputs;

  KernelBuilder unknown("unknown");
  int x = unknown.input(f32({4}));
  unknown.output(unknown.node("frobnicate", {x}, f32({4})));
  EXPECT_FALSE(runKernel(unknown.kernel(), {randomTensor(f32({4}), 1)}, 0, 0, outputs, error));
  EXPECT_THAT(error, HasSubstr("test.dl:1:1"));
  EXPECT_THAT(error, HasSubstr("dl.frobnicate"));

  KernelBuilder forward("forward_ref");
  int y = forward.input(f32({4}));
  forward.output(forward.node("add", {y, 5}, f32({4})));
  EXPECT_FALSE(lowerKernel(forward.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("not defined before"));

  KernelBuilder missing("missing_attr");
  int z = missing.input(f32({2, 3}));
  missing.output(missing.node("transpose", {z}, f32({3, 2})));
  EXPECT_FALSE(lowerKernel(missing.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("perm"));

  KernelBuilder fine("fine");
  int v = fine.input(f32({4}));
  fine.output(fine.node("neg", {v}, f32({4})));
  EXPECT_FALSE(lowerKernel(fine.kernel(), "not-a-target", stmt, error));
  EXPECT_THAT(error, HasSubstr("not-a-target"));
  EXPECT_FALSE(runKernel(fine.kernel(), {}, 0, 0, outputs, error));
  EXPECT_THAT(error, HasSubstr("0 inputs given for 1"));
}

} // namespace
} // namespace dl::codegen::test

