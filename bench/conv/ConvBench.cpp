//===- ConvBench.cpp - dlc's generated convolutions against oneDNN's ------===//
//
// Times the convolutions of the Fashion-MNIST CNN (examples/fashion_cnn.dl, batch 64, NCHW, f32,
// 3x3 taps, stride 1, padding 1, no bias) as dlc compiles them:
//
//   conv1  x [64,1,28,28]  W [32,1,3,3]  -> [64,32,28,28]  forward, weight gradient
//   conv2  x [64,32,14,14] W [64,32,3,3] -> [64,64,14,14]  forward, input and weight gradients
//
// (conv1's input gradient is not needed in training: x is the model's input). Each is a one-node
// Kernel (conv2d, conv2d_grad_input, conv2d_grad_weight) compiled ahead of time by
// compiler/codegen/halide for the chosen CPU, linked with Halide's runtime into one shared library,
// loaded and called through KernelSpec.h's signature, exactly as a model.so calls it.
//
// The peer is oneDNN's direct convolution primitive (forward_training, backward_data,
// backward_weights) on the same data, in the same process, with the same number of threads
// (Halide's thread pool and oneDNN's OpenMP both get --threads). dlc reads and writes plain
// NCHW / OIHW buffers, so oneDNN runs three ways:
//
//   nchw    the primitive made for plain nchw/oihw memory, on the user buffers;
//   blk     the primitive made with format_tag::any, on the blocked layouts it prefers, the inputs
//           reordered once before timing (the primitive alone);
//   blk+ro  the same, each call also reordering its inputs from and its output to nchw/oihw.
//
// When the preferred layouts are plain, blk and blk+ro are the nchw primitive again ("=").
// "ratio" is dlc's throughput over oneDNN's best on plain buffers (nchw or blk+ro), "vs blk" over
// blk's. With --cpu=x86-64-v3 or x86-64-v4, oneDNN is held to the same ISA (AVX2, AVX-512).
//
// Prints, per convolution, GFLOP/s (2*N*O*C*KH*KW*OH*OW over the best of 15 timed batches of at
// least 20 ms each, the four runs alternating batch by batch, each batch after a pause of
// --pause-ms=30 in which the other side's idle threads stop spinning), the ratios, and the largest
// difference between dlc's result and oneDNN's (absolute, and relative to the largest |value|);
// then oneDNN's implementations and layouts, and each kernel's AOT compile time. Exits 1 when the
// results differ by more than 1e-4 relative. See README.md for the command.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/HalideCodegen.h"

#include "HalideRuntime.h"
#include "dnnl.hpp"

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
#include <thread>
#include <unordered_map>
#include <vector>

using namespace dl::codegen;
using dnnl::memory;
using Dims = std::vector<int64_t>;

namespace {

using Clock = std::chrono::steady_clock;

enum class Pass { Forward, BackwardData, BackwardWeights };

/// One convolution: x [n, c, h, w], weights [o, c, k, k], y [n, o, oh, ow], and which of its three
/// products to compute.
struct Case {
  const char *name;
  Pass pass;
  int64_t n, c, h, w, o, k, stride, pad;

