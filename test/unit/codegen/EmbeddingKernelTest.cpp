//===- EmbeddingKernelTest.cpp - The embedding lookup and its scatter-add --===//
//
// Tests that embedding and embedding_grad compute what compiler/interpreter/Embedding.cpp computes,
// written here as reference loops in double precision: the lookup exactly (it copies), the
// scatter-add within f32 rounding of sums, both at the sequence models' sizes (ids [32, 64],
// vocabularies 65 to 50k, rows of 64 to 512) and at odd ones (row sizes that are not a whole number
// of vectors, a scalar id); repeated ids sum; rows no id picks are zero; element-wise producers and
// consumers fuse with both. An id outside [0, V) makes the kernel fail with a message naming the
// op and its location, before anything is read or written at it.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <gmock/gmock.h>

namespace dl::codegen::test {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

Shape withDim(Shape s, int64_t d) {
  s.push_back(d);
  return s;
}

/// Ids of `shape` drawn uniformly from [0, rows).
HostTensor randomIds(const Shape &shape, int64_t rows, uint32_t seed) {
  return randomTensor(i32(shape), seed, 0.0, double(rows));
}

std::vector<double> lookupRef(const HostTensor &ids, const HostTensor &table) {
  int64_t dim = table.type.shape[1];
  std::vector<double> out;
  for (double id : ids.data)
    for (int64_t d = 0; d < dim; ++d)
      out.push_back(table.data[int64_t(id) * dim + d]);
  return out;
}

std::vector<double> scatterRef(const HostTensor &ids, const HostTensor &grad, int64_t rows) {
  int64_t dim = grad.type.shape.back();
  std::vector<double> out(rows * dim, 0.0);
  for (size_t s = 0; s < ids.data.size(); ++s)
    for (int64_t d = 0; d < dim; ++d)
      out[int64_t(ids.data[s]) * dim + d] += grad.data[s * dim + d];
  return out;
}

Kernel lookupKernel(const Shape &ids, int64_t rows, int64_t dim) {
  KernelBuilder b("embedding");
  int i = b.input(i32(ids)), t = b.input(f32({rows, dim}));
  b.output(b.node("embedding", {i, t}, f32(withDim(ids, dim))));
  return b.kernel();
}

Kernel scatterKernel(const Shape &ids, int64_t rows, int64_t dim) {
  KernelBuilder b("embedding_grad");
  int i = b.input(i32(ids)), g = b.input(f32(withDim(ids, dim)));
  b.output(b.node("embedding_grad", {i, g}, f32({rows, dim}),
                  [&](KernelNode &n) { n.ints["rows"] = {rows}; }));
  return b.kernel();
}

void checkLookup(const Shape &ids, int64_t rows, int64_t dim, const std::vector<std::string> &cpus,
                 uint32_t seed) {
  HostTensor is = randomIds(ids, rows, seed), table = randomTensor(f32({rows, dim}), seed + 1);
  for (const std::string &cpu : cpus) {
    std::vector<HostTensor> r = runOn(cpu, lookupKernel(ids, rows, dim), {is, table});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], lookupRef(is, table), 0.0)) << cpu << " V=" << rows << " D=" << dim;
  }
}

void checkScatter(const HostTensor &ids, int64_t rows, int64_t dim,
                  const std::vector<std::string> &cpus, uint32_t seed) {
  HostTensor grad = randomTensor(f32(withDim(ids.type.shape, dim)), seed);
  std::vector<double> expected = scatterRef(ids, grad, rows);
  for (const std::string &cpu : cpus) {
    std::vector<HostTensor> r = runOn(cpu, scatterKernel(ids.type.shape, rows, dim), {ids, grad});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], expected, 1e-5, 1e-6)) << cpu << " V=" << rows << " D=" << dim;
  }
}

TEST(Embedding, LookupCopiesRows) {
  checkLookup({32, 64}, 65, 64, runnableCpus(), 1);
  checkLookup({32, 64}, 1000, 512, runnableCpus(), 3);
  // Rows that are not a whole number of vectors, and shorter than one.
  checkLookup({4, 7}, 50, 37, runnableCpus(), 5);
  checkLookup({5, 3}, 9, 3, {"native"}, 7);
  checkLookup({6}, 4, 16, {"native"}, 9);
}

