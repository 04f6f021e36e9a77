//===- SgemmBench.cpp - dlc's generated SGEMM against oneDNN's dnnl_sgemm ---===//
//
// Times the matrix products of the Fashion-MNIST MLP (784-256-128-10, batch 128), forward and
// backward, as dlc compiles them: each product is a one-node Kernel (plus `transpose` nodes for the
// backward pass's transposed operands, as the fusion pass hands them over) compiled ahead of time
// by compiler/codegen/halide for the chosen CPU, linked with Halide's runtime into one shared
// library, loaded and called through KernelSpec.h's signature, exactly as a model.so calls it. The
// peer is oneDNN's dnnl_sgemm on the same data with the same transposes, in the same process, with
// the same number of threads (Halide's thread pool and oneDNN's OpenMP both get --threads).
//
// Prints, per shape, GFLOP/s of both (the best of 15 timed batches of at least 20 ms each, the two
// libraries alternating batch by batch), their ratio, and the largest difference between the two
// results; then each kernel's AOT compile time. See README.md for the command.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/HalideCodegen.h"

#include "HalideRuntime.h"
#include "dnnl.h"

#include <omp.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace dl::codegen;

namespace {

using Clock = std::chrono::steady_clock;

/// One product C[M, N] = op(A) op(B), with op(A) of shape [M, K] and op(B) of shape [K, N].
struct Case {
  const char *name;
  int64_t m, k, n;
  bool transA, transB; ///< A is stored [K, M] / B is stored [N, K].
};

const std::vector<Case> kCases = {
    {"fc1   x W1        ", 128, 784, 256, false, false},
    {"fc2   h1 W2       ", 128, 256, 128, false, false},
    {"fc3   h2 W3       ", 128, 128, 10, false, false},
    {"dW1 = x^T g1      ", 784, 128, 256, true, false},
    {"dW2 = h1^T g2     ", 256, 128, 128, true, false},
    {"dh1 = g2 W2^T     ", 128, 128, 256, false, true},
    {"dW3 = h2^T g3     ", 128, 128, 10, true, false},
    {"dh2 = g3 W3^T     ", 128, 10, 128, false, true},
};

/// The Kernel of `c`: inputs A and B as stored, transposes where needed, the matmul, its output.
Kernel kernelOf(const Case &c, const std::string &name) {
  Kernel k;
  k.name = name;
  k.inputs.push_back(
      {DType::F32, c.transA ? std::vector<int64_t>{c.k, c.m} : std::vector<int64_t>{c.m, c.k}});
  k.inputs.push_back(
      {DType::F32, c.transB ? std::vector<int64_t>{c.n, c.k} : std::vector<int64_t>{c.k, c.n}});
  int a = 0, b = 1;
  auto transpose = [&](int v, std::vector<int64_t> shape) {
    KernelNode t;
    t.op = "transpose";
    t.operands = {v};
    t.type = {DType::F32, shape};
    t.ints["perm"] = {1, 0};
    k.nodes.push_back(t);
    return static_cast<int>(k.inputs.size() + k.nodes.size()) - 1;
  };
  if (c.transA)
    a = transpose(a, {c.m, c.k});
  if (c.transB)
    b = transpose(b, {c.k, c.n});
  KernelNode mm;
  mm.op = "matmul";
  mm.operands = {a, b};
  mm.type = {DType::F32, {c.m, c.n}};
  k.nodes.push_back(mm);
  k.outputs = {static_cast<int>(k.inputs.size() + k.nodes.size()) - 1};
  return k;
}

/// A dense halide_buffer_t over `data` of dl shape [rows, cols].
struct Buffer2D {
  halide_dimension_t dims[2];
  halide_buffer_t raw{};
  Buffer2D(float *data, int64_t rows, int64_t cols) {
    dims[0] = halide_dimension_t(0, static_cast<int32_t>(cols), 1);
    dims[1] = halide_dimension_t(0, static_cast<int32_t>(rows), static_cast<int32_t>(cols));
    raw.host = reinterpret_cast<uint8_t *>(data);
    raw.type = halide_type_t(halide_type_float, 32);
    raw.dimensions = 2;
    raw.dim = dims;
  }
};

using KernelFn = int (*)(halide_buffer_t *, halide_buffer_t *, uint64_t, uint32_t,
                         halide_buffer_t *);

/// Calls of `fn` that take at least 20 ms together (after a warm-up).
int callsPerBatch(const std::function<void()> &fn) {
  for (int i = 0; i < 20; ++i)
    fn();
  for (int reps = 1;; reps *= 2) {
    auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i)
      fn();
    if (std::chrono::duration<double>(Clock::now() - t0).count() >= 0.02)
      return reps;
  }
}

double secondsPerCall(const std::function<void()> &fn, int reps) {
  auto t0 = Clock::now();
  for (int i = 0; i < reps; ++i)
    fn();
  return std::chrono::duration<double>(Clock::now() - t0).count() / reps;
}

/// Seconds per call of `a` and of `b`: the best of `rounds` batches each, the two alternating so
/// that whatever else the machine does falls on both alike.
std::pair<double, double> bestOfInterleaved(const std::function<void()> &a,
                                            const std::function<void()> &b, int rounds = 15) {
  int repsA = callsPerBatch(a), repsB = callsPerBatch(b);
  double bestA = 1e30, bestB = 1e30;
  for (int r = 0; r < rounds; ++r) {
    bestA = std::min(bestA, secondsPerCall(a, repsA));
    bestB = std::min(bestB, secondsPerCall(b, repsB));
  }
  return {bestA, bestB};
}