  int64_t oh() const { return (h + 2 * pad - k) / stride + 1; }
  int64_t ow() const { return (w + 2 * pad - k) / stride + 1; }
  double flops() const { return 2.0 * n * o * c * k * k * oh() * ow(); }
};

const std::vector<Case> kCases = {
    {"conv1 forward", Pass::Forward, 64, 1, 28, 28, 32, 3, 1, 1},
    {"conv1 grad weight", Pass::BackwardWeights, 64, 1, 28, 28, 32, 3, 1, 1},
    {"conv2 forward", Pass::Forward, 64, 32, 14, 14, 64, 3, 1, 1},
    {"conv2 grad input", Pass::BackwardData, 64, 32, 14, 14, 64, 3, 1, 1},
    {"conv2 grad weight", Pass::BackwardWeights, 64, 32, 14, 14, 64, 3, 1, 1},
};

/// The three tensors of a convolution.
enum class Role { X, W, Y };

Dims shapeOf(const Case &c, Role r) {
  switch (r) {
  case Role::X:
    return {c.n, c.c, c.h, c.w};
  case Role::W:
    return {c.o, c.c, c.k, c.k};
  case Role::Y:
    return {c.n, c.o, c.oh(), c.ow()};
  }
  return {};
}

/// The operands of the pass, in dlc's order (the node's operands), and its result.
std::vector<Role> inputsOf(Pass p) {
  switch (p) {
  case Pass::Forward:
    return {Role::X, Role::W};
  case Pass::BackwardData:
    return {Role::Y, Role::W};
  case Pass::BackwardWeights:
    return {Role::X, Role::Y};
  }
  return {};
}

Role resultOf(Pass p) {
  return p == Pass::Forward ? Role::Y : p == Pass::BackwardData ? Role::X : Role::W;
}

int64_t elements(const Dims &d) {
  int64_t e = 1;
  for (int64_t v : d)
    e *= v;
  return e;
}

//===----------------------------------------------------------------------===//
// dlc's side
//===----------------------------------------------------------------------===//

/// The one-node Kernel of `c`, as the fusion pass hands a convolution over (no bias).
Kernel kernelOf(const Case &c, const std::string &name) {
  static const char *ops[] = {"conv2d", "conv2d_grad_input", "conv2d_grad_weight"};
  Kernel k;
  k.name = name;
  KernelNode node;
  node.op = ops[static_cast<int>(c.pass)];
  node.type = {DType::F32, shapeOf(c, resultOf(c.pass))};
  node.ints = {{"stride", {c.stride, c.stride}}, {"padding", {c.pad, c.pad}}, {"dilation", {1, 1}}};
  if (c.pass == Pass::BackwardData)
    node.ints["input_size"] = {c.h, c.w};
  if (c.pass == Pass::BackwardWeights)
    node.ints["kernel_size"] = {c.k, c.k};
  for (Role r : inputsOf(c.pass)) {
    node.operands.push_back(static_cast<int>(k.inputs.size()));
    k.inputs.push_back({DType::F32, shapeOf(c, r)});
  }
  k.nodes.push_back(node);
  k.outputs = {static_cast<int>(k.inputs.size())};
  return k;
}

/// A dense halide_buffer_t over `data` of dl shape [d0, d1, d2, d3] (Halide's dimension 0 is d3).
struct Buffer4D {
  halide_dimension_t dims[4];
  halide_buffer_t raw{};
  Buffer4D(float *data, const Dims &shape) {
    int32_t stride = 1;
    for (int d = 0; d < 4; ++d) {
      int32_t extent = static_cast<int32_t>(shape[3 - d]);
      dims[d] = halide_dimension_t(0, extent, stride);
      stride *= extent;
    }
    raw.host = reinterpret_cast<uint8_t *>(data);
    raw.type = halide_type_t(halide_type_float, 32);
    raw.dimensions = 4;
    raw.dim = dims;
  }
};

using KernelFn = int (*)(halide_buffer_t *, halide_buffer_t *, uint64_t, uint32_t,
                         halide_buffer_t *);

//===----------------------------------------------------------------------===//
// oneDNN's side
//===----------------------------------------------------------------------===//

memory::format_tag plainTag(Role r) {
  return r == Role::W ? memory::format_tag::oihw : memory::format_tag::nchw;
}

/// The execution argument of `r` in the pass (the result of a backward pass is a diff_ argument).
int dnnlArg(Pass p, Role r) {
  switch (r) {
  case Role::X:
    return p == Pass::BackwardData ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC;
  case Role::W:
    return p == Pass::BackwardWeights ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS;
  case Role::Y:
    return p == Pass::Forward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST;
  }
  return 0;
}

memory::desc plainDesc(const Case &c, Role r) {
  return memory::desc(shapeOf(c, r), memory::data_type::f32, plainTag(r));
}

/// The direct convolution primitive of `c`, for plain layouts or for the ones oneDNN prefers.
dnnl::primitive_desc convolutionPd(const Case &c, bool plain, const dnnl::engine &engine) {
  auto md = [&](Role r) {
    return memory::desc(shapeOf(c, r), memory::data_type::f32,
                        plain ? plainTag(r) : memory::format_tag::any);
  };
  memory::dims strides{c.stride, c.stride}, padding{c.pad, c.pad};
  auto direct = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::primitive_desc forward({dnnl::prop_kind::forward_training, direct,
                                                     md(Role::X), md(Role::W), md(Role::Y), strides,
                                                     padding, padding},
                                                    engine);
  switch (c.pass) {
  case Pass::Forward:
    return forward;
  case Pass::BackwardData:
    return dnnl::convolution_backward_data::primitive_desc(
        {direct, md(Role::X), md(Role::W), md(Role::Y), strides, padding, padding}, engine,
        forward);
  case Pass::BackwardWeights:
    return dnnl::convolution_backward_weights::primitive_desc(
        {direct, md(Role::X), md(Role::W), md(Role::Y), strides, padding, padding}, engine,
        forward);
  }
  return forward;
}

/// oneDNN's name of a blocked layout: dimensions outermost first, upper case where blocked, then
/// the inner blocks ("aBcd16b" is nChw16c, "ABcd16b16a" is OIhw16i16o).
std::string layoutName(const memory::desc &md) {
  const dnnl_memory_desc_t &d = md.data;
  if (d.format_kind != dnnl_blocked)
    return "non-blocked";
  const dnnl_blocking_desc_t &b = d.format_desc.blocking;
  std::vector<int> order(d.ndims);
  for (int i = 0; i < d.ndims; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return b.strides[x] > b.strides[y]; });
  std::string name;
  for (int i : order) {
    bool blocked = false;
    for (int j = 0; j < b.inner_nblks; ++j)
      blocked |= b.inner_idxs[j] == i;
    name += static_cast<char>((blocked ? 'A' : 'a') + i);
  }
  for (int j = 0; j < b.inner_nblks; ++j)
    name += std::to_string(b.inner_blks[j]) + static_cast<char>('a' + b.inner_idxs[j]);
  return name;
}