TEST(Embedding, LookupOfAScalarId) {
  HostTensor id = tensorOf(i32({}), {2}), table = randomTensor(f32({3, 20}), 11);
  std::vector<HostTensor> r = run(lookupKernel({}, 3, 20), {id, table});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], lookupRef(id, table), 0.0));
}

TEST(Embedding, LookupOfALargeVocabulary) {
  checkLookup({32, 64}, 50000, 128, {"native"}, 13);
}

TEST(Embedding, ScatterAddSumsRepeatedIds) {
  // 2048 ids over 65 rows: every row is picked about 30 times.
  checkScatter(randomIds({32, 64}, 65, 21), 65, 64, runnableCpus(), 22);
  // Large enough to split the rows across threads, with a segment tail (100 = 64 + 36).
  checkScatter(randomIds({32, 64}, 1000, 23), 1000, 512, runnableCpus(), 24);
  checkScatter(randomIds({32, 64}, 300, 25), 300, 100, runnableCpus(), 26);
  checkScatter(randomIds({4, 7}, 50, 27), 50, 37, {"native"}, 28);
  checkScatter(randomIds({5, 3}, 9, 29), 9, 3, {"native"}, 30);
}

TEST(Embedding, ScatterAddLeavesUnpickedRowsZero) {
  // Every id is 1 or 3: rows 0, 2 and 4 stay zero, rows 1 and 3 hold sums of many rows.
  HostTensor ids = tensorOf(i32({2, 4}), {1, 3, 3, 1, 1, 1, 3, 1});
  HostTensor grad = randomTensor(f32({2, 4, 19}), 31);
  std::vector<HostTensor> r = run(scatterKernel({2, 4}, 5, 19), {ids, grad});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], scatterRef(ids, grad, 5), 1e-6, 1e-7));
  for (int64_t row : {0, 2, 4})
    for (int64_t d = 0; d < 19; ++d)
      EXPECT_EQ(r[0].data[row * 19 + d], 0.0) << "row " << row;
}

TEST(Embedding, ScatterAddOfAScalarId) {
  HostTensor id = tensorOf(i32({}), {1}), grad = randomTensor(f32({24}), 33);
  std::vector<HostTensor> r = run(scatterKernel({}, 2, 24), {id, grad});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], scatterRef(id, grad, 2), 0.0));
}

TEST(Embedding, ScatterAddOfALargeVocabulary) {
  checkScatter(randomIds({32, 64}, 50000, 35), 50000, 128, {"native"}, 36);
}

TEST(Embedding, FusedWithElementwiseProducersAndConsumers) {
  // tanh(lookup(ids, 2 t)) + 1, and an SGD step on the table from the scatter of 3 g:
  // t - 0.5 scatter(ids, 3 g), the way a training step's kernels read the two ops.
  const Shape idsShape{8, 16};
  const int64_t rows = 40, dim = 48;
  KernelBuilder b("fused");
  int ids = b.input(i32(idsShape)), t = b.input(f32({rows, dim}));
  int g = b.input(f32(withDim(idsShape, dim)));
  auto scalar = [&](double v) {
    return b.node("constant", {}, f32({}), [v](KernelNode &n) {
      n.constant = {v};
      n.splat = true;
    });
  };
  int doubled = b.node("mul", {t, scalar(2)}, f32({rows, dim}));
  int e = b.node("embedding", {ids, doubled}, f32(withDim(idsShape, dim)));
  int th = b.node("tanh", {e}, f32(withDim(idsShape, dim)));
  b.output(b.node("add", {th, scalar(1)}, f32(withDim(idsShape, dim))));
  int tripled = b.node("mul", {g, scalar(3)}, f32(withDim(idsShape, dim)));
  int s = b.node("embedding_grad", {ids, tripled}, f32({rows, dim}),
                 [&](KernelNode &n) { n.ints["rows"] = {rows}; });
  int step = b.node("mul", {s, scalar(0.5)}, f32({rows, dim}));
  b.output(b.node("sub", {t, step}, f32({rows, dim})));

  HostTensor is = randomIds(idsShape, rows, 37), ts = randomTensor(f32({rows, dim}), 38);
  HostTensor gs = randomTensor(f32(withDim(idsShape, dim)), 39);
  HostTensor t2 = ts, g3 = gs;
  for (double &v : t2.data)
    v *= 2;
  for (double &v : g3.data)
    v *= 3;
  std::vector<double> looked = lookupRef(is, t2), stepped = scatterRef(is, g3, rows);
  for (double &v : looked)
    v = std::tanh(v) + 1;
  for (size_t k = 0; k < stepped.size(); ++k)
    stepped[k] = ts.data[k] - 0.5 * stepped[k];
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, b.kernel(), {is, ts, gs});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(allClose(r[0], looked, 1e-6, 1e-6)) << cpu;
    EXPECT_TRUE(allClose(r[1], stepped, 1e-5, 1e-6)) << cpu;
  }
}