int fail(const std::string &message) {
  std::fprintf(stderr, "sgemm_bench: %s\n", message.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string cpu = "native";
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--cpu=", 0) == 0)
      cpu = arg.substr(6);
    else if (arg.rfind("--threads=", 0) == 0)
      threads = std::atoi(arg.c_str() + 10);
    else
      return fail("usage: sgemm_bench [--cpu=native|x86-64-v3|x86-64-v4] [--threads=N]");
  }

  std::string target, error;
  if (!halideTargetForCpu(cpu, target, error))
    return fail(error);

  // Compile every product, then link them with the runtime into one library.
  char dirTemplate[] = "/tmp/dlc_sgemm_XXXXXX";
  if (!mkdtemp(dirTemplate))
    return fail("cannot create a temporary folder");
  std::string dir = dirTemplate, objects;
  std::vector<double> compileSeconds;
  for (size_t c = 0; c < kCases.size(); ++c) {
    std::string object = dir + "/k" + std::to_string(c) + ".o";
    auto t0 = Clock::now();
    if (!compileKernel(kernelOf(kCases[c], "sgemm_" + std::to_string(c)), target, object, error))
      return fail(error);
    compileSeconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    objects += " '" + object + "'";
  }
  if (!compileHalideRuntime(target, dir + "/runtime.o", error))
    return fail(error);
  std::string library = dir + "/sgemm.so";
  std::string link =
      "c++ -shared -o '" + library + "'" + objects + " '" + dir + "/runtime.o' -lpthread -ldl";
  if (std::system(link.c_str()) != 0)
    return fail("link failed: " + link);
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(dlerror());
  auto setThreads = reinterpret_cast<int (*)(int)>(dlsym(handle, "halide_set_num_threads"));
  if (!setThreads)
    return fail("the Halide runtime has no halide_set_num_threads");
  setThreads(threads);
  omp_set_num_threads(threads);

  std::printf("dlc (Halide, --cpu=%s: %s) vs oneDNN %d.%d dnnl_sgemm, %d threads each\n",
              cpu.c_str(), target.c_str(), dnnl_version()->major, dnnl_version()->minor, threads);
  std::printf("%-20s %16s %10s %10s %7s %9s\n", "product", "M x K x N", "dlc GF/s", "oneDNN",
              "ratio", "max diff");
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  double sumRatio = 0;
  for (size_t c = 0; c < kCases.size(); ++c) {
    const Case &cs = kCases[c];
    std::vector<float> a(cs.m * cs.k), b(cs.k * cs.n), mine(cs.m * cs.n), peer(cs.m * cs.n);
    for (float &v : a)
      v = dist(gen);
    for (float &v : b)
      v = dist(gen);
    auto fn = reinterpret_cast<KernelFn>(dlsym(handle, ("sgemm_" + std::to_string(c)).c_str()));
    if (!fn)
      return fail("missing kernel sgemm_" + std::to_string(c));
    Buffer2D A(a.data(), cs.transA ? cs.k : cs.m, cs.transA ? cs.m : cs.k);
    Buffer2D B(b.data(), cs.transB ? cs.n : cs.k, cs.transB ? cs.k : cs.n);
    Buffer2D C(mine.data(), cs.m, cs.n);
    int status = 0;
    auto runMine = [&] { status |= fn(&A.raw, &B.raw, 0, 0, &C.raw); };
    auto runPeer = [&] {
      dnnl_sgemm(cs.transA ? 'T' : 'N', cs.transB ? 'T' : 'N', cs.m, cs.n, cs.k, 1.0f, a.data(),
                 cs.transA ? cs.m : cs.k, b.data(), cs.transB ? cs.k : cs.n, 0.0f, peer.data(),
                 cs.n);
    };
    auto [tMine, tPeer] = bestOfInterleaved(runMine, runPeer);
    if (status != 0)
      return fail("kernel sgemm_" + std::to_string(c) + " returned " + std::to_string(status));
    double diff = 0;
    for (size_t i = 0; i < mine.size(); ++i)
      diff = std::max(diff, static_cast<double>(std::fabs(mine[i] - peer[i])));
    double flops = 2.0 * cs.m * cs.k * cs.n;
    double ratio = tPeer / tMine;
    sumRatio += ratio;
    char dims[32];
    std::snprintf(dims, sizeof dims, "%ldx%ldx%ld", static_cast<long>(cs.m),
                  static_cast<long>(cs.k), static_cast<long>(cs.n));
    std::printf("%-20s %16s %10.1f %10.1f %6.0f%% %9.2g\n", cs.name, dims, flops / tMine * 1e-9,
                flops / tPeer * 1e-9, 100 * ratio, diff);
  }
  std::printf("mean ratio (dlc / oneDNN throughput): %.0f%%\n", 100 * sumRatio / kCases.size());
  std::printf("AOT compile time per kernel (s):");
  double total = 0;
  for (double s : compileSeconds) {
    std::printf(" %.2f", s);
    total += s;
  }
  std::printf("  (total %.2f)\n", total);
  dlclose(handle);
  std::system(("rm -rf '" + dir + "'").c_str());
  return 0;
}