/// A reorder with its arguments.
struct Reorder {
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
};

/// One oneDNN convolution: its primitive and arguments, and for blocked layouts the reorders from
/// the plain user buffers (`before`) and back to them (`after`).
struct DnnlConv {
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
  std::vector<Reorder> before, after;
  std::string impl, layouts;

  bool blocked() const { return !before.empty() || !after.empty(); }

  void run(dnnl::stream &s) {
    prim.execute(s, args);
    s.wait();
  }
  void runWithReorders(dnnl::stream &s) {
    for (Reorder &r : before)
      r.prim.execute(s, r.args);
    prim.execute(s, args);
    for (Reorder &r : after)
      r.prim.execute(s, r.args);
    s.wait();
  }
};

/// Builds `pd`'s convolution over the plain buffers `user` (by role): each argument whose layout
/// differs gets a buffer of its own and a reorder; the inputs' reorders run once here.
DnnlConv makeDnnlConv(const Case &c, const dnnl::primitive_desc &pd,
                      std::unordered_map<Role, memory> &user, dnnl::engine &engine,
                      dnnl::stream &s) {
  DnnlConv conv;
  conv.prim = dnnl::primitive(pd);
  conv.impl = pd.impl_info_str();
  Role result = resultOf(c.pass);
  static const char *roleNames[] = {"x", "w", "y"};
  for (Role r : {Role::X, Role::W, Role::Y}) {
    int arg = dnnlArg(c.pass, r);
    memory::desc want = pd.query_md(dnnl::query::exec_arg_md, arg);
    memory &mine = user.at(r);
    if (want == mine.get_desc()) {
      conv.args[arg] = mine;
      continue;
    }
    memory blocked(want, engine);
    conv.args[arg] = blocked;
    conv.layouts += std::string(conv.layouts.empty() ? "" : " ") + roleNames[static_cast<int>(r)] +
                    ":" + layoutName(want);
    if (r == result)
      conv.after.push_back(
          {dnnl::reorder(blocked, mine), {{DNNL_ARG_FROM, blocked}, {DNNL_ARG_TO, mine}}});
    else
      conv.before.push_back(
          {dnnl::reorder(mine, blocked), {{DNNL_ARG_FROM, mine}, {DNNL_ARG_TO, blocked}}});
  }
  for (Reorder &r : conv.before)
    r.prim.execute(s, r.args);
  s.wait();
  if (conv.layouts.empty())
    conv.layouts = "plain";
  return conv;
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

/// Milliseconds of sleep before each batch (--pause-ms). After a parallel region, libgomp's idle
/// threads spin for about 10 ms before they sleep (8-12 ms measured on the 2-core machine of
/// RESULTS.md): without a pause they take a core from half of each 20 ms batch of dlc that follows
/// a batch of oneDNN (dlc's conv2 forward then measured 175 GFLOP/s instead of 195).
int pauseMs = 30;

void pauseBeforeBatch() { std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs)); }