TEST(Embedding, StatementReadsAndAddsWholeRowVectors) {
  // Halide suffixes names ($1, __1) that an earlier pipeline of the process used.
  const std::string suffix = R"((\$[0-9]+)?)", acc = "n0_embedding_grad_acc" + suffix;
  std::string target, stmt, error;
  ASSERT_TRUE(halideTargetForCpu("x86-64-v3", target, error)) << error;
  // The lookup loads table rows as 8-wide vectors at the clamped, checked id.
  ASSERT_TRUE(lowerKernel(lookupKernel({32, 64}, 1000, 512), target, stmt, error)) << error;
  EXPECT_THAT(stmt,
              ContainsRegex(R"(in1\[ramp\(\(\(max\(min\(n0_embedding_ids)" + suffix + R"(\[)"));
  // The scatter-add's update adds 8-wide row vectors, its segments of D in parallel.
  ASSERT_TRUE(lowerKernel(scatterKernel({32, 64}, 1000, 512), target, stmt, error)) << error;
  EXPECT_THAT(stmt, ContainsRegex(R"(halide_do_par_for\(\(void \*\)::dlk_embedding_grad_par_for_)"
                                  R"(n0_embedding_grad_acc(__[0-9]+)?_s1_d0_d_segment)"));
  std::string row = acc + R"(\[ramp\([a-z0-9]+\*8, 1, 8\) aligned\(8, 0\)\])";
  EXPECT_THAT(stmt, ContainsRegex(row + " = " + row + R"( \+ in1\[ramp)"));
}

TEST(Embedding, AnIdOutsideTheTableFailsTheKernel) {
  HostTensor table = randomTensor(f32({5, 16}), 41);
  std::vector<HostTensor> outputs;
  std::string error;
  for (double bad : {5.0, -1.0, 2147483647.0}) {
    HostTensor ids = tensorOf(i32({2, 3}), {0, 4, 1, bad, 2, 3});
    EXPECT_FALSE(runKernel(lookupKernel({2, 3}, 5, 16), {ids, table}, 0, 0, outputs, error))
        << "id " << bad;
    EXPECT_THAT(error,
                HasSubstr("is not a row of the table [0, 5) of dl.embedding at test.dl:1:1"));
  }
  HostTensor ids = tensorOf(i32({2, 3}), {0, 4, 1, 7, 2, 3});
  HostTensor grad = randomTensor(f32({2, 3, 16}), 42);
  EXPECT_FALSE(runKernel(scatterKernel({2, 3}, 5, 16), {ids, grad}, 0, 0, outputs, error));
  EXPECT_THAT(error, HasSubstr("7 at row 1 column 0 of the ids i32[2, 3] is not a row of the "
                               "table [0, 5) of dl.embedding_grad at test.dl:1:1"));
}

TEST(Embedding, InconsistentNodesAreRejected) {
  std::string stmt, error;
  KernelBuilder floatIds("float_ids");
  int i = floatIds.input(f32({4})), t = floatIds.input(f32({10, 8}));
  floatIds.output(floatIds.node("embedding", {i, t}, f32({4, 8})));
  EXPECT_FALSE(lowerKernel(floatIds.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("dl.embedding needs i32 ids"));

  KernelBuilder wrongResult("wrong_result");
  i = wrongResult.input(i32({4}));
  int g = wrongResult.input(f32({4, 8}));
  wrongResult.output(wrongResult.node("embedding_grad", {i, g}, f32({10, 7}),
                                      [](KernelNode &n) { n.ints["rows"] = {10}; }));
  EXPECT_FALSE(lowerKernel(wrongResult.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("dl.embedding_grad has operand and result shapes"));
}

} // namespace
} // namespace dl::codegen::test