/// Calls of `fn` that take at least 20 ms together (after a warm-up).
int callsPerBatch(const std::function<void()> &fn) {
  pauseBeforeBatch();
  for (int i = 0; i < 5; ++i)
    fn();
  for (int reps = 1;; reps *= 2) {
    auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i)
      fn();
    if (std::chrono::duration<double>(Clock::now() - t0).count() >= 0.02)
      return reps;
  }
}

/// Seconds per call of `fn` over a batch of `reps` calls, after the pause.
double secondsPerCall(const std::function<void()> &fn, int reps) {
  pauseBeforeBatch();
  auto t0 = Clock::now();
  for (int i = 0; i < reps; ++i)
    fn();
  return std::chrono::duration<double>(Clock::now() - t0).count() / reps;
}

/// Seconds per call of each of `fns`: the best of `rounds` batches each, the runs alternating so
/// that whatever else the machine does falls on all alike.
std::vector<double> bestOfInterleaved(const std::vector<std::function<void()>> &fns,
                                      int rounds = 15) {
  std::vector<int> reps;
  for (const auto &fn : fns)
    reps.push_back(callsPerBatch(fn));
  std::vector<double> best(fns.size(), 1e30);
  for (int r = 0; r < rounds; ++r)
    for (size_t f = 0; f < fns.size(); ++f)
      best[f] = std::min(best[f], secondsPerCall(fns[f], reps[f]));
  return best;
}

/// The largest |a - b|, and the largest |b|.
std::pair<double, double> difference(const std::vector<float> &a, const std::vector<float> &b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(b[i])));
  }
  return {diff, scale};
}

/// Results of dlc and oneDNN may differ by this much, relative to the largest |value|.
constexpr double kTolerance = 1e-4;

/// One convolution measured: seconds per call of dlc and of oneDNN's three runs (blk and blk+ro
/// are the nchw run's when the preferred layouts are plain), and how far the results differ.
struct Measurement {
  double dlc = 0, nchw = 0, blk = 0, blkRo = 0;
  bool blocked = false;
  double diff = 0, rel = 0;
  std::string impls; ///< oneDNN's implementations and layouts.
};

/// Times `fn` (dlc's kernel of `c`) and oneDNN's primitives on the same random operands.
bool measure(const Case &c, KernelFn fn, dnnl::engine &engine, dnnl::stream &stream,
             std::mt19937 &gen, Measurement &m, std::string &error) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<Role> in = inputsOf(c.pass);
  Role result = resultOf(c.pass);
  // The plain buffers: the operands, dlc's result, and one result per oneDNN primitive.
  std::unordered_map<Role, std::vector<float>> data;
  for (Role r : in) {
    data[r].resize(elements(shapeOf(c, r)));
    for (float &x : data[r])
      x = dist(gen);
  }
  size_t resultSize = elements(shapeOf(c, result));
  std::vector<float> mine(resultSize), peerPlain(resultSize), peerBlocked(resultSize);

  Buffer4D a(data[in[0]].data(), shapeOf(c, in[0])), b(data[in[1]].data(), shapeOf(c, in[1]));
  Buffer4D out(mine.data(), shapeOf(c, result));
  int status = 0;
  auto runMine = [&] { status |= fn(&a.raw, &b.raw, 0, 0, &out.raw); };

  auto userMemory = [&](std::vector<float> &resultData) {
    std::unordered_map<Role, memory> user;
    for (Role r : in)
      user[r] = memory(plainDesc(c, r), engine, data[r].data());
    user[result] = memory(plainDesc(c, result), engine, resultData.data());
    return user;
  };
  auto plainUser = userMemory(peerPlain), blockedUser = userMemory(peerBlocked);
  DnnlConv plain, preferred;
  try {
    plain = makeDnnlConv(c, convolutionPd(c, true, engine), plainUser, engine, stream);
    preferred = makeDnnlConv(c, convolutionPd(c, false, engine), blockedUser, engine, stream);
  } catch (const dnnl::error &e) {
    error = std::string("oneDNN: ") + e.what();
    return false;
  }
  m.blocked = preferred.blocked();
  std::vector<std::function<void()>> runs = {runMine, [&] { plain.run(stream); }};
  if (m.blocked) {
    runs.push_back([&] { preferred.run(stream); });
    runs.push_back([&] { preferred.runWithReorders(stream); });
  }
  std::vector<double> t = bestOfInterleaved(runs);
  if (status != 0) {
    error = "dlc's kernel returned " + std::to_string(status);
    return false;
  }
  m.dlc = t[0];
  m.nchw = t[1];
  m.blk = m.blocked ? t[2] : t[1];
  m.blkRo = m.blocked ? t[3] : t[1];
  // The preferred primitive's result, in nchw/oihw, for the comparison.
  preferred.runWithReorders(stream);
  auto [diffPlain, scale] = difference(mine, peerPlain);
  m.diff = std::max(diffPlain, difference(mine, peerBlocked).first);
  m.rel = m.diff / std::max(scale, 1e-30);
  m.impls = "nchw " + plain.impl + "; preferred " + preferred.impl + " (" + preferred.layouts + ")";
  return true;
}

void printHeader() {
  std::printf("%-18s %16s %8s %8s %8s %8s %6s %7s %9s %8s\n", "convolution", "x * w", "dlc", "nchw",
              "blk", "blk+ro", "ratio", "vs blk", "max diff", "rel");
}

/// GFLOP/s of both sides, dlc's throughput over oneDNN's best on plain buffers and over blk's,
/// and the difference of the results.
void printRow(const Case &c, const Measurement &m) {
  double flops = c.flops();
  auto gflops = [&](double s) { return flops / s * 1e-9; };
  char shape[48], blk[16] = "=", blkRo[16] = "=";
  std::snprintf(shape, sizeof shape, "%ldx%ldx%ldx%ld*%ld", static_cast<long>(c.n),
                static_cast<long>(c.c), static_cast<long>(c.h), static_cast<long>(c.w),
                static_cast<long>(c.o));
  if (m.blocked) {
    std::snprintf(blk, sizeof blk, "%.1f", gflops(m.blk));
    std::snprintf(blkRo, sizeof blkRo, "%.1f", gflops(m.blkRo));
  }
  double fair = std::min(m.nchw, m.blkRo);
  std::printf("%-18s %16s %8.1f %8.1f %8s %8s %5.0f%% %6.0f%% %9.2g %8.1e%s\n", c.name, shape,
              gflops(m.dlc), gflops(m.nchw), blk, blkRo, 100 * fair / m.dlc, 100 * m.blk / m.dlc,
              m.diff, m.rel, m.rel <= kTolerance ? "" : "  MISMATCH");
}

int fail(const std::string &message) {
  std::fprintf(stderr, "conv_bench: %s\n", message.c_str());
  return 1;
}

/// Compiles every case's kernel and links them with Halide's runtime into `dir`/conv.so.
bool buildLibrary(const std::string &target, const std::string &dir, std::string &library,
                  std::vector<double> &compileSeconds, std::string &error) {
  std::string objects;
  for (size_t c = 0; c < kCases.size(); ++c) {
    std::string object = dir + "/k" + std::to_string(c) + ".o";
    auto t0 = Clock::now();
    if (!compileKernel(kernelOf(kCases[c], "conv_" + std::to_string(c)), target, object, error))
      return false;
    compileSeconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    objects += " '" + object + "'";
  }
  if (!compileHalideRuntime(target, dir + "/runtime.o", error))
    return false;
  library = dir + "/conv.so";
  std::string link =
      "c++ -shared -o '" + library + "'" + objects + " '" + dir + "/runtime.o' -lpthread -ldl";
  if (std::system(link.c_str()) != 0) {
    error = "link failed: " + link;
    return false;
  }
  return true;
}

/// oneDNN's ISA for --cpu: the same vector width as dlc's target.
void limitDnnlIsa(const std::string &cpu) {
  if (cpu == "x86-64-v3")
    dnnl::set_max_cpu_isa(dnnl::cpu_isa::avx2);
  else if (cpu == "x86-64-v4")
    dnnl::set_max_cpu_isa(dnnl::cpu_isa::avx512_core);
}

void printLoad(const char *when) {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3)
    std::printf("load average %s: %.2f %.2f %.2f\n", when, load[0], load[1], load[2]);
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
    else if (arg.rfind("--pause-ms=", 0) == 0)
      pauseMs = std::atoi(arg.c_str() + 11);
    else
      return fail("usage: conv_bench [--cpu=native|x86-64-v3|x86-64-v4] [--threads=N] "
                  "[--pause-ms=N]");
  }

  std::string target, error, library;
  if (!halideTargetForCpu(cpu, target, error))
    return fail(error);
  limitDnnlIsa(cpu);

  char dirTemplate[] = "/tmp/dlc_conv_XXXXXX";
  if (!mkdtemp(dirTemplate))
    return fail("cannot create a temporary folder");
  std::string dir = dirTemplate;
  std::vector<double> compileSeconds;
  if (!buildLibrary(target, dir, library, compileSeconds, error))
    return fail(error);
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(dlerror());
  auto setThreads = reinterpret_cast<int (*)(int)>(dlsym(handle, "halide_set_num_threads"));
  if (!setThreads)
    return fail("the Halide runtime has no halide_set_num_threads");
  setThreads(threads);
  omp_set_num_threads(threads);

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const dnnl_version_t *v = dnnl_version();
  std::printf("dlc (Halide, --cpu=%s: %s) vs oneDNN %d.%d.%d convolution_direct (f32, no bias),"
              " %d threads each\n",
              cpu.c_str(), target.c_str(), v->major, v->minor, v->patch, threads);
  printLoad("before");
  std::printf("GFLOP/s; oneDNN nchw: plain layouts; blk: preferred layouts, primitive only; "
              "blk+ro: with reorders from/to nchw; %d ms pause before each batch\n",
              pauseMs);
  printHeader();
  std::mt19937 gen(1);
  std::vector<std::string> impls;
  bool agree = true;
  for (size_t ci = 0; ci < kCases.size(); ++ci) {
    auto fn = reinterpret_cast<KernelFn>(dlsym(handle, ("conv_" + std::to_string(ci)).c_str()));
    if (!fn)
      return fail("missing kernel conv_" + std::to_string(ci));
    Measurement m;
    if (!measure(kCases[ci], fn, engine, stream, gen, m, error))
      return fail(std::string(kCases[ci].name) + ": " + error);
    printRow(kCases[ci], m);
    agree &= m.rel <= kTolerance;
    impls.push_back(std::string(kCases[ci].name) + ": " + m.impls);
  }
  std::printf("oneDNN implementations:\n");
  for (const std::string &s : impls)
    std::printf("  %s\n", s.c_str());
  std::printf("AOT compile time per kernel (s):");
  double total = 0;
  for (double s : compileSeconds) {
    std::printf(" %.2f", s);
    total += s;
  }
  std::printf("  (total %.2f)\n", total);
  printLoad("after");
  dlclose(handle);
  std::system(("rm -rf '" + dir + "'").c_str());
  return agree ? 0 : 1;
}
